/* web/dash: the admins' dashboard, the admin area's first page (GET
 * /admin) and its JSON twin GET /api/v1/admin/dashboard, which gives
 * every figure the page shows: documents by status and state, failures
 * by reason (each with a "retry all", POST /admin/retry), the queue,
 * conversions per hour, converter restarts, disk use, users, uploads,
 * downloads and searches per day (plots drawn here as SVG, svg.c), and
 * whether each converter dependency is installed and working.
 *
 * The figures come from the store (sqlite_dash.c; restarts from the
 * counters workers keep, wherever they run), the blob store
 * (wy_blob_usage_get: a bucket answers for itself) and the converters'
 * own checks (convert/office.h, convert/ocr.h), which load nothing into
 * this process but for a moment Tesseract's library. They are kept a few
 * seconds (the store's) or a minute (disk and dependencies: a walk of
 * every blob), so a reload costs nothing; a retry drops them. Admins
 * only: everyone else gets admin.c's 404. */
#include "convert/ocr.h"
#include "convert/office.h"
#include "core/log.h"
#include "web/i18n.h"
#include "web/reasons.h"
#include "web/web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define KEEP_MS 5000  /* the store's figures */
#define SLOW_MS 60000 /* disk use and the dependencies */
#define DAYS 30
#define HOURS 24
#define CHINA (8 * 3600) /* days and hours are China's (sign-ins count days so) */

/* The formats LibreOffice converts (sniff.c's names, WY_FAMILY_OFFICE, and
 * the WPS Office ones it reads as theirs). */
static const char *const office_formats[] = {"doc",  "docx", "docm", "dotx", "dotm", "xls",  "xlsx", "xlsm", "xltx",
					     "ppt",  "pptx", "pptm", "potx", "odt",  "ott",  "ods",  "ots",  "odp",
					     "otp",  "odg",  "rtf",  "wps",  "et",   "dps",  "fodt", "fods", "fodp",
					     "ooxml", NULL};
static const char *const pdf_formats[] = {"pdf", NULL};

static struct {
	pthread_mutex_t lock;
	json_t *fast, *slow; /* kept figures, or NULL */
	int64_t fast_at, slow_at;
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void forget(void)
{
	pthread_mutex_lock(&kept.lock);
	json_decref(kept.fast);
	kept.fast = NULL;
	pthread_mutex_unlock(&kept.lock);
}

/* ---- what the store says ---- */

static void count_failure(void *ctx, int64_t id, const char *reason)
{
	(void)id;
	json_t *by = ctx;
	const char *code = wy_reason_code(reason ? reason : "");
	json_object_set_new(by, code, json_integer(json_integer_value(json_object_get(by, code)) + 1));
}

static void each_restart(void *ctx, const char *name, const char *labels, double value)
{
	json_t *by = ctx;
	const char *cause = labels ? strstr(labels, "cause=\"") : NULL;
	if (!name || strcmp(name, "wenyuan_converter_restarts_total") != 0 || !cause)
		return;
	cause += 7;
	size_t n = strcspn(cause, "\"");
	char key[64];
	snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), cause);
	json_object_set_new(by, key, json_integer(json_integer_value(json_object_get(by, key)) + (json_int_t)value));
}

static json_t *int_array(const int64_t *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/* A time in China's day and hour: "2026-12-03", "2026-12-03 15:00" or
 * "2026-12-03 15:04:05" (what: 'd', 'h', 's'). */
static void china_time(int64_t t, char what, char *out, size_t size)
{
	time_t tt = (time_t)(t + CHINA);
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, size, what == 'd' ? "%Y-%m-%d" : what == 'h' ? "%Y-%m-%d %H:00" : "%Y-%m-%d %H:%M:%S", &tm);
}

/* The latest conversion of formats (ocr: OCR batch): {"at", "ok",
 * "doc_id", "reason_code"} or null. */
static json_t *last_job(wy_store *st, const char *const *formats, bool ocr, wy_errinfo *ei)
{
	int64_t at, doc;
	bool ok;
	char *reason;
	if (wy_store_dash_last_job(st, formats, ocr, &at, &ok, &doc, &reason, ei) || !at)
		return json_null();
	json_t *j = json_pack("{s:I, s:b, s:I, s:s?}", "at", (json_int_t)at, "ok", ok, "doc_id", (json_int_t)doc,
			      "reason_code", reason ? wy_reason_code(reason) : NULL);
	free(reason);
	return j;
}

static json_t *store_figures(wy_store *st, wy_errinfo *ei)
{
	int64_t now = wy_now();
	wy_dash_docs docs;
	wy_store_stats stats;
	int rc = wy_store_dash_docs(st, &docs, ei);
	if (!rc)
		rc = wy_store_stats_get(st, &stats, ei);
	if (rc)
		return NULL;
	json_t *j = json_pack("{s:I}", "generated_at", (json_int_t)now);
	/* documents */
	json_t *status = json_object(), *state = json_object();
	int64_t total = 0;
	for (int k = 0; k < WY_DOC_NSTATUS; k++) {
		json_object_set_new(status, wy_doc_status_name((wy_doc_status)k), json_integer(docs.status[k]));
		total += docs.status[k];
	}
	for (int k = 0; k < WY_DOC_NSTATES; k++)
		json_object_set_new(state, wy_doc_state_name(k), json_integer(docs.state[k]));
	json_object_set_new(j, "documents", json_pack("{s:I, s:o, s:o}", "total", (json_int_t)total, "status", status, "state", state));
	/* failures by reason, in reasons.c's order */
	json_t *by = json_object();
	if ((rc = wy_store_failed_each(st, count_failure, by, ei))) {
		json_decref(by);
		goto fail;
	}
	json_t *failures = json_array();
	const char *code, *msgid;
	int64_t nfailed = 0;
	for (int i = 0; wy_reason_each(i, &code, &msgid); i++) {
		json_int_t n = json_integer_value(json_object_get(by, code));
		if (n)
			json_array_append_new(failures, json_pack("{s:s, s:I}", "reason", code, "count", n));
		nfailed += n;
	}
	json_decref(by);
	json_object_set_new(j, "failures", json_pack("{s:I, s:o}", "total", (json_int_t)nfailed, "by_reason", failures));
	/* the queue */
	json_object_set_new(j, "queue", json_pack("{s:I, s:I, s:I, s:I}", "conversions", (json_int_t)stats.jobs_queued,
						  "ocr_batches", (json_int_t)stats.batches_queued, "running",
						  (json_int_t)stats.jobs_running, "oldest_wait_seconds",
						  (json_int_t)stats.oldest_wait));
	/* conversions per hour, the last HOURS (this one last) */
	int64_t hour0 = now / 3600 - (HOURS - 1), ready[HOURS], failed[HOURS];
	if ((rc = wy_store_dash_hourly(st, hour0, HOURS, ready, failed, ei)))
		goto fail;
	json_t *hours = json_array();
	for (int i = 0; i < HOURS; i++) {
		char h[32];
		china_time((hour0 + i) * 3600, 'h', h, sizeof h);
		json_array_append_new(hours, json_string(h));
	}
	json_object_set_new(j, "conversions_per_hour",
			    json_pack("{s:I, s:o, s:o, s:o}", "from", (json_int_t)(hour0 * 3600), "hours", hours, "ready",
				      int_array(ready, HOURS), "failed", int_array(failed, HOURS)));
	/* converter restarts: the workers' counters, every process's */
	json_t *causes = json_object();
	if ((rc = wy_store_counts_each(st, each_restart, causes, ei))) {
		json_decref(causes);
		goto fail;
	}
	json_int_t restarts = 0;
	const char *cause;
	json_t *v;
	json_object_foreach(causes, cause, v)
		restarts += json_integer_value(v);
	json_object_set_new(j, "converter_restarts", json_pack("{s:I, s:o}", "total", restarts, "by_cause", causes));
	/* per day, the last DAYS (today last) */
	int64_t day0 = (now + CHINA) / 86400 - (DAYS - 1), series[4][DAYS];
	if ((rc = wy_store_dash_daily(st, WY_DASH_USERS, day0, DAYS, series[0], ei)) ||
	    (rc = wy_store_dash_daily(st, WY_DASH_UPLOADS, day0, DAYS, series[1], ei)) ||
	    (rc = wy_store_dash_daily(st, WY_DASH_DOWNLOADS, day0, DAYS, series[2], ei)) ||
	    (rc = wy_store_dash_daily(st, WY_DASH_SEARCHES, day0, DAYS, series[3], ei)))
		goto fail;
	json_t *days = json_array();
	for (int i = 0; i < DAYS; i++) {
		char d[16];
		china_time((day0 + i) * 86400, 'd', d, sizeof d);
		json_array_append_new(days, json_string(d));
	}
	json_object_set_new(j, "daily",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "days", days, "users", int_array(series[0], DAYS), "uploads",
				      int_array(series[1], DAYS), "downloads", int_array(series[2], DAYS), "searches",
				      int_array(series[3], DAYS), "users_total", (json_int_t)stats.users));
	/* the latest conversions each dependency took part in */
	json_object_set_new(j, "last_office", last_job(st, office_formats, false, ei));
	json_object_set_new(j, "last_pdf", last_job(st, pdf_formats, false, ei));
	json_object_set_new(j, "last_ocr", last_job(st, NULL, true, ei));
	return j;
fail:
	json_decref(j);
	return NULL;
}

/* ---- disk and dependencies: slow, kept a minute ---- */

static json_t *disk_figures(server *sv)
{
	wy_blob_usage u;
	wy_errinfo ei = {0};
	/* the store's own answer: a file's size on SQLite, the database's on
	 * PostgreSQL (whose files are on another machine) */
	int64_t db = 0, wal = 0;
	wy_store *st;
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_size(st, &db, &wal, &ei);
	json_t *j = json_pack("{s:I, s:I}", "store_bytes", (json_int_t)db, "store_wal_bytes", (json_int_t)wal);
	if (rc) {
		wy_warn("dash.store_size", "msg=\"%s\"", wy_err_msg(&ei, rc));
		json_object_set_new(j, "error", json_string(wy_err_msg(&ei, rc)));
		return j;
	}
	if (wy_blob_usage_get(sv->blobs, &u, &ei)) {
		wy_warn("dash.disk", "msg=\"%s\"", wy_err_msg(&ei, WY_EIO));
		json_object_set_new(j, "error", json_string(wy_err_msg(&ei, WY_EIO)));
		return j;
	}
	json_object_update_new(j, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "kind", u.kind, "blob_objects",
					    (json_int_t)u.objects, "blob_bytes", (json_int_t)u.bytes, "used_bytes",
					    (json_int_t)(u.bytes + db + wal), "free_bytes", (json_int_t)u.fs_free,
					    "total_bytes", (json_int_t)u.fs_total));
	return j;
}

static json_t *dependencies(const wy_config *site)
{
	json_t *a = json_array();
	wy_errinfo ei = {0};
	/* LibreOffice: its library found where office_path says, of this machine's kind */
	char *lib = NULL;
	int rc = wy_office_find(site->office_path, &lib, &ei);
	json_array_append_new(a, json_pack("{s:s, s:b, s:s, s:s}", "name", "libreoffice", "installed", rc == WY_OK,
					   "detail", rc ? wy_err_msg(&ei, rc) : lib, "check",
					   "installed: its LibreOfficeKit library in office_path is a shared object for this machine; "
					   "working: the latest office conversion did not fail for a reason of the server's"));
	free(lib);
	/* the fonts a 公文's and Windows' Chinese fonts are mapped to */
	json_t *fonts = json_array();
	bool all = true, asked = true;
	const char *family;
	for (int i = 0; (family = wy_office_font(i)); i++) {
		char *file = NULL;
		wy_errinfo fe = {0};
		int frc = wy_office_font_check(family, &file, &fe);
		if (frc == WY_ENOTSUP)
			asked = false;
		all = all && frc == WY_OK;
		json_array_append_new(fonts, json_pack("{s:s, s:b, s:s?}", "family", family, "installed", frc == WY_OK, "file", file));
		free(file);
	}
	json_t *f = json_pack("{s:s, s:o, s:s, s:o}", "name", "fonts", "installed", asked ? json_boolean(all) : json_null(),
			      "check", "fontconfig lists each family the conversions map Chinese fonts to", "fonts", fonts);
	json_object_set_new(f, "working", asked ? json_boolean(all) : json_null());
	json_array_append_new(a, f);
	/* Tesseract and its models */
	const char *tlib, *tdir;
	wy_errinfo te = {0};
	rc = wy_ocr_probe(site->ocr_languages, &tlib, &tdir, &te);
	json_array_append_new(a, json_pack("{s:s, s:b, s:s, s:s, s:s, s:s}", "name", "tesseract", "installed", rc == WY_OK,
					   "detail", rc ? wy_err_msg(&te, rc) : tlib, "models", site->ocr_languages, "model_dir",
					   tdir, "check",
					   "installed: its library loads and every model of ocr_languages is in the model directory; "
					   "working: the latest OCR batch ended done"));
	/* MuPDF: linked in */
	json_array_append_new(a, json_pack("{s:s, s:b, s:s, s:s}", "name", "mupdf", "installed", 1, "detail", "built in",
					   "check", "linked into wenyuan; working: the latest PDF conversion did not fail for a reason of the server's"));
	return a;
}

/* "working" of each dependency from the latest conversions it took part in */
static void set_working(json_t *deps, const json_t *fast)
{
	size_t i;
	json_t *d;
	json_array_foreach(deps, i, d) {
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *key = strcmp(name, "libreoffice") == 0 ? "last_office"
				: strcmp(name, "tesseract") == 0   ? "last_ocr"
				: strcmp(name, "mupdf") == 0	   ? "last_pdf"
								   : NULL;
		if (!key)
			continue;
		json_t *last = json_object_get(fast, key);
		json_object_set(d, "last", last ? last : json_null());
		if (!json_object_get(d, "installed") || !json_is_true(json_object_get(d, "installed"))) {
			json_object_set_new(d, "working", json_false());
			continue;
		}
		if (!json_is_object(last)) {
			json_object_set_new(d, "working", json_null()); /* nothing to go by yet */
			continue;
		}
		bool ok = json_is_true(json_object_get(last, "ok"));
		const char *code = json_string_value(json_object_get(last, "reason_code"));
		/* a document's own fault (damaged, encrypted ...) says nothing of the converter */
		json_object_set_new(d, "working", json_boolean(ok || (strcmp(name, "tesseract") != 0 && code &&
									     strcmp(code, "server_error") != 0)));
	}
}

/* Every figure (a new reference), from what is kept when it is fresh. */
static json_t *figures(web_req *rq, wy_errinfo *ei)
{
	server *sv = rq->sv;
	int64_t now = wy_now_ms();
	json_t *fast = NULL, *slow = NULL;
	pthread_mutex_lock(&kept.lock);
	if (kept.fast && now - kept.fast_at < KEEP_MS)
		fast = json_incref(kept.fast);
	if (kept.slow && now - kept.slow_at < SLOW_MS)
		slow = json_incref(kept.slow);
	pthread_mutex_unlock(&kept.lock);
	if (!fast) {
		wy_store *st;
		if (web_store(sv, &st, ei) || !(fast = store_figures(st, ei))) {
			json_decref(slow);
			return NULL;
		}
		pthread_mutex_lock(&kept.lock);
		json_decref(kept.fast);
		kept.fast = json_incref(fast);
		kept.fast_at = now;
		pthread_mutex_unlock(&kept.lock);
	}
	if (!slow) {
		wy_config site;
		web_site_get(sv, &site);
		slow = json_pack("{s:o, s:o, s:I}", "disk", disk_figures(sv), "dependencies", dependencies(&site),
				 "checked_at", (json_int_t)wy_now());
		pthread_mutex_lock(&kept.lock);
		json_decref(kept.slow);
		kept.slow = json_incref(slow);
		kept.slow_at = now;
		pthread_mutex_unlock(&kept.lock);
	}
	json_t *j = json_deep_copy(fast);
	json_t *deps = json_deep_copy(json_object_get(slow, "dependencies"));
	set_working(deps, fast);
	json_object_set(j, "disk", json_object_get(slow, "disk"));
	json_object_set_new(j, "dependencies", deps);
	json_object_set(j, "dependencies_checked_at", json_object_get(slow, "checked_at"));
	json_object_del(j, "last_office");
	json_object_del(j, "last_pdf");
	json_object_del(j, "last_ocr");
	json_decref(fast);
	json_decref(slow);
	return j;
}

/* ---- the page ---- */

static const char *const status_words[][2] = {
	{"queued", N_("排队中")}, {"converting", N_("转换中")}, {"readable", N_("转换中（可阅读）")},
	{"ready", N_("已完成")},  {"failed", N_("转换失败")},
};
static const char *const state_words[][2] = {
	{"published", N_("已发布")}, {"pending", N_("待审核")},	 {"hidden", N_("已隐藏")},
	{"deleted", N_("回收站")},   {"version", N_("新版本转换中")},
};
static const char *const cause_words[][2] = {
	{"crash", N_("崩溃")},	   {"timeout", N_("超时")},	{"memory", N_("内存超限")},
	{"protocol", N_("通信出错")}, {"recycle", N_("定期更换")}, {"reload", N_("重新加载")},
};
static const char *const dep_words[][2] = {
	{"libreoffice", N_("LibreOffice（Office 文档）")},
	{"fonts", N_("中文字体（公文字体的替代）")},
	{"tesseract", N_("Tesseract 及其语言模型（扫描件文字识别）")},
	{"mupdf", N_("MuPDF（PDF 等，内置）")},
};

static const char *word(const char *const table[][2], size_t n, const char *lang, const char *key)
{
	for (size_t k = 0; key && k < n; k++)
		if (strcmp(table[k][0], key) == 0)
			return wy_i18n_tr(lang, table[k][1]);
	return key ? key : "";
}
#define WORD(table, lang, key) word(table, sizeof table / sizeof table[0], lang, key)

/* Bytes in words: 1.5 GiB. */
static json_t *size_text(json_int_t n)
{
	if (n < 0)
		return json_string("?");
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	char out[32];
	snprintf(out, sizeof out, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return json_string(out);
}

static void duration_text(const char *lang, int64_t s, char *out, size_t size)
{
	if (s < 120)
		snprintf(out, size, "%lld %s", (long long)s, wy_i18n_tr(lang, "秒"));
	else if (s < 7200)
		snprintf(out, size, "%lld %s", (long long)(s / 60), wy_i18n_tr(lang, "分钟"));
	else
		snprintf(out, size, "%lld %s", (long long)(s / 3600), wy_i18n_tr(lang, "小时"));
}

/* The plots, as the figures give them */
static void add_charts(json_t *ctx, const json_t *j, const char *lang)
{
	const json_t *daily = json_object_get(j, "daily"), *hourly = json_object_get(j, "conversions_per_hour");
	const char *labels[DAYS > HOURS ? DAYS : HOURS], *shorts[DAYS > HOURS ? DAYS : HOURS];
	int64_t v[2][DAYS > HOURS ? DAYS : HOURS];
	static const char *const names[][2] = {{"users", N_("每日新用户")},
					       {"uploads", N_("每日上传")},
					       {"downloads", N_("每日下载")},
					       {"searches", N_("每日搜索")}};
	json_t *charts = json_array();
	int n = (int)json_array_size(json_object_get(daily, "days"));
	for (int i = 0; i < n && i < DAYS; i++) {
		labels[i] = json_string_value(json_array_get(json_object_get(daily, "days"), (size_t)i));
		shorts[i] = labels[i] ? labels[i] + 5 : ""; /* MM-DD */
	}
	for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
		const json_t *a = json_object_get(daily, names[c][0]);
		json_int_t sum = 0;
		for (int i = 0; i < n && i < DAYS; i++)
			sum += v[0][i] = json_integer_value(json_array_get(a, (size_t)i));
		char id[32];
		snprintf(id, sizeof id, "chart-%s", names[c][0]);
		web_svg_chart ch = {.id = id, .label = wy_i18n_tr(lang, names[c][1]), .labels = labels, .short_labels = shorts,
				    .n = n < DAYS ? n : DAYS, .nseries = 1};
		ch.series[0].v = v[0];
		wy_buf b;
		wy_buf_init(&b, 0);
		web_svg_bars(&b, &ch);
		/* the values as a table too: a screen reader reads no bar */
		json_t *rows = json_array();
		for (int i = 0; i < ch.n; i++)
			json_array_append_new(rows, json_pack("{s:s, s:I}", "label", labels[i] ? labels[i] : "", "value",
							      (json_int_t)v[0][i]));
		json_array_append_new(charts, json_pack("{s:s, s:s, s:s, s:I, s:o}", "key", names[c][0], "title", ch.label,
							"svg", b.data ? b.data : "", "sum", sum, "rows", rows));
		wy_buf_free(&b);
	}
	json_object_set_new(ctx, "daily_charts", charts);
	/* conversions per hour: ready and failed stacked */
	n = (int)json_array_size(json_object_get(hourly, "hours"));
	json_int_t done = 0, bad = 0;
	for (int i = 0; i < n && i < HOURS; i++) {
		labels[i] = json_string_value(json_array_get(json_object_get(hourly, "hours"), (size_t)i));
		shorts[i] = labels[i] ? labels[i] + 11 : ""; /* HH:00 */
		done += v[0][i] = json_integer_value(json_array_get(json_object_get(hourly, "ready"), (size_t)i));
		bad += v[1][i] = json_integer_value(json_array_get(json_object_get(hourly, "failed"), (size_t)i));
	}
	web_svg_chart ch = {.id = "chart-conversions", .label = wy_i18n_tr(lang, "最近24小时每小时转换数（完成与失败）"),
			    .labels = labels, .short_labels = shorts, .n = n < HOURS ? n : HOURS, .nseries = 2};
	ch.series[0].name = wy_i18n_tr(lang, "完成");
	ch.series[0].key = "ready";
	ch.series[0].v = v[0];
	ch.series[1].name = wy_i18n_tr(lang, "失败");
	ch.series[1].key = "failed";
	ch.series[1].v = v[1];
	wy_buf b;
	wy_buf_init(&b, 0);
	web_svg_bars(&b, &ch);
	json_t *rows = json_array();
	for (int i = 0; i < ch.n; i++)
		json_array_append_new(rows, json_pack("{s:s, s:I, s:I}", "label", labels[i] ? labels[i] : "", "ready",
						      (json_int_t)v[0][i], "failed", (json_int_t)v[1][i]));
	json_object_set_new(ctx, "hourly_chart", json_pack("{s:s, s:s, s:I, s:I, s:o}", "title", ch.label, "svg",
							   b.data ? b.data : "", "ready", done, "failed", bad, "rows", rows));
	wy_buf_free(&b);
}

/* The page's words for the figures j, into ctx. */
static void page_context(json_t *ctx, const json_t *j, const char *lang)
{
	const json_t *docs = json_object_get(j, "documents");
	json_t *rows = json_array();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(docs, "status"), key, v)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "key", key, "label", WORD(status_words, lang, key), "n", v));
	json_object_set_new(ctx, "status_rows", rows);
	rows = json_array();
	json_object_foreach((json_t *)json_object_get(docs, "state"), key, v)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "key", key, "label", WORD(state_words, lang, key), "n", v));
	json_object_set_new(ctx, "state_rows", rows);
	json_object_set(ctx, "doc_total", json_object_get(docs, "total"));
	/* failures, each with its retry */
	rows = json_array();
	size_t i;
	json_array_foreach(json_object_get(json_object_get(j, "failures"), "by_reason"), i, v) {
		const char *code = json_string_value(json_object_get(v, "reason")), *c2, *msgid = NULL;
		for (int k = 0; wy_reason_each(k, &c2, &msgid) && strcmp(c2, code) != 0; k++)
			msgid = NULL;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "reason", code, "text", msgid ? wy_i18n_tr(lang, msgid) : code,
						      "count", json_object_get(v, "count")));
	}
	json_object_set_new(ctx, "failure_rows", rows);
	json_object_set(ctx, "failed_total", json_object_get(json_object_get(j, "failures"), "total"));
	/* the queue */
	const json_t *q = json_object_get(j, "queue");
	char wait[64];
	duration_text(lang, json_integer_value(json_object_get(q, "oldest_wait_seconds")), wait, sizeof wait);
	json_object_set_new(ctx, "queue", json_pack("{s:O, s:O, s:O, s:s, s:b}", "conversions", json_object_get(q, "conversions"),
						    "ocr_batches", json_object_get(q, "ocr_batches"), "running",
						    json_object_get(q, "running"), "wait", wait, "waiting",
						    json_integer_value(json_object_get(q, "conversions")) +
								    json_integer_value(json_object_get(q, "ocr_batches")) >
							    0));
	/* restarts */
	rows = json_array();
	const json_t *r = json_object_get(j, "converter_restarts");
	json_object_foreach((json_t *)json_object_get(r, "by_cause"), key, v)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "cause", key, "label", WORD(cause_words, lang, key), "n", v));
	json_object_set_new(ctx, "restart_rows", rows);
	json_object_set(ctx, "restarts_total", json_object_get(r, "total"));
	/* disk */
	const json_t *d = json_object_get(j, "disk");
	json_object_set_new(ctx, "disk_text",
			    json_pack("{s:o, s:o, s:O?, s:o, s:o, s:o, s:s?}", "store", size_text(json_integer_value(json_object_get(d, "store_bytes")) + json_integer_value(json_object_get(d, "store_wal_bytes"))),
				      "blobs", size_text(json_integer_value(json_object_get(d, "blob_bytes"))), "objects",
				      json_object_get(d, "blob_objects"), "used",
				      size_text(json_integer_value(json_object_get(d, "used_bytes"))), "free",
				      size_text(json_integer_value(json_object_get(d, "free_bytes"))), "total",
				      size_text(json_integer_value(json_object_get(d, "total_bytes"))), "error",
				      json_string_value(json_object_get(d, "error"))));
	/* dependencies */
	rows = json_array();
	json_array_foreach(json_object_get(j, "dependencies"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *w = json_object_get(v, "working"), *in = json_object_get(v, "installed");
		json_t *row = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:s, s:O?}", "name", name, "label",
					WORD(dep_words, lang, name), "installed", json_is_true(in), "not_installed",
					json_is_false(in), "working", json_is_true(w), "broken", json_is_false(w), "untried",
					json_is_null(w) || !w, "detail", json_string_value(json_object_get(v, "detail")) ? json_string_value(json_object_get(v, "detail")) : "",
					"fonts", json_object_get(v, "fonts"));
		json_object_set_new(row, "unknown", json_boolean(json_is_null(in)));
		json_array_append_new(rows, row);
	}
	json_object_set_new(ctx, "dep_rows", rows);
	add_charts(ctx, j, lang);
}

int web_dash_context(web_req *rq, json_t *ctx, bool page)
{
	wy_errinfo ei = {0};
	json_t *j = figures(rq, &ei);
	if (!j)
		return WY_ESTORE;
	if (!page) {
		json_object_update_new(ctx, j);
		return WY_OK;
	}
	const char *lang = web_lang(rq->c);
	json_t *view = json_pack("{s:s}", "csrf", rq->csrf);
	page_context(view, j, lang);
	char at[32];
	china_time(json_integer_value(json_object_get(j, "generated_at")), 's', at, sizeof at);
	json_object_set_new(view, "generated", json_string(at));
	json_decref(j);
	wy_buf b;
	wy_buf_init(&b, 8u << 20);
	int rc = wy_template_render_lang(rq->sv->dashboard, view, lang, &b);
	json_decref(view);
	if (!rc)
		json_object_set_new(ctx, "dashboard_html", json_string(b.data ? b.data : ""));
	wy_buf_free(&b);
	json_object_set_new(ctx, "extra_css", json_string("/static/dash.css"));
	return rc ? WY_EIO : WY_OK;
}

/* ---- retry all failures of one reason ---- */

typedef struct retry_ctx {
	const char *code;
	int64_t *ids;
	size_t n, cap;
} retry_ctx;

static void pick_failure(void *ctx, int64_t id, const char *reason)
{
	retry_ctx *r = ctx;
	if (strcmp(wy_reason_code(reason ? reason : ""), r->code) != 0)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->ids = wy_xrealloc(r->ids, r->cap * sizeof *r->ids);
	}
	r->ids[r->n++] = id;
}

enum MHD_Result web_dash_retry_post(web_req *r, wy_store *st)
{
	const char *code = web_form_get(r, "reason", NULL), *c2, *msgid;
	int k;
	for (k = 0; code && wy_reason_each(k, &c2, &msgid) && strcmp(c2, code) != 0; k++)
		;
	if (!code || !wy_reason_each(k, &c2, &msgid))
		return web_result(r, 400, "no such failure reason", NULL, "/admin");
	wy_errinfo ei = {0};
	retry_ctx rc_ = {.code = c2};
	int rc = wy_store_failed_each(st, pick_failure, &rc_, &ei);
	int64_t n = 0;
	/* one at a time: each is the store's retry, which refuses a document
	 * that is no longer failed (another admin, the owner) */
	for (size_t i = 0; !rc && i < rc_.n; i++) {
		int one = wy_store_doc_retry(st, rc_.ids[i], false, &ei);
		if (one == WY_OK)
			n++;
		else if (one != WY_EINVAL && one != WY_ENOTFOUND)
			rc = one;
	}
	free(rc_.ids);
	forget();
	char target[64], detail[64];
	snprintf(target, sizeof target, "reason %s", c2);
	snprintf(detail, sizeof detail, "%lld", (long long)n);
	/* what was queued is queued: the audit row says how many, even when
	 * the store failed partway */
	if (n || !rc) {
		wy_errinfo ae = {0};
		if (wy_store_audit_add(st, r->user.id, "retry", target, detail, &ae)) {
			wy_error("admin.audit_lost", "admin=%lld action=retry target=\"%s\" msg=\"%s\"", (long long)r->user.id,
				 target, wy_err_msg(&ae, WY_EIO));
			return web_unavailable(r);
		}
		wy_log("admin.action", "admin=%lld action=retry target=\"%s\" requeued=%lld", (long long)r->user.id, target,
		       (long long)n);
	}
	if (rc)
		return web_unavailable(r);
	web_flash(r, WEB_FLASH_RETRIED_ALL, n, 0);
	return web_result(r, 200, NULL, json_pack("{s:s, s:I}", "reason", c2, "requeued", (json_int_t)n), "/admin");
}

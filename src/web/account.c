/* web/account: what signed-in users do. Who may see a document (and so
 * its page, page images, text, download, search hits and API views);
 * favorites; the download price; rewards; reports; the daily sign-in;
 * the "my" pages (uploads, favorites, downloads, points); the share QR. */
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/reasons.h"
#include "view/views.h"
#include "web/web_int.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- who may see what: the one rule (docs/internals/web.md) ----
 *
 * The same rule in SQL is SQ_OPEN, SQ_PUBLIC and SQ_SEEN_BY
 * (store/rules.h), for listings, searches, blobs and payments: change
 * both together. Everything else asks these functions. */

bool web_doc_open(const wy_doc *d)
{
	/* ready, or readable: its first pages stored while the rest converts
	 * (the store holds only pages that may be read); as SQ_OPEN */
	return d->status == WY_DOC_READY || d->status == WY_DOC_READABLE;
}

bool web_doc_public(const wy_doc *d)
{
	return web_doc_open(d) && d->state == WY_STATE_PUBLISHED && !d->private_;
}

bool web_user_can_see(const web_req *r, const wy_doc *d)
{
	if (web_doc_public(d))
		return true;
	if (!r || !r->authed)
		return false;
	/* as SQ_OWN: deleted ones and a new version's row are nobody's */
	return d->owner_id == r->user.id && d->state < WY_STATE_DELETED;
}

bool web_owner_or_admin(const web_req *r, const wy_doc *d)
{
	return web_is_admin(r) || (r && r->authed && d->owner_id == r->user.id);
}

int web_pages_readable(server *sv, const web_req *r, const wy_doc *d)
{
	if (web_owner_or_admin(r, d))
		return d->pages;
	wy_config site;
	web_site_get(sv, &site);
	return d->pages < site.preview_pages ? d->pages : site.preview_pages;
}

bool web_can_see(const web_req *r, const wy_doc *d)
{
	return web_user_can_see(r, d) || web_is_admin(r);
}

int web_account_can_see(server *sv, int64_t user_id, const wy_doc *d, bool *can)
{
	/* the same rule, asked for a request that account would make: its
	 * own role and documents as they are now; a banned account has a
	 * visitor's rights (its sessions are refused), a deleted one none */
	web_req as = {.sv = sv};
	*can = false;
	if (user_id > 0) {
		wy_store *st;
		int rc = web_store(sv, &st, NULL);
		if (!rc)
			rc = wy_store_user_get(st, user_id, &as.user, NULL);
		if (rc)
			return rc == WY_ENOTFOUND ? WY_OK : rc;
		as.authed = !as.user.banned;
	}
	*can = web_can_see(&as, d);
	wy_user_clear(&as.user);
	return WY_OK;
}

/* ---- a download's name and terms ---- */

/* Characters a saved file's name must not hold: path separators, what
 * Windows refuses, controls, line separators and the bidirectional marks
 * that make "x\u202Efdp.exe" read as "xexe.pdf". */
static bool unsafe_in_name(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	       wy_is_hidden_control(cp) || (cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp));
}

/* The extension of name (after its last dot, 1-10 letters and digits), or
 * "" (*at: where the dot is, else the end). */
static const char *extension_of(const char *name, size_t *at)
{
	const char *dot = strrchr(name, '.');
	*at = strlen(name);
	if (!dot || dot == name || !dot[1] || strlen(dot + 1) > 10)
		return "";
	for (const char *p = dot + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return "";
	*at = (size_t)(dot - name);
	return dot + 1;
}

#define DOWNLOAD_TITLE_MAX 150 /* bytes: a file name is at most 255 on most systems */

void web_download_name(const wy_doc *d, char *out, size_t size)
{
	const char *fn = d->filename ? d->filename : "";
	size_t stem;
	const char *ext = extension_of(fn, &stem);
	if (!*ext && d->format) {
		size_t ignored;
		char dotted[24];
		snprintf(dotted, sizeof dotted, "x.%s", d->format);
		ext = extension_of(dotted, &ignored);
		ext = *ext ? d->format : "";
	}
	const char *base = d->title && *d->title ? d->title : fn;
	size_t blen = base == fn ? stem : strlen(base);
	/* the title, one code point at a time: unsafe ones become "_", runs
	 * of white space one space, cut whole before the cap */
	char name[DOWNLOAD_TITLE_MAX + 1];
	size_t n = 0;
	bool space = false;
	for (const char *p = base, *end = base + blen; p < end;) {
		int cp = wy_utf8_decode(&p, end);
		if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x3000) {
			space = n > 0;
			continue;
		}
		char enc[4];
		int k = cp < 0 || unsafe_in_name((uint32_t)cp) ? (enc[0] = '_', 1) : wy_utf8_encode((uint32_t)cp, enc);
		if (n + (space ? 1 : 0) + (size_t)k > DOWNLOAD_TITLE_MAX)
			break;
		if (space)
			name[n++] = ' ';
		space = false;
		memcpy(name + n, enc, (size_t)k);
		n += (size_t)k;
	}
	/* no leading dot (a hidden file), no trailing dot or space (Windows
	 * drops them) */
	size_t from = 0;
	while (from < n && (name[from] == '.' || name[from] == ' '))
		from++;
	while (n > from && (name[n - 1] == '.' || name[n - 1] == ' '))
		n--;
	if (n == from) {
		snprintf(name, sizeof name, "document");
		from = 0;
		n = strlen(name);
	}
	/* a title that already ends in the extension keeps just the one */
	size_t el = strlen(ext);
	bool has_ext = !el || (n - from > el + 1 && name[n - el - 1] == '.' && strncasecmp(name + n - el, ext, el) == 0);
	snprintf(out, size, "%.*s%s%s", (int)(n - from), name + from, has_ext ? "" : ".", has_ext ? "" : ext);
}

bool web_download_paid(wy_store *st, const web_req *r, const wy_doc *d)
{
	if (!r || !r->authed)
		return false;
	if (web_owner_or_admin(r, d))
		return true;
	if (d->price <= 0) /* free for everyone: nothing to look up */
		return false;
	wy_perms p;
	if (web_user_perms(r, &p) && p.free_download) /* a group that downloads free (groups.c) */
		return true;
	bool paid = false;
	wy_store_download_paid(st, r->user.id, d->id, &paid, NULL);
	return paid;
}

static const char *state_label(int state)
{
	static const char *const labels[] = {"", N_("待审核"), N_("已隐藏"), N_("已删除")};
	return (unsigned)state < 4 ? labels[state] : "";
}

void web_doc_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx, const char *lang)
{
	bool owner = r && r->authed && d->owner_id == r->user.id;
	bool admin = web_is_admin(r);
	bool faved = false;
	int64_t favs = 0;
	wy_store_favorite_state(st, r && r->authed ? r->user.id : 0, d->id, &faved, &favs, NULL);
	json_object_set_new(ctx, "favorites", json_integer(favs));
	json_object_set_new(ctx, "faved", json_boolean(faved));
	json_object_set_new(ctx, "is_owner", json_boolean(owner));
	json_object_set_new(ctx, "logged_in", json_boolean(r && r->authed));
	json_object_set_new(ctx, "can_moderate", json_boolean(admin));
	json_object_set_new(ctx, "can_reward", json_boolean(d->owner_id && !owner && web_user_can_see(r, d)));
	/* the uploader's own name for its owner and admins; masked for the rest */
	if ((owner || admin) && d->uploader)
		json_object_set_new(ctx, "uploader", json_string(d->uploader));
	if (d->state != WY_STATE_PUBLISHED)
		json_object_set_new(ctx, "state_label", json_string(wy_i18n_tr(lang, state_label(d->state))));
	/* the download's terms (the page's download block) */
	bool paid = web_download_paid(st, r, d);
	int64_t price = d->price > 0 ? d->price : 0;
	char name[200];
	web_download_name(d, name, sizeof name);
	json_object_set_new(ctx, "price", json_integer(price));
	json_object_set_new(ctx, "paid", json_boolean(paid));
	json_object_set_new(ctx, "pay", json_boolean(price > 0 && !paid));
	/* sold once converted (wy_store_download): a readable one waits */
	json_object_set_new(ctx, "sale_waits", json_boolean(price > 0 && !paid && d->status != WY_DOC_READY));
	json_object_set_new(ctx, "can_download", json_boolean(web_doc_open(d) && web_can_see(r, d)));
	json_object_set_new(ctx, "download_name", json_string(name));
	int64_t points_short = 0;
	if (r && r->authed) {
		wy_user me;
		if (!wy_store_user_get(st, r->user.id, &me, NULL)) {
			json_object_set_new(ctx, "my_points", json_integer(me.points));
			if (price > 0 && !paid && me.points < price)
				points_short = price - me.points;
			wy_user_clear(&me);
		}
	}
	json_object_set_new(ctx, "points_short", json_integer(points_short));
	web_comments_viewer(st, r, d, ctx);
	web_collections_viewer(st, r, d, ctx); /* 加入专辑 (collections.c) */
}

/* ---- the share QR code ---- */

/* The site's address for links that leave the page (the share QR code,
 * mailed links): web_seo_base's (site_url, else a valid Host), else
 * localhost, never a Host that is not a plain host[:port]. */
void web_site_base(web_req *r, char *out, size_t size)
{
	wy_config *site = wy_xmalloc(sizeof *site);
	web_site_get(r->sv, site);
	if (!web_seo_base(r, site, out, size))
		snprintf(out, size, "%s://localhost", r->secure ? "https" : "http");
	free(site);
}

enum MHD_Result web_qr(web_req *r, int64_t id)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	wy_store *st;
	wy_doc d;
	if (web_store(sv, &st, NULL) || wy_store_doc_get(st, id, &d, NULL))
		return web_not_found(r);
	bool ok = web_can_see(r, &d);
	wy_doc_clear(&d);
	if (!ok)
		return web_not_found(r);
	char base[300], url[400];
	web_site_base(r, base, sizeof base);
	snprintf(url, sizeof url, "%s/doc/%lld", base, (long long)id);
	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return web_text(c, 500, "no QR code\n");
	/* one path, a run of dark modules a rectangle; a quiet zone of 4 */
	int w = q->width, n = w + 8;
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_printf(&b,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
		      " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		      n, n, n * 4, n * 4, n, n);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int x0 = x;
			while (x < w && (q->data[y * w + x] & 1))
				x++;
			wy_buf_printf(&b, "M%d %dh%dv1h-%dz", x0 + 4, y + 4, x - x0, x - x0);
		}
	wy_buf_puts(&b, "\"/></svg>\n");
	QRcode_free(q);
	return web_send_buf(c, 200, "image/svg+xml", &b);
}

/* ---- POST /doc/{id}/{favorite,reward,report} ---- */

/* The answer to a form on document id's page, which it goes back to. */
static enum MHD_Result done(web_req *r, unsigned status, const char *msg, json_t *j, int64_t id)
{
	char back[64];
	snprintf(back, sizeof back, "/doc/%lld", (long long)id);
	return web_result(r, status, msg, j, back);
}

/* The reasons a document may be reported for (msgids). */
const char *const web_report_reasons[] = {N_("侵犯版权"), N_("色情低俗"), N_("违法违规"), N_("广告垃圾"),
					      N_("内容错误或无法阅读"), N_("其他"), NULL};

enum MHD_Result web_post_doc(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	/* rest: "{id}/{action}", for the page and its JSON twin alike */
	bool api = r->api;
	char num[24];
	const char *slash = strchr(rest, '/');
	int64_t id;
	if (!slash || (size_t)(slash - rest) >= sizeof num)
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(r);
	snprintf(num, sizeof num, "%.*s", (int)(slash - rest), rest);
	const char *action = slash + 1;
	if (!web_path_id(num, &id))
		return api ? web_api_error(c, 404, "no such document") : web_not_found(r);
	const char *lang = web_lang(c);
	if (!r->authed) {
		if (api)
			return web_api_error(c, 401, "log in first");
		char next[80];
		snprintf(next, sizeof next, "/login?next=/doc/%lld", (long long)id);
		return web_redirect(c, next);
	}
	/* the recycle bin: its owner's, whom the rule below does not let see
	 * a deleted document (recycle.c) */
	if (strcmp(action, "delete") == 0 || strcmp(action, "restore") == 0)
		return web_recycle_post(r, id, action);
	wy_store *st;
	wy_doc d;
	wy_errinfo ei = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, &ei);
	/* Admins see every document, but favorites and rewards are a
	 * reader's: a deleted document (the recycle bin) takes neither, and a
	 * reward goes only to a document its giver may see as anyone does
	 * (not another's hidden, pending or private one). */
	bool ok = !rc && web_can_see(r, &d);
	if (ok && strcmp(action, "favorite") == 0)
		ok = d.state != WY_STATE_DELETED;
	else if (ok && strcmp(action, "reward") == 0)
		ok = web_user_can_see(r, &d);
	if (rc == WY_ENOTFOUND || (!rc && !ok)) {
		if (!rc)
			wy_doc_clear(&d);
		return api ? web_api_error(c, 404, "no such document") : web_not_found(r);
	}
	if (rc)
		return web_unavailable(r);
	if (web_comments_action(r, action)) { /* ratings and comments: comments.c */
		enum MHD_Result res = web_comments_post(r, st, &d, action);
		wy_doc_clear(&d);
		return res;
	}
	if (strcmp(action, "edit") == 0) /* edit.c */
		return web_edit_post(r, st, &d);
	wy_doc_clear(&d);
	if (strcmp(action, "favorite") == 0) {
		const char *on = web_form_get(r, "on", NULL);
		bool want = !on || strcmp(on, "0") != 0;
		bool faved;
		int64_t n;
		if (wy_store_favorite_set(st, r->user.id, id, want, &ei) ||
		    wy_store_favorite_state(st, r->user.id, id, &faved, &n, &ei))
			return done(r, 503, "store unavailable", NULL, id);
		web_flash(r, faved ? WEB_FLASH_FAVED : WEB_FLASH_UNFAVED, 0, 0);
		return done(r, 200, NULL, json_pack("{s:b, s:I}", "faved", faved, "favorites", (json_int_t)n), id);
	}
	if (strcmp(action, "reward") == 0) {
		const char *p = web_form_get(r, "points", NULL);
		char *end = NULL;
		long long pts = p ? strtoll(p, &end, 10) : 0;
		if (!p || !end || *end || pts <= 0 || pts > 100000)
			return done(r, 400, wy_i18n_tr(lang, "打赏积分为1-100000。"), NULL, id);
		rc = wy_store_points_reward(st, r->user.id, id, pts, &ei);
		if (rc == WY_EPOINTS)
			return done(r, 402, wy_i18n_tr(lang, "积分不足。"), NULL, id);
		if (rc == WY_EPERM)
			return done(r, 403, wy_i18n_tr(lang, "不能打赏自己的文档，或该文档没有上传者账户。"), NULL, id);
		if (rc)
			return done(r, 503, "store unavailable", NULL, id);
		wy_log("points.reward", "from=%lld doc=%lld points=%lld", (long long)r->user.id, (long long)id, pts);
		web_flash(r, WEB_FLASH_REWARDED, pts, 0);
		return done(r, 200, NULL, json_pack("{s:I}", "rewarded", (json_int_t)pts), id);
	}
	if (strcmp(action, "report") == 0) {
		const char *reason = web_form_get(r, "reason", NULL);
		size_t dl = 0;
		const char *detail = web_form_get(r, "detail", &dl);
		bool known = false;
		for (int i = 0; reason && web_report_reasons[i] && !known; i++)
			known = strcmp(reason, web_report_reasons[i]) == 0;
		if (!known)
			return done(r, 400, wy_i18n_tr(lang, "请选择举报原因。"), NULL, id);
		char det[2001] = "";
		if (detail && wy_utf8_valid(detail, dl))
			snprintf(det, sizeof det, "%.*s", (int)wy_utf8_truncate(detail, dl, 2000), detail);
		int64_t rid = 0;
		rc = wy_store_report_add(st, id, r->user.id, reason, det, &rid, &ei);
		if (rc == WY_ETOOBIG)
			return done(r, 429, wy_i18n_tr(lang, "举报太频繁，请稍后再试。"), NULL, id);
		bool again = rc == WY_EEXIST; /* their open report of it: no new row */
		if (rc && !again)
			return done(r, 503, "store unavailable", NULL, id);
		if (!again)
			wy_log("report.add", "report=%lld doc=%lld user=%lld", (long long)rid, (long long)id,
			       (long long)r->user.id);
		if (api)
			return web_json(c, again ? 200 : 201, json_pack("{s:I}", "report", (json_int_t)rid));
		char back[64];
		snprintf(back, sizeof back, "/doc/%lld", (long long)id);
		return web_message(r, 200, wy_i18n_tr(lang, "举报"), wy_i18n_tr(lang, "感谢举报，管理员会尽快处理。"), back);
	}
	return api ? web_api_error(c, 404, "no such action") : web_not_found(r);
}

/* ---- downloads ---- */

/* The short form of wy_i18n_tr's text with {price}, {points} and {short}
 * put in: numbers, so nothing to escape (the page escapes the text). */
static void fill_points(char *out, size_t size, const char *text, int64_t price, int64_t points, int64_t missing)
{
	static const char *const names[] = {"{price}", "{points}", "{short}"};
	const int64_t values[] = {price, points, missing};
	size_t n = 0;
	out[0] = 0;
	while (*text && n + 1 < size) {
		int k = -1;
		for (int i = 0; i < 3 && k < 0; i++)
			if (strncmp(text, names[i], strlen(names[i])) == 0)
				k = i;
		if (k >= 0) {
			int w = snprintf(out + n, size - n, "%lld", (long long)values[k]);
			n = w > 0 && (size_t)w < size - n ? n + (size_t)w : n;
			text += strlen(names[k]);
		} else {
			out[n++] = *text++;
			out[n] = 0;
		}
	}
	out[wy_utf8_truncate(out, strlen(out), size - 1)] = 0;
}

/* Refused for want of points: what it costs, what the reader has and what
 * is missing, and how to earn more; back to the document's download block. */
enum MHD_Result web_short_of_points(web_req *r, wy_store *st, const wy_doc *d)
{
	int64_t have = 0;
	wy_user me;
	if (!wy_store_user_get(st, r->user.id, &me, NULL)) {
		have = me.points;
		wy_user_clear(&me);
	}
	int64_t missing = d->price > have ? d->price - have : 0;
	if (r->api)
		return web_json(r->c, 402, json_pack("{s:s, s:I, s:I, s:I}", "error", "not enough points", "price",
						     (json_int_t)d->price, "points", (json_int_t)have, "short",
						     (json_int_t)missing));
	const char *lang = web_lang(r->c);
	char text[600], back[64];
	fill_points(text, sizeof text,
		    wy_i18n_tr(lang, "下载需要{price}积分，你现有{points}积分，还差{short}积分。每日签到、上传文档都能获得积分。"),
		    d->price, have, missing);
	snprintf(back, sizeof back, "/doc/%lld#download", (long long)d->id);
	return web_message(r, 402, wy_i18n_tr(lang, "积分不足"), text, back);
}

/* A priced document still converting (readable) is not sold yet: it may
 * still fail, and a sale is not undone. Back to its download block. */
enum MHD_Result web_not_for_sale_yet(web_req *r, const wy_doc *d)
{
	if (r->api)
		return web_api_error(r->c, 409, "on sale once converted");
	const char *lang = web_lang(r->c);
	char back[64];
	snprintf(back, sizeof back, "/doc/%lld#download", (long long)d->id);
	return web_message(r, 409, wy_i18n_tr(lang, "文档仍在转换"),
			   wy_i18n_tr(lang, "这份文档转换完成后才能购买下载，请稍后再来。"), back);
}

enum MHD_Result web_download(web_req *r, wy_doc *d, bool pay)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	wy_store *st;
	wy_errinfo ei = {0};
	enum MHD_Result blocked;
	if (web_mail_blocked(r, &blocked)) /* email_verify (mail.c) */
		return blocked;
	if (web_store(sv, &st, &ei))
		return web_unavailable(r);
	/* free: no price, or the reader's own, an admin, paid before, or a
	 * group that downloads free */
	bool free_ = d->price <= 0 || web_download_paid(st, r, d);
	if (!free_ && (!pay || !r->authed)) {
		/* A GET never spends points: the document page's download block
		 * shows the price, the reader's balance and the form that pays
		 * (or the way to log in). */
		char loc[64];
		snprintf(loc, sizeof loc, "/doc/%lld#download", (long long)d->id);
		return web_redirect(c, loc);
	}
	/* a HEAD neither pays nor counts nor lists the download: it gets the
	 * file's headers (no bytes) */
	if (r->head)
		return web_download_send(r, d);
	/* a browser sent here by another site's link lands on the document's
	 * page (limits.c) */
	if (web_download_foreign(r)) {
		char loc[64];
		snprintf(loc, sizeof loc, "/doc/%lld#download", (long long)d->id);
		return web_redirect(c, loc);
	}
	/* the guest rule, the daily limits and the payment (charged only when
	 * not free; the store pays once, the first download, in one
	 * transaction, and only for a document the reader may see then) */
	enum MHD_Result ret;
	if (web_download_start(r, st, d, !free_, &ret))
		return ret;
	/* an API client (a bearer token, or the JSON twin: neither can be a
	 * link on another site) gets the file; a browser a signed link */
	if (r->bearer || r->api)
		return web_download_send(r, d);
	return web_download_link(r, d);
}

enum MHD_Result web_download_send(web_req *r, const wy_doc *d)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	int fd;
	uint64_t size;
	if (web_open_blob(sv, d->sha256, &fd, &size))
		return web_unavailable(r);
	/* A download is counted once a day per visitor, not once per range
	 * a client fetches (one from the first byte may be a fresh start),
	 * never for a HEAD. */
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	if (!r->head && (!range || strncmp(range, "bytes=0-", 8) == 0)) {
		web_count_download(sv, c, r, d->id);
		bool fresh;
		uint64_t visitor = web_visitor_id(c, &fresh);
		if (!fresh)
			web_count_visit(visitor, d->id);
	}
	char etag[70], name[200];
	snprintf(etag, sizeof etag, "\"%s\"", d->sha256);
	web_download_name(d, name, sizeof name);
	char *disp = web_disposition(name);
	enum MHD_Result ret = web_send_fd(r, fd, size, web_mime_of(d->format), etag, disp);
	free(disp);
	return ret;
}

enum MHD_Result web_post_download(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	bool api = r->api;
	int64_t id;
	wy_store *st;
	wy_doc d;
	/* the JSON twin answers in JSON, as every /api/v1 route */
	if (!web_path_id(rest, &id) || web_store(sv, &st, NULL) || wy_store_doc_get(st, id, &d, NULL))
		return api ? web_api_error(c, 404, "no such document") : web_not_found(r);
	if (!web_can_see(r, &d)) {
		wy_doc_clear(&d);
		return api ? web_api_error(c, 404, "no such document") : web_not_found(r);
	}
	if (!r->authed) {
		char next[64];
		snprintf(next, sizeof next, "/login?next=/doc/%lld", (long long)id);
		wy_doc_clear(&d);
		return api ? web_api_error(c, 401, "log in first") : web_redirect(c, next);
	}
	enum MHD_Result ret = web_download(r, &d, true);
	wy_doc_clear(&d);
	return ret;
}

/* ---- my pages ---- */

static int64_t china_day(void) { return (wy_now() + 8 * 3600) / 86400; }

enum MHD_Result web_post_me(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	bool api = r->api;
	if (!r->authed)
		return api ? web_api_error(c, 401, "log in first") : web_redirect(c, "/login?next=/me");
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_unavailable(r);
	if (web_mail_me_action(rest)) /* the address (mail.c) */
		return web_mail_me_post(r, st);
	if (strcmp(rest, "signin") == 0) {
		wy_config site;
		web_site_get(sv, &site);
		bool granted;
		if (wy_store_points_signin(st, r->user.id, china_day(), site.points_signin, &granted, &ei))
			return web_unavailable(r);
		if (api)
			return web_json(c, 200, json_pack("{s:b, s:i}", "granted", granted, "points", granted ? site.points_signin : 0));
		web_flash(r, granted ? WEB_FLASH_SIGNED_IN : WEB_FLASH_SIGNED_BEFORE, site.points_signin, 0);
		return web_redirect(c, "/me/points");
	}
	int64_t id;
	if (strncmp(rest, "retry/", 6) == 0 && web_path_id(rest + 6, &id)) {
		wy_doc d = {0};
		if (wy_store_doc_get(st, id, &d, NULL) || d.owner_id != r->user.id || d.state == WY_STATE_DELETED) {
			if (d.id)
				wy_doc_clear(&d);
			return api ? web_api_error(c, 404, "no such document") : web_not_found(r);
		}
		wy_doc_clear(&d);
		int rc = wy_store_doc_retry(st, id, false, &ei);
		if (rc && rc != WY_EINVAL)
			return web_unavailable(r);
		if (api)
			return rc ? web_api_error(c, 409, "the document is not failed") : web_json(c, 200, json_pack("{s:b}", "ok", 1));
		if (!rc)
			web_flash(r, WEB_FLASH_RETRIED, id, 0);
		return web_redirect(c, "/me/uploads");
	}
	return api ? web_api_error(c, 404, "no such action") : web_not_found(r);
}

/* The context of /me/{tab}, also the JSON of /api/v1/me/{tab}. */
static json_t *me_context(server *sv, struct MHD_Connection *c, web_req *r, const char *tab, int page, bool *bad)
{
	wy_store *st;
	wy_errinfo ei = {0};
	*bad = false;
	if (web_store(sv, &st, &ei))
		return NULL;
	wy_user me;
	if (wy_store_user_get(st, r->user.id, &me, &ei))
		return NULL;
	json_t *ctx = json_pack("{s:{s:I, s:s, s:b, s:I}}", "user", "id", (json_int_t)me.id, "name", me.name, "admin",
				me.role == WY_ROLE_ADMIN, "points", (json_int_t)me.points);
	wy_user_clear(&me);
	json_object_set_new(ctx, "tab", json_string(tab));
	const int per = 20;
	int total = 0;
	static const char *const tabs[] = {"uploads", "favorites", "downloads"};
	for (int k = 0; k < 3; k++)
		if (strcmp(tab, tabs[k]) == 0) {
			wy_doc_list l;
			if (wy_store_user_docs(st, r->user.id, (wy_user_docs)k, (page - 1) * per, per, &l, &total, &ei)) {
				json_decref(ctx);
				return NULL;
			}
			json_t *a = json_array();
			for (int i = 0; i < l.n; i++) {
				json_t *o = web_doc_context(&l.items[i]);
				if (k == WY_MY_UPLOADS) /* one's own name; others' stay masked */
					json_object_set_new(o, "uploader", json_string(l.items[i].uploader ? l.items[i].uploader : ""));
				json_object_set_new(o, "state", json_string(wy_doc_state_name(l.items[i].state)));
				json_object_set_new(o, "state_label",
						    json_string(wy_i18n_tr(web_lang(c), state_label(l.items[i].state))));
				json_object_set_new(o, "failed", json_boolean(l.items[i].status == WY_DOC_FAILED));
				if (l.items[i].reason) /* why it failed, in plain words (reasons.c) */
					json_object_set_new(o, "reason_text",
							    json_string(wy_reason_text(web_lang(c), l.items[i].reason)));
				json_object_set_new(o, "private", json_boolean(l.items[i].private_));
				if (k == WY_MY_UPLOADS) /* the edit link, a new version's state: edit.c */
					web_edit_context(st, r, &l.items[i], o, web_lang(c));
				json_array_append_new(a, o);
			}
			wy_doc_list_clear(&l);
			json_object_set_new(ctx, "documents", a);
			json_object_set_new(ctx, tabs[k], json_true());
		}
	if (strcmp(tab, "points") == 0) {
		wy_ledger l;
		if (wy_store_points_ledger(st, r->user.id, (page - 1) * per, per, &l, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
		json_t *a = json_array();
		for (int i = 0; i < l.n; i++) {
			wy_ledger_entry *e = &l.items[i];
			const char *label = web_ledger_reason(web_lang(c), e->reason);
			char date[32];
			time_t t = (time_t)e->at;
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
			json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)e->id, "delta",
					      (json_int_t)e->delta, "reason", e->reason, "label", label, "date", date, "at",
					      (json_int_t)e->at);
			if (e->doc_id) {
				json_object_set_new(o, "doc_id", json_integer(e->doc_id));
				json_object_set_new(o, "doc_title", json_string(e->doc_title ? e->doc_title : ""));
			}
			if (e->other_id) {
				char masked[64];
				wy_mask_name(e->other_name ? e->other_name : "", masked, sizeof masked);
				json_object_set_new(o, "other", json_string(masked));
			}
			json_object_set_new(o, "plus", json_boolean(e->delta > 0));
			json_array_append_new(a, o);
		}
		wy_ledger_clear(&l);
		json_object_set_new(ctx, "ledger", a);
		json_object_set_new(ctx, "points_tab", json_true());
	} else if (strcmp(tab, "collections") == 0) { /* collections.c */
		if (web_me_collections(st, r, ctx, page, per, &total)) {
			json_decref(ctx);
			return NULL;
		}
	} else if (strcmp(tab, "recycle") == 0) {
		if (web_recycle_tab(st, r, ctx, page, per, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
	} else if (strcmp(tab, "password") == 0) {
		json_object_set_new(ctx, "password_tab", json_true());
	} else if (strcmp(tab, "") == 0) {
		web_mail_me_context(st, r, ctx); /* the address (mail.c) */
	} else if (strcmp(tab, "") != 0 && !json_object_get(ctx, "documents")) {
		*bad = true;
		json_decref(ctx);
		return NULL;
	}
	web_paging(ctx, total, page, per);
	return ctx;
}

/* /api/v1/me[/...]: the JSON twin of my pages. */
static enum MHD_Result api_me(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	if (!r->authed)
		return web_api_error(c, 401, "log in first");
	bool bad;
	json_t *ctx = me_context(sv, c, r, rest, web_arg_int(c, "page", 1, 1, 100000), &bad);
	if (!ctx)
		return bad ? web_api_error(c, 404, "no such resource") : web_unavailable(r);
	if (!*rest)
		json_object_set_new(ctx, "csrf", json_string(r->csrf));
	return web_json(c, 200, ctx);
}

enum MHD_Result web_page_me(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	if (r->api)
		return api_me(r);
	if (!r->authed) {
		char next[200];
		snprintf(next, sizeof next, "/login?next=/me%s%.100s", *rest ? "/" : "", rest);
		return web_redirect(c, next);
	}
	bool bad;
	json_t *ctx = me_context(sv, c, r, rest, web_arg_int(c, "page", 1, 1, 100000), &bad);
	if (!ctx)
		return bad ? web_not_found(r) : web_unavailable(r);
	if (!*rest)
		json_object_set_new(ctx, "home", json_true());
	json_object_set_new(ctx, "has_documents", json_boolean(json_array_size(json_object_get(ctx, "documents")) > 0));
	json_object_set_new(ctx, "has_recycled", json_boolean(json_array_size(json_object_get(ctx, "recycled")) > 0));
	/* the window's title names the tab, as its <h1> does */
	static const char *const titles[][2] = {{"uploads", N_("我的上传")},  {"favorites", N_("我的收藏")},
						{"downloads", N_("我的下载")}, {"points", N_("我的积分")},
						{"collections", N_("我的专辑")},
						{"recycle", N_("回收站")},     {"password", N_("修改密码")}};
	const char *title = N_("个人中心");
	for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++)
		if (strcmp(rest, titles[k][0]) == 0)
			title = titles[k][1];
	return web_page(r, 200, wy_i18n_tr(web_lang(c), title), sv->me, ctx);
}

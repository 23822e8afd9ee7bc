/* config: settings as data (nginx style). Adding a setting is one row. */
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { T_INT, T_I64, T_STR, T_STR0 /* may be empty */, T_DBL /* a decimal number */ };

/* analytics_script: "" or an https URL (wy_https_origin). */
static bool analytics_url_ok(const char *value, const char **why)
{
	char origin[300];
	if (!*value || wy_https_origin(value, origin, sizeof origin))
		return true;
	*why = "not an https:// URL with a host (no quotes, spaces or user names)";
	return false;
}

static bool site_url_ok(const char *value, const char **why)
{
	char base[600];
	if (!*value || wy_site_url_base(value, base, sizeof base))
		return true;
	*why = "not http(s)://host[:port][/path] (no user name, quotes or spaces)";
	return false;
}

static bool mail_from_ok(const char *value, const char **why)
{
	if (!*value || (wy_mail_addr_valid(value) && wy_mail_header_safe(value)))
		return true;
	*why = "not an email address (local@domain, no spaces, names or line breaks)";
	return false;
}

static const struct setting {
	const char *name, *env;
	int type;
	size_t off, size;
	long long min, max;
	const char *def;
	const char *help;
	bool site;    /* an admin may change it on the site (stored, applied over the process's) */
	bool restart; /* read once at start: a reload (SIGHUP) leaves it (wy_config_update) */
	const char *choices; /* a string that must be one of these, separated by | (NULL: any) */
	/* a string's own check (NULL: none): false refuses it, the reason in why */
	bool (*check)(const char *value, const char **why);
} settings[] = {
#define S(n, e, t, f, lo, hi, d, h) {n, e, t, offsetof(wy_config, f), sizeof(((wy_config *)0)->f), lo, hi, d, h, false, false, NULL, NULL}
/* A site setting: the same row, marked. */
#define SITE(n, e, t, f, lo, hi, d, h) {n, e, t, offsetof(wy_config, f), sizeof(((wy_config *)0)->f), lo, hi, d, h, true, false, NULL, NULL}
/* A site setting with a check of its value (ok: true or *why). */
#define SITE_CHECK(n, e, t, f, lo, hi, d, h, ok) {n, e, t, offsetof(wy_config, f), sizeof(((wy_config *)0)->f), lo, hi, d, h, true, false, NULL, ok}
/* A setting that takes effect only at start. */
#define BOOT(n, e, t, f, lo, hi, d, h) {n, e, t, offsetof(wy_config, f), sizeof(((wy_config *)0)->f), lo, hi, d, h, false, true, NULL, NULL}
/* A string setting that takes one of a few words (choices: "a|b"), only at start. */
#define BOOT_ONE_OF(n, e, f, choices, d, h) {n, e, T_STR, offsetof(wy_config, f), sizeof(((wy_config *)0)->f), 0, 0, d, h, false, true, choices, NULL}
	BOOT("data", "WENYUAN_DATA", T_STR, data_dir, 0, 0, "./var", "data directory (store and blobs)"),
	BOOT("store_url", "WENYUAN_STORE_URL", T_STR0, store_url, 0, 0, "", "the store: empty = SQLite in the data directory; a libpq connection URI (postgresql://HOST:PORT/DATABASE?user=NAME) = PostgreSQL"),
	BOOT("blob_url", "WENYUAN_BLOB_URL", T_STR0, blob_url, 0, 0, "", "the blobs (originals, page images): empty = the data directory; s3://BUCKET[/PREFIX] = an S3 object store (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL)"),
	S("blob_redirect_seconds", "WENYUAN_BLOB_REDIRECT_SECONDS", T_INT, blob_redirect_seconds, 0, 604800, "0", "page images answered by a redirect to a presigned URL valid this many seconds, after the access check (S3 only; 0 = sent by serve)"),
	S("convert_timeout", "WENYUAN_CONVERT_TIMEOUT", T_INT, convert_timeout, 1, 86400, "120", "seconds one document may take to convert"),
	S("convert_memory_mb", "WENYUAN_CONVERT_MEMORY_MB", T_INT, convert_memory_mb, 64, 1 << 20, "2048", "memory limit of a converter process (MiB)"),
	S("max_pages", "WENYUAN_MAX_PAGES", T_INT, max_pages, 1, 1000000, "5000", "pages converted per document"),
	S("page_width", "WENYUAN_PAGE_WIDTH", T_INT, page_width, 64, 8000, "1240", "page image width (px)"),
	S("thumb_width", "WENYUAN_THUMB_WIDTH", T_INT, thumb_width, 16, 2000, "240", "thumbnail width (px)"),
	S("webp_quality", "WENYUAN_WEBP_QUALITY", T_INT, webp_quality, 0, 100, "75", "WebP quality of lossy page images (colour, photographs)"),
	BOOT("workers", "WENYUAN_WORKERS", T_INT, workers, 0, 256, "0", "converter processes per worker (0 = one per core)"),
	SITE("max_upload_mb", "WENYUAN_MAX_UPLOAD_MB", T_I64, max_upload_mb, 1, 1 << 20, "200", "largest accepted document (MiB)"),
	S("retries", "WENYUAN_RETRIES", T_INT, retries, 1, 100, "3", "tries of a job whose worker died"),
	S("office_path", "WENYUAN_OFFICE_PATH", T_STR, office_path, 0, 0, "/usr/lib/libreoffice/program", "LibreOffice's program directory"),
	S("office_recycle", "WENYUAN_OFFICE_RECYCLE", T_INT, office_recycle, 1, 1000000, "200", "documents per office converter before it is replaced"),
	S("office_prestart", "WENYUAN_OFFICE_PRESTART", T_INT, office_prestart, 0, 1, "1", "1: a running worker starts its office converters at once, not at the first office document"),
	S("office_first_pages", "WENYUAN_OFFICE_FIRST_PAGES", T_INT, office_first_pages, 0, 100, "3", "pages of a text document over 10 pages exported and published before the rest (0: off)"),
	S("allow_network", "WENYUAN_ALLOW_NETWORK", T_INT, allow_network, 0, 1, "0", "1: convert even without a private network namespace"),
	S("near_duplicates", "WENYUAN_NEAR_DUPLICATES", T_INT, near_duplicates, 0, 2, "1", "a document nearly the same as one already there: 0 allowed, 1 flagged, 2 refused"),
	S("near_duplicate_percent", "WENYUAN_NEAR_DUPLICATE_PERCENT", T_INT, near_duplicate_percent, 50, 100, "90", "how alike (% of text shingles) makes a near-duplicate"),
	BOOT("web_dir", "WENYUAN_WEB_DIR", T_STR, web_dir, 0, 0, WY_SOURCE_DIR "/web", "the site's templates/ and static/"),
	BOOT("locale_dir", "WENYUAN_LOCALE_DIR", T_STR, locale_dir, 0, 0, WY_LOCALE_DIR, "compiled UI translations (<lang>.mo)"),
	SITE("preview_pages", "WENYUAN_PREVIEW_PAGES", T_INT, preview_pages, 1, 100000, "50", "pages previewed before download to read on"),
	SITE("site_footer", "WENYUAN_SITE_FOOTER", T_STR, site_footer, 0, 0, "© 文渊文库", "copyright line of every page"),
	SITE("site_icp", "WENYUAN_SITE_ICP", T_STR0, site_icp, 0, 0, "", "ICP licence number in the footer"),
	SITE("site_name", "WENYUAN_SITE_NAME", T_STR, site_name, 0, 0, "文渊文库", "the site's name"),
	SITE("download_price", "WENYUAN_DOWNLOAD_PRICE", T_INT, download_price, 0, 100000, "0", "points a new upload's download costs by default"),
	SITE("upload_review", "WENYUAN_UPLOAD_REVIEW", T_INT, upload_review, 0, 1, "0", "1: new uploads wait for an admin's review"),
	SITE("points_upload", "WENYUAN_POINTS_UPLOAD", T_INT, points_upload, 0, 100000, "5", "points for an approved upload"),
	SITE("points_signin", "WENYUAN_POINTS_SIGNIN", T_INT, points_signin, 0, 100000, "1", "points for the daily sign-in"),
	SITE("points_register", "WENYUAN_POINTS_REGISTER", T_INT, points_register, 0, 100000, "10", "points a new account starts with"),
	S("cookie_secure", "WENYUAN_COOKIE_SECURE", T_INT, cookie_secure, 0, 1, "0", "1: the site is served over HTTPS (Secure cookies)"),
	S("login_attempts", "WENYUAN_LOGIN_ATTEMPTS", T_INT, login_attempts, 1, 1000, "5", "failed logins per address or name in 15 minutes"),
	S("metrics_allow", "WENYUAN_METRICS_ALLOW", T_STR0, metrics_allow, 0, 0, "127.0.0.1 ::1", "addresses that may read /metrics, separated by spaces (none: /metrics answers 404 to all)"),
	BOOT("trust_proxy", "WENYUAN_TRUST_PROXY", T_INT, trust_proxy, 0, 1, "0", "1: behind a reverse proxy: a client's address is the last of X-Forwarded-For"),
	BOOT("http_addr", "WENYUAN_HTTP_ADDR", T_STR, http_addr, 0, 0, "127.0.0.1", "address the web server listens on"),
	BOOT("http_port", "WENYUAN_HTTP_PORT", T_INT, http_port, 0, 65535, "8080", "port the web server listens on"),
	BOOT("http_threads", "WENYUAN_HTTP_THREADS", T_INT, http_threads, 0, 1024, "0", "request threads (0 = 2 per core)"),
	BOOT("http_timeout", "WENYUAN_HTTP_TIMEOUT", T_INT, http_timeout, 1, 3600, "30", "seconds an idle connection is kept"),
	BOOT("http_max_connections", "WENYUAN_HTTP_MAX_CONNECTIONS", T_INT, http_max_connections, 1, 100000, "1024", "connections at once"),
	BOOT("http_max_per_ip", "WENYUAN_HTTP_MAX_PER_IP", T_INT, http_max_per_ip, 1, 100000, "64", "connections at once from one address"),
	SITE("points_upload_daily", "WENYUAN_POINTS_UPLOAD_DAILY", T_INT, points_upload_daily, 0, 1000000, "20", "upload points an account earns in any 24 hours, at most"),
	SITE("points_upload_min_chars", "WENYUAN_POINTS_UPLOAD_MIN_CHARS", T_INT, points_upload_min_chars, 0, 10000000, "500", "characters of text (white space aside) an upload needs to earn points"),
	SITE("comments_per_hour", "WENYUAN_COMMENTS_PER_HOUR", T_INT, comments_per_hour, 0, 100000, "20", "comments one account may post in any hour (0 = no limit)"),
	SITE("comment_review", "WENYUAN_COMMENT_REVIEW", T_INT, comment_review, 0, 1, "0", "1: new comments wait for an admin's review"),
	BOOT("http_header_timeout", "WENYUAN_HTTP_HEADER_TIMEOUT", T_INT, http_header_timeout, 1, 3600, "10", "seconds a request's headers may take to arrive, however they trickle"),
	BOOT("http_min_body_rate", "WENYUAN_HTTP_MIN_BODY_RATE", T_INT, http_min_body_rate, 0, 1000000000, "1024", "bytes/s a request body must average over every http_header_timeout (0 = no minimum)"),
	BOOT("serve_flush_ms", "WENYUAN_SERVE_FLUSH_MS", T_INT, serve_flush_ms, 10, 60000, "1000", "milliseconds between writes of view counts, visits and the query log (what a crash may lose)"),
	S("page_cache_ms", "WENYUAN_PAGE_CACHE_MS", T_INT, page_cache_ms, 0, 3600000, "5000", "milliseconds an anonymous visitor's document page is kept before it is made again (0 = never kept)"),
	S("search_timeout_ms", "WENYUAN_SEARCH_TIMEOUT_MS", T_INT, search_timeout_ms, 0, 600000, "2000", "milliseconds a search on the site may take before it is stopped (0 = no limit)"),
	S("ocr", "WENYUAN_OCR", T_INT, ocr, 0, 1, "1", "1: recognise the text of pages that have none (scans, images) with Tesseract"),
	S("ocr_languages", "WENYUAN_OCR_LANGUAGES", T_STR, ocr_languages, 0, 0, "chi_sim", "Tesseract language models for OCR, joined by + (chi_sim reads Latin too; chi_tra for traditional scans)"),
	S("ocr_page_timeout", "WENYUAN_OCR_PAGE_TIMEOUT", T_INT, ocr_page_timeout, 1, 3600, "60", "seconds each recognised page adds to convert_timeout"),
	S("ocr_batch", "WENYUAN_OCR_BATCH", T_INT, ocr_batch, 1, 100000, "10", "pages recognised per turn: a longer scan is ready after its first batch and recognises the rest a batch at a time, after the uploads queued meanwhile"),
	SITE("recycle_days", "WENYUAN_RECYCLE_DAYS", T_DBL, recycle_days, 0, 36500, "30", "days a deleted document stays in the recycle bin before it is purged (0 = only by an admin; decimals allowed)"),
	S("blob_grace", "WENYUAN_BLOB_GRACE", T_INT, blob_grace, 0, 864000, "3600", "seconds a blob stored (or stored again) is kept although nothing refers to it yet: an upload or a conversion in flight"),
	S("maintenance_seconds", "WENYUAN_MAINTENANCE_SECONDS", T_INT, maintenance_seconds, 1, 864000, "3600", "seconds between the server's purges of the recycle bin past recycle_days and collections of unreferenced blobs"),
	S("stop_grace", "WENYUAN_STOP_GRACE", T_INT, stop_grace, 0, 3600, "30", "seconds a stopping server (SIGTERM) lets the requests in flight finish"),
	/* read at start: serve's embedded worker and every converter log as their process began */
	BOOT_ONE_OF("log_format", "WENYUAN_LOG_FORMAT", log_format, "kv|json", "kv", "event lines on stderr: kv (key=value) or json (one object a line)"),
	/* issue 18 PAGES: the footer's 公安备案 number and the analytics script */
	SITE("site_psb", "WENYUAN_SITE_PSB", T_STR0, site_psb, 0, 0, "", "公安备案 number in the footer, linked to its record at beian.mps.gov.cn (\"\" = none)"),
	SITE_CHECK("analytics_script", "WENYUAN_ANALYTICS_SCRIPT", T_STR0, analytics_script, 0, 0, "", "https URL of an analytics script every page loads; its origin joins the Content-Security-Policy (\"\" = none)", analytics_url_ok),
	/* issue 18 CAPTCHA: the forms that ask for a captcha drawn by the server (web/captcha.c) */
	SITE("captcha_register", "WENYUAN_CAPTCHA_REGISTER", T_INT, captcha_register, 0, 1, "1", "1: registration asks for a captcha"),
	SITE("captcha_login", "WENYUAN_CAPTCHA_LOGIN", T_INT, captcha_login, 0, 1, "1", "1: logging in asks for a captcha after a failed attempt from the address or for the name"),
	SITE("captcha_reset", "WENYUAN_CAPTCHA_RESET", T_INT, captcha_reset, 0, 1, "1", "1: asking for a password reset link asks for a captcha"),
	SITE("captcha_comment", "WENYUAN_CAPTCHA_COMMENT", T_INT, captcha_comment, 0, 1, "0", "1: posting a comment asks for a captcha"),
	S("captcha_seconds", "WENYUAN_CAPTCHA_SECONDS", T_INT, captcha_seconds, 1, 86400, "300", "seconds a captcha may be answered after it was drawn"),
	/* issue 18 SEO */
	SITE("robots_txt", "WENYUAN_ROBOTS_TXT", T_STR0, robots_txt, 0, 0, "", "the text of /robots.txt (empty = the built-in one: the admin area, /me, /api, uploads and downloads kept out, the sitemap named)"),
	SITE_CHECK("site_url", "WENYUAN_SITE_URL", T_STR0, site_url, 0, 0, "", "the site's public address, e.g. https://wenku.example.com, for canonical links, the sitemap and mailed links (empty = pages from the request's Host header, mailed links from the address served)", site_url_ok),
	S("sitemap_part_urls", "WENYUAN_SITEMAP_PART_URLS", T_INT, sitemap_part_urls, 1, 50000, "50000", "document or collection ids one sitemap part covers (at most 50,000 URLs a part; smaller only for tests)"),
	/* issue 18 LIMITS: download limits and signed download links (web/limits.c) */
	SITE("downloads_per_user_day", "WENYUAN_DOWNLOADS_PER_USER_DAY", T_INT, downloads_per_user_day, 0, 1000000, "0", "downloads one account may start in any 24 hours (0 = no limit; admins have none)"),
	SITE("downloads_per_ip_day", "WENYUAN_DOWNLOADS_PER_IP_DAY", T_INT, downloads_per_ip_day, 0, 1000000, "0", "downloads one address may start in any 24 hours, all its accounts and visitors together (0 = no limit)"),
	SITE("guest_download", "WENYUAN_GUEST_DOWNLOAD", T_INT, guest_download, 0, 1, "1", "1: visitors without an account may download free documents; 0: they are asked to sign in"),
	SITE("download_link_seconds", "WENYUAN_DOWNLOAD_LINK_SECONDS", T_INT, download_link_seconds, 1, 86400, "300", "seconds a signed download link stays valid"),
	/* issue 18 MAIL: sending mail (jobs/mailer.c), addresses and resets (web/mail.c) */
	SITE("smtp_url", "WENYUAN_SMTP_URL", T_STR0, smtp_url, 0, 0, "", "the mail server: smtp://HOST:PORT (STARTTLS when the server offers it), smtp+starttls://HOST:PORT (STARTTLS required) or smtps://HOST:PORT (TLS); a login as the URL's user and password (percent-encoded); empty = no mail"),
	SITE_CHECK("smtp_from", "WENYUAN_SMTP_FROM", T_STR0, smtp_from, 0, 0, "", "the address the site's mail comes from (a noreply address of the site's domain)", mail_from_ok),
	SITE("email_verify", "WENYUAN_EMAIL_VERIFY", T_INT, email_verify, 0, 2, "0", "email addresses: 0 not asked, 1 asked and verified but optional, 2 required (verified) before uploading, commenting or downloading"),
	S("mail_retry_seconds", "WENYUAN_MAIL_RETRY_SECONDS", T_INT, mail_retry_seconds, 1, 86400, "60", "seconds before a failed mail is tried again (doubled at each try, at most 6 hours)"),
	S("mail_tries", "WENYUAN_MAIL_TRIES", T_INT, mail_tries, 1, 100, "10", "tries of a mail before it is given up (its last error kept)"),
	SITE("reset_link_minutes", "WENYUAN_RESET_LINK_MINUTES", T_INT, reset_link_minutes, 1, 10080, "30", "minutes an emailed password reset link stays valid"),
	S("reset_link_seconds", "WENYUAN_RESET_LINK_SECONDS", T_INT, reset_link_seconds, 0, 604800, "0", "seconds a password reset link stays valid when not 0, instead of reset_link_minutes (for tests)"),
#undef S
#undef SITE
#undef SITE_CHECK
#undef BOOT
#undef BOOT_ONE_OF
};

#define NSETTINGS (sizeof settings / sizeof settings[0])
_Static_assert(NSETTINGS <= WY_CONFIG_MAX, "wy_config.origin has a row for every setting");

/* Whether value is one of the |-separated words of choices. */
static bool one_of(const char *choices, const char *value)
{
	size_t n = strlen(value);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, value, n) == 0)
			return true;
		p += len + (bar != NULL);
	}
	return false;
}

/* Set s from value; origin says where the value came from (errors name
 * it, and `wenyuan config` shows it). */
static int apply(wy_config *cfg, const struct setting *s, const char *value, const char *origin, wy_errinfo *ei)
{
	char *p = (char *)cfg + s->off;
	if (s->type == T_STR || s->type == T_STR0) {
		size_t n = strlen(value);
		if ((n == 0 && s->type == T_STR) || n >= s->size)
			return wy_err_set(ei, WY_EINVAL, "%s: '%s' is empty or too long", origin, value);
		if (s->choices && !one_of(s->choices, value))
			return wy_err_set(ei, WY_EINVAL, "%s: '%s' is not one of %s", origin, value, s->choices);
		const char *why = "";
		if (s->check && !s->check(value, &why))
			return wy_err_set(ei, WY_EINVAL, "%s: '%s' is %s", origin, value, why);
		memcpy(p, value, n + 1);
		snprintf(cfg->origin[s - settings], WY_CONFIG_ORIGIN, "%s", origin);
		return WY_OK;
	}
	char *end;
	errno = 0;
	if (s->type == T_DBL) {
		double x = strtod(value, &end);
		if (errno || end == value || *end || !(x >= (double)s->min && x <= (double)s->max))
			return wy_err_set(ei, WY_EINVAL, "%s: '%s' is not a number from %lld to %lld", origin, value, s->min,
					  s->max);
		*(double *)p = x;
		snprintf(cfg->origin[s - settings], WY_CONFIG_ORIGIN, "%s", origin);
		return WY_OK;
	}
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || *end || v < s->min || v > s->max)
		return wy_err_set(ei, WY_EINVAL, "%s: '%s' is not a number from %lld to %lld", origin, value, s->min, s->max);
	if (s->type == T_INT)
		*(int *)p = (int)v;
	else
		*(int64_t *)p = v;
	snprintf(cfg->origin[s - settings], WY_CONFIG_ORIGIN, "%s", origin);
	return WY_OK;
}

static void format_value(const wy_config *cfg, const struct setting *s, char *val, size_t cap);

static const struct setting *find(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/* The settings whose default is a directory of an installed binary's
 * PREFIX/share/wenyuan when it is there. */
static const char *const installed_rows[][2] = {{"web_dir", "web"}, {"locale_dir", "locale"}};

/* An installed binary (`make install`: PREFIX/bin/wenyuan) finds the
 * site's files and translations beside it, in PREFIX/share/wenyuan; one
 * run from its build directory, in the source and build trees (the
 * table's defaults). */
static void installed_defaults(wy_config *cfg)
{
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = 0;
	for (size_t i = 0; i < sizeof installed_rows / sizeof installed_rows[0]; i++) {
		char dir[1200];
		snprintf(dir, sizeof dir, "%s/../share/wenyuan/%s", exe, installed_rows[i][1]);
		char *real = realpath(dir, NULL);
		if (real && access(real, R_OK | X_OK) == 0)
			apply(cfg, find(installed_rows[i][0]), real, "default (installed)", NULL);
		free(real);
	}
}

/* A setting's value for a log line: bare when it is one plain word, else
 * quoted (wy_log_q), so that a value holding a space, a quote or control
 * bytes stays one field (kv) and one string (json). */
static const char *log_value(const char *v, char *q, unsigned cap)
{
	for (const unsigned char *u = (const unsigned char *)v; *u; u++)
		if (*u <= ' ' || *u == '"' || *u == '\\' || *u == '=' || *u == 0x7f)
			return wy_log_q(q, cap, v);
	return v;
}

static int load_defaults(wy_config *cfg, wy_errinfo *ei)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NSETTINGS; i++) {
		int rc = apply(cfg, &settings[i], settings[i].def, "default", ei);
		if (rc)
			return rc;
	}
	installed_defaults(cfg);
	return WY_OK;
}

/* "name = value" lines of the file at path. */
static int load_file(wy_config *cfg, const char *path, wy_errinfo *ei)
{
	wy_buf b;
	struct stat st;
	/* A FIFO (or socket) would block open(2) until a writer comes: the
	 * serve loop, SIGHUP's reload included, would stop going round. */
	if (stat(path, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return wy_err_set(ei, WY_EIO, "cannot read the configuration file %s: not a regular file", path);
	errno = 0;
	int frc = wy_file_read(path, 1 << 20, &b);
	if (frc)
		return wy_err_set(ei, WY_EIO, "cannot read the configuration file %s: %s", path,
				  frc == WY_ETOOBIG ? "larger than 1 MiB"
				  : frc == WY_ENOMEM ? "out of memory"
				  : errno	     ? strerror(errno)
						     : "read failed");
	int rc = WY_OK, lineno = 0;
	char *p = b.data ? b.data : (char *)"", *end = p + b.len;
	while (p < end && !rc) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		*le = 0;
		lineno++;
		char origin[WY_CONFIG_ORIGIN];
		snprintf(origin, sizeof origin, "%.*s:%d", WY_CONFIG_ORIGIN - 12, path, lineno);
		char *a = p;
		p = nl ? nl + 1 : end;
		while (*a == ' ' || *a == '\t' || *a == '\r')
			a++;
		char *z = a + strlen(a);
		while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r'))
			*--z = 0;
		if (!*a || *a == '#')
			continue;
		char *eq = strchr(a, '=');
		if (!eq) {
			rc = wy_err_set(ei, WY_EINVAL, "%s: not \"name = value\"", origin);
			break;
		}
		char *k = eq;
		while (k > a && (k[-1] == ' ' || k[-1] == '\t'))
			k--;
		*k = 0;
		char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t vn = strlen(v);
		if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
			v[vn - 1] = 0;
			v++;
		}
		const struct setting *s = find(a);
		if (!s)
			rc = wy_err_set(ei, WY_EINVAL, "%s: unknown setting '%s'", origin, a);
		else
			rc = apply(cfg, s, v, origin, ei);
	}
	wy_buf_free(&b);
	return rc;
}

static int load_env(wy_config *cfg, wy_errinfo *ei)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *v = getenv(settings[i].env);
		if (v && *v) {
			int rc = apply(cfg, &settings[i], v, settings[i].env, ei);
			if (rc)
				return rc;
		}
	}
	return WY_OK;
}

int wy_config_load(wy_config *cfg, wy_errinfo *ei)
{
	int rc = load_defaults(cfg, ei);
	return rc ? rc : load_env(cfg, ei);
}

int wy_config_load_with_file(wy_config *cfg, const char *path, wy_errinfo *ei)
{
	int rc = load_defaults(cfg, ei);
	if (rc)
		return rc;
	if (!path || !*path)
		path = getenv("WENYUAN_CONFIG");
	if ((!path || !*path) && access(WY_CONFIG_FILE, F_OK) == 0)
		path = WY_CONFIG_FILE;
	if (path && *path) {
		if ((rc = load_file(cfg, path, ei)))
			return rc;
		snprintf(cfg->file, sizeof cfg->file, "%s", path);
	}
	return load_env(cfg, ei);
}

int wy_config_reread(const wy_config *cfg, wy_config *fresh, wy_errinfo *ei)
{
	return wy_config_load_with_file(fresh, cfg->file[0] ? cfg->file : NULL, ei);
}

/* A setting's value came from the command line. */
static bool from_flag(const wy_config *cfg, size_t i) { return strncmp(cfg->origin[i], "--", 2) == 0; }

int wy_config_update(wy_config *live, const wy_config *fresh)
{
	int changed = 0;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		char *to = (char *)live + s->off;
		const char *from = (const char *)fresh + s->off;
		if (from_flag(live, i) || memcmp(to, from, s->size) == 0)
			continue;
		char was[1100], now[1100], qw[1200], qn[1200];
		format_value(live, s, was, sizeof was);
		format_value(fresh, s, now, sizeof now);
		if (s->restart) {
			wy_warn("config.restart_needed", "setting=%s value=%s new=%s from=%s", s->name,
				log_value(was, qw, sizeof qw), log_value(now, qn, sizeof qn), fresh->origin[i]);
			continue;
		}
		memcpy(to, from, s->size);
		memcpy(live->origin[i], fresh->origin[i], sizeof live->origin[i]);
		bool secret = wy_config_is_secret(s->name);
		wy_log("config.reloaded", "setting=%s value=%s was=%s from=%s", s->name,
		       secret ? "(hidden)" : log_value(now, qn, sizeof qn), secret ? "(hidden)" : log_value(was, qw, sizeof qw),
		       fresh->origin[i]);
		changed++;
	}
	memcpy(live->file, fresh->file, sizeof live->file);
	return changed;
}

bool wy_config_is_secret(const char *name)
{
	return strcmp(name, "smtp_url") == 0 || strcmp(name, "store_url") == 0;
}

const char *wy_config_store_location(const wy_config *cfg)
{
	return cfg->store_url[0] ? cfg->store_url : cfg->data_dir;
}

void wy_config_blob_location(const wy_config *cfg, char *out, size_t size)
{
	if (cfg->blob_url[0])
		snprintf(out, size, "%s", cfg->blob_url);
	else
		snprintf(out, size, "%s/blobs", cfg->data_dir);
}

bool wy_config_is_restart_only(const char *name)
{
	const struct setting *s = find(name);
	return s && s->restart;
}

int wy_config_set(wy_config *cfg, const char *name, const char *value, wy_errinfo *ei)
{
	const struct setting *s = find(name);
	if (!s)
		return wy_err_set(ei, WY_EINVAL, "unknown setting '%s'", name);
	char origin[WY_CONFIG_ORIGIN];
	snprintf(origin, sizeof origin, "--%.*s", WY_CONFIG_ORIGIN - 3, name);
	return apply(cfg, s, value, origin, ei);
}

static void format_value(const wy_config *cfg, const struct setting *s, char *val, size_t cap)
{
	const char *p = (const char *)cfg + s->off;
	if (s->type == T_STR || s->type == T_STR0)
		snprintf(val, cap, "%s", p);
	else if (s->type == T_INT)
		snprintf(val, cap, "%d", *(const int *)p);
	else if (s->type == T_DBL)
		snprintf(val, cap, "%g", *(const double *)p);
	else
		snprintf(val, cap, "%lld", (long long)*(const int64_t *)p);
}

int wy_config_get(const wy_config *cfg, const char *name, char *out, size_t size, const char **help)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0) {
			format_value(cfg, &settings[i], out, size);
			if (help)
				*help = settings[i].help;
			return WY_OK;
		}
	return WY_EINVAL;
}

extern char **environ;

char **wy_config_environ(const wy_config *cfg)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = wy_xcalloc(n + NSETTINGS + 2, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if ((strncmp(environ[i], "WENYUAN_", 8) != 0 || strncmp(environ[i], "WENYUAN_LOG=", 12) == 0) &&
		    strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0 && strncmp(environ[i], "WATCHDOG_", 9) != 0)
			env[k++] = wy_xstrdup(environ[i]);
	/* the file by name ("": none was named, look where the caller did) */
	env[k++] = wy_xasprintf("WENYUAN_CONFIG=%s", cfg->file);
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (!from_flag(cfg, i) && strcmp(cfg->origin[i], settings[i].env) != 0)
			continue; /* a default, or the file's */
		char val[1100];
		format_value(cfg, &settings[i], val, sizeof val);
		env[k++] = wy_xasprintf("%s=%s", settings[i].env, val);
	}
	env[k] = NULL;
	return env;
}

void wy_config_environ_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

void wy_config_print(const wy_config *cfg, FILE *out)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		char val[1100];
		format_value(cfg, s, val, sizeof val);
		if (wy_config_is_secret(s->name) && val[0])
			snprintf(val, sizeof val, "(hidden)");
		fprintf(out, "%-18s %-12s %-20s %-26s %s\n", s->name, val, cfg->origin[i], s->env, s->help);
	}
}

bool wy_config_describe(size_t i, wy_config_setting *out)
{
	if (i >= NSETTINGS)
		return false;
	const struct setting *s = &settings[i];
	*out = (wy_config_setting){s->name, s->env, s->def, s->help, s->type == T_INT || s->type == T_I64 || s->type == T_DBL,
				   s->type == T_STR0, s->min, s->max, s->site, s->restart, NULL};
	for (size_t k = 0; k < sizeof installed_rows / sizeof installed_rows[0]; k++)
		if (strcmp(installed_rows[k][0], s->name) == 0)
			out->installed = installed_rows[k][1];
	return true;
}

const char *wy_config_site_setting(size_t i)
{
	for (size_t k = 0; k < NSETTINGS; k++)
		if (settings[k].site && i-- == 0)
			return settings[k].name;
	return NULL;
}

bool wy_config_is_site(const char *name)
{
	for (size_t k = 0; k < NSETTINGS; k++)
		if (settings[k].site && strcmp(settings[k].name, name) == 0)
			return true;
	return false;
}

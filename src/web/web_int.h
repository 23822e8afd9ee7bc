/* web/web_int: what the files of the web module share, its private
 * header (the public one is web/site.h). http.c: the transport, the
 * request's life and the routes; respond.c: responses; render.c: pages
 * and their cache; counters.c: counts, visits, the query log; site.c: the
 * site's start, stop and settings; home.c, doc.c, search.c, auth.c,
 * upload.c, account.c, admin.c, articles.c: the areas of the site. Nothing outside
 * src/web/ includes this but the unit and fuzz tests. */
#ifndef WY_WEB_INT_H
#define WY_WEB_INT_H

#include "blob/blob.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "web/template.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>


typedef struct server {
	const wy_config *cfg;
	char *static_dir;
	wy_blob_store *blobs;     /* shared by the request threads: it only holds paths */
	wy_template *base, *index, *doc, *notfound, *category, *login, *search, *upload, *me, *admin, *message;
	wy_template *collections, *collection; /* collections.c */
	wy_template *edit; /* edit.c */
	wy_template *article, *articles; /* articles.c */
	wy_template *dashboard; /* dash.c: the admin home's figures and plots */
	wy_template *mail; /* mail.c */
	int port; /* the port the site listens on (http_port, or the one bound for 0): mailed links */
	pthread_mutex_t site_lock;
	/* Under site_lock: loaded is cfg as the last reload (SIGHUP) left it,
	 * site is loaded with the site settings admins stored applied. A
	 * setting a reload may change is read from site (web_site_get,
	 * WEB_SITE_INT), never from cfg, which keeps what the process
	 * started with. */
	wy_config loaded, site;
} server;

/* ---- one request ---- */

#define WEB_FORM_FIELDS 32
#define WEB_FORM_BYTES (64u << 10) /* all the values of a form together */

typedef struct web_form {
	char *key[WEB_FORM_FIELDS], *val[WEB_FORM_FIELDS];
	size_t len[WEB_FORM_FIELDS];
	int n;
	size_t total;
	bool overflow;            /* too many fields or bytes: the form is refused */
} web_form;

typedef struct web_upload web_upload; /* upload.c */

/* One request: what every handler gets (web_handler), from its first
 * call (the headers) to its end (request_done in http.c), which frees it
 * and what it holds. */
typedef struct web_req {
	server *sv;
	struct MHD_Connection *c;
	/* the route it took: the part of the path after the route's pattern,
	 * and whether it is the JSON twin (/api/v1/...), which answers in
	 * JSON */
	const struct web_route *route;
	const char *rest;
	size_t rest_at;           /* where rest starts in the URL */
	bool api;
	/* who is asking: a session (cookie wy_s) or a bearer token */
	bool authed, bearer;
	wy_user user;
	unsigned char token_hash[WY_TOKEN_HASH];
	/* the CSRF token forms must carry: the session's, or for anonymous
	 * visitors the random one of the wy_c cookie (set when new) */
	char csrf[65];
	bool csrf_new;
	bool csrf_form;           /* an anonymous page with a form: it gets the token */
	bool secure;              /* cookies get Secure (HTTPS) */
	/* a POST */
	bool post;
	struct MHD_PostProcessor *pp;
	web_form form;
	web_upload *up;
	unsigned fail_status;     /* the request is refused with this */
	char fail_msg[200];
	bool head;                /* a HEAD: answered as a GET, counted as nothing */
	/* for /metrics: when its headers came (wy_now_us), and the status
	 * it was answered with (web_queue) */
	int64_t started_us;
	unsigned status;
	/* what it is known by in the log (wy_log_set_req), in its response's
	 * X-Request-Id and in the job an upload queues */
	char id[WY_LOG_REQ_MAX + 1];
	char method[8];           /* for the access log: GET, POST ... ("other") */
	/* a confirmation for the page this answer leads to (web_flash), and
	 * whether the page rendered here showed one (which clears it) */
	int flash_code;
	int64_t flash_a, flash_b;
	bool flash_shown;
	int64_t retry_after;      /* > 0: the answer says Retry-After (limits.c) */
} web_req;

/* The request the calling thread is answering (http.c sets it while the
 * request is handled), so that web_queue records its status. */
extern __thread web_req *web_current;

/* ---- metrics (metrics.c) ---- */

#define WEB_METRICS_ROUTES 64 /* the route table's rows, at most */
/* Name route i of the route table (http.c, at start). */
void web_metrics_route(int i, const char *path, bool post);
/* A request ended: its route (-1: none), status, and microseconds taken. */
void web_metrics_done(int route, unsigned status, int64_t us);
/* A search of the site ended (the page or the API), after us microseconds. */
void web_metrics_search(int64_t us);
/* A sitemap part built from the store (seo.c). */
void web_metrics_sitemap_built(void);
/* GET /metrics. */
enum MHD_Result web_metrics(web_req *rq);

/* ---- the transport (http.c) ---- */
typedef struct web_http web_http;
/* Start libmicrohttpd and the connection guard on sv->cfg's address, with
 * the pool's threads and the connection limit in *threads and *conns;
 * the bound port in *port. Stop with web_http_stop (NULL: no-op): it
 * stops accepting at once, lets the requests in flight finish for up to
 * grace_ms, then closes every connection. */
int web_http_start(server *sv, web_http **out, int *port, unsigned *threads, unsigned *conns, wy_errinfo *ei);
void web_http_stop(web_http *h, int64_t grace_ms);
/* Whether web_http_stop has begun. */
bool web_http_draining(void);

/* What answers a request: every route's handler has this type. */
typedef enum MHD_Result web_handler(web_req *rq);
bool web_is_admin(const web_req *r);

/* ---- responses (respond.c) ---- */
enum MHD_Result web_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r);
enum MHD_Result web_send_buf(struct MHD_Connection *c, unsigned status, const char *type, wy_buf *b);
enum MHD_Result web_text(struct MHD_Connection *c, unsigned status, const char *text);
enum MHD_Result web_json(struct MHD_Connection *c, unsigned status, json_t *j);
enum MHD_Result web_api_error(struct MHD_Connection *c, unsigned status, const char *msg);
/* A refusal in the request's language of answers: {"error": msg} for the
 * JSON twin, msg as plain text for a page. */
enum MHD_Result web_refuse(web_req *rq, unsigned status, const char *msg);
/* The store failed: 503 "store unavailable", in JSON for the twin. */
enum MHD_Result web_unavailable(web_req *rq);
/* The answer to a store error rc: not found (the 404 page or its JSON)
 * for WY_ENOTFOUND, else web_unavailable. */
enum MHD_Result web_fail(web_req *rq, int rc);
enum MHD_Result web_redirect(struct MHD_Connection *c, const char *location);
/* Render tpl with ctx (taken) into the site's frame and send it. */
enum MHD_Result web_page(web_req *rq, unsigned status, const char *title,
			 const wy_template *tpl, json_t *ctx);
enum MHD_Result web_page_cookie(web_req *rq, unsigned status, const char *title,
				const wy_template *tpl, json_t *ctx, const char *cookie);
/* A page with a title and one message (and a link back). */
enum MHD_Result web_message(web_req *rq, unsigned status, const char *title,
			    const char *text, const char *back);
enum MHD_Result web_not_found(web_req *rq);
/* The answer to a form: for the JSON twin, {"error": msg} at a status of
 * 400 and more, else j (taken; NULL: {"ok": true}); for a page, a message
 * page "操作失败" with msg and a link to back, else a redirect to back. */
enum MHD_Result web_result(web_req *rq, unsigned status, const char *msg, json_t *j, const char *back);
enum MHD_Result web_send_fd(web_req *rq, int fd, uint64_t size, const char *type, const char *etag,
			    const char *disposition);
/* web_send_fd with the caching of a blob: public (shared caches too) or
 * private. Takes fd. */
enum MHD_Result web_send_fd_cache(web_req *rq, int fd, uint64_t size, const char *type,
				  const char *etag, const char *disposition, bool public_);
/* The blob sha (size bytes) sent as web_send_fd would, private, its bytes
 * read only when the answer needs them and only the range asked: a
 * bucket's original is not fetched whole for a range or a 304. */
enum MHD_Result web_send_blob(web_req *rq, const char *sha, uint64_t size, const char *type, const char *etag,
			      const char *disposition);
/* /static/NAME: the site's own CSS and scripts; names are checked, never
 * paths. */
web_handler web_send_static;
const char *web_mime_of(const char *format);
/* Content-Disposition for a download named name (UTF-8; the caller made it
 * a safe file name, web_download_name): attachment with an ASCII fallback
 * and the name itself (RFC 6266, RFC 5987). malloc'd. */
char *web_disposition(const char *name);

/* The Content-Security-Policy every answer carries from now on: the
 * default (default-src 'self') when both are "", else with script_origin
 * (an https origin: the analytics script's) allowed to run scripts, be
 * connected to and show images, and img_origins (space-separated https
 * origins: banner pictures) to show images. Thread-safe (articles.c calls
 * it when the site settings or links are loaded). */
void web_csp_set(const char *script_origin, const char *img_origins);

/* ---- pages (render.c) ---- */
/* Render tpl with ctx (taken) into the site's frame in the request's
 * language: the page into *out (the caller frees it). */
int web_render_page(web_req *rq, const char *title, const wy_template *tpl, json_t *ctx,
		    wy_buf *out);
/* The headers every answer carries (web_queue; upload.c's early refusal,
 * written to the socket itself, writes the same). */
#define WEB_SECURITY_HEADERS 4
extern const char *const web_security_headers[WEB_SECURITY_HEADERS][2];

/* ---- gzip (gzip.c) ---- */
/* Whether an Accept-Encoding header (may be NULL) takes gzip. */
bool web_accepts_gzip(const char *h);
/* data[0..len) gzip'd (malloc'd, its length in *out_len), or NULL when it
 * does not pay (under 1 KiB, or no smaller). */
char *web_gzip(const char *data, size_t len, size_t *out_len);
/* A response of data (len bytes, malloc'd, taken): gzip'd with its
 * Content-Encoding when the request takes gzip and it pays. The caller
 * names Accept-Encoding in its Vary. NULL when out of memory. */
struct MHD_Response *web_text_response(struct MHD_Connection *c, char *data, size_t len);

/* Send a rendered page (takes data, len bytes, malloc'd) with the
 * language headers and cookies; cookie (may be NULL) is one more. */
enum MHD_Result web_respond_page(web_req *rq, unsigned status, char *data, size_t len,
				 const char *cookie);
/* The cache of anonymous document pages: a copy of document id's page in
 * lang kept less than life_ms ago (NULL when none) / keep one.
 * Thread-safe. */
char *web_cache_get(int64_t id, const char *lang, int64_t life_ms, size_t *len);
void web_cache_put(int64_t id, const char *lang, const char *data, size_t len);
/* Forget document id's kept pages (a change its visitors must see at
 * once, such as a comment hidden: comments.c). Other processes' caches
 * show it within page_cache_ms. */
void web_cache_drop(int64_t id);
/* Confirmations (flash): what a form did, shown once, in the reader's
 * language, at the top of the page its redirect leads to. An answer
 * carries only a code of this table and up to two integers (the cookie
 * wy_f, set with the redirect by web_queue), never text: a crafted cookie
 * can say nothing but one of these sentences. The page that shows it
 * clears the cookie and is never kept in the page cache. */
typedef enum web_flash_code {
	WEB_FLASH_NONE,
	WEB_FLASH_REGISTERED,    /* 注册成功，欢迎 */
	WEB_FLASH_FAVED,         /* 已收藏 */
	WEB_FLASH_UNFAVED,       /* 已取消收藏 */
	WEB_FLASH_REWARDED,      /* a: points */
	WEB_FLASH_RETRIED,       /* a: document */
	WEB_FLASH_SIGNED_IN,     /* a: points */
	WEB_FLASH_SIGNED_BEFORE, /* today's sign-in was done before */
	WEB_FLASH_DOC_APPROVED,  /* a: document (and the rest of the doc ones) */
	WEB_FLASH_DOC_RESTORED,
	WEB_FLASH_DOC_HIDDEN,
	WEB_FLASH_DOC_DELETED,
	WEB_FLASH_DOC_DISMISSED, /* the document's reports were dismissed */
	WEB_FLASH_DOC_CATEGORY,
	WEB_FLASH_DOC_PURGED,
	WEB_FLASH_USER_BANNED,   /* a: user (and the rest of the user ones) */
	WEB_FLASH_USER_UNBANNED,
	WEB_FLASH_USER_ADMIN,
	WEB_FLASH_USER_UNADMIN,
	WEB_FLASH_USER_POINTS,   /* a: user, b: the change */
	WEB_FLASH_SETTINGS,
	WEB_FLASH_COLLECTED,          /* 已加入专辑 (and the rest of the collection ones) */
	WEB_FLASH_COLLECTION_NEW,
	WEB_FLASH_COLLECTION_SAVED,
	WEB_FLASH_COLLECTION_DELETED,
	WEB_FLASH_ARTICLE_SAVED,      /* a: article (articles.c) */
	WEB_FLASH_ARTICLE_DELETED,
	WEB_FLASH_LINK_SAVED,         /* a: link */
	WEB_FLASH_LINK_DELETED,
	WEB_FLASH_RETRIED_ALL,       /* a: documents queued again (dash.c) */
	WEB_FLASH_COUNT
} web_flash_code;
/* Say what the form of rq did, for the page its redirect leads to (a
 * JSON twin's answer is left as it is). */
void web_flash(web_req *rq, web_flash_code code, int64_t a, int64_t b);
/* The flash cookie a response needs (web_queue calls it for every one):
 * set by a redirect carrying a flash, cleared by the page that showed it. */
void web_flash_headers(web_req *rq, struct MHD_Response *resp, unsigned status);
/* The display fields pages add to a document's JSON view (size_text,
 * display_title, format_badge, date). */
void web_add_display(json_t *o);

/* ---- the site (site.c) ---- */
/* This thread's store connection (opened at its first request, closed
 * when the thread ends). */
int web_store(server *sv, wy_store **st, wy_errinfo *ei);

/* keep.c: store answers kept between requests while nothing commits to
 * the store (the one rule of when they are dropped is there). */
void web_keep_start(const char *location); /* the store (wy_config_store_location) */
void web_keep_stop(void);
/* wy_store_blob_visibility, kept */
int web_blob_visibility(server *sv, const char *sha, int64_t viewer, bool admin, int preview, int *vis);
/* a blob's file (the caller's to close), its size and type (image/webp or
 * application/octet-stream); WY_ENOTFOUND */
int web_blob_file(server *sv, const char *sha, int *fd, uint64_t *size, const char **type);
/* wy_store_session_get, kept */
int web_session_get(server *sv, const unsigned char *hash, wy_user *user, char csrf[65]);
/* wy_store_doc_get, kept; at: the stamp it belongs to, for web_doc_shared */
typedef struct web_kept_at {
	wy_store_stamp stamp;
	bool keep;
} web_kept_at;
int web_doc_get(server *sv, int64_t id, wy_doc *d, web_kept_at *at, wy_errinfo *ei);
/* What make (st, d, shown) answers for the document d read by web_doc_get
 * under at, kept with its row (one answer a document, for one shown):
 * the caller's own copy, or NULL when make fails. */
json_t *web_doc_shared(server *sv, const web_kept_at *at, const wy_doc *d, int shown,
		       json_t *(*make)(wy_store *st, const wy_doc *d, int shown));
/* An answer the caller made from the store after at was read (web_doc_get),
 * kept by key while nothing commits: get gives a copy or NULL, put keeps
 * a copy of v. */
json_t *web_kept_get(const web_kept_at *at, const char *key);
void web_kept_put(const web_kept_at *at, const char *key, const json_t *v);

/* ---- request helpers (http.c) ---- */
const char *web_lang(struct MHD_Connection *c);
bool web_path_id(const char *s, int64_t *id);
int web_arg_int(struct MHD_Connection *c, const char *name, int def, int lo, int hi);
void web_url_escape(wy_buf *b, const char *s);
json_t *web_doc_context(const wy_doc *d);
json_t *web_docs_context(const wy_doc_list *l);
json_t *web_breadcrumb(const char *path);
/* ---- counters, visits, the query log (counters.c) ---- */
void web_count_hit(int64_t id, bool download);
/* Count a download of document id by r's visitor (its account, else its
 * address): once a day per visitor and document. */
void web_count_download(server *sv, struct MHD_Connection *c, const web_req *r, int64_t id);
void web_count_visit(uint64_t visitor, int64_t id);
uint64_t web_visitor_id(struct MHD_Connection *c, bool *fresh);
/* Write what was gathered since the last call (the serve loop, each
 * second, and at the end). */
void web_counters_flush(wy_store *st);
/* Log a search (doc 0) or a result opened from one. */
void web_log_query(const char *query, int64_t doc);
/* A result opened from the site's results page: counts towards related
 * searches once a second visitor did the same. */
void web_log_click(const char *query, int64_t doc, uint64_t visitor);
/* The tag a results page puts on its link to document id for query. */
void web_result_tag(int64_t id, const char *query, char out[17]);
/* The visitor's address (behind a trusted proxy, the one it names),
 * hashed with a key made at start. */
uint64_t web_visitor_key(server *sv, struct MHD_Connection *c);
/* A copy of the settings as the site has them now: the process's with
 * the site settings admins stored applied (they may change at any time). */
void web_site_get(server *sv, wy_config *out);
/* One integer setting of that copy: WEB_SITE_INT(sv, page_cache_ms). */
int web_site_int(server *sv, size_t off);
#define WEB_SITE_INT(sv, field) web_site_int(sv, offsetof(wy_config, field))
/* The site's address for links that leave the page ("http://host:port",
 * no '/' at the end): the setting site_url when set, else the request's
 * Host when it is a plain host[:port] (web_seo_base), else localhost. */
void web_site_base(web_req *r, char *out, size_t size);
/* A list's paging in ctx: total, page, pages, and prev / next when there
 * are such pages (per items a page). */
void web_paging(json_t *ctx, int total, int page, int per);
/* Whether the request asks for JSON (an /api/ path or Accept). */
bool web_wants_json(struct MHD_Connection *c, const char *url);

/* ---- what the server parses of a request itself (fuzzed: fuzz_url) ---- */
/* Percent-decoding in place, as libmicrohttpd's but %00 stays as it is;
 * the new length. */
size_t web_unescape(char *s);
/* A Range header against a file of size bytes: 1 and [*from, *to] for one
 * satisfiable range, -1 unsatisfiable (416), 0 ignored (send it all). */
int web_parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to);
/* Whether an If-None-Match header h (may be NULL) matches etag (a strong
 * "\"...\"" of an existing resource): "*", or etag among its entity-tags,
 * weak or not. A malformed header matches nothing. */
bool web_etag_matches(const char *h, const char *etag);
/* The pattern of the route a URL goes to, or NULL: the URL starts with
 * it, or with /api/v1 and then it for a JSON twin. */
const char *web_route_of(const char *url, bool post);
/* Where to go after logging in: next when it is a path on this site. */
const char *web_safe_next(const char *next);

/* ---- the areas of the site: home.c, doc.c, search.c ---- */
/* The format filter's values (NULL-terminated) and the page-count bands'
 * labels (msgids), shared by listings and search. */
extern const char *const web_formats[];
extern const char *const web_bands[];
web_handler web_page_index;
web_handler web_page_category;
web_handler web_api_home;
web_handler web_api_categories;
web_handler web_route_doc;
web_handler web_route_blob;
web_handler web_route_download;
web_handler web_api_documents;
web_handler web_api_doc;
/* The printed lines of page p as GET /api/v1/doc/N/layout gives them
 * (doc.c): [{"text", "box": [x0, y0, x1, y1]}...], its text cut where its
 * character boxes start a new line; [] when it has no boxes (or boxes
 * this program did not write). A new reference; p is only read. */
json_t *web_page_lines(const wy_page *p);
web_handler web_page_search;
web_handler web_api_search;

/* ---- accounts and sessions (auth.c) ---- */
/* The client's address ("ip:..."): the peer's, or behind a trusted proxy
 * (setting trust_proxy) the last entry of X-Forwarded-For. */
void web_client_addr(server *sv, struct MHD_Connection *c, char *out, size_t size);
/* Whether the client (as web_client_addr names it) is one of the
 * addresses in list, separated by commas or spaces. */
bool web_client_in(server *sv, struct MHD_Connection *c, const char *list);
/* The value of cookie name in a Cookie header, copied to out (at most
 * size-1 bytes, else false); false when absent. */
bool web_cookie_find(const char *header, const char *name, char *out, size_t size);
/* Who the request is from (sessions, bearer tokens) and its CSRF token. */
void web_auth_begin(server *sv, struct MHD_Connection *c, web_req *r);
/* A form's or header's CSRF token matches the request's. */
bool web_csrf_ok(struct MHD_Connection *c, web_req *r);
/* The rule itself: a bearer token needs none; else sent (the form's
 * field or the X-CSRF-Token header, may be NULL) is the request's token,
 * 64 hex digits, compared in constant time. */
bool web_csrf_check(const web_req *r, const char *sent);
/* The request's CSRF token for a form, made (and sent as a cookie) when
 * an anonymous visitor has none yet. Anonymous pages carry a token only
 * when they asked for one (log in, register): the rest stay free of
 * cookies and the same for every visitor. */
const char *web_auth_csrf(web_req *r);
/* Add the cookies a response needs (a new anonymous CSRF token). */
void web_auth_cookies(web_req *r, struct MHD_Response *resp);
/* The value of a form field (NULL when absent); its length in *len. */
const char *web_form_get(const web_req *r, const char *key, size_t *len);
/* Add a field to a form (bounded: past the limits the form overflows). */
void web_form_add(web_form *f, const char *key, const char *data, size_t off, size_t size);
void web_form_clear(web_form *f);
/* Hash a password (Argon2id) / check one; false for a wrong one. Each
 * takes 64 MiB while it runs: call them between web_hash_enter and
 * web_hash_leave. */
int web_password_hash(const char *pass, char out[128], wy_errinfo *ei);
bool web_password_check(const char *hash, const char *pass);
/* A turn to hash: at most one per core in the whole server at once.
 * WY_EBUSY when none came within 2 s (answer 503); after WY_OK, call
 * web_hash_leave once. Thread-safe. */
int web_hash_enter(void);
void web_hash_leave(void);
/* Attempt limits, shared by every process on the store (auth.c, over
 * wy_store_attempt_*): n keys (WEB_LIMIT_KEYS at most), each at most max
 * attempts in 15 minutes. web_limit_take counts one attempt on every key
 * when all are under their max, in one step (one transaction), and says
 * true; else counts nothing and says false, with the seconds to wait in
 * *retry_after (also, a few seconds, when the store cannot count: it
 * refuses then). web_limit_give takes back one counted attempt (one that
 * was never checked, or succeeded); web_limit_clear forgets a key's
 * attempts. Thread-safe (each thread its own store connection). */
#define WEB_LIMIT_KEYS WY_ATTEMPT_KEYS
typedef wy_attempt_key web_limit;
bool web_limit_take(server *sv, const web_limit *keys, int n, int64_t now, int *retry_after);
void web_limit_give(server *sv, const char *key, int64_t now);
void web_limit_clear(server *sv, const char *key);
/* The attempts counted on key in its window now (0 when none). */
int web_limit_count(server *sv, const char *key, int64_t now);
/* Whether a login failed lately (in the limits' window) from rq's address
 * or, name not NULL, for that name (any address): the login captcha's
 * rule (captcha.c). */
bool web_login_failed_before(web_req *rq, const char *name);

web_handler web_post_login;
web_handler web_post_register;
web_handler web_post_logout;
web_handler web_post_password;
web_handler web_page_login;
web_handler web_page_register;
/* Whether pass is a password an account may have (8-128 bytes). */
bool web_password_ok(const char *pass);

/* ---- uploads (upload.c) ---- */
/* The first call of an upload POST: may refuse it at once (returns true
 * with the response queued in *ret). */
bool web_upload_begin(web_req *r, enum MHD_Result *ret);
/* The body, as it arrives; false: the request was answered in the middle
 * of its body and the connection is to be closed. */
bool web_upload_data(web_req *r, const char *data, size_t size);
web_handler web_upload_end;
/* The end of an upload route's body (every upload route begins so): true
 * when it is refused (cut short, too large, not a document, no CSRF token,
 * no file), answered in *ret; else its files are stored as blobs, to be
 * recorded by the handler (web_upload_recorded) or taken back at the
 * request's end. */
bool web_upload_received(web_req *r, enum MHD_Result *ret);
int web_upload_nfiles(const web_req *r);
/* File i of a received upload: its cleaned name, its blob, its size. */
void web_upload_file(const web_req *r, int i, const char **name, const char **sha, uint64_t *size);
void web_upload_recorded(web_req *r);
void web_upload_free(web_upload *u);
web_handler web_page_upload;

/* ---- what users do (account.c) ---- */
/* The reasons a document may be reported for (msgids), NULL-terminated. */
extern const char *const web_report_reasons[];
/* Who may see what: the one rule, in C; SQ_OPEN, SQ_PUBLIC and SQ_SEEN_BY
 * (store/sqlite_int.h) are the same in SQL.
 * Whether d's conversion has made it readable by others: ready. A status
 * readable before the end of its conversion joins here (and in SQ_OPEN).
 * A queued, converting or failed document is its owner's and the admins'
 * alone. */
bool web_doc_open(const wy_doc *d);
/* Whether anyone may see d: open, published and not private. */
bool web_doc_public(const wy_doc *d);
/* Whether r may see d at all (its page, images, text, download, price). */
bool web_can_see(const web_req *r, const wy_doc *d);
/* Whether the account user_id (0: a visitor) may see d now: web_can_see
 * for a request that account would make (a signed download link names
 * one, limits.c). *can false for an account that no longer exists; a
 * banned one has a visitor's rights. The store's error, else WY_OK. */
int web_account_can_see(server *sv, int64_t user_id, const wy_doc *d, bool *can);
/* The same rule without an admin's rights: public, or the account's own
 * and not deleted, whatever its status (what a reward takes). r may be
 * NULL: a visitor. */
bool web_user_can_see(const web_req *r, const wy_doc *d);
/* Whether r is d's owner or an admin: who sees all of d's pages and
 * what the store says of it (state, privacy, the uploader unmasked). */
bool web_owner_or_admin(const web_req *r, const wy_doc *d);
/* How many pages of d, from the first, r may read: their images, text and
 * search hits (snippets, page numbers, links). All of them for its owner
 * and admins; the preview (setting preview_pages) for everyone else, who
 * read on in the download. The one rule for every route that shows pages. */
int web_pages_readable(server *sv, const web_req *r, const wy_doc *d);
/* Add the viewer's part of a document page to ctx: favorite state,
 * points, the uploader's name unmasked for its owner and admins, and the
 * download's terms: price, paid (free for r: theirs, an admin, or paid
 * before), my_points and points_short (signed in), can_download (open
 * and visible), download_name. */
void web_doc_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx, const char *lang);
/* Whether d's download is free for r whatever its price: r's own, r an
 * admin, or a priced document r paid for before (false for a visitor,
 * and for a free document of someone else's). */
bool web_download_paid(wy_store *st, const web_req *r, const wy_doc *d);
/* The name d downloads under, "TITLE.EXT": its title (else its original's
 * name without the extension) made safe for a file name (no / \ : * ? " <
 * > |, no control or bidirectional characters, at most 150 bytes, cut on a
 * character), and its original's extension (else its format's). Always
 * valid UTF-8, never empty; out has size bytes (at least 200). */
void web_download_name(const wy_doc *d, char *out, size_t size);
web_handler web_post_doc;
web_handler web_post_download;
web_handler web_post_me;
web_handler web_page_me;
enum MHD_Result web_qr(web_req *rq, int64_t id);
/* The download of d, which r may see, for r: free, paid before, or paid
 * now (pay: the POST); else a GET goes to the document page's download
 * block (/doc/N#download), which shows the price and the balance. */
enum MHD_Result web_download(web_req *r, wy_doc *d, bool pay);

/* ---- collections (collections.c) ---- */
web_handler web_page_collections;  /* GET /collections and its twin */
web_handler web_page_collection;   /* GET /collection/{id} and its twin */
web_handler web_post_collections;  /* POST /collections: a new one, or a document into one */
web_handler web_post_collection;   /* POST /collection/{id}/{action} */
/* The document page's "加入专辑" for r (signed in): my_collections, the
 * reader's collections, each with whether d is in it. Nothing for a
 * visitor. */
void web_collections_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx);
/* The /me tab "collections" in ctx: the reader's own collections (all of
 * them) and page page of those they favorited (per a page; their count in
 * *total). The store's error. */
int web_me_collections(wy_store *st, const web_req *r, json_t *ctx, int page, int per, int *total);

/* ---- the admin area (admin.c) ---- */
web_handler web_page_admin;
web_handler web_post_admin;
/* Apply the site settings stored by admins (core/config.c marks which
 * settings they are) over the process's. */
void web_site_load(server *sv, wy_store *st);

/* ---- ratings and comments (comments.c) ---- */
/* Add the viewer's part of d's comments section to a page's ctx (called
 * by web_doc_viewer, so a kept page is kept by it): cm_rated (average,
 * count), the rating form (cm_stars, cm_mine, cm_can_rate), the page of
 * comments asked for (?cp=N) as r may see them, cm_count. */
void web_comments_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx);
/* GET /api/v1/doc/{id}/comments?page=N for d, which r may see. */
enum MHD_Result web_comments_api(web_req *r, wy_store *st, const wy_doc *d);
/* Whether POST /doc/{id}/{action} is comments.c's, and its answer for
 * d, which r (signed in) may see. */
bool web_comments_action(web_req *r, const char *action);
enum MHD_Result web_comments_post(web_req *r, wy_store *st, const wy_doc *d, const char *action);
/* An admin's action (comment_hide, comment_approve, comment_delete,
 * comment_dismiss) on comment id: the store's error (WY_EINVAL: no such
 * action). POST /admin/comment audits it. */
int web_comments_admin(web_req *r, wy_store *st, const char *action, int64_t id, wy_errinfo *ei);
/* The comments waiting for review, for the admins' reports tab. */
void web_comments_admin_context(wy_store *st, json_t *ctx);
/* ---- the recycle bin (recycle.c) ---- */
/* POST /doc/{id}/delete and /restore (and the twins), for its owner or an
 * admin: the store's rules (wy_store_doc_delete, wy_store_doc_restore). */
enum MHD_Result web_recycle_post(web_req *r, int64_t id, const char *action);
/* /me/recycle's context: the signed-in user's deleted documents. */
int web_recycle_tab(wy_store *st, const web_req *r, json_t *ctx, int page, int per, int *total, wy_errinfo *ei);
/* An admin's purge of a document in the recycle bin, its blobs freed. */
int web_recycle_purge(web_req *r, wy_store *st, int64_t id, wy_errinfo *ei);
/* A ledger row's reason in the reader's language. */
const char *web_ledger_reason(const char *lang, const char *reason);
/* /admin/ledger?user=ID's context: any account's ledger (WY_ENOTFOUND: no
 * such user). */
int web_admin_ledger(wy_store *st, struct MHD_Connection *c, json_t *ctx, int page, int per, int *total,
		     wy_errinfo *ei);
/* ---- editing and replacing a document (edit.c) ---- */
/* GET /doc/{id}/edit: the form */
enum MHD_Result web_page_edit(web_req *r, int64_t id);
/* POST /doc/{id}/edit (web_post_doc, which found d and checked that r may
 * see it; d is taken) */
enum MHD_Result web_edit_post(web_req *r, wy_store *st, wy_doc *d);
/* POST /doc/{id}/replace: an upload route */
web_handler web_post_replace;
/* A document's pending new version as its JSON gives it (null: none) */
json_t *web_edit_version(wy_store *st, int64_t doc_id);
/* What the document page shows its owner and admins: can_edit, new_version */
void web_edit_context(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx, const char *lang);

/* ---- articles, site links, the frame's footer (articles.c) ---- */
/* Read the site's links from st and keep them for the frame and the home
 * page; set the CSP for the analytics script and the banners (called by
 * web_site_load, after the site settings). */
void web_pages_load(server *sv, wy_store *st);
/* Add to the frame of rq's page: nav and has_nav (the header's links),
 * friends and has_friends (the footer's), psb {text, code} (公安备案), and
 * analytics_script (an https URL) when set and web_analytics_on(rq). */
void web_pages_frame(web_req *rq, json_t *frame);
/* Whether rq's answer may carry the analytics script (and its origin in
 * the CSP, respond.c): not the admin area, /me*, /login, /register,
 * /reset*, /verify*, /upload, a document's edit and replace pages (nor
 * their JSON twins): their tokens and forms are for the site's own
 * scripts alone. */
bool web_analytics_on(const web_req *rq);
/* Add banners and has_banners to the home page's ctx. */
void web_pages_home(server *sv, json_t *ctx);
web_handler web_page_article;  /* GET /article/{slug} and its twin */
web_handler web_page_articles; /* GET /articles and its twin */
/* The admin tabs "articles" (all articles, the form: new, or ?edit=slug)
 * and "links" (nav, banners, friend links) in ctx: the store's error. */
int web_pages_admin_context(wy_store *st, struct MHD_Connection *c, const char *tab, json_t *ctx, int page, int per,
			    int *total, wy_errinfo *ei);
/* POST /admin/article (what: "article"; action article_save or
 * article_delete) and /admin/link (link_save, link_delete): does it and
 * says for the audit row (target, detail), where the page goes back to,
 * and the JSON twin's answer (*answer, may stay NULL). The store's error
 * (WY_EINVAL with a reason, WY_EEXIST, WY_EPERM, WY_ENOTFOUND ...). */
int web_pages_admin_post(web_req *r, wy_store *st, const char *what, const char *action, char *target, size_t tsize,
			 char *detail, size_t dsize, const char **back, json_t **answer, wy_errinfo *ei);
/* ---- the admins' dashboard (dash.c) and its plots (svg.c) ---- */
/* A bar chart: n bars labelled labels[i] (short_labels[i] under the
 * axis, NULL: labels), each a stack of nseries values. */
#define WEB_SVG_SERIES 4
typedef struct web_svg_chart {
	const char *id, *label;  /* the <svg>'s id (may be NULL) and its aria-label and <title> */
	const char *const *labels, *const *short_labels;
	int n, nseries;
	struct {
		const char *name, *key; /* shown in each bar's <title> / its data-series (NULL: name) */
		const int64_t *v;
	} series[WEB_SVG_SERIES];
} web_svg_chart;
/* Append the chart as an inline <svg> (role="img", aria-label, a <title>
 * a bar with its value, no style attributes) to b. */
void web_svg_bars(wy_buf *b, const web_svg_chart *ch);
/* GET /admin and /admin/dashboard (the page: the home tab) and GET
 * /api/v1/admin/dashboard: every figure of the dashboard. ctx is the
 * admin page's context (admin.c): the dashboard's figures and its HTML
 * (dashboard_html) are added. rq is an admin's. WY_OK, or a store error. */
int web_dash_context(web_req *rq, json_t *ctx, bool page);
/* POST /admin/retry (reason=CODE, web_post_admin): every failed document
 * whose reason has that code (web/reasons.h) queued again, an audit row
 * saying how many; the answer says how many ({"reason", "requeued"}). */
enum MHD_Result web_dash_retry_post(web_req *r, wy_store *st);
/* ---- search engines (seo.c) ---- */
/* GET /robots.txt: the setting robots_txt, else the default (private
 * paths kept out, the sitemap named). */
web_handler web_robots;
/* GET /sitemap.xml (the index) and /sitemap/NAME.xml (a part). */
web_handler web_sitemap;
/* The site's base for absolute URLs ("https://host[:port][/path]", no
 * '/' at the end) into out: site_url when valid, else rq's scheme and
 * Host when valid; false (out "") when neither. site: web_site_get's. */
bool web_seo_base(web_req *rq, const wy_config *site, char *out, size_t size);
/* The head tags of a page into out: canonical URL, robots noindex,
 * description, Open Graph, JSON-LD. seo (may be NULL): what the page
 * says of itself ({path, description, noindex, og_type, image, jsonld;
 * canonical false: no canonical URL nor og:url, a 404's});
 * description: the page's meta_description (may be NULL). Absolute URLs
 * hold the process's base mark: web_seo_fill makes them the request's. */
void web_seo_head(web_req *rq, const wy_config *site, const json_t *seo, const char *description, const char *title,
		  wy_buf *out);
/* Replace the base mark in a page about to be sent (*data malloc'd,
 * *len bytes; replaced by a new buffer when it holds the mark). */
void web_seo_fill(web_req *rq, char **data, size_t *len);
/* A page's description: the first 120 characters of text (else of
 * fallback), runs of white space one space. A new reference. */
json_t *web_seo_description(const char *text, const char *fallback);
/* ctx's "seo" for document d's page: canonical /doc/N, og:type article,
 * og:image its first page (else its thumbnail), and the JSON-LD
 * (DigitalDocument: name, the masked uploader as author, dates, pages,
 * format, url, description, and the text of the first preview pages of
 * page_items, what a visitor may read). ctx is web_doc_context's, with
 * meta_description set. */
void web_seo_doc(json_t *ctx, const wy_doc *d, const json_t *page_items, int preview);
/* ---- download rules and user groups (limits.c, groups.c) ---- */
/* The requesting account's rights (the store's wy_user_perms, the one
 * rule): false, and nothing allowed, for a visitor or when the store
 * fails. */
bool web_user_perms(const web_req *r, wy_perms *out);
/* Whether r's uploads and new versions skip upload_review (its group's
 * skip_review; admins always). */
bool web_skips_review(const web_req *r);
/* The admin tab "groups": its context (the groups, with their members'
 * counts). */
int web_groups_admin_context(wy_store *st, json_t *ctx, wy_errinfo *ei);
/* The users tab: each of ctx's "users" gets its group_id, group (name)
 * and group_options (ctx's "groups", its own selected). */
void web_groups_users(wy_store *st, json_t *ctx);
/* POST /admin/group (action add, edit, delete, default) and the users
 * tab's move (action group): done in the store; target and detail get
 * what the audit row (written by web_post_admin) records. */
int web_groups_admin(web_req *r, wy_store *st, const char *action, int64_t *id, char *target, size_t tsize,
		     char *detail, size_t dsize, wy_errinfo *ei);
/* Before a download of d (r may see it; free_: no points to pay): the
 * guest rule, the daily limits and the payment (charge), all counted in
 * the store. true: refused, *ret the answer (403, 429 with Retry-After,
 * 402, 409, 404, 503). */
bool web_download_start(web_req *r, wy_store *st, const wy_doc *d, bool charge, enum MHD_Result *ret);
/* A download for a browser: a 303 to a signed link for d bound to r's
 * account (0: a visitor) and address, valid download_link_seconds. */
enum MHD_Result web_download_link(web_req *r, const wy_doc *d);
/* Whether the request carries a signed link (?s=), which it then checks:
 * true with *ok false and *ret the 403 when it is expired or not ours. */
bool web_download_signed(web_req *r, const wy_doc *d, bool *ok, enum MHD_Result *ret);
/* Whether a browser came to /download/N from another site (a hot link):
 * it is sent to the document's page instead. */
bool web_download_foreign(web_req *r);
/* The refusals of a payment (account.c): short of points (402), a
 * document not on sale before its conversion ends (409). */
enum MHD_Result web_short_of_points(web_req *r, wy_store *st, const wy_doc *d);
enum MHD_Result web_not_for_sale_yet(web_req *r, const wy_doc *d);
/* The file of d (account.c): counted, with its name, ranges and ETag. */
enum MHD_Result web_download_send(web_req *r, const wy_doc *d);
/* ---- mail: addresses, their verification, password reset (mail.c) ---- */
/* Queue a mail (wy_mail_enqueue) and wake this process's sender. */
int web_mail_queue(wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei);
/* The one rule of email_verify = 2: an account (not an admin) whose
 * address is not verified may not upload, comment or download. True when
 * r is refused so, with the answer (403: a page saying why, with the
 * button that mails the link again; or JSON) queued in *ret. */
bool web_mail_blocked(web_req *r, enum MHD_Result *ret);
/* The registration form's email field (email_ask, email_required, email). */
void web_mail_form_context(web_req *r, json_t *ctx);
/* A registration's address, its form checked before anything is counted:
 * false with the status and messages (err a msgid) when it is refused. */
bool web_mail_register_check(web_req *r, unsigned *status, const char **err, const char **api_err);
/* Whether a registration's address is one another account verified (an
 * unverified one reserves nothing); asked only after the captcha and the
 * registration limit, so that no bot learns it for free. */
bool web_mail_register_taken(web_req *r);
/* The account user_id (named name) was made: its address recorded and the
 * verification link mailed. */
void web_mail_registered(web_req *r, int64_t user_id, const char *name);
/* /me's "email": address, verified, required, blocked. */
void web_mail_me_context(wy_store *st, web_req *r, json_t *ctx);
/* POST /me/email (a new address) and /me/email_resend. */
bool web_mail_me_action(const char *rest);
enum MHD_Result web_mail_me_post(web_req *r, wy_store *st);
web_handler web_page_verify; /* GET /verify/{token} */
web_handler web_page_reset;  /* GET /reset, GET /reset/{token} */
web_handler web_post_reset;  /* POST /reset, POST /reset/{token} and the twins */
/* The admin area's mail tab: the queue's counts by state and its newest
 * mails; the test mail (POST /admin/mail_test, to=ADDRESS). */
int web_mail_admin_context(server *sv, wy_store *st, json_t *ctx, const char *lang, wy_errinfo *ei);
int web_mail_admin_test(web_req *r, wy_store *st, char *detail, size_t size, wy_errinfo *ei);

#endif

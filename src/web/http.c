/* web/http: the HTTP transport. libmicrohttpd's daemon and its options,
 * the life of a request (its first call with the headers, the body as it
 * arrives, the end), the POST form parser, the route tables, and what a
 * handler reads of a request (arguments, language, ids in paths). Pages
 * and responses are made elsewhere (render.c, respond.c); this file knows
 * no page of the site. */
#include "core/log.h"
#include "core/util.h"
#include "web/captcha.h"
#include "web/conn_guard.h"
#include "web/i18n.h"
#include "web/site.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Requests between their headers and their end (a connection kept alive
 * between requests has none), and whether the server is stopping: then
 * every answer closes its connection (web_queue) and web_http_stop waits
 * for the count to reach 0. One site per process (web/site.h). */
static atomic_int in_flight;
static atomic_bool draining;

bool web_http_draining(void) { return atomic_load(&draining); }

/* The UI language of a request (web/i18n.h): ?lang=, else the lang cookie,
 * else Accept-Language, else Chinese. */
const char *web_lang(struct MHD_Connection *c)
{
	return wy_i18n_pick(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"),
			    MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lang"),
			    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
}

void web_url_escape(wy_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			wy_buf_putc(b, (char)*p);
		else
			wy_buf_printf(b, "%%%02X", *p);
}

/* "/doc/123": digits only, no sign, no space, at most 18 of them. */
bool web_path_id(const char *s, int64_t *id)
{
	int64_t v = 0;
	int n = 0;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 18)
			return false;
		v = v * 10 + (*s - '0');
	}
	*id = v;
	return n > 0 && v > 0;
}

bool web_wants_json(struct MHD_Connection *c, const char *url)
{
	if (url && strncmp(url, "/api/", 5) == 0)
		return true;
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	return accept && strncmp(accept, "application/json", 16) == 0;
}

/* A query argument as a bounded integer; def when absent or not a number. */
int web_arg_int(struct MHD_Connection *c, const char *name, int def, int lo, int hi)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || end == v || *end)
		return def;
	return n < lo ? lo : n > hi ? hi : (int)n;
}

/* Percent-decoding of URLs, in place, as libmicrohttpd's own except that
 * %00 stays as it is: a NUL would cut the path short ("/doc/1%00x" must
 * not be "/doc/1"). Returns the new length. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return web_unescape(s);
}

size_t web_unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2]) &&
		    !(r[1] == '0' && r[2] == '0')) {
			char hex[3] = {r[1], r[2], 0};
			*w++ = (char)strtol(hex, NULL, 16);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	return (size_t)(w - s);
}

/* ---- routes: every URL the site answers, in one table ---- */

static enum MHD_Result health(web_req *rq) { return web_text(rq->c, 200, "ok\n"); }

/* Ready to serve: the store answers and the blob store takes objects. The
 * reason goes to the log, not to whoever asks. */
static enum MHD_Result ready(web_req *rq)
{
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = web_store(rq->sv, &st, &ei);
	const char *what = "store";
	if (!rc)
		rc = wy_store_ping(st, &ei);
	if (!rc) {
		what = "blobs";
		rc = wy_blob_ping(rq->sv->blobs, &ei);
	}
	if (!rc)
		return web_text(rq->c, 200, "ready\n");
	wy_warn("http.not_ready", "part=%s msg=\"%s\"", what, wy_err_msg(&ei, rc));
	return web_text(rq->c, 503, !strcmp(what, "store") ? "not ready: the store does not answer\n"
							    : "not ready: the blob store cannot take files\n");
}

/* ---- routes: every URL the site answers, in one table ---- */

#define WEB_TWIN 1u         /* also at /api/v1 + path: its JSON twin, same handler (rq->api) */
#define WEB_API 2u          /* path is an /api/v1 one: JSON only (rq->api) */
#define WEB_UPLOAD 4u       /* a POST whose body is a file, streamed by upload.c */
#define WEB_TWIN_NO_CSRF 8u /* the JSON twin takes no CSRF token: logging in or registering
			     * through the API, which sets no cookie */

typedef struct web_route {
	bool post;    /* a POST, else a GET (and HEAD, answered as a GET) */
	const char *path;
	bool exact;   /* the whole path, or a prefix (the handler gets the rest) */
	unsigned flags;
	web_handler *fn;
} web_route;

/* First match wins. Every POST carries the CSRF token of the session or
 * visitor (auth.c) or a bearer token, but WEB_TWIN_NO_CSRF twins. */
static const web_route routes[] = {
	{false, "/", true, 0, web_page_index},
	{false, "/api/v1/home", true, WEB_API, web_api_home},
	{false, "/api/v1/documents", true, WEB_API, web_api_documents},
	{false, "/api/v1/categories", true, WEB_API, web_api_categories},
	{false, "/category/", false, WEB_TWIN, web_page_category},
	{false, "/doc/", false, 0, web_route_doc},
	{false, "/api/v1/doc/", false, WEB_API, web_api_doc},
	{false, "/blob/", false, 0, web_route_blob},
	{false, "/download/", false, 0, web_route_download},
	{false, "/search", true, 0, web_page_search},
	{false, "/api/v1/search", true, WEB_API, web_api_search},
	{false, "/static/", false, 0, web_send_static},
	{false, "/login", true, 0, web_page_login},
	{false, "/register", true, 0, web_page_register},
	{false, "/upload", true, 0, web_page_upload},
	{false, "/me", true, WEB_TWIN, web_page_me},
	{false, "/me/", false, WEB_TWIN, web_page_me},
	{false, "/admin", true, WEB_TWIN, web_page_admin},
	{false, "/admin/", false, WEB_TWIN, web_page_admin},
	{false, "/collections", true, WEB_TWIN, web_page_collections},
	{false, "/collection/", false, WEB_TWIN, web_page_collection},
	{false, "/articles", true, WEB_TWIN, web_page_articles},
	{false, "/article/", false, WEB_TWIN, web_page_article},
	{false, "/healthz", true, 0, health},
	{false, "/readyz", true, 0, ready},
	{false, "/metrics", true, 0, web_metrics},
	{false, "/captcha/", false, 0, web_route_captcha},        /* captcha.c */
	{false, "/api/v1/captcha", true, WEB_API, web_api_captcha},
	{false, "/robots.txt", true, 0, web_robots},                       /* seo.c */
	{false, "/sitemap.xml", true, 0, web_sitemap},
	{false, "/sitemap/", false, 0, web_sitemap},
	{false, "/reset", false, 0, web_page_reset},   /* /reset and /reset/{token} (mail.c) */
	{false, "/verify/", false, 0, web_page_verify},
	{true, "/login", true, WEB_TWIN | WEB_TWIN_NO_CSRF, web_post_login},
	{true, "/register", true, WEB_TWIN | WEB_TWIN_NO_CSRF, web_post_register},
	{true, "/logout", true, WEB_TWIN, web_post_logout},
	{true, "/me/password", true, WEB_TWIN, web_post_password},
	{true, "/me/", false, WEB_TWIN, web_post_me},
	/* an exact path may hold one '*': a segment ("/doc/{id}/replace"),
	 * where the handler's rest starts */
	{true, "/doc/*/replace", true, WEB_TWIN | WEB_UPLOAD, web_post_replace},
	{true, "/doc/", false, WEB_TWIN, web_post_doc},
	{true, "/download/", false, WEB_TWIN, web_post_download},
	{true, "/upload", true, WEB_TWIN | WEB_UPLOAD, web_upload_end},
	{true, "/admin/", false, WEB_TWIN, web_post_admin},
	{true, "/collections", true, WEB_TWIN, web_post_collections},
	{true, "/collection/", false, WEB_TWIN, web_post_collection},
	{true, "/reset", false, WEB_TWIN | WEB_TWIN_NO_CSRF, web_post_reset},
};

_Static_assert(sizeof routes / sizeof routes[0] <= WEB_METRICS_ROUTES, "metrics have a row for every route");

void wy_site_routes_print(FILE *out)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const web_route *rt = &routes[i];
		const char *method = rt->post ? "POST" : "GET", *star = rt->exact ? "" : "*";
		if (!(rt->flags & WEB_API))
			fprintf(out, "%s %s%s\n", method, rt->path, star);
		if (rt->flags & (WEB_API | WEB_TWIN))
			fprintf(out, "%s %s%s%s\n", method, rt->flags & WEB_TWIN ? "/api/v1" : "", rt->path, star);
	}
}

__thread web_req *web_current;

static bool path_matches(const char *url, const web_route *rt)
{
	const char *star = strchr(rt->path, '*');
	if (star) { /* a segment of one or more characters but '/' */
		size_t p = (size_t)(star - rt->path), seg;
		return strncmp(url, rt->path, p) == 0 && (seg = strcspn(url + p, "/")) > 0 &&
		       strcmp(url + p + seg, star + 1) == 0;
	}
	return rt->exact ? strcmp(url, rt->path) == 0 : strncmp(url, rt->path, strlen(rt->path)) == 0;
}

/* Where a route's argument starts in its path: its '*', or its end. */
static size_t path_rest(const web_route *rt) { return strcspn(rt->path, "*"); }

/* The route of a POST or GET to url, or NULL; *api says whether it is the
 * JSON twin and *rest_at where the route's argument starts in url. */
static const web_route *find_route(const char *url, bool post, bool *api, size_t *rest_at)
{
	static const char api_prefix[] = "/api/v1";
	bool under_api = strncmp(url, api_prefix, sizeof api_prefix - 1) == 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const web_route *rt = &routes[i];
		if (rt->post != post)
			continue;
		if (path_matches(url, rt)) {
			*api = (rt->flags & WEB_API) != 0;
			*rest_at = path_rest(rt);
			return rt;
		}
		if ((rt->flags & WEB_TWIN) && under_api && path_matches(url + sizeof api_prefix - 1, rt)) {
			*api = true;
			*rest_at = sizeof api_prefix - 1 + path_rest(rt);
			return rt;
		}
	}
	return NULL;
}

const char *web_route_of(const char *url, bool post)
{
	bool api;
	size_t at;
	const web_route *rt = find_route(url, post, &api, &at);
	return rt ? rt->path : NULL;
}

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				  const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	web_req *r = cls;
	if (filename) /* a file is only taken by the upload routes */
		return MHD_YES;
	web_form_add(&r->form, key, data, (size_t)off, size);
	return r->form.overflow ? MHD_NO : MHD_YES;
}

/* The end of a POST: its body is all there. */
static enum MHD_Result post_end(web_req *r)
{
	const web_route *rt = r->route;
	if (rt->flags & WEB_UPLOAD) /* no upload state: it was refused at the first call */
		return r->up ? rt->fn(r) : MHD_NO;
	if (r->pp) {
		MHD_destroy_post_processor(r->pp);
		r->pp = NULL;
	}
	if (r->form.overflow || r->fail_status)
		return web_refuse(r, 413, "the form is too large");
	if (!(r->api && (rt->flags & WEB_TWIN_NO_CSRF)) && !web_csrf_ok(r->c, r))
		return web_refuse(r, 403, "the form's CSRF token is missing or wrong (reload the page)");
	if (strlen(r->rest) > 400)
		return web_refuse(r, 404, "no such resource");
	return rt->fn(r);
}

/* A request's id: the client's X-Request-Id when it is a valid one
 * (core/log.h: a proxy in front may have named the request already), else
 * a new one, 16 hex digits: a random start plus a count, so that no two
 * requests of a process share one and an id tells nothing of how many
 * came before. */
static void request_id(struct MHD_Connection *c, char out[WY_LOG_REQ_MAX + 1])
{
	static _Atomic uint64_t next;
	static _Atomic bool seeded;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
	if (wy_log_req_valid(h)) {
		memcpy(out, h, strlen(h) + 1);
		return;
	}
	if (!atomic_load(&seeded)) {
		uint64_t start;
		randombytes_buf(&start, sizeof start);
		uint64_t zero = 0;
		atomic_compare_exchange_strong(&next, &zero, start); /* the first thread here seeds */
		atomic_store(&seeded, true);
	}
	snprintf(out, WY_LOG_REQ_MAX + 1, "%016llx", (unsigned long long)atomic_fetch_add(&next, 1));
}

/* The method for the access log: GET, HEAD, POST ..., or "other". */
static void request_method(const char *m, char out[8])
{
	size_t n = strlen(m);
	bool word = n > 0 && n < 8;
	for (size_t i = 0; word && i < n; i++)
		word = m[i] >= 'A' && m[i] <= 'Z';
	snprintf(out, 8, "%s", word ? m : "other");
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	web_guard_request_done(c); /* the next request's headers are due */
	web_req *r = *con_cls;
	if (!r)
		return;
	atomic_fetch_sub(&in_flight, 1);
	int64_t us = wy_now_us() - r->started_us;
	web_metrics_done(r->route ? (int)(r->route - routes) : -1, r->status, us);
	/* the access log: one line a request, by its route's pattern (never
	 * the path: it may hold what a reader searched for) */
	wy_log_set_req(r->id);
	wy_log("http.request", "method=%s route=%s%s status=%u ms=%.1f", r->method,
	       r->api && r->route && !(r->route->flags & WEB_API) ? "/api/v1" : "", r->route ? r->route->path : "-",
	       r->status, (double)us / 1000);
	wy_log_set_req(NULL);
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	web_upload_free(r->up);
	web_form_clear(&r->form);
	wy_user_clear(&r->user);
	free(r);
	*con_cls = NULL;
}

/* libmicrohttpd calls this at least twice a request: first with the
 * headers (the request is made and its route found), then with each part
 * of a body, then once more with none (the handler runs). */
static enum MHD_Result handle_call(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				   const char *upload_data, size_t *upload_size, void **con_cls)
{
	web_req *r = *con_cls;
	web_current = r; /* its status is recorded as it is answered (web_queue) */
	if (r)
		wy_log_set_req(r->id);
	if (!r) {
		web_guard_headers(c);
		r = wy_xcalloc(1, sizeof *r);
		*con_cls = r;
		atomic_fetch_add(&in_flight, 1);
		web_current = r;
		r->sv = cls;
		r->c = c;
		r->started_us = wy_now_us();
		request_id(c, r->id);
		request_method(method, r->method);
		wy_log_set_req(r->id);
		r->head = strcmp(method, "HEAD") == 0;
		r->post = strcmp(method, "POST") == 0;
		web_auth_begin(r->sv, c, r);
		bool get = r->head || strcmp(method, "GET") == 0;
		if (get || r->post)
			r->route = find_route(url, r->post, &r->api, &r->rest_at);
		r->rest = r->route ? url + r->rest_at : "";
		if (!r->post)
			/* Answered at the next call: libmicrohttpd 0.9.75 closes a
			 * connection whose response was queued at the first call (it
			 * cannot tell whether a body follows), which would end
			 * keep-alive for every page. */
			return MHD_YES;
		/* the first call of a POST: headers only; the body follows */
		const web_route *rt = r->route;
		const char *cl;
		enum MHD_Result ret = MHD_YES;
		if (!rt)
			ret = web_wants_json(c, url) ? web_api_error(c, 405, "this resource takes no POST")
						     : web_text(c, 405, "method not allowed\n");
		else if (rt->flags & WEB_UPLOAD)
			web_upload_begin(r, &ret);
		else if ((cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) &&
			 strtoull(cl, NULL, 10) > 2 * WEB_FORM_BYTES)
			ret = web_refuse(r, 413, "the form is too large"); /* before it is read */
		else
			r->pp = MHD_create_post_processor(c, 8 * 1024, form_field, r); /* NULL: no form body */
		return ret;
	}
	web_guard_body(c, *upload_size);
	r->rest = r->route ? url + r->rest_at : "";
	if (r->post && !r->route) {
		*upload_size = 0; /* refused at the first call: the rest is dropped */
		return MHD_YES;
	}
	if (r->post && *upload_size) {
		bool go_on = true;
		if (r->up)
			go_on = web_upload_data(r, upload_data, *upload_size);
		else if (r->pp && !r->form.overflow)
			MHD_post_process(r->pp, upload_data, *upload_size);
		*upload_size = 0;
		return go_on ? MHD_YES : MHD_NO; /* MHD_NO: answered already (upload.c), closed */
	}
	if (r->post)
		return post_end(r);
	if (!r->head && strcmp(method, "GET") != 0)
		return web_text(c, 405, "method not allowed\n");
	if (r->route)
		return r->route->fn(r);
	return strncmp(url, "/api/v1/", 8) == 0 ? web_api_error(c, 404, "no such resource") : web_not_found(r);
}

/* The request being answered is the calling thread's only while it is
 * handled: web_queue never sees one that has ended, and the thread's log
 * lines carry its id only meanwhile. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	enum MHD_Result ret = handle_call(cls, c, url, method, upload_data, upload_size, con_cls);
	web_current = NULL;
	wy_log_set_req(NULL);
	return ret;
}

struct web_http {
	struct MHD_Daemon *d;
	web_guard *guard;
};

int web_http_start(server *sv, web_http **out, int *port, unsigned *threads, unsigned *conns, wy_errinfo *ei)
{
	const wy_config *cfg = sv->cfg;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->http_port);
	if (inet_pton(AF_INET, cfg->http_addr, &sa.sin_addr) != 1)
		return wy_err_set(ei, WY_EINVAL, "http_addr '%s' is not an IPv4 address", cfg->http_addr);
	/* A pool of threads (handlers may wait on the store or the disk), and
	 * every limit set explicitly: libmicrohttpd 0.9.75 has no connection
	 * timeout by default. The memory limit per connection also bounds the
	 * request headers: larger ones are refused with 431. Each thread of
	 * the pool takes an equal share of the connection limit (a thread at
	 * its share stops accepting, the others go on); the guard adds the
	 * header deadline, the body rate and the reserve for new addresses. */
	web_guard_limits(cfg, threads, conns);
	web_http *h = wy_xcalloc(1, sizeof *h);
	int rc = web_guard_start(cfg, *conns, &h->guard, ei);
	if (rc)
		goto fail;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		web_metrics_route((int)i, routes[i].path, routes[i].post);
	/* MHD_USE_ITC: web_http_stop can stop the listening alone */
	atomic_store(&draining, false);
	h->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG | MHD_USE_ITC, 0,
				web_guard_accept,
				h->guard, handle, sv, MHD_OPTION_EXTERNAL_LOGGER, web_guard_mhd_log, h->guard,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, *threads,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout, MHD_OPTION_CONNECTION_LIMIT, *conns,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->http_max_per_ip,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
				NULL, MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_NOTIFY_CONNECTION,
				web_guard_notify, h->guard, MHD_OPTION_END);
	if (!h->d) {
		rc = wy_err_set(ei, WY_EIO, "cannot listen on %s:%d (in use?)", cfg->http_addr, cfg->http_port);
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : cfg->http_port;
	*out = h;
	return WY_OK;
fail:
	web_http_stop(h, 0);
	return rc;
}

void web_http_stop(web_http *h, int64_t grace_ms)
{
	if (!h)
		return;
	if (h->d) {
		/* No new connection (the socket closes: clients are refused,
		 * a balancer turns to another server); the requests in flight
		 * finish, each closing its connection. */
		MHD_socket fd = MHD_quiesce_daemon(h->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
		atomic_store(&draining, true);
		int64_t until = wy_now_ms() + grace_ms;
		int left;
		while ((left = atomic_load(&in_flight)) > 0 && wy_now_ms() < until) {
			struct timespec step = {0, 20 * 1000000L};
			nanosleep(&step, NULL);
		}
		if (left > 0)
			wy_warn("serve.grace_over", "requests=%d grace_ms=%lld msg=\"closed unfinished\"", left,
				(long long)grace_ms);
		MHD_stop_daemon(h->d);
	}
	web_guard_stop(h->guard); /* after the daemon: it tells the guard of every connection it closes */
	free(h);
}

/* web/http: the HTTP transport. libmicrohttpd's daemon and its options,
 * the life of a request (its first call with the headers, the body as it
 * arrives, the end), the POST form parser, the route tables, and what a
 * handler reads of a request (arguments, language, ids in paths). Pages
 * and responses are made elsewhere (render.c, respond.c); this file knows
 * no page of the site. */
#include "core/log.h"
#include "core/util.h"
#include "web/conn_guard.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The request this thread handles now (web_cur). */
static __thread web_req *cur_req;

web_req *web_cur(void)
{
	static const web_req none; /* outside a request: nobody */
	return cur_req ? cur_req : (web_req *)&none;
}

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

/* /api/v1/...: the JSON twins of the pages (docs/api.md), by the path
 * after /api/v1/. */
static enum MHD_Result route_api(server *sv, struct MHD_Connection *c, const char *path)
{
	if (strcmp(path, "home") == 0)
		return web_api_home(sv, c);
	if (strcmp(path, "documents") == 0)
		return web_api_documents(sv, c);
	if (strcmp(path, "me") == 0 || strncmp(path, "me/", 3) == 0)
		return web_api_me(sv, c, path[2] ? path + 3 : "");
	if (strcmp(path, "admin") == 0 || strncmp(path, "admin/", 6) == 0) {
		char sub[200];
		snprintf(sub, sizeof sub, "api/%.180s", path[5] ? path + 6 : "");
		return web_page_admin(sv, c, sub);
	}
	if (strcmp(path, "search") == 0)
		return web_api_search(sv, c);
	if (strcmp(path, "categories") == 0)
		return web_api_categories(sv, c);
	if (strncmp(path, "category/", 9) == 0)
		return web_api_category(sv, c, path + 9);
	if (strncmp(path, "doc/", 4) == 0)
		return web_api_doc(sv, c, path + 4);
	return web_api_error(c, 404, "no such resource");
}

static enum MHD_Result route_health(server *sv, struct MHD_Connection *c, const char *rest)
{
	(void)sv;
	(void)rest;
	return web_text(c, 200, "ok\n");
}

typedef struct route {
	const char *path;
	bool exact;   /* the whole path, or a prefix (the handler gets the rest) */
	enum MHD_Result (*fn)(server *sv, struct MHD_Connection *c, const char *rest);
} route;

static const route routes[] = {
	{"/", true, web_page_index},
	{"/doc/", false, web_route_doc},
	{"/blob/", false, web_route_blob},
	{"/download/", false, web_route_download},
	{"/search", true, web_page_search},
	{"/api/v1/", false, route_api},
	{"/static/", false, web_send_static},
	{"/category/", false, web_page_category},
	{"/login", true, web_page_login},
	{"/register", true, web_page_register},
	{"/upload", true, web_page_upload},
	{"/me", true, web_page_me},
	{"/me/", false, web_page_me},
	{"/admin", true, web_page_admin},
	{"/admin/", false, web_page_admin},
	{"/healthz", true, route_health},
};

/* What a POST may do. An API route's handler gets "api" (exact routes) or
 * "api/" + the rest, and answers in JSON. Every POST carries the CSRF
 * token of the session or visitor (auth.c) or a bearer token, but logging
 * in or registering through the API, which sets no cookie. */
typedef struct post_route {
	const char *path;
	bool exact, api, upload, no_csrf;
	enum MHD_Result (*fn)(server *sv, struct MHD_Connection *c, web_req *r, const char *rest);
} post_route;

static const post_route post_routes[] = {
	{"/login", true, false, false, false, web_post_login},
	{"/api/v1/login", true, true, false, true, web_post_login},
	{"/register", true, false, false, false, web_post_register},
	{"/api/v1/register", true, true, false, true, web_post_register},
	{"/logout", true, false, false, false, web_post_logout},
	{"/api/v1/logout", true, true, false, false, web_post_logout},
	{"/me/password", true, false, false, false, web_post_password},
	{"/api/v1/me/password", true, true, false, false, web_post_password},
	{"/me/", false, false, false, false, web_post_me},
	{"/api/v1/me/", false, true, false, false, web_post_me},
	{"/doc/", false, false, false, false, web_post_doc},
	{"/api/v1/doc/", false, true, false, false, web_post_doc},
	{"/download/", false, false, false, false, web_post_download},
	{"/api/v1/download/", false, true, false, false, web_post_download},
	{"/upload", true, false, true, false, NULL},
	{"/api/v1/upload", true, true, true, false, NULL},
	{"/admin/", false, false, false, false, web_post_admin},
	{"/api/v1/admin/", false, true, false, false, web_post_admin},
};

static const post_route *find_post(const char *url);

const char *web_route_of(const char *url, bool post)
{
	if (post) {
		const post_route *r = find_post(url);
		return r ? r->path : NULL;
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const route *rt = &routes[i];
		if (rt->exact ? strcmp(url, rt->path) == 0 : strncmp(url, rt->path, strlen(rt->path)) == 0)
			return rt->path;
	}
	return NULL;
}

static const post_route *find_post(const char *url)
{
	for (size_t i = 0; i < sizeof post_routes / sizeof post_routes[0]; i++) {
		const post_route *r = &post_routes[i];
		if (r->exact ? strcmp(url, r->path) == 0 : strncmp(url, r->path, strlen(r->path)) == 0)
			return r;
	}
	return NULL;
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

static enum MHD_Result refuse(struct MHD_Connection *c, bool api, unsigned status, const char *msg)
{
	return api ? web_api_error(c, status, msg) : web_text(c, status, msg);
}

/* The end of a POST: its body is all there. */
static enum MHD_Result post_end(server *sv, struct MHD_Connection *c, web_req *r, const char *url)
{
	const post_route *pr = r->route;
	if (pr->upload) /* no upload state: it was refused at the first call */
		return r->up ? web_upload_end(sv, c, r) : MHD_NO;
	if (r->pp) {
		MHD_destroy_post_processor(r->pp);
		r->pp = NULL;
	}
	if (r->form.overflow || r->fail_status)
		return refuse(c, pr->api, 413, "the form is too large");
	if (!pr->no_csrf && !web_csrf_ok(c, r))
		return refuse(c, pr->api, 403, "the form's CSRF token is missing or wrong (reload the page)");
	char rest[512];
	const char *tail = url + strlen(pr->path);
	if (pr->api)
		snprintf(rest, sizeof rest, pr->exact ? "api" : "api/%s", tail);
	else
		snprintf(rest, sizeof rest, "%s", tail);
	if (strlen(tail) > 400)
		return refuse(c, pr->api, 404, "no such resource");
	return pr->fn(sv, c, r, rest);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	web_guard_request_done(c); /* the next request's headers are due */
	web_req *r = *con_cls;
	if (!r)
		return;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	web_upload_free(r->up);
	web_form_clear(&r->form);
	wy_user_clear(&r->user);
	free(r);
	*con_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	server *sv = cls;
	web_req *r = *con_cls;
	enum MHD_Result ret;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (!r) {
		web_guard_headers(c);
		r = wy_xcalloc(1, sizeof *r);
		*con_cls = r;
		cur_req = r;
		r->head = strcmp(method, "HEAD") == 0;
		web_auth_begin(sv, c, r);
		if (strcmp(method, "POST") == 0) {
			/* the first call: headers only; the body follows */
			r->post = true;
			const post_route *pr = find_post(url);
			const char *cl;
			ret = MHD_YES;
			if (!pr)
				ret = web_wants_json(c, url) ? web_api_error(c, 405, "this resource takes no POST")
							     : web_text(c, 405, "method not allowed\n");
			else if ((r->route = pr) && pr->upload)
				web_upload_begin(sv, c, r, pr->api, &ret);
			else if ((cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) &&
				 strtoull(cl, NULL, 10) > 2 * WEB_FORM_BYTES)
				ret = refuse(c, pr->api, 413, "the form is too large"); /* before it is read */
			else
				r->pp = MHD_create_post_processor(c, 8 * 1024, form_field, r); /* NULL: no form body */
			cur_req = NULL;
			return ret;
		}
		/* Answered at the next call: libmicrohttpd 0.9.75 closes a
		 * connection whose response was queued at the first call (it
		 * cannot tell whether a body follows), which would end
		 * keep-alive for every page. */
		cur_req = NULL;
		return MHD_YES;
	}
	cur_req = r;
	web_guard_body(c, *upload_size);
	if (r->post && !r->route) {
		*upload_size = 0; /* refused at the first call: the rest is dropped */
		ret = MHD_YES;
	} else if (r->post) {
		if (*upload_size) {
			if (r->up)
				web_upload_data(r, upload_data, *upload_size);
			else if (r->pp && !r->form.overflow)
				MHD_post_process(r->pp, upload_data, *upload_size);
			*upload_size = 0;
			ret = MHD_YES;
		} else {
			ret = post_end(sv, c, r, url);
		}
	} else if (!get) {
		ret = web_text(c, 405, "method not allowed\n");
	} else {
		ret = MHD_NO;
		size_t i;
		for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			const route *rt = &routes[i];
			size_t n = strlen(rt->path);
			if (rt->exact ? strcmp(url, rt->path) == 0 : strncmp(url, rt->path, n) == 0) {
				ret = rt->fn(sv, c, url + n);
				break;
			}
		}
		if (i == sizeof routes / sizeof routes[0])
			ret = web_not_found(sv, c);
	}
	cur_req = NULL;
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
	h->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, web_guard_accept,
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
	web_http_stop(h);
	return rc;
}

void web_http_stop(web_http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	web_guard_stop(h->guard); /* after the daemon: it tells the guard of every connection it closes */
	free(h);
}

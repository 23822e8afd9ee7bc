/* web/respond: every answer leaves through here (web_queue adds the
 * security headers): text, JSON, redirects, the site's static files, and
 * immutable files with ETag, Range and sendfile (blobs, downloads). It
 * makes no page (render.c) and decides nothing about who may see what. */
#include "blob/blob.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const web_security_headers[WEB_SECURITY_HEADERS][2] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
};

/* The CSP an admin's settings call for ("" = the table's): see
 * web_csp_set. Only an https origin checked by wy_https_origin (letters,
 * digits, '.', '-', ':') is ever written into it. */
static pthread_mutex_t csp_lock = PTHREAD_MUTEX_INITIALIZER;
static char csp_now[2048];

void web_csp_set(const char *script_origin, const char *img_origins)
{
	char csp[sizeof csp_now] = "";
	if (*script_origin || *img_origins) {
		/* the directives default-src would give, with the origins added:
		 * a script runs from its origin, reports to it and may show a
		 * tracking image from it; banners show pictures */
		const char *s = script_origin;
		int n;
		if (*s)
			n = snprintf(csp, sizeof csp,
				     "default-src 'self'; script-src 'self' %s; connect-src 'self' %s; img-src 'self' %s%s%s;"
				     " frame-ancestors 'none'",
				     s, s, s, *img_origins ? " " : "", img_origins);
		else
			n = snprintf(csp, sizeof csp, "default-src 'self'; img-src 'self' %s; frame-ancestors 'none'",
				     img_origins);
		if (n < 0 || (size_t)n >= sizeof csp) /* too many origins: the site's own only */
			csp[0] = 0;
	}
	pthread_mutex_lock(&csp_lock);
	memcpy(csp_now, csp, sizeof csp);
	pthread_mutex_unlock(&csp_lock);
}

/* Every response leaves through here: the security headers are on all of
 * them, errors and images included. Takes r. */
enum MHD_Result web_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	char csp[sizeof csp_now] = "";
	/* the pages the analytics script is kept off (articles.c) have the
	 * site's own policy */
	if (!web_current || web_current->c != c || web_analytics_on(web_current)) {
		pthread_mutex_lock(&csp_lock);
		memcpy(csp, csp_now, sizeof csp);
		pthread_mutex_unlock(&csp_lock);
	}
	for (int i = 0; i < WEB_SECURITY_HEADERS; i++)
		MHD_add_response_header(r, web_security_headers[i][0],
					i == 1 && csp[0] ? csp : web_security_headers[i][1]);
	if (web_http_draining()) /* the server is stopping: no next request here */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (web_current && web_current->c == c) {
		web_current->status = status;
		MHD_add_response_header(r, "X-Request-Id", web_current->id);
		web_flash_headers(web_current, r, status);
		if (web_current->retry_after > 0) { /* a limit reached (limits.c) */
			char ra[24];
			snprintf(ra, sizeof ra, "%lld", (long long)web_current->retry_after);
			MHD_add_response_header(r, "Retry-After", ra);
		}
	}
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result web_send_buf(struct MHD_Connection *c, unsigned status, const char *type, wy_buf *b)
{
	size_t len = b->len;
	char *data = wy_buf_steal(b);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	return web_queue(c, status, r);
}

enum MHD_Result web_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, text);
	return web_send_buf(c, status, "text/plain; charset=utf-8", &b);
}

enum MHD_Result web_redirect(struct MHD_Connection *c, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Location", location);
	return web_queue(c, 303, r);
}

/* /static/NAME: the site's own files; names are checked, never paths. */
enum MHD_Result web_send_static(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *name = rq->rest;
	const char *type = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		      name[i] == '_' || (name[i] == '.' && i > 0)))
			return web_not_found(rq);
	if (n > 4 && strcmp(name + n - 4, ".css") == 0)
		type = "text/css; charset=utf-8";
	else if (n > 3 && strcmp(name + n - 3, ".js") == 0)
		type = "text/javascript; charset=utf-8";
	else if (n > 4 && strcmp(name + n - 4, ".svg") == 0)
		type = "image/svg+xml"; /* the site's icon */
	if (!type)
		return web_not_found(rq);
	char *path = wy_xasprintf("%s/%s", sv->static_dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return web_not_found(rq);
	}
	/* the site's own stylesheets and scripts are small: read, and gzip'd
	 * for the clients that take it */
	struct MHD_Response *r = NULL;
	char *data = NULL;
	if (sb.st_size <= (1 << 20) && (data = malloc((size_t)sb.st_size + 1))) {
		ssize_t got = pread(fd, data, (size_t)sb.st_size, 0);
		close(fd);
		if (got != (ssize_t)sb.st_size) {
			free(data);
			return web_not_found(rq);
		}
		r = web_text_response(c, data, (size_t)got);
	} else {
		r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
		if (!r)
			close(fd);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	MHD_add_response_header(r, "Cache-Control", "public, max-age=300");
	return web_queue(c, 200, r);
}

/* Parse a single "bytes=a-b", "bytes=a-" or "bytes=-n" range against size.
 * Returns 1 with [*from, *to] for a satisfiable range, 0 to serve it all
 * (no header, several ranges, or a form we do not take), -1 when it cannot
 * be satisfied (416). Numbers are digits only (RFC 9110 14.1.1): strtoull
 * alone would also take a sign or spaces ("bytes=--1" as a suffix of
 * 2^64-1 bytes: the whole file as a 206); an invalid range is ignored. */
int web_parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	const char *p = h + 6;
	char *end;
	if (*p == '-') {
		if (p[1] < '0' || p[1] > '9')
			return 0;
		unsigned long long n = strtoull(p + 1, &end, 10);
		if (end == p + 1 || *end || n == 0)
			return n == 0 && end != p + 1 && !*end ? -1 : 0;
		*from = n >= size ? 0 : size - n;
		*to = size ? size - 1 : 0;
		return size ? 1 : -1;
	}
	if (*p < '0' || *p > '9')
		return 0;
	unsigned long long a = strtoull(p, &end, 10), b;
	if (*end != '-')
		return 0;
	p = end + 1;
	if (!*p) {
		b = size ? size - 1 : 0;
	} else {
		if (*p < '0' || *p > '9')
			return 0;
		b = strtoull(p, &end, 10);
		if (*end || b < a)
			return 0;
		if (b >= size)
			b = size ? size - 1 : 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b;
	return 1;
}

bool web_etag_matches(const char *h, const char *etag)
{
	if (!h)
		return false;
	size_t n = strlen(etag);
	const char *p = h + strspn(h, " \t");
	if (*p == '*')
		return p[1 + strspn(p + 1, " \t")] == 0;
	/* 1#entity-tag: [W/]"opaque", separated by commas and spaces; compared
	 * weakly (a W/ prefix is ignored). Anything else: no match. */
	for (;;) {
		p += strspn(p, " \t,");
		if (!*p)
			return false;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false;
		const char *q = strchr(p + 1, '"');
		if (!q)
			return false;
		if ((size_t)(q + 1 - p) == n && memcmp(p, etag, n) == 0)
			return true;
		p = q + 1;
		if (*p && *p != ',' && *p != ' ' && *p != '\t')
			return false;
	}
}

/* The body of a HEAD's answer about a blob not opened: never read
 * (libmicrohttpd sends no body to a HEAD), there for its length only. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	(void)buf;
	(void)max;
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* A bucket's object sent as the client reads it: a piece of at most
 * STREAM_PIECE bytes is fetched (a ranged GET) when the client has taken
 * the one before, so a connection costs one piece of memory and nothing on
 * disk whatever the object's size, and no thread waits for all of it
 * (found by attack: slow clients of a whole download filled the spool
 * with a copy each). */
#define STREAM_PIECE ((size_t)1 << 20)

typedef struct blob_stream {
	wy_blob_store *bs;
	char sha[65];
	uint64_t from, to, size; /* bytes from..to of an object of size bytes */
	uint64_t at;             /* buf holds the bytes at..at+len-1 */
	size_t len;
	char *buf;
} blob_stream;

static void stream_free(void *cls)
{
	blob_stream *st = cls;
	free(st->buf);
	free(st);
}

/* The piece holding byte off of the object: WY_OK, else the answer is cut
 * (the object changed size, the bucket failed). */
static int stream_fill(blob_stream *st, uint64_t off)
{
	uint64_t left = st->to - off + 1;
	size_t want = left < STREAM_PIECE ? (size_t)left : STREAM_PIECE;
	uint64_t whole = 0;
	size_t got = 0;
	wy_errinfo ei = {0};
	int rc = wy_blob_read_at(st->bs, st->sha, off, st->buf, want, &got, &whole, &ei);
	if (rc == WY_OK && (got != want || whole != st->size))
		rc = WY_ECORRUPT; /* not the object its size said: never sent as it */
	if (rc) {
		char why[300];
		wy_warn("blob.stream", "blob=%.12s at=%llu error=%s", st->sha, (unsigned long long)off,
			wy_log_q(why, sizeof why, rc == WY_ECORRUPT ? "not its recorded size" : ei.msg));
		st->len = 0;
		return rc;
	}
	st->at = off;
	st->len = got;
	return WY_OK;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	blob_stream *st = cls;
	uint64_t off = st->from + pos;
	if (off > st->to)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if ((off < st->at || off >= st->at + st->len) && stream_fill(st, off))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = (size_t)(st->at + st->len - off);
	if (n > max)
		n = max;
	memcpy(out, st->buf + (off - st->at), n);
	return (ssize_t)n;
}

/* The response of bytes from..to of a bucket's object; the first piece is
 * fetched now, so a missing object or a failing bucket is a 503, not a
 * cut answer. NULL: it could not be had (*failed) or made. */
static struct MHD_Response *stream_response(web_req *rq, const char *sha, uint64_t from, uint64_t to,
					    uint64_t size, bool *failed)
{
	blob_stream *st = wy_xcalloc(1, sizeof *st);
	st->bs = rq->sv->blobs;
	snprintf(st->sha, sizeof st->sha, "%s", sha);
	st->from = from;
	st->to = to;
	st->size = size;
	st->buf = wy_xmalloc(to - from + 1 < STREAM_PIECE ? (size_t)(to - from + 1) : STREAM_PIECE);
	if (stream_fill(st, from)) {
		stream_free(st);
		*failed = true;
		return NULL;
	}
	struct MHD_Response *r = MHD_create_response_from_callback(to - from + 1, 64 << 10, stream_read, st, stream_free);
	if (!r)
		stream_free(st);
	return r;
}

/* Send an immutable object: strong ETag, 304 on a match, long caching, one
 * byte range on request (206/416), sendfile. Takes fd; or, with fd -1,
 * opens the blob sha of the site's store only once the answer is known to
 * need its bytes, and only the range asked (a bucket's is streamed a piece
 * at a time: stream_response).
 * Blobs are immutable: cached a year, by shared caches too when public. */
static enum MHD_Result send_object(web_req *rq, int fd, const char *sha, uint64_t size, const char *type,
				   const char *etag, const char *disposition, bool public_)
{
	/* A GET or HEAD whose validator matches gets 304 (RFC 9110 13.1.2); a
	 * POST (a paid download) always gets the file it paid for. */
	struct MHD_Connection *c = rq->c;
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (!rq->post && web_etag_matches(inm, etag)) {
		if (fd >= 0)
			close(fd);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "ETag", etag);
		return web_queue(c, 304, r);
	}
	uint64_t from = 0, to = size ? size - 1 : 0;
	int ranged = web_parse_range(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range"), size, &from, &to);
	/* If-Range with another validator: the client's copy is stale, send all. */
	const char *ifr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Range");
	if (ifr && strcmp(ifr, etag) != 0)
		ranged = 0;
	char cr[96];
	if (ranged < 0) {
		if (fd >= 0)
			close(fd);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
		MHD_add_response_header(r, "Content-Range", cr);
		return web_queue(c, 416, r);
	}
	uint64_t at = from;
	struct MHD_Response *r = NULL;
	if (fd < 0 && rq->head) {
		r = MHD_create_response_from_callback(ranged ? to - from + 1 : size, 4096, no_body, NULL, NULL);
		if (!r)
			return MHD_NO;
	} else if (fd < 0 && size && !wy_blob_is_local(rq->sv->blobs)) {
		bool failed = false;
		r = stream_response(rq, sha, from, to, size, &failed);
		if (failed)
			return web_unavailable(rq);
		if (!r)
			return MHD_NO;
	} else if (fd < 0) {
		uint64_t whole = size;
		int rc = ranged ? wy_blob_open_range(rq->sv->blobs, sha, from, to - from + 1, &fd, &at, &whole, NULL)
				: wy_blob_open_fd(rq->sv->blobs, sha, &fd, &whole, NULL);
		if (rc == WY_OK && whole != size) { /* the object was not what its size said: never */
			close(fd);
			rc = WY_ECORRUPT;
		}
		if (rc)
			return web_unavailable(rq);
	}
	if (!r)
		r = ranged ? MHD_create_response_from_fd_at_offset64(to - from + 1, fd, at)
			   : MHD_create_response_from_fd(size, fd); /* takes fd; sendfile */
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "ETag", etag);
	MHD_add_response_header(r, "Cache-Control",
				public_ ? "public, max-age=31536000, immutable" : "private, max-age=31536000, immutable");
	MHD_add_response_header(r, "Accept-Ranges", "bytes");
	if (disposition)
		MHD_add_response_header(r, "Content-Disposition", disposition);
	if (ranged) {
		snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)from, (unsigned long long)to,
			 (unsigned long long)size);
		MHD_add_response_header(r, "Content-Range", cr);
	}
	return web_queue(c, ranged ? 206 : 200, r);
}

enum MHD_Result web_send_fd_cache(web_req *rq, int fd, uint64_t size, const char *type, const char *etag,
				  const char *disposition, bool public_)
{
	return send_object(rq, fd, NULL, size, type, etag, disposition, public_);
}

enum MHD_Result web_send_blob(web_req *rq, const char *sha, uint64_t size, const char *type, const char *etag,
			      const char *disposition)
{
	return send_object(rq, -1, sha, size, type, etag, disposition, false);
}

enum MHD_Result web_send_fd(web_req *rq, int fd, uint64_t size, const char *type, const char *etag,
			    const char *disposition)
{
	return web_send_fd_cache(rq, fd, size, type, etag, disposition, false);
}

const char *web_mime_of(const char *format)
{
	static const struct {
		const char *fmt, *mime;
	} t[] = {
		{"pdf", "application/pdf"},
		{"epub", "application/epub+zip"},
		{"txt", "text/plain; charset=utf-8"},
		{"doc", "application/msword"},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xls", "application/vnd.ms-excel"},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"ppt", "application/vnd.ms-powerpoint"},
		{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
		{"odt", "application/vnd.oasis.opendocument.text"},
		{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
		{"odp", "application/vnd.oasis.opendocument.presentation"},
		{"rtf", "application/rtf"},
		{"jpg", "image/jpeg"},
		{"png", "image/png"},
		{"tiff", "image/tiff"},
		{"ofd", "application/ofd"},
		{"mobi", "application/x-mobipocket-ebook"},
		{"azw3", "application/vnd.amazon.ebook"},
		{"md", "text/markdown; charset=utf-8"},
	};
	for (size_t i = 0; format && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(format, t[i].fmt) == 0)
			return t[i].mime;
	return "application/octet-stream";
}

/* Content-Disposition for a UTF-8 file name (RFC 6266, RFC 5987): an ASCII
 * fallback with everything else replaced, and the exact name encoded. */
char *web_disposition(const char *name)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	/* The fallback for clients without RFC 5987: printable ASCII but a
	 * quote, a backslash and "%" (which some decode), each run of other
	 * characters one "_"; a name with no letter or digit left is
	 * "document" with its extension. */
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	wy_buf a;
	wy_buf_init(&a, 0);
	bool alnum = false, run = false;
	for (size_t i = 0; i < stem; i++) {
		unsigned char ch = (unsigned char)name[i];
		bool plain = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '%';
		if (plain) {
			wy_buf_putc(&a, (char)ch);
			alnum = alnum || (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
		} else if (!run) {
			wy_buf_putc(&a, '_');
		}
		run = !plain;
	}
	wy_buf_puts(&b, "attachment; filename=\"");
	wy_buf_puts(&b, alnum ? a.data : "document");
	for (const unsigned char *p = (const unsigned char *)name + stem; *p; p++) /* the extension */
		wy_buf_putc(&b, (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%') ? (char)*p : '_');
	wy_buf_free(&a);
	wy_buf_puts(&b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p))
			wy_buf_putc(&b, (char)*p);
		else
			wy_buf_printf(&b, "%%%02X", *p);
	}
	return wy_buf_steal(&b);
}

/* ---- /api/v1: JSON twins (docs/api.md) --------------------------------- */

enum MHD_Result web_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	/* a signed-in reader's answer is theirs (their points, their CSRF
	 * token, their private documents): no shared cache keeps it, as
	 * render.c says of their pages (found by attack) */
	if (web_current && web_current->c == c && web_current->authed)
		MHD_add_response_header(r, "Cache-Control", "private, no-store");
	return web_queue(c, status, r);
}

enum MHD_Result web_api_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return web_json(c, status, json_pack("{s:s}", "error", msg));
}

enum MHD_Result web_refuse(web_req *rq, unsigned status, const char *msg)
{
	return rq->api ? web_api_error(rq->c, status, msg) : web_text(rq->c, status, msg);
}

enum MHD_Result web_unavailable(web_req *rq) { return web_refuse(rq, 503, rq->api ? "store unavailable" : "store unavailable\n"); }

enum MHD_Result web_fail(web_req *rq, int rc)
{
	if (rc == WY_ENOTFOUND)
		return rq->api ? web_api_error(rq->c, 404, "not found") : web_not_found(rq);
	return web_unavailable(rq);
}

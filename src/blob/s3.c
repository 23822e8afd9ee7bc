/* blob/s3: the S3 backend. Objects are BUCKET/PREFIX<sha256>, reached over
 * HTTP(S) with libcurl, requests signed by libcurl's own AWS Signature V4
 * (CURLOPT_AWS_SIGV4), with the x-amz-content-sha256 header added here
 * (curl 7.88 does not, and radosgw refuses a request without it): the
 * payload's SHA-256, which for an object is its name. Credentials and the
 * endpoint come from the variables every S3 tool reads; a custom endpoint
 * (AWS_ENDPOINT_URL: radosgw, MinIO ...) is addressed path-style.
 *
 * Uploads are spooled to a temporary file of this machine by blob.c's
 * writer (the name is the hash, known only at the end), then sent from the
 * file: one PUT up to PART bytes, a multipart upload past it, so memory
 * stays flat whatever the size; the spooled file is unnamed (O_TMPFILE),
 * so a killed process leaves none. Reads fetch a piece into memory (a
 * ranged GET: how the site streams an object), download into unnamed
 * temporary files (whole objects) or fetch only the range asked. A page
 * image or thumbnail is stored with its type (image/webp), so a presigned
 * URL's answer says it too. Presigned URLs are signed
 * here (query-string SigV4, libsodium's HMAC-SHA256): curl signs only the
 * requests it sends.
 *
 * This file must never build a key from anything but a validated name. */
#include "blob/blob_int.h"
#include "core/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FAIL BLOB_FAIL

/* Objects up to PART bytes go in one PUT; larger ones in parts of PART
 * bytes (S3 allows 10000 parts: the part grows for objects past 160 GB). */
#define PART ((uint64_t)16 << 20)
#define MAX_PARTS 10000
/* The largest response body kept in memory (a listing page of 1000 keys
 * is ~300 kB; an error is a few hundred bytes). */
#define RESP_CAP (8u << 20)
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_store {
	wy_blob_store base;
	char *bucket;
	char *prefix;   /* "" or ending in '/' */
	char *base_url; /* scheme://host[:port][/bucket]: where keys start */
	char *host;     /* the Host header (presigning) */
	char *path0;    /* the URL path before the key: "/bucket/" or "/" */
	char *region;
	char *sigv4;    /* "aws:amz:REGION:s3" */
	char *key, *secret;
	char *spool;    /* temporary files of this machine */
} s3_store;

#define S3(bs) ((s3_store *)(bs))

static const wy_blob_ops s3_ops;

/* ---- one request ---- */

typedef struct call {
	const char *method;
	char *url; /* owned */
	/* a reader is waiting, on a thread that serves other connections too
	 * (a download streamed a piece at a time): one try, at most
	 * QUICK_SECONDS, so a stalled bucket holds that thread no longer */
	bool quick;
	/* the body: from memory, or from a file (fd >= 0) */
	const void *body;
	size_t body_len;
	int body_fd;
	uint64_t body_off, body_size, sent;
	const char *payload; /* x-amz-content-sha256: hex or UNSIGNED-PAYLOAD */
	const char *range;   /* "bytes=a-b" or NULL */
	const char *copy_source;
	/* the answer: a 2xx body to out_fd when >= 0, else to out_mem (at
	 * most out_cap bytes) when set, else to resp */
	int out_fd;
	char *out_mem;
	size_t out_cap, out_len;
	const char *content_type; /* of a PUT's body; NULL: bytes */
	bool out_failed;
	wy_buf resp;
	long status;
	int64_t last_modified, length, total; /* -1: not given */
	char etag[96];
} call;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ok;
static pthread_key_t handle_key;

static void handle_free(void *h) { curl_easy_cleanup(h); }

static void curl_start(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK &&
		  pthread_key_create(&handle_key, handle_free) == 0;
}

/* One handle per thread, kept between requests so connections are reused. */
static CURL *handle(void)
{
	CURL *h = pthread_getspecific(handle_key);
	if (h) {
		curl_easy_reset(h);
		return h;
	}
	h = curl_easy_init();
	if (h && pthread_setspecific(handle_key, h) != 0) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return h;
}

static void call_init(call *c, const char *method, char *url)
{
	memset(c, 0, sizeof *c);
	c->method = method;
	c->url = url;
	c->body_fd = -1;
	c->out_fd = -1;
	c->payload = EMPTY_SHA;
	wy_buf_init(&c->resp, RESP_CAP);
}

static void call_free(call *c)
{
	free(c->url);
	wy_buf_free(&c->resp);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	call *c = ctx;
	size_t len = size * n;
	long status = 0;
	/* the status line is read before any body byte */
	CURL *h = pthread_getspecific(handle_key);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (c->out_fd >= 0 && status / 100 == 2) {
		if (wy_write_all(c->out_fd, p, len)) {
			c->out_failed = true;
			return 0;
		}
		return len;
	}
	if (c->out_mem && status / 100 == 2) {
		if (len > c->out_cap - c->out_len) { /* more than asked: never kept */
			c->out_failed = true;
			return 0;
		}
		memcpy(c->out_mem + c->out_len, p, len);
		c->out_len += len;
		return len;
	}
	return wy_buf_append(&c->resp, p, len) == WY_OK ? len : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	call *c = ctx;
	size_t len = size * n;
	char line[256];
	size_t l = len < sizeof line - 1 ? len : sizeof line - 1;
	memcpy(line, p, l);
	line[l] = 0;
	line[strcspn(line, "\r\n")] = 0;
	char *colon = strchr(line, ':');
	if (!colon)
		return len;
	*colon = 0;
	const char *v = colon + 1;
	while (*v == ' ')
		v++;
	if (strcasecmp(line, "Last-Modified") == 0)
		c->last_modified = (int64_t)curl_getdate(v, NULL);
	else if (strcasecmp(line, "Content-Length") == 0)
		c->length = strtoll(v, NULL, 10);
	else if (strcasecmp(line, "ETag") == 0)
		snprintf(c->etag, sizeof c->etag, "%s", v);
	else if (strcasecmp(line, "Content-Range") == 0) {
		const char *slash = strchr(v, '/');
		if (slash && slash[1] != '*')
			c->total = strtoll(slash + 1, NULL, 10);
	}
	return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *ctx)
{
	call *c = ctx;
	size_t want = size * n;
	uint64_t left = c->body_size - c->sent;
	if (want > left)
		want = (size_t)left;
	if (!want)
		return 0;
	ssize_t r;
	do
		r = pread(c->body_fd, p, want, (off_t)(c->body_off + c->sent));
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return CURL_READFUNC_ABORT;
	c->sent += (uint64_t)r;
	return (size_t)r;
}

/* The text of <tag>...</tag> in an S3 XML answer from *from on (NULL when
 * absent), XML entities decoded; *from moves past it. */
static char *xml_take(const char *xml, const char *tag, const char **from)
{
	char open[64], close_[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close_, sizeof close_, "</%s>", tag);
	const char *a = strstr(from ? *from : xml, open);
	if (!a)
		return NULL;
	a += strlen(open);
	const char *b = strstr(a, close_);
	if (!b)
		return NULL;
	if (from)
		*from = b + strlen(close_);
	wy_buf o;
	wy_buf_init(&o, 0);
	static const struct {
		const char *ent, ch;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	for (const char *p = a; p < b; p++) {
		size_t i = 0;
		if (*p == '&')
			for (; i < sizeof ents / sizeof ents[0]; i++)
				if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
					break;
		if (*p == '&' && i < sizeof ents / sizeof ents[0]) {
			wy_buf_putc(&o, ents[i].ch);
			p += strlen(ents[i].ent) - 1;
		} else {
			wy_buf_putc(&o, *p);
		}
	}
	return wy_buf_steal(&o);
}

#define QUICK_SECONDS 10L

/* Send c; a transport failure or a 5xx is tried again (twice, after 0.2
 * and 1 s; a quick call is not): every request here may be repeated. The
 * status goes to c->status; WY_EIO when no answer came. */
static int perform(s3_store *s, call *c, wy_errinfo *ei)
{
	if (!curl_ok)
		return FAIL(ei, WY_EIO, "blob: libcurl failed to initialise");
	CURLcode cc = CURLE_OK;
	for (int attempt = 0; attempt < (c->quick ? 1 : 3); attempt++) {
		if (attempt) {
			struct timespec ts = {.tv_sec = attempt == 1 ? 0 : 1, .tv_nsec = attempt == 1 ? 200000000 : 0};
			nanosleep(&ts, NULL);
			if (c->out_fd >= 0 && (ftruncate(c->out_fd, 0) != 0 || lseek(c->out_fd, 0, SEEK_SET) != 0))
				return FAIL(ei, WY_EIO, "blob: cannot rewind a download: %s", strerror(errno));
		}
		CURL *h = handle();
		if (!h)
			return FAIL(ei, WY_EIO, "blob: no curl handle");
		c->sent = 0;
		c->out_len = 0;
		c->status = 0;
		c->out_failed = false;
		c->last_modified = c->length = c->total = -1;
		c->etag[0] = 0;
		c->resp.len = 0;
		struct curl_slist *hd = NULL;
		char line[256];
		snprintf(line, sizeof line, "x-amz-content-sha256: %s", c->payload);
		hd = curl_slist_append(hd, line);
		if (c->range) {
			snprintf(line, sizeof line, "Range: %s", c->range);
			hd = curl_slist_append(hd, line);
		}
		/* every object is bytes (the site types what it serves): also
		 * what a copy onto itself and a multipart upload's start say,
		 * which else would be curl's form type for a POST */
		if (strcmp(c->method, "PUT") == 0 || strcmp(c->method, "POST") == 0) {
			snprintf(line, sizeof line, "Content-Type: %s",
				 c->content_type ? c->content_type : "application/octet-stream");
			hd = curl_slist_append(hd, line);
		}
		if (c->copy_source) {
			snprintf(line, sizeof line, "x-amz-copy-source: %s", c->copy_source);
			hd = curl_slist_append(hd, line);
			hd = curl_slist_append(hd, "x-amz-metadata-directive: REPLACE");
		}
		curl_easy_setopt(h, CURLOPT_URL, c->url);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
		curl_easy_setopt(h, CURLOPT_USERNAME, s->key);
		curl_easy_setopt(h, CURLOPT_PASSWORD, s->secret);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
		/* a stalled server: under 1 kB/s for a minute ends the request */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->quick ? QUICK_SECONDS / 2 : 60L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, c->quick ? QUICK_SECONDS : 0L);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		if (strcmp(c->method, "HEAD") == 0) {
			curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		} else if (c->body_fd >= 0) {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, c);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)c->body_size);
		} else if (strcmp(c->method, "PUT") == 0 || strcmp(c->method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POST, 1L);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? c->body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
		}
		if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0 && strcmp(c->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
		cc = curl_easy_perform(h);
		curl_slist_free_all(hd);
		if (cc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
		if (c->out_failed && c->out_mem)
			return FAIL(ei, WY_EIO, "blob: S3 sent more than the %zu bytes asked", c->out_cap);
		if (c->out_failed)
			return FAIL(ei, WY_EIO, "blob: cannot write a download: %s", strerror(errno));
		if (cc == CURLE_OK && c->status < 500)
			return WY_OK;
	}
	if (cc != CURLE_OK)
		return FAIL(ei, WY_EIO, "blob: S3 %s failed: %s", c->method, curl_easy_strerror(cc));
	return WY_OK; /* a 5xx three times: the caller reports the status */
}

/* The error of an answer that is not 2xx: 404 is WY_ENOTFOUND, the rest
 * WY_EIO with S3's code and message. */
static int answer_error(call *c, const char *what, wy_errinfo *ei)
{
	if (c->status == 404)
		return wy_err_set(ei, WY_ENOTFOUND, "blob %.12s: not in the bucket", what);
	char *code = c->resp.len ? xml_take(c->resp.data, "Code", NULL) : NULL;
	int rc = FAIL(ei, WY_EIO, "blob: S3 %s %.12s answered %ld%s%s", c->method, what, c->status, code ? " " : "",
		      code ? code : "");
	free(code);
	return rc;
}

static char *obj_url(const s3_store *s, const char *sha)
{
	return wy_xasprintf("%s/%s%s", s->base_url, s->prefix, sha);
}

/* ---- opening ---- */

static bool bucket_ok(const char *b, size_t n)
{
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-' || b[i] == '.'))
			return false;
	return true;
}

/* A prefix is used in URLs as it is: letters, digits and -._/ only. */
static bool prefix_ok(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("-._/", *p)))
			return false;
	return true;
}

static void s3_close(wy_blob_store *base)
{
	s3_store *s = S3(base);
	free(s->bucket);
	free(s->prefix);
	free(s->base_url);
	free(s->host);
	free(s->path0);
	free(s->region);
	free(s->sigv4);
	free(s->key);
	free(s->secret);
	free(s->spool);
	free(s);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int wy_blob_s3_open(const char *url, wy_blob_store **out, wy_errinfo *ei)
{
	*out = NULL;
	pthread_once(&curl_once, curl_start);
	const char *b = url + 5, *slash = strchr(b, '/');
	size_t blen = slash ? (size_t)(slash - b) : strlen(b);
	if (!bucket_ok(b, blen))
		return wy_err_set(ei, WY_EINVAL, "blob: %.80s: a bucket name is 3 to 63 of a-z 0-9 . -", url);
	const char *pre = slash ? slash + 1 : "";
	if (!prefix_ok(pre))
		return wy_err_set(ei, WY_EINVAL, "blob: %.80s: a prefix is made of letters, digits and - . _ /", url);
	const char *key = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
	if (!key || !secret)
		return wy_err_set(ei, WY_EINVAL, "blob: %.80s needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", url);
	const char *region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
	if (!region)
		region = "us-east-1";
	if (strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region) || strlen(region) > 40)
		return wy_err_set(ei, WY_EINVAL, "blob: AWS_REGION %.40s is not a region name", region);
	s3_store *s = wy_xcalloc(1, sizeof *s);
	s->base.ops = &s3_ops;
	s->bucket = wy_xstrndup(b, blen);
	while (*pre == '/')
		pre++;
	size_t plen = strlen(pre);
	while (plen && pre[plen - 1] == '/')
		plen--;
	s->prefix = plen ? wy_xasprintf("%.*s/", (int)plen, pre) : wy_xstrdup("");
	s->region = wy_xstrdup(region);
	s->sigv4 = wy_xasprintf("aws:amz:%s:s3", region);
	s->key = wy_xstrdup(key);
	s->secret = wy_xstrdup(secret);
	const char *ep = env("AWS_ENDPOINT_URL_S3") ? env("AWS_ENDPOINT_URL_S3") : env("AWS_ENDPOINT_URL");
	if (ep) {
		/* a custom endpoint: path-style, http://host:port/BUCKET/KEY */
		const char *h = strstr(ep, "://");
		if (!h || (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0)) {
			s3_close(&s->base);
			return wy_err_set(ei, WY_EINVAL, "blob: AWS_ENDPOINT_URL %.80s is not an http(s) URL", ep);
		}
		h += 3;
		size_t hlen = strcspn(h, "/?#");
		size_t elen = (size_t)(h - ep) + hlen;
		s->host = wy_xstrndup(h, hlen);
		s->base_url = wy_xasprintf("%.*s/%s", (int)elen, ep, s->bucket);
		s->path0 = wy_xasprintf("/%s/", s->bucket);
	} else {
		s->host = wy_xasprintf("%s.s3.%s.amazonaws.com", s->bucket, region);
		s->base_url = wy_xasprintf("https://%s", s->host);
		s->path0 = wy_xstrdup("/");
	}
	s->spool = wy_xstrdup(env("TMPDIR") ? env("TMPDIR") : "/var/tmp");
	*out = &s->base;
	return WY_OK;
}

/* ---- writing ---- */

static int put_body(s3_store *s, const char *sha, const void *data, size_t len, int fd, uint64_t size,
		    const char *type, wy_errinfo *ei)
{
	call c;
	call_init(&c, "PUT", obj_url(s, sha));
	c.content_type = type;
	c.payload = sha; /* the object's name is its SHA-256 */
	if (fd >= 0) {
		c.body_fd = fd;
		c.body_size = size;
	} else {
		c.body = data;
		c.body_len = len;
	}
	int rc = perform(s, &c, ei);
	if (!rc && c.status / 100 != 2)
		rc = answer_error(&c, sha, ei);
	call_free(&c);
	return rc;
}

static int s3_put(wy_blob_store *base, const void *data, size_t len, const char *sha, wy_errinfo *ei)
{
	/* Sent again even when there: a PUT of the same bytes makes the
	 * object young (its Last-Modified now), as storing bytes must
	 * (docs/internals/blob.md); these are page images and thumbnails,
	 * small. */
	const unsigned char *m = data;
	bool webp = len >= 12 && memcmp(m, "RIFF", 4) == 0 && memcmp(m + 8, "WEBP", 4) == 0;
	return put_body(S3(base), sha, data, len, -1, 0, webp ? "image/webp" : NULL, ei);
}

static const char *s3_spool_dir(wy_blob_store *base) { return S3(base)->spool; }

static int head(s3_store *s, const char *sha, call *c, wy_errinfo *ei)
{
	call_init(c, "HEAD", obj_url(s, sha));
	int rc = perform(s, c, ei);
	if (!rc && c->status != 200)
		rc = answer_error(c, sha, ei);
	return rc;
}

/* An object there already: copied onto itself, which sets its
 * Last-Modified to now (rule 2 of docs/internals/blob.md). */
static int touch(s3_store *s, const char *sha, wy_errinfo *ei)
{
	call c;
	call_init(&c, "PUT", obj_url(s, sha));
	char *src = wy_xasprintf("/%s/%s%s", s->bucket, s->prefix, sha);
	c.copy_source = src;
	int rc = perform(s, &c, ei);
	if (!rc && c.status / 100 != 2)
		rc = answer_error(&c, sha, ei);
	/* a copy can fail inside a 200 (S3 says so): its body is the judge */
	if (!rc && c.resp.len && strstr(c.resp.data, "<Error>"))
		rc = FAIL(ei, WY_EIO, "blob: S3 refreshing %.12s failed", sha);
	free(src);
	call_free(&c);
	return rc;
}

static int sha_of_range(int fd, uint64_t off, uint64_t len, char out[65])
{
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	static __thread unsigned char chunk[1 << 16];
	while (len) {
		size_t want = len < sizeof chunk ? (size_t)len : sizeof chunk;
		ssize_t r = pread(fd, chunk, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return WY_EIO;
		crypto_hash_sha256_update(&h, chunk, (unsigned long long)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h, d);
	wy_blob_hex(d, out);
	return WY_OK;
}

/* A large object in parts read from the spooled file: each part signed
 * with its own hash; any failure aborts the upload, so nothing is left. */
static int multipart(s3_store *s, int fd, const char *sha, uint64_t size, wy_errinfo *ei)
{
	uint64_t part = PART;
	while ((size + part - 1) / part > MAX_PARTS)
		part *= 2;
	call c;
	call_init(&c, "POST", wy_xasprintf("%s/%s%s?uploads=", s->base_url, s->prefix, sha));
	int rc = perform(s, &c, ei);
	if (!rc && c.status / 100 != 2)
		rc = answer_error(&c, sha, ei);
	char *id = rc ? NULL : xml_take(c.resp.data ? c.resp.data : "", "UploadId", NULL);
	call_free(&c);
	if (rc)
		return rc;
	if (!id || !*id || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~") != strlen(id)) {
		free(id);
		return FAIL(ei, WY_EIO, "blob: S3 gave no usable upload id for %.12s", sha);
	}
	wy_buf done;
	wy_buf_init(&done, 0);
	wy_buf_puts(&done, "<CompleteMultipartUpload>");
	uint64_t off = 0;
	for (int n = 1; !rc && off < size; n++) {
		uint64_t len = size - off < part ? size - off : part;
		char psha[65];
		if (sha_of_range(fd, off, len, psha)) {
			rc = FAIL(ei, WY_EIO, "blob: read of the spooled upload failed: %s", strerror(errno));
			break;
		}
		call_init(&c, "PUT", wy_xasprintf("%s/%s%s?partNumber=%d&uploadId=%s", s->base_url, s->prefix, sha, n, id));
		c.payload = psha;
		c.body_fd = fd;
		c.body_off = off;
		c.body_size = len;
		rc = perform(s, &c, ei);
		if (!rc && c.status / 100 != 2)
			rc = answer_error(&c, sha, ei);
		if (!rc && !c.etag[0])
			rc = FAIL(ei, WY_EIO, "blob: S3 gave no ETag for part %d of %.12s", n, sha);
		if (!rc)
			wy_buf_printf(&done, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, c.etag);
		call_free(&c);
		off += len;
	}
	wy_buf_puts(&done, "</CompleteMultipartUpload>");
	if (!rc) {
		char dsha[65];
		wy_sha256_hex(done.data, done.len, dsha);
		call_init(&c, "POST", wy_xasprintf("%s/%s%s?uploadId=%s", s->base_url, s->prefix, sha, id));
		c.body = done.data;
		c.body_len = done.len;
		c.payload = dsha;
		rc = perform(s, &c, ei);
		if (!rc && c.status / 100 != 2)
			rc = answer_error(&c, sha, ei);
		if (!rc && c.resp.len && strstr(c.resp.data, "<Error>"))
			rc = FAIL(ei, WY_EIO, "blob: S3 could not complete the upload of %.12s", sha);
		call_free(&c);
	}
	if (rc) {
		call_init(&c, "DELETE", wy_xasprintf("%s/%s%s?uploadId=%s", s->base_url, s->prefix, sha, id));
		perform(s, &c, NULL);
		call_free(&c);
	}
	wy_buf_free(&done);
	free(id);
	return rc;
}

static int s3_publish(wy_blob_store *base, const char *tmp, int fd, const char *sha, uint64_t size, bool *made,
		      wy_errinfo *ei)
{
	(void)tmp;
	s3_store *s = S3(base);
	call c;
	int rc = head(s, sha, &c, NULL);
	call_free(&c);
	if (rc == WY_OK) {
		*made = false;
		return touch(s, sha, ei);
	}
	*made = true;
	return size <= PART ? put_body(s, sha, NULL, 0, fd, size, NULL, ei) : multipart(s, fd, sha, size, ei);
}

/* ---- reading ---- */

/* An unnamed temporary file in the spool directory (gone when closed). */
static int anon_file(s3_store *s, int *fd, wy_errinfo *ei) { return wy_blob_anon_file(s->spool, fd, ei); }

static int get_into(s3_store *s, const char *sha, const char *range, int fd, call *c, wy_errinfo *ei)
{
	call_init(c, "GET", obj_url(s, sha));
	c->out_fd = fd;
	c->range = range;
	int rc = perform(s, c, ei);
	if (!rc && c->status / 100 != 2)
		rc = answer_error(c, sha, ei);
	return rc;
}

static int s3_open_fd(wy_blob_store *base, const char *sha, int *fd_out, uint64_t *size_out, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	int fd, rc;
	if ((rc = anon_file(s, &fd, ei)))
		return rc;
	call c;
	rc = get_into(s, sha, NULL, fd, &c, ei);
	call_free(&c);
	struct stat st;
	if (!rc && (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0))
		rc = FAIL(ei, WY_EIO, "blob %.12s: %s", sha, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	if (size_out)
		*size_out = (uint64_t)st.st_size;
	return WY_OK;
}

static int s3_open_range(wy_blob_store *base, const char *sha, uint64_t from, uint64_t len, int *fd_out,
			 uint64_t *at, uint64_t *size_out, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	if (!len)
		return wy_err_set(ei, WY_EINVAL, "blob: an empty range");
	int fd, rc;
	if ((rc = anon_file(s, &fd, ei)))
		return rc;
	char range[64];
	snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)from, (unsigned long long)(from + len - 1));
	call c;
	rc = get_into(s, sha, range, fd, &c, ei);
	struct stat st;
	if (!rc && c.status != 206)
		rc = FAIL(ei, WY_EIO, "blob %.12s: S3 answered a range with %ld", sha, c.status);
	else if (!rc && (fstat(fd, &st) != 0 || (uint64_t)st.st_size != len || lseek(fd, 0, SEEK_SET) != 0))
		rc = FAIL(ei, WY_EIO, "blob %.12s: the range came short", sha);
	if (!rc && size_out)
		*size_out = c.total >= 0 ? (uint64_t)c.total : from + len;
	call_free(&c);
	if (rc) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	*at = 0;
	return WY_OK;
}

/* A piece into memory: one ranged GET of at most len bytes, so a client
 * reading slowly costs len bytes of memory and nothing on disk. */
static int s3_read_at(wy_blob_store *base, const char *sha, uint64_t off, void *buf, size_t len, size_t *got,
		      uint64_t *size_out, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	if (!len)
		return wy_err_set(ei, WY_EINVAL, "blob: an empty read");
	char range[64];
	snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)off, (unsigned long long)(off + len - 1));
	call c;
	call_init(&c, "GET", obj_url(s, sha));
	c.range = range;
	c.out_mem = buf;
	c.out_cap = len;
	c.quick = true;
	int rc = perform(s, &c, ei);
	if (!rc && c.status / 100 != 2)
		rc = answer_error(&c, sha, ei);
	/* a 200 is the whole object: only when it fits in what was asked */
	if (!rc && c.status != 206 && off != 0)
		rc = FAIL(ei, WY_EIO, "blob %.12s: S3 answered a range with %ld", sha, c.status);
	uint64_t total = c.status == 206 && c.total >= 0 ? (uint64_t)c.total : c.out_len;
	if (!rc && c.status == 206 && c.total < 0)
		rc = FAIL(ei, WY_EIO, "blob %.12s: S3 gave no size with a range", sha);
	if (!rc && c.out_len != len && off + c.out_len != total)
		rc = FAIL(ei, WY_EIO, "blob %.12s: the range came short", sha);
	if (!rc) {
		*got = c.out_len;
		if (size_out)
			*size_out = total;
	}
	call_free(&c);
	return rc;
}

static int s3_local_path(wy_blob_store *base, const char *sha, char **path, bool *is_temp, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	int fd, rc;
	if ((rc = wy_blob_temp_file(s->spool, path, &fd, ei)))
		return rc;
	call c;
	rc = get_into(s, sha, NULL, fd, &c, ei);
	call_free(&c);
	if (!rc && fsync(fd) != 0)
		rc = FAIL(ei, WY_EIO, "blob %.12s: %s", sha, strerror(errno));
	close(fd);
	if (rc) {
		unlink(*path);
		free(*path);
		*path = NULL;
		return rc;
	}
	*is_temp = true;
	return WY_OK;
}

static bool s3_exists(wy_blob_store *base, const char *sha)
{
	call c;
	int rc = head(S3(base), sha, &c, NULL);
	call_free(&c);
	return rc == WY_OK;
}

static int s3_size(wy_blob_store *base, const char *sha, uint64_t *size, wy_errinfo *ei)
{
	call c;
	int rc = head(S3(base), sha, &c, ei);
	if (!rc && c.length < 0)
		rc = FAIL(ei, WY_EIO, "blob: S3 gave no size for %.12s", sha);
	if (!rc)
		*size = (uint64_t)c.length;
	call_free(&c);
	return rc;
}

static int s3_ping(wy_blob_store *base, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	call c;
	call_init(&c, "HEAD", wy_xasprintf("%s/", s->base_url));
	int rc = perform(s, &c, ei);
	if (!rc && c.status != 200)
		rc = FAIL(ei, WY_EIO, "blob: bucket %s answered %ld", s->bucket, c.status);
	call_free(&c);
	return rc;
}

/* ---- listing, removing ---- */

/* RFC 3986 unreserved characters as they are, the rest %XX: what SigV4's
 * canonical query wants, so curl's signature and radosgw's agree. */
static void uri_encode(wy_buf *b, const char *s, bool slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p) || (slash && *p == '/'))
			wy_buf_putc(b, (char)*p);
		else
			wy_buf_printf(b, "%%%02X", *p);
	}
}

static int64_t iso_time(const char *t)
{
	struct tm tm = {0};
	if (!t || sscanf(t, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* Every key under the prefix, a page of ListObjectsV2 at a time, through
 * cb(ctx, key without the prefix, size, mtime). */
static int list(s3_store *s, int (*cb)(void *ctx, const char *name, int64_t size, int64_t mtime), void *ctx,
		wy_errinfo *ei)
{
	char *token = NULL;
	int rc = WY_OK;
	do {
		/* query parameters in the canonical (sorted) order */
		wy_buf u;
		wy_buf_init(&u, 0);
		wy_buf_printf(&u, "%s/?", s->base_url);
		if (token) {
			wy_buf_puts(&u, "continuation-token=");
			uri_encode(&u, token, false);
			wy_buf_putc(&u, '&');
		}
		wy_buf_puts(&u, "list-type=2&prefix=");
		uri_encode(&u, s->prefix, false);
		call c;
		call_init(&c, "GET", wy_buf_steal(&u));
		rc = perform(s, &c, ei);
		if (!rc && c.status != 200)
			rc = answer_error(&c, s->bucket, ei);
		free(token);
		token = NULL;
		const char *at = c.resp.data ? c.resp.data : "";
		char *item;
		while (!rc && (item = xml_take(at, "Contents", &at))) {
			/* the entities of the key are decoded by xml_take */
			char *k = xml_take(item, "Key", NULL), *sz = xml_take(item, "Size", NULL),
			     *lm = xml_take(item, "LastModified", NULL);
			if (k && strncmp(k, s->prefix, strlen(s->prefix)) == 0)
				rc = cb(ctx, k + strlen(s->prefix), sz ? strtoll(sz, NULL, 10) : 0, iso_time(lm));
			free(k);
			free(sz);
			free(lm);
			free(item);
		}
		if (!rc && c.resp.data) {
			char *trunc = xml_take(c.resp.data, "IsTruncated", NULL);
			if (trunc && strcmp(trunc, "true") == 0) {
				token = xml_take(c.resp.data, "NextContinuationToken", NULL);
				if (!token || !*token)
					rc = FAIL(ei, WY_EIO, "blob: S3 listing truncated without a token");
			}
			free(trunc);
		}
		call_free(&c);
	} while (!rc && token);
	free(token);
	return rc;
}

typedef struct each_ctx {
	int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime);
	void *ctx;
} each_ctx;

static int each_one(void *ctx, const char *name, int64_t size, int64_t mtime)
{
	(void)size;
	each_ctx *e = ctx;
	return wy_blob_valid_name(name) ? e->cb(e->ctx, name, NULL, mtime) : e->cb(e->ctx, NULL, name, 0);
}

static int s3_each(wy_blob_store *base, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		   void *ctx, wy_errinfo *ei)
{
	each_ctx e = {cb, ctx};
	return list(S3(base), each_one, &e, ei);
}

static int s3_delete(wy_blob_store *base, const char *sha, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	call c;
	call_init(&c, "DELETE", obj_url(s, sha));
	int rc = perform(s, &c, ei);
	if (!rc && c.status / 100 != 2 && c.status != 404)
		rc = answer_error(&c, sha, ei);
	call_free(&c);
	return rc;
}

/* S3 has no rename: the object's time is read, then it is removed. A
 * store of the same bytes between the two is lost with it: the window is
 * one round trip, where the directory backend has none
 * (docs/internals/blob.md says what covers it). */
static int s3_delete_old(wy_blob_store *base, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei)
{
	s3_store *s = S3(base);
	call c;
	int rc = head(s, sha, &c, ei);
	int64_t lm = c.last_modified;
	call_free(&c);
	if (rc == WY_ENOTFOUND)
		return WY_OK;
	if (rc)
		return rc;
	if (lm < 0)
		return FAIL(ei, WY_EIO, "blob: S3 gave no time for %.12s", sha);
	if (lm >= older_than)
		return WY_OK;
	if ((rc = s3_delete(base, sha, ei)))
		return rc;
	*deleted = true;
	return WY_OK;
}

static int usage_one(void *ctx, const char *name, int64_t size, int64_t mtime)
{
	(void)mtime;
	wy_blob_usage *u = ctx;
	if (wy_blob_valid_name(name)) {
		u->objects++;
		u->bytes += size;
	}
	return 0;
}

static int s3_usage_get(wy_blob_store *base, wy_blob_usage *out, wy_errinfo *ei)
{
	*out = (wy_blob_usage){.fs_free = -1, .fs_total = -1, .kind = "s3"};
	return list(S3(base), usage_one, out, ei);
}

/* ---- presigned URLs (query-string SigV4) ---- */

static void hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
}

static int s3_presign(wy_blob_store *base, const char *sha, int seconds, const char *type, char **url,
		      wy_errinfo *ei)
{
	s3_store *s = S3(base);
	if (seconds < 1 || seconds > 604800)
		return wy_err_set(ei, WY_EINVAL, "blob: a presigned URL lives 1 s to 7 days");
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char date[16], stamp[32];
	strftime(date, sizeof date, "%Y%m%d", &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *scope = wy_xasprintf("%s/%s/s3/aws4_request", date, s->region);
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	char *cred = wy_xasprintf("%s/%s", s->key, scope);
	uri_encode(&q, cred, false);
	free(cred);
	wy_buf_printf(&q, "&X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-SignedHeaders=host", stamp, seconds);
	/* after X-Amz-* in the canonical (byte) order: 'X' < 'r' */
	if (type) {
		wy_buf_puts(&q, "&response-content-type=");
		uri_encode(&q, type, false);
	}
	char *path = wy_xasprintf("%s%s%s", s->path0, s->prefix, sha);
	char *canon = wy_xasprintf("GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", path, q.data, s->host);
	char chash[65];
	wy_sha256_hex(canon, strlen(canon), chash);
	char *to_sign = wy_xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, chash);
	char *k0 = wy_xasprintf("AWS4%s", s->secret);
	unsigned char k[32], sig[32];
	hmac((const unsigned char *)k0, strlen(k0), date, k);
	hmac(k, 32, s->region, k);
	hmac(k, 32, "s3", k);
	hmac(k, 32, "aws4_request", k);
	hmac(k, 32, to_sign, sig);
	sodium_memzero(k, sizeof k);
	sodium_memzero(k0, strlen(k0));
	char sighex[65];
	wy_blob_hex(sig, sighex);
	*url = wy_xasprintf("%s/%s%s?%s&X-Amz-Signature=%s", s->base_url, s->prefix, sha, q.data, sighex);
	free(k0);
	free(to_sign);
	free(canon);
	free(path);
	free(scope);
	wy_buf_free(&q);
	return WY_OK;
}

static const wy_blob_ops s3_ops = {
	.kind = "s3",
	.close = s3_close,
	.put = s3_put,
	.spool_dir = s3_spool_dir,
	.publish = s3_publish,
	.open_fd = s3_open_fd,
	.open_range = s3_open_range,
	.read_at = s3_read_at,
	.local_path = s3_local_path,
	.exists = s3_exists,
	.size = s3_size,
	.ping = s3_ping,
	.each = s3_each,
	.delete_ = s3_delete,
	.delete_old = s3_delete_old,
	.usage_get = s3_usage_get,
	.presign = s3_presign,
};

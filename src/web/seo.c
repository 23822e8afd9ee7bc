/* web/seo: what search engines read. /robots.txt (setting robots_txt,
 * else a default that keeps the private paths out and names the
 * sitemap); /sitemap.xml, an index of parts (sitemaps.org 0.9), and the
 * parts /sitemap/NAME.xml: docs-N and collections-N (ids cut into ranges
 * of sitemap_part_urls, so at most that many URLs each; kept here,
 * gzip'd, until the store says their list changed), categories (the home
 * page, the collections' list and every category) and articles; and the
 * head of every page: its canonical URL, description, Open Graph tags
 * and, for a document, JSON-LD. A sitemap lists only what an anonymous
 * visitor may see, as the store's rule says (wy_store_sitemap_*); nothing
 * here decides who sees what, and nothing here writes.
 *
 * Absolute URLs start with the site's base: site_url, else the scheme
 * and the request's Host when it is a plain host name or address with an
 * optional port (anything else is no base: pages then use paths, the
 * sitemap answers 400). Pages are kept and shared between visitors
 * (render.c, doc.c), so a page holds a mark where the base goes and each
 * answer fills in its own (web_seo_fill): one visitor's Host never
 * reaches another. */
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "view/views.h"
#include "web/web_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* ---- the base of absolute URLs ---- */

static bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }


bool web_seo_base(web_req *rq, const wy_config *site, char *out, size_t size)
{
	if (site->site_url[0]) {
		if (wy_site_url_base(site->site_url, out, size))
			return true;
		static _Atomic bool said;
		if (!said) {
			said = true;
			wy_warn("seo.bad_site_url", "msg=\"site_url is not http(s)://host[:port][/path]: the request's Host is used\"");
		}
	}
	const char *host = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, "Host");
	if (host && wy_host_valid(host, strlen(host)) &&
	    (size_t)snprintf(out, size, "%s://%s", rq->secure ? "https" : "http", host) < size)
		return true;
	out[0] = 0;
	return false;
}

/* The mark kept pages hold where the base goes: random a process, so no
 * document's text can hold it. */
static char mark[24];
static pthread_once_t mark_once = PTHREAD_ONCE_INIT;

static void mark_make(void)
{
	unsigned char r[8];
	randombytes_buf(r, sizeof r);
	snprintf(mark, sizeof mark, "wyB%02x%02x%02x%02x%02x%02x%02x%02xB", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static const char *base_mark(void)
{
	pthread_once(&mark_once, mark_make);
	return mark;
}

void web_seo_fill(web_req *rq, char **data, size_t *len)
{
	const char *m = base_mark();
	size_t ml = strlen(m);
	char *hit = memmem(*data, *len, m, ml);
	if (!hit)
		return;
	wy_config *site = wy_xmalloc(sizeof *site);
	web_site_get(rq->sv, site);
	char base[300];
	web_seo_base(rq, site, base, sizeof base);
	free(site);
	size_t bl = strlen(base);
	wy_buf out;
	wy_buf_init(&out, 0);
	const char *p = *data, *end = *data + *len;
	while (hit) {
		wy_buf_append(&out, p, (size_t)(hit - p));
		wy_buf_append(&out, base, bl);
		p = hit + ml;
		hit = memmem(p, (size_t)(end - p), m, ml);
	}
	wy_buf_append(&out, p, (size_t)(end - p));
	free(*data);
	*len = out.len;
	*data = wy_buf_steal(&out);
}

/* ---- the head of a page ---- */

/* s percent-encoded but for unreserved characters and '/' (a path). */
static void path_escape(wy_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (alnum((char)*p) || strchr("-._~/", *p))
			wy_buf_putc(b, (char)*p);
		else
			wy_buf_printf(b, "%%%02X", *p);
}

/* A W3C datetime (UTC) of unix time t. */
static void w3c_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* JSON for a <script> element: < > & as \u escapes (they are only ever
 * inside strings), so no text can close the element or open a comment;
 * U+2028 and U+2029 too. */
static void json_script(wy_buf *b, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	for (const char *p = s ? s : "{}"; *p; p++) {
		if (*p == '<')
			wy_buf_puts(b, "\\u003c");
		else if (*p == '>')
			wy_buf_puts(b, "\\u003e");
		else if (*p == '&')
			wy_buf_puts(b, "\\u0026");
		else
			wy_buf_putc(b, *p);
	}
	free(s);
}

static void meta(wy_buf *b, const char *attr, const char *name, const char *content)
{
	wy_buf_printf(b, "<meta %s=\"%s\" content=\"", attr, name);
	wy_html_escape(b, content);
	wy_buf_puts(b, "\">\n");
}

void web_seo_head(web_req *rq, const wy_config *site, const json_t *seo, const char *description, const char *title,
		  wy_buf *out)
{
	const char *m = base_mark();
	/* the canonical URL: the page's own path (a list's page number kept),
	 * or the one the page names; a query (filters, a search's terms, a
	 * jump to a page) is another view of the same page */
	wy_buf path;
	wy_buf_init(&path, 4096);
	const char *own = json_string_value(json_object_get(seo, "path"));
	if (own) {
		wy_buf_puts(&path, own);
	} else if (rq->route) {
		path_escape(&path, rq->rest - rq->rest_at);
		int page = web_arg_int(rq->c, "page", 1, 1, 1 << 30);
		if (page > 1)
			wy_buf_printf(&path, "?page=%d", page);
	}
	const char *canon = path.data ? path.data : "/";
	/* a page that is none (404) names no URL */
	bool named = !json_is_false(json_object_get(seo, "canonical"));
	if (named) {
		wy_buf_printf(out, "<link rel=\"canonical\" href=\"%s", m);
		wy_html_escape(out, canon);
		wy_buf_puts(out, "\">\n");
	}
	if (json_is_true(json_object_get(seo, "noindex")))
		meta(out, "name", "robots", "noindex, follow");
	const char *desc = json_string_value(json_object_get(seo, "description"));
	if (!desc)
		desc = description;
	if (desc && *desc)
		meta(out, "name", "description", desc);
	/* Open Graph */
	meta(out, "property", "og:site_name", site->site_name);
	meta(out, "property", "og:title", title);
	const char *type = json_string_value(json_object_get(seo, "og_type"));
	meta(out, "property", "og:type", type ? type : "website");
	if (named) {
		wy_buf_printf(out, "<meta property=\"og:url\" content=\"%s", m);
		wy_html_escape(out, canon);
		wy_buf_puts(out, "\">\n");
	}
	if (desc && *desc)
		meta(out, "property", "og:description", desc);
	const char *image = json_string_value(json_object_get(seo, "image"));
	if (image) {
		wy_buf_printf(out, "<meta property=\"og:image\" content=\"%s", m);
		wy_html_escape(out, image);
		wy_buf_puts(out, "\">\n");
	}
	/* JSON-LD: data, not a script (no CSP applies to it) */
	const json_t *ld = json_object_get(seo, "jsonld");
	if (ld) {
		wy_buf_puts(out, "<script type=\"application/ld+json\">");
		json_script(out, ld);
		wy_buf_puts(out, "</script>\n");
	}
	wy_buf_free(&path);
}

/* The description of a document's page: the first 120 characters of
 * text (its pages' text, else its description), runs of white space one
 * space. */
static json_t *describe(const char *text)
{
	wy_buf b;
	wy_buf_init(&b, 4096);
	bool space = false;
	size_t cps = 0;
	for (const char *p = text ? text : ""; *p && b.len < 2048; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
			space = b.len > 0;
			continue;
		}
		bool lead = ((unsigned char)*p & 0xC0) != 0x80; /* a code point starts */
		if (lead && cps + (space ? 1 : 0) >= 120)
			break;
		if (space) {
			wy_buf_putc(&b, ' ');
			cps++;
		}
		space = false;
		wy_buf_putc(&b, *p);
		cps += lead;
	}
	json_t *v = json_stringn(b.data ? b.data : "", b.len);
	wy_buf_free(&b);
	return v ? v : json_string("");
}

json_t *web_seo_description(const char *text, const char *fallback)
{
	return describe(text && *text ? text : fallback);
}

void web_seo_doc(json_t *ctx, const wy_doc *d, const json_t *page_items, int preview)
{
	const char *m = base_mark();
	json_t *seo = json_object();
	char *url = wy_xasprintf("%s/doc/%lld", m, (long long)d->id);
	char *path = wy_xasprintf("/doc/%lld", (long long)d->id);
	json_object_set_new(seo, "path", json_string(path));
	json_object_set_new(seo, "og_type", json_string("article"));
	/* the first page's image, else the thumbnail */
	const char *img = json_string_value(json_object_get(json_array_get(page_items, 0), "image"));
	if (!img)
		img = json_string_value(json_object_get(ctx, "thumbnail"));
	if (img)
		json_object_set_new(seo, "image", json_string(img));
	json_t *desc = json_object_get(ctx, "meta_description");
	/* the text of the pages a visitor may preview, whoever reads */
	wy_buf text;
	wy_buf_init(&text, 0);
	size_t i;
	json_t *it;
	json_array_foreach(page_items, i, it) {
		if ((int)i >= preview)
			break;
		const char *t = json_string_value(json_object_get(it, "text"));
		if (t && *t) {
			if (text.len)
				wy_buf_puts(&text, "\n\n");
			wy_buf_puts(&text, t);
		}
	}
	char published[32], modified[32];
	w3c_time(d->created_at, published);
	w3c_time(d->updated_at, modified);
	const char *title = d->title && *d->title ? d->title : d->filename ? d->filename : "";
	json_t *ld = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "@context", "https://schema.org", "@type",
			       "DigitalDocument", "name", title, "url", url, "datePublished", published, "dateModified",
			       modified, "numberOfPages", d->pages);
	/* the uploader masked, as the page shows it to visitors (ctx's may
	 * be unmasked for its owner and admins) */
	if (d->uploader && *d->uploader) {
		char masked[64];
		wy_mask_name(d->uploader, masked, sizeof masked);
		json_object_set_new(ld, "author", json_pack("{s:s, s:s}", "@type", "Person", "name", masked));
	}
	if (d->format) {
		const char *mime = web_mime_of(d->format);
		json_object_set_new(ld, "encodingFormat", json_string(mime ? mime : d->format));
	}
	if (json_string_length(desc))
		json_object_set(ld, "description", desc);
	if (img) {
		char *iu = wy_xasprintf("%s%s", m, img);
		json_object_set_new(ld, "image", json_string(iu));
		free(iu);
	}
	if (text.len)
		json_object_set_new(ld, "text", json_stringn(text.data, text.len));
	json_object_set_new(seo, "jsonld", ld);
	json_object_set_new(ctx, "seo", seo);
	wy_buf_free(&text);
	free(url);
	free(path);
}

/* ---- /robots.txt ---- */

enum MHD_Result web_robots(web_req *rq)
{
	wy_config *site = wy_xmalloc(sizeof *site);
	web_site_get(rq->sv, site);
	wy_buf b;
	wy_buf_init(&b, 0);
	if (site->robots_txt[0]) {
		wy_buf_puts(&b, site->robots_txt);
		if (b.data[b.len - 1] != '\n')
			wy_buf_putc(&b, '\n');
	} else {
		/* the accounts' and admins' pages, the API, uploads and
		 * downloads, and the operators' paths: nothing there is for an
		 * index */
		static const char *const kept_out[] = {"/admin", "/me", "/api/", "/upload", "/download/", "/login",
						       "/register", "/logout", "/reset", "/verify", "/captcha",
						       "/healthz", "/readyz", "/metrics", NULL};
		wy_buf_puts(&b, "User-agent: *\n");
		for (int i = 0; kept_out[i]; i++)
			wy_buf_printf(&b, "Disallow: %s\n", kept_out[i]);
		char base[300];
		if (web_seo_base(rq, site, base, sizeof base))
			wy_buf_printf(&b, "\nSitemap: %s/sitemap.xml\n", base);
	}
	free(site);
	struct MHD_Response *r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	return web_queue(rq->c, 200, r);
}

/* ---- the sitemap ---- */

#define NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define INDEX_MAX 50000 /* sitemaps an index may name */

/* One <url>: base, path (percent-encoded already), lastmod. Nothing in
 * them needs XML escaping (the base passed wy_host_valid, the path
 * is percent-encoded), but they are escaped all the same. */
static void url_entry(wy_buf *b, const char *base, const char *path, int64_t lastmod)
{
	char t[32];
	w3c_time(lastmod, t);
	wy_buf_puts(b, "<url><loc>");
	wy_html_escape(b, base);
	wy_html_escape(b, path);
	wy_buf_printf(b, "</loc><lastmod>%s</lastmod></url>\n", t);
}

/* Parts kept, gzip'd, by kind, part, width and the store's epoch and
 * generation of the part: a part is made again only when its list
 * changed (or it was dropped for room: at most PART_CACHE_BYTES, the
 * least recently sent dropped first). Never by the base: a part is kept
 * with the mark where the base goes (as pages are, web_seo_fill), and
 * with the base of the request that made it filled in (site_url, or the
 * Host most asked for): a request naming that base gets the kept copy as
 * it is, one naming another gets the marked one filled in and compressed
 * for it alone (nothing kept), so no Host header can make the server
 * build a part again, nor push the kept ones out. */
#define PART_CACHE_SLOTS 512
#define PART_CACHE_BYTES (64u << 20)

static struct {
	pthread_mutex_t lock;
	size_t bytes;
	uint64_t tick;
	struct part_slot {
		int kind;
		int64_t part, width, epoch, gen;
		char base[300];     /* the base filled in data */
		char *data, *marked; /* gzip'd XML: filled in, and with the mark */
		size_t len, mlen;
		uint64_t used;
	} slot[PART_CACHE_SLOTS];
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A copy of the kept part (its length in *len), or NULL: filled in when
 * it was for base (*filled true), else with the mark. */
static char *kept_get(int kind, int64_t part, int64_t width, int64_t epoch, int64_t gen, const char *base, size_t *len,
		      bool *filled)
{
	char *copy = NULL;
	pthread_mutex_lock(&kept.lock);
	for (int i = 0; i < PART_CACHE_SLOTS; i++) {
		struct part_slot *s = &kept.slot[i];
		if (s->data && s->kind == kind && s->part == part && s->width == width && s->epoch == epoch &&
		    s->gen == gen) {
			s->used = ++kept.tick;
			*filled = strcmp(s->base, base) == 0;
			*len = *filled ? s->len : s->mlen;
			copy = wy_xmalloc(*len);
			memcpy(copy, *filled ? s->data : s->marked, *len);
			break;
		}
	}
	pthread_mutex_unlock(&kept.lock);
	return copy;
}

static void slot_free(struct part_slot *s)
{
	kept.bytes -= s->len + s->mlen;
	free(s->data);
	free(s->marked);
	s->data = s->marked = NULL;
}

static void kept_put(int kind, int64_t part, int64_t width, int64_t epoch, int64_t gen, const char *base,
		     const char *data, size_t len, const char *marked, size_t mlen)
{
	if (len + mlen > PART_CACHE_BYTES / 4)
		return;
	pthread_mutex_lock(&kept.lock);
	/* its own slot (an older generation), else a free one; then room
	 * made, the least recently sent first (its slot taken when none was
	 * free) */
	struct part_slot *to = NULL;
	for (int i = 0; i < PART_CACHE_SLOTS && !to; i++)
		if (kept.slot[i].data && kept.slot[i].kind == kind && kept.slot[i].part == part &&
		    kept.slot[i].width == width)
			to = &kept.slot[i];
	for (int i = 0; i < PART_CACHE_SLOTS && !to; i++)
		if (!kept.slot[i].data)
			to = &kept.slot[i];
	if (to && to->data)
		slot_free(to);
	while (!to || kept.bytes + len + mlen > PART_CACHE_BYTES) {
		struct part_slot *old = NULL;
		for (int i = 0; i < PART_CACHE_SLOTS; i++)
			if (kept.slot[i].data && (!old || kept.slot[i].used < old->used))
				old = &kept.slot[i];
		if (!old)
			break;
		slot_free(old);
		if (!to)
			to = old;
	}
	to->kind = kind;
	to->part = part;
	to->width = width;
	to->epoch = epoch;
	to->gen = gen;
	snprintf(to->base, sizeof to->base, "%s", base);
	to->data = wy_xmalloc(len);
	memcpy(to->data, data, len);
	to->len = len;
	to->marked = wy_xmalloc(mlen);
	memcpy(to->marked, marked, mlen);
	to->mlen = mlen;
	to->used = ++kept.tick;
	kept.bytes += len + mlen;
	pthread_mutex_unlock(&kept.lock);
}

/* data[0..len) as a gzip stream at zlib level `level` (malloc'd, its length in *out), whatever
 * its size (gzip.c's web_gzip keeps small answers as they are: a part
 * is kept gzip'd, small or not, so that one path serves them all). */
static char *gzip_all(const char *data, size_t len, int level, size_t *out)
{
	z_stream z = {0};
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, (uLong)len) + 32;
	char *buf = wy_xmalloc(cap);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)cap;
	int zr = deflate(&z, Z_FINISH);
	*out = cap - z.avail_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A gzip stream inflated (malloc'd, its length in *out), or NULL. */
static char *gunzip_all(const char *data, size_t len, size_t *out)
{
	z_stream z = {0};
	wy_buf b;
	wy_buf_init(&b, 0);
	char chunk[65536];
	int zr = inflateInit2(&z, 15 + 16) == Z_OK ? Z_OK : Z_DATA_ERROR;
	z.next_in = (unsigned char *)data;
	z.avail_in = (unsigned)len;
	while (zr == Z_OK) {
		z.next_out = (unsigned char *)chunk;
		z.avail_out = sizeof chunk;
		zr = inflate(&z, Z_NO_FLUSH);
		wy_buf_append(&b, chunk, sizeof chunk - z.avail_out);
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		wy_buf_free(&b);
		return NULL;
	}
	*out = b.len;
	return b.len ? wy_buf_steal(&b) : (wy_buf_free(&b), wy_xstrdup(""));
}

static bool takes_gzip(web_req *rq)
{
	return web_accepts_gzip(MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, "Accept-Encoding"));
}

/* Send XML that is gzip'd (gz: data is a gzip stream) or not: as it is
 * to a client that takes gzip, else inflated. Takes data. */
static enum MHD_Result send_xml(web_req *rq, char *data, size_t len, bool gz)
{
	struct MHD_Connection *c = rq->c;
	if (gz && !takes_gzip(rq)) {
		size_t n;
		char *plain = gunzip_all(data, len, &n);
		free(data);
		if (!plain)
			return web_text(c, 500, "the sitemap could not be read back\n");
		len = n;
		data = plain;
		gz = false;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/xml; charset=utf-8");
	MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	return web_queue(c, 200, r);
}

/* Send a kept part that holds the mark (gzip'd): the request's base
 * filled in, compressed again for a client that takes gzip. Takes data. */
static enum MHD_Result send_marked(web_req *rq, char *data, size_t len)
{
	size_t n;
	char *plain = gunzip_all(data, len, &n);
	free(data);
	if (!plain)
		return web_text(rq->c, 500, "the sitemap could not be read back\n");
	web_seo_fill(rq, &plain, &n);
	size_t zl;
	/* the fastest level: for one answer, not kept (a part of 50,000
	 * URLs: about 25 ms and 330 KB, against 60 ms and 260 KB at 6) */
	char *z = takes_gzip(rq) ? gzip_all(plain, n, 1, &zl) : NULL;
	if (!z)
		return send_xml(rq, plain, n, false);
	free(plain);
	return send_xml(rq, z, zl, true);
}

/* The latest change among parts of kind (-1: any) (now when none). */
static int64_t latest(const wy_sitemap_part *p, int n, int kind)
{
	int64_t t = 0;
	for (int i = 0; i < n; i++)
		if ((kind < 0 || p[i].kind == kind) && p[i].changed_at > t)
			t = p[i].changed_at;
	return t ? t : (int64_t)time(NULL);
}

/* The articles part's URLs into b (when b is not NULL): the list page
 * /articles and every article a visitor may read, and the latest change
 * among them; how many articles (0: no part). */
static int articles(wy_store *st, const char *base, wy_buf *b, int64_t *last, wy_errinfo *ei)
{
	*last = 0;
	wy_article_list l = {0};
	int total = 0;
	int rc = wy_store_article_list(st, NULL, false, (int64_t)time(NULL), 0, WY_ARTICLES_MAX, &l, &total, ei);
	if (rc)
		return -1;
	for (int i = 0; i < l.n; i++) {
		const wy_article *a = &l.items[i];
		int64_t t = a->updated_at > a->published_at ? a->updated_at : a->published_at;
		if (t > *last)
			*last = t;
		if (b) {
			wy_buf path;
			wy_buf_init(&path, 0);
			wy_buf_puts(&path, "/article/");
			path_escape(&path, a->slug);
			url_entry(b, base, path.data, t);
			wy_buf_free(&path);
		}
	}
	if (b && l.n)
		url_entry(b, base, "/articles", *last);
	int n = l.n;
	wy_article_list_clear(&l);
	return n;
}

/* The part named name of a sitemap: docs-N, collections-N (N from 1: ids
 * [(N-1)*width, N*width)), categories, articles; 404 for any other and
 * for one that lists nothing. */
static enum MHD_Result part(web_req *rq, wy_store *st, const char *base, int width, const char *name)
{
	int kind = -1;
	const char *num = NULL;
	if (strncmp(name, "docs-", 5) == 0)
		kind = WY_SITEMAP_DOCS, num = name + 5;
	else if (strncmp(name, "collections-", 12) == 0)
		kind = WY_SITEMAP_COLLECTIONS, num = name + 12;
	wy_errinfo ei = {0};
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"" NS "\">\n");
	int n = 0;
	if (kind >= 0) {
		int64_t k;
		if (!web_path_id(num, &k) || k > (INT64_MAX / 2) / width) {
			wy_buf_free(&b);
			return web_not_found(rq);
		}
		int64_t epoch, gen, listed;
		if (wy_store_sitemap_gen(st, kind, k - 1, width, &epoch, &gen, &listed, &ei)) {
			wy_buf_free(&b);
			return web_unavailable(rq);
		}
		if (listed <= 0) {
			wy_buf_free(&b);
			return web_not_found(rq);
		}
		size_t len;
		bool filled;
		char *hit = kept_get(kind, k - 1, width, epoch, gen, base, &len, &filled);
		if (hit) {
			wy_buf_free(&b);
			return filled ? send_xml(rq, hit, len, true) : send_marked(rq, hit, len);
		}
		wy_sitemap_url *u;
		if (wy_store_sitemap_urls(st, kind, k - 1, width, &u, &n, &epoch, &gen, &ei)) {
			wy_buf_free(&b);
			return web_unavailable(rq);
		}
		for (int i = 0; i < n; i++) {
			char path[48];
			snprintf(path, sizeof path, kind == WY_SITEMAP_DOCS ? "/doc/%lld" : "/collection/%lld", (long long)u[i].id);
			url_entry(&b, base_mark(), path, u[i].lastmod);
		}
		free(u);
		wy_buf_puts(&b, "</urlset>\n");
		if (n == 0) {
			wy_buf_free(&b);
			return web_not_found(rq);
		}
		web_metrics_sitemap_built();
		wy_log("seo.sitemap_part", "kind=%d part=%lld urls=%d", kind, (long long)k, n);
		/* kept with the mark, and filled in for this request's base */
		size_t ml, zl, fl = b.len;
		char *mz = gzip_all(b.data, b.len, 6, &ml);
		char *f = wy_xmalloc(b.len);
		memcpy(f, b.data, b.len);
		wy_buf_free(&b);
		web_seo_fill(rq, &f, &fl);
		char *z = mz ? gzip_all(f, fl, 6, &zl) : NULL;
		if (!z) {
			free(mz);
			return send_xml(rq, f, fl, false);
		}
		free(f);
		kept_put(kind, k - 1, width, epoch, gen, base, z, zl, mz, ml);
		free(mz);
		return send_xml(rq, z, zl, true);
	}
	if (strcmp(name, "categories") == 0) {
		/* the pages that list documents: they change with any document
		 * (a category's page lists its newest), so they carry the
		 * latest change of any */
		wy_sitemap_part *p;
		int np;
		int64_t epoch;
		wy_str_list cats;
		if (wy_store_sitemap_parts(st, width, &p, &np, &epoch, &ei)) {
			wy_buf_free(&b);
			return web_unavailable(rq);
		}
		if (wy_store_sitemap_categories(st, &cats, &ei)) {
			free(p);
			wy_buf_free(&b);
			return web_unavailable(rq);
		}
		int64_t docs = latest(p, np, WY_SITEMAP_DOCS), colls = latest(p, np, WY_SITEMAP_COLLECTIONS);
		free(p);
		url_entry(&b, base, "/", docs);
		url_entry(&b, base, "/collections", colls);
		n = 2;
		for (int i = 0; i < cats.n && n < INDEX_MAX; i++, n++) { /* the protocol's 50,000 */
			wy_buf path;
			wy_buf_init(&path, 0);
			wy_buf_puts(&path, "/category/");
			path_escape(&path, cats.items[i]);
			url_entry(&b, base, path.data, docs);
			wy_buf_free(&path);
		}
		wy_str_list_clear(&cats);
	} else if (strcmp(name, "articles") == 0) {
		int64_t last;
		n = articles(st, base, &b, &last, &ei);
		if (n < 0) {
			wy_buf_free(&b);
			return web_unavailable(rq);
		}
	}
	wy_buf_puts(&b, "</urlset>\n");
	if (n <= 0) {
		wy_buf_free(&b);
		return web_not_found(rq);
	}
	size_t bl = b.len;
	return send_xml(rq, wy_buf_steal(&b), bl, false);
}

static void index_entry(wy_buf *b, const char *base, const char *name, int64_t lastmod)
{
	char t[32];
	w3c_time(lastmod, t);
	wy_buf_puts(b, "<sitemap><loc>");
	wy_html_escape(b, base);
	wy_buf_printf(b, "/sitemap/%s.xml</loc><lastmod>%s</lastmod></sitemap>\n", name, t);
}

/* GET /sitemap.xml (the index) and /sitemap/NAME.xml (a part). */
enum MHD_Result web_sitemap(web_req *rq)
{
	wy_config *site = wy_xmalloc(sizeof *site);
	web_site_get(rq->sv, site);
	char base[300];
	bool ok = web_seo_base(rq, site, base, sizeof base);
	int width = site->sitemap_part_urls;
	free(site);
	if (!ok)
		return web_refuse(rq, 400, "the Host header is not a host name (set site_url)");
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(rq->sv, &st, &ei))
		return web_unavailable(rq);
	const char *url = rq->rest - rq->rest_at;
	if (strcmp(url, "/sitemap.xml") != 0) {
		/* /sitemap/NAME.xml */
		const char *name = rq->rest;
		size_t n = strlen(name);
		char nm[64];
		if (n <= 4 || n - 4 >= sizeof nm || strcmp(name + n - 4, ".xml") != 0)
			return web_not_found(rq);
		memcpy(nm, name, n - 4);
		nm[n - 4] = 0;
		return part(rq, st, base, width, nm);
	}
	wy_sitemap_part *p;
	int np;
	int64_t epoch;
	if (wy_store_sitemap_parts(st, width, &p, &np, &epoch, &ei))
		return web_unavailable(rq);
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"" NS "\">\n");
	index_entry(&b, base, "categories", latest(p, np, -1));
	int64_t last;
	int na = articles(st, base, NULL, &last, &ei);
	if (na > 0)
		index_entry(&b, base, "articles", last);
	int listed = 1 + (na > 0);
	for (int i = 0; i < np; i++) {
		if (listed >= INDEX_MAX) {
			wy_warn("seo.sitemap_full", "parts=%d msg=\"more parts than an index may name: raise sitemap_part_urls\"", np);
			break;
		}
		char name[48];
		snprintf(name, sizeof name, "%s-%lld", p[i].kind == WY_SITEMAP_DOCS ? "docs" : "collections",
			 (long long)p[i].part + 1);
		index_entry(&b, base, name, p[i].changed_at);
		listed++;
	}
	free(p);
	wy_buf_puts(&b, "</sitemapindex>\n");
	size_t bl = b.len;
	return send_xml(rq, wy_buf_steal(&b), bl, false);
}

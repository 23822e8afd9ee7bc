/* web/server: `wenyuan serve`. For now a plain site: the list of documents
 * with their status, a page per document with its page images and text, and
 * the blobs themselves (immutable, so cached for a year by ETag = name).
 * The real site (templates, search, accounts) replaces the pages later; the
 * rules stay: every byte of user data is HTML-escaped, paths come only from
 * validated blob names, and serve never parses document content. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "text/query.h"
#include "text/utf8.h"
#include "web/conn_guard.h"
#include "web/i18n.h"
#include "web/template.h"
#include "web/views.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The request this thread handles now (web_cur). */
static __thread web_req *cur_req;

web_req *web_cur(void)
{
	static const web_req none; /* outside a request: nobody */
	return cur_req ? cur_req : (web_req *)&none;
}

void web_site_get(server *sv, web_site *out)
{
	pthread_mutex_lock(&sv->site_lock);
	const wy_config *s = &sv->site;
	snprintf(out->name, sizeof out->name, "%s", s->site_name);
	snprintf(out->footer, sizeof out->footer, "%s", s->site_footer);
	snprintf(out->icp, sizeof out->icp, "%s", s->site_icp);
	out->preview_pages = s->preview_pages;
	out->max_upload_mb = s->max_upload_mb;
	out->download_price = s->download_price;
	out->upload_review = s->upload_review;
	out->points_upload = s->points_upload;
	out->points_signin = s->points_signin;
	out->points_register = s->points_register;
	pthread_mutex_unlock(&sv->site_lock);
}

static volatile sig_atomic_t serve_stop;

static void on_stop(int sig)
{
	(void)sig;
	serve_stop = 1;
}

/* SIGCHLD only interrupts the serve loop's sleep, so a dead worker is
 * noticed at once. */
static void on_child(int sig) { (void)sig; }

/* Every response leaves through here: the security headers are on all of
 * them, errors and images included. Takes r. */
enum MHD_Result web_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
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

/* View and download counters, visits and the query log. A write per page
 * view would serialize the request threads on the database's write lock,
 * so they gather in memory and the serve loop writes them in one
 * transaction a second (and when the server stops): a crash loses at most
 * a second of them. Past the slots of a second, visits and queries are
 * dropped (they are samples for recommendations); counts merge per
 * document. */
#define COUNTER_SLOTS 4096

#define LOG_SLOTS 256

typedef struct counters {
	pthread_mutex_t lock;
	int64_t ids[2][COUNTER_SLOTS], counts[2][COUNTER_SLOTS]; /* [0] views, [1] downloads */
	int n[2];
	/* who read what (anonymous visitor ids), for "also read" */
	uint64_t visitor[COUNTER_SLOTS];
	int64_t visited[COUNTER_SLOTS];
	int nvisits;
	/* searches (doc 0) and results opened from them */
	char *query[LOG_SLOTS];
	int64_t query_doc[LOG_SLOTS];
	int nqueries;
} counters;

static counters hits = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void flush_counts(wy_store *st)
{
	int64_t ids[COUNTER_SLOTS], counts[COUNTER_SLOTS];
	for (int k = 0; k < 2; k++) {
		pthread_mutex_lock(&hits.lock);
		int n = hits.n[k];
		memcpy(ids, hits.ids[k], (size_t)n * sizeof ids[0]);
		memcpy(counts, hits.counts[k], (size_t)n * sizeof counts[0]);
		hits.n[k] = 0;
		pthread_mutex_unlock(&hits.lock);
		if (n && wy_store_doc_add_counts(st, ids, counts, n, k == 1, NULL))
			wy_warn("serve.counts_lost", "n=%d", n);
	}
	static uint64_t vis[COUNTER_SLOTS];
	static int64_t vdoc[COUNTER_SLOTS];
	static pthread_mutex_t flush_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&flush_lock); /* the static copies above are shared */
	pthread_mutex_lock(&hits.lock);
	int nv = hits.nvisits, nq = hits.nqueries;
	memcpy(vis, hits.visitor, (size_t)nv * sizeof vis[0]);
	memcpy(vdoc, hits.visited, (size_t)nv * sizeof vdoc[0]);
	char *q[LOG_SLOTS];
	int64_t qd[LOG_SLOTS];
	memcpy(q, hits.query, (size_t)nq * sizeof q[0]);
	memcpy(qd, hits.query_doc, (size_t)nq * sizeof qd[0]);
	hits.nvisits = hits.nqueries = 0;
	pthread_mutex_unlock(&hits.lock);
	if (nv && wy_store_visits_add(st, vis, vdoc, nv, NULL))
		wy_warn("serve.visits_lost", "n=%d", nv);
	pthread_mutex_unlock(&flush_lock);
	for (int i = 0; i < nq; i++) {
		wy_store_search_log(st, q[i], qd[i], NULL);
		free(q[i]);
	}
}

/* Note that visitor read doc id (batched like the counts). */
void web_count_visit(uint64_t visitor, int64_t id)
{
	pthread_mutex_lock(&hits.lock);
	if (hits.nvisits < COUNTER_SLOTS) {
		hits.visitor[hits.nvisits] = visitor;
		hits.visited[hits.nvisits++] = id;
	}
	pthread_mutex_unlock(&hits.lock);
}

/* Log a search (doc 0) or a result opened from one. */
static void log_query(const char *query, int64_t doc)
{
	if (!query || !*query)
		return;
	pthread_mutex_lock(&hits.lock);
	if (hits.nqueries < LOG_SLOTS) {
		hits.query[hits.nqueries] = wy_xstrdup(query);
		hits.query_doc[hits.nqueries++] = doc;
	}
	pthread_mutex_unlock(&hits.lock);
}

/* A 64-bit keyed hash (SipHash, a key made at start) of text: for the
 * tags of search result links, and for visitors' addresses, which are
 * never kept as they are. Never 0. */
static unsigned char keyed_key[crypto_shorthash_KEYBYTES];
static pthread_once_t keyed_once = PTHREAD_ONCE_INIT;
static void keyed_init(void) { randombytes_buf(keyed_key, sizeof keyed_key); }

static uint64_t keyed(const char *text)
{
	unsigned char h[crypto_shorthash_BYTES];
	pthread_once(&keyed_once, keyed_init);
	crypto_shorthash(h, (const unsigned char *)text, strlen(text), keyed_key);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	return v | 1;
}

/* Who is asking, for counting each visitor once: the client's address
 * (behind a trusted proxy, the one it names), hashed. */
static uint64_t visitor_key(server *sv, struct MHD_Connection *c)
{
	char addr[80];
	web_client_addr(sv, c, addr, sizeof addr);
	return keyed(addr);
}

/* The tag a results page puts on its link to document id for query (the
 * display form): a visit with it came from the site's own search and
 * this document was among the results. 16 hex digits. */
static void result_tag(int64_t id, const char *query, char out[17])
{
	char *text = wy_xasprintf("result %lld %s", (long long)id, query);
	snprintf(out, 17, "%016llx", (unsigned long long)keyed(text));
	free(text);
}

/* Related searches are what visitors searched before opening a document.
 * They are shown to everyone, so one person must not be able to put text
 * there: a query counts only when it came from a results page (its tag)
 * and once a second visitor (another address) opened the document from
 * it; then both visits are logged. Until then the first visitor waits
 * here, in memory: a restart, or another pair taking the slot, only
 * delays a query. */
#define CLICK_SLOTS 4096

static struct {
	pthread_mutex_t lock;
	uint64_t key[CLICK_SLOTS];   /* the (document, query) pair; 0: free */
	uint64_t first[CLICK_SLOTS]; /* its first visitor */
	bool counts[CLICK_SLOTS];    /* a second visitor came */
} clicks = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void log_click(const char *query, int64_t doc, uint64_t visitor)
{
	char *text = wy_xasprintf("click %lld %s", (long long)doc, query);
	uint64_t k = keyed(text);
	free(text);
	unsigned slot = (unsigned)(k % CLICK_SLOTS);
	int n = 0;
	pthread_mutex_lock(&clicks.lock);
	if (clicks.key[slot] != k) {
		clicks.key[slot] = k;
		clicks.first[slot] = visitor;
		clicks.counts[slot] = false;
	} else if (clicks.counts[slot]) {
		n = 1;
	} else if (clicks.first[slot] != visitor) {
		clicks.counts[slot] = true;
		n = 2;
	}
	pthread_mutex_unlock(&clicks.lock);
	while (n-- > 0)
		log_query(query, doc);
}

/* Downloads are counted once a day per visitor (its account, else its
 * address) and document: the keys of those counted today, in memory
 * (a restart, or a crowd of other downloads taking a slot, may count one
 * again: counts are for ranking, not money). */
#define DOWNLOAD_SLOTS 8192

static struct {
	pthread_mutex_t lock;
	uint64_t key[DOWNLOAD_SLOTS];
} downloads_seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

void web_count_download(server *sv, struct MHD_Connection *c, const web_req *r, int64_t id)
{
	/* the site's day, China time (as the daily sign-in) */
	long long day = (long long)((wy_now() + 8 * 3600) / 86400);
	char *text = r && r->authed
			     ? wy_xasprintf("download %lld %lld user %lld", day, (long long)id, (long long)r->user.id)
			     : wy_xasprintf("download %lld %lld addr %016llx", day, (long long)id,
					    (unsigned long long)visitor_key(sv, c));
	uint64_t k = keyed(text);
	free(text);
	unsigned slot = (unsigned)(k % DOWNLOAD_SLOTS);
	pthread_mutex_lock(&downloads_seen.lock);
	bool seen = downloads_seen.key[slot] == k;
	downloads_seen.key[slot] = k;
	pthread_mutex_unlock(&downloads_seen.lock);
	if (!seen)
		web_count_hit(id, true);
}

void web_count_hit(int64_t id, bool download)
{
	int k = download, i;
	pthread_mutex_lock(&hits.lock);
	for (i = 0; i < hits.n[k] && hits.ids[k][i] != id; i++)
		;
	if (i == hits.n[k] && i < COUNTER_SLOTS) {
		hits.ids[k][i] = id;
		hits.counts[k][i] = 0;
		hits.n[k]++;
	}
	if (i < COUNTER_SLOTS)
		hits.counts[k][i]++;
	pthread_mutex_unlock(&hits.lock);
}

/* Each request thread keeps its own store connection for its life: opening
 * one costs a file open and a schema check, more than most requests. The
 * thread-local pointer is the fast path; the key's destructor closes the
 * connection when the thread ends (the server stops). */
static __thread wy_store *thread_store;
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

static void close_thread_store(void *st) { wy_store_close(st); }
static void make_store_key(void) { pthread_key_create(&store_key, close_thread_store); }

int web_store(server *sv, wy_store **st, wy_errinfo *ei)
{
	if (!thread_store) {
		int rc = wy_store_open(sv->cfg->data_dir, &thread_store, ei);
		if (rc)
			return rc;
		wy_upload_points rule = {sv->cfg->points_upload, sv->cfg->points_upload_daily,
					 sv->cfg->points_upload_min_chars};
		wy_store_upload_points_set(thread_store, &rule);
		pthread_once(&store_key_once, make_store_key);
		pthread_setspecific(store_key, thread_store);
	}
	*st = thread_store;
	return WY_OK;
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

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	wy_buf *b = cls;
	if (strcmp(key, "lang") == 0)
		return MHD_YES;
	wy_buf_putc(b, b->len ? '&' : '?');
	web_url_escape(b, key);
	if (value) {
		wy_buf_putc(b, '=');
		web_url_escape(b, value);
	}
	return MHD_YES;
}

/* The language switch's link: this page (a relative URL, the same query
 * but for lang) in lang. A query too long to repeat is dropped. */
static char *lang_url(struct MHD_Connection *c, const char *lang)
{
	wy_buf b;
	wy_buf_init(&b, 2048);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, &b);
	if (wy_buf_printf(&b, "%clang=%s", b.len ? '&' : '?', lang)) {
		wy_buf_free(&b);
		return wy_xasprintf("?lang=%s", lang);
	}
	return wy_buf_steal(&b);
}

/* Render tpl with ctx into the site's frame, in the request's language,
 * and send it. Takes ctx. title is shown as it is: translate UI text
 * before (wy_i18n_tr(web_lang(c), ...)). */
/* Send a rendered page (takes data, len bytes, malloc'd). */
enum MHD_Result web_respond_page(struct MHD_Connection *c, unsigned status, char *data, size_t len,
				    const char *cookie)
{
	const char *lang = web_lang(c);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Content-Language", wy_i18n_html_lang(lang));
	MHD_add_response_header(r, "Vary", "Accept-Language, Cookie");
	/* ?lang= is a choice: remembered, so links followed stay in it. */
	const char *asked = wy_i18n_supported(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"));
	if (asked) {
		char lc[96];
		snprintf(lc, sizeof lc, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", asked);
		MHD_add_response_header(r, "Set-Cookie", lc);
	}
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	web_req *rq = web_cur();
	web_auth_cookies(rq, r);
	if (rq->authed)
		MHD_add_response_header(r, "Cache-Control", "private, no-cache");
	return web_queue(c, status, r);
}

/* Render tpl with ctx into the site's frame in the request's language:
 * the page into *out (the caller frees it). Takes ctx. */
int web_render_page(server *sv, struct MHD_Connection *c, const char *title, const wy_template *tpl, json_t *ctx,
		       wy_buf *out)
{
	const char *lang = web_lang(c);
	web_req *rq = web_cur();
	web_site site;
	web_site_get(sv, &site);
	/* who is reading, and the token of the forms on the page */
	json_t *me = rq->authed ? json_pack("{s:I, s:s, s:b}", "id", (json_int_t)rq->user.id, "name", rq->user.name,
					    "admin", rq->user.role == WY_ROLE_ADMIN)
				: json_null();
	const char *csrf = rq->authed || rq->csrf_form ? rq->csrf : "";
	json_object_set(ctx, "me", me);
	json_object_set_new(ctx, "csrf", json_string(csrf));
	wy_buf body, page;
	wy_buf_init(&body, 32u << 20);
	wy_buf_init(&page, 33u << 20);
	int rc = wy_template_render_lang(tpl, ctx, lang, &body);
	json_decref(ctx);
	if (!rc) {
		char *zh = lang_url(c, "zh"), *en = lang_url(c, "en");
		json_t *frame = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:s}", "title", title, "body",
					  body.data ? body.data : "", "footer", site.footer, "icp", site.icp, "site_name",
					  site.name, "html_lang", wy_i18n_html_lang(lang), "lang_zh_url", zh, "lang_en_url", en,
					  "me", me, "csrf", csrf);
		free(zh);
		free(en);
		rc = wy_template_render_lang(sv->base, frame, lang, &page);
		json_decref(frame);
	}
	json_decref(me);
	wy_buf_free(&body);
	if (rc)
		wy_buf_free(&page);
	else
		*out = page;
	return rc;
}

enum MHD_Result web_page_cookie(server *sv, struct MHD_Connection *c, unsigned status, const char *title,
					const wy_template *tpl, json_t *ctx, const char *cookie)
{
	wy_buf page;
	if (web_render_page(sv, c, title, tpl, ctx, &page))
		return web_text(c, 500, "the page could not be rendered\n");
	size_t len = page.len;
	return web_respond_page(c, status, wy_buf_steal(&page), len, cookie);
}

/* Rendered document pages, kept a few seconds: a popular document's page is
 * asked for far more often than anything on it changes (its related
 * documents and searches move slowly; a re-conversion shows within
 * PAGE_CACHE_MS). Only pages asked for without a query string are kept,
 * per language; direct-mapped, a slot a document and language. */
#define PAGE_CACHE_SLOTS 512
#define PAGE_CACHE_MS 5000
#define PAGE_CACHE_MAX (512u << 10)

static struct page_cache {
	pthread_mutex_t lock;
	struct {
		int64_t id;
		const char *lang;
		int64_t at_ms;
		char *data;
		size_t len;
	} slot[PAGE_CACHE_SLOTS];
} page_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned cache_slot(int64_t id, const char *lang)
{
	return (unsigned)(((uint64_t)id * 2654435761u) ^ (uint64_t)(lang[0] == 'e')) % PAGE_CACHE_SLOTS;
}

/* A copy of the cached page of document id in lang, or NULL. */
static char *cache_get(int64_t id, const char *lang, size_t *len)
{
	char *copy = NULL;
	unsigned k = cache_slot(id, lang);
	pthread_mutex_lock(&page_cache.lock);
	if (page_cache.slot[k].data && page_cache.slot[k].id == id && strcmp(page_cache.slot[k].lang, lang) == 0 &&
	    wy_now_ms() - page_cache.slot[k].at_ms < PAGE_CACHE_MS) {
		*len = page_cache.slot[k].len;
		copy = wy_xmalloc(*len ? *len : 1);
		memcpy(copy, page_cache.slot[k].data, *len);
	}
	pthread_mutex_unlock(&page_cache.lock);
	return copy;
}

static void cache_put(int64_t id, const char *lang, const char *data, size_t len)
{
	if (len > PAGE_CACHE_MAX)
		return;
	char *copy = wy_xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	unsigned k = cache_slot(id, lang);
	pthread_mutex_lock(&page_cache.lock);
	char *old = page_cache.slot[k].data;
	page_cache.slot[k].id = id;
	page_cache.slot[k].lang = lang;
	page_cache.slot[k].at_ms = wy_now_ms();
	page_cache.slot[k].data = copy;
	page_cache.slot[k].len = len;
	pthread_mutex_unlock(&page_cache.lock);
	free(old);
}

static enum MHD_Result count_args(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	(*(int *)cls)++;
	return MHD_YES;
}

enum MHD_Result web_page(server *sv, struct MHD_Connection *c, unsigned status, const char *title,
				 const wy_template *tpl, json_t *ctx)
{
	return web_page_cookie(sv, c, status, title, tpl, ctx, NULL);
}

enum MHD_Result web_redirect(struct MHD_Connection *c, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Location", location);
	return web_queue(c, 303, r);
}

enum MHD_Result web_message(server *sv, struct MHD_Connection *c, unsigned status, const char *title,
			    const char *text, const char *back)
{
	return web_page(sv, c, status, title, sv->message,
			json_pack("{s:s, s:s, s:s}", "title", title, "text", text ? text : "", "back", back ? back : "/"));
}

void web_paging(json_t *ctx, int total, int page, int per)
{
	int pages = total ? (total + per - 1) / per : 1;
	json_object_set_new(ctx, "total", json_integer(total));
	json_object_set_new(ctx, "page", json_integer(page));
	json_object_set_new(ctx, "pages", json_integer(pages));
	if (page > 1)
		json_object_set_new(ctx, "prev", json_integer(page - 1));
	if (page < pages)
		json_object_set_new(ctx, "next", json_integer(page + 1));
}

bool web_wants_json(struct MHD_Connection *c, const char *url)
{
	if (url && strncmp(url, "/api/", 5) == 0)
		return true;
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	return accept && strncmp(accept, "application/json", 16) == 0;
}

enum MHD_Result web_not_found(server *sv, struct MHD_Connection *c)
{
	return web_page(sv, c, 404, wy_i18n_tr(web_lang(c), "未找到"), sv->notfound, json_object());
}

/* What the pages show of a document besides its JSON view. */
/* What the pages show of a document besides its JSON view, from that view
 * (so a view made elsewhere, as for search results, gets them too). */
static void add_display(json_t *o)
{
	const char *title = json_string_value(json_object_get(o, "title"));
	const char *name = json_string_value(json_object_get(o, "filename"));
	const char *format = json_string_value(json_object_get(o, "format"));
	char size[32];
	wy_format_size(json_integer_value(json_object_get(o, "size")), size, sizeof size);
	json_object_set_new(o, "size_text", json_string(size));
	json_object_set_new(o, "display_title", json_string(title ? title : name ? name : ""));
	char badge[16] = "";
	for (size_t i = 0; format && format[i] && i < sizeof badge - 1; i++)
		badge[i] = (char)(format[i] >= 'a' && format[i] <= 'z' ? format[i] - 32 : format[i]);
	json_object_set_new(o, "format_badge", json_string(badge));
	char date[16];
	time_t t = (time_t)json_integer_value(json_object_get(o, "created_at"));
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	json_object_set_new(o, "date", json_string(date));
}

/* What the pages show of a document. */
json_t *web_doc_context(const wy_doc *d)
{
	json_t *o = wy_view_doc(d);
	add_display(o);
	json_object_set_new(o, "ready", json_boolean(d->status == WY_DOC_READY));
	if (d->status == WY_DOC_CONVERTING && d->progress_total) {
		char pr[32];
		snprintf(pr, sizeof pr, "%d/%d", d->progress_done, d->progress_total);
		json_object_set_new(o, "progress", json_string(pr));
	}
	return o;
}

json_t *web_docs_context(const wy_doc_list *l)
{
	json_t *a = json_array();
	for (int i = 0; i < l->n; i++)
		json_array_append_new(a, web_doc_context(&l->items[i]));
	return a;
}

/* Home: the category tree (two levels), the newest and the most viewed
 * ready documents, and the whole list with each document's status. */
static json_t *home_context(server *sv)
{
	wy_store *st;
	wy_errinfo ei = {0};
	wy_doc_list all = {0}, popular = {0};
	wy_category_list cats = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_doc_list(st, 0, 500, &all, &ei);
	if (!rc)
		rc = wy_store_doc_popular(st, 10, &popular, &ei);
	if (!rc)
		rc = wy_store_category_list(st, &cats, &ei);
	if (rc) {
		wy_doc_list_clear(&all);
		wy_doc_list_clear(&popular);
		return NULL;
	}
	json_t *tops = json_array(), *cur = NULL;
	for (int i = 0; i < cats.n; i++) {
		const wy_category *k = &cats.items[i];
		if (k->depth > 1)
			continue;
		char *url = wy_xasprintf("/category/%s", k->path);
		json_t *o = json_pack("{s:s, s:s}", "name", k->name, "url", url);
		free(url);
		if (k->depth == 0) {
			cur = o;
			json_object_set_new(cur, "children", json_array());
			json_array_append_new(tops, cur);
		} else if (cur) {
			json_array_append_new(json_object_get(cur, "children"), o);
		} else {
			json_decref(o);
		}
	}
	wy_category_list_clear(&cats);
	json_t *fresh = json_array();
	/* what everyone may see: published public documents (imports and
	 * uploads, converting or failed ones too: the operator's list) */
	int keep = 0;
	for (int i = 0; i < all.n; i++) {
		if (all.items[i].state == WY_STATE_PUBLISHED && !all.items[i].private_)
			all.items[keep++] = all.items[i];
		else
			wy_doc_clear(&all.items[i]);
	}
	all.n = keep;
	for (int i = 0; i < all.n && json_array_size(fresh) < 10; i++)
		if (all.items[i].status == WY_DOC_READY)
			json_array_append_new(fresh, web_doc_context(&all.items[i]));
	json_t *ctx = json_pack("{s:o, s:o, s:o, s:o, s:i}", "categories", tops, "newest", fresh, "popular",
				web_docs_context(&popular), "documents", web_docs_context(&all), "total", all.n);
	wy_doc_list_clear(&all);
	wy_doc_list_clear(&popular);
	return ctx;
}

static enum MHD_Result page_index(server *sv, struct MHD_Connection *c)
{
	json_t *ctx = home_context(sv);
	return ctx ? web_page(sv, c, 200, wy_i18n_tr(web_lang(c), "首页"), sv->index, ctx)
		   : web_text(c, 503, "store unavailable\n");
}

/* "a/b" -> [{name: a, url: /category/a}, {name: b, url: /category/a/b}] */
json_t *web_breadcrumb(const char *path)
{
	json_t *a = json_array();
	for (const char *p = path; p && *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *url = wy_xasprintf("/category/%.*s", (int)(p + n - path), path);
		json_array_append_new(a, json_pack("{s:s%, s:s}", "name", p, n, "url", url));
		free(url);
		p += n;
		if (*p == '/')
			p++;
	}
	return a;
}

/* 猜你喜欢, simply for now: the most viewed documents that are neither this
 * one nor already among its related ones. */
/* 猜你喜欢: what visitors of this document also read, else the most read
 * of its category; never what "related" already shows. */
static json_t *you_may_like(wy_store *st, int64_t id, json_t *related)
{
	json_t *a = json_array();
	int64_t ex[16];
	int nex = 0;
	size_t k;
	json_t *r;
	json_array_foreach(related, k, r) if (nex < 16) ex[nex++] = json_integer_value(json_object_get(r, "id"));
	wy_doc_list l = {0};
	if (wy_store_doc_also_read(st, id, ex, nex, 6, &l, NULL) != WY_OK)
		return a;
	for (int i = 0; i < l.n; i++)
		json_array_append_new(a, web_doc_context(&l.items[i]));
	wy_doc_list_clear(&l);
	return a;
}

/* 相关搜索: the queries after which people opened this document, then its
 * keywords; each a link to its search. */
static json_t *related_searches(wy_store *st, const wy_doc *d)
{
	json_t *a = json_array();
	wy_str_list ql = {0};
	wy_store_doc_queries(st, d->id, 6, &ql, NULL);
	char *kw = d->keywords ? wy_xstrdup(d->keywords) : NULL;
	const char *items[16];
	int n = 0;
	for (int i = 0; i < ql.n && n < 16; i++)
		items[n++] = ql.items[i];
	char *save = NULL;
	for (char *t = kw ? strtok_r(kw, " ", &save) : NULL; t && n < 16; t = strtok_r(NULL, " ", &save))
		items[n++] = t;
	for (int i = 0; i < n && json_array_size(a) < 8; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup = dup || strcmp(items[i], items[j]) == 0;
		if (dup || !*items[i])
			continue;
		wy_buf u;
		wy_buf_init(&u, 0);
		wy_buf_puts(&u, "/search?q=");
		web_url_escape(&u, items[i]);
		json_array_append_new(a, json_pack("{s:s, s:s}", "text", items[i], "url", u.data));
		wy_buf_free(&u);
	}
	free(kw);
	wy_str_list_clear(&ql);
	return a;
}

/* The anonymous visitor id of the wy_v cookie (16 hex digits), or a new
 * random one with *fresh set. */
uint64_t web_visitor_id(struct MHD_Connection *c, bool *fresh)
{
	const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "wy_v");
	*fresh = false;
	if (v && strlen(v) == 16 && strspn(v, "0123456789abcdef") == 16)
		return strtoull(v, NULL, 16);
	uint64_t id;
	randombytes_buf(&id, sizeof id);
	*fresh = true;
	return id | 1;
}

static enum MHD_Result page_doc(server *sv, struct MHD_Connection *c, int64_t id)
{
	/* ?p=N is the pager's jump: to that page's anchor. */
	const char *jump = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "p");
	if (jump) {
		char loc[64];
		int64_t n;
		if (web_path_id(jump, &n) && n < 1000000)
			snprintf(loc, sizeof loc, "/doc/%lld#p%lld", (long long)id, (long long)n);
		else
			snprintf(loc, sizeof loc, "/doc/%lld", (long long)id);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Location", loc);
		return web_queue(c, 303, r);
	}
	wy_store *st;
	wy_errinfo ei = {0};
	wy_doc d = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, &ei);
	if (rc)
		return rc == WY_ENOTFOUND ? web_not_found(sv, c) : web_text(c, 503, "store unavailable\n");
	web_req *rq = web_cur();
	if (!web_can_see(rq, &d)) {
		wy_doc_clear(&d);
		return web_not_found(sv, c);
	}
	bool fresh;
	uint64_t visitor = web_visitor_id(c, &fresh);
	if (!rq->head) { /* a HEAD reads nothing */
		web_count_hit(id, false);
		web_count_visit(visitor, id);
	}
	char cookie[96] = "";
	if (fresh)
		snprintf(cookie, sizeof cookie, "wy_v=%016llx; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
			 (unsigned long long)visitor);
	int nargs = 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, count_args, &nargs);
	/* pages are kept only as anonymous visitors see them */
	if (rq->authed || d.state != WY_STATE_PUBLISHED || d.private_)
		nargs++;
	const char *lang = web_lang(c);
	if (!nargs) {
		size_t len;
		char *hit = cache_get(id, lang, &len);
		if (hit) {
			wy_doc_clear(&d);
			return web_respond_page(c, 200, hit, len, fresh ? cookie : NULL);
		}
	}
	/* opened from search results: the viewer marks the hits, and a link
	 * from the site's results page (its tag) counts towards related
	 * searches; not a query with an excluded clause, which could be any
	 * text the document does not hold */
	const char *qarg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	wy_query *q = qarg ? wy_query_parse(qarg, strlen(qarg)) : NULL;
	if (wy_query_searchable(q) && !wy_query_fts_not(q) && from && strlen(from) == 16 && !rq->head) {
		char tag[17];
		result_tag(id, wy_query_display(q), tag);
		if (sodium_memcmp(tag, from, 16) == 0)
			log_click(wy_query_display(q), id, visitor_key(sv, c));
	}
	bool d_ready = d.status == WY_DOC_READY; /* a converting one changes by the second */
	json_t *ctx = web_doc_context(&d);
	json_object_set_new(ctx, "q", json_string(wy_query_searchable(q) ? wy_query_display(q) : ""));
	wy_query_free(q);
	/* The preview: up to preview_pages pages; the text of the same pages,
	 * each cut to what a reader scrolls through. */
	web_site site;
	web_site_get(sv, &site);
	int shown = d.pages < site.preview_pages ? d.pages : site.preview_pages;
	json_t *items = json_array();
	char *lead = NULL;
	for (int i = 1; d.status == WY_DOC_READY && i <= shown; i++) {
		wy_page p;
		if (wy_store_page_get(st, id, i, &p, NULL))
			continue;
		const char *text = p.text ? p.text : "";
		size_t tl = wy_utf8_truncate(text, strlen(text), 64 * 1024);
		size_t al = wy_utf8_truncate(text, strlen(text), 120); /* alt: the start of the text */
		if (!lead && *text)
			lead = wy_xstrndup(text, wy_utf8_truncate(text, strlen(text), 300));
		json_t *item = wy_view_page(&p);
		json_object_set_new(item, "text", json_stringn(text, tl));
		json_object_set_new(item, "alt", json_stringn(text, al));
		json_object_set_new(item, "pages_total", json_integer(d.pages));
		json_array_append_new(items, item);
		wy_page_clear(&p);
	}
	wy_doc_list rel = {0};
	json_t *related = json_array();
	if (wy_store_doc_related(st, id, 10, &rel, NULL) == WY_OK)
		for (int i = 0; i < rel.n; i++)
			json_array_append_new(related, web_doc_context(&rel.items[i]));
	wy_doc_list_clear(&rel);
	/* the page is cached for every visitor: no Host header in it (the
	 * script makes the link absolute in the reader's browser) */
	char *share = wy_xasprintf("/doc/%lld", (long long)id);
	json_object_set_new(ctx, "page_items", items);
	json_object_set_new(ctx, "shown", json_integer(shown));
	json_object_set_new(ctx, "all_shown", json_boolean(shown >= d.pages));
	json_object_set_new(ctx, "has_text", json_boolean(lead != NULL));
	json_object_set_new(ctx, "lead", json_string(lead ? lead : ""));
	json_object_set_new(ctx, "breadcrumb", web_breadcrumb(d.category));
	json_object_set_new(ctx, "related", related);
	json_object_set_new(ctx, "you_may_like", you_may_like(st, id, related));
	json_object_set_new(ctx, "related_searches", related_searches(st, &d));
	json_object_set_new(ctx, "share_url", json_string(share));
	web_doc_viewer(st, rq, &d, ctx, lang);
	json_t *reasons = json_array();
	for (int i = 0; web_report_reasons[i]; i++)
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "value", web_report_reasons[i], "label",
							 wy_i18n_tr(lang, web_report_reasons[i])));
	json_object_set_new(ctx, "report_reasons", reasons);
	free(share);
	free(lead);
	char title[300];
	snprintf(title, sizeof title, "%s", d.title ? d.title : d.filename ? d.filename : "");
	title[wy_utf8_truncate(title, strlen(title), sizeof title - 1)] = 0;
	wy_doc_clear(&d);
	wy_buf page;
	if (web_render_page(sv, c, title, sv->doc, ctx, &page))
		return web_text(c, 500, "the page could not be rendered\n");
	if (!nargs && d_ready)
		cache_put(id, lang, page.data, page.len);
	size_t plen = page.len;
	return web_respond_page(c, 200, wy_buf_steal(&page), plen, fresh ? cookie : NULL);
}

/* A category listing's state, from and back into its query string. */
typedef struct listing {
	const char *path;
	char format[12];
	int pages_band; /* 0 any, 1: 1-10, 2: 11-50, 3: 51+ */
	wy_doc_sort sort;
	int64_t page;
} listing;

static const char *const formats[] = {"pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "txt", "epub", NULL};
/* Labels are msgids: the JSON twin shows them as they are, the page
 * translates them (page_category). */
static const char *const bands[] = {N_("全部"), N_("1-10页"), N_("11-50页"), N_("50页以上")};
static const char *const sorts[] = {N_("最新"), N_("最多阅读"), N_("最多下载")};
static const char *const sort_keys[] = {"new", "views", "downloads"};

static char *listing_url(const listing *l, const char *format, int band, int sort, int64_t page)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_printf(&b, "/category/%s", l->path);
	char sep = '?';
	if (format && *format) {
		wy_buf_printf(&b, "%cformat=%s", sep, format);
		sep = '&';
	}
	if (band) {
		wy_buf_printf(&b, "%cpages=%d", sep, band);
		sep = '&';
	}
	if (sort) {
		wy_buf_printf(&b, "%csort=%s", sep, sort_keys[sort]);
		sep = '&';
	}
	if (page > 1)
		wy_buf_printf(&b, "%cpage=%lld", sep, (long long)page);
	return wy_buf_steal(&b);
}

static void read_listing(struct MHD_Connection *c, const char *path, listing *l)
{
	memset(l, 0, sizeof *l);
	l->path = path;
	l->page = 1;
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	for (int i = 0; v && formats[i]; i++)
		if (strcmp(v, formats[i]) == 0)
			snprintf(l->format, sizeof l->format, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pages");
	if (v && v[0] >= '1' && v[0] <= '3' && !v[1])
		l->pages_band = v[0] - '0';
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, sort_keys[i]) == 0)
			l->sort = (wy_doc_sort)i;
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
	if (v && (!web_path_id(v, &l->page) || l->page > 100000))
		l->page = 1;
}

/* The filter bar: each option a link that keeps the other choices. */
static json_t *filter_links(const listing *l)
{
	json_t *f = json_array(), *b = json_array(), *s = json_array();
	char *u = listing_url(l, NULL, l->pages_band, l->sort, 1);
	json_array_append_new(f, json_pack("{s:s, s:s, s:b}", "label", N_("全部"), "url", u, "on", !l->format[0]));
	free(u);
	for (int i = 0; formats[i]; i++) {
		char label[16];
		for (int k = 0; k < 15 && formats[i][k]; k++)
			label[k] = (char)(formats[i][k] - 32), label[k + 1] = 0;
		u = listing_url(l, formats[i], l->pages_band, l->sort, 1);
		json_array_append_new(f, json_pack("{s:s, s:s, s:b}", "label", label, "url", u,
						   "on", strcmp(l->format, formats[i]) == 0));
		free(u);
	}
	for (int i = 0; i < 4; i++) {
		u = listing_url(l, l->format, i, l->sort, 1);
		json_array_append_new(b, json_pack("{s:s, s:s, s:b}", "label", bands[i], "url", u, "on", l->pages_band == i));
		free(u);
	}
	for (int i = 0; i < 3; i++) {
		u = listing_url(l, l->format, l->pages_band, i, 1);
		json_array_append_new(s, json_pack("{s:s, s:s, s:b}", "label", sorts[i], "url", u, "on", (int)l->sort == i));
		free(u);
	}
	return json_pack("{s:o, s:o, s:o}", "formats", f, "pages", b, "sorts", s);
}

/* The data of /category/a/b (and of its JSON twin): the documents filed
 * there or below, filtered and sorted, 20 a page. NULL when there is no
 * such category. */
static json_t *category_context(server *sv, struct MHD_Connection *c, const char *path, bool *unavailable)
{
	wy_store *st;
	wy_errinfo ei = {0};
	*unavailable = false;
	if (!*path || strlen(path) > 1000)
		return NULL;
	if (web_store(sv, &st, &ei)) {
		*unavailable = true;
		return NULL;
	}
	wy_category_list cats;
	const wy_category *me = NULL;
	if (wy_store_category_list(st, &cats, &ei)) {
			*unavailable = true;
		return NULL;
	}
	for (int i = 0; i < cats.n && !me; i++)
		if (strcmp(cats.items[i].path, path) == 0)
			me = &cats.items[i];
	if (!me) {
		wy_category_list_clear(&cats);
			return NULL;
	}
	json_t *children = json_array();
	size_t plen = strlen(path);
	for (int i = 0; i < cats.n; i++) {
		const wy_category *k = &cats.items[i];
		if (k->depth == me->depth + 1 && strncmp(k->path, path, plen) == 0 && k->path[plen] == '/') {
			char *url = wy_xasprintf("/category/%s", k->path);
			json_array_append_new(children, json_pack("{s:s, s:s}", "name", k->name, "url", url));
			free(url);
		}
	}
	listing l;
	read_listing(c, path, &l);
	static const int band_min[] = {0, 1, 11, 51}, band_max[] = {0, 10, 50, 0};
	web_req *rq = web_cur();
	wy_doc_filter f = {.viewer = rq->authed ? rq->user.id : 0, .category = path,
			   .format = l.format[0] ? l.format : NULL, .min_pages = band_min[l.pages_band],
			   .max_pages = band_max[l.pages_band], .sort = l.sort};
	const int per = 20;
	int total = 0;
	wy_doc_list dl = {0};
	json_t *docs = json_array();
	if (wy_store_doc_find(st, &f, (int)(l.page - 1) * per, per, &dl, &total, &ei) == WY_OK)
		for (int i = 0; i < dl.n; i++)
			json_array_append_new(docs, web_doc_context(&dl.items[i]));
	wy_doc_list_clear(&dl);
	int pages = total ? (total + per - 1) / per : 1;
	bool has_children = json_array_size(children) > 0;
	json_t *ctx = json_pack("{s:s, s:s, s:o, s:o, s:o, s:i, s:I, s:i, s:o}", "name", me->name, "path", path,
				"breadcrumb", web_breadcrumb(path), "children", children, "documents", docs, "total", total,
				"page", (json_int_t)l.page, "pages", pages, "filters", filter_links(&l));
	json_object_set_new(ctx, "has_children", json_boolean(has_children));
	if (l.page > 1) {
		char *u = listing_url(&l, l.format, l.pages_band, l.sort, l.page - 1);
		json_object_set_new(ctx, "prev", json_string(u));
		free(u);
	}
	if (l.page < pages) {
		char *u = listing_url(&l, l.format, l.pages_band, l.sort, l.page + 1);
		json_object_set_new(ctx, "next", json_string(u));
		free(u);
	}
	wy_category_list_clear(&cats);
	return ctx;
}

/* The filter labels of a category page in lang (its JSON twin keeps the
 * msgids). */
static void translate_labels(json_t *filters, const char *lang)
{
	const char *groups[] = {"formats", "pages", "sorts"};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(filters, groups[g]), i, o)
		{
			const char *label = json_string_value(json_object_get(o, "label"));
			if (label)
				json_object_set_new(o, "label", json_string(wy_i18n_tr(lang, label)));
		}
	}
}

static enum MHD_Result page_category(server *sv, struct MHD_Connection *c, const char *path)
{
	bool unavailable;
	json_t *ctx = category_context(sv, c, path, &unavailable);
	if (!ctx)
		return unavailable ? web_text(c, 503, "store unavailable\n") : web_not_found(sv, c);
	translate_labels(json_object_get(ctx, "filters"), web_lang(c));
	char title[256];
	snprintf(title, sizeof title, "%s", json_string_value(json_object_get(ctx, "name")));
	return web_page(sv, c, 200, title, sv->category, ctx);
}

/* /static/NAME: the site's own files; names are checked, never paths. */
static enum MHD_Result send_static(server *sv, struct MHD_Connection *c, const char *name)
{
	const char *type = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		      name[i] == '_' || (name[i] == '.' && i > 0)))
			return web_not_found(sv, c);
	if (n > 4 && strcmp(name + n - 4, ".css") == 0)
		type = "text/css; charset=utf-8";
	else if (n > 3 && strcmp(name + n - 3, ".js") == 0)
		type = "text/javascript; charset=utf-8";
	if (!type)
		return web_not_found(sv, c);
	char *path = wy_xasprintf("%s/%s", sv->static_dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return web_not_found(sv, c);
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
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

/* Send an immutable object: strong ETag, 304 on a match, long caching, one
 * byte range on request (206/416), sendfile. Takes fd. */
/* Blobs are immutable: cached a year, by shared caches too when public. */
static enum MHD_Result web_send_fd_cache(struct MHD_Connection *c, int fd, uint64_t size, const char *type,
					 const char *etag, const char *disposition, bool public_)
{
	/* A GET or HEAD whose validator matches gets 304 (RFC 9110 13.1.2); a
	 * POST (a paid download) always gets the file it paid for. */
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	const web_req *rq = web_cur();
	if ((!rq || !rq->post) && web_etag_matches(inm, etag)) {
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
		close(fd);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
		MHD_add_response_header(r, "Content-Range", cr);
		return web_queue(c, 416, r);
	}
	struct MHD_Response *r = ranged ? MHD_create_response_from_fd_at_offset64(to - from + 1, fd, from)
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

enum MHD_Result web_send_fd(struct MHD_Connection *c, int fd, uint64_t size, const char *type, const char *etag,
			    const char *disposition)
{
	return web_send_fd_cache(c, fd, size, type, etag, disposition, false);
}

int web_open_blob(server *sv, const char *sha, int *fd, uint64_t *size)
{
	return wy_blob_open_fd(sv->blobs, sha, fd, size, NULL);
}

static enum MHD_Result send_blob(server *sv, struct MHD_Connection *c, const char *sha)
{
	int fd;
	uint64_t size;
	if (!wy_blob_valid_name(sha))
		return web_text(c, 404, "not found\n");
	/* page images and thumbnails of documents the reader may see, pages
	 * within the preview (past it, the download: its price); never
	 * originals */
	web_req *rq = web_cur();
	web_site site;
	web_site_get(sv, &site);
	int preview = site.preview_pages;
	wy_store *st;
	int vis = 0;
	if (web_store(sv, &st, NULL) ||
	    wy_store_blob_visibility(st, sha, rq->authed ? rq->user.id : 0, web_is_admin(rq), preview, &vis, NULL))
		return web_text(c, 503, "unavailable\n");
	if (vis == 0)
		return web_text(c, 404, "not found\n");
	int rc = web_open_blob(sv, sha, &fd, &size);
	if (rc)
		return web_text(c, rc == WY_ENOTFOUND ? 404 : 503, rc == WY_ENOTFOUND ? "not found\n" : "unavailable\n");
	unsigned char magic[12] = {0};
	ssize_t got = pread(fd, magic, sizeof magic, 0);
	const char *type = got == 12 && memcmp(magic, "RIFF", 4) == 0 && memcmp(magic + 8, "WEBP", 4) == 0
				   ? "image/webp"
				   : "application/octet-stream";
	char etag[70];
	snprintf(etag, sizeof etag, "\"%s\"", sha);
	return web_send_fd_cache(c, fd, size, type, etag, NULL, vis == 2);
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
	wy_buf_puts(&b, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		wy_buf_putc(&b, (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? (char)*p : '_');
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

/* The original, under the name it was uploaded with (account.c: the price). */
static enum MHD_Result send_download(server *sv, struct MHD_Connection *c, int64_t id)
{
	wy_store *st;
	wy_doc d = {0};
	int rc = web_store(sv, &st, NULL);
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, NULL);
	if (rc)
		return web_text(c, rc == WY_ENOTFOUND ? 404 : 503, rc == WY_ENOTFOUND ? "not found\n" : "unavailable\n");
	web_req *rq = web_cur();
	if (!web_can_see(rq, &d)) {
		wy_doc_clear(&d);
		return web_text(c, 404, "not found\n");
	}
	enum MHD_Result ret = web_download(sv, c, rq, &d, false);
	wy_doc_clear(&d);
	return ret;
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
	return web_queue(c, status, r);
}

enum MHD_Result web_api_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return web_json(c, status, json_pack("{s:s}", "error", msg));
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

/* ---- search ---- */

#define SEARCH_PAGE_SIZE 10

/* A search's state, from and back into its query string. */
typedef struct search_args {
	const char *q;
	char format[12];
	char category[256];
	int band;
	wy_search_sort sort;
	int page;
} search_args;

static const char *const search_sorts[] = {N_("相关度"), N_("最新"), N_("最多下载")};
static const char *const search_sort_keys[] = {"relevance", "newest", "downloads"};

static void read_search(struct MHD_Connection *c, search_args *a)
{
	memset(a, 0, sizeof *a);
	a->q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	if (!a->q)
		a->q = "";
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	for (int i = 0; v && formats[i]; i++)
		if (strcmp(v, formats[i]) == 0)
			snprintf(a->format, sizeof a->format, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "category");
	if (v && strlen(v) < sizeof a->category && wy_utf8_valid(v, strlen(v)))
		snprintf(a->category, sizeof a->category, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pages");
	if (v && v[0] >= '0' && v[0] <= '3' && !v[1])
		a->band = v[0] - '0';
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, search_sort_keys[i]) == 0)
			a->sort = (wy_search_sort)i;
	a->page = web_arg_int(c, "page", 1, 1, 1000);
}

static char *search_url(const search_args *a, const char *format, int band, int sort, int page)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "/search?q=");
	web_url_escape(&b, a->q);
	if (format && *format)
		wy_buf_printf(&b, "&format=%s", format);
	if (a->category[0]) {
		wy_buf_puts(&b, "&category=");
		web_url_escape(&b, a->category);
	}
	if (band)
		wy_buf_printf(&b, "&pages=%d", band);
	if (sort)
		wy_buf_printf(&b, "&sort=%s", search_sort_keys[sort]);
	if (page > 1)
		wy_buf_printf(&b, "&page=%d", page);
	return wy_buf_steal(&b);
}

/* A result's pages that may show hits: those the request on this thread
 * may read. */
static int search_pages_shown(void *sv, const wy_doc *d) { return web_pages_readable(sv, web_cur(), d); }

static void search_req(server *sv, const search_args *a, const wy_query *q, wy_search_req *req)
{
	static const int band_min[] = {0, 1, 11, 51}, band_max[] = {0, 10, 50, 0};
	memset(req, 0, sizeof *req);
	req->query = q;
	req->filter.category = a->category[0] ? a->category : NULL;
	req->filter.format = a->format[0] ? a->format : NULL;
	req->filter.min_pages = band_min[a->band];
	req->filter.max_pages = band_max[a->band];
	req->sort = a->sort;
	req->offset = (a->page - 1) * SEARCH_PAGE_SIZE;
	req->limit = SEARCH_PAGE_SIZE;
	web_req *rq = web_cur();
	req->filter.viewer = rq->authed ? rq->user.id : 0; /* the reader's own documents too */
	req->pages_shown = search_pages_shown;
	req->pages_shown_ctx = sv;
	req->max_ms = sv->cfg->search_timeout_ms;
}

/* /search?q=...: results with snippets, the page number of each hit (a link
 * into the preview), filters, sort and paging. */
static enum MHD_Result page_search(server *sv, struct MHD_Connection *c, const char *rest)
{
	(void)rest;
	const char *lang = web_lang(c);
	search_args a;
	read_search(c, &a);
	wy_query *q = wy_query_parse(a.q, strlen(a.q));
	wy_store *st;
	wy_errinfo ei = {0};
	json_t *ctx = NULL;
	int rc = web_store(sv, &st, &ei);
	if (!rc && wy_query_searchable(q)) {
		wy_search_req req;
		search_req(sv, &a, q, &req);
		rc = wy_view_search(st, &req, 2, &ctx, &ei);
		if (!rc && a.page == 1)
			log_query(wy_query_display(q), 0);
	}
	if (rc) {
		wy_query_free(q);
		wy_warn("serve.search", "err=%s", wy_err_msg(&ei, rc));
		return web_text(c, 503, "search unavailable\n");
	}
	if (!ctx)
		ctx = json_pack("{s:s, s:i, s:b, s:[]}", "query", "", "total", 0, "more", 0, "results");
	/* each result: its links into the preview, with the query, so the
	 * viewer marks the hits */
	wy_buf qs;
	wy_buf_init(&qs, 0);
	web_url_escape(&qs, wy_query_display(q));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(ctx, "results"), i, r) {
		long long id = (long long)json_integer_value(json_object_get(r, "id"));
		add_display(r);
		char tag[17];
		result_tag(id, wy_query_display(q), tag);
		char *u = wy_xasprintf("/doc/%lld?q=%s&from=%s", id, qs.data ? qs.data : "", tag);
		json_object_set_new(r, "url", json_string(u));
		free(u);
		size_t k;
		json_t *pg;
		json_array_foreach(json_object_get(r, "hit_pages"), k, pg) {
			u = wy_xasprintf("/doc/%lld?q=%s&from=%s#p%lld", id, qs.data ? qs.data : "", tag,
					 (long long)json_integer_value(json_object_get(pg, "page")));
			json_object_set_new(pg, "url", json_string(u));
			free(u);
		}
	}
	wy_buf_free(&qs);
	/* filters, sort and paging, each a link */
	json_t *fl = json_array(), *so = json_array(), *bl = json_array();
	char *u = search_url(&a, NULL, a.band, a.sort, 1);
	json_array_append_new(fl, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, "全部"), "url", u, "on",
					    !a.format[0]));
	free(u);
	for (int k = 0; formats[k]; k++) {
		char up[12] = "";
		for (int j = 0; j < 11 && formats[k][j]; j++)
			up[j] = (char)toupper((unsigned char)formats[k][j]);
		u = search_url(&a, formats[k], a.band, a.sort, 1);
		json_array_append_new(fl, json_pack("{s:s, s:s, s:b}", "label", up, "url", u, "on",
						    strcmp(a.format, formats[k]) == 0));
		free(u);
	}
	for (int k = 0; k < 4; k++) {
		u = search_url(&a, a.format, k, a.sort, 1);
		json_array_append_new(bl, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, bands[k]), "url", u, "on",
						    a.band == k));
		free(u);
	}
	for (int k = 0; k < 3; k++) {
		u = search_url(&a, a.format, a.band, k, 1);
		json_array_append_new(so, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, search_sorts[k]), "url", u,
						    "on", (int)a.sort == k));
		free(u);
	}
	/* the category filter: a choice of the tree's top two levels */
	json_t *cats = json_array();
	wy_category_list cl;
	if (!wy_store_category_list(st, &cl, NULL)) {
		for (int k = 0; k < cl.n; k++) {
			if (cl.items[k].depth > 1)
				continue;
			char label[300];
			snprintf(label, sizeof label, "%s%s", cl.items[k].depth ? "　" : "", cl.items[k].name);
			json_array_append_new(cats, json_pack("{s:s, s:s, s:b}", "path", cl.items[k].path, "label", label,
							      "on", strcmp(a.category, cl.items[k].path) == 0));
		}
		wy_category_list_clear(&cl);
	}
	json_object_set_new(ctx, "categories", cats);
	json_object_set_new(ctx, "format", json_string(a.format));
	json_object_set_new(ctx, "sort_key", json_string(search_sort_keys[a.sort]));
	int total = (int)json_integer_value(json_object_get(ctx, "total"));
	int pages = (total + SEARCH_PAGE_SIZE - 1) / SEARCH_PAGE_SIZE;
	json_object_set_new(ctx, "q", json_string(a.q));
	json_object_set_new(ctx, "searched", json_boolean(wy_query_searchable(q)));
	json_object_set_new(ctx, "formats", fl);
	json_object_set_new(ctx, "bands", bl);
	json_object_set_new(ctx, "sorts", so);
	json_object_set_new(ctx, "page", json_integer(a.page));
	json_object_set_new(ctx, "pages", json_integer(pages ? pages : 1));
	if (a.page > 1) {
		u = search_url(&a, a.format, a.band, a.sort, a.page - 1);
		json_object_set_new(ctx, "prev", json_string(u));
		free(u);
	}
	if (a.page < pages) {
		u = search_url(&a, a.format, a.band, a.sort, a.page + 1);
		json_object_set_new(ctx, "next", json_string(u));
		free(u);
	}
	char title[300];
	snprintf(title, sizeof title, "%s - %s", wy_query_display(q), wy_i18n_tr(lang, "搜索"));
	title[wy_utf8_truncate(title, strlen(title), sizeof title - 1)] = 0;
	wy_query_free(q);
	return web_page(sv, c, 200, title, sv->search, ctx);
}

static enum MHD_Result api(server *sv, struct MHD_Connection *c, const char *path)
{
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_api_error(c, 503, "store unavailable");
	enum MHD_Result ret;
	int64_t id = 0;
	const char *rest = NULL;
	if (strcmp(path, "home") == 0) {
		json_t *ctx = home_context(sv);
		ret = ctx ? web_json(c, 200, ctx) : web_api_error(c, 503, "store unavailable");
	} else if (strcmp(path, "documents") == 0) {
		int offset = web_arg_int(c, "offset", 0, 0, 1 << 30), limit = web_arg_int(c, "limit", 20, 1, 100);
		wy_doc_list l;
		int total;
		web_req *rq = web_cur();
		/* what the caller may see, counted and paged in SQL */
		if (wy_store_doc_visible(st, rq->authed ? rq->user.id : 0, web_is_admin(rq), offset, limit, &l, &total,
					 &ei)) {
			ret = web_api_error(c, 503, "store unavailable");
		} else {
			json_t *a = json_array();
			for (int i = 0; i < l.n; i++)
				if (web_can_see(rq, &l.items[i])) /* the same rule: never shows more */
					json_array_append_new(a, wy_view_doc(&l.items[i]));
			ret = web_json(c, 200,
					json_pack("{s:o, s:i, s:i, s:i}", "documents", a, "offset", offset, "limit", limit,
						  "total", total));
			wy_doc_list_clear(&l);
		}
	} else if (strcmp(path, "me") == 0 || strncmp(path, "me/", 3) == 0) {
		ret = web_api_me(sv, c, path[2] ? path + 3 : "");
	} else if (strcmp(path, "admin") == 0 || strncmp(path, "admin/", 6) == 0) {
		char sub[200];
		snprintf(sub, sizeof sub, "api/%.180s", path[5] ? path + 6 : "");
		ret = web_page_admin(sv, c, sub);
	} else if (strcmp(path, "search") == 0) {
		search_args a;
		read_search(c, &a);
		wy_query *q = wy_query_parse(a.q, strlen(a.q));
		wy_search_req req;
		search_req(sv, &a, q, &req);
		req.offset = web_arg_int(c, "offset", req.offset, 0, 100000);
		req.limit = web_arg_int(c, "limit", SEARCH_PAGE_SIZE, 1, 50);
		json_t *res = NULL;
		if (!wy_query_searchable(q))
			res = json_pack("{s:s, s:i, s:b, s:i, s:i, s:[]}", "query", "", "total", 0, "more", 0, "offset",
					req.offset, "limit", req.limit, "results");
		else if (wy_view_search(st, &req, 3, &res, &ei))
			res = NULL;
		wy_query_free(q);
		ret = res ? web_json(c, 200, res) : web_api_error(c, 503, "search unavailable");
	} else if (strcmp(path, "categories") == 0) {
		wy_category_list l;
		if (wy_store_category_list(st, &l, &ei)) {
			ret = web_api_error(c, 503, "store unavailable");
		} else {
			json_t *a = json_array();
			for (int i = 0; i < l.n; i++)
				json_array_append_new(a, wy_view_category(&l.items[i]));
			ret = web_json(c, 200, json_pack("{s:o}", "categories", a));
			wy_category_list_clear(&l);
		}
	} else if (strncmp(path, "category/", 9) == 0) {
		bool unavailable;
		json_t *ctx = category_context(sv, c, path + 9, &unavailable);
		ret = ctx ? web_json(c, 200, ctx)
			  : unavailable ? web_api_error(c, 503, "store unavailable") : web_api_error(c, 404, "no such category");
	} else if (strncmp(path, "doc/", 4) == 0) {
		char num[24];
		const char *p = path + 4, *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : sizeof num - 1), p);
		rest = slash ? slash + 1 : "";
		wy_doc d;
		int rc = n < sizeof num && web_path_id(num, &id) ? wy_store_doc_get(st, id, &d, &ei) : WY_ENOTFOUND;
		if (!rc && !web_can_see(web_cur(), &d)) {
			wy_doc_clear(&d);
			rc = WY_ENOTFOUND;
		}
		if (rc) {
			ret = rc == WY_ENOTFOUND ? web_api_error(c, 404, "no such document") : web_api_error(c, 503, "store unavailable");
		} else if (*rest == 0) {
			json_t *v = wy_view_doc(&d);
			web_req *rq = web_cur();
			if (rq->authed && (d.owner_id == rq->user.id || web_is_admin(rq))) {
				json_object_set_new(v, "uploader", json_string(d.uploader ? d.uploader : ""));
				json_object_set_new(v, "state", json_string(wy_doc_state_name(d.state)));
				json_object_set_new(v, "private", json_boolean(d.private_));
			}
			ret = web_json(c, 200, v);
			wy_doc_clear(&d);
		} else if (strcmp(rest, "pages") == 0) {
			/* Pages from `from`, at most `count` (text can be long). */
			int from = web_arg_int(c, "from", 1, 1, 1 << 30), count = web_arg_int(c, "count", 20, 1, 100);
			json_t *a = json_array();
			/* the preview's pages, as on the document page (all for its
			 * owner and admins) */
			int last = web_pages_readable(sv, web_cur(), &d);
			for (int i = from; d.status == WY_DOC_READY && i <= last && i < from + count; i++) {
				wy_page pg;
				if (wy_store_page_get(st, id, i, &pg, NULL))
					break;
				json_array_append_new(a, wy_view_page(&pg));
				wy_page_clear(&pg);
			}
			ret = web_json(c, 200, json_pack("{s:I, s:i, s:o}", "id", (json_int_t)id, "pages", d.pages, "items", a));
			wy_doc_clear(&d);
		} else if (strcmp(rest, "search") == 0) {
			/* in-document search: pages and hit rectangles */
			const char *qa = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
			wy_query *q = wy_query_parse(qa ? qa : "", qa ? strlen(qa) : 0);
			json_t *res = NULL;
			if (d.status != WY_DOC_READY || !wy_query_searchable(q))
				res = json_pack("{s:I, s:s, s:i, s:[]}", "id", (json_int_t)id, "query", wy_query_display(q),
						"total", 0, "pages");
			else if (wy_view_doc_search(st, &d, q, web_arg_int(c, "max_pages", 200, 1, 1000), &res, &ei))
				res = NULL;
			/* hits past the preview are for its owner and admins (the
			 * rest read on in the download) */
			int last = web_pages_readable(sv, web_cur(), &d);
			json_t *pages = res ? json_object_get(res, "pages") : NULL;
			if (pages && last < d.pages) {
				for (size_t k = json_array_size(pages); k-- > 0;)
					if (json_integer_value(json_object_get(json_array_get(pages, k), "page")) > last)
						json_array_remove(pages, k);
				json_object_set_new(res, "total", json_integer((json_int_t)json_array_size(pages)));
			}
			wy_query_free(q);
			wy_doc_clear(&d);
			ret = res ? web_json(c, 200, res) : web_api_error(c, 503, "search unavailable");
		} else {
			wy_doc_clear(&d);
			ret = web_api_error(c, 404, "no such resource");
		}
	} else {
		ret = web_api_error(c, 404, "no such resource");
	}
	return ret;
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

static enum MHD_Result route_index(server *sv, struct MHD_Connection *c, const char *rest)
{
	(void)rest;
	return page_index(sv, c);
}

static enum MHD_Result route_doc(server *sv, struct MHD_Connection *c, const char *rest)
{
	int64_t id;
	const char *slash = strchr(rest, '/');
	if (slash && strcmp(slash, "/qr.svg") == 0) {
		char num[24];
		size_t n = (size_t)(slash - rest);
		snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : 0), rest);
		return n < sizeof num && web_path_id(num, &id) ? web_qr(sv, c, id) : web_not_found(sv, c);
	}
	return web_path_id(rest, &id) ? page_doc(sv, c, id) : web_not_found(sv, c);
}

static enum MHD_Result route_download(server *sv, struct MHD_Connection *c, const char *rest)
{
	int64_t id;
	return web_path_id(rest, &id) ? send_download(sv, c, id) : web_not_found(sv, c);
}

static enum MHD_Result route_blob(server *sv, struct MHD_Connection *c, const char *rest)
{
	return send_blob(sv, c, rest);
}

static enum MHD_Result route_api(server *sv, struct MHD_Connection *c, const char *rest)
{
	return api(sv, c, rest);
}

static enum MHD_Result route_static(server *sv, struct MHD_Connection *c, const char *rest)
{
	return send_static(sv, c, rest);
}

static enum MHD_Result route_category(server *sv, struct MHD_Connection *c, const char *rest)
{
	return page_category(sv, c, rest);
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
	{"/", true, route_index},
	{"/doc/", false, route_doc},
	{"/blob/", false, route_blob},
	{"/download/", false, route_download},
	{"/search", true, page_search},
	{"/api/v1/", false, route_api},
	{"/static/", false, route_static},
	{"/category/", false, route_category},
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

/* A template's UI text missing from a catalog shows in Chinese there: said
 * once at start, so a stale catalog is noticed. */
static void warn_untranslated(const char *msgid, void *arg)
{
	for (int i = 0; wy_i18n_language(i); i++)
		if (!wy_i18n_lookup(wy_i18n_language(i), msgid)) {
			char q[200];
			wy_warn("i18n.untranslated", "lang=%s template=%s msgid=%s", wy_i18n_language(i), (const char *)arg,
				wy_log_q(q, sizeof q, msgid));
		}
}

/* The embedded worker is `wenyuan worker` in a process of its own: fork
 * and exec at once (the server has threads; between fork and exec only
 * async-signal-safe calls), with the settings passed in its environment. */
static pid_t start_worker(const char *self, char **envp)
{
	static char arg0[] = "wenyuan", arg1[] = "worker";
	char *argv[] = {arg0, arg1, NULL};
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the server, which stops the worker */
	signal(SIGTERM, SIG_DFL);
	execve(self, argv, envp);
	_exit(127);
}

int wy_cmd_serve(wy_config *cfg, int argc, char **argv)
{
	bool worker = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: wenyuan serve [--listen ADDR:PORT] [--port N] [--addr A] [--no-worker]\n\nServes the site on"
			       " http://ADDR:PORT (settings http_addr, http_port) and, unless\n--no-worker, converts"
			       " queued documents in an embedded worker process.\n");
			return 0;
		} else if (strcmp(argv[i], "--no-worker") == 0) {
			worker = false;
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			/* ADDR:PORT */
			char addr[64];
			const char *colon = strrchr(argv[i + 1], ':');
			wy_errinfo ei = {0};
			int rc = WY_EINVAL;
			if (colon && (size_t)(colon - argv[i + 1]) < sizeof addr) {
				snprintf(addr, sizeof addr, "%.*s", (int)(colon - argv[i + 1]), argv[i + 1]);
				rc = wy_config_set(cfg, "http_addr", addr, &ei);
				if (!rc)
					rc = wy_config_set(cfg, "http_port", colon + 1, &ei);
			}
			if (rc) {
				fprintf(stderr, "wenyuan: --listen takes ADDR:PORT, e.g. 127.0.0.1:8080\n");
				return 1;
			}
			i++;
		} else if ((strcmp(argv[i], "--port") == 0 || strcmp(argv[i], "--addr") == 0) && i + 1 < argc) {
			wy_errinfo ei = {0};
			int rc = wy_config_set(cfg, argv[i][2] == 'p' ? "http_port" : "http_addr", argv[i + 1], &ei);
			if (rc) {
				fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
				return 1;
			}
			i++;
		} else {
			fprintf(stderr, "wenyuan serve: unknown argument %s\n", argv[i]);
			return 1;
		}
	}
	/* Everything that can fail is checked before the worker and the server
	 * start: the store (created and migrated once, before anything else
	 * opens it), the blob store, the templates and the address. */
	int status = 1;
	pid_t wpid = 0;
	char **envp = NULL;
	struct MHD_Daemon *d = NULL;
	web_guard *guard = NULL;
	wy_store *st;
	server sv = {.cfg = cfg, .static_dir = wy_xasprintf("%s/static", cfg->web_dir), .site = *cfg};
	pthread_mutex_init(&sv.site_lock, NULL);
	if (wy_cli_open(cfg, &st, &sv.blobs))
		goto out;
	web_site_load(&sv, st); /* the settings an admin changed on the site */
	wy_store_close(st);
	struct {
		const char *name;
		wy_template **t;
	} tpls[] = {{"base", &sv.base},	      {"index", &sv.index},   {"doc", &sv.doc},	    {"notfound", &sv.notfound},
		  {"category", &sv.category}, {"login", &sv.login},   {"search", &sv.search}, {"upload", &sv.upload},
		  {"me", &sv.me},	      {"admin", &sv.admin}, {"message", &sv.message}};
	for (size_t k = 0; k < sizeof tpls / sizeof tpls[0]; k++) {
		char *path = wy_xasprintf("%s/templates/%s.html", cfg->web_dir, tpls[k].name);
		wy_errinfo tei = {0};
		int trc = wy_template_load(path, tpls[k].t, &tei);
		free(path);
		if (trc) {
			fprintf(stderr, "wenyuan: %s (setting web_dir: %s)\n", wy_err_msg(&tei, trc), cfg->web_dir);
			goto out;
		}
	}
	wy_errinfo lei = {0};
	int lrc = wy_i18n_load(cfg->locale_dir, &lei);
	if (lrc) {
		fprintf(stderr, "wenyuan: %s (setting locale_dir: %s)\n", wy_err_msg(&lei, lrc), cfg->locale_dir);
		goto out;
	}
	for (size_t k = 0; k < sizeof tpls / sizeof tpls[0]; k++)
		wy_template_each_msgid(*tpls[k].t, warn_untranslated, (void *)tpls[k].name);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->http_port);
	if (inet_pton(AF_INET, cfg->http_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "wenyuan: http_addr '%s' is not an IPv4 address\n", cfg->http_addr);
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	envp = wy_config_environ(cfg);
	/* The binary by its real name, so the worker shows as wenyuan in ps. */
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl > 0)
		self[sl] = 0;
	else
		snprintf(self, sizeof self, "/proc/self/exe");
	if (worker && (wpid = start_worker(self, envp)) < 0) {
		fprintf(stderr, "wenyuan: cannot start the worker: %s\n", strerror(errno));
		wpid = 0;
		goto out;
	}
	/* A pool of threads (handlers may wait on the store or the disk), and
	 * every limit set explicitly: libmicrohttpd 0.9.75 has no connection
	 * timeout by default. The memory limit per connection also bounds the
	 * request headers: larger ones are refused with 431. Each thread of
	 * the pool takes an equal share of the connection limit (a thread at
	 * its share stops accepting, the others go on); the guard adds the
	 * header deadline, the body rate and the reserve for new addresses. */
	unsigned threads, conns;
	web_guard_limits(cfg, &threads, &conns);
	wy_errinfo gei = {0};
	int grc = web_guard_start(cfg, conns, &guard, &gei);
	if (grc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&gei, grc));
		goto out;
	}
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, web_guard_accept,
			     guard, handle, &sv, MHD_OPTION_EXTERNAL_LOGGER, web_guard_mhd_log, guard, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned)cfg->http_timeout, MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			     (unsigned)cfg->http_max_per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, web_guard_notify, guard, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "wenyuan: cannot listen on %s:%d (in use?)\n", cfg->http_addr, cfg->http_port);
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	int port = info ? info->port : cfg->http_port;
	wy_log("serve.start", "url=http://%s:%d/ worker=%d threads=%u connections=%u", cfg->http_addr, port, worker,
	       threads, conns);
	printf("wenyuan is serving http://%s:%d/ (Ctrl-C stops it)\n", cfg->http_addr, port);
	fflush(stdout);
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_stop;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	act.sa_handler = on_child;
	sigaction(SIGCHLD, &act, NULL);
	/* Sleep in short steps rather than pause(): a signal between the check
	 * and the wait can then delay us a second, never lose us. */
	int64_t next_start_ms = 0;
	wy_store *lst = NULL; /* the serve loop's own connection, for the counts */
	wy_store_open(cfg->data_dir, &lst, NULL);
	for (unsigned tick = 1; !serve_stop; tick++) {
		sleep(1);
		if (lst) {
			flush_counts(lst);
			/* site settings another server process changed (upload
			 * points are the store's: wy_upload_points) */
			if (tick % 5 == 0)
				web_site_load(&sv, lst);
		}
		if (worker && wpid > 0 && waitpid(wpid, NULL, WNOHANG) == wpid) {
			wy_error("serve.worker_died", "pid=%d", (int)wpid);
			wpid = 0;
		}
		/* keep converting, but a worker that dies at once is not
		 * restarted more than every 5 s */
		if (worker && wpid == 0 && !serve_stop && wy_now_ms() >= next_start_ms) {
			wpid = start_worker(self, envp);
			next_start_ms = wy_now_ms() + 5000;
		}
	}
	wy_store_close(lst);
	wy_log("serve.stop", "port=%d", port);
	status = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	web_guard_stop(guard); /* after the daemon: it tells the guard of every connection it closes */
	wy_store *fst;
	if (d && !wy_store_open(cfg->data_dir, &fst, NULL)) {
		flush_counts(fst);
		wy_store_close(fst);
	}
	if (wpid > 0) {
		kill(wpid, SIGTERM);
		while (waitpid(wpid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(sv.static_dir);
	wy_blob_close(sv.blobs);
	wy_template_free(sv.base);
	wy_template_free(sv.index);
	wy_template_free(sv.doc);
	wy_template_free(sv.notfound);
	wy_template_free(sv.category);
	wy_template_free(sv.login);
	wy_template_free(sv.search);
	wy_template_free(sv.upload);
	wy_template_free(sv.me);
	wy_template_free(sv.admin);
	wy_template_free(sv.message);
	pthread_mutex_destroy(&sv.site_lock);
	wy_i18n_unload();
	wy_config_environ_free(envp);
	return status;
}

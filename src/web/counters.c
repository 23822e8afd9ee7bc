/* web/counters: view and download counts, visits ("also read") and the
 * query log (related searches), gathered in memory by the request threads
 * and written by the serve loop once a second (web_counters_flush). Never
 * answers a request. */
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
#include <sodium.h>

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

void web_counters_flush(wy_store *st)
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
void web_log_query(const char *query, int64_t doc)
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
uint64_t web_visitor_key(server *sv, struct MHD_Connection *c)
{
	char addr[80];
	web_client_addr(sv, c, addr, sizeof addr);
	return keyed(addr);
}

/* The tag a results page puts on its link to document id for query (the
 * display form): a visit with it came from the site's own search and
 * this document was among the results. 16 hex digits. */
void web_result_tag(int64_t id, const char *query, char out[17])
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

void web_log_click(const char *query, int64_t doc, uint64_t visitor)
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
		web_log_query(query, doc);
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
					    (unsigned long long)web_visitor_key(sv, c));
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

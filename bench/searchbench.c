/* searchbench: a generated Chinese library, searched by wenyuan and, side by
 * side on the same text, by SQLite FTS5's trigram tokenizer and by LIKE.
 *
 *   wy-searchbench gen DIR NDOCS WORDLIST [SEED]   build the library in DIR
 *   wy-searchbench run DIR [NQUERIES] [SEED]       measure, print a report
 *
 * The text is sampled from a word list (OpenCC's phrase dictionary, one
 * phrase per line, first column) with Zipf-like frequencies, mixed with
 * common single characters and punctuation, so the index sees realistic
 * bigram statistics. wenyuan's library is built through the store interface
 * exactly as the worker publishes documents; compare.db holds the same page
 * texts in an FTS5 trigram table and a plain table (for LIKE).
 *
 * Latency is measured per query for 1-, 2-, 4- and 8-character spans taken
 * from random pages; known-item quality takes a random 2 to 6 character span
 * of a random page of a random document and asks where that document ranks.
 * wenyuan's latency includes what the results page needs: the ranked
 * documents, their best pages and a snippet for each. */
#include "core/err.h"
#include "core/util.h"
#include "store/store.h"
#include "text/query.h"
#include "text/utf8.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double rnd01(void) { return (double)(rnd() >> 11) / (double)(1ULL << 53); }

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "searchbench: %s: %s\n", what, msg);
	exit(1);
}

/* ---- the generator ---- */

static char **words;
static int nwords;
static double *cdf; /* Zipf-like: weight of rank r is 1/(r+20) */

static void load_words(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("word list", path);
	char line[512];
	int cap = 0;
	while (fgets(line, sizeof line, f)) {
		char *tab = strpbrk(line, "\t \n");
		if (tab)
			*tab = 0;
		if (!*line || !wy_utf8_valid(line, strlen(line)))
			continue;
		if (nwords == cap) {
			cap = cap ? cap * 2 : 4096;
			words = wy_xrealloc(words, (size_t)cap * sizeof *words);
		}
		words[nwords++] = wy_xstrdup(line);
	}
	fclose(f);
	if (nwords < 100)
		die("word list", "fewer than 100 words");
	/* shuffle so the frequency order is not the file's order */
	for (int i = nwords - 1; i > 0; i--) {
		int j = (int)(rnd() % (uint64_t)(i + 1));
		char *t = words[i];
		words[i] = words[j];
		words[j] = t;
	}
	cdf = wy_xmalloc((size_t)nwords * sizeof *cdf);
	double sum = 0;
	for (int i = 0; i < nwords; i++)
		cdf[i] = (sum += 1.0 / (i + 20));
	for (int i = 0; i < nwords; i++)
		cdf[i] /= sum;
}

static const char *zipf_word(void)
{
	double u = rnd01();
	int lo = 0, hi = nwords - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return words[lo];
}

/* Frequent function characters of written Chinese, written here, so the
 * text has the very common bigrams real text has. */
static const char *const COMMON[] = {"的", "是", "在", "了", "和", "有", "我们", "这", "一个", "不", "对", "为",
				     "也", "就", "要", "与", "及", "等", "中", "上"};
static const char *const PUNCT[] = {"，", "，", "，", "。", "。", "；", "、", "：", "！", "？"};

static void sentence(wy_buf *b, int chars)
{
	size_t start = b->len;
	int since = 0;
	while ((int)(b->len - start) / 3 < chars) {
		if (rnd01() < 0.22)
			wy_buf_puts(b, COMMON[rnd() % (sizeof COMMON / sizeof COMMON[0])]);
		else
			wy_buf_puts(b, zipf_word());
		if (++since > 4 && rnd01() < 0.18) {
			wy_buf_puts(b, PUNCT[rnd() % (sizeof PUNCT / sizeof PUNCT[0])]);
			since = 0;
		}
	}
	wy_buf_puts(b, "。\n");
}

static int gen(const char *dir, int ndocs, const char *wordlist)
{
	load_words(wordlist);
	wy_store *st;
	wy_errinfo ei = {0};
	if (wy_store_open(dir, &st, &ei))
		die("open", ei.msg);
	char *cpath = wy_xasprintf("%s/compare.db", dir);
	sqlite3 *cdb;
	if (sqlite3_open(cpath, &cdb) != SQLITE_OK)
		die("open", cpath);
	sqlite3_exec(cdb,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
		     "CREATE TABLE IF NOT EXISTS plain(doc INTEGER, page INTEGER, body TEXT);"
		     "CREATE VIRTUAL TABLE IF NOT EXISTS tri USING fts5(body, content='', tokenize='trigram');"
		     "CREATE TABLE IF NOT EXISTS titles(doc INTEGER PRIMARY KEY, title TEXT);",
		     NULL, NULL, NULL);
	sqlite3_stmt *ins_plain, *ins_tri, *ins_title;
	sqlite3_prepare_v2(cdb, "INSERT INTO plain VALUES(?1, ?2, ?3)", -1, &ins_plain, NULL);
	sqlite3_prepare_v2(cdb, "INSERT INTO tri(rowid, body) VALUES(?1, ?2)", -1, &ins_tri, NULL);
	sqlite3_prepare_v2(cdb, "INSERT INTO titles VALUES(?1, ?2)", -1, &ins_title, NULL);
	sqlite3_exec(cdb, "BEGIN", NULL, NULL, NULL);
	double t0 = now_ms(), t_wy = 0, t_cmp = 0;
	size_t text_bytes = 0;
	int64_t npages_all = 0;
	for (int d = 0; d < ndocs; d++) {
		wy_buf title;
		wy_buf_init(&title, 0);
		int tw = 2 + (int)(rnd() % 3);
		for (int i = 0; i < tw; i++)
			wy_buf_puts(&title, zipf_word());
		int np = 1 + (int)(rnd() % 4);
		wy_page pages[4];
		memset(pages, 0, sizeof pages);
		for (int p = 0; p < np; p++) {
			wy_buf b;
			wy_buf_init(&b, 0);
			int chars = 150 + (int)(rnd() % 200);
			while ((int)b.len / 3 < chars)
				sentence(&b, 20 + (int)(rnd() % 40));
			pages[p].page_no = p + 1;
			pages[p].text = wy_buf_steal(&b);
			snprintf(pages[p].image_sha256, 65, "%064d", 0);
			pages[p].width = 1240;
			pages[p].height = 1754;
			text_bytes += strlen(pages[p].text);
		}
		double a = now_ms();
		char sha[65];
		snprintf(sha, sizeof sha, "%064x", d + 1);
		wy_doc_new dn = {.title = title.data, .filename = "generated.pdf", .sha256 = sha, .size = 1000, .uploader = "bench"};
		int64_t id;
		bool existed;
		wy_job job;
		if (wy_store_doc_add(st, &dn, &id, &existed, &ei) || wy_store_job_claim(st, "bench", 60, 3, &job, &ei))
			die("add", ei.msg);
		wy_doc_result r = {.format = "pdf", .title = title.data, .npages = np, .pages = pages};
		if (wy_store_job_finish(st, &job, &r, &ei))
			die("publish", ei.msg);
		wy_job_clear(&job);
		double b2 = now_ms();
		t_wy += b2 - a;
		for (int p = 0; p < np; p++) {
			sqlite3_bind_int64(ins_plain, 1, id);
			sqlite3_bind_int(ins_plain, 2, p + 1);
			sqlite3_bind_text(ins_plain, 3, pages[p].text, -1, SQLITE_STATIC);
			sqlite3_step(ins_plain);
			sqlite3_reset(ins_plain);
			sqlite3_bind_int64(ins_tri, 1, (id << 20) | (p + 1));
			sqlite3_bind_text(ins_tri, 2, pages[p].text, -1, SQLITE_STATIC);
			sqlite3_step(ins_tri);
			sqlite3_reset(ins_tri);
			free(pages[p].text);
		}
		sqlite3_bind_int64(ins_title, 1, id);
		sqlite3_bind_text(ins_title, 2, title.data, -1, SQLITE_STATIC);
		sqlite3_step(ins_title);
		sqlite3_reset(ins_title);
		t_cmp += now_ms() - b2;
		npages_all += np;
		wy_buf_free(&title);
		if ((d + 1) % 10000 == 0) {
			sqlite3_exec(cdb, "COMMIT; BEGIN", NULL, NULL, NULL);
			fprintf(stderr, "  %d documents, %.0f s\n", d + 1, (now_ms() - t0) / 1e3);
		}
	}
	sqlite3_exec(cdb, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ins_plain);
	sqlite3_finalize(ins_tri);
	sqlite3_finalize(ins_title);
	sqlite3_exec(cdb, "INSERT INTO tri(tri) VALUES('optimize')", NULL, NULL, NULL);
	sqlite3_close(cdb);
	double a = now_ms();
	if (wy_store_reindex(st, NULL, NULL, &ei)) /* also merges the index segments */
		die("reindex", ei.msg);
	double reindex = now_ms() - a;
	wy_store_close(st);
	printf("generated %d documents, %lld pages, %.1f MB of text in %.0f s\n", ndocs, (long long)npages_all,
	       text_bytes / 1e6, (now_ms() - t0) / 1e3);
	printf("publishing through the store (with indexing): %.0f s; trigram + plain tables: %.0f s; reindex %.0f s\n",
	       t_wy / 1e3, t_cmp / 1e3, reindex / 1e3);
	free(cpath);
	return 0;
}

/* ---- the measurements ---- */

typedef struct span_src {
	int64_t doc;
	int page;
	char *text;
} span_src;

/* A random page of a random document, from compare.db's plain table. */
static void random_page(sqlite3 *cdb, int64_t maxrow, span_src *out)
{
	static sqlite3_stmt *s;
	if (!s)
		sqlite3_prepare_v2(cdb, "SELECT doc, page, body FROM plain WHERE rowid = ?1", -1, &s, NULL);
	for (;;) {
		sqlite3_bind_int64(s, 1, 1 + (int64_t)(rnd() % (uint64_t)maxrow));
		if (sqlite3_step(s) == SQLITE_ROW) {
			out->doc = sqlite3_column_int64(s, 0);
			out->page = sqlite3_column_int(s, 1);
			out->text = wy_xstrdup((const char *)sqlite3_column_text(s, 2));
			sqlite3_reset(s);
			return;
		}
		sqlite3_reset(s);
	}
}

/* n consecutive CJK characters of text at a random place, or NULL. */
static char *random_span(const char *text, int n)
{
	size_t len = strlen(text);
	for (int tries = 0; tries < 50; tries++) {
		size_t at = (size_t)(rnd() % (uint64_t)len);
		while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
			at--;
		const char *p = text + at, *end = text + len;
		int got = 0;
		while (got < n && p < end) {
			int cp = wy_utf8_decode(&p, end);
			if (cp < 0x4E00 || cp > 0x9FFF)
				break;
			got++;
		}
		if (got == n)
			return wy_xstrndup(text + at, (size_t)(p - (text + at)));
	}
	return NULL;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	if (!n)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_dbl);
	int i = (int)ceil(p * n) - 1;
	return v[i < 0 ? 0 : i];
}

/* wenyuan: the results page's work. Returns up to 10 document ids. */
static int wy_search10(wy_store *st, const char *q, int64_t *ids, int *total)
{
	wy_query *qq = wy_query_parse(q, strlen(q));
	wy_search_req req = {.query = qq, .limit = 10};
	wy_search_result r;
	wy_errinfo ei = {0};
	if (wy_store_search(st, &req, &r, &ei))
		die("search", ei.msg);
	for (int i = 0; i < r.n; i++) {
		ids[i] = r.items[i].doc.id;
		if (r.items[i].npages_shown) {
			wy_page pg;
			if (!wy_store_page_get(st, ids[i], r.items[i].pages[0], &pg, NULL)) {
				wy_hit h[64];
				int nh = wy_query_hits(qq, pg.text, strlen(pg.text), 1 << 18, h, 64);
				wy_snippet sn;
				wy_snippet_make(pg.text, strlen(pg.text), h, nh < 64 ? nh : 64, 120, &sn);
				wy_page_clear(&pg);
			}
		}
	}
	int n = r.n;
	*total = r.total;
	wy_search_result_clear(&r);
	wy_query_free(qq);
	return n;
}

/* FTS5 trigram: pages matching the span as a phrase, best first, their
 * documents. Fewer than 3 characters: the trigram tokenizer finds nothing. */
static int tri_search10(sqlite3 *cdb, const char *q, int64_t *ids)
{
	static sqlite3_stmt *s;
	if (!s)
		sqlite3_prepare_v2(cdb,
				   "SELECT rowid >> 20 AS doc FROM tri WHERE tri MATCH ?1 GROUP BY doc ORDER BY min(rank)"
				   " LIMIT 10",
				   -1, &s, NULL);
	char *phrase = wy_xasprintf("\"%s\"", q);
	sqlite3_bind_text(s, 1, phrase, -1, SQLITE_TRANSIENT);
	int n = 0;
	while (n < 10 && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	free(phrase);
	return n;
}

static int like_search10(sqlite3 *cdb, const char *q, int64_t *ids)
{
	static sqlite3_stmt *s;
	if (!s)
		sqlite3_prepare_v2(cdb, "SELECT DISTINCT doc FROM plain WHERE body LIKE ?1 LIMIT 10", -1, &s, NULL);
	char *pat = wy_xasprintf("%%%s%%", q);
	sqlite3_bind_text(s, 1, pat, -1, SQLITE_TRANSIENT);
	int n = 0;
	while (n < 10 && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	free(pat);
	return n;
}

static int64_t file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

static int64_t table_bytes(sqlite3 *db, const char *like)
{
	sqlite3_stmt *s;
	int64_t n = 0;
	if (sqlite3_prepare_v2(db, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return n;
}

static int run(const char *dir, int nq, int nlike)
{
	wy_store *st;
	wy_errinfo ei = {0};
	if (wy_store_open(dir, &st, &ei))
		die("open", ei.msg);
	char *cpath = wy_xasprintf("%s/compare.db", dir), *wpath = wy_xasprintf("%s/wenyuan.db", dir);
	sqlite3 *cdb, *wdb;
	if (sqlite3_open_v2(cpath, &cdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(wpath, &wdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("open", cpath);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(cdb, "SELECT max(rowid), sum(length(CAST(body AS BLOB))), count(DISTINCT doc) FROM plain", -1,
			   &s, NULL);
	sqlite3_step(s);
	int64_t maxrow = sqlite3_column_int64(s, 0), raw = sqlite3_column_int64(s, 1), ndocs = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	printf("library: %lld documents, %lld pages, %.1f MB of page text\n\n", (long long)ndocs, (long long)maxrow,
	       raw / 1e6);

	/* warm the caches the way a running server has them */
	int64_t ids[10];
	int total;
	for (int i = 0; i < 20; i++) {
		span_src p;
		random_page(cdb, maxrow, &p);
		char *q = random_span(p.text, 2);
		if (q)
			wy_search10(st, q, ids, &total);
		free(q);
		free(p.text);
	}

	printf("latency, ms (%d queries per length; spans of random pages)\n", nq);
	printf("%-6s %-22s %-22s %-22s\n", "chars", "wenyuan p50 / p99", "FTS5 trigram p50/p99", "LIKE p50 / p99");
	static const int lens[] = {1, 2, 4, 8};
	double worst_p99 = 0;
	for (int li = 0; li < 4; li++) {
		double *tw = wy_xcalloc((size_t)nq, sizeof *tw), *tt = wy_xcalloc((size_t)nq, sizeof *tt),
		       *tl = wy_xcalloc((size_t)nq, sizeof *tl);
		int n = 0, nl = 0;
		int64_t hits_wy = 0, hits_tri = 0;
		while (n < nq) {
			span_src p;
			random_page(cdb, maxrow, &p);
			char *q = random_span(p.text, lens[li]);
			free(p.text);
			if (!q)
				continue;
			double a = now_ms();
			int k = wy_search10(st, q, ids, &total);
			tw[n] = now_ms() - a;
			hits_wy += k > 0;
			a = now_ms();
			k = tri_search10(cdb, q, ids);
			tt[n] = now_ms() - a;
			hits_tri += k > 0;
			if (nl < nlike) {
				a = now_ms();
				like_search10(cdb, q, ids);
				tl[nl++] = now_ms() - a;
			}
			n++;
			free(q);
		}
		double w50 = pct(tw, n, 0.5), w99 = pct(tw, n, 0.99);
		if (w99 > worst_p99)
			worst_p99 = w99;
		char a1[40], a2[40], a3[40];
		snprintf(a1, sizeof a1, "%.1f / %.1f", w50, w99);
		snprintf(a2, sizeof a2, "%.1f / %.1f%s", pct(tt, n, 0.5), pct(tt, n, 0.99),
			 hits_tri ? "" : " (finds 0)");
		snprintf(a3, sizeof a3, "%.0f / %.0f (%d q)", pct(tl, nl, 0.5), pct(tl, nl, 0.99), nl);
		printf("%-6d %-22s %-22s %-22s\n", lens[li], a1, a2, a3);
		free(tw);
		free(tt);
		free(tl);
	}

	/* known-item: the document a span was taken from, where does it rank */
	int nk = nq * 5 > 1000 ? 1000 : nq * 5;
	double mrr_w = 0, mrr_t = 0, mrr_l = 0;
	int rec_w = 0, rec_t = 0, rec_l = 0, nlk = 0;
	int by_len_n[7] = {0}, by_len_w[7] = {0};
	for (int i = 0; i < nk;) {
		span_src p;
		random_page(cdb, maxrow, &p);
		int len = 2 + (int)(rnd() % 5);
		char *q = random_span(p.text, len);
		free(p.text);
		if (!q)
			continue;
		int n = wy_search10(st, q, ids, &total);
		for (int r = 0; r < n; r++)
			if (ids[r] == p.doc) {
				mrr_w += 1.0 / (r + 1);
				rec_w++;
				by_len_w[len]++;
				break;
			}
		by_len_n[len]++;
		n = tri_search10(cdb, q, ids);
		for (int r = 0; r < n; r++)
			if (ids[r] == p.doc) {
				mrr_t += 1.0 / (r + 1);
				rec_t++;
				break;
			}
		if (nlk < nlike) {
			n = like_search10(cdb, q, ids);
			for (int r = 0; r < n; r++)
				if (ids[r] == p.doc) {
					mrr_l += 1.0 / (r + 1);
					rec_l++;
					break;
				}
			nlk++;
		}
		free(q);
		i++;
	}
	printf("\nknown-item (%d queries: a random 2-6 character span of a random page)\n", nk);
	printf("%-14s %-8s %-10s\n", "", "MRR@10", "recall@10");
	printf("%-14s %-8.3f %-10.3f\n", "wenyuan", mrr_w / nk, (double)rec_w / nk);
	printf("%-14s %-8.3f %-10.3f\n", "FTS5 trigram", mrr_t / nk, (double)rec_t / nk);
	printf("%-14s %-8.3f %-10.3f (%d queries)\n", "LIKE", nlk ? mrr_l / nlk : 0, nlk ? (double)rec_l / nlk : 0, nlk);
	printf("wenyuan recall@10 by span length:");
	for (int l = 2; l <= 6; l++)
		printf(" %d:%.3f", l, by_len_n[l] ? (double)by_len_w[l] / by_len_n[l] : 0);
	printf("\n");

	int64_t wy_idx = table_bytes(wdb, "page_fts%") + table_bytes(wdb, "doc_fts%");
	int64_t tri_idx = table_bytes(cdb, "tri%");
	printf("\nindex size: wenyuan %.1f MB (%.2f× the text), trigram %.1f MB (%.2f×); raw text %.1f MB;"
	       " wenyuan.db %.1f MB\n",
	       wy_idx / 1e6, (double)wy_idx / raw, tri_idx / 1e6, (double)tri_idx / raw, raw / 1e6,
	       file_size(wpath) / 1e6);
	printf("worst wenyuan p99: %.1f ms (goal < 50); recall@10 %.3f (goal > 0.97)\n", worst_p99,
	       (double)rec_w / nk);
	sqlite3_close(cdb);
	sqlite3_close(wdb);
	wy_store_close(st);
	free(cpath);
	free(wpath);
	return 0;
}

/* Only wenyuan's search, queries of one length: for profiling. */
static int prof(const char *dir, int len, int nq)
{
	wy_store *st;
	wy_errinfo ei = {0};
	if (wy_store_open(dir, &st, &ei))
		die("open", ei.msg);
	char *cpath = wy_xasprintf("%s/compare.db", dir);
	sqlite3 *cdb;
	if (sqlite3_open_v2(cpath, &cdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("open", cpath);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(cdb, "SELECT max(rowid) FROM plain", -1, &s, NULL);
	sqlite3_step(s);
	int64_t maxrow = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	double *t = wy_xcalloc((size_t)nq, sizeof *t);
	int64_t ids[10];
	int total, n = 0;
	while (n < nq) {
		span_src p;
		random_page(cdb, maxrow, &p);
		char *q = random_span(p.text, len);
		free(p.text);
		if (!q)
			continue;
		double a = now_ms();
		wy_search10(st, q, ids, &total);
		t[n++] = now_ms() - a;
		free(q);
	}
	printf("%d chars: p50 %.1f ms, p99 %.1f ms\n", len, pct(t, n, 0.5), pct(t, n, 0.99));
	free(t);
	free(cpath);
	sqlite3_close(cdb);
	wy_store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "prof") == 0)
		return prof(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 5 && strcmp(argv[1], "gen") == 0) {
		if (argc > 5)
			rng_state ^= strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ULL;
		return gen(argv[2], atoi(argv[3]), argv[4]);
	}
	if (argc >= 3 && strcmp(argv[1], "run") == 0) {
		int nq = argc > 3 ? atoi(argv[3]) : 200;
		if (argc > 4)
			rng_state ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
		return run(argv[2], nq > 0 ? nq : 200, 50);
	}
	fprintf(stderr, "usage: wy-searchbench gen DIR NDOCS WORDLIST [SEED] | run DIR [NQUERIES] [SEED]\n");
	return 2;
}

/* searchbench: a library of real Chinese text, searched by wenyuan and, side
 * by side on the same text, by SQLite FTS5's trigram tokenizer and by LIKE.
 *
 *   wy-searchbench gen DIR NDOCS CORPUS       build the library in DIR
 *   wy-searchbench run DIR [NQUERIES] [SEED]  measure, print a report
 *   wy-searchbench prof DIR LEN NQUERIES      wenyuan's latency alone
 *
 * CORPUS is what bench/realtext.py writes from installed packages: records
 * opened by \x1e, fields separated by \x1f (script 's' or 't', source,
 * title, then one field per page). gen takes NDOCS of its documents spread
 * evenly over the file (all of them when NDOCS is larger), publishes them
 * through the store interface exactly as the worker does (so indexing cost
 * is real), and puts the same page texts into compare.db: an FTS5 trigram
 * table and a plain table (for LIKE).
 *
 * run draws its queries once per (NQUERIES, SEED) and keeps them in
 * DIR/queries-N-SEED.tsv, so runs against other builds of wenyuan ask the
 * same questions:
 *  - within: 2-8 characters inside one run of Han characters of a page;
 *  - across: 2-8 Han characters of a page with the punctuation and line
 *    breaks between them dropped, crossing at least one such break;
 *    both kept only when that Han-only string occurs in at most 3
 *    documents (counted here over every page's Han characters, each folded
 *    to Simplified by OpenCC's t2s command one character at a time, so both
 *    scripts count; not by asking any engine), since a span found in
 *    hundreds of documents has no single right answer;
 *  - s2t / t2s: the other script's form of each kept span (OpenCC's
 *    command, s2t for Simplified sources, t2s for Traditional ones), when
 *    it differs;
 *  - pinyin / initials: a title's leading 2-6 Han characters in full
 *    pinyin ("shuangyonggongzuo") or initials ("sygz"), from Unihan's
 *    kMandarin (first reading, tones removed, ü as v), kept when at most 3
 *    titles contain that syllable sequence.
 * Latency is measured on spans of 1-8 characters inside Han runs of random
 * pages, unfiltered (common spans are the expensive ones). LIKE scans every
 * page, so it answers a subset: BENCH_SEARCH_LIKE (default 70) / 14 of the
 * known-item queries of each kind and length, and a quarter of that number
 * of the latency queries of each length. BENCH_SEARCH_TRACE=1 prints each
 * known-item query with wenyuan's rank of its document to stderr. wenyuan's latency
 * includes what the results page needs: the ranked documents, their best
 * pages and a snippet for each. */
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
#include <sys/stat.h>
#include <time.h>

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

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

static bool is_han(int cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* Punctuation and white space: what an "across" span may drop between two
 * Han characters. Letters and digits may not be dropped. */
static bool is_break(int cp)
{
	if (cp < 0x80)
		return !((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'));
	return cp == 0xA0 || cp == 0xB7 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
	       cp == 0x30FB || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	       (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

/* ---- gen: the corpus into the library ---- */

typedef struct cdoc {
	char script;
	char *source, *title;
	int npages;
	char **pages;
} cdoc;

/* The next record of the corpus, its fields pointing into *line (which the
 * caller frees). 0 at the end. */
static int read_doc(FILE *f, char **line, size_t *cap, cdoc *d)
{
	for (;;) {
		ssize_t n = getdelim(line, cap, 0x1e, f);
		if (n < 0)
			return 0;
		if (n > 0 && (*line)[n - 1] == 0x1e)
			(*line)[--n] = 0;
		if (n == 0)
			continue;
		static char **fields;
		static int fcap;
		int nf = 0;
		for (char *p = *line;;) {
			if (nf == fcap) {
				fcap = fcap ? fcap * 2 : 64;
				fields = wy_xrealloc(fields, (size_t)fcap * sizeof *fields);
			}
			fields[nf++] = p;
			char *q = strchr(p, 0x1f);
			if (!q)
				break;
			*q = 0;
			p = q + 1;
		}
		if (nf < 4)
			continue;
		d->script = fields[0][0];
		d->source = fields[1];
		d->title = fields[2];
		d->npages = nf - 3;
		d->pages = fields + 3;
		return 1;
	}
}

static int gen(const char *dir, int ndocs, const char *corpus)
{
	FILE *f = fopen(corpus, "r");
	if (!f)
		die("corpus", corpus);
	char *line = NULL;
	size_t cap = 0;
	cdoc d;
	int64_t total = 0;
	while (read_doc(f, &line, &cap, &d))
		total++;
	rewind(f);
	if (ndocs <= 0 || ndocs > total)
		ndocs = (int)total;

	wy_store *st;
	wy_errinfo ei = {0};
	mkdir(dir, 0755);
	if (wy_store_open(dir, &st, &ei))
		die("open", ei.msg);
	/* BENCH_SEARCH_PG: the same library published into a second store
	 * too (a PostgreSQL URL), for prof to time both on the same queries */
	const char *pgloc = getenv("BENCH_SEARCH_PG");
	wy_store *pst = NULL;
	if (pgloc && *pgloc && wy_store_open(pgloc, &pst, &ei))
		die("open", ei.msg);
	double t_pg = 0;
	char *cpath = wy_xasprintf("%s/compare.db", dir);
	sqlite3 *cdb;
	if (sqlite3_open(cpath, &cdb) != SQLITE_OK)
		die("open", cpath);
	sqlite3_exec(cdb,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
		     "CREATE TABLE IF NOT EXISTS plain(doc INTEGER, page INTEGER, body TEXT);"
		     "CREATE VIRTUAL TABLE IF NOT EXISTS tri USING fts5(body, content='', tokenize='trigram');"
		     "CREATE TABLE IF NOT EXISTS titles(doc INTEGER PRIMARY KEY, title TEXT, script TEXT, source TEXT);"
		     "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);",
		     NULL, NULL, NULL);
	sqlite3_stmt *ins_plain, *ins_tri, *ins_title;
	sqlite3_prepare_v2(cdb, "INSERT INTO plain VALUES(?1, ?2, ?3)", -1, &ins_plain, NULL);
	sqlite3_prepare_v2(cdb, "INSERT INTO tri(rowid, body) VALUES(?1, ?2)", -1, &ins_tri, NULL);
	sqlite3_prepare_v2(cdb, "INSERT INTO titles VALUES(?1, ?2, ?3, ?4)", -1, &ins_title, NULL);
	sqlite3_exec(cdb, "BEGIN", NULL, NULL, NULL);
	double t0 = now_ms(), t_wy = 0, t_cmp = 0;
	int64_t text_bytes = 0, npages_all = 0, i = 0;
	int done = 0;
	wy_page *pages = NULL;
	int pcap = 0;
	while (done < ndocs && read_doc(f, &line, &cap, &d)) {
		/* NDOCS of TOTAL, spread evenly over the file */
		if ((i++ * ndocs) % total >= ndocs)
			continue;
		if (d.npages > pcap) {
			pcap = d.npages;
			pages = wy_xrealloc(pages, (size_t)pcap * sizeof *pages);
		}
		memset(pages, 0, (size_t)d.npages * sizeof *pages);
		for (int p = 0; p < d.npages; p++) {
			pages[p].page_no = p + 1;
			pages[p].text = d.pages[p];
			snprintf(pages[p].image_sha256, 65, "%064d", 0);
			pages[p].width = 1240;
			pages[p].height = 1754;
			text_bytes += (int64_t)strlen(d.pages[p]);
		}
		char fname[128];
		snprintf(fname, sizeof fname, "%s.pdf", strrchr(d.source, '/') ? strrchr(d.source, '/') + 1 : d.source);
		double a = now_ms();
		char sha[65];
		snprintf(sha, sizeof sha, "%064llx", (unsigned long long)i);
		wy_doc_new dn = {.title = d.title, .filename = fname, .sha256 = sha, .size = 1000, .uploader = "bench"};
		int64_t id;
		bool existed;
		wy_job job;
		if (wy_store_doc_add(st, &dn, &id, &existed, &ei) || wy_store_job_claim(st, "bench", 60, 3, &job, &ei))
			die("add", ei.msg);
		wy_doc_result r = {.format = "pdf", .title = d.title, .npages = d.npages, .pages = pages};
		if (wy_store_job_finish(st, &job, &r, &ei))
			die("publish", ei.msg);
		wy_job_clear(&job);
		double b2 = now_ms();
		t_wy += b2 - a;
		if (pst) {
			if (wy_store_doc_add(pst, &dn, &id, &existed, &ei) || wy_store_job_claim(pst, "bench", 60, 3, &job, &ei) ||
			    wy_store_job_finish(pst, &job, &r, &ei))
				die("publish (second store)", ei.msg);
			wy_job_clear(&job);
			t_pg += now_ms() - b2;
			b2 = now_ms();
		}
		for (int p = 0; p < d.npages; p++) {
			sqlite3_bind_int64(ins_plain, 1, id);
			sqlite3_bind_int(ins_plain, 2, p + 1);
			sqlite3_bind_text(ins_plain, 3, d.pages[p], -1, SQLITE_STATIC);
			sqlite3_step(ins_plain);
			sqlite3_reset(ins_plain);
			sqlite3_bind_int64(ins_tri, 1, (id << 20) | (p + 1));
			sqlite3_bind_text(ins_tri, 2, d.pages[p], -1, SQLITE_STATIC);
			sqlite3_step(ins_tri);
			sqlite3_reset(ins_tri);
		}
		sqlite3_bind_int64(ins_title, 1, id);
		sqlite3_bind_text(ins_title, 2, d.title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_title, 3, d.script == 't' ? "t" : "s", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_title, 4, d.source, -1, SQLITE_STATIC);
		sqlite3_step(ins_title);
		sqlite3_reset(ins_title);
		t_cmp += now_ms() - b2;
		npages_all += d.npages;
		if (++done % 10000 == 0) {
			sqlite3_exec(cdb, "COMMIT; BEGIN", NULL, NULL, NULL);
			fprintf(stderr, "  %d documents, %lld pages, %.0f s\n", done, (long long)npages_all,
				(now_ms() - t0) / 1e3);
		}
	}
	fclose(f);
	free(line);
	free(pages);
	sqlite3_exec(cdb, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ins_plain);
	sqlite3_finalize(ins_tri);
	sqlite3_finalize(ins_title);
	double a = now_ms();
	sqlite3_exec(cdb, "INSERT INTO tri(tri) VALUES('optimize')", NULL, NULL, NULL);
	t_cmp += now_ms() - a;
	a = now_ms();
	if (wy_store_reindex(st, NULL, NULL, &ei)) /* also merges the index segments */
		die("reindex", ei.msg);
	double reindex = now_ms() - a;
	wy_store_close(st);
	if (pst)
		printf("second store: publishing (with indexing) %.0f s\n", t_pg / 1e3);
	wy_store_close(pst);
	char *note = wy_xasprintf("%d documents, %lld pages, %.1f MB of text in %.0f s: publishing through the store "
				  "(with indexing) %.0f s, then reindex %.0f s; trigram + plain tables %.0f s",
				  done, (long long)npages_all, text_bytes / 1e6, (now_ms() - t0) / 1e3, t_wy / 1e3,
				  reindex / 1e3, t_cmp / 1e3);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(cdb, "INSERT OR REPLACE INTO meta VALUES('build', ?1)", -1, &s, NULL);
	sqlite3_bind_text(s, 1, note, -1, SQLITE_STATIC);
	sqlite3_step(s);
	sqlite3_finalize(s);
	sqlite3_close(cdb);
	printf("built %s\n", note);
	free(note);
	free(cpath);
	return 0;
}

/* ---- the library as the query generator sees it ---- */

/* Every page's Han characters, in rowid order of compare.db's plain table,
 * and the page texts, loaded once for drawing and counting queries. */
static struct {
	int64_t npages;
	int64_t *doc;    /* per page */
	char **text;     /* per page */
	int64_t *hstart; /* per page, into han; npages + 1 entries */
	uint32_t *han;
	int64_t nhan;
	int64_t maxdoc;
	char *script; /* per doc id: 's' or 't' */
} lib;

/* Each Han character's Simplified form, as OpenCC's t2s command gives it
 * for the character alone; 0 where it is its own. Counting occurrences over
 * folded text counts both scripts as one, as a search that folds them sees
 * the library: a span whose other-script form is in 26 documents has no
 * single right answer either. */
static uint32_t *fold;

static uint32_t folded(uint32_t cp)
{
	return cp < 0x30000 && fold[cp] ? fold[cp] : cp;
}

static void load_fold(const char *dir)
{
	fold = wy_xcalloc(0x30000, sizeof *fold);
	char *in = wy_xasprintf("%s/.fold-in", dir), *out = wy_xasprintf("%s/.fold-out", dir);
	FILE *f = fopen(in, "w");
	if (!f)
		die("write", in);
	unsigned char *seen = wy_xcalloc(0x30000, 1);
	for (int64_t i = 0; i < lib.nhan; i++)
		if (lib.han[i] < 0x30000 && !seen[lib.han[i]]) {
			seen[lib.han[i]] = 1;
			char u[5] = {0};
			wy_utf8_encode(lib.han[i], u);
			fprintf(f, "%s\n", u);
		}
	fclose(f);
	char *cmd = wy_xasprintf("opencc -c t2s.json -i '%s' -o '%s'", in, out);
	if (system(cmd) != 0)
		die("opencc", cmd);
	f = fopen(in, "r");
	FILE *g = fopen(out, "r");
	char a[64], b[64];
	while (f && g && fgets(a, sizeof a, f) && fgets(b, sizeof b, g)) {
		const char *p = a, *q = b;
		int ca = wy_utf8_decode(&p, a + strlen(a)), cb = wy_utf8_decode(&q, b + strlen(b));
		if (ca > 0 && cb > 0 && ca < 0x30000 && ca != cb && *q == '\n')
			fold[ca] = (uint32_t)cb;
	}
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	remove(in);
	remove(out);
	free(in);
	free(out);
	free(cmd);
	free(seen);
	for (int64_t i = 0; i < lib.nhan; i++)
		lib.han[i] = folded(lib.han[i]);
}

static void load_lib(sqlite3 *cdb)
{
	sqlite3_stmt *s;
	sqlite3_prepare_v2(cdb, "SELECT count(*), sum(length(body)), (SELECT max(doc) FROM titles) FROM plain", -1, &s,
			   NULL);
	sqlite3_step(s);
	int64_t n = sqlite3_column_int64(s, 0), chars = sqlite3_column_int64(s, 1);
	lib.maxdoc = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	lib.doc = wy_xmalloc((size_t)n * sizeof *lib.doc);
	lib.text = wy_xmalloc((size_t)n * sizeof *lib.text);
	lib.hstart = wy_xmalloc((size_t)(n + 1) * sizeof *lib.hstart);
	lib.han = wy_xmalloc((size_t)(chars + 1) * sizeof *lib.han);
	sqlite3_prepare_v2(cdb, "SELECT doc, body FROM plain ORDER BY rowid", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW && lib.npages < n) {
		const char *t = (const char *)sqlite3_column_text(s, 1), *p = t, *end = t + strlen(t);
		lib.doc[lib.npages] = sqlite3_column_int64(s, 0);
		lib.text[lib.npages] = wy_xstrdup(t);
		lib.hstart[lib.npages] = lib.nhan;
		while (p < end) {
			int cp = wy_utf8_decode(&p, end);
			if (is_han(cp) && lib.nhan < chars)
				lib.han[lib.nhan++] = (uint32_t)cp;
		}
		lib.npages++;
	}
	lib.hstart[lib.npages] = lib.nhan;
	sqlite3_finalize(s);
	lib.script = wy_xcalloc((size_t)lib.maxdoc + 1, 1);
	sqlite3_prepare_v2(cdb, "SELECT doc, script FROM titles", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW)
		lib.script[sqlite3_column_int64(s, 0)] = sqlite3_column_text(s, 1)[0];
	sqlite3_finalize(s);
}

/* ---- counting documents that contain a Han string ---- */

typedef struct cand {
	uint32_t cp[8];
	int len;
	int64_t doc, lastdoc;
	int ndocs;
	int kind, next;
	char *query; /* what is sent: the span as written (within), Han only (across) */
} cand;

/* Counts, for each candidate, the documents whose pages' Han characters
 * contain its string: one pass over every page, candidates found through a
 * hash of their first two characters. */
static void count_docs(cand *c, int n)
{
	size_t size = 1;
	while (size < (size_t)n * 4)
		size <<= 1;
	uint64_t *keys = wy_xcalloc(size, sizeof *keys);
	int *head = wy_xmalloc(size * sizeof *head);
	for (int i = 0; i < n; i++) {
		c[i].ndocs = 0;
		c[i].lastdoc = -1;
		uint64_t k = ((uint64_t)c[i].cp[0] << 21 | c[i].cp[1]) + 1;
		size_t h = (size_t)(k * 0x9E3779B97F4A7C15ULL >> 20) & (size - 1);
		while (keys[h] && keys[h] != k)
			h = (h + 1) & (size - 1);
		if (!keys[h]) {
			keys[h] = k;
			head[h] = -1;
		}
		c[i].next = head[h];
		head[h] = i;
	}
	for (int64_t p = 0; p < lib.npages; p++) {
		const uint32_t *a = lib.han + lib.hstart[p];
		int64_t m = lib.hstart[p + 1] - lib.hstart[p];
		for (int64_t i = 0; i + 1 < m; i++) {
			uint64_t k = ((uint64_t)a[i] << 21 | a[i + 1]) + 1;
			size_t h = (size_t)(k * 0x9E3779B97F4A7C15ULL >> 20) & (size - 1);
			while (keys[h] && keys[h] != k)
				h = (h + 1) & (size - 1);
			if (!keys[h])
				continue;
			for (int j = head[h]; j >= 0; j = c[j].next) {
				if (c[j].lastdoc == lib.doc[p] || c[j].len > m - i ||
				    memcmp(c[j].cp + 2, a + i + 2, (size_t)(c[j].len - 2) * sizeof *a) != 0)
					continue;
				c[j].lastdoc = lib.doc[p];
				c[j].ndocs++;
			}
		}
	}
	free(keys);
	free(head);
}

/* ---- drawing spans ---- */

/* The other script's forms keep where their span came from: s2t + 0 is a
 * within span's, s2t + 1 an across span's. */
enum { K_WITHIN, K_ACROSS, K_S2T, K_S2T_ACROSS, K_T2S, K_T2S_ACROSS, K_PINYIN, K_INITIALS, NKINDS };
static const char *const KIND[NKINDS] = {"within",     "across", "s2t/within", "s2t/across",
					 "t2s/within", "t2s/across", "pinyin",     "initials"};

/* A page's Han characters with where each starts and ends in the text, and
 * whether what lies before each (after the previous Han character) is empty
 * (0), only punctuation and space (1), or has letters or digits (2). */
typedef struct hpos {
	int cp;
	int at, end;
	int gap;
} hpos;

static int page_han(const char *t, hpos *out, int max)
{
	const char *p = t, *end = t + strlen(t);
	int n = 0, gap = 0;
	while (p < end && n < max) {
		const char *q = p;
		int cp = wy_utf8_decode(&p, end);
		if (is_han(cp)) {
			out[n] = (hpos){cp, (int)(q - t), (int)(p - t), n ? gap : 0};
			n++;
			gap = 0;
		} else if (gap < 2) {
			gap = is_break(cp) ? 1 : 2;
		}
	}
	return n;
}

/* A span of len Han characters of text, of the kind asked for, or false. */
static bool draw_span(const char *t, int kind, int len, cand *c)
{
	static hpos h[8192];
	int n = page_han(t, h, 8192);
	if (n < len)
		return false;
	for (int tries = 0; tries < 30; tries++) {
		int s = (int)(rnd() % (uint64_t)(n - len + 1)), breaks = 0, bad = 0;
		for (int i = s + 1; i < s + len; i++) {
			breaks += h[i].gap == 1;
			bad += h[i].gap == 2;
		}
		if (bad || (kind == K_WITHIN ? breaks != 0 : breaks == 0))
			continue;
		c->len = len;
		c->kind = kind;
		wy_buf q;
		wy_buf_init(&q, 32);
		for (int i = 0; i < len; i++) {
			c->cp[i] = fold ? folded((uint32_t)h[s + i].cp) : (uint32_t)h[s + i].cp;
			wy_buf_append(&q, t + h[s + i].at, (size_t)(h[s + i].end - h[s + i].at));
		}
		c->query = wy_buf_steal(&q);
		return true;
	}
	return false;
}

/* ---- pinyin, independent of wenyuan: Unihan's kMandarin ---- */

static char (*pinyin)[8]; /* per code point below 0x30000, lower case, ü as v */

static void load_pinyin(void)
{
	pinyin = wy_xcalloc(0x30000, sizeof *pinyin);
	FILE *f = popen("bzcat /usr/share/unicode/Unihan_Readings.txt.bz2", "r");
	if (!f)
		die("Unihan", "bzcat /usr/share/unicode/Unihan_Readings.txt.bz2 (Debian's unicode-data)");
	/* toned vowels as UTF-8, and the letter each stands for */
	static const char *const toned[] = {"ā", "á", "ǎ", "à", "ē", "é", "ě", "è", "ī", "í", "ǐ", "ì", "ō",
					    "ó", "ǒ", "ò", "ū", "ú", "ǔ", "ù", "ǖ", "ǘ", "ǚ", "ǜ", "ü", "ń",
					    "ň", "ǹ", "ḿ", "ê", "ế", "ề"};
	static const char plain[] = "aaaaeeeeiiiioooouuuuvvvvvnnnmeee";
	char line[512];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned cp;
		char field[32], reading[256];
		if (sscanf(line, "U+%x\t%31s\t%255s", &cp, field, reading) != 3 || strcmp(field, "kMandarin") != 0 ||
		    cp >= 0x30000)
			continue;
		char out[8];
		int k = 0;
		bool ok = true;
		for (const char *p = reading; *p && ok;) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
				if (k < 7)
					out[k++] = (char)(*p | 0x20);
				p++;
				continue;
			}
			if ((unsigned char)p[0] == 0xCC && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0xAF) {
				p += 2; /* a combining mark (U+0300..U+032F): a tone on m or n */
				continue;
			}
			ok = false;
			for (size_t i = 0; i < sizeof toned / sizeof *toned; i++)
				if (strncmp(p, toned[i], strlen(toned[i])) == 0) {
					if (k < 7)
						out[k++] = plain[i];
					p += strlen(toned[i]);
					ok = true;
					break;
				}
		}
		if (!ok || !k)
			continue;
		out[k] = 0;
		memcpy(pinyin[cp], out, 8);
		n++;
	}
	pclose(f);
	if (n < 10000)
		die("Unihan", "fewer than 10,000 kMandarin readings");
}

/* ---- the query set ---- */

typedef struct query {
	int kind, len;
	int64_t doc;
	char *q;
} query;

static query *qs;
static int nqs, qcap;

static void add_query(int kind, int len, int64_t doc, const char *q)
{
	if (nqs == qcap) {
		qcap = qcap ? qcap * 2 : 1024;
		qs = wy_xrealloc(qs, (size_t)qcap * sizeof *qs);
	}
	qs[nqs++] = (query){kind, len, doc, wy_xstrdup(q)};
}

/* The other script's form of each kept span, through OpenCC's command. */
static void other_script(const cand *kept, int nkept, const char *dir)
{
	for (int dirn = 0; dirn < 2; dirn++) {
		char want = dirn ? 't' : 's';
		char *in = wy_xasprintf("%s/.opencc-in", dir), *out = wy_xasprintf("%s/.opencc-out", dir);
		FILE *f = fopen(in, "w");
		if (!f)
			die("write", in);
		int n = 0;
		for (int i = 0; i < nkept; i++)
			if (lib.script[kept[i].doc] == want) {
				fprintf(f, "%s\n", kept[i].query);
				n++;
			}
		fclose(f);
		char *cmd = wy_xasprintf("opencc -c %s -i '%s' -o '%s'", dirn ? "t2s.json" : "s2t.json", in, out);
		if (n && system(cmd) != 0)
			die("opencc", cmd);
		f = n ? fopen(out, "r") : NULL;
		char line[256];
		for (int i = 0; f && i < nkept; i++) {
			if (lib.script[kept[i].doc] != want)
				continue;
			if (!fgets(line, sizeof line, f))
				break;
			line[strcspn(line, "\n")] = 0;
			if (strcmp(line, kept[i].query) != 0)
				add_query((dirn ? K_T2S : K_S2T) + kept[i].kind, kept[i].len, kept[i].doc, line);
		}
		if (f)
			fclose(f);
		remove(in);
		remove(out);
		free(in);
		free(out);
		free(cmd);
	}
}

/* Title queries: full pinyin and initials of a title's leading 2-6 Han
 * characters, kept when at most 3 titles contain that syllable sequence. */
static void title_queries(sqlite3 *cdb, int per_kind)
{
	load_pinyin();
	sqlite3_stmt *s;
	sqlite3_prepare_v2(cdb, "SELECT doc, title FROM titles ORDER BY doc", -1, &s, NULL);
	int n = 0, cap = 0;
	int64_t *docs = NULL;
	char **titles = NULL;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			docs = wy_xrealloc(docs, (size_t)cap * sizeof *docs);
			titles = wy_xrealloc(titles, (size_t)cap * sizeof *titles);
		}
		docs[n] = sqlite3_column_int64(s, 0);
		titles[n++] = wy_xstrdup((const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	/* every title's syllables as "|li|bai|..." and "|l|b|...", one after
	 * another, to count titles containing a sequence with memmem */
	wy_buf all[2];
	int64_t *starts[2];
	for (int w = 0; w < 2; w++) {
		wy_buf_init(&all[w], 0); /* no cap: every title */
		starts[w] = wy_xmalloc((size_t)(n + 1) * sizeof *starts[w]);
	}
	for (int i = 0; i < n; i++) {
		for (int w = 0; w < 2; w++) {
			starts[w][i] = (int64_t)all[w].len;
			wy_buf_putc(&all[w], '\n');
		}
		const char *p = titles[i], *end = p + strlen(p);
		while (p < end) {
			int cp = wy_utf8_decode(&p, end);
			if (!is_han(cp) || cp >= 0x30000 || !pinyin[cp][0])
				continue;
			wy_buf_printf(&all[0], "|%s", pinyin[cp]);
			wy_buf_printf(&all[1], "|%c", pinyin[cp][0]);
		}
		for (int w = 0; w < 2; w++)
			wy_buf_putc(&all[w], '|');
	}
	for (int w = 0; w < 2; w++)
		starts[w][n] = (int64_t)all[w].len;
	int got[2] = {0, 0};
	for (int tries = 0; tries < n * 2 && (got[0] < per_kind || got[1] < per_kind); tries++) {
		int i = (int)(rnd() % (uint64_t)n);
		const char *p = titles[i], *end = p + strlen(p);
		int k = 2 + (int)(rnd() % 5), have = 0;
		char seq[2][64], q[2][64];
		seq[0][0] = seq[1][0] = q[0][0] = q[1][0] = 0;
		while (p < end && have < k) {
			int cp = wy_utf8_decode(&p, end);
			if (!is_han(cp) || cp >= 0x30000 || !pinyin[cp][0])
				break;
			snprintf(seq[0] + strlen(seq[0]), 64 - strlen(seq[0]), "|%s", pinyin[cp]);
			snprintf(seq[1] + strlen(seq[1]), 64 - strlen(seq[1]), "|%c", pinyin[cp][0]);
			snprintf(q[0] + strlen(q[0]), 64 - strlen(q[0]), "%s", pinyin[cp]);
			snprintf(q[1] + strlen(q[1]), 64 - strlen(q[1]), "%c", pinyin[cp][0]);
			have++;
		}
		if (have < k)
			continue;
		for (int w = 0; w < 2; w++) {
			if (got[w] >= per_kind)
				continue;
			strcat(seq[w], "|");
			size_t sl = strlen(seq[w]);
			int count = 0;
			int64_t last = -1;
			const char *hay = all[w].data, *hend = all[w].data + all[w].len;
			for (const char *m = hay; count <= 3 && (m = memmem(m, (size_t)(hend - m), seq[w], sl)); m++) {
				int lo = 0, hi = n - 1; /* the title holding offset m */
				while (lo < hi) {
					int mid = (lo + hi + 1) / 2;
					if (starts[w][mid] <= m - hay)
						lo = mid;
					else
						hi = mid - 1;
				}
				if (lo != last) {
					count++;
					last = lo;
				}
			}
			if (count <= 3) {
				add_query(w ? K_INITIALS : K_PINYIN, k, docs[i], q[w]);
				got[w]++;
			}
		}
	}
	for (int i = 0; i < n; i++)
		free(titles[i]);
	free(titles);
	free(docs);
	for (int w = 0; w < 2; w++) {
		wy_buf_free(&all[w]);
		free(starts[w]);
	}
	free(pinyin);
}

/* Draws the known-item queries (per_bucket of each kind and length), writes
 * them to path. */
static void make_queries(sqlite3 *cdb, const char *dir, const char *path, int per_bucket)
{
	double t0 = now_ms();
	load_lib(cdb);
	load_fold(dir);
	fprintf(stderr, "drawing queries: %lld pages, %.1f M Han characters loaded in %.0f s\n",
		(long long)lib.npages, lib.nhan / 1e6, (now_ms() - t0) / 1e3);
	int have[2][9] = {{0}}, tried[2][9] = {{0}}, keptn[2][9] = {{0}};
	/* pages by their document's script: half of each bucket is drawn from
	 * Simplified documents, half from Traditional ones, so both directions
	 * of the other script's form are measured */
	int64_t *bys[2], nbys[2] = {0, 0};
	for (int w = 0; w < 2; w++)
		bys[w] = wy_xmalloc((size_t)lib.npages * sizeof *bys[w]);
	for (int64_t p = 0; p < lib.npages; p++) {
		int w = lib.script[lib.doc[p]] == 't';
		bys[w][nbys[w]++] = p;
	}
	cand *kept = wy_xcalloc((size_t)per_bucket * 14, sizeof *kept);
	int nkept = 0;
	for (int round = 0; round < 8; round++) {
		int ncand = 0, ccap = 0;
		cand *c = NULL;
		for (int kind = 0; kind < 2; kind++)
			for (int len = 2; len <= 8; len++) {
				int need = per_bucket - have[kind][len];
				if (need <= 0)
					continue;
				/* draw enough that, at the rate kept so far, the bucket fills */
				double rate = tried[kind][len] ? (keptn[kind][len] + 0.5) / tried[kind][len] : 0.3;
				int want = (int)(need * 1.3 / rate) + 8;
				if (want > 200000)
					want = 200000;
				for (int got = 0, tries = 0; got < want && tries < want * 20; tries++) {
					int w = nbys[1] && (!nbys[0] || (got & 1));
					int64_t p = bys[w][rnd() % (uint64_t)nbys[w]];
					if (ncand == ccap) {
						ccap = ccap ? ccap * 2 : 4096;
						c = wy_xrealloc(c, (size_t)ccap * sizeof *c);
					}
					if (!draw_span(lib.text[p], kind, len, &c[ncand]))
						continue;
					c[ncand].doc = lib.doc[p];
					ncand++;
					got++;
				}
			}
		if (!ncand)
			break;
		count_docs(c, ncand);
		for (int i = 0; i < ncand; i++) {
			int kind = c[i].kind, len = c[i].len;
			tried[kind][len]++;
			if (c[i].ndocs <= 3)
				keptn[kind][len]++;
			if (c[i].ndocs <= 3 && have[kind][len] < per_bucket) {
				have[kind][len]++;
				kept[nkept++] = c[i];
			} else {
				free(c[i].query);
			}
		}
		free(c);
	}
	fprintf(stderr, "spans kept (in at most 3 documents) of those drawn, by length 2..8:\n");
	for (int kind = 0; kind < 2; kind++) {
		fprintf(stderr, "  %-7s", KIND[kind]);
		for (int len = 2; len <= 8; len++)
			fprintf(stderr, " %d:%d/%d", len, keptn[kind][len], tried[kind][len]);
		fprintf(stderr, "\n");
	}
	for (int i = 0; i < nkept; i++)
		add_query(kept[i].kind, kept[i].len, kept[i].doc, kept[i].query);
	other_script(kept, nkept, dir);
	for (int i = 0; i < nkept; i++)
		free(kept[i].query);
	free(kept);
	free(bys[0]);
	free(bys[1]);
	title_queries(cdb, per_bucket * 2);
	FILE *f = fopen(path, "w");
	if (!f)
		die("write", path);
	for (int i = 0; i < nqs; i++)
		fprintf(f, "%s\t%d\t%lld\t%s\n", KIND[qs[i].kind], qs[i].len, (long long)qs[i].doc, qs[i].q);
	fclose(f);
	fprintf(stderr, "%d queries drawn in %.0f s into %s\n", nqs, (now_ms() - t0) / 1e3, path);
	for (int i = 0; i < nqs; i++)
		free(qs[i].q);
	nqs = 0; /* run reads them back from the file, as later runs do */
}

static void read_queries(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("read", path);
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char kind[16], q[256];
		int len;
		long long doc;
		if (sscanf(line, "%15[^\t]\t%d\t%lld\t%255[^\n]", kind, &len, &doc, q) != 4)
			continue;
		for (int k = 0; k < NKINDS; k++)
			if (strcmp(kind, KIND[k]) == 0)
				add_query(k, len, doc, q);
	}
	fclose(f);
}

/* ---- the engines ---- */

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
static int wy_search10(wy_store *st, const char *q, int64_t *ids)
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
	wy_search_result_clear(&r);
	wy_query_free(qq);
	return n;
}

/* FTS5 trigram: pages matching the query as a phrase, best first, their
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
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
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

/* A random page's text, from compare.db's plain table. */
static char *random_page(sqlite3 *cdb, int64_t maxrow)
{
	static sqlite3_stmt *s;
	if (!s)
		sqlite3_prepare_v2(cdb, "SELECT body FROM plain WHERE rowid = ?1", -1, &s, NULL);
	for (;;) {
		sqlite3_bind_int64(s, 1, 1 + (int64_t)(rnd() % (uint64_t)maxrow));
		char *t = NULL;
		if (sqlite3_step(s) == SQLITE_ROW)
			t = wy_xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		if (t)
			return t;
	}
}

/* n consecutive Han characters of text at a random place, or NULL. */
static char *random_span(const char *text, int n)
{
	cand c;
	if (!draw_span(text, K_WITHIN, n, &c))
		return NULL;
	return c.query;
}

/* ---- run ---- */

/* The 1-minute load average, to print beside latencies: on a shared
 * machine they move with what else runs. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

enum { E_WY, E_TRI, E_LIKE, NENG };
typedef struct score {
	int n;
	int hit;
	double rr;
} score;

static int rank_of(const int64_t *ids, int n, int64_t doc)
{
	for (int r = 0; r < n; r++)
		if (ids[r] == doc)
			return r + 1;
	return 0;
}

static void cell(char *out, size_t cap, const score *s)
{
	if (!s->n)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.3f/%.3f", (double)s->hit / s->n, s->rr / s->n);
}

/* wenyuan's recall@10 over kinds k0..k1 together */
static double recall(score (*byk)[NENG], int k0, int k1)
{
	int n = 0, hit = 0;
	for (int k = k0; k <= k1; k++) {
		n += byk[k][E_WY].n;
		hit += byk[k][E_WY].hit;
	}
	return n ? (double)hit / n : 0;
}

static int run(const char *dir, int nq, unsigned long long seed, int nlike)
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
	sqlite3_prepare_v2(cdb,
			   "SELECT max(rowid), sum(length(CAST(body AS BLOB))), count(DISTINCT doc), sum(length(body)) "
			   "FROM plain",
			   -1, &s, NULL);
	sqlite3_step(s);
	int64_t maxrow = sqlite3_column_int64(s, 0), raw = sqlite3_column_int64(s, 1), ndocs = sqlite3_column_int64(s, 2),
		nchars = sqlite3_column_int64(s, 3);
	sqlite3_finalize(s);
	char build[512] = "";
	if (sqlite3_prepare_v2(cdb, "SELECT v FROM meta WHERE k = 'build'", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(build, sizeof build, "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	printf("library: %lld documents, %lld pages, %.1f M characters (%.1f MB) of page text\n",
	       (long long)ndocs, (long long)maxrow, nchars / 1e6, raw / 1e6);
	if (sqlite3_prepare_v2(cdb, "SELECT source, count(*) FROM titles GROUP BY source ORDER BY 2 DESC", -1, &s,
			       NULL) == SQLITE_OK) {
		printf("  documents by source:");
		while (sqlite3_step(s) == SQLITE_ROW)
			printf(" %s %d;", (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1));
		printf("\n");
		sqlite3_finalize(s);
	}
	if (*build)
		printf("  built: %s\n", build);

	char *qpath = wy_xasprintf("%s/queries-%d-%llu.tsv", dir, nq, seed);
	fflush(stdout);
	if (file_size(qpath) == 0)
		make_queries(cdb, dir, qpath, nq / 2 > 0 ? nq / 2 : 1);
	read_queries(qpath);
	/* the same latency queries whether or not the known-item ones were
	 * drawn in this run */
	rng_state = 88172645463325252ULL ^ (seed + 1) * 0x9E3779B97F4A7C15ULL;

	/* warm the caches the way a running server has them */
	int64_t ids[10];
	for (int i = 0; i < 20; i++) {
		char *t = random_page(cdb, maxrow), *q = random_span(t, 2);
		if (q)
			wy_search10(st, q, ids);
		free(q);
		free(t);
	}

	printf("\nlatency, ms (%d queries per length: spans inside Han runs of random pages, unfiltered; load average "
	       "%.1f at the start)\n",
	       nq, loadavg());
	printf("%-6s %-20s %-24s %-22s\n", "chars", "wenyuan p50 / p99", "FTS5 trigram p50 / p99", "LIKE p50 / p99");
	double worst_p99 = 0;
	int nlike_lat = nlike / 4 > 5 ? nlike / 4 : 5;
	for (int len = 1; len <= 8; len++) {
		double *tw = wy_xcalloc((size_t)nq, sizeof *tw), *tt = wy_xcalloc((size_t)nq, sizeof *tt),
		       *tl = wy_xcalloc((size_t)nq, sizeof *tl);
		int n = 0, nl = 0;
		int64_t hits_tri = 0;
		while (n < nq) {
			char *t = random_page(cdb, maxrow), *q = random_span(t, len);
			free(t);
			if (!q)
				continue;
			double a = now_ms();
			wy_search10(st, q, ids);
			tw[n] = now_ms() - a;
			a = now_ms();
			hits_tri += tri_search10(cdb, q, ids) > 0;
			tt[n] = now_ms() - a;
			if (nl < nlike_lat) {
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
		char a1[40], a2[48], a3[40];
		snprintf(a1, sizeof a1, "%.1f / %.1f", w50, w99);
		snprintf(a2, sizeof a2, "%.1f / %.1f%s", pct(tt, n, 0.5), pct(tt, n, 0.99),
			 hits_tri ? "" : " (finds 0)");
		snprintf(a3, sizeof a3, "%.0f / %.0f (%d q)", pct(tl, nl, 0.5), pct(tl, nl, 0.99), nl);
		printf("%-6d %-20s %-24s %-22s\n", len, a1, a2, a3);
		free(tw);
		free(tt);
		free(tl);
	}

	printf("(load average %.1f at the end)\n", loadavg());

	/* known-item: where does the document the query was drawn from rank */
	static score sc[NKINDS][9][NENG], byk[NKINDS][NENG];
	int like_n[NKINDS][9] = {{0}};
	int per_like = nlike / 14 > 1 ? nlike / 14 : 1;
	double t_wy = 0;
	bool trace = getenv("BENCH_SEARCH_TRACE") != NULL; /* each query's rank, to stderr */
	for (int i = 0; i < nqs; i++) {
		query *q = &qs[i];
		int len = q->len < 0 ? 0 : q->len > 8 ? 8 : q->len;
		double a = now_ms();
		int r = rank_of(ids, wy_search10(st, q->q, ids), q->doc);
		t_wy += now_ms() - a;
		if (trace)
			fprintf(stderr, "%s\t%d\t%lld\t%s\twenyuan rank %d\n", KIND[q->kind], q->len, (long long)q->doc, q->q, r);
		score *e = sc[q->kind][len];
		for (int pass = 0; pass < 3; pass++) {
			if (pass == E_TRI)
				r = rank_of(ids, tri_search10(cdb, q->q, ids), q->doc);
			if (pass == E_LIKE) {
				if (like_n[q->kind][len] >= per_like)
					break;
				like_n[q->kind][len]++;
				r = rank_of(ids, like_search10(cdb, q->q, ids), q->doc);
			}
			e[pass].n++;
			e[pass].hit += r > 0;
			e[pass].rr += r ? 1.0 / r : 0;
			byk[q->kind][pass].n++;
			byk[q->kind][pass].hit += r > 0;
			byk[q->kind][pass].rr += r ? 1.0 / r : 0;
		}
	}
	printf("\nknown-item, recall@10 / MRR@10 (%d queries from %s; LIKE on the first %d of each kind and length)\n",
	       nqs, strrchr(qpath, '/') + 1, per_like);
	printf("%-11s %6s   %-13s %-13s %-13s\n", "kind", "n", "wenyuan", "FTS5 trigram", "LIKE (n)");
	for (int k = 0; k < NKINDS; k++) {
		char a[3][40], l[60];
		for (int e = 0; e < NENG; e++)
			cell(a[e], sizeof a[e], &byk[k][e]);
		snprintf(l, sizeof l, "%s (%d)", a[2], byk[k][E_LIKE].n);
		printf("%-11s %6d   %-13s %-13s %-13s\n", KIND[k], byk[k][E_WY].n, a[0], a[1], l);
	}
	printf("\nrecall@10 by span length (characters), wenyuan / FTS5 trigram (queries)\n");
	printf("%-4s", "len");
	for (int k = K_WITHIN; k <= K_T2S_ACROSS; k++)
		printf(" %-16s", KIND[k]);
	printf("\n");
	for (int len = 2; len <= 8; len++) {
		printf("%-4d", len);
		for (int k = K_WITHIN; k <= K_T2S_ACROSS; k++) {
			score *w = &sc[k][len][E_WY], *t = &sc[k][len][E_TRI];
			char c[40] = "-";
			if (w->n)
				snprintf(c, sizeof c, "%.2f/%.2f (%d)", (double)w->hit / w->n, (double)t->hit / t->n, w->n);
			printf(" %-16s", c);
		}
		printf("\n");
	}
	printf("wenyuan recall@10 by title characters:");
	for (int k = K_PINYIN; k <= K_INITIALS; k++) {
		printf(" %s", KIND[k]);
		for (int len = 2; len <= 6; len++)
			if (sc[k][len][E_WY].n)
				printf(" %d:%.2f (%d)", len, (double)sc[k][len][E_WY].hit / sc[k][len][E_WY].n,
				       sc[k][len][E_WY].n);
		printf(k == K_PINYIN ? ";" : "\n");
	}

	int64_t wy_idx = table_bytes(wdb, "page_fts%") + table_bytes(wdb, "doc_fts%");
	int64_t tri_idx = table_bytes(cdb, "tri%");
	printf("\nindex size: wenyuan %.1f MB (%.2fx the text), trigram %.1f MB (%.2fx); page text %.1f MB;"
	       " wenyuan.db %.1f MB\n",
	       wy_idx / 1e6, (double)wy_idx / raw, tri_idx / 1e6, (double)tri_idx / raw, raw / 1e6,
	       file_size(wpath) / 1e6);
	printf("goals: recall@10 within %.3f, across %.3f (>= 0.97); Traditional forms (s2t) %.3f, Simplified "
	       "forms (t2s) %.3f (>= 0.90); title initials %.3f (>= 0.90); worst p99 %.1f ms (<= 50); index %.2fx "
	       "(<= 3)\n",
	       recall(byk, K_WITHIN, K_WITHIN), recall(byk, K_ACROSS, K_ACROSS), recall(byk, K_S2T, K_S2T_ACROSS),
	       recall(byk, K_T2S, K_T2S_ACROSS), recall(byk, K_INITIALS, K_INITIALS), worst_p99, (double)wy_idx / raw);
	printf("(wenyuan answered the %d known-item queries in %.1f s)\n", nqs, t_wy / 1e3);
	sqlite3_close(cdb);
	sqlite3_close(wdb);
	wy_store_close(st);
	free(cpath);
	free(wpath);
	free(qpath);
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
	/* BENCH_SEARCH_PG: the second store gen filled (the same library),
	 * timed on the same queries, alternately, and its top 10 compared */
	const char *pgloc = getenv("BENCH_SEARCH_PG");
	wy_store *pst = NULL;
	if (pgloc && *pgloc && wy_store_open(pgloc, &pst, &ei))
		die("open", ei.msg);
	double *t = wy_xcalloc((size_t)nq, sizeof *t), *t2 = wy_xcalloc((size_t)nq, sizeof *t2);
	int64_t ids[10], ids2[10];
	int n = 0, same = 0;
	while (n < nq) {
		char *text = random_page(cdb, maxrow), *q = random_span(text, len);
		free(text);
		if (!q)
			continue;
		double a = now_ms();
		int k = wy_search10(st, q, ids);
		t[n] = now_ms() - a;
		if (pst) {
			a = now_ms();
			int k2 = wy_search10(pst, q, ids2);
			t2[n] = now_ms() - a;
			same += k == k2 && memcmp(ids, ids2, (size_t)k * sizeof *ids) == 0;
		}
		n++;
		free(q);
	}
	if (pst)
		printf("%d chars: SQLite p50 %.1f ms, p99 %.1f ms; PostgreSQL p50 %.1f ms, p99 %.1f ms;"
		       " same top 10: %d of %d\n",
		       len, pct(t, n, 0.5), pct(t, n, 0.99), pct(t2, n, 0.5), pct(t2, n, 0.99), same, n);
	else
		printf("%d chars: p50 %.1f ms, p99 %.1f ms\n", len, pct(t, n, 0.5), pct(t, n, 0.99));
	free(t);
	free(t2);
	wy_store_close(pst);
	free(cpath);
	sqlite3_close(cdb);
	wy_store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "prof") == 0)
		return prof(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 5 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 3 && strcmp(argv[1], "run") == 0) {
		int nq = argc > 3 ? atoi(argv[3]) : 200;
		unsigned long long seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 7;
		rng_state ^= seed * 0x9E3779B97F4A7C15ULL;
		const char *nl = getenv("BENCH_SEARCH_LIKE");
		return run(argv[2], nq > 0 ? nq : 200, seed, nl ? atoi(nl) : 70);
	}
	fprintf(stderr, "usage: wy-searchbench gen DIR NDOCS CORPUS | run DIR [NQUERIES] [SEED] | prof DIR LEN N\n");
	return 2;
}

/* fuzz_query: the search query parser, its FTS5 expressions, hits and
 * snippets (text/query.h) on what a visitor types and on any page text.
 *
 * Input: the query, a NUL byte, the text to search (without a NUL the
 * input is both). Checks: every FTS expression the parser builds is one
 * SQLite's FTS5 accepts (nothing typed reaches its syntax; checked against
 * a real in-memory FTS5 table), the display string is clean UTF-8, the
 * query is searchable exactly when it has a clause; hits are inside the
 * text, non-empty, sorted and apart, at most max written; a snippet's
 * segments are contiguous, inside the text, at most 32, and never split a
 * UTF-8 sequence of valid text. */
#include "fuzz.h"

#include "store/sqlite_int.h"
#include "text/query.h"
#include "text/tokenize.h"
#include "text/utf8.h"

#include <sqlite3.h>

static sqlite3 *db;
static sqlite3_stmt *match;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wy_tokenize_init(NULL);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "CREATE VIRTUAL TABLE t USING fts5(body);"
	                 "INSERT INTO t VALUES ('人工 工智 智能 能 iphone15 机器 学习');",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &match, NULL) != SQLITE_OK) {
		fprintf(stderr, "fuzz_query: no SQLite FTS5: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
		abort();
	}
	return 0;
}

/* FTS5 parses expr without a syntax error. */
static void check_fts(const char *expr)
{
	if (!expr)
		return;
	FUZZ_CHECK(wy_utf8_valid(expr, strlen(expr)));
	sqlite3_reset(match);
	sqlite3_bind_text(match, 1, expr, -1, SQLITE_STATIC);
	int rc = sqlite3_step(match);
	if (rc != SQLITE_ROW)
		fprintf(stderr, "fuzz_query: FTS5 refuses %s: %s\n", expr, sqlite3_errmsg(db));
	FUZZ_CHECK(rc == SQLITE_ROW);
	sqlite3_reset(match);
	sqlite3_clear_bindings(match);
}

static void check_snippet(const char *text, size_t len, const wy_hit *hits, int nhits, int width)
{
	wy_snippet sn;
	wy_snippet_make(text, len, hits, nhits, width, &sn);
	FUZZ_CHECK(sn.n >= 0 && sn.n <= 32);
	bool valid = wy_utf8_valid(text, len);
	int nhit = 0;
	for (int i = 0; i < sn.n; i++) {
		const wy_snip_seg *s = &sn.seg[i];
		FUZZ_CHECK(s->start < s->end && s->end <= len);
		if (i)
			FUZZ_CHECK(s->start == sn.seg[i - 1].end);
		nhit += s->hit;
		if (valid) {
			FUZZ_CHECK(((unsigned char)text[s->start] & 0xC0) != 0x80);
			FUZZ_CHECK(s->end == len || ((unsigned char)text[s->end] & 0xC0) != 0x80);
		}
	}
	FUZZ_CHECK(nhit == sn.hits);
	FUZZ_CHECK(sn.hits <= nhits);
	if (sn.n) {
		FUZZ_CHECK(sn.cut_before == (sn.seg[0].start > 0));
		FUZZ_CHECK(sn.cut_after == (sn.seg[sn.n - 1].end < len));
	}
}

static void check_hits(const wy_query *q, const char *text, size_t len, size_t limit, int max)
{
	/* exactly max entries on the heap: writing one more is an overflow */
	wy_hit *hits = malloc((size_t)max * sizeof *hits);
	if (!hits)
		abort();
	int n = wy_query_hits(q, text, len, limit, hits, max);
	FUZZ_CHECK(n >= 0);
	if (!wy_query_searchable(q))
		FUZZ_CHECK(n == 0);
	int w = n < max ? n : max;
	size_t end = len < limit ? len : limit;
	for (int i = 0; i < w; i++) {
		FUZZ_CHECK(hits[i].start < hits[i].end && hits[i].end <= end);
		if (i)
			FUZZ_CHECK(hits[i].start > hits[i - 1].end);
	}
	check_snippet(text, len, hits, w, 0);
	check_snippet(text, len, hits, w, 1);
	check_snippet(text, len, hits, w, 60);
	free(hits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *qs, *ts;
	size_t qlen, tlen;
	fuzz_split(data, size, &qs, &qlen, &ts, &tlen);
	if (!ts) {
		ts = data;
		tlen = size;
	}
	char *query = fuzz_memdup(qs, qlen);
	char *text = fuzz_memdup(ts, tlen);

	wy_query *q = wy_query_parse(query, qlen);
	FUZZ_CHECK(q != NULL);
	int nc = wy_query_nclauses(q);
	FUZZ_CHECK(nc >= 0 && nc <= WY_QUERY_CLAUSES);
	FUZZ_CHECK(wy_query_searchable(q) == (nc > 0));
	FUZZ_CHECK(wy_query_count(q) >= nc && wy_query_count(q) <= WY_QUERY_CLAUSES);
	FUZZ_CHECK(wy_query_clause(q, wy_query_count(q)) == NULL && wy_query_clause(q, -1) == NULL);
	for (int i = 0; i < wy_query_count(q); i++) {
		const wy_qclause *c = wy_query_clause(q, i);
		FUZZ_CHECK(c->ntok > 0 && c->ntok <= WY_QUERY_TOKENS);
		for (int k = 0; k < c->ntok; k++)
			FUZZ_CHECK(c->tok[k].len > 0 && (int)strlen(c->tok[k].text) == c->tok[k].len &&
				   wy_utf8_valid(c->tok[k].text, (size_t)c->tok[k].len));
	}
	/* the SQLite backend's FTS5 expressions of it all parse */
	sq_fts f;
	sq_fts_make(q, &f);
	FUZZ_CHECK(f.nclause == nc);
	FUZZ_CHECK((f.any != NULL) == (nc > 0));
	for (int i = 0; i < f.nclause; i++) {
		FUZZ_CHECK(f.clause[i] != NULL);
		check_fts(f.clause[i]);
	}
	check_fts(f.any);
	check_fts(f.not_);
	check_fts(f.quoted);
	check_fts(f.terms);
	check_fts(f.pinyin);
	check_fts(f.initials);
	for (int i = 0; i < wy_query_nterms(q); i++)
		check_fts(f.term[i]);
	sq_fts_free(&f);
	const char *disp = wy_query_display(q);
	FUZZ_CHECK(disp != NULL && wy_utf8_valid(disp, strlen(disp)));
	for (const char *p = disp; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7F && *p != '"');

	check_hits(q, text, tlen, tlen, 64);
	check_hits(q, text, tlen, tlen / 2, 1);
	check_hits(q, text, tlen, 7, 3);

	wy_query_free(q);
	free(query);
	free(text);
	return 0;
}

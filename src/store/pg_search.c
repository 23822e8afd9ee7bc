/* store/pg_search: the full-text index of the PostgreSQL backend and its
 * searches (the rest of sqlite_search.c's functions: pg_related.c).
 *
 * The index is filled by the same tokenizer as SQLite's (text/tokenize.h),
 * in C: each page's tokens become a tsvector literal whose positions are
 * the ones FTS5 gives (a colocated token, a character's own token or a
 * bridge, shares its bigram's position), so a clause is a tsquery phrase
 * of its tokens ('人工' <-> '工智' <-> '智能') that matches exactly where
 * FTS5's phrase does. PostgreSQL does no parsing of its own here: the
 * literals are cast (::tsvector, ::tsquery), never to_tsvector'd.
 *
 * Ranking is the SQLite backend's BM25 (search_int.h), computed here in C
 * from what the index keeps: each row's length in tokens, each column's
 * totals (fts_totals, kept in step by every change of the index), and a
 * matching row's positions of the query's lexemes (ts_filter of the
 * lexemes set to weight A: only those come back), from which the
 * phrase's instances are counted. ts_rank is not BM25 and is not used.
 *
 * Known limits of tsvector (documented in docs/internals/search.md):
 * positions stop at 16383 and a lexeme keeps at most 256 of them, so on a
 * page longer than 16383 tokens only its first 16383 are indexed, and a
 * very repetitive page counts at most 256 instances of a token. */
#include "core/log.h"
#include "core/util.h"
#include "store/pg_int.h"
#include "store/pg_search_int.h"
#include "store/search_int.h"
#include "text/minhash.h"
#include "text/pinyin.h"
#include "text/query.h"
#include "text/tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS SEARCH_PAGE_BITS
#define PAGE_MASK SEARCH_PAGE_MASK
#define RANK_BUDGET SEARCH_RANK_BUDGET
#define POS_MAX 16383 /* tsvector's last position */
#define INDEX_BATCH_BYTES (4 << 20)

/* ---- tsvector and tsquery literals ---- */

/* A lexeme quoted for a tsvector or tsquery literal. */
void pgs_put_lex(wy_buf *b, const char *s, size_t len)
{
	wy_buf_putc(b, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'' || s[i] == '\\')
			wy_buf_putc(b, s[i]);
		wy_buf_putc(b, s[i]);
	}
	wy_buf_putc(b, '\'');
}

/* One text as an element of an array literal: "..." with " and \\ escaped. */
static void put_elem(wy_buf *b, const char *s)
{
	wy_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			wy_buf_putc(b, '\\');
		wy_buf_putc(b, *s);
	}
	wy_buf_putc(b, '"');
}

/* A text's tokens as a tsvector literal, positions from base + 1; len is
 * how many positions the text takes (its length for BM25, as FTS5 counts:
 * a colocated token takes none). */
typedef struct tsv {
	wy_buf b;
	int base, len;
	bool first; /* pinyin: first readings alone */
} tsv;

static void tsv_put(tsv *v, const char *text, int len, bool colocated)
{
	if (!colocated || !v->len)
		v->len++;
	int pos = v->base + v->len;
	if (pos > POS_MAX)
		return; /* tsvector's positions end here (see the top) */
	if (v->b.len)
		wy_buf_putc(&v->b, ' ');
	pgs_put_lex(&v->b, text, (size_t)len);
	wy_buf_printf(&v->b, ":%d", pos);
}

static int tsv_tok(void *ctx, const wy_token *t)
{
	tsv_put(ctx, t->text, t->len, t->kind == WY_TOK_UNIGRAM || t->kind == WY_TOK_BRIDGE);
	return 0;
}

static int tsv_py(void *ctx, const char *text, int len, bool colocated)
{
	tsv *v = ctx;
	if (colocated && v->first)
		return 0;
	tsv_put(v, text, len, colocated);
	return 0;
}

static void tsv_text(tsv *v, const char *s, size_t len)
{
	if (s)
		wy_tokenize(s, len, WY_TOK_INDEX, tsv_tok, v);
}

/* A clause as a tsquery phrase: 'a' <-> 'b'. A lone character's token is
 * matched exactly: the index has it at every position a token starting
 * with it stands (tokenize.h), as FTS5's query of it does. */
static void put_phrase(wy_buf *b, const wy_qclause *c)
{
	wy_buf_putc(b, '(');
	for (int k = 0; k < c->ntok; k++) {
		if (k)
			wy_buf_puts(b, " <-> ");
		pgs_put_lex(b, c->tok[k].text, (size_t)c->tok[k].len);
	}
	wy_buf_putc(b, ')');
}

/* The clauses that are (neg) excluded or not (and with quoted only the
 * quoted ones), joined by | (any) or &; NULL when none. */
char *pgs_tsq_clauses(const wy_query *q, bool neg, bool any, bool quoted)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	bool first = true;
	for (int i = 0; i < wy_query_count(q); i++) {
		const wy_qclause *c = wy_query_clause(q, i);
		if (c->neg != neg || (quoted && !c->quoted))
			continue;
		if (!first)
			wy_buf_puts(&b, any ? " | " : " & ");
		first = false;
		put_phrase(&b, c);
	}
	if (first) {
		wy_buf_free(&b);
		return NULL;
	}
	return wy_buf_steal(&b);
}

/* The lexemes of the clauses that are not excluded, as a text[] literal
 * (for setweight: the positions of these alone come back). */
char *pgs_lex_array(const wy_qclause *const *cl, int n)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_putc(&b, '{');
	bool first = true;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < cl[i]->ntok; k++) {
			if (!first)
				wy_buf_putc(&b, ',');
			first = false;
			wy_buf_putc(&b, '"');
			for (const char *p = cl[i]->tok[k].text; *p; p++) {
				if (*p == '"' || *p == '\\')
					wy_buf_putc(&b, '\\');
				wy_buf_putc(&b, *p);
			}
			wy_buf_putc(&b, '"');
		}
	wy_buf_putc(&b, '}');
	return wy_buf_steal(&b);
}

/* ---- counting a phrase's instances in a row ---- */

void pgs_lexv_free(lexv *v)
{
	free(v->l);
	free(v->pool);
	memset(v, 0, sizeof *v);
}

/* Parse 'lex':1,2A 'lex2':3 (the server's own output; anything odd ends
 * the parse where it is). */
void pgs_lexv_parse(lexv *v, const char *s)
{
	v->n = 0;
	v->npool = 0;
	const char *p = s;
	int *starts = NULL, nstarts = 0, capstarts = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p != '\'')
			break;
		p++;
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 16;
			v->l = wy_xrealloc(v->l, (size_t)v->cap * sizeof *v->l);
		}
		lexeme *x = &v->l[v->n];
		x->len = 0;
		for (;;) {
			if (!*p)
				goto out;
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '\'') {
				if (p[1] != '\'')
					break;
				p++;
			}
			if (x->len < (int)sizeof x->text - 1)
				x->text[x->len++] = *p;
			p++;
		}
		p++; /* the closing quote */
		x->text[x->len] = 0;
		if (nstarts == capstarts) {
			capstarts = capstarts ? capstarts * 2 : 16;
			starts = wy_xrealloc(starts, (size_t)capstarts * sizeof *starts);
		}
		starts[nstarts++] = v->npool;
		x->npos = 0;
		if (*p == ':') {
			p++;
			for (;;) {
				int n = 0;
				bool digits = false;
				while (*p >= '0' && *p <= '9') {
					n = n * 10 + (*p++ - '0');
					digits = true;
				}
				if (!digits)
					break;
				while (*p >= 'A' && *p <= 'D')
					p++;
				if (v->npool == v->cappool) {
					v->cappool = v->cappool ? v->cappool * 2 : 256;
					v->pool = wy_xrealloc(v->pool, (size_t)v->cappool * sizeof *v->pool);
				}
				v->pool[v->npool++] = n;
				x->npos++;
				if (*p != ',')
					break;
				p++;
			}
		}
		v->n++;
	}
out:
	/* the pool may have moved while it grew: point into it now */
	for (int i = 0; i < v->n && i < nstarts; i++)
		v->l[i].pos = v->pool + starts[i];
	free(starts);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* The positions of token t in the row (prefix: of every lexeme starting
 * with it), sorted, into *out (malloc'd); how many. */
static int tok_positions(const lexv *v, const char *t, int tlen, bool prefix, int **out)
{
	int n = 0, cap = 0;
	int *p = NULL;
	for (int i = 0; i < v->n; i++) {
		const lexeme *x = &v->l[i];
		bool m = prefix ? x->len >= tlen && memcmp(x->text, t, (size_t)tlen) == 0
				: x->len == tlen && memcmp(x->text, t, (size_t)tlen) == 0;
		if (!m)
			continue;
		for (int k = 0; k < x->npos; k++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				p = wy_xrealloc(p, (size_t)cap * sizeof *p);
			}
			p[n++] = x->pos[k];
		}
	}
	if (n > 1)
		qsort(p, (size_t)n, sizeof *p, int_cmp);
	*out = p;
	return n;
}

static bool has_pos(const int *p, int n, int want)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (p[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo] == want;
}

/* Instances of a phrase of n tokens in the row: positions p of the first
 * with token j at p + j. Those starting at or before split count in
 * *before, the others in *after (split 0: all in *after). Positions
 * repeated (a prefix matching two lexemes at one position) count once. */
void pgs_phrase_count(const lexv *v, const char *const *tok, const int *len, const bool *prefix, int n, int split,
			 int *before, int *after)
{
	int *pos[WY_QUERY_TOKENS > WY_PINYIN_SYLS ? WY_QUERY_TOKENS : WY_PINYIN_SYLS] = {0};
	int np[WY_QUERY_TOKENS > WY_PINYIN_SYLS ? WY_QUERY_TOKENS : WY_PINYIN_SYLS] = {0};
	for (int j = 0; j < n; j++)
		np[j] = tok_positions(v, tok[j], len[j], prefix[j], &pos[j]);
	int last = -1;
	for (int i = 0; i < np[0]; i++) {
		int p = pos[0][i];
		if (p == last)
			continue;
		last = p;
		int j = 1;
		while (j < n && has_pos(pos[j], np[j], p + j))
			j++;
		if (j < n)
			continue;
		if (split && p <= split)
			(*before)++;
		else
			(*after)++;
	}
	for (int j = 0; j < n; j++)
		free(pos[j]);
}

static void clause_count(const lexv *v, const wy_qclause *c, int split, int *before, int *after)
{
	const char *tok[WY_QUERY_TOKENS];
	int len[WY_QUERY_TOKENS];
	bool prefix[WY_QUERY_TOKENS];
	for (int k = 0; k < c->ntok; k++) {
		tok[k] = c->tok[k].text;
		len[k] = c->tok[k].len;
		prefix[k] = false; /* exact: see put_phrase */
	}
	pgs_phrase_count(v, tok, len, prefix, c->ntok, split, before, after);
}

/* ---- the index's totals (BM25's averages) ---- */

/* Set while pg_reindex rebuilds into emptied tables on this thread: no row
 * is there to remove first, and the totals are counted once at the end
 * (each skipped statement is a round trip per document). */
static _Thread_local bool rebuilding;

static int totals_add(wy_store *st, const char *name, int64_t rows, int64_t size, wy_errinfo *ei)
{
	if ((!rows && !size) || rebuilding)
		return WY_OK;
	pg_args a = {0};
	pg_arg_text(&a, name);
	pg_arg_int(&a, rows);
	pg_arg_int(&a, size);
	return pg_run(st, "UPDATE fts_totals SET rows = rows + $2::bigint, size = size + $3::bigint WHERE name = $1",
		      &a, NULL, NULL, "count the index", ei);
}

/* The average length of a column's rows (1 when it has none, as FTS5). */
int pgs_totals_avg(wy_store *st, const char *name, double *avg, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, name);
	PGresult *r;
	int rc = pg_run(st, "SELECT rows, size FROM fts_totals WHERE name = $1", &a, &r, NULL, "read the index's totals",
			ei);
	if (rc)
		return rc;
	*avg = 1.0;
	if (PQntuples(r) && pg_int(r, 0, 0) > 0 && pg_int(r, 0, 1) > 0)
		*avg = (double)pg_int(r, 0, 1) / (double)pg_int(r, 0, 0);
	PQclear(r);
	return WY_OK;
}

/* ---- keeping the index in step with pages and documents ---- */

/* Remove the rows of doc_id's pages from from_page on. */
static int unindex_pages(wy_store *st, int64_t doc_id, int from_page, wy_errinfo *ei)
{
	if (rebuilding)
		return WY_OK;
	pg_args a = {0};
	pg_arg_int(&a, (doc_id << PAGE_BITS) | (from_page & PAGE_MASK));
	pg_arg_int(&a, (doc_id + 1) << PAGE_BITS);
	PGresult *r;
	int rc = pg_run(st,
			"WITH d AS (DELETE FROM page_fts WHERE rowid >= $1::bigint AND rowid < $2::bigint RETURNING len)"
			" SELECT count(*), coalesce(sum(len), 0) FROM d",
			&a, &r, NULL, "unindex pages", ei);
	if (rc)
		return rc;
	int64_t n = pg_int(r, 0, 0), size = pg_int(r, 0, 1);
	PQclear(r);
	return totals_add(st, "page", -n, -size, ei);
}

int pg_index_pages(wy_store *st, int64_t doc_id, int from_page, wy_errinfo *ei)
{
	int rc = wy_tokenize_init(ei);
	/* a page indexed again replaces its row */
	if (rc || (rc = unindex_pages(st, doc_id, from_page < 1 ? 1 : from_page, ei)))
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, from_page);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT page_no, text FROM pages WHERE doc_id = $1::bigint AND page_no >= $2::bigint",
			 &a, &r, NULL, "read pages to index", ei)))
		return rc;
	/* the rows go in batches (a statement is a round trip): arrays of
	 * rowids, lengths and tsvectors, up to INDEX_BATCH_BYTES of them */
	int64_t rows = 0, size = 0;
	wy_buf ids, lens, vecs;
	wy_buf_init(&ids, 0);
	wy_buf_init(&lens, 0);
	wy_buf_init(&vecs, 0);
	int n = PQntuples(r), inbatch = 0;
	for (int i = 0; i < n && !rc; i++) {
		tsv v = {0};
		wy_buf_init(&v.b, 0);
		tsv_text(&v, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
		wy_buf_printf(&ids, "%s%lld", inbatch ? "," : "{", (long long)((doc_id << PAGE_BITS) | (pg_int(r, i, 0) & PAGE_MASK)));
		wy_buf_printf(&lens, "%s%d", inbatch ? "," : "{", v.len);
		wy_buf_puts(&vecs, inbatch ? "," : "{");
		put_elem(&vecs, v.b.data ? v.b.data : "");
		inbatch++;
		rows++;
		size += v.len;
		wy_buf_free(&v.b);
		if (i == n - 1 || vecs.len >= INDEX_BATCH_BYTES) {
			wy_buf_putc(&ids, '}');
			wy_buf_putc(&lens, '}');
			wy_buf_putc(&vecs, '}');
			pg_args w = {0};
			pg_arg_text(&w, ids.data);
			pg_arg_text(&w, lens.data);
			pg_arg_text(&w, vecs.data);
			rc = pg_run(st,
				    "INSERT INTO page_fts(rowid, len, v)"
				    " SELECT * FROM unnest($1::bigint[], $2::integer[], $3::tsvector[])",
				    &w, NULL, NULL, "index pages", ei);
			ids.len = lens.len = vecs.len = 0;
			inbatch = 0;
		}
	}
	wy_buf_free(&ids);
	wy_buf_free(&lens);
	wy_buf_free(&vecs);
	PQclear(r);
	return rc ? rc : totals_add(st, "page", rows, size, ei);
}

int pg_index_words(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	int rc = wy_tokenize_init(ei);
	if (rc)
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	if (rebuilding)
		goto add;
	if ((rc = pg_run(st,
			 "WITH d AS (DELETE FROM doc_fts WHERE id = $1::bigint RETURNING tlen, klen)"
			 " SELECT count(*), coalesce(sum(tlen), 0), coalesce(sum(klen), 0) FROM d",
			 &a, &r, NULL, "unindex a title", ei)))
		return rc;
	int64_t n = pg_int(r, 0, 0), tsize = pg_int(r, 0, 1), ksize = pg_int(r, 0, 2);
	PQclear(r);
	if ((rc = totals_add(st, "title", -n, -tsize, ei)) || (rc = totals_add(st, "keywords", -n, -ksize, ei)) || del)
		return rc;
add:
	if ((rc = pg_run(st, "SELECT coalesce(title, ''), " SEARCH_DOC_WORDS " FROM documents WHERE id = $1::bigint", &a, &r,
			 NULL, "read a title to index", ei)))
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return WY_OK;
	}
	tsv v = {0};
	wy_buf_init(&v.b, 0);
	tsv_text(&v, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	int tlen = v.len;
	/* the keywords after a position left empty: no phrase spans both */
	v.base = tlen + 1;
	v.len = 0;
	tsv_text(&v, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
	int klen = v.len;
	PQclear(r);
	pg_args w = {0};
	pg_arg_int(&w, doc_id);
	pg_arg_int(&w, tlen);
	pg_arg_int(&w, klen);
	pg_arg_text(&w, v.b.data ? v.b.data : "");
	rc = pg_run(st,
		    "INSERT INTO doc_fts(id, tlen, klen, v) VALUES($1::bigint, $2::integer, $3::integer, $4::tsvector)", &w,
		    NULL, NULL, "index a title", ei);
	wy_buf_free(&v.b);
	if (!rc && !(rc = totals_add(st, "title", 1, tlen, ei)))
		rc = totals_add(st, "keywords", 1, klen, ei);
	return rc;
}

/* The pinyin kinds, in SQ_TITLE_TABLES's order: the totals' names. */
static const char *const py_names[4] = {"py1", "ini1", "py", "ini"};

int pg_index_title(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	int rc = WY_OK;
	if (rebuilding)
		goto add;
	if ((rc = pg_run(st, "DELETE FROM title_fts WHERE id = $1::bigint RETURNING kind, len", &a, &r, NULL,
			 "unindex a title's pinyin", ei)))
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		int k = (int)pg_int(r, i, 0);
		if (k >= 0 && k < 4)
			rc = totals_add(st, py_names[k], -1, -pg_int(r, i, 1), ei);
	}
	PQclear(r);
	if (rc || del)
		return rc;
add:
	if ((rc = pg_run(st, "SELECT coalesce(title, '') FROM documents WHERE id = $1::bigint", &a, &r, NULL,
			 "read a title to index", ei)))
		return rc;
	if (!PQntuples(r)) {
		PQclear(r);
		return WY_OK;
	}
	for (int k = 0; k < 4 && !rc; k++) {
		tsv v = {.first = k < 2};
		wy_buf_init(&v.b, 0);
		wy_pinyin_tokenize(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), k & 1 ? WY_PY_INITIALS : WY_PY_FULL,
				   tsv_py, &v);
		pg_args w = {0};
		pg_arg_int(&w, k);
		pg_arg_int(&w, doc_id);
		pg_arg_int(&w, v.len);
		pg_arg_text(&w, v.b.data ? v.b.data : "");
		rc = pg_run(st,
			    "INSERT INTO title_fts(kind, id, len, v) VALUES($1::smallint, $2::bigint, $3::integer, $4::tsvector)",
			    &w, NULL, NULL, "index a title's pinyin", ei);
		if (!rc)
			rc = totals_add(st, py_names[k], 1, v.len, ei);
		wy_buf_free(&v.b);
	}
	PQclear(r);
	return rc;
}

int pg_index_bands(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei)
{
	if (!minhash)
		return WY_OK;
	int rc = WY_OK;
	for (int b = 0; b < WY_MINHASH_BANDS && !rc; b++) {
		int64_t v[3] = {b, (int64_t)wy_minhash_band(minhash, b), doc_id};
		rc = pg_exec_ints(st,
				  "INSERT INTO minhash_bands(band, hash, doc_id) VALUES($1::bigint, $2::bigint, $3::bigint)"
				  " ON CONFLICT DO NOTHING",
				  v, 3, NULL, "store a fingerprint", ei);
	}
	return rc;
}

/* Add (del = false) or remove the index rows of doc_id. */
static int index_rows(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	int rc = del ? unindex_pages(st, doc_id, 0, ei) : pg_index_pages(st, doc_id, 1, ei);
	if (rc || (rc = pg_index_words(st, doc_id, del, ei)) || (rc = pg_index_title(st, doc_id, del, ei)))
		return rc;
	int64_t v[2] = {doc_id, !del};
	return pg_exec_ints(st, "UPDATE documents SET indexed = $2::bigint WHERE id = $1::bigint", v, 2, NULL,
			    "mark indexed", ei);
}

int pg_unindex_doc(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int64_t indexed = 0;
	int rc = pg_row_ints(st, "SELECT indexed FROM documents WHERE id = $1::bigint", &doc_id, 1, &indexed, 1, NULL,
			     "read a document", ei);
	if (rc || !indexed)
		return rc;
	if ((rc = index_rows(st, doc_id, true, ei)))
		return rc;
	return pg_exec_ints(st, "DELETE FROM minhash_bands WHERE doc_id = $1::bigint", &doc_id, 1, NULL,
			    "forget a fingerprint", ei);
}

int pg_index_doc(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei)
{
	int rc = index_rows(st, doc_id, false, ei);
	return rc ? rc : pg_index_bands(st, doc_id, minhash, ei);
}

int pg_reindex(wy_store *st, void (*progress)(void *ctx, int done, int total), void *ctx, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	PGresult *r = NULL;
	if ((rc = pg_exec(st,
			  "DELETE FROM page_fts; DELETE FROM doc_fts; DELETE FROM title_fts; DELETE FROM minhash_bands;"
			  " UPDATE fts_totals SET rows = 0, size = 0;"
			  " UPDATE documents SET indexed = 0 WHERE indexed <> 0",
			  ei)) ||
	    (rc = pg_run(st, "SELECT id, minhash FROM documents d WHERE " SQ_OPEN " ORDER BY id", NULL, &r, NULL,
			 "list documents to index", ei)))
		return pg_end(st, rc, ei);
	int n = PQntuples(r);
	rebuilding = true;
	for (int i = 0; i < n && !rc; i++) {
		size_t len = 0;
		unsigned char *sig = pg_bytes(r, i, 1, &len);
		rc = pg_index_doc(st, pg_int(r, i, 0), sig && len == WY_MINHASH_BYTES ? sig : NULL, ei);
		free(sig);
		if (progress && ((i + 1) % 500 == 0 || i + 1 == n))
			progress(ctx, i + 1, n);
	}
	rebuilding = false;
	PQclear(r);
	/* the totals of what was indexed, once */
	if (!rc)
		rc = pg_exec(st,
			     "UPDATE fts_totals t SET rows = x.rows, size = x.size FROM ("
			     " SELECT 'page' AS name, count(*) AS rows, coalesce(sum(len), 0) AS size FROM page_fts"
			     " UNION ALL SELECT 'title', count(*), coalesce(sum(tlen), 0) FROM doc_fts"
			     " UNION ALL SELECT 'keywords', count(*), coalesce(sum(klen), 0) FROM doc_fts"
			     " UNION ALL SELECT (ARRAY['py1', 'ini1', 'py', 'ini'])[kind + 1], count(*), coalesce(sum(len), 0)"
			     "  FROM title_fts GROUP BY kind) x WHERE t.name = x.name",
			     ei);
	if ((rc = pg_end(st, rc, ei)))
		return rc;
	/* the old rows are dead tuples now: reclaim them and give the
	 * planner the new tables' statistics (outside the transaction, as
	 * SQLite's backend merges its segments after its commit) */
	pg_exec(st, "VACUUM ANALYZE page_fts", NULL);
	pg_exec(st, "VACUUM ANALYZE doc_fts", NULL);
	pg_exec(st, "VACUUM ANALYZE title_fts", NULL);
	return WY_OK;
}

/* ---- searching ---- */

/* A search's statements stop at its deadline: the server cancels one
 * that runs past statement_timeout. */
static void set_timeout(wy_store *st, int64_t ms)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", (long long)(ms > 0 ? ms : 0));
	pg_args a = {0};
	pg_arg_text(&a, v);
	pg_run(st, "SELECT set_config('statement_timeout', $1, false)", &a, NULL, NULL, "set a timeout", NULL);
}

/* A search statement's failure: past the deadline, WY_ETIMEOUT. */
static int search_fail(int rc, int64_t deadline, bool limited, wy_errinfo *ei)
{
	if (limited && wy_now_ms() >= deadline - 5)
		return wy_err_set(ei, WY_ETIMEOUT, "the search took too long; try fewer or more specific words");
	return rc;
}

/* A document's score while the clauses are joined. */
typedef struct dscore {
	int64_t doc;
	double page_r; /* the best page's (lowest), 0: none */
	bool has_page;
	double title_r;
	bool has_title;
} dscore;

typedef struct dmap {
	dscore *d;
	size_t cap, n;
} dmap;

static dscore *dmap_get(dmap *m, int64_t doc, bool add)
{
	if (add && (m->n + 1) * 2 > m->cap) {
		dmap g = {wy_xcalloc(m->cap ? m->cap * 2 : 256, sizeof *g.d), m->cap ? m->cap * 2 : 256, 0};
		for (size_t i = 0; i < m->cap; i++)
			if (m->d[i].doc)
				*dmap_get(&g, m->d[i].doc, true) = m->d[i];
		free(m->d);
		*m = g;
	}
	if (!m->cap)
		return NULL;
	size_t h = (size_t)((uint64_t)doc * 0x9E3779B97F4A7C15ULL >> 20) & (m->cap - 1);
	while (m->d[h].doc && m->d[h].doc != doc)
		h = (h + 1) & (m->cap - 1);
	if (m->d[h].doc)
		return &m->d[h];
	if (!add)
		return NULL;
	memset(&m->d[h], 0, sizeof m->d[h]);
	m->d[h].doc = doc;
	m->n++;
	return &m->d[h];
}

/* A clause's matches: pages (newest RANK_BUDGET) and titles, ranked. */
typedef struct clause_hits {
	dmap docs;
	int npages, ntitles;   /* rows read (RANK_BUDGET: more exist) */
	int64_t *page_docs;    /* the document of each page row read */
} clause_hits;

static int clause_search(wy_store *st, const wy_qclause *c, double avg_page, double avg_title, double avg_kw,
			 clause_hits *h, wy_errinfo *ei)
{
	memset(h, 0, sizeof *h);
	wy_buf tq;
	wy_buf_init(&tq, 0);
	put_phrase(&tq, c);
	char *lex = pgs_lex_array(&c, 1);
	pg_args a = {0};
	pg_arg_text(&a, tq.data);
	pg_arg_text(&a, lex);
	pg_arg_int(&a, RANK_BUDGET);
	PGresult *r = NULL;
	lexv v = {0};
	int rc = pg_run(st,
			"SELECT rowid, len, ts_filter(setweight(v, 'A', $2::text[]), '{a}')::text FROM page_fts"
			" WHERE v @@ $1::tsquery ORDER BY rowid DESC LIMIT $3::bigint",
			&a, &r, NULL, "search", ei);
	if (rc)
		goto out;
	h->npages = PQntuples(r);
	h->page_docs = wy_xcalloc((size_t)h->npages + 1, sizeof *h->page_docs);
	for (int i = 0; i < h->npages; i++) {
		int64_t doc = pg_int(r, i, 0) >> PAGE_BITS;
		h->page_docs[i] = doc;
		pgs_lexv_parse(&v, PQgetvalue(r, i, 2));
		int before = 0, tf = 0;
		clause_count(&v, c, 0, &before, &tf);
		double rr = -search_bm25(tf, (int)pg_int(r, i, 1), avg_page);
		dscore *d = dmap_get(&h->docs, doc, true);
		if (!d->has_page || rr < d->page_r)
			d->page_r = rr;
		d->has_page = true;
	}
	PQclear(r);
	if ((rc = pg_run(st,
			 "SELECT id, tlen, klen, ts_filter(setweight(v, 'A', $2::text[]), '{a}')::text FROM doc_fts"
			 " WHERE v @@ $1::tsquery ORDER BY id DESC LIMIT $3::bigint",
			 &a, &r, NULL, "search", ei)))
		goto out;
	h->ntitles = PQntuples(r);
	for (int i = 0; i < h->ntitles; i++) {
		int tlen = (int)pg_int(r, i, 1), klen = (int)pg_int(r, i, 2);
		pgs_lexv_parse(&v, PQgetvalue(r, i, 3));
		int tf_t = 0, tf_k = 0;
		clause_count(&v, c, tlen > 0 ? tlen : -1, &tf_t, &tf_k);
		if (tlen <= 0) { /* no title: every instance is the keywords' */
			tf_k += tf_t;
			tf_t = 0;
		}
		double rr = -(SEARCH_W_TITLE * search_bm25(tf_t, tlen, avg_title) +
			      SEARCH_W_KEYWORDS * search_bm25(tf_k, klen, avg_kw)) *
			    SEARCH_W_DOC;
		dscore *d = dmap_get(&h->docs, pg_int(r, i, 0), true);
		d->title_r = rr;
		d->has_title = true;
	}
	PQclear(r);
out:
	pgs_lexv_free(&v);
	wy_buf_free(&tq);
	free(lex);
	return rc;
}

/* One matching document, all clauses joined. */
typedef struct match {
	int64_t doc, dup_of, downloads;
	double score;
	int t;
} match;

/* The orders of wy_search_sort: relevance (ties: the newest), newest,
 * downloads (then relevance, then the newest). */
static int by_score(const match *x, const match *y)
{
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->doc > y->doc ? -1 : x->doc < y->doc;
}

static int match_relevance(const void *a, const void *b) { return by_score(a, b); }

static int match_newest(const void *a, const void *b)
{
	const match *x = a, *y = b;
	return x->doc > y->doc ? -1 : x->doc < y->doc;
}

static int match_downloads(const void *a, const void *b)
{
	const match *x = a, *y = b;
	if (x->downloads != y->downloads)
		return x->downloads > y->downloads ? -1 : 1;
	return by_score(x, y);
}

/* The ids of a set as a bigint[] literal. */
static char *id_array(const int64_t *ids, size_t n)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++)
		wy_buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	wy_buf_putc(&b, '}');
	return wy_buf_steal(&b);
}

static int search_run(wy_store *st, const wy_search_req *req, int64_t deadline, wy_search_result *out,
		      wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	const wy_query *q = req->query;
	const wy_qclause *cl[WY_QUERY_CLAUSES];
	int nc = 0;
	for (int i = 0; i < wy_query_count(q); i++)
		if (!wy_query_clause(q, i)->neg)
			cl[nc++] = wy_query_clause(q, i);
	if (nc <= 0)
		return WY_OK;
	double avg_page, avg_title, avg_kw;
	int rc;
	if ((rc = pgs_totals_avg(st, "page", &avg_page, ei)) || (rc = pgs_totals_avg(st, "title", &avg_title, ei)) ||
	    (rc = pgs_totals_avg(st, "keywords", &avg_kw, ei)))
		return rc;
	clause_hits h[WY_QUERY_CLAUSES];
	memset(h, 0, sizeof h);
	int nh = 0;
	match *m = NULL;
	size_t nm = 0;
	char *tq_not = pgs_tsq_clauses(q, true, true, false);
	char *ids = NULL;
	PGresult *r = NULL;
	int64_t *skip = NULL;
	int nskip = 0;
	search_groups groups = {0};
	int64_t *py = NULL;
	int npy = 0, nrel = 0;
	pg_relaxed *rel = NULL;
	const pg_relaxed **rel_of = NULL;
	bool more = false;
	for (; nh < nc; nh++) {
		if ((rc = clause_search(st, cl[nh], avg_page, avg_title, avg_kw, &h[nh], ei)))
			goto out;
		more |= h[nh].npages >= RANK_BUDGET || h[nh].ntitles >= RANK_BUDGET;
	}
	/* documents every clause matched */
	size_t cap = h[0].docs.n + 1;
	m = wy_xcalloc(cap, sizeof *m);
	for (size_t i = 0; i < h[0].docs.cap; i++) {
		const dscore *d0 = &h[0].docs.d[i];
		if (!d0->doc)
			continue;
		bool all = true;
		for (int k = 1; k < nc && all; k++)
			all = dmap_get(&h[k].docs, d0->doc, false) != NULL;
		if (all)
			m[nm++].doc = d0->doc;
	}
	/* the clauses' IDFs (with several): from the public pages each
	 * matched, of those read (sqlite_search.c says why public only) */
	double idf[WY_QUERY_CLAUSES];
	if (nc > 1) {
		double npages = 3.0;
		if ((rc = pg_run(st, "SELECT coalesce(max(id), 1) * 3.0 FROM documents", NULL, &r, NULL, "search", ei)))
			goto out;
		npages = pg_dbl(r, 0, 0);
		PQclear(r);
		r = NULL;
		for (int k = 0; k < nc; k++) {
			free(ids);
			ids = id_array(h[k].page_docs, (size_t)h[k].npages);
			pg_args a = {0};
			pg_arg_text(&a, ids);
			if ((rc = pg_run(st,
					 "SELECT count(*) FROM unnest($1::bigint[]) x(doc) JOIN documents d ON d.id = x.doc"
					 " WHERE" LISTED,
					 &a, &r, NULL, "search", ei)))
				goto out;
			idf[k] = search_idf(npages, (double)pg_int(r, 0, 0));
			PQclear(r);
			r = NULL;
		}
	}
	for (size_t i = 0; i < nm; i++) {
		double s = 0;
		int t = 0;
		for (int k = 0; k < nc; k++) {
			const dscore *d = dmap_get(&h[k].docs, m[i].doc, false);
			double kr = (d->has_page ? d->page_r : 0) + (d->has_title ? d->title_r : 0);
			s += nc > 1 ? kr * idf[k] : kr;
			t += d->has_title;
		}
		m[i].score = s;
		m[i].t = t;
	}
	/* those the reader may see, and no excluded clause anywhere in them */
	{
		int64_t *list = wy_xcalloc(nm + 1, sizeof *list);
		for (size_t i = 0; i < nm; i++)
			list[i] = m[i].doc;
		free(ids);
		ids = id_array(list, nm);
		free(list);
		pg_args a = {0};
		pg_filter_args(&a, &req->filter);
		pg_arg_text(&a, ids);
		pg_arg_text(&a, tq_not);
		if ((rc = pg_run(st,
				 "SELECT d.id, coalesce(d.dup_of, 0), d.downloads FROM documents d"
				 " LEFT JOIN categories c ON c.id = d.category_id" PG_FIND_WHERE
				 " AND d.id = ANY($6::bigint[]) AND ($7::text IS NULL OR (NOT EXISTS (SELECT 1 FROM page_fts p"
				 "  WHERE p.rowid >= d.id * 1048576 AND p.rowid < (d.id + 1) * 1048576 AND p.v @@ $7::tsquery)"
				 "  AND NOT EXISTS (SELECT 1 FROM doc_fts t WHERE t.id = d.id AND t.v @@ $7::tsquery)))",
				 &a, &r, NULL, "search", ei)))
			goto out;
		dmap ok = {0};
		for (int i = 0; i < PQntuples(r); i++) {
			dscore *d = dmap_get(&ok, pg_int(r, i, 0), true);
			d->page_r = (double)pg_int(r, i, 1); /* dup_of */
			d->title_r = (double)pg_int(r, i, 2); /* downloads */
		}
		PQclear(r);
		r = NULL;
		size_t kept = 0;
		for (size_t i = 0; i < nm; i++) {
			const dscore *d = dmap_get(&ok, m[i].doc, false);
			if (!d)
				continue;
			m[kept] = m[i];
			m[kept].dup_of = (int64_t)d->page_r;
			m[kept].downloads = (int64_t)d->title_r;
			kept++;
		}
		nm = kept;
		free(ok.d);
	}
	qsort(m, nm, sizeof *m,
	      req->sort == WY_SEARCH_NEWEST      ? match_newest
	      : req->sort == WY_SEARCH_DOWNLOADS ? match_downloads
						 : match_relevance);
	int offset = req->offset > 0 ? req->offset : 0, limit = req->limit > 0 ? req->limit : 10;
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	out->more = nm > 0 && more;
	skip = wy_xcalloc(nm + 1, sizeof *skip);
	for (size_t i = 0; i < nm; i++) {
		skip[nskip++] = m[i].doc;
		int at = search_group_match(&groups, out, offset, m[i].doc, m[i].dup_of);
		if (at < offset || at >= offset + limit)
			continue;
		wy_search_hit *x = &out->items[out->n++];
		x->doc.id = m[i].doc;
		x->score = m[i].score;
		x->in_title = m[i].t > 0;
	}
	out->strict = out->total;
	/* fewer strict matches than a page: titles by pinyin, then the
	 * relaxed matches, after them */
	if (out->strict < WY_SEARCH_RELAX_BELOW && !req->strict_only) {
		rc = pg_search_pinyin(st, req, skip, nskip, &py, &npy, ei);
		if (!rc) {
			skip = wy_xrealloc(skip, (size_t)(nskip + npy + 1) * sizeof *skip);
			if (npy)
				memcpy(skip + nskip, py, (size_t)npy * sizeof *skip);
			nskip += npy;
			rc = pg_search_relaxed(st, req, deadline, skip, nskip, &rel, &nrel, ei);
		}
		if (rc)
			goto out;
	}
	for (int i = 0; i < npy; i++) {
		int64_t dup = 0;
		if ((rc = pg_row_ints(st, "SELECT coalesce(dup_of, 0) FROM documents WHERE id = $1::bigint", &py[i], 1,
				      &dup, 1, NULL, "search", ei)))
			goto out;
		int at = search_group_match(&groups, out, offset, py[i], dup);
		if (at < offset || at >= offset + limit)
			continue;
		wy_search_hit *x = &out->items[out->n++];
		x->kind = WY_HIT_PINYIN;
		x->doc.id = py[i];
		x->in_title = true;
	}
	if (nrel > WY_SEARCH_RELAXED - npy)
		nrel = WY_SEARCH_RELAXED - npy;
	rel_of = wy_xcalloc((size_t)limit, sizeof *rel_of);
	for (int i = 0; i < nrel; i++) {
		int64_t dup = 0;
		if ((rc = pg_row_ints(st, "SELECT coalesce(dup_of, 0) FROM documents WHERE id = $1::bigint", &rel[i].doc,
				      1, &dup, 1, NULL, "search", ei)))
			goto out;
		int at = search_group_match(&groups, out, offset, rel[i].doc, dup);
		if (at < offset || at >= offset + limit)
			continue;
		rel_of[out->n] = &rel[i];
		wy_search_hit *x = &out->items[out->n++];
		x->kind = WY_HIT_RELAXED;
		x->doc.id = rel[i].doc;
		x->score = rel[i].coverage; /* never the IDF-weighted score: see sqlite_search.c */
		x->coverage = rel[i].coverage;
		x->in_title = rel[i].in_title;
	}
	for (int i = 0; i < out->n && !rc; i++)
		rc = pg_doc_get(st, out->items[i].doc.id, &out->items[i].doc, ei);
	if (rc)
		goto out;
	/* the pages of each document shown where any clause matches, most
	 * instances first, and how many there are: of those the caller may
	 * show */
	char *tq_any = pgs_tsq_clauses(q, false, true, false), *lex = pgs_lex_array(cl, nc);
	lexv v = {0};
	/* the strict hits' page ranges, asked in one statement */
	wy_buf los, his;
	wy_buf_init(&los, 0);
	wy_buf_init(&his, 0);
	wy_buf_putc(&los, '{');
	wy_buf_putc(&his, '{');
	for (int i = 0; i < out->n; i++) {
		wy_search_hit *x = &out->items[i];
		int last = req->pages_shown ? req->pages_shown(req->pages_shown_ctx, &x->doc) : PAGE_MASK;
		x->last_page = last < 0 ? 0 : last > PAGE_MASK ? PAGE_MASK : last;
		if (!x->last_page || x->kind == WY_HIT_PINYIN)
			continue;
		if (rel_of[i]) { /* the pages relaxed matching scored, best first */
			for (int k = 0; k < rel_of[i]->npages; k++) {
				if (rel_of[i]->pages[k] > x->last_page)
					continue;
				if (x->npages_shown < WY_SEARCH_PAGES)
					x->pages[x->npages_shown++] = rel_of[i]->pages[k];
				x->npages++;
			}
			continue;
		}
		wy_buf_printf(&los, "%s%lld", los.len > 1 ? "," : "", (long long)(x->doc.id << PAGE_BITS));
		wy_buf_printf(&his, "%s%lld", his.len > 1 ? "," : "",
			      (long long)((x->doc.id << PAGE_BITS) + x->last_page + 1));
	}
	wy_buf_putc(&los, '}');
	wy_buf_putc(&his, '}');
	if (los.len > 2) {
		pg_args a = {0};
		pg_arg_text(&a, tq_any);
		pg_arg_text(&a, lex);
		pg_arg_text(&a, los.data);
		pg_arg_text(&a, his.data);
		rc = pg_run(st,
			    "SELECT p.rowid, ts_filter(setweight(p.v, 'A', $2::text[]), '{a}')::text FROM page_fts p"
			    " JOIN unnest($3::bigint[], $4::bigint[]) u(lo, hi) ON p.rowid >= u.lo AND p.rowid < u.hi"
			    " WHERE p.v @@ $1::tsquery ORDER BY p.rowid",
			    &a, &r, NULL, "search", ei);
	}
	wy_buf_free(&los);
	wy_buf_free(&his);
	for (int i = 0; i < out->n && r && !rc; i++) {
		wy_search_hit *x = &out->items[i];
		if (!x->last_page || x->kind != WY_HIT_STRICT)
			continue;
		int np = 0;
		int best_page[WY_SEARCH_PAGES], best_h[WY_SEARCH_PAGES], nb = 0;
		for (int p = 0; p < PQntuples(r); p++) {
			if (pg_int(r, p, 0) >> PAGE_BITS != x->doc.id)
				continue;
			np++;
			pgs_lexv_parse(&v, PQgetvalue(r, p, 1));
			int hits = 0, before = 0;
			for (int k = 0; k < nc; k++)
				clause_count(&v, cl[k], 0, &before, &hits);
			int page = (int)(pg_int(r, p, 0) & PAGE_MASK);
			/* most hits first, then the lower page: insertion into the
			 * best WY_SEARCH_PAGES (rows come in page order) */
			int at = nb;
			while (at > 0 && best_h[at - 1] < hits)
				at--;
			if (at >= WY_SEARCH_PAGES)
				continue;
			int end = nb < WY_SEARCH_PAGES ? nb : WY_SEARCH_PAGES - 1;
			for (int z = end; z > at; z--) {
				best_page[z] = best_page[z - 1];
				best_h[z] = best_h[z - 1];
			}
			best_page[at] = page;
			best_h[at] = hits;
			if (nb < WY_SEARCH_PAGES)
				nb++;
		}
		for (int k = 0; k < nb; k++)
			x->pages[k] = best_page[k];
		x->npages_shown = nb;
		x->npages = np;
	}
	PQclear(r);
	r = NULL;
	pgs_lexv_free(&v);
	free(tq_any);
	free(lex);
out:
	PQclear(r);
	for (int k = 0; k < nc; k++) {
		free(h[k].docs.d);
		free(h[k].page_docs);
	}
	free(m);
	free(ids);
	free(tq_not);
	free(skip);
	free(py);
	free(rel);
	free(rel_of);
	search_groups_free(&groups);
	if (rc)
		wy_search_result_clear(out);
	return rc;
}

int pg_search(wy_store *st, const wy_search_req *req, wy_search_result *out, wy_errinfo *ei)
{
	int64_t deadline = wy_now_ms() + req->max_ms;
	bool limited = req->max_ms > 0;
	if (limited)
		set_timeout(st, req->max_ms);
	int rc = search_run(st, req, deadline, out, ei);
	if (limited)
		set_timeout(st, 0);
	return rc ? search_fail(rc, deadline, limited, ei) : WY_OK;
}

int pg_doc_search(wy_store *st, int64_t doc_id, int last_page, const wy_query *q, bool relaxed, int *pages, int max,
		  int *n, wy_errinfo *ei)
{
	*n = 0;
	char *tq = NULL;
	if (relaxed) {
		wy_buf b;
		wy_buf_init(&b, 0);
		for (int i = 0; i < wy_query_nterms(q); i++) {
			const wy_qtok *t = wy_query_term_tok(q, i);
			if (i)
				wy_buf_puts(&b, " | ");
			pgs_put_lex(&b, t->text, (size_t)t->len);
		}
		if (b.len)
			tq = wy_buf_steal(&b);
		else
			wy_buf_free(&b);
	} else {
		tq = pgs_tsq_clauses(q, false, true, false);
	}
	if (!tq)
		return WY_OK;
	int last = last_page < 0 ? 0 : last_page > PAGE_MASK ? PAGE_MASK : last_page;
	pg_args a = {0};
	pg_arg_text(&a, tq);
	pg_arg_int(&a, doc_id << PAGE_BITS);
	pg_arg_int(&a, (doc_id << PAGE_BITS) + last + 1);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT rowid & 1048575 FROM page_fts WHERE v @@ $1::tsquery AND rowid >= $2::bigint"
			" AND rowid < $3::bigint ORDER BY rowid",
			&a, &r, NULL, "search a document", ei);
	free(tq);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		if (*n < max)
			pages[*n] = (int)pg_int(r, i, 0);
		(*n)++;
	}
	PQclear(r);
	return WY_OK;
}

/* One token as a tsquery (a lexeme holds letters, digits and CJK). */
static char *term_tsq(const char *term)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	pgs_put_lex(&b, term, strlen(term));
	return wy_buf_steal(&b);
}

int pg_term_df(wy_store *st, const char *const *terms, int n, int64_t *df, int64_t *npages, wy_errinfo *ei)
{
	/* every term's count in one statement (a round trip each would cost
	 * more than the counts) */
	wy_buf arr;
	wy_buf_init(&arr, 0);
	wy_buf_putc(&arr, '{');
	for (int i = 0; i < n; i++) {
		df[i] = 0;
		char *tq = term_tsq(terms[i] ? terms[i] : "");
		if (i)
			wy_buf_putc(&arr, ',');
		put_elem(&arr, tq);
		free(tq);
	}
	wy_buf_putc(&arr, '}');
	int rc = WY_OK;
	if (n > 0) {
		pg_args a = {0};
		pg_arg_text(&a, arr.data);
		PGresult *r;
		rc = pg_run(st,
			    "SELECT u.i, (SELECT count(*) FROM page_fts WHERE v @@ u.t::tsquery) FROM unnest($1::text[])"
			    " WITH ORDINALITY u(t, i) WHERE length(u.t) > 2", /* not an empty term (its literal is two quotes) */
			    &a, &r, NULL, "count a term's pages", ei);
		if (!rc) {
			for (int k = 0; k < PQntuples(r); k++) {
				int64_t i = pg_int(r, k, 0) - 1;
				if (i >= 0 && i < n)
					df[i] = pg_int(r, k, 1);
			}
			PQclear(r);
		}
	}
	wy_buf_free(&arr);
	if (rc || !npages)
		return rc;
	return pg_row_ints(st, "SELECT count(*) FROM pages p JOIN documents d ON d.id = p.doc_id AND d.indexed <> 0",
			   NULL, 0, npages, 1, NULL, "count pages", ei);
}

int pg_term_df_of(wy_store *st, int64_t doc_id, const char *term, int64_t *df, int64_t *npages, wy_errinfo *ei)
{
	*df = 0;
	if (npages)
		*npages = 0;
	int64_t row[2] = {0, 0};
	int rc = pg_row_ints(st,
			     "SELECT indexed, (SELECT count(*) FROM pages WHERE doc_id = $1::bigint) FROM documents"
			     " WHERE id = $1::bigint",
			     &doc_id, 1, row, 2, NULL, "count a term's pages", ei);
	if (rc || !row[0])
		return rc;
	if (npages)
		*npages = row[1];
	if (!*term)
		return WY_OK;
	char *tq = term_tsq(term);
	pg_args a = {0};
	pg_arg_text(&a, tq);
	pg_arg_int(&a, doc_id << PAGE_BITS);
	pg_arg_int(&a, (doc_id << PAGE_BITS) | PAGE_MASK);
	PGresult *r;
	rc = pg_run(st,
		    "SELECT count(*) FROM page_fts WHERE v @@ $1::tsquery AND rowid BETWEEN $2::bigint AND $3::bigint", &a,
		    &r, NULL, "count a term's pages", ei);
	free(tq);
	if (rc)
		return rc;
	*df = pg_int(r, 0, 0);
	PQclear(r);
	return WY_OK;
}

/* ---- documents related by their keywords and title ---- */

typedef struct ranked {
	int64_t id;
	double r;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

int pg_doc_related(wy_store *st, int64_t doc_id, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (limit <= 0)
		return WY_OK;
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	int rc = pg_run(st, "SELECT coalesce(keywords, '') || ' ' || coalesce(title, '') FROM documents WHERE id = $1::bigint",
			&a, &r, NULL, "related documents", ei);
	if (rc)
		goto fail;
	wy_query *q = PQntuples(r) ? wy_query_parse(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0)) : NULL;
	PQclear(r);
	/* Its keywords and title words, any of them, against others' titles
	 * and keywords (BM25 of any clause, as sqlite_search.c ranks them). */
	char *any = pgs_tsq_clauses(q, false, true, false);
	if (any) {
		const wy_qclause *cl[WY_QUERY_CLAUSES];
		int nc = 0;
		for (int i = 0; i < wy_query_count(q); i++)
			if (!wy_query_clause(q, i)->neg)
				cl[nc++] = wy_query_clause(q, i);
		char *lex = pgs_lex_array(cl, nc);
		double avg_t = 1, avg_k = 1;
		if (!(rc = pgs_totals_avg(st, "title", &avg_t, ei)) && !(rc = pgs_totals_avg(st, "keywords", &avg_k, ei))) {
			pg_args b = {0};
			pg_arg_text(&b, any);
			pg_arg_text(&b, lex);
			pg_arg_int(&b, doc_id);
			pg_arg_int(&b, RANK_BUDGET);
			rc = pg_run(st,
				    "SELECT t.id, t.tlen, t.klen, ts_filter(setweight(t.v, 'A', $2::text[]), '{a}')::text"
				    " FROM doc_fts t JOIN documents d ON d.id = t.id WHERE t.v @@ $1::tsquery AND t.id != $3::bigint"
				    " AND" LISTED " ORDER BY t.id DESC LIMIT $4::bigint",
				    &b, &r, NULL, "related documents", ei);
		}
		if (!rc) {
			int n = PQntuples(r);
			ranked *rk = wy_xcalloc((size_t)n + 1, sizeof *rk);
			lexv v = {0};
			for (int i = 0; i < n; i++) {
				int tlen = (int)pg_int(r, i, 1), klen = (int)pg_int(r, i, 2);
				pgs_lexv_parse(&v, PQgetvalue(r, i, 3));
				int tf_t = 0, tf_k = 0;
				for (int k = 0; k < nc; k++)
					clause_count(&v, cl[k], tlen > 0 ? tlen : -1, &tf_t, &tf_k);
				rk[i].id = pg_int(r, i, 0);
				rk[i].r = -(SEARCH_W_TITLE * search_bm25(tf_t, tlen, avg_t) +
					    SEARCH_W_KEYWORDS * search_bm25(tf_k, klen, avg_k));
			}
			pgs_lexv_free(&v);
			PQclear(r);
			qsort(rk, (size_t)n, sizeof *rk, ranked_cmp);
			for (int i = 0; i < n && out->n < limit; i++)
				if (pg_doc_get(st, rk[i].id, &out->items[out->n], NULL) == WY_OK)
					out->n++;
			free(rk);
		}
		free(lex);
	}
	free(any);
	wy_query_free(q);
	if (rc)
		goto fail;
	if (out->n >= limit)
		return WY_OK;
	/* then the newest of the same category */
	pg_arg_int(&a, limit + out->n + 1);
	if ((rc = pg_run(st,
			 "SELECT d.id FROM documents d WHERE" LISTED " AND d.id != $1::bigint AND d.category_id ="
			 " (SELECT category_id FROM documents WHERE id = $1::bigint) ORDER BY d.id DESC LIMIT $2::bigint",
			 &a, &r, NULL, "related documents", ei)))
		goto fail;
	pgs_docs_fill(st, r, doc_id, NULL, 0, limit, out);
	PQclear(r);
	return WY_OK;
fail:
	wy_doc_list_clear(out);
	return rc;
}

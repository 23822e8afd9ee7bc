/* store/sqlite_search: the full-text index of the SQLite backend.
 *
 * Two contentless FTS5 tables use wenyuan's tokenizer (text/tokenize.h),
 * registered on every connection: page_fts holds the text of every page of
 * every ready document (and of the pages stored so far of a readable one,
 * indexed as they are published) (rowid = document id << 20 | page number) and doc_fts
 * each document's title and keywords (rowid = document id). Contentless
 * tables keep only the index, not a second copy of the text, but removing a
 * row needs the exact values it was indexed with: they are read back from
 * pages/documents, which change only in the same transaction, and
 * documents.indexed says whether a document is in the index at all.
 * sqlite_reindex rebuilds both from scratch.
 *
 * Also here: near-duplicate fingerprints (MinHash bands), the query log
 * and visits, which feed related searches and "people also read". */
#include "core/log.h"
#include "core/util.h"
#include "store/search_int.h"
#include "store/sqlite_int.h"
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

/* ---- the tokenizer, as SQLite's FTS5 sees it ---- */

typedef struct fts_cb {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
} fts_cb;

static int tok_create(void *unused, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)unused;
	(void)argv;
	(void)argc;
	static int dummy;
	*out = (Fts5Tokenizer *)(void *)&dummy;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t) { (void)t; }

static int tok_emit(void *ctx, const wy_token *t)
{
	fts_cb *c = ctx;
	return c->token(c->ctx, t->kind == WY_TOK_UNIGRAM || t->kind == WY_TOK_BRIDGE ? FTS5_TOKEN_COLOCATED : 0, t->text, t->len, (int)t->start,
			(int)t->end);
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
			int (*token)(void *, int, const char *, int, int, int))
{
	(void)t;
	fts_cb c = {ctx, token};
	/* Quoted query strings come from sq_fts_make, one token each: the
	 * bigrams alone. Documents (and deletes) get the index tokens. */
	wy_tok_mode mode = (flags & FTS5_TOKENIZE_QUERY) ? WY_TOK_QUERY : WY_TOK_INDEX;
	int rc = wy_tokenize(text, len > 0 ? (size_t)len : 0, mode, tok_emit, &c);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Titles as pinyin (text/pinyin.h): tokenize='wenyuan_pinyin' gives a
 * title's readings, 'wenyuan_pinyin initials' the pairs of their initials;
 * a query's text is the store's own, Latin words as they are. */
/* 'first' keeps each character's first reading alone (the alternatives,
 * the colocated tokens, are dropped). */
typedef struct py_tok {
	wy_pinyin_mode mode;
	bool first;
} py_tok;

static const py_tok py_modes[2][2] = {{{WY_PY_FULL, false}, {WY_PY_FULL, true}},
				      {{WY_PY_INITIALS, false}, {WY_PY_INITIALS, true}}};

static int py_create(void *unused, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)unused;
	bool initials = false, first = false;
	for (int i = 0; i < argc; i++) {
		initials |= strcmp(argv[i], "initials") == 0;
		first |= strcmp(argv[i], "first") == 0;
	}
	*out = (Fts5Tokenizer *)(void *)&py_modes[initials][first];
	return SQLITE_OK;
}

typedef struct py_cb {
	fts_cb c;
	bool first;
} py_cb;

static int py_emit(void *ctx, const char *text, int len, bool colocated)
{
	py_cb *p = ctx;
	if (colocated && p->first)
		return 0;
	return p->c.token(p->c.ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, text, len, 0, 0);
}

static int py_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
		       int (*token)(void *, int, const char *, int, int, int))
{
	const py_tok *pt = (const py_tok *)(void *)t;
	py_cb p = {{ctx, token}, pt->first};
	wy_pinyin_mode mode = (flags & FTS5_TOKENIZE_QUERY) ? WY_PY_QUERY : pt->mode;
	int rc = wy_pinyin_tokenize(text, len > 0 ? (size_t)len : 0, mode, py_emit, &p);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- ranking functions ----
 *
 * FTS5's bm25() computes each phrase's IDF on its first row by scanning the
 * phrase's whole doclist: for a clause as common as one character that scan
 * costs more than ranking the rows. Our queries hold one phrase per clause,
 * so the IDF is a constant within a query and is computed apart (from the
 * vocabulary, in the caller) and passed in as weight:
 *
 *   wy_rank(fts, weight[, colweight...]) = -weight * sum over columns of
 *       colweight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))
 *
 * BM25 without the scan; lower is better, like bm25(). wy_hits(fts) is the
 * number of phrase instances on the row, for picking a document's best
 * pages without ranking the whole doclist. */

typedef struct rank_avg {
	int ncol;
	double avg[8];
} rank_avg;

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	rank_avg *ra = api->xGetAuxdata(fts, 0);
	if (!ra) {
		ra = sqlite3_malloc(sizeof *ra);
		if (!ra) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		memset(ra, 0, sizeof *ra);
		sqlite3_int64 rows = 0;
		api->xRowCount(fts, &rows);
		ra->ncol = api->xColumnCount(fts);
		if (ra->ncol > 8)
			ra->ncol = 8;
		for (int c = 0; c < ra->ncol; c++) {
			sqlite3_int64 tot = 0;
			api->xColumnTotalSize(fts, c, &tot);
			ra->avg[c] = rows > 0 && tot > 0 ? (double)tot / (double)rows : 1.0;
		}
		if (api->xSetAuxdata(fts, ra, sqlite3_free) != SQLITE_OK) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	double weight = nval > 0 ? sqlite3_value_double(val[0]) : 1.0;
	int tf[8] = {0}, ninst = 0;
	api->xInstCount(fts, &ninst);
	for (int i = 0; i < ninst; i++) {
		int phrase, col, off;
		if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK && col >= 0 && col < ra->ncol)
			tf[col]++;
	}
	double score = 0;
	for (int c = 0; c < ra->ncol; c++) {
		if (!tf[c])
			continue;
		int len = 0;
		api->xColumnSize(fts, c, &len);
		double cw = nval > 1 + c ? sqlite3_value_double(val[1 + c]) : 1.0;
		score += cw * search_bm25(tf[c], len, ra->avg[c]);
	}
	sqlite3_result_double(ctx, -weight * score);
}

static void hits_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	(void)nval;
	(void)val;
	int n = 0;
	api->xInstCount(fts, &n);
	sqlite3_result_int(ctx, n);
}

int sq_register_fts(wy_store *st, wy_errinfo *ei)
{
	int rc = wy_tokenize_init(ei);
	if (rc)
		return rc;
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(SQ(st)->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return sq_fail(SQ(st)->db, ei, "this SQLite has no FTS5");
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api)
		return wy_err_set(ei, WY_ESTORE, "store: this SQLite has no FTS5");
	static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
	static fts5_tokenizer py = {py_create, tok_delete, py_tokenize};
	if (api->xCreateTokenizer(api, "wenyuan", NULL, &tok, NULL) != SQLITE_OK ||
	    api->xCreateTokenizer(api, "wenyuan_pinyin", NULL, &py, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "wy_rank", NULL, rank_fn, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "wy_hits", NULL, hits_fn, NULL) != SQLITE_OK)
		return sq_fail(SQ(st)->db, ei, "register the tokenizer");
	return WY_OK;
}

/* ---- queries as FTS5 expressions ---- */

/* One token, quoted ("" inside doubles a quote). */
static void put_tok(wy_buf *f, const wy_qtok *t)
{
	wy_buf_putc(f, '"');
	for (const char *c = t->text; *c; c++) {
		if (*c == '"')
			wy_buf_putc(f, '"');
		wy_buf_putc(f, *c);
	}
	wy_buf_putc(f, '"');
}

/* A clause: its tokens as one phrase, "人工" + "工智" + "智能". */
static void put_clause(wy_buf *f, const wy_qclause *c)
{
	wy_buf_putc(f, '(');
	for (int k = 0; k < c->ntok; k++) {
		if (k)
			wy_buf_puts(f, " + ");
		put_tok(f, &c->tok[k]);
	}
	wy_buf_putc(f, ')');
}

/* The clauses that are (neg) excluded or not (and, with quoted, only the
 * quoted ones), joined by OR (any) or AND. NULL when there is none. */
static char *join_clauses(const wy_query *q, bool neg, bool any, bool quoted)
{
	wy_buf f;
	wy_buf_init(&f, 0);
	bool first = true;
	for (int i = 0; i < wy_query_count(q); i++) {
		const wy_qclause *c = wy_query_clause(q, i);
		if (c->neg != neg || (quoted && !c->quoted))
			continue;
		if (!first)
			wy_buf_puts(&f, any ? " OR " : " AND ");
		first = false;
		put_clause(&f, c);
	}
	if (first) {
		wy_buf_free(&f);
		return NULL;
	}
	return wy_buf_steal(&f);
}

void sq_fts_make(const wy_query *q, sq_fts *f)
{
	memset(f, 0, sizeof *f);
	f->any = join_clauses(q, false, true, false);
	f->not_ = join_clauses(q, true, true, false);
	f->quoted = join_clauses(q, false, false, true);
	for (int i = 0; i < wy_query_count(q) && f->nclause < WY_QUERY_CLAUSES; i++) {
		const wy_qclause *c = wy_query_clause(q, i);
		if (c->neg)
			continue;
		wy_buf b;
		wy_buf_init(&b, 0);
		put_clause(&b, c);
		f->clause[f->nclause++] = wy_buf_steal(&b);
	}
	int nt = wy_query_nterms(q);
	if (nt) {
		wy_buf all;
		wy_buf_init(&all, 0);
		for (int i = 0; i < nt; i++) {
			wy_buf b;
			wy_buf_init(&b, 0);
			put_tok(&b, wy_query_term_tok(q, i));
			if (i)
				wy_buf_puts(&all, " OR ");
			wy_buf_puts(&all, b.data);
			f->term[i] = wy_buf_steal(&b);
		}
		f->terms = wy_buf_steal(&all);
	}
	/* pinyin: each reading a phrase of syllables (the last a prefix while
	 * someone types), any of them; the initials one phrase of pairs */
	const wy_pinyin_q *py = wy_query_pinyin(q);
	if (py && py->nfull) {
		wy_buf b;
		wy_buf_init(&b, 0);
		for (int i = 0; i < py->nfull; i++) {
			const wy_pinyin_seg *g = &py->full[i];
			wy_buf_puts(&b, i ? " OR (" : "(");
			for (int k = 0; k < g->n; k++)
				wy_buf_printf(&b, "%s\"%s\"", k ? " + " : "", g->syl[k]);
			wy_buf_puts(&b, g->last_prefix ? " *)" : ")");
		}
		f->pinyin = wy_buf_steal(&b);
	}
	if (py && py->ninitials) {
		wy_buf b;
		wy_buf_init(&b, 0);
		for (int k = 0; k < py->ninitials; k++)
			wy_buf_printf(&b, "%s\"%s\"", k ? " + " : "", py->initials[k]);
		f->initials = wy_buf_steal(&b);
	}
}

void sq_fts_free(sq_fts *f)
{
	free(f->any);
	free(f->not_);
	free(f->quoted);
	free(f->terms);
	for (int i = 0; i < WY_QUERY_TERMS; i++)
		free(f->term[i]);
	for (int i = 0; i < f->nclause; i++)
		free(f->clause[i]);
	free(f->pinyin);
	free(f->initials);
	memset(f, 0, sizeof *f);
}

/* ---- keeping the index in step with pages and documents ---- */

static int step_done(wy_store *st, sqlite3_stmt *s, wy_errinfo *ei, const char *what)
{
	int rc = sqlite3_step(s) == SQLITE_DONE ? WY_OK : sq_fail(SQ(st)->db, ei, what);
	sqlite3_reset(s);
	return rc;
}

/* Add (del = false) or remove the index rows of doc_id's pages from
 * from_page on, from their text in pages now. */
static int index_page_rows(wy_store *st, int64_t doc_id, int from_page, bool del, wy_errinfo *ei)
{
	sqlite3_stmt *r = NULL, *w = NULL;
	int rc;
	if ((rc = sq_prep(st, &r, "SELECT page_no, text FROM pages WHERE doc_id=?1 AND page_no >= ?2", ei)))
		return rc;
	if ((rc = sq_prep(st, &w,
			  del ? "INSERT INTO page_fts(page_fts, rowid, body) VALUES('delete', ?1, ?2)"
			      : "INSERT INTO page_fts(rowid, body) VALUES(?1, ?2)",
			  ei)))
		goto out;
	sqlite3_bind_int64(r, 1, doc_id);
	sqlite3_bind_int(r, 2, from_page);
	int step;
	while ((step = sqlite3_step(r)) == SQLITE_ROW) {
		int page = sqlite3_column_int(r, 0);
		sqlite3_bind_int64(w, 1, (doc_id << PAGE_BITS) | (page & PAGE_MASK));
		sqlite3_bind_value(w, 2, sqlite3_column_value(r, 1));
		if ((rc = step_done(st, w, ei, "index a page")))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read pages to index");
out:
	sq_done(st, r);
	sq_done(st, w);
	return rc;
}

int sq_index_pages(wy_store *st, int64_t doc_id, int from_page, wy_errinfo *ei)
{
	return index_page_rows(st, doc_id, from_page, false, ei);
}

int sq_index_words(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	sqlite3_stmt *w;
	int rc = sq_prep(st, &w,
			 del ? "INSERT INTO doc_fts(doc_fts, rowid, title, keywords)"
			       " SELECT 'delete', id, coalesce(title, ''), " SEARCH_DOC_WORDS " FROM documents WHERE id=?1"
			     : "INSERT INTO doc_fts(rowid, title, keywords)"
			       " SELECT id, coalesce(title, ''), " SEARCH_DOC_WORDS " FROM documents WHERE id=?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(w, 1, doc_id);
	rc = step_done(st, w, ei, "index a title");
	sq_done(st, w);
	return rc;
}

int sq_index_title(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	sqlite3_stmt *w = NULL;
	int rc = WY_OK;
	static const char *const py_tables[] = SQ_TITLE_TABLES;
	for (size_t k = 0; k < sizeof py_tables / sizeof py_tables[0]; k++) {
		char sql[200];
		if (del)
			snprintf(sql, sizeof sql,
				 "INSERT INTO %s(%s, rowid, title) SELECT 'delete', id, coalesce(title, '') FROM documents"
				 " WHERE id=?1",
				 py_tables[k], py_tables[k]);
		else
			snprintf(sql, sizeof sql,
				 "INSERT INTO %s(rowid, title) SELECT id, coalesce(title, '') FROM documents WHERE id=?1",
				 py_tables[k]);
		if ((rc = sq_prep(st, &w, sql, ei)))
			return rc;
		sqlite3_bind_int64(w, 1, doc_id);
		if ((rc = step_done(st, w, ei, "index a title's pinyin")))
			break;
		sq_done(st, w);
		w = NULL;
	}
	sq_done(st, w);
	return rc;
}

/* Add (del = false) or remove the index rows of doc_id from the values in
 * pages and documents now. */
static int index_rows(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei)
{
	sqlite3_stmt *w = NULL;
	int rc;
	if ((rc = index_page_rows(st, doc_id, 1, del, ei)) || (rc = sq_index_words(st, doc_id, del, ei)) ||
	    (rc = sq_index_title(st, doc_id, del, ei)))
		return rc;
	if ((rc = sq_prep(st, &w, "UPDATE documents SET indexed=?2 WHERE id=?1", ei)))
		goto out;
	sqlite3_bind_int64(w, 1, doc_id);
	sqlite3_bind_int(w, 2, !del);
	rc = step_done(st, w, ei, "mark indexed");
out:
	sq_done(st, w);
	return rc;
}

int sq_unindex_doc(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT indexed FROM documents WHERE id=?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	bool indexed = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
	sq_done(st, s);
	if (!indexed)
		return WY_OK;
	if ((rc = index_rows(st, doc_id, true, ei)))
		return rc;
	if ((rc = sq_prep(st, &s, "DELETE FROM minhash_bands WHERE doc_id=?1", ei)))
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	rc = step_done(st, s, ei, "forget a fingerprint");
	sq_done(st, s);
	return rc;
}

int sq_index_doc(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei)
{
	int rc = index_rows(st, doc_id, false, ei);
	return rc ? rc : sq_index_bands(st, doc_id, minhash, ei);
}

int sq_index_bands(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei)
{
	int rc;
	if (!minhash)
		return WY_OK;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "INSERT OR IGNORE INTO minhash_bands(band, hash, doc_id) VALUES(?1, ?2, ?3)", ei)))
		return rc;
	for (int b = 0; b < WY_MINHASH_BANDS && !rc; b++) {
		sqlite3_bind_int(s, 1, b);
		sqlite3_bind_int64(s, 2, wy_minhash_band(minhash, b));
		sqlite3_bind_int64(s, 3, doc_id);
		rc = step_done(st, s, ei, "store a fingerprint");
	}
	sq_done(st, s);
	return rc;
}

/* Rebuild inside the caller's transaction. */
int sq_reindex_all(wy_store *st, void (*progress)(void *, int, int), void *ctx, wy_errinfo *ei)
{
	int rc;
	if ((rc = sq_exec(st,
			  "INSERT INTO page_fts(page_fts) VALUES('delete-all');"
			  "INSERT INTO doc_fts(doc_fts) VALUES('delete-all');"
			  "INSERT INTO title_py1(title_py1) VALUES('delete-all');"
			  "INSERT INTO title_ini1(title_ini1) VALUES('delete-all');"
			  "INSERT INTO title_py(title_py) VALUES('delete-all');"
			  "INSERT INTO title_ini(title_ini) VALUES('delete-all');"
			  "DELETE FROM minhash_bands;"
			  "UPDATE documents SET indexed=0 WHERE indexed;",
			  ei)))
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT count(*) FROM documents d WHERE " SQ_OPEN, ei)))
		return rc;
	int total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
	/* ids first: index_rows uses the statement cache too */
	int64_t *ids = NULL;
	unsigned char (*sigs)[WY_MINHASH_BYTES] = NULL;
	bool *has_sig = NULL;
	int n = 0;
	if ((rc = sq_prep(st, &s, "SELECT id, minhash FROM documents d WHERE " SQ_OPEN " ORDER BY id", ei)))
		return rc;
	ids = wy_xcalloc((size_t)total + 1, sizeof *ids);
	sigs = wy_xcalloc((size_t)total + 1, sizeof *sigs);
	has_sig = wy_xcalloc((size_t)total + 1, sizeof *has_sig);
	while (n < total && sqlite3_step(s) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == WY_MINHASH_BYTES) {
			memcpy(sigs[n], sqlite3_column_blob(s, 1), WY_MINHASH_BYTES);
			has_sig[n] = true;
		}
		n++;
	}
	sq_done(st, s);
	for (int i = 0; i < n && !rc; i++) {
		rc = sq_index_doc(st, ids[i], has_sig[i] ? sigs[i] : NULL, ei);
		if (progress && ((i + 1) % 500 == 0 || i + 1 == n))
			progress(ctx, i + 1, n);
	}
	free(ids);
	free(sigs);
	free(has_sig);
	return rc;
}

int sqlite_reindex(wy_store *st, void (*progress)(void *ctx, int done, int total), void *ctx, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = sq_reindex_all(st, progress, ctx, ei))) {
		sq_rollback(st);
		return rc;
	}
	if ((rc = sq_commit(st, ei)))
		return rc;
	/* merge the index segments the rebuild wrote */
	sq_exec(st, "INSERT INTO page_fts(page_fts) VALUES('optimize');", NULL);
	sq_exec(st, "INSERT INTO doc_fts(doc_fts) VALUES('optimize');", NULL);
	return WY_OK;
}

/* ---- searching ---- */

/* FTS5 reports a bad expression as SQLITE_ERROR with "fts5: syntax error";
 * sq_fts_make never builds one, but a caller of the store might. */
int sq_search_fail(wy_store *st, wy_errinfo *ei)
{
	if (sqlite3_errcode(SQ(st)->db) == SQLITE_INTERRUPT)
		return wy_err_set(ei, WY_ETIMEOUT, "the search took too long; try fewer or more specific words");
	const char *m = sqlite3_errmsg(SQ(st)->db);
	if (m && strstr(m, "fts5"))
		return wy_err_set(ei, WY_EINVAL, "search: %s", m);
	return sq_fail(SQ(st)->db, ei, "search");
}

/* A search's work budget: SQLite calls this every few thousand steps of
 * its program, and a non-zero answer interrupts the statement. */
static int past_deadline(void *ctx) { return wy_now_ms() >= *(const int64_t *)ctx; }

static int search_run(wy_store *st, const wy_search_req *req, const sq_fts *f, int64_t deadline,
		      wy_search_result *out, wy_errinfo *ei);

/* The document a pinyin or relaxed match is flagged a near-duplicate of
 * (s: SELECT dup_of FROM documents WHERE id = ?1), or 0. */
static int64_t dup_of_doc(sqlite3_stmt *s, int64_t id)
{
	sqlite3_bind_int64(s, 1, id);
	int64_t d = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return d;
}

int sqlite_search(wy_store *st, const wy_search_req *req, wy_search_result *out, wy_errinfo *ei)
{
	int64_t deadline = wy_now_ms() + req->max_ms;
	if (req->max_ms > 0)
		sqlite3_progress_handler(SQ(st)->db, 4096, past_deadline, &deadline);
	sq_fts f;
	sq_fts_make(req->query, &f);
	int rc = search_run(st, req, &f, deadline, out, ei);
	sq_fts_free(&f);
	if (req->max_ms > 0)
		sqlite3_progress_handler(SQ(st)->db, 0, NULL, NULL);
	return rc;
}

static int search_run(wy_store *st, const wy_search_req *req, const sq_fts *f, int64_t deadline,
		      wy_search_result *out, wy_errinfo *ei)
{
	static const char *const order[] = {
		" ORDER BY s.score, d.id DESC",
		" ORDER BY d.id DESC",
		" ORDER BY d.downloads DESC, s.score",
	};
	memset(out, 0, sizeof *out);
	int nc = f->nclause;
	if (nc <= 0)
		return WY_OK;
	const char *not_ = f->not_;
	/* Per clause: its best page and its title/keyword match, summed per
	 * document (wy_rank is BM25 without the IDF, negative: lower is better;
	 * a title or keyword hit counts three times a page's). Clauses are
	 * joined on the document, so each may match on a different page; with
	 * several, each is weighted by its IDF, ln(1 + 3N / (n + 0.5)), n the
	 * public pages it matched (of those the budget read) and N the documents
	 * (pages are about three times as many; the highest id is N's cheap
	 * upper bound). Only public pages count: a result's score is shown, and
	 * counting the pages of private, hidden or pending documents would tell
	 * anyone which words those hold (two words of one public page, scored
	 * apart, found by attack).
	 * The SQL is built from this fixed text; the expressions are bound. */
	wy_buf sql;
	wy_buf_init(&sql, 0);
	wy_buf_puts(&sql, "WITH ");
	for (int i = 0; i < nc; i++)
		wy_buf_printf(&sql,
			      "h%d AS MATERIALIZED (SELECT rowid >> %d AS doc, wy_rank(page_fts, 1.0) AS r FROM page_fts"
			      "  WHERE page_fts MATCH ?%d ORDER BY rowid DESC LIMIT %d),"
			      " t%d AS MATERIALIZED (SELECT rowid AS doc, wy_rank(doc_fts, 1.0, 10.0, 5.0) * 3 AS r FROM doc_fts"
			      "  WHERE doc_fts MATCH ?%d ORDER BY rowid DESC LIMIT %d),"
			      " k%d AS (SELECT doc, sum(r) AS r, max(t) AS t FROM"
			      "  (SELECT doc, min(r) AS r, 0 AS t FROM h%d GROUP BY doc UNION ALL SELECT doc, r, 1 FROM t%d)"
			      "  GROUP BY doc), ",
			      i, PAGE_BITS, 8 + i, RANK_BUDGET, i, 8 + i, RANK_BUDGET, i, i, i);
	if (nc > 1)
		wy_buf_puts(&sql, "n AS (SELECT coalesce(max(id), 1) * 3.0 AS n FROM documents), ");
	wy_buf_puts(&sql, "s AS (SELECT k0.doc AS doc, 0");
	for (int i = 0; i < nc; i++)
		if (nc > 1)
			wy_buf_printf(&sql,
				      " + k%d.r * ln(1 + (SELECT n FROM n) / ((SELECT count(*) FROM h%d x"
				      " JOIN documents d ON d.id = x.doc WHERE" LISTED ") + 0.5))",
				      i, i);
		else
			wy_buf_printf(&sql, " + k%d.r", i);
	wy_buf_puts(&sql, " AS score, k0.t");
	for (int i = 1; i < nc; i++)
		wy_buf_printf(&sql, " + k%d.t", i);
	wy_buf_puts(&sql, " AS t FROM k0");
	for (int i = 1; i < nc; i++)
		wy_buf_printf(&sql, " JOIN k%d ON k%d.doc = k0.doc", i, i);
	/* Every matching document's id and score, in order (a few thousand
	 * small rows at most): the page asked for is cut out here, the count
	 * is the number of rows, and only the documents shown are read whole. */
	wy_buf_puts(&sql, ") SELECT d.id, s.score, s.t, coalesce(d.dup_of, 0), (0");
	for (int i = 0; i < nc; i++)
		wy_buf_printf(&sql, " OR (SELECT count(*) FROM h%d) >= %d OR (SELECT count(*) FROM t%d) >= %d", i,
			      RANK_BUDGET, i, RANK_BUDGET);
	wy_buf_puts(&sql, ") FROM s"
			  " JOIN documents d ON d.id = s.doc LEFT JOIN categories c ON c.id = d.category_id" FIND_WHERE);
	if (not_)
		wy_buf_printf(&sql,
			      " AND d.id NOT IN (SELECT rowid >> %d FROM page_fts WHERE page_fts MATCH ?7)"
			      " AND d.id NOT IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?7)",
			      PAGE_BITS);
	wy_buf_printf(&sql, "%s", order[(unsigned)req->sort < 3 ? req->sort : 0]);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql.data, ei);
	wy_buf_free(&sql);
	if (rc)
		return rc;
	sq_bind_filter(s, &req->filter);
	if (not_)
		sqlite3_bind_text(s, 7, not_, -1, SQLITE_STATIC);
	for (int i = 0; i < nc; i++)
		sqlite3_bind_text(s, 8 + i, f->clause[i], -1, SQLITE_STATIC);
	int offset = req->offset > 0 ? req->offset : 0, limit = req->limit > 0 ? req->limit : 10;
	int step;
	/* every strict match's id (those folded into another too), for the
	 * pinyin and relaxed searches to leave out */
	int64_t *skip = NULL;
	int nskip = 0, cskip = 0;
	search_groups groups = {0};
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!out->total)
			out->more = sqlite3_column_int(s, 4);
		int64_t id = sqlite3_column_int64(s, 0);
		if (nskip == cskip)
			skip = wy_xrealloc(skip, (size_t)(cskip = cskip ? cskip * 2 : 64) * sizeof *skip);
		skip[nskip++] = id;
		int at = search_group_match(&groups, out, offset, id, sqlite3_column_int64(s, 3));
		if (at < offset || at >= offset + limit)
			continue;
		wy_search_hit *h = &out->items[out->n++];
		h->doc.id = id;
		h->score = sqlite3_column_double(s, 1);
		h->in_title = sqlite3_column_int(s, 2) > 0;
	}
	if (step != SQLITE_DONE) {
		rc = sq_search_fail(st, ei);
		sq_done(st, s);
		free(skip);
		search_groups_free(&groups);
		wy_search_result_clear(out);
		return rc;
	}
	sq_done(st, s);
	out->strict = out->total;
	/* fewer strict matches than a page: titles by pinyin, then the
	 * relaxed matches, after them */
	sq_relaxed *rel = NULL;
	int64_t *py = NULL;
	int nrel = 0, npy = 0;
	sqlite3_stmt *dq = NULL;
	if (out->strict < WY_SEARCH_RELAX_BELOW && !req->strict_only) {
		rc = sq_search_pinyin(st, req, f, skip, nskip, &py, &npy, ei);
		if (!rc) {
			skip = wy_xrealloc(skip, (size_t)(nskip + npy + 1) * sizeof *skip);
			if (npy)
				memcpy(skip + nskip, py, (size_t)npy * sizeof *skip);
			nskip += npy;
			rc = sq_search_relaxed(st, req, f, deadline, skip, nskip, &rel, &nrel, ei);
		}
		if (!rc && (npy || nrel))
			rc = sq_prep(st, &dq, "SELECT coalesce(dup_of, 0) FROM documents WHERE id = ?1", ei);
		if (rc) {
			free(py);
			free(rel);
			free(skip);
			search_groups_free(&groups);
			wy_search_result_clear(out);
			return rc;
		}
	}
	free(skip);
	for (int i = 0; i < npy; i++) {
		int at = search_group_match(&groups, out, offset, py[i], dup_of_doc(dq, py[i]));
		if (at < offset || at >= offset + limit)
			continue;
		wy_search_hit *h = &out->items[out->n++];
		h->kind = WY_HIT_PINYIN;
		h->doc.id = py[i];
		h->in_title = true;
	}
	free(py);
	if (nrel > WY_SEARCH_RELAXED - npy)
		nrel = WY_SEARCH_RELAXED - npy;
	const sq_relaxed **rel_of = wy_xcalloc((size_t)limit, sizeof *rel_of);
	for (int i = 0; i < nrel; i++) {
		int at = search_group_match(&groups, out, offset, rel[i].doc, dup_of_doc(dq, rel[i].doc));
		if (at < offset || at >= offset + limit)
			continue;
		rel_of[out->n] = &rel[i];
		wy_search_hit *h = &out->items[out->n++];
		h->kind = WY_HIT_RELAXED;
		h->doc.id = rel[i].doc;
		/* what the caller sees is the share of the query's characters
		 * found, never the IDF-weighted score: IDF counts every indexed
		 * page, those of documents the reader may not see too */
		h->score = rel[i].coverage;
		h->coverage = rel[i].coverage;
		h->in_title = rel[i].in_title;
	}
	sq_done(st, dq);
	search_groups_free(&groups);
	s = NULL;
	for (int i = 0; i < out->n; i++) {
		int64_t id = out->items[i].doc.id;
		if ((rc = sqlite_doc_get(st, id, &out->items[i].doc, ei)))
			goto fail;
	}
	/* the pages of each document shown where any clause matches, best
	 * first, and how many there are: of the pages the caller may show */
	if ((rc = sq_prep(st, &s,
			  "WITH p AS MATERIALIZED (SELECT rowid & 1048575 AS page, wy_hits(page_fts) AS h FROM page_fts"
			  "  WHERE page_fts MATCH ?1 AND rowid >= ?2 AND rowid < ?3)"
			  " SELECT page, count(*) OVER () FROM p ORDER BY h DESC, page LIMIT ?4",
			  ei)))
		goto fail;
	for (int i = 0; i < out->n; i++) {
		wy_search_hit *h = &out->items[i];
		int last = req->pages_shown ? req->pages_shown(req->pages_shown_ctx, &h->doc) : PAGE_MASK;
		h->last_page = last < 0 ? 0 : last > PAGE_MASK ? PAGE_MASK : last;
		if (!h->last_page)
			continue;
		if (h->kind == WY_HIT_PINYIN)
			continue; /* its title */
		if (rel_of[i]) { /* the pages relaxed matching scored, best first */
			for (int k = 0; k < rel_of[i]->npages; k++) {
				if (rel_of[i]->pages[k] > h->last_page)
					continue;
				if (h->npages_shown < WY_SEARCH_PAGES)
					h->pages[h->npages_shown++] = rel_of[i]->pages[k];
				h->npages++;
			}
			continue;
		}
		sqlite3_bind_text(s, 1, f->any, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, h->doc.id << PAGE_BITS);
		sqlite3_bind_int64(s, 3, (h->doc.id << PAGE_BITS) + h->last_page + 1);
		sqlite3_bind_int(s, 4, WY_SEARCH_PAGES);
		while ((step = sqlite3_step(s)) == SQLITE_ROW && h->npages_shown < WY_SEARCH_PAGES) {
			h->pages[h->npages_shown++] = sqlite3_column_int(s, 0);
			h->npages = sqlite3_column_int(s, 1);
		}
		sqlite3_reset(s);
		if (step != SQLITE_DONE && step != SQLITE_ROW) {
			rc = sq_search_fail(st, ei);
			goto fail;
		}
	}
	sq_done(st, s);
	free(rel);
	free(rel_of);
	return WY_OK;
fail:
	sq_done(st, s);
	free(rel);
	free(rel_of);
	wy_search_result_clear(out);
	return rc;
}

int sqlite_doc_search(wy_store *st, int64_t doc_id, int last_page, const wy_query *q, bool relaxed, int *pages,
			int max, int *n, wy_errinfo *ei)
{
	*n = 0;
	sq_fts f;
	sq_fts_make(q, &f);
	const char *fts = relaxed ? f.terms : f.any;
	if (!fts) {
		sq_fts_free(&f);
		return WY_OK;
	}
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT rowid & 1048575 FROM page_fts WHERE page_fts MATCH ?1 AND rowid >= ?2 AND rowid < ?3"
			 " ORDER BY rowid",
			 ei);
	if (rc) {
		sq_fts_free(&f);
		return rc;
	}
	sqlite3_bind_text(s, 1, fts, -1, SQLITE_TRANSIENT);
	sq_fts_free(&f);
	sqlite3_bind_int64(s, 2, doc_id << PAGE_BITS);
	int last = last_page < 0 ? 0 : last_page > PAGE_MASK ? PAGE_MASK : last_page;
	sqlite3_bind_int64(s, 3, (doc_id << PAGE_BITS) + last + 1);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n < max)
			pages[*n] = sqlite3_column_int(s, 0);
		(*n)++;
	}
	if (step != SQLITE_DONE)
		rc = sq_search_fail(st, ei);
	sq_done(st, s);
	return rc;
}

int sqlite_term_df(wy_store *st, const char *const *terms, int n, int64_t *df, int64_t *npages, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT doc FROM page_vocab WHERE term = ?1", ei);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, terms[i], -1, SQLITE_STATIC);
		df[i] = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
	}
	sq_done(st, s);
	if (!npages)
		return WY_OK;
	if ((rc = sq_prep(st, &s, "SELECT count(*) FROM pages p JOIN documents d ON d.id = p.doc_id AND d.indexed", ei)))
		return rc;
	*npages = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sq_done(st, s);
	return WY_OK;
}

int sqlite_term_df_of(wy_store *st, int64_t doc_id, const char *term, int64_t *df, int64_t *npages,
			wy_errinfo *ei)
{
	sqlite3_stmt *s;
	*df = 0;
	if (npages)
		*npages = 0;
	int rc = sq_prep(st, &s, "SELECT indexed, (SELECT count(*) FROM pages WHERE doc_id = ?1) FROM documents WHERE id = ?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	bool indexed = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
	if (indexed && npages)
		*npages = sqlite3_column_int64(s, 1);
	sq_done(st, s);
	/* an index token is one phrase: letters, digits and CJK, no quotes */
	if (!indexed || !*term || strchr(term, '"'))
		return WY_OK;
	char *phrase = wy_xasprintf("\"%s\"", term);
	if ((rc = sq_prep(st, &s,
			  "SELECT count(*) FROM page_fts WHERE page_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3", ei))) {
		free(phrase);
		return rc;
	}
	sqlite3_bind_text(s, 1, phrase, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, doc_id << PAGE_BITS);
	sqlite3_bind_int64(s, 3, (doc_id << PAGE_BITS) | PAGE_MASK);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*df = sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(SQ(st)->db, ei, "count a term's pages");
	sq_done(st, s);
	free(phrase);
	return rc;
}

int sqlite_near_duplicate(wy_store *st, const unsigned char *sig, double threshold, int64_t exclude,
			    int64_t *doc_id, double *similarity, wy_errinfo *ei)
{
	*doc_id = 0;
	*similarity = 0;
	/* a new version (sqlite_edit.c) is compared as the document it
	 * replaces */
	int64_t replaces = 0;
	sqlite3_stmt *v;
	if (sq_prep(st, &v, "SELECT coalesce(version_of, 0) FROM documents WHERE id = ?1", ei) == WY_OK) {
		sqlite3_bind_int64(v, 1, exclude);
		if (sqlite3_step(v) == SQLITE_ROW)
			replaces = sqlite3_column_int64(v, 0);
		sq_done(st, v);
	}
	/* candidates share at least one band; compare their whole fingerprints */
	wy_buf sql;
	wy_buf_init(&sql, 0);
	wy_buf_puts(&sql, "SELECT DISTINCT d.id, d.minhash FROM minhash_bands b JOIN documents d ON d.id = b.doc_id"
			  " WHERE" LISTED " AND (");
	for (int b = 0; b < WY_MINHASH_BANDS; b++)
		wy_buf_printf(&sql, "%s(b.band=%d AND b.hash=?%d)", b ? " OR " : "", b, b + 1);
	wy_buf_puts(&sql, ") LIMIT 200");
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql.data, ei);
	wy_buf_free(&sql);
	if (rc)
		return rc;
	for (int b = 0; b < WY_MINHASH_BANDS; b++)
		sqlite3_bind_int64(s, b + 1, wy_minhash_band(sig, b));
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		/* the original is the older: a document duplicates only one
		 * uploaded before it (a new version: before the document it
		 * replaces, which stays the original of its copies) */
		int64_t id = sqlite3_column_int64(s, 0), orig = replaces ? replaces : exclude;
		if (sqlite3_column_bytes(s, 1) != WY_MINHASH_BYTES || id == exclude || (orig && id >= orig))
			continue;
		double sim = wy_minhash_similarity(sig, sqlite3_column_blob(s, 1));
		if (sim >= threshold && sim > *similarity) {
			*similarity = sim;
			*doc_id = sqlite3_column_int64(s, 0);
		}
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "find near-duplicates");
	sq_done(st, s);
	return rc;
}

int sq_copy_holds_points(wy_store *st, int64_t doc_id, double similarity, bool *yes, wy_errinfo *ei)
{
	int64_t held;
	int rc = sq_row_ints(st,
	                     "SELECT count(*) FROM documents o JOIN documents d ON d.id = ?1"
	                     " WHERE o.sha256 = d.sha256 AND o.id != d.id AND o.upload_points > 0",
	                     &doc_id, 1, &held, 1, NULL, "find copies", ei);
	*yes = held > 0;
	if (rc || *yes || similarity <= 0)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT minhash FROM documents WHERE id = ?1", ei)))
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	unsigned char sig[WY_MINHASH_BYTES];
	bool has = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == WY_MINHASH_BYTES;
	if (has)
		memcpy(sig, sqlite3_column_blob(s, 0), WY_MINHASH_BYTES);
	sq_done(st, s);
	if (!has)
		return WY_OK;
	/* candidates share a band with it (as near-duplicates are found) */
	wy_buf sql;
	wy_buf_init(&sql, 0);
	wy_buf_printf(&sql,
		      "SELECT DISTINCT o.minhash FROM minhash_bands b JOIN documents o ON o.id = b.doc_id"
		      " WHERE o.upload_points > 0 AND o.id != ?%d AND (",
		      WY_MINHASH_BANDS + 1);
	for (int b = 0; b < WY_MINHASH_BANDS; b++)
		wy_buf_printf(&sql, "%s(b.band=%d AND b.hash=?%d)", b ? " OR " : "", b, b + 1);
	wy_buf_puts(&sql, ") LIMIT 200");
	rc = sq_prep(st, &s, sql.data, ei);
	wy_buf_free(&sql);
	if (rc)
		return rc;
	for (int b = 0; b < WY_MINHASH_BANDS; b++)
		sqlite3_bind_int64(s, b + 1, wy_minhash_band(sig, b));
	sqlite3_bind_int64(s, WY_MINHASH_BANDS + 1, doc_id);
	int step = SQLITE_DONE;
	while (!*yes && (step = sqlite3_step(s)) == SQLITE_ROW)
		*yes = sqlite3_column_bytes(s, 0) == WY_MINHASH_BYTES &&
		       wy_minhash_similarity(sig, sqlite3_column_blob(s, 0)) >= similarity;
	if (!*yes && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "find copies");
	sq_done(st, s);
	return rc;
}

/* ---- what people searched and read ---- */

int sqlite_search_log(wy_store *st, const char *query, int64_t doc_id, wy_errinfo *ei)
{
	if (!query || !*query)
		return WY_OK;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 doc_id ? "INSERT INTO search_clicks(doc_id, query, n, last_at) VALUES(?2, ?1, 1, ?3)"
				  " ON CONFLICT(doc_id, query) DO UPDATE SET n = n + 1, last_at = ?3"
				: "INSERT INTO searches(query, n, last_at) VALUES(?1, 1, ?3)"
				  " ON CONFLICT(query) DO UPDATE SET n = n + 1, last_at = ?3",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
	if (doc_id)
		sqlite3_bind_int64(s, 2, doc_id);
	int64_t now = wy_now();
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s) == SQLITE_DONE ? WY_OK : sq_fail(SQ(st)->db, ei, "log a search");
	sq_done(st, s);
	/* and the day's count of searches (the dashboard's plot) */
	if (!rc && !doc_id)
		rc = sq_exec_ints(st,
				  "INSERT INTO search_days(day, n) VALUES((?1 + 28800) / 86400, 1)"
				  " ON CONFLICT(day) DO UPDATE SET n = n + 1",
				  &now, 1, NULL, "log a search", ei);
	return rc;
}

int sqlite_popular_queries(wy_store *st, int min_n, int limit, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	/* from the clicks (a click is counted once two visitors made it) on
	 * documents everyone may see: a query one visitor repeats is never
	 * offered to others */
	int rc = sq_prep(st, &s,
			 "SELECT c.query FROM search_clicks c JOIN documents d ON d.id = c.doc_id WHERE" LISTED
			 " GROUP BY c.query HAVING sum(c.n) >= ?1 ORDER BY sum(c.n) DESC LIMIT ?2",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, min_n);
	sqlite3_bind_int(s, 2, limit);
	out->items = wy_xcalloc((size_t)(limit > 0 ? limit : 1), sizeof *out->items);
	int step;
	while (out->n < limit && (step = sqlite3_step(s)) == SQLITE_ROW)
		out->items[out->n++] = sq_col_str(s, 0);
	sq_done(st, s);
	return WY_OK;
}

int sqlite_doc_queries(wy_store *st, int64_t doc_id, int limit, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT query FROM search_clicks WHERE doc_id=?1 ORDER BY n DESC, last_at DESC LIMIT ?2", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, limit);
	out->items = wy_xcalloc((size_t)(limit > 0 ? limit : 1), sizeof *out->items);
	while (out->n < limit && sqlite3_step(s) == SQLITE_ROW)
		out->items[out->n++] = sq_col_str(s, 0);
	sq_done(st, s);
	return WY_OK;
}

int sqlite_visits_add(wy_store *st, const uint64_t *visitors, const int64_t *doc_ids, int n, wy_errinfo *ei)
{
	if (n <= 0)
		return WY_OK;
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "INSERT INTO visits(visitor, doc_id, at) SELECT ?1, ?2, ?3 WHERE EXISTS"
			  " (SELECT 1 FROM documents WHERE id = ?2)"
			  " ON CONFLICT(visitor, doc_id) DO UPDATE SET at = ?3",
			  ei))) {
		sq_rollback(st);
		return rc;
	}
	for (int i = 0; i < n && !rc; i++) {
		sqlite3_bind_int64(s, 1, (int64_t)visitors[i]);
		sqlite3_bind_int64(s, 2, doc_ids[i]);
		sqlite3_bind_int64(s, 3, wy_now());
		rc = step_done(st, s, ei, "record a visit");
	}
	sq_done(st, s);
	if (rc) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

static bool excluded(int64_t id, int64_t self, const int64_t *ex, int nex, const wy_doc_list *have)
{
	if (id == self)
		return true;
	for (int i = 0; i < nex; i++)
		if (ex[i] == id)
			return true;
	for (int i = 0; i < have->n; i++)
		if (have->items[i].id == id)
			return true;
	return false;
}

/* Append the documents s yields to out until it holds limit, skipping the
 * excluded. Recommendations are best effort: a step that fails ends the
 * list where it is. */
static void fill(sqlite3_stmt *s, int64_t self, const int64_t *ex, int nex, int limit, wy_doc_list *out)
{
	while (out->n < limit && sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (excluded(id, self, ex, nex, out))
			continue;
		sq_read_doc(s, &out->items[out->n++]);
	}
}

int sqlite_doc_also_read(wy_store *st, int64_t doc_id, const int64_t *exclude, int nexclude, int limit,
			   wy_doc_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (limit <= 0)
		return WY_OK;
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	sqlite3_stmt *s;
	/* visitors of this document (the latest 500), what else they read */
	int rc = sq_prep(st, &s,
			 "WITH v AS (SELECT visitor FROM visits WHERE doc_id = ?1 ORDER BY at DESC LIMIT 500),"
			 " o AS (SELECT w.doc_id AS id, count(*) AS n FROM visits w JOIN v ON v.visitor = w.visitor"
			 "  WHERE w.doc_id != ?1 GROUP BY w.doc_id ORDER BY n DESC LIMIT ?2)"
			 " SELECT " DOC_COLUMNS " JOIN o ON o.id = d.id WHERE " LISTED " ORDER BY o.n DESC, d.views DESC",
			 ei);
	if (rc)
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, limit + nexclude + 1);
	fill(s, doc_id, exclude, nexclude, limit, out);
	sq_done(st, s);
	if (out->n >= limit)
		return WY_OK;
	/* then the most viewed of its category, then of the library */
	if ((rc = sq_prep(st, &s,
			  "SELECT " DOC_COLUMNS " WHERE " LISTED " AND d.category_id IS"
			  " (SELECT category_id FROM documents WHERE id = ?1) ORDER BY d.views DESC, d.id DESC LIMIT ?2",
			  ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, limit + nexclude + out->n + 1);
	fill(s, doc_id, exclude, nexclude, limit, out);
	sq_done(st, s);
	if (out->n >= limit)
		return WY_OK;
	if ((rc = sq_prep(st, &s, "SELECT " DOC_COLUMNS " WHERE " LISTED " ORDER BY d.views DESC, d.id DESC LIMIT ?1",
			  ei)))
		goto fail;
	sqlite3_bind_int(s, 1, limit + nexclude + out->n + 1);
	fill(s, doc_id, exclude, nexclude, limit, out);
	sq_done(st, s);
	return WY_OK;
fail:
	wy_doc_list_clear(out);
	return rc;
}

int sqlite_doc_related(wy_store *st, int64_t doc_id, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (limit <= 0)
		return WY_OK;
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT keywords, title FROM documents WHERE id=?1", ei);
	if (rc)
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	char *kw = NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		const char *t = (const char *)sqlite3_column_text(s, 1);
		kw = wy_xasprintf("%s %s", k ? k : "", t ? t : "");
	}
	sq_done(st, s);
	/* Its keywords and title words, any of them, against others' titles and
	 * keywords: documents about the same things. */
	wy_query *q = kw ? wy_query_parse(kw, strlen(kw)) : NULL;
	free(kw);
	sq_fts f;
	sq_fts_make(q, &f);
	const char *any = f.any;
	if (any) {
		if ((rc = sq_prep(st, &s,
				  "WITH m AS (SELECT rowid AS id, wy_rank(doc_fts, 1.0, 10.0, 5.0) AS r FROM doc_fts"
				  "  WHERE doc_fts MATCH ?2 AND rowid != ?1 ORDER BY r LIMIT ?3)"
				  " SELECT " DOC_COLUMNS " JOIN m ON m.id = d.id WHERE " LISTED " ORDER BY m.r",
				  ei))) {
			sq_fts_free(&f);
			wy_query_free(q);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, doc_id);
		sqlite3_bind_text(s, 2, any, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 3, limit + 1);
		fill(s, doc_id, NULL, 0, limit, out);
		sq_done(st, s);
	}
	sq_fts_free(&f);
	wy_query_free(q);
	if (out->n >= limit)
		return WY_OK;
	/* then the newest of the same category */
	if ((rc = sq_prep(st, &s,
			  "SELECT " DOC_COLUMNS " WHERE " LISTED " AND d.id != ?1 AND d.category_id ="
			  " (SELECT category_id FROM documents WHERE id = ?1) ORDER BY d.id DESC LIMIT ?2",
			  ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, limit + out->n + 1);
	fill(s, doc_id, NULL, 0, limit, out);
	sq_done(st, s);
	return WY_OK;
fail:
	wy_doc_list_clear(out);
	return rc;
}

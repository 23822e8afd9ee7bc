/* store/sqlite_relaxed: the matches after the strict ones in the SQLite
 * backend, for a search whose strict matches are fewer than a page
 * (sqlite_search shows them after the strict ones): titles by the query
 * read as pinyin, and relaxed matching, the documents that hold much of a
 * query but not every clause of it.
 *
 * Pinyin: title_py and title_ini hold every indexed title's readings and
 * initial pairs (text/pinyin.h); the query's readings are phrases over
 * them (text/query.h, in FTS5's syntax by sq_fts_make).
 *
 * Relaxed:
 * The query is a bag of terms (text/query.h: its bigrams, words and lone
 * characters). A document that holds at least m of the n terms (m = half,
 * rounded up) holds at least one of the n - m + 1 rarest, so candidates
 * come from those terms' doclists alone, newest rows first and at most
 * RELAX_SCAN each: rare terms are cheap to read and common ones are cut.
 * Candidate pages are ranked by the IDF of the terms seen on them, and
 * only the best RELAX_PAGES that the reader may see are read and scored
 * exactly in C (wy_query_cover: the IDF-weighted share of terms, and how
 * many of the query's neighbouring terms stand next to each other). Titles
 * and keywords are scanned for every term (a title is short and a
 * half-remembered one is the common case). */
#include "core/util.h"
#include "store/search_int.h"
#include "store/sqlite_int.h"
#include "text/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 20
#define RELAX_SCAN 2000
#define RELAX_PAGES 64
#define RELAX_CHECKS 1000 /* visibility lookups at most */
#define RELAX_TEXT (64 << 10) /* bytes of a page scored */

/* Read up to RELAX_SCAN rowids of term's matches in table (page_fts or
 * doc_fts), newest first, into set (a title's rowid is shifted like a
 * page's, page 0). */
static int scan_term(wy_store *st, bool titles, const char *fts, int term, search_cands *set, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 titles ? "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
				: "SELECT rowid FROM page_fts WHERE page_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, fts, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, RELAX_SCAN);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);
		search_cand_add(set, titles ? r << PAGE_BITS : r, term);
	}
	if (step != SQLITE_DONE)
		rc = sq_search_fail(st, ei);
	sq_done(st, s);
	return rc;
}

/* The documents already decided: strict matches, and those found visible
 * or not, excluded or not. */
typedef struct seen_doc {
	int64_t id;
	signed char ok; /* 1 may be shown, 0 not */
} seen_doc;

typedef struct judge {
	wy_store *st;
	sqlite3_stmt *vis, *not_page, *not_title, *quoted_page, *quoted_title;
	seen_doc *d;
	int n, cap, checks;
} judge;

/* Whether document id matches an expression (bound to page and title as
 * ?1) on a page or in its title and keywords. */
static int doc_has(wy_store *st, sqlite3_stmt *page, sqlite3_stmt *title, int64_t id, bool *has, wy_errinfo *ei)
{
	sqlite3_bind_int64(page, 2, id << PAGE_BITS);
	sqlite3_bind_int64(page, 3, (id + 1) << PAGE_BITS);
	int step = sqlite3_step(page);
	sqlite3_reset(page);
	if (step == SQLITE_DONE) {
		sqlite3_bind_int64(title, 2, id);
		step = sqlite3_step(title);
		sqlite3_reset(title);
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sq_search_fail(st, ei);
	*has = step == SQLITE_ROW;
	return WY_OK;
}

/* The statements that ask doc_has for expression fts (NULL: none). */
static int prep_has(wy_store *st, const char *fts, sqlite3_stmt **page, sqlite3_stmt **title, wy_errinfo *ei)
{
	if (!fts)
		return WY_OK;
	int rc = sq_prep(st, page, "SELECT 1 FROM page_fts WHERE page_fts MATCH ?1 AND rowid >= ?2 AND rowid < ?3 LIMIT 1",
			 ei);
	if (!rc)
		rc = sq_prep(st, title, "SELECT 1 FROM doc_fts WHERE doc_fts MATCH ?1 AND rowid = ?2", ei);
	if (rc)
		return rc;
	sqlite3_bind_text(*page, 1, fts, -1, SQLITE_STATIC);
	sqlite3_bind_text(*title, 1, fts, -1, SQLITE_STATIC);
	return WY_OK;
}

/* Remember what was decided of document id. */
static void judge_note(judge *j, int64_t id, bool ok)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->d = wy_xrealloc(j->d, (size_t)j->cap * sizeof *j->d);
	}
	j->d[j->n++] = (seen_doc){id, (signed char)ok};
}

static int judge_doc(judge *j, int64_t id, bool *ok, wy_errinfo *ei)
{
	for (int i = 0; i < j->n; i++)
		if (j->d[i].id == id) {
			*ok = j->d[i].ok;
			return WY_OK;
		}
	*ok = false;
	if (j->checks++ >= RELAX_CHECKS)
		return WY_OK;
	sqlite3_bind_int64(j->vis, 5, id);
	int step = sqlite3_step(j->vis);
	sqlite3_reset(j->vis);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sq_search_fail(j->st, ei);
	bool v = step == SQLITE_ROW, has = false; /* set by doc_has; gcc -O2 cannot see it */
	int rc;
	/* no excluded clause anywhere in it, every quoted one somewhere */
	if (v && j->not_page) {
		if ((rc = doc_has(j->st, j->not_page, j->not_title, id, &has, ei)))
			return rc;
		v = !has;
	}
	if (v && j->quoted_page) {
		if ((rc = doc_has(j->st, j->quoted_page, j->quoted_title, id, &has, ei)))
			return rc;
		v = has;
	}
	judge_note(j, id, v);
	*ok = v;
	return WY_OK;
}

static int res_cmp(const void *a, const void *b)
{
	const sq_relaxed *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->doc < y->doc ? 1 : x->doc > y->doc ? -1 : 0;
}

/* The result for doc, added when new. */
static sq_relaxed *res_for(sq_relaxed **r, int *n, int *cap, int64_t doc)
{
	for (int i = 0; i < *n; i++)
		if ((*r)[i].doc == doc)
			return &(*r)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*r = wy_xrealloc(*r, (size_t)*cap * sizeof **r);
	}
	sq_relaxed *x = &(*r)[(*n)++];
	memset(x, 0, sizeof *x);
	x->doc = doc;
	return x;
}


int sq_search_relaxed(wy_store *st, const wy_search_req *req, const sq_fts *f, int64_t deadline, const int64_t *skip, int nskip,
		      sq_relaxed **out, int *nout, wy_errinfo *ei)
{
	*out = NULL;
	*nout = 0;
	const wy_query *q = req->query;
	int n = wy_query_nterms(q);
	if (n < 2)
		return WY_OK;
	int m = (n + 1) / 2;
	/* each term's document frequency among pages, and its IDF */
	int64_t df[WY_QUERY_TERMS];
	double idf[WY_QUERY_TERMS];
	int order[WY_QUERY_TERMS];
	const char *terms[WY_QUERY_TERMS];
	for (int i = 0; i < n; i++)
		terms[i] = wy_query_term(q, i);
	int rc = sqlite_term_df(st, terms, n, df, NULL, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT coalesce(max(id), 1) * 3.0 FROM documents", ei)))
		return rc;
	double npages = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_double(s, 0) : 1;
	sq_done(st, s);
	for (int i = 0; i < n; i++) {
		idf[i] = log(1 + npages / ((double)df[i] + 0.5));
		order[i] = i;
	}
	for (int i = 1; i < n; i++) /* rarest first (n is small) */
		for (int k = i; k > 0 && df[order[k]] < df[order[k - 1]]; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	search_cands pages = {0}, titles = {0};
	for (int i = 0; i < n - m + 1 && !rc; i++)
		if (df[order[i]])
			rc = scan_term(st, false, f->term[order[i]], order[i], &pages, ei);
	for (int i = 0; i < n && !rc; i++)
		rc = scan_term(st, true, f->term[i], i, &titles, ei);
	judge j = {.st = st};
	sq_relaxed *res = NULL;
	int nres = 0, cap = 0;
	search_cand *list = NULL;
	if (rc)
		goto out;
	if ((rc = sq_prep(st, &j.vis,
			  "SELECT 1 FROM documents d LEFT JOIN categories c ON c.id = d.category_id" FIND_WHERE
			  " AND d.id = ?5",
			  ei)))
		goto out;
	sq_bind_filter(j.vis, &req->filter);
	if ((rc = prep_has(st, f->not_, &j.not_page, &j.not_title, ei)) ||
	    (rc = prep_has(st, f->quoted, &j.quoted_page, &j.quoted_title, ei)))
		goto out;
	for (int i = 0; i < nskip; i++) /* the strict matches are shown already */
		judge_note(&j, skip[i], false);
	/* both sets as one list, best estimate first */
	size_t nl = 0;
	list = wy_xmalloc((pages.n + titles.n + 1) * sizeof *list);
	for (int t = 0; t < 2; t++) {
		const search_cands *cs = t ? &titles : &pages;
		for (size_t i = 0; i < cs->cap; i++) {
			if (!cs->c[i].mask)
				continue;
			search_cand c = cs->c[i];
			c.est = 0;
			for (int b = 0; b < n; b++)
				if (c.mask >> b & 1)
					c.est += idf[b];
			list[nl++] = c;
		}
	}
	qsort(list, nl, sizeof *list, search_cand_cmp);
	sqlite3_stmt *pg = NULL, *ti = NULL;
	if ((rc = sq_prep(st, &pg, "SELECT text FROM pages WHERE doc_id = ?1 AND page_no = ?2", ei)) ||
	    (rc = sq_prep(st, &ti, "SELECT coalesce(title, filename, ''), coalesce(keywords, '') FROM documents WHERE id = ?1",
			  ei))) {
		sq_done(st, pg);
		goto out;
	}
	int read = 0;
	for (size_t i = 0; i < nl && read < RELAX_PAGES && !rc; i++) {
		/* scoring is C, out of reach of SQLite's progress handler: the
		 * budget is checked here, and what was scored by then is kept */
		if (req->max_ms > 0 && wy_now_ms() >= deadline)
			break;
		/* a candidate seen on fewer scanned terms than it could need
		 * can still hold enough unscanned ones: the exact count decides */
		int64_t doc = list[i].rowid >> PAGE_BITS;
		int page = (int)(list[i].rowid & ((1 << PAGE_BITS) - 1));
		bool ok;
		if ((rc = judge_doc(&j, doc, &ok, ei)) || !ok)
			continue;
		read++;
		sqlite3_stmt *x = page ? pg : ti;
		sqlite3_bind_int64(x, 1, doc);
		if (page)
			sqlite3_bind_int(x, 2, page);
		wy_cover c = {0};
		if (sqlite3_step(x) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(x, 0);
			wy_query_cover(q, idf, t ? t : "", t ? (size_t)sqlite3_column_bytes(x, 0) : 0, RELAX_TEXT, &c);
			if (!page) { /* keywords count as the title does */
				wy_cover k;
				const char *kw = (const char *)sqlite3_column_text(x, 1);
				wy_query_cover(q, idf, kw ? kw : "", kw ? (size_t)sqlite3_column_bytes(x, 1) : 0, 1u << 16, &k);
				if (search_cover_score(&k) > search_cover_score(&c))
					c = k;
			}
		}
		sqlite3_reset(x);
		if (c.found < m)
			continue;
		double score = search_cover_score(&c);
		sq_relaxed *r = res_for(&res, &nres, &cap, doc);
		if (score > r->score) {
			r->score = score;
			r->coverage = c.chars;
		}
		if (!page)
			r->in_title = true;
		else if (r->npages < SQ_RELAXED_PAGES) {
			/* pages best first: they come in estimate order, and the
			 * exact score places each */
			int at = r->npages++;
			while (at > 0 && r->page_score[at - 1] < score) {
				r->pages[at] = r->pages[at - 1];
				r->page_score[at] = r->page_score[at - 1];
				at--;
			}
			r->pages[at] = page;
			r->page_score[at] = score;
		}
	}
	sq_done(st, pg);
	sq_done(st, ti);
	if (rc)
		goto out;
	if (nres)
		qsort(res, (size_t)nres, sizeof *res, res_cmp);
	*out = res;
	*nout = nres;
	res = NULL;
out:
	free(res);
	free(list);
	free(pages.c);
	free(titles.c);
	free(j.d);
	sq_done(st, j.vis);
	sq_done(st, j.not_page);
	sq_done(st, j.not_title);
	sq_done(st, j.quoted_page);
	sq_done(st, j.quoted_title);
	return rc;
}

int sq_search_pinyin(wy_store *st, const wy_search_req *req, const sq_fts *f, const int64_t *skip, int nskip, int64_t **out,
		     int *nout, wy_errinfo *ei)
{
	*out = NULL;
	*nout = 0;
	const char *full = f->pinyin, *ini = f->initials;
	if (!full && !ini)
		return WY_OK;
	/* first readings before every reading, syllables before initials,
	 * then BM25 (a shorter title first) */
	static const char *const tables[] = SQ_TITLE_TABLES;
	wy_buf sql;
	wy_buf_init(&sql, 0);
	wy_buf_puts(&sql, "WITH m AS (");
	bool any = false;
	for (int k = 0; k < 4; k++) {
		bool initials = k & 1;
		if (!(initials ? ini : full))
			continue;
		wy_buf_printf(&sql,
			      "%sSELECT * FROM (SELECT rowid AS id, %d AS k, wy_rank(%s, 1.0) AS r FROM %s"
			      " WHERE %s MATCH ?%d ORDER BY rowid DESC LIMIT 1000)",
			      any ? " UNION ALL " : "", k, tables[k], tables[k], tables[k], initials ? 6 : 5);
		any = true;
	}
	wy_buf_puts(&sql, ") SELECT d.id FROM m JOIN documents d ON d.id = m.id"
			  " LEFT JOIN categories c ON c.id = d.category_id" FIND_WHERE
			  " GROUP BY d.id ORDER BY min(m.k), min(m.r), d.id DESC LIMIT ?7");
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql.data, ei);
	wy_buf_free(&sql);
	if (rc)
		return rc;
	sq_bind_filter(s, &req->filter);
	if (full)
		sqlite3_bind_text(s, 5, full, -1, SQLITE_STATIC);
	if (ini)
		sqlite3_bind_text(s, 6, ini, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, WY_SEARCH_RELAXED + nskip);
	int64_t *ids = wy_xcalloc(WY_SEARCH_RELAXED, sizeof *ids);
	int n = 0, step;
	while (n < WY_SEARCH_RELAXED && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		bool dup = false;
		for (int i = 0; i < nskip && !dup; i++)
			dup = skip[i] == id;
		if (!dup)
			ids[n++] = id;
	}
	if (n < WY_SEARCH_RELAXED && step != SQLITE_DONE) {
		rc = sq_search_fail(st, ei);
		free(ids);
		sq_done(st, s);
		return rc;
	}
	sq_done(st, s);
	*out = ids;
	*nout = n;
	return WY_OK;
}

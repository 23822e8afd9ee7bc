/* store/pg_relaxed: the matches after the strict ones in the PostgreSQL
 * backend: titles by the query read as pinyin, then relaxed matching.
 * The same tiers as sqlite_relaxed.c, which says why each step is there;
 * only the statements differ (tsqueries of the same tokens over the same
 * rows), and the pinyin tier's BM25 is counted in C (pg_search.c). */
#include "core/util.h"
#include "store/pg_search_int.h"
#include "text/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS SEARCH_PAGE_BITS
#define RELAX_SCAN 2000
#define RELAX_PAGES 64
#define RELAX_CHECKS 1000 /* visibility lookups at most */
#define RELAX_TEXT (64 << 10) /* bytes of a page scored */
#define PINYIN_SCAN 1000

/* ---- titles by pinyin ---- */

typedef struct py_hit {
	int64_t id;
	int k;
	double r;
} py_hit;

static int py_cmp(const void *a, const void *b)
{
	const py_hit *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static const char *const py_names[4] = {"py1", "ini1", "py", "ini"};

int pg_search_pinyin(wy_store *st, const wy_search_req *req, const int64_t *skip, int nskip, int64_t **out,
		     int *nout, wy_errinfo *ei)
{
	*out = NULL;
	*nout = 0;
	const wy_pinyin_q *py = wy_query_pinyin(req->query);
	if (!py || (!py->nfull && !py->ninitials))
		return WY_OK;
	/* the readings as a tsquery: each a phrase of syllables (the last a
	 * prefix while someone types), any of them; the initials a phrase */
	wy_buf full, ini;
	wy_buf_init(&full, 0);
	wy_buf_init(&ini, 0);
	for (int i = 0; i < py->nfull; i++) {
		const wy_pinyin_seg *g = &py->full[i];
		wy_buf_puts(&full, i ? " | (" : "(");
		for (int k = 0; k < g->n; k++) {
			if (k)
				wy_buf_puts(&full, " <-> ");
			pgs_put_lex(&full, g->syl[k], strlen(g->syl[k]));
			if (k == g->n - 1 && g->last_prefix)
				wy_buf_puts(&full, ":*");
		}
		wy_buf_putc(&full, ')');
	}
	for (int k = 0; k < py->ninitials; k++) {
		if (k)
			wy_buf_puts(&ini, " <-> ");
		pgs_put_lex(&ini, py->initials[k], strlen(py->initials[k]));
	}
	py_hit *hits = NULL;
	int nh = 0, caph = 0, rc = WY_OK;
	lexv v = {0};
	for (int k = 0; k < 4 && !rc; k++) {
		bool initials = k & 1;
		if (initials ? !py->ninitials : !py->nfull)
			continue;
		double avg = 1;
		if ((rc = pgs_totals_avg(st, py_names[k], &avg, ei)))
			break;
		pg_args a = {0};
		pg_arg_int(&a, k);
		pg_arg_text(&a, initials ? ini.data : full.data);
		pg_arg_int(&a, PINYIN_SCAN);
		PGresult *r;
		if ((rc = pg_run(st,
				 "SELECT id, len, v::text FROM title_fts WHERE kind = $1::smallint AND v @@ $2::tsquery"
				 " ORDER BY id DESC LIMIT $3::bigint",
				 &a, &r, NULL, "search titles by pinyin", ei)))
			break;
		for (int i = 0; i < PQntuples(r); i++) {
			pgs_lexv_parse(&v, PQgetvalue(r, i, 2));
			int before = 0, tf = 0;
			if (initials) {
				const char *tok[16];
				int len[16];
				bool prefix[16] = {0};
				for (int j = 0; j < py->ninitials; j++) {
					tok[j] = py->initials[j];
					len[j] = (int)strlen(py->initials[j]);
				}
				pgs_phrase_count(&v, tok, len, prefix, py->ninitials, 0, &before, &tf);
			} else {
				for (int s = 0; s < py->nfull; s++) {
					const wy_pinyin_seg *g = &py->full[s];
					const char *tok[WY_PINYIN_SYLS];
					int len[WY_PINYIN_SYLS];
					bool prefix[WY_PINYIN_SYLS] = {0};
					for (int j = 0; j < g->n; j++) {
						tok[j] = g->syl[j];
						len[j] = (int)strlen(g->syl[j]);
					}
					if (g->n)
						prefix[g->n - 1] = g->last_prefix;
					pgs_phrase_count(&v, tok, len, prefix, g->n, 0, &before, &tf);
				}
			}
			hits = pg_grow(hits, nh, &caph, sizeof *hits);
			hits[nh++] = (py_hit){pg_int(r, i, 0), k, -search_bm25(tf, (int)pg_int(r, i, 1), avg)};
		}
		PQclear(r);
	}
	pgs_lexv_free(&v);
	wy_buf_free(&full);
	wy_buf_free(&ini);
	if (rc || !nh) {
		free(hits);
		return rc;
	}
	/* each document once, by its best kind and its best rank (as
	 * min(k), min(r) in sqlite_relaxed.c), among those the reader may see */
	py_hit *best = wy_xcalloc((size_t)nh, sizeof *best);
	int nb = 0;
	for (int i = 0; i < nh; i++) {
		int j = 0;
		while (j < nb && best[j].id != hits[i].id)
			j++;
		if (j == nb)
			best[nb++] = hits[i];
		else {
			if (hits[i].k < best[j].k)
				best[j].k = hits[i].k;
			if (hits[i].r < best[j].r)
				best[j].r = hits[i].r;
		}
	}
	free(hits);
	wy_buf ids;
	wy_buf_init(&ids, 0);
	wy_buf_putc(&ids, '{');
	for (int i = 0; i < nb; i++)
		wy_buf_printf(&ids, "%s%lld", i ? "," : "", (long long)best[i].id);
	wy_buf_putc(&ids, '}');
	pg_args a = {0};
	pg_filter_args(&a, &req->filter);
	pg_arg_text(&a, ids.data);
	PGresult *r;
	rc = pg_run(st,
		    "SELECT d.id FROM documents d LEFT JOIN categories c ON c.id = d.category_id" PG_FIND_WHERE
		    " AND d.id = ANY($6::bigint[])",
		    &a, &r, NULL, "search titles by pinyin", ei);
	wy_buf_free(&ids);
	if (rc) {
		free(best);
		return rc;
	}
	int nv = 0;
	for (int i = 0; i < nb; i++) {
		bool seen = false;
		for (int k = 0; k < PQntuples(r) && !seen; k++)
			seen = pg_int(r, k, 0) == best[i].id;
		for (int k = 0; k < nskip && seen; k++)
			seen = skip[k] != best[i].id;
		if (seen)
			best[nv++] = best[i];
	}
	PQclear(r);
	qsort(best, (size_t)nv, sizeof *best, py_cmp);
	int64_t *list = wy_xcalloc(WY_SEARCH_RELAXED, sizeof *list);
	int n = 0;
	for (int i = 0; i < nv && n < WY_SEARCH_RELAXED; i++)
		list[n++] = best[i].id;
	free(best);
	*out = list;
	*nout = n;
	return WY_OK;
}

/* ---- relaxed matching ---- */

/* Read up to RELAX_SCAN rows of a term's matches, newest first, into set
 * (a title's id is shifted like a page's rowid, page 0). */
static int scan_term(wy_store *st, bool titles, const wy_qtok *t, int term, search_cands *set, wy_errinfo *ei)
{
	wy_buf tq;
	wy_buf_init(&tq, 0);
	pgs_put_lex(&tq, t->text, (size_t)t->len); /* a lone character: its own token (pg_search.c) */
	pg_args a = {0};
	pg_arg_text(&a, tq.data);
	pg_arg_int(&a, RELAX_SCAN);
	PGresult *r;
	int rc = pg_run(st,
			titles ? "SELECT id FROM doc_fts WHERE v @@ $1::tsquery ORDER BY id DESC LIMIT $2::bigint"
			       : "SELECT rowid FROM page_fts WHERE v @@ $1::tsquery ORDER BY rowid DESC LIMIT $2::bigint",
			&a, &r, NULL, "relaxed search", ei);
	wy_buf_free(&tq);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t x = pg_int(r, i, 0);
		search_cand_add(set, titles ? x << PAGE_BITS : x, term);
	}
	PQclear(r);
	return WY_OK;
}

typedef struct seen_doc {
	int64_t id;
	bool ok;
} seen_doc;

/* The documents decided (strict matches, those the reader may see or not,
 * excluded or not), as sqlite_relaxed.c's judge, but asked in batches:
 * every statement is a round trip here, not a function call. */
typedef struct judge {
	wy_store *st;
	const wy_search_req *req;
	char *not_, *quoted;
	seen_doc *d;
	int n, cap, checks;
} judge;

#define JUDGE_BATCH 128

static void judge_note(judge *j, int64_t id, bool ok)
{
	j->d = pg_grow(j->d, j->n, &j->cap, sizeof *j->d);
	j->d[j->n++] = (seen_doc){id, ok};
}

static const seen_doc *judged(const judge *j, int64_t id)
{
	for (int i = 0; i < j->n; i++)
		if (j->d[i].id == id)
			return &j->d[i];
	return NULL;
}

/* Decide the next documents of list[from..nl) not decided yet, at most
 * JUDGE_BATCH and RELAX_CHECKS in all: whether the reader may see them,
 * with no excluded clause anywhere and every quoted one somewhere. */
static int judge_batch(judge *j, const search_cand *list, size_t from, size_t nl, wy_errinfo *ei)
{
	int64_t ids[JUDGE_BATCH];
	int n = 0;
	for (size_t i = from; i < nl && n < JUDGE_BATCH && j->checks < RELAX_CHECKS; i++) {
		int64_t doc = list[i].rowid >> PAGE_BITS;
		bool dup = judged(j, doc) != NULL;
		for (int k = 0; k < n && !dup; k++)
			dup = ids[k] == doc;
		if (dup)
			continue;
		ids[n++] = doc;
		j->checks++;
	}
	if (!n)
		return WY_OK;
	wy_buf arr;
	wy_buf_init(&arr, 0);
	wy_buf_putc(&arr, '{');
	for (int k = 0; k < n; k++)
		wy_buf_printf(&arr, "%s%lld", k ? "," : "", (long long)ids[k]);
	wy_buf_putc(&arr, '}');
	pg_args a = {0};
	pg_filter_args(&a, &j->req->filter);
	pg_arg_text(&a, arr.data);
	pg_arg_text(&a, j->not_);
	pg_arg_text(&a, j->quoted);
	PGresult *r;
#define HAS(p)                                                                                                      \
	"(EXISTS (SELECT 1 FROM page_fts WHERE v @@ " p "::tsquery AND rowid >= d.id * 1048576"                    \
	" AND rowid < (d.id + 1) * 1048576) OR EXISTS (SELECT 1 FROM doc_fts t WHERE t.v @@ " p "::tsquery AND t.id = d.id))"
	int rc = pg_run(j->st,
			"SELECT d.id FROM documents d LEFT JOIN categories c ON c.id = d.category_id" PG_FIND_WHERE
			" AND d.id = ANY($6::bigint[]) AND ($7::text IS NULL OR NOT " HAS("$7") ")"
			" AND ($8::text IS NULL OR " HAS("$8") ")",
			&a, &r, NULL, "relaxed search", ei);
#undef HAS
	wy_buf_free(&arr);
	if (rc)
		return rc;
	for (int k = 0; k < n; k++) {
		bool ok = false;
		for (int i = 0; i < PQntuples(r) && !ok; i++)
			ok = pg_int(r, i, 0) == ids[k];
		judge_note(j, ids[k], ok);
	}
	PQclear(r);
	return WY_OK;
}

static int res_cmp(const void *a, const void *b)
{
	const pg_relaxed *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->doc < y->doc ? 1 : x->doc > y->doc ? -1 : 0;
}

static pg_relaxed *res_for(pg_relaxed **r, int *n, int *cap, int64_t doc)
{
	for (int i = 0; i < *n; i++)
		if ((*r)[i].doc == doc)
			return &(*r)[i];
	*r = pg_grow(*r, *n, cap, sizeof **r);
	pg_relaxed *x = &(*r)[(*n)++];
	memset(x, 0, sizeof *x);
	x->doc = doc;
	return x;
}

int pg_search_relaxed(wy_store *st, const wy_search_req *req, int64_t deadline, const int64_t *skip, int nskip,
		      pg_relaxed **out, int *nout, wy_errinfo *ei)
{
	*out = NULL;
	*nout = 0;
	const wy_query *q = req->query;
	int n = wy_query_nterms(q);
	if (n < 2)
		return WY_OK;
	int m = (n + 1) / 2;
	int64_t df[WY_QUERY_TERMS];
	double idf[WY_QUERY_TERMS];
	int order[WY_QUERY_TERMS];
	const char *terms[WY_QUERY_TERMS];
	for (int i = 0; i < n; i++)
		terms[i] = wy_query_term(q, i);
	int rc = pg_term_df(st, terms, n, df, NULL, ei);
	if (rc)
		return rc;
	PGresult *r;
	if ((rc = pg_run(st, "SELECT coalesce(max(id), 1) * 3.0 FROM documents", NULL, &r, NULL, "relaxed search", ei)))
		return rc;
	double npages = pg_dbl(r, 0, 0);
	PQclear(r);
	for (int i = 0; i < n; i++) {
		idf[i] = search_idf(npages, (double)df[i]);
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
			rc = scan_term(st, false, wy_query_term_tok(q, order[i]), order[i], &pages, ei);
	for (int i = 0; i < n && !rc; i++)
		rc = scan_term(st, true, wy_query_term_tok(q, i), i, &titles, ei);
	judge j = {.st = st, .req = req};
	pg_relaxed *res = NULL;
	int nres = 0, cap = 0;
	search_cand *list = NULL;
	if (rc)
		goto out;
	j.not_ = pgs_tsq_clauses(q, true, true, false);
	j.quoted = pgs_tsq_clauses(q, false, false, true);
	for (int i = 0; i < nskip; i++) /* the strict matches are shown already */
		judge_note(&j, skip[i], false);
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
	/* the best RELAX_PAGES candidates the reader may see, in order */
	search_cand sel[RELAX_PAGES];
	int nsel = 0;
	for (size_t i = 0; i < nl && nsel < RELAX_PAGES && !rc; i++) {
		int64_t doc = list[i].rowid >> PAGE_BITS;
		const seen_doc *sd = judged(&j, doc);
		if (!sd && j.checks < RELAX_CHECKS) {
			if (req->max_ms > 0 && wy_now_ms() >= deadline)
				break;
			if ((rc = judge_batch(&j, list, i, nl, ei)))
				break;
			sd = judged(&j, doc);
		}
		if (sd && sd->ok)
			sel[nsel++] = list[i];
	}
	/* their texts, in two statements, then scored in C in their order */
	wy_buf pdocs, pnos, tdocs;
	wy_buf_init(&pdocs, 0);
	wy_buf_init(&pnos, 0);
	wy_buf_init(&tdocs, 0);
	wy_buf_putc(&pdocs, '{');
	wy_buf_putc(&pnos, '{');
	wy_buf_putc(&tdocs, '{');
	for (int i = 0; i < nsel; i++) {
		int64_t doc = sel[i].rowid >> PAGE_BITS;
		int page = (int)(sel[i].rowid & SEARCH_PAGE_MASK);
		if (page) {
			wy_buf_printf(&pdocs, "%s%lld", pdocs.len > 1 ? "," : "", (long long)doc);
			wy_buf_printf(&pnos, "%s%d", pnos.len > 1 ? "," : "", page);
		} else {
			wy_buf_printf(&tdocs, "%s%lld", tdocs.len > 1 ? "," : "", (long long)doc);
		}
	}
	wy_buf_putc(&pdocs, '}');
	wy_buf_putc(&pnos, '}');
	wy_buf_putc(&tdocs, '}');
	PGresult *pr = NULL, *tr = NULL;
	if (!rc && nsel) {
		pg_args a = {0};
		pg_arg_text(&a, pdocs.data);
		pg_arg_text(&a, pnos.data);
		pg_args b = {0};
		pg_arg_text(&b, tdocs.data);
		if (!(rc = pg_run(st,
				  "SELECT p.doc_id, p.page_no, p.text FROM pages p JOIN unnest($1::bigint[], $2::bigint[])"
				  " u(d, n) ON p.doc_id = u.d AND p.page_no = u.n",
				  &a, &pr, NULL, "relaxed search", ei)))
			rc = pg_run(st,
				    "SELECT id, coalesce(title, filename, ''), coalesce(keywords, '') FROM documents"
				    " WHERE id = ANY($1::bigint[])",
				    &b, &tr, NULL, "relaxed search", ei);
	}
	wy_buf_free(&pdocs);
	wy_buf_free(&pnos);
	wy_buf_free(&tdocs);
	for (int i = 0; i < nsel && !rc; i++) {
		if (req->max_ms > 0 && wy_now_ms() >= deadline)
			break;
		int64_t doc = sel[i].rowid >> PAGE_BITS;
		int page = (int)(sel[i].rowid & SEARCH_PAGE_MASK);
		wy_cover c = {0};
		const PGresult *x = page ? pr : tr;
		for (int k = 0; x && k < PQntuples(x); k++) {
			if (pg_int(x, k, 0) != doc || (page && pg_int(x, k, 1) != page))
				continue;
			int col = page ? 2 : 1;
			wy_query_cover(q, idf, PQgetvalue(x, k, col), (size_t)PQgetlength(x, k, col), RELAX_TEXT, &c);
			if (!page) { /* keywords count as the title does */
				wy_cover kw;
				wy_query_cover(q, idf, PQgetvalue(x, k, 2), (size_t)PQgetlength(x, k, 2), 1u << 16, &kw);
				if (search_cover_score(&kw) > search_cover_score(&c))
					c = kw;
			}
			break;
		}
		if (c.found < m)
			continue;
		double score = search_cover_score(&c);
		pg_relaxed *x2 = res_for(&res, &nres, &cap, doc);
		if (score > x2->score) {
			x2->score = score;
			x2->coverage = c.chars;
		}
		if (!page)
			x2->in_title = true;
		else if (x2->npages < PG_RELAXED_PAGES) {
			int at = x2->npages++;
			while (at > 0 && x2->page_score[at - 1] < score) {
				x2->pages[at] = x2->pages[at - 1];
				x2->page_score[at] = x2->page_score[at - 1];
				at--;
			}
			x2->pages[at] = page;
			x2->page_score[at] = score;
		}
	}
	PQclear(pr);
	PQclear(tr);
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
	free(j.not_);
	free(j.quoted);
	return rc;
}

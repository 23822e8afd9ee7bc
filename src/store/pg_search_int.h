/* store/pg_search_int: what pg_search.c and pg_relaxed.c share: the
 * visibility rule in PostgreSQL's parameters, tsvector/tsquery literals,
 * the parse of a tsvector's positions, and the tiers after the strict
 * matches. Nothing outside these files includes this. */
#ifndef WY_PG_SEARCH_INT_H
#define WY_PG_SEARCH_INT_H

#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/search_int.h"

#include <stdbool.h>
#include <stdint.h>

/* Who may see a document: store/rules.h's rule, and pg_int.h's
 * PG_FIND_WHERE and pg_filter_args for a filtered listing. */

/* A lexeme quoted for a tsvector or tsquery literal. */
void pgs_put_lex(wy_buf *b, const char *s, size_t len);

/* The clauses that are (neg) excluded or not (and with quoted only the
 * quoted ones) as a tsquery, joined by | (any) or &; NULL when none. A
 * clause is a phrase of its tokens; malloc'd. */
char *pgs_tsq_clauses(const wy_query *q, bool neg, bool any, bool quoted);

/* The lexemes of n clauses as a text[] literal (for setweight: the
 * positions of these alone come back); malloc'd. */
char *pgs_lex_array(const wy_qclause *const *cl, int n);

/* Append the documents of r's first column (ids, in order) to out until it
 * holds limit, skipping self, the excluded and those out has; one that
 * cannot be read is skipped (recommendations are best effort;
 * pg_related.c). */
void pgs_docs_fill(wy_store *st, const PGresult *r, int64_t self, const int64_t *ex, int nex, int limit,
		   wy_doc_list *out);

/* A tsvector's text output parsed: each lexeme and its positions. */
typedef struct lexeme {
	char text[WY_TOKEN_MAX * 2 + 1];
	int len;
	int *pos;
	int npos;
} lexeme;

typedef struct lexv {
	lexeme *l;
	int n, cap;
	int *pool;
	int npool, cappool;
} lexv;

void pgs_lexv_parse(lexv *v, const char *s);
void pgs_lexv_free(lexv *v);

/* Instances of the phrase tok[0..n) in v (prefix[j]: token j stands for
 * any lexeme starting with it); those starting at or before split (0:
 * none) count in *before, the others in *after. */
void pgs_phrase_count(const lexv *v, const char *const *tok, const int *len, const bool *prefix, int n, int split,
		      int *before, int *after);

/* The average length of an index column's rows (fts_totals; 1 when it
 * has none). */
int pgs_totals_avg(wy_store *st, const char *name, double *avg, wy_errinfo *ei);

/* The tiers after the strict matches (pg_relaxed.c), as sqlite_int.h's
 * sq_search_pinyin and sq_search_relaxed. */
#define PG_RELAXED_PAGES 16
typedef struct pg_relaxed {
	int64_t doc;
	double score;
	double coverage;
	bool in_title;
	int npages;
	int pages[PG_RELAXED_PAGES];
	double page_score[PG_RELAXED_PAGES];
} pg_relaxed;

int pg_search_pinyin(wy_store *st, const wy_search_req *req, const int64_t *skip, int nskip, int64_t **out,
		     int *nout, wy_errinfo *ei);
int pg_search_relaxed(wy_store *st, const wy_search_req *req, int64_t deadline, const int64_t *skip, int nskip,
		      pg_relaxed **out, int *nout, wy_errinfo *ei);

#endif

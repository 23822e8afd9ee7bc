/* store/search_int: what every backend's search shares, so that a rule of
 * ranking or grouping is written once: the BM25 of one column, the
 * relaxed tier's score, the budget of ranked rows, and the grouping of
 * near-duplicates among the results; and what a document's keywords
 * column indexes, in the SQL both backends share. Nothing outside
 * src/store/ includes this. */
#ifndef WY_STORE_SEARCH_INT_H
#define WY_STORE_SEARCH_INT_H

#include "store/store.h"
#include "text/query.h"

#include <stddef.h>
#include <stdint.h>

/* The index's row of a page: document id << SEARCH_PAGE_BITS | page. */
#define SEARCH_PAGE_BITS 20
#define SEARCH_PAGE_MASK ((1 << SEARCH_PAGE_BITS) - 1)

/* What the keywords column of the index holds of a document: its
 * keywords, and the description and tags its uploader gave (SQLite's
 * contentless index removes a row by the same expression). */
#define SEARCH_DOC_WORDS "coalesce(keywords, '') || ' ' || coalesce(description, '') || ' ' || coalesce(tags, '')"

/* Ranking a match costs about a microsecond (BM25 reads the row's length);
 * a clause as broad as one common character matches most pages of a large
 * library. Each clause ranks at most this many matching pages (and titles),
 * the newest, which bounds a query's time; the result then says there are
 * more. */
#define SEARCH_RANK_BUDGET 3000

/* Weights of the title and keywords columns, and how many times a title
 * or keyword match counts a page's. */
#define SEARCH_W_TITLE 10.0
#define SEARCH_W_KEYWORDS 5.0
#define SEARCH_W_DOC 3.0

/* BM25's term part for one column (k1 = 1.2, b = 0.75): tf instances of
 * the phrase in a text of len tokens, the column's average avg. The IDF
 * is the caller's (a clause's is a constant within its query). */
double search_bm25(int tf, int len, double avg);

/* A clause's IDF among several: ln(1 + n / (df + 0.5)), n the pages'
 * cheap estimate (3 × the highest document id), df its public pages. */
double search_idf(double npages, double df);

/* How a text that holds c of the query scores in relaxed matching: mostly
 * the share of the query (by IDF), then whether its words stand in the
 * query's order. */
double search_cover_score(const wy_cover *c);

/* Groups of near-duplicates among the matches, as the ranked rows stream
 * by (wy_store_search's rule). */
typedef struct search_groups {
	int64_t *ids; /* 0: empty slot */
	int *kept;
	size_t cap, n;
} search_groups;

/* The match id (flagged a near-duplicate of dup_of, or 0) at the next
 * rank: its place among the results shown (-1 for one folded into an
 * earlier match, which lists it if it is on the page asked for: out's
 * items from offset), its group recorded; out->total counts groups. */
int search_group_match(search_groups *g, wy_search_result *out, int offset, int64_t id, int64_t dup_of);
void search_groups_free(search_groups *g);

/* Relaxed matching's candidates: a page (or, with page 0, a title) and
 * the terms seen on it, in an open-addressing set by rowid. */
typedef struct search_cand {
	int64_t rowid; /* doc << SEARCH_PAGE_BITS | page; a title: doc << SEARCH_PAGE_BITS */
	uint64_t mask;
	double est;    /* the IDF of the terms in mask */
} search_cand;

typedef struct search_cands {
	search_cand *c;
	size_t cap, n;
} search_cands;

/* Note term (0..63) seen on rowid. */
void search_cand_add(search_cands *s, int64_t rowid, int term);
/* Best estimate first, then the newer. */
int search_cand_cmp(const void *a, const void *b);

#endif

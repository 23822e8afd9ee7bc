/* query: what a user typed into a search box, made safe and precise.
 *
 * A query is a list of clauses separated by white space. A clause is a run
 * of text ("人工智能", "iPhone15") or a phrase in quotes ("机器 学习", also
 * with “ ” or 「 」), and "-" in front excludes it. Each clause is tokenized
 * exactly as the index is (tokenize.h) and must appear as it is: its tokens
 * adjacent and in order. A clause that ends in a lone CJK character matches
 * that character at the start of any token (a one-character query finds the
 * character anywhere).
 *
 * Nothing the user typed reaches the search engine's syntax: the FTS
 * expression is built from quoted tokens only. Any input parses (to a query
 * that may have no clause); the input is cut at WY_QUERY_MAX bytes and at
 * WY_QUERY_CLAUSES clauses.
 *
 * Thread safety: a wy_query is immutable once parsed; different queries may
 * be used from different threads. */
#ifndef WY_QUERY_H
#define WY_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define WY_QUERY_MAX 512
#define WY_QUERY_CLAUSES 16
#define WY_QUERY_TOKENS 48 /* per clause; the rest of a longer clause is dropped */
#define WY_QUERY_TERMS 64  /* distinct terms for relaxed matching */

typedef struct wy_query wy_query;

/* Parse len bytes of user input (any bytes). Never fails; free with
 * wy_query_free. */
wy_query *wy_query_parse(const char *s, size_t len);
void wy_query_free(wy_query *q); /* NULL is a no-op */

/* True when the query has a clause to look for (a query of only excluded
 * clauses, or of punctuation, finds nothing). */
bool wy_query_searchable(const wy_query *q);

/* The query as SQLite FTS5 expressions, built from the tokens alone, each
 * quoted: `"人工" + "工智" + "智能"`. A document matches when every clause
 * matches somewhere in it (its title, keywords or any page) and no excluded
 * clause does; the index holds pages, so the store asks clause by clause.
 * All strings are owned by q. */

/* How many clauses must match (0: the query is not searchable). */
int wy_query_nclauses(const wy_query *q);

/* Clause i (0 <= i < wy_query_nclauses) as an FTS expression. */
const char *wy_query_clause_fts(const wy_query *q, int i);

/* Any of the clauses (OR): the pages worth showing, and "more like this".
 * NULL when the query is not searchable. */
const char *wy_query_fts_any(const wy_query *q);

/* Any of the excluded clauses (OR), or NULL when none. */
const char *wy_query_fts_not(const wy_query *q);

/* Every quoted clause (AND), or NULL when none: relaxed matching keeps
 * them as they are (a phrase in quotes is always that phrase). */
const char *wy_query_fts_quoted(const wy_query *q);

/* Every clause on one row (AND, then NOT each excluded): for a page
 * that must hold all of them. NULL when the query is not searchable. */
const char *wy_query_fts(const wy_query *q);

/* The query's clauses rebuilt as text, for showing and logging ("人工智能
 * -广告"): folded, single spaces. Owned by q. */
const char *wy_query_display(const wy_query *q);

/* Relaxed matching: the query as a bag of terms, for a document that
 * holds much of it but not every clause as typed. The terms are the
 * distinct tokens of the clauses that are neither excluded nor quoted
 * (bigrams, words, lone characters), in the order typed, at most
 * WY_QUERY_TERMS. */
int wy_query_nterms(const wy_query *q);
const char *wy_query_term(const wy_query *q, int i);     /* folded token text */
const char *wy_query_term_fts(const wy_query *q, int i); /* as an FTS expression */
/* Any of the terms (OR), or NULL when there is none. */
const char *wy_query_fts_terms(const wy_query *q);

/* A query typed in Latin letters read as pinyin (text/pinyin.h), as FTS
 * expressions over titles' pinyin tokens: its readings as syllables
 * ("shuangyonggongzuo", "chongq") and as initials ("sygz"); NULL when the
 * query cannot be read so. */
const char *wy_query_fts_pinyin(const wy_query *q);
const char *wy_query_fts_initials(const wy_query *q);

/* How much of the query a text holds: share is the weight of the terms
 * found over the weight of all (weight[i] for term i, e.g. its IDF; NULL:
 * 1 each), order the share of the pairs of consecutive terms of a clause
 * found next to each other (the query's words in its order; share when the
 * query has no pair), chars the share of the query's characters (a word
 * counts as one) inside a term found, found the number of terms found.
 * Text past limit bytes is not read. */
typedef struct wy_cover {
	double share, order, chars;
	int found;
} wy_cover;

void wy_query_cover(const wy_query *q, const double *weight, const char *text, size_t len, size_t limit,
		    wy_cover *out);

/* A hit: bytes [start, end) of a text. */
typedef struct wy_hit {
	size_t start, end;
} wy_hit;

/* Where the query's (not excluded) clauses occur in text: sorted by start,
 * overlapping hits merged. At most max are written; returns how many were
 * found in all (so a caller can tell it saw only the first max). Text longer
 * than limit bytes is searched in its first limit bytes only. */
int wy_query_hits(const wy_query *q, const char *text, size_t len, size_t limit, wy_hit *out, int max);

/* The same for relaxed matching: where any term occurs. */
int wy_query_hits_relaxed(const wy_query *q, const char *text, size_t len, size_t limit, wy_hit *out, int max);

/* A snippet: a window of text around the densest hits, as segments. */
typedef struct wy_snip_seg {
	size_t start, end;       /* bytes of the text */
	bool hit;
} wy_snip_seg;

typedef struct wy_snippet {
	wy_snip_seg seg[32];
	int n;
	bool cut_before, cut_after; /* the window starts after / ends before the text */
	int hits;                   /* hits inside the window */
} wy_snippet;

/* Choose a window of about width characters of text that holds the most
 * hits (starting a little before the first of them) and split it into
 * segments at the hits. With no hit, the window is the start of the text.
 * Segments never split a UTF-8 sequence. */
void wy_snippet_make(const char *text, size_t len, const wy_hit *hits, int nhits, int width, wy_snippet *out);

#endif

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
 * A query is only a structure: what to look for, as the index's tokens.
 * Each store backend translates it into its own engine's syntax (SQLite's
 * FTS5 expressions in sqlite_search.c, PostgreSQL's tsquery in
 * pg_search.c), from the tokens alone, so nothing the user typed reaches
 * an engine's syntax. Any input parses (to a query that may have no
 * clause); the input is cut at WY_QUERY_MAX bytes and at WY_QUERY_CLAUSES
 * clauses.
 *
 * Thread safety: a wy_query is immutable once parsed; different queries may
 * be used from different threads. */
#ifndef WY_QUERY_H
#define WY_QUERY_H

#include "text/pinyin.h"
#include "text/tokenize.h"

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

/* One token of a clause or a term: its folded text as the index has it
 * (tokenize.h, WY_TOK_INDEX). With prefix set (a lone CJK character at a
 * clause's end, or a lone character as a relaxed term) it stands for any
 * token that starts with it; the index has each CJK character as a token
 * of its own at every position a token starting with it stands, so a
 * backend may also match the character's own token exactly. */
typedef struct wy_qtok {
	char text[WY_TOKEN_MAX + 1]; /* NUL-terminated, no NUL inside */
	int len;
	bool prefix;
	wy_tok_kind kind;
} wy_qtok;

/* A clause: its tokens must stand at consecutive positions of one text
 * (a page, a title, or the keywords) for the clause to match there. */
typedef struct wy_qclause {
	bool neg;    /* excluded: a document holding it anywhere is no match */
	bool quoted; /* typed in quotes: an exact phrase, relaxed matching or not */
	int ntok;    /* 1..WY_QUERY_TOKENS */
	wy_qtok tok[WY_QUERY_TOKENS];
} wy_qclause;

/* The matching rules every backend implements: a document matches when
 * every clause that is not excluded matches somewhere in it (its title,
 * its keywords or any page, each clause possibly elsewhere) and no
 * excluded clause matches anywhere in it. */

/* How many clauses the query has, excluded ones too, and clause i of them
 * (0 <= i < wy_query_count; NULL otherwise). Owned by q. */
int wy_query_count(const wy_query *q);
const wy_qclause *wy_query_clause(const wy_query *q, int i);

/* How many clauses must match (0: the query is not searchable). */
int wy_query_nclauses(const wy_query *q);

/* Whether any clause is excluded / quoted and not excluded. */
bool wy_query_has_excluded(const wy_query *q);
bool wy_query_has_quoted(const wy_query *q);

/* The query's clauses rebuilt as text, for showing and logging ("人工智能
 * -广告"): folded, single spaces. Owned by q. */
const char *wy_query_display(const wy_query *q);

/* Relaxed matching: the query as a bag of terms, for a document that
 * holds much of it but not every clause as typed. The terms are the
 * distinct tokens of the clauses that are neither excluded nor quoted
 * (bigrams, words, lone characters), in the order typed, at most
 * WY_QUERY_TERMS. A lone character is a prefix term (wy_qtok). */
int wy_query_nterms(const wy_query *q);
const char *wy_query_term(const wy_query *q, int i);       /* folded token text */
const wy_qtok *wy_query_term_tok(const wy_query *q, int i); /* NULL past the end */

/* A query typed in Latin letters read as pinyin (text/pinyin.h), for
 * titles' pinyin tokens: its readings as syllables ("shuangyonggongzuo",
 * "chongq": each reading a phrase of syllables, the last maybe a prefix)
 * and as initial pairs ("sygz": sy yg gz, a phrase); NULL when the query
 * cannot be read so. Owned by q. */
const wy_pinyin_q *wy_query_pinyin(const wy_query *q);

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

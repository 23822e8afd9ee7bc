/* suggest: what "did you mean" needs of text: the other script of a query
 * and how alike two texts are. Backend-neutral; the choice of what to
 * suggest is made where a results page is built (view/views.c).
 *
 * Thread safety: every function may be called from any thread. */
#ifndef WY_SUGGEST_H
#define WY_SUGGEST_H

#include <stddef.h>

/* The query s[0..len) in the other script, when that is a different
 * query: Traditional text converted to Simplified, or Simplified to
 * Traditional, by OpenCC's phrase conversion (干燥 → 乾燥, 頭髮 → 头发),
 * and only when the index folds the result differently from s (the index
 * folds character by character, so most conversions come back to the same
 * query and NULL is returned). A malloc'd string, or NULL: no different
 * query, or OpenCC's dictionaries are missing. */
char *wy_other_script(const char *s, size_t len);

/* How alike a and b are, 0..1: the Dice coefficient of their folded tokens
 * as a query reads them (CJK bigrams, words). */
double wy_text_dice(const char *a, size_t alen, const char *b, size_t blen);

#endif

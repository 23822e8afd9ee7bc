/* keywords: the words a document is about, found in its text.
 *
 * Chinese has no spaces, so candidates are the character n-grams (2 to 4
 * characters) inside CJK runs, and Latin words of three letters or more.
 * A candidate must repeat; one that occurs mostly inside a longer candidate
 * gives way to it ("人工智" to "人工智能"); n-grams that begin or end with a
 * function character (的, 了, 和 ...) are not words. What is left is ranked
 * by how often it occurs here against how many pages of the library have
 * it (tf-idf), the library's counts coming from a callback (the search
 * index). Keywords feed related documents, related searches and the title
 * index.
 *
 * A wy_keywords is used by one thread; the module has no global state. */
#ifndef WY_KEYWORDS_H
#define WY_KEYWORDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct wy_keywords wy_keywords;

/* At most this much text (bytes) is looked at. */
#define WY_KEYWORDS_TEXT_MAX (1u << 20)

wy_keywords *wy_keywords_new(void);
void wy_keywords_free(wy_keywords *k); /* NULL is a no-op */

/* Feed text (a page at a time); text past WY_KEYWORDS_TEXT_MAX in all is
 * ignored. */
void wy_keywords_add(wy_keywords *k, const char *text, size_t len);

/* How many pages of the library hold term (an index token: a CJK bigram or
 * a folded word); called a few times per candidate. */
typedef int64_t (*wy_df_fn)(void *ctx, const char *term);

/* The best `want` keywords, space-separated (a malloc'd string the caller
 * frees; "" when there is none). npages: the library's page count. */
char *wy_keywords_pick(wy_keywords *k, int want, wy_df_fn df, void *ctx, int64_t npages);

#endif

/* suggest: the other script of a query and how alike two texts are (see
 * suggest.h). */
#include "text/suggest.h"

#include "core/util.h"
#include "text/tokenize.h"

#include <opencc/opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* OpenCC's converters, opened once on first use; a mutex around each call,
 * since OpenCC does not promise that one converter may be shared. */
static opencc_t to_simp = (opencc_t)-1, to_trad = (opencc_t)-1;
static pthread_once_t cc_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t cc_lock = PTHREAD_MUTEX_INITIALIZER;

static void cc_open(void)
{
	to_simp = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
	to_trad = opencc_open(OPENCC_DEFAULT_CONFIG_SIMP_TO_TRAD);
}

static char *convert(opencc_t cc, const char *s, size_t len)
{
	if (cc == (opencc_t)-1)
		return NULL;
	pthread_mutex_lock(&cc_lock);
	char *out = opencc_convert_utf8(cc, s, len);
	pthread_mutex_unlock(&cc_lock);
	if (!out)
		return NULL;
	char *r = wy_xstrdup(out);
	opencc_convert_utf8_free(out);
	return r;
}

char *wy_other_script(const char *s, size_t len)
{
	if (!s || !len)
		return NULL;
	pthread_once(&cc_once, cc_open);
	char *folded = wy_fold_str(s, len);
	/* Traditional in, Simplified out; else Simplified in, Traditional out */
	char *alt = convert(to_simp, s, len);
	if (alt && strcmp(alt, s) == 0 && strlen(s) == len) {
		free(alt);
		alt = convert(to_trad, s, len);
	}
	char *alt_folded = alt ? wy_fold_str(alt, strlen(alt)) : NULL;
	bool differs = alt_folded && strcmp(alt_folded, folded) != 0;
	free(folded);
	free(alt_folded);
	if (!differs) {
		free(alt);
		return NULL;
	}
	return alt;
}

typedef struct toks {
	char (*t)[WY_TOKEN_MAX + 1];
	int n, cap;
} toks;

static int take(void *ctx, const wy_token *t)
{
	toks *k = ctx;
	if (k->n == k->cap) {
		if (k->cap >= 4096)
			return 1;
		k->cap = k->cap ? k->cap * 2 : 32;
		k->t = wy_xrealloc(k->t, (size_t)k->cap * sizeof *k->t);
	}
	memcpy(k->t[k->n], t->text, (size_t)t->len);
	k->t[k->n][t->len] = 0;
	k->n++;
	return 0;
}

static int cmp_tok(const void *a, const void *b) { return strcmp(a, b); }

double wy_text_dice(const char *a, size_t alen, const char *b, size_t blen)
{
	toks x = {0}, y = {0};
	wy_tokenize(a, alen, WY_TOK_QUERY, take, &x);
	wy_tokenize(b, blen, WY_TOK_QUERY, take, &y);
	double d = 0;
	if (x.n + y.n) {
		/* the size of the multiset intersection, by merging sorted lists */
		qsort(x.t, (size_t)x.n, sizeof *x.t, cmp_tok);
		qsort(y.t, (size_t)y.n, sizeof *y.t, cmp_tok);
		int i = 0, j = 0, common = 0;
		while (i < x.n && j < y.n) {
			int c = strcmp(x.t[i], y.t[j]);
			if (c == 0) {
				common++;
				i++;
				j++;
			} else if (c < 0) {
				i++;
			} else {
				j++;
			}
		}
		d = 2.0 * common / (x.n + y.n);
	}
	free(x.t);
	free(y.t);
	return d;
}

/* fuzz_keywords: finding a document's keywords in its extracted text
 * (text/keywords.h): counting CJK n-grams and Latin words in a fixed-size
 * open-addressing table, pruning and ranking them. The text comes out of
 * uploaded documents, so any bytes.
 *
 * Input: the pages, separated by NUL bytes. Checks: at most the keywords
 * asked for, as valid UTF-8, none empty, none twice; a library whose
 * counts are odd (0 pages when the input starts with an odd byte; more
 * pages holding a term than there are) breaks nothing. One pick per input:
 * a pick walks the whole candidate table, the slow part of this target. */
#include "fuzz.h"

#include "text/keywords.h"
#include "text/tokenize.h"
#include "text/utf8.h"

#define WANT 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wy_tokenize_init(NULL);
	return 0;
}

/* A deterministic library: a document frequency from the term's bytes,
 * sometimes larger than the library (a stale count). */
static int64_t fake_df(void *ctx, const char *term)
{
	uint32_t h = 2166136261u;
	for (const char *p = term; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	FUZZ_CHECK(wy_utf8_valid(term, strlen(term)) && *term);
	return (int64_t)(h % (*(int64_t *)ctx + 2));
}

static char *pick(const uint8_t *data, size_t size, int64_t npages)
{
	wy_keywords *k = wy_keywords_new();
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		const uint8_t *e = nul ? nul : end;
		wy_keywords_add(k, (const char *)p, (size_t)(e - p));
		p = nul ? nul + 1 : end;
	}
	char *kw = wy_keywords_pick(k, WANT, fake_df, &npages, npages);
	wy_keywords_free(k);
	return kw;
}

static void check(const char *kw)
{
	FUZZ_CHECK(kw != NULL && wy_utf8_valid(kw, strlen(kw)));
	const char *w[WANT + 1];
	size_t wl[WANT + 1];
	int n = 0;
	for (const char *c = kw; *c;) {
		FUZZ_CHECK(*c != ' '); /* single spaces between, none around */
		size_t l = strcspn(c, " ");
		FUZZ_CHECK(n < WANT);
		for (int i = 0; i < n; i++)
			FUZZ_CHECK(wl[i] != l || memcmp(w[i], c, l) != 0);
		w[n] = c;
		wl[n++] = l;
		c += l;
		if (*c == ' ')
			FUZZ_CHECK(*++c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *kw = pick(data, size, size && data[0] & 1 ? 0 : 1000);
	check(kw);
	free(kw);
	return 0;
}

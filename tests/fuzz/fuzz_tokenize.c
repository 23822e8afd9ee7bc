/* fuzz_tokenize: the tokenizer and what reads extracted text with it:
 * folding and MinHash fingerprints (text/tokenize.h, text/minhash.h; the
 * keywords have their own target, fuzz_keywords, being slower). Page text
 * comes out of documents anyone can upload, so it is as hostile as the
 * files.
 *
 * Checks: tokens are 1..WY_TOKEN_MAX bytes of valid UTF-8 with an ordered
 * byte range inside the input, of a kind the mode gives; a callback's
 * non-zero return stops and comes back; folding gives valid UTF-8 and at
 * most four valid code points per character; a fingerprint is the same
 * whether the text comes whole or in two pieces cut between characters,
 * and resembles itself completely. */
#include "fuzz.h"

#include "text/minhash.h"
#include "text/tokenize.h"
#include "text/utf8.h"

typedef struct tokstate {
	size_t len, last_start;
	wy_tok_mode mode;
	int n;
} tokstate;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wy_errinfo ei = {0};
	if (wy_tokenize_init(&ei))
		fprintf(stderr, "fuzz_tokenize: no Traditional folding: %s\n", ei.msg);
	return 0;
}

static int on_token(void *ctx, const wy_token *t)
{
	tokstate *s = ctx;
	FUZZ_CHECK(t->len >= 1 && t->len <= WY_TOKEN_MAX);
	FUZZ_CHECK(wy_utf8_valid(t->text, (size_t)t->len));
	FUZZ_CHECK(t->start < t->end && t->end <= s->len);
	FUZZ_CHECK(t->start >= s->last_start);
	FUZZ_CHECK(t->kind >= WY_TOK_WORD && t->kind <= WY_TOK_BRIDGE);
	if (s->mode == WY_TOK_QUERY)
		FUZZ_CHECK(t->kind != WY_TOK_UNIGRAM && t->kind != WY_TOK_TAIL && t->kind != WY_TOK_BRIDGE);
	s->last_start = t->start;
	s->n++;
	return 0;
}

/* Stop after the first token: the return value comes back. */
static int stop_at_once(void *ctx, const wy_token *t)
{
	(void)ctx;
	(void)t;
	return 7;
}

static void check_tokens(const char *s, size_t len)
{
	for (int m = WY_TOK_INDEX; m <= WY_TOK_QUERY; m++) {
		tokstate st = {.len = len, .mode = (wy_tok_mode)m};
		FUZZ_CHECK(wy_tokenize(s, len, (wy_tok_mode)m, on_token, &st) == 0);
		if (st.n)
			FUZZ_CHECK(wy_tokenize(s, len, (wy_tok_mode)m, stop_at_once, NULL) == 7);
	}
}

static void check_fold(const char *s, size_t len)
{
	char *f = wy_fold_str(s, len);
	FUZZ_CHECK(f != NULL && wy_utf8_valid(f, strlen(f)));
	free(f);
	const char *p = s, *end = s + len;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			continue;
		uint32_t out[4];
		int n = wy_fold_cp((uint32_t)cp, out);
		FUZZ_CHECK(n >= 0 && n <= 4);
		for (int i = 0; i < n; i++)
			FUZZ_CHECK(out[i] <= 0x10FFFF && !(out[i] >= 0xD800 && out[i] <= 0xDFFF));
		(void)wy_tok_is_cjk((uint32_t)cp);
	}
}

static void check_minhash(const char *s, size_t len)
{
	wy_minhash whole, split;
	unsigned char a[WY_MINHASH_BYTES], b[WY_MINHASH_BYTES];
	wy_minhash_init(&whole);
	wy_minhash_add(&whole, s, len);
	bool have = wy_minhash_finish(&whole, a);
	if (have) {
		FUZZ_CHECK(wy_minhash_similarity(a, a) == 1.0);
		for (int i = 0; i < WY_MINHASH_BANDS; i++)
			(void)wy_minhash_band(a, i);
	}
	/* Cut at a character boundary near the middle: pieces change nothing
	 * (shingles run across them). Only meaningful for valid text, where
	 * "between characters" is well defined. */
	if (!wy_utf8_valid(s, len))
		return;
	size_t cut = len / 2;
	while (cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut++;
	wy_minhash_init(&split);
	wy_minhash_add(&split, s, cut);
	wy_minhash_add(&split, s + cut, len - cut);
	FUZZ_CHECK(wy_minhash_finish(&split, b) == have);
	if (have)
		FUZZ_CHECK(memcmp(a, b, sizeof a) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_tokens(s, size);
	check_fold(s, size);
	check_minhash(s, size);
	return 0;
}

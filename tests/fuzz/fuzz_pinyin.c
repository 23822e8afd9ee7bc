/* fuzz_pinyin: the pinyin module (text/pinyin.h). Titles come from anyone
 * who uploads, queries from anyone who searches.
 *
 * Checks: wy_pinyin_parse answers within its bounds (at most
 * WY_PINYIN_SEGS segmentations of 1..WY_PINYIN_SYLS syllables, each a
 * syllable of the table or, last and only when last_prefix, a proper
 * prefix of one; their letters are the query's letters in order; best
 * first by syllable count; initials are pairs of the letters) and says
 * false with nothing filled in otherwise; the tokens of every mode are
 * 1..7 letters (queries: 1..WY_PINYIN_WORD_MAX lowercase letters and
 * digits), never colocated first; FULL tokens are syllables; a callback's
 * non-zero return stops and comes back. */
#include "fuzz.h"

#include "text/pinyin.h"

#include <stdbool.h>

typedef struct tokstate {
	wy_pinyin_mode mode;
	int n, alts;
} tokstate;

static int on_token(void *ctx, const char *text, int len, bool colocated)
{
	tokstate *s = ctx;
	int max = s->mode == WY_PY_QUERY ? WY_PINYIN_WORD_MAX : s->mode == WY_PY_INITIALS ? 2 : 7;
	FUZZ_CHECK(len >= 1 && len <= max);
	for (int i = 0; i < len; i++)
		FUZZ_CHECK((text[i] >= 'a' && text[i] <= 'z') ||
		           (s->mode == WY_PY_QUERY && text[i] >= '0' && text[i] <= '9'));
	if (s->mode == WY_PY_FULL)
		FUZZ_CHECK(wy_pinyin_is_syllable(text, (size_t)len));
	FUZZ_CHECK(!colocated || s->n > 0);
	FUZZ_CHECK(s->mode != WY_PY_QUERY || !colocated);
	s->alts = colocated ? s->alts + 1 : 1;
	FUZZ_CHECK(s->alts <= WY_PINYIN_ALTS);
	s->n++;
	return 0;
}

static int stop_at_once(void *ctx, const char *text, int len, bool colocated)
{
	(void)ctx;
	(void)text;
	(void)len;
	(void)colocated;
	return 7;
}

static void check_tokens(const char *s, size_t len)
{
	for (int m = WY_PY_FULL; m <= WY_PY_QUERY; m++) {
		tokstate st = {.mode = (wy_pinyin_mode)m};
		FUZZ_CHECK(wy_pinyin_tokenize(s, len, (wy_pinyin_mode)m, on_token, &st) == 0);
		if (st.n)
			FUZZ_CHECK(wy_pinyin_tokenize(s, len, (wy_pinyin_mode)m, stop_at_once, NULL) == 7);
	}
}

/* Is y a proper prefix of some syllable with a vowel? */
static bool proper_prefix(const char *y)
{
	size_t n = strlen(y);
	for (int i = 0; i < wy_pinyin_syllable_count(); i++) {
		const char *z = wy_pinyin_syllable(i);
		if (strlen(z) > n && !strncmp(z, y, n) && strpbrk(z, "aeiouv"))
			return true;
	}
	return false;
}

static void check_parse(const char *s, size_t len)
{
	wy_pinyin_q q;
	bool ok = wy_pinyin_parse(s, len, &q);
	/* the letters of the query, as the parser reads them */
	char let[256];
	size_t n = 0;
	bool letters_only = true;
	for (size_t i = 0; i < len && n < sizeof let; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c >= 'a' && c <= 'z')
			let[n++] = c;
		else if (c != ' ' && c != '\t' && c != '\'' && (unsigned char)c < 0x80)
			letters_only = false;
	}
	if (!ok) {
		FUZZ_CHECK(q.nfull == 0 && q.ninitials == 0);
		return;
	}
	FUZZ_CHECK(letters_only && n >= 2 && n <= 63);
	FUZZ_CHECK(q.nfull >= 0 && q.nfull <= WY_PINYIN_SEGS);
	FUZZ_CHECK(q.nfull > 0 || q.ninitials > 0);
	for (int k = 0; k < q.nfull; k++) {
		const wy_pinyin_seg *g = &q.full[k];
		FUZZ_CHECK(g->n >= 1 && g->n <= WY_PINYIN_SYLS);
		if (k)
			FUZZ_CHECK(q.full[k - 1].n <= g->n);
		size_t at = 0;
		for (int i = 0; i < g->n; i++) {
			size_t yl = strnlen(g->syl[i], 8);
			FUZZ_CHECK(yl >= 1 && yl <= 7);
			FUZZ_CHECK(at + yl <= n && !memcmp(let + at, g->syl[i], yl));
			at += yl;
			if (i == g->n - 1 && g->last_prefix)
				FUZZ_CHECK(proper_prefix(g->syl[i]) &&
				           !(wy_pinyin_is_syllable(g->syl[i], yl) && strpbrk(g->syl[i], "aeiouv")));
			else
				FUZZ_CHECK(wy_pinyin_is_syllable(g->syl[i], yl) && strpbrk(g->syl[i], "aeiouv"));
		}
		FUZZ_CHECK(at == n);
	}
	if (n <= 16) {
		FUZZ_CHECK(q.ninitials == (int)n - 1);
		for (int i = 0; i < q.ninitials; i++)
			FUZZ_CHECK(q.initials[i][0] == let[i] && q.initials[i][1] == let[i + 1] && !q.initials[i][2]);
	} else {
		FUZZ_CHECK(q.ninitials == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check_tokens(s, size);
	check_parse(s, size);
	return 0;
}

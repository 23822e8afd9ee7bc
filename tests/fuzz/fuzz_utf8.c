/* fuzz_utf8: the strict UTF-8 primitives (text/utf8.h) against a second,
 * independent reading of RFC 3629 written here from its ABNF.
 *
 * Every text path of wenyuan trusts these answers, so they are checked
 * exactly: validity and the longest valid prefix, each decoded code point
 * and how far the decoder moves (one byte on an invalid one), encoding a
 * decoded code point gives back its bytes, truncation never splits a
 * character of valid text and cuts as late as it can, and a partial tail
 * is exactly an incomplete sequence that some bytes would complete. */
#include "fuzz.h"

#include "text/utf8.h"

/* RFC 3629, section 4: the length of the character at s (avail bytes), 0
 * when none starts there; *cp gets its value. */
static int ref_char(const uint8_t *s, size_t avail, uint32_t *cp)
{
	static const struct {
		uint8_t lo0, hi0, lo1, hi1;
		int len;
	} rows[] = {
	    {0x00, 0x7F, 0, 0, 1},       {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
	    {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
	    {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
	};
	if (!avail)
		return 0;
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		if (s[0] < rows[r].lo0 || s[0] > rows[r].hi0)
			continue;
		int len = rows[r].len;
		if ((size_t)len > avail)
			return 0;
		if (len == 1) {
			*cp = s[0];
			return 1;
		}
		if (s[1] < rows[r].lo1 || s[1] > rows[r].hi1)
			return 0;
		for (int i = 2; i < len; i++)
			if (s[i] < 0x80 || s[i] > 0xBF)
				return 0;
		uint32_t v = s[0] & (0xFF >> (len + 1));
		for (int i = 1; i < len; i++)
			v = v << 6 | (s[i] & 0x3F);
		*cp = v;
		return len;
	}
	return 0;
}

static size_t ref_valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int l;
	while (i < n && (l = ref_char(s + i, n - i, &cp)) > 0)
		i += (size_t)l;
	return i;
}

/* Is s[0..t) the start of a character that needs more than t bytes? Tried
 * by completing it with every byte that can follow a lead in UTF-8. */
static bool ref_incomplete(const uint8_t *s, size_t t)
{
	uint8_t buf[4];
	uint32_t cp;
	memcpy(buf, s, t);
	for (size_t more = 1; t + more <= 4; more++) {
		/* the second byte has the narrowest ranges; later ones 80..BF */
		for (unsigned b = 0x80; b <= 0xBF; b++) {
			for (size_t i = t; i < t + more; i++)
				buf[i] = (uint8_t)(i == t ? b : 0x80);
			if (ref_char(buf, t + more, &cp) == (int)(t + more))
				return true;
		}
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t ref = ref_valid_prefix(data, size);
	FUZZ_CHECK(wy_utf8_valid_prefix(s, size) == ref);
	FUZZ_CHECK(wy_utf8_valid(s, size) == (ref == size));
	FUZZ_CHECK(wy_utf8_valid(s, ref));

	/* decoding, step by step */
	const char *p = s, *end = s + size;
	while (p < end) {
		const char *at = p;
		uint32_t want;
		int l = ref_char((const uint8_t *)at, (size_t)(end - at), &want);
		int cp = wy_utf8_decode(&p, end);
		if (l == 0) {
			FUZZ_CHECK(cp == -1 && p == at + 1);
			continue;
		}
		FUZZ_CHECK(cp >= 0 && (uint32_t)cp == want && p == at + l);
		char enc[4];
		FUZZ_CHECK(wy_utf8_encode((uint32_t)cp, enc) == l && memcmp(enc, at, (size_t)l) == 0);
		(void)wy_is_cjk((uint32_t)cp);
	}
	FUZZ_CHECK(wy_utf8_decode(&p, end) == -1 && p == end);

	/* encoding any 32-bit value gives one valid character */
	if (size >= 4) {
		uint32_t v =
		    (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		char enc[4];
		int n = wy_utf8_encode(v, enc);
		FUZZ_CHECK(n >= 1 && n <= 4 && wy_utf8_valid(enc, (size_t)n));
		uint32_t back;
		FUZZ_CHECK(ref_char((const uint8_t *)enc, (size_t)n, &back) == n);
		bool ok = v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
		FUZZ_CHECK(back == (ok ? v : WY_UTF8_REPLACEMENT));
	}

	/* truncation at every length (inputs are small) */
	bool valid = ref == size;
	for (size_t max = 0; max <= size + 1; max++) {
		size_t r = wy_utf8_truncate(s, size, max);
		if (size <= max) {
			FUZZ_CHECK(r == size);
			continue;
		}
		FUZZ_CHECK(r <= max && r + 3 >= max);
		if (valid) {
			/* the last character boundary at or before max */
			size_t b = max;
			while (b > 0 && (data[b] & 0xC0) == 0x80)
				b--;
			FUZZ_CHECK(r == b);
		}
		if (max > size / 2 + 64) /* enough: the rest repeats the same walk */
			break;
	}

	/* partial tail: an incomplete character at the very end */
	size_t t = wy_utf8_partial_tail(s, size), want = 0;
	for (size_t k = 1; k <= 3 && k <= size && !want; k++)
		if (ref_incomplete(data + size - k, k))
			want = k;
	FUZZ_CHECK(t == want);
	return 0;
}

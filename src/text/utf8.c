/* utf8: strict UTF-8 primitives used by every text path of wenyuan.
 *
 * The decoder is the single definition of "valid UTF-8" in the project; it
 * must never accept overlong forms, surrogates or code points above
 * U+10FFFF, never read past the end it is given and never allocate. */
#include "text/utf8.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Number of bytes a sequence starting with lead byte b has, or 0 when b can
 * never start a sequence (continuation bytes, C0/C1 overlong leads, F5..FF). */
static int seq_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b < 0xC2)
		return 0;
	if (b < 0xE0)
		return 2;
	if (b < 0xF0)
		return 3;
	if (b < 0xF5)
		return 4;
	return 0;
}

/* The allowed range of the second byte depends on the lead: that is where
 * overlongs (E0 80.., F0 80..), surrogates (ED A0..) and values above
 * U+10FFFF (F4 90..) are excluded. Later bytes are always 80..BF. */
static bool second_ok(unsigned char lead, unsigned char b)
{
	switch (lead) {
	case 0xE0:
		return b >= 0xA0 && b <= 0xBF;
	case 0xED:
		return b >= 0x80 && b <= 0x9F;
	case 0xF0:
		return b >= 0x90 && b <= 0xBF;
	case 0xF4:
		return b >= 0x80 && b <= 0x8F;
	default:
		return b >= 0x80 && b <= 0xBF;
	}
}

/* Length of the valid sequence at s (avail bytes readable), 0 if invalid or
 * incomplete. */
static int valid_at(const unsigned char *s, size_t avail)
{
	int len = seq_len(s[0]);
	if (len == 0 || (size_t)len > avail)
		return 0;
	if (len == 1)
		return 1;
	if (!second_ok(s[0], s[1]))
		return 0;
	for (int i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

size_t wy_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		/* ASCII runs dominate real text; skip them without the table. */
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		int l = valid_at(u + i, n - i);
		if (l == 0)
			return i;
		i += (size_t)l;
	}
	return n;
}

bool wy_utf8_valid(const char *s, size_t n)
{
	return wy_utf8_valid_prefix(s, n) == n;
}

int wy_utf8_decode(const char **p, const char *end)
{
	const unsigned char *u = (const unsigned char *)*p;
	if (!u || *p >= end)
		return -1;
	int len = valid_at(u, (size_t)(end - *p));
	if (len == 0) {
		/* Advance one byte only: the next byte may start a good sequence. */
		*p += 1;
		return -1;
	}
	uint32_t cp;
	switch (len) {
	case 1:
		cp = u[0];
		break;
	case 2:
		cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
		break;
	case 3:
		cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
		break;
	default:
		cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
		     ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
		break;
	}
	*p += len;
	return (int)cp;
}

int wy_utf8_encode(uint32_t cp, char out[4])
{
	unsigned char *o = (unsigned char *)out;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = WY_UTF8_REPLACEMENT;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

bool wy_is_cjk(uint32_t cp)
{
	/* Ordered by how often each block occurs in Chinese, Japanese and
	 * Korean text, so the usual answer comes after a compare or two. */
	if (cp >= 0x4E00 && cp <= 0x9FFF)       /* unified ideographs (URO) */
		return true;
	if (cp >= 0x3000 && cp <= 0x30FF)       /* CJK punctuation, hiragana, katakana */
		return true;
	if (cp >= 0xFF00 && cp <= 0xFFEF)       /* halfwidth and fullwidth forms */
		return true;
	if (cp >= 0x3400 && cp <= 0x4DBF)       /* extension A */
		return true;
	/* bopomofo, kanbun, strokes, kana extension; not the Hangul
	 * compatibility jamo at 3130-318F: Korean puts spaces between words. */
	if (cp >= 0x3100 && cp <= 0x31FF && !(cp >= 0x3130 && cp <= 0x318F))
		return true;
	if (cp >= 0xF900 && cp <= 0xFAFF)       /* compatibility ideographs */
		return true;
	if (cp >= 0x2E80 && cp <= 0x2FDF)       /* radicals supplement, Kangxi radicals */
		return true;
	if (cp >= 0x20000 && cp <= 0x323AF)     /* extensions B-H, compat supplement */
		return true;
	if (cp >= 0x1AFF0 && cp <= 0x1B16F)     /* kana extended and supplement */
		return true;
	return false;
}

size_t wy_utf8_truncate(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	const unsigned char *u = (const unsigned char *)s;
	/* s[max] is the first byte cut off. If it is a continuation byte, walk
	 * back (at most three bytes) to the lead of its sequence. */
	size_t k = max;
	while (k > 0 && max - k < 3 && (u[k] & 0xC0) == 0x80)
		k--;
	if (k == max)
		return max;
	int len = seq_len(u[k]);
	/* Cut before the lead only if that sequence really reaches past max;
	 * stray continuation bytes are single (invalid) characters. */
	if (len > 1 && k + (size_t)len > max)
		return k;
	return max;
}

size_t wy_utf8_partial_tail(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned char b = u[n - k];
		if ((b & 0xC0) == 0x80)
			continue;
		/* Found the last lead byte: it must want more than the k bytes
		 * that are there, and those must fit the sequence so far. */
		int len = seq_len(b);
		if (len <= (int)k)
			return 0;
		if (k >= 2 && !second_ok(b, u[n - k + 1]))
			return 0;
		return k;
	}
	return 0;
}

uint32_t wy_utf8_first_cp(const char *s, size_t n)
{
	const char *p = s;
	int cp = n ? wy_utf8_decode(&p, s + n) : 0;
	return cp > 0 ? (uint32_t)cp : 0;
}

uint32_t wy_utf8_last_cp(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0)
		i--;
	const char *p = s + i;
	int cp = n ? wy_utf8_decode(&p, s + n) : 0;
	return cp > 0 ? (uint32_t)cp : 0;
}

bool wy_is_hidden_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t wy_utf8_drop_hidden(char *s, size_t n)
{
	const char *p = s, *end = s + n;
	size_t o = 0;
	while (p < end) {
		const char *start = p;
		int cp = wy_utf8_decode(&p, end);
		if (cp >= 0 && wy_is_hidden_control((uint32_t)cp))
			continue;
		memmove(s + o, start, (size_t)(p - start));
		o += (size_t)(p - start);
	}
	s[o] = 0;
	return o;
}

char *wy_clean_file_name(const char *name)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = strlen(base);
	char *out = wy_xmalloc(n + 1), *w = out;
	for (const unsigned char *p = (const unsigned char *)base; *p; p++)
		if (*p >= 0x20 && *p != 0x7f)
			*w++ = (char)*p;
	*w = 0;
	size_t len = (size_t)(w - out);
	if (!wy_utf8_valid(out, len)) {
		/* keep the ASCII of a name in another encoding */
		w = out;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)out[i] < 0x80)
				*w++ = out[i];
		*w = 0;
		len = (size_t)(w - out);
	} else {
		len = wy_utf8_drop_hidden(out, len); /* C1 controls, bidi overrides */
	}
	out[wy_utf8_truncate(out, len, 240)] = 0;
	if (!*out) {
		free(out);
		return wy_xstrdup("document");
	}
	return out;
}

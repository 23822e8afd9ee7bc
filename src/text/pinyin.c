/* pinyin: readings, title tokens and query segmentation (see pinyin.h).
 *
 * The table (pinyin_table.h, generated in the build directory by
 * tools/pinyin_gen.c from Unihan) is three constant arrays: the sorted
 * syllables; the distinct reading sets (about 5000 for 41000 code points:
 * most characters share theirs); and, per code point, its set number,
 * reached through runs of consecutive code points found by binary search.
 * About 165 KB of read-only data, nothing built at start-up. */
#include "text/pinyin.h"

#include "text/utf8.h"

#include <string.h>

#include "pinyin_table.h"

/* The longest syllable, in letters (the table promises 7 at most). */
#define SYL_MAX 7

/* The reading set of cp, or NULL when Unihan gives it none. */
static const uint16_t *set_of(uint32_t cp)
{
	if (cp < (py_runs[0][0] >> 11))
		return NULL; /* ASCII and everything else below the first Han */
	size_t lo = 0, hi = PY_NRUNS;
	while (lo < hi) { /* the runs that start at or before cp: [0, lo) */
		size_t mid = lo + (hi - lo) / 2;
		if ((py_runs[mid][0] >> 11) <= cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	const uint32_t *run = py_runs[lo - 1];
	uint32_t off = cp - (run[0] >> 11);
	if (off > (run[0] & 0x7FF))
		return NULL;
	const uint16_t *set = py_sets[py_cpset[run[1] + off]];
	return set[0] ? set : NULL; /* a filled hole has the empty set */
}

int wy_pinyin_readings(uint32_t cp, const char *out[WY_PINYIN_ALTS])
{
	const uint16_t *set = set_of(cp);
	int n = 0;
	for (; set && n < WY_PINYIN_ALTS && set[n]; n++)
		out[n] = py_syl[set[n] - 1];
	return n;
}

int wy_pinyin_syllable_count(void)
{
	return PY_NSYL;
}

const char *wy_pinyin_syllable(int i)
{
	return i >= 0 && i < PY_NSYL ? py_syl[i] : NULL;
}

int wy_pinyin_codepoint_count(void)
{
	return PY_NREAL;
}

/* strcmp's order between the syllable y and s[0..len) (any bytes). */
static int cmp_key(const char *y, const char *s, size_t len)
{
	size_t yl = strlen(y), m = yl < len ? yl : len;
	int c = memcmp(y, s, m);
	if (c)
		return c;
	return yl < len ? -1 : yl > len;
}

/* The first syllable >= s[0..len) (PY_NSYL: none); the syllables that
 * start with s follow it. */
static int lower_bound(const char *s, size_t len)
{
	int lo = 0, hi = PY_NSYL;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (cmp_key(py_syl[mid], s, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool wy_pinyin_is_syllable(const char *s, size_t len)
{
	if (len == 0 || len > SYL_MAX)
		return false;
	int i = lower_bound(s, len);
	return i < PY_NSYL && !cmp_key(py_syl[i], s, len);
}

static bool has_vowel(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr("aeiouv", s[i]))
			return true;
	return false;
}

/* ---- title tokens ---- */

/* The distinct first letters of cp's readings, most common first. */
static int initials_of(const uint16_t *set, char out[WY_PINYIN_ALTS])
{
	int n = 0;
	for (int i = 0; i < WY_PINYIN_ALTS && set[i]; i++) {
		char c = py_syl[set[i] - 1][0];
		if (!memchr(out, c, (size_t)n))
			out[n++] = c;
	}
	return n;
}

/* The pairs of a's and b's initials, at most 4, by rising rank sum: both
 * first letters, then one first and one second ... so that the readings
 * most people mean come before the cap. */
static int emit_pairs(const char *a, int na, const char *b, int nb, wy_pinyin_cb cb, void *ctx)
{
	int k = 0;
	for (int d = 0; d <= na + nb - 2 && k < 4; d++)
		for (int i = 0; i <= d && k < 4; i++) {
			int j = d - i;
			if (i >= na || j >= nb)
				continue;
			char pair[2] = {a[i], b[j]};
			int rc = cb(ctx, pair, 2, k > 0);
			if (rc)
				return rc;
			k++;
		}
	return 0;
}

static int tokenize_query(const char *s, size_t len, wy_pinyin_cb cb, void *ctx)
{
	char word[WY_PINYIN_WORD_MAX];
	int n = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : ' ';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (n < WY_PINYIN_WORD_MAX) /* the rest of a longer word is dropped */
				word[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
			continue;
		}
		if (n) {
			int rc = cb(ctx, word, n, false);
			if (rc)
				return rc;
		}
		n = 0;
	}
	return 0;
}

int wy_pinyin_tokenize(const char *s, size_t len, wy_pinyin_mode mode, wy_pinyin_cb cb, void *ctx)
{
	if (mode == WY_PY_QUERY)
		return tokenize_query(s, len, cb, ctx);
	const char *p = s, *end = s + len;
	char prev[WY_PINYIN_ALTS];
	int nprev = 0;
	int rc = 0;
	while (p < end && !rc) {
		int cp = wy_utf8_decode(&p, end);
		const uint16_t *set = cp < 0 ? NULL : set_of((uint32_t)cp);
		if (!set)
			continue;
		if (mode == WY_PY_FULL) {
			for (int i = 0; i < WY_PINYIN_ALTS && set[i] && !rc; i++) {
				const char *y = py_syl[set[i] - 1];
				rc = cb(ctx, y, (int)strlen(y), i > 0);
			}
			continue;
		}
		char cur[WY_PINYIN_ALTS];
		int ncur = initials_of(set, cur);
		if (nprev)
			rc = emit_pairs(prev, nprev, cur, ncur, cb, ctx);
		memcpy(prev, cur, (size_t)ncur);
		nprev = ncur;
	}
	/* the last character: its initials alone */
	for (int i = 0; mode == WY_PY_INITIALS && i < nprev && !rc; i++)
		rc = cb(ctx, &prev[i], 1, i > 0);
	return rc;
}

/* ---- queries ---- */

enum piece { NONE = 0, WHOLE = 1, PREFIX = 2 };

/* What s[0..len) can be in a segmentation: a syllable with a vowel, a
 * proper prefix of one (allowed only at the end), or nothing. */
static enum piece piece_kind(const char *s, size_t len)
{
	int i = lower_bound(s, len);
	enum piece k = NONE;
	for (; i < PY_NSYL; i++) {
		size_t yl = strlen(py_syl[i]);
		if (yl < len || memcmp(py_syl[i], s, len))
			break;
		if (!has_vowel(py_syl[i], yl))
			continue;
		if (yl == len)
			return WHOLE;
		k = PREFIX;
	}
	return k;
}

typedef struct seg_state {
	const char *let;
	int n;
	/* kind[i][l - 1]: the piece of l letters at i, boundaries considered */
	unsigned char kind[64][SYL_MAX];
	/* can[i][r]: letters i..n split into exactly r pieces */
	bool can[64 + 1][WY_PINYIN_SYLS + 1];
	int path[WY_PINYIN_SYLS];
	wy_pinyin_q *out;
} seg_state;

/* Depth first, longest piece first, only along paths that finish: each
 * segmentation found costs one walk, so the first WY_PINYIN_SEGS come
 * cheap however many there are. */
static void walk(seg_state *st, int i, int rem, int depth)
{
	if (i == st->n) {
		if (depth < 1 || depth > WY_PINYIN_SYLS)
			return; /* never: there are 2 letters at least, 32 pieces at most */
		wy_pinyin_seg *g = &st->out->full[st->out->nfull++];
		int at = 0;
		g->n = depth;
		for (int k = 0; k < depth; k++) {
			memcpy(g->syl[k], st->let + at, (size_t)st->path[k]);
			g->syl[k][st->path[k]] = 0;
			at += st->path[k];
		}
		int last = st->path[depth - 1];
		g->last_prefix = st->kind[st->n - last][last - 1] == PREFIX;
		return;
	}
	for (int l = SYL_MAX; l >= 1 && st->out->nfull < WY_PINYIN_SEGS; l--) {
		if (i + l > st->n || !st->kind[i][l - 1] || !st->can[i + l][rem - 1])
			continue;
		st->path[depth] = l;
		walk(st, i + l, rem - 1, depth + 1);
	}
}

static void segment(const char *let, int n, const bool *hard, wy_pinyin_q *out)
{
	seg_state st;
	memset(&st, 0, sizeof st);
	st.let = let;
	st.n = n;
	st.out = out;
	for (int i = 0; i < n; i++)
		for (int l = 1; l <= SYL_MAX && i + l <= n; l++) {
			if (l > 1 && hard[i + l - 1])
				break; /* a typed boundary inside */
			enum piece k = piece_kind(let + i, (size_t)l);
			if (k == PREFIX && i + l != n)
				k = NONE;
			st.kind[i][l - 1] = (unsigned char)k;
		}
	st.can[n][0] = true;
	for (int i = n - 1; i >= 0; i--)
		for (int l = 1; l <= SYL_MAX && i + l <= n; l++)
			if (st.kind[i][l - 1])
				for (int r = 1; r <= WY_PINYIN_SYLS; r++)
					st.can[i][r] |= st.can[i + l][r - 1];
	for (int r = 1; r <= WY_PINYIN_SYLS && out->nfull < WY_PINYIN_SEGS; r++)
		if (st.can[0][r])
			walk(&st, 0, r, 0);
}

bool wy_pinyin_parse(const char *s, size_t len, wy_pinyin_q *out)
{
	memset(out, 0, sizeof *out);
	char let[64];
	bool hard[64]; /* hard[i]: a typed boundary before letter i */
	int n = 0;
	bool brk = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\'') {
			brk = true;
			continue;
		}
		if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x99) {
			brk = true; /* ’, as phones type the apostrophe */
			i += 2;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c < 'a' || c > 'z' || n == 63)
			return false;
		hard[n] = brk && n > 0;
		let[n++] = (char)c;
		brk = false;
	}
	if (n < 2)
		return false;
	segment(let, n, hard, out);
	if (n <= 16) {
		for (int i = 0; i + 1 < n; i++) {
			out->initials[i][0] = let[i];
			out->initials[i][1] = let[i + 1];
			out->initials[i][2] = 0;
		}
		out->ninitials = n - 1;
	}
	return out->nfull > 0 || out->ninitials > 0;
}

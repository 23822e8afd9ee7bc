/* minhash: fingerprints for near-duplicate detection (see minhash.h).
 *
 * One 64-bit hash per shingle (a rolling window of the last
 * WY_MINHASH_SHINGLE folded characters), then WY_MINHASH_N cheap
 * permutations of it: multiply-xorshift with fixed odd constants. The
 * constants are part of the stored format: changing them makes old
 * fingerprints incomparable (reindex recomputes nothing; a new migration
 * would have to). */
#include "text/minhash.h"

#include "text/tokenize.h"
#include "text/utf8.h"

#include <string.h>

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

void wy_minhash_init(wy_minhash *m)
{
	memset(m, 0, sizeof *m);
	for (int i = 0; i < WY_MINHASH_N; i++)
		m->v[i] = UINT32_MAX;
}

static void shingle(wy_minhash *m)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL;
	for (int k = 0; k < WY_MINHASH_SHINGLE; k++)
		h = mix64(h ^ m->ring[(m->chars + (uint64_t)k) % WY_MINHASH_SHINGLE]);
	m->shingles++;
	for (int i = 0; i < WY_MINHASH_N; i++) {
		uint32_t v = (uint32_t)(mix64(h + 0x632BE59BD9B4E019ULL * (uint64_t)(i + 1)) >> 32);
		if (v < m->v[i])
			m->v[i] = v;
	}
}

void wy_minhash_add(wy_minhash *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			continue;
		uint32_t f[4];
		int nf = wy_fold_cp((uint32_t)cp, f);
		for (int i = 0; i < nf; i++) {
			uint32_t c = f[i];
			bool keep = wy_tok_is_cjk(c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				    (c >= 0xC0 && c != 0x3000 && !(c >= 0x2000 && c <= 0x2BFF) &&
				     !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xFF00 && c <= 0xFF0F) &&
				     !(c >= 0xFF1A && c <= 0xFF20));
			if (!keep)
				continue;
			m->ring[m->chars % WY_MINHASH_SHINGLE] = c;
			m->chars++;
			if (m->chars >= WY_MINHASH_SHINGLE)
				shingle(m);
		}
	}
}

bool wy_minhash_finish(wy_minhash *m, unsigned char out[WY_MINHASH_BYTES])
{
	if (m->shingles < WY_MINHASH_MIN_SHINGLES)
		return false;
	for (int i = 0; i < WY_MINHASH_N; i++) {
		out[4 * i] = (unsigned char)(m->v[i]);
		out[4 * i + 1] = (unsigned char)(m->v[i] >> 8);
		out[4 * i + 2] = (unsigned char)(m->v[i] >> 16);
		out[4 * i + 3] = (unsigned char)(m->v[i] >> 24);
	}
	return true;
}

double wy_minhash_similarity(const unsigned char *a, const unsigned char *b)
{
	int same = 0;
	for (int i = 0; i < WY_MINHASH_N; i++)
		same += memcmp(a + 4 * i, b + 4 * i, 4) == 0;
	return (double)same / WY_MINHASH_N;
}

int64_t wy_minhash_band(const unsigned char *sig, int b)
{
	uint64_t h = 0xCBF29CE484222325ULL ^ (uint64_t)b;
	for (int k = 0; k < 4 * WY_MINHASH_ROWS; k++)
		h = (h ^ sig[4 * WY_MINHASH_ROWS * b + k]) * 0x100000001B3ULL;
	return (int64_t)mix64(h);
}

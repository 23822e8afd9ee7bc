/* encode: a lossless WebP (VP8L) writer for gray text pages (encode.h).
 *
 * What it writes, in the terms of the WebP lossless bitstream spec
 * (RFC 9649): the header; one colour-indexing transform whose palette is
 * the gray levels the page uses (packing 2, 4 or 8 pixels to a byte when
 * it has at most 16, 4 or 2 of them); then the packed image with no colour
 * cache and one set of prefix codes, as literals and backward references
 * of two kinds only: "copy the row above" (distance code 1) and "repeat
 * the pixel on the left" (distance code 2), chosen greedily, the longer
 * one at each position. That is what a page of text is made of: blank
 * rows, blank runs, and strokes that continue from one row to the next. */
#include "convert/encode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* alphabet sizes: green (literals, then 24 length prefixes), the other
 * three channels, distance prefixes */
#define N_GREEN (256 + 24)
#define N_CHAN 256
#define N_DIST 40
#define MAX_LEN 4096 /* longest backward reference */

typedef struct bitw {
	uint8_t *p;
	size_t len, alloc;
	uint64_t acc;
	int n;
} bitw;

/* Append the low n (<= 32) bits of v, least significant first. */
static void put(bitw *b, uint32_t v, int n)
{
	b->acc |= (uint64_t)v << b->n;
	b->n += n;
	while (b->n >= 8) {
		if (b->len == b->alloc) {
			b->alloc = b->alloc ? b->alloc * 2 : 1 << 16;
			b->p = wy_xrealloc(b->p, b->alloc);
		}
		b->p[b->len++] = (uint8_t)b->acc;
		b->acc >>= 8;
		b->n -= 8;
	}
}

/* A prefix code: lengths and (bit-reversed, as written) codes; zero: the
 * code has one symbol and takes no bits. */
typedef struct hcode {
	uint8_t len[N_GREEN];
	uint16_t code[N_GREEN];
	bool zero;
} hcode;

/* Code lengths of at most limit bits for the counts (a Huffman tree; when
 * it is too deep the small counts are raised until it is not). */
static void build_lengths(const uint32_t *count, int n, int limit, uint8_t *len)
{
	uint32_t w[2 * N_GREEN];
	int parent[2 * N_GREEN], leaf[N_GREEN];
	int m = 0;
	memset(len, 0, (size_t)n);
	for (int i = 0; i < n; i++)
		if (count[i])
			leaf[m++] = i;
	if (m == 1)
		len[leaf[0]] = 1;
	if (m < 2)
		return;
	for (uint32_t floor = 0;; floor = floor ? floor * 2 : 1) {
		bool active[2 * N_GREEN];
		int nodes = m;
		for (int i = 0; i < m; i++) {
			w[i] = count[leaf[i]] > floor ? count[leaf[i]] : floor;
			active[i] = true;
			parent[i] = -1;
		}
		for (int left = m; left > 1; left--) {
			int a = -1, b = -1;
			for (int i = 0; i < nodes; i++) {
				if (!active[i])
					continue;
				if (a < 0 || w[i] < w[a]) {
					b = a;
					a = i;
				} else if (b < 0 || w[i] < w[b]) {
					b = i;
				}
			}
			active[a] = active[b] = false;
			w[nodes] = w[a] + w[b];
			parent[nodes] = -1;
			active[nodes] = true;
			parent[a] = parent[b] = nodes++;
		}
		int deepest = 0;
		for (int i = 0; i < m; i++) {
			int d = 0;
			for (int j = i; parent[j] >= 0; j = parent[j])
				d++;
			len[leaf[i]] = (uint8_t)d;
			if (d > deepest)
				deepest = d;
		}
		if (deepest <= limit)
			return;
	}
}

/* Canonical codes from the lengths, bit-reversed for an LSB-first writer. */
static void assign_codes(hcode *h, int n)
{
	int count[16] = {0}, next[16] = {0};
	for (int i = 0; i < n; i++)
		count[h->len[i]]++;
	count[0] = 0;
	for (int bits = 1, code = 0; bits < 16; bits++) {
		code = (code + count[bits - 1]) << 1;
		next[bits] = code;
	}
	for (int i = 0; i < n; i++) {
		if (!h->len[i])
			continue;
		unsigned c = (unsigned)next[h->len[i]]++, r = 0;
		for (int k = 0; k < h->len[i]; k++)
			r |= ((c >> k) & 1u) << (h->len[i] - 1 - k);
		h->code[i] = (uint16_t)r;
	}
}

static void put_sym(bitw *b, const hcode *h, int s)
{
	if (!h->zero)
		put(b, h->code[s], h->len[s]);
}

/* Write the code-length code and the lengths of a normal prefix code. */
static void put_lengths(bitw *b, const uint8_t *len, int n)
{
	static const uint8_t order[19] = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t *tok = wy_xmalloc((size_t)n), *extra = wy_xmalloc((size_t)n);
	int nt = 0;
	for (int i = 0; i < n;) {
		int v = len[i], r = 1;
		while (i + r < n && len[i + r] == v)
			r++;
		i += r;
		if (v == 0) {
			while (r >= 11) {
				int t = r > 138 ? 138 : r;
				tok[nt] = 18;
				extra[nt++] = (uint8_t)(t - 11);
				r -= t;
			}
			if (r >= 3) {
				tok[nt] = 17;
				extra[nt++] = (uint8_t)(r - 3);
				r = 0;
			}
		} else {
			tok[nt++] = (uint8_t)v; /* then repeats of it: code 16 */
			r--;
			while (r >= 3) {
				int t = r > 6 ? 6 : r;
				tok[nt] = 16;
				extra[nt++] = (uint8_t)(t - 3);
				r -= t;
			}
		}
		while (r-- > 0)
			tok[nt++] = (uint8_t)v;
	}
	uint32_t count[19] = {0};
	for (int i = 0; i < nt; i++)
		count[tok[i]]++;
	hcode cl;
	int used = 0;
	for (int i = 0; i < 19; i++)
		used += count[i] != 0;
	build_lengths(count, 19, 7, cl.len);
	assign_codes(&cl, 19);
	cl.zero = used == 1;
	int num = 19;
	while (num > 4 && cl.len[order[num - 1]] == 0)
		num--;
	put(b, 0, 1); /* a normal code */
	put(b, (uint32_t)(num - 4), 4);
	for (int i = 0; i < num; i++)
		put(b, cl.len[order[i]], 3);
	put(b, 0, 1); /* lengths for every symbol of the alphabet */
	for (int i = 0; i < nt; i++) {
		put_sym(b, &cl, tok[i]);
		if (tok[i] >= 16)
			put(b, extra[i], tok[i] == 16 ? 2 : tok[i] == 17 ? 3 : 7);
	}
	free(tok);
	free(extra);
}

/* Choose and write a prefix code for the counts of an n-symbol alphabet:
 * the "simple" form when at most two symbols below 256 occur. */
static void put_code(bitw *b, hcode *h, const uint32_t *count, int n)
{
	int m = 0, s[2] = {0, 0};
	for (int i = 0; i < n; i++)
		if (count[i]) {
			if (m < 2)
				s[m] = i;
			m++;
		}
	memset(h->len, 0, sizeof h->len);
	if (m <= 2 && s[0] < 256 && s[1] < 256) {
		put(b, 1, 1);
		put(b, m == 2, 1);
		if (s[0] < 2) {
			put(b, 0, 1);
			put(b, (uint32_t)s[0], 1);
		} else {
			put(b, 1, 1);
			put(b, (uint32_t)s[0], 8);
		}
		if (m == 2)
			put(b, (uint32_t)s[1], 8);
		h->zero = m < 2;
		h->len[s[0]] = h->len[s[1]] = 1;
		h->code[s[0]] = 0;
		h->code[s[1]] = 1;
		return;
	}
	build_lengths(count, n, 15, h->len);
	assign_codes(h, n);
	h->zero = m == 1;
	put_lengths(b, h->len, n);
}

/* Length and distance values as a prefix symbol and extra bits. */
static void prefix(unsigned v, int *sym, int *nextra, unsigned *extra)
{
	unsigned d = v - 1;
	if (d < 4) {
		*sym = (int)d;
		*nextra = 0;
		*extra = 0;
		return;
	}
	int hb = 31 - __builtin_clz(d);
	*nextra = hb - 1;
	*sym = 2 * hb + (int)((d >> (hb - 1)) & 1u);
	*extra = d & ((1u << *nextra) - 1u);
}

/* One token of the packed image: a literal green value v, or a backward
 * reference of len pixels at distance code v (1: above, 2: left). */
typedef struct tok {
	uint16_t len; /* 0: literal */
	uint8_t v;    /* literal value, or distance code */
} tok;

/* Tokens for the packed image, greedily. Returns their count. */
static size_t tokenize(const uint8_t *pk, size_t pw, size_t npx, tok *t)
{
	size_t nt = 0;
	for (size_t i = 0; i < npx;) {
		size_t max = npx - i < MAX_LEN ? npx - i : MAX_LEN, la = 0, ll = 0;
		if (i >= pw)
			while (la < max && pk[i + la] == pk[i + la - pw])
				la++;
		if (i >= 1)
			while (ll < max && pk[i + ll] == pk[i - 1])
				ll++;
		if (la >= 3 && la >= ll) {
			t[nt++] = (tok){(uint16_t)la, 1};
			i += la;
		} else if (ll >= 3) {
			t[nt++] = (tok){(uint16_t)ll, 2};
			i += ll;
		} else {
			t[nt++] = (tok){0, pk[i]};
			i++;
		}
	}
	return nt;
}

/* Write an image of n ARGB literals with codes of its own (a sub-image:
 * no meta codes). */
static void put_literals(bitw *b, const uint32_t *px, int n)
{
	uint32_t count[5][N_GREEN];
	memset(count, 0, sizeof count);
	for (int i = 0; i < n; i++) {
		count[0][(px[i] >> 8) & 0xff]++;
		count[1][(px[i] >> 16) & 0xff]++;
		count[2][px[i] & 0xff]++;
		count[3][px[i] >> 24]++;
	}
	hcode *h = wy_xmalloc(5 * sizeof *h);
	put(b, 0, 1); /* no colour cache */
	put_code(b, &h[0], count[0], N_GREEN);
	put_code(b, &h[1], count[1], N_CHAN);
	put_code(b, &h[2], count[2], N_CHAN);
	put_code(b, &h[3], count[3], N_CHAN);
	put_code(b, &h[4], count[4], N_DIST);
	for (int i = 0; i < n; i++) {
		put_sym(b, &h[0], (int)((px[i] >> 8) & 0xff));
		put_sym(b, &h[1], (int)((px[i] >> 16) & 0xff));
		put_sym(b, &h[2], (int)(px[i] & 0xff));
		put_sym(b, &h[3], (int)(px[i] >> 24));
	}
	free(h);
}

/* Write the packed image's tokens: green carries the pixels, red and blue
 * are 0, alpha 255 (each one symbol, no bits). */
static void put_tokens(bitw *b, const tok *t, size_t nt)
{
	uint32_t *count = wy_xmalloc(5 * N_GREEN * sizeof *count);
	memset(count, 0, 5 * N_GREEN * sizeof *count);
	uint32_t *green = count, *red = count + N_GREEN, *blue = red + N_GREEN, *alpha = blue + N_GREEN,
		 *dist = alpha + N_GREEN;
	int sym, ne;
	unsigned ex;
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].len) {
			green[t[i].v]++;
			red[0]++;
			blue[0]++;
			alpha[255]++;
			continue;
		}
		prefix(t[i].len, &sym, &ne, &ex);
		green[256 + sym]++;
		prefix(t[i].v, &sym, &ne, &ex);
		dist[sym]++;
	}
	hcode *h = wy_xmalloc(5 * sizeof *h);
	put(b, 0, 1); /* no colour cache */
	put(b, 0, 1); /* one set of codes for the whole image */
	put_code(b, &h[0], green, N_GREEN);
	put_code(b, &h[1], red, N_CHAN);
	put_code(b, &h[2], blue, N_CHAN);
	put_code(b, &h[3], alpha, N_CHAN);
	put_code(b, &h[4], dist, N_DIST);
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].len) {
			put_sym(b, &h[0], t[i].v);
			put_sym(b, &h[1], 0);
			put_sym(b, &h[2], 0);
			put_sym(b, &h[3], 255);
			continue;
		}
		prefix(t[i].len, &sym, &ne, &ex);
		put_sym(b, &h[0], 256 + sym);
		put(b, ex, ne);
		prefix(t[i].v, &sym, &ne, &ex);
		put_sym(b, &h[4], sym);
		put(b, ex, ne);
	}
	free(h);
	free(count);
}

bool wy_gray_is_text(const unsigned char *gray, int w, int h, int stride)
{
	/* one comparison a pixel, no table: the compiler vectorises it (a
	 * histogram of a white page increments one counter 2 million times
	 * in a row, which costs as much as encoding it) */
	uint64_t mid = 0;
	for (int y = 0; y < h; y++) {
		const unsigned char *r = gray + (size_t)y * (size_t)stride;
		uint32_t row = 0;
		for (int x = 0; x < w; x++)
			row += (uint8_t)(r[x] - WY_TEXT_DARK) <= WY_TEXT_LIGHT - WY_TEXT_DARK;
		mid += row;
	}
	return mid * WY_TEXT_MIDTONES_DIV <= (uint64_t)w * (uint64_t)h;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int wy_webp_gray_text(const unsigned char *gray, int w, int h, int stride, wy_buf *out)
{
	/* the levels used, and each gray value's index in the palette */
	uint8_t level[256], idx[WY_TEXT_LEVELS];
	bool used[WY_TEXT_LEVELS] = {0};
	for (int v = 0; v < 256; v++)
		level[v] = (uint8_t)((v * (WY_TEXT_LEVELS - 1) + 127) / 255);
	for (int y = 0; y < h; y++) {
		const unsigned char *r = gray + (size_t)y * (size_t)stride;
		for (int x = 0; x < w; x++)
			used[level[r[x]]] = true;
	}
	uint32_t palette[WY_TEXT_LEVELS];
	int ncolors = 0;
	for (int q = 0; q < WY_TEXT_LEVELS; q++)
		if (used[q]) {
			uint32_t g = (uint32_t)(q * 255 / (WY_TEXT_LEVELS - 1));
			palette[ncolors] = 0xff000000u | g * 0x010101u;
			idx[q] = (uint8_t)ncolors++;
		}
	int xbits = ncolors <= 2 ? 3 : ncolors <= 4 ? 2 : ncolors <= 16 ? 1 : 0;
	int bpp = 8 >> xbits;
	size_t pw = ((size_t)w + (1u << xbits) - 1) >> xbits, npx = pw * (size_t)h;
	uint8_t *pk = wy_xmalloc(npx);
	memset(pk, 0, npx);
	for (int y = 0; y < h; y++) {
		const unsigned char *r = gray + (size_t)y * (size_t)stride;
		uint8_t *d = pk + (size_t)y * pw;
		for (int x = 0; x < w; x++)
			d[x >> xbits] |= (uint8_t)(idx[level[r[x]]] << ((x & ((1 << xbits) - 1)) * bpp));
	}
	tok *t = wy_xmalloc(npx * sizeof *t);
	size_t nt = tokenize(pk, pw, npx, t);
	free(pk);

	bitw b = {0};
	put(&b, 0x2f, 8); /* VP8L signature */
	put(&b, (uint32_t)(w - 1), 14);
	put(&b, (uint32_t)(h - 1), 14);
	put(&b, 0, 1); /* no alpha */
	put(&b, 0, 3); /* version */
	put(&b, 1, 1); /* a transform: */
	put(&b, 3, 2); /* colour indexing */
	put(&b, (uint32_t)(ncolors - 1), 8);
	for (int i = ncolors - 1; i > 0; i--) { /* the palette is coded as deltas */
		uint32_t d = 0;
		for (int c = 0; c < 32; c += 8)
			d |= (((palette[i] >> c) - (palette[i - 1] >> c)) & 0xffu) << c;
		palette[i] = d;
	}
	put_literals(&b, palette, ncolors);
	put(&b, 0, 1); /* no more transforms */
	put_tokens(&b, t, nt);
	free(t);
	put(&b, 0, 7); /* flush the last bits */

	uint8_t head[20];
	size_t size = b.len, pad = size & 1;
	memcpy(head, "RIFF", 4);
	le32(head + 4, (uint32_t)(4 + 8 + size + pad));
	memcpy(head + 8, "WEBPVP8L", 8);
	le32(head + 16, (uint32_t)size);
	int rc = wy_buf_append(out, head, sizeof head);
	if (!rc)
		rc = wy_buf_append(out, b.p, size);
	if (!rc && pad)
		rc = wy_buf_append(out, "", 1);
	free(b.p);
	return rc;
}

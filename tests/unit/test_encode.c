/* The lossless writer of gray text pages (convert/encode.h): what libwebp's
 * own decoder (the one browsers use) makes of its files, for images of every
 * shape it must handle, and which pages it is for. */
#include "convert/encode.h"
#include "core/util.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <webp/decode.h>

/* The gray value a pixel shows after quantising to WY_TEXT_LEVELS. */
static int quantised(int v)
{
	int q = (v * (WY_TEXT_LEVELS - 1) + 127) / 255;
	return q * 255 / (WY_TEXT_LEVELS - 1);
}

/* Encode, decode with libwebp, and count the pixels that differ from the
 * quantised image (-1: libwebp refused the file or got another size). */
static long round_trip(const unsigned char *g, int w, int h, int stride, size_t *bytes)
{
	wy_buf out;
	wy_buf_init(&out, 0);
	if (wy_webp_gray_text(g, w, h, stride, &out) != WY_OK)
		return -1;
	*bytes = out.len;
	int dw = 0, dh = 0;
	uint8_t *rgb = WebPDecodeRGB((const uint8_t *)out.data, out.len, &dw, &dh);
	long bad = rgb && dw == w && dh == h ? 0 : -1;
	for (int y = 0; bad >= 0 && y < h; y++)
		for (int x = 0; x < w; x++) {
			const uint8_t *p = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
			int want = quantised(g[(size_t)y * (size_t)stride + (size_t)x]);
			bad += p[0] != want || p[1] != want || p[2] != want;
		}
	WebPFree(rgb);
	wy_buf_free(&out);
	return bad;
}

/* A page of "text": white paper with dark strokes whose edges are
 * anti-aliased (a few levels between), in rows of lines. */
static unsigned char *text_page(int w, int h)
{
	unsigned char *g = wy_xmalloc((size_t)w * (size_t)h);
	memset(g, 255, (size_t)w * (size_t)h);
	unsigned seed = 7;
	for (int line = 40; line + 30 < h; line += 48)
		for (int x = 60; x + 20 < w - 60; x += 22) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 5 == 0)
				continue; /* a space */
			int sw = 3 + (int)((seed >> 20) % 12);
			for (int y = line; y < line + 28; y++)
				for (int k = 0; k < sw; k++) {
					int v = k == 0 || k == sw - 1 ? 128 + (int)((seed >> 8) % 100) : 10;
					g[(size_t)y * (size_t)w + (size_t)(x + k)] = (unsigned char)v;
				}
		}
	return g;
}

TEST(pages_decode_to_the_quantised_page)
{
	int w = 1240, h = 1754;
	unsigned char *g = text_page(w, h);
	size_t bytes = 0;
	ASSERT_EQ(round_trip(g, w, h, w, &bytes), 0);
	/* a page of text packs well below a byte a pixel */
	ASSERT(bytes > 0 && bytes < (size_t)w * (size_t)h / 8);
	free(g);
}

TEST(every_shape_and_palette_round_trips)
{
	static const int sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 3}, {7, 5}, {17, 13}, {333, 77}, {1240, 40}};
	/* the number of gray levels used: 1 and 2 pack eight pixels a byte,
	 * 3-4 four, 5-16 two; 256 inputs quantise to all 16 levels */
	static const int levels[] = {1, 2, 3, 4, 5, 16, 256};
	unsigned seed = 1;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++)
			for (int pattern = 0; pattern < 3; pattern++) {
				int w = sizes[s][0], h = sizes[s][1], stride = w + 3;
				unsigned char *g = wy_xmalloc((size_t)stride * (size_t)h);
				for (int y = 0; y < h; y++)
					for (int x = 0; x < stride; x++) {
						seed = seed * 1103515245u + 12345u;
						int k = pattern == 0   ? (int)((seed >> 16) % (unsigned)levels[l])
							: pattern == 1 ? (x / 5 + y / 3) % levels[l]
								       : (y % 4 ? 0 : x % levels[l]);
						g[(size_t)y * (size_t)stride + (size_t)x] =
							(unsigned char)(levels[l] == 1 ? 200 : k * 255 / (levels[l] - 1));
					}
				size_t bytes;
				long bad = round_trip(g, w, h, stride, &bytes);
				if (bad != 0)
					printf("  %dx%d, %d levels, pattern %d: %ld\n", w, h, levels[l], pattern, bad);
				ASSERT_EQ(bad, 0);
				free(g);
			}
}

TEST(long_runs_and_blank_pages)
{
	/* runs far past the longest backward reference (4096 pixels) */
	int w = 1240, h = 300;
	unsigned char *g = wy_xmalloc((size_t)w * (size_t)h);
	memset(g, 255, (size_t)w * (size_t)h);
	size_t blank = 0, dot = 0;
	ASSERT_EQ(round_trip(g, w, h, w, &blank), 0);
	ASSERT(blank < 200);
	g[150 * w + 600] = 0;
	ASSERT_EQ(round_trip(g, w, h, w, &dot), 0);
	free(g);
}

TEST(text_is_text_and_a_photograph_is_not)
{
	int w = 600, h = 800;
	unsigned char *g = text_page(w, h);
	ASSERT(wy_gray_is_text(g, w, h, w));
	/* a smooth gradient (a gray photograph, a scan's paper) would band */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			g[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(x * 255 / (w - 1));
	ASSERT(!wy_gray_is_text(g, w, h, w));
	/* a third of the page a gray picture: not text either */
	free(g);
	g = text_page(w, h);
	for (int y = 0; y < h / 3; y++)
		for (int x = 0; x < w; x++)
			g[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(64 + (x + y) % 128);
	ASSERT(!wy_gray_is_text(g, w, h, w));
	free(g);
}

TEST_LIST(T(pages_decode_to_the_quantised_page), T(every_shape_and_palette_round_trips), T(long_runs_and_blank_pages),
	  T(text_is_text_and_a_photograph_is_not))

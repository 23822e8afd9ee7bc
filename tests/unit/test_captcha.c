/* The captcha's drawing (src/web/captcha_draw.c) and its rows in the
 * store (src/store/sqlite_captcha.c): every image is a well-formed PNG of
 * the size promised whose pixels are not all one grey, answers use the
 * alphabet only, answers differ; a captcha is taken once, not after it
 * expired; expired rows are swept. Prints the milliseconds an image
 * takes (measured, never judged: no threshold). */
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "web/captcha.h"

#include <stdint.h>
#include <time.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check png as a PNG reader would: signature, chunks with right CRCs,
 * IHDR first (w x h, 8-bit grey), IDAT inflating to h rows of 1 + w
 * bytes, IEND last. The number of distinct greys in *greys. */
static int png_ok(const unsigned char *png, size_t n, uint32_t w, uint32_t h, int *greys)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (n < 8 || memcmp(png, sig, 8) != 0)
		return 0;
	size_t p = 8;
	int seen_ihdr = 0, seen_end = 0;
	unsigned char *z = NULL;
	size_t zn = 0;
	while (p + 12 <= n && !seen_end) {
		uint32_t len = be32(png + p);
		if (p + 12 + len > n)
			return 0;
		const unsigned char *type = png + p + 4, *data = png + p + 8;
		if ((uint32_t)crc32(0L, type, len + 4) != be32(data + len))
			return 0;
		if (!seen_ihdr) {
			if (memcmp(type, "IHDR", 4) || len != 13 || be32(data) != w || be32(data + 4) != h || data[8] != 8 ||
			    data[9] != 0)
				return 0;
			seen_ihdr = 1;
		} else if (!memcmp(type, "IDAT", 4)) {
			z = realloc(z, zn + len);
			memcpy(z + zn, data, len);
			zn += len;
		} else if (!memcmp(type, "IEND", 4)) {
			seen_end = 1;
		}
		p += 12 + len;
	}
	uLongf rn = (uLongf)(w + 1) * h;
	unsigned char *raw = malloc(rn + 1);
	int ok = seen_end && p == n && z && uncompress(raw, &rn, z, (uLong)zn) == Z_OK && rn == (uLongf)(w + 1) * h;
	int seen[256] = {0};
	*greys = 0;
	for (uint32_t y = 0; ok && y < h; y++) {
		ok = raw[y * (w + 1)] == 0; /* filter none */
		for (uint32_t x = 0; ok && x < w; x++)
			if (!seen[raw[y * (w + 1) + 1 + x]]++)
				(*greys)++;
	}
	free(raw);
	free(z);
	return ok;
}

static double now_ms(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

TEST(images_are_valid_pngs_of_the_alphabet)
{
	enum { N = 300 };
	char first[WEB_CAPTCHA_CHARS + 1] = "";
	int same = 0;
	size_t most = 0;
	double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
	for (int i = 0; i < N; i++) {
		char answer[WEB_CAPTCHA_CHARS + 1];
		unsigned char *png;
		size_t n;
		ASSERT_EQ(web_captcha_draw(answer, &png, &n), WY_OK);
		ASSERT_EQ(strlen(answer), WEB_CAPTCHA_CHARS);
		ASSERT_EQ(strspn(answer, web_captcha_alphabet), WEB_CAPTCHA_CHARS);
		int greys = 0;
		ASSERT(png_ok(png, n, WEB_CAPTCHA_WIDTH, WEB_CAPTCHA_HEIGHT, &greys));
		ASSERT(greys > 16); /* drawn on, shaded: not one flat grey */
		most = n > most ? n : most;
		if (i == 0)
			memcpy(first, answer, sizeof first);
		else
			same += strcmp(first, answer) == 0;
		free(png);
	}
	double ms = (now_ms(CLOCK_MONOTONIC) - t0) / N, cpu = (now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / N;
	ASSERT(same < 3); /* 21^5 answers: the first one again is rare */
	ASSERT(most < 64 * 1024);
	printf("  captcha: %.2f ms of CPU an image (%.2f ms of the clock; %d drawn), at most %zu bytes\n", cpu, ms, N,
	       most);
}

TEST(alphabet_has_no_look_alikes)
{
	for (const char *p = "0O1Il25SZ8B6G4"; *p; p++)
		ASSERT(!strchr(web_captcha_alphabet, *p));
}

TEST(store_takes_a_captcha_once_and_not_after_it_expired)
{
	wy_store *st;
	ASSERT_EQ(wy_store_open(wy_test_store_location("captcha"), &st, NULL), WY_OK);
	unsigned char ah[WY_CAPTCHA_HASH], th[WY_CAPTCHA_HASH], a2[WY_CAPTCHA_HASH], t2[WY_CAPTCHA_HASH];
	memset(ah, 1, sizeof ah);
	memset(th, 2, sizeof th);
	const char *id = "0123456789abcdef0123456789abcdef", *old = "fedcba9876543210fedcba9876543210";
	ASSERT_EQ(wy_store_captcha_add(st, id, ah, th, 3, "img", 3, 1000, 900, NULL), WY_OK);
	ASSERT_EQ(wy_store_captcha_add(st, id, ah, th, 3, "img", 3, 1000, 900, NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_captcha_add(st, old, ah, th, 1, "x", 1, 950, 900, NULL), WY_OK);
	void *img;
	size_t n;
	ASSERT_EQ(wy_store_captcha_image(st, id, 950, &img, &n, NULL), WY_OK);
	ASSERT_EQ(n, 3);
	ASSERT(memcmp(img, "img", 3) == 0);
	free(img);
	ASSERT_EQ(wy_store_captcha_image(st, id, 1001, &img, &n, NULL), WY_ENOTFOUND); /* expired */
	int form = -1;
	ASSERT_EQ(wy_store_captcha_take(st, id, 1001, a2, t2, &form, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_captcha_take(st, id, 999, a2, t2, &form, NULL), WY_OK);
	ASSERT_EQ(form, 3);
	ASSERT(memcmp(a2, ah, sizeof ah) == 0 && memcmp(t2, th, sizeof th) == 0);
	ASSERT_EQ(wy_store_captcha_take(st, id, 999, a2, t2, &form, NULL), WY_ENOTFOUND); /* used */
	ASSERT_EQ(wy_store_captcha_image(st, id, 999, &img, &n, NULL), WY_ENOTFOUND);
	/* a new one sweeps the expired: old (950) is gone at 960 */
	ASSERT_EQ(wy_store_captcha_add(st, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ah, th, 0, "y", 1, 2000, 960, NULL), WY_OK);
	ASSERT_EQ(wy_store_captcha_take(st, old, 940, a2, t2, &form, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST_LIST(T(images_are_valid_pngs_of_the_alphabet), T(alphabet_has_no_look_alikes),
	  T(store_takes_a_captcha_once_and_not_after_it_expired))

/* HTTP header parsing the server does itself (web/web_int.h): Range
 * (RFC 9110 14.1: one byte range taken, an invalid one ignored, an
 * unsatisfiable one 416), If-None-Match (13.1.2: "*" or a list of
 * entity-tags, compared weakly) and Accept-Encoding (12.5.3: gzip taken
 * unless its q is 0), with the gzip it leads to. */
#include "test.h"
#include "web/web_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIZE 100

/* web_parse_range's answer for h against a file of SIZE bytes; the range
 * when it is taken. */
static int range(const char *h, uint64_t *from, uint64_t *to)
{
	*from = *to = 12345;
	return web_parse_range(h, SIZE, from, to);
}

TEST(valid_ranges_are_taken)
{
	uint64_t a, b;
	ASSERT_EQ(range("bytes=0-9", &a, &b), 1);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(b, 9);
	ASSERT_EQ(range("bytes=90-", &a, &b), 1);
	ASSERT_EQ(a, 90);
	ASSERT_EQ(b, 99);
	ASSERT_EQ(range("bytes=-5", &a, &b), 1);
	ASSERT_EQ(a, 95);
	ASSERT_EQ(b, 99);
	ASSERT_EQ(range("bytes=-500", &a, &b), 1); /* longer than the file: all of it */
	ASSERT_EQ(a, 0);
	ASSERT_EQ(b, 99);
	ASSERT_EQ(range("bytes=10-99999999999999999999999", &a, &b), 1); /* a last byte past the end */
	ASSERT_EQ(a, 10);
	ASSERT_EQ(b, 99);
}

TEST(unsatisfiable_ranges_are_416)
{
	uint64_t a, b;
	ASSERT_EQ(range("bytes=100-", &a, &b), -1);
	ASSERT_EQ(range("bytes=100-200", &a, &b), -1);
	ASSERT_EQ(range("bytes=-0", &a, &b), -1);
	ASSERT_EQ(web_parse_range("bytes=-1", 0, &a, &b), -1); /* nothing to give */
}

/* The finding: strtoull took a sign and spaces, so "bytes=--1" was a
 * suffix of 2^64-1 bytes (206 with the whole file) and "bytes=--0" a 416.
 * Every invalid range-spec is ignored: 0, the whole file. */
TEST(invalid_ranges_are_ignored)
{
	static const char *const junk[] = {
		"bytes=--1", "bytes=-+1", "bytes=- 1", "bytes=-\t1", "bytes=--0", "bytes=-", "bytes=",
		"bytes=-1-2", "bytes=1--2", "bytes=0-+1", "bytes=0- 1", "bytes=+0-1", "bytes= 0-1", "bytes=5-2",
		"bytes=0-1,3-4", "bytes=x-y", "bytes=0-1 ", "bits=0-1", "bytes 0-1", "bytes=0x10-20",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		uint64_t a, b;
		if (range(junk[i], &a, &b) != 0)
			WY_FAIL_("\"%s\" was not ignored", junk[i]);
	}
	uint64_t a, b;
	ASSERT_EQ(range(NULL, &a, &b), 0);
}

#define TAG "\"0123abcd\""

/* The finding: "If-None-Match: *" got 200; an existing resource matches
 * it (304 on GET and HEAD). */
TEST(if_none_match_star_matches)
{
	ASSERT(web_etag_matches("*", TAG));
	ASSERT(web_etag_matches(" * ", TAG));
	ASSERT(!web_etag_matches("*, " TAG, "\"other\"")); /* "*" is the whole value or nothing */
	ASSERT(!web_etag_matches("**", TAG));
}

TEST(if_none_match_lists_compare_weakly)
{
	ASSERT(web_etag_matches(TAG, TAG));
	ASSERT(web_etag_matches("W/" TAG, TAG));
	ASSERT(web_etag_matches("\"x\", " TAG, TAG));
	ASSERT(web_etag_matches("\"x\",W/" TAG ", \"y\"", TAG));
	ASSERT(!web_etag_matches(NULL, TAG));
	ASSERT(!web_etag_matches("", TAG));
	ASSERT(!web_etag_matches("\"0123abc\"", TAG));
	ASSERT(!web_etag_matches("\"0123abcde\"", TAG));
	ASSERT(!web_etag_matches("0123abcd", TAG));   /* unquoted: malformed */
	ASSERT(!web_etag_matches("\"0123abcd", TAG)); /* unterminated */
	ASSERT(!web_etag_matches("\"x\"junk, " TAG, TAG));
}

TEST(accept_encoding_takes_gzip_unless_refused)
{
	ASSERT(web_accepts_gzip("gzip"));
	ASSERT(web_accepts_gzip("gzip, deflate, br"));
	ASSERT(web_accepts_gzip("deflate, GZIP;q=0.5"));
	ASSERT(web_accepts_gzip("x-gzip"));
	ASSERT(web_accepts_gzip("br;q=1.0, *;q=0.1"));
	ASSERT(web_accepts_gzip("gzip;q=0.001"));
	ASSERT(!web_accepts_gzip(NULL));
	ASSERT(!web_accepts_gzip(""));
	ASSERT(!web_accepts_gzip("identity"));
	ASSERT(!web_accepts_gzip("deflate, br"));
	ASSERT(!web_accepts_gzip("gzip;q=0"));
	ASSERT(!web_accepts_gzip("gzip; q=0.000"));
	ASSERT(!web_accepts_gzip("gzip;q=0, *"));      /* named and refused: the star does not bring it back */
	ASSERT(!web_accepts_gzip("*;q=0"));
	ASSERT(!web_accepts_gzip("gzipx, xgzip, gzi")); /* whole tokens only */
	ASSERT(!web_accepts_gzip(";;;,,,;q=;"));
}

TEST(gzip_round_trips_and_skips_what_does_not_pay)
{
	size_t len = 20000, zlen = 0;
	char *page = malloc(len);
	for (size_t i = 0; i < len; i++)
		page[i] = "<p>文渊把每一页都变成图片和文字。</p>\n"[i % 40];
	char *z = web_gzip(page, len, &zlen);
	ASSERT(z != NULL);
	ASSERT(zlen < len / 4);
	/* what a browser does with it: gunzip gives the page back */
	unsigned char back[20000];
	z_stream s = {0};
	ASSERT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
	s.next_in = (unsigned char *)z;
	s.avail_in = (uInt)zlen;
	s.next_out = back;
	s.avail_out = sizeof back;
	ASSERT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
	ASSERT_EQ(s.total_out, len);
	inflateEnd(&s);
	ASSERT(memcmp(back, page, len) == 0);
	free(z);
	ASSERT(web_gzip(page, 500, &zlen) == NULL); /* too small to pay */
	free(page);
}

TEST_LIST(T(valid_ranges_are_taken), T(unsatisfiable_ranges_are_416), T(invalid_ranges_are_ignored),
	  T(if_none_match_star_matches), T(if_none_match_lists_compare_weakly),
	  T(accept_encoding_takes_gzip_unless_refused), T(gzip_round_trips_and_skips_what_does_not_pay))

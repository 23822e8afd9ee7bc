/* fuzz_ofd: OFD packages (convert/ofd.c) through the whole conversion.
 *
 * The input is the file: sniffed, and when it is a ZIP with OFD.xml at its
 * root, opened by our OFD reader, every page drawn through MuPDF into a
 * page image, its text and its character boxes. The seeds are small
 * packages (text, paths, images, composite objects, templates,
 * annotations, a seal) that a mutator can break. Beyond memory safety it
 * checks what convert.h promises: a known error code, pages numbered from
 * 1, page text that is valid UTF-8, boxes exactly one per code point or
 * none. Page images are small to keep the executions fast. */
#include "fuzz.h"
#include "fuzz_iconv.h"

#include "convert/convert.h"
#include "text/boxes.h"
#include "text/utf8.h"

typedef struct seen {
	int pages;
} seen;

static int on_image(void *ctx, const void *webp, size_t len, char sha[65])
{
	(void)ctx;
	FUZZ_CHECK(webp && len > 0);
	memset(sha, 'a', 64);
	sha[64] = 0;
	return 0;
}

static int on_page(void *ctx, int page_no, const char *image_sha, int width, int height, const char *text,
		   const unsigned char *boxes, size_t boxes_len)
{
	seen *s = ctx;
	(void)image_sha;
	FUZZ_CHECK(page_no == s->pages + 1);
	FUZZ_CHECK(width > 0 && height > 0);
	FUZZ_CHECK(text != NULL);
	size_t n = strlen(text);
	FUZZ_CHECK(wy_utf8_valid(text, n));
	if (boxes_len) {
		size_t cps = 0;
		for (size_t i = 0; i < n; i++)
			cps += ((unsigned char)text[i] & 0xC0) != 0x80;
		FUZZ_CHECK(boxes && boxes_len == cps * WY_BOX_SIZE);
	}
	s->pages++;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_iconv_hold();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	o.page_width = 120;
	o.thumb_width = 40;
	o.max_pages = 4;
	o.confined = false; /* HTML stays refused: only OFD and its kin run */
	seen s = {0};
	wy_convert_sink sink = {&s, on_image, NULL, NULL, on_page, NULL, NULL, NULL, NULL, NULL};
	wy_errinfo ei = {0};
	int rc = wy_convert_buf(data, size, &o, &sink, &ei);
	FUZZ_CHECK(rc == WY_OK || rc == WY_EFORMAT || rc == WY_ECORRUPT || rc == WY_ETOOBIG || rc == WY_EPASSWORD ||
		   rc == WY_EOFFICE || rc == WY_EEMPTY || rc == WY_ENOTSUP || rc == WY_ENOMEM || rc == WY_EIO);
	if (rc == WY_OK)
		FUZZ_CHECK(s.pages >= 1);
	else
		FUZZ_CHECK(ei.msg[0] != 0);
	return 0;
}

/* fuzz_charset: charset detection and conversion to UTF-8 (text/charset.h)
 * on any bytes: what a plain-text upload goes through.
 *
 * Checks the promises of wy_charset_to_utf8: the output is valid UTF-8,
 * NUL-terminated, without CR or C0 controls other than \t \n \f; the
 * name it reports is the one detection gives, with a decoder; detection
 * that fails means WY_EFORMAT; and a cap below the output's size gives
 * WY_ETOOBIG with nothing left to free. */
#include "fuzz.h"

#include "text/charset.h"
#include "text/utf8.h"

#include "fuzz_iconv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_iconv_hold();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name = wy_charset_detect(data, size);
	if (name)
		FUZZ_CHECK(wy_charset_decoder(name) != NULL);

	wy_buf out;
	const char *cs = "unset";
	wy_errinfo ei = {0};
	int rc = wy_charset_to_utf8(data, size, 0, &out, &cs, &ei);
	FUZZ_CHECK(cs == name);
	if (!name) {
		FUZZ_CHECK(rc == WY_EFORMAT);
		FUZZ_CHECK(out.data == NULL);
		return 0;
	}
	FUZZ_CHECK(rc == WY_OK);
	FUZZ_CHECK(out.data != NULL);
	FUZZ_CHECK(out.data[out.len] == 0);
	FUZZ_CHECK(strlen(out.data) == out.len); /* no NUL inside */
	FUZZ_CHECK(wy_utf8_valid(out.data, out.len));
	/* No check that the output starts without U+FEFF: only the input's
	 * leading BOM is removed, and a second one after it (FF FE FF FE) is a
	 * character of the text, as in any other place. */
	for (size_t i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];
		FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\f');
	}

	/* the same bytes under a cap the output does not fit in (cap 0 would
	 * mean no cap) */
	if (out.len > 1) {
		wy_buf small;
		rc = wy_charset_to_utf8(data, size, out.len - 1, &small, NULL, NULL);
		FUZZ_CHECK(rc == WY_ETOOBIG);
		FUZZ_CHECK(small.data == NULL && small.len == 0);
		/* and under one it just fits in: the same output */
		rc = wy_charset_to_utf8(data, size, out.len, &small, NULL, NULL);
		FUZZ_CHECK(rc == WY_OK && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
		wy_buf_free(&small);
	}
	wy_buf_free(&out);
	return 0;
}

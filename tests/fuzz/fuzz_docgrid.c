/* fuzz_docgrid: the DOCX rewriting of convert/docgrid.h on any bytes.
 *
 * The input is tried as a package (ZIP directory, local headers, inflated
 * parts: offsets and sizes the file gives) and, split at its first NUL, as
 * a document.xml and a styles.xml; each half is also a header part. Beyond
 * memory safety: a rewritten package ends in an end-of-central-directory
 * record and is itself a package the rewriter reads; the added spacing
 * squeezes, never widens; a header loses bytes when it changes. */
#include "fuzz.h"

#include "convert/docgrid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wy_buf out, again;
	wy_buf_init(&out, 0);
	wy_buf_init(&again, 0);
	int sp = 0;
	if (!wy_docgrid_adjust_mem(data, size, &out, &sp)) {
		FUZZ_CHECK(out.len >= 22 && !memcmp(out.data + out.len - 22, "PK\x05\x06", 4));
		FUZZ_CHECK(sp <= 0);
		int rc = wy_docgrid_adjust_mem(out.data, out.len, &again, &sp);
		FUZZ_CHECK(rc == WY_OK || rc == WY_ENOTFOUND);
	} else {
		FUZZ_CHECK(out.len == 0);
	}
	wy_buf_free(&out);
	wy_buf_free(&again);

	char *text = malloc(size + 2);
	memcpy(text, data, size);
	text[size] = text[size + 1] = 0;
	const char *styles = text + strlen(text) + 1; /* the empty string when no NUL */
	char *d = NULL, *s = NULL;
	if (!wy_docgrid_adjust_xml(text, styles, &d, &s, &sp)) {
		FUZZ_CHECK(d && s && sp <= 0);
	} else {
		FUZZ_CHECK(!d && !s);
	}
	free(d);
	free(s);
	char *h = wy_docgrid_adjust_hdrftr(text);
	FUZZ_CHECK(!h || strlen(h) < strlen(text));
	free(h);
	free(text);
	return 0;
}

/* fuzz_sniff: format sniffing (convert/sniff.h) on any bytes.
 *
 * The sniffer walks ZIP central directories, inflates [Content_Types].xml
 * and mimetype entries and scans OLE2 files, all from offsets the file
 * itself gives: the first thing an upload meets. Beyond memory safety it
 * checks that the answer is consistent: a format exactly when a family, a
 * label with every format, a MIME type exactly for the MuPDF family,
 * "encrypted" only for office files, the same answer twice; and the
 * upload's first gate (wy_sniff_prefix) says on a whole file what the
 * whole sniff says, and reads any prefix safely. */
#include "fuzz.h"
#include "fuzz_iconv.h"

#include "convert/sniff.h"
#include "text/charset.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_iconv_hold();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wy_sniff s, again;
	wy_sniff_buf(data, size, &s);
	FUZZ_CHECK((s.format == NULL) == (s.family == WY_FAMILY_NONE));
	FUZZ_CHECK((s.label == NULL) == (s.format == NULL));
	FUZZ_CHECK((s.magic != NULL) == (s.family == WY_FAMILY_MUPDF));
	FUZZ_CHECK(!s.encrypted || s.family == WY_FAMILY_OFFICE);
	if (s.format)
		FUZZ_CHECK(strlen(s.format) > 0 && strlen(s.label) > 0);
	/* plain text is what charset detection accepts */
	if (s.family == WY_FAMILY_TEXT)
		FUZZ_CHECK(wy_charset_detect(data, size) != NULL);

	wy_sniff_buf(data, size, &again);
	FUZZ_CHECK(again.format == s.format && again.family == s.family && again.encrypted == s.encrypted);

	const char *what = NULL;
	bool ok = wy_sniff_prefix(data, size, true, &what);
	FUZZ_CHECK(ok == (s.family != WY_FAMILY_NONE) && what != NULL);
	size_t cut = size > 0 ? data[0] % (size + 1) : 0; /* a prefix the input chooses */
	if (size > 0 && data[0] & 1)
		cut = size / 2;
	(void)wy_sniff_prefix(data, cut, false, &what);
	FUZZ_CHECK(what != NULL);
	return 0;
}

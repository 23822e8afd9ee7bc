/* fuzz_mobi: Kindle books (convert/mobi.h) from any bytes.
 *
 * libmobi parses a Palm database, a MOBI header, EXTH records, indexes
 * and compressed text (PalmDOC LZ77, HUFF/CDIC), all from offsets and
 * counts the file gives; wy_mobi_unpack then walks what it rebuilt. The
 * MuPDF side (the in-memory EPUB) is not run here: MuPDF's EPUB reader is
 * fuzzed upstream, and it would make each input a hundred times slower.
 * Beyond memory safety it checks mobi.h's promises: only the errors it
 * names, each with a reason and an empty book; a book has an HTML part
 * first, every file a name and a MIME type, no more markup than the cap,
 * and UTF-8 title and author. */
#include "fuzz.h"

#include "convert/mobi.h"
#include "text/utf8.h"

#define CAP (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wy_book b;
	wy_errinfo ei = {0};
	int rc = wy_mobi_unpack(data, size, CAP, &b, &ei);
	FUZZ_CHECK(rc == WY_OK || rc == WY_EPASSWORD || rc == WY_ECORRUPT || rc == WY_ETOOBIG || rc == WY_ENOMEM);
	if (rc) {
		FUZZ_CHECK(ei.msg[0] != 0);
		FUZZ_CHECK(b.nfiles == 0 && b.files == NULL && b.title == NULL && b.author == NULL);
		return 0;
	}
	FUZZ_CHECK(b.nfiles > 0 && b.files[0].spine);
	size_t markup = 0;
	for (size_t i = 0; i < b.nfiles; i++) {
		const wy_book_file *f = &b.files[i];
		FUZZ_CHECK(memchr(f->name, 0, sizeof f->name) != NULL && f->name[0]);
		FUZZ_CHECK(f->media != NULL && f->data != NULL && f->len > 0);
		if (f->spine || !strncmp(f->media, "text/", 5))
			markup += f->len;
	}
	FUZZ_CHECK(markup <= CAP);
	FUZZ_CHECK(!b.title || wy_utf8_valid(b.title, strlen(b.title)));
	FUZZ_CHECK(!b.author || wy_utf8_valid(b.author, strlen(b.author)));
	wy_book_free(&b);
	return 0;
}

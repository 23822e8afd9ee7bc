/* Sniffing tests: formats from content alone, never the name; containers
 * looked into; hostile bytes never crash; and, where the shared corpus is
 * present, every real file sniffed as its manifest says. */
#include "convert/sniff.h"
#include "core/util.h"
#include "test.h"
#include "testdoc.h"

#include <stdlib.h>

static void sniff_file(const char *path, wy_sniff *out)
{
	wy_buf b;
	if (wy_file_read(path, 0, &b) != WY_OK) {
		memset(out, 0, sizeof *out);
		return;
	}
	wy_sniff_buf(b.data, b.len, out);
	wy_buf_free(&b);
}

static void sniff_zip(const char *const *entries, wy_sniff *out)
{
	char path[600];
	snprintf(path, sizeof path, "%s/x.bin", wy_test_tmpdir("sniff"));
	if (testdoc_zip(path, entries) != 0)
		abort();
	sniff_file(path, out);
}

static const char *fmt(const void *p, size_t n)
{
	wy_sniff s;
	wy_sniff_buf(p, n, &s);
	return s.format ? s.format : "none";
}

TEST(magic_bytes)
{
	ASSERT_STR_EQ(fmt("%PDF-1.7\n%...", 13), "pdf");
	ASSERT_STR_EQ(fmt("garbage\n%PDF-1.4\n", 17), "pdf"); /* junk before the header */
	ASSERT_STR_EQ(fmt("{\\rtf1\\ansi hello}", 18), "rtf");
	ASSERT_STR_EQ(fmt("<?xml version=\"1.0\"?><FictionBook xmlns=\"x\">", 44), "fb2");
	ASSERT_STR_EQ(fmt("<!DOCTYPE html><html><body>hi</body></html>", 43), "html");
	ASSERT_STR_EQ(fmt("第一行\n第二行\n", 20), "txt");
	const char *fodt = "<?xml version=\"1.0\"?>\n<office:document office:mimetype=\"application/vnd.oasis."
			   "opendocument.text\"></office:document>";
	ASSERT_STR_EQ(fmt(fodt, strlen(fodt)), "fodt");
	ASSERT_STR_EQ(fmt("plain ascii text\n", 17), "txt");
	ASSERT_STR_EQ(fmt("", 0), "none");
	/* images are one-page documents (OCR reads them) */
	ASSERT_STR_EQ(fmt("\xFF\xD8\xFF\xE0\0\x10JFIF", 10), "jpg");
	ASSERT_STR_EQ(fmt("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), "png");
	ASSERT_STR_EQ(fmt("II*\0\x08\0\0\0", 8), "tiff");
	ASSERT_STR_EQ(fmt("MM\0*\0\0\0\x08", 8), "tiff");
}

TEST(binary_is_unrecognized)
{
	unsigned char junk[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	ASSERT_STR_EQ(fmt(junk, sizeof junk), "none");
	/* an ELF binary renamed .docx is still not a document */
	unsigned char elf[256] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	ASSERT_STR_EQ(fmt(elf, sizeof elf), "none");
}

TEST(ole2_by_stream_names)
{
	unsigned char ole[2048];
	memset(ole, 0, sizeof ole);
	memcpy(ole, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	const char *names[] = {"WordDocument", "Workbook", "PowerPoint Document", "EncryptedPackage"};
	const char *expect[] = {"doc", "xls", "ppt", "ooxml"};
	for (int k = 0; k < 4; k++) {
		memset(ole + 8, 0, sizeof ole - 8);
		for (size_t i = 0; names[k][i]; i++)
			ole[1024 + 2 * i] = (unsigned char)names[k][i];
		wy_sniff s;
		wy_sniff_buf(ole, sizeof ole, &s);
		ASSERT_STR_EQ(s.format ? s.format : "none", expect[k]);
		ASSERT_EQ(s.family, WY_FAMILY_OFFICE);
		ASSERT_EQ(s.encrypted, k == 3);
	}
	memset(ole + 8, 0, sizeof ole - 8);
	ASSERT_STR_EQ(fmt(ole, sizeof ole), "none"); /* a compound file of no known kind */

	/* Word's FIB says fEncrypted; CryptoAPI names its provider. */
	for (size_t i = 0; names[0][i]; i++)
		ole[1536 + 2 * i] = (unsigned char)names[0][i];
	memcpy(ole + 512, "\xEC\xA5\xC1\x00\0\0\0\0\0\0\x00\x01", 12);
	wy_sniff s;
	wy_sniff_buf(ole, sizeof ole, &s);
	ASSERT_STR_EQ(s.format, "doc");
	ASSERT(s.encrypted);
	memcpy(ole + 512, "\xEC\xA5\xC1\x00\0\0\0\0\0\0\x00\x00", 12);
	wy_sniff_buf(ole, sizeof ole, &s);
	ASSERT(!s.encrypted);
	const char *csp = "Microsoft Enhanced Cryptographic Provider v1.0";
	for (size_t i = 0; csp[i]; i++)
		ole[1700 + 2 * i] = (unsigned char)csp[i];
	wy_sniff_buf(ole, sizeof ole, &s);
	ASSERT(s.encrypted);
}

TEST(zip_containers)
{
	wy_sniff s;
	const char *epub[] = {"mimetype", "application/epub+zip", "META-INF/container.xml", "<container/>", NULL};
	sniff_zip(epub, &s);
	ASSERT_STR_EQ(s.format, "epub");
	ASSERT_EQ(s.family, WY_FAMILY_MUPDF);

	const char *docx[] = {"[Content_Types].xml",
			      "<Types><Override ContentType=\"application/vnd.openxmlformats-officedocument."
			      "wordprocessingml.document.main+xml\"/></Types>",
			      "word/document.xml", "<w:document/>", NULL};
	sniff_zip(docx, &s);
	ASSERT_STR_EQ(s.format, "docx");
	ASSERT_EQ(s.family, WY_FAMILY_OFFICE);

	const char *docm[] = {"[Content_Types].xml",
			      "<Types><Override ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>",
			      "word/document.xml", "<w:document/>", NULL};
	sniff_zip(docm, &s);
	ASSERT_STR_EQ(s.format, "docm");

	const char *xlsx[] = {"[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>", NULL};
	sniff_zip(xlsx, &s);
	ASSERT_STR_EQ(s.format, "xlsx");

	const char *pptx[] = {"[Content_Types].xml", "<Types/>", "ppt/presentation.xml", "<p/>", NULL};
	sniff_zip(pptx, &s);
	ASSERT_STR_EQ(s.format, "pptx");

	const char *odt[] = {"mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>", NULL};
	sniff_zip(odt, &s);
	ASSERT_STR_EQ(s.format, "odt");

	const char *ods[] = {"mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>",
			     NULL};
	sniff_zip(ods, &s);
	ASSERT_STR_EQ(s.format, "ods");

	const char *cbz[] = {"001.jpg", "jpeg", "002.jpg", "jpeg", "003.png", "png", NULL};
	sniff_zip(cbz, &s);
	ASSERT_STR_EQ(s.format, "cbz");

	const char *xps[] = {"[Content_Types].xml", "<Types/>", "FixedDocumentSequence.fdseq", "<x/>", NULL};
	sniff_zip(xps, &s);
	ASSERT_STR_EQ(s.format, "xps");

	/* OFD: OFD.xml at the root (any case), MuPDF's family through ofd.c */
	const char *ofd[] = {"OFD.xml", "<ofd:OFD/>", "Doc_0/Document.xml", "<x/>", "Doc_0/Res/a.png", "png", NULL};
	sniff_zip(ofd, &s);
	ASSERT_STR_EQ(s.format, "ofd");
	ASSERT_STR_EQ(s.magic, "application/ofd");
	ASSERT(s.family == WY_FAMILY_MUPDF);
	const char *ofd_lower[] = {"ofd.xml", "<ofd:OFD/>", NULL};
	sniff_zip(ofd_lower, &s);
	ASSERT_STR_EQ(s.format, "ofd");
	const char *ofd_deep[] = {"x/OFD.xml", "<ofd:OFD/>", "a.txt", "t", NULL};
	sniff_zip(ofd_deep, &s);
	ASSERT(s.format == NULL);

	const char *other[] = {"readme.md", "hello", "src/main.c", "int main;", NULL};
	sniff_zip(other, &s);
	ASSERT(s.format == NULL);
}

TEST(truncated_and_hostile_zips_do_not_crash)
{
	const char *docx[] = {"[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>", NULL};
	char path[600];
	snprintf(path, sizeof path, "%s/x.docx", wy_test_tmpdir("sniff"));
	ASSERT_EQ(testdoc_zip(path, docx), 0);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
	/* Every prefix, and every single-byte corruption of the directory. */
	for (size_t n = 0; n <= b.len; n++) {
		wy_sniff s;
		wy_sniff_buf(b.data, n, &s);
	}
	for (size_t i = b.len > 200 ? b.len - 200 : 0; i < b.len; i++) {
		char saved = b.data[i];
		for (int v = 0; v < 256; v += 51) {
			b.data[i] = (char)v;
			wy_sniff s;
			wy_sniff_buf(b.data, b.len, &s);
		}
		b.data[i] = saved;
	}
	wy_buf_free(&b);
}

/* The manifest's format column names what the file is meant to be. */
static const char *family_of_manifest_format(const char *f)
{
	static const char *office[] = {"doc", "docx", "docm", "dotx", "xls", "xlsx", "xlsm", "xlsb", "ppt",
				       "pptx", "odt", "ods", "odp", "rtf", NULL};
	for (int i = 0; office[i]; i++)
		if (strcmp(f, office[i]) == 0)
			return "office";
	if (strcmp(f, "txt") == 0)
		return "text";
	return "mupdf";
}

TEST(corpus_files_sniff_as_their_manifest_says)
{
	const char *corpus = getenv("WY_CORPUS");
	char manifest[1024];
	snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", corpus ? corpus : "");
	wy_buf m;
	if (!corpus || wy_file_read(manifest, 0, &m) != WY_OK) {
		printf("skipped: corpus not found\n");
		return;
	}
	int checked = 0, mismatched = 0;
	char *save = NULL;
	for (char *line = strtok_r(m.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cols[9] = {0};
		int n = 0;
		for (char *p = line; n < 9; n++) {
			cols[n] = p;
			char *t = strchr(p, '\t');
			if (!t)
				break;
			*t = 0;
			p = t + 1;
		}
		if (n < 7 || strcmp(cols[0], "path") == 0)
			continue;
		const char *expectation = cols[7];
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", corpus, cols[0]);
		wy_sniff s;
		sniff_file(path, &s);
		const char *want = family_of_manifest_format(cols[1]);
		const char *got = s.family == WY_FAMILY_OFFICE ? "office"
				  : s.family == WY_FAMILY_TEXT ? "text"
				  : s.family == WY_FAMILY_MUPDF ? "mupdf"
								: "none";
		checked++;
		/* Files meant to convert must be recognised as what they are;
		 * broken and hostile ones may be anything but a crash. */
		if (strcmp(got, want) != 0 && strcmp(expectation, "reject-malformed") != 0) {
			/* An encrypted OOXML is an OLE2 file, still office. */
			printf("  mismatch: %s (%s, %s) sniffed as %s\n", cols[0], cols[1], expectation,
			       s.format ? s.format : "none");
			mismatched++;
		}
	}
	wy_buf_free(&m);
	printf("  corpus: %d files sniffed, %d mismatched\n", checked, mismatched);
	ASSERT(checked > 200);
	ASSERT_EQ(mismatched, 0);
}

/* The upload's first gate (wy_sniff_prefix) on a file's first bytes. */
static bool gate_file(const char *path, bool *whole)
{
	wy_buf b;
	if (wy_file_read(path, 0, &b) != WY_OK)
		return true;
	*whole = b.len <= WY_SNIFF_PREFIX;
	bool ok = wy_sniff_prefix(b.data, *whole ? b.len : WY_SNIFF_PREFIX, *whole, NULL);
	wy_buf_free(&b);
	return ok;
}

TEST(prefix_gate_refuses_what_is_no_document)
{
	static unsigned char buf[WY_SNIFF_PREFIX];
	const char *what;
	/* random bytes, whole or cut */
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	ASSERT(!wy_sniff_prefix(buf, sizeof buf, false, &what));
	ASSERT_STR_EQ(what, "unrecognized");
	ASSERT(!wy_sniff_prefix(buf, 5000, true, NULL));
	/* executables and archives */
	memcpy(buf, "\x7F" "ELF\2\1\1\0\0\0\0\0", 12);
	ASSERT(!wy_sniff_prefix(buf, sizeof buf, false, &what));
	ASSERT_STR_EQ(what, "executable");
	memcpy(buf, "MZ\x90\0\3\0\0\0", 8);
	ASSERT(!wy_sniff_prefix(buf, sizeof buf, false, &what));
	ASSERT_STR_EQ(what, "executable");
	memcpy(buf, "\x1F\x8B\x08\0", 4);
	ASSERT(!wy_sniff_prefix(buf, sizeof buf, false, &what));
	ASSERT_STR_EQ(what, "archive");
	/* a ZIP of programs, cut before its directory */
	char path[600];
	snprintf(path, sizeof path, "%s/p.zip", wy_test_tmpdir("sniff"));
	const char *prog[] = {"setup.exe", "MZ...", "lib/a.dll", "MZ...", "lib/b.dll", "MZ...", "readme.txt", "hi", NULL};
	ASSERT_EQ(testdoc_zip(path, prog), 0);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
	ASSERT(!wy_sniff_prefix(b.data, b.len - 22, false, &what)); /* without its end record */
	ASSERT_STR_EQ(what, "archive");
	ASSERT(!wy_sniff_prefix(b.data, b.len, true, NULL));
	wy_buf_free(&b);
}

TEST(prefix_gate_lets_documents_through)
{
	const char *pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";
	ASSERT(wy_sniff_prefix(pdf, strlen(pdf), false, NULL));
	const char *txt = "\xE6\x96\x87\xE6\xB8\x8A\xE6\x96\x87\xE5\xBA\x93\n# Markdown\n";
	ASSERT(wy_sniff_prefix(txt, strlen(txt), true, NULL));
	ASSERT(wy_sniff_prefix(txt, strlen(txt) - 1, false, NULL)); /* cut inside a character */
	ASSERT(wy_sniff_prefix("{\\rtf1\\ansi", 11, false, NULL));
	ASSERT(wy_sniff_prefix("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, false, NULL));
	/* a DOCX cut before its directory: its first entries say what it is */
	char path[600];
	snprintf(path, sizeof path, "%s/d.docx", wy_test_tmpdir("sniff"));
	const char *docx[] = {"[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>", NULL};
	ASSERT_EQ(testdoc_zip(path, docx), 0);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
	ASSERT(wy_sniff_prefix(b.data, b.len - 22, false, NULL));
	wy_buf_free(&b);
}

/* Every file of the corpus meant to convert passes the gate on its first
 * WY_SNIFF_PREFIX bytes (the full sniff decides the rest). */
TEST(prefix_gate_passes_every_corpus_document)
{
	const char *corpus = getenv("WY_CORPUS");
	char manifest[1024];
	snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", corpus ? corpus : "");
	wy_buf m;
	if (!corpus || wy_file_read(manifest, 0, &m) != WY_OK) {
		printf("skipped: corpus not found\n");
		return;
	}
	int checked = 0, refused = 0;
	char *save = NULL;
	for (char *line = strtok_r(m.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cols[9] = {0};
		int n = 0;
		for (char *p = line; n < 9; n++) {
			cols[n] = p;
			char *t = strchr(p, '\t');
			if (!t)
				break;
			*t = 0;
			p = t + 1;
		}
		if (n < 7 || strcmp(cols[0], "path") == 0 || strcmp(cols[7], "reject-malformed") == 0)
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", corpus, cols[0]);
		bool whole = false;
		checked++;
		if (!gate_file(path, &whole)) {
			printf("  refused: %s (%s, %s)\n", cols[0], cols[1], cols[7]);
			refused++;
		}
	}
	wy_buf_free(&m);
	printf("  corpus: %d files through the gate, %d refused\n", checked, refused);
	ASSERT(checked > 200);
	ASSERT_EQ(refused, 0);
}

TEST_LIST(T(magic_bytes), T(binary_is_unrecognized), T(ole2_by_stream_names), T(zip_containers),
	  T(truncated_and_hostile_zips_do_not_crash), T(corpus_files_sniff_as_their_manifest_says),
	  T(prefix_gate_refuses_what_is_no_document), T(prefix_gate_lets_documents_through),
	  T(prefix_gate_passes_every_corpus_document))

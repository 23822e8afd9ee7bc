/* sniff: format detection by content. Every read of the input is bounds
 * checked against len: the input is hostile until proven otherwise. */
#include "convert/sniff.h"
#include "text/charset.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set(wy_sniff *out, const char *format, const char *label, wy_family fam, const char *magic)
{
	out->format = format;
	out->label = label;
	out->family = fam;
	out->magic = magic;
}

/* ---- ZIP ------------------------------------------------------------ */

typedef struct zip_entry {
	const char *name;     /* points into the central directory; not NUL-terminated */
	size_t name_len;
	uint32_t local_off, csize, usize;
	uint16_t method;
} zip_entry;

typedef struct zip_dir {
	const unsigned char *base;
	size_t len;
	const unsigned char *cd; /* central directory */
	size_t cd_len;
	unsigned nentries;
} zip_dir;

static bool zip_open(const unsigned char *d, size_t len, zip_dir *z)
{
	if (len < 22)
		return false;
	/* The end record sits in the last 64 KiB + 22 bytes (comment max 65535). */
	size_t lo = len > 65557 ? len - 65557 : 0;
	for (size_t i = len - 22 + 1; i-- > lo;) {
		if (memcmp(d + i, "PK\5\6", 4) != 0)
			continue;
		uint32_t cd_size = le32(d + i + 12), cd_off = le32(d + i + 16);
		unsigned n = le16(d + i + 10);
		if ((size_t)cd_off > len || (size_t)cd_size > len - cd_off)
			continue;
		z->base = d;
		z->len = len;
		z->cd = d + cd_off;
		z->cd_len = cd_size;
		z->nentries = n;
		return true;
	}
	return false;
}

/* Iterate central directory entries; *pos starts at 0. */
static bool zip_next(const zip_dir *z, size_t *pos, zip_entry *e)
{
	if (*pos + 46 > z->cd_len)
		return false;
	const unsigned char *p = z->cd + *pos;
	if (memcmp(p, "PK\1\2", 4) != 0)
		return false;
	size_t nlen = le16(p + 28), xlen = le16(p + 30), clen = le16(p + 32);
	if (*pos + 46 + nlen + xlen + clen > z->cd_len)
		return false;
	e->method = le16(p + 10);
	e->csize = le32(p + 20);
	e->usize = le32(p + 24);
	e->local_off = le32(p + 42);
	e->name = (const char *)p + 46;
	e->name_len = nlen;
	*pos += 46 + nlen + xlen + clen;
	return true;
}

/* Some writers (seen in the wild from Chinese office suites) separate
 * directories with '\\'; Office and LibreOffice accept that, so do we. */
static bool name_eq_n(const char *name, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = name[i] == '\\' ? '/' : name[i];
		if (c != s[i])
			return false;
	}
	return true;
}

static bool name_is(const zip_entry *e, const char *s)
{
	size_t n = strlen(s);
	return e->name_len == n && name_eq_n(e->name, s, n);
}

static bool name_has_prefix(const zip_entry *e, const char *s)
{
	size_t n = strlen(s);
	return e->name_len >= n && name_eq_n(e->name, s, n);
}

static bool name_has_suffix_ci(const zip_entry *e, const char *s)
{
	size_t n = strlen(s);
	if (e->name_len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = e->name[e->name_len - n + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != s[i])
			return false;
	}
	return true;
}

/* Read an entry's bytes (stored or deflated) into out, at most cap bytes
 * (the rest is cut: sniffing only needs the start). Returns bytes read. */
static size_t zip_read(const zip_dir *z, const zip_entry *e, char *out, size_t cap)
{
	size_t off = e->local_off;
	if (off + 30 > z->len || memcmp(z->base + off, "PK\3\4", 4) != 0)
		return 0;
	size_t start = off + 30 + le16(z->base + off + 26) + le16(z->base + off + 28);
	if (start > z->len)
		return 0;
	size_t avail = z->len - start, clen = e->csize < avail ? e->csize : avail;
	if (e->method == 0) {
		size_t n = clen < cap ? clen : cap;
		memcpy(out, z->base + start, n);
		return n;
	}
	if (e->method != 8)
		return 0;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, -15) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)(uintptr_t)(z->base + start);
	zs.avail_in = (uInt)(clen > UINT32_MAX ? UINT32_MAX : clen);
	zs.next_out = (unsigned char *)out;
	zs.avail_out = (uInt)cap;
	inflate(&zs, Z_SYNC_FLUSH); /* output is capped: a bomb stops at cap */
	size_t n = cap - zs.avail_out;
	inflateEnd(&zs);
	return n;
}

static bool mem_has(const char *h, size_t n, const char *needle)
{
	return memmem(h, n, needle, strlen(needle)) != NULL;
}

static bool sniff_zip(const unsigned char *d, size_t len, wy_sniff *out)
{
	zip_dir z;
	if (!zip_open(d, len, &z))
		return false;
	zip_entry e, ctypes = {0}, mimetype = {0};
	bool has_ctypes = false, has_mimetype = false, word = false, xl = false, ppt = false, container = false,
	     fdseq = false, ofd = false;
	unsigned images = 0, files = 0;
	size_t pos = 0;
	for (unsigned i = 0; i < 100000 && zip_next(&z, &pos, &e); i++) {
		if (e.name_len && e.name[e.name_len - 1] != '/')
			files++;
		if (name_is(&e, "[Content_Types].xml"))
			ctypes = e, has_ctypes = true;
		else if (name_is(&e, "mimetype"))
			mimetype = e, has_mimetype = true;
		else if (name_has_prefix(&e, "word/"))
			word = true;
		else if (name_has_prefix(&e, "xl/"))
			xl = true;
		else if (name_has_prefix(&e, "ppt/"))
			ppt = true;
		else if (name_is(&e, "META-INF/container.xml"))
			container = true;
		else if (name_has_suffix_ci(&e, ".fdseq"))
			fdseq = true;
		else if (e.name_len == 7 && name_has_suffix_ci(&e, "ofd.xml"))
			ofd = true; /* OFD (GB/T 33190): its entry file at the root */
		if (name_has_suffix_ci(&e, ".jpg") || name_has_suffix_ci(&e, ".jpeg") ||
		    name_has_suffix_ci(&e, ".png") || name_has_suffix_ci(&e, ".gif") ||
		    name_has_suffix_ci(&e, ".webp") || name_has_suffix_ci(&e, ".bmp"))
			images++;
	}
	char buf[8192];
	if (has_mimetype) {
		size_t n = zip_read(&z, &mimetype, buf, sizeof buf - 1);
		buf[n] = 0;
		static const struct {
			const char *mime, *fmt, *label;
			wy_family fam;
		} odf[] = {
			{"application/epub+zip", "epub", "EPUB", WY_FAMILY_MUPDF},
			{"application/vnd.oasis.opendocument.text-template", "ott", "OpenDocument Text", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.text", "odt", "OpenDocument Text", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.spreadsheet-template", "ots", "OpenDocument Spreadsheet", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.spreadsheet", "ods", "OpenDocument Spreadsheet", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.presentation-template", "otp", "OpenDocument Presentation", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.presentation", "odp", "OpenDocument Presentation", WY_FAMILY_OFFICE},
			{"application/vnd.oasis.opendocument.graphics", "odg", "OpenDocument Drawing", WY_FAMILY_OFFICE},
		};
		for (size_t i = 0; i < sizeof odf / sizeof odf[0]; i++)
			if (strncmp(buf, odf[i].mime, strlen(odf[i].mime)) == 0 &&
			    (buf[strlen(odf[i].mime)] == 0 || buf[strlen(odf[i].mime)] == '\n' ||
			     buf[strlen(odf[i].mime)] == '\r')) {
				set(out, odf[i].fmt, odf[i].label, odf[i].fam,
				    odf[i].fam == WY_FAMILY_MUPDF ? "application/epub+zip" : NULL);
				return true;
			}
	}
	if (has_ctypes && (word || xl || ppt)) {
		size_t n = zip_read(&z, &ctypes, buf, sizeof buf - 1);
		buf[n] = 0;
		bool tmpl = mem_has(buf, n, "template.main+xml"), macro = mem_has(buf, n, "macroEnabled");
		if (word)
			set(out, tmpl ? (macro ? "dotm" : "dotx") : macro ? "docm" : "docx", "Word", WY_FAMILY_OFFICE, NULL);
		else if (xl)
			set(out, mem_has(buf, n, "sheet.binary.macroEnabled") ? "xlsb"
				 : tmpl ? (macro ? "xltm" : "xltx") : macro ? "xlsm" : "xlsx",
			    "Excel", WY_FAMILY_OFFICE, NULL);
		else
			set(out, tmpl ? (macro ? "potm" : "potx") : mem_has(buf, n, "slideshow.main+xml") ? "ppsx"
				 : macro ? "pptm" : "pptx",
			    "PowerPoint", WY_FAMILY_OFFICE, NULL);
		return true;
	}
	if (ofd) {
		set(out, "ofd", "OFD", WY_FAMILY_MUPDF, "application/ofd");
		return true;
	}
	if (container) {
		set(out, "epub", "EPUB", WY_FAMILY_MUPDF, "application/epub+zip");
		return true;
	}
	if (fdseq) {
		set(out, "xps", "XPS", WY_FAMILY_MUPDF, "application/oxps");
		return true;
	}
	if (images > 0 && images * 2 >= files) {
		set(out, "cbz", "Comic book", WY_FAMILY_MUPDF, "application/x-cbz");
		return true;
	}
	return false;
}

/* ---- OLE2 (compound file) -------------------------------------------- */

/* Directory entry names are UTF-16LE; looking for them anywhere in the file
 * is robust against a broken FAT and cheap next to a conversion. */
static bool has_utf16_name(const unsigned char *d, size_t len, const char *name)
{
	unsigned char pat[64];
	size_t n = strlen(name);
	if (n * 2 > sizeof pat)
		return false;
	for (size_t i = 0; i < n; i++) {
		pat[2 * i] = (unsigned char)name[i];
		pat[2 * i + 1] = 0;
	}
	return memmem(d, len, pat, n * 2) != NULL;
}

/* Word 97-2003 encryption (XOR or RC4) is a bit of the FIB, which opens
 * the WordDocument stream: find it at a sector boundary by its magic. */
static bool word_fib_encrypted(const unsigned char *d, size_t len)
{
	for (size_t off = 512; off + 12 <= len && off < (64u << 20); off += 512) {
		if (d[off] != 0xEC || d[off + 1] != 0xA5)
			continue;
		unsigned nfib = le16(d + off + 2);
		if (nfib < 0x65 || nfib > 0x200)
			continue;
		return (le16(d + off + 10) & 0x0100) != 0; /* fEncrypted */
	}
	return false;
}

static void sniff_ole(const unsigned char *d, size_t len, wy_sniff *out)
{
	if (has_utf16_name(d, len, "EncryptedPackage")) {
		/* An OOXML file wrapped by Office encryption: always password-protected. */
		set(out, "ooxml", "Office", WY_FAMILY_OFFICE, NULL);
		out->encrypted = true;
	} else if (has_utf16_name(d, len, "WordDocument")) {
		set(out, "doc", "Word", WY_FAMILY_OFFICE, NULL);
		out->encrypted = word_fib_encrypted(d, len);
	} else if (has_utf16_name(d, len, "PowerPoint Document")) {
		set(out, "ppt", "PowerPoint", WY_FAMILY_OFFICE, NULL);
	} else if (has_utf16_name(d, len, "Workbook") || has_utf16_name(d, len, "Book")) {
		set(out, "xls", "Excel", WY_FAMILY_OFFICE, NULL);
	}
	/* RC4 CryptoAPI encryption (any of the three) names its provider in the
	 * encryption header: "Microsoft Enhanced Cryptographic Provider v1.0". */
	if (out->format && has_utf16_name(d, len, "Cryptographic Provider"))
		out->encrypted = true;
}

/* ---- Kindle ----------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* A Palm database of type "BOOKMOBI" (offset 60) is a Mobipocket book;
 * early ones are PalmDOC databases ("TEXtREAd"), with or without a MOBI
 * header, which libmobi reads alike: one counts when its record 0 starts
 * with a PalmDOC compression (1 none, 2 PalmDOC, 17480 HUFF/CDIC). Record 0 (its
 * offset is the first of the record list at 78) holds the MOBI header,
 * whose file version (at 36 into it, after the 16-byte PalmDOC header) is
 * 8 for a KF8-only book: AZW3. A hybrid file (version 6 with a KF8 part)
 * is still a MOBI. */
static bool sniff_mobi(const unsigned char *d, size_t len, wy_sniff *out)
{
	if (len < 86)
		return false;
	bool bookmobi = memcmp(d + 60, "BOOKMOBI", 8) == 0;
	if (!bookmobi && memcmp(d + 60, "TEXtREAd", 8) != 0)
		return false;
	size_t r0 = be32(d + 78);
	bool header = r0 <= len && len - r0 >= 16 + 40 && memcmp(d + r0 + 16, "MOBI", 4) == 0;
	unsigned comp = r0 <= len - 2 ? (unsigned)(d[r0] << 8 | d[r0 + 1]) : 0;
	if (!bookmobi && !header && comp != 1 && comp != 2 && comp != 17480)
		return false;
	if (header && be32(d + r0 + 16 + 20) >= 8)
		set(out, "azw3", "AZW3", WY_FAMILY_MOBI, NULL);
	else
		set(out, "mobi", "MOBI", WY_FAMILY_MOBI, NULL);
	return true;
}

/* ---- XML and text ---------------------------------------------------- */

static bool starts_ci(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != s[i])
			return false;
	}
	return true;
}

void wy_sniff_buf(const void *data, size_t len, wy_sniff *out)
{
	const unsigned char *d = data;
	memset(out, 0, sizeof *out);
	if (len == 0)
		return;
	/* PDF: the header may follow some junk; readers accept it in the first KiB. */
	if (memmem(d, len < 1024 ? len : 1024, "%PDF-", 5)) {
		set(out, "pdf", "PDF", WY_FAMILY_MUPDF, "application/pdf");
		return;
	}
	/* Images are documents too: a page each (a TIFF's frames are pages),
	 * whose text OCR recognises. */
	if (len >= 3 && memcmp(d, "\xFF\xD8\xFF", 3) == 0) {
		set(out, "jpg", "JPEG image", WY_FAMILY_MUPDF, "image/jpeg");
		return;
	}
	if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1A\n", 8) == 0) {
		set(out, "png", "PNG image", WY_FAMILY_MUPDF, "image/png");
		return;
	}
	if (len >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) {
		set(out, "tiff", "TIFF image", WY_FAMILY_MUPDF, "image/tiff");
		return;
	}
	if (len >= 4 && memcmp(d, "PK\3\4", 4) == 0) {
		sniff_zip(d, len, out);
		return;
	}
	if (len >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
		sniff_ole(d, len, out);
		return;
	}
	if (sniff_mobi(d, len, out))
		return;
	if (len >= 5 && memcmp(d, "{\\rtf", 5) == 0) {
		set(out, "rtf", "Rich Text", WY_FAMILY_OFFICE, NULL);
		return;
	}
	/* Text-like formats: look at the start with leading space and BOM skipped. */
	size_t head = len < 4096 ? len : 4096, i = 0;
	if (head >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < head && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	const char *h = (const char *)d + i;
	size_t hn = head - i;
	if (starts_ci(h, hn, "<?xml") || starts_ci(h, hn, "<fictionbook") || starts_ci(h, hn, "<office:document")) {
		if (mem_has(h, hn, "<FictionBook")) {
			set(out, "fb2", "FictionBook", WY_FAMILY_MUPDF, "application/x-fictionbook");
			return;
		}
		/* XHTML: an XML declaration, then the html element. */
		if (mem_has(h, hn, "<html") || mem_has(h, hn, "<!DOCTYPE html") || mem_has(h, hn, "<!doctype html")) {
			if (!mem_has(h, hn, "<office:document") && wy_charset_detect(d, len)) {
				set(out, "xhtml", "XHTML", WY_FAMILY_MUPDF, "application/xhtml+xml");
				return;
			}
		}
		/* Flat OpenDocument: one XML file instead of a ZIP. */
		if (mem_has(h, hn, "<office:document")) {
			if (mem_has(h, hn, "opendocument.text"))
				set(out, "fodt", "OpenDocument Text", WY_FAMILY_OFFICE, NULL);
			else if (mem_has(h, hn, "opendocument.spreadsheet"))
				set(out, "fods", "OpenDocument Spreadsheet", WY_FAMILY_OFFICE, NULL);
			else if (mem_has(h, hn, "opendocument.presentation"))
				set(out, "fodp", "OpenDocument Presentation", WY_FAMILY_OFFICE, NULL);
			if (out->format)
				return;
		}
	}
	if (wy_charset_detect(d, len)) {
		if (starts_ci(h, hn, "<!doctype html") || starts_ci(h, hn, "<html"))
			set(out, "html", "HTML", WY_FAMILY_MUPDF, "text/html");
		else
			set(out, "txt", "Text", WY_FAMILY_TEXT, NULL);
	}
}

/* ---- the upload's first gate ------------------------------------------ */

/* Entry names that only documents' containers hold (OOXML, ODF, EPUB, XPS,
 * OFD, comic books), as the local headers at a ZIP's start name them. */
static bool zip_doc_name(const char *name, size_t n)
{
	static const char *const prefixes[] = {"[Content_Types].xml", "mimetype", "word/", "xl/", "ppt/",
					       "META-INF/", "_rels/", "docProps/", "Doc_", "OEBPS/", "OPS/"};
	static const char *const suffixes[] = {".xml", ".rels", ".fdseq", ".fdoc", ".xhtml", ".html", ".htm",
					       ".opf", ".ncx", ".css", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"};
	zip_entry e = {.name = name, .name_len = n};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (name_has_prefix(&e, prefixes[i]))
			return true;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (name_has_suffix_ci(&e, suffixes[i]))
			return true;
	return false;
}

/* A ZIP cut short: its directory is at the end, so walk the local headers
 * the prefix holds. No document's container starts with several entries
 * none of which is one of its own (zip_doc_name). */
static bool zip_prefix_may_be_doc(const unsigned char *d, size_t len)
{
	size_t off = 0;
	unsigned others = 0;
	while (off + 30 <= len && memcmp(d + off, "PK\3\4", 4) == 0) {
		unsigned flags = le16(d + off + 6);
		size_t csize = le32(d + off + 18), nlen = le16(d + off + 26), xlen = le16(d + off + 28);
		if (off + 30 + nlen > len)
			return true; /* its name is past the prefix: undecided */
		if (zip_doc_name((const char *)d + off + 30, nlen))
			return true;
		if (++others >= 3)
			return false;
		if ((flags & 8) && csize == 0)
			return true; /* sizes follow the data: the next entry cannot be found */
		off += 30 + nlen + xlen + csize;
	}
	return true;
}

bool wy_sniff_prefix(const void *data, size_t len, bool whole, const char **what)
{
	const unsigned char *d = data;
	const char *dummy;
	if (!what)
		what = &dummy;
	*what = "unrecognized";
	wy_sniff sn;
	wy_sniff_buf(d, len, &sn);
	if (sn.family != WY_FAMILY_NONE) {
		*what = sn.format;
		return true;
	}
	/* what commonly comes instead of a document, for the log */
	if ((len >= 4 && memcmp(d, "\x7F" "ELF", 4) == 0) || (len >= 2 && memcmp(d, "MZ", 2) == 0) ||
	    (len >= 4 && (memcmp(d, "\xCF\xFA\xED\xFE", 4) == 0 || memcmp(d, "\xCA\xFE\xBA\xBE", 4) == 0)))
		*what = "executable";
	else if ((len >= 2 && memcmp(d, "\x1F\x8B", 2) == 0) || (len >= 6 && memcmp(d, "7z\xBC\xAF\x27\x1C", 6) == 0) ||
		 (len >= 4 && memcmp(d, "Rar!", 4) == 0) || (len >= 3 && memcmp(d, "BZh", 3) == 0) ||
		 (len >= 6 && memcmp(d, "\xFD" "7zXZ\0", 6) == 0) || (len >= 4 && memcmp(d, "\x28\xB5\x2F\xFD", 4) == 0))
		*what = "archive";
	if (whole)
		return false; /* the whole file: the converter would say the same */
	if (len >= 4 && memcmp(d, "PK\3\4", 4) == 0) {
		if (zip_prefix_may_be_doc(d, len))
			return true;
		*what = "archive";
		return false;
	}
	/* a compound file's directory may lie past the prefix */
	if (len >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return true;
	return false;
}

/* sniff: what a file really is, from its bytes, never from its name.
 *
 * Looks at magic bytes and inside containers (ZIP central directory and
 * [Content_Types].xml / mimetype, OLE2 directory names) and returns a
 * format. It reads untrusted bytes, so it bounds every offset and length it
 * finds in them, and runs inside the converter's sandboxed child. */
#ifndef WY_SNIFF_H
#define WY_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

typedef enum wy_family {
	WY_FAMILY_NONE = 0,   /* unrecognized */
	WY_FAMILY_MUPDF,      /* PDF, EPUB, XPS, CBZ, FB2, OFD, JPEG, PNG, TIFF: MuPDF opens it */
	WY_FAMILY_TEXT,       /* plain text: charset detection, then layout */
	WY_FAMILY_OFFICE,     /* Word, Excel, PowerPoint, OpenDocument, RTF */
	WY_FAMILY_MOBI,       /* MOBI, AZW3: libmobi unpacks, MuPDF lays out */
} wy_family;

typedef struct wy_sniff {
	const char *format;   /* "pdf", "epub", "docx" ... (static string) or NULL */
	const char *label;    /* "PDF", "EPUB", "Word" ... for people */
	const char *magic;    /* MIME type to hand MuPDF, for the MuPDF family */
	wy_family family;
	bool encrypted;       /* an OLE2 EncryptedPackage: password-protected OOXML */
} wy_sniff;

/* Identify the len bytes at data (the whole file). Never fails: an unknown
 * file gets family WY_FAMILY_NONE and format NULL. Thread-safe. */
void wy_sniff_buf(const void *data, size_t len, wy_sniff *out);

/* How many leading bytes wy_sniff_prefix wants (a little more than the
 * text detector's sample, so that it knows the sample is not the end). */
#define WY_SNIFF_PREFIX ((64u << 10) + 16)

/* The first gate of an upload: from the first len bytes of a file (whole:
 * they are all of it), whether it may be a document wenyuan converts. It
 * says false only when it is sure it is not (an executable, an archive
 * that holds no document, random bytes): a file it lets through is still
 * sniffed whole (wy_sniff_buf) by the converter. A prefix of at least
 * WY_SNIFF_PREFIX bytes decides as well as the whole file for every format
 * but ZIP and OLE2 containers, whose directories may lie further on. *what
 * (may be NULL) names what it saw for the log ("executable", "archive",
 * "unrecognized"). Thread-safe. */
bool wy_sniff_prefix(const void *data, size_t len, bool whole, const char **what);

#endif

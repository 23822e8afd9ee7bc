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

#endif

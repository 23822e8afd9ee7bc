/* ofd: a MuPDF document handler for OFD (GB/T 33190), China's fixed-layout
 * e-document format: a ZIP of XML files (document body, pages, templates,
 * resources) and the fonts and images they name. Private to the convert
 * module: render.c opens an OFD through it, and from then on it is a
 * MuPDF document like any other (pages, display lists, structured text).
 *
 * It reads only the archive it is given: names in the package resolve
 * inside the ZIP, never on the filesystem, and a name that climbs out of
 * it (../) finds nothing. Every size and count from the package is capped;
 * a broken package fails to open with a reason (fz_throw), a broken part of
 * a page is left out. */
#ifndef WY_OFD_H
#define WY_OFD_H

#include <mupdf/fitz.h>

/* Open the OFD package read from stm (sniff.c calls a ZIP with OFD.xml at
 * its root "application/ofd"): a new document the caller drops with
 * fz_drop_document; it keeps its own reference to stm. Throws, with the
 * reason as the message, when the package is not an OFD with pages. Pages
 * load and run like any MuPDF page. */
fz_document *wy_ofd_open_document(fz_context *ctx, fz_stream *stm);

#endif

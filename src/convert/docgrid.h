/* docgrid: a copy of a DOCX whose character grid LibreOffice lays out as
 * Word does.
 *
 * Word's "line and character grid" (w:docGrid w:type="linesAndChars") with a
 * negative w:charSpace squeezes every character by the same amount so that a
 * line holds the grid's count (GB/T 9704 公文: 28 characters of 16 pt in
 * 156 mm). LibreOffice 7.4 never squeezes: a character wider than its grid
 * cell takes two cells, and the 28 characters become 14. The copy trades the
 * grid for what Word does with it: a line grid (same pitch) and a character
 * spacing in the document defaults that fits Word's count to a line.
 *
 * It reads untrusted bytes: every offset and size in the ZIP is checked, and
 * anything it does not understand (ZIP64, encryption, odd methods, no such
 * grid) leaves the document alone. It never writes to the original. */
#ifndef WY_DOCGRID_H
#define WY_DOCGRID_H

#include "core/err.h"
#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

/* If the file at in_path is a DOCX with a character grid that LibreOffice
 * would lay out differently, write the adjusted copy to out_path (created
 * with O_EXCL; an existing file there is removed first) and set *adjusted.
 * Otherwise *adjusted is false and nothing is written. WY_EIO when out_path
 * cannot be written (nothing is left there). Thread-safe. */
int wy_docgrid_adjust(const char *in_path, const char *out_path, bool *adjusted, wy_errinfo *ei);

/* The same in memory: the len bytes at data, the adjusted package
 * appended to out. WY_ENOTFOUND when there is nothing to adjust or the
 * package is not one this rewrites; out is then unchanged. */
int wy_docgrid_adjust_mem(const void *data, size_t len, wy_buf *out, int *spacing);

/* The same on XML text, for the tests: the adjusted document.xml and
 * styles.xml (caller frees both) or WY_ENOTFOUND when there is nothing to
 * adjust. *spacing gets the character spacing added, in twips. */
int wy_docgrid_adjust_xml(const char *document, const char *styles, char **document_out, char **styles_out,
			  int *spacing);

/* The same for a header or footer part: the edited text (caller frees) or
 * NULL when it has nothing to change. */
char *wy_docgrid_adjust_hdrftr(const char *xml);

#endif

/* title: the one rule for a document's title.
 *
 * The uploader's title, else the file name without its extension when it
 * says something, else the document's own (metadata) title when it is not
 * junk, else the first line of its text. "Says something" is decided by
 * one table of junk patterns (title.c) shared by file names, metadata
 * titles and first lines: `out`, `document`, `新建 Microsoft Word 文档`,
 * `Book1`, digits only, hashes, machine timestamps... Pure string work:
 * no I/O, no allocation but the result, thread-safe. */
#ifndef WY_TITLE_H
#define WY_TITLE_H

#include <stdbool.h>

/* Pick the title. Any argument may be NULL. filename may carry a path
 * (its last component counts); first_text may be the whole first page
 * (its first line that is not junk among its first 8 non-empty ones, else
 * its first non-empty line, counts). Returns a malloc'd UTF-8 string, never
 * NULL nor empty, that the caller frees. When every candidate is junk the
 * file name (even junk, it is what the uploader chose) wins, then the
 * others in order, then "untitled". */
char *wy_title_pick(const char *user_title, const char *filename, const char *meta_title, const char *first_text);

/* Whether a candidate title (already cleaned: see wy_title_clean) says
 * nothing about the document. NULL and "" are junk. */
bool wy_title_is_junk(const char *t);

/* The cleaned form of a candidate: whitespace runs folded to one space and
 * trimmed, a printer driver's "Microsoft Word - " prefix dropped, a path
 * cut to its last component and a document extension (".doc", ".pdf" ...)
 * dropped, cut to max bytes on a character boundary. Returns a malloc'd
 * string (maybe ""). */
char *wy_title_clean(const char *t, unsigned max);

#endif

/* outline: a document's outline (PDF bookmarks, the headings an office
 * document's PDF export turns into bookmarks, an EPUB's table of contents)
 * as a flat list of entries in reading order: a title, the 1-based page it
 * leads to and its depth (0: top level).
 *
 * The converter makes the list (convert/render.c), the worker carries it
 * from the sandboxed child in one record and checks it there as untrusted
 * (wy_outline_decode), the store keeps it per document. The bounds are the
 * same everywhere: at most WY_OUTLINE_MAX entries, titles of at most
 * WY_OUTLINE_TITLE_MAX bytes of UTF-8 with no control characters, depths
 * 0..WY_OUTLINE_DEPTH_MAX. Pure functions; safe from any thread. */
#ifndef WY_OUTLINE_H
#define WY_OUTLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define WY_OUTLINE_MAX 1000
#define WY_OUTLINE_TITLE_MAX 200
#define WY_OUTLINE_DEPTH_MAX 8

typedef struct wy_outline_item {
	char *title; /* UTF-8, 1..WY_OUTLINE_TITLE_MAX bytes, no control characters */
	int page;    /* 1-based */
	int depth;   /* 0..WY_OUTLINE_DEPTH_MAX */
} wy_outline_item;

typedef struct wy_outline {
	wy_outline_item *items;
	int n;
} wy_outline;

/* Clean a title in place: line breaks and tabs become spaces, control
 * characters and bidirectional marks (wy_is_hidden_control) go, invalid
 * UTF-8 ends it, white space is folded and trimmed, and it is cut to
 * WY_OUTLINE_TITLE_MAX bytes on a character boundary. s must have room
 * for a NUL at s[n]. Returns the new length (0: nothing worth showing). */
size_t wy_outline_clean_title(char *s, size_t n);

/* Append an entry, its title cleaned (a copy). Returns false, adding
 * nothing, when the list is full, the title is empty once cleaned, the
 * page is < 1 or the depth outside 0..WY_OUTLINE_DEPTH_MAX. */
bool wy_outline_add(wy_outline *o, const char *title, int page, int depth);

/* Free the entries and empty the list (a zeroed list is empty). */
void wy_outline_free(wy_outline *o);

/* The list as one record: a line "PAGE DEPTH TITLE\n" per entry. */
void wy_outline_encode(const wy_outline *o, wy_buf *out);

/* Parse a record made by wy_outline_encode, from an untrusted sender: every
 * entry must be within the bounds above, its page within 1..npages and its
 * title already clean, and there must be at most WY_OUTLINE_MAX of them.
 * WY_EINVAL (out emptied) when anything is off; out is replaced. */
int wy_outline_decode(const char *p, size_t n, int npages, wy_outline *out);

#endif

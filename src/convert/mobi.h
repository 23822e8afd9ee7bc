/* mobi: Kindle books (MOBI, AZW3/KF8) unpacked by libmobi into the files
 * of an EPUB: the book's HTML parts in reading order, its stylesheets and
 * its images, named as libmobi's rebuilt links name them (partNNNNN.html,
 * flowNNNNN.css, resourceNNNNN.jpg). render.c packs them into an in-memory
 * EPUB for MuPDF to lay out, so the book's links can only reach files of
 * the book itself. libmobi stays in mobi.c; it reads from memory
 * (fmemopen), never from the filesystem. */
#ifndef WY_MOBI_H
#define WY_MOBI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct wy_book_file {
	char name[40];         /* "part00000.html", "resource00003.jpg" */
	const char *media;     /* MIME type (static string) */
	unsigned char *data;   /* owned */
	size_t len;
	bool spine;            /* an HTML part, read in list order */
} wy_book_file;

typedef struct wy_book {
	char *title, *author;  /* UTF-8 or NULL; owned */
	wy_book_file *files;   /* owned */
	size_t nfiles;
} wy_book;

/* Load libmobi (dlopen, once per process; see mobi.c for why it is not
 * linked). wy_mobi_unpack calls it; a process that will be confined must
 * call it before (wy_convert_preload_fd does). WY_ENOTSUP with the reason
 * when the library cannot be loaded. Thread-safe. */
int wy_mobi_load(wy_errinfo *ei);

/* Unpack the len bytes at data (a MOBI or AZW3 book). The book's
 * decompressed text may hold at most max_markup bytes (a small file can
 * declare a huge text: WY_ETOOBIG). Errors, with a reason in ei:
 * WY_EPASSWORD (DRM-protected), WY_ENOTSUP (no libmobi), WY_ECORRUPT (libmobi cannot read it, or it
 * has no text), WY_ETOOBIG, WY_ENOMEM. On success the caller frees out with
 * wy_book_free; on failure out holds nothing. Thread-safe. */
int wy_mobi_unpack(const void *data, size_t len, size_t max_markup, wy_book *out, wy_errinfo *ei);

/* Free what wy_mobi_unpack gave; NULL and a zeroed book are no-ops. */
void wy_book_free(wy_book *b);

#endif

/* convert: turn one original into pages (image + text), a thumbnail and
 * metadata. This is the code that parses untrusted documents: callers run it
 * inside a sandboxed child (see sandbox.h) that can open no file at all. It
 * never touches the store, the blob store or the filesystem: the original
 * comes in as bytes, and everything it makes leaves through a sink of
 * callbacks, page by page, so a long document reports progress and a crash
 * half-way loses only that job. */
#ifndef WY_CONVERT_H
#define WY_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "text/outline.h"

typedef struct wy_convert_opts {
	int page_width;      /* px of page images */
	int thumb_width;     /* px of the thumbnail */
	int webp_quality;    /* 0..100 */
	int max_pages;       /* pages past this are not converted */
	size_t max_text;     /* bytes of plain text laid out (larger: WY_ETOOBIG) */
	size_t max_page_text;  /* bytes of text kept per page (the rest is cut) */
	size_t max_doc_text;   /* bytes of text kept per document (later pages get none) */
	size_t max_page_boxes; /* bytes of character boxes per page (more: the page gets none) */
	/* The process can open no files (wy_sandbox_confine). MuPDF's HTML,
	 * XHTML and FictionBook readers resolve a document's relative paths
	 * on the filesystem: without confinement those formats are refused. */
	bool confined;
	/* The uploaded file's name, or NULL. Formats come from bytes; the one
	 * use of the name is to read a text file named .md/.markdown as
	 * Markdown (text is text whatever its name otherwise). Borrowed. */
	const char *name_hint;
	/* Pages with no text layer (a scan, an image, text drawn as outlines)
	 * are rendered at up to 300 ppi and recognised by Tesseract (ocr.h)
	 * with these models ("chi_sim+chi_tra"; NULL: "chi_sim"). */
	bool ocr;
	const char *ocr_languages;
	/* At most ocr_batch pages are recognised (0: all); the first page
	 * left for later is told to sink->ocr_later, and it and those after
	 * it keep no text. */
	int ocr_batch;
	/* > 0: recognition only, of the pages ocr_from..ocr_to that have no
	 * text layer: no images, no thumbnail, and sink->page only for the
	 * pages recognised, with image_sha "-" and width and height 0. */
	int ocr_from, ocr_to;
	/* > 1: a conversion resumed (wy_job.resume_from): pages before this
	 * one are stored already; the pages from it on are sent, and no
	 * thumbnail (page 1's). Page count, metadata and outline as ever. */
	int first_page;
} wy_convert_opts;

/* Callbacks; a non-zero return stops the conversion with that code.
 * Arguments are borrowed for the duration of the call.
 *
 * image: keep these WebP bytes (a page image or the thumbnail) and write
 * their name, the lowercase hex SHA-256, into sha; the page and thumb
 * records that follow name the image by it.
 *
 * page: page_no runs 1..npages; text is the page's UTF-8 text (never NULL,
 * may be ""); boxes are where its characters sit (text/boxes.h): exactly
 * WY_BOX_SIZE bytes per code point of text, in order, or NULL/0 when the
 * page has none (no text, no usable page size, or more than
 * max_page_boxes). */
typedef struct wy_convert_sink {
	void *ctx;
	int (*image)(void *ctx, const void *webp, size_t len, char sha[65]);
	int (*format)(void *ctx, const char *format);
	int (*count)(void *ctx, int npages);
	int (*page)(void *ctx, int page_no, const char *image_sha, int width, int height, const char *text,
		    const unsigned char *boxes, size_t boxes_len);
	int (*thumb)(void *ctx, const char *sha);
	int (*meta)(void *ctx, const char *title, const char *author);
	/* optional: page page_no (1..) has no text layer and is being
	 * recognised, which takes seconds where a page takes milliseconds */
	int (*ocr)(void *ctx, int page_no);
	/* optional: page page_no needs recognising but the batch is full
	 * (ocr_batch): recognition is to go on from it, in another turn */
	int (*ocr_later)(void *ctx, int page_no);
	/* optional: the document's outline (bookmarks, table of contents),
	 * once, after meta and before the pages, when it has one: entries
	 * within text/outline.h's bounds, pages within 1..npages. Not called
	 * when recognising only. */
	int (*outline)(void *ctx, const wy_outline *outline);
} wy_convert_sink;

/* Defaults matching wy_config's. */
void wy_convert_opts_default(wy_convert_opts *o);

/* Convert the len bytes at data. An office document is not converted here:
 * WY_EOFFICE, with its format (after sink->format) as the message, tells the
 * caller to hand it to the office converter (office.h). A MOBI or AZW3
 * book is unpacked by libmobi (mobi.h) and laid out as an EPUB; Markdown
 * (a text file named .md) rendered by cmark (markdown.h). Errors, each with a
 * reason in ei for people: WY_EFORMAT (unrecognized),
 * WY_EPASSWORD, WY_ECORRUPT (no page could be read), WY_ETOOBIG, WY_EIO. */
int wy_convert_buf(const void *data, size_t len, const wy_convert_opts *o, const wy_convert_sink *sink,
		   wy_errinfo *ei);

/* Before the process is confined: load what converting the file open at
 * fd will need that a confined process could not open (libmobi for a
 * Kindle book, mobi.h). Errors are not reported here: wy_convert_fd
 * reports them (a library that did not load) when it gets there. */
void wy_convert_preload_fd(int fd);

/* Same, for the file open at fd (read through a private mapping; the
 * caller keeps and closes fd). */
int wy_convert_fd(int fd, const wy_convert_opts *o, const wy_convert_sink *sink, wy_errinfo *ei);

#endif

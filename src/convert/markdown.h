/* markdown: a Markdown file (CommonMark, through cmark) as a small HTML
 * document for MuPDF to lay out like plain text. Raw HTML never passes
 * (cmark's safe mode: it becomes a comment) nor do javascript:, vbscript:,
 * file: and non-image data: links (emptied). The HTML may still name
 * images by relative path: render.c lays it out inside an in-memory EPUB,
 * where such a path finds nothing. */
#ifndef WY_MARKDOWN_H
#define WY_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/util.h"

/* Whether a file name says Markdown (".md", ".markdown", any case). The
 * sniffer never sees names: a text file becomes Markdown only by this. */
bool wy_markdown_name(const char *filename);

/* Render the len bytes at data (any charset text detection accepts; at
 * most max_text bytes of UTF-8) into html, a whole UTF-8 XHTML document
 * the caller frees with wy_buf_free. Errors as wy_charset_to_utf8's (a
 * reason in ei), WY_ETOOBIG past max_text, WY_ENOMEM. */
int wy_markdown_to_html(const void *data, size_t len, size_t max_text, wy_buf *html, wy_errinfo *ei);

/* Render len bytes of UTF-8 Markdown (an article an admin wrote) into
 * html, an HTML fragment for a page's body (the caller frees it with
 * wy_buf_free), under the same rule: raw HTML becomes a comment, unsafe
 * link and image URLs are emptied. Invalid UTF-8 becomes U+FFFD.
 * WY_ENOMEM. */
int wy_markdown_fragment(const char *md, size_t len, wy_buf *html, wy_errinfo *ei);

#endif

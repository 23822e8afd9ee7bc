/* markdown: the cmark adapter (markdown.h). The only file that calls
 * cmark. Never pass CMARK_OPT_UNSAFE here: a Markdown file is an upload,
 * and its raw HTML and script links must not reach the layout. */
#include "convert/markdown.h"
#include "text/charset.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool wy_markdown_name(const char *filename)
{
	if (!filename)
		return false;
	const char *dot = strrchr(filename, '.');
	return dot && (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"));
}

int wy_markdown_to_html(const void *data, size_t len, size_t max_text, wy_buf *html, wy_errinfo *ei)
{
	wy_buf utf8;
	int rc = wy_charset_to_utf8(data, len, max_text, &utf8, NULL, ei);
	if (rc == WY_ETOOBIG)
		return wy_err_set(ei, WY_ETOOBIG, "the Markdown file is larger than %zu MB", max_text >> 20);
	if (rc)
		return rc;
	/* Safe is cmark's default since 0.29; CMARK_OPT_SAFE says so to an
	 * older one. Soft breaks stay line breaks in the source's sense: a
	 * space (CJK joins fine, MuPDF breaks lines itself). */
	char *body = cmark_markdown_to_html(utf8.data ? utf8.data : "", utf8.len, CMARK_OPT_SAFE | CMARK_OPT_NOBREAKS);
	wy_buf_free(&utf8);
	if (!body)
		return wy_err_set(ei, WY_ENOMEM, "out of memory while rendering Markdown");
	wy_buf_init(html, 0);
	wy_buf_puts(html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><style>"
			  "@page{margin:54pt 54pt}body{margin:0;font-size:11pt;line-height:1.5}"
			  "pre,code{font-family:monospace;font-size:10pt}pre{white-space:pre-wrap}"
			  "blockquote{margin-left:18pt;color:#444}img{max-width:100%}"
			  "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2pt 4pt}"
			  "</style></head><body>");
	wy_buf_puts(html, body);
	wy_buf_puts(html, "</body></html>");
	free(body);
	return WY_OK;
}

int wy_markdown_fragment(const char *md, size_t len, wy_buf *html, wy_errinfo *ei)
{
	/* soft breaks stay spaces in the source's sense (CJK text too) */
	char *body = cmark_markdown_to_html(md ? md : "", md ? len : 0,
					    CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_NOBREAKS);
	if (!body)
		return wy_err_set(ei, WY_ENOMEM, "out of memory while rendering Markdown");
	wy_buf_init(html, 0);
	int rc = wy_buf_puts(html, body);
	free(body);
	if (rc)
		wy_buf_free(html);
	return rc ? wy_err_set(ei, WY_ENOMEM, "out of memory while rendering Markdown") : WY_OK;
}

/* render: the MuPDF adapter. Opens PDF, EPUB, XPS, CBZ, FB2, HTML, OFD
 * (ofd.c) and images (and plain text laid out as HTML; Markdown and
 * MOBI/AZW3 books as an EPUB made in memory), renders each page once into
 * a display list, and from it a WebP page image, the page's text and the
 * thumbnail; a page with no text layer is drawn for OCR (ocr.h) instead.
 *
 * fz_try/fz_catch never leave this file: everything above it sees wy_err
 * codes. MuPDF's warnings about broken files go to the debug log. */
#include "convert/convert.h"
#include "convert/encode.h"
#include "convert/markdown.h"
#include "convert/mobi.h"
#include "convert/ocr.h"
#include "convert/ofd.h"
#include "convert/sniff.h"
#include "core/log.h"
#include "core/util.h"
#include "text/boxes.h"
#include "text/charset.h"
#include "text/outline.h"
#include "text/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/encode.h>

/* WebP cannot hold a side longer than this. */
#define WEBP_MAX_SIDE 16383

void wy_convert_opts_default(wy_convert_opts *o)
{
	o->page_width = 1240;
	o->thumb_width = 240;
	o->webp_quality = 75;
	o->max_pages = 5000;
	o->max_text = 32u << 20;
	o->max_page_text = 4u << 20;
	o->max_doc_text = 64u << 20;
	o->max_page_boxes = 4u << 20; /* 512K characters, far past any real page */
	o->confined = false;
	o->name_hint = NULL;
	o->ocr = true;
	o->ocr_languages = NULL;
	o->ocr_batch = 0;
	o->ocr_from = o->ocr_to = 0;
	o->first_page = 0;
}

static void on_warning(void *user, const char *msg)
{
	(void)user;
	wy_debug("mupdf.warning", "msg=\"%.200s\"", msg);
}

static void on_error(void *user, const char *msg)
{
	(void)user;
	wy_debug("mupdf.error", "msg=\"%.200s\"", msg);
}

/* Fill a picture's YUV planes from 8-bit gray: the luma range of VP8 is
 * 16..235 and a gray picture has neutral chroma. Cheaper than converting
 * RGB, and most document pages are black on white. */
static bool import_gray(WebPPicture *pic, const unsigned char *gray, int stride)
{
	if (!WebPPictureAlloc(pic))
		return false;
	for (int y = 0; y < pic->height; y++) {
		const unsigned char *src = gray + (size_t)y * (size_t)stride;
		uint8_t *dst = pic->y + (size_t)y * (size_t)pic->y_stride;
		for (int x = 0; x < pic->width; x++)
			dst[x] = (uint8_t)(16 + (219 * src[x] + 127) / 255);
	}
	int uvw = (pic->width + 1) / 2, uvh = (pic->height + 1) / 2;
	for (int y = 0; y < uvh; y++) {
		memset(pic->u + (size_t)y * (size_t)pic->uv_stride, 128, (size_t)uvw);
		memset(pic->v + (size_t)y * (size_t)pic->uv_stride, 128, (size_t)uvw);
	}
	return true;
}

/* Encode a gray (n = 1) or RGB (n = 3) image as WebP, out_w pixels wide,
 * and hand it to the sink. A gray page of text at its own size is written
 * losslessly, quantised to a few levels (encode.h): smaller than the lossy
 * page and six times faster to make. Anything else (colour, photographs,
 * the thumbnail) is lossy at method 0, the fastest effort level: at 1240 px
 * four times faster than the default, where the difference does not show. */
static int put_webp(const unsigned char *px, int n, int w, int h, int stride, int out_w, int quality,
		    const wy_convert_sink *sink, char sha[65], wy_errinfo *ei)
{
	if (n == 1 && out_w >= w && wy_gray_is_text(px, w, h, stride)) {
		wy_buf out;
		wy_buf_init(&out, 0);
		int rc = wy_webp_gray_text(px, w, h, stride, &out);
		if (rc == WY_OK)
			rc = sink->image(sink->ctx, out.data, out.len, sha);
		wy_buf_free(&out);
		return rc;
	}
	WebPConfig cfg;
	WebPPicture pic;
	WebPMemoryWriter wr;
	if (!WebPConfigInit(&cfg) || !WebPPictureInit(&pic))
		return wy_err_set(ei, WY_EIO, "libwebp version mismatch");
	cfg.quality = (float)quality;
	cfg.method = 0;
	pic.width = w;
	pic.height = h;
	pic.use_argb = 0;
	WebPMemoryWriterInit(&wr);
	pic.writer = WebPMemoryWrite;
	pic.custom_ptr = &wr;
	int rc = WY_OK, out_h = (int)((double)h * out_w / w + 0.5);
	bool ok = n == 1 ? import_gray(&pic, px, stride) : WebPPictureImportRGB(&pic, px, stride);
	/* A smaller copy (the thumbnail) is the page image scaled down, not
	 * a second rendering: that halves the work for a one-page document. */
	if (ok && out_w < w)
		ok = WebPPictureRescale(&pic, out_w, out_h > 0 ? out_h : 1);
	if (!ok || !WebPEncode(&cfg, &pic))
		rc = pic.error_code == VP8_ENC_ERROR_OUT_OF_MEMORY || pic.error_code == VP8_ENC_OK
			     ? wy_err_set(ei, WY_ENOMEM, "out of memory while encoding a page image")
			     : wy_err_set(ei, WY_EIO, "WebP encoding failed (error %d)", pic.error_code);
	else
		rc = sink->image(sink->ctx, wr.mem, wr.size, sha);
	WebPPictureFree(&pic);
	WebPMemoryWriterClear(&wr);
	return rc;
}

/* Whether anything on the page has colour (MuPDF's test device, which only
 * walks the display list). A page in doubt counts as coloured. */
static bool has_color(fz_context *ctx, fz_display_list *list)
{
	int color = 1;
	fz_device *dev = NULL;
	fz_var(dev);
	fz_try(ctx)
	{
		color = 0;
		dev = fz_new_test_device(ctx, &color, 0.02f, 0, NULL);
		fz_run_display_list(ctx, list, dev, fz_identity, fz_infinite_rect, NULL);
		fz_close_device(ctx, dev);
	}
	fz_always(ctx) fz_drop_device(ctx, dev);
	fz_catch(ctx) color = 1;
	return color != 0;
}

/* Draw a display list (NULL: nothing, a blank page) into a new white pixmap
 * in cs (gray or RGB). Returns NULL with the reason in ei when MuPDF fails. */
static fz_pixmap *draw(fz_context *ctx, fz_display_list *list, fz_colorspace *cs, fz_matrix ctm, fz_irect box,
		       wy_errinfo *ei)
{
	fz_pixmap *pix = NULL;
	fz_device *dev = NULL;
	fz_var(pix);
	fz_var(dev);
	fz_try(ctx)
	{
		pix = fz_new_pixmap_with_bbox(ctx, cs, box, NULL, 0);
		fz_clear_pixmap_with_value(ctx, pix, 255);
		if (list) {
			dev = fz_new_draw_device(ctx, ctm, pix);
			fz_run_display_list(ctx, list, dev, fz_identity, fz_infinite_rect, NULL);
			fz_close_device(ctx, dev);
		}
	}
	fz_always(ctx) fz_drop_device(ctx, dev);
	fz_catch(ctx)
	{
		fz_drop_pixmap(ctx, pix);
		wy_err_set(ei, WY_ECORRUPT, "cannot render page: %s", fz_caught_message(ctx));
		return NULL;
	}
	return pix;
}

/* Whether a page's bounds can be drawn: render_list draws a page without
 * them as a blank A4 sheet, on which no character has a place. */
static bool usable_size(fz_rect bounds)
{
	float pw = bounds.x1 - bounds.x0, ph = bounds.y1 - bounds.y0;
	return pw > 0.5f && ph > 0.5f && pw <= 1e6f && ph <= 1e6f;
}

/* Render a display list at a given width (the height follows the page's
 * aspect, capped at what WebP can hold) into a new pixmap. A page with no
 * usable size still gets an image: a blank A4 sheet. NULL on failure. */
static fz_pixmap *render_list(fz_context *ctx, fz_display_list *list, fz_rect bounds, int width, wy_errinfo *ei)
{
	fz_colorspace *cs = list && has_color(ctx, list) ? fz_device_rgb(ctx) : fz_device_gray(ctx);
	float pw = bounds.x1 - bounds.x0, ph = bounds.y1 - bounds.y0;
	if (!usable_size(bounds)) {
		pw = 595;
		ph = 842;
		list = NULL;
	}
	float scale = (float)width / pw;
	if (ph * scale > WEBP_MAX_SIDE)
		scale = WEBP_MAX_SIDE / ph;
	fz_irect box = {0, 0, (int)(pw * scale + 0.5f), (int)(ph * scale + 0.5f)};
	if (box.x1 < 1)
		box.x1 = 1;
	if (box.y1 < 1)
		box.y1 = 1;
	fz_matrix ctm = fz_pre_translate(fz_scale(scale, scale), -bounds.x0, -bounds.y0);
	return draw(ctx, list, cs, ctm, box, ei);
}

/* Encode a rendered page as WebP at out_w pixels wide (at most its own). */
static int store_pixmap(fz_context *ctx, fz_pixmap *pix, int out_w, int quality, const wy_convert_sink *sink,
			char sha[65], int *w, int *h, wy_errinfo *ei)
{
	int pw = fz_pixmap_width(ctx, pix), ph = fz_pixmap_height(ctx, pix);
	if (out_w > pw)
		out_w = pw;
	*w = out_w;
	*h = (int)((double)ph * out_w / pw + 0.5);
	return put_webp(fz_pixmap_samples(ctx, pix), fz_pixmap_components(ctx, pix), pw, ph,
			(int)fz_pixmap_stride(ctx, pix), out_w, quality, sink, sha, ei);
}

/* Render a page's display list (NULL: nothing, a blank sheet) at the page
 * width and store its image; and the thumbnail, a downscale of the same
 * render, when thumb. A page MuPDF cannot draw still gets an image, a blank
 * one, so numbering holds: then *drawn is false and why says what failed. */
static int render_and_store_page(fz_context *ctx, fz_display_list *list, fz_rect bounds, bool thumb,
				 const wy_convert_opts *o, const wy_convert_sink *sink, char sha[65], int *w, int *h,
				 bool *drawn, char *why, size_t whylen, wy_errinfo *ei)
{
	fz_pixmap *pix = render_list(ctx, list, bounds, o->page_width, ei);
	if (!pix) {
		*drawn = false;
		snprintf(why, whylen, "%s", ei->msg);
		pix = render_list(ctx, NULL, bounds, o->page_width, ei);
	}
	if (!pix)
		return WY_ENOMEM;
	int rc = store_pixmap(ctx, pix, o->page_width, o->webp_quality, sink, sha, w, h, ei);
	if (rc == WY_OK && thumb) {
		char tsha[65];
		int tw, th;
		rc = store_pixmap(ctx, pix, o->thumb_width, o->webp_quality, sink, tsha, &tw, &th, ei);
		if (rc == WY_OK)
			rc = sink->thumb(sink->ctx, tsha);
	}
	fz_drop_pixmap(ctx, pix);
	return rc;
}

/* v in 1/65535ths of the span [lo, lo + span), clamped to the page (a
 * character may stick out of it; NaN from a broken font lands on 0). */
static uint16_t unit(float v, float lo, float span)
{
	float f = (v - lo) / span * WY_BOX_UNIT;
	if (!(f > 0))
		return 0;
	if (f >= WY_BOX_UNIT)
		return WY_BOX_UNIT;
	return (uint16_t)(f + 0.5f);
}

/* Append the box of a character (its quad, in page space) to boxes, in
 * 1/65535ths of the page bounds the image shows. A character always gets
 * a non-empty box with x0 < x1 and y0 < y1: one squeezed to nothing by
 * the clamp is widened to one unit, since all zero means "no box". */
static int put_box(wy_buf *boxes, fz_quad q, fz_rect page)
{
	fz_rect r = fz_rect_from_quad(q);
	float pw = page.x1 - page.x0, ph = page.y1 - page.y0;
	wy_rect b = {unit(r.x0, page.x0, pw), unit(r.y0, page.y0, ph), unit(r.x1, page.x0, pw),
		     unit(r.y1, page.y0, ph)};
	if (b.x0 >= b.x1) {
		b.x1 = b.x0 < WY_BOX_UNIT ? (uint16_t)(b.x0 + 1) : WY_BOX_UNIT;
		b.x0 = (uint16_t)(b.x1 - 1);
	}
	if (b.y0 >= b.y1) {
		b.y1 = b.y0 < WY_BOX_UNIT ? (uint16_t)(b.y0 + 1) : WY_BOX_UNIT;
		b.y0 = (uint16_t)(b.y1 - 1);
	}
	unsigned char e[WY_BOX_SIZE];
	wy_box_put(e, &b);
	return wy_buf_append(boxes, e, sizeof e);
}

/* Append n empty boxes: characters the page text adds itself. */
static int put_empty(wy_buf *boxes, size_t n)
{
	static const unsigned char zero[WY_BOX_SIZE];
	int rc = WY_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = wy_buf_append(boxes, zero, sizeof zero);
	return rc;
}

/* Code points of valid UTF-8: the bytes that are not continuation bytes. */
static size_t count_cps(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* A printed line, trimmed, with where it ends on the page. */
typedef struct pline {
	size_t off, len;   /* into the page's line buffer */
	size_t box;        /* index of its first character's box in the line boxes */
	float x1, em;      /* right edge and font size */
	int block;
} pline;

/* Page text. MuPDF gives blocks of printed lines; what a reader (and the
 * index) needs is paragraphs. Two printed lines are one paragraph when they
 * are in one block, or when the first ran to the right edge of the text
 * and both meet in CJK text: Chinese typesetting breaks lines anywhere and
 * many producers put every line in a block of its own. Inside a paragraph
 * lines join with a space, except around CJK characters, where a space
 * would split a word ("中华\n人民" must index as 中华人民). For the same
 * reason a space after a lone CJK character is dropped when another
 * follows: a title set with wide letter spacing comes out of MuPDF as
 * "测 试 文 段" (and becomes 测试文段), while "第一章 总则" keeps its space.
 *
 * Boxes are made in lockstep with the text: every code point written to
 * out gets one box in boxes (the spaces and line breaks added here get an
 * empty one), whatever the cap of out cuts, so the n-th code point of the
 * text is always the n-th box. When the boxes pass their own cap, or the
 * page has no usable size (bounds), boxes is left empty: the page has text
 * but no boxes. Returns WY_ETOOBIG when the text was cut (what came before
 * the cut is kept), else WY_OK. */
static int page_text(fz_stext_page *sp, fz_rect bounds, wy_buf *out, wy_buf *boxes)
{
	wy_buf lines, lbox;
	wy_buf_init(&lines, out->cap);
	wy_buf_init(&lbox, boxes->cap);
	pline *pl = NULL;
	int n = 0, cap = 0, block = 0, rc = WY_OK;
	bool cut = false, bx = usable_size(bounds); /* bx: boxes still kept */
	float right = 0;
	for (fz_stext_block *b = sp->first_block; b && !cut; b = b->next, block++) {
		if (b->type != FZ_STEXT_BLOCK_TEXT)
			continue;
		for (fz_stext_line *ln = b->u.t.first_line; ln && !cut; ln = ln->next) {
			size_t start = lines.len, box = lbox.len / WY_BOX_SIZE;
			float em = 0;
			/* spaces after a lone CJK character: where they start, how
			 * many; and how many CJK characters came since a space */
			size_t sp_at = 0;
			int nsp = 0, run = 0;
			for (fz_stext_char *ch = ln->first_char; ch; ch = ch->next) {
				int cp = ch->c;
				/* controls (C1 ones a terminal runs, overrides that turn
				 * a snippet around) are no text: utf8.h's one rule */
				if (cp < 0x20 || wy_is_hidden_control((uint32_t)cp) || (cp >= 0xD800 && cp <= 0xDFFF) ||
				    cp > 0x10FFFF || cp == 0xFFFD)
					continue;
				if (cp == ' ' && lines.len == start)
					continue; /* leading space */
				bool cjk = wy_is_cjk((uint32_t)cp);
				if (nsp && cjk) {
					/* letter-spaced CJK ("测 试 文 段", a 公文's
					 * title): the spaces are layout, not words */
					lines.len = sp_at;
					lbox.len -= bx ? (size_t)nsp * WY_BOX_SIZE : 0;
					nsp = 0;
				}
				if (cp == ' ') {
					if (run == 1 && !nsp)
						sp_at = lines.len;
					nsp += run == 1 || nsp;
					run = 0;
				} else {
					nsp = 0;
					run = cjk && run >= 0 ? run + 1 : -1; /* -1: not CJK since a space */
				}
				char u[4];
				if (wy_buf_append(&lines, u, (size_t)wy_utf8_encode((uint32_t)cp, u))) {
					cut = true; /* cut here: what came before stays */
					break;
				}
				if (bx && put_box(&lbox, ch->quad, bounds))
					bx = false;
				if (ch->size > em)
					em = ch->size;
			}
			while (lines.len > start && (lines.data[lines.len - 1] == ' ')) {
				lines.len--;
				lbox.len -= bx ? WY_BOX_SIZE : 0;
			}
			if (lines.len == start)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				pl = wy_xrealloc(pl, (size_t)cap * sizeof *pl);
			}
			pl[n++] = (pline){start, lines.len - start, box, ln->bbox.x1, em > 0 ? em : 10, block};
			if (ln->bbox.x1 > right)
				right = ln->bbox.x1;
		}
	}
	for (int i = 0; i < n && !rc; i++) {
		const char *t = lines.data + pl[i].off;
		const char *sep = "";
		if (i > 0) {
			const pline *a = &pl[i - 1];
			bool cjk = wy_is_cjk(wy_utf8_last_cp(lines.data + a->off, a->len)) && wy_is_cjk(wy_utf8_first_cp(t, pl[i].len));
			bool full = a->x1 >= right - 2.5f * a->em;
			sep = "\n";
			if (a->block == pl[i].block || (cjk && full)) {
				char last = lines.data[a->off + a->len - 1];
				sep = (cjk || last == '-') ? "" : " ";
			}
		}
		/* The joined text may pass the cap the lines kept under: cut
		 * the line on a character boundary, and add no separator that
		 * nothing follows. */
		size_t seplen = strlen(sep), len = pl[i].len;
		size_t room = out->cap ? out->cap - out->len : SIZE_MAX;
		bool at_cap = seplen + len > room;
		if (at_cap) {
			cut = true;
			len = room > seplen ? wy_utf8_truncate(t, len, room - seplen) : 0;
			if (len == 0)
				break;
		}
		if ((rc = wy_buf_append(out, sep, seplen)) || (rc = wy_buf_append(out, t, len)))
			break;
		if (bx && (put_empty(boxes, seplen) ||
			   wy_buf_append(boxes, lbox.data + pl[i].box * WY_BOX_SIZE, count_cps(t, len) * WY_BOX_SIZE)))
			bx = false;
		if (at_cap)
			break;
	}
	if (!bx || rc)
		boxes->len = 0;
	free(pl);
	wy_buf_free(&lines);
	wy_buf_free(&lbox);
	return rc ? rc : cut ? WY_ETOOBIG : WY_OK;
}

/* Plain text becomes a small XHTML document that MuPDF lays out into A4
 * pages: one paragraph per line, so line structure survives and long
 * lines wrap (CJK anywhere, Latin at spaces). */
static int text_to_html(const void *data, size_t len, size_t max_text, wy_buf *html, char **first_line,
			wy_errinfo *ei)
{
	wy_buf utf8;
	const char *cs = NULL;
	int rc = wy_charset_to_utf8(data, len, max_text, &utf8, &cs, ei);
	if (rc == WY_ETOOBIG)
		return wy_err_set(ei, WY_ETOOBIG, "the text file is larger than %zu MB", max_text >> 20);
	if (rc)
		return rc;
	wy_debug("convert.charset", "charset=%s bytes=%zu", cs ? cs : "?", utf8.len);
	wy_buf_init(html, 0);
	wy_buf_puts(html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><style>"
			  "@page{margin:54pt 54pt}body{margin:0;font-size:11pt;line-height:1.5}"
			  "p{margin:0;white-space:pre-wrap}</style></head><body>");
	*first_line = NULL;
	const char *p = utf8.data ? utf8.data : "", *end = p + utf8.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (!*first_line) {
			const char *a = p, *z = le;
			while (a < z && (*a == ' ' || *a == '\t' || *a == '\f'))
				a++;
			while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
				z--;
			if (z > a)
				*first_line = wy_xstrndup(a, (size_t)(z - a));
		}
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\f'))
			q++;
		if (q == le) { /* an empty line keeps its height */
			wy_buf_puts(html, "<p><br/></p>\n");
			p = nl ? nl + 1 : end;
			continue;
		}
		wy_buf_puts(html, "<p>");
		for (const char *c = p; c < le; c++) {
			switch (*c) {
			case '<': wy_buf_puts(html, "&lt;"); break;
			case '>': wy_buf_puts(html, "&gt;"); break;
			case '&': wy_buf_puts(html, "&amp;"); break;
			case '\f': break;
			default: wy_buf_putc(html, *c);
			}
		}
		wy_buf_puts(html, "</p>\n");
		p = nl ? nl + 1 : end;
	}
	wy_buf_puts(html, "</body></html>");
	wy_buf_free(&utf8);
	return WY_OK;
}

static void lookup_meta(fz_context *ctx, fz_document *doc, const char *key, char *buf, int size)
{
	buf[0] = 0;
	fz_try(ctx)
	{
		if (fz_lookup_metadata(ctx, doc, key, buf, size) < 0)
			buf[0] = 0;
	}
	fz_catch(ctx) buf[0] = 0;
	if (!wy_utf8_valid(buf, strlen(buf)))
		buf[0] = 0;
}

static int count_pages(fz_context *ctx, fz_document *doc, wy_errinfo *ei)
{
	int n = 0;
	fz_var(n);
	fz_try(ctx) n = fz_count_pages(ctx, doc);
	fz_catch(ctx)
	{
		wy_err_set(ei, WY_ECORRUPT, "cannot read the document's pages: %s", fz_caught_message(ctx));
		return -1;
	}
	return n;
}

/* ---- the outline ------------------------------------------------------ */

/* Outline entries looked at, at most: a cycle, or a million entries
 * outside the depth kept, ends here. */
#define OUTLINE_SCAN_NODES 20000

/* The 1-based page a link's URI leads to, or 0 (external, none, or not
 * resolving to a page). */
static int uri_page(fz_context *ctx, fz_document *doc, const char *uri)
{
	int page = 0;
	fz_var(page);
	fz_try(ctx)
	{
		if (uri && !fz_is_external_link(ctx, uri)) {
			fz_location loc = fz_resolve_link(ctx, doc, uri, NULL, NULL);
			if (loc.chapter >= 0 && loc.page >= 0)
				page = fz_page_number_from_location(ctx, doc, loc) + 1;
		}
	}
	fz_catch(ctx) page = 0;
	return page > 0 ? page : 0;
}

/* The 1-based page of a location, or 0. */
static int location_page(fz_context *ctx, fz_document *doc, fz_location loc)
{
	int page = 0;
	fz_var(page);
	fz_try(ctx) page = fz_page_number_from_location(ctx, doc, loc) + 1;
	fz_catch(ctx) page = 0;
	return page > 0 ? page : 0;
}

/* The page a PDF outline item (its Dest or its action) leads to, or 0. */
static int pdf_item_page(fz_context *ctx, pdf_document *pdf, pdf_obj *item)
{
	char *uri = NULL;
	fz_var(uri);
	fz_try(ctx)
	{
		pdf_obj *dest = pdf_dict_get(ctx, item, PDF_NAME(Dest)), *action;
		if (dest)
			uri = pdf_parse_link_dest(ctx, pdf, dest);
		else if ((action = pdf_dict_get(ctx, item, PDF_NAME(A))))
			uri = pdf_parse_link_action(ctx, pdf, action, -1);
	}
	fz_catch(ctx) uri = NULL;
	int page = uri_page(ctx, (fz_document *)pdf, uri);
	fz_free(ctx, uri);
	return page;
}

/* A PDF's outline, read from its dictionaries (First, Next) here rather
 * than by fz_load_outline: MuPDF 1.21 recurses once per level of nesting
 * (100000 nested items take the stack) and drops the whole outline when
 * one item's destination names a page that does not exist. Each item is
 * marked as it is visited, so a cycle ends where it comes back. */
static void pdf_outline(fz_context *ctx, pdf_document *pdf, int npages, wy_outline *out)
{
	pdf_obj **seen = wy_xcalloc(OUTLINE_SCAN_NODES, sizeof *seen);
	int nseen = 0;
	fz_var(nseen);
	fz_try(ctx)
	{
		pdf_obj *stack[WY_OUTLINE_DEPTH_MAX + 1];
		int d = 0;
		stack[0] = pdf_dict_getp(ctx, pdf_trailer(ctx, pdf), "Root/Outlines/First");
		while (d >= 0 && out->n < WY_OUTLINE_MAX && nseen < OUTLINE_SCAN_NODES) {
			pdf_obj *item = stack[d];
			if (!pdf_is_dict(ctx, item) || pdf_mark_obj(ctx, item)) {
				d--;
				continue;
			}
			seen[nseen++] = item;
			stack[d] = pdf_dict_get(ctx, item, PDF_NAME(Next));
			int page = pdf_item_page(ctx, pdf, item);
			if (page >= 1 && page <= npages)
				wy_outline_add(out, pdf_dict_get_text_string(ctx, item, PDF_NAME(Title)), page, d);
			pdf_obj *child = pdf_dict_get(ctx, item, PDF_NAME(First));
			if (child && d < WY_OUTLINE_DEPTH_MAX)
				stack[++d] = child;
		}
	}
	fz_catch(ctx) wy_debug("convert.outline", "msg=\"%.200s\"", fz_caught_message(ctx));
	for (int i = 0; i < nseen; i++)
		pdf_unmark_obj(ctx, seen[i]);
	free(seen);
}

/* The document's outline as a flat list in reading order (text/outline.h):
 * at most WY_OUTLINE_DEPTH_MAX levels down (deeper entries are left out)
 * and OUTLINE_SCAN_NODES entries looked at; entries with no title or no
 * page within 1..npages are left out, their children are not. An outline
 * that cannot be read is no outline. */
static void load_outline(fz_context *ctx, fz_document *doc, int npages, wy_outline *out)
{
	pdf_document *pdf = pdf_specifics(ctx, doc);
	if (pdf) {
		pdf_outline(ctx, pdf, npages, out);
		return;
	}
	/* EPUB, FB2, XPS, ...: MuPDF builds these from markup it has parsed
	 * already (a table of contents' nesting is bounded by its parser) */
	fz_outline *root = NULL;
	fz_var(root);
	fz_try(ctx) root = fz_load_outline(ctx, doc);
	fz_catch(ctx)
	{
		wy_debug("convert.outline", "msg=\"%.200s\"", fz_caught_message(ctx));
		root = NULL;
	}
	fz_outline *stack[WY_OUTLINE_DEPTH_MAX + 1];
	int d = 0, seen = 0;
	stack[0] = root;
	while (d >= 0 && out->n < WY_OUTLINE_MAX && seen < OUTLINE_SCAN_NODES) {
		fz_outline *node = stack[d];
		if (!node) {
			d--;
			continue;
		}
		seen++;
		stack[d] = node->next;
		int page = node->page.chapter >= 0 && node->page.page >= 0 ? location_page(ctx, doc, node->page)
									   : uri_page(ctx, doc, node->uri);
		if (node->title && page >= 1 && page <= npages)
			wy_outline_add(out, node->title, page, d);
		if (node->down && d < WY_OUTLINE_DEPTH_MAX)
			stack[++d] = node->down;
	}
	fz_drop_outline(ctx, root);
}

/* Load page i once into a display list and its structured text. On failure
 * returns false with the reason in why; whatever was loaded is returned for
 * the caller to drop. */
typedef struct loaded {
	fz_page *page;
	fz_display_list *list;
	fz_stext_page *text;
	fz_rect bounds;
} loaded;

static bool load_page(fz_context *ctx, fz_document *doc, int i, loaded *lp, char *why, size_t cap)
{
	memset(lp, 0, sizeof *lp);
	lp->bounds = fz_empty_rect;
	fz_try(ctx)
	{
		lp->page = fz_load_page(ctx, doc, i);
		lp->bounds = fz_bound_page(ctx, lp->page);
		lp->list = fz_new_display_list_from_page(ctx, lp->page);
		fz_stext_options so;
		memset(&so, 0, sizeof so);
		so.flags = FZ_STEXT_MEDIABOX_CLIP;
		lp->text = fz_new_stext_page_from_display_list(ctx, lp->list, &so);
	}
	fz_catch(ctx)
	{
		snprintf(why, cap, "%s", fz_caught_message(ctx));
		return false;
	}
	return true;
}

static void drop_page(fz_context *ctx, loaded *lp)
{
	fz_drop_stext_page(ctx, lp->text);
	fz_drop_display_list(ctx, lp->list);
	fz_drop_page(ctx, lp->page);
}

/* Whether text holds anything but white space. */
static bool has_text(const wy_buf *text)
{
	for (size_t i = 0; i < text->len; i++)
		if (text->data[i] != ' ' && text->data[i] != '\n' && text->data[i] != '\t')
			return true;
	return false;
}

/* The resolution a page is recognised at. A scan is best read at its own
 * resolution: resampling a noisy 200 dpi scan to 300 ppi blurs its noise
 * into the strokes (measured: 0.95 of the source's bigrams found at 200
 * ppi, 0.76 at 300, 0.70 at 400). So a page whose largest image covers
 * most of it is drawn at that image's resolution, within OCR_MIN_PPI and
 * OCR_MAX_PPI (a 100 dpi fax is enlarged: Tesseract wants characters at
 * least 20 px tall); any other page at OCR_PPI. A huge page gets less, so
 * that its image stays under OCR_MAX_SIDE px a side. */
#define OCR_PPI 300
#define OCR_MIN_PPI 150
#define OCR_MAX_PPI 600
#define OCR_MAX_SIDE 7000

static int scan_ppi(fz_context *ctx, fz_display_list *list)
{
	fz_stext_page *sp = NULL;
	int ppi = OCR_PPI;
	fz_var(sp);
	fz_var(ppi);
	fz_try(ctx)
	{
		fz_stext_options so;
		memset(&so, 0, sizeof so);
		so.flags = FZ_STEXT_PRESERVE_IMAGES;
		sp = fz_new_stext_page_from_display_list(ctx, list, &so);
		fz_rect page = fz_bound_display_list(ctx, list);
		float page_area = (page.x1 - page.x0) * (page.y1 - page.y0), best = 0;
		for (fz_stext_block *b = sp->first_block; b; b = b->next) {
			if (b->type != FZ_STEXT_BLOCK_IMAGE || !b->u.i.image)
				continue;
			float bw = b->bbox.x1 - b->bbox.x0, bh = b->bbox.y1 - b->bbox.y0;
			if (bw <= 1 || bh <= 1 || bw * bh <= best || bw * bh < 0.5f * page_area)
				continue;
			best = bw * bh;
			float r = b->u.i.image->w * 72.0f / bw;
			ppi = r < OCR_MIN_PPI ? OCR_MIN_PPI : r > OCR_MAX_PPI ? OCR_MAX_PPI : (int)(r + 0.5f);
		}
	}
	fz_always(ctx) fz_drop_stext_page(ctx, sp);
	fz_catch(ctx) ppi = OCR_PPI;
	return ppi;
}

/* The OCR engine of a document: loaded at its first page without text, so
 * a document with a text layer never pays for the models. */
typedef struct ocr_state {
	wy_ocr *engine;
	bool failed;           /* the models would not load: no more tries */
	int pages;             /* pages recognised */
	int64_t ms;            /* and the time they took */
} ocr_state;

/* Recognise a page that has no text layer into text and boxes (both empty
 * on entry). A page that fails to render or recognise keeps no text; the
 * document goes on. */
static void ocr_page(fz_context *ctx, ocr_state *st, const loaded *lp, int page_no, const wy_convert_opts *o,
		     wy_buf *text, wy_buf *boxes)
{
	if (st->failed)
		return;
	wy_errinfo ei = {0};
	if (!st->engine) {
		int rc = wy_ocr_open(NULL, o->ocr_languages, &st->engine, &ei);
		if (rc) {
			st->failed = true;
			wy_warn("convert.ocr_unavailable", "msg=\"%s\"", wy_err_msg(&ei, rc));
			return;
		}
	}
	int64_t t0 = wy_now_ms();
	float pw = lp->bounds.x1 - lp->bounds.x0, ph = lp->bounds.y1 - lp->bounds.y0;
	float side = pw > ph ? pw : ph;
	int ppi = scan_ppi(ctx, lp->list);
	if (side * ppi / 72 > OCR_MAX_SIDE)
		ppi = (int)(OCR_MAX_SIDE * 72 / side);
	if (ppi < 30)
		return; /* a page the size of a wall */
	float scale = ppi / 72.0f;
	fz_irect box = {0, 0, (int)(pw * scale + 0.5f), (int)(ph * scale + 0.5f)};
	fz_matrix ctm = fz_pre_translate(fz_scale(scale, scale), -lp->bounds.x0, -lp->bounds.y0);
	fz_pixmap *pix = draw(ctx, lp->list, fz_device_gray(ctx), ctm, box, &ei);
	if (!pix) {
		wy_warn("convert.ocr_render", "page=%d msg=\"%s\"", page_no, wy_err_msg(&ei, WY_ECORRUPT));
		return;
	}
	int rc = wy_ocr_page(st->engine, fz_pixmap_samples(ctx, pix), fz_pixmap_width(ctx, pix),
			     fz_pixmap_height(ctx, pix), (int)fz_pixmap_stride(ctx, pix), ppi, text, boxes, &ei);
	fz_drop_pixmap(ctx, pix);
	if (rc && rc != WY_ETOOBIG) {
		wy_warn("convert.ocr_failed", "page=%d msg=\"%s\"", page_no, wy_err_msg(&ei, rc));
		text->len = boxes->len = 0;
		if (text->data)
			text->data[0] = 0;
	}
	int64_t ms = wy_now_ms() - t0;
	st->pages++;
	st->ms += ms;
	wy_debug("convert.ocr", "page=%d ppi=%d ms=%lld bytes=%zu", page_no, ppi, (long long)ms, text->len);
}

/* Whether a page draws anything at all: a blank page is not worth OCR. */
static bool draws_something(fz_context *ctx, fz_display_list *list)
{
	fz_rect r = fz_empty_rect;
	fz_try(ctx) r = fz_bound_display_list(ctx, list);
	fz_catch(ctx) return false;
	return !fz_is_empty_rect(r);
}

/* meta_title and meta_author, when not NULL, stand for the document's own
 * metadata (a text file's first line, a MOBI book's header). */
static int convert_doc(fz_context *ctx, fz_document *doc, const char *meta_title, const char *meta_author,
		       const wy_convert_opts *o, const wy_convert_sink *sink, wy_errinfo *ei)
{
	int rc = WY_OK;
	int npages = count_pages(ctx, doc, ei);
	if (npages < 0)
		return WY_ECORRUPT;
	if (npages == 0)
		return wy_err_set(ei, WY_ECORRUPT, "the document has no pages");
	if (npages > o->max_pages) {
		wy_warn("convert.truncate", "pages=%d max_pages=%d", npages, o->max_pages);
		npages = o->max_pages;
	}
	if (sink->count && (rc = sink->count(sink->ctx, npages)))
		return rc;

	char title[512], author[256];
	lookup_meta(ctx, doc, FZ_META_INFO_TITLE, title, sizeof title);
	lookup_meta(ctx, doc, FZ_META_INFO_AUTHOR, author, sizeof author);
	if (meta_title)
		snprintf(title, sizeof title, "%s", meta_title);
	if (meta_author)
		snprintf(author, sizeof author, "%s", meta_author);
	if (sink->meta && (rc = sink->meta(sink->ctx, title[0] ? title : NULL, author[0] ? author : NULL)))
		return rc;

	/* recognising only: the document keeps the outline it has */
	if (sink->outline && !(o->ocr && o->ocr_from > 0)) {
		wy_outline outline = {0};
		load_outline(ctx, doc, npages, &outline);
		if (outline.n)
			rc = sink->outline(sink->ctx, &outline);
		wy_outline_free(&outline);
		if (rc)
			return rc;
	}

	int bad = 0;
	size_t doc_text = 0;
	ocr_state ocr = {0};
	bool later = false;    /* the batch is full: recognition goes on in another turn */
	char first_reason[256] = "";
	/* recognition only (a batch of a long scan): its pages, no images */
	bool only = o->ocr && o->ocr_from > 0;
	int end = only && o->ocr_to < npages ? o->ocr_to : npages;
	/* a conversion resumed starts at its first page not stored */
	int start = only ? o->ocr_from - 1 : o->first_page > 1 ? o->first_page - 1 : 0;
	for (int i = start; i < end; i++) {
		loaded lp;
		char why[256] = "";
		bool ok = load_page(ctx, doc, i, &lp, why, sizeof why);
		/* Text is capped per page and per document: a small file can
		 * repeat one huge text object on every page. */
		wy_buf text, boxes;
		size_t left = o->max_doc_text > doc_text ? o->max_doc_text - doc_text : 0;
		wy_buf_init(&text, left < o->max_page_text ? left : o->max_page_text);
		wy_buf_init(&boxes, o->max_page_boxes);
		if (lp.text && left && page_text(lp.text, lp.bounds, &text, &boxes))
			wy_debug("convert.text_cut", "page=%d", i + 1);
		/* No text layer (a scan, an image, outlined text): recognise it,
		 * while the batch lasts. */
		bool recognise = ok && o->ocr && left && !has_text(&text) && usable_size(lp.bounds) &&
				 draws_something(ctx, lp.list);
		if (recognise) {
			text.len = boxes.len = 0; /* white space, and its boxes */
			if (text.data)
				text.data[0] = 0;
		}
		if (recognise && o->ocr_batch && ocr.pages >= o->ocr_batch) {
			if (!later && sink->ocr_later)
				rc = sink->ocr_later(sink->ctx, i + 1);
			later = true;
			recognise = false;
		} else if (recognise) {
			if (sink->ocr && (rc = sink->ocr(sink->ctx, i + 1)) == WY_OK)
				ocr_page(ctx, &ocr, &lp, i + 1, o, &text, &boxes);
		}
		if (!rc && (!only || recognise)) {
			if (boxes.len && boxes.len != count_cps(text.data, text.len) * WY_BOX_SIZE) {
				/* Never reached: page_text keeps them in step. A viewer
				 * would mark the wrong characters, so the page gets none. */
				wy_error("convert.boxes", "page=%d boxes=%zu text=%zu", i + 1, boxes.len, text.len);
				boxes.len = 0;
			}
			doc_text += text.len;
			/* recognising only: the page's new text, and no image */
			if (only && sink->page)
				rc = sink->page(sink->ctx, i + 1, "-", 0, 0, text.data ? text.data : "",
						boxes.len ? (const unsigned char *)boxes.data : NULL, boxes.len);
		}
		if (rc || only) {
			/* stopped; or recognising only, where a page is sent as
			 * above, has text of its own, or is for the next turn */
			wy_buf_free(&text);
			wy_buf_free(&boxes);
			drop_page(ctx, &lp);
			if (rc)
				break;
			continue;
		}
		char sha[65];
		int w = 0, h = 0;
		bool drawn = true;
		wy_errinfo rei = {0};
		int rrc = render_and_store_page(ctx, ok ? lp.list : NULL, lp.bounds, i == 0 && sink->thumb, o, sink, sha, &w,
						&h, &drawn, why, sizeof why, &rei);
		if (!drawn)
			ok = false;
		if (!ok) {
			bad++;
			if (!first_reason[0])
				snprintf(first_reason, sizeof first_reason, "%s", why);
		}
		if (rrc == WY_OK && sink->page)
			rrc = sink->page(sink->ctx, i + 1, sha, w, h, text.data ? text.data : "",
					 boxes.len ? (const unsigned char *)boxes.data : NULL, boxes.len);
		wy_buf_free(&text);
		wy_buf_free(&boxes);
		drop_page(ctx, &lp);
		if (rrc) {
			if (ei && !ei->msg[0])
				*ei = rei;
			rc = rrc;
			break;
		}
	}
	if (ocr.pages)
		wy_log("convert.ocr_done", "pages=%d ms=%lld", ocr.pages, (long long)ocr.ms);
	wy_ocr_close(ocr.engine);
	if (rc)
		return rc;
	if (bad == npages - start && bad && !only)
		return wy_err_set(ei, WY_ECORRUPT, "no page could be read: %s", first_reason);
	if (bad)
		wy_warn("convert.bad_pages", "bad=%d pages=%d first=\"%.120s\"", bad, npages, first_reason);
	return WY_OK;
}

static fz_document *open_doc(fz_context *ctx, const char *magic, const void *src, size_t len, const char *label,
			     wy_errinfo *ei)
{
	fz_document *doc = NULL;
	fz_stream *stm = NULL;
	fz_var(stm);
	fz_var(doc);
	fz_try(ctx)
	{
		stm = fz_open_memory(ctx, src, len);
		/* OFD is ours (ofd.c): opened directly, since MuPDF 1.21's table
		 * of document handlers is full with its own */
		doc = !strcmp(magic, "application/ofd") ? wy_ofd_open_document(ctx, stm)
							: fz_open_document_with_stream(ctx, magic, stm);
	}
	fz_always(ctx) fz_drop_stream(ctx, stm); /* the document keeps its own reference */
	fz_catch(ctx)
	{
		wy_err_set(ei, WY_ECORRUPT, "cannot open the %s: %s", label, fz_caught_message(ctx));
		return NULL;
	}
	return doc;
}

/* Pack a book's files into an in-memory EPUB (stored, not deflated: it is
 * read once, at once). MuPDF's EPUB reader resolves every link inside this
 * archive, so a book's paths reach nothing else. Returns a new buffer, or
 * NULL with the reason in ei. */
static fz_buffer *pack_epub(fz_context *ctx, const wy_book *book, wy_errinfo *ei)
{
	fz_buffer *zipbuf = NULL, *b = NULL, *opf = NULL;
	fz_output *out = NULL;
	fz_zip_writer *zip = NULL;
	fz_var(zipbuf);
	fz_var(b);
	fz_var(opf);
	fz_var(out);
	fz_var(zip);
	fz_try(ctx)
	{
		zipbuf = fz_new_buffer(ctx, 64 << 10);
		out = fz_new_output_with_buffer(ctx, zipbuf);
		zip = fz_new_zip_writer_with_output(ctx, out);
		out = NULL; /* the writer owns it now */
		b = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)"application/epub+zip", 20);
		fz_write_zip_entry(ctx, zip, "mimetype", b, 0);
		fz_drop_buffer(ctx, b);
		b = NULL;
		static const char container[] =
			"<?xml version=\"1.0\"?><container version=\"1.0\" "
			"xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
			"<rootfile full-path=\"content.opf\" media-type=\"application/oebps-package+xml\"/>"
			"</rootfiles></container>";
		b = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)container, sizeof container - 1);
		fz_write_zip_entry(ctx, zip, "META-INF/container.xml", b, 0);
		fz_drop_buffer(ctx, b);
		b = NULL;
		/* Names are ours (part00000.html ...): nothing to escape. */
		opf = fz_new_buffer(ctx, 4096);
		fz_append_string(ctx, opf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
					   "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
					   "<metadata/><manifest>");
		for (size_t i = 0; i < book->nfiles; i++)
			fz_append_printf(ctx, opf, "<item id=\"f%zu\" href=\"%s\" media-type=\"%s\"/>", i,
					 book->files[i].name, book->files[i].media);
		fz_append_string(ctx, opf, "</manifest><spine>");
		for (size_t i = 0; i < book->nfiles; i++)
			if (book->files[i].spine)
				fz_append_printf(ctx, opf, "<itemref idref=\"f%zu\"/>", i);
		fz_append_string(ctx, opf, "</spine></package>");
		fz_write_zip_entry(ctx, zip, "content.opf", opf, 0);
		for (size_t i = 0; i < book->nfiles; i++) {
			b = fz_new_buffer_from_shared_data(ctx, book->files[i].data, book->files[i].len);
			fz_write_zip_entry(ctx, zip, book->files[i].name, b, 0);
			fz_drop_buffer(ctx, b);
			b = NULL;
		}
		fz_close_zip_writer(ctx, zip);
	}
	fz_always(ctx)
	{
		fz_drop_zip_writer(ctx, zip);
		fz_drop_output(ctx, out);
		fz_drop_buffer(ctx, b);
		fz_drop_buffer(ctx, opf);
	}
	fz_catch(ctx)
	{
		fz_drop_buffer(ctx, zipbuf);
		wy_err_set(ei, WY_ENOMEM, "cannot pack the book: %s", fz_caught_message(ctx));
		return NULL;
	}
	return zipbuf;
}

static int layout(fz_context *ctx, fz_document *doc, const char *label, wy_errinfo *ei)
{
	fz_try(ctx)
	{
		if (fz_is_document_reflowable(ctx, doc))
			fz_layout_document(ctx, doc, 595, 842, 11); /* A4 in points */
	}
	fz_catch(ctx) return wy_err_set(ei, WY_ECORRUPT, "cannot lay out the %s: %s", label, fz_caught_message(ctx));
	return WY_OK;
}

int wy_convert_buf(const void *data, size_t len, const wy_convert_opts *o, const wy_convert_sink *sink,
		   wy_errinfo *ei)
{
	if (len == 0)
		return wy_err_set(ei, WY_EEMPTY, "the file is empty");
	wy_sniff sn;
	wy_sniff_buf(data, len, &sn);
	bool markdown = sn.family == WY_FAMILY_TEXT && wy_markdown_name(o->name_hint);
	if (sink->format && sn.format) {
		int rc = sink->format(sink->ctx, markdown ? "md" : sn.format);
		if (rc)
			return rc;
	}
	if (sn.family == WY_FAMILY_NONE)
		return wy_err_set(ei, WY_EFORMAT, "unrecognized format");
	if (sn.encrypted)
		return wy_err_set(ei, WY_EPASSWORD, "password-protected");
	if (sn.family == WY_FAMILY_OFFICE)
		return wy_err_set(ei, WY_EOFFICE, "%s", sn.format);
	/* These readers open "." as the document's archive: an <img src> of
	 * ../../x reads the server's files unless the process can open none. */
	if (!o->confined && sn.magic &&
	    (!strcmp(sn.magic, "text/html") || !strcmp(sn.magic, "application/xhtml+xml") ||
	     !strcmp(sn.magic, "application/x-fictionbook")))
		return wy_err_set(ei, WY_ENOTSUP,
				  "%s documents are only converted where the converter can be confined "
				  "(Landlock), which this kernel does not offer",
				  sn.label);

	wy_buf html = {0};
	wy_book book = {0};
	char *first_line = NULL;
	const void *src = data;
	size_t srclen = len;
	const char *magic = sn.magic, *label = sn.label;
	int rc = WY_OK;
	if (markdown) {
		/* One HTML file in a book of its own: its image paths find nothing. */
		if ((rc = wy_markdown_to_html(data, len, o->max_text, &html, ei)))
			return rc;
		book.files = wy_xmalloc(sizeof *book.files);
		book.nfiles = 1;
		book.files[0] = (wy_book_file){.name = "index.html", .media = "application/xhtml+xml",
					       .data = (unsigned char *)html.data, .len = html.len, .spine = true};
		html = (wy_buf){0}; /* the book owns it now */
		label = "Markdown";
	} else if (sn.family == WY_FAMILY_TEXT) {
		if ((rc = text_to_html(data, len, o->max_text, &html, &first_line, ei)))
			return rc;
		src = html.data;
		srclen = html.len;
		magic = "text/html";
	} else if (sn.family == WY_FAMILY_MOBI) {
		if ((rc = wy_mobi_unpack(data, len, o->max_text, &book, ei)))
			return rc;
	}

	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (!ctx) {
		wy_buf_free(&html);
		wy_book_free(&book);
		free(first_line);
		return wy_err_set(ei, WY_ENOMEM, "cannot create a MuPDF context");
	}
	fz_set_warning_callback(ctx, on_warning, NULL);
	fz_set_error_callback(ctx, on_error, NULL);
	fz_register_document_handlers(ctx);
	fz_buffer *epub = NULL;
	fz_document *doc = NULL;
	if (book.nfiles) {
		/* Kindle books and Markdown put code in <pre>: wrap it, as
		 * a reader does, rather than lose its ends past the margin. */
		fz_set_user_css(ctx, "pre{white-space:pre-wrap}");
		if (!(epub = pack_epub(ctx, &book, ei)))
			rc = WY_ENOMEM;
		else {
			unsigned char *p;
			srclen = fz_buffer_storage(ctx, epub, &p);
			src = p;
			magic = "application/epub+zip";
		}
	}
	if (!rc && !(doc = open_doc(ctx, magic, src, srclen, label, ei)))
		rc = WY_ECORRUPT;
	else if (!rc && fz_needs_password(ctx, doc) && !fz_authenticate_password(ctx, doc, ""))
		rc = wy_err_set(ei, WY_EPASSWORD, "password-protected");
	else if (!rc && !(rc = layout(ctx, doc, label, ei)))
		rc = convert_doc(ctx, doc, book.nfiles ? book.title : first_line, book.author, o, sink, ei);
	fz_drop_document(ctx, doc);
	fz_drop_buffer(ctx, epub);
	fz_drop_context(ctx);
	wy_buf_free(&html);
	wy_book_free(&book);
	free(first_line);
	return rc;
}

void wy_convert_preload_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 86)
		return;
	/* the sniffer reads the Palm header and record 0's MOBI header */
	size_t len = (size_t)st.st_size < (1u << 20) ? (size_t)st.st_size : (1u << 20);
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return;
	wy_sniff sn;
	wy_sniff_buf(map, len, &sn);
	munmap(map, len);
	if (sn.family == WY_FAMILY_MOBI) {
		wy_errinfo ei = {0};
		if (wy_mobi_load(&ei))
			wy_warn("convert.preload", "msg=\"%s\"", ei.msg);
	}
}

int wy_convert_fd(int fd, const wy_convert_opts *o, const wy_convert_sink *sink, wy_errinfo *ei)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return wy_err_set(ei, WY_EIO, "cannot stat the original: %s", strerror(errno));
	size_t len = (size_t)st.st_size;
	void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	/* ENOMEM: the address space limit (convert_memory_mb) is reached */
	if (len && map == MAP_FAILED)
		return wy_err_set(ei, errno == ENOMEM ? WY_ENOMEM : WY_EIO, "cannot map the original: %s",
				  strerror(errno));
	int rc = wy_convert_buf(len ? map : "", len, o, sink, ei);
	if (len)
		munmap(map, len);
	return rc;
}

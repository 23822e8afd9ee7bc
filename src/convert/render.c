/* render: the MuPDF adapter. Opens PDF, EPUB, XPS, CBZ, FB2, HTML, OFD (ofd.c) (and
 * plain text laid out as HTML), renders each page once into a display list,
 * and from it a WebP page image, the page's text and the thumbnail.
 *
 * fz_try/fz_catch never leave this file: everything above it sees wy_err
 * codes. MuPDF's warnings about broken files go to the debug log. */
#include "convert/convert.h"
#include "convert/ofd.h"
#include "convert/sniff.h"
#include "core/log.h"
#include "core/util.h"
#include "text/boxes.h"
#include "text/charset.h"
#include "text/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <mupdf/fitz.h>
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

/* Encode an RGB pixmap as lossy WebP into the blob store. Method 0 is the
 * fastest effort level: at 1240 px it is four times faster than the
 * default and the pages are text, where the difference does not show. */
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

/* Encode a gray (n = 1) or RGB (n = 3) image as lossy WebP, out_w pixels
 * wide, and hand it to the sink. Method 0 is the fastest effort level: at
 * 1240 px it is four times faster than the default and the pages are
 * text, where the difference does not show. */
static int put_webp(const unsigned char *px, int n, int w, int h, int stride, int out_w, int quality,
		    const wy_convert_sink *sink, char sha[65], wy_errinfo *ei)
{
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

/* First and last code points of a UTF-8 string (0 when empty). */
static uint32_t first_cp(const char *s, size_t n)
{
	const char *p = s;
	int cp = n ? wy_utf8_decode(&p, s + n) : 0;
	return cp > 0 ? (uint32_t)cp : 0;
}

static uint32_t last_cp(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0)
		i--;
	const char *p = s + i;
	int cp = n ? wy_utf8_decode(&p, s + n) : 0;
	return cp > 0 ? (uint32_t)cp : 0;
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
				if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0xFFFD)
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
			bool cjk = wy_is_cjk(last_cp(lines.data + a->off, a->len)) && wy_is_cjk(first_cp(t, pl[i].len));
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

static bool is_real_title(const char *t)
{
	if (!t)
		return false;
	while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
		t++;
	if (!*t)
		return false;
	static const char *junk[] = {"untitled", "Untitled", "无标题", "Title", "title", "Document", "PowerPoint Presentation"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		if (strcmp(t, junk[i]) == 0)
			return false;
	return true;
}

static char *clean_title(const char *t, size_t max)
{
	while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
		t++;
	/* "Microsoft Word - report.doc" is the printer driver talking. */
	static const char *prefixes[] = {"Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - "};
	for (size_t i = 0; i < 3; i++)
		if (strncmp(t, prefixes[i], strlen(prefixes[i])) == 0)
			t += strlen(prefixes[i]);
	size_t n = strlen(t);
	char *s = wy_xstrndup(t, n);
	for (char *c = s; *c; c++)
		if (*c == '\r' || *c == '\n' || *c == '\t')
			*c = ' ';
	n = wy_utf8_truncate(s, n, max);
	while (n && s[n - 1] == ' ')
		n--;
	s[n] = 0;
	return s;
}

/* A metadata title that is a file path ("C:\\Users\\me\\report.doc",
 * written by a printer driver) names the file: keep its last component. */
static const char *path_tail(const char *t)
{
	const char *bs = strrchr(t, '\\'), *sl = strrchr(t, '/');
	const char *cut = bs > sl ? bs : sl;
	bool drive = ((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z' && t[1] == ':');
	if (cut && (drive || t[0] == '/' || t[0] == '\\') && cut[1])
		return cut + 1;
	return t;
}

/* "报告.doc", "Binder1.pdf": a producer put the file name in the title;
 * the extension is noise on a document page that shows the format. */
static void drop_extension(char *t)
{
	static const char *ext[] = {".pdf", ".doc", ".docx", ".wps", ".rtf", ".txt", ".ppt", ".pptx", ".xls",
				    ".xlsx", ".odt", ".epub", ".PDF", ".DOC", ".DOCX", ".TXT"};
	size_t n = strlen(t);
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t k = strlen(ext[i]);
		if (n > k && strcmp(t + n - k, ext[i]) == 0) {
			t[n - k] = 0;
			return;
		}
	}
}

char *wy_convert_pick_title(const char *meta_title, const char *first_page_text, const char *filename)
{
	if (is_real_title(meta_title)) {
		char *t = clean_title(path_tail(meta_title), 200);
		drop_extension(t);
		if (*t)
			return t;
		free(t);
	}
	if (first_page_text) {
		const char *p = first_page_text;
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n) {
			char *line = wy_xstrndup(p, n);
			char *t = clean_title(line, 80);
			free(line);
			if (*t)
				return t;
			free(t);
		}
	}
	const char *base = filename ? wy_basename(filename) : "";
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	char *name = wy_xstrndup(base, n);
	char *t = clean_title(name, 200);
	free(name);
	if (!*t) {
		free(t);
		t = wy_xstrdup("untitled");
	}
	return t;
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

static int convert_doc(fz_context *ctx, fz_document *doc, const char *text_title, const wy_convert_opts *o,
		       const wy_convert_sink *sink, wy_errinfo *ei)
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
	if (text_title)
		snprintf(title, sizeof title, "%s", text_title);
	if (sink->meta && (rc = sink->meta(sink->ctx, title[0] ? title : NULL, author[0] ? author : NULL)))
		return rc;

	int bad = 0;
	size_t doc_text = 0;
	char first_reason[256] = "";
	for (int i = 0; i < npages; i++) {
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
		if (boxes.len && boxes.len != count_cps(text.data, text.len) * WY_BOX_SIZE) {
			/* Never reached: page_text keeps them in step. A viewer
			 * would mark the wrong characters, so the page gets none. */
			wy_error("convert.boxes", "page=%d boxes=%zu text=%zu", i + 1, boxes.len, text.len);
			boxes.len = 0;
		}
		doc_text += text.len;
		char sha[65];
		int w = 0, h = 0, rrc;
		wy_errinfo rei = {0};
		/* A page that fails still gets a (blank) image, so numbering holds. */
		fz_pixmap *pix = render_list(ctx, ok ? lp.list : NULL, lp.bounds, o->page_width, &rei);
		if (!pix) {
			ok = false;
			snprintf(why, sizeof why, "%s", rei.msg);
			pix = render_list(ctx, NULL, lp.bounds, o->page_width, &rei);
		}
		if (!ok) {
			bad++;
			if (!first_reason[0])
				snprintf(first_reason, sizeof first_reason, "%s", why);
		}
		if (!pix) {
			rrc = WY_ENOMEM;
		} else {
			rrc = store_pixmap(ctx, pix, o->page_width, o->webp_quality, sink, sha, &w, &h, &rei);
			if (rrc == WY_OK && i == 0 && sink->thumb) {
				char tsha[65];
				int tw, th;
				rrc = store_pixmap(ctx, pix, o->thumb_width, o->webp_quality, sink, tsha, &tw, &th, &rei);
				if (rrc == WY_OK)
					rrc = sink->thumb(sink->ctx, tsha);
			}
			fz_drop_pixmap(ctx, pix);
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
			return rrc;
		}
	}
	if (bad == npages)
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
	if (sink->format && sn.format) {
		int rc = sink->format(sink->ctx, sn.format);
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
	char *first_line = NULL;
	const void *src = data;
	size_t srclen = len;
	const char *magic = sn.magic;
	int rc = WY_OK;
	if (sn.family == WY_FAMILY_TEXT) {
		if ((rc = text_to_html(data, len, o->max_text, &html, &first_line, ei)))
			return rc;
		src = html.data;
		srclen = html.len;
		magic = "text/html";
	}

	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (!ctx) {
		wy_buf_free(&html);
		free(first_line);
		return wy_err_set(ei, WY_ENOMEM, "cannot create a MuPDF context");
	}
	fz_set_warning_callback(ctx, on_warning, NULL);
	fz_set_error_callback(ctx, on_error, NULL);
	fz_register_document_handlers(ctx);
	fz_document *doc = open_doc(ctx, magic, src, srclen, sn.label, ei);
	if (!doc)
		rc = WY_ECORRUPT;
	else if (fz_needs_password(ctx, doc) && !fz_authenticate_password(ctx, doc, ""))
		rc = wy_err_set(ei, WY_EPASSWORD, "password-protected");
	else if (!(rc = layout(ctx, doc, sn.label, ei)))
		rc = convert_doc(ctx, doc, first_line, o, sink, ei);
	fz_drop_document(ctx, doc);
	fz_drop_context(ctx);
	wy_buf_free(&html);
	free(first_line);
	return rc;
}

int wy_convert_fd(int fd, const wy_convert_opts *o, const wy_convert_sink *sink, wy_errinfo *ei)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return wy_err_set(ei, WY_EIO, "cannot stat the original: %s", strerror(errno));
	size_t len = (size_t)st.st_size;
	void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	if (len && map == MAP_FAILED)
		return wy_err_set(ei, WY_EIO, "cannot map the original: %s", strerror(errno));
	int rc = wy_convert_buf(len ? map : "", len, o, sink, ei);
	if (len)
		munmap(map, len);
	return rc;
}

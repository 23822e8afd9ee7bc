/* Conversion tests, in-process (the sandbox is tested in test_worker):
 * pages, images, text and titles from documents the tests make. */
#include "blob/blob.h"
#include "convert/convert.h"
#include "core/util.h"
#include "test.h"
#include "testdoc.h"
#include "text/boxes.h"
#include "text/outline.h"
#include "text/utf8.h"

#include <fcntl.h>
#include <iconv.h>
#include <webp/decode.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct result {
	char format[16];
	int count, pages;
	char *texts[64];
	char shas[64][65];
	int w[64], h[64];
	unsigned char *boxes[64];
	size_t nbox[64]; /* bytes */
	char thumb[65];
	char *title, *author;
	wy_outline outline;
	int outline_calls;
} result;

static int r_format(void *c, const char *f) { snprintf(((result *)c)->format, 16, "%s", f); return 0; }
static int r_count(void *c, int n) { ((result *)c)->count = n; return 0; }
static int r_thumb(void *c, const char *s) { snprintf(((result *)c)->thumb, 65, "%s", s); return 0; }
static int r_meta(void *c, const char *t, const char *a)
{
	result *r = c;
	r->title = wy_xstrdup(t);
	r->author = wy_xstrdup(a);
	return 0;
}
static int r_page(void *c, int no, const char *sha, int w, int h, const char *text, const unsigned char *boxes,
		  size_t boxes_len)
{
	result *r = c;
	if (no != r->pages + 1 || r->pages >= 64)
		return WY_EINVAL;
	r->texts[r->pages] = wy_xstrdup(text);
	r->boxes[r->pages] = boxes_len ? wy_xmalloc(boxes_len) : NULL;
	if (boxes_len)
		memcpy(r->boxes[r->pages], boxes, boxes_len);
	r->nbox[r->pages] = boxes_len;
	snprintf(r->shas[r->pages], 65, "%s", sha);
	r->w[r->pages] = w;
	r->h[r->pages] = h;
	r->pages++;
	return 0;
}

static int r_outline(void *c, const wy_outline *o)
{
	result *r = c;
	r->outline_calls++;
	for (int i = 0; i < o->n; i++)
		if (!wy_outline_add(&r->outline, o->items[i].title, o->items[i].page, o->items[i].depth))
			return WY_EINVAL; /* the converter sent what the bounds refuse */
	return 0;
}

static void r_free(result *r)
{
	wy_outline_free(&r->outline);
	for (int i = 0; i < r->pages; i++) {
		free(r->texts[i]);
		free(r->boxes[i]);
	}
	free(r->title);
	free(r->author);
	memset(r, 0, sizeof *r);
}

static wy_blob_store *bs;

static int convert_file(const char *path, const wy_convert_opts *o, const wy_convert_sink *s, wy_errinfo *ei)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wy_err_set(ei, WY_EIO, "cannot open %s", path);
	int rc = wy_convert_fd(fd, o, s, ei);
	close(fd);
	return rc;
}

/* Images go into the blob store, as the worker's parent puts them. */
static int r_image(void *ctx, const void *webp, size_t len, char sha[65])
{
	(void)ctx;
	return wy_blob_put(bs, webp, len, sha, NULL);
}

static int convert_path_opts(const char *path, const wy_convert_opts *o, result *r, wy_errinfo *ei)
{
	if (!bs) {
		char *b = wy_xasprintf("%s/blobs", wy_test_tmpdir("convert"));
		if (wy_blob_open(b, &bs, NULL))
			abort();
		free(b);
	}
	memset(r, 0, sizeof *r);
	wy_convert_sink s = {r, r_image, r_format, r_count, r_page, r_thumb, r_meta, NULL, NULL, r_outline};
	return convert_file(path, o, &s, ei);
}

static int convert_path(const char *path, result *r, wy_errinfo *ei)
{
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	return convert_path_opts(path, &o, r, ei);
}

static int convert_bytes_opts(const void *data, size_t len, const wy_convert_opts *o, result *r, wy_errinfo *ei)
{
	char *path = wy_xasprintf("%s/capped.txt", wy_test_tmpdir("convert-in"));
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
	memset(r, 0, sizeof *r);
	wy_convert_sink s = {r, r_image, r_format, r_count, r_page, r_thumb, r_meta, NULL, NULL, r_outline};
	int rc = convert_file(path, o, &s, ei);
	free(path);
	return rc;
}

static int convert_bytes(const void *data, size_t len, const char *name, result *r, wy_errinfo *ei)
{
	char *path = wy_xasprintf("%s/%s", wy_test_tmpdir("convert-in"), name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
	int rc = convert_path(path, r, ei);
	free(path);
	return rc;
}

/* A paragraph long enough to wrap over several printed lines. */
static const char *PARA = "文渊阁是清代皇家藏书楼，专为收藏四库全书而建。中华人民共和国成立以后，"
			  "文渊阁的藏书几经迁移，如今书与阁分处两地。一座藏书楼的意义，不只在于把书保存下来，"
			  "更在于让后来的人找得到书、读得到书。数字时代的文库网站做的是同一件事。";

static char *chinese_html(void)
{
	return wy_xasprintf("<html><head><meta charset=\"utf-8\"><title>t</title></head><body lang=\"zh-CN\">"
			    "<h1>文渊测试文档</h1><p>%s</p><p>第二段：English words stay separated by spaces "
			    "when a line wraps between them, like these words here.</p></body></html>",
			    PARA);
}

/* Width of a stored WebP image, 0 when it is not one. */
static int webp_width(const char *sha)
{
	int fd;
	uint64_t size;
	if (wy_blob_open_fd(bs, sha, &fd, &size, NULL))
		return 0;
	char head[64];
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	int w = 0, h = 0;
	return n > 0 && WebPGetInfo((const uint8_t *)head, (size_t)n, &w, &h) ? w : 0;
}

/* Decode a stored WebP; the caller frees with WebPFree. */
static uint8_t *webp_rgb(const char *sha, int *w, int *h)
{
	int fd;
	uint64_t size;
	if (wy_blob_open_fd(bs, sha, &fd, &size, NULL))
		return NULL;
	uint8_t *data = wy_xmalloc(size);
	ssize_t n = read(fd, data, size);
	close(fd);
	uint8_t *rgb = n == (ssize_t)size ? WebPDecodeRGB(data, size, w, h) : NULL;
	free(data);
	return rgb;
}

/* Counts of white, dark and strongly red pixels of a page image. */
static void count_pixels(const char *sha, int *white, int *dark, int *red)
{
	int w = 0, h = 0;
	uint8_t *p = webp_rgb(sha, &w, &h);
	*white = *dark = *red = 0;
	for (int i = 0; p && i < w * h; i++) {
		int r = p[3 * i], g = p[3 * i + 1], b = p[3 * i + 2];
		*white += r > 245 && g > 245 && b > 245;
		*dark += r < 60 && g < 60 && b < 60;
		*red += r > 200 && g < 60 && b < 60;
	}
	WebPFree(p);
}

static bool is_webp(const char *sha)
{
	int fd;
	uint64_t size;
	if (wy_blob_open_fd(bs, sha, &fd, &size, NULL))
		return false;
	char h[12];
	bool ok = read(fd, h, 12) == 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0;
	close(fd);
	return ok;
}

/* The boxes of every page against its text, as a viewer relies on them:
 * one box per code point (a page with text and no boxes fails: these are
 * documents with real page sizes); a line break, which the converter adds,
 * has an empty box; every character but a space has a box with x0 < x1 and
 * y0 < y1. Counts the characters whose box touches the page's edge (clamped:
 * they stuck out of the page) in *edge and all boxed ones in *boxed. NULL
 * when all is well, else what is wrong. */
static const char *boxes_problem(const result *r, size_t *boxed, size_t *edge)
{
	static char why[200];
	for (int i = 0; i < r->pages; i++) {
		const char *t = r->texts[i], *end = t + strlen(t);
		size_t ncp = 0;
		for (const char *q = t; q < end; ncp++)
			if (wy_utf8_decode(&q, end) < 0)
				return "the text is not UTF-8";
		if (r->nbox[i] != ncp * WY_BOX_SIZE) {
			snprintf(why, sizeof why, "page %d: %zu code points, %zu bytes of boxes", i + 1, ncp, r->nbox[i]);
			return why;
		}
		size_t k = 0;
		for (const char *q = t; q < end; k++) {
			int cp = wy_utf8_decode(&q, end);
			wy_rect b = wy_box_get(r->boxes[i], r->nbox[i], k);
			bool empty = !b.x0 && !b.y0 && !b.x1 && !b.y1;
			if (cp == '\n' && !empty) {
				snprintf(why, sizeof why, "page %d: the line break at %zu has a box", i + 1, k);
				return why;
			}
			if (cp == '\n' || cp == ' ')
				continue;
			if (empty || b.x0 >= b.x1 || b.y0 >= b.y1) {
				snprintf(why, sizeof why, "page %d: U+%04X at %zu has the box %u,%u,%u,%u", i + 1, cp, k,
					 b.x0, b.y0, b.x1, b.y1);
				return why;
			}
			(*boxed)++;
			*edge += !b.x0 || !b.y0 || b.x1 == WY_BOX_UNIT || b.y1 == WY_BOX_UNIT;
		}
	}
	return NULL;
}

/* The box of code point k of page i, as fractions of the page. */
typedef struct fbox {
	double x0, y0, x1, y1;
} fbox;

static fbox box_at(const result *r, int i, size_t k)
{
	wy_rect b = wy_box_get(r->boxes[i], r->nbox[i], k);
	return (fbox){b.x0 / 65535.0, b.y0 / 65535.0, b.x1 / 65535.0, b.y1 / 65535.0};
}

/* Index in code points of the first occurrence of needle in page i's text;
 * (size_t)-1 when absent. */
static size_t cp_index(const result *r, int i, const char *needle)
{
	const char *hit = strstr(r->texts[i], needle);
	if (!hit)
		return (size_t)-1;
	size_t k = 0;
	for (const char *q = r->texts[i]; q < hit; q++)
		k += ((unsigned char)*q & 0xC0) != 0x80;
	return k;
}

static size_t cp_len(const char *s)
{
	size_t k = 0;
	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

TEST(chinese_pdf_pages_text_images)
{
	char *html = chinese_html();
	char path[600];
	snprintf(path, sizeof path, "%s/zh.pdf", wy_test_tmpdir("convert-pdf"));
	ASSERT_EQ(testdoc_pdf(html, path, "文渊测试：元数据标题", NULL, NULL), 1);
	free(html);
	result r;
	wy_errinfo ei = {0};
	int rc = convert_path(path, &r, &ei);
	if (rc)
		printf("  %s\n", ei.msg);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_STR_EQ(r.format, "pdf");
	ASSERT_EQ(r.count, 1);
	ASSERT_EQ(r.pages, 1);
	/* The paragraph wraps over several printed lines; extracted, it must
	 * read exactly as written: no space or break where a line ended. */
	ASSERT_CONTAINS(r.texts[0], PARA);
	ASSERT_CONTAINS(r.texts[0], "文渊测试文档");
	ASSERT_CONTAINS(r.texts[0], "like these words here");
	ASSERT(!strstr(r.texts[0], "wordsstay") && !strstr(r.texts[0], "whena"));
	ASSERT_EQ(r.w[0], 1240);
	ASSERT(r.h[0] > 1700 && r.h[0] < 1760); /* A4 aspect */
	ASSERT(is_webp(r.shas[0]));
	ASSERT_EQ(webp_width(r.shas[0]), 1240);
	ASSERT(is_webp(r.thumb));
	ASSERT_EQ(webp_width(r.thumb), 240);
	/* A black-on-white page (encoded from gray): white paper, black ink. */
	int white, dark, red;
	count_pixels(r.shas[0], &white, &dark, &red);
	ASSERT(white > 1240 * 1000);
	ASSERT(dark > 1000);
	ASSERT_EQ(red, 0);
	ASSERT_STR_EQ(r.title, "文渊测试：元数据标题");
	r_free(&r);
}

/* SSIM (K1 = 0.01, K2 = 0.03) of two gray images, 8 x 8 windows every 4
 * pixels: over all windows, and over those where a is not flat (*ink). */
static double ssim(const unsigned char *a, const unsigned char *b, int w, int h, double *ink)
{
	const double c1 = 6.5025, c2 = 58.5225;
	double sum = 0, isum = 0;
	long n = 0, in = 0;
	for (int y = 0; y + 8 <= h; y += 4)
		for (int x = 0; x + 8 <= w; x += 4) {
			double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
			for (int j = 0; j < 8; j++)
				for (int i = 0; i < 8; i++) {
					double p = a[(size_t)(y + j) * (size_t)w + (size_t)(x + i)];
					double q = b[(size_t)(y + j) * (size_t)w + (size_t)(x + i)];
					sa += p;
					sb += q;
					saa += p * p;
					sbb += q * q;
					sab += p * q;
				}
			double ma = sa / 64, mb = sb / 64, va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb;
			double v = ((2 * ma * mb + c1) * (2 * (sab / 64 - ma * mb) + c2)) /
				   ((ma * ma + mb * mb + c1) * (va + vb + c2));
			sum += v;
			n++;
			if (va > 0) {
				isum += v;
				in++;
			}
		}
	*ink = in ? isum / (double)in : 1;
	return n ? sum / (double)n : 1;
}

/* A page of text as a reader sees it: its image, decoded, is the page as
 * MuPDF renders it at that width (SSIM against the render), black on white. */
TEST(text_pages_look_like_the_page)
{
	char *html = chinese_html();
	char path[600];
	snprintf(path, sizeof path, "%s/zh.pdf", wy_test_tmpdir("convert-ssim"));
	ASSERT_EQ(testdoc_pdf(html, path, NULL, NULL, NULL), 1);
	free(html);
	result r;
	ASSERT_EQ(convert_path(path, &r, NULL), WY_OK);
	int w = 0, h = 0;
	uint8_t *rgb = webp_rgb(r.shas[0], &w, &h);
	ASSERT(rgb && w == 1240);

	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_register_document_handlers(ctx);
	fz_document *doc = fz_open_document(ctx, path);
	fz_page *page = fz_load_page(ctx, doc, 0);
	fz_rect b = fz_bound_page(ctx, page);
	float s = 1240.0f / (b.x1 - b.x0);
	fz_pixmap *pix = fz_new_pixmap_from_page(ctx, page, fz_scale(s, s), fz_device_gray(ctx), 0);
	int rw = fz_pixmap_width(ctx, pix), rh = fz_pixmap_height(ctx, pix);
	int ch = rh < h ? rh : h;
	ASSERT(rw == w && ch > 1700);
	unsigned char *render = wy_xmalloc((size_t)w * (size_t)ch), *shown = wy_xmalloc((size_t)w * (size_t)ch);
	for (int y = 0; y < ch; y++)
		for (int x = 0; x < w; x++) {
			const uint8_t *p = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
			render[(size_t)y * (size_t)w + (size_t)x] =
				fz_pixmap_samples(ctx, pix)[(size_t)y * (size_t)fz_pixmap_stride(ctx, pix) + (size_t)x];
			shown[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
		}
	double ink = 0, all = ssim(render, shown, w, ch, &ink);
	printf("  SSIM %.4f, where there is ink %.4f\n", all, ink);
	ASSERT(all > 0.998);
	ASSERT(ink > 0.99);
	free(render);
	free(shown);
	WebPFree(rgb);
	fz_drop_pixmap(ctx, pix);
	fz_drop_page(ctx, page);
	fz_drop_document(ctx, doc);
	fz_drop_context(ctx);
	r_free(&r);
}

static char *encode(const char *utf8, const char *to, size_t *len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t inl = strlen(utf8), outl = inl * 4 + 16;
	char *out = wy_xmalloc(outl), *op = out, *ip = (char *)utf8;
	size_t cap = outl;
	if (cd == (iconv_t)-1 || iconv(cd, &ip, &inl, &op, &outl) == (size_t)-1)
		abort();
	iconv_close(cd);
	*len = cap - outl;
	return out;
}

TEST(colour_pages_keep_their_colour)
{
	char path[600];
	snprintf(path, sizeof path, "%s/red.pdf", wy_test_tmpdir("convert-colour"));
	ASSERT_EQ(testdoc_pdf("<html><body lang=\"zh-CN\"><p>红色方块</p>"
			      "<p style=\"color:#e00000;font-size:96pt\">■■■</p></body></html>",
			      path, NULL, NULL, NULL),
		  1);
	result r;
	ASSERT_EQ(convert_path(path, &r, NULL), WY_OK);
	int white, dark, red;
	count_pixels(r.shas[0], &white, &dark, &red);
	ASSERT(red > 5000);
	r_free(&r);
}

TEST(gbk_and_big5_text_become_utf8_pages)
{
	const char *simp = "孙子兵法\n\n孙子曰：兵者，国之大事，死生之地，存亡之道，不可不察也。\n"
			   "故经之以五事，校之以计，而索其情。\n";
	const char *trad = "維基大典\n\n維基大典者，網路為礎；集天下知、四海言、眾人志，書百科焉。\n"
			   "始作者，維基媒體基金會也。\n";
	size_t n;
	char *gbk = encode(simp, "GBK", &n);
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_bytes(gbk, n, "gbk.txt", &r, &ei), WY_OK);
	ASSERT_STR_EQ(r.format, "txt");
	ASSERT(r.pages >= 1);
	ASSERT_CONTAINS(r.texts[0], "孙子曰：兵者，国之大事，死生之地，存亡之道，不可不察也。");
	ASSERT_STR_EQ(r.title, "孙子兵法");
	ASSERT_EQ(r.w[0], 1240);
	r_free(&r);
	free(gbk);
	char *big5 = encode(trad, "BIG5", &n);
	ASSERT_EQ(convert_bytes(big5, n, "big5.txt", &r, &ei), WY_OK);
	ASSERT_CONTAINS(r.texts[0], "維基大典者，網路為礎；集天下知、四海言、眾人志，書百科焉。");
	r_free(&r);
	free(big5);
}

/* Control characters in a document's text (C1 controls a terminal runs,
 * a right-to-left override that turns a snippet around) never reach the
 * page text: `wenyuan text` prints it, the site shows it in snippets. */
TEST(page_text_keeps_no_hidden_controls)
{
	const char *t = "控制字符\n甲\xc2\x9b" "31m乙\xe2\x80\xae" "丙丁\xc2\x90" "戊\n";
	result r;
	ASSERT_EQ(convert_bytes(t, strlen(t), "controls.txt", &r, NULL), WY_OK);
	ASSERT_CONTAINS(r.texts[0], "甲31m乙丙丁戊");
	ASSERT(!strstr(r.texts[0], "\xc2\x9b"));
	ASSERT(!strstr(r.texts[0], "\xe2\x80\xae"));
	ASSERT(!strstr(r.texts[0], "\xc2\x90"));
	r_free(&r);
}

TEST(long_text_is_laid_out_over_pages)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 1; i <= 400; i++)
		wy_buf_printf(&b, "第%d行：一段足够长的文字，用来把文本排成好几页。\n", i);
	result r;
	ASSERT_EQ(convert_bytes(b.data, b.len, "long.txt", &r, NULL), WY_OK);
	ASSERT(r.pages >= 5);
	ASSERT_CONTAINS(r.texts[0], "第1行");
	ASSERT_CONTAINS(r.texts[r.pages - 1], "第400行");
	r_free(&r);
	wy_buf_free(&b);
}

TEST(text_is_capped_per_page_and_per_document)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 1; i <= 400; i++)
		wy_buf_printf(&b, "第%d行：一段足够长的文字，用来把文本排成好几页。\n", i);
	result r;
	ASSERT_EQ(convert_bytes(b.data, b.len, "warm.txt", &r, NULL), WY_OK); /* opens the blob store */
	r_free(&r);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	o.max_page_text = 300;
	o.max_doc_text = 1000;
	ASSERT_EQ(convert_bytes_opts(b.data, b.len, &o, &r, NULL), WY_OK);
	ASSERT(r.pages >= 5);
	size_t total = 0;
	for (int i = 0; i < r.pages; i++) {
		ASSERT(strlen(r.texts[i]) <= 300);
		total += strlen(r.texts[i]);
	}
	ASSERT(total <= 1000);
	ASSERT(strlen(r.texts[0]) > 200);           /* cut, not dropped */
	ASSERT_STR_EQ(r.texts[r.pages - 1], "");    /* past the document cap */
	ASSERT(is_webp(r.shas[r.pages - 1]));       /* images are not capped */
	r_free(&r);
	wy_buf_free(&b);
}

TEST(boxes_mark_where_the_characters_are)
{
	char *html = chinese_html();
	char path[600];
	snprintf(path, sizeof path, "%s/zh.pdf", wy_test_tmpdir("convert-boxes"));
	ASSERT_EQ(testdoc_pdf(html, path, NULL, NULL, NULL), 1);
	free(html);
	result r;
	ASSERT_EQ(convert_path(path, &r, NULL), WY_OK);
	size_t boxed = 0, edge = 0;
	const char *why = boxes_problem(&r, &boxed, &edge);
	if (why)
		printf("  %s\n", why);
	ASSERT(!why);
	ASSERT(boxed > 150);
	ASSERT_EQ(edge, 0);
	/* The heading is the first line: its characters left to right on
	 * one line near the top of the page, at the left margin. */
	size_t h = cp_index(&r, 0, "文渊测试文档");
	ASSERT(h != (size_t)-1);
	fbox first = box_at(&r, 0, h);
	printf("  heading starts at x %.3f y %.3f..%.3f\n", first.x0, first.y0, first.y1);
	ASSERT(first.x0 > 0.01 && first.x0 < 0.15);
	ASSERT(first.y0 > 0.01 && first.y1 < 0.12);
	for (size_t k = h + 1; k < h + 6; k++) {
		fbox b = box_at(&r, 0, k), a = box_at(&r, 0, k - 1);
		ASSERT(b.x0 >= a.x1 - 0.002 && b.x0 < a.x1 + 0.01);
		ASSERT(b.y0 > a.y0 - 0.002 && b.y0 < a.y0 + 0.002);
	}
	wy_rect rects[16];
	ASSERT_EQ(wy_boxes_rects(r.boxes[0], r.nbox[0], h, h + 6, rects, 16), 1);
	/* The paragraph wraps over printed lines: one rectangle per line, top
	 * to bottom, below the heading, each a line high, the first starting
	 * at the margin like the heading. */
	size_t p = cp_index(&r, 0, PARA);
	ASSERT(p != (size_t)-1);
	int n = wy_boxes_rects(r.boxes[0], r.nbox[0], p, p + cp_len(PARA), rects, 16);
	printf("  the paragraph is %d rectangles\n", n);
	ASSERT(n >= 3 && n < 16);
	ASSERT(rects[0].y0 > first.y1 * 65535);
	ASSERT(rects[0].x0 / 65535.0 < first.x0 + 0.01);
	for (int i = 0; i < n; i++) {
		ASSERT(rects[i].y1 - rects[i].y0 < 0.03 * 65535);
		if (i > 0) {
			/* glyph boxes of tightly set lines may overlap a little */
			ASSERT(rects[i].y0 > (rects[i - 1].y0 + rects[i - 1].y1) / 2);
			ASSERT(rects[i].x0 < 0.15 * 65535); /* a new line starts at the margin */
		}
		if (i < n - 1)
			ASSERT(rects[i].x1 > 0.8 * 65535); /* a wrapped line runs to the right */
	}
	/* A word in the English paragraph: one rectangle, right of its start. */
	size_t w = cp_index(&r, 0, "English");
	ASSERT(w != (size_t)-1);
	ASSERT_EQ(wy_boxes_rects(r.boxes[0], r.nbox[0], w, w + 7, rects, 16), 1);
	ASSERT(rects[0].y0 > 0.1 * 65535);
	r_free(&r);
}

TEST(boxes_of_the_samples)
{
	/* The Chinese text sample: laid out on A4 with 54 pt margins, its
	 * title is the first line, at the top left corner of the text. */
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(WY_SOURCE_DIR "/samples/文渊阁记.txt", &r, &ei), WY_OK);
	size_t boxed = 0, edge = 0;
	const char *why = boxes_problem(&r, &boxed, &edge);
	if (why)
		printf("  %s\n", why);
	ASSERT(!why);
	ASSERT_EQ(edge, 0);
	ASSERT_EQ(cp_index(&r, 0, "文渊阁记"), 0);
	fbox t = box_at(&r, 0, 0);
	printf("  文 at x %.4f..%.4f y %.4f..%.4f\n", t.x0, t.x1, t.y0, t.y1);
	ASSERT(t.x0 > 54 / 595.0 - 0.005 && t.x0 < 54 / 595.0 + 0.005);
	ASSERT(t.y0 > 54 / 842.0 - 0.005 && t.y1 < 54 / 842.0 + 0.03);
	/* 11 pt characters: about 11/595 of the width, 11/842 of the height */
	ASSERT(t.x1 - t.x0 > 9 / 595.0 && t.x1 - t.x0 < 13 / 595.0);
	ASSERT(t.y1 - t.y0 > 9 / 842.0 && t.y1 - t.y0 < 16 / 842.0);
	/* The next paragraph is lower down, at the same margin. */
	size_t k = cp_index(&r, 0, "文渊阁在紫禁城东南");
	ASSERT(k != (size_t)-1);
	fbox b = box_at(&r, 0, k);
	ASSERT(b.y0 > t.y1 && b.x0 > t.x0 - 0.005 && b.x0 < t.x0 + 0.005);
	r_free(&r);

	/* The manual as a PDF, as `make run` loads it (wy-mksample lays out
	 * the XHTML the same way): its title is centred at the top. */
	wy_buf x;
	ASSERT_EQ(wy_file_read(WY_SOURCE_DIR "/samples/manual.xhtml", 0, &x), WY_OK);
	char path[600];
	snprintf(path, sizeof path, "%s/manual.pdf", wy_test_tmpdir("convert-manual"));
	ASSERT(testdoc_pdf(x.data, path, NULL, NULL, NULL) >= 2);
	wy_buf_free(&x);
	ASSERT_EQ(convert_path(path, &r, &ei), WY_OK);
	boxed = edge = 0;
	why = boxes_problem(&r, &boxed, &edge);
	if (why)
		printf("  %s\n", why);
	ASSERT(!why);
	ASSERT(boxed > 1000);
	k = cp_index(&r, 0, "文渊使用手册");
	ASSERT(k != (size_t)-1);
	wy_rect title[4];
	ASSERT_EQ(wy_boxes_rects(r.boxes[0], r.nbox[0], k, k + 6, title, 4), 1);
	double mid = (title[0].x0 + title[0].x1) / 2.0 / 65535;
	printf("  title centre at x %.3f, top %.3f\n", mid, title[0].y0 / 65535.0);
	ASSERT(mid > 0.48 && mid < 0.52);
	ASSERT(title[0].y0 < 0.12 * 65535);
	r_free(&r);
}

TEST(boxes_follow_the_text_caps)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 1; i <= 20; i++)
		wy_buf_printf(&b, "Line %d of a text: short words, then 第%d行的中文，English again.\n", i, i);
	result r;
	ASSERT_EQ(convert_bytes(b.data, b.len, "warm.txt", &r, NULL), WY_OK); /* opens the blob store */
	r_free(&r);
	/* Cut at every length from 1 to 400 bytes: the boxes always follow
	 * the text that is kept, separators and a cut inside a line too. */
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	o.page_width = 240;
	for (size_t cap = 1; cap <= 400; cap += 7) {
		o.max_page_text = cap;
		ASSERT_EQ(convert_bytes_opts(b.data, b.len, &o, &r, NULL), WY_OK);
		ASSERT_EQ(r.pages, 1);
		size_t boxed = 0, edge = 0;
		const char *why = boxes_problem(&r, &boxed, &edge);
		if (why)
			printf("  cap %zu: %s\n", cap, why);
		ASSERT(!why);
		ASSERT(strlen(r.texts[0]) <= cap);
		ASSERT(strlen(r.texts[0]) + 4 > cap); /* cut on a character, not dropped */
		r_free(&r);
	}
	/* Boxes past their own cap: the page keeps its text and has none. */
	o.max_page_text = 4u << 20;
	o.max_page_boxes = 64;
	ASSERT_EQ(convert_bytes_opts(b.data, b.len, &o, &r, NULL), WY_OK);
	ASSERT(strlen(r.texts[0]) > 1000);
	ASSERT_EQ(r.nbox[0], 0);
	ASSERT(!r.boxes[0]);
	r_free(&r);
	wy_buf_free(&b);
}

/* Every document of the shared corpus MuPDF converts: boxes for every
 * page's text, in step with it, inside the page. Also prints what the
 * boxes cost next to the text. */
TEST(boxes_of_the_corpus)
{
	const char *corpus = getenv("WY_CORPUS");
	char *manifest = wy_xasprintf("%s/MANIFEST.tsv", corpus ? corpus : "");
	wy_buf m;
	if (!corpus || wy_file_read(manifest, 0, &m)) {
		printf("  skipped: no corpus (WY_CORPUS)\n");
		free(manifest);
		return;
	}
	free(manifest);
	static const char *formats[] = {"pdf", "epub", "txt", "xps", "fb2", "cbz", "html"};
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	o.max_pages = 64;     /* what result holds */
	o.page_width = 240;   /* boxes do not depend on the image size */
	int docs = 0, failed = 0;
	size_t boxed = 0, edge = 0, text_bytes = 0, box_bytes = 0, pages = 0;
	char *save = NULL;
	for (char *line = strtok_r(m.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* path, format, source repository, source path, commit, licence,
		 * language, expectation: documents that are to convert (not
		 * the malformed ones, among them bombs that take minutes) */
		char path[512], format[16], expect[32];
		if (sscanf(line, "%511[^\t]\t%15[^\t]\t%*[^\t]\t%*[^\t]\t%*[^\t]\t%*[^\t]\t%*[^\t]\t%31[^\t]", path,
			   format, expect) != 3 ||
		    strcmp(expect, "convert") != 0)
			continue;
		bool ours = false;
		for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
			ours |= strcmp(format, formats[i]) == 0;
		if (!ours)
			continue;
		char *full = wy_xasprintf("%s/%s", corpus, path);
		result r;
		wy_errinfo ei = {0};
		int64_t t0 = wy_now_ms();
		int rc = convert_path_opts(full, &o, &r, &ei);
		int64_t ms = wy_now_ms() - t0;
		free(full);
		if (rc) {
			failed++;
			r_free(&r);
			continue;
		}
		docs++;
		size_t tb = 0, bb = 0, e0 = edge;
		const char *why = boxes_problem(&r, &boxed, &edge);
		if (why)
			printf("  %s: %s\n", path, why);
		ASSERT(!why);
		for (int i = 0; i < r.pages; i++) {
			tb += strlen(r.texts[i]);
			bb += r.nbox[i];
		}
		if (edge - e0)
			printf("  %s: %zu characters stick out of the page\n", path, edge - e0);
		if (getenv("WY_BOXES_VERBOSE"))
			printf("  %-72s %3d pages %7zu B text %8zu B boxes %5lld ms\n", path, r.pages, tb, bb,
			       (long long)ms);
		text_bytes += tb;
		box_bytes += bb;
		pages += (size_t)r.pages;
		r_free(&r);
	}
	wy_buf_free(&m);
	printf("  %d documents (%zu pages) converted, %d failed; %zu characters boxed, %zu at the page's edge;"
	       " %zu bytes of text, %zu of boxes\n",
	       docs, pages, failed, boxed, edge, text_bytes, box_bytes);
	ASSERT(docs > 40);
	ASSERT(boxed > 100000);
	ASSERT(edge < boxed / 100); /* a few characters of a few files stick out of their page */
}

TEST(epub_converts)
{
	const char *entries[] = {
		"mimetype", "application/epub+zip",
		"META-INF/container.xml",
		"<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
		"<rootfiles><rootfile full-path=\"c.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>",
		"c.opf",
		"<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\" unique-identifier=\"i\">"
		"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>电子书标题</dc:title>"
		"<dc:identifier id=\"i\">x</dc:identifier></metadata>"
		"<manifest><item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
		"<spine><itemref idref=\"a\"/></spine></package>",
		"a.xhtml",
		"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>第一章 电子书正文</p></body></html>",
		NULL};
	char path[600];
	snprintf(path, sizeof path, "%s/book.bin", wy_test_tmpdir("convert-epub"));
	ASSERT_EQ(testdoc_zip(path, entries), 0);
	result r;
	wy_errinfo ei = {0};
	int rc = convert_path(path, &r, &ei);
	if (rc)
		printf("  %s\n", ei.msg);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_STR_EQ(r.format, "epub");
	ASSERT_CONTAINS(r.texts[0], "第一章 电子书正文");
	ASSERT_STR_EQ(r.title, "电子书标题");
	r_free(&r);
}

TEST(passwords)
{
	char *html = chinese_html();
	char *d = wy_test_tmpdir("convert-pw");
	char user[600], owner[600];
	snprintf(user, sizeof user, "%s/user.pdf", d);
	snprintf(owner, sizeof owner, "%s/owner.pdf", d);
	ASSERT_EQ(testdoc_pdf(html, user, NULL, "secret", "owner"), 1);
	ASSERT_EQ(testdoc_pdf(html, owner, NULL, NULL, "owner"), 1);
	free(html);
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(user, &r, &ei), WY_EPASSWORD);
	ASSERT_STR_EQ(ei.msg, "password-protected");
	ASSERT_EQ(r.pages, 0);
	r_free(&r);
	/* An owner password only restricts printing and copying: it opens. */
	ASSERT_EQ(convert_path(owner, &r, NULL), WY_OK);
	ASSERT_CONTAINS(r.texts[0], PARA);
	r_free(&r);
}

TEST(unrecognized_office_and_broken)
{
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_bytes("\x7f" "ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0", 20, "x.docx", &r, &ei), WY_EFORMAT);
	ASSERT_STR_EQ(ei.msg, "unrecognized format");
	memset(&ei, 0, sizeof ei);
	ASSERT_EQ(convert_bytes("", 0, "empty.pdf", &r, &ei), WY_EEMPTY);
	ASSERT_CONTAINS(ei.msg, "empty");
	memset(&ei, 0, sizeof ei);
	/* Office documents are the office converter's (test_office). */
	ASSERT_EQ(convert_bytes("{\\rtf1 hello}", 13, "a.rtf", &r, &ei), WY_EOFFICE);
	ASSERT_STR_EQ(ei.msg, "rtf");
	ASSERT_STR_EQ(r.format, "rtf");
	memset(&ei, 0, sizeof ei);
	/* A PDF header and nothing else: a reason, not a crash. */
	int rc = convert_bytes("%PDF-1.4\n1 0 obj <<>> endobj\n", 29, "bad.pdf", &r, &ei);
	ASSERT_EQ(rc, WY_ECORRUPT);
	ASSERT(ei.msg[0]);
}

TEST(truncated_pdf_never_crashes)
{
	char *html = chinese_html();
	char path[600];
	snprintf(path, sizeof path, "%s/t.pdf", wy_test_tmpdir("convert-trunc"));
	ASSERT_EQ(testdoc_pdf(html, path, NULL, NULL, NULL), 1);
	free(html);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
	int ready = 0, failed = 0;
	for (size_t cut = 64; cut < b.len; cut += b.len / 9) {
		result r;
		wy_errinfo ei = {0};
		int rc = convert_bytes(b.data, cut, "t.pdf", &r, &ei);
		if (rc == WY_OK)
			ready++;
		else {
			ASSERT(ei.msg[0]);
			failed++;
		}
		r_free(&r);
	}
	printf("  truncated copies: %d converted (repaired), %d failed with a reason\n", ready, failed);
	wy_buf_free(&b);
}

/* ---- outlines ---- */

/* An entry of an outline the tests write into a PDF: page is 0-based; -1
 * makes a destination that is no page of the document (page 1000), -2 a
 * link to a web site. */
typedef struct oitem {
	const char *title;
	int page, depth;
} oitem;

enum { OUTLINE_PLAIN, OUTLINE_CYCLE };

/* Copy the PDF at src to dst with an outline of n entries (depths as a
 * tree in reading order: each entry at most one level below the one
 * before it). OUTLINE_CYCLE points the last top-level entry's Next back at
 * the first. Returns 0, or -1. */
static int pdf_with_outline(const char *src, const char *dst, const oitem *items, int n, int mode)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	pdf_obj **last = calloc((size_t)n + 2, sizeof *last); /* the last entry at each depth */
	int rc = 0;
	fz_try(ctx)
	{
		pdf_document *doc = pdf_open_document(ctx, src);
		pdf_obj *root = pdf_add_new_dict(ctx, doc, 4), *top = NULL;
		pdf_dict_put(ctx, root, PDF_NAME(Type), PDF_NAME(Outlines));
		for (int i = 0; i < n; i++) {
			int d = items[i].depth;
			pdf_obj *parent = d == 0 ? root : last[d - 1];
			pdf_obj *it = pdf_add_new_dict(ctx, doc, 6);
			pdf_dict_put_text_string(ctx, it, PDF_NAME(Title), items[i].title);
			pdf_dict_put(ctx, it, PDF_NAME(Parent), parent);
			if (items[i].page == -2) {
				pdf_obj *a = pdf_dict_put_dict(ctx, it, PDF_NAME(A), 2);
				pdf_dict_put(ctx, a, PDF_NAME(S), PDF_NAME(URI));
				pdf_dict_put_string(ctx, a, PDF_NAME(URI), "https://example.org/", 20);
			} else {
				pdf_obj *dest = pdf_dict_put_array(ctx, it, PDF_NAME(Dest), 2);
				if (items[i].page >= 0)
					pdf_array_push(ctx, dest, pdf_lookup_page_obj(ctx, doc, items[i].page));
				else
					pdf_array_push_int(ctx, dest, 1000);
				pdf_array_push(ctx, dest, PDF_NAME(Fit));
			}
			/* a sibling after the last one at this depth under the same parent */
			pdf_obj *prev = last[d] && pdf_objcmp(ctx, pdf_dict_get(ctx, last[d], PDF_NAME(Parent)), parent) == 0
						? last[d] : NULL;
			if (prev) {
				pdf_dict_put(ctx, prev, PDF_NAME(Next), it);
				pdf_dict_put(ctx, it, PDF_NAME(Prev), prev);
			} else {
				pdf_dict_put(ctx, parent, PDF_NAME(First), it);
			}
			pdf_dict_put(ctx, parent, PDF_NAME(Last), it);
			pdf_drop_obj(ctx, last[d]);
			last[d] = it;
			pdf_drop_obj(ctx, last[d + 1]);
			last[d + 1] = NULL;
			if (d == 0 && !top)
				top = pdf_keep_obj(ctx, it);
		}
		if (mode == OUTLINE_CYCLE && top && last[0])
			pdf_dict_put(ctx, last[0], PDF_NAME(Next), top);
		pdf_dict_put(ctx, pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Root)), PDF_NAME(Outlines), root);
		pdf_drop_obj(ctx, top);
		pdf_drop_obj(ctx, root);
		pdf_write_options opts = pdf_default_write_options;
		pdf_save_document(ctx, doc, dst, &opts);
		pdf_drop_document(ctx, doc);
	}
	fz_catch(ctx)
	{
		fprintf(stderr, "pdf_with_outline: %s\n", fz_caught_message(ctx));
		rc = -1;
	}
	for (int i = 0; i < n + 2; i++)
		pdf_drop_obj(ctx, last[i]);
	free(last);
	fz_drop_context(ctx);
	return rc;
}

/* A PDF of pages pages ("第N页" on each) at path. */
static void pdf_of_pages(const char *path, int pages)
{
	wy_buf h;
	wy_buf_init(&h, 0);
	wy_buf_puts(&h, "<html><body>");
	for (int i = 1; i <= pages; i++)
		wy_buf_printf(&h, "<p%s>第%d页</p>", i > 1 ? " style=\"page-break-before:always\"" : "", i);
	wy_buf_puts(&h, "</body></html>");
	if (testdoc_pdf(h.data, path, NULL, NULL, NULL) != pages)
		abort();
	wy_buf_free(&h);
}

TEST(pdf_bookmarks_become_the_outline)
{
	char *d = wy_test_tmpdir("convert-outline");
	char *plain = wy_xasprintf("%s/plain.pdf", d), *marked = wy_xasprintf("%s/marked.pdf", d);
	pdf_of_pages(plain, 4);
	const oitem items[] = {
		{"第一章 总则", 0, 0},
		{"第一节\t范围\n（一）", 1, 1},   /* tab and line break become spaces */
		{"\xe2\x80\xae" "evil\x1b[31m", 1, 1}, /* a bidi override and ESC go */
		{"失效的书签", -1, 1},            /* no such page: left out */
		{"网址", -2, 1},                   /* a web link: left out */
		{"小节", 2, 2},
		{"第二章 附则", 3, 0},
	};
	ASSERT_EQ(pdf_with_outline(plain, marked, items, 7, OUTLINE_PLAIN), 0);
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(marked, &r, &ei), WY_OK);
	ASSERT_EQ(r.pages, 4);
	ASSERT_EQ(r.outline_calls, 1);
	ASSERT_EQ(r.outline.n, 5);
	ASSERT_STR_EQ(r.outline.items[0].title, "第一章 总则");
	ASSERT_EQ(r.outline.items[0].page, 1);
	ASSERT_EQ(r.outline.items[0].depth, 0);
	ASSERT_STR_EQ(r.outline.items[1].title, "第一节 范围 （一）");
	ASSERT_EQ(r.outline.items[1].page, 2);
	ASSERT_EQ(r.outline.items[1].depth, 1);
	ASSERT_STR_EQ(r.outline.items[2].title, "evil[31m");
	ASSERT_STR_EQ(r.outline.items[3].title, "小节");
	ASSERT_EQ(r.outline.items[3].page, 3);
	ASSERT_EQ(r.outline.items[3].depth, 2);
	ASSERT_STR_EQ(r.outline.items[4].title, "第二章 附则");
	ASSERT_EQ(r.outline.items[4].page, 4);
	ASSERT_EQ(r.outline.items[4].depth, 0);
	r_free(&r);
	/* no outline: no call */
	ASSERT_EQ(convert_path(plain, &r, &ei), WY_OK);
	ASSERT_EQ(r.outline_calls, 0);
	r_free(&r);
	free(plain);
	free(marked);
}

/* Outlines made to hurt: each converts, with an outline within the bounds
 * or none, and quickly. */
TEST(hostile_outlines_are_bounded)
{
	char *d = wy_test_tmpdir("convert-outline-hostile");
	char *plain = wy_xasprintf("%s/plain.pdf", d), *bad = wy_xasprintf("%s/bad.pdf", d);
	pdf_of_pages(plain, 2);
	result r;
	wy_errinfo ei = {0};

	/* 100000 levels deep (MuPDF's own loader recurses that deep): the
	 * first 9 levels, depths 0..8 */
	int n = 100000;
	oitem *items = calloc((size_t)n, sizeof *items);
	for (int i = 0; i < n; i++)
		items[i] = (oitem){"深", i % 2, i};
	ASSERT_EQ(pdf_with_outline(plain, bad, items, n, OUTLINE_PLAIN), 0);
	ASSERT_EQ(convert_path(bad, &r, &ei), WY_OK);
	ASSERT_EQ(r.pages, 2);
	ASSERT_EQ(r.outline.n, WY_OUTLINE_DEPTH_MAX + 1);
	for (int i = 0; i < r.outline.n; i++)
		ASSERT_EQ(r.outline.items[i].depth, i);
	r_free(&r);

	/* 12 levels: the first 9 (depths 0..8) are kept */
	ASSERT_EQ(pdf_with_outline(plain, bad, items, 12, OUTLINE_PLAIN), 0);
	ASSERT_EQ(convert_path(bad, &r, &ei), WY_OK);
	ASSERT_EQ(r.outline.n, WY_OUTLINE_DEPTH_MAX + 1);
	ASSERT_EQ(r.outline.items[WY_OUTLINE_DEPTH_MAX].depth, WY_OUTLINE_DEPTH_MAX);
	r_free(&r);

	/* 5000 entries: the first 1000 */
	for (int i = 0; i < 5000; i++)
		items[i] = (oitem){"条目", i % 2, 0};
	ASSERT_EQ(pdf_with_outline(plain, bad, items, 5000, OUTLINE_PLAIN), 0);
	ASSERT_EQ(convert_path(bad, &r, &ei), WY_OK);
	ASSERT_EQ(r.outline.n, WY_OUTLINE_MAX);
	r_free(&r);

	/* a cycle of siblings: stops */
	ASSERT_EQ(pdf_with_outline(plain, bad, items, 3, OUTLINE_CYCLE), 0);
	ASSERT_EQ(convert_path(bad, &r, &ei), WY_OK);
	ASSERT_EQ(r.pages, 2);
	ASSERT(r.outline.n <= 3);
	r_free(&r);

	/* a title of 3000 bytes: cut at 200 bytes on a character boundary */
	wy_buf t;
	wy_buf_init(&t, 0);
	for (int i = 0; i < 1000; i++)
		wy_buf_puts(&t, "长");
	items[0] = (oitem){t.data, 1, 0};
	ASSERT_EQ(pdf_with_outline(plain, bad, items, 1, OUTLINE_PLAIN), 0);
	ASSERT_EQ(convert_path(bad, &r, &ei), WY_OK);
	ASSERT_EQ(r.outline.n, 1);
	ASSERT_EQ(strlen(r.outline.items[0].title), 198); /* 66 characters of 3 bytes */
	ASSERT(wy_utf8_valid(r.outline.items[0].title, 198));
	r_free(&r);
	wy_buf_free(&t);

	/* an EPUB whose table of contents nests 100 levels: depths 0..8 */
	wy_buf ncx;
	wy_buf_init(&ncx, 0);
	wy_buf_puts(&ncx, "<?xml version=\"1.0\"?><ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">"
			  "<navMap>");
	for (int i = 0; i < 100; i++)
		wy_buf_printf(&ncx, "<navPoint id=\"p%d\"><navLabel><text>层%d</text></navLabel><content src=\"a.xhtml\"/>",
			      i, i);
	for (int i = 0; i < 100; i++)
		wy_buf_puts(&ncx, "</navPoint>");
	wy_buf_puts(&ncx, "</navMap></ncx>");
	const char *entries[] = {
		"mimetype", "application/epub+zip",
		"META-INF/container.xml",
		"<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
		"<rootfiles><rootfile full-path=\"c.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>",
		"c.opf",
		"<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\"><metadata/>"
		"<manifest><item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/>"
		"<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/></manifest>"
		"<spine toc=\"ncx\"><itemref idref=\"a\"/></spine></package>",
		"toc.ncx", ncx.data,
		"a.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>正文</p></body></html>",
		NULL};
	char *epub = wy_xasprintf("%s/deep.epub", d);
	ASSERT_EQ(testdoc_zip(epub, entries), 0);
	ASSERT_EQ(convert_path(epub, &r, &ei), WY_OK);
	ASSERT_EQ(r.outline.n, WY_OUTLINE_DEPTH_MAX + 1);
	ASSERT_EQ(r.outline.items[WY_OUTLINE_DEPTH_MAX].depth, WY_OUTLINE_DEPTH_MAX);
	ASSERT_STR_EQ(r.outline.items[WY_OUTLINE_DEPTH_MAX].title, "层8");
	r_free(&r);
	wy_buf_free(&ncx);
	free(epub);
	free(items);
	free(plain);
	free(bad);
}

/* What the worker's parent takes from a child: exactly what the bounds
 * allow, nothing else. */
TEST(outline_records_are_checked)
{
	wy_outline o = {0};
	const char *good = "1 0 一\n3 1 二\n";
	ASSERT_EQ(wy_outline_decode(good, strlen(good), 3, &o), WY_OK);
	ASSERT_EQ(o.n, 2);
	ASSERT_STR_EQ(o.items[1].title, "二");
	const char *bad[] = {
		"4 0 past the last page\n", "0 0 page zero\n", "1 9 too deep\n", "1 0 \n", "1 0 no newline",
		"1 0  leading space\n", "1 0 a\x1b" "b\n", "1 0 \xff\n", "-1 0 x\n", "1 -1 x\n", "1 0 a\rb\n",
		"1234567890 0 x\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ASSERT_EQ(wy_outline_decode(bad[i], strlen(bad[i]), 3, &o), WY_EINVAL);
		ASSERT_EQ(o.n, 0);
	}
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 0; i <= WY_OUTLINE_MAX; i++)
		wy_buf_puts(&b, "1 0 x\n");
	ASSERT_EQ(wy_outline_decode(b.data, b.len, 3, &o), WY_EINVAL);
	b.len -= 6;
	ASSERT_EQ(wy_outline_decode(b.data, b.len, 3, &o), WY_OK);
	ASSERT_EQ(o.n, WY_OUTLINE_MAX);
	wy_buf_free(&b);
	wy_outline_free(&o);
}

TEST(epub_toc_becomes_the_outline)
{
	/* an EPUB 2 table of contents (NCX), two chapters, the second with
	 * a section; each chapter starts a page */
	wy_buf ch2;
	wy_buf_init(&ch2, 0);
	wy_buf_puts(&ch2, "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>第二章</h1>");
	for (int i = 0; i < 80; i++)
		wy_buf_printf(&ch2, "<p>%s</p>", PARA);
	wy_buf_puts(&ch2, "<h2 id=\"s\">第二章第一节</h2><p>节文</p></body></html>");
	const char *entries[] = {
		"mimetype", "application/epub+zip",
		"META-INF/container.xml",
		"<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
		"<rootfiles><rootfile full-path=\"c.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>",
		"c.opf",
		"<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\" unique-identifier=\"i\">"
		"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>目录书</dc:title>"
		"<dc:identifier id=\"i\">x</dc:identifier></metadata>"
		"<manifest><item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/>"
		"<item id=\"b\" href=\"b.xhtml\" media-type=\"application/xhtml+xml\"/>"
		"<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/></manifest>"
		"<spine toc=\"ncx\"><itemref idref=\"a\"/><itemref idref=\"b\"/></spine></package>",
		"toc.ncx",
		"<?xml version=\"1.0\"?><ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\"><navMap>"
		"<navPoint id=\"p1\"><navLabel><text>第一章</text></navLabel><content src=\"a.xhtml\"/></navPoint>"
		"<navPoint id=\"p2\"><navLabel><text>第二章</text></navLabel><content src=\"b.xhtml\"/>"
		"<navPoint id=\"p3\"><navLabel><text>第二章第一节</text></navLabel><content src=\"b.xhtml#s\"/></navPoint>"
		"</navPoint></navMap></ncx>",
		"a.xhtml",
		"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>第一章</h1><p>正文</p></body></html>",
		"b.xhtml", ch2.data,
		NULL};
	char path[600];
	snprintf(path, sizeof path, "%s/toc.epub", wy_test_tmpdir("convert-epub-toc"));
	ASSERT_EQ(testdoc_zip(path, entries), 0);
	wy_buf_free(&ch2);
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(path, &r, &ei), WY_OK);
	printf("  %d pages; outline:", r.pages);
	for (int i = 0; i < r.outline.n; i++)
		printf(" [%s p%d d%d]", r.outline.items[i].title, r.outline.items[i].page, r.outline.items[i].depth);
	printf("\n");
	ASSERT(r.pages >= 3);
	ASSERT_EQ(r.outline.n, 3);
	ASSERT_STR_EQ(r.outline.items[0].title, "第一章");
	ASSERT_EQ(r.outline.items[0].page, 1);
	ASSERT_EQ(r.outline.items[0].depth, 0);
	ASSERT_STR_EQ(r.outline.items[1].title, "第二章");
	ASSERT_EQ(r.outline.items[1].page, 2);
	ASSERT_STR_EQ(r.outline.items[2].title, "第二章第一节");
	ASSERT_EQ(r.outline.items[2].depth, 1);
	ASSERT_EQ(r.outline.items[2].page, r.pages); /* the section is on the last page */
	ASSERT_CONTAINS(r.texts[r.pages - 1], "第二章第一节");
	r_free(&r);
}

/* A real 公文 with bookmarks from the corpus (the only PDF of it with a
 * sizeable outline; the corpus's EPUBs have no table of contents). */
TEST(outline_of_a_corpus_pdf)
{
	const char *dir = getenv("WY_CORPUS");
	char *path = dir ? wy_xasprintf("%s/files/gongwen__out.pdf", dir) : NULL;
	if (!path || access(path, R_OK) != 0) {
		printf("  SKIP: no corpus\n");
		free(path);
		return;
	}
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(path, &r, &ei), WY_OK);
	printf("  %d pages, %d entries:", r.pages, r.outline.n);
	for (int i = 0; i < r.outline.n && i < 6; i++)
		printf(" [%s p%d d%d]", r.outline.items[i].title, r.outline.items[i].page, r.outline.items[i].depth);
	printf("\n");
	ASSERT_EQ(r.outline.n, 55);
	ASSERT_STR_EQ(r.outline.items[0].title, "测试文段");
	ASSERT_EQ(r.outline.items[0].page, 1);
	for (int i = 0; i < r.outline.n; i++)
		ASSERT(r.outline.items[i].page >= 1 && r.outline.items[i].page <= r.pages);
	r_free(&r);
	free(path);
}

/* MuPDF's HTML, XHTML and FictionBook readers resolve a document's paths on
 * the filesystem: a process that is not confined refuses them. */
TEST(html_needs_a_confined_converter)
{
	char *path = wy_xasprintf("%s/page.html", wy_test_tmpdir("convert-html"));
	FILE *f = fopen(path, "w");
	ASSERT(f);
	fputs("<!DOCTYPE html><html><body><p>hello</p><img src=\"../../../../etc/x.png\"/></body></html>", f);
	fclose(f);
	result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert_path(path, &r, &ei), WY_ENOTSUP);
	ASSERT_CONTAINS(ei.msg, "confined");
	ASSERT_EQ(r.pages, 0);
	r_free(&r);
	free(path);
}

TEST_LIST(T(html_needs_a_confined_converter), T(chinese_pdf_pages_text_images), T(text_pages_look_like_the_page),
	  T(colour_pages_keep_their_colour),
	  T(gbk_and_big5_text_become_utf8_pages), T(page_text_keeps_no_hidden_controls), T(long_text_is_laid_out_over_pages), T(text_is_capped_per_page_and_per_document),
	  T(epub_converts), T(passwords), T(unrecognized_office_and_broken), T(truncated_pdf_never_crashes),
	  T(boxes_mark_where_the_characters_are), T(boxes_of_the_samples),
	  T(boxes_follow_the_text_caps), T(boxes_of_the_corpus), T(pdf_bookmarks_become_the_outline),
	  T(hostile_outlines_are_bounded), T(outline_records_are_checked), T(epub_toc_becomes_the_outline),
	  T(outline_of_a_corpus_pdf))

/* Conversion tests, in-process (the sandbox is tested in test_worker):
 * pages, images, text and titles from documents the tests make. */
#include "blob/blob.h"
#include "convert/convert.h"
#include "core/util.h"
#include "test.h"
#include "testdoc.h"
#include "text/boxes.h"
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

static void r_free(result *r)
{
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
	wy_convert_sink s = {r, r_image, r_format, r_count, r_page, r_thumb, r_meta, NULL, NULL};
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
	wy_convert_sink s = {r, r_image, r_format, r_count, r_page, r_thumb, r_meta, NULL, NULL};
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

TEST_LIST(T(html_needs_a_confined_converter), T(chinese_pdf_pages_text_images), T(colour_pages_keep_their_colour),
	  T(gbk_and_big5_text_become_utf8_pages), T(page_text_keeps_no_hidden_controls), T(long_text_is_laid_out_over_pages), T(text_is_capped_per_page_and_per_document),
	  T(epub_converts), T(passwords), T(unrecognized_office_and_broken), T(truncated_pdf_never_crashes),
	  T(boxes_mark_where_the_characters_are), T(boxes_of_the_samples),
	  T(boxes_follow_the_text_caps), T(boxes_of_the_corpus))

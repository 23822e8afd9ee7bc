/* Conversion tests, in-process (the sandbox is tested in test_worker):
 * pages, images, text and titles from documents the tests make. */
#include "blob/blob.h"
#include "convert/convert.h"
#include "core/util.h"
#include "test.h"
#include "testdoc.h"

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
static int r_page(void *c, int no, const char *sha, int w, int h, const char *text)
{
	result *r = c;
	if (no != r->pages + 1 || r->pages >= 64)
		return WY_EINVAL;
	r->texts[r->pages] = wy_xstrdup(text);
	snprintf(r->shas[r->pages], 65, "%s", sha);
	r->w[r->pages] = w;
	r->h[r->pages] = h;
	r->pages++;
	return 0;
}

static void r_free(result *r)
{
	for (int i = 0; i < r->pages; i++)
		free(r->texts[i]);
	free(r->title);
	free(r->author);
	memset(r, 0, sizeof *r);
}

static wy_blob_store *bs;
static char *dir;

static int convert_path(const char *path, result *r, wy_errinfo *ei)
{
	if (!bs) {
		dir = wy_xstrdup(wy_test_tmpdir("convert"));
		char *b = wy_xasprintf("%s/blobs", dir);
		if (wy_blob_open(b, &bs, NULL))
			abort();
		free(b);
	}
	memset(r, 0, sizeof *r);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	wy_convert_sink s = {r, r_format, r_count, r_page, r_thumb, r_meta};
	return wy_convert_file(path, bs, &o, &s, ei);
}

static int convert_bytes_opts(const void *data, size_t len, const wy_convert_opts *o, result *r, wy_errinfo *ei)
{
	char *path = wy_xasprintf("%s/capped.txt", wy_test_tmpdir("convert-in"));
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
	memset(r, 0, sizeof *r);
	wy_convert_sink s = {r, r_format, r_count, r_page, r_thumb, r_meta};
	int rc = wy_convert_file(path, bs, o, &s, ei);
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

TEST(title_choice)
{
	char *t = wy_convert_pick_title("  Real Title ", "first line", "f.pdf");
	ASSERT_STR_EQ(t, "Real Title");
	free(t);
	t = wy_convert_pick_title("Microsoft Word - 年度报告.doc", NULL, "f.pdf");
	ASSERT_STR_EQ(t, "年度报告");
	free(t);
	t = wy_convert_pick_title("C:\\Users\\sarah\\Desktop\\document\\DEF.txt", NULL, "f.pdf");
	ASSERT_STR_EQ(t, "DEF");
	free(t);
	t = wy_convert_pick_title("untitled", "\n  第一行标题\n第二行", "f.pdf");
	ASSERT_STR_EQ(t, "第一行标题");
	free(t);
	t = wy_convert_pick_title(NULL, "", "/tmp/季度总结.final.pdf");
	ASSERT_STR_EQ(t, "季度总结.final");
	free(t);
	/* a long first line is cut on a character boundary */
	char longline[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(longline, "标题");
	t = wy_convert_pick_title(NULL, longline, "x");
	ASSERT(strlen(t) <= 80);
	ASSERT_EQ(strlen(t) % 3, 0);
	free(t);
}

TEST_LIST(T(chinese_pdf_pages_text_images), T(colour_pages_keep_their_colour), T(gbk_and_big5_text_become_utf8_pages), T(long_text_is_laid_out_over_pages), T(text_is_capped_per_page_and_per_document),
	  T(epub_converts), T(passwords), T(unrecognized_office_and_broken), T(truncated_pdf_never_crashes),
	  T(title_choice))

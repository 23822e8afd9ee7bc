/* MOBI, AZW3 and Markdown tests, in-process: sniffing, unpacking, the
 * caps, DRM, hostile bytes, Markdown's safety, and, where the shared
 * corpus is present, its Kindle books settling as MANIFEST.formats.tsv
 * says. The small books are built here (tiny_mobi), not copied. */
#include "convert/convert.h"
#include "convert/markdown.h"
#include "convert/mobi.h"
#include "convert/sniff.h"
#include "core/util.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- a book built from scratch ----------------------------------------- */

static void be16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8), p[1] = (unsigned char)v; }
static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
	p[3] = (unsigned char)v;
}

typedef struct tiny_opts {
	unsigned version;      /* MOBI file version: 6, or 8 for KF8 (AZW3) */
	unsigned encryption;   /* PalmDOC header: 0 none, 1 or 2 DRM */
	unsigned text_records; /* declared; the file holds one */
} tiny_opts;

/* A Mobipocket book of one uncompressed text record holding html, with
 * "Tiny book" as its full name: a Palm database header, the record list,
 * record 0 (PalmDOC header, a 232-byte MOBI header with every index "not
 * set", the name) and the text. Returns the length written into out. */
static size_t tiny_mobi(const char *html, const tiny_opts *t, unsigned char *out, size_t cap)
{
	static const char name[] = "Tiny book";
	size_t hl = 232, nlen = sizeof name - 1, tlen = strlen(html);
	size_t r0len = (16 + hl + nlen + 2 + 3) & ~(size_t)3;
	size_t r0off = 78 + 2 * 8 + 2, r1off = r0off + r0len, total = r1off + tlen;
	if (total > cap)
		abort();
	memset(out, 0, total);
	memcpy(out, "tiny", 4);
	memcpy(out + 60, "BOOKMOBI", 8);
	be16(out + 76, 2);
	be32(out + 78, (uint32_t)r0off);
	be32(out + 86, (uint32_t)r1off);
	out[86 + 4 + 3] = 2; /* uid 2 */
	unsigned char *r0 = out + r0off;
	be16(r0, 1);                           /* no compression */
	be32(r0 + 4, (uint32_t)tlen);          /* text length */
	be16(r0 + 8, t->text_records ? t->text_records : 1);
	be16(r0 + 10, 4096);                   /* record size */
	be16(r0 + 12, t->encryption);
	unsigned char *mh = r0 + 16;
	memset(mh, 0xff, hl);
	memcpy(mh, "MOBI", 4);
	be32(mh + 4, (uint32_t)hl);
	be32(mh + 8, 2);                       /* a book */
	be32(mh + 12, 65001);                  /* UTF-8 */
	be32(mh + 16, 1234);
	be32(mh + 20, t->version ? t->version : 6);
	be32(r0 + 80, 2);                      /* first non-book record */
	be32(r0 + 84, (uint32_t)(16 + hl));    /* full name */
	be32(r0 + 88, (uint32_t)nlen);
	be32(r0 + 92, 9);
	be32(r0 + 96, 0);
	be32(r0 + 100, 0);
	be32(r0 + 104, 6);
	be32(r0 + 108, 2);                     /* first image record */
	be32(r0 + 116, 0);                     /* no HUFF records */
	be32(r0 + 124, 0);
	memset(r0 + 128, 0, 164 - 128);        /* no EXTH */
	memset(r0 + 164, 0, 4);
	memset(r0 + 172, 0, 20);               /* no DRM */
	be16(r0 + 192, 1);
	be16(r0 + 194, 1);
	be32(r0 + 196, 1);
	be32(r0 + 204, 0);
	be32(r0 + 212, 0);
	memset(r0 + 240, 0, 4);                /* no trailing entries */
	memcpy(r0 + 16 + hl, name, nlen);
	memcpy(out + r1off, html, tlen);
	return total;
}

/* ---- a sink that keeps what matters here ------------------------------- */

typedef struct got {
	char format[16];
	int pages, images;
	size_t image_bytes;
	wy_buf text;
	char *title, *author;
} got;

static int g_image(void *c, const void *webp, size_t len, char sha[65])
{
	got *g = c;
	(void)webp;
	g->images++;
	g->image_bytes += len;
	snprintf(sha, 65, "%064d", g->images);
	return 0;
}
static int g_format(void *c, const char *f) { snprintf(((got *)c)->format, 16, "%s", f); return 0; }
static int g_count(void *c, int n) { (void)c, (void)n; return 0; }
static int g_page(void *c, int no, const char *sha, int w, int h, const char *text, const unsigned char *boxes,
		  size_t boxes_len)
{
	got *g = c;
	(void)no, (void)sha, (void)w, (void)h, (void)boxes, (void)boxes_len;
	g->pages++;
	wy_buf_puts(&g->text, text);
	wy_buf_puts(&g->text, "\n");
	return 0;
}
static int g_thumb(void *c, const char *sha) { (void)c, (void)sha; return 0; }
static int g_meta(void *c, const char *t, const char *a)
{
	got *g = c;
	g->title = t ? wy_xstrdup(t) : NULL;
	g->author = a ? wy_xstrdup(a) : NULL;
	return 0;
}

static int convert(const void *data, size_t len, const char *name, got *g, wy_errinfo *ei)
{
	memset(g, 0, sizeof *g);
	wy_buf_init(&g->text, 0);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	o.name_hint = name;
	wy_convert_sink s = {g, g_image, g_format, g_count, g_page, g_thumb, g_meta, NULL, NULL, NULL};
	return wy_convert_buf(data, len, &o, &s, ei);
}

static void got_free(got *g)
{
	wy_buf_free(&g->text);
	free(g->title);
	free(g->author);
}

static const char book_html[] = "<html><head></head><body><h1>Tiny book</h1>"
				"<p>Hello from a MOBI. 你好，世界。</p></body></html>";

/* ---- tests ------------------------------------------------------------- */

TEST(sniffs_mobi_and_azw3)
{
	unsigned char b[4096];
	wy_sniff s;
	size_t n = tiny_mobi(book_html, &(tiny_opts){0}, b, sizeof b);
	wy_sniff_buf(b, n, &s);
	ASSERT_STR_EQ(s.format, "mobi");
	ASSERT_EQ(s.family, WY_FAMILY_MOBI);
	n = tiny_mobi(book_html, &(tiny_opts){.version = 8}, b, sizeof b);
	wy_sniff_buf(b, n, &s);
	ASSERT_STR_EQ(s.format, "azw3");
	/* a record 0 offset past the end: still a MOBI by its type */
	be32(b + 78, 0xfffffff0u);
	wy_sniff_buf(b, n, &s);
	ASSERT_STR_EQ(s.format, "mobi");
	/* PalmDOC text without a MOBI header nor a known compression: not a book */
	memcpy(b + 60, "TEXtREAd", 8);
	wy_sniff_buf(b, 90, &s);
	ASSERT(s.format == NULL || strcmp(s.format, "mobi") != 0);
}

TEST(converts_a_tiny_book)
{
	unsigned char b[4096];
	size_t n = tiny_mobi(book_html, &(tiny_opts){0}, b, sizeof b);
	got g;
	wy_errinfo ei = {0};
	int rc = convert(b, n, "tiny.mobi", &g, &ei);
	if (rc)
		WY_FAIL_("rc %d: %s", rc, ei.msg);
	ASSERT_STR_EQ(g.format, "mobi");
	ASSERT_EQ(g.pages, 1);
	ASSERT(g.images >= 2); /* the page and its thumbnail */
	ASSERT_CONTAINS(g.text.data, "Hello from a MOBI. 你好，世界。");
	ASSERT_STR_EQ(g.title, "Tiny book");
	got_free(&g);
}

TEST(drm_fails_as_protected)
{
	unsigned char b[4096];
	size_t n = tiny_mobi(book_html, &(tiny_opts){.encryption = 2}, b, sizeof b);
	got g;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert(b, n, NULL, &g, &ei), WY_EPASSWORD);
	ASSERT_STR_EQ(ei.msg, "DRM-protected");
	got_free(&g);
}

/* 65535 text records of 4 KiB declared in a file of 500 bytes: refused
 * before libmobi allocates anything; and under a small cap, a real one. */
TEST(declared_text_is_capped)
{
	unsigned char b[4096];
	size_t n = tiny_mobi(book_html, &(tiny_opts){.text_records = 65535}, b, sizeof b);
	wy_book book;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_mobi_unpack(b, n, 32u << 20, &book, &ei), WY_ETOOBIG);
	ASSERT_EQ(book.nfiles, 0);
	n = tiny_mobi(book_html, &(tiny_opts){0}, b, sizeof b);
	ASSERT_EQ(wy_mobi_unpack(b, n, 1000, &book, &ei), WY_ETOOBIG);
	ASSERT_EQ(wy_mobi_unpack(b, n, 32u << 20, &book, &ei), WY_OK);
	ASSERT_EQ(book.nfiles, 1);
	ASSERT_STR_EQ(book.files[0].name, "part00000.html");
	ASSERT(book.files[0].spine);
	wy_book_free(&book);
	wy_book_free(&book); /* twice: a no-op */
}

/* Every truncation and a byte flipped at every offset: a reason, never a
 * crash (ASan builds check the reads). */
TEST(hostile_books_fail_with_a_reason)
{
	unsigned char b[4096], c[4096];
	size_t n = tiny_mobi(book_html, &(tiny_opts){0}, b, sizeof b);
	int failed = 0;
	for (size_t cut = 1; cut < n; cut++) {
		wy_book book;
		wy_errinfo ei = {0};
		int rc = wy_mobi_unpack(b, cut, 32u << 20, &book, &ei);
		if (rc) {
			ASSERT(ei.msg[0]);
			failed++;
		}
		wy_book_free(&book);
	}
	for (size_t at = 0; at < n; at++) {
		memcpy(c, b, n);
		c[at] ^= 0xA5;
		wy_book book;
		wy_errinfo ei = {0};
		if (wy_mobi_unpack(c, n, 32u << 20, &book, &ei))
			ASSERT(ei.msg[0]);
		wy_book_free(&book);
	}
	ASSERT(failed > 0);
}

TEST(markdown_names)
{
	ASSERT(wy_markdown_name("a.md"));
	ASSERT(wy_markdown_name("/x/说明.Markdown"));
	ASSERT(wy_markdown_name("README.MD"));
	ASSERT(!wy_markdown_name("a.txt"));
	ASSERT(!wy_markdown_name("md"));
	ASSERT(!wy_markdown_name("a.md.txt"));
	ASSERT(!wy_markdown_name(NULL));
}

TEST(markdown_passes_no_html_nor_script_links)
{
	static const char md[] = "# 标题\n\n**粗** [x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) "
				 "[z](vbscript:x) [f](file:///etc/passwd) <span onclick=\"x\">raw</span>\n\n"
				 "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
				 "![p](data:text/html;base64,PHNjcmlwdD4=)\n\n[ok](https://example.com)\n";
	wy_buf html;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_markdown_to_html(md, sizeof md - 1, 1 << 20, &html, &ei), WY_OK);
	wy_buf_putc(&html, 0);
	ASSERT_CONTAINS(html.data, "<h1>标题</h1>");
	ASSERT_CONTAINS(html.data, "<strong>粗</strong>");
	ASSERT_CONTAINS(html.data, "href=\"https://example.com\"");
	static const char *const banned[] = {"<script", "javascript:", "JAVASCRIPT:", "vbscript:", "file:",
					     "onerror", "onclick", "<span", "data:text"};
	for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
		if (strstr(html.data, banned[i]))
			WY_FAIL_("\"%s\" passed: %s", banned[i], html.data);
	wy_buf_free(&html);
	ASSERT_EQ(wy_markdown_to_html(md, sizeof md - 1, 10, &html, &ei), WY_ETOOBIG);
}

TEST(markdown_by_name_only)
{
	static const char md[] = "# 会议纪要\n\n- 第一项\n- 第二项\n\n![img](../../../../etc/passwd)\n";
	got g;
	wy_errinfo ei = {0};
	ASSERT_EQ(convert(md, sizeof md - 1, "纪要.md", &g, &ei), WY_OK);
	ASSERT_STR_EQ(g.format, "md");
	ASSERT_EQ(g.pages, 1);
	ASSERT_CONTAINS(g.text.data, "会议纪要");
	ASSERT_CONTAINS(g.text.data, "第二项");
	ASSERT(!strstr(g.text.data, "- 第一项")); /* laid out as a list, not as source */
	ASSERT(!strstr(g.text.data, "root:"));
	got_free(&g);
	/* the same bytes under another name are text */
	ASSERT_EQ(convert(md, sizeof md - 1, "纪要.txt", &g, &ei), WY_OK);
	ASSERT_STR_EQ(g.format, "txt");
	ASSERT_CONTAINS(g.text.data, "# 会议纪要");
	got_free(&g);
}

/* The Kindle books of MANIFEST.formats.tsv settle as it says. */
TEST(corpus_books_settle_as_the_manifest_says)
{
	const char *corpus = getenv("WY_CORPUS");
	char path[1200];
	snprintf(path, sizeof path, "%s/MANIFEST.formats.tsv", corpus ? corpus : "");
	wy_buf m;
	if (!corpus || wy_file_read(path, 0, &m) != WY_OK) {
		printf("  skipped: no corpus (WY_CORPUS)\n");
		return;
	}
	wy_buf_putc(&m, 0);
	int seen = 0;
	for (char *line = m.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *f[9] = {0};
		int k = 0;
		for (char *p = line; p && k < 9; k++) {
			f[k] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
		}
		if (k < 8 || (strcmp(f[1], "mobi") && strcmp(f[1], "azw3")))
			continue;
		snprintf(path, sizeof path, "%s/%s", corpus, f[0]);
		wy_buf b;
		ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
		got g;
		wy_errinfo ei = {0};
		int rc = convert(b.data, b.len, wy_basename(f[0]), &g, &ei);
		printf("  %s (%s): rc=%d pages=%d images=%d text=%zu title=\"%s\" author=\"%s\" %s\n",
		       wy_basename(f[0]), f[7], rc, g.pages, g.images, g.text.len, g.title ? g.title : "",
		       g.author ? g.author : "", ei.msg);
		if (!strcmp(f[7], "convert") || !strcmp(f[7], "edge")) {
			ASSERT_EQ(rc, WY_OK);
			ASSERT(g.pages > 0 && g.text.len > 20 && g.images > g.pages);
			ASSERT(!strcmp(g.format, "mobi") || !strcmp(g.format, "azw3"));
		} else if (!strcmp(f[7], "encrypted")) {
			ASSERT_EQ(rc, WY_EPASSWORD);
		} else if (!strcmp(f[7], "reject-malformed")) {
			ASSERT(rc != WY_OK && ei.msg[0]);
		}
		got_free(&g);
		wy_buf_free(&b);
		seen++;
	}
	wy_buf_free(&m);
	ASSERT(seen >= 6);
}

TEST_LIST(T(sniffs_mobi_and_azw3), T(converts_a_tiny_book), T(drm_fails_as_protected), T(declared_text_is_capped),
	  T(hostile_books_fail_with_a_reason), T(markdown_names), T(markdown_passes_no_html_nor_script_links),
	  T(markdown_by_name_only), T(corpus_books_settle_as_the_manifest_says))

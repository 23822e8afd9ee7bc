/* OCR tests: a scan the test makes itself (a Chinese text laid out as a
 * PDF, rasterised at 200 dpi, turned 1.5 degrees, with noise, written as an
 * image-only PDF and as a PNG) goes through the real worker, in its
 * sandboxed, confined child, and must come out as page text close to the
 * source, with character boxes where a search marks its hits. A text PDF is
 * never recognised; with ocr off a scan has no text. */
#include "convert/convert.h"
#include "convert/ocr.h"
#include "core/config.h"
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "testdoc.h"
#include "testenv.h"
#include "text/boxes.h"
#include "text/query.h"
#include "text/utf8.h"
#include "view/views.h"

#include <stdlib.h>
#include <unistd.h>

#define SOURCE WY_SOURCE_DIR "/samples/文渊阁记.txt"

static bool is_han(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

/* The share of the distinct Han bigrams of src (two Han characters next
 * to each other) that occur unbroken in text. */
static double bigram_share(const char *src, const char *text, int *total)
{
	wy_buf seen;
	wy_buf_init(&seen, 0);
	int all = 0, found = 0;
	const char *p = src, *end = src + strlen(src), *prev = NULL;
	uint32_t pcp = 0;
	while (p < end) {
		const char *at = p;
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			break;
		if (prev && is_han(pcp) && is_han((uint32_t)cp)) {
			char bg[16];
			size_t n = (size_t)(p - prev);
			memcpy(bg, prev, n);
			bg[n] = 0;
			/* distinct: seen holds "|bigram|" entries */
			char key[20];
			snprintf(key, sizeof key, "|%s|", bg);
			if (!seen.data || !strstr(seen.data, key)) {
				wy_buf_puts(&seen, key);
				all++;
				found += strstr(text, bg) != NULL;
			}
		}
		prev = at;
		pcp = (uint32_t)cp;
	}
	wy_buf_free(&seen);
	*total = all;
	return all ? (double)found / all : 0;
}

/* The source laid out as the text converter lays a text file out: 11 pt
 * on A4, a paragraph a line, each copy on pages of its own. Returns the
 * page count. */
static int make_source_pdf_as(const char *path, int copies, int pt, bool break_copies);
static int make_source_pdf(const char *path, int copies) { return make_source_pdf_as(path, copies, 11, true); }

/* The same in pt-point type, the copies one after another when
 * break_copies is false (a page dense with text: slow to recognise). */
static int make_source_pdf_as(const char *path, int copies, int pt, bool break_copies)
{
	wy_buf src, html;
	if (wy_file_read(SOURCE, 0, &src))
		return -1;
	wy_buf_init(&html, 0);
	wy_buf_printf(&html,
		      "<html><head><style>body{font-size:%dpt;line-height:1.5}p{margin:0 0 6pt 0}</style></head>"
		      "<body lang=\"zh-CN\">",
		      pt);
	for (int c = 0; c < copies; c++) {
		const char *p = src.data, *end = src.data + src.len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			if (le > p) {
				wy_buf_puts(&html, "<p>");
				wy_buf_append(&html, p, (size_t)(le - p));
				wy_buf_puts(&html, "</p>");
			}
			p = nl ? nl + 1 : end;
		}
		if (c + 1 < copies && break_copies)
			wy_buf_puts(&html, "<p style=\"page-break-after:always\"></p>");
	}
	wy_buf_puts(&html, "</body></html>");
	int n = testdoc_pdf(html.data, path, NULL, NULL, NULL);
	wy_buf_free(&src);
	wy_buf_free(&html);
	return n;
}

static char *read_source(void)
{
	wy_buf b;
	if (wy_file_read(SOURCE, 0, &b))
		abort();
	return wy_buf_steal(&b);
}

/* All pages' text of a document, joined by line breaks. */
static char *doc_text(env *e, int64_t id, int npages)
{
	wy_buf all;
	wy_buf_init(&all, 0);
	for (int i = 1; i <= npages; i++) {
		wy_page p;
		if (wy_store_page_get(e->st, id, i, &p, NULL))
			continue;
		wy_buf_puts(&all, p.text ? p.text : "");
		wy_buf_putc(&all, '\n');
		wy_page_clear(&p);
	}
	return wy_buf_steal(&all);
}

static int64_t add_file(env *e, const char *path, const char *name)
{
	wy_buf b;
	if (wy_file_read(path, 0, &b))
		abort();
	int64_t id = add_doc(e, b.data, b.len, name);
	wy_buf_free(&b);
	return id;
}

TEST(a_scan_is_recognised_and_its_hits_marked)
{
	if (!wy_ocr_available()) {
		printf("  skipped: built without Tesseract\n");
		return;
	}
	env e;
	env_open(&e, "ocr");
	e.cfg.workers = 1;
	char src[700], scan[700], png[700];
	snprintf(src, sizeof src, "%s/source.pdf", e.dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", e.dir);
	snprintf(png, sizeof png, "%s/scan.png", e.dir);
	int copies = getenv("WY_OCR_PAGES") ? atoi(getenv("WY_OCR_PAGES")) : 2;
	int n = make_source_pdf(src, copies > 0 ? copies : 1);
	ASSERT(n >= 1);
	ASSERT_EQ(testdoc_scan(src, scan, png, 200, 1.5f, 24, 7), n);

	int64_t id = add_file(&e, scan, "scan.pdf");
	int64_t t0 = wy_now_ms();
	run_until_done(&e, &id, 1);
	int64_t ms = wy_now_ms() - t0;
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.pages, n);
	char *text = doc_text(&e, id, n), *source = read_source();
	int total = 0;
	double share = bigram_share(source, text, &total);
	printf("  ocr: %d pages in %.1f s (%.2f pages/s, with the worker's start and the models' load); "
	       "bigrams of the source found: %.3f of %d\n",
	       n, ms / 1000.0, n * 1000.0 / (double)(ms > 0 ? ms : 1), share, total);
	if (getenv("WY_OCR_VERBOSE"))
		printf("%s\n", text);
	ASSERT(total > 300);
	ASSERT(share >= 0.90);

	/* Every page has boxes, one per code point, inside the page. */
	for (int i = 1; i <= n; i++) {
		wy_page p;
		ASSERT_EQ(wy_store_page_get(e.st, id, i, &p, NULL), WY_OK);
		size_t cps = 0;
		for (const char *t = p.text; *t; t++)
			cps += ((unsigned char)*t & 0xC0) != 0x80;
		ASSERT(cps > 100);
		ASSERT_EQ(p.boxes_len, cps * WY_BOX_SIZE);
		wy_page_clear(&p);
	}

	/* A search inside the document marks the phrase on page 1, about where
	 * it is printed: 专为收藏 is in the first paragraph, near the top. */
	wy_query *q = wy_query_parse("专为收藏", strlen("专为收藏"));
	json_t *res = NULL;
	ASSERT_EQ(wy_view_doc_search(e.st, &d, n, q, 10, 0, &res, NULL), WY_OK);
	json_t *pages = json_object_get(res, "pages");
	ASSERT(json_array_size(pages) >= 1);
	json_t *pg = json_array_get(pages, 0);
	ASSERT_EQ(json_integer_value(json_object_get(pg, "page")), 1);
	json_t *rects = json_object_get(json_array_get(json_object_get(pg, "hits"), 0), "rects");
	ASSERT(json_array_size(rects) >= 1);
	json_t *r0 = json_array_get(rects, 0);
	double x0 = json_real_value(json_array_get(r0, 0)), y0 = json_real_value(json_array_get(r0, 1));
	double x1 = json_real_value(json_array_get(r0, 2)), y1 = json_real_value(json_array_get(r0, 3));
	printf("  hit 专为收藏 on page 1 at [%.3f %.3f %.3f %.3f]\n", x0, y0, x1, y1);
	ASSERT(x0 < x1 && y0 < y1);
	ASSERT(y0 > 0.05 && y1 < 0.3);           /* the first paragraph */
	ASSERT(x1 - x0 > 0.05 && x1 - x0 < 0.3); /* four characters wide */
	ASSERT(y1 - y0 < 0.05);                  /* one line high */
	json_decref(res);
	wy_query_free(q);
	wy_doc_clear(&d);

	/* The same scan's first page uploaded as a PNG image. */
	int64_t img = add_file(&e, png, "scan.png");
	run_until_done(&e, &img, 1);
	ASSERT_EQ(wy_store_doc_get(e.st, img, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_STR_EQ(d.format, "png");
	ASSERT_EQ(d.pages, 1);
	wy_doc_clear(&d);
	char *itext = doc_text(&e, img, 1);
	ASSERT_CONTAINS(itext, "专为收藏");
	free(itext);
	free(text);
	free(source);
	env_close(&e);
}

TEST(with_ocr_off_a_scan_has_no_text)
{
	env e;
	env_open(&e, "ocr_off");
	e.cfg.ocr = 0;
	char src[700], scan[700];
	snprintf(src, sizeof src, "%s/source.pdf", e.dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", e.dir);
	ASSERT_EQ(make_source_pdf(src, 1), 1);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 200, 1.5f, 24, 7), 1);
	int64_t id = add_file(&e, scan, "scan.pdf");
	run_until_done(&e, &id, 1);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(e.st, id, 1, &p, NULL), WY_OK);
	ASSERT_STR_EQ(p.text, "");
	ASSERT_EQ(p.boxes_len, 0);
	wy_page_clear(&p);
	env_close(&e);
}

/* OCR takes seconds a page: each page recognised adds ocr_page_timeout to
 * the document's convert_timeout, so a long scan is not cut off, while a
 * page that takes longer than that still is. */
TEST(each_recognised_page_adds_to_the_time_limit)
{
	if (!wy_ocr_available()) {
		printf("  skipped: built without Tesseract\n");
		return;
	}
	env e;
	env_open(&e, "ocr_time");
	e.cfg.workers = 1;
	char src[700], scan[700];
	snprintf(src, sizeof src, "%s/source.pdf", e.dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", e.dir);
	/* Eight pages take about 8 s to read here, twice the base limit: only
	 * the time each recognised page adds lets the scan finish. The base
	 * leaves the converter's start (an exec, Tesseract's library, the
	 * first page rendered) seconds to spare on a loaded machine. */
	ASSERT_EQ(make_source_pdf(src, 8), 8);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 200, 1.5f, 24, 7), 8);
	wy_buf b;
	ASSERT_EQ(wy_file_read(scan, 0, &b), WY_OK);
	e.cfg.convert_timeout = 4;
	e.cfg.ocr_page_timeout = 120;
	int64_t id = add_doc(&e, b.data, b.len, "scan.pdf");
	int64_t t0 = wy_now_ms();
	run_until_done(&e, &id, 1);
	printf("  eight scanned pages read in %lld ms, against a base limit of 4 s\n", (long long)(wy_now_ms() - t0));
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	wy_doc_clear(&d);
	/* A page dense with small type (5 pt) takes seconds of CPU to read
	 * (about 5 s here, unlimited): 1 s and 1 s for the page are too
	 * little. (A 900 dpi scan of an 11 pt page took 1.7 to 4 s, and once
	 * finished within the 2 s.) */
	wy_buf_free(&b);
	int dense = make_source_pdf_as(src, 12, 5, false);
	ASSERT(dense >= 1);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 300, 1.5f, 24, 7), dense);
	ASSERT_EQ(wy_file_read(scan, 0, &b), WY_OK);
	e.cfg.convert_timeout = 1;
	e.cfg.ocr_page_timeout = 1;
	id = add_doc(&e, b.data, b.len, "dense.pdf");
	t0 = wy_now_ms();
	run_until_done(&e, &id, 1);
	printf("  a dense scan (%d pages) stopped after %lld ms\n", dense, (long long)(wy_now_ms() - t0));
	ASSERT_EQ(wy_store_doc_get(e.st, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_FAILED);
	ASSERT_CONTAINS(d.reason, "pages recognised");
	wy_doc_clear(&d);
	wy_buf_free(&b);
	env_close(&e);
}

/* The sink of an in-process conversion that counts the pages recognised. */
typedef struct counts {
	int pages, ocr;
} counts;

static int c_image(void *ctx, const void *webp, size_t len, char sha[65])
{
	(void)ctx;
	wy_sha256_hex(webp, len, sha);
	return 0;
}

static int c_page(void *ctx, int no, const char *sha, int w, int h, const char *text, const unsigned char *boxes,
		  size_t blen)
{
	(void)no, (void)sha, (void)w, (void)h, (void)text, (void)boxes, (void)blen;
	((counts *)ctx)->pages++;
	return 0;
}

static int c_ocr(void *ctx, int no)
{
	(void)no;
	((counts *)ctx)->ocr++;
	return 0;
}

TEST(a_text_pdf_is_not_recognised)
{
	char *dir = wy_test_tmpdir("ocr_text");
	char src[700], scan[700];
	snprintf(src, sizeof src, "%s/source.pdf", dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", dir);
	ASSERT_EQ(make_source_pdf(src, 2), 2);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 200, 0.0f, 0, 1), 2);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	const char *paths[2] = {src, scan};
	for (int k = 0; k < 2; k++) {
		counts c = {0};
		wy_convert_sink sink = {.ctx = &c, .image = c_image, .page = c_page, .ocr = c_ocr};
		wy_buf b;
		ASSERT_EQ(wy_file_read(paths[k], 0, &b), WY_OK);
		int64_t t0 = wy_now_ms();
		ASSERT_EQ(wy_convert_buf(b.data, b.len, &o, &sink, NULL), WY_OK);
		printf("  %s: %d pages, %d recognised, %lld ms\n", k ? "scan" : "text PDF", c.pages, c.ocr,
		       (long long)(wy_now_ms() - t0));
		wy_buf_free(&b);
		ASSERT_EQ(c.pages, 2);
		ASSERT_EQ(c.ocr, k == 0 ? 0 : 2);
	}
}

/* What a test's worker tick sees when the other upload becomes ready: the
 * scan's status and what the document page says of its recognition. */
typedef struct turns {
	int64_t scan, other;
	bool seen;
	wy_doc_status scan_status;
	char recognising[32];
} turns;

static void watch_turns(void *ctx, wy_store *st)
{
	turns *t = ctx;
	wy_doc o, d;
	if (t->seen || wy_store_doc_get(st, t->other, &o, NULL))
		return;
	if (o.status == WY_DOC_READY && wy_store_doc_get(st, t->scan, &d, NULL) == WY_OK) {
		t->seen = true;
		t->scan_status = d.status;
		json_t *v = wy_view_doc(&d);
		const char *r = json_string_value(json_object_get(v, "recognising"));
		snprintf(t->recognising, sizeof t->recognising, "%s", r ? r : "");
		json_decref(v);
		wy_doc_clear(&d);
	}
	wy_doc_clear(&o);
}

/* A long scan does not hold the queue: it is ready after its first batch
 * of recognised pages (ocr_batch), an upload queued behind it converts
 * next, and its later pages are recognised a batch at a time afterwards,
 * into the text, the index and the boxes, while the document page says how
 * far recognition is. */
TEST(a_long_scan_takes_turns_with_other_uploads)
{
	if (!wy_ocr_available()) {
		printf("  skipped: built without Tesseract\n");
		return;
	}
	env e;
	env_open(&e, "ocr_turns");
	e.cfg.workers = 1;
	e.cfg.ocr_batch = 1;
	char src[700], scan[700], other[700];
	snprintf(src, sizeof src, "%s/source.pdf", e.dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", e.dir);
	snprintf(other, sizeof other, "%s/other.pdf", e.dir);
	ASSERT_EQ(make_source_pdf(src, 3), 3);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 200, 1.5f, 24, 7), 3);
	ASSERT_EQ(testdoc_pdf("<p>一份普通的文字文档，排在扫描件后面上传。</p>", other, NULL, NULL, NULL), 1);
	turns t = {0};
	t.scan = add_file(&e, scan, "scan.pdf");
	t.other = add_file(&e, other, "other.pdf");
	int64_t ids[2] = {t.scan, t.other};
	wy_worker_opts o = {.name = "test", .wait_ids = ids, .nwait = 2, .tick = watch_turns, .tick_ctx = &t};
	ASSERT_EQ(wy_worker_run(&e.cfg, e.st, e.bs, &o, NULL), WY_OK);

	/* the other upload was ready while the scan's pages 2 and 3 waited */
	ASSERT(t.seen);
	ASSERT_EQ(t.scan_status, WY_DOC_READY);
	ASSERT_STR_EQ(t.recognising, "1/3");
	/* in the end every page is read, and recognition is over */
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, t.scan, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.progress_total, 0);
	for (int i = 1; i <= 3; i++) {
		wy_page p;
		ASSERT_EQ(wy_store_page_get(e.st, t.scan, i, &p, NULL), WY_OK);
		ASSERT_CONTAINS(p.text, "专为收藏");
		ASSERT(p.boxes_len > 0);
		ASSERT_EQ(p.image_sha256[0] != 0, true);
		wy_page_clear(&p);
	}
	/* the index has the later pages too: the phrase is on all three */
	wy_query *q = wy_query_parse("专为收藏", strlen("专为收藏"));
	json_t *res = NULL;
	ASSERT_EQ(wy_view_doc_search(e.st, &d, 3, q, 10, 0, &res, NULL), WY_OK);
	ASSERT_EQ(json_array_size(json_object_get(res, "pages")), 3);
	json_decref(res);
	wy_query_free(q);
	wy_doc_clear(&d);
	env_close(&e);
}

/* A batch whose converter crashes fails alone: the document stays ready
 * and readable, the other batches' pages get their text, and recognition
 * ends (its pages count as done) instead of showing progress forever. */
TEST(a_failed_batch_fails_alone)
{
	if (!wy_ocr_available()) {
		printf("  skipped: built without Tesseract\n");
		return;
	}
	env e;
	env_open(&e, "ocr_batch_fail");
	e.cfg.workers = 1;
	e.cfg.ocr_batch = 1;
	e.cfg.retries = 1;
	char src[700], scan[700];
	snprintf(src, sizeof src, "%s/source.pdf", e.dir);
	snprintf(scan, sizeof scan, "%s/scan.pdf", e.dir);
	ASSERT_EQ(make_source_pdf(src, 3), 3);
	ASSERT_EQ(testdoc_scan(src, scan, NULL, 200, 1.5f, 24, 7), 3);
	int64_t id = add_file(&e, scan, "scan.pdf");
	wy_fault_arm("child.crash", 2); /* the second job: the batch of page 2 */
	run_until_done(&e, &id, 1);
	wy_fault_arm(NULL, 0);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.progress_total, 0);
	wy_doc_clear(&d);
	const char *want[] = {"专为收藏", "", "专为收藏"};
	for (int i = 1; i <= 3; i++) {
		wy_page p;
		ASSERT_EQ(wy_store_page_get(e.st, id, i, &p, NULL), WY_OK);
		if (*want[i - 1])
			ASSERT_CONTAINS(p.text, want[i - 1]);
		else
			ASSERT_STR_EQ(p.text, "");
		ASSERT(p.image_sha256[0]);
		wy_page_clear(&p);
	}
	env_close(&e);
}

TEST_LIST(T(a_scan_is_recognised_and_its_hits_marked), T(with_ocr_off_a_scan_has_no_text),
	  T(a_text_pdf_is_not_recognised), T(each_recognised_page_adds_to_the_time_limit),
	  T(a_long_scan_takes_turns_with_other_uploads), T(a_failed_batch_fails_alone))

/* wy-mkscan: a long scan for the OCR benchmark (bench/ocr.sh). A UTF-8 text
 * is laid out on A4 pages (11 pt, a paragraph a line, as the text converter
 * lays a text file out), repeated until it fills at least PAGES pages, and
 * written as TEXT.pdf; then each page is rasterised at DPI in gray, turned
 * 1.5 degrees, with noise (±12 levels), and written as an image-only PDF of JPEGs
 * (quality 60, as scanners store gray pages), SCAN.pdf (tests/unit/
 * testdoc.h: the scan the OCR tests make). Prints the page
 * count.
 *
 *   wy-mkscan SOURCE.txt PAGES TEXT.pdf SCAN.pdf [DPI]
 */
#include "core/util.h"
#include "testdoc.h"

#include <stdio.h>
#include <stdlib.h>

static void paragraphs(wy_buf *html, const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *e = le;
		while (e > p && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		if (e > p) {
			wy_buf_puts(html, "<p>");
			for (const char *c = p; c < e; c++) {
				if (*c == '<')
					wy_buf_puts(html, "&lt;");
				else if (*c == '&')
					wy_buf_puts(html, "&amp;");
				else
					wy_buf_append(html, c, 1);
			}
			wy_buf_puts(html, "</p>");
		}
		p = nl ? nl + 1 : end;
	}
}

static int layout(const wy_buf *src, int copies, const char *path)
{
	wy_buf html;
	wy_buf_init(&html, 0);
	wy_buf_puts(&html, "<html><head><style>body{font-size:11pt;line-height:1.5}p{margin:0 0 6pt 0}</style></head>"
			   "<body lang=\"zh-CN\">");
	for (int c = 0; c < copies; c++)
		paragraphs(&html, src->data, src->data + src->len);
	wy_buf_puts(&html, "</body></html>");
	int n = testdoc_pdf(html.data, path, NULL, NULL, NULL);
	wy_buf_free(&html);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: wy-mkscan SOURCE.txt PAGES TEXT.pdf SCAN.pdf [DPI]\n");
		return 2;
	}
	int want = atoi(argv[2]), dpi = argc > 5 ? atoi(argv[5]) : 200;
	wy_buf src;
	if (want < 1 || dpi < 50 || wy_file_read(argv[1], 0, &src)) {
		fprintf(stderr, "wy-mkscan: cannot read %s, or a bad page count or dpi\n", argv[1]);
		return 1;
	}
	/* one copy's pages, then copies until the count asked (copies run on
	 * without a page break, so each adds a little less than one's pages) */
	int one = layout(&src, 1, argv[3]), copies = 1, n = one;
	if (one < 1)
		return 1;
	while (n >= 0 && n < want) {
		copies += (want - n + one - 1) / one;
		n = layout(&src, copies, argv[3]);
	}
	wy_buf_free(&src);
	if (n < want || testdoc_scan_as(argv[3], argv[4], NULL, dpi, 1.5f, 12, 7, 60) != n)
		return 1;
	printf("%d\n", n);
	return 0;
}

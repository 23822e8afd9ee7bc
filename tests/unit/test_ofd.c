/* OFD tests (convert/ofd.c through wy_convert_buf): small packages the
 * tests build themselves: text at a known place (its text and boxes), a
 * path (its colour on the page image), a missing image, names that climb
 * out of the package, nesting bombs, broken numbers and parts too big. */
#include "convert/convert.h"
#include "convert/sniff.h"
#include "core/util.h"
#include "test.h"
#include "testdoc.h"
#include "text/boxes.h"

#include <stdlib.h>
#include <time.h>
#include <webp/decode.h>

typedef struct result {
	char format[16];
	int pages;
	char *text[8];
	unsigned char *boxes[8];
	size_t nbox[8];
	unsigned char *webp; /* the first page image */
	size_t webp_len;
	int nimages;
} result;

static int r_image(void *c, const void *webp, size_t len, char sha[65])
{
	result *r = c;
	if (!r->webp) {
		r->webp = wy_xmalloc(len);
		memcpy(r->webp, webp, len);
		r->webp_len = len;
	}
	snprintf(sha, 65, "%064d", r->nimages++);
	return 0;
}
static int r_format(void *c, const char *f) { snprintf(((result *)c)->format, 16, "%s", f); return 0; }
static int r_page(void *c, int no, const char *sha, int w, int h, const char *text, const unsigned char *boxes,
		  size_t boxes_len)
{
	result *r = c;
	(void)sha, (void)w, (void)h;
	if (no != r->pages + 1 || r->pages >= 8)
		return WY_EINVAL;
	r->text[r->pages] = wy_xstrdup(text);
	r->boxes[r->pages] = boxes_len ? wy_xmalloc(boxes_len) : NULL;
	if (boxes_len)
		memcpy(r->boxes[r->pages], boxes, boxes_len);
	r->nbox[r->pages] = boxes_len;
	r->pages++;
	return 0;
}

static void r_free(result *r)
{
	for (int i = 0; i < r->pages; i++) {
		free(r->text[i]);
		free(r->boxes[i]);
	}
	free(r->webp);
	memset(r, 0, sizeof *r);
}

/* Build a package from entries (testdoc_zip) and convert it. */
static int convert_entries(const char *const *entries, result *r, wy_errinfo *ei)
{
	char *path = wy_xasprintf("%s/t.ofd", wy_test_tmpdir("ofd"));
	if (testdoc_zip(path, entries))
		abort();
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = wy_xmalloc((size_t)n);
	if (fread(data, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	free(path);
	memset(r, 0, sizeof *r);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	wy_convert_sink s = {r, r_image, r_format, NULL, r_page, NULL, NULL, NULL, NULL, NULL};
	memset(ei, 0, sizeof *ei);
	int rc = wy_convert_buf(data, (size_t)n, &o, &s, ei);
	free(data);
	return rc;
}

#define OFD_XML                                                                                      \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\" " \
	"DocType=\"OFD\" Version=\"1.1\"><ofd:DocBody><ofd:DocInfo><ofd:Title>测试</ofd:Title>"        \
	"</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"

/* A Document.xml of one page (200 x 100 mm) at Pages/Page_0/Content.xml,
 * with resources in PublicRes.xml. */
#define DOC_XML(page_loc)                                                                            \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Document xmlns:ofd=\"http://www.ofdspec.org/2016\">" \
	"<ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 200 100</ofd:PhysicalBox></ofd:PageArea>"  \
	"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>"                     \
	"<ofd:Page ID=\"1\" BaseLoc=\"" page_loc "\"/></ofd:Pages></ofd:Document>"

#define RES_XML(media)                                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Res xmlns:ofd=\"http://www.ofdspec.org/2016\" " \
	"BaseLoc=\"Res\"><ofd:Fonts><ofd:Font ID=\"3\" FontName=\"宋体\" FamilyName=\"宋体\"/></ofd:Fonts>" \
	"<ofd:MultiMedias><ofd:MultiMedia ID=\"4\" Type=\"Image\" Format=\"PNG\"><ofd:MediaFile>" media  \
	"</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"

#define PAGE(body)                                                                                   \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\">" \
	"<ofd:Content><ofd:Layer>" body "</ofd:Layer></ofd:Content></ofd:Page>"

/* "文渊阁藏书" at x = 20 mm, baseline 35 mm, 5 mm per character, 5 mm high;
 * a red square from (100, 60) to (140, 90) mm. */
#define TEXT_OBJ                                                                                     \
	"<ofd:TextObject ID=\"10\" Boundary=\"20 30 100 10\" Font=\"3\" Size=\"5\">"                    \
	"<ofd:TextCode X=\"0\" Y=\"5\" DeltaX=\"g 4 5\">文渊阁藏书</ofd:TextCode></ofd:TextObject>"
#define PATH_OBJ                                                                                     \
	"<ofd:PathObject ID=\"11\" Boundary=\"100 60 40 30\" Fill=\"true\" Stroke=\"false\">"           \
	"<ofd:FillColor Value=\"255 0 0\"/><ofd:AbbreviatedData>M 0 0 L 40 0 L 40 30 L 0 30 C"          \
	"</ofd:AbbreviatedData></ofd:PathObject>"

static double at(const result *r, size_t i, int coord)
{
	wy_rect b = wy_box_get(r->boxes[0], r->nbox[0], i);
	uint16_t v = coord == 0 ? b.x0 : coord == 1 ? b.y0 : coord == 2 ? b.x1 : b.y1;
	return (double)v / WY_BOX_UNIT;
}

TEST(text_lands_where_it_was_placed)
{
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", RES_XML("none.png"),
			   "Doc_0/Pages/Page_0/Content.xml", PAGE(TEXT_OBJ PATH_OBJ), NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_STR_EQ(r.format, "ofd");
	ASSERT_EQ(r.pages, 1);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书");
	ASSERT_EQ(r.nbox[0], 5 * WY_BOX_SIZE);
	/* the n-th character starts at 20 + 5n mm of 200; its box spans the
	 * baseline (35 of 100 mm) and rises some 4 mm above it */
	for (size_t i = 0; i < 5; i++) {
		double x0 = at(&r, i, 0), want = (20 + 5.0 * (double)i) / 200;
		if (x0 < want - 0.01 || x0 > want + 0.01)
			WY_FAIL_("character %zu starts at %.3f, not %.3f", i, x0, want);
		ASSERT(at(&r, i, 1) > 0.28 && at(&r, i, 1) < 0.34);
		ASSERT(at(&r, i, 3) > 0.345 && at(&r, i, 3) < 0.38);
	}
	/* the path: red in the middle of its square, white outside */
	int w = 0, h = 0;
	uint8_t *px = WebPDecodeRGB(r.webp, r.webp_len, &w, &h);
	ASSERT(px && w > 100 && h > 50);
	const uint8_t *in = px + ((size_t)(h * 75 / 100) * (size_t)w + (size_t)(w * 120 / 200)) * 3;
	const uint8_t *out = px + ((size_t)(h * 75 / 100) * (size_t)w + (size_t)(w * 170 / 200)) * 3;
	ASSERT(in[0] > 200 && in[1] < 60 && in[2] < 60);
	ASSERT(out[0] > 200 && out[1] > 200 && out[2] > 200);
	WebPFree(px);
	r_free(&r);
}

/* Dark pixels of a page image in a band of rows (fractions of its height). */
static long dark_in(const result *r, double y0, double y1)
{
	int w = 0, h = 0;
	uint8_t *px = WebPDecodeRGB(r->webp, r->webp_len, &w, &h);
	if (!px)
		return -1;
	long n = 0;
	for (int y = (int)(h * y0); y < (int)(h * y1); y++)
		for (int x = 0; x < w; x++)
			n += px[((size_t)y * (size_t)w + (size_t)x) * 3] < 128;
	WebPFree(px);
	return n;
}

/* Weight 700 with a stand-in font: MuPDF's CJK font has one weight, so it
 * is emboldened; the text is the same. */
TEST(bold_text_is_bolder)
{
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", RES_XML("none.png"),
			   "Doc_0/Pages/Page_0/Content.xml",
			   PAGE("<ofd:TextObject ID=\"10\" Boundary=\"20 20 100 10\" Font=\"3\" Size=\"8\">"
				"<ofd:TextCode X=\"0\" Y=\"8\" DeltaX=\"g 4 8\">文渊阁藏书</ofd:TextCode></ofd:TextObject>"
				"<ofd:TextObject ID=\"11\" Boundary=\"20 60 100 10\" Font=\"3\" Size=\"8\" Weight=\"700\">"
				"<ofd:TextCode X=\"0\" Y=\"8\" DeltaX=\"g 4 8\">文渊阁藏书</ofd:TextCode></ofd:TextObject>"),
			   NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书文渊阁藏书"); /* two CJK lines, joined */
	long normal = dark_in(&r, 0.15, 0.35), bold = dark_in(&r, 0.55, 0.75);
	if (!(normal > 100 && bold > normal * 1.15))
		WY_FAIL_("bold has %ld dark pixels, regular %ld", bold, normal);
	r_free(&r);
}

TEST(a_missing_image_is_left_out)
{
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", RES_XML("missing.png"),
			   "Doc_0/Pages/Page_0/Content.xml",
			   PAGE("<ofd:ImageObject ID=\"12\" Boundary=\"0 0 50 50\" CTM=\"50 0 0 50 0 0\" ResourceID=\"4\"/>"
				"<ofd:ImageObject ID=\"13\" Boundary=\"0 0 50 50\" CTM=\"50 0 0 50 0 0\" ResourceID=\"99\"/>"
				TEXT_OBJ),
			   NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_EQ(r.pages, 1);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书");
	r_free(&r);
}

TEST(names_never_leave_the_package)
{
	/* an image and a font named out of the package: left out */
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", RES_XML("../../../../../../etc/passwd"),
			   "Doc_0/Pages/Page_0/Content.xml",
			   PAGE("<ofd:ImageObject ID=\"12\" Boundary=\"0 0 50 50\" CTM=\"50 0 0 50 0 0\" ResourceID=\"4\"/>"
				TEXT_OBJ),
			   NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书");
	r_free(&r);

	/* the only page out of the package: no page, with a reason */
	const char *e2[] = {"OFD.xml", OFD_XML,
			    "Doc_0/Document.xml", DOC_XML("../../../../etc/passwd"),
			    "Doc_0/PublicRes.xml", RES_XML("x.png"), NULL};
	ASSERT_EQ(convert_entries(e2, &r, &ei), WY_ECORRUPT);
	ASSERT_CONTAINS(ei.msg, "no pages");
	r_free(&r);

	/* a page named by an absolute path that exists on every system */
	const char *e3[] = {"OFD.xml", OFD_XML,
			    "Doc_0/Document.xml", DOC_XML("/etc/passwd"),
			    "Doc_0/PublicRes.xml", RES_XML("x.png"), NULL};
	ASSERT_EQ(convert_entries(e3, &r, &ei), WY_ECORRUPT);
	ASSERT_CONTAINS(ei.msg, "missing");
	r_free(&r);
}

/* Producers write names in other cases, with '\\' separators, or with a
 * BaseLoc that is wrong: found all the same when one entry fits. */
TEST(odd_names_are_found)
{
	const char *e[] = {"OFD.xml", OFD_XML,
			   "DOC_0\\Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/publicres.xml", RES_XML("none.png"),
			   "doc_0\\pages\\page_0\\content.XML", PAGE(TEXT_OBJ), NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_EQ(r.pages, 1);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书");
	r_free(&r);
}

TEST(nesting_bombs_stop)
{
	/* a composite unit drawing itself twice: 2^depth objects unless
	 * nesting and the object count are bounded */
	const char *res = "<?xml version=\"1.0\"?><ofd:Res xmlns:ofd=\"http://www.ofdspec.org/2016\">"
			  "<ofd:Fonts><ofd:Font ID=\"3\" FontName=\"宋体\"/></ofd:Fonts><ofd:CompositeGraphicUnits>"
			  "<ofd:CompositeGraphicUnit ID=\"5\" Width=\"10\" Height=\"10\"><ofd:Content>"
			  "<ofd:CompositeObject ID=\"6\" Boundary=\"0 0 10 10\" ResourceID=\"5\"/>"
			  "<ofd:CompositeObject ID=\"7\" Boundary=\"0 0 10 10\" ResourceID=\"5\"/>"
			  "<ofd:PathObject ID=\"8\" Boundary=\"0 0 10 10\"><ofd:AbbreviatedData>M 0 0 L 1 1"
			  "</ofd:AbbreviatedData></ofd:PathObject>"
			  "</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>";
	/* and page blocks nested far deeper than any real page */
	char *deep = NULL;
	{
		wy_buf b;
		wy_buf_init(&b, 0);
		wy_buf_puts(&b, "<?xml version=\"1.0\"?><ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\">"
				"<ofd:Content><ofd:Layer>" TEXT_OBJ
				"<ofd:CompositeObject ID=\"9\" Boundary=\"0 0 10 10\" ResourceID=\"5\"/>");
		for (int i = 0; i < 5000; i++)
			wy_buf_puts(&b, "<ofd:PageBlock>");
		for (int i = 0; i < 5000; i++)
			wy_buf_puts(&b, "</ofd:PageBlock>");
		wy_buf_puts(&b, "</ofd:Layer></ofd:Content></ofd:Page>");
		deep = wy_xstrndup(b.data, b.len);
		wy_buf_free(&b);
	}
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", res,
			   "Doc_0/Pages/Page_0/Content.xml", deep, NULL};
	result r;
	wy_errinfo ei;
	time_t t0 = time(NULL);
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT(time(NULL) - t0 < 60);
	ASSERT_STR_EQ(r.text[0], "文渊阁藏书");
	r_free(&r);
	free(deep);
}

TEST(broken_numbers_and_parts)
{
	const char *bad = PAGE("<ofd:TextObject ID=\"10\" Boundary=\"nan inf x\" Font=\"77\" Size=\"1e30\">"
			       "<ofd:TextCode X=\"-inf\" Y=\"1e999\" DeltaX=\"g 999999999 1 g -5 2 g\">abc</ofd:TextCode>"
			       "</ofd:TextObject>"
			       "<ofd:TextObject ID=\"11\" Boundary=\"10 10 10 10\" Font=\"3\" Size=\"4\" CTM=\"1 0 0\">"
			       "<ofd:TextCode X=\"0\" Y=\"4\" DeltaX=\"g 2\">好</ofd:TextCode></ofd:TextObject>"
			       "<ofd:PathObject ID=\"12\" Boundary=\"0 0 10 10\" LineWidth=\"-3\">"
			       "<ofd:AbbreviatedData>M 0 0 A 0 0 0 1 1 5 5 A 1e9 1e-9 45 0 0 3 3 B 1 2 Q Z 9 9"
			       "</ofd:AbbreviatedData></ofd:PathObject>"
			       "<ofd:ImageObject ID=\"13\" ResourceID=\"\"/><ofd:CompositeObject ID=\"14\"/>");
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/PublicRes.xml", "<not xml",
			   "Doc_0/Pages/Page_0/Content.xml", bad, NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_OK);
	ASSERT_CONTAINS(r.text[0], "好");
	r_free(&r);

	/* OFD.xml without a document: fails with a reason */
	const char *e2[] = {"OFD.xml", "<?xml version=\"1.0\"?><ofd:OFD xmlns:ofd=\"x\"></ofd:OFD>", NULL};
	ASSERT_EQ(convert_entries(e2, &r, &ei), WY_ECORRUPT);
	ASSERT_CONTAINS(ei.msg, "DocBody");
	r_free(&r);

	/* a page that is not XML: the document has no page to show */
	const char *e3[] = {"OFD.xml", OFD_XML,
			    "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			    "Doc_0/Pages/Page_0/Content.xml", "\x01\x02 not <xml", NULL};
	ASSERT_EQ(convert_entries(e3, &r, &ei), WY_ECORRUPT);
	ASSERT(ei.msg[0]);
	r_free(&r);
}

TEST(a_part_too_big_is_refused)
{
	/* 40 MB of XML, a few dozen KB deflated: past the cap on one part */
	size_t n = 40u << 20;
	char *big = wy_xmalloc(n + 1);
	const char *head = PAGE(TEXT_OBJ);
	size_t hl = strlen(head);
	memcpy(big, head, hl);
	memset(big + hl, ' ', n - hl);
	big[n] = 0;
	const char *e[] = {"OFD.xml", OFD_XML,
			   "Doc_0/Document.xml", DOC_XML("Pages/Page_0/Content.xml"),
			   "Doc_0/Pages/Page_0/Content.xml", big, NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_ECORRUPT);
	ASSERT_CONTAINS(ei.msg, "larger than");
	r_free(&r);
	free(big);
}

TEST(sniffed_as_ofd_only_with_ofd_xml_at_the_root)
{
	const char *e[] = {"Doc_0/OFD.xml", OFD_XML, "Doc_0/Document.xml", DOC_XML("P.xml"), NULL};
	result r;
	wy_errinfo ei;
	ASSERT_EQ(convert_entries(e, &r, &ei), WY_EFORMAT);
	r_free(&r);
	const char *e2[] = {"ofd.xml", OFD_XML, NULL};
	ASSERT_EQ(convert_entries(e2, &r, &ei), WY_ECORRUPT);
	ASSERT_STR_EQ(r.format, "ofd");
	r_free(&r);
}

/* The corpus's electronic invoice: its amounts are text, and its seal (an
 * OFD inside the signature's ASN.1) is drawn red where the signature puts
 * it (90..120 x 8..28 mm of a 210 x 140 mm page). Passes when the corpus
 * is absent. */
TEST(the_invoice_of_the_corpus)
{
	const char *corpus = getenv("WY_CORPUS");
	char *path = wy_xasprintf("%s/files/ofdrw__converter__发票示例.ofd", corpus ? corpus : "/nonexistent");
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f) {
		printf("# no corpus: the invoice is not checked\n");
		return;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = wy_xmalloc((size_t)n);
	if (fread(data, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	result r;
	memset(&r, 0, sizeof r);
	wy_convert_opts o;
	wy_convert_opts_default(&o);
	wy_convert_sink s = {&r, r_image, r_format, NULL, r_page, NULL, NULL, NULL, NULL, NULL};
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_convert_buf(data, (size_t)n, &o, &s, &ei), WY_OK);
	free(data);
	ASSERT_EQ(r.pages, 1);
	ASSERT_CONTAINS(r.text[0], "¥318.00");
	ASSERT_CONTAINS(r.text[0], "叁佰壹拾捌圆整");
	ASSERT(r.nbox[0] > 0);
	/* the ¥ of the total sits where its TextObject puts it: x 168.2 mm,
	 * baseline 96.2 + 4.94 mm, of 210 x 140 */
	const char *yen = strstr(r.text[0], "¥318.00");
	size_t cp = 0;
	for (const char *q = r.text[0]; q < yen; q++)
		cp += ((unsigned char)*q & 0xC0) != 0x80;
	double x0 = at(&r, cp, 0), y0 = at(&r, cp, 1), y1 = at(&r, cp, 3);
	if (x0 < 168.2 / 210 - 0.01 || x0 > 168.2 / 210 + 0.01 || y0 > 101.14 / 140 || y1 < 100.0 / 140 ||
	    y1 > 103.0 / 140 || y0 < 96.0 / 140)
		WY_FAIL_("the ¥ of the total is at %.3f,%.3f..%.3f", x0, y0, y1);
	int w = 0, h = 0;
	uint8_t *px = WebPDecodeRGB(r.webp, r.webp_len, &w, &h);
	ASSERT(px);
	long red = 0, area = 0;
	for (int y = h * 8 / 140; y < h * 28 / 140; y++)
		for (int x = w * 90 / 210; x < w * 120 / 210; x++, area++) {
			const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
			red += p[0] > 180 && p[1] < 90 && p[2] < 90;
		}
	WebPFree(px);
	/* the seal's ring and letters: a good part of its square */
	if (red * 20 < area)
		WY_FAIL_("only %ld of %ld pixels of the seal are red", red, area);
	r_free(&r);
}

TEST_LIST(T(text_lands_where_it_was_placed), T(bold_text_is_bolder), T(a_missing_image_is_left_out), T(names_never_leave_the_package), T(odd_names_are_found),
	  T(nesting_bombs_stop), T(broken_numbers_and_parts), T(a_part_too_big_is_refused),
	  T(sniffed_as_ofd_only_with_ofd_xml_at_the_root), T(the_invoice_of_the_corpus))

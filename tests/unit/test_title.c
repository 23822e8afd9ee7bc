/* Title tests: the junk table (file names, metadata titles, first lines)
 * and the order of preference, as tables. */
#include "convert/title.h"
#include "test.h"

#include <stdlib.h>

TEST(junk_table)
{
	static const struct {
		const char *t;
		bool junk;
	} rows[] = {
		{"", true},
		{"out", true},
		{"OUT", true},
		{"output", true},
		{"Document", true},
		{"Document1", true},
		{"document (2)", true},
		{"untitled", true},
		{"Untitled-1", true},
		{"无标题", true},
		{"新建 Microsoft Word 文档", true},
		{"新建 Microsoft Word 文档 (2)", true},
		{"新建Microsoft Word文档 - 副本", true},
		{"新建文档", true},
		{"新建文本文档", true},
		{"PowerPoint 演示文稿", true},
		{"PowerPoint Presentation", true},
		{"演示文稿1", true},
		{"幻灯片 1", true},
		{"工作簿1", true},
		{"Book1", true},
		{"Sheet1", true},
		{"123", true},
		{"2022-03-31 12.30.45", true},
		{"65f1bfa9", true},
		{"d41d8cd98f00b204e9800998ecf8427e", true},
		{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", true},
		{"IMG_20220331_123456", true},
		{"scan0001", true},
		{"t01", true},
		{"demo", true},
		{"Test Data 20220331215854083057 1234", true},
		{"This file was derived from a document", true},
		{"1 a 2 b 3 c", true},
		{"A B C D", true},
		{"* * *", true},
		{"====", true},
		/* real titles */
		{"出师表", false},
		{"啼笑因缘", false},
		{"2023年政府工作报告", false},
		{"Annual Report 2023", false},
		{"Book of Tea", false},
		{"Test-driven development", false},
		{"Chapter 1", false},
		{"春", false},
		{"deadbeef", false}, /* letters only: a word, not a hash */
		{"a b", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (wy_title_is_junk(rows[i].t) != rows[i].junk)
			WY_FAIL_("\"%s\": junk should be %d", rows[i].t, rows[i].junk);
	ASSERT(wy_title_is_junk(NULL));
	ASSERT(wy_title_is_junk("f"));
}

TEST(clean)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{"  报告  ", "报告"},
		{"Microsoft Word - 报告.doc", "报告"},
		{"C:\\Users\\me\\季度总结.docx", "季度总结"},
		{"line one\nline\ttwo", "line one line two"},
		{"Binder1.pdf", "Binder1"},
		{"v1.2", "v1.2"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *t = wy_title_clean(rows[i].in, 200);
		ASSERT_STR_EQ(t, rows[i].out);
		free(t);
	}
	char *t = wy_title_clean("一二三四五", 7); /* cut on a character boundary */
	ASSERT_STR_EQ(t, "一二");
	free(t);
}

TEST(pick_order)
{
	static const struct {
		const char *user, *file, *meta, *first, *want;
	} rows[] = {
		/* the uploader's title wins */
		{"我的书", "book.pdf", "Meta", "First", "我的书"},
		{"  ", "报告.pdf", NULL, NULL, "报告"},
		/* then the file name when it says something */
		{NULL, "2023年政府工作报告.pdf", "Microsoft Word - 新建 Microsoft Word 文档.docx", "一、总体", "2023年政府工作报告"},
		{NULL, "/uploads/x/季度总结.docx", "Quarterly", NULL, "季度总结"},
		{NULL, "annual.report.final.pdf", NULL, NULL, "annual.report.final"},
		/* else the metadata title */
		{NULL, "out.pdf", "出师表", "先帝创业未半", "出师表"},
		{NULL, "新建 Microsoft Word 文档.docx", "Microsoft Word - 年度总结.doc", "x", "年度总结"},
		{NULL, "65f1bfa9.epub", "啼笑因缘", NULL, "啼笑因缘"},
		{NULL, "20220331.pdf", "Test Data 20220331215854083057 99", "Invoice for March", "Invoice for March"},
		/* else the first line */
		{NULL, "document.pdf", "untitled", "\n\n  第一章 总则  \n正文", "第一章 总则"},
		{NULL, "Book1.xlsx", "This file was derived from X", "Sales 2023", "Sales 2023"},
		/* the first line that says something: past a page number */
		{NULL, "out.docx.pdf", "out", "- 1 -\n测试文段\n诸葛亮、诸葛亮", "测试文段"},
		{NULL, NULL, NULL, "- 1 -\n\n1 a 2 b 3 c", "- 1 -"},
		/* the metadata title cleaned (cases of the old wy_convert_pick_title) */
		{NULL, "f.pdf", "  Real Title ", "first line", "Real Title"},
		{NULL, "f.pdf", "C:\\Users\\sarah\\Desktop\\document\\DEF.txt", NULL, "DEF"},
		{NULL, "f.pdf", "untitled", "\n  第一行标题\n第二行", "第一行标题"},
		{NULL, "/tmp/季度总结.final.pdf", NULL, "", "季度总结.final"},
		/* everything junk: the file name, as the uploader named it */
		{NULL, "out.pdf", "untitled", "1 a 2 b 3 c", "out"},
		{NULL, NULL, "untitled", "1 a 2 b 3 c", "untitled"},
		{NULL, NULL, NULL, "1 a 2 b 3 c", "1 a 2 b 3 c"},
		{NULL, NULL, NULL, NULL, "untitled"},
		{NULL, "", "", "", "untitled"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *t = wy_title_pick(rows[i].user, rows[i].file, rows[i].meta, rows[i].first);
		if (strcmp(t, rows[i].want) != 0)
			WY_FAIL_("row %zu: \"%s\" != \"%s\"", i, t, rows[i].want);
		free(t);
	}
}

/* A metadata title is the uploader's to write: the escape sequences and
 * bidi overrides in it must not reach a terminal (`wenyuan list`) or a
 * reader; a PDF's /Title once came through as ESC [ 2 J ... */
TEST(controls_and_bidi_overrides_go)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{"\x1b[2J\x1b[31mEVIL\x1b[0m\x07", "[2J[31mEVIL[0m"},
		{"\x1b]0;PWNED\x07报告", "]0;PWNED报告"},
		{"invoice\xe2\x80\xae" "fdp.exe", "invoicefdp.exe"}, /* U+202E */
		{"a\xe2\x81\xa6" "b\xe2\x81\xa9" "c\xe2\x80\x8f", "abc"}, /* U+2066, U+2069, U+200F */
		{"x\xc2\x9b" "31my", "x31my"}, /* C1 CSI */
		{"\x01\x02 标题 \x7f", "标题"},
		{"\xe2\x80\xae", ""},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *t = wy_title_clean(rows[i].in, 200);
		if (strcmp(t, rows[i].out))
			WY_FAIL_("row %zu: \"%s\" != \"%s\"", i, t, rows[i].out);
		free(t);
	}
	/* a title of nothing but controls is junk: the next candidate wins */
	char *t = wy_title_pick(NULL, "untitled.pdf", "\x1b\xe2\x80\xae", "第一章");
	ASSERT_STR_EQ(t, "第一章");
	free(t);
}

/* a long first line is cut on a character boundary */
TEST(long_first_line)
{
	char longline[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(longline, "标题");
	char *t = wy_title_pick(NULL, "x", NULL, longline);
	ASSERT(strlen(t) <= 80);
	ASSERT_EQ(strlen(t) % 3, 0);
	free(t);
}

TEST_LIST(T(junk_table), T(clean), T(pick_order), T(long_first_line), T(controls_and_bidi_overrides_go))

/* docgrid tests: Word's character grid rewritten for LibreOffice, on XML
 * text; and the corpus's 公文 DOCX (GB/T 9704: 28 characters × 22 lines)
 * converted by the LibreOfficeKit adapter against Word's own PDF of it: the
 * same page count (± 1) and the same first lines on page 1, read from both
 * PDFs by pdftotext (poppler-utils); and the same as a DOC that LibreOffice
 * wrote. The corpus part is skipped without $WY_CORPUS. */
#include "convert/docgrid.h"
#include "convert/office.h"
#include "core/config.h"
#include "core/util.h"
#include "test.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define W "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
#define SECT(grid) "<w:sectPr><w:pgSz w:h=\"16838\" w:w=\"11906\" /><w:pgMar w:bottom=\"1985\" w:footer=\"1418\" " \
	"w:gutter=\"0\" w:header=\"851\" w:left=\"1588\" w:right=\"1474\" w:top=\"2098\" />" grid "</w:sectPr>"
#define GRID_GBT "<w:docGrid w:charSpace=\"-849\" w:linePitch=\"579\" w:type=\"linesAndChars\" />"
#define STYLES(defaults) "<w:styles xmlns:w=\"x\">" defaults "<w:style w:default=\"1\" w:styleId=\"a\" " \
	"w:type=\"paragraph\"><w:name w:val=\"Normal\" /><w:rPr><w:sz w:val=\"32\" /><w:szCs w:val=\"21\" /></w:rPr>" \
	"</w:style></w:styles>"
#define DEFAULTS "<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val=\"21\" /></w:rPr></w:rPrDefault></w:docDefaults>"

/* 156 mm of 16 pt characters at Word's pitch of 16 - 849/4096 pt: 28 to a
 * line, so each may take 8844/28 = 315 twips, 5 less than its 320. */
TEST(gbt9704_grid)
{
	char *d = NULL, *s = NULL;
	int sp = 0;
	ASSERT_EQ(wy_docgrid_adjust_xml(W "<w:p/>" SECT(GRID_GBT) "</w:body></w:document>", STYLES(DEFAULTS), &d, &s,
					&sp),
		  WY_OK);
	ASSERT_EQ(sp, -5);
	ASSERT_CONTAINS(d, "<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr>");
	ASSERT(!strstr(d, "linesAndChars"));
	ASSERT_CONTAINS(s, "<w:rPrDefault><w:rPr><w:spacing w:val=\"-5\"/><w:sz w:val=\"21\" /></w:rPr>");
	free(d);
	free(s);
}

/* As LibreOffice writes a negative charSpace (unsigned): the same. */
TEST(unsigned_char_space)
{
	char *d = NULL, *s = NULL;
	int sp = 0;
	ASSERT_EQ(wy_docgrid_adjust_xml(W SECT("<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" "
					       "w:charSpace=\"4294966066\"/>") "</w:body></w:document>",
					STYLES(DEFAULTS), &d, &s, &sp),
		  WY_OK);
	ASSERT_EQ(sp, -5);
	free(d);
	free(s);
}

/* The defaults get the spacing whatever shape they are in. */
TEST(defaults_created)
{
	const char *doc = W SECT(GRID_GBT) "</w:body></w:document>";
	static const char *const in[] = {STYLES(""), STYLES("<w:docDefaults/>"), STYLES("<w:docDefaults></w:docDefaults>"),
					 STYLES("<w:docDefaults><w:rPrDefault/></w:docDefaults>"),
					 STYLES("<w:docDefaults><w:rPrDefault><w:rPr/></w:rPrDefault></w:docDefaults>")};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		char *d = NULL, *s = NULL;
		int sp = 0;
		ASSERT_EQ(wy_docgrid_adjust_xml(doc, in[i], &d, &s, &sp), WY_OK);
		if (i == 1) { /* <w:docDefaults/>: nothing to add to, the grid alone */
			ASSERT_EQ(sp, 0);
		} else {
			ASSERT_EQ(sp, -5);
			ASSERT_CONTAINS(s, "<w:rPr><w:spacing w:val=\"-5\"/>");
		}
		free(d);
		free(s);
	}
}

/* Exact line heights stay off the grid (as Word keeps them); a style the
 * document does not define is Normal. */
TEST(exact_lines_and_missing_styles)
{
	char *d = NULL, *s = NULL;
	int sp = 0;
	ASSERT_EQ(wy_docgrid_adjust_xml(W "<w:p><w:pPr><w:pStyle w:val=\"BodyText\"/><w:spacing w:line=\"700\" "
					"w:lineRule=\"exact\"/></w:pPr></w:p><w:p><w:pPr><w:pStyle w:val=\"a\"/>"
					"<w:snapToGrid w:val=\"1\"/><w:spacing w:line=\"700\" w:lineRule=\"exact\"/>"
					"</w:pPr><w:r><w:rPr><w:spacing w:val=\"20\"/></w:rPr></w:r></w:p>" SECT(GRID_GBT)
					"</w:body></w:document>",
					STYLES(DEFAULTS), &d, &s, &sp),
		  WY_OK);
	ASSERT_CONTAINS(d, "<w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"700\"");
	ASSERT_CONTAINS(d, "<w:pStyle w:val=\"a\"/><w:snapToGrid w:val=\"1\"/><w:spacing");
	ASSERT_CONTAINS(d, "<w:rPr><w:spacing w:val=\"20\"/>");
	ASSERT(!strstr(d, "BodyText"));
	free(d);
	free(s);
}

/* A page number gallery's content control around a framed paragraph goes;
 * other content controls stay. */
TEST(footer_page_number)
{
	const char *pnum = "<w:p><w:pPr><w:framePr w:wrap=\"none\" w:vAnchor=\"text\" w:hAnchor=\"margin\" "
			   "w:xAlign=\"outside\" w:y=\"1\"/></w:pPr><w:r><w:t>- 1 -</w:t></w:r></w:p>";
	char *in = wy_xasprintf("<w:ftr><w:sdt><w:sdtPr><w:id w:val=\"1\"/><w:docPartObj><w:docPartGallery "
				"w:val=\"Page Numbers (Bottom of Page)\"/></w:docPartObj></w:sdtPr><w:sdtContent>%s"
				"<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent><w:p/></w:sdtContent></w:sdt>"
				"</w:sdtContent></w:sdt><w:p/></w:ftr>",
				pnum);
	char *want = wy_xasprintf("<w:ftr>%s<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent><w:p/></w:sdtContent>"
				  "</w:sdt><w:p/></w:ftr>",
				  pnum);
	char *out = wy_docgrid_adjust_hdrftr(in);
	ASSERT_STR_EQ(out, want);
	ASSERT(!wy_docgrid_adjust_hdrftr(want));
	ASSERT(!wy_docgrid_adjust_hdrftr("<w:ftr><w:sdt><w:sdtPr><w:docPartObj/></w:sdtPr><w:sdtContent><w:p/>"));
	free(out);
	free(want);
	free(in);
}

/* Grids LibreOffice already lays out like Word, or that cannot be measured,
 * are left alone. */
TEST(left_alone)
{
	static const char *const docs[] = {
		W "<w:p/></w:body></w:document>",
		W SECT("<w:docGrid w:linePitch=\"579\" w:type=\"lines\" />") "</w:body></w:document>",
		W SECT("<w:docGrid w:charSpace=\"2000\" w:linePitch=\"579\" w:type=\"linesAndChars\" />") "</w:body></w:document>",
		W SECT("<w:docGrid w:charSpace=\"-849\" w:linePitch=\"579\" w:type=\"snapToChars\" />") "</w:body></w:document>",
		W "<w:sectPr><w:pgMar w:left=\"1588\" w:right=\"1474\" />" GRID_GBT "</w:sectPr></w:body></w:document>",
		W "<w:sectPr><w:pgSz w:w=\"11906\" /><w:pgMar w:left=\"1588\" w:right=\"1474\" /><w:cols w:num=\"2\" />"
		GRID_GBT "</w:sectPr></w:body></w:document>",
		"<w:document><w:docGrid w:charSpace=\"-849\" w:type=\"linesAndChars\"",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char *d = NULL, *s = NULL;
		int sp = 0;
		ASSERT_EQ(wy_docgrid_adjust_xml(docs[i], STYLES(DEFAULTS), &d, &s, &sp), WY_ENOTFOUND);
		ASSERT(!d && !s);
	}
}

/* The first line of pdftotext -layout's page `page` that has at least `min`
 * characters (spaces dropped), and the page count. Caller frees. */
static char *pdf_line(const char *pdf, int page, size_t min, int *pages)
{
	char *cmd = wy_xasprintf("pdfinfo '%s'", pdf);
	FILE *f = popen(cmd, "r");
	char line[4096];
	*pages = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Pages:", 6))
			*pages = atoi(line + 6);
	if (f)
		pclose(f);
	free(cmd);
	cmd = wy_xasprintf("pdftotext -layout -f %d -l %d '%s' -", page, page, pdf);
	f = popen(cmd, "r");
	free(cmd);
	char *found = NULL;
	while (f && !found && fgets(line, sizeof line, f)) {
		char *o = line;
		size_t n = 0;
		for (const char *p = line; *p; p++) {
			if (*p == ' ' || *p == '\n' || *p == '\f')
				continue;
			*o++ = *p;
			if (((unsigned char)*p & 0xc0) != 0x80)
				n++;
		}
		*o = 0;
		if (n >= min)
			found = wy_xstrdup(line);
	}
	if (f)
		pclose(f);
	return found;
}

TEST(gongwen_like_word)
{
	const char *corpus = getenv("WY_CORPUS");
	char *src = wy_xasprintf("%s/files/gongwen__dist__out.docx", corpus ? corpus : "");
	if (!corpus || access(src, R_OK)) {
		printf("  skipped: corpus not found\n");
		free(src);
		return;
	}
	wy_config cfg;
	ASSERT_EQ(wy_config_load(&cfg, NULL), WY_OK);
	char *dir = wy_xstrdup(wy_test_tmpdir("docgrid"));
	char *in = wy_xasprintf("%s/in", dir), *pdf = wy_xasprintf("%s/out.pdf", dir);
	char *cp = wy_xasprintf("cp '%s' '%s'", src, in);
	ASSERT_EQ(system(cp), 0);
	pid_t pid = fork(); /* LibreOffice starts once per process */
	if (pid == 0) {
		alarm(180);
		char *work = wy_xasprintf("%s/lo", dir);
		wy_errinfo ei = {0};
		char *doc = wy_xasprintf("%s/doc", dir), *doc_pdf = wy_xasprintf("%s/doc.pdf", dir);
		/* and the same document as DOC (LibreOffice writes its grid) */
		if (wy_office_start(cfg.office_path, work, &ei) || wy_office_to_pdf(in, pdf, &ei) ||
		    wy_office_convert(in, doc, "doc", &ei) || wy_office_to_pdf(doc, doc_pdf, &ei)) {
			fprintf(stderr, "  convert: %s\n", ei.msg);
			_exit(3);
		}
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(cp);
	cp = wy_xasprintf("cmp -s '%s' '%s'", src, in);
	ASSERT_EQ(system(cp), 0); /* the file it was given is as it was */
	char *grid = wy_xasprintf("%s.grid", in);
	ASSERT(access(grid, F_OK) != 0); /* and its adjusted copy is gone */
	free(grid);

	char *word_pdf = wy_xasprintf("%s.pdf", src);
	int ours = 0, words = 0;
	/* The first body line: the first of 20 characters or more. */
	char *a = pdf_line(pdf, 1, 20, &ours), *b = pdf_line(word_pdf, 1, 20, &words);
	printf("  pages: ours %d, Word's %d\n  first line: ours %s\n  first line: Word's %s\n", ours, words,
	       a ? a : "(none)", b ? b : "(none)");
	ASSERT(words == 14);
	ASSERT(ours >= words - 1 && ours <= words + 1);
	ASSERT_STR_EQ(a, b);
	free(a);

	char *doc_pdf = wy_xasprintf("%s/doc.pdf", dir);
	int as_doc = 0;
	a = pdf_line(doc_pdf, 1, 20, &as_doc);
	printf("  as DOC: pages %d, first line %s\n", as_doc, a ? a : "(none)");
	ASSERT(as_doc >= words - 1 && as_doc <= words + 1);
	ASSERT_STR_EQ(a, b);
	free(a);
	free(b);
	free(doc_pdf);
	free(word_pdf);
	free(cp);
	free(in);
	free(pdf);
	free(dir);
	free(src);
}

TEST_LIST(T(gbt9704_grid), T(unsigned_char_space), T(defaults_created), T(exact_lines_and_missing_styles),
	  T(footer_page_number), T(left_alone), T(gongwen_like_word))

/* mksample: makes the sample documents `make run` loads, from sources the
 * project writes itself: the manual (samples/manual.xhtml) as a PDF and as
 * an EPUB. A build tool, not part of wenyuan; it uses MuPDF's HTML layout
 * and its PDF and ZIP writers, so no other tool is needed.
 *
 *   wy-mksample pdf  IN.xhtml OUT.pdf  TITLE AUTHOR
 *   wy-mksample epub IN.xhtml OUT.epub TITLE AUTHOR */
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <stdio.h>
#include <string.h>

static void make_pdf(fz_context *ctx, const char *in, const char *out, const char *title, const char *author)
{
	fz_document *doc = fz_open_document(ctx, in);
	fz_layout_document(ctx, doc, 595, 842, 11);
	fz_document_writer *w = fz_new_pdf_writer(ctx, out, "compress");
	int n = fz_count_pages(ctx, doc);
	for (int i = 0; i < n; i++) {
		fz_page *page = fz_load_page(ctx, doc, i);
		fz_rect box = fz_bound_page(ctx, page);
		fz_device *dev = fz_begin_page(ctx, w, box);
		fz_run_page(ctx, page, dev, fz_identity, NULL);
		fz_end_page(ctx, w);
		fz_drop_page(ctx, page);
	}
	fz_close_document_writer(ctx, w);
	fz_drop_document_writer(ctx, w);
	fz_drop_document(ctx, doc);

	/* The writer knows no metadata: set Title and Author on the result. */
	pdf_document *pdf = pdf_open_document(ctx, out);
	pdf_obj *info = pdf_add_new_dict(ctx, pdf, 2);
	pdf_dict_put_text_string(ctx, info, PDF_NAME(Title), title);
	pdf_dict_put_text_string(ctx, info, PDF_NAME(Author), author);
	pdf_dict_put_drop(ctx, pdf_trailer(ctx, pdf), PDF_NAME(Info), info);
	pdf_write_options opts = pdf_default_write_options;
	opts.do_compress = 1;
	opts.do_garbage = 1;
	pdf_save_document(ctx, pdf, out, &opts);
	pdf_drop_document(ctx, pdf);
	printf("%s: %d pages\n", out, n);
}

static void entry(fz_context *ctx, fz_zip_writer *z, const char *name, const char *text, int compress)
{
	fz_buffer *b = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)text, strlen(text));
	fz_write_zip_entry(ctx, z, name, b, compress);
	fz_drop_buffer(ctx, b);
}

static void make_epub(fz_context *ctx, const char *in, const char *out, const char *title, const char *author)
{
	fz_buffer *body = fz_read_file(ctx, in);
	fz_terminate_buffer(ctx, body);
	fz_zip_writer *z = fz_new_zip_writer(ctx, out);
	/* EPUB: "mimetype" first and stored, so readers can sniff it. */
	entry(ctx, z, "mimetype", "application/epub+zip", 0);
	entry(ctx, z, "META-INF/container.xml",
	      "<?xml version=\"1.0\"?>\n<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
	      "<rootfiles><rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>"
	      "</rootfiles></container>\n", 1);
	char opf[2048];
	snprintf(opf, sizeof opf,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"id\">"
		 "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
		 "<dc:identifier id=\"id\">urn:wenyuan:manual</dc:identifier><dc:title>%s</dc:title>"
		 "<dc:creator>%s</dc:creator><dc:language>zh-CN</dc:language>"
		 "<meta property=\"dcterms:modified\">2026-01-01T00:00:00Z</meta></metadata>"
		 "<manifest><item id=\"manual\" href=\"manual.xhtml\" media-type=\"application/xhtml+xml\"/>"
		 "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/></manifest>"
		 "<spine><itemref idref=\"manual\"/></spine></package>\n",
		 title, author);
	entry(ctx, z, "OEBPS/content.opf", opf, 1);
	entry(ctx, z, "OEBPS/nav.xhtml",
	      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	      "xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>目录</title></head><body>"
	      "<nav epub:type=\"toc\"><ol><li><a href=\"manual.xhtml\">使用手册</a></li></ol></nav></body></html>\n", 1);
	entry(ctx, z, "OEBPS/manual.xhtml", (const char *)body->data, 1);
	fz_close_zip_writer(ctx, z);
	fz_drop_zip_writer(ctx, z);
	fz_drop_buffer(ctx, body);
	printf("%s: written\n", out);
}

int main(int argc, char **argv)
{
	if (argc != 6 || (strcmp(argv[1], "pdf") != 0 && strcmp(argv[1], "epub") != 0)) {
		fprintf(stderr, "usage: wy-mksample pdf|epub IN.xhtml OUT TITLE AUTHOR\n");
		return 1;
	}
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	int rc = 0;
	fz_try(ctx)
	{
		fz_register_document_handlers(ctx);
		if (argv[1][0] == 'p')
			make_pdf(ctx, argv[2], argv[3], argv[4], argv[5]);
		else
			make_epub(ctx, argv[2], argv[3], argv[4], argv[5]);
	}
	fz_catch(ctx)
	{
		fprintf(stderr, "wy-mksample: %s\n", fz_caught_message(ctx));
		rc = 1;
	}
	fz_drop_context(ctx);
	return rc;
}

/* testdoc.h: documents the tests make themselves with MuPDF's writers, so no
 * test depends on files from elsewhere: PDFs (optionally encrypted) laid out
 * from HTML, ZIP containers (EPUB, OOXML, CBZ) with given entries, and
 * scans: image-only PDFs (and PNG pages) rasterised from a PDF. */
#ifndef WY_TESTDOC_H
#define WY_TESTDOC_H

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/* Lay out html on A4 pages and write a PDF to path. user_pw/owner_pw (may
 * be NULL) encrypt it with AES-256. Returns the page count, or -1. */
static inline int testdoc_pdf(const char *html, const char *path, const char *title, const char *user_pw,
		       const char *owner_pw)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	int n = -1;
	fz_var(n);
	fz_try(ctx)
	{
		fz_register_document_handlers(ctx);
		fz_buffer *buf = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)html, strlen(html));
		fz_stream *stm = fz_open_buffer(ctx, buf);
		fz_document *doc = fz_open_document_with_stream(ctx, "text/html", stm);
		fz_layout_document(ctx, doc, 595, 842, 11);
		fz_document_writer *w = fz_new_pdf_writer(ctx, path, "");
		n = fz_count_pages(ctx, doc);
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
		fz_drop_stream(ctx, stm);
		fz_drop_buffer(ctx, buf);
		if (title || user_pw || owner_pw) {
			pdf_document *pdf = pdf_open_document(ctx, path);
			if (title) {
				/* The writer makes no Info dictionary: add one. */
				pdf_obj *info = pdf_add_new_dict(ctx, pdf, 2);
				pdf_dict_put_text_string(ctx, info, PDF_NAME(Title), title);
				pdf_dict_put_drop(ctx, pdf_trailer(ctx, pdf), PDF_NAME(Info), info);
			}
			pdf_write_options opts = pdf_default_write_options;
			if (user_pw || owner_pw) {
				opts.do_encrypt = PDF_ENCRYPT_AES_256;
				snprintf(opts.upwd_utf8, sizeof opts.upwd_utf8, "%s", user_pw ? user_pw : "");
				snprintf(opts.opwd_utf8, sizeof opts.opwd_utf8, "%s", owner_pw ? owner_pw : "owner");
				opts.permissions = 0;
			}
			pdf_save_document(ctx, pdf, path, &opts);
			pdf_drop_document(ctx, pdf);
		}
	}
	fz_catch(ctx)
	{
		fprintf(stderr, "testdoc_pdf: %s\n", fz_caught_message(ctx));
		n = -1;
	}
	fz_drop_context(ctx);
	return n;
}

/* Write a ZIP with the given entries (name, content pairs, NULL-terminated);
 * the first entry is stored uncompressed, the rest deflated. */
static inline int testdoc_zip(const char *path, const char *const *entries)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	int rc = 0;
	fz_try(ctx)
	{
		fz_zip_writer *z = fz_new_zip_writer(ctx, path);
		for (int i = 0; entries[i]; i += 2) {
			fz_buffer *b = fz_new_buffer_from_copied_data(ctx, (const unsigned char *)entries[i + 1],
								      strlen(entries[i + 1]));
			fz_write_zip_entry(ctx, z, entries[i], b, i > 0);
			fz_drop_buffer(ctx, b);
		}
		fz_close_zip_writer(ctx, z);
		fz_drop_zip_writer(ctx, z);
	}
	fz_catch(ctx)
	{
		fprintf(stderr, "testdoc_zip: %s\n", fz_caught_message(ctx));
		rc = -1;
	}
	fz_drop_context(ctx);
	return rc;
}

/* A page image as a JPEG, the way scanners store gray pages (libjpeg;
 * MuPDF 1.21 writes no JPEG). */
static inline fz_buffer *testdoc_jpeg(fz_context *ctx, fz_pixmap *pix, int quality)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL;
	unsigned long len = 0;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &len);
	c.image_width = (JDIMENSION)fz_pixmap_width(ctx, pix);
	c.image_height = (JDIMENSION)fz_pixmap_height(ctx, pix);
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	jpeg_start_compress(&c, TRUE);
	unsigned char *px = fz_pixmap_samples(ctx, pix);
	ptrdiff_t stride = fz_pixmap_stride(ctx, pix);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = px + c.next_scanline * stride;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fz_buffer *b = fz_new_buffer_from_copied_data(ctx, out, len);
	free(out);
	return b;
}

/* A scan of the PDF at src, as a flatbed scanner and a careless hand make
 * one: each page rasterised in gray at dpi, turned by degrees, with noise
 * (every pixel jittered by up to ±noise levels, and one dark speck in
 * 2000), written to dst as a PDF whose pages are nothing but that image:
 * stored losslessly, or as a JPEG of jpeg_quality (1..100) when that is not
 * 0. When png is not NULL the first page's image is also written there.
 * Deterministic for a seed. Returns the page count, or -1. */
static inline int testdoc_scan_as(const char *src, const char *dst, const char *png, int dpi, float degrees,
				  int noise, unsigned seed, int jpeg_quality)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	int n = -1;
	fz_var(n);
	fz_try(ctx)
	{
		fz_register_document_handlers(ctx);
		fz_document *doc = fz_open_document(ctx, src);
		fz_document_writer *w = fz_new_pdf_writer(ctx, dst, "");
		n = fz_count_pages(ctx, doc);
		unsigned r = seed;
		for (int i = 0; i < n; i++) {
			fz_page *page = fz_load_page(ctx, doc, i);
			fz_matrix ctm = fz_concat(fz_scale(dpi / 72.0f, dpi / 72.0f), fz_rotate(degrees));
			fz_irect ib = fz_round_rect(fz_transform_rect(fz_bound_page(ctx, page), ctm));
			fz_pixmap *pix = fz_new_pixmap_with_bbox(ctx, fz_device_gray(ctx), ib, NULL, 0);
			fz_clear_pixmap_with_value(ctx, pix, 255);
			fz_device *dev = fz_new_draw_device(ctx, ctm, pix);
			fz_run_page(ctx, page, dev, fz_identity, NULL);
			fz_close_device(ctx, dev);
			fz_drop_device(ctx, dev);
			fz_drop_page(ctx, page);
			int pw = fz_pixmap_width(ctx, pix), ph = fz_pixmap_height(ctx, pix);
			unsigned char *px = fz_pixmap_samples(ctx, pix);
			ptrdiff_t stride = fz_pixmap_stride(ctx, pix);
			for (int y = 0; y < ph; y++)
				for (int x = 0; x < pw; x++) {
					r = r * 1103515245u + 12345u;
					int v = px[y * stride + x] + (int)((r >> 16) % (unsigned)(2 * noise + 1)) - noise;
					if ((r >> 8) % 2000 == 0)
						v = 40;
					px[y * stride + x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
				}
			fz_set_pixmap_resolution(ctx, pix, dpi, dpi);
			if (png && i == 0)
				fz_save_pixmap_as_png(ctx, pix, png);
			fz_image *img;
			if (jpeg_quality) {
				fz_buffer *jpg = testdoc_jpeg(ctx, pix, jpeg_quality);
				img = fz_new_image_from_buffer(ctx, jpg);
				fz_drop_buffer(ctx, jpg);
			} else {
				img = fz_new_image_from_pixmap(ctx, pix, NULL);
			}
			float wpt = pw * 72.0f / dpi, hpt = ph * 72.0f / dpi;
			dev = fz_begin_page(ctx, w, fz_make_rect(0, 0, wpt, hpt));
			fz_fill_image(ctx, dev, img, fz_scale(wpt, hpt), 1, fz_default_color_params);
			fz_end_page(ctx, w);
			fz_drop_image(ctx, img);
			fz_drop_pixmap(ctx, pix);
		}
		fz_close_document_writer(ctx, w);
		fz_drop_document_writer(ctx, w);
		fz_drop_document(ctx, doc);
	}
	fz_catch(ctx)
	{
		fprintf(stderr, "testdoc_scan: %s\n", fz_caught_message(ctx));
		n = -1;
	}
	fz_drop_context(ctx);
	return n;
}

static inline int testdoc_scan(const char *src, const char *dst, const char *png, int dpi, float degrees, int noise,
			       unsigned seed)
{
	return testdoc_scan_as(src, dst, png, dpi, degrees, noise, seed, 0);
}

#endif

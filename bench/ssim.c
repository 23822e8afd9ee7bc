/* wy-ssim: what page images cost and how close they are to the page.
 * Every page of the PDFs is rendered at 1240 px as the converter renders
 * it (gray when MuPDF's test device finds no colour, else RGB) and encoded
 * the way the converter did before issue 20 (libwebp lossy, quality 75,
 * method 0: "before") and the way it does now (render.c's put_webp: gray
 * text pages by encode.h's writer, the rest as before: "now"); with --all,
 * also with candidate settings of libwebp (lossy tuned for text, lossless
 * at low effort, quantised to fewer gray levels). Each image is decoded
 * with libwebp and compared with the render.
 *
 * Quality is SSIM (Wang et al. 2004, K1 = 0.01, K2 = 0.03) on luma
 * (Rec. 601 weights for RGB), 8 x 8 windows every 4 pixels, averaged over
 * the page ("ssim") and over the windows where the render is not flat
 * ("ink": on a page of text most windows are blank paper, where every
 * encoding scores 1). Time is the encoding alone (the best of three).
 *
 *   wy-ssim [--all] [-v] FILE.pdf...
 *
 * Prints, per kind of page (gray, colour) and for all pages, a line per
 * encoding: pages, bytes per page, ms per page, mean SSIM, lowest SSIM,
 * mean ink SSIM. The last lines, "total before ..." and "total now ...",
 * are what bench/pipeline.sh reads. */
#include "convert/encode.h"
#include "core/util.h"

#include <math.h>
#include <mupdf/fitz.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <webp/decode.h>
#include <webp/encode.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* luma of the reference, 0..255 */
static double ssim(const unsigned char *a, const unsigned char *b, int w, int h, double *ink)
{
	const double c1 = 6.5025, c2 = 58.5225;
	double sum = 0, isum = 0;
	long n = 0, in = 0;
	for (int y = 0; y + 8 <= h; y += 4)
		for (int x = 0; x + 8 <= w; x += 4) {
			double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
			for (int j = 0; j < 8; j++)
				for (int i = 0; i < 8; i++) {
					double p = a[(size_t)(y + j) * w + x + i], q = b[(size_t)(y + j) * w + x + i];
					sa += p;
					sb += q;
					saa += p * p;
					sbb += q * q;
					sab += p * q;
				}
			double ma = sa / 64, mb = sb / 64;
			double va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
			double v = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
			sum += v;
			n++;
			if (va > 0) {
				isum += v;
				in++;
			}
		}
	*ink = in ? isum / in : 1;
	return n ? sum / n : 1;
}

static void to_luma(const unsigned char *px, int n, int w, int h, int stride, unsigned char *out)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			const unsigned char *p = px + (size_t)y * stride + (size_t)x * n;
			out[(size_t)y * w + x] =
				n == 1 ? p[0] : (unsigned char)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
		}
}

/* An encoding: libwebp with these settings, or encode.h, or the
 * converter's choice between the two. */
typedef struct cand {
	const char *name;
	int kind;   /* 0 lossy (YUV), 1 lossless (ARGB), 2 encode.h, 3 the converter's choice */
	int levels; /* gray pages only: quantised to this many levels first (0: not) */
	int method;
	float quality;
	int sns, segments; /* -1: libwebp's default */
} cand;

static const cand cands[] = {
	{"now", 3, 0, 0, 75, -1, -1},
	{"before", 0, 0, 0, 75, -1, -1},
	{"encode.h-only", 2, 16, 0, 0, -1, -1},
	{"lossy-q75-m0-seg1-sns0", 0, 0, 0, 75, 0, 1},
	{"lossy-q75-m0-sns0", 0, 0, 0, 75, 0, -1},
	{"lossy-q60-m0", 0, 0, 0, 60, -1, -1},
	{"lossy-q75-m1", 0, 0, 1, 75, -1, -1},
	{"lossless-m0-q0", 1, 0, 0, 0, -1, -1},
	{"lossless-m0-q0-16lv", 1, 16, 0, 0, -1, -1},
	{"lossless-m0-q0-8lv", 1, 8, 0, 0, -1, -1},
	{"lossless-m0-q0-4lv", 1, 4, 0, 0, -1, -1},
	{"lossless-m0-q25-16lv", 1, 16, 0, 25, -1, -1},
	{"lossless-m0-q75-16lv", 1, 16, 0, 75, -1, -1},
	{"lossless-m0-q100-16lv", 1, 16, 0, 100, -1, -1},
	{"lossless-m1-q0-16lv", 1, 16, 1, 0, -1, -1},
	{"lossless-m1-q10-16lv", 1, 16, 1, 10, -1, -1},
	{"lossless-m1-q10-32lv", 1, 32, 1, 10, -1, -1},
	{"lossless-m1-q10-8lv", 1, 8, 1, 10, -1, -1},
	{"lossless-m2-q0-16lv", 1, 16, 2, 0, -1, -1},
};
#define NC (int)(sizeof cands / sizeof cands[0])

typedef struct acc {
	double bytes, ms, ssim, minssim, ink;
	int pages;
} acc;

/* encode, decode to luma, return bytes (0 on failure) */
static size_t try_cand(const cand *c, const unsigned char *px, int n, int w, int h, int stride,
		       const unsigned char *ref, double *ms, double *ss, double *ink)
{
	WebPConfig cfg;
	WebPPicture pic;
	WebPMemoryWriter wr;
	WebPConfigInit(&cfg);
	WebPPictureInit(&pic);
	cfg.method = c->method;
	cfg.quality = c->quality;
	cfg.lossless = c->kind == 1;
	if (c->sns >= 0)
		cfg.sns_strength = c->sns;
	if (c->segments >= 0)
		cfg.segments = c->segments;
	pic.width = w;
	pic.height = h;
	pic.use_argb = c->kind == 1;
	WebPMemoryWriterInit(&wr);
	pic.writer = WebPMemoryWrite;
	pic.custom_ptr = &wr;
	/* the converter's choice: the test is part of its time */
	double t0 = now_ms();
	if (c->kind == 3 && !(n == 1 && wy_gray_is_text(px, w, h, stride)))
		return try_cand(&cands[1], px, n, w, h, stride, ref, ms, ss, ink);
	if (c->kind >= 2) {
		wy_buf o;
		wy_buf_init(&o, 0);
		wy_webp_gray_text(px, w, h, stride, &o);
		*ms = now_ms() - t0;
		size_t sz = o.len;
		int dw, dh;
		uint8_t *rgb = WebPDecodeRGB((const uint8_t *)o.data, o.len, &dw, &dh);
		if (rgb && dw == w && dh == h) {
			unsigned char *l = malloc((size_t)w * h);
			to_luma(rgb, 3, w, h, 3 * w, l);
			*ss = ssim(ref, l, w, h, ink);
			free(l);
		} else {
			fprintf(stderr, "wy-ssim: libwebp cannot decode encode.h's image\n");
			sz = 0;
		}
		WebPFree(rgb);
		wy_buf_free(&o);
		return sz;
	}
	WebPPictureAlloc(&pic);
	if (c->kind) {
		int lv = c->levels;
		uint32_t lut[256];
		for (int v = 0; v < 256; v++) {
			int q = v;
			if (lv > 1)
				q = ((v * (lv - 1) + 127) / 255) * 255 / (lv - 1);
			lut[v] = 0xff000000u | (uint32_t)q * 0x010101u;
		}
		for (int y = 0; y < h; y++) {
			uint32_t *d = pic.argb + (size_t)y * pic.argb_stride;
			const unsigned char *s = px + (size_t)y * stride;
			if (n == 1)
				for (int x = 0; x < w; x++)
					d[x] = lut[s[x]];
			else
				for (int x = 0; x < w; x++)
					d[x] = 0xff000000u | (uint32_t)s[3 * x] << 16 | (uint32_t)s[3 * x + 1] << 8 |
					       s[3 * x + 2];
		}
	} else if (n == 1) {
		for (int y = 0; y < h; y++) {
			const unsigned char *src = px + (size_t)y * stride;
			uint8_t *dst = pic.y + (size_t)y * pic.y_stride;
			for (int x = 0; x < w; x++)
				dst[x] = (uint8_t)(16 + (219 * src[x] + 127) / 255);
		}
		int uvw = (w + 1) / 2, uvh = (h + 1) / 2;
		for (int y = 0; y < uvh; y++) {
			memset(pic.u + (size_t)y * pic.uv_stride, 128, (size_t)uvw);
			memset(pic.v + (size_t)y * pic.uv_stride, 128, (size_t)uvw);
		}
	} else {
		WebPPictureImportRGB(&pic, px, stride);
	}
	int ok = WebPEncode(&cfg, &pic);
	*ms = now_ms() - t0;
	WebPPictureFree(&pic);
	size_t sz = ok ? wr.size : 0;
	if (ok) {
		int dw, dh;
		uint8_t *rgb = WebPDecodeRGB(wr.mem, wr.size, &dw, &dh);
		if (rgb && dw == w && dh == h) {
			unsigned char *l = malloc((size_t)w * h);
			to_luma(rgb, 3, w, h, 3 * w, l);
			*ss = ssim(ref, l, w, h, ink);
			free(l);
		} else
			sz = 0;
		WebPFree(rgb);
	}
	WebPMemoryWriterClear(&wr);
	return sz;
}

static int ncand = 2; /* --all: NC */
static bool verbose;

static int is_color(fz_context *ctx, fz_display_list *list)
{
	int color = 0;
	fz_device *dev = fz_new_test_device(ctx, &color, 0.02f, 0, NULL);
	fz_run_display_list(ctx, list, dev, fz_identity, fz_infinite_rect, NULL);
	fz_close_device(ctx, dev);
	fz_drop_device(ctx, dev);
	return color != 0;
}

static fz_document *open_pdf(fz_context *ctx, const char *path)
{
	fz_document *doc = NULL;
	fz_var(doc);
	fz_try(ctx) doc = fz_open_document(ctx, path);
	fz_catch(ctx) return NULL;
	return doc;
}

static void one_page(fz_context *ctx, fz_document *doc, int p, const char *file, acc a[3][NC], double *render_ms)
{
	fz_page *page = NULL;
	fz_display_list *list = NULL;
	fz_pixmap *pix = NULL;
	fz_var(page);
	fz_var(list);
	fz_var(pix);
	fz_try(ctx)
	{
		page = fz_load_page(ctx, doc, p);
		list = fz_new_display_list_from_page(ctx, page);
		fz_rect b = fz_bound_page(ctx, page);
		double t1 = now_ms();
		int col = is_color(ctx, list);
		float s = 1240.0f / (b.x1 - b.x0);
		fz_irect box = {0, 0, 1240, (int)((b.y1 - b.y0) * s + 0.5f)};
		pix = fz_new_pixmap_with_bbox(ctx, col ? fz_device_rgb(ctx) : fz_device_gray(ctx), box, NULL, 0);
		fz_clear_pixmap_with_value(ctx, pix, 255);
		fz_device *dev = fz_new_draw_device(ctx, fz_pre_translate(fz_scale(s, s), -b.x0, -b.y0), pix);
		fz_run_display_list(ctx, list, dev, fz_identity, fz_infinite_rect, NULL);
		fz_close_device(ctx, dev);
		fz_drop_device(ctx, dev);
		double t2 = now_ms();
		render_ms[col] += t2 - t1;
		int w = pix->w, h = pix->h, n = pix->n;
		unsigned char *ref = malloc((size_t)w * h);
		to_luma(pix->samples, n, w, h, (int)pix->stride, ref);
		for (int c = 0; c < ncand; c++) {
			if (cands[c].levels && n != 1)
				continue;
			double ms = 1e9, ss = 0, ink = 0;
			size_t sz = 0;
			for (int r = 0; r < 3; r++) {
				double m = 0;
				sz = try_cand(&cands[c], pix->samples, n, w, h, (int)pix->stride, ref, &m, &ss, &ink);
				if (m < ms)
					ms = m;
			}
			for (int j = 0; j < 2; j++) { /* its kind, and all pages */
				acc *x = &a[j ? 2 : col][c];
				x->pages++;
				x->bytes += (double)sz;
				x->ms += ms;
				x->ssim += ss;
				x->ink += ink;
				if (ss < x->minssim)
					x->minssim = ss;
			}
			if (verbose)
				printf("%s p%d %s %s %zu %.1f ms ssim %.4f ink %.4f text %d\n", file, p + 1, col ? "rgb" : "gray",
				       cands[c].name, sz, ms, ss, ink, n == 1 && wy_gray_is_text(pix->samples, w, h, (int)pix->stride));
		}
		free(ref);
	}
	fz_always(ctx)
	{
		fz_drop_pixmap(ctx, pix);
		fz_drop_display_list(ctx, list);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) fprintf(stderr, "%s p%d: %s\n", file, p + 1, fz_caught_message(ctx));
}

int main(int argc, char **argv)
{
	acc a[3][NC]; /* gray, colour, all */
	memset(a, 0, sizeof a);
	for (int k = 0; k < 3; k++)
		for (int c = 0; c < NC; c++)
			a[k][c].minssim = 1;
	double render_ms[2] = {0};
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (!ctx)
		return 1;
	fz_register_document_handlers(ctx);
	fz_set_warning_callback(ctx, NULL, NULL);
	fz_set_error_callback(ctx, NULL, NULL);
	int files = 0;
	for (int f = 1; f < argc; f++) {
		if (!strcmp(argv[f], "--all")) {
			ncand = NC;
			continue;
		}
		if (!strcmp(argv[f], "-v")) {
			verbose = true;
			continue;
		}
		fz_document *doc = open_pdf(ctx, argv[f]);
		if (!doc) {
			fprintf(stderr, "wy-ssim: cannot open %s\n", argv[f]);
			continue;
		}
		files++;
		int np = fz_count_pages(ctx, doc);
		for (int p = 0; p < np; p++)
			one_page(ctx, doc, p, argv[f], a, render_ms);
		fz_drop_document(ctx, doc);
	}
	if (!files) {
		fprintf(stderr, "usage: wy-ssim [--all] [-v] FILE.pdf...\n");
		return 2;
	}
	static const char *kind[3] = {"gray", "colour", "total"};
	for (int k = 0; k < 3; k++) {
		int np = a[k][0].pages;
		if (k < 2)
			printf("%s pages: %d, render %.1f ms/page\n", kind[k], np, np ? render_ms[k] / np : 0);
		for (int c = 0; c < ncand; c++) {
			acc *x = &a[k][c];
			if (!x->pages)
				continue;
			printf("%s %s pages %d bytes %.0f ms %.1f ssim %.4f min %.4f ink %.4f\n", kind[k], cands[c].name,
			       x->pages, x->bytes / x->pages, x->ms / x->pages, x->ssim / x->pages, x->minssim,
			       x->ink / x->pages);
		}
	}
	fz_drop_context(ctx);
	return 0;
}

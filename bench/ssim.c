/* experiment: candidate encodings (to be trimmed) */
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

typedef struct cand {
	const char *name;
	int lossless; /* 0 lossy YUV, 1 lossless ARGB */
	int levels;   /* lossless: quantize gray to this many levels (0 none) */
	int method;
	float quality;
	int sns, filter, segments, sharp, preproc, partitions, pass, exact, near;
} cand;

static const cand cands[] = {
	{"wy-text (custom VP8L 16lv)", 2, 16, 0, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossy-q75-m0 (today)", 0, 0, 0, 75, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossy-q75-m0-seg1-sns0", 0, 0, 0, 75, 0, -1, 1, -1, -1, -1, -1, 0, 100},
	{"lossy-q75-m0-sns0", 0, 0, 0, 75, 0, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossy-q60-m0", 0, 0, 0, 60, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossy-q75-m1", 0, 0, 1, 75, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q0", 1, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q0-16lv", 1, 16, 0, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q0-8lv", 1, 8, 0, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q0-4lv", 1, 4, 0, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q25-16lv", 1, 16, 0, 25, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m1-q10-16lv", 1, 16, 1, 10, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m1-q0-16lv", 1, 16, 1, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q75-16lv", 1, 16, 0, 75, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m0-q100-16lv", 1, 16, 0, 100, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m1-q10-32lv", 1, 32, 1, 10, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m2-q0-16lv", 1, 16, 2, 0, -1, -1, -1, -1, -1, -1, -1, 0, 100},
	{"lossless-m1-q10-8lv", 1, 8, 1, 10, -1, -1, -1, -1, -1, -1, -1, 0, 100},
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
	cfg.lossless = c->lossless;
	if (c->sns >= 0)
		cfg.sns_strength = c->sns;
	if (c->filter >= 0)
		cfg.filter_strength = c->filter;
	if (c->segments >= 0)
		cfg.segments = c->segments;
	cfg.exact = c->exact;
	cfg.near_lossless = c->near;
	pic.width = w;
	pic.height = h;
	pic.use_argb = c->lossless;
	WebPMemoryWriterInit(&wr);
	pic.writer = WebPMemoryWrite;
	pic.custom_ptr = &wr;
	double t0 = now_ms();
	if (c->lossless == 2) {
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
			fprintf(stderr, "wy-text: cannot decode (%d x %d)\n", dw, dh);
			sz = 0;
		}
		WebPFree(rgb);
		wy_buf_free(&o);
		return sz;
	}
	WebPPictureAlloc(&pic);
	if (c->lossless) {
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

static void one_page(fz_context *ctx, fz_document *doc, int p, const char *file, acc a[2][NC], double *test_ms,
		     double *render_ms)
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
		double t0 = now_ms();
		int col = is_color(ctx, list);
		double t1 = now_ms();
		float s = 1240.0f / (b.x1 - b.x0);
		fz_irect box = {0, 0, 1240, (int)((b.y1 - b.y0) * s + 0.5f)};
		pix = fz_new_pixmap_with_bbox(ctx, col ? fz_device_rgb(ctx) : fz_device_gray(ctx), box, NULL, 0);
		fz_clear_pixmap_with_value(ctx, pix, 255);
		fz_device *dev = fz_new_draw_device(ctx, fz_pre_translate(fz_scale(s, s), -b.x0, -b.y0), pix);
		fz_run_display_list(ctx, list, dev, fz_identity, fz_infinite_rect, NULL);
		fz_close_device(ctx, dev);
		fz_drop_device(ctx, dev);
		double t2 = now_ms();
		test_ms[col] += t1 - t0;
		render_ms[col] += t2 - t1;
		int w = pix->w, h = pix->h, n = pix->n;
		unsigned char *ref = malloc((size_t)w * h);
		to_luma(pix->samples, n, w, h, (int)pix->stride, ref);
		for (int c = 0; c < NC; c++) {
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
			acc *x = &a[col][c];
			x->pages++;
			x->bytes += (double)sz;
			x->ms += ms;
			x->ssim += ss;
			x->ink += ink;
			if (ss < x->minssim)
				x->minssim = ss;
			if (getenv("V"))
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
	acc a[2][NC];
	memset(a, 0, sizeof a);
	for (int k = 0; k < 2; k++)
		for (int c = 0; c < NC; c++)
			a[k][c].minssim = 1;
	double render_ms[2] = {0}, test_ms[2] = {0};
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_register_document_handlers(ctx);
	fz_set_warning_callback(ctx, NULL, NULL);
	fz_set_error_callback(ctx, NULL, NULL);
	for (int f = 1; f < argc; f++) {
		fz_document *doc = open_pdf(ctx, argv[f]);
		if (!doc)
			continue;
		int np = fz_count_pages(ctx, doc);
		for (int p = 0; p < np; p++)
			one_page(ctx, doc, p, argv[f], a, test_ms, render_ms);
		fz_drop_document(ctx, doc);
	}
	for (int k = 0; k < 2; k++) {
		int np = a[k][0].pages;
		printf("\n%s pages: %d, test device %.1f ms/page, render %.1f ms/page\n", k ? "colour" : "gray", np,
		       np ? test_ms[k] / np : 0, np ? render_ms[k] / np : 0);
		for (int c = 0; c < NC; c++) {
			acc *x = &a[k][c];
			if (!x->pages)
				continue;
			printf("  %-28s %8.0f B/page %7.1f ms/page  SSIM mean %.4f min %.4f ink %.4f\n", cands[c].name,
			       x->bytes / x->pages, x->ms / x->pages, x->ssim / x->pages, x->minssim, x->ink / x->pages);
		}
	}
	fz_drop_context(ctx);
	return 0;
}

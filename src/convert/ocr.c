/* ocr: Tesseract through its C API (tesseract/capi.h). Recognises a page
 * image and lays its symbols out as page text and character boxes. It must
 * never open a file but the models, and never start threads: it runs in the
 * confined, CPU-limited converter child. */
#include "convert/ocr.h"
#include "core/log.h"
#include "text/boxes.h"
#include "text/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WY_HAVE_TESSERACT
#include <dlfcn.h>
#include <tesseract/capi.h>
#endif

#ifndef WY_TESSDATA_DIR
#define WY_TESSDATA_DIR "/usr/share/tesseract-ocr/5/tessdata"
#endif

#ifndef WY_HAVE_TESSERACT

bool wy_ocr_available(void) { return false; }

int wy_ocr_preload(void) { return WY_ENOTSUP; }

int wy_ocr_open(const char *datadir, const char *langs, wy_ocr **out, wy_errinfo *ei)
{
	(void)datadir;
	(void)langs;
	*out = NULL;
	return wy_err_set(ei, WY_ENOTSUP, "this build has no OCR (Tesseract was not found)");
}

void wy_ocr_close(wy_ocr *o) { (void)o; }

int wy_ocr_probe(const char *langs, const char **lib, const char **dir, wy_errinfo *ei)
{
	(void)langs;
	*lib = "";
	*dir = WY_TESSDATA_DIR;
	return wy_err_set(ei, WY_ENOTSUP, "this build has no OCR (Tesseract was not found)");
}

int wy_ocr_page(wy_ocr *o, const unsigned char *px, int w, int h, int stride, int ppi, wy_buf *text, wy_buf *boxes,
		wy_errinfo *ei)
{
	(void)o, (void)px, (void)w, (void)h, (void)stride, (void)ppi, (void)text, (void)boxes;
	return wy_err_set(ei, WY_ENOTSUP, "this build has no OCR");
}

#else

#include <pthread.h>
#include <tesseract/version.h>

/* "libtesseract.so.5": the soname of the headers' major version */
#define SYM_(x) #x
#define SYM(x) SYM_(x)
#define TESS_LIB "libtesseract.so." SYM(TESSERACT_MAJOR_VERSION)

/* Tesseract is loaded with dlopen, not linked: it and what it links
 * (Leptonica, libarchive, libcurl and its TLS stack, libgomp) map some 75
 * MB, which every process would carry. A converter that may recognise pages
 * loads it with wy_ocr_preload before it confines itself (jobs/converter.c):
 * once confined it could not open the library. */
static struct {
	__typeof__(TessBaseAPICreate) *create;
	__typeof__(TessBaseAPIDelete) *destroy;
	__typeof__(TessBaseAPIInit2) *init;
	__typeof__(TessBaseAPISetVariable) *set_variable;
	__typeof__(TessBaseAPIEnd) *end;
	__typeof__(TessBaseAPISetImage) *set_image;
	__typeof__(TessBaseAPISetSourceResolution) *set_resolution;
	__typeof__(TessBaseAPIRecognize) *recognize;
	__typeof__(TessBaseAPIClear) *clear;
	__typeof__(TessBaseAPIGetIterator) *get_iterator;
	__typeof__(TessResultIteratorDelete) *it_delete;
	__typeof__(TessResultIteratorGetPageIterator) *it_page;
	__typeof__(TessResultIteratorGetUTF8Text) *it_text;
	__typeof__(TessResultIteratorNext) *it_next;
	__typeof__(TessResultIteratorConfidence) *it_conf;
	__typeof__(TessPageIteratorIsAtBeginningOf) *pi_begins;
	__typeof__(TessPageIteratorBoundingBox) *pi_box;
	__typeof__(TessDeleteText) *delete_text;
} tess;
static const char *load_error; /* NULL: loaded */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Debian's Tesseract is built with OpenMP, whose runtime would start a
 * team of threads for the LSTM's loops: in a converter that would take
 * every core of the machine per job, and count all their time against the
 * child's CPU limit. libgomp reads OMP_THREAD_LIMIT when it loads, which
 * is here (nothing else of wenyuan uses it); the runtime's own call is
 * the second fence, looked up rather than linked (a Tesseract built
 * without OpenMP has no such symbol). */
static void load(void)
{
	setenv("OMP_THREAD_LIMIT", "1", 0);
	void *h = dlopen(TESS_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		load_error = "cannot load " TESS_LIB;
		wy_warn("ocr.load", "lib=%s msg=\"%s\"", TESS_LIB, dlerror());
		return;
	}
	/* POSIX's way from dlsym's object pointer to a function pointer */
#define LOAD(field, name) (*(void **)&tess.field = dlsym(h, #name))
	if (!LOAD(create, TessBaseAPICreate) || !LOAD(destroy, TessBaseAPIDelete) || !LOAD(init, TessBaseAPIInit2) ||
	    !LOAD(set_variable, TessBaseAPISetVariable) || !LOAD(end, TessBaseAPIEnd) ||
	    !LOAD(set_image, TessBaseAPISetImage) || !LOAD(set_resolution, TessBaseAPISetSourceResolution) ||
	    !LOAD(recognize, TessBaseAPIRecognize) || !LOAD(clear, TessBaseAPIClear) ||
	    !LOAD(get_iterator, TessBaseAPIGetIterator) || !LOAD(it_delete, TessResultIteratorDelete) ||
	    !LOAD(it_page, TessResultIteratorGetPageIterator) || !LOAD(it_text, TessResultIteratorGetUTF8Text) ||
	    !LOAD(it_next, TessResultIteratorNext) || !LOAD(it_conf, TessResultIteratorConfidence) || !LOAD(pi_begins, TessPageIteratorIsAtBeginningOf) ||
	    !LOAD(pi_box, TessPageIteratorBoundingBox) || !LOAD(delete_text, TessDeleteText)) {
		load_error = "a Tesseract function is missing in " TESS_LIB;
		wy_warn("ocr.load", "lib=%s msg=\"%s\"", TESS_LIB, load_error);
		return;
	}
#undef LOAD
	void (*set_threads)(int) = NULL;
	*(void **)&set_threads = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
	if (set_threads)
		set_threads(1);
}

struct wy_ocr {
	TessBaseAPI *api;
};

bool wy_ocr_available(void) { return true; }

int wy_ocr_preload(void)
{
	pthread_once(&load_once, load);
	return load_error ? WY_ENOTSUP : WY_OK;
}

int wy_ocr_open(const char *datadir, const char *langs, wy_ocr **out, wy_errinfo *ei)
{
	*out = NULL;
	if (wy_ocr_preload())
		return wy_err_set(ei, WY_ENOTSUP, "%s", load_error);
	TessBaseAPI *api = tess.create();
	if (!api)
		return wy_err_set(ei, WY_ENOMEM, "cannot create a Tesseract engine");
	const char *dir = datadir && *datadir ? datadir : WY_TESSDATA_DIR;
	/* LSTM only: the legacy engine is slower and worse at Chinese. */
	if (tess.init(api, dir, langs && *langs ? langs : "chi_sim", OEM_LSTM_ONLY) != 0) {
		tess.destroy(api);
		return wy_err_set(ei, WY_EIO, "cannot load the OCR models '%s' from %s", langs ? langs : "", dir);
	}
	wy_ocr *o = wy_xcalloc(1, sizeof *o);
	o->api = api;
	*out = o;
	return WY_OK;
}

void wy_ocr_close(wy_ocr *o)
{
	if (!o)
		return;
	tess.end(o->api);
	tess.destroy(o->api);
	free(o);
}

/* One recognised symbol: its UTF-8 in the symbol buffer, its box in image
 * pixels, and where it starts. */
typedef struct sym {
	size_t off, len;
	int x0, y0, x1, y1;
	int line, word; /* running numbers */
} sym;

typedef struct line {
	size_t first, end; /* symbols [first, end) */
	int x1, height, block, para;
} line;

static uint16_t unit(int v, int span)
{
	if (v <= 0 || span <= 0)
		return 0;
	if (v >= span)
		return WY_BOX_UNIT;
	return (uint16_t)((double)v * WY_BOX_UNIT / span + 0.5);
}

/* The box of a symbol in 1/65535ths of the image, never empty. */
static void sym_box(const sym *s, int w, int h, unsigned char out[WY_BOX_SIZE])
{
	wy_rect b = {unit(s->x0, w), unit(s->y0, h), unit(s->x1, w), unit(s->y1, h)};
	if (b.x0 >= b.x1) {
		b.x1 = b.x0 < WY_BOX_UNIT ? (uint16_t)(b.x0 + 1) : WY_BOX_UNIT;
		b.x0 = (uint16_t)(b.x1 - 1);
	}
	if (b.y0 >= b.y1) {
		b.y1 = b.y0 < WY_BOX_UNIT ? (uint16_t)(b.y0 + 1) : WY_BOX_UNIT;
		b.y0 = (uint16_t)(b.y1 - 1);
	}
	wy_box_put(out, &b);
}

/* A page whose symbols Tesseract is less sure of than this, on average
 * (its word confidences, 0..100, weighted by symbols), keeps no text: what
 * it reads into a drawing, a photo or a designed cover is noise ("ca -本",
 * "区PSO3R部和及为0") that would become the page's text and the
 * document's title. Measured: the test's noisy scan 86 to 90; the corpus's
 * pages of text-free drawings and covers 4.6 to 28; a cover with printed
 * title and author 85. Single words are not filtered: even at 10, that
 * lost real text (0.947 of the scan's bigrams instead of 0.970). */
#define OCR_MIN_PAGE_CONFIDENCE 50

/* Walk Tesseract's result symbol by symbol into syms (their UTF-8 in
 * chars) and lines. */
static double collect(TessResultIterator *it, wy_buf *chars, sym **syms, size_t *nsyms, line **lines, size_t *nlines)
{
	double conf_sum = 0, wconf = 0;
	TessPageIterator *pi = tess.it_page(it);
	size_t ns = 0, cs = 0, nl = 0, cl = 0;
	int block = -1, para = -1, word = -1;
	bool new_line = false;
	do {
		if (tess.pi_begins(pi, RIL_BLOCK))
			block++;
		if (tess.pi_begins(pi, RIL_PARA))
			para++;
		if (tess.pi_begins(pi, RIL_TEXTLINE))
			new_line = true;
		if (tess.pi_begins(pi, RIL_WORD)) {
			word++;
			wconf = tess.it_conf(it, RIL_WORD);
		}
		char *t = tess.it_text(it, RIL_SYMBOL);
		int x0, y0, x1, y1;
		size_t tl = t ? strlen(t) : 0;
		/* a symbol is one or more code points: never a space */
		while (tl && t[tl - 1] == ' ')
			tl--;
		if (!t || !tl || !wy_utf8_valid(t, tl) || !tess.pi_box(pi, RIL_SYMBOL, &x0, &y0, &x1, &y1)) {
			tess.delete_text(t);
			continue;
		}
		if (new_line || nl == 0 || (*lines)[nl - 1].block != block) {
			if (nl == cl) {
				cl = cl ? cl * 2 : 64;
				*lines = wy_xrealloc(*lines, cl * sizeof **lines);
			}
			(*lines)[nl++] = (line){ns, ns, 0, 0, block, para};
			new_line = false;
		}
		if (ns == cs) {
			cs = cs ? cs * 2 : 1024;
			*syms = wy_xrealloc(*syms, cs * sizeof **syms);
		}
		(*syms)[ns++] = (sym){chars->len, tl, x0, y0, x1, y1, (int)nl - 1, word};
		conf_sum += wconf;
		wy_buf_append(chars, t, tl);
		line *ln = &(*lines)[nl - 1];
		ln->end = ns;
		if (x1 > ln->x1)
			ln->x1 = x1;
		if (y1 - y0 > ln->height)
			ln->height = y1 - y0;
		tess.delete_text(t);
	} while (tess.it_next(it, RIL_SYMBOL));
	*nsyms = ns;
	*nlines = nl;
	return ns ? conf_sum / (double)ns : 0;
}

/* What goes between two recognised lines a and b (see page_text in
 * render.c, whose rules these are): lines of one paragraph join, with a
 * space unless they meet in CJK text or at a hyphen; a line that ran to
 * the right edge of its block joins the next of the block when both meet
 * in CJK text (Tesseract's paragraphs are a guess); else a line break. */
static const char *line_sep(const line *a, const line *b, const sym *syms, const char *chars, int right)
{
	const sym *la = &syms[a->end - 1], *fb = &syms[b->first];
	bool cjk = wy_is_cjk(wy_utf8_last_cp(chars + la->off, la->len)) && wy_is_cjk(wy_utf8_first_cp(chars + fb->off, fb->len));
	if (a->block == b->block && a->para == b->para)
		return cjk || chars[la->off + la->len - 1] == '-' ? "" : " ";
	int em = a->height > 0 ? a->height : 10;
	if (a->block == b->block && cjk && a->x1 >= right - 2 * em)
		return "";
	return "\n";
}

/* Append bytes and their boxes; false once the text is full (cut set). */
static bool emit(wy_buf *text, wy_buf *boxes, bool *bx, const char *s, size_t n, const unsigned char *box,
		 bool *cut)
{
	size_t room = text->cap ? text->cap - text->len : SIZE_MAX;
	if (n > room) {
		*cut = true;
		n = wy_utf8_truncate(s, n, room);
	}
	if (n && wy_buf_append(text, s, n)) {
		*cut = true;
		return false;
	}
	static const unsigned char zero[WY_BOX_SIZE];
	for (size_t i = 0; *bx && i < n; i++)
		if ((((unsigned char)s[i]) & 0xC0) != 0x80 && wy_buf_append(boxes, box ? box : zero, WY_BOX_SIZE))
			*bx = false;
	return !*cut;
}

int wy_ocr_page(wy_ocr *o, const unsigned char *px, int w, int h, int stride, int ppi, wy_buf *text, wy_buf *boxes,
		wy_errinfo *ei)
{
	tess.set_image(o->api, px, w, h, 1, stride);
	tess.set_resolution(o->api, ppi);
	if (tess.recognize(o->api, NULL) != 0) {
		tess.clear(o->api);
		return wy_err_set(ei, WY_EIO, "OCR failed on the page");
	}
	TessResultIterator *it = tess.get_iterator(o->api);
	if (!it) { /* nothing recognised */
		tess.clear(o->api);
		return WY_OK;
	}
	wy_buf chars;
	wy_buf_init(&chars, 0);
	sym *syms = NULL;
	line *lines = NULL;
	size_t ns = 0, nl = 0;
	double conf = collect(it, &chars, &syms, &ns, &lines, &nl);
	wy_debug("ocr.page", "symbols=%zu confidence=%.1f", ns, conf);
	if (conf < OCR_MIN_PAGE_CONFIDENCE)
		nl = 0; /* a drawing or a photo, not text */
	tess.it_delete(it);
	tess.clear(o->api);

	/* right edge of each block's text, for line_sep */
	int nblocks = nl ? lines[nl - 1].block + 1 : 0;
	int *right = wy_xcalloc((size_t)(nblocks > 0 ? nblocks : 1), sizeof *right);
	for (size_t i = 0; i < nl; i++)
		if (lines[i].block >= 0 && lines[i].block < nblocks && lines[i].x1 > right[lines[i].block])
			right[lines[i].block] = lines[i].x1;

	bool bx = true, cut = false;
	size_t start = text->len;
	for (size_t i = 0; i < nl && !cut; i++) {
		const line *ln = &lines[i];
		if (text->len > start) {
			const char *sep = line_sep(&lines[i - 1], ln, syms, chars.data,
						   ln->block >= 0 && ln->block < nblocks ? right[ln->block] : 0);
			if (!emit(text, boxes, &bx, sep, strlen(sep), NULL, &cut))
				break;
		}
		for (size_t k = ln->first; k < ln->end; k++) {
			const sym *s = &syms[k];
			/* a new word: a space, except next to a CJK character,
			 * where it is the gap Tesseract saw, not one typed
			 * (a space between two Han characters would split
			 * the bigram search looks for) */
			if (k > ln->first && s->word != syms[k - 1].word) {
				const sym *p = &syms[k - 1];
				bool cjk = wy_is_cjk(wy_utf8_last_cp(chars.data + p->off, p->len)) ||
					   wy_is_cjk(wy_utf8_first_cp(chars.data + s->off, s->len));
				if (!cjk && !emit(text, boxes, &bx, " ", 1, NULL, &cut))
					break;
			}
			unsigned char b[WY_BOX_SIZE];
			sym_box(s, w, h, b);
			if (!emit(text, boxes, &bx, chars.data + s->off, s->len, b, &cut))
				break;
		}
	}
	if (!bx)
		boxes->len = 0;
	free(right);
	free(syms);
	free(lines);
	wy_buf_free(&chars);
	return cut ? WY_ETOOBIG : WY_OK;
}

/* every model of langs a readable file of dir */
static int models_present(const char *dir, const char *langs, wy_errinfo *ei)
{
	const char *p = langs && *langs ? langs : "chi_sim";
	while (*p) {
		size_t n = strcspn(p, "+");
		if (n && n < 64) {
			char *path = wy_xasprintf("%s/%.*s.traineddata", dir, (int)n, p);
			int ok = access(path, R_OK) == 0;
			free(path);
			if (!ok)
				return wy_err_set(ei, WY_ENOTFOUND, "no OCR model %.*s in %s", (int)n, p, dir);
		}
		p += n;
		if (*p == '+')
			p++;
	}
	return WY_OK;
}

int wy_ocr_probe(const char *langs, const char **lib, const char **dir, wy_errinfo *ei)
{
	*lib = TESS_LIB;
	*dir = WY_TESSDATA_DIR;
	void *h = dlopen(TESS_LIB, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return wy_err_set(ei, WY_ENOTSUP, "cannot load %s", TESS_LIB);
	dlclose(h);
	return models_present(WY_TESSDATA_DIR, langs, ei);
}

#endif

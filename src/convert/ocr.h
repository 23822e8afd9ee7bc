/* ocr: the Tesseract adapter. Turns a rendered page (8-bit gray pixels)
 * into page text with one character box per code point, the same shape
 * render.c gives a page with a text layer (text/boxes.h). Only render.c
 * calls it, inside the converter's sandboxed child: it reads nothing but
 * the language models, from the one directory the confined child may read
 * (WY_TESSDATA_DIR), and never the filesystem otherwise. The library
 * itself is loaded before confinement (wy_ocr_preload). Tesseract's API
 * never leaves ocr.c.
 *
 * An engine is for one thread: it is made for one document and closed
 * after it (the per-job child is one process per document anyway). */
#ifndef WY_OCR_H
#define WY_OCR_H

#include <stdbool.h>

#include "core/err.h"
#include "core/util.h"

typedef struct wy_ocr wy_ocr;

/* Whether this build has OCR at all (Tesseract found at build time). */
bool wy_ocr_available(void);

/* Load Tesseract's library (dlopen; once per process, thread-safe): a
 * converter calls it before it confines itself, after which it could not
 * open it. WY_OK, or WY_ENOTSUP when it cannot be loaded (warned once).
 * wy_ocr_open calls it too. */
int wy_ocr_preload(void);

/* Load the models of langs ("chi_sim", "chi_sim+eng": Tesseract's syntax) from
 * datadir (NULL: the build's WY_TESSDATA_DIR) into a new engine, which
 * runs single-threaded. WY_ENOTSUP when the build has no OCR, WY_EIO when
 * a model cannot be loaded (reason in ei). The caller closes *out. */
int wy_ocr_open(const char *datadir, const char *langs, wy_ocr **out, wy_errinfo *ei);

/* Free an engine; NULL is a no-op. */
void wy_ocr_close(wy_ocr *o);

/* Recognise the w x h gray image at px (stride bytes a row), which shows
 * a whole page at ppi pixels per inch, and append its text to text and
 * the boxes of its code points, in 1/65535ths of the image, to boxes,
 * in lockstep: one box per code point, an empty one for the spaces and
 * line breaks added when words and lines are joined (as render.c joins
 * them: none between CJK characters, which Tesseract separates). When
 * text reaches its cap the text is cut on a character boundary and
 * WY_ETOOBIG returned (what came before is kept); when boxes pass theirs,
 * boxes is left empty. WY_EIO when Tesseract fails. */
int wy_ocr_page(wy_ocr *o, const unsigned char *px, int w, int h, int stride, int ppi, wy_buf *text, wy_buf *boxes,
		wy_errinfo *ei);

/* Whether OCR can run here, for the admins' dashboard, without starting
 * an engine: Tesseract's library can be loaded (dlopen, closed again; no
 * setting of the environment, so any process may ask) and each model of
 * langs ("chi_sim+eng") is a readable file in the build's model directory.
 * WY_OK; WY_ENOTSUP (no OCR in this build, or the library does not load)
 * or WY_ENOTFOUND (a model is missing), with the reason in ei. *lib gets
 * the library's name (static), *dir the model directory (static). */
int wy_ocr_probe(const char *langs, const char **lib, const char **dir, wy_errinfo *ei);

#endif

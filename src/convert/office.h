/* office: Word, Excel, PowerPoint, OpenDocument, RTF and WPS documents to
 * PDF through LibreOfficeKit, loaded once per converter process.
 *
 * Call only inside a sandboxed converter process (see jobs/converter.c): the
 * process must already have no network; LibreOffice follows links inside
 * documents. Macros never run: the private profile sets the highest macro
 * security level, disables macro execution and blocks untrusted referer
 * links. Not thread-safe: one document at a time per process. */
#ifndef WY_OFFICE_H
#define WY_OFFICE_H

#include "core/err.h"

/* Start LibreOffice from install_dir (".../libreoffice/program") with a new
 * private profile and fontconfig file under work_dir (created if needed).
 * Takes a second or two; do it once per process. WY_EIO when LibreOffice
 * cannot start. */
int wy_office_start(const char *install_dir, const char *work_dir, wy_errinfo *ei);

/* Warm LibreOffice up after wy_office_start: load a one-line text document
 * written under work_dir and export it to PDF there (both removed), so that
 * Writer, its fonts and the PDF export are loaded before the first real
 * document. WY_EIO when that fails (the converter works on regardless). */
int wy_office_warm(const char *work_dir, wy_errinfo *ei);

/* Convert the document at in_path to a PDF at out_path. A DOCX (or a DOC
 * or WPS, through a DOCX it exports) laid out on Word's character grid is
 * converted from an adjusted copy (see docgrid.h) written next to in_path
 * as in_path.grid (and in_path.docx) and removed before returning; in_path
 * is never written, its directory must be writable. Errors: WY_EPASSWORD
 * ("password-protected"), WY_ECORRUPT (LibreOffice cannot open it, with its
 * reason), WY_EIO (the export failed). */
int wy_office_to_pdf(const char *in_path, const char *out_path, wy_errinfo *ei);

/* The first pages first: a text document longer than min_pages pages (as
 * LibreOffice lays it out) has its first `pages` pages exported to path,
 * then ready(ctx, its page count as laid out) is called, before the whole
 * document is exported (to wy_office_to_pdf2's out_path). ready's error
 * ends the conversion with it. */
typedef struct wy_office_first {
	int min_pages, pages;
	const char *path;
	int (*ready)(void *ctx, int laid_out, wy_errinfo *ei);
	void *ctx;
} wy_office_first;

/* wy_office_to_pdf, with the first pages first when first is not NULL. */
int wy_office_to_pdf2(const char *in_path, const char *out_path, const wy_office_first *first, wy_errinfo *ei);

/* The same for any export filter LibreOffice knows by its short name
 * ("pdf", "docx", "xlsx", "pptx" ...); the tests make documents with it. */
int wy_office_convert(const char *in_path, const char *out_path, const char *format, wy_errinfo *ei);

/* For the admins' dashboard, without starting LibreOffice (any process
 * may ask): the library LibreOfficeKit would load from install_dir
 * (libsofficeapp.so, else libmergedlo.so, as LibreOfficeKitInit.h looks)
 * is there and is a shared object of this machine's kind (its ELF
 * header). WY_OK with its path in *lib (malloc'd); WY_ENOTFOUND (none) or
 * WY_EINVAL (not loadable here), with the reason in ei. */
int wy_office_find(const char *install_dir, char **lib, wy_errinfo *ei);

/* The font families the conversions map a 公文's and Windows' Chinese
 * fonts to (the packaged fonts scripts/deps.sh installs), the i-th, NULL
 * past the last. Static. */
const char *wy_office_font(int i);

/* Whether fontconfig (as LibreOffice sees it) has family installed: WY_OK
 * with the file it found in *file (malloc'd), WY_ENOTFOUND, or WY_ENOTSUP
 * when this build has no fontconfig to ask. Thread-safe. */
int wy_office_font_check(const char *family, char **file, wy_errinfo *ei);

#endif

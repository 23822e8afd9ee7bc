/* office: the LibreOfficeKit adapter. LibreOfficeKitInit.h loads
 * libmergedlo.so with dlopen; nothing else of LibreOffice is linked. */
#include "convert/office.h"
#include "convert/docgrid.h"
#include "core/log.h"
#include "core/util.h"

/* getParts (a Writer document's pages) is in the part of the API marked
 * unstable; the class says how far it goes (nSize). */
#define LOK_USE_UNSTABLE_API
#include <LibreOfficeKit/LibreOfficeKitInit.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#ifdef WY_HAVE_FONTCONFIG
#include <fontconfig/fontconfig.h>
#endif

/* From the unstable part of LibreOfficeKitEnums.h, which only compiles as
 * C++; these values are part of LibreOfficeKit's ABI. */
#define WY_LOK_FEATURE_DOCUMENT_PASSWORD 1ULL
#define WY_LOK_FEATURE_DOCUMENT_PASSWORD_TO_MODIFY 2ULL
#define WY_LOK_CALLBACK_DOCUMENT_PASSWORD 20
#define WY_LOK_CALLBACK_DOCUMENT_PASSWORD_TO_MODIFY 21
#define WY_LOK_DOCTYPE_TEXT 0 /* LibreOfficeKitDocumentType: a Writer document */

static LibreOfficeKit *lok;
static int password_asked;

/* LibreOffice asks for a password through this callback (the feature is
 * switched on below). Answering NULL cancels the load: a document that needs
 * a password to open fails fast instead of waiting for a dialog. A password
 * to modify only is answered the same way, which opens it read-only. */
static void on_callback(int type, const char *payload, void *data)
{
	(void)data;
	if (type == WY_LOK_CALLBACK_DOCUMENT_PASSWORD) {
		password_asked = 1;
		lok->pClass->setDocumentPassword(lok, payload, NULL);
	} else if (type == WY_LOK_CALLBACK_DOCUMENT_PASSWORD_TO_MODIFY) {
		lok->pClass->setDocumentPassword(lok, payload, NULL);
	}
}

static int write_file(const char *path, const char *text, wy_errinfo *ei)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return wy_err_set(ei, WY_EIO, "cannot write %s", path);
	bool ok = fputs(text, f) >= 0;
	if (fclose(f) != 0 || !ok)
		return wy_err_set(ei, WY_EIO, "cannot write %s", path);
	return WY_OK;
}

/* The profile: macros never run, links from untrusted documents are
 * blocked, nothing checks for updates. */
static const char registry[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	"<item oor:path=\"/org.openoffice.Office.Common/Security/Scripting\"><prop oor:name=\"MacroSecurityLevel\""
	" oor:op=\"fuse\"><value>3</value></prop></item>\n"
	"<item oor:path=\"/org.openoffice.Office.Common/Security/Scripting\"><prop oor:name=\"DisableMacrosExecution\""
	" oor:op=\"fuse\"><value>true</value></prop></item>\n"
	"<item oor:path=\"/org.openoffice.Office.Common/Security/Scripting\"><prop oor:name=\"BlockUntrustedRefererLinks\""
	" oor:op=\"fuse\"><value>true</value></prop></item>\n"
	"<item oor:path=\"/org.openoffice.Office.Common/Misc\"><prop oor:name=\"FirstRun\""
	" oor:op=\"fuse\"><value>false</value></prop></item>\n"
	"<item oor:path=\"/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments\">"
	"<prop oor:name=\"AutoCheckEnabled\" oor:op=\"fuse\"><value>false</value></prop></item>\n"
	"</oor:items>\n";

/* Chinese documents name fonts that Linux does not have (宋体, 黑体, 微软雅黑
 * ...). Map them, and the generic families, to Noto CJK in its Simplified
 * Chinese forms, so 骨 and 直 look as a reader in China expects.
 *
 * The fonts a 公文 names (GB/T 9704: 仿宋_GB2312, 楷体_GB2312, 方正小标宋简体,
 * 黑体) and 宋体 go first to packaged fonts whose line height is Word's:
 * Windows' SimSun, FangSong, KaiTi and SimHei are 1.0 em from ascent to
 * descent; Noto CJK is 1.44 em, so a Noto line is 44 % taller, and a 28.95 pt
 * grid line or a footer sized for SimSun overflows (the 公文's footer then
 * eats a body line on every page). AR PL UMing CN measures 1.05 em (AR PL
 * SungtiL GB's 1.00 em would be closer, but it has GB 2312 only, and a
 * character it lacks comes from Noto with Noto's line), AR PL KaitiM GB
 * 1.00 em (GB 2312; AR PL UKai CN, 1.10 em, for the rest), WenQuanYi Zen
 * Hei 1.26 em, the closest Hei Debian has. A font that is not installed, or
 * lacks a character, falls through to the next of its list. Every CJK face
 * advances a character by 1 em: characters per line do not depend on the
 * choice. */
typedef struct font_map {
	const char *to[3]; /* choices in order, NULL-terminated; then noto */
	const char *noto;
	const char *const *names;
} font_map;

static const char *const song_gw[] = {"SimSun", "宋体", "NSimSun", "新宋体", "FangSong", "仿宋", "仿宋_GB2312",
				      "FangSong_GB2312", "STSong", "华文宋体", "STFangsong", "华文仿宋", "方正小标宋简体",
				      "方正小标宋_GBK", "方正仿宋_GBK", "方正仿宋简体", NULL};
static const char *const kai_gw[] = {"KaiTi", "楷体", "楷体_GB2312", "KaiTi_GB2312", "STKaiti", "华文楷体",
				     "方正楷体_GBK", "方正楷体简体", NULL};
static const char *const hei_gw[] = {"SimHei", "黑体", "方正黑体_GBK", "方正黑体简体", "STHeiti", "华文黑体", NULL};
static const char *const sans_cjk[] = {"Microsoft YaHei", "微软雅黑", "DengXian", "等线", "PingFang SC",
				       "Source Han Sans SC", NULL};

static const font_map font_maps[] = {
	{{"AR PL UMing CN", NULL}, "Noto Serif CJK SC", song_gw},
	{{"AR PL KaitiM GB", "AR PL UKai CN", NULL}, "Noto Serif CJK SC", kai_gw},
	{{"WenQuanYi Zen Hei", NULL}, "Noto Sans CJK SC", hei_gw},
	{{NULL}, "Noto Sans CJK SC", sans_cjk},
};

static char *fonts_conf(void)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n"
			"<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
			"<alias binding=\"same\"><family>serif</family><prefer><family>Noto Serif CJK SC</family>"
			"</prefer></alias>\n"
			"<alias binding=\"same\"><family>sans-serif</family><prefer><family>Noto Sans CJK SC</family>"
			"</prefer></alias>\n"
			"<alias binding=\"same\"><family>monospace</family><prefer><family>Noto Sans Mono CJK SC</family>"
			"</prefer></alias>\n");
	for (size_t m = 0; m < sizeof font_maps / sizeof font_maps[0]; m++)
		for (int i = 0; font_maps[m].names[i]; i++) {
			wy_buf_printf(&b, "<alias binding=\"same\"><family>%s</family><accept>", font_maps[m].names[i]);
			for (int t = 0; font_maps[m].to[t]; t++)
				wy_buf_printf(&b, "<family>%s</family>", font_maps[m].to[t]);
			wy_buf_printf(&b, "<family>%s</family></accept></alias>\n", font_maps[m].noto);
		}
	wy_buf_puts(&b, "</fontconfig>\n");
	return wy_buf_steal(&b);
}

int wy_office_start(const char *install_dir, const char *work_dir, wy_errinfo *ei)
{
	if (lok)
		return WY_OK;
	char *user = wy_xasprintf("%s/profile/user", work_dir);
	char *reg = wy_xasprintf("%s/registrymodifications.xcu", user);
	char *conf = wy_xasprintf("%s/fonts.conf", work_dir);
	char *url = wy_xasprintf("file://%s/profile", work_dir);
	int rc = WY_OK;
	if (wy_mkdir_p(user, 0700))
		rc = wy_err_set(ei, WY_EIO, "cannot create %s", user);
	else if (!(rc = write_file(reg, registry, ei))) {
		char *fc = fonts_conf();
		rc = write_file(conf, fc, ei);
		free(fc);
	}
	if (!rc) {
		/* LibreOffice reads these at start: its fonts, its home. */
		setenv("FONTCONFIG_FILE", conf, 1);
		setenv("HOME", work_dir, 1);
		setenv("TMPDIR", work_dir, 1); /* its temp files go with the directory */
		setenv("SAL_USE_VCLPLUGIN", "svp", 1);
		int64_t t0 = wy_now_ms();
		lok = lok_init_2(install_dir, url);
		if (!lok) {
			rc = wy_err_set(ei, WY_EIO, "LibreOffice did not start from %s", install_dir);
		} else {
			lok->pClass->setOptionalFeatures(lok, WY_LOK_FEATURE_DOCUMENT_PASSWORD |
								      WY_LOK_FEATURE_DOCUMENT_PASSWORD_TO_MODIFY);
			lok->pClass->registerCallback(lok, on_callback, NULL);
			wy_log("office.start", "ms=%lld", (long long)(wy_now_ms() - t0));
		}
	}
	free(user);
	free(reg);
	free(conf);
	free(url);
	return rc;
}

/* A file URL for a local path: every byte outside the unreserved set is
 * percent-encoded (paths hold spaces and Chinese). */
static char *file_url(const char *path)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "file://");
	char cwd[4096];
	if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
		wy_buf_puts(&b, cwd); /* a URL has no relative form here */
		wy_buf_putc(&b, '/');
	}
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p))
			wy_buf_putc(&b, (char)*p);
		else
			wy_buf_printf(&b, "%%%02X", *p);
	}
	return wy_buf_steal(&b);
}

static int load(const char *path, LibreOfficeKitDocument **doc, wy_errinfo *ei)
{
	char *in = file_url(path);
	int rc = WY_OK;
	password_asked = 0;
	*doc = lok->pClass->documentLoadWithOptions(lok, in, "Language=zh-CN");
	if (!*doc) {
		char *err = lok->pClass->getError(lok);
		if (password_asked)
			rc = wy_err_set(ei, WY_EPASSWORD, "password-protected");
		else
			rc = wy_err_set(ei, WY_ECORRUPT, "LibreOffice cannot open the document%s%.200s",
					err && *err ? ": " : "", err ? err : "");
		if (err)
			lok->pClass->freeError(err);
	}
	free(in);
	return rc;
}

/* The PDF export's settings, as LibreOfficeKit takes them (JSON, since 7.x):
 * bookmarks from headings, the outline the converter reads from the PDF
 * (text/outline.h). It is LibreOffice's default, said here so that the
 * outline does not hang on a default: off, the corpus's 公文 DOCX keeps
 * its 14 page images, byte for byte, and loses its 56 entries. */
#define PDF_EXPORT "{\"ExportBookmarks\":{\"type\":\"boolean\",\"value\":\"true\"}}"

/* Export to path in format, with LibreOfficeKit's filter options (NULL:
 * none). */
static int save_opts(LibreOfficeKitDocument *doc, const char *path, const char *format, const char *opts,
		     wy_errinfo *ei)
{
	char *out = file_url(path);
	int rc = WY_OK;
	if (!doc->pClass->saveAs(doc, out, format, opts))
		rc = wy_err_set(ei, WY_EIO, "LibreOffice could not export the document to %s", format);
	free(out);
	return rc;
}

static int save(LibreOfficeKitDocument *doc, const char *path, const char *format, wy_errinfo *ei)
{
	return save_opts(doc, path, format, NULL, ei);
}

/* CPU time of this process, all its threads (LibreOffice works in
 * several), in milliseconds. */
static int64_t cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wy_office_warm(const char *work_dir, wy_errinfo *ei)
{
	if (!lok)
		return wy_err_set(ei, WY_EIO, "LibreOffice is not started");
	/* mixed Chinese and Latin text: the CJK fonts load too */
	static const char warm[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<office:document xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
		" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\""
		" office:mimetype=\"application/vnd.oasis.opendocument.text\"><office:body><office:text>"
		"<text:h text:outline-level=\"1\">文渊 wenyuan</text:h><text:p>预热 warm-up</text:p>"
		"</office:text></office:body></office:document>\n";
	char *in = wy_xasprintf("%s/warm.fodt", work_dir), *out = wy_xasprintf("%s/warm.pdf", work_dir);
	int64_t t0 = wy_now_ms();
	LibreOfficeKitDocument *doc = NULL;
	int rc = write_file(in, warm, ei);
	if (!rc)
		rc = load(in, &doc, ei);
	if (!rc)
		rc = save_opts(doc, out, "pdf", PDF_EXPORT, ei);
	if (doc)
		doc->pClass->destroy(doc);
	unlink(in);
	unlink(out);
	free(in);
	free(out);
	if (!rc)
		wy_log("office.warm", "ms=%lld", (long long)(wy_now_ms() - t0));
	return rc;
}

/* An OLE2 compound file: Word 97-2003 (DOC) or WPS, whose character grid
 * LibreOffice imports as it does DOCX's. */
static bool is_ole2(const char *path)
{
	static const unsigned char magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	unsigned char head[8];
	FILE *f = fopen(path, "rb");
	bool yes = f && fread(head, 1, sizeof head, f) == sizeof head && !memcmp(head, magic, sizeof magic);
	if (f)
		fclose(f);
	return yes;
}

/* A DOCX with Word's character grid is converted from an adjusted copy
 * next to in_path (see docgrid.h). A DOC or WPS text document is first
 * exported to DOCX there: if that copy has such a grid, the adjusted DOCX
 * is what becomes the PDF (one more load, for these documents only);
 * otherwise the document already loaded is. in_path is never changed. */
int wy_office_to_pdf(const char *in_path, const char *out_path, wy_errinfo *ei)
{
	return wy_office_to_pdf2(in_path, out_path, NULL, ei);
}

/* The pages first-pages-first exports (see wy_office_first), in the PDF
 * filter's own words: "1-3". LibreOffice lays the whole document out and
 * exports those pages as they are in it. */
static int export_first(LibreOfficeKitDocument *doc, const wy_office_first *first, int *laid_out, wy_errinfo *ei)
{
	*laid_out = 0;
	if (!first || doc->pClass->getDocumentType(doc) != WY_LOK_DOCTYPE_TEXT)
		return WY_OK;
	if (doc->pClass->nSize < offsetof(LibreOfficeKitDocumentClass, getParts) + sizeof doc->pClass->getParts)
		return WY_OK;
	int n = doc->pClass->getParts(doc); /* Writer: its pages */
	if (n <= first->min_pages || first->pages < 1)
		return WY_OK;
	char opts[256];
	snprintf(opts, sizeof opts,
		 "{\"ExportBookmarks\":{\"type\":\"boolean\",\"value\":\"true\"},"
		 "\"PageRange\":{\"type\":\"string\",\"value\":\"1-%d\"}}",
		 first->pages);
	unlink(first->path);
	int rc = save_opts(doc, first->path, "pdf", opts, ei);
	if (!rc)
		*laid_out = n;
	return rc;
}

int wy_office_to_pdf2(const char *in_path, const char *out_path, const wy_office_first *first, wy_errinfo *ei)
{
	if (!lok)
		return wy_err_set(ei, WY_EIO, "LibreOffice is not started");
	char *grid = wy_xasprintf("%s.grid", in_path), *docx = NULL;
	bool adjusted = false;
	LibreOfficeKitDocument *doc = NULL;
	int64_t t0 = wy_now_ms(), c0 = cpu_ms(), load_ms = 0, docx_ms = 0, export_ms = 0, first_ms = 0;
	int64_t ready_ms = 0; /* in the page pipeline with the first pages: not LibreOffice's */
	int laid_out = 0;
	int rc = wy_docgrid_adjust(in_path, grid, &adjusted, ei);
	if (!rc && !adjusted && is_ole2(in_path)) {
		int64_t t = wy_now_ms();
		rc = load(in_path, &doc, ei);
		load_ms += wy_now_ms() - t;
		if (!rc && doc->pClass->getDocumentType(doc) == WY_LOK_DOCTYPE_TEXT) {
			t = wy_now_ms();
			docx = wy_xasprintf("%s.docx", in_path);
			wy_errinfo ignored = {0};
			unlink(docx);
			if (!save(doc, docx, "docx", &ignored) && !wy_docgrid_adjust(docx, grid, &adjusted, &ignored) &&
			    adjusted) {
				doc->pClass->destroy(doc);
				doc = NULL;
			}
			unlink(docx);
			docx_ms = wy_now_ms() - t;
		}
	}
	if (!rc && !doc) {
		int64_t t = wy_now_ms();
		rc = load(adjusted ? grid : in_path, &doc, ei);
		load_ms += wy_now_ms() - t;
	}
	if (!rc) {
		int64_t t = wy_now_ms();
		rc = export_first(doc, first, &laid_out, ei);
		first_ms = wy_now_ms() - t;
		if (!rc && laid_out) {
			t = wy_now_ms();
			rc = first->ready(first->ctx, laid_out, ei);
			ready_ms = wy_now_ms() - t;
		}
	}
	if (!rc) {
		int64_t t = wy_now_ms();
		rc = save_opts(doc, out_path, "pdf", PDF_EXPORT, ei);
		export_ms = wy_now_ms() - t;
	}
	if (doc)
		doc->pClass->destroy(doc);
	if (adjusted)
		unlink(grid);
	free(grid);
	free(docx);
	/* where an office document's time goes (bench/office.sh reads it):
	 * loading and laying out, the DOCX round trip of a DOC, the PDF
	 * export, all of it in wall and CPU (every thread) milliseconds; a long
	 * text document's first pages' export (first_ms, of first_of pages as
	 * laid out), their page pipeline left out (ready_ms) */
	wy_log("office.pdf", "load_ms=%lld docx_ms=%lld first_ms=%lld first_of=%d ready_ms=%lld export_ms=%lld ms=%lld "
	       "cpu_ms=%lld grid=%d",
	       (long long)load_ms, (long long)docx_ms, (long long)first_ms, laid_out, (long long)ready_ms,
	       (long long)export_ms, (long long)(wy_now_ms() - t0 - ready_ms), (long long)(cpu_ms() - c0),
	       adjusted);
	return rc;
}

int wy_office_convert(const char *in_path, const char *out_path, const char *format, wy_errinfo *ei)
{
	if (!lok)
		return wy_err_set(ei, WY_EIO, "LibreOffice is not started");
	LibreOfficeKitDocument *doc = NULL;
	int rc = load(in_path, &doc, ei);
	if (!rc) {
		rc = save(doc, out_path, format, ei);
		doc->pClass->destroy(doc);
	}
	return rc;
}

/* ---- checks for the admins' dashboard (no LibreOffice started) ---- */

int wy_office_find(const char *install_dir, char **lib, wy_errinfo *ei)
{
	*lib = NULL;
	static const char *const names[] = {"libsofficeapp.so", "libmergedlo.so"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		char *path = wy_xasprintf("%s/%s", install_dir, names[k]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			free(path);
			continue;
		}
		Elf64_Ehdr h;
		ssize_t got = read(fd, &h, sizeof h);
		close(fd);
		/* the kind this program is: 64-bit, its byte order and machine */
		Elf64_Ehdr self;
		int sfd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		bool have_self = sfd >= 0 && read(sfd, &self, sizeof self) == (ssize_t)sizeof self;
		if (sfd >= 0)
			close(sfd);
		if (got != (ssize_t)sizeof h || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0 || h.e_type != ET_DYN ||
		    (have_self && (h.e_ident[EI_CLASS] != self.e_ident[EI_CLASS] ||
				   h.e_ident[EI_DATA] != self.e_ident[EI_DATA] || h.e_machine != self.e_machine))) {
			int rc = wy_err_set(ei, WY_EINVAL, "%s is not a shared library for this machine", path);
			free(path);
			return rc;
		}
		*lib = path;
		return WY_OK;
	}
	return wy_err_set(ei, WY_ENOTFOUND, "no LibreOffice in %s (libsofficeapp.so or libmergedlo.so)", install_dir);
}

const char *wy_office_font(int i)
{
	int k = 0;
	for (size_t m = 0; m < sizeof font_maps / sizeof font_maps[0]; m++)
		for (int t = 0; t <= 3; t++) {
			const char *f = t < 3 ? font_maps[m].to[t] : font_maps[m].noto;
			if (!f)
				continue;
			/* each family once */
			bool seen = false;
			for (size_t m2 = 0; m2 <= m && !seen; m2++)
				for (int t2 = 0; t2 <= 3 && !seen; t2++) {
					if (m2 == m && t2 >= t)
						break;
					const char *g = t2 < 3 ? font_maps[m2].to[t2] : font_maps[m2].noto;
					seen = g && strcmp(f, g) == 0;
				}
			if (seen)
				continue;
			if (k++ == i)
				return f;
		}
	return NULL;
}

#ifdef WY_HAVE_FONTCONFIG
static pthread_mutex_t fc_lock = PTHREAD_MUTEX_INITIALIZER;

int wy_office_font_check(const char *family, char **file, wy_errinfo *ei)
{
	*file = NULL;
	int rc;
	pthread_mutex_lock(&fc_lock);
	FcConfig *cfg = FcInitLoadConfigAndFonts();
	FcPattern *pat = cfg ? FcPatternCreate() : NULL;
	FcObjectSet *os = pat ? FcObjectSetBuild(FC_FAMILY, FC_FILE, (char *)0) : NULL;
	if (!os) {
		rc = wy_err_set(ei, WY_ENOTSUP, "fontconfig did not start");
		goto out;
	}
	FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
	/* a listing by exact family: a match would always find some font */
	FcFontSet *fs = FcFontList(cfg, pat, os);
	FcChar8 *f = NULL;
	if (fs && fs->nfont > 0 && FcPatternGetString(fs->fonts[0], FC_FILE, 0, &f) == FcResultMatch) {
		*file = wy_xstrdup((const char *)f);
		rc = WY_OK;
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "font %s is not installed", family);
	}
	if (fs)
		FcFontSetDestroy(fs);
out:
	if (os)
		FcObjectSetDestroy(os);
	if (pat)
		FcPatternDestroy(pat);
	if (cfg)
		FcConfigDestroy(cfg);
	pthread_mutex_unlock(&fc_lock);
	return rc;
}
#else
int wy_office_font_check(const char *family, char **file, wy_errinfo *ei)
{
	(void)family;
	*file = NULL;
	return wy_err_set(ei, WY_ENOTSUP, "this build has no fontconfig to ask");
}
#endif

/* reasons: the failure reasons the worker (src/jobs/worker.c), the
 * converters (src/convert/, their wy_err_set texts and the sandbox's
 * wy_sandbox_describe), the store (src/store/sqlite_jobs.c) and uploads
 * write, each mapped to a code and a sentence for readers (reasons.h).
 * tests/unit/test_reasons.c lists every reason the code can write and
 * checks each gets a code of its own: a new reason belongs in both. */
#include "web/reasons.h"

#include "web/i18n.h"

#include <stddef.h>
#include <string.h>

typedef struct reason_row {
	const char *match;        /* a reason containing this (first row wins) */
	const char *code;
	const char *msgid;
} reason_row;

#define R_ENCRYPTED N_("文件已加密，请去除密码后重新上传")
#define R_DRM N_("电子书受 DRM 版权保护，无法转换，请上传未加密的版本")
#define R_FORMAT N_("无法识别的文件格式，请上传 PDF、Word、PowerPoint、Excel、电子书或文本文件")
#define R_TOOBIG N_("文件内容超出本站的转换上限，请拆分后分别上传")
#define R_TIMEOUT N_("转换超时：文档页数过多或过于复杂，请拆分或精简后重新上传")
#define R_MEMORY N_("转换所需内存超出上限：文档过大或过于复杂，请拆分后重新上传")
#define R_COMPLEX N_("文档结构过于复杂，无法转换，请另存为 PDF 后重新上传")
#define R_EMPTY N_("文档中没有可显示的页面或文字，请检查文件内容后重新上传")
#define R_DAMAGED N_("文件已损坏或不完整，无法打开，请用原程序打开检查、重新保存后上传")
#define R_CRASH N_("转换程序出错，未能完成转换，请稍后重试，或另存为 PDF 后上传")
#define R_DUPLICATE N_("文库中已有内容几乎相同的文档，本次上传未被收录")
#define R_SERVER N_("服务器暂时无法转换此文件，请稍后重试，或联系管理员")
#define R_UNKNOWN N_("转换失败，请确认文件能正常打开后重新上传；如仍失败，请联系管理员")

/* The more specific rows first: "cannot open the original" (the server's
 * blob) before "cannot open the " (the document's own parts). */
static const reason_row rows[] = {
	{"DRM-protected", "drm", R_DRM},
	{"password-protected", "encrypted", R_ENCRYPTED},
	{"unrecognized format", "unrecognized_format", R_FORMAT},
	{"not a text file", "unrecognized_format", R_FORMAT},
	{"nearly the same text as document", "duplicate", R_DUPLICATE},
	{"conversion took longer than the limit", "timeout", R_TIMEOUT},
	{"passed its CPU limit", "timeout", R_TIMEOUT},
	{"time limit exceeded", "timeout", R_TIMEOUT},
	{"more memory than the limit", "memory", R_MEMORY},
	{"out of memory", "memory", R_MEMORY},
	{"malloc", "memory", R_MEMORY},
	{"cannot pack the book", "memory", R_MEMORY},
	{"cannot read the book from memory", "memory", R_MEMORY},
	{"cannot create a MuPDF context", "memory", R_MEMORY},
	{"cannot create a Tesseract engine", "memory", R_MEMORY},
	{"nested too deeply", "too_complex", R_COMPLEX},
	{"is larger than", "too_large", R_TOOBIG},
	{"too big", "too_large", R_TOOBIG},
	{"the file is empty", "empty", R_EMPTY},
	{"nothing to do", "empty", R_EMPTY},
	{"has no pages", "empty", R_EMPTY},
	{"the book has no text", "empty", R_EMPTY},
	{"no text records", "empty", R_EMPTY},
	/* the server's side: its converter, sandbox, disk or libraries */
	{"cannot open the original", "server_error", R_SERVER},
	{"cannot stat the original", "server_error", R_SERVER},
	{"LibreOffice is not started", "server_error", R_SERVER},
	{"LibreOffice did not start", "server_error", R_SERVER},
	{"LibreOffice could not export", "server_error", R_SERVER},
	{"need libmobi", "server_error", R_SERVER},
	{"has no OCR", "server_error", R_SERVER},
	{"OCR models", "server_error", R_SERVER},
	{"OCR failed", "server_error", R_SERVER},
	{"Landlock", "server_error", R_SERVER},
	{"sandbox:", "server_error", R_SERVER},
	{"pipe:", "server_error", R_SERVER},
	{"poll:", "server_error", R_SERVER},
	{"fork:", "server_error", R_SERVER},
	{"libwebp", "server_error", R_SERVER},
	{"WebP encoding failed", "server_error", R_SERVER},
	{"cannot write", "server_error", R_SERVER},
	{"cannot create", "server_error", R_SERVER},
	{"input/output error", "server_error", R_SERVER},
	{"needs the office converter", "server_error", R_SERVER},
	{"no input data", "server_error", R_SERVER},
	{"no output buffer", "server_error", R_SERVER},
	/* the document's bytes */
	{"cannot open the ", "damaged", R_DAMAGED},
	{"cannot open the document", "damaged", R_DAMAGED},
	{"cannot lay out the", "damaged", R_DAMAGED},
	{"cannot read the", "damaged", R_DAMAGED},
	{"cannot render page", "damaged", R_DAMAGED},
	{"cannot rebuild the book's text", "damaged", R_DAMAGED},
	{"no page could be read", "damaged", R_DAMAGED},
	{"stored data is corrupt", "damaged", R_DAMAGED},
	/* the converter's own end */
	{"converter crashed", "converter_failed", R_CRASH},
	{"converter exited", "converter_failed", R_CRASH},
	{"converter was killed", "converter_failed", R_CRASH},
	{"converter stopped", "converter_failed", R_CRASH},
	{"office converter stopped", "converter_failed", R_CRASH},
	{"sent malformed results", "converter_failed", R_CRASH},
	{"returned an incomplete document", "converter_failed", R_CRASH},
	{"conversion was interrupted", "converter_failed", R_CRASH},
};

static const reason_row *find(const char *reason)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (strstr(reason, rows[i].match))
			return &rows[i];
	return NULL;
}

const char *wy_reason_code(const char *reason)
{
	if (!reason)
		return NULL;
	const reason_row *r = find(reason);
	return r ? r->code : "unknown";
}

const char *wy_reason_msgid(const char *reason)
{
	if (!reason)
		return NULL;
	const reason_row *r = find(reason);
	return r ? r->msgid : R_UNKNOWN;
}

const char *wy_reason_text(const char *lang, const char *reason)
{
	const char *m = wy_reason_msgid(reason);
	return m ? wy_i18n_tr(lang, m) : NULL;
}

bool wy_reason_each(int i, const char **code, const char **msgid)
{
	int k = 0;
	for (size_t j = 0; j < sizeof rows / sizeof rows[0]; j++) {
		bool seen = false;
		for (size_t m = 0; m < j && !seen; m++)
			seen = strcmp(rows[m].code, rows[j].code) == 0;
		if (seen)
			continue;
		if (k++ == i) {
			*code = rows[j].code;
			*msgid = rows[j].msgid;
			return true;
		}
	}
	if (k == i) {
		*code = "unknown";
		*msgid = R_UNKNOWN;
		return true;
	}
	return false;
}

/* Failure reasons in plain words (src/web/reasons.c): every reason the
 * code can write for a failed document gets a code of its own, not the
 * generic one. The list below is every reason string the worker
 * (src/jobs/worker.c), the converters (src/convert/ files: their wy_err_set
 * texts; sandbox.c's wy_sandbox_describe), the error table (core/err.c:
 * the fallback wy_err_text), the store (src/store/sqlite_jobs.c) and
 * uploads write, as grep finds them, with numbers and names filled in;
 * a new reason belongs here and in the table. */
#include "test.h"
#include "web/reasons.h"

static const struct {
	const char *reason, *code;
} cases[] = {
	/* worker.c */
	{"password-protected", "encrypted"},
	{"the document needs more memory than the limit of 1024 MiB (malloc (123456 bytes) failed)", "memory"},
	{"the document needs more memory than the limit of 1024 MiB", "memory"},
	{"conversion took longer than the limit of 300 s", "timeout"},
	{"conversion took longer than the limit of 420 s (300 s, and 30 s for each of the 4 pages recognised)",
	 "timeout"},
	{"the converter sent malformed results", "converter_failed"},
	{"the converter stopped without a result", "converter_failed"},
	{"the converter returned an incomplete document", "converter_failed"},
	{"nearly the same text as document 12 (97% alike): refused", "duplicate"},
	/* sandbox.c, wy_sandbox_describe */
	{"the document is nested too deeply: the converter ran out of stack", "too_complex"},
	{"converter exited with status 3", "converter_failed"},
	{"converter passed its CPU limit of 600 s", "timeout"},
	{"converter was killed", "converter_failed"},
	{"converter crashed (signal 11, Segmentation fault)", "converter_failed"},
	{"converter stopped (status 9)", "converter_failed"},
	/* sqlite_jobs.c */
	{"conversion was interrupted 3 times (the converter's worker stopped)", "converter_failed"},
	/* src/convert/ */
	{"the book's text is larger than 64 MB", "too_large"},
	{"the text file is larger than 64 MB", "too_large"},
	{"the Markdown file is larger than 64 MB", "too_large"},
	{"DRM-protected", "drm"},
	{"the book has no text", "empty"},
	{"unrecognized format", "unrecognized_format"},
	{"not a text file", "unrecognized_format"},
	{"the file is empty", "empty"},
	{"the office converter stopped", "converter_failed"},
	{"the document has no pages", "empty"},
	{"no page could be read: cannot find startxref", "damaged"},
	{"cannot render page: syntax error", "damaged"},
	{"cannot rebuild the book's text: bad record", "damaged"},
	{"cannot read the document's pages: zlib error", "damaged"},
	{"cannot read the book: no text records", "empty"},
	{"cannot read the book: its record list is broken", "damaged"},
	{"cannot read the book: bad header", "damaged"},
	{"cannot open the EPUB: not a zip archive", "damaged"},
	{"cannot lay out the EPUB: broken", "damaged"},
	{"LibreOffice cannot open the document: General Error", "damaged"},
	{"out of memory while rendering Markdown", "memory"},
	{"out of memory while reading the book", "memory"},
	{"out of memory while encoding a page image", "memory"},
	{"cannot read the book from memory", "memory"},
	{"cannot pack the book: out of memory", "memory"},
	{"cannot create a Tesseract engine", "memory"},
	{"cannot create a MuPDF context", "memory"},
	{"LibreOffice is not started", "server_error"},
	{"LibreOffice did not start from /usr/lib/libreoffice/program", "server_error"},
	{"LibreOffice could not export the document to pdf", "server_error"},
	{"MOBI and AZW3 books need libmobi (libmobi.so.0), which cannot be loaded: not found", "server_error"},
	{"this build has no OCR", "server_error"},
	{"this build has no OCR (Tesseract was not found)", "server_error"},
	{"cannot load the OCR models 'chi_sim' from /usr/share/tesseract", "server_error"},
	{"OCR failed on the page", "server_error"},
	{"this kernel has no Landlock", "server_error"},
	{"built without Landlock", "server_error"},
	{"sandbox: no_new_privs: Operation not permitted", "server_error"},
	{"sandbox: landlock_restrict_self: Invalid argument", "server_error"},
	{"sandbox: cannot become user 1000: Operation not permitted", "server_error"},
	{"pipe: Too many open files", "server_error"},
	{"poll: Interrupted system call", "server_error"},
	{"fork: Resource temporarily unavailable", "server_error"},
	{"cannot write /tmp/x: No space left on device", "server_error"},
	{"cannot create /tmp/x", "server_error"},
	{"cannot create a directory for the office converter: Permission denied", "server_error"},
	{"cannot write the adjusted document: No space left on device", "server_error"},
	{"cannot open the original: No such file or directory", "server_error"},
	{"cannot stat the original: No such file or directory", "server_error"},
	{"libwebp version mismatch", "server_error"},
	{"WebP encoding failed (error 2)", "server_error"},
	{"no input data", "server_error"},
	{"no output buffer", "server_error"},
	/* core/err.c's texts, when a converter gave no message of its own */
	{"out of memory", "memory"},
	{"input/output error", "server_error"},
	{"too big", "too_large"},
	{"stored data is corrupt", "damaged"},
	{"time limit exceeded", "timeout"},
	{"converter crashed", "converter_failed"},
	{"nothing to do", "empty"},
	{"needs the office converter", "server_error"},
};

TEST(every_reason_written_has_a_code_of_its_own)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *code = wy_reason_code(cases[i].reason);
		if (!code || strcmp(code, cases[i].code) != 0)
			WY_FAIL_("\"%s\": code %s, want %s", cases[i].reason, code ? code : "(null)", cases[i].code);
		const char *msg = wy_reason_msgid(cases[i].reason);
		ASSERT(msg && strcmp(msg, wy_reason_msgid("something nobody wrote")) != 0);
	}
}

TEST(unknown_reasons_get_the_generic_message)
{
	ASSERT_STR_EQ(wy_reason_code("something nobody wrote"), "unknown");
	ASSERT(wy_reason_msgid("something nobody wrote") != NULL);
	ASSERT(wy_reason_code(NULL) == NULL);
	ASSERT(wy_reason_msgid(NULL) == NULL);
	ASSERT(wy_reason_text("zh", NULL) == NULL);
	/* Chinese needs no catalog: the msgid itself */
	ASSERT_STR_EQ(wy_reason_text("zh", "password-protected"), "文件已加密，请去除密码后重新上传");
	ASSERT_STR_EQ(wy_reason_text("zh", "unrecognized format"),
		      "无法识别的文件格式，请上传 PDF、Word、PowerPoint、Excel、电子书或文本文件");
}

TEST_LIST(T(every_reason_written_has_a_code_of_its_own), T(unknown_reasons_get_the_generic_message))

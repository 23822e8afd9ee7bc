/* test_charset: unit tests of text/utf8 and text/charset.
 *
 * Inputs are made here: sentences written in this file as UTF-8 and
 * converted with iconv to each encoding, then detected and converted back,
 * which must give the exact original. Failure paths (binary, truncation,
 * lone bytes, caps) and a seeded random sweep check that nothing crashes and
 * that the output is always clean UTF-8. When $WY_CORPUS is a directory the
 * real files of the shared corpus are checked in place; this test must
 * never copy them into the project. */
#include "test.h"

#include "core/err.h"
#include "core/util.h"
#include "text/charset.h"
#include "text/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>

/* ---- helpers ----------------------------------------------------------- */

/* Our own sentences, UTF-8 in the source. */
static const char zh_hans[] =
	"我们今天在图书馆里读书，学习中文的历史和文化。\n"
	"文渊是一个自己管理的文档库，可以保存、检索和阅读各种文件。\n"
	"他说：“这本书写得很好，大家都应该看一看。”\n";
static const char zh_hant[] =
	"我們今天在圖書館裡讀書，學習中文的歷史和文化。\n"
	"這個文件庫可以保存、檢索和閱讀各種資料，使用起來非常方便。\n"
	"老師說：「這本書寫得很好，大家都應該看一看。」\n";
static const char ja_text[] =
	"今日は図書館で本を読みました。\n"
	"日本語の文章を正しく読み込めるかどうか、ここで確かめます。\n"
	"雨の日には、静かな部屋でゆっくりと物語を楽しむのが好きです。\n";
static const char ko_text[] =
	"오늘은 도서관에서 책을 읽었습니다.\n"
	"한국어 문장을 올바르게 읽을 수 있는지 여기에서 확인합니다.\n"
	"비 오는 날에는 조용한 방에서 이야기를 천천히 즐기는 것을 좋아합니다.\n";
static const char fr_text[] =
	"Le café de la gare était fermé ; nous avons mangé une crêpe à l'hôtel.\n"
	"« Très bien », répondit-il, « ce n'est qu'un détail. » Cœur, œuvre, 5 €.\n";

/* Convert UTF-8 to enc with iconv; returns a malloc'd buffer and its size.
 * Fails the test when the text cannot be expressed in enc. */
static char *to_enc(const char *enc, const char *utf8, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open(enc, "UTF-8");
	if (cd == (iconv_t)-1)
		WY_FAIL_("iconv_open(%s): %s", enc, strerror(errno));
	size_t cap = len * 4 + 16;
	char *out = wy_xmalloc(cap);
	char *ip = (char *)utf8, *op = out;
	size_t il = len, ol = cap;
	size_t r = iconv(cd, &ip, &il, &op, &ol);
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(out);
		WY_FAIL_("iconv to %s failed: %s", enc, strerror(errno));
	}
	*outlen = (size_t)(op - out);
	return out;
}

/* Concatenate a prefix (a BOM) and a buffer. */
static char *cat2(const char *a, size_t an, const char *b, size_t bn, size_t *n)
{
	char *p = wy_xmalloc(an + bn + 1);
	memcpy(p, a, an);
	memcpy(p + an, b, bn);
	*n = an + bn;
	return p;
}

/* The output invariants of wy_charset_to_utf8. */
static bool clean_utf8(const char *s, size_t n)
{
	if (!wy_utf8_valid(s, n) || s[n] != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x20 && b != '\t' && b != '\n' && b != '\f')
			return false;
	}
	return true;
}

/* Encode text as enc, check detection gives want and conversion gives the
 * original text back byte for byte. */
static void round_trip(const char *text, const char *enc, const char *want)
{
	size_t n;
	char *data = to_enc(enc, text, strlen(text), &n);
	const char *got = wy_charset_detect(data, n);
	if (!got || strcmp(got, want) != 0) {
		free(data);
		WY_FAIL_("%s: detected %s, want %s", enc, got ? got : "NULL", want);
	}
	wy_buf out;
	const char *cs = NULL;
	wy_errinfo ei = {0};
	int rc = wy_charset_to_utf8(data, n, 0, &out, &cs, &ei);
	free(data);
	ASSERT_EQ(rc, WY_OK);
	bool same = out.len == strlen(text) && memcmp(out.data, text, out.len) == 0;
	bool clean = clean_utf8(out.data, out.len);
	if (!same)
		fprintf(stderr, "  got: %.300s\n", out.data);
	wy_buf_free(&out);
	ASSERT_STR_EQ(cs, want);
	ASSERT(same);
	ASSERT(clean);
}

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state;
static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

/* ---- utf8 -------------------------------------------------------------- */

TEST(utf8_valid)
{
	ASSERT(wy_utf8_valid("", 0));
	ASSERT(wy_utf8_valid(NULL, 0));
	ASSERT(wy_utf8_valid("plain ascii", 11));
	ASSERT(wy_utf8_valid(zh_hans, strlen(zh_hans)));
	ASSERT(wy_utf8_valid("\xF0\x9F\x98\x80", 4));          /* U+1F600 */
	ASSERT(wy_utf8_valid("\xF4\x8F\xBF\xBF", 4));          /* U+10FFFF */
	ASSERT(wy_utf8_valid("\xEF\xBB\xBF", 3));              /* BOM is valid */
	ASSERT(!wy_utf8_valid("\xC0\x80", 2));                 /* overlong NUL */
	ASSERT(!wy_utf8_valid("\xC1\xBF", 2));                 /* overlong */
	ASSERT(!wy_utf8_valid("\xE0\x80\xAF", 3));             /* overlong '/' */
	ASSERT(!wy_utf8_valid("\xF0\x8F\xBF\xBF", 4));         /* overlong */
	ASSERT(!wy_utf8_valid("\xED\xA0\x80", 3));             /* surrogate D800 */
	ASSERT(!wy_utf8_valid("\xED\xBF\xBF", 3));             /* surrogate DFFF */
	ASSERT(!wy_utf8_valid("\xF4\x90\x80\x80", 4));         /* > U+10FFFF */
	ASSERT(!wy_utf8_valid("\xF8\x88\x80\x80\x80", 5));     /* 5-byte form */
	ASSERT(!wy_utf8_valid("\xFF", 1));
	ASSERT(!wy_utf8_valid("\x80", 1));                     /* lone continuation */
	ASSERT(!wy_utf8_valid("\xE4\xB8", 2));                 /* truncated 中 */
	ASSERT(!wy_utf8_valid("a\xE4\xB8" "b", 4));
	ASSERT_EQ(wy_utf8_valid_prefix("ab\xE4\xB8\xAD\xFF", 6), 5);
	ASSERT_EQ(wy_utf8_partial_tail("ab\xE4\xB8", 4), 2);
	ASSERT_EQ(wy_utf8_partial_tail("ab\xF0", 3), 1);
	ASSERT_EQ(wy_utf8_partial_tail("ab\xE4\xB8\xAD", 5), 0);
	ASSERT_EQ(wy_utf8_partial_tail("ab\xED\xA0", 4), 0);   /* would be a surrogate */
	ASSERT_EQ(wy_utf8_partial_tail("ab", 2), 0);
	ASSERT_EQ(wy_utf8_partial_tail("", 0), 0);
}

TEST(utf8_decode_encode)
{
	const char s[] = "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\xFF\xE4\xB8";
	const char *p = s, *end = s + sizeof s - 1;
	ASSERT_EQ(wy_utf8_decode(&p, end), 'A');
	ASSERT_EQ(wy_utf8_decode(&p, end), 0xE9);
	ASSERT_EQ(wy_utf8_decode(&p, end), 0x4E2D);
	ASSERT_EQ(wy_utf8_decode(&p, end), 0x1F600);
	ASSERT_EQ(wy_utf8_decode(&p, end), -1); /* FF */
	ASSERT_EQ(p - s, 11);
	ASSERT_EQ(wy_utf8_decode(&p, end), -1); /* E4 B8, truncated: one byte */
	ASSERT_EQ(p - s, 12);
	ASSERT_EQ(wy_utf8_decode(&p, end), -1); /* B8 */
	ASSERT(p == end);
	ASSERT_EQ(wy_utf8_decode(&p, end), -1); /* at the end: no move */
	ASSERT(p == end);

	static const uint32_t cps[] = {0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xFFFD,
				       0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char buf[4];
		int n = wy_utf8_encode(cps[i], buf);
		ASSERT(n >= 1 && n <= 4);
		ASSERT(wy_utf8_valid(buf, (size_t)n));
		const char *q = buf;
		ASSERT_EQ(wy_utf8_decode(&q, buf + n), cps[i]);
		ASSERT(q == buf + n);
	}
	char buf[4];
	ASSERT_EQ(wy_utf8_encode(0xD800, buf), 3);             /* surrogate -> U+FFFD */
	ASSERT(memcmp(buf, "\xEF\xBF\xBD", 3) == 0);
	ASSERT_EQ(wy_utf8_encode(0x110000, buf), 3);
	ASSERT(memcmp(buf, "\xEF\xBF\xBD", 3) == 0);
	ASSERT_EQ(wy_utf8_encode(0x4E2D, buf), 3);
	ASSERT(memcmp(buf, "\xE4\xB8\xAD", 3) == 0);
}

TEST(utf8_truncate)
{
	const char s[] = "a\xE4\xB8\xAD" "b\xF0\x9F\x98\x80";  /* a中b😀 */
	size_t n = sizeof s - 1;
	ASSERT_EQ(wy_utf8_truncate(s, n, 100), n);
	ASSERT_EQ(wy_utf8_truncate(s, n, n), n);
	ASSERT_EQ(wy_utf8_truncate(s, n, 0), 0);
	ASSERT_EQ(wy_utf8_truncate(s, n, 1), 1);
	ASSERT_EQ(wy_utf8_truncate(s, n, 2), 1);
	ASSERT_EQ(wy_utf8_truncate(s, n, 3), 1);
	ASSERT_EQ(wy_utf8_truncate(s, n, 4), 4);
	ASSERT_EQ(wy_utf8_truncate(s, n, 5), 5);
	ASSERT_EQ(wy_utf8_truncate(s, n, 6), 5);
	ASSERT_EQ(wy_utf8_truncate(s, n, 8), 5);
	/* Stray continuation bytes count as single characters. */
	ASSERT_EQ(wy_utf8_truncate("ab\x80\x80\x80\x80", 6, 4), 4);
	/* Every cut of valid text is valid. */
	for (size_t max = 0; max <= strlen(zh_hans); max++) {
		size_t k = wy_utf8_truncate(zh_hans, strlen(zh_hans), max);
		ASSERT(k <= max);
		ASSERT(max < 4 || k + 3 >= max);
		ASSERT(wy_utf8_valid(zh_hans, k));
	}
}

/* The name an upload or `wenyuan import` stores for a file. */
TEST(clean_file_name)
{
	struct {
		const char *in, *want;
	} cases[] = {
		{"evil\r\nSet-Cookie: x=1\r\n.txt", "evilSet-Cookie: x=1.txt"},
		{"x\xE2\x80\xAE" "fdp.exe", "xfdp.exe"},                /* U+202E dropped */
		{"bad\xFF\xFEname\xE2\x80\xAEtxt.exe.txt", "badnametxt.exe.txt"}, /* not UTF-8: its ASCII */
		{"C:\\dir\\sub/\xE6\x96\x87\xE6\xA1\xA3.pdf", "\xE6\x96\x87\xE6\xA1\xA3.pdf"}, /* last component */
		{"\x01\x7F", "document"},
		{"", "document"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = wy_clean_file_name(cases[i].in);
		ASSERT_STR_EQ(got, cases[i].want);
		free(got);
	}
	char longname[400];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	char *got = wy_clean_file_name(longname);
	ASSERT_EQ(strlen(got), 240);
	free(got);
}

TEST(is_cjk)
{
	ASSERT(wy_is_cjk(0x4E2D));   /* 中 */
	ASSERT(wy_is_cjk(0x9FA5));
	ASSERT(wy_is_cjk(0x3400));   /* ext A */
	ASSERT(wy_is_cjk(0x20000));  /* ext B */
	ASSERT(wy_is_cjk(0x2A700));  /* ext C */
	ASSERT(wy_is_cjk(0x30000));  /* ext G */
	ASSERT(wy_is_cjk(0xF900));   /* compatibility */
	ASSERT(wy_is_cjk(0x2F800));  /* compatibility supplement */
	ASSERT(wy_is_cjk(0x3001));   /* 、 */
	ASSERT(wy_is_cjk(0x3002));   /* 。 */
	ASSERT(wy_is_cjk(0xFF0C));   /* ， */
	ASSERT(wy_is_cjk(0xFF21));   /* Ａ */
	ASSERT(wy_is_cjk(0x3042));   /* あ */
	ASSERT(wy_is_cjk(0x30A2));   /* ア */
	ASSERT(wy_is_cjk(0xFF71));   /* ｱ */
	ASSERT(!wy_is_cjk(0xD55C));  /* 한: Korean words are spaced */
	ASSERT(!wy_is_cjk(0x1100));  /* jamo */
	ASSERT(!wy_is_cjk(0x3131));  /* compatibility jamo */
	ASSERT(wy_is_cjk(0x3105));   /* ㄅ */
	ASSERT(!wy_is_cjk('A'));
	ASSERT(!wy_is_cjk(' '));
	ASSERT(!wy_is_cjk(0xE9));    /* é */
	ASSERT(!wy_is_cjk(0x2014));  /* — */
	ASSERT(!wy_is_cjk(0x0410));  /* Cyrillic А */
	ASSERT(!wy_is_cjk(0x1F600));
	ASSERT(!wy_is_cjk(0x110000));
}

/* ---- detection and round trips ----------------------------------------- */

TEST(detect_utf8_and_ascii)
{
	ASSERT_STR_EQ(wy_charset_detect("hello, world\n", 13), "UTF-8");
	ASSERT_STR_EQ(wy_charset_detect(zh_hans, strlen(zh_hans)), "UTF-8");
	ASSERT_STR_EQ(wy_charset_detect(ja_text, strlen(ja_text)), "UTF-8");
	ASSERT_STR_EQ(wy_charset_detect(fr_text, strlen(fr_text)), "UTF-8");
	round_trip(zh_hans, "UTF-8", "UTF-8");
	round_trip(ko_text, "UTF-8", "UTF-8");
	ASSERT(wy_charset_detect(NULL, 5) == NULL);
}

TEST(detect_gb18030)
{
	round_trip(zh_hans, "GBK", "GB18030");
	round_trip(zh_hans, "GB18030", "GB18030");
	/* Traditional characters exist in GBK too and must not be taken
	 * for Big5. */
	round_trip(zh_hant, "GBK", "GB18030");
	/* Short text: one clause. */
	round_trip("我们今天在图书馆里读书。", "GBK", "GB18030");
	/* Latin words inside Chinese. */
	round_trip("我们使用Linux系统和Python语言，在GitHub上发布代码。", "GBK", "GB18030");
	round_trip("我們使用Linux系統和Python語言，在GitHub上發布程式碼。", "BIG5", "BIG5");
}

TEST(detect_big5)
{
	round_trip(zh_hant, "BIG5", "BIG5");
	round_trip("這個文件庫可以保存資料。", "BIG5", "BIG5");
	ASSERT_STR_EQ(wy_charset_decoder("BIG5"), "BIG5-HKSCS");
}

TEST(detect_japanese)
{
	round_trip(ja_text, "SHIFT_JIS", "SHIFT_JIS");
	round_trip(ja_text, "CP932", "SHIFT_JIS");
	round_trip(ja_text, "EUC-JP", "EUC-JP");
	round_trip(ja_text, "ISO-2022-JP", "ISO-2022-JP");
	round_trip("今日は図書館で本を読みました。", "EUC-JP", "EUC-JP");
	round_trip("今日は図書館で本を読みました。", "SHIFT_JIS", "SHIFT_JIS");
	ASSERT_STR_EQ(wy_charset_decoder("SHIFT_JIS"), "CP932");
}

TEST(detect_korean)
{
	round_trip(ko_text, "EUC-KR", "EUC-KR");
	round_trip("오늘은 도서관에서 책을 읽었습니다.", "EUC-KR", "EUC-KR");
	ASSERT_STR_EQ(wy_charset_decoder("EUC-KR"), "CP949");
}

TEST(detect_windows1252)
{
	round_trip(fr_text, "WINDOWS-1252", "WINDOWS-1252");
	round_trip("Ein Bär läuft über die Straße.\n", "ISO-8859-1", "WINDOWS-1252");
}

TEST(detect_utf16_utf32)
{
	size_t n, m;
	char *enc, *data;

	/* UTF-16LE with BOM: BOM decides and is removed. */
	enc = to_enc("UTF-16LE", zh_hans, strlen(zh_hans), &n);
	data = cat2("\xFF\xFE", 2, enc, n, &m);
	free(enc);
	ASSERT_STR_EQ(wy_charset_detect(data, m), "UTF-16LE");
	free(data);

	/* The same through round_trip, which cannot add a BOM: iconv's
	 * "UTF-16" writes one (in host order, little-endian here). */
	round_trip(zh_hans, "UTF-16", "UTF-16LE");

	/* UTF-16BE without BOM: found by the zero bytes of newlines. */
	round_trip(zh_hans, "UTF-16BE", "UTF-16BE");
	round_trip("Hello, world!\nSecond line.\n", "UTF-16BE", "UTF-16BE");
	round_trip("Hello, world!\nSecond line.\n", "UTF-16LE", "UTF-16LE");
	/* Surrogate pairs. */
	round_trip("emoji \xF0\x9F\x98\x80 and 𠀀 here\n", "UTF-16LE", "UTF-16LE");

	/* One line of CJK has no zero byte at all; the characters decide. */
	round_trip("今日は図書館で本を読みました。", "UTF-16LE", "UTF-16LE");
	round_trip("我们今天在图书馆里读书。", "UTF-16BE", "UTF-16BE");

	/* UTF-32 without BOM, both orders, and with BOM. */
	round_trip(zh_hans, "UTF-32BE", "UTF-32BE");
	round_trip(fr_text, "UTF-32LE", "UTF-32LE");
	round_trip(ja_text, "UTF-32", "UTF-32LE");

	/* UTF-8 BOM is removed. */
	data = cat2("\xEF\xBB\xBF", 3, "abc\n", 4, &m);
	wy_buf out;
	const char *cs;
	ASSERT_EQ(wy_charset_to_utf8(data, m, 0, &out, &cs, NULL), WY_OK);
	free(data);
	ASSERT_STR_EQ(cs, "UTF-8");
	ASSERT_STR_EQ(out.data, "abc\n");
	wy_buf_free(&out);
}

/* Inputs larger than the detection sample, so iconv runs in many chunks
 * and CRLF pairs fall on chunk boundaries. */
TEST(large_inputs)
{
	wy_buf src;
	wy_buf_init(&src, 0);
	for (int i = 0; i < 4000; i++)
		ASSERT_EQ(wy_buf_puts(&src, zh_hans), WY_OK);
	ASSERT(src.len > 2 * WY_CHARSET_SAMPLE);
	round_trip(src.data, "GBK", "GB18030");
	round_trip(src.data, "UTF-16BE", "UTF-16BE");
	wy_buf_free(&src);

	/* CRLF everywhere, in UTF-16LE with BOM: each CR and LF is its own
	 * two-byte unit and pairs straddle the 8 KiB output pieces. */
	wy_buf crlf, want;
	wy_buf_init(&crlf, 0);
	wy_buf_init(&want, 0);
	for (int i = 0; i < 30000; i++) {
		ASSERT_EQ(wy_buf_puts(&crlf, i % 3 ? "行\r\n" : "x\r"), WY_OK);
		ASSERT_EQ(wy_buf_puts(&want, i % 3 ? "行\n" : "x\n"), WY_OK);
	}
	size_t n, m;
	char *enc = to_enc("UTF-16LE", crlf.data, crlf.len, &n);
	char *data = cat2("\xFF\xFE", 2, enc, n, &m);
	free(enc);
	wy_buf out;
	const char *cs;
	int rc = wy_charset_to_utf8(data, m, 0, &out, &cs, NULL);
	free(data);
	bool same = rc == WY_OK && out.len == want.len && memcmp(out.data, want.data, want.len) == 0;
	wy_buf_free(&out);
	wy_buf_free(&crlf);
	wy_buf_free(&want);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_STR_EQ(cs, "UTF-16LE");
	ASSERT(same);
}

/* ---- normalisation and failure paths ----------------------------------- */

TEST(crlf_and_controls)
{
	/* The long first line keeps the two controls under the 2% that
	 * would make the input binary. */
#define LINE "Lines end in CRLF, CR or LF; controls other than tab, LF and FF go away.\r\n"
	const char in[] = LINE LINE "a\r\nb\rc\n\r\n\0d\x01" "e\tf\x0c" "g\x1b[0m\x7fh\r";
	wy_buf out;
	const char *cs;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_charset_to_utf8(in, sizeof in - 1, 0, &out, &cs, &ei), WY_OK);
	ASSERT_STR_EQ(cs, "UTF-8");
	/* NUL, \x01 and ESC are dropped; DEL is not a C0 control. */
	ASSERT(strncmp(out.data, "Lines end in CRLF, CR or LF;", 28) == 0);
	const char *rest = strstr(out.data, "a\n");
	ASSERT(rest != NULL);
	ASSERT_STR_EQ(rest, "a\nb\nc\n\nde\tf\x0cg[0m\x7fh\n");
	ASSERT(!strchr(out.data, '\r'));
#undef LINE
	ASSERT(clean_utf8(out.data, out.len));
	wy_buf_free(&out);
	/* CR CR LF is two line ends. */
	ASSERT_EQ(wy_charset_to_utf8("x\r\r\ny", 5, 0, &out, NULL, NULL), WY_OK);
	ASSERT_STR_EQ(out.data, "x\n\ny");
	wy_buf_free(&out);
}

TEST(empty_input)
{
	ASSERT_STR_EQ(wy_charset_detect("", 0), "UTF-8");
	ASSERT_STR_EQ(wy_charset_detect(NULL, 0), "UTF-8");
	wy_buf out;
	const char *cs = NULL;
	ASSERT_EQ(wy_charset_to_utf8(NULL, 0, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(cs, "UTF-8");
	ASSERT(out.data != NULL);
	ASSERT_EQ(out.len, 0);
	ASSERT_STR_EQ(out.data, "");
	wy_buf_free(&out);
	/* A BOM alone is an empty text too. */
	ASSERT_EQ(wy_charset_to_utf8("\xFF\xFE", 2, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(cs, "UTF-16LE");
	ASSERT_EQ(out.len, 0);
	wy_buf_free(&out);
}

TEST(binary_is_refused)
{
	rng_state = 0x5EEDC0FFEEULL;
	char bin[4096];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)rng();
	/* The seed is fixed; make sure it did not start with a BOM. */
	ASSERT(!((unsigned char)bin[0] == 0xFF && (unsigned char)bin[1] == 0xFE));
	ASSERT(!((unsigned char)bin[0] == 0xFE && (unsigned char)bin[1] == 0xFF));
	ASSERT(wy_charset_detect(bin, sizeof bin) == NULL);

	wy_buf out;
	const char *cs = "x";
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_charset_to_utf8(bin, sizeof bin, 0, &out, &cs, &ei), WY_EFORMAT);
	ASSERT(cs == NULL);
	ASSERT_EQ(ei.code, WY_EFORMAT);
	ASSERT_STR_EQ(ei.msg, "not a text file");
	ASSERT(out.data == NULL && out.len == 0);
	wy_buf_free(&out); /* harmless */

	/* Mostly zeros (an image of a disk, a sparse file). */
	char zeros[1000] = {0};
	memcpy(zeros + 100, "text", 4);
	ASSERT(wy_charset_detect(zeros, sizeof zeros) == NULL);
	/* ASCII with many control bytes. */
	char ctl[200];
	for (size_t i = 0; i < sizeof ctl; i++)
		ctl[i] = i % 10 == 0 ? 0x02 : 'a';
	ASSERT(wy_charset_detect(ctl, sizeof ctl) == NULL);
	/* A single stray NUL in a long text is tolerated and dropped. */
	char one[300];
	memset(one, 'b', sizeof one);
	one[150] = 0;
	ASSERT_STR_EQ(wy_charset_detect(one, sizeof one), "UTF-8");
}

TEST(truncated_multibyte)
{
	wy_buf out;
	const char *cs;
	size_t n;

	/* UTF-8 cut inside the last character: U+FFFD in its place. */
	const char u8[] = "中文字";
	ASSERT(!wy_utf8_valid(u8, sizeof u8 - 2));
	ASSERT_STR_EQ(wy_charset_detect(u8, sizeof u8 - 2), "UTF-8");
	ASSERT_EQ(wy_charset_to_utf8(u8, sizeof u8 - 2, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(out.data, "中文\xEF\xBF\xBD");
	wy_buf_free(&out);

	/* GBK cut after a lead byte: still GB18030, one U+FFFD at the end. */
	char *gbk = to_enc("GBK", zh_hans, strlen(zh_hans) - 1, &n); /* drop \n */
	ASSERT_STR_EQ(wy_charset_detect(gbk, n - 1), "GB18030");
	int rc = wy_charset_to_utf8(gbk, n - 1, 0, &out, &cs, NULL);
	free(gbk);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_STR_EQ(cs, "GB18030");
	ASSERT(clean_utf8(out.data, out.len));
	/* zh_hans without its last "\n" and last "”" (A1B1), plus U+FFFD. */
	size_t keep = strlen(zh_hans) - 1 - strlen("”");
	ASSERT_EQ(out.len, keep + 3);
	ASSERT(memcmp(out.data, zh_hans, keep) == 0);
	ASSERT(memcmp(out.data + keep, "\xEF\xBF\xBD", 3) == 0);
	wy_buf_free(&out);

	/* Shift_JIS cut after a lead byte. */
	char *sj = to_enc("SHIFT_JIS", ja_text, strlen(ja_text) - 1, &n);
	ASSERT_STR_EQ(wy_charset_detect(sj, n - 1), "SHIFT_JIS");
	free(sj);

	/* Invalid bytes in the middle of UTF-8 text: U+FFFD each. */
	const char damaged[] = "ab中文字\xC3(c中文字";
	ASSERT_EQ(wy_charset_to_utf8(damaged, sizeof damaged - 1, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(cs, "UTF-8");
	ASSERT_STR_EQ(out.data, "ab中文字\xEF\xBF\xBD(c中文字");
	wy_buf_free(&out);
}

TEST(lone_ff)
{
	ASSERT(!wy_utf8_valid("\xFF", 1));
	const char *p = "\xFF", *end = p + 1;
	ASSERT_EQ(wy_utf8_decode(&p, end), -1);
	ASSERT(p == end);
	/* Not UTF-8 and no CJK encoding takes it: Windows-1252 ÿ. */
	ASSERT_STR_EQ(wy_charset_detect("\xFF", 1), "WINDOWS-1252");
	wy_buf out;
	const char *cs;
	ASSERT_EQ(wy_charset_to_utf8("\xFF", 1, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(out.data, "\xC3\xBF");
	wy_buf_free(&out);
	/* Windows-1252's undefined bytes become U+FFFD. */
	ASSERT_EQ(wy_charset_to_utf8("caf\xE9 \x81!", 7, 0, &out, &cs, NULL), WY_OK);
	ASSERT_STR_EQ(cs, "WINDOWS-1252");
	ASSERT_STR_EQ(out.data, "caf\xC3\xA9 \xEF\xBF\xBD!");
	wy_buf_free(&out);
}

TEST(cap_exceeded)
{
	wy_buf out;
	const char *cs;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_charset_to_utf8(zh_hans, strlen(zh_hans), 10, &out, &cs, &ei), WY_ETOOBIG);
	ASSERT_EQ(ei.code, WY_ETOOBIG);
	ASSERT(out.data == NULL && out.len == 0);
	/* The cap applies to the output, which can be larger than the input
	 * (GBK's 2 bytes become 3). */
	size_t n;
	char *gbk = to_enc("GBK", zh_hans, strlen(zh_hans), &n);
	ASSERT_EQ(wy_charset_to_utf8(gbk, n, n, &out, &cs, &ei), WY_ETOOBIG);
	ASSERT(out.data == NULL);
	/* Exactly at the cap is fine. */
	int rc = wy_charset_to_utf8(gbk, n, strlen(zh_hans), &out, &cs, &ei);
	free(gbk);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_EQ(out.len, strlen(zh_hans));
	wy_buf_free(&out);
	/* Bad arguments. */
	ASSERT_EQ(wy_charset_to_utf8(NULL, 3, 0, &out, &cs, &ei), WY_EINVAL);
	ASSERT_EQ(wy_charset_to_utf8("abc", 3, 0, NULL, &cs, &ei), WY_EINVAL);
	ASSERT(wy_charset_decoder("KOI8-R") == NULL);
	ASSERT(wy_charset_decoder(NULL) == NULL);
}

/* Seeded random inputs and mutations of real encodings: whatever comes in,
 * the result is OK with clean UTF-8 or EFORMAT, and valgrind sees no bad
 * read. */
TEST(never_crashes)
{
	static const char *encs[] = {"GBK", "BIG5", "SHIFT_JIS", "EUC-JP", "EUC-KR",
				     "UTF-16LE", "UTF-16BE", "UTF-32BE", "ISO-2022-JP", "UTF-8"};
	static const char *texts[] = {zh_hans, zh_hant, ja_text, ja_text, ko_text,
				      zh_hans, ja_text, ko_text, ja_text, fr_text};
	rng_state = 42;
	for (int iter = 0; iter < 3000; iter++) {
		size_t n;
		char *data;
		int kind = (int)(rng() % 4);
		if (kind < 2) {
			/* Random bytes from a few distributions. */
			n = rng() % 300;
			data = wy_xmalloc(n + 1);
			for (size_t i = 0; i < n; i++) {
				uint32_t r = rng();
				switch (kind * 2 + iter % 2) {
				case 0: data[i] = (char)r; break;
				case 1: data[i] = (char)(0x80 | r); break;
				case 2: data[i] = (char)(r % 3 ? 0x20 + r % 0x5F : 0x80 | r); break;
				default: data[i] = (char)(r % 2 ? 0 : r); break;
				}
			}
		} else {
			/* An encoded text with bytes flipped, dropped or cut. */
			size_t k = rng() % (sizeof encs / sizeof encs[0]);
			data = to_enc(encs[k], texts[k], strlen(texts[k]), &n);
			int muts = (int)(rng() % 4);
			for (int j = 0; j < muts && n; j++)
				data[rng() % n] = (char)rng();
			if (kind == 3 && n)
				n = rng() % n;
		}
		wy_buf out;
		const char *cs;
		wy_errinfo ei = {0};
		int rc = wy_charset_to_utf8(data, n, 0, &out, &cs, &ei);
		const char *det = wy_charset_detect(data, n);
		free(data);
		if (rc == WY_OK) {
			bool clean = clean_utf8(out.data, out.len);
			wy_buf_free(&out);
			ASSERT(clean);
			ASSERT(det != NULL);
			ASSERT_STR_EQ(cs, det);
		} else {
			ASSERT_EQ(rc, WY_EFORMAT);
			ASSERT(det == NULL);
			ASSERT(out.data == NULL);
		}
	}
}

/* ---- the shared corpus ------------------------------------------------- */

static int corpus_check(const char *dir, const char *file, const char *want_cs,
			const char *want_text)
{
	char *path = wy_xasprintf("%s/files/%s", dir, file);
	wy_buf raw, out;
	int rc = wy_file_read(path, 0, &raw);
	free(path);
	if (rc != WY_OK) {
		fprintf(stderr, "  cannot read %s: %s\n", file, wy_err_name(rc));
		return 1;
	}
	const char *cs = NULL;
	wy_errinfo ei = {0};
	rc = wy_charset_to_utf8(raw.data, raw.len, 0, &out, &cs, &ei);
	wy_buf_free(&raw);
	int bad = 0;
	printf("  %-50s %s\n", file, cs ? cs : "NULL");
	if (rc != WY_OK) {
		fprintf(stderr, "  %s: %s\n", file, wy_err_msg(&ei, rc));
		return 1;
	}
	if (!cs || strcmp(cs, want_cs) != 0) {
		fprintf(stderr, "  %s: detected %s, want %s\n", file, cs ? cs : "NULL", want_cs);
		bad = 1;
	}
	if (!strstr(out.data, want_text)) {
		fprintf(stderr, "  %s: text lacks \"%s\"\n", file, want_text);
		bad = 1;
	}
	if (!clean_utf8(out.data, out.len) || strstr(out.data, "\xEF\xBF\xBD")) {
		fprintf(stderr, "  %s: output not clean or has U+FFFD\n", file);
		bad = 1;
	}
	wy_buf_free(&out);
	return bad;
}

TEST(corpus)
{
	const char *dir = getenv("WY_CORPUS");
	char *files = dir ? wy_xasprintf("%s/files", dir) : NULL;
	bool there = files && wy_is_dir(files);
	free(files);
	if (!there) {
		printf("  skipped: corpus not found\n");
		return;
	}
	int bad = 0;
	bad += corpus_check(dir, "chnorm__data__sample-chinese.txt", "BIG5", "維基");
	bad += corpus_check(dir, "gotext__testdata__sunzi-bingfa-simplified-gbk.txt", "GB18030", "孙子曰");
	bad += corpus_check(dir, "gotext__testdata__rashomon-shift-jis.txt", "SHIFT_JIS", "羅生門");
	bad += corpus_check(dir, "gotext__testdata__rashomon-euc-jp.txt", "EUC-JP", "羅生門");
	bad += corpus_check(dir, "gotext__testdata__rashomon-iso-2022-jp.txt", "ISO-2022-JP", "羅生門");
	bad += corpus_check(dir, "gotext__testdata__candide-utf-32be.txt", "UTF-32BE", "CANDIDE");
	bad += corpus_check(dir, "chnorm__data__sample-french-1.txt", "WINDOWS-1252", "MOLIÈRE");
	bad += corpus_check(dir, "chnorm__data__sample-french.txt", "UTF-8", "MOLIÈRE");
	bad += corpus_check(dir, "gotext__testdata__unsu-joh-eun-nal-utf-8.txt", "UTF-8", "운수");
	ASSERT_EQ(bad, 0);
}

TEST_LIST(T(utf8_valid), T(utf8_decode_encode), T(utf8_truncate), T(clean_file_name), T(is_cjk),
	  T(detect_utf8_and_ascii), T(detect_gb18030), T(detect_big5), T(detect_japanese),
	  T(detect_korean), T(detect_windows1252), T(detect_utf16_utf32), T(large_inputs),
	  T(crlf_and_controls), T(empty_input), T(binary_is_refused), T(truncated_multibyte),
	  T(lone_ff), T(cap_exceeded), T(never_crashes), T(corpus))

/* i18n tests: .mo catalogs in both byte orders (written here, byte by
 * byte), damaged catalogs refused without harm (every truncation, bad
 * offsets and lengths, bad UTF-8, random corruption), the choice of a
 * language from ?lang=, the cookie and Accept-Language, the fallback to
 * the msgid, translation tags in templates, and the real catalog built
 * from po/en.po covering every UI string. */
#include "test.h"
#include "web/i18n.h"
#include "web/template.h"

#include <dirent.h>
#include <stdint.h>
#include <unistd.h>

typedef struct {
	const char *id, *str;
} pair;

static void put32(unsigned char *p, uint32_t v, int big)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* A GNU .mo file of pairs (in the order given; msgfmt would sort them). */
static size_t build_mo(unsigned char *buf, size_t cap, const pair *p, int n, int big)
{
	size_t strings = 28 + 16 * (size_t)n, at = strings;
	put32(buf, 0x950412de, big);
	put32(buf + 4, 0, big);
	put32(buf + 8, (uint32_t)n, big);
	put32(buf + 12, 28, big);
	put32(buf + 16, 28 + 8 * (uint32_t)n, big);
	put32(buf + 20, 0, big);
	put32(buf + 24, (uint32_t)strings, big);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			const char *s = pass ? p[i].str : p[i].id;
			size_t len = strlen(s);
			if (at + len + 1 > cap)
				abort();
			unsigned char *entry = buf + 28 + 8 * (size_t)n * (size_t)pass + 8 * (size_t)i;
			put32(entry, (uint32_t)len, big);
			put32(entry + 4, (uint32_t)at, big);
			memcpy(buf + at, s, len + 1);
			at += len + 1;
		}
	return at;
}

static void write_file(const char *dir, const char *name, const void *data, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		abort();
}

static const pair good[] = {
	{"", "Content-Type: text/plain; charset=UTF-8\nLanguage: en\n"},
	{"下载", "Download"},
	{"分享", "Share"},
	{"第{page}页 / 共{pages}页", "Page {page} of {pages}"},
	{"用<code>{cmd}</code>", "with <code>{cmd}</code>"},
	{"坏", "broken {x"},
	{"坏2", "{not a name} and {}"},
	{"未译", ""}, /* untranslated: the msgid stands */
};
#define NGOOD ((int)(sizeof good / sizeof good[0]))

/* Sort the pairs the way msgfmt does (the header "" first). */
static int cmp_pair(const void *a, const void *b) { return strcmp(((const pair *)a)->id, ((const pair *)b)->id); }

static const char *catalog_dir(int big, int sorted)
{
	static char dirs[4][512];
	char *dir = dirs[big * 2 + sorted];
	snprintf(dir, 512, "%s", wy_test_tmpdir("i18n"));
	pair p[NGOOD];
	memcpy(p, good, sizeof p);
	if (sorted)
		qsort(p, NGOOD, sizeof p[0], cmp_pair);
	unsigned char buf[4096];
	size_t n = build_mo(buf, sizeof buf, p, NGOOD, big);
	write_file(dir, "en.mo", buf, n);
	write_file(dir, "README", "not a catalog", 13);
	write_file(dir, "EN.mo", "ignored: not a language code", 28);
	write_file(dir, "english.mo", "ignored too", 11);
	return dir;
}

static void expect_translations(void)
{
	ASSERT_STR_EQ(wy_i18n_tr("en", "下载"), "Download");
	ASSERT_STR_EQ(wy_i18n_tr("en", "分享"), "Share");
	ASSERT_STR_EQ(wy_i18n_tr("en", "第{page}页 / 共{pages}页"), "Page {page} of {pages}");
	const char *untranslated = "未译";
	ASSERT(wy_i18n_tr("en", untranslated) == untranslated);
	ASSERT(wy_i18n_lookup("en", "未译") == NULL);
	ASSERT_STR_EQ(wy_i18n_language(0), "en");
	ASSERT(wy_i18n_language(1) == NULL);
}

TEST(catalogs_in_both_byte_orders)
{
	for (int big = 0; big < 2; big++)
		for (int sorted = 0; sorted < 2; sorted++) {
			wy_errinfo ei = {0};
			int rc = wy_i18n_load(catalog_dir(big, sorted), &ei);
			if (rc)
				fprintf(stderr, "  %s\n", ei.msg);
			ASSERT_EQ(rc, WY_OK);
			expect_translations();
		}
	wy_i18n_unload();
	ASSERT(wy_i18n_language(0) == NULL);
	ASSERT_STR_EQ(wy_i18n_tr("en", "下载"), "下载");
}

TEST(tr_falls_back_to_the_msgid)
{
	ASSERT_EQ(wy_i18n_load(catalog_dir(0, 1), NULL), WY_OK);
	const char *id = "一个没有翻译的句子";
	ASSERT(wy_i18n_tr("en", id) == id);
	ASSERT(wy_i18n_tr("fr", "下载") != NULL && strcmp(wy_i18n_tr("fr", "下载"), "下载") == 0);
	ASSERT_STR_EQ(wy_i18n_tr("zh", "下载"), "下载");
	ASSERT_STR_EQ(wy_i18n_tr(NULL, "下载"), "下载");
	ASSERT_STR_EQ(wy_i18n_tr("en", ""), "");     /* never the catalog's header */
	ASSERT(wy_i18n_lookup("en", NULL) == NULL);
	ASSERT_STR_EQ(wy_i18n_html_lang("zh"), "zh-CN");
	ASSERT_STR_EQ(wy_i18n_html_lang("en"), "en");
	ASSERT_STR_EQ(wy_i18n_html_lang(NULL), "zh-CN");
	wy_i18n_unload();
}

TEST(missing_directory)
{
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_i18n_load("/nonexistent/wenyuan/locale", &ei), WY_ENOTFOUND);
	ASSERT_CONTAINS(ei.msg, "/nonexistent/wenyuan/locale");
	/* an empty directory is fine: Chinese only */
	ASSERT_EQ(wy_i18n_load(wy_test_tmpdir("i18n-empty"), &ei), WY_OK);
	ASSERT(wy_i18n_language(0) == NULL);
	ASSERT_STR_EQ(wy_i18n_pick("en", NULL, "en"), "zh");
}

/* Load bad (n bytes) as en.mo: it must fail with WY_ECORRUPT and leave the
 * catalogs loaded before as they were. */
static int load_bad(const unsigned char *bad, size_t n)
{
	const char *dir = wy_test_tmpdir("i18n-bad");
	write_file(dir, "en.mo", bad, n);
	wy_errinfo ei = {0};
	int rc = wy_i18n_load(dir, &ei);
	if (rc && !strstr(ei.msg, "en.mo"))
		return 1000; /* the message must name the file */
	return rc;
}

TEST(damaged_catalogs_fail_cleanly)
{
	pair p[NGOOD];
	memcpy(p, good, sizeof p);
	qsort(p, NGOOD, sizeof p[0], cmp_pair);
	unsigned char buf[4096], bad[4096];
	size_t n = build_mo(buf, sizeof buf, p, NGOOD, 0);
	ASSERT_EQ(wy_i18n_load(catalog_dir(1, 1), NULL), WY_OK);

	/* every truncation */
	for (size_t len = 0; len < n; len++)
		ASSERT_EQ(load_bad(buf, len), WY_ECORRUPT);
	expect_translations(); /* the catalogs loaded before are untouched */

	/* hand-made damage, each in a fresh copy */
	struct {
		size_t at;
		uint32_t v;
	} pokes[] = {
		{0, 0x12345678},       /* magic */
		{4, 0x00020000},       /* major revision 2 */
		{8, 0xffffffff},       /* count */
		{8, 0x10000000},       /* count past the file */
		{12, 0xfffffff0},      /* msgid table offset */
		{16, (uint32_t)n - 4}, /* translation table runs off the end */
		{20, 0x40000000},      /* hash table size */
		{24, 0xfffffffc},      /* hash table offset (with a size) */
		{28 + 8, 0xffffffff},  /* a msgid length: offset + length wraps */
		{28 + 12, 0xfffffff0}, /* a msgid offset */
		{28 + 8, 0},           /* a msgid shorter than its string: no NUL there */
	};
	for (size_t i = 0; i < sizeof pokes / sizeof pokes[0]; i++) {
		memcpy(bad, buf, n);
		put32(bad + pokes[i].at, pokes[i].v, 0);
		if (pokes[i].at == 24)
			put32(bad + 20, 4, 0);
		if (load_bad(bad, n) != WY_ECORRUPT) {
			fprintf(stderr, "  poke %zu accepted\n", i);
			ASSERT(0);
		}
	}
	/* a string that is not UTF-8, and a catalog in another charset */
	memcpy(bad, buf, n);
	unsigned char *dl = memmem(bad, n, "Download", 8);
	ASSERT(dl);
	dl[0] = 0xff;
	ASSERT_EQ(load_bad(bad, n), WY_ECORRUPT);
	pair gbk[] = {{"", "Content-Type: text/plain; charset=GBK\n"}, {"下载", "Download"}};
	size_t gn = build_mo(bad, sizeof bad, gbk, 2, 0);
	ASSERT_EQ(load_bad(bad, gn), WY_ECORRUPT);
	expect_translations();

	/* random damage: refused or accepted, never a crash or a read outside
	 * the file (the ASan build checks that) */
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		memcpy(bad, buf, n);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			seed = seed * 1103515245u + 12345u;
			bad[at] = (unsigned char)(seed >> 16);
		}
		const char *dir = wy_test_tmpdir("i18n-fuzz");
		write_file(dir, "en.mo", bad, n);
		if (wy_i18n_load(dir, NULL) == WY_OK) {
			(void)wy_i18n_tr("en", "下载");
			(void)wy_i18n_tr("en", "第{page}页 / 共{pages}页");
		}
		char path[600];
		snprintf(path, sizeof path, "%s/en.mo", dir);
		unlink(path);
		rmdir(dir);
	}
	wy_i18n_unload();
}

TEST(a_catalog_too_large_is_refused)
{
	const char *dir = wy_test_tmpdir("i18n-big");
	char path[600];
	snprintf(path, sizeof path, "%s/en.mo", dir);
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	ASSERT_EQ(fseek(f, (16L << 20) + 1, SEEK_SET), 0);
	fputc(0, f);
	fclose(f);
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_i18n_load(dir, &ei), WY_ETOOBIG);
	unlink(path);
}

TEST(supported_tags)
{
	ASSERT_EQ(wy_i18n_load(catalog_dir(0, 1), NULL), WY_OK);
	const char *en[] = {"en", "EN", "en-US", "en_GB", "En-Latn-US", NULL};
	for (int i = 0; en[i]; i++)
		ASSERT_STR_EQ(wy_i18n_supported(en[i]), "en");
	const char *zh[] = {"zh", "zh-CN", "zh-TW", "zh-Hans-CN", "ZH", NULL};
	for (int i = 0; zh[i]; i++)
		ASSERT_STR_EQ(wy_i18n_supported(zh[i]), "zh");
	const char *no[] = {"", "e", "fr", "english", "en-", "en--US", "-en", "en US", "en;q=1", "en-toolongsubtag",
			    "zh\xff", "*", NULL};
	for (int i = 0; no[i]; i++)
		if (wy_i18n_supported(no[i])) {
			fprintf(stderr, "  \"%s\" is supported?\n", no[i]);
			ASSERT(0);
		}
	ASSERT(wy_i18n_supported(NULL) == NULL);
	char long_tag[200];
	memset(long_tag, 'a', sizeof long_tag - 1);
	long_tag[0] = 'e', long_tag[1] = 'n', long_tag[2] = '-', long_tag[sizeof long_tag - 1] = 0;
	ASSERT(wy_i18n_supported(long_tag) == NULL);
	wy_i18n_unload();
}

TEST(accept_language)
{
	ASSERT_EQ(wy_i18n_load(catalog_dir(0, 1), NULL), WY_OK);
	static const struct {
		const char *header, *want;
	} cases[] = {
		{"", "zh"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"en-US", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"en;q=0.8, zh;q=0.9", "zh"},
		{"zh;q=0.5, en;q=0.5", "zh"},   /* a tie goes to the earlier */
		{"en;q=0.5, zh;q=0.5", "en"},
		{"en;q=0.5,zh-TW;q=0.5", "en"},
		{"fr-FR, en;q=0.3", "en"},
		{"fr-FR,fr;q=0.9", "zh"},       /* nothing we have: the default */
		{"*", "zh"},
		{"*;q=0.5, zh;q=0", "en"},      /* "*" is every language not named */
		{"zh;q=0, *;q=0.1", "en"},
		{"en;q=0", "zh"},
		{"zh;q=0, en;q=0", "zh"},       /* nothing acceptable: the default */
		{"zh;q=0", "zh"},
		{"EN-us", "en"},
		{"en_US", "en"},
		{"en-US;q=1.0", "en"},
		{"en-US;q=1.000, zh;q=0.999", "en"},
		{"en;q=1.5", "zh"},             /* malformed q: the entry is skipped */
		{"en;q=1.001", "zh"},
		{"en;q=0.1234", "zh"},
		{"en;q=abc", "zh"},
		{"en;q=", "zh"},
		{"en;q", "zh"},
		{"en;q=-1", "zh"},
		{"en;q=.5", "zh"},
		{"en ;q=0.8", "en"},
		{"  en\t,\tzh;q=0.1  ", "en"},
		{",,,en,,", "en"},
		{"en-", "zh"},
		{"en-verylongsubtag", "zh"},
		{"zh-Hant-TW;q=0.9, en-GB;q=0.8", "zh"},
		{"de;q=0.9,en-GB;q=0.7,*;q=0.1", "en"},
		{"en;level=1;q=0.5, zh;q=0.4", "en"},   /* other parameters are ignored */
		{"en;q=0.2, en-US;q=0.9, zh;q=0.5", "en"}, /* the best range of a language */
		{"q=1", "zh"},
		{";q=1", "zh"},
		{"en;;q=1", "zh"},
		{"\xff\xfe;;;q==,=,", "zh"},
		{"zh;q=0.1, \xe4\xb8\xad, en;q=0.2", "en"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = wy_i18n_pick(NULL, NULL, cases[i].header);
		if (!got || strcmp(got, cases[i].want) != 0) {
			fprintf(stderr, "  Accept-Language \"%s\": %s, not %s\n", cases[i].header, got ? got : "(null)",
				cases[i].want);
			ASSERT(0);
		}
	}
	ASSERT_STR_EQ(wy_i18n_pick(NULL, NULL, NULL), "zh");

	/* a long header (libmicrohttpd allows up to 64 KiB in all) */
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 0; i < 3000; i++)
		wy_buf_puts(&b, "fr-FR;q=0.9,");
	wy_buf_puts(&b, "en;q=0.5");
	ASSERT_STR_EQ(wy_i18n_pick(NULL, NULL, b.data), "en");
	wy_buf_free(&b);

	/* random bytes: always a supported language */
	unsigned seed = 7;
	char junk[64];
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(round % 63);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			static const char alphabet[] = "enzhq=;,.-*01 \t\xff_";
			junk[k] = (seed >> 16) % 3 ? alphabet[(seed >> 8) % (sizeof alphabet - 1)] : (char)(seed >> 20);
			if (!junk[k])
				junk[k] = ',';
		}
		junk[n] = 0;
		const char *got = wy_i18n_pick(junk, junk, junk);
		ASSERT(got && (strcmp(got, "zh") == 0 || strcmp(got, "en") == 0));
	}
	wy_i18n_unload();
}

TEST(query_then_cookie_then_header)
{
	ASSERT_EQ(wy_i18n_load(catalog_dir(0, 1), NULL), WY_OK);
	ASSERT_STR_EQ(wy_i18n_pick("en", "zh", "zh"), "en");
	ASSERT_STR_EQ(wy_i18n_pick("zh", "en", "en"), "zh");
	ASSERT_STR_EQ(wy_i18n_pick(NULL, "en", "zh"), "en");
	ASSERT_STR_EQ(wy_i18n_pick("fr", "en", NULL), "en");     /* unsupported ?lang= falls through */
	ASSERT_STR_EQ(wy_i18n_pick("", "", "en-US,en;q=0.9"), "en");
	ASSERT_STR_EQ(wy_i18n_pick("x", "<script>", "zh"), "zh");
	ASSERT_STR_EQ(wy_i18n_pick("", "", ""), "zh");
	ASSERT_STR_EQ(wy_i18n_pick("EN-us", NULL, NULL), "en");
	wy_i18n_unload();
	ASSERT_STR_EQ(wy_i18n_pick("en", "en", "en"), "zh"); /* no catalog: Chinese */
}

static char *render(const char *tpl, const char *json, const char *lang)
{
	wy_template *t;
	wy_errinfo ei = {0};
	if (wy_template_parse(tpl, strlen(tpl), &t, &ei)) {
		fprintf(stderr, "  parse: %s\n", ei.msg);
		return NULL;
	}
	json_t *ctx = json_loads(json, 0, NULL);
	wy_buf b;
	wy_buf_init(&b, 1 << 20);
	int rc = wy_template_render_lang(t, ctx, lang, &b);
	json_decref(ctx);
	wy_template_free(t);
	if (rc) {
		wy_buf_free(&b);
		return NULL;
	}
	return wy_buf_steal(&b);
}

#define EXPECT(tpl, json, lang, want)                           \
	do {                                                    \
		char *got_ = render(tpl, json, lang);           \
		ASSERT_STR_EQ(got_, want);                      \
		free(got_);                                     \
	} while (0)

TEST(translation_tags)
{
	ASSERT_EQ(wy_i18n_load(catalog_dir(0, 1), NULL), WY_OK);
	EXPECT("<a>{{_ 下载}}</a>", "{}", "en", "<a>Download</a>");
	EXPECT("<a>{{_ 下载}}</a>", "{}", "zh", "<a>下载</a>");
	EXPECT("<a>{{_ 下载}}</a>", "{}", NULL, "<a>下载</a>");
	EXPECT("<a>{{_\t 下载 \n}}</a>", "{}", "en", "<a>Download</a>");
	EXPECT("{{_ 没有翻译 & <b>}}", "{}", "en", "没有翻译 &amp; &lt;b&gt;");
	EXPECT("{{_ 第{page}页 / 共{pages}页}}", "{\"page\": 2, \"pages\": 9}", "en", "Page 2 of 9");
	EXPECT("{{_ 第{page}页 / 共{pages}页}}", "{\"page\": 2, \"pages\": 9}", "zh", "第2页 / 共9页");
	EXPECT("{{#d}}{{_ 第{page}页 / 共{pages}页}}{{/d}}", "{\"pages\": 9, \"d\": {\"page\": 3}}", "en", "Page 3 of 9");
	/* placeholder values are escaped, raw or not */
	EXPECT("{{{_ 用<code>{cmd}</code>}}}", "{\"cmd\": \"<x>&\"}", "en", "with <code>&lt;x&gt;&amp;</code>");
	EXPECT("{{_ 用<code>{cmd}</code>}}", "{\"cmd\": \"a\"}", "en", "with &lt;code&gt;a&lt;/code&gt;");
	EXPECT("{{_ 缺{missing}了}}", "{}", "en", "缺了");
	/* a broken translation is written, never a failure */
	EXPECT("{{_ 坏}}", "{\"x\": 1}", "en", "broken {x");
	EXPECT("{{_ 坏2}}", "{}", "en", "{not a name} and {}");
	/* a variable whose name merely starts with _ is still a variable */
	EXPECT("{{_x}}", "{\"_x\": \"v\"}", "en", "v");
	wy_i18n_unload();
}

static void collect(const char *msgid, void *arg)
{
	wy_buf *b = arg;
	wy_buf_printf(b, "[%s]", msgid);
}

TEST(msgids_of_a_template)
{
	wy_template *t;
	const char *src = "{{_ 甲}}{{#a}}{{{_ 乙{b}}}}{{/a}}{{^c}}{{_ 丙}}{{/c}}";
	ASSERT_EQ(wy_template_parse(src, strlen(src), &t, NULL), WY_OK);
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_template_each_msgid(t, collect, &b);
	ASSERT_STR_EQ(b.data, "[甲][乙{b}][丙]");
	wy_buf_free(&b);
	wy_template_free(t);
}

TEST(bad_translation_tags_are_refused)
{
	const char *bad[] = {"{{_ }}", "{{_ 下载", "{{_ 第{page页}}", "{{_ {}}}", "{{_ {a b}}}", "{{_ {{x}}}}",
			     "{{{_ 下载}}", "{{_ 第{pa<ge}页}}", NULL};
	for (int i = 0; bad[i]; i++) {
		wy_template *t = NULL;
		wy_errinfo ei = {0};
		if (wy_template_parse(bad[i], strlen(bad[i]), &t, &ei) != WY_EINVAL) {
			fprintf(stderr, "  accepted: %s\n", bad[i]);
			wy_template_free(t);
			ASSERT(0);
		}
		ASSERT(ei.msg[0]);
	}
}

/* ---- the real catalog, built from po/en.po ---------------------------- */

static int missing;

static void need_translation(const char *msgid, void *arg)
{
	if (!wy_i18n_lookup("en", msgid)) {
		fprintf(stderr, "  %s: no English for \"%s\"\n", (const char *)arg, msgid);
		missing++;
	}
}

/* The {names} of s, as "[a][b]" sorted by appearance. */
static void placeholders(const char *s, char *out, size_t cap)
{
	out[0] = 0;
	for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
		const char *r = strchr(p, '}');
		if (!r)
			break;
		size_t have = strlen(out), n = (size_t)(r - p + 1);
		if (have + n + 1 < cap) {
			memcpy(out + have, p, n);
			out[have + n] = 0;
		}
	}
}

TEST(the_english_catalog_covers_the_ui)
{
	wy_errinfo ei = {0};
	int rc = wy_i18n_load(WY_LOCALE_DIR, &ei);
	if (rc)
		fprintf(stderr, "  %s\n", ei.msg);
	ASSERT_EQ(rc, WY_OK);
	ASSERT_STR_EQ(wy_i18n_supported("en"), "en");
	ASSERT_STR_EQ(wy_i18n_tr("en", "下载"), "Download");

	/* every translation tag of every template */
	missing = 0;
	DIR *d = opendir(WY_SOURCE_DIR "/web/templates");
	ASSERT(d);
	struct dirent *de;
	int templates = 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".html") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/web/templates/%s", WY_SOURCE_DIR, de->d_name);
		wy_template *t;
		ASSERT_EQ(wy_template_load(path, &t, NULL), WY_OK);
		wy_template_each_msgid(t, need_translation, de->d_name);
		wy_template_free(t);
		templates++;
	}
	closedir(d);
	ASSERT(templates >= 6);

	/* every msgid of the template catalog (the C sources' too), with the
	 * same placeholders in the translation */
	wy_buf pot;
	ASSERT_EQ(wy_file_read(WY_SOURCE_DIR "/po/wenyuan.pot", 1 << 20, &pot), WY_OK);
	int ids = 0;
	for (char *line = pot.data; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (strncmp(line, "msgid \"", 7) == 0 && line[7] != '"') {
			char id[1024];
			size_t k = 0;
			for (const char *p = line + 7; *p && *p != '"' && k < sizeof id - 1; p++) {
				if (*p == '\\' && p[1])
					p++, id[k++] = *p == 'n' ? '\n' : *p;
				else
					id[k++] = *p;
			}
			id[k] = 0;
			need_translation(id, "po/wenyuan.pot");
			const char *en = wy_i18n_lookup("en", id);
			char want[256], got[256];
			placeholders(id, want, sizeof want);
			placeholders(en ? en : id, got, sizeof got);
			for (const char *p = strchr(got, '{'); p; p = strchr(p + 1, '{')) {
				char one[128];
				const char *r = strchr(p, '}');
				snprintf(one, sizeof one, "%.*s", (int)(r - p + 1), p);
				if (!strstr(want, one)) {
					fprintf(stderr, "  \"%s\": the translation's %s is not in the msgid\n", id, one);
					missing++;
				}
			}
			ids++;
		}
		line = nl ? nl + 1 : NULL;
	}
	wy_buf_free(&pot);
	ASSERT(ids > 40);
	ASSERT_EQ(missing, 0);
	wy_i18n_unload();
}

TEST_LIST(T(catalogs_in_both_byte_orders), T(tr_falls_back_to_the_msgid), T(missing_directory),
	  T(damaged_catalogs_fail_cleanly), T(a_catalog_too_large_is_refused), T(supported_tags), T(accept_language),
	  T(query_then_cookie_then_header), T(translation_tags), T(msgids_of_a_template),
	  T(bad_translation_tags_are_refused), T(the_english_catalog_covers_the_ui))

/* fuzz_template: the template parser and renderer (web/template.h) with
 * any template source and any JSON context, in Chinese and in English
 * (translation tags through the build's compiled catalogs).
 *
 * Input: the template, a NUL byte, the JSON context (absent or not JSON:
 * a fixed context with strings that need escaping, numbers, arrays and
 * nested objects). Checks: parse errors say why; rendering stays under
 * the output cap or says WY_ETOOBIG; a template that asks for nothing raw
 * (no "{{{") never lets a character that HTML escaping removes (< > " ')
 * into the output unless the template's own text has it; every msgid is
 * non-empty. A render that does not end within libFuzzer's -timeout (or
 * the replay's WY_FUZZ_TIMEOUT) is a "never loop without bound" bug. */
#include "fuzz.h"

#include "web/i18n.h"
#include "web/template.h"

#define OUT_CAP (1u << 20)

static json_t *fixed;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wy_errinfo ei = {0};
	if (wy_i18n_load(WY_LOCALE_DIR, &ei))
		fprintf(stderr, "fuzz_template: no catalogs (%s): translation tags render their msgids\n", ei.msg);
	json_error_t err;
	fixed = json_loads("{\"title\":\"<b>\\\"文渊\\\" & 'co'</b>\",\"page\":2,\"pages\":10,\"r\":1.5,"
	                   "\"t\":true,\"f\":false,\"z\":null,\"e\":\"\",\"zero\":0,"
	                   "\"docs\":[{\"id\":1,\"title\":\"人工智能<script>\"},{\"id\":2,\"title\":\"a&b\"}],"
	                   "\"o\":{\"k\":\"v'\",\"a\":[],\"o\":{\"k\":\">\"}},\"icp\":\"京ICP备<1>号\","
	                   "\"uploader\":\"sc****y\",\"views\":12345}",
	                   0, &err);
	if (!fixed) {
		fprintf(stderr, "fuzz_template: bad fixed context: %s\n", err.text);
		abort();
	}
	return 0;
}

static void on_msgid(const char *msgid, void *arg)
{
	FUZZ_CHECK(msgid && *msgid);
	++*(int *)arg;
}

static void check_render(const wy_template *t, json_t *ctx, const char *lang, const char *src, size_t srclen)
{
	wy_buf out;
	wy_buf_init(&out, OUT_CAP);
	int rc = wy_template_render_lang(t, ctx, lang, &out);
	FUZZ_CHECK(rc == WY_OK || rc == WY_ETOOBIG || rc == WY_EINVAL);
	FUZZ_CHECK(out.len <= OUT_CAP);
	if (rc == WY_OK && !memmem(src, srclen, "{{{", 3)) {
		static const char special[] = "<>\"'";
		for (const char *c = special; *c; c++)
			if (!memchr(src, *c, srclen))
				FUZZ_CHECK(!out.data || !memchr(out.data, *c, out.len));
	}
	wy_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ts, *js;
	size_t tlen, jlen;
	fuzz_split(data, size, &ts, &tlen, &js, &jlen);
	char *src = fuzz_memdup(ts, tlen);

	wy_template *t = NULL;
	wy_errinfo ei = {0};
	int rc = wy_template_parse(src, tlen, &t, &ei);
	if (rc) {
		FUZZ_CHECK(rc == WY_EINVAL && ei.code == rc && ei.msg[0]);
		FUZZ_CHECK(t == NULL);
		free(src);
		return 0;
	}
	FUZZ_CHECK(t != NULL);
	int msgids = 0;
	wy_template_each_msgid(t, on_msgid, &msgids);

	json_t *ctx = NULL;
	if (js) {
		json_error_t err;
		ctx = json_loadb((const char *)js, jlen, JSON_DECODE_ANY, &err);
	}
	json_t *use = ctx ? ctx : fixed;
	check_render(t, use, NULL, src, tlen);
	check_render(t, use, "en", src, tlen);
	json_decref(ctx);
	wy_template_free(t);
	free(src);
	return 0;
}

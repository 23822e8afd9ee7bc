/* fuzz_accept_language: choosing a request's language (web/i18n.h,
 * wy_i18n_pick and wy_i18n_supported) from what the client sends: the
 * ?lang= argument, the lang cookie and the Accept-Language header.
 *
 * Input: up to three strings separated by NUL bytes (header only, or
 * query, cookie, header; an absent one is NULL), with four languages
 * loaded (en, fr, ja, de: empty catalogs). Checks: the answer is never
 * NULL and always "zh" or a loaded code; a supported ?lang= wins, then a
 * supported cookie; wy_i18n_supported gives NULL or a loaded code. */
#include "fuzz.h"
#include "fuzz_dir.h"

#include "web/i18n.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = fuzz_dir_make("langs");
	static const char *const codes[] = {"en", "fr", "ja", "de"};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char name[8];
		snprintf(name, sizeof name, "%s.mo", codes[i]);
		fuzz_dir_write(dir, name, fuzz_empty_mo, sizeof fuzz_empty_mo);
	}
	wy_errinfo ei = {0};
	if (wy_i18n_load(dir, &ei)) {
		fprintf(stderr, "fuzz_accept_language: %s\n", ei.msg);
		abort();
	}
	return 0;
}

static void check_code(const char *code)
{
	FUZZ_CHECK(code != NULL);
	if (strcmp(code, WY_I18N_DEFAULT) == 0)
		return;
	for (int i = 0; wy_i18n_language(i); i++)
		if (code == wy_i18n_language(i))
			return;
	FUZZ_CHECK(!"a code that is neither zh nor a loaded language");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s[3] = {NULL, NULL, NULL};
	int n = 0;
	const uint8_t *p = data, *end = data + size;
	while (n < 3) {
		const uint8_t *nul = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
		const uint8_t *e = nul ? nul : end;
		s[n++] = fuzz_strndup(p, (size_t)(e - p));
		if (!nul)
			break;
		p = nul + 1;
	}
	/* one string: the header alone; more: query, cookie, header */
	char *query = n > 1 ? s[0] : NULL, *cookie = n > 1 ? s[1] : NULL, *header = n > 1 ? s[2] : s[0];

	const char *lang = wy_i18n_pick(query, cookie, header);
	check_code(lang);
	const char *qs = wy_i18n_supported(query), *cs = wy_i18n_supported(cookie);
	if (qs)
		check_code(qs);
	if (cs)
		check_code(cs);
	if (qs)
		FUZZ_CHECK(lang == qs);
	else if (cs)
		FUZZ_CHECK(lang == cs);
	check_code(wy_i18n_pick(NULL, NULL, header));
	if (wy_i18n_supported(header))
		check_code(wy_i18n_supported(header));
	check_code(wy_i18n_pick(header, header, header));

	for (int i = 0; i < n; i++)
		free(s[i]);
	return 0;
}

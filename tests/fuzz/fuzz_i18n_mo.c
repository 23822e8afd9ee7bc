/* fuzz_i18n_mo: the GNU .mo catalog reader (web/i18n.h) on any bytes.
 *
 * A catalog is untrusted until checked: the reader must bound every offset
 * and length in it and refuse a damaged file. The input is written as
 * en.mo into a private directory and loaded, while a good catalog (fr) is
 * loaded already. Checks: a refused file gives WY_ECORRUPT naming en.mo
 * and leaves fr loaded (all or nothing); an accepted one replaces it, and
 * then every NUL-terminated string of the file looked up as a msgid gives
 * NULL or a valid UTF-8 translation, as does the input itself. */
#include "fuzz.h"
#include "fuzz_dir.h"

#include "text/utf8.h"
#include "web/i18n.h"

static char *good_dir, *in_dir;

static void load_good(void)
{
	wy_errinfo ei = {0};
	if (wy_i18n_load(good_dir, &ei)) {
		fprintf(stderr, "fuzz_i18n_mo: %s\n", ei.msg);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	good_dir = strdup(fuzz_dir_make("good"));
	in_dir = strdup(fuzz_dir_make("in"));
	if (!good_dir || !in_dir)
		abort();
	fuzz_dir_write(good_dir, "fr.mo", fuzz_empty_mo, sizeof fuzz_empty_mo);
	return 0;
}

static void lookup(const char *msgid)
{
	const char *s = wy_i18n_lookup("en", msgid);
	if (s)
		FUZZ_CHECK(*s && wy_utf8_valid(s, strlen(s)));
	const char *t = wy_i18n_tr("en", msgid);
	FUZZ_CHECK(t == (s ? s : msgid));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_good();
	fuzz_dir_write(in_dir, "en.mo", data, size);
	wy_errinfo ei = {0};
	int rc = wy_i18n_load(in_dir, &ei);
	if (rc) {
		FUZZ_CHECK(rc == WY_ECORRUPT && ei.code == rc && strstr(ei.msg, "en.mo"));
		FUZZ_CHECK(wy_i18n_language(0) && strcmp(wy_i18n_language(0), "fr") == 0);
		FUZZ_CHECK(wy_i18n_language(1) == NULL);
		return 0;
	}
	FUZZ_CHECK(wy_i18n_language(0) && strcmp(wy_i18n_language(0), "en") == 0);
	FUZZ_CHECK(wy_i18n_language(1) == NULL);
	FUZZ_CHECK(strcmp(wy_i18n_pick("en", NULL, NULL), "en") == 0);
	FUZZ_CHECK(strcmp(wy_i18n_pick("fr", NULL, NULL), "zh") == 0);

	/* every string of the file as a msgid: the real ones are among them */
	const char *p = (const char *)data, *end = p + size;
	for (int k = 0; p < end && k < 256; k++) {
		const char *nul = memchr(p, 0, (size_t)(end - p));
		if (!nul)
			break;
		lookup(p);
		p = nul + 1;
	}
	char *whole = fuzz_strndup(data, size);
	lookup(whole);
	free(whole);
	lookup("");
	FUZZ_CHECK(wy_i18n_lookup("en", NULL) == NULL);
	wy_i18n_unload();
	FUZZ_CHECK(wy_i18n_language(0) == NULL);
	return 0;
}

/* fuzz_cookie: what the server parses of a request itself besides URLs
 * (web/web_int.h): the Cookie header (web_cookie_find, for the session and
 * CSRF cookies) and form fields as they arrive in pieces (web_form_add,
 * web_form_get, bounded by WEB_FORM_FIELDS and WEB_FORM_BYTES).
 *
 * Input: the first byte picks a cookie name and an output size; the rest,
 * up to a NUL, is the Cookie header; after the NUL, form pieces: a byte of
 * key (one of four), a byte of offset flag, two bytes of length, the data.
 * Checks: a found value fits its buffer, is a substring of the header and
 * holds no ';'; a form never passes its limits, and a value it gives back
 * has no NUL inside and is as long as it says. */
#include "fuzz.h"

#include "web/web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *const names[] = {"wy_s", "wy_c", "lang", "a"};
	const char *name = names[data[0] & 3];
	size_t outsize = (size_t)(data[0] >> 2) + 1;
	const uint8_t *p = data + 1, *end = data + size;
	const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
	size_t hl = nul ? (size_t)(nul - p) : (size_t)(end - p);
	char *header = malloc(hl + 1);
	memcpy(header, p, hl);
	header[hl] = 0;
	char *out = malloc(outsize);
	if (web_cookie_find(header, name, out, outsize)) {
		size_t n = strlen(out);
		FUZZ_CHECK(n < outsize);
		FUZZ_CHECK(strstr(header, out) != NULL);
		FUZZ_CHECK(strchr(out, ';') == NULL);
	}
	free(out);
	free(header);

	/* form pieces */
	static const char *const keys[] = {"csrf", "title", "name", "x"};
	web_req r;
	memset(&r, 0, sizeof r);
	p = nul ? nul + 1 : end;
	while (end - p >= 4) {
		const char *key = keys[p[0] & 3];
		size_t off = p[1] & 1 ? 1 : 0;
		size_t len = ((size_t)p[2] | (size_t)p[3] << 8) % 4096;
		p += 4;
		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		/* a large length repeats the piece, to reach the byte limit */
		for (int k = 0; k < (len > 2048 ? 40 : 1); k++)
			web_form_add(&r.form, key, (const char *)p, off, len);
		p += len;
		FUZZ_CHECK(r.form.n <= WEB_FORM_FIELDS);
		FUZZ_CHECK(r.form.total <= WEB_FORM_BYTES);
	}
	for (int k = 0; k < 4; k++) {
		size_t n;
		const char *v = web_form_get(&r, keys[k], &n);
		if (v)
			FUZZ_CHECK(strlen(v) == n);
	}
	web_form_clear(&r.form);
	return 0;
}

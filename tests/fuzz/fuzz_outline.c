/* fuzz_outline: a document's outline as the worker's parent reads it from
 * a converter child (text/outline.h), which must never be trusted.
 *
 * Input: the page count (1 byte, taken modulo 40 so that 0 and small
 * counts occur), then the record. Checks: a refused record leaves an empty
 * list; an accepted one has at most WY_OUTLINE_MAX entries, each with a
 * page in 1..npages, a depth in 0..WY_OUTLINE_DEPTH_MAX and a title of
 * 1..WY_OUTLINE_TITLE_MAX bytes of valid UTF-8 without control characters
 * or line breaks; encoding it and reading it back gives the same list.
 * The record's bytes as a title: cleaning gives such a title (or nothing)
 * and cleaning it again changes nothing. */
#include "fuzz.h"

#include "core/err.h"
#include "text/outline.h"
#include "text/utf8.h"

static void check_title(const char *t, size_t n)
{
	FUZZ_CHECK(n >= 1 && n <= WY_OUTLINE_TITLE_MAX && strlen(t) == n);
	FUZZ_CHECK(wy_utf8_valid(t, n));
	const char *p = t, *end = t + n;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		FUZZ_CHECK(cp >= 0 && !wy_is_hidden_control((uint32_t)cp));
	}
	FUZZ_CHECK(t[0] != ' ' && t[n - 1] != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int npages = size ? data[0] % 40 : 0;
	const char *rec = size > 1 ? (const char *)data + 1 : "";
	size_t len = size > 1 ? size - 1 : 0;
	char *copy = fuzz_strndup(rec, len);

	wy_outline o = {0};
	int rc = wy_outline_decode(copy, len, npages, &o);
	FUZZ_CHECK(rc == WY_OK || rc == WY_EINVAL);
	if (rc) {
		FUZZ_CHECK(o.n == 0 && o.items == NULL);
	} else {
		FUZZ_CHECK(o.n <= WY_OUTLINE_MAX);
		for (int i = 0; i < o.n; i++) {
			FUZZ_CHECK(o.items[i].page >= 1 && o.items[i].page <= npages);
			FUZZ_CHECK(o.items[i].depth >= 0 && o.items[i].depth <= WY_OUTLINE_DEPTH_MAX);
			check_title(o.items[i].title, strlen(o.items[i].title));
		}
		wy_buf b;
		wy_buf_init(&b, 0);
		wy_outline_encode(&o, &b);
		wy_outline again = {0};
		FUZZ_CHECK(wy_outline_decode(b.data ? b.data : "", b.len, npages, &again) == WY_OK);
		FUZZ_CHECK(again.n == o.n);
		for (int i = 0; i < o.n; i++)
			FUZZ_CHECK(again.items[i].page == o.items[i].page && again.items[i].depth == o.items[i].depth &&
				   strcmp(again.items[i].title, o.items[i].title) == 0);
		wy_outline_free(&again);
		wy_buf_free(&b);
	}
	wy_outline_free(&o);

	/* the whole record as a title */
	size_t n = wy_outline_clean_title(copy, strnlen(copy, len));
	if (n) {
		check_title(copy, n);
		FUZZ_CHECK(wy_outline_clean_title(copy, n) == n);
	}
	free(copy);
	return 0;
}

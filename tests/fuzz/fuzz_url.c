/* fuzz_url: what the server makes of a request's URL and headers itself
 * (web/web_int.h): percent-decoding of the path (web_unescape), document
 * numbers in paths (web_path_id), the route a URL goes to (web_route_of,
 * GET and POST tables), Range headers (web_parse_range), If-None-Match
 * (web_etag_matches) and the redirect after logging in (web_safe_next).
 *
 * Input: four bytes of file size, then a string (up to a NUL) used as a
 * path, a header and a "next" value in turn. Checks: decoding never grows
 * a string nor lets a NUL cut it short; a document number is 1-18 digits
 * and positive; a route is a prefix of its URL; a range is taken (or
 * found unsatisfiable) only when it is "bytes=" and digits around one '-',
 * and a satisfiable one lies inside the file; If-None-Match matches only
 * "*" or a header holding the tag; a redirect stays on this site (one
 * leading '/', no "//" or "/\\" start, no CR or LF). */
#include "fuzz.h"

#include "web/web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint64_t fsize = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 | (uint64_t)data[3] << 24;
	const uint8_t *p = data + 4;
	size_t n = size - 4;
	const uint8_t *nul = memchr(p, 0, n);
	if (nul)
		n = (size_t)(nul - p);
	char *s = malloc(n + 1);
	memcpy(s, p, n);
	s[n] = 0;

	char *u = strdup(s);
	size_t len = web_unescape(u);
	FUZZ_CHECK(len <= n);
	FUZZ_CHECK(strlen(u) == len);

	int64_t id = 0;
	if (web_path_id(s, &id)) {
		FUZZ_CHECK(id > 0);
		FUZZ_CHECK(strspn(s, "0123456789") == n && n >= 1 && n <= 18);
	}

	for (int post = 0; post < 2; post++) {
		const char *r = web_route_of(u, post);
		if (r) /* the route's pattern, or a JSON twin's under /api/v1 */
			FUZZ_CHECK(strncmp(u, r, strlen(r)) == 0 ||
				   (strncmp(u, "/api/v1/", 8) == 0 && strncmp(u + 7, r, strlen(r)) == 0));
	}

	uint64_t from = 0, to = 0;
	int rr = web_parse_range(s, fsize, &from, &to);
	FUZZ_CHECK(rr >= -1 && rr <= 1);
	if (rr == 1)
		FUZZ_CHECK(from <= to && to < fsize);
	if (rr != 0) {
		const char *spec = s + 6, *dash = strchr(spec, '-');
		FUZZ_CHECK(strncmp(s, "bytes=", 6) == 0 && dash);
		FUZZ_CHECK(strspn(spec, "0123456789") == (size_t)(dash - spec));
		FUZZ_CHECK(strspn(dash + 1, "0123456789") == strlen(dash + 1));
		FUZZ_CHECK(dash > spec || dash[1]); /* not "bytes=-" */
	}

	static const char tag[] = "\"0123abcd\"";
	if (web_etag_matches(s, tag))
		FUZZ_CHECK(strstr(s, tag) || strspn(s, " \t*") == n);

	const char *next = web_safe_next(s);
	FUZZ_CHECK(next[0] == '/');
	FUZZ_CHECK(next[1] != '/' && next[1] != '\\');
	FUZZ_CHECK(!strpbrk(next, "\r\n"));
	free(u);
	free(s);
	return 0;
}

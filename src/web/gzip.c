/* web/gzip: text answers (pages, the site's CSS and scripts) compressed
 * for the clients that take gzip. A page is 20 KiB of HTML and a
 * stylesheet as much: on a phone's network they are the time to the
 * first paint. Images and downloads are never compressed here (WebP and
 * the originals gain nothing, and they go out by sendfile). */
#include "web/web_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_MIN 1024 /* below this the header and a round trip cost more than is saved */

/* A q value of an Accept-Encoding entry (RFC 9110 12.4.2): "q=0", "q=0.",
 * "q=0.0" ... are zero, anything else that parses is not. */
static bool q_is_zero(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return false;
	p += 2;
	if (p >= end || *p != '0')
		return false;
	for (p++; p < end && (*p == '.' || *p == '0'); p++)
		;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end;
}

bool web_accepts_gzip(const char *h)
{
	int gzip = -1, star = -1; /* -1 unnamed, 0 refused, 1 taken */
	for (const char *p = h; p && *p;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *tok = p;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t n = (size_t)(p - tok);
		bool refused = false;
		for (const char *s = p; s < end;) { /* parameters: ;q=... */
			const char *semi = memchr(s, ';', (size_t)(end - s));
			if (!semi)
				break;
			const char *next = memchr(semi + 1, ';', (size_t)(end - semi - 1));
			if (q_is_zero(semi + 1, next ? next : end))
				refused = true;
			s = semi + 1;
		}
		if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0) || (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
			gzip = !refused;
		else if (n == 1 && *tok == '*')
			star = !refused;
		p = *end ? end + 1 : end;
	}
	return gzip >= 0 ? gzip == 1 : star == 1;
}

char *web_gzip(const char *data, size_t len, size_t *out_len)
{
	if (len < GZIP_MIN || len > (64u << 20))
		return NULL;
	z_stream z = {0};
	/* windowBits 15 + 16: a gzip header and trailer; level 6, zlib's own
	 * balance (a 20 KiB page in about a tenth of a millisecond) */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)len);
	unsigned char *out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || n >= len) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return (char *)out;
}

struct MHD_Response *web_text_response(struct MHD_Connection *c, char *data, size_t len)
{
	size_t zlen = 0;
	char *z = web_accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING))
			  ? web_gzip(data, len, &zlen)
			  : NULL;
	if (z) {
		free(data);
		data = z;
		len = zlen;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return NULL;
	}
	if (z)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return r;
}

/* util: memory, strings, files and time helpers every module uses.
 *
 * wy_x* allocation functions abort on failure: use them only for small
 * internal objects. Sizes a client controls go through wy_buf with a cap. */
#ifndef WY_UTIL_H
#define WY_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

void *wy_xmalloc(size_t n);
void *wy_xcalloc(size_t n, size_t size);
void *wy_xrealloc(void *p, size_t n);
char *wy_xstrdup(const char *s);          /* NULL -> NULL */
char *wy_xstrndup(const char *s, size_t n);
char *wy_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable byte buffer. Always NUL-terminated after data[len] once anything
 * was appended; cap is the maximum len (0 = unlimited). Appending past the cap
 * returns WY_ETOOBIG and leaves the buffer unchanged. */
typedef struct wy_buf {
	char *data;
	size_t len, alloc, cap;
} wy_buf;

void wy_buf_init(wy_buf *b, size_t cap);
int wy_buf_append(wy_buf *b, const void *p, size_t n);
int wy_buf_puts(wy_buf *b, const char *s);
int wy_buf_printf(wy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int wy_buf_putc(wy_buf *b, char c);
/* Hand the data to the caller (who frees it) and reset b. Never NULL. */
char *wy_buf_steal(wy_buf *b);
void wy_buf_free(wy_buf *b);

/* Files. All return WY_OK or WY_EIO/WY_ENOTFOUND/WY_ETOOBIG. */
int wy_write_all(int fd, const void *p, size_t n);
int wy_read_full(int fd, void *p, size_t n, size_t *got); /* until n or EOF */
int wy_file_read(const char *path, size_t cap, wy_buf *out);
/* Copy the file src to dst, made anew (an old dst is removed first; a
 * symlink there is not followed), mode 0600, synced; on failure nothing is
 * left at dst. The reason in ei names no path. */
int wy_file_copy(const char *src, const char *dst, wy_errinfo *ei);
int wy_mkdir_p(const char *path, unsigned mode);
int wy_fsync_dir(const char *dir);
bool wy_is_dir(const char *path);

/* Time. */
int64_t wy_now(void);        /* seconds since the epoch */
int64_t wy_now_ms(void);     /* monotonic milliseconds */
int64_t wy_now_us(void);     /* monotonic microseconds */

/* "17.47KB", "2.3MB": the size as a document site shows it. */
void wy_format_size(int64_t bytes, char *out, size_t cap);

/* Base name of a path without directories (borrowed pointer into path). */
const char *wy_basename(const char *path);

/* Number of online CPUs, at least 1. */
int wy_ncpu(void);

/* Whether h (n bytes) is host[:port]: a DNS name (labels of letters,
 * digits and '-', neither first nor last, 1..63 bytes each, 253 in all),
 * an IPv4 address or an IPv6 literal in brackets, and a port 1..65535.
 * Nothing that could break out of a URL, an attribute, XML or a header.
 * The one rule for the hosts of site_url, Host headers, site links and
 * the analytics script. */
bool wy_host_valid(const char *h, size_t n);
/* Whether url is an https URL a page may load a script from: "https://",
 * a host wy_host_valid takes (an optional :port), then
 * nothing or a path/query of printable ASCII without quotes, spaces, '<',
 * '>', '\\' or '`'; no user name. Its origin ("https://host[:port]",
 * the host lower-cased) into out (size bytes). */
bool wy_https_origin(const char *url, char *out, size_t size);
/* site_url as a base (no trailing '/') into out: http(s)://, a host
 * wy_host_valid takes (an optional :port), then a path of unreserved
 * characters, '/' and '%'; false when it is not one (the one rule for
 * saving site_url and for using it). */
bool wy_site_url_base(const char *u, char *out, size_t size);

/* Fault injection for tests (SQLite/curl style): when a fault point named
 * `name` is armed with countdown n, the n-th call of wy_fault("name") returns
 * true (once). WY_FAULT_OFF in production is one branch on a NULL pointer. */
void wy_fault_arm(const char *name, int n);
bool wy_fault(const char *name);

#endif

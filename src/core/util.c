/* util: helpers shared by every module. Nothing here knows about documents. */
#include "core/util.h"
#include "core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	static const char msg[] = "wenyuan: out of memory\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	abort();
}

void *wy_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *wy_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *wy_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *wy_xstrdup(const char *s)
{
	return s ? wy_xstrndup(s, strlen(s)) : NULL;
}

char *wy_xstrndup(const char *s, size_t n)
{
	char *p = wy_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *wy_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	char *p = wy_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void wy_buf_init(wy_buf *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->cap = cap;
}

int wy_buf_append(wy_buf *b, const void *p, size_t n)
{
	if (b->cap && (n > b->cap || b->len > b->cap - n))
		return WY_ETOOBIG;
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 256;
		while (a < b->len + n + 1)
			a *= 2;
		char *d = realloc(b->data, a);
		if (!d)
			return WY_ENOMEM;
		b->data = d;
		b->alloc = a;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return WY_OK;
}

int wy_buf_puts(wy_buf *b, const char *s) { return wy_buf_append(b, s, strlen(s)); }

int wy_buf_putc(wy_buf *b, char c) { return wy_buf_append(b, &c, 1); }

int wy_buf_printf(wy_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return WY_EINVAL;
	if ((size_t)n < sizeof small)
		return wy_buf_append(b, small, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (!big)
		return WY_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = wy_buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

char *wy_buf_steal(wy_buf *b)
{
	char *d = b->data ? b->data : wy_xstrdup("");
	size_t cap = b->cap;
	wy_buf_init(b, cap);
	return d;
}

void wy_buf_free(wy_buf *b)
{
	free(b->data);
	wy_buf_init(b, b->cap);
}

int wy_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	if (wy_fault("write")) {
		errno = ENOSPC;
		return WY_EIO;
	}
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return WY_EIO;
		}
		c += w;
		n -= (size_t)w;
	}
	return WY_OK;
}

int wy_read_full(int fd, void *p, size_t n, size_t *got)
{
	char *c = p;
	size_t total = 0;
	while (total < n) {
		ssize_t r = read(fd, c + total, n - total);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return WY_EIO;
		}
		if (r == 0)
			break;
		total += (size_t)r;
	}
	if (got)
		*got = total;
	return WY_OK;
}

int wy_file_copy(const char *src, const char *dst, wy_errinfo *ei)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return wy_err_set(ei, WY_EIO, "cannot open the file to copy: %s", strerror(errno));
	unlink(dst);
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		int rc = wy_err_set(ei, WY_EIO, "cannot create the copy: %s", strerror(errno));
		close(in);
		return rc;
	}
	int rc = WY_OK;
	char buf[65536];
	ssize_t r = 0;
	while (!rc && ((r = read(in, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0 && wy_write_all(out, buf, (size_t)r))
			rc = wy_err_set(ei, WY_EIO, "cannot write the copy: %s", strerror(errno));
	if (!rc && r < 0)
		rc = wy_err_set(ei, WY_EIO, "cannot read the file to copy: %s", strerror(errno));
	if (!rc && fsync(out) != 0)
		rc = wy_err_set(ei, WY_EIO, "cannot write the copy: %s", strerror(errno));
	if (close(out) != 0 && !rc)
		rc = wy_err_set(ei, WY_EIO, "cannot write the copy: %s", strerror(errno));
	close(in);
	if (rc)
		unlink(dst);
	return rc;
}

int wy_file_read(const char *path, size_t cap, wy_buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? WY_ENOTFOUND : WY_EIO;
	wy_buf_init(out, cap);
	char chunk[65536];
	int rc = WY_OK;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = WY_EIO;
			break;
		}
		if (r == 0)
			break;
		if ((rc = wy_buf_append(out, chunk, (size_t)r)) != WY_OK)
			break;
	}
	close(fd);
	if (rc != WY_OK)
		wy_buf_free(out);
	else if (!out->data)
		rc = wy_buf_append(out, "", 0);
	return rc;
}

int wy_mkdir_p(const char *path, unsigned mode)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return WY_EINVAL;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return WY_EIO;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return WY_EIO;
	return wy_is_dir(tmp) ? WY_OK : WY_EIO;
}

int wy_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return WY_EIO;
	int rc = fsync(fd) == 0 ? WY_OK : WY_EIO;
	close(fd);
	return rc;
}

bool wy_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int64_t wy_now(void) { return (int64_t)time(NULL); }

int64_t wy_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t wy_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wy_format_size(int64_t bytes, char *out, size_t cap)
{
	if (bytes < 1024)
		snprintf(out, cap, "%lldB", (long long)bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, cap, "%.2fKB", bytes / 1024.0);
	else if (bytes < 1024LL * 1024 * 1024)
		snprintf(out, cap, "%.1fMB", bytes / (1024.0 * 1024));
	else
		snprintf(out, cap, "%.1fGB", bytes / (1024.0 * 1024 * 1024));
}

const char *wy_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int wy_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* One armed fault point is enough for tests; keeping it to one means the
 * production check is a single pointer test. */
static char *fault_name;
static int fault_count;

void wy_fault_arm(const char *name, int n)
{
	free(fault_name);
	fault_name = name ? wy_xstrdup(name) : NULL;
	fault_count = n;
}

bool wy_fault(const char *name)
{
	if (!fault_name || strcmp(fault_name, name) != 0)
		return false;
	if (--fault_count > 0)
		return false;
	free(fault_name);
	fault_name = NULL;
	return true;
}

static bool host_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* host[:port], n bytes (util.h): a DNS name (labels of letters, digits and '-',
 * neither first nor last, 1..63 bytes each, 253 in all), an IPv4 address
 * (which is such a name) or an IPv6 literal in brackets; a port of 1..5
 * digits, 1..65535. Nothing else: no quote, angle bracket, ampersand,
 * space or control byte can pass into a page, an XML file or a header. */
bool wy_host_valid(const char *h, size_t n)
{
	size_t i = 0;
	if (n == 0 || n > 300)
		return false;
	if (h[0] == '[') {
		const char *e = memchr(h, ']', n);
		if (!e || e - h < 3)
			return false;
		for (i = 1; h + i < e; i++)
			if (!host_alnum(h[i]) && h[i] != ':' && h[i] != '.')
				return false;
		i++;
	} else {
		size_t label = 0;
		for (; i < n && h[i] != ':'; i++) {
			char c = h[i];
			if (c == '.') {
				if (label == 0 || h[i - 1] == '-')
					return false;
				label = 0;
			} else if (host_alnum(c) || (c == '-' && label > 0)) {
				if (++label > 63)
					return false;
			} else {
				return false;
			}
		}
		if (label == 0 || h[i - 1] == '-' || i > 253)
			return false;
	}
	if (i == n)
		return true;
	if (h[i] != ':' || n - i - 1 < 1 || n - i - 1 > 5)
		return false;
	long port = 0;
	for (size_t k = i + 1; k < n; k++) {
		if (h[k] < '0' || h[k] > '9')
			return false;
		port = port * 10 + (h[k] - '0');
	}
	return port >= 1 && port <= 65535;
}

/* See util.h. site_url as a base (no trailing '/') into out: http(s)://host[:port]
 * and a path of unreserved characters, '/' and '%'; false when it is not
 * one. */
bool wy_site_url_base(const char *u, char *out, size_t size)
{
	size_t skip = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
	if (!skip)
		return false;
	size_t n = strlen(u);
	while (n > skip && u[n - 1] == '/')
		n--;
	const char *slash = memchr(u + skip, '/', n - skip);
	size_t hl = slash ? (size_t)(slash - u) - skip : n - skip;
	if (!wy_host_valid(u + skip, hl))
		return false;
	for (size_t i = skip + hl; i < n; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z') || (u[i] >= '0' && u[i] <= '9')) && !strchr("-._~/%", u[i]))
			return false;
	if (n >= size)
		return false;
	memcpy(out, u, n);
	out[n] = 0;
	return true;
}

bool wy_https_origin(const char *url, char *out, size_t size)
{
	if (!url || strncmp(url, "https://", 8) != 0 || strlen(url) > 500)
		return false;
	const char *host = url + 8;
	size_t h = strcspn(host, "/?#");
	if (h + 9 > size || !wy_host_valid(host, h))
		return false; /* '@' (a user name), '%' ... */
	for (const char *p = host + h; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`')
			return false;
	}
	memcpy(out, "https://", 8);
	for (size_t i = 0; i < h; i++)
		out[8 + i] = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] + 32) : host[i];
	out[8 + h] = 0;
	return true;
}

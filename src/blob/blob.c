/* blob: what every backend shares. Names are checked here before a backend
 * sees them; hashing, the writer (bytes spooled to a temporary file of this
 * machine, hashed as they come, then published by the backend: the name is
 * the hash, known only at the end) and verification are the same for a
 * directory and a bucket. The backend is chosen once, at wy_blob_open, by
 * the location (blob_int.h). */
#include "blob/blob_int.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic uint64_t failures;

void wy_blob_count_failure(int code)
{
	if (code == WY_EIO || code == WY_ECORRUPT)
		atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
}

uint64_t wy_blob_errors(void) { return atomic_load_explicit(&failures, memory_order_relaxed); }

int wy_blob_open(const char *location, wy_blob_store **out, wy_errinfo *ei)
{
	*out = NULL;
	if (sodium_init() < 0)
		return BLOB_FAIL(ei, WY_EIO, "blob: libsodium failed to initialise");
	if (strncmp(location, "s3://", 5) == 0)
		return wy_blob_s3_open(location, out, ei);
	if (strstr(location, "://"))
		return wy_err_set(ei, WY_EINVAL, "blob: %.40s: a directory or s3://BUCKET[/PREFIX]", location);
	return wy_blob_fs_open(location, out, ei);
}

void wy_blob_close(wy_blob_store *bs)
{
	if (bs)
		bs->ops->close(bs);
}

const char *wy_blob_kind(const wy_blob_store *bs) { return bs->ops->kind; }

bool wy_blob_valid_name(const char *name)
{
	if (!name)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return name[64] == 0;
}

void wy_blob_hex(const unsigned char *h, char out[65])
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = d[h[i] >> 4];
		out[2 * i + 1] = d[h[i] & 15];
	}
	out[64] = 0;
}

void wy_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	wy_blob_hex(h, out);
}

int wy_sha256_fd(int fd, uint64_t max, char out[65], uint64_t *size_out, wy_errinfo *ei)
{
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	static __thread unsigned char chunk[1 << 16];
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) /* the caller's file, not the store: not counted */
			return wy_err_set(ei, WY_EIO, "read failed: %s", strerror(errno));
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max)
			return wy_err_set(ei, WY_ETOOBIG, "the file is larger than the limit of %llu bytes",
					  (unsigned long long)max);
		crypto_hash_sha256_update(&h, chunk, (unsigned long long)n);
	}
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h, digest);
	wy_blob_hex(digest, out);
	if (size_out)
		*size_out = total;
	return WY_OK;
}

int wy_blob_temp_file(const char *dir, char **path, int *fd, wy_errinfo *ei)
{
	*path = wy_xasprintf("%s/obj.XXXXXX", dir);
	*fd = mkostemp(*path, O_CLOEXEC);
	if (*fd < 0) {
		int rc = BLOB_FAIL(ei, WY_EIO, "blob: cannot create a temporary file in %s: %s", dir, strerror(errno));
		free(*path);
		*path = NULL;
		return rc;
	}
	return WY_OK;
}

int wy_blob_anon_file(const char *dir, int *fd, wy_errinfo *ei)
{
	*fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*fd >= 0)
		return WY_OK;
	char *path;
	int rc = wy_blob_temp_file(dir, &path, fd, ei);
	if (!rc) {
		unlink(path);
		free(path);
	}
	return rc;
}

int wy_blob_put(wy_blob_store *bs, const void *data, size_t len, char sha_out[65], wy_errinfo *ei)
{
	wy_sha256_hex(data, len, sha_out);
	return bs->ops->put(bs, data, len, sha_out, ei);
}

struct wy_blob_writer {
	wy_blob_store *bs;
	char *tmp; /* NULL: an unnamed file (a backend that sends it elsewhere) */
	int fd;
	crypto_hash_sha256_state h;
	uint64_t total, max;
};

int wy_blob_writer_open(wy_blob_store *bs, uint64_t max, wy_blob_writer **out, wy_errinfo *ei)
{
	wy_blob_writer *w = wy_xcalloc(1, sizeof *w);
	/* a bucket's spool is read back and sent, never renamed: unnamed, so
	 * a killed process leaves nothing in the spool directory */
	int rc = bs->ops->local ? wy_blob_temp_file(bs->ops->spool_dir(bs), &w->tmp, &w->fd, ei)
				: wy_blob_anon_file(bs->ops->spool_dir(bs), &w->fd, ei);
	if (rc) {
		free(w);
		return rc;
	}
	w->bs = bs;
	w->max = max;
	crypto_hash_sha256_init(&w->h);
	*out = w;
	return WY_OK;
}

int wy_blob_writer_write(wy_blob_writer *w, const void *data, size_t len, wy_errinfo *ei)
{
	if (w->total + len > w->max || w->total + len < w->total)
		return BLOB_FAIL(ei, WY_ETOOBIG, "the file is larger than the limit of %llu bytes",
				 (unsigned long long)w->max);
	w->total += len;
	crypto_hash_sha256_update(&w->h, data, (unsigned long long)len);
	if (wy_write_all(w->fd, data, len))
		return BLOB_FAIL(ei, WY_EIO, "blob: write failed: %s", strerror(errno));
	return WY_OK;
}

uint64_t wy_blob_writer_size(const wy_blob_writer *w) { return w->total; }

void wy_blob_writer_abort(wy_blob_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	if (w->tmp)
		unlink(w->tmp); /* after a successful rename this finds nothing */
	free(w->tmp);
	free(w);
}

int wy_blob_writer_commit(wy_blob_writer *w, char sha_out[65], uint64_t *size_out, bool *created, wy_errinfo *ei)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&w->h, digest);
	wy_blob_hex(digest, sha_out);
	if (size_out)
		*size_out = w->total;
	bool made = false;
	int rc = w->bs->ops->publish(w->bs, w->tmp, w->fd, sha_out, w->total, &made, ei);
	if (created)
		*created = made && rc == WY_OK;
	wy_blob_writer_abort(w);
	return rc;
}

int wy_blob_put_fd(wy_blob_store *bs, int in, uint64_t max, char sha_out[65], uint64_t *size_out, wy_errinfo *ei)
{
	wy_blob_writer *w;
	int rc;
	if ((rc = wy_blob_writer_open(bs, max, &w, ei)))
		return rc;
	static __thread char chunk[1 << 16];
	for (;;) {
		ssize_t r = read(in, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = BLOB_FAIL(ei, WY_EIO, "blob: read failed: %s", strerror(errno));
			break;
		}
		if (r == 0)
			return wy_blob_writer_commit(w, sha_out, size_out, NULL, ei);
		if ((rc = wy_blob_writer_write(w, chunk, (size_t)r, ei)))
			break;
	}
	wy_blob_writer_abort(w);
	return rc;
}

int wy_blob_open_fd(wy_blob_store *bs, const char *sha, int *fd_out, uint64_t *size_out, wy_errinfo *ei)
{
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->open_fd(bs, sha, fd_out, size_out, ei);
}

int wy_blob_open_range(wy_blob_store *bs, const char *sha, uint64_t from, uint64_t len, int *fd_out, uint64_t *at,
		       uint64_t *size_out, wy_errinfo *ei)
{
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->open_range(bs, sha, from, len, fd_out, at, size_out, ei);
}

bool wy_blob_is_local(const wy_blob_store *bs) { return bs->ops->local; }

int wy_blob_read_at(wy_blob_store *bs, const char *sha, uint64_t off, void *buf, size_t len, size_t *got,
		    uint64_t *size_out, wy_errinfo *ei)
{
	*got = 0;
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	if (bs->ops->read_at)
		return bs->ops->read_at(bs, sha, off, buf, len, got, size_out, ei);
	int fd, rc;
	uint64_t size;
	if ((rc = bs->ops->open_fd(bs, sha, &fd, &size, ei)))
		return rc;
	while (*got < len && off + *got < size) {
		ssize_t r = pread(fd, (char *)buf + *got, len - *got, (off_t)(off + *got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return BLOB_FAIL(ei, WY_EIO, "blob %.12s: read failed", sha);
		}
		*got += (size_t)r;
	}
	close(fd);
	if (size_out)
		*size_out = size;
	return WY_OK;
}

int wy_blob_local_path(wy_blob_store *bs, const char *sha, char **path, bool *is_temp, wy_errinfo *ei)
{
	*path = NULL;
	*is_temp = false;
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->local_path(bs, sha, path, is_temp, ei);
}

bool wy_blob_exists(wy_blob_store *bs, const char *sha)
{
	return wy_blob_valid_name(sha) && bs->ops->exists(bs, sha);
}

int wy_blob_size(wy_blob_store *bs, const char *sha, uint64_t *size, wy_errinfo *ei)
{
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->size(bs, sha, size, ei);
}

int wy_blob_ping(wy_blob_store *bs, wy_errinfo *ei) { return bs->ops->ping(bs, ei); }

int wy_blob_verify(wy_blob_store *bs, const char *sha, wy_errinfo *ei)
{
	int fd, rc;
	if ((rc = wy_blob_open_fd(bs, sha, &fd, NULL, ei)))
		return rc;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	static __thread char chunk[1 << 16];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		crypto_hash_sha256_update(&h, (const unsigned char *)chunk, (unsigned long long)r);
	close(fd);
	if (r < 0)
		return BLOB_FAIL(ei, WY_EIO, "blob %.12s: read failed", sha);
	unsigned char digest[crypto_hash_sha256_BYTES];
	char got[65];
	crypto_hash_sha256_final(&h, digest);
	wy_blob_hex(digest, got);
	if (strcmp(got, sha) != 0)
		return BLOB_FAIL(ei, WY_ECORRUPT, "blob %.12s: content hashes to %.12s", sha, got);
	return WY_OK;
}

int wy_blob_each(wy_blob_store *bs, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		 void *ctx, wy_errinfo *ei)
{
	return bs->ops->each(bs, cb, ctx, ei);
}

int wy_blob_delete(wy_blob_store *bs, const char *sha, wy_errinfo *ei)
{
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->delete_(bs, sha, ei);
}

int wy_blob_delete_old(wy_blob_store *bs, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei)
{
	*deleted = false;
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	return bs->ops->delete_old(bs, sha, older_than, deleted, ei);
}

int wy_blob_usage_get(wy_blob_store *bs, wy_blob_usage *out, wy_errinfo *ei)
{
	return bs->ops->usage_get(bs, out, ei);
}

int wy_blob_presign(wy_blob_store *bs, const char *sha, int seconds, const char *type, char **url, wy_errinfo *ei)
{
	*url = NULL;
	if (!wy_blob_valid_name(sha))
		return BLOB_FAIL(ei, WY_EINVAL, "blob: invalid name");
	if (!bs->ops->presign)
		return wy_err_set(ei, WY_ENOTSUP, "blob: a %s store has no presigned URLs", bs->ops->kind);
	return bs->ops->presign(bs, sha, seconds, type, url, ei);
}

/* blob/fs: the directory backend. Objects live at root/ab/cd/<sha256>;
 * temporary files at root/tmp/, on the same file system so rename is atomic.
 * This file must never build a path from anything but a validated name. */
#include "blob/blob.h"
#include "core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Failures of the disk in this process (wy_blob_errors): every error of
 * this file is made by FAIL, which counts the I/O errors and corrupt
 * objects (not a client's file too large, a bad name, a missing object). */
static _Atomic uint64_t failures;
#define FAIL(ei, code, ...) (count_failure(code), wy_err_set(ei, code, __VA_ARGS__))

static void count_failure(int code)
{
	if (code == WY_EIO || code == WY_ECORRUPT)
		atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
}

uint64_t wy_blob_errors(void) { return atomic_load_explicit(&failures, memory_order_relaxed); }

struct wy_blob_store {
	char *root;
	char *tmp;
};

int wy_blob_open(const char *dir, wy_blob_store **out, wy_errinfo *ei)
{
	*out = NULL;
	if (sodium_init() < 0)
		return FAIL(ei, WY_EIO, "blob: libsodium failed to initialise");
	wy_blob_store *bs = wy_xcalloc(1, sizeof *bs);
	char *tmp = wy_xasprintf("%s/tmp", dir);
	if (wy_mkdir_p(tmp, 0755)) {
		int rc = FAIL(ei, WY_EIO, "blob: cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		wy_blob_close(bs);
		return rc;
	}
	free(tmp);
	/* Absolute, so paths handed to converters (and LibreOffice's file
	 * URLs) mean the same wherever they are used. */
	bs->root = realpath(dir, NULL);
	if (!bs->root) {
		int rc = FAIL(ei, WY_EIO, "blob: cannot resolve %s: %s", dir, strerror(errno));
		wy_blob_close(bs);
		return rc;
	}
	bs->tmp = wy_xasprintf("%s/tmp", bs->root);
	*out = bs;
	return WY_OK;
}

void wy_blob_close(wy_blob_store *bs)
{
	if (!bs)
		return;
	free(bs->root);
	free(bs->tmp);
	free(bs);
}

bool wy_blob_valid_name(const char *name)
{
	if (!name)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return name[64] == 0;
}

static void hex(const unsigned char *h, char out[65])
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
	hex(h, out);
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
		if (n < 0) /* the caller's file, not the store: not counted by FAIL */
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
	hex(digest, out);
	if (size_out)
		*size_out = total;
	return WY_OK;
}

static char *obj_path(const wy_blob_store *bs, const char *sha)
{
	return wy_xasprintf("%s/%.2s/%.2s/%s", bs->root, sha, sha + 2, sha);
}

static int temp_file(wy_blob_store *bs, char **path, int *fd, wy_errinfo *ei)
{
	*path = wy_xasprintf("%s/obj.XXXXXX", bs->tmp);
	*fd = mkostemp(*path, O_CLOEXEC);
	if (*fd < 0) {
		int rc = FAIL(ei, WY_EIO, "blob: cannot create a temporary file in %s: %s", bs->tmp,
				    strerror(errno));
		free(*path);
		*path = NULL;
		return rc;
	}
	return WY_OK;
}

/* fsync the temp file, then move it to its name and fsync the directory. */
static int publish(wy_blob_store *bs, const char *tmp, int fd, const char *sha, wy_errinfo *ei)
{
	if (fsync(fd) != 0 || wy_fault("blob.fsync"))
		return FAIL(ei, WY_EIO, "blob: fsync failed: %s", strerror(errno ? errno : EIO));
	char *dst = obj_path(bs, sha);
	char *dir = wy_xstrndup(dst, strlen(dst) - 65);
	int rc = WY_OK;
	if (wy_mkdir_p(dir, 0755))
		rc = FAIL(ei, WY_EIO, "blob: cannot create %s: %s", dir, strerror(errno));
	else if (rename(tmp, dst) != 0)
		rc = FAIL(ei, WY_EIO, "blob: cannot rename into %s: %s", dst, strerror(errno));
	else if (wy_fsync_dir(dir))
		rc = FAIL(ei, WY_EIO, "blob: fsync of %s failed", dir);
	free(dir);
	free(dst);
	return rc;
}

/* Whether the object is there, made young again if so: storing bytes that
 * are stored already sets the object's time to now, which the collector
 * reads (wy_blob_delete_old) to leave alone what someone is storing now,
 * before the store refers to it (docs/internals/blob.md). */
static bool refresh(wy_blob_store *bs, const char *sha)
{
	char *p = obj_path(bs, sha);
	bool ok = utimensat(AT_FDCWD, p, NULL, 0) == 0;
	free(p);
	return ok;
}

int wy_blob_put(wy_blob_store *bs, const void *data, size_t len, char sha_out[65], wy_errinfo *ei)
{
	wy_sha256_hex(data, len, sha_out);
	if (refresh(bs, sha_out))
		return WY_OK;
	char *tmp;
	int fd, rc;
	if ((rc = temp_file(bs, &tmp, &fd, ei)))
		return rc;
	if (wy_write_all(fd, data, len))
		rc = FAIL(ei, WY_EIO, "blob: write failed: %s", strerror(errno));
	else
		rc = publish(bs, tmp, fd, sha_out, ei);
	close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

struct wy_blob_writer {
	wy_blob_store *bs;
	char *tmp;
	int fd;
	crypto_hash_sha256_state h;
	uint64_t total, max;
};

int wy_blob_writer_open(wy_blob_store *bs, uint64_t max, wy_blob_writer **out, wy_errinfo *ei)
{
	wy_blob_writer *w = wy_xcalloc(1, sizeof *w);
	int rc = temp_file(bs, &w->tmp, &w->fd, ei);
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
		return FAIL(ei, WY_ETOOBIG, "the file is larger than the limit of %llu bytes",
				  (unsigned long long)w->max);
	w->total += len;
	crypto_hash_sha256_update(&w->h, data, (unsigned long long)len);
	if (wy_write_all(w->fd, data, len))
		return FAIL(ei, WY_EIO, "blob: write failed: %s", strerror(errno));
	return WY_OK;
}

uint64_t wy_blob_writer_size(const wy_blob_writer *w) { return w->total; }

void wy_blob_writer_abort(wy_blob_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	unlink(w->tmp); /* after a successful rename this finds nothing */
	free(w->tmp);
	free(w);
}

int wy_blob_writer_commit(wy_blob_writer *w, char sha_out[65], uint64_t *size_out, bool *created, wy_errinfo *ei)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&w->h, digest);
	hex(digest, sha_out);
	if (size_out)
		*size_out = w->total;
	int rc = WY_OK;
	bool made = !refresh(w->bs, sha_out);
	if (made)
		rc = publish(w->bs, w->tmp, w->fd, sha_out, ei);
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
			rc = FAIL(ei, WY_EIO, "blob: read failed: %s", strerror(errno));
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
		return FAIL(ei, WY_EINVAL, "blob: invalid name");
	char *p = obj_path(bs, sha);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return FAIL(ei, errno == ENOENT ? WY_ENOTFOUND : WY_EIO, "blob %.12s: %s", sha, strerror(errno));
	struct stat stbuf;
	if (fstat(fd, &stbuf) != 0) {
		close(fd);
		return FAIL(ei, WY_EIO, "blob %.12s: %s", sha, strerror(errno));
	}
	*fd_out = fd;
	if (size_out)
		*size_out = (uint64_t)stbuf.st_size;
	return WY_OK;
}

int wy_blob_local_path(wy_blob_store *bs, const char *sha, char **path, bool *is_temp, wy_errinfo *ei)
{
	*path = NULL;
	*is_temp = false;
	if (!wy_blob_valid_name(sha))
		return FAIL(ei, WY_EINVAL, "blob: invalid name");
	if (!wy_blob_exists(bs, sha))
		return FAIL(ei, WY_ENOTFOUND, "blob %.12s is missing", sha);
	*path = obj_path(bs, sha);
	return WY_OK;
}

int wy_blob_ping(wy_blob_store *bs, wy_errinfo *ei)
{
	const char *dirs[] = {bs->root, bs->tmp};
	for (size_t i = 0; i < 2; i++) {
		struct stat sb;
		errno = 0;
		if (stat(dirs[i], &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dirs[i], W_OK | X_OK) != 0)
			return FAIL(ei, WY_EIO, "blob directory %s: %s", dirs[i],
					  errno ? strerror(errno) : "not a directory");
	}
	return WY_OK;
}

bool wy_blob_exists(wy_blob_store *bs, const char *sha)
{
	if (!wy_blob_valid_name(sha))
		return false;
	char *p = obj_path(bs, sha);
	struct stat stbuf;
	bool ok = stat(p, &stbuf) == 0 && S_ISREG(stbuf.st_mode);
	free(p);
	return ok;
}

int wy_blob_verify(wy_blob_store *bs, const char *sha, wy_errinfo *ei)
{
	int fd, rc;
	if ((rc = wy_blob_open_fd(bs, sha, &fd, NULL, ei)))
		return rc;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	char chunk[1 << 16];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		crypto_hash_sha256_update(&h, (const unsigned char *)chunk, (unsigned long long)r);
	close(fd);
	if (r < 0)
		return FAIL(ei, WY_EIO, "blob %.12s: read failed", sha);
	unsigned char digest[crypto_hash_sha256_BYTES];
	char got[65];
	crypto_hash_sha256_final(&h, digest);
	hex(digest, got);
	if (strcmp(got, sha) != 0)
		return FAIL(ei, WY_ECORRUPT, "blob %.12s: content hashes to %.12s", sha, got);
	return WY_OK;
}

int wy_blob_delete(wy_blob_store *bs, const char *sha, wy_errinfo *ei)
{
	if (!wy_blob_valid_name(sha))
		return FAIL(ei, WY_EINVAL, "blob: invalid name");
	char *p = obj_path(bs, sha);
	int rc = unlink(p) == 0 || errno == ENOENT ? WY_OK : FAIL(ei, WY_EIO, "blob: unlink failed");
	free(p);
	return rc;
}

int wy_blob_delete_old(wy_blob_store *bs, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei)
{
	*deleted = false;
	if (!wy_blob_valid_name(sha))
		return FAIL(ei, WY_EINVAL, "blob: invalid name");
	/* Moved aside first, in one step: storing the same bytes from now on
	 * finds no object and writes its own; then the time of what was
	 * moved says whether someone stored it again before the move (it is
	 * put back) or not (it goes). */
	char *aside, *p = obj_path(bs, sha);
	int fd, rc = temp_file(bs, &aside, &fd, ei);
	if (rc) {
		free(p);
		return rc;
	}
	close(fd);
	struct stat sb;
	if (rename(p, aside) != 0) {
		rc = errno == ENOENT ? WY_OK : FAIL(ei, WY_EIO, "blob: cannot move %.12s aside: %s", sha, strerror(errno));
		unlink(aside);
	} else if (stat(aside, &sb) != 0) {
		rc = FAIL(ei, WY_EIO, "blob: cannot read %.12s's time: %s", sha, strerror(errno));
		if (link(aside, p) == 0 || errno == EEXIST)
			unlink(aside);
	} else if ((int64_t)sb.st_mtime >= older_than) {
		/* stored again: back (a copy stored since the move is the same
		 * bytes, and stays) */
		if (link(aside, p) != 0 && errno != EEXIST)
			rc = FAIL(ei, WY_EIO, "blob: cannot put %.12s back: %s", sha, strerror(errno));
		else
			unlink(aside);
	} else {
		unlink(aside);
		*deleted = true;
	}
	free(aside);
	free(p);
	return rc;
}

/* The object tree is root/ab/cd/abcd...: two levels of two hex digits. */
static bool hex2(const char *s)
{
	return strlen(s) == 2 && isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]) &&
	       !isupper((unsigned char)s[0]) && !isupper((unsigned char)s[1]);
}

int wy_blob_each(wy_blob_store *bs, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		 void *ctx, wy_errinfo *ei)
{
	DIR *d1 = opendir(bs->root);
	if (!d1)
		return FAIL(ei, WY_EIO, "blob: cannot read %s: %s", bs->root, strerror(errno));
	int rc = WY_OK;
	struct dirent *e1;
	while (!rc && (e1 = readdir(d1))) {
		if (e1->d_name[0] == '.' || strcmp(e1->d_name, "tmp") == 0)
			continue;
		char *p1 = wy_xasprintf("%s/%s", bs->root, e1->d_name);
		DIR *d2 = hex2(e1->d_name) ? opendir(p1) : NULL;
		if (!d2) {
			rc = cb(ctx, NULL, e1->d_name, 0);
			free(p1);
			continue;
		}
		struct dirent *e2;
		while (!rc && (e2 = readdir(d2))) {
			if (e2->d_name[0] == '.')
				continue;
			char *p2 = wy_xasprintf("%s/%s", p1, e2->d_name);
			DIR *d3 = hex2(e2->d_name) ? opendir(p2) : NULL;
			if (!d3) {
				char *rel = wy_xasprintf("%s/%s", e1->d_name, e2->d_name);
				rc = cb(ctx, NULL, rel, 0);
				free(rel);
				free(p2);
				continue;
			}
			struct dirent *e3;
			while (!rc && (e3 = readdir(d3))) {
				if (e3->d_name[0] == '.')
					continue;
				char *p3 = wy_xasprintf("%s/%s", p2, e3->d_name);
				struct stat st;
				bool ok = wy_blob_valid_name(e3->d_name) && strncmp(e3->d_name, e1->d_name, 2) == 0 &&
					  strncmp(e3->d_name + 2, e2->d_name, 2) == 0 && stat(p3, &st) == 0 && S_ISREG(st.st_mode);
				if (ok) {
					rc = cb(ctx, e3->d_name, NULL, (int64_t)st.st_mtime);
				} else {
					char *rel = wy_xasprintf("%s/%s/%s", e1->d_name, e2->d_name, e3->d_name);
					rc = cb(ctx, NULL, rel, 0);
					free(rel);
				}
				free(p3);
			}
			closedir(d3);
			free(p2);
		}
		closedir(d2);
		free(p1);
	}
	closedir(d1);
	return rc;
}

/* Every regular file under a two-level fan-out directory of the object
 * tree that is named as an object: the objects wy_blob_each finds. */
static void usage_dir(int dfd, int depth, wy_blob_usage *out)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (depth == 0 && strcmp(e->d_name, "tmp") == 0))
			continue;
		if (depth < 2) {
			int sub = hex2(e->d_name) ? openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
			if (sub >= 0)
				usage_dir(sub, depth + 1, out);
			continue;
		}
		struct stat st;
		if (wy_blob_valid_name(e->d_name) && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			out->objects++;
			out->bytes += (int64_t)st.st_size;
		}
	}
	closedir(d);
}

int wy_blob_usage_get(wy_blob_store *bs, wy_blob_usage *out, wy_errinfo *ei)
{
	*out = (wy_blob_usage){.fs_free = -1, .fs_total = -1, .kind = "directory"};
	int fd = open(bs->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return FAIL(ei, WY_EIO, "blob: cannot read %s: %s", bs->root, strerror(errno));
	struct statvfs vfs;
	if (fstatvfs(fd, &vfs) == 0) {
		out->fs_free = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
		out->fs_total = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	}
	usage_dir(fd, 0, out);
	return WY_OK;
}

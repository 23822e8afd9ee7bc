/* blob/fs: the directory backend. Objects live at root/ab/cd/<sha256>;
 * temporary files at root/tmp/, on the same file system so rename is atomic.
 * This file must never build a path from anything but a validated name. */
#include "blob/blob_int.h"
#include "core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FAIL BLOB_FAIL

typedef struct fs_store {
	wy_blob_store base;
	char *root;
	char *tmp;
} fs_store;

#define FS(bs) ((fs_store *)(bs))

static const wy_blob_ops fs_ops;

static void fs_close(wy_blob_store *base);

int wy_blob_fs_open(const char *dir, wy_blob_store **out, wy_errinfo *ei)
{
	*out = NULL;
	fs_store *bs = wy_xcalloc(1, sizeof *bs);
	bs->base.ops = &fs_ops;
	char *tmp = wy_xasprintf("%s/tmp", dir);
	if (wy_mkdir_p(tmp, 0755)) {
		int rc = FAIL(ei, WY_EIO, "blob: cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		fs_close(&bs->base);
		return rc;
	}
	free(tmp);
	/* Absolute, so paths handed to converters (and LibreOffice's file
	 * URLs) mean the same wherever they are used. */
	bs->root = realpath(dir, NULL);
	if (!bs->root) {
		int rc = FAIL(ei, WY_EIO, "blob: cannot resolve %s: %s", dir, strerror(errno));
		fs_close(&bs->base);
		return rc;
	}
	bs->tmp = wy_xasprintf("%s/tmp", bs->root);
	*out = &bs->base;
	return WY_OK;
}

static void fs_close(wy_blob_store *base)
{
	fs_store *bs = FS(base);
	free(bs->root);
	free(bs->tmp);
	free(bs);
}

static char *obj_path(const fs_store *bs, const char *sha)
{
	return wy_xasprintf("%s/%.2s/%.2s/%s", bs->root, sha, sha + 2, sha);
}

static int temp_file(fs_store *bs, char **path, int *fd, wy_errinfo *ei)
{
	return wy_blob_temp_file(bs->tmp, path, fd, ei);
}

/* fsync the temp file, then move it to its name and fsync the directory. */
static int publish(fs_store *bs, const char *tmp, int fd, const char *sha, wy_errinfo *ei)
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
static bool refresh(fs_store *bs, const char *sha)
{
	char *p = obj_path(bs, sha);
	bool ok = utimensat(AT_FDCWD, p, NULL, 0) == 0;
	free(p);
	return ok;
}

static int fs_put(wy_blob_store *base, const void *data, size_t len, const char *sha_out, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static const char *fs_spool_dir(wy_blob_store *base) { return FS(base)->tmp; }

static int fs_publish(wy_blob_store *base, const char *tmp, int fd, const char *sha, uint64_t size, bool *made,
		      wy_errinfo *ei)
{
	(void)size;
	fs_store *bs = FS(base);
	*made = !refresh(bs, sha);
	return *made ? publish(bs, tmp, fd, sha, ei) : WY_OK;
}

static int fs_open_fd(wy_blob_store *base, const char *sha, int *fd_out, uint64_t *size_out, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static bool fs_exists(wy_blob_store *base, const char *sha);

/* The bytes of a range are where they are in the object's file. */
static int fs_open_range(wy_blob_store *base, const char *sha, uint64_t from, uint64_t len, int *fd_out,
			 uint64_t *at, uint64_t *size_out, wy_errinfo *ei)
{
	(void)len;
	*at = from;
	return fs_open_fd(base, sha, fd_out, size_out, ei);
}

static int fs_local_path(wy_blob_store *base, const char *sha, char **path, bool *is_temp, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
	(void)is_temp;
	if (!fs_exists(base, sha))
		return FAIL(ei, WY_ENOTFOUND, "blob %.12s is missing", sha);
	*path = obj_path(bs, sha);
	return WY_OK;
}

static int fs_ping(wy_blob_store *base, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static bool fs_exists(wy_blob_store *base, const char *sha)
{
	fs_store *bs = FS(base);
	char *p = obj_path(bs, sha);
	struct stat stbuf;
	bool ok = stat(p, &stbuf) == 0 && S_ISREG(stbuf.st_mode);
	free(p);
	return ok;
}

static int fs_size(wy_blob_store *base, const char *sha, uint64_t *size, wy_errinfo *ei)
{
	char *p = obj_path(FS(base), sha);
	struct stat st;
	int rc = stat(p, &st) == 0 ? WY_OK
				   : FAIL(ei, errno == ENOENT ? WY_ENOTFOUND : WY_EIO, "blob %.12s: %s", sha, strerror(errno));
	free(p);
	if (!rc)
		*size = (uint64_t)st.st_size;
	return rc;
}

static int fs_delete(wy_blob_store *base, const char *sha, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
	char *p = obj_path(bs, sha);
	int rc = unlink(p) == 0 || errno == ENOENT ? WY_OK : FAIL(ei, WY_EIO, "blob: unlink failed");
	free(p);
	return rc;
}

static int fs_delete_old(wy_blob_store *base, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static int fs_each(wy_blob_store *base, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		   void *ctx, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static int fs_usage_get(wy_blob_store *base, wy_blob_usage *out, wy_errinfo *ei)
{
	fs_store *bs = FS(base);
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

static const wy_blob_ops fs_ops = {
	.kind = "directory",
	.local = true,
	.close = fs_close,
	.put = fs_put,
	.spool_dir = fs_spool_dir,
	.publish = fs_publish,
	.open_fd = fs_open_fd,
	.open_range = fs_open_range,
	.local_path = fs_local_path,
	.exists = fs_exists,
	.size = fs_size,
	.ping = fs_ping,
	.each = fs_each,
	.delete_ = fs_delete,
	.delete_old = fs_delete_old,
	.usage_get = fs_usage_get,
	.presign = NULL,
};

/* blob: immutable objects named by the SHA-256 of their bytes.
 *
 * Originals, page images and thumbnails live here; the store holds only
 * their names. An object is written to a temporary name, fsync'd, then
 * renamed into place, so a reader never sees a partial object and a crash
 * leaves at worst an orphan temp file. Names are always 64 lowercase hex
 * digits checked by wy_blob_valid_name: no path ever comes from a user.
 *
 * Two backends implement the same functions (blob_int.h): a directory of
 * this machine (fs.c, the default) and an S3 bucket (s3.c: objects named
 * PREFIX/<sha256>, reached with libcurl's SigV4 signing). Thread safety: a
 * wy_blob_store may be shared by threads. */
#ifndef WY_BLOB_H
#define WY_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct wy_blob_store wy_blob_store;

/* Open the store at location: a directory (created if missing), or
 * s3://BUCKET[/PREFIX], an S3 bucket reached with the credentials and
 * endpoint of the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_REGION, AWS_ENDPOINT_URL: path-style addressing when it is set,
 * else https://BUCKET.s3.REGION.amazonaws.com). Opening a bucket does not
 * reach it (wy_blob_ping does). WY_EINVAL: a location neither is. */
int wy_blob_open(const char *location, wy_blob_store **out, wy_errinfo *ei);
void wy_blob_close(wy_blob_store *bs); /* NULL is a no-op */

/* "directory" or "s3": which backend answers. */
const char *wy_blob_kind(const wy_blob_store *bs);

/* True when name is 64 lowercase hex digits. */
bool wy_blob_valid_name(const char *name);

/* SHA-256 of data as 64 hex digits + NUL. */
void wy_sha256_hex(const void *data, size_t len, char out[65]);

/* SHA-256 of everything readable from fd (at most max bytes: WY_ETOOBIG
 * past it; WY_EIO when a read fails), without storing it: whether the
 * bytes are known already costs no copy. */
int wy_sha256_fd(int fd, uint64_t max, char out[65], uint64_t *size_out, wy_errinfo *ei);

/* Store len bytes; the name goes to sha_out. Storing an object that exists
 * is a cheap no-op. Errors: WY_EIO (disk full ...). */
int wy_blob_put(wy_blob_store *bs, const void *data, size_t len, char sha_out[65], wy_errinfo *ei);

/* Store everything readable from fd, hashing while copying, at most max
 * bytes (WY_ETOOBIG past it, nothing stored). */
int wy_blob_put_fd(wy_blob_store *bs, int fd, uint64_t max, char sha_out[65], uint64_t *size_out,
		   wy_errinfo *ei);

/* An object written piece by piece (an upload streaming in), hashed as it
 * goes; at most max bytes (a write past it is WY_ETOOBIG). Nothing is
 * visible until commit, which names the object and frees the writer;
 * abort (or a failed commit) leaves nothing behind. */
typedef struct wy_blob_writer wy_blob_writer;
int wy_blob_writer_open(wy_blob_store *bs, uint64_t max, wy_blob_writer **out, wy_errinfo *ei);
int wy_blob_writer_write(wy_blob_writer *w, const void *data, size_t len, wy_errinfo *ei);
uint64_t wy_blob_writer_size(const wy_blob_writer *w);
/* *created (may be NULL): the object is new (it was not stored before). */
int wy_blob_writer_commit(wy_blob_writer *w, char sha_out[65], uint64_t *size_out, bool *created, wy_errinfo *ei);
void wy_blob_writer_abort(wy_blob_writer *w); /* NULL is a no-op */

/* Open an object for reading; the caller closes the fd. WY_ENOTFOUND. A
 * bucket's object is downloaded into an unnamed temporary file first. */
int wy_blob_open_fd(wy_blob_store *bs, const char *sha, int *fd_out, uint64_t *size_out, wy_errinfo *ei);

/* Bytes from..from+len-1 of an object (the caller checked them against
 * its size, which goes to *size_out), for a Range request: they are at
 * offset *at of *fd_out, which the caller closes. A directory gives the
 * object's file (at = from); a bucket fetches only that range into an
 * unnamed temporary file (at = 0). */
int wy_blob_open_range(wy_blob_store *bs, const char *sha, uint64_t from, uint64_t len, int *fd_out, uint64_t *at,
		       uint64_t *size_out, wy_errinfo *ei);

/* Up to len bytes of an object from offset off into buf (*got: how many,
 * fewer only at its end) and its size to *size_out (may be NULL): one piece
 * read without a copy of the rest, so that a bucket's object is sent a
 * piece at a time as the client takes it, whatever its size (a ranged GET
 * of those bytes; web/respond.c). WY_ENOTFOUND. */
int wy_blob_read_at(wy_blob_store *bs, const char *sha, uint64_t off, void *buf, size_t len, size_t *got,
		    uint64_t *size_out, wy_errinfo *ei);

/* Whether objects are files of this machine, so that wy_blob_open_fd
 * copies nothing (a directory); a bucket's are read with wy_blob_read_at. */
bool wy_blob_is_local(const wy_blob_store *bs);

/* A URL anyone may GET the object from for the next `seconds` seconds
 * (an S3 presigned URL; the caller frees *url); WY_ENOTSUP on a
 * directory. Nothing is asked of the server: the URL is signed here. With
 * type (a MIME type, else NULL) the answer to it has that Content-Type
 * (response-content-type, signed into the URL). */
int wy_blob_presign(wy_blob_store *bs, const char *sha, int seconds, const char *type, char **url, wy_errinfo *ei);

/* A local file path to an object, for libraries that open files by name.
 * Backends without local files download to a temp file the caller unlinks
 * when *is_temp. The caller frees *path. */
int wy_blob_local_path(wy_blob_store *bs, const char *sha, char **path, bool *is_temp, wy_errinfo *ei);

/* Whether the object exists. */
bool wy_blob_exists(wy_blob_store *bs, const char *sha);

/* The object's size, without reading it (a bucket: one HEAD).
 * WY_ENOTFOUND. */
int wy_blob_size(wy_blob_store *bs, const char *sha, uint64_t *size, wy_errinfo *ei);

/* How many times the disk failed this process's blob calls (I/O errors,
 * objects that no longer hash to their name), for /metrics. Thread-safe. */
uint64_t wy_blob_errors(void);

/* Whether the store can take objects now (readiness: /readyz): its
 * directories are there and writable. */
int wy_blob_ping(wy_blob_store *bs, wy_errinfo *ei);

/* Re-hash an object and compare with its name: WY_ECORRUPT on mismatch. */
int wy_blob_verify(wy_blob_store *bs, const char *sha, wy_errinfo *ei);

/* Every object, through cb with its name and modification time (seconds
 * since the epoch); a non-zero return from cb stops and is returned.
 * Files in the object tree that are not objects (a wrong name, a stray
 * file) are passed with a NULL name and their path relative to the
 * root in *stray, so fsck can report them. WY_EIO when the tree cannot be
 * read. */
int wy_blob_each(wy_blob_store *bs, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		 void *ctx, wy_errinfo *ei);

/* Remove an object (garbage collection of orphans only). */
int wy_blob_delete(wy_blob_store *bs, const char *sha, wy_errinfo *ei);

/* Remove an object unless it was written, or stored again (storing bytes
 * already there makes the object young again), at or after older_than
 * (seconds since the epoch): *deleted says which. The collector's removal
 * (jobs/collect.h), which the store's write transaction surrounds: an
 * upload storing the same bytes at the same moment keeps or rewrites it,
 * never loses it (docs/internals/blob.md). */
int wy_blob_delete_old(wy_blob_store *bs, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei);

/* How much the store holds and how much room it has (the admins'
 * dashboard): objects and their bytes; for the directory backend the free
 * and total bytes of its file system (statvfs: what an unprivileged
 * process may still write), for a bucket whatever its provider says (-1:
 * not known). Walks every object: seconds on a large store, so callers
 * keep the answer. WY_EIO when the tree cannot be read. */
typedef struct wy_blob_usage {
	int64_t objects, bytes;
	int64_t fs_free, fs_total;
	const char *kind;        /* "directory" (a bucket: "s3") */
} wy_blob_usage;
int wy_blob_usage_get(wy_blob_store *bs, wy_blob_usage *out, wy_errinfo *ei);

#endif

/* blob/blob_int: the seam between blob.h and its backends. A backend fills
 * a wy_blob_ops with its own way of doing what differs (where bytes go, how
 * they come back, how objects are listed and removed); blob.c keeps what
 * does not (names, hashing, the writer's spooling, verification) and calls
 * the table of the store it is given. Every wy_blob_store starts with the
 * pointer to its table. Nothing outside src/blob/ includes this. */
#ifndef WY_BLOB_INT_H
#define WY_BLOB_INT_H

#include "blob/blob.h"

typedef struct wy_blob_ops {
	const char *kind; /* "directory", "s3" */
	/* objects are files of this machine; publish renames the spooled
	 * file (else the spool is an unnamed file, publish's tmp NULL) */
	bool local;
	void (*close)(wy_blob_store *bs);
	/* Store len bytes named sha (computed by the caller). */
	int (*put)(wy_blob_store *bs, const void *data, size_t len, const char *sha, wy_errinfo *ei);
	/* Where a writer spools its bytes (a directory of this machine). */
	const char *(*spool_dir)(wy_blob_store *bs);
	/* Name the spooled file tmp (open as fd, size bytes, hashing to sha):
	 * an object there already is made young again instead (*made false).
	 * tmp is unlinked by the caller afterwards (after a rename it is
	 * gone already). */
	int (*publish)(wy_blob_store *bs, const char *tmp, int fd, const char *sha, uint64_t size, bool *made,
		       wy_errinfo *ei);
	int (*open_fd)(wy_blob_store *bs, const char *sha, int *fd_out, uint64_t *size_out, wy_errinfo *ei);
	int (*open_range)(wy_blob_store *bs, const char *sha, uint64_t from, uint64_t len, int *fd_out,
			  uint64_t *at, uint64_t *size_out, wy_errinfo *ei);
	/* NULL: open_fd and pread (blob.c) */
	int (*read_at)(wy_blob_store *bs, const char *sha, uint64_t off, void *buf, size_t len, size_t *got,
		       uint64_t *size_out, wy_errinfo *ei);
	int (*local_path)(wy_blob_store *bs, const char *sha, char **path, bool *is_temp, wy_errinfo *ei);
	bool (*exists)(wy_blob_store *bs, const char *sha);
	int (*size)(wy_blob_store *bs, const char *sha, uint64_t *size, wy_errinfo *ei);
	int (*ping)(wy_blob_store *bs, wy_errinfo *ei);
	int (*each)(wy_blob_store *bs, int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime),
		    void *ctx, wy_errinfo *ei);
	int (*delete_)(wy_blob_store *bs, const char *sha, wy_errinfo *ei);
	int (*delete_old)(wy_blob_store *bs, const char *sha, int64_t older_than, bool *deleted, wy_errinfo *ei);
	int (*usage_get)(wy_blob_store *bs, wy_blob_usage *out, wy_errinfo *ei);
	int (*presign)(wy_blob_store *bs, const char *sha, int seconds, const char *type, char **url, wy_errinfo *ei);
} wy_blob_ops;

struct wy_blob_store {
	const wy_blob_ops *ops;
};

/* The backends' doors (fs.c, s3.c): location is a directory or an
 * s3:// URL. */
int wy_blob_fs_open(const char *dir, wy_blob_store **out, wy_errinfo *ei);
int wy_blob_s3_open(const char *url, wy_blob_store **out, wy_errinfo *ei);

/* Every error of the backends is made by BLOB_FAIL, which counts the I/O
 * errors and corrupt objects (not a client's file too large, a bad name,
 * a missing object) for wy_blob_errors. */
void wy_blob_count_failure(int code);
#define BLOB_FAIL(ei, code, ...) (wy_blob_count_failure(code), wy_err_set(ei, code, __VA_ARGS__))

/* The 64 hex digits of a 32-byte digest. */
void wy_blob_hex(const unsigned char *h, char out[65]);

/* A temporary file in dir (mkostemp): WY_EIO when it cannot be made. */
int wy_blob_temp_file(const char *dir, char **path, int *fd, wy_errinfo *ei);

/* An unnamed temporary file in dir (O_TMPFILE; where the file system has
 * none, a named one unlinked at once): gone when closed, and when the
 * process is killed, so nothing is ever left behind. */
int wy_blob_anon_file(const char *dir, int *fd, wy_errinfo *ei);

#endif

/* cli/backup: `wenyuan backup DEST [--verify]` and `wenyuan restore SRC
 * --data DIR`.
 *
 * A backup is a directory laid out as a library: wenyuan.db (one snapshot
 * of the live store, wy_store_backup), blobs/ (every object the snapshot
 * refers to, by content address, so a second backup into the same
 * directory copies only new objects) and MANIFEST (what made it, when, and
 * the database's SHA-256; an object's name is its own checksum). The
 * snapshot is read through a scratch copy opened as a store, so the backup
 * itself is never written by reading it. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/util.h"
#include "store/store.h"
#include "wy_version.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* SHA-256 (hex) and size of a file. */
static int file_sha256(const char *path, char hex[65], uint64_t *size, wy_errinfo *ei)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wy_err_set(ei, WY_EIO, "cannot open %s: %s", path, strerror(errno));
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	unsigned char buf[1 << 16], out[crypto_hash_sha256_BYTES];
	ssize_t n;
	*size = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		*size += (uint64_t)n;
	}
	close(fd);
	if (n < 0)
		return wy_err_set(ei, WY_EIO, "cannot read %s", path);
	crypto_hash_sha256_final(&h, out);
	sodium_bin2hex(hex, 65, out, sizeof out);
	return WY_OK;
}

/* The store in dir/wenyuan.db, opened from a scratch copy (opening a store
 * may set its journal mode: the original stays as it is). *scratch is the
 * copy's directory, for drop_scratch. */
static int open_copy(const char *dir, wy_store **st, char **scratch, wy_errinfo *ei)
{
	*st = NULL;
	const char *base = getenv("TMPDIR");
	char *t = wy_xasprintf("%s/wenyuan-backup-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t)) {
		int rc = wy_err_set(ei, WY_EIO, "cannot make a scratch directory: %s", strerror(errno));
		free(t);
		return rc;
	}
	*scratch = t;
	char *from = wy_xasprintf("%s/wenyuan.db", dir), *to = wy_xasprintf("%s/wenyuan.db", t);
	int rc = wy_file_copy(from, to, ei);
	free(from);
	free(to);
	return rc ? rc : wy_store_open(t, st, ei);
}

static void drop_scratch(wy_store *st, char *scratch)
{
	wy_store_close(st);
	if (!scratch)
		return;
	static const char *const files[] = {"wenyuan.db", "wenyuan.db-wal", "wenyuan.db-shm"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = wy_xasprintf("%s/%s", scratch, files[i]);
		unlink(p);
		free(p);
	}
	rmdir(scratch);
	free(scratch);
}

/* ---- the objects a store refers to ---------------------------------- */

typedef struct objects {
	wy_blob_store *from;  /* copy from here (NULL: check only) */
	wy_blob_store *to;    /* into, or check, here */
	bool verify;          /* re-hash what is there */
	long refs, copied, missing, bad;
	uint64_t bytes;
	int rc;               /* a copy that could not be written: stop */
	wy_errinfo ei;
} objects;

static int each_object(void *ctx, const char *sha)
{
	objects *o = ctx;
	o->refs++;
	if (wy_blob_exists(o->to, sha)) {
		if (o->verify && wy_blob_verify(o->to, sha, NULL) != WY_OK) {
			printf("blob %s does not hash to its name\n", sha);
			o->bad++;
		}
		return 0;
	}
	if (!o->from) {
		printf("blob %s is missing\n", sha);
		o->missing++;
		return 0;
	}
	int fd;
	uint64_t size, n;
	if (wy_blob_open_fd(o->from, sha, &fd, &size, NULL) != WY_OK) {
		printf("blob %s is missing from the library\n", sha);
		o->missing++;
		return 0;
	}
	char got[65];
	int rc = wy_blob_put_fd(o->to, fd, UINT64_MAX, got, &n, &o->ei);
	close(fd);
	if (rc) {
		o->rc = rc;
		return 1;
	}
	if (strcmp(got, sha) != 0) { /* the library's copy is damaged: not passed on */
		printf("blob %s does not hash to its name in the library: not copied\n", sha);
		wy_blob_delete(o->to, got, NULL);
		o->bad++;
		return 0;
	}
	o->copied++;
	o->bytes += n;
	return 0;
}

static void problem(void *ctx, const char *msg)
{
	(*(long *)ctx)++;
	printf("%s\n", msg);
}

/* Check the backup in dir against its MANIFEST: the database's checksum,
 * the store's own checks, every object there and (verify) whole. Prints
 * each problem; returns how many, or -1 when the checks could not run. */
static long check_backup(const char *dir, bool verify)
{
	wy_errinfo ei = {0};
	char *mpath = wy_xasprintf("%s/MANIFEST", dir), *db = wy_xasprintf("%s/wenyuan.db", dir);
	wy_buf m;
	long problems = 0;
	char want[65] = "", got[65];
	unsigned long long want_size = 0;
	uint64_t size;
	int rc = wy_file_read(mpath, 1 << 20, &m);
	if (rc) {
		fprintf(stderr, "wenyuan: %s has no MANIFEST: not a backup\n", dir);
		free(mpath);
		free(db);
		return -1;
	}
	const char *line = m.data ? strstr(m.data, "\nwenyuan.db ") : NULL;
	if (!line || sscanf(line, "\nwenyuan.db %64s %llu", want, &want_size) != 2) {
		printf("MANIFEST names no database checksum\n");
		problems++;
	}
	wy_buf_free(&m);
	free(mpath);
	if ((rc = file_sha256(db, got, &size, &ei))) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		free(db);
		return -1;
	}
	free(db);
	if (want[0] && (strcmp(want, got) != 0 || size != want_size)) {
		printf("wenyuan.db is not the database the MANIFEST names (SHA-256 %s, %llu bytes)\n", got,
		       (unsigned long long)size);
		problems++;
	}
	wy_store *st = NULL;
	wy_blob_store *bs = NULL;
	char *scratch = NULL, *bdir = wy_xasprintf("%s/blobs", dir);
	objects o = {.verify = verify};
	if (!(rc = open_copy(dir, &st, &scratch, &ei)) && !(rc = wy_blob_open(bdir, &bs, &ei)) &&
	    !(rc = wy_store_check(st, problem, &problems, &ei))) {
		o.to = bs;
		rc = wy_store_blob_refs(st, each_object, &o, &ei);
	}
	drop_scratch(st, scratch);
	wy_blob_close(bs);
	free(bdir);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return -1;
	}
	printf("%ld objects referred to, %ld missing, %ld damaged\n", o.refs, o.missing, o.bad);
	return problems + o.missing + o.bad;
}

int wy_cmd_backup(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "backup");
		return 0;
	}
	const char *dest = NULL;
	bool verify = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verify") == 0)
			verify = true;
		else if (!dest && argv[i][0] != '-')
			dest = argv[i];
		else {
			wy_cli_usage(stderr, "backup");
			return 2;
		}
	}
	if (!dest) {
		wy_cli_usage(stderr, "backup");
		return 2;
	}
	if (verify) {
		long p = check_backup(dest, true);
		if (p == 0)
			printf("backup %s is sound\n", dest);
		return p < 0 ? 2 : p > 0 ? 1 : 0;
	}
	wy_store *st, *snap = NULL;
	wy_blob_store *bs, *to = NULL;
	if (wy_cli_open(cfg, &st, &bs))
		return 2;
	wy_errinfo ei = {0};
	int64_t t0 = wy_now_ms();
	char *bdir = wy_xasprintf("%s/blobs", dest), *scratch = NULL;
	objects o = {.from = bs};
	int rc = wy_mkdir_p(dest, 0700) ? wy_err_set(&ei, WY_EIO, "cannot create %s: %s", dest, strerror(errno)) : WY_OK;
	if (!rc)
		rc = wy_store_backup(st, dest, &ei);
	if (!rc && !(rc = wy_blob_open(bdir, &to, &ei)) && !(rc = open_copy(dest, &snap, &scratch, &ei))) {
		o.to = to;
		rc = wy_store_blob_refs(snap, each_object, &o, &ei);
		if (o.rc) {
			rc = o.rc;
			ei = o.ei;
		}
	}
	drop_scratch(snap, scratch);
	char sha[65];
	uint64_t size = 0;
	char *db = wy_xasprintf("%s/wenyuan.db", dest), *mpath = wy_xasprintf("%s/MANIFEST", dest);
	if (!rc)
		rc = file_sha256(db, sha, &size, &ei);
	if (!rc) {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		wy_buf m;
		wy_buf_init(&m, 0);
		wy_buf_printf(&m, "wenyuan backup\nmade by wenyuan %s (git %s)\ncreated %s\nschema %d\nobjects %ld\n",
			      WY_VERSION, WY_COMMIT, when, wy_store_schema_version(st), o.refs);
		wy_buf_printf(&m, "wenyuan.db %s %llu\n", sha, (unsigned long long)size);
		char *part = wy_xasprintf("%s.part", mpath);
		int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || wy_write_all(fd, m.data, m.len) || fsync(fd) != 0 || close(fd) != 0 || rename(part, mpath))
			rc = wy_err_set(&ei, WY_EIO, "cannot write %s: %s", mpath, strerror(errno));
		free(part);
		wy_buf_free(&m);
	}
	free(db);
	free(mpath);
	free(bdir);
	wy_blob_close(to);
	wy_blob_close(bs);
	wy_store_close(st);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 2;
	}
	printf("backup %s: %ld objects, %ld copied (%llu bytes), %ld already there, %ld missing, %ld damaged; "
	       "wenyuan.db %llu bytes; %.1f s\n",
	       dest, o.refs, o.copied, (unsigned long long)o.bytes, o.refs - o.copied - o.missing - o.bad, o.missing,
	       o.bad, (unsigned long long)size, (double)(wy_now_ms() - t0) / 1000.0);
	return o.missing || o.bad ? 1 : 0;
}

int wy_cmd_restore(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "restore");
		return 0;
	}
	const char *src = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			wy_errinfo ei = {0};
			if (wy_config_set(cfg, "data", argv[++i], &ei)) {
				fprintf(stderr, "wenyuan: %s\n", ei.msg);
				return 2;
			}
		} else if (!src && argv[i][0] != '-') {
			src = argv[i];
		} else {
			wy_cli_usage(stderr, "restore");
			return 2;
		}
	}
	if (!src) {
		wy_cli_usage(stderr, "restore");
		return 2;
	}
	const char *dir = cfg->data_dir;
	char *db = wy_xasprintf("%s/wenyuan.db", dir);
	struct stat sb;
	bool taken = stat(db, &sb) == 0;
	if (taken) {
		fprintf(stderr, "wenyuan: %s already holds a library: restore into a new directory\n", dir);
		free(db);
		return 2;
	}
	long p = check_backup(src, false);
	if (p != 0) {
		fprintf(stderr, "wenyuan: %s: the backup %s\n", src, p < 0 ? "cannot be read" : "has problems (above)");
		free(db);
		return p < 0 ? 2 : 1;
	}
	wy_errinfo ei = {0};
	char *from = wy_xasprintf("%s/wenyuan.db", src), *sbdir = wy_xasprintf("%s/blobs", src);
	wy_store *st = NULL;
	wy_blob_store *bs = NULL, *backup = NULL;
	objects o = {0};
	long problems = 0;
	bool said = false; /* wy_cli_open says why itself */
	int rc = wy_mkdir_p(dir, 0755) ? wy_err_set(&ei, WY_EIO, "cannot create %s: %s", dir, strerror(errno)) : WY_OK;
	if (!rc)
		rc = wy_file_copy(from, db, &ei);
	if (!rc && !(rc = wy_blob_open(sbdir, &backup, &ei)) && (said = wy_cli_open(cfg, &st, &bs) != 0))
		rc = WY_EIO;
	if (!rc) {
		o.from = backup;
		o.to = bs;
		rc = wy_store_blob_refs(st, each_object, &o, &ei);
		if (o.rc) {
			rc = o.rc;
			ei = o.ei;
		}
		if (!rc)
			rc = wy_store_check(st, problem, &problems, &ei);
	}
	wy_store_close(st);
	wy_blob_close(bs);
	wy_blob_close(backup);
	free(from);
	free(sbdir);
	free(db);
	if (rc) {
		if (!said)
			fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		fprintf(stderr, "wenyuan: %s is not a whole library: remove it before trying again\n", dir);
		return 2;
	}
	printf("restored %s into %s: %ld objects (%llu bytes), %ld problems\n", src, dir, o.copied,
	       (unsigned long long)o.bytes, problems + o.missing + o.bad);
	return problems + o.missing + o.bad ? 1 : 0;
}

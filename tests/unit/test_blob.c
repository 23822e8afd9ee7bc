/* Blob store tests: content addressing, atomic publication, and what
 * happens when the disk fills up or an object is damaged.
 *
 * Every test runs on the directory backend; with WENYUAN_TEST_S3 set (a
 * bucket's location, s3://BUCKET, and the AWS_* variables of its server:
 * CMake's unit_s3.blob, on a throwaway radosgw) the same tests run on that
 * bucket, each under a prefix of its own. What only a directory has (a full
 * disk, files to damage by path) or only a bucket has (presigned URLs) is
 * said where it is tested. */
#include "blob/blob.h"
#include "core/util.h"
#include "test.h"

#include <curl/curl.h>
#include <sodium.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s3_base(void)
{
	const char *v = getenv("WENYUAN_TEST_S3");
	return v && *v ? v : NULL;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* The location of the last fresh store (a directory or s3://BUCKET/PREFIX). */
static char fresh_at[1024];

/* A new empty store; *dir is a directory of this machine: the store itself,
 * or, for a bucket, where the test keeps its files, and dir/tmp, where the
 * bucket's uploads are spooled (so both backends leave nothing in tmp). */
static wy_blob_store *fresh(char **dir)
{
	*dir = wy_xstrdup(wy_test_tmpdir("blob"));
	if (s3_base()) {
		char *tmp = wy_xasprintf("%s/tmp", *dir);
		mkdir(tmp, 0700);
		snprintf(fresh_at, sizeof fresh_at, "%s/t%s", s3_base(), strrchr(*dir, '-') + 1);
		char *old = wy_xstrdup(getenv("TMPDIR"));
		setenv("TMPDIR", tmp, 1);
		wy_blob_store *bs;
		wy_errinfo ei = {0};
		int rc = wy_blob_open(fresh_at, &bs, &ei);
		if (old)
			setenv("TMPDIR", old, 1);
		else
			unsetenv("TMPDIR");
		free(old);
		free(tmp);
		if (rc) {
			fprintf(stderr, "%s: %s\n", fresh_at, ei.msg);
			return NULL;
		}
		return bs;
	}
	snprintf(fresh_at, sizeof fresh_at, "%s", *dir);
	wy_blob_store *bs;
	if (wy_blob_open(*dir, &bs, NULL))
		return NULL;
	return bs;
}

/* Put bytes under a key of the bucket of the last fresh store as any S3
 * client would, behind the store's back (to damage an object, to leave a
 * stray key): libcurl's SigV4 with the test server's keys. */
static long raw_put(const char *name, const void *data, size_t len)
{
	const char *b = fresh_at + 5, *slash = strchr(b, '/');
	char *url = wy_xasprintf("%s/%.*s/%s/%s", getenv("AWS_ENDPOINT_URL"), (int)(slash - b), b, slash + 1, name);
	char *sig = wy_xasprintf("aws:amz:%s:s3", getenv("AWS_REGION"));
	char sha[65];
	wy_sha256_hex(data, len, sha);
	char *hd = wy_xasprintf("x-amz-content-sha256: %s", sha);
	struct curl_slist *h = curl_slist_append(NULL, hd);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sig);
	curl_easy_setopt(c, CURLOPT_USERNAME, getenv("AWS_ACCESS_KEY_ID"));
	curl_easy_setopt(c, CURLOPT_PASSWORD, getenv("AWS_SECRET_ACCESS_KEY"));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(hd);
	free(sig);
	free(url);
	return status;
}

TEST(put_then_read_back)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	char sha[65];
	const char *text = "文渊阁 — content";
	ASSERT_EQ(wy_blob_put(bs, text, strlen(text), sha, NULL), WY_OK);
	ASSERT(wy_blob_valid_name(sha));
	char expect[65];
	wy_sha256_hex(text, strlen(text), expect);
	ASSERT_STR_EQ(sha, expect);
	ASSERT(wy_blob_exists(bs, sha));
	int fd;
	uint64_t size;
	ASSERT_EQ(wy_blob_open_fd(bs, sha, &fd, &size, NULL), WY_OK);
	char back[64] = {0};
	ASSERT_EQ(read(fd, back, sizeof back), (long long)strlen(text));
	close(fd);
	ASSERT_STR_EQ(back, text);
	ASSERT_EQ(size, strlen(text));
	ASSERT_EQ(wy_blob_verify(bs, sha, NULL), WY_OK);
	/* Storing it again is a no-op with the same name. */
	char again[65];
	ASSERT_EQ(wy_blob_put(bs, text, strlen(text), again, NULL), WY_OK);
	ASSERT_STR_EQ(again, sha);
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	ASSERT_EQ(count_files(tmp), 0);
	wy_blob_close(bs);
	free(dir);
}

TEST(known_sha256)
{
	char sha[65];
	wy_sha256_hex("abc", 3, sha);
	ASSERT_STR_EQ(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* wy_sha256_fd: the name wy_blob_put_fd would give, nothing stored; a
 * cap like put_fd's. */
TEST(sha256_of_a_file_without_storing_it)
{
	char *dir = wy_test_tmpdir("sha_fd");
	char *path = wy_xasprintf("%s/in.txt", dir);
	FILE *f = fopen(path, "w");
	ASSERT(f);
	for (int i = 0; i < 20000; i++) /* past one read's chunk */
		fputs("文渊阁", f);
	fclose(f);
	wy_buf all;
	ASSERT_EQ(wy_file_read(path, 1 << 20, &all), 0);
	char expect[65], sha[65];
	wy_sha256_hex(all.data, all.len, expect);
	int fd = open(path, O_RDONLY);
	ASSERT(fd >= 0);
	uint64_t size = 0;
	ASSERT_EQ(wy_sha256_fd(fd, 1 << 20, sha, &size, NULL), WY_OK);
	ASSERT_STR_EQ(sha, expect);
	ASSERT_EQ(size, all.len);
	ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
	ASSERT_EQ(wy_sha256_fd(fd, all.len - 1, sha, &size, NULL), WY_ETOOBIG);
	close(fd);
	wy_buf_free(&all);
	free(path);
}

TEST(put_fd_streams_and_caps)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	char src[600];
	snprintf(src, sizeof src, "%s/src", dir);
	int fd = open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char chunk[1000];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < 300; i++)
		ASSERT_EQ(write(fd, chunk, sizeof chunk), 1000);
	char sha[65];
	uint64_t size = 0;
	lseek(fd, 0, SEEK_SET);
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_blob_put_fd(bs, fd, 100000, sha, &size, &ei), WY_ETOOBIG);
	ASSERT_CONTAINS(ei.msg, "larger than");
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	ASSERT_EQ(count_files(tmp), 0); /* nothing half-written left behind */
	lseek(fd, 0, SEEK_SET);
	ASSERT_EQ(wy_blob_put_fd(bs, fd, 1 << 20, sha, &size, NULL), WY_OK);
	ASSERT_EQ(size, 300000);
	ASSERT_EQ(wy_blob_verify(bs, sha, NULL), WY_OK);
	close(fd);
	wy_blob_close(bs);
	free(dir);
}

TEST(full_disk_leaves_nothing)
{
	if (s3_base()) /* a bucket's put writes no local file */
		return;
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	char sha[65], tmp[600];
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	wy_errinfo ei = {0};
	/* The write fails as on a full disk (ENOSPC). */
	wy_fault_arm("write", 1);
	ASSERT_EQ(wy_blob_put(bs, "hello", 5, sha, &ei), WY_EIO);
	ASSERT_CONTAINS(ei.msg, "No space left");
	ASSERT(!wy_blob_exists(bs, sha));
	ASSERT_EQ(count_files(tmp), 0);
	/* fsync fails: the object must not appear under its name. */
	wy_fault_arm("blob.fsync", 1);
	ASSERT_EQ(wy_blob_put(bs, "hello", 5, sha, NULL), WY_EIO);
	ASSERT(!wy_blob_exists(bs, sha));
	ASSERT_EQ(count_files(tmp), 0);
	/* and once the disk has room again, it works */
	ASSERT_EQ(wy_blob_put(bs, "hello", 5, sha, NULL), WY_OK);
	ASSERT(wy_blob_exists(bs, sha));
	wy_blob_close(bs);
	free(dir);
}

TEST(damaged_object_is_detected)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	char sha[65];
	ASSERT_EQ(wy_blob_put(bs, "original bytes", 14, sha, NULL), WY_OK);
	if (s3_base()) {
		ASSERT_EQ(raw_put(sha, "Xriginal bytes", 14), 200);
	} else {
		char path[700];
		snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", dir, sha, sha + 2, sha);
		int fd = open(path, O_WRONLY);
		ASSERT(fd >= 0);
		ASSERT_EQ(write(fd, "X", 1), 1);
		close(fd);
	}
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_blob_verify(bs, sha, &ei), WY_ECORRUPT);
	ASSERT_CONTAINS(ei.msg, "hashes to");
	wy_blob_close(bs);
	free(dir);
}

TEST(names_never_become_paths)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(!wy_blob_valid_name("../../../../etc/passwd"));
	ASSERT(!wy_blob_valid_name("ABCDEF0000000000000000000000000000000000000000000000000000000000"));
	ASSERT(!wy_blob_valid_name("abc"));
	ASSERT(!wy_blob_valid_name(NULL));
	int fd;
	ASSERT_EQ(wy_blob_open_fd(bs, "../../etc/passwd", &fd, NULL, NULL), WY_EINVAL);
	ASSERT_EQ(wy_blob_open_fd(bs, "0000000000000000000000000000000000000000000000000000000000000000", &fd, NULL,
				  NULL),
		  WY_ENOTFOUND);
	ASSERT(!wy_blob_exists(bs, "/etc/passwd"));
	wy_blob_close(bs);
	free(dir);
}

/* wy_blob_usage_get (the admins' dashboard): the objects and their bytes,
 * each once however often stored; a stray file and the temporary
 * directory are no objects; the file system's room is known. */
TEST(usage_counts_objects_once)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	wy_blob_usage u;
	ASSERT_EQ(wy_blob_usage_get(bs, &u, NULL), WY_OK);
	ASSERT_EQ(u.objects, 0);
	ASSERT_EQ(u.bytes, 0);
	char sha[65];
	ASSERT_EQ(wy_blob_put(bs, "文渊阁", strlen("文渊阁"), sha, NULL), WY_OK);
	ASSERT_EQ(wy_blob_put(bs, "文渊阁", strlen("文渊阁"), sha, NULL), WY_OK);
	ASSERT_EQ(wy_blob_put(bs, "天一阁藏书", strlen("天一阁藏书"), sha, NULL), WY_OK);
	if (s3_base()) {
		ASSERT_EQ(raw_put("notes.txt", "not an object", 13), 200);
	} else {
		char *stray = wy_xasprintf("%s/%.2s/%.2s/notes.txt", dir, sha, sha + 2);
		FILE *f = fopen(stray, "w");
		ASSERT(f);
		fputs("not an object", f);
		fclose(f);
		free(stray);
	}
	ASSERT_EQ(wy_blob_usage_get(bs, &u, NULL), WY_OK);
	ASSERT_EQ(u.objects, 2);
	ASSERT_EQ(u.bytes, (long long)(strlen("文渊阁") + strlen("天一阁藏书")));
	if (s3_base()) { /* a bucket's room is its provider's to say */
		ASSERT_EQ(u.fs_total, -1);
		ASSERT_STR_EQ(u.kind, "s3");
	} else {
		ASSERT(u.fs_total > 0 && u.fs_free >= 0 && u.fs_free <= u.fs_total);
		ASSERT_STR_EQ(u.kind, "directory");
	}
	wy_blob_close(bs);
	free(dir);
}

/* wy_blob_open_range: the bytes asked, and the object's size, from either
 * backend (a bucket fetches only the range). */
TEST(range_reads_only_what_is_asked)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	char data[5000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	char sha[65];
	ASSERT_EQ(wy_blob_put(bs, data, sizeof data, sha, NULL), WY_OK);
	int fd;
	uint64_t at = 99, size = 0;
	uint64_t whole = 0;
	ASSERT_EQ(wy_blob_size(bs, sha, &whole, NULL), WY_OK);
	ASSERT_EQ(whole, sizeof data);
	ASSERT_EQ(wy_blob_size(bs, "0000000000000000000000000000000000000000000000000000000000000000", &whole, NULL),
		  WY_ENOTFOUND);
	ASSERT_EQ(wy_blob_open_range(bs, sha, 1000, 30, &fd, &at, &size, NULL), WY_OK);
	ASSERT_EQ(size, sizeof data);
	char back[30];
	ASSERT_EQ(pread(fd, back, sizeof back, (off_t)at), 30);
	ASSERT(memcmp(back, data + 1000, 30) == 0);
	close(fd);
	/* the last byte */
	ASSERT_EQ(wy_blob_open_range(bs, sha, sizeof data - 1, 1, &fd, &at, &size, NULL), WY_OK);
	ASSERT_EQ(pread(fd, back, 1, (off_t)at), 1);
	ASSERT_EQ(back[0], data[sizeof data - 1]);
	close(fd);
	ASSERT_EQ(wy_blob_open_range(bs, "0000000000000000000000000000000000000000000000000000000000000000", 0, 1, &fd,
				     &at, &size, NULL),
		  WY_ENOTFOUND);
	/* wy_blob_read_at: a piece into memory, the object's size with it;
	 * short only at the end */
	char piece[700];
	size_t got = 0;
	size = 0;
	ASSERT_EQ(wy_blob_read_at(bs, sha, 1234, piece, sizeof piece, &got, &size, NULL), WY_OK);
	ASSERT_EQ(got, sizeof piece);
	ASSERT_EQ(size, sizeof data);
	ASSERT(memcmp(piece, data + 1234, sizeof piece) == 0);
	ASSERT_EQ(wy_blob_read_at(bs, sha, sizeof data - 10, piece, sizeof piece, &got, &size, NULL), WY_OK);
	ASSERT_EQ(got, 10);
	ASSERT(memcmp(piece, data + sizeof data - 10, 10) == 0);
	ASSERT_EQ(wy_blob_read_at(bs, "0000000000000000000000000000000000000000000000000000000000000000", 0, piece,
				  sizeof piece, &got, &size, NULL),
		  WY_ENOTFOUND);
	wy_blob_close(bs);
	free(dir);
}

/* A large object goes through the writer as an upload does: on a bucket,
 * in several parts (16 MB each); it reads back whole and verified, the
 * spool is left empty, and storing the same bytes again says it was
 * there (not created). */
TEST(large_object_in_parts)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	wy_blob_writer *w;
	ASSERT_EQ(wy_blob_writer_open(bs, (uint64_t)64 << 20, &w, NULL), WY_OK);
	static char chunk[1 << 16];
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	for (int i = 0; i < 600; i++) { /* 37.5 MB: three parts */
		for (size_t j = 0; j < sizeof chunk; j += 4096)
			snprintf(chunk + j, 4096, "block %d.%zu ", i, j);
		crypto_hash_sha256_update(&h, (unsigned char *)chunk, sizeof chunk);
		ASSERT_EQ(wy_blob_writer_write(w, chunk, sizeof chunk, NULL), WY_OK);
	}
	unsigned char d[32];
	crypto_hash_sha256_final(&h, d);
	char expect[65], sha[65];
	for (int i = 0; i < 32; i++)
		snprintf(expect + 2 * i, 3, "%02x", d[i]);
	uint64_t size = 0;
	bool created = false;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_blob_writer_commit(w, sha, &size, &created, &ei), WY_OK);
	ASSERT_STR_EQ(sha, expect);
	ASSERT_EQ(size, 600u << 16);
	ASSERT(created);
	ASSERT_EQ(wy_blob_verify(bs, sha, NULL), WY_OK);
	int fd;
	uint64_t got = 0;
	ASSERT_EQ(wy_blob_open_fd(bs, sha, &fd, &got, NULL), WY_OK);
	ASSERT_EQ(got, 600u << 16);
	close(fd);
	char *tmp = wy_xasprintf("%s/tmp", dir);
	ASSERT_EQ(count_files(tmp), 0);
	/* the same bytes again: there already */
	ASSERT_EQ(wy_blob_writer_open(bs, 1 << 20, &w, NULL), WY_OK);
	ASSERT_EQ(wy_blob_writer_commit(w, sha, &size, &created, NULL), WY_OK);
	ASSERT_STR_EQ(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ASSERT(created); /* the empty object was not there */
	ASSERT_EQ(wy_blob_writer_open(bs, 1 << 20, &w, NULL), WY_OK);
	ASSERT_EQ(wy_blob_writer_commit(w, sha, &size, &created, NULL), WY_OK);
	ASSERT(!created);
	ASSERT_EQ(count_files(tmp), 0);
	free(tmp);
	wy_blob_close(bs);
	free(dir);
}

typedef struct seen {
	int objects, strays;
	char stray[64];
	int64_t mtime;
} seen;

static int see(void *ctx, const char *sha, const char *stray, int64_t mtime)
{
	seen *s = ctx;
	if (sha) {
		s->objects++;
		s->mtime = mtime;
	} else {
		s->strays++;
		snprintf(s->stray, sizeof s->stray, "%s", stray);
	}
	return 0;
}

/* wy_blob_each (fsck, the collector): objects with their time, strays by
 * their name; wy_blob_delete_old removes only what is older than asked. */
TEST(each_and_delete_old)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	int64_t before = wy_now();
	char a[65], b[65];
	ASSERT_EQ(wy_blob_put(bs, "one", 3, a, NULL), WY_OK);
	ASSERT_EQ(wy_blob_put(bs, "two", 3, b, NULL), WY_OK);
	if (s3_base()) {
		ASSERT_EQ(raw_put("stray.txt", "x", 1), 200);
	} else {
		char *p = wy_xasprintf("%s/stray.txt", dir);
		FILE *f = fopen(p, "w");
		ASSERT(f);
		fclose(f);
		free(p);
	}
	seen s = {0};
	ASSERT_EQ(wy_blob_each(bs, see, &s, NULL), WY_OK);
	ASSERT_EQ(s.objects, 2);
	ASSERT_EQ(s.strays, 1);
	ASSERT_STR_EQ(s.stray, "stray.txt");
	/* a server's clock and ours may differ by a little: a minute either way */
	ASSERT(s.mtime >= before - 60 && s.mtime <= wy_now() + 60);
	bool deleted = true;
	/* written after the moment given: kept */
	ASSERT_EQ(wy_blob_delete_old(bs, a, s.mtime - 1, &deleted, NULL), WY_OK);
	ASSERT(!deleted);
	ASSERT(wy_blob_exists(bs, a));
	/* older than the moment given: removed */
	ASSERT_EQ(wy_blob_delete_old(bs, a, s.mtime + 3600, &deleted, NULL), WY_OK);
	ASSERT(deleted);
	ASSERT(!wy_blob_exists(bs, a));
	ASSERT(wy_blob_exists(bs, b));
	/* gone already: nothing to do */
	ASSERT_EQ(wy_blob_delete_old(bs, a, s.mtime + 3600, &deleted, NULL), WY_OK);
	ASSERT(!deleted);
	ASSERT_EQ(wy_blob_delete(bs, b, NULL), WY_OK);
	ASSERT(!wy_blob_exists(bs, b));
	wy_blob_close(bs);
	free(dir);
}

/* A listing past one page: S3 answers 1000 keys a page, the rest behind a
 * continuation token. */
TEST(each_lists_past_a_page)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	char sha[65];
	for (int i = 0; i < 1010; i++) {
		char text[32];
		int n = snprintf(text, sizeof text, "object %d", i);
		ASSERT_EQ(wy_blob_put(bs, text, (size_t)n, sha, NULL), WY_OK);
	}
	seen s = {0};
	ASSERT_EQ(wy_blob_each(bs, see, &s, NULL), WY_OK);
	ASSERT_EQ(s.objects, 1010);
	ASSERT_EQ(s.strays, 0);
	wy_blob_usage u;
	ASSERT_EQ(wy_blob_usage_get(bs, &u, NULL), WY_OK);
	ASSERT_EQ(u.objects, 1010);
	wy_blob_close(bs);
	free(dir);
}

/* wy_blob_local_path: a file by name with the object's bytes; a bucket's
 * is a download the caller removes. */
TEST(local_path_has_the_bytes)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	char sha[65];
	ASSERT_EQ(wy_blob_put(bs, "文渊阁 local", strlen("文渊阁 local"), sha, NULL), WY_OK);
	char *path;
	bool is_temp;
	ASSERT_EQ(wy_blob_local_path(bs, sha, &path, &is_temp, NULL), WY_OK);
	ASSERT_EQ(is_temp, s3_base() != NULL);
	wy_buf all;
	ASSERT_EQ(wy_file_read(path, 1 << 20, &all), 0);
	ASSERT_EQ(all.len, strlen("文渊阁 local"));
	ASSERT(memcmp(all.data, "文渊阁 local", all.len) == 0);
	wy_buf_free(&all);
	if (is_temp)
		unlink(path);
	free(path);
	ASSERT_EQ(wy_blob_local_path(bs, "0000000000000000000000000000000000000000000000000000000000000000", &path,
				      &is_temp, NULL),
		  WY_ENOTFOUND);
	wy_blob_close(bs);
	free(dir);
}

static size_t into_buf(char *p, size_t size, size_t n, void *ctx)
{
	return wy_buf_append(ctx, p, size * n) == 0 ? size * n : 0;
}

/* A GET without credentials; the answer's Content-Type to type (cap
 * bytes) when type is set. */
static long plain_get_type(const char *url, wy_buf *out, char *type, size_t cap)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, into_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		char *ct = NULL;
		if (type && curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			snprintf(type, cap, "%s", ct);
	}
	curl_easy_cleanup(c);
	return status;
}

static long plain_get(const char *url, wy_buf *out) { return plain_get_type(url, out, NULL, 0); }

/* wy_blob_presign: a URL anyone may GET without credentials (a bucket),
 * that a changed signature does not open; a directory has none. */
TEST(presigned_url_opens_the_object)
{
	char *dir;
	wy_blob_store *bs = fresh(&dir);
	ASSERT(bs);
	char sha[65];
	ASSERT_EQ(wy_blob_put(bs, "presigned bytes", 15, sha, NULL), WY_OK);
	char *url;
	wy_errinfo ei = {0};
	int rc = wy_blob_presign(bs, sha, 60, NULL, &url, &ei);
	if (!s3_base()) {
		ASSERT_EQ(rc, WY_ENOTSUP);
		ASSERT(!url);
		wy_blob_close(bs);
		free(dir);
		return;
	}
	ASSERT_EQ(rc, WY_OK);
	wy_buf got;
	wy_buf_init(&got, 1 << 20);
	ASSERT_EQ(plain_get(url, &got), 200);
	ASSERT_EQ(got.len, 15);
	ASSERT(memcmp(got.data, "presigned bytes", 15) == 0);
	wy_buf_free(&got);
	/* one digit of the signature changed: refused */
	char *bad = wy_xstrdup(url);
	char *last = bad + strlen(bad) - 1;
	*last = *last == '0' ? '1' : '0';
	wy_buf_init(&got, 1 << 20);
	ASSERT_EQ(plain_get(bad, &got), 403);
	wy_buf_free(&got);
	free(bad);
	free(url);
	/* with a type signed in, the bucket answers with it */
	ASSERT_EQ(wy_blob_presign(bs, sha, 60, "image/webp", &url, &ei), WY_OK);
	ASSERT(strstr(url, "response-content-type=image%2Fwebp"));
	char type[64] = "";
	wy_buf_init(&got, 1 << 20);
	ASSERT_EQ(plain_get_type(url, &got, type, sizeof type), 200);
	ASSERT_STR_EQ(type, "image/webp");
	ASSERT_EQ(got.len, 15);
	wy_buf_free(&got);
	free(url);
	wy_blob_close(bs);
	free(dir);
}

/* What a location must be. */
TEST(locations)
{
	wy_blob_store *bs;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_blob_open("s3://ab", &bs, &ei), WY_EINVAL); /* a bucket has 3 characters or more */
	ASSERT_EQ(wy_blob_open("s3://Bucket", &bs, NULL), WY_EINVAL);
	ASSERT_EQ(wy_blob_open("s3://bucket/a b", &bs, NULL), WY_EINVAL);
	ASSERT_EQ(wy_blob_open("ftp://host/x", &bs, NULL), WY_EINVAL);
}

TEST_LIST(T(put_then_read_back), T(known_sha256), T(put_fd_streams_and_caps), T(full_disk_leaves_nothing),
	  T(damaged_object_is_detected), T(names_never_become_paths), T(sha256_of_a_file_without_storing_it),
	  T(usage_counts_objects_once), T(range_reads_only_what_is_asked), T(large_object_in_parts),
	  T(each_and_delete_old), T(each_lists_past_a_page), T(local_path_has_the_bytes), T(presigned_url_opens_the_object), T(locations))

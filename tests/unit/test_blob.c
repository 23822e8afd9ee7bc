/* Blob store tests: content addressing, atomic publication, and what
 * happens when the disk fills up or an object is damaged. */
#include "blob/blob.h"
#include "core/util.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

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

static wy_blob_store *fresh(char **dir)
{
	*dir = wy_xstrdup(wy_test_tmpdir("blob"));
	wy_blob_store *bs;
	if (wy_blob_open(*dir, &bs, NULL))
		return NULL;
	return bs;
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
	char path[700];
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", dir, sha, sha + 2, sha);
	int fd = open(path, O_WRONLY);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, "X", 1), 1);
	close(fd);
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
	char *stray = wy_xasprintf("%s/%.2s/%.2s/notes.txt", dir, sha, sha + 2);
	FILE *f = fopen(stray, "w");
	ASSERT(f);
	fputs("not an object", f);
	fclose(f);
	ASSERT_EQ(wy_blob_usage_get(bs, &u, NULL), WY_OK);
	ASSERT_EQ(u.objects, 2);
	ASSERT_EQ(u.bytes, (long long)(strlen("文渊阁") + strlen("天一阁藏书")));
	ASSERT(u.fs_total > 0 && u.fs_free >= 0 && u.fs_free <= u.fs_total);
	ASSERT_STR_EQ(u.kind, "directory");
	free(stray);
	wy_blob_close(bs);
	free(dir);
}

TEST_LIST(T(put_then_read_back), T(known_sha256), T(put_fd_streams_and_caps), T(full_disk_leaves_nothing),
	  T(damaged_object_is_detected), T(names_never_become_paths), T(sha256_of_a_file_without_storing_it),
	  T(usage_counts_objects_once))

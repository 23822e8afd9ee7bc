/* wy_store_watch (store.h): its stamp stays while nothing commits (reads
 * included), and changes at every commit, from a connection of this
 * process or of another one. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int64_t add(wy_store *st, const char *sha)
{
	wy_doc_new dn = {.title = "t", .filename = "t.pdf", .category = "", .sha256 = sha, .size = 1};
	int64_t id = 0;
	bool existed = true;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	return id;
}

/* Whether another process could open the store at dir and commit a new
 * document of this content. */
static bool commit_in_another_process(const char *dir, const char *sha)
{
	pid_t pid = fork();
	if (pid == 0) {
		wy_store *c;
		int rc = wy_store_open(dir, &c, NULL);
		if (!rc)
			rc = add(c, sha) > 0 ? 0 : 1;
		wy_store_close(c);
		_exit(rc ? 1 : 0);
	}
	int status = 0;
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(the_stamp_changes_at_each_commit_only)
{
	if (wy_test_pg())
		return; /* refused there (below) */
	char *dir = wy_xstrdup(wy_test_store_location("watch"));
	wy_store *a, *b;
	ASSERT_EQ(wy_store_open(dir, &a, NULL), WY_OK);
	ASSERT_EQ(wy_store_open(dir, &b, NULL), WY_OK);
	wy_store_watch *w;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_watch_open(dir, &w, &ei), WY_OK);
	wy_store_stamp s0, s1, s2, s3;
	wy_store_watch_read(w, &s0);
	wy_store_watch_read(w, &s1);
	ASSERT(wy_store_stamp_eq(&s0, &s1));
	/* reads commit nothing */
	wy_doc d = {0};
	ASSERT_EQ(wy_store_ping(a, NULL), WY_OK);
	ASSERT(wy_store_doc_get(b, 12345, &d, NULL) == WY_ENOTFOUND);
	wy_store_watch_read(w, &s1);
	ASSERT(wy_store_stamp_eq(&s0, &s1));
	/* a commit of this process: a new stamp, which stays */
	int64_t id = add(a, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ASSERT(id > 0);
	wy_store_watch_read(w, &s2);
	ASSERT(!wy_store_stamp_eq(&s1, &s2));
	wy_store_watch_read(w, &s1);
	ASSERT(wy_store_stamp_eq(&s1, &s2));
	/* another connection's commits, one after the other: each is seen */
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(wy_store_doc_set_private(b, id, i % 2 == 0, NULL), WY_OK);
		wy_store_watch_read(w, &s3);
		ASSERT(!wy_store_stamp_eq(&s2, &s3));
		s2 = s3;
	}
	/* another process's commit */
	ASSERT(commit_in_another_process(dir, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"));
	wy_store_watch_read(w, &s3);
	ASSERT(!wy_store_stamp_eq(&s2, &s3));
	wy_store_watch_close(w);
	wy_store_close(a);
	wy_store_close(b);
	free(dir);
}

/* While this process has the store open, another process must find the
 * WAL index in use: SQLite's "DMS" lock on byte 128 of the -shm file
 * (https://sqlite.org/walformat.html 2.3.2). A process that finds no one
 * holding it believes itself alone, truncates the index and rebuilds it
 * under the open connections (serve died of SIGBUS so). Opening the watch
 * must not drop this process's lock, as closing a descriptor of the file
 * would. */
TEST(the_watch_keeps_the_store_in_use)
{
	if (wy_test_pg())
		return;
	char *dir = wy_xstrdup(wy_test_store_location("watchlock"));
	wy_store *a;
	ASSERT_EQ(wy_store_open(dir, &a, NULL), WY_OK);
	ASSERT_EQ(wy_store_ping(a, NULL), WY_OK);
	wy_store_watch *w;
	ASSERT_EQ(wy_store_watch_open(dir, &w, NULL), WY_OK);
	char *shm = wy_xasprintf("%s/wenyuan.db-shm", dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(shm, O_RDWR);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1};
		int held = fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid == getppid();
		_exit(held ? 0 : 1);
	}
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* and the watch still sees another process's commit */
	wy_store_stamp s0, s1;
	wy_store_watch_read(w, &s0);
	ASSERT(commit_in_another_process(dir, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
	wy_store_watch_read(w, &s1);
	ASSERT(!wy_store_stamp_eq(&s0, &s1));
	wy_store_watch_close(w);
	wy_store_close(a);
	free(shm);
	free(dir);
}

TEST(no_store_no_watch)
{
	/* a directory no store can be made in: an error, no watch */
	wy_store_watch *w = (wy_store_watch *)1;
	ASSERT(wy_store_watch_open("/proc/version/x", &w, NULL) != WY_OK);
	ASSERT(w == NULL);
}

/* PostgreSQL has no stamp a reader can trust without asking the server
 * (store.h): the watch is refused, and serve keeps no answer between
 * requests. */
TEST(a_postgresql_store_is_not_watched)
{
	if (!wy_test_pg())
		return;
	const char *loc = wy_test_store_location("watchpg");
	wy_store *st;
	ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK); /* a store that works */
	wy_store_watch *w = (wy_store_watch *)1;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_watch_open(loc, &w, &ei), WY_ENOTSUP);
	ASSERT(w == NULL);
	ASSERT_CONTAINS(ei.msg, "PostgreSQL");
	wy_store_close(st);
}

TEST_LIST(T(the_stamp_changes_at_each_commit_only), T(the_watch_keeps_the_store_in_use),
	  T(no_store_no_watch), T(a_postgresql_store_is_not_watched))

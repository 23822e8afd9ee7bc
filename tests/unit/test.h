/* test.h: the whole unit-test framework (libuv style).
 *
 * A test file defines TEST(name) functions and lists them in one
 * TEST_LIST(...) at its end; the binary runs them all, or those named on
 * its command line (an unknown name is an error, exit 2), and prints
 * "N passed, M failed". ASSERT* stop the
 * current test on failure; the process goes on to the next test. */
#ifndef WY_TEST_H
#define WY_TEST_H

#include "jobs/worker.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jmp_buf wy_test_jmp;
static int wy_test_failed_now;

#define TEST(name) static void test_##name(void)

#define WY_FAIL_(...)                                                           \
	do {                                                                    \
		fprintf(stderr, "  FAIL %s:%d: ", __FILE__, __LINE__);          \
		fprintf(stderr, __VA_ARGS__);                                   \
		fprintf(stderr, "\n");                                          \
		wy_test_failed_now = 1;                                         \
		longjmp(wy_test_jmp, 1);                                        \
	} while (0)

#define ASSERT(c)                                                               \
	do {                                                                    \
		if (!(c))                                                       \
			WY_FAIL_("ASSERT(%s)", #c);                             \
	} while (0)

#define ASSERT_EQ(a, b)                                                         \
	do {                                                                    \
		long long a_ = (long long)(a), b_ = (long long)(b);             \
		if (a_ != b_)                                                   \
			WY_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);     \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                     \
	do {                                                                    \
		const char *a_ = (a), *b_ = (b);                                \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                          \
			WY_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,          \
				 a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
	} while (0)

#define ASSERT_CONTAINS(hay, needle)                                            \
	do {                                                                    \
		const char *h_ = (hay), *n_ = (needle);                         \
		if (!h_ || !strstr(h_, n_))                                     \
			WY_FAIL_("\"%.200s\" does not contain \"%s\"",          \
				 h_ ? h_ : "(null)", n_);                       \
	} while (0)

static inline bool wy_test_named(int argc, char **argv, const char *name)
{
	for (int a = 1; a < argc; a++)
		if (strcmp(argv[a], name) == 0)
			return true;
	return false;
}

typedef struct {
	const char *name;
	void (*fn)(void);
} wy_test_entry;

#define T(name) {#name, test_##name}
#define TEST_LIST(...)                                                          \
	static const wy_test_entry wy_tests[] = {__VA_ARGS__};                  \
	int main(int argc, char **argv)                                         \
	{                                                                       \
		/* a converter the worker under test started: not a test run */ \
		wy_worker_child_entry(argc, argv);                              \
		static int passed, failed;                                      \
		setvbuf(stdout, NULL, _IONBF, 0);                               \
		static size_t i;                                                \
		for (int a = 1; a < argc; a++) {                                \
			for (i = 0; i < sizeof wy_tests / sizeof wy_tests[0]; i++) \
				if (strcmp(argv[a], wy_tests[i].name) == 0)     \
					break;                                  \
			if (i == sizeof wy_tests / sizeof wy_tests[0]) {        \
				fprintf(stderr, "no test named %s\n", argv[a]); \
				return 2;                                       \
			}                                                       \
		}                                                               \
		for (i = 0; i < sizeof wy_tests / sizeof wy_tests[0]; i++) {    \
			if (argc > 1 && !wy_test_named(argc, argv, wy_tests[i].name)) \
				continue;                                       \
			wy_test_failed_now = 0;                                 \
			if (setjmp(wy_test_jmp) == 0)                           \
				wy_tests[i].fn();                               \
			printf("%s %s\n", wy_test_failed_now ? "not ok" : "ok", \
			       wy_tests[i].name);                               \
			if (wy_test_failed_now)                                 \
				failed++;                                       \
			else                                                    \
				passed++;                                       \
		}                                                               \
		printf("%d passed, %d failed\n", passed, failed);               \
		return failed ? 1 : 0;                                          \
	}

/* A fresh temporary directory for one test; removed by the OS tmp cleaner,
 * not by the test, so a failure leaves evidence behind. */
static inline char *wy_test_tmpdir(const char *tag)
{
	static char buf[512];
	const char *base = getenv("TMPDIR");
	snprintf(buf, sizeof buf, "%s/wy-%s-XXXXXX", base && *base ? base : "/tmp", tag);
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		abort();
	}
	return buf;
}

/* Whether the tests' stores are PostgreSQL databases (WENYUAN_TEST_PG set:
 * ctest's unit_pg.* twins of the tests that open a store). */
static inline bool wy_test_pg(void)
{
	const char *pg = getenv("WENYUAN_TEST_PG");
	return pg && *pg;
}

/* The location of a fresh store for one test, for wy_store_open: a new
 * temporary directory (SQLite), or, when WENYUAN_TEST_PG holds the URL of
 * a PostgreSQL cluster, the URL of a new database made on it (named after
 * tag, this process and a count: a test's processes and the tests run in
 * parallel never share one). In a static buffer, as wy_test_tmpdir's.
 * The databases are left behind with the throwaway cluster, which ctest
 * removes (tests/pg/cluster.sh, the unit_pg fixture in CMakeLists.txt). */
static inline char *wy_test_store_location(const char *tag)
{
	if (!wy_test_pg())
		return wy_test_tmpdir(tag);
	static char url[1024];
	static int count;
	const char *base = getenv("WENYUAN_TEST_PG");
	char db[64];
	int n = snprintf(db, sizeof db, "wy_");
	for (const char *t = tag; *t && n < 32; t++) /* an identifier of our own making */
		db[n++] = (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ? *t : '_';
	snprintf(db + n, sizeof db - (size_t)n, "_%d_%d", (int)getpid(), count++);
	PGconn *c = PQconnectdb(base);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "  WENYUAN_TEST_PG: %s", PQerrorMessage(c));
		PQfinish(c);
		WY_FAIL_("no PostgreSQL cluster at WENYUAN_TEST_PG");
	}
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	PGresult *r = PQexec(c, sql);
	bool made = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!made)
		fprintf(stderr, "  %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (!made)
		WY_FAIL_("cannot make a database on WENYUAN_TEST_PG");
	/* the base URL with its database (the path after the authority: up
	 * to the query) replaced: postgresql://[user@][host][:port][/db][?...] */
	const char *auth = strstr(base, "://");
	auth = auth ? auth + 3 : base;
	size_t end = strcspn(auth, "/?"), q = strcspn(auth, "?");
	snprintf(url, sizeof url, "%.*s/%s%s", (int)(auth - base + (ptrdiff_t)end), base, db, auth + q);
	return url;
}

#endif

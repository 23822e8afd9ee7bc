/* test.h: the whole unit-test framework (libuv style).
 *
 * A test file defines TEST(name) functions and lists them in one
 * TEST_LIST(...) at its end; the binary runs them all, or the one named on
 * its command line (an unknown name is an error, exit 2), and prints
 * "N passed, M failed". ASSERT* stop the
 * current test on failure; the process goes on to the next test. */
#ifndef WY_TEST_H
#define WY_TEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct {
	const char *name;
	void (*fn)(void);
} wy_test_entry;

#define T(name) {#name, test_##name}
#define TEST_LIST(...)                                                          \
	static const wy_test_entry wy_tests[] = {__VA_ARGS__};                  \
	int main(int argc, char **argv)                                         \
	{                                                                       \
		static int passed, failed;                                      \
		setvbuf(stdout, NULL, _IONBF, 0);                               \
		static size_t i;                                                \
		for (i = 0; i < sizeof wy_tests / sizeof wy_tests[0]; i++) {    \
			if (argc > 1 && strcmp(argv[1], wy_tests[i].name) != 0) \
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
		if (argc > 1 && passed + failed == 0) {                         \
			fprintf(stderr, "no test named %s\n", argv[1]);         \
			return 2;                                               \
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

#endif

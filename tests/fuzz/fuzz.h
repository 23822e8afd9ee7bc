/* fuzz.h: what every fuzz target shares.
 *
 * A target is one file tests/fuzz/fuzz_<name>.c that defines
 * LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when it needs set-up).
 * The same file links against libFuzzer in the fuzz build (-DWY_FUZZ=ON,
 * clang) and against replay.c in every other build, where it runs over its
 * corpus tests/fuzz/corpus/<name>/ as the CTest case fuzz.<name>.
 *
 * Beyond "does not crash under ASan and UBSan", a target checks the
 * promises its module's header makes (output is valid UTF-8, hits are
 * sorted, at most max results ...) with FUZZ_CHECK, which aborts: libFuzzer
 * reports that as a crash and saves the input, the replay fails the test.
 * A target must never depend on anything but its input (no clock, no
 * randomness), so a saved input reproduces. */
#ifndef WY_FUZZ_H
#define WY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A promise of the code under test was broken: say which, and abort. */
#define FUZZ_CHECK(c)                                                                                                  \
	do {                                                                                                           \
		if (!(c)) {                                                                                            \
			fprintf(stderr, "fuzz: %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                    \
			abort();                                                                                       \
		}                                                                                                      \
	} while (0)

/* Split an input in two at its first NUL byte: [a, a+alen) before it and
 * [b, b+blen) after it. Without a NUL, a is the whole input and b is
 * empty (b == NULL, blen == 0). Seeds stay readable: `printf 'x\0y'`. */
static inline void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *alen, const uint8_t **b,
                              size_t *blen)
{
	const uint8_t *nul = size ? memchr(data, 0, size) : NULL;
	*a = data;
	if (!nul) {
		*alen = size;
		*b = NULL;
		*blen = 0;
		return;
	}
	*alen = (size_t)(nul - data);
	*b = nul + 1;
	*blen = size - *alen - 1;
}

/* A NUL-terminated copy of n bytes in a heap block of exactly n + 1 bytes,
 * so that AddressSanitizer sees a read past its end. The caller frees. */
static inline char *fuzz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* A copy of n bytes in a heap block of exactly n bytes (at least one), for
 * functions that must not read past a length they are given. */
static inline void *fuzz_memdup(const void *p, size_t n)
{
	void *s = malloc(n ? n : 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	return s;
}

/* A byte of the input as a small parameter (0 when past the end), for
 * targets that take a few numbers before their payload. */
static inline unsigned fuzz_byte(const uint8_t *data, size_t size, size_t i)
{
	return i < size ? data[i] : 0;
}

#endif

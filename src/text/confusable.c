/* text/confusable: skeletons and mixed scripts through ICU's spoof checker
 * (UTS #39), with a small fallback when ICU's data cannot be opened.
 *
 * ICU is loaded with dlopen on first use, not linked: its libraries map
 * about 36 MB, which every process would carry, converters included,
 * whose address space is limited (convert_memory_mb). Only a process that
 * checks a name (serve at a registration, `user add`, the migration that
 * stores skeletons) loads it. Symbols carry ICU's version (uspoof_open_72),
 * which the headers give. */
#include "text/confusable.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "text/utf8.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uspoof.h>
#include <utf8proc.h>

static USpoofChecker *checker; /* NULL: the fallback rules */
static pthread_once_t checker_once = PTHREAD_ONCE_INIT;

/* "uspoof_open" -> "uspoof_open_72": the name after ICU's renaming macro */
#define SYM_(x) #x
#define SYM(x) SYM_(x)
#define ICU_LIB "libicui18n.so." SYM(U_ICU_VERSION_MAJOR_NUM)

static struct {
	__typeof__(uspoof_open) *open;
	__typeof__(uspoof_close) *close;
	__typeof__(uspoof_setRestrictionLevel) *set_level;
	__typeof__(uspoof_setChecks) *set_checks;
	__typeof__(uspoof_getSkeletonUTF8) *skeleton;
	__typeof__(uspoof_check2UTF8) *check;
} icu;

static void checker_open(void)
{
	const char *why = NULL;
	void *h = dlopen(ICU_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		why = dlerror();
		goto fallback;
	}
	/* POSIX's way from dlsym's object pointer to a function pointer */
#define LOAD(field, name) (*(void **)&icu.field = dlsym(h, SYM(name)))
	if (!LOAD(open, uspoof_open) || !LOAD(close, uspoof_close) || !LOAD(set_level, uspoof_setRestrictionLevel) ||
	    !LOAD(set_checks, uspoof_setChecks) || !LOAD(skeleton, uspoof_getSkeletonUTF8) ||
	    !LOAD(check, uspoof_check2UTF8)) {
		why = "a spoof checker function is missing";
		goto fallback;
	}
	UErrorCode st = U_ZERO_ERROR;
	USpoofChecker *sc = icu.open(&st);
	if (U_SUCCESS(st)) {
		icu.set_level(sc, USPOOF_HIGHLY_RESTRICTIVE);
		icu.set_checks(sc, USPOOF_RESTRICTION_LEVEL, &st);
	}
	if (U_FAILURE(st)) {
		if (sc)
			icu.close(sc);
		why = "the spoof checker did not open";
		goto fallback;
	}
	/* from here on only const use: ICU's check and skeleton functions may
	 * then be called from any number of threads at once */
	checker = sc;
	return;
fallback:
	wy_warn("confusable.fallback", "lib=%s reason=\"%s\" rule=\"skeleton: folded name; no Latin, Greek and Cyrillic in one name\"",
		ICU_LIB, why);
}

/* NFKD and case folding (NFD order), malloc'd; NULL for invalid UTF-8. */
static char *fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
					  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
						  UTF8PROC_CASEFOLD);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

/* ICU's skeleton of s (s itself under the fallback), folded: malloc'd, or
 * NULL with *rc set. */
static char *skeleton_folded(const char *s, int *rc)
{
	/* a name is at most 32 bytes; a mapping may lengthen each character */
	char sk[512];
	const char *mapped = s;
	if (checker) {
		UErrorCode st = U_ZERO_ERROR;
		int32_t n = icu.skeleton(checker, 0, s, -1, sk, (int32_t)sizeof sk, &st);
		if (U_FAILURE(st) || n < 0 || (size_t)n >= sizeof sk) {
			*rc = st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING ? WY_ETOOBIG : WY_EINVAL;
			return NULL;
		}
		sk[n] = 0;
		mapped = sk;
	}
	/* folded again: a mapping's target may be a capital (0 -> O) */
	char *g = fold(mapped);
	if (!g)
		*rc = WY_EINVAL;
	return g;
}

int wy_confusable_skeleton(const char *name, char *out, size_t size)
{
	pthread_once(&checker_once, checker_open);
	int rc = WY_OK;
	char *f = fold(name);
	if (!f)
		return WY_EINVAL;
	char *g = skeleton_folded(f, &rc);
	free(f);
	if (!g)
		return rc;
	/* Names compare without case, so i and I are one letter; but I looks
	 * like l (UTS #39 maps U+0049 to U+006C), and folding first hid that:
	 * aIice passed next to alice. Each character whose capital has another
	 * skeleton takes the capital's, so i, I, l and 1 fall in one class. */
	wy_buf b;
	wy_buf_init(&b, 0);
	const char *p = g, *end = g + strlen(g);
	while (p < end && !rc) {
		const char *at = p;
		int32_t c = wy_utf8_decode(&p, end);
		int32_t u = c >= 0 ? utf8proc_toupper(c) : c;
		char *su = NULL;
		if (checker && u != c && u >= 0) {
			char cap[8];
			utf8proc_ssize_t k = utf8proc_encode_char(u, (utf8proc_uint8_t *)cap);
			cap[k] = 0;
			su = skeleton_folded(cap, &rc);
		}
		if (su && (strlen(su) != (size_t)(p - at) || memcmp(su, at, (size_t)(p - at)) != 0))
			wy_buf_puts(&b, su);
		else
			wy_buf_append(&b, at, (size_t)(p - at));
		free(su);
	}
	free(g);
	if (!rc && b.len >= size)
		rc = WY_ETOOBIG;
	if (!rc)
		memcpy(out, b.data ? b.data : "", b.len + 1);
	wy_buf_free(&b);
	return rc;
}

enum { LATIN = 1, GREEK = 2, CYRILLIC = 4 };

static int lgc_script(int32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0xAA || c == 0xBA || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
	    (c >= 0x250 && c <= 0x2AF) || (c >= 0x1D00 && c <= 0x1D7F) || (c >= 0x1E00 && c <= 0x1EFF) ||
	    (c >= 0x2C60 && c <= 0x2C7F) || (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xAB30 && c <= 0xAB6F) ||
	    (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A))
		return LATIN;
	if ((c >= 0x370 && c <= 0x3FF) || (c >= 0x1F00 && c <= 0x1FFF))
		return GREEK;
	if ((c >= 0x400 && c <= 0x52F) || (c >= 0x1C80 && c <= 0x1C8F) || (c >= 0x2DE0 && c <= 0x2DFF) ||
	    (c >= 0xA640 && c <= 0xA69F))
		return CYRILLIC;
	return 0;
}

bool wy_confusable_mixed_lgc(const char *name)
{
	int seen = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)name;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
		if (k <= 0)
			return true;
		p += k;
		seen |= lgc_script(c);
	}
	return seen != 0 && (seen & (seen - 1)) != 0; /* more than one bit */
}

bool wy_confusable_mixed(const char *name)
{
	pthread_once(&checker_once, checker_open);
	if (!checker || !wy_utf8_valid(name, strlen(name))) /* ICU would read U+FFFD */
		return wy_confusable_mixed_lgc(name);
	UErrorCode st = U_ZERO_ERROR;
	int32_t r = icu.check(checker, name, -1, NULL, &st);
	return U_FAILURE(st) || (r & USPOOF_RESTRICTION_LEVEL) != 0;
}

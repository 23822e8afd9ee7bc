/* text/confusable: names that look like other names (Unicode UTS #39).
 *
 * `аlice` with a Cyrillic а looks like `alice`. Two things are refused
 * with what is here: a name whose confusable skeleton equals another's
 * (the caller compares skeletons), and a name that mixes scripts past
 * UTS #39's "highly restrictive" level (Latin with Cyrillic or Greek in
 * one name; Han with Latin letters, as Chinese names often have, is fine).
 * The data is the confusables table and script properties compiled into
 * ICU (libicu's spoof checker, Unicode 15 on Debian 12), loaded (dlopen)
 * and opened once per process on first use. When ICU cannot be loaded or
 * opened, a warning is logged once and the rules fall back to: skeleton = the folded name, and "mixed" =
 * Latin, Greek and Cyrillic letters in one name.
 *
 * Every function is thread-safe and keeps nothing of its arguments. */
#ifndef WY_TEXT_CONFUSABLE_H
#define WY_TEXT_CONFUSABLE_H

#include <stdbool.h>
#include <stddef.h>

/* The skeleton of name into out (size bytes, NUL-terminated): NFKD and case
 * folding (names compare without case), then UTS #39's skeleton (NFD, each
 * character mapped through confusables, NFD), folded again, so `B0B` and
 * `bob`, `аlice` (Cyrillic а) and `ALICE` meet. WY_EINVAL for invalid UTF-8,
 * WY_ETOOBIG when it does not fit. */
int wy_confusable_skeleton(const char *name, char *out, size_t size);

/* True when name mixes scripts: not single-script, nor Latin with Han,
 * Hiragana, Katakana, Bopomofo or Hangul (UTS #39 highly restrictive).
 * Digits, '_' and '-' belong to every script. Invalid UTF-8 is mixed. */
bool wy_confusable_mixed(const char *name);

/* The fallback rule alone (Latin, Greek and Cyrillic letters mixed in one
 * name), used when ICU's data cannot be opened; public for the tests. */
bool wy_confusable_mixed_lgc(const char *name);

#endif

/* utf8: strict UTF-8 validation, decoding, encoding and truncation, plus the
 * CJK test that decides whether a line break may be joined without a space.
 *
 * Everything here works on caller-owned byte ranges, allocates nothing, keeps
 * no state and is safe from any thread. It must never read outside [s, s+n)
 * and never accept what RFC 3629 forbids (overlong forms, surrogates, code
 * points above U+10FFFF), because its answers guard what we store and show. */
#ifndef WY_TEXT_UTF8_H
#define WY_TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The replacement character, written where input could not be decoded. */
#define WY_UTF8_REPLACEMENT 0xFFFDu

/* True when s[0..n) is strict UTF-8: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence at the end.
 * n == 0 is valid. s may be NULL only when n == 0. Pure, thread-safe. */
bool wy_utf8_valid(const char *s, size_t n);

/* Decode the code point at *p (which must be < end) and advance *p past it.
 * Returns the code point, or -1 for a byte that does not start a strict,
 * complete sequence; then *p advances by exactly one byte so a caller can
 * resynchronise. At *p >= end returns -1 and does not move. Thread-safe. */
int wy_utf8_decode(const char **p, const char *end);

/* Write cp as UTF-8 into out and return the byte count (1..4). A surrogate or
 * a value above U+10FFFF is written as U+FFFD (3 bytes), so the output is
 * always valid UTF-8. out is not NUL-terminated. Thread-safe. */
int wy_utf8_encode(uint32_t cp, char out[4]);

/* True for characters between which a line break must not become a space:
 * Han ideographs (URO, extensions A-H, compatibility ideographs, radicals),
 * CJK symbols and punctuation U+3000-303F, halfwidth and fullwidth forms
 * U+FF00-FFEF, kana (with extensions) and Bopomofo. Not Hangul: Korean
 * separates words with spaces, so its line breaks are spaces. Pure,
 * thread-safe. */
bool wy_is_cjk(uint32_t cp);

/* The first and the last code point of s[0..n), or 0 when n is 0 or it is
 * not valid UTF-8 there. Pure, thread-safe. */
uint32_t wy_utf8_first_cp(const char *s, size_t n);
uint32_t wy_utf8_last_cp(const char *s, size_t n);

/* The largest length <= max at which s[0..n) can be cut without splitting a
 * UTF-8 sequence; returns n when n <= max. Bytes that are not valid UTF-8 are
 * treated as single characters. Pure, thread-safe. */
size_t wy_utf8_truncate(const char *s, size_t n, size_t max);

/* Length of the longest prefix of s[0..n) that is strict UTF-8 (== n when
 * wy_utf8_valid). Pure, thread-safe. */
size_t wy_utf8_valid_prefix(const char *s, size_t n);

/* Length (1..3) of an incomplete but so far valid sequence that ends
 * s[0..n), as left by cutting a buffer in the middle of a character; 0 when
 * s does not end that way. Lets a caller tell "truncated" from "invalid".
 * Pure, thread-safe. */
size_t wy_utf8_partial_tail(const char *s, size_t n);

/* True for a character that must not reach a name shown to people (a
 * title, an author, a file name) nor a page's text: C0 controls, DEL and C1 controls (a
 * terminal runs ESC and CSI sequences: `wenyuan list` prints titles), and
 * the bidirectional marks, embeddings, overrides and isolates (U+061C,
 * U+200E-200F, U+202A-202E, U+2066-2069), with which "x\u202Efdp.exe"
 * reads as "xexe.pdf". Pure, thread-safe. */
bool wy_is_hidden_control(uint32_t cp);

/* Remove, in place, every character of s[0..n) that wy_is_hidden_control
 * names; bytes that are not valid UTF-8 are kept. Writes a NUL at the new
 * end (s must have room for it at s[n]) and returns the new length. Pure,
 * thread-safe on distinct strings. */
size_t wy_utf8_drop_hidden(char *s, size_t n);

/* A file name as uploaded or found in a tree, made safe to show and
 * store (the browser upload and `wenyuan import` both use it): its last
 * path component, valid UTF-8 (a name in another encoding keeps its
 * ASCII), no control characters nor bidirectional marks
 * (wy_is_hidden_control), at most 240 bytes; "document" when nothing is
 * left. Never NULL; the caller frees it. */
char *wy_clean_file_name(const char *name);

#endif

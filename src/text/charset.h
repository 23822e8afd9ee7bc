/* charset: guess the encoding of a plain-text upload and turn it into clean
 * UTF-8 for indexing and display.
 *
 * Decoding goes through glibc iconv; detection reads at most the first
 * WY_CHARSET_SAMPLE bytes and keeps bounded memory. This module must never
 * crash, loop or read out of bounds on any byte string (uploads are hostile),
 * never emit invalid UTF-8, and never guess silently on binary data: that is
 * refused as "not a text file". */
#ifndef WY_TEXT_CHARSET_H
#define WY_TEXT_CHARSET_H

#include <stddef.h>

#include "core/err.h"
#include "core/util.h"

/* How many leading bytes detection looks at (BOM, zero-byte patterns,
 * control bytes, UTF-8 validity and the scoring of legacy encodings). */
#define WY_CHARSET_SAMPLE (64 * 1024)

/* Detect the encoding of a plain-text byte buffer and return its name, one
 * of "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE", "GB18030",
 * "BIG5", "SHIFT_JIS", "EUC-JP", "ISO-2022-JP", "EUC-KR", "WINDOWS-1252";
 * or NULL when the bytes are not plausibly text (binary: NULs and control
 * bytes that are not part of a UTF-16/32 pattern). Empty input is "UTF-8".
 *
 * The name is a static string (never free it). It names the family; the
 * iconv decoder actually used is the superset wy_charset_decoder() returns
 * (BIG5 -> BIG5-HKSCS, SHIFT_JIS -> CP932, EUC-KR -> CP949), so prefer
 * wy_charset_to_utf8() to calling iconv yourself.
 *
 * Reads at most WY_CHARSET_SAMPLE bytes of data. Thread-safe: the tables of
 * common characters are built once, at first use, under pthread_once. */
const char *wy_charset_detect(const void *data, size_t len);

/* The iconv name of the decoder used for a name wy_charset_detect returns
 * ("CP932" for "SHIFT_JIS"...); NULL for an unknown name. "UTF-8" is decoded
 * by our own strict decoder and returns "UTF-8". Static string, thread-safe. */
const char *wy_charset_decoder(const char *name);

/* Detect the encoding of data[0..len) and convert it to UTF-8 into out,
 * which this function initialises with wy_buf_init(out, cap) (cap 0 means
 * unlimited), so out must not hold memory on entry.
 *
 * The output is valid UTF-8 and NUL-terminated (out->data is never NULL on
 * success, "" for empty input): any BOM removed, CRLF and lone CR turned
 * into LF, NUL and the other C0 controls except \t \n \f dropped. Bytes the
 * detected encoding cannot decode become U+FFFD, one per bad byte (per bad
 * unit for UTF-16/32), as does a multibyte character truncated at the end.
 * *charset_out (charset_out may be NULL) receives the detected name, or
 * NULL when detection failed.
 *
 * On success returns WY_OK and the caller owns out (wy_buf_free or
 * wy_buf_steal). On failure out is left empty (nothing to free) and:
 * WY_EFORMAT "not a text file" when detection returns NULL; WY_ETOOBIG when
 * the output would pass cap; WY_EINVAL for data == NULL with len > 0 or
 * out == NULL; WY_ENOTSUP when iconv lacks the decoder; WY_ENOMEM when the
 * output buffer cannot grow. ei (may be NULL) receives the message.
 *
 * Memory used besides out is a few fixed-size stack buffers. Thread-safe. */
int wy_charset_to_utf8(const void *data, size_t len, size_t cap, wy_buf *out,
		       const char **charset_out, wy_errinfo *ei);

#endif

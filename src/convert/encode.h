/* encode: lossless WebP (VP8L) for gray text pages, written directly.
 *
 * Most pages of a library are black text on white. Rendered in gray such a
 * page is almost all white and black, with anti-aliased edges between.
 * Quantised to a few gray levels it becomes a palette image that VP8L
 * packs two (or four, or eight) pixels to a byte, and whose rows are mostly
 * copies of the row above or runs of one value: a greedy coder that tries
 * only those two matches is five to eight times faster than libwebp's
 * general encoders (lossy method 0, lossless method 1), at about the bytes
 * of its lossless method 1, smaller than the lossy page it replaces, and
 * closer to the render (docs/bench.md, Pipeline: how it was chosen and judged).
 * Coloured pages and gray pages with much in between (photographs, scans)
 * stay with libwebp's lossy encoder (render.c). */
#ifndef WY_CONVERT_ENCODE_H
#define WY_CONVERT_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* Gray levels a text page is quantised to (0, 17, 34, ... 255). */
#define WY_TEXT_LEVELS 16

/* Mid-tones: the gray values between these (inclusive). */
#define WY_TEXT_DARK 48
#define WY_TEXT_LIGHT 207
#define WY_TEXT_MIDTONES_DIV 8

/* Whether a gray image (w x h, rows stride bytes apart) reads as text and
 * line art: at most one pixel in WY_TEXT_MIDTONES_DIV is a mid-tone
 * (WY_TEXT_DARK..WY_TEXT_LIGHT) (what anti-aliased edges leave), so quantising to
 * WY_TEXT_LEVELS shows no banding. A photograph or a gray scan fails. */
bool wy_gray_is_text(const unsigned char *gray, int w, int h, int stride);

/* Append to out a lossless WebP file (RIFF, VP8L) of the gray image
 * quantised to WY_TEXT_LEVELS levels. w and h are 1..16384. Returns WY_OK,
 * or WY_ETOOBIG when out's cap is reached. */
int wy_webp_gray_text(const unsigned char *gray, int w, int h, int stride, wy_buf *out);

#endif

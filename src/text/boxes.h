/* boxes: where each character of a page's text sits on the page.
 *
 * The converter records one box per code point of the page text it keeps
 * (characters it adds itself, such as the spaces and line breaks of joined
 * lines, get an empty box), so a search hit found in the text, as a range of
 * code points, can be marked on the page image. A box is WY_BOX_SIZE bytes:
 * x0, y0, x1, y1 as little-endian uint16, in 1/65535ths of the page's width
 * and height (so they hold for an image of any size). All zero: no box.
 *
 * Pure functions of their arguments; safe from any thread. Box data comes
 * from the store and is not trusted to be well formed: lengths are checked. */
#ifndef WY_BOXES_H
#define WY_BOXES_H

#include <stddef.h>
#include <stdint.h>

#define WY_BOX_SIZE 8
#define WY_BOX_UNIT 65535

typedef struct wy_rect {
	uint16_t x0, y0, x1, y1; /* in 1/65535ths of the page, x0 < x1, y0 < y1 */
} wy_rect;

/* Store box b (which may be empty) as the next entry of out[]. */
void wy_box_put(unsigned char out[WY_BOX_SIZE], const wy_rect *b);

/* Read entry i of a box array of len bytes; an all-zero rect when i is past
 * the end or the entry is empty. */
wy_rect wy_box_get(const unsigned char *boxes, size_t len, size_t i);

/* The rectangles that cover code points [cp_start, cp_end) of a page: the
 * boxes of the characters merged into one rectangle per printed line (a hit
 * that wraps to the next line gives two). At most max rectangles are written
 * to out; returns how many. Empty boxes are skipped. */
int wy_boxes_rects(const unsigned char *boxes, size_t len, size_t cp_start, size_t cp_end, wy_rect *out, int max);

#endif

/* boxes: reading and writing the per-character boxes of a page (format in
 * boxes.h) and turning the boxes of a range of code points into the few
 * rectangles a viewer draws over the page image.
 *
 * Box arrays come from the store and are not trusted: nothing here may read
 * outside [boxes, boxes + len), whatever len, cp_start or cp_end say. Pure
 * functions, no allocation, safe from any thread. */
#include "text/boxes.h"

#include <stdbool.h>

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8);
}

void wy_box_put(unsigned char out[WY_BOX_SIZE], const wy_rect *b)
{
	put16(out, b->x0);
	put16(out + 2, b->y0);
	put16(out + 4, b->x1);
	put16(out + 6, b->y1);
}

wy_rect wy_box_get(const unsigned char *boxes, size_t len, size_t i)
{
	wy_rect r = {0, 0, 0, 0};
	/* Only entries that lie wholly inside len are read; i is compared by
	 * division so that a huge i cannot overflow i * WY_BOX_SIZE. */
	if (!boxes || i >= len / WY_BOX_SIZE)
		return r;
	const unsigned char *p = boxes + i * WY_BOX_SIZE;
	r.x0 = get16(p);
	r.y0 = get16(p + 2);
	r.x1 = get16(p + 4);
	r.y1 = get16(p + 6);
	return r;
}

static bool is_empty(const wy_rect *r)
{
	return !r->x0 && !r->y0 && !r->x1 && !r->y1;
}

/* Stored boxes are written with x0 <= x1 and y0 <= y1, but the bytes are
 * not trusted: put the corners in order rather than draw nonsense. */
static void order(wy_rect *r)
{
	uint16_t t;
	if (r->x0 > r->x1)
		t = r->x0, r->x0 = r->x1, r->x1 = t;
	if (r->y0 > r->y1)
		t = r->y0, r->y0 = r->y1, r->y1 = t;
}

/* Directions of a printed line. */
enum { ALONG_NONE, ALONG_X, ALONG_Y };

/* Overlap of [a0, a1) and [b0, b1) (negative: the gap between them). */
static int overlap(int a0, int a1, int b0, int b1)
{
	return (a1 < b1 ? a1 : b1) - (a0 > b0 ? a0 : b0);
}

static bool more_than_half(int over, int a, int b)
{
	int smaller = a < b ? a : b;
	return over >= 0 && (smaller <= 0 || 2 * over > smaller);
}

/* How character b continues the printed line of p, the character before
 * it: ALONG_X when their heights overlap by more than half the smaller one
 * (a superscript or a larger font stays on the line, the next line down
 * does not overlap that much) and b does not lie left of p by more than a
 * character (a wrap goes back to the left margin; right-to-left text steps
 * one character to the left). ALONG_Y, for vertical writing and pages
 * turned a quarter, the same with the axes swapped; there b must also not
 * lie below p by more than a character, or the rectangle would cover the
 * lines between. ALONG_NONE: b starts a new line. dir is the direction of
 * the line so far (ALONG_NONE for one character): a line runs one way, so
 * the first character of the next line right below the last one of a
 * horizontal line does not join it. */
static int continues(const wy_rect *p, const wy_rect *b, int dir)
{
	int wp = p->x1 - p->x0, wb = b->x1 - b->x0, hp = p->y1 - p->y0, hb = b->y1 - b->y0;
	int w = wp > wb ? wp : wb, h = hp > hb ? hp : hb;
	if (dir != ALONG_Y && more_than_half(overlap(p->y0, p->y1, b->y0, b->y1), hp, hb) && p->x0 - b->x1 < w)
		return ALONG_X;
	if (dir != ALONG_X && more_than_half(overlap(p->x0, p->x1, b->x0, b->x1), wp, wb) &&
	    overlap(p->y0, p->y1, b->y0, b->y1) > -h)
		return ALONG_Y;
	return ALONG_NONE;
}

/* Grow r to cover b. */
static void add(wy_rect *r, const wy_rect *b)
{
	if (b->x0 < r->x0)
		r->x0 = b->x0;
	if (b->y0 < r->y0)
		r->y0 = b->y0;
	if (b->x1 > r->x1)
		r->x1 = b->x1;
	if (b->y1 > r->y1)
		r->y1 = b->y1;
}

/* A drawn rectangle has x0 < x1 and y0 < y1 (the promise of wy_rect): a
 * zero-width character (a combining mark) still shows as a sliver. */
static void finish(wy_rect *r)
{
	if (r->x0 == r->x1) {
		if (r->x1 < WY_BOX_UNIT)
			r->x1++;
		else
			r->x0--;
	}
	if (r->y0 == r->y1) {
		if (r->y1 < WY_BOX_UNIT)
			r->y1++;
		else
			r->y0--;
	}
}

int wy_boxes_rects(const unsigned char *boxes, size_t len, size_t cp_start, size_t cp_end, wy_rect *out, int max)
{
	/* A length that is not a whole number of boxes is not an array this
	 * program wrote: its entries cannot be told apart, so nothing is
	 * marked rather than marking the wrong place. */
	if (!boxes || !out || max <= 0 || len % WY_BOX_SIZE)
		return 0;
	size_t n = len / WY_BOX_SIZE;
	if (cp_end > n)
		cp_end = n;
	int k = 0, dir = ALONG_NONE, along;
	bool open = false;
	wy_rect prev = {0, 0, 0, 0};
	for (size_t i = cp_start; i < cp_end; i++) {
		wy_rect b = wy_box_get(boxes, len, i);
		if (is_empty(&b))
			continue; /* a space or line break the converter added */
		order(&b);
		if (open && (along = continues(&prev, &b, dir)) != ALONG_NONE) {
			add(&out[k - 1], &b);
			dir = along;
		} else {
			if (k == max)
				break;
			if (open)
				finish(&out[k - 1]);
			out[k++] = b;
			open = true;
			dir = ALONG_NONE;
		}
		prev = b;
	}
	if (open)
		finish(&out[k - 1]);
	return k;
}

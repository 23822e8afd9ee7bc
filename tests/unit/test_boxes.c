/* Box tests: the byte layout of a box, and the rectangles a range of code
 * points becomes: one per printed line, empty boxes skipped, and box
 * arrays of any length read without passing their end. (Boxes made from
 * real documents are tested in test_convert.) */
#include "core/util.h"
#include "test.h"
#include "text/boxes.h"

#include <stdlib.h>

/* A box array of n entries in a buffer of exactly that size, so that a read
 * past its end shows under the sanitizers. */
static unsigned char *make(const wy_rect *r, size_t n)
{
	unsigned char *b = wy_xmalloc(n ? n * WY_BOX_SIZE : 1);
	for (size_t i = 0; i < n; i++)
		wy_box_put(b + i * WY_BOX_SIZE, &r[i]);
	return b;
}

#define RECT_EQ(r, a, b, c, d)                                                                                         \
	do {                                                                                                           \
		ASSERT_EQ((r).x0, a);                                                                                  \
		ASSERT_EQ((r).y0, b);                                                                                  \
		ASSERT_EQ((r).x1, c);                                                                                  \
		ASSERT_EQ((r).y1, d);                                                                                  \
	} while (0)

TEST(put_and_get)
{
	wy_rect r = {0x0102, 0x0304, 0xfffe, 65535};
	unsigned char b[WY_BOX_SIZE];
	wy_box_put(b, &r);
	/* little-endian uint16s, x0 y0 x1 y1 */
	static const unsigned char want[WY_BOX_SIZE] = {0x02, 0x01, 0x04, 0x03, 0xfe, 0xff, 0xff, 0xff};
	ASSERT(memcmp(b, want, sizeof want) == 0);
	RECT_EQ(wy_box_get(b, sizeof b, 0), 0x0102, 0x0304, 0xfffe, 65535);
	/* past the end, a partial entry, no array: an empty box */
	RECT_EQ(wy_box_get(b, sizeof b, 1), 0, 0, 0, 0);
	RECT_EQ(wy_box_get(b, 7, 0), 0, 0, 0, 0);
	RECT_EQ(wy_box_get(b, sizeof b, (size_t)-1), 0, 0, 0, 0);
	RECT_EQ(wy_box_get(NULL, 64, 0), 0, 0, 0, 0);
}

TEST(one_line_is_one_rect)
{
	/* 文渊阁记 on one line, the third character a little taller (another
	 * font) and the fourth with a kerned start that overlaps the third. */
	wy_rect in[] = {{1000, 5000, 2000, 6000}, {2000, 5000, 3000, 6000}, {3000, 4900, 4000, 6100},
			{3950, 5000, 5000, 6000}};
	unsigned char *b = make(in, 4);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 4, out, 4), 1);
	RECT_EQ(out[0], 1000, 4900, 5000, 6100);
	/* a sub-range */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 1, 3, out, 4), 1);
	RECT_EQ(out[0], 2000, 4900, 4000, 6100);
	/* an empty range */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 2, 2, out, 4), 0);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 3, 1, out, 4), 0);
	free(b);
}

TEST(superscript_stays_on_its_line)
{
	/* x² : the superscript is half the height and sits high, but overlaps
	 * the x by more than half of its own height. */
	wy_rect in[] = {{1000, 5000, 2000, 6000}, {2000, 4800, 2500, 5400}, {2600, 5000, 3600, 6000}};
	unsigned char *b = make(in, 3);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 3, out, 4), 1);
	RECT_EQ(out[0], 1000, 4800, 3600, 6000);
	free(b);
}

TEST(a_wrap_gives_two_rects)
{
	/* "中华" at the end of one line, "人民" at the start of the next; the
	 * lines are 1.5 em apart. */
	wy_rect in[] = {{60000, 5000, 61000, 6000}, {61000, 5000, 62000, 6000}, {5000, 6500, 6000, 7500},
			{6000, 6500, 7000, 7500}};
	unsigned char *b = make(in, 4);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 4, out, 4), 2);
	RECT_EQ(out[0], 60000, 5000, 62000, 6000);
	RECT_EQ(out[1], 5000, 6500, 7000, 7500);
	/* no room for the second */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 4, out, 1), 1);
	RECT_EQ(out[0], 60000, 5000, 62000, 6000);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 4, out, 0), 0);
	/* tightly set lines that touch still part */
	wy_rect tight[] = {{60000, 5000, 61000, 6000}, {1000, 6000, 2000, 7000}};
	unsigned char *t = make(tight, 2);
	ASSERT_EQ(wy_boxes_rects(t, sizeof tight, 0, 2, out, 4), 2);
	free(t);
	free(b);
}

TEST(a_narrow_column_wraps_right_below)
{
	/* "ab" / "cd" in a column two characters wide: c sits right below
	 * a, but a line runs one way, so the lines stay apart. */
	wy_rect in[] = {{1000, 5000, 2000, 6000}, {2000, 5000, 3000, 6000}, {1000, 6000, 2000, 7000},
			{2000, 6000, 3000, 7000}};
	unsigned char *b = make(in, 4);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 4, out, 4), 2);
	RECT_EQ(out[0], 1000, 5000, 3000, 6000);
	RECT_EQ(out[1], 1000, 6000, 3000, 7000);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 1, 4, out, 4), 2);
	RECT_EQ(out[0], 2000, 5000, 3000, 6000);
	RECT_EQ(out[1], 1000, 6000, 3000, 7000);
	free(b);
}

TEST(vertical_and_turned_lines)
{
	/* Vertical writing: a column read top to bottom is one rectangle; the
	 * next column, to its left, another. */
	wy_rect v[] = {{50000, 5000, 51000, 6000}, {50000, 6000, 51000, 7000}, {50000, 7000, 51000, 8000},
		       {48500, 5000, 49500, 6000}, {48500, 6000, 49500, 7000}};
	unsigned char *b = make(v, 5);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof v, 0, 5, out, 4), 2);
	RECT_EQ(out[0], 50000, 5000, 51000, 8000);
	RECT_EQ(out[1], 48500, 5000, 49500, 7000);
	free(b);
	/* A page turned a quarter the other way reads bottom to top. */
	wy_rect up[] = {{3000, 40000, 4000, 41000}, {3000, 39000, 4000, 40000}, {3000, 38000, 4000, 39000}};
	b = make(up, 3);
	ASSERT_EQ(wy_boxes_rects(b, sizeof up, 0, 3, out, 4), 1);
	RECT_EQ(out[0], 3000, 38000, 4000, 41000);
	free(b);
	/* Right to left (or a page upside down): one character at a time to
	 * the left is still the line. */
	wy_rect rtl[] = {{9000, 5000, 10000, 6000}, {8000, 5000, 9000, 6000}, {7100, 5000, 8000, 6000}};
	b = make(rtl, 3);
	ASSERT_EQ(wy_boxes_rects(b, sizeof rtl, 0, 3, out, 4), 1);
	RECT_EQ(out[0], 7100, 5000, 10000, 6000);
	free(b);
	/* A vertical line does not reach down past the next character. */
	wy_rect far[] = {{50000, 5000, 51000, 6000}, {50000, 9000, 51000, 10000}};
	b = make(far, 2);
	ASSERT_EQ(wy_boxes_rects(b, sizeof far, 0, 2, out, 4), 2);
	free(b);
}

TEST(going_back_on_the_same_height_is_a_new_rect)
{
	/* A table row read cell by cell, or a second column that starts at
	 * the height where the first ended: x goes back past the previous
	 * character, so the rectangle does not span the gap. */
	wy_rect in[] = {{30000, 5000, 31000, 6000}, {31000, 5000, 32000, 6000}, {2000, 5000, 3000, 6000}};
	unsigned char *b = make(in, 3);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 3, out, 4), 2);
	RECT_EQ(out[0], 30000, 5000, 32000, 6000);
	RECT_EQ(out[1], 2000, 5000, 3000, 6000);
	free(b);
}

TEST(empty_boxes_are_skipped)
{
	/* "ab cd\nef": the space between words was in the document (it has a
	 * box); the line break was added by the converter (no box), as was a
	 * joining space at the start of the range. */
	wy_rect in[] = {{0, 0, 0, 0},          {1000, 5000, 2000, 6000}, {2000, 5000, 3000, 6000},
			{3000, 5000, 3500, 6000}, {3500, 5000, 4500, 6000}, {4500, 5000, 5500, 6000},
			{0, 0, 0, 0},          {1000, 6500, 2000, 7500}, {2000, 6500, 3000, 7500}};
	size_t n = sizeof in / sizeof in[0];
	unsigned char *b = make(in, n);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, n * WY_BOX_SIZE, 0, n, out, 4), 2);
	RECT_EQ(out[0], 1000, 5000, 5500, 6000);
	RECT_EQ(out[1], 1000, 6500, 3000, 7500);
	/* the empty box does not end the line it sits in */
	wy_rect line[] = {{1000, 5000, 2000, 6000}, {0, 0, 0, 0}, {2000, 5000, 3000, 6000}};
	unsigned char *l = make(line, 3);
	ASSERT_EQ(wy_boxes_rects(l, sizeof line, 0, 3, out, 4), 1);
	RECT_EQ(out[0], 1000, 5000, 3000, 6000);
	/* only added characters: nothing to mark */
	ASSERT_EQ(wy_boxes_rects(b, n * WY_BOX_SIZE, 6, 7, out, 4), 0);
	free(l);
	free(b);
}

TEST(bad_lengths_are_never_read_past)
{
	wy_rect in[] = {{1000, 5000, 2000, 6000}, {2000, 5000, 3000, 6000}, {3000, 5000, 4000, 6000}};
	unsigned char *b = make(in, 3);
	wy_rect out[4];
	/* cp_end past the array: what there is */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 1, 100, out, 4), 1);
	RECT_EQ(out[0], 2000, 5000, 4000, 6000);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, (size_t)-1, out, 4), 1);
	RECT_EQ(out[0], 1000, 5000, 4000, 6000);
	/* the range wholly past the end, or starting there */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 3, 10, out, 4), 0);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, (size_t)-2, (size_t)-1, out, 4), 0);
	/* a length that is not a whole number of boxes: not our array */
	ASSERT_EQ(wy_boxes_rects(b, sizeof in - 1, 0, 2, out, 4), 0);
	ASSERT_EQ(wy_boxes_rects(b, 5, 0, 1, out, 4), 0);
	/* a shorter array than the text: only the boxes there are */
	ASSERT_EQ(wy_boxes_rects(b, 2 * WY_BOX_SIZE, 0, 3, out, 4), 1);
	RECT_EQ(out[0], 1000, 5000, 3000, 6000);
	/* nothing at all */
	ASSERT_EQ(wy_boxes_rects(NULL, 0, 0, 3, out, 4), 0);
	ASSERT_EQ(wy_boxes_rects(b, 0, 0, 3, out, 4), 0);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 3, NULL, 4), 0);
	free(b);
}

TEST(untrusted_boxes_still_make_rects)
{
	/* Corners in the wrong order are put in order; a zero-width box
	 * (a combining mark) still gives a rectangle with x0 < x1. */
	wy_rect in[] = {{2000, 6000, 1000, 5000}, {65535, 100, 65535, 200}};
	unsigned char *b = make(in, 2);
	wy_rect out[4];
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 0, 1, out, 4), 1);
	RECT_EQ(out[0], 1000, 5000, 2000, 6000);
	ASSERT_EQ(wy_boxes_rects(b, sizeof in, 1, 2, out, 4), 1);
	RECT_EQ(out[0], 65534, 100, 65535, 200);
	free(b);
}

TEST_LIST(T(put_and_get), T(one_line_is_one_rect), T(superscript_stays_on_its_line), T(a_wrap_gives_two_rects), T(a_narrow_column_wraps_right_below),
	  T(vertical_and_turned_lines),
	  T(going_back_on_the_same_height_is_a_new_rect), T(empty_boxes_are_skipped), T(bad_lengths_are_never_read_past),
	  T(untrusted_boxes_still_make_rects))

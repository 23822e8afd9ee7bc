/* fuzz_boxes: character boxes read back from the store (text/boxes.h),
 * which must never be trusted to be well formed.
 *
 * Input: cp_start and cp_end (2 bytes each, little-endian), max (1 byte,
 * taken modulo 17 so that 0 and small caps occur), then the box array.
 * Checks: nothing read outside the array or written past out[max) (out is
 * exactly max entries on the heap); at most max rectangles, each with
 * x0 < x1 and y0 < y1 and within the boxes it covers (one unit of slack
 * for a zero-width box made visible); reading past the end gives an empty
 * box; put then get gives the box back. */
#include "fuzz.h"

#include "text/boxes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cp_start = fuzz_byte(data, size, 0) | fuzz_byte(data, size, 1) << 8;
	size_t cp_end = fuzz_byte(data, size, 2) | fuzz_byte(data, size, 3) << 8;
	int max = (int)(fuzz_byte(data, size, 4) % 17);
	size_t len = size > 5 ? size - 5 : 0;
	unsigned char *boxes = fuzz_memdup(size > 5 ? data + 5 : data, len);
	wy_rect *out = malloc(max ? (size_t)max * sizeof *out : 1);
	if (!out)
		abort();

	int n = wy_boxes_rects(boxes, len, cp_start, cp_end, out, max);
	FUZZ_CHECK(n >= 0 && n <= max);
	if (len % WY_BOX_SIZE || cp_start >= cp_end)
		FUZZ_CHECK(n == 0);

	/* the extent of the non-empty boxes in range */
	unsigned lo_x = WY_BOX_UNIT, lo_y = WY_BOX_UNIT, hi_x = 0, hi_y = 0;
	for (size_t i = cp_start; i < cp_end && i < len / WY_BOX_SIZE; i++) {
		wy_rect b = wy_box_get(boxes, len, i);
		unsigned x0 = b.x0 < b.x1 ? b.x0 : b.x1, x1 = b.x0 < b.x1 ? b.x1 : b.x0;
		unsigned y0 = b.y0 < b.y1 ? b.y0 : b.y1, y1 = b.y0 < b.y1 ? b.y1 : b.y0;
		if (!b.x0 && !b.y0 && !b.x1 && !b.y1)
			continue;
		lo_x = x0 < lo_x ? x0 : lo_x;
		lo_y = y0 < lo_y ? y0 : lo_y;
		hi_x = x1 > hi_x ? x1 : hi_x;
		hi_y = y1 > hi_y ? y1 : hi_y;
	}
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(out[i].x0 < out[i].x1 && out[i].y0 < out[i].y1);
		FUZZ_CHECK(out[i].x0 + 1u >= lo_x && out[i].x1 <= hi_x + 1u);
		FUZZ_CHECK(out[i].y0 + 1u >= lo_y && out[i].y1 <= hi_y + 1u);
	}

	/* entries past the end, or not wholly inside len, are empty */
	wy_rect r = wy_box_get(boxes, len, len / WY_BOX_SIZE);
	FUZZ_CHECK(!r.x0 && !r.y0 && !r.x1 && !r.y1);
	r = wy_box_get(boxes, len, SIZE_MAX);
	FUZZ_CHECK(!r.x0 && !r.y0 && !r.x1 && !r.y1);
	r = wy_box_get(NULL, len, 0);
	FUZZ_CHECK(!r.x0 && !r.y0 && !r.x1 && !r.y1);

	/* put/get round trip of every whole entry */
	for (size_t i = 0; i < len / WY_BOX_SIZE; i++) {
		wy_rect b = wy_box_get(boxes, len, i), c;
		unsigned char enc[WY_BOX_SIZE];
		wy_box_put(enc, &b);
		c = wy_box_get(enc, sizeof enc, 0);
		FUZZ_CHECK(b.x0 == c.x0 && b.y0 == c.y0 && b.x1 == c.x1 && b.y1 == c.y1);
		FUZZ_CHECK(memcmp(enc, boxes + i * WY_BOX_SIZE, WY_BOX_SIZE) == 0);
	}
	free(out);
	free(boxes);
	return 0;
}

/* web/captcha_draw: the image of a captcha, drawn here with no library
 * but zlib: characters of an alphabet without look-alikes (no 0/O, 1/I/l,
 * 2/Z, 5/S, 8/B, 6/G, 4/A), each a few strokes of its own (lines and arcs on
 * an 8 x 12 grid), turned, slanted, sized and placed at random, the whole
 * warped by two sine waves, crossed by lines and sprinkled with dots;
 * written as an 8-bit grey PNG. Bounded: a fixed size of image, a fixed
 * number of strokes; about a millisecond of one core (test_captcha
 * measures it). It never writes the answer anywhere but to its caller. */
#include "web/captcha.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char web_captcha_alphabet[] = "ACDEFHJKLMNPRTUVWXY37";

/* The strokes of each character, in the order of the alphabet: M x y
 * starts a stroke, L x y draws a line to a point, A cx cy rx ry a0 a1 an
 * arc of the ellipse from angle a0 to a1 (degrees; 0 is right, 90 down),
 * which goes on from where a stroke is (its end is where the next L goes
 * from). x from 0 to 8, y from 0 (top) to 12. */
static const char *const strokes[] = {
	"M0 12L4 0L8 12M1.6 8L6.4 8",                       /* A */
	"A4 6 4 6 40 320",                                   /* C */
	"M0 0L0 12M0 0L3 0A3 6 5 6 -90 90L0 12",             /* D */
	"M8 0L0 0L0 12L8 12M0 6L6 6",                        /* E */
	"M8 0L0 0L0 12M0 6L6 6",                             /* F */
	"M0 0L0 12M8 0L8 12M0 6L8 6",                        /* H */
	"M8 0L8 8A4 8 4 4 0 180",                            /* J */
	"M0 0L0 12M8 0L0 7M2.8 4.6L8 12",                    /* K */
	"M0 0L0 12L8 12",                                    /* L */
	"M0 12L0 0L4 8L8 0L8 12",                            /* M */
	"M0 12L0 0L8 12L8 0",                                /* N */
	"M0 12L0 0L4 0A4 3.25 4 3.25 -90 90L0 6.5",          /* P */
	"M0 12L0 0L4 0A4 3.25 4 3.25 -90 90L0 6.5M4 6.5L8 12", /* R */
	"M0 0L8 0M4 0L4 12",                                 /* T */
	"M0 0L0 8A4 8 4 4 180 0L8 0",                        /* U */
	"M0 0L4 12L8 0",                                     /* V */
	"M0 0L2 12L4 4L6 12L8 0",                            /* W */
	"M0 0L8 12M8 0L0 12",                                /* X */
	"M0 0L4 6L8 0M4 6L4 12",                             /* Y */
	"A4 3 4 3 -150 90A4 9 4 3 -90 150",                  /* 3 */
	"M0 0L8 0L3 12",                                     /* 7 */
};
_Static_assert(sizeof strokes / sizeof strokes[0] == sizeof web_captcha_alphabet - 1, "strokes for every character");

#define W WEB_CAPTCHA_WIDTH
#define H WEB_CAPTCHA_HEIGHT
#define MAX_SEGS 512
#define ARC_STEPS 14

typedef struct seg {
	float x0, y0, x1, y1, half; /* a line from (x0,y0) to (x1,y1), half its width */
	float bx0, by0, bx1, by1;   /* its box, widened by half and a pixel */
	unsigned char ink;          /* its grey */
} seg;

/* Segments by the strip of STRIP columns their box meets, so that a
 * pixel looks only at the few near it (a pixel samples one strip). */
#define STRIP 8
#define NSTRIPS ((W + STRIP - 1) / STRIP)

typedef struct canvas {
	seg s[MAX_SEGS];
	int n;
	uint16_t strip[NSTRIPS][MAX_SEGS];
	int nstrip[NSTRIPS];
	uint64_t rng;
} canvas;

/* xorshift64*, seeded from the kernel's CSPRNG: the shapes need no more
 * than unpredictable, and a call to libsodium per number would cost more
 * than the drawing. */
static uint32_t rnd(canvas *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (uint32_t)((c->rng * 2685821657736338717ULL) >> 32);
}

static float frand(canvas *c, float lo, float hi) { return lo + (hi - lo) * (float)(rnd(c) >> 8) / (float)(1u << 24); }

/* A glyph's placement: grid point (gx, gy) to the image. */
typedef struct place {
	float a, b, cc, d, tx, ty; /* x' = a gx + b gy + tx; y' = cc gx + d gy + ty */
} place;

static void add_seg(canvas *c, float x0, float y0, float x1, float y1, float half, unsigned char ink)
{
	if (c->n == MAX_SEGS)
		return;
	seg *s = &c->s[c->n++];
	*s = (seg){x0, y0, x1, y1, half, 0, 0, 0, 0, ink};
	float m = half + 1.5f;
	s->bx0 = fminf(x0, x1) - m;
	s->bx1 = fmaxf(x0, x1) + m;
	s->by0 = fminf(y0, y1) - m;
	s->by1 = fmaxf(y0, y1) + m;
}

static void glyph(canvas *c, const char *path, const place *p, float half, unsigned char ink)
{
	float cx = 0, cy = 0; /* the pen, on the grid */
	bool down = false;
	const char *q = path;
	while (*q) {
		char op = *q++;
		float v[6];
		int nv = op == 'A' ? 6 : 2;
		for (int i = 0; i < nv; i++) {
			char *end;
			v[i] = strtof(q, &end);
			q = end;
		}
		float pts[ARC_STEPS + 1][2];
		int np = 0;
		if (op == 'M') {
			cx = v[0], cy = v[1];
			down = true;
			continue;
		} else if (op == 'L') {
			pts[np][0] = v[0], pts[np][1] = v[1], np++;
		} else { /* A */
			for (int i = 0; i <= ARC_STEPS; i++) {
				float t = (v[4] + (v[5] - v[4]) * (float)i / ARC_STEPS) * (float)M_PI / 180.0f;
				pts[np][0] = v[0] + v[2] * cosf(t);
				pts[np][1] = v[1] + v[3] * sinf(t);
				np++;
			}
			if (!down) { /* an arc that starts a stroke */
				cx = pts[0][0], cy = pts[0][1];
				down = true;
			}
		}
		for (int i = 0; i < np; i++) {
			float x0 = p->a * cx + p->b * cy + p->tx, y0 = p->cc * cx + p->d * cy + p->ty;
			float x1 = p->a * pts[i][0] + p->b * pts[i][1] + p->tx;
			float y1 = p->cc * pts[i][0] + p->d * pts[i][1] + p->ty;
			add_seg(c, x0, y0, x1, y1, half, ink);
			cx = pts[i][0], cy = pts[i][1];
		}
	}
}

/* How much of a pixel at (x, y) segment s covers, 0 to 1. */
static float cover(const seg *s, float x, float y)
{
	float dx = s->x1 - s->x0, dy = s->y1 - s->y0, l2 = dx * dx + dy * dy;
	float t = l2 > 0 ? ((x - s->x0) * dx + (y - s->y0) * dy) / l2 : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	float ex = s->x0 + t * dx - x, ey = s->y0 + t * dy - y;
	float d = sqrtf(ex * ex + ey * ey);
	float k = s->half + 0.5f - d;
	return k <= 0 ? 0 : k >= 1 ? 1 : k;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
	p[3] = (unsigned char)v;
}

/* One PNG chunk of type and n bytes of data at out (room for n + 12). */
static size_t chunk(unsigned char *out, const char *type, const unsigned char *data, size_t n)
{
	put32(out, (uint32_t)n);
	memcpy(out + 4, type, 4);
	if (n)
		memmove(out + 8, data, n);
	uLong crc = crc32(0L, out + 4, (uInt)(n + 4));
	put32(out + 8 + n, (uint32_t)crc);
	return n + 12;
}

int web_captcha_draw(char answer[WEB_CAPTCHA_CHARS + 1], unsigned char **png, size_t *size)
{
	*png = NULL;
	*size = 0;
	canvas *c = malloc(sizeof *c);
	if (!c)
		return WY_ENOMEM;
	c->n = 0;
	randombytes_buf(&c->rng, sizeof c->rng);
	c->rng |= 1;
	int na = (int)sizeof web_captcha_alphabet - 1;
	for (int i = 0; i < WEB_CAPTCHA_CHARS; i++)
		answer[i] = web_captcha_alphabet[randombytes_uniform((uint32_t)na)];
	answer[WEB_CAPTCHA_CHARS] = 0;

	/* the characters: each its own turn, slant, size and place */
	float cell = (float)(W - 16) / WEB_CAPTCHA_CHARS;
	for (int i = 0; i < WEB_CAPTCHA_CHARS; i++) {
		int k = (int)(strchr(web_captcha_alphabet, answer[i]) - web_captcha_alphabet);
		float sc = frand(c, 2.3f, 2.9f), rot = frand(c, -0.3f, 0.3f), shear = frand(c, -0.22f, 0.22f);
		float cs = cosf(rot), sn = sinf(rot);
		place p;
		/* scale, then shear in x, then turn; about the glyph's centre (4, 6) */
		p.a = sc * cs, p.b = sc * (shear * cs - sn);
		p.cc = sc * sn, p.d = sc * (shear * sn + cs);
		float mx = 8.0f + cell * ((float)i + 0.5f) + frand(c, -2.5f, 2.5f);
		float my = (float)H / 2 + frand(c, -3.5f, 3.5f);
		p.tx = mx - (p.a * 4 + p.b * 6);
		p.ty = my - (p.cc * 4 + p.d * 6);
		glyph(c, strokes[k], &p, frand(c, 1.3f, 1.8f), (unsigned char)frand(c, 20, 80));
	}
	/* lines across the text: gentle curves of a few segments each */
	for (int l = 0; l < 3; l++) {
		float y0 = frand(c, 8, H - 8), y1 = frand(c, 8, H - 8), amp = frand(c, 2, 7), ph = frand(c, 0, 6.3f);
		float half = frand(c, 0.4f, 0.8f);
		unsigned char ink = (unsigned char)frand(c, 70, 140);
		float px = 0, py = y0 + amp * sinf(ph);
		for (int j = 1; j <= 10; j++) {
			float x = (float)W * (float)j / 10, y = y0 + (y1 - y0) * (float)j / 10 + amp * sinf(ph + (float)j * 0.7f);
			add_seg(c, px, py, x, y, half, ink);
			px = x, py = y;
		}
	}

	for (int k = 0; k < NSTRIPS; k++)
		c->nstrip[k] = 0;
	for (int i = 0; i < c->n; i++) {
		int k0 = (int)floorf(c->s[i].bx0 / STRIP), k1 = (int)floorf(c->s[i].bx1 / STRIP);
		for (int k = k0 < 0 ? 0 : k0; k <= k1 && k < NSTRIPS; k++)
			c->strip[k][c->nstrip[k]++] = (uint16_t)i;
	}

	/* the warp: each pixel samples the strokes a little off its place */
	float ax = frand(c, 1.5f, 3.0f), px = frand(c, 22, 40), fx = frand(c, 0, 6.3f);
	float ay = frand(c, 2.0f, 3.5f), py = frand(c, 50, 90), fy = frand(c, 0, 6.3f);
	size_t raw_n = (size_t)(W + 1) * H;
	unsigned char *raw = malloc(raw_n);
	if (!raw) {
		free(c);
		return WY_ENOMEM;
	}
	float light = frand(c, 225, 250);
	for (int y = 0; y < H; y++) {
		unsigned char *row = raw + (size_t)y * (W + 1);
		row[0] = 0; /* filter: none */
		float wx = ax * sinf(2 * (float)M_PI * (float)y / px + fx);
		for (int x = 0; x < W; x++) {
			float sx = (float)x + 0.5f + wx;
			float sy = (float)y + 0.5f + ay * sinf(2 * (float)M_PI * (float)x / py + fy);
			/* a background that shades from one side to the other */
			float v = light - 20.0f * (float)x / W;
			int st = (int)floorf(sx / STRIP);
			st = st < 0 ? 0 : st >= NSTRIPS ? NSTRIPS - 1 : st;
			for (int j = 0; j < c->nstrip[st]; j++) {
				const seg *s = &c->s[c->strip[st][j]];
				if (sx < s->bx0 || sx > s->bx1 || sy < s->by0 || sy > s->by1)
					continue;
				float k = cover(s, sx, sy);
				if (k > 0) {
					float nv = v * (1 - k) + (float)s->ink * k;
					v = nv < v ? nv : v;
				}
			}
			row[1 + x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	/* dots: single pixels, dark and light */
	for (int i = 0; i < W * H / 14; i++) {
		uint32_t r = rnd(c);
		int x = (int)(r % W), y = (int)((r >> 12) % H);
		raw[(size_t)y * (W + 1) + 1 + (size_t)x] = (unsigned char)((r >> 24) & 1 ? frand(c, 60, 150) : frand(c, 200, 255));
	}
	free(c);

	uLongf zn = compressBound((uLong)raw_n);
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t cap = 8 + 25 + 12 + zn + 12;
	unsigned char *out = malloc(cap);
	if (!out) {
		free(raw);
		return WY_ENOMEM;
	}
	memcpy(out, sig, 8);
	unsigned char ihdr[13];
	put32(ihdr, W);
	put32(ihdr + 4, H);
	ihdr[8] = 8, ihdr[9] = 0, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0; /* 8-bit grey, deflate, no interlace */
	size_t n = 8;
	n += chunk(out + n, "IHDR", ihdr, 13);
	int zrc = compress2(out + n + 8, &zn, raw, (uLong)raw_n, 6);
	free(raw);
	if (zrc != Z_OK) {
		free(out);
		return WY_ENOMEM;
	}
	n += chunk(out + n, "IDAT", out + n + 8, zn);
	n += chunk(out + n, "IEND", NULL, 0);
	*png = out;
	*size = n;
	return WY_OK;
}

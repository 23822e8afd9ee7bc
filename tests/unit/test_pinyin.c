/* Tests of the pinyin module: the generated table, the title tokens, the
 * reading of Latin queries, and the two together through the matching
 * model the store uses (here without SQL): a title is found by full pinyin
 * when one segmentation's syllables are at consecutive positions of its
 * WY_PY_FULL tokens (any alternative at a position; the last syllable as a
 * prefix when last_prefix), and by initials when the pairs are at
 * consecutive positions of its WY_PY_INITIALS tokens. */
#include "test.h"

#include "core/util.h"
#include "text/pinyin.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- the model ---- */

#define MAXPOS 128

/* A title's tokens: per position its alternatives. */
typedef struct positions {
	int n;
	int nalt[MAXPOS];
	char alt[MAXPOS][WY_PINYIN_ALTS][8];
	bool bad; /* a token broke a promise: too long, colocated first ... */
} positions;

static int collect(void *ctx, const char *text, int len, bool colocated)
{
	positions *p = ctx;
	if (len < 1 || len > 7 || (colocated && p->n == 0)) {
		p->bad = true;
		return 0;
	}
	if (!colocated) {
		if (p->n == MAXPOS)
			return 0;
		p->n++;
		p->nalt[p->n - 1] = 0;
	}
	int k = p->n - 1;
	if (p->nalt[k] == WY_PINYIN_ALTS) {
		p->bad = true;
		return 0;
	}
	memcpy(p->alt[k][p->nalt[k]], text, (size_t)len);
	p->alt[k][p->nalt[k]++][len] = 0;
	return 0;
}

static positions *title_tokens(const char *title, wy_pinyin_mode mode)
{
	static positions p[2];
	positions *q = &p[mode == WY_PY_INITIALS];
	memset(q, 0, sizeof *q);
	wy_pinyin_tokenize(title, strlen(title), mode, collect, q);
	return q;
}

static bool at(const positions *p, int pos, const char *word, bool prefix)
{
	for (int a = 0; a < p->nalt[pos]; a++)
		if (prefix ? !strncmp(p->alt[pos][a], word, strlen(word)) : !strcmp(p->alt[pos][a], word))
			return true;
	return false;
}

/* Are the n words (8 bytes apart from words on) at consecutive positions
 * of p somewhere? */
static bool phrase(const positions *p, int n, const char *words, bool last_prefix)
{
	for (int start = 0; start + n <= p->n; start++) {
		int k = 0;
		while (k < n && at(p, start + k, words + 8 * k, last_prefix && k == n - 1))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* Does the query find the title? */
static bool found(const char *title, const char *query)
{
	wy_pinyin_q q;
	if (!wy_pinyin_parse(query, strlen(query), &q))
		return false;
	const positions *full = title_tokens(title, WY_PY_FULL);
	for (int s = 0; s < q.nfull; s++)
		if (phrase(full, q.full[s].n, q.full[s].syl[0], q.full[s].last_prefix))
			return true;
	if (q.ninitials) {
		const positions *ini = title_tokens(title, WY_PY_INITIALS);
		char pairs[16][8];
		for (int i = 0; i < q.ninitials; i++)
			snprintf(pairs[i], sizeof pairs[i], "%s", q.initials[i]);
		if (phrase(ini, q.ninitials, pairs[0], false))
			return true;
	}
	return false;
}

/* Tokens joined: positions by '|', colocated alternatives by '+'. */
static int join(void *ctx, const char *text, int len, bool colocated)
{
	wy_buf *b = ctx;
	if (b->len)
		wy_buf_putc(b, colocated ? '+' : '|');
	wy_buf_append(b, text, (size_t)len);
	return 0;
}

static char *toks(const char *s, size_t len, wy_pinyin_mode mode)
{
	static char out[4096];
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_pinyin_tokenize(s, len, mode, join, &b);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	wy_buf_free(&b);
	return out;
}

#define TOKS(s, mode) toks(s, strlen(s), mode)

/* A segmentation as "a b c" ("*" after a prefix). */
static char *seg_str(const wy_pinyin_seg *g)
{
	static char out[WY_PINYIN_SEGS][300];
	static int turn;
	char *o = out[turn++ % WY_PINYIN_SEGS];
	o[0] = 0;
	for (int i = 0; i < g->n; i++) {
		strcat(o, i ? " " : "");
		strcat(o, g->syl[i]);
	}
	if (g->last_prefix)
		strcat(o, "*");
	return o;
}

static bool has_seg(const wy_pinyin_q *q, const char *want)
{
	for (int i = 0; i < q->nfull; i++)
		if (!strcmp(seg_str(&q->full[i]), want))
			return true;
	return false;
}

/* ---- the table ---- */

static char *readings(uint32_t cp)
{
	static char out[64];
	const char *r[WY_PINYIN_ALTS];
	int n = wy_pinyin_readings(cp, r);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, r[i]);
	}
	return out;
}

TEST(table_is_whole)
{
	/* Unihan 15 gives over 41000 code points a Mandarin reading */
	ASSERT(wy_pinyin_codepoint_count() > 40000);
	int n = wy_pinyin_syllable_count();
	ASSERT(n > 400 && n < 600);
	for (int i = 0; i < n; i++) {
		const char *y = wy_pinyin_syllable(i);
		size_t len = strlen(y);
		ASSERT(len >= 1 && len <= 7);
		for (size_t k = 0; k < len; k++)
			ASSERT(y[k] >= 'a' && y[k] <= 'z');
		if (i)
			ASSERT(strcmp(wy_pinyin_syllable(i - 1), y) < 0);
		ASSERT(wy_pinyin_is_syllable(y, len));
	}
	ASSERT(wy_pinyin_syllable(n) == NULL && wy_pinyin_syllable(-1) == NULL);
	ASSERT(!wy_pinyin_is_syllable("zh", 2));
	ASSERT(!wy_pinyin_is_syllable("zhongg", 6));
	ASSERT(!wy_pinyin_is_syllable("zh\0ng", 5));
	/* every reading of every code point is a syllable of the table, at
	 * most 4, no two alike */
	int cps = 0;
	for (uint32_t cp = 0; cp < 0x110000; cp++) {
		const char *r[WY_PINYIN_ALTS];
		int k = wy_pinyin_readings(cp, r);
		ASSERT(k >= 0 && k <= WY_PINYIN_ALTS);
		cps += k > 0;
		for (int i = 0; i < k; i++) {
			ASSERT(wy_pinyin_is_syllable(r[i], strlen(r[i])));
			for (int j = 0; j < i; j++)
				ASSERT(strcmp(r[i], r[j]) != 0);
		}
	}
	ASSERT_EQ(cps, wy_pinyin_codepoint_count());
}

TEST(readings)
{
	ASSERT_STR_EQ(readings(0x4E2D), "zhong");            /* 中 */
	ASSERT_STR_EQ(readings(0x7EFF), "lv lu");            /* 绿: ü is v, then u */
	ASSERT_STR_EQ(readings(0x7565), "lve lue");          /* 略 */
	ASSERT_STR_EQ(readings(0x91CD), "zhong chong tong"); /* 重: kMandarin, Pinlu, HYPY */
	ASSERT_STR_EQ(readings(0x957F), "zhang chang");      /* 长 */
	ASSERT_STR_EQ(readings(0x9577), "zhang chang");      /* 長, Traditional */
	ASSERT_STR_EQ(readings(0x6703), "hui kuai kuo");     /* 會 */
	ASSERT_STR_EQ(readings(0x884C), "xing hang heng");   /* 行 */
	ASSERT_STR_EQ(readings(0x897F), "xi");               /* 西: Pinlu's neutral xi and xī are one */
	ASSERT(readings(0x3400)[0]);                         /* extension A */
	ASSERT(readings(0x20000)[0]);                        /* extension B */
	ASSERT_STR_EQ(readings('A'), "");
	ASSERT_STR_EQ(readings(0x3002), ""); /* 。 */
	ASSERT_STR_EQ(readings(0xAC00), ""); /* 가 */
	ASSERT_STR_EQ(readings(0x10FFFF), "");
	ASSERT_STR_EQ(readings(0xFFFFFFFFu), "");
}

/* ---- title tokens ---- */

TEST(full_tokens)
{
	/* 年 also reads ning in the Hanyu Da Zidian (kHanyuPinyin) */
	ASSERT_STR_EQ(TOKS("2023年双拥工作", WY_PY_FULL), "nian+ning|shuang|yong|gong|zuo");
	ASSERT_STR_EQ(TOKS("重庆", WY_PY_FULL), "zhong+chong+tong|qing");
	ASSERT_STR_EQ(TOKS("绿色", WY_PY_FULL), "lv+lu|se+shai");
	/* everything without a reading is skipped, invalid bytes too */
	ASSERT_STR_EQ(TOKS("\xff重 (\xc0庆) ok", WY_PY_FULL), "zhong+chong+tong|qing");
	ASSERT_STR_EQ(TOKS("hello, world", WY_PY_FULL), "");
	ASSERT_STR_EQ(TOKS("", WY_PY_FULL), "");
}

TEST(initial_tokens)
{
	/* 重 z c t, 庆 q: the combinations, then the last one's initial */
	ASSERT_STR_EQ(TOKS("重庆", WY_PY_INITIALS), "zq+cq+tq|q");
	ASSERT_STR_EQ(TOKS("2023年双拥工作", WY_PY_INITIALS), "ns|sy|yg|gz|z");
	ASSERT_STR_EQ(TOKS("中", WY_PY_INITIALS), "z");
	/* 行 x h, 长 z c: four of the four, by rank */
	ASSERT_STR_EQ(TOKS("行长", WY_PY_INITIALS), "xz+xc+hz+hc|z+c");
	/* 重 z c t and 會 h k: six combinations, four kept */
	ASSERT_STR_EQ(TOKS("重會", WY_PY_INITIALS), "zh+zk+ch+ck|h+k");
	ASSERT_STR_EQ(TOKS("abc", WY_PY_INITIALS), "");
}

TEST(query_tokens)
{
	ASSERT_STR_EQ(TOKS("shuang yong  GONG", WY_PY_QUERY), "shuang|yong|gong");
	ASSERT_STR_EQ(TOKS("sy yg gz", WY_PY_QUERY), "sy|yg|gz");
	ASSERT_STR_EQ(TOKS("\"abc\" OR x1*", WY_PY_QUERY), "abc|or|x1");
	ASSERT_STR_EQ(TOKS("中文 \xff", WY_PY_QUERY), "");
	char longw[200];
	memset(longw, 'a', sizeof longw);
	ASSERT_EQ(strlen(toks(longw, sizeof longw, WY_PY_QUERY)), WY_PINYIN_WORD_MAX);
}

static int stop_at(void *ctx, const char *text, int len, bool colocated)
{
	(void)text;
	(void)len;
	(void)colocated;
	int *left = ctx;
	return --*left == 0 ? 42 : 0;
}

TEST(callback_stops)
{
	for (int m = WY_PY_FULL; m <= WY_PY_QUERY; m++) {
		int left = 2;
		const char *s = m == WY_PY_QUERY ? "a b c d" : "重庆重庆";
		ASSERT_EQ(wy_pinyin_tokenize(s, strlen(s), (wy_pinyin_mode)m, stop_at, &left), 42);
		ASSERT_EQ(left, 0);
	}
}

/* ---- queries ---- */

TEST(parse)
{
	wy_pinyin_q q;
	ASSERT(wy_pinyin_parse("shuangyonggongzuo", 17, &q));
	ASSERT(q.nfull >= 1);
	ASSERT_STR_EQ(seg_str(&q.full[0]), "shuang yong gong zuo");
	ASSERT_EQ(q.ninitials, 0); /* 17 letters: too many for initials */

	/* fewest syllables first, then longest-first */
	ASSERT(wy_pinyin_parse("xian", 4, &q));
	ASSERT_EQ(q.nfull, 3);
	ASSERT_STR_EQ(seg_str(&q.full[0]), "xian");
	ASSERT(has_seg(&q, "xi an"));
	ASSERT_EQ(q.ninitials, 3);
	ASSERT_STR_EQ(q.initials[0], "xi");
	ASSERT_STR_EQ(q.initials[2], "an");

	/* a typed boundary is hard, straight or curly */
	ASSERT(wy_pinyin_parse("xi'an", 5, &q));
	ASSERT_STR_EQ(seg_str(&q.full[0]), "xi an");
	for (int i = 0; i < q.nfull; i++)
		ASSERT(strcmp(seg_str(&q.full[i]), "xian") != 0);
	ASSERT(wy_pinyin_parse("Xi\xe2\x80\x99"
	                       "an",
	                       7, &q));
	ASSERT_STR_EQ(seg_str(&q.full[0]), "xi an");

	/* someone still typing: the last syllable a prefix */
	ASSERT(wy_pinyin_parse("chongq", 6, &q));
	ASSERT_STR_EQ(seg_str(&q.full[0]), "chong q*");
	ASSERT(q.full[0].last_prefix);
	ASSERT(wy_pinyin_parse("zhongguoren", 11, &q));
	ASSERT_STR_EQ(seg_str(&q.full[0]), "zhong guo ren");
	ASSERT(!q.full[0].last_prefix);

	/* initials only */
	ASSERT(wy_pinyin_parse("sygz", 4, &q));
	ASSERT_EQ(q.nfull, 0);
	ASSERT_EQ(q.ninitials, 3);
	ASSERT_STR_EQ(q.initials[0], "sy");
	ASSERT_STR_EQ(q.initials[1], "yg");
	ASSERT_STR_EQ(q.initials[2], "gz");
	ASSERT(wy_pinyin_parse("CQ", 2, &q));
	ASSERT_EQ(q.ninitials, 1);
	ASSERT_STR_EQ(q.initials[0], "cq");

	/* 16 letters have initials, 17 not */
	ASSERT(wy_pinyin_parse("bcdfghjklmnpqrst", 16, &q));
	ASSERT_EQ(q.ninitials, 15);
	ASSERT_EQ(q.nfull, 0);
	ASSERT(!wy_pinyin_parse("bcdfghjklmnpqrstw", 17, &q));
	ASSERT_EQ(q.ninitials + q.nfull, 0);
}

TEST(parse_refuses_junk)
{
	wy_pinyin_q q;
	const char *junk[] = {"hello123", "中文", "a", "", "  ", "'", "x y1", "zhong-guo", "a\0b"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		size_t len = i == 8 ? 3 : strlen(junk[i]);
		ASSERT(!wy_pinyin_parse(junk[i], len, &q));
		ASSERT_EQ(q.nfull, 0);
		ASSERT_EQ(q.ninitials, 0);
	}
	char big[201];
	memset(big, 'a', 200);
	big[200] = 0;
	ASSERT(!wy_pinyin_parse(big, 200, &q));
	/* 63 letters qualify; 63 a's need 63 syllables, more than fit */
	ASSERT(!wy_pinyin_parse(big, 63, &q));
	ASSERT(!wy_pinyin_parse(big, 64, &q));
	/* 62 letters of syllables: 31 fit */
	char ok[63] = {0};
	for (int i = 0; i < 31; i++)
		memcpy(ok + 2 * i, "ma", 2);
	ASSERT(wy_pinyin_parse(ok, 62, &q));
	ASSERT_EQ(q.full[0].n, 31);
	ASSERT(!found("重庆", "hello123"));
	ASSERT(!found("重庆", "中文"));
	ASSERT(!found("重庆", "a"));
	ASSERT(!found("重庆", big));
}

/* ---- end to end, through the model ---- */

TEST(titles_are_found)
{
	const char *t = "2023年双拥工作会议上的讲话";
	ASSERT(found(t, "shuangyonggongzuo"));
	ASSERT(found(t, "shuang yong gong zuo"));
	ASSERT(found(t, "ShuangYong"));
	ASSERT(found(t, "sygz"));
	ASSERT(found(t, "sygzhy"));
	ASSERT(found(t, "huiyishang"));
	ASSERT(found(t, "jianghua"));
	ASSERT(found(t, "jiangh")); /* still typing */

	ASSERT(found("重庆", "chongqing"));
	ASSERT(found("重庆", "cq"));
	ASSERT(found("重庆", "zhongqing"));
	ASSERT(found("绿色", "lvse"));
	ASSERT(found("绿色", "luse"));
	ASSERT(found("西安", "xi'an"));
	ASSERT(found("西安", "xian"));
	ASSERT(found("长城", "changcheng"));
	ASSERT(found("长城", "cc"));
	ASSERT(found("會議記錄", "huiyijilu"));
	ASSERT(found("會議記錄", "hyjl"));
}

TEST(titles_are_not_found)
{
	const char *t = "2023年双拥工作会议上的讲话";
	ASSERT(!found(t, "chongqing"));
	ASSERT(!found(t, "gongzuoshuang")); /* order counts */
	ASSERT(!found(t, "syzg"));
	ASSERT(!found(t, "shuangyonggongzuohuiyia")); /* "a" is no prefix of shang */
	ASSERT(!found("长城", "chongqing"));
	ASSERT(!found("西安", "xiang"));
	ASSERT(!found("重庆", "zhongqin")); /* complete qin is not qing */
	ASSERT(!found("hello world", "hw"));
}

TEST_LIST(T(table_is_whole), T(readings), T(full_tokens), T(initial_tokens), T(query_tokens), T(callback_stops),
          T(parse), T(parse_refuses_junk), T(titles_are_found), T(titles_are_not_found))

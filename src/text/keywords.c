/* keywords: candidate n-grams counted in an open-addressing table, pruned
 * to maximal repeats, ranked by tf-idf (see keywords.h). */
#include "text/keywords.h"

#include "core/util.h"
#include "text/tokenize.h"
#include "text/utf8.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 4
#define SLOTS (1u << 17) /* distinct candidates kept at most: SLOTS / 2 */

typedef struct cand {
	uint32_t off;   /* of its UTF-8 in the pool; 0 = empty slot */
	uint16_t len;   /* bytes */
	uint8_t chars;  /* characters (0 for a Latin word) */
	uint32_t tf;
	uint32_t covered; /* the largest tf of a longer candidate holding it */
} cand;

struct wy_keywords {
	cand *slot;
	uint32_t used;
	wy_buf pool;
	size_t seen;
	/* the CJK run being read: its last MAX_N - 1 characters */
	uint32_t run[MAX_N];
	int runlen;
	/* the Latin word being read */
	char word[WY_TOKEN_MAX];
	int wlen;
	bool wlong;
};

wy_keywords *wy_keywords_new(void)
{
	wy_keywords *k = wy_xcalloc(1, sizeof *k);
	k->slot = wy_xcalloc(SLOTS, sizeof *k->slot);
	wy_buf_init(&k->pool, 0);
	wy_buf_putc(&k->pool, 0); /* offset 0 means empty */
	return k;
}

void wy_keywords_free(wy_keywords *k)
{
	if (!k)
		return;
	free(k->slot);
	wy_buf_free(&k->pool);
	free(k);
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static cand *find(wy_keywords *k, const char *s, size_t n, bool add)
{
	uint32_t i = hash(s, n) & (SLOTS - 1);
	for (;;) {
		cand *c = &k->slot[i];
		if (!c->off) {
			if (!add || k->used >= SLOTS / 2)
				return NULL;
			c->off = (uint32_t)k->pool.len;
			c->len = (uint16_t)n;
			wy_buf_append(&k->pool, s, n);
			k->used++;
			return c;
		}
		if (c->len == n && memcmp(k->pool.data + c->off, s, n) == 0)
			return c;
		i = (i + 1) & (SLOTS - 1);
	}
}

/* Function characters no word begins (first) or ends (!first) with. */
static bool stop_char(uint32_t c, bool first)
{
	static const char *const both = "的了和与及或也就都而着吗呢吧啊之其得于让";
	static const char *const start_only = "等被把";
	static const char *const end_only = "是在";
	const char *lists[2] = {both, first ? start_only : end_only};
	for (int l = 0; l < 2; l++) {
		const char *p = lists[l], *end = p + strlen(p);
		while (p < end)
			if ((uint32_t)wy_utf8_decode(&p, end) == c)
				return true;
	}
	return false;
}

static void count_ngrams(wy_keywords *k)
{
	/* the n-grams ending at the run's newest character */
	int have = k->runlen < MAX_N ? k->runlen : MAX_N;
	for (int n = 2; n <= have; n++) {
		const uint32_t *g = k->run + (MAX_N - n);
		if (stop_char(g[0], true) || stop_char(g[n - 1], false))
			continue;
		char u[4 * MAX_N];
		size_t len = 0;
		for (int i = 0; i < n; i++)
			len += (size_t)wy_utf8_encode(g[i], u + len);
		cand *c = find(k, u, len, true);
		if (c) {
			c->chars = (uint8_t)n;
			c->tf++;
		}
	}
}

static void end_word(wy_keywords *k)
{
	int letters = 0;
	for (int i = 0; i < k->wlen; i++)
		letters += (k->word[i] >= 'a' && k->word[i] <= 'z');
	if (!k->wlong && k->wlen >= 3 && letters >= 3) {
		cand *c = find(k, k->word, (size_t)k->wlen, true);
		if (c)
			c->tf++;
	}
	k->wlen = 0;
	k->wlong = false;
}

void wy_keywords_add(wy_keywords *k, const char *text, size_t len)
{
	if (k->seen >= WY_KEYWORDS_TEXT_MAX)
		return;
	if (len > WY_KEYWORDS_TEXT_MAX - k->seen)
		len = wy_utf8_truncate(text, len, WY_KEYWORDS_TEXT_MAX - k->seen);
	k->seen += len;
	const char *p = text, *end = text + len;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		uint32_t f[4];
		int nf = cp < 0 ? 0 : wy_fold_cp((uint32_t)cp, f);
		if (nf == 0 && cp >= 0)
			continue;
		uint32_t c = nf ? f[0] : ' ';
		if (wy_tok_is_cjk(c)) {
			if (k->wlen)
				end_word(k);
			memmove(k->run, k->run + 1, (MAX_N - 1) * sizeof k->run[0]);
			k->run[MAX_N - 1] = c;
			k->runlen++;
			count_ngrams(k);
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			k->runlen = 0;
			if (k->wlen < (int)sizeof k->word)
				k->word[k->wlen++] = (char)c;
			else
				k->wlong = true;
		} else {
			k->runlen = 0;
			if (k->wlen)
				end_word(k);
		}
	}
}

/* Words too common to say what a text is about, whatever the library. */
static bool stop_word(const char *s, size_t n)
{
	static const char *const words[] = {
		"能够", "可以", "我们", "他们", "你们", "这个", "那个", "一个", "没有", "因为", "所以", "但是", "如果",
		"已经", "还是", "就是", "不是", "这些", "那些", "什么", "怎么", "自己", "进行", "通过", "以及", "其中",
		"the", "and", "for", "with", "that", "this", "from", "are", "was", "were", "have", "has", "not", "but",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

typedef struct ranked {
	const cand *c;
	double score;
} ranked;

static int by_score(const void *a, const void *b)
{
	double x = ((const ranked *)a)->score, y = ((const ranked *)b)->score;
	return x > y ? -1 : x < y;
}

/* The first and the last (chars-1)-gram of a CJK candidate. */
static void sub_grams(wy_keywords *k, const cand *c, cand **pre, cand **suf)
{
	const char *s = k->pool.data + c->off, *end = s + c->len, *p = s;
	wy_utf8_decode(&p, end); /* p: after the first character */
	const char *q = end;
	do
		q--;
	while (q > s && ((unsigned char)*q & 0xC0) == 0x80); /* q: the last character */
	*pre = find(k, s, (size_t)(q - s), false);
	*suf = find(k, p, (size_t)(end - p), false);
}

char *wy_keywords_pick(wy_keywords *k, int want, wy_df_fn df, void *ctx, int64_t npages)
{
	if (k->wlen)
		end_word(k);
	/* longer candidates cover the shorter ones inside them */
	for (int n = MAX_N; n > 2; n--)
		for (uint32_t i = 0; i < SLOTS; i++) {
			cand *c = &k->slot[i];
			if (!c->off || c->chars != n || c->tf < 2)
				continue;
			cand *pre, *suf;
			sub_grams(k, c, &pre, &suf);
			if (pre && pre->covered < c->tf)
				pre->covered = c->tf;
			if (suf && suf->covered < c->tf)
				suf->covered = c->tf;
		}
	/* candidates: repeated, not mostly inside a longer one */
	int n = 0, cap = 256;
	ranked *r = wy_xmalloc((size_t)cap * sizeof *r);
	for (uint32_t i = 0; i < SLOTS; i++) {
		const cand *c = &k->slot[i];
		if (!c->off || c->tf < 2 || c->covered * 4 >= c->tf * 3 || stop_word(k->pool.data + c->off, c->len))
			continue;
		if (n == cap) {
			cap *= 2;
			r = wy_xrealloc(r, (size_t)cap * sizeof *r);
		}
		r[n].c = c;
		r[n].score = (1 + log((double)c->tf)) * (1 + 0.2 * (c->chars > 2 ? c->chars - 2 : 0));
		n++;
	}
	/* the most frequent few get the library's counts (a count is an index
	 * lookup that reads the term's doclist: a few milliseconds for a
	 * common one in a large library) */
	qsort(r, (size_t)n, sizeof *r, by_score);
	if (n > 30)
		n = 30;
	for (int i = 0; i < n; i++) {
		const cand *c = r[i].c;
		const char *s = k->pool.data + c->off, *end = s + c->len;
		int64_t d = INT64_MAX;
		if (!c->chars) {
			char term[WY_TOKEN_MAX + 1];
			memcpy(term, s, c->len);
			term[c->len] = 0;
			d = df ? df(ctx, term) : 0;
		} else {
			/* an n-gram is on at most as many pages as its rarest bigram */
			const char *p = s;
			while (p < end) {
				const char *a = p;
				wy_utf8_decode(&p, end);
				const char *b = p;
				if (b >= end)
					break;
				wy_utf8_decode(&b, end);
				char term[16];
				size_t tl = (size_t)(b - a);
				memcpy(term, a, tl);
				term[tl] = 0;
				int64_t v = df ? df(ctx, term) : 0;
				if (v < d)
					d = v;
			}
			if (d == INT64_MAX)
				d = 0;
		}
		r[i].score *= log((double)(npages + 1) / (double)(d + 1)) + 1.0;
	}
	qsort(r, (size_t)n, sizeof *r, by_score);
	wy_buf out;
	wy_buf_init(&out, 0);
	const cand *picked[32];
	int np = 0;
	for (int i = 0; i < n && np < want && np < 32; i++) {
		const char *s = k->pool.data + r[i].c->off;
		bool inside = false;
		for (int j = 0; j < np && !inside; j++)
			inside = memmem(k->pool.data + picked[j]->off, picked[j]->len, s, r[i].c->len) ||
				 memmem(s, r[i].c->len, k->pool.data + picked[j]->off, picked[j]->len);
		if (inside)
			continue;
		picked[np++] = r[i].c;
		if (out.len)
			wy_buf_putc(&out, ' ');
		wy_buf_append(&out, s, r[i].c->len);
	}
	free(r);
	return out.len ? wy_buf_steal(&out) : (wy_buf_free(&out), wy_xstrdup(""));
}

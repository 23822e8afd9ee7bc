/* query: parsing user queries into clauses of index tokens, and finding
 * their hits in text for snippets and for marking pages (see query.h). No
 * engine's syntax is made here: each store backend builds its own from the
 * clauses. */
#include "text/query.h"

#include "core/util.h"
#include "text/pinyin.h"
#include "text/tokenize.h"
#include "text/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef wy_qtok qtok;
typedef wy_qclause clause;

/* A term of relaxed matching: one distinct token of the clauses that are
 * not excluded. */
typedef struct term {
	qtok tok;
} term;

struct wy_query {
	clause c[WY_QUERY_CLAUSES];
	int n;
	term terms[WY_QUERY_TERMS];
	int nterms;
	/* the term of each token of each clause (-1: none) */
	signed char term_of[WY_QUERY_CLAUSES][WY_QUERY_TOKENS];
	int npos; /* clauses that are not excluded */
	bool has_neg, has_quoted;
	bool pinyin_ok;
	wy_pinyin_q pinyin;
	char *display;
};

static bool is_space(int cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
	       cp == 0x3000 || cp == 0;
}

/* The closing quote for an opening one, or 0. */
static int quote_close(int cp)
{
	switch (cp) {
	case '"': return '"';
	case 0x201C: return 0x201D; /* “ ” */
	case 0x300C: return 0x300D; /* 「 」 */
	case 0x300E: return 0x300F; /* 『 』 */
	case 0xFF02: return 0xFF02; /* ＂ */
	default: return 0;
	}
}

static int collect(void *ctx, const wy_token *t)
{
	clause *c = ctx;
	if (t->kind == WY_TOK_UNIGRAM)
		return 0; /* the index's synonyms: a clause is matched by position */
	if (t->kind == WY_TOK_BRIDGE && c->ntok)
		c->ntok--; /* the bridge, not the run's end, at that position: the
			    * clause reads through the separators as a query does */
	if (c->ntok >= WY_QUERY_TOKENS)
		return 1; /* stop: the rest of an overlong clause is dropped */
	qtok *q = &c->tok[c->ntok++];
	memcpy(q->text, t->text, (size_t)t->len);
	q->text[t->len] = 0;
	q->len = t->len;
	q->prefix = false;
	q->kind = t->kind;
	return 0;
}

/* Tokenize one clause as the index is. The run-final single character that
 * the index adds (a TAIL) is kept inside the clause, where the index has it
 * too, but dropped at the clause's end: whatever follows a bigram there
 * starts with its last character anyway. A clause ending in a lone CJK
 * character matches it at the start of any token (the index has each
 * character as a synonym at its bigram's position). */
static void add_clause(wy_query *q, const char *s, size_t len, bool neg, bool quoted, wy_buf *display)
{
	if (q->n >= WY_QUERY_CLAUSES || !len)
		return;
	clause *c = &q->c[q->n];
	memset(c, 0, sizeof *c);
	c->neg = neg;
	c->quoted = quoted;
	wy_tokenize(s, len, WY_TOK_INDEX, collect, c);
	if (c->ntok && (c->tok[c->ntok - 1].kind == WY_TOK_TAIL ||
			(c->ntok > 1 && c->tok[c->ntok - 1].kind == WY_TOK_SINGLE && c->tok[c->ntok - 2].kind == WY_TOK_BRIDGE)))
		c->ntok--;
	else if (c->ntok && c->tok[c->ntok - 1].kind == WY_TOK_SINGLE)
		c->tok[c->ntok - 1].prefix = true;
	if (!c->ntok)
		return;
	/* The same clause twice asks nothing new and doubles the work: a
	 * query of ten copies of one long phrase is one phrase. */
	for (int i = 0; i < q->n; i++) {
		const clause *o = &q->c[i];
		bool same = o->neg == c->neg && o->ntok == c->ntok;
		for (int k = 0; same && k < c->ntok; k++)
			same = o->tok[k].prefix == c->tok[k].prefix && strcmp(o->tok[k].text, c->tok[k].text) == 0;
		if (same) {
			q->c[i].quoted |= c->quoted; /* the stricter of the two */
			return;
		}
	}
	q->n++;
	/* for display: the clause as typed, control characters out */
	if (display->len)
		wy_buf_putc(display, ' ');
	if (neg)
		wy_buf_putc(display, '-');
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *at = p;
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0x20 || cp == 0x7F || cp == '"')
			continue;
		wy_buf_append(display, at, (size_t)(p - at));
	}
}

/* The distinct tokens of the clauses that are not excluded, in order; a
 * clause's lone final character is a term as the character itself (the
 * index has every character at its bigram's position). */
static void collect_terms(wy_query *q)
{
	memset(q->term_of, -1, sizeof q->term_of);
	for (int i = 0; i < q->n; i++) {
		const clause *c = &q->c[i];
		if (c->neg || c->quoted)
			continue;
		for (int k = 0; k < c->ntok; k++) {
			const qtok *t = &c->tok[k];
			if (t->kind == WY_TOK_TAIL)
				continue; /* its bigram before it says as much */
			int j = 0;
			while (j < q->nterms && strcmp(q->terms[j].tok.text, t->text) != 0)
				j++;
			if (j == q->nterms) {
				if (q->nterms == WY_QUERY_TERMS)
					continue;
				q->terms[j].tok = *t;
				/* a lone character is found anywhere: at the
				 * start of any token, in the text as in the
				 * index (where it is each bigram's synonym) */
				q->terms[j].tok.prefix = t->kind == WY_TOK_SINGLE;
				q->nterms++;
			}
			q->term_of[i][k] = (signed char)j;
		}
	}
}

wy_query *wy_query_parse(const char *s, size_t len)
{
	wy_query *q = wy_xcalloc(1, sizeof *q);
	if (!s)
		len = 0;
	len = wy_utf8_truncate(s, len, WY_QUERY_MAX);
	wy_buf display;
	wy_buf_init(&display, 0);
	const char *p = s, *end = s + len;
	while (p < end && q->n < WY_QUERY_CLAUSES) {
		const char *at = p;
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0 || is_space(cp))
			continue;
		bool neg = false;
		if (cp == '-' || cp == 0xFF0D) {
			if (p >= end)
				break;
			neg = true;
			at = p;
			cp = wy_utf8_decode(&p, end);
			if (cp < 0 || is_space(cp))
				continue;
		}
		int close = quote_close(cp);
		const char *cs, *ce;
		if (close) {
			cs = p;
			ce = end;
			while (p < end) {
				const char *q0 = p;
				int c2 = wy_utf8_decode(&p, end);
				if (c2 == close || (close != '"' && c2 == '"')) {
					ce = q0;
					break;
				}
			}
		} else {
			cs = at;
			ce = end;
			while (p < end) {
				const char *q0 = p;
				int c2 = wy_utf8_decode(&p, end);
				if (c2 >= 0 && (is_space(c2) || quote_close(c2))) {
					ce = q0;
					p = q0; /* a quote starts the next clause */
					if (is_space(c2))
						wy_utf8_decode(&p, end);
					break;
				}
			}
		}
		add_clause(q, cs, (size_t)(ce - cs), neg, close != 0, &display);
	}
	q->display = wy_buf_steal(&display);
	q->pinyin_ok = wy_pinyin_parse(s, len, &q->pinyin);
	collect_terms(q);
	for (int i = 0; i < q->n; i++) {
		q->has_neg |= q->c[i].neg;
		q->has_quoted |= !q->c[i].neg && q->c[i].quoted;
		q->npos += !q->c[i].neg;
	}
	return q;
}

void wy_query_free(wy_query *q)
{
	if (!q)
		return;
	free(q->display);
	free(q);
}

bool wy_query_searchable(const wy_query *q) { return q && q->npos > 0; }
int wy_query_count(const wy_query *q) { return q ? q->n : 0; }
const wy_qclause *wy_query_clause(const wy_query *q, int i) { return q && i >= 0 && i < q->n ? &q->c[i] : NULL; }
int wy_query_nclauses(const wy_query *q) { return q ? q->npos : 0; }
bool wy_query_has_excluded(const wy_query *q) { return q && q->has_neg; }
bool wy_query_has_quoted(const wy_query *q) { return q && q->has_quoted; }
const char *wy_query_display(const wy_query *q) { return q && q->display ? q->display : ""; }
int wy_query_nterms(const wy_query *q) { return q ? q->nterms : 0; }
const char *wy_query_term(const wy_query *q, int i) { return q && i >= 0 && i < q->nterms ? q->terms[i].tok.text : NULL; }
const wy_qtok *wy_query_term_tok(const wy_query *q, int i) { return q && i >= 0 && i < q->nterms ? &q->terms[i].tok : NULL; }
const wy_pinyin_q *wy_query_pinyin(const wy_query *q) { return q && q->pinyin_ok ? &q->pinyin : NULL; }

/* The tokens of a text, for matching clauses against it. */
typedef struct ttok {
	size_t start, end;
	uint32_t off;            /* of its folded text in the pool */
	uint8_t len;
	/* the bridge at the same position (alen 0: none) */
	uint8_t alen;
	uint32_t aoff;
	size_t aend;
} ttok;

typedef struct tlist {
	ttok *t;
	int n, alloc;
	wy_buf pool;
	int max;
} tlist;

static int gather(void *ctx, const wy_token *t)
{
	tlist *l = ctx;
	if (t->kind == WY_TOK_UNIGRAM)
		return 0; /* matched as a prefix of its bigram instead */
	if (t->kind == WY_TOK_BRIDGE) {
		if (l->n) {
			ttok *k = &l->t[l->n - 1];
			k->aoff = (uint32_t)l->pool.len;
			k->alen = (uint8_t)t->len;
			k->aend = t->end;
			wy_buf_append(&l->pool, t->text, (size_t)t->len);
		}
		return 0;
	}
	if (l->n >= l->max)
		return 1;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 256;
		l->t = wy_xrealloc(l->t, (size_t)l->alloc * sizeof *l->t);
	}
	ttok *k = &l->t[l->n++];
	k->start = t->start;
	k->end = t->end;
	k->off = (uint32_t)l->pool.len;
	k->len = (uint8_t)t->len;
	k->alen = 0;
	wy_buf_append(&l->pool, t->text, (size_t)t->len);
	return 0;
}

static bool text_eq(const char *t, int len, const qtok *q)
{
	if (q->prefix)
		return len >= q->len && memcmp(t, q->text, (size_t)q->len) == 0;
	return len == q->len && memcmp(t, q->text, (size_t)q->len) == 0;
}

/* Whether q matches the token at k: 0 no, 1 its own text, 2 its bridge. */
static int tok_eq(const tlist *l, const ttok *k, const qtok *q)
{
	if (text_eq(l->pool.data + k->off, k->len, q))
		return 1;
	return k->alen && text_eq(l->pool.data + k->aoff, k->alen, q) ? 2 : 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const wy_hit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : (x->end < y->end ? -1 : x->end > y->end);
}

/* The tokens of text[0..len) cut at limit bytes; *len is cut too. */
static void text_tokens(const char *text, size_t *len, size_t limit, tlist *l)
{
	memset(l, 0, sizeof *l);
	if (*len > limit)
		*len = wy_utf8_truncate(text, *len, limit);
	l->max = 1 << 22;
	wy_buf_init(&l->pool, 0);
	wy_tokenize(text, *len, WY_TOK_INDEX, gather, l);
}

static void tlist_free(tlist *l)
{
	free(l->t);
	wy_buf_free(&l->pool);
}

/* Sort hits, merge the overlapping, copy at most max to out; returns how
 * many there are. Frees all. */
static int hits_out(wy_hit *all, int found, wy_hit *out, int max)
{
	qsort(all, (size_t)found, sizeof *all, hit_cmp);
	int n = 0;
	for (int i = 0; i < found; i++) {
		if (n && all[i].start <= all[n - 1].end) {
			if (all[i].end > all[n - 1].end)
				all[n - 1].end = all[i].end;
			continue;
		}
		all[n++] = all[i];
	}
	memcpy(out, all, (size_t)(n < max ? n : max) * sizeof *out);
	free(all);
	return n;
}

static void hit_add(wy_hit **all, int *found, int *cap, size_t start, size_t end)
{
	if (*found == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*all = wy_xrealloc(*all, (size_t)*cap * sizeof **all);
	}
	(*all)[*found].start = start;
	(*all)[*found].end = end;
	(*found)++;
}

int wy_query_hits(const wy_query *q, const char *text, size_t len, size_t limit, wy_hit *out, int max)
{
	if (!q || !q->npos || !text || max <= 0)
		return 0;
	tlist l;
	text_tokens(text, &len, limit, &l);
	int found = 0, cap = 64;
	wy_hit *all = wy_xmalloc((size_t)cap * sizeof *all);
	for (int ci = 0; ci < q->n; ci++) {
		const clause *c = &q->c[ci];
		if (c->neg)
			continue;
		for (int i = 0; i + c->ntok <= l.n; i++) {
			int k = 0, how = 0;
			while (k < c->ntok && (how = tok_eq(&l, &l.t[i + k], &c->tok[k])))
				k++;
			if (k < c->ntok)
				continue;
			const ttok *last = &l.t[i + c->ntok - 1];
			size_t e = how == 2 ? last->aend : last->end;
			if (how == 1 && c->tok[c->ntok - 1].prefix) {
				/* a lone character matched the start of a bigram: mark
				 * just that character */
				const char *p = text + last->start;
				wy_utf8_decode(&p, text + len);
				e = (size_t)(p - text);
			}
			hit_add(&all, &found, &cap, l.t[i].start, e);
		}
	}
	tlist_free(&l);
	return hits_out(all, found, out, max);
}

/* Which term (if any) matches the token at position i: a bit per term. */
static uint64_t terms_at(const wy_query *q, const tlist *l, int i, size_t *end)
{
	uint64_t m = 0;
	for (int j = 0; j < q->nterms; j++) {
		int how = tok_eq(l, &l->t[i], &q->terms[j].tok);
		if (how) {
			m |= 1ULL << j;
			if (end) {
				size_t e = how == 2 ? l->t[i].aend : l->t[i].end;
				if (e > *end)
					*end = e;
			}
		}
	}
	return m;
}

int wy_query_hits_relaxed(const wy_query *q, const char *text, size_t len, size_t limit, wy_hit *out, int max)
{
	if (!q || !q->nterms || !text || max <= 0)
		return 0;
	tlist l;
	text_tokens(text, &len, limit, &l);
	int found = 0, cap = 0;
	wy_hit *all = NULL;
	for (int i = 0; i < l.n; i++) {
		size_t e = 0;
		if (terms_at(q, &l, i, &e))
			hit_add(&all, &found, &cap, l.t[i].start, e);
	}
	tlist_free(&l);
	if (!found) {
		free(all);
		return 0;
	}
	return hits_out(all, found, out, max);
}

void wy_query_cover(const wy_query *q, const double *weight, const char *text, size_t len, size_t limit,
		    wy_cover *out)
{
	memset(out, 0, sizeof *out);
	if (!q || !q->nterms || !text)
		return;
	tlist l;
	text_tokens(text, &len, limit, &l);
	uint64_t seen = 0, prev = 0;
	/* a pair of a clause's consecutive terms, found at consecutive
	 * positions of the text: a bit per pair (clause i, token k) */
	uint64_t pairs_seen[WY_QUERY_CLAUSES] = {0};
	for (int i = 0; i < l.n; i++) {
		uint64_t m = terms_at(q, &l, i, NULL);
		seen |= m;
		if (m && prev)
			for (int c = 0; c < q->n; c++)
				for (int k = 0; k + 1 < q->c[c].ntok && k < 63; k++) {
					int a = q->term_of[c][k], b = q->term_of[c][k + 1];
					if (a >= 0 && b >= 0 && (prev >> a & 1) && (m >> b & 1))
						pairs_seen[c] |= 1ULL << k;
				}
		prev = m;
	}
	tlist_free(&l);
	double all = 0, got = 0;
	for (int j = 0; j < q->nterms; j++) {
		double w = weight ? weight[j] : 1.0;
		all += w;
		if (seen >> j & 1) {
			got += w;
			out->found++;
		}
	}
	out->share = all > 0 ? got / all : 0;
	int npairs = 0, found = 0;
	for (int c = 0; c < q->n; c++)
		for (int k = 0; k + 1 < q->c[c].ntok && k < 63; k++)
			if (q->term_of[c][k] >= 0 && q->term_of[c][k + 1] >= 0) {
				npairs++;
				found += (int)(pairs_seen[c] >> k & 1);
			}
	out->order = npairs ? (double)found / npairs : out->share;
	/* the characters: token k of a clause stands at its character k, a
	 * bigram covering k and k + 1 */
	int nchars = 0, covered = 0;
	for (int c = 0; c < q->n; c++) {
		const clause *cl = &q->c[c];
		if (cl->neg || cl->quoted || !cl->ntok)
			continue;
		bool cov[WY_QUERY_TOKENS + 1] = {0}, used[WY_QUERY_TOKENS + 1] = {0};
		for (int k = 0; k < cl->ntok; k++) {
			bool pair = cl->tok[k].kind == WY_TOK_BIGRAM || cl->tok[k].kind == WY_TOK_BRIDGE;
			int t = q->term_of[c][k];
			used[k] = true;
			if (pair)
				used[k + 1] = true;
			if (t >= 0 && (seen >> t & 1)) {
				cov[k] = true;
				if (pair)
					cov[k + 1] = true;
			}
		}
		for (int k = 0; k <= cl->ntok; k++) {
			nchars += used[k];
			covered += used[k] && cov[k];
		}
	}
	out->chars = nchars ? (double)covered / nchars : 0;
}

/* Byte offset of the character `chars` characters before (back) or after
 * pos. */
static size_t move_chars(const char *text, size_t len, size_t pos, int chars, bool back)
{
	while (chars-- > 0) {
		if (back) {
			if (!pos)
				break;
			pos--;
			while (pos && ((unsigned char)text[pos] & 0xC0) == 0x80)
				pos--;
		} else {
			if (pos >= len)
				break;
			pos++;
			while (pos < len && ((unsigned char)text[pos] & 0xC0) == 0x80)
				pos++;
		}
	}
	return pos;
}

void wy_snippet_make(const char *text, size_t len, const wy_hit *hits, int nhits, int width, wy_snippet *out)
{
	memset(out, 0, sizeof *out);
	if (!text)
		return;
	int lead = width / 6;
	/* the window starting at each hit; keep the one holding most hits */
	int best = -1, best_n = 0;
	for (int i = 0; i < nhits; i++) {
		size_t ws = move_chars(text, len, hits[i].start, lead, true);
		size_t we = move_chars(text, len, ws, width, false);
		int n = 0;
		for (int j = i; j < nhits && hits[j].end <= we; j++)
			n++;
		if (n > best_n) {
			best_n = n;
			best = i;
		}
	}
	size_t ws = best < 0 ? 0 : move_chars(text, len, hits[best].start, lead, true);
	size_t we = move_chars(text, len, ws, width, false);
	out->cut_before = ws > 0;
	out->cut_after = we < len;
	size_t at = ws;
	for (int j = best < 0 ? nhits : best; j < nhits && out->n < 30; j++) {
		if (hits[j].start >= we)
			break;
		size_t hs = hits[j].start < at ? at : hits[j].start;
		size_t he = hits[j].end > we ? we : hits[j].end;
		if (he <= hs)
			continue;
		if (hs > at)
			out->seg[out->n++] = (wy_snip_seg){at, hs, false};
		out->seg[out->n++] = (wy_snip_seg){hs, he, true};
		out->hits++;
		at = he;
	}
	if (at < we && out->n < 32)
		out->seg[out->n++] = (wy_snip_seg){at, we, false};
}

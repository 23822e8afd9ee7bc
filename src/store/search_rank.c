/* store/search_rank: the parts of search every backend shares
 * (search_int.h): ranking formulas and the grouping of near-duplicates. */
#include "store/search_int.h"

#include "core/util.h"

#include <math.h>
#include <stdlib.h>

double search_bm25(int tf, int len, double avg)
{
	const double k1 = 1.2, b = 0.75;
	if (tf <= 0)
		return 0;
	if (avg <= 0)
		avg = 1.0;
	return tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg));
}

double search_idf(double npages, double df) { return log(1 + npages / (df + 0.5)); }

double search_cover_score(const wy_cover *c) { return 0.7 * c->share + 0.3 * c->order; }

/* Groups of near-duplicates among the matches, as the ranked rows stream
 * by: each id seen (a match, or the original a match is flagged a
 * duplicate of) maps to the rank of the match kept for its group. An open
 * addressing table, grown at half full; a search has a few thousand
 * matches at most. */

static int *group_of(search_groups *g, int64_t id)
{
	if (!g->cap || id <= 0)
		return NULL;
	for (size_t i = (size_t)id * 2654435761u % g->cap;; i = (i + 1) % g->cap) {
		if (g->ids[i] == id)
			return &g->kept[i];
		if (!g->ids[i])
			return NULL;
	}
}

static void group_put(search_groups *g, int64_t id, int kept)
{
	if (id <= 0 || group_of(g, id))
		return;
	if (2 * (g->n + 1) > g->cap) {
		search_groups bigger = {wy_xcalloc(g->cap ? g->cap * 2 : 64, sizeof *g->ids),
				     wy_xcalloc(g->cap ? g->cap * 2 : 64, sizeof *g->kept), g->cap ? g->cap * 2 : 64, 0};
		for (size_t i = 0; i < g->cap; i++)
			if (g->ids[i])
				group_put(&bigger, g->ids[i], g->kept[i]);
		free(g->ids);
		free(g->kept);
		*g = bigger;
	}
	size_t i = (size_t)id * 2654435761u % g->cap;
	while (g->ids[i])
		i = (i + 1) % g->cap;
	g->ids[i] = id;
	g->kept[i] = kept;
	g->n++;
}

/* The match id (flagged a near-duplicate of dup_of, or 0) at the next
 * rank: its place among the results shown (at = -1 for one folded into
 * an earlier match, which lists it if it is on the page asked for), its
 * group recorded. Returns the rank kept for it. */
int search_group_match(search_groups *g, wy_search_result *out, int offset, int64_t id, int64_t dup_of)
{
	int *k = group_of(g, id);
	if (!k && dup_of)
		k = group_of(g, dup_of);
	if (!k) {
		int at = out->total++;
		group_put(g, id, at);
		group_put(g, dup_of, at);
		return at;
	}
	int kept = *k;
	group_put(g, id, kept);
	group_put(g, dup_of, kept);
	if (kept >= offset && kept - offset < out->n) {
		wy_search_hit *h = &out->items[kept - offset];
		if (h->nsimilar < WY_SEARCH_SIMILAR)
			h->similar[h->nsimilar] = id;
		h->nsimilar++;
	}
	return -1;
}

void search_groups_free(search_groups *g)
{
	free(g->ids);
	free(g->kept);
}


/* A slot for rowid: the high bits of a multiplicative hash (the low bits
 * of rowid * C depend on rowid's low bits alone, the page number, which
 * would put every title in one slot). cap is a power of two >= 2. */
static size_t slot(int64_t rowid, size_t cap)
{
	int bits = 0;
	while (((size_t)1 << bits) < cap)
		bits++;
	return (size_t)(((uint64_t)rowid * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

void search_cand_add(search_cands *s, int64_t rowid, int term)
{
	if ((s->n + 1) * 2 > s->cap) {
		search_cands g = {wy_xcalloc(s->cap ? s->cap * 2 : 1024, sizeof *g.c), s->cap ? s->cap * 2 : 1024, 0};
		for (size_t i = 0; i < s->cap; i++)
			if (s->c[i].mask) {
				size_t h = slot(s->c[i].rowid, g.cap);
				while (g.c[h].mask)
					h = (h + 1) & (g.cap - 1);
				g.c[h] = s->c[i];
				g.n++;
			}
		free(s->c);
		*s = g;
	}
	size_t h = slot(rowid, s->cap);
	while (s->c[h].mask && s->c[h].rowid != rowid)
		h = (h + 1) & (s->cap - 1);
	if (!s->c[h].mask) {
		s->c[h].rowid = rowid;
		s->n++;
	}
	s->c[h].mask |= 1ULL << term;
}

int search_cand_cmp(const void *a, const void *b)
{
	const search_cand *x = a, *y = b;
	if (x->est != y->est)
		return x->est < y->est ? 1 : -1;
	return x->rowid < y->rowid ? 1 : x->rowid > y->rowid ? -1 : 0; /* newer first */
}


/* analyze: keywords, fingerprint and near-duplicate of a converted
 * document (see analyze.h). */
#include "jobs/analyze.h"

#include "core/util.h"
#include "text/keywords.h"

#include <stdlib.h>
#include <string.h>

typedef struct df_ctx {
	wy_store *st;
	int64_t doc_id;
	int64_t own_pages; /* its pages in the index */
} df_ctx;

/* In how many pages of the rest of the library the term is: the
 * document's own pages are in the index already (published as they came,
 * or ready and being recognised) and do not count. */
static int64_t df_lookup(void *ctx, const char *term)
{
	df_ctx *d = ctx;
	int64_t df = 0, own = 0;
	if (wy_store_term_df(d->st, &term, 1, &df, NULL, NULL))
		return 0;
	if (d->own_pages && wy_store_term_df_of(d->st, d->doc_id, term, &own, NULL, NULL) == WY_OK)
		df -= own < df ? own : df;
	return df;
}

int wy_analyze(wy_store *st, int64_t doc_id, const wy_page *pages, int npages, int keyword_pages, double dup_threshold,
	       wy_analysis *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	wy_keywords *kw = wy_keywords_new();
	wy_minhash mh;
	wy_minhash_init(&mh);
	for (int i = 0; i < npages; i++) {
		const char *t = pages[i].text ? pages[i].text : "";
		size_t len = strlen(t);
		if (i < keyword_pages)
			wy_keywords_add(kw, t, len);
		wy_minhash_add(&mh, t, len);
	}
	int64_t df = 0, total = 0;
	const char *none = "";
	int rc = wy_store_term_df(st, &none, 1, &df, &total, ei);
	if (rc) {
		wy_keywords_free(kw);
		return rc;
	}
	int64_t own_pages = 0, own_df = 0;
	if ((rc = wy_store_term_df_of(st, doc_id, "", &own_df, &own_pages, ei))) {
		wy_keywords_free(kw);
		return rc;
	}
	total -= own_pages < total ? own_pages : total;
	df_ctx d = {st, doc_id, own_pages};
	out->keywords = wy_keywords_pick(kw, 8, df_lookup, &d, total);
	wy_keywords_free(kw);
	out->has_minhash = wy_minhash_finish(&mh, out->minhash);
	if (out->has_minhash && dup_threshold > 0) {
		rc = wy_store_near_duplicate(st, out->minhash, dup_threshold, doc_id, &out->dup_of, &out->similarity, ei);
		if (rc) {
			wy_analysis_clear(out);
			return rc;
		}
	}
	return WY_OK;
}

void wy_analysis_clear(wy_analysis *a)
{
	free(a->keywords);
	memset(a, 0, sizeof *a);
}

void wy_analysis_apply(const wy_analysis *a, wy_doc_result *res)
{
	res->keywords = a->keywords;
	res->minhash = a->has_minhash ? a->minhash : NULL;
	res->dup_of = a->dup_of;
}

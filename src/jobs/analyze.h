/* analyze: what the worker works out from a converted document's text
 * before publishing it: its keywords (against the library's page counts),
 * its fingerprint, and the ready document it nearly duplicates, if any.
 * Runs in the worker process (the text is already extracted: no parsing of
 * untrusted files here). */
#ifndef WY_ANALYZE_H
#define WY_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "text/minhash.h"

typedef struct wy_analysis {
	char *keywords;          /* space-separated; "" when none */
	unsigned char minhash[WY_MINHASH_BYTES];
	bool has_minhash;        /* false: too little text to fingerprint */
	int64_t dup_of;          /* 0, or the ready document it nearly duplicates */
	double similarity;       /* with dup_of */
} wy_analysis;

/* Analyze the pages of document doc_id. Keywords come from the first
 * keyword_pages pages only: they are shown to every reader, who may read
 * the preview and no further. dup_threshold (0..1] is the resemblance that
 * makes a near-duplicate (of the whole text); 0 skips the check. Errors
 * are the store's. */
int wy_analyze(wy_store *st, int64_t doc_id, const wy_page *pages, int npages, int keyword_pages, double dup_threshold,
	       wy_analysis *out, wy_errinfo *ei);
void wy_analysis_clear(wy_analysis *a);

/* Fill a result's keywords, minhash and dup_of from an analysis (pointers
 * into a, which must outlive res). */
void wy_analysis_apply(const wy_analysis *a, wy_doc_result *res);

#endif

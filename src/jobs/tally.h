/* tally: what a job's end counts for /metrics (web/metrics.c): the
 * conversion by format and outcome, its seconds as a histogram, an OCR
 * batch, a converter replaced during it. Set on the job (wy_job.counts)
 * and added by the store in the transaction that records the end, so the
 * server shows them wherever the worker runs. */
#ifndef WY_TALLY_H
#define WY_TALLY_H

#include "store/store.h"

/* The bounds of wenyuan_conversion_seconds: conversions take from a
 * fraction of a second (text) to minutes (long scans). */
#define WY_TALLY_BOUNDS 12

typedef struct wy_tally {
	wy_count c[WY_TALLY_BOUNDS + 5];
	char labels[WY_TALLY_BOUNDS + 5][256];
} wy_tally;

/* Set on j what its end counts: outcome "ready" or "failed", format the
 * one found (NULL or "": unknown), secs the time it took, restart why its
 * converter was replaced during it (NULL: it was not). The counts point
 * into t, which must outlive the store's call that records the end. */
void wy_tally_job(wy_tally *t, wy_job *j, const char *format, const char *outcome, double secs, const char *restart);

#endif

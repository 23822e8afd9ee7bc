/* jobs/collect: the recycle bin's purges and the one blob collector
 * (collect.h). */
#include "jobs/collect.h"
#include "core/log.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names freed per store transaction: the write lock is held while they
 * are checked and removed, so others wait at most this many removals. */
#define DROP_BATCH 128

void wy_refs_clear(wy_refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i]);
	free(r->items);
	memset(r, 0, sizeof *r);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

bool wy_refs_has(const wy_refs *r, const char *sha)
{
	return r->n && bsearch(&sha, r->items, r->n, sizeof *r->items, cmp_str) != NULL;
}

typedef struct refs_fill {
	wy_refs *r;
	size_t cap;
} refs_fill;

static int add_ref(void *ctx, const char *sha)
{
	refs_fill *f = ctx;
	if (f->r->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->r->items = wy_xrealloc(f->r->items, f->cap * sizeof *f->r->items);
	}
	f->r->items[f->r->n++] = wy_xstrdup(sha);
	return 0;
}

typedef struct walk {
	const wy_refs *refs;
	int (*cb)(void *, const char *, const char *, int64_t, bool);
	void *ctx;
} walk;

static int walk_blob(void *ctx, const char *sha, const char *stray, int64_t mtime)
{
	walk *w = ctx;
	return w->cb(w->ctx, sha, stray, mtime, sha && wy_refs_has(w->refs, sha));
}

int wy_collect_walk(wy_store *st, wy_blob_store *bs, wy_refs *refs,
		    int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime, bool referenced), void *ctx,
		    wy_errinfo *ei)
{
	memset(refs, 0, sizeof *refs);
	refs_fill f = {refs, 0};
	int rc = wy_store_blob_refs(st, add_ref, &f, ei);
	if (rc)
		return rc;
	qsort(refs->items, refs->n, sizeof *refs->items, cmp_str);
	size_t u = 0; /* each name once */
	for (size_t i = 0; i < refs->n; i++) {
		if (u && strcmp(refs->items[u - 1], refs->items[i]) == 0) {
			free(refs->items[i]);
			continue;
		}
		refs->items[u++] = refs->items[i];
	}
	refs->n = u;
	walk w = {refs, cb, ctx};
	return wy_blob_each(bs, walk_blob, &w, ei);
}

typedef struct dropper {
	wy_blob_store *bs;
	wy_errinfo *ei;
} dropper;

static int drop_one(void *ctx, const char *sha, int64_t older_than)
{
	dropper *d = ctx;
	bool gone = false;
	if (wy_blob_delete_old(d->bs, sha, older_than, &gone, d->ei))
		return -1;
	if (gone)
		wy_log("blob.collected", "sha=%s", sha);
	return gone;
}

int wy_collect_blobs(wy_store *st, wy_blob_store *bs, char *const *shas, int n, int64_t grace, int *removed,
		     wy_errinfo *ei)
{
	int total = 0, rc = WY_OK;
	dropper d = {bs, ei};
	for (int at = 0; at < n && !rc; at += DROP_BATCH) {
		int k = n - at < DROP_BATCH ? n - at : DROP_BATCH, got = 0;
		/* the time is read for each batch: a batch waits for the lock */
		rc = wy_store_blobs_drop(st, shas + at, k, wy_now() - grace, drop_one, &d, &got, ei);
		total += got;
	}
	if (removed)
		*removed = total;
	return rc;
}

typedef struct orphans {
	char **items;
	int n, cap;
	int64_t objects, cutoff;
} orphans;

static int note_orphan(void *ctx, const char *sha, const char *stray, int64_t mtime, bool referenced)
{
	(void)stray;
	orphans *o = ctx;
	if (!sha)
		return 0; /* not an object: fsck reports it, nobody removes it */
	o->objects++;
	if (referenced || mtime >= o->cutoff)
		return 0;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->items = wy_xrealloc(o->items, (size_t)o->cap * sizeof *o->items);
	}
	o->items[o->n++] = wy_xstrdup(sha);
	return 0;
}

int wy_collect_orphans(wy_store *st, wy_blob_store *bs, int64_t grace, wy_collect_stats *out, wy_errinfo *ei)
{
	orphans o = {.cutoff = wy_now() - grace};
	wy_refs refs;
	int rc = wy_collect_walk(st, bs, &refs, note_orphan, &o, ei);
	wy_refs_clear(&refs);
	int removed = 0;
	if (!rc)
		rc = wy_collect_blobs(st, bs, o.items, o.n, grace, &removed, ei);
	if (out)
		*out = (wy_collect_stats){.objects = o.objects, .orphans = o.n, .removed = removed};
	for (int i = 0; i < o.n; i++)
		free(o.items[i]);
	free(o.items);
	return rc;
}

int wy_recycle_purge(wy_store *st, wy_blob_store *bs, int64_t doc_id, int64_t admin_id, const char *detail,
		     int64_t grace, int *removed, wy_errinfo *ei)
{
	if (removed)
		*removed = 0;
	wy_str_list blobs;
	int rc = wy_store_doc_purge(st, doc_id, admin_id, detail, &blobs, ei);
	if (rc)
		return rc;
	wy_log("recycle.purged", "doc=%lld admin=%lld blobs=%d", (long long)doc_id, (long long)admin_id, blobs.n);
	/* the rows are gone; freeing the blobs may fail (a busy store, a
	 * disk): what stays is an orphan the next collection frees */
	wy_errinfo cei = {0};
	int crc = wy_collect_blobs(st, bs, blobs.items, blobs.n, grace, removed, &cei);
	if (crc)
		wy_warn("recycle.collect_failed", "doc=%lld msg=\"%s\"", (long long)doc_id, wy_err_msg(&cei, crc));
	wy_str_list_clear(&blobs);
	return WY_OK;
}

/* The download log's rows older than WY_DOWNLOAD_LOG_DAYS deleted: a
 * failure is said and the rest of the maintenance goes on. */
static void prune_download_log(wy_store *st)
{
	wy_errinfo ei = {0};
	int64_t removed = 0;
	int rc = wy_store_download_log_prune(st, wy_now() - (int64_t)WY_DOWNLOAD_LOG_DAYS * 86400, &removed, &ei);
	if (rc)
		wy_warn("downloads.prune_failed", "msg=\"%s\"", wy_err_msg(&ei, rc));
	else if (removed)
		wy_log("downloads.pruned", "rows=%lld days=%d", (long long)removed, WY_DOWNLOAD_LOG_DAYS);
}

int wy_recycle_maintain(wy_store *st, wy_blob_store *bs, double recycle_days, int64_t grace, int *purged,
			wy_collect_stats *cs, wy_errinfo *ei)
{
	int n = 0, rc = WY_OK;
	prune_download_log(st);
	if (recycle_days > 0) {
		int64_t before = wy_now() - (int64_t)(recycle_days * 86400.0);
		char detail[64];
		snprintf(detail, sizeof detail, "recycle_days=%g", recycle_days);
		for (;;) {
			int64_t *ids;
			int k;
			if ((rc = wy_store_recycle_expired(st, before, 100, &ids, &k, ei)))
				break;
			int done = 0;
			for (int i = 0; i < k && !rc; i++) {
				rc = wy_recycle_purge(st, bs, ids[i], 0, detail, grace, NULL, ei);
				/* restored, or purged by someone else, meanwhile */
				if (rc == WY_EINVAL || rc == WY_ENOTFOUND)
					rc = WY_OK;
				else if (!rc)
					done++;
			}
			free(ids);
			n += done;
			if (rc || k < 100 || !done)
				break;
		}
	}
	if (purged)
		*purged = n;
	if (!rc)
		rc = wy_collect_orphans(st, bs, grace, cs, ei);
	return rc;
}

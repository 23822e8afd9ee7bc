/* jobs/collect: the recycle bin's purges and the one blob collector.
 *
 * A blob (an original, a page image, a thumbnail) is freed when no row of
 * the store refers to it: after a purge (the purged document's blobs), and
 * periodically for every orphan (a replaced original and its old pages, an
 * upload or a conversion that stopped between writing a blob and recording
 * it). The question is fsck's (wy_collect_walk serves both); the answer
 * is given inside the store's write transaction (wy_store_blobs_drop) and
 * the removal leaves alone a blob stored again lately
 * (wy_blob_delete_old), so that no document ever refers to a removed blob,
 * even when the same bytes are uploaded while it is collected
 * (docs/internals/blob.md). */
#ifndef WY_COLLECT_H
#define WY_COLLECT_H

#include "blob/blob.h"
#include "store/store.h"

/* Every distinct blob name the store refers to, sorted. */
typedef struct wy_refs {
	char **items;
	size_t n;
} wy_refs;

void wy_refs_clear(wy_refs *r);
bool wy_refs_has(const wy_refs *r, const char *sha);

/* The walk fsck and the collector share: the store's references into
 * refs (the caller clears them), then every file of the blob store
 * through cb with its name (NULL for a stray file, named by stray), its
 * time and whether the store refers to it. */
int wy_collect_walk(wy_store *st, wy_blob_store *bs, wy_refs *refs,
		    int (*cb)(void *ctx, const char *sha, const char *stray, int64_t mtime, bool referenced), void *ctx,
		    wy_errinfo *ei);

typedef struct wy_collect_stats {
	int64_t objects;    /* blobs in the store */
	int64_t orphans;    /* of them, unreferenced and older than the grace period */
	int64_t removed;    /* of those, removed */
} wy_collect_stats;

/* Free those of shas[0..n) that nothing refers to and that nobody stored
 * in the last grace seconds; *removed (may be NULL) counts them. */
int wy_collect_blobs(wy_store *st, wy_blob_store *bs, char *const *shas, int n, int64_t grace, int *removed,
		     wy_errinfo *ei);

/* Free every orphan older than grace seconds. */
int wy_collect_orphans(wy_store *st, wy_blob_store *bs, int64_t grace, wy_collect_stats *out, wy_errinfo *ei);

/* Purge a document in the recycle bin (wy_store_doc_purge: its audit row
 * names admin_id, 0 for the automatic purge) and free its blobs that
 * nothing else refers to; *removed (may be NULL): blobs freed. */
int wy_recycle_purge(wy_store *st, wy_blob_store *bs, int64_t doc_id, int64_t admin_id, const char *detail,
		     int64_t grace, int *removed, wy_errinfo *ei);

/* The periodic work: delete the download log's rows older than
 * WY_DOWNLOAD_LOG_DAYS, purge the documents in the bin for more than
 * recycle_days (0: none), then free every orphan. *purged (may be NULL):
 * documents purged; cs (may be NULL): the collection. */
int wy_recycle_maintain(wy_store *st, wy_blob_store *bs, double recycle_days, int64_t grace, int *purged,
			wy_collect_stats *cs, wy_errinfo *ei);

#endif

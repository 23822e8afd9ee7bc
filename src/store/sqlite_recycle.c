/* store/sqlite_recycle: the recycle bin, purges and the last word on
 * freeing a blob, for the SQLite backend.
 *
 * A deleted document keeps its rows (state deleted, with deleted_at, who
 * deleted it and the state it had: migration 17) until an admin purges it
 * or it has been in the bin past recycle_days. A purge removes its row;
 * everything that refers to a document does so ON DELETE CASCADE (pages,
 * jobs, outlines, favorites, downloads, reports, visits, search clicks,
 * fingerprint bands, and the tables of comments, ratings and collection
 * items), its search rows are removed first (the index is contentless: it
 * needs the text to forget it), and an audit row says so, in the same
 * transaction. The ledger keeps its rows: a purge changes no balance (the
 * upload points were taken back when it was deleted).
 *
 * Blobs: the store decides, inside its write transaction, that nothing
 * refers to a blob, and the blob is removed while that transaction holds
 * the write lock (sqlite_blobs_drop); docs/internals/blob.md says why an
 * upload of the same bytes racing it never ends with a document whose
 * blob is gone. */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A document's owner, state, and who deleted it and from which state; a
 * new version's row is part of its document, never binned on its own
 * (not found). */
typedef struct bin_row {
	bool found;
	int64_t owner, deleted_by;
	int state, before;
} bin_row;

static int bin_get(wy_store *st, int64_t doc_id, bin_row *b, wy_errinfo *ei)
{
	int64_t v[4] = {0};
	b->found = false;
	int rc = sq_row_ints(st,
			     "SELECT coalesce(owner_id, 0), state, coalesce(deleted_by, 0), coalesce(state_before, " SQ_PUBLISHED
			     ") FROM documents WHERE id = ?1",
			     &doc_id, 1, v, 4, &b->found, "read a document's state", ei);
	b->found = b->found && v[1] != WY_STATE_VERSION;
	b->owner = v[0];
	b->state = (int)v[1];
	b->deleted_by = v[2];
	b->before = (int)v[3];
	return rc;
}

/* Move doc_id to state (and the recycle columns with it), then the upload
 * points rule, inside the caller's transaction. */
static int move(wy_store *st, int64_t doc_id, int state, const char *sql, int64_t by, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql, ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, state);
	sqlite3_bind_int64(s, 3, wy_now());
	sqlite3_bind_int64(s, 4, by);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "move a document");
	sq_done(st, s);
	/* the one rule: leaving the listed documents takes its points back,
	 * coming back grants them again under the daily cap */
	return rc ? rc : sq_upload_points(st, doc_id, ei);
}

int sqlite_doc_delete(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		return sq_end(st, rc, ei);
	/* not another's: a document its deleter may not touch is not there */
	if (!b.found || (!admin && b.owner != by))
		return sq_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (b.state == WY_STATE_DELETED)
		return sq_end(st, WY_OK, ei); /* already in the bin: its clock keeps running */
	rc = move(st, doc_id, WY_STATE_DELETED,
		  "UPDATE documents SET state_before = state, state = ?2, deleted_at = ?3, deleted_by = ?4, updated_at = ?3"
		  " WHERE id = ?1",
		  by, ei);
	return sq_end(st, rc, ei);
}

int sqlite_doc_restore(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		return sq_end(st, rc, ei);
	if (!b.found || (!admin && b.owner != by))
		return sq_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (b.state != WY_STATE_DELETED) {
		if (!admin)
			return sq_end(st, wy_err_set(ei, WY_EINVAL, "document %lld is not in the recycle bin", (long long)doc_id),
				   ei);
		/* an admin's restore of a hidden or pending document shows it */
		if (b.state == WY_STATE_PUBLISHED)
			return sq_end(st, WY_OK, ei);
		return sq_end(st,
			   move(st, doc_id, WY_STATE_PUBLISHED, "UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1",
				by, ei),
			   ei);
	}
	/* what an admin deleted, or hid before its owner deleted it, only an
	 * admin brings back */
	if (!admin && (b.deleted_by != b.owner || b.before == WY_STATE_HIDDEN))
		return sq_end(st,
			   wy_err_set(ei, WY_EPERM, "document %lld was removed by an admin: only an admin can restore it",
				      (long long)doc_id),
			   ei);
	int to = b.before >= WY_STATE_PUBLISHED && b.before < WY_STATE_DELETED ? b.before : WY_STATE_PUBLISHED;
	rc = move(st, doc_id, to,
		  "UPDATE documents SET state = ?2, state_before = NULL, deleted_at = NULL, deleted_by = NULL,"
		  " updated_at = ?3 WHERE id = ?1",
		  by, ei);
	return sq_end(st, rc, ei);
}

int sqlite_recycle_list(wy_store *st, int64_t owner, int offset, int limit, wy_recycle_list *out, int *total,
			  wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT count(*) FROM documents WHERE state = " SQ_DELETED " AND (?1 = 0 OR owner_id = ?1)", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, owner);
	if (sqlite3_step(s) == SQLITE_ROW)
		*total = sqlite3_column_int(s, 0);
	else
		rc = sq_fail(SQ(st)->db, ei, "count the recycle bin");
	sq_done(st, s);
	if (rc)
		return rc;
	if ((rc = sq_prep(st, &s,
			  "SELECT " DOC_COLUMNS_NOFROM ", coalesce(d.deleted_at, d.updated_at), coalesce(d.deleted_by, 0),"
			  " coalesce(d.state_before, " SQ_PUBLISHED ")"
			  " FROM documents d LEFT JOIN categories c ON c.id = d.category_id"
			  " WHERE d.state = " SQ_DELETED " AND (?1 = 0 OR d.owner_id = ?1)"
			  " ORDER BY coalesce(d.deleted_at, d.updated_at) DESC, d.id DESC LIMIT ?2 OFFSET ?3",
			  ei)))
		return rc;
	sqlite3_bind_int64(s, 1, owner);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_recycled *x = &out->items[out->n++];
		memset(x, 0, sizeof *x);
		sq_read_doc(s, &x->doc);
		x->deleted_at = sqlite3_column_int64(s, DOC_NCOLUMNS);
		int64_t by = sqlite3_column_int64(s, DOC_NCOLUMNS + 1);
		x->by_owner = by != 0 && by == x->doc.owner_id;
		x->restorable = x->by_owner && sqlite3_column_int(s, DOC_NCOLUMNS + 2) != WY_STATE_HIDDEN;
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list the recycle bin");
		wy_recycle_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_recycle_expired(wy_store *st, int64_t before, int limit, int64_t **ids, int *n, wy_errinfo *ei)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT id FROM documents WHERE state = " SQ_DELETED " AND coalesce(deleted_at, updated_at) < ?1"
			 " ORDER BY id LIMIT ?2",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 100);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = sq_grow(*ids, *n, &cap, sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "find expired documents");
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	sq_done(st, s);
	return rc;
}

/* Add each distinct name the statement's first column gives to out. */
static int add_names(wy_store *st, const char *sql, int64_t doc_id, wy_str_list *out, int *cap, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql, ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(s, 0);
		if (!sha || !*sha)
			continue;
		out->items = sq_grow(out->items, out->n, cap, sizeof *out->items);
		out->items[out->n++] = wy_xstrdup(sha);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read a document's blobs");
	sq_done(st, s);
	return rc;
}

/* The documents flagged as near-duplicates of a purged one are nobody's
 * duplicates now: each is flagged no more and follows the upload points
 * rule again (one grant per content still holds between them). */
static int unflag_copies(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT id FROM documents WHERE dup_of = ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	int64_t *ids = NULL;
	int n = 0, cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		ids = sq_grow(ids, n, &cap, sizeof *ids);
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "find a purged document's copies");
	sq_done(st, s);
	if (!rc)
		rc = sq_exec_ints(st, "UPDATE documents SET dup_of = NULL WHERE dup_of = ?1", &doc_id, 1, NULL,
				  "unflag a purged document's copies", ei);
	for (int i = 0; !rc && i < n; i++)
		rc = sq_upload_points(st, ids[i], ei);
	free(ids);
	return rc;
}

int sqlite_doc_purge(wy_store *st, int64_t doc_id, int64_t admin_id, const char *detail, wy_str_list *blobs,
		       wy_errinfo *ei)
{
	memset(blobs, 0, sizeof *blobs);
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		return sq_end(st, rc, ei);
	if (!b.found)
		return sq_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (b.state != WY_STATE_DELETED)
		return sq_end(st,
			   wy_err_set(ei, WY_EINVAL, "document %lld is not in the recycle bin: delete it first",
				      (long long)doc_id),
			   ei);
	int cap = 0;
	if ((rc = add_names(st,
			    "SELECT sha256 FROM documents WHERE id = ?1 UNION SELECT thumb_sha256 FROM documents WHERE id = ?1"
			    " UNION SELECT image_sha256 FROM pages WHERE doc_id = ?1",
			    doc_id, blobs, &cap, ei)) ||
	    /* the index first: removing its rows needs the pages' text */
	    (rc = sq_unindex_doc(st, doc_id, ei)))
		goto fail;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "DELETE FROM documents WHERE id = ?1", ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "purge a document");
	sq_done(st, s);
	if (rc || (rc = unflag_copies(st, doc_id, ei)))
		goto fail;
	char target[48];
	snprintf(target, sizeof target, "doc %lld", (long long)doc_id);
	if ((rc = sqlite_audit_add(st, admin_id, "purge", target, detail, ei)))
		goto fail;
	if ((rc = sq_commit(st, ei)))
		goto fail_done;
	return WY_OK;
fail:
	sq_rollback(st);
fail_done:
	wy_str_list_clear(blobs);
	return rc;
}

int sqlite_blobs_drop(wy_store *st, char *const *shas, int n, int64_t older_than,
			int (*drop)(void *ctx, const char *sha, int64_t older_than), void *ctx, int *dropped,
			wy_errinfo *ei)
{
	*dropped = 0;
	if (n <= 0)
		return WY_OK;
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	/* a running conversion writes its pages' blobs before it publishes
	 * them: none written since the oldest running job was queued goes */
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT min(created_at) FROM jobs WHERE state = 'running'", ei)))
		return sq_end(st, rc, ei);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		int64_t job = sqlite3_column_int64(s, 0) - 1;
		if (job < older_than)
			older_than = job;
	} else if (step != SQLITE_ROW) {
		rc = sq_fail(SQ(st)->db, ei, "read the running jobs");
	}
	sq_done(st, s);
	for (int i = 0; i < n && !rc; i++) {
		bool used = true;
		if ((rc = sqlite_blob_used(st, shas[i], &used, ei)) || used)
			continue;
		/* removed while the write lock is held: no document can come to
		 * refer to it between the answer and the removal */
		int r = drop(ctx, shas[i], older_than);
		if (r < 0)
			rc = wy_err_set(ei, WY_EIO, "cannot remove blob %s", shas[i]);
		else
			*dropped += r;
	}
	return sq_end(st, rc, ei);
}

/* store/pg_recycle: the recycle bin, purges and the last word on freeing
 * a blob, on PostgreSQL, under sqlite_recycle.c's rules: a deleted
 * document keeps its rows until purged (by an admin, or past
 * recycle_days); a purge removes its row, its search rows first (the
 * index needs the text to forget it), everything else ON DELETE CASCADE,
 * with an audit row in the same transaction; the ledger keeps its rows.
 *
 * Blobs: the store decides, under the writers' lock, that nothing refers
 * to a blob, and the blob is removed while the lock is held
 * (pg_blobs_drop): every write that could make a document refer to it
 * takes the same lock (docs/internals/blob.md). */
#include "core/util.h"
#include "store/pg_int.h"

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
	int rc = pg_row_ints(st,
			     "SELECT coalesce(owner_id, 0), state, coalesce(deleted_by, 0), coalesce(state_before, " SQ_PUBLISHED ")"
			     " FROM documents WHERE id = $1",
			     &doc_id, 1, v, 4, &b->found, "read a document's state", ei);
	b->found = b->found && v[1] != WY_STATE_VERSION;
	b->owner = v[0];
	b->state = (int)v[1];
	b->deleted_by = v[2];
	b->before = (int)v[3];
	return rc;
}

/* Move doc_id to state (sql: $1 the document, $2 the state, $3 the time,
 * and $4 who, when by_too), then the upload points rule, inside the
 * caller's transaction. */
static int move(wy_store *st, int64_t doc_id, int state, const char *sql, bool by_too, int64_t by, wy_errinfo *ei)
{
	int rc = pg_exec_ints(st, sql, (const int64_t[]){doc_id, state, wy_now(), by}, by_too ? 4 : 3, NULL,
			      "move a document", ei);
	/* the one rule: leaving the listed documents takes its points back,
	 * coming back grants them again under the daily cap */
	return rc ? rc : pg_upload_points(st, doc_id, ei);
}

int pg_doc_delete(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		return pg_end(st, rc, ei);
	/* not another's: a document its deleter may not touch is not there */
	if (!b.found || (!admin && b.owner != by))
		return pg_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (b.state == WY_STATE_DELETED)
		return pg_end(st, WY_OK, ei); /* already in the bin: its clock keeps running */
	rc = move(st, doc_id, WY_STATE_DELETED,
		  "UPDATE documents SET state_before = state, state = $2, deleted_at = $3, deleted_by = $4, updated_at = $3"
		  " WHERE id = $1",
		  true, by, ei);
	return pg_end(st, rc, ei);
}

int pg_doc_restore(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		return pg_end(st, rc, ei);
	if (!b.found || (!admin && b.owner != by))
		return pg_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (b.state != WY_STATE_DELETED) {
		if (!admin)
			return pg_end(st,
				      wy_err_set(ei, WY_EINVAL, "document %lld is not in the recycle bin", (long long)doc_id),
				      ei);
		/* an admin's restore of a hidden or pending document shows it */
		if (b.state == WY_STATE_PUBLISHED)
			return pg_end(st, WY_OK, ei);
		return pg_end(st,
			      move(st, doc_id, WY_STATE_PUBLISHED,
				   "UPDATE documents SET state = $2, updated_at = $3 WHERE id = $1", false, by, ei),
			      ei);
	}
	/* what an admin deleted, or hid before its owner deleted it, only an
	 * admin brings back */
	if (!admin && (b.deleted_by != b.owner || b.before == WY_STATE_HIDDEN))
		return pg_end(st,
			      wy_err_set(ei, WY_EPERM,
					 "document %lld was removed by an admin: only an admin can restore it",
					 (long long)doc_id),
			      ei);
	int to = b.before >= WY_STATE_PUBLISHED && b.before < WY_STATE_DELETED ? b.before : WY_STATE_PUBLISHED;
	rc = move(st, doc_id, to,
		  "UPDATE documents SET state = $2, state_before = NULL, deleted_at = NULL, deleted_by = NULL,"
		  " updated_at = $3 WHERE id = $1",
		  false, by, ei);
	return pg_end(st, rc, ei);
}

int pg_recycle_list(wy_store *st, int64_t owner, int offset, int limit, wy_recycle_list *out, int *total,
		    wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
	/* the count and the page from one snapshot */
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	PGresult *r = NULL;
	pg_args a = {0};
	pg_arg_int(&a, owner);
	if ((rc = pg_run(st,
			 "SELECT count(*) FROM documents WHERE state = " SQ_DELETED " AND ($1::bigint = 0 OR owner_id = $1)",
			 &a, &r, NULL, "count the recycle bin", ei)))
		goto out;
	*total = (int)pg_int(r, 0, 0);
	PQclear(r);
	r = NULL;
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	if ((rc = pg_run(st,
			 "SELECT " DOC_COLUMNS_NOFROM ", coalesce(d.deleted_at, d.updated_at), coalesce(d.deleted_by, 0),"
			 " coalesce(d.state_before, " SQ_PUBLISHED ")"
			 " FROM documents d LEFT JOIN categories c ON c.id = d.category_id"
			 " WHERE d.state = " SQ_DELETED " AND ($1::bigint = 0 OR d.owner_id = $1)"
			 " ORDER BY coalesce(d.deleted_at, d.updated_at) DESC, d.id DESC LIMIT $2 OFFSET $3",
			 &a, &r, NULL, "list the recycle bin", ei)))
		goto out;
	int cap = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_recycled *x = &out->items[out->n++];
		memset(x, 0, sizeof *x);
		pg_read_doc(r, i, &x->doc);
		x->deleted_at = pg_int(r, i, DOC_NCOLUMNS);
		int64_t by = pg_int(r, i, DOC_NCOLUMNS + 1);
		x->by_owner = by != 0 && by == x->doc.owner_id;
		x->restorable = x->by_owner && pg_int(r, i, DOC_NCOLUMNS + 2) != WY_STATE_HIDDEN;
	}
out:
	PQclear(r);
	pg_rollback(st);
	return rc;
}

int pg_recycle_expired(wy_store *st, int64_t before, int limit, int64_t **ids, int *n, wy_errinfo *ei)
{
	*ids = NULL;
	*n = 0;
	pg_args a = {0};
	pg_arg_int(&a, before);
	pg_arg_int(&a, limit > 0 ? limit : 100);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT id FROM documents WHERE state = " SQ_DELETED " AND coalesce(deleted_at, updated_at) < $1"
			" ORDER BY id LIMIT $2",
			&a, &r, NULL, "find expired documents", ei);
	if (rc)
		return rc;
	int cap = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		*ids = pg_grow(*ids, *n, &cap, sizeof **ids);
		(*ids)[(*n)++] = pg_int(r, i, 0);
	}
	PQclear(r);
	return WY_OK;
}

/* The documents flagged as near-duplicates of a purged one are nobody's
 * duplicates now: each is flagged no more and follows the upload points
 * rule again. */
static int unflag_copies(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	int rc = pg_run(st, "UPDATE documents SET dup_of = NULL WHERE dup_of = $1 RETURNING id", &a, &r, NULL,
			"unflag a purged document's copies", ei);
	if (rc)
		return rc;
	/* in id order, as SQLite's rows come */
	int n = PQntuples(r);
	int64_t *ids = wy_xcalloc((size_t)n + 1, sizeof *ids);
	for (int i = 0; i < n; i++)
		ids[i] = pg_int(r, i, 0);
	PQclear(r);
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
			int64_t t = ids[k];
			ids[k] = ids[k - 1];
			ids[k - 1] = t;
		}
	for (int i = 0; !rc && i < n; i++)
		rc = pg_upload_points(st, ids[i], ei);
	free(ids);
	return rc;
}

int pg_doc_purge(wy_store *st, int64_t doc_id, int64_t admin_id, const char *detail, wy_str_list *blobs,
		 wy_errinfo *ei)
{
	memset(blobs, 0, sizeof *blobs);
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	bin_row b;
	if ((rc = bin_get(st, doc_id, &b, ei)))
		goto out;
	if (!b.found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
		goto out;
	}
	if (b.state != WY_STATE_DELETED) {
		rc = wy_err_set(ei, WY_EINVAL, "document %lld is not in the recycle bin: delete it first",
				(long long)doc_id);
		goto out;
	}
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT sha256 FROM documents WHERE id = $1 UNION SELECT thumb_sha256 FROM documents WHERE id = $1"
			 " UNION SELECT image_sha256 FROM pages WHERE doc_id = $1",
			 &a, &r, NULL, "read a document's blobs", ei)))
		goto out;
	int cap = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *sha = pg_cstr(r, i, 0);
		if (!*sha)
			continue;
		blobs->items = pg_grow(blobs->items, blobs->n, &cap, sizeof *blobs->items);
		blobs->items[blobs->n++] = wy_xstrdup(sha);
	}
	PQclear(r);
	/* the index first: removing its rows needs the pages' text */
	if ((rc = pg_unindex_doc(st, doc_id, ei)) ||
	    (rc = pg_exec_ints(st, "DELETE FROM documents WHERE id = $1", &doc_id, 1, NULL, "purge a document", ei)) ||
	    (rc = unflag_copies(st, doc_id, ei)))
		goto out;
	char target[48];
	snprintf(target, sizeof target, "doc %lld", (long long)doc_id);
	rc = pg_audit_add(st, admin_id, "purge", target, detail, ei);
out:
	if ((rc = pg_end(st, rc, ei)))
		wy_str_list_clear(blobs);
	return rc;
}

int pg_blobs_drop(wy_store *st, char *const *shas, int n, int64_t older_than,
		  int (*drop)(void *ctx, const char *sha, int64_t older_than), void *ctx, int *dropped,
		  wy_errinfo *ei)
{
	*dropped = 0;
	if (n <= 0)
		return WY_OK;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	/* a running conversion writes its pages' blobs before it publishes
	 * them: none written since the oldest running job was queued goes */
	PGresult *r;
	if ((rc = pg_run(st, "SELECT min(created_at) FROM jobs WHERE state = 'running'", NULL, &r, NULL,
			 "read the running jobs", ei)))
		return pg_end(st, rc, ei);
	if (PQntuples(r) && !pg_isnull(r, 0, 0) && pg_int(r, 0, 0) - 1 < older_than)
		older_than = pg_int(r, 0, 0) - 1;
	PQclear(r);
	for (int i = 0; i < n && !rc; i++) {
		bool used = true;
		if ((rc = pg_blob_used(st, shas[i], &used, ei)) || used)
			continue;
		/* removed while the writers' lock is held: no document can come
		 * to refer to it between the answer and the removal */
		int d = drop(ctx, shas[i], older_than);
		if (d < 0)
			rc = wy_err_set(ei, WY_EIO, "cannot remove blob %s", shas[i]);
		else
			*dropped += d;
	}
	return pg_end(st, rc, ei);
}

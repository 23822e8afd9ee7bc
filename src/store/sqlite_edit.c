/* store/sqlite_edit: an owner's changes to a document (title, description,
 * category, tags, price, privacy) and new versions of its original.
 *
 * A new version is a documents row of its own (state WY_STATE_VERSION,
 * private, version_of naming the document) with a conversion job like any
 * upload's: the worker converts it with the machinery every conversion has
 * (pages as they come, a crash resumed, a failure with its reason), while
 * the document keeps everything it has. Nothing shows the row to anyone
 * but admins: the rules of who may see what (SQ_PUBLIC: state published;
 * SQ_OWN: state below deleted) leave it out as they stand. When its
 * conversion ends ready, sqlite_job_finish calls sq_version_swap in its
 * transaction: the new pages, index rows, outline and analysis become the
 * document's, and the row goes. docs/internals/jobs.md, "A new version". */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "text/minhash.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(WY_STATE_PENDING == 1, "the edit's SQL names pending as 1");

int sqlite_doc_edit(wy_store *st, int64_t doc_id, const wy_doc_edit *e, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (e->title && !*e->title)
		return wy_err_set(ei, WY_EINVAL, "a title cannot be empty");
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sq_prep(st, &s, "SELECT coalesce(title, ''), price, indexed, state FROM documents WHERE id=?1", ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	int step = sqlite3_step(s);
	if (step != SQLITE_ROW || sqlite3_column_int(s, 3) == WY_STATE_VERSION) {
		rc = step == SQLITE_ROW || step == SQLITE_DONE
		         ? wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id)
		         : sq_fail(SQ(st)->db, ei, "read a document");
		goto fail;
	}
	bool retitle = e->title && strcmp(e->title, (const char *)sqlite3_column_text(s, 0)) != 0;
	int64_t price = sqlite3_column_int64(s, 1);
	bool indexed = sqlite3_column_int(s, 2) != 0;
	sq_done(st, s);
	s = NULL;
	int64_t cat = 0;
	bool found;
	if (e->category && *e->category) {
		if ((rc = sq_prep(st, &s, "SELECT id FROM categories WHERE path=?1", ei)))
			goto fail;
		sq_bind_text(s, 1, e->category);
		step = sqlite3_step(s);
		cat = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "find a category");
		else if (!cat)
			rc = wy_err_set(ei, WY_EINVAL, "no such category");
		sq_done(st, s);
		s = NULL;
		if (rc)
			goto fail;
	}
	/* What readers paid for keeps its price: someone who paid, and the
	 * next reader, pay the same or less (the rule is checked here, in the
	 * transaction, so a download paid meanwhile counts). */
	if (e->price > price) {
		int64_t paid;
		if ((rc = sq_row_ints(
		         st, "SELECT 1 FROM ledger WHERE doc_id = ?1 AND reason = 'download' AND delta < 0 LIMIT 1",
		         &doc_id, 1, &paid, 1, &found, "read a document", ei)))
			goto fail;
		if (found) {
			rc =
			    wy_err_set(ei, WY_EPERM, "the price cannot be raised: readers have paid for this document");
			goto fail;
		}
	}
	/* index rows are removed with the values they were added with:
	 * first (the title, description and tags row; the title's pinyin) */
	bool rewords = indexed && (retitle || e->description || e->tags);
	if ((rewords && (rc = sq_index_words(st, doc_id, true, ei))) ||
	    (retitle && indexed && (rc = sq_index_title(st, doc_id, true, ei))))
		goto fail;
	/* SET's expressions all read the row as it was (private: before) */
	if ((rc = sq_prep(st, &s,
	                  "UPDATE documents SET"
	                  " title = coalesce(?2, title), title_user = CASE WHEN ?2 IS NULL THEN title_user ELSE 1 END,"
	                  " description = CASE WHEN ?3 IS NULL THEN description ELSE nullif(?3, '') END,"
	                  " category_id = CASE WHEN ?4 THEN ?5 ELSE category_id END,"
	                  " tags = CASE WHEN ?6 IS NULL THEN tags ELSE nullif(?6, '') END,"
	                  " price = CASE WHEN ?7 < 0 THEN price ELSE ?7 END,"
	                  " private = CASE WHEN ?8 < 0 THEN private ELSE ?8 END,"
	                  " state = CASE WHEN ?9 AND ((?8 = 0 AND private) OR ?11) AND state = " SQ_PUBLISHED
	                  " THEN 1 ELSE state END,"
	                  " updated_at = ?10 WHERE id = ?1",
	                  ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sq_bind_text(s, 2, e->title);
	sq_bind_text(s, 3, e->description);
	sqlite3_bind_int(s, 4, e->category != NULL);
	if (cat)
		sqlite3_bind_int64(s, 5, cat);
	else
		sqlite3_bind_null(s, 5);
	sq_bind_text(s, 6, e->tags);
	sqlite3_bind_int64(s, 7, e->price < 0 ? -1 : e->price);
	sqlite3_bind_int(s, 8, e->private_ < 0 ? -1 : e->private_ != 0);
	sqlite3_bind_int(s, 9, e->review);
	sqlite3_bind_int64(s, 10, wy_now());
	sqlite3_bind_int(s, 11, retitle || e->description || e->tags);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "edit a document");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	if ((rewords && (rc = sq_index_words(st, doc_id, false, ei))) ||
	    (retitle && indexed && (rc = sq_index_title(st, doc_id, false, ei))))
		goto fail;
	/* privacy (or a review) changes what the document earns: the rule */
	if ((rc = sq_upload_points(st, doc_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

/* The pending version of doc_id goes (its pages, index rows, outline and
 * job with it; its original blob is left to the blob collector), inside
 * the caller's transaction. A worker converting it finds its job gone and
 * publishes nothing. */
static int drop_version(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int64_t vid;
	bool found;
	int rc = sq_row_ints(st, "SELECT id FROM documents WHERE version_of = ?1", &doc_id, 1, &vid, 1, &found,
	                     "read a document", ei);
	if (rc || !found)
		return rc;
	if ((rc = sq_unindex_doc(st, vid, ei)))
		return rc;
	return sq_exec_ints(st, "DELETE FROM documents WHERE id = ?1", &vid, 1, NULL, "drop a version", ei);
}

int sqlite_doc_replace(wy_store *st, int64_t doc_id, const wy_doc_new *in, int64_t *version_id, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sq_prep(st, &s, "SELECT status, state FROM documents WHERE id=?1", ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	int step = sqlite3_step(s);
	int status = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	int state = step == SQLITE_ROW ? sqlite3_column_int(s, 1) : -1;
	sq_done(st, s);
	s = NULL;
	if (step != SQLITE_ROW || state == WY_STATE_VERSION) {
		rc = step == SQLITE_ROW || step == SQLITE_DONE
		         ? wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id)
		         : sq_fail(SQ(st)->db, ei, "read a document");
		goto fail;
	}
	/* its own conversion would publish over what the swap brings */
	if (status != WY_DOC_READY && status != WY_DOC_FAILED) {
		rc = wy_err_set(ei, WY_EINVAL, "document %lld is %s: replace it once its conversion has ended",
		                (long long)doc_id, wy_doc_status_name((wy_doc_status)status));
		goto fail;
	}
	if ((rc = drop_version(st, doc_id, ei)))
		goto fail;
	if ((rc = sq_prep(
	         st, &s,
	         "INSERT INTO documents(title, title_user, filename, category_id, sha256, size, status, created_at,"
	         " updated_at, uploader, owner_id, private, state, price, version_of, version_review)"
	         " SELECT title, title_user, ?2, category_id, ?3, ?4, 0, ?5, ?5, uploader, owner_id, 1, ?6, price, id, ?7"
	         " FROM documents WHERE id = ?1",
	         ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sq_bind_text(s, 2, in->filename);
	sq_bind_text(s, 3, in->sha256);
	sqlite3_bind_int64(s, 4, in->size);
	sqlite3_bind_int64(s, 5, wy_now());
	sqlite3_bind_int(s, 6, WY_STATE_VERSION);
	sqlite3_bind_int(s, 7, in->state == WY_STATE_PENDING);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "record a new version");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	*version_id = sqlite3_last_insert_rowid(SQ(st)->db);
	if ((rc = sq_queue_job(st, *version_id, 0, 0, in->request_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

int sqlite_doc_version(wy_store *st, int64_t doc_id, wy_doc_version *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s,
	                 "SELECT id, status, reason, filename, progress_done, progress_total, created_at FROM documents"
	                 " WHERE version_of = ?1",
	                 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->status = (wy_doc_status)sqlite3_column_int(s, 1);
		out->reason = sq_col_str(s, 2);
		out->filename = sq_col_str(s, 3);
		out->progress_done = sqlite3_column_int(s, 4);
		out->progress_total = sqlite3_column_int(s, 5);
		out->created_at = sqlite3_column_int64(s, 6);
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "document %lld has no new version", (long long)doc_id);
	} else {
		rc = sq_fail(SQ(st)->db, ei, "read a new version");
	}
	sq_done(st, s);
	return rc;
}

int sq_version_swap(wy_store *st, int64_t vid, wy_errinfo *ei)
{
	int64_t doc_id;
	bool found;
	int rc = sq_row_ints(st, "SELECT version_of FROM documents WHERE id = ?1 AND version_of IS NOT NULL", &vid, 1,
	                     &doc_id, 1, &found, "read a document", ei);
	if (rc || !found)
		return rc;
	/* index rows are removed with the text they were added with: both
	 * documents' go first, the document's come back with its new text */
	if ((rc = sq_unindex_doc(st, doc_id, ei)) || (rc = sq_unindex_doc(st, vid, ei)))
		return rc;
	static const struct {
		const char *sql, *what;
	} steps[] = {
	    {"DELETE FROM pages WHERE doc_id = ?1", "drop the old pages"},
	    {"UPDATE pages SET doc_id = ?1 WHERE doc_id = ?2", "move the new pages"},
	    {"DELETE FROM outlines WHERE doc_id = ?1", "drop the old outline"},
	    {"UPDATE outlines SET doc_id = ?1 WHERE doc_id = ?2", "move the new outline"},
	    /* the old text's recognition: its batches have no pages left */
	    {"DELETE FROM jobs WHERE doc_id = ?1 AND state = 'queued'", "drop old jobs"},
	    {"UPDATE jobs SET state = 'failed' WHERE doc_id = ?1 AND state = 'running'", "end old jobs"},
	    /* the version's (its conversion, its recognition batches) */
	    {"UPDATE jobs SET doc_id = ?1 WHERE doc_id = ?2", "move the new jobs"},
	    /* the document's title stays when its owner chose it */
	    {"UPDATE documents SET filename = v.filename, format = v.format, sha256 = v.sha256, size = v.size,"
	     " pages = v.pages, status = v.status, reason = NULL, author = v.author, thumb_sha256 = v.thumb_sha256,"
	     " progress_done = v.progress_done, progress_total = v.progress_total, keywords = v.keywords,"
	     " dup_of = v.dup_of, minhash = v.minhash,"
	     " title = CASE WHEN documents.title_user THEN documents.title ELSE v.title END,"
	     /* new content on a site that reviews uploads: reviewed again */
	     " state = CASE WHEN v.version_review AND documents.state = " SQ_PUBLISHED " THEN 1 ELSE documents.state END,"
	     /* ... and when it is in the recycle bin, its restore brings it back under review */
	     " state_before = CASE WHEN v.version_review AND documents.state = " SQ_DELETED
	     " AND coalesce(documents.state_before, 0) = " SQ_PUBLISHED " THEN 1 ELSE documents.state_before END,"
	     " updated_at = CAST(strftime('%s', 'now') AS INTEGER)"
	     " FROM (SELECT * FROM documents WHERE id = ?2) AS v WHERE documents.id = ?1",
	     "swap in the new version"},
	    {"DELETE FROM documents WHERE id = ?2", "drop the version's row"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if ((rc = sq_exec_ints(st, steps[i].sql, (const int64_t[]){doc_id, vid}, 2, NULL, steps[i].what, ei)))
			return rc;
	unsigned char sig[WY_MINHASH_BYTES];
	bool has_sig = false;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT minhash FROM documents WHERE id = ?1", ei)))
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == WY_MINHASH_BYTES) {
		memcpy(sig, sqlite3_column_blob(s, 0), WY_MINHASH_BYTES);
		has_sig = true;
	}
	sq_done(st, s);
	if ((rc = sq_index_doc(st, doc_id, has_sig ? sig : NULL, ei)))
		return rc;
	/* its text changed: it earns as a new upload would, never keeping
	 * what the old text earned */
	return sq_upload_points_anew(st, doc_id, ei);
}

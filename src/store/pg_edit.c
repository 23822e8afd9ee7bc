/* store/pg_edit: an owner's changes to a document and new versions of its
 * original, on PostgreSQL, under sqlite_edit.c's rules (a new version is a
 * documents row of its own, state WY_STATE_VERSION, converted by a job
 * like any upload's, swapped into its document by pg_version_swap in the
 * transaction of its conversion's end; docs/internals/jobs.md, "A new
 * version"). */
#include "core/util.h"
#include "store/pg_int.h"
#include "text/minhash.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(WY_STATE_PENDING == 1, "the edit's SQL names pending as 1");

int pg_doc_edit(wy_store *st, int64_t doc_id, const wy_doc_edit *e, wy_errinfo *ei)
{
	int rc;
	PGresult *r = NULL;
	if (e->title && !*e->title)
		return wy_err_set(ei, WY_EINVAL, "a title cannot be empty");
	if ((rc = pg_begin(st, ei)))
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	if ((rc = pg_run(st, "SELECT coalesce(title, ''), price, indexed, state FROM documents WHERE id=$1", &a, &r,
			 NULL, "read a document", ei)))
		goto out;
	if (PQntuples(r) == 0 || pg_int(r, 0, 3) == WY_STATE_VERSION) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
		goto out;
	}
	bool retitle = e->title && strcmp(e->title, pg_cstr(r, 0, 0)) != 0;
	int64_t price = pg_int(r, 0, 1);
	bool indexed = pg_int(r, 0, 2) != 0;
	PQclear(r);
	r = NULL;
	int64_t cat = 0;
	if (e->category && *e->category) {
		pg_args c = {0};
		pg_arg_text(&c, e->category);
		if ((rc = pg_run(st, "SELECT id FROM categories WHERE path=$1", &c, &r, NULL, "find a category", ei)))
			goto out;
		cat = PQntuples(r) ? pg_int(r, 0, 0) : 0;
		PQclear(r);
		r = NULL;
		if (!cat) {
			rc = wy_err_set(ei, WY_EINVAL, "no such category");
			goto out;
		}
	}
	/* What readers paid for keeps its price (checked here, in the
	 * transaction, so a download paid meanwhile counts). */
	if (e->price > price) {
		int64_t paid;
		bool found;
		if ((rc = pg_row_ints(st,
				      "SELECT 1 FROM ledger WHERE doc_id = $1 AND reason = 'download' AND delta < 0 LIMIT 1",
				      &doc_id, 1, &paid, 1, &found, "read a document", ei)))
			goto out;
		if (found) {
			rc = wy_err_set(ei, WY_EPERM, "the price cannot be raised: readers have paid for this document");
			goto out;
		}
	}
	/* index rows are removed with the values they were added with:
	 * first (the title, description and tags row; the title's pinyin) */
	bool rewords = indexed && (retitle || e->description || e->tags);
	if ((rewords && (rc = pg_index_words(st, doc_id, true, ei))) ||
	    (retitle && indexed && (rc = pg_index_title(st, doc_id, true, ei))))
		goto out;
	pg_args u = {0};
	pg_arg_int(&u, doc_id);                                          /* $1 */
	pg_arg_text(&u, e->title);                                       /* $2 */
	pg_arg_text(&u, e->description);                                 /* $3 */
	pg_arg_int(&u, e->category != NULL);                             /* $4 */
	if (cat)                                                         /* $5 */
		pg_arg_int(&u, cat);
	else
		pg_arg_text(&u, NULL);
	pg_arg_text(&u, e->tags);                                        /* $6 */
	pg_arg_int(&u, e->price < 0 ? -1 : e->price);                    /* $7 */
	pg_arg_int(&u, e->private_ < 0 ? -1 : e->private_ != 0);         /* $8 */
	pg_arg_int(&u, e->review);                                       /* $9 */
	pg_arg_int(&u, wy_now());                                        /* $10 */
	pg_arg_int(&u, retitle || e->description || e->tags);            /* $11 */
	/* SET's expressions all read the row as it was (private: before) */
	if ((rc = pg_run(st,
			 "UPDATE documents SET"
			 " title = coalesce($2::text, title),"
			 " title_user = CASE WHEN $2::text IS NULL THEN title_user ELSE 1 END,"
			 " description = CASE WHEN $3::text IS NULL THEN description ELSE nullif($3::text, '') END,"
			 " category_id = CASE WHEN $4::bigint <> 0 THEN $5::bigint ELSE category_id END,"
			 " tags = CASE WHEN $6::text IS NULL THEN tags ELSE nullif($6::text, '') END,"
			 " price = CASE WHEN $7::bigint < 0 THEN price ELSE $7::bigint END,"
			 " private = CASE WHEN $8::bigint < 0 THEN private ELSE $8::bigint END,"
			 " state = CASE WHEN $9::bigint <> 0 AND (($8::bigint = 0 AND private <> 0) OR $11::bigint <> 0)"
			 " AND state = " SQ_PUBLISHED " THEN 1 ELSE state END,"
			 " updated_at = $10::bigint WHERE id = $1",
			 &u, NULL, NULL, "edit a document", ei)))
		goto out;
	if ((rewords && (rc = pg_index_words(st, doc_id, false, ei))) ||
	    (retitle && indexed && (rc = pg_index_title(st, doc_id, false, ei))))
		goto out;
	/* privacy (or a review) changes what the document earns: the rule */
	rc = pg_upload_points(st, doc_id, ei);
out:
	PQclear(r);
	return pg_end(st, rc, ei);
}

/* The pending version of doc_id goes (its pages, index rows, outline and
 * job with it; its original blob is left to the blob collector), inside
 * the caller's transaction. A worker converting it finds its job gone and
 * publishes nothing. */
static int drop_version(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int64_t vid;
	bool found;
	int rc = pg_row_ints(st, "SELECT id FROM documents WHERE version_of = $1", &doc_id, 1, &vid, 1, &found,
			     "read a document", ei);
	if (rc || !found)
		return rc;
	if ((rc = pg_unindex_doc(st, vid, ei)))
		return rc;
	return pg_exec_ints(st, "DELETE FROM documents WHERE id = $1", &vid, 1, NULL, "drop a version", ei);
}

int pg_doc_replace(wy_store *st, int64_t doc_id, const wy_doc_new *in, int64_t *version_id, wy_errinfo *ei)
{
	int64_t v[2];
	bool found;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = pg_row_ints(st, "SELECT status, state FROM documents WHERE id=$1", &doc_id, 1, v, 2, &found,
			      "read a document", ei)))
		goto out;
	if (!found || v[1] == WY_STATE_VERSION) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
		goto out;
	}
	/* its own conversion would publish over what the swap brings */
	if (v[0] != WY_DOC_READY && v[0] != WY_DOC_FAILED) {
		rc = wy_err_set(ei, WY_EINVAL, "document %lld is %s: replace it once its conversion has ended",
				(long long)doc_id, wy_doc_status_name((wy_doc_status)v[0]));
		goto out;
	}
	if ((rc = drop_version(st, doc_id, ei)))
		goto out;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_text(&a, in->filename);
	pg_arg_text(&a, in->sha256);
	pg_arg_int(&a, in->size);
	pg_arg_int(&a, wy_now());
	pg_arg_int(&a, WY_STATE_VERSION);
	pg_arg_int(&a, in->state == WY_STATE_PENDING);
	PGresult *r;
	if ((rc = pg_run(st,
			 "INSERT INTO documents(title, title_user, filename, category_id, sha256, size, status, created_at,"
			 " updated_at, uploader, owner_id, private, state, price, version_of, version_review)"
			 " SELECT title, title_user, $2::text, category_id, $3::text, $4::bigint, 0, $5::bigint, $5::bigint,"
			 " uploader, owner_id, 1, $6::bigint, price, id, $7::bigint FROM documents WHERE id = $1"
			 " RETURNING id",
			 &a, &r, NULL, "record a new version", ei)))
		goto out;
	*version_id = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	rc = pg_queue_job(st, *version_id, 0, 0, in->request_id, ei);
out:
	return pg_end(st, rc, ei);
}

int pg_doc_version(wy_store *st, int64_t doc_id, wy_doc_version *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT id, status, reason, filename, progress_done, progress_total, created_at FROM documents"
			" WHERE version_of = $1",
			&a, &r, NULL, "read a new version", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		out->id = pg_int(r, 0, 0);
		out->status = (wy_doc_status)pg_int(r, 0, 1);
		out->reason = pg_str(r, 0, 2);
		out->filename = pg_str(r, 0, 3);
		out->progress_done = (int)pg_int(r, 0, 4);
		out->progress_total = (int)pg_int(r, 0, 5);
		out->created_at = pg_int(r, 0, 6);
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "document %lld has no new version", (long long)doc_id);
	}
	PQclear(r);
	return rc;
}

int pg_version_swap(wy_store *st, int64_t vid, wy_errinfo *ei)
{
	int64_t doc_id;
	bool found;
	int rc = pg_row_ints(st, "SELECT version_of FROM documents WHERE id = $1 AND version_of IS NOT NULL", &vid, 1,
			     &doc_id, 1, &found, "read a document", ei);
	if (rc || !found)
		return rc;
	/* index rows are removed with the text they were added with: both
	 * documents' go first, the document's come back with its new text */
	if ((rc = pg_unindex_doc(st, doc_id, ei)) || (rc = pg_unindex_doc(st, vid, ei)))
		return rc;
	/* each statement's parameters: the document ($1) and the version
	 * ($2), or one of them as $1 */
	enum { DOC, BOTH, VERSION };
	static const struct {
		int args;
		const char *sql, *what;
	} steps[] = {
	    {DOC, "DELETE FROM pages WHERE doc_id = $1", "drop the old pages"},
	    {BOTH, "UPDATE pages SET doc_id = $1 WHERE doc_id = $2", "move the new pages"},
	    {DOC, "DELETE FROM outlines WHERE doc_id = $1", "drop the old outline"},
	    {BOTH, "UPDATE outlines SET doc_id = $1 WHERE doc_id = $2", "move the new outline"},
	    /* the old text's recognition: its batches have no pages left */
	    {DOC, "DELETE FROM jobs WHERE doc_id = $1 AND state = 'queued'", "drop old jobs"},
	    {DOC, "UPDATE jobs SET state = 'failed' WHERE doc_id = $1 AND state = 'running'", "end old jobs"},
	    /* the version's (its conversion, its recognition batches) */
	    {BOTH, "UPDATE jobs SET doc_id = $1 WHERE doc_id = $2", "move the new jobs"},
	    /* the document's title stays when its owner chose it */
	    {BOTH,
	     "UPDATE documents SET filename = v.filename, format = v.format, sha256 = v.sha256, size = v.size,"
	     " pages = v.pages, status = v.status, reason = NULL, author = v.author, thumb_sha256 = v.thumb_sha256,"
	     " progress_done = v.progress_done, progress_total = v.progress_total, keywords = v.keywords,"
	     " dup_of = v.dup_of, minhash = v.minhash,"
	     " title = CASE WHEN documents.title_user <> 0 THEN documents.title ELSE v.title END,"
	     /* new content on a site that reviews uploads: reviewed again */
	     " state = CASE WHEN v.version_review <> 0 AND documents.state = " SQ_PUBLISHED
	     " THEN 1 ELSE documents.state END,"
	     /* ... and when it is in the recycle bin, its restore brings it back under review */
	     " state_before = CASE WHEN v.version_review <> 0 AND documents.state = " SQ_DELETED
	     " AND coalesce(documents.state_before, " SQ_PUBLISHED ") = " SQ_PUBLISHED
	     " THEN 1 ELSE documents.state_before END,"
	     " updated_at = extract(epoch from now())::bigint"
	     " FROM (SELECT * FROM documents WHERE id = $2) AS v WHERE documents.id = $1",
	     "swap in the new version"},
	    {VERSION, "DELETE FROM documents WHERE id = $1", "drop the version's row"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		const int64_t both[2] = {doc_id, vid};
		const int64_t *v = steps[i].args == VERSION ? &vid : both;
		if ((rc = pg_exec_ints(st, steps[i].sql, v, steps[i].args == BOTH ? 2 : 1, NULL, steps[i].what, ei)))
			return rc;
	}
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT minhash FROM documents WHERE id = $1", &a, &r, NULL, "read a document", ei)))
		return rc;
	size_t len = 0;
	unsigned char *sig = PQntuples(r) ? pg_bytes(r, 0, 0, &len) : NULL;
	PQclear(r);
	rc = pg_index_doc(st, doc_id, sig && len == WY_MINHASH_BYTES ? sig : NULL, ei);
	free(sig);
	/* its text changed: it earns as a new upload would, never keeping
	 * what the old text earned */
	return rc ? rc : pg_upload_points_anew(st, doc_id, ei);
}

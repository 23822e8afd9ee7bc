/* store/sqlite_import: what `wenyuan import` asks of the store beyond adding
 * documents: whether a file's bytes are in the library already. It only
 * reads. */
#include "store/sqlite_int.h"

int sqlite_doc_of_sha256(wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc;
	/* documents_sha256 makes this one index probe. In the library: what
	 * readers see (public), or what an import or `wenyuan add` made
	 * (no owner: the document sqlite_doc_add would find), not deleted.
	 * An account's private, pending or unconverted upload of the same
	 * bytes is its owner's, and must not keep the site's copy out. */
	if ((rc = sq_prep(st, &s,
			  "SELECT d.id FROM documents d WHERE d.sha256 = ?1 AND (" SQ_PUBLIC
			  " OR (d.owner_id IS NULL AND d.state < " SQ_DELETED ")) ORDER BY d.id LIMIT 1",
			  ei)))
		return rc;
	sq_bind_text(s, 1, sha256);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document of these bytes");
	else
		rc = sq_fail(SQ(st)->db, ei, "find a document by its bytes");
	sq_done(st, s);
	return rc;
}

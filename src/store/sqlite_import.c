/* store/sqlite_import: what `wenyuan import` asks of the store beyond adding
 * documents: whether a file's bytes are a document already, whoever owns
 * it. It only reads. */
#include "store/sqlite_int.h"

int wy_store_doc_of_sha256(wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc;
	/* documents_sha256 makes this one index probe; a deleted document is
	 * gone (its bytes may come back), as wy_store_doc_add counts it */
	if ((rc = sq_prep(st, &s, "SELECT id FROM documents WHERE sha256 = ?1 AND state < 3 ORDER BY id LIMIT 1", ei)))
		return rc;
	sq_bind_text(s, 1, sha256);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document of these bytes");
	else
		rc = sq_fail(st->db, ei, "find a document by its bytes");
	sq_done(st, s);
	return rc;
}

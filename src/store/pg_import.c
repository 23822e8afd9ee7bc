/* store/pg_import: what `wenyuan import` asks of the store beyond adding
 * documents, on PostgreSQL (sqlite_import.c's rule): whether a file's
 * bytes are in the library already. It only reads. */
#include "store/pg_int.h"

int pg_doc_of_sha256(wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei)
{
	/* In the library: what readers see (public), or what an import or `wenyuan add` made (no owner), not
	 * deleted. An account's private, pending or unconverted upload of the
	 * same bytes is its owner's, and must not keep the site's copy out. */
	pg_args a = {0};
	pg_arg_text(&a, sha256);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT d.id FROM documents d WHERE d.sha256 = $1 AND (" SQ_PUBLIC
			" OR (d.owner_id IS NULL AND d.state < " SQ_DELETED ")) ORDER BY d.id LIMIT 1",
			&a, &r, NULL, "find a document by its bytes", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		*id = pg_int(r, 0, 0);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document of these bytes");
	PQclear(r);
	return rc;
}

/* store/pg_import: what `wenyuan import` asks of the store beyond adding
 * documents, on PostgreSQL (sqlite_import.c's rule): whether a file's
 * bytes are in the library already. It only reads. */
#include "store/pg_int.h"

_Static_assert(WY_DOC_READY == 2 && WY_DOC_READABLE == 4 && WY_STATE_PUBLISHED == 0 && WY_STATE_DELETED == 3,
	       "the statement below names these values");

int pg_doc_of_sha256(wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei)
{
	/* In the library: what readers see (public: open, published, not
	 * private), or what an import or `wenyuan add` made (no owner), not
	 * deleted. An account's private, pending or unconverted upload of the
	 * same bytes is its owner's, and must not keep the site's copy out. */
	pg_args a = {0};
	pg_arg_text(&a, sha256);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT d.id FROM documents d WHERE d.sha256 = $1 AND ((d.status IN (2, 4) AND d.state = 0"
			" AND d.private = 0) OR (d.owner_id IS NULL AND d.state < 3)) ORDER BY d.id LIMIT 1",
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

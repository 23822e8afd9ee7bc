/* store/pg_outline: a document's outline (text/outline.h) on PostgreSQL,
 * one row per entry in reading order (table outlines), as
 * sqlite_outline.c: replaced when a conversion is published (in that
 * transaction, pg_outline_replace), gone with its document (ON DELETE
 * CASCADE). */
#include "core/util.h"
#include "store/pg_int.h"

#include <string.h>

int pg_outline_replace(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei)
{
	int rc = pg_exec_ints(st, "DELETE FROM outlines WHERE doc_id=$1", &doc_id, 1, NULL, "delete outline", ei);
	for (int i = 0; !rc && o && i < o->n && i < WY_OUTLINE_MAX; i++) {
		pg_args a = {0};
		pg_arg_int(&a, doc_id);
		pg_arg_int(&a, i);
		pg_arg_int(&a, o->items[i].depth);
		pg_arg_int(&a, o->items[i].page);
		pg_arg_text(&a, o->items[i].title);
		rc = pg_run(st, "INSERT INTO outlines(doc_id, seq, depth, page, title) VALUES($1, $2, $3, $4, $5)", &a,
			    NULL, NULL, "insert outline", ei);
	}
	return rc;
}

int pg_outline_set(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	return pg_end(st, pg_outline_replace(st, doc_id, o, ei), ei);
}

int pg_outline_get(wy_store *st, int64_t doc_id, wy_outline *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	int rc = pg_run(st, "SELECT title, page, depth FROM outlines WHERE doc_id=$1 ORDER BY seq", &a, &r, NULL,
			"get outline", ei);
	if (rc)
		return rc;
	/* wy_outline_add checks each row against the bounds once more */
	for (int i = 0; i < PQntuples(r); i++)
		wy_outline_add(out, pg_cstr(r, i, 0), (int)pg_int(r, i, 1), (int)pg_int(r, i, 2));
	PQclear(r);
	return WY_OK;
}

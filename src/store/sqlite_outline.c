/* store/sqlite_outline: a document's outline (text/outline.h), one row per
 * entry in reading order (table outlines, migration 13). It is replaced
 * when a conversion is published (in that transaction, sq_outline_replace)
 * and goes with its document (ON DELETE CASCADE). */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

int sq_outline_replace(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "DELETE FROM outlines WHERE doc_id=?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "delete outline");
	sq_done(st, s);
	if (rc || !o || !o->n)
		return rc;
	if ((rc = sq_prep(st, &s, "INSERT INTO outlines(doc_id, seq, depth, page, title) VALUES(?1, ?2, ?3, ?4, ?5)",
			  ei)))
		return rc;
	for (int i = 0; i < o->n && i < WY_OUTLINE_MAX; i++) {
		sqlite3_bind_int64(s, 1, doc_id);
		sqlite3_bind_int(s, 2, i);
		sqlite3_bind_int(s, 3, o->items[i].depth);
		sqlite3_bind_int(s, 4, o->items[i].page);
		sq_bind_text(s, 5, o->items[i].title);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(SQ(st)->db, ei, "insert outline");
			break;
		}
		sqlite3_reset(s);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_outline_set(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = sq_outline_replace(st, doc_id, o, ei))) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

int sqlite_outline_get(wy_store *st, int64_t doc_id, wy_outline *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s, "SELECT title, page, depth FROM outlines WHERE doc_id=?1 ORDER BY seq", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	int step;
	/* wy_outline_add checks each row against the bounds once more */
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		wy_outline_add(out, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
			       sqlite3_column_int(s, 2));
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "get outline");
		wy_outline_free(out);
	}
	sq_done(st, s);
	return rc;
}

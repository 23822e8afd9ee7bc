/* store/sqlite_tables: every row of a listed table, read and written as
 * typed cells (store.h's wy_store_table_*: wenyuan migrate). The table's
 * name comes from the list of store/tables.c, its columns from the
 * schema: no name in these statements comes from a user. */
#include "store/sqlite_int.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* name as an SQL identifier: "name", quotes doubled */
static void put_ident(wy_buf *b, const char *name)
{
	wy_buf_putc(b, '"');
	for (const char *c = name; *c; c++) {
		if (*c == '"')
			wy_buf_putc(b, '"');
		wy_buf_putc(b, *c);
	}
	wy_buf_putc(b, '"');
}

static int bind_cell(sqlite3_stmt *s, int i, const wy_cell *c)
{
	switch (c->type) {
	case WY_CELL_INT:
		return sqlite3_bind_int64(s, i, c->i);
	case WY_CELL_REAL:
		return sqlite3_bind_double(s, i, c->r);
	case WY_CELL_TEXT:
		return sqlite3_bind_text64(s, i, c->p ? c->p : "", c->len, SQLITE_TRANSIENT, SQLITE_UTF8);
	case WY_CELL_BYTES:
		return sqlite3_bind_blob64(s, i, c->p ? c->p : "", c->len, SQLITE_TRANSIENT);
	default:
		return sqlite3_bind_null(s, i);
	}
}

int sqlite_table_rows(wy_store *st, const char *table, const wy_cell *after, int limit,
		      int (*cb)(void *ctx, int ncols, const char *const *names, const wy_cell *cells), void *ctx,
		      wy_errinfo *ei)
{
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		return wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	int nkey = 0;
	while (t->key[nkey])
		nkey++;
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "SELECT * FROM ");
	put_ident(&q, t->name);
	if (after) {
		wy_buf_puts(&q, " WHERE (");
		for (int i = 0; i < nkey; i++) {
			if (i)
				wy_buf_puts(&q, ", ");
			put_ident(&q, t->key[i]);
		}
		wy_buf_puts(&q, ") > (");
		for (int i = 0; i < nkey; i++)
			wy_buf_printf(&q, "%s?%d", i ? ", " : "", i + 1);
		wy_buf_puts(&q, ")");
	}
	wy_buf_puts(&q, " ORDER BY ");
	for (int i = 0; i < nkey; i++) {
		if (i)
			wy_buf_puts(&q, ", ");
		put_ident(&q, t->key[i]);
	}
	if (limit > 0)
		wy_buf_printf(&q, " LIMIT %d", limit);
	sqlite3_stmt *s = NULL;
	int rc = WY_OK;
	if (sqlite3_prepare_v2(SQ(st)->db, q.data, -1, &s, NULL) != SQLITE_OK) {
		rc = sq_fail(SQ(st)->db, ei, "read a table");
		goto out;
	}
	for (int i = 0; after && i < nkey; i++)
		bind_cell(s, i + 1, &after[i]);
	int ncols = sqlite3_column_count(s);
	const char **names = wy_xcalloc((size_t)ncols + 1, sizeof *names);
	wy_cell *cells = wy_xcalloc((size_t)ncols + 1, sizeof *cells);
	for (int i = 0; i < ncols; i++)
		names[i] = sqlite3_column_name(s, i);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++) {
			wy_cell *c = &cells[i];
			memset(c, 0, sizeof *c);
			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER:
				c->type = WY_CELL_INT;
				c->i = sqlite3_column_int64(s, i);
				break;
			case SQLITE_FLOAT:
				c->type = WY_CELL_REAL;
				c->r = sqlite3_column_double(s, i);
				break;
			case SQLITE_TEXT:
				c->type = WY_CELL_TEXT;
				c->p = (const char *)sqlite3_column_text(s, i);
				c->len = (size_t)sqlite3_column_bytes(s, i);
				break;
			case SQLITE_BLOB:
				c->type = WY_CELL_BYTES;
				c->p = sqlite3_column_blob(s, i);
				c->len = (size_t)sqlite3_column_bytes(s, i);
				break;
			default:
				c->type = WY_CELL_NULL;
			}
		}
		if ((rc = cb(ctx, ncols, names, cells)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read a table");
	free(names);
	free(cells);
out:
	sqlite3_finalize(s);
	wy_buf_free(&q);
	return rc;
}

int sqlite_table_put(wy_store *st, const char *table, int ncols, const char *const *names, const wy_cell *cells,
		     int nrows, wy_errinfo *ei)
{
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		return wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	if (nrows <= 0)
		return WY_OK;
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "INSERT INTO ");
	put_ident(&q, t->name);
	wy_buf_puts(&q, "(");
	for (int i = 0; i < ncols; i++) {
		if (i)
			wy_buf_puts(&q, ", ");
		put_ident(&q, names[i]);
	}
	wy_buf_puts(&q, ") VALUES(");
	for (int i = 0; i < ncols; i++)
		wy_buf_printf(&q, "%s?%d", i ? ", " : "", i + 1);
	wy_buf_puts(&q, ")");
	sqlite3_stmt *s = NULL;
	int rc = sq_begin(st, ei);
	/* a row may refer to one later in the key's order (a category moved
	 * under a younger one): the references are checked at the commit */
	if (!rc)
		rc = sq_exec(st, "PRAGMA defer_foreign_keys = ON", ei);
	if (!rc && sqlite3_prepare_v2(SQ(st)->db, q.data, -1, &s, NULL) != SQLITE_OK)
		rc = sq_fail(SQ(st)->db, ei, "copy into a table");
	for (int r = 0; !rc && r < nrows; r++) {
		sqlite3_reset(s);
		for (int i = 0; i < ncols; i++)
			bind_cell(s, i + 1, &cells[(size_t)r * (size_t)ncols + (size_t)i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "copy into a table");
	}
	sqlite3_finalize(s);
	wy_buf_free(&q);
	return sq_end(st, rc, ei);
}

int sqlite_table_clear(wy_store *st, const char *table, wy_errinfo *ei)
{
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		return wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "DELETE FROM ");
	put_ident(&q, t->name);
	int rc = sq_exec(st, q.data, ei);
	wy_buf_free(&q);
	return rc;
}

int sqlite_table_names(wy_store *st, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", ei);
	if (rc)
		return rc;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		out->items[out->n++] = sq_col_str(s, 0);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list the tables");
		wy_str_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_table_seq(wy_store *st, const char *table, int64_t *last, wy_errinfo *ei)
{
	*last = 0;
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		return wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	if (!t->ids)
		return WY_OK;
	/* AUTOINCREMENT keeps the highest in sqlite_sequence; other tables
	 * give max(id) + 1 */
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0),"
			" coalesce((SELECT max(id) FROM ");
	put_ident(&q, t->name);
	wy_buf_puts(&q, "), 0))");
	sqlite3_stmt *s = NULL;
	int rc = WY_OK;
	if (sqlite3_prepare_v2(SQ(st)->db, q.data, -1, &s, NULL) != SQLITE_OK)
		rc = sq_fail(SQ(st)->db, ei, "read a table's ids");
	if (!rc) {
		sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			*last = sqlite3_column_int64(s, 0);
		else
			rc = sq_fail(SQ(st)->db, ei, "read a table's ids");
	}
	sqlite3_finalize(s);
	wy_buf_free(&q);
	return rc;
}

int sqlite_table_seq_set(wy_store *st, const char *table, int64_t last, wy_errinfo *ei)
{
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		return wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	if (!t->ids || last <= 0)
		return WY_OK;
	/* only an AUTOINCREMENT table keeps a sequence (the others give
	 * max(id) + 1, as the source did) */
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 AND sql LIKE '%AUTOINCREMENT%'",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
	bool autoinc = sqlite3_step(s) == SQLITE_ROW;
	sq_done(st, s);
	if (!autoinc)
		return WY_OK;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if (!(rc = sq_prep(st, &s, "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1", ei))) {
		sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, last);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "move a table's ids");
		bool none = !rc && sqlite3_changes(SQ(st)->db) == 0;
		sq_done(st, s);
		if (none && !(rc = sq_prep(st, &s, "INSERT INTO sqlite_sequence(name, seq) VALUES(?1, ?2)", ei))) {
			sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, last);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = sq_fail(SQ(st)->db, ei, "move a table's ids");
			sq_done(st, s);
		}
	}
	return sq_end(st, rc, ei);
}

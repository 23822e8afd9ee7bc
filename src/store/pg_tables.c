/* store/pg_tables: every row of a listed table, read and written as typed
 * cells (store.h's wy_store_table_*: wenyuan migrate). The table's name
 * comes from the list of store/tables.c, its columns from the schema: no
 * name in these statements comes from a user. Rows are read a page at a
 * time by key, so a table of millions of pages never sits in memory; text
 * keys are ordered as bytes (COLLATE "C"), as SQLite orders them, so that
 * "after this key" means the same on both. */
#include "store/pg_int.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ROWS 1000
/* PostgreSQL's limit of parameters in one statement is 65535 */
#define MAX_PARAMS 60000

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

static const wy_table_def *listed(const char *table, wy_errinfo *ei)
{
	const wy_table_def *t = wy_store_table_def(table);
	if (!t)
		wy_err_set(ei, WY_EINVAL, "store: %s is not a table of a library", table ? table : "(null)");
	return t;
}

/* Whether each key column of t holds text (ordered COLLATE "C"). */
static int key_texts(wy_store *st, const wy_table_def *t, bool *text, int nkey, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, t->name);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT column_name, data_type IN ('text', 'character varying', 'character')"
			" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
			&a, &r, NULL, "read a table's columns", ei);
	if (rc)
		return rc;
	for (int k = 0; k < nkey; k++) {
		text[k] = false;
		for (int i = 0; i < PQntuples(r); i++)
			if (strcmp(pg_cstr(r, i, 0), t->key[k]) == 0)
				text[k] = pg_int(r, i, 1) != 0;
	}
	PQclear(r);
	return WY_OK;
}

/* A cell as a parameter: text for numbers and text (str holds the copy
 * to free), binary for bytes. */
static void cell_param(const wy_cell *c, const char **v, int *len, int *fmt, char **str)
{
	*len = 0;
	*fmt = 0;
	*str = NULL;
	switch (c->type) {
	case WY_CELL_INT:
		*str = wy_xasprintf("%" PRId64, c->i);
		break;
	case WY_CELL_REAL:
		*str = wy_xasprintf("%.17g", c->r);
		break;
	case WY_CELL_TEXT:
		*str = wy_xmalloc(c->len + 1);
		if (c->len)
			memcpy(*str, c->p, c->len);
		(*str)[c->len] = 0;
		break;
	case WY_CELL_BYTES:
		*v = c->p ? c->p : "";
		*len = (int)c->len;
		*fmt = 1;
		return;
	default:
		*v = NULL;
		return;
	}
	*v = *str;
}

/* A column's value of row i as a cell; bytes unescaped into *owned. */
static void read_cell(const PGresult *r, int i, int col, wy_cell *c, void **owned)
{
	memset(c, 0, sizeof *c);
	*owned = NULL;
	if (PQgetisnull(r, i, col))
		return;
	const char *v = PQgetvalue(r, i, col);
	switch (PQftype(r, col)) {
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		c->type = WY_CELL_INT;
		c->i = strtoll(v, NULL, 10);
		break;
	case 16: /* bool: SQLite's 0/1 */
		c->type = WY_CELL_INT;
		c->i = v[0] == 't';
		break;
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
		c->type = WY_CELL_REAL;
		c->r = strtod(v, NULL);
		break;
	case 17: /* bytea */
		c->type = WY_CELL_BYTES;
		c->p = *owned = pg_bytes(r, i, col, &c->len);
		break;
	default:
		c->type = WY_CELL_TEXT;
		c->p = v;
		c->len = (size_t)PQgetlength(r, i, col);
	}
}

int pg_table_rows(wy_store *st, const char *table, const wy_cell *after, int limit,
		  int (*cb)(void *ctx, int ncols, const char *const *names, const wy_cell *cells), void *ctx,
		  wy_errinfo *ei)
{
	const wy_table_def *t = listed(table, ei);
	if (!t)
		return WY_EINVAL;
	int nkey = 0;
	while (t->key[nkey])
		nkey++;
	bool text[8];
	if (nkey > 8)
		return wy_err_set(ei, WY_EINVAL, "store: %s has too long a key", table);
	int rc = key_texts(st, t, text, nkey, ei);
	if (rc)
		return rc;
	wy_buf order, q;
	wy_buf_init(&order, 0);
	wy_buf_init(&q, 0);
	for (int k = 0; k < nkey; k++) {
		if (k)
			wy_buf_puts(&order, ", ");
		put_ident(&order, t->key[k]);
		if (text[k])
			wy_buf_puts(&order, " COLLATE \"C\"");
	}
	const char *v[8];
	int len[8], fmt[8];
	char *str[8] = {0};
	for (int k = 0; after && k < nkey; k++)
		cell_param(&after[k], &v[k], &len[k], &fmt[k], &str[k]);
	bool have_after = after != NULL;
	PGresult *prev = NULL;
	int left = limit > 0 ? limit : -1;
	const char **names = NULL;
	wy_cell *cells = NULL;
	void **owned = NULL;
	int ncols = 0;
	while (!rc && left != 0) {
		int page = left > 0 && left < PAGE_ROWS ? left : PAGE_ROWS;
		q.len = 0;
		wy_buf_puts(&q, "SELECT * FROM ");
		put_ident(&q, t->name);
		if (have_after) {
			wy_buf_printf(&q, " WHERE (%s) > (", order.data);
			for (int k = 0; k < nkey; k++)
				wy_buf_printf(&q, "%s$%d", k ? ", " : "", k + 1);
			wy_buf_puts(&q, ")");
		}
		wy_buf_printf(&q, " ORDER BY %s LIMIT %d", order.data, page);
		PGresult *r = PQexecParams(PG(st)->conn, q.data, have_after ? nkey : 0, NULL, have_after ? v : NULL,
					   len, fmt, 0);
		PQclear(prev);
		prev = NULL;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = pg_fail(st, r, ei, "read a table");
			PQclear(r);
			break;
		}
		int n = PQntuples(r);
		if (!names) {
			ncols = PQnfields(r);
			names = wy_xcalloc((size_t)ncols + 1, sizeof *names);
			cells = wy_xcalloc((size_t)ncols + 1, sizeof *cells);
			owned = wy_xcalloc((size_t)ncols + 1, sizeof *owned);
		}
		for (int c = 0; c < ncols; c++)
			names[c] = PQfname(r, c);
		for (int i = 0; !rc && i < n; i++) {
			for (int c = 0; c < ncols; c++)
				read_cell(r, i, c, &cells[c], &owned[c]);
			rc = cb(ctx, ncols, names, cells);
			for (int c = 0; c < ncols; c++) {
				free(owned[c]);
				owned[c] = NULL;
			}
		}
		if (left > 0)
			left -= n;
		if (rc || n < page) {
			PQclear(r);
			break;
		}
		/* the next page starts after this one's last key, passed back
		 * in the text form the server gave it */
		for (int k = 0; k < nkey; k++) {
			int col = PQfnumber(r, t->key[k]);
			free(str[k]);
			str[k] = NULL;
			if (col < 0) {
				rc = wy_err_set(ei, WY_ESTORE, "store: %s has no column %s", table, t->key[k]);
				break;
			}
			v[k] = PQgetvalue(r, n - 1, col);
			len[k] = 0;
			fmt[k] = 0;
		}
		have_after = true;
		prev = r; /* v[] points into it */
	}
	PQclear(prev);
	for (int k = 0; k < nkey; k++)
		free(str[k]);
	free(names);
	free(cells);
	free(owned);
	wy_buf_free(&order);
	wy_buf_free(&q);
	return rc;
}

/* One INSERT of rows [from, to). */
static int put_rows(wy_store *st, const wy_table_def *t, int ncols, const char *const *names, const wy_cell *cells,
		    int from, int to, wy_errinfo *ei)
{
	size_t np = (size_t)(to - from) * (size_t)ncols;
	const char **v = wy_xcalloc(np + 1, sizeof *v);
	int *len = wy_xcalloc(np + 1, sizeof *len), *fmt = wy_xcalloc(np + 1, sizeof *fmt);
	char **str = wy_xcalloc(np + 1, sizeof *str);
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "INSERT INTO ");
	put_ident(&q, t->name);
	wy_buf_puts(&q, "(");
	for (int c = 0; c < ncols; c++) {
		if (c)
			wy_buf_puts(&q, ", ");
		put_ident(&q, names[c]);
	}
	wy_buf_puts(&q, ") VALUES ");
	size_t p = 0;
	for (int r = from; r < to; r++) {
		wy_buf_puts(&q, r > from ? ", (" : "(");
		for (int c = 0; c < ncols; c++, p++) {
			wy_buf_printf(&q, "%s$%zu", c ? ", " : "", p + 1);
			cell_param(&cells[(size_t)r * (size_t)ncols + (size_t)c], &v[p], &len[p], &fmt[p], &str[p]);
		}
		wy_buf_puts(&q, ")");
	}
	PGresult *res = PQexecParams(PG(st)->conn, q.data, (int)np, NULL, v, len, fmt, 0);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? WY_OK : pg_fail(st, res, ei, "copy into a table");
	PQclear(res);
	for (size_t i = 0; i < np; i++)
		free(str[i]);
	free(str);
	free(v);
	free(len);
	free(fmt);
	wy_buf_free(&q);
	return rc;
}

int pg_table_put(wy_store *st, const char *table, int ncols, const char *const *names, const wy_cell *cells,
		 int nrows, wy_errinfo *ei)
{
	const wy_table_def *t = listed(table, ei);
	if (!t)
		return WY_EINVAL;
	if (nrows <= 0 || ncols <= 0)
		return WY_OK;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	/* as many rows in one statement as the parameters allow: a row may
	 * refer to a later one of the same statement (a category moved under
	 * a younger one), checked at the statement's end */
	int per = MAX_PARAMS / ncols > 0 ? MAX_PARAMS / ncols : 1;
	for (int from = 0; !rc && from < nrows; from += per)
		rc = put_rows(st, t, ncols, names, cells, from, from + per < nrows ? from + per : nrows, ei);
	bool has_id = false;
	for (int c = 0; c < ncols; c++)
		has_id |= strcmp(names[c], "id") == 0;
	if (!rc && has_id && t->ids) {
		/* the ids were given: the next one the table makes comes after
		 * them (never moved back: wy_store_table_seq_set may have moved
		 * it further) */
		wy_buf q;
		wy_buf_init(&q, 0);
		wy_buf_puts(&q, "SELECT setval(s, greatest(m, coalesce(pg_sequence_last_value(s::regclass), 0)))"
				" FROM (SELECT pg_get_serial_sequence($1, 'id') AS s,"
				" (SELECT max(id) FROM ");
		put_ident(&q, t->name);
		wy_buf_puts(&q, ") AS m) x WHERE s IS NOT NULL AND m IS NOT NULL");
		const char *v[1] = {t->name};
		PGresult *r = PQexecParams(PG(st)->conn, q.data, 1, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			rc = pg_fail(st, r, ei, "move a table's id sequence");
		PQclear(r);
		wy_buf_free(&q);
	}
	return pg_end(st, rc, ei);
}

int pg_table_clear(wy_store *st, const char *table, wy_errinfo *ei)
{
	const wy_table_def *t = listed(table, ei);
	if (!t)
		return WY_EINVAL;
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "DELETE FROM ");
	put_ident(&q, t->name);
	int rc = pg_run(st, q.data, NULL, NULL, NULL, "empty a table", ei);
	wy_buf_free(&q);
	return rc;
}

int pg_table_names(wy_store *st, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1", NULL,
			&r, NULL, "list the tables", ei);
	if (rc)
		return rc;
	int n = PQntuples(r);
	out->items = wy_xcalloc((size_t)n + 1, sizeof *out->items);
	for (int i = 0; i < n; i++)
		out->items[out->n++] = pg_str(r, i, 0);
	PQclear(r);
	return WY_OK;
}

int pg_table_seq(wy_store *st, const char *table, int64_t *last, wy_errinfo *ei)
{
	*last = 0;
	const wy_table_def *t = listed(table, ei);
	if (!t)
		return WY_EINVAL;
	if (!t->ids)
		return WY_OK;
	wy_buf q;
	wy_buf_init(&q, 0);
	wy_buf_puts(&q, "SELECT greatest(coalesce((SELECT max(id) FROM ");
	put_ident(&q, t->name);
	wy_buf_puts(&q, "), 0), coalesce((SELECT pg_sequence_last_value(s::regclass) FROM"
			" (SELECT pg_get_serial_sequence($1, 'id') AS s) x WHERE s IS NOT NULL), 0))");
	pg_args a = {0};
	pg_arg_text(&a, t->name);
	PGresult *r;
	int rc = pg_run(st, q.data, &a, &r, NULL, "read a table's ids", ei);
	if (!rc) {
		*last = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
		PQclear(r);
	}
	wy_buf_free(&q);
	return rc;
}

int pg_table_seq_set(wy_store *st, const char *table, int64_t last, wy_errinfo *ei)
{
	const wy_table_def *t = listed(table, ei);
	if (!t)
		return WY_EINVAL;
	if (!t->ids || last <= 0)
		return WY_OK;
	pg_args a = {0};
	pg_arg_text(&a, t->name);
	pg_arg_int(&a, last);
	return pg_run(st,
		      "SELECT setval(s, greatest($2::bigint, coalesce(pg_sequence_last_value(s::regclass), 0)))"
		      " FROM (SELECT pg_get_serial_sequence($1, 'id') AS s) x WHERE s IS NOT NULL",
		      &a, NULL, NULL, "move a table's ids", ei);
}

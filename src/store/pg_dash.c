/* store/pg_dash: what the admins' dashboard counts (web/dash.c), on
 * PostgreSQL, as sqlite_dash.c counts it on SQLite: documents by status
 * and state, the failed ones with their reasons, figures per day and
 * conversions per hour, and how much room the store takes. Reads only;
 * every figure is one statement over tables others write. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"

#include <stdlib.h>
#include <string.h>

/* China's day of a time, as sign-ins count days (account.c) */
#define DAY_OF(col) "((" col " + 28800) / 86400)"

int pg_dash_docs(wy_store *st, wy_dash_docs *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, "SELECT status, state, count(*) FROM documents GROUP BY status, state", NULL, &r, NULL,
			"count documents", ei);
	if (rc)
		return rc;
	for (int k = 0, rows = PQntuples(r); k < rows; k++) {
		int64_t status = pg_int(r, k, 0), state = pg_int(r, k, 1), n = pg_int(r, k, 2);
		if (status >= 0 && status < WY_DOC_NSTATUS)
			out->status[status] += n;
		if (state >= 0 && state < WY_DOC_NSTATES)
			out->state[state] += n;
	}
	PQclear(r);
	return WY_OK;
}

int pg_failed_each(wy_store *st, void (*cb)(void *ctx, int64_t id, const char *reason), void *ctx, wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st, "SELECT id, reason FROM documents WHERE status = 3 AND state <> " SQ_DELETED " ORDER BY id",
			NULL, &r, NULL, "list failed documents", ei);
	if (rc)
		return rc;
	for (int k = 0, rows = PQntuples(r); k < rows; k++)
		cb(ctx, pg_int(r, k, 0), pg_isnull(r, k, 1) ? NULL : pg_cstr(r, k, 1));
	PQclear(r);
	return WY_OK;
}

/* One statement's (day, count) rows, $1 the first day and $2 past the
 * last, into out. */
static int per_day(wy_store *st, const char *sql, int64_t from, int n, int64_t *out, wy_errinfo *ei)
{
	memset(out, 0, (size_t)n * sizeof *out);
	pg_args a = {0};
	pg_arg_int(&a, from);
	pg_arg_int(&a, from + n);
	PGresult *r;
	int rc = pg_run(st, sql, &a, &r, NULL, "count per day", ei);
	if (rc)
		return rc;
	for (int k = 0, rows = PQntuples(r); k < rows; k++) {
		int64_t day = pg_int(r, k, 0) - from;
		if (day >= 0 && day < n)
			out[day] = pg_int(r, k, 1);
	}
	PQclear(r);
	return WY_OK;
}

/* "WHERE day BETWEEN": the times of days [$1, $2) */
#define IN_DAYS(col) " WHERE " col " >= $1::bigint * 86400 - 28800 AND " col " < $2::bigint * 86400 - 28800"

int pg_dash_daily(wy_store *st, wy_dash_series what, int64_t from, int n, int64_t *out, wy_errinfo *ei)
{
	static const char *const sql[] = {
		[WY_DASH_USERS] = "SELECT " DAY_OF("created_at") " AS day, count(*) FROM users" IN_DAYS("created_at")
				  " GROUP BY day",
		[WY_DASH_UPLOADS] = "SELECT " DAY_OF("created_at") " AS day, count(*) FROM documents" IN_DAYS("created_at")
				    " AND state <> " SQ_VERSION " GROUP BY day",
		[WY_DASH_DOWNLOADS] = "SELECT " DAY_OF("at") " AS day, count(*) FROM download_log" IN_DAYS("at")
				      " GROUP BY day",
		[WY_DASH_SEARCHES] = "SELECT day, n FROM search_days WHERE day >= $1 AND day < $2",
	};
	if ((unsigned)what >= sizeof sql / sizeof sql[0] || n <= 0)
		return wy_err_set(ei, WY_EINVAL, "no such series");
	return per_day(st, sql[what], from, n, out, ei);
}

int pg_dash_hourly(wy_store *st, int64_t from, int n, int64_t *ready, int64_t *failed, wy_errinfo *ei)
{
	memset(ready, 0, (size_t)n * sizeof *ready);
	memset(failed, 0, (size_t)n * sizeof *failed);
	pg_args a = {0};
	pg_arg_int(&a, from);
	pg_arg_int(&a, from + n);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT updated_at / 3600 AS hour, state = 'done', count(*) FROM jobs"
			" WHERE state IN ('done', 'failed') AND ocr_from = 0 AND updated_at >= $1::bigint * 3600"
			" AND updated_at < $2::bigint * 3600 GROUP BY hour, state",
			&a, &r, NULL, "count per hour", ei);
	if (rc)
		return rc;
	for (int k = 0, rows = PQntuples(r); k < rows; k++) {
		int64_t h = pg_int(r, k, 0) - from;
		if (h >= 0 && h < n)
			(pg_int(r, k, 1) ? ready : failed)[h] = pg_int(r, k, 2);
	}
	PQclear(r);
	return WY_OK;
}

int pg_dash_last_job(wy_store *st, const char *const *formats, bool ocr, int64_t *at, bool *ok, int64_t *doc_id,
		     char **reason, wy_errinfo *ei)
{
	*at = 0;
	*ok = false;
	*doc_id = 0;
	*reason = NULL;
	/* the formats as one array literal, so the statement stays one
	 * (prepared): each element quoted, '"' and '\' escaped */
	wy_buf list;
	wy_buf_init(&list, 0);
	wy_buf_putc(&list, '{');
	for (int i = 0; !ocr && formats && formats[i]; i++) {
		wy_buf_puts(&list, i ? ",\"" : "\"");
		for (const char *p = formats[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				wy_buf_putc(&list, '\\');
			wy_buf_putc(&list, *p);
		}
		wy_buf_putc(&list, '"');
	}
	wy_buf_putc(&list, '}');
	pg_args a = {0};
	pg_arg_text(&a, list.data);
	pg_arg_int(&a, ocr);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT j.updated_at, j.state = 'done', d.id, d.reason FROM jobs j JOIN documents d ON d.id = j.doc_id"
			" WHERE j.state IN ('done', 'failed') AND (($2::boolean AND j.ocr_from > 0) OR"
			" (NOT $2::boolean AND j.ocr_from = 0 AND d.format = ANY($1::text[])))"
			" ORDER BY j.updated_at DESC, j.id DESC LIMIT 1",
			&a, &r, NULL, "last job", ei);
	wy_buf_free(&list);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		*at = pg_int(r, 0, 0);
		*ok = pg_int(r, 0, 1) != 0;
		*doc_id = pg_int(r, 0, 2);
		*reason = !*ok ? pg_str(r, 0, 3) : NULL;
	}
	PQclear(r);
	return WY_OK;
}

int pg_size(wy_store *st, int64_t *bytes, int64_t *log_bytes, wy_errinfo *ei)
{
	*log_bytes = 0; /* the write-ahead log is the cluster's, not this database's */
	return pg_row_ints(st, "SELECT pg_database_size(current_database())", NULL, 0, bytes, 1, NULL,
			   "the database's size", ei);
}

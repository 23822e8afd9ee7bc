/* store/sqlite_dash: what the admins' dashboard counts (web/dash.c):
 * documents by status and state, the failed ones with their reasons,
 * figures per day and conversions per hour. Reads only; every figure is
 * one statement over tables others write (no table of its own): the
 * dashboard keeps its answers a few seconds, so none of this runs per
 * request. */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* China's day of a time, as sign-ins count days (account.c) */
#define DAY_OF(col) "((" col " + 28800) / 86400)"

int sqlite_dash_docs(wy_store *st, wy_dash_docs *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT status, state, count(*) FROM documents GROUP BY status, state", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int status = sqlite3_column_int(s, 0), state = sqlite3_column_int(s, 1);
		int64_t n = sqlite3_column_int64(s, 2);
		if (status >= 0 && status < WY_DOC_NSTATUS)
			out->status[status] += n;
		if (state >= 0 && state < WY_DOC_NSTATES)
			out->state[state] += n;
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count documents");
	sq_done(st, s);
	return rc;
}

int sqlite_failed_each(wy_store *st, void (*cb)(void *ctx, int64_t id, const char *reason), void *ctx,
			 wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT id, reason FROM documents WHERE status = 3 AND state <> " SQ_DELETED " ORDER BY id", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1));
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "list failed documents");
	sq_done(st, s);
	return rc;
}

/* One statement's (day, count) rows, ?1 the first day and ?2 past the
 * last, into out. */
static int per_day(wy_store *st, const char *sql, int64_t from, int n, int64_t *out, wy_errinfo *ei)
{
	memset(out, 0, (size_t)n * sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, sql, ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, from + n);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(s, 0) - from;
		if (k >= 0 && k < n)
			out[k] = sqlite3_column_int64(s, 1);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count per day");
	sq_done(st, s);
	return rc;
}

/* "WHERE day BETWEEN": the times of days [?1, ?2) */
#define IN_DAYS(col) " WHERE " col " >= ?1 * 86400 - 28800 AND " col " < ?2 * 86400 - 28800"

int sqlite_dash_daily(wy_store *st, wy_dash_series what, int64_t from, int n, int64_t *out, wy_errinfo *ei)
{
	static const char *const sql[] = {
		[WY_DASH_USERS] = "SELECT " DAY_OF("created_at") " AS day, count(*) FROM users" IN_DAYS("created_at")
				  " GROUP BY day",
		[WY_DASH_UPLOADS] = "SELECT " DAY_OF("created_at") " AS day, count(*) FROM documents" IN_DAYS("created_at")
				    " AND state <> " SQ_VERSION " GROUP BY day",
		[WY_DASH_DOWNLOADS] = "SELECT " DAY_OF("at") " AS day, count(*) FROM download_log" IN_DAYS("at")
				      " GROUP BY day",
		[WY_DASH_SEARCHES] = "SELECT day, n FROM search_days WHERE day >= ?1 AND day < ?2",
	};
	if ((unsigned)what >= sizeof sql / sizeof sql[0] || n <= 0)
		return wy_err_set(ei, WY_EINVAL, "no such series");
	return per_day(st, sql[what], from, n, out, ei);
}

int sqlite_dash_hourly(wy_store *st, int64_t from, int n, int64_t *ready, int64_t *failed, wy_errinfo *ei)
{
	memset(ready, 0, (size_t)n * sizeof *ready);
	memset(failed, 0, (size_t)n * sizeof *failed);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT updated_at / 3600 AS hour, state = 'done', count(*) FROM jobs"
			 " WHERE state IN ('done', 'failed') AND ocr_from = 0 AND updated_at >= ?1 * 3600"
			 " AND updated_at < ?2 * 3600 GROUP BY hour, state",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, from + n);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(s, 0) - from;
		if (k >= 0 && k < n)
			(sqlite3_column_int(s, 1) ? ready : failed)[k] = sqlite3_column_int64(s, 2);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count per hour");
	sq_done(st, s);
	return rc;
}

int sqlite_dash_last_job(wy_store *st, const char *const *formats, bool ocr, int64_t *at, bool *ok,
			   int64_t *doc_id, char **reason, wy_errinfo *ei)
{
	*at = 0;
	*ok = false;
	*doc_id = 0;
	*reason = NULL;
	/* the formats as one JSON array, so the statement stays one (cached) */
	wy_buf list;
	wy_buf_init(&list, 0);
	wy_buf_putc(&list, '[');
	for (int i = 0; !ocr && formats && formats[i]; i++)
		wy_buf_printf(&list, "%s\"%s\"", i ? "," : "", formats[i]);
	wy_buf_puts(&list, "]");
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT j.updated_at, j.state = 'done', d.id, d.reason FROM jobs j JOIN documents d ON d.id = j.doc_id"
			 " WHERE j.state IN ('done', 'failed') AND ((?2 AND j.ocr_from > 0) OR"
			 " (NOT ?2 AND j.ocr_from = 0 AND d.format IN (SELECT value FROM json_each(?1))))"
			 " ORDER BY j.updated_at DESC, j.id DESC LIMIT 1",
			 ei);
	if (rc) {
		wy_buf_free(&list);
		return rc;
	}
	sq_bind_text(s, 1, list.data);
	sqlite3_bind_int(s, 2, ocr);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*at = sqlite3_column_int64(s, 0);
		*ok = sqlite3_column_int(s, 1);
		*doc_id = sqlite3_column_int64(s, 2);
		const char *r = (const char *)sqlite3_column_text(s, 3);
		*reason = !*ok && r ? wy_xstrdup(r) : NULL;
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "last job");
	}
	sq_done(st, s);
	wy_buf_free(&list);
	return rc;
}

/* A file's size, 0 when it is not there (no -wal after a clean close). */
static int64_t file_size(const char *path)
{
	struct stat sb;
	return path && stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

int sqlite_size(wy_store *st, int64_t *bytes, int64_t *log_bytes, wy_errinfo *ei)
{
	(void)ei;
	const char *db = sqlite3_db_filename(SQ(st)->db, "main");
	*bytes = file_size(db);
	*log_bytes = 0;
	if (!db || !*db)
		return WY_OK; /* an in-memory database */
	char *wal = wy_xasprintf("%s-wal", db), *shm = wy_xasprintf("%s-shm", db);
	*log_bytes = file_size(wal) + file_size(shm);
	free(wal);
	free(shm);
	return WY_OK;
}

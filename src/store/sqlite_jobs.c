/* store/sqlite_jobs: recovering the jobs of workers known to be dead
 * (wy_store_job_expire_dead) for the SQLite backend. It only shortens
 * leases; claiming, counting the attempt and giving up after max_attempts
 * stay with wy_store_job_claim, so a recovered job is treated exactly like
 * one whose lease ran out. */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdlib.h>

int wy_store_job_expire_dead(wy_store *st, bool (*dead)(void *ctx, const char *worker), void *ctx, int *expired,
			     wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = WY_OK, total = 0;
	if (expired)
		*expired = 0;
	/* Which workers hold live leases now: a handful of rows, read outside
	 * any write transaction so that asking about processes (the callback)
	 * never holds the store's write lock. */
	if ((rc = sq_prep(st, &s,
		       "SELECT DISTINCT worker FROM jobs WHERE state='running' AND lease_until >= ?1"
		       " AND worker IS NOT NULL",
		       ei)))
		return rc;
	sqlite3_bind_int64(s, 1, wy_now());
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char *w = sq_col_str(s, 0);
		if (!w || !dead(ctx, w)) {
			free(w);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			names = wy_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = w;
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(st->db, ei, "list job leases");
	sq_done(st, s);
	s = NULL;
	if (rc || n == 0)
		goto out;
	/* The worker name is in the WHERE: a job claimed again since the
	 * SELECT carries its new worker's name and is left alone. */
	if ((rc = sq_begin(st, ei)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((rc = sq_prep(st, &s, "UPDATE jobs SET lease_until=0 WHERE state='running' AND worker=?1", ei)))
			goto fail;
		sq_bind_text(s, 1, names[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(st->db, ei, "expire job lease");
			goto fail;
		}
		total += sqlite3_changes(st->db);
		sq_done(st, s);
		s = NULL;
	}
	if ((rc = sq_commit(st, ei)))
		goto out;
	if (expired)
		*expired = total;
	goto out;
fail:
	sq_done(st, s);
	sq_rollback(st);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* store/pg_limits: user groups (what an account may do), the download log
 * the daily download limits count, and the attempt limits of logins and
 * the like, in PostgreSQL (sqlite_limits.c, function for function; the
 * attempts table is schema version 4). The limits are counted and the
 * download or attempt recorded in one write transaction (pg_begin: the
 * writers' lock), so serve processes sharing the store never let more
 * through between them than the limit. Never decides who may see a
 * document: the callers (and pg_download_in) do, with the shared rules. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

#define USER_GROUP STORE_USER_GROUP /* rules.h */

int pg_user_perms(wy_store *st, int64_t user_id, wy_perms *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t row[7];
	bool found;
	int rc = pg_row_ints(st, STORE_PERMS_SQL " WHERE u.id = $1", &user_id, 1, row, 7, &found, "read a user's group", ei);
	if (rc)
		return rc;
	if (!found)
		return wy_err_set(ei, WY_ENOTFOUND, "no user %lld", (long long)user_id);
	store_perms_of(row, out);
	return WY_OK;
}

int pg_groups(wy_store *st, wy_group_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT g.id, g.name, g.can_upload, g.can_comment, g.skip_review, g.free_download, g.upload_mb,"
			" g.is_default, (SELECT count(*) FROM users u WHERE " USER_GROUP " = g.id)"
			" FROM groups g ORDER BY g.id",
			NULL, &r, NULL, "list groups", ei);
	if (rc)
		return rc;
	int n = PQntuples(r), cap = 0;
	for (int i = 0; i < n; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_group *g = &out->items[out->n++];
		g->id = pg_int(r, i, 0);
		g->name = pg_str(r, i, 1);
		g->can_upload = pg_int(r, i, 2) != 0;
		g->can_comment = pg_int(r, i, 3) != 0;
		g->skip_review = pg_int(r, i, 4) != 0;
		g->free_download = pg_int(r, i, 5) != 0;
		g->upload_mb = pg_int(r, i, 6);
		g->is_default = pg_int(r, i, 7) != 0;
		g->members = pg_int(r, i, 8);
	}
	PQclear(r);
	return WY_OK;
}

int pg_group_save(wy_store *st, const wy_group *g, int64_t *id, wy_errinfo *ei)
{
	int rc = store_group_check(g, ei);
	if (rc || (rc = pg_begin(st, ei)))
		return rc;
	/* names compare without case (SQLite's NOCASE column), checked
	 * under the writers' lock before the write */
	pg_args a = {0};
	pg_arg_text(&a, g->name);
	pg_arg_int(&a, g->id);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT 1 FROM groups WHERE lower(name) = lower($1) AND id != $2", &a, &r, NULL,
			 "read groups", ei)))
		return pg_end(st, rc, ei);
	bool taken = PQntuples(r) > 0;
	PQclear(r);
	if (taken)
		return pg_end(st, wy_err_set(ei, WY_EEXIST, "a group named %s exists", g->name), ei);
	pg_args b = {0};
	pg_arg_text(&b, g->name);
	pg_arg_int(&b, g->can_upload);
	pg_arg_int(&b, g->can_comment);
	pg_arg_int(&b, g->skip_review);
	pg_arg_int(&b, g->free_download);
	pg_arg_int(&b, g->upload_mb);
	if (g->id)
		pg_arg_int(&b, g->id);
	if ((rc = pg_run(st,
			 g->id ? "UPDATE groups SET name = $1, can_upload = $2, can_comment = $3, skip_review = $4,"
				 " free_download = $5, upload_mb = $6 WHERE id = $7 RETURNING id"
			       : "INSERT INTO groups(name, can_upload, can_comment, skip_review, free_download, upload_mb)"
				 " VALUES($1, $2, $3, $4, $5, $6) RETURNING id",
			 &b, &r, NULL, "save a group", ei)))
		return pg_end(st, rc, ei);
	if (PQntuples(r) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)g->id);
	else
		*id = pg_int(r, 0, 0);
	PQclear(r);
	return pg_end(st, rc, ei);
}

int pg_group_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t def;
	bool found;
	if (!(rc = pg_row_ints(st, "SELECT is_default FROM groups WHERE id = $1", &id, 1, &def, 1, &found,
			       "read groups", ei))) {
		if (!found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)id);
		else if (def)
			rc = wy_err_set(ei, WY_EPERM, "the default group is not deleted: make another the default first");
	}
	if (!rc)
		rc = pg_exec_ints(st,
				  "UPDATE users SET group_id = (SELECT id FROM groups WHERE is_default = 1) WHERE group_id = $1",
				  &id, 1, NULL, "move a group's members", ei);
	if (!rc)
		rc = pg_exec_ints(st, "DELETE FROM groups WHERE id = $1", &id, 1, NULL, "delete a group", ei);
	return pg_end(st, rc, ei);
}

int pg_group_set_default(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int changed = 0;
	if (!(rc = pg_exec_ints(st, "UPDATE groups SET is_default = 0 WHERE is_default = 1 AND id != $1", &id, 1, NULL,
				"set the default group", ei)))
		rc = pg_exec_ints(st, "UPDATE groups SET is_default = 1 WHERE id = $1", &id, 1, &changed,
				  "set the default group", ei);
	if (!rc && !changed)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)id);
	return pg_end(st, rc, ei);
}

int pg_user_set_group(wy_store *st, int64_t user_id, int64_t group_id, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, group_id};
	int changed = 0;
	int rc = pg_exec_ints(st,
			      "UPDATE users SET group_id = $2 WHERE id = $1 AND EXISTS(SELECT 1 FROM groups WHERE id = $2)",
			      v, 2, &changed, "move a user to a group", ei);
	if (!rc && !changed)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no user %lld or no group %lld", (long long)user_id,
				(long long)group_id);
	return rc;
}

/* The limit a setting gives: the value an admin saved, else this
 * process's. */
static int saved_limit(wy_store *st, const char *name, int64_t def, int64_t *out, wy_errinfo *ei)
{
	*out = def;
	pg_args a = {0};
	pg_arg_text(&a, name);
	PGresult *r;
	int rc = pg_run(st, "SELECT value FROM settings WHERE name = $1", &a, &r, NULL, "read settings", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		store_setting_count(pg_cstr(r, 0, 0), 1000000, out);
	PQclear(r);
	return WY_OK;
}

/* Downloads of the last 24 hours of an account (ip NULL) or an address
 * against limit: WY_ETOOBIG when reached, *retry_after the seconds until
 * enough of them have aged out for one more. */
static int count_window(wy_store *st, int64_t user, const char *ip, int64_t limit, int64_t now, int64_t *retry_after,
			wy_errinfo *ei)
{
	pg_args a = {0};
	if (ip)
		pg_arg_text(&a, ip);
	else
		pg_arg_int(&a, user);
	pg_arg_int(&a, now - DAY);
	PGresult *r;
	int rc = pg_run(st,
			ip ? "SELECT count(*) FROM download_log WHERE ip = $1 AND at > $2"
			   : "SELECT count(*) FROM download_log WHERE user_id = $1 AND at > $2",
			&a, &r, NULL, "count downloads", ei);
	if (rc)
		return rc;
	int64_t n = pg_int(r, 0, 0);
	PQclear(r);
	if (n < limit)
		return WY_OK;
	/* the (n - limit + 1)th oldest of the window must age out */
	pg_arg_int(&a, n - limit);
	if ((rc = pg_run(st,
			 ip ? "SELECT at FROM download_log WHERE ip = $1 AND at > $2 ORDER BY at, id LIMIT 1 OFFSET $3"
			    : "SELECT at FROM download_log WHERE user_id = $1 AND at > $2 ORDER BY at, id LIMIT 1 OFFSET $3",
			 &a, &r, NULL, "count downloads", ei)))
		return rc;
	int64_t at = PQntuples(r) ? pg_int(r, 0, 0) : now;
	PQclear(r);
	*retry_after = at + DAY - now > 1 ? at + DAY - now : 1;
	return wy_err_set(ei, WY_ETOOBIG, "at most %lld downloads in 24 hours %s", (long long)limit,
			  ip ? "from one address" : "by one account");
}

int pg_download_start(wy_store *st, const wy_download_start *q, int64_t *paid, int64_t *retry_after, wy_errinfo *ei)
{
	*paid = 0;
	*retry_after = 0;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t now = wy_now(), per_user = 0, per_ip = 0;
	const char *ip = q->ip && *q->ip ? q->ip : "-";
	if (q->repeat_seconds > 0) {
		/* asked again within a link's life: the same download */
		pg_args a = {0};
		if (q->user_id)
			pg_arg_int(&a, q->user_id);
		else
			pg_arg_text(&a, ip);
		pg_arg_int(&a, now - q->repeat_seconds);
		pg_arg_int(&a, q->doc_id);
		PGresult *r;
		if ((rc = pg_run(st,
				 q->user_id ? "SELECT 1 FROM download_log WHERE user_id = $1 AND at > $2 AND doc_id = $3"
					    : "SELECT 1 FROM download_log WHERE ip = $1 AND at > $2 AND doc_id = $3"
					      " AND user_id IS NULL",
				 &a, &r, NULL, "find a repeated download", ei)))
			return pg_end(st, rc, ei);
		bool repeat = PQntuples(r) > 0;
		PQclear(r);
		if (repeat)
			return pg_end(st, WY_OK, ei);
	}
	if (q->counted) {
		if (!(rc = saved_limit(st, "downloads_per_user_day", q->per_user_day, &per_user, ei)))
			rc = saved_limit(st, "downloads_per_ip_day", q->per_ip_day, &per_ip, ei);
		if (!rc && q->user_id && per_user > 0)
			rc = count_window(st, q->user_id, NULL, per_user, now, retry_after, ei);
		if (!rc && per_ip > 0)
			rc = count_window(st, 0, ip, per_ip, now, retry_after, ei);
	}
	if (!rc && q->user_id)
		rc = pg_download_in(st, q->user_id, q->doc_id, q->charge, paid, ei);
	if (!rc) {
		pg_args a = {0};
		char us[24];
		snprintf(us, sizeof us, "%lld", (long long)q->user_id);
		pg_arg_text(&a, q->user_id ? us : NULL);
		pg_arg_text(&a, ip);
		pg_arg_int(&a, q->doc_id);
		pg_arg_int(&a, now);
		rc = pg_run(st, "INSERT INTO download_log(user_id, ip, doc_id, at) VALUES($1, $2, $3, $4)", &a, NULL, NULL,
			    "log a download", ei);
	}
	if ((rc = pg_end(st, rc, ei)))
		*paid = 0;
	return rc;
}

int pg_download_log_prune(wy_store *st, int64_t before, int64_t *removed, wy_errinfo *ei)
{
	/* in batches, each its own statement: a log grown large is never one
	 * long hold of its rows */
	*removed = 0;
	int64_t v[2] = {before, 5000};
	for (;;) {
		int changed = 0;
		int rc = pg_exec_ints(st,
				      "DELETE FROM download_log WHERE id IN"
				      " (SELECT id FROM download_log WHERE at < $1 ORDER BY at LIMIT $2)",
				      v, 2, &changed, "prune the download log", ei);
		if (rc)
			return rc;
		*removed += changed;
		if (changed < v[1])
			return WY_OK;
	}
}

int pg_link_key(wy_store *st, const unsigned char fresh[32], unsigned char key[32], wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, fresh, 32);
	int rc = pg_run(st, "INSERT INTO link_key(id, key) VALUES(1, $1) ON CONFLICT(id) DO NOTHING", &a, NULL, NULL,
			"store the link key", ei);
	if (rc)
		return rc;
	PGresult *r;
	if ((rc = pg_run(st, "SELECT key FROM link_key WHERE id = 1", NULL, &r, NULL, "read the link key", ei)))
		return rc;
	size_t n = 0;
	unsigned char *k = PQntuples(r) ? pg_bytes(r, 0, 0, &n) : NULL;
	PQclear(r);
	if (k && n == 32)
		memcpy(key, k, 32);
	else
		rc = wy_err_set(ei, WY_ECORRUPT, "store: the link key is missing or damaged");
	free(k);
	return rc;
}

/* ---- attempt limits (schema version 4; sqlite_limits.c says how) ---- */

int pg_attempt_take(wy_store *st, const wy_attempt_key *keys, int n, int64_t window, int64_t now, bool *ok,
		    int64_t *retry_after, wy_errinfo *ei)
{
	*ok = false;
	*retry_after = 0;
	int rc = store_attempt_check(keys, n, window, ei);
	if (rc || (rc = pg_begin(st, ei)))
		return rc;
	rc = pg_exec_ints(st,
			  "DELETE FROM attempts WHERE key IN (SELECT key FROM attempts WHERE until <= $1 ORDER BY until LIMIT 64)",
			  &now, 1, NULL, "sweep attempts", ei);
	bool pass = true;
	int64_t wait = 1;
	for (int i = 0; !rc && i < n; i++) {
		pg_args a = {0};
		pg_arg_text(&a, keys[i].key);
		pg_arg_int(&a, now);
		PGresult *r;
		if ((rc = pg_run(st, "SELECT n, until FROM attempts WHERE key = $1 AND n > 0 AND until > $2", &a, &r, NULL,
				 "read attempts", ei)))
			break;
		if (PQntuples(r) > 0 && pg_int(r, 0, 0) >= keys[i].max) {
			pass = false;
			int64_t w = pg_int(r, 0, 1) - now;
			wait = w > wait ? w : wait;
		}
		PQclear(r);
	}
	/* all under their max: one more each, a new window where none is live */
	for (int i = 0; !rc && pass && i < n; i++) {
		pg_args a = {0};
		pg_arg_text(&a, keys[i].key);
		pg_arg_int(&a, now);
		pg_arg_int(&a, window);
		rc = pg_run(st,
			    "INSERT INTO attempts(key, n, until) VALUES($1, 1, $2::bigint + $3::bigint) ON CONFLICT(key) DO UPDATE SET"
			    " n = CASE WHEN attempts.n > 0 AND attempts.until > $2::bigint THEN attempts.n + 1 ELSE 1 END,"
			    " until = CASE WHEN attempts.n > 0 AND attempts.until > $2::bigint THEN attempts.until"
			    " ELSE $2::bigint + $3::bigint END",
			    &a, NULL, NULL, "count an attempt", ei);
	}
	if ((rc = pg_end(st, rc, ei)))
		return rc;
	*ok = pass;
	if (!pass)
		*retry_after = wait;
	return WY_OK;
}

int pg_attempt_give(wy_store *st, const char *key, int64_t now, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, key);
	pg_arg_int(&a, now);
	return pg_run(st, "UPDATE attempts SET n = n - 1 WHERE key = $1 AND n > 0 AND until > $2", &a, NULL, NULL,
		      "give back an attempt", ei);
}

int pg_attempt_clear(wy_store *st, const char *key, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, key);
	return pg_run(st, "DELETE FROM attempts WHERE key = $1", &a, NULL, NULL, "forget attempts", ei);
}

int pg_attempt_count(wy_store *st, const char *key, int64_t now, int64_t *n, wy_errinfo *ei)
{
	*n = 0;
	pg_args a = {0};
	pg_arg_text(&a, key);
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_run(st, "SELECT n FROM attempts WHERE key = $1 AND n > 0 AND until > $2", &a, &r, NULL,
			"read attempts", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		*n = pg_int(r, 0, 0);
	PQclear(r);
	return WY_OK;
}

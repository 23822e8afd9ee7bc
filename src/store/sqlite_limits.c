/* store/sqlite_limits: user groups (what an account may do), the
 * download log the daily download limits count (migration 21) and the
 * attempt limits of logins and the like (migration 24), in SQLite.
 * The limits are counted and the download recorded in one transaction
 * (BEGIN IMMEDIATE), so serve processes sharing the store never let more
 * through between them than the limit. Never decides who may see a
 * document: the callers (and sq_download) do, with the shared rules. */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "text/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

#define USER_GROUP STORE_USER_GROUP /* rules.h */

int sqlite_user_perms(wy_store *st, int64_t user_id, wy_perms *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t row[7];
	bool found;
	int rc = sq_row_ints(st, STORE_PERMS_SQL " WHERE u.id = ?1", &user_id, 1, row, 7, &found, "read a user's group", ei);
	if (rc)
		return rc;
	if (!found)
		return wy_err_set(ei, WY_ENOTFOUND, "no user %lld", (long long)user_id);
	store_perms_of(row, out);
	return WY_OK;
}

int sqlite_groups(wy_store *st, wy_group_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT g.id, g.name, g.can_upload, g.can_comment, g.skip_review, g.free_download, g.upload_mb,"
			 " g.is_default, (SELECT count(*) FROM users u WHERE " USER_GROUP " = g.id)"
			 " FROM groups g ORDER BY g.id",
			 ei);
	if (rc)
		return rc;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_group *g = &out->items[out->n++];
		g->id = sqlite3_column_int64(s, 0);
		g->name = sq_col_str(s, 1);
		g->can_upload = sqlite3_column_int(s, 2) != 0;
		g->can_comment = sqlite3_column_int(s, 3) != 0;
		g->skip_review = sqlite3_column_int(s, 4) != 0;
		g->free_download = sqlite3_column_int(s, 5) != 0;
		g->upload_mb = sqlite3_column_int64(s, 6);
		g->is_default = sqlite3_column_int(s, 7) != 0;
		g->members = sqlite3_column_int64(s, 8);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "list groups");
	sq_done(st, s);
	if (rc)
		wy_group_list_clear(out);
	return rc;
}

int sqlite_group_save(wy_store *st, const wy_group *g, int64_t *id, wy_errinfo *ei)
{
	int rc = store_group_check(g, ei);
	if (rc || (rc = sq_begin(st, ei)))
		return rc;
	bool taken = false;
	sqlite3_stmt *s;
	if (!(rc = sq_prep(st, &s, "SELECT 1 FROM groups WHERE name = ?1 AND id != ?2", ei))) {
		sq_bind_text(s, 1, g->name);
		sqlite3_bind_int64(s, 2, g->id);
		int step = sqlite3_step(s);
		taken = step == SQLITE_ROW;
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "read groups");
		sq_done(st, s);
	}
	if (!rc && taken)
		rc = wy_err_set(ei, WY_EEXIST, "a group named %s exists", g->name);
	if (!rc)
		rc = sq_prep(st, &s,
			     g->id ? "UPDATE groups SET name = ?1, can_upload = ?2, can_comment = ?3, skip_review = ?4,"
				     " free_download = ?5, upload_mb = ?6 WHERE id = ?7"
				   : "INSERT INTO groups(name, can_upload, can_comment, skip_review, free_download, upload_mb)"
				     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			     ei);
	if (!rc) {
		sq_bind_text(s, 1, g->name);
		sqlite3_bind_int(s, 2, g->can_upload);
		sqlite3_bind_int(s, 3, g->can_comment);
		sqlite3_bind_int(s, 4, g->skip_review);
		sqlite3_bind_int(s, 5, g->free_download);
		sqlite3_bind_int64(s, 6, g->upload_mb);
		if (g->id)
			sqlite3_bind_int64(s, 7, g->id);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "save a group");
		else if (g->id && sqlite3_changes(SQ(st)->db) == 0)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)g->id);
		else
			*id = g->id ? g->id : sqlite3_last_insert_rowid(SQ(st)->db);
		sq_done(st, s);
	}
	return sq_end(st, rc, ei);
}

int sqlite_group_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t def;
	bool found;
	if (!(rc = sq_row_ints(st, "SELECT is_default FROM groups WHERE id = ?1", &id, 1, &def, 1, &found, "read groups",
			       ei))) {
		if (!found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)id);
		else if (def)
			rc = wy_err_set(ei, WY_EPERM, "the default group is not deleted: make another the default first");
	}
	if (!rc)
		rc = sq_exec_ints(st,
				  "UPDATE users SET group_id = (SELECT id FROM groups WHERE is_default = 1) WHERE group_id = ?1",
				  &id, 1, NULL, "move a group's members", ei);
	if (!rc)
		rc = sq_exec_ints(st, "DELETE FROM groups WHERE id = ?1", &id, 1, NULL, "delete a group", ei);
	return sq_end(st, rc, ei);
}

int sqlite_group_set_default(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int changed = 0;
	if (!(rc = sq_exec_ints(st, "UPDATE groups SET is_default = 0 WHERE is_default = 1 AND id != ?1", &id, 1, NULL,
				"set the default group", ei)))
		rc = sq_exec_ints(st, "UPDATE groups SET is_default = 1 WHERE id = ?1", &id, 1, &changed,
				  "set the default group", ei);
	if (!rc && !changed)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no group %lld", (long long)id);
	return sq_end(st, rc, ei);
}

int sqlite_user_set_group(wy_store *st, int64_t user_id, int64_t group_id, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, group_id};
	int changed = 0;
	int rc = sq_exec_ints(st, "UPDATE users SET group_id = ?2 WHERE id = ?1 AND EXISTS(SELECT 1 FROM groups WHERE id = ?2)",
			      v, 2, &changed, "move a user to a group", ei);
	if (!rc && !changed)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no user %lld or no group %lld", (long long)user_id, (long long)group_id);
	return rc;
}

/* The limit a setting gives: the value an admin saved, else this
 * process's (as the comments' hourly limit reads its own). */
static int saved_limit(wy_store *st, const char *name, int64_t def, int64_t *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	*out = def;
	int rc = sq_prep(st, &s, "SELECT value FROM settings WHERE name = ?1", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, name);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		store_setting_count((const char *)sqlite3_column_text(s, 0), 1000000, out);
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "read settings");
	}
	sq_done(st, s);
	return rc;
}

/* Downloads of the last 24 hours matching where (?1 the key, ?2 now)
 * against limit: WY_ETOOBIG when reached, *retry_after the seconds until
 * enough of them have aged out for one more. */
static int count_window(wy_store *st, const char *count_sql, const char *nth_sql, sqlite3_int64 user,
			const char *ip, int64_t limit, int64_t now, int64_t *retry_after, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int64_t n = 0;
	int rc = sq_prep(st, &s, count_sql, ei);
	if (rc)
		return rc;
	if (ip)
		sq_bind_text(s, 1, ip);
	else
		sqlite3_bind_int64(s, 1, user);
	sqlite3_bind_int64(s, 2, now - DAY);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(SQ(st)->db, ei, "count downloads");
	sq_done(st, s);
	if (rc || n < limit)
		return rc;
	/* the (n - limit + 1)th oldest of the window must age out */
	int64_t at = now;
	if (!(rc = sq_prep(st, &s, nth_sql, ei))) {
		if (ip)
			sq_bind_text(s, 1, ip);
		else
			sqlite3_bind_int64(s, 1, user);
		sqlite3_bind_int64(s, 2, now - DAY);
		sqlite3_bind_int64(s, 3, n - limit);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW)
			at = sqlite3_column_int64(s, 0);
		else if (step != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "count downloads");
		sq_done(st, s);
	}
	if (rc)
		return rc;
	*retry_after = at + DAY - now > 1 ? at + DAY - now : 1;
	return wy_err_set(ei, WY_ETOOBIG, "at most %lld downloads in 24 hours %s", (long long)limit,
			  ip ? "from one address" : "by one account");
}

int sqlite_download_start(wy_store *st, const wy_download_start *q, int64_t *paid, int64_t *retry_after,
			    wy_errinfo *ei)
{
	*paid = 0;
	*retry_after = 0;
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t now = wy_now(), per_user = 0, per_ip = 0;
	const char *ip = q->ip && *q->ip ? q->ip : "-";
	bool repeat = false;
	if (q->repeat_seconds > 0) {
		/* asked again within a link's life: the link it gets is as good
		 * as the last one, so it is the same download (decided in this
		 * transaction, as the limits are) */
		sqlite3_stmt *s;
		if (!(rc = sq_prep(st, &s,
				   q->user_id ? "SELECT 1 FROM download_log WHERE user_id = ?1 AND at > ?3 AND doc_id = ?4"
					      : "SELECT 1 FROM download_log WHERE ip = ?2 AND at > ?3 AND doc_id = ?4"
						" AND user_id IS NULL",
				   ei))) {
			if (q->user_id)
				sqlite3_bind_int64(s, 1, q->user_id);
			else
				sq_bind_text(s, 2, ip);
			sqlite3_bind_int64(s, 3, now - q->repeat_seconds);
			sqlite3_bind_int64(s, 4, q->doc_id);
			int step = sqlite3_step(s);
			if (step == SQLITE_ROW)
				repeat = true;
			else if (step != SQLITE_DONE)
				rc = sq_fail(SQ(st)->db, ei, "find a repeated download");
			sq_done(st, s);
		}
		if (rc || repeat)
			return sq_end(st, rc, ei);
	}
	if (q->counted) {
		if (!(rc = saved_limit(st, "downloads_per_user_day", q->per_user_day, &per_user, ei)))
			rc = saved_limit(st, "downloads_per_ip_day", q->per_ip_day, &per_ip, ei);
		if (!rc && q->user_id && per_user > 0)
			rc = count_window(st, "SELECT count(*) FROM download_log WHERE user_id = ?1 AND at > ?2",
					  "SELECT at FROM download_log WHERE user_id = ?1 AND at > ?2 ORDER BY at LIMIT 1 OFFSET ?3",
					  q->user_id, NULL, per_user, now, retry_after, ei);
		if (!rc && per_ip > 0)
			rc = count_window(st, "SELECT count(*) FROM download_log WHERE ip = ?1 AND at > ?2",
					  "SELECT at FROM download_log WHERE ip = ?1 AND at > ?2 ORDER BY at LIMIT 1 OFFSET ?3",
					  0, ip, per_ip, now, retry_after, ei);
	}
	if (!rc && q->user_id)
		rc = sq_download(st, q->user_id, q->doc_id, q->charge, paid, ei);
	if (!rc) {
		sqlite3_stmt *s;
		if (!(rc = sq_prep(st, &s, "INSERT INTO download_log(user_id, ip, doc_id, at) VALUES(?1, ?2, ?3, ?4)", ei))) {
			if (q->user_id)
				sqlite3_bind_int64(s, 1, q->user_id);
			sq_bind_text(s, 2, ip);
			sqlite3_bind_int64(s, 3, q->doc_id);
			sqlite3_bind_int64(s, 4, now);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = sq_fail(SQ(st)->db, ei, "log a download");
			sq_done(st, s);
		}
	}
	if (rc)
		*paid = 0;
	return sq_end(st, rc, ei);
}

int sqlite_download_log_prune(wy_store *st, int64_t before, int64_t *removed, wy_errinfo *ei)
{
	/* in batches, each its own transaction: a log grown large is never
	 * one long hold of the store's write lock */
	*removed = 0;
	int64_t v[2] = {before, 5000};
	for (;;) {
		int changed = 0;
		int rc = sq_exec_ints(st,
				      "DELETE FROM download_log WHERE id IN"
				      " (SELECT id FROM download_log WHERE at < ?1 ORDER BY at LIMIT ?2)",
				      v, 2, &changed, "prune the download log", ei);
		if (rc)
			return rc;
		*removed += changed;
		if (changed < v[1])
			return WY_OK;
	}
}

int sqlite_link_key(wy_store *st, const unsigned char fresh[32], unsigned char key[32], wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "INSERT INTO link_key(id, key) VALUES(1, ?1) ON CONFLICT(id) DO NOTHING", ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, fresh, 32, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "store the link key");
	sq_done(st, s);
	if (rc || (rc = sq_prep(st, &s, "SELECT key FROM link_key WHERE id = 1", ei)))
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32)
		memcpy(key, sqlite3_column_blob(s, 0), 32);
	else
		rc = wy_err_set(ei, WY_ECORRUPT, "store: the link key is missing or damaged");
	sq_done(st, s);
	return rc;
}

/* ---- attempt limits (migration 24) ----
 *
 * A row per key with attempts in a live window: n counted, until the
 * window's end. A row whose window has ended means nothing counted; rows
 * go when a take finds them ended (a few each time, so a flood of keys
 * is swept by the takes that follow it). */

int sqlite_attempt_take(wy_store *st, const wy_attempt_key *keys, int n, int64_t window, int64_t now, bool *ok,
			int64_t *retry_after, wy_errinfo *ei)
{
	*ok = false;
	*retry_after = 0;
	int rc = store_attempt_check(keys, n, window, ei);
	if (rc || (rc = sq_begin(st, ei)))
		return rc;
	rc = sq_exec_ints(st,
			  "DELETE FROM attempts WHERE key IN (SELECT key FROM attempts WHERE until <= ?1 ORDER BY until LIMIT 64)",
			  &now, 1, NULL, "sweep attempts", ei);
	bool pass = true;
	int64_t wait = 1;
	sqlite3_stmt *s;
	for (int i = 0; !rc && i < n; i++) {
		if ((rc = sq_prep(st, &s, "SELECT n, until FROM attempts WHERE key = ?1 AND n > 0 AND until > ?2", ei)))
			break;
		sq_bind_text(s, 1, keys[i].key);
		sqlite3_bind_int64(s, 2, now);
		int step = sqlite3_step(s);
		if (step == SQLITE_ROW && sqlite3_column_int64(s, 0) >= keys[i].max) {
			pass = false;
			int64_t w = sqlite3_column_int64(s, 1) - now;
			wait = w > wait ? w : wait;
		} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = sq_fail(SQ(st)->db, ei, "read attempts");
		}
		sq_done(st, s);
	}
	/* all under their max: one more each, a new window where none is live */
	for (int i = 0; !rc && pass && i < n; i++) {
		if ((rc = sq_prep(st, &s,
				  "INSERT INTO attempts(key, n, until) VALUES(?1, 1, ?2 + ?3) ON CONFLICT(key) DO UPDATE SET"
				  " n = CASE WHEN n > 0 AND until > ?2 THEN n + 1 ELSE 1 END,"
				  " until = CASE WHEN n > 0 AND until > ?2 THEN until ELSE ?2 + ?3 END",
				  ei)))
			break;
		sq_bind_text(s, 1, keys[i].key);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_bind_int64(s, 3, window);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "count an attempt");
		sq_done(st, s);
	}
	if ((rc = sq_end(st, rc, ei)))
		return rc;
	*ok = pass;
	if (!pass)
		*retry_after = wait;
	return WY_OK;
}

int sqlite_attempt_give(wy_store *st, const char *key, int64_t now, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "UPDATE attempts SET n = n - 1 WHERE key = ?1 AND n > 0 AND until > ?2", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "give back an attempt");
	sq_done(st, s);
	return rc;
}

int sqlite_attempt_clear(wy_store *st, const char *key, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "DELETE FROM attempts WHERE key = ?1", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "forget attempts");
	sq_done(st, s);
	return rc;
}

int sqlite_attempt_count(wy_store *st, const char *key, int64_t now, int64_t *n, wy_errinfo *ei)
{
	*n = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT n FROM attempts WHERE key = ?1 AND n > 0 AND until > ?2", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read attempts");
	sq_done(st, s);
	return rc;
}

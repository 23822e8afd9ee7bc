/* store/sqlite_users: accounts and what they do, for the SQLite backend:
 * users, sessions, favorites, downloads, the points ledger, reports,
 * moderation, the audit log and site settings.
 *
 * A balance is the sum of a user's ledger rows. Every change of points is
 * one IMMEDIATE transaction that reads the balance and writes the rows, so
 * two requests spending the same points are serialized by SQLite's write
 * lock: the second sees the first's rows and is refused when short. Upload
 * points follow one rule (sq_upload_points), run inside the transaction
 * that changes a document, whichever process or route changes it. */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "text/confusable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* What a user may see of a document: public, or their own (not deleted). */
#define VISIBLE_TO(p) " " SQ_SEEN_BY(p)

static int balance(wy_store *st, int64_t user, int64_t *out, wy_errinfo *ei)
{
	return sq_row_ints(st, "SELECT coalesce(sum(delta), 0) FROM ledger WHERE user_id = ?1", &user, 1, out, 1, NULL,
	                   "read", ei);
}

static int ledger_add(wy_store *st, int64_t user, int64_t delta, const char *reason, int64_t doc, int64_t other,
		      wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "INSERT INTO ledger(user_id, delta, reason, doc_id, other_id, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, user);
	sqlite3_bind_int64(s, 2, delta);
	sq_bind_text(s, 3, reason);
	if (doc)
		sqlite3_bind_int64(s, 4, doc);
	if (other)
		sqlite3_bind_int64(s, 5, other);
	sqlite3_bind_int64(s, 6, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "write the ledger");
	sq_done(st, s);
	return rc;
}

/* ---- users ---- */

#define USER_COLUMNS "u.id, u.name, u.role, u.banned, u.created_at"

static void read_user(sqlite3_stmt *s, wy_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(s, 0);
	u->name = sq_col_str(s, 1);
	u->role = sqlite3_column_int(s, 2) == WY_ROLE_ADMIN ? WY_ROLE_ADMIN : WY_ROLE_USER;
	u->banned = sqlite3_column_int(s, 3) != 0;
	u->created_at = sqlite3_column_int64(s, 4);
}

/* Names that look alike. A user's confusable skeleton is stored with the
 * name (migration 8) rather than computed when a name is checked: a new
 * name is then refused by one indexed lookup inside the transaction that
 * adds it, where computing would skeleton every stored name (about 3.5 us
 * each, measured: 350 ms per 100,000 users) while holding the write lock. The
 * price: a stored skeleton is the one of the Unicode data (ICU) of the day
 * it was stored; a later ICU's new mappings apply to names stored after. */
#define SKELETON_BYTES STORE_SKELETON_BYTES
#define name_check store_user_name_check /* rules.c */

/* WY_EEXIST when name, or a name with skeleton sk, is taken. */
static int name_taken(wy_store *st, const char *name, const char *sk, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT 1 FROM users WHERE name = ?1 OR skeleton = ?2 LIMIT 1", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, sk);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = wy_err_set(ei, WY_EEXIST, "the name %s is taken, or one that looks like it", name);
	else if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "look up a name");
	sq_done(st, s);
	return rc;
}

int sqlite_user_name_free(wy_store *st, const char *name, wy_errinfo *ei)
{
	char sk[SKELETON_BYTES];
	int rc = name_check(name, sk, ei);
	return rc ? rc : name_taken(st, name, sk, ei);
}

int sq_user_skeletons(wy_store *st, wy_errinfo *ei)
{
	sqlite3_stmt *s, *u;
	int rc = sq_prep(st, &s, "SELECT id, name FROM users WHERE skeleton IS NULL", ei);
	if (rc)
		return rc;
	if ((rc = sq_prep(st, &u, "UPDATE users SET skeleton = ?2 WHERE id = ?1", ei))) {
		sq_done(st, s);
		return rc;
	}
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		char sk[SKELETON_BYTES];
		const char *name = (const char *)sqlite3_column_text(s, 1);
		/* a name that has no skeleton (never valid) stays without one */
		if (!name || wy_confusable_skeleton(name, sk, sizeof sk))
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		sq_bind_text(u, 2, sk);
		if (sqlite3_step(u) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "store a name's skeleton");
		sqlite3_reset(u);
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read the users");
	sq_done(st, u);
	sq_done(st, s);
	return rc;
}

int sqlite_user_add(wy_store *st, const char *name, const char *pass_hash, wy_role role, int64_t points,
		      int64_t *id, wy_errinfo *ei)
{
	char sk[SKELETON_BYTES];
	int rc = name_check(name, sk, ei);
	if (rc)
		return rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	/* checked again inside the transaction: two registrations of names
	 * that look alike, at once, are serialized by the write lock */
	if ((rc = name_taken(st, name, sk, ei)))
		return sq_end(st, rc, ei);
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "INSERT INTO users(name, pass, role, created_at, skeleton) VALUES(?1, ?2, ?3, ?4, ?5)",
			  ei)))
		return sq_end(st, rc, ei);
	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, pass_hash);
	sqlite3_bind_int(s, 3, role);
	sqlite3_bind_int64(s, 4, wy_now());
	sq_bind_text(s, 5, sk);
	int step = sqlite3_step(s);
	if (step == SQLITE_CONSTRAINT)
		rc = wy_err_set(ei, WY_EEXIST, "the name %s is taken", name);
	else if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "add a user");
	sq_done(st, s);
	if (!rc) {
		*id = sqlite3_last_insert_rowid(SQ(st)->db);
		if (points > 0)
			rc = ledger_add(st, *id, points, "register", 0, 0, ei);
	}
	return sq_end(st, rc, ei);
}

static int user_one(wy_store *st, sqlite3_stmt *s, wy_user *out, char **pass_hash, wy_errinfo *ei)
{
	int step = sqlite3_step(s), rc = WY_OK;
	if (step == SQLITE_ROW) {
		read_user(s, out);
		if (pass_hash)
			*pass_hash = sq_col_str(s, 5);
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "get a user");
	}
	sq_done(st, s);
	if (!rc && (rc = balance(st, out->id, &out->points, ei)))
		wy_user_clear(out);
	return rc;
}

int sqlite_user_get(wy_store *st, int64_t id, wy_user *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT " USER_COLUMNS ", u.pass FROM users u WHERE u.id = ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	return user_one(st, s, out, NULL, ei);
}

int sqlite_user_by_name(wy_store *st, const char *name, wy_user *out, char **pass_hash, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT " USER_COLUMNS ", u.pass FROM users u WHERE u.name = ?1", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, name);
	return user_one(st, s, out, pass_hash, ei);
}

int sqlite_user_set_password(wy_store *st, int64_t id, const char *pass_hash, const unsigned char *keep,
			       wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "UPDATE users SET pass = ?2 WHERE id = ?1", ei)))
		return sq_end(st, rc, ei);
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, pass_hash);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "set a password");
	else if (sqlite3_changes(SQ(st)->db) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	sq_done(st, s);
	if (!rc && !(rc = sq_prep(st, &s, "DELETE FROM sessions WHERE user_id = ?1 AND hash IS NOT ?2", ei))) {
		sqlite3_bind_int64(s, 1, id);
		if (keep)
			sqlite3_bind_blob(s, 2, keep, WY_TOKEN_HASH, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "end sessions");
		sq_done(st, s);
	}
	return sq_end(st, rc, ei);
}

int sqlite_user_set(wy_store *st, int64_t id, int role, int banned, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {id, role, banned}, n;
	if ((rc = sq_row_ints(st, "SELECT count(*) FROM users WHERE id = ?1", v, 1, &n, 1, NULL, "read", ei)) ||
	    (!n && (rc = wy_err_set(ei, WY_ENOTFOUND, "no such user"))))
		return sq_end(st, rc, ei);
	if (role >= 0)
		rc = sq_exec_ints(st, "UPDATE users SET role = ?2 WHERE id = ?1", v, 2, NULL, "set a role", ei);
	if (!rc && banned >= 0) {
		int64_t b[2] = {id, banned != 0};
		rc = sq_exec_ints(st, "UPDATE users SET banned = ?2 WHERE id = ?1", b, 2, NULL, "ban", ei);
		if (!rc && banned)
			rc =
			    sq_exec_ints(st, "DELETE FROM sessions WHERE user_id = ?1", v, 1, NULL, "end sessions", ei);
	}
	return sq_end(st, rc, ei);
}

int sqlite_user_list(wy_store *st, const char *name_like, int offset, int limit, wy_user_list *out, int *total,
		       wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT count(*) FROM users WHERE ?1 IS NULL OR instr(lower(name), lower(?1)) > 0", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, name_like && *name_like ? name_like : NULL);
	*total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
	if ((rc = sq_prep(st, &s,
			  "SELECT " USER_COLUMNS ", (SELECT coalesce(sum(delta), 0) FROM ledger l WHERE l.user_id = u.id)"
			  " FROM users u WHERE ?1 IS NULL OR instr(lower(u.name), lower(?1)) > 0 ORDER BY u.id LIMIT ?2 OFFSET ?3",
			  ei)))
		return rc;
	sq_bind_text(s, 1, name_like && *name_like ? name_like : NULL);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		read_user(s, &out->items[out->n]);
		out->items[out->n++].points = sqlite3_column_int64(s, 5);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list users");
		wy_user_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

/* ---- sessions ---- */

int sqlite_session_add(wy_store *st, const unsigned char *hash, int64_t user_id, const char *csrf,
			 int64_t expires_at, wy_errinfo *ei)
{
	int64_t now = wy_now();
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	/* old sessions go as new ones come */
	if ((rc =
	         sq_exec_ints(st, "DELETE FROM sessions WHERE expires_at <= ?1", &now, 1, NULL, "expire sessions", ei)))
		return sq_end(st, rc, ei);
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "INSERT INTO sessions(hash, user_id, csrf, created_at, expires_at) VALUES(?1, ?2, ?3, ?4, ?5)", ei)))
		return sq_end(st, rc, ei);
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sq_bind_text(s, 3, csrf);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, expires_at);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "add a session");
	sq_done(st, s);
	return sq_end(st, rc, ei);
}

int sqlite_session_get(wy_store *st, const unsigned char *hash, wy_user *user, char csrf[65], wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT " USER_COLUMNS ", s.csrf FROM sessions s JOIN users u ON u.id = s.user_id"
			 " WHERE s.hash = ?1 AND s.expires_at > ?2 AND u.banned = 0",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, wy_now());
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		read_user(s, user);
		const unsigned char *t = sqlite3_column_text(s, 5);
		snprintf(csrf, 65, "%s", t ? (const char *)t : "");
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such session");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "get a session");
	}
	sq_done(st, s);
	return rc;
}

int sqlite_session_delete(wy_store *st, const unsigned char *hash, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "DELETE FROM sessions WHERE hash = ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "end a session");
	sq_done(st, s);
	return rc;
}

/* ---- favorites and a user's documents ---- */

int sqlite_favorite_set(wy_store *st, int64_t user_id, int64_t doc_id, bool on, wy_errinfo *ei)
{
	int64_t v[3] = {user_id, doc_id, wy_now()};
	return on ? sq_exec_ints(st, "INSERT OR IGNORE INTO favorites(user_id, doc_id, at) VALUES(?1, ?2, ?3)", v, 3,
	                         NULL, "favorite", ei)
	          : sq_exec_ints(st, "DELETE FROM favorites WHERE user_id = ?1 AND doc_id = ?2", v, 2, NULL,
	                         "unfavorite", ei);
}

int sqlite_favorite_state(wy_store *st, int64_t user_id, int64_t doc_id, bool *on, int64_t *count, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, doc_id}, n = 0;
	int rc =
	    sq_row_ints(st, "SELECT count(*) FROM favorites WHERE doc_id = ?1", &doc_id, 1, count, 1, NULL, "read", ei);
	if (!rc && user_id)
		rc = sq_row_ints(st, "SELECT count(*) FROM favorites WHERE user_id = ?1 AND doc_id = ?2", v, 2, &n, 1,
		                 NULL, "read", ei);
	*on = n > 0;
	return rc;
}

int sqlite_user_docs(wy_store *st, int64_t user_id, wy_user_docs which, int offset, int limit, wy_doc_list *out,
		       int *total, wy_errinfo *ei)
{
	static const char *const from[] = {
		" WHERE d.owner_id = ?1 AND d.state < " SQ_DELETED,
		" JOIN favorites f ON f.doc_id = d.id AND f.user_id = ?1 WHERE" VISIBLE_TO("?1"),
		" JOIN downloads w ON w.doc_id = d.id AND w.user_id = ?1 WHERE" VISIBLE_TO("?1"),
	};
	static const char *const order[] = {" ORDER BY d.id DESC", " ORDER BY f.at DESC, d.id DESC",
					    " ORDER BY w.last_at DESC, d.id DESC"};
	memset(out, 0, sizeof *out);
	unsigned k = (unsigned)which < 3 ? which : 0;
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM documents d%s", from[k]);
	int64_t n;
	int rc = sq_row_ints(st, sql, &user_id, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	snprintf(sql, sizeof sql, "SELECT " DOC_COLUMNS "%s%s LIMIT ?2 OFFSET ?3", from[k], order[k]);
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, sql, ei)))
		return rc;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 20);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	return sq_read_docs(st, s, out, ei);
}

/* ---- points ---- */

int sqlite_points_ledger(wy_store *st, int64_t user_id, int offset, int limit, wy_ledger *out, int *total,
			   wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n;
	int rc =
	    sq_row_ints(st, "SELECT count(*) FROM ledger WHERE user_id = ?1", &user_id, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "SELECT l.id, l.delta, l.reason, l.doc_id, d.title, l.other_id, u.name, l.at FROM ledger l"
			  " LEFT JOIN documents d ON d.id = l.doc_id LEFT JOIN users u ON u.id = l.other_id"
			  " WHERE l.user_id = ?1 ORDER BY l.id DESC LIMIT ?2 OFFSET ?3",
			  ei)))
		return rc;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_ledger_entry *e = &out->items[out->n++];
		e->id = sqlite3_column_int64(s, 0);
		e->delta = sqlite3_column_int64(s, 1);
		e->reason = sq_col_str(s, 2);
		e->doc_id = sqlite3_column_int64(s, 3);
		e->doc_title = sq_col_str(s, 4);
		e->other_id = sqlite3_column_int64(s, 5);
		e->other_name = sq_col_str(s, 6);
		e->at = sqlite3_column_int64(s, 7);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "read the ledger");
		wy_ledger_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_points_signin(wy_store *st, int64_t user_id, int64_t day, int64_t points, bool *granted, wy_errinfo *ei)
{
	*granted = false;
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[2] = {user_id, day};
	if (!(rc = sq_exec_ints(st, "INSERT OR IGNORE INTO signins(user_id, day) VALUES(?1, ?2)", v, 2, NULL, "sign in",
	                        ei)) &&
	    sqlite3_changes(SQ(st)->db) == 1) {
		*granted = true;
		if (points > 0)
			rc = ledger_add(st, user_id, points, "signin", 0, 0, ei);
	}
	return sq_end(st, rc, ei);
}

/* The owner of a document (0: none) in *owner; WY_ENOTFOUND. */
/* A document's owner (0: none) and price, and whether the account user
 * may see it as anyone does (SQ_SEEN_BY: public, or its own): points go
 * only to a document its payer may see, checked in the transaction that
 * moves them, so a document that failed, was hidden or went private since
 * its page was shown takes nothing. */
/* A document's owner and price, whether user may see it, and whether its
 * conversion has ended (ready: NULL when not asked). */
static int doc_owner_ready(wy_store *st, int64_t doc_id, int64_t user, int64_t *owner, int64_t *price, bool *seen,
			   bool *ready, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT coalesce(d.owner_id, 0), d.price, " SQ_SEEN_BY("?2") ", d.status = " SQ_READY
			 " FROM documents d WHERE d.id = ?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int64(s, 2, user);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*owner = sqlite3_column_int64(s, 0);
		*price = sqlite3_column_int64(s, 1);
		*seen = sqlite3_column_int(s, 2) != 0;
		if (ready)
			*ready = sqlite3_column_int(s, 3) != 0;
	} else {
		rc = step == SQLITE_DONE ? wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id)
					 : sq_fail(SQ(st)->db, ei, "get a document");
	}
	sq_done(st, s);
	return rc;
}

static int doc_owner(wy_store *st, int64_t doc_id, int64_t user, int64_t *owner, int64_t *price, bool *seen,
		     wy_errinfo *ei)
{
	return doc_owner_ready(st, doc_id, user, owner, price, seen, NULL, ei);
}

int sqlite_points_reward(wy_store *st, int64_t from, int64_t doc_id, int64_t points, wy_errinfo *ei)
{
	if (points <= 0)
		return wy_err_set(ei, WY_EINVAL, "a reward is a positive number of points");
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t owner, price, have;
	bool seen;
	if ((rc = doc_owner(st, doc_id, from, &owner, &price, &seen, ei)))
		return sq_end(st, rc, ei);
	if (!seen)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	else if (!owner)
		rc = wy_err_set(ei, WY_EPERM, "this document has no uploader to reward");
	else if (owner == from)
		rc = wy_err_set(ei, WY_EPERM, "you cannot reward yourself");
	else if (!(rc = balance(st, from, &have, ei)) && have < points)
		rc = wy_err_set(ei, WY_EPOINTS, "you have %lld points, not %lld", (long long)have, (long long)points);
	if (!rc && !(rc = ledger_add(st, from, -points, "reward", doc_id, owner, ei)))
		rc = ledger_add(st, owner, points, "rewarded", doc_id, from, ei);
	return sq_end(st, rc, ei);
}

int sqlite_download(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	return sq_end(st, sq_download(st, user_id, doc_id, charge, paid, ei), ei);
}

int sq_download(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei)
{
	*paid = 0;
	int rc;
	int64_t owner, price, now = wy_now();
	bool seen, ready;
	if ((rc = doc_owner_ready(st, doc_id, user_id, &owner, &price, &seen, &ready, ei)))
		return rc;
	/* a payer who may not see it (it failed, or was hidden, since the
	 * page) pays nothing and records nothing */
	if (charge && !seen)
		return wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	int64_t v[3] = {user_id, doc_id, now};
	if ((rc = sq_exec_ints(st,
	                       "INSERT INTO downloads(user_id, doc_id, first_at, last_at, n) VALUES(?1, ?2, ?3, ?3, 1)"
	                       " ON CONFLICT(user_id, doc_id) DO UPDATE SET last_at = ?3, n = n + 1",
	                       v, 3, NULL, "record a download", ei)))
		return rc;
	int64_t n;
	if ((rc = sq_row_ints(st, "SELECT n FROM downloads WHERE user_id = ?1 AND doc_id = ?2", v, 2, &n, 1, NULL,
	                      "read", ei)))
		return rc;
	/* the first download pays; downloading again is free */
	if (charge && n == 1 && price > 0 && owner != user_id) {
		/* sold once its conversion has ended: a readable document may
		 * still fail (its pages then go), and a sale is not undone */
		if (!ready)
			return wy_err_set(ei, WY_EPERM, "document %lld is on sale once converted", (long long)doc_id);
		int64_t have;
		if ((rc = balance(st, user_id, &have, ei)))
			return rc;
		if (have < price)
			return wy_err_set(ei, WY_EPOINTS, "this download costs %lld points; you have %lld", (long long)price,
					  (long long)have);
		rc = ledger_add(st, user_id, -price, "download", doc_id, owner, ei);
		if (!rc && owner)
			rc = ledger_add(st, owner, price, "sale", doc_id, user_id, ei);
		if (!rc)
			*paid = price;
	}
	return rc;
}

int sqlite_download_paid(wy_store *st, int64_t user_id, int64_t doc_id, bool *yes, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, doc_id}, n;
	int rc = sq_row_ints(st, "SELECT count(*) FROM downloads WHERE user_id = ?1 AND doc_id = ?2", v, 2, &n, 1, NULL,
	                     "read", ei);
	*yes = n > 0;
	return rc;
}

/* ---- upload points: the one rule (store.h, wy_upload_points) ---- */

void sqlite_upload_points_set(wy_store *st, const wy_upload_points *rule) { SQ(st)->upload_rule = *rule; }

/* The rule now: this process's, overridden by what an admin saved. A saved
 * value that does not read as a count is ignored, as web_site_load does. */
static int upload_rule(wy_store *st, wy_upload_points *r, wy_errinfo *ei)
{
	*r = SQ(st)->upload_rule;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT name, value FROM settings"
			 " WHERE name IN ('points_upload', 'points_upload_daily', 'points_upload_min_chars')",
			 ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		store_upload_rule_set(r, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read the upload points settings");
	sq_done(st, s);
	return rc;
}

int sq_upload_points_anew(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int64_t v[2];
	bool found;
	int rc = sq_row_ints(st, "SELECT coalesce(owner_id, 0), upload_points FROM documents WHERE id = ?1", &doc_id, 1,
	                     v, 2, &found, "read a document's upload points", ei);
	if (rc || !found)
		return rc;
	if (v[0] && v[1] > 0 && !(rc = ledger_add(st, v[0], -v[1], "upload_revoked", doc_id, 0, ei)))
		rc = sq_exec_ints(st, "UPDATE documents SET upload_points = 0 WHERE id = ?1", &doc_id, 1, NULL,
		                  "take back points", ei);
	return rc ? rc : sq_upload_points(st, doc_id, ei);
}

/* The upload points rule's questions and changes (rules.c decides). */
typedef struct sq_points {
	wy_store *st;
	int64_t doc_id;
} sq_points;

static int sq_points_doc(void *ctx, int64_t *owner, int64_t *held, bool *listed, wy_errinfo *ei)
{
	sq_points *p = ctx;
	int64_t row[3];
	int rc = sq_row_ints(p->st,
			     "SELECT coalesce(owner_id, 0), upload_points,"
			     /* ready: a readable document's conversion may still fail */
			     " d.status = " SQ_READY " AND " SQ_PUBLIC " AND d.dup_of IS NULL FROM documents d WHERE d.id = ?1",
			     &p->doc_id, 1, row, 3, NULL, "read a document's upload points", ei);
	*owner = row[0], *held = row[1], *listed = row[2] != 0;
	return rc;
}

static int sq_points_rule(void *ctx, wy_upload_points *u, wy_errinfo *ei)
{
	return upload_rule(((sq_points *)ctx)->st, u, ei);
}

static int sq_points_copy(void *ctx, double similarity, bool *yes, wy_errinfo *ei)
{
	sq_points *p = ctx;
	return sq_copy_holds_points(p->st, p->doc_id, similarity, yes, ei);
}

static int sq_points_chars(void *ctx, int64_t *chars, wy_errinfo *ei)
{
	sq_points *p = ctx;
	return sq_row_ints(p->st,
			   "SELECT coalesce(sum(length(replace(replace(replace(replace(replace(replace("
			   "text, ' ', ''), char(9), ''), char(10), ''), char(12), ''), char(13), ''),"
			   " char(12288), ''))), 0) FROM pages WHERE doc_id = ?1",
			   &p->doc_id, 1, chars, 1, NULL, "read", ei);
}

static int sq_points_recent(void *ctx, int64_t owner, int64_t since, int64_t *sum, wy_errinfo *ei)
{
	int64_t w[2] = {owner, since};
	return sq_row_ints(((sq_points *)ctx)->st,
			   "SELECT coalesce(sum(delta), 0) FROM ledger"
			   " WHERE user_id = ?1 AND reason IN ('upload', 'upload_revoked') AND at > ?2",
			   w, 2, sum, 1, NULL, "read", ei);
}

static int sq_points_set(void *ctx, int64_t owner, int64_t delta, const char *reason, int64_t held, wy_errinfo *ei)
{
	sq_points *p = ctx;
	int64_t v[2] = {p->doc_id, held};
	int rc = ledger_add(p->st, owner, delta, reason, p->doc_id, 0, ei);
	return rc ? rc
		  : sq_exec_ints(p->st, "UPDATE documents SET upload_points = ?2 WHERE id = ?1", v, 2, NULL,
				 "set a document's upload points", ei);
}

static const store_points_io sq_points_io = {sq_points_doc,    sq_points_rule,   sq_points_copy,
					     sq_points_chars,  sq_points_recent, sq_points_set};

int sq_upload_points(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	sq_points p = {st, doc_id};
	return store_upload_points(&sq_points_io, &p, ei);
}

int sqlite_points_adjust(wy_store *st, int64_t user_id, int64_t delta, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t have;
	if (!(rc = balance(st, user_id, &have, ei))) {
		/* a balance below zero (upload points taken back) may be raised */
		if (delta < 0 && have + delta < 0)
			rc = wy_err_set(ei, WY_EPOINTS, "the balance would be below zero (%lld)", (long long)have);
		else if (delta)
			rc = ledger_add(st, user_id, delta, "admin", 0, 0, ei);
	}
	return sq_end(st, rc, ei);
}

/* ---- reports and moderation ---- */

#define REPORTS_PER_HOUR STORE_REPORTS_PER_HOUR /* rules.h */

int sq_report_gate(wy_store *st, int64_t user, int64_t doc_id, int64_t comment_id, int64_t *id, wy_errinfo *ei)
{
	int64_t v[3] = {user, doc_id, comment_id}, n = 0;
	bool found;
	int rc = sq_row_ints(st,
			     comment_id ? "SELECT id FROM reports WHERE open AND user_id = ?1 AND comment_id = ?3"
					: "SELECT id FROM reports WHERE open AND user_id = ?1 AND doc_id = ?2"
					  " AND comment_id IS NULL",
			     v, 3, &n, 1, &found, "read reports", ei);
	if (!rc && found) {
		*id = n;
		return wy_err_set(ei, WY_EEXIST, "already reported as report %lld", (long long)n);
	}
	if (!rc)
		rc = sq_row_ints(st, "SELECT count(*) FROM reports WHERE user_id = ?1 AND at > unixepoch() - 3600", v, 1,
				 &n, 1, NULL, "read reports", ei);
	if (!rc && n >= REPORTS_PER_HOUR)
		rc = wy_err_set(ei, WY_ETOOBIG, "at most %d reports an hour", REPORTS_PER_HOUR);
	return rc;
}

int sqlite_report_add(wy_store *st, int64_t doc_id, int64_t user_id, const char *reason, const char *detail,
			int64_t *id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = sq_report_gate(st, user_id, doc_id, 0, id, ei)))
		return sq_end(st, rc, ei);
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "INSERT INTO reports(doc_id, user_id, reason, detail, at) VALUES(?1, ?2, ?3, ?4, ?5)",
			  ei)))
		return sq_end(st, rc, ei);
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int64(s, 2, user_id);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, detail && *detail ? detail : NULL);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "add a report");
	else
		*id = sqlite3_last_insert_rowid(SQ(st)->db);
	sq_done(st, s);
	return sq_end(st, rc, ei);
}

int sqlite_report_list(wy_store *st, bool open_only, int offset, int limit, wy_report_list *out, int *total,
			 wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n, o = open_only;
	int rc = sq_row_ints(st, "SELECT count(*) FROM reports WHERE open OR NOT ?1", &o, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "SELECT r.id, r.doc_id, r.user_id, r.at, r.reason, r.detail, u.name, d.title, d.state, r.open,"
			  " r.comment_id, cm.text, coalesce(cm.state, -1)"
			  " FROM reports r LEFT JOIN users u ON u.id = r.user_id LEFT JOIN documents d ON d.id = r.doc_id"
			  " LEFT JOIN comments cm ON cm.id = r.comment_id AND cm.doc_id = r.doc_id"
			  " WHERE r.open OR NOT ?1 ORDER BY r.id DESC LIMIT ?2 OFFSET ?3",
			  ei)))
		return rc;
	sqlite3_bind_int(s, 1, open_only);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_report *r = &out->items[out->n++];
		r->id = sqlite3_column_int64(s, 0);
		r->doc_id = sqlite3_column_int64(s, 1);
		r->user_id = sqlite3_column_int64(s, 2);
		r->at = sqlite3_column_int64(s, 3);
		r->reason = sq_col_str(s, 4);
		r->detail = sq_col_str(s, 5);
		r->user_name = sq_col_str(s, 6);
		r->doc_title = sq_col_str(s, 7);
		r->doc_state = sqlite3_column_int(s, 8);
		r->open = sqlite3_column_int(s, 9) != 0;
		r->comment_id = sqlite3_column_int64(s, 10);
		r->comment_text = sq_col_str(s, 11);
		r->comment_state = sqlite3_column_int(s, 12);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list reports");
		wy_report_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_report_close(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	return sq_exec_ints(st, "UPDATE reports SET open = 0 WHERE doc_id = ?1 AND open", &doc_id, 1, NULL,
	                    "close reports", ei);
}

/* One UPDATE of a document (?1 its id; never a new version's row, which is
 * part of its document) and the upload points rule, in one transaction. */
static int doc_change(wy_store *st, const char *sql, const int64_t *v, int n, const char *what, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	if (!(rc = sq_exec_ints(st, sql, v, n, NULL, what, ei)) && sqlite3_changes(SQ(st)->db) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)v[0]);
	if (!rc)
		rc = sq_upload_points(st, v[0], ei);
	return sq_end(st, rc, ei);
}

int sqlite_doc_set_state(wy_store *st, int64_t doc_id, wy_doc_state state, wy_errinfo *ei)
{
	if ((unsigned)state > WY_STATE_DELETED)
		return wy_err_set(ei, WY_EINVAL, "no such state");
	int64_t v[3] = {doc_id, state, wy_now()};
	return doc_change(st, "UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1 AND state != " SQ_VERSION, v, 3, "set a state",
			  ei);
}

int sqlite_doc_set_private(wy_store *st, int64_t doc_id, bool private_, wy_errinfo *ei)
{
	int64_t v[3] = {doc_id, private_, wy_now()};
	return doc_change(st, "UPDATE documents SET private = ?2, updated_at = ?3 WHERE id = ?1 AND state != " SQ_VERSION, v, 3, "set privacy",
			  ei);
}

int sqlite_doc_by_state(wy_store *st, int state, int offset, int limit, wy_doc_list *out, int *total,
			  wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n, v = state;
	int rc = sq_row_ints(st, "SELECT count(*) FROM documents d WHERE " SQ_ADMIN_LISTS("?1 < 0") " OR d.state = ?1", &v, 1, &n, 1, NULL,
	                     "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "SELECT " DOC_COLUMNS " WHERE " SQ_ADMIN_LISTS("?1 < 0") " OR d.state = ?1 ORDER BY d.id DESC LIMIT ?2 OFFSET ?3", ei)))
		return rc;
	sqlite3_bind_int(s, 1, state);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 3, offset > 0 ? offset : 0);
	return sq_read_docs(st, s, out, ei);
}

int sqlite_blob_visibility(wy_store *st, const char *sha, int64_t viewer, bool admin, int max_page, int *vis,
			      wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT max(CASE WHEN " SQ_PUBLIC " AND (?4 = 0 OR x.page <= ?4) THEN 2"
			 " WHEN ?3 OR " SQ_OWN("?2") " THEN 1 ELSE 0 END)"
			 " FROM (SELECT doc_id AS id, page_no AS page FROM pages WHERE image_sha256 = ?1"
			 " UNION SELECT id, 0 FROM documents WHERE thumb_sha256 = ?1) x JOIN documents d ON d.id = x.id",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, sha);
	sqlite3_bind_int64(s, 2, viewer ? viewer : -1);
	sqlite3_bind_int(s, 3, admin);
	sqlite3_bind_int(s, 4, max_page > 0 ? max_page : 0);
	int step = sqlite3_step(s);
	*vis = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "blob visibility");
	sq_done(st, s);
	return rc;
}

int sqlite_blob_used(wy_store *st, const char *sha, bool *used, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT EXISTS(SELECT 1 FROM documents WHERE sha256 = ?1) OR EXISTS(SELECT 1 FROM pages WHERE"
			 " image_sha256 = ?1) OR EXISTS(SELECT 1 FROM documents WHERE thumb_sha256 = ?1)",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, sha);
	int step = sqlite3_step(s);
	*used = step != SQLITE_ROW || sqlite3_column_int(s, 0) != 0; /* in doubt: used */
	if (step != SQLITE_ROW)
		rc = sq_fail(SQ(st)->db, ei, "blob in use");
	sq_done(st, s);
	return rc;
}

/* ---- the audit log and site settings ---- */

int sqlite_audit_add(wy_store *st, int64_t admin_id, const char *action, const char *target, const char *detail,
		       wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "INSERT INTO audit(admin_id, action, target, detail, at) VALUES(?1, ?2, ?3, ?4, ?5)", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, admin_id);
	sq_bind_text(s, 2, action);
	sq_bind_text(s, 3, target);
	sq_bind_text(s, 4, detail);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "write the audit log");
	sq_done(st, s);
	return rc;
}

int sqlite_audit_list(wy_store *st, int offset, int limit, wy_audit_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n;
	int rc = sq_row_ints(st, "SELECT count(*) FROM audit", NULL, 0, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "SELECT a.id, a.admin_id, a.at, u.name, a.action, a.target, a.detail FROM audit a"
			  " LEFT JOIN users u ON u.id = a.admin_id ORDER BY a.id DESC LIMIT ?1 OFFSET ?2",
			  ei)))
		return rc;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 2, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_audit_entry *a = &out->items[out->n++];
		a->id = sqlite3_column_int64(s, 0);
		a->admin_id = sqlite3_column_int64(s, 1);
		a->at = sqlite3_column_int64(s, 2);
		a->admin_name = sq_col_str(s, 3);
		a->action = sq_col_str(s, 4);
		a->target = sq_col_str(s, 5);
		a->detail = sq_col_str(s, 6);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "read the audit log");
		wy_audit_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_setting_set(wy_store *st, const char *name, const char *value, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "INSERT OR REPLACE INTO settings(name, value) VALUES(?1, ?2)", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "save a setting");
	sq_done(st, s);
	return rc;
}

int sqlite_settings_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *value), void *ctx,
			   wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT name, value FROM settings ORDER BY name", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read settings");
	sq_done(st, s);
	return rc;
}

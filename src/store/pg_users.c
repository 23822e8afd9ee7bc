/* store/pg_users: accounts and what they do, for the PostgreSQL backend
 * (the SQLite backend's sqlite_users.c, function for function): users,
 * sessions, favorites, downloads, the points ledger, reports, moderation,
 * the audit log and site settings.
 *
 * A balance is the sum of a user's ledger rows. Every change of points is
 * one write transaction (pg_begin: the writers' lock) that reads the
 * balance and writes the rows, so two requests spending the same points,
 * from any processes, are serialized as under SQLite's write lock: the
 * second sees the first's rows and is refused when short. Names compare
 * without case (SQLite's NOCASE columns): lower() on both sides, as the
 * schema's unique indexes on lower(name) do. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VISIBLE_TO(p) " " SQ_SEEN_BY(p)

static int balance(wy_store *st, int64_t user, int64_t *out, wy_errinfo *ei)
{
	return pg_row_ints(st, "SELECT coalesce(sum(delta), 0) FROM ledger WHERE user_id = $1", &user, 1, out, 1, NULL,
			   "read", ei);
}

static int ledger_add(wy_store *st, int64_t user, int64_t delta, const char *reason, int64_t doc, int64_t other,
		      wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, user);
	pg_arg_int(&a, delta);
	pg_arg_text(&a, reason);
	char ds[24], os[24];
	snprintf(ds, sizeof ds, "%lld", (long long)doc);
	snprintf(os, sizeof os, "%lld", (long long)other);
	pg_arg_text(&a, doc ? ds : NULL);
	pg_arg_text(&a, other ? os : NULL);
	pg_arg_int(&a, wy_now());
	return pg_run(st, "INSERT INTO ledger(user_id, delta, reason, doc_id, other_id, at) VALUES($1, $2, $3, $4, $5, $6)",
		      &a, NULL, NULL, "write the ledger", ei);
}

/* ---- users ---- */

#define USER_COLUMNS "u.id, u.name, u.role, u.banned, u.created_at"

static void read_user(const PGresult *r, int row, wy_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = pg_int(r, row, 0);
	u->name = pg_str(r, row, 1);
	u->role = pg_int(r, row, 2) == WY_ROLE_ADMIN ? WY_ROLE_ADMIN : WY_ROLE_USER;
	u->banned = pg_int(r, row, 3) != 0;
	u->created_at = pg_int(r, row, 4);
}

/* As sqlite_users.c: a name's confusable skeleton is stored with it
 * (rules.c checks the name and makes it), so a look-alike is refused by
 * one indexed lookup under the writers' lock. */
#define SKELETON_BYTES STORE_SKELETON_BYTES
#define name_check store_user_name_check

static int name_taken(wy_store *st, const char *name, const char *sk, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, name);
	pg_arg_text(&a, sk);
	PGresult *r;
	int rc = pg_run(st, "SELECT 1 FROM users WHERE lower(name) = lower($1) OR skeleton = $2 LIMIT 1", &a, &r, NULL,
			"look up a name", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		rc = wy_err_set(ei, WY_EEXIST, "the name %s is taken, or one that looks like it", name);
	PQclear(r);
	return rc;
}

int pg_user_name_free(wy_store *st, const char *name, wy_errinfo *ei)
{
	char sk[SKELETON_BYTES];
	int rc = name_check(name, sk, ei);
	return rc ? rc : name_taken(st, name, sk, ei);
}

int pg_user_add(wy_store *st, const char *name, const char *pass_hash, wy_role role, int64_t points, int64_t *id,
		wy_errinfo *ei)
{
	char sk[SKELETON_BYTES];
	int rc = name_check(name, sk, ei);
	if (rc)
		return rc;
	if ((rc = pg_begin(st, ei)))
		return rc;
	/* checked inside the transaction, under the writers' lock: two
	 * registrations of names that look alike are serialized */
	if ((rc = name_taken(st, name, sk, ei)))
		return pg_end(st, rc, ei);
	pg_args a = {0};
	pg_arg_text(&a, name);
	pg_arg_text(&a, pass_hash);
	pg_arg_int(&a, role);
	pg_arg_int(&a, wy_now());
	pg_arg_text(&a, sk);
	PGresult *r;
	/* (the default group: the schema's trigger) */
	if ((rc = pg_run(st,
			 "INSERT INTO users(name, pass, role, created_at, skeleton) VALUES($1, $2, $3, $4, $5) RETURNING id",
			 &a, &r, NULL, "add a user", ei)))
		return pg_end(st, rc, ei);
	*id = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	if (points > 0)
		rc = ledger_add(st, *id, points, "register", 0, 0, ei);
	return pg_end(st, rc, ei);
}

static int user_one(wy_store *st, const char *sql, const pg_args *a, wy_user *out, char **pass_hash, wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st, sql, a, &r, NULL, "get a user", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		read_user(r, 0, out);
		if (pass_hash)
			*pass_hash = pg_str(r, 0, 5);
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	}
	PQclear(r);
	if (!rc && (rc = balance(st, out->id, &out->points, ei))) {
		wy_user_clear(out);
		if (pass_hash) {
			free(*pass_hash);
			*pass_hash = NULL;
		}
	}
	return rc;
}

int pg_user_get(wy_store *st, int64_t id, wy_user *out, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, id);
	return user_one(st, "SELECT " USER_COLUMNS ", u.pass FROM users u WHERE u.id = $1", &a, out, NULL, ei);
}

int pg_user_by_name(wy_store *st, const char *name, wy_user *out, char **pass_hash, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, name);
	return user_one(st, "SELECT " USER_COLUMNS ", u.pass FROM users u WHERE lower(u.name) = lower($1)", &a, out,
			pass_hash, ei);
}

/* End a user's sessions but the one whose hash is keep (NULL: all). */
static int end_sessions(wy_store *st, int64_t user, const unsigned char *keep, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, user);
	if (keep)
		pg_arg_bytes(&a, keep, WY_TOKEN_HASH);
	else
		pg_arg_text(&a, NULL);
	return pg_run(st, "DELETE FROM sessions WHERE user_id = $1 AND hash IS DISTINCT FROM $2::bytea", &a, NULL, NULL,
		      "end sessions", ei);
}

int pg_user_set_password(wy_store *st, int64_t id, const char *pass_hash, const unsigned char *keep, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, id);
	pg_arg_text(&a, pass_hash);
	int changed = 0;
	if (!(rc = pg_run(st, "UPDATE users SET pass = $2 WHERE id = $1", &a, NULL, &changed, "set a password", ei)) &&
	    !changed)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	if (!rc)
		rc = end_sessions(st, id, keep, ei);
	return pg_end(st, rc, ei);
}

int pg_user_set(wy_store *st, int64_t id, int role, int banned, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[2] = {id, role}, n;
	if ((rc = pg_row_ints(st, "SELECT count(*) FROM users WHERE id = $1", v, 1, &n, 1, NULL, "read", ei)) ||
	    (!n && (rc = wy_err_set(ei, WY_ENOTFOUND, "no such user"))))
		return pg_end(st, rc, ei);
	if (role >= 0)
		rc = pg_exec_ints(st, "UPDATE users SET role = $2 WHERE id = $1", v, 2, NULL, "set a role", ei);
	if (!rc && banned >= 0) {
		int64_t b[2] = {id, banned != 0};
		rc = pg_exec_ints(st, "UPDATE users SET banned = $2 WHERE id = $1", b, 2, NULL, "ban", ei);
		if (!rc && banned)
			rc = pg_exec_ints(st, "DELETE FROM sessions WHERE user_id = $1", v, 1, NULL, "end sessions", ei);
	}
	return pg_end(st, rc, ei);
}

int pg_user_list(wy_store *st, const char *name_like, int offset, int limit, wy_user_list *out, int *total,
		 wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
	const char *like = name_like && *name_like ? name_like : NULL;
	pg_args a = {0};
	pg_arg_text(&a, like);
	PGresult *r;
	int rc = pg_run(st, "SELECT count(*) FROM users WHERE $1::text IS NULL OR strpos(lower(name), lower($1)) > 0", &a,
			&r, NULL, "count users", ei);
	if (rc)
		return rc;
	*total = (int)pg_int(r, 0, 0);
	PQclear(r);
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	if ((rc = pg_run(st,
			 "SELECT " USER_COLUMNS ", (SELECT coalesce(sum(delta), 0) FROM ledger l WHERE l.user_id = u.id)"
			 " FROM users u WHERE $1::text IS NULL OR strpos(lower(u.name), lower($1)) > 0"
			 " ORDER BY u.id LIMIT $2 OFFSET $3",
			 &a, &r, NULL, "list users", ei)))
		return rc;
	int n = PQntuples(r), cap = 0;
	for (int i = 0; i < n; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		read_user(r, i, &out->items[out->n]);
		out->items[out->n++].points = pg_int(r, i, 5);
	}
	PQclear(r);
	return WY_OK;
}

/* ---- sessions ---- */

int pg_session_add(wy_store *st, const unsigned char *hash, int64_t user_id, const char *csrf, int64_t expires_at,
		   wy_errinfo *ei)
{
	int64_t now = wy_now();
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	/* old sessions go as new ones come */
	if ((rc = pg_exec_ints(st, "DELETE FROM sessions WHERE expires_at <= $1", &now, 1, NULL, "expire sessions", ei)))
		return pg_end(st, rc, ei);
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	pg_arg_int(&a, user_id);
	pg_arg_text(&a, csrf);
	pg_arg_int(&a, now);
	pg_arg_int(&a, expires_at);
	rc = pg_run(st, "INSERT INTO sessions(hash, user_id, csrf, created_at, expires_at) VALUES($1, $2, $3, $4, $5)", &a,
		    NULL, NULL, "add a session", ei);
	return pg_end(st, rc, ei);
}

int pg_session_get(wy_store *st, const unsigned char *hash, wy_user *user, char csrf[65], wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	pg_arg_int(&a, wy_now());
	PGresult *r;
	int rc = pg_run(st,
			"SELECT " USER_COLUMNS ", s.csrf FROM sessions s JOIN users u ON u.id = s.user_id"
			" WHERE s.hash = $1 AND s.expires_at > $2 AND u.banned = 0",
			&a, &r, NULL, "get a session", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		read_user(r, 0, user);
		snprintf(csrf, 65, "%s", pg_cstr(r, 0, 5));
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such session");
	}
	PQclear(r);
	return rc;
}

int pg_session_delete(wy_store *st, const unsigned char *hash, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	return pg_run(st, "DELETE FROM sessions WHERE hash = $1", &a, NULL, NULL, "end a session", ei);
}

/* ---- favorites and a user's documents ---- */

int pg_favorite_set(wy_store *st, int64_t user_id, int64_t doc_id, bool on, wy_errinfo *ei)
{
	int64_t v[3] = {user_id, doc_id, wy_now()};
	return on ? pg_exec_ints(st,
				 "INSERT INTO favorites(user_id, doc_id, at) VALUES($1, $2, $3) ON CONFLICT DO NOTHING", v,
				 3, NULL, "favorite", ei)
		  : pg_exec_ints(st, "DELETE FROM favorites WHERE user_id = $1 AND doc_id = $2", v, 2, NULL, "unfavorite",
				 ei);
}

int pg_favorite_state(wy_store *st, int64_t user_id, int64_t doc_id, bool *on, int64_t *count, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, doc_id}, n = 0;
	int rc =
	    pg_row_ints(st, "SELECT count(*) FROM favorites WHERE doc_id = $1", &doc_id, 1, count, 1, NULL, "read", ei);
	if (!rc && user_id)
		rc = pg_row_ints(st, "SELECT count(*) FROM favorites WHERE user_id = $1 AND doc_id = $2", v, 2, &n, 1,
				 NULL, "read", ei);
	*on = n > 0;
	return rc;
}

int pg_user_docs(wy_store *st, int64_t user_id, wy_user_docs which, int offset, int limit, wy_doc_list *out,
		 int *total, wy_errinfo *ei)
{
	static const char *const from[] = {
		" WHERE d.owner_id = $1 AND d.state < " SQ_DELETED,
		" JOIN favorites f ON f.doc_id = d.id AND f.user_id = $1 WHERE" VISIBLE_TO("$1"),
		" JOIN downloads w ON w.doc_id = d.id AND w.user_id = $1 WHERE" VISIBLE_TO("$1"),
	};
	static const char *const order[] = {" ORDER BY d.id DESC", " ORDER BY f.at DESC, d.id DESC",
					    " ORDER BY w.last_at DESC, d.id DESC"};
	memset(out, 0, sizeof *out);
	unsigned k = (unsigned)which < 3 ? which : 0;
	char sql[2048];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM documents d%s", from[k]);
	int64_t n;
	int rc = pg_row_ints(st, sql, &user_id, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	snprintf(sql, sizeof sql, "SELECT " DOC_COLUMNS "%s%s LIMIT $2 OFFSET $3", from[k], order[k]);
	pg_args a = {0};
	pg_arg_int(&a, user_id);
	pg_arg_int(&a, limit > 0 ? limit : 20);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	return pg_read_docs(st, sql, &a, out, ei);
}

/* ---- points ---- */

int pg_points_ledger(wy_store *st, int64_t user_id, int offset, int limit, wy_ledger *out, int *total,
		     wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n;
	int rc = pg_row_ints(st, "SELECT count(*) FROM ledger WHERE user_id = $1", &user_id, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	pg_args a = {0};
	pg_arg_int(&a, user_id);
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT l.id, l.delta, l.reason, l.doc_id, d.title, l.other_id, u.name, l.at FROM ledger l"
			 " LEFT JOIN documents d ON d.id = l.doc_id LEFT JOIN users u ON u.id = l.other_id"
			 " WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT $2 OFFSET $3",
			 &a, &r, NULL, "read the ledger", ei)))
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int i = 0; i < rows; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_ledger_entry *e = &out->items[out->n++];
		e->id = pg_int(r, i, 0);
		e->delta = pg_int(r, i, 1);
		e->reason = pg_str(r, i, 2);
		e->doc_id = pg_int(r, i, 3);
		e->doc_title = pg_str(r, i, 4);
		e->other_id = pg_int(r, i, 5);
		e->other_name = pg_str(r, i, 6);
		e->at = pg_int(r, i, 7);
	}
	PQclear(r);
	return WY_OK;
}

int pg_points_signin(wy_store *st, int64_t user_id, int64_t day, int64_t points, bool *granted, wy_errinfo *ei)
{
	*granted = false;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[2] = {user_id, day};
	int changed = 0;
	if (!(rc = pg_exec_ints(st, "INSERT INTO signins(user_id, day) VALUES($1, $2) ON CONFLICT DO NOTHING", v, 2,
				&changed, "sign in", ei)) &&
	    changed == 1) {
		*granted = true;
		if (points > 0)
			rc = ledger_add(st, user_id, points, "signin", 0, 0, ei);
	}
	if ((rc = pg_end(st, rc, ei)))
		*granted = false;
	return rc;
}

/* A document's owner (0: none) and price, whether the account user may
 * see it as anyone does (SQ_SEEN_BY), and whether its conversion has
 * ended (ready: NULL when not asked); checked in the transaction that
 * moves points (sqlite_users.c says why). */
static int doc_owner(wy_store *st, int64_t doc_id, int64_t user, int64_t *owner, int64_t *price, bool *seen,
		     bool *ready, wy_errinfo *ei)
{
	int64_t v[2] = {doc_id, user}, row[4];
	bool found;
	int rc = pg_row_ints(st,
			     "SELECT coalesce(d.owner_id, 0), d.price, " SQ_SEEN_BY("$2") ", d.status = " SQ_READY
			     " FROM documents d WHERE d.id = $1",
			     v, 2, row, 4, &found, "get a document", ei);
	if (rc)
		return rc;
	if (!found)
		return wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	*owner = row[0];
	*price = row[1];
	*seen = row[2] != 0;
	if (ready)
		*ready = row[3] != 0;
	return WY_OK;
}

int pg_points_reward(wy_store *st, int64_t from, int64_t doc_id, int64_t points, wy_errinfo *ei)
{
	if (points <= 0)
		return wy_err_set(ei, WY_EINVAL, "a reward is a positive number of points");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t owner, price, have;
	bool seen;
	if ((rc = doc_owner(st, doc_id, from, &owner, &price, &seen, NULL, ei)))
		return pg_end(st, rc, ei);
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
	return pg_end(st, rc, ei);
}

int pg_download(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	rc = pg_end(st, pg_download_in(st, user_id, doc_id, charge, paid, ei), ei);
	if (rc)
		*paid = 0;
	return rc;
}

int pg_download_in(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei)
{
	*paid = 0;
	int rc;
	int64_t owner, price, now = wy_now();
	bool seen, ready;
	if ((rc = doc_owner(st, doc_id, user_id, &owner, &price, &seen, &ready, ei)))
		return rc;
	/* a payer who may not see it pays nothing and records nothing */
	if (charge && !seen)
		return wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	int64_t v[3] = {user_id, doc_id, now}, n;
	if ((rc = pg_row_ints(st,
			      "INSERT INTO downloads(user_id, doc_id, first_at, last_at, n) VALUES($1, $2, $3, $3, 1)"
			      " ON CONFLICT(user_id, doc_id) DO UPDATE SET last_at = $3, n = downloads.n + 1 RETURNING n",
			      v, 3, &n, 1, NULL, "record a download", ei)))
		return rc;
	/* the first download pays; downloading again is free */
	if (charge && n == 1 && price > 0 && owner != user_id) {
		/* sold once its conversion has ended (a sale is not undone) */
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

int pg_download_paid(wy_store *st, int64_t user_id, int64_t doc_id, bool *yes, wy_errinfo *ei)
{
	int64_t v[2] = {user_id, doc_id}, n = 0;
	int rc = pg_row_ints(st, "SELECT count(*) FROM downloads WHERE user_id = $1 AND doc_id = $2", v, 2, &n, 1, NULL,
			     "read", ei);
	*yes = n > 0;
	return rc;
}

/* ---- upload points: the one rule (store.h, wy_upload_points) ---- */

/* The rule now: this process's, overridden by what an admin saved. */
static int upload_rule(wy_store *st, wy_upload_points *u, wy_errinfo *ei)
{
	*u = PG(st)->upload_rule;
	PGresult *r;
	int rc = pg_run(st,
			"SELECT name, value FROM settings"
			" WHERE name IN ('points_upload', 'points_upload_daily', 'points_upload_min_chars')",
			NULL, &r, NULL, "read the upload points settings", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		store_upload_rule_set(u, pg_cstr(r, i, 0), pg_cstr(r, i, 1));
	PQclear(r);
	return WY_OK;
}

int pg_upload_points_anew(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int64_t v[2];
	bool found;
	int rc = pg_row_ints(st, "SELECT coalesce(owner_id, 0), upload_points FROM documents WHERE id = $1", &doc_id, 1,
			     v, 2, &found, "read a document's upload points", ei);
	if (rc || !found)
		return rc;
	if (v[0] && v[1] > 0 && !(rc = ledger_add(st, v[0], -v[1], "upload_revoked", doc_id, 0, ei)))
		rc = pg_exec_ints(st, "UPDATE documents SET upload_points = 0 WHERE id = $1", &doc_id, 1, NULL,
				  "take back points", ei);
	return rc ? rc : pg_upload_points(st, doc_id, ei);
}

/* The upload points rule's questions and changes (rules.c decides). */
typedef struct pg_points {
	wy_store *st;
	int64_t doc_id;
} pg_points;

static int pg_points_doc(void *ctx, int64_t *owner, int64_t *held, bool *listed, wy_errinfo *ei)
{
	pg_points *p = ctx;
	int64_t row[3];
	int rc = pg_row_ints(p->st,
			     "SELECT coalesce(owner_id, 0), upload_points,"
			     /* ready: a readable document's conversion may still fail */
			     " d.status = " SQ_READY " AND " SQ_PUBLIC " AND d.dup_of IS NULL FROM documents d WHERE d.id = $1",
			     &p->doc_id, 1, row, 3, NULL, "read a document's upload points", ei);
	*owner = row[0], *held = row[1], *listed = row[2] != 0;
	return rc;
}

static int pg_points_rule(void *ctx, wy_upload_points *u, wy_errinfo *ei)
{
	return upload_rule(((pg_points *)ctx)->st, u, ei);
}

static int pg_points_copy(void *ctx, double similarity, bool *yes, wy_errinfo *ei)
{
	pg_points *p = ctx;
	return pg_copy_holds_points(p->st, p->doc_id, similarity, yes, ei);
}

static int pg_points_chars(void *ctx, int64_t *chars, wy_errinfo *ei)
{
	pg_points *p = ctx;
	return pg_row_ints(p->st,
			   "SELECT coalesce(sum(length(replace(replace(replace(replace(replace(replace("
			   "text, ' ', ''), chr(9), ''), chr(10), ''), chr(12), ''), chr(13), ''),"
			   " chr(12288), ''))), 0) FROM pages WHERE doc_id = $1",
			   &p->doc_id, 1, chars, 1, NULL, "read", ei);
}

static int pg_points_recent(void *ctx, int64_t owner, int64_t since, int64_t *sum, wy_errinfo *ei)
{
	int64_t w[2] = {owner, since};
	return pg_row_ints(((pg_points *)ctx)->st,
			   "SELECT coalesce(sum(delta), 0) FROM ledger"
			   " WHERE user_id = $1 AND reason IN ('upload', 'upload_revoked') AND at > $2",
			   w, 2, sum, 1, NULL, "read", ei);
}

static int pg_points_set(void *ctx, int64_t owner, int64_t delta, const char *reason, int64_t held, wy_errinfo *ei)
{
	pg_points *p = ctx;
	int64_t v[2] = {p->doc_id, held};
	int rc = ledger_add(p->st, owner, delta, reason, p->doc_id, 0, ei);
	return rc ? rc
		  : pg_exec_ints(p->st, "UPDATE documents SET upload_points = $2 WHERE id = $1", v, 2, NULL,
				 "set a document's upload points", ei);
}

static const store_points_io pg_points_io = {pg_points_doc,    pg_points_rule,   pg_points_copy,
					     pg_points_chars,  pg_points_recent, pg_points_set};

int pg_upload_points(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	pg_points p = {st, doc_id};
	return store_upload_points(&pg_points_io, &p, ei);
}

int pg_points_adjust(wy_store *st, int64_t user_id, int64_t delta, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
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
	return pg_end(st, rc, ei);
}

/* ---- reports and moderation ---- */

#define REPORTS_PER_HOUR STORE_REPORTS_PER_HOUR /* rules.h */

int pg_report_gate(wy_store *st, int64_t user, int64_t doc_id, int64_t comment_id, int64_t *id, wy_errinfo *ei)
{
	int64_t v[3] = {user, doc_id, comment_id}, n = 0;
	bool found;
	int rc;
	if (comment_id) {
		int64_t c[2] = {user, comment_id};
		rc = pg_row_ints(st, "SELECT id FROM reports WHERE open <> 0 AND user_id = $1 AND comment_id = $2", c, 2,
				 &n, 1, &found, "read reports", ei);
	} else {
		rc = pg_row_ints(st,
				 "SELECT id FROM reports WHERE open <> 0 AND user_id = $1 AND doc_id = $2"
				 " AND comment_id IS NULL",
				 v, 2, &n, 1, &found, "read reports", ei);
	}
	if (!rc && found) {
		*id = n;
		return wy_err_set(ei, WY_EEXIST, "already reported as report %lld", (long long)n);
	}
	int64_t w[2] = {user, wy_now() - 3600};
	if (!rc)
		rc = pg_row_ints(st, "SELECT count(*) FROM reports WHERE user_id = $1 AND at > $2", w, 2, &n, 1, NULL,
				 "read reports", ei);
	if (!rc && n >= REPORTS_PER_HOUR)
		rc = wy_err_set(ei, WY_ETOOBIG, "at most %d reports an hour", REPORTS_PER_HOUR);
	return rc;
}

int pg_report_add(wy_store *st, int64_t doc_id, int64_t user_id, const char *reason, const char *detail, int64_t *id,
		  wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = pg_report_gate(st, user_id, doc_id, 0, id, ei)))
		return pg_end(st, rc, ei);
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, user_id);
	pg_arg_text(&a, reason);
	pg_arg_text(&a, detail && *detail ? detail : NULL);
	pg_arg_int(&a, wy_now());
	PGresult *r;
	if (!(rc = pg_run(st,
			  "INSERT INTO reports(doc_id, user_id, reason, detail, at) VALUES($1, $2, $3, $4, $5) RETURNING id",
			  &a, &r, NULL, "add a report", ei))) {
		*id = PQntuples(r) ? pg_int(r, 0, 0) : 0;
		PQclear(r);
	}
	return pg_end(st, rc, ei);
}

int pg_report_list(wy_store *st, bool open_only, int offset, int limit, wy_report_list *out, int *total,
		   wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n, o = open_only;
	int rc = pg_row_ints(st, "SELECT count(*) FROM reports WHERE open <> 0 OR $1::int = 0", &o, 1, &n, 1, NULL,
			     "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	pg_args a = {0};
	pg_arg_int(&a, open_only);
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT r.id, r.doc_id, r.user_id, r.at, r.reason, r.detail, u.name, d.title, d.state, r.open,"
			 " r.comment_id, cm.text, coalesce(cm.state, -1)"
			 " FROM reports r LEFT JOIN users u ON u.id = r.user_id LEFT JOIN documents d ON d.id = r.doc_id"
			 " LEFT JOIN comments cm ON cm.id = r.comment_id AND cm.doc_id = r.doc_id"
			 " WHERE r.open <> 0 OR $1::int = 0 ORDER BY r.id DESC LIMIT $2 OFFSET $3",
			 &a, &r, NULL, "list reports", ei)))
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int i = 0; i < rows; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_report *p = &out->items[out->n++];
		p->id = pg_int(r, i, 0);
		p->doc_id = pg_int(r, i, 1);
		p->user_id = pg_int(r, i, 2);
		p->at = pg_int(r, i, 3);
		p->reason = pg_str(r, i, 4);
		p->detail = pg_str(r, i, 5);
		p->user_name = pg_str(r, i, 6);
		p->doc_title = pg_str(r, i, 7);
		p->doc_state = (int)pg_int(r, i, 8);
		p->open = pg_int(r, i, 9) != 0;
		p->comment_id = pg_int(r, i, 10);
		p->comment_text = pg_str(r, i, 11);
		p->comment_state = (int)pg_int(r, i, 12);
	}
	PQclear(r);
	return WY_OK;
}

int pg_report_close(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	return pg_exec_ints(st, "UPDATE reports SET open = 0 WHERE doc_id = $1 AND open <> 0", &doc_id, 1, NULL,
			    "close reports", ei);
}

/* One UPDATE of a document ($1 its id; never a new version's row) and the
 * upload points rule, in one transaction. */
static int doc_change(wy_store *st, const char *sql, const int64_t *v, int n, const char *what, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int changed = 0;
	if (!(rc = pg_exec_ints(st, sql, v, n, &changed, what, ei)) && changed == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)v[0]);
	if (!rc)
		rc = pg_upload_points(st, v[0], ei);
	return pg_end(st, rc, ei);
}

int pg_doc_set_state(wy_store *st, int64_t doc_id, wy_doc_state state, wy_errinfo *ei)
{
	if ((unsigned)state > WY_STATE_DELETED)
		return wy_err_set(ei, WY_EINVAL, "no such state");
	int64_t v[3] = {doc_id, state, wy_now()};
	return doc_change(st,
			  "UPDATE documents SET state = $2, updated_at = $3 WHERE id = $1 AND state != " SQ_VERSION, v,
			  3, "set a state", ei);
}

int pg_doc_set_private(wy_store *st, int64_t doc_id, bool private_, wy_errinfo *ei)
{
	int64_t v[3] = {doc_id, private_, wy_now()};
	return doc_change(st,
			  "UPDATE documents SET private = $2, updated_at = $3 WHERE id = $1 AND state != " SQ_VERSION,
			  v, 3, "set privacy", ei);
}

int pg_doc_by_state(wy_store *st, int state, int offset, int limit, wy_doc_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n, v = state;
	int rc = pg_row_ints(st,
			     "SELECT count(*) FROM documents d WHERE " SQ_ADMIN_LISTS("$1::int < 0") " OR d.state = $1",
			     &v, 1, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	pg_args a = {0};
	pg_arg_int(&a, state);
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	return pg_read_docs(st,
			 "SELECT " DOC_COLUMNS " WHERE " SQ_ADMIN_LISTS("$1::int < 0")
			 " OR d.state = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3",
			 &a, out, ei);
}

int pg_blob_visibility(wy_store *st, const char *sha, int64_t viewer, bool admin, int max_page, int *vis,
		       wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, sha);
	pg_arg_int(&a, viewer ? viewer : -1);
	pg_arg_int(&a, admin);
	pg_arg_int(&a, max_page > 0 ? max_page : 0);
	PGresult *r;
	*vis = 0;
	int rc = pg_run(st,
			"SELECT max(CASE WHEN " SQ_PUBLIC " AND ($4::int = 0 OR x.page <= $4::int) THEN 2"
			" WHEN $3::int <> 0 OR " SQ_OWN("$2::bigint") " THEN 1 ELSE 0 END)"
			" FROM (SELECT doc_id AS id, page_no AS page FROM pages WHERE image_sha256 = $1"
			" UNION SELECT id, 0 FROM documents WHERE thumb_sha256 = $1) x JOIN documents d ON d.id = x.id",
			&a, &r, NULL, "blob visibility", ei);
	if (rc)
		return rc;
	*vis = PQntuples(r) ? (int)pg_int(r, 0, 0) : 0;
	PQclear(r);
	return WY_OK;
}

int pg_blob_used(wy_store *st, const char *sha, bool *used, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, sha);
	PGresult *r;
	*used = true; /* in doubt: used */
	int rc = pg_run(st,
			"SELECT EXISTS(SELECT 1 FROM documents WHERE sha256 = $1) OR EXISTS(SELECT 1 FROM pages WHERE"
			" image_sha256 = $1) OR EXISTS(SELECT 1 FROM documents WHERE thumb_sha256 = $1)",
			&a, &r, NULL, "blob in use", ei);
	if (rc)
		return rc;
	*used = PQntuples(r) == 0 || pg_int(r, 0, 0) != 0;
	PQclear(r);
	return WY_OK;
}

/* ---- the audit log and site settings ---- */

int pg_audit_add(wy_store *st, int64_t admin_id, const char *action, const char *target, const char *detail,
		 wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, admin_id);
	pg_arg_text(&a, action);
	pg_arg_text(&a, target);
	pg_arg_text(&a, detail);
	pg_arg_int(&a, wy_now());
	return pg_run(st, "INSERT INTO audit(admin_id, action, target, detail, at) VALUES($1, $2, $3, $4, $5)", &a, NULL,
		      NULL, "write the audit log", ei);
}

int pg_audit_list(wy_store *st, int offset, int limit, wy_audit_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n;
	int rc = pg_row_ints(st, "SELECT count(*) FROM audit", NULL, 0, &n, 1, NULL, "read", ei);
	if (rc)
		return rc;
	*total = (int)n;
	pg_args a = {0};
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT a.id, a.admin_id, a.at, u.name, a.action, a.target, a.detail FROM audit a"
			 " LEFT JOIN users u ON u.id = a.admin_id ORDER BY a.id DESC LIMIT $1 OFFSET $2",
			 &a, &r, NULL, "read the audit log", ei)))
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int i = 0; i < rows; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_audit_entry *e = &out->items[out->n++];
		e->id = pg_int(r, i, 0);
		e->admin_id = pg_int(r, i, 1);
		e->at = pg_int(r, i, 2);
		e->admin_name = pg_str(r, i, 3);
		e->action = pg_str(r, i, 4);
		e->target = pg_str(r, i, 5);
		e->detail = pg_str(r, i, 6);
	}
	PQclear(r);
	return WY_OK;
}

int pg_setting_set(wy_store *st, const char *name, const char *value, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, name);
	pg_arg_text(&a, value);
	return pg_run(st,
		      "INSERT INTO settings(name, value) VALUES($1, $2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
		      &a, NULL, NULL, "save a setting", ei);
}

int pg_settings_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *value), void *ctx,
		     wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st, "SELECT name, value FROM settings ORDER BY name COLLATE \"C\"", NULL, &r, NULL, "read settings", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		cb(ctx, pg_cstr(r, i, 0), pg_cstr(r, i, 1));
	PQclear(r);
	return WY_OK;
}

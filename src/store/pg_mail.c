/* store/pg_mail: accounts' email addresses, the queue of mail to send and
 * the single-use links mailed, in PostgreSQL (sqlite_mail.c, function for
 * function).
 *
 * The queue is claimed row by row with FOR UPDATE SKIP LOCKED, so any
 * number of senders (one per serve process) never send the same mail
 * twice while they live, and never wait behind each other; a sender that
 * dies holding a claim loses it when its lease (next_at) runs out.
 * Addresses compare without case (SQLite's NOCASE column): lower() on
 * both sides, as the schema's index on lower(email) does. A link is used
 * in the transaction that does what it is for, so it works once. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_mail_enqueue(wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei)
{
	int rc = store_mail_check(to, subject, body, ei);
	if (rc)
		return rc;
	pg_args a = {0};
	pg_arg_text(&a, to);
	pg_arg_text(&a, subject);
	pg_arg_text(&a, body);
	pg_arg_int(&a, wy_now());
	return pg_run(st,
		      "INSERT INTO mail(to_addr, subject, body, state, next_at, created_at)"
		      " VALUES($1, $2, $3, 'queued', $4, $4)",
		      &a, NULL, NULL, "queue a mail", ei);
}

#define MAIL_COLS "id, to_addr, subject, body, state, tries, next_at, last_error, created_at, sent_at"

static void read_mail(const PGresult *r, int row, wy_mail *m)
{
	m->id = pg_int(r, row, 0);
	m->to_addr = pg_str(r, row, 1);
	m->subject = pg_str(r, row, 2);
	m->body = pg_str(r, row, 3);
	m->state = store_mail_state_of(pg_cstr(r, row, 4));
	m->tries = (int)pg_int(r, row, 5);
	m->next_at = pg_int(r, row, 6);
	m->last_error = pg_str(r, row, 7);
	m->created_at = pg_int(r, row, 8);
	m->sent_at = pg_int(r, row, 9);
}

int pg_mail_claim(wy_store *st, int64_t now, int lease, wy_mail *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	pg_arg_int(&a, now);
	pg_arg_int(&a, now + lease);
	PGresult *r;
	/* one statement: the due mail is locked (others skip it) and leased */
	int rc = pg_run(st,
			"UPDATE mail SET state = 'sending', tries = tries + 1, next_at = $2 WHERE id ="
			" (SELECT id FROM mail WHERE state IN ('queued', 'sending') AND next_at <= $1"
			" ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
			" RETURNING " MAIL_COLS,
			&a, &r, NULL, "claim a mail", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		read_mail(r, 0, out);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no mail due");
	PQclear(r);
	return rc;
}

int pg_mail_sent(wy_store *st, int64_t id, int64_t now, wy_errinfo *ei)
{
	int64_t v[2] = {id, now};
	return pg_exec_ints(st, "UPDATE mail SET state = 'sent', sent_at = $2, last_error = NULL WHERE id = $1", v, 2,
			    NULL, "mark a mail sent", ei);
}

int pg_mail_retry(wy_store *st, int64_t id, const char *error, int64_t retry_at, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, id);
	pg_arg_text(&a, error ? error : "failed");
	pg_arg_int(&a, retry_at);
	return pg_run(st,
		      "UPDATE mail SET state = CASE WHEN $3::bigint > 0 THEN 'queued' ELSE 'failed' END,"
		      " next_at = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE next_at END, last_error = $2 WHERE id = $1",
		      &a, NULL, NULL, "reschedule a mail", ei);
}

int pg_mail_next(wy_store *st, int64_t *at, wy_errinfo *ei)
{
	*at = 0;
	return pg_row_ints(st, "SELECT coalesce(min(next_at), 0) FROM mail WHERE state IN ('queued', 'sending')", NULL, 0,
			   at, 1, NULL, "read the mail queue", ei);
}

int pg_mail_list(wy_store *st, int limit, wy_mail_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, "SELECT state, count(*) FROM mail GROUP BY state", NULL, &r, NULL, "count the mail queue", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		out->counts[store_mail_state_of(pg_cstr(r, i, 0))] += pg_int(r, i, 1);
	PQclear(r);
	pg_args a = {0};
	pg_arg_int(&a, limit);
	if ((rc = pg_run(st, "SELECT " MAIL_COLS " FROM mail ORDER BY id DESC LIMIT $1", &a, &r, NULL,
			 "list the mail queue", ei))) {
		wy_mail_list_clear(out);
		return rc;
	}
	int n = PQntuples(r), cap = 0;
	for (int i = 0; i < n; i++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		memset(&out->items[out->n], 0, sizeof out->items[out->n]);
		read_mail(r, i, &out->items[out->n++]);
	}
	PQclear(r);
	return WY_OK;
}

int pg_mail_count_to(wy_store *st, const char *to, int64_t since, int64_t *n, wy_errinfo *ei)
{
	*n = 0;
	pg_args a = {0};
	pg_arg_text(&a, to);
	pg_arg_int(&a, since);
	PGresult *r;
	int rc = pg_run(st, "SELECT count(*) FROM mail WHERE lower(to_addr) = lower($1) AND created_at >= $2", &a, &r,
			NULL, "count mail to an address", ei);
	if (rc)
		return rc;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return WY_OK;
}

int pg_mail_prune(wy_store *st, int64_t now, int64_t keep, int64_t *mails, int64_t *links, wy_errinfo *ei)
{
	int64_t v[1] = {now - keep};
	int nm = 0, nl = 0;
	int rc = pg_exec_ints(st,
			      "DELETE FROM mail WHERE state IN ('sent', 'failed') AND coalesce(sent_at, created_at) < $1", v,
			      1, &nm, "prune sent mail", ei);
	if (!rc)
		rc = pg_exec_ints(st, "DELETE FROM mail_tokens WHERE expires_at < $1 OR used_at < $1", v, 1, &nl,
				  "prune used links", ei);
	if (mails)
		*mails = rc ? 0 : nm;
	if (links)
		*links = rc ? 0 : nl;
	return rc;
}

/* ---- addresses ---- */

int pg_user_email(wy_store *st, int64_t user_id, char **email, int64_t *verified_at, wy_errinfo *ei)
{
	*email = NULL;
	*verified_at = 0;
	pg_args a = {0};
	pg_arg_int(&a, user_id);
	PGresult *r;
	int rc = pg_run(st, "SELECT email, coalesce(email_verified_at, 0) FROM users WHERE id = $1", &a, &r, NULL,
			"read an address", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		*email = pg_str(r, 0, 0);
		*verified_at = pg_int(r, 0, 1);
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	}
	PQclear(r);
	return rc;
}

/* An account other than user_id (0: any) has email verified. */
static int email_taken(wy_store *st, const char *email, int64_t user_id, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, email);
	pg_arg_int(&a, user_id);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT 1 FROM users WHERE lower(email) = lower($1) AND email_verified_at IS NOT NULL AND id <> $2",
			&a, &r, NULL, "read an address", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		rc = wy_err_set(ei, WY_EEXIST, "the address is another account's");
	PQclear(r);
	return rc;
}

int pg_user_email_free(wy_store *st, const char *email, wy_errinfo *ei) { return email_taken(st, email, 0, ei); }

int pg_user_email_set(wy_store *st, int64_t user_id, const char *email, wy_errinfo *ei)
{
	if (email && !wy_mail_addr_valid(email))
		return wy_err_set(ei, WY_EINVAL, "not an email address");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	/* another account's verified address is refused (checked under the
	 * writers' lock: the write below then meets no unique index) */
	if (email && (rc = email_taken(st, email, user_id, ei)))
		return pg_end(st, rc, ei);
	pg_args a = {0};
	pg_arg_int(&a, user_id);
	pg_arg_text(&a, email);
	int changed = 0;
	/* the same address (without case) keeps its verification */
	if ((rc = pg_run(st,
			 "UPDATE users SET email = $2, email_verified_at = NULL WHERE id = $1"
			 " AND lower(email) IS DISTINCT FROM lower($2::text)",
			 &a, NULL, &changed, "set an address", ei)))
		return pg_end(st, rc, ei);
	int64_t v[2] = {user_id, wy_now()};
	if (!changed) {
		bool found;
		int64_t one;
		rc = pg_row_ints(st, "SELECT 1 FROM users WHERE id = $1", v, 1, &one, 1, &found, "read a user", ei);
		if (!rc && !found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	}
	/* links mailed to the address before are for it alone: used up */
	if (!rc && changed)
		rc = pg_exec_ints(st, "UPDATE mail_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", v, 2,
				  NULL, "end links", ei);
	return pg_end(st, rc, ei);
}

int pg_user_find_login(wy_store *st, const char *who, int64_t *user_id, char **email, int64_t *verified_at,
		       wy_errinfo *ei)
{
	*user_id = 0;
	*email = NULL;
	*verified_at = 0;
	bool by_email = who && strchr(who, '@');
	pg_args a = {0};
	pg_arg_text(&a, who);
	PGresult *r;
	int rc = pg_run(st,
			by_email ? "SELECT id, email, email_verified_at FROM users WHERE lower(email) = lower($1)"
				   " AND email_verified_at IS NOT NULL AND banned = 0"
				 : "SELECT id, email, coalesce(email_verified_at, 0) FROM users WHERE lower(name) = lower($1)"
				   " AND banned = 0",
			&a, &r, NULL, "find an account", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		*user_id = pg_int(r, 0, 0);
		*email = pg_str(r, 0, 1);
		*verified_at = pg_int(r, 0, 2);
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such account");
	}
	PQclear(r);
	return rc;
}

/* ---- links ---- */

int pg_mail_link_add(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t user_id,
		     const char *email, int64_t expires_at, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	pg_arg_text(&a, store_mail_link_kind_name(kind));
	pg_arg_int(&a, user_id);
	pg_arg_text(&a, email);
	pg_arg_int(&a, wy_now());
	pg_arg_int(&a, expires_at);
	return pg_run(st,
		      "INSERT INTO mail_tokens(hash, kind, user_id, email, created_at, expires_at)"
		      " VALUES($1, $2, $3, $4, $5, $6)",
		      &a, NULL, NULL, "record a link", ei);
}

/* The account a usable link of kind is for (inside the caller's
 * transaction, or alone for a check). */
static int link_user(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id,
		     wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	pg_arg_text(&a, store_mail_link_kind_name(kind));
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT t.user_id FROM mail_tokens t JOIN users u ON u.id = t.user_id"
			" WHERE t.hash = $1 AND t.kind = $2 AND t.used_at IS NULL AND t.expires_at > $3"
			" AND lower(u.email) = lower(t.email) AND u.banned = 0",
			&a, &r, NULL, "read a link", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		*user_id = pg_int(r, 0, 0);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "the link was used or has expired");
	PQclear(r);
	return rc;
}

int pg_mail_link_check(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id,
		       wy_errinfo *ei)
{
	return link_user(st, hash, kind, now, user_id, ei);
}

static int link_use(wy_store *st, const unsigned char *hash, int64_t now, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_bytes(&a, hash, WY_TOKEN_HASH);
	pg_arg_int(&a, now);
	return pg_run(st, "UPDATE mail_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL", &a, NULL, NULL,
		      "use a link", ei);
}

int pg_mail_link_verify(wy_store *st, const unsigned char *hash, int64_t now, int64_t *user_id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	rc = link_user(st, hash, WY_MAIL_VERIFY, now, user_id, ei);
	/* another account verified the address since the link was sent */
	if (!rc) {
		int64_t v[1] = {*user_id}, one;
		bool taken = false;
		rc = pg_row_ints(st,
				 "SELECT 1 FROM users o JOIN users me ON me.id = $1 WHERE lower(o.email) = lower(me.email)"
				 " AND o.id <> me.id AND o.email_verified_at IS NOT NULL",
				 v, 1, &one, 1, &taken, "read an address", ei);
		if (!rc && taken)
			rc = wy_err_set(ei, WY_EEXIST, "another account has verified the address");
	}
	if (!rc)
		rc = link_use(st, hash, now, ei);
	if (!rc) {
		int64_t v[2] = {*user_id, now};
		rc = pg_exec_ints(st, "UPDATE users SET email_verified_at = $2 WHERE id = $1", v, 2, NULL,
				  "verify an address", ei);
	}
	return pg_end(st, rc, ei);
}

int pg_mail_link_reset(wy_store *st, const unsigned char *hash, int64_t now, const char *pass_hash,
		       const unsigned char *keep, int64_t *user_id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	rc = link_user(st, hash, WY_MAIL_RESET, now, user_id, ei);
	if (!rc) {
		pg_args a = {0};
		pg_arg_int(&a, *user_id);
		pg_arg_text(&a, pass_hash);
		rc = pg_run(st, "UPDATE users SET pass = $2 WHERE id = $1", &a, NULL, NULL, "set a password", ei);
	}
	/* this link and every other reset link of the account: used */
	int64_t v[2] = {*user_id, now};
	if (!rc)
		rc = pg_exec_ints(st,
				  "UPDATE mail_tokens SET used_at = $2 WHERE user_id = $1 AND kind = 'reset' AND used_at IS NULL",
				  v, 2, NULL, "use a link", ei);
	if (!rc) {
		pg_args a = {0};
		pg_arg_int(&a, *user_id);
		if (keep)
			pg_arg_bytes(&a, keep, WY_TOKEN_HASH);
		else
			pg_arg_text(&a, NULL);
		rc = pg_run(st, "DELETE FROM sessions WHERE user_id = $1 AND hash IS DISTINCT FROM $2::bytea", &a, NULL,
			    NULL, "end sessions", ei);
	}
	return pg_end(st, rc, ei);
}

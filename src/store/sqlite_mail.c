/* store/sqlite_mail: accounts' email addresses, the queue of mail to send
 * and the single-use links mailed (migration 20).
 *
 * The queue is claimed row by row inside a write transaction, so any
 * number of senders (one per serve process) never send the same mail
 * twice while they live; a sender that dies holding a claim loses it when
 * its lease (next_at) runs out. What could become a header (an address, a
 * subject) is refused here when it holds a line break, whoever queues it.
 * A link is used in the transaction that does what it is for, so it works
 * once; it works only while the account's address is the one it was
 * mailed to. */
#include "store/sqlite_int.h"
#include "store/store.h"
#include "core/util.h"
#include "text/utf8.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ---- the queue (what may become a header: store_mail_check, rules.c) ---- */

int sqlite_mail_enqueue(wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei)
{
	int rc = store_mail_check(to, subject, body, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	rc = sq_prep(st, &s,
			 "INSERT INTO mail(to_addr, subject, body, state, next_at, created_at)"
			 " VALUES(?1, ?2, ?3, 'queued', unixepoch(), unixepoch())",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, to);
	sq_bind_text(s, 2, subject);
	sq_bind_text(s, 3, body);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "queue a mail");
	sq_done(st, s);
	return rc;
}

#define MAIL_COLS "id, to_addr, subject, body, state, tries, next_at, last_error, created_at, sent_at"

static void read_mail(sqlite3_stmt *s, wy_mail *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->to_addr = sq_col_str(s, 1);
	m->subject = sq_col_str(s, 2);
	m->body = sq_col_str(s, 3);
	m->state = store_mail_state_of((const char *)sqlite3_column_text(s, 4));
	m->tries = sqlite3_column_int(s, 5);
	m->next_at = sqlite3_column_int64(s, 6);
	m->last_error = sq_col_str(s, 7);
	m->created_at = sqlite3_column_int64(s, 8);
	m->sent_at = sqlite3_column_int64(s, 9);
}

int sqlite_mail_claim(wy_store *st, int64_t now, int lease, wy_mail *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "SELECT " MAIL_COLS " FROM mail WHERE state IN ('queued', 'sending') AND next_at <= ?1"
			  " ORDER BY next_at, id LIMIT 1",
			  ei)))
		return sq_end(st, rc, ei);
	sqlite3_bind_int64(s, 1, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		read_mail(s, out);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no mail due");
	else
		rc = sq_fail(SQ(st)->db, ei, "claim a mail");
	sq_done(st, s);
	if (!rc) {
		int64_t v[2] = {out->id, now + lease};
		rc = sq_exec_ints(st, "UPDATE mail SET state = 'sending', tries = tries + 1, next_at = ?2 WHERE id = ?1", v,
				  2, NULL, "claim a mail", ei);
		out->state = WY_MAIL_SENDING;
		out->tries++;
		out->next_at = now + lease;
	}
	rc = sq_end(st, rc, ei);
	if (rc)
		wy_mail_clear(out);
	return rc;
}

int sqlite_mail_sent(wy_store *st, int64_t id, int64_t now, wy_errinfo *ei)
{
	int64_t v[2] = {id, now};
	return sq_exec_ints(st, "UPDATE mail SET state = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1", v, 2,
			    NULL, "mark a mail sent", ei);
}

int sqlite_mail_retry(wy_store *st, int64_t id, const char *error, int64_t retry_at, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "UPDATE mail SET state = CASE WHEN ?3 > 0 THEN 'queued' ELSE 'failed' END,"
			 " next_at = CASE WHEN ?3 > 0 THEN ?3 ELSE next_at END, last_error = ?2 WHERE id = ?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, error ? error : "failed");
	sqlite3_bind_int64(s, 3, retry_at);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "reschedule a mail");
	sq_done(st, s);
	return rc;
}

int sqlite_mail_next(wy_store *st, int64_t *at, wy_errinfo *ei)
{
	int64_t v[1] = {0};
	*at = 0;
	return sq_row_ints(st, "SELECT coalesce(min(next_at), 0) FROM mail WHERE state IN ('queued', 'sending')", v, 0,
			   at, 1, NULL, "read the mail queue", ei);
}

int sqlite_mail_list(wy_store *st, int limit, wy_mail_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT state, count(*) FROM mail GROUP BY state", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		out->counts[store_mail_state_of((const char *)sqlite3_column_text(s, 0))] += sqlite3_column_int64(s, 1);
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count the mail queue");
	sq_done(st, s);
	if (rc || (rc = sq_prep(st, &s, "SELECT " MAIL_COLS " FROM mail ORDER BY id DESC LIMIT ?1", ei)))
		return rc;
	sqlite3_bind_int(s, 1, limit);
	int cap = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		read_mail(s, &out->items[out->n++]);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "list the mail queue");
	sq_done(st, s);
	if (rc)
		wy_mail_list_clear(out);
	return rc;
}

int sqlite_mail_count_to(wy_store *st, const char *to, int64_t since, int64_t *n, wy_errinfo *ei)
{
	*n = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT count(*) FROM mail WHERE to_addr = ?1 COLLATE NOCASE AND created_at >= ?2", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, to);
	sqlite3_bind_int64(s, 2, since);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(SQ(st)->db, ei, "count mail to an address");
	sq_done(st, s);
	return rc;
}

int sqlite_mail_prune(wy_store *st, int64_t now, int64_t keep, int64_t *mails, int64_t *links, wy_errinfo *ei)
{
	int64_t v[1] = {now - keep};
	int nm = 0, nl = 0;
	int rc = sq_exec_ints(st, "DELETE FROM mail WHERE state IN ('sent', 'failed') AND coalesce(sent_at, created_at) < ?1",
			      v, 1, &nm, "prune sent mail", ei);
	if (!rc)
		rc = sq_exec_ints(st, "DELETE FROM mail_tokens WHERE expires_at < ?1 OR used_at < ?1", v, 1, &nl,
				  "prune used links", ei);
	if (mails)
		*mails = rc ? 0 : nm;
	if (links)
		*links = rc ? 0 : nl;
	return rc;
}

/* ---- addresses ---- */

int sqlite_user_email(wy_store *st, int64_t user_id, char **email, int64_t *verified_at, wy_errinfo *ei)
{
	*email = NULL;
	*verified_at = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT email, coalesce(email_verified_at, 0) FROM users WHERE id = ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, user_id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*email = sq_col_str(s, 0);
		*verified_at = sqlite3_column_int64(s, 1);
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "read an address");
	}
	sq_done(st, s);
	return rc;
}

/* An account other than user_id (0: any) has email verified. */
static int email_taken(wy_store *st, const char *email, int64_t user_id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT 1 FROM users WHERE email = ?1 AND email_verified_at IS NOT NULL AND id <> ?2", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, email);
	sqlite3_bind_int64(s, 2, user_id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = wy_err_set(ei, WY_EEXIST, "the address is another account's");
	else if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read an address");
	sq_done(st, s);
	return rc;
}

int sqlite_user_email_free(wy_store *st, const char *email, wy_errinfo *ei) { return email_taken(st, email, 0, ei); }

int sqlite_user_email_set(wy_store *st, int64_t user_id, const char *email, wy_errinfo *ei)
{
	if (email && !wy_mail_addr_valid(email))
		return wy_err_set(ei, WY_EINVAL, "not an email address");
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	/* another account's verified address is refused; one given but not
	 * verified elsewhere is no claim on it */
	if (email && (rc = email_taken(st, email, user_id, ei)))
		return sq_end(st, rc, ei);
	sqlite3_stmt *s;
	/* the same address (without case) keeps its verification */
	if ((rc = sq_prep(st, &s,
			  "UPDATE users SET email = ?2, email_verified_at = NULL WHERE id = ?1 AND email IS NOT ?2",
			  ei)))
		return sq_end(st, rc, ei);
	sqlite3_bind_int64(s, 1, user_id);
	sq_bind_text(s, 2, email);
	int step = sqlite3_step(s);
	if (step == SQLITE_CONSTRAINT)
		rc = wy_err_set(ei, WY_EEXIST, "the address is another account's");
	else if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "set an address");
	bool changed = !rc && sqlite3_changes(SQ(st)->db) > 0;
	sq_done(st, s);
	int64_t v[1] = {user_id};
	if (!rc && !changed) {
		bool found;
		int64_t one;
		rc = sq_row_ints(st, "SELECT 1 FROM users WHERE id = ?1", v, 1, &one, 1, &found, "read a user", ei);
		if (!rc && !found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no such user");
	}
	/* links mailed to the address before are for it alone: used up */
	if (!rc && changed)
		rc = sq_exec_ints(st, "UPDATE mail_tokens SET used_at = unixepoch() WHERE user_id = ?1 AND used_at IS NULL", v,
				  1, NULL, "end links", ei);
	return sq_end(st, rc, ei);
}

int sqlite_user_find_login(wy_store *st, const char *who, int64_t *user_id, char **email, int64_t *verified_at,
			     wy_errinfo *ei)
{
	*user_id = 0;
	*email = NULL;
	*verified_at = 0;
	bool by_email = who && strchr(who, '@');
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 by_email ? "SELECT id, email, email_verified_at FROM users WHERE email = ?1 AND email_verified_at IS NOT NULL"
				    " AND NOT banned"
				  : "SELECT id, email, coalesce(email_verified_at, 0) FROM users WHERE name = ?1 AND NOT banned",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, who);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		*email = sq_col_str(s, 1);
		*verified_at = sqlite3_column_int64(s, 2);
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such account");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "find an account");
	}
	sq_done(st, s);
	return rc;
}

/* ---- links ---- */

int sqlite_mail_link_add(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t user_id, const char *email,
		      int64_t expires_at, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "INSERT INTO mail_tokens(hash, kind, user_id, email, created_at, expires_at)"
			 " VALUES(?1, ?2, ?3, ?4, unixepoch(), ?5)",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	sq_bind_text(s, 2, store_mail_link_kind_name(kind));
	sqlite3_bind_int64(s, 3, user_id);
	sq_bind_text(s, 4, email);
	sqlite3_bind_int64(s, 5, expires_at);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "record a link");
	sq_done(st, s);
	return rc;
}

/* The account a usable link of kind is for (inside the caller's
 * transaction, or alone for a check). */
static int link_user(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id,
		     wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT t.user_id FROM mail_tokens t JOIN users u ON u.id = t.user_id"
			 " WHERE t.hash = ?1 AND t.kind = ?2 AND t.used_at IS NULL AND t.expires_at > ?3"
			 " AND u.email = t.email AND NOT u.banned",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	sq_bind_text(s, 2, store_mail_link_kind_name(kind));
	sqlite3_bind_int64(s, 3, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*user_id = sqlite3_column_int64(s, 0);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "the link was used or has expired");
	else
		rc = sq_fail(SQ(st)->db, ei, "read a link");
	sq_done(st, s);
	return rc;
}

int sqlite_mail_link_check(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id,
			wy_errinfo *ei)
{
	return link_user(st, hash, kind, now, user_id, ei);
}

static int link_use(wy_store *st, const unsigned char *hash, int64_t now, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "UPDATE mail_tokens SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL", ei);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, WY_TOKEN_HASH, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "use a link");
	sq_done(st, s);
	return rc;
}

int sqlite_mail_link_verify(wy_store *st, const unsigned char *hash, int64_t now, int64_t *user_id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	rc = link_user(st, hash, WY_MAIL_VERIFY, now, user_id, ei);
	/* another account verified the address since the link was sent */
	if (!rc) {
		int64_t v[1] = {*user_id}, one;
		bool taken = false;
		rc = sq_row_ints(st,
				 "SELECT 1 FROM users o JOIN users me ON me.id = ?1 WHERE o.email = me.email AND o.id <> me.id"
				 " AND o.email_verified_at IS NOT NULL",
				 v, 1, &one, 1, &taken, "read an address", ei);
		if (!rc && taken)
			rc = wy_err_set(ei, WY_EEXIST, "another account has verified the address");
	}
	if (!rc)
		rc = link_use(st, hash, now, ei);
	if (!rc) {
		int64_t v[2] = {*user_id, now};
		rc = sq_exec_ints(st, "UPDATE users SET email_verified_at = ?2 WHERE id = ?1", v, 2, NULL,
				  "verify an address", ei);
	}
	return sq_end(st, rc, ei);
}

int sqlite_mail_link_reset(wy_store *st, const unsigned char *hash, int64_t now, const char *pass_hash,
			const unsigned char *keep, int64_t *user_id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	rc = link_user(st, hash, WY_MAIL_RESET, now, user_id, ei);
	sqlite3_stmt *s;
	if (!rc && !(rc = sq_prep(st, &s, "UPDATE users SET pass = ?2 WHERE id = ?1", ei))) {
		sqlite3_bind_int64(s, 1, *user_id);
		sq_bind_text(s, 2, pass_hash);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "set a password");
		sq_done(st, s);
	}
	/* this link and every other reset link of the account: used */
	int64_t v[2] = {*user_id, now};
	if (!rc)
		rc = sq_exec_ints(st,
				  "UPDATE mail_tokens SET used_at = ?2 WHERE user_id = ?1 AND kind = 'reset' AND used_at IS NULL",
				  v, 2, NULL, "use a link", ei);
	if (!rc && !(rc = sq_prep(st, &s, "DELETE FROM sessions WHERE user_id = ?1 AND hash IS NOT ?2", ei))) {
		sqlite3_bind_int64(s, 1, *user_id);
		if (keep)
			sqlite3_bind_blob(s, 2, keep, WY_TOKEN_HASH, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "end sessions");
		sq_done(st, s);
	}
	return sq_end(st, rc, ei);
}

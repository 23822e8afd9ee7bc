/* store/pg_comments: readers' ratings and comments on PostgreSQL, as
 * sqlite_comments.c keeps them on SQLite.
 *
 * Every statement names its document's access rule through store/rules.h's
 * SQ_SEEN_BY (plus the admin's flag), never a rule of its own: who may not
 * see a document reads, counts, posts and rates nothing of it. A rating
 * changes the document's rating_sum and rating_n in its own transaction;
 * the hourly limit on comments is counted in the transaction that adds
 * one, under the writers' lock, so every process of a site shares it. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Documents d that viewer $1 (admin $2) may see; one they may write on
 * is not in the recycle bin either. */
#define SEES_DOC "(" SQ_SEEN_BY("$1") " OR $2::boolean)"
#define WRITES_DOC "(" SEES_DOC " AND d.state < " SQ_DELETED ")"
/* Comments c that viewer $1 (admin $2) may see, on a document they may
 * see: published, their own held for review, or any for an admin. */
#define SEES_COMMENT "(c.state = 0 OR (c.state = 1 AND c.user_id = $1) OR $2::boolean)"
/* Whether user may report a document (comment_id 0) or a comment now:
 * WY_EEXIST with *id their open report of it, WY_ETOOBIG past the hourly
 * limit; inside the caller's transaction (pg_users.c, as sq_report_gate
 * on SQLite; declared in pg_int.h there). */
int pg_report_gate(wy_store *st, int64_t user, int64_t doc_id, int64_t comment_id, int64_t *id, wy_errinfo *ei);

_Static_assert(WY_COMMENT_PUBLISHED == 0 && WY_COMMENT_PENDING == 1, "SEES_COMMENT follows store.h");

/* ---- ratings ---- */

int pg_rating_set(wy_store *st, int64_t user, bool admin, int64_t doc_id, int stars, double *avg, int64_t *n,
		  wy_errinfo *ei)
{
	if (stars < 1 || stars > 5)
		return wy_err_set(ei, WY_EINVAL, "stars are 1 to 5");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {user, admin, doc_id}, row[2] = {0};
	bool found;
	rc = pg_row_ints(st, "SELECT d.owner_id = $1 FROM documents d WHERE d.id = $3 AND " WRITES_DOC, v, 3, row, 1,
			 &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	else if (!rc && row[0])
		rc = wy_err_set(ei, WY_EPERM, "an uploader does not rate their own document");
	int64_t old = 0, k[2] = {user, doc_id};
	if (!rc)
		rc = pg_row_ints(st, "SELECT stars FROM ratings WHERE user_id = $1 AND doc_id = $2", k, 2, &old, 1,
				 NULL, "read comments", ei);
	if (!rc)
		rc = pg_exec_ints(st,
				  "INSERT INTO ratings(doc_id, user_id, stars, at) VALUES($1, $2, $3, $4)"
				  " ON CONFLICT(doc_id, user_id) DO UPDATE SET stars = excluded.stars, at = excluded.at",
				  (int64_t[4]){doc_id, user, stars, wy_now()}, 4, NULL, "rate", ei);
	if (!rc)
		rc = pg_exec_ints(st,
				  "UPDATE documents SET rating_sum = rating_sum + $2, rating_n = rating_n + $3 WHERE id = $1",
				  (int64_t[3]){doc_id, stars - old, old ? 0 : 1}, 3, NULL, "rate", ei);
	if (!rc)
		rc = pg_row_ints(st, "SELECT rating_sum, rating_n FROM documents WHERE id = $1", &doc_id, 1, row, 2, NULL,
				 "read comments", ei);
	if ((rc = pg_end(st, rc, ei)))
		return rc;
	*n = row[1];
	*avg = row[1] > 0 ? (double)row[0] / (double)row[1] : 0;
	return WY_OK;
}

int pg_rating_get(wy_store *st, int64_t user, int64_t doc_id, int *stars, wy_errinfo *ei)
{
	int64_t v[2] = {user, doc_id}, s = 0;
	int rc = pg_row_ints(st, "SELECT stars FROM ratings WHERE user_id = $1 AND doc_id = $2", v, 2, &s, 1, NULL,
			     "read comments", ei);
	*stars = rc ? 0 : (int)s;
	return rc;
}

/* ---- comments ---- */

#define COMMENT_COLUMNS                                                                                       \
	"c.id, c.doc_id, c.user_id, coalesce(c.parent_id, 0), c.created_at, u.name, c.text, c.state,"         \
	" c.user_id = d.owner_id"
#define COMMENT_FROM " FROM comments c JOIN documents d ON d.id = c.doc_id LEFT JOIN users u ON u.id = c.user_id"

static void read_comment(const PGresult *r, int row, wy_comment *c)
{
	memset(c, 0, sizeof *c);
	c->id = pg_int(r, row, 0);
	c->doc_id = pg_int(r, row, 1);
	c->user_id = pg_int(r, row, 2);
	c->parent_id = pg_int(r, row, 3);
	c->at = pg_int(r, row, 4);
	c->user_name = pg_str(r, row, 5);
	c->text = pg_str(r, row, 6);
	c->state = (int)pg_int(r, row, 7);
	c->by_uploader = pg_int(r, row, 8) != 0;
}

/* A setting's integer as SQLite's CAST(value AS INTEGER) reads it: its
 * leading digits, 0 when none; never an error (a failed cast would abort
 * the transaction). */
#define SETTING_INT(name)                                                                                     \
	"(SELECT coalesce(substring(value FROM '^\\s*([-+]?[0-9]{1,18})')::bigint, 0) FROM settings"           \
	" WHERE name = '" name "')"

int pg_comment_add(wy_store *st, int64_t user, bool admin, int64_t doc_id, int64_t parent, const char *text,
		   const wy_comment_rule *rule, int64_t *id, int *state, wy_errinfo *ei)
{
	if (!text || !*text)
		return wy_err_set(ei, WY_EINVAL, "an empty comment");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[4] = {user, admin, doc_id, parent}, row[2] = {0};
	bool found;
	rc = pg_row_ints(st, "SELECT 1 FROM documents d WHERE d.id = $3 AND " WRITES_DOC, v, 3, row, 1, &found,
			 "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	/* a reply to a reply joins its top comment's thread */
	if (!rc && parent) {
		rc = pg_row_ints(st,
				 "SELECT coalesce(c.parent_id, c.id) FROM comments c WHERE c.id = $4 AND c.doc_id = $3"
				 " AND " SEES_COMMENT,
				 v, 4, row, 1, &found, "read comments", ei);
		if (!rc && !found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld on document %lld", (long long)parent,
					(long long)doc_id);
		v[3] = row[0];
	}
	/* the site's rule as an admin saved it, else this process's */
	if (!rc)
		rc = pg_row_ints(st,
				 "SELECT coalesce(" SETTING_INT("comments_per_hour") ", $1::bigint),"
				 " coalesce(" SETTING_INT("comment_review") ", $2::bigint)",
				 (int64_t[2]){rule->per_hour, rule->review}, 2, row, 2, NULL, "read comments", ei);
	int64_t per_hour = row[0], review = row[1], now = wy_now();
	if (!rc && per_hour > 0) {
		int64_t made;
		rc = pg_row_ints(st, "SELECT count(*) FROM comments WHERE user_id = $1 AND created_at > $2",
				 (int64_t[2]){user, now - 3600}, 2, &made, 1, NULL, "read comments", ei);
		if (!rc && made >= per_hour)
			rc = wy_err_set(ei, WY_ETOOBIG, "at most %lld comments an hour", (long long)per_hour);
	}
	int st_new = review && !admin ? WY_COMMENT_PENDING : WY_COMMENT_PUBLISHED;
	if (!rc) {
		pg_args a = {0};
		pg_arg_int(&a, doc_id);
		pg_arg_int(&a, user);
		if (v[3])
			pg_arg_int(&a, v[3]);
		else
			pg_arg_text(&a, NULL); /* a top comment */
		pg_arg_text(&a, text);
		pg_arg_int(&a, st_new);
		pg_arg_int(&a, now);
		PGresult *r;
		if (!(rc = pg_run(st,
				  "INSERT INTO comments(doc_id, user_id, parent_id, text, state, created_at)"
				  " VALUES($1, $2, $3, $4, $5, $6) RETURNING id",
				  &a, &r, NULL, "add a comment", ei))) {
			*id = pg_int(r, 0, 0);
			PQclear(r);
		}
	}
	if ((rc = pg_end(st, rc, ei)))
		return rc;
	*state = st_new;
	return WY_OK;
}

int pg_comment_get(wy_store *st, int64_t viewer, bool admin, int64_t id, wy_comment *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	pg_arg_ints(&a, (int64_t[3]){viewer, admin, id}, 3);
	PGresult *r;
	int rc = pg_run(st, "SELECT " COMMENT_COLUMNS COMMENT_FROM " WHERE c.id = $3 AND " SEES_DOC " AND " SEES_COMMENT,
			&a, &r, NULL, "get a comment", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		read_comment(r, 0, out);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	PQclear(r);
	return rc;
}

int pg_comment_list(wy_store *st, int64_t viewer, bool admin, int64_t doc_id, int offset, int limit,
		    wy_comment_list *out, int *total, int *all, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	/* the counts: nothing of a document the viewer may not see */
	int64_t v[3] = {viewer, admin, doc_id}, row[2];
	if ((rc = pg_row_ints(st,
			      "SELECT count(*) FILTER (WHERE c.parent_id IS NULL), count(*) FROM comments c"
			      " JOIN documents d ON d.id = c.doc_id"
			      " LEFT JOIN comments p ON p.id = c.parent_id"
			      " WHERE c.doc_id = $3 AND " SEES_DOC " AND " SEES_COMMENT
			      " AND (p.id IS NULL OR (p.state = 0 OR (p.state = 1 AND p.user_id = $1) OR $2::boolean))",
			      v, 3, row, 2, NULL, "read comments", ei)))
		goto out;
	if (total)
		*total = (int)row[0];
	if (all)
		*all = (int)row[1];
	/* a page of top comments, newest first, each with its replies,
	 * oldest first */
	pg_args a = {0};
	pg_arg_ints(&a, v, 3);
	pg_arg_int(&a, limit > 0 ? limit : 20);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	PGresult *r;
	if ((rc = pg_run(st,
			 "WITH top AS (SELECT c.id, row_number() OVER (ORDER BY c.id DESC) AS k" COMMENT_FROM
			 " WHERE c.doc_id = $3 AND c.parent_id IS NULL AND " SEES_DOC " AND " SEES_COMMENT
			 " ORDER BY c.id DESC LIMIT $4 OFFSET $5)"
			 " SELECT " COMMENT_COLUMNS COMMENT_FROM " JOIN top ON top.id = coalesce(c.parent_id, c.id)"
			 " WHERE " SEES_COMMENT " ORDER BY top.k, c.parent_id IS NOT NULL, c.id",
			 &a, &r, NULL, "list comments", ei)))
		goto out;
	int rows = PQntuples(r), cap = 0, top = -1;
	for (int k = 0; k < rows; k++) {
		/* a thread shows its first WY_COMMENT_REPLIES replies: a page's
		 * size stays bounded however many there are */
		if (pg_int(r, k, 3) && (top < 0 || out->items[top].nreplies >= WY_COMMENT_REPLIES))
			continue;
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_comment *c = &out->items[out->n];
		read_comment(r, k, c);
		if (!c->parent_id)
			top = out->n;
		else
			out->items[top].nreplies++;
		out->n++;
	}
	PQclear(r);
out:
	pg_rollback(st);
	return rc;
}

/* Close the open reports of comment $1 and of its replies. */
#define CLOSE_REPORTS                                                                                          \
	"UPDATE reports SET open = 0 WHERE open <> 0 AND comment_id IN"                                       \
	" (SELECT id FROM comments WHERE id = $1 OR parent_id = $1)"

int pg_comment_delete(wy_store *st, int64_t user, bool admin, int64_t id, int64_t *doc_id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {id, user, admin};
	bool found;
	/* an author deletes their own comment of a document they still see */
	rc = pg_row_ints(st,
			 "SELECT c.doc_id FROM comments c JOIN documents d ON d.id = c.doc_id"
			 " WHERE c.id = $1 AND ($3::boolean OR (c.user_id = $2 AND " SQ_SEEN_BY("$2") "))",
			 v, 3, doc_id, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	if (!rc)
		rc = pg_exec_ints(st, CLOSE_REPORTS, v, 1, NULL, "close a comment's reports", ei);
	if (!rc)
		rc = pg_exec_ints(st, "DELETE FROM comments WHERE id = $1", v, 1, NULL, "delete a comment", ei);
	return pg_end(st, rc, ei);
}

int pg_comment_set_state(wy_store *st, int64_t id, wy_comment_state state, int64_t *doc_id, wy_errinfo *ei)
{
	if ((unsigned)state > WY_COMMENT_HIDDEN)
		return wy_err_set(ei, WY_EINVAL, "no such comment state");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[2] = {id, state};
	bool found;
	rc = pg_row_ints(st, "SELECT doc_id FROM comments WHERE id = $1", v, 1, doc_id, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	if (!rc)
		rc = pg_exec_ints(st, "UPDATE comments SET state = $2 WHERE id = $1", v, 2, NULL,
				  "set a comment's state", ei);
	if (!rc && state == WY_COMMENT_HIDDEN)
		rc = pg_exec_ints(st, CLOSE_REPORTS, v, 1, NULL, "close a comment's reports", ei);
	return pg_end(st, rc, ei);
}

int pg_comment_reports_close(wy_store *st, int64_t id, wy_errinfo *ei)
{
	return pg_exec_ints(st, "UPDATE reports SET open = 0 WHERE open <> 0 AND comment_id = $1", &id, 1, NULL,
			    "close a comment's reports", ei);
}

/* A reporter's repeat of an open report of theirs adds no row: WY_EEXIST
 * with *id the report they made; past the hourly limit, WY_ETOOBIG (both
 * pg_report_gate's). One transaction under the writers' lock, so two
 * reports at once still make one row. */
int pg_comment_report(wy_store *st, int64_t user, bool admin, int64_t comment_id, const char *reason,
		      const char *detail, int64_t *id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {user, admin, comment_id}, n = 0;
	bool found;
	/* the comment as the reporter may see it, on a document they may see */
	rc = pg_row_ints(st,
			 "SELECT 1 FROM comments c JOIN documents d ON d.id = c.doc_id WHERE c.id = $3 AND " SEES_DOC
			 " AND " SEES_COMMENT,
			 v, 3, &n, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)comment_id);
	if (!rc)
		rc = pg_report_gate(st, user, 0, comment_id, id, ei);
	if (!rc) {
		pg_args a = {0};
		pg_arg_int(&a, user);
		pg_arg_text(&a, reason);
		pg_arg_text(&a, detail && *detail ? detail : NULL);
		pg_arg_int(&a, comment_id);
		pg_arg_int(&a, wy_now());
		PGresult *r;
		if (!(rc = pg_run(st,
				  "INSERT INTO reports(doc_id, user_id, reason, detail, at, comment_id)"
				  " SELECT c.doc_id, $1, $2, $3, $5, c.id FROM comments c WHERE c.id = $4 RETURNING id",
				  &a, &r, NULL, "report a comment", ei))) {
			*id = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
			PQclear(r);
		}
	}
	return pg_end(st, rc, ei);
}

int pg_comment_pending(wy_store *st, int offset, int limit, wy_comment_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	int64_t n;
	if ((rc = pg_row_ints(st, "SELECT count(*) FROM comments WHERE state = 1", NULL, 0, &n, 1, NULL,
			      "read comments", ei)))
		goto out;
	if (total)
		*total = (int)n;
	pg_args a = {0};
	pg_arg_int(&a, limit > 0 ? limit : 50);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT " COMMENT_COLUMNS COMMENT_FROM " WHERE c.state = 1 ORDER BY c.id LIMIT $1 OFFSET $2",
			 &a, &r, NULL, "list pending comments", ei)))
		goto out;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		read_comment(r, k, &out->items[out->n++]);
	}
	PQclear(r);
out:
	pg_rollback(st);
	return rc;
}

/* store/sqlite_comments: readers' ratings and comments (migration 14).
 *
 * Every statement names its document's access rule through store/rules.h's
 * SQ_SEEN_BY (plus the admin's flag), never a rule of its own: who may not
 * see a document reads, counts, posts and rates nothing of it. A rating
 * changes the document's rating_sum and rating_n in its own transaction,
 * so the average a listing reads off the row is always the ratings' own.
 * The hourly limit on comments is counted here, in the transaction that
 * adds one, so every process of a site shares it. */
#include "store/sqlite_int.h"
#include "store/store.h"
#include "core/util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Documents d that viewer ?1 (admin ?2) may see; one they may write on
 * is not in the recycle bin either. */
#define SEES_DOC "(" SQ_SEEN_BY("?1") " OR ?2)"
#define WRITES_DOC "(" SEES_DOC " AND d.state < " SQ_DELETED ")"
/* Comments c that viewer ?1 (admin ?2) may see, on a document they may
 * see: published, their own held for review, or any for an admin. */
#define SEES_COMMENT "(c.state = 0 OR (c.state = 1 AND c.user_id = ?1) OR ?2)"
_Static_assert(WY_COMMENT_PUBLISHED == 0 && WY_COMMENT_PENDING == 1, "SEES_COMMENT follows store.h");

/* ---- ratings ---- */

int sqlite_rating_set(wy_store *st, int64_t user, bool admin, int64_t doc_id, int stars, double *avg, int64_t *n,
			wy_errinfo *ei)
{
	if (stars < 1 || stars > 5)
		return wy_err_set(ei, WY_EINVAL, "stars are 1 to 5");
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[4] = {user, admin, doc_id, stars}, row[2] = {0};
	bool found;
	rc = sq_row_ints(st, "SELECT d.owner_id = ?1 FROM documents d WHERE d.id = ?3 AND " WRITES_DOC, v, 3, row, 1,
	                 &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	else if (!rc && row[0])
		rc = wy_err_set(ei, WY_EPERM, "an uploader does not rate their own document");
	int64_t old = 0;
	if (!rc)
		rc = sq_row_ints(st, "SELECT stars FROM ratings WHERE user_id = ?1 AND doc_id = ?3", v, 3, &old, 1,
		                 NULL, "read comments", ei);
	if (!rc)
		rc =
		    sq_exec_ints(st,
		                 "INSERT INTO ratings(doc_id, user_id, stars, at) VALUES(?3, ?1, ?4, unixepoch())"
		                 " ON CONFLICT(doc_id, user_id) DO UPDATE SET stars = excluded.stars, at = excluded.at",
		                 v, 4, NULL, "rate", ei);
	if (!rc) {
		int64_t w[3] = {doc_id, stars - old, old ? 0 : 1};
		rc = sq_exec_ints(
		    st, "UPDATE documents SET rating_sum = rating_sum + ?2, rating_n = rating_n + ?3 WHERE id = ?1", w,
		    3, NULL, "rate", ei);
	}
	if (!rc)
		rc = sq_row_ints(st, "SELECT rating_sum, rating_n FROM documents WHERE id = ?3", v, 3, row, 2, NULL,
		                 "read comments", ei);
	if ((rc = sq_end(st, rc, ei)))
		return rc;
	*n = row[1];
	*avg = row[1] > 0 ? (double)row[0] / (double)row[1] : 0;
	return WY_OK;
}

int sqlite_rating_get(wy_store *st, int64_t user, int64_t doc_id, int *stars, wy_errinfo *ei)
{
	int64_t v[2] = {user, doc_id}, s = 0;
	int rc = sq_row_ints(st, "SELECT stars FROM ratings WHERE user_id = ?1 AND doc_id = ?2", v, 2, &s, 1, NULL,
	                     "read comments", ei);
	*stars = rc ? 0 : (int)s;
	return rc;
}

/* ---- comments ---- */

#define COMMENT_COLUMNS                                                                                       \
	"c.id, c.doc_id, c.user_id, coalesce(c.parent_id, 0), c.created_at, u.name, c.text, c.state,"         \
	" c.user_id = d.owner_id"
#define COMMENT_FROM                                                                                          \
	" FROM comments c JOIN documents d ON d.id = c.doc_id LEFT JOIN users u ON u.id = c.user_id"

static void read_comment(sqlite3_stmt *s, wy_comment *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	c->doc_id = sqlite3_column_int64(s, 1);
	c->user_id = sqlite3_column_int64(s, 2);
	c->parent_id = sqlite3_column_int64(s, 3);
	c->at = sqlite3_column_int64(s, 4);
	c->user_name = sq_col_str(s, 5);
	c->text = sq_col_str(s, 6);
	c->state = sqlite3_column_int(s, 7);
	c->by_uploader = sqlite3_column_int(s, 8) != 0;
}

int sqlite_comment_add(wy_store *st, int64_t user, bool admin, int64_t doc_id, int64_t parent, const char *text,
			 const wy_comment_rule *rule, int64_t *id, int *state, wy_errinfo *ei)
{
	if (!text || !*text)
		return wy_err_set(ei, WY_EINVAL, "an empty comment");
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[6] = {user, admin, doc_id, parent, rule->per_hour, rule->review}, row[2] = {0};
	bool found;
	rc = sq_row_ints(st, "SELECT 1 FROM documents d WHERE d.id = ?3 AND " WRITES_DOC, v, 3, row, 1, &found,
	                 "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	/* a reply to a reply joins its top comment's thread */
	if (!rc && parent) {
		rc = sq_row_ints(st,
		                 "SELECT coalesce(c.parent_id, c.id) FROM comments c WHERE c.id = ?4 AND c.doc_id = ?3 "
		                 "AND " SEES_COMMENT,
		                 v, 4, row, 1, &found, "read comments", ei);
		if (!rc && !found)
			rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld on document %lld", (long long)parent,
					(long long)doc_id);
		v[3] = row[0];
	}
	/* the site's rule as an admin saved it, else this process's */
	if (!rc)
		rc = sq_row_ints(
		    st,
		    "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE name = 'comments_per_hour'), "
		    "?5),"
		    " coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE name = 'comment_review'), ?6)",
		    v, 6, row, 2, NULL, "read comments", ei);
	int64_t per_hour = row[0], review = row[1];
	if (!rc && per_hour > 0) {
		int64_t made;
		rc = sq_row_ints(st,
		                 "SELECT count(*) FROM comments WHERE user_id = ?1 AND created_at > unixepoch() - 3600",
		                 v, 1, &made, 1, NULL, "read comments", ei);
		if (!rc && made >= per_hour)
			rc = wy_err_set(ei, WY_ETOOBIG, "at most %lld comments an hour", (long long)per_hour);
	}
	int st_new = review && !admin ? WY_COMMENT_PENDING : WY_COMMENT_PUBLISHED;
	if (!rc) {
		sqlite3_stmt *s;
		if (!(rc = sq_prep(st, &s,
				   "INSERT INTO comments(doc_id, user_id, parent_id, text, state, created_at)"
				   " VALUES(?1, ?2, ?3, ?4, ?5, unixepoch())",
				   ei))) {
			sqlite3_bind_int64(s, 1, doc_id);
			sqlite3_bind_int64(s, 2, user);
			if (v[3])
				sqlite3_bind_int64(s, 3, v[3]);
			sq_bind_text(s, 4, text);
			sqlite3_bind_int(s, 5, st_new);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = sq_fail(SQ(st)->db, ei, "add a comment");
			else
				*id = sqlite3_last_insert_rowid(SQ(st)->db);
			sq_done(st, s);
		}
	}
	if ((rc = sq_end(st, rc, ei)))
		return rc;
	*state = st_new;
	return WY_OK;
}

int sqlite_comment_get(wy_store *st, int64_t viewer, bool admin, int64_t id, wy_comment *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT " COMMENT_COLUMNS COMMENT_FROM " WHERE c.id = ?3 AND " SEES_DOC " AND " SEES_COMMENT,
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, viewer);
	sqlite3_bind_int(s, 2, admin);
	sqlite3_bind_int64(s, 3, id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		read_comment(s, out);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	else
		rc = sq_fail(SQ(st)->db, ei, "get a comment");
	sq_done(st, s);
	return rc;
}

int sqlite_comment_list(wy_store *st, int64_t viewer, bool admin, int64_t doc_id, int offset, int limit,
			  wy_comment_list *out, int *total, int *all, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	/* the counts: nothing of a document the viewer may not see */
	int64_t v[3] = {viewer, admin, doc_id}, row[2];
	int rc = sq_row_ints(st,
	                     "SELECT count(*) FILTER (WHERE c.parent_id IS NULL), count(*) FROM comments c"
	                     " JOIN documents d ON d.id = c.doc_id"
	                     " LEFT JOIN comments p ON p.id = c.parent_id"
	                     " WHERE c.doc_id = ?3 AND " SEES_DOC " AND " SEES_COMMENT
	                     " AND (p.id IS NULL OR (p.state = 0 OR (p.state = 1 AND p.user_id = ?1) OR ?2))",
	                     v, 3, row, 2, NULL, "read comments", ei);
	if (rc)
		return rc;
	if (total)
		*total = (int)row[0];
	if (all)
		*all = (int)row[1];
	/* a page of top comments, newest first, each with its replies,
	 * oldest first */
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "WITH top AS (SELECT c.id, row_number() OVER (ORDER BY c.id DESC) AS k" COMMENT_FROM
			  " WHERE c.doc_id = ?3 AND c.parent_id IS NULL AND " SEES_DOC " AND " SEES_COMMENT
			  " ORDER BY c.id DESC LIMIT ?4 OFFSET ?5)"
			  " SELECT " COMMENT_COLUMNS COMMENT_FROM " JOIN top ON top.id = coalesce(c.parent_id, c.id)"
			  " WHERE " SEES_COMMENT " ORDER BY top.k, c.parent_id IS NOT NULL, c.id",
			  ei)))
		return rc;
	sqlite3_bind_int64(s, 1, viewer);
	sqlite3_bind_int(s, 2, admin);
	sqlite3_bind_int64(s, 3, doc_id);
	sqlite3_bind_int(s, 4, limit > 0 ? limit : 20);
	sqlite3_bind_int(s, 5, offset > 0 ? offset : 0);
	int cap = 0, step, top = -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		/* a thread shows its first WY_COMMENT_REPLIES replies: a page's
		 * size stays bounded however many there are */
		if (sqlite3_column_int64(s, 3) && (top < 0 || out->items[top].nreplies >= WY_COMMENT_REPLIES))
			continue;
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_comment *c = &out->items[out->n];
		read_comment(s, c);
		if (!c->parent_id)
			top = out->n;
		else
			out->items[top].nreplies++;
		out->n++;
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list comments");
		wy_comment_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

/* Close the open reports of comment ?1 and of its replies. */
#define CLOSE_REPORTS                                                                                          \
	"UPDATE reports SET open = 0 WHERE open AND comment_id IN"                                            \
	" (SELECT id FROM comments WHERE id = ?1 OR parent_id = ?1)"

int sqlite_comment_delete(wy_store *st, int64_t user, bool admin, int64_t id, int64_t *doc_id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {id, user, admin};
	bool found;
	/* an author deletes their own comment of a document they still see */
	rc = sq_row_ints(st,
	                 "SELECT c.doc_id FROM comments c JOIN documents d ON d.id = c.doc_id"
	                 " WHERE c.id = ?1 AND (?3 OR (c.user_id = ?2 AND " SQ_SEEN_BY("?2") "))",
	                 v, 3, doc_id, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	if (!rc)
		rc = sq_exec_ints(st, CLOSE_REPORTS, v, 1, NULL, "close a comment's reports", ei);
	if (!rc)
		rc = sq_exec_ints(st, "DELETE FROM comments WHERE id = ?1", v, 1, NULL, "delete a comment", ei);
	return sq_end(st, rc, ei);
}

int sqlite_comment_set_state(wy_store *st, int64_t id, wy_comment_state state, int64_t *doc_id, wy_errinfo *ei)
{
	if ((unsigned)state > WY_COMMENT_HIDDEN)
		return wy_err_set(ei, WY_EINVAL, "no such comment state");
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[2] = {id, state};
	bool found;
	rc = sq_row_ints(st, "SELECT doc_id FROM comments WHERE id = ?1", v, 1, doc_id, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)id);
	if (!rc)
		rc = sq_exec_ints(st, "UPDATE comments SET state = ?2 WHERE id = ?1", v, 2, NULL,
		                  "set a comment's state", ei);
	if (!rc && state == WY_COMMENT_HIDDEN)
		rc = sq_exec_ints(st, CLOSE_REPORTS, v, 1, NULL, "close a comment's reports", ei);
	return sq_end(st, rc, ei);
}

int sqlite_comment_reports_close(wy_store *st, int64_t id, wy_errinfo *ei)
{
	return sq_exec_ints(st, "UPDATE reports SET open = 0 WHERE open AND comment_id = ?1", &id, 1, NULL,
	                    "close a comment's reports", ei);
}

/* A reporter's repeat of an open report of theirs adds no row: WY_EEXIST
 * with *id the report they made; past the hourly limit, WY_ETOOBIG (both
 * sq_report_gate's). One transaction, so two reports at once still make
 * one row. */
int sqlite_comment_report(wy_store *st, int64_t user, bool admin, int64_t comment_id, const char *reason,
			    const char *detail, int64_t *id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[3] = {user, admin, comment_id}, n = 0;
	bool found;
	/* the comment as the reporter may see it, on a document they may see */
	rc = sq_row_ints(st,
			 "SELECT 1 FROM comments c JOIN documents d ON d.id = c.doc_id WHERE c.id = ?3 AND " SEES_DOC
			 " AND " SEES_COMMENT,
			 v, 3, &n, 1, &found, "read comments", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no comment %lld", (long long)comment_id);
	if (!rc)
		rc = sq_report_gate(st, user, 0, comment_id, id, ei);
	if (!rc) {
		sqlite3_stmt *s;
		if (!(rc = sq_prep(st, &s,
				   "INSERT INTO reports(doc_id, user_id, reason, detail, at, comment_id)"
				   " SELECT c.doc_id, ?1, ?2, ?3, unixepoch(), c.id FROM comments c WHERE c.id = ?4",
				   ei))) {
			sqlite3_bind_int64(s, 1, user);
			sq_bind_text(s, 2, reason);
			sq_bind_text(s, 3, detail && *detail ? detail : NULL);
			sqlite3_bind_int64(s, 4, comment_id);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = sq_fail(SQ(st)->db, ei, "report a comment");
			else
				*id = sqlite3_last_insert_rowid(SQ(st)->db);
			sq_done(st, s);
		}
	}
	return sq_end(st, rc, ei);
}

int sqlite_comment_pending(wy_store *st, int offset, int limit, wy_comment_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t n;
	int rc =
	    sq_row_ints(st, "SELECT count(*) FROM comments WHERE state = 1", NULL, 0, &n, 1, NULL, "read comments", ei);
	if (rc)
		return rc;
	if (total)
		*total = (int)n;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT " COMMENT_COLUMNS COMMENT_FROM " WHERE c.state = 1 ORDER BY c.id LIMIT ?1 OFFSET ?2",
			  ei)))
		return rc;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : 50);
	sqlite3_bind_int(s, 2, offset > 0 ? offset : 0);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		read_comment(s, &out->items[out->n++]);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list pending comments");
		wy_comment_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

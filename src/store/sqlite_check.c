/* store/sqlite_check: sqlite_check for the SQLite backend (`wenyuan
 * fsck`). Read-only except FTS5's integrity-check, which writes nothing
 * when the index is sound. */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run sql; every row's first column (text) is a problem, unless it says ok. */
static int problems(wy_store *st, const char *sql, const char *prefix, void (*cb)(void *, const char *), void *ctx,
		    int *n, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(SQ(st)->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sq_fail(SQ(st)->db, ei, "check");
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (!t || strcmp(t, "ok") == 0)
			continue;
		char *msg = wy_xasprintf("%s%s", prefix, t);
		cb(ctx, msg);
		free(msg);
		(*n)++;
	}
	int rc = WY_OK;
	if (step != SQLITE_DONE) {
		/* a corrupt database answers the check itself with an error */
		char *msg = wy_xasprintf("%s%s", prefix, sqlite3_errmsg(SQ(st)->db));
		cb(ctx, msg);
		free(msg);
		(*n)++;
	}
	sqlite3_finalize(s);
	return rc;
}

int sqlite_check(wy_store *st, void (*cb)(void *ctx, const char *problem), void *ctx, wy_errinfo *ei)
{
	int n = 0, rc;
	static const struct {
		const char *prefix, *sql;
	} checks[] = {
		{"database: ", "PRAGMA integrity_check"},
		{"database: ", "PRAGMA foreign_key_check"},
		{"", "SELECT 'document ' || d.id || ' is ' || CASE d.status WHEN 2 THEN 'ready' ELSE 'readable' END ||"
		     " ' with ' || d.pages || ' pages but ' || count(p.page_no) ||"
		     " ' are stored' FROM documents d LEFT JOIN pages p ON p.doc_id = d.id WHERE d.status IN (2, 4)"
		     " GROUP BY d.id HAVING count(p.page_no) != d.pages OR max(p.page_no) != d.pages"},
		{"", "SELECT 'document ' || doc_id || ' page ' || page_no || ': character boxes are ' || length(boxes) ||"
		     " ' bytes, not whole boxes' FROM pages WHERE boxes IS NOT NULL AND length(boxes) % 8 != 0"},
		{"", "SELECT 'document ' || d.id || ' is ' || CASE d.status WHEN 0 THEN 'queued' WHEN 1 THEN 'converting'"
		     " ELSE 'readable' END || ' but has no job to do it' FROM documents d WHERE d.status IN (0, 1, 4) AND NOT EXISTS"
		     " (SELECT 1 FROM jobs j WHERE j.doc_id = d.id AND j.state IN ('queued', 'running'))"},
		{"", "SELECT 'document ' || id || ' failed without a reason' FROM documents WHERE status = 3 AND"
		     " (reason IS NULL OR reason = '')"},
		{"", "SELECT 'document ' || id || ' is ' || CASE status WHEN 2 THEN 'ready' ELSE 'readable' END ||"
		     " ' but not in the search index' FROM documents WHERE status IN (2, 4) AND NOT indexed"},
		{"", "SELECT 'document ' || id || ' has a bad status ' || status FROM documents WHERE status NOT IN (0, 1, 2, 3, 4)"},
		{"", "SELECT 'document ' || id || ': original ' || quote(sha256) || ' is not a blob name' FROM documents"
		     " WHERE length(sha256) != 64 OR sha256 GLOB '*[^0-9a-f]*'"},
		{"", "SELECT 'document ' || d.id || ' outline entry ' || (o.seq + 1) || ' leads to page ' || o.page ||"
		     " ' of ' || d.pages FROM outlines o JOIN documents d ON d.id = o.doc_id WHERE d.status = 2 AND"
		     " (o.page < 1 OR o.page > d.pages)"},
		{"", "SELECT 'document ' || d.id || ' says ' || d.rating_n || ' ratings of ' || d.rating_sum || ' stars but'"
		     " || ' its ratings are ' || coalesce(r.n, 0) || ' of ' || coalesce(r.s, 0) FROM documents d LEFT JOIN"
		     " (SELECT doc_id, count(*) AS n, sum(stars) AS s FROM ratings GROUP BY doc_id) r ON r.doc_id = d.id"
		     " WHERE d.rating_n != coalesce(r.n, 0) OR d.rating_sum != coalesce(r.s, 0)"},
		{"", "SELECT 'comment ' || c.id || ' replies to ' || c.parent_id || ', not a top comment of its document'"
		     " FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL OR p.doc_id != c.doc_id"},
		/* collections (sqlite_collections.c): the favorites' count is its
		 * rows, the positions run 1..n */
		{"", "SELECT 'collection ' || c.id || ' counts ' || c.favorites || ' favorites but has ' || count(f.user_id)"
		     " FROM collections c LEFT JOIN collection_favorites f ON f.collection_id = c.id GROUP BY c.id"
		     " HAVING count(f.user_id) != c.favorites"},
		{"", "SELECT 'collection ' || collection_id || ' has positions ' || min(position) || '..' || max(position) ||"
		     " ' for ' || count(*) || ' documents' FROM collection_items GROUP BY collection_id"
		     " HAVING min(position) != 1 OR max(position) != count(*) OR count(DISTINCT position) != count(*)"},
		{"", "SELECT 'document ' || d.id || ' holds ' || d.upload_points || ' upload points but its ledger'"
		     " || ' rows give ' || coalesce(l.n, 0) FROM documents d LEFT JOIN (SELECT doc_id, sum(delta) AS n"
		     " FROM ledger WHERE reason IN ('upload', 'upload_revoked') GROUP BY doc_id) l ON l.doc_id = d.id"
		     " WHERE d.upload_points != coalesce(l.n, 0)"},
		/* the ledger (sqlite_users.c): a purged document's upload points
		 * were taken back when it was deleted */
		{"ledger: ", "SELECT 'document ' || doc_id || ' is purged but its upload rows still give ' || sum(delta)"
			     " FROM ledger l WHERE reason IN ('upload', 'upload_revoked') AND doc_id IS NOT NULL"
			     " AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = l.doc_id) GROUP BY doc_id"
			     " HAVING sum(delta) != 0"},
		/* every reason moves points one way */
		{"ledger: ", "SELECT 'row ' || id || ': ' || reason || ' of ' || delta || ' goes the wrong way' FROM ledger"
			     " WHERE (reason IN ('download', 'reward', 'upload_revoked') AND delta >= 0)"
			     " OR (reason IN ('sale', 'rewarded', 'upload', 'register', 'signin') AND delta <= 0)"},
		/* transfers: what a paid download or a reward took from one
		 * account went to the other (a download of a document no account
		 * owns is paid to nobody: a spend, not a transfer) */
		{"ledger: ", "SELECT kind || ' of document ' || doc || ' between users ' || a || ' and ' || b ||"
			     " ' does not balance: ' || n FROM (SELECT CASE WHEN reason IN ('download', 'sale')"
			     " THEN 'a paid download' ELSE 'a reward' END AS kind, doc_id AS doc, min(user_id, other_id) AS a,"
			     " max(user_id, other_id) AS b, sum(delta) AS n FROM ledger"
			     " WHERE reason IN ('download', 'sale', 'reward', 'rewarded') AND other_id IS NOT NULL"
			     " GROUP BY kind, doc, a, b) WHERE n != 0"},
		/* one payment per reader and document */
		{"ledger: ", "SELECT 'user ' || user_id || ' paid for document ' || doc_id || ' ' || count(*) || ' times'"
			     " FROM ledger WHERE reason = 'download' GROUP BY user_id, doc_id HAVING count(*) > 1"},
		/* a balance goes below zero only when upload points are taken
		 * back (a debt); nothing else may take it there */
		{"ledger: ", "SELECT 'user ' || user_id || ' went below zero (' || bal || ') by ' || reason || ' (row ' || id"
			     " || ')' FROM (SELECT id, user_id, reason, delta, sum(delta) OVER (PARTITION BY user_id ORDER BY id)"
			     " AS bal FROM ledger) WHERE bal < 0 AND delta < 0 AND reason != 'upload_revoked'"},
	};
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
		if ((rc = problems(st, checks[i].sql, checks[i].prefix, cb, ctx, &n, ei)))
			return rc;
	/* FTS5 checks its index against itself (contentless tables: the
	 * structure and the doclists); a problem is an error of the statement */
	static const char *const fts[] = {"page_fts", "doc_fts", "title_py1", "title_ini1", "title_py", "title_ini"};
	for (size_t i = 0; i < sizeof fts / sizeof fts[0]; i++) {
		char *sql = wy_xasprintf("INSERT INTO %s(%s) VALUES('integrity-check')", fts[i], fts[i]);
		if (sqlite3_exec(SQ(st)->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			char *msg = wy_xasprintf("search index %s: %s", fts[i], sqlite3_errmsg(SQ(st)->db));
			cb(ctx, msg);
			free(msg);
			n++;
		}
		free(sql);
	}
	(void)n;
	return WY_OK;
}

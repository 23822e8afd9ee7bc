/* store/pg_check: pg_check for the PostgreSQL backend (`wenyuan fsck`),
 * the same checks of the rows as sqlite_check.c's, in PostgreSQL's
 * dialect. Read-only. SQLite's integrity_check and foreign_key_check have
 * no counterpart to run here: PostgreSQL enforces the foreign keys as it
 * writes, and its pages carry their own checksums (initdb
 * --data-checksums) that it checks as it reads them. */
#include "core/util.h"
#include "store/pg_int.h"

#include <stdlib.h>
#include <string.h>

/* Run sql; every row's first column (text) is a problem. A statement that
 * fails is a problem too (what it checks could not be read). */
static void problems(wy_store *st, const char *sql, const char *prefix, void (*cb)(void *, const char *),
		     void *ctx)
{
	PGresult *r;
	wy_errinfo ei = {0};
	int rc = pg_run(st, sql, NULL, &r, NULL, "check", &ei);
	if (rc) {
		char *msg = wy_xasprintf("%s%s", prefix, wy_err_msg(&ei, rc));
		cb(ctx, msg);
		free(msg);
		return;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		if (pg_isnull(r, i, 0))
			continue;
		char *msg = wy_xasprintf("%s%s", prefix, pg_cstr(r, i, 0));
		cb(ctx, msg);
		free(msg);
	}
	PQclear(r);
}

int pg_check(wy_store *st, void (*cb)(void *ctx, const char *problem), void *ctx, wy_errinfo *ei)
{
	static const struct {
		const char *prefix, *sql;
	} checks[] = {
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
		     " ' but not in the search index' FROM documents WHERE status IN (2, 4) AND indexed = 0"},
		{"", "SELECT 'document ' || id || ' has a bad status ' || status FROM documents WHERE status NOT IN (0, 1, 2, 3, 4)"},
		{"", "SELECT 'document ' || id || ': original ' || quote_literal(sha256) || ' is not a blob name' FROM documents"
		     " WHERE length(sha256) != 64 OR sha256 ~ '[^0-9a-f]'"},
		{"", "SELECT 'document ' || d.id || ' outline entry ' || (o.seq + 1) || ' leads to page ' || o.page ||"
		     " ' of ' || d.pages FROM outlines o JOIN documents d ON d.id = o.doc_id WHERE d.status = 2 AND"
		     " (o.page < 1 OR o.page > d.pages)"},
		{"", "SELECT 'document ' || d.id || ' says ' || d.rating_n || ' ratings of ' || d.rating_sum || ' stars but'"
		     " || ' its ratings are ' || coalesce(r.n, 0) || ' of ' || coalesce(r.s, 0) FROM documents d LEFT JOIN"
		     " (SELECT doc_id, count(*) AS n, sum(stars) AS s FROM ratings GROUP BY doc_id) r ON r.doc_id = d.id"
		     " WHERE d.rating_n != coalesce(r.n, 0) OR d.rating_sum != coalesce(r.s, 0)"},
		{"", "SELECT 'comment ' || c.id || ' replies to ' || c.parent_id || ', not a top comment of its document'"
		     " FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL OR p.doc_id != c.doc_id"},
		/* collections: the favorites' count is its rows, the positions
		 * run 1..n */
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
		/* the ledger: a purged document's upload points were taken back
		 * when it was deleted */
		{"ledger: ", "SELECT 'document ' || doc_id || ' is purged but its upload rows still give ' || sum(delta)"
			     " FROM ledger l WHERE reason IN ('upload', 'upload_revoked') AND doc_id IS NOT NULL"
			     " AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = l.doc_id) GROUP BY doc_id"
			     " HAVING sum(delta) != 0"},
		/* every reason moves points one way */
		{"ledger: ", "SELECT 'row ' || id || ': ' || reason || ' of ' || delta || ' goes the wrong way' FROM ledger"
			     " WHERE (reason IN ('download', 'reward', 'upload_revoked') AND delta >= 0)"
			     " OR (reason IN ('sale', 'rewarded', 'upload', 'register', 'signin') AND delta <= 0)"},
		/* transfers: what a paid download or a reward took from one
		 * account went to the other */
		{"ledger: ", "SELECT kind || ' of document ' || doc || ' between users ' || a || ' and ' || b ||"
			     " ' does not balance: ' || n FROM (SELECT CASE WHEN reason IN ('download', 'sale')"
			     " THEN 'a paid download' ELSE 'a reward' END AS kind, doc_id AS doc,"
			     " least(user_id, other_id) AS a, greatest(user_id, other_id) AS b, sum(delta) AS n FROM ledger"
			     " WHERE reason IN ('download', 'sale', 'reward', 'rewarded') AND other_id IS NOT NULL"
			     " GROUP BY 1, 2, 3, 4) t WHERE n != 0"},
		/* one payment per reader and document */
		{"ledger: ", "SELECT 'user ' || user_id || ' paid for document ' || doc_id || ' ' || count(*) || ' times'"
			     " FROM ledger WHERE reason = 'download' GROUP BY user_id, doc_id HAVING count(*) > 1"},
		/* a balance goes below zero only when upload points are taken
		 * back (a debt); nothing else may take it there */
		{"ledger: ", "SELECT 'user ' || user_id || ' went below zero (' || bal || ') by ' || reason || ' (row ' || id"
			     " || ')' FROM (SELECT id, user_id, reason, delta, sum(delta) OVER (PARTITION BY user_id ORDER BY id)"
			     " AS bal FROM ledger) t WHERE bal < 0 AND delta < 0 AND reason != 'upload_revoked'"},
	};
	(void)ei;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
		problems(st, checks[i].sql, checks[i].prefix, cb, ctx);
	return WY_OK;
}

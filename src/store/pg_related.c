/* store/pg_related: what sqlite_search.c does besides the index and its
 * searches, on PostgreSQL: near-duplicates by their fingerprints' bands,
 * whether a copy holds upload points already, the query log, visits, and
 * the documents read with one (related ones are ranked: pg_search.c). */
#include "core/log.h"
#include "core/util.h"
#include "store/pg_int.h"
#include "store/pg_search_int.h"
#include "store/search_int.h"
#include "text/minhash.h"
#include "text/pinyin.h"
#include "text/query.h"
#include "text/tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- near-duplicates ---- */

/* The bands' condition: (band = 0 AND hash = $first) OR ... */
static void bands_where(wy_buf *sql, pg_args *a, const unsigned char *sig)
{
	for (int b = 0; b < WY_MINHASH_BANDS; b++) {
		pg_arg_int(a, (int64_t)wy_minhash_band(sig, b));
		wy_buf_printf(sql, "%s(b.band = %d AND b.hash = $%d::bigint)", b ? " OR " : "", b, a->n);
	}
}

int pg_near_duplicate(wy_store *st, const unsigned char *sig, double threshold, int64_t exclude, int64_t *doc_id,
		      double *similarity, wy_errinfo *ei)
{
	*doc_id = 0;
	*similarity = 0;
	/* a new version is compared as the document it replaces */
	int64_t replaces = 0;
	int rc = pg_row_ints(st, "SELECT coalesce(version_of, 0) FROM documents WHERE id = $1::bigint", &exclude, 1,
			     &replaces, 1, NULL, "find near-duplicates", ei);
	if (rc)
		return rc;
	wy_buf sql;
	wy_buf_init(&sql, 0);
	pg_args a = {0};
	wy_buf_puts(&sql, "SELECT DISTINCT d.id, d.minhash FROM minhash_bands b JOIN documents d ON d.id = b.doc_id"
			  " WHERE" LISTED " AND (");
	bands_where(&sql, &a, sig);
	wy_buf_puts(&sql, ") LIMIT 200");
	PGresult *r;
	rc = pg_run(st, sql.data, &a, &r, NULL, "find near-duplicates", ei);
	wy_buf_free(&sql);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		/* the original is the older (sqlite_search.c) */
		int64_t id = pg_int(r, i, 0), orig = replaces ? replaces : exclude;
		size_t len = 0;
		unsigned char *other = pg_bytes(r, i, 1, &len);
		if (other && len == WY_MINHASH_BYTES && id != exclude && !(orig && id >= orig)) {
			double sim = wy_minhash_similarity(sig, other);
			if (sim >= threshold && sim > *similarity) {
				*similarity = sim;
				*doc_id = id;
			}
		}
		free(other);
	}
	PQclear(r);
	return WY_OK;
}

int pg_copy_holds_points(wy_store *st, int64_t doc_id, double similarity, bool *yes, wy_errinfo *ei)
{
	int64_t held = 0;
	int rc = pg_row_ints(st,
			     "SELECT count(*) FROM documents o JOIN documents d ON d.id = $1::bigint"
			     " WHERE o.sha256 = d.sha256 AND o.id != d.id AND o.upload_points > 0",
			     &doc_id, 1, &held, 1, NULL, "find copies", ei);
	*yes = held > 0;
	if (rc || *yes || similarity <= 0)
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT minhash FROM documents WHERE id = $1::bigint", &a, &r, NULL, "find copies", ei)))
		return rc;
	size_t len = 0;
	unsigned char *sig = PQntuples(r) ? pg_bytes(r, 0, 0, &len) : NULL;
	PQclear(r);
	if (!sig || len != WY_MINHASH_BYTES) {
		free(sig);
		return WY_OK;
	}
	wy_buf sql;
	wy_buf_init(&sql, 0);
	wy_buf_puts(&sql, "SELECT DISTINCT o.minhash FROM minhash_bands b JOIN documents o ON o.id = b.doc_id"
			  " WHERE o.upload_points > 0 AND o.id != $1::bigint AND (");
	bands_where(&sql, &a, sig);
	wy_buf_puts(&sql, ") LIMIT 200");
	rc = pg_run(st, sql.data, &a, &r, NULL, "find copies", ei);
	wy_buf_free(&sql);
	if (!rc) {
		for (int i = 0; i < PQntuples(r) && !*yes; i++) {
			size_t olen = 0;
			unsigned char *o = pg_bytes(r, i, 0, &olen);
			*yes = o && olen == WY_MINHASH_BYTES && wy_minhash_similarity(sig, o) >= similarity;
			free(o);
		}
		PQclear(r);
	}
	free(sig);
	return rc;
}

/* ---- what people searched and read ---- */

int pg_search_log(wy_store *st, const char *query, int64_t doc_id, wy_errinfo *ei)
{
	if (!query || !*query)
		return WY_OK;
	int64_t now = wy_now();
	pg_args a = {0};
	pg_arg_text(&a, query);
	pg_arg_int(&a, now);
	if (doc_id)
		pg_arg_int(&a, doc_id);
	int rc = pg_run(st,
			doc_id ? "INSERT INTO search_clicks(doc_id, query, n, last_at) VALUES($3::bigint, $1, 1, $2::bigint)"
				 " ON CONFLICT(doc_id, query) DO UPDATE SET n = search_clicks.n + 1, last_at = $2::bigint"
			       : "INSERT INTO searches(query, n, last_at) VALUES($1, 1, $2::bigint)"
				 " ON CONFLICT(query) DO UPDATE SET n = searches.n + 1, last_at = $2::bigint",
			&a, NULL, NULL, "log a search", ei);
	/* and the day's count of searches (China's day, as sqlite_search.c) */
	if (!rc && !doc_id)
		rc = pg_exec_ints(st,
				  "INSERT INTO search_days(day, n) VALUES(($1::bigint + 28800) / 86400, 1)"
				  " ON CONFLICT(day) DO UPDATE SET n = search_days.n + 1",
				  &now, 1, NULL, "log a search", ei);
	return rc;
}

static int str_list(wy_store *st, const char *sql, const pg_args *a, int limit, wy_str_list *out, const char *what,
		    wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, sql, a, &r, NULL, what, ei);
	if (rc)
		return rc;
	out->items = wy_xcalloc((size_t)(limit > 0 ? limit : 1), sizeof *out->items);
	for (int i = 0; i < PQntuples(r) && out->n < limit; i++)
		out->items[out->n++] = pg_str(r, i, 0);
	PQclear(r);
	return WY_OK;
}

int pg_popular_queries(wy_store *st, int min_n, int limit, wy_str_list *out, wy_errinfo *ei)
{
	/* from the clicks on documents everyone may see (sqlite_search.c) */
	pg_args a = {0};
	pg_arg_int(&a, min_n);
	pg_arg_int(&a, limit);
	return str_list(st,
			"SELECT c.query FROM search_clicks c JOIN documents d ON d.id = c.doc_id WHERE" LISTED
			" GROUP BY c.query HAVING sum(c.n) >= $1::bigint ORDER BY sum(c.n) DESC, c.query LIMIT $2::bigint",
			&a, limit, out, "popular queries", ei);
}

int pg_doc_queries(wy_store *st, int64_t doc_id, int limit, wy_str_list *out, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, limit);
	return str_list(st,
			"SELECT query FROM search_clicks WHERE doc_id = $1::bigint ORDER BY n DESC, last_at DESC, query"
			" LIMIT $2::bigint",
			&a, limit, out, "a document's queries", ei);
}

int pg_visits_add(wy_store *st, const uint64_t *visitors, const int64_t *doc_ids, int n, wy_errinfo *ei)
{
	if (n <= 0)
		return WY_OK;
	int rc = pg_begin(st, ei);
	for (int i = 0; i < n && !rc; i++) {
		int64_t v[3] = {(int64_t)visitors[i], doc_ids[i], wy_now()};
		rc = pg_exec_ints(st,
				  "INSERT INTO visits(visitor, doc_id, at) SELECT $1::bigint, $2::bigint, $3::bigint WHERE EXISTS"
				  " (SELECT 1 FROM documents WHERE id = $2::bigint)"
				  " ON CONFLICT(visitor, doc_id) DO UPDATE SET at = $3::bigint",
				  v, 3, NULL, "record a visit", ei);
	}
	return pg_end(st, rc, ei);
}

/* Append the documents of ids (in order) to out until it holds limit,
 * skipping self, the excluded and those out has. Recommendations are best
 * effort: a document that cannot be read is skipped. */
void pgs_docs_fill(wy_store *st, const PGresult *r, int64_t self, const int64_t *ex, int nex, int limit,
		   wy_doc_list *out)
{
	for (int i = 0; i < PQntuples(r) && out->n < limit; i++) {
		int64_t id = pg_int(r, i, 0);
		bool skip = id == self;
		for (int k = 0; k < nex && !skip; k++)
			skip = ex[k] == id;
		for (int k = 0; k < out->n && !skip; k++)
			skip = out->items[k].id == id;
		if (skip)
			continue;
		if (pg_doc_get(st, id, &out->items[out->n], NULL) == WY_OK)
			out->n++;
	}
}

int pg_doc_also_read(wy_store *st, int64_t doc_id, const int64_t *exclude, int nexclude, int limit,
		     wy_doc_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (limit <= 0)
		return WY_OK;
	out->items = wy_xcalloc((size_t)limit, sizeof *out->items);
	static const char *const sql[3] = {
		/* visitors of this document (the latest 500), what else they read */
		"WITH v AS (SELECT visitor FROM visits WHERE doc_id = $1::bigint ORDER BY at DESC LIMIT 500),"
		" o AS (SELECT w.doc_id AS id, count(*) AS n FROM visits w JOIN v ON v.visitor = w.visitor"
		"  WHERE w.doc_id != $1::bigint GROUP BY w.doc_id ORDER BY n DESC, w.doc_id DESC LIMIT $2::bigint)"
		" SELECT d.id FROM documents d JOIN o ON o.id = d.id WHERE" LISTED
		" ORDER BY o.n DESC, d.views DESC, d.id DESC",
		/* then the most viewed of its category, then of the library */
		"SELECT d.id FROM documents d WHERE" LISTED " AND d.category_id IS NOT DISTINCT FROM"
		" (SELECT category_id FROM documents WHERE id = $1::bigint) ORDER BY d.views DESC, d.id DESC"
		" LIMIT $2::bigint",
		"SELECT d.id FROM documents d WHERE" LISTED " AND $1::bigint IS NOT NULL"
		" ORDER BY d.views DESC, d.id DESC LIMIT $2::bigint",
	};
	for (int k = 0; k < 3 && out->n < limit; k++) {
		pg_args a = {0};
		pg_arg_int(&a, doc_id);
		pg_arg_int(&a, limit + nexclude + out->n + 1);
		PGresult *r;
		int rc = pg_run(st, sql[k], &a, &r, NULL, "documents also read", ei);
		if (rc) {
			wy_doc_list_clear(out);
			return rc;
		}
		pgs_docs_fill(st, r, doc_id, exclude, nexclude, limit, out);
		PQclear(r);
	}
	return WY_OK;
}

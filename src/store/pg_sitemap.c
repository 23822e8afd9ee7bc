/* store/pg_sitemap: what the sitemap (web/seo.c) reads, on PostgreSQL, as
 * sqlite_sitemap.c keeps it on SQLite: documents and collections cut into
 * parts of `width` ids, and, per part, a generation that grows at every
 * change that can change the part's list, how many of its rows a visitor
 * may see and when it last changed, kept by triggers (PL/pgSQL here) in
 * the transaction of the change. Who may see a document is SQ_PUBLIC_OF
 * (store/rules.h), never restated; nothing here writes what a visitor sees.
 *
 * The triggers hold the rule as it was when they were made: a change of
 * SQ_PUBLIC_OF must make them again (a new schema version running
 * pg_sitemap_setup's functions and triggers: CREATE OR REPLACE). */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"

#include <stdlib.h>
#include <string.h>

/* A collection a visitor may see: public (COLL_SEEN in pg_collections.c
 * for no account and no admin). */
#define SITEMAP_COLL_PUBLIC(a) "(" a ".public = 1)"

/* The parts counted from the rows themselves, for width $1 (the schema's
 * version, and a width that changed): two statements. */
#define FILL_DOCS                                                                                                 \
	"INSERT INTO sitemap_parts(kind, part, gen, listed, changed_at)"                                          \
	" SELECT 0, d.id / $1::bigint, 1, sum((" SQ_PUBLIC_OF("d") ")::int), max(d.updated_at) FROM documents d" \
	" GROUP BY 2"
#define FILL_COLLECTIONS                                                                                          \
	"INSERT INTO sitemap_parts(kind, part, gen, listed, changed_at)"                                          \
	" SELECT 1, c.id / $1::bigint, 1, sum((" SITEMAP_COLL_PUBLIC("c") ")::int), max(c.updated_at)"           \
	" FROM collections c GROUP BY 2"

/* The tables, and one trigger function per table: a row added, removed,
 * or changed where it matters (its updated_at, or whether a visitor may
 * see it: the WHEN of the UPDATE triggers, so a view counted or a
 * progress step never runs a function) bumps its part. */
static const char setup_sql[] =
	"CREATE TABLE sitemap_width(width bigint NOT NULL, epoch bigint NOT NULL);"
	"INSERT INTO sitemap_width VALUES (50000, 1);"
	"CREATE TABLE sitemap_parts("
	"  kind bigint NOT NULL," /* 0 documents, 1 collections */
	"  part bigint NOT NULL," /* ids [part*width, (part+1)*width) */
	"  gen bigint NOT NULL,"
	"  listed bigint NOT NULL,"
	"  changed_at bigint NOT NULL,"
	"  PRIMARY KEY(kind, part));"
	/* one upsert: the part of id, a change, delta more visible rows */
	"CREATE OR REPLACE FUNCTION sitemap_bump(k bigint, id bigint, delta bigint) RETURNS void"
	" LANGUAGE sql AS $$"
	" INSERT INTO sitemap_parts AS p(kind, part, gen, listed, changed_at)"
	" VALUES (k, id / (SELECT width FROM sitemap_width), 1, delta, floor(extract(epoch FROM now()))::bigint)"
	" ON CONFLICT(kind, part) DO UPDATE SET gen = p.gen + 1, listed = p.listed + excluded.listed,"
	" changed_at = excluded.changed_at $$;"
	"CREATE OR REPLACE FUNCTION sitemap_doc() RETURNS trigger LANGUAGE plpgsql AS $$"
	" BEGIN"
	"  IF TG_OP = 'INSERT' THEN PERFORM sitemap_bump(0, NEW.id, (" SQ_PUBLIC_OF("NEW") ")::int);"
	"  ELSIF TG_OP = 'DELETE' THEN PERFORM sitemap_bump(0, OLD.id, -(" SQ_PUBLIC_OF("OLD") ")::int);"
	"  ELSE PERFORM sitemap_bump(0, NEW.id, (" SQ_PUBLIC_OF("NEW") ")::int - (" SQ_PUBLIC_OF("OLD") ")::int);"
	"  END IF;"
	"  RETURN NULL;"
	" END $$;"
	"CREATE OR REPLACE FUNCTION sitemap_coll() RETURNS trigger LANGUAGE plpgsql AS $$"
	" BEGIN"
	"  IF TG_OP = 'INSERT' THEN PERFORM sitemap_bump(1, NEW.id, (" SITEMAP_COLL_PUBLIC("NEW") ")::int);"
	"  ELSIF TG_OP = 'DELETE' THEN PERFORM sitemap_bump(1, OLD.id, -(" SITEMAP_COLL_PUBLIC("OLD") ")::int);"
	"  ELSE PERFORM sitemap_bump(1, NEW.id, (" SITEMAP_COLL_PUBLIC("NEW") ")::int - ("
	SITEMAP_COLL_PUBLIC("OLD") ")::int);"
	"  END IF;"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TRIGGER sitemap_doc_add AFTER INSERT ON documents FOR EACH ROW EXECUTE FUNCTION sitemap_doc();"
	"CREATE TRIGGER sitemap_doc_del AFTER DELETE ON documents FOR EACH ROW EXECUTE FUNCTION sitemap_doc();"
	/* not the counters (views, downloads, ratings), nor progress: only
	 * what moves the part's list or a lastmod */
	"CREATE TRIGGER sitemap_doc_set AFTER UPDATE ON documents FOR EACH ROW"
	" WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at"
	" OR " SQ_PUBLIC_OF("NEW") " IS DISTINCT FROM " SQ_PUBLIC_OF("OLD") ")"
	" EXECUTE FUNCTION sitemap_doc();"
	"CREATE TRIGGER sitemap_coll_add AFTER INSERT ON collections FOR EACH ROW EXECUTE FUNCTION sitemap_coll();"
	"CREATE TRIGGER sitemap_coll_del AFTER DELETE ON collections FOR EACH ROW EXECUTE FUNCTION sitemap_coll();"
	"CREATE TRIGGER sitemap_coll_set AFTER UPDATE ON collections FOR EACH ROW"
	" WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at"
	" OR " SITEMAP_COLL_PUBLIC("NEW") " IS DISTINCT FROM " SITEMAP_COLL_PUBLIC("OLD") ")"
	" EXECUTE FUNCTION sitemap_coll();";

/* Count the parts for width into sitemap_parts (emptied first), inside
 * the caller's transaction. */
static int fill(wy_store *st, int64_t width, wy_errinfo *ei)
{
	int rc = pg_exec(st, "DELETE FROM sitemap_parts", ei);
	if (!rc)
		rc = pg_exec_ints(st, FILL_DOCS, &width, 1, NULL, "count the sitemap's document parts", ei);
	if (!rc)
		rc = pg_exec_ints(st, FILL_COLLECTIONS, &width, 1, NULL, "count the sitemap's collection parts", ei);
	return rc;
}

int pg_sitemap_setup(wy_store *st, wy_errinfo *ei)
{
	int rc = pg_exec(st, setup_sql, ei);
	return rc ? rc : fill(st, 50000, ei);
}

/* The width and epoch the parts are counted for. */
static int width_of(wy_store *st, int64_t *width, int64_t *epoch, wy_errinfo *ei)
{
	int64_t v[2];
	bool found;
	int rc = pg_row_ints(st, "SELECT width, epoch FROM sitemap_width", NULL, 0, v, 2, &found,
			     "read the sitemap's width", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ESTORE, "store: the sitemap has no width");
	*width = v[0];
	*epoch = v[1];
	return rc;
}

/* Count the parts again for width when they were counted for another:
 * one pass over documents and collections, once, under the writers' lock
 * (a new epoch, so what a process kept of the old parts is never taken
 * for the new). */
static int ensure_width(wy_store *st, int width, int64_t *epoch, wy_errinfo *ei)
{
	int64_t w;
	int rc = width_of(st, &w, epoch, ei);
	if (rc || w == width)
		return rc;
	if ((rc = pg_begin(st, ei)))
		return rc;
	if (!(rc = width_of(st, &w, epoch, ei)) && w != width) {
		int64_t v[2] = {width, *epoch + 1};
		rc = pg_exec_ints(st, "UPDATE sitemap_width SET width = $1, epoch = $2", v, 2, NULL,
				  "set the sitemap's width", ei);
		if (!rc)
			rc = fill(st, width, ei);
		*epoch = v[1];
	}
	return pg_end(st, rc, ei);
}

int pg_sitemap_parts(wy_store *st, int width, wy_sitemap_part **out, int *n, int64_t *epoch, wy_errinfo *ei)
{
	*out = NULL;
	*n = 0;
	if (width < 1)
		return wy_err_set(ei, WY_EINVAL, "a sitemap part needs a width");
	int rc = ensure_width(st, width, epoch, ei);
	if (rc)
		return rc;
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT kind, part, gen, listed, changed_at FROM sitemap_parts WHERE listed > 0"
			 " ORDER BY kind, part",
			 NULL, &r, NULL, "list the sitemap's parts", ei)))
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		*out = pg_grow(*out, *n, &cap, sizeof **out);
		wy_sitemap_part *p = &(*out)[(*n)++];
		p->kind = (int)pg_int(r, k, 0);
		p->part = pg_int(r, k, 1);
		p->gen = pg_int(r, k, 2);
		p->listed = pg_int(r, k, 3);
		p->changed_at = pg_int(r, k, 4);
	}
	PQclear(r);
	return WY_OK;
}

/* The part's generation and visible rows, and the epoch, in one
 * statement: a width changed by another process between two reads would
 * give this part's generation of another epoch. */
static int read_gen(wy_store *st, int kind, int64_t part, int64_t *epoch, int64_t *gen, int64_t *listed,
		    wy_errinfo *ei)
{
	int64_t v[2] = {kind, part}, r[3];
	bool found;
	int rc = pg_row_ints(st,
			     "SELECT p.gen, p.listed, w.epoch FROM sitemap_width w LEFT JOIN sitemap_parts p"
			     " ON p.kind = $1 AND p.part = $2",
			     v, 2, r, 3, &found, "read a sitemap part", ei);
	*gen = r[0];
	*listed = r[1];
	*epoch = r[2];
	return rc;
}

int pg_sitemap_gen(wy_store *st, int kind, int64_t part, int width, int64_t *epoch, int64_t *gen, int64_t *listed,
		   wy_errinfo *ei)
{
	int rc = ensure_width(st, width, epoch, ei);
	return rc ? rc : read_gen(st, kind, part, epoch, gen, listed, ei);
}

int pg_sitemap_urls(wy_store *st, int kind, int64_t part, int width, wy_sitemap_url **out, int *n, int64_t *epoch,
		    int64_t *gen, wy_errinfo *ei)
{
	*out = NULL;
	*n = 0;
	int64_t listed;
	int rc = ensure_width(st, width, epoch, ei);
	/* one snapshot: the generation read with the rows it describes */
	if (rc || (rc = pg_begin_read(st, ei)))
		return rc;
	if ((rc = read_gen(st, kind, part, epoch, gen, &listed, ei)))
		goto out;
	int64_t v[3] = {part * width, (part + 1) * width, width};
	PGresult *r;
	pg_args a = {0};
	pg_arg_ints(&a, v, 3);
	if ((rc = pg_run(st,
			 kind == WY_SITEMAP_DOCS
				 ? "SELECT d.id, d.updated_at FROM documents d WHERE d.id >= $1 AND d.id < $2 AND " SQ_PUBLIC
				   " ORDER BY d.id LIMIT $3"
				 : "SELECT c.id, c.updated_at FROM collections c WHERE c.id >= $1 AND c.id < $2 AND "
				   SITEMAP_COLL_PUBLIC("c") " ORDER BY c.id LIMIT $3",
			 &a, &r, NULL, "list a sitemap part", ei)))
		goto out;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows && *n < width; k++) {
		*out = pg_grow(*out, *n, &cap, sizeof **out);
		(*out)[*n].id = pg_int(r, k, 0);
		(*out)[(*n)++].lastmod = pg_int(r, k, 1);
	}
	PQclear(r);
out:
	pg_rollback(st);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Ordered by bytes, as SQLite's BINARY collation orders them, whatever
 * the database's locale. */
int pg_sitemap_categories(wy_store *st, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, "SELECT path FROM categories ORDER BY path COLLATE \"C\"", NULL, &r, NULL, "list the categories", ei);
	if (rc)
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		out->items[out->n++] = pg_str(r, k, 0);
	}
	PQclear(r);
	return WY_OK;
}

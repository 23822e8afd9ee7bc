/* store/sqlite_sitemap: what the sitemap (web/seo.c) reads. Documents and
 * collections are cut into parts of `width` ids (ids [k*width,
 * (k+1)*width) make part k, so a part never holds more than width URLs),
 * and triggers keep, per part, a generation that grows at every change
 * that can change the part's list (a row in it added, removed, made
 * visible or not, or its updated_at moved), how many of its rows a
 * visitor may see, and when it last changed. So the sitemap's index reads
 * one small row a part, and a part is listed again only when its
 * generation moved: ten million documents cost two hundred rows, not a
 * scan. Who may see a document is SQ_PUBLIC_OF (store/rules.h), used here
 * and never restated; it never writes anything a visitor sees.
 *
 * The triggers hold the rule as it was when they were made: a change of
 * SQ_PUBLIC_OF, or a migration that rebuilds documents or collections
 * (which drops their triggers), must make them again (sq_sitemap_setup's
 * statements, which are idempotent but for the tables). */
#include "core/util.h"
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

/* A collection a visitor may see: public (COLL_SEEN in
 * sqlite_collections.c for no account and no admin). */
#define SITEMAP_COLL_PUBLIC(a) "(" a ".public = 1)"

#define NOW "CAST(strftime('%s', 'now') AS INTEGER)"

/* One upsert: part of id, a change, delta more visible rows. */
#define BUMP(kind, id, delta)                                                                                \
	"INSERT INTO sitemap_parts(kind, part, gen, listed, changed_at)"                                     \
	" VALUES (" kind ", " id " / (SELECT width FROM sitemap_width), 1, " delta ", " NOW ")"               \
	" ON CONFLICT(kind, part) DO UPDATE SET gen = gen + 1, listed = listed + excluded.listed,"            \
	" changed_at = excluded.changed_at;"

/* The parts counted from the rows themselves, for width ?1 (the
 * migration, and a width that changed). */
#define FILL                                                                                                  \
	"INSERT INTO sitemap_parts(kind, part, gen, listed, changed_at)"                                      \
	" SELECT 0, d.id / ?1, 1, sum(" SQ_PUBLIC_OF("d") "), max(d.updated_at) FROM documents d GROUP BY 2;" \
	"INSERT INTO sitemap_parts(kind, part, gen, listed, changed_at)"                                      \
	" SELECT 1, c.id / ?1, 1, sum(" SITEMAP_COLL_PUBLIC("c") "), max(c.updated_at) FROM collections c GROUP BY 2;"

static const char setup_sql[] =
	"CREATE TABLE sitemap_width(width INTEGER NOT NULL, epoch INTEGER NOT NULL);"
	"INSERT INTO sitemap_width VALUES (50000, 1);"
	"CREATE TABLE sitemap_parts("
	"  kind INTEGER NOT NULL,"       /* 0 documents, 1 collections */
	"  part INTEGER NOT NULL,"       /* ids [part*width, (part+1)*width) */
	"  gen INTEGER NOT NULL,"
	"  listed INTEGER NOT NULL,"
	"  changed_at INTEGER NOT NULL,"
	"  PRIMARY KEY(kind, part)) WITHOUT ROWID;"
	"CREATE TRIGGER sitemap_doc_add AFTER INSERT ON documents BEGIN "
	BUMP("0", "NEW.id", SQ_PUBLIC_OF("NEW")) " END;"
	"CREATE TRIGGER sitemap_doc_del AFTER DELETE ON documents BEGIN "
	BUMP("0", "OLD.id", "-" SQ_PUBLIC_OF("OLD")) " END;"
	/* not the counters (views, downloads, ratings), nor progress: only
	 * what moves the part's list or a lastmod */
	"CREATE TRIGGER sitemap_doc_set AFTER UPDATE ON documents WHEN NEW.updated_at IS NOT OLD.updated_at"
	" OR " SQ_PUBLIC_OF("NEW") " IS NOT " SQ_PUBLIC_OF("OLD") " BEGIN "
	BUMP("0", "NEW.id", SQ_PUBLIC_OF("NEW") " - " SQ_PUBLIC_OF("OLD")) " END;"
	"CREATE TRIGGER sitemap_coll_add AFTER INSERT ON collections BEGIN "
	BUMP("1", "NEW.id", SITEMAP_COLL_PUBLIC("NEW")) " END;"
	"CREATE TRIGGER sitemap_coll_del AFTER DELETE ON collections BEGIN "
	BUMP("1", "OLD.id", "-" SITEMAP_COLL_PUBLIC("OLD")) " END;"
	"CREATE TRIGGER sitemap_coll_set AFTER UPDATE ON collections WHEN NEW.updated_at IS NOT OLD.updated_at"
	" OR " SITEMAP_COLL_PUBLIC("NEW") " IS NOT " SITEMAP_COLL_PUBLIC("OLD") " BEGIN "
	BUMP("1", "NEW.id", SITEMAP_COLL_PUBLIC("NEW") " - " SITEMAP_COLL_PUBLIC("OLD")) " END;";

/* Count the parts for width into sitemap_parts (emptied first), inside
 * the caller's transaction. */
static int fill(wy_store *st, int64_t width, wy_errinfo *ei)
{
	int rc = sq_exec(st, "DELETE FROM sitemap_parts", ei);
	/* two statements: sq_exec_ints runs one */
	const char *sql = FILL, *second = strstr(sql, ";INSERT") + 1;
	char *first = wy_xstrndup(sql, (size_t)(second - sql));
	if (!rc)
		rc = sq_exec_ints(st, first, &width, 1, NULL, "count the sitemap's document parts", ei);
	if (!rc)
		rc = sq_exec_ints(st, second, &width, 1, NULL, "count the sitemap's collection parts", ei);
	free(first);
	return rc;
}

int sq_sitemap_setup(wy_store *st, wy_errinfo *ei)
{
	int rc = sq_exec(st, setup_sql, ei);
	return rc ? rc : fill(st, 50000, ei);
}

/* The width and epoch the parts are counted for. */
static int width_of(wy_store *st, int64_t *width, int64_t *epoch, wy_errinfo *ei)
{
	int64_t v[2];
	bool found;
	int rc = sq_row_ints(st, "SELECT width, epoch FROM sitemap_width", NULL, 0, v, 2, &found, "read the sitemap's width", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ESTORE, "store: the sitemap has no width");
	*width = v[0];
	*epoch = v[1];
	return rc;
}

/* Count the parts again for width when they were counted for another:
 * one pass over documents and collections, once (a new epoch, so what a
 * process kept of the old parts is never taken for the new). */
static int ensure_width(wy_store *st, int width, int64_t *epoch, wy_errinfo *ei)
{
	int64_t w;
	int rc = width_of(st, &w, epoch, ei);
	if (rc || w == width)
		return rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if (!(rc = width_of(st, &w, epoch, ei)) && w != width) {
		int64_t v[2] = {width, *epoch + 1};
		rc = sq_exec_ints(st, "UPDATE sitemap_width SET width = ?1, epoch = ?2", v, 2, NULL, "set the sitemap's width", ei);
		if (!rc)
			rc = fill(st, width, ei);
		*epoch = v[1];
	}
	return sq_end(st, rc, ei);
}

int sqlite_sitemap_parts(wy_store *st, int width, wy_sitemap_part **out, int *n, int64_t *epoch, wy_errinfo *ei)
{
	*out = NULL;
	*n = 0;
	if (width < 1)
		return wy_err_set(ei, WY_EINVAL, "a sitemap part needs a width");
	int rc = ensure_width(st, width, epoch, ei);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "SELECT kind, part, gen, listed, changed_at FROM sitemap_parts WHERE listed > 0 ORDER BY kind, part", ei)))
		return rc;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sq_grow(*out, *n, &cap, sizeof **out);
		wy_sitemap_part *p = &(*out)[(*n)++];
		p->kind = sqlite3_column_int(s, 0);
		p->part = sqlite3_column_int64(s, 1);
		p->gen = sqlite3_column_int64(s, 2);
		p->listed = sqlite3_column_int64(s, 3);
		p->changed_at = sqlite3_column_int64(s, 4);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list the sitemap's parts");
		free(*out);
		*out = NULL;
		*n = 0;
	}
	sq_done(st, s);
	return rc;
}

/* The part's generation and visible rows, and the epoch, in one
 * statement: a width changed by another process between two reads would
 * give this part's generation of another epoch. */
static int read_gen(wy_store *st, int kind, int64_t part, int64_t *epoch, int64_t *gen, int64_t *listed, wy_errinfo *ei)
{
	int64_t v[2] = {kind, part}, r[3];
	bool found;
	int rc = sq_row_ints(st, "SELECT p.gen, p.listed, w.epoch FROM sitemap_width w LEFT JOIN sitemap_parts p"
				 " ON p.kind = ?1 AND p.part = ?2", v, 2, r, 3, &found, "read a sitemap part", ei);
	*gen = r[0];
	*listed = r[1];
	*epoch = r[2];
	return rc;
}

int sqlite_sitemap_gen(wy_store *st, int kind, int64_t part, int width, int64_t *epoch, int64_t *gen, int64_t *listed,
			 wy_errinfo *ei)
{
	int rc = ensure_width(st, width, epoch, ei);
	return rc ? rc : read_gen(st, kind, part, epoch, gen, listed, ei);
}

int sqlite_sitemap_urls(wy_store *st, int kind, int64_t part, int width, wy_sitemap_url **out, int *n, int64_t *epoch,
			  int64_t *gen, wy_errinfo *ei)
{
	*out = NULL;
	*n = 0;
	int64_t listed;
	int rc = ensure_width(st, width, epoch, ei);
	/* one snapshot: the generation read with the rows it describes */
	if (rc || (rc = sq_exec(st, "BEGIN", ei)))
		return rc;
	if ((rc = read_gen(st, kind, part, epoch, gen, &listed, ei)))
		goto out;
	sqlite3_stmt *s;
	rc = sq_prep(st, &s,
		     kind == WY_SITEMAP_DOCS
			     ? "SELECT d.id, d.updated_at FROM documents d WHERE d.id >= ?1 AND d.id < ?2 AND " SQ_PUBLIC
			       " ORDER BY d.id"
			     : "SELECT c.id, c.updated_at FROM collections c WHERE c.id >= ?1 AND c.id < ?2 AND "
			       SITEMAP_COLL_PUBLIC("c") " ORDER BY c.id",
		     ei);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, part * width);
	sqlite3_bind_int64(s, 2, (part + 1) * width);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW && *n < width) {
		*out = sq_grow(*out, *n, &cap, sizeof **out);
		(*out)[*n].id = sqlite3_column_int64(s, 0);
		(*out)[(*n)++].lastmod = sqlite3_column_int64(s, 1);
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sq_fail(SQ(st)->db, ei, "list a sitemap part");
	sq_done(st, s);
out:
	sq_exec(st, "COMMIT", NULL);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int sqlite_sitemap_categories(wy_store *st, wy_str_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT path FROM categories ORDER BY path", ei);
	if (rc)
		return rc;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		out->items[out->n++] = sq_col_str(s, 0);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list the categories");
		wy_str_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

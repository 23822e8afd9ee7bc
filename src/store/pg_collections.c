/* store/pg_collections: collections (专辑) on PostgreSQL, as
 * sqlite_collections.c keeps them on SQLite (store.h says what they
 * promise). Which documents a reader sees in one is SQ_SEEN_BY
 * (store/rules.h), never restated; which collections a reader sees is this
 * file's own (public ones, one's own, all for an admin), the same text as
 * the SQLite backend's. Every change of more than one row is one
 * transaction under the writers' lock; positions stay 1..n without gaps
 * (a move shifts the items between; the schema's trigger closes the gap a
 * deletion leaves). */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* The documents d of a statement its reader ($1, an account id or 0) may
 * see, with an admin's rights when $2 is true. */
#define DOC_SEEN "($2 OR " SQ_SEEN_BY("$1") ")"
/* The collections c the same reader may see. */
#define COLL_SEEN "(c.public = 1 OR c.owner_id = $1 OR $2)"

/* A collection's columns for reader $1 (admin $2), with has_doc for the
 * document $3 (0: none). */
#define COLL_COLUMNS                                                                                              \
	"c.id, c.owner_id, u.name, c.name, c.description, c.public, c.created_at, c.updated_at,"                 \
	" (SELECT count(*) FROM collection_items i JOIN documents d ON d.id = i.doc_id"                           \
	"   WHERE i.collection_id = c.id AND " DOC_SEEN "),"                                                         \
	" c.favorites,"                                                                                             \
	" EXISTS(SELECT 1 FROM collection_favorites f WHERE f.collection_id = c.id AND f.user_id = $1),"          \
	" EXISTS(SELECT 1 FROM collection_items i WHERE i.collection_id = c.id AND i.doc_id = $3::bigint),"       \
	" (SELECT d.thumb_sha256 FROM collection_items i JOIN documents d ON d.id = i.doc_id"                     \
	"   WHERE i.collection_id = c.id AND " DOC_SEEN " ORDER BY i.position LIMIT 1)"                             \
	" FROM collections c JOIN users u ON u.id = c.owner_id"

static void read_collection(const PGresult *r, int row, wy_collection *c)
{
	memset(c, 0, sizeof *c);
	c->id = pg_int(r, row, 0);
	c->owner_id = pg_int(r, row, 1);
	c->owner = pg_str(r, row, 2);
	c->name = pg_str(r, row, 3);
	c->description = pg_str(r, row, 4);
	c->public_ = pg_int(r, row, 5) != 0;
	c->created_at = pg_int(r, row, 6);
	c->updated_at = pg_int(r, row, 7);
	c->items = (int)pg_int(r, row, 8);
	c->favorites = pg_int(r, row, 9);
	c->faved = pg_int(r, row, 10) != 0;
	c->has_doc = pg_int(r, row, 11) != 0;
	pg_sha(r, row, 12, c->cover_sha256);
}

int pg_collection_add(wy_store *st, int64_t owner, const char *name, const char *description, bool public_,
		      int64_t *id, wy_errinfo *ei)
{
	if (!wy_collection_name_valid(name))
		return wy_err_set(ei, WY_EINVAL, "collections: a name is 1-%d characters", WY_COLLECTION_NAME_MAX);
	if (!description)
		description = "";
	if (!wy_collection_desc_valid(description))
		return wy_err_set(ei, WY_EINVAL, "collections: a description is at most %d characters",
				  WY_COLLECTION_DESC_MAX);
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t n;
	if ((rc = pg_row_ints(st, "SELECT count(*) FROM collections WHERE owner_id = $1", &owner, 1, &n, 1, NULL,
			      "collections: read", ei)))
		goto fail;
	if (n >= WY_COLLECTIONS_MAX) {
		rc = wy_err_set(ei, WY_ETOOBIG, "collections: at most %d an account", WY_COLLECTIONS_MAX);
		goto fail;
	}
	pg_args a = {0};
	pg_arg_int(&a, owner);
	pg_arg_text(&a, name);
	pg_arg_text(&a, description);
	pg_arg_int(&a, public_ ? 1 : 0);
	pg_arg_int(&a, wy_now());
	PGresult *r;
	if ((rc = pg_run(st,
			 "INSERT INTO collections(owner_id, name, description, public, created_at, updated_at)"
			 " VALUES($1, $2, $3, $4, $5, $5) RETURNING id",
			 &a, &r, NULL, "collections: add", ei)))
		goto fail;
	*id = pg_int(r, 0, 0);
	PQclear(r);
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_collection_get(wy_store *st, int64_t id, int64_t reader, bool admin, wy_collection *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t v[4] = {reader, admin, 0, id};
	pg_args a = {0};
	pg_arg_ints(&a, v, 4);
	PGresult *r;
	int rc = pg_run(st, "SELECT " COLL_COLUMNS " WHERE c.id = $4 AND " COLL_SEEN, &a, &r, NULL,
			"collections: get", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		read_collection(r, 0, out);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
	PQclear(r);
	return rc;
}

int pg_collection_edit(wy_store *st, int64_t id, const char *name, const char *description, int public_,
		       wy_errinfo *ei)
{
	if (name && !wy_collection_name_valid(name))
		return wy_err_set(ei, WY_EINVAL, "collections: a name is 1-%d characters", WY_COLLECTION_NAME_MAX);
	if (description && !wy_collection_desc_valid(description))
		return wy_err_set(ei, WY_EINVAL, "collections: a description is at most %d characters",
				  WY_COLLECTION_DESC_MAX);
	pg_args a = {0};
	pg_arg_int(&a, id);
	pg_arg_text(&a, name);
	pg_arg_text(&a, description);
	pg_arg_int(&a, public_ < 0 ? -1 : public_ ? 1 : 0);
	pg_arg_int(&a, wy_now());
	int changed = 0;
	int rc = pg_run(st,
			"UPDATE collections SET name = coalesce($2::text, name), description = coalesce($3::text, description),"
			" public = CASE WHEN $4::bigint < 0 THEN public ELSE $4::bigint END, updated_at = $5 WHERE id = $1",
			&a, NULL, &changed, "collections: edit", ei);
	if (!rc && changed == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
	return rc;
}

int pg_collection_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	/* the rows that refer to it first (as the SQLite backend does; the
	 * cascade would do the same) */
	if ((rc = pg_exec_ints(st, "DELETE FROM collection_favorites WHERE collection_id = $1", &id, 1, NULL,
			       "collections: write", ei)) ||
	    (rc = pg_exec_ints(st, "DELETE FROM collection_items WHERE collection_id = $1", &id, 1, NULL,
			       "collections: write", ei)) ||
	    (rc = pg_exec_ints(st, "DELETE FROM collections WHERE id = $1", &id, 1, &changed, "collections: write",
			       ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_collection_docs(wy_store *st, int64_t id, int64_t reader, bool admin, wy_doc_list *out, int *positions,
		       wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t v[4] = {reader, admin, id, WY_COLLECTION_ITEMS_MAX};
	pg_args a = {0};
	pg_arg_ints(&a, v, 4);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT " DOC_COLUMNS_NOFROM ", i.position FROM collection_items i"
			" JOIN documents d ON d.id = i.doc_id LEFT JOIN categories c ON c.id = d.category_id"
			" WHERE i.collection_id = $3 AND " DOC_SEEN " ORDER BY i.position LIMIT $4",
			&a, &r, NULL, "collections: documents", ei);
	if (rc)
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows && out->n < WY_COLLECTION_ITEMS_MAX; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		positions[out->n] = (int)pg_int(r, k, DOC_NCOLUMNS);
		pg_read_doc(r, k, &out->items[out->n++]);
	}
	PQclear(r);
	return WY_OK;
}

/* A collection's items changed: its updated_at says when (the list of
 * collections shows the recently changed first). */
static int touch(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int64_t w[2] = {id, wy_now()};
	return pg_exec_ints(st, "UPDATE collections SET updated_at = $2 WHERE id = $1", w, 2, NULL,
			    "collections: write", ei);
}

int pg_collection_item_add(wy_store *st, int64_t id, int64_t doc, int *position, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t owner, n, in, v[4];
	bool found;
	if ((rc = pg_row_ints(st, "SELECT owner_id FROM collections WHERE id = $1", &id, 1, &owner, 1, &found,
			      "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	v[0] = id;
	v[1] = doc;
	if ((rc = pg_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = $1 AND doc_id = $2", v,
			      2, &in, 1, NULL, "collections: read", ei)) ||
	    (rc = pg_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = $1", &id, 1, &n, 1,
			      NULL, "collections: read", ei)))
		goto fail;
	if (in) {
		rc = wy_err_set(ei, WY_EEXIST, "collections: document %lld is in collection %lld already",
				(long long)doc, (long long)id);
		goto fail;
	}
	if (n >= WY_COLLECTION_ITEMS_MAX) {
		rc = wy_err_set(ei, WY_ETOOBIG, "collections: at most %d documents a collection",
				WY_COLLECTION_ITEMS_MAX);
		goto fail;
	}
	/* only a document its owner may see (the reader's rule, as of now) */
	v[2] = owner;
	v[3] = wy_now();
	int changed = 0;
	if ((rc = pg_exec_ints(st,
			       "INSERT INTO collection_items(collection_id, doc_id, position, added_at)"
			       " SELECT $1::bigint, d.id,"
			       " (SELECT count(*) + 1 FROM collection_items WHERE collection_id = $1::bigint), $4::bigint"
			       " FROM documents d WHERE d.id = $2 AND " SQ_SEEN_BY("$3::bigint"),
			       v, 4, &changed, "collections: write", ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no document %lld to add", (long long)doc);
		goto fail;
	}
	if ((rc = touch(st, id, ei)))
		goto fail;
	*position = (int)n + 1;
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_collection_item_remove(wy_store *st, int64_t id, int64_t doc, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	int64_t v[2] = {id, doc};
	/* the trigger moves the items after it up */
	if ((rc = pg_exec_ints(st, "DELETE FROM collection_items WHERE collection_id = $1 AND doc_id = $2", v, 2,
			       &changed, "collections: write", ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: document %lld is not in collection %lld",
				(long long)doc, (long long)id);
		goto fail;
	}
	if ((rc = touch(st, id, ei)))
		goto fail;
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_collection_item_move(wy_store *st, int64_t id, int64_t doc, int to, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t from, n, v[2] = {id, doc};
	bool found;
	if ((rc = pg_row_ints(st, "SELECT position FROM collection_items WHERE collection_id = $1 AND doc_id = $2", v,
			      2, &from, 1, &found, "collections: read", ei)) ||
	    (rc = pg_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = $1", &id, 1, &n, 1,
			      NULL, "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: document %lld is not in collection %lld",
				(long long)doc, (long long)id);
		goto fail;
	}
	if (to < 1 || to > n) {
		rc = wy_err_set(ei, WY_EINVAL, "collections: a position is 1-%lld", (long long)n);
		goto fail;
	}
	if (to != from) {
		/* the items between make room, one step towards where it was */
		int64_t u[4] = {id, doc, from, to};
		if ((rc = pg_exec_ints(st,
				       "UPDATE collection_items SET position = position"
				       " + CASE WHEN $4::bigint < $3::bigint THEN 1 ELSE -1 END"
				       " WHERE collection_id = $1 AND doc_id != $2"
				       " AND position BETWEEN least($3::bigint, $4::bigint) AND greatest($3::bigint, $4::bigint)",
				       u, 4, NULL, "collections: write", ei)) ||
		    (rc = pg_exec_ints(st, "UPDATE collection_items SET position = $3 WHERE collection_id = $1 AND doc_id = $2",
				       (int64_t[3]){id, doc, to}, 3, NULL, "collections: write", ei)))
			goto fail;
		if ((rc = touch(st, id, ei)))
			goto fail;
	}
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_collection_favorite(wy_store *st, int64_t user, int64_t id, bool on, int64_t *count, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	int64_t v[3] = {user, id, wy_now()}, has;
	bool found;
	if ((rc = pg_row_ints(st, "SELECT 1 FROM collections WHERE id = $1", &id, 1, &has, 1, &found,
			      "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	if ((rc = pg_exec_ints(st,
			       on ? "INSERT INTO collection_favorites(user_id, collection_id, at) VALUES($1, $2, $3)"
				    " ON CONFLICT DO NOTHING"
				  : "DELETE FROM collection_favorites WHERE user_id = $1 AND collection_id = $2",
			       v, on ? 3 : 2, &changed, "collections: write", ei)))
		goto fail;
	/* the count moves with the row, in this transaction */
	if (changed && (rc = pg_exec_ints(st,
					  on ? "UPDATE collections SET favorites = favorites + 1 WHERE id = $1"
					     : "UPDATE collections SET favorites = favorites - 1 WHERE id = $1",
					  &id, 1, NULL, "collections: write", ei)))
		goto fail;
	if ((rc = pg_row_ints(st, "SELECT favorites FROM collections WHERE id = $1", &id, 1, count, 1, NULL,
			      "collections: read", ei)))
		goto fail;
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

/* The WHERE of a list for filter $1 reader, $2 admin, $4 owner, $5
 * favorited by, $6 public only ($3, the document of has_doc, is in the
 * columns only: the count names it so that every statement takes the
 * same six parameters). */
#define LIST_WHERE                                                                                                  \
	" WHERE " COLL_SEEN " AND ($4::bigint = 0 OR c.owner_id = $4) AND ($6::bigint = 0 OR c.public = 1)"         \
	" AND ($5::bigint = 0 OR EXISTS(SELECT 1 FROM collection_favorites ff"                                      \
	" WHERE ff.collection_id = c.id AND ff.user_id = $5))"

static void filter_args(pg_args *a, const wy_collection_filter *f)
{
	int64_t v[6] = {f->reader, f->admin ? 1 : 0, f->contains, f->owner, f->favorited_by, f->public_only ? 1 : 0};
	pg_arg_ints(a, v, 6);
}

int pg_collection_list(wy_store *st, const wy_collection_filter *f, int offset, int limit, wy_collection_list *out,
		       int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	filter_args(&a, f);
	PGresult *r;
	int rc = pg_run(st, "SELECT count(*), $3::bigint FROM collections c" LIST_WHERE, &a, &r, NULL,
			"collections: count", ei);
	if (rc)
		return rc;
	*total = PQntuples(r) > 0 ? (int)pg_int(r, 0, 0) : 0;
	PQclear(r);
	pg_arg_int(&a, limit > 0 ? limit : 20);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	if ((rc = pg_run(st,
			 f->sort == WY_COLL_FAVORITES
				 ? "SELECT " COLL_COLUMNS LIST_WHERE " ORDER BY c.favorites DESC, c.id DESC LIMIT $7 OFFSET $8"
				 : "SELECT " COLL_COLUMNS LIST_WHERE " ORDER BY c.id DESC LIMIT $7 OFFSET $8",
			 &a, &r, NULL, "collections: list", ei)))
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		read_collection(r, k, &out->items[out->n++]);
	}
	PQclear(r);
	return WY_OK;
}

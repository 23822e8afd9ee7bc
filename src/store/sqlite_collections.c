/* store/sqlite_collections: collections (专辑), a user's named and ordered
 * lists of documents (store.h says what they promise). Which documents a
 * reader sees in one is the site's rule, SQ_SEEN_BY of store/rules.h, used
 * here and never restated; which collections a reader sees is this file's
 * own (public ones, one's own, all for an admin). Every change of more
 * than one row is one transaction; positions stay 1..n without gaps (a
 * move shifts the items between; migration 15's trigger closes the gap a
 * deletion leaves). */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "text/utf8.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The documents d of a statement its reader (?1, an account id or 0) may
 * see, with an admin's rights when ?2 is 1. */
#define DOC_SEEN "(?2 OR " SQ_SEEN_BY("?1") ")"
/* The collections c the same reader may see. */
#define COLL_SEEN "(c.public = 1 OR c.owner_id = ?1 OR ?2)"

/* A collection's columns for reader ?1 (admin ?2), with has_doc for the
 * document ?3 (0: none). */
#define COLL_COLUMNS                                                                                              \
	"c.id, c.owner_id, u.name, c.name, c.description, c.public, c.created_at, c.updated_at,"                 \
	" (SELECT count(*) FROM collection_items i JOIN documents d ON d.id = i.doc_id"                           \
	"   WHERE i.collection_id = c.id AND " DOC_SEEN "),"                                                         \
	" c.favorites,"                                                                                             \
	" EXISTS(SELECT 1 FROM collection_favorites f WHERE f.collection_id = c.id AND f.user_id = ?1),"          \
	" EXISTS(SELECT 1 FROM collection_items i WHERE i.collection_id = c.id AND i.doc_id = ?3),"               \
	" (SELECT d.thumb_sha256 FROM collection_items i JOIN documents d ON d.id = i.doc_id"                     \
	"   WHERE i.collection_id = c.id AND " DOC_SEEN " ORDER BY i.position LIMIT 1)"                             \
	" FROM collections c JOIN users u ON u.id = c.owner_id"

static void read_collection(sqlite3_stmt *s, wy_collection *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	c->owner_id = sqlite3_column_int64(s, 1);
	c->owner = sq_col_str(s, 2);
	c->name = sq_col_str(s, 3);
	c->description = sq_col_str(s, 4);
	c->public_ = sqlite3_column_int(s, 5) != 0;
	c->created_at = sqlite3_column_int64(s, 6);
	c->updated_at = sqlite3_column_int64(s, 7);
	c->items = sqlite3_column_int(s, 8);
	c->favorites = sqlite3_column_int64(s, 9);
	c->faved = sqlite3_column_int(s, 10) != 0;
	c->has_doc = sqlite3_column_int(s, 11) != 0;
	sq_col_sha(s, 12, c->cover_sha256);
}

int sqlite_collection_add(wy_store *st, int64_t owner, const char *name, const char *description, bool public_,
			    int64_t *id, wy_errinfo *ei)
{
	if (!wy_collection_name_valid(name))
		return wy_err_set(ei, WY_EINVAL, "collections: a name is 1-%d characters", WY_COLLECTION_NAME_MAX);
	if (!description)
		description = "";
	if (!wy_collection_desc_valid(description))
		return wy_err_set(ei, WY_EINVAL, "collections: a description is at most %d characters",
				  WY_COLLECTION_DESC_MAX);
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t n;
	if ((rc = sq_row_ints(st, "SELECT count(*) FROM collections WHERE owner_id = ?1", &owner, 1, &n, 1, NULL,
	                      "collections: read", ei)))
		goto fail;
	if (n >= WY_COLLECTIONS_MAX) {
		rc = wy_err_set(ei, WY_ETOOBIG, "collections: at most %d an account", WY_COLLECTIONS_MAX);
		goto fail;
	}
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s,
			  "INSERT INTO collections(owner_id, name, description, public, created_at, updated_at)"
			  " VALUES(?1, ?2, ?3, ?4, ?5, ?5)",
			  ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, owner);
	sq_bind_text(s, 2, name);
	sq_bind_text(s, 3, description);
	sqlite3_bind_int(s, 4, public_ ? 1 : 0);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "collections: add");
	else
		*id = sqlite3_last_insert_rowid(SQ(st)->db);
	sq_done(st, s);
	if (rc)
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_collection_get(wy_store *st, int64_t id, int64_t reader, bool admin, wy_collection *out,
			    wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT " COLL_COLUMNS " WHERE c.id = ?4 AND " COLL_SEEN, ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, reader);
	sqlite3_bind_int(s, 2, admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, 0);
	sqlite3_bind_int64(s, 4, id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		read_collection(s, out);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
	else
		rc = sq_fail(SQ(st)->db, ei, "collections: get");
	sq_done(st, s);
	return rc;
}

int sqlite_collection_edit(wy_store *st, int64_t id, const char *name, const char *description, int public_,
			     wy_errinfo *ei)
{
	if (name && !wy_collection_name_valid(name))
		return wy_err_set(ei, WY_EINVAL, "collections: a name is 1-%d characters", WY_COLLECTION_NAME_MAX);
	if (description && !wy_collection_desc_valid(description))
		return wy_err_set(ei, WY_EINVAL, "collections: a description is at most %d characters",
				  WY_COLLECTION_DESC_MAX);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "UPDATE collections SET name = coalesce(?2, name), description = coalesce(?3, description),"
			 " public = CASE WHEN ?4 < 0 THEN public ELSE ?4 END, updated_at = ?5 WHERE id = ?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, name);
	sq_bind_text(s, 3, description);
	sqlite3_bind_int(s, 4, public_ < 0 ? -1 : public_ ? 1 : 0);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "collections: edit");
	else if (sqlite3_changes(SQ(st)->db) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
	sq_done(st, s);
	return rc;
}

int sqlite_collection_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	/* the rows that refer to it first (their cascade would do the same,
	 * with foreign keys on) */
	if ((rc = sq_exec_ints(st, "DELETE FROM collection_favorites WHERE collection_id = ?1", &id, 1, NULL,
	                       "collections: write", ei)) ||
	    (rc = sq_exec_ints(st, "DELETE FROM collection_items WHERE collection_id = ?1", &id, 1, NULL,
	                       "collections: write", ei)) ||
	    (rc =
	         sq_exec_ints(st, "DELETE FROM collections WHERE id = ?1", &id, 1, &changed, "collections: write", ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_collection_docs(wy_store *st, int64_t id, int64_t reader, bool admin, wy_doc_list *out, int *positions,
			     wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT " DOC_COLUMNS_NOFROM ", i.position FROM collection_items i"
			 " JOIN documents d ON d.id = i.doc_id LEFT JOIN categories c ON c.id = d.category_id"
			 " WHERE i.collection_id = ?3 AND " DOC_SEEN " ORDER BY i.position LIMIT ?4",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, reader);
	sqlite3_bind_int(s, 2, admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int(s, 4, WY_COLLECTION_ITEMS_MAX);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW && out->n < WY_COLLECTION_ITEMS_MAX) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		positions[out->n] = sqlite3_column_int(s, DOC_NCOLUMNS);
		sq_read_doc(s, &out->items[out->n++]);
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = sq_fail(SQ(st)->db, ei, "collections: documents");
		wy_doc_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

/* A collection's items changed: its updated_at says when (the list of
 * collections shows the recently changed first). */
static int touch(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int64_t w[2] = {id, wy_now()};
	return sq_exec_ints(st, "UPDATE collections SET updated_at = ?2 WHERE id = ?1", w, 2, NULL, "collections: write",
			    ei);
}

int sqlite_collection_item_add(wy_store *st, int64_t id, int64_t doc, int *position, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t owner, n, in, v[4];
	bool found;
	if ((rc = sq_row_ints(st, "SELECT owner_id FROM collections WHERE id = ?1", &id, 1, &owner, 1, &found,
	                      "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	v[0] = id;
	v[1] = doc;
	if ((rc = sq_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = ?1 AND doc_id = ?2", v,
	                      2, &in, 1, NULL, "collections: read", ei)) ||
	    (rc = sq_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = ?1", &id, 1, &n, 1, NULL,
	                      "collections: read", ei)))
		goto fail;
	if (in) {
		rc = wy_err_set(ei, WY_EEXIST, "collections: document %lld is in collection %lld already", (long long)doc,
				(long long)id);
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
	if ((rc = sq_exec_ints(
	         st,
	         "INSERT INTO collection_items(collection_id, doc_id, position, added_at)"
	         " SELECT ?1, d.id, (SELECT count(*) + 1 FROM collection_items WHERE collection_id = ?1), ?4"
	         " FROM documents d WHERE d.id = ?2 AND " SQ_SEEN_BY("?3"),
	         v, 4, &changed, "collections: write", ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no document %lld to add", (long long)doc);
		goto fail;
	}
	if ((rc = touch(st, id, ei)))
		goto fail;
	*position = (int)n + 1;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_collection_item_remove(wy_store *st, int64_t id, int64_t doc, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	int64_t v[2] = {id, doc};
	/* the trigger moves the items after it up */
	if ((rc = sq_exec_ints(st, "DELETE FROM collection_items WHERE collection_id = ?1 AND doc_id = ?2", v, 2,
	                       &changed, "collections: write", ei)))
		goto fail;
	if (!changed) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: document %lld is not in collection %lld", (long long)doc,
				(long long)id);
		goto fail;
	}
	if ((rc = touch(st, id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_collection_item_move(wy_store *st, int64_t id, int64_t doc, int to, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t from, n, v[2] = {id, doc};
	bool found;
	if ((rc = sq_row_ints(st, "SELECT position FROM collection_items WHERE collection_id = ?1 AND doc_id = ?2", v,
	                      2, &from, 1, &found, "collections: read", ei)) ||
	    (rc = sq_row_ints(st, "SELECT count(*) FROM collection_items WHERE collection_id = ?1", &id, 1, &n, 1, NULL,
	                      "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: document %lld is not in collection %lld", (long long)doc,
				(long long)id);
		goto fail;
	}
	if (to < 1 || to > n) {
		rc = wy_err_set(ei, WY_EINVAL, "collections: a position is 1-%lld", (long long)n);
		goto fail;
	}
	if (to != from) {
		/* the items between make room, one step towards where it was */
		int64_t u[4] = {id, doc, from, to};
		if ((rc = sq_exec_ints(
		         st,
		         "UPDATE collection_items SET position = position + CASE WHEN ?4 < ?3 THEN 1 ELSE -1 END"
		         " WHERE collection_id = ?1 AND doc_id != ?2"
		         " AND position BETWEEN min(?3, ?4) AND max(?3, ?4)",
		         u, 4, NULL, "collections: write", ei)) ||
		    (rc = sq_exec_ints(
		         st, "UPDATE collection_items SET position = ?4 WHERE collection_id = ?1 AND doc_id = ?2", u, 4,
		         NULL, "collections: write", ei)))
			goto fail;
		if ((rc = touch(st, id, ei)))
			goto fail;
	}
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_collection_favorite(wy_store *st, int64_t user, int64_t id, bool on, int64_t *count, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei), changed = 0;
	if (rc)
		return rc;
	int64_t v[3] = {user, id, wy_now()}, has;
	bool found;
	if ((rc = sq_row_ints(st, "SELECT 1 FROM collections WHERE id = ?1", &id, 1, &has, 1, &found,
	                      "collections: read", ei)))
		goto fail;
	if (!found) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "collections: no collection %lld", (long long)id);
		goto fail;
	}
	if ((rc = sq_exec_ints(
	         st,
	         on ? "INSERT OR IGNORE INTO collection_favorites(user_id, collection_id, at) VALUES(?1, ?2, ?3)"
	            : "DELETE FROM collection_favorites WHERE user_id = ?1 AND collection_id = ?2",
	         v, on ? 3 : 2, &changed, "collections: write", ei)))
		goto fail;
	/* the count moves with the row, in this transaction */
	if (changed && (rc = sq_exec_ints(st,
	                                  on ? "UPDATE collections SET favorites = favorites + 1 WHERE id = ?2"
	                                     : "UPDATE collections SET favorites = favorites - 1 WHERE id = ?2",
	                                  v, 2, NULL, "collections: write", ei)))
		goto fail;
	if ((rc = sq_row_ints(st, "SELECT favorites FROM collections WHERE id = ?1", &id, 1, count, 1, NULL,
	                      "collections: read", ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

/* The WHERE of a list for filter ?1 reader, ?2 admin, ?4 owner, ?5
 * favorited by, ?6 public only. */
#define LIST_WHERE                                                                                                  \
	" WHERE " COLL_SEEN " AND (?4 = 0 OR c.owner_id = ?4) AND (?6 = 0 OR c.public = 1)"                          \
	" AND (?5 = 0 OR EXISTS(SELECT 1 FROM collection_favorites ff WHERE ff.collection_id = c.id AND ff.user_id = ?5))"

static void bind_filter(sqlite3_stmt *s, const wy_collection_filter *f)
{
	sqlite3_bind_int64(s, 1, f->reader);
	sqlite3_bind_int(s, 2, f->admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, f->contains);
	sqlite3_bind_int64(s, 4, f->owner);
	sqlite3_bind_int64(s, 5, f->favorited_by);
	sqlite3_bind_int(s, 6, f->public_only ? 1 : 0);
}

int sqlite_collection_list(wy_store *st, const wy_collection_filter *f, int offset, int limit,
			     wy_collection_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT count(*) FROM collections c" LIST_WHERE, ei);
	if (rc)
		return rc;
	bind_filter(s, f);
	int step = sqlite3_step(s);
	*total = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	if (step != SQLITE_ROW)
		rc = sq_fail(SQ(st)->db, ei, "collections: count");
	sq_done(st, s);
	if (rc)
		return rc;
	if ((rc = sq_prep(st, &s,
			  f->sort == WY_COLL_FAVORITES
				  ? "SELECT " COLL_COLUMNS LIST_WHERE " ORDER BY c.favorites DESC, c.id DESC LIMIT ?7 OFFSET ?8"
				  : "SELECT " COLL_COLUMNS LIST_WHERE " ORDER BY c.id DESC LIMIT ?7 OFFSET ?8",
			  ei)))
		return rc;
	bind_filter(s, f);
	sqlite3_bind_int(s, 7, limit > 0 ? limit : 20);
	sqlite3_bind_int(s, 8, offset > 0 ? offset : 0);
	int cap = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		read_collection(s, &out->items[out->n++]);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "collections: list");
		wy_collection_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

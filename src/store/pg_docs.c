/* store/pg_docs: documents, their pages, categories, the library's counts
 * and stats on PostgreSQL: the functions of sqlite.c, statement for
 * statement, in PostgreSQL's dialect (pg_int.h). Who may see what is
 * store/rules.h's SQL, pasted in as the SQLite backend does. */
#include "store/pg_int.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what other files of the backend share (pg_int.h) ---- */

void pg_read_doc(const PGresult *r, int row, wy_doc *d)
{
	memset(d, 0, sizeof *d);
	d->id = pg_int(r, row, 0);
	d->title = pg_str(r, row, 1);
	d->filename = pg_str(r, row, 2);
	d->format = pg_str(r, row, 3);
	d->category = pg_str(r, row, 4);
	pg_sha(r, row, 5, d->sha256);
	d->size = pg_int(r, row, 6);
	d->pages = (int)pg_int(r, row, 7);
	d->status = (wy_doc_status)pg_int(r, row, 8);
	d->reason = pg_str(r, row, 9);
	d->author = pg_str(r, row, 10);
	pg_sha(r, row, 11, d->thumb_sha256);
	d->created_at = pg_int(r, row, 12);
	d->updated_at = pg_int(r, row, 13);
	d->progress_done = (int)pg_int(r, row, 14);
	d->progress_total = (int)pg_int(r, row, 15);
	d->views = pg_int(r, row, 16);
	d->downloads = pg_int(r, row, 17);
	d->keywords = pg_str(r, row, 18);
	d->dup_of = pg_int(r, row, 19);
	d->uploader = pg_str(r, row, 20);
	d->owner_id = pg_int(r, row, 21);
	d->private_ = pg_int(r, row, 22) != 0;
	d->state = (int)pg_int(r, row, 23);
	d->description = pg_str(r, row, 24);
	d->tags = pg_str(r, row, 25);
	d->price = pg_int(r, row, 26);
	d->ratings = pg_int(r, row, 28);
	d->rating = d->ratings > 0 ? (double)pg_int(r, row, 27) / (double)d->ratings : 0;
}

int pg_read_docs(wy_store *st, const char *sql, const pg_args *a, wy_doc_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = pg_run(st, sql, a, &r, NULL, "list documents", ei);
	if (rc)
		return rc;
	int n = PQntuples(r);
	if (n > 0) {
		out->items = wy_xcalloc((size_t)n, sizeof *out->items);
		for (int i = 0; i < n; i++)
			pg_read_doc(r, i, &out->items[i]);
		out->n = n;
	}
	PQclear(r);
	return WY_OK;
}

void pg_filter_args(pg_args *a, const wy_doc_filter *f)
{
	pg_arg_text(a, f->category && *f->category ? f->category : NULL);
	pg_arg_text(a, f->format && *f->format ? f->format : NULL);
	pg_arg_int(a, f->min_pages);
	pg_arg_int(a, f->max_pages);
	pg_arg_int(a, f->viewer);
}

/* A listing's LIMIT: n when positive, else none (SQL NULL), as SQLite's -1. */
static void arg_limit(pg_args *a, int limit, int otherwise)
{
	if (limit > 0)
		pg_arg_int(a, limit);
	else if (otherwise > 0)
		pg_arg_int(a, otherwise);
	else
		pg_arg_text(a, NULL);
}

int pg_queue_job(wy_store *st, int64_t doc_id, int ocr_from, int ocr_to, const char *request_id, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, wy_now());
	pg_arg_int(&a, ocr_from);
	pg_arg_int(&a, ocr_to);
	pg_arg_text(&a, request_id && *request_id ? request_id : NULL);
	return pg_run(st,
		      "INSERT INTO jobs(doc_id, state, created_at, updated_at, ocr_from, ocr_to, request_id)"
		      " VALUES($1, 'queued', $2, $2, $3, $4, $5)",
		      &a, NULL, NULL, "queue job", ei);
}

int pg_set_doc_status(wy_store *st, int64_t doc_id, wy_doc_status status, const char *format, const char *reason,
		      wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, (int)status);
	pg_arg_text(&a, reason);
	pg_arg_text(&a, format);
	pg_arg_int(&a, wy_now());
	int rc = pg_run(st,
			"UPDATE documents SET status = $2, reason = $3, format = coalesce($4, format), updated_at = $5,"
			" progress_done = 0, progress_total = 0 WHERE id = $1",
			&a, NULL, NULL, "update document", ei);
	return rc ? rc : pg_upload_points(st, doc_id, ei);
}

/* ---- the library ---- */

int pg_stats_get(wy_store *st, wy_store_stats *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	int64_t now = wy_now(), v[5];
	int rc = pg_row_ints(st,
			     "SELECT (SELECT count(*) FROM users),"
			     " (SELECT count(*) FROM jobs WHERE state='queued' AND ocr_from=0),"
			     " (SELECT count(*) FROM jobs WHERE state='queued' AND ocr_from>0),"
			     " (SELECT count(*) FROM jobs WHERE state='running'),"
			     " (SELECT coalesce($1::bigint - min(created_at), 0) FROM jobs WHERE state='queued')",
			     &now, 1, v, 5, NULL, "stats", ei);
	if (rc)
		return rc;
	out->users = v[0];
	out->jobs_queued = v[1];
	out->batches_queued = v[2];
	out->jobs_running = v[3];
	out->oldest_wait = v[4];
	return WY_OK;
}

int pg_doc_formats(wy_store *st, void (*cb)(void *ctx, wy_doc_status status, const char *format, int64_t n),
		   void *ctx, wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st, "SELECT status, format, count(*) FROM documents GROUP BY status, format", NULL, &r, NULL,
			"count documents", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		cb(ctx, (wy_doc_status)pg_int(r, i, 0), pg_isnull(r, i, 1) ? NULL : pg_cstr(r, i, 1), pg_int(r, i, 2));
	PQclear(r);
	return WY_OK;
}

int pg_backup(wy_store *st, const char *dir, wy_errinfo *ei)
{
	(void)st;
	(void)dir;
	return wy_err_set(ei, WY_ENOTSUP,
			  "backup: a PostgreSQL store is backed up by PostgreSQL's own tools: pg_dump (or"
			  " pg_basebackup and WAL archiving for a point in time); `wenyuan backup` copies SQLite");
}

int pg_doc_counts(wy_store *st, int counts[WY_DOC_NSTATUS], wy_errinfo *ei)
{
	memset(counts, 0, WY_DOC_NSTATUS * sizeof counts[0]);
	PGresult *r;
	int rc = pg_run(st, "SELECT status, count(*) FROM documents GROUP BY status", NULL, &r, NULL, "count", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t k = pg_int(r, i, 0);
		if (k >= 0 && k < WY_DOC_NSTATUS)
			counts[k] = (int)pg_int(r, i, 1);
	}
	PQclear(r);
	return WY_OK;
}

int pg_blob_refs(wy_store *st, int (*cb)(void *ctx, const char *sha256), void *ctx, wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st,
			"SELECT sha256 FROM documents UNION SELECT thumb_sha256 FROM documents"
			" WHERE thumb_sha256 IS NOT NULL UNION SELECT image_sha256 FROM pages",
			NULL, &r, NULL, "blob refs", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && !rc; i++)
		rc = cb(ctx, pg_cstr(r, i, 0));
	PQclear(r);
	return rc;
}

/* ---- categories ---- */

/* Find or create the category at path "a/b/c", one row per level, inside
 * the caller's transaction. */
static int category_ensure(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	int64_t parent = 0;
	const char *p = path;
	char prefix[1024] = "", name[1024];
	size_t plen = 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > 0) {
			if (!store_category_name_valid(p, n))
				return wy_err_set(ei, WY_EINVAL, "'%.*s' is not a category name", (int)(n > 100 ? 100 : n), p);
			if (plen + n + 2 > sizeof prefix)
				return wy_err_set(ei, WY_ETOOBIG, "category path is too long");
			if (plen)
				prefix[plen++] = '/';
			memcpy(prefix + plen, p, n);
			plen += n;
			prefix[plen] = 0;
			memcpy(name, p, n);
			name[n] = 0;
			pg_args a = {0};
			if (parent)
				pg_arg_int(&a, parent);
			else
				pg_arg_text(&a, NULL);
			pg_arg_text(&a, name);
			pg_arg_text(&a, prefix);
			PGresult *r;
			int rc = pg_run(st,
					"INSERT INTO categories(parent_id, name, path) VALUES($1::bigint, $2, $3)"
					" ON CONFLICT(path) DO UPDATE SET path = excluded.path RETURNING id",
					&a, &r, NULL, "category", ei);
			if (rc)
				return rc;
			parent = pg_int(r, 0, 0);
			PQclear(r);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	*id = parent;
	return WY_OK;
}

int pg_category_list(wy_store *st, wy_category_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	/* paths in byte order, as SQLite's: whatever the database's collation */
	int rc = pg_run(st,
			"SELECT c.id, c.parent_id, c.name, c.path,"
			" (SELECT count(*) FROM documents d WHERE d.category_id = c.id AND" LISTED ")"
			" FROM categories c ORDER BY c.path COLLATE \"C\"",
			NULL, &r, NULL, "list categories", ei);
	if (rc)
		return rc;
	int n = PQntuples(r);
	if (n > 0)
		out->items = wy_xcalloc((size_t)n, sizeof *out->items);
	for (int i = 0; i < n; i++) {
		wy_category *k = &out->items[out->n++];
		k->id = pg_int(r, i, 0);
		k->parent_id = pg_int(r, i, 1);
		k->name = pg_str(r, i, 2);
		k->path = pg_str(r, i, 3);
		k->docs = (int)pg_int(r, i, 4);
		k->depth = 0;
		for (const char *p = k->path; *p; p++)
			k->depth += *p == '/';
	}
	PQclear(r);
	return WY_OK;
}

int pg_category_add(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	if (!path || !*path)
		return wy_err_set(ei, WY_EINVAL, "a category needs a name");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	return pg_end(st, category_ensure(st, path, id, ei), ei);
}

int pg_category_find(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, path);
	PGresult *r;
	int rc = pg_run(st, "SELECT id FROM categories WHERE path = $1", &a, &r, NULL, "find category", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		*id = pg_int(r, 0, 0);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no category '%s'", path);
	PQclear(r);
	return rc;
}

/* Give the category `id` at old_path a new name, parent and path; its
 * subtree's paths follow. Inside the caller's transaction. */
static int category_repath(wy_store *st, int64_t id, const char *old_path, const char *new_path, const char *name,
			   int64_t parent, wy_errinfo *ei)
{
	int64_t other;
	if (pg_category_find(st, new_path, &other, NULL) == WY_OK)
		return wy_err_set(ei, WY_EINVAL, "category '%s' exists already", new_path);
	pg_args a = {0};
	pg_arg_text(&a, old_path);
	pg_arg_text(&a, new_path);
	int rc = pg_run(st,
			"UPDATE categories SET path = $2::text || substr(path, length($1::text) + 1)"
			" WHERE path = $1 OR substr(path, 1, length($1::text) + 1) = $1::text || '/'",
			&a, NULL, NULL, "rename category", ei);
	if (rc)
		return rc;
	pg_args b = {0};
	pg_arg_int(&b, id);
	pg_arg_text(&b, name);
	if (parent)
		pg_arg_int(&b, parent);
	else
		pg_arg_text(&b, NULL);
	return pg_run(st, "UPDATE categories SET name = $2, parent_id = $3::bigint WHERE id = $1", &b, NULL, NULL,
		      "rename category", ei);
}

int pg_category_rename(wy_store *st, const char *path, const char *new_name, wy_errinfo *ei)
{
	int64_t id, parent = 0;
	if (!new_name || !store_category_name_valid(new_name, strlen(new_name)))
		return wy_err_set(ei, WY_EINVAL, "'%s' is not a category name", new_name ? new_name : "");
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = pg_category_find(st, path, &id, ei)))
		return pg_end(st, rc, ei);
	const char *slash = strrchr(path, '/');
	char *parent_path = slash ? wy_xstrndup(path, (size_t)(slash - path)) : NULL;
	char *new_path = parent_path ? wy_xasprintf("%s/%s", parent_path, new_name) : wy_xstrdup(new_name);
	if (parent_path)
		rc = pg_category_find(st, parent_path, &parent, ei);
	if (!rc)
		rc = category_repath(st, id, path, new_path, new_name, parent, ei);
	free(parent_path);
	free(new_path);
	return pg_end(st, rc, ei);
}

int pg_category_move(wy_store *st, const char *path, const char *new_parent, wy_errinfo *ei)
{
	int64_t id, parent = 0;
	size_t n = strlen(path);
	if (new_parent && *new_parent &&
	    (strcmp(new_parent, path) == 0 || (strncmp(new_parent, path, n) == 0 && new_parent[n] == '/')))
		return wy_err_set(ei, WY_EINVAL, "cannot move '%s' inside itself", path);
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = pg_category_find(st, path, &id, ei)) ||
	    (new_parent && *new_parent && (rc = pg_category_find(st, new_parent, &parent, ei))))
		return pg_end(st, rc, ei);
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char *new_path = parent ? wy_xasprintf("%s/%s", new_parent, name) : wy_xstrdup(name);
	rc = category_repath(st, id, path, new_path, name, parent, ei);
	free(new_path);
	return pg_end(st, rc, ei);
}

int pg_doc_set_category(wy_store *st, int64_t doc_id, const char *path, wy_errinfo *ei)
{
	int64_t cat = 0;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if (path && *path && (rc = category_ensure(st, path, &cat, ei)))
		return pg_end(st, rc, ei);
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	if (cat)
		pg_arg_int(&a, cat);
	else
		pg_arg_text(&a, NULL);
	pg_arg_int(&a, wy_now());
	int changed = 0;
	rc = pg_run(st, "UPDATE documents SET category_id = $2::bigint, updated_at = $3 WHERE id = $1", &a, NULL,
		    &changed, "set a category", ei);
	if (!rc && changed == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	return pg_end(st, rc, ei);
}

/* ---- documents ---- */

int pg_doc_add(wy_store *st, const wy_doc_new *in, int64_t *id, bool *existed, wy_errinfo *ei)
{
	int64_t now = wy_now(), cat = 0;
	*existed = false;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	/* Only the uploader's own document counts as the same: another
	 * account's (private, say) must neither be revealed nor stop this one
	 * being published. A deleted one is gone for its owner too. */
	pg_args a = {0};
	pg_arg_text(&a, in->sha256);
	if (in->owner_id)
		pg_arg_int(&a, in->owner_id);
	else
		pg_arg_text(&a, NULL);
	PGresult *r;
	if ((rc = pg_run(st,
			 "SELECT id FROM documents WHERE sha256 = $1 AND owner_id IS NOT DISTINCT FROM $2::bigint"
			 " AND state < " SQ_DELETED " ORDER BY id LIMIT 1",
			 &a, &r, NULL, "find document", ei)))
		return pg_end(st, rc, ei);
	if (PQntuples(r) > 0) {
		*id = pg_int(r, 0, 0);
		*existed = true;
		PQclear(r);
		return pg_commit(st, ei);
	}
	PQclear(r);
	if (in->category && *in->category && (rc = category_ensure(st, in->category, &cat, ei)))
		return pg_end(st, rc, ei);
	pg_args b = {0};
	pg_arg_text(&b, in->title);
	pg_arg_int(&b, in->title != NULL);
	pg_arg_text(&b, in->filename);
	if (cat)
		pg_arg_int(&b, cat);
	else
		pg_arg_text(&b, NULL);
	pg_arg_text(&b, in->sha256);
	pg_arg_int(&b, in->size);
	pg_arg_int(&b, now);
	pg_arg_text(&b, in->uploader && *in->uploader ? in->uploader : NULL);
	if (in->owner_id)
		pg_arg_int(&b, in->owner_id);
	else
		pg_arg_text(&b, NULL);
	pg_arg_int(&b, in->private_);
	pg_arg_int(&b, in->state == WY_STATE_PENDING ? WY_STATE_PENDING : WY_STATE_PUBLISHED);
	pg_arg_text(&b, in->description && *in->description ? in->description : NULL);
	pg_arg_text(&b, in->tags && *in->tags ? in->tags : NULL);
	pg_arg_int(&b, in->price > 0 ? in->price : 0);
	if ((rc = pg_run(st,
			 "INSERT INTO documents(title, title_user, filename, category_id, sha256, size, status,"
			 " created_at, updated_at, uploader, owner_id, private, state, description, tags, price)"
			 " VALUES($1, $2, $3, $4::bigint, $5, $6, 0, $7, $7, $8, $9::bigint, $10, $11, $12, $13, $14)"
			 " RETURNING id",
			 &b, &r, NULL, "insert document", ei)))
		return pg_end(st, rc, ei);
	*id = pg_int(r, 0, 0);
	PQclear(r);
	return pg_end(st, pg_queue_job(st, *id, 0, 0, in->request_id, ei), ei);
}

int pg_doc_get(wy_store *st, int64_t id, wy_doc *out, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, id);
	PGresult *r;
	int rc = pg_run(st, "SELECT " DOC_COLUMNS " WHERE d.id = $1", &a, &r, NULL, "get document", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		pg_read_doc(r, 0, out);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)id);
	PQclear(r);
	return rc;
}

int pg_doc_list(wy_store *st, int offset, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	pg_args a = {0};
	arg_limit(&a, limit, 0);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	return pg_read_docs(st, "SELECT " DOC_COLUMNS " ORDER BY d.id DESC LIMIT $1 OFFSET $2", &a, out, ei);
}

/* The documents a viewer (-1: none) sees, every one but new versions' rows
 * when admin (0/1): the parameters named */
#define VISIBLE_WHERE(admin, viewer) " WHERE " SQ_SEEN_BY(viewer "::bigint") " OR " SQ_ADMIN_LISTS(admin "::int = 1")

int pg_doc_visible(wy_store *st, int64_t viewer, bool admin, int offset, int limit, wy_doc_list *out, int *total,
		   wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	pg_args a = {0};
	pg_arg_int(&a, admin);
	pg_arg_int(&a, viewer ? viewer : -1);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT count(*) FROM documents d" VISIBLE_WHERE("$1", "$2"), &a, &r, NULL,
			 "count documents", ei)))
		return pg_end(st, rc, ei);
	*total = (int)pg_int(r, 0, 0);
	PQclear(r);
	pg_args b = {0};
	arg_limit(&b, limit, 0);
	pg_arg_int(&b, offset > 0 ? offset : 0);
	pg_arg_int(&b, admin);
	pg_arg_int(&b, viewer ? viewer : -1);
	rc = pg_read_docs(st, "SELECT " DOC_COLUMNS VISIBLE_WHERE("$3", "$4") " ORDER BY d.id DESC LIMIT $1 OFFSET $2",
			  &b, out, ei);
	pg_rollback(st);
	return rc;
}

int pg_doc_popular(wy_store *st, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	pg_args a = {0};
	arg_limit(&a, limit, 10);
	return pg_read_docs(st, "SELECT " DOC_COLUMNS " WHERE" LISTED " ORDER BY d.views DESC, d.id DESC LIMIT $1", &a,
			    out, ei);
}

int pg_doc_add_counts(wy_store *st, const int64_t *ids, const int64_t *counts, int n, bool downloads,
		      wy_errinfo *ei)
{
	if (n <= 0)
		return WY_OK;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		int64_t v[2] = {ids[i], counts[i]};
		rc = pg_exec_ints(st,
				  downloads ? "UPDATE documents SET downloads = downloads + $2 WHERE id = $1"
					    : "UPDATE documents SET views = views + $2 WHERE id = $1",
				  v, 2, NULL, "count views", ei);
	}
	return pg_end(st, rc, ei);
}

int pg_doc_find(wy_store *st, const wy_doc_filter *f, int offset, int limit, wy_doc_list *out, int *total,
		wy_errinfo *ei)
{
	/* The order is one of these fixed clauses, never text from a request. */
	static const char *const order[] = {
		" ORDER BY d.id DESC",
		" ORDER BY d.views DESC, d.id DESC",
		" ORDER BY d.downloads DESC, d.id DESC",
	};
	memset(out, 0, sizeof *out);
	*total = 0;
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	pg_args a = {0};
	pg_filter_args(&a, f);
	PGresult *r;
	if ((rc = pg_run(st, "SELECT count(*) FROM documents d LEFT JOIN categories c ON c.id = d.category_id" PG_FIND_WHERE,
			 &a, &r, NULL, "count documents", ei)))
		return pg_end(st, rc, ei);
	*total = (int)pg_int(r, 0, 0);
	PQclear(r);
	char sql[2048];
	snprintf(sql, sizeof sql, "SELECT " DOC_COLUMNS PG_FIND_WHERE "%s LIMIT $6 OFFSET $7",
		 order[(unsigned)f->sort < 3 ? f->sort : 0]);
	arg_limit(&a, limit, 20);
	pg_arg_int(&a, offset > 0 ? offset : 0);
	rc = pg_read_docs(st, sql, &a, out, ei);
	pg_rollback(st);
	return rc;
}

int pg_page_get(wy_store *st, int64_t doc_id, int page_no, wy_page *out, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, page_no);
	PGresult *r;
	int rc = pg_run(st, "SELECT text, image_sha256, width, height, boxes FROM pages WHERE doc_id = $1 AND page_no = $2",
			&a, &r, NULL, "get page", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		memset(out, 0, sizeof *out);
		out->doc_id = doc_id;
		out->page_no = page_no;
		out->text = pg_str(r, 0, 0);
		pg_sha(r, 0, 1, out->image_sha256);
		out->width = (int)pg_int(r, 0, 2);
		out->height = (int)pg_int(r, 0, 3);
		size_t nb;
		void *b = pg_bytes(r, 0, 4, &nb);
		if (b && nb > 0) {
			out->boxes = b;
			out->boxes_len = nb;
		} else {
			free(b);
		}
	} else {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no page %d in document %lld", page_no, (long long)doc_id);
	}
	PQclear(r);
	return rc;
}

int pg_doc_retry(wy_store *st, int64_t doc_id, bool force, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	int64_t status = 0;
	bool found;
	if ((rc = pg_row_ints(st, "SELECT status FROM documents WHERE id = $1", &doc_id, 1, &status, 1, &found, "retry",
			      ei)))
		return pg_end(st, rc, ei);
	if (!found)
		return pg_end(st, wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id), ei);
	if (status == WY_DOC_QUEUED || status == WY_DOC_CONVERTING || status == WY_DOC_READABLE)
		return pg_end(st,
			      wy_err_set(ei, WY_EINVAL, "document %lld is %s already", (long long)doc_id,
					 wy_doc_status_name((wy_doc_status)status)),
			      ei);
	if (status == WY_DOC_READY && !force)
		return pg_end(st,
			      wy_err_set(ei, WY_EINVAL, "document %lld is ready (use --force to convert it again)",
					 (long long)doc_id),
			      ei);
	if ((rc = pg_queue_job(st, doc_id, 0, 0, NULL, ei)))
		return pg_end(st, rc, ei);
	/* A ready document stays readable until the new conversion publishes. */
	if (status == WY_DOC_FAILED)
		rc = pg_set_doc_status(st, doc_id, WY_DOC_QUEUED, NULL, NULL, ei);
	return pg_end(st, rc, ei);
}

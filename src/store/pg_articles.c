/* store/pg_articles: articles and the site's links on PostgreSQL, as
 * sqlite_articles.c keeps them on SQLite (store.h's "articles and site
 * links"). Who may read an article is SQ_ARTICLE_PUBLIC (store/rules.h),
 * never restated; what a client sends is checked by the shared rules
 * (store_article_check, store_link_check) before any statement runs. */
#include "core/util.h"
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* id, slug, title, kind, state, published_at, created_at, updated_at,
 * and body_md when asked */
#define ARTICLE_COLUMNS "a.id, a.slug, a.title, a.kind, a.state, a.published_at, a.created_at, a.updated_at"

static void read_article(const PGresult *r, int row, wy_article *a, bool body)
{
	memset(a, 0, sizeof *a);
	a->id = pg_int(r, row, 0);
	a->slug = pg_str(r, row, 1);
	a->title = pg_str(r, row, 2);
	a->kind = pg_str(r, row, 3);
	a->state = (int)pg_int(r, row, 4);
	a->published_at = pg_int(r, row, 5);
	a->created_at = pg_int(r, row, 6);
	a->updated_at = pg_int(r, row, 7);
	if (body)
		a->body_md = pg_str(r, row, 8);
}

int pg_article_get(wy_store *st, const char *slug, bool admin, int64_t now, wy_article *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!wy_article_slug_valid(slug))
		return wy_err_set(ei, WY_ENOTFOUND, "articles: no article '%s'", slug ? slug : "");
	pg_args a = {0};
	pg_arg_text(&a, slug);
	pg_arg_int(&a, admin ? 1 : 0);
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT " ARTICLE_COLUMNS ", a.body_md FROM articles a WHERE a.slug = $1 AND ($2::boolean OR "
			SQ_ARTICLE_PUBLIC("a", "$3::bigint") ")",
			&a, &r, NULL, "articles: get", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		read_article(r, 0, out, true);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "articles: no article '%s'", slug);
	PQclear(r);
	return rc;
}

#define ARTICLES_WHERE                                                                                      \
	" FROM articles a WHERE ($1::text IS NULL OR a.kind = $1::text) AND ($2::boolean OR "                  \
	SQ_ARTICLE_PUBLIC("a", "$3::bigint") ")"

int pg_article_list(wy_store *st, const char *kind, bool admin, int64_t now, int offset, int limit,
		    wy_article_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
	pg_args a = {0};
	pg_arg_text(&a, kind);
	pg_arg_int(&a, admin ? 1 : 0);
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_begin_read(st, ei);
	if (rc)
		return rc;
	/* the count and the page of one snapshot */
	if ((rc = pg_run(st, "SELECT count(*)" ARTICLES_WHERE, &a, &r, NULL, "articles: count", ei)))
		goto out;
	*total = (int)pg_int(r, 0, 0);
	PQclear(r);
	pg_arg_int(&a, limit);
	pg_arg_int(&a, offset);
	if ((rc = pg_run(st,
			 "SELECT " ARTICLE_COLUMNS ARTICLES_WHERE
			 " ORDER BY a.published_at DESC, a.id DESC LIMIT $4 OFFSET $5",
			 &a, &r, NULL, "articles: list", ei)))
		goto out;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		read_article(r, k, &out->items[out->n++], false);
	}
	PQclear(r);
out:
	pg_rollback(st);
	return rc;
}

int pg_article_put(wy_store *st, const wy_article *a, int64_t *id, wy_errinfo *ei)
{
	int rc = store_article_check(a, ei);
	if (rc)
		return rc;
	if ((rc = pg_begin(st, ei)))
		return rc;
	PGresult *r;
	pg_args s = {0};
	pg_arg_text(&s, a->slug);
	/* who has the slug now, and what article a->id is */
	if ((rc = pg_run(st, "SELECT id FROM articles WHERE slug = $1", &s, &r, NULL, "articles: read", ei)))
		goto fail;
	int64_t holder = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	if (holder && holder != a->id) {
		rc = wy_err_set(ei, WY_EEXIST, "articles: the slug '%s' is taken", a->slug);
		goto fail;
	}
	const char *sql;
	if (a->id) {
		pg_args i = {0};
		pg_arg_int(&i, a->id);
		if ((rc = pg_run(st, "SELECT slug FROM articles WHERE id = $1", &i, &r, NULL, "articles: read", ei)))
			goto fail;
		bool there = PQntuples(r) > 0;
		bool renamed = there && strcmp(pg_cstr(r, 0, 0), a->slug) != 0 && wy_article_is_legal(pg_cstr(r, 0, 0));
		PQclear(r);
		if (!there) {
			rc = wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)a->id);
			goto fail;
		}
		if (renamed) {
			rc = wy_err_set(ei, WY_EINVAL, "articles: a legal page keeps its slug");
			goto fail;
		}
		sql = "UPDATE articles SET slug = $2, title = $3, kind = $4, body_md = $5, state = $6,"
		      " published_at = $7, updated_at = $8 WHERE id = $1 RETURNING id";
	} else {
		int64_t n;
		if ((rc = pg_row_ints(st, "SELECT count(*) FROM articles", NULL, 0, &n, 1, NULL, "articles: count", ei)))
			goto fail;
		if (n >= WY_ARTICLES_MAX) {
			rc = wy_err_set(ei, WY_ETOOBIG, "articles: at most %d", WY_ARTICLES_MAX);
			goto fail;
		}
		/* $1 (0) names no column: it keeps the statements' parameters alike */
		sql = "INSERT INTO articles(slug, title, kind, body_md, state, published_at, updated_at, created_at)"
		      " SELECT $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $8::bigint WHERE $1::bigint = 0"
		      " RETURNING id";
	}
	pg_args w = {0};
	pg_arg_int(&w, a->id);
	pg_arg_text(&w, a->slug);
	pg_arg_text(&w, a->title);
	pg_arg_text(&w, a->kind);
	pg_arg_text(&w, a->body_md);
	pg_arg_int(&w, a->state);
	pg_arg_int(&w, a->published_at);
	pg_arg_int(&w, wy_now());
	if ((rc = pg_run(st, sql, &w, &r, NULL, "articles: write", ei)))
		goto fail;
	if (id && PQntuples(r) > 0)
		*id = pg_int(r, 0, 0);
	PQclear(r);
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_article_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, id);
	PGresult *r;
	int rc = pg_run(st, "SELECT slug FROM articles WHERE id = $1", &a, &r, NULL, "articles: read", ei);
	if (rc)
		return rc;
	bool there = PQntuples(r) > 0, legal = there && wy_article_is_legal(pg_cstr(r, 0, 0));
	PQclear(r);
	if (!there)
		return wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)id);
	if (legal)
		return wy_err_set(ei, WY_EPERM, "articles: a legal page is edited, never deleted");
	int changed = 0;
	if ((rc = pg_exec_ints(st, "DELETE FROM articles WHERE id = $1", &id, 1, &changed, "articles: delete", ei)))
		return rc;
	return changed ? WY_OK : wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)id);
}

/* ---- site links ---- */

int pg_link_list(wy_store *st, int kind, wy_site_link_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	pg_args a = {0};
	pg_arg_int(&a, kind);
	PGresult *r;
	int rc = pg_run(st,
			"SELECT id, kind, title, url, image, position FROM site_links WHERE $1::bigint < 0 OR kind = $1::bigint"
			" ORDER BY kind, position, id",
			&a, &r, NULL, "links: list", ei);
	if (rc)
		return rc;
	int rows = PQntuples(r), cap = 0;
	for (int k = 0; k < rows; k++) {
		out->items = pg_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_site_link *l = &out->items[out->n++];
		memset(l, 0, sizeof *l);
		l->id = pg_int(r, k, 0);
		l->kind = (int)pg_int(r, k, 1);
		l->title = pg_str(r, k, 2);
		l->url = pg_str(r, k, 3);
		l->image = pg_str(r, k, 4);
		l->position = (int)pg_int(r, k, 5);
	}
	PQclear(r);
	return WY_OK;
}

int pg_link_put(wy_store *st, const wy_site_link *l, int64_t *id, wy_errinfo *ei)
{
	int rc = store_link_check(l, ei);
	if (rc)
		return rc;
	if ((rc = pg_begin(st, ei)))
		return rc;
	if (!l->id) {
		int64_t k = l->kind, n;
		if ((rc = pg_row_ints(st, "SELECT count(*) FROM site_links WHERE kind = $1", &k, 1, &n, 1, NULL,
				      "links: count", ei)))
			goto fail;
		if (n >= WY_LINKS_MAX) {
			rc = wy_err_set(ei, WY_ETOOBIG, "links: at most %d of a kind", WY_LINKS_MAX);
			goto fail;
		}
	}
	pg_args a = {0};
	pg_arg_int(&a, l->id);
	pg_arg_int(&a, l->kind);
	pg_arg_text(&a, l->title);
	pg_arg_text(&a, l->url);
	pg_arg_text(&a, l->image ? l->image : "");
	pg_arg_int(&a, l->position);
	PGresult *r;
	if ((rc = pg_run(st,
			 l->id ? "UPDATE site_links SET kind = $2, title = $3, url = $4, image = $5, position = $6"
				 " WHERE id = $1 RETURNING id"
			       : "INSERT INTO site_links(kind, title, url, image, position)"
				 " SELECT $2::bigint, $3, $4, $5, $6::bigint WHERE $1::bigint = 0 RETURNING id",
			 &a, &r, NULL, "links: write", ei)))
		goto fail;
	bool wrote = PQntuples(r) > 0;
	if (wrote && id)
		*id = pg_int(r, 0, 0);
	PQclear(r);
	if (!wrote) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "links: no link %lld", (long long)l->id);
		goto fail;
	}
	return pg_commit(st, ei);
fail:
	pg_rollback(st);
	return rc;
}

int pg_link_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int changed = 0;
	int rc = pg_exec_ints(st, "DELETE FROM site_links WHERE id = $1", &id, 1, &changed, "links: delete", ei);
	if (rc)
		return rc;
	return changed ? WY_OK : wy_err_set(ei, WY_ENOTFOUND, "links: no link %lld", (long long)id);
}

/* store/sqlite_articles: articles (Markdown pages admins write: notices,
 * help, about us, the legal pages) and the site's links (navigation,
 * banners, friend links), store.h's "articles and site links". Who may
 * read an article is SQ_ARTICLE_PUBLIC (store/rules.h), used here and by
 * whatever lists articles for visitors; never restated. Everything a
 * client sends is checked here, whatever the caller checked before. */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "text/utf8.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* id, slug, title, kind, state, published_at, created_at, updated_at,
 * and body_md when asked */
#define ARTICLE_COLUMNS "a.id, a.slug, a.title, a.kind, a.state, a.published_at, a.created_at, a.updated_at"

static void read_article(sqlite3_stmt *s, wy_article *a, bool body)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	a->slug = sq_col_str(s, 1);
	a->title = sq_col_str(s, 2);
	a->kind = sq_col_str(s, 3);
	a->state = sqlite3_column_int(s, 4);
	a->published_at = sqlite3_column_int64(s, 5);
	a->created_at = sqlite3_column_int64(s, 6);
	a->updated_at = sqlite3_column_int64(s, 7);
	if (body)
		a->body_md = sq_col_str(s, 8);
}

int sqlite_article_get(wy_store *st, const char *slug, bool admin, int64_t now, wy_article *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!wy_article_slug_valid(slug))
		return wy_err_set(ei, WY_ENOTFOUND, "articles: no article '%s'", slug ? slug : "");
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT " ARTICLE_COLUMNS ", a.body_md FROM articles a WHERE a.slug = ?1 AND (?2 OR "
			 SQ_ARTICLE_PUBLIC("a", "?3") ")",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, slug);
	sqlite3_bind_int(s, 2, admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		read_article(s, out, true);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "articles: no article '%s'", slug);
	else
		rc = sq_fail(SQ(st)->db, ei, "articles: get");
	sq_done(st, s);
	return rc;
}

int sqlite_article_list(wy_store *st, const char *kind, bool admin, int64_t now, int offset, int limit,
			  wy_article_list *out, int *total, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	*total = 0;
#define ARTICLES_WHERE " FROM articles a WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 OR " SQ_ARTICLE_PUBLIC("a", "?3") ")"
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT count(*)" ARTICLES_WHERE, ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, kind);
	sqlite3_bind_int(s, 2, admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, now);
	if (sqlite3_step(s) == SQLITE_ROW)
		*total = sqlite3_column_int(s, 0);
	else
		rc = sq_fail(SQ(st)->db, ei, "articles: count");
	sq_done(st, s);
	if (rc)
		return rc;
	if ((rc = sq_prep(st, &s,
			  "SELECT " ARTICLE_COLUMNS ARTICLES_WHERE " ORDER BY a.published_at DESC, a.id DESC LIMIT ?4 OFFSET ?5",
			  ei)))
		return rc;
#undef ARTICLES_WHERE
	sq_bind_text(s, 1, kind);
	sqlite3_bind_int(s, 2, admin ? 1 : 0);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int(s, 4, limit);
	sqlite3_bind_int(s, 5, offset);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		read_article(s, &out->items[out->n++], false);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "articles: list");
		wy_article_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_article_put(wy_store *st, const wy_article *a, int64_t *id, wy_errinfo *ei)
{
	int rc = store_article_check(a, ei);
	if (rc)
		return rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	sqlite3_stmt *s;
	int64_t found[2] = {0, 0};
	bool there = false;
	/* who has the slug now, and what article a->id is */
	if ((rc = sq_prep(st, &s, "SELECT id FROM articles WHERE slug = ?1", ei)))
		goto fail;
	sq_bind_text(s, 1, a->slug);
	if (sqlite3_step(s) == SQLITE_ROW)
		found[0] = sqlite3_column_int64(s, 0);
	sq_done(st, s);
	if (found[0] && found[0] != a->id) {
		rc = wy_err_set(ei, WY_EEXIST, "articles: the slug '%s' is taken", a->slug);
		goto fail;
	}
	if (a->id) {
		char *old = NULL;
		if ((rc = sq_prep(st, &s, "SELECT slug FROM articles WHERE id = ?1", ei)))
			goto fail;
		sqlite3_bind_int64(s, 1, a->id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			there = true;
			old = sq_col_str(s, 0);
		}
		sq_done(st, s);
		bool renamed = old && strcmp(old, a->slug) != 0 && wy_article_is_legal(old);
		free(old);
		if (!there) {
			rc = wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)a->id);
			goto fail;
		}
		if (renamed) {
			rc = wy_err_set(ei, WY_EINVAL, "articles: a legal page keeps its slug");
			goto fail;
		}
		rc = sq_prep(st, &s,
			     "UPDATE articles SET slug = ?2, title = ?3, kind = ?4, body_md = ?5, state = ?6,"
			     " published_at = ?7, updated_at = ?8 WHERE id = ?1",
			     ei);
	} else {
		int64_t n;
		if ((rc = sq_row_ints(st, "SELECT count(*) FROM articles", NULL, 0, &n, 1, NULL, "articles: count", ei)))
			goto fail;
		if (n >= WY_ARTICLES_MAX) {
			rc = wy_err_set(ei, WY_ETOOBIG, "articles: at most %d", WY_ARTICLES_MAX);
			goto fail;
		}
		rc = sq_prep(st, &s,
			     "INSERT INTO articles(slug, title, kind, body_md, state, published_at, updated_at, created_at)"
			     " VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
			     ei);
	}
	if (rc)
		goto fail;
	sqlite3_bind_int64(s, 1, a->id);
	sq_bind_text(s, 2, a->slug);
	sq_bind_text(s, 3, a->title);
	sq_bind_text(s, 4, a->kind);
	sq_bind_text(s, 5, a->body_md);
	sqlite3_bind_int(s, 6, a->state);
	sqlite3_bind_int64(s, 7, a->published_at);
	sqlite3_bind_int64(s, 8, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "articles: write");
	else if (id)
		*id = a->id ? a->id : sqlite3_last_insert_rowid(SQ(st)->db);
	sq_done(st, s);
	return sq_end(st, rc, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_article_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT slug FROM articles WHERE id = ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	char *slug = sqlite3_step(s) == SQLITE_ROW ? sq_col_str(s, 0) : NULL;
	sq_done(st, s);
	if (!slug)
		return wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)id);
	bool legal = wy_article_is_legal(slug);
	free(slug);
	if (legal)
		return wy_err_set(ei, WY_EPERM, "articles: a legal page is edited, never deleted");
	int changed = 0;
	int64_t v = id;
	if ((rc = sq_exec_ints(st, "DELETE FROM articles WHERE id = ?1", &v, 1, &changed, "articles: delete", ei)))
		return rc;
	return changed ? WY_OK : wy_err_set(ei, WY_ENOTFOUND, "articles: no article %lld", (long long)id);
}

/* ---- site links ---- */

int sqlite_link_list(wy_store *st, int kind, wy_site_link_list *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT id, kind, title, url, image, position FROM site_links WHERE ?1 < 0 OR kind = ?1"
			 " ORDER BY kind, position, id",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, kind);
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_site_link *l = &out->items[out->n++];
		l->id = sqlite3_column_int64(s, 0);
		l->kind = sqlite3_column_int(s, 1);
		l->title = sq_col_str(s, 2);
		l->url = sq_col_str(s, 3);
		l->image = sq_col_str(s, 4);
		l->position = sqlite3_column_int(s, 5);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "links: list");
		wy_site_link_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_link_put(wy_store *st, const wy_site_link *l, int64_t *id, wy_errinfo *ei)
{
	int rc = store_link_check(l, ei);
	if (rc)
		return rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	sqlite3_stmt *s;
	if (!l->id) {
		int64_t k = l->kind, n;
		if ((rc = sq_row_ints(st, "SELECT count(*) FROM site_links WHERE kind = ?1", &k, 1, &n, 1, NULL,
				      "links: count", ei)))
			goto fail;
		if (n >= WY_LINKS_MAX) {
			rc = wy_err_set(ei, WY_ETOOBIG, "links: at most %d of a kind", WY_LINKS_MAX);
			goto fail;
		}
		rc = sq_prep(st, &s, "INSERT INTO site_links(kind, title, url, image, position) VALUES(?2, ?3, ?4, ?5, ?6)", ei);
	} else {
		rc = sq_prep(st, &s,
			     "UPDATE site_links SET kind = ?2, title = ?3, url = ?4, image = ?5, position = ?6 WHERE id = ?1", ei);
	}
	if (rc)
		goto fail;
	sqlite3_bind_int64(s, 1, l->id);
	sqlite3_bind_int(s, 2, l->kind);
	sq_bind_text(s, 3, l->title);
	sq_bind_text(s, 4, l->url);
	sq_bind_text(s, 5, l->image ? l->image : "");
	sqlite3_bind_int(s, 6, l->position);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "links: write");
	else if (l->id && sqlite3_changes(SQ(st)->db) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "links: no link %lld", (long long)l->id);
	else if (id)
		*id = l->id ? l->id : sqlite3_last_insert_rowid(SQ(st)->db);
	sq_done(st, s);
	return sq_end(st, rc, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_link_delete(wy_store *st, int64_t id, wy_errinfo *ei)
{
	int changed = 0;
	int rc = sq_exec_ints(st, "DELETE FROM site_links WHERE id = ?1", &id, 1, &changed, "links: delete", ei);
	if (rc)
		return rc;
	return changed ? WY_OK : wy_err_set(ei, WY_ENOTFOUND, "links: no link %lld", (long long)id);
}

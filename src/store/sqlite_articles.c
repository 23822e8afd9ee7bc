/* store/sqlite_articles: articles (Markdown pages admins write: notices,
 * help, about us, the legal pages) and the site's links (navigation,
 * banners, friend links), store.h's "articles and site links". Who may
 * read an article is SQ_ARTICLE_PUBLIC (sqlite_int.h), used here and by
 * whatever lists articles for visitors; never restated. Everything a
 * client sends is checked here, whatever the caller checked before. */
#include "core/util.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "text/utf8.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

const char *const wy_article_kinds[] = {"notice", "help", "about", "legal", NULL};
static const char *const legal_slugs[] = {"terms", "privacy", "disclaimer", NULL};

void wy_article_clear(wy_article *a)
{
	if (!a)
		return;
	free(a->slug);
	free(a->title);
	free(a->kind);
	free(a->body_md);
	memset(a, 0, sizeof *a);
}

void wy_article_list_clear(wy_article_list *l)
{
	for (int i = 0; l && i < l->n; i++)
		wy_article_clear(&l->items[i]);
	if (l) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
}

bool wy_article_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n == 0 || n > WY_ARTICLE_SLUG_MAX || slug[0] == '-' || slug[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') || slug[i] == '-'))
			return false;
	return true;
}

bool wy_article_is_legal(const char *slug)
{
	for (int i = 0; slug && legal_slugs[i]; i++)
		if (strcmp(slug, legal_slugs[i]) == 0)
			return true;
	return false;
}

static bool kind_valid(const char *kind)
{
	for (int i = 0; kind && wy_article_kinds[i]; i++)
		if (strcmp(kind, wy_article_kinds[i]) == 0)
			return true;
	return false;
}

/* Characters of s when it is valid UTF-8 with no control character but
 * those in allowed (NULL: none), else -1; *visible: one is not a space. */
static long text_length(const char *s, const char *allowed, bool *visible)
{
	size_t n = strlen(s);
	*visible = false;
	if (!wy_utf8_valid(s, n))
		return -1;
	long count = 0;
	for (const char *p = s, *end = s + n; p < end; count++) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			return -1;
		bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
			       wy_is_hidden_control((uint32_t)cp);
		if (control && !(cp < 0x80 && allowed && strchr(allowed, cp)))
			return -1;
		if (cp != ' ' && cp != 0x3000 && !control)
			*visible = true;
	}
	return count;
}

static bool title_valid(const char *t, long max)
{
	bool visible;
	long n = t ? text_length(t, NULL, &visible) : -1;
	return n >= 1 && n <= max && visible;
}

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

static int article_check(const wy_article *a, wy_errinfo *ei)
{
	if (!wy_article_slug_valid(a->slug))
		return wy_err_set(ei, WY_EINVAL, "articles: a slug is 1-%d of a-z, 0-9 and '-' (not first or last)",
				  WY_ARTICLE_SLUG_MAX);
	if (!title_valid(a->title, WY_ARTICLE_TITLE_MAX))
		return wy_err_set(ei, WY_EINVAL, "articles: a title is 1-%d characters", WY_ARTICLE_TITLE_MAX);
	if (!kind_valid(a->kind))
		return wy_err_set(ei, WY_EINVAL, "articles: a kind is notice, help, about or legal");
	bool visible;
	if (!a->body_md || strlen(a->body_md) > WY_ARTICLE_BODY_MAX)
		return wy_err_set(ei, WY_EINVAL, "articles: a body is at most %d KiB of text", WY_ARTICLE_BODY_MAX >> 10);
	if (text_length(a->body_md, "\n\r\t", &visible) < 0)
		return wy_err_set(ei, WY_EINVAL, "articles: a body is not UTF-8 text (or has control characters)");
	if (a->state != 0 && a->state != 1)
		return wy_err_set(ei, WY_EINVAL, "articles: a state is 0 (draft) or 1 (published)");
	if (a->published_at <= 0)
		return wy_err_set(ei, WY_EINVAL, "articles: no publishing time");
	return WY_OK;
}

int sqlite_article_put(wy_store *st, const wy_article *a, int64_t *id, wy_errinfo *ei)
{
	int rc = article_check(a, ei);
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

void wy_site_link_list_clear(wy_site_link_list *l)
{
	for (int i = 0; l && i < l->n; i++) {
		free(l->items[i].title);
		free(l->items[i].url);
		free(l->items[i].image);
	}
	if (l) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
}

bool wy_site_link_url_valid(const char *url, bool image)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0 || n > WY_LINK_URL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`')
			return false;
	}
	if (url[0] == '/')
		return url[1] != '/'; /* "//host" leaves the site */
	const char *host = !strncmp(url, "https://", 8) ? url + 8 : !image && !strncmp(url, "http://", 7) ? url + 7 : NULL;
	if (!host)
		return false; /* javascript:, data:, a relative path ... */
	/* a host: a DNS name or address, an optional :port */
	return wy_host_valid(host, strcspn(host, "/?#"));
}

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
	if (l->kind < 0 || l->kind >= WY_LINK_NKINDS)
		return wy_err_set(ei, WY_EINVAL, "links: no such kind of link");
	if (!title_valid(l->title, WY_LINK_TITLE_MAX))
		return wy_err_set(ei, WY_EINVAL, "links: a title is 1-%d characters", WY_LINK_TITLE_MAX);
	if (!wy_site_link_url_valid(l->url, false))
		return wy_err_set(ei, WY_EINVAL, "links: a link is http:// or https:// with a host, or a path on this site");
	const char *image = l->image ? l->image : "";
	if (l->kind == WY_LINK_BANNER ? !wy_site_link_url_valid(image, true) : *image != 0)
		return wy_err_set(ei, WY_EINVAL, "links: a banner's picture is https:// with a host, or a path on this site");
	if (l->position < -1000000 || l->position > 1000000)
		return wy_err_set(ei, WY_EINVAL, "links: a position is from -1000000 to 1000000");
	int rc = sq_begin(st, ei);
	if (rc)
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
	sq_bind_text(s, 5, image);
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

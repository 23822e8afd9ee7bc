/* web/articles: the site's own pages and what frames every page. Articles
 * (notices, help, about us, the legal pages) at /article/{slug} and their
 * list at /articles, with JSON twins; the admin area's "articles" and
 * "links" tabs and their forms; the header's navigation, the home page's
 * banners and the footer's friend links, 公安备案 number and analytics
 * script; and the Content-Security-Policy those settings call for.
 *
 * An article's Markdown is rendered by cmark with raw HTML off
 * (convert/markdown.h): what an admin writes never becomes a script,
 * an event handler or a javascript: link. The links come from the store
 * and are kept in memory with the site settings (web_pages_load, called
 * by web_site_load: at start, every 5 s and after an admin's change), so
 * rendering a page never waits on the store for its frame. Nothing here
 * loads anything from elsewhere but the analytics script an admin set and
 * banner pictures an admin chose, and the CSP names exactly their
 * origins. */
#include "convert/markdown.h"
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the frame's links, kept with the site settings ---- */

static struct {
	pthread_mutex_t lock;
	json_t *nav, *banners, *friends; /* arrays of {title, url[, image]} */
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

static json_t *link_json(const wy_site_link *l)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)l->id, "title", l->title ? l->title : "", "url",
			      l->url ? l->url : "", "position", l->position);
	if (l->kind == WY_LINK_BANNER)
		json_object_set_new(o, "image", json_string(l->image ? l->image : ""));
	/* a link elsewhere opens as one: the page says so to its reader */
	if (l->url && l->url[0] != '/')
		json_object_set_new(o, "external", json_true());
	return o;
}

/* Add origin (of an https URL) to the space-separated list in b, once. */
static void add_origin(wy_buf *b, const char *url)
{
	char origin[600];
	if (!wy_https_origin(url, origin, sizeof origin))
		return;
	size_t n = strlen(origin);
	for (const char *p = b->data; p && (p = strstr(p, origin)); p += n)
		if ((p == b->data || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return;
	wy_buf_printf(b, "%s%s", b->len ? " " : "", origin);
}

void web_pages_load(server *sv, wy_store *st)
{
	wy_site_link_list l;
	wy_errinfo ei = {0};
	int rc = wy_store_link_list(st, -1, &l, &ei);
	if (rc) {
		wy_warn("pages.links_unread", "msg=\"%s\"", wy_err_msg(&ei, rc));
		return; /* the links kept before stay */
	}
	json_t *a[WY_LINK_NKINDS] = {json_array(), json_array(), json_array()};
	wy_buf imgs;
	wy_buf_init(&imgs, 8192);
	for (int i = 0; i < l.n; i++) {
		if (l.items[i].kind < 0 || l.items[i].kind >= WY_LINK_NKINDS)
			continue;
		json_array_append_new(a[l.items[i].kind], link_json(&l.items[i]));
		if (l.items[i].kind == WY_LINK_BANNER)
			add_origin(&imgs, l.items[i].image);
	}
	wy_site_link_list_clear(&l);
	pthread_mutex_lock(&kept.lock);
	json_decref(kept.nav);
	json_decref(kept.banners);
	json_decref(kept.friends);
	kept.nav = a[WY_LINK_NAV];
	kept.banners = a[WY_LINK_BANNER];
	kept.friends = a[WY_LINK_FRIEND];
	pthread_mutex_unlock(&kept.lock);
	/* the CSP follows: the analytics script's origin, the banners' */
	wy_config site;
	web_site_get(sv, &site);
	char script[600] = "";
	if (site.analytics_script[0] && !wy_https_origin(site.analytics_script, script, sizeof script))
		script[0] = 0;
	web_csp_set(script, imgs.data ? imgs.data : "");
	wy_buf_free(&imgs);
}

/* A copy of one kept list (an empty array when none). */
static json_t *kept_list(json_t *const *which)
{
	pthread_mutex_lock(&kept.lock);
	json_t *v = *which ? json_deep_copy(*which) : json_array();
	pthread_mutex_unlock(&kept.lock);
	return v;
}

/* The 公安备案 number's digits: its record's code at beian.mps.gov.cn. */
static void psb_code(const char *psb, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = psb; *p && n + 1 < size; p++)
		if (*p >= '0' && *p <= '9')
			out[n++] = *p;
	out[n] = 0;
}

/* Whether path p is the path of the URL url or one under it. */
static bool at_or_under(const char *url, const char *p)
{
	size_t n = strlen(p);
	return strncmp(url, p, n) == 0 && (url[n] == 0 || url[n] == '/');
}

bool web_analytics_on(const web_req *rq)
{
	/* the URL's path (a request that took no route has none: a 404) */
	const char *url = rq && rq->route ? rq->rest - rq->rest_at : "";
	/* pages with passwords, mailed tokens, CSRF tokens of accounts and
	 * admins, or a document's owner forms: no script of another site
	 * may read them */
	static const char *const kept_off[] = {"/admin", "/me",     "/login",         "/register",
					       "/reset", "/verify", "/upload",        "/api/v1/admin",
					       "/api/v1/me", NULL};
	/* nor any page served to an admin: the script would run in this
	 * origin with the admin's session and its CSRF token */
	if (rq && web_is_admin(rq))
		return false;
	for (int i = 0; kept_off[i]; i++)
		if (at_or_under(url, kept_off[i]))
			return false;
	const char *rest = strncmp(url, "/doc/", 5) == 0 ? strchr(url + 5, '/') : NULL;
	return !(rest && (strcmp(rest, "/edit") == 0 || strcmp(rest, "/replace") == 0));
}

void web_pages_frame(web_req *rq, json_t *frame)
{
	server *sv = rq->sv;
	wy_config site;
	web_site_get(sv, &site);
	json_t *nav = kept_list(&kept.nav), *friends = kept_list(&kept.friends);
	json_object_set_new(frame, "has_nav", json_boolean(json_array_size(nav) > 0));
	json_object_set_new(frame, "nav", nav);
	json_object_set_new(frame, "has_friends", json_boolean(json_array_size(friends) > 0));
	json_object_set_new(frame, "friends", friends);
	if (site.site_psb[0]) {
		char code[64];
		psb_code(site.site_psb, code, sizeof code);
		json_object_set_new(frame, "psb", json_pack("{s:s, s:s}", "text", site.site_psb, "code", code));
	}
	/* checked when set (config.c); checked again: a page only ever
	 * carries an https URL its CSP allows */
	char origin[600];
	if (site.analytics_script[0] && web_analytics_on(rq) &&
	    wy_https_origin(site.analytics_script, origin, sizeof origin))
		json_object_set_new(frame, "analytics_script", json_string(site.analytics_script));
}

void web_pages_home(server *sv, json_t *ctx)
{
	(void)sv;
	json_t *b = kept_list(&kept.banners);
	json_object_set_new(ctx, "has_banners", json_boolean(json_array_size(b) > 0));
	json_object_set_new(ctx, "banners", b);
}

/* ---- articles ---- */

static const char *const kind_words[][2] = {
	{"notice", N_("公告")}, {"help", N_("帮助")}, {"about", N_("关于我们")}, {"legal", N_("协议与声明")}};

static const char *kind_word(const char *lang, const char *kind)
{
	for (size_t k = 0; kind && k < sizeof kind_words / sizeof kind_words[0]; k++)
		if (strcmp(kind, kind_words[k][0]) == 0)
			return wy_i18n_tr(lang, kind_words[k][1]);
	return kind ? kind : "";
}

/* A time in local time: its day (YYYY-MM-DD), what a datetime-local
 * input takes (YYYY-MM-DDTHH:MM), or day and minute. */
enum { DAY, INPUT, MINUTE };

static void date_text(int64_t at, int how, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;
	localtime_r(&t, &tm);
	if (how == DAY)
		strftime(out, size, "%Y-%m-%d", &tm);
	else if (how == INPUT)
		strftime(out, size, "%Y-%m-%dT%H:%M", &tm);
	else
		strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* An article as the JSON twin gives it (body: its Markdown too). */
static json_t *article_json(const wy_article *a, bool body)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)a->id, "slug", a->slug, "title",
			      a->title, "kind", a->kind, "state", a->state == 1 ? "published" : "draft", "published_at",
			      (json_int_t)a->published_at, "updated_at", (json_int_t)a->updated_at);
	char *url = wy_xasprintf("/article/%s", a->slug);
	json_object_set_new(o, "url", json_string(url));
	free(url);
	if (body)
		json_object_set_new(o, "body_md", json_string(a->body_md ? a->body_md : ""));
	return o;
}

/* What the pages add: the kind and dates in words, whether visitors see it. */
static void article_words(json_t *o, const wy_article *a, const char *lang, int64_t now)
{
	char date[32];
	json_object_set_new(o, "kind_label", json_string(kind_word(lang, a->kind)));
	date_text(a->published_at, DAY, date, sizeof date);
	json_object_set_new(o, "date", json_string(date));
	date_text(a->published_at, INPUT, date, sizeof date);
	json_object_set_new(o, "datetime", json_string(date));
	date_text(a->updated_at, MINUTE, date, sizeof date);
	json_object_set_new(o, "updated", json_string(date));
	json_object_set_new(o, "is_draft", json_boolean(a->state != 1));
	json_object_set_new(o, "is_later", json_boolean(a->state == 1 && a->published_at > now));
}

/* The text of html (tags and comments left out, white space runs one
 * space, &amp; &lt; &gt; &quot; &#39; decoded) into out, cut on a
 * character at 240 bytes at most; its length. */
static size_t description(const char *html, char *out, size_t size)
{
	static const char *const entities[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
	size_t n = 0;
	bool space = false;
	for (const char *p = html ? html : ""; *p && n + 8 < size;) {
		if (*p == '<') {
			const char *end = strncmp(p, "<!--", 4) == 0 ? strstr(p, "-->") : strchr(p, '>');
			p = end ? end + (end[0] == '-' ? 3 : 1) : p + strlen(p);
			continue; /* inline markup joins its text; blocks end in a line break */
		}
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
			space = n > 0;
			p++;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		size_t k;
		for (k = 0; *p == '&' && k < sizeof entities / sizeof entities[0]; k++)
			if (strncmp(p, entities[k][0], strlen(entities[k][0])) == 0)
				break;
		if (*p == '&' && k < sizeof entities / sizeof entities[0]) {
			out[n++] = entities[k][1][0];
			p += strlen(entities[k][0]);
		} else {
			out[n++] = *p++;
		}
	}
	return wy_utf8_truncate(out, n, 240);
}

enum MHD_Result web_page_article(web_req *rq)
{
	const char *slug = rq->rest;
	bool admin = web_is_admin(rq);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(rq->sv, &st, &ei))
		return web_unavailable(rq);
	int64_t now = wy_now();
	wy_article a;
	int rc = wy_store_article_get(st, slug, admin, now, &a, &ei);
	if (rc)
		return web_fail(rq, rc); /* a draft or a later one is not there for visitors */
	wy_buf html;
	if (wy_markdown_fragment(a.body_md, strlen(a.body_md), &html, &ei)) {
		wy_article_clear(&a);
		return web_refuse(rq, 500, "the article could not be rendered");
	}
	json_t *o = article_json(&a, rq->api);
	json_object_set_new(o, "html", json_stringn(html.data ? html.data : "", html.len));
	wy_buf_free(&html);
	if (rq->api) {
		wy_article_clear(&a);
		return web_json(rq->c, 200, o);
	}
	const char *lang = web_lang(rq->c);
	article_words(o, &a, lang, now);
	/* the description search engines show: the start of its text, from
	 * the HTML (what readers see: no markup, nothing raw HTML held) */
	char desc[400];
	size_t n = description(json_string_value(json_object_get(o, "html")), desc, sizeof desc);
	json_object_set_new(o, "meta_description", json_stringn(desc, n));
	json_object_set_new(o, "admin", json_boolean(admin));
	char *title = wy_xstrdup(a.title);
	wy_article_clear(&a);
	enum MHD_Result ret = web_page(rq, 200, title, rq->sv->article, o);
	free(title);
	return ret;
}

enum MHD_Result web_page_articles(web_req *rq)
{
	struct MHD_Connection *c = rq->c;
	const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
	bool known = false;
	for (int i = 0; kind && wy_article_kinds[i]; i++)
		known |= strcmp(kind, wy_article_kinds[i]) == 0;
	if (!known)
		kind = NULL; /* any other value: all of them */
	const int per = 20;
	int page = web_arg_int(c, "page", 1, 1, 100000), total = 0;
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(rq->sv, &st, &ei))
		return web_unavailable(rq);
	int64_t now = wy_now();
	wy_article_list l;
	/* the list is the visitors' also for an admin: drafts are in the admin area */
	if (wy_store_article_list(st, kind, false, now, (page - 1) * per, per, &l, &total, &ei))
		return web_unavailable(rq);
	const char *lang = web_lang(c);
	json_t *items = json_array();
	for (int i = 0; i < l.n; i++) {
		json_t *o = article_json(&l.items[i], false);
		if (!rq->api)
			article_words(o, &l.items[i], lang, now);
		json_array_append_new(items, o);
	}
	wy_article_list_clear(&l);
	json_t *ctx = json_pack("{s:o}", "articles", items);
	web_paging(ctx, total, page, per);
	if (rq->api)
		return web_json(c, 200, ctx);
	/* the filter's links, and page links that keep it */
	json_t *kinds = json_array();
	for (int i = 0; wy_article_kinds[i]; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "kind", wy_article_kinds[i], "label",
						       kind_word(lang, wy_article_kinds[i]), "on",
						       kind && strcmp(kind, wy_article_kinds[i]) == 0));
	json_object_set_new(ctx, "kinds", kinds);
	json_object_set_new(ctx, "all_on", json_boolean(!kind));
	json_object_set_new(ctx, "has_articles", json_boolean(json_array_size(json_object_get(ctx, "articles")) > 0));
	if (kind)
		json_object_set_new(ctx, "kind_arg", json_sprintf("kind=%s&", kind));
	return web_page(rq, 200, wy_i18n_tr(lang, "公告与帮助"), rq->sv->articles, ctx);
}

/* ---- the admin area's tabs ---- */

static const char *const link_kinds[WY_LINK_NKINDS] = {"nav", "banner", "friend"};
static const char *const link_kind_words[WY_LINK_NKINDS] = {N_("导航链接"), N_("首页横幅"), N_("友情链接")};

int web_pages_admin_context(wy_store *st, struct MHD_Connection *c, const char *tab, json_t *ctx, int page, int per,
			    int *total, wy_errinfo *ei)
{
	const char *lang = web_lang(c);
	int64_t now = wy_now();
	bool api = web_current && web_current->api; /* the twin: the data alone, no words */
	if (strcmp(tab, "links") == 0) {
		wy_site_link_list l;
		int rc = wy_store_link_list(st, -1, &l, ei);
		if (rc)
			return rc;
		json_t *groups = json_array();
		for (int k = 0; k < WY_LINK_NKINDS; k++) {
			json_t *a = json_array();
			for (int i = 0; i < l.n; i++)
				if (l.items[i].kind == k) {
					json_t *o = link_json(&l.items[i]);
					json_object_set_new(o, "kind", json_string(link_kinds[k]));
					if (!api)
						json_object_set_new(o, "is_banner", json_boolean(k == WY_LINK_BANNER));
					json_array_append_new(a, o);
				}
			json_t *g = json_pack("{s:s, s:o}", "kind", link_kinds[k], "links", a);
			if (!api)
				json_object_update_new(g, json_pack("{s:s, s:b}", "label", wy_i18n_tr(lang, link_kind_words[k]),
								    "is_banner", k == WY_LINK_BANNER));
			json_array_append_new(groups, g);
		}
		wy_site_link_list_clear(&l);
		json_object_set_new(ctx, "link_groups", groups);
		*total = 1;
		return WY_OK;
	}
	/* articles: all of them, and the one being edited (?edit=slug) */
	wy_article_list l;
	int rc = wy_store_article_list(st, NULL, true, now, (page - 1) * per, per, &l, total, ei);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++) {
		json_t *o = article_json(&l.items[i], false);
		if (!api)
			article_words(o, &l.items[i], lang, now);
		json_object_set_new(o, "legal", json_boolean(wy_article_is_legal(l.items[i].slug)));
		json_array_append_new(a, o);
	}
	wy_article_list_clear(&l);
	json_object_set_new(ctx, "articles", a);
	if (api)
		return WY_OK; /* an article's Markdown: GET /api/v1/article/{slug} */
	const char *edit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "edit");
	wy_article e;
	json_t *form;
	if (edit && wy_store_article_get(st, edit, true, now, &e, NULL) == WY_OK) {
		form = article_json(&e, true);
		article_words(form, &e, lang, now);
		json_object_set_new(form, "legal", json_boolean(wy_article_is_legal(e.slug)));
		json_object_set_new(form, "editing", json_true());
		wy_article_clear(&e);
	} else {
		/* a new one: published now, a notice */
		wy_article blank = {.slug = "", .title = "", .kind = "notice", .body_md = "", .state = 1, .published_at = now,
				    .updated_at = now};
		form = article_json(&blank, true);
		article_words(form, &blank, lang, now);
	}
	const char *mine = json_string_value(json_object_get(form, "kind"));
	json_t *opts = json_array();
	for (int i = 0; wy_article_kinds[i]; i++)
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "kind", wy_article_kinds[i], "label",
						      kind_word(lang, wy_article_kinds[i]), "selected",
						      mine && strcmp(mine, wy_article_kinds[i]) == 0));
	json_object_set_new(form, "kind_options", opts);
	json_object_set_new(form, "published", json_boolean(json_is_true(json_object_get(form, "is_draft")) == 0));
	json_object_set_new(ctx, "article_form", form);
	return WY_OK;
}

/* A form's publishing time: seconds since the epoch, or the local
 * "YYYY-MM-DDTHH:MM[:SS]" of a datetime-local input; empty: now. */
static bool form_time(const char *v, int64_t *out)
{
	if (!v || !*v) {
		*out = wy_now();
		return true;
	}
	char *end;
	if (v[0] >= '0' && v[0] <= '9' && strlen(v) <= 12 && !strchr(v, '-')) {
		long long t = strtoll(v, &end, 10);
		*out = t;
		return !*end && t > 0;
	}
	struct tm tm = {0};
	end = strptime(v, "%Y-%m-%dT%H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end, ":%S", &tm);
	if (!end || *end || tm.tm_year < 70 || tm.tm_year > 1100)
		return false;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	*out = (int64_t)t;
	return t > 0;
}

/* The field key of r's form, "" when absent. */
static const char *field(web_req *r, const char *key)
{
	const char *v = web_form_get(r, key, NULL);
	return v ? v : "";
}

int web_pages_admin_post(web_req *r, wy_store *st, const char *what, const char *action, char *target, size_t tsize,
			 char *detail, size_t dsize, const char **back, json_t **answer, wy_errinfo *ei)
{
	int64_t id = 0;
	const char *v = web_form_get(r, "id", NULL);
	if (v && *v && !web_path_id(v, &id))
		return wy_err_set(ei, WY_EINVAL, "no such id");
	if (strcmp(what, "article") == 0) {
		*back = "/admin/articles";
		snprintf(target, tsize, "article %lld", (long long)id);
		if (strcmp(action, "article_delete") == 0) {
			if (!id)
				return wy_err_set(ei, WY_EINVAL, "no such id");
			int rc = wy_store_article_delete(st, id, ei);
			if (!rc)
				web_flash(r, WEB_FLASH_ARTICLE_DELETED, id, 0);
			return rc;
		}
		if (strcmp(action, "article_save") != 0)
			return wy_err_set(ei, WY_EINVAL, "no such action");
		wy_article a = {.id = id};
		a.slug = (char *)field(r, "slug");
		a.title = (char *)field(r, "title");
		a.kind = (char *)field(r, "kind");
		a.body_md = (char *)field(r, "body_md");
		const char *state = field(r, "state"); /* absent: published */
		a.state = !*state || strcmp(state, "published") == 0 || strcmp(state, "1") == 0 ? 1
			: strcmp(state, "draft") == 0 || strcmp(state, "0") == 0     ? 0
										      : -1;
		if (!*a.kind)
			a.kind = "notice";
		if (!form_time(web_form_get(r, "published_at", NULL), &a.published_at))
			return wy_err_set(ei, WY_EINVAL, "articles: the publishing time is YYYY-MM-DDTHH:MM or seconds since 1970");
		/* the body's own text may hold CRLF line ends from a form: kept */
		int rc = wy_store_article_put(st, &a, &id, ei);
		if (rc)
			return rc;
		snprintf(target, tsize, "article %lld", (long long)id);
		snprintf(detail, dsize, "%s", a.slug);
		*answer = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "slug", a.slug, "url", "");
		char *url = wy_xasprintf("/article/%s", a.slug);
		json_object_set_new(*answer, "url", json_string(url));
		free(url);
		web_flash(r, WEB_FLASH_ARTICLE_SAVED, id, 0);
		return WY_OK;
	}
	/* a link */
	*back = "/admin/links";
	snprintf(target, tsize, "link %lld", (long long)id);
	if (strcmp(action, "link_delete") == 0) {
		if (!id)
			return wy_err_set(ei, WY_EINVAL, "no such id");
		int rc = wy_store_link_delete(st, id, ei);
		if (!rc)
			web_flash(r, WEB_FLASH_LINK_DELETED, id, 0);
		return rc;
	}
	if (strcmp(action, "link_save") != 0)
		return wy_err_set(ei, WY_EINVAL, "no such action");
	wy_site_link l = {.id = id, .kind = -1};
	const char *kind = field(r, "kind");
	for (int k = 0; k < WY_LINK_NKINDS; k++)
		if (strcmp(kind, link_kinds[k]) == 0)
			l.kind = k;
	l.title = (char *)field(r, "title");
	l.url = (char *)field(r, "url");
	l.image = (char *)field(r, "image");
	const char *pos = field(r, "position");
	char *end;
	long p = *pos ? strtol(pos, &end, 10) : 0;
	if (*pos && *end)
		return wy_err_set(ei, WY_EINVAL, "links: a position is a whole number");
	l.position = p < -1000000 || p > 1000000 ? 2000000 : (int)p; /* out of range: refused by the store */
	int rc = wy_store_link_put(st, &l, &id, ei);
	if (rc)
		return rc;
	snprintf(target, tsize, "link %lld", (long long)id);
	snprintf(detail, dsize, "%s %.*s", link_kinds[l.kind], (int)wy_utf8_truncate(l.url, strlen(l.url), 400), l.url);
	*answer = json_pack("{s:I}", "id", (json_int_t)id);
	web_flash(r, WEB_FLASH_LINK_SAVED, id, 0);
	return WY_OK;
}

/* web/home: the home page and the category listings (/, /category/...,
 * and their JSON twins /api/v1/home, /categories, /category/...). */
#include "view/views.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOME_PER_PAGE 24

/* Home: the category tree (two levels), the newest and the most viewed
 * documents, and every listed document (ready, published, public: the
 * store's doc_find for no viewer) as cards, HOME_PER_PAGE a page (?page=).
 * The same for everyone: a reader's own unlisted documents are on their
 * pages. */
static json_t *home_context(web_req *rq)
{
	wy_store *st;
	wy_errinfo ei = {0};
	wy_doc_list all = {0}, popular = {0};
	wy_category_list cats = {0};
	int64_t page = 1;
	const char *v = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, "page");
	if (v && (!web_path_id(v, &page) || page > 100000))
		page = 1;
	wy_doc_filter f = {.sort = WY_SORT_NEWEST};
	int total = 0;
	int rc = web_store(rq->sv, &st, &ei);
	if (!rc)
		rc = wy_store_doc_find(st, &f, (int)(page - 1) * HOME_PER_PAGE, HOME_PER_PAGE, &all, &total, &ei);
	if (!rc)
		rc = wy_store_doc_popular(st, 10, &popular, &ei);
	if (!rc)
		rc = wy_store_category_list(st, &cats, &ei);
	if (rc) {
		wy_doc_list_clear(&all);
		wy_doc_list_clear(&popular);
		return NULL;
	}
	json_t *tops = json_array(), *cur = NULL;
	for (int i = 0; i < cats.n; i++) {
		const wy_category *k = &cats.items[i];
		if (k->depth > 1)
			continue;
		char *url = wy_xasprintf("/category/%s", k->path);
		json_t *o = json_pack("{s:s, s:s}", "name", k->name, "url", url);
		free(url);
		if (k->depth == 0) {
			cur = o;
			json_object_set_new(cur, "children", json_array());
			json_array_append_new(tops, cur);
		} else if (cur) {
			json_array_append_new(json_object_get(cur, "children"), o);
		} else {
			json_decref(o);
		}
	}
	wy_category_list_clear(&cats);
	/* the newest: the first of the first page */
	json_t *fresh = json_array();
	for (int i = 0; page == 1 && i < all.n && i < 6; i++)
		json_array_append_new(fresh, web_doc_context(&all.items[i]));
	wy_config site;
	web_site_get(rq->sv, &site);
	json_t *ctx = json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:b}", "site_name", site.site_name, "categories", tops,
				"newest", fresh, "popular", web_docs_context(&popular), "documents",
				web_docs_context(&all), "total", total, "first", page == 1);
	json_object_set_new(ctx, "has_newest", json_boolean(json_array_size(fresh) > 0));
	json_object_set_new(ctx, "has_documents", json_boolean(all.n > 0));
	int pages = total ? (total + HOME_PER_PAGE - 1) / HOME_PER_PAGE : 1;
	json_object_set_new(ctx, "page", json_integer(page));
	json_object_set_new(ctx, "pages", json_integer(pages));
	if (page > 1) {
		char *u = page == 2 ? wy_xstrdup("/") : wy_xasprintf("/?page=%lld", (long long)page - 1);
		json_object_set_new(ctx, "prev", json_string(u));
		free(u);
	}
	if (page < pages) {
		char *u = wy_xasprintf("/?page=%lld", (long long)page + 1);
		json_object_set_new(ctx, "next", json_string(u));
		free(u);
	}
	wy_doc_list_clear(&all);
	wy_doc_list_clear(&popular);
	return ctx;
}

enum MHD_Result web_page_index(web_req *rq)
{
	json_t *ctx = home_context(rq);
	if (!ctx)
		return web_unavailable(rq);
	const char *lang = web_lang(rq->c);
	json_object_set_new(ctx, "meta_description",
			    json_string(wy_i18n_tr(lang, "在线阅读、搜索和分享文档：全文检索，繁简互通，按分类浏览。")));
	web_pages_home(rq->sv, ctx); /* the banners (articles.c) */
	return web_page(rq, 200, wy_i18n_tr(lang, "首页"), rq->sv->index, ctx);
}

/* A category listing's state, from and back into its query string. */
typedef struct listing {
	const char *path;
	char format[12];
	int pages_band; /* 0 any, 1: 1-10, 2: 11-50, 3: 51+ */
	wy_doc_sort sort;
	int64_t page;
} listing;

const char *const web_formats[] = {"pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "txt", "epub", "ofd", NULL};
/* Labels are msgids: the JSON twin shows them as they are, the page
 * translates them (page_category). */
const char *const web_bands[] = {N_("全部"), N_("1-10页"), N_("11-50页"), N_("50页以上")};
static const char *const sorts[] = {N_("最新"), N_("最多阅读"), N_("最多下载")};
static const char *const sort_keys[] = {"new", "views", "downloads"};

static char *listing_url(const listing *l, const char *format, int band, int sort, int64_t page)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_printf(&b, "/category/%s", l->path);
	char sep = '?';
	if (format && *format) {
		wy_buf_printf(&b, "%cformat=%s", sep, format);
		sep = '&';
	}
	if (band) {
		wy_buf_printf(&b, "%cpages=%d", sep, band);
		sep = '&';
	}
	if (sort) {
		wy_buf_printf(&b, "%csort=%s", sep, sort_keys[sort]);
		sep = '&';
	}
	if (page > 1)
		wy_buf_printf(&b, "%cpage=%lld", sep, (long long)page);
	return wy_buf_steal(&b);
}

static void read_listing(struct MHD_Connection *c, const char *path, listing *l)
{
	memset(l, 0, sizeof *l);
	l->path = path;
	l->page = 1;
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	for (int i = 0; v && web_formats[i]; i++)
		if (strcmp(v, web_formats[i]) == 0)
			snprintf(l->format, sizeof l->format, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pages");
	if (v && v[0] >= '1' && v[0] <= '3' && !v[1])
		l->pages_band = v[0] - '0';
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, sort_keys[i]) == 0)
			l->sort = (wy_doc_sort)i;
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
	if (v && (!web_path_id(v, &l->page) || l->page > 100000))
		l->page = 1;
}

/* The filter bar: each option a link that keeps the other choices. */
static json_t *filter_links(const listing *l)
{
	json_t *f = json_array(), *b = json_array(), *s = json_array();
	char *u = listing_url(l, NULL, l->pages_band, l->sort, 1);
	json_array_append_new(f, json_pack("{s:s, s:s, s:b}", "label", N_("全部"), "url", u, "on", !l->format[0]));
	free(u);
	for (int i = 0; web_formats[i]; i++) {
		char label[16];
		for (int k = 0; k < 15 && web_formats[i][k]; k++)
			label[k] = (char)(web_formats[i][k] - 32), label[k + 1] = 0;
		u = listing_url(l, web_formats[i], l->pages_band, l->sort, 1);
		json_array_append_new(f, json_pack("{s:s, s:s, s:b}", "label", label, "url", u,
						   "on", strcmp(l->format, web_formats[i]) == 0));
		free(u);
	}
	for (int i = 0; i < 4; i++) {
		u = listing_url(l, l->format, i, l->sort, 1);
		json_array_append_new(b, json_pack("{s:s, s:s, s:b}", "label", web_bands[i], "url", u, "on", l->pages_band == i));
		free(u);
	}
	for (int i = 0; i < 3; i++) {
		u = listing_url(l, l->format, l->pages_band, i, 1);
		json_array_append_new(s, json_pack("{s:s, s:s, s:b}", "label", sorts[i], "url", u, "on", (int)l->sort == i));
		free(u);
	}
	return json_pack("{s:o, s:o, s:o}", "formats", f, "pages", b, "sorts", s);
}

/* The data of /category/a/b (and of its JSON twin): the documents filed
 * there or below, filtered and sorted, 20 a page. NULL when there is no
 * such category. */
static json_t *category_context(web_req *rq, const char *path, bool *unavailable)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	wy_store *st;
	wy_errinfo ei = {0};
	*unavailable = false;
	if (!*path || strlen(path) > 1000)
		return NULL;
	if (web_store(sv, &st, &ei)) {
		*unavailable = true;
		return NULL;
	}
	wy_category_list cats;
	const wy_category *me = NULL;
	if (wy_store_category_list(st, &cats, &ei)) {
			*unavailable = true;
		return NULL;
	}
	for (int i = 0; i < cats.n && !me; i++)
		if (strcmp(cats.items[i].path, path) == 0)
			me = &cats.items[i];
	if (!me) {
		wy_category_list_clear(&cats);
			return NULL;
	}
	json_t *children = json_array();
	size_t plen = strlen(path);
	for (int i = 0; i < cats.n; i++) {
		const wy_category *k = &cats.items[i];
		if (k->depth == me->depth + 1 && strncmp(k->path, path, plen) == 0 && k->path[plen] == '/') {
			char *url = wy_xasprintf("/category/%s", k->path);
			json_array_append_new(children, json_pack("{s:s, s:s}", "name", k->name, "url", url));
			free(url);
		}
	}
	listing l;
	read_listing(c, path, &l);
	static const int band_min[] = {0, 1, 11, 51}, band_max[] = {0, 10, 50, 0};
	wy_doc_filter f = {.viewer = rq->authed ? rq->user.id : 0, .category = path,
			   .format = l.format[0] ? l.format : NULL, .min_pages = band_min[l.pages_band],
			   .max_pages = band_max[l.pages_band], .sort = l.sort};
	const int per = 20;
	int total = 0;
	wy_doc_list dl = {0};
	json_t *docs = json_array();
	if (wy_store_doc_find(st, &f, (int)(l.page - 1) * per, per, &dl, &total, &ei) == WY_OK)
		for (int i = 0; i < dl.n; i++)
			json_array_append_new(docs, web_doc_context(&dl.items[i]));
	wy_doc_list_clear(&dl);
	int pages = total ? (total + per - 1) / per : 1;
	bool has_children = json_array_size(children) > 0;
	json_t *ctx = json_pack("{s:s, s:s, s:o, s:o, s:o, s:i, s:I, s:i, s:o}", "name", me->name, "path", path,
				"breadcrumb", web_breadcrumb(path), "children", children, "documents", docs, "total", total,
				"page", (json_int_t)l.page, "pages", pages, "filters", filter_links(&l));
	json_object_set_new(ctx, "has_children", json_boolean(has_children));
	json_object_set_new(ctx, "has_documents", json_boolean(json_array_size(docs) > 0));
	if (l.page > 1) {
		char *u = listing_url(&l, l.format, l.pages_band, l.sort, l.page - 1);
		json_object_set_new(ctx, "prev", json_string(u));
		free(u);
	}
	if (l.page < pages) {
		char *u = listing_url(&l, l.format, l.pages_band, l.sort, l.page + 1);
		json_object_set_new(ctx, "next", json_string(u));
		free(u);
	}
	wy_category_list_clear(&cats);
	return ctx;
}

/* The filter labels of a category page in lang (its JSON twin keeps the
 * msgids). */
static void translate_labels(json_t *filters, const char *lang)
{
	const char *groups[] = {"formats", "pages", "sorts"};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(filters, groups[g]), i, o)
		{
			const char *label = json_string_value(json_object_get(o, "label"));
			if (label)
				json_object_set_new(o, "label", json_string(wy_i18n_tr(lang, label)));
		}
	}
}

/* /api/v1/category/...: the JSON twin of a listing. */
static enum MHD_Result api_category(web_req *rq)
{
	struct MHD_Connection *c = rq->c;
	const char *path = rq->rest;
	bool unavailable;
	json_t *ctx = category_context(rq, path, &unavailable);
	return ctx ? web_json(c, 200, ctx)
		   : unavailable ? web_unavailable(rq) : web_api_error(c, 404, "no such category");
}

enum MHD_Result web_page_category(web_req *rq)
{
	if (rq->api)
		return api_category(rq);
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *path = rq->rest;
	bool unavailable;
	json_t *ctx = category_context(rq, path, &unavailable);
	if (!ctx)
		return unavailable ? web_unavailable(rq) : web_not_found(rq);
	translate_labels(json_object_get(ctx, "filters"), web_lang(c));
	char title[256];
	snprintf(title, sizeof title, "%s", json_string_value(json_object_get(ctx, "name")));
	/* for search engines (seo.c): what the page lists */
	char *descr = wy_xasprintf("%s: %s", title, wy_i18n_tr(web_lang(c), "分类下的文档，在线阅读、全文搜索和下载。"));
	json_object_set_new(ctx, "meta_description", json_string(descr));
	free(descr);
	return web_page(rq, 200, title, sv->category, ctx);
}

enum MHD_Result web_api_home(web_req *rq)
{
	json_t *ctx = home_context(rq);
	return ctx ? web_json(rq->c, 200, ctx) : web_unavailable(rq);
}

enum MHD_Result web_api_categories(web_req *rq)
{
	struct MHD_Connection *c = rq->c;
	wy_store *st;
	wy_category_list l;
	if (web_store(rq->sv, &st, NULL) || wy_store_category_list(st, &l, NULL))
		return web_unavailable(rq);
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++)
		json_array_append_new(a, wy_view_category(&l.items[i]));
	wy_category_list_clear(&l);
	return web_json(c, 200, json_pack("{s:o}", "categories", a));
}

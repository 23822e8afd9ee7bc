/* web/search: the site's search (/search and /api/v1/search): results
 * with snippets of the pages the reader may read, filters, sort, paging. */
#include "text/query.h"
#include "text/utf8.h"
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
#include <ctype.h>

/* ---- search ---- */

#define SEARCH_PAGE_SIZE 10

/* A search's state, from and back into its query string. */
typedef struct search_args {
	const char *q;
	char format[12];
	char category[256];
	int band;
	wy_search_sort sort;
	int page;
} search_args;

static const char *const search_sorts[] = {N_("相关度"), N_("最新"), N_("最多下载")};
static const char *const search_sort_keys[] = {"relevance", "newest", "downloads"};

static void read_search(struct MHD_Connection *c, search_args *a)
{
	memset(a, 0, sizeof *a);
	a->q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	if (!a->q)
		a->q = "";
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	for (int i = 0; v && web_formats[i]; i++)
		if (strcmp(v, web_formats[i]) == 0)
			snprintf(a->format, sizeof a->format, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "category");
	if (v && strlen(v) < sizeof a->category && wy_utf8_valid(v, strlen(v)))
		snprintf(a->category, sizeof a->category, "%s", v);
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pages");
	if (v && v[0] >= '0' && v[0] <= '3' && !v[1])
		a->band = v[0] - '0';
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, search_sort_keys[i]) == 0)
			a->sort = (wy_search_sort)i;
	a->page = web_arg_int(c, "page", 1, 1, 1000);
}

static char *search_url(const search_args *a, const char *format, int band, int sort, int page)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "/search?q=");
	web_url_escape(&b, a->q);
	if (format && *format)
		wy_buf_printf(&b, "&format=%s", format);
	if (a->category[0]) {
		wy_buf_puts(&b, "&category=");
		web_url_escape(&b, a->category);
	}
	if (band)
		wy_buf_printf(&b, "&pages=%d", band);
	if (sort)
		wy_buf_printf(&b, "&sort=%s", search_sort_keys[sort]);
	if (page > 1)
		wy_buf_printf(&b, "&page=%d", page);
	return wy_buf_steal(&b);
}

/* A result's pages that may show hits: those the request (ctx) may read. */
static int search_pages_shown(void *ctx, const wy_doc *d)
{
	web_req *rq = ctx;
	return web_pages_readable(rq->sv, rq, d);
}

static void search_req(web_req *rq, const search_args *a, const wy_query *q, wy_search_req *req)
{
	static const int band_min[] = {0, 1, 11, 51}, band_max[] = {0, 10, 50, 0};
	memset(req, 0, sizeof *req);
	req->query = q;
	req->filter.category = a->category[0] ? a->category : NULL;
	req->filter.format = a->format[0] ? a->format : NULL;
	req->filter.min_pages = band_min[a->band];
	req->filter.max_pages = band_max[a->band];
	req->sort = a->sort;
	req->offset = (a->page - 1) * SEARCH_PAGE_SIZE;
	req->limit = SEARCH_PAGE_SIZE;
	req->filter.viewer = rq->authed ? rq->user.id : 0; /* the reader's own documents too */
	req->pages_shown = search_pages_shown;
	req->pages_shown_ctx = rq;
	req->max_ms = WEB_SITE_INT(rq->sv, search_timeout_ms);
}

/* wy_view_search, timed for /metrics (wenyuan_search_seconds): the one
 * place the site searches. */
static int timed_search(wy_store *st, const wy_search_req *req, int snippets, json_t **out, wy_errinfo *ei)
{
	int64_t t0 = wy_now_us();
	int rc = wy_view_search(st, req, snippets, out, ei);
	web_metrics_search(wy_now_us() - t0);
	return rc;
}

/* /search?q=...: results with snippets, the page number of each hit (a link
 * into the preview), filters, sort and paging. */
enum MHD_Result web_page_search(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *lang = web_lang(c);
	search_args a;
	read_search(c, &a);
	wy_query *q = wy_query_parse(a.q, strlen(a.q));
	wy_store *st;
	wy_errinfo ei = {0};
	json_t *ctx = NULL;
	int rc = web_store(sv, &st, &ei);
	if (!rc && wy_query_searchable(q)) {
		wy_search_req req;
		search_req(rq, &a, q, &req);
		rc = timed_search(st, &req, 2, &ctx, &ei);
		if (!rc && a.page == 1)
			web_log_query(wy_query_display(q), 0);
	}
	if (rc) {
		wy_query_free(q);
		wy_warn("serve.search", "err=%s", wy_err_msg(&ei, rc));
		if (rc == WY_ETIMEOUT)
			return web_message(rq, 503, wy_i18n_tr(lang, "搜索"),
					   wy_i18n_tr(lang, "搜索用时过长，请换用更少或更具体的词语。"), "/");
		return web_text(c, 503, "search unavailable\n");
	}
	if (!ctx)
		ctx = json_pack("{s:s, s:i, s:b, s:[]}", "query", "", "total", 0, "more", 0, "results");
	/* each result: its links into the preview, with the query, so the
	 * viewer marks the hits */
	wy_buf qs;
	wy_buf_init(&qs, 0);
	web_url_escape(&qs, wy_query_display(q));
	size_t i;
	json_t *r;
	bool relaxed_seen = false;
	json_array_foreach(json_object_get(ctx, "results"), i, r) {
		long long id = (long long)json_integer_value(json_object_get(r, "id"));
		web_add_display(r);
		/* a relaxed match says so, and the first of them has a heading */
		const char *match = json_string_value(json_object_get(r, "match"));
		json_object_set_new(r, "pinyin", json_boolean(match && strcmp(match, "pinyin") == 0));
		if (match && strcmp(match, "relaxed") == 0) {
			json_object_set_new(r, "relaxed", json_true());
			json_object_set_new(r, "first_relaxed", json_boolean(!relaxed_seen));
			relaxed_seen = true;
			double cov = json_real_value(json_object_get(r, "coverage"));
			json_object_set_new(r, "percent", json_integer((json_int_t)(cov * 100 + 0.5)));
		}
		char tag[17];
		web_result_tag(id, wy_query_display(q), tag);
		char *u = wy_xasprintf("/doc/%lld?q=%s&from=%s", id, qs.data ? qs.data : "", tag);
		json_object_set_new(r, "url", json_string(u));
		free(u);
		/* near-duplicates folded into this result: their titles and
		 * links (the store found them for this reader: they may see them) */
		json_t *similar = json_array();
		size_t k;
		json_t *sid;
		json_array_foreach(json_object_get(r, "similar"), k, sid) {
			wy_doc sd;
			if (wy_store_doc_get(st, json_integer_value(sid), &sd, NULL))
				continue;
			json_t *o = web_doc_context(&sd);
			wy_doc_clear(&sd);
			char stag[17];
			web_result_tag(json_integer_value(sid), wy_query_display(q), stag);
			u = wy_xasprintf("/doc/%lld?q=%s&from=%s", (long long)json_integer_value(sid), qs.data ? qs.data : "", stag);
			json_object_set_new(o, "url", json_string(u));
			free(u);
			json_array_append_new(similar, o);
		}
		json_object_set_new(r, "has_similar", json_boolean(json_array_size(similar) > 0));
		json_object_set_new(r, "similar_docs", similar);
		json_t *pg;
		json_array_foreach(json_object_get(r, "hit_pages"), k, pg) {
			u = wy_xasprintf("/doc/%lld?q=%s&from=%s#p%lld", id, qs.data ? qs.data : "", tag,
					 (long long)json_integer_value(json_object_get(pg, "page")));
			json_object_set_new(pg, "url", json_string(u));
			free(u);
		}
	}
	wy_buf_free(&qs);
	/* filters, sort and paging, each a link */
	json_t *fl = json_array(), *so = json_array(), *bl = json_array();
	char *u = search_url(&a, NULL, a.band, a.sort, 1);
	json_array_append_new(fl, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, "全部"), "url", u, "on",
					    !a.format[0]));
	free(u);
	for (int k = 0; web_formats[k]; k++) {
		char up[12] = "";
		for (int j = 0; j < 11 && web_formats[k][j]; j++)
			up[j] = (char)toupper((unsigned char)web_formats[k][j]);
		u = search_url(&a, web_formats[k], a.band, a.sort, 1);
		json_array_append_new(fl, json_pack("{s:s, s:s, s:b}", "label", up, "url", u, "on",
						    strcmp(a.format, web_formats[k]) == 0));
		free(u);
	}
	for (int k = 0; k < 4; k++) {
		u = search_url(&a, a.format, k, a.sort, 1);
		json_array_append_new(bl, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, web_bands[k]), "url", u, "on",
						    a.band == k));
		free(u);
	}
	for (int k = 0; k < 3; k++) {
		u = search_url(&a, a.format, a.band, k, 1);
		json_array_append_new(so, json_pack("{s:s, s:s, s:b}", "label", wy_i18n_tr(lang, search_sorts[k]), "url", u,
						    "on", (int)a.sort == k));
		free(u);
	}
	/* the category filter: a choice of the tree's top two levels */
	json_t *cats = json_array();
	wy_category_list cl;
	if (!wy_store_category_list(st, &cl, NULL)) {
		for (int k = 0; k < cl.n; k++) {
			if (cl.items[k].depth > 1)
				continue;
			char label[300];
			snprintf(label, sizeof label, "%s%s", cl.items[k].depth ? "　" : "", cl.items[k].name);
			json_array_append_new(cats, json_pack("{s:s, s:s, s:b}", "path", cl.items[k].path, "label", label,
							      "on", strcmp(a.category, cl.items[k].path) == 0));
		}
		wy_category_list_clear(&cl);
	}
	json_object_set_new(ctx, "categories", cats);
	json_object_set_new(ctx, "format", json_string(a.format));
	json_object_set_new(ctx, "sort_key", json_string(search_sort_keys[a.sort]));
	int total = (int)json_integer_value(json_object_get(ctx, "total"));
	int pages = (total + SEARCH_PAGE_SIZE - 1) / SEARCH_PAGE_SIZE;
	json_int_t strict = json_integer_value(json_object_get(ctx, "strict_total"));
	json_object_set_new(ctx, "partly", json_boolean(strict > 0 && strict < total)); /* none: the heading says so */
	json_t *sug = json_object_get(ctx, "suggest");
	if (json_is_object(sug)) {
		search_args sa = a;
		sa.q = json_string_value(json_object_get(sug, "query"));
		u = search_url(&sa, a.format, a.band, a.sort, 1);
		json_object_set_new(sug, "url", json_string(u));
		free(u);
		const char *kind = json_string_value(json_object_get(sug, "kind"));
		json_object_set_new(sug, "script", json_boolean(kind && strcmp(kind, "script") == 0));
	}
	json_object_set_new(ctx, "q", json_string(a.q));
	json_object_set_new(ctx, "searched", json_boolean(wy_query_searchable(q)));
	json_object_set_new(ctx, "formats", fl);
	json_object_set_new(ctx, "bands", bl);
	json_object_set_new(ctx, "sorts", so);
	json_object_set_new(ctx, "page", json_integer(a.page));
	json_object_set_new(ctx, "pages", json_integer(pages ? pages : 1));
	if (a.page > 1) {
		u = search_url(&a, a.format, a.band, a.sort, a.page - 1);
		json_object_set_new(ctx, "prev", json_string(u));
		free(u);
	}
	if (a.page < pages) {
		u = search_url(&a, a.format, a.band, a.sort, a.page + 1);
		json_object_set_new(ctx, "next", json_string(u));
		free(u);
	}
	char title[300];
	snprintf(title, sizeof title, "%s - %s", wy_query_display(q), wy_i18n_tr(lang, "搜索"));
	title[wy_utf8_truncate(title, strlen(title), sizeof title - 1)] = 0;
	/* results are not for an index (seo.c); the canonical URL keeps the
	 * query, the rest of the arguments are views of it */
	wy_buf canon;
	wy_buf_init(&canon, 4096);
	wy_buf_puts(&canon, "/search?q=");
	web_url_escape(&canon, wy_query_display(q));
	json_object_set_new(ctx, "seo", json_pack("{s:b, s:s}", "noindex", true, "path", canon.data ? canon.data : "/search"));
	wy_buf_free(&canon);
	wy_query_free(q);
	return web_page(rq, 200, title, sv->search, ctx);
}

enum MHD_Result web_api_search(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	wy_store *st;
	if (web_store(sv, &st, NULL))
		return web_unavailable(rq);
	search_args a;
	read_search(c, &a);
	wy_query *q = wy_query_parse(a.q, strlen(a.q));
	wy_search_req req;
	search_req(rq, &a, q, &req);
	req.offset = web_arg_int(c, "offset", req.offset, 0, 100000);
	req.limit = web_arg_int(c, "limit", SEARCH_PAGE_SIZE, 1, 50);
	json_t *res = NULL;
	if (!wy_query_searchable(q))
		res = json_pack("{s:s, s:i, s:b, s:i, s:i, s:[]}", "query", "", "total", 0, "more", 0, "offset",
				req.offset, "limit", req.limit, "results");
	wy_errinfo ei = {0};
	int rc = WY_OK;
	if (!res && (rc = timed_search(st, &req, 3, &res, &ei)))
		res = NULL;
	wy_query_free(q);
	if (rc == WY_ETIMEOUT)
		return web_api_error(c, 503, ei.msg);
	return res ? web_json(c, 200, res) : web_api_error(c, 503, "search unavailable");
}

/* web/render: pages. A template rendered into the site's frame in the
 * request's language, with who is reading and the forms' token; the
 * short-lived cache of anonymous document pages; the display fields pages
 * add to the JSON views. Never reads the store (the frame's links are
 * kept in memory by articles.c). */
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
#include <time.h>

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	wy_buf *b = cls;
	if (strcmp(key, "lang") == 0)
		return MHD_YES;
	wy_buf_putc(b, b->len ? '&' : '?');
	web_url_escape(b, key);
	if (value) {
		wy_buf_putc(b, '=');
		web_url_escape(b, value);
	}
	return MHD_YES;
}

/* The language switch's link: this page (a relative URL, the same query
 * but for lang) in lang. A query too long to repeat is dropped. */
static char *lang_url(struct MHD_Connection *c, const char *lang)
{
	wy_buf b;
	wy_buf_init(&b, 2048);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, &b);
	if (wy_buf_printf(&b, "%clang=%s", b.len ? '&' : '?', lang)) {
		wy_buf_free(&b);
		return wy_xasprintf("?lang=%s", lang);
	}
	return wy_buf_steal(&b);
}

/* ---- confirmations (flash) ---- */

/* The one table of confirmations: the code in the cookie, how many
 * integers follow it, the sentence ({a}, {b}: the integers). Indexed by
 * web_flash_code. */
static const struct {
	const char *name;
	int nargs;
	const char *msgid;
} flashes[WEB_FLASH_COUNT] = {
	[WEB_FLASH_REGISTERED] = {"reg", 0, N_("注册成功，欢迎")},
	[WEB_FLASH_FAVED] = {"fav", 0, N_("已收藏")},
	[WEB_FLASH_UNFAVED] = {"unfav", 0, N_("已取消收藏")},
	[WEB_FLASH_REWARDED] = {"rew", 1, N_("已打赏 {a} 积分")},
	[WEB_FLASH_RETRIED] = {"retry", 1, N_("文档 {a} 已重新排队转换")},
	[WEB_FLASH_SIGNED_IN] = {"signin", 1, N_("签到成功，获得 {a} 积分")},
	[WEB_FLASH_SIGNED_BEFORE] = {"signed", 0, N_("今天已经签到过了。")},
	[WEB_FLASH_DOC_APPROVED] = {"approve", 1, N_("已通过文档 {a}")},
	[WEB_FLASH_DOC_RESTORED] = {"restore", 1, N_("已恢复文档 {a}")},
	[WEB_FLASH_DOC_HIDDEN] = {"hide", 1, N_("已隐藏文档 {a}")},
	[WEB_FLASH_DOC_DELETED] = {"delete", 1, N_("已将文档 {a} 移入回收站")},
	[WEB_FLASH_DOC_DISMISSED] = {"dismiss", 1, N_("已驳回对文档 {a} 的举报")},
	[WEB_FLASH_DOC_CATEGORY] = {"category", 1, N_("已修改文档 {a} 的分类")},
	[WEB_FLASH_DOC_PURGED] = {"purge", 1, N_("已彻底删除文档 {a}")},
	[WEB_FLASH_USER_BANNED] = {"ban", 1, N_("已封禁用户 {a}")},
	[WEB_FLASH_USER_UNBANNED] = {"unban", 1, N_("已解封用户 {a}")},
	[WEB_FLASH_USER_ADMIN] = {"admin", 1, N_("已将用户 {a} 设为管理员")},
	[WEB_FLASH_USER_UNADMIN] = {"unadmin", 1, N_("已取消用户 {a} 的管理员身份")},
	[WEB_FLASH_USER_POINTS] = {"points", 2, N_("已为用户 {a} 调整积分 {b}")},
	[WEB_FLASH_SETTINGS] = {"settings", 0, N_("站点设置已保存")},
	[WEB_FLASH_COLLECTED] = {"collect", 0, N_("已加入专辑")},
	[WEB_FLASH_COLLECTION_NEW] = {"collnew", 0, N_("专辑已创建")},
	[WEB_FLASH_COLLECTION_SAVED] = {"collsave", 0, N_("专辑已保存")},
	[WEB_FLASH_COLLECTION_DELETED] = {"colldel", 0, N_("专辑已删除")},
	[WEB_FLASH_ARTICLE_SAVED] = {"artsave", 1, N_("文章 {a} 已保存")},
	[WEB_FLASH_ARTICLE_DELETED] = {"artdel", 1, N_("文章 {a} 已删除")},
	[WEB_FLASH_LINK_SAVED] = {"linksave", 1, N_("链接 {a} 已保存")},
	[WEB_FLASH_LINK_DELETED] = {"linkdel", 1, N_("链接 {a} 已删除")},
	[WEB_FLASH_RETRIED_ALL] = {"retryall", 1, N_("已将 {a} 份失败的文档重新排队转换")},
};

void web_flash(web_req *rq, web_flash_code code, int64_t a, int64_t b)
{
	if (rq->api || code <= WEB_FLASH_NONE || code >= WEB_FLASH_COUNT)
		return;
	rq->flash_code = code;
	rq->flash_a = a;
	rq->flash_b = b;
}

void web_flash_headers(web_req *rq, struct MHD_Response *resp, unsigned status)
{
	char ck[160];
	const char *secure = rq->secure ? "; Secure" : "";
	if (rq->flash_code && status >= 300 && status < 400) {
		int k = rq->flash_code, n = flashes[k].nargs;
		char args[64] = "";
		if (n == 1)
			snprintf(args, sizeof args, ".%lld", (long long)rq->flash_a);
		else if (n == 2)
			snprintf(args, sizeof args, ".%lld.%lld", (long long)rq->flash_a, (long long)rq->flash_b);
		/* a minute: enough to follow the redirect, not to linger */
		snprintf(ck, sizeof ck, "wy_f=%s%s; Path=/; Max-Age=60; SameSite=Lax; HttpOnly%s", flashes[k].name, args,
			 secure);
		MHD_add_response_header(resp, "Set-Cookie", ck);
	} else if (rq->flash_shown) {
		snprintf(ck, sizeof ck, "wy_f=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly%s", secure);
		MHD_add_response_header(resp, "Set-Cookie", ck);
	}
}

/* An integer of the cookie: an optional '-' and 1 to 12 digits. */
static bool flash_int(const char *s, size_t n, long long *out)
{
	size_t i = n && s[0] == '-' ? 1 : 0;
	if (n <= i || n - i > 12)
		return false;
	long long v = 0;
	for (size_t j = i; j < n; j++) {
		if (s[j] < '0' || s[j] > '9')
			return false;
		v = v * 10 + (s[j] - '0');
	}
	*out = i ? -v : v;
	return true;
}

/* The request's flash cookie, when it carries one: its code (the table's
 * index) and integers; 0 when it has none or it is not one of the table. */
static int flash_parse(struct MHD_Connection *c, long long args[2])
{
	char v[64];
	if (!web_cookie_find(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"), "wy_f", v, sizeof v))
		return 0;
	char *dot = strchr(v, '.');
	size_t nl = dot ? (size_t)(dot - v) : strlen(v);
	for (int k = 1; k < WEB_FLASH_COUNT; k++) {
		if (strlen(flashes[k].name) != nl || memcmp(flashes[k].name, v, nl) != 0)
			continue;
		const char *p = v + nl;
		for (int i = 0; i < flashes[k].nargs; i++) {
			if (*p != '.')
				return 0;
			const char *q = strchr(p + 1, '.');
			size_t len = q ? (size_t)(q - p - 1) : strlen(p + 1);
			if (!flash_int(p + 1, len, &args[i]))
				return 0;
			p += 1 + len;
		}
		return *p ? 0 : k;
	}
	return 0;
}

/* Whether the request carries a flash cookie at all (a page cache hit
 * would not show it). */
static bool flash_asked(void)
{
	char v[64];
	return web_current && web_cookie_find(MHD_lookup_connection_value(web_current->c, MHD_HEADER_KIND, "Cookie"),
					      "wy_f", v, sizeof v);
}

/* The sentence of the request's flash in lang into out ("" when none);
 * marks the request as showing it. */
static void flash_text(web_req *rq, const char *lang, wy_buf *out)
{
	long long args[2] = {0, 0};
	int k = flash_parse(rq->c, args);
	if (flash_asked())
		rq->flash_shown = true; /* shown or not one of ours: cleared either way */
	if (!k)
		return;
	for (const char *p = wy_i18n_tr(lang, flashes[k].msgid); *p; p++) {
		if (p[0] == '{' && (p[1] == 'a' || p[1] == 'b') && p[2] == '}') {
			long long v = args[p[1] - 'a'];
			wy_buf_printf(out, k == WEB_FLASH_USER_POINTS && p[1] == 'b' ? "%+lld" : "%lld", v);
			p += 2;
		} else {
			wy_buf_putc(out, *p);
		}
	}
}

/* Send a rendered page (takes data, len bytes, malloc'd). */
enum MHD_Result web_respond_page(web_req *rq, unsigned status, char *data, size_t len, const char *cookie)
{
	struct MHD_Connection *c = rq->c;
	const char *lang = web_lang(c);
	web_seo_fill(rq, &data, &len); /* the request's base in its absolute URLs */
	struct MHD_Response *r = web_text_response(c, data, len);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Content-Language", wy_i18n_html_lang(lang));
	MHD_add_response_header(r, "Vary", "Accept-Language, Cookie, Accept-Encoding");
	/* ?lang= is a choice: remembered, so links followed stay in it. */
	const char *asked = wy_i18n_supported(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"));
	if (asked) {
		char lc[96];
		snprintf(lc, sizeof lc, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", asked);
		MHD_add_response_header(r, "Set-Cookie", lc);
	}
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	web_auth_cookies(rq, r);
	if (rq->flash_shown) /* a confirmation is for this once */
		MHD_add_response_header(r, "Cache-Control", "private, no-store");
	else if (rq->authed)
		MHD_add_response_header(r, "Cache-Control", "private, no-cache");
	return web_queue(c, status, r);
}

/* Render tpl with ctx into the site's frame in the request's language:
 * the page into *out (the caller frees it). Takes ctx. */
int web_render_page(web_req *rq, const char *title, const wy_template *tpl, json_t *ctx, wy_buf *out)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *lang = web_lang(c);
	wy_config site;
	web_site_get(sv, &site);
	/* who is reading, and the token of the forms on the page */
	json_t *me = rq->authed ? json_pack("{s:I, s:s, s:b}", "id", (json_int_t)rq->user.id, "name", rq->user.name,
					    "admin", rq->user.role == WY_ROLE_ADMIN)
				: json_null();
	const char *csrf = rq->authed || rq->csrf_form ? rq->csrf : "";
	json_object_set(ctx, "me", me);
	json_object_set_new(ctx, "csrf", json_string(csrf));
	/* what the page gives its frame's head: a description for search
	 * engines, a stylesheet of its own after the site's, what it says of
	 * itself to search engines (seo.c) */
	json_t *head = json_pack("{s:O?, s:O?}", "meta_description", json_object_get(ctx, "meta_description"),
				 "extra_css", json_object_get(ctx, "extra_css"));
	json_t *seo = json_incref(json_object_get(ctx, "seo"));
	wy_buf body, page;
	wy_buf_init(&body, 32u << 20);
	wy_buf_init(&page, 33u << 20);
	int rc = wy_template_render_lang(tpl, ctx, lang, &body);
	json_decref(ctx);
	if (!rc) {
		char *zh = lang_url(c, "zh"), *en = lang_url(c, "en");
		wy_buf flash;
		wy_buf_init(&flash, 512);
		flash_text(rq, lang, &flash);
		json_t *frame = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:s}", "title", title, "body",
					  body.data ? body.data : "", "footer", site.site_footer, "icp", site.site_icp, "site_name",
					  site.site_name, "html_lang", wy_i18n_html_lang(lang), "lang_zh_url", zh, "lang_en_url", en,
					  "me", me, "csrf", csrf);
		if (flash.len)
			json_object_set_new(frame, "flash", json_stringn(flash.data, flash.len));
		web_pages_frame(rq, frame); /* nav, footer links, 公安备案, analytics (articles.c) */
		wy_buf_free(&flash);
		free(zh);
		free(en);
		json_object_update(frame, head);
		/* issue 18 SEO: canonical URL, description, Open Graph, JSON-LD */
		wy_buf sh;
		wy_buf_init(&sh, 0);
		web_seo_head(rq, &site, seo, json_string_value(json_object_get(head, "meta_description")), title, &sh);
		json_object_set_new(frame, "seo_head", json_stringn(sh.data ? sh.data : "", sh.len));
		wy_buf_free(&sh);
		rc = wy_template_render_lang(sv->base, frame, lang, &page);
		json_decref(frame);
	}
	json_decref(me);
	json_decref(head);
	json_decref(seo);
	wy_buf_free(&body);
	if (rc)
		wy_buf_free(&page);
	else
		*out = page;
	return rc;
}

/* Render tpl with ctx into the site's frame, in the request's language,
 * and send it. Takes ctx. title is shown as it is: translate UI text
 * before (wy_i18n_tr(web_lang(c), ...)). */
enum MHD_Result web_page_cookie(web_req *rq, unsigned status, const char *title, const wy_template *tpl, json_t *ctx,
				const char *cookie)
{
	struct MHD_Connection *c = rq->c;
	wy_buf page;
	if (web_render_page(rq, title, tpl, ctx, &page))
		return web_text(c, 500, "the page could not be rendered\n");
	size_t len = page.len;
	return web_respond_page(rq, status, wy_buf_steal(&page), len, cookie);
}

/* Rendered document pages, kept a few seconds: a popular document's page is
 * asked for far more often than anything on it changes (its related
 * documents and searches move slowly; a re-conversion shows within
 * page_cache_ms). Only pages asked for without a query string are kept,
 * per language; direct-mapped, a slot a document and language. */
#define PAGE_CACHE_SLOTS 512
#define PAGE_CACHE_MAX (512u << 10)

static struct page_cache {
	pthread_mutex_t lock;
	struct {
		int64_t id;
		const char *lang;
		int64_t at_ms;
		char *data;
		size_t len;
	} slot[PAGE_CACHE_SLOTS];
} page_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned cache_slot(int64_t id, const char *lang)
{
	return (unsigned)(((uint64_t)id * 2654435761u) ^ (uint64_t)(lang[0] == 'e')) % PAGE_CACHE_SLOTS;
}

/* A copy of the cached page of document id in lang, or NULL. */
char *web_cache_get(int64_t id, const char *lang, int64_t life_ms, size_t *len)
{
	char *copy = NULL;
	if (flash_asked()) /* the page must show the request's flash, and clear it */
		return NULL;
	unsigned k = cache_slot(id, lang);
	pthread_mutex_lock(&page_cache.lock);
	if (page_cache.slot[k].data && page_cache.slot[k].id == id && strcmp(page_cache.slot[k].lang, lang) == 0 &&
	    wy_now_ms() - page_cache.slot[k].at_ms < life_ms) {
		*len = page_cache.slot[k].len;
		copy = wy_xmalloc(*len ? *len : 1);
		memcpy(copy, page_cache.slot[k].data, *len);
	}
	pthread_mutex_unlock(&page_cache.lock);
	return copy;
}

void web_cache_put(int64_t id, const char *lang, const char *data, size_t len)
{
	if (len > PAGE_CACHE_MAX || (web_current && web_current->flash_shown))
		return; /* a page with a confirmation is one reader's, once */
	char *copy = wy_xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	unsigned k = cache_slot(id, lang);
	pthread_mutex_lock(&page_cache.lock);
	char *old = page_cache.slot[k].data;
	page_cache.slot[k].id = id;
	page_cache.slot[k].lang = lang;
	page_cache.slot[k].at_ms = wy_now_ms();
	page_cache.slot[k].data = copy;
	page_cache.slot[k].len = len;
	pthread_mutex_unlock(&page_cache.lock);
	free(old);
}

void web_cache_drop(int64_t id)
{
	char *old[2] = {NULL, NULL};
	pthread_mutex_lock(&page_cache.lock);
	for (int l = 0; l < 2; l++) {
		unsigned k = cache_slot(id, l ? "en" : "zh");
		if (page_cache.slot[k].data && page_cache.slot[k].id == id) {
			old[l] = page_cache.slot[k].data;
			page_cache.slot[k].data = NULL;
		}
	}
	pthread_mutex_unlock(&page_cache.lock);
	free(old[0]);
	free(old[1]);
}

enum MHD_Result web_page(web_req *rq, unsigned status, const char *title, const wy_template *tpl, json_t *ctx)
{
	return web_page_cookie(rq, status, title, tpl, ctx, NULL);
}

enum MHD_Result web_message(web_req *rq, unsigned status, const char *title, const char *text, const char *back)
{
	return web_page(rq, status, title, rq->sv->message,
			json_pack("{s:s, s:s, s:s}", "title", title, "text", text ? text : "", "back", back ? back : "/"));
}

void web_paging(json_t *ctx, int total, int page, int per)
{
	int pages = total ? (total + per - 1) / per : 1;
	json_object_set_new(ctx, "total", json_integer(total));
	json_object_set_new(ctx, "page", json_integer(page));
	json_object_set_new(ctx, "pages", json_integer(pages));
	if (page > 1)
		json_object_set_new(ctx, "prev", json_integer(page - 1));
	if (page < pages)
		json_object_set_new(ctx, "next", json_integer(page + 1));
}

enum MHD_Result web_not_found(web_req *rq)
{
	/* no page to name or index (seo.c) */
	return web_page(rq, 404, wy_i18n_tr(web_lang(rq->c), "未找到"), rq->sv->notfound,
			json_pack("{s:{s:b, s:b}}", "seo", "noindex", true, "canonical", false));
}

/* What the pages show of a document besides its JSON view. */
/* What the pages show of a document besides its JSON view, from that view
 * (so a view made elsewhere, as for search results, gets them too). */
void web_add_display(json_t *o)
{
	const char *title = json_string_value(json_object_get(o, "title"));
	const char *name = json_string_value(json_object_get(o, "filename"));
	const char *format = json_string_value(json_object_get(o, "format"));
	char size[32];
	wy_format_size(json_integer_value(json_object_get(o, "size")), size, sizeof size);
	json_object_set_new(o, "size_text", json_string(size));
	json_object_set_new(o, "display_title", json_string(title ? title : name ? name : ""));
	char badge[16] = "";
	for (size_t i = 0; format && format[i] && i < sizeof badge - 1; i++)
		badge[i] = (char)(format[i] >= 'a' && format[i] <= 'z' ? format[i] - 32 : format[i]);
	json_object_set_new(o, "format_badge", json_string(badge));
	char date[16];
	time_t t = (time_t)json_integer_value(json_object_get(o, "created_at"));
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	json_object_set_new(o, "date", json_string(date));
	json_t *rating = json_object_get(o, "rating"); /* readers' average: "4.5" (none: absent) */
	if (json_is_number(rating)) {
		char avg[16];
		snprintf(avg, sizeof avg, "%.1f", json_number_value(rating));
		json_object_set_new(o, "rating_text", json_string(avg));
	}
	/* one flag for the status, so a template words it in the reader's
	 * language: {{#is_failed}}{{_ 转换失败}}{{/is_failed}} */
	const char *status = json_string_value(json_object_get(o, "status"));
	static const char *const statuses[] = {"queued", "converting", "ready", "failed", "readable"};
	for (size_t i = 0; status && i < sizeof statuses / sizeof statuses[0]; i++) {
		char key[24];
		snprintf(key, sizeof key, "is_%s", statuses[i]);
		json_object_set_new(o, key, json_boolean(strcmp(status, statuses[i]) == 0));
	}
}

/* What the pages show of a document. */
json_t *web_doc_context(const wy_doc *d)
{
	json_t *o = wy_view_doc(d);
	web_add_display(o);
	json_object_set_new(o, "ready", json_boolean(d->status == WY_DOC_READY));
	return o;
}

json_t *web_docs_context(const wy_doc_list *l)
{
	json_t *a = json_array();
	for (int i = 0; i < l->n; i++)
		json_array_append_new(a, web_doc_context(&l->items[i]));
	return a;
}

/* "a/b" -> [{name: a, url: /category/a}, {name: b, url: /category/a/b}] */
json_t *web_breadcrumb(const char *path)
{
	json_t *a = json_array();
	for (const char *p = path; p && *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *url = wy_xasprintf("/category/%.*s", (int)(p + n - path), path);
		json_array_append_new(a, json_pack("{s:s%, s:s}", "name", p, n, "url", url));
		free(url);
		p += n;
		if (*p == '/')
			p++;
	}
	return a;
}

enum MHD_Result web_result(web_req *rq, unsigned status, const char *msg, json_t *j, const char *back)
{
	if (rq->api) {
		if (status >= 400) {
			json_decref(j);
			return web_api_error(rq->c, status, msg);
		}
		return web_json(rq->c, status, j ? j : json_pack("{s:b}", "ok", 1));
	}
	json_decref(j);
	if (status >= 400)
		return web_message(rq, status, wy_i18n_tr(web_lang(rq->c), "操作失败"), msg, back);
	return web_redirect(rq->c, back);
}

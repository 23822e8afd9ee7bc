/* web/collections: collections (专辑), the pages and their JSON twins.
 * GET /collections (the public ones, newest or most favorited; a user's
 * with ?user=, the reader's own with ?mine=1), GET /collection/{id} (its
 * documents as cards in order; its owner's controls to edit, reorder and
 * remove), POST /collections (a new collection, or a document added to
 * one of the reader's: the document page's form), POST
 * /collection/{id}/{add,remove,move,edit,delete,favorite}, the document
 * page's part ("加入专辑": web_collections_viewer) and the /me tab
 * (web_me_collections). Which documents a reader sees in a collection is
 * the store's (SQ_SEEN_BY); which collections, too: a private one is its
 * owner's and the admins' alone, 404 for anyone else. This file never
 * decides who may see a document itself. */
#include "core/log.h"
#include "text/utf8.h"
#include "view/views.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_PAGE 20

static bool owns(const web_req *r, const wy_collection *c) { return r->authed && r->user.id == c->owner_id; }

/* A collection as JSON, for reader r: its owner's name masked as an
 * uploader's is, but for the owner and admins. */
static json_t *coll_json(const web_req *r, const wy_collection *c)
{
	char owner[64];
	if (owns(r, c) || web_is_admin(r))
		snprintf(owner, sizeof owner, "%s", c->owner ? c->owner : "");
	else
		wy_mask_name(c->owner ? c->owner : "", owner, sizeof owner);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
	json_object_set_new(o, "description", json_string(c->description ? c->description : ""));
	json_object_set_new(o, "public", json_boolean(c->public_));
	json_object_set_new(o, "owner", json_string(owner));
	json_object_set_new(o, "owner_id", json_integer(c->owner_id));
	json_object_set_new(o, "items", json_integer(c->items));
	json_object_set_new(o, "favorites", json_integer(c->favorites));
	json_object_set_new(o, "faved", json_boolean(c->faved));
	json_object_set_new(o, "is_owner", json_boolean(owns(r, c)));
	if (c->cover_sha256[0]) {
		char url[80];
		snprintf(url, sizeof url, "/blob/%s", c->cover_sha256);
		json_object_set_new(o, "cover", json_string(url));
	} else {
		json_object_set_new(o, "cover", json_null());
	}
	json_object_set_new(o, "created_at", json_integer(c->created_at));
	json_object_set_new(o, "updated_at", json_integer(c->updated_at));
	return o;
}

/* The display fields a page adds: the date it changed. */
static void coll_display(json_t *o)
{
	char date[16];
	time_t t = (time_t)json_integer_value(json_object_get(o, "updated_at"));
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	json_object_set_new(o, "date", json_string(date));
}

static json_t *colls_json(const web_req *r, const wy_collection_list *l, bool page)
{
	json_t *a = json_array();
	for (int i = 0; i < l->n; i++) {
		json_t *o = coll_json(r, &l->items[i]);
		if (page)
			coll_display(o);
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- GET /collections ---- */

enum MHD_Result web_page_collections(web_req *r)
{
	struct MHD_Connection *c = r->c;
	const char *lang = web_lang(c);
	wy_store *st;
	if (web_store(r->sv, &st, NULL))
		return web_unavailable(r);
	const char *sort = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
	bool popular = sort && strcmp(sort, "favorites") == 0;
	if (sort && !popular && strcmp(sort, "newest") != 0)
		return web_refuse(r, 400, "sort is newest or favorites");
	const char *user = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "user");
	const char *mine = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "mine");
	int64_t owner = 0;
	if (user && !web_path_id(user, &owner))
		return web_refuse(r, 400, "user is an account id");
	bool my = mine && strcmp(mine, "1") == 0;
	if (my && !r->authed)
		return r->api ? web_api_error(c, 401, "log in first") : web_redirect(c, "/login?next=/me/collections");
	int page = web_arg_int(c, "page", 1, 1, 100000);
	wy_collection_filter f = {.reader = r->authed ? r->user.id : 0,
				  .admin = web_is_admin(r),
				  .owner = my ? r->user.id : owner,
				  /* the list of everyone's is of public ones; one account's
				   * shows its owner (and admins) its private ones too */
				  .public_only = !my && !(owner && (web_is_admin(r) || (r->authed && owner == r->user.id))),
				  .sort = popular ? WY_COLL_FAVORITES : WY_COLL_NEWEST};
	wy_collection_list l;
	int total;
	if (wy_store_collection_list(st, &f, (page - 1) * PER_PAGE, PER_PAGE, &l, &total, NULL))
		return web_unavailable(r);
	json_t *ctx = json_object();
	json_object_set_new(ctx, "collections", colls_json(r, &l, !r->api));
	json_object_set_new(ctx, "sort", json_string(popular ? "favorites" : "newest"));
	web_paging(ctx, total, page, PER_PAGE);
	wy_collection_list_clear(&l);
	if (r->api)
		return web_json(c, 200, ctx);
	json_object_set_new(ctx, popular ? "by_favorites" : "by_newest", json_true());
	json_object_set_new(ctx, "has_collections", json_boolean(total > 0));
	json_object_set_new(ctx, "logged_in", json_boolean(r->authed));
	/* the paging links keep the sort */
	json_object_set_new(ctx, "sort_arg", json_string(popular ? "sort=favorites&" : ""));
	json_object_set_new(ctx, "extra_css", json_string("/static/collection.css"));
	json_object_set_new(ctx, "meta_description", json_string(wy_i18n_tr(lang, "读者整理的文档专辑：按主题收集的文档合集。")));
	return web_page(r, 200, wy_i18n_tr(lang, "专辑"), r->sv->collections, ctx);
}

/* ---- GET /collection/{id} ---- */

enum MHD_Result web_page_collection(web_req *r)
{
	struct MHD_Connection *c = r->c;
	int64_t id;
	if (!web_path_id(r->rest, &id))
		return r->api ? web_api_error(c, 404, "no such collection") : web_not_found(r);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(r->sv, &st, &ei))
		return web_unavailable(r);
	int64_t reader = r->authed ? r->user.id : 0;
	bool admin = web_is_admin(r);
	wy_collection coll;
	int rc = wy_store_collection_get(st, id, reader, admin, &coll, &ei);
	if (rc == WY_ENOTFOUND)
		return r->api ? web_api_error(c, 404, "no such collection") : web_not_found(r);
	if (rc)
		return web_unavailable(r);
	wy_doc_list l;
	int positions[WY_COLLECTION_ITEMS_MAX];
	if (wy_store_collection_docs(st, id, reader, admin, &l, positions, &ei)) {
		wy_collection_clear(&coll);
		return web_unavailable(r);
	}
	json_t *ctx = coll_json(r, &coll);
	json_t *docs = json_array();
	bool mine = owns(r, &coll);
	for (int i = 0; i < l.n; i++) {
		json_t *o = r->api ? wy_view_doc(&l.items[i]) : web_doc_context(&l.items[i]);
		json_object_set_new(o, "position", json_integer(positions[i]));
		/* the owner's controls: where up and down move it (the place of
		 * the document they may see before or after it) */
		if (!r->api && mine) {
			json_object_set_new(o, "mine", json_true());
			json_object_set_new(o, "collection_id", json_integer(id));
			if (i > 0)
				json_object_set_new(o, "up_to", json_integer(positions[i - 1]));
			if (i + 1 < l.n)
				json_object_set_new(o, "down_to", json_integer(positions[i + 1]));
		}
		json_array_append_new(docs, o);
	}
	json_object_set_new(ctx, "documents", docs);
	wy_doc_list_clear(&l);
	char title[300];
	snprintf(title, sizeof title, "%s", coll.name ? coll.name : "");
	wy_collection_clear(&coll);
	if (r->api)
		return web_json(c, 200, ctx);
	coll_display(ctx);
	json_object_set_new(ctx, "logged_in", json_boolean(r->authed));
	json_object_set_new(ctx, "has_documents", json_boolean(json_array_size(docs) > 0));
	json_object_set_new(ctx, "can_delete", json_boolean(mine || admin));
	json_object_set_new(ctx, "extra_css", json_string("/static/collection.css"));
	/* for search engines (seo.c): its own description, else its name */
	json_object_set_new(ctx, "meta_description",
			    web_seo_description(json_string_value(json_object_get(ctx, "description")), title));
	return web_page(r, 200, title, r->sv->collection, ctx);
}

/* ---- POST /collections and /collection/{id}/{action} ---- */

/* A form's text field with the white space at its ends cut (in place:
 * the form is the request's); NULL when absent. */
static const char *field(web_req *r, const char *key)
{
	size_t n;
	const char *v = web_form_get(r, key, &n);
	if (!v)
		return NULL;
	char *s = (char *)v;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

/* A form's id field: 1 a valid one, 0 absent, -1 malformed. */
static int field_id(web_req *r, const char *key, int64_t *id)
{
	const char *v = field(r, key);
	if (!v)
		return 0;
	return web_path_id(v, id) ? 1 : -1;
}

/* public: "1"/"on"/"true" or "0"/"off"/"false"; -1 absent, -2 malformed. */
static int field_bool(web_req *r, const char *key)
{
	const char *v = field(r, key);
	if (!v)
		return -1;
	if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "false"))
		return 0;
	return -2;
}

/* The answer to a form of the collection pages: JSON for the twin, else
 * the message page (an error) or back. */
static enum MHD_Result answer(web_req *r, unsigned status, const char *msg, json_t *j, const char *back)
{
	if (r->api && status < 400 && j)
		return web_json(r->c, status, j);
	return web_result(r, status, msg, j, back);
}

/* The words of a name or description refused (WY_EINVAL), in lang. */
static const char *bad_text(const char *lang, const char *name, const char *description)
{
	if (name && !wy_collection_name_valid(name))
		return wy_i18n_tr(lang, "专辑名称须为1到60个字符。");
	if (description && !wy_collection_desc_valid(description))
		return wy_i18n_tr(lang, "专辑简介最多1000个字符。");
	return NULL;
}

/* Add doc to collection id (the reader's, checked) and answer; back is
 * where a page goes after. */
static enum MHD_Result add_doc(web_req *r, wy_store *st, int64_t id, int64_t doc, const char *back, unsigned ok)
{
	const char *lang = web_lang(r->c);
	int pos = 0;
	wy_errinfo ei = {0};
	int rc = wy_store_collection_item_add(st, id, doc, &pos, &ei);
	if (rc == WY_ENOTFOUND)
		return answer(r, 404, wy_i18n_tr(lang, "没有这份文档。"), NULL, back);
	if (rc == WY_EEXIST)
		return answer(r, 409, wy_i18n_tr(lang, "这份文档已在专辑中。"), NULL, back);
	if (rc == WY_ETOOBIG)
		return answer(r, 409, wy_i18n_tr(lang, "一个专辑最多200份文档。"), NULL, back);
	if (rc)
		return web_unavailable(r);
	wy_log("collection.add", "collection=%lld doc=%lld user=%lld", (long long)id, (long long)doc,
	       (long long)r->user.id);
	web_flash(r, WEB_FLASH_COLLECTED, id, 0);
	return answer(r, ok, NULL, json_pack("{s:I, s:I, s:i}", "collection", (json_int_t)id, "doc", (json_int_t)doc,
					     "position", pos),
		      back);
}

enum MHD_Result web_post_collections(web_req *r)
{
	struct MHD_Connection *c = r->c;
	const char *lang = web_lang(c);
	int64_t doc = 0, existing = 0;
	int hasdoc = field_id(r, "doc", &doc), hascoll = field_id(r, "collection", &existing);
	char back[64];
	if (hasdoc > 0)
		snprintf(back, sizeof back, "/doc/%lld", (long long)doc);
	else
		snprintf(back, sizeof back, "/me/collections");
	if (!r->authed) {
		if (r->api)
			return web_api_error(c, 401, "log in first");
		char next[80];
		snprintf(next, sizeof next, "/login?next=%s", back);
		return web_redirect(c, next);
	}
	if (hasdoc < 0 || hascoll < 0)
		return answer(r, 400, wy_i18n_tr(lang, "文档或专辑编号无效。"), NULL, back);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(r->sv, &st, &ei))
		return web_unavailable(r);
	if (hasdoc > 0) {
		/* a document the reader may see as anyone does (the store checks
		 * again as it adds it), before a collection is made for it */
		wy_doc d;
		int drc = wy_store_doc_get(st, doc, &d, &ei);
		if (drc && drc != WY_ENOTFOUND)
			return web_unavailable(r);
		bool seen = !drc && web_user_can_see(r, &d);
		if (!drc)
			wy_doc_clear(&d);
		if (!seen)
			return answer(r, 404, wy_i18n_tr(lang, "没有这份文档。"), NULL, back);
	}
	if (hascoll > 0) { /* the document page's form: into one of mine */
		if (hasdoc <= 0)
			return answer(r, 400, wy_i18n_tr(lang, "请选择要加入的文档。"), NULL, back);
		wy_collection coll;
		int rc = wy_store_collection_get(st, existing, r->user.id, false, &coll, &ei);
		bool mine = !rc && owns(r, &coll);
		if (!rc)
			wy_collection_clear(&coll);
		if (rc && rc != WY_ENOTFOUND)
			return web_unavailable(r);
		if (!mine)
			return answer(r, 404, wy_i18n_tr(lang, "没有这个专辑。"), NULL, back);
		return add_doc(r, st, existing, doc, back, 200);
	}
	const char *name = field(r, "name"), *description = field(r, "description");
	int pub = field_bool(r, "public");
	const char *bad = bad_text(lang, name ? name : "", description);
	if (bad)
		return answer(r, 400, bad, NULL, back);
	if (pub == -2)
		return answer(r, 400, wy_i18n_tr(lang, "公开与否须为0或1。"), NULL, back);
	int64_t id;
	int rc = wy_store_collection_add(st, r->user.id, name, description, pub == 1, &id, &ei);
	if (rc == WY_ETOOBIG)
		return answer(r, 409, wy_i18n_tr(lang, "每个账户最多50个专辑。"), NULL, back);
	if (rc == WY_EINVAL)
		return answer(r, 400, wy_i18n_tr(lang, "专辑名称须为1到60个字符。"), NULL, back);
	if (rc)
		return web_unavailable(r);
	wy_log("collection.new", "collection=%lld user=%lld", (long long)id, (long long)r->user.id);
	if (hasdoc > 0) /* made from a document page: it is the first document */
		return add_doc(r, st, id, doc, back, 201);
	snprintf(back, sizeof back, "/collection/%lld", (long long)id);
	web_flash(r, WEB_FLASH_COLLECTION_NEW, id, 0);
	return answer(r, 201, NULL, json_pack("{s:I}", "collection", (json_int_t)id), back);
}

enum MHD_Result web_post_collection(web_req *r)
{
	struct MHD_Connection *c = r->c;
	const char *lang = web_lang(c);
	const char *rest = r->rest, *slash = strchr(rest, '/');
	char num[24];
	int64_t id;
	if (!slash || (size_t)(slash - rest) >= sizeof num)
		return r->api ? web_api_error(c, 404, "no such resource") : web_not_found(r);
	snprintf(num, sizeof num, "%.*s", (int)(slash - rest), rest);
	const char *action = slash + 1;
	if (!web_path_id(num, &id))
		return r->api ? web_api_error(c, 404, "no such collection") : web_not_found(r);
	char back[64];
	snprintf(back, sizeof back, "/collection/%lld", (long long)id);
	if (!r->authed) {
		if (r->api)
			return web_api_error(c, 401, "log in first");
		char next[96];
		snprintf(next, sizeof next, "/login?next=%s", back);
		return web_redirect(c, next);
	}
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(r->sv, &st, &ei))
		return web_unavailable(r);
	bool admin = web_is_admin(r);
	wy_collection coll;
	int rc = wy_store_collection_get(st, id, r->user.id, admin, &coll, &ei);
	if (rc == WY_ENOTFOUND)
		return r->api ? web_api_error(c, 404, "no such collection") : web_not_found(r);
	if (rc)
		return web_unavailable(r);
	bool mine = owns(r, &coll);
	wy_collection_clear(&coll);
	if (!strcmp(action, "favorite")) {
		int on = field_bool(r, "on");
		if (on == -2)
			return answer(r, 400, wy_i18n_tr(lang, "on 须为0或1。"), NULL, back);
		int64_t n;
		if (wy_store_collection_favorite(st, r->user.id, id, on != 0, &n, &ei))
			return web_unavailable(r);
		web_flash(r, on != 0 ? WEB_FLASH_FAVED : WEB_FLASH_UNFAVED, 0, 0);
		return answer(r, 200, NULL, json_pack("{s:b, s:I}", "faved", on != 0, "favorites", (json_int_t)n), back);
	}
	static const char *const owners[] = {"add", "remove", "move", "edit", "delete"};
	bool known = false;
	for (size_t k = 0; k < sizeof owners / sizeof owners[0]; k++)
		known = known || !strcmp(action, owners[k]);
	if (!known)
		return r->api ? web_api_error(c, 404, "no such action") : web_not_found(r);
	/* a collection changes by its owner's hand; an admin may delete one */
	if (!mine && !(admin && !strcmp(action, "delete")))
		return answer(r, 403, wy_i18n_tr(lang, "只有专辑的创建者可以修改它。"), NULL, back);
	if (!strcmp(action, "delete")) {
		if (wy_store_collection_delete(st, id, &ei))
			return web_unavailable(r);
		wy_log("collection.delete", "collection=%lld user=%lld", (long long)id, (long long)r->user.id);
		if (!mine && wy_store_audit_add(st, r->user.id, "collection_delete", num, NULL, &ei))
			wy_warn("admin.audit_lost", "action=collection_delete collection=%lld", (long long)id);
		web_flash(r, WEB_FLASH_COLLECTION_DELETED, id, 0);
		return answer(r, 200, NULL, json_pack("{s:b}", "ok", 1), mine ? "/me/collections" : "/collections");
	}
	if (!strcmp(action, "edit")) {
		const char *name = field(r, "name"), *description = field(r, "description");
		/* the page's form sends every field: an emptied description is absent */
		if (!description && field(r, "form"))
			description = "";
		int pub = field_bool(r, "public");
		const char *bad = bad_text(lang, name, description);
		if (bad)
			return answer(r, 400, bad, NULL, back);
		if (pub == -2)
			return answer(r, 400, wy_i18n_tr(lang, "公开与否须为0或1。"), NULL, back);
		rc = wy_store_collection_edit(st, id, name, description, pub, &ei);
		if (rc == WY_EINVAL)
			return answer(r, 400, wy_i18n_tr(lang, "专辑名称须为1到60个字符。"), NULL, back);
		if (rc)
			return web_unavailable(r);
		if (wy_store_collection_get(st, id, r->user.id, admin, &coll, &ei))
			return web_unavailable(r);
		json_t *j = coll_json(r, &coll);
		wy_collection_clear(&coll);
		web_flash(r, WEB_FLASH_COLLECTION_SAVED, id, 0);
		return answer(r, 200, NULL, j, back);
	}
	int64_t doc;
	if (field_id(r, "doc", &doc) <= 0)
		return answer(r, 400, wy_i18n_tr(lang, "请选择要加入的文档。"), NULL, back);
	if (!strcmp(action, "add"))
		return add_doc(r, st, id, doc, back, 200);
	if (!strcmp(action, "remove")) {
		rc = wy_store_collection_item_remove(st, id, doc, &ei);
		if (rc == WY_ENOTFOUND)
			return answer(r, 404, wy_i18n_tr(lang, "这份文档不在专辑中。"), NULL, back);
		if (rc)
			return web_unavailable(r);
		return answer(r, 200, NULL, json_pack("{s:b}", "ok", 1), back);
	}
	/* move */
	int64_t to;
	if (field_id(r, "to", &to) <= 0 || to > WY_COLLECTION_ITEMS_MAX)
		return answer(r, 400, wy_i18n_tr(lang, "位置须为专辑中的序号。"), NULL, back);
	rc = wy_store_collection_item_move(st, id, doc, (int)to, &ei);
	if (rc == WY_ENOTFOUND)
		return answer(r, 404, wy_i18n_tr(lang, "这份文档不在专辑中。"), NULL, back);
	if (rc == WY_EINVAL)
		return answer(r, 400, wy_i18n_tr(lang, "位置须为专辑中的序号。"), NULL, back);
	if (rc)
		return web_unavailable(r);
	return answer(r, 200, NULL, json_pack("{s:I, s:I}", "doc", (json_int_t)doc, "position", (json_int_t)to), back);
}

/* ---- the document page and my pages ---- */

void web_collections_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx)
{
	if (!r || !r->authed)
		return;
	wy_collection_filter f = {.reader = r->user.id, .owner = r->user.id, .contains = d->id};
	wy_collection_list l;
	int total;
	if (wy_store_collection_list(st, &f, 0, WY_COLLECTIONS_MAX, &l, &total, NULL))
		return;
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)l.items[i].id, "name",
						   l.items[i].name ? l.items[i].name : "", "has", l.items[i].has_doc));
	wy_collection_list_clear(&l);
	json_object_set_new(ctx, "has_my_collections", json_boolean(json_array_size(a) > 0));
	json_object_set_new(ctx, "my_collections", a);
}

int web_me_collections(wy_store *st, const web_req *r, json_t *ctx, int page, int per, int *total)
{
	wy_collection_filter mine = {.reader = r->user.id, .owner = r->user.id};
	wy_collection_filter faved = {.reader = r->user.id, .favorited_by = r->user.id};
	wy_collection_list l;
	int n;
	int rc = wy_store_collection_list(st, &mine, 0, WY_COLLECTIONS_MAX, &l, &n, NULL);
	if (rc)
		return rc;
	json_object_set_new(ctx, "has_own", json_boolean(l.n > 0));
	json_object_set_new(ctx, "own_collections", colls_json(r, &l, true));
	wy_collection_list_clear(&l);
	if ((rc = wy_store_collection_list(st, &faved, (page - 1) * per, per, &l, total, NULL)))
		return rc;
	json_object_set_new(ctx, "has_faved", json_boolean(l.n > 0));
	json_object_set_new(ctx, "faved_collections", colls_json(r, &l, true));
	wy_collection_list_clear(&l);
	json_object_set_new(ctx, "collections_tab", json_true());
	json_object_set_new(ctx, "can_create", json_boolean(n < WY_COLLECTIONS_MAX));
	return WY_OK;
}

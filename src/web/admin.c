/* web/admin: the admin area. The moderation queues (open reports; new
 * uploads when the site reviews them), documents (hide, restore, delete to
 * the recycle bin, approve, recategorise), users (ban, make admin, adjust
 * points), the site settings and the audit log that every one of these
 * actions writes to. Only admins reach any of it: for everyone else it
 * does not exist (404). */
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void apply_setting(void *ctx, const char *name, const char *value)
{
	wy_config *cfg = ctx;
	if (wy_config_is_site(name))
		wy_config_set(cfg, name, value, NULL); /* a value that no longer validates is ignored */
}

void web_site_load(server *sv, wy_store *st)
{
	wy_config *fresh = wy_xmalloc(sizeof *fresh);
	pthread_mutex_lock(&sv->site_lock);
	*fresh = sv->loaded;
	pthread_mutex_unlock(&sv->site_lock);
	if (wy_store_settings_each(st, apply_setting, fresh, NULL) == WY_OK) {
		pthread_mutex_lock(&sv->site_lock);
		sv->site = *fresh;
		pthread_mutex_unlock(&sv->site_lock);
	}
	free(fresh);
}

static void date_text(int64_t at, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

static const char *const tabs[] = {"", "reports", "review", "docs", "users", "settings", "audit", NULL};

static json_t *admin_context(server *sv, struct MHD_Connection *c, const char *tab, bool *bad)
{
	wy_store *st;
	wy_errinfo ei = {0};
	*bad = true;
	int k;
	for (k = 0; tabs[k] && strcmp(tabs[k], tab) != 0; k++)
		;
	if (!tabs[k])
		return NULL;
	*bad = false;
	if (web_store(sv, &st, &ei))
		return NULL;
	const char *lang = web_lang(c);
	const int per = 50;
	int page = web_arg_int(c, "page", 1, 1, 100000), total = 0;
	json_t *ctx = json_pack("{s:s}", "tab", *tab ? tab : "home");
	char flag[32];
	snprintf(flag, sizeof flag, "tab_%s", *tab ? tab : "home");
	json_object_set_new(ctx, flag, json_true());
	if (!*tab) {
		int counts[4] = {0};
		wy_report_list rl;
		wy_doc_list dl;
		int open = 0, pending = 0;
		if (!wy_store_report_list(st, true, 0, 1, &rl, &open, &ei))
			wy_report_list_clear(&rl);
		if (!wy_store_doc_by_state(st, WY_STATE_PENDING, 0, 1, &dl, &pending, &ei))
			wy_doc_list_clear(&dl);
		wy_store_doc_counts(st, counts, &ei);
		json_object_set_new(ctx, "open_reports", json_integer(open));
		json_object_set_new(ctx, "pending", json_integer(pending));
		json_object_set_new(ctx, "counts", json_pack("{s:i, s:i, s:i, s:i}", "queued", counts[0], "converting",
							     counts[1], "ready", counts[2], "failed", counts[3]));
	} else if (strcmp(tab, "reports") == 0) {
		bool all = web_arg_int(c, "all", 0, 0, 1);
		wy_report_list rl;
		if (wy_store_report_list(st, !all, (page - 1) * per, per, &rl, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
		json_t *a = json_array();
		for (int i = 0; i < rl.n; i++) {
			wy_report *r = &rl.items[i];
			char date[32];
			date_text(r->at, date, sizeof date);
			json_array_append_new(
				a, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)r->id, "doc_id",
					     (json_int_t)r->doc_id, "doc_title", r->doc_title ? r->doc_title : "", "user",
					     r->user_name ? r->user_name : "", "reason", wy_i18n_tr(lang, r->reason), "detail",
					     r->detail ? r->detail : "", "date", date, "doc_state", wy_doc_state_name(r->doc_state),
					     "open", r->open));
		}
		wy_report_list_clear(&rl);
		json_object_set_new(ctx, "reports", a);
	} else if (strcmp(tab, "review") == 0 || strcmp(tab, "docs") == 0) {
		int state = strcmp(tab, "review") == 0 ? WY_STATE_PENDING : web_arg_int(c, "state", -1, -1, 3);
		wy_doc_list dl;
		if (wy_store_doc_by_state(st, state, (page - 1) * per, per, &dl, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
		json_t *a = json_array();
		for (int i = 0; i < dl.n; i++) {
			json_t *o = web_doc_context(&dl.items[i]);
			json_object_set_new(o, "uploader", json_string(dl.items[i].uploader ? dl.items[i].uploader : ""));
			json_object_set_new(o, "state", json_string(wy_doc_state_name(dl.items[i].state)));
			json_object_set_new(o, "published", json_boolean(dl.items[i].state == WY_STATE_PUBLISHED));
			json_object_set_new(o, "is_pending", json_boolean(dl.items[i].state == WY_STATE_PENDING));
			json_object_set_new(o, "is_deleted", json_boolean(dl.items[i].state == WY_STATE_DELETED));
			json_object_set_new(o, "private", json_boolean(dl.items[i].private_));
			json_array_append_new(a, o);
		}
		wy_doc_list_clear(&dl);
		json_object_set_new(ctx, "documents", a);
		json_object_set_new(ctx, "doc_table", json_true());
		wy_category_list cl;
		json_t *cats = json_array();
		if (!wy_store_category_list(st, &cl, &ei)) {
			for (int i = 0; i < cl.n; i++)
				json_array_append_new(cats, json_pack("{s:s}", "path", cl.items[i].path));
			wy_category_list_clear(&cl);
		}
		json_object_set_new(ctx, "categories", cats);
	} else if (strcmp(tab, "users") == 0) {
		const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
		wy_user_list ul;
		if (wy_store_user_list(st, q && strlen(q) < 64 ? q : NULL, (page - 1) * per, per, &ul, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
		json_t *a = json_array();
		for (int i = 0; i < ul.n; i++) {
			wy_user *u = &ul.items[i];
			char date[32];
			date_text(u->created_at, date, sizeof date);
			json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:b, s:I, s:s}", "id", (json_int_t)u->id, "name",
							   u->name, "admin", u->role == WY_ROLE_ADMIN, "banned", u->banned,
							   "points", (json_int_t)u->points, "date", date));
		}
		wy_user_list_clear(&ul);
		json_object_set_new(ctx, "users", a);
		json_object_set_new(ctx, "q", json_string(q && strlen(q) < 64 ? q : ""));
	} else if (strcmp(tab, "settings") == 0) {
		json_t *a = json_array();
		pthread_mutex_lock(&sv->site_lock);
		for (size_t i = 0; wy_config_site_setting(i); i++) {
			char val[512];
			const char *help = "";
			wy_config_get(&sv->site, wy_config_site_setting(i), val, sizeof val, &help);
			json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", wy_config_site_setting(i), "value", val, "help", help));
		}
		pthread_mutex_unlock(&sv->site_lock);
		json_object_set_new(ctx, "settings", a);
	} else if (strcmp(tab, "audit") == 0) {
		wy_audit_list al;
		if (wy_store_audit_list(st, (page - 1) * per, per, &al, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
		json_t *a = json_array();
		for (int i = 0; i < al.n; i++) {
			wy_audit_entry *e = &al.items[i];
			char date[32];
			date_text(e->at, date, sizeof date);
			json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "admin",
							   e->admin_name ? e->admin_name : "", "action", e->action, "target",
							   e->target ? e->target : "", "detail", e->detail ? e->detail : "",
							   "date", date));
		}
		wy_audit_list_clear(&al);
		json_object_set_new(ctx, "entries", a);
	}
	web_paging(ctx, total, page, per);
	return ctx;
}

enum MHD_Result web_page_admin(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *tab = rq->rest; /* "" or the tab, for the page and its JSON twin */
	bool api = rq->api;
	if (!web_is_admin(rq))
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(rq);
	bool bad;
	json_t *ctx = admin_context(sv, c, tab, &bad);
	if (!ctx)
		return bad ? (api ? web_api_error(c, 404, "no such resource") : web_not_found(rq))
			   : web_unavailable(rq);
	if (api)
		return web_json(c, 200, ctx);
	return web_page(rq, 200, wy_i18n_tr(web_lang(c), "管理后台"), sv->admin, ctx);
}

static int64_t form_id(web_req *r, const char *key)
{
	int64_t id;
	const char *v = web_form_get(r, key, NULL);
	return v && web_path_id(v, &id) ? id : 0;
}

/* Where a form sends the admin back to: a path in the admin area. */
static const char *back_to(web_req *r, const char *def)
{
	const char *b = web_form_get(r, "back", NULL);
	return b && (strncmp(b, "/admin", 6) == 0 || strncmp(b, "/doc/", 5) == 0) && !strpbrk(b, "\r\n") && strlen(b) < 500
		       ? b
		       : def;
}

enum MHD_Result web_post_admin(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	const char *rest = r->rest;
	bool api = r->api;
	if (!web_is_admin(r))
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(r);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_result(r, 503, "store unavailable", NULL, "/admin");
	const char *action = web_form_get(r, "action", NULL);
	if (!action)
		action = "";
	char target[64], detail[600] = "";
	int rc = WY_OK;
	int64_t id = 0, delta = 0; /* what the confirmation names */
	const char *back = "/admin";
	if (strcmp(rest, "doc") == 0) {
		id = form_id(r, "id");
		back = back_to(r, "/admin/docs");
		snprintf(target, sizeof target, "doc %lld", (long long)id);
		static const struct {
			const char *action;
			wy_doc_state state;
		} moves[] = {{"approve", WY_STATE_PUBLISHED}, {"restore", WY_STATE_PUBLISHED}, {"hide", WY_STATE_HIDDEN},
			     {"delete", WY_STATE_DELETED}};
		size_t k;
		for (k = 0; k < sizeof moves / sizeof moves[0] && strcmp(action, moves[k].action) != 0; k++)
			;
		if (!id) {
			rc = WY_EINVAL;
		} else if (k < sizeof moves / sizeof moves[0]) {
			rc = wy_store_doc_set_state(st, id, moves[k].state, &ei);
			/* a document hidden or deleted answers its reports */
			if (!rc && moves[k].state != WY_STATE_PUBLISHED)
				rc = wy_store_report_close(st, id, &ei);
		} else if (strcmp(action, "dismiss") == 0) {
			rc = wy_store_report_close(st, id, &ei);
		} else if (strcmp(action, "category") == 0) {
			/* an existing category: admins file, they make none here */
			const char *path = web_form_get(r, "category", NULL);
			int64_t cat;
			bool found = path && *path && !wy_store_category_find(st, path, &cat, NULL);
			rc = found ? wy_store_doc_set_category(st, id, path, &ei) : WY_EINVAL;
			if (found)
				snprintf(detail, sizeof detail, "%.*s", (int)wy_utf8_truncate(path, strlen(path), 500), path);
		} else {
			rc = WY_EINVAL;
		}
	} else if (strcmp(rest, "user") == 0) {
		id = form_id(r, "id");
		back = back_to(r, "/admin/users");
		snprintf(target, sizeof target, "user %lld", (long long)id);
		if (!id || id == r->user.id) {
			rc = WY_EINVAL; /* an admin does not ban or demote themself */
		} else if (strcmp(action, "ban") == 0 || strcmp(action, "unban") == 0) {
			rc = wy_store_user_set(st, id, -1, action[0] == 'b', &ei);
		} else if (strcmp(action, "admin") == 0 || strcmp(action, "unadmin") == 0) {
			rc = wy_store_user_set(st, id, action[0] == 'a' ? WY_ROLE_ADMIN : WY_ROLE_USER, -1, &ei);
		} else if (strcmp(action, "points") == 0) {
			const char *v = web_form_get(r, "delta", NULL);
			char *end = NULL;
			delta = v ? strtoll(v, &end, 10) : 0;
			if (!v || !end || *end || delta < -1000000 || delta > 1000000)
				rc = WY_EINVAL;
			else
				rc = wy_store_points_adjust(st, id, delta, &ei);
			snprintf(detail, sizeof detail, "%+lld", (long long)delta);
		} else {
			rc = WY_EINVAL;
		}
	} else if (strcmp(rest, "settings") == 0) {
		back = "/admin/settings";
		snprintf(target, sizeof target, "settings");
		action = "settings";
		wy_config *check = wy_xmalloc(sizeof *check);
		pthread_mutex_lock(&sv->site_lock);
		*check = sv->site;
		pthread_mutex_unlock(&sv->site_lock);
		/* every value is checked before any is saved */
		for (size_t i = 0; wy_config_site_setting(i) && !rc; i++) {
			const char *v = web_form_get(r, wy_config_site_setting(i), NULL);
			if (v && !wy_utf8_valid(v, strlen(v)))
				rc = wy_err_set(&ei, WY_EINVAL, "%s: not UTF-8", wy_config_site_setting(i));
			else if (v && (rc = wy_config_set(check, wy_config_site_setting(i), v, &ei)) == WY_OK) {
				size_t dl = strlen(detail);
				if (dl + strlen(wy_config_site_setting(i)) + 110 < sizeof detail)
					snprintf(detail + dl, sizeof detail - dl, "%s%s=%.*s", dl ? " " : "", wy_config_site_setting(i),
						 (int)wy_utf8_truncate(v, strlen(v), 100), v);
			}
		}
		for (size_t i = 0; wy_config_site_setting(i) && !rc; i++) {
			const char *v = web_form_get(r, wy_config_site_setting(i), NULL);
			if (v)
				rc = wy_store_setting_set(st, wy_config_site_setting(i), v, &ei);
		}
		free(check);
		if (!rc)
			web_site_load(sv, st);
	} else {
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(r);
	}
	if (rc == WY_EINVAL)
		return web_result(r, 400, ei.msg[0] ? ei.msg : "invalid request", NULL, back);
	if (rc == WY_ENOTFOUND)
		return web_result(r, 404, "not found", NULL, back);
	if (rc == WY_EPOINTS)
		return web_result(r, 400, wy_err_msg(&ei, rc), NULL, back);
	if (rc)
		return web_result(r, 503, "store unavailable", NULL, back);
	/* An action no audit row records is not done as far as anyone can
	 * tell: it is answered as failed (the store has no transaction to
	 * undo it with the row; the log line says what happened). */
	if (wy_store_audit_add(st, r->user.id, action, target, detail, &ei)) {
		wy_error("admin.audit_lost", "admin=%lld action=%s target=\"%s\" msg=\"%s\"", (long long)r->user.id,
			 action, target, wy_err_msg(&ei, WY_EIO));
		return web_unavailable(r);
	}
	/* target is "doc 5", "user 7": quoted, one field */
	wy_log("admin.action", "admin=%lld action=%s target=\"%s\"", (long long)r->user.id, action, target);
	static const struct {
		const char *action;
		web_flash_code code;
	} said[] = {{"approve", WEB_FLASH_DOC_APPROVED}, {"restore", WEB_FLASH_DOC_RESTORED}, {"hide", WEB_FLASH_DOC_HIDDEN},
		    {"delete", WEB_FLASH_DOC_DELETED},   {"dismiss", WEB_FLASH_DOC_DISMISSED}, {"category", WEB_FLASH_DOC_CATEGORY},
		    {"ban", WEB_FLASH_USER_BANNED},      {"unban", WEB_FLASH_USER_UNBANNED},   {"admin", WEB_FLASH_USER_ADMIN},
		    {"unadmin", WEB_FLASH_USER_UNADMIN}, {"points", WEB_FLASH_USER_POINTS},    {"settings", WEB_FLASH_SETTINGS}};
	for (size_t k = 0; k < sizeof said / sizeof said[0]; k++)
		if (strcmp(action, said[k].action) == 0)
			web_flash(r, said[k].code, id, delta);
	return web_result(r, 200, NULL, NULL, back);
}

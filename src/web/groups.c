/* web/groups: user groups. web_user_perms is the one place uploads,
 * comments, reviews and downloads ask what an account may do (the store's
 * wy_user_perms: its group's rights, every right for an admin); the admin
 * tab "groups" lists, adds, edits and deletes groups, sets the default one
 * (which new accounts join) and moves an account to a group. The audit
 * row of each change is written by web_post_admin (admin.c). */
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool web_user_perms(const web_req *r, wy_perms *out)
{
	memset(out, 0, sizeof *out);
	wy_store *st;
	if (!r || !r->authed || web_store(r->sv, &st, NULL))
		return false;
	return wy_user_perms(st, r->user.id, out, NULL) == WY_OK;
}

bool web_skips_review(const web_req *r)
{
	wy_perms p;
	return web_is_admin(r) || (web_user_perms(r, &p) && p.skip_review);
}

int web_groups_admin_context(wy_store *st, json_t *ctx, wy_errinfo *ei)
{
	wy_group_list gl;
	int rc = wy_store_groups(st, &gl, ei);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (int i = 0; i < gl.n; i++) {
		wy_group *g = &gl.items[i];
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:b, s:b, s:b, s:b, s:I, s:b, s:I}", "id", (json_int_t)g->id, "name", g->name,
				     "can_upload", g->can_upload, "can_comment", g->can_comment, "skip_review", g->skip_review,
				     "free_download", g->free_download, "upload_mb", (json_int_t)g->upload_mb, "is_default",
				     g->is_default, "members", (json_int_t)g->members));
	}
	wy_group_list_clear(&gl);
	json_object_set_new(ctx, "groups", a);
	return WY_OK;
}

static bool form_flag(web_req *r, const char *key)
{
	const char *v = web_form_get(r, key, NULL);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0);
}

static int64_t form_num(web_req *r, const char *key, int64_t def)
{
	const char *v = web_form_get(r, key, NULL);
	char *end;
	if (!v || !*v)
		return def;
	long long n = strtoll(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

int web_groups_admin(web_req *r, wy_store *st, const char *action, int64_t *id, char *target, size_t tsize,
		     char *detail, size_t dsize, wy_errinfo *ei)
{
	if (strcmp(action, "group") == 0) { /* the users tab: move an account */
		int64_t group = form_num(r, "group", -1);
		snprintf(target, tsize, "user %lld", (long long)*id);
		snprintf(detail, dsize, "group=%lld", (long long)group);
		if (!*id || group <= 0)
			return wy_err_set(ei, WY_EINVAL, "choose a group");
		return wy_store_user_set_group(st, *id, group, ei);
	}
	snprintf(target, tsize, "group %lld", (long long)*id);
	if (strcmp(action, "group_delete") == 0)
		return *id ? wy_store_group_delete(st, *id, ei) : WY_EINVAL;
	if (strcmp(action, "group_default") == 0)
		return *id ? wy_store_group_set_default(st, *id, ei) : WY_EINVAL;
	if (strcmp(action, "group_add") != 0 && strcmp(action, "group_edit") != 0)
		return wy_err_set(ei, WY_EINVAL, "no such action");
	bool add = action[6] == 'a';
	if (!add && !*id)
		return wy_err_set(ei, WY_EINVAL, "no group named");
	const char *name = web_form_get(r, "name", NULL);
	wy_group g = {
		.id = add ? 0 : *id,
		.name = (char *)(name ? name : ""),
		.can_upload = form_flag(r, "can_upload"),
		.can_comment = form_flag(r, "can_comment"),
		.skip_review = form_flag(r, "skip_review"),
		.free_download = form_flag(r, "free_download"),
		.upload_mb = form_num(r, "upload_mb", 0),
	};
	int rc = wy_store_group_save(st, &g, id, ei);
	snprintf(target, tsize, "group %lld", (long long)*id);
	snprintf(detail, dsize, "name=%.*s upload=%d comment=%d skip_review=%d free_download=%d upload_mb=%lld",
		 (int)wy_utf8_truncate(g.name, strlen(g.name), 100), g.name, g.can_upload, g.can_comment, g.skip_review,
		 g.free_download, (long long)g.upload_mb);
	return rc;
}

void web_groups_users(wy_store *st, json_t *ctx)
{
	json_t *groups = json_object_get(ctx, "groups");
	size_t i, k;
	json_t *u, *g;
	json_array_foreach(json_object_get(ctx, "users"), i, u) {
		wy_perms p;
		int64_t mine = wy_user_perms(st, (int64_t)json_integer_value(json_object_get(u, "id")), &p, NULL) ? 0
											      : p.group_id;
		json_object_set_new(u, "group_id", json_integer(mine));
		json_t *opts = json_array();
		json_array_foreach(groups, k, g) {
			int64_t gid = (int64_t)json_integer_value(json_object_get(g, "id"));
			json_array_append_new(opts, json_pack("{s:I, s:O, s:b}", "gid", (json_int_t)gid, "gname",
							      json_object_get(g, "name"), "selected", gid == mine));
			if (gid == mine)
				json_object_set(u, "group", json_object_get(g, "name"));
		}
		json_object_set_new(u, "group_options", opts);
	}
}

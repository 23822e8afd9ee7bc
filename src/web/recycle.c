/* web/recycle: the recycle bin on the site. An owner deletes a document
 * (POST /doc/{id}/delete, the page's "删除" with its confirmation) and
 * restores it from /me/recycle (POST /doc/{id}/restore); admins purge from
 * the admin's recycle bin (POST /admin/doc action=purge); and the admin's
 * view of any account's ledger (/admin/ledger?user=ID). The rules are the
 * store's (wy_store_doc_delete, wy_store_doc_restore, wy_store_doc_purge). */
#include "core/log.h"
#include "jobs/collect.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void date_text(int64_t at, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

enum MHD_Result web_recycle_post(web_req *r, int64_t id, const char *action)
{
	server *sv = r->sv;
	const char *lang = web_lang(r->c);
	bool admin = web_is_admin(r), del = strcmp(action, "delete") == 0;
	char back[64];
	snprintf(back, sizeof back, "/doc/%lld", (long long)id);
	wy_store *st;
	wy_errinfo ei = {0};
	wy_doc d;
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, &ei);
	if (rc)
		return rc == WY_ENOTFOUND ? web_result(r, 404, "no such document", NULL, "/me/recycle") : web_unavailable(r);
	/* another's document is not there for a reader (404, as for a
	 * private one); an admin may act on any */
	bool owner = d.owner_id && d.owner_id == r->user.id;
	int64_t was = d.state;
	wy_doc_clear(&d);
	if (!owner && !admin)
		return web_result(r, 404, "no such document", NULL, "/me/recycle");
	rc = del ? wy_store_doc_delete(st, id, r->user.id, admin, &ei)
		 : wy_store_doc_restore(st, id, r->user.id, admin, &ei);
	if (rc == WY_ENOTFOUND)
		return web_result(r, 404, "no such document", NULL, "/me/recycle");
	if (rc == WY_EPERM)
		return web_result(r, 403, wy_i18n_tr(lang, "这份文档由管理员删除或隐藏，只有管理员可以恢复。"), NULL,
				  "/me/recycle");
	if (rc == WY_EINVAL)
		return web_result(r, 409, wy_i18n_tr(lang, "这份文档不在回收站里。"), NULL, back);
	if (rc)
		return web_unavailable(r);
	/* an admin acting on another's document through its page leaves an
	 * audit row, as the admin's forms do */
	if (!owner) {
		char target[48];
		snprintf(target, sizeof target, "doc %lld", (long long)id);
		if (wy_store_audit_add(st, r->user.id, action, target, NULL, &ei))
			return web_unavailable(r);
	}
	wy_doc now;
	const char *state = del ? "deleted" : "published";
	if (!wy_store_doc_get(st, id, &now, NULL)) {
		state = wy_doc_state_name(now.state);
		wy_doc_clear(&now);
	}
	wy_log(del ? "recycle.deleted" : "recycle.restored", "doc=%lld user=%lld owner=%d was=%s", (long long)id,
	       (long long)r->user.id, owner, wy_doc_state_name((int)was));
	web_flash(r, del ? WEB_FLASH_DOC_DELETED : WEB_FLASH_DOC_RESTORED, id, 0);
	return web_result(r, 200, NULL, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", state),
			  del ? (owner ? "/me/recycle" : back) : back);
}

int web_recycle_tab(wy_store *st, const web_req *r, json_t *ctx, int page, int per, int *total, wy_errinfo *ei)
{
	wy_recycle_list l;
	int rc = wy_store_recycle_list(st, r->user.id, (page - 1) * per, per, &l, total, ei);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++) {
		wy_recycled *x = &l.items[i];
		json_t *o = web_doc_context(&x->doc);
		char date[32];
		date_text(x->deleted_at, date, sizeof date);
		json_object_set_new(o, "uploader", json_string(x->doc.uploader ? x->doc.uploader : ""));
		json_object_set_new(o, "state", json_string("deleted"));
		json_object_set_new(o, "deleted_at", json_integer(x->deleted_at));
		json_object_set_new(o, "deleted_date", json_string(date));
		json_object_set_new(o, "deleted_by", json_string(x->by_owner ? "owner" : "admin"));
		json_object_set_new(o, "restorable", json_boolean(x->restorable));
		json_array_append_new(a, o);
	}
	wy_recycle_list_clear(&l);
	json_object_set_new(ctx, "recycled", a);
	json_object_set_new(ctx, "recycle", json_true());
	return WY_OK;
}

/* An admin's purge of document id (in the recycle bin): its rows, an
 * audit row, its blobs once nothing refers to them. */
int web_recycle_purge(web_req *r, wy_store *st, int64_t id, wy_errinfo *ei)
{
	wy_config site;
	web_site_get(r->sv, &site);
	int removed = 0;
	int rc = wy_recycle_purge(st, r->sv->blobs, id, r->user.id, NULL, site.blob_grace, &removed, ei);
	if (!rc)
		wy_log("admin.purge", "admin=%lld doc=%lld blobs_removed=%d", (long long)r->user.id, (long long)id, removed);
	return rc;
}

/* The reasons of the ledger in words (msgids): the /me/points page's and
 * the admin's view. */
static const char *const ledger_reasons[][2] = {
	{"register", N_("注册")}, {"signin", N_("每日签到")}, {"upload", N_("上传文档")}, {"download", N_("下载文档")},
	{"sale", N_("文档被下载")}, {"reward", N_("打赏")}, {"rewarded", N_("收到打赏")}, {"admin", N_("管理员调整")},
	{"upload_revoked", N_("文档下架，收回上传积分")},
};

const char *web_ledger_reason(const char *lang, const char *reason)
{
	for (size_t k = 0; reason && k < sizeof ledger_reasons / sizeof ledger_reasons[0]; k++)
		if (strcmp(reason, ledger_reasons[k][0]) == 0)
			return wy_i18n_tr(lang, ledger_reasons[k][1]);
	return reason ? reason : "";
}

int web_admin_ledger(wy_store *st, struct MHD_Connection *c, json_t *ctx, int page, int per, int *total,
		     wy_errinfo *ei)
{
	int64_t uid = web_arg_int(c, "user", 0, 0, 2000000000);
	wy_user u;
	int rc = wy_store_user_get(st, uid, &u, ei);
	if (rc)
		return rc;
	json_object_set_new(ctx, "account",
			    json_pack("{s:I, s:s, s:I, s:b, s:b}", "id", (json_int_t)u.id, "name", u.name, "points",
				      (json_int_t)u.points, "admin", u.role == WY_ROLE_ADMIN, "banned", u.banned));
	wy_user_clear(&u);
	wy_ledger l;
	if ((rc = wy_store_points_ledger(st, uid, (page - 1) * per, per, &l, total, ei)))
		return rc;
	const char *lang = web_lang(c);
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++) {
		wy_ledger_entry *e = &l.items[i];
		char date[32];
		date_text(e->at, date, sizeof date);
		/* an admin sees whole names: the other side of a transfer too */
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:b}", "id", (json_int_t)e->id, "delta",
				      (json_int_t)e->delta, "reason", e->reason, "label", web_ledger_reason(lang, e->reason),
				      "date", date, "at", (json_int_t)e->at, "plus", e->delta > 0);
		if (e->doc_id) {
			json_object_set_new(o, "doc_id", json_integer(e->doc_id));
			json_object_set_new(o, "doc_title", json_string(e->doc_title ? e->doc_title : ""));
		}
		if (e->other_id) {
			json_object_set_new(o, "other_id", json_integer(e->other_id));
			json_object_set_new(o, "other", json_string(e->other_name ? e->other_name : ""));
		}
		json_array_append_new(a, o);
	}
	wy_ledger_clear(&l);
	json_object_set_new(ctx, "ledger", a);
	return WY_OK;
}

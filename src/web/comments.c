/* web/comments: readers' ratings and comments on a document: the page's
 * section (web_comments_viewer), its forms and their JSON twins
 * (web_comments_post: POST /doc/{id}/rating, /comments,
 * /comment/{cid}/delete, /report with a comment), the list's API (GET
 * /api/v1/doc/{id}/comments) and the admins' moderation of comments
 * (web_comments_admin, the reports tab). Who may see a document decides
 * who may see, post, rate and count its comments: the callers have
 * checked it with web_can_see, and the store checks it again in SQL
 * (sqlite_comments.c). Comment text reaches a page only through the
 * template's escaping {{text}}, never as markup, and links are never made
 * of it (a URL in a comment stays text). */
#include "core/log.h"
#include "text/utf8.h"
#include "view/views.h"
#include "web/captcha.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMMENTS_PER_PAGE 20 /* top comments a page, their replies with them */
#define COMMENT_MAX_CHARS 1000

static int64_t viewer_of(const web_req *r) { return r && r->authed ? r->user.id : 0; }

/* The name a comment's author shows under: their own to themselves and to
 * admins; masked for the rest, as an uploader's is (wy_mask_name). */
static json_t *shown_name(const web_req *r, const wy_comment *c)
{
	const char *name = c->user_name ? c->user_name : "";
	if ((r && r->authed && r->user.id == c->user_id) || web_is_admin(r))
		return json_string(name);
	char masked[64];
	wy_mask_name(name, masked, sizeof masked);
	return json_string(masked);
}

/* One comment as the API gives it (and the page shows it: page adds the
 * display fields). */
static json_t *comment_json(const web_req *r, const wy_comment *c, bool page)
{
	bool mine = r && r->authed && r->user.id == c->user_id;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "user", shown_name(r, c));
	json_object_set_new(o, "text", json_string(c->text ? c->text : ""));
	json_object_set_new(o, "at", json_integer(c->at));
	json_object_set_new(o, "by_uploader", json_boolean(c->by_uploader));
	json_object_set_new(o, "parent", c->parent_id ? json_integer(c->parent_id) : json_null());
	json_object_set_new(o, "state", json_string(wy_comment_state_name(c->state)));
	json_object_set_new(o, "mine", json_boolean(mine));
	json_object_set_new(o, "replies", json_array());
	if (page) {
		char date[32];
		time_t t = (time_t)c->at;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
		json_object_set_new(o, "date", json_string(date));
		json_object_set_new(o, "is_pending", json_boolean(c->state == WY_COMMENT_PENDING));
		json_object_set_new(o, "is_hidden", json_boolean(c->state == WY_COMMENT_HIDDEN));
		json_object_set_new(o, "can_delete", json_boolean(mine || web_is_admin(r)));
		json_object_set_new(o, "can_report", json_boolean(r && r->authed && !mine));
		json_object_set_new(o, "is_reply", json_boolean(c->parent_id != 0));
	}
	return o;
}

/* Page `page` of d's comments as r may see them: {"comments": [top
 * comments, each with its "replies"], "total", "page", "pages"}, plus
 * "all" (every comment r may see, replies too); NULL when the store
 * fails. */
static json_t *comments_page(wy_store *st, const web_req *r, const wy_doc *d, int page, bool display)
{
	wy_comment_list cl;
	int total = 0, all = 0;
	if (wy_store_comment_list(st, viewer_of(r), web_is_admin(r), d->id, (page - 1) * COMMENTS_PER_PAGE,
				  COMMENTS_PER_PAGE, &cl, &total, &all, NULL))
		return NULL;
	json_t *a = json_array(), *top = NULL;
	for (int i = 0; i < cl.n; i++) {
		json_t *o = comment_json(r, &cl.items[i], display);
		if (!cl.items[i].parent_id) {
			top = o;
			json_array_append_new(a, o);
		} else if (top) {
			json_array_append_new(json_object_get(top, "replies"), o);
		} else {
			json_decref(o);
		}
	}
	wy_comment_list_clear(&cl);
	size_t i;
	json_t *o;
	if (display) /* for the page's {{#has_replies}} */
		json_array_foreach(a, i, o)
			json_object_set_new(o, "has_replies", json_boolean(json_array_size(json_object_get(o, "replies")) > 0));
	int pages = total ? (total + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE : 1;
	return json_pack("{s:o, s:i, s:i, s:i, s:i}", "comments", a, "total", total, "page", page, "pages", pages, "all",
			 all);
}

/* "★★★★☆": avg rounded to whole stars. */
static void stars_text(double avg, char *out, size_t size)
{
	int full = (int)(avg + 0.5);
	size_t n = 0;
	out[0] = 0;
	for (int i = 1; i <= 5 && n + 4 < size; i++) {
		memcpy(out + n, i <= full ? "★" : "☆", 3);
		n += 3;
		out[n] = 0;
	}
}

void web_comments_viewer(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx)
{
	/* the average and count, for the info line and the section */
	if (d->ratings > 0) {
		char stars[32], avg[16];
		stars_text(d->rating, stars, sizeof stars);
		snprintf(avg, sizeof avg, "%.1f", d->rating);
		json_object_set_new(ctx, "cm_rated", json_pack("{s:s, s:s, s:I}", "stars", stars, "avg", avg, "n",
							      (json_int_t)d->ratings));
	}
	bool owner = r && r->authed && d->owner_id == r->user.id;
	bool writes = r && r->authed && d->state != WY_STATE_DELETED;
	int mine = 0;
	if (writes && !owner)
		wy_store_rating_get(st, r->user.id, d->id, &mine, NULL);
	json_t *buttons = json_array();
	for (int i = 1; i <= 5; i++)
		json_array_append_new(buttons, json_pack("{s:i, s:b}", "n", i, "on", i <= mine));
	json_object_set_new(ctx, "cm_stars", buttons);
	json_object_set_new(ctx, "cm_mine", json_integer(mine));
	json_object_set_new(ctx, "cm_can_rate", json_boolean(writes && !owner));
	wy_perms perms; /* a group without the right to comment sees why, not the form (groups.c) */
	bool may_comment = writes && web_user_perms(r, &perms) && perms.can_comment;
	json_object_set_new(ctx, "cm_can_write", json_boolean(may_comment));
	json_object_set_new(ctx, "cm_no_comment", json_boolean(writes && !may_comment));
	json_object_set_new(ctx, "cm_doc", json_integer(d->id));
	if (writes) {
		/* captcha_comment: one captcha for the page's comment forms (the
		 * new comment's and the replies'), answered by the one posted.
		 * Only its making writes to the request (its form token, which a
		 * signed-in reader has already): the page is never kept for
		 * another reader (the page cache keeps anonymous pages only). */
		web_req *rw = (web_req *)r;
		char again[64];
		snprintf(again, sizeof again, "/doc/%lld#comments", (long long)d->id);
		web_captcha_context(rw, WEB_CAPTCHA_COMMENT, ctx, again);
		json_t *cap = json_object_get(ctx, "captcha");
		if (cap) {
			json_object_set_new(ctx, "cm_captcha_on", json_true());
			json_object_set(ctx, "cm_captcha_id", json_object_get(cap, "id"));
			json_object_set(ctx, "cm_captcha_image", json_object_get(cap, "image"));
		}
	}
	int page = r ? web_arg_int(r->c, "cp", 1, 1, 100000) : 1;
	json_t *cp = comments_page(st, r, d, page, true);
	if (!cp)
		cp = json_pack("{s:[], s:i, s:i, s:i, s:i}", "comments", "total", 0, "page", 1, "pages", 1, "all", 0);
	json_t *paging = json_object();
	web_paging(paging, (int)json_integer_value(json_object_get(cp, "total")), page, COMMENTS_PER_PAGE);
	json_object_set_new(ctx, "cm_paging", json_pack("{s:O?, s:O?, s:O, s:O}", "prev", json_object_get(paging, "prev"),
							"next", json_object_get(paging, "next"), "page",
							json_object_get(paging, "page"), "pages", json_object_get(paging, "pages")));
	json_decref(paging);
	json_object_set(ctx, "cm_list", json_object_get(cp, "comments"));
	json_object_set_new(ctx, "cm_any", json_boolean(json_array_size(json_object_get(cp, "comments")) > 0));
	json_object_set_new(ctx, "cm_fmt", json_pack("{s:s}", "n", "{n}")); /* comments.js fills {n} in */
	json_object_set(ctx, "cm_count", json_object_get(cp, "all"));
	json_decref(cp);
}

enum MHD_Result web_comments_api(web_req *r, wy_store *st, const wy_doc *d)
{
	int page = web_arg_int(r->c, "page", 1, 1, 100000);
	json_t *cp = comments_page(st, r, d, page, false);
	if (!cp)
		return web_unavailable(r);
	json_object_del(cp, "all");
	return web_json(r->c, 200, cp);
}

/* ---- the forms: POST /doc/{id}/{rating,comments,comment/{cid}/delete,report} ---- */

bool web_comments_action(web_req *r, const char *action)
{
	return strcmp(action, "rating") == 0 || strcmp(action, "comments") == 0 ||
	       strncmp(action, "comment/", 8) == 0 ||
	       (strcmp(action, "report") == 0 && web_form_get(r, "comment", NULL));
}

/* Back to the document's comments (a form's answer). */
static enum MHD_Result back(web_req *r, unsigned status, const char *msg, json_t *j, int64_t id)
{
	char to[64];
	snprintf(to, sizeof to, "/doc/%lld#comments", (long long)id);
	return web_result(r, status, msg, j, to);
}

/* The text of a comment from the form: its ends' white space and hidden
 * controls dropped; NULL (with *why a msgid) when it is empty, too long
 * or not UTF-8. malloc'd. */
static char *comment_text(web_req *r, const char **why)
{
	size_t n = 0;
	const char *v = web_form_get(r, "text", &n);
	if (!v || !wy_utf8_valid(v, n)) {
		*why = N_("请填写评论内容。");
		return NULL;
	}
	char *t = wy_xstrndup(v, n);
	n = wy_utf8_drop_hidden(t, n);
	t[n] = 0;
	size_t a = 0;
	while (a < n && strchr(" \t\r\n", t[a]))
		a++;
	while (n > a && strchr(" \t\r\n", t[n - 1]))
		n--;
	memmove(t, t + a, n - a);
	t[n - a] = 0;
	size_t chars = 0;
	for (const char *p = t, *e = t + strlen(t); p < e && wy_utf8_decode(&p, e) >= 0;)
		chars++;
	if (!chars || chars > COMMENT_MAX_CHARS) {
		*why = chars ? N_("评论最多1000字。") : N_("请填写评论内容。");
		free(t);
		return NULL;
	}
	return t;
}

static int64_t form_int(web_req *r, const char *key)
{
	int64_t v;
	const char *s = web_form_get(r, key, NULL);
	return s && web_path_id(s, &v) ? v : 0;
}

enum MHD_Result web_comments_post(web_req *r, wy_store *st, const wy_doc *d, const char *action)
{
	const char *lang = web_lang(r->c);
	bool admin = web_is_admin(r);
	wy_errinfo ei = {0};
	int64_t id = d->id;
	/* nothing is written on a document in the recycle bin (admins see it) */
	if (d->state == WY_STATE_DELETED)
		return r->api ? web_api_error(r->c, 404, "no such document") : web_not_found(r);
	if (strcmp(action, "rating") == 0) {
		const char *s = web_form_get(r, "stars", NULL);
		int stars = s && s[0] >= '1' && s[0] <= '5' && !s[1] ? s[0] - '0' : 0;
		if (!stars)
			return back(r, 400, wy_i18n_tr(lang, "请选择1到5星。"), NULL, id);
		double avg;
		int64_t n;
		int rc = wy_store_rating_set(st, r->user.id, admin, id, stars, &avg, &n, &ei);
		if (rc == WY_EPERM)
			return back(r, 403, wy_i18n_tr(lang, "不能给自己上传的文档评分。"), NULL, id);
		if (rc)
			return rc == WY_ENOTFOUND ? web_fail(r, rc) : back(r, 503, "store unavailable", NULL, id);
		web_cache_drop(id); /* visitors see the new average at once */
		wy_log("comments.rate", "doc=%lld user=%lld stars=%d", (long long)id, (long long)r->user.id, stars);
		return back(r, 200, NULL,
			    json_pack("{s:f, s:I, s:i}", "rating", (double)(int64_t)(avg * 10 + 0.5) / 10, "ratings",
				      (json_int_t)n, "mine", stars),
			    id);
	}
	enum MHD_Result blocked;
	if (strcmp(action, "comments") == 0 && web_mail_blocked(r, &blocked)) /* email_verify (mail.c) */
		return blocked;
	if (strcmp(action, "comments") == 0) {
		wy_perms p; /* the account's group (groups.c) */
		if (!web_user_perms(r, &p) || !p.can_comment)
			return back(r, 403, wy_i18n_tr(lang, "你所在的用户组不能发表评论。如有疑问，请联系管理员。"), NULL, id);
		const char *why = NULL;
		char *text = comment_text(r, &why);
		if (!text)
			return back(r, 400, wy_i18n_tr(lang, why), NULL, id);
		/* captcha_comment: the answer of the page's captcha */
		wy_errinfo cei = {0};
		int crc = web_captcha_check(r, WEB_CAPTCHA_COMMENT, &cei);
		if (crc) {
			free(text);
			if (crc != WY_EINVAL && crc != WY_EPERM)
				return web_unavailable(r);
			if (r->api)
				return web_json(r->c, 400, json_pack("{s:s, s:b}", "error", web_captcha_message(r, crc),
								      "captcha", 1));
			return back(r, 400, web_captcha_message(r, crc), NULL, id);
		}
		wy_config site;
		web_site_get(r->sv, &site);
		wy_comment_rule rule = {site.comments_per_hour, site.comment_review != 0};
		int64_t cid = 0;
		int state = 0;
		int rc = wy_store_comment_add(st, r->user.id, admin, id, form_int(r, "parent"), text, &rule, &cid, &state,
					      &ei);
		free(text);
		if (rc == WY_ETOOBIG)
			return back(r, 429, wy_i18n_tr(lang, "评论太频繁，请稍后再发。"), NULL, id);
		if (rc == WY_ENOTFOUND)
			return back(r, 404, wy_i18n_tr(lang, "要回复的评论不存在。"), NULL, id);
		if (rc)
			return back(r, 503, "store unavailable", NULL, id);
		web_cache_drop(id);
		wy_log("comments.add", "doc=%lld user=%lld comment=%lld state=%s", (long long)id, (long long)r->user.id,
		       (long long)cid, wy_comment_state_name(state));
		if (r->api)
			return web_json(r->c, 201, json_pack("{s:I, s:s}", "comment", (json_int_t)cid, "state",
							      wy_comment_state_name(state)));
		char to[80];
		snprintf(to, sizeof to, "/doc/%lld#c%lld", (long long)id, (long long)cid);
		return web_result(r, 200, NULL, NULL, to);
	}
	if (strcmp(action, "report") == 0) {
		const char *reason = web_form_get(r, "reason", NULL);
		size_t dl = 0;
		const char *detail = web_form_get(r, "detail", &dl);
		bool known = false;
		for (int i = 0; reason && web_report_reasons[i] && !known; i++)
			known = strcmp(reason, web_report_reasons[i]) == 0;
		int64_t cid = form_int(r, "comment");
		if (!known || !cid)
			return back(r, 400, wy_i18n_tr(lang, "请选择举报原因。"), NULL, id);
		char det[2001] = "";
		if (detail && wy_utf8_valid(detail, dl))
			snprintf(det, sizeof det, "%.*s", (int)wy_utf8_truncate(detail, dl, 2000), detail);
		/* the comment must be this document's */
		wy_comment c;
		int rc = wy_store_comment_get(st, r->user.id, admin, cid, &c, &ei);
		if (!rc) {
			bool here = c.doc_id == id;
			wy_comment_clear(&c);
			rc = here ? WY_OK : WY_ENOTFOUND;
		}
		int64_t rid = 0;
		if (!rc)
			rc = wy_store_comment_report(st, r->user.id, admin, cid, reason, det, &rid, &ei);
		if (rc == WY_ENOTFOUND)
			return back(r, 404, wy_i18n_tr(lang, "评论不存在。"), NULL, id);
		if (rc == WY_ETOOBIG)
			return back(r, 429, wy_i18n_tr(lang, "举报太频繁，请稍后再试。"), NULL, id);
		bool again = rc == WY_EEXIST; /* their open report of it: no new row */
		if (rc && !again)
			return back(r, 503, "store unavailable", NULL, id);
		if (!again)
			wy_log("report.add", "report=%lld doc=%lld comment=%lld user=%lld", (long long)rid, (long long)id,
			       (long long)cid, (long long)r->user.id);
		if (r->api)
			return web_json(r->c, again ? 200 : 201, json_pack("{s:I}", "report", (json_int_t)rid));
		char to[64];
		snprintf(to, sizeof to, "/doc/%lld#comments", (long long)id);
		return web_message(r, 200, wy_i18n_tr(lang, "举报"), wy_i18n_tr(lang, "感谢举报，管理员会尽快处理。"), to);
	}
	/* comment/{cid}/delete: the author's, or an admin's */
	int64_t cid;
	char num[24];
	const char *p = action + 8, *slash = strchr(p, '/');
	if (!slash || strcmp(slash, "/delete") != 0 || (size_t)(slash - p) >= sizeof num)
		return r->api ? web_api_error(r->c, 404, "no such action") : web_not_found(r);
	snprintf(num, sizeof num, "%.*s", (int)(slash - p), p);
	if (!web_path_id(num, &cid))
		return r->api ? web_api_error(r->c, 404, "no such comment") : web_not_found(r);
	wy_comment c;
	int64_t author = 0;
	int rc = wy_store_comment_get(st, r->user.id, admin, cid, &c, &ei);
	if (!rc) {
		bool here = c.doc_id == id;
		author = c.user_id;
		wy_comment_clear(&c);
		rc = here ? wy_store_comment_delete(st, r->user.id, admin, cid, &id, &ei) : WY_ENOTFOUND;
	}
	if (rc == WY_ENOTFOUND)
		return back(r, 404, wy_i18n_tr(lang, "评论不存在。"), NULL, d->id);
	if (rc)
		return back(r, 503, "store unavailable", NULL, d->id);
	web_cache_drop(d->id);
	wy_log("comments.delete", "doc=%lld comment=%lld user=%lld", (long long)d->id, (long long)cid,
	       (long long)r->user.id);
	/* an admin deleting another's comment is an admin action: audited */
	if (admin && author != r->user.id) {
		char target[48];
		snprintf(target, sizeof target, "comment %lld", (long long)cid);
		if (wy_store_audit_add(st, r->user.id, "comment_delete", target, NULL, &ei))
			wy_error("admin.audit_lost", "admin=%lld action=comment_delete target=\"%s\"", (long long)r->user.id,
				 target);
	}
	return back(r, 200, NULL, json_pack("{s:I}", "deleted", (json_int_t)cid), d->id);
}

/* ---- admins: POST /admin/comment (action, id, back) ---- */

int web_comments_admin(web_req *r, wy_store *st, const char *action, int64_t id, wy_errinfo *ei)
{
	(void)r;
	int64_t doc = 0;
	int rc;
	if (!id)
		return WY_EINVAL;
	if (strcmp(action, "comment_hide") == 0)
		rc = wy_store_comment_set_state(st, id, WY_COMMENT_HIDDEN, &doc, ei);
	else if (strcmp(action, "comment_approve") == 0 || strcmp(action, "comment_restore") == 0)
		rc = wy_store_comment_set_state(st, id, WY_COMMENT_PUBLISHED, &doc, ei);
	else if (strcmp(action, "comment_delete") == 0)
		rc = wy_store_comment_delete(st, 0, true, id, &doc, ei);
	else if (strcmp(action, "comment_dismiss") == 0)
		rc = wy_store_comment_reports_close(st, id, ei);
	else
		rc = WY_EINVAL;
	if (!rc && doc)
		web_cache_drop(doc); /* visitors no longer see a hidden one */
	return rc;
}

void web_comments_admin_context(wy_store *st, json_t *ctx)
{
	wy_comment_list cl;
	int total = 0;
	if (wy_store_comment_pending(st, 0, 100, &cl, &total, NULL))
		return;
	json_t *a = json_array();
	for (int i = 0; i < cl.n; i++) {
		json_t *o = comment_json(NULL, &cl.items[i], true);
		/* admins see who wrote it */
		json_object_set_new(o, "user", json_string(cl.items[i].user_name ? cl.items[i].user_name : ""));
		json_object_set_new(o, "doc_id", json_integer(cl.items[i].doc_id));
		json_array_append_new(a, o);
	}
	wy_comment_list_clear(&cl);
	json_object_set_new(ctx, "pending_comments", a);
	json_object_set_new(ctx, "pending_comments_total", json_integer(total));
}

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
	web_pages_load(sv, st); /* the frame's links and the CSP follow (articles.c) */
}

static void date_text(int64_t at, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

static const char *const tabs[] = {"", "reports", "review", "docs", "users", "settings", "audit", "ledger",
				   "articles", "links", "groups", "mail", NULL};

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
		int counts[WY_DOC_NSTATUS] = {0};
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
		web_comments_admin_context(st, ctx); /* comments waiting for review (comments.c) */
		json_object_del(ctx, "pending_comments"); /* the count is enough here */
		json_object_set_new(ctx, "counts", json_pack("{s:i, s:i, s:i, s:i, s:i}", "queued", counts[0], "converting",
							     counts[1], "readable", counts[4], "ready", counts[2], "failed",
							     counts[3]));
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
			if (r->comment_id) /* a report of a comment: its text, or that it is gone */
				json_object_update_new(json_array_get(a, json_array_size(a) - 1),
						       json_pack("{s:I, s:s?, s:s, s:b}", "comment_id", (json_int_t)r->comment_id,
								 "comment_text", r->comment_text, "comment_state",
								 r->comment_state < 0 ? "deleted" : wy_comment_state_name(r->comment_state),
								 "comment_hidden", r->comment_state == WY_COMMENT_HIDDEN));
		}
		wy_report_list_clear(&rl);
		json_object_set_new(ctx, "reports", a);
		web_comments_admin_context(st, ctx); /* comments waiting for review (comments.c) */
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
		/* each account's group, and the groups to move it to (groups.c) */
		if (web_groups_admin_context(st, ctx, &ei) == WY_OK)
			web_groups_users(st, ctx);
		json_object_set_new(ctx, "q", json_string(q && strlen(q) < 64 ? q : ""));
	} else if (strcmp(tab, "settings") == 0) {
		json_t *a = json_array();
		pthread_mutex_lock(&sv->site_lock);
		for (size_t i = 0; wy_config_site_setting(i); i++) {
			char val[4200]; /* robots_txt's 4096 */
			const char *help = "";
			wy_config_get(&sv->site, wy_config_site_setting(i), val, sizeof val, &help);
			json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", wy_config_site_setting(i), "value", val, "help", help));
		}
		pthread_mutex_unlock(&sv->site_lock);
		json_object_set_new(ctx, "settings", a);
	} else if (strcmp(tab, "ledger") == 0) {
		/* any account's ledger (recycle.c) */
		int rc = web_admin_ledger(st, c, ctx, page, per, &total, &ei);
		if (rc) {
			*bad = rc == WY_ENOTFOUND;
			json_decref(ctx);
			return NULL;
		}
	} else if (strcmp(tab, "articles") == 0 || strcmp(tab, "links") == 0) {
		/* articles and the site's links (articles.c) */
		if (web_pages_admin_context(st, c, tab, ctx, page, per, &total, &ei)) {
			json_decref(ctx);
			return NULL;
		}
	} else if (strcmp(tab, "groups") == 0) { /* groups.c */
		if (web_groups_admin_context(st, ctx, &ei)) {
			json_decref(ctx);
			return NULL;
		}
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
	} else if (strcmp(tab, "mail") == 0) { /* the mail queue and the test mail (mail.c) */
		if (web_mail_admin_context(sv, st, ctx, lang, &ei)) {
			json_decref(ctx);
			return NULL;
		}
	}
	web_paging(ctx, total, page, per);
	return ctx;
}

/* ---- what the page shows besides the JSON twin's data ---- */

/* A document's state in words (msgids), by wy_doc_state. */
static const char *const state_words[] = {N_("已发布"), N_("待审核"), N_("已隐藏"), N_("回收站")};

static const char *state_word(const char *lang, const char *name)
{
	static const char *const names[] = {"published", "pending", "hidden", "deleted"};
	for (int k = 0; k < 4; k++)
		if (name && strcmp(name, names[k]) == 0)
			return wy_i18n_tr(lang, state_words[k]);
	return name ? name : "";
}

/* The audit log's actions (as stored: the forms' action names) in words. */
static const char *const action_words[][2] = {
	{"approve", N_("通过")},	{"restore", N_("恢复")},    {"hide", N_("隐藏")},	   {"delete", N_("删除")},
	{"dismiss", N_("驳回举报")},	{"category", N_("改分类")}, {"ban", N_("封禁")},	   {"unban", N_("解封")},
	{"admin", N_("设为管理员")}, {"unadmin", N_("取消管理员")}, {"points", N_("调整积分")}, {"settings", N_("站点设置")},
	{"comment_hide", N_("隐藏评论")}, {"comment_approve", N_("通过评论")}, {"comment_delete", N_("删除评论")},
	{"comment_dismiss", N_("驳回评论举报")},
	{"purge", N_("彻底删除")}, {"doc_edit", N_("修改文档")}, {"doc_replace", N_("替换原文件")},
	{"article_save", N_("保存文章")}, {"article_delete", N_("删除文章")}, {"link_save", N_("保存链接")},
	{"link_delete", N_("删除链接")},
	{"retry", N_("全部重试")},
	{"group", N_("更改用户组")}, {"group_add", N_("新建用户组")}, {"group_edit", N_("修改用户组")},
	{"group_delete", N_("删除用户组")}, {"group_default", N_("设为默认用户组")},
	{"mail_test", N_("发送测试邮件")},
};

/* The site settings in words: label and help (msgids); a setting not
 * here shows its name and the configuration's own help. */
static const struct {
	const char *name, *label, *help;
	bool numeric;
} setting_words[] = {
	{"site_name", N_("站点名称"), N_("显示在每页标题和页首。"), false},
	{"site_footer", N_("页脚文字"), N_("每页底部的版权行。"), false},
	{"site_icp", N_("ICP备案号"), N_("显示在页脚；留空则不显示。"), false},
	{"preview_pages", N_("预览页数"), N_("下载前可预览的页数。"), true},
	{"download_price", N_("默认下载积分"), N_("新上传文档默认的下载价格，0为免费。"), true},
	{"max_upload_mb", N_("上传大小上限（MB）"), N_("单个文件的最大大小。"), true},
	{"upload_review", N_("上传审核"), N_("1：新上传的文档须经管理员审核后发布；0：直接发布。"), true},
	{"points_upload", N_("上传奖励积分"), N_("文档发布后上传者获得的积分。"), true},
	{"points_signin", N_("签到积分"), N_("每日签到获得的积分。"), true},
	{"points_register", N_("注册积分"), N_("新账户的初始积分。"), true},
	{"points_upload_daily", N_("每日上传积分上限"), N_("一个账户24小时内最多获得的上传积分。"), true},
	{"points_upload_min_chars", N_("获得积分的最少字数"), N_("文档正文（不计空白）至少多少字才奖励上传积分。"), true},
	{"comments_per_hour", N_("每小时评论上限"), N_("一个账户一小时内最多发表的评论数，0为不限。"), true},
	{"comment_review", N_("评论审核"), N_("1：新评论须经管理员审核后显示；0：直接显示。"), true},
	{"recycle_days", N_("回收站保留天数"), N_("删除的文档在回收站保留多少天后被彻底删除；0为只由管理员彻底删除；可用小数。"), false},
	{"site_psb", N_("公安备案号"), N_("如“京公网安备11010502030143号”，显示在页脚并链接到全国互联网安全管理服务平台；留空则不显示。"), false},
	{"analytics_script", N_("统计脚本地址"), N_("以 https:// 开头的统计脚本地址，除管理、账户、登录、注册、找回密码、上传和编辑页外每页加载；内容安全策略只放行它的来源。留空则不加载。"), false},
	/* issue 18 CAPTCHA (web/captcha.c) */
	{"captcha_register", N_("注册验证码"), N_("1：注册时须输入验证码；0：不需要。"), true},
	{"captcha_login", N_("登录验证码"), N_("1：同一地址或用户名登录失败后，再次登录须输入验证码；0：不需要。"), true},
	{"captcha_reset", N_("找回密码验证码"), N_("1：申请重设密码链接时须输入验证码；0：不需要。"), true},
	{"captcha_comment", N_("评论验证码"), N_("1：发表评论时须输入验证码；0：不需要。"), true},
	/* issue 18 SEO */
	{"robots_txt", N_("robots.txt"), N_("搜索引擎读取的 /robots.txt 全文；留空则用内置规则（屏蔽后台、个人中心、API、上传和下载，并给出站点地图）。"), false},
	{"site_url", N_("站点网址"), N_("站点对外的网址，如 https://wenku.example.com，用于规范链接、站点地图和邮件中的链接；留空则页面取请求的 Host，邮件取服务器监听的地址。"), false},
	/* LIMITS: the download rules (limits.c) */
	{"downloads_per_user_day", N_("每个账户每日下载上限"), N_("一个账户24小时内最多下载的次数，0为不限；管理员不受限。"), true},
	{"downloads_per_ip_day", N_("每个网络地址每日下载上限"), N_("同一网络地址（所有账户和游客合计）24小时内最多下载的次数，0为不限。"), true},
	{"guest_download", N_("游客下载"), N_("1：未登录的游客可以下载免费文档；0：须登录后下载。"), true},
	{"download_link_seconds", N_("下载链接有效期（秒）"), N_("点击下载后生成的签名链接的有效时间。"), true},
	/* issue 18 MAIL */
	{"smtp_url", N_("邮件服务器（SMTP）"), N_("如 smtp://用户名:密码@smtp.example.com:587（服务器支持时使用STARTTLS）、smtp+starttls://（必须STARTTLS）或 smtps://（465端口）；留空则不发邮件。"), false},
	{"smtp_from", N_("发件地址"), N_("本站邮件的发件人地址，如 noreply@example.com。"), false},
	{"email_verify", N_("邮箱验证"), N_("0：注册不填邮箱；1：可填邮箱并验证；2：必须验证邮箱才能上传、评论和下载。"), true},
	{"reset_link_minutes", N_("重置密码链接有效期（分钟）"), N_("邮件中重置密码的链接多少分钟后失效。"), true},
};

/* A site setting's new value in the settings form: its field, "" for
 * one emptied, or NULL: unchanged. The form's decoding drops empty
 * values, so an emptied field is absent: the settings page sends every
 * setting (and all_settings=1), and an API client names the settings it
 * empties in clear=robots_txt,site_icp (as edit.c's clear=). Only a
 * setting that may be empty is emptied (issue 18: robots_txt, site_url). */
static const char *setting_value(web_req *r, const char *name)
{
	const char *v = web_form_get(r, name, NULL);
	if (v)
		return v;
	wy_config_setting row;
	bool empty_ok = false;
	for (size_t i = 0; wy_config_describe(i, &row); i++)
		if (strcmp(row.name, name) == 0)
			empty_ok = row.may_be_empty;
	if (!empty_ok)
		return NULL;
	const char *all = web_form_get(r, "all_settings", NULL);
	if (all && strcmp(all, "1") == 0)
		return "";
	const char *clear = web_form_get(r, "clear", NULL);
	size_t k = strlen(name);
	for (const char *p = clear; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
		if (strncmp(p, name, k) == 0 && (p[k] == ',' || !p[k]))
			return "";
	return NULL;
}

/* Add the page's words to an admin tab's context (the JSON twin keeps
 * the data as the store names it): states, actions and settings in the
 * reader's language, each document's own category selected. */
static void page_words(struct MHD_Connection *c, json_t *ctx, const char *lang)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ctx, "reports"), i, o)
		json_object_set_new(o, "doc_state_label", json_string(state_word(lang, json_string_value(json_object_get(o, "doc_state")))));
	json_t *cats = json_object_get(ctx, "categories");
	json_array_foreach(json_object_get(ctx, "documents"), i, o) {
		json_object_set_new(o, "state_label", json_string(state_word(lang, json_string_value(json_object_get(o, "state")))));
		const char *mine = json_string_value(json_object_get(o, "category"));
		json_t *opts = json_array();
		size_t k;
		json_t *cat;
		json_array_foreach(cats, k, cat) {
			const char *path = json_string_value(json_object_get(cat, "path"));
			json_array_append_new(opts, json_pack("{s:s, s:b}", "path", path ? path : "", "selected",
							      mine && path && strcmp(mine, path) == 0));
		}
		json_object_set_new(o, "category_options", opts);
	}
	json_array_foreach(json_object_get(ctx, "entries"), i, o) {
		const char *action = json_string_value(json_object_get(o, "action"));
		const char *word = action;
		for (size_t k = 0; action && k < sizeof action_words / sizeof action_words[0]; k++)
			if (strcmp(action, action_words[k][0]) == 0)
				word = wy_i18n_tr(lang, action_words[k][1]);
		json_object_set_new(o, "action_label", json_string(word ? word : ""));
		/* no admin: the automatic purge past recycle_days */
		const char *who = json_string_value(json_object_get(o, "admin"));
		if (!who || !*who)
			json_object_set_new(o, "admin", json_string(wy_i18n_tr(lang, "系统（自动）")));
		/* the target as stored: "doc 5", "user 7", "settings" */
		const char *target = json_string_value(json_object_get(o, "target"));
		long long n;
		char text[128];
		if (target && sscanf(target, "doc %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "文档"), n);
		else if (target && sscanf(target, "comment %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "评论"), n);
		else if (target && sscanf(target, "group %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "用户组"), n);
		else if (target && sscanf(target, "user %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "用户"), n);
		else if (target && sscanf(target, "article %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "文章"), n);
		else if (target && sscanf(target, "link %lld", &n) == 1)
			snprintf(text, sizeof text, "%s %lld", wy_i18n_tr(lang, "链接"), n);
		else if (target && strncmp(target, "reason ", 7) == 0) /* dash.c's retry of every failure of a reason */
			snprintf(text, sizeof text, "%s %s", wy_i18n_tr(lang, "失败原因"), target + 7);
		else if (target && strcmp(target, "settings") == 0)
			snprintf(text, sizeof text, "%s", wy_i18n_tr(lang, "站点设置"));
		else
			snprintf(text, sizeof text, "%s", target ? target : "");
		json_object_set_new(o, "target_label", json_string(text));
	}
	json_array_foreach(json_object_get(ctx, "settings"), i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		for (size_t k = 0; name && k < sizeof setting_words / sizeof setting_words[0]; k++)
			if (strcmp(name, setting_words[k].name) == 0) {
				json_object_set_new(o, "label", json_string(wy_i18n_tr(lang, setting_words[k].label)));
				json_object_set_new(o, "help", json_string(wy_i18n_tr(lang, setting_words[k].help)));
				json_object_set_new(o, "numeric", json_boolean(setting_words[k].numeric));
				/* lines of text: a textarea (issue 18 SEO: robots_txt) */
				json_object_set_new(o, "multiline", json_boolean(strcmp(name, "robots_txt") == 0));
			}
		if (!json_object_get(o, "label"))
			json_object_set(o, "label", json_object_get(o, "name"));
	}
	/* which filter the list shows */
	if (json_object_get(ctx, "doc_table")) {
		int state = web_arg_int(c, "state", -1, -1, 3);
		char key[32] = "state_all";
		if (state >= 0)
			snprintf(key, sizeof key, "state_%d", state);
		json_object_set_new(ctx, key, json_true());
	}
	if (json_object_get(ctx, "reports"))
		json_object_set_new(ctx, "all", json_boolean(web_arg_int(c, "all", 0, 0, 1)));
}

enum MHD_Result web_page_admin(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *tab = rq->rest; /* "" or the tab, for the page and its JSON twin */
	bool api = rq->api;
	if (!web_is_admin(rq))
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(rq);
	/* the dashboard (dash.c): the page of /admin (and /admin/dashboard),
	 * its figures alone at /api/v1/admin/dashboard */
	bool dash = strcmp(tab, "dashboard") == 0;
	if (dash && api) {
		json_t *j = json_object();
		if (web_dash_context(rq, j, false)) {
			json_decref(j);
			return web_unavailable(rq);
		}
		return web_json(c, 200, j);
	}
	if (dash)
		tab = "";
	bool bad;
	json_t *ctx = admin_context(sv, c, tab, &bad);
	if (!ctx)
		return bad ? (api ? web_api_error(c, 404, "no such resource") : web_not_found(rq))
			   : web_unavailable(rq);
	if (api)
		return web_json(c, 200, ctx);
	if (!*tab && web_dash_context(rq, ctx, true)) {
		json_decref(ctx);
		return web_unavailable(rq);
	}
	const char *lang = web_lang(c);
	page_words(c, ctx, lang);
	/* the window's title names the tab, as its <h1> does */
	static const char *const titles[][2] = {{"reports", N_("举报")},	{"review", N_("待审核")},
						{"docs", N_("文档管理")},	{"users", N_("用户管理")},
						{"settings", N_("站点设置")}, {"audit", N_("操作日志")},
						{"ledger", N_("积分明细")}, {"articles", N_("文章")},
						{"links", N_("导航与链接")}, {"groups", N_("用户组")}, {"mail", N_("邮件")}};
	const char *title = N_("管理后台");
	for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++)
		if (strcmp(tab, titles[k][0]) == 0)
			title = titles[k][1];
	return web_page(rq, 200, wy_i18n_tr(lang, title), sv->admin, ctx);
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
	json_t *answer = NULL; /* the JSON twin's answer (NULL: {"ok": true}) */
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
		} else if (strcmp(action, "purge") == 0) {
			/* the store writes its audit row with the purge */
			if (!(rc = web_recycle_purge(r, st, id, &ei))) {
				web_flash(r, WEB_FLASH_DOC_PURGED, id, 0);
				return web_result(r, 200, NULL, json_pack("{s:I, s:b}", "id", (json_int_t)id, "purged", 1), back);
			}
		} else if (k < sizeof moves / sizeof moves[0]) {
			/* to the recycle bin and out of it with what it was
			 * (recycle.c); approving and hiding set the state */
			rc = moves[k].state == WY_STATE_DELETED ? wy_store_doc_delete(st, id, r->user.id, true, &ei)
			   : strcmp(action, "restore") == 0	 ? wy_store_doc_restore(st, id, r->user.id, true, &ei)
								 : wy_store_doc_set_state(st, id, moves[k].state, &ei);
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
		} else if (strcmp(action, "group") == 0) { /* groups.c */
			rc = web_groups_admin(r, st, action, &id, target, sizeof target, detail, sizeof detail, &ei);
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
	} else if (strcmp(rest, "retry") == 0) { /* dash.c: every failure of one reason */
		return web_dash_retry_post(r, st);
	} else if (strcmp(rest, "group") == 0) { /* groups.c */
		id = form_id(r, "id");
		back = "/admin/groups";
		rc = web_groups_admin(r, st, action, &id, target, sizeof target, detail, sizeof detail, &ei);
	} else if (strcmp(rest, "comment") == 0) { /* comments.c */
		id = form_id(r, "id");
		back = back_to(r, "/admin/reports");
		snprintf(target, sizeof target, "comment %lld", (long long)id);
		rc = web_comments_admin(r, st, action, id, &ei);
	} else if (strcmp(rest, "article") == 0 || strcmp(rest, "link") == 0) {
		/* articles and the site's links (articles.c); the frame's links
		 * are kept with the settings: reloaded at once */
		rc = web_pages_admin_post(r, st, rest, action, target, sizeof target, detail, sizeof detail, &back, &answer,
					  &ei);
		if (!rc && rest[0] == 'l')
			web_site_load(sv, st);
	} else if (strcmp(rest, "mail_test") == 0) { /* mail.c */
		back = "/admin/mail";
		action = "mail_test";
		snprintf(target, sizeof target, "mail");
		rc = web_mail_admin_test(r, st, detail, sizeof detail, &ei);
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
			const char *v = setting_value(r, wy_config_site_setting(i));
			if (v && !wy_utf8_valid(v, strlen(v)))
				rc = wy_err_set(&ei, WY_EINVAL, "%s: not UTF-8", wy_config_site_setting(i));
			else if (v && (rc = wy_config_set(check, wy_config_site_setting(i), v, &ei)) == WY_OK) {
				size_t dl = strlen(detail);
				bool secret = wy_config_is_secret(wy_config_site_setting(i)); /* may hold a password */
				if (dl + strlen(wy_config_site_setting(i)) + 110 < sizeof detail)
					snprintf(detail + dl, sizeof detail - dl, "%s%s=%.*s", dl ? " " : "", wy_config_site_setting(i),
						 secret ? 3 : (int)wy_utf8_truncate(v, strlen(v), 100), secret ? "***" : v);
			}
		}
		for (size_t i = 0; wy_config_site_setting(i) && !rc; i++) {
			const char *v = setting_value(r, wy_config_site_setting(i));
			if (v)
				rc = wy_store_setting_set(st, wy_config_site_setting(i), v, &ei);
		}
		free(check);
		if (!rc)
			web_site_load(sv, st);
	} else {
		return api ? web_api_error(c, 404, "no such resource") : web_not_found(r);
	}
	if (rc)
		json_decref(answer);
	if (rc == WY_EINVAL)
		return web_result(r, 400, ei.msg[0] ? ei.msg : "invalid request", NULL, back);
	if (rc == WY_ENOTFOUND)
		return web_result(r, 404, "not found", NULL, back);
	if (rc == WY_EPOINTS || rc == WY_EEXIST || rc == WY_EPERM || rc == WY_ETOOBIG)
		return web_result(r, rc == WY_EEXIST ? 409 : rc == WY_EPERM ? 403 : 400, wy_err_msg(&ei, rc), NULL, back);
	if (rc)
		return web_result(r, 503, "store unavailable", NULL, back);
	/* An action no audit row records is not done as far as anyone can
	 * tell: it is answered as failed (the store has no transaction to
	 * undo it with the row; the log line says what happened). */
	if (wy_store_audit_add(st, r->user.id, action, target, detail, &ei)) {
		wy_error("admin.audit_lost", "admin=%lld action=%s target=\"%s\" msg=\"%s\"", (long long)r->user.id,
			 action, target, wy_err_msg(&ei, WY_EIO));
		json_decref(answer);
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
	return web_result(r, 200, NULL, answer, back);
}

/* web/mail: email addresses of accounts, their verification, password
 * reset by an emailed link, the rule that an unverified account may not
 * act (email_verify = 2), and the admin area's mail tab.
 *
 * Mail is only queued here (wy_mail_enqueue, then wy_mailer_wake): a
 * request never waits for an SMTP server. A mailed link carries 32 random
 * bytes; the store keeps their SHA-256 and uses the link in the
 * transaction that does its work, so it works once. The reset request's
 * answer is the same whether or not the account exists, has an address
 * or was sent a link, and both the address asking and the account asked
 * for are limited. */
#include "jobs/mailer.h"
#include "web/i18n.h"
#include "web/captcha.h"
#include "web/web_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERIFY_HOURS 48       /* a verification link's life */
#define RESET_PER_ADDRESS 10  /* reset requests per client address in 15 minutes */
#define RESET_PER_ACCOUNT 3   /* reset mails per account in 15 minutes */
#define MAILS_PER_ACCOUNT 5   /* verification mails (changes, resends) per account in 15 minutes */
#define MAILS_PER_RECIPIENT 3 /* link mails to one address in an hour, however many accounts ask */
#define MAILS_PER_CLIENT 20   /* verification mails asked from one client address in 15 minutes */
#define CHANGES_PER_ACCOUNT 5 /* address changes per account in 15 minutes (each tells taken or not) */
#define CHANGES_PER_CLIENT 20 /* address changes per client address in 15 minutes */

/* ---- helpers ---- */

int web_mail_queue(wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei)
{
	int rc = wy_mail_enqueue(st, to, subject, body, ei);
	if (!rc)
		wy_mailer_wake();
	return rc;
}

static void new_link(char token[65], unsigned char hash[WY_TOKEN_HASH])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, 65, raw, sizeof raw);
	crypto_hash_sha256(hash, (const unsigned char *)token, 64);
}

/* The hash of the token a path holds, when it is one (64 hex digits). */
static bool link_hash(const char *token, unsigned char hash[WY_TOKEN_HASH])
{
	if (!token || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return false;
	crypto_hash_sha256(hash, (const unsigned char *)token, 64);
	return true;
}

/* The address a mailed link starts with, never from a request header
 * (a forged Host would aim a reset link, and its token, at another
 * site): site_url when set and valid; else the address the server
 * listens on (http_addr and the port bound; 0.0.0.0 or :: as
 * localhost), right on one machine and harmless elsewhere. A public
 * site sets site_url. */
static void link_base(web_req *r, char *out, size_t size)
{
	wy_config site;
	web_site_get(r->sv, &site);
	if (site.site_url[0] && wy_site_url_base(site.site_url, out, size))
		return;
	const char *addr = r->sv->cfg->http_addr;
	int port = r->sv->port > 0 ? r->sv->port : r->sv->cfg->http_port;
	if (!*addr || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0 || strcmp(addr, "[::]") == 0)
		addr = "localhost";
	bool v6 = strchr(addr, ':') && *addr != '[';
	snprintf(out, size, "http://%s%s%s:%d", v6 ? "[" : "", addr, v6 ? "]" : "", port);
}

/* Whether one more link mail may go to `to`: fewer than
 * MAILS_PER_RECIPIENT in the last hour, counted in the store's queue so
 * that every serve process and every account shares the count (a
 * stranger's inbox is not flooded through many accounts). */
static bool recipient_ok(wy_store *st, const char *to)
{
	int64_t n = 0;
	wy_errinfo ei = {0};
	int rc = wy_store_mail_count_to(st, to, wy_now() - 3600, &n, &ei);
	if (rc)
		wy_warn("mail.count_failed", "msg=\"%s\"", wy_err_msg(&ei, rc));
	return !rc && n < MAILS_PER_RECIPIENT;
}

/* msgid in lang with {key} replaced by values (keys[i] -> vals[i]). */
static char *fill(const char *lang, const char *msgid, const char *const *keys, const char *const *vals, int n)
{
	const char *t = wy_i18n_tr(lang, msgid);
	wy_buf b;
	wy_buf_init(&b, 0);
	for (const char *p = t; *p;) {
		int k = -1;
		if (*p == '{')
			for (int i = 0; i < n && k < 0; i++) {
				size_t kl = strlen(keys[i]);
				if (strncmp(p + 1, keys[i], kl) == 0 && p[1 + kl] == '}')
					k = i;
			}
		if (k >= 0) {
			wy_buf_puts(&b, vals[k]);
			p += strlen(keys[k]) + 2;
		} else {
			wy_buf_putc(&b, *p++);
		}
	}
	return wy_buf_steal(&b);
}

/* The life of a reset link, in seconds. */
static int reset_life(server *sv)
{
	int secs = WEB_SITE_INT(sv, reset_link_seconds);
	return secs > 0 ? secs : WEB_SITE_INT(sv, reset_link_minutes) * 60;
}

/* Mail user_id (named name) a verification link for email; WY_ETIMEOUT
 * when the client address asked its MAILS_PER_CLIENT in 15 minutes,
 * WY_EPERM when the address had its MAILS_PER_RECIPIENT this hour. */
static int send_verify(web_req *r, wy_store *st, int64_t user_id, const char *name, const char *email, wy_errinfo *ei)
{
	char token[65], base[300], link[400], hours[16], ip[80], key[100];
	unsigned char hash[WY_TOKEN_HASH];
	web_client_addr(r->sv, r->c, ip, sizeof ip);
	snprintf(key, sizeof key, "mail:ip:%s", ip);
	web_limit lim = {key, MAILS_PER_CLIENT};
	int wait = 0;
	if (!web_limit_take(r->sv, &lim, 1, wy_now(), &wait))
		return wy_err_set(ei, WY_ETIMEOUT, "too many mails asked from this client address");
	if (!recipient_ok(st, email))
		return wy_err_set(ei, WY_EPERM, "too many mails to the address this hour");
	new_link(token, hash);
	int rc = wy_store_mail_link_add(st, hash, WY_MAIL_VERIFY, user_id, email, wy_now() + VERIFY_HOURS * 3600, ei);
	if (rc)
		return rc;
	link_base(r, base, sizeof base);
	snprintf(link, sizeof link, "%s/verify/%s", base, token);
	snprintf(hours, sizeof hours, "%d", VERIFY_HOURS);
	wy_config site;
	web_site_get(r->sv, &site);
	const char *lang = web_lang(r->c);
	const char *keys[] = {"name", "site", "hours", "link"}, *vals[] = {name, site.site_name, hours, link};
	char *body = fill(lang,
			  N_("您好，{name}：\n\n请在{hours}小时内打开下面的链接，验证您在{site}的邮箱地址：\n\n{link}\n\n"
			     "如果您没有在{site}注册或修改邮箱，请忽略这封邮件。\n"),
			  keys, vals, 4);
	char *subject = wy_xasprintf("[%s] %s", site.site_name, wy_i18n_tr(lang, "验证您的邮箱"));
	rc = web_mail_queue(st, email, subject, body, ei);
	free(body);
	free(subject);
	if (!rc)
		wy_log("mail.verify_queued", "user=%lld", (long long)user_id);
	return rc;
}

/* A message page in the request's language, or {"ok": true, "message"}
 * (status < 400) / {"error"} for the JSON twin. */
static enum MHD_Result say(web_req *r, unsigned status, const char *title, const char *msg, const char *api_msg,
			   const char *back)
{
	const char *lang = web_lang(r->c);
	if (r->api)
		return status >= 400 ? web_api_error(r->c, status, api_msg)
				     : web_json(r->c, status, json_pack("{s:b, s:s}", "ok", 1, "message", api_msg));
	return web_message(r, status, wy_i18n_tr(lang, title), msg, back);
}

/* ---- registration (auth.c asks) ---- */

void web_mail_form_context(web_req *r, json_t *ctx)
{
	int v = WEB_SITE_INT(r->sv, email_verify);
	const char *email = web_form_get(r, "email", NULL);
	json_object_set_new(ctx, "email_ask", json_boolean(v > 0));
	json_object_set_new(ctx, "email_required", json_boolean(v == 2));
	json_object_set_new(ctx, "email", json_string(email && strlen(email) < 300 ? email : ""));
}

bool web_mail_register_check(web_req *r, unsigned *status, const char **err, const char **api_err)
{
	int v = WEB_SITE_INT(r->sv, email_verify);
	const char *email = web_form_get(r, "email", NULL);
	if (v == 0)
		return true;
	if (!email || !*email) {
		if (v < 2)
			return true;
		*status = 400;
		*err = N_("请填写邮箱。");
		*api_err = "an email address is required";
		return false;
	}
	if (!wy_mail_addr_valid(email)) {
		*status = 400;
		*err = N_("邮箱地址无效。");
		*api_err = "not an email address";
		return false;
	}
	return true;
}

bool web_mail_register_taken(web_req *r)
{
	const char *email = web_form_get(r, "email", NULL);
	wy_store *st;
	return WEB_SITE_INT(r->sv, email_verify) > 0 && email && *email && !web_store(r->sv, &st, NULL) &&
	       wy_store_user_email_free(st, email, NULL) == WY_EEXIST;
}

void web_mail_registered(web_req *r, int64_t user_id, const char *name)
{
	const char *email = web_form_get(r, "email", NULL);
	if (WEB_SITE_INT(r->sv, email_verify) == 0 || !email || !*email)
		return;
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = web_store(r->sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_email_set(st, user_id, email, &ei);
	if (!rc)
		rc = send_verify(r, st, user_id, name, email, &ei);
	/* the account is made: what failed here, /me can do again */
	if (rc)
		wy_warn("mail.register_failed", "user=%lld msg=\"%s\"", (long long)user_id, wy_err_msg(&ei, rc));
}

/* ---- the one rule: who must verify before acting ---- */

bool web_mail_blocked(web_req *r, enum MHD_Result *ret)
{
	if (!r->authed || web_is_admin(r) || WEB_SITE_INT(r->sv, email_verify) < 2)
		return false;
	wy_store *st;
	char *email = NULL;
	int64_t verified = 0;
	if (web_store(r->sv, &st, NULL) || wy_store_user_email(st, r->user.id, &email, &verified, NULL)) {
		*ret = web_unavailable(r);
		return true;
	}
	if (verified) {
		free(email);
		return false;
	}
	wy_log("mail.blocked", "user=%lld", (long long)r->user.id);
	if (r->api) {
		free(email);
		*ret = web_api_error(r->c, 403, "verify your email address first: /me shows it and resends the link");
		return true;
	}
	json_t *ctx = json_pack("{s:b, s:s, s:b}", "blocked", 1, "address", email ? email : "", "has_address", email != NULL);
	free(email);
	const char *lang = web_lang(r->c);
	*ret = web_page(r, 403, wy_i18n_tr(lang, "请先验证邮箱"), r->sv->mail, ctx);
	return true;
}

/* ---- /me: the address, changing it, sending the link again ---- */

void web_mail_me_context(wy_store *st, web_req *r, json_t *ctx)
{
	char *email = NULL;
	int64_t verified = 0;
	if (wy_store_user_email(st, r->user.id, &email, &verified, NULL))
		return;
	int v = WEB_SITE_INT(r->sv, email_verify);
	if (v > 0 || email) {
		json_t *e = json_pack("{s:o, s:b, s:b, s:b}", "address", email ? json_string(email) : json_null(), "verified",
				      verified > 0, "required", v == 2, "blocked", v == 2 && !verified && !web_is_admin(r));
		json_object_set_new(ctx, "email", e);
	}
	free(email);
}

bool web_mail_me_action(const char *rest) { return strcmp(rest, "email") == 0 || strcmp(rest, "email_resend") == 0; }

enum MHD_Result web_mail_me_post(web_req *r, wy_store *st)
{
	const char *lang = web_lang(r->c);
	const char *title = N_("邮箱");
	char key[48];
	snprintf(key, sizeof key, "mail:user:%lld", (long long)r->user.id);
	web_limit lim = {key, MAILS_PER_ACCOUNT};
	int wait = 0;
	char *email = NULL;
	int64_t verified = 0;
	wy_errinfo ei = {0};
	if (wy_store_user_email(st, r->user.id, &email, &verified, &ei))
		return web_unavailable(r);
	int rc;
	if (strcmp(r->rest, "email") == 0) {
		const char *want = web_form_get(r, "email", NULL);
		free(email);
		email = NULL;
		if (!want || !wy_mail_addr_valid(want))
			return say(r, 400, title, wy_i18n_tr(lang, "邮箱地址无效。"), "not an email address", "/me");
		/* every change is counted before the store says whether the
		 * address is taken, so probing for others' addresses is bounded;
		 * the change is never refused by the mail limit (an account at
		 * it may still let go of an address); only the mail is */
		char ckey[48], ip[80], ikey[100];
		snprintf(ckey, sizeof ckey, "email:user:%lld", (long long)r->user.id);
		web_client_addr(r->sv, r->c, ip, sizeof ip);
		snprintf(ikey, sizeof ikey, "email:ip:%s", ip);
		web_limit clim[2] = {{ckey, CHANGES_PER_ACCOUNT}, {ikey, CHANGES_PER_CLIENT}};
		if (!web_limit_take(r->sv, clim, 2, wy_now(), &wait))
			return say(r, 429, title, wy_i18n_tr(lang, "修改邮箱过于频繁，请稍后再试。"),
				   "too many address changes; try again later", "/me");
		rc = wy_store_user_email_set(st, r->user.id, want, &ei);
		if (rc == WY_EEXIST)
			return say(r, 409, title, wy_i18n_tr(lang, "该邮箱已被其他账户使用。"), "the address is another account's",
				   "/me");
		if (rc)
			return web_unavailable(r);
		if (wy_store_user_email(st, r->user.id, &email, &verified, &ei))
			return web_unavailable(r);
		if (!verified && !web_limit_take(r->sv, &lim, 1, wy_now(), &wait)) {
			free(email);
			return say(r, 429, title, wy_i18n_tr(lang, "邮箱已保存，但发送过于频繁，请稍后在个人中心重新发送验证邮件。"),
				   "the address was saved; too many mails: send the link again later", "/me");
		}
	} else if (!email) {
		return say(r, 400, title, wy_i18n_tr(lang, "还没有填写邮箱。"), "no address to verify", "/me");
	} else if (!web_limit_take(r->sv, &lim, 1, wy_now(), &wait)) {
		free(email);
		return say(r, 429, title, wy_i18n_tr(lang, "发送过于频繁，请稍后再试。"), "too many mails; try again later",
			   "/me");
	}
	if (verified) { /* the same address as before, verified then */
		free(email);
		return say(r, 200, title, wy_i18n_tr(lang, "邮箱已验证。"), "the address is verified", "/me");
	}
	rc = send_verify(r, st, r->user.id, r->user.name, email, &ei);
	if (rc == WY_ETIMEOUT) {
		free(email);
		return say(r, 429, title, wy_i18n_tr(lang, "发送过于频繁，请稍后再试。"),
			   "too many mails asked from your network address; try again later", "/me");
	}
	if (rc == WY_EPERM) {
		free(email);
		return say(r, 429, title, wy_i18n_tr(lang, "这个邮箱近一小时收到的邮件过多，请稍后再试。"),
			   "too many mails to this address in the last hour; try again later", "/me");
	}
	if (rc) {
		free(email);
		return web_unavailable(r);
	}
	const char *keys[] = {"address"}, *vals[] = {email};
	char *msg = fill(lang, N_("验证邮件已发送到 {address}，请打开邮件中的链接。"), keys, vals, 1);
	free(email);
	enum MHD_Result ret = say(r, 200, title, msg, "a verification link was mailed", "/me");
	free(msg);
	return ret;
}

/* ---- GET /verify/{token} ---- */

enum MHD_Result web_page_verify(web_req *r)
{
	const char *lang = web_lang(r->c);
	unsigned char hash[WY_TOKEN_HASH];
	wy_store *st;
	wy_errinfo ei = {0};
	int64_t uid = 0;
	int rc = link_hash(r->rest, hash) ? WY_OK : WY_ENOTFOUND;
	if (!rc && (rc = web_store(r->sv, &st, &ei)) == WY_OK)
		rc = wy_store_mail_link_verify(st, hash, wy_now(), &uid, &ei);
	if (rc == WY_ENOTFOUND)
		return web_message(r, 410, wy_i18n_tr(lang, "链接已失效"),
				   wy_i18n_tr(lang, "这个验证链接已经用过或已过期。可以在个人中心重新发送验证邮件。"), "/me");
	if (rc == WY_EEXIST)
		return web_message(r, 409, wy_i18n_tr(lang, "邮箱已被使用"),
				   wy_i18n_tr(lang, "另一个账户已经验证了这个邮箱，它不能再用于您的账户。请在个人中心换一个邮箱。"), "/me");
	if (rc)
		return web_unavailable(r);
	wy_log("mail.verified", "user=%lld", (long long)uid);
	return web_message(r, 200, wy_i18n_tr(lang, "邮箱已验证"), wy_i18n_tr(lang, "您的邮箱已验证，谢谢。"),
			   r->authed ? "/me" : "/login");
}

/* ---- password reset ---- */

static enum MHD_Result reset_form(web_req *r, unsigned status, const char *error, const char *token)
{
	const char *lang = web_lang(r->c);
	web_auth_csrf(r);
	json_t *ctx = json_pack("{s:s}", "error", error ? wy_i18n_tr(lang, error) : "");
	if (token)
		json_object_set_new(ctx, "set", json_pack("{s:s}", "token", token));
	else {
		json_object_set_new(ctx, "ask", json_true());
		web_captcha_context(r, WEB_CAPTCHA_RESET, ctx, "/reset"); /* captcha_reset */
	}
	return web_page(r, status, wy_i18n_tr(lang, token ? "设置新密码" : "找回密码"), r->sv->mail, ctx);
}

static enum MHD_Result link_dead(web_req *r)
{
	const char *lang = web_lang(r->c);
	if (r->api)
		return web_api_error(r->c, 410, "the link was used or has expired");
	return web_message(r, 410, wy_i18n_tr(lang, "链接已失效"),
			   wy_i18n_tr(lang, "这个重置密码的链接已经用过或已过期。如需重置密码，请重新申请。"), "/reset");
}

/* The route is the prefix /reset: "" is the request form, "/TOKEN" a
 * link; anything else (/resetfoo) is no page. */
static bool reset_rest(web_req *r, const char **token)
{
	*token = *r->rest == '/' ? r->rest + 1 : NULL;
	return !*r->rest || *token;
}

enum MHD_Result web_page_reset(web_req *r)
{
	const char *token;
	if (!reset_rest(r, &token))
		return web_not_found(r);
	if (!token)
		return reset_form(r, 200, NULL, NULL);
	unsigned char hash[WY_TOKEN_HASH];
	wy_store *st;
	int64_t uid;
	if (!link_hash(token, hash))
		return link_dead(r);
	if (web_store(r->sv, &st, NULL))
		return web_unavailable(r);
	int rc = wy_store_mail_link_check(st, hash, WY_MAIL_RESET, wy_now(), &uid, NULL);
	if (rc == WY_ENOTFOUND)
		return link_dead(r);
	if (rc)
		return web_unavailable(r);
	return reset_form(r, 200, NULL, token);
}

/* POST /reset: mail a link to the account named, or whose address is,
 * who, when it has a verified address; the answer says the same in every
 * case. */
static enum MHD_Result reset_ask(web_req *r)
{
	server *sv = r->sv;
	const char *lang = web_lang(r->c);
	const char *who = web_form_get(r, "who", NULL);
	if (!who || !*who || strlen(who) > 254)
		return r->api ? web_api_error(r->c, 400, "who (a name or an email address) is required")
			      : reset_form(r, 400, N_("请填写用户名或邮箱。"), NULL);
	/* the captcha before anything is counted or looked up */
	wy_errinfo cei = {0};
	int crc = web_captcha_check(r, WEB_CAPTCHA_RESET, &cei);
	if (crc == WY_EINVAL || crc == WY_EPERM)
		return r->api ? web_json(r->c, 400, json_pack("{s:s, s:b}", "error", web_captcha_message(r, crc), "captcha", 1))
			      : reset_form(r, 400, crc == WY_EINVAL ? N_("请输入验证码。") : N_("验证码错误或已过期，请输入新的验证码。"),
					   NULL);
	if (crc)
		return web_unavailable(r);
	char ip[80], key[100];
	web_client_addr(sv, r->c, ip, sizeof ip);
	snprintf(key, sizeof key, "reset:%s", ip);
	web_limit lim = {key, RESET_PER_ADDRESS};
	int wait = 0;
	if (!web_limit_take(r->sv, &lim, 1, wy_now(), &wait))
		return r->api ? web_api_error(r->c, 429, "too many reset requests; try again later")
			      : reset_form(r, 429, N_("请求过于频繁，请稍后再试。"), NULL);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_unavailable(r);
	int64_t uid = 0, verified = 0;
	char *email = NULL;
	int rc = wy_store_user_find_login(st, who, &uid, &email, &verified, &ei);
	if (rc && rc != WY_ENOTFOUND) {
		free(email);
		return web_unavailable(r);
	}
	char akey[48];
	snprintf(akey, sizeof akey, "reset:user:%lld", (long long)uid);
	web_limit alim = {akey, RESET_PER_ACCOUNT};
	wy_user u = {0};
	/* only a verified address gets a link, at most RESET_PER_ACCOUNT in
	 * 15 minutes and MAILS_PER_RECIPIENT an hour: a stranger cannot
	 * flood someone's mailbox (past them the answer is the same) */
	if (!rc && email && verified && web_limit_take(r->sv, &alim, 1, wy_now(), &wait) && recipient_ok(st, email) &&
	    !wy_store_user_get(st, uid, &u, &ei)) {
		char token[65], base[300], link[400], mins[16];
		unsigned char hash[WY_TOKEN_HASH];
		int life = reset_life(sv);
		new_link(token, hash);
		wy_config site;
		web_site_get(sv, &site);
		link_base(r, base, sizeof base);
		snprintf(link, sizeof link, "%s/reset/%s", base, token);
		snprintf(mins, sizeof mins, "%d", (life + 59) / 60);
		const char *keys[] = {"name", "site", "minutes", "link"}, *vals[] = {u.name, site.site_name, mins, link};
		char *body = fill(lang,
				  N_("您好，{name}：\n\n有人（希望是您）请求重置您在{site}的密码。请在{minutes}分钟内打开下面的链接设置新密码，"
				     "链接只能使用一次：\n\n{link}\n\n如果这不是您的请求，请忽略这封邮件，您的密码不会改变。\n"),
				  keys, vals, 4);
		char *subject = wy_xasprintf("[%s] %s", site.site_name, wy_i18n_tr(lang, "重置密码"));
		rc = wy_store_mail_link_add(st, hash, WY_MAIL_RESET, uid, email, wy_now() + life, &ei);
		if (!rc)
			rc = web_mail_queue(st, email, subject, body, &ei);
		free(body);
		free(subject);
		if (rc)
			wy_warn("mail.reset_failed", "user=%lld msg=\"%s\"", (long long)uid, wy_err_msg(&ei, rc));
		else
			wy_log("mail.reset_queued", "user=%lld", (long long)uid);
		wy_user_clear(&u);
	}
	free(email);
	return say(r, 200, N_("找回密码"),
		   wy_i18n_tr(lang, "如果该账户存在并已验证邮箱，我们已向该邮箱发送重置密码的链接，请查收。"),
		   "if the account exists and has a verified address, a reset link was mailed to it", "/login");
}

/* POST /reset/{token}: the new password. */
static enum MHD_Result reset_set(web_req *r, const char *token)
{
	const char *lang = web_lang(r->c);
	unsigned char hash[WY_TOKEN_HASH];
	wy_store *st;
	wy_errinfo ei = {0};
	int64_t uid = 0;
	if (!link_hash(token, hash))
		return link_dead(r);
	const char *pass = web_form_get(r, "password", NULL), *pass2 = web_form_get(r, "password2", NULL);
	if (!web_password_ok(pass))
		return r->api ? web_api_error(r->c, 400, "a password is 8-128 bytes")
			      : reset_form(r, 400, N_("密码为8-128个字符。"), token);
	if (pass2 && strcmp(pass, pass2) != 0)
		return r->api ? web_api_error(r->c, 400, "the passwords differ")
			      : reset_form(r, 400, N_("两次输入的密码不一致。"), token);
	if (web_store(r->sv, &st, &ei))
		return web_unavailable(r);
	/* a dead link costs no hashing */
	int rc = wy_store_mail_link_check(st, hash, WY_MAIL_RESET, wy_now(), &uid, &ei);
	if (rc == WY_ENOTFOUND)
		return link_dead(r);
	if (rc)
		return web_unavailable(r);
	if (web_hash_enter())
		return web_refuse(r, 503, "the server is busy; try again in a moment");
	char nh[128];
	rc = web_password_hash(pass, nh, &ei);
	web_hash_leave();
	if (rc)
		return web_unavailable(r);
	/* the session of the one resetting, if it is this account's, stays */
	const unsigned char *keep = r->authed && r->user.id == uid ? r->token_hash : NULL;
	rc = wy_store_mail_link_reset(st, hash, wy_now(), nh, keep, &uid, &ei);
	if (rc == WY_ENOTFOUND)
		return link_dead(r);
	if (rc)
		return web_unavailable(r);
	wy_log("auth.password_reset", "user=%lld", (long long)uid);
	return say(r, 200, N_("密码已重置"), wy_i18n_tr(lang, "密码已重置，其他设备上的登录已退出。请用新密码登录。"),
		   "the password was reset", "/login");
}

enum MHD_Result web_post_reset(web_req *r)
{
	const char *token;
	if (!reset_rest(r, &token))
		return r->api ? web_api_error(r->c, 404, "no such resource") : web_not_found(r);
	return token ? reset_set(r, token) : reset_ask(r);
}

/* ---- the admin area's mail tab ---- */

static void date_text(int64_t at, char *out, size_t size)
{
	if (!at) {
		*out = 0;
		return;
	}
	time_t t = (time_t)at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

int web_mail_admin_context(server *sv, wy_store *st, json_t *ctx, const char *lang, wy_errinfo *ei)
{
	static const char *const words[] = {N_("排队中"), N_("发送中"), N_("已发送"), N_("发送失败")};
	wy_mail_list l;
	int rc = wy_store_mail_list(st, 50, &l, ei);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++) {
		wy_mail *m = &l.items[i];
		char created[32], sent[32], next[32];
		date_text(m->created_at, created, sizeof created);
		date_text(m->sent_at, sent, sizeof sent);
		date_text(m->state == WY_MAIL_QUEUED ? m->next_at : 0, next, sizeof next);
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "id", (json_int_t)m->id, "to",
				      m->to_addr, "subject", m->subject, "state", wy_mail_state_name(m->state), "state_label",
				      wy_i18n_tr(lang, words[m->state]), "tries", m->tries, "created", created, "sent", sent,
				      "next_try", next, "last_error", m->last_error ? json_string(m->last_error) : json_null());
		json_object_set_new(o, "is_failed", json_boolean(m->state == WY_MAIL_FAILED));
		json_array_append_new(a, o);
	}
	json_t *counts = json_object();
	for (int s = 0; s < 4; s++)
		json_object_set_new(counts, wy_mail_state_name((wy_mail_state)s), json_integer(l.counts[s]));
	wy_mail_list_clear(&l);
	wy_config site;
	web_site_get(sv, &site);
	json_object_set_new(ctx, "mail", a);
	json_object_set_new(ctx, "mail_counts", counts);
	json_object_set_new(ctx, "smtp_ready", json_boolean(*site.smtp_url && *site.smtp_from));
	/* mailed links start with site_url; without it, with the address
	 * the server listens on, wrong for a public site (link_base) */
	json_object_set_new(ctx, "site_url_set", json_boolean(*site.site_url));
	return WY_OK;
}

int web_mail_admin_test(web_req *r, wy_store *st, char *detail, size_t size, wy_errinfo *ei)
{
	const char *to = web_form_get(r, "to", NULL);
	if (!to || !wy_mail_addr_valid(to))
		return wy_err_set(ei, WY_EINVAL, "%s", wy_i18n_tr(web_lang(r->c), "邮箱地址无效。"));
	wy_config site;
	web_site_get(r->sv, &site);
	const char *lang = web_lang(r->c);
	const char *keys[] = {"site"}, *vals[] = {site.site_name};
	char *body = fill(lang, N_("这是{site}发出的测试邮件。收到它说明邮件设置正确。\n"), keys, vals, 1);
	char *subject = wy_xasprintf("[%s] %s", site.site_name, wy_i18n_tr(lang, "测试邮件"));
	int rc = web_mail_queue(st, to, subject, body, ei);
	free(body);
	free(subject);
	if (!rc)
		snprintf(detail, size, "to=%s", to);
	return rc;
}

/* web/auth: accounts, sessions and CSRF.
 *
 * A session is 32 random bytes (libsodium's CSPRNG, which reads the
 * kernel's), sent as 64 hex digits in the wy_s cookie (HttpOnly,
 * SameSite=Lax, Secure behind HTTPS) or as a bearer token for API clients;
 * the store keeps only its SHA-256. Each session has its own CSRF token,
 * which every form and every state-changing call made with the cookie must
 * carry (a field "csrf" or the header X-CSRF-Token); a bearer token is not
 * sent by browsers on their own, so calls made with one need none. Before
 * logging in, a visitor's forms (log in, register) carry the random token
 * of the wy_c cookie instead (double submit). Passwords are Argon2id
 * strings (crypto_pwhash_str). Failed logins are limited per address and
 * per name. */
#include "core/log.h"
#include "web/i18n.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_SECONDS (30 * 24 * 3600)
#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
#define REGISTER_MAX 20 /* registrations per address in LIMIT_WINDOW */

/* ---- cookies ---- */

bool web_cookie_find(const char *h, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	if (!h || !nl || size == 0)
		return false;
	/* cookie-string = pair *( ";" SP pair ); be lenient about blanks */
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *k = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		size_t kl = (size_t)(p - k);
		while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
			kl--;
		if (*p != '=') /* a pair without a value: skip it */
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *v = p;
		while (*p && *p != ';')
			p++;
		size_t vl = (size_t)(p - v);
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		if (kl == nl && memcmp(k, name, nl) == 0) {
			if (vl >= size)
				return false;
			memcpy(out, v, vl);
			out[vl] = 0;
			return true;
		}
	}
	return false;
}

static bool is_token(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static void new_token(char out[65])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, 65, raw, sizeof raw);
}

static void token_hash(const char *token, unsigned char out[WY_TOKEN_HASH])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

void web_auth_begin(server *sv, struct MHD_Connection *c, web_req *r)
{
	const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
	r->secure = sv->cfg->cookie_secure || (proto && strcmp(proto, "https") == 0);
	char token[80] = "";
	const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *cookies = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	bool bearer = false;
	if (authz && strncmp(authz, "Bearer ", 7) == 0 && strlen(authz + 7) < sizeof token) {
		snprintf(token, sizeof token, "%s", authz + 7);
		bearer = true;
	} else if (!web_cookie_find(cookies, "wy_s", token, sizeof token)) {
		token[0] = 0;
	}
	if (*token && is_token(token)) {
		wy_store *st;
		token_hash(token, r->token_hash);
		if (!web_store(sv, &st, NULL) && !wy_store_session_get(st, r->token_hash, &r->user, r->csrf, NULL)) {
			r->authed = true;
			r->bearer = bearer;
			return;
		}
	}
	char anon[80];
	if (web_cookie_find(cookies, "wy_c", anon, sizeof anon) && is_token(anon))
		memcpy(r->csrf, anon, 65); /* 64 hex digits and the NUL */
	/* else: made when a page with a form is rendered (web_auth_csrf) */
}

const char *web_auth_csrf(web_req *r)
{
	r->csrf_form = true;
	if (!*r->csrf) {
		new_token(r->csrf);
		r->csrf_new = true;
	}
	return r->csrf;
}

void web_auth_cookies(web_req *r, struct MHD_Response *resp)
{
	if (!r->csrf_new)
		return;
	char ck[160];
	snprintf(ck, sizeof ck, "wy_c=%s; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly%s", r->csrf,
		 r->secure ? "; Secure" : "");
	MHD_add_response_header(resp, "Set-Cookie", ck);
}

bool web_csrf_ok(struct MHD_Connection *c, web_req *r)
{
	if (r->bearer)
		return true;
	const char *t = web_form_get(r, "csrf", NULL);
	if (!t)
		t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	if (!t || !is_token(t) || !is_token(r->csrf))
		return false;
	return sodium_memcmp(t, r->csrf, 64) == 0;
}

bool web_is_admin(const web_req *r) { return r && r->authed && r->user.role == WY_ROLE_ADMIN; }

/* ---- forms ---- */

void web_form_add(web_form *f, const char *key, const char *data, size_t off, size_t size)
{
	/* libmicrohttpd may hand a value over first with no bytes and then
	 * again from offset 0: a piece without bytes adds nothing */
	if (f->overflow || !key || size == 0)
		return;
	if (f->total + size > WEB_FORM_BYTES) {
		f->overflow = true;
		return;
	}
	int i = f->n - 1;
	/* a value arrives in pieces: off > 0 continues the last field */
	if (!(off > 0 && i >= 0 && strcmp(f->key[i], key) == 0)) {
		if (f->n == WEB_FORM_FIELDS) {
			f->overflow = true;
			return;
		}
		i = f->n++;
		f->key[i] = wy_xstrdup(key);
		f->val[i] = wy_xstrdup("");
		f->len[i] = 0;
	}
	f->val[i] = wy_xrealloc(f->val[i], f->len[i] + size + 1);
	memcpy(f->val[i] + f->len[i], data, size);
	f->len[i] += size;
	f->val[i][f->len[i]] = 0;
	f->total += size;
}

void web_form_clear(web_form *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->key[i]);
		free(f->val[i]);
	}
	memset(f, 0, sizeof *f);
}

const char *web_form_get(const web_req *r, const char *key, size_t *len)
{
	for (int i = 0; i < r->form.n; i++)
		if (strcmp(r->form.key[i], key) == 0) {
			/* a NUL inside a value would cut it short: such a value is absent */
			if (strlen(r->form.val[i]) != r->form.len[i])
				return NULL;
			if (len)
				*len = r->form.len[i];
			return r->form.val[i];
		}
	return NULL;
}

/* ---- passwords and login attempts ---- */

int web_password_hash(const char *pass, char out[128], wy_errinfo *ei)
{
	_Static_assert(crypto_pwhash_STRBYTES <= 128, "room for the hash");
	if (crypto_pwhash_str(out, pass, strlen(pass), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return wy_err_set(ei, WY_ENOMEM, "not enough memory to hash a password");
	return WY_OK;
}

bool web_password_check(const char *hash, const char *pass)
{
	return hash && crypto_pwhash_str_verify(hash, pass, strlen(pass)) == 0;
}

#define LIMIT_SLOTS 1024
#define LIMIT_WINDOW 900 /* seconds */

static struct {
	pthread_mutex_t lock;
	uint64_t key[LIMIT_SLOTS];
	int64_t since[LIMIT_SLOTS];
	int fails[LIMIT_SLOTS];
} limits = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int login_max = 5;

static unsigned char limit_key[crypto_shorthash_KEYBYTES];
static pthread_once_t limit_once = PTHREAD_ONCE_INIT;
static void limit_init(void) { randombytes_buf(limit_key, sizeof limit_key); }

static uint64_t key_hash(const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	pthread_once(&limit_once, limit_init);
	crypto_shorthash(h, (const unsigned char *)key, strlen(key), limit_key);
	uint64_t v;
	memcpy(&v, h, 8);
	return v | 1;
}

bool web_login_allowed(const char *key, int64_t now, int *retry_after)
{
	return web_limit_allowed(key, login_max, now, retry_after);
}

bool web_limit_allowed(const char *key, int max, int64_t now, int *retry_after)
{
	uint64_t k = key_hash(key);
	unsigned slot = (unsigned)(k % LIMIT_SLOTS);
	bool ok = true;
	pthread_mutex_lock(&limits.lock);
	if (limits.key[slot] == k && now - limits.since[slot] < LIMIT_WINDOW && limits.fails[slot] >= max) {
		ok = false;
		*retry_after = (int)(LIMIT_WINDOW - (now - limits.since[slot]));
	}
	pthread_mutex_unlock(&limits.lock);
	return ok;
}

void web_login_failed(const char *key, int64_t now)
{
	uint64_t k = key_hash(key);
	unsigned slot = (unsigned)(k % LIMIT_SLOTS);
	pthread_mutex_lock(&limits.lock);
	/* a slot another key holds is taken over: worst case, a limit resets */
	if (limits.key[slot] != k || now - limits.since[slot] >= LIMIT_WINDOW) {
		limits.key[slot] = k;
		limits.since[slot] = now;
		limits.fails[slot] = 0;
	}
	limits.fails[slot]++;
	pthread_mutex_unlock(&limits.lock);
}

/* ---- pages and forms ---- */

static void client_addr(server *sv, struct MHD_Connection *c, char *out, size_t size)
{
	/* behind a proxy every peer is the proxy: its X-Forwarded-For's last
	 * entry (the one it added) names the client */
	const char *xff = sv->cfg->trust_proxy ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;
	if (xff && *xff) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(out, size, "ip:%.60s", last);
		return;
	}
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, size, "ip:?");
	if (!ci || !ci->client_addr)
		return;
	char a[INET6_ADDRSTRLEN] = "";
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, a, sizeof a);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, a, sizeof a);
	snprintf(out, size, "ip:%s", a);
}

/* Where to go after logging in: a path on this site, else home. */
const char *web_safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || strlen(next) > 1000)
		return "/";
	/* browsers drop tabs and newlines and read '\\' as '/': none of them,
	 * nor any other control byte, anywhere */
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return "/";
	return next;
}

static enum MHD_Result login_form(server *sv, struct MHD_Connection *c, unsigned status, bool reg, const char *error,
				  const char *name, const char *next)
{
	const char *lang = web_lang(c);
	web_auth_csrf(web_cur()); /* the form needs a token before there is a session */
	json_t *ctx = json_pack("{s:b, s:s, s:s, s:s}", "register", reg, "error", error ? wy_i18n_tr(lang, error) : "",
				"name", name ? name : "", "next", web_safe_next(next));
	return web_page(sv, c, status, wy_i18n_tr(lang, reg ? "注册" : "登录"), sv->login, ctx);
}

enum MHD_Result web_page_login(server *sv, struct MHD_Connection *c, const char *rest)
{
	(void)rest;
	return login_form(sv, c, 200, false, NULL, NULL, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next"));
}

enum MHD_Result web_page_register(server *sv, struct MHD_Connection *c, const char *rest)
{
	(void)rest;
	return login_form(sv, c, 200, true, NULL, NULL, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next"));
}

/* Start a session for user: the cookie and, for API clients, the token. */
static enum MHD_Result start_session(server *sv, struct MHD_Connection *c, web_req *r, const wy_user *u, bool api,
				     const char *next)
{
	char token[65], csrf[65];
	unsigned char h[WY_TOKEN_HASH];
	new_token(token);
	new_token(csrf);
	token_hash(token, h);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei) || wy_store_session_add(st, h, u->id, csrf, wy_now() + SESSION_SECONDS, &ei))
		return api ? web_api_error(c, 503, "store unavailable") : web_text(c, 503, "store unavailable\n");
	wy_log("auth.login", "user=%lld", (long long)u->id);
	char ck[200];
	snprintf(ck, sizeof ck, "wy_s=%s; Path=/; Max-Age=%d; SameSite=Lax; HttpOnly%s", token, SESSION_SECONDS,
		 r->secure ? "; Secure" : "");
	struct MHD_Response *resp;
	if (api) {
		json_t *j = json_pack("{s:s, s:s, s:{s:I, s:s, s:b}}", "token", token, "csrf", csrf, "user", "id",
				      (json_int_t)u->id, "name", u->name, "admin", u->role == WY_ROLE_ADMIN);
		char *s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Location", web_safe_next(next));
	}
	/* API clients keep the token; only the browser's form gets the cookie
	 * (so a cross-site form posting to the API logs no browser in) */
	if (!api)
		MHD_add_response_header(resp, "Set-Cookie", ck);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return web_queue(c, api ? 200 : 303, resp);
}

static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_init(void)
{
	char pw[65];
	new_token(pw);
	if (web_password_hash(pw, dummy_hash, NULL))
		dummy_hash[0] = 0;
}

static bool api_path(const char *rest) { return rest && strcmp(rest, "api") == 0; }

enum MHD_Result web_post_login(server *sv, struct MHD_Connection *c, web_req *r, const char *rest)
{
	bool api = api_path(rest);
	const char *name = web_form_get(r, "name", NULL), *pass = web_form_get(r, "password", NULL);
	const char *next = web_form_get(r, "next", NULL);
	if (!name || !pass)
		return api ? web_api_error(c, 400, "name and password are required")
			   : login_form(sv, c, 400, false, N_("请填写用户名和密码。"), name, next);
	login_max = sv->cfg->login_attempts;
	char ip[80], who[80];
	client_addr(sv, c, ip, sizeof ip);
	snprintf(who, sizeof who, "user:%.60s", name);
	for (char *p = who; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	int64_t now = wy_now();
	int wait = 0;
	if (!web_login_allowed(ip, now, &wait) || !web_login_allowed(who, now, &wait)) {
		wy_warn("auth.limited", "%s", ip);
		char ra[16];
		snprintf(ra, sizeof ra, "%d", wait > 0 ? wait : 1);
		if (api) {
			struct MHD_Response *resp;
			char *s = wy_xasprintf("{\"error\":\"too many failed logins; try again in %d s\"}", wait);
			resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
			MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
			MHD_add_response_header(resp, "Retry-After", ra);
			return web_queue(c, 429, resp);
		}
		return login_form(sv, c, 429, false, N_("登录失败次数过多，请稍后再试。"), name, next);
	}
	wy_store *st;
	wy_user u = {0};
	char *hash = NULL;
	wy_errinfo ei = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_by_name(st, name, &u, &hash, &ei);
	if (rc && rc != WY_ENOTFOUND)
		return api ? web_api_error(c, 503, "store unavailable") : web_text(c, 503, "store unavailable\n");
	/* an unknown name costs the same as a wrong password */
	pthread_once(&dummy_once, dummy_init);
	bool ok = web_password_check(rc ? dummy_hash : hash, pass) && !rc;
	free(hash);
	enum MHD_Result ret;
	if (!ok) {
		web_login_failed(ip, now);
		web_login_failed(who, now);
		ret = api ? web_api_error(c, 401, "wrong name or password")
			  : login_form(sv, c, 401, false, N_("用户名或密码错误。"), name, next);
	} else if (u.banned) {
		ret = api ? web_api_error(c, 403, "this account is banned")
			  : login_form(sv, c, 403, false, N_("该账户已被封禁。"), name, next);
	} else {
		ret = start_session(sv, c, r, &u, api, next);
	}
	wy_user_clear(&u);
	return ret;
}

enum MHD_Result web_post_register(server *sv, struct MHD_Connection *c, web_req *r, const char *rest)
{
	bool api = api_path(rest);
	const char *name = web_form_get(r, "name", NULL), *pass = web_form_get(r, "password", NULL);
	const char *pass2 = web_form_get(r, "password2", NULL), *next = web_form_get(r, "next", NULL);
	const char *err = NULL, *api_err = NULL;
	if (!name || !wy_user_name_valid(name))
		err = N_("用户名为2-32个字母、数字、汉字、_ 或 -。"), api_err = "a name is 2-32 letters, digits, '_' or '-'";
	else if (!pass || strlen(pass) < PASSWORD_MIN || strlen(pass) > PASSWORD_MAX)
		err = N_("密码为8-128个字符。"), api_err = "a password is 8-128 bytes";
	else if (pass2 && strcmp(pass, pass2) != 0)
		err = N_("两次输入的密码不一致。"), api_err = "the passwords differ";
	if (err)
		return api ? web_api_error(c, 400, api_err) : login_form(sv, c, 400, true, err, name, next);
	/* each registration costs an Argon2id hash and gives points: at most
	 * REGISTER_MAX per address in the window */
	char ip[80], key[96];
	client_addr(sv, c, ip, sizeof ip);
	snprintf(key, sizeof key, "reg:%s", ip);
	int64_t now = wy_now();
	int wait = 0;
	if (!web_limit_allowed(key, REGISTER_MAX, now, &wait))
		return api ? web_api_error(c, 429, "too many registrations from this address; try again later")
			   : login_form(sv, c, 429, true, "注册次数过多，请稍后再试。", name, next);
	web_login_failed(key, now);
	{
		wy_store *st0;
		wy_user taken;
		if (!web_store(sv, &st0, NULL) && !wy_store_user_by_name(st0, name, &taken, NULL, NULL)) {
			wy_user_clear(&taken);
			return api ? web_api_error(c, 409, "the name is taken")
				   : login_form(sv, c, 409, true, "该用户名已被注册。", name, next);
		}
	}
	char hash[128];
	wy_errinfo ei = {0};
	wy_store *st;
	web_site site;
	web_site_get(sv, &site);
	int64_t id = 0;
	int rc = web_password_hash(pass, hash, &ei);
	if (!rc)
		rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_add(st, name, hash, WY_ROLE_USER, site.points_register, &id, &ei);
	if (rc == WY_EEXIST)
		return api ? web_api_error(c, 409, "the name is taken")
			   : login_form(sv, c, 409, true, N_("该用户名已被注册。"), name, next);
	if (rc)
		return api ? web_api_error(c, 503, "store unavailable") : web_text(c, 503, "store unavailable\n");
	wy_log("auth.register", "user=%lld", (long long)id);
	wy_user u = {.id = id, .name = (char *)name, .role = WY_ROLE_USER};
	return start_session(sv, c, r, &u, api, next);
}

enum MHD_Result web_post_logout(server *sv, struct MHD_Connection *c, web_req *r, const char *rest)
{
	bool api = api_path(rest);
	wy_store *st;
	if (r->authed && !web_store(sv, &st, NULL))
		wy_store_session_delete(st, r->token_hash, NULL);
	struct MHD_Response *resp;
	if (api) {
		resp = MHD_create_response_from_buffer(11, (void *)"{\"ok\":true}", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Location", "/");
	}
	MHD_add_response_header(resp, "Set-Cookie", "wy_s=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
	return web_queue(c, api ? 200 : 303, resp);
}

enum MHD_Result web_post_password(server *sv, struct MHD_Connection *c, web_req *r, const char *rest)
{
	bool api = api_path(rest);
	if (!r->authed)
		return api ? web_api_error(c, 401, "log in first") : web_redirect(c, "/login?next=/me/password");
	const char *old = web_form_get(r, "old", NULL), *pass = web_form_get(r, "password", NULL);
	const char *lang = web_lang(c);
	wy_store *st;
	wy_errinfo ei = {0};
	char *hash = NULL;
	wy_user u = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_by_name(st, r->user.name, &u, &hash, &ei);
	if (rc) {
		free(hash);
		return api ? web_api_error(c, 503, "store unavailable") : web_text(c, 503, "store unavailable\n");
	}
	bool ok = old && web_password_check(hash, old);
	free(hash);
	wy_user_clear(&u);
	const char *err = !ok ? N_("原密码错误。")
		: !pass || strlen(pass) < PASSWORD_MIN || strlen(pass) > PASSWORD_MAX ? N_("密码为8-128个字符。")
		: NULL;
	if (err)
		return api ? web_api_error(c, 400, ok ? "a password is 8-128 bytes" : "the old password is wrong")
			   : web_message(sv, c, 400, wy_i18n_tr(lang, "修改密码"), wy_i18n_tr(lang, err), "/me/password");
	char nh[128];
	if ((rc = web_password_hash(pass, nh, &ei)) ||
	    (rc = wy_store_user_set_password(st, r->user.id, nh, r->token_hash, &ei)))
		return api ? web_api_error(c, 503, "store unavailable") : web_text(c, 503, "store unavailable\n");
	wy_log("auth.password", "user=%lld", (long long)r->user.id);
	return api ? web_json(c, 200, json_pack("{s:b}", "ok", 1))
		   : web_message(sv, c, 200, wy_i18n_tr(lang, "修改密码"), wy_i18n_tr(lang, "密码已修改。其他设备上的登录已退出。"),
				 "/me");
}

void web_client_addr(server *sv, struct MHD_Connection *c, char *out, size_t size)
{
	client_addr(sv, c, out, size);
}

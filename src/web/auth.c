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
 * strings (crypto_pwhash_str), at most one hashed per core at once.
 * Password checks (logins, password changes) are limited per address and
 * per (address, name), never per name alone; names that mix scripts or
 * look like a taken name are refused at registration. */
#include "core/log.h"
#include "text/confusable.h"
#include "text/utf8.h"
#include "web/captcha.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_SECONDS (30 * 24 * 3600)
#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
#define REGISTER_MAX 20 /* registrations per address in LIMIT_WINDOW */

bool web_password_ok(const char *pass)
{
	return pass && strlen(pass) >= PASSWORD_MIN && strlen(pass) <= PASSWORD_MAX;
}

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
	r->secure = WEB_SITE_INT(sv, cookie_secure) || (proto && strcmp(proto, "https") == 0);
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
		token_hash(token, r->token_hash);
		if (!web_session_get(sv, r->token_hash, &r->user, r->csrf)) {
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

bool web_csrf_check(const web_req *r, const char *sent)
{
	if (r->bearer)
		return true;
	if (!sent || !is_token(sent) || !is_token(r->csrf))
		return false;
	return sodium_memcmp(sent, r->csrf, 64) == 0;
}

bool web_csrf_ok(struct MHD_Connection *c, web_req *r)
{
	const char *t = web_form_get(r, "csrf", NULL);
	if (!t)
		t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	return web_csrf_check(r, t);
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

/* Argon2id at once. Each hash or verification takes 64 MiB for its
 * duration (crypto_pwhash's interactive limits: 64 MiB, 2 passes), so a
 * crowd of logins, registrations or password changes on every request
 * thread at once would take 64 MiB per thread. At most one per core runs;
 * a request waits for its turn at most HASH_WAIT_MS, then is answered 503.
 * Bounds what hashing holds to cores x 64 MiB, and the time waited. */
#define HASH_WAIT_MS 2000

static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int free; /* turns left */
} hashing = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t hashing_once = PTHREAD_ONCE_INIT;

static void hashing_init(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hashing.turn, &ca);
	pthread_condattr_destroy(&ca);
	hashing.free = wy_ncpu() > 0 ? wy_ncpu() : 1;
}

int web_hash_enter(void)
{
	pthread_once(&hashing_once, hashing_init);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += HASH_WAIT_MS / 1000;
	until.tv_nsec += (long)(HASH_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int rc = WY_OK;
	pthread_mutex_lock(&hashing.lock);
	while (hashing.free == 0 && rc == WY_OK)
		if (pthread_cond_timedwait(&hashing.turn, &hashing.lock, &until) == ETIMEDOUT && hashing.free == 0)
			rc = WY_EBUSY;
	if (rc == WY_OK)
		hashing.free--;
	pthread_mutex_unlock(&hashing.lock);
	return rc;
}

void web_hash_leave(void)
{
	pthread_mutex_lock(&hashing.lock);
	hashing.free++;
	pthread_cond_signal(&hashing.turn);
	pthread_mutex_unlock(&hashing.lock);
}

/* Attempts per key in a window of LIMIT_WINDOW seconds from a key's first
 * counted attempt, counted in the store (wy_store_attempt_take), so that
 * every serve process of a site shares them: a guesser spread over the
 * processes behind a balancer gets no more tries than against one. A key
 * at its max is locked until its window ends; the store keeps every live
 * key (rows go once their window has ended), so no flood of other keys
 * can make it forget a lock. How many rows a flood leaves: a login's or
 * password change's count is one password check (or is given back), at
 * most cores x 4 a second per process (a check took 0.25 s here), so 15
 * minutes hold at most 3,600 x cores keys per process; a registration
 * lock takes 20 requests from one address.
 *
 * When the store cannot count, the attempt is refused (a limiter that
 * lets everything through while its store is away is no limit), as the
 * request would fail anyway without its store; give back and clear are
 * best effort (a count left behind ends with its window). */
#define LIMIT_WINDOW 900 /* seconds */

bool web_limit_take(server *sv, const web_limit *keys, int n, int64_t now, int *retry_after)
{
	wy_store *st;
	wy_errinfo ei = {0};
	bool ok = false;
	int64_t wait = 0;
	if (n > WEB_LIMIT_KEYS)
		n = WEB_LIMIT_KEYS;
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_attempt_take(st, keys, n, LIMIT_WINDOW, now, &ok, &wait, &ei);
	if (rc) {
		wy_warn("auth.limit_failed", "%s", wy_err_msg(&ei, rc));
		ok = false;
		wait = 5;
	}
	if (!ok && retry_after)
		*retry_after = (int)(wait > 0 ? wait : 1);
	return ok;
}

void web_limit_give(server *sv, const char *key, int64_t now)
{
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = web_store(sv, &st, &ei);
	if (rc || (rc = wy_store_attempt_give(st, key, now, &ei)))
		wy_warn("auth.limit_failed", "%s", wy_err_msg(&ei, rc));
}

void web_limit_clear(server *sv, const char *key)
{
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = web_store(sv, &st, &ei);
	if (rc || (rc = wy_store_attempt_clear(st, key, &ei)))
		wy_warn("auth.limit_failed", "%s", wy_err_msg(&ei, rc));
}

int web_limit_count(server *sv, const char *key, int64_t now)
{
	wy_store *st;
	wy_errinfo ei = {0};
	int64_t n = 0;
	int rc = web_store(sv, &st, &ei);
	if (rc || (rc = wy_store_attempt_count(st, key, now, &n, &ei)))
		wy_warn("auth.limit_failed", "%s", wy_err_msg(&ei, rc));
	return (int)n;
}

/* ---- pages and forms ---- */

/* The key of an address: IPv4 as it is, IPv6 by its /64 (one host or
 * home network usually has a whole /64 to pick addresses from). */
static void addr_key(const char *a, char *out, size_t size)
{
	struct in6_addr a6;
	char t[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET6, a, &a6) == 1 && !IN6_IS_ADDR_V4MAPPED(&a6)) {
		memset(a6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a6, t, sizeof t)) {
			snprintf(out, size, "ip:%s/64", t);
			return;
		}
	}
	snprintf(out, size, "ip:%.60s", a);
}

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
		char a[64];
		snprintf(a, sizeof a, "%.60s", last);
		a[strcspn(a, " ")] = 0;
		addr_key(a, out, size);
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
	addr_key(a, out, size);
}

/* The limits of a password check (a login or a password change) from
 * address ip for account name: login_attempts per (address, name) pair,
 * and ADDR_FACTOR times as many per address (a household or an office
 * behind one address has several people). None per name alone: failures
 * from other addresses never lock its owner out. */
#define ADDR_FACTOR 4

typedef struct check_keys {
	char pair[200], ip[80];
	web_limit k[WEB_LIMIT_KEYS];
	int n;
} check_keys;

/* A name as a part of an attempt key: at most 64 bytes cut between
 * characters, without (ASCII) case as the store compares names; bytes
 * that are not UTF-8 (no account has such a name, but a guess may) as
 * hex, so that every key is text the store takes. */
static void key_name(const char *name, char out[80])
{
	size_t n = strlen(name);
	if (!wy_utf8_valid(name, n)) {
		static const char hex[] = "0123456789abcdef";
		size_t k = 0;
		out[k++] = '%';
		for (size_t i = 0; i < n && k + 2 < 80; i++) {
			out[k++] = hex[(unsigned char)name[i] >> 4];
			out[k++] = hex[(unsigned char)name[i] & 15];
		}
		out[k] = 0;
		return;
	}
	size_t k = wy_utf8_valid_prefix(name, n < 64 ? n : 64);
	for (size_t i = 0; i < k; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	out[k] = 0;
}

static void check_keys_make(check_keys *ck, const char *ip, const char *name, int max)
{
	char kn[80];
	key_name(name, kn);
	snprintf(ck->pair, sizeof ck->pair, "pair:%s|%s", ip, kn);
	snprintf(ck->ip, sizeof ck->ip, "%s", ip);
	ck->k[0] = (web_limit){ck->pair, max};
	ck->k[1] = (web_limit){ck->ip, max * ADDR_FACTOR};
	ck->n = 2;
}

/* After the check: a right password clears the pair's failures and gives
 * back the address's count of this attempt; an attempt never checked
 * (the server too busy) gives back all it counted. A failure stays. */
static void check_keys_done(server *sv, check_keys *ck, bool right, bool checked, int64_t now)
{
	for (int i = 0; i < ck->n; i++) {
		if (!checked || (right && ck->k[i].key == ck->ip))
			web_limit_give(sv, ck->k[i].key, now);
		else if (right)
			web_limit_clear(sv, ck->k[i].key);
	}
}

/* The key of failed logins for a name (whatever the address): counted
 * only to ask for a captcha, never to lock (its max is never reached). */
static void name_fail_key(const char *name, char *out, size_t size)
{
	char kn[80];
	key_name(name, kn);
	snprintf(out, size, "loginfail:%s", kn);
}

bool web_login_failed_before(web_req *rq, const char *name)
{
	char ip[80], key[96];
	int64_t now = wy_now();
	client_addr(rq->sv, rq->c, ip, sizeof ip);
	if (web_limit_count(rq->sv, ip, now) > 0)
		return true;
	if (!name || !*name)
		return false;
	name_fail_key(name, key, sizeof key);
	return web_limit_count(rq->sv, key, now) > 0;
}

/* An API answer with a status, a JSON error and Retry-After. */
static enum MHD_Result api_retry(struct MHD_Connection *c, unsigned status, int wait, const char *msg)
{
	char ra[16];
	snprintf(ra, sizeof ra, "%d", wait > 0 ? wait : 1);
	json_t *j = json_pack("{s:s}", "error", msg);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Retry-After", ra);
	return web_queue(c, status, resp);
}

/* 503 when no turn to hash came in time (web_hash_enter). */
static enum MHD_Result hash_busy(struct MHD_Connection *c, bool api)
{
	wy_warn("auth.busy", "reason=\"every password hashing turn taken\"");
	if (api)
		return api_retry(c, 503, 1, "the server is busy; try again in a moment");
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(42, (void *)"the server is busy; try again in a moment\n", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Retry-After", "1");
	return web_queue(c, 503, resp);
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

static enum MHD_Result login_form(web_req *r, unsigned status, bool reg, const char *error, const char *name,
				  const char *next)
{
	server *sv = r->sv;
	const char *lang = web_lang(r->c);
	web_auth_csrf(r); /* the form needs a token before there is a session */
	json_t *ctx = json_pack("{s:b, s:s, s:s, s:s}", "register", reg, "error", error ? wy_i18n_tr(lang, error) : "",
				"name", name ? name : "", "next", web_safe_next(next));
	/* 换一张 without a script: the form drawn anew (the name kept) */
	wy_buf again;
	wy_buf_init(&again, 0);
	wy_buf_puts(&again, reg ? "/register?next=" : "/login?next=");
	web_url_escape(&again, web_safe_next(next));
	if (name && *name) {
		wy_buf_puts(&again, "&name=");
		web_url_escape(&again, name);
	}
	web_captcha_context(r, reg ? WEB_CAPTCHA_REGISTER : WEB_CAPTCHA_LOGIN, ctx, again.data);
	wy_buf_free(&again);
	web_mail_form_context(r, ctx); /* the address (mail.c) */
	return web_page(r, status, wy_i18n_tr(lang, reg ? "注册" : "登录"), sv->login, ctx);
}

/* A name carried by 换一张's link, when it is one a form would take. */
static const char *arg_name(web_req *r)
{
	const char *n = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, "name");
	return n && wy_user_name_valid(n) ? n : NULL;
}

enum MHD_Result web_page_login(web_req *r)
{
	return login_form(r, 200, false, NULL, arg_name(r),
			  MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, "next"));
}

enum MHD_Result web_page_register(web_req *r)
{
	return login_form(r, 200, true, NULL, arg_name(r),
			  MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, "next"));
}

/* A form's captcha refused (web_captcha_check's rc): the JSON twin's
 * error (with "captcha": true, so a client knows to draw one), or the
 * form again with a new captcha. */
static enum MHD_Result captcha_refused(web_req *r, int rc, bool reg, const char *name, const char *next)
{
	if (rc != WY_EINVAL && rc != WY_EPERM)
		return web_unavailable(r);
	if (r->api)
		return web_json(r->c, 400, json_pack("{s:s, s:b}", "error", web_captcha_message(r, rc), "captcha", 1));
	return login_form(r, 400, reg, rc == WY_EINVAL ? N_("请输入验证码。") : N_("验证码错误或已过期，请输入新的验证码。"),
			  name, next);
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
		return web_unavailable(r);
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

enum MHD_Result web_post_login(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	bool api = r->api;
	const char *name = web_form_get(r, "name", NULL), *pass = web_form_get(r, "password", NULL);
	const char *next = web_form_get(r, "next", NULL);
	if (!name || !pass)
		return api ? web_api_error(c, 400, "name and password are required")
			   : login_form(r, 400, false, N_("请填写用户名和密码。"), name, next);
	/* after a failed attempt (from the address, or for the name): a
	 * captcha first, before a password is counted or checked */
	wy_errinfo cei = {0};
	int crc = web_captcha_check(r, WEB_CAPTCHA_LOGIN, &cei);
	if (crc)
		return captcha_refused(r, crc, false, name, next);
	char ip[80];
	client_addr(sv, c, ip, sizeof ip);
	check_keys ck;
	check_keys_make(&ck, ip, name, WEB_SITE_INT(sv, login_attempts));
	int64_t now = wy_now();
	int wait = 0;
	/* counted before the check, in one step with the test of the limit:
	 * requests at once cannot all pass a test made before any counted */
	if (!web_limit_take(sv, ck.k, ck.n, now, &wait)) {
		char q[80]; /* with trust_proxy, X-Forwarded-For's bytes: quoted */
		wy_warn("auth.limited", "addr=%s", wy_log_q(q, sizeof q, ip));
		if (api) {
			char msg[80];
			snprintf(msg, sizeof msg, "too many failed logins; try again in %d s", wait);
			return api_retry(c, 429, wait, msg);
		}
		return login_form(r, 429, false, N_("登录失败次数过多，请稍后再试。"), name, next);
	}
	wy_store *st;
	wy_user u = {0};
	char *hash = NULL;
	wy_errinfo ei = {0};
	/* a name that is not UTF-8 is no account's (names are checked when
	 * made): unknown, without asking the store */
	int rc = wy_utf8_valid(name, strlen(name)) ? web_store(sv, &st, &ei) : WY_ENOTFOUND;
	if (!rc)
		rc = wy_store_user_by_name(st, name, &u, &hash, &ei);
	if (rc && rc != WY_ENOTFOUND) {
		check_keys_done(sv, &ck, false, false, now);
		return web_unavailable(r);
	}
	if (web_hash_enter()) {
		free(hash);
		wy_user_clear(&u);
		check_keys_done(sv, &ck, false, false, now);
		return hash_busy(c, api);
	}
	/* an unknown name costs the same as a wrong password */
	pthread_once(&dummy_once, dummy_init);
	bool ok = web_password_check(rc ? dummy_hash : hash, pass) && !rc;
	web_hash_leave();
	free(hash);
	check_keys_done(sv, &ck, ok, true, now);
	{
		/* the name's failures, for the captcha only (never a lock) */
		char nk[96];
		name_fail_key(name, nk, sizeof nk);
		web_limit lk = {nk, 1 << 30};
		if (ok)
			web_limit_clear(sv, nk);
		else
			web_limit_take(sv, &lk, 1, now, NULL);
	}
	enum MHD_Result ret;
	if (!ok) {
		ret = api ? web_api_error(c, 401, "wrong name or password")
			  : login_form(r, 401, false, N_("用户名或密码错误。"), name, next);
	} else if (u.banned) {
		ret = api ? web_api_error(c, 403, "this account is banned")
			  : login_form(r, 403, false, N_("该账户已被封禁。"), name, next);
	} else {
		ret = start_session(sv, c, r, &u, api, next);
	}
	wy_user_clear(&u);
	return ret;
}

enum MHD_Result web_post_register(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	bool api = r->api;
	const char *name = web_form_get(r, "name", NULL), *pass = web_form_get(r, "password", NULL);
	const char *pass2 = web_form_get(r, "password2", NULL), *next = web_form_get(r, "next", NULL);
	const char *err = NULL, *api_err = NULL;
	if (!name || !wy_user_name_valid(name))
		err = N_("用户名为2-32个字母、数字、汉字、_ 或 -。"), api_err = "a name is 2-32 letters, digits, '_' or '-'";
	else if (!web_password_ok(pass))
		err = N_("密码为8-128个字符。"), api_err = "a password is 8-128 bytes";
	else if (pass2 && strcmp(pass, pass2) != 0)
		err = N_("两次输入的密码不一致。"), api_err = "the passwords differ";
	unsigned status = 400;
	if (!err && !web_mail_register_check(r, &status, &err, &api_err)) /* the address's form (mail.c) */
		return api ? web_api_error(c, status, api_err) : login_form(r, status, true, err, name, next);
	if (err)
		return api ? web_api_error(c, 400, api_err) : login_form(r, 400, true, err, name, next);
	/* `pаypal` with a Cyrillic а: refused before anything is counted */
	if (wy_confusable_mixed(name))
		return api ? web_api_error(c, 400, "a name may not mix scripts (such as Latin and Cyrillic letters)")
			   : login_form(r, 400, true, N_("用户名不能混用不同文字（如拉丁字母和西里尔字母）。"), name, next);
	/* the captcha before anything is counted or looked up (whether a
	 * name is taken is no answer a bot gets for free) */
	wy_errinfo cei = {0};
	int crc = web_captcha_check(r, WEB_CAPTCHA_REGISTER, &cei);
	if (crc)
		return captcha_refused(r, crc, true, name, next);
	/* each registration costs an Argon2id hash and gives points: at most
	 * REGISTER_MAX per address in the window */
	char ip[80], key[96];
	client_addr(sv, c, ip, sizeof ip);
	snprintf(key, sizeof key, "reg:%s", ip);
	int64_t now = wy_now();
	int wait = 0;
	web_limit lim = {key, REGISTER_MAX};
	if (!web_limit_take(sv, &lim, 1, now, &wait))
		return api ? api_retry(c, 429, wait, "too many registrations from this address; try again later")
			   : login_form(r, 429, true, N_("注册次数过多，请稍后再试。"), name, next);
	{
		/* taken, or looks like a taken name (text/confusable.h): refused
		 * before any hashing */
		wy_store *st0;
		if (!web_store(sv, &st0, NULL) && wy_store_user_name_free(st0, name, NULL) == WY_EEXIST)
			return api ? web_api_error(c, 409, "the name is taken, or one that looks like it")
				   : login_form(r, 409, true, N_("该用户名已被注册。"), name, next);
		/* the address another account verified: no free answer either */
		if (web_mail_register_taken(r))
			return api ? web_api_error(c, 409, "the address is another account's")
				   : login_form(r, 409, true, N_("该邮箱已被其他账户使用。"), name, next);
	}
	char hash[128];
	wy_errinfo ei = {0};
	wy_store *st;
	wy_config site;
	web_site_get(sv, &site);
	int64_t id = 0;
	if (web_hash_enter()) {
		web_limit_give(sv, key, now);
		return hash_busy(c, api);
	}
	int rc = web_password_hash(pass, hash, &ei);
	web_hash_leave();
	if (!rc)
		rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_add(st, name, hash, WY_ROLE_USER, site.points_register, &id, &ei);
	if (rc == WY_EEXIST)
		return api ? web_api_error(c, 409, "the name is taken, or one that looks like it")
			   : login_form(r, 409, true, N_("该用户名已被注册。"), name, next);
	if (rc == WY_EINVAL)
		return api ? web_api_error(c, 400, "a name may not mix scripts (such as Latin and Cyrillic letters)")
			   : login_form(r, 400, true, N_("用户名不能混用不同文字（如拉丁字母和西里尔字母）。"), name, next);
	if (rc)
		return web_unavailable(r);
	wy_log("auth.register", "user=%lld", (long long)id);
	web_mail_registered(r, id, name); /* its address and the link to verify it (mail.c) */
	web_flash(r, WEB_FLASH_REGISTERED, 0, 0);
	wy_user u = {.id = id, .name = (char *)name, .role = WY_ROLE_USER};
	return start_session(sv, c, r, &u, api, next);
}

enum MHD_Result web_post_logout(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	bool api = r->api;
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

enum MHD_Result web_post_password(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	bool api = r->api;
	if (!r->authed)
		return api ? web_api_error(c, 401, "log in first") : web_redirect(c, "/login?next=/me/password");
	const char *old = web_form_get(r, "old", NULL), *pass = web_form_get(r, "password", NULL);
	const char *lang = web_lang(c);
	const char *title = wy_i18n_tr(lang, "修改密码");
	/* what needs no hash is checked first, and counts nothing */
	if (!pass || strlen(pass) < PASSWORD_MIN || strlen(pass) > PASSWORD_MAX)
		return api ? web_api_error(c, 400, "a password is 8-128 bytes")
			   : web_message(r, 400, title, wy_i18n_tr(lang, "密码为8-128个字符。"), "/me/password");
	if (!old)
		return api ? web_api_error(c, 400, "the old password is wrong")
			   : web_message(r, 400, title, wy_i18n_tr(lang, "原密码错误。"), "/me/password");
	/* a wrong old password is a guess at the password like a failed login:
	 * the same limits (address, and address with the name), and one more
	 * per account, so a stolen session cannot guess from many addresses */
	char ip[80], acct[48];
	client_addr(sv, c, ip, sizeof ip);
	check_keys ck;
	check_keys_make(&ck, ip, r->user.name, WEB_SITE_INT(sv, login_attempts));
	snprintf(acct, sizeof acct, "chpw:%lld", (long long)r->user.id);
	ck.k[ck.n++] = (web_limit){acct, WEB_SITE_INT(sv, login_attempts)};
	int64_t now = wy_now();
	int wait = 0;
	if (!web_limit_take(sv, ck.k, ck.n, now, &wait)) {
		char q[80];
		wy_warn("auth.limited", "addr=%s user=%lld", wy_log_q(q, sizeof q, ip), (long long)r->user.id);
		return api ? api_retry(c, 429, wait, "too many wrong passwords; try again later")
			   : web_message(r, 429, title, wy_i18n_tr(lang, "登录失败次数过多，请稍后再试。"), "/me/password");
	}
	wy_store *st;
	wy_errinfo ei = {0};
	char *hash = NULL;
	wy_user u = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc)
		rc = wy_store_user_by_name(st, r->user.name, &u, &hash, &ei);
	wy_user_clear(&u);
	if (rc) {
		free(hash);
		check_keys_done(sv, &ck, false, false, now);
		return web_unavailable(r);
	}
	/* one turn for the check and the new hash, one after the other */
	if (web_hash_enter()) {
		free(hash);
		check_keys_done(sv, &ck, false, false, now);
		return hash_busy(c, api);
	}
	bool ok = web_password_check(hash, old);
	free(hash);
	char nh[128];
	if (ok)
		rc = web_password_hash(pass, nh, &ei);
	web_hash_leave();
	check_keys_done(sv, &ck, ok, true, now);
	if (!ok)
		return api ? web_api_error(c, 400, "the old password is wrong")
			   : web_message(r, 400, title, wy_i18n_tr(lang, "原密码错误。"), "/me/password");
	if (rc || (rc = wy_store_user_set_password(st, r->user.id, nh, r->token_hash, &ei)))
		return web_unavailable(r);
	wy_log("auth.password", "user=%lld", (long long)r->user.id);
	return api ? web_json(c, 200, json_pack("{s:b}", "ok", 1))
		   : web_message(r, 200, title, wy_i18n_tr(lang, "密码已修改。其他设备上的登录已退出。"), "/me");
}

void web_client_addr(server *sv, struct MHD_Connection *c, char *out, size_t size)
{
	client_addr(sv, c, out, size);
}

bool web_client_in(server *sv, struct MHD_Connection *c, const char *list)
{
	char who[96], key[96], a[64];
	client_addr(sv, c, who, sizeof who);
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ", ");
		if (n && n < sizeof a) {
			memcpy(a, p, n);
			a[n] = 0;
			addr_key(a, key, sizeof key);
			if (strcmp(key, who) == 0)
				return true;
		}
		p += n;
		p += strspn(p, ", ");
	}
	return false;
}

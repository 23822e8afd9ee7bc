/* web/limits: the download rules. Whether a visitor may download at all
 * (guest_download), the daily limits per account and per address (counted
 * by the store, in the transaction that records the download and takes
 * its price: every serve process shares them), and signed download links:
 * a browser's download leads, after those checks, to
 * /download/{id}?e=EXPIRY&u=USER&s=SIGNATURE, an HMAC-SHA256 (libsodium)
 * of the document, the expiry, the account (0: a visitor) and the
 * client's address under a key kept in the store. The link needs no
 * session (a download manager may take it) but works only from the
 * address it was made for and until it expires, so it cannot be
 * hot-linked. Never decides who may see a document (account.c does). */
#include "core/log.h"
#include "core/util.h"
#include "web/i18n.h"
#include "web/web_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The store's link key, read once per process (the same in every one). */
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char link_key[crypto_auth_hmacsha256_KEYBYTES];
static bool key_loaded;

static int load_key(server *sv, unsigned char key[crypto_auth_hmacsha256_KEYBYTES])
{
	_Static_assert(crypto_auth_hmacsha256_KEYBYTES == 32, "the store keeps a 32-byte key");
	int rc = WY_OK;
	pthread_mutex_lock(&key_lock);
	if (!key_loaded) {
		wy_store *st;
		wy_errinfo ei = {0};
		unsigned char fresh[32];
		randombytes_buf(fresh, sizeof fresh);
		rc = web_store(sv, &st, &ei);
		if (!rc)
			rc = wy_store_link_key(st, fresh, link_key, &ei);
		sodium_memzero(fresh, sizeof fresh);
		if (rc)
			wy_error("download.link_key", "%s", wy_err_msg(&ei, rc));
		key_loaded = rc == WY_OK;
	}
	if (key_loaded)
		memcpy(key, link_key, sizeof link_key);
	pthread_mutex_unlock(&key_lock);
	return rc;
}

/* The signature of a link, in hex (65 bytes with the NUL). */
static int sign(server *sv, struct MHD_Connection *c, int64_t doc, int64_t expiry, int64_t user, char hex[65])
{
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
	int rc = load_key(sv, key);
	if (rc)
		return rc;
	char addr[96], msg[200];
	web_client_addr(sv, c, addr, sizeof addr);
	int n = snprintf(msg, sizeof msg, "wenyuan download\n%lld\n%lld\n%lld\n%s", (long long)doc, (long long)expiry,
			 (long long)user, addr);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_bin2hex(hex, 65, mac, sizeof mac);
	sodium_memzero(key, sizeof key);
	return WY_OK;
}

/* An answer in the page's frame with a sign-in button, or JSON. */
static enum MHD_Result must_sign_in(web_req *r, const wy_doc *d)
{
	if (r->api)
		return web_api_error(r->c, 403, "log in to download");
	const char *lang = web_lang(r->c);
	char login[80], back[64];
	snprintf(login, sizeof login, "/login?next=/doc/%lld", (long long)d->id);
	snprintf(back, sizeof back, "/doc/%lld", (long long)d->id);
	const char *title = wy_i18n_tr(lang, "请先登录");
	return web_page(r, 403, title, r->sv->message,
			json_pack("{s:s, s:s, s:s, s:s}", "title", title, "text",
				  wy_i18n_tr(lang, "本站只允许登录用户下载文档。请登录或注册后再下载。"), "back", back,
				  "signin", login));
}

/* Over a daily limit: 429 with Retry-After. */
static enum MHD_Result over_limit(web_req *r, const wy_doc *d, bool per_address, int64_t retry_after)
{
	r->retry_after = retry_after;
	if (r->api)
		return web_json(r->c, 429, json_pack("{s:s, s:I}", "error",
						     per_address ? "download limit of this address reached"
								 : "daily download limit reached",
						     "retry_after", (json_int_t)retry_after));
	const char *lang = web_lang(r->c);
	char back[64], text[400];
	snprintf(back, sizeof back, "/doc/%lld", (long long)d->id);
	long long hours = (retry_after + 3599) / 3600;
	const char *fmt = per_address ? wy_i18n_tr(lang, "你所在的网络地址24小时内的下载次数已达上限，请约{hours}小时后再试。")
				      : wy_i18n_tr(lang, "你的账户24小时内的下载次数已达上限，请约{hours}小时后再试。");
	/* {hours} put in: a number, nothing to escape (the page escapes) */
	const char *at = strstr(fmt, "{hours}");
	if (at)
		snprintf(text, sizeof text, "%.*s%lld%s", (int)(at - fmt), fmt, hours, at + 7);
	else
		snprintf(text, sizeof text, "%s", fmt);
	return web_message(r, 429, wy_i18n_tr(lang, "下载次数已达上限"), text, back);
}

bool web_download_start(web_req *r, wy_store *st, const wy_doc *d, bool charge, enum MHD_Result *ret)
{
	wy_config site;
	web_site_get(r->sv, &site);
	if (!r->authed && !site.guest_download) {
		*ret = must_sign_in(r, d);
		return true;
	}
	char addr[96];
	web_client_addr(r->sv, r->c, addr, sizeof addr);
	wy_perms p;
	bool admin = web_is_admin(r);
	wy_download_start q = {
		.user_id = r->authed ? r->user.id : 0,
		.ip = addr,
		.doc_id = d->id,
		/* a group that downloads free pays nothing (it is recorded as a
		 * download, as one paid for) */
		.charge = charge && !(web_user_perms(r, &p) && p.free_download),
		.counted = !admin, /* admins have no limit */
		.per_user_day = site.downloads_per_user_day,
		.per_ip_day = site.downloads_per_ip_day,
		.repeat_seconds = site.download_link_seconds,
	};
	int64_t paid = 0, retry = 0;
	wy_errinfo ei = {0};
	int rc = wy_store_download_start(st, &q, &paid, &retry, &ei);
	if (rc == WY_ETOOBIG) { /* the store says which limit: the address's names it */
		bool per_address = strstr(ei.msg, "address") != NULL;
		wy_log("download.limit", "user=%lld doc=%lld limit=%s retry_after=%lld", (long long)q.user_id,
		       (long long)d->id, per_address ? "address" : "account", (long long)retry);
		*ret = over_limit(r, d, per_address, retry);
		return true;
	}
	if (rc == WY_EPOINTS)
		*ret = web_short_of_points(r, st, d);
	else if (rc == WY_EPERM)
		*ret = web_not_for_sale_yet(r, d);
	else if (rc == WY_ENOTFOUND)
		*ret = r->api ? web_api_error(r->c, 404, "no such document") : web_not_found(r);
	else if (rc)
		*ret = web_unavailable(r);
	if (rc)
		return true;
	if (paid)
		wy_log("points.download", "user=%lld doc=%lld points=%lld", (long long)r->user.id, (long long)d->id,
		       (long long)paid);
	return false;
}

enum MHD_Result web_download_link(web_req *r, const wy_doc *d)
{
	wy_config site;
	web_site_get(r->sv, &site);
	int64_t expiry = wy_now() + site.download_link_seconds, user = r->authed ? r->user.id : 0;
	char hex[65], loc[200];
	if (sign(r->sv, r->c, d->id, expiry, user, hex))
		return web_unavailable(r);
	snprintf(loc, sizeof loc, "/download/%lld?e=%lld&u=%lld&s=%s", (long long)d->id, (long long)expiry,
		 (long long)user, hex);
	return web_redirect(r->c, loc);
}

/* A refusal of a link: 403, with the way back to the document's download. */
static enum MHD_Result bad_link(web_req *r, const wy_doc *d, bool expired)
{
	const char *lang = web_lang(r->c);
	char back[64];
	snprintf(back, sizeof back, "/doc/%lld#download", (long long)d->id);
	if (expired)
		return web_message(r, 403, wy_i18n_tr(lang, "下载链接已过期"),
				   wy_i18n_tr(lang, "这个下载链接已过期。请回到文档页面重新点击下载。"), back);
	return web_message(r, 403, wy_i18n_tr(lang, "下载链接无效"),
			   wy_i18n_tr(lang, "这个下载链接无效：它被改动过，或不是为你的网络地址生成的。请回到文档页面重新点击下载。"),
			   back);
}

/* A query argument as a non-negative number (-1: absent or not one). */
static int64_t arg_num(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	if (!v || !*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
		return -1;
	return strtoll(v, NULL, 10);
}

bool web_download_signed(web_req *r, const wy_doc *d, bool *ok, enum MHD_Result *ret)
{
	struct MHD_Connection *c = r->c;
	const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "s");
	*ok = false;
	if (!s)
		return false;
	int64_t e = arg_num(c, "e"), u = arg_num(c, "u");
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	char hex[65];
	size_t n = 0;
	bool good = e >= 0 && u >= 0 && strlen(s) == 64 &&
		    sodium_hex2bin(got, sizeof got, s, 64, NULL, &n, NULL) == 0 && n == sizeof got;
	if (good && sign(r->sv, c, d->id, e, u, hex)) {
		*ret = web_unavailable(r);
		return true;
	}
	/* the signature first: an altered expiry is a bad link, not an old one */
	good = good && sodium_hex2bin(want, sizeof want, hex, 64, NULL, &n, NULL) == 0 &&
	       sodium_memcmp(want, got, sizeof want) == 0;
	if (!good) {
		wy_log("download.link_refused", "doc=%lld why=signature", (long long)d->id);
		*ret = bad_link(r, d, false);
		return true;
	}
	if (e < wy_now()) {
		wy_log("download.link_refused", "doc=%lld why=expired", (long long)d->id);
		*ret = bad_link(r, d, true);
		return true;
	}
	/* who may see it is asked again, for the account the link names (0:
	 * a visitor): a document made private, hidden by an admin, deleted
	 * or no longer readable since the link was made is not served, as a
	 * request of that account's would not be; nor a visitor's link once
	 * visitors may no longer download. The limits were counted when the
	 * link was made: fetching it again within its life (a range, a
	 * download manager's retry) counts nothing more. */
	bool can;
	if (web_account_can_see(r->sv, u, d, &can)) {
		*ret = web_unavailable(r);
		return true;
	}
	if (!can || !web_doc_open(d)) {
		wy_log("download.link_refused", "doc=%lld why=unseen user=%lld", (long long)d->id, (long long)u);
		*ret = web_not_found(r);
		return true;
	}
	/* a banned account has a visitor's rights: the guest rule too */
	bool visitor = u == 0;
	if (!visitor) {
		wy_store *st;
		wy_user who = {0};
		if (web_store(r->sv, &st, NULL) || wy_store_user_get(st, u, &who, NULL)) {
			*ret = web_unavailable(r);
			return true;
		}
		visitor = who.banned;
		wy_user_clear(&who);
	}
	if (visitor && !WEB_SITE_INT(r->sv, guest_download)) {
		*ret = must_sign_in(r, d);
		return true;
	}
	*ok = true;
	return true;
}

bool web_download_foreign(web_req *r)
{
	if (r->bearer || r->api)
		return false;
	struct MHD_Connection *c = r->c;
	/* a browser that says where the request comes from is believed */
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site)
		return strcmp(site, "cross-site") == 0;
	/* older browsers: a Referer naming neither this request's host nor
	 * the one a proxy says the client asked for */
	const char *ref = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer");
	const char *p = ref ? strstr(ref, "://") : NULL;
	if (!p)
		return false;
	p += 3;
	size_t len = strcspn(p, "/?#");
	const char *hosts[] = {MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"),
			       MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Host")};
	bool named = false;
	for (int i = 0; i < 2; i++)
		named = named || (hosts[i] && len == strlen(hosts[i]) && strncasecmp(p, hosts[i], len) == 0);
	return !named && (hosts[0] || hosts[1]);
}

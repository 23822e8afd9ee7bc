/* web/captcha: captchas for the site's forms (see captcha.h): the rule of
 * which form asks, a captcha's making (drawn by captcha_draw.c, kept in
 * the store), its check, the form's values, the image's route and the
 * JSON route that draws one. The answer leaves this file only hashed
 * (with the captcha's id), and never in a response: the image is the one
 * way to read it. */
#include "web/captcha.h"

#include "core/log.h"
#include "web/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Captchas one address may have drawn in the login limits' window (15
 * minutes): each costs a drawing and a row. A person needs a few. */
#define CAPTCHAS_PER_ADDR 200
#define ANSWER_MAX 16 /* bytes of an answer looked at (longer: wrong) */

void (*web_captcha_hook_drawn)(const char *id, const char *answer);
void (*web_captcha_hook_serve)(const char *id, struct MHD_Response *resp);

static const char *const form_names[] = {"register", "login", "reset", "comment"};

static int setting_of(server *sv, web_captcha_form f)
{
	switch (f) {
	case WEB_CAPTCHA_REGISTER:
		return WEB_SITE_INT(sv, captcha_register);
	case WEB_CAPTCHA_LOGIN:
		return WEB_SITE_INT(sv, captcha_login);
	case WEB_CAPTCHA_RESET:
		return WEB_SITE_INT(sv, captcha_reset);
	case WEB_CAPTCHA_COMMENT:
		return WEB_SITE_INT(sv, captcha_comment);
	}
	return 0;
}

bool web_captcha_wanted(web_req *rq, web_captcha_form f)
{
	if (!rq || (unsigned)f > WEB_CAPTCHA_COMMENT || !setting_of(rq->sv, f))
		return false;
	if (f == WEB_CAPTCHA_LOGIN)
		return web_login_failed_before(rq, rq->post ? web_form_get(rq, "name", NULL) : NULL);
	return true;
}

static bool is_id(const char *s)
{
	return s && strlen(s) == WY_CAPTCHA_ID && strspn(s, "0123456789abcdef") == WY_CAPTCHA_ID;
}

/* The hash of an answer (letters as capitals, blanks dropped) of captcha
 * id: SHA-256 of id and answer, so equal answers hash apart. */
static void answer_hash(const char *id, const char *answer, unsigned char out[WY_CAPTCHA_HASH])
{
	char norm[ANSWER_MAX + 1];
	size_t n = 0;
	for (const char *p = answer; *p && n < ANSWER_MAX; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		norm[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	}
	norm[n] = 0;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)"wenyuan captcha ", 16);
	crypto_hash_sha256_update(&h, (const unsigned char *)id, strlen(id));
	crypto_hash_sha256_update(&h, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)norm, n);
	crypto_hash_sha256_final(&h, out);
}

static void token_hash(const char *token, unsigned char out[WY_CAPTCHA_HASH])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

int web_captcha_check(web_req *rq, web_captcha_form f, wy_errinfo *ei)
{
	if (!web_captcha_wanted(rq, f))
		return WY_OK;
	const char *id = web_form_get(rq, "captcha_id", NULL), *ans = web_form_get(rq, "captcha", NULL);
	if (!id || !ans || !*ans)
		return wy_err_set(ei, WY_EINVAL, "%s", N_("请输入验证码。"));
	const char *wrong = N_("验证码错误或已过期，请输入新的验证码。");
	if (!is_id(id) || strlen(ans) > ANSWER_MAX || !*rq->csrf)
		return wy_err_set(ei, WY_EPERM, "%s", wrong);
	wy_store *st;
	unsigned char ah[WY_CAPTCHA_HASH], th[WY_CAPTCHA_HASH], want[WY_CAPTCHA_HASH], mine[WY_CAPTCHA_HASH];
	int form = -1;
	int rc = web_store(rq->sv, &st, ei);
	if (!rc)
		rc = wy_store_captcha_take(st, id, wy_now(), ah, th, &form, ei);
	if (rc == WY_ENOTFOUND)
		return wy_err_set(ei, WY_EPERM, "%s", wrong);
	if (rc)
		return rc;
	answer_hash(id, ans, want);
	token_hash(rq->csrf, mine);
	/* all three compared, each in constant time */
	bool ok = (form == (int)f) & (sodium_memcmp(th, mine, WY_CAPTCHA_HASH) == 0) &
		  (sodium_memcmp(ah, want, WY_CAPTCHA_HASH) == 0);
	if (!ok) {
		wy_log("captcha.wrong", "form=%s", form_names[f]);
		return wy_err_set(ei, WY_EPERM, "%s", wrong);
	}
	return WY_OK;
}

const char *web_captcha_message(web_req *rq, int rc)
{
	if (rq->api)
		return rc == WY_EINVAL ? "a captcha is required: GET /api/v1/captcha?form=... and send captcha_id and captcha"
		     : rc == WY_EPERM  ? "the captcha answer is wrong, used or expired; draw a new one"
		     : rc == WY_ETOOBIG ? "too many captchas drawn from this address; try again later"
				       : "store unavailable";
	const char *lang = web_lang(rq->c);
	return rc == WY_EINVAL ? wy_i18n_tr(lang, "请输入验证码。")
	     : rc == WY_EPERM  ? wy_i18n_tr(lang, "验证码错误或已过期，请输入新的验证码。")
	     : rc == WY_ETOOBIG ? wy_i18n_tr(lang, "验证码请求过多，请稍后再试。")
			       : wy_i18n_tr(lang, "服务暂时不可用，请稍后再试。");
}

/* Draw a captcha for form f bound to rq's form token (made when the
 * visitor has none); its id into id. WY_ETOOBIG when the address drew too
 * many; the store's errors. */
static int make(web_req *rq, web_captcha_form f, char id[WY_CAPTCHA_ID + 1], wy_errinfo *ei)
{
	char ip[80], key[96];
	web_client_addr(rq->sv, rq->c, ip, sizeof ip);
	snprintf(key, sizeof key, "captcha:%s", ip);
	web_limit lim = {key, CAPTCHAS_PER_ADDR};
	int wait = 0;
	int64_t now = wy_now();
	if (!web_limit_take(rq->sv, &lim, 1, now, &wait))
		return wy_err_set(ei, WY_ETOOBIG, "too many captchas from this address");
	const char *token = web_auth_csrf(rq);
	unsigned char raw[WY_CAPTCHA_ID / 2], ah[WY_CAPTCHA_HASH], th[WY_CAPTCHA_HASH];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(id, WY_CAPTCHA_ID + 1, raw, sizeof raw);
	char answer[WEB_CAPTCHA_CHARS + 1];
	unsigned char *png;
	size_t size;
	int rc = web_captcha_draw(answer, &png, &size);
	if (rc)
		return wy_err_set(ei, rc, "no memory to draw a captcha");
	answer_hash(id, answer, ah);
	token_hash(token, th);
	wy_store *st;
	rc = web_store(rq->sv, &st, ei);
	if (!rc)
		rc = wy_store_captcha_add(st, id, ah, th, (int)f, png, size, now + WEB_SITE_INT(rq->sv, captcha_seconds),
					  now, ei);
	free(png);
	if (!rc && web_captcha_hook_drawn)
		web_captcha_hook_drawn(id, answer);
	sodium_memzero(answer, sizeof answer);
	return rc;
}

void web_captcha_context(web_req *rq, web_captcha_form f, json_t *ctx, const char *again)
{
	if (!web_captcha_wanted(rq, f))
		return;
	const char *lang = web_lang(rq->c);
	char id[WY_CAPTCHA_ID + 1];
	wy_errinfo ei = {0};
	int rc = make(rq, f, id, &ei);
	wy_buf b;
	wy_buf_init(&b, 0);
	if (rc) {
		if (rc != WY_ETOOBIG)
			wy_warn("captcha.make", "form=%s err=\"%s\"", form_names[f], ei.msg);
		wy_buf_puts(&b, "<p class=\"error captcha-none\" role=\"alert\">");
		wy_html_escape(&b, web_captcha_message(rq, rc == WY_ETOOBIG ? rc : WY_ESTORE));
		wy_buf_puts(&b, "</p>");
		json_object_set_new(ctx, "captcha_html", json_string(b.data ? b.data : ""));
		wy_buf_free(&b);
		return;
	}
	char image[64];
	snprintf(image, sizeof image, "/captcha/%s.png", id);
	if (!again)
		again = "";
	json_object_set_new(ctx, "captcha", json_pack("{s:s, s:s, s:s, s:s}", "id", id, "image", image, "again", again,
						       "form", form_names[f]));
	/* one block, the same on every form; labels in the page's language */
	wy_buf_printf(&b, "<div class=\"captcha\" data-form=\"%s\">", form_names[f]);
	wy_buf_printf(&b, "<input type=\"hidden\" name=\"captcha_id\" value=\"%s\">", id);
	wy_buf_printf(&b, "<label for=\"captcha-%s\">", form_names[f]);
	wy_html_escape(&b, wy_i18n_tr(lang, "验证码"));
	wy_buf_printf(&b, "</label><span class=\"captcha-row\"><img class=\"captcha-img\" src=\"%s\" width=\"%d\" "
			  "height=\"%d\" alt=\"",
		      image, WEB_CAPTCHA_WIDTH, WEB_CAPTCHA_HEIGHT);
	wy_html_escape(&b, wy_i18n_tr(lang, "验证码图片：5个字母或数字"));
	wy_buf_puts(&b, "\"> <a class=\"captcha-again\" href=\"");
	wy_html_escape(&b, again);
	wy_buf_puts(&b, "\">");
	wy_html_escape(&b, wy_i18n_tr(lang, "换一张"));
	wy_buf_printf(&b, "</a></span><input id=\"captcha-%s\" name=\"captcha\" required maxlength=\"%d\" "
			  "autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" "
			  "aria-describedby=\"captcha-hint-%s\">",
		      form_names[f], ANSWER_MAX, form_names[f]);
	wy_buf_printf(&b, "<small class=\"hint\" id=\"captcha-hint-%s\">", form_names[f]);
	wy_html_escape(&b, wy_i18n_tr(lang, "请输入图中的字符，不区分大小写；看不清可换一张。"));
	wy_buf_puts(&b, "</small></div><script src=\"/static/captcha.js\" defer></script>");
	json_object_set_new(ctx, "captcha_html", json_string(b.data));
	wy_buf_free(&b);
}

enum MHD_Result web_route_captcha(web_req *rq)
{
	/* rest: "{id}.png" */
	char id[WY_CAPTCHA_ID + 1];
	const char *rest = rq->rest ? rq->rest : "";
	if (strlen(rest) != WY_CAPTCHA_ID + 4 || strcmp(rest + WY_CAPTCHA_ID, ".png") != 0)
		return web_not_found(rq);
	memcpy(id, rest, WY_CAPTCHA_ID);
	id[WY_CAPTCHA_ID] = 0;
	if (!is_id(id))
		return web_not_found(rq);
	wy_store *st;
	void *img = NULL;
	size_t size = 0;
	int rc = web_store(rq->sv, &st, NULL);
	if (!rc)
		rc = wy_store_captcha_image(st, id, wy_now(), &img, &size, NULL);
	if (rc == WY_ENOTFOUND)
		return web_not_found(rq);
	if (rc)
		return web_unavailable(rq);
	struct MHD_Response *resp = MHD_create_response_from_buffer(size, img, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(img);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "image/png");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (web_captcha_hook_serve)
		web_captcha_hook_serve(id, resp);
	return web_queue(rq->c, 200, resp);
}

enum MHD_Result web_api_captcha(web_req *rq)
{
	const char *name = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, "form");
	int f = -1;
	for (int i = 0; name && i < 4; i++)
		if (strcmp(name, form_names[i]) == 0)
			f = i;
	if (f < 0)
		return web_api_error(rq->c, 400, "form must be register, login, reset or comment");
	char id[WY_CAPTCHA_ID + 1];
	wy_errinfo ei = {0};
	int rc = make(rq, (web_captcha_form)f, id, &ei);
	if (rc == WY_ETOOBIG)
		return web_api_error(rq->c, 429, web_captcha_message(rq, rc));
	if (rc)
		return web_unavailable(rq);
	char image[64];
	snprintf(image, sizeof image, "/captcha/%s.png", id);
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:b}", "id", id, "image", image, "form", form_names[f],
			      "expires_in", WEB_SITE_INT(rq->sv, captcha_seconds), "wanted",
			      web_captcha_wanted(rq, (web_captcha_form)f));
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	web_auth_cookies(rq, resp); /* the token it is bound to, when new */
	return web_queue(rq->c, 200, resp);
}

/* web/captcha: the captchas the site's forms ask for (registration,
 * logging in after a failed attempt, asking for a password reset link,
 * comments: settings captcha_register, captcha_login, captcha_reset,
 * captcha_comment). A captcha is drawn on the server (captcha_draw.c, no
 * service elsewhere), kept in the store (every serve process shares it),
 * bound to the form token of the visitor it was drawn for (the session's
 * CSRF token, or an anonymous visitor's wy_c token), answered once (a
 * wrong answer uses it up: the form comes back with a new one), and
 * expires after captcha_seconds. Answers are compared without case. No
 * audio captcha: a visitor who cannot read the image asks for another
 * (换一张) or asks the site's admins.
 *
 * Private to src/web/ (it includes web_int.h). */
#ifndef WY_WEB_CAPTCHA_H
#define WY_WEB_CAPTCHA_H

#include "web/web_int.h"

typedef enum { WEB_CAPTCHA_REGISTER, WEB_CAPTCHA_LOGIN, WEB_CAPTCHA_RESET, WEB_CAPTCHA_COMMENT } web_captcha_form;

/* Whether form f of this request asks for a captcha: its setting is on;
 * for WEB_CAPTCHA_LOGIN only after a failed login from the request's
 * address or (a POST with a "name") for that name. */
bool web_captcha_wanted(web_req *rq, web_captcha_form f);

/* The captcha answer of rq's form f: its fields captcha_id and captcha.
 * WY_OK when f asks for none (web_captcha_wanted) or the answer is right
 * (the captcha is used up either way). Else WY_EINVAL (no answer given)
 * or WY_EPERM (wrong, used, expired, drawn for another form or another
 * visitor's token), ei's message a msgid in Chinese; WY_ESTORE and the
 * store's codes when the store failed. web_captcha_message gives the text
 * to show for the request. */
int web_captcha_check(web_req *rq, web_captcha_form f, wy_errinfo *ei);

/* What a refusal of web_captcha_check (rc) says: in the page's language,
 * or in English for the JSON twin. Static or the catalog's. */
const char *web_captcha_message(web_req *rq, int rc);

/* The template values of a form that asks for a captcha: when f is
 * wanted, a new captcha is drawn for rq's form token (made for an
 * anonymous visitor when it has none) and ctx gets "captcha" ({"id",
 * "image", "again", "form"}) and "captcha_html" (the image, the 换一张
 * link to again (a GET that draws the form anew; NULL: the request's
 * path), the labelled input "captcha", the hidden "captcha_id", and the
 * script that swaps the image without a reload), which the form's
 * template writes with {{{captcha_html}}}. Nothing is added when f asks
 * for none; when no captcha can be drawn (too many from the address, the
 * store failed), "captcha_html" says so and the form's check fails. */
void web_captcha_context(web_req *rq, web_captcha_form f, json_t *ctx, const char *again);

/* GET /captcha/{id}.png: the image of a captcha that may be answered. */
web_handler web_route_captcha;
/* GET /api/v1/captcha?form=register|login|reset|comment: a new captcha
 * for the form, {"id", "image", "form", "expires_in", "wanted"} (wanted:
 * whether the form asks for one now: its setting, and for login a failed
 * attempt; a client may draw one either way). */
web_handler web_api_captcha;

/* ---- drawing (captcha_draw.c) ---- */
#define WEB_CAPTCHA_CHARS 5
#define WEB_CAPTCHA_WIDTH 160
#define WEB_CAPTCHA_HEIGHT 56
/* The characters answers are made of (no look-alikes), NUL-terminated. */
extern const char web_captcha_alphabet[];
/* Draw a new captcha: a random answer of WEB_CAPTCHA_CHARS characters of
 * the alphabet into answer, and its image, a PNG of WEB_CAPTCHA_WIDTH x
 * WEB_CAPTCHA_HEIGHT grey pixels, malloc'd into *png (*size bytes; the
 * caller frees it). WY_ENOMEM. Thread-safe. */
int web_captcha_draw(char answer[WEB_CAPTCHA_CHARS + 1], unsigned char **png, size_t *size);

/* ---- the test hook ----
 * NULL in the `wenyuan` binary: nothing there sets them. Only the test
 * build `wenyuan-test` (src/web/captcha_test_hook.c, compiled with
 * -DWY_TEST_HOOKS into that executable alone) sets them at its start, to
 * keep each answer drawn (drawn) and send it with its image (serve). */
extern void (*web_captcha_hook_drawn)(const char *id, const char *answer);
extern void (*web_captcha_hook_serve)(const char *id, struct MHD_Response *resp);

#endif

/* i18n: the site's UI text in the visitor's language, from compiled gettext
 * catalogs (GNU .mo files, made from po/<lang>.po by msgfmt at build time).
 *
 * The source language is Chinese: msgids are the Chinese UI strings, and
 * "zh" needs no catalog. Each request picks its own language, so nothing
 * here touches the process-global locale (setlocale/gettext): catalogs are
 * loaded once at start into an immutable table that any thread may read.
 * A catalog is untrusted input until checked: the reader bounds-checks
 * every offset and length and refuses a damaged file; it never reads
 * outside the file. */
#ifndef WY_I18N_H
#define WY_I18N_H

#include <stdbool.h>

#include "core/err.h"

/* The language of msgids, served when nothing else is asked for. */
#define WY_I18N_DEFAULT "zh"

/* Load every <lang>.mo in dir (lang: 2 or 3 lowercase letters; other names
 * are ignored), replacing the catalogs loaded before. All or nothing: on
 * any error the previous catalogs stay. WY_ENOTFOUND when dir cannot be
 * opened, WY_ECORRUPT (naming the file) for a damaged catalog or one that
 * is not UTF-8, WY_ETOOBIG past 16 MiB a file or 16 languages. Not
 * thread-safe: call before request threads start (or after they stop). */
int wy_i18n_load(const char *dir, wy_errinfo *ei);

/* Forget every catalog (then only Chinese is supported). Same rule. */
void wy_i18n_unload(void);

/* The code of the i-th loaded catalog ("en"), in code order; NULL past the
 * last. Lifetime as wy_i18n_supported. */
const char *wy_i18n_language(int i);

/* The supported language code for a language tag: "en", "en-US", "EN_us"
 * give "en" when an en catalog is loaded; "zh", "zh-CN", "zh-TW" give
 * "zh". NULL for anything else (NULL, "", garbage). The result is static
 * or lives until the next load/unload. Thread-safe between loads. */
const char *wy_i18n_supported(const char *tag);

/* The language of a request: query_lang (?lang=) when supported, else
 * cookie_lang (the lang cookie) when supported, else the best supported
 * language of an Accept-Language header (highest q wins, ties go to the
 * earlier entry; "*" stands for any language not named; q=0 refuses),
 * else WY_I18N_DEFAULT. Any argument may be NULL; malformed entries are
 * skipped, never trusted. Never NULL; lifetime as wy_i18n_supported.
 * Thread-safe between loads. */
const char *wy_i18n_pick(const char *query_lang, const char *cookie_lang, const char *accept_language);

/* The translation of msgid into lang, or NULL when the catalog of lang
 * has none (or lang is not loaded, or is Chinese). Borrowed from the
 * catalog: valid until the next load/unload. Thread-safe between loads. */
const char *wy_i18n_lookup(const char *lang, const char *msgid);

/* The translation of msgid into lang, or msgid itself when there is none.
 * lang may be NULL (msgid). Same lifetime and thread safety. */
const char *wy_i18n_tr(const char *lang, const char *msgid);

/* The BCP 47 tag for <html lang> and Content-Language: "zh-CN" for
 * Chinese (the UI is Simplified Chinese), otherwise lang itself. */
const char *wy_i18n_html_lang(const char *lang);

/* Marks a string literal for extraction into po/wenyuan.pot (xgettext
 * -kN_) without translating it: arrays of labels translated later. */
#define N_(s) s

#endif

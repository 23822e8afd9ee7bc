/* template: a small logic-less renderer (a subset of Mustache) over a JSON
 * context, HTML-escaping by default. It must never emit a value unescaped
 * unless the template asks with triple braces, and never loop or recurse
 * without bound on any template or data.
 *
 *   {{name}} {{a.b}}      the value, HTML-escaped ("" when absent or null)
 *   {{{name}}}            the value as it is (HTML the program built)
 *   {{#name}}..{{/name}}  an array: once per element, the element as the
 *                         context; an object: once, as the context; any
 *                         other value: once when truthy
 *   {{^name}}..{{/name}}  once when the value is absent, false, null, 0,
 *                         "" or an empty array
 *   {{.}}                 the current context itself
 *   {{! comment }}
 *   {{_ 下载}}            UI text: the msgid "下载" translated into the
 *                         render's language (web/i18n.h), HTML-escaped;
 *                         {name} in it is a placeholder for the value of
 *                         name, e.g. {{_ 第{page}页 / 共{pages}页}}, and the
 *                         translation may move it ("Page {page} of {pages}")
 *   {{{_ 用<code>{cmd}</code>}}}  the same, the translation written as it
 *                         is (markup the program's own catalog carries);
 *                         placeholder values are escaped even here
 *
 * Names are looked up from the innermost context outwards. In a msgid "{"
 * always opens a placeholder and the first "}}" ("}}}") outside one closes
 * the tag; blanks around the msgid are not part of it. Templates are
 * parsed once (wy_template_parse) and rendered many times; a parsed
 * template is immutable and may be shared by threads. */
#ifndef WY_TEMPLATE_H
#define WY_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "core/util.h"

typedef struct wy_template wy_template;

/* Parse src. WY_EINVAL with the line in ei for unbalanced or malformed tags
 * or nesting deeper than 32. The template copies what it needs. */
int wy_template_parse(const char *src, size_t len, wy_template **out, wy_errinfo *ei);

/* Parse the file at path (at most 1 MiB). */
int wy_template_load(const char *path, wy_template **out, wy_errinfo *ei);

/* Append the rendering to out. WY_ETOOBIG past out's cap, or past a work
 * budget (5 million nodes visited: nested sections over arrays multiply,
 * and may write nothing while they do). Translation
 * tags render their msgids (Chinese, the source language). Thread-safe for
 * a shared t. */
int wy_template_render(const wy_template *t, json_t *ctx, wy_buf *out);

/* The same with translation tags in lang ("en"; NULL or "zh": the msgids),
 * through wy_i18n_tr: a msgid without a translation is written as it is.
 * Thread-safe between catalog loads (wy_i18n_load). */
int wy_template_render_lang(const wy_template *t, json_t *ctx, const char *lang, wy_buf *out);

/* Call fn with every msgid of t's translation tags, in template order
 * (duplicates included): to check that catalogs cover a template. */
void wy_template_each_msgid(const wy_template *t, void (*fn)(const char *msgid, void *arg), void *arg);

void wy_template_free(wy_template *t); /* NULL is a no-op */

/* Append s HTML-escaped (& < > " '). */
int wy_html_escape(wy_buf *out, const char *s);

#endif

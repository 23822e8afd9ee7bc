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
 *
 * Names are looked up from the innermost context outwards. Templates are
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

/* Append the rendering to out. WY_ETOOBIG past out's cap. */
int wy_template_render(const wy_template *t, json_t *ctx, wy_buf *out);

void wy_template_free(wy_template *t); /* NULL is a no-op */

/* Append s HTML-escaped (& < > " '). */
int wy_html_escape(wy_buf *out, const char *s);

#endif

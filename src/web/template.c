/* template: parse once into a tree of nodes, render by walking it with a
 * bounded stack of JSON contexts. */
#include "web/template.h"
#include "web/i18n.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

enum { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_TR, N_TR_RAW };

typedef struct node {
	int kind;
	char *text;            /* N_TEXT: the text; N_TR*: the msgid; others: the name */
	size_t len;            /* of text */
	struct node *child;    /* sections: their body */
	struct node *next;
} node;

struct wy_template {
	node *root;
};

static void free_nodes(node *n)
{
	while (n) {
		node *next = n->next;
		free_nodes(n->child);
		free(n->text);
		free(n);
		n = next;
	}
}

void wy_template_free(wy_template *t)
{
	if (!t)
		return;
	free_nodes(t->root);
	free(t);
}

static int line_of(const char *src, const char *p)
{
	int line = 1;
	for (const char *s = src; s < p; s++)
		line += *s == '\n';
	return line;
}

static char *trimmed(const char *a, const char *z)
{
	while (a < z && (*a == ' ' || *a == '\t'))
		a++;
	while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
		z--;
	return wy_xstrndup(a, (size_t)(z - a));
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return false;
	return true;
}

/* {{_ msgid}} / {{{_ msgid}}}: "_" and a blank open a translation. */
static bool is_translation(const char *body, const char *end)
{
	return end - body >= 2 && body[0] == '_' && (body[1] == ' ' || body[1] == '\t' || body[1] == '\n');
}

/* The end of a translation tag's msgid, which starts at p: the first
 * closing braces outside a {placeholder}. Placeholders must be valid
 * names, so a stray "{" is an error rather than a guess. */
static int translation_end(const char *src, const char *tag, const char *p, const char *end, bool raw,
			   const char **close, wy_errinfo *ei)
{
	size_t cn = raw ? 3 : 2;
	for (; p < end; p++) {
		if ((size_t)(end - p) >= cn && memcmp(p, "}}}", cn) == 0) {
			*close = p;
			return WY_OK;
		}
		if (*p != '{')
			continue;
		const char *r = memchr(p + 1, '}', (size_t)(end - p - 1));
		char name[128];
		size_t n = r ? (size_t)(r - p - 1) : 0;
		if (r && n < sizeof name) {
			memcpy(name, p + 1, n);
			name[n] = 0;
		}
		if (!r || n >= sizeof name || !valid_name(name))
			return wy_err_set(ei, WY_EINVAL, "template: bad placeholder in a translation (line %d)",
					  line_of(src, tag));
		p = r;
	}
	return wy_err_set(ei, WY_EINVAL, "template: unclosed tag (line %d)", line_of(src, tag));
}

/* Parse from *pp until end or the closing tag of `open` (NULL at the top). */
static int parse_block(const char *src, const char **pp, const char *end, const char *open, int depth, node **out,
		       wy_errinfo *ei)
{
	node *head = NULL, **tail = &head;
	const char *p = *pp;
	int rc = WY_OK;
	if (depth > MAX_DEPTH)
		return wy_err_set(ei, WY_EINVAL, "template: sections nested deeper than %d (line %d)", MAX_DEPTH,
				  line_of(src, p));
	while (p < end) {
		const char *tag = memmem(p, (size_t)(end - p), "{{", 2);
		const char *text_end = tag ? tag : end;
		if (text_end > p) {
			node *n = wy_xcalloc(1, sizeof *n);
			n->kind = N_TEXT;
			n->text = wy_xstrndup(p, (size_t)(text_end - p));
			n->len = (size_t)(text_end - p);
			*tail = n;
			tail = &n->next;
		}
		if (!tag) {
			p = end;
			break;
		}
		bool raw = tag + 2 < end && tag[2] == '{';
		const char *body = tag + (raw ? 3 : 2);
		if (is_translation(body, end)) {
			const char *close = NULL;
			if ((rc = translation_end(src, tag, body + 2, end, raw, &close, ei)))
				goto fail;
			const char *a = body + 2, *z = close;
			while (a < z && (*a == ' ' || *a == '\t' || *a == '\n'))
				a++;
			while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\n'))
				z--;
			if (a == z) {
				rc = wy_err_set(ei, WY_EINVAL, "template: empty translation (line %d)", line_of(src, tag));
				goto fail;
			}
			node *n = wy_xcalloc(1, sizeof *n);
			n->kind = raw ? N_TR_RAW : N_TR;
			n->text = wy_xstrndup(a, (size_t)(z - a));
			n->len = (size_t)(z - a);
			*tail = n;
			tail = &n->next;
			p = close + (raw ? 3 : 2);
			continue;
		}
		const char *close = memmem(body, (size_t)(end - body), raw ? "}}}" : "}}", raw ? 3 : 2);
		if (!close) {
			rc = wy_err_set(ei, WY_EINVAL, "template: unclosed tag (line %d)", line_of(src, tag));
			goto fail;
		}
		p = close + (raw ? 3 : 2);
		char sigil = raw ? 0 : *body;
		if (sigil == '!')
			continue;
		if (sigil == '#' || sigil == '^' || sigil == '/')
			body++;
		char *name = trimmed(body, close);
		if (!valid_name(name)) {
			rc = wy_err_set(ei, WY_EINVAL, "template: bad tag name '%.40s' (line %d)", name, line_of(src, tag));
			free(name);
			goto fail;
		}
		if (sigil == '/') {
			bool match = open && strcmp(name, open) == 0;
			free(name);
			if (!match) {
				rc = wy_err_set(ei, WY_EINVAL, "template: unexpected closing tag (line %d)",
						line_of(src, tag));
				goto fail;
			}
			*pp = p;
			*out = head;
			return WY_OK;
		}
		node *n = wy_xcalloc(1, sizeof *n);
		n->text = name;
		n->kind = raw ? N_RAW : sigil == '#' ? N_SECTION : sigil == '^' ? N_INVERTED : N_VAR;
		*tail = n;
		tail = &n->next;
		if (n->kind == N_SECTION || n->kind == N_INVERTED) {
			if ((rc = parse_block(src, &p, end, name, depth + 1, &n->child, ei)))
				goto fail;
		}
	}
	if (open) {
		rc = wy_err_set(ei, WY_EINVAL, "template: section '%.40s' is not closed", open);
		goto fail;
	}
	*pp = p;
	*out = head;
	return WY_OK;
fail:
	free_nodes(head);
	return rc;
}

int wy_template_parse(const char *src, size_t len, wy_template **out, wy_errinfo *ei)
{
	const char *p = src;
	node *root = NULL;
	int rc = parse_block(src, &p, src + len, NULL, 0, &root, ei);
	if (rc)
		return rc;
	*out = wy_xcalloc(1, sizeof **out);
	(*out)->root = root;
	return WY_OK;
}

int wy_template_load(const char *path, wy_template **out, wy_errinfo *ei)
{
	wy_buf b;
	int rc = wy_file_read(path, 1u << 20, &b);
	if (rc)
		return wy_err_set(ei, rc, "template: cannot read %s", path);
	rc = wy_template_parse(b.data, b.len, out, ei);
	wy_buf_free(&b);
	return rc;
}

int wy_html_escape(wy_buf *out, const char *s)
{
	int rc = WY_OK;
	const char *run = s;
	for (; *s && !rc; s++) {
		const char *e = NULL;
		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		if (e) {
			rc = wy_buf_append(out, run, (size_t)(s - run));
			if (!rc)
				rc = wy_buf_puts(out, e);
			run = s + 1;
		}
	}
	return rc ? rc : wy_buf_append(out, run, (size_t)(s - run));
}

/* Look a dotted name up from the innermost context outwards. */
static json_t *lookup(json_t **stack, int depth, const char *name)
{
	if (strcmp(name, ".") == 0)
		return stack[depth - 1];
	char first[128];
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	if (n >= sizeof first)
		return NULL;
	memcpy(first, name, n);
	first[n] = 0;
	json_t *v = NULL;
	for (int i = depth - 1; i >= 0 && !v; i--)
		if (json_is_object(stack[i]))
			v = json_object_get(stack[i], first);
	while (v && dot) {
		const char *next = strchr(dot + 1, '.');
		size_t k = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
		if (k >= sizeof first || !json_is_object(v))
			return NULL;
		memcpy(first, dot + 1, k);
		first[k] = 0;
		v = json_object_get(v, first);
		dot = next;
	}
	return v;
}

static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_real(v))
		return json_real_value(v) != 0;
	return true;
}

static int put_value(wy_buf *out, json_t *v, bool escape)
{
	char num[64];
	const char *s = NULL;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v))
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), s = num;
	else if (json_is_real(v))
		snprintf(num, sizeof num, "%g", json_real_value(v)), s = num;
	else if (json_is_true(v))
		s = "true";
	if (!s)
		return WY_OK;
	return escape ? wy_html_escape(out, s) : wy_buf_puts(out, s);
}

/* A translated string with its {name} placeholders filled in from the
 * context, values always escaped; the string's own text escaped too unless
 * the template asked for it raw (a translation that carries markup). A "{"
 * that does not open a placeholder is written as it is: catalogs are
 * checked by msgfmt, not by us, and must never make a render fail. */
static int put_translation(wy_buf *out, const char *s, json_t **stack, int depth, bool escape)
{
	int rc = WY_OK;
	while (*s && !rc) {
		const char *open = strchr(s, '{');
		const char *text_end = open ? open : s + strlen(s);
		if (text_end > s) {
			char *chunk = wy_xstrndup(s, (size_t)(text_end - s));
			rc = escape ? wy_html_escape(out, chunk) : wy_buf_puts(out, chunk);
			free(chunk);
		}
		if (!open || rc)
			break;
		const char *r = strchr(open + 1, '}');
		char name[128];
		size_t n = r ? (size_t)(r - open - 1) : 0;
		if (r && n < sizeof name) {
			memcpy(name, open + 1, n);
			name[n] = 0;
		}
		if (r && n < sizeof name && valid_name(name)) {
			rc = put_value(out, lookup(stack, depth, name), true);
			s = r + 1;
		} else {
			rc = wy_buf_putc(out, '{');
			s = open + 1;
		}
	}
	return rc;
}

/* Sections over arrays multiply: sixteen nested sections over an array of
 * eight are 8^16 passes that write nothing (so the output cap never stops
 * them). Every node visited costs one unit of a render's budget. */
#define RENDER_BUDGET 5000000L

static int render(const node *n, json_t **stack, int depth, const char *lang, wy_buf *out, long *budget)
{
	int rc = WY_OK;
	for (; n && !rc; n = n->next) {
		json_t *v;
		if (--*budget < 0)
			return WY_ETOOBIG;
		switch (n->kind) {
		case N_TEXT:
			rc = wy_buf_append(out, n->text, n->len);
			break;
		case N_TR:
		case N_TR_RAW:
			rc = put_translation(out, wy_i18n_tr(lang, n->text), stack, depth, n->kind == N_TR);
			break;
		case N_VAR:
		case N_RAW:
			rc = put_value(out, lookup(stack, depth, n->text), n->kind == N_VAR);
			break;
		case N_INVERTED:
			if (!truthy(lookup(stack, depth, n->text)))
				rc = render(n->child, stack, depth, lang, out, budget);
			break;
		case N_SECTION:
			v = lookup(stack, depth, n->text);
			if (!truthy(v))
				break;
			if (depth >= MAX_DEPTH + 1) /* sections are nested at most MAX_DEPTH deep */
				return WY_EINVAL;
			if (json_is_array(v)) {
				size_t i;
				json_t *e;
				json_array_foreach(v, i, e)
				{
					stack[depth] = e;
					if ((rc = render(n->child, stack, depth + 1, lang, out, budget)))
						break;
				}
			} else {
				stack[depth] = json_is_object(v) ? v : stack[depth - 1];
				rc = render(n->child, stack, depth + 1, lang, out, budget);
			}
			break;
		}
	}
	return rc;
}

int wy_template_render_lang(const wy_template *t, json_t *ctx, const char *lang, wy_buf *out)
{
	json_t *stack[MAX_DEPTH + 2];
	stack[0] = ctx;
	long budget = RENDER_BUDGET;
	return render(t->root, stack, 1, lang, out, &budget);
}

int wy_template_render(const wy_template *t, json_t *ctx, wy_buf *out)
{
	return wy_template_render_lang(t, ctx, NULL, out);
}

static void each_msgid(const node *n, void (*fn)(const char *msgid, void *arg), void *arg)
{
	for (; n; n = n->next) {
		if (n->kind == N_TR || n->kind == N_TR_RAW)
			fn(n->text, arg);
		each_msgid(n->child, fn, arg);
	}
}

void wy_template_each_msgid(const wy_template *t, void (*fn)(const char *msgid, void *arg), void *arg)
{
	if (t)
		each_msgid(t->root, fn, arg);
}

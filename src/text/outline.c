/* outline: bounds, cleaning and the worker's record for a document's
 * outline (outline.h). */
#include "text/outline.h"

#include "core/err.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t wy_outline_clean_title(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || s[i] == '\f' || s[i] == '\v')
			s[i] = ' ';
	n = wy_utf8_valid_prefix(s, n);
	s[n] = 0;
	n = wy_utf8_drop_hidden(s, n);
	/* fold runs of spaces, trim both ends */
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && (o == 0 || s[o - 1] == ' '))
			continue;
		s[o++] = s[i];
	}
	while (o && s[o - 1] == ' ')
		o--;
	o = wy_utf8_truncate(s, o, WY_OUTLINE_TITLE_MAX);
	while (o && s[o - 1] == ' ')
		o--;
	s[o] = 0;
	return o;
}

bool wy_outline_add(wy_outline *o, const char *title, int page, int depth)
{
	if (o->n >= WY_OUTLINE_MAX || !title || page < 1 || depth < 0 || depth > WY_OUTLINE_DEPTH_MAX)
		return false;
	/* a title longer than a page of text is cut here first: the cleaning
	 * keeps at most WY_OUTLINE_TITLE_MAX bytes of it anyway */
	size_t n = strnlen(title, 4 * WY_OUTLINE_TITLE_MAX);
	char *t = wy_xstrndup(title, n);
	if (!wy_outline_clean_title(t, n)) {
		free(t);
		return false;
	}
	if (o->n == 0 || (o->n & (o->n - 1)) == 0)
		o->items = wy_xrealloc(o->items, (size_t)(o->n ? 2 * o->n : 1) * sizeof *o->items);
	o->items[o->n++] = (wy_outline_item){.title = t, .page = page, .depth = depth};
	return true;
}

void wy_outline_free(wy_outline *o)
{
	for (int i = 0; i < o->n; i++)
		free(o->items[i].title);
	free(o->items);
	o->items = NULL;
	o->n = 0;
}

void wy_outline_encode(const wy_outline *o, wy_buf *out)
{
	for (int i = 0; i < o->n; i++)
		wy_buf_printf(out, "%d %d %s\n", o->items[i].page, o->items[i].depth, o->items[i].title);
}

/* A decimal number of at most 9 digits at *p (before end), followed by a
 * space; -1 when there is none. */
static int number(const char **p, const char *end)
{
	int v = 0, k = 0;
	while (*p < end && **p >= '0' && **p <= '9' && k < 9) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	if (!k || *p >= end || **p != ' ')
		return -1;
	(*p)++;
	return v;
}

int wy_outline_decode(const char *p, size_t n, int npages, wy_outline *out)
{
	wy_outline_free(out);
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			goto bad;
		int page = number(&p, nl), depth = page < 0 ? -1 : number(&p, nl);
		size_t len = (size_t)(nl - p);
		if (page < 1 || page > npages || depth < 0 || depth > WY_OUTLINE_DEPTH_MAX || len == 0 ||
		    len > WY_OUTLINE_TITLE_MAX || out->n >= WY_OUTLINE_MAX || memchr(p, 0, len))
			goto bad;
		/* clean already: cleaning changes nothing */
		char *t = wy_xstrndup(p, len);
		bool clean = wy_outline_clean_title(t, len) == len && !memcmp(t, p, len);
		bool added = clean && wy_outline_add(out, t, page, depth);
		free(t);
		if (!added)
			goto bad;
		p = nl + 1;
	}
	return WY_OK;
bad:
	wy_outline_free(out);
	return WY_EINVAL;
}

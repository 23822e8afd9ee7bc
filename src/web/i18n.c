/* i18n: a reader of GNU .mo catalogs and the choice of a request's language.
 *
 * A .mo file (GNU gettext manual, "The Format of GNU MO Files") is a header
 * of seven 32-bit words in the writer's byte order (magic 0x950412de tells
 * which), then two tables of N (length, offset) pairs, for the msgids and
 * for their translations, pointing at NUL-terminated strings. msgfmt sorts
 * the msgids, so a lookup is a binary search; we sort them ourselves when a
 * file is not sorted rather than trust it. The optional hash table is
 * bounds-checked but not used. Everything a lookup returns points into the
 * file's bytes, which stay in memory, unchanged, until the next load. */
#include "web/i18n.h"

#include "core/util.h"
#include "text/utf8.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MO_MAGIC 0x950412deu
#define MAX_FILE (16u << 20)
#define MAX_LANGS 16

typedef struct entry {
	const char *id;  /* the msgid (for a plural entry: its singular) */
	const char *str; /* the translation (for a plural entry: its first form) */
} entry;

typedef struct catalog {
	char code[4]; /* "en" */
	char *data;   /* the whole file, NUL-terminated one past its end */
	entry *e;     /* sorted by id, strcmp order */
	size_t n;
} catalog;

/* The one Chinese code, so codes compare by pointer. */
static const char zh_code[] = WY_I18N_DEFAULT;

/* Written only by load/unload, which run before request threads start. */
static catalog cats[MAX_LANGS];
static int ncats;

static void catalog_clear(catalog *c)
{
	free(c->data);
	free(c->e);
	memset(c, 0, sizeof *c);
}

static uint32_t rd32(const unsigned char *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->id, ((const entry *)b)->id);
}

/* A table of n (length, offset) pairs at off lies inside the file. */
static bool table_ok(size_t size, uint32_t off, uint32_t n)
{
	return off <= size && n <= (size - off) / 8;
}

/* The string of table entry i: inside the file, NUL-terminated where the
 * table says it ends, and valid UTF-8. NULL otherwise. */
static const char *string_at(const unsigned char *d, size_t size, bool big, uint32_t table, uint32_t i)
{
	uint32_t len = rd32(d + table + 8 * (size_t)i, big), off = rd32(d + table + 8 * (size_t)i + 4, big);
	if (off >= size || len >= size - off || d[(size_t)off + len] != 0)
		return NULL;
	if (!wy_utf8_valid((const char *)d + off, len))
		return NULL;
	return (const char *)d + off;
}

/* The header entry (msgid "") may name a charset; strings reach HTML as
 * they are, so anything but UTF-8 is refused. */
static bool charset_ok(const char *header)
{
	const char *cs = strstr(header, "charset=");
	if (!cs)
		return true;
	cs += 8;
	size_t n = strcspn(cs, " \t\r\n;");
	return (n == 5 && strncasecmp(cs, "UTF-8", 5) == 0) || (n == 4 && strncasecmp(cs, "UTF8", 4) == 0);
}

/* Parse a catalog read into data (size bytes, taken on success). */
static int mo_parse(const char *name, char *data, size_t size, catalog *out, wy_errinfo *ei)
{
	const unsigned char *d = (const unsigned char *)data;
	if (size < 28)
		return wy_err_set(ei, WY_ECORRUPT, "%s: too short for a gettext catalog", name);
	bool big;
	if (rd32(d, false) == MO_MAGIC)
		big = false;
	else if (rd32(d, true) == MO_MAGIC)
		big = true;
	else
		return wy_err_set(ei, WY_ECORRUPT, "%s: not a gettext catalog (bad magic)", name);
	uint32_t rev = rd32(d + 4, big), n = rd32(d + 8, big), orig = rd32(d + 12, big), trans = rd32(d + 16, big),
		 hsize = rd32(d + 20, big), hoff = rd32(d + 24, big);
	if (rev >> 16 > 1)
		return wy_err_set(ei, WY_ECORRUPT, "%s: unknown catalog revision %u", name, (unsigned)(rev >> 16));
	if (!table_ok(size, orig, n) || !table_ok(size, trans, n))
		return wy_err_set(ei, WY_ECORRUPT, "%s: string tables outside the file (damaged?)", name);
	if (hsize && (hoff > size || hsize > (size - hoff) / 4))
		return wy_err_set(ei, WY_ECORRUPT, "%s: hash table outside the file (damaged?)", name);
	entry *e = n ? wy_xcalloc(n, sizeof *e) : NULL;
	size_t k = 0;
	bool sorted = true;
	for (uint32_t i = 0; i < n; i++) {
		const char *id = string_at(d, size, big, orig, i), *str = string_at(d, size, big, trans, i);
		if (!id || !str) {
			free(e);
			return wy_err_set(ei, WY_ECORRUPT, "%s: string %u is outside the file or not UTF-8 (damaged?)",
					  name, (unsigned)i);
		}
		if (!*id) {
			if (!charset_ok(str)) {
				free(e);
				return wy_err_set(ei, WY_ECORRUPT, "%s: the catalog is not in UTF-8", name);
			}
			continue;
		}
		if (!*str) /* untranslated: the msgid will do */
			continue;
		if (k && strcmp(e[k - 1].id, id) > 0)
			sorted = false;
		e[k].id = id;
		e[k].str = str;
		k++;
	}
	if (!sorted)
		qsort(e, k, sizeof *e, cmp_entry);
	out->data = data;
	out->e = e;
	out->n = k;
	return WY_OK;
}

/* "en.mo" -> "en"; false for any other name. */
static bool catalog_name(const char *name, char code[4])
{
	size_t n = 0;
	while (name[n] >= 'a' && name[n] <= 'z' && n < 4)
		n++;
	if (n < 2 || n > 3 || strcmp(name + n, ".mo") != 0)
		return false;
	memcpy(code, name, n);
	code[n] = 0;
	return true;
}

static int cmp_catalog(const void *a, const void *b)
{
	return strcmp(((const catalog *)a)->code, ((const catalog *)b)->code);
}

int wy_i18n_load(const char *dir, wy_errinfo *ei)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return wy_err_set(ei, WY_ENOTFOUND, "i18n: cannot open the catalog directory %s", dir);
	catalog fresh[MAX_LANGS];
	int nfresh = 0, rc = WY_OK;
	memset(fresh, 0, sizeof fresh);
	struct dirent *de;
	while (!rc && (de = readdir(dh))) {
		char code[4];
		if (!catalog_name(de->d_name, code))
			continue;
		if (nfresh == MAX_LANGS) {
			rc = wy_err_set(ei, WY_ETOOBIG, "i18n: more than %d catalogs in %s", MAX_LANGS, dir);
			break;
		}
		char *path = wy_xasprintf("%s/%s", dir, de->d_name);
		wy_buf b;
		rc = wy_file_read(path, MAX_FILE, &b);
		if (rc) {
			rc = wy_err_set(ei, rc, "i18n: cannot read %s%s", path, rc == WY_ETOOBIG ? " (over 16 MiB)" : "");
		} else {
			size_t size = b.len;
			char *data = wy_buf_steal(&b); /* NUL-terminated past size */
			rc = mo_parse(path, data, size, &fresh[nfresh], ei);
			if (rc)
				free(data);
			else
				memcpy(fresh[nfresh++].code, code, sizeof code);
		}
		free(path);
	}
	closedir(dh);
	if (rc) {
		for (int i = 0; i < nfresh; i++)
			catalog_clear(&fresh[i]);
		return rc;
	}
	qsort(fresh, (size_t)nfresh, sizeof fresh[0], cmp_catalog);
	wy_i18n_unload();
	memcpy(cats, fresh, sizeof fresh);
	ncats = nfresh;
	return WY_OK;
}

void wy_i18n_unload(void)
{
	for (int i = 0; i < ncats; i++)
		catalog_clear(&cats[i]);
	ncats = 0;
}

const char *wy_i18n_language(int i)
{
	return i >= 0 && i < ncats ? cats[i].code : NULL;
}

static const catalog *find_catalog(const char *lang)
{
	for (int i = 0; lang && i < ncats; i++)
		if (strcmp(cats[i].code, lang) == 0)
			return &cats[i];
	return NULL;
}

const char *wy_i18n_lookup(const char *lang, const char *msgid)
{
	const catalog *c = find_catalog(lang);
	if (!c || !msgid || !*msgid)
		return NULL;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->e[mid].id, msgid);
		if (r == 0)
			return c->e[mid].str;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *wy_i18n_tr(const char *lang, const char *msgid)
{
	const char *s = wy_i18n_lookup(lang, msgid);
	return s ? s : msgid;
}

const char *wy_i18n_html_lang(const char *lang)
{
	return !lang || strcmp(lang, zh_code) == 0 ? "zh-CN" : lang;
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* The supported language whose code is the primary subtag of [s, s+n)
 * (RFC 5646: 1*8ALPHA *("-" 1*8alphanum); "_" is taken for "-" since
 * people write en_US), or NULL. */
static const char *match_range(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_alpha(s[i]))
		i++;
	size_t primary = i;
	if (primary < 1 || primary > 8)
		return NULL;
	while (i < n) {
		if (s[i] != '-' && s[i] != '_')
			return NULL;
		size_t start = ++i;
		while (i < n && is_alnum(s[i]))
			i++;
		if (i - start < 1 || i - start > 8)
			return NULL;
	}
	if (primary == 2 && strncasecmp(s, "zh", 2) == 0)
		return zh_code;
	for (int k = 0; k < ncats; k++)
		if (strlen(cats[k].code) == primary && strncasecmp(cats[k].code, s, primary) == 0)
			return cats[k].code;
	return NULL;
}

const char *wy_i18n_supported(const char *tag)
{
	if (!tag)
		return NULL;
	size_t n = strnlen(tag, 65);
	return n <= 64 ? match_range(tag, n) : NULL;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as 0..1000.
 * -1 when [p, end) is not one. */
static int parse_q(const char *p, const char *end)
{
	if (p >= end || (*p != '0' && *p != '1'))
		return -1;
	int q = (*p - '0') * 1000;
	p++;
	if (p < end && *p == '.') {
		p++;
		int scale = 100, digits = 0;
		for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits == 3)
				return -1;
			q += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return p == end && q <= 1000 ? q : -1;
}

/* One element of Accept-Language, [p, end): its range and q. False when
 * it is not well formed. */
static bool parse_element(const char *p, const char *end, const char **range, size_t *rlen, int *q)
{
	p = skip_ows(p, end);
	const char *r = p;
	while (p < end && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	if (p == r)
		return false;
	*range = r;
	*rlen = (size_t)(p - r);
	*q = 1000;
	for (;;) {
		p = skip_ows(p, end);
		if (p == end)
			return true;
		if (*p != ';')
			return false;
		p = skip_ows(p + 1, end);
		const char *name = p;
		while (p < end && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		if (p == end || *p != '=' || p == name)
			return false;
		bool is_q = p - name == 1 && (*name == 'q' || *name == 'Q');
		const char *val = ++p;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		if (is_q) {
			if ((*q = parse_q(val, p)) < 0)
				return false;
		}
	}
}

static const char *pick_accept(const char *h)
{
	/* [0] is Chinese, then every other loaded language */
	const char *codes[MAX_LANGS + 1];
	int q[MAX_LANGS + 1], pos[MAX_LANGS + 1], n = 0;
	codes[n++] = zh_code;
	for (int k = 0; k < ncats; k++)
		if (strcmp(cats[k].code, zh_code) != 0)
			codes[n++] = cats[k].code;
	for (int i = 0; i < n; i++)
		q[i] = pos[i] = -1;
	int star_q = -1, star_pos = -1, at = 0;
	for (const char *p = h; *p; at++) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *range;
		size_t rlen;
		int eq;
		if (parse_element(p, end, &range, &rlen, &eq)) {
			if (rlen == 1 && *range == '*') {
				if (eq > star_q)
					star_q = eq, star_pos = at;
			} else {
				const char *lang = match_range(range, rlen);
				for (int i = 0; lang && i < n; i++)
					if (codes[i] == lang && eq > q[i])
						q[i] = eq, pos[i] = at;
			}
		}
		p = *end ? end + 1 : end;
	}
	int best = -1, best_q = 0, best_pos = 0;
	for (int i = 0; i < n; i++) {
		int qi = q[i] >= 0 ? q[i] : star_q, pi = q[i] >= 0 ? pos[i] : star_pos;
		if (qi > best_q || (qi == best_q && qi > 0 && pi < best_pos))
			best = i, best_q = qi, best_pos = pi;
	}
	return best >= 0 ? codes[best] : zh_code;
}

const char *wy_i18n_pick(const char *query_lang, const char *cookie_lang, const char *accept_language)
{
	const char *lang = wy_i18n_supported(query_lang);
	if (!lang)
		lang = wy_i18n_supported(cookie_lang);
	if (!lang && accept_language)
		lang = pick_accept(accept_language);
	return lang ? lang : zh_code;
}

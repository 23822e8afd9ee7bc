/* ofd: a reader of OFD packages (GB/T 33190) that draws through MuPDF's
 * device interface, so an OFD page becomes a display list and structured
 * text like a PDF page. See ofd.h for the contract and
 * docs/internals/convert.md for what is drawn and what is left out.
 *
 * Units: OFD measures in millimetres with y growing down; a page is run
 * with a scale of 72/25.4 so MuPDF sees points. Text is shown glyph by
 * glyph at the positions the package gives (TextCode X/Y, DeltaX/DeltaY),
 * with the Unicode of each character, so MuPDF's text extraction gives the
 * text and its boxes. It must never read outside the archive, never
 * recurse without a bound, and never trust a number from the package. */
#include "convert/ofd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MM_TO_PT (72.0f / 25.4f)
#define MAX_XML_BYTES (32u << 20)    /* one XML part */
#define MAX_FILE_BYTES (64u << 20)   /* one font or image */
#define MAX_READ_TOTAL (1024u << 20) /* everything read from one package */
#define MAX_PAGES 100000
#define MAX_PARTS 200000      /* entries of the archive */
#define MAX_RES 100000
#define MAX_DEPTH 32          /* nested blocks, composite objects */
#define MAX_OPS 500000        /* objects drawn on one page */
#define MAX_GLYPHS 200000     /* characters of one text object */
#define MAX_SEAL_DEPTH 1      /* a seal that is an OFD draws no seals */
#define MAX_STAMPS 32         /* seals drawn on one page */

/* The bodies of fz_try blocks are kept in functions of their own that are
 * not inlined: setjmp leaves the locals of the function that called it
 * undefined after a longjmp, and a small try block has few of them. */
#define NOINLINE __attribute__((noinline))

enum { RES_FONT, RES_MEDIA, RES_DRAWPARAM, RES_COMPOSITE, RES_COLORSPACE };

typedef struct ofd_res {
	int id, kind;
	fz_xml *node;  /* borrowed from one of the document's XML trees */
	char *dir;     /* where the resource's files are (ends in '/', or "") */
	fz_font *font;
	fz_image *image;
	int failed;    /* loading the font or image failed once: do not retry */
} ofd_res;

typedef struct ofd_pageref {
	int id;
	char *path;
} ofd_pageref;

typedef struct ofd_tpl {
	int id;
	char *path;
	int foreground;
	fz_xml *xml;   /* loaded on first use */
	int failed;
} ofd_tpl;

typedef struct ofd_entry {
	char *norm;  /* the name with backslashes as '/' */
	char *raw;   /* as the archive spells it, to open it */
} ofd_entry;

typedef struct ofd_doc {
	fz_document super;
	fz_archive *zip;
	int depth;           /* 0, or how deep a seal's OFD sits */
	ofd_entry *names;    /* archive entries, sorted ignoring case */
	int nnames;
	fz_xml **xmls;       /* parsed parts the resources point into */
	int nxmls, capxmls;
	fz_xml *ofd_xml, *doc_xml;
	char *docdir;        /* directory of Document.xml, ends in '/' or "" */
	fz_rect box;         /* default PhysicalBox, mm */
	ofd_pageref *pages;
	int npages;
	ofd_tpl *tpls;
	int ntpls;
	ofd_res *res;
	int nres, capres;
	char *annots_path;   /* Annotations.xml, or NULL */
	fz_xml *annots_xml;
	int annots_failed;
	char *sigs_path;     /* Signatures.xml, or NULL */
	size_t read_total;
	fz_font *stand_in[4][2]; /* CJK, Courier, Times, Helvetica; regular, bold */
} ofd_doc;

typedef struct ofd_page {
	fz_page super;
	fz_xml *xml;
	int id;
	fz_rect box;  /* PhysicalBox, mm */
} ofd_page;

typedef struct drawer {
	ofd_doc *doc;
	fz_device *dev;
	long ops;
	int stopped;
	int stamps;  /* seals drawn on the page */
} drawer;

/* ---- small parsers -------------------------------------------------- */

/* The tag without its namespace prefix ("ofd:Page" → "Page"); NULL for text. */
static const char *local(fz_xml *x)
{
	const char *t = x ? fz_xml_tag(x) : NULL;
	if (!t)
		return NULL;
	const char *c = strrchr(t, ':');
	return c ? c + 1 : t;
}

static int is(fz_xml *x, const char *name)
{
	const char *t = local(x);
	return t && !strcmp(t, name);
}

/* The first element child named name (any namespace), or NULL. */
NOINLINE static fz_xml *child(fz_xml *x, const char *name)
{
	for (fz_xml *c = x ? fz_xml_down(x) : NULL; c; c = fz_xml_next(c))
		if (is(c, name))
			return c;
	return NULL;
}

static fz_xml *next_named(fz_xml *x, const char *name)
{
	for (x = x ? fz_xml_next(x) : NULL; x; x = fz_xml_next(x))
		if (is(x, name))
			return x;
	return NULL;
}

/* The text of an element: its text children joined (the parser may split
 * text at entities). Into buf, cut at cap. */
static const char *text_of(fz_xml *x, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (fz_xml *c = x ? fz_xml_down(x) : NULL; c; c = fz_xml_next(c)) {
		const char *t = fz_xml_text(c);
		if (!t)
			continue;
		size_t k = strlen(t);
		if (k > cap - 1 - n)
			k = cap - 1 - n;
		memcpy(buf + n, t, k);
		n += k;
		buf[n] = 0;
	}
	/* trim */
	char *s = buf;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		s[--len] = 0;
	return s;
}

/* The whole text of an element, borrowed when it is one text node (the
 * common case), else joined into a new string left in *tofree. */
static const char *text_ref(fz_context *ctx, fz_xml *x, char **tofree)
{
	*tofree = NULL;
	fz_xml *c = x ? fz_xml_down(x) : NULL;
	if (!c)
		return "";
	if (!fz_xml_next(c) && fz_xml_text(c))
		return fz_xml_text(c);
	size_t n = 0;
	for (fz_xml *t = c; t; t = fz_xml_next(t))
		n += fz_xml_text(t) ? strlen(fz_xml_text(t)) : 0;
	char *s = *tofree = fz_malloc(ctx, n + 1);
	n = 0;
	for (fz_xml *t = c; t; t = fz_xml_next(t))
		if (fz_xml_text(t)) {
			size_t k = strlen(fz_xml_text(t));
			memcpy(s + n, fz_xml_text(t), k);
			n += k;
		}
	s[n] = 0;
	return s;
}

/* A finite number of sane size, or def. */
static NOINLINE float num(const char *s, float def)
{
	if (!s)
		return def;
	char *end;
	float f = strtof(s, &end);
	if (end == s || !isfinite(f) || f > 1e7f || f < -1e7f)
		return def;
	return f;
}

static int att_int(fz_xml *x, const char *name, int def)
{
	const char *s = fz_xml_att(x, name);
	if (!s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v < -1000000000L || v > 1000000000L)
		return def;
	return (int)v;
}

static int att_bool(fz_xml *x, const char *name, int def)
{
	const char *s = fz_xml_att(x, name);
	if (!s)
		return def;
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return def;
}

/* Up to max numbers of s into out; returns how many. Stops at the first
 * thing that is not a number. */
static int nums(const char *s, float *out, int max)
{
	int n = 0;
	while (s && *s && n < max) {
		char *end;
		float f = strtof(s, &end);
		if (end == s)
			break;
		out[n++] = isfinite(f) && f < 1e7f && f > -1e7f ? f : 0;
		s = end;
	}
	return n;
}

static int rect_att(fz_xml *x, const char *name, fz_rect *r)
{
	float v[4];
	if (!x || nums(fz_xml_att(x, name), v, 4) != 4)
		return 0;
	*r = fz_make_rect(v[0], v[1], v[0] + v[2], v[1] + v[3]);
	return 1;
}

static int rect_text(fz_xml *x, fz_rect *r)
{
	char buf[256];
	float v[4];
	if (!x || nums(text_of(x, buf, sizeof buf), v, 4) != 4 || !(v[2] > 0) || !(v[3] > 0) || v[2] > 10000 ||
	    v[3] > 10000)
		return 0;
	*r = fz_make_rect(v[0], v[1], v[0] + v[2], v[1] + v[3]);
	return 1;
}

static fz_matrix ctm_att(fz_xml *x)
{
	float v[6];
	if (nums(fz_xml_att(x, "CTM"), v, 6) != 6)
		return fz_identity;
	return fz_make_matrix(v[0], v[1], v[2], v[3], v[4], v[5]);
}

/* A DeltaX/DeltaY list with OFD's "g N v" repeats expanded, at most max
 * values, into a new array the caller frees; *n gets the count. */
static float *deltas(fz_context *ctx, const char *s, int max, int *n)
{
	*n = 0;
	if (!s || max <= 0)
		return NULL;
	float *d = fz_malloc_array(ctx, max, float);
	while (*s && *n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (*s == 'g') {
			char *end;
			long rep = strtol(s + 1, &end, 10);
			if (end == s + 1)
				break;
			s = end;
			float v = strtof(s, &end);
			if (end == s)
				break;
			s = end;
			if (!isfinite(v) || v > 1e7f || v < -1e7f)
				v = 0;
			for (long i = 0; i < rep && *n < max; i++)
				d[(*n)++] = v;
			continue;
		}
		char *end;
		float v = strtof(s, &end);
		if (end == s)
			break;
		s = end;
		d[(*n)++] = isfinite(v) && v < 1e7f && v > -1e7f ? v : 0;
	}
	return d;
}

/* ---- the archive ---------------------------------------------------- */

/* Join base (a directory ending in '/', or "") and name, resolve "." and
 * "..", and return a new string; NULL when the name climbs out of the
 * package. A name starting with '/' starts at the package root. */
static char *join(fz_context *ctx, const char *base, const char *name)
{
	if (!name)
		return NULL;
	size_t bl = name[0] == '/' || name[0] == '\\' ? 0 : strlen(base), nl = strlen(name);
	char *in = fz_malloc(ctx, bl + nl + 1);
	memcpy(in, base, bl);
	memcpy(in + bl, name, nl + 1);
	for (char *p = in; *p; p++)
		if (*p == '\\')
			*p = '/';
	char *out = fz_malloc(ctx, bl + nl + 1);
	size_t o = 0;
	const char *p = in;
	int escaped = 0;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == 0)
			break;
		if (k == 1 && p[0] == '.') {
			/* nothing */
		} else if (k == 2 && p[0] == '.' && p[1] == '.') {
			if (o == 0) {
				escaped = 1;
				break;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the dropped segment */
		} else {
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, k);
			o += k;
		}
		p += k;
	}
	out[o] = 0;
	fz_free(ctx, in);
	if (escaped || o == 0) {
		fz_free(ctx, out);
		return NULL;
	}
	return out;
}

/* The directory part of a path, with its '/', as a new string. */
static char *dirname_of(fz_context *ctx, const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n = s ? (size_t)(s - path + 1) : 0;
	char *d = fz_malloc(ctx, n + 1);
	memcpy(d, path, n);
	d[n] = 0;
	return d;
}

/* The entry name for path: as given, else the one that matches ignoring
 * case (producers write DOC_0 for Doc_0), else the only entry with the same
 * file name in another directory (a wrong BaseLoc). NULL when none. */
static int entry_cmp(const void *a, const void *b)
{
	return fz_strcasecmp(((const ofd_entry *)a)->norm, ((const ofd_entry *)b)->norm);
}

static const char *find_entry(fz_context *ctx, ofd_doc *doc, const char *path)
{
	(void)ctx;
	if (!path || !doc->nnames)
		return NULL;
	/* binary search ignoring case, then the exact spelling among equals */
	int lo = 0, hi = doc->nnames;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (fz_strcasecmp(doc->names[mid].norm, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const ofd_entry *first = NULL;
	for (int i = lo; i < doc->nnames && !fz_strcasecmp(doc->names[i].norm, path); i++) {
		if (!strcmp(doc->names[i].norm, path))
			return doc->names[i].raw;
		if (!first)
			first = &doc->names[i];
	}
	if (first)
		return first->raw;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *found = NULL;
	for (int i = 0; i < doc->nnames; i++) {
		const char *b = strrchr(doc->names[i].norm, '/');
		b = b ? b + 1 : doc->names[i].norm;
		if (!fz_strcasecmp(b, base)) {
			if (found)
				return NULL; /* two candidates: guess neither */
			found = doc->names[i].raw;
		}
	}
	return found;
}

/* Read a part of the package, at most cap bytes. Throws when it is missing
 * or too big. */
static fz_buffer *read_part(fz_context *ctx, ofd_doc *doc, const char *path, size_t cap)
{
	const char *name = find_entry(ctx, doc, path);
	if (!name)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD part %s is missing", path ? path : "(unnamed)");
	if (doc->read_total >= MAX_READ_TOTAL)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD package reads more than %u MB", MAX_READ_TOTAL >> 20);
	fz_stream *stm = fz_open_archive_entry(ctx, doc->zip, name);
	fz_buffer *buf = NULL;
	fz_try(ctx)
	{
		/* read in steps, so a deflate bomb stops at the cap (the
		 * buffer doubles: at most twice the cap is held) */
		buf = fz_new_buffer(ctx, 16384);
		for (;;) {
			if (buf->len == buf->cap)
				fz_grow_buffer(ctx, buf);
			size_t n = fz_read(ctx, stm, buf->data + buf->len, buf->cap - buf->len);
			if (n == 0)
				break;
			buf->len += n;
			if (buf->len > cap)
				fz_throw(ctx, FZ_ERROR_GENERIC, "OFD part %s is larger than %zu MB", name, cap >> 20);
		}
		doc->read_total += buf->len;
	}
	fz_always(ctx) fz_drop_stream(ctx, stm);
	fz_catch(ctx)
	{
		fz_drop_buffer(ctx, buf);
		fz_rethrow(ctx);
	}
	return buf;
}

/* Parse an XML part; the tree is the caller's (fz_drop_xml). */
static fz_xml *load_xml(fz_context *ctx, ofd_doc *doc, const char *path)
{
	fz_buffer *buf = read_part(ctx, doc, path, MAX_XML_BYTES);
	fz_xml *x = NULL;
	fz_try(ctx) x = fz_parse_xml(ctx, buf, 1);
	fz_always(ctx) fz_drop_buffer(ctx, buf);
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		/* the parser's message names no part: say which (copied
		 * first: fz_throw formats into the buffer it lives in) */
		char why[200];
		fz_strlcpy(why, fz_caught_message(ctx), sizeof why);
		fz_throw(ctx, FZ_ERROR_GENERIC, "%s is not XML: %s", path, why);
	}
	return x;
}

/* Keep a tree for the document's lifetime (resources point into it). */
static void hold_xml(fz_context *ctx, ofd_doc *doc, fz_xml *x)
{
	if (doc->nxmls == doc->capxmls) {
		int cap = doc->capxmls ? doc->capxmls * 2 : 8;
		doc->xmls = fz_realloc_array(ctx, doc->xmls, cap, fz_xml *);
		doc->capxmls = cap;
	}
	doc->xmls[doc->nxmls++] = x;
}

/* ---- resources ------------------------------------------------------ */

static void add_res(fz_context *ctx, ofd_doc *doc, int kind, fz_xml *node, const char *dir)
{
	int id = att_int(node, "ID", -1);
	if (id < 0 || doc->nres >= MAX_RES)
		return;
	if (doc->nres == doc->capres) {
		int cap = doc->capres ? doc->capres * 2 : 32;
		doc->res = fz_realloc_array(ctx, doc->res, cap, ofd_res);
		doc->capres = cap;
	}
	ofd_res *r = &doc->res[doc->nres];
	memset(r, 0, sizeof *r);
	r->id = id;
	r->kind = kind;
	r->node = node;
	r->dir = fz_strdup(ctx, dir);
	doc->nres++;
}

/* Read a resource file (PublicRes, DocumentRes, PageRes): its fonts,
 * images, draw parameters and composite units. A missing or broken one is
 * skipped with a warning: pages draw without it. */
static void load_res_file(fz_context *ctx, ofd_doc *doc, const char *path)
{
	fz_xml *x = NULL;
	char *dir = NULL, *base = NULL;
	fz_var(x);
	fz_var(dir);
	fz_var(base);
	fz_try(ctx)
	{
		x = load_xml(ctx, doc, path);
		hold_xml(ctx, doc, x);
		fz_xml *root = fz_xml_root(x);
		x = NULL; /* the document's now */
		dir = dirname_of(ctx, path);
		const char *bl = fz_xml_att(root, "BaseLoc");
		char *b = bl && *bl ? join(ctx, dir, bl) : NULL;
		if (b) {
			size_t n = strlen(b);
			base = fz_malloc(ctx, n + 2);
			memcpy(base, b, n);
			base[n] = '/';
			base[n + 1] = 0;
			fz_free(ctx, b);
		} else {
			base = fz_strdup(ctx, dir);
		}
		static const struct {
			const char *group, *item;
			int kind;
		} kinds[] = {
			{"Fonts", "Font", RES_FONT},
			{"MultiMedias", "MultiMedia", RES_MEDIA},
			{"DrawParams", "DrawParam", RES_DRAWPARAM},
			{"CompositeGraphicUnits", "CompositeGraphicUnit", RES_COMPOSITE},
			{"ColorSpaces", "ColorSpace", RES_COLORSPACE},
		};
		for (fz_xml *g = root ? fz_xml_down(root) : NULL; g; g = fz_xml_next(g))
			for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
				if (is(g, kinds[k].group))
					for (fz_xml *it = child(g, kinds[k].item); it; it = next_named(it, kinds[k].item))
						add_res(ctx, doc, kinds[k].kind, it, base);
	}
	fz_always(ctx)
	{
		fz_free(ctx, dir);
		fz_free(ctx, base);
	}
	fz_catch(ctx)
	{
		fz_drop_xml(ctx, x);
		fz_warn(ctx, "OFD resources %s skipped: %s", path, fz_caught_message(ctx));
	}
}

static ofd_res *find_res(ofd_doc *doc, const char *ids, int kind)
{
	if (!ids)
		return NULL;
	char *end;
	long id = strtol(ids, &end, 10);
	if (end == ids)
		return NULL;
	for (int i = doc->nres - 1; i >= 0; i--)
		if (doc->res[i].id == id && doc->res[i].kind == kind)
			return &doc->res[i];
	return NULL;
}

static int name_has(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}

/* A font of MuPDF's own for a font the package names but does not carry:
 * the base 14 fonts for common Latin names, else the CJK font (Noto Serif
 * CJK SC in Debian's build), which has Latin letters too. */
static fz_font *cjk_font(fz_context *ctx, ofd_doc *doc, int bold)
{
	fz_font **slot = &doc->stand_in[0][bold != 0];
	if (!*slot && !bold) {
		*slot = fz_new_cjk_font(ctx, FZ_ADOBE_GB);
	} else if (!*slot) {
		/* The built-in CJK font has one weight: MuPDF emboldens it. A
		 * font object of its own, since fz_new_cjk_font hands out the
		 * context's shared one. */
		int len = 0, index = 0;
		const unsigned char *data = fz_lookup_cjk_font(ctx, FZ_ADOBE_GB, &len, &index);
		if (!data)
			return cjk_font(ctx, doc, 0);
		*slot = fz_new_font_from_memory(ctx, NULL, data, len, index, 0);
		fz_font_flags(*slot)->fake_bold = 1;
	}
	return *slot;
}

/* One of MuPDF's base 14 fonts, or NULL when this build lacks it. */
static NOINLINE fz_font *base14(fz_context *ctx, const char *name)
{
	fz_font *f = NULL;
	fz_var(f);
	fz_try(ctx) f = fz_new_base14_font(ctx, name);
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		f = NULL;
	}
	return f;
}

static fz_font *fallback_font(fz_context *ctx, ofd_doc *doc, fz_xml *node, int bold)
{
	static const char *const b14[4][2] = {
		{NULL, NULL}, {"Courier", "Courier-Bold"}, {"Times-Roman", "Times-Bold"}, {"Helvetica", "Helvetica-Bold"}};
	const char *n = node ? fz_xml_att(node, "FontName") : NULL;
	const char *f = node ? fz_xml_att(node, "FamilyName") : NULL;
	int k = 0;
	if (name_has(n, "Courier") || name_has(f, "Courier"))
		k = 1;
	else if (name_has(n, "Times") || name_has(f, "Times"))
		k = 2;
	else if (name_has(n, "Arial") || name_has(f, "Arial") || name_has(n, "Helvetica"))
		k = 3;
	bold = bold != 0;
	fz_font **slot = &doc->stand_in[k][bold];
	if (!*slot && k)
		*slot = base14(ctx, b14[k][bold]);
	return k && *slot ? *slot : cjk_font(ctx, doc, bold);
}

/* The font a TextObject names: the package's own file when it has one
 * that loads, else a fallback. */
static fz_font *get_font(fz_context *ctx, ofd_doc *doc, ofd_res *r, int bold)
{
	if (!r)
		return fallback_font(ctx, doc, NULL, bold);
	if (r->font)
		return r->font;
	if (!r->failed) {
		char buf[1024];
		fz_xml *ff = child(r->node, "FontFile");
		const char *file = ff ? text_of(ff, buf, sizeof buf) : NULL;
		if (file && *file) {
			char *path = join(ctx, r->dir, file);
			fz_buffer *b = NULL;
			fz_var(b);
			fz_try(ctx)
			{
				b = read_part(ctx, doc, path, MAX_FILE_BYTES);
				r->font = fz_new_font_from_buffer(ctx, fz_xml_att(r->node, "FontName"), b, 0, 0);
			}
			fz_always(ctx)
			{
				fz_drop_buffer(ctx, b);
				fz_free(ctx, path);
			}
			fz_catch(ctx)
			{
				fz_warn(ctx, "OFD font %d: %s", r->id, fz_caught_message(ctx));
				r->failed = 1;
			}
			if (r->font)
				return r->font;
		}
		r->failed = 1;
	}
	return fallback_font(ctx, doc, r->node, bold);
}

static fz_image *get_image(fz_context *ctx, ofd_doc *doc, ofd_res *r)
{
	if (!r || r->failed)
		return NULL;
	if (r->image)
		return r->image;
	char buf[1024];
	const char *file = text_of(child(r->node, "MediaFile"), buf, sizeof buf);
	char *path = *file ? join(ctx, r->dir, file) : NULL;
	fz_buffer *b = NULL;
	fz_var(b);
	fz_try(ctx)
	{
		if (!path)
			fz_throw(ctx, FZ_ERROR_GENERIC, "no media file");
		b = read_part(ctx, doc, path, MAX_FILE_BYTES);
		r->image = fz_new_image_from_buffer(ctx, b);
	}
	fz_always(ctx)
	{
		fz_drop_buffer(ctx, b);
		fz_free(ctx, path);
	}
	fz_catch(ctx)
	{
		fz_warn(ctx, "OFD image %d: %s", r->id, fz_caught_message(ctx));
		r->failed = 1;
	}
	return r->image;
}

/* ---- drawing -------------------------------------------------------- */

typedef struct paint {
	fz_colorspace *cs;
	float c[4];
	float alpha;
	int set;
} paint;

/* A colour element (FillColor, StrokeColor): components 0..255 by count
 * (1 gray, 3 RGB, 4 CMYK) and Alpha 0..255. A shading or pattern gets the
 * colour of its first segment, a stand-in for the gradient. */
static void read_color(fz_context *ctx, fz_xml *x, paint *p)
{
	if (!x)
		return;
	const char *v = fz_xml_att(x, "Value");
	if (!v) {
		/* AxialShd/RadialShd/...: Segment/Color */
		for (fz_xml *c = fz_xml_down(x); c && !v; c = fz_xml_next(c))
			for (fz_xml *s = fz_xml_down(c); s && !v; s = fz_xml_next(s)) {
				fz_xml *col = is(s, "Segment") ? child(s, "Color") : is(s, "Color") ? s : NULL;
				if (col)
					v = fz_xml_att(col, "Value");
			}
	}
	float c[4];
	int n = nums(v, c, 4);
	if (n == 1 || n == 3 || n == 4) {
		p->cs = n == 1 ? fz_device_gray(ctx) : n == 3 ? fz_device_rgb(ctx) : fz_device_cmyk(ctx);
		for (int i = 0; i < n; i++)
			p->c[i] = fz_clamp(c[i] / 255.0f, 0, 1);
		p->set = 1;
	}
	const char *a = fz_xml_att(x, "Alpha");
	if (a)
		p->alpha = fz_clamp(num(a, 255) / 255.0f, 0, 1);
}

/* What an object's DrawParam (and its Relative chain, a few deep) says. */
static void read_drawparam(fz_context *ctx, ofd_doc *doc, const char *id, paint *fill, paint *stroke, float *lw)
{
	for (int hops = 0; id && hops < 4; hops++) {
		ofd_res *r = find_res(doc, id, RES_DRAWPARAM);
		if (!r)
			return;
		paint f = {0}, s = {0};
		f.alpha = fill->alpha;
		s.alpha = stroke->alpha;
		read_color(ctx, child(r->node, "FillColor"), &f);
		read_color(ctx, child(r->node, "StrokeColor"), &s);
		if (f.set && !fill->set)
			*fill = f;
		if (s.set && !stroke->set)
			*stroke = s;
		const char *w = fz_xml_att(r->node, "LineWidth");
		if (w && *lw < 0)
			*lw = num(w, -1);
		id = fz_xml_att(r->node, "Relative");
	}
}

static void black(fz_context *ctx, paint *p)
{
	if (!p->set) {
		p->cs = fz_device_gray(ctx);
		p->c[0] = 0;
		p->set = 1;
	}
}

/* An endpoint arc (as in SVG) as cubic curves: from the current point to
 * (x, y) on an ellipse of radii rx, ry turned by angle degrees. */
static void arc_to(fz_context *ctx, fz_path *path, float x0, float y0, float rx, float ry, float angle, int large,
		   int sweep, float x, float y)
{
	if (rx == 0 || ry == 0 || (x0 == x && y0 == y)) {
		fz_lineto(ctx, path, x, y);
		return;
	}
	rx = fabsf(rx);
	ry = fabsf(ry);
	double phi = angle * M_PI / 180, cp = cos(phi), sp = sin(phi);
	double dx = (x0 - x) / 2.0, dy = (y0 - y) / 2.0;
	double x1 = cp * dx + sp * dy, y1 = -sp * dx + cp * dy;
	double l = (x1 * x1) / ((double)rx * rx) + (y1 * y1) / ((double)ry * ry);
	double Rx = rx, Ry = ry;
	if (l > 1) {
		Rx *= sqrt(l);
		Ry *= sqrt(l);
	}
	double num2 = Rx * Rx * Ry * Ry - Rx * Rx * y1 * y1 - Ry * Ry * x1 * x1;
	double den = Rx * Rx * y1 * y1 + Ry * Ry * x1 * x1;
	double k = den > 0 && num2 > 0 ? sqrt(num2 / den) : 0;
	if (large == sweep)
		k = -k;
	double cx1 = k * Rx * y1 / Ry, cy1 = -k * Ry * x1 / Rx;
	double cx = cp * cx1 - sp * cy1 + (x0 + x) / 2.0, cy = sp * cx1 + cp * cy1 + (y0 + y) / 2.0;
	double t1 = atan2((y1 - cy1) / Ry, (x1 - cx1) / Rx);
	double t2 = atan2((-y1 - cy1) / Ry, (-x1 - cx1) / Rx);
	double dt = t2 - t1;
	if (sweep && dt < 0)
		dt += 2 * M_PI;
	else if (!sweep && dt > 0)
		dt -= 2 * M_PI;
	int segs = (int)ceil(fabs(dt) / (M_PI / 2));
	if (segs < 1)
		segs = 1;
	if (segs > 8)
		segs = 8;
	double step = dt / segs, kk = 4.0 / 3.0 * tan(step / 4);
	double t = t1;
	for (int i = 0; i < segs; i++) {
		double c1 = cos(t), s1 = sin(t), c2 = cos(t + step), s2 = sin(t + step);
		double ex1 = c1 - kk * s1, ey1 = s1 + kk * c1, ex2 = c2 + kk * s2, ey2 = s2 - kk * c2;
#define PX(u, v) ((float)(cx + Rx * (u) * cp - Ry * (v) * sp))
#define PY(u, v) ((float)(cy + Rx * (u) * sp + Ry * (v) * cp))
		fz_curveto(ctx, path, PX(ex1, ey1), PY(ex1, ey1), PX(ex2, ey2), PY(ex2, ey2), PX(c2, s2), PY(c2, s2));
#undef PX
#undef PY
		t += step;
	}
}

/* AbbreviatedData: M/S x y, L x y, Q x1 y1 x y, B x1 y1 x2 y2 x y,
 * A rx ry angle large sweep x y, C. Stops at the first thing it does not
 * understand and keeps what came before. */
static NOINLINE void path_ops(fz_context *ctx, fz_path *path, const char *s)
{
	float cx = 0, cy = 0;
	int started = 0;
	{
		while (s && *s) {
			while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',')
				s++;
			char op = *s;
			if (!op)
				break;
			s++;
			float v[7];
			int need = op == 'M' || op == 'S' || op == 'L' ? 2 : op == 'Q' ? 4 : op == 'B' ? 6 : op == 'A' ? 7 : 0;
			if (op != 'C' && need == 0)
				break;
			int n = 0;
			while (n < need) {
				char *end;
				float f = strtof(s, &end);
				if (end == s)
					break;
				v[n++] = isfinite(f) && f < 1e7f && f > -1e7f ? f : 0;
				s = end;
			}
			if (n < need)
				break;
			if (op != 'M' && op != 'S' && op != 'C' && !started) {
				fz_moveto(ctx, path, cx, cy);
				started = 1;
			}
			switch (op) {
			case 'M':
			case 'S':
				fz_moveto(ctx, path, v[0], v[1]);
				started = 1;
				cx = v[0], cy = v[1];
				break;
			case 'L':
				fz_lineto(ctx, path, v[0], v[1]);
				cx = v[0], cy = v[1];
				break;
			case 'Q':
				fz_quadto(ctx, path, v[0], v[1], v[2], v[3]);
				cx = v[2], cy = v[3];
				break;
			case 'B':
				fz_curveto(ctx, path, v[0], v[1], v[2], v[3], v[4], v[5]);
				cx = v[4], cy = v[5];
				break;
			case 'A':
				arc_to(ctx, path, cx, cy, v[0], v[1], v[2], v[3] != 0, v[4] != 0, v[5], v[6]);
				cx = v[5], cy = v[6];
				break;
			case 'C':
				if (started)
					fz_closepath(ctx, path);
				break;
			}
		}
	}
}

static fz_path *parse_path(fz_context *ctx, const char *s)
{
	fz_path *path = fz_new_path(ctx);
	fz_try(ctx) path_ops(ctx, path, s);
	fz_catch(ctx)
	{
		fz_drop_path(ctx, path);
		fz_rethrow(ctx);
	}
	return path;
}

static int budget(fz_context *ctx, drawer *d)
{
	if (d->stopped)
		return 0;
	if (++d->ops > MAX_OPS) {
		fz_warn(ctx, "OFD page has more than %d objects: the rest is not drawn", MAX_OPS);
		d->stopped = 1;
		return 0;
	}
	return 1;
}

static NOINLINE void clip_one(fz_context *ctx, drawer *d, fz_xml *area, fz_matrix bctm)
{
	fz_xml *p = child(area, "Path");
	fz_xml *ad = child(p, "AbbreviatedData");
	if (!ad)
		return; /* a text clip: not drawn as a clip */
	fz_matrix m = fz_concat(ctm_att(area), bctm);
	fz_rect b;
	if (rect_att(p, "Boundary", &b))
		m = fz_concat(fz_concat(ctm_att(p), fz_translate(b.x0, b.y0)), m);
	char *tofree;
	const char *data = text_ref(ctx, ad, &tofree);
	fz_path *path = NULL;
	fz_try(ctx) path = parse_path(ctx, data);
	fz_always(ctx) fz_free(ctx, tofree);
	fz_catch(ctx) fz_rethrow(ctx);
	fz_try(ctx) fz_clip_path(ctx, d->dev, path, 0, m, fz_infinite_rect);
	fz_always(ctx) fz_drop_path(ctx, path);
	fz_catch(ctx) fz_rethrow(ctx);
}

/* Clips of an object (Clips/Clip/Area/Path), in the object's boundary
 * space; *pushed counts those pushed, for the caller to pop, also when
 * this throws. */
static NOINLINE void push_clips(fz_context *ctx, drawer *d, fz_xml *obj, fz_matrix bctm, int *pushed)
{
	fz_xml *clips = child(obj, "Clips");
	if (!clips)
		return;
	for (fz_xml *clip = child(clips, "Clip"); clip && *pushed < 16; clip = next_named(clip, "Clip"))
		for (fz_xml *area = child(clip, "Area"); area && *pushed < 16; area = next_named(area, "Area")) {
			if (!child(child(area, "Path"), "AbbreviatedData"))
				continue;
			clip_one(ctx, d, area, bctm);
			(*pushed)++;
		}
}

static void draw_objects(fz_context *ctx, drawer *d, fz_xml *parent, fz_matrix ctm, const char *dp, int depth);

/* Fill path with a Pattern: its CellContent repeated every XStep, YStep
 * in the pattern's space (its CTM on the object's), clipped to the path,
 * as a MuPDF tile: drawn tiled on the page image, while the text
 * extraction sees the cell once (a watermark does not fill the page text).
 * A pattern of more than 10000 cells is not drawn. */
static NOINLINE void fill_pattern(fz_context *ctx, drawer *d, fz_xml *pat, fz_path *path, int eo, fz_matrix m,
				  int depth)
{
	float w = num(fz_xml_att(pat, "Width"), 0), h = num(fz_xml_att(pat, "Height"), 0);
	float xs = num(fz_xml_att(pat, "XStep"), w), ys = num(fz_xml_att(pat, "YStep"), h);
	fz_xml *cell = child(pat, "CellContent");
	if (!(w > 0 && h > 0 && xs > 0 && ys > 0) || !cell || depth >= MAX_DEPTH)
		return;
	fz_matrix pm = fz_concat(ctm_att(pat), m);
	fz_rect area = fz_transform_rect(fz_bound_path(ctx, path, NULL, m), fz_invert_matrix(pm));
	if (fz_is_empty_rect(area) || fz_is_infinite_rect(area))
		return;
	double cells = ((double)area.x1 - area.x0) / xs * (((double)area.y1 - area.y0) / ys);
	if (!(cells <= 10000)) {
		fz_warn(ctx, "OFD pattern of %.0f cells not drawn", cells);
		return;
	}
	fz_clip_path(ctx, d->dev, path, eo, m, fz_infinite_rect);
	fz_try(ctx)
	{
		if (!fz_begin_tile_id(ctx, d->dev, area, fz_make_rect(0, 0, w, h), xs, ys, pm, 0))
			draw_objects(ctx, d, cell, pm, NULL, depth + 1);
		fz_end_tile(ctx, d->dev);
	}
	fz_always(ctx) fz_pop_clip(ctx, d->dev);
	fz_catch(ctx) fz_rethrow(ctx);
}

static void draw_path(fz_context *ctx, drawer *d, fz_xml *obj, fz_matrix m, const char *dp, int depth)
{
	paint fill = {0}, stroke = {0};
	fill.alpha = stroke.alpha = 1;
	float lw = -1;
	read_color(ctx, child(obj, "FillColor"), &fill);
	read_color(ctx, child(obj, "StrokeColor"), &stroke);
	const char *w = fz_xml_att(obj, "LineWidth");
	if (w)
		lw = num(w, -1);
	read_drawparam(ctx, d->doc, fz_xml_att(obj, "DrawParam") ? fz_xml_att(obj, "DrawParam") : dp, &fill, &stroke,
		       &lw);
	if (lw < 0)
		lw = 0.353f;
	black(ctx, &fill);
	black(ctx, &stroke);
	float oa = fz_clamp(num(fz_xml_att(obj, "Alpha"), 255) / 255.0f, 0, 1);
	int do_fill = att_bool(obj, "Fill", 0), do_stroke = att_bool(obj, "Stroke", 1);
	int eo = fz_xml_att(obj, "Rule") && !strcmp(fz_xml_att(obj, "Rule"), "Even-Odd");
	fz_xml *ad = child(obj, "AbbreviatedData");
	if (!ad || (!do_fill && !do_stroke))
		return;
	char *buf = NULL;
	fz_path *path = NULL;
	fz_stroke_state *ss = NULL;
	fz_var(path);
	fz_var(ss);
	fz_var(buf);
	fz_try(ctx)
	{
		path = parse_path(ctx, text_ref(ctx, ad, &buf));
		fz_xml *pat = child(child(obj, "FillColor"), "Pattern");
		if (do_fill && pat)
			fill_pattern(ctx, d, pat, path, eo, m, depth);
		else if (do_fill)
			fz_fill_path(ctx, d->dev, path, eo, m, fill.cs, fill.c, fill.alpha * oa, fz_default_color_params);
		if (do_stroke) {
			ss = fz_new_stroke_state(ctx);
			ss->linewidth = lw;
			const char *cap_s = fz_xml_att(obj, "Cap"), *join_s = fz_xml_att(obj, "Join");
			if (cap_s && !strcmp(cap_s, "Round"))
				ss->start_cap = ss->end_cap = ss->dash_cap = FZ_LINECAP_ROUND;
			else if (cap_s && !strcmp(cap_s, "Square"))
				ss->start_cap = ss->end_cap = ss->dash_cap = FZ_LINECAP_SQUARE;
			if (join_s && !strcmp(join_s, "Round"))
				ss->linejoin = FZ_LINEJOIN_ROUND;
			else if (join_s && !strcmp(join_s, "Bevel"))
				ss->linejoin = FZ_LINEJOIN_BEVEL;
			fz_stroke_path(ctx, d->dev, path, ss, m, stroke.cs, stroke.c, stroke.alpha * oa,
				       fz_default_color_params);
		}
	}
	fz_always(ctx)
	{
		fz_drop_stroke_state(ctx, ss);
		fz_drop_path(ctx, path);
		fz_free(ctx, buf);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

/* The glyphs the CGTransforms of a TextObject give the n characters of
 * one of its TextCodes (fonts in OFD are often subsets without a character
 * map), into map (-1: none), each list read once. */
static void cg_map(fz_context *ctx, fz_xml *obj, int *map, int n)
{
	for (int i = 0; i < n; i++)
		map[i] = -1;
	for (fz_xml *t = child(obj, "CGTransform"); t; t = next_named(t, "CGTransform")) {
		int pos = att_int(t, "CodePosition", -1), count = att_int(t, "CodeCount", 1);
		if (pos < 0 || count < 1 || pos >= n)
			continue;
		if (count > n - pos)
			count = n - pos;
		char *tofree;
		const char *g = text_ref(ctx, child(t, "Glyphs"), &tofree);
		for (int k = 0; k < count; k++) {
			char *end;
			long v = strtol(g, &end, 10);
			if (end == g)
				break;
			g = end;
			if (v >= 0 && v < 65536)
				map[pos + k] = (int)v;
		}
		fz_free(ctx, tofree);
	}
}

/* Outlined text (Fill="false" Stroke="true"). */
static NOINLINE void stroke_text(fz_context *ctx, drawer *d, fz_text *text, fz_matrix m, const paint *stroke, float oa,
				 float lw)
{
	fz_stroke_state *ss = fz_new_stroke_state(ctx);
	ss->linewidth = lw > 0 ? lw : 0;
	fz_try(ctx) fz_stroke_text(ctx, d->dev, text, ss, m, stroke->cs, stroke->c, stroke->alpha * oa,
				   fz_default_color_params);
	fz_always(ctx) fz_drop_stroke_state(ctx, ss);
	fz_catch(ctx) fz_rethrow(ctx);
}

typedef struct tbufs {
	float *dx, *dy;
	int *cps, *gmap;
} tbufs;

static void text_codes(fz_context *ctx, ofd_doc *doc, fz_xml *obj, fz_text *text, fz_font *font, ofd_res *fr, int own,
		       int bold, float size, float hscale, tbufs *tb);

static void draw_text(fz_context *ctx, drawer *d, fz_xml *obj, fz_matrix m, const char *dp)
{
	ofd_doc *doc = d->doc;
	ofd_res *fr = find_res(doc, fz_xml_att(obj, "Font"), RES_FONT);
	/* bold: the TextObject's Weight, or the font's Bold (for stand-ins) */
	int bold = att_int(obj, "Weight", 400) >= 600 || (fr && att_bool(fr->node, "Bold", 0));
	fz_font *font = get_font(ctx, doc, fr, bold);
	int own = fr && fr->font == font;
	float size = num(fz_xml_att(obj, "Size"), 3.5f);
	if (!(size > 0) || size > 10000)
		return;
	float hscale = num(fz_xml_att(obj, "HScale"), 1);
	paint fill = {0}, stroke = {0};
	fill.alpha = stroke.alpha = 1;
	float lw = num(fz_xml_att(obj, "LineWidth"), -1);
	read_color(ctx, child(obj, "FillColor"), &fill);
	read_color(ctx, child(obj, "StrokeColor"), &stroke);
	read_drawparam(ctx, doc, fz_xml_att(obj, "DrawParam") ? fz_xml_att(obj, "DrawParam") : dp, &fill, &stroke, &lw);
	black(ctx, &fill);
	float oa = fz_clamp(num(fz_xml_att(obj, "Alpha"), 255) / 255.0f, 0, 1);
	int do_fill = att_bool(obj, "Fill", 1), do_stroke = att_bool(obj, "Stroke", 0);
	if (do_stroke) {
		black(ctx, &stroke);
		if (lw < 0)
			lw = 0.353f;
	}
	fz_text *text = fz_new_text(ctx);
	tbufs tb = {NULL, NULL, NULL, NULL};
	fz_try(ctx)
	{
		text_codes(ctx, doc, obj, text, font, fr, own, bold, size, hscale, &tb);
		/* one of fill, stroke or neither: text extraction would see
		 * text both filled and stroked twice */
		if (do_fill)
			fz_fill_text(ctx, d->dev, text, m, fill.cs, fill.c, fill.alpha * oa, fz_default_color_params);
		else if (do_stroke)
			stroke_text(ctx, d, text, m, &stroke, oa, lw);
		else
			fz_ignore_text(ctx, d->dev, text, m); /* invisible, still text */
	}
	fz_always(ctx)
	{
		fz_free(ctx, tb.dx);
		fz_free(ctx, tb.dy);
		fz_free(ctx, tb.cps);
		fz_free(ctx, tb.gmap);
		fz_drop_text(ctx, text);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

/* How much to narrow or widen a glyph of a font the package did not carry
 * to fit the room DeltaX gives it. The package measured its text in its
 * own font (宋体's Latin letters are half an em each); ours are
 * proportional, so a W would run into the next letter and an i would leave
 * a gap that text extraction reads as a space (past 0.15 em). A glyph too
 * wide is narrowed (to half at most); one too narrow is widened just
 * enough to close the gap, up to 1.5 times: more room than that is a
 * space the producer meant. */
static float fit(fz_context *ctx, fz_font *f, int g, float em, float room)
{
	float natural = fz_advance_glyph(ctx, f, g < 0 ? 0 : g, 0) * em;
	if (!(natural > 0) || !(room > 0))
		return 1;
	if (natural > room * 1.02f)
		return fz_max(room / natural, 0.5f);
	float need = (room - 0.14f * em) / natural;
	return need > 1 && need <= 1.5f ? need : 1;
}

/* Show the glyphs of every TextCode of obj in text, in the object's space. */
static NOINLINE void text_codes(fz_context *ctx, ofd_doc *doc, fz_xml *obj, fz_text *text, fz_font *font, ofd_res *fr,
				int own, int bold, float size, float hscale, tbufs *tb)
{
	{
		float px = 0, py = 0;
		int glyphs = 0, chardir = att_int(obj, "CharDirection", 0);
		if (chardir != 90 && chardir != 180 && chardir != 270)
			chardir = 0;
		for (fz_xml *tc = child(obj, "TextCode"); tc; tc = next_named(tc, "TextCode")) {
			/* the characters, decoded */
			int n = 0, cap = 64;
			tb->cps = fz_malloc_array(ctx, cap, int);
			int *cps = tb->cps;
			for (fz_xml *c = fz_xml_down(tc); c; c = fz_xml_next(c)) {
				const char *s = fz_xml_text(c);
				while (s && *s && glyphs + n < MAX_GLYPHS) {
					int u;
					s += fz_chartorune(&u, s);
					if (u == '\r' || u == '\n' || u == '\t')
						continue;
					if (n == cap) {
						cap *= 2;
						cps = tb->cps = fz_realloc_array(ctx, cps, cap, int);
					}
					cps[n++] = u;
				}
			}
			if (fz_xml_att(tc, "X"))
				px = num(fz_xml_att(tc, "X"), px);
			if (fz_xml_att(tc, "Y"))
				py = num(fz_xml_att(tc, "Y"), py);
			int ndx = 0, ndy = 0;
			float *dx = tb->dx = deltas(ctx, fz_xml_att(tc, "DeltaX"), n, &ndx);
			float *dy = tb->dy = deltas(ctx, fz_xml_att(tc, "DeltaY"), n, &ndy);
			int *gmap = NULL;
			if (own && n > 0) {
				gmap = tb->gmap = fz_malloc_array(ctx, n, int);
				cg_map(ctx, obj, gmap, n);
			}
			for (int i = 0; i < n; i++) {
				fz_font *f = font;
				int g = gmap ? gmap[i] : -1;
				if (g < 0)
					g = fz_encode_character(ctx, font, cps[i]);
				if (g <= 0 && cps[i] != ' ') {
					fz_font *fb = own ? fallback_font(ctx, doc, fr->node, bold) : cjk_font(ctx, doc, bold);
					int g2 = fz_encode_character(ctx, fb, cps[i]);
					if (g2 <= 0 && fb != cjk_font(ctx, doc, bold)) {
						fb = cjk_font(ctx, doc, bold);
						g2 = fz_encode_character(ctx, fb, cps[i]);
					}
					if (g2 > 0)
						f = fb, g = g2;
				}
				float adv;
				if (i < ndx)
					adv = dx[i];
				else if (ndx > 0)
					adv = dx[ndx - 1];
				else if (ndy == 0)
					adv = fz_advance_glyph(ctx, f, g < 0 ? 0 : g, 0) * size * hscale;
				else
					adv = 0; /* set in a column by DeltaY alone */
				float sx = ndx > 0 && i + 1 < n && !(own && f == font) ? fit(ctx, f, g, size * hscale, adv) : 1;
				fz_matrix trm = fz_make_matrix(size * hscale * sx, 0, 0, -size, 0, 0);
				if (chardir) /* each glyph turned clockwise about its origin */
					trm = fz_concat(trm, fz_rotate((float)chardir));
				trm = fz_concat(trm, fz_translate(px, py));
				fz_show_glyph(ctx, text, f, trm, g < 0 ? 0 : g, cps[i], 0, 0, FZ_BIDI_LTR, FZ_LANG_UNSET);
				px += adv;
				if (i < ndy)
					py += dy[i];
				else if (ndy > 0)
					py += dy[ndy - 1];
			}
			glyphs += n;
			fz_free(ctx, tb->dx);
			fz_free(ctx, tb->dy);
			fz_free(ctx, tb->cps);
			fz_free(ctx, tb->gmap);
			tb->dx = tb->dy = NULL;
			tb->cps = tb->gmap = NULL;
			if (glyphs >= MAX_GLYPHS)
				break;
		}
	}
}

static void draw_image(fz_context *ctx, drawer *d, fz_xml *obj, fz_matrix m)
{
	fz_image *img = get_image(ctx, d->doc, find_res(d->doc, fz_xml_att(obj, "ResourceID"), RES_MEDIA));
	if (!img)
		return;
	float oa = fz_clamp(num(fz_xml_att(obj, "Alpha"), 255) / 255.0f, 0, 1);
	fz_fill_image(ctx, d->dev, img, m, oa, fz_default_color_params);
}

/* One graphic object: its Boundary places it, its CTM maps its own space
 * into the boundary's. A broken object is skipped with a warning; the
 * page goes on. */
static void draw_object(fz_context *ctx, drawer *d, fz_xml *obj, fz_matrix ctm, const char *dp, int depth)
{
	if (!budget(ctx, d))
		return;
	if (!att_bool(obj, "Visible", 1))
		return;
	if (is(obj, "PageBlock")) {
		draw_objects(ctx, d, obj, ctm, dp, depth + 1);
		return;
	}
	fz_rect b = fz_empty_rect;
	rect_att(obj, "Boundary", &b);
	fz_matrix bctm = fz_concat(fz_translate(b.x0, b.y0), ctm);
	fz_matrix m = fz_concat(ctm_att(obj), bctm);
	const char *odp = fz_xml_att(obj, "DrawParam") ? fz_xml_att(obj, "DrawParam") : dp;
	int clips = 0;
	fz_var(clips);
	fz_var(dp);
	fz_try(ctx)
	{
		push_clips(ctx, d, obj, bctm, &clips);
		if (is(obj, "TextObject"))
			draw_text(ctx, d, obj, m, odp);
		else if (is(obj, "PathObject"))
			draw_path(ctx, d, obj, m, odp, depth);
		else if (is(obj, "ImageObject"))
			draw_image(ctx, d, obj, m);
		else if (is(obj, "CompositeObject")) {
			ofd_res *r = find_res(d->doc, fz_xml_att(obj, "ResourceID"), RES_COMPOSITE);
			if (r && depth < MAX_DEPTH)
				draw_objects(ctx, d, child(r->node, "Content"), m, odp, depth + 1);
			else if (r)
				fz_warn(ctx, "OFD objects nested deeper than %d: not drawn", MAX_DEPTH);
		}
	}
	fz_always(ctx)
	{
		while (clips-- > 0)
			fz_pop_clip(ctx, d->dev);
	}
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		fz_warn(ctx, "OFD %s skipped: %s", local(obj), fz_caught_message(ctx));
	}
}

static void draw_objects(fz_context *ctx, drawer *d, fz_xml *parent, fz_matrix ctm, const char *dp, int depth)
{
	if (depth > MAX_DEPTH) {
		fz_warn(ctx, "OFD objects nested deeper than %d: not drawn", MAX_DEPTH);
		return;
	}
	for (fz_xml *o = parent ? fz_xml_down(parent) : NULL; o && !d->stopped; o = fz_xml_next(o)) {
		if (!local(o))
			continue;
		draw_object(ctx, d, o, ctm, dp, depth);
	}
}

/* A page's (or template's) Content: its layers in order. */
static void draw_content(fz_context *ctx, drawer *d, fz_xml *page_root, fz_matrix ctm)
{
	fz_xml *content = child(page_root, "Content");
	for (fz_xml *l = child(content, "Layer"); l && !d->stopped; l = next_named(l, "Layer"))
		draw_objects(ctx, d, l, ctm, fz_xml_att(l, "DrawParam"), 0);
}

static ofd_tpl *find_tpl(ofd_doc *doc, int id)
{
	for (int i = 0; i < doc->ntpls; i++)
		if (doc->tpls[i].id == id)
			return &doc->tpls[i];
	return NULL;
}

/* The page's templates of one z-order (Background first, Foreground last). */
static void draw_templates(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, int foreground)
{
	for (fz_xml *t = child(fz_xml_root(pg->xml), "Template"); t && !d->stopped; t = next_named(t, "Template")) {
		ofd_tpl *tp = find_tpl(d->doc, att_int(t, "TemplateID", -1));
		if (!tp)
			continue;
		const char *z = fz_xml_att(t, "ZOrder");
		int fg = z ? !strcmp(z, "Foreground") : tp->foreground;
		if (fg != foreground)
			continue;
		if (!tp->xml && !tp->failed) {
			fz_try(ctx)
			{
				tp->xml = load_xml(ctx, d->doc, tp->path);
			}
			fz_catch(ctx)
			{
				tp->failed = 1;
				fz_warn(ctx, "OFD template %d: %s", tp->id, fz_caught_message(ctx));
			}
		}
		if (tp->xml)
			draw_content(ctx, d, fz_xml_root(tp->xml), ctm);
	}
}

/* The annotations of one annotation file. */
static NOINLINE void annot_file(fz_context *ctx, drawer *d, fz_matrix ctm, const char *path)
{
	fz_xml *x = load_xml(ctx, d->doc, path);
	fz_try(ctx)
	{
		for (fz_xml *a = child(fz_xml_root(x), "Annot"); a; a = next_named(a, "Annot")) {
			if (!att_bool(a, "Visible", 1))
				continue;
			for (fz_xml *ap = child(a, "Appearance"); ap; ap = next_named(ap, "Appearance")) {
				fz_rect b = fz_empty_rect;
				rect_att(ap, "Boundary", &b);
				draw_objects(ctx, d, ap, fz_concat(fz_translate(b.x0, b.y0), ctm), NULL, 1);
			}
		}
	}
	fz_always(ctx) fz_drop_xml(ctx, x);
	fz_catch(ctx) fz_rethrow(ctx);
}

static NOINLINE void try_annot_file(fz_context *ctx, drawer *d, fz_matrix ctm, const char *dir, fz_xml *p)
{
	char buf[1024];
	char *path = join(ctx, dir, text_of(child(p, "FileLoc"), buf, sizeof buf));
	fz_try(ctx) annot_file(ctx, d, ctm, path);
	fz_always(ctx) fz_free(ctx, path);
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		fz_warn(ctx, "OFD annotation: %s", fz_caught_message(ctx));
	}
}

static NOINLINE void annot_pages(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, const char *dir)
{
	for (fz_xml *p = child(fz_xml_root(d->doc->annots_xml), "Page"); p; p = next_named(p, "Page"))
		if (att_int(p, "PageID", -2) == pg->id)
			try_annot_file(ctx, d, ctm, dir, p);
}

/* Annotations of a page: each Annot's Appearance, a block of objects
 * placed at its Boundary. */
static void draw_annots(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm)
{
	ofd_doc *doc = d->doc;
	if (!doc->annots_path)
		return;
	if (!doc->annots_xml && !doc->annots_failed) {
		fz_try(ctx) doc->annots_xml = load_xml(ctx, doc, doc->annots_path);
		fz_catch(ctx)
		{
			doc->annots_failed = 1;
			fz_warn(ctx, "OFD annotations: %s", fz_caught_message(ctx));
		}
	}
	if (!doc->annots_xml)
		return;
	char *dir = dirname_of(ctx, doc->annots_path);
	fz_try(ctx) annot_pages(ctx, d, pg, ctm, dir);
	fz_always(ctx) fz_free(ctx, dir);
	fz_catch(ctx) fz_rethrow(ctx);
}

/* ---- seals ---------------------------------------------------------- */

/* Where an image (or an OFD) sits inside a seal's ASN.1: the first PNG,
 * JPEG, GIF or ZIP magic, its length from the DER OCTET STRING header just
 * before it when there is one, else the rest of the data. */
static int find_stamp(const unsigned char *p, size_t n, size_t *off, size_t *len, int *is_ofd)
{
	static const struct {
		const char *magic;
		size_t len;
		int ofd;
	} m[] = {
		{"\x89PNG\r\n\x1a\n", 8, 0}, {"\xff\xd8\xff", 3, 0}, {"GIF8", 4, 0}, {"PK\3\4", 4, 1},
	};
	size_t best = n;
	int which = -1;
	for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
		const unsigned char *h = memmem(p, n, m[k].magic, m[k].len);
		if (h && (size_t)(h - p) < best) {
			best = (size_t)(h - p);
			which = (int)k;
		}
	}
	if (which < 0)
		return 0;
	*off = best;
	*len = n - best;
	*is_ofd = m[which].ofd;
	/* DER: 04 len | 04 81 l | 04 82 hh ll | 04 83 ... */
	for (int hl = 1; hl <= 4; hl++) {
		if (best < (size_t)hl + 1 || p[best - (size_t)hl - 1] != 0x04)
			continue;
		const unsigned char *q = p + best - hl;
		size_t l = 0;
		if (hl == 1 && q[0] < 0x80)
			l = q[0];
		else if (hl > 1 && q[0] == 0x80 + hl - 1)
			for (int i = 1; i < hl; i++)
				l = l << 8 | q[i];
		else
			continue;
		if (l > 0 && l <= n - best) {
			*len = l;
			break;
		}
	}
	return 1;
}

static fz_document *open_ofd(fz_context *ctx, fz_stream *file, int depth);

/* Draw what a seal shows into rect (mm, page space): its image, or the
 * first page of the OFD it carries. Returns 1 when something was drawn. */
static int draw_stamp(fz_context *ctx, drawer *d, fz_buffer *data, fz_rect r, fz_matrix ctm)
{
	size_t off, len;
	int is_ofd;
	if (!find_stamp(data->data, data->len, &off, &len, &is_ofd))
		return 0;
	fz_buffer *part = fz_new_buffer_from_copied_data(ctx, data->data + off, len);
	fz_matrix box = fz_make_matrix(r.x1 - r.x0, 0, 0, r.y1 - r.y0, r.x0, r.y0);
	fz_image *img = NULL;
	fz_stream *stm = NULL;
	fz_document *inner = NULL;
	fz_page *page = NULL;
	int drawn = 0;
	fz_var(img);
	fz_var(stm);
	fz_var(inner);
	fz_var(page);
	fz_try(ctx)
	{
		if (!is_ofd) {
			img = fz_new_image_from_buffer(ctx, part);
			fz_fill_image(ctx, d->dev, img, fz_concat(box, ctm), 1, fz_default_color_params);
			drawn = 1;
		} else if (d->doc->depth < MAX_SEAL_DEPTH) {
			stm = fz_open_buffer(ctx, part);
			inner = open_ofd(ctx, stm, d->doc->depth + 1);
			page = fz_load_page(ctx, inner, 0);
			fz_rect pb = fz_bound_page(ctx, page);
			if (pb.x1 - pb.x0 > 0 && pb.y1 - pb.y0 > 0) {
				/* the inner page, in points, onto the rectangle */
				fz_matrix fit = fz_concat(fz_translate(-pb.x0, -pb.y0),
							  fz_scale((r.x1 - r.x0) / (pb.x1 - pb.x0), (r.y1 - r.y0) / (pb.y1 - pb.y0)));
				fit = fz_concat(fit, fz_translate(r.x0, r.y0));
				fz_run_page(ctx, page, d->dev, fz_concat(fit, ctm), NULL);
				drawn = 1;
			}
		}
	}
	fz_always(ctx)
	{
		fz_drop_page(ctx, page);
		fz_drop_document(ctx, inner);
		fz_drop_stream(ctx, stm);
		fz_drop_image(ctx, img);
		fz_drop_buffer(ctx, part);
	}
	fz_catch(ctx) fz_rethrow(ctx);
	return drawn;
}

/* Draw one stamp from the seal data in file (a path in the package),
 * clipped to the annotation's Clip when it has one. */
static NOINLINE int stamp_file(fz_context *ctx, drawer *d, fz_xml *stamp, fz_rect r, fz_matrix ctm, const char *file)
{
	fz_buffer *data = read_part(ctx, d->doc, file, MAX_FILE_BYTES);
	fz_path *cp = NULL;
	int clipped = 0, drawn = 0;
	fz_var(cp);
	fz_var(clipped);
	fz_var(drawn);
	fz_try(ctx)
	{
		fz_rect clip;
		if (rect_att(stamp, "Clip", &clip)) {
			cp = fz_new_path(ctx);
			fz_rectto(ctx, cp, r.x0 + clip.x0, r.y0 + clip.y0, r.x0 + clip.x1, r.y0 + clip.y1);
			fz_clip_path(ctx, d->dev, cp, 0, ctm, fz_infinite_rect);
			clipped = 1;
		}
		drawn = draw_stamp(ctx, d, data, r, ctm);
	}
	fz_always(ctx)
	{
		if (clipped)
			fz_pop_clip(ctx, d->dev);
		fz_drop_path(ctx, cp);
		fz_drop_buffer(ctx, data);
	}
	fz_catch(ctx) fz_rethrow(ctx);
	return drawn;
}

static NOINLINE int try_stamp_file(fz_context *ctx, drawer *d, fz_xml *stamp, fz_rect r, fz_matrix ctm,
				   const char *file)
{
	int drawn = 0;
	fz_var(drawn);
	fz_try(ctx) drawn = stamp_file(ctx, d, stamp, r, ctm, file);
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		fz_warn(ctx, "OFD seal: %s", fz_caught_message(ctx));
	}
	return drawn;
}

static NOINLINE void stamps_of(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, fz_xml *info, char **files)
{
	int count = 0;
	for (fz_xml *stamp = child(info, "StampAnnot"); stamp && count < 64; stamp = next_named(stamp, "StampAnnot"), count++) {
		fz_rect r;
		if (att_int(stamp, "PageRef", -2) != pg->id || !rect_att(stamp, "Boundary", &r))
			continue;
		/* each may be an OFD of its own, with a page of its own to draw */
		if (d->stamps >= MAX_STAMPS) {
			fz_warn(ctx, "OFD page has more than %d seals: the rest are not drawn", MAX_STAMPS);
			return;
		}
		int drawn = 0;
		for (int k = 0; k < 2 && !drawn; k++)
			if (files[k])
				drawn = try_stamp_file(ctx, d, stamp, r, ctm, files[k]);
		d->stamps += drawn;
	}
}

/* The stamps of one Signature.xml that fall on this page. */
static NOINLINE void seal_one(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, const char *spath)
{
	ofd_doc *doc = d->doc;
	fz_xml *sx = load_xml(ctx, doc, spath);
	char *sdir = NULL;
	char *files[2] = {NULL, NULL};
	fz_var(sdir);
	fz_try(ctx)
	{
		sdir = dirname_of(ctx, spath);
		fz_xml *info = child(fz_xml_root(sx), "SignedInfo");
		char buf[1024];
		/* the seal's picture: in Seal.esl, else in the signed value */
		fz_xml *sl = child(child(info, "Seal"), "BaseLoc");
		if (sl)
			files[0] = join(ctx, sdir, text_of(sl, buf, sizeof buf));
		files[1] = join(ctx, sdir, text_of(child(fz_xml_root(sx), "SignedValue"), buf, sizeof buf));
		stamps_of(ctx, d, pg, ctm, info, files);
	}
	fz_always(ctx)
	{
		fz_drop_xml(ctx, sx);
		fz_free(ctx, sdir);
		fz_free(ctx, files[0]);
		fz_free(ctx, files[1]);
	}
	fz_catch(ctx) fz_rethrow(ctx);
}

static NOINLINE void try_seal(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, const char *dir, fz_xml *s)
{
	char *spath = join(ctx, dir, fz_xml_att(s, "BaseLoc"));
	if (!spath)
		return;
	fz_try(ctx) seal_one(ctx, d, pg, ctm, spath);
	fz_always(ctx) fz_free(ctx, spath);
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		fz_warn(ctx, "OFD signature: %s", fz_caught_message(ctx));
	}
}

static NOINLINE void seals_of(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm, fz_xml *sigs, const char *dir)
{
	int count = 0;
	for (fz_xml *s = child(fz_xml_root(sigs), "Signature"); s && count < 64; s = next_named(s, "Signature"), count++)
		try_seal(ctx, d, pg, ctm, dir, s);
}

/* Seals (Signatures.xml → Signature.xml → StampAnnot on this page): the
 * stamp image from the seal (Seal.esl) or from the signed value, at the
 * annotation's Boundary. Nothing found, nothing drawn: a seal that cannot
 * be shown never stops the page. */
static void draw_seals(fz_context *ctx, drawer *d, ofd_page *pg, fz_matrix ctm)
{
	ofd_doc *doc = d->doc;
	if (!doc->sigs_path || doc->depth > 0)
		return;
	fz_xml *sigs = NULL;
	char *dir = NULL;
	fz_var(sigs);
	fz_var(dir);
	fz_try(ctx)
	{
		sigs = load_xml(ctx, doc, doc->sigs_path);
		dir = dirname_of(ctx, doc->sigs_path);
		seals_of(ctx, d, pg, ctm, sigs, dir);
	}
	fz_always(ctx)
	{
		fz_drop_xml(ctx, sigs);
		fz_free(ctx, dir);
	}
	fz_catch(ctx)
	{
		if (fz_caught(ctx) == FZ_ERROR_MEMORY)
			fz_rethrow(ctx);
		fz_warn(ctx, "OFD signatures: %s", fz_caught_message(ctx));
	}
}

/* ---- the page ------------------------------------------------------- */

static fz_rect ofd_bound_page(fz_context *ctx, fz_page *page_)
{
	ofd_page *pg = (ofd_page *)page_;
	(void)ctx;
	return fz_make_rect(0, 0, (pg->box.x1 - pg->box.x0) * MM_TO_PT, (pg->box.y1 - pg->box.y0) * MM_TO_PT);
}

static void ofd_run_page(fz_context *ctx, fz_page *page_, fz_device *dev, fz_matrix transform, fz_cookie *cookie)
{
	ofd_page *pg = (ofd_page *)page_;
	drawer d = {(ofd_doc *)page_->doc, dev, 0, 0, 0};
	(void)cookie;
	fz_matrix ctm = fz_concat(fz_concat(fz_translate(-pg->box.x0, -pg->box.y0), fz_scale(MM_TO_PT, MM_TO_PT)),
				  transform);
	draw_templates(ctx, &d, pg, ctm, 0);
	draw_content(ctx, &d, fz_xml_root(pg->xml), ctm);
	draw_templates(ctx, &d, pg, ctm, 1);
	draw_annots(ctx, &d, pg, ctm);
	draw_seals(ctx, &d, pg, ctm);
}

static void ofd_drop_page(fz_context *ctx, fz_page *page_)
{
	ofd_page *pg = (ofd_page *)page_;
	fz_drop_xml(ctx, pg->xml);
}

static fz_page *ofd_load_page(fz_context *ctx, fz_document *doc_, int chapter, int number)
{
	ofd_doc *doc = (ofd_doc *)doc_;
	(void)chapter;
	if (number < 0 || number >= doc->npages)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD has no page %d", number + 1);
	fz_xml *x = load_xml(ctx, doc, doc->pages[number].path);
	ofd_page *pg = NULL;
	fz_try(ctx)
	{
		fz_xml *root = fz_xml_root(x);
		if (!is(root, "Page"))
			fz_throw(ctx, FZ_ERROR_GENERIC, "OFD page %d is not a Page", number + 1);
		pg = fz_new_derived_page(ctx, ofd_page, doc_);
	}
	fz_catch(ctx)
	{
		fz_drop_xml(ctx, x);
		fz_rethrow(ctx);
	}
	pg->xml = x;
	pg->id = doc->pages[number].id;
	pg->box = doc->box;
	fz_rect r;
	if (rect_text(child(child(fz_xml_root(x), "Area"), "PhysicalBox"), &r))
		pg->box = r;
	pg->super.bound_page = ofd_bound_page;
	pg->super.run_page_contents = ofd_run_page;
	pg->super.drop_page = ofd_drop_page;
	/* page resources: added to the document's (ids are unique in a package) */
	char *dir = dirname_of(ctx, doc->pages[number].path);
	char buf[1024];
	for (fz_xml *pr = child(fz_xml_root(x), "PageRes"); pr; pr = next_named(pr, "PageRes")) {
		char *p = join(ctx, dir, text_of(pr, buf, sizeof buf));
		if (p)
			load_res_file(ctx, doc, p);
		fz_free(ctx, p);
	}
	fz_free(ctx, dir);
	return &pg->super;
}

/* ---- the document --------------------------------------------------- */

static int ofd_count_pages(fz_context *ctx, fz_document *doc_, int chapter)
{
	(void)ctx;
	(void)chapter;
	return ((ofd_doc *)doc_)->npages;
}

static int ofd_lookup_metadata(fz_context *ctx, fz_document *doc_, const char *key, char *out, int size)
{
	ofd_doc *doc = (ofd_doc *)doc_;
	const char *want = !strcmp(key, FZ_META_INFO_TITLE) ? "Title" : !strcmp(key, FZ_META_INFO_AUTHOR) ? "Author"
		: !strcmp(key, FZ_META_FORMAT) ? "" : NULL;
	if (!want)
		return -1;
	if (!*want)
		return 1 + fz_strlcpy(out, "OFD", (size_t)size);
	fz_xml *info = child(child(fz_xml_root(doc->ofd_xml), "DocBody"), "DocInfo");
	fz_xml *x = child(info, want);
	if (!x)
		return -1;
	char buf[1024];
	const char *t = text_of(x, buf, sizeof buf);
	(void)ctx;
	return 1 + (int)fz_strlcpy(out, t, (size_t)size);
}

static void ofd_drop_document(fz_context *ctx, fz_document *doc_)
{
	ofd_doc *doc = (ofd_doc *)doc_;
	for (int i = 0; i < doc->nres; i++) {
		fz_drop_font(ctx, doc->res[i].font);
		fz_drop_image(ctx, doc->res[i].image);
		fz_free(ctx, doc->res[i].dir);
	}
	fz_free(ctx, doc->res);
	for (int i = 0; i < doc->npages; i++)
		fz_free(ctx, doc->pages[i].path);
	fz_free(ctx, doc->pages);
	for (int i = 0; i < doc->ntpls; i++) {
		fz_free(ctx, doc->tpls[i].path);
		fz_drop_xml(ctx, doc->tpls[i].xml);
	}
	fz_free(ctx, doc->tpls);
	for (int i = 0; i < doc->nxmls; i++)
		fz_drop_xml(ctx, doc->xmls[i]);
	fz_free(ctx, doc->xmls);
	for (int i = 0; i < doc->nnames; i++) {
		fz_free(ctx, doc->names[i].raw);
		fz_free(ctx, doc->names[i].norm);
	}
	fz_free(ctx, doc->names);
	fz_drop_xml(ctx, doc->ofd_xml);
	fz_drop_xml(ctx, doc->doc_xml);
	fz_drop_xml(ctx, doc->annots_xml);
	fz_free(ctx, doc->docdir);
	fz_free(ctx, doc->annots_path);
	fz_free(ctx, doc->sigs_path);
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 2; b++)
			fz_drop_font(ctx, doc->stand_in[i][b]);
	fz_drop_archive(ctx, doc->zip);
}

/* Read OFD.xml and the first document's Document.xml: pages, templates,
 * resources, where annotations and signatures are. Throws with a reason
 * when the package is not an OFD that has pages. */
static NOINLINE void read_structure(fz_context *ctx, ofd_doc *doc)
{
	int n = fz_count_archive_entries(ctx, doc->zip);
	if (n < 0 || n > MAX_PARTS)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD package has more than %d parts", MAX_PARTS);
	doc->names = fz_calloc(ctx, n ? n : 1, sizeof(ofd_entry));
	for (int i = 0; i < n; i++) {
		const char *e = fz_list_archive_entry(ctx, doc->zip, i);
		ofd_entry *en = &doc->names[doc->nnames++];
		en->raw = fz_strdup(ctx, e ? e : "");
		en->norm = fz_strdup(ctx, en->raw);
		for (char *p = en->norm; *p; p++)
			if (*p == '\\')
				*p = '/';
	}
	qsort(doc->names, (size_t)doc->nnames, sizeof(ofd_entry), entry_cmp);
	if (!find_entry(ctx, doc, "OFD.xml"))
		fz_throw(ctx, FZ_ERROR_GENERIC, "not an OFD package: no OFD.xml");
	doc->ofd_xml = load_xml(ctx, doc, "OFD.xml");
	fz_xml *body = child(fz_xml_root(doc->ofd_xml), "DocBody");
	if (!body)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD.xml has no DocBody");
	char buf[1024];
	char *root = join(ctx, "", text_of(child(body, "DocRoot"), buf, sizeof buf));
	if (!root)
		fz_throw(ctx, FZ_ERROR_GENERIC, "OFD.xml names no document (DocRoot)");
	fz_try(ctx)
	{
		doc->doc_xml = load_xml(ctx, doc, root);
		doc->docdir = dirname_of(ctx, root);
	}
	fz_always(ctx) fz_free(ctx, root);
	fz_catch(ctx) fz_rethrow(ctx);
	fz_xml *sig = child(body, "Signatures");
	if (sig)
		doc->sigs_path = join(ctx, "", text_of(sig, buf, sizeof buf));

	fz_xml *d = fz_xml_root(doc->doc_xml);
	if (!is(d, "Document"))
		fz_throw(ctx, FZ_ERROR_GENERIC, "the OFD document is not a Document");
	fz_xml *common = child(d, "CommonData");
	doc->box = fz_make_rect(0, 0, 210, 297);
	fz_rect r;
	if (rect_text(child(child(common, "PageArea"), "PhysicalBox"), &r))
		doc->box = r;
	for (fz_xml *c = common ? fz_xml_down(common) : NULL; c; c = fz_xml_next(c)) {
		if (is(c, "PublicRes") || is(c, "DocumentRes")) {
			char *p = join(ctx, doc->docdir, text_of(c, buf, sizeof buf));
			if (p)
				load_res_file(ctx, doc, p);
			fz_free(ctx, p);
		} else if (is(c, "TemplatePage") && doc->ntpls < 1000) {
			char *p = join(ctx, doc->docdir, fz_xml_att(c, "BaseLoc"));
			if (!p)
				continue;
			doc->tpls = fz_realloc_array(ctx, doc->tpls, doc->ntpls + 1, ofd_tpl);
			ofd_tpl *t = &doc->tpls[doc->ntpls++];
			memset(t, 0, sizeof *t);
			t->id = att_int(c, "ID", -1);
			t->path = p;
			const char *z = fz_xml_att(c, "ZOrder");
			t->foreground = z && !strcmp(z, "Foreground");
		}
	}
	fz_xml *an = child(d, "Annotations");
	if (an)
		doc->annots_path = join(ctx, doc->docdir, text_of(an, buf, sizeof buf));

	fz_xml *pages = child(d, "Pages");
	int cap = 0;
	for (fz_xml *p = child(pages, "Page"); p; p = next_named(p, "Page")) {
		if (doc->npages >= MAX_PAGES) {
			fz_warn(ctx, "OFD has more than %d pages: the rest are left out", MAX_PAGES);
			break;
		}
		char *path = join(ctx, doc->docdir, fz_xml_att(p, "BaseLoc"));
		if (!path)
			continue; /* a page outside the package: none */
		if (doc->npages == cap) {
			cap = cap ? cap * 2 : 16;
			doc->pages = fz_realloc_array(ctx, doc->pages, cap, ofd_pageref);
		}
		doc->pages[doc->npages].id = att_int(p, "ID", -1);
		doc->pages[doc->npages].path = path;
		doc->npages++;
	}
	if (doc->npages == 0)
		fz_throw(ctx, FZ_ERROR_GENERIC, "the OFD document has no pages");
}

static fz_document *open_ofd(fz_context *ctx, fz_stream *file, int depth)
{
	ofd_doc *doc = fz_new_derived_document(ctx, ofd_doc);
	doc->super.drop_document = ofd_drop_document;
	doc->super.count_pages = ofd_count_pages;
	doc->super.load_page = ofd_load_page;
	doc->super.lookup_metadata = ofd_lookup_metadata;
	doc->depth = depth;
	fz_try(ctx)
	{
		doc->zip = fz_open_zip_archive_with_stream(ctx, file);
		read_structure(ctx, doc);
	}
	fz_catch(ctx)
	{
		fz_drop_document(ctx, &doc->super);
		fz_rethrow(ctx);
	}
	return &doc->super;
}

fz_document *wy_ofd_open_document(fz_context *ctx, fz_stream *stm)
{
	return open_ofd(ctx, stm, 0);
}

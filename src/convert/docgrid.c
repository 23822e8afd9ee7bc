/* docgrid: Word's character grid made into something LibreOffice lays out
 * as Word does (see docgrid.h). A DOCX is read whole, its document.xml and
 * styles.xml are inflated, edited as text, and the package is written again
 * with those two parts stored and every other part copied as it was. It
 * must never write where it read, nor trust a size it reads. */
#include "convert/docgrid.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define DOCX_MAX (64u << 20) /* a larger package is converted as it is */
#define PART_MAX (32u << 20) /* an XML part inflated past this is left alone */

/* ---- XML, as text ------------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next start tag <name ...> (or <name/>) in [s, end), or NULL. */
static const char *find_tag(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = s; p && p + n + 1 < end; p++) {
		p = memchr(p, '<', (size_t)(end - p));
		if (!p || p + n + 1 >= end)
			return NULL;
		if (!memcmp(p + 1, name, n) && (is_space(p[n + 1]) || p[n + 1] == '/' || p[n + 1] == '>'))
			return p;
	}
	return NULL;
}

/* Just past the '>' of the tag at p, or NULL. */
static const char *tag_end(const char *p, const char *end)
{
	const char *gt = memchr(p, '>', (size_t)(end - p));
	return gt ? gt + 1 : NULL;
}

static bool self_closing(const char *p, const char *e)
{
	return e - p >= 2 && e[-2] == '/';
}

/* The attribute name="..." of the tag [p, e) into out (cap bytes). */
static bool attr(const char *p, const char *e, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *a = p; a + n + 2 < e; a++) {
		if (!is_space(*a) || memcmp(a + 1, name, n))
			continue;
		const char *q = a + 1 + n;
		while (q < e && is_space(*q))
			q++;
		if (q >= e || *q != '=')
			continue;
		q++;
		while (q < e && is_space(*q))
			q++;
		if (q >= e || (*q != '"' && *q != '\''))
			return false;
		const char *v = q + 1, *ve = memchr(v, *q, (size_t)(e - v));
		if (!ve || (size_t)(ve - v) >= cap)
			return false;
		memcpy(out, v, (size_t)(ve - v));
		out[ve - v] = 0;
		return true;
	}
	return false;
}

static bool attr_long(const char *p, const char *e, const char *name, long *out)
{
	char v[32], *rest;
	if (!attr(p, e, name, v, sizeof v))
		return false;
	errno = 0;
	long x = strtol(v, &rest, 10);
	if (errno || rest == v || *rest || x < -100000000 || x > 100000000)
		return false;
	*out = x;
	return true;
}

/* w:charSpace. LibreOffice writes a negative one as its unsigned 32-bit
 * pattern (-1230 as 4294966066); Word reads both the same. */
static bool char_space(const char *p, const char *e, long *out)
{
	char v[32], *rest;
	if (!attr(p, e, "w:charSpace", v, sizeof v))
		return false;
	errno = 0;
	long long x = strtoll(v, &rest, 10);
	if (errno || rest == v || *rest || x < -100000000 || x > 4294967295LL ||
	    (x > 100000000 && x < 4294967296LL - 100000000))
		return false;
	*out = (long)(x > 100000000 ? x - 4294967296LL : x);
	return true;
}

/* w:sz (half-points) of the first w:rPr in [s, end), or 0. */
static long rpr_size(const char *s, const char *end)
{
	const char *r = find_tag(s, end, "w:rPr"), *re, *z, *ze;
	long sz = 0;
	if (!r || !(re = tag_end(r, end)) || self_closing(r, re))
		return 0;
	const char *close = strstr(re, "</w:rPr>");
	if (!close || close > end)
		return 0;
	if ((z = find_tag(re, close, "w:sz")) && (ze = tag_end(z, close)) && attr_long(z, ze, "w:val", &sz) && sz > 0)
		return sz;
	return 0;
}

/* The East Asian font size of the Normal paragraph style, in twips: Word
 * measures the character grid against it. Normal is the paragraph style
 * marked w:default (LibreOffice marks none: then the one with the id
 * Normal), else the document defaults, else Word's 10 pt. */
static long normal_size_twips(const char *styles)
{
	const char *end = styles + strlen(styles), *p, *e;
	char v[16];
	for (int pass = 0; pass < 2; pass++) {
		for (p = styles; (p = find_tag(p, end, "w:style")) && (e = tag_end(p, end)); p = e) {
			if (!attr(p, e, "w:type", v, sizeof v) || strcmp(v, "paragraph"))
				continue;
			if (pass == 0 ? !attr(p, e, "w:default", v, sizeof v) ||
						(strcmp(v, "1") && strcmp(v, "true") && strcmp(v, "on"))
				      : !attr(p, e, "w:styleId", v, sizeof v) || strcmp(v, "Normal"))
				continue;
			const char *close = self_closing(p, e) ? e : strstr(e, "</w:style>");
			long sz = close ? rpr_size(e, close) : 0;
			if (sz)
				return sz * 10;
			pass = 2; /* Normal found, without a size of its own */
			break;
		}
	}
	const char *d = find_tag(styles, end, "w:rPrDefault"), *de;
	if (d && (de = strstr(d, "</w:rPrDefault>"))) {
		long sz = rpr_size(d, de);
		if (sz)
			return sz * 10;
	}
	return 200;
}

/* Add <w:spacing w:val="spacing"/> to the document's default run
 * properties, creating what is missing on the way. False when they already
 * have a spacing or the part looks unlike Word's. */
static bool add_default_spacing(const char *styles, int spacing, char **out)
{
	const char *end = styles + strlen(styles), *at = NULL, *skip = NULL;
	char *ins = NULL, *sp = wy_xasprintf("<w:spacing w:val=\"%d\"/>", spacing);
	const char *d, *de, *r, *re, *close;
	if ((d = find_tag(styles, end, "w:rPrDefault")) && (de = tag_end(d, end))) {
		if (self_closing(d, de)) {
			at = d, skip = de;
			ins = wy_xasprintf("<w:rPrDefault><w:rPr>%s</w:rPr></w:rPrDefault>", sp);
		} else if ((close = strstr(de, "</w:rPrDefault>"))) {
			if ((r = find_tag(de, close, "w:rPr")) && (re = tag_end(r, close))) {
				const char *rclose = self_closing(r, re) ? re : strstr(re, "</w:rPr>");
				if (!rclose || rclose > close || find_tag(re, rclose, "w:spacing")) {
					at = NULL; /* a spacing of its own: leave it */
				} else if (self_closing(r, re)) {
					at = r, skip = re;
					ins = wy_xasprintf("<w:rPr>%s</w:rPr>", sp);
				} else {
					at = skip = re;
					ins = wy_xstrdup(sp);
				}
			} else {
				at = skip = de;
				ins = wy_xasprintf("<w:rPr>%s</w:rPr>", sp);
			}
		}
	} else if ((d = find_tag(styles, end, "w:docDefaults")) && (de = tag_end(d, end))) {
		if (!self_closing(d, de)) {
			at = skip = de;
			ins = wy_xasprintf("<w:rPrDefault><w:rPr>%s</w:rPr></w:rPrDefault>", sp);
		}
	} else if ((d = find_tag(styles, end, "w:styles")) && (de = tag_end(d, end)) && !self_closing(d, de)) {
		at = skip = de;
		ins = wy_xasprintf("<w:docDefaults><w:rPrDefault><w:rPr>%s</w:rPr></w:rPrDefault></w:docDefaults>", sp);
	}
	free(sp);
	if (!at || !ins) {
		free(ins);
		return false;
	}
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_append(&b, styles, (size_t)(at - styles));
	wy_buf_puts(&b, ins);
	wy_buf_puts(&b, skip);
	free(ins);
	*out = wy_buf_steal(&b);
	return true;
}

/* Paragraphs with an exact line height keep it off the line grid: Word
 * does not snap them, LibreOffice rounds them up to whole grid lines (the
 * 公文 title, 35 pt exact, took two). A w:snapToGrid w:val="0" before each
 * such w:spacing of a w:pPr says so to both. Caller frees. */
static char *exact_off_grid(const char *xml)
{
	const char *end = xml + strlen(xml), *pos = xml, *sp, *se, *ppr = NULL, *seen = xml, *q;
	char rule[16];
	wy_buf b;
	wy_buf_init(&b, 0);
	for (const char *scan = xml; (sp = find_tag(scan, end, "w:spacing")) && (se = tag_end(sp, end)); scan = se) {
		if (!attr(sp, se, "w:lineRule", rule, sizeof rule) || strcmp(rule, "exact"))
			continue;
		/* inside a w:pPr that has no snapToGrid of its own before it */
		for (; (q = find_tag(seen, sp, "w:pPr")); seen = q + 1)
			ppr = q;
		seen = sp;
		if (!ppr || memmem(ppr, (size_t)(sp - ppr), "</w:pPr>", 8) || find_tag(ppr, sp, "w:snapToGrid"))
			continue;
		wy_buf_append(&b, pos, (size_t)(sp - pos));
		wy_buf_puts(&b, "<w:snapToGrid w:val=\"0\"/>");
		pos = sp;
	}
	wy_buf_puts(&b, pos);
	return wy_buf_steal(&b);
}

/* Paragraphs that name a style styles.xml does not define (pandoc writes
 * BodyText and FirstParagraph and may leave them out) have Normal in Word;
 * LibreOffice gives them its own "Text Body", 115 % lines and a space
 * below. The reference is dropped, which is Normal for both. Caller frees. */
static char *undefined_styles_dropped(const char *document, const char *styles)
{
	const char *end = document + strlen(document), *send = styles + strlen(styles), *pos = document, *p, *e;
	char id[256];
	wy_buf ids, b;
	wy_buf_init(&ids, 0);
	wy_buf_init(&b, 0);
	wy_buf_putc(&ids, '\n'); /* "\nid\nid\n": one search per reference */
	for (const char *t = styles; (t = find_tag(t, send, "w:style")) && (e = tag_end(t, send)); t = e)
		if (attr(t, e, "w:styleId", id, sizeof id) && !strchr(id, '\n'))
			wy_buf_printf(&ids, "%s\n", id);
	for (const char *scan = document; (p = find_tag(scan, end, "w:pStyle")) && (e = tag_end(p, end)); scan = e) {
		if (!self_closing(p, e) || !attr(p, e, "w:val", id, sizeof id) || strchr(id, '\n'))
			continue;
		char *key = wy_xasprintf("\n%s\n", id);
		bool defined = memmem(ids.data, ids.len, key, strlen(key)) != NULL;
		free(key);
		if (defined)
			continue;
		wy_buf_append(&b, pos, (size_t)(p - pos));
		pos = e;
	}
	wy_buf_puts(&b, pos);
	wy_buf_free(&ids);
	return wy_buf_steal(&b);
}

/* Word's rule (ECMA-376 17.6.5 and what Word does): the character pitch is
 * the Normal style's size plus charSpace/4096 pt; a line holds as many
 * pitches as fit in the text width, and every character advances by the
 * pitch whatever its own width. LibreOffice gets the same count from a
 * character spacing that makes a Normal-sized character fit width/count.
 * A docGrid it cannot measure (no page size or margins, several columns)
 * or whose spacing differs from an earlier section's stays as it was. */
int wy_docgrid_adjust_xml(const char *document, const char *styles, char **document_out, char **styles_out,
			  int *spacing)
{
	long size = normal_size_twips(styles);
	const char *end = document + strlen(document), *pos = document, *g, *ge, *sect = NULL;
	bool have = false;
	int sp = 0;
	wy_buf b;
	wy_buf_init(&b, 0);
	for (const char *scan = document; (g = find_tag(scan, end, "w:docGrid")) && (ge = tag_end(g, end)); scan = ge) {
		for (const char *s = scan; (s = find_tag(s, g, "w:sectPr")); s++)
			sect = s;
		char type[32];
		long cs, w, left, right, gutter = 0, pitch = 0, num = 1;
		if (!sect || !attr(g, ge, "w:type", type, sizeof type) || strcmp(type, "linesAndChars") ||
		    !char_space(g, ge, &cs) || cs >= 0)
			continue;
		const char *pz = find_tag(sect, g, "w:pgSz"), *pm = find_tag(sect, g, "w:pgMar"), *co, *pze, *pme, *coe;
		if (!pz || !pm || !(pze = tag_end(pz, g)) || !(pme = tag_end(pm, g)) || !attr_long(pz, pze, "w:w", &w) ||
		    !attr_long(pm, pme, "w:left", &left) || !attr_long(pm, pme, "w:right", &right))
			continue;
		attr_long(pm, pme, "w:gutter", &gutter);
		if ((co = find_tag(sect, g, "w:cols")) && (coe = tag_end(co, g)) && attr_long(co, coe, "w:num", &num) &&
		    num > 1)
			continue;
		long text = w - left - right - gutter;
		double cell = (double)size + (double)cs * 20.0 / 4096.0; /* twips */
		if (text <= 0 || cell <= size / 2.0)
			continue;
		long n = (long)floor((double)text / cell + 1e-6);
		if (n < 1)
			continue;
		long fit = text / n - size;
		int want = fit < 0 ? (int)fit : 0;
		if (have && want != sp)
			continue;
		have = true, sp = want;
		attr_long(g, ge, "w:linePitch", &pitch);
		wy_buf_append(&b, pos, (size_t)(g - pos));
		if (pitch > 0)
			wy_buf_printf(&b, "<w:docGrid w:type=\"lines\" w:linePitch=\"%ld\"/>", pitch);
		else
			wy_buf_puts(&b, "<w:docGrid w:type=\"lines\"/>");
		pos = ge;
	}
	if (!have) {
		wy_buf_free(&b);
		return WY_ENOTFOUND;
	}
	wy_buf_puts(&b, pos);
	char *st = NULL;
	if (sp && !add_default_spacing(styles, sp, &st)) {
		/* The lines grid alone still gives LibreOffice's usual layout, a
		 * character or so short of Word's line, instead of half of it. */
		wy_warn("docgrid.spacing", "msg=\"the document defaults have a character spacing of their own\"");
		sp = 0;
	}
	char *grid = wy_buf_steal(&b), *plain = undefined_styles_dropped(grid, styles);
	*document_out = exact_off_grid(plain);
	*styles_out = exact_off_grid(st ? st : styles);
	*spacing = sp;
	free(grid);
	free(plain);
	free(st);
	return WY_OK;
}

/* A header or footer: page-number content controls (w:sdt with a
 * w:docPartObj, what Word's page number gallery inserts) lose their
 * wrapper, which changes nothing in Word. LibreOffice 7.4 turns a framed
 * paragraph (w:framePr) inside one into an ordinary paragraph, and the
 * 公文 footer then grows by a line (14 pt) and takes it from the body on
 * every page; outside the wrapper the page number stays in its frame. */
char *wy_docgrid_adjust_hdrftr(const char *xml)
{
	const char *end = xml + strlen(xml), *pos = xml, *sdt, *pr, *pre, *content;
	bool changed = false;
	wy_buf b;
	wy_buf_init(&b, 0);
	for (const char *scan = xml; (sdt = find_tag(scan, end, "w:sdt"));) {
		const char *se = tag_end(sdt, end);
		scan = se ? se : end;
		if (!se || self_closing(sdt, se) || !(pr = find_tag(se, end, "w:sdtPr")) || pr != se ||
		    !(pre = strstr(pr, "</w:sdtPr>")) || !find_tag(pr, pre, "w:docPartObj") ||
		    !(content = strstr(pre, "<w:sdtContent>")))
			continue;
		const char *between = pre + strlen("</w:sdtPr>");
		const char *ep = find_tag(between, content, "w:sdtEndPr"), *epe = NULL;
		if (between != content && !(ep == between && (epe = strstr(ep, "</w:sdtEndPr>")) &&
					     epe + strlen("</w:sdtEndPr>") == content) &&
		    !(ep == between && (epe = tag_end(ep, content)) && self_closing(ep, epe) && epe == content))
			continue;
		/* the matching </w:sdtContent></w:sdt>, nested controls counted */
		const char *body = content + strlen("<w:sdtContent>"), *q = body, *close = NULL;
		int depth = 1;
		while (depth && (q = strstr(q, "w:sdtContent"))) {
			if (q[-1] == '<' && q[12] == '>')
				depth++;
			else if (q[-1] == '/' && q >= xml + 2 && q[-2] == '<' && q[12] == '>' && !--depth)
				close = q - 2;
			q += 12;
		}
		if (!close || strncmp(close, "</w:sdtContent></w:sdt>", 23))
			continue;
		wy_buf_append(&b, pos, (size_t)(sdt - pos));
		wy_buf_append(&b, body, (size_t)(close - body));
		pos = scan = close + 23;
		changed = true;
	}
	if (!changed) {
		wy_buf_free(&b);
		return NULL;
	}
	wy_buf_puts(&b, pos);
	return wy_buf_steal(&b);
}

/* ---- ZIP ------------------------------------------------------------- */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static void put16(wy_buf *b, uint32_t v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	wy_buf_append(b, x, 2);
}

static void put32(wy_buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

typedef struct entry {
	const unsigned char *cd; /* its central directory record */
	const unsigned char *data;
	uint32_t csize, usize, method, namelen;
	char *repl; /* the edited part, stored */
} entry;

/* The part's bytes, inflated; NULL when it cannot be had whole. */
static char *inflate_part(const entry *e)
{
	if (e->usize > PART_MAX)
		return NULL;
	char *out = wy_xmalloc((size_t)e->usize + 1);
	size_t got = 0;
	if (e->method == 0 && e->csize == e->usize) {
		memcpy(out, e->data, e->usize);
		got = e->usize;
	} else if (e->method == 8) {
		z_stream zs;
		memset(&zs, 0, sizeof zs);
		if (inflateInit2(&zs, -15) == Z_OK) {
			zs.next_in = (unsigned char *)(uintptr_t)e->data;
			zs.avail_in = e->csize;
			zs.next_out = (unsigned char *)out;
			zs.avail_out = e->usize;
			if (inflate(&zs, Z_FINISH) == Z_STREAM_END)
				got = zs.total_out;
			inflateEnd(&zs);
		}
	}
	if (got != e->usize || memchr(out, 0, got)) {
		free(out);
		return NULL;
	}
	out[got] = 0;
	return out;
}

static bool name_is(const entry *e, const char *name)
{
	return e->namelen == strlen(name) && !memcmp(e->cd + 46, name, e->namelen);
}

/* The package written again: local headers without data descriptors or
 * extra fields, the edited parts stored. */
static void write_zip(const entry *es, size_t n, wy_buf *out)
{
	uint32_t *off = wy_xcalloc(n ? n : 1, sizeof *off);
	for (size_t i = 0; i < n; i++) {
		const entry *e = &es[i];
		bool r = e->repl != NULL;
		size_t len = r ? strlen(e->repl) : e->csize;
		off[i] = (uint32_t)out->len;
		put32(out, 0x04034b50);
		put16(out, le16(e->cd + 6));
		put16(out, le16(e->cd + 8) & ~0x0008u);
		put16(out, r ? 0 : e->method);
		put16(out, le16(e->cd + 12));
		put16(out, le16(e->cd + 14));
		put32(out, r ? (uint32_t)crc32(0, (const Bytef *)e->repl, (uInt)len) : le32(e->cd + 16));
		put32(out, (uint32_t)len);
		put32(out, r ? (uint32_t)len : e->usize);
		put16(out, e->namelen);
		put16(out, 0);
		wy_buf_append(out, e->cd + 46, e->namelen);
		wy_buf_append(out, r ? (const void *)e->repl : (const void *)e->data, len);
	}
	uint32_t cd = (uint32_t)out->len;
	for (size_t i = 0; i < n; i++) {
		const entry *e = &es[i];
		bool r = e->repl != NULL;
		size_t len = r ? strlen(e->repl) : e->csize;
		put32(out, 0x02014b50);
		put16(out, le16(e->cd + 4));
		put16(out, le16(e->cd + 6));
		put16(out, le16(e->cd + 8) & ~0x0008u);
		put16(out, r ? 0 : e->method);
		put16(out, le16(e->cd + 12));
		put16(out, le16(e->cd + 14));
		put32(out, r ? (uint32_t)crc32(0, (const Bytef *)e->repl, (uInt)len) : le32(e->cd + 16));
		put32(out, (uint32_t)len);
		put32(out, r ? (uint32_t)len : e->usize);
		put16(out, e->namelen);
		put16(out, 0); /* extra */
		put16(out, 0); /* comment */
		put16(out, 0); /* disk */
		put16(out, le16(e->cd + 36));
		put32(out, le32(e->cd + 38));
		put32(out, off[i]);
		wy_buf_append(out, e->cd + 46, e->namelen);
	}
	uint32_t cdlen = (uint32_t)out->len - cd;
	put32(out, 0x06054b50);
	put16(out, 0);
	put16(out, 0);
	put16(out, (uint32_t)n);
	put16(out, (uint32_t)n);
	put32(out, cdlen);
	put32(out, cd);
	put16(out, 0);
	free(off);
}

/* The entries of the package in [p, p+n), all bounds checked; false for
 * anything this file does not rewrite (ZIP64, encryption, multi-disk). */
static bool read_entries(const unsigned char *p, size_t n, entry **out, size_t *count)
{
	if (n < 22)
		return false;
	size_t eocd = n - 22, stop = n > 22 + 65535 ? n - 22 - 65535 : 0;
	while (le32(p + eocd) != 0x06054b50) {
		if (eocd == stop)
			return false;
		eocd--;
	}
	uint32_t cnt = le16(p + eocd + 10), cdsize = le32(p + eocd + 12), cdoff = le32(p + eocd + 16);
	if (le16(p + eocd + 4) || le16(p + eocd + 6) || cnt != le16(p + eocd + 8) || cnt == 0xffff ||
	    cdoff > eocd || cdsize > eocd - cdoff)
		return false;
	entry *es = wy_xcalloc(cnt ? cnt : 1, sizeof *es);
	size_t at = cdoff, end = (size_t)cdoff + cdsize;
	for (uint32_t i = 0; i < cnt; i++) {
		entry *e = &es[i];
		if (at + 46 > end || le32(p + at) != 0x02014b50)
			goto bad;
		e->cd = p + at;
		uint32_t flags = le16(e->cd + 8), lh = le32(e->cd + 42);
		e->method = le16(e->cd + 10);
		e->csize = le32(e->cd + 20);
		e->usize = le32(e->cd + 24);
		e->namelen = le16(e->cd + 28);
		at += 46 + (size_t)e->namelen + le16(e->cd + 30) + le16(e->cd + 32);
		if (at > end || (flags & 0x0001) || e->csize == 0xffffffff || e->usize == 0xffffffff ||
		    lh == 0xffffffff || (size_t)lh + 30 > cdoff || le32(p + lh) != 0x04034b50)
			goto bad;
		size_t data = (size_t)lh + 30 + le16(p + lh + 26) + le16(p + lh + 28);
		if (data > cdoff || e->csize > cdoff - data)
			goto bad;
		e->data = p + data;
	}
	*out = es;
	*count = cnt;
	return true;
bad:
	free(es);
	return false;
}

int wy_docgrid_adjust_mem(const void *data, size_t len, wy_buf *out, int *spacing)
{
	entry *es = NULL, *doc = NULL, *sty = NULL;
	size_t n = 0;
	int rc = WY_ENOTFOUND;
	if (!read_entries(data, len, &es, &n))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (name_is(&es[i], "word/document.xml"))
			doc = &es[i];
		else if (name_is(&es[i], "word/styles.xml"))
			sty = &es[i];
	}
	char *d = doc && sty ? inflate_part(doc) : NULL, *s = d ? inflate_part(sty) : NULL;
	if (s && !wy_docgrid_adjust_xml(d, s, &doc->repl, &sty->repl, spacing)) {
		for (size_t i = 0; i < n; i++) {
			entry *e = &es[i];
			if (e->namelen > 15 && e != doc && e != sty &&
			    (!memcmp(e->cd + 46, "word/header", 11) || !memcmp(e->cd + 46, "word/footer", 11)) &&
			    !memcmp(e->cd + 46 + e->namelen - 4, ".xml", 4)) {
				char *x = inflate_part(e);
				e->repl = x ? wy_docgrid_adjust_hdrftr(x) : NULL;
				free(x);
			}
		}
		write_zip(es, n, out);
		rc = WY_OK;
	}
	free(d);
	free(s);
	for (size_t i = 0; i < n; i++)
		free(es[i].repl);
	free(es);
	return rc;
}

int wy_docgrid_adjust(const char *in_path, const char *out_path, bool *adjusted, wy_errinfo *ei)
{
	*adjusted = false;
	wy_buf in, z;
	wy_buf_init(&in, DOCX_MAX);
	wy_buf_init(&z, 0);
	int rc = WY_OK, sp = 0;
	if (!wy_file_read(in_path, DOCX_MAX, &in) && !wy_docgrid_adjust_mem(in.data, in.len, &z, &sp)) {
		unlink(out_path);
		int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		bool ok = fd >= 0 && !wy_write_all(fd, z.data, z.len);
		if (fd >= 0 && close(fd))
			ok = false;
		if (!ok) {
			rc = wy_err_set(ei, WY_EIO, "cannot write the adjusted document: %s", strerror(errno));
			if (fd >= 0)
				unlink(out_path);
		} else {
			*adjusted = true;
			wy_log("docgrid.adjust", "spacing_twips=%d", sp);
		}
	}
	wy_buf_free(&z);
	wy_buf_free(&in);
	return rc;
}

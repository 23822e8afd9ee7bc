/* mobi: the libmobi adapter (mobi.h). The only file that calls libmobi.
 * Input is hostile: libmobi bounds its reads by the records it loaded;
 * here the declared text size is checked before anything is
 * decompressed, and what comes out is checked again.
 *
 * libmobi is loaded with dlopen, not linked: it brings libxml2 and with it
 * ICU, about 36 MB of mappings that every process would carry, converters
 * included, whose address space is limited (convert_memory_mb); the same
 * reason text/confusable.c dlopens ICU. A converter confined by Landlock
 * can open no library, so the worker's child calls wy_convert_preload_fd
 * (which calls wy_mobi_load for a Kindle book) before it confines itself. */
#include "convert/mobi.h"
#include "core/log.h"
#include "core/util.h"
#include "text/utf8.h"

#include <dlfcn.h>
#include <mobi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MOBI_LIB "libmobi.so.0"

static struct {
	__typeof__(mobi_init) *init;
	__typeof__(mobi_free) *free;
	__typeof__(mobi_load_file) *load_file;
	__typeof__(mobi_is_encrypted) *is_encrypted;
	__typeof__(mobi_is_kf8) *is_kf8;
	__typeof__(mobi_get_text_maxsize) *get_text_maxsize;
	__typeof__(mobi_init_rawml) *init_rawml;
	__typeof__(mobi_parse_rawml) *parse_rawml;
	__typeof__(mobi_free_rawml) *free_rawml;
	__typeof__(mobi_get_filemeta_by_type) *get_filemeta_by_type;
	__typeof__(mobi_meta_get_title) *meta_get_title;
	__typeof__(mobi_meta_get_author) *meta_get_author;
} lm;
static bool lm_ok;
static char lm_why[200];
static pthread_once_t lm_once = PTHREAD_ONCE_INIT;

static void lm_open(void)
{
	void *h = dlopen(MOBI_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(lm_why, sizeof lm_why, "%s", dlerror());
		return;
	}
	/* POSIX's way from dlsym's object pointer to a function pointer */
#define LOAD(field) (*(void **)&lm.field = dlsym(h, "mobi_" #field))
	if (!LOAD(init) || !LOAD(free) || !LOAD(load_file) || !LOAD(is_encrypted) || !LOAD(is_kf8) ||
	    !LOAD(get_text_maxsize) || !LOAD(init_rawml) || !LOAD(parse_rawml) || !LOAD(free_rawml) ||
	    !LOAD(get_filemeta_by_type) || !LOAD(meta_get_title) || !LOAD(meta_get_author)) {
#undef LOAD
		snprintf(lm_why, sizeof lm_why, "a libmobi function is missing");
		return;
	}
	lm_ok = true;
}

int wy_mobi_load(wy_errinfo *ei)
{
	pthread_once(&lm_once, lm_open);
	if (!lm_ok)
		return wy_err_set(ei, WY_ENOTSUP, "MOBI and AZW3 books need libmobi (%s), which cannot be loaded: %s",
				  MOBI_LIB, lm_why);
	return WY_OK;
}

static const char *ret_text(MOBI_RET r)
{
	switch (r) {
	case MOBI_DATA_CORRUPT: return "corrupted data";
	case MOBI_FILE_ENCRYPTED: return "encrypted";
	case MOBI_FILE_UNSUPPORTED: return "unsupported document type";
	/* libmobi allocates what the file declares: on a small file a failed
	 * allocation is a size no book has, not a lack of memory. */
	case MOBI_MALLOC_FAILED: return "it declares impossible sizes";
	case MOBI_BUFFER_END: return "a record ends early";
	default: return "malformed";
	}
}

/* A header string, or NULL when empty, not UTF-8 or a placeholder
 * ("Unknown", what some tools write for a missing author). */
static char *valid_or_null(char *s)
{
	if (s && (!*s || !wy_utf8_valid(s, strlen(s)) || !strcasecmp(s, "unknown"))) {
		free(s);
		return NULL;
	}
	return s;
}

static void add_file(wy_book *b, size_t *cap, const char *name, const char *media, const unsigned char *data,
		     size_t len, bool spine)
{
	if (b->nfiles == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		b->files = wy_xrealloc(b->files, *cap * sizeof *b->files);
	}
	wy_book_file *f = &b->files[b->nfiles++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->media = media;
	f->data = wy_xmalloc(len ? len : 1);
	memcpy(f->data, data, len);
	f->len = len;
	f->spine = spine;
}

/* The Palm database's record list: every record must start inside the
 * file, after the list, and no earlier than the one before. libmobi takes
 * a record's size as the distance to the next start, so a start that goes
 * back makes a size of about 4 GB, which it then allocates. */
static bool records_sane(const unsigned char *d, size_t len)
{
	if (len < 78)
		return false;
	size_t n = (size_t)d[76] << 8 | d[77];
	if (78 + 8 * n > len)
		return false;
	uint32_t prev = (uint32_t)(78 + 8 * n);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *e = d + 78 + 8 * i;
		uint32_t off = (uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3];
		if (off < prev || off > len)
			return false;
		prev = off;
	}
	return true;
}

int wy_mobi_unpack(const void *data, size_t len, size_t max_markup, wy_book *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!records_sane(data, len))
		return wy_err_set(ei, WY_ECORRUPT, "cannot read the book: its record list is broken");
	int rc = wy_mobi_load(ei);
	if (rc)
		return rc;
	MOBIRawml *raw = NULL;
	MOBIData *m = lm.init();
	if (!m)
		return wy_err_set(ei, WY_ENOMEM, "out of memory while reading the book");
	/* libmobi reads a FILE: a read-only stream over the bytes, which opens
	 * no file (the converter could not). */
	FILE *f = fmemopen((void *)(uintptr_t)data, len, "rb");
	if (!f) {
		lm.free(m);
		return wy_err_set(ei, WY_ENOMEM, "cannot read the book from memory");
	}
	MOBI_RET r = lm.load_file(m, f);
	fclose(f);
	if (r != MOBI_SUCCESS) {
		rc = wy_err_set(ei, WY_ECORRUPT, "cannot read the book: %s", ret_text(r));
		goto out;
	}
	if (lm.is_encrypted(m)) {
		rc = wy_err_set(ei, WY_EPASSWORD, "DRM-protected");
		goto out;
	}
	/* The text records decompress to at most this (libmobi allocates it
	 * up front): a few KB can declare gigabytes. */
	if (!m->rh || m->rh->text_record_count == 0) {
		rc = wy_err_set(ei, WY_ECORRUPT, "the book has no text");
		goto out;
	}
	/* MOBI_NOTSET (past libmobi's own limit) is larger than any cap. */
	size_t declared = lm.get_text_maxsize(m);
	if (declared > max_markup) {
		rc = wy_err_set(ei, WY_ETOOBIG, "the book's text is larger than %zu MB", max_markup >> 20);
		goto out;
	}
	raw = lm.init_rawml(m);
	if (!raw) {
		rc = wy_err_set(ei, WY_ECORRUPT, "cannot read the book: no text records");
		goto out;
	}
	r = lm.parse_rawml(raw, m);
	if (r != MOBI_SUCCESS) {
		rc = wy_err_set(ei, WY_ECORRUPT, "cannot rebuild the book's text: %s", ret_text(r));
		goto out;
	}
	size_t cap = 0, markup = 0;
	char name[40];
	for (MOBIPart *p = raw->markup; p; p = p->next) {
		if (p->type != T_HTML || !p->data || !p->size)
			continue;
		markup += p->size;
		if (markup > max_markup) {
			rc = wy_err_set(ei, WY_ETOOBIG, "the book's text is larger than %zu MB", max_markup >> 20);
			goto out;
		}
		snprintf(name, sizeof name, "part%05zu.html", p->uid);
		add_file(out, &cap, name, "application/xhtml+xml", p->data, p->size, true);
	}
	if (out->nfiles == 0) {
		rc = wy_err_set(ei, WY_ECORRUPT, "the book has no text");
		goto out;
	}
	/* KF8 stylesheets and SVG live in flows; flow 0 is the text itself. */
	for (MOBIPart *p = raw->flow; p; p = p->next) {
		if (p->uid == 0 || !p->data || !p->size || (p->type != T_CSS && p->type != T_SVG))
			continue;
		markup += p->size;
		if (markup > max_markup) {
			rc = wy_err_set(ei, WY_ETOOBIG, "the book's text is larger than %zu MB", max_markup >> 20);
			goto out;
		}
		bool css = p->type == T_CSS;
		snprintf(name, sizeof name, "flow%05zu.%s", p->uid, css ? "css" : "svg");
		add_file(out, &cap, name, css ? "text/css" : "image/svg+xml", p->data, p->size, false);
	}
	/* Images only: fonts (often obfuscated) fall back to ours, and audio,
	 * video and the rebuilt OPF/NCX are not shown. */
	for (MOBIPart *p = raw->resources; p; p = p->next) {
		const char *media = NULL;
		switch (p->type) {
		case T_JPG: media = "image/jpeg"; break;
		case T_GIF: media = "image/gif"; break;
		case T_PNG: media = "image/png"; break;
		case T_BMP: media = "image/bmp"; break;
		default: break;
		}
		if (!media || !p->data || !p->size)
			continue;
		MOBIFileMeta meta = lm.get_filemeta_by_type(p->type);
		snprintf(name, sizeof name, "resource%05zu.%s", p->uid, meta.extension);
		add_file(out, &cap, name, media, p->data, p->size, false);
	}
	out->title = valid_or_null(lm.meta_get_title(m));
	out->author = valid_or_null(lm.meta_get_author(m));
	wy_debug("mobi.unpacked", "kf8=%d files=%zu markup=%zu", lm.is_kf8(m), out->nfiles, markup);
out:
	if (rc)
		wy_book_free(out);
	if (raw)
		lm.free_rawml(raw);
	lm.free(m);
	return rc;
}

void wy_book_free(wy_book *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nfiles; i++)
		free(b->files[i].data);
	free(b->files);
	free(b->title);
	free(b->author);
	memset(b, 0, sizeof *b);
}

/* web/doc: one document: its page (/doc/N, cached for anonymous
 * visitors), its page images (/blob/...), its download (/download/N) and
 * its JSON twins (/api/v1/doc/N, .../pages, .../search, /api/v1/documents).
 * Who may see it and which pages is account.c's rule (web_can_see,
 * web_pages_readable). */
#include "text/boxes.h"
#include "text/query.h"
#include "text/utf8.h"
#include "view/views.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/reasons.h"
#include "web/web_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <unistd.h>

/* 猜你喜欢, simply for now: the most viewed documents that are neither this
 * one nor already among its related ones. */
/* 猜你喜欢: what visitors of this document also read, else the most read
 * of its category; never what "related" already shows. */
static json_t *you_may_like(wy_store *st, int64_t id, json_t *related)
{
	json_t *a = json_array();
	int64_t ex[16];
	int nex = 0;
	size_t k;
	json_t *r;
	json_array_foreach(related, k, r) if (nex < 16) ex[nex++] = json_integer_value(json_object_get(r, "id"));
	wy_doc_list l = {0};
	if (wy_store_doc_also_read(st, id, ex, nex, 6, &l, NULL) != WY_OK)
		return a;
	for (int i = 0; i < l.n; i++)
		json_array_append_new(a, web_doc_context(&l.items[i]));
	wy_doc_list_clear(&l);
	return a;
}

/* 相关搜索: the queries after which people opened this document, then its
 * keywords; each a link to its search. */
static json_t *related_searches(wy_store *st, const wy_doc *d)
{
	json_t *a = json_array();
	wy_str_list ql = {0};
	wy_store_doc_queries(st, d->id, 6, &ql, NULL);
	char *kw = d->keywords ? wy_xstrdup(d->keywords) : NULL;
	const char *items[16];
	int n = 0;
	for (int i = 0; i < ql.n && n < 16; i++)
		items[n++] = ql.items[i];
	char *save = NULL;
	for (char *t = kw ? strtok_r(kw, " ", &save) : NULL; t && n < 16; t = strtok_r(NULL, " ", &save))
		items[n++] = t;
	for (int i = 0; i < n && json_array_size(a) < 8; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup = dup || strcmp(items[i], items[j]) == 0;
		if (dup || !*items[i])
			continue;
		wy_buf u;
		wy_buf_init(&u, 0);
		wy_buf_puts(&u, "/search?q=");
		web_url_escape(&u, items[i]);
		json_array_append_new(a, json_pack("{s:s, s:s}", "text", items[i], "url", u.data));
		wy_buf_free(&u);
	}
	free(kw);
	wy_str_list_clear(&ql);
	return a;
}

/* The pages the document will have: a readable one's count when its
 * conversion ends (the pages stored so far are d->pages). */
static int pages_total(const wy_doc *d)
{
	return d->status == WY_DOC_READABLE && d->progress_total > d->pages ? d->progress_total : d->pages;
}

/* What the reader shows besides the document (the download's terms are
 * web_doc_viewer's, the outline doc_outline's): the page's description
 * for search engines, the conversion's progress, the end of the preview,
 * a jump past it (past: the page asked for, 0 when none), and the words
 * doc.js fills in. */
static void reader_context(json_t *ctx, const wy_doc *d, int shown, int past, const char *lead)
{
	bool ready = d->status == WY_DOC_READY;
	/* its own text first (seo.c) */
	json_object_set_new(ctx, "meta_description", web_seo_description(lead, d->description));
	json_object_set_new(ctx, "extra_css", json_string("/static/doc.css"));
	/* a conversion under way: "第40页 / 共300页"; readable, the pages
	 * stored so far are in the reader above it, and doc.js adds those
	 * that come */
	bool working = d->status == WY_DOC_QUEUED || d->status == WY_DOC_CONVERTING || d->status == WY_DOC_READABLE;
	json_object_set_new(ctx, "working", json_boolean(working));
	json_object_set_new(ctx, "reader", json_boolean(web_doc_open(d) && d->pages > 0));
	if ((d->status == WY_DOC_CONVERTING || d->status == WY_DOC_READABLE) && d->progress_total > 0) {
		json_object_set_new(ctx, "progress_done", json_integer(d->progress_done));
		json_object_set_new(ctx, "progress_total", json_integer(d->progress_total));
	}
	/* the pages past the preview: what is left, and a jump there */
	int rest = ready && d->pages > shown ? d->pages - shown : 0;
	json_object_set_new(ctx, "rest", json_integer(rest));
	/* the phone's bar starts at page 1; the side lists, when not empty */
	json_object_set_new(ctx, "page", json_integer(1));
	json_object_set_new(ctx, "pages_total", json_integer(pages_total(d)));
	json_object_set_new(ctx, "has_related", json_boolean(json_array_size(json_object_get(ctx, "related")) > 0));
	json_object_set_new(ctx, "has_like", json_boolean(json_array_size(json_object_get(ctx, "you_may_like")) > 0));
	if (past)
		json_object_set_new(ctx, "past_page", json_integer(past));
	/* the sentences doc.js fills in, in the page's language: the
	 * placeholders of these msgids as doc.js's own markers */
	json_object_set_new(ctx, "js_fmt", json_pack("{s:s, s:s, s:s, s:s}", "page", "{n}", "progress_done", "{done}",
						       "progress_total", "{total}", "pages_total", "{total}"));
}

/* The outline of a ready document as the page and the API give it
 * ([{title, page, depth}...]); [] for one not ready (a reconversion that
 * failed keeps the old one in the store, as it keeps the old pages). */
static json_t *doc_outline(wy_store *st, const wy_doc *d)
{
	wy_outline o = {0};
	if (d->status != WY_DOC_READY || wy_store_outline_get(st, d->id, &o, NULL))
		return json_array();
	json_t *a = wy_view_outline(&o);
	wy_outline_free(&o);
	return a;
}

static enum MHD_Result count_args(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	(*(int *)cls)++;
	return MHD_YES;
}

/* What the page of d shows every reader who may read shown pages: the
 * pages (each with its text cut to what a reader scrolls through) and
 * lead (the start of the first text, or null), related documents, readers
 * also read, related searches, the outline. Kept per document
 * (web_doc_shared), so it never depends on who asks. */
static json_t *doc_shared(wy_store *st, const wy_doc *d, int shown)
{
	json_t *items = json_array();
	char *lead = NULL;
	/* readable: the pages stored so far (d->pages counts them) */
	for (int i = 1; web_doc_open(d) && i <= shown; i++) {
		wy_page p;
		if (wy_store_page_get(st, d->id, i, &p, NULL))
			continue;
		const char *text = p.text ? p.text : "";
		size_t tl = wy_utf8_truncate(text, strlen(text), 64 * 1024);
		size_t al = wy_utf8_truncate(text, strlen(text), 120); /* alt: the start of the text */
		if (!lead && *text)
			lead = wy_xstrndup(text, wy_utf8_truncate(text, strlen(text), 300));
		json_t *item = wy_view_page(&p);
		json_object_set_new(item, "text", json_stringn(text, tl));
		json_object_set_new(item, "alt", json_stringn(text, al));
		json_object_set_new(item, "pages_total", json_integer(pages_total(d)));
		/* the first page is what a reader sees first (the largest paint):
		 * fetched at once, the rest when they come near */
		json_object_set_new(item, "first", json_boolean(i == 1));
		json_array_append_new(items, item);
		wy_page_clear(&p);
	}
	wy_doc_list rel = {0};
	json_t *related = json_array();
	if (wy_store_doc_related(st, d->id, 10, &rel, NULL) == WY_OK)
		for (int i = 0; i < rel.n; i++)
			json_array_append_new(related, web_doc_context(&rel.items[i]));
	wy_doc_list_clear(&rel);
	json_t *v = json_object();
	json_object_set_new(v, "page_items", items);
	json_object_set_new(v, "lead", lead ? json_string(lead) : json_null());
	json_object_set_new(v, "you_may_like", you_may_like(st, d->id, related));
	json_object_set_new(v, "related", related);
	json_object_set_new(v, "related_searches", related_searches(st, d));
	json_object_set_new(v, "outline", doc_outline(st, d));
	free(lead);
	return v;
}

/* The page of d for rq into page: qdisp the search it was opened from
 * ("" when none), past the page asked for past the preview (0: none),
 * viewer web_doc_viewer's answer for the reader (NULL: asked here). 0,
 * WY_EIO (the store) or WY_EINVAL (the templates). */
static int render_doc(web_req *rq, const wy_doc *d, const web_kept_at *at, const char *lang, const char *qdisp,
		      int past, json_t *viewer, wy_buf *page)
{
	server *sv = rq->sv;
	bool d_ready = d->status == WY_DOC_READY;
	json_t *ctx = web_doc_context(d);
	json_object_set_new(ctx, "reason_text", d->reason ? json_string(wy_reason_text(lang, d->reason)) : json_null());
	json_object_set_new(ctx, "q", json_string(qdisp));
	/* The pages the reader may read (web_pages_readable: the preview, or
	 * all of them for the owner and admins, as the API and /blob/ give
	 * them) and what the page shows every reader beside them, kept with
	 * the document's row (keep.c). */
	int shown = web_pages_readable(sv, rq, d);
	json_t *sh = web_doc_shared(sv, at, d, shown, doc_shared);
	if (!sh) {
		json_decref(ctx);
		return WY_EIO;
	}
	const char *lead = json_string_value(json_object_get(sh, "lead"));
	json_object_set(ctx, "page_items", json_object_get(sh, "page_items"));
	json_object_set_new(ctx, "shown", json_integer(shown));
	json_object_set_new(ctx, "all_shown", json_boolean(d_ready && shown >= d->pages));
	json_object_set_new(ctx, "has_text", json_boolean(lead != NULL));
	json_object_set_new(ctx, "lead", json_string(lead ? lead : ""));
	json_object_set_new(ctx, "breadcrumb", web_breadcrumb(d->category));
	json_object_set(ctx, "related", json_object_get(sh, "related"));
	json_object_set(ctx, "you_may_like", json_object_get(sh, "you_may_like"));
	json_object_set(ctx, "related_searches", json_object_get(sh, "related_searches"));
	/* the page is cached for every visitor: no Host header in it (the
	 * script makes the link absolute in the reader's browser) */
	char *share = wy_xasprintf("/doc/%lld", (long long)d->id);
	json_object_set_new(ctx, "share_url", json_string(share));
	json_t *outline = json_object_get(sh, "outline");
	json_object_set_new(ctx, "has_outline", json_boolean(json_array_size(outline) > 0));
	json_object_set(ctx, "outline", outline);
	wy_store *st;
	if (viewer) {
		json_object_update(ctx, viewer);
	} else if (web_store(sv, &st, NULL)) {
		free(share);
		json_decref(sh);
		json_decref(ctx);
		return WY_EIO;
	} else {
		web_doc_viewer(st, rq, d, ctx, lang);
		web_edit_context(st, rq, d, ctx, lang); /* its owner's: edit.c */
	}
	json_t *reasons = json_array();
	for (int i = 0; web_report_reasons[i]; i++)
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "value", web_report_reasons[i], "label",
							 wy_i18n_tr(lang, web_report_reasons[i])));
	json_object_set_new(ctx, "report_reasons", reasons);
	reader_context(ctx, d, shown, past, lead);
	/* what search engines read of it (seo.c): the same for every reader */
	web_seo_doc(ctx, d, json_object_get(sh, "page_items"), WEB_SITE_INT(sv, preview_pages));
	free(share);
	json_decref(sh);
	char title[300];
	snprintf(title, sizeof title, "%s", d->title ? d->title : d->filename ? d->filename : "");
	title[wy_utf8_truncate(title, strlen(title), sizeof title - 1)] = 0;
	return web_render_page(rq, title, sv->doc, ctx, page) ? WY_EINVAL : WY_OK;
}

/* The markers of a signed-in reader's kept page: where their name, token,
 * points and the points they lack go; random a process, so no document's
 * text can hold one. */
static char marks[4][24];

static void marks_make(void)
{
	unsigned char r[8];
	randombytes_buf(r, sizeof r);
	for (int m = 0; m < 4; m++) {
		snprintf(marks[m], sizeof marks[m], "wy%02x%02x%02x%02x%02x%02x%02x%02x%c", r[0], r[1], r[2], r[3], r[4],
			 r[5], r[6], r[7], "NCPS"[m]);
	}
}

/* web_doc_viewer's answer for rq's reader with marks for their points
 * and what they lack (given in points, lack); NULL when the store cannot
 * answer. */
static json_t *viewer_marked(web_req *rq, const wy_doc *d, const char *lang, long long *points, long long *lack)
{
	wy_store *st;
	if (web_store(rq->sv, &st, NULL))
		return NULL;
	json_t *va = json_object();
	web_doc_viewer(st, rq, d, va, lang);
	json_t *mp = json_object_get(va, "my_points");
	*points = json_integer_value(mp);
	*lack = json_integer_value(json_object_get(va, "points_short"));
	if (mp)
		json_object_set_new(va, "my_points", json_string(marks[2]));
	if (*lack > 0)
		json_object_set_new(va, "points_short", json_string(marks[3]));
	return va;
}

/* The page of d for a signed-in reader who is neither its owner nor an
 * admin (nor asks anything of it: no query, no flash to show). What
 * web_doc_viewer answers for them is kept by reader and document (their
 * favourite, whether they paid, their points); the page is rendered once
 * for each document, language and such answer with marks where the
 * reader's name, CSRF token and points go (shown elsewhere as they are),
 * kept by keep.c's rule, and the marks filled in here. False when the
 * store cannot answer (the caller renders as for anyone). */
static bool reader_page(web_req *rq, const wy_doc *d, const web_kept_at *at, const char *lang, const char *cookie,
			enum MHD_Result *ret)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, marks_make);
	char key[96];
	snprintf(key, sizeof key, "viewer %lld %lld %s", (long long)rq->user.id, (long long)d->id, lang);
	/* kept by reader: the key of their page, their points and the points
	 * they lack (so a kept page costs no JSON work but its copy) */
	json_t *kv = web_kept_get(at, key), *va = NULL;
	long long points = 0, lack = 0;
	if (!kv) {
		va = viewer_marked(rq, d, lang, &points, &lack);
		if (!va)
			return false;
		char *vkey = json_dumps(va, JSON_SORT_KEYS | JSON_COMPACT);
		char *pk = wy_xasprintf("page %lld %s %s", (long long)d->id, lang, vkey ? vkey : "");
		free(vkey);
		kv = json_pack("{s:s, s:I, s:I}", "page", pk, "points", (json_int_t)points, "lack", (json_int_t)lack);
		free(pk);
		web_kept_put(at, key, kv);
	}
	const char *pkey = json_string_value(json_object_get(kv, "page"));
	points = json_integer_value(json_object_get(kv, "points"));
	lack = json_integer_value(json_object_get(kv, "lack"));
	json_t *kept = pkey ? web_kept_get(at, pkey) : NULL;
	if (!kept) {
		if (!va && !(va = viewer_marked(rq, d, lang, &points, &lack))) {
			json_decref(kv);
			return false;
		}
		wy_buf page;
		char *name = rq->user.name;
		char csrf[65];
		memcpy(csrf, rq->csrf, sizeof csrf);
		rq->user.name = marks[0];
		snprintf(rq->csrf, sizeof rq->csrf, "%s", marks[1]);
		int rc = render_doc(rq, d, at, lang, "", 0, va, &page);
		rq->user.name = name;
		memcpy(rq->csrf, csrf, sizeof csrf);
		if (rc) {
			json_decref(va);
			json_decref(kv);
			*ret = rc == WY_EIO ? web_unavailable(rq) : web_text(rq->c, 500, "the page could not be rendered\n");
			return true;
		}
		kept = json_stringn(page.data ? page.data : "", page.len);
		wy_buf_free(&page);
		if (pkey)
			web_kept_put(at, pkey, kept);
	}
	json_decref(va);
	json_decref(kv);
	/* the marks filled in: the name escaped as {{name}} would */
	const char *t = json_string_value(kept);
	size_t tl = json_string_length(kept), ml = strlen(marks[0]) - 1;
	wy_buf out;
	/* no cap: a page has a mark for each of its forms' tokens (every
	 * comment's reply, report and delete form: comments.c), each filled in
	 * longer than the mark, and a cap would cut the page short */
	wy_buf_init(&out, 0);
	for (size_t i = 0; i < tl;) {
		const char *m = t + i, *end = t + tl; /* the next mark: 'w' is rare enough to look for first */
		while ((m = memchr(m, 'w', (size_t)(end - m))) && ((size_t)(end - m) <= ml || memcmp(m, marks[0], ml) != 0))
			m++;
		if (!m) {
			wy_buf_append(&out, t + i, tl - i);
			break;
		}
		wy_buf_append(&out, t + i, (size_t)(m - t) - i);
		switch (m[ml]) {
		case 'N': wy_html_escape(&out, rq->user.name ? rq->user.name : ""); break;
		case 'C': wy_buf_puts(&out, rq->csrf); break;
		case 'P': wy_buf_printf(&out, "%lld", points); break;
		case 'S': wy_buf_printf(&out, "%lld", lack); break;
		default: wy_buf_append(&out, m, ml + 1); break;
		}
		i = (size_t)(m - t) + ml + 1;
	}
	json_decref(kept);
	size_t len = out.len;
	*ret = web_respond_page(rq, 200, wy_buf_steal(&out), len, cookie);
	return true;
}

static enum MHD_Result page_doc(web_req *rq, int64_t id)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	wy_errinfo ei = {0};
	wy_doc d = {0};
	web_kept_at at;
	int rc = web_doc_get(sv, id, &d, &at, &ei); /* kept while the store is unchanged (keep.c) */
	if (rc)
		return web_fail(rq, rc);
	if (!web_can_see(rq, &d)) {
		wy_doc_clear(&d);
		return web_not_found(rq);
	}
	/* ?p=N is the pager's jump: to that page's anchor when the reader may
	 * read it; a page past what they may read is answered with the page
	 * itself saying why (past_page), never a silent stay at the top. */
	int past = 0;
	const char *jump = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "p");
	if (jump) {
		int readable = web_pages_readable(sv, rq, &d);
		int64_t n = 0;
		bool num = web_path_id(jump, &n) && n >= 1 && n < 1000000;
		if (num && web_doc_open(&d) && n > readable && n <= d.pages) {
			past = (int)n;
		} else {
			char loc[64];
			if (num && web_doc_open(&d))
				snprintf(loc, sizeof loc, "/doc/%lld#p%lld", (long long)id,
					 (long long)(n <= readable ? n : readable));
			else
				snprintf(loc, sizeof loc, "/doc/%lld", (long long)id);
			wy_doc_clear(&d);
			struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Location", loc);
			return web_queue(c, 303, r);
		}
	}
	bool fresh;
	uint64_t visitor = web_visitor_id(c, &fresh);
	if (!rq->head) { /* a HEAD reads nothing */
		web_count_hit(id, false);
		web_count_visit(visitor, id);
	}
	char cookie[96] = "";
	if (fresh)
		snprintf(cookie, sizeof cookie, "wy_v=%016llx; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
			 (unsigned long long)visitor);
	int nargs = 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, count_args, &nargs);
	const char *lang = web_lang(c);
	char flash[64];
	if (!nargs && rq->authed && !web_owner_or_admin(rq, &d) &&
	    !web_cookie_find(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"), "wy_f", flash, sizeof flash)) {
		enum MHD_Result ret;
		if (reader_page(rq, &d, &at, lang, fresh ? cookie : NULL, &ret)) {
			wy_doc_clear(&d);
			return ret;
		}
	}
	/* pages are kept only as anonymous visitors see them */
	if (rq->authed || !web_doc_public(&d))
		nargs++;
	if (!nargs) {
		size_t len;
		char *hit = web_cache_get(id, lang, WEB_SITE_INT(sv, page_cache_ms), &len);
		if (hit) {
			wy_doc_clear(&d);
			return web_respond_page(rq, 200, hit, len, fresh ? cookie : NULL);
		}
	}
	/* opened from search results: the viewer marks the hits, and a link
	 * from the site's results page (its tag) counts towards related
	 * searches; not a query with an excluded clause, which could be any
	 * text the document does not hold */
	const char *qarg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	wy_query *q = qarg ? wy_query_parse(qarg, strlen(qarg)) : NULL;
	if (wy_query_searchable(q) && !wy_query_has_excluded(q) && from && strlen(from) == 16 && !rq->head) {
		char tag[17];
		web_result_tag(id, wy_query_display(q), tag);
		if (sodium_memcmp(tag, from, 16) == 0)
			web_log_click(wy_query_display(q), id, web_visitor_key(sv, c));
	}
	bool d_ready = d.status == WY_DOC_READY; /* a converting one changes by the second */
	wy_buf page;
	rc = render_doc(rq, &d, &at, lang, wy_query_searchable(q) ? wy_query_display(q) : "", past, NULL, &page);
	wy_query_free(q);
	wy_doc_clear(&d);
	if (rc)
		return rc == WY_EIO ? web_unavailable(rq) : web_text(c, 500, "the page could not be rendered\n");
	if (!nargs && d_ready && WEB_SITE_INT(sv, page_cache_ms) > 0)
		web_cache_put(id, lang, page.data, page.len);
	size_t plen = page.len;
	return web_respond_page(rq, 200, wy_buf_steal(&page), plen, fresh ? cookie : NULL);
}

enum MHD_Result web_route_blob(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *sha = rq->rest;
	int fd;
	uint64_t size;
	if (!wy_blob_valid_name(sha))
		return web_text(c, 404, "not found\n");
	/* page images and thumbnails of documents the reader may see, pages
	 * within the preview (past it, the download: its price); never
	 * originals */
	wy_config site;
	web_site_get(sv, &site);
	int preview = site.preview_pages;
	int vis = 0;
	if (web_blob_visibility(sv, sha, rq->authed ? rq->user.id : 0, web_is_admin(rq), preview, &vis))
		return web_unavailable(rq);
	if (vis == 0)
		return web_text(c, 404, "not found\n");
	/* a bucket's object: a redirect to a presigned URL, when the site
	 * says so, now that the reader may see it; the redirect is theirs
	 * (private), kept by the browser for half the URL's life so that a
	 * kept one has not expired; page images and thumbnails are WebP
	 * (keep.c sniffs the same), which the bucket is told to say */
	if (site.blob_redirect_seconds > 0) {
		char *url;
		if (wy_blob_presign(sv->blobs, sha, site.blob_redirect_seconds, "image/webp", &url, NULL) == WY_OK) {
			struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Location", url);
			char cc[64];
			snprintf(cc, sizeof cc, "private, max-age=%d", site.blob_redirect_seconds / 2);
			MHD_add_response_header(r, "Cache-Control", cc);
			free(url);
			return web_queue(c, 302, r);
		}
	}
	const char *type;
	int rc = web_blob_file(sv, sha, &fd, &size, &type); /* both kept while the store is unchanged (keep.c) */
	if (rc)
		return web_text(c, rc == WY_ENOTFOUND ? 404 : 503, rc == WY_ENOTFOUND ? "not found\n" : "unavailable\n");
	char etag[70];
	snprintf(etag, sizeof etag, "\"%s\"", sha);
	return web_send_fd_cache(rq, fd, size, type, etag, NULL, vis == 2);
}

/* The original, named after the document's title (account.c: the name,
 * the price). */
static enum MHD_Result send_download(web_req *rq, int64_t id)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	wy_store *st;
	wy_doc d = {0};
	int rc = web_store(sv, &st, NULL);
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, NULL);
	if (rc)
		return web_text(c, rc == WY_ENOTFOUND ? 404 : 503, rc == WY_ENOTFOUND ? "not found\n" : "unavailable\n");
	/* a signed link (limits.c) is the file when it is good: everything
	 * was checked, counted and paid when it was made */
	bool ok;
	enum MHD_Result ret;
	if (web_download_signed(rq, &d, &ok, &ret)) {
		if (ok)
			ret = web_download_send(rq, &d);
		wy_doc_clear(&d);
		return ret;
	}
	if (!web_can_see(rq, &d)) {
		wy_doc_clear(&d);
		return web_text(c, 404, "not found\n");
	}
	ret = web_download(rq, &d, false);
	wy_doc_clear(&d);
	return ret;
}

enum MHD_Result web_route_doc(web_req *rq)
{
	const char *rest = rq->rest;
	int64_t id;
	const char *slash = strchr(rest, '/');
	if (slash && (strcmp(slash, "/qr.svg") == 0 || strcmp(slash, "/edit") == 0)) {
		char num[24];
		size_t n = (size_t)(slash - rest);
		snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : 0), rest);
		if (n >= sizeof num || !web_path_id(num, &id))
			return web_not_found(rq);
		return slash[1] == 'q' ? web_qr(rq, id) : web_page_edit(rq, id); /* the edit form: edit.c */
	}
	return web_path_id(rest, &id) ? page_doc(rq, id) : web_not_found(rq);
}

enum MHD_Result web_route_download(web_req *rq)
{
	const char *rest = rq->rest;
	int64_t id;
	return web_path_id(rest, &id) ? send_download(rq, id) : web_not_found(rq);
}

/* /api/v1/documents: what the caller may see, counted and paged in SQL. */
enum MHD_Result web_api_documents(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	wy_store *st;
	int offset = web_arg_int(c, "offset", 0, 0, 1 << 30), limit = web_arg_int(c, "limit", 20, 1, 100);
	wy_doc_list l;
	int total;
	if (web_store(sv, &st, NULL) ||
	    wy_store_doc_visible(st, rq->authed ? rq->user.id : 0, web_is_admin(rq), offset, limit, &l, &total, NULL))
		return web_unavailable(rq);
	json_t *a = json_array();
	for (int i = 0; i < l.n; i++)
		if (web_can_see(rq, &l.items[i])) /* the same rule: never shows more */
			json_array_append_new(a, wy_view_doc(&l.items[i]));
	wy_doc_list_clear(&l);
	return web_json(c, 200,
			json_pack("{s:o, s:i, s:i, s:i}", "documents", a, "offset", offset, "limit", limit, "total", total));
}

/* How many printed lines the boxes of code points [s, e) make, counting
 * no further than two. */
static int lines_in(const wy_page *p, size_t s, size_t e)
{
	wy_rect r[2];
	return wy_boxes_rects(p->boxes, p->boxes_len, s, e, r, 2);
}

/* The printed lines of a page: its text cut where wy_boxes_rects starts a
 * new rectangle, each piece with the rectangle its characters cover. A
 * character without a box (a space or line break the converter added)
 * stays with the line before it. The end of a line is found by bisection:
 * how many lines [s, e) makes only grows with e, and each count reads no
 * further than the next line, so a page costs its length times a log. A
 * page without boxes has no lines. */
json_t *web_page_lines(const wy_page *p)
{
	json_t *lines = json_array();
	const char *t = p->text ? p->text : "";
	size_t tl = strlen(t);
	size_t *off = wy_xmalloc((tl + 1) * sizeof *off); /* byte offset of each code point */
	size_t ncp = 0;
	for (size_t i = 0; i < tl; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			off[ncp++] = i;
	off[ncp] = tl;
	size_t n = p->boxes_len % WY_BOX_SIZE ? 0 : p->boxes_len / WY_BOX_SIZE;
	if (n > ncp)
		n = ncp;
	for (size_t s = 0; s < n;) {
		size_t e = n;
		if (lines_in(p, s, n) > 1) {
			size_t lo = s, hi = n; /* lines_in(s, lo) <= 1 < lines_in(s, hi) */
			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;
				if (lines_in(p, s, mid) <= 1)
					lo = mid;
				else
					hi = mid;
			}
			e = lo;
		}
		wy_rect r;
		if (wy_boxes_rects(p->boxes, p->boxes_len, s, e, &r, 1) == 1) {
			size_t a = off[s], z = off[e];
			while (a < z && (t[a] == ' ' || t[a] == '\n' || t[a] == '\t' || t[a] == '\r'))
				a++;
			while (z > a && (t[z - 1] == ' ' || t[z - 1] == '\n' || t[z - 1] == '\t' || t[z - 1] == '\r'))
				z--;
			if (z > a)
				json_array_append_new(lines, json_pack("{s:s%, s:[i,i,i,i]}", "text", t + a, z - a, "box",
								       r.x0, r.y0, r.x1, r.y1));
		}
		if (e <= s)
			break; /* cannot happen (lines_in(s, s + 1) <= 1): never loop */
		s = e;
	}
	free(off);
	return lines;
}

/* GET /api/v1/doc/N/layout?from=F&count=C: the printed lines of pages
 * from F (at most 10), for the text layer over the page images; only the
 * pages the reader may read (web_pages_readable), as the pages API. */
static enum MHD_Result api_layout(web_req *rq, wy_store *st, const wy_doc *d)
{
	struct MHD_Connection *c = rq->c;
	int from = web_arg_int(c, "from", 1, 1, 1 << 30), count = web_arg_int(c, "count", 4, 1, 10);
	int last = web_pages_readable(rq->sv, rq, d);
	json_t *a = json_array();
	for (int i = from; web_doc_open(d) && i <= last && i < from + count; i++) {
		wy_page pg;
		if (wy_store_page_get(st, d->id, i, &pg, NULL))
			break;
		json_array_append_new(a, json_pack("{s:i, s:o}", "page", i, "lines", web_page_lines(&pg)));
		wy_page_clear(&pg);
	}
	return web_json(c, 200, json_pack("{s:I, s:o}", "id", (json_int_t)d->id, "items", a));
}

/* /api/v1/doc/N[/pages|/search|/outline|/layout|/comments]: path is what follows doc/. */
enum MHD_Result web_api_doc(web_req *rq)
{
	server *sv = rq->sv;
	struct MHD_Connection *c = rq->c;
	const char *path = rq->rest;
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_unavailable(rq);
	enum MHD_Result ret;
	int64_t id = 0;
	const char *rest = NULL;
	char num[24];
	const char *p = path, *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : sizeof num - 1), p);
	rest = slash ? slash + 1 : "";
	wy_doc d;
	int rc = n < sizeof num && web_path_id(num, &id) ? wy_store_doc_get(st, id, &d, &ei) : WY_ENOTFOUND;
	if (!rc && !web_can_see(rq, &d)) {
		wy_doc_clear(&d);
		rc = WY_ENOTFOUND;
	}
	if (rc) {
		ret = rc == WY_ENOTFOUND ? web_api_error(c, 404, "no such document") : web_unavailable(rq);
	} else if (*rest == 0) {
		json_t *v = wy_view_doc(&d);
		if (web_owner_or_admin(rq, &d)) {
			json_object_set_new(v, "uploader", json_string(d.uploader ? d.uploader : ""));
			json_object_set_new(v, "state", json_string(wy_doc_state_name(d.state)));
			json_object_set_new(v, "private", json_boolean(d.private_));
			json_object_set_new(v, "new_version", web_edit_version(st, d.id)); /* edit.c */
		}
		if (rq->authed) /* whether its download is free for the reader */
			json_object_set_new(v, "paid", json_boolean(web_download_paid(st, rq, &d)));
		ret = web_json(c, 200, v);
		wy_doc_clear(&d);
	} else if (strcmp(rest, "pages") == 0) {
		/* Pages from `from`, at most `count` (text can be long). */
		int from = web_arg_int(c, "from", 1, 1, 1 << 30), count = web_arg_int(c, "count", 20, 1, 100);
		json_t *a = json_array();
		/* the preview's pages, as on the document page (all for its
		 * owner and admins) */
		int last = web_pages_readable(sv, rq, &d);
		for (int i = from; web_doc_open(&d) && i <= last && i < from + count; i++) {
			wy_page pg;
			if (wy_store_page_get(st, id, i, &pg, NULL))
				break;
			json_array_append_new(a, wy_view_page(&pg));
			wy_page_clear(&pg);
		}
		ret = web_json(c, 200, json_pack("{s:I, s:i, s:o}", "id", (json_int_t)id, "pages", d.pages, "items", a));
		wy_doc_clear(&d);
	} else if (strcmp(rest, "layout") == 0) {
		ret = api_layout(rq, st, &d);
		wy_doc_clear(&d);
	} else if (strcmp(rest, "comments") == 0) {
		ret = web_comments_api(rq, st, &d); /* comments.c */
		wy_doc_clear(&d);
	} else if (strcmp(rest, "outline") == 0) {
		/* bookmarks, table of contents: [] when it has none */
		ret = web_json(c, 200, json_pack("{s:I, s:o}", "id", (json_int_t)id, "items", doc_outline(st, &d)));
		wy_doc_clear(&d);
	} else if (strcmp(rest, "search") == 0) {
		/* in-document search: pages and hit rectangles */
		const char *qa = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
		wy_query *q = wy_query_parse(qa ? qa : "", qa ? strlen(qa) : 0);
		json_t *res = NULL;
		if (!web_doc_open(&d) || !wy_query_searchable(q))
			res = json_pack("{s:I, s:s, s:i, s:[]}", "id", (json_int_t)id, "query", wy_query_display(q),
					"total", 0, "pages");
		/* hits past the preview are for its owner and admins (the
		 * rest read on in the download): those pages are not even
		 * searched, so a visitor's query costs the preview's pages */
		else if (wy_view_doc_search(st, &d, web_pages_readable(sv, rq, &d), q,
					    web_arg_int(c, "max_pages", 200, 1, 1000), WEB_SITE_INT(sv, search_timeout_ms), &res,
					    &ei))
			res = NULL;
		wy_query_free(q);
		wy_doc_clear(&d);
		ret = res ? web_json(c, 200, res) : web_api_error(c, 503, "search unavailable");
	} else {
		wy_doc_clear(&d);
		ret = web_api_error(c, 404, "no such resource");
	}
	return ret;
}

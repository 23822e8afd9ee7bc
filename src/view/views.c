/* views: store objects as JSON. Strings from the store are UTF-8 (checked
 * at ingest); jansson escapes them. */
#include "view/views.h"

#include "core/util.h"
#include "text/boxes.h"
#include "text/query.h"
#include "text/suggest.h"
#include "text/utf8.h"
#include "web/reasons.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Bytes of a page searched for a snippet's hits (four times this for the
 * in-document search's): a page of a megabyte of text must not make one
 * request cost seconds of a core. */
#define VIEW_TEXT_MAX (64u << 10)

void wy_mask_name(const char *name, char *out, size_t size)
{
	/* code points, not bytes: 张三丰 → 张****, scholarly → sc****y */
	const char *p = name, *end = name + strlen(name);
	const char *cut[64];
	int n = 0;
	while (p < end && n < 64) {
		cut[n++] = p;
		if (wy_utf8_decode(&p, end) < 0)
			break;
	}
	size_t first = n > 3 ? (size_t)(cut[2] - name) : n > 0 ? (size_t)(cut[1] - name) : 0;
	const char *last = n > 3 ? cut[n - 1] : end;
	if (first >= size)
		first = 0;
	snprintf(out, size, "%.*s****%s", (int)first, name, last);
}

json_t *wy_view_doc(const wy_doc *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(d->id));
	json_object_set_new(o, "title", str_or_null(d->title));
	json_object_set_new(o, "filename", json_string(d->filename ? d->filename : ""));
	json_object_set_new(o, "format", str_or_null(d->format));
	json_object_set_new(o, "category", str_or_null(d->category));
	json_object_set_new(o, "pages", json_integer(d->pages));
	json_object_set_new(o, "size", json_integer(d->size));
	json_object_set_new(o, "sha256", json_string(d->sha256));
	json_object_set_new(o, "status", json_string(wy_doc_status_name(d->status)));
	/* converting or readable: pages converted so far ("done/total"; a
	 * readable one's first `pages` of them are stored and may be read);
	 * ready: a scan whose later pages are still being recognised, a batch
	 * at a time (wy_job.ocr_from) */
	if (d->progress_total &&
	    (d->status == WY_DOC_CONVERTING || d->status == WY_DOC_READABLE || d->status == WY_DOC_READY)) {
		char pr[32];
		snprintf(pr, sizeof pr, "%d/%d", d->progress_done, d->progress_total);
		json_object_set_new(o, d->status == WY_DOC_READY ? "recognising" : "progress", json_string(pr));
	}
	json_object_set_new(o, "reason", str_or_null(d->reason));
	/* its stable code (reasons.c), for clients that word it themselves */
	json_object_set_new(o, "reason_code", d->reason ? json_string(wy_reason_code(d->reason)) : json_null());
	json_object_set_new(o, "author", str_or_null(d->author));
	json_object_set_new(o, "created_at", json_integer(d->created_at));
	json_object_set_new(o, "views", json_integer(d->views));
	json_object_set_new(o, "downloads", json_integer(d->downloads));
	json_object_set_new(o, "keywords", str_or_null(d->keywords));
	json_object_set_new(o, "description", str_or_null(d->description));
	json_object_set_new(o, "tags", str_or_null(d->tags));
	json_object_set_new(o, "price", json_integer(d->price));
	/* readers' average stars to one decimal (null before the first) */
	json_object_set_new(o, "rating", d->ratings > 0 ? json_real((double)(int64_t)(d->rating * 10 + 0.5) / 10) : json_null());
	json_object_set_new(o, "ratings", json_integer(d->ratings));
	if (d->uploader) {
		char masked[64];
		wy_mask_name(d->uploader, masked, sizeof masked);
		json_object_set_new(o, "uploader", json_string(masked));
	} else {
		json_object_set_new(o, "uploader", json_null());
	}
	json_object_set_new(o, "duplicate_of", d->dup_of ? json_integer(d->dup_of) : json_null());
	if (d->thumb_sha256[0]) {
		char url[80];
		snprintf(url, sizeof url, "/blob/%s", d->thumb_sha256);
		json_object_set_new(o, "thumbnail", json_string(url));
	} else {
		json_object_set_new(o, "thumbnail", json_null());
	}
	char dl[48];
	snprintf(dl, sizeof dl, "/download/%lld", (long long)d->id);
	json_object_set_new(o, "download", json_string(dl));
	return o;
}

json_t *wy_view_page(const wy_page *p)
{
	char url[80];
	snprintf(url, sizeof url, "/blob/%s", p->image_sha256);
	return json_pack("{s:i, s:s, s:i, s:i, s:s}", "page", p->page_no, "image", url, "width", p->width, "height",
			 p->height, "text", p->text ? p->text : "");
}

json_t *wy_view_outline(const wy_outline *o)
{
	json_t *a = json_array();
	for (int i = 0; o && i < o->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:i, s:i}", "title", o->items[i].title, "page", o->items[i].page,
						   "depth", o->items[i].depth));
	return a;
}

json_t *wy_view_category(const wy_category *c)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:i}", "id", (json_int_t)c->id, "name", c->name, "path", c->path,
			 "parent_id", (json_int_t)c->parent_id, "documents", c->docs);
}

json_t *wy_view_snippet(const char *text, size_t len, const wy_query *q, bool relaxed, int width)
{
	wy_hit hits[64];
	int n = relaxed ? wy_query_hits_relaxed(q, text, len, VIEW_TEXT_MAX, hits, 64)
			: wy_query_hits(q, text, len, VIEW_TEXT_MAX, hits, 64);
	wy_snippet sn;
	wy_snippet_make(text, len, hits, n < 64 ? n : 64, width, &sn);
	json_t *segs = json_array();
	for (int i = 0; i < sn.n; i++) {
		/* line breaks of the page read as spaces in one line of snippet */
		char *t = wy_xstrndup(text + sn.seg[i].start, sn.seg[i].end - sn.seg[i].start);
		for (char *c = t; *c; c++)
			if (*c == '\n' || *c == '\r' || *c == '\t')
				*c = ' ';
		json_array_append_new(segs, json_pack("{s:s, s:b}", "text", t, "hit", sn.seg[i].hit));
		free(t);
	}
	return json_pack("{s:o, s:b, s:b, s:i}", "segments", segs, "cut_before", sn.cut_before, "cut_after",
			 sn.cut_after, "hits", n);
}

/* How many strict matches text has as a query for the reader of req,
 * searched within what is left of the budget of req (0 when none is). */
static int strict_count(wy_store *st, const wy_search_req *req, int64_t deadline, const char *text)
{
	int64_t left = deadline - wy_now_ms();
	if (req->max_ms > 0 && left <= 0)
		return 0;
	wy_query *q = wy_query_parse(text, strlen(text));
	wy_search_req r2 = *req;
	if (req->max_ms > 0)
		r2.max_ms = (int)left;
	r2.query = q;
	r2.offset = 0;
	r2.limit = 1;
	r2.strict_only = true;
	r2.pages_shown = NULL;
	wy_search_result r;
	int n = 0;
	if (wy_query_searchable(q) && wy_store_search(st, &r2, &r, NULL) == WY_OK) {
		n = r.strict;
		wy_search_result_clear(&r);
	}
	wy_query_free(q);
	return n;
}

static json_t *suggested(const char *query, const char *kind, int n)
{
	return json_pack("{s:s, s:s, s:i}", "query", query, "kind", kind, "total", n);
}

/* Titles longer than this are no query to suggest. */
#define SUGGEST_TITLE_MAX 40

/* "Did you mean": for a search with fewer strict matches than a page, the
 * query in the other script when that finds more; and when nothing
 * matched strictly, the most alike of the queries searched most often, or
 * else the title of the best relaxed match. Each is searched for this
 * reader before it is offered, so a suggestion always finds something,
 * within what is left of the search's budget. NULL: nothing to suggest. */
static json_t *suggestion(wy_store *st, const wy_search_req *req, int64_t deadline, const wy_search_result *r)
{
	if (r->strict >= WY_SEARCH_RELAX_BELOW)
		return NULL;
	const char *shown = wy_query_display(req->query);
	size_t len = strlen(shown);
	char *alt = wy_other_script(shown, len);
	if (alt) {
		int n = strict_count(st, req, deadline, alt);
		json_t *o = n > r->strict ? suggested(alt, "script", n) : NULL;
		free(alt);
		if (o)
			return o;
	}
	if (r->strict)
		return NULL;
	wy_str_list pop;
	const char *best = NULL;
	double best_d = 0.5;
	if (wy_store_popular_queries(st, 2, 500, &pop, NULL) == WY_OK) {
		for (int i = 0; i < pop.n; i++) {
			if (strpbrk(pop.items[i], "-\"") || strstr(pop.items[i], "\xef\xbc\x8d"))
				continue; /* only plain words: no exclusion, no phrase */
			double d = wy_text_dice(shown, len, pop.items[i], strlen(pop.items[i]));
			if (d >= best_d && d < 0.999) {
				best_d = d;
				best = pop.items[i];
			}
		}
		int n = best ? strict_count(st, req, deadline, best) : 0;
		json_t *o = n ? suggested(best, "popular", n) : NULL;
		wy_str_list_clear(&pop);
		if (o)
			return o;
	}
	if (r->n && r->items[0].kind == WY_HIT_RELAXED && r->items[0].doc.title) {
		const char *t = r->items[0].doc.title;
		size_t tl = strlen(t), cps = 0;
		for (size_t i = 0; i < tl; i++)
			cps += ((unsigned char)t[i] & 0xC0) != 0x80;
		if (cps <= SUGGEST_TITLE_MAX && wy_text_dice(shown, len, t, tl) >= 0.5) {
			int n = strict_count(st, req, deadline, t);
			if (n)
				return suggested(t, "title", n);
		}
	}
	return NULL;
}

int wy_view_search(wy_store *st, const wy_search_req *req, int snippets, json_t **out, wy_errinfo *ei)
{
	wy_search_result r;
	int64_t deadline = wy_now_ms() + req->max_ms; /* the suggestion's searches share the budget */
	int rc = wy_store_search(st, req, &r, ei);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (int i = 0; i < r.n; i++) {
		const wy_search_hit *h = &r.items[i];
		json_t *o = wy_view_doc(&h->doc);
		bool relaxed = h->kind == WY_HIT_RELAXED;
		json_object_set_new(o, "match", json_string(relaxed		       ? "relaxed"
							    : h->kind == WY_HIT_PINYIN ? "pinyin"
										       : "strict"));
		json_object_set_new(o, "score", json_real(h->score));
		if (relaxed)
			json_object_set_new(o, "coverage", json_real(h->coverage));
		json_object_set_new(o, "in_title", json_boolean(h->in_title));
		/* found by its title or keywords alone: no page to list */
		json_object_set_new(o, "title_only", json_boolean(h->in_title && !h->npages));
		json_object_set_new(o, "matching_pages", json_integer(h->npages));
		/* near-duplicates folded into this result (wy_search_hit.similar) */
		json_t *sim = json_array();
		for (int k = 0; k < h->nsimilar && k < WY_SEARCH_SIMILAR; k++)
			json_array_append_new(sim, json_integer(h->similar[k]));
		json_object_set_new(o, "similar", sim);
		json_object_set_new(o, "similar_count", json_integer(h->nsimilar));
		const char *title = h->doc.title ? h->doc.title : h->doc.filename ? h->doc.filename : "";
		json_object_set_new(o, "title_snippet", wy_view_snippet(title, strlen(title), req->query, relaxed, 200));
		json_t *pages = json_array();
		for (int k = 0; k < h->npages_shown; k++) {
			json_t *pg = json_object();
			json_object_set_new(pg, "page", json_integer(h->pages[k]));
			if (k < snippets) {
				wy_page p;
				if (!wy_store_page_get(st, h->doc.id, h->pages[k], &p, NULL)) {
					const char *t = p.text ? p.text : "";
					json_object_set_new(pg, "snippet", wy_view_snippet(t, strlen(t), req->query, relaxed, 90));
					wy_page_clear(&p);
				}
			}
			json_array_append_new(pages, pg);
		}
		json_object_set_new(o, "hit_pages", pages);
		/* No page to show a hit on (the query matched the title, or pages
		 * the reader may not read): what the document is about instead,
		 * from its description or else its first page, never from a page
		 * past h->last_page. */
		if (!h->npages_shown) {
			const char *text = h->doc.description;
			wy_page p = {0};
			if ((!text || !*text) && h->last_page >= 1 && !wy_store_page_get(st, h->doc.id, 1, &p, NULL))
				text = p.text;
			if (text && *text)
				json_object_set_new(o, "summary", wy_view_snippet(text, strlen(text), req->query, relaxed, 90));
			wy_page_clear(&p);
		}
		json_array_append_new(items, o);
	}
	json_t *sug = req->offset ? NULL : suggestion(st, req, deadline, &r);
	*out = json_pack("{s:s, s:i, s:i, s:b, s:i, s:i, s:o, s:o}", "query", wy_query_display(req->query), "total",
			 r.total, "strict_total", r.strict, "more", r.more, "offset", req->offset, "limit", req->limit,
			 "results", items, "suggest", sug ? sug : json_null());
	wy_search_result_clear(&r);
	return WY_OK;
}

/* Code points of text before byte offset off. */
static size_t cp_index(const char *text, size_t off)
{
	size_t n = 0;
	for (size_t i = 0; i < off; i++)
		n += ((unsigned char)text[i] & 0xC0) != 0x80;
	return n;
}

int wy_view_doc_search(wy_store *st, const wy_doc *d, int last_page, const wy_query *q, int max_pages, int max_ms,
		       json_t **out, wy_errinfo *ei)
{
	int *pages = wy_xcalloc((size_t)(max_pages > 0 ? max_pages : 1), sizeof *pages);
	int n = 0;
	int rc = wy_store_doc_search(st, d->id, last_page, q, false, pages, max_pages, &n, ei);
	/* no clause anywhere (a relaxed match was opened): the terms instead */
	bool relaxed = !rc && !n && wy_query_nterms(q) >= 2;
	if (relaxed)
		rc = wy_store_doc_search(st, d->id, last_page, q, true, pages, max_pages, &n, ei);
	if (rc) {
		free(pages);
		return rc;
	}
	json_t *items = json_array();
	/* finding the hits on a page costs its text's length times the
	 * query's: a budget keeps a long document from holding a core */
	int64_t deadline = wy_now_ms() + max_ms;
	bool partial = false;
	for (int i = 0; i < n && i < max_pages; i++) {
		if (max_ms > 0 && wy_now_ms() >= deadline) {
			partial = true;
			break;
		}
		wy_page p;
		if (wy_store_page_get(st, d->id, pages[i], &p, NULL))
			continue;
		const char *t = p.text ? p.text : "";
		size_t len = strlen(t);
		wy_hit hits[50];
		int nh = relaxed ? wy_query_hits_relaxed(q, t, len, VIEW_TEXT_MAX * 4, hits, 50)
				 : wy_query_hits(q, t, len, VIEW_TEXT_MAX * 4, hits, 50);
		json_t *ha = json_array();
		size_t cp = 0, at = 0; /* code points counted up to byte at */
		for (int k = 0; k < nh && k < 50; k++) {
			cp += cp_index(t + at, hits[k].start - at);
			at = hits[k].start;
			size_t cp_end = cp + cp_index(t + at, hits[k].end - at);
			wy_rect rects[8];
			int nr = wy_boxes_rects(p.boxes, p.boxes_len, cp, cp_end, rects, 8);
			json_t *ra = json_array();
			for (int r = 0; r < nr; r++)
				json_array_append_new(ra, json_pack("[f, f, f, f]", rects[r].x0 / (double)WY_BOX_UNIT,
								    rects[r].y0 / (double)WY_BOX_UNIT,
								    rects[r].x1 / (double)WY_BOX_UNIT,
								    rects[r].y1 / (double)WY_BOX_UNIT));
			/* a snippet of the words around this hit */
			size_t from = hits[k].start > 60 ? hits[k].start - 60 : 0, to = hits[k].end + 60 < len ? hits[k].end + 60 : len;
			while (from > 0 && ((unsigned char)t[from] & 0xC0) == 0x80)
				from--;
			while (to < len && ((unsigned char)t[to] & 0xC0) == 0x80)
				to++;
			json_t *o = json_pack("{s:o}", "rects", ra);
			json_object_set_new(o, "snippet", wy_view_snippet(t + from, to - from, q, relaxed, 40));
			json_array_append_new(ha, o);
		}
		json_array_append_new(items, json_pack("{s:i, s:i, s:o}", "page", pages[i], "count", nh, "hits", ha));
		wy_page_clear(&p);
	}
	*out = json_pack("{s:I, s:s, s:s, s:i, s:b, s:o}", "id", (json_int_t)d->id, "query", wy_query_display(q), "match",
			 relaxed ? "relaxed" : "strict", "total", n, "partial", partial, "pages", items);
	free(pages);
	return WY_OK;
}

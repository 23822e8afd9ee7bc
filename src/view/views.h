/* view/views: JSON forms of the store's objects, shared by the API
 * (/api/v1/...) and the command line's --json, so both say the same thing
 * with the same field names (docs/api.md). Each returns a new reference. */
#ifndef WY_VIEWS_H
#define WY_VIEWS_H

#include <jansson.h>

#include "store/store.h"

/* A document; its uploader's name masked (wy_mask_name). */
json_t *wy_view_doc(const wy_doc *d);

/* An uploader's name as others see it: the first two characters, ****, the
 * last one ("scholarly" → "sc****y"); a name of three characters or fewer
 * keeps only its first ("张三丰" → "张****"). */
void wy_mask_name(const char *name, char *out, size_t size);
json_t *wy_view_page(const wy_page *p);
json_t *wy_view_category(const wy_category *c);

/* A document's outline: [{"title", "page", "depth"}...] in reading order,
 * depth 0 the top level (text/outline.h); [] for NULL. */
json_t *wy_view_outline(const wy_outline *o);

typedef struct wy_query wy_query;

/* text[0..len) around the query's hits as snippet segments:
 * {"segments": [{"text", "hit"}...], "cut_before", "cut_after", "hits"},
 * about width characters. relaxed: the hits are the query's terms
 * wherever they are (a relaxed match), not its clauses. */
json_t *wy_view_snippet(const char *text, size_t len, const wy_query *q, bool relaxed, int width);

/* A results page: the store's search for req (req->query must be set) with,
 * for each document, its view, its title as segments with hits marked, and
 * snippets of its best pages (at most snippets of them) among those
 * req->pages_shown allows; a document with no such page gets a "summary"
 * snippet of its description or else its first page instead:
 * {"query", "total", "strict_total", "more", "offset", "limit", "results":
 * [...]}; each result says "match": "strict" or "relaxed" (then with its
 * "coverage"), and "title_only" when only its title or keywords match;
 * "suggest" is {"query", "kind": "script" | "popular" | "title", "total"}
 * ("did you mean", on the first page of results) or null.
 * Errors are the store's. */
int wy_view_search(wy_store *st, const wy_search_req *req, int snippets, json_t **out, wy_errinfo *ei);

/* Search inside document d, on its pages 1..last_page (the rest are not
 * searched): the pages where q matches (or, when no clause of q is on any,
 * where its terms are: "match": "relaxed", as a relaxed result opened from
 * the results page needs), each with its hits:
 * {"id", "query", "total", "pages": [{"page", "hits": [{"rects": [[x0, y0,
 * x1, y1]...], "snippet"...}]}]}; rectangles are fractions of the page's
 * width and height. At most max_pages pages and 50 hits a page; when
 * max_ms (> 0) pass before every matching page has its hits, the rest are
 * left out and "partial" is true. */
int wy_view_doc_search(wy_store *st, const wy_doc *d, int last_page, const wy_query *q, int max_pages, int max_ms,
		       json_t **out,
		       wy_errinfo *ei);

#endif

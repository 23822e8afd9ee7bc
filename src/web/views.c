/* views: store objects as JSON. Strings from the store are UTF-8 (checked
 * at ingest); jansson escapes them. */
#include "web/views.h"

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

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
	json_object_set_new(o, "reason", str_or_null(d->reason));
	json_object_set_new(o, "author", str_or_null(d->author));
	json_object_set_new(o, "created_at", json_integer(d->created_at));
	json_object_set_new(o, "views", json_integer(d->views));
	json_object_set_new(o, "downloads", json_integer(d->downloads));
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

json_t *wy_view_category(const wy_category *c)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:i}", "id", (json_int_t)c->id, "name", c->name, "path", c->path,
			 "parent_id", (json_int_t)c->parent_id, "documents", c->docs);
}

/* web/edit: an owner edits a document and replaces its original.
 *
 * GET /doc/{id}/edit is the form (it works without a script); POST
 * /doc/{id}/edit and its JSON twin change any of title, description,
 * category, tags, price and privacy (wy_store_doc_edit: one transaction);
 * POST /doc/{id}/replace and its twin take a new original as /upload takes
 * a file (upload.c streams it into the blob store with the same limits and
 * the same first gate) and queue it as a new version (wy_store_doc_replace),
 * which the worker converts while readers keep the old one.
 *
 * Who may: the document's owner and admins. Another signed-in user gets
 * 404 for a document they may not see (its existence is not theirs to
 * learn) and 403 for one they may see but do not own (docs/api.md). */
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/reasons.h"
#include "view/views.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_CHARS 200
#define DESC_CHARS 5000
#define TAGS_CHARS 300
#define TAGS_MAX 20
#define PRICE_MAX 100000

/* Code points of s[0..n), or -1 when it is not UTF-8 or holds a control
 * character (line breaks and tabs only where lines is set) or a hidden
 * one (bidirectional overrides ...). */
static long text_chars(const char *s, size_t n, bool lines)
{
	if (!wy_utf8_valid(s, n))
		return -1;
	long k = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			return -1;
		bool brk = cp == '\n' || cp == '\r' || cp == '\t';
		if (!(lines && brk) && wy_is_hidden_control((uint32_t)cp)) /* C0, DEL, C1, bidi marks */
			return -1;
		k++;
	}
	return k;
}

/* s without white space at its ends, in out (size bytes). */
static void trim(const char *s, size_t n, char *out, size_t size)
{
	while (n && strchr(" \t\r\n", *s)) {
		s++;
		n--;
	}
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	if (n >= size)
		n = wy_utf8_truncate(s, n, size - 1);
	memcpy(out, s, n);
	out[n] = 0;
}

/* Tags as the form gives them ("a, b，c"): trimmed, empty ones dropped,
 * joined by ","; false when too many. */
static bool norm_tags(const char *in, char *out, size_t size)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	int n = 0;
	const char *p = in;
	while (*p) {
		const char *comma = strchr(p, ','), *wide = strstr(p, "，");
		const char *e = comma && (!wide || comma < wide) ? comma : wide ? wide : p + strlen(p);
		char tag[TAGS_CHARS * 4 + 1];
		trim(p, (size_t)(e - p), tag, sizeof tag);
		if (*tag) {
			wy_buf_printf(&b, "%s%s", n ? "," : "", tag);
			n++;
		}
		p = *e == ',' ? e + 1 : *e ? e + strlen("，") : e;
	}
	snprintf(out, size, "%s", b.data ? b.data : "");
	wy_buf_free(&b);
	return n <= TAGS_MAX;
}

/* The edit's values as the form sent them, kept for the form shown again
 * after an error. */
typedef struct edit_form {
	char title[TITLE_CHARS * 4 + 1];
	char description[DESC_CHARS * 4 + 1];
	char category[1001];
	char tags[TAGS_CHARS * 4 + 1];
	wy_doc_edit e;
} edit_form;

/* A text field of the edit: its value, "" when emptied (the form's
 * decoding drops empty values, so an emptied field is absent: the page's
 * form sends every field, and an API client names the fields it clears in
 * clear=description,tags,category), or NULL: unchanged. */
static const char *text_field(web_req *r, const char *key, size_t *n)
{
	const char *v = web_form_get(r, key, n);
	if (v)
		return v;
	*n = 0;
	if (!r->api)
		return "";
	const char *clear = web_form_get(r, "clear", NULL);
	size_t k = strlen(key);
	for (const char *p = clear; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
		if (strncmp(p, key, k) == 0 && (p[k] == ',' || !p[k]))
			return "";
	return NULL;
}

/* Read and check the fields of an edit (each absent one unchanged): the
 * reason to refuse (a msgid), or NULL. *any: some field was given. */
static const char *read_edit(web_req *r, const wy_doc *d, edit_form *f, bool *any)
{
	wy_config site;
	web_site_get(r->sv, &site);
	memset(f, 0, sizeof *f);
	f->e.price = -1;
	f->e.private_ = -1;
	f->e.review = site.upload_review && !web_skips_review(r); /* new words are reviewed as an upload is */
	*any = false;
	size_t n;
	const char *v;
	if ((v = text_field(r, "title", &n))) {
		*any = true;
		long k = text_chars(v, n, false);
		if (k < 0)
			return N_("标题含有无效的字符（须为 UTF-8 文本，不含控制字符）。");
		trim(v, n, f->title, sizeof f->title);
		if (!*f->title)
			return N_("标题不能为空。");
		if (k > TITLE_CHARS)
			return N_("标题最多200个字。");
		/* the same title is no change: it stays the converter's until
		 * its owner writes one */
		if (!d->title || strcmp(d->title, f->title) != 0)
			f->e.title = f->title;
	}
	if ((v = text_field(r, "description", &n))) {
		*any = true;
		long k = text_chars(v, n, true);
		if (k < 0)
			return N_("简介含有无效的字符（须为 UTF-8 文本）。");
		if (k > DESC_CHARS)
			return N_("简介最多5000个字。");
		trim(v, n, f->description, sizeof f->description);
		f->e.description = f->description;
	}
	if ((v = text_field(r, "category", &n))) {
		*any = true;
		if (text_chars(v, n, false) < 0 || n >= sizeof f->category)
			return N_("没有这个分类。");
		trim(v, n, f->category, sizeof f->category);
		f->e.category = f->category;
	}
	if ((v = text_field(r, "tags", &n))) {
		*any = true;
		long k = text_chars(v, n, false);
		if (k < 0)
			return N_("标签含有无效的字符（须为 UTF-8 文本，不含控制字符）。");
		if (k > TAGS_CHARS || !norm_tags(v, f->tags, sizeof f->tags))
			return N_("标签最多20个，合计不超过300个字。");
		f->e.tags = f->tags;
	}
	if ((v = web_form_get(r, "price", &n))) {
		*any = true;
		char *end = NULL;
		long long p = *v ? strtoll(v, &end, 10) : -1;
		if (!end || *end || p < 0 || p > PRICE_MAX)
			return N_("价格须为0到100000之间的整数积分。");
		f->e.price = p;
	}
	if ((v = web_form_get(r, "private", &n))) {
		*any = true;
		if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0)
			f->e.private_ = 1;
		else if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "false") == 0)
			f->e.private_ = 0;
		else
			return N_("“私有”须为0或1。");
	}
	return NULL;
}

/* The document JSON an owner sees (as GET /api/v1/doc/{id} gives it to
 * them), with its pending new version. */
static json_t *owner_view(wy_store *st, const wy_doc *d)
{
	json_t *v = wy_view_doc(d);
	json_object_set_new(v, "uploader", json_string(d->uploader ? d->uploader : ""));
	json_object_set_new(v, "state", json_string(wy_doc_state_name(d->state)));
	json_object_set_new(v, "private", json_boolean(d->private_));
	json_object_set_new(v, "new_version", web_edit_version(st, d->id));
	return v;
}

json_t *web_edit_version(wy_store *st, int64_t doc_id)
{
	wy_doc_version ver;
	if (wy_store_doc_version(st, doc_id, &ver, NULL))
		return json_null();
	const char *status = ver.status == WY_DOC_FAILED ? "failed" : ver.status == WY_DOC_QUEUED ? "queued" : "converting";
	json_t *o = json_pack("{s:s, s:s, s:I}", "status", status, "filename", ver.filename ? ver.filename : "",
			      "created_at", (json_int_t)ver.created_at);
	json_object_set_new(o, "reason", ver.reason ? json_string(ver.reason) : json_null());
	json_object_set_new(o, "reason_code", ver.reason ? json_string(wy_reason_code(ver.reason)) : json_null());
	if (ver.progress_total) {
		char pr[32];
		snprintf(pr, sizeof pr, "%d/%d", ver.progress_done, ver.progress_total);
		json_object_set_new(o, "progress", json_string(pr));
	}
	wy_doc_version_clear(&ver);
	return o;
}

void web_edit_context(wy_store *st, const web_req *r, const wy_doc *d, json_t *ctx, const char *lang)
{
	if (!web_owner_or_admin(r, d))
		return;
	json_object_set_new(ctx, "can_edit", json_true());
	json_t *v = web_edit_version(st, d->id);
	if (json_is_object(v)) {
		const char *reason = json_string_value(json_object_get(v, "reason"));
		bool failed = strcmp(json_string_value(json_object_get(v, "status")), "failed") == 0;
		json_object_set_new(v, "failed", json_boolean(failed));
		json_object_set_new(v, "reason_text", json_string(reason ? wy_reason_text(lang, reason) : ""));
	}
	json_object_set_new(ctx, "new_version", v);
}

/* Whether r may change d; else the answer (404: they may not see it; 403:
 * they may, but it is not theirs). */
/* An admin's change to another's document leaves an audit row, as the
 * admin area's forms do (the change is made: a failure to record it is
 * logged). */
static void audit(web_req *r, wy_store *st, const char *action, int64_t id)
{
	char target[48];
	snprintf(target, sizeof target, "doc %lld", (long long)id);
	wy_errinfo ei = {0};
	int rc = wy_store_audit_add(st, r->user.id, action, target, NULL, &ei);
	if (rc)
		wy_warn("doc.audit_failed", "doc=%lld action=%s msg=\"%s\"", (long long)id, action, wy_err_msg(&ei, rc));
}

static bool may_edit(web_req *r, const wy_doc *d, enum MHD_Result *ret)
{
	if (web_owner_or_admin(r, d) && web_can_see(r, d))
		return true;
	const char *lang = web_lang(r->c);
	if (!web_can_see(r, d))
		*ret = r->api ? web_api_error(r->c, 404, "no such document") : web_not_found(r);
	else
		*ret = web_refuse(r, 403, wy_i18n_tr(lang, "只有上传者和管理员可以修改这份文档。"));
	return false;
}

/* The form's page: the document's values, or those sent with err. */
static enum MHD_Result edit_page(web_req *r, wy_store *st, const wy_doc *d, unsigned status, const char *err,
				 const edit_form *f)
{
	const char *lang = web_lang(r->c);
	wy_category_list cl;
	if (wy_store_category_list(st, &cl, NULL))
		return web_unavailable(r);
	const char *cat = f && f->e.category ? f->e.category : d->category ? d->category : "";
	json_t *cats = json_array();
	for (int i = 0; i < cl.n; i++)
		json_array_append_new(cats, json_pack("{s:s, s:b}", "path", cl.items[i].path, "selected",
						      strcmp(cl.items[i].path, cat) == 0));
	wy_category_list_clear(&cl);
	bool priv = f && f->e.private_ >= 0 ? f->e.private_ == 1 : d->private_;
	json_t *ctx = json_pack(
		"{s:I, s:s, s:s, s:s, s:I, s:b, s:o, s:s, s:s, s:i}", "id", (json_int_t)d->id, "title",
		f && f->title[0] ? f->title : d->title ? d->title : "", "description",
		f && f->e.description ? f->description : d->description ? d->description : "", "tags",
		f && f->e.tags ? f->tags : d->tags ? d->tags : "", "price",
		(json_int_t)(f && f->e.price >= 0 ? f->e.price : d->price), "private", priv, "categories", cats,
		"filename", d->filename ? d->filename : "", "format", d->format ? d->format : "", "pages", d->pages);
	json_object_set_new(ctx, "error", err ? json_string(wy_i18n_tr(lang, err)) : json_null());
	json_object_set_new(ctx, "uncategorized", json_boolean(!*cat));
	wy_config site;
	web_site_get(r->sv, &site);
	json_object_set_new(ctx, "max_mb", json_integer(site.max_upload_mb));
	web_edit_context(st, r, d, ctx, lang);
	return web_page(r, status, wy_i18n_tr(lang, "编辑文档"), r->sv->edit, ctx);
}

enum MHD_Result web_page_edit(web_req *r, int64_t id)
{
	if (!r->authed) {
		char next[80];
		snprintf(next, sizeof next, "/login?next=/doc/%lld/edit", (long long)id);
		return web_redirect(r->c, next);
	}
	wy_store *st;
	wy_doc d;
	int rc = web_store(r->sv, &st, NULL);
	if (!rc && (rc = wy_store_doc_get(st, id, &d, NULL)) == WY_OK && d.state == WY_STATE_VERSION) {
		wy_doc_clear(&d);
		rc = WY_ENOTFOUND; /* a version is edited as its document */
	}
	if (rc)
		return web_fail(r, rc);
	enum MHD_Result ret;
	if (may_edit(r, &d, &ret))
		ret = edit_page(r, st, &d, 200, NULL, NULL);
	wy_doc_clear(&d);
	return ret;
}

enum MHD_Result web_edit_post(web_req *r, wy_store *st, wy_doc *d)
{
	enum MHD_Result ret;
	const char *lang = web_lang(r->c);
	char back[64];
	snprintf(back, sizeof back, "/doc/%lld", (long long)d->id);
	if (d->state == WY_STATE_VERSION) { /* a version is edited as its document */
		wy_doc_clear(d);
		return r->api ? web_api_error(r->c, 404, "no such document") : web_not_found(r);
	}
	if (!may_edit(r, d, &ret)) {
		wy_doc_clear(d);
		return ret;
	}
	edit_form *f = wy_xmalloc(sizeof *f);
	bool any;
	const char *why = read_edit(r, d, f, &any);
	if (!why && !any)
		why = N_("没有要修改的内容：可修改 title、description、category、tags、price、private。");
	int rc = WY_OK;
	wy_errinfo ei = {0};
	if (!why) {
		rc = wy_store_doc_edit(st, d->id, &f->e, &ei);
		if (rc == WY_EINVAL)
			why = N_("没有这个分类。");
	}
	if (why || rc == WY_EPERM) {
		unsigned status = why ? 400 : 409;
		const char *msg = why ? why : N_("已有读者付费下载这份文档，不能再提高价格（可以降低）。");
		ret = r->api ? web_api_error(r->c, status, wy_i18n_tr(lang, msg)) : edit_page(r, st, d, status, msg, f);
		free(f);
		wy_doc_clear(d);
		return ret;
	}
	free(f);
	if (rc) {
		wy_doc_clear(d);
		return web_fail(r, rc);
	}
	wy_log("doc.edit", "doc=%lld user=%lld", (long long)d->id, (long long)r->user.id);
	int64_t id = d->id;
	bool others = d->owner_id != r->user.id;
	wy_doc_clear(d);
	if (others)
		audit(r, st, "doc_edit", id);
	if (!r->api)
		return web_redirect(r->c, back);
	wy_doc now;
	if ((rc = wy_store_doc_get(st, id, &now, &ei)))
		return web_fail(r, rc);
	ret = web_json(r->c, 200, owner_view(st, &now));
	wy_doc_clear(&now);
	return ret;
}

enum MHD_Result web_post_replace(web_req *r)
{
	enum MHD_Result ret;
	if (web_upload_received(r, &ret))
		return ret; /* refused: upload.c takes back what it stored */
	/* rest: "{id}/replace" (the route's suffix) */
	char num[24];
	int64_t id;
	size_t n = strcspn(r->rest, "/");
	snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : 0), r->rest);
	if (n >= sizeof num || !web_path_id(num, &id))
		return r->api ? web_api_error(r->c, 404, "no such document") : web_not_found(r);
	const char *lang = web_lang(r->c);
	wy_store *st;
	wy_doc d;
	wy_errinfo ei = {0};
	int rc = web_store(r->sv, &st, &ei);
	if (!rc && (rc = wy_store_doc_get(st, id, &d, &ei)) == WY_OK && d.state == WY_STATE_VERSION) {
		wy_doc_clear(&d);
		rc = WY_ENOTFOUND;
	}
	if (rc)
		return rc == WY_ENOTFOUND && r->api ? web_api_error(r->c, 404, "no such document") : web_fail(r, rc);
	bool ok = may_edit(r, &d, &ret), others = d.owner_id != r->user.id;
	wy_doc_clear(&d);
	if (!ok)
		return ret;
	if (web_upload_nfiles(r) != 1)
		return web_refuse(r, 400, wy_i18n_tr(lang, "替换原文件时只能上传一个文件。"));
	const char *name, *sha;
	uint64_t size;
	web_upload_file(r, 0, &name, &sha, &size);
	if (size == 0)
		return web_refuse(r, 400, wy_i18n_tr(lang, "文件是空的（0 字节），请选择有内容的文件"));
	wy_config site;
	web_site_get(r->sv, &site);
	wy_doc_new dn = {.filename = name,
	                 .sha256 = sha,
	                 .size = (int64_t)size,
	                 .request_id = r->id,
	                 .state = site.upload_review && !web_skips_review(r) ? WY_STATE_PENDING : WY_STATE_PUBLISHED};
	int64_t vid;
	rc = wy_store_doc_replace(st, id, &dn, &vid, &ei);
	if (rc == WY_EINVAL)
		return web_refuse(r, 409, wy_i18n_tr(lang, "这份文档正在转换，转换结束后才能替换原文件。"));
	if (rc)
		return rc == WY_ENOTFOUND && r->api ? web_api_error(r->c, 404, "no such document") : web_fail(r, rc);
	web_upload_recorded(r); /* the blob is the version's now */
	wy_log("doc.replace", "doc=%lld version=%lld user=%lld size=%llu", (long long)id, (long long)vid,
	       (long long)r->user.id, (unsigned long long)size);
	if (others)
		audit(r, st, "doc_replace", id);
	if (!r->api) {
		char back[64];
		snprintf(back, sizeof back, "/doc/%lld", (long long)id);
		return web_redirect(r->c, back);
	}
	return web_json(r->c, 202, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "version", (json_int_t)vid,
					     "status", "queued"));
}

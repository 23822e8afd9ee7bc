/* web/upload: documents uploaded from the browser or an API client.
 *
 * POST /upload and /api/v1/upload take multipart/form-data: the fields
 * csrf (or the header X-CSRF-Token; a bearer token needs none), title,
 * category, description, tags, private, price, then one or more parts named
 * "file". libmicrohttpd's post processor hands each file over in pieces as
 * it arrives; each piece goes straight into a blob writer that hashes it on
 * the way (blob.h), so a file of any size costs the server the same few
 * kilobytes. Nothing is recorded until the request is whole: then each file
 * becomes a document and a conversion job in one transaction (store.h). A
 * request that is refused (not logged in, no CSRF token, too large, a body
 * cut short of its closing boundary, disk full) leaves no blob and no row
 * behind. */
#include "convert/sniff.h"
#include "core/log.h"
#include "text/utf8.h"
#include "web/i18n.h"
#include "web/reasons.h"
#include "web/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define UPLOAD_FILES 20
/* The names of what wenyuan converts, for the file chooser and the page's
 * script (a first check in the browser: the server goes by the bytes) */
#define UPLOAD_ACCEPT                                                                                                 \
	".pdf,.doc,.docx,.docm,.dot,.dotx,.dotm,.xls,.xlsx,.xlsm,.xlsb,.xltx,.xltm,.ppt,.pptx,.pptm,.pps,.ppsx,.potx,"  \
	".potm,.odt,.ott,.ods,.ots,.odp,.otp,.odg,.fodt,.fods,.fodp,.rtf,.wps,.et,.dps,.epub,.mobi,.azw,.azw3,.fb2,"    \
	".xps,.oxps,.cbz,.ofd,.txt,.text,.md,.markdown,.csv,.html,.htm,.xhtml,.jpg,.jpeg,.png,.tif,.tiff"
#define TITLE_MAX 300
#define DESC_MAX 5000
#define TAGS_MAX 300

typedef struct upload_file {
	char *name;
	char sha[65];
	uint64_t size;
	int64_t id;
	bool existed;
	bool created;             /* this request stored the blob (it was new) */
	bool held;                /* counted among the blobs in flight (inflight_hold) */
} upload_file;

/* The blobs of the requests under way: each file stored and not yet
 * recorded, counted by its hash. A request refused takes back a blob it
 * created only when no other request holds the same bytes: that one
 * found them stored (not created) and records its document on them
 * later, which a blob deleted meanwhile would leave without its file
 * (found by attack: one upload stored a file, a second the same bytes,
 * the first was abandoned and took the blob with it). */
static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inflight {
	char sha[65];
	int n;
} *inflight;
static size_t ninflight, capinflight;

static void inflight_hold(const char *sha)
{
	pthread_mutex_lock(&inflight_lock);
	size_t i = 0;
	while (i < ninflight && strcmp(inflight[i].sha, sha) != 0)
		i++;
	if (i == ninflight) {
		if (ninflight == capinflight) {
			capinflight = capinflight ? capinflight * 2 : 16;
			inflight = wy_xrealloc(inflight, capinflight * sizeof *inflight);
		}
		snprintf(inflight[i].sha, sizeof inflight[i].sha, "%s", sha);
		inflight[i].n = 0;
		ninflight++;
	}
	inflight[i].n++;
	pthread_mutex_unlock(&inflight_lock);
}

/* Let go of sha (held by the caller); how many other requests still hold it. */
static int inflight_release(const char *sha)
{
	int left = 0;
	pthread_mutex_lock(&inflight_lock);
	for (size_t i = 0; i < ninflight; i++)
		if (strcmp(inflight[i].sha, sha) == 0) {
			left = --inflight[i].n;
			if (!left)
				inflight[i] = inflight[--ninflight];
			break;
		}
	pthread_mutex_unlock(&inflight_lock);
	return left;
}

/* A body refused by the first gate is answered at once when more than
 * this is still to come (or its length is unknown); a shorter rest is read
 * and dropped, and the refusal answered as usual at its end. */
#define EARLY_ANSWER_REST (1u << 20)
/* After answering at once, bytes still read (and dropped) while the client
 * notices the answer and stops sending, before the connection is closed:
 * closing on unread bytes sends a TCP reset, which can make the client
 * lose the answer. */
#define LINGER_BYTES (4u << 20)

struct web_upload {
	server *sv;
	web_req *r;
	struct MHD_Connection *c;
	wy_blob_store *blobs;
	uint64_t max;
	wy_blob_writer *w;        /* the file arriving now, once past the gate */
	/* the first bytes of the file arriving now, held until the gate
	 * (wy_sniff_prefix) has seen them: nothing of a file is stored before */
	unsigned char *head;
	size_t head_len;
	bool gated;               /* the file arriving now passed the gate */
	bool in_file;             /* a file is arriving (its first byte came) */
	uint64_t body_read;       /* bytes of the body libmicrohttpd handed over */
	bool answered;            /* the refusal was sent at once (early_answer) */
	bool saw_empty;           /* a file part was announced without bytes */
	uint64_t after_answer;    /* bytes read and dropped since */
	upload_file files[UPLOAD_FILES];
	int nfiles;
	bool csrf_ok;
	bool fields_ok;           /* title, price and category checked */
	bool done;                /* the documents are recorded */
};

/* A request that ends without its documents recorded (refused, or the
 * client went away) takes back the blobs it stored and nothing refers to.
 * (Only those it created: bytes someone stored before stay.) */
static void take_back(web_upload *u)
{
	wy_store *st = NULL;
	bool check = !u->done && !web_store(u->sv, &st, NULL);
	for (int i = 0; i < u->nfiles; i++) {
		upload_file *f = &u->files[i];
		int others = f->held ? inflight_release(f->sha) : 0;
		f->held = false;
		bool used = true;
		if (check && f->created && !others && !wy_store_blob_used(st, f->sha, &used, NULL) && !used)
			wy_blob_delete(u->blobs, f->sha, NULL);
	}
}

void web_upload_free(web_upload *u)
{
	if (!u)
		return;
	wy_blob_writer_abort(u->w);
	take_back(u);
	for (int i = 0; i < u->nfiles; i++)
		free(u->files[i].name);
	free(u->head);
	free(u);
}

static void fail(web_upload *u, unsigned status, const char *msg)
{
	if (!u->r->fail_status) {
		u->r->fail_status = status;
		snprintf(u->r->fail_msg, sizeof u->r->fail_msg, "%s", msg);
	}
	wy_blob_writer_abort(u->w);
	u->w = NULL;
}

/* The refusal of a file that is no document: 415, in the reader's words. */
static void refuse_format(web_upload *u, const char *what)
{
	wy_log("upload.refused", "user=%lld what=%s read=%llu", (long long)u->r->user.id, what,
	       (unsigned long long)u->body_read);
	const char *reason = "unrecognized format";
	fail(u, 415, wy_reason_text(web_lang(u->c), reason));
}

/* The first gate: the file's first bytes (all of it when whole) say
 * whether it may be a document; if so it is stored from its first byte
 * on, else refused and nothing of it is written. */
static bool gate(web_upload *u, bool whole)
{
	const char *what;
	if (!wy_sniff_prefix(u->head, u->head_len, whole, &what)) {
		refuse_format(u, what);
		return false;
	}
	u->gated = true;
	wy_errinfo ei = {0};
	int rc = wy_blob_writer_open(u->blobs, u->max, &u->w, &ei);
	if (!rc)
		rc = wy_blob_writer_write(u->w, u->head, u->head_len, &ei);
	u->head_len = 0;
	if (rc) {
		wy_error("upload.store", "%s", wy_err_msg(&ei, rc));
		fail(u, 507, "the server could not store the file (its disk may be full)");
		return false;
	}
	return true;
}

/* The end of the file arriving now: past the gate, it becomes a blob. */
static void finish_file(web_upload *u)
{
	if (!u->in_file)
		return;
	u->in_file = false;
	if (!u->gated && !gate(u, true))
		return;
	if (!u->w)
		return;
	upload_file *f = &u->files[u->nfiles - 1];
	wy_errinfo ei = {0};
	int rc = wy_blob_writer_commit(u->w, f->sha, &f->size, &f->created, &ei);
	u->w = NULL;
	if (!rc) {
		inflight_hold(f->sha);
		f->held = true;
	}
	if (rc) {
		wy_error("upload.store", "%s", wy_err_msg(&ei, rc));
		fail(u, 507, "the server could not store the file (its disk may be full)");
	}
}

static const char *field(web_req *r, const char *key, size_t max);

/* The form's fields, checked when the first file begins (they come first)
 * and again at the end: the reason for refusing, or NULL. */
static const char *bad_fields(web_upload *u, long long *price)
{
	web_req *r = u->r;
	wy_config site;
	web_site_get(u->sv, &site);
	*price = site.download_price;
	const char *price_s = web_form_get(r, "price", NULL);
	if (price_s && *price_s) {
		char *end;
		*price = strtoll(price_s, &end, 10);
		if (*end || *price < 0 || *price > 100000)
			return "a price is 0-100000 points";
	}
	const char *category = field(r, "category", 1000);
	if (category && *category) {
		/* users file under the site's categories; they make none */
		wy_store *st;
		int64_t id;
		if (web_store(u->sv, &st, NULL) || wy_store_category_find(st, category, &id, NULL))
			return "no such category";
	}
	return NULL;
}

static enum MHD_Result iterate(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
			       const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	web_upload *u = cls;
	web_req *r = u->r;
	if (r->fail_status)
		return MHD_NO;
	if (!filename || !key || strcmp(key, "file") != 0) {
		if (!key)
			return MHD_YES;
		web_form_add(&r->form, key, data, (size_t)off, size);
		if (r->form.overflow) {
			fail(u, 413, "the form is too large");
			return MHD_NO;
		}
		return MHD_YES;
	}
	/* libmicrohttpd may announce a part with no bytes, then give its bytes
	 * from offset 0 again: a file begins with its first byte */
	if (size == 0) {
		u->saw_empty = true; /* if no file comes, it was an empty one */
		return MHD_YES;
	}
	if (off == 0) {
		/* a new file: everything before it was the form's fields */
		finish_file(u);
		if (r->fail_status)
			return MHD_NO;
		if (!u->csrf_ok && !(u->csrf_ok = web_csrf_ok(u->c, r))) {
			fail(u, 403, "the form's CSRF token is missing or wrong (reload the page)");
			return MHD_NO;
		}
		long long price;
		const char *why;
		if (!u->fields_ok && (why = bad_fields(u, &price))) {
			fail(u, 400, why);
			return MHD_NO;
		}
		u->fields_ok = true;
		if (u->nfiles == UPLOAD_FILES) {
			fail(u, 413, "too many files in one request");
			return MHD_NO;
		}
		upload_file *f = &u->files[u->nfiles++];
		memset(f, 0, sizeof *f);
		f->name = wy_clean_file_name(filename);
		if (!u->head)
			u->head = wy_xmalloc(WY_SNIFF_PREFIX);
		u->head_len = 0;
		u->gated = false;
		u->in_file = true;
	}
	if (!u->gated) {
		size_t take = WY_SNIFF_PREFIX - u->head_len;
		if (take > size)
			take = size;
		memcpy(u->head + u->head_len, data, take);
		u->head_len += take;
		data += take;
		size -= take;
		if (u->head_len < WY_SNIFF_PREFIX)
			return MHD_YES; /* the gate waits for more (or the file's end) */
		if (!gate(u, false))
			return MHD_NO;
		if (!size)
			return MHD_YES;
	}
	if (!u->w)
		return MHD_NO;
	wy_errinfo ei = {0};
	int rc = wy_blob_writer_write(u->w, data, size, &ei);
	if (rc == WY_ETOOBIG) {
		char msg[120];
		snprintf(msg, sizeof msg, "the file is larger than the limit of %llu MB",
			 (unsigned long long)(u->max >> 20));
		fail(u, 413, msg);
		return MHD_NO;
	}
	if (rc) {
		wy_error("upload.store", "%s", wy_err_msg(&ei, rc));
		fail(u, 507, "the server could not store the file (its disk may be full)");
		return MHD_NO;
	}
	return MHD_YES;
}

/* Refused for the account's group: a page that says so, or JSON. */
static enum MHD_Result no_upload_right(web_req *r)
{
	if (r->api)
		return web_api_error(r->c, 403, "your user group may not upload");
	const char *lang = web_lang(r->c);
	return web_message(r, 403, wy_i18n_tr(lang, "不能上传"),
			   wy_i18n_tr(lang, "你所在的用户组不能上传文档。如有疑问，请联系管理员。"), "/");
}

bool web_upload_begin(web_req *r, enum MHD_Result *ret)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	if (!r->authed) {
		*ret = web_refuse(r, 401, "log in to upload");
		return true;
	}
	if (web_mail_blocked(r, ret)) /* email_verify (mail.c) */
		return true;
	wy_config site;
	web_site_get(sv, &site);
	uint64_t max = (uint64_t)site.max_upload_mb << 20;
	/* the account's group may not upload, or only smaller files (groups.c) */
	wy_perms p;
	if (!web_user_perms(r, &p) || !p.can_upload) {
		*ret = no_upload_right(r);
		return true;
	}
	if (p.upload_mb > 0 && ((uint64_t)p.upload_mb << 20) < max)
		max = (uint64_t)p.upload_mb << 20;
	/* a body larger than every file it may carry is refused before it is read */
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > max * UPLOAD_FILES + (1u << 20)) {
		*ret = web_refuse(r, 413, "the upload is larger than the limit");
		return true;
	}
	web_upload *u = wy_xcalloc(1, sizeof *u);
	u->sv = sv;
	u->r = r;
	u->c = c;
	u->blobs = sv->blobs;
	u->max = max;
	r->up = u;
	r->pp = MHD_create_post_processor(c, 32 * 1024, iterate, u);
	if (!r->pp) {
		*ret = web_refuse(r, 415, "an upload is multipart/form-data");
		return true;
	}
	return false;
}

/* Answer the refusal now, in the middle of the body. libmicrohttpd 0.9.75
 * takes an answer only before the body or after all of it
 * (MHD_queue_response refuses one while the body arrives), so the answer
 * is written to the socket here, as libmicrohttpd would write it, and
 * the connection is closed once the client has read it (web_upload_data). */
static void early_answer(web_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	json_t *j = json_pack("{s:s, s:s}", "error", r->fail_msg, "reason_code", "unrecognized_format");
	char *body = r->api ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	wy_buf b;
	wy_buf_init(&b, 0);
	const char *text = body ? body : r->fail_msg;
	wy_buf_printf(&b, "HTTP/1.1 %u Unsupported Media Type\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\nX-Request-Id: %s\r\n",
		      r->fail_status, body ? "application/json" : "text/plain; charset=utf-8", strlen(text) + !body, r->id);
	for (int i = 0; i < WEB_SECURITY_HEADERS; i++)
		wy_buf_printf(&b, "%s: %s\r\n", web_security_headers[i][0], web_security_headers[i][1]);
	wy_buf_printf(&b, "\r\n%s%s", text, body ? "" : "\n");
	free(body);
	/* a few hundred bytes into an empty send buffer: written whole */
	size_t off = 0;
	while (off < b.len) {
		ssize_t n = send(ci->connect_fd, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	wy_buf_free(&b);
	shutdown(ci->connect_fd, SHUT_WR); /* the answer is all: the client sees it end */
	r->status = r->fail_status;
	r->up->answered = true;
}

bool web_upload_data(web_req *r, const char *data, size_t size)
{
	web_upload *u = r->up;
	u->body_read += size;
	if (u->answered) {
		u->after_answer += size;
		return u->after_answer < LINGER_BYTES;
	}
	if (r->fail_status || !r->pp)
		return true; /* the rest of a refused body is read and dropped */
	if (MHD_post_process(r->pp, data, size) != MHD_YES && !r->fail_status) {
		r->fail_status = 400;
		snprintf(r->fail_msg, sizeof r->fail_msg, "the upload's body is malformed");
	}
	if (r->fail_status == 415) {
		/* refused by the first gate: answer now unless the rest is short */
		const char *cl = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t len = cl ? strtoull(cl, NULL, 10) : 0;
		if (!cl || len < u->body_read || len - u->body_read > EARLY_ANSWER_REST)
			early_answer(r);
	}
	return true;
}

static const char *field(web_req *r, const char *key, size_t max)
{
	size_t n;
	const char *v = web_form_get(r, key, &n);
	if (!v || !wy_utf8_valid(v, n))
		return NULL;
	if (n > max)
		((char *)v)[wy_utf8_truncate(v, n, max)] = 0;
	return v;
}

bool web_upload_received(web_req *r, enum MHD_Result *ret)
{
	struct MHD_Connection *c = r->c;
	web_upload *u = r->up;
	bool api = r->api;
	*ret = MHD_NO;
	if (u->answered)
		return true; /* answered already (early_answer): the connection closes */
	if (r->pp) {
		/* It hands over what it still holds, and says MHD_NO when the body
		 * stopped before its closing boundary (cut short): the last file
		 * is then only its first part, and nothing of the request is
		 * stored (fail() drops the file arriving; web_upload_free the
		 * blobs of earlier ones). */
		bool whole = MHD_destroy_post_processor(r->pp) == MHD_YES;
		r->pp = NULL;
		if (!whole)
			fail(u, 400, "the upload's body is incomplete (it does not end with the closing boundary)");
	}
	if (!r->fail_status)
		finish_file(u);
	if (r->fail_status == 415 && api)
		*ret = web_json(c, 415, json_pack("{s:s, s:s}", "error", r->fail_msg, "reason_code", "unrecognized_format"));
	else if (r->fail_status)
		*ret = web_refuse(r, r->fail_status, r->fail_msg);
	else if (!u->csrf_ok && !web_csrf_ok(c, r))
		*ret = web_refuse(r, 403, "the form's CSRF token is missing or wrong (reload the page)");
	else if (u->nfiles == 0 && u->saw_empty)
		*ret = web_refuse(r, 400, wy_i18n_tr(web_lang(c), "文件是空的（0 字节），请选择有内容的文件"));
	else if (u->nfiles == 0)
		*ret = web_refuse(r, 400, "no file was sent (a part named \"file\")");
	else
		return false;
	return true;
}

int web_upload_nfiles(const web_req *r) { return r->up ? r->up->nfiles : 0; }

void web_upload_file(const web_req *r, int i, const char **name, const char **sha, uint64_t *size)
{
	const upload_file *f = &r->up->files[i];
	*name = f->name;
	*sha = f->sha;
	*size = f->size;
}

void web_upload_recorded(web_req *r) { r->up->done = true; }

enum MHD_Result web_upload_end(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	web_upload *u = r->up;
	bool api = r->api;
	enum MHD_Result ret;
	if (web_upload_received(r, &ret))
		return ret;
	wy_config site;
	web_site_get(sv, &site);
	const char *title = field(r, "title", TITLE_MAX), *category = field(r, "category", 1000);
	const char *desc = field(r, "description", DESC_MAX), *tags = field(r, "tags", TAGS_MAX);
	const char *priv = web_form_get(r, "private", NULL);
	bool private_ = priv && (strcmp(priv, "1") == 0 || strcmp(priv, "on") == 0);
	long long price;
	const char *why = bad_fields(u, &price);
	if (why)
		return web_refuse(r, 400, why);
	wy_store *st;
	wy_errinfo ei = {0};
	if (web_store(sv, &st, &ei))
		return web_unavailable(r);
	bool skip_review = web_skips_review(r); /* the account's group (groups.c) */
	json_t *docs = json_array();
	int made = 0;
	u->done = true; /* from here each file is recorded or refused on its own */
	for (int i = 0; i < u->nfiles; i++) {
		upload_file *f = &u->files[i];
		wy_doc_new dn = {
			.title = title && *title && u->nfiles == 1 ? title : NULL,
			.filename = f->name,
			.category = category && *category ? category : NULL,
			.sha256 = f->sha,
			.size = (int64_t)f->size,
			.uploader = r->user.name,
			.owner_id = r->user.id,
			.description = desc,
			.tags = tags,
			.private_ = private_,
			.state = site.upload_review && !private_ && !skip_review ? WY_STATE_PENDING : WY_STATE_PUBLISHED,
			.price = price,
			.request_id = r->id, /* the worker's lines about it carry it */
		};
		int rc = f->size == 0 ? wy_err_set(&ei, WY_EINVAL, "the file is empty")
				      : wy_store_doc_add(st, &dn, &f->id, &f->existed, &ei);
		json_t *o = json_pack("{s:s}", "name", f->name);
		if (rc) {
			json_object_set_new(o, "error", json_string(rc == WY_EINVAL ? "the file is empty" : "store unavailable"));
			bool used = true;
			int others = f->held ? inflight_release(f->sha) : 0;
			f->held = false;
			if (f->created && !others && !wy_store_blob_used(st, f->sha, &used, NULL) && !used)
				wy_blob_delete(u->blobs, f->sha, NULL);
		} else if (f->existed) {
			/* this account uploaded the same bytes before: its own
			 * document (never another's: that would tell who has which
			 * file) */
			wy_doc d;
			json_object_set_new(o, "id", json_integer(f->id));
			if (!wy_store_doc_get(st, f->id, &d, NULL)) {
				json_object_set_new(o, "status", json_string(wy_doc_status_name(d.status)));
				wy_doc_clear(&d);
			}
			json_object_set_new(o, "existed", json_true());
			json_object_set_new(o, "error", json_string("you have uploaded this file already"));
		} else {
			made++;
			json_object_set_new(o, "id", json_integer(f->id));
			json_object_set_new(o, "status", json_string("queued"));
			json_object_set_new(o, "state", json_string(wy_doc_state_name(dn.state)));
			wy_log("upload.stored", "doc=%lld user=%lld size=%llu", (long long)f->id, (long long)r->user.id,
			       (unsigned long long)f->size);
		}
		json_array_append_new(docs, o);
	}
	if (!api) {
		json_decref(docs);
		return web_redirect(c, "/me/uploads");
	}
	return web_json(c, made ? 201 : 200, json_pack("{s:o}", "documents", docs));
}

enum MHD_Result web_page_upload(web_req *r)
{
	server *sv = r->sv;
	struct MHD_Connection *c = r->c;
	if (!r->authed)
		return web_redirect(c, "/login?next=/upload");
	wy_perms p;
	if (!web_user_perms(r, &p) || !p.can_upload)
		return no_upload_right(r);
	wy_store *st;
	wy_category_list cl;
	if (web_store(sv, &st, NULL) || wy_store_category_list(st, &cl, NULL))
		return web_unavailable(r);
	json_t *cats = json_array();
	for (int i = 0; i < cl.n; i++)
		json_array_append_new(cats, json_pack("{s:s, s:i}", "path", cl.items[i].path, "depth", cl.items[i].depth));
	wy_category_list_clear(&cl);
	wy_config site;
	web_site_get(sv, &site);
	/* the failure reasons' codes in plain words, for the script's status
	 * of each file (the API gives the code: reasons.c) */
	const char *lang = web_lang(c), *code, *msgid;
	json_t *reasons = json_array();
	for (int i = 0; wy_reason_each(i, &code, &msgid); i++)
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", code, "text", wy_i18n_tr(lang, msgid)));
	/* the account's group may cap the size and skip the review (groups.c) */
	int64_t max_mb = p.upload_mb > 0 && p.upload_mb < site.max_upload_mb ? p.upload_mb : site.max_upload_mb;
	json_t *ctx = json_pack("{s:o, s:I, s:I, s:i, s:b, s:s, s:o}", "categories", cats, "max_mb", (json_int_t)max_mb,
				"max_bytes", (json_int_t)max_mb << 20, "price", site.download_price, "review",
				site.upload_review && !p.skip_review, "accept", UPLOAD_ACCEPT, "reasons", reasons);
	return web_page(r, 200, wy_i18n_tr(lang, "上传文档"), sv->upload, ctx);
}

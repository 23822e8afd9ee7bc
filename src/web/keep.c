/* web/keep: the store's answers the web keeps between requests, and the
 * one rule for how long: while nothing has committed to the store since
 * the answer was read (store.h: wy_store_watch, a stamp that any commit of
 * any process changes, read from memory). Each cache below is tagged with
 * the stamp its entries belong to; a request that reads another stamp
 * drops them all first, and an answer is kept only under the stamp read
 * before it was asked for. So a document made private, hidden or deleted,
 * a logout or a new password is seen by the very next request, whoever
 * made the change (this server, the worker, the command line). What is
 * decided stays where it is decided (the store's SQL, account.c); this
 * file only remembers answers.
 *
 * Kept: who may see a blob (wy_store_blob_visibility, by blob, reader,
 * admin and preview), the blob's open file (its size and type, for
 * sendfile; dropped with the rest, so a deleted blob's file is let go at
 * the next commit), and sessions (wy_store_session_get, by token hash;
 * also at most a second, as a session expires by the clock), and
 * documents (wy_store_doc_get by id: the row account.c's rules decide on,
 * and beside it what doc.c's page shows every reader of it: related
 * documents, readers also read, related searches, the preview's pages).
 * And answers by a key (web_kept_get/put: doc.c's reader's relation to
 * a document and the page rendered for such readers).
 * Without a watch (the WAL index cannot be mapped) nothing is kept. */
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "web/conn_guard.h"
#include "web/web_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static wy_store_watch *watch;

void web_keep_start(const char *location)
{
	wy_errinfo ei = {0};
	int rc = wy_store_watch_open(location, &watch, &ei);
	if (rc)
		wy_warn("serve.no_cache", "msg=\"%s: store answers are not kept between requests\"",
		        wy_err_msg(&ei, rc));
}

/* The stamp now; false when nothing may be kept. */
static bool stamp_now(wy_store_stamp *s)
{
	if (!watch)
		return false;
	wy_store_watch_read(watch, s);
	return true;
}

/* A cache's tag: its entries belong to stamp. Called under its lock with
 * the stamp read now: a different one drops the entries (drop). */
typedef struct kept {
	pthread_mutex_t lock;
	wy_store_stamp stamp;
	bool tagged;
} kept;

static bool kept_sync(kept *k, const wy_store_stamp *now)
{
	if (k->tagged && wy_store_stamp_eq(&k->stamp, now))
		return true;
	k->stamp = *now;
	k->tagged = true;
	return false; /* the caller drops its entries */
}

static unsigned hex_hash(const char *sha)
{
	unsigned h = 0;
	for (int i = 0; i < 8 && sha[i]; i++)
		h = h * 16 + (unsigned)(sha[i] <= '9' ? sha[i] - '0' : (sha[i] | 0x20) - 'a' + 10);
	return h;
}

/* ---- who may see a blob ---- */

#define ACCESS_SLOTS 1024

static struct {
	kept k;
	struct {
		char sha[65];
		int64_t viewer;
		int preview;
		bool admin, set;
		int vis;
	} e[ACCESS_SLOTS];
} access_ = {.k = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static unsigned access_slot(const char *sha, int64_t viewer, bool admin, int preview)
{
	uint64_t h = hex_hash(sha) ^ ((uint64_t)viewer * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)preview << 20) ^ admin;
	return (unsigned)((h ^ (h >> 29)) % ACCESS_SLOTS);
}

int web_blob_visibility(server *sv, const char *sha, int64_t viewer, bool admin, int preview, int *vis)
{
	wy_store_stamp now;
	bool keep = stamp_now(&now);
	unsigned k = access_slot(sha, viewer, admin, preview);
	if (keep) {
		bool hit = false;
		pthread_mutex_lock(&access_.k.lock);
		if (!kept_sync(&access_.k, &now))
			for (int i = 0; i < ACCESS_SLOTS; i++)
				access_.e[i].set = false;
		if (access_.e[k].set && access_.e[k].viewer == viewer && access_.e[k].admin == admin &&
		    access_.e[k].preview == preview && strcmp(access_.e[k].sha, sha) == 0) {
			*vis = access_.e[k].vis;
			hit = true;
		}
		pthread_mutex_unlock(&access_.k.lock);
		if (hit)
			return WY_OK;
	}
	wy_store *st;
	int rc = web_store(sv, &st, NULL);
	if (!rc)
		rc = wy_store_blob_visibility(st, sha, viewer, admin, preview, vis, NULL);
	if (rc || !keep)
		return rc;
	pthread_mutex_lock(&access_.k.lock);
	if (access_.k.tagged && wy_store_stamp_eq(&access_.k.stamp, &now)) { /* nothing committed since */
		snprintf(access_.e[k].sha, sizeof access_.e[k].sha, "%s", sha);
		access_.e[k].viewer = viewer;
		access_.e[k].admin = admin;
		access_.e[k].preview = preview;
		access_.e[k].vis = *vis;
		access_.e[k].set = true;
	}
	pthread_mutex_unlock(&access_.k.lock);
	return WY_OK;
}

/* ---- blobs' open files ---- */

#define FILE_SLOTS WEB_KEPT_FILES /* open files: web_guard_limits counts them */

static struct {
	kept k;
	struct {
		char sha[65];
		int fd; /* -1: none */
		uint64_t size;
		const char *type;
	} e[FILE_SLOTS];
} files = {.k = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static void files_drop(void)
{
	for (int i = 0; i < FILE_SLOTS; i++)
		if (files.e[i].sha[0]) {
			close(files.e[i].fd);
			files.e[i].sha[0] = 0;
		}
}

/* A page image is WebP; anything else goes out as bytes. */
static const char *sniff(int fd)
{
	unsigned char magic[12] = {0};
	ssize_t got = pread(fd, magic, sizeof magic, 0);
	return got == 12 && memcmp(magic, "RIFF", 4) == 0 && memcmp(magic + 8, "WEBP", 4) == 0
	           ? "image/webp"
	           : "application/octet-stream";
}

int web_blob_file(server *sv, const char *sha, int *fd, uint64_t *size, const char **type)
{
	wy_store_stamp now;
	bool keep = stamp_now(&now);
	unsigned k = hex_hash(sha) % FILE_SLOTS;
	if (keep) {
		*fd = -1;
		pthread_mutex_lock(&files.k.lock);
		if (!kept_sync(&files.k, &now))
			files_drop();
		if (files.e[k].sha[0] && strcmp(files.e[k].sha, sha) == 0 &&
		    (*fd = dup(files.e[k].fd)) >= 0) { /* the response takes its own */
			*size = files.e[k].size;
			*type = files.e[k].type;
		}
		pthread_mutex_unlock(&files.k.lock);
		if (*fd >= 0)
			return WY_OK;
	}
	int rc = wy_blob_open_fd(sv->blobs, sha, fd, size, NULL);
	if (rc)
		return rc;
	*type = sniff(*fd);
	int mine = keep ? dup(*fd) : -1;
	if (mine < 0)
		return WY_OK;
	pthread_mutex_lock(&files.k.lock);
	if (files.k.tagged && wy_store_stamp_eq(&files.k.stamp, &now)) {
		if (files.e[k].sha[0])
			close(files.e[k].fd);
		snprintf(files.e[k].sha, sizeof files.e[k].sha, "%s", sha);
		files.e[k].fd = mine;
		files.e[k].size = *size;
		files.e[k].type = *type;
		mine = -1;
	}
	pthread_mutex_unlock(&files.k.lock);
	if (mine >= 0)
		close(mine);
	return WY_OK;
}

/* ---- sessions ---- */

#define SESSION_SLOTS 256
#define SESSION_MS 1000 /* a session ends by the clock too: kept at most this long */

static struct {
	kept k;
	struct {
		unsigned char hash[WY_TOKEN_HASH];
		bool set;
		int64_t at_ms;
		wy_user user; /* name owned here */
		char csrf[65];
	} e[SESSION_SLOTS];
} sessions = {.k = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static void sessions_drop(void)
{
	for (int i = 0; i < SESSION_SLOTS; i++)
		if (sessions.e[i].set) {
			wy_user_clear(&sessions.e[i].user);
			sessions.e[i].set = false;
		}
}

static void user_copy(wy_user *to, const wy_user *from)
{
	*to = *from;
	to->name = from->name ? wy_xstrdup(from->name) : NULL;
}

int web_session_get(server *sv, const unsigned char *hash, wy_user *user, char csrf[65])
{
	wy_store_stamp now;
	bool keep = stamp_now(&now);
	unsigned k = ((unsigned)hash[0] | (unsigned)hash[1] << 8) % SESSION_SLOTS;
	int64_t now_ms = wy_now_ms();
	if (keep) {
		bool hit = false;
		pthread_mutex_lock(&sessions.k.lock);
		if (!kept_sync(&sessions.k, &now))
			sessions_drop();
		if (sessions.e[k].set && memcmp(sessions.e[k].hash, hash, WY_TOKEN_HASH) == 0 &&
		    now_ms - sessions.e[k].at_ms < SESSION_MS) {
			user_copy(user, &sessions.e[k].user);
			memcpy(csrf, sessions.e[k].csrf, 65);
			hit = true;
		}
		pthread_mutex_unlock(&sessions.k.lock);
		if (hit)
			return WY_OK;
	}
	wy_store *st;
	int rc = web_store(sv, &st, NULL);
	if (!rc)
		rc = wy_store_session_get(st, hash, user, csrf, NULL);
	if (rc || !keep)
		return rc;
	pthread_mutex_lock(&sessions.k.lock);
	if (sessions.k.tagged && wy_store_stamp_eq(&sessions.k.stamp, &now)) {
		if (sessions.e[k].set)
			wy_user_clear(&sessions.e[k].user);
		memcpy(sessions.e[k].hash, hash, WY_TOKEN_HASH);
		user_copy(&sessions.e[k].user, user);
		memcpy(sessions.e[k].csrf, csrf, 65);
		sessions.e[k].at_ms = now_ms;
		sessions.e[k].set = true;
	}
	pthread_mutex_unlock(&sessions.k.lock);
	return WY_OK;
}

/* ---- documents: the row, and what a page of it shows every reader ---- */

#define DOC_SLOTS 256
#define DOCS_TEXT_MAX (64u << 20) /* bytes of page text kept with the documents, at most */

static struct {
	kept k;
	struct {
		int64_t id; /* 0: empty */
		wy_doc d;
		json_t *shared; /* NULL: not asked yet under this stamp */
		int shown;      /* the pages shared was made for */
		size_t bytes;   /* of its pages' text */
	} e[DOC_SLOTS];
	size_t bytes; /* of all shared pages' text kept */
} docs = {.k = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static void docs_drop(void)
{
	for (int i = 0; i < DOC_SLOTS; i++)
		if (docs.e[i].id) {
			wy_doc_clear(&docs.e[i].d);
			json_decref(docs.e[i].shared);
			docs.e[i].shared = NULL;
			docs.e[i].bytes = 0;
			docs.e[i].id = 0;
		}
	docs.bytes = 0;
}

static char *dup_or_null(const char *s)
{
	return s ? wy_xstrdup(s) : NULL;
}

static void doc_copy(wy_doc *to, const wy_doc *from)
{
	*to = *from;
	to->title = dup_or_null(from->title);
	to->filename = dup_or_null(from->filename);
	to->format = dup_or_null(from->format);
	to->category = dup_or_null(from->category);
	to->reason = dup_or_null(from->reason);
	to->author = dup_or_null(from->author);
	to->keywords = dup_or_null(from->keywords);
	to->uploader = dup_or_null(from->uploader);
	to->description = dup_or_null(from->description);
	to->tags = dup_or_null(from->tags);
}

int web_doc_get(server *sv, int64_t id, wy_doc *d, web_kept_at *at, wy_errinfo *ei)
{
	at->keep = stamp_now(&at->stamp);
	unsigned k = (unsigned)((uint64_t)id % DOC_SLOTS);
	if (at->keep) {
		bool hit = false;
		pthread_mutex_lock(&docs.k.lock);
		if (!kept_sync(&docs.k, &at->stamp))
			docs_drop();
		if (docs.e[k].id == id) {
			doc_copy(d, &docs.e[k].d);
			hit = true;
		}
		pthread_mutex_unlock(&docs.k.lock);
		if (hit)
			return WY_OK;
	}
	wy_store *st;
	int rc = web_store(sv, &st, ei);
	if (!rc)
		rc = wy_store_doc_get(st, id, d, ei);
	if (rc || !at->keep)
		return rc;
	pthread_mutex_lock(&docs.k.lock);
	if (docs.k.tagged && wy_store_stamp_eq(&docs.k.stamp, &at->stamp) && docs.e[k].id != id) {
		if (docs.e[k].id) {
			wy_doc_clear(&docs.e[k].d);
			json_decref(docs.e[k].shared);
			docs.e[k].shared = NULL;
			docs.bytes -= docs.e[k].bytes;
			docs.e[k].bytes = 0;
		}
		doc_copy(&docs.e[k].d, d);
		docs.e[k].id = id;
	}
	pthread_mutex_unlock(&docs.k.lock);
	return WY_OK;
}

json_t *web_doc_shared(server *sv, const web_kept_at *at, const wy_doc *d, int shown,
		       json_t *(*make)(wy_store *st, const wy_doc *d, int shown))
{
	unsigned k = (unsigned)((uint64_t)d->id % DOC_SLOTS);
	json_t *v = NULL;
	if (at->keep) {
		pthread_mutex_lock(&docs.k.lock);
		if (docs.k.tagged && wy_store_stamp_eq(&docs.k.stamp, &at->stamp) && docs.e[k].id == d->id &&
		    docs.e[k].shared && docs.e[k].shown == shown)
			v = json_deep_copy(docs.e[k].shared); /* the caller's to change */
		pthread_mutex_unlock(&docs.k.lock);
		if (v)
			return v;
	}
	wy_store *st;
	if (web_store(sv, &st, NULL))
		return NULL;
	v = make(st, d, shown);
	if (!v || !at->keep)
		return v;
	/* kept with the row read under the same stamp: so made from it;
	 * at most DOCS_TEXT_MAX bytes of page text in all */
	size_t bytes = 0, i;
	json_t *item;
	json_array_foreach(json_object_get(v, "page_items"), i, item) bytes += json_string_length(json_object_get(item, "text"));
	json_t *mine = json_deep_copy(v);
	pthread_mutex_lock(&docs.k.lock);
	if (docs.k.tagged && wy_store_stamp_eq(&docs.k.stamp, &at->stamp) && docs.e[k].id == d->id &&
	    docs.bytes - docs.e[k].bytes + bytes <= DOCS_TEXT_MAX) {
		json_decref(docs.e[k].shared);
		docs.bytes += bytes - docs.e[k].bytes;
		docs.e[k].bytes = bytes;
		docs.e[k].shared = mine;
		docs.e[k].shown = shown;
		mine = NULL;
	}
	pthread_mutex_unlock(&docs.k.lock);
	json_decref(mine);
	return v;
}

/* ---- answers by a key: what a caller made from the store under a stamp ---- */

#define ANSWER_SLOTS 1024
#define ANSWER_MAX (512u << 10) /* bytes of one answer's key or string, at most */
#define ANSWERS_MAX (64u << 20)  /* bytes of all keys and strings kept, at most */

static struct {
	kept k;
	size_t bytes; /* of the keys and string answers kept */
	struct {
		char *key; /* NULL: empty */
		json_t *v;
		size_t bytes;
	} e[ANSWER_SLOTS];
} answers = {.k = {.lock = PTHREAD_MUTEX_INITIALIZER}};

static void answers_drop(void)
{
	for (int i = 0; i < ANSWER_SLOTS; i++)
		if (answers.e[i].key) {
			free(answers.e[i].key);
			json_decref(answers.e[i].v);
			answers.e[i].key = NULL;
			answers.e[i].v = NULL;
			answers.e[i].bytes = 0;
		}
	answers.bytes = 0;
}

static unsigned answer_slot(const char *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (unsigned)(h % ANSWER_SLOTS);
}

json_t *web_kept_get(const web_kept_at *at, const char *key)
{
	if (!at->keep)
		return NULL;
	unsigned k = answer_slot(key);
	json_t *v = NULL;
	pthread_mutex_lock(&answers.k.lock);
	if (!kept_sync(&answers.k, &at->stamp))
		answers_drop();
	else if (answers.e[k].key && strcmp(answers.e[k].key, key) == 0)
		v = json_deep_copy(answers.e[k].v);
	pthread_mutex_unlock(&answers.k.lock);
	return v;
}

void web_kept_put(const web_kept_at *at, const char *key, const json_t *v)
{
	size_t bytes = strlen(key) + (json_is_string(v) ? json_string_length(v) : 0);
	if (!at->keep || !v || bytes > ANSWER_MAX)
		return;
	json_t *mine = json_deep_copy(v);
	char *kc = wy_xstrdup(key);
	unsigned k = answer_slot(key);
	pthread_mutex_lock(&answers.k.lock);
	if (answers.k.tagged && wy_store_stamp_eq(&answers.k.stamp, &at->stamp) && /* nothing committed since */
	    answers.bytes - answers.e[k].bytes + bytes <= ANSWERS_MAX) {
		free(answers.e[k].key);
		json_decref(answers.e[k].v);
		answers.bytes += bytes - answers.e[k].bytes;
		answers.e[k].bytes = bytes;
		answers.e[k].key = kc;
		answers.e[k].v = mine;
		kc = NULL;
		mine = NULL;
	}
	pthread_mutex_unlock(&answers.k.lock);
	free(kc);
	json_decref(mine);
}

void web_keep_stop(void)
{
	pthread_mutex_lock(&answers.k.lock);
	answers_drop();
	answers.k.tagged = false;
	pthread_mutex_unlock(&answers.k.lock);
	pthread_mutex_lock(&docs.k.lock);
	docs_drop();
	docs.k.tagged = false;
	pthread_mutex_unlock(&docs.k.lock);
	pthread_mutex_lock(&files.k.lock);
	files_drop();
	files.k.tagged = false;
	pthread_mutex_unlock(&files.k.lock);
	pthread_mutex_lock(&sessions.k.lock);
	sessions_drop();
	sessions.k.tagged = false;
	pthread_mutex_unlock(&sessions.k.lock);
	pthread_mutex_lock(&access_.k.lock);
	for (int i = 0; i < ACCESS_SLOTS; i++)
		access_.e[i].set = false;
	access_.k.tagged = false;
	pthread_mutex_unlock(&access_.k.lock);
	wy_store_watch_close(watch);
	watch = NULL;
}

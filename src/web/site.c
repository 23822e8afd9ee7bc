/* web/site: the site as one object (web/site.h): what is loaded once at
 * start (the store's site settings, the templates, the catalogs), the
 * settings admins change while it runs, each request thread's store
 * connection, and the periodic work of the serve loop. The HTTP transport
 * itself is http.c's. Never forks and never touches signals. */
#include "blob/blob.h"
#include "core/log.h"
#include "core/util.h"
#include "jobs/collect.h"
#include "jobs/mailer.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/site.h"
#include "web/template.h"
#include "web/web_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIL_KEEP_DAYS 30 /* sent or failed mail, and used or expired links, kept this long */

struct wy_site {
	server sv;
	web_http *http;
	wy_store *loop_store; /* the serve loop's own connection, for the counts */
	int port;
	unsigned threads, connections;
	int64_t settings_at_ms; /* when the site settings were last loaded */
	int64_t maintain_at_ms; /* when the recycle bin and the blobs are next seen to */
	wy_mailer *mailer;      /* the thread sending the mail queue (jobs/mailer.h) */
};

void web_site_get(server *sv, wy_config *out)
{
	pthread_mutex_lock(&sv->site_lock);
	*out = sv->site;
	pthread_mutex_unlock(&sv->site_lock);
}

int web_site_int(server *sv, size_t off)
{
	pthread_mutex_lock(&sv->site_lock);
	int v = *(const int *)((const char *)&sv->site + off);
	pthread_mutex_unlock(&sv->site_lock);
	return v;
}

/* Each request thread keeps its own store connection for its life: opening
 * one costs a file open and a schema check, more than most requests. The
 * thread-local pointer is the fast path; the key's destructor closes the
 * connection when the thread ends (the server stops). */
static __thread wy_store *thread_store;
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

static void close_thread_store(void *st) { wy_store_close(st); }
static void make_store_key(void) { pthread_key_create(&store_key, close_thread_store); }

int web_store(server *sv, wy_store **st, wy_errinfo *ei)
{
	if (!thread_store) {
		int rc = wy_store_open(wy_config_store_location(sv->cfg), &thread_store, ei);
		if (rc)
			return rc;
		wy_upload_points rule = wy_upload_points_of(sv->cfg);
		wy_store_upload_points_set(thread_store, &rule);
		pthread_once(&store_key_once, make_store_key);
		pthread_setspecific(store_key, thread_store);
	}
	*st = thread_store;
	return WY_OK;
}

/* A template's UI text missing from a catalog shows in Chinese there: said
 * once at start, so a stale catalog is noticed. */
static void warn_untranslated(const char *msgid, void *arg)
{
	for (int i = 0; wy_i18n_language(i); i++)
		if (!wy_i18n_lookup(wy_i18n_language(i), msgid)) {
			char q[200];
			wy_warn("i18n.untranslated", "lang=%s template=%s msgid=%s", wy_i18n_language(i), (const char *)arg,
				wy_log_q(q, sizeof q, msgid));
		}
}

/* The templates, by name, and where the server keeps each. */
static const struct {
	const char *name;
	size_t off;
} templates[] = {
	{"base", offsetof(server, base)},	  {"index", offsetof(server, index)},	{"doc", offsetof(server, doc)},
	{"notfound", offsetof(server, notfound)}, {"category", offsetof(server, category)}, {"login", offsetof(server, login)},
	{"search", offsetof(server, search)},	  {"upload", offsetof(server, upload)}, {"me", offsetof(server, me)},
	{"admin", offsetof(server, admin)},	  {"message", offsetof(server, message)},
	{"collections", offsetof(server, collections)}, {"collection", offsetof(server, collection)},
	{"edit", offsetof(server, edit)},
	{"article", offsetof(server, article)}, {"articles", offsetof(server, articles)},
	{"dashboard", offsetof(server, dashboard)},
	{"mail", offsetof(server, mail)},
};

static wy_template **template_of(server *sv, size_t k) { return (wy_template **)((char *)sv + templates[k].off); }

/* The mail sender asks for the settings in force before each mail. */
static void mailer_settings(void *arg, wy_config *out) { web_site_get(arg, out); }

int wy_site_start(const wy_config *cfg, wy_site **out, wy_errinfo *ei)
{
	wy_site *s = wy_xcalloc(1, sizeof *s);
	server *sv = &s->sv;
	sv->cfg = cfg;
	sv->static_dir = wy_xasprintf("%s/static", cfg->web_dir);
	sv->loaded = sv->site = *cfg;
	pthread_mutex_init(&sv->site_lock, NULL);
	/* Everything that can fail is checked before the daemon starts: the
	 * store (created and migrated once, before anything else opens it),
	 * the blob store, the templates and the catalogs. */
	wy_store *st = NULL;
	char blobs[1100];
	wy_config_blob_location(cfg, blobs, sizeof blobs);
	int rc = wy_store_open(wy_config_store_location(cfg), &st, ei);
	if (!rc)
		rc = wy_blob_open(blobs, &sv->blobs, ei);
	if (!rc)
		web_site_load(sv, st); /* the settings an admin changed on the site */
	wy_store_close(st);
	for (size_t k = 0; !rc && k < sizeof templates / sizeof templates[0]; k++) {
		char *path = wy_xasprintf("%s/templates/%s.html", cfg->web_dir, templates[k].name);
		wy_errinfo tei = {0};
		rc = wy_template_load(path, template_of(sv, k), &tei);
		free(path);
		if (rc)
			wy_err_set(ei, rc, "%s (setting web_dir: %s)", wy_err_msg(&tei, rc), cfg->web_dir);
	}
	if (!rc) {
		wy_errinfo lei = {0};
		rc = wy_i18n_load(cfg->locale_dir, &lei);
		if (rc)
			wy_err_set(ei, rc, "%s (setting locale_dir: %s)", wy_err_msg(&lei, rc), cfg->locale_dir);
	}
	for (size_t k = 0; !rc && k < sizeof templates / sizeof templates[0]; k++)
		wy_template_each_msgid(*template_of(sv, k), warn_untranslated, (void *)templates[k].name);
	if (!rc)
		web_keep_start(wy_config_store_location(cfg));
	if (!rc)
		rc = web_http_start(sv, &s->http, &s->port, &s->threads, &s->connections, ei);
	if (!rc)
		sv->port = s->port;
	if (rc) {
		wy_site_stop(s);
		return rc;
	}
	wy_store_open(wy_config_store_location(cfg), &s->loop_store, NULL);
	s->mailer = wy_mailer_start(wy_config_store_location(cfg), mailer_settings, sv);
	s->settings_at_ms = wy_now_ms();
	/* the first round once the site has settled, not at its start */
	s->maintain_at_ms = wy_now_ms() + (int64_t)cfg->maintenance_seconds * 1000;
	*out = s;
	return WY_OK;
}

int wy_site_port(const wy_site *s) { return s->port; }

void wy_site_limits(const wy_site *s, unsigned *threads, unsigned *connections)
{
	*threads = s->threads;
	*connections = s->connections;
}

void wy_site_tick(wy_site *s)
{
	if (!s->loop_store)
		return;
	web_counters_flush(s->loop_store);
	/* site settings another server process changed (upload points are
	 * the store's: wy_upload_points) */
	if (wy_now_ms() - s->settings_at_ms >= 5000) {
		web_site_load(&s->sv, s->loop_store);
		s->settings_at_ms = wy_now_ms();
	}
	/* every maintenance_seconds: the recycle bin's documents past
	 * recycle_days are purged and unreferenced blobs freed
	 * (jobs/collect.h); several servers on one library may all do it */
	wy_config site;
	web_site_get(&s->sv, &site);
	if (wy_now_ms() >= s->maintain_at_ms) {
		int purged = 0;
		wy_collect_stats cs = {0};
		wy_errinfo ei = {0};
		int rc = wy_recycle_maintain(s->loop_store, s->sv.blobs, site.recycle_days, site.blob_grace, &purged, &cs, &ei);
		if (rc)
			wy_warn("recycle.maintain_failed", "msg=\"%s\"", wy_err_msg(&ei, rc));
		else if (purged || cs.removed)
			wy_log("recycle.maintained", "purged=%d blobs_removed=%lld orphans=%lld blobs=%lld", purged,
			       (long long)cs.removed, (long long)cs.orphans, (long long)cs.objects);
		/* mail sent or given up over 30 days ago, links used or expired
		 * as long: the queue and the links stay small (sqlite_mail.c) */
		int64_t mails = 0, links = 0;
		rc = wy_store_mail_prune(s->loop_store, wy_now(), MAIL_KEEP_DAYS * 86400, &mails, &links, &ei);
		if (rc)
			wy_warn("mail.prune_failed", "msg=\"%s\"", wy_err_msg(&ei, rc));
		else if (mails || links)
			wy_log("mail.pruned", "mails=%lld links=%lld", (long long)mails, (long long)links);
		s->maintain_at_ms = wy_now_ms() + (int64_t)site.maintenance_seconds * 1000;
	}
}

void wy_site_reload(wy_site *s, const wy_config *fresh)
{
	server *sv = &s->sv;
	pthread_mutex_lock(&sv->site_lock);
	wy_config_update(&sv->loaded, fresh);
	pthread_mutex_unlock(&sv->site_lock);
	if (s->loop_store)
		web_site_load(sv, s->loop_store); /* site = loaded + what admins stored */
	else
		sv->site = sv->loaded; /* not reached: a started site has its loop store */
}

void wy_site_stop(wy_site *s)
{
	if (!s)
		return;
	bool started = s->http != NULL;
	wy_mailer_stop(s->mailer);
	web_http_stop(s->http, (int64_t)web_site_int(&s->sv, offsetof(wy_config, stop_grace)) * 1000);
	wy_store_close(s->loop_store);
	web_keep_stop();
	wy_store *fst;
	if (started && !wy_store_open(wy_config_store_location(s->sv.cfg), &fst, NULL)) {
		web_counters_flush(fst);
		wy_store_close(fst);
	}
	server *sv = &s->sv;
	free(sv->static_dir);
	wy_blob_close(sv->blobs);
	for (size_t k = 0; k < sizeof templates / sizeof templates[0]; k++)
		wy_template_free(*template_of(sv, k));
	pthread_mutex_destroy(&sv->site_lock);
	wy_i18n_unload();
	free(s);
}

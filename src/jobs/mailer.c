/* jobs/mailer: composing a mail, sending it over SMTP with libcurl, and
 * the thread that empties the store's queue (mailer.h). It never writes a
 * header from text it has not checked for line breaks, and never logs an
 * address or the SMTP URL (which may hold a password). */
#include "jobs/mailer.h"
#include "core/log.h"
#include "store/store.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAIL_TIMEOUT 60          /* seconds one send may take */
#define MAIL_BACKOFF_MAX 21600   /* the longest wait between tries: 6 hours */
#define MAIL_POLL_MS 1000        /* how often the queue is looked at */

/* ---- composing ---- */

static int put_b64(wy_buf *b, const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *t = wy_xmalloc(len);
	sodium_bin2base64(t, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	int rc = wy_buf_puts(b, t);
	free(t);
	return rc;
}

/* Text as RFC 2047 encoded words (=?UTF-8?B?...?=), cut between UTF-8
 * characters, each on a line of its own (folded): a line with encoded
 * words is at most 76 characters, so the first, after "Subject: ", holds
 * 36 bytes of text (48 of base64, 60 with its frame), the others 45 (72
 * after the folding space). */
static int put_words(wy_buf *b, const char *s)
{
	size_t n = strlen(s);
	int rc = WY_OK;
	if (n == 0)
		return wy_buf_puts(b, "=?UTF-8?B?" "?="); /* split: no trigraph */
	for (size_t at = 0; at < n && !rc;) {
		size_t max = at == 0 ? 36 : 45;
		size_t take = n - at > max ? max : n - at;
		/* never between a lead byte and its continuation bytes */
		while (take > 0 && at + take < n && ((unsigned char)s[at + take] & 0xC0) == 0x80)
			take--;
		if (take == 0)
			take = n - at < max ? n - at : max;
		if (at > 0)
			rc = wy_buf_puts(b, "\r\n ");
		if (!rc)
			rc = wy_buf_puts(b, "=?UTF-8?B?");
		if (!rc)
			rc = put_b64(b, (const unsigned char *)s + at, take);
		if (!rc)
			rc = wy_buf_puts(b, "?=");
		at += take;
	}
	return rc;
}

int wy_mail_compose(const char *from_name, const char *from, const char *to, const char *subject, const char *body,
		    int64_t now, wy_buf *out, wy_errinfo *ei)
{
	if (!wy_mail_addr_valid(from))
		return wy_err_set(ei, WY_EINVAL, "the sender (smtp_from) is not an email address");
	if (!wy_mail_addr_valid(to))
		return wy_err_set(ei, WY_EINVAL, "the recipient is not an email address");
	if (!wy_mail_header_safe(subject) || (from_name && !wy_mail_header_safe(from_name)))
		return wy_err_set(ei, WY_EINVAL, "a header's text holds a line break");
	char date[64];
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	unsigned char rnd[16];
	char id[33];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
	wy_buf_init(out, 0);
	int rc = wy_buf_printf(out, "Date: %s\r\nMessage-ID: <%s.%lld%s>\r\nFrom: ", date, id, (long long)now,
			       strchr(from, '@'));
	if (!rc && from_name && *from_name) {
		rc = put_words(out, from_name);
		if (!rc)
			rc = wy_buf_puts(out, " ");
	}
	if (!rc)
		rc = wy_buf_printf(out, "<%s>\r\nTo: <%s>\r\nSubject: ", from, to);
	if (!rc)
		rc = put_words(out, subject);
	if (!rc)
		rc = wy_buf_puts(out, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
				      "Content-Transfer-Encoding: base64\r\n\r\n");
	/* the body with CRLF line ends, in base64 lines of 76 (57 bytes) */
	wy_buf text;
	wy_buf_init(&text, 0);
	for (const char *p = body; !rc && *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			rc = wy_buf_putc(&text, '\r');
		if (!rc)
			rc = wy_buf_putc(&text, *p);
	}
	for (size_t at = 0; !rc && at < text.len; at += 57) {
		rc = put_b64(out, (const unsigned char *)text.data + at, text.len - at < 57 ? text.len - at : 57);
		if (!rc)
			rc = wy_buf_puts(out, "\r\n");
	}
	wy_buf_free(&text);
	if (rc) {
		wy_buf_free(out);
		return wy_err_set(ei, rc, "cannot compose a mail");
	}
	return WY_OK;
}

/* ---- sending ---- */

typedef struct reader {
	const char *p;
	size_t left;
} reader;

static size_t read_msg(char *buf, size_t size, size_t n, void *arg)
{
	reader *r = arg;
	size_t take = size * n < r->left ? size * n : r->left;
	memcpy(buf, r->p, take);
	r->p += take;
	r->left -= take;
	return take;
}

int wy_mail_send(const char *url, const char *from, const char *to, const char *msg, size_t len, int timeout,
		 wy_errinfo *ei)
{
	long tls;
	char *u;
	if (strncmp(url, "smtp+starttls://", 16) == 0) {
		u = wy_xasprintf("smtp://%s", url + 16);
		tls = (long)CURLUSESSL_ALL;
	} else if (strncmp(url, "smtps://", 8) == 0) {
		u = wy_xstrdup(url);
		tls = (long)CURLUSESSL_ALL;
	} else if (strncmp(url, "smtp://", 7) == 0) {
		u = wy_xstrdup(url);
		tls = (long)CURLUSESSL_TRY;
	} else {
		return wy_err_set(ei, WY_EINVAL, "smtp_url starts with smtp://, smtp+starttls:// or smtps://");
	}
	if (!wy_mail_addr_valid(from) || !wy_mail_addr_valid(to)) {
		free(u);
		return wy_err_set(ei, WY_EINVAL, "not an email address");
	}
	CURL *h = curl_easy_init();
	if (!h) {
		free(u);
		return wy_err_set(ei, WY_ENOMEM, "libcurl could not start");
	}
	char mfrom[300], mto[300], err[CURL_ERROR_SIZE] = "";
	snprintf(mfrom, sizeof mfrom, "<%s>", from);
	snprintf(mto, sizeof mto, "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, mto);
	reader rd = {msg, len};
	curl_easy_setopt(h, CURLOPT_URL, u);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, tls);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_msg);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* a thread: no SIGALRM for timeouts */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(u);
	if (cc != CURLE_OK)
		return wy_err_set(ei, WY_EIO, "%s%s%s (SMTP %ld)", curl_easy_strerror(cc), *err ? ": " : "", err, code);
	return WY_OK;
}

/* ---- the thread ---- */

struct wy_mailer {
	pthread_t thread;
	char *location; /* the store (wy_config_store_location) */
	void (*settings)(void *, wy_config *);
	void *arg;
	bool stop;
};

/* One process, one sender: its wake-up is the process's. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
} bell = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t bell_once = PTHREAD_ONCE_INIT;

static void bell_init(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&bell.cond, &ca);
	pthread_condattr_destroy(&ca);
}

void wy_mailer_wake(void)
{
	pthread_once(&bell_once, bell_init);
	pthread_mutex_lock(&bell.lock);
	bell.woken = true;
	pthread_cond_broadcast(&bell.cond);
	pthread_mutex_unlock(&bell.lock);
}

/* Wait up to ms, or until woken or stopped. */
static void nap(wy_mailer *m, int64_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&bell.lock);
	while (!bell.woken && !m->stop)
		if (pthread_cond_timedwait(&bell.cond, &bell.lock, &until) != 0)
			break;
	bell.woken = false;
	pthread_mutex_unlock(&bell.lock);
}

static bool stopping(wy_mailer *m)
{
	pthread_mutex_lock(&bell.lock);
	bool s = m->stop;
	pthread_mutex_unlock(&bell.lock);
	return s;
}

/* Send one claimed mail and record what came of it. */
static void deliver(wy_store *st, const wy_config *cfg, wy_mail *mail)
{
	wy_buf msg;
	wy_errinfo ei = {0};
	int rc = wy_mail_compose(cfg->site_name, cfg->smtp_from, mail->to_addr, mail->subject, mail->body, wy_now(),
				 &msg, &ei);
	if (!rc) {
		rc = wy_mail_send(cfg->smtp_url, cfg->smtp_from, mail->to_addr, msg.data, msg.len, MAIL_TIMEOUT, &ei);
		wy_buf_free(&msg);
	}
	wy_errinfo sei = {0};
	if (!rc) {
		wy_log("mail.sent", "mail=%lld tries=%d", (long long)mail->id, mail->tries);
		if (wy_store_mail_sent(st, mail->id, wy_now(), &sei))
			wy_warn("mail.store_failed", "mail=%lld msg=\"%s\"", (long long)mail->id, wy_err_msg(&sei, -1));
		return;
	}
	const char *why = wy_err_msg(&ei, rc);
	int64_t retry_at = 0;
	if (mail->tries < cfg->mail_tries && rc != WY_EINVAL) {
		int64_t wait = cfg->mail_retry_seconds;
		for (int i = 1; i < mail->tries && wait < MAIL_BACKOFF_MAX; i++)
			wait *= 2;
		retry_at = wy_now() + (wait < MAIL_BACKOFF_MAX ? wait : MAIL_BACKOFF_MAX);
	}
	char q[300];
	if (retry_at)
		wy_warn("mail.retry", "mail=%lld tries=%d in=%llds msg=%s", (long long)mail->id, mail->tries,
			(long long)(retry_at - wy_now()), wy_log_q(q, sizeof q, why));
	else
		wy_error("mail.failed", "mail=%lld tries=%d msg=%s", (long long)mail->id, mail->tries,
			 wy_log_q(q, sizeof q, why));
	if (wy_store_mail_retry(st, mail->id, why, retry_at, &sei))
		wy_warn("mail.store_failed", "mail=%lld msg=\"%s\"", (long long)mail->id, wy_err_msg(&sei, -1));
}

static void *run(void *arg)
{
	wy_mailer *m = arg;
	wy_store *st = NULL;
	wy_config *cfg = wy_xmalloc(sizeof *cfg);
	while (!stopping(m)) {
		if (!st && wy_store_open(m->location, &st, NULL)) {
			st = NULL;
			nap(m, MAIL_POLL_MS);
			continue;
		}
		m->settings(m->arg, cfg);
		if (!*cfg->smtp_url || !*cfg->smtp_from) { /* no mail: it waits */
			nap(m, MAIL_POLL_MS);
			continue;
		}
		wy_mail mail;
		wy_errinfo ei = {0};
		int rc = wy_store_mail_claim(st, wy_now(), MAIL_TIMEOUT + 60, &mail, &ei);
		if (rc == WY_OK) {
			deliver(st, cfg, &mail);
			wy_mail_clear(&mail);
			continue;
		}
		if (rc != WY_ENOTFOUND)
			wy_warn("mail.claim_failed", "msg=\"%s\"", wy_err_msg(&ei, rc));
		/* nothing due: until the next is due, a second at most */
		int64_t next = 0, wait = MAIL_POLL_MS;
		if (!wy_store_mail_next(st, &next, NULL) && next) {
			int64_t in = (next - wy_now()) * 1000;
			wait = in < 10 ? 10 : in < wait ? in : wait;
		}
		nap(m, wait);
	}
	free(cfg);
	wy_store_close(st);
	return NULL;
}

wy_mailer *wy_mailer_start(const char *location, void (*settings)(void *arg, wy_config *out), void *arg)
{
	pthread_once(&bell_once, bell_init);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		wy_error("mail.start_failed", "reason=\"libcurl would not start\"");
		return NULL;
	}
	wy_mailer *m = wy_xcalloc(1, sizeof *m);
	m->location = wy_xstrdup(location);
	m->settings = settings;
	m->arg = arg;
	if (pthread_create(&m->thread, NULL, run, m) != 0) {
		wy_error("mail.start_failed", "reason=\"no thread\"");
		free(m->location);
		free(m);
		return NULL;
	}
	return m;
}

void wy_mailer_stop(wy_mailer *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&bell.lock);
	m->stop = true;
	pthread_cond_broadcast(&bell.cond);
	pthread_mutex_unlock(&bell.lock);
	pthread_join(m->thread, NULL);
	free(m->location);
	free(m);
	curl_global_cleanup();
}

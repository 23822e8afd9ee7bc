/* jobs/mailer: the site's mail, sent from the store's queue
 * (wy_mail_enqueue in store/store.h) by a thread of the serve process,
 * never inside a request.
 *
 * The thread claims one due mail at a time (wy_store_mail_claim: safe
 * with several serve processes on one library), sends it through
 * libcurl's SMTP to smtp_url, and marks it sent, or schedules the next
 * try mail_retry_seconds x 2^(tries-1) later (at most 6 hours), or gives
 * it up after mail_tries tries, its last error kept for the admin area.
 * It looks at the queue every second and at once when this process
 * queued a mail (wy_mailer_wake). With smtp_url or smtp_from empty it
 * sends nothing and the mail waits. */
#ifndef WY_MAILER_H
#define WY_MAILER_H

#include "core/config.h"
#include "core/err.h"
#include "core/util.h"

#include <stdint.h>

/* The message of one mail as RFC 5322 has it, CRLF lines: Date (now),
 * Message-ID (random, at from's domain), From (from_name RFC 2047 encoded
 * and the address), To, Subject (RFC 2047 UTF-8 words, folded), MIME
 * 1.0, text/plain UTF-8 in base64 (lines of 76). WY_EINVAL when from or
 * to is not an address (wy_mail_addr_valid) or a header's text holds a
 * line break (wy_mail_header_safe): nothing can add a header. */
int wy_mail_compose(const char *from_name, const char *from, const char *to, const char *subject, const char *body,
		    int64_t now, wy_buf *out, wy_errinfo *ei);

/* Send a composed message to `to` from `from` through url:
 * smtp://[user:password@]host[:port] (STARTTLS when the server offers it),
 * smtp+starttls://... (STARTTLS required), smtps://... (TLS from the
 * start); the login, when any, from the URL's userinfo (percent-encoded).
 * At most timeout seconds. The server's or the connection's error in ei
 * (WY_EIO), WY_EINVAL for another scheme. Thread-safe once
 * wy_mailer_start (or curl_global_init) ran. */
int wy_mail_send(const char *url, const char *from, const char *to, const char *msg, size_t len, int timeout,
		 wy_errinfo *ei);

typedef struct wy_mailer wy_mailer;

/* Start the sending thread on the store at location; settings(arg, out)
 * gives it the settings in force (it asks before each mail: admins change
 * them while it runs). NULL when the thread cannot start (logged). */
wy_mailer *wy_mailer_start(const char *location, void (*settings)(void *arg, wy_config *out), void *arg);
/* Look at the queue now (this process queued a mail). Thread-safe. */
void wy_mailer_wake(void);
/* Stop the thread (a send in flight finishes first, within its timeout)
 * and free m; NULL is a no-op. */
void wy_mailer_stop(wy_mailer *m);

#endif

/* web/conn_guard: the limits on connections that libmicrohttpd 0.9.75 does
 * not have (a deadline for a request's headers, a minimum rate for its
 * body, a reserve of connections for new addresses), and the limits serve
 * gives libmicrohttpd made to agree with its thread pool and the process's
 * open-file limit. See conn_guard.c. Only http.c includes this. */
#ifndef WY_WEB_CONN_GUARD_H
#define WY_WEB_CONN_GUARD_H

#include "core/config.h"
#include "core/err.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct web_guard web_guard;

/* The thread pool and the connection limit to give libmicrohttpd: threads
 * from http_threads (0 = 4 per core), at most one per connection (each
 * thread takes an equal share of the limit; a share of 0 never accepts);
 * the connection limit from http_max_connections, lowered when the
 * process cannot have enough open files for it even after raising its soft
 * RLIMIT_NOFILE to the hard one (said in the log: serve.fd_limit). */
void web_guard_limits(const wy_config *cfg, unsigned *threads, unsigned *connections);

/* The blobs' files keep.c holds open between requests (counted above). */
#define WEB_KEPT_FILES 64

/* Start the guard (its thread wakes 4 times a second) for a daemon that
 * holds at most connections at once; cfg gives the deadlines and the
 * per-address limit and is read only here. *out is given to
 * MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_APC with the callbacks
 * below. WY_EIO when the thread cannot start. */
int web_guard_start(const wy_config *cfg, unsigned connections, web_guard **out, wy_errinfo *ei);

/* Stop the thread and free the guard: after MHD_stop_daemon, which tells
 * the guard of every connection it closes. NULL is a no-op. */
void web_guard_stop(web_guard *g);

/* libmicrohttpd's callbacks, cls the guard. Thread-safe. */
enum MHD_Result web_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void web_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		      enum MHD_ConnectionNotificationCode code);

/* libmicrohttpd's messages (MHD_OPTION_EXTERNAL_LOGGER, cls the guard)
 * as log lines, http.mhd msg="...": warnings, but a connection that ended
 * in the middle of a request (a client gone, or a deadline of the guard)
 * and one refused at libmicrohttpd's limits are debug, the latter counted
 * in the guard's line (http.guard refused_limit=N, at most one a second):
 * else every slow connection closed or refused would add a line. */
void web_guard_mhd_log(void *cls, const char *fmt, va_list ap);

/* From the request handler, on the connection's own thread: the headers
 * of a request are all there (its first call; a body the headers announce
 * must then keep http_min_body_rate); n bytes of the body arrived (a later
 * call; 0: the body is complete); the request is over (NOTIFY_COMPLETED),
 * so the next one's headers are due within http_header_timeout. No-ops on
 * a connection the guard does not know. */
void web_guard_headers(struct MHD_Connection *c);
void web_guard_body(struct MHD_Connection *c, size_t n);
void web_guard_request_done(struct MHD_Connection *c);

#endif

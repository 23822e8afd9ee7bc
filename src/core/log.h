/* log: one line per event, key=value or JSON, to stderr.
 *
 * wy_log("job.done", "job=%lld doc=%lld pages=%d", ...) prints
 *   2026-11-29T12:00:00Z info job.done pid=7 job=1 doc=1 pages=3
 * or, with the JSON format (setting log_format=json), one object a line:
 *   {"time":"2026-11-29T12:00:00Z","level":"info","event":"job.done","pid":7,"job":1,"doc":1,"pages":3}
 * Callers always write key=value; values that may hold spaces are quoted by
 * the caller with wy_log_q(). The JSON line is made from them: a quoted
 * value is a string, a bare one a number when it reads as one, else a
 * string; bytes that are not UTF-8 become U+FFFD. A line is written with
 * one write(2), so lines of several processes never interleave. */
#ifndef WY_LOG_H
#define WY_LOG_H

#include <stdbool.h>

enum { WY_LOG_DEBUG, WY_LOG_INFO, WY_LOG_WARN, WY_LOG_ERROR, WY_LOG_QUIET };
enum { WY_LOG_KV, WY_LOG_JSON };

/* Lines below level are dropped. Set from WENYUAN_LOG (debug|info|warn|error|quiet). */
void wy_log_set_level(int level);
int wy_log_level_from_name(const char *name);
/* The level and the format in force (for a process that starts another
 * image of the program and hands them on). */
int wy_log_level(void);
int wy_log_format(void);

/* The format of every line of this process (and of the children it forks
 * after): WY_LOG_KV (the default) or WY_LOG_JSON. Call before threads
 * start. wy_log_format_from_name: "kv" or "json", -1 for anything else. */
void wy_log_set_format(int format);
int wy_log_format_from_name(const char *name);

/* Request ids: what an HTTP request is known by in every line logged for
 * it, the server's and the worker's (the id travels with the job an upload
 * queues). An id is 1 to WY_LOG_REQ_MAX of A-Z a-z 0-9 - _ (anything else
 * may come from a client's header and is refused). */
#define WY_LOG_REQ_MAX 64
bool wy_log_req_valid(const char *id);
/* The request the calling thread works for: each line it logs carries
 * req=<id> until wy_log_set_req(NULL) (or an invalid id) clears it. The id
 * is copied; thread-local, and a process forked by the thread keeps it. */
void wy_log_set_req(const char *id);
/* The calling thread's request id, "" when none. */
const char *wy_log_req(void);

void wy_logl(int level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define wy_log(ev, ...) wy_logl(WY_LOG_INFO, ev, __VA_ARGS__)
#define wy_warn(ev, ...) wy_logl(WY_LOG_WARN, ev, __VA_ARGS__)
#define wy_error(ev, ...) wy_logl(WY_LOG_ERROR, ev, __VA_ARGS__)
#define wy_debug(ev, ...) wy_logl(WY_LOG_DEBUG, ev, __VA_ARGS__)

/* Quote s for a log value into out (always NUL-terminated, truncated to cap):
 * "a b" -> "\"a b\"". Returns out. */
char *wy_log_q(char *out, unsigned cap, const char *s);

/* The JSON line of a key=value line's fields (kv: "a=1 b=\"x y\""), as
 * wy_logl makes it with the head fields before them (head: "\"time\":..."
 * without braces, may be NULL): into out (cap bytes, at least 64), always
 * a whole object and a newline, fields past the room dropped. Returns the
 * length. For the tests. */
unsigned wy_log_json(const char *head, const char *kv, char *out, unsigned cap);

#endif

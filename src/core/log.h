/* log: one line per event, key=value, to stderr.
 *
 * wy_log("job.done", "job=%lld doc=%lld pages=%d", ...) prints
 *   2026-11-29T12:00:00Z info job.done job=1 doc=1 pages=3
 * Values that may hold spaces are quoted by the caller with wy_log_q(). */
#ifndef WY_LOG_H
#define WY_LOG_H

enum { WY_LOG_DEBUG, WY_LOG_INFO, WY_LOG_WARN, WY_LOG_ERROR, WY_LOG_QUIET };

/* Lines below level are dropped. Set from WENYUAN_LOG (debug|info|warn|error|quiet). */
void wy_log_set_level(int level);
int wy_log_level_from_name(const char *name);

void wy_logl(int level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define wy_log(ev, ...) wy_logl(WY_LOG_INFO, ev, __VA_ARGS__)
#define wy_warn(ev, ...) wy_logl(WY_LOG_WARN, ev, __VA_ARGS__)
#define wy_error(ev, ...) wy_logl(WY_LOG_ERROR, ev, __VA_ARGS__)
#define wy_debug(ev, ...) wy_logl(WY_LOG_DEBUG, ev, __VA_ARGS__)

/* Quote s for a log value into out (always NUL-terminated, truncated to cap):
 * "a b" -> "\"a b\"". Returns out. */
char *wy_log_q(char *out, unsigned cap, const char *s);

#endif

/* log: event lines on stderr, key=value or JSON; one write(2) per line so
 * lines from the worker and its children never interleave mid-line. Never
 * allocates: it runs in forked children and on failure paths. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* -1: not set yet; the first event reads WENYUAN_LOG, so every binary
 * (tests included) honours it without calling anything. */
static int min_level = -1;
static int format = WY_LOG_KV;
static __thread char cur_req[WY_LOG_REQ_MAX + 1];

void wy_log_set_level(int level) { min_level = level; }

int wy_log_level(void)
{
	if (min_level < 0)
		min_level = wy_log_level_from_name(getenv("WENYUAN_LOG"));
	return min_level;
}

int wy_log_format(void) { return format; }

int wy_log_level_from_name(const char *name)
{
	static const char *names[] = {"debug", "info", "warn", "error", "quiet"};
	for (int i = 0; i < 5; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return WY_LOG_INFO;
}

void wy_log_set_format(int f) { format = f == WY_LOG_JSON ? WY_LOG_JSON : WY_LOG_KV; }

int wy_log_format_from_name(const char *name)
{
	return !name ? -1 : strcmp(name, "kv") == 0 ? WY_LOG_KV : strcmp(name, "json") == 0 ? WY_LOG_JSON : -1;
}

bool wy_log_req_valid(const char *id)
{
	size_t n = 0;
	for (; id && id[n]; n++) {
		char c = id[n];
		if (n >= WY_LOG_REQ_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return n > 0;
}

void wy_log_set_req(const char *id)
{
	if (wy_log_req_valid(id))
		memcpy(cur_req, id, strlen(id) + 1);
	else
		cur_req[0] = 0;
}

const char *wy_log_req(void) { return cur_req; }

/* ---- JSON ---- */

/* A JSON object being written into a fixed buffer; room is kept for the
 * closing brace and newline. A field that does not fit is dropped whole. */
typedef struct jw {
	char *p;
	unsigned n, cap;
	bool full;
} jw;

static void put(jw *w, const char *s, unsigned len)
{
	if (w->full || w->n + len + 2 > w->cap) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->n, s, len);
	w->n += len;
}

/* The length of the valid UTF-8 sequence at s (at most len bytes), 0 when
 * it is not one (stray continuation, overlong, surrogate, past U+10FFFF). */
static unsigned utf8_len(const unsigned char *s, unsigned len)
{
	unsigned n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	if (s[0] < 0xC2 || s[0] > 0xF4 || n > len)
		return 0;
	for (unsigned i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) || (s[0] == 0xF0 && s[1] < 0x90) ||
	    (s[0] == 0xF4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* s (len bytes) as a JSON string, quotes included. */
static void put_str(jw *w, const char *s, unsigned len)
{
	const unsigned char *u = (const unsigned char *)s;
	put(w, "\"", 1);
	for (unsigned i = 0; i < len && !w->full;) {
		unsigned char c = u[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(w, esc, 6);
			i++;
		} else if (c < 0x80) {
			put(w, (const char *)u + i, 1);
			i++;
		} else {
			unsigned n = utf8_len(u + i, len - i);
			if (n)
				put(w, (const char *)u + i, n);
			else
				put(w, "\\ufffd", 6);
			i += n ? n : 1;
		}
	}
	put(w, "\"", 1);
}

/* Whether s (len bytes) is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)? */
static bool is_number(const char *s, unsigned len)
{
	unsigned i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i >= len || s[i] < '0' || s[i] > '9' || (s[i] == '0' && i + 1 < len && s[i + 1] != '.'))
		return false;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < len && s[i] == '.') {
		if (++i >= len)
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == len && len <= 20;
}

/* One field "key": value, after a comma but for the first. A key that is
 * one of the head's gets a trailing underscore (the office converter's
 * pid=, beside the pid of the process that logs). */
static void put_field(jw *w, const char *key, unsigned klen, const char *val, unsigned vlen, bool quoted)
{
	static const char *const head[] = {"time", "level", "event", "pid", "req"};
	unsigned at = w->n;
	if (at > 1)
		put(w, ",", 1);
	put_str(w, key, klen);
	for (int i = 0; i < 5; i++)
		if (klen == strlen(head[i]) && memcmp(key, head[i], klen) == 0) {
			w->n--; /* pid=<a child's> beside the line's own pid: pid_ */
			put(w, "_\"", 2);
		}
	put(w, ":", 1);
	if (!quoted && is_number(val, vlen))
		put(w, val, vlen);
	else
		put_str(w, val, vlen);
	if (w->full)
		w->n = at; /* dropped whole */
}

unsigned wy_log_json(const char *head, const char *kv, char *out, unsigned cap)
{
	jw w = {.p = out, .cap = cap};
	put(&w, "{", 1);
	if (head)
		put(&w, head, (unsigned)strlen(head));
	char val[2048];
	for (const char *p = kv; *p && !w.full;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *k = p;
		while (*p && *p != ' ' && *p != '=')
			p++;
		unsigned klen = (unsigned)(p - k), vlen = 0;
		if (*p != '=') { /* a word that is no field: kept as one */
			put_field(&w, "word", 4, k, klen, true);
			continue;
		}
		p++;
		bool quoted = *p == '"';
		if (quoted) {
			/* wy_log_q escapes " and \; a value written with a bare %s
			 * may hold quotes: it ends at a quote before a space or the
			 * end of the line, else at the end of the line */
			for (p++; *p && vlen < sizeof val; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
					val[vlen++] = *++p;
					continue;
				}
				if (*p == '"' && (p[1] == ' ' || p[1] == 0)) {
					p++;
					break;
				}
				val[vlen++] = *p;
			}
		} else {
			while (*p && *p != ' ' && vlen < sizeof val)
				val[vlen++] = *p++;
		}
		put_field(&w, k, klen, val, vlen, quoted);
	}
	w.full = false; /* the room kept for the end */
	out[w.n++] = '}';
	out[w.n++] = '\n';
	return w.n;
}

void wy_logl(int level, const char *event, const char *fmt, ...)
{
	static const char *lv[] = {"debug", "info", "warn", "error"};
	if (min_level < 0)
		min_level = wy_log_level_from_name(getenv("WENYUAN_LOG"));
	if (level < min_level || level > WY_LOG_ERROR)
		return;
	char line[2048], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = 0;
	if (format == WY_LOG_KV) {
		n = snprintf(line, sizeof line, "%s %s %s pid=%d ", stamp, lv[level], event, (int)getpid());
		if (cur_req[0])
			n += snprintf(line + n, sizeof line - (size_t)n, "req=%s ", cur_req);
	}
	if (n < (int)sizeof line) {
		va_list ap;
		va_start(ap, fmt);
		n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	if (format == WY_LOG_JSON) {
		line[n] = 0;
		char head[256], out[8192];
		jw h = {.p = head, .cap = sizeof head};
		put(&h, "\"time\":", 7);
		put_str(&h, stamp, (unsigned)strlen(stamp));
		put(&h, ",\"level\":", 9);
		put_str(&h, lv[level], (unsigned)strlen(lv[level]));
		put(&h, ",\"event\":", 9);
		put_str(&h, event, (unsigned)strlen(event) < 64 ? (unsigned)strlen(event) : 64);
		char pid[32];
		put(&h, pid, (unsigned)snprintf(pid, sizeof pid, ",\"pid\":%d", (int)getpid()));
		if (cur_req[0]) { /* a valid id: nothing to escape */
			put(&h, ",\"req\":\"", 8);
			put(&h, cur_req, (unsigned)strlen(cur_req));
			put(&h, "\"", 1);
		}
		head[h.n] = 0;
		unsigned len = wy_log_json(head, line, out, sizeof out);
		ssize_t w = write(2, out, len);
		(void)w;
		return;
	}
	line[n++] = '\n';
	ssize_t w = write(2, line, (size_t)n);
	(void)w;
}

char *wy_log_q(char *out, unsigned cap, const char *s)
{
	unsigned o = 0;
	if (cap < 3) {
		if (cap)
			out[0] = 0;
		return out;
	}
	out[o++] = '"';
	for (; s && *s && o + 3 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	out[o++] = '"';
	out[o] = 0;
	return out;
}

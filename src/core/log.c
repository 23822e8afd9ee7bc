/* log: key=value event lines on stderr; one write(2) per line so lines from
 * the worker and its children never interleave mid-line. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdlib.h>

/* -1: not set yet; the first event reads WENYUAN_LOG, so every binary
 * (tests included) honours it without calling anything. */
static int min_level = -1;

void wy_log_set_level(int level) { min_level = level; }

int wy_log_level_from_name(const char *name)
{
	static const char *names[] = {"debug", "info", "warn", "error", "quiet"};
	for (int i = 0; i < 5; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return WY_LOG_INFO;
}

void wy_logl(int level, const char *event, const char *fmt, ...)
{
	static const char *lv[] = {"debug", "info", "warn", "error"};
	if (min_level < 0)
		min_level = wy_log_level_from_name(getenv("WENYUAN_LOG"));
	if (level < min_level || level > WY_LOG_ERROR)
		return;
	char line[2048];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, "%s %s pid=%d ", lv[level], event, (int)getpid());
	if (n < (int)sizeof line) {
		va_list ap;
		va_start(ap, fmt);
		n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
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
		out[o++] = (c < 0x20) ? ' ' : (char)c;
	}
	out[o++] = '"';
	out[o] = 0;
	return out;
}

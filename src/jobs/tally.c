/* tally: what a job's end counts for /metrics (jobs/tally.h). */
#include "jobs/tally.h"

#include <stdio.h>

static const double bounds[WY_TALLY_BOUNDS] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

/* A label's value for Prometheus's text format: \, " and newlines
 * escaped (formats are the sniffer's short names; this is a guard). */
static void label_value(char *out, size_t cap, const char *v)
{
	size_t o = 0;
	for (; v && *v && o + 3 < cap; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n')
			out[o++] = '\\';
		out[o++] = *v == '\n' ? 'n' : *v;
	}
	out[o] = 0;
}

/* One count: name{k1="v1",k2="v2"} (k2 or both NULL: fewer labels). */
static void add(wy_tally *t, wy_job *j, const char *name, double by, const char *k1, const char *v1, const char *k2,
		const char *v2)
{
	int i = j->ncounts++;
	char a[64], b[64];
	label_value(a, sizeof a, v1);
	label_value(b, sizeof b, v2);
	if (!k1)
		t->labels[i][0] = 0;
	else if (!k2)
		snprintf(t->labels[i], sizeof t->labels[i], "%s=\"%s\"", k1, a);
	else
		snprintf(t->labels[i], sizeof t->labels[i], "%s=\"%s\",%s=\"%s\"", k1, a, k2, b);
	t->c[i] = (wy_count){.name = name, .labels = t->labels[i], .add = by};
}

void wy_tally_job(wy_tally *t, wy_job *j, const char *format, const char *outcome, double secs, const char *restart)
{
	j->ncounts = 0;
	j->counts = t->c;
	if (j->ocr_from) {
		add(t, j, "wenyuan_ocr_batches_total", 1, "outcome", outcome, NULL, NULL);
	} else {
		add(t, j, "wenyuan_conversions_total", 1, "format", format && *format ? format : "unknown", "outcome",
		    outcome);
		for (size_t b = 0; b < WY_TALLY_BOUNDS; b++) {
			char le[32];
			snprintf(le, sizeof le, "%g", bounds[b]);
			add(t, j, "wenyuan_conversion_seconds_bucket", secs <= bounds[b], "le", le, NULL, NULL);
		}
		add(t, j, "wenyuan_conversion_seconds_bucket", 1, "le", "+Inf", NULL, NULL);
		add(t, j, "wenyuan_conversion_seconds_sum", secs, NULL, NULL, NULL, NULL);
		add(t, j, "wenyuan_conversion_seconds_count", 1, NULL, NULL, NULL, NULL);
	}
	if (restart)
		add(t, j, "wenyuan_converter_restarts_total", 1, "cause", restart, NULL, NULL);
}

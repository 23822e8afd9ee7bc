/* metrics: /metrics in Prometheus's text format (version 0.0.4), for the
 * addresses of the setting metrics_allow only (404 to everyone else).
 *
 * Requests are counted by route (the route table's pattern, so that a
 * million document ids make one series), method and status, with a
 * latency histogram per route; the counters are atomics the request
 * threads add to as each request ends (http.c). What the library holds
 * (documents by status and format, accounts, the queue and the age of its
 * oldest job) is read from the store at each scrape, and so are the
 * counters the workers keep there (conversions, their time, converter
 * restarts: a worker may be another process on another machine). The
 * site's searches are timed here; store and blob errors are this
 * process's, counted by those modules. docs/observability.md lists every
 * family. */
#include "core/log.h"
#include "store/store.h"
#include "web/web_int.h"
#include "wy_version.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCODES 500 /* status 100..599 */
static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static struct {
	const char *path; /* NULL: no such route (404s, 405s) */
	const char *method;
	_Atomic uint64_t codes[NCODES];
	_Atomic uint64_t le[NBOUNDS]; /* requests at most bounds[i] */
	_Atomic uint64_t count, sum_us;
} series[WEB_METRICS_ROUTES + 1];

void web_metrics_route(int i, const char *path, bool post)
{
	if (i < 0 || i >= WEB_METRICS_ROUTES)
		return;
	series[i].path = path;
	series[i].method = post ? "POST" : "GET";
}

void web_metrics_done(int route, unsigned status, int64_t us)
{
	if (route < 0 || route > WEB_METRICS_ROUTES)
		route = WEB_METRICS_ROUTES;
	if (status >= 100 && status < 100 + NCODES)
		atomic_fetch_add_explicit(&series[route].codes[status - 100], 1, memory_order_relaxed);
	double s = (double)us / 1e6;
	for (size_t b = 0; b < NBOUNDS; b++)
		if (s <= bounds[b])
			atomic_fetch_add_explicit(&series[route].le[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&series[route].count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&series[route].sum_us, (uint64_t)(us > 0 ? us : 0), memory_order_relaxed);
}

/* Searches of the site (search.c), with the bounds of the requests'. */
static struct {
	_Atomic uint64_t le[NBOUNDS];
	_Atomic uint64_t count, sum_us;
} searches;

void web_metrics_search(int64_t us)
{
	double s = (double)us / 1e6;
	for (size_t b = 0; b < NBOUNDS; b++)
		if (s <= bounds[b])
			atomic_fetch_add_explicit(&searches.le[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&searches.count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&searches.sum_us, (uint64_t)(us > 0 ? us : 0), memory_order_relaxed);
}

/* Sitemap parts built (seo.c): each once per change of its list. */
static _Atomic uint64_t sitemap_built;

void web_metrics_sitemap_built(void) { atomic_fetch_add_explicit(&sitemap_built, 1, memory_order_relaxed); }

/* ---- what workers count, from the store (wy_store_counts_each) ---- */

/* The families workers keep (jobs/worker.c writes them), in the order they
 * are shown; rows of other names (a newer worker's) are left out. */
static const struct family {
	const char *name, *type, *help;
} families[] = {
	{"wenyuan_conversions_total", "counter", "Conversions ended, by the format found and outcome (ready, failed)."},
	{"wenyuan_conversion_seconds", "histogram", "Time a conversion took in its converter, from start to end."},
	{"wenyuan_ocr_batches_total", "counter", "Batches of scanned pages recognised after their document was ready, by outcome."},
	{"wenyuan_converter_restarts_total", "counter",
	 "Office converters replaced, by cause (crash, timeout, memory, protocol, recycle, reload)."},
};

#define MAX_ROWS 1024 /* formats x outcomes, buckets, causes: far fewer */

typedef struct rows {
	char *name[MAX_ROWS], *labels[MAX_ROWS];
	double value[MAX_ROWS];
	int n;
} rows;

static void each_count(void *ctx, const char *name, const char *labels, double value)
{
	rows *r = ctx;
	if (r->n == MAX_ROWS || !name)
		return;
	r->name[r->n] = wy_xstrdup(name);
	r->labels[r->n] = wy_xstrdup(labels ? labels : "");
	r->value[r->n++] = value;
}

static void put_value(wy_buf *b, double v)
{
	if (v == (double)(int64_t)v)
		wy_buf_printf(b, " %" PRId64 "\n", (int64_t)v);
	else
		wy_buf_printf(b, " %.6f\n", v);
}

static void put_row(wy_buf *b, const rows *r, int i)
{
	wy_buf_puts(b, r->name[i]);
	if (*r->labels[i])
		wy_buf_printf(b, "{%s}", r->labels[i]);
	put_value(b, r->value[i]);
}

/* A bucket's bound from its labels (le="2.5"); +Inf past every number. */
static double bucket_le(const char *labels)
{
	const char *le = strstr(labels, "le=\"");
	if (!le || strncmp(le + 4, "+Inf", 4) == 0)
		return 1e300;
	return strtod(le + 4, NULL);
}

static int by_le(const void *a, const void *b)
{
	double x = bucket_le(*(char *const *)a), y = bucket_le(*(char *const *)b);
	return x < y ? -1 : x > y;
}

static void put_families(wy_buf *b, const rows *r)
{
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
		const struct family *fm = &families[f];
		wy_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name, fm->type);
		if (strcmp(fm->type, "histogram") != 0) {
			for (int i = 0; i < r->n; i++)
				if (strcmp(r->name[i], fm->name) == 0)
					put_row(b, r, i);
			continue;
		}
		/* buckets in the order of their bounds, then the sum and count */
		size_t len = strlen(fm->name);
		char *buckets[MAX_ROWS];
		int nb = 0;
		for (int i = 0; i < r->n; i++)
			if (strncmp(r->name[i], fm->name, len) == 0 && strcmp(r->name[i] + len, "_bucket") == 0)
				buckets[nb++] = r->labels[i];
		qsort(buckets, (size_t)nb, sizeof buckets[0], by_le);
		for (int k = 0; k < nb; k++)
			for (int i = 0; i < r->n; i++)
				if (r->labels[i] == buckets[k])
					put_row(b, r, i);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < r->n; i++)
				if (strncmp(r->name[i], fm->name, len) == 0 && strcmp(r->name[i] + len, k ? "_count" : "_sum") == 0)
					put_row(b, r, i);
	}
}

static void labels(wy_buf *b, int i)
{
	wy_buf_printf(b, "method=\"%s\",route=\"%s\"", series[i].method ? series[i].method : "other",
		      series[i].path ? series[i].path : "(none)");
}

static void each_format(void *ctx, wy_doc_status status, const char *format, int64_t n)
{
	/* formats are the sniffer's names: short, lowercase, no quotes */
	wy_buf_printf(ctx, "wenyuan_documents{status=\"%s\",format=\"%s\"} %" PRId64 "\n", wy_doc_status_name(status),
		      format && *format ? format : "unknown", n);
}

enum MHD_Result web_metrics(web_req *rq)
{
	server *sv = rq->sv;
	wy_config site;
	web_site_get(sv, &site); /* metrics_allow: a reload may change it */
	if (!web_client_in(sv, rq->c, site.metrics_allow))
		return web_not_found(rq);
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_printf(&b, "# HELP wenyuan_build_info The version and git commit of this server.\n"
			  "# TYPE wenyuan_build_info gauge\n"
			  "wenyuan_build_info{version=\"%s\",commit=\"%s\"} 1\n",
		      WY_VERSION, WY_COMMIT);
	wy_buf_puts(&b, "# HELP wenyuan_http_requests_total Requests answered, by route, method and status.\n"
			"# TYPE wenyuan_http_requests_total counter\n");
	for (int i = 0; i <= WEB_METRICS_ROUTES; i++)
		for (int k = 0; k < NCODES; k++) {
			uint64_t n = atomic_load_explicit(&series[i].codes[k], memory_order_relaxed);
			if (!n)
				continue;
			wy_buf_puts(&b, "wenyuan_http_requests_total{");
			labels(&b, i);
			wy_buf_printf(&b, ",code=\"%d\"} %" PRIu64 "\n", k + 100, n);
		}
	wy_buf_puts(&b, "# HELP wenyuan_http_request_duration_seconds Time from a request's headers to its end.\n"
			"# TYPE wenyuan_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= WEB_METRICS_ROUTES; i++) {
		uint64_t count = atomic_load_explicit(&series[i].count, memory_order_relaxed);
		if (!count)
			continue;
		for (size_t k = 0; k < NBOUNDS; k++) {
			wy_buf_puts(&b, "wenyuan_http_request_duration_seconds_bucket{");
			labels(&b, i);
			wy_buf_printf(&b, ",le=\"%g\"} %" PRIu64 "\n", bounds[k],
				      atomic_load_explicit(&series[i].le[k], memory_order_relaxed));
		}
		wy_buf_puts(&b, "wenyuan_http_request_duration_seconds_bucket{");
		labels(&b, i);
		wy_buf_printf(&b, ",le=\"+Inf\"} %" PRIu64 "\n", count);
		wy_buf_puts(&b, "wenyuan_http_request_duration_seconds_sum{");
		labels(&b, i);
		wy_buf_printf(&b, "} %.6f\n", (double)atomic_load_explicit(&series[i].sum_us, memory_order_relaxed) / 1e6);
		wy_buf_puts(&b, "wenyuan_http_request_duration_seconds_count{");
		labels(&b, i);
		wy_buf_printf(&b, "} %" PRIu64 "\n", count);
	}
	uint64_t count = atomic_load_explicit(&searches.count, memory_order_relaxed);
	wy_buf_puts(&b, "# HELP wenyuan_search_seconds Time the site's searches took (pages and API).\n"
			"# TYPE wenyuan_search_seconds histogram\n");
	for (size_t k = 0; k < NBOUNDS; k++)
		wy_buf_printf(&b, "wenyuan_search_seconds_bucket{le=\"%g\"} %" PRIu64 "\n", bounds[k],
			      atomic_load_explicit(&searches.le[k], memory_order_relaxed));
	wy_buf_printf(&b,
		      "wenyuan_search_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\nwenyuan_search_seconds_sum %.6f\n"
		      "wenyuan_search_seconds_count %" PRIu64 "\n",
		      count, (double)atomic_load_explicit(&searches.sum_us, memory_order_relaxed) / 1e6, count);
	wy_buf_printf(&b,
		      "# HELP wenyuan_sitemap_parts_built_total Sitemap parts this server built from the store (not served from its cache).\n"
		      "# TYPE wenyuan_sitemap_parts_built_total counter\nwenyuan_sitemap_parts_built_total %" PRIu64 "\n",
		      atomic_load_explicit(&sitemap_built, memory_order_relaxed));
	/* errors of this process's store and blob calls: the request threads'
	 * and the serve loop's (an embedded worker is a process of its own) */
	wy_buf_printf(&b,
		      "# HELP wenyuan_store_errors_total Failures of the store this server met (busy, I/O, corrupt, refused).\n"
		      "# TYPE wenyuan_store_errors_total counter\nwenyuan_store_errors_total %" PRIu64 "\n"
		      "# HELP wenyuan_blob_errors_total Failures of the blob store's disk this server met (I/O, corrupt objects).\n"
		      "# TYPE wenyuan_blob_errors_total counter\nwenyuan_blob_errors_total %" PRIu64 "\n",
		      wy_store_errors(), wy_blob_errors());
	wy_store *st;
	wy_store_stats s;
	wy_errinfo ei = {0};
	int rc = web_store(sv, &st, &ei);
	if (!rc) {
		wy_buf_puts(&b, "# HELP wenyuan_documents Documents, by conversion status and format.\n"
				"# TYPE wenyuan_documents gauge\n");
		rc = wy_store_doc_formats(st, each_format, &b, &ei);
	}
	if (!rc)
		rc = wy_store_stats_get(st, &s, &ei);
	if (!rc) {
		rows *r = wy_xcalloc(1, sizeof *r);
		rc = wy_store_counts_each(st, each_count, r, &ei);
		if (!rc)
			put_families(&b, r);
		for (int i = 0; i < r->n; i++) {
			free(r->name[i]);
			free(r->labels[i]);
		}
		free(r);
	}
	if (!rc)
		wy_buf_printf(&b,
			      "# HELP wenyuan_users Accounts.\n# TYPE wenyuan_users gauge\nwenyuan_users %" PRId64 "\n"
			      "# HELP wenyuan_queue_jobs Jobs waiting: conversions, and batches of scanned pages to read.\n"
			      "# TYPE wenyuan_queue_jobs gauge\n"
			      "wenyuan_queue_jobs{kind=\"convert\"} %" PRId64 "\nwenyuan_queue_jobs{kind=\"ocr\"} %" PRId64 "\n"
			      "# HELP wenyuan_jobs_running Jobs a converter is working on.\n"
			      "# TYPE wenyuan_jobs_running gauge\nwenyuan_jobs_running %" PRId64 "\n"
			      "# HELP wenyuan_queue_oldest_job_age_seconds How long the oldest waiting job has waited.\n"
			      "# TYPE wenyuan_queue_oldest_job_age_seconds gauge\n"
			      "wenyuan_queue_oldest_job_age_seconds %" PRId64 "\n",
			      s.users, s.jobs_queued, s.batches_queued, s.jobs_running, s.oldest_wait);
	wy_buf_printf(&b, "# HELP wenyuan_store_up Whether the store answered this scrape.\n"
			  "# TYPE wenyuan_store_up gauge\nwenyuan_store_up %d\n",
		      rc == WY_OK);
	if (rc)
		wy_warn("metrics.store", "msg=\"%s\"", wy_err_msg(&ei, rc));
	struct MHD_Response *r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
	wy_buf_free(&b);
	if (r)
		MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	return web_queue(rq->c, 200, r);
}

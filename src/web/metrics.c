/* metrics: /metrics in Prometheus's text format (version 0.0.4), for the
 * addresses of the setting metrics_allow only (404 to everyone else).
 *
 * Requests are counted by route (the route table's pattern, so that a
 * million document ids make one series), method and status, with a
 * latency histogram per route; the counters are atomics the request
 * threads add to as each request ends (http.c). What the library holds
 * (documents by status and format, accounts, the queue and the age of its
 * oldest job) is read from the store at each scrape. */
#include "core/log.h"
#include "store/store.h"
#include "web/web_int.h"
#include "wy_version.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
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

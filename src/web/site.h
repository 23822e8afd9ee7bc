/* web/site: the web site as one object, the web module's only door for the
 * rest of the program (the serve command). It never forks, never reads
 * command-line arguments and never installs signal handlers: that is the
 * command's business (src/cli/serve.c). */
#ifndef WY_SITE_H
#define WY_SITE_H

#include "core/config.h"
#include "core/err.h"

#include <stdio.h>

typedef struct wy_site wy_site;

/* Start the site of cfg on cfg->http_addr:http_port: check the store
 * (created and migrated here, before anything else opens it) and the blob
 * store, apply the site settings stored by admins, load the templates and
 * the catalogs, and start the HTTP daemon with its connection guard.
 * cfg is borrowed and must outlive the site. WY_OK with *out, or an error
 * with its message in ei and nothing left running. One site per process
 * (the counters and the page cache are the process's). */
int wy_site_start(const wy_config *cfg, wy_site **out, wy_errinfo *ei);

/* The port the site listens on (http_port, or the one the system chose
 * for port 0). */
int wy_site_port(const wy_site *s);

/* The request threads and the connection limit the site runs with (from
 * http_threads and http_max_connections, bounded by the open-file limit). */
void wy_site_limits(const wy_site *s, unsigned *threads, unsigned *connections);

/* The site's periodic work, called by the serve loop every serve_flush_ms:
 * write the counters, visits and query log gathered since the last call;
 * every 5 s, reload the site settings another process may have changed.
 * Called from one thread only. */
void wy_site_tick(wy_site *s);

/* Take the settings of fresh that a reload may change (wy_config_update:
 * not those read at start) for the requests from now on. From the thread
 * that calls wy_site_tick. */
void wy_site_reload(wy_site *s, const wy_config *fresh);

/* Print the route table, what the site answers, one route a line:
 * "GET /path" or "POST /path", a path ending in "*" when it is a prefix
 * (the handler takes the rest), the JSON twin of a page (/api/v1/path)
 * as a line of its own. For `wenyuan routes` and the test that holds the
 * OpenAPI description (docs/openapi.json) to the server. Needs no site. */
void wy_site_routes_print(FILE *out);

/* Stop: no new connection from now on; the requests in flight finish
 * (each closing its connection) for up to stop_grace seconds, then every
 * connection is closed; write the last counters and free the site. NULL
 * is a no-op. */
void wy_site_stop(wy_site *s);

#endif

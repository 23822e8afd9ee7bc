/* web/conn_guard: what bounds a connection beyond libmicrohttpd's own limits.
 *
 * libmicrohttpd 0.9.75 has an idle timeout, which every byte received
 * resets, and caps on connections in all and per address. A client that
 * sends its request a byte every few seconds therefore holds a connection
 * as long as it likes, and a few addresses, each under the per-address cap,
 * can hold every connection there is (the review's "connection
 * exhaustion": 17 addresses x 62 starved everyone else). The guard adds:
 *
 *  - a deadline for a request's headers, http_header_timeout seconds from
 *    the connection's start, or from the end of the previous request on a
 *    kept-alive connection, however the bytes trickle in;
 *  - a minimum rate for a request's body: http_min_body_rate bytes/s on
 *    average over every http_header_timeout seconds, so a large upload over
 *    a slow link goes on as long as it needs while a body that trickles is
 *    cut off;
 *  - a reserve for new addresses: when fewer than 1/8 of the connections
 *    are free, a new connection from an address that already holds
 *    1/8 of http_max_per_ip (8) or more is refused, so that someone else
 *    still gets in (not behind a proxy, trust_proxy=1, where every
 *    connection comes from the proxy).
 *
 * A connection past its deadline is shut down (shutdown(2), both ways) by
 * the guard's thread: libmicrohttpd then reads the end of the stream and
 * closes the connection itself, in its own thread. The guard never closes
 * a socket. It must never shut down a socket that is no longer the
 * connection's: libmicrohttpd calls the CLOSED notification before it
 * closes the socket (MHD_cleanup_connections and the failure path of
 * new_connection_process_ in 0.9.75's daemon.c), and the notification
 * waits for the guard's lock, so while the guard holds the lock and still
 * has the connection, its descriptor cannot have been closed and reused. */
#include "web/conn_guard.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SWEEP_MS 250
#define KEY_BYTES 17 /* family, then the address (IPv4 or IPv6) */

enum { WAIT_HEADERS, WAIT_BODY, ANSWERING, SHUT };

/* A client address and how many connections it holds. */
typedef struct peer {
	struct peer *next;
	unsigned char key[KEY_BYTES];
	unsigned n;
} peer;

typedef struct conn {
	struct conn *prev, *next;
	web_guard *g;
	int fd;
	peer *p;          /* NULL: an address of a family not counted */
	int state;
	int64_t since_ms; /* WAIT_HEADERS: when the wait began; WAIT_BODY: this window's start */
	uint64_t bytes;   /* WAIT_BODY: body bytes in this window */
} conn;

struct web_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	conn *head;
	unsigned open;          /* connections started and not yet closed */
	unsigned limit;         /* what libmicrohttpd holds at most */
	unsigned reserve, many; /* see the top of the file; reserve 0: none */
	int64_t header_ms;
	uint64_t min_rate; /* bytes/s, 0: none */
	peer **slots;
	unsigned nslots; /* a power of two */
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	/* counted since the last log line */
	unsigned shut_headers, shut_body, refused, refused_limit;
	int64_t logged_ms;
};

void web_guard_limits(const wy_config *cfg, unsigned *threads, unsigned *connections)
{
	unsigned conns = (unsigned)cfg->http_max_connections;
	/* Two threads a core: a handler may wait (the store, the disk, a
	 * password hash), which holds up the other connections of its thread;
	 * more threads cost every request more switches between them (4 a
	 * core took 25 % more CPU a page image than 2: docs/bench.md, HTTP). */
	unsigned t = cfg->http_threads ? (unsigned)cfg->http_threads : (unsigned)wy_ncpu() * 2;
	if (t > conns)
		t = conns;
	/* Open files: per connection its socket and a file being sent (a
	 * download, a page image); per thread its store (database, WAL,
	 * shared memory), epoll and eventfd; the blobs' files kept open
	 * (keep.c); and a margin for the rest (the log, the worker's pipes,
	 * the listening socket). A soft limit of
	 * 1,024, common, would otherwise fail accept() and open() long before
	 * the connection limit. */
	rlim_t fixed = 8 * (rlim_t)t + 64 + WEB_KEPT_FILES, need = 2 * (rlim_t)conns + fixed;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		struct rlimit want = rl;
		want.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
		if (rl.rlim_cur < need) {
			rlim_t fit = rl.rlim_cur > fixed + 2 ? (rl.rlim_cur - fixed) / 2 : 1;
			conns = (unsigned)fit;
			if (t > conns)
				t = conns;
			wy_warn("serve.fd_limit", "open_files=%llu http_max_connections=%d connections=%u",
				(unsigned long long)rl.rlim_cur, cfg->http_max_connections, conns);
		}
	}
	*threads = t;
	*connections = conns;
}

/* The key of an address; false for a family not counted. */
static bool addr_key(const struct sockaddr *sa, socklen_t len, unsigned char key[KEY_BYTES])
{
	memset(key, 0, KEY_BYTES);
	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* The address's entry (under the lock); made when create, else NULL
 * when the address holds no connection. Keyed hash: whoever chooses
 * addresses cannot choose collisions. */
static peer *peer_find(web_guard *g, const unsigned char key[KEY_BYTES], bool create, peer ***at)
{
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, key, KEY_BYTES, g->hkey);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	peer **pp = &g->slots[v & (g->nslots - 1)];
	for (; *pp; pp = &(*pp)->next)
		if (memcmp((*pp)->key, key, KEY_BYTES) == 0)
			break;
	if (!*pp && create) {
		*pp = wy_xcalloc(1, sizeof **pp);
		memcpy((*pp)->key, key, KEY_BYTES);
	}
	if (at)
		*at = pp;
	return *pp;
}

/* Under the lock. */
static void shut(conn *k)
{
	shutdown(k->fd, SHUT_RDWR);
	k->state = SHUT;
}

static void *sweep(void *arg)
{
	web_guard *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		if (g->stop)
			break;
		int64_t now = wy_now_ms();
		for (conn *k = g->head; k; k = k->next) {
			int64_t held = now - k->since_ms;
			if (k->state == WAIT_HEADERS && held >= g->header_ms) {
				shut(k);
				g->shut_headers++;
			} else if (k->state == WAIT_BODY && held >= g->header_ms) {
				if (k->bytes * 1000 < g->min_rate * (uint64_t)held) {
					shut(k);
					g->shut_body++;
				} else {
					k->since_ms = now;
					k->bytes = 0;
				}
			}
		}
		/* one line a second at most, however many there are */
		if ((g->shut_headers || g->shut_body || g->refused || g->refused_limit) && now - g->logged_ms >= 1000) {
			unsigned sh = g->shut_headers, sb = g->shut_body, rf = g->refused, rl = g->refused_limit;
			unsigned open = g->open;
			g->shut_headers = g->shut_body = g->refused = g->refused_limit = 0;
			g->logged_ms = now;
			pthread_mutex_unlock(&g->lock);
			wy_warn("http.guard",
				"closed_slow_headers=%u closed_slow_body=%u refused_reserve=%u refused_limit=%u open=%u", sh,
				sb, rf, rl, open);
			pthread_mutex_lock(&g->lock);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int web_guard_start(const wy_config *cfg, unsigned connections, web_guard **out, wy_errinfo *ei)
{
	web_guard *g = wy_xcalloc(1, sizeof *g);
	g->limit = connections;
	g->reserve = cfg->trust_proxy ? 0 : connections / 8;
	g->many = cfg->http_max_per_ip / 8 > 2 ? (unsigned)cfg->http_max_per_ip / 8 : 2;
	g->header_ms = (int64_t)cfg->http_header_timeout * 1000;
	g->min_rate = (uint64_t)cfg->http_min_body_rate;
	for (g->nslots = 64; g->nslots < connections; g->nslots *= 2)
		;
	g->slots = wy_xcalloc(g->nslots, sizeof *g->slots);
	randombytes_buf(g->hkey, sizeof g->hkey);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&g->thread, NULL, sweep, g);
	if (rc) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g->slots);
		free(g);
		return wy_err_set(ei, WY_EIO, "cannot start the connection guard's thread: %s", strerror(rc));
	}
	*out = g;
	return WY_OK;
}

void web_guard_stop(web_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	/* libmicrohttpd closed every connection before: nothing is left but
	 * what a connection it never told us of would have */
	while (g->head) {
		conn *k = g->head;
		g->head = k->next;
		free(k);
	}
	for (unsigned i = 0; i < g->nslots; i++)
		while (g->slots[i]) {
			peer *p = g->slots[i];
			g->slots[i] = p->next;
			free(p);
		}
	free(g->slots);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Called by libmicrohttpd after its own limits (total, per address) let
 * the connection in, before it is started. */
enum MHD_Result web_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	web_guard *g = cls;
	unsigned char key[KEY_BYTES];
	if (!g->reserve || !addr_key(addr, addrlen, key))
		return MHD_YES;
	bool refuse = false;
	pthread_mutex_lock(&g->lock);
	if (g->open + g->reserve >= g->limit) {
		peer *p = peer_find(g, key, false, NULL);
		refuse = p && p->n >= g->many;
		g->refused += refuse;
	}
	pthread_mutex_unlock(&g->lock);
	return refuse ? MHD_NO : MHD_YES;
}

void web_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		      enum MHD_ConnectionNotificationCode code)
{
	web_guard *g = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		conn *k = wy_xcalloc(1, sizeof *k);
		k->g = g;
		k->fd = fi ? fi->connect_fd : -1;
		k->state = k->fd >= 0 ? WAIT_HEADERS : ANSWERING; /* no socket: nothing to shut down */
		k->since_ms = wy_now_ms();
		unsigned char key[KEY_BYTES];
		/* libmicrohttpd keeps the address as accept() gave it: as long
		 * as its family says */
		bool counted = ai && addr_key(ai->client_addr, sizeof(struct sockaddr_in6), key);
		pthread_mutex_lock(&g->lock);
		if (counted) {
			k->p = peer_find(g, key, true, NULL);
			k->p->n++;
		}
		k->next = g->head;
		if (g->head)
			g->head->prev = k;
		g->head = k;
		g->open++;
		pthread_mutex_unlock(&g->lock);
		*socket_context = k;
		return;
	}
	conn *k = *socket_context;
	if (code != MHD_CONNECTION_NOTIFY_CLOSED || !k)
		return;
	pthread_mutex_lock(&g->lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		g->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	if (k->p && --k->p->n == 0) {
		peer **at;
		peer_find(g, k->p->key, false, &at);
		*at = k->p->next;
		free(k->p);
	}
	g->open--;
	pthread_mutex_unlock(&g->lock);
	free(k);
	*socket_context = NULL;
}

void web_guard_mhd_log(void *cls, const char *fmt, va_list ap)
{
	web_guard *g = cls;
	char msg[300], q[320];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = 0;
	/* libmicrohttpd 0.9.75's words (connection.c, daemon.c) for a stream
	 * that ended before the request did, and for a connection refused at
	 * its limits (in all, per address): counted in http.guard instead */
	bool gone = strstr(msg, "closed when reading request") || strstr(msg, "closed by remote side") ||
		    strstr(msg, "disconnected when reading request");
	bool limit = strstr(msg, "reached connection limit");
	if (limit) {
		pthread_mutex_lock(&g->lock);
		g->refused_limit++;
		pthread_mutex_unlock(&g->lock);
	}
	wy_logl(gone || limit ? WY_LOG_DEBUG : WY_LOG_WARN, "http.mhd", "msg=%s", wy_log_q(q, sizeof q, msg));
}

static conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

/* The connection's next state, unless it is being shut down. */
static void set_state(conn *k, int state)
{
	pthread_mutex_lock(&k->g->lock);
	if (k->state != SHUT && k->fd >= 0) {
		k->state = state;
		k->since_ms = wy_now_ms();
		k->bytes = 0;
	}
	pthread_mutex_unlock(&k->g->lock);
}

void web_guard_headers(struct MHD_Connection *c)
{
	conn *k = conn_of(c);
	if (!k)
		return;
	/* whatever the method: a body is what the headers announce */
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	bool body = (cl && strspn(cl, "0") != strlen(cl)) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	set_state(k, body && k->g->min_rate ? WAIT_BODY : ANSWERING);
}

void web_guard_body(struct MHD_Connection *c, size_t n)
{
	conn *k = conn_of(c);
	if (!k)
		return;
	pthread_mutex_lock(&k->g->lock);
	if (n == 0 && k->state == WAIT_BODY) {
		k->state = ANSWERING;
		k->since_ms = wy_now_ms();
	}
	if (k->state == WAIT_BODY)
		k->bytes += n;
	pthread_mutex_unlock(&k->g->lock);
}

void web_guard_request_done(struct MHD_Connection *c)
{
	conn *k = conn_of(c);
	if (k)
		set_state(k, WAIT_HEADERS);
}

/* store/pg: the PostgreSQL backend, through libpq: its connection, its
 * statements and transactions (pg_int.h), and the schema's migrations.
 *
 * One connection per wy_store (a store is used by one thread). Statements
 * are prepared once per connection, named by their place in the cache.
 * Schema versions are numbered as the SQLite backend's are, in their own
 * list (pg_schema.c), each applied in one transaction under the writers'
 * lock, the version kept in wy_schema. */
#include "store/pg_int.h"
#include "core/log.h"
#include "core/util.h"
#include "text/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writers' lock: one key of the advisory locks, the same in every
 * process ("wenyuan" in ASCII). */
#define PG_WRITE_LOCK "2001965474713317742"

void pg_arg_int(pg_args *a, int64_t v)
{
	if (a->n >= PG_MAXARGS)
		abort(); /* a statement of ours with too many parameters: a bug */
	snprintf(a->num[a->n], sizeof a->num[a->n], "%" PRId64, v);
	a->v[a->n] = a->num[a->n];
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	a->n++;
}

void pg_arg_dbl(pg_args *a, double v)
{
	if (a->n >= PG_MAXARGS)
		abort();
	snprintf(a->num[a->n], sizeof a->num[a->n], "%.17g", v);
	a->v[a->n] = a->num[a->n];
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	a->n++;
}

void pg_arg_text(pg_args *a, const char *s)
{
	if (a->n >= PG_MAXARGS)
		abort();
	a->v[a->n] = s;
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	a->n++;
}

void pg_arg_bytes(pg_args *a, const void *p, size_t n)
{
	if (a->n >= PG_MAXARGS || n > INT32_MAX)
		abort();
	a->v[a->n] = p ? (const char *)p : NULL;
	a->len[a->n] = (int)n;
	a->fmt[a->n] = 1;
	a->n++;
}

void pg_arg_ints(pg_args *a, const int64_t *v, int n)
{
	for (int i = 0; i < n; i++)
		pg_arg_int(a, v[i]);
}

int pg_fail(wy_store *st, const PGresult *r, wy_errinfo *ei, const char *what)
{
	wy_store_failure_count();
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(PG(st)->conn);
	int code = WY_ESTORE;
	if (PQstatus(PG(st)->conn) != CONNECTION_OK)
		code = WY_EIO;
	else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
			   strcmp(state, "55P03") == 0))
		code = WY_EBUSY;
	else if (state && (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0))
		code = WY_EIO; /* insufficient resources (disk full), system error */
	/* libpq's messages end with a line break */
	size_t n = msg ? strlen(msg) : 0;
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return wy_err_set(ei, code, "store: %s: %.*s", what, (int)n, msg ? msg : "");
}

/* The name of sql's prepared statement on this connection, preparing it
 * the first time; NULL when the cache is full (the statement then runs
 * unprepared). */
static const char *prepared(wy_store *st, const char *sql, int nparams, PGresult **fail)
{
	pg_store *p = PG(st);
	for (int i = 0; i < p->ncache; i++)
		if (strcmp(p->cache[i].sql, sql) == 0)
			return p->cache[i].name;
	if (p->ncache >= PG_STMT_CACHE)
		return NULL;
	char name[16];
	snprintf(name, sizeof name, "w%d", p->ncache);
	PGresult *r = PQprepare(p->conn, name, sql, nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		*fail = r;
		return NULL;
	}
	PQclear(r);
	p->cache[p->ncache].sql = wy_xstrdup(sql);
	snprintf(p->cache[p->ncache].name, sizeof p->cache[p->ncache].name, "%s", name);
	return p->cache[p->ncache++].name;
}

/* Forget the statements prepared on a connection that was reset (they died
 * with the old session). */
static void forget_prepared(pg_store *p)
{
	for (int i = 0; i < p->ncache; i++)
		free(p->cache[i].sql);
	p->ncache = 0;
}

static PGresult *send(wy_store *st, const char *sql, const pg_args *a)
{
	PGresult *fail = NULL;
	const char *name = prepared(st, sql, a ? a->n : 0, &fail);
	if (fail)
		return fail;
	int n = a ? a->n : 0;
	const char *const *v = a ? a->v : NULL;
	const int *len = a ? a->len : NULL, *fmt = a ? a->fmt : NULL;
	if (name)
		return PQexecPrepared(PG(st)->conn, name, n, v, len, fmt, 0);
	return PQexecParams(PG(st)->conn, sql, n, NULL, v, len, fmt, 0);
}

int pg_run(wy_store *st, const char *sql, const pg_args *a, PGresult **res, int *changed, const char *what,
	   wy_errinfo *ei)
{
	pg_store *p = PG(st);
	if (res)
		*res = NULL;
	/* PostgreSQL refuses text that is not UTF-8 (SQLite keeps its bytes):
	 * said here, as bad input, not sent as a failure of the store */
	for (int i = 0; a && i < a->n; i++)
		if (a->v[i] && !a->fmt[i] && !wy_utf8_valid(a->v[i], strlen(a->v[i])))
			return wy_err_set(ei, WY_EINVAL, "store: %s: text that is not UTF-8", what);
	PGresult *r = send(st, sql, a);
	if (PQstatus(p->conn) != CONNECTION_OK && !p->in_tx) {
		/* the server restarted or the connection broke: once more on a
		 * new one (outside a transaction nothing was half done) */
		PQclear(r);
		PQreset(p->conn);
		forget_prepared(p);
		r = send(st, sql, a);
	}
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		int rc = pg_fail(st, r, ei, what);
		PQclear(r);
		return rc;
	}
	if (changed) {
		const char *t = PQcmdTuples(r);
		*changed = t && *t ? atoi(t) : 0;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return WY_OK;
}

int pg_exec(wy_store *st, const char *sql, wy_errinfo *ei)
{
	if (!*sql)
		return WY_OK; /* an empty step (a version that changed nothing here) */
	PGresult *r = PQexec(PG(st)->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = WY_OK;
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, ei, sql);
	PQclear(r);
	return rc;
}

int pg_exec_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int *changed, const char *what,
		 wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_ints(&a, v, nv);
	return pg_run(st, sql, &a, NULL, changed, what, ei);
}

int pg_row_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int64_t *out, int n, bool *found,
		const char *what, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_ints(&a, v, nv);
	PGresult *r;
	int rc = pg_run(st, sql, &a, &r, NULL, what, ei);
	bool row = !rc && PQntuples(r) > 0;
	for (int i = 0; i < n; i++)
		out[i] = row ? pg_int(r, 0, i) : 0;
	if (found)
		*found = row;
	PQclear(r);
	return rc;
}

bool pg_isnull(const PGresult *r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

int64_t pg_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	const char *v = PQgetvalue(r, row, col);
	/* a boolean expression reads as 1 or 0, as in SQLite */
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

double pg_dbl(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

char *pg_str(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : wy_xstrdup(PQgetvalue(r, row, col));
}

const char *pg_cstr(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

void pg_sha(const PGresult *r, int row, int col, char out[65]) { snprintf(out, 65, "%s", pg_cstr(r, row, col)); }

void *pg_bytes(const PGresult *r, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(r, row, col))
		return NULL;
	size_t n;
	unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	if (!b)
		abort(); /* out of memory */
	void *out = wy_xmalloc(n ? n : 1);
	memcpy(out, b, n);
	PQfreemem(b);
	*len = n;
	return out;
}

int pg_begin(wy_store *st, wy_errinfo *ei)
{
	int rc = pg_run(st, "BEGIN", NULL, NULL, NULL, "begin", ei);
	if (rc)
		return rc;
	PG(st)->in_tx = true;
	if ((rc = pg_run(st, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", NULL, NULL, NULL, "the writers' lock",
			 ei)))
		pg_rollback(st);
	return rc;
}

int pg_begin_read(wy_store *st, wy_errinfo *ei)
{
	int rc = pg_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL, NULL, "begin", ei);
	if (!rc)
		PG(st)->in_tx = true;
	return rc;
}

void pg_rollback(wy_store *st)
{
	if (!PG(st)->in_tx)
		return;
	PG(st)->in_tx = false;
	PQclear(PQexec(PG(st)->conn, "ROLLBACK"));
}

int pg_commit(wy_store *st, wy_errinfo *ei)
{
	int rc = pg_run(st, "COMMIT", NULL, NULL, NULL, "commit", ei);
	if (rc)
		pg_rollback(st);
	PG(st)->in_tx = false;
	return rc;
}

int pg_end(wy_store *st, int rc, wy_errinfo *ei)
{
	if (rc) {
		pg_rollback(st);
		return rc;
	}
	return pg_commit(st, ei);
}

void *pg_grow(void *items, int n, int *cap, size_t size)
{
	if (n < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 16;
	return wy_xrealloc(items, (size_t)*cap * size);
}

/* The schema's versions (pg_schema.c). */
extern const char *const pg_migrations[];
extern const int pg_nmigrations;
extern int (*const pg_migration_hooks[])(wy_store *, wy_errinfo *);

/* Apply every version not applied yet, each in its own transaction under
 * the writers' lock: two processes opening a new store at once apply
 * each step once. */
static int migrate(wy_store *st, wy_errinfo *ei)
{
	/* the usual case, a store already at this version: one read, no lock
	 * (every thread of every serve process opens its own connection) */
	PGresult *r = PQexec(PG(st)->conn, "SELECT version FROM wy_schema WHERE id = 1");
	bool current = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && pg_int(r, 0, 0) == pg_nmigrations;
	PQclear(r);
	if (current) {
		PG(st)->version = pg_nmigrations;
		return WY_OK;
	}
	int rc = pg_exec(st, "CREATE TABLE IF NOT EXISTS wy_schema(id integer PRIMARY KEY CHECK(id = 1),"
			     " version integer NOT NULL)",
			 ei);
	if (rc && (rc = pg_exec(st, "SELECT 1 FROM wy_schema", ei))) /* made by another at the same time */
		return rc;
	for (;;) {
		if ((rc = pg_begin(st, ei)))
			return rc;
		int64_t v = 0;
		if ((rc = pg_row_ints(st, "SELECT version FROM wy_schema WHERE id = 1", NULL, 0, &v, 1, NULL,
				      "schema version", ei)))
			goto fail;
		if (v > pg_nmigrations) {
			rc = wy_err_set(ei, WY_ESTORE, "store: schema version %d is newer than this wenyuan (%d)", (int)v,
					pg_nmigrations);
			goto fail;
		}
		if (v == pg_nmigrations) {
			pg_rollback(st);
			break;
		}
		int64_t next = v + 1;
		if ((rc = pg_exec(st, pg_migrations[v], ei)) ||
		    (pg_migration_hooks[v] && (rc = pg_migration_hooks[v](st, ei))) ||
		    (rc = pg_exec_ints(st,
				       "INSERT INTO wy_schema(id, version) VALUES(1, $1)"
				       " ON CONFLICT(id) DO UPDATE SET version = excluded.version",
				       &next, 1, NULL, "schema version", ei)) ||
		    (rc = pg_commit(st, ei)))
			goto fail;
		wy_log("store.migrate", "backend=postgresql version=%d", (int)next);
		continue;
	fail:
		pg_rollback(st);
		return rc;
	}
	PG(st)->version = pg_nmigrations;
	return WY_OK;
}

#define PG_INIT(ret, pub, name, params, args) .name = pg_##name,
static const wy_store_ops pg_ops = {.kind = "postgresql", WY_STORE_OPS(PG_INIT, PG_INIT)};
#undef PG_INIT

/* Notices (a table that exists already ...) are not errors: not printed. */
static void quiet(void *arg, const PGresult *r)
{
	(void)arg;
	(void)r;
}

int wy_pg_open(const char *url, wy_store **out, wy_errinfo *ei)
{
	*out = NULL;
	pg_store *p = wy_xcalloc(1, sizeof *p);
	p->base.ops = &pg_ops;
	p->url = wy_xstrdup(url);
	p->conn = PQconnectdb(url);
	int rc;
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		/* the message may name the host, never the password */
		rc = wy_err_set(ei, WY_EIO, "store: cannot connect to PostgreSQL: %s",
				p->conn ? PQerrorMessage(p->conn) : "out of memory");
		goto fail;
	}
	PQsetNoticeReceiver(p->conn, quiet, NULL);
	if ((rc = pg_exec(&p->base, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'", ei)) ||
	    (rc = migrate(&p->base, ei)))
		goto fail;
	*out = &p->base;
	return WY_OK;
fail:
	pg_close(&p->base);
	return rc;
}

void pg_close(wy_store *st)
{
	if (!st)
		return;
	pg_store *p = PG(st);
	forget_prepared(p);
	if (p->conn)
		PQfinish(p->conn);
	free(p->url);
	free(p);
}

int pg_schema_version(wy_store *st) { return PG(st)->version; }

void pg_upload_points_set(wy_store *st, const wy_upload_points *rule) { PG(st)->upload_rule = *rule; }

int pg_ping(wy_store *st, wy_errinfo *ei) { return pg_run(st, "SELECT 1", NULL, NULL, NULL, "ping", ei); }

/* store/pg_int: what the files of the PostgreSQL backend share (the
 * connection, its statements and transactions). Nothing outside src/store/
 * includes this.
 *
 * The backend keeps SQLite's rules of concurrency so that each function
 * means the same on both: a write transaction (pg_begin) takes one
 * transaction-level advisory lock first, so writers run one at a time as
 * under SQLite's BEGIN IMMEDIATE, whichever serve or worker process they
 * are in: a balance read then spent, a name checked then taken, a
 * position counted then used are never raced by another writer. Readers
 * never wait (MVCC); a read of several statements that must agree runs
 * in pg_begin_read's snapshot. Only the job queue's claim skips the lock
 * (FOR UPDATE SKIP LOCKED: claimers never queue behind each other).
 *
 * A statement that fails inside a transaction aborts the transaction in
 * PostgreSQL (every later statement fails until the rollback), unlike
 * SQLite: "try the insert and look at the constraint" is written with
 * ON CONFLICT, never by catching the error. */
#ifndef WY_PG_INT_H
#define WY_PG_INT_H

#include "core/err.h"
#include "store/backend.h"
#include "store/rules.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#define PG_STMT_CACHE 128

typedef struct pg_store {
	wy_store base; /* the backend's table (store/backend.h) */
	PGconn *conn;
	char *url;
	int version;
	bool in_tx; /* a transaction of ours is open */
	struct {
		char *sql;
		char name[16];
	} cache[PG_STMT_CACHE]; /* statements prepared on this connection */
	int ncache;
	wy_upload_points upload_rule; /* this process's (wy_store_upload_points_set) */
	int listen_pid; /* the server process whose session LISTENs for jobs (pg_jobs.c); 0: none */
} pg_store;

/* The PostgreSQL store behind a wy_store this backend opened. */
#define PG(st) ((pg_store *)(st))

/* This backend's implementation of every store.h function on an open
 * store: pg_NAME for each entry of WY_STORE_OPS. */
#define PG_DECL(ret, pub, name, params, args) ret pg_##name params;
WY_STORE_OPS(PG_DECL, PG_DECL)
#undef PG_DECL

/* The parameters of one statement, $1, $2 ... in the order added. Numbers
 * and text go as text (PostgreSQL converts them to the column's type;
 * where it cannot tell the type, as in `$1 IS NULL` or `SELECT $1`, the
 * SQL casts: `$1::bigint`); bytes go as binary (bytea). A NULL string is
 * SQL NULL. The strings are not copied: they must outlive the call. */
#define PG_MAXARGS 32
typedef struct pg_args {
	int n;
	const char *v[PG_MAXARGS];
	int len[PG_MAXARGS];
	int fmt[PG_MAXARGS];
	char num[PG_MAXARGS][32];
} pg_args;
void pg_arg_int(pg_args *a, int64_t v);
void pg_arg_dbl(pg_args *a, double v);
void pg_arg_text(pg_args *a, const char *s);
void pg_arg_bytes(pg_args *a, const void *p, size_t n);
/* v[0..n) as integers, in order */
void pg_arg_ints(pg_args *a, const int64_t *v, int n);

/* Run one statement (prepared once per connection and kept, by its SQL)
 * with a's parameters (NULL: none). Its rows, when it returns any, in
 * *res for the caller to PQclear (res NULL: not wanted); *changed (NULL:
 * not wanted) the rows an INSERT, UPDATE or DELETE changed. what names
 * the work in an error. A connection lost outside a transaction is reset
 * and the statement sent once more. */
int pg_run(wy_store *st, const char *sql, const pg_args *a, PGresult **res, int *changed, const char *what,
	   wy_errinfo *ei);
/* Statements without parameters, several separated by ';' allowed
 * (schema changes). */
int pg_exec(wy_store *st, const char *sql, wy_errinfo *ei);
/* The SQLite backend's sq_exec_ints and sq_row_ints: integer parameters
 * only; the first row's first n columns into out (0 when no row came or a
 * column is NULL; *found whether a row came). */
int pg_exec_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int *changed, const char *what,
		 wy_errinfo *ei);
int pg_row_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int64_t *out, int n, bool *found,
		const char *what, wy_errinfo *ei);

/* Reading a result (text format). NULL reads as 0, NULL or "". */
bool pg_isnull(const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
double pg_dbl(const PGresult *r, int row, int col);
char *pg_str(const PGresult *r, int row, int col); /* a copy, NULL for NULL */
const char *pg_cstr(const PGresult *r, int row, int col); /* no copy; "" for NULL */
void pg_sha(const PGresult *r, int row, int col, char out[65]);
/* A bytea column's bytes, a copy (NULL for SQL NULL), *len its size. */
void *pg_bytes(const PGresult *r, int row, int col, size_t *len);

/* A write transaction: BEGIN, then the writers' lock (one writer at a
 * time, as BEGIN IMMEDIATE). pg_commit rolls back when the commit fails;
 * pg_end commits when rc is WY_OK, else rolls back, and returns the
 * outcome; pg_rollback is a no-op when no transaction is open. */
int pg_begin(wy_store *st, wy_errinfo *ei);
int pg_commit(wy_store *st, wy_errinfo *ei);
void pg_rollback(wy_store *st);
int pg_end(wy_store *st, int rc, wy_errinfo *ei);
/* A read-only transaction whose statements all see one snapshot (REPEATABLE
 * READ); ended by pg_rollback or pg_end. */
int pg_begin_read(wy_store *st, wy_errinfo *ei);

/* Set ei from a failed result (or the connection's error when r is NULL):
 * WY_EBUSY for a serialization failure or deadlock, WY_EIO for a lost
 * connection or full disk, WY_ESTORE otherwise; counted for
 * wy_store_errors. */
int pg_fail(wy_store *st, const PGresult *r, wy_errinfo *ei, const char *what);

/* Documents (pg_docs.c), for every file of the backend. A row of
 * store/rules.h's DOC_COLUMNS (from column 0) into d; a statement's rows of
 * them into out (its items malloc'd). */
void pg_read_doc(const PGresult *r, int row, wy_doc *d);
int pg_read_docs(wy_store *st, const char *sql, const pg_args *a, wy_doc_list *out, wy_errinfo *ei);
/* The WHERE of a filtered listing (SQLite's FIND_WHERE): wy_doc_filter as
 * $1..$5 (category, format, min and max pages, viewer: pg_filter_args adds
 * them in that order), the documents d joined to their categories c; the
 * statement's own parameters from $6 on. */
#define PG_FIND_WHERE                                                                                      \
	" WHERE " SQ_OPEN " AND " SQ_SEEN_BY("$5::bigint")                                               \
	" AND ($1::text IS NULL OR c.path = $1::text OR substr(c.path, 1, length($1::text) + 1) = $1::text || '/')" \
	" AND ($2::text IS NULL OR d.format = $2::text) AND ($3::bigint = 0 OR d.pages >= $3::bigint)"     \
	" AND ($4::bigint = 0 OR d.pages <= $4::bigint)"
void pg_filter_args(pg_args *a, const wy_doc_filter *f);
/* A document's conversion status (and its format and failure reason when
 * given), inside the caller's transaction, with the upload points rule
 * after it (SQLite's sq_set_doc_status); and a job queued for a document
 * (sq_queue_job), likewise. */
int pg_set_doc_status(wy_store *st, int64_t doc_id, wy_doc_status status, const char *format, const char *reason,
		      wy_errinfo *ei);
int pg_queue_job(wy_store *st, int64_t doc_id, int ocr_from, int ocr_to, const char *request_id, wy_errinfo *ei);
/* ---- accounts (pg_users.c), for the other files of the backend ---- */

/* The upload points rule for one document (store.h, wy_upload_points),
 * inside the caller's transaction, after any change of its status, state
 * or privacy: grants or takes back what the rule says (sq_upload_points). */
int pg_upload_points(wy_store *st, int64_t doc_id, wy_errinfo *ei);
/* The rule for a document whose content changed (a new version swapped
 * in): what it held goes back, and it earns as a new upload would. */
int pg_upload_points_anew(wy_store *st, int64_t doc_id, wy_errinfo *ei);
/* Whether user may report a document (comment_id 0) or a comment now:
 * WY_EEXIST with *id their open report of it, WY_ETOOBIG past the hourly
 * limit; inside the caller's transaction (sq_report_gate). */
int pg_report_gate(wy_store *st, int64_t user, int64_t doc_id, int64_t comment_id, int64_t *id, wy_errinfo *ei);
/* wy_store_download's work inside the caller's transaction (pg_limits.c
 * counts the day's downloads in the same one). */
int pg_download_in(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei);

/* Schema version 3: the sitemap's parts, the PL/pgSQL triggers that keep
 * them, and the parts counted (pg_sitemap.c). */
int pg_sitemap_setup(wy_store *st, wy_errinfo *ei);

/* Room for one more of a list's items (as sq_grow). */
void *pg_grow(void *items, int n, int *cap, size_t size);

/* The search index (pg_search.c), as sqlite_int.h's sq_index_*: add a
 * ready document's pages, title and keywords (and fingerprint bands, when
 * minhash is not NULL) / remove them if it is there; the rows of its pages
 * from from_page on (pages published as they come); its title-and-keywords
 * row (removed before they change: del); its title's pinyin rows; its
 * bands. All inside the caller's transaction (pg_begin). */
int pg_index_doc(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei);
int pg_unindex_doc(wy_store *st, int64_t doc_id, wy_errinfo *ei);
int pg_index_pages(wy_store *st, int64_t doc_id, int from_page, wy_errinfo *ei);
int pg_index_words(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei);
int pg_index_title(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei);
int pg_index_bands(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei);

/* A document's outline replaced (NULL or empty: none), inside the
 * caller's transaction (pg_outline.c). */
int pg_outline_replace(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei);
/* A ready new version swapped into its document, inside the caller's
 * transaction; nothing for any other document (pg_edit.c). */
int pg_version_swap(wy_store *st, int64_t doc_id, wy_errinfo *ei);

/* The job queue's wake-ups (pg_jobs.c): the channel a commit that makes a
 * job claimable notifies (the jobs table's trigger), which
 * pg_job_wait listens on. */
#define PG_JOBS_CHANNEL "wy_jobs"

/* Whether a document other than doc_id holds upload points and has its
 * bytes, or text at least similarity alike (0: bytes only): as
 * sq_copy_holds_points. */
int pg_copy_holds_points(wy_store *st, int64_t doc_id, double similarity, bool *yes, wy_errinfo *ei);

#endif

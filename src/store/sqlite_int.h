/* store/sqlite_int: what the files of the SQLite backend share (the
 * connection and its statement helpers). Nothing outside src/store/ includes
 * this. */
#ifndef WY_SQLITE_INT_H
#define WY_SQLITE_INT_H

#include "core/err.h"
#include "store/backend.h"
#include "store/rules.h"
#include "store/store.h"
#include "text/query.h"

#include <sqlite3.h>
#include <stdbool.h>

/* Prepared statements are kept per connection, keyed by their SQL: parsing
 * a statement costs more than running most of ours. */
#define STMT_CACHE 64

typedef struct sq_store {
	wy_store base; /* the backend's table (store/backend.h) */
	sqlite3 *db;
	int version;
	struct {
		char *sql;
		sqlite3_stmt *s;
		bool busy;
	} cache[STMT_CACHE];
	int ncache;
	wy_upload_points upload_rule; /* this process's (wy_store_upload_points_set) */
} sq_store;

/* The SQLite store behind a wy_store this backend opened. */
#define SQ(st) ((sq_store *)(st))

/* This backend's implementation of every store.h function on an open
 * store: sqlite_NAME for each entry of WY_STORE_OPS. */
#define SQ_DECL(ret, pub, name, params, args) ret sqlite_##name params;
WY_STORE_OPS(SQ_DECL, SQ_DECL)
#undef SQ_DECL

/* A statement for sql from the connection's cache (or newly prepared);
 * give it back with sq_done. */
int sq_prep(wy_store *st, sqlite3_stmt **s, const char *sql, wy_errinfo *ei);
void sq_done(wy_store *st, sqlite3_stmt *s);
int sq_exec(wy_store *st, const char *sql, wy_errinfo *ei);
/* Statements whose parameters are all integers, v[0..nv) as ?1..:
 * sq_exec_ints runs one to its end (*changed: the rows it changed; NULL
 * when not wanted); sq_row_ints reads its first row's first n columns
 * into out (0 when no row came; *found whether one did, NULL when not
 * wanted). what names the work in an error. */
int sq_exec_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int *changed, const char *what,
                 wy_errinfo *ei);
int sq_row_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int64_t *out, int n, bool *found,
                const char *what, wy_errinfo *ei);
/* Whether user may report a document (comment_id 0) or a comment now:
 * WY_EEXIST with *id their open report of it (one each), WY_ETOOBIG past
 * the hourly limit of reports (sqlite_users.c); inside the caller's
 * transaction. */
int sq_report_gate(wy_store *st, int64_t user, int64_t doc_id, int64_t comment_id, int64_t *id, wy_errinfo *ei);
/* BEGIN IMMEDIATE / COMMIT (rolling back when it fails) / ROLLBACK if open */
int sq_begin(wy_store *st, wy_errinfo *ei);
int sq_commit(wy_store *st, wy_errinfo *ei);
void sq_rollback(wy_store *st);
/* The end of a transaction begun by sq_begin: committed when rc is WY_OK,
 * else rolled back; the outcome. */
int sq_end(wy_store *st, int rc, wy_errinfo *ei);
/* Set ei from the connection's last error, with what was being done. */
int sq_fail(sqlite3 *db, wy_errinfo *ei, const char *what);
char *sq_col_str(sqlite3_stmt *s, int i);
void sq_col_sha(sqlite3_stmt *s, int i, char out[65]);
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Room for one more of a list's items (n of them, *cap allocated, each
 * size bytes): the array, reallocated to twice the room when full. */
void *sq_grow(void *items, int n, int *cap, size_t size);

/* Replace a document's outline (NULL or empty: none), inside the caller's
 * transaction (sqlite_outline.c). */
int sq_outline_replace(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei);

/* The parameter of a listing's viewer (wy_doc_filter.viewer), numbered
 * past any other a listing statement has. */
#define VIEWER_PARAM 200

/* The WHERE of a filtered listing (wy_doc_filter as ?1..?4 and ?200,
 * sq_bind_filter): listed, or the viewer's own once it is open (a
 * listing shows what can be read; the viewer's documents still
 * converting, or failed, are on their "my uploads" page). */
#define FIND_WHERE                                                                                     \
	" WHERE " SQ_OPEN " AND " SQ_SEEN_BY("?200")                                                  \
	" AND (?1 IS NULL OR c.path = ?1 OR substr(c.path, 1, length(?1) + 1) = ?1 || '/')"             \
	" AND (?2 IS NULL OR d.format = ?2) AND (?3 = 0 OR d.pages >= ?3) AND (?4 = 0 OR d.pages <= ?4)"

/* The upload points rule (wy_upload_points, sqlite_users.c) for one
 * document, inside the caller's transaction, after any change of its
 * status, state or privacy: grants or takes back what the rule says. */
int sq_upload_points(wy_store *st, int64_t doc_id, wy_errinfo *ei);
/* The rule for a document whose content changed (a new version swapped
 * in): what it held goes back, and it earns as a new upload would (its
 * text, its copies, the daily cap). */
int sq_upload_points_anew(wy_store *st, int64_t doc_id, wy_errinfo *ei);
/* Whether a document other than doc_id holds upload points and has its
 * bytes, or text at least similarity alike (0: bytes only). */
int sq_copy_holds_points(wy_store *st, int64_t doc_id, double similarity, bool *yes, wy_errinfo *ei);

/* A document's conversion status (and its format and failure reason when
 * given), inside the caller's transaction; a document no longer ready
 * gives back its upload points here (sqlite.c, for sqlite_jobs.c). */
int sq_set_doc_status(wy_store *st, int64_t doc_id, wy_doc_status status, const char *format, const char *reason,
		      wy_errinfo *ei);

/* Queue a job for a document, inside the caller's transaction: its
 * conversion (ocr_from 0), or the recognition of its pages ocr_from..ocr_to
 * (wy_job), for the HTTP request request_id (may be NULL). sqlite.c, for
 * sqlite_jobs.c. */
int sq_queue_job(wy_store *st, int64_t doc_id, int ocr_from, int ocr_to, const char *request_id, wy_errinfo *ei);

void sq_read_doc(sqlite3_stmt *s, wy_doc *d);
void sq_bind_filter(sqlite3_stmt *s, const wy_doc_filter *f);
/* Step s to the end collecting documents into out; gives s back. */
int sq_read_docs(wy_store *st, sqlite3_stmt *s, wy_doc_list *out, wy_errinfo *ei);

/* The search index (sqlite_search.c). */
/* A parsed query (text/query.h) in FTS5's syntax: each token quoted, so
 * nothing a user typed is FTS5 syntax. A lone character (a prefix token)
 * is its own token: the index has every character at each position a
 * token starting with it stands. The strings are malloc'd (sq_fts_free);
 * NULL where the query has no such clause. */
typedef struct sq_fts {
	char *any;                      /* any clause that must match (OR) */
	char *not_;                     /* any excluded clause (OR) */
	char *quoted;                   /* every quoted clause (AND) */
	char *terms;                    /* any relaxed term (OR) */
	char *term[WY_QUERY_TERMS];     /* each relaxed term */
	char *clause[WY_QUERY_CLAUSES]; /* each clause that must match, in order */
	int nclause;
	char *pinyin, *initials;        /* the query read as pinyin (title_py*, title_ini*) */
} sq_fts;
void sq_fts_make(const wy_query *q, sq_fts *f);
void sq_fts_free(sq_fts *f);
/* The titles' pinyin tables (migration 10), in the order the pinyin tier
 * ranks their matches: each character's first reading (the syllables, the
 * initials), then every reading, heteronyms' too. Column: title. */
#define SQ_TITLE_TABLES {"title_py1", "title_ini1", "title_py", "title_ini"}
/* Register the tokenizer and the ranking functions on the connection. */
int sq_register_fts(wy_store *st, wy_errinfo *ei);
/* Add a ready document's pages, title and keywords (and fingerprint bands,
 * when minhash is not NULL) to the index / remove them if it is there; inside
 * the caller's transaction. */
int sq_index_doc(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei);
int sq_unindex_doc(wy_store *st, int64_t doc_id, wy_errinfo *ei);
/* Parts of an indexed document's index, for pages published as they come
 * (sqlite_job_pages): the rows of its pages from page from_page on; its
 * title-and-keywords row (removed before they change: del); its fingerprint
 * bands. Inside the caller's transaction. */
int sq_index_pages(wy_store *st, int64_t doc_id, int from_page, wy_errinfo *ei);
int sq_index_words(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei);
/* Its title's pinyin rows, for a title that changes (sqlite_edit.c, with
 * sq_index_words: its title, keywords, description and tags): removed
 * before, added after. */
int sq_index_title(wy_store *st, int64_t doc_id, bool del, wy_errinfo *ei);
int sq_index_bands(wy_store *st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei);
int sq_reindex_all(wy_store *st, void (*progress)(void *, int, int), void *ctx, wy_errinfo *ei);
/* A search statement's failure as the caller should see it: WY_ETIMEOUT
 * past the search's deadline, WY_EINVAL for a bad FTS expression. */
int sq_search_fail(wy_store *st, wy_errinfo *ei);

/* Relaxed matching (sqlite_relaxed.c): the documents req's filter lets the
 * reader see that hold at least half of the query's terms (their title and
 * keywords, or one page), best first, none of skip[0..nskip) (the strict
 * matches) nor any with an excluded clause; *out is malloc'd. Past
 * deadline (wy_now_ms, when req->max_ms is set) no more pages are scored:
 * the best of those scored are the answer. */
#define SQ_RELAXED_PAGES 16
typedef struct sq_relaxed {
	int64_t doc;
	double score;        /* higher is better, 0..1 */
	double coverage;     /* the share of the query's characters its best text holds */
	bool in_title;
	int npages;          /* pages scored, best first */
	int pages[SQ_RELAXED_PAGES];
	double page_score[SQ_RELAXED_PAGES];
} sq_relaxed;

int sq_search_relaxed(wy_store *st, const wy_search_req *req, const sq_fts *f, int64_t deadline, const int64_t *skip, int nskip,
		      sq_relaxed **out, int *nout, wy_errinfo *ei);

/* The documents req's filter lets the reader see whose title matches the
 * query read as pinyin (full readings first, then initials), none of
 * skip[0..nskip), at most WY_SEARCH_RELAXED; *out is malloc'd. */
int sq_search_pinyin(wy_store *st, const wy_search_req *req, const sq_fts *f, const int64_t *skip, int nskip, int64_t **out,
		     int *nout, wy_errinfo *ei);

/* A conversion's document is a new version of another (version_of,
 * sqlite_edit.c): swap it into that document, inside the caller's
 * transaction (sqlite_job_finish, once the version is ready); nothing
 * for any other document. */
int sq_version_swap(wy_store *st, int64_t doc_id, wy_errinfo *ei);

/* Fill in the confusable skeleton of every user that has none (migration
 * 7; sqlite_users.c). */
int sq_user_skeletons(wy_store *st, wy_errinfo *ei);
/* sqlite_download's work inside the caller's transaction (sqlite_limits.c
 * counts the day's downloads in the same one); its errors, nothing
 * rolled back here. */
int sq_download(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei);

/* Migration 23 (SEO): the sitemap's parts and the triggers that keep them
 * (sqlite_sitemap.c). */
int sq_sitemap_setup(wy_store *st, wy_errinfo *ei);

#endif

/* store: every query wenyuan makes, as functions of one interface.
 *
 * SQL lives only in the backends (sqlite.c now, pg.c later); nothing outside
 * src/store/ sees a statement, a row id type or a transaction. A backend is
 * chosen by the location string given to wy_store_open. Results are copied
 * out to structures the caller owns and clears (wy_doc_clear ...).
 *
 * Thread safety: one wy_store per thread or process; a store may be used by
 * many processes at once (serve, worker, add) and every multi-step change is
 * one transaction in the backend. */
#ifndef WY_STORE_H
#define WY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pollfd; /* <poll.h>: wy_store_job_wait */

#include "core/err.h"
#include "text/outline.h"

typedef struct wy_store wy_store;

typedef enum wy_doc_status {
	WY_DOC_QUEUED = 0,
	WY_DOC_CONVERTING = 1,
	WY_DOC_READY = 2,
	WY_DOC_FAILED = 3,
	/* Its conversion runs and has stored its first pages (wy_doc.pages of
	 * them, progress_done of progress_total): those may be read, by whoever
	 * may see the document, as if it were ready; it is ready when all are. */
	WY_DOC_READABLE = 4,
} wy_doc_status;
#define WY_DOC_NSTATUS 5

const char *wy_doc_status_name(wy_doc_status s); /* "queued" ... "readable" */

typedef struct wy_doc {
	int64_t id;              /* the document number, never reused */
	char *title;
	char *filename;          /* as uploaded, for display and download */
	char *format;            /* "pdf", "epub", "txt" ...; NULL until sniffed */
	char *category;          /* "资格与职业考试/其它" or NULL */
	char sha256[65];         /* of the original */
	int64_t size;            /* bytes of the original */
	int pages;
	wy_doc_status status;
	char *reason;            /* why it failed, or NULL */
	char *author;            /* from document metadata, or NULL */
	char thumb_sha256[65];   /* "" when none */
	int64_t created_at, updated_at;
	int progress_done, progress_total; /* pages converted so far (converting) */
	int64_t views, downloads;
	char *keywords;          /* space-separated, found in the text at ingest; or NULL */
	char *uploader;          /* display name of who uploaded it, or NULL */
	int64_t dup_of;          /* the document this one nearly duplicates, or 0 */
	int64_t owner_id;        /* the account that uploaded it, or 0 (imported) */
	bool private_;           /* seen by its owner and admins only */
	int state;               /* wy_doc_state: moderation */
	char *description;       /* the uploader's, or NULL */
	char *tags;              /* comma-separated, or NULL */
	int64_t price;           /* points a download costs (0: free) */
	double rating;           /* readers' average stars, 1-5 (0: none yet) */
	int64_t ratings;         /* how many readers rated it */
} wy_doc;

/* Moderation of a document, beside its conversion status. Everyone sees a
 * published, public, ready document; its owner also sees it pending or
 * hidden (and private); admins see all, deleted ones too (a recycle bin:
 * restore brings them back). */
typedef enum wy_doc_state {
	WY_STATE_PUBLISHED = 0,
	WY_STATE_PENDING = 1,    /* waiting for an admin's review */
	WY_STATE_HIDDEN = 2,     /* hidden by an admin */
	WY_STATE_DELETED = 3,
	/* a new version of another document (version_of), converting or
	 * failed: nobody's to see but admins' (sqlite_edit.c) */
	WY_STATE_VERSION = 4,
} wy_doc_state;

const char *wy_doc_state_name(int state); /* "published" ... */

void wy_doc_clear(wy_doc *d);

typedef struct wy_doc_list {
	wy_doc *items;
	int n;
} wy_doc_list;

void wy_doc_list_clear(wy_doc_list *l);

typedef struct wy_page {
	int64_t doc_id;
	int page_no;             /* 1-based */
	char *text;
	char image_sha256[65];
	int width, height;       /* of the page image */
	/* Where each character of text sits on the page, for marking search
	 * hits: WY_BOX_SIZE bytes per code point of text, in order (see
	 * text/boxes.h for the layout). NULL/0 when the converter gave none. */
	unsigned char *boxes;
	size_t boxes_len;
} wy_page;

void wy_page_clear(wy_page *p);

/* A new document as `add` or an upload knows it before conversion. */
typedef struct wy_doc_new {
	const char *title;       /* may be NULL: the converter finds one */
	const char *filename;
	const char *category;    /* "a/b/c" path, created on demand; may be NULL */
	const char *sha256;
	int64_t size;
	const char *uploader;    /* who uploaded it (display name), or NULL */
	int64_t owner_id;        /* the uploading account, or 0 */
	const char *description; /* may be NULL */
	const char *tags;        /* comma-separated; may be NULL */
	bool private_;
	int state;               /* WY_STATE_PUBLISHED or WY_STATE_PENDING (review) */
	int64_t price;           /* points a download costs */
	const char *request_id;  /* the HTTP request uploading it, kept with its job; may be NULL */
} wy_doc_new;

/* A job as a worker claims it. */
typedef struct wy_job {
	int64_t id;
	int64_t doc_id;
	int attempt;             /* 1 on the first try */
	char sha256[65];         /* the original to convert */
	char *filename;
	char *title;             /* set by the user, or NULL */
	/* 0: convert the document. Else the document is ready, and those of
	 * its pages ocr_from..ocr_to (ocr_batch of them) that have no text
	 * layer are to be recognised (OCR): a long scan takes turns with the
	 * conversions queued meanwhile instead of holding a converter, and its
	 * batches run side by side when converters are free */
	int ocr_from, ocr_to;
	/* the HTTP request that queued it (an upload), for the worker's log
	 * lines about it; "" when none (core/log.h: wy_log_req_valid) */
	char request_id[65];
	/* A conversion resumed: pages 1..resume_from were stored by an earlier
	 * attempt that stopped (the document is readable); the converter
	 * starts at the page after (0: from the start) */
	int resume_from;
	/* what its end adds to the counters (wy_store_counts_each), in the
	 * transaction that records it: set by the worker before
	 * wy_store_job_finish or wy_store_job_fail; not owned */
	const struct wy_count *counts;
	int ncounts;
} wy_job;

void wy_job_clear(wy_job *j);

/* What a finished conversion publishes. pages[i].page_no must be
 * stored + i + 1 (pages 1..stored were published while it ran:
 * wy_store_job_pages), npages - stored of them. A
 * recognition job publishes only the pages it recognised (any numbers in
 * its range, in npages) with the keywords, fingerprint and near-duplicate
 * of the whole text; the rest of the document stays. */
typedef struct wy_doc_result {
	const char *format;
	const char *title;       /* found in the document; used unless the user set one */
	const char *author;
	const char *thumb_sha256;
	int npages;              /* the document's (wy_store_job_pages: its count so far) */
	int stored;              /* pages published before these (see above) */
	const wy_page *pages;
	const char *keywords;    /* space-separated keywords of the text, or NULL */
	int64_t dup_of;          /* a ready document this one nearly duplicates, or 0 */
	const unsigned char *minhash; /* the text's fingerprint (WY_MINHASH_BYTES), or NULL */
	/* > 0 (conversions): pages from this one on still wait for OCR:
	 * recognition jobs of ocr_batch pages each are queued for them, and
	 * the document's progress counts the pages done as they end */
	int ocr_next, ocr_batch;
	/* the document's outline, replacing the one stored (NULL or empty:
	 * none); pages within 1..npages. A recognition job leaves it. */
	const wy_outline *outline;
} wy_doc_result;

/* Open (creating and migrating) the store at `location`: a directory path
 * uses SQLite in location/wenyuan.db. Errors: WY_EIO, WY_ESTORE (schema newer
 * than this program, or not a wenyuan store). */
int wy_store_open(const char *location, wy_store **out, wy_errinfo *ei);
void wy_store_close(wy_store *st); /* NULL is a no-op */

/* Schema version after migration (for tests and `wenyuan info`). */
int wy_store_schema_version(wy_store *st);

/* Whether the store answers a read now (readiness: /readyz). */
int wy_store_ping(wy_store *st, wy_errinfo *ei);

/* What the store holds now, for /metrics: accounts, jobs waiting (a
 * document's conversion, and batches of pages to recognise), jobs running,
 * and how long the oldest waiting job has waited (seconds; 0: none). */
typedef struct wy_store_stats {
	int64_t users, jobs_queued, batches_queued, jobs_running, oldest_wait;
} wy_store_stats;
int wy_store_stats_get(wy_store *st, wy_store_stats *out, wy_errinfo *ei);

/* Counters the worker keeps in the store for the server's /metrics (it
 * may run in another process, or on another machine): a name, its labels
 * in Prometheus's text form (`format="pdf",outcome="ready"`, or ""), and
 * how much a job's end adds (wy_job.counts). */
typedef struct wy_count {
	const char *name;
	const char *labels;
	double add;
} wy_count;

/* Every counter with its value, ordered by name and labels, through cb. */
int wy_store_counts_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *labels, double value),
			 void *ctx, wy_errinfo *ei);

/* How many times the backend failed in this process (busy past its
 * timeout, I/O errors, corruption, statements refused), counted where the
 * backend turns its failures into errors; "not found" is no failure. For
 * /metrics. Thread-safe. */
uint64_t wy_store_errors(void);

/* Documents by conversion status and format (format NULL before it is
 * known), through cb. */
int wy_store_doc_formats(wy_store *st, void (*cb)(void *ctx, wy_doc_status status, const char *format, int64_t n),
			void *ctx, wy_errinfo *ei);

/* A consistent copy of the live store into the directory dir, as a store
 * that wy_store_open(dir) opens (`wenyuan backup`): one snapshot, while
 * others go on reading and writing. Replaces an earlier copy there only
 * once the new one is whole. WY_EIO on failure. */
int wy_store_backup(wy_store *st, const char *dir, wy_errinfo *ei);

/* Record a document and queue its conversion job, in one transaction.
 * When the same owner (owner_id; 0: imported documents) has a document of
 * the same bytes (same sha256) that is not deleted, its id is returned with
 * *existed = true and nothing is queued. Another owner's document of the
 * same bytes changes nothing: each is a document of its own (title, owner,
 * visibility, category) and the blob is shared. */
int wy_store_doc_add(wy_store *st, const wy_doc_new *in, int64_t *id, bool *existed, wy_errinfo *ei);

/* WY_ENOTFOUND when there is no such document. */
int wy_store_doc_get(wy_store *st, int64_t id, wy_doc *out, wy_errinfo *ei);

/* Documents newest first, at most limit (0 = all) from offset. */
int wy_store_doc_list(wy_store *st, int offset, int limit, wy_doc_list *out, wy_errinfo *ei);

/* The documents a reader may see, newest first, at most limit from
 * offset, and how many there are in all: public ones (ready, published,
 * not private); the viewer's own (account id; 0: none) of any status but
 * deleted ones; with admin, all. The same rule as the site's
 * (web_can_see). */
int wy_store_doc_visible(wy_store *st, int64_t viewer, bool admin, int offset, int limit, wy_doc_list *out,
			 int *total, wy_errinfo *ei);

/* The most viewed ready documents. */
int wy_store_doc_popular(wy_store *st, int limit, wy_doc_list *out, wy_errinfo *ei);

/* Add views (or, with downloads, downloads) to documents, n of them, in
 * one transaction. */
int wy_store_doc_add_counts(wy_store *st, const int64_t *ids, const int64_t *counts, int n, bool downloads,
			    wy_errinfo *ei);

/* Ready documents related to doc_id by content, at most limit: those whose
 * titles and keywords best match its keywords; when it has none, those filed
 * in the same category, newest first. */
int wy_store_doc_related(wy_store *st, int64_t doc_id, int limit, wy_doc_list *out, wy_errinfo *ei);

/* Which ready documents a listing shows, and in what order. */
typedef enum wy_doc_sort { WY_SORT_NEWEST = 0, WY_SORT_VIEWS, WY_SORT_DOWNLOADS } wy_doc_sort;

typedef struct wy_doc_filter {
	int64_t viewer;          /* this account's own documents are listed too
				  * (private, pending or hidden ones); 0: none */
	const char *category;    /* that category and below it; NULL: all */
	const char *format;      /* "pdf", "docx" ...; NULL: any */
	int min_pages, max_pages; /* 0: no bound */
	wy_doc_sort sort;
} wy_doc_filter;

/* Ready, published, public documents (and the viewer's own) matching f,
 * at most limit from offset, and how many match in all. */
int wy_store_doc_find(wy_store *st, const wy_doc_filter *f, int offset, int limit, wy_doc_list *out, int *total,
		      wy_errinfo *ei);

/* A document's outline (bookmarks, table of contents: text/outline.h), as
 * its last conversion found it; empty when it has none. Conversions set it
 * (wy_doc_result.outline); it goes with its document. */
int wy_store_outline_get(wy_store *st, int64_t doc_id, wy_outline *out, wy_errinfo *ei);

/* Replace a document's outline (NULL or empty: none), in a transaction of
 * its own. */
int wy_store_outline_set(wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei);

/* One page of a ready document. WY_ENOTFOUND when absent. */
int wy_store_page_get(wy_store *st, int64_t doc_id, int page_no, wy_page *out, wy_errinfo *ei);

/* Claim the next queued job for `worker` (a name for logs): conversions
 * first, fair between accounts, then recognition (OCR) jobs. A conversion
 * marks its document converting; a recognition job leaves it ready. A job
 * whose lease ran out (its worker died) is claimed again; one that already
 * had max_attempts fails its document instead (a recognition job fails
 * alone: the document stays ready with the text it has). lease_seconds is
 * how long the claim holds without a renewal. WY_EEMPTY when nothing is
 * queued. */
int wy_store_job_claim(wy_store *st, const char *worker, int lease_seconds, int max_attempts,
		       wy_job *out, wy_errinfo *ei);

/* The calls below act on a job this worker claimed, identified by its id and
 * attempt: when the lease ran out and another worker claimed the job again,
 * the old claim is void and they return WY_ENOTFOUND, changing nothing. */

/* Record progress of a claimed job (pages done of total) and renew its
 * lease. A recognition job only renews its lease: its document's progress
 * counts the pages of the batches that ended. */
int wy_store_job_progress(wy_store *st, const wy_job *job, int done, int total, int lease_seconds,
			  wy_errinfo *ei);

/* Publish pages of a running conversion in one transaction: res->pages[0..n),
 * numbered res->stored + 1 on, after the res->stored pages published before
 * (stored 0: the first, which replace any pages of an earlier conversion);
 * res->npages is the document's page count (its progress: done
 * stored + n of npages). They are indexed for search at once, and the
 * document becomes readable (WY_DOC_READABLE). The first publication also
 * sets the title (res->title unless the user set one), author, format and
 * thumbnail; later ones leave them. WY_EINVAL when stored is not the number
 * of pages the document holds. */
int wy_store_job_pages(wy_store *st, const wy_job *job, const wy_doc_result *res, int n, wy_errinfo *ei);

/* A claimed conversion whose converter stopped after publishing pages goes
 * back to the queue, its document readable: the next claim counts another
 * attempt (and fails the document past max_attempts) and resumes after the
 * pages stored (wy_job.resume_from). */
int wy_store_job_requeue(wy_store *st, const wy_job *job, wy_errinfo *ei);

/* Publish a finished job in one transaction: the document becomes ready with
 * all its pages (and its owner gets upload points when the rule gives them:
 * wy_upload_points), or nothing changes. A recognition job replaces its
 * pages' text (and the index, keywords and fingerprint) and counts its
 * pages done. res->ocr_next queues recognition jobs; a conversion drops any
 * still queued from before. */
int wy_store_job_finish(wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei);

/* Fail a claimed job and its document with a reason for people. The original
 * stays; wy_store_doc_retry queues it again. A readable document's pages
 * go (and leave the index): a failed conversion shows nothing. A recognition job fails alone:
 * its document stays ready with the text it has. */
int wy_store_job_fail(wy_store *st, const wy_job *job, const char *format, const char *reason,
		      wy_errinfo *ei);

/* Give a claimed job back to the queue (the worker is stopping): the
 * document returns to queued (a readable one stays readable, and the next
 * claim resumes it) and the try does not count. */
int wy_store_job_release(wy_store *st, const wy_job *job, wy_errinfo *ei);

/* End at once the leases of running jobs whose worker is gone: for each
 * worker name holding a live lease, dead(ctx, name) is asked (without any
 * store lock held) and when it answers true that worker's jobs are
 * claimable as if their leases had run out (the next claim counts the
 * attempt, so max_attempts still applies). *expired (may be NULL) gets how
 * many jobs. Errors: WY_EIO/WY_ESTORE from the store. */
int wy_store_job_expire_dead(wy_store *st, bool (*dead)(void *ctx, const char *worker), void *ctx, int *expired,
			     wy_errinfo *ei);

/* Wait until the job queue may have work for a worker, or one of the
 * caller's descriptors fds[0..nfds) is ready (poll(2): their events in,
 * revents out), or timeout_ms (-1: no limit) passes, whichever comes
 * first: the worker's one wait. *ready: how many of fds have revents;
 * *work: jobs were queued (or a lease cut short) by any process since the
 * last wait, so a claim should be tried now. A store that can tell
 * (PostgreSQL: LISTEN on a channel a trigger of the jobs table notifies
 * at each commit that makes a job claimable) wakes within the round trip
 * of that notification; one that cannot (SQLite) waits for the
 * descriptors or the timeout and never sets *work: the worker looks at
 * the queue every wy_store_job_poll_ms when idle. An interrupted wait
 * (EINTR) returns WY_OK with nothing ready. One thread at a time, outside
 * any transaction. Errors: WY_EIO (poll, the connection), WY_EINVAL. */
int wy_store_job_wait(wy_store *st, struct pollfd *fds, int nfds, int timeout_ms, int *ready, bool *work,
		      wy_errinfo *ei);

/* How often (milliseconds) an idle worker should look at the queue without
 * being woken: SQLite, which wakes no one, 250 (the worker's polling);
 * PostgreSQL, which wakes workers (wy_store_job_wait), still a few
 * seconds: a lease that runs out (a worker that died) notifies no one. */
int wy_store_job_poll_ms(wy_store *st);

/* Queue a new job for a failed (or, with force, any) document.
 * WY_EINVAL when the document is queued, converting or readable now. */
int wy_store_doc_retry(wy_store *st, int64_t doc_id, bool force, wy_errinfo *ei);

/* Count of documents by status (array indexed by wy_doc_status). */
int wy_store_doc_counts(wy_store *st, int counts[WY_DOC_NSTATUS], wy_errinfo *ei);

/* Categories form a tree; a path names one ("教育资料/高中"). Names are
 * 1-100 bytes of UTF-8 with no '/' and no control characters. */
typedef struct wy_category {
	int64_t id, parent_id;   /* parent_id 0 at the top */
	char *name, *path;
	int depth;               /* 0 at the top */
	int docs;                /* public documents filed directly here (what a
				  * listing of it shows to anyone) */
} wy_category;

typedef struct wy_category_list {
	wy_category *items;      /* ordered by path: a parent before its children */
	int n;
} wy_category_list;

void wy_category_list_clear(wy_category_list *l);

int wy_store_category_list(wy_store *st, wy_category_list *out, wy_errinfo *ei);

/* The id of the category at path; WY_ENOTFOUND when there is none. */
int wy_store_category_find(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei);

/* Create the category at path and any missing parents (existing ones are
 * fine). WY_EINVAL for a bad name. */
int wy_store_category_add(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei);

/* Rename the last part of path; its subtree follows. WY_ENOTFOUND,
 * WY_EINVAL (bad name, or the new path exists). */
int wy_store_category_rename(wy_store *st, const char *path, const char *new_name, wy_errinfo *ei);

/* Move the category at path (and its subtree) under new_parent ("" = the
 * top). WY_EINVAL when that would put it inside itself or clash. */
int wy_store_category_move(wy_store *st, const char *path, const char *new_parent, wy_errinfo *ei);

/* Every blob the store references (originals, page images, thumbnails),
 * through a callback; for fsck and garbage collection of orphans. */
int wy_store_blob_refs(wy_store *st, int (*cb)(void *ctx, const char *sha256), void *ctx,
		       wy_errinfo *ei);

/* Whether any document refers to the blob sha (as its original, a page
 * image or its thumbnail). */
int wy_store_blob_used(wy_store *st, const char *sha, bool *used, wy_errinfo *ei);

/* Check the store's own consistency: the database's integrity, the search
 * index's, and what the rows say of each other (a ready document has all
 * its pages, a page's boxes are whole, a queued or converting document has
 * a job, a job's document exists, the index holds exactly the ready
 * documents, a document holds the upload points its ledger rows give, a
 * collection's favorites count is its rows and its positions run 1..n).
 * Each problem goes to cb as a sentence for people; returns
 * WY_OK when the checks ran (problems or not). */
int wy_store_check(wy_store *st, void (*cb)(void *ctx, const char *problem), void *ctx, wy_errinfo *ei);

/* ---- search ----
 * The index holds the text of every page of every ready document, and each
 * document's title and keywords, tokenized by text/tokenize.h. Queries come
 * parsed by text/query.h into clauses of tokens; each backend builds its
 * engine's expressions from those tokens, never from user text directly. */

typedef struct wy_query wy_query;

typedef enum wy_search_sort { WY_SEARCH_RELEVANCE = 0, WY_SEARCH_NEWEST, WY_SEARCH_DOWNLOADS } wy_search_sort;

typedef struct wy_search_req {
	const wy_query *query;
	wy_doc_filter filter;     /* category, format, pages (its sort is unused) */
	wy_search_sort sort;
	int offset, limit;
	/* How many pages of d, from the first, a result may show hits on (its
	 * pages, npages and so its snippets come from those alone), asked once
	 * for each document shown; NULL: all. A document matching only past
	 * them is found all the same. */
	int (*pages_shown)(void *ctx, const wy_doc *d);
	void *pages_shown_ctx;
	/* Milliseconds the search may take (0: no limit); past them it stops
	 * with WY_ETIMEOUT, so that a query made to be slow cannot hold a
	 * request thread and a core for seconds. */
	int max_ms;
	bool strict_only;         /* no relaxed matches (to count a suggestion's) */
} wy_search_req;

#define WY_SEARCH_PAGES 5
#define WY_SEARCH_SIMILAR 20

/* Relaxed matches are added after the strict ones when there are fewer
 * strict matches than this (a results page), at most WY_SEARCH_RELAXED. */
#define WY_SEARCH_RELAX_BELOW 10
#define WY_SEARCH_RELAXED 50

typedef enum wy_hit_kind {
	WY_HIT_STRICT = 0,  /* every clause, as typed */
	WY_HIT_RELAXED = 1, /* at least half of the query's terms, on one page
			     * or in the title and keywords */
	WY_HIT_PINYIN = 2,  /* the title, by the query read as pinyin or its
			     * initials (after the strict, before the relaxed) */
} wy_hit_kind;

typedef struct wy_search_hit {
	wy_doc doc;
	wy_hit_kind kind;
	double score;             /* strict: lower is better (BM25, the same
				   * weights on every backend); relaxed:
				   * its coverage */
	double coverage;          /* relaxed: the share of the query's
				   * characters that its best page or title
				   * holds (in terms found there) */
	bool in_title;            /* the title or keywords match */
	int npages;               /* pages that match (of those req->pages_shown allows) */
	int pages[WY_SEARCH_PAGES]; /* the best of them, best first */
	int npages_shown;
	int last_page;            /* hits shown are on pages 1..last_page (req->pages_shown) */
	/* Near-duplicates (dup_of, either way) of this document that matched
	 * too, ranked after it: folded into it rather than listed, and not
	 * counted in total. nsimilar counts them all; the first
	 * WY_SEARCH_SIMILAR of them, in rank order, are in similar. */
	int nsimilar;
	int64_t similar[WY_SEARCH_SIMILAR];
} wy_search_hit;

typedef struct wy_search_result {
	wy_search_hit *items;
	int n;
	int total;                /* documents matching in all, each group of
				   * near-duplicates once */
	int strict;               /* of them, strict matches (they come first) */
	bool more;                /* a clause matched more pages than are ranked
				   * (the newest are): total is a lower bound */
} wy_search_result;

void wy_search_result_clear(wy_search_result *r);

/* Ready documents matching req (every clause somewhere in the document, no
 * excluded one anywhere), ranked: title and keywords weigh more than the
 * body. A query that is not searchable finds nothing. A clause that
 * matches very many pages is ranked on the newest of them (see ->more).
 * When they are fewer than WY_SEARCH_RELAX_BELOW, titles matching the
 * query read as pinyin follow (kind WY_HIT_PINYIN: full pinyin before
 * initials, shorter titles first), then relaxed matches (kind
 * WY_HIT_RELAXED), ranked by how much of the query they hold, in every
 * sort order; total counts them all. A document flagged as a
 * near-duplicate of another that matched (or the original of one) is shown
 * once, where the best-ranked of them is: the others are that hit's
 * similar, and are neither counted nor given a place of their own, so
 * pages of results stay consistent. */
int wy_store_search(wy_store *st, const wy_search_req *req, wy_search_result *out, wy_errinfo *ei);

/* Pages 1..last_page of one document where any clause of q matches (with
 * relaxed, any of its terms: wy_query_term), in page order (pages
 * past last_page are not searched at all); at most max written to pages;
 * *n is how many match in all. */
int wy_store_doc_search(wy_store *st, int64_t doc_id, int last_page, const wy_query *q, bool relaxed, int *pages,
			int max, int *n, wy_errinfo *ei);

/* Rebuild the whole index from the stored text (after a tokenizer change,
 * or to repair it). progress, when not NULL, is called every few hundred
 * documents with how many were done of how many. */
int wy_store_reindex(wy_store *st, void (*progress)(void *ctx, int done, int total), void *ctx, wy_errinfo *ei);

/* In how many indexed pages each of n terms (index tokens) occurs; for
 * keywords. df[i] = 0 for a term the index lacks. When npages is not NULL
 * it gets the number of indexed pages (a count over them all: ask once). */
/* The share of doc_id in wy_store_term_df's counts (its pages are in the
 * index while it converts, readable, and while a ready one's pages are
 * recognised): of its indexed pages, how many hold the term (*df) and how
 * many there are (*npages, when not NULL); 0 when it is not indexed. A
 * document's keywords weigh its words against the rest of the library. */
int wy_store_term_df_of(wy_store *st, int64_t doc_id, const char *term, int64_t *df, int64_t *npages,
			wy_errinfo *ei);
int wy_store_term_df(wy_store *st, const char *const *terms, int n, int64_t *df, int64_t *npages,
		     wy_errinfo *ei);

/* The listed document (ready, published, public) whose fingerprint
 * (WY_MINHASH_BYTES bytes, see text/minhash.h) is most like sig, when the
 * estimated resemblance is at least threshold: *doc_id and *similarity, or
 * *doc_id = 0. Only a document older than exclude (the one being converted;
 * for a new version, older than the document it replaces; 0: none) can be
 * the answer: the first upload is the original of its copies, nor a private, pending, hidden or deleted one: a duplicate_of (or
 * a refusal naming it) must not tell anyone of a document they may not
 * see. */
int wy_store_near_duplicate(wy_store *st, const unsigned char *sig, double threshold, int64_t exclude,
			    int64_t *doc_id, double *similarity, wy_errinfo *ei);

/* Record that a visitor searched for query (display form) and opened doc_id
 * from the results (doc_id 0: a search, no click). */
int wy_store_search_log(wy_store *st, const char *query, int64_t doc_id, wy_errinfo *ei);

/* Queries after which people opened doc_id, most frequent first. */
typedef struct wy_str_list {
	char **items;
	int n;
} wy_str_list;

void wy_str_list_clear(wy_str_list *l);

/* The queries after which people most often opened a document everyone
 * may see (search_clicks: each counted once two visitors made it), at
 * least min_n times each, most frequent first, at most limit (for "did you
 * mean": a caller shows one only after searching it for the reader). */
int wy_store_popular_queries(wy_store *st, int min_n, int limit, wy_str_list *out, wy_errinfo *ei);

int wy_store_doc_queries(wy_store *st, int64_t doc_id, int limit, wy_str_list *out, wy_errinfo *ei);

/* Record visits of documents by anonymous visitors (a random id from a
 * cookie), for "people who read this also read"; one transaction. */
int wy_store_visits_add(wy_store *st, const uint64_t *visitors, const int64_t *doc_ids, int n, wy_errinfo *ei);

/* Ready documents that visitors of doc_id also visited, most shared first;
 * then, to fill limit, the most viewed of its category; never doc_id itself
 * nor any of exclude[0..nexclude). */
int wy_store_doc_also_read(wy_store *st, int64_t doc_id, const int64_t *exclude, int nexclude, int limit,
			   wy_doc_list *out, wy_errinfo *ei);

/* ---- accounts ----
 * Users, their sessions, favorites, downloads, points, reports and the
 * admins' audit log (sqlite_users.c). Passwords reach the store only as
 * Argon2id strings, session tokens only as their SHA-256. */

typedef enum wy_role { WY_ROLE_USER = 0, WY_ROLE_ADMIN = 1 } wy_role;

typedef struct wy_user {
	int64_t id;
	char *name;
	wy_role role;
	bool banned;
	int64_t created_at;
	int64_t points;          /* the balance: the sum of the user's ledger */
} wy_user;

void wy_user_clear(wy_user *u);

typedef struct wy_user_list {
	wy_user *items;
	int n;
} wy_user_list;

void wy_user_list_clear(wy_user_list *l);

/* A user name is 2-32 bytes of UTF-8: letters, digits, CJK, '_' and '-'. */
bool wy_user_name_valid(const char *name);

/* Create a user with pass_hash (crypto_pwhash_str) and, when points > 0, a
 * first ledger row "register". WY_EINVAL (not a valid name, or one that
 * mixes scripts: text/confusable.h), WY_EEXIST (taken: names compare
 * without case, and a name whose confusable skeleton is another's, such
 * as `аlice` with a Cyrillic а next to `alice`, is taken too). */
int wy_store_user_add(wy_store *st, const char *name, const char *pass_hash, wy_role role, int64_t points,
		      int64_t *id, wy_errinfo *ei);
/* Whether name could be added now, with the errors of wy_store_user_add
 * (WY_OK when it could): a check before the cost of hashing a password;
 * wy_store_user_add checks again in its transaction. */
int wy_store_user_name_free(wy_store *st, const char *name, wy_errinfo *ei);
/* WY_ENOTFOUND. by_name also gives the password hash when pass_hash is not
 * NULL (the caller frees it). */
int wy_store_user_get(wy_store *st, int64_t id, wy_user *out, wy_errinfo *ei);
int wy_store_user_by_name(wy_store *st, const char *name, wy_user *out, char **pass_hash, wy_errinfo *ei);
/* A new password ends every session of the user but keep (a token hash,
 * the session that changed it; NULL: all). */
int wy_store_user_set_password(wy_store *st, int64_t id, const char *pass_hash, const unsigned char *keep,
			       wy_errinfo *ei);
/* Change role and/or ban (-1: leave as it is). A ban ends the user's
 * sessions. */
int wy_store_user_set(wy_store *st, int64_t id, int role, int banned, wy_errinfo *ei);
/* Users by id, at most limit from offset; name_like filters (substring) when
 * not NULL. */
int wy_store_user_list(wy_store *st, const char *name_like, int offset, int limit, wy_user_list *out, int *total,
		       wy_errinfo *ei);

#define WY_TOKEN_HASH 32 /* bytes of a session token's SHA-256 */

/* Sessions: the SHA-256 of a random token, its user, its CSRF token and
 * when it expires. get fails with WY_ENOTFOUND for an unknown or expired
 * session, or a banned user; it gives the user and csrf (64 hex + NUL). */
int wy_store_session_add(wy_store *st, const unsigned char *hash, int64_t user_id, const char *csrf,
			 int64_t expires_at, wy_errinfo *ei);
int wy_store_session_get(wy_store *st, const unsigned char *hash, wy_user *user, char csrf[65], wy_errinfo *ei);
int wy_store_session_delete(wy_store *st, const unsigned char *hash, wy_errinfo *ei);

/* Favorites: set or clear; state gives whether user has it and how many
 * users have (user 0: count only). */
int wy_store_favorite_set(wy_store *st, int64_t user_id, int64_t doc_id, bool on, wy_errinfo *ei);
int wy_store_favorite_state(wy_store *st, int64_t user_id, int64_t doc_id, bool *on, int64_t *count,
			    wy_errinfo *ei);

/* A user's documents, newest first: uploads (any status or state but
 * deleted), favorites and downloads (those still visible to the user). */
typedef enum wy_user_docs { WY_MY_UPLOADS, WY_MY_FAVORITES, WY_MY_DOWNLOADS } wy_user_docs;
int wy_store_user_docs(wy_store *st, int64_t user_id, wy_user_docs which, int offset, int limit, wy_doc_list *out,
		       int *total, wy_errinfo *ei);

/* ---- points ----
 * A ledger: every change of a balance is a row with a reason; the balance
 * is the sum of the rows. Spending never takes it below zero; taking back
 * upload points may (a debt: nothing can be spent until it is paid). Every
 * change is one transaction that checks the balance inside it, so
 * concurrent requests never make or lose points. */
typedef struct wy_ledger_entry {
	int64_t id, delta;
	char *reason;            /* "register" "signin" "upload" "upload_revoked" "download" "sale" "reward"
				  * "rewarded" "admin" */
	int64_t doc_id;          /* or 0 */
	char *doc_title;         /* or NULL */
	int64_t other_id;        /* the other user of a transfer, or 0 */
	char *other_name;
	int64_t at;
} wy_ledger_entry;

typedef struct wy_ledger {
	wy_ledger_entry *items;
	int n;
} wy_ledger;

void wy_ledger_clear(wy_ledger *l);

int wy_store_points_ledger(wy_store *st, int64_t user_id, int offset, int limit, wy_ledger *out, int *total,
			   wy_errinfo *ei);
/* The daily sign-in: points once per day (a day number the caller picks);
 * *granted false when already signed in that day. */
int wy_store_points_signin(wy_store *st, int64_t user_id, int64_t day, int64_t points, bool *granted,
			   wy_errinfo *ei);
/* Give points to a document's uploader: WY_EPERM (the giver's own
 * document, or one without an uploading account), WY_EPOINTS, WY_EINVAL
 * (points <= 0), WY_ENOTFOUND (no such document, or one the giver may
 * not see as anyone does: not ready, hidden, private; checked in the
 * transaction, nothing moves). */
int wy_store_points_reward(wy_store *st, int64_t from, int64_t doc_id, int64_t points, wy_errinfo *ei);
/* Record that user downloads doc_id; with charge, the first download by
 * someone other than its owner pays its price to the owner (WY_EPOINTS
 * when short, WY_ENOTFOUND when the document is not one user may see as
 * anyone does, public or their own: nothing recorded, checked in the
 * transaction; WY_EPERM when it would pay for a document whose conversion
 * has not ended: a readable one is sold once ready). *paid: what was paid
 * now. */
int wy_store_download(wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei);
/* Whether user has downloaded doc_id before (so downloads it free). */
int wy_store_download_paid(wy_store *st, int64_t user_id, int64_t doc_id, bool *yes, wy_errinfo *ei);
/* Upload points, one rule applied by the store itself inside the
 * transaction of every change that can make a document earn or lose them
 * (a conversion finishing or failing, wy_store_doc_set_state,
 * wy_store_doc_set_private), so no caller grants or takes them back and
 * concurrent processes never grant twice. A document earns points when it
 * is ready, published (approved, under review), public, has an uploading
 * account, is not flagged as a near-duplicate (dup_of) nor a copy of one
 * that holds points (similarity, below) and its text has at
 * least min_chars characters that are not white space; it earns `points`,
 * but no more than what keeps its owner's upload points of the last 24
 * hours (granted less taken back) within `daily` (a partial grant at the
 * edge). It keeps what it earned (documents.upload_points) until it stops
 * qualifying (hidden, deleted, made private, failed, converting again),
 * when a ledger row "upload_revoked" takes exactly that back; qualifying
 * again is a new grant under the same cap. */
typedef struct wy_upload_points {
	int64_t points;          /* per document (0: uploads earn nothing) */
	int64_t daily;           /* per account in any 24 hours (0: nothing) */
	int64_t min_chars;       /* characters of text a document needs */
	/* One grant per content: a document does not earn while another
	 * document holding upload points has the same bytes, or text this alike
	 * (minhash similarity; 0: bytes only), so that uploading a copy,
	 * deleting, restoring or making a copy public never earns twice. */
	double similarity;
} wy_upload_points;
/* This connection's rule: its process's settings points_upload,
 * points_upload_daily and points_upload_min_chars. The site settings an
 * admin saved under those names (wy_store_setting_set) override them, read
 * in each transaction, so every process applies the same rule. Until set,
 * uploads earn nothing (taking back still works). */
void wy_store_upload_points_set(wy_store *st, const wy_upload_points *rule);
/* The rule a process's settings give (src/store/rules.c): what every
 * opener of a store (serve's threads, the command line) sets. */
struct wy_config;
wy_upload_points wy_upload_points_of(const struct wy_config *cfg);
/* An admin's adjustment (a negative one never takes the balance below 0:
 * WY_EPOINTS). */
int wy_store_points_adjust(wy_store *st, int64_t user_id, int64_t delta, wy_errinfo *ei);

/* ---- reports and moderation ---- */
typedef struct wy_report {
	int64_t id, doc_id, user_id, at;
	char *reason, *detail, *user_name, *doc_title;
	int doc_state;
	bool open;
	/* a report of one of the document's comments (0: of the document),
	 * its text and state (wy_comment_state; NULL and -1 when it is gone) */
	int64_t comment_id;
	char *comment_text;
	int comment_state;
} wy_report;

typedef struct wy_report_list {
	wy_report *items;
	int n;
} wy_report_list;

void wy_report_list_clear(wy_report_list *l);

/* Report document doc_id as user_id: WY_EEXIST (with *id) when their
 * report of it is still open (one each), WY_ETOOBIG past 20 reports an
 * hour (of documents and comments together). */
int wy_store_report_add(wy_store *st, int64_t doc_id, int64_t user_id, const char *reason, const char *detail,
			int64_t *id, wy_errinfo *ei);
int wy_store_report_list(wy_store *st, bool open_only, int offset, int limit, wy_report_list *out, int *total,
			 wy_errinfo *ei);
/* Close every open report of a document (it was handled). */
int wy_store_report_close(wy_store *st, int64_t doc_id, wy_errinfo *ei);

/* Set a document's moderation state / category / price, title, description
 * and privacy (its owner's edit). A new state or privacy applies the upload
 * points rule in the same transaction (WY_ENOTFOUND: no such document). */
int wy_store_doc_set_state(wy_store *st, int64_t doc_id, wy_doc_state state, wy_errinfo *ei);
int wy_store_doc_set_private(wy_store *st, int64_t doc_id, bool private_, wy_errinfo *ei);
int wy_store_doc_set_category(wy_store *st, int64_t doc_id, const char *path, wy_errinfo *ei);
/* Documents in a moderation state (-1: any), newest first, for admins. */
int wy_store_doc_by_state(wy_store *st, int state, int offset, int limit, wy_doc_list *out, int *total,
			  wy_errinfo *ei);

/* Who may see a blob (a page image or thumbnail): *vis = 2 when anyone
 * may (a public document, ready, published and not private, has it, as a
 * thumbnail or as one of its first max_page pages; 0: any page), 1 when
 * only viewer (its owner, whatever its status) or an admin may, 0 when nobody may through /blob (originals, pages past
 * the preview, unknown). */
int wy_store_blob_visibility(wy_store *st, const char *sha, int64_t viewer, bool admin, int max_page, int *vis,
			      wy_errinfo *ei);

/* The audit log of admin actions. */
typedef struct wy_audit_entry {
	int64_t id, admin_id, at;
	char *admin_name, *action, *target, *detail;
} wy_audit_entry;

typedef struct wy_audit_list {
	wy_audit_entry *items;
	int n;
} wy_audit_list;

void wy_audit_list_clear(wy_audit_list *l);

int wy_store_audit_add(wy_store *st, int64_t admin_id, const char *action, const char *target, const char *detail,
		       wy_errinfo *ei);
int wy_store_audit_list(wy_store *st, int offset, int limit, wy_audit_list *out, int *total, wy_errinfo *ei);

/* Site settings an admin changed on the site, which override the
 * process's configuration (core/config.h names). */
int wy_store_setting_set(wy_store *st, const char *name, const char *value, wy_errinfo *ei);
int wy_store_settings_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *value), void *ctx,
			   wy_errinfo *ei);

/* ---- whether anything changed ----
 * A stamp that changes at every commit to the store, by any connection of
 * any process (the serve loop, the worker, the command line): what a
 * cache of store answers checks before each use, at the cost of reading a
 * few words of memory. It is the header of SQLite's WAL index (the
 * -shm file every connection maps; https://sqlite.org/walformat.html),
 * which SQLite rewrites at each commit (its change counter, frame count
 * and checksums), read through a mapping of our own; the watch keeps a
 * connection open so that the file stays as it is (SQLite reinitialises
 * it only when no connection is left). The store is always in WAL mode
 * (wy_store_open refuses otherwise). A stamp read before a query is
 * equal to one read after it only if nothing committed in between;
 * a torn read (a commit under way) only differs from both.
 * PostgreSQL: refused (WY_ENOTSUP), and serve keeps no store answer
 * between requests there. A commit of another machine reaches this
 * process only as a message (NOTIFY) or the answer to a query, so a stamp
 * read from memory would lag the commits: a reader who has just seen
 * their own write through one serve process could be shown an answer
 * from before it by another, which the promise above rules out; asking
 * the server at each read would cost the round trip the caches save. */
typedef struct wy_store_watch wy_store_watch;
typedef struct wy_store_stamp {
	uint32_t w[12];
} wy_store_stamp;

/* Open a watch of the store at location (it opens a connection of its
 * own, kept until wy_store_watch_close); WY_EIO when the WAL index cannot
 * be mapped, or wy_store_open's error. wy_store_watch_read may be called
 * from any thread at once (no lock, no system call); close (NULL is a
 * no-op) only when no read is under way. */
int wy_store_watch_open(const char *location, wy_store_watch **out, wy_errinfo *ei);
void wy_store_watch_read(const wy_store_watch *w, wy_store_stamp *out);
void wy_store_watch_close(wy_store_watch *w);
static inline bool wy_store_stamp_eq(const wy_store_stamp *a, const wy_store_stamp *b)
{
	for (int i = 0; i < 12; i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}

/* ---- comments and ratings ----
 * Readers' stars (1-5, one per reader and document, changeable) and
 * comments with replies one level deep (sqlite_comments.c). Each follows
 * its document's access rule, checked in the statement or transaction
 * that reads or writes (the rule of store/rules.h's SQ_SEEN_BY, plus
 * admin): whoever may not see the document gets WY_ENOTFOUND, as for the
 * document itself, and never reads, counts, posts or rates. A viewer is
 * an account id (0: a visitor) and whether it is an admin's. */

typedef enum wy_comment_state {
	WY_COMMENT_PUBLISHED = 0,
	WY_COMMENT_PENDING = 1,  /* held for an admin's review (comment_review) */
	WY_COMMENT_HIDDEN = 2,   /* hidden by an admin */
} wy_comment_state;

const char *wy_comment_state_name(int state); /* "published" "pending" "hidden" */

typedef struct wy_comment {
	int64_t id, doc_id, user_id;
	int64_t parent_id;       /* the top comment it replies to, or 0 */
	int64_t at;              /* created, seconds since the epoch */
	char *user_name;
	char *text;
	int state;               /* wy_comment_state */
	bool by_uploader;        /* written by the document's owner */
	int nreplies;            /* a top comment's replies that follow it in a list */
} wy_comment;

typedef struct wy_comment_list {
	wy_comment *items;
	int n;
} wy_comment_list;

void wy_comment_list_clear(wy_comment_list *l);

#define WY_COMMENT_REPLIES 100 /* replies a list shows under a top comment, the oldest */

/* Set user's stars (1-5) for doc_id, replacing any earlier ones, and the
 * document's average and count (documents.rating_sum, rating_n) in the
 * same transaction; *avg and *n are the document's after it. WY_EINVAL
 * (stars out of range), WY_ENOTFOUND (no document user may see, or a
 * deleted one), WY_EPERM (user's own document: an uploader does not rate
 * their own upload). */
int wy_store_rating_set(wy_store *st, int64_t user, bool admin, int64_t doc_id, int stars, double *avg, int64_t *n,
			wy_errinfo *ei);
/* user's stars for doc_id (0: none). */
int wy_store_rating_get(wy_store *st, int64_t user, int64_t doc_id, int *stars, wy_errinfo *ei);

/* What a new comment is held to: at most per_hour comments by one
 * account in any hour (0: no limit), and review (held as pending until
 * an admin approves; an admin's own comments are published). The site
 * settings comments_per_hour and comment_review an admin saved
 * (wy_store_setting_set) override these, read in the transaction, so
 * every process applies the same rule. */
typedef struct wy_comment_rule {
	int per_hour;
	bool review;
} wy_comment_rule;

/* Add user's comment on doc_id (text: valid UTF-8, not empty; the caller
 * caps its length), a reply when parent is not 0: to parent's top
 * comment when parent is itself a reply (replies are one level deep).
 * One transaction: WY_ENOTFOUND (no document user may see, a deleted
 * one, or parent not a comment of it that user may see), WY_ETOOBIG (the
 * hourly limit reached: nothing added). *id and *state the new
 * comment's. */
int wy_store_comment_add(wy_store *st, int64_t user, bool admin, int64_t doc_id, int64_t parent, const char *text,
			 const wy_comment_rule *rule, int64_t *id, int *state, wy_errinfo *ei);
/* One comment as viewer may see it (WY_ENOTFOUND otherwise, or when its
 * document is one viewer may not see). */
int wy_store_comment_get(wy_store *st, int64_t viewer, bool admin, int64_t id, wy_comment *out, wy_errinfo *ei);
void wy_comment_clear(wy_comment *c);
/* doc_id's comments viewer may see, one page: the top comments newest
 * first (offset, limit), each followed by its replies oldest first
 * (nreplies of them, at most WY_COMMENT_REPLIES). Published ones, and viewer's own pending ones;
 * admins see all. *total: top comments viewer may see; *all: comments
 * viewer may see, replies too (either may be NULL). */
int wy_store_comment_list(wy_store *st, int64_t viewer, bool admin, int64_t doc_id, int offset, int limit,
			  wy_comment_list *out, int *total, int *all, wy_errinfo *ei);
/* Delete comment id (and its replies) as user: their own, or any when
 * admin; its open reports are closed. WY_ENOTFOUND (none user may delete).
 * *doc_id: its document. */
int wy_store_comment_delete(wy_store *st, int64_t user, bool admin, int64_t id, int64_t *doc_id, wy_errinfo *ei);
/* An admin's move: a comment's state (publish a pending or hidden one,
 * hide one); hiding closes its open reports. WY_ENOTFOUND. */
int wy_store_comment_set_state(wy_store *st, int64_t id, wy_comment_state state, int64_t *doc_id, wy_errinfo *ei);
/* Close comment id's open reports (an admin dismissed them). */
int wy_store_comment_reports_close(wy_store *st, int64_t id, wy_errinfo *ei);
/* Report comment id as user (reason, detail as wy_store_report_add):
 * WY_ENOTFOUND unless user may see it and its document; WY_EEXIST (with
 * *id the open report user made of it before: one each); WY_ETOOBIG past
 * the hourly limit of reports of comments (docs/api.md). */
int wy_store_comment_report(wy_store *st, int64_t user, bool admin, int64_t comment_id, const char *reason,
			    const char *detail, int64_t *id, wy_errinfo *ei);
/* Comments waiting for review, oldest first, for admins (doc_title in
 * user_name's stead is not given: see wy_comment.doc_id). */
int wy_store_comment_pending(wy_store *st, int offset, int limit, wy_comment_list *out, int *total,
			     wy_errinfo *ei);

/* ---- collections (专辑) ----
 * A user's named, ordered lists of documents (sqlite_collections.c), public
 * or private, that others may favorite. Whoever reads a collection sees
 * only the documents they may see themselves (the rule of SQ_SEEN_BY:
 * public ones, their own, all of them for an admin): another's private,
 * hidden, pending, deleted or unconverted document in a public collection
 * is neither listed nor counted for them, and the cover is the thumbnail
 * of the first document the reader may see. A private collection is its
 * owner's and the admins' alone (WY_ENOTFOUND for anyone else). Positions
 * run 1..n, without gaps, in every collection. */

#define WY_COLLECTION_NAME_MAX 60   /* characters of a name (at least one that is not white space) */
#define WY_COLLECTION_DESC_MAX 1000 /* characters of a description */
#define WY_COLLECTION_ITEMS_MAX 200 /* documents in one collection */
#define WY_COLLECTIONS_MAX 50       /* collections of one account */

typedef struct wy_collection {
	int64_t id, owner_id;
	char *owner;             /* the owner's account name (for display: masked to others) */
	char *name, *description;
	bool public_;
	int64_t created_at, updated_at;
	int items;               /* documents the reader may see in it */
	int64_t favorites;       /* accounts that favorited it */
	bool faved;              /* the reader is one of them */
	bool has_doc;            /* wy_collection_filter.contains is in it (any reader) */
	char cover_sha256[65];   /* the thumbnail of the first document the reader may see; "" */
} wy_collection;

typedef struct wy_collection_list {
	wy_collection *items;
	int n;
} wy_collection_list;

void wy_collection_clear(wy_collection *c);
void wy_collection_list_clear(wy_collection_list *l);

/* Whether a name (1..WY_COLLECTION_NAME_MAX characters of valid UTF-8 with
 * no control character, not all white space) / a description (at most
 * WY_COLLECTION_DESC_MAX characters of valid UTF-8; line breaks and tabs
 * are the only controls) may be stored. NULL is not valid. */
bool wy_collection_name_valid(const char *name);
bool wy_collection_desc_valid(const char *description);

/* Create a collection of owner's. WY_EINVAL (a name or description the
 * checks above refuse), WY_ETOOBIG (the owner has WY_COLLECTIONS_MAX
 * already; counted in the transaction). */
int wy_store_collection_add(wy_store *st, int64_t owner, const char *name, const char *description, bool public_,
			    int64_t *id, wy_errinfo *ei);

/* A collection as reader (account id, 0: a visitor; admin: an admin's
 * rights) sees it: WY_ENOTFOUND when there is none, or it is private and
 * reader is neither its owner nor an admin. */
int wy_store_collection_get(wy_store *st, int64_t id, int64_t reader, bool admin, wy_collection *out,
			    wy_errinfo *ei);

/* Change a collection: name, description (NULL: as they are), public (-1:
 * as it is). WY_EINVAL, WY_ENOTFOUND. The caller checked who asks. */
int wy_store_collection_edit(wy_store *st, int64_t id, const char *name, const char *description, int public_,
			     wy_errinfo *ei);
/* Delete a collection, its items and the favorites of it. WY_ENOTFOUND. */
int wy_store_collection_delete(wy_store *st, int64_t id, wy_errinfo *ei);

/* The documents of collection id that reader may see (see above), in
 * their order, at most WY_COLLECTION_ITEMS_MAX; positions[i] (an array of
 * WY_COLLECTION_ITEMS_MAX) gets the position of out->items[i] among all
 * the collection's items (a hidden one keeps its place). */
int wy_store_collection_docs(wy_store *st, int64_t id, int64_t reader, bool admin, wy_doc_list *out, int *positions,
			     wy_errinfo *ei);

/* Add doc to the end of collection id (*position: its place), for the
 * collection's owner, who must be able to see it (SQ_SEEN_BY, checked in
 * the transaction): WY_ENOTFOUND (no such collection, or a document the
 * owner may not see), WY_EEXIST (in it already: a document is at most
 * once in a collection), WY_ETOOBIG (WY_COLLECTION_ITEMS_MAX items). */
int wy_store_collection_item_add(wy_store *st, int64_t id, int64_t doc, int *position, wy_errinfo *ei);
/* Remove doc from collection id; the items after it move up. WY_ENOTFOUND. */
int wy_store_collection_item_remove(wy_store *st, int64_t id, int64_t doc, wy_errinfo *ei);
/* Move doc to position to (1..n of the collection's n items), the items
 * between shifting by one, in one transaction. WY_ENOTFOUND (not in it),
 * WY_EINVAL (to out of range). */
int wy_store_collection_item_move(wy_store *st, int64_t id, int64_t doc, int to, wy_errinfo *ei);

/* Favorite collection id (on) or not, for user; *count: how many accounts
 * have it now. The count is kept with the row, in one transaction. The
 * caller checked that user may see it. WY_ENOTFOUND. */
int wy_store_collection_favorite(wy_store *st, int64_t user, int64_t id, bool on, int64_t *count, wy_errinfo *ei);

typedef enum wy_collection_sort { WY_COLL_NEWEST = 0, WY_COLL_FAVORITES } wy_collection_sort;

typedef struct wy_collection_filter {
	int64_t reader;          /* who reads the list (0: a visitor) */
	bool admin;              /* the reader has an admin's rights */
	int64_t owner;           /* only this account's (0: anyone's) */
	int64_t favorited_by;    /* only those this account favorited (0: no such filter) */
	bool public_only;        /* only public ones (the reader's own private ones too otherwise) */
	int64_t contains;        /* set has_doc for this document (0: none) */
	wy_collection_sort sort; /* newest first (by creation), or most favorited first */
} wy_collection_filter;

/* The collections f selects that its reader may see (public ones, the
 * reader's own, all for an admin), at most limit from offset, and how
 * many there are in all. */
int wy_store_collection_list(wy_store *st, const wy_collection_filter *f, int offset, int limit,
			     wy_collection_list *out, int *total, wy_errinfo *ei);

/* ---- import ---- */

/* The first document (lowest id) whose original is the object sha256 and
 * that is in the library: public (SQ_PUBLIC: readers see it), or made by
 * an import or `wenyuan add` (no owner; any status, not deleted). An
 * account's private, pending or deleted upload does not count.
 * WY_ENOTFOUND when there is none (`wenyuan import` skips a file whose
 * bytes are there). */
int wy_store_doc_of_sha256(wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei);

/* ---- the recycle bin, purges and freeing blobs (sqlite_recycle.c) ----
 * An owner deletes a document to the recycle bin (state deleted) and may
 * restore it: it comes back in the state it had (published or pending).
 * What an admin deleted, or had hidden before its owner deleted it, only an
 * admin restores. An admin purges a document in the bin: its rows go (every
 * table that refers to documents does so ON DELETE CASCADE), an audit row
 * says so, and its blobs are freed once nothing refers to them; so do the
 * documents kept there past the setting recycle_days. Deleting and
 * restoring apply the upload points rule in their transaction; a purge
 * changes no balance. */

/* To the bin: by the owner (by = its account) or an admin (admin true;
 * by = the admin). WY_ENOTFOUND when there is no such document or it is
 * not by's own. Deleting a deleted one is a no-op (its time stays). */
int wy_store_doc_delete(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei);
/* Out of the bin, to the state it had. An admin's restore of a hidden or
 * pending document publishes it (and of a published one does nothing).
 * The owner's: WY_EINVAL when it is not in the bin, WY_EPERM when an admin
 * removed it (deleted it, or hid it before), WY_ENOTFOUND when not theirs. */
int wy_store_doc_restore(wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei);

typedef struct wy_recycled {
	wy_doc doc;
	int64_t deleted_at;
	bool by_owner;           /* its owner deleted it (else an admin) */
	bool restorable;         /* its owner may restore it */
} wy_recycled;

typedef struct wy_recycle_list {
	wy_recycled *items;
	int n;
} wy_recycle_list;

void wy_recycle_list_clear(wy_recycle_list *l);

/* The deleted documents of owner (0: everyone's), last deleted first. */
int wy_store_recycle_list(wy_store *st, int64_t owner, int offset, int limit, wy_recycle_list *out, int *total,
			  wy_errinfo *ei);
/* The deleted documents deleted before the time before, at most limit;
 * *ids is malloc'd. */
int wy_store_recycle_expired(wy_store *st, int64_t before, int limit, int64_t **ids, int *n, wy_errinfo *ei);
/* Purge a document in the bin (WY_EINVAL when it is not there,
 * WY_ENOTFOUND), in one transaction with its audit row (admin_id: 0 for the
 * automatic purge; detail may be NULL). blobs gets the names it referred to
 * (original, thumbnail, page images), for the collector (jobs/collect.h):
 * they are freed once nothing refers to them. */
int wy_store_doc_purge(wy_store *st, int64_t doc_id, int64_t admin_id, const char *detail, wy_str_list *blobs,
		       wy_errinfo *ei);
/* The last word on freeing blobs: in one write transaction, for each of
 * shas[0..n) that nothing refers to, drop(ctx, sha, older_than) removes it
 * unless it was written (or stored again) at or after older_than (a time
 * in seconds; the store lowers it to before the oldest running job, whose
 * conversion writes blobs before it publishes them) and returns 1 when it
 * removed it, 0 when it kept it, < 0 on failure. No document can come to
 * refer to a blob between the answer and its removal. *dropped: removed. */
int wy_store_blobs_drop(wy_store *st, char *const *shas, int n, int64_t older_than,
			int (*drop)(void *ctx, const char *sha, int64_t older_than), void *ctx, int *dropped,
			wy_errinfo *ei);

/* ---- editing a document and replacing its original ----
 * An owner's changes to a document (sqlite_edit.c), and a new version of
 * its original: converted as a row of its own (state WY_STATE_VERSION,
 * seen by nobody but admins) while the document keeps its pages, text,
 * search rows and status; the end of that conversion (wy_store_job_finish)
 * swaps it into the document in the same transaction, keeping the
 * document's id, counts, favorites, downloads and everything readers
 * attached to it. docs/internals/jobs.md, "A new version". */

/* What an edit changes: NULL (or -1) leaves a field as it is. */
typedef struct wy_doc_edit {
	const char *title;       /* non-empty; the user's from now on */
	const char *description; /* "" clears it */
	const char *category;    /* an existing category's path; "" none */
	const char *tags;        /* comma-separated; "" none */
	int64_t price;           /* 0..; -1: unchanged */
	int private_;            /* 0 or 1; -1: unchanged */
	/* the site reviews uploads (upload_review) and the editor is not an
	 * admin: a published document whose title, description or tags change,
	 * or a private one that becomes public, waits for an admin (pending),
	 * as its upload would */
	bool review;
} wy_doc_edit;

/* Apply e to doc_id in one transaction: the search index follows a new
 * title (its title rows and pinyin), privacy applies the upload points
 * rule. WY_ENOTFOUND (no such document, or a new version's row),
 * WY_EINVAL (no such category), WY_EPERM (a price raised after someone
 * paid for a download of it: lowering is allowed). */
int wy_store_doc_edit(wy_store *st, int64_t doc_id, const wy_doc_edit *e, wy_errinfo *ei);

/* Queue a new version of doc_id's original: in->sha256, size, filename and
 * request_id (the other fields are the document's); in->state
 * WY_STATE_PENDING when the site reviews uploads and the uploader is no
 * admin: a published document goes back to review when it is swapped in. A pending version
 * (converting, or failed) is replaced by this one. The document must be
 * ready or failed (WY_EINVAL while its own conversion runs); WY_ENOTFOUND.
 * *version_id: the new version's row. */
int wy_store_doc_replace(wy_store *st, int64_t doc_id, const wy_doc_new *in, int64_t *version_id, wy_errinfo *ei);

/* A document's pending new version, if any (WY_ENOTFOUND: none): its row,
 * status (queued, converting, readable: converting; failed, with its
 * reason) and progress. */
typedef struct wy_doc_version {
	int64_t id;
	wy_doc_status status;
	char *reason;
	char *filename;
	int progress_done, progress_total;
	int64_t created_at;
} wy_doc_version;

void wy_doc_version_clear(wy_doc_version *v);
int wy_store_doc_version(wy_store *st, int64_t doc_id, wy_doc_version *out, wy_errinfo *ei);

/* ---- articles and site links ----
 * Articles (sqlite_articles.c): Markdown an admin writes (notices, help,
 * about us, and the legal pages: user agreement, privacy policy,
 * disclaimer, which migration 18 writes with a default text), each at
 * /article/{slug}. Visitors read an article only when it is published
 * (state 1) and its publishing time has come (SQ_ARTICLE_PUBLIC in
 * store/rules.h); admins read all. The Markdown is stored as written: the
 * web renders it (convert/markdown.h, raw HTML never passes).
 * Site links: the header's navigation, the home page's banners and the
 * footer's friend links, in position order; every URL http(s) or a path
 * on this site (wy_site_link_url_valid). */

#define WY_ARTICLE_SLUG_MAX 64         /* bytes of [a-z0-9-] */
#define WY_ARTICLE_TITLE_MAX 120       /* characters */
#define WY_ARTICLE_BODY_MAX (60 << 10) /* bytes of Markdown: within a form's 64 KiB (WEB_FORM_BYTES) */
#define WY_ARTICLES_MAX 10000          /* articles a site holds, at most */

typedef struct wy_article {
	int64_t id;
	char *slug, *title, *kind, *body_md; /* kind: notice, help, about, legal */
	int state;                          /* 0 draft, 1 published */
	int64_t published_at, created_at, updated_at;
} wy_article;

typedef struct wy_article_list {
	wy_article *items;
	int n;
} wy_article_list;

void wy_article_clear(wy_article *a);
void wy_article_list_clear(wy_article_list *l);
/* A slug: 1..WY_ARTICLE_SLUG_MAX of a-z, 0-9 and '-', neither first nor
 * last a '-'. */
bool wy_article_slug_valid(const char *slug);
/* The kinds an article may have (NULL-terminated): notice, help, about,
 * legal. */
extern const char *const wy_article_kinds[];
/* Whether slug is one of the legal pages (terms, privacy, disclaimer):
 * they exist from the start and are never deleted nor renamed. */
bool wy_article_is_legal(const char *slug);
/* The article named slug; admin: also a draft or one published later,
 * else WY_ENOTFOUND for those as for none (now: the time to judge by). */
int wy_store_article_get(wy_store *st, const char *slug, bool admin, int64_t now, wy_article *out, wy_errinfo *ei);
/* Articles newest first (by published_at, then id), of kind (NULL: any);
 * admin: all, else those visitors may read at now. *total: how many
 * match. body_md is not read (NULL). */
int wy_store_article_list(wy_store *st, const char *kind, bool admin, int64_t now, int offset, int limit,
			  wy_article_list *out, int *total, wy_errinfo *ei);
/* Write a: a new article when a->id is 0 (its id in *id), else the
 * article a->id (WY_ENOTFOUND). Checked: slug (WY_EINVAL; WY_EEXIST when
 * another has it; a legal page keeps its own), title 1..
 * WY_ARTICLE_TITLE_MAX characters of valid UTF-8, kind one of
 * wy_article_kinds, body at most WY_ARTICLE_BODY_MAX bytes of UTF-8,
 * state 0 or 1, published_at > 0. updated_at is now. */
int wy_store_article_put(wy_store *st, const wy_article *a, int64_t *id, wy_errinfo *ei);
/* Delete article id (WY_ENOTFOUND; WY_EPERM for a legal page). */
int wy_store_article_delete(wy_store *st, int64_t id, wy_errinfo *ei);

typedef enum wy_link_kind { WY_LINK_NAV = 0, WY_LINK_BANNER = 1, WY_LINK_FRIEND = 2, WY_LINK_NKINDS } wy_link_kind;
#define WY_LINK_TITLE_MAX 60 /* characters */
#define WY_LINK_URL_MAX 500  /* bytes */
#define WY_LINKS_MAX 100     /* links of one kind, at most */

typedef struct wy_site_link {
	int64_t id;
	int kind;          /* wy_link_kind */
	char *title, *url; /* url: where it leads */
	char *image;       /* a banner's picture ("" for the others) */
	int position;      /* the order within its kind, then id */
} wy_site_link;

typedef struct wy_site_link_list {
	wy_site_link *items;
	int n;
} wy_site_link_list;

void wy_site_link_list_clear(wy_site_link_list *l);
/* A link's URL: http:// or https:// with a host, or a path on this site
 * ("/..." but not "//..."); no control byte, space, quote, '<', '>' or
 * backslash; at most WY_LINK_URL_MAX bytes. image: a picture's URL, which
 * must be https or a path on this site (the page loads it). */
bool wy_site_link_url_valid(const char *url, bool image);
/* The links of kind (-1: all), by kind, position and id. */
int wy_store_link_list(wy_store *st, int kind, wy_site_link_list *out, wy_errinfo *ei);
/* Write l: a new link when l->id is 0 (*id), else link l->id
 * (WY_ENOTFOUND). WY_EINVAL with a reason for a bad kind, title, URL or
 * image (a banner needs one; others take none); WY_ETOOBIG past
 * WY_LINKS_MAX of a kind. */
int wy_store_link_put(wy_store *st, const wy_site_link *l, int64_t *id, wy_errinfo *ei);
int wy_store_link_delete(wy_store *st, int64_t id, wy_errinfo *ei);
/* ---- captchas (sqlite_captcha.c, migration 19) ---- */

#define WY_CAPTCHA_ID 32   /* an id: 32 lowercase hex digits */
#define WY_CAPTCHA_HASH 32 /* the answer's and the token's SHA-256 */

/* Keep a captcha drawn for form (a number the web layer gives its forms)
 * under id (a random WY_CAPTCHA_ID hex digits, NUL-terminated): the hash
 * of its answer and of the form token it is bound to, its image (size
 * bytes, copied) and when it expires. Captchas expired before now are
 * deleted in the same transaction, so the table holds only live ones and
 * the last few moments' used ones. WY_EEXIST when id is taken. */
int wy_store_captcha_add(wy_store *st, const char *id, const unsigned char answer_hash[WY_CAPTCHA_HASH],
			 const unsigned char token_hash[WY_CAPTCHA_HASH], int form, const void *image, size_t size,
			 int64_t expires_at, int64_t now, wy_errinfo *ei);

/* The image of captcha id while it may be answered (not used, not past
 * expires_at at now): malloc'd into *image (the caller frees it), its
 * size in *size. WY_ENOTFOUND otherwise. */
int wy_store_captcha_image(wy_store *st, const char *id, int64_t now, void **image, size_t *size, wy_errinfo *ei);

/* Use captcha id: when it may be answered, it is marked used (whatever
 * the answer turns out to be: one try per captcha) and its answer's
 * hash, its token's hash and its form are given. WY_ENOTFOUND when there
 * is no such captcha, it was used, or it expired. Two processes taking
 * the same captcha at once: one gets it. */
int wy_store_captcha_take(wy_store *st, const char *id, int64_t now, unsigned char answer_hash[WY_CAPTCHA_HASH],
			  unsigned char token_hash[WY_CAPTCHA_HASH], int *form, wy_errinfo *ei);
/* ---- the admins' dashboard (sqlite_dash.c) ---- */

/* Documents by conversion status (indexed by wy_doc_status) and by state
 * (indexed by wy_doc_state: published, pending, hidden, deleted, version). */
#define WY_DOC_NSTATES 5
typedef struct wy_dash_docs {
	int64_t status[WY_DOC_NSTATUS];
	int64_t state[WY_DOC_NSTATES];
} wy_dash_docs;
int wy_store_dash_docs(wy_store *st, wy_dash_docs *out, wy_errinfo *ei);

/* Every failed document (status failed) that is not in the recycle bin,
 * by id, with its reason as the converter wrote it (may be NULL), through
 * cb. The web groups them by reason code (web/reasons.h). */
int wy_store_failed_each(wy_store *st, void (*cb)(void *ctx, int64_t id, const char *reason), void *ctx,
			 wy_errinfo *ei);

/* Counts per day for n days from day `from` (days are China's: (t + 8 h) /
 * 86400, as sign-ins count them), into out[0..n): */
typedef enum wy_dash_series {
	WY_DASH_USERS,     /* accounts made (users.created_at) */
	WY_DASH_UPLOADS,   /* documents added, uploads and imports (created_at; a
			    * new version's row is no new document) */
	WY_DASH_DOWNLOADS, /* every download, guests' too (download_log, which
			    * the download limits count) */
	WY_DASH_SEARCHES,  /* searches made on the site (search_days, counted
			    * as the query log is written) */
} wy_dash_series;
int wy_store_dash_daily(wy_store *st, wy_dash_series what, int64_t from, int n, int64_t *out, wy_errinfo *ei);


/* Conversions that ended (jobs of ocr_from 0, done or failed, by the hour
 * of their end: t / 3600) for n hours from hour `from`: ready[i] and
 * failed[i]. */
int wy_store_dash_hourly(wy_store *st, int64_t from, int n, int64_t *ready, int64_t *failed, wy_errinfo *ei);

/* The latest conversion that ended of a document whose format is one of
 * formats (NULL-terminated; ocr: recognition batches instead, formats
 * ignored): *at its end (0: none), *ok whether it ended done, *doc_id its
 * document; *reason (malloc'd, may be NULL) the document's reason when it
 * failed. */
int wy_store_dash_last_job(wy_store *st, const char *const *formats, bool ocr, int64_t *at, bool *ok,
			   int64_t *doc_id, char **reason, wy_errinfo *ei);
/* The room the store takes, in bytes: *bytes the database itself (SQLite:
 * its file; PostgreSQL: pg_database_size of the store's database),
 * *log_bytes what it keeps besides until a checkpoint (SQLite: its -wal
 * and -shm files; PostgreSQL: 0, its write-ahead log is the server's,
 * shared by every database of the cluster). */
int wy_store_size(wy_store *st, int64_t *bytes, int64_t *log_bytes, wy_errinfo *ei);
/* ---- the sitemap (sqlite_sitemap.c) ----
 * Documents and collections cut into parts of width ids (part k: ids
 * [k*width, (k+1)*width), so at most width URLs), each with a generation
 * that grows at every change that can change its list (a row added or
 * removed, made visible to visitors or not, its updated_at moved: kept
 * by triggers), how many of its rows a visitor may see (SQ_PUBLIC_OF for
 * documents, public collections), and when it last changed. A width other
 * than the one the store counted for makes it count again first (one
 * pass, once, in a write transaction) under a new epoch. */
typedef enum wy_sitemap_kind { WY_SITEMAP_DOCS = 0, WY_SITEMAP_COLLECTIONS = 1 } wy_sitemap_kind;
typedef struct wy_sitemap_part {
	int kind;            /* wy_sitemap_kind */
	int64_t part;        /* ids [part*width, (part+1)*width) */
	int64_t gen;         /* grows at every change of the part's list */
	int64_t listed;      /* rows a visitor may see */
	int64_t changed_at;  /* unix time of the last change */
} wy_sitemap_part;
typedef struct wy_sitemap_url {
	int64_t id, lastmod; /* lastmod: the row's updated_at */
} wy_sitemap_url;
/* The parts that hold something a visitor may see, by kind then part
 * (*out malloc'd, n of them), and the epoch they are counted under. */
int wy_store_sitemap_parts(wy_store *st, int width, wy_sitemap_part **out, int *n, int64_t *epoch, wy_errinfo *ei);
/* One part's epoch, generation and visible rows (0, 0 when it has none),
 * without reading its rows: what a cache of parts checks. */
int wy_store_sitemap_gen(wy_store *st, int kind, int64_t part, int width, int64_t *epoch, int64_t *gen, int64_t *listed,
			 wy_errinfo *ei);
/* The rows of one part a visitor may see, by id (*out malloc'd, at most
 * width), with the epoch and generation they are of (one snapshot). */
int wy_store_sitemap_urls(wy_store *st, int kind, int64_t part, int width, wy_sitemap_url **out, int *n, int64_t *epoch,
			  int64_t *gen, wy_errinfo *ei);
/* Every category's path, ordered by path. */
int wy_store_sitemap_categories(wy_store *st, wy_str_list *out, wy_errinfo *ei);
/* ---- download limits and user groups (sqlite_limits.c) ---- */

/* What an account may do, from its group (admins: everything, no size
 * cap). upload_mb 0: the site's max_upload_mb. */
typedef struct wy_perms {
	int64_t group_id;
	bool can_upload, can_comment, skip_review, free_download;
	int64_t upload_mb;
} wy_perms;

/* user_id's rights: its group's (a user without one, as after a store
 * older than groups: the default group's), or all of them for an admin.
 * WY_ENOTFOUND: no such user (out says nothing may be done). The one
 * place uploads, comments, reviews and downloads ask. */
int wy_user_perms(wy_store *st, int64_t user_id, wy_perms *out, wy_errinfo *ei);

/* A group and how many accounts are in it. */
typedef struct wy_group {
	int64_t id;
	char *name;
	bool can_upload, can_comment, skip_review, free_download, is_default;
	int64_t upload_mb;       /* 0: the site's max_upload_mb */
	int64_t members;
} wy_group;

typedef struct wy_group_list {
	wy_group *items;
	int n;
} wy_group_list;

void wy_group_list_clear(wy_group_list *l);
/* Every group, by id. */
int wy_store_groups(wy_store *st, wy_group_list *out, wy_errinfo *ei);
/* Add a group (g->id 0; its id in *id) or change one (g->id; *id the
 * same): name 1..64 bytes of UTF-8, unique (WY_EEXIST), upload_mb 0 to
 * 1048576 (WY_EINVAL); is_default is not changed here
 * (wy_store_group_set_default). WY_ENOTFOUND: no such group. */
int wy_store_group_save(wy_store *st, const wy_group *g, int64_t *id, wy_errinfo *ei);
/* Delete a group; its members move to the default group, in the same
 * transaction. WY_EPERM: it is the default group; WY_ENOTFOUND. */
int wy_store_group_delete(wy_store *st, int64_t id, wy_errinfo *ei);
/* Make a group the default one (the one new accounts join). WY_ENOTFOUND. */
int wy_store_group_set_default(wy_store *st, int64_t id, wy_errinfo *ei);
/* Move an account to a group. WY_ENOTFOUND: no such user or group. */
int wy_store_user_set_group(wy_store *st, int64_t user_id, int64_t group_id, wy_errinfo *ei);

/* A download about to start: who (user_id 0: a visitor), from which
 * address (the key the per-address limit counts), what, whether its price
 * is charged (wy_store_download's charge), whether it counts at all
 * (false: an admin's), and this process's limits per 24 hours (0: none;
 * the values an admin saved in the store win, so every serve process
 * applies the same). */
typedef struct wy_download_start {
	int64_t user_id;
	const char *ip;
	int64_t doc_id;
	bool charge, counted;
	int64_t per_user_day, per_ip_day;
	int64_t repeat_seconds; /* a link's life: a repeat within it is the same download */
} wy_download_start;

/* Start a download, in one transaction: the downloads of the last 24
 * hours of the account and of the address are counted against the limits
 * (WY_ETOOBIG when one is reached: nothing paid or recorded, *retry_after
 * the seconds until a download of the window has aged out); then, for an
 * account, wy_store_download's record and payment (its errors); then a
 * row of download_log. A repeat (the same document by the same account,
 * or for a visitor from the same address, within repeat_seconds of its
 * last logged one) is the same download: nothing is counted, paid or
 * logged, and WY_OK. */
int wy_store_download_start(wy_store *st, const wy_download_start *q, int64_t *paid, int64_t *retry_after,
			    wy_errinfo *ei);

/* How long download_log keeps a row: the limits look back 24 hours, the
 * dashboard's plots 30 days (China's days: a day more). */
#define WY_DOWNLOAD_LOG_DAYS 31
/* Delete the rows of download_log from before unix time `before`
 * (the server's maintenance: jobs/collect.h); *removed: how many. */
int wy_store_download_log_prune(wy_store *st, int64_t before, int64_t *removed, wy_errinfo *ei);

/* The secret download links are signed with (32 bytes), kept in the
 * store so every process has the same: the one stored, or fresh (random
 * bytes the caller made) stored now when there is none yet. */
int wy_store_link_key(wy_store *st, const unsigned char fresh[32], unsigned char key[32], wy_errinfo *ei);

/* Attempt limits shared by every process on the store (logins, password
 * changes, registrations, mails and captchas asked for: web/auth.c's
 * web_limit_*; sqlite_limits.c, migration 24). A key (an address, an
 * address with a name ...; at most WY_ATTEMPT_KEY_MAX bytes) counts the
 * attempts of a window that starts at its first counted attempt and lasts
 * the window seconds its take gave; a key at its max is locked until its
 * window ends, and a lock is never forgotten for other keys (no table to
 * fill: rows go once their window has ended).
 *
 * wy_store_attempt_take counts one attempt on each of keys[0..n) when
 * every one is under its max, in one transaction, and sets *ok; else
 * counts nothing, *ok false and *retry_after the seconds until the
 * longest of their locks ends. Attempts at once, from any processes,
 * never pass a limit between them. wy_store_attempt_give takes back one
 * counted attempt of a key's live window (one never checked, or that
 * succeeded); wy_store_attempt_clear forgets a key's attempts;
 * wy_store_attempt_count: the attempts of a key's live window (0 when
 * none). now is the caller's clock (unix seconds). */
#define WY_ATTEMPT_KEYS 4
#define WY_ATTEMPT_KEY_MAX 255
typedef struct wy_attempt_key {
	const char *key;
	int max;
} wy_attempt_key;
int wy_store_attempt_take(wy_store *st, const wy_attempt_key *keys, int n, int64_t window, int64_t now, bool *ok,
			  int64_t *retry_after, wy_errinfo *ei);
int wy_store_attempt_give(wy_store *st, const char *key, int64_t now, wy_errinfo *ei);
int wy_store_attempt_clear(wy_store *st, const char *key, wy_errinfo *ei);
int wy_store_attempt_count(wy_store *st, const char *key, int64_t now, int64_t *n, wy_errinfo *ei);
/* ---- mail: addresses, the queue, mailed links (sqlite_mail.c) ----
 * An account's email address (unique without case) and when it was
 * verified; the queue of mail the serve process sends (jobs/mailer.h:
 * never inside a request); and the single-use links mailed to verify an
 * address or reset a password, of which the store keeps only the SHA-256
 * of the token (WY_TOKEN_HASH bytes), as of sessions. */

/* Whether addr may be a recipient or sender: local@domain, 3-254 bytes
 * of printable ASCII or UTF-8 without spaces, quotes, <, >, (, ), comma,
 * semicolon, backslash or control bytes (so it can never end a header
 * line), one '@', a dot in the domain. */
bool wy_mail_addr_valid(const char *addr);
/* Whether s may be a header's text: no CR, LF or other control byte. */
bool wy_mail_header_safe(const char *s);

/* Queue a mail to `to` (wy_mail_addr_valid) with subject (one line:
 * wy_mail_header_safe, at most 400 bytes) and body (UTF-8 text, at most
 * 64 KiB), due now. WY_EINVAL for an address or subject that could
 * inject a header, WY_ETOOBIG. The sender (jobs/mailer.h) sends it;
 * a server process that queues one wakes its own sender at once
 * (wy_mailer_wake), others within a second. */
int wy_mail_enqueue(wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei);

typedef enum wy_mail_state { WY_MAIL_QUEUED, WY_MAIL_SENDING, WY_MAIL_SENT, WY_MAIL_FAILED } wy_mail_state;
const char *wy_mail_state_name(wy_mail_state s); /* "queued", "sending", "sent", "failed" */

typedef struct wy_mail {
	int64_t id;
	char *to_addr, *subject, *body, *last_error; /* last_error may be NULL */
	wy_mail_state state;
	int tries;
	int64_t next_at, created_at, sent_at;         /* sent_at 0: not sent */
} wy_mail;
void wy_mail_clear(wy_mail *m);

typedef struct wy_mail_list {
	wy_mail *items;
	int n;
	int64_t counts[4]; /* all the queue's mail by wy_mail_state */
} wy_mail_list;
void wy_mail_list_clear(wy_mail_list *l);

/* Claim the mail due first (queued and due, or claimed by a sender whose
 * lease ran out: a process that died sending) for lease seconds: it
 * becomes sending, its tries counted. One transaction, so two senders
 * never claim the same mail. WY_ENOTFOUND: none due. */
int wy_store_mail_claim(wy_store *st, int64_t now, int lease, wy_mail *out, wy_errinfo *ei);
/* The claimed mail id was sent at now. */
int wy_store_mail_sent(wy_store *st, int64_t id, int64_t now, wy_errinfo *ei);
/* Sending mail id failed with error: tried again at retry_at, or given up
 * (failed) when retry_at is 0; the error is kept either way. */
int wy_store_mail_retry(wy_store *st, int64_t id, const char *error, int64_t retry_at, wy_errinfo *ei);
/* When the next mail is due (*at 0: none waits). */
int wy_store_mail_next(wy_store *st, int64_t *at, wy_errinfo *ei);
/* The newest limit mails, and the queue's counts by state. */
int wy_store_mail_list(wy_store *st, int limit, wy_mail_list *out, wy_errinfo *ei);
/* How many mails to `to` (without case) were queued since `since`, in any
 * state: the limit per recipient, shared by every serve process. */
int wy_store_mail_count_to(wy_store *st, const char *to, int64_t since, int64_t *n, wy_errinfo *ei);
/* Periodic maintenance at now: mail sent or failed before now - keep
 * seconds, and links expired or used before now - keep, are deleted (the
 * number of each in *mails and *links, either may be NULL). */
int wy_store_mail_prune(wy_store *st, int64_t now, int64_t keep, int64_t *mails, int64_t *links, wy_errinfo *ei);

/* An account's address (*email NULL when none; the caller frees it) and
 * when it was verified (0: not). WY_ENOTFOUND. */
int wy_store_user_email(wy_store *st, int64_t user_id, char **email, int64_t *verified_at, wy_errinfo *ei);
/* Set (NULL: remove) an account's address. A new address is not verified
 * and the verification links mailed before stop working; the same
 * address (without case) changes nothing. WY_EINVAL (not an address),
 * WY_EEXIST (another account has it verified: an address given but not
 * verified reserves nothing), WY_ENOTFOUND. */
int wy_store_user_email_set(wy_store *st, int64_t user_id, const char *email, wy_errinfo *ei);
/* WY_EEXIST when an account has email verified; WY_OK when free. */
int wy_store_user_email_free(wy_store *st, const char *email, wy_errinfo *ei);
/* The account named who, or whose verified address is who (with an
 * '@'; several accounts may have given it, one alone verified it): its
 * id, its address (may be NULL; the caller frees it) and when that was
 * verified. A banned account is not found. WY_ENOTFOUND. */
int wy_store_user_find_login(wy_store *st, const char *who, int64_t *user_id, char **email, int64_t *verified_at,
			     wy_errinfo *ei);

/* Mailed links: verify an address, reset a password. */
typedef enum wy_mail_link_kind { WY_MAIL_VERIFY, WY_MAIL_RESET } wy_mail_link_kind;
/* Record a link (the SHA-256 of its token) for user_id, sent to email,
 * valid until expires_at. */
int wy_store_mail_link_add(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t user_id, const char *email,
		      int64_t expires_at, wy_errinfo *ei);
/* Whether a link may still be used at now: of kind, unused, unexpired,
 * sent to the account's address of now. *user_id. WY_ENOTFOUND. */
int wy_store_mail_link_check(wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id,
			wy_errinfo *ei);
/* Use a verification link: the account's address is verified at now.
 * One transaction; WY_ENOTFOUND when it may not be used (used, expired,
 * the address changed since), WY_EEXIST when another account verified
 * the address since (the link stays unused). */
int wy_store_mail_link_verify(wy_store *st, const unsigned char *hash, int64_t now, int64_t *user_id, wy_errinfo *ei);
/* Use a reset link: the account's password becomes pass_hash, every
 * reset link of it is used, and every session of it ends but keep (NULL:
 * all). One transaction; WY_ENOTFOUND as wy_store_mail_link_verify. */
int wy_store_mail_link_reset(wy_store *st, const unsigned char *hash, int64_t now, const char *pass_hash,
			const unsigned char *keep, int64_t *user_id, wy_errinfo *ei);


/* ---- every row of a table (wenyuan migrate) ---------------------------
 *
 * A backend-neutral copy of a library's data: the tables that hold it are
 * listed once (store/tables.c), each with the columns its rows are ordered
 * by, parents before the tables that refer to them; the backends read and
 * write their rows as typed cells, whatever SQL they speak. What is
 * derived from those tables (the search index, the sitemap's counts) is
 * not listed: the destination rebuilds it (wy_store_reindex, its own
 * triggers). */
typedef enum wy_cell_type { WY_CELL_NULL, WY_CELL_INT, WY_CELL_REAL, WY_CELL_TEXT, WY_CELL_BYTES } wy_cell_type;
typedef struct wy_cell {
	wy_cell_type type;
	int64_t i;       /* WY_CELL_INT */
	double r;        /* WY_CELL_REAL */
	const char *p;   /* WY_CELL_TEXT (UTF-8, not NUL-terminated) and WY_CELL_BYTES */
	size_t len;
} wy_cell;

/* Whose a table's rows can be at a destination that are not the library's
 * (what migrate may replace there, and on what evidence). */
typedef enum wy_table_rows {
	/* people's and the site's: a row of a destination's that the library
	 * lacks is the destination's own (it has been used, or it is another
	 * library), never replaced */
	WY_ROWS_OWN,
	/* a new store is made with rows here (the default group, categories,
	 * the legal articles): those, unchanged, may be replaced */
	WY_ROWS_DEFAULTS,
	/* the workers' bookkeeping (the queue's turns, their counters),
	 * written only in the transaction that changes a row of jobs: while a
	 * destination's jobs are the library's, so are these */
	WY_ROWS_JOBS,
} wy_table_rows;

typedef struct wy_table_def {
	const char *name;
	const char *const *key; /* the columns that order its rows (its primary key), NULL-terminated */
	bool ids;               /* keyed by an integer "id" the table gives (wy_store_table_seq) */
	wy_table_rows rows;
	/* WY_ROWS_DEFAULTS: the columns a new store fills with the time it
	 * is made (NULL-terminated; NULL: none), left out when its rows are
	 * compared with a new store's */
	const char *const *stamps;
} wy_table_def;

/* The tables of a library, in copy order; n in *count. */
const wy_table_def *wy_store_tables(int *count);
/* The listed table called name, or NULL. */
const wy_table_def *wy_store_table_def(const char *name);
/* Whether a table of either backend is derived (rebuilt, not copied): the
 * search index's, the sitemap's, the backends' own bookkeeping. */
bool wy_store_table_derived(const char *name);

/* The rows of table (a listed one: WY_EINVAL otherwise) in its key's
 * order, through cb with the row's columns' names and cells (both valid
 * during the call only; the same columns, in the same order, for every
 * row): after (NULL: from the first row) the row whose key cells are
 * after[0..nkey), at most limit rows (0: all). A non-zero return of cb
 * stops the walk and is returned. Memory stays flat however many rows. */
int wy_store_table_rows(wy_store *st, const char *table, const wy_cell *after, int limit,
			int (*cb)(void *ctx, int ncols, const char *const *names, const wy_cell *cells), void *ctx,
			wy_errinfo *ei);
/* Insert nrows rows into table in one transaction: cells holds each row's
 * ncols cells in the order of names. Rows keep their ids; a table's id
 * sequence is moved past the largest. A row whose key is taken fails the
 * whole call (nothing written). */
int wy_store_table_put(wy_store *st, const char *table, int ncols, const char *const *names, const wy_cell *cells,
		       int nrows, wy_errinfo *ei);
/* The highest id table (one keyed by "id") has ever given, *last (0:
 * none): more than its largest row's when the largest were deleted, since
 * a document's id is never reused (its links stay its own). */
int wy_store_table_seq(wy_store *st, const char *table, int64_t *last, wy_errinfo *ei);
/* Ids table gives from now on come after last (never moved back). */
int wy_store_table_seq_set(wy_store *st, const char *table, int64_t last, wy_errinfo *ei);
/* Delete every row of table (a destination that held other rows). */
int wy_store_table_clear(wy_store *st, const char *table, wy_errinfo *ei);
/* The names of every table the store holds, sorted. */
int wy_store_table_names(wy_store *st, wy_str_list *out, wy_errinfo *ei);

#endif

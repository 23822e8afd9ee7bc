/* store/sqlite_jobs: the conversion queue of the SQLite backend: claiming
 * a job under a lease (counting the attempt, giving up after
 * max_attempts), its progress, its end (finished, failed, released), and
 * recovering the jobs of workers known to be dead
 * (sqlite_job_expire_dead), which only shortens leases, so a recovered
 * job is treated exactly like one whose lease ran out. Queueing a job
 * stays with the document it converts (sqlite.c). */
#include "core/log.h"
#include "core/util.h"
#include "store/sqlite_int.h"
#include "text/minhash.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite_job_expire_dead(wy_store *st, bool (*dead)(void *ctx, const char *worker), void *ctx, int *expired,
			     wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = WY_OK, total = 0;
	if (expired)
		*expired = 0;
	/* Which workers hold live leases now: a handful of rows, read outside
	 * any write transaction so that asking about processes (the callback)
	 * never holds the store's write lock. */
	if ((rc = sq_prep(st, &s,
		       "SELECT DISTINCT worker FROM jobs WHERE state='running' AND lease_until >= ?1"
		       " AND worker IS NOT NULL",
		       ei)))
		return rc;
	sqlite3_bind_int64(s, 1, wy_now());
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char *w = sq_col_str(s, 0);
		if (!w || !dead(ctx, w)) {
			free(w);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			names = wy_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = w;
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "list job leases");
	sq_done(st, s);
	s = NULL;
	if (rc || n == 0)
		goto out;
	/* The worker name is in the WHERE: a job claimed again since the
	 * SELECT carries its new worker's name and is left alone. */
	if ((rc = sq_begin(st, ei)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((rc = sq_prep(st, &s, "UPDATE jobs SET lease_until=0 WHERE state='running' AND worker=?1", ei)))
			goto fail;
		sq_bind_text(s, 1, names[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(SQ(st)->db, ei, "expire job lease");
			goto fail;
		}
		total += sqlite3_changes(SQ(st)->db);
		sq_done(st, s);
		s = NULL;
	}
	if ((rc = sq_commit(st, ei)))
		goto out;
	if (expired)
		*expired = total;
	goto out;
fail:
	sq_done(st, s);
	sq_rollback(st);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int fail_job(wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei);

int sqlite_job_claim(wy_store *st, const char *worker, int lease_seconds, int max_attempts, wy_job *out,
		       wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int64_t now = wy_now();
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = sq_begin(st, ei)))
		return rc;
	for (;;) {
		if ((rc = sq_prep(st, &s,
			       "SELECT j.id, j.doc_id, j.attempts, d.sha256, d.filename,"
			       " CASE WHEN d.title_user THEN d.title END, j.ocr_from, j.ocr_to, j.request_id, d.status, d.pages"
			       " FROM jobs j JOIN documents d ON d.id = j.doc_id"
			       " WHERE j.state='queued' OR (j.state='running' AND j.lease_until < ?1)"
			       /* Conversions before recognition: a ready scan's next
			        * batch of pages waits for every upload queued. */
			       /* Fair between uploaders: first the jobs of the accounts
			        * with the fewest conversions running; among those, the
			        * account whose turn came longest ago (never: first);
			        * then the oldest job. Found by an attacker: six small
			        * files built to take the whole time limit, from one
			        * account or two, held both slots for minutes while
			        * everyone else's uploads waited behind them. */
			       " ORDER BY j.ocr_from > 0, (SELECT count(*) FROM jobs r JOIN documents rd ON rd.id = r.doc_id"
			       "   WHERE r.state='running' AND r.lease_until >= ?1 AND rd.owner_id IS d.owner_id),"
			       " (SELECT turn FROM queue_turns t WHERE t.owner_id = coalesce(d.owner_id, 0)), j.id"
			       " LIMIT 1",
			       ei)))
			goto fail;
		sqlite3_bind_int64(s, 1, now);
		int step = sqlite3_step(s);
		if (step == SQLITE_DONE) {
			sq_done(st, s);
			/* Keep what was abandoned on the way here. */
			if ((rc = sq_commit(st, ei)))
				goto fail;
			return WY_EEMPTY;
		}
		if (step != SQLITE_ROW) {
			rc = sq_fail(SQ(st)->db, ei, "claim job");
			goto fail;
		}
		out->id = sqlite3_column_int64(s, 0);
		out->doc_id = sqlite3_column_int64(s, 1);
		out->attempt = sqlite3_column_int(s, 2) + 1;
		sq_col_sha(s, 3, out->sha256);
		out->filename = sq_col_str(s, 4);
		out->title = sq_col_str(s, 5);
		out->ocr_from = sqlite3_column_int(s, 6);
		out->ocr_to = sqlite3_column_int(s, 7);
		const char *req = (const char *)sqlite3_column_text(s, 8);
		snprintf(out->request_id, sizeof out->request_id, "%s", req ? req : "");
		/* a conversion that stopped after publishing pages resumes */
		if (!out->ocr_from && sqlite3_column_int(s, 9) == WY_DOC_READABLE)
			out->resume_from = sqlite3_column_int(s, 10);
		sq_done(st, s);
		s = NULL;
		if (out->attempt <= max_attempts)
			break;
		/* Its worker died max_attempts times on this document: stop trying. */
		char reason[160];
		snprintf(reason, sizeof reason, "conversion was interrupted %d times (the converter's worker stopped)",
			 max_attempts);
		if ((rc = fail_job(st, out, NULL, reason, ei)))
			goto fail;
		wy_warn("job.abandon", "job=%lld doc=%lld attempts=%d", (long long)out->id, (long long)out->doc_id,
			max_attempts);
		wy_job_clear(out);
	}
	if ((rc = sq_prep(st, &s,
		       "UPDATE jobs SET state='running', attempts=?2, worker=?3, lease_until=?4, updated_at=?5"
		       " WHERE id=?1",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, out->id);
	sqlite3_bind_int(s, 2, out->attempt);
	sq_bind_text(s, 3, worker);
	sqlite3_bind_int64(s, 4, now + lease_seconds);
	sqlite3_bind_int64(s, 5, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "claim job");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	/* this account's turn: it goes to the back of the round */
	if ((rc = sq_prep(st, &s,
		       "INSERT INTO queue_turns(owner_id, turn)"
		       " SELECT coalesce(owner_id, 0), (SELECT coalesce(max(turn), 0) + 1 FROM queue_turns)"
		       " FROM documents WHERE id = ?1"
		       " ON CONFLICT(owner_id) DO UPDATE SET turn = excluded.turn",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, out->doc_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "take a turn");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	/* a readable document stays readable while it resumes */
	if (!out->ocr_from && !out->resume_from &&
	    (rc = sq_set_doc_status(st, out->doc_id, WY_DOC_CONVERTING, NULL, NULL, ei)))
		goto fail;
	if ((rc = sq_commit(st, ei)))
		goto fail;
	return WY_OK;
fail:
	sq_done(st, s);
	sq_rollback(st);
	wy_job_clear(out);
	return rc;
}

int sqlite_job_progress(wy_store *st, const wy_job *job, int pages_done, int total, int lease_seconds,
			  wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	int64_t job_id = job->id;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sq_prep(st, &s, "UPDATE jobs SET lease_until=?2 WHERE id=?1 AND state='running' AND attempts=?3", ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, job_id);
	sqlite3_bind_int64(s, 2, wy_now() + lease_seconds);
	sqlite3_bind_int(s, 3, job->attempt);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "renew lease");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	if (sqlite3_changes(SQ(st)->db) == 0) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "job %lld was claimed again by another worker", (long long)job_id);
		goto fail;
	}
	if (job->ocr_from) /* its document's progress is its batches' */
		return sq_commit(st, ei);
	if ((rc = sq_prep(st, &s,
		       "UPDATE documents SET progress_done=?2, progress_total=?3"
		       " WHERE id=(SELECT doc_id FROM jobs WHERE id=?1)",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, job_id);
	sqlite3_bind_int(s, 2, pages_done);
	sqlite3_bind_int(s, 3, total);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "progress");
		goto fail;
	}
	sq_done(st, s);
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

/* The job must still be ours: running. A job re-claimed after its lease ran
 * out belongs to another worker now, and this one must not publish. */
static int job_doc_running(wy_store *st, const wy_job *job, int64_t *doc_id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int64_t job_id = job->id;
	int rc = sq_prep(st, &s, "SELECT doc_id FROM jobs WHERE id=?1 AND state='running' AND attempts=?2", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, job_id);
	sqlite3_bind_int(s, 2, job->attempt);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*doc_id = sqlite3_column_int64(s, 0);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "job %lld is not running", (long long)job_id);
	else
		rc = sq_fail(SQ(st)->db, ei, "find job");
	sq_done(st, s);
	return rc;
}

static int set_job_state(wy_store *st, int64_t job_id, const char *state, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "UPDATE jobs SET state=?2, updated_at=?3 WHERE id=?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, job_id);
	sq_bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "update job");
	sq_done(st, s);
	return rc;
}

/* the job's document as ?1, the job as ?2 */
static int job_exec(wy_store *st, const wy_job *job, const char *sql, const char *what, wy_errinfo *ei)
{
	return sq_exec_ints(st, sql, (const int64_t[]){job->doc_id, job->id}, 2, NULL, what, ei);
}

/* sql about one document, ?1 its id */
static int doc_exec(wy_store *st, int64_t doc_id, const char *sql, const char *what, wy_errinfo *ei)
{
	return sq_exec_ints(st, sql, &doc_id, 1, NULL, what, ei);
}

/* A recognition job's pages count as done (recognised or given up): the
 * document's progress, which ends (0 of 0) when every batch has. */
static int count_batch(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "UPDATE documents SET progress_done = progress_done + ?2 WHERE id=?1;", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, job->doc_id);
	sqlite3_bind_int(s, 2, job->ocr_to - job->ocr_from + 1);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "progress");
	sq_done(st, s);
	return rc ? rc
		  : job_exec(st, job,
			     "UPDATE documents SET progress_done=0, progress_total=0"
			     " WHERE id=?1 AND progress_done >= progress_total",
			     "progress", ei);
}

/* Whether a document is readable: some of its pages published by a
 * conversion that has not ended. */
static int doc_readable(wy_store *st, int64_t doc_id, bool *readable, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT status FROM documents WHERE id=?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	*readable = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == WY_DOC_READABLE;
	sq_done(st, s);
	return WY_OK;
}

/* Every page of doc_id and its index rows (removing index rows needs the
 * pages' text: first), inside the caller's transaction. */
static int delete_pages(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int rc = sq_unindex_doc(st, doc_id, ei);
	return rc ? rc : doc_exec(st, doc_id, "DELETE FROM pages WHERE doc_id=?1", "delete pages", ei);
}

/* A readable document's pages, and their index rows, go (inside the
 * caller's transaction): what a conversion that did not end published. */
static int drop_readable_pages(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	bool readable;
	int rc = doc_readable(st, doc_id, &readable, ei);
	if (rc || !readable || (rc = delete_pages(st, doc_id, ei)))
		return rc;
	return doc_exec(st, doc_id, "UPDATE documents SET pages=0 WHERE id=?1", "delete pages", ei);
}

/* A job ends failed, inside the caller's transaction: a conversion fails
 * its document with the reason (a readable one's pages go: a document that
 * ends failed shows no page to anyone); a recognition job fails alone, and
 * its ready document keeps the text it has, the batch counted as done. */
static int fail_job_pages(wy_store *st, const wy_job *job, const char *format, const char *reason, bool keep_pages,
			  wy_errinfo *ei)
{
	int rc = set_job_state(st, job->id, "failed", ei);
	if (!rc && !job->ocr_from && !keep_pages)
		rc = drop_readable_pages(st, job->doc_id, ei);
	if (rc || !job->ocr_from)
		return rc ? rc : sq_set_doc_status(st, job->doc_id, WY_DOC_FAILED, format, reason, ei);
	wy_warn("job.ocr_failed", "job=%lld doc=%lld pages=%d-%d reason=\"%s\"", (long long)job->id,
		(long long)job->doc_id, job->ocr_from, job->ocr_to, reason);
	return count_batch(st, job, ei);
}

static int fail_job(wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei)
{
	return fail_job_pages(st, job, format, reason, false, ei);
}

/* What the job's end adds to the counters (wy_job.counts), inside the
 * caller's transaction. */
static int add_counts(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	if (!job->ncounts)
		return WY_OK;
	int rc = sq_prep(st, &s,
			 "INSERT INTO counters(name, labels, value) VALUES(?1, ?2, ?3)"
			 " ON CONFLICT(name, labels) DO UPDATE SET value = value + excluded.value",
			 ei);
	for (int i = 0; !rc && i < job->ncounts; i++) {
		sq_bind_text(s, 1, job->counts[i].name);
		sq_bind_text(s, 2, job->counts[i].labels ? job->counts[i].labels : "");
		sqlite3_bind_double(s, 3, job->counts[i].add);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "count");
		sqlite3_reset(s);
	}
	if (s)
		sq_done(st, s);
	return rc;
}

int sqlite_counts_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *labels, double value),
			 void *ctx, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT name, labels, value FROM counters ORDER BY name, labels", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		   sqlite3_column_double(s, 2));
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "read counters");
	sq_done(st, s);
	return rc;
}

/* A page's text and boxes as parameters text_at and text_at + 1. */
static void bind_text_boxes(sqlite3_stmt *s, int text_at, const wy_page *p)
{
	sq_bind_text(s, text_at, p->text ? p->text : "");
	if (p->boxes_len)
		sqlite3_bind_blob(s, text_at + 1, p->boxes, (int)p->boxes_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, text_at + 1);
}

/* A result's analysis (keywords, dup_of, minhash) as parameters at, at + 1
 * and at + 2. */
static void bind_analysis(sqlite3_stmt *s, int at, const wy_doc_result *res)
{
	sq_bind_text(s, at, res->keywords && *res->keywords ? res->keywords : NULL);
	if (res->dup_of)
		sqlite3_bind_int64(s, at + 1, res->dup_of);
	else
		sqlite3_bind_null(s, at + 1);
	if (res->minhash)
		sqlite3_bind_blob(s, at + 2, res->minhash, WY_MINHASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, at + 2);
}

/* A recognition job's end (sqlite_job_finish): its pages' new text and
 * boxes, the index of the document made again around them, the analysis of
 * the whole text, the batch counted. */
static int finish_recognition(wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int64_t doc_id;
	int rc;
	for (int i = 0; i < res->npages; i++)
		if (res->pages[i].page_no < job->ocr_from || res->pages[i].page_no > job->ocr_to)
			return wy_err_set(ei, WY_EINVAL, "page %d is not in the batch %d-%d", res->pages[i].page_no,
					  job->ocr_from, job->ocr_to);
	if ((rc = sq_begin(st, ei)))
		return rc;
	/* unindexing needs the old text: first */
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = sq_unindex_doc(st, doc_id, ei)))
		goto fail;
	if ((rc = sq_prep(st, &s, "UPDATE pages SET text=?3, boxes=?4 WHERE doc_id=?1 AND page_no=?2", ei)))
		goto fail;
	for (int i = 0; i < res->npages; i++) {
		const wy_page *p = &res->pages[i];
		sqlite3_bind_int64(s, 1, doc_id);
		sqlite3_bind_int(s, 2, p->page_no);
		bind_text_boxes(s, 3, p);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(SQ(st)->db, ei, "update page");
			goto fail;
		}
		sqlite3_reset(s);
	}
	sq_done(st, s);
	if ((rc = sq_prep(st, &s, "UPDATE documents SET keywords=?2, dup_of=?3, minhash=?4, updated_at=?5 WHERE id=?1",
			  ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	bind_analysis(s, 2, res);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "publish document");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	/* the recognised text may flag it a near-duplicate (dup_of) or give
	 * it the characters it needs: the upload points rule decides again */
	if ((rc = sq_index_doc(st, doc_id, res->minhash, ei)) || (rc = count_batch(st, job, ei)) ||
	    (rc = set_job_state(st, job->id, "done", ei)) || (rc = add_counts(st, job, ei)) ||
	    (rc = sq_upload_points(st, doc_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

/* Insert pages[0..n) of doc_id (inside the caller's transaction). */
static int insert_pages(wy_store *st, int64_t doc_id, const wy_page *pages, int n, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "INSERT INTO pages(doc_id, page_no, text, boxes, image_sha256, width, height)"
			 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			 ei);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < n; i++) {
		const wy_page *p = &pages[i];
		sqlite3_bind_int64(s, 1, doc_id);
		sqlite3_bind_int(s, 2, p->page_no);
		bind_text_boxes(s, 3, p);
		sq_bind_text(s, 5, p->image_sha256);
		sqlite3_bind_int(s, 6, p->width);
		sqlite3_bind_int(s, 7, p->height);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "insert page");
		sqlite3_reset(s);
	}
	sq_done(st, s);
	return rc;
}

/* Pages 1..stored are the document's pages now (stored 0: it has none the
 * conversion published: an earlier conversion's pages go, with their index
 * rows), and whether it is in the index. Inside the caller's transaction. */
static int pages_before(wy_store *st, int64_t doc_id, int stored, bool *indexed, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT d.status, d.pages, d.indexed, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id)"
			 " FROM documents d WHERE d.id=?1",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sq_done(st, s);
		return sq_fail(SQ(st)->db, ei, "read document");
	}
	int status = sqlite3_column_int(s, 0), pages = sqlite3_column_int(s, 1), count = sqlite3_column_int(s, 3);
	*indexed = sqlite3_column_int(s, 2) != 0;
	sq_done(st, s);
	if (stored == 0) {
		/* A retry replaces every page of an earlier conversion, in the
		 * index too (removing index rows needs the old text: first). */
		*indexed = false;
		return delete_pages(st, doc_id, ei);
	}
	if (status != WY_DOC_READABLE || pages != stored || count != stored)
		return wy_err_set(ei, WY_EINVAL, "document %lld holds %d pages (%s), not the %d published",
				  (long long)doc_id, count, wy_doc_status_name((wy_doc_status)status), stored);
	return WY_OK;
}

int sqlite_job_pages(wy_store *st, const wy_job *job, const wy_doc_result *res, int n, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int64_t doc_id;
	bool indexed;
	int rc;
	if (job->ocr_from || n < 1 || res->stored < 0 || res->stored + n > res->npages)
		return wy_err_set(ei, WY_EINVAL, "pages %d-%d of %d cannot be published", res->stored + 1,
				  res->stored + n, res->npages);
	for (int i = 0; i < n; i++)
		if (res->pages[i].page_no != res->stored + i + 1)
			return wy_err_set(ei, WY_EINVAL, "page %d is numbered %d", res->stored + i + 1,
					  res->pages[i].page_no);
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = pages_before(st, doc_id, res->stored, &indexed, ei)) ||
	    (rc = insert_pages(st, doc_id, res->pages, n, ei)))
		goto fail;
	/* the first pages: what the document is, and its title from page 1 */
	if ((rc = sq_prep(st, &s,
		       res->stored == 0
			       ? "UPDATE documents SET status=?2, reason=NULL, format=?3, pages=?4,"
				 " title=CASE WHEN title_user THEN title ELSE ?5 END, author=?6, thumb_sha256=?7,"
				 " progress_done=?4, progress_total=?9, updated_at=?8 WHERE id=?1"
			       : "UPDATE documents SET status=?2, pages=?4, progress_done=?4, progress_total=?9,"
				 " updated_at=?8 WHERE id=?1",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, WY_DOC_READABLE);
	sqlite3_bind_int(s, 4, res->stored + n);
	sqlite3_bind_int64(s, 8, wy_now());
	sqlite3_bind_int(s, 9, res->npages);
	if (res->stored == 0) {
		sq_bind_text(s, 3, res->format);
		sq_bind_text(s, 5, res->title);
		sq_bind_text(s, 6, res->author);
		sq_bind_text(s, 7, res->thumb_sha256);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "publish pages");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	/* searchable as they land: the whole document the first time (its
	 * title too), then the new pages */
	if ((rc = indexed ? sq_index_pages(st, doc_id, res->stored + 1, ei) : sq_index_doc(st, doc_id, NULL, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

int sqlite_job_requeue(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	int64_t doc_id;
	int rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) ||
	    (rc = job_exec(st, job,
			   "UPDATE jobs SET state='queued', worker=NULL, lease_until=0, updated_at=CAST(strftime('%s','now') AS INTEGER)"
			   " WHERE id=?2",
			   "requeue job", ei))) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

int sqlite_job_finish(wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei)
{
	int64_t job_id = job->id;
	sqlite3_stmt *s = NULL;
	int64_t doc_id;
	bool indexed;
	int rc;
	if (job->ocr_from)
		return finish_recognition(st, job, res, ei);
	if (res->stored < 0 || res->stored > res->npages)
		return wy_err_set(ei, WY_EINVAL, "%d pages published of %d", res->stored, res->npages);
	for (int i = 0; i < res->npages - res->stored; i++)
		if (res->pages[i].page_no != res->stored + i + 1)
			return wy_err_set(ei, WY_EINVAL, "page %d is numbered %d", res->stored + i + 1,
					  res->pages[i].page_no);
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = pages_before(st, doc_id, res->stored, &indexed, ei)))
		goto fail;
	/* the keywords change: their index row goes first (it is removed with
	 * the values it was added with) */
	if (indexed && (rc = sq_index_words(st, doc_id, true, ei)))
		goto fail;
	if ((rc = insert_pages(st, doc_id, res->pages, res->npages - res->stored, ei)))
		goto fail;
	/* pages published while it ran: the title was picked then, and stays */
	if ((rc = sq_prep(st, &s,
		       "UPDATE documents SET status=?2, reason=NULL, format=?3, pages=?4,"
		       " title=CASE WHEN title_user OR ?14 THEN title ELSE ?5 END, author=?6,"
		       " thumb_sha256=coalesce(?7, thumb_sha256),"
		       " progress_done=?12, progress_total=?13, updated_at=?8, keywords=?9, dup_of=?10, minhash=?11"
		       " WHERE id=?1",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, WY_DOC_READY);
	sq_bind_text(s, 3, res->format);
	sqlite3_bind_int(s, 4, res->npages);
	sq_bind_text(s, 5, res->title);
	sq_bind_text(s, 6, res->author);
	sq_bind_text(s, 7, res->thumb_sha256);
	sqlite3_bind_int64(s, 8, wy_now());
	bind_analysis(s, 9, res);
	/* recognition still to come: how far it is */
	sqlite3_bind_int(s, 12, res->ocr_next > 0 ? res->ocr_next - 1 : 0);
	sqlite3_bind_int(s, 13, res->ocr_next > 0 ? res->npages : 0);
	sqlite3_bind_int(s, 14, res->stored > 0);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "publish document");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	if (indexed)
		rc = sq_index_pages(st, doc_id, res->stored + 1, ei);
	if (rc || (rc = indexed ? sq_index_words(st, doc_id, false, ei) : sq_index_doc(st, doc_id, NULL, ei)) ||
	    (rc = sq_index_bands(st, doc_id, res->minhash, ei)) ||
	    (rc = sq_outline_replace(st, doc_id, res->outline, ei)))
		goto fail;
	/* ready now: upload points when the rule gives them, in this
	 * transaction (never at upload time) */
	if ((rc = sq_upload_points(st, doc_id, ei)))
		goto fail;
	if ((rc = set_job_state(st, job_id, "done", ei)) || (rc = add_counts(st, job, ei)))
		goto fail;
	/* recognition starts afresh: batches queued before this conversion
	 * (an admin's reconversion) go; then a job for each batch of pages
	 * still to recognise */
	if ((rc = job_exec(st, job, "DELETE FROM jobs WHERE doc_id=?1 AND id<>?2 AND state='queued' AND ocr_from>0",
			   "drop recognition jobs", ei)))
		goto fail;
	int batch = res->ocr_batch > 0 ? res->ocr_batch : res->npages;
	for (int k = res->ocr_next; k > 0 && k <= res->npages; k += batch) {
		int to = res->npages - k < batch ? res->npages : k + batch - 1;
		if ((rc = sq_queue_job(st, doc_id, k, to, job->request_id, ei)))
			goto fail;
	}
	/* a new version, ready: into the document it replaces, now */
	if ((rc = sq_version_swap(st, doc_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

static int job_fail_tx(wy_store *st, const wy_job *job, const char *format, const char *reason, bool keep_pages,
		       wy_errinfo *ei)
{
	int64_t doc_id;
	int rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) ||
	    (rc = fail_job_pages(st, job, format, reason, keep_pages, ei)) || (rc = add_counts(st, job, ei))) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

int sqlite_job_fail(wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei)
{
	int rc = job_fail_tx(st, job, format, reason, false, ei);
	/* A full disk can refuse to delete a readable document's pages (the
	 * log needs room for it) where it takes the failure itself: the
	 * document fails keeping them. A failed document is open to nobody
	 * (SQ_OPEN), and its retry replaces every page (pages_before). */
	wy_errinfo again = {0};
	if (rc == WY_EIO && !job->ocr_from && job_fail_tx(st, job, format, reason, true, &again) == WY_OK) {
		wy_warn("store.fail_kept_pages", "job=%lld doc=%lld msg=\"%s\"", (long long)job->id,
			(long long)job->doc_id, wy_err_msg(ei, rc));
		return WY_OK;
	}
	return rc;
}

/* A released conversion's document is queued again, unless it is
 * readable: then it stays so, and the next claim resumes it. */
static int queued_unless_readable(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	bool readable;
	int rc = doc_readable(st, doc_id, &readable, ei);
	if (rc)
		return rc;
	return readable ? WY_OK : sq_set_doc_status(st, doc_id, WY_DOC_QUEUED, NULL, NULL, ei);
}

int sqlite_job_release(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int64_t doc_id, job_id = job->id;
	int rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)))
		goto fail;
	if ((rc = sq_prep(st, &s,
		       "UPDATE jobs SET state='queued', attempts=max(attempts-1, 0), worker=NULL, lease_until=0,"
		       " updated_at=?2 WHERE id=?1",
		       ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, job_id);
	sqlite3_bind_int64(s, 2, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "release job");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	if (!job->ocr_from && (rc = queued_unless_readable(st, doc_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

/* SQLite wakes no one: the wait is the caller's poll, and idle workers
 * look at the queue 4 times a second (a commit of another process is
 * seen within a quarter of a second). */
int sqlite_job_wait(wy_store *st, struct pollfd *fds, int nfds, int timeout_ms, int *ready, bool *work,
		    wy_errinfo *ei)
{
	(void)st;
	*ready = 0;
	*work = false;
	if (nfds < 0)
		return wy_err_set(ei, WY_EINVAL, "store: %d descriptors to wait for", nfds);
	int n = poll(fds, (nfds_t)nfds, timeout_ms);
	if (n < 0 && errno != EINTR)
		return wy_err_set(ei, WY_EIO, "poll: %s", strerror(errno));
	*ready = n > 0 ? n : 0;
	return WY_OK;
}

int sqlite_job_poll_ms(wy_store *st)
{
	(void)st;
	return 250;
}

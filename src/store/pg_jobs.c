/* store/pg_jobs: the conversion queue of the PostgreSQL backend, under
 * sqlite_jobs.c's rules (a job claimed under a lease, the attempt
 * counted, given up after max_attempts; progress, publication, the end;
 * the leases of dead workers cut short so that their jobs are claimed
 * again exactly as on a lease that ran out), for workers in several
 * processes on several machines.
 *
 * The claim does not take the writers' lock (pg_int.h): it picks the
 * next job with FOR UPDATE OF j SKIP LOCKED, so claimers never queue
 * behind each other nor behind a writer, and a job is claimed once (a
 * row another claimer holds is skipped; one it claimed and committed is
 * seen running under a live lease when the row is locked, and left).
 * What the claim changes beyond the job's row and its account's turn
 * (its document converting, and the upload points that rule may move; a
 * document abandoned after max_attempts) is written afterwards under the
 * writers' lock, in a transaction of its own: no claimer ever holds a row
 * while it waits for that lock, so a writer that locks the job's row
 * (every other function here: job_doc_running) never waits on a claimer
 * that waits on it.
 *
 * Every other function runs under the writers' lock, as SQLite's, and
 * locks its job's row (job_doc_running: FOR UPDATE) before it trusts that
 * the job is still its own: a claim racing a lease that ran out either
 * committed first (the attempt differs: not ours) or skips the row.
 *
 * Waking workers: a trigger on jobs (schema version 5) notifies
 * PG_JOBS_CHANNEL whenever a job becomes claimable (queued, or its lease
 * cut to 0); pg_job_wait listens on the connection's socket beside the
 * worker's own descriptors. A lease that runs out by itself notifies no
 * one: pg_job_poll_ms tells the worker to look now and then anyway. */
#include "core/log.h"
#include "core/util.h"
#include "store/pg_int.h"
#include "text/minhash.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_job_expire_dead(wy_store *st, bool (*dead)(void *ctx, const char *worker), void *ctx, int *expired,
		       wy_errinfo *ei)
{
	PGresult *r = NULL;
	char **names = NULL;
	int n = 0, cap = 0, rc, total = 0;
	if (expired)
		*expired = 0;
	/* Which workers hold live leases now, read outside any transaction:
	 * asking about processes (the callback) never holds a lock. */
	pg_args a = {0};
	pg_arg_int(&a, wy_now());
	if ((rc = pg_run(st,
			 "SELECT DISTINCT worker FROM jobs WHERE state='running' AND lease_until >= $1"
			 " AND worker IS NOT NULL",
			 &a, &r, NULL, "list job leases", ei)))
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *w = pg_cstr(r, i, 0);
		if (!dead(ctx, w))
			continue;
		names = pg_grow(names, n, &cap, sizeof *names);
		names[n++] = wy_xstrdup(w);
	}
	PQclear(r);
	if (n == 0)
		goto out;
	/* The worker name is in the WHERE: a job claimed again since the
	 * SELECT carries its new worker's name and is left alone. */
	if ((rc = pg_begin(st, ei)))
		goto out;
	for (int i = 0; !rc && i < n; i++) {
		pg_args b = {0};
		pg_arg_text(&b, names[i]);
		int changed = 0;
		rc = pg_run(st, "UPDATE jobs SET lease_until=0 WHERE state='running' AND worker=$1", &b, NULL, &changed,
			    "expire job lease", ei);
		total += changed;
	}
	if ((rc = pg_end(st, rc, ei)) == WY_OK && expired)
		*expired = total;
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int fail_job(wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei);

/* The job must still be ours: running, at our attempt. Its row is locked
 * for the rest of the caller's transaction: a claimer skips it, and a
 * claim that committed first is seen (another attempt). */
static int job_doc_running(wy_store *st, const wy_job *job, int64_t *doc_id, wy_errinfo *ei)
{
	bool found;
	int rc = pg_row_ints(st, "SELECT doc_id FROM jobs WHERE id=$1 AND state='running' AND attempts=$2 FOR UPDATE",
			     (const int64_t[]){job->id, job->attempt}, 2, doc_id, 1, &found, "find job", ei);
	if (!rc && !found)
		rc = wy_err_set(ei, WY_ENOTFOUND, "job %lld is not running", (long long)job->id);
	return rc;
}

/* A claim that ran past max_attempts: its document fails (or its batch
 * does), under the writers' lock, if the job is still as the claim saw
 * it (attempts, and claimable). */
static int abandon(wy_store *st, const wy_job *job, int max_attempts, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	bool found;
	int64_t one;
	if ((rc = pg_row_ints(st,
			      "SELECT 1 FROM jobs WHERE id=$1 AND attempts=$2"
			      " AND (state='queued' OR (state='running' AND lease_until < $3)) FOR UPDATE",
			      (const int64_t[]){job->id, job->attempt - 1, wy_now()}, 3, &one, 1, &found, "claim job",
			      ei)) ||
	    !found)
		return pg_end(st, rc, ei);
	char reason[160];
	snprintf(reason, sizeof reason, "conversion was interrupted %d times (the converter's worker stopped)",
		 max_attempts);
	rc = fail_job(st, job, NULL, reason, ei);
	if (!(rc = pg_end(st, rc, ei)))
		wy_warn("job.abandon", "job=%lld doc=%lld attempts=%d", (long long)job->id, (long long)job->doc_id,
			max_attempts);
	return rc;
}

/* A claim given back at once (the document's status could not follow):
 * queued again, the attempt not counted. Best effort: a lease that runs
 * out does the same later. */
static void unclaim(wy_store *st, const wy_job *job)
{
	pg_exec_ints(st,
		     "UPDATE jobs SET state='queued', attempts=greatest(attempts-1, 0), worker=NULL, lease_until=0"
		     " WHERE id=$1 AND state='running' AND attempts=$2",
		     (const int64_t[]){job->id, job->attempt}, 2, NULL, "release job", NULL);
}

int pg_job_claim(wy_store *st, const char *worker, int lease_seconds, int max_attempts, wy_job *out,
		 wy_errinfo *ei)
{
	int64_t now = wy_now();
	int rc;
	memset(out, 0, sizeof *out);
	for (;;) {
		/* not pg_begin: no writers' lock (the file's comment) */
		if ((rc = pg_run(st, "BEGIN", NULL, NULL, NULL, "begin", ei)))
			return rc;
		PG(st)->in_tx = true;
		PGresult *r;
		pg_args a = {0};
		pg_arg_int(&a, now);
		if ((rc = pg_run(st,
				 "SELECT j.id, j.doc_id, j.attempts, d.sha256, d.filename,"
				 " CASE WHEN d.title_user <> 0 THEN d.title END, j.ocr_from, j.ocr_to, j.request_id,"
				 " d.status, d.pages"
				 " FROM jobs j JOIN documents d ON d.id = j.doc_id"
				 " WHERE j.state='queued' OR (j.state='running' AND j.lease_until < $1)"
				 /* sqlite_jobs.c's order: conversions before
				  * recognition; fair between uploaders (the fewest
				  * conversions running, then the account whose turn
				  * came longest ago); then the oldest job */
				 " ORDER BY j.ocr_from > 0, (SELECT count(*) FROM jobs r JOIN documents rd ON rd.id = r.doc_id"
				 "   WHERE r.state='running' AND r.lease_until >= $1"
				 "   AND rd.owner_id IS NOT DISTINCT FROM d.owner_id),"
				 " (SELECT turn FROM queue_turns t WHERE t.owner_id = coalesce(d.owner_id, 0)) NULLS FIRST, j.id"
				 " LIMIT 1 FOR UPDATE OF j SKIP LOCKED",
				 &a, &r, NULL, "claim job", ei)))
			goto fail;
		if (PQntuples(r) == 0) {
			PQclear(r);
			if ((rc = pg_commit(st, ei)))
				return rc;
			return WY_EEMPTY;
		}
		out->id = pg_int(r, 0, 0);
		out->doc_id = pg_int(r, 0, 1);
		out->attempt = (int)pg_int(r, 0, 2) + 1;
		pg_sha(r, 0, 3, out->sha256);
		out->filename = pg_str(r, 0, 4);
		out->title = pg_str(r, 0, 5);
		out->ocr_from = (int)pg_int(r, 0, 6);
		out->ocr_to = (int)pg_int(r, 0, 7);
		snprintf(out->request_id, sizeof out->request_id, "%s", pg_cstr(r, 0, 8));
		/* a conversion that stopped after publishing pages resumes */
		if (!out->ocr_from && pg_int(r, 0, 9) == WY_DOC_READABLE)
			out->resume_from = (int)pg_int(r, 0, 10);
		PQclear(r);
		if (out->attempt <= max_attempts)
			break;
		/* Its worker died max_attempts times on this document: stop
		 * trying, under the writers' lock (the row let go first). */
		pg_rollback(st);
		if ((rc = abandon(st, out, max_attempts, ei)))
			goto fail;
		wy_job_clear(out);
	}
	pg_args a = {0};
	pg_arg_int(&a, out->id);
	pg_arg_int(&a, out->attempt);
	pg_arg_text(&a, worker);
	pg_arg_int(&a, now + lease_seconds);
	pg_arg_int(&a, now);
	if ((rc = pg_run(st,
			 "UPDATE jobs SET state='running', attempts=$2, worker=$3, lease_until=$4, updated_at=$5"
			 " WHERE id=$1",
			 &a, NULL, NULL, "claim job", ei)) ||
	    /* this account's turn: it goes to the back of the round */
	    (rc = pg_exec_ints(st,
			       "INSERT INTO queue_turns(owner_id, turn)"
			       " SELECT coalesce(owner_id, 0), (SELECT coalesce(max(turn), 0) + 1 FROM queue_turns)"
			       " FROM documents WHERE id = $1"
			       " ON CONFLICT(owner_id) DO UPDATE SET turn = excluded.turn",
			       &out->doc_id, 1, NULL, "take a turn", ei)) ||
	    (rc = pg_commit(st, ei)))
		goto fail;
	/* a readable document stays readable while it resumes */
	if (out->ocr_from || out->resume_from)
		return WY_OK;
	int64_t doc_id;
	if (!(rc = pg_begin(st, ei)) && !(rc = job_doc_running(st, out, &doc_id, ei)))
		rc = pg_set_doc_status(st, doc_id, WY_DOC_CONVERTING, NULL, NULL, ei);
	if (rc || (rc = pg_end(st, rc, ei))) {
		pg_rollback(st);
		unclaim(st, out);
		wy_job_clear(out);
		return rc;
	}
	return WY_OK;
fail:
	pg_rollback(st);
	wy_job_clear(out);
	return rc;
}

int pg_job_progress(wy_store *st, const wy_job *job, int pages_done, int total, int lease_seconds, wy_errinfo *ei)
{
	int changed = 0;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = pg_exec_ints(st, "UPDATE jobs SET lease_until=$2 WHERE id=$1 AND state='running' AND attempts=$3",
			       (const int64_t[]){job->id, wy_now() + lease_seconds, job->attempt}, 3, &changed,
			       "renew lease", ei)))
		return pg_end(st, rc, ei);
	if (changed == 0)
		return pg_end(st,
			      wy_err_set(ei, WY_ENOTFOUND, "job %lld was claimed again by another worker",
					 (long long)job->id),
			      ei);
	if (!job->ocr_from) /* a recognition job's document's progress is its batches' */
		rc = pg_exec_ints(st,
				  "UPDATE documents SET progress_done=$2, progress_total=$3"
				  " WHERE id=(SELECT doc_id FROM jobs WHERE id=$1)",
				  (const int64_t[]){job->id, pages_done, total}, 3, NULL, "progress", ei);
	return pg_end(st, rc, ei);
}

static int set_job_state(wy_store *st, int64_t job_id, const char *state, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_int(&a, job_id);
	pg_arg_text(&a, state);
	pg_arg_int(&a, wy_now());
	return pg_run(st, "UPDATE jobs SET state=$2, updated_at=$3 WHERE id=$1", &a, NULL, NULL, "update job", ei);
}

/* the job's document as $1, the job as $2 */
static int job_exec(wy_store *st, const wy_job *job, const char *sql, const char *what, wy_errinfo *ei)
{
	return pg_exec_ints(st, sql, (const int64_t[]){job->doc_id, job->id}, 2, NULL, what, ei);
}

/* sql about one document, $1 its id */
static int doc_exec(wy_store *st, int64_t doc_id, const char *sql, const char *what, wy_errinfo *ei)
{
	return pg_exec_ints(st, sql, &doc_id, 1, NULL, what, ei);
}

/* A recognition job's pages count as done (recognised or given up): the
 * document's progress, which ends (0 of 0) when every batch has. */
static int count_batch(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	int rc = pg_exec_ints(st, "UPDATE documents SET progress_done = progress_done + $2 WHERE id=$1",
			      (const int64_t[]){job->doc_id, job->ocr_to - job->ocr_from + 1}, 2, NULL, "progress", ei);
	return rc ? rc
		  : doc_exec(st, job->doc_id,
			     "UPDATE documents SET progress_done=0, progress_total=0"
			     " WHERE id=$1 AND progress_done >= progress_total",
			     "progress", ei);
}

/* Whether a document is readable: some of its pages published by a
 * conversion that has not ended. */
static int doc_readable(wy_store *st, int64_t doc_id, bool *readable, wy_errinfo *ei)
{
	int64_t status;
	bool found;
	int rc = pg_row_ints(st, "SELECT status FROM documents WHERE id=$1", &doc_id, 1, &status, 1, &found,
			     "read document", ei);
	*readable = !rc && found && status == WY_DOC_READABLE;
	return rc;
}

/* Every page of doc_id and its index rows (removing index rows needs the
 * pages' text: first), inside the caller's transaction. */
static int delete_pages(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	int rc = pg_unindex_doc(st, doc_id, ei);
	return rc ? rc : doc_exec(st, doc_id, "DELETE FROM pages WHERE doc_id=$1", "delete pages", ei);
}

/* A readable document's pages, and their index rows, go (inside the
 * caller's transaction): what a conversion that did not end published. */
static int drop_readable_pages(wy_store *st, int64_t doc_id, wy_errinfo *ei)
{
	bool readable;
	int rc = doc_readable(st, doc_id, &readable, ei);
	if (rc || !readable || (rc = delete_pages(st, doc_id, ei)))
		return rc;
	return doc_exec(st, doc_id, "UPDATE documents SET pages=0 WHERE id=$1", "delete pages", ei);
}

/* A job ends failed, inside the caller's transaction (sqlite_jobs.c's
 * fail_job_pages). */
static int fail_job_pages(wy_store *st, const wy_job *job, const char *format, const char *reason, bool keep_pages,
			  wy_errinfo *ei)
{
	int rc = set_job_state(st, job->id, "failed", ei);
	if (!rc && !job->ocr_from && !keep_pages)
		rc = drop_readable_pages(st, job->doc_id, ei);
	if (rc || !job->ocr_from)
		return rc ? rc : pg_set_doc_status(st, job->doc_id, WY_DOC_FAILED, format, reason, ei);
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
	int rc = WY_OK;
	for (int i = 0; !rc && i < job->ncounts; i++) {
		pg_args a = {0};
		pg_arg_text(&a, job->counts[i].name);
		pg_arg_text(&a, job->counts[i].labels ? job->counts[i].labels : "");
		pg_arg_dbl(&a, job->counts[i].add);
		rc = pg_run(st,
			    "INSERT INTO counters(name, labels, value) VALUES($1, $2, $3)"
			    " ON CONFLICT(name, labels) DO UPDATE SET value = counters.value + excluded.value",
			    &a, NULL, NULL, "count", ei);
	}
	return rc;
}

int pg_counts_each(wy_store *st, void (*cb)(void *ctx, const char *name, const char *labels, double value),
		   void *ctx, wy_errinfo *ei)
{
	PGresult *r;
	int rc = pg_run(st, "SELECT name, labels, value FROM counters ORDER BY name, labels", NULL, &r, NULL,
			"read counters", ei);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		cb(ctx, pg_cstr(r, i, 0), pg_cstr(r, i, 1), pg_dbl(r, i, 2));
	PQclear(r);
	return WY_OK;
}

/* A page's text and boxes as the next two parameters. */
static void arg_text_boxes(pg_args *a, const wy_page *p)
{
	pg_arg_text(a, p->text ? p->text : "");
	pg_arg_bytes(a, p->boxes_len ? p->boxes : NULL, p->boxes_len);
}

/* A result's analysis (keywords, dup_of, minhash) as the next three. */
static void arg_analysis(pg_args *a, const wy_doc_result *res)
{
	pg_arg_text(a, res->keywords && *res->keywords ? res->keywords : NULL);
	if (res->dup_of)
		pg_arg_int(a, res->dup_of);
	else
		pg_arg_text(a, NULL);
	pg_arg_bytes(a, res->minhash, res->minhash ? WY_MINHASH_BYTES : 0);
}

/* A recognition job's end (pg_job_finish): its pages' new text and boxes,
 * the index of the document made again around them, the analysis of the
 * whole text, the batch counted. */
static int finish_recognition(wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei)
{
	int64_t doc_id;
	int rc;
	for (int i = 0; i < res->npages; i++)
		if (res->pages[i].page_no < job->ocr_from || res->pages[i].page_no > job->ocr_to)
			return wy_err_set(ei, WY_EINVAL, "page %d is not in the batch %d-%d", res->pages[i].page_no,
					  job->ocr_from, job->ocr_to);
	if ((rc = pg_begin(st, ei)))
		return rc;
	/* unindexing needs the old text: first */
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = pg_unindex_doc(st, doc_id, ei)))
		goto out;
	for (int i = 0; !rc && i < res->npages; i++) {
		pg_args a = {0};
		pg_arg_int(&a, doc_id);
		pg_arg_int(&a, res->pages[i].page_no);
		arg_text_boxes(&a, &res->pages[i]);
		rc = pg_run(st, "UPDATE pages SET text=$3, boxes=$4 WHERE doc_id=$1 AND page_no=$2", &a, NULL, NULL,
			    "update page", ei);
	}
	if (rc)
		goto out;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	arg_analysis(&a, res);
	pg_arg_int(&a, wy_now());
	if ((rc = pg_run(st, "UPDATE documents SET keywords=$2, dup_of=$3, minhash=$4, updated_at=$5 WHERE id=$1", &a,
			 NULL, NULL, "publish document", ei)))
		goto out;
	/* the recognised text may flag it a near-duplicate (dup_of) or give
	 * it the characters it needs: the upload points rule decides again */
	if (!(rc = pg_index_doc(st, doc_id, res->minhash, ei)) && !(rc = count_batch(st, job, ei)) &&
	    !(rc = set_job_state(st, job->id, "done", ei)) && !(rc = add_counts(st, job, ei)))
		rc = pg_upload_points(st, doc_id, ei);
out:
	return pg_end(st, rc, ei);
}

/* Insert pages[0..n) of doc_id (inside the caller's transaction). */
static int insert_pages(wy_store *st, int64_t doc_id, const wy_page *pages, int n, wy_errinfo *ei)
{
	int rc = WY_OK;
	for (int i = 0; !rc && i < n; i++) {
		const wy_page *p = &pages[i];
		pg_args a = {0};
		pg_arg_int(&a, doc_id);
		pg_arg_int(&a, p->page_no);
		arg_text_boxes(&a, p);
		pg_arg_text(&a, p->image_sha256);
		pg_arg_int(&a, p->width);
		pg_arg_int(&a, p->height);
		rc = pg_run(st,
			    "INSERT INTO pages(doc_id, page_no, text, boxes, image_sha256, width, height)"
			    " VALUES($1, $2, $3, $4, $5, $6, $7)",
			    &a, NULL, NULL, "insert page", ei);
	}
	return rc;
}

/* Pages 1..stored are the document's pages now (stored 0: it has none the
 * conversion published: an earlier conversion's pages go, with their index
 * rows), and whether it is in the index. Inside the caller's transaction. */
static int pages_before(wy_store *st, int64_t doc_id, int stored, bool *indexed, wy_errinfo *ei)
{
	int64_t v[4];
	bool found;
	int rc = pg_row_ints(st,
			     "SELECT d.status, d.pages, d.indexed, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id)"
			     " FROM documents d WHERE d.id=$1",
			     &doc_id, 1, v, 4, &found, "read document", ei);
	if (rc)
		return rc;
	if (!found)
		return wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	*indexed = v[2] != 0;
	if (stored == 0) {
		/* A retry replaces every page of an earlier conversion, in the
		 * index too (removing index rows needs the old text: first). */
		*indexed = false;
		return delete_pages(st, doc_id, ei);
	}
	if (v[0] != WY_DOC_READABLE || v[1] != stored || v[3] != stored)
		return wy_err_set(ei, WY_EINVAL, "document %lld holds %d pages (%s), not the %d published",
				  (long long)doc_id, (int)v[3], wy_doc_status_name((wy_doc_status)v[0]), stored);
	return WY_OK;
}

int pg_job_pages(wy_store *st, const wy_job *job, const wy_doc_result *res, int n, wy_errinfo *ei)
{
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
	if ((rc = pg_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = pages_before(st, doc_id, res->stored, &indexed, ei)) ||
	    (rc = insert_pages(st, doc_id, res->pages, n, ei)))
		goto out;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);
	pg_arg_int(&a, WY_DOC_READABLE);
	pg_arg_int(&a, res->stored + n);
	pg_arg_int(&a, wy_now());
	pg_arg_int(&a, res->npages);
	if (res->stored == 0) {
		/* the first pages: what the document is, and its title from page 1 */
		pg_arg_text(&a, res->format);
		pg_arg_text(&a, res->title);
		pg_arg_text(&a, res->author);
		pg_arg_text(&a, res->thumb_sha256);
	}
	if ((rc = pg_run(st,
			 res->stored == 0
				 ? "UPDATE documents SET status=$2, reason=NULL, format=$6, pages=$3,"
				   " title=CASE WHEN title_user <> 0 THEN title ELSE $7 END, author=$8, thumb_sha256=$9,"
				   " progress_done=$3, progress_total=$5, updated_at=$4 WHERE id=$1"
				 : "UPDATE documents SET status=$2, pages=$3, progress_done=$3, progress_total=$5,"
				   " updated_at=$4 WHERE id=$1",
			 &a, NULL, NULL, "publish pages", ei)))
		goto out;
	/* searchable as they land: the whole document the first time (its
	 * title too), then the new pages */
	rc = indexed ? pg_index_pages(st, doc_id, res->stored + 1, ei) : pg_index_doc(st, doc_id, NULL, ei);
out:
	return pg_end(st, rc, ei);
}

int pg_job_requeue(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	int64_t doc_id;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if (!(rc = job_doc_running(st, job, &doc_id, ei)))
		rc = pg_exec_ints(st, "UPDATE jobs SET state='queued', worker=NULL, lease_until=0, updated_at=$2 WHERE id=$1",
				  (const int64_t[]){job->id, wy_now()}, 2, NULL, "requeue job", ei);
	return pg_end(st, rc, ei);
}

int pg_job_finish(wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei)
{
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
	if ((rc = pg_begin(st, ei)))
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) || (rc = pages_before(st, doc_id, res->stored, &indexed, ei)))
		goto out;
	/* the keywords change: their index row goes first (it is removed with
	 * the values it was added with) */
	if ((indexed && (rc = pg_index_words(st, doc_id, true, ei))) ||
	    (rc = insert_pages(st, doc_id, res->pages, res->npages - res->stored, ei)))
		goto out;
	pg_args a = {0};
	pg_arg_int(&a, doc_id);                    /* $1 */
	pg_arg_int(&a, WY_DOC_READY);              /* $2 */
	pg_arg_text(&a, res->format);              /* $3 */
	pg_arg_int(&a, res->npages);               /* $4 */
	pg_arg_text(&a, res->title);               /* $5 */
	pg_arg_text(&a, res->author);              /* $6 */
	pg_arg_text(&a, res->thumb_sha256);        /* $7 */
	pg_arg_int(&a, wy_now());                  /* $8 */
	arg_analysis(&a, res);                     /* $9, $10, $11 */
	/* recognition still to come: how far it is */
	pg_arg_int(&a, res->ocr_next > 0 ? res->ocr_next - 1 : 0); /* $12 */
	pg_arg_int(&a, res->ocr_next > 0 ? res->npages : 0);       /* $13 */
	pg_arg_int(&a, res->stored > 0);                           /* $14 */
	/* pages published while it ran: the title was picked then, and stays */
	if ((rc = pg_run(st,
			 "UPDATE documents SET status=$2, reason=NULL, format=$3, pages=$4,"
			 " title=CASE WHEN title_user <> 0 OR $14::bigint <> 0 THEN title ELSE $5 END, author=$6,"
			 " thumb_sha256=coalesce($7, thumb_sha256),"
			 " progress_done=$12, progress_total=$13, updated_at=$8, keywords=$9, dup_of=$10, minhash=$11"
			 " WHERE id=$1",
			 &a, NULL, NULL, "publish document", ei)))
		goto out;
	if (indexed)
		rc = pg_index_pages(st, doc_id, res->stored + 1, ei);
	if (rc || (rc = indexed ? pg_index_words(st, doc_id, false, ei) : pg_index_doc(st, doc_id, NULL, ei)) ||
	    (rc = pg_index_bands(st, doc_id, res->minhash, ei)) ||
	    (rc = pg_outline_replace(st, doc_id, res->outline, ei)))
		goto out;
	/* ready now: upload points when the rule gives them, in this
	 * transaction (never at upload time) */
	if ((rc = pg_upload_points(st, doc_id, ei)) || (rc = set_job_state(st, job->id, "done", ei)) ||
	    (rc = add_counts(st, job, ei)))
		goto out;
	/* recognition starts afresh: batches queued before this conversion
	 * (an admin's reconversion) go; then a job for each batch of pages
	 * still to recognise */
	if ((rc = job_exec(st, job, "DELETE FROM jobs WHERE doc_id=$1 AND id<>$2 AND state='queued' AND ocr_from>0",
			   "drop recognition jobs", ei)))
		goto out;
	int batch = res->ocr_batch > 0 ? res->ocr_batch : res->npages;
	for (int k = res->ocr_next; k > 0 && k <= res->npages; k += batch) {
		int to = res->npages - k < batch ? res->npages : k + batch - 1;
		if ((rc = pg_queue_job(st, doc_id, k, to, job->request_id, ei)))
			goto out;
	}
	/* a new version, ready: into the document it replaces, now */
	rc = pg_version_swap(st, doc_id, ei);
out:
	return pg_end(st, rc, ei);
}

static int job_fail_tx(wy_store *st, const wy_job *job, const char *format, const char *reason, bool keep_pages,
		       wy_errinfo *ei)
{
	int64_t doc_id;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if (!(rc = job_doc_running(st, job, &doc_id, ei)) &&
	    !(rc = fail_job_pages(st, job, format, reason, keep_pages, ei)))
		rc = add_counts(st, job, ei);
	return pg_end(st, rc, ei);
}

int pg_job_fail(wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei)
{
	int rc = job_fail_tx(st, job, format, reason, false, ei);
	/* As on SQLite: a full disk may refuse to delete a readable
	 * document's pages where it takes the failure itself: the document
	 * fails keeping them (a failed document is open to nobody, and its
	 * retry replaces every page). */
	wy_errinfo again = {0};
	if (rc == WY_EIO && !job->ocr_from && job_fail_tx(st, job, format, reason, true, &again) == WY_OK) {
		wy_warn("store.fail_kept_pages", "job=%lld doc=%lld msg=\"%s\"", (long long)job->id,
			(long long)job->doc_id, wy_err_msg(ei, rc));
		return WY_OK;
	}
	return rc;
}

int pg_job_release(wy_store *st, const wy_job *job, wy_errinfo *ei)
{
	int64_t doc_id;
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	if ((rc = job_doc_running(st, job, &doc_id, ei)) ||
	    (rc = pg_exec_ints(st,
			       "UPDATE jobs SET state='queued', attempts=greatest(attempts-1, 0), worker=NULL,"
			       " lease_until=0, updated_at=$2 WHERE id=$1",
			       (const int64_t[]){job->id, wy_now()}, 2, NULL, "release job", ei)))
		return pg_end(st, rc, ei);
	/* a released conversion's document is queued again, unless it is
	 * readable: then it stays so, and the next claim resumes it */
	if (!job->ocr_from) {
		bool readable;
		if (!(rc = doc_readable(st, doc_id, &readable, ei)) && !readable)
			rc = pg_set_doc_status(st, doc_id, WY_DOC_QUEUED, NULL, NULL, ei);
	}
	return pg_end(st, rc, ei);
}

/* LISTEN on this session, once per server session (a connection that was
 * reset lost it). */
static int listen_jobs(wy_store *st, wy_errinfo *ei)
{
	int pid = PQbackendPID(PG(st)->conn);
	if (PQstatus(PG(st)->conn) == CONNECTION_OK && pid && pid == PG(st)->listen_pid)
		return WY_OK;
	/* A lost connection is made again by the worker's next statement
	 * (pg_run: its claim, once a second while they fail), not here: the
	 * wait must not block on a connect while children are to be read. */
	if (PQstatus(PG(st)->conn) != CONNECTION_OK)
		return wy_err_set(ei, WY_EIO, "store: the connection is lost");
	int rc = pg_exec(st, "LISTEN " PG_JOBS_CHANNEL, ei);
	if (!rc)
		PG(st)->listen_pid = PQbackendPID(PG(st)->conn);
	return rc;
}

/* Whether a notification of PG_JOBS_CHANNEL came (those read so far). */
static bool jobs_notified(wy_store *st)
{
	bool work = false;
	PGnotify *n;
	while ((n = PQnotifies(PG(st)->conn))) {
		if (strcmp(n->relname, PG_JOBS_CHANNEL) == 0)
			work = true;
		PQfreemem(n);
	}
	return work;
}

int pg_job_wait(wy_store *st, struct pollfd *fds, int nfds, int timeout_ms, int *ready, bool *work, wy_errinfo *ei)
{
	*ready = 0;
	*work = false;
	if (nfds < 0 || nfds > 1024)
		return wy_err_set(ei, WY_EINVAL, "store: %d descriptors to wait for", nfds);
	/* A store that cannot listen now (its connection lost: the next
	 * statement reconnects) leaves the caller's descriptors and the clock
	 * (wy_store_job_poll_ms) to wake it: a worker converting must not stop
	 * for that. */
	wy_errinfo lei = {0};
	int rc = WY_OK;
	bool listening = listen_jobs(st, &lei) == WY_OK;
	/* one that came with an answer to an earlier statement */
	if (listening && jobs_notified(st)) {
		*work = true;
		timeout_ms = 0;
	}
	struct pollfd *all = wy_xcalloc((size_t)nfds + 1, sizeof *all);
	if (nfds)
		memcpy(all, fds, (size_t)nfds * sizeof *all);
	all[nfds].fd = listening ? PQsocket(PG(st)->conn) : -1; /* poll skips a negative fd */
	all[nfds].events = POLLIN;
	int n = poll(all, (nfds_t)nfds + 1, timeout_ms);
	if (n < 0 && errno != EINTR)
		rc = wy_err_set(ei, WY_EIO, "poll: %s", strerror(errno));
	for (int i = 0; n > 0 && i < nfds; i++) {
		fds[i].revents = all[i].revents;
		if (all[i].revents)
			(*ready)++;
	}
	if (n > 0 && listening && all[nfds].revents) {
		/* a notification, or the server closing the connection: the
		 * next statement reconnects (pg_run), the next wait listens */
		if (!PQconsumeInput(PG(st)->conn))
			PG(st)->listen_pid = 0;
		if (jobs_notified(st))
			*work = true;
	}
	free(all);
	return rc;
}

/* Without a notification a worker still looks at the queue now and then:
 * a lease that runs out (its worker died on another machine) notifies no
 * one. */
int pg_job_poll_ms(wy_store *st)
{
	(void)st;
	return 5000;
}

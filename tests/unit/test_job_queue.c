/* The job queue across processes: several workers, each a process with a
 * connection of its own, claim a job once between them; a job whose
 * worker's lease ran out is claimed again and the old claim is void; an
 * idle worker waiting in wy_store_job_wait is woken by a job another
 * process queues (PostgreSQL: LISTEN/NOTIFY). Run on both backends
 * (test.h: wy_test_store_location); on SQLite the wake test checks
 * SQLite's contract instead: the caller's descriptors and its own
 * clock. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fresh_location(const char *tag) { return wy_test_store_location(tag); }

static bool on_pg(void) { return wy_test_pg(); }

static wy_store *open_at(const char *loc)
{
	wy_store *st = NULL;
	wy_errinfo ei = {0};
	int rc = wy_store_open(loc, &st, &ei);
	if (rc) {
		fprintf(stderr, "open %s: %s\n", loc, wy_err_msg(&ei, rc));
		abort();
	}
	return st;
}

/* n documents, each with its conversion queued */
static void add_docs(wy_store *st, int n, int64_t *ids)
{
	for (int i = 0; i < n; i++) {
		char sha[65], name[32];
		snprintf(sha, sizeof sha, "%064x", i + 1);
		snprintf(name, sizeof name, "doc%d.txt", i);
		wy_doc_new in = {.filename = name, .sha256 = sha, .size = 10};
		bool existed;
		wy_errinfo ei = {0};
		int rc = wy_store_doc_add(st, &in, &ids[i], &existed, &ei);
		if (rc) {
			fprintf(stderr, "doc_add: %s\n", wy_err_msg(&ei, rc));
			abort();
		}
	}
}

static void count_problem(void *ctx, const char *problem)
{
	fprintf(stderr, "  fsck: %s\n", problem);
	(*(int *)ctx)++;
}

#define NDOCS 40
#define NWORKERS 4

TEST(several_workers_claim_and_end_each_job_once)
{
	const char *loc = fresh_location("claim");
	wy_store *st = open_at(loc);
	int64_t ids[NDOCS];
	add_docs(st, NDOCS, ids);
	wy_store_close(st);
	int fds[2];
	ASSERT(pipe(fds) == 0);
	pid_t pids[NWORKERS];
	for (int w = 0; w < NWORKERS; w++) {
		pids[w] = fork();
		ASSERT(pids[w] >= 0);
		if (pids[w] == 0) {
			close(fds[0]);
			wy_store *ws = open_at(loc);
			char name[32];
			snprintf(name, sizeof name, "worker-%d", w);
			for (;;) {
				wy_job job;
				wy_errinfo ei = {0};
				int rc = wy_store_job_claim(ws, name, 600, 3, &job, &ei);
				if (rc == WY_EEMPTY)
					break;
				if (rc == WY_EBUSY)
					continue; /* a deadlock broken by the server: claim again */
				if (rc) {
					fprintf(stderr, "claim: %s\n", wy_err_msg(&ei, rc));
					_exit(1);
				}
				int64_t doc = job.doc_id;
				if (write(fds[1], &doc, sizeof doc) != sizeof doc)
					_exit(1);
				/* ends it, as a worker would, while the others claim:
				 * every other document ready with a page, the rest
				 * failed */
				wy_page page = {.page_no = 1, .text = (char *)"一页文字 a page of text", .width = 10,
						.height = 10};
				snprintf(page.image_sha256, sizeof page.image_sha256, "%064x", 1000 + (int)doc);
				wy_doc_result res = {.format = "txt", .title = "t", .npages = 1, .pages = &page};
				do
					rc = doc % 2 ? wy_store_job_finish(ws, &job, &res, &ei)
						     : wy_store_job_fail(ws, &job, NULL, "failed on purpose", &ei);
				while (rc == WY_EBUSY);
				if (rc) {
					fprintf(stderr, "end job: %s\n", wy_err_msg(&ei, rc));
					_exit(1);
				}
				wy_job_clear(&job);
			}
			wy_store_close(ws);
			_exit(0);
		}
	}
	close(fds[1]);
	int seen[NDOCS] = {0}, total = 0;
	int64_t doc;
	while (read(fds[0], &doc, sizeof doc) == sizeof doc) {
		for (int i = 0; i < NDOCS; i++)
			if (ids[i] == doc)
				seen[i]++;
		total++;
	}
	close(fds[0]);
	for (int w = 0; w < NWORKERS; w++) {
		int status;
		ASSERT(waitpid(pids[w], &status, 0) == pids[w]);
		ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(total, NDOCS);
	for (int i = 0; i < NDOCS; i++)
		ASSERT_EQ(seen[i], 1);
	/* each document ended once, as its worker said: nothing left to
	 * claim, and the store agrees with itself */
	st = open_at(loc);
	int counts[WY_DOC_NSTATUS];
	ASSERT_EQ(wy_store_doc_counts(st, counts, NULL), WY_OK);
	ASSERT_EQ(counts[WY_DOC_READY] + counts[WY_DOC_FAILED], NDOCS);
	for (int i = 0; i < NDOCS; i++) {
		wy_doc d;
		ASSERT_EQ(wy_store_doc_get(st, ids[i], &d, NULL), WY_OK);
		ASSERT_EQ(d.status, ids[i] % 2 ? WY_DOC_READY : WY_DOC_FAILED);
		ASSERT_EQ(d.pages, ids[i] % 2 ? 1 : 0);
		wy_doc_clear(&d);
	}
	wy_job job;
	ASSERT_EQ(wy_store_job_claim(st, "late", 600, 3, &job, NULL), WY_EEMPTY);
	int problems = 0;
	ASSERT_EQ(wy_store_check(st, count_problem, &problems, NULL), WY_OK);
	ASSERT_EQ(problems, 0);
	wy_store_close(st);
}

TEST(a_lease_that_ran_out_is_claimed_again_and_the_old_claim_is_void)
{
	const char *loc = fresh_location("lease");
	wy_store *a = open_at(loc), *b = open_at(loc);
	int64_t id;
	add_docs(a, 1, &id);
	wy_job first, second;
	/* a lease already over: its worker is as good as dead */
	ASSERT_EQ(wy_store_job_claim(a, "dead", -1, 3, &first, NULL), WY_OK);
	ASSERT_EQ(first.attempt, 1);
	ASSERT_EQ(wy_store_job_claim(b, "alive", 600, 3, &second, NULL), WY_OK);
	ASSERT_EQ(second.id, first.id);
	ASSERT_EQ(second.attempt, 2);
	/* the dead worker's late calls change nothing */
	ASSERT_EQ(wy_store_job_progress(a, &first, 1, 2, 600, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_job_fail(a, &first, NULL, "late", NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_job_progress(b, &second, 1, 2, 600, NULL), WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(b, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_CONVERTING);
	ASSERT_EQ(d.progress_done, 1);
	wy_doc_clear(&d);
	/* released (the worker stops): queued again, that try not counted */
	ASSERT_EQ(wy_store_job_release(b, &second, NULL), WY_OK);
	wy_job third;
	ASSERT_EQ(wy_store_job_claim(a, "next", 600, 3, &third, NULL), WY_OK);
	ASSERT_EQ(third.attempt, 2);
	wy_job_clear(&first);
	wy_job_clear(&second);
	wy_job_clear(&third);
	wy_store_close(a);
	wy_store_close(b);
}

TEST(a_worker_past_max_attempts_fails_the_document)
{
	const char *loc = fresh_location("attempts");
	wy_store *st = open_at(loc);
	int64_t id;
	add_docs(st, 1, &id);
	wy_job j;
	for (int i = 1; i <= 2; i++) {
		ASSERT_EQ(wy_store_job_claim(st, "dies", -1, 2, &j, NULL), WY_OK);
		ASSERT_EQ(j.attempt, i);
		wy_job_clear(&j);
	}
	ASSERT_EQ(wy_store_job_claim(st, "dies", -1, 2, &j, NULL), WY_EEMPTY);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, id, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_FAILED);
	ASSERT_CONTAINS(d.reason, "interrupted 2 times");
	wy_doc_clear(&d);
	wy_store_close(st);
}

/* A dead worker's jobs (wy_store_job_expire_dead) wake the others, as a
 * new job does. */
static bool all_dead(void *ctx, const char *worker)
{
	(void)ctx;
	return strcmp(worker, "gone") == 0;
}

TEST(an_idle_worker_is_woken_by_a_job_queued_elsewhere)
{
	const char *loc = fresh_location("wake");
	wy_store *st = open_at(loc);
	int fds[2];
	ASSERT(pipe(fds) == 0);
	if (!on_pg()) {
		/* SQLite wakes no one: the wait gives the caller's descriptors,
		 * and the worker looks at the queue on its clock */
		bool work = true;
		int ready = -1;
		ASSERT_EQ(wy_store_job_wait(st, NULL, 0, 0, &ready, &work, NULL), WY_OK);
		ASSERT(!work);
		ASSERT_EQ(ready, 0);
		ASSERT(write(fds[1], "x", 1) == 1);
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		ASSERT_EQ(wy_store_job_wait(st, &p, 1, 60000, &ready, &work, NULL), WY_OK);
		ASSERT_EQ(ready, 1);
		ASSERT(p.revents & POLLIN);
		ASSERT(wy_store_job_poll_ms(st) > 0);
		close(fds[0]);
		close(fds[1]);
		wy_store_close(st);
		return;
	}
	/* listening before anything is queued; the queue is empty */
	bool work = true;
	int ready;
	ASSERT_EQ(wy_store_job_wait(st, NULL, 0, 0, &ready, &work, NULL), WY_OK);
	ASSERT(!work);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		/* another process queues once the waiter says it waits */
		char c;
		if (read(fds[0], &c, 1) != 1)
			_exit(1);
		wy_store *other = open_at(loc);
		int64_t id;
		add_docs(other, 1, &id);
		wy_store_close(other);
		_exit(0);
	}
	ASSERT(write(fds[1], "x", 1) == 1);
	/* far longer than any wake-up takes: a missed notification shows as
	 * work still false when the wait times out */
	ASSERT_EQ(wy_store_job_wait(st, NULL, 0, 120000, &ready, &work, NULL), WY_OK);
	ASSERT(work);
	int status;
	ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	wy_job job;
	ASSERT_EQ(wy_store_job_claim(st, "gone", 600, 3, &job, NULL), WY_OK);
	/* a dead worker's lease cut short wakes the others too */
	wy_store *other = open_at(loc);
	int expired = 0;
	ASSERT_EQ(wy_store_job_expire_dead(other, all_dead, NULL, &expired, NULL), WY_OK);
	ASSERT_EQ(expired, 1);
	wy_store_close(other);
	ASSERT_EQ(wy_store_job_wait(st, NULL, 0, 120000, &ready, &work, NULL), WY_OK);
	ASSERT(work);
	wy_job again;
	ASSERT_EQ(wy_store_job_claim(st, "alive", 600, 3, &again, NULL), WY_OK);
	ASSERT_EQ(again.id, job.id);
	ASSERT_EQ(again.attempt, 2);
	wy_job_clear(&job);
	wy_job_clear(&again);
	close(fds[0]);
	close(fds[1]);
	wy_store_close(st);
}

TEST_LIST(T(several_workers_claim_and_end_each_job_once), T(a_lease_that_ran_out_is_claimed_again_and_the_old_claim_is_void),
	  T(a_worker_past_max_attempts_fails_the_document), T(an_idle_worker_is_woken_by_a_job_queued_elsewhere))

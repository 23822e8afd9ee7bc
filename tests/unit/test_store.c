/* Store tests: the document lifecycle, the job queue and its failure paths,
 * against the SQLite backend, and the PostgreSQL backend as unit_pg.test_store
 * (wy_test_store_location). */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static wy_store *fresh(char **dir_out)
{
	char *dir = wy_test_store_location("store");
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(dir, &st, &ei);
	if (rc)
		fprintf(stderr, "open: %s\n", wy_err_msg(&ei, rc));
	if (dir_out)
		*dir_out = wy_xstrdup(dir);
	return rc ? NULL : st;
}

static const char *SHA_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *SHA_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
static const char *SHA_P = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

static int64_t add(wy_store *st, const char *sha, const char *title, const char *cat)
{
	wy_doc_new dn = {.title = title, .filename = "report.pdf", .category = cat, .sha256 = sha, .size = 1234};
	int64_t id = 0;
	bool existed = true;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	ASSERT(!existed);
	return id;
}

TEST(add_get_list)
{
	wy_store *st = fresh(NULL);
	ASSERT(st);
	ASSERT(wy_store_schema_version(st) >= 1);
	int64_t a = add(st, SHA_A, NULL, "资格与职业考试/其它");
	int64_t b = add(st, SHA_B, "用户标题", NULL);
	ASSERT(b > a);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_QUEUED);
	ASSERT_STR_EQ(d.category, "资格与职业考试/其它");
	ASSERT_STR_EQ(d.filename, "report.pdf");
	ASSERT_STR_EQ(d.sha256, SHA_A);
	ASSERT_EQ(d.size, 1234);
	ASSERT(d.title == NULL);
	wy_doc_clear(&d);
	wy_doc_list l;
	ASSERT_EQ(wy_store_doc_list(st, 0, 0, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.items[0].id, b); /* newest first */
	ASSERT_STR_EQ(l.items[0].title, "用户标题");
	wy_doc_list_clear(&l);
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_doc_get(st, 999, &d, &ei), WY_ENOTFOUND);
	ASSERT_CONTAINS(ei.msg, "999");
	wy_store_close(st);
}

static void count_format(void *ctx, wy_doc_status status, const char *format, int64_t n)
{
	int64_t *queued = ctx;
	if (status == WY_DOC_QUEUED && format == NULL) /* not known before its conversion */
		*queued += n;
}

/* What the library answers before any conversion: who sees a queued
 * document in which list, the counts, a category set, the retry and
 * backup rules. */
TEST(listings_and_counts_before_any_conversion)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, "公开的", "论文");
	wy_doc_new dn = {.title = "我的", .filename = "m.pdf", .sha256 = SHA_B, .size = 9, .owner_id = 7};
	int64_t b = 0;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &b, &existed, NULL), WY_OK);
	/* its owner sees it, a stranger nothing (neither is open), an admin both */
	wy_doc_list l;
	int total;
	ASSERT_EQ(wy_store_doc_visible(st, 7, false, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.items[0].id, b);
	ASSERT_EQ(l.items[0].owner_id, 7);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_visible(st, 8, false, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	ASSERT_EQ(l.n, 0);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_visible(st, 0, true, 1, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_EQ(l.n, 1); /* from offset 1: the older */
	ASSERT_EQ(l.items[0].id, a);
	wy_doc_list_clear(&l);
	/* a listing shows what can be read: nothing yet, not even the owner's */
	wy_doc_filter f = {.viewer = 7, .category = "论文"};
	ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	ASSERT_EQ(l.n, 0);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_popular(st, 5, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 0);
	wy_doc_list_clear(&l);
	/* counts */
	int64_t ids[2] = {a, b}, n[2] = {3, 4};
	ASSERT_EQ(wy_store_doc_add_counts(st, ids, n, 2, false, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_add_counts(st, ids, n, 1, true, NULL), WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.views, 3);
	ASSERT_EQ(d.downloads, 3);
	ASSERT_STR_EQ(d.category, "论文");
	wy_doc_clear(&d);
	int counts[WY_DOC_NSTATUS];
	ASSERT_EQ(wy_store_doc_counts(st, counts, NULL), WY_OK);
	ASSERT_EQ(counts[WY_DOC_QUEUED], 2);
	ASSERT_EQ(counts[WY_DOC_READY], 0);
	int64_t queued = 0;
	ASSERT_EQ(wy_store_doc_formats(st, count_format, &queued, NULL), WY_OK);
	ASSERT_EQ(queued, 2);
	wy_store_stats stats;
	ASSERT_EQ(wy_store_stats_get(st, &stats, NULL), WY_OK);
	ASSERT_EQ(stats.jobs_queued, 2);
	ASSERT_EQ(stats.jobs_running, 0);
	ASSERT(stats.oldest_wait >= 0);
	/* a category set (made as it is named), or none */
	ASSERT_EQ(wy_store_doc_set_category(st, b, "新类/子类", NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_get(st, b, &d, NULL), WY_OK);
	ASSERT_STR_EQ(d.category, "新类/子类");
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_doc_set_category(st, b, NULL, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_get(st, b, &d, NULL), WY_OK);
	ASSERT(d.category == NULL);
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_doc_set_category(st, 999, "论文", NULL), WY_ENOTFOUND);
	int64_t cat;
	ASSERT_EQ(wy_store_category_find(st, "新类/子类", &cat, NULL), WY_OK);
	ASSERT(cat > 0);
	/* nothing to read yet, nothing to retry */
	wy_page pg;
	ASSERT_EQ(wy_store_page_get(st, a, 1, &pg, NULL), WY_ENOTFOUND);
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_doc_retry(st, a, true, &ei), WY_EINVAL);
	ASSERT_CONTAINS(ei.msg, "queued already");
	ASSERT_EQ(wy_store_doc_retry(st, 999, true, NULL), WY_ENOTFOUND);
	/* a copy: SQLite's own; PostgreSQL's tools for a PostgreSQL store */
	memset(&ei, 0, sizeof ei);
	int rc = wy_store_backup(st, wy_test_tmpdir("store-copy"), &ei);
	if (wy_test_pg()) {
		ASSERT_EQ(rc, WY_ENOTSUP);
		ASSERT_CONTAINS(ei.msg, "pg_dump");
	} else {
		ASSERT_EQ(rc, WY_OK);
	}
	wy_store_close(st);
}

TEST(duplicate_returns_existing)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_doc_new dn = {.title = "other", .filename = "copy.pdf", .sha256 = SHA_A, .size = 1234};
	int64_t id;
	bool existed = false;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	ASSERT(existed);
	ASSERT_EQ(id, a);
	/* and no second job was queued */
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_EEMPTY);
	wy_store_close(st);
}

/* Issue 12: the same bytes from another account are a document of its
 * own (never that account's: "existed" told who had which file, and a
 * private copy kept anyone else from publishing it). */
TEST(same_bytes_of_another_owner_are_a_new_document)
{
	wy_store *st = fresh(NULL);
	wy_doc_new dn = {.title = "甲的", .filename = "a.pdf", .sha256 = SHA_A, .size = 1234, .owner_id = 1,
			 .private_ = true};
	int64_t a, b, again, imported, deleted_again;
	bool existed = true;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &a, &existed, NULL), WY_OK);
	ASSERT(!existed);
	wy_doc_new dn2 = {.title = "乙的", .filename = "b.pdf", .sha256 = SHA_A, .size = 1234, .owner_id = 2};
	existed = true;
	ASSERT_EQ(wy_store_doc_add(st, &dn2, &b, &existed, NULL), WY_OK);
	ASSERT(!existed);
	ASSERT(b != a);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, b, &d, NULL), WY_OK);
	ASSERT_STR_EQ(d.title, "乙的");
	ASSERT_STR_EQ(d.sha256, SHA_A);
	ASSERT_EQ(d.owner_id, 2);
	ASSERT(!d.private_);
	ASSERT_EQ(d.status, WY_DOC_QUEUED);
	wy_doc_clear(&d);
	/* the same account again: its own document back */
	ASSERT_EQ(wy_store_doc_add(st, &dn2, &again, &existed, NULL), WY_OK);
	ASSERT(existed);
	ASSERT_EQ(again, b);
	/* imported documents (no owner) are one owner too */
	wy_doc_new dn0 = {.filename = "c.pdf", .sha256 = SHA_A, .size = 1234};
	ASSERT_EQ(wy_store_doc_add(st, &dn0, &imported, &existed, NULL), WY_OK);
	ASSERT(!existed);
	ASSERT_EQ(wy_store_doc_add(st, &dn0, &again, &existed, NULL), WY_OK);
	ASSERT(existed);
	ASSERT_EQ(again, imported);
	/* a deleted document is gone for its owner too */
	ASSERT_EQ(wy_store_doc_set_state(st, b, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_add(st, &dn2, &deleted_again, &existed, NULL), WY_OK);
	ASSERT(!existed);
	ASSERT(deleted_again != b);
	/* each new one was queued: four jobs */
	wy_job j;
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
		wy_job_clear(&j);
	}
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_EEMPTY);
	/* and the blob is used while any of them is */
	bool used = false;
	ASSERT_EQ(wy_store_blob_used(st, SHA_A, &used, NULL), WY_OK);
	ASSERT(used);
	wy_store_close(st);
}

static void publish(wy_store *st, const wy_job *job, int npages, int expect)
{
	wy_page pages[3];
	memset(pages, 0, sizeof pages);
	for (int i = 0; i < npages; i++) {
		pages[i].page_no = i + 1;
		pages[i].text = (char *)"第一页的文字";
		memcpy(pages[i].image_sha256, SHA_P, 65);
		pages[i].width = 1240;
		pages[i].height = 1754;
	}
	wy_doc_result r = {.format = "pdf", .title = "找到的标题", .author = "作者", .thumb_sha256 = SHA_P, .npages = npages, .pages = pages};
	ASSERT_EQ(wy_store_job_finish(st, job, &r, NULL), expect);
}

TEST(claim_finish_publishes_everything)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.doc_id, a);
	ASSERT_EQ(j.attempt, 1);
	ASSERT_STR_EQ(j.sha256, SHA_A);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_CONVERTING);
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_job_progress(st, &j, 1, 3, 60, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.progress_done, 1);
	ASSERT_EQ(d.progress_total, 3);
	wy_doc_clear(&d);
	publish(st, &j, 3, WY_OK);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.pages, 3);
	ASSERT_STR_EQ(d.title, "找到的标题");
	ASSERT_STR_EQ(d.author, "作者");
	ASSERT_STR_EQ(d.format, "pdf");
	ASSERT_STR_EQ(d.thumb_sha256, SHA_P);
	wy_doc_clear(&d);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(st, a, 3, &p, NULL), WY_OK);
	ASSERT_STR_EQ(p.text, "第一页的文字");
	ASSERT_EQ(p.width, 1240);
	wy_page_clear(&p);
	ASSERT_EQ(wy_store_page_get(st, a, 4, &p, NULL), WY_ENOTFOUND);
	/* A finished job cannot be published or failed twice. */
	publish(st, &j, 3, WY_ENOTFOUND);
	ASSERT_EQ(wy_store_job_fail(st, &j, NULL, "late", NULL), WY_ENOTFOUND);
	wy_job_clear(&j);
	wy_store_close(st);
}

/* wy_store_counts_each's rows as "name{labels} value" lines. */
static void each_count(void *ctx, const char *name, const char *labels, double value)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 1024 - n, "%s{%s} %g\n", name, labels, value);
}

/* A job carries the request that queued it; what its end counts is added
 * in the transaction that records the end, and only then: a void claim
 * adds nothing. OCR batches queued by a conversion keep its request. */
TEST(jobs_carry_their_request_and_count_their_end)
{
	wy_store *st = fresh(NULL);
	wy_doc_new dn = {.filename = "a.pdf", .sha256 = SHA_A, .size = 1, .request_id = "req-1"};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	dn.sha256 = SHA_B;
	dn.request_id = NULL;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job a, b;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &a, NULL), WY_OK);
	ASSERT_STR_EQ(a.request_id, "req-1");
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &b, NULL), WY_OK);
	ASSERT_STR_EQ(b.request_id, "");
	wy_count ready[] = {{"c_total", "outcome=\"ready\"", 1}, {"s_sum", "", 0.25}};
	wy_count failed[] = {{"c_total", "outcome=\"failed\"", 1}, {"s_sum", "", 0.5}};
	a.counts = ready;
	a.ncounts = 2;
	b.counts = failed;
	b.ncounts = 2;
	wy_page pages[3] = {{.page_no = 1, .text = (char *)"x"}, {.page_no = 2, .text = (char *)"y"}, {.page_no = 3, .text = (char *)"z"}};
	wy_doc_result r = {.format = "pdf", .npages = 3, .pages = pages, .ocr_next = 2, .ocr_batch = 1};
	ASSERT_EQ(wy_store_job_finish(st, &a, &r, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_fail(st, &b, NULL, "bad", NULL), WY_OK);
	/* late: void, counts nothing */
	ASSERT_EQ(wy_store_job_fail(st, &b, NULL, "bad", NULL), WY_ENOTFOUND);
	char out[1024] = "";
	ASSERT_EQ(wy_store_counts_each(st, each_count, out, NULL), WY_OK);
	ASSERT_STR_EQ(out, "c_total{outcome=\"failed\"} 1\nc_total{outcome=\"ready\"} 1\ns_sum{} 0.75\n");
	wy_job ocr;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &ocr, NULL), WY_OK);
	ASSERT_EQ(ocr.ocr_from, 2);
	ASSERT_STR_EQ(ocr.request_id, "req-1");
	wy_job_clear(&ocr);
	wy_job_clear(&a);
	wy_job_clear(&b);
	wy_store_close(st);
}

TEST(user_title_survives_conversion)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, "我的标题", NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_STR_EQ(j.title, "我的标题");
	publish(st, &j, 1, WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_STR_EQ(d.title, "我的标题");
	wy_doc_clear(&d);
	wy_job_clear(&j);
	wy_store_close(st);
}

TEST(bad_result_changes_nothing)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page pages[2];
	memset(pages, 0, sizeof pages);
	pages[0].page_no = 1;
	pages[1].page_no = 3; /* a hole */
	wy_doc_result r = {.format = "pdf", .title = "t", .npages = 2, .pages = pages};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_EINVAL);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_CONVERTING);
	ASSERT_EQ(d.pages, 0);
	wy_doc_clear(&d);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(st, a, 1, &p, NULL), WY_ENOTFOUND);
	wy_job_clear(&j);
	wy_store_close(st);
}

TEST(fail_then_retry)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_fail(st, &j, "pdf", "password-protected", NULL), WY_OK);
	wy_job_clear(&j);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_FAILED);
	ASSERT_STR_EQ(d.reason, "password-protected");
	ASSERT_STR_EQ(d.format, "pdf");
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_EEMPTY);
	ASSERT_EQ(wy_store_doc_retry(st, a, false, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_retry(st, a, false, NULL), WY_EINVAL); /* queued already */
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_QUEUED);
	ASSERT(d.reason == NULL);
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.doc_id, a);
	publish(st, &j, 1, WY_OK);
	wy_job_clear(&j);
	/* ready: only a forced retry converts it again */
	ASSERT_EQ(wy_store_doc_retry(st, a, false, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_doc_retry(st, a, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_retry(st, 12345, true, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST(expired_lease_is_claimed_again_then_abandoned)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	/* A worker claims with a lease that has already run out, as if it died. */
	ASSERT_EQ(wy_store_job_claim(st, "dead", -1, 2, &j, NULL), WY_OK);
	int64_t job = j.id;
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_job_claim(st, "dead", -1, 2, &j, NULL), WY_OK);
	ASSERT_EQ(j.id, job);
	ASSERT_EQ(j.attempt, 2);
	wy_job_clear(&j);
	/* A third try would pass max_attempts: the document fails instead. */
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 2, &j, NULL), WY_EEMPTY);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_FAILED);
	ASSERT_CONTAINS(d.reason, "interrupted");
	wy_doc_clear(&d);
	wy_store_close(st);
}

TEST(a_void_claim_cannot_publish)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job old, cur;
	/* Worker A stalls past its lease; worker B claims the job again. */
	ASSERT_EQ(wy_store_job_claim(st, "A", -1, 3, &old, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(st, "B", 60, 3, &cur, NULL), WY_OK);
	ASSERT_EQ(cur.id, old.id);
	ASSERT_EQ(wy_store_job_progress(st, &old, 1, 1, 60, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_job_fail(st, &old, NULL, "A gave up", NULL), WY_ENOTFOUND);
	publish(st, &old, 1, WY_ENOTFOUND);
	publish(st, &cur, 1, WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	wy_doc_clear(&d);
	wy_job_clear(&old);
	wy_job_clear(&cur);
	wy_store_close(st);
}

TEST(release_returns_job_to_queue)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_release(st, &j, NULL), WY_OK);
	wy_job_clear(&j);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_QUEUED);
	wy_doc_clear(&d);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.attempt, 1); /* the released try did not count */
	wy_job_clear(&j);
	wy_store_close(st);
}

TEST(two_connections_never_claim_the_same_job)
{
	char *dir;
	wy_store *s1 = fresh(&dir), *s2;
	ASSERT_EQ(wy_store_open(dir, &s2, NULL), WY_OK);
	add(s1, SHA_A, NULL, NULL);
	add(s1, SHA_B, NULL, NULL);
	wy_job j1, j2, j3;
	ASSERT_EQ(wy_store_job_claim(s1, "one", 60, 3, &j1, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(s2, "two", 60, 3, &j2, NULL), WY_OK);
	ASSERT(j1.id != j2.id);
	ASSERT_EQ(wy_store_job_claim(s2, "two", 60, 3, &j3, NULL), WY_EEMPTY);
	wy_job_clear(&j1);
	wy_job_clear(&j2);
	int counts[WY_DOC_NSTATUS];
	ASSERT_EQ(wy_store_doc_counts(s2, counts, NULL), WY_OK);
	ASSERT_EQ(counts[WY_DOC_CONVERTING], 2);
	wy_store_close(s1);
	wy_store_close(s2);
	free(dir);
}

TEST(processes_opening_a_new_store_at_once)
{
	char *dir = wy_test_store_location("store-race");
	pid_t pids[6];
	for (int i = 0; i < 6; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			wy_store *st;
			wy_errinfo ei = {0};
			int rc = wy_store_open(dir, &st, &ei);
			if (rc)
				fprintf(stderr, "  child: %s\n", ei.msg);
			wy_store_close(st);
			_exit(rc ? 1 : 0);
		}
	}
	for (int i = 0; i < 6; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

TEST(reopen_keeps_data_and_ids_are_never_reused)
{
	char *dir;
	wy_store *st = fresh(&dir);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_store_close(st);
	ASSERT_EQ(wy_store_open(dir, &st, NULL), WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	wy_doc_clear(&d);
	int64_t b = add(st, SHA_B, NULL, NULL);
	ASSERT_EQ(b, a + 1);
	wy_store_close(st);
	free(dir);
}

TEST(garbage_database_is_an_error_not_a_crash)
{
	if (wy_test_pg()) {
		/* PostgreSQL's files are the server's: what a client can meet is
		 * a database that is not there, or not wenyuan's */
		const char *base = getenv("WENYUAN_TEST_PG");
		char url[1200];
		const char *q = strchr(base, '?');
		snprintf(url, sizeof url, "postgresql:///wy_no_such_database%s", q ? q : "");
		wy_store *st;
		wy_errinfo ei = {0};
		ASSERT_EQ(wy_store_open(url, &st, &ei), WY_EIO);
		ASSERT_CONTAINS(ei.msg, "wy_no_such_database");
		/* a schema version from a later wenyuan is refused, not guessed at */
		char *loc = wy_test_store_location("store-bad");
		ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK);
		wy_store_close(st);
		PGconn *c = PQconnectdb(loc);
		ASSERT(PQstatus(c) == CONNECTION_OK);
		PQclear(PQexec(c, "UPDATE wy_schema SET version = 1000"));
		PQfinish(c);
		memset(&ei, 0, sizeof ei);
		ASSERT_EQ(wy_store_open(loc, &st, &ei), WY_ESTORE);
		ASSERT_CONTAINS(ei.msg, "newer");
		return;
	}
	char *dir = wy_test_tmpdir("store-bad");
	char path[600];
	snprintf(path, sizeof path, "%s/wenyuan.db", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	char junk[8192];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7919 % 251);
	ASSERT_EQ(write(fd, junk, sizeof junk), (long long)sizeof junk);
	close(fd);
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(dir, &st, &ei);
	ASSERT(rc == WY_ECORRUPT || rc == WY_ESTORE);
	ASSERT(ei.msg[0]);
}

static const wy_category *find_cat(const wy_category_list *l, const char *path)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->items[i].path, path) == 0)
			return &l->items[i];
	return NULL;
}

TEST(category_tree)
{
	wy_store *st = fresh(NULL);
	wy_category_list l;
	/* a new store has the default tree of a Chinese document site */
	ASSERT_EQ(wy_store_category_list(st, &l, NULL), WY_OK);
	ASSERT(l.n > 20);
	ASSERT(find_cat(&l, "资格与职业考试/其它"));
	ASSERT_EQ(find_cat(&l, "教育资料/高中")->depth, 1);
	wy_category_list_clear(&l);

	int64_t id;
	ASSERT_EQ(wy_store_category_add(st, "行业资料/计算机/人工智能", &id, NULL), WY_OK);
	add(st, SHA_A, NULL, "行业资料/计算机/人工智能");
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_category_add(st, "坏/名\x01字", &id, &ei), WY_EINVAL);
	ASSERT_EQ(wy_store_category_rename(st, "行业资料/计算机", "信息技术", NULL), WY_OK);
	ASSERT_EQ(wy_store_category_rename(st, "行业资料/信息技术", "金融", NULL), WY_EINVAL); /* exists */
	ASSERT_EQ(wy_store_category_rename(st, "没有这个", "x", NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_category_rename(st, "行业资料/信息技术", "a/b", NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_category_move(st, "行业资料/信息技术", "教育资料", NULL), WY_OK);
	ASSERT_EQ(wy_store_category_move(st, "教育资料", "教育资料/信息技术", NULL), WY_EINVAL); /* into itself */
	ASSERT_EQ(wy_store_category_move(st, "教育资料/信息技术", "", NULL), WY_OK);             /* to the top */
	ASSERT_EQ(wy_store_category_list(st, &l, NULL), WY_OK);
	const wy_category *k = find_cat(&l, "信息技术/人工智能");
	ASSERT(k);
	ASSERT_EQ(k->docs, 0); /* counted once anyone may see it: it is queued */
	ASSERT_EQ(k->depth, 1);
	ASSERT_EQ(find_cat(&l, "信息技术")->parent_id, 0);
	ASSERT(!find_cat(&l, "行业资料/计算机"));
	ASSERT(!find_cat(&l, "行业资料/信息技术/人工智能"));
	wy_category_list_clear(&l);
	/* the document moved with its category */
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, 1, &d, NULL), WY_OK);
	ASSERT_STR_EQ(d.category, "信息技术/人工智能");
	wy_doc_clear(&d);
	/* ready, it counts */
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	publish(st, &j, 1, WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_category_list(st, &l, NULL), WY_OK);
	ASSERT_EQ(find_cat(&l, "信息技术/人工智能")->docs, 1);
	wy_category_list_clear(&l);
	wy_store_close(st);
}

static int count_ref(void *ctx, const char *sha)
{
	int *seen = ctx;
	if (sha[0] == 'a')
		seen[0]++;
	if (sha[0] == 'c')
		seen[1]++;
	return 0;
}

TEST(blob_refs_lists_every_reference)
{
	wy_store *st = fresh(NULL);
	add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	publish(st, &j, 2, WY_OK);
	wy_job_clear(&j);
	int seen[2] = {0, 0};
	ASSERT_EQ(wy_store_blob_refs(st, count_ref, seen, NULL), WY_OK);
	ASSERT_EQ(seen[0], 1);
	ASSERT_EQ(seen[1], 1); /* pages and thumbnail share one object here */
	wy_store_close(st);
}

/* Found by an attacker: one account's six slow files held every converter
 * while others' uploads waited. The queue is fair between accounts: the
 * next job is of the account with the fewest running, then the oldest. */
TEST(the_queue_is_fair_between_accounts)
{
	wy_store *st = fresh(NULL);
	int64_t ids[4];
	for (int i = 0; i < 4; i++) {
		char sha[65];
		snprintf(sha, sizeof sha, "%064d", 500 + i);
		wy_doc_new dn = {.filename = "x.pdf", .sha256 = sha, .size = 10, .owner_id = i < 3 ? 1 : 2};
		bool existed;
		ASSERT_EQ(wy_store_doc_add(st, &dn, &ids[i], &existed, NULL), WY_OK);
	}
	wy_job j1, j2, j3;
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &j1, NULL), WY_OK);
	ASSERT_EQ(j1.doc_id, ids[0]); /* nobody runs anything: the oldest */
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &j2, NULL), WY_OK);
	ASSERT_EQ(j2.doc_id, ids[3]); /* account 1 runs one, account 2 none */
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &j3, NULL), WY_OK);
	ASSERT_EQ(j3.doc_id, ids[1]);
	wy_job_clear(&j1);
	wy_job_clear(&j2);
	wy_job_clear(&j3);
	wy_store_close(st);
}

/* The same attacker with two accounts, older jobs in both: a newcomer's
 * job still goes before the attackers' next ones, since among accounts
 * with as few running, the one whose turn came longest ago goes first. */
TEST(the_queue_goes_round_between_accounts)
{
	wy_store *st = fresh(NULL);
	int64_t ids[5];
	const int64_t owner[5] = {1, 1, 2, 2, 3};
	for (int i = 0; i < 5; i++) {
		char sha[65];
		snprintf(sha, sizeof sha, "%064d", 600 + i);
		wy_doc_new dn = {.filename = "x.pdf", .sha256 = sha, .size = 10, .owner_id = owner[i]};
		bool existed;
		ASSERT_EQ(wy_store_doc_add(st, &dn, &ids[i], &existed, NULL), WY_OK);
	}
	wy_job a, b, c;
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &a, NULL), WY_OK);
	ASSERT_EQ(a.doc_id, ids[0]);
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &b, NULL), WY_OK);
	ASSERT_EQ(b.doc_id, ids[2]);
	/* account 1's job ends (the time limit); a slot is free */
	ASSERT_EQ(wy_store_job_fail(st, &a, "pdf", "took too long", NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(st, "w", 60, 3, &c, NULL), WY_OK);
	ASSERT_EQ(c.doc_id, ids[4]); /* account 3 never had a turn */
	wy_job_clear(&a);
	wy_job_clear(&b);
	wy_job_clear(&c);
	wy_store_close(st);
}

static void count_problem(void *ctx, const char *problem)
{
	(void)problem;
	++*(int *)ctx;
}

/* A conversion publishes its outline with its pages; a recognition batch
 * leaves it; a reconversion replaces it (with none when it found none). */
TEST(outline_is_published_with_the_pages)
{
	wy_store *st = fresh(NULL);
	int64_t id = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_outline o = {0};
	ASSERT(wy_outline_add(&o, "第一章", 1, 0));
	ASSERT(wy_outline_add(&o, "第一节", 2, 1));
	ASSERT(wy_outline_add(&o, "第二章", 3, 0));
	wy_page pages[3] = {{.page_no = 1, .text = (char *)"x"}, {.page_no = 2, .text = (char *)""}, {.page_no = 3, .text = (char *)"z"}};
	for (int i = 0; i < 3; i++)
		memcpy(pages[i].image_sha256, SHA_P, 65);
	wy_doc_result r = {.format = "pdf", .npages = 3, .pages = pages, .ocr_next = 2, .ocr_batch = 5, .outline = &o};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	wy_outline got = {0};
	ASSERT_EQ(wy_store_outline_get(st, id, &got, NULL), WY_OK);
	ASSERT_EQ(got.n, 3);
	ASSERT_STR_EQ(got.items[1].title, "第一节");
	ASSERT_EQ(got.items[1].page, 2);
	ASSERT_EQ(got.items[1].depth, 1);
	ASSERT_STR_EQ(got.items[2].title, "第二章");
	wy_outline_free(&got);
	/* the recognition batch of page 2 publishes no outline: it stays */
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.ocr_from, 2);
	wy_page p2 = {.page_no = 2, .text = (char *)"y"};
	wy_doc_result rr = {.npages = 1, .pages = &p2};
	ASSERT_EQ(wy_store_job_finish(st, &j, &rr, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_outline_get(st, id, &got, NULL), WY_OK);
	ASSERT_EQ(got.n, 3);
	wy_outline_free(&got);
	int problems = 0;
	ASSERT_EQ(wy_store_check(st, count_problem, &problems, NULL), WY_OK);
	ASSERT_EQ(problems, 0);
	/* an entry past the last page is what fsck reports */
	wy_outline far = {0};
	ASSERT(wy_outline_add(&far, "远", 9, 0));
	ASSERT_EQ(wy_store_outline_set(st, id, &far, NULL), WY_OK);
	ASSERT_EQ(wy_store_check(st, count_problem, &problems, NULL), WY_OK);
	ASSERT_EQ(problems, 1);
	wy_outline_free(&far);
	/* converted again, with no outline found: none */
	ASSERT_EQ(wy_store_doc_retry(st, id, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	r.outline = NULL;
	r.ocr_next = 0;
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_outline_get(st, id, &got, NULL), WY_OK);
	ASSERT_EQ(got.n, 0);
	wy_outline_free(&o);
	wy_store_close(st);
}

/* pages first..first+n-1 with text "第N页" (n at most 5) */
static void some_pages(wy_page pages[5], int first, int n)
{
	static char texts[5][32];
	memset(pages, 0, 5 * sizeof *pages);
	for (int i = 0; i < n; i++) {
		pages[i].page_no = first + i;
		snprintf(texts[i], sizeof texts[i], "第%d页", first + i);
		pages[i].text = texts[i];
		memcpy(pages[i].image_sha256, SHA_P, 65);
		pages[i].width = 1240;
		pages[i].height = 1754;
	}
}

/* Issue 20: pages published while a conversion runs make the document
 * readable; a stopped converter's job is requeued and resumed after the
 * pages stored; the end publishes the rest and keeps the title picked
 * first; a failed conversion takes a readable document's pages away. */
TEST(pages_published_as_they_come_then_resumed)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	wy_page pg[5];
	wy_doc d;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.resume_from, 0);
	some_pages(pg, 1, 2);
	wy_doc_result r = {.format = "pdf", .title = "首批的标题", .thumb_sha256 = SHA_P, .npages = 5, .pages = pg};
	ASSERT_EQ(wy_store_job_pages(st, &j, &r, 2, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READABLE);
	ASSERT_STR_EQ(wy_doc_status_name(d.status), "readable");
	ASSERT_EQ(d.pages, 2);
	ASSERT_EQ(d.progress_done, 2);
	ASSERT_EQ(d.progress_total, 5);
	ASSERT_STR_EQ(d.title, "首批的标题");
	wy_doc_clear(&d);
	/* readable counts as open: a visitor's listing shows it */
	wy_doc_list l;
	ASSERT_EQ(wy_store_doc_popular(st, 10, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 1);
	wy_doc_list_clear(&l);
	/* the next pages must follow those stored */
	some_pages(pg, 4, 1);
	r.stored = 3;
	ASSERT_EQ(wy_store_job_pages(st, &j, &r, 1, NULL), WY_EINVAL);
	some_pages(pg, 3, 1);
	r.stored = 2;
	r.title = "后来的标题";
	ASSERT_EQ(wy_store_job_pages(st, &j, &r, 1, NULL), WY_OK);
	/* the converter stopped: requeued, the document readable meanwhile */
	ASSERT_EQ(wy_store_job_requeue(st, &j, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_pages(st, &j, &r, 1, NULL), WY_ENOTFOUND); /* the claim is void */
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_doc_retry(st, a, true, NULL), WY_EINVAL); /* still converting */
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.attempt, 2);
	ASSERT_EQ(j.resume_from, 3);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READABLE);
	ASSERT_EQ(d.pages, 3);
	wy_doc_clear(&d);
	/* stopping: released, it stays readable */
	ASSERT_EQ(wy_store_job_release(st, &j, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.resume_from, 3);
	/* the end: pages 4 and 5, the title picked first kept */
	some_pages(pg, 4, 2);
	wy_doc_result end = {.format = "pdf", .title = "结尾的标题", .npages = 5, .stored = 3, .pages = pg,
			     .keywords = "第五页"};
	ASSERT_EQ(wy_store_job_finish(st, &j, &end, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.pages, 5);
	ASSERT_STR_EQ(d.title, "首批的标题");
	ASSERT_STR_EQ(d.thumb_sha256, SHA_P);
	ASSERT_EQ(d.progress_total, 0);
	wy_doc_clear(&d);
	for (int i = 1; i <= 5; i++) {
		wy_page p;
		char want[32];
		snprintf(want, sizeof want, "第%d页", i);
		ASSERT_EQ(wy_store_page_get(st, a, i, &p, NULL), WY_OK);
		ASSERT_STR_EQ(p.text, want);
		wy_page_clear(&p);
	}

	/* a conversion that fails takes a readable document's pages away */
	int64_t b = add(st, SHA_B, NULL, NULL);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.doc_id, b);
	some_pages(pg, 1, 2);
	wy_doc_result rb = {.format = "pdf", .title = "乙", .npages = 4, .pages = pg};
	ASSERT_EQ(wy_store_job_pages(st, &j, &rb, 2, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_fail(st, &j, "pdf", "nearly the same text as document 1 (95% alike): refused", NULL),
		  WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_doc_get(st, b, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_FAILED);
	ASSERT_EQ(d.pages, 0);
	wy_doc_clear(&d);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(st, b, 1, &p, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

/* `wenyuan import` skips a file whose bytes are in the library: a public
 * document or one with no owner (an import's), the first one, not a
 * deleted one, nor an account's private upload. */
TEST(a_document_is_found_by_its_bytes)
{
	wy_store *st = fresh(NULL);
	int64_t id = 0;
	ASSERT_EQ(wy_store_doc_of_sha256(st, SHA_A, &id, NULL), WY_ENOTFOUND);
	wy_doc_new dn = {.filename = "a.pdf", .sha256 = SHA_A, .size = 1234, .owner_id = 7, .private_ = true};
	int64_t a, b, c;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &a, &existed, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_of_sha256(st, SHA_A, &id, NULL), WY_ENOTFOUND); /* another's private upload */
	wy_doc_new dn2 = {.filename = "b.pdf", .sha256 = SHA_A, .size = 1234};
	ASSERT_EQ(wy_store_doc_add(st, &dn2, &b, &existed, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_of_sha256(st, SHA_A, &id, NULL), WY_OK);
	ASSERT_EQ(id, b);
	wy_doc_new dn3 = {.filename = "c.pdf", .sha256 = SHA_A, .size = 1234};
	ASSERT_EQ(wy_store_doc_add(st, &dn3, &c, &existed, NULL), WY_OK);
	ASSERT_EQ(c, b); /* the same bytes with no owner are the same document */
	ASSERT_EQ(wy_store_doc_set_state(st, b, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_of_sha256(st, SHA_A, &id, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_doc_of_sha256(st, SHA_B, &id, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

/* An owner's edit, and a new version of the original: converted as a row
 * of its own while the document keeps its pages, then swapped in by the end
 * of its conversion; a failed one leaves the document as it was. */
TEST(edit_and_a_new_version_swapped_in)
{
	wy_store *st = fresh(NULL);
	int64_t a = add(st, SHA_A, NULL, NULL);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	publish(st, &j, 1, WY_OK);
	wy_job_clear(&j);
	/* the edit */
	wy_doc_edit e = {.title = "新的标题", .tags = "甲,乙", .price = 7, .private_ = -1};
	ASSERT_EQ(wy_store_doc_edit(st, a, &e, NULL), WY_OK);
	wy_doc_edit bad = {.category = "没有这个分类", .price = -1, .private_ = -1};
	ASSERT_EQ(wy_store_doc_edit(st, a, &bad, NULL), WY_EINVAL);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_STR_EQ(d.title, "新的标题");
	ASSERT_STR_EQ(d.tags, "甲,乙");
	ASSERT_EQ(d.price, 7);
	ASSERT(d.category == NULL);
	wy_doc_clear(&d);
	/* a new version: the document stays as it is while it converts */
	wy_doc_new v = {.filename = "新版.docx", .sha256 = SHA_B, .size = 99};
	int64_t vid;
	ASSERT_EQ(wy_store_doc_replace(st, a, &v, &vid, NULL), WY_OK);
	ASSERT(vid != a);
	ASSERT_EQ(wy_store_doc_replace(st, vid, &v, &vid, NULL), WY_ENOTFOUND); /* a version is no document */
	wy_doc_version ver;
	ASSERT_EQ(wy_store_doc_version(st, a, &ver, NULL), WY_OK);
	ASSERT_EQ(ver.id, vid);
	ASSERT_EQ(ver.status, WY_DOC_QUEUED);
	wy_doc_version_clear(&ver);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.doc_id, vid);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_STR_EQ(d.sha256, SHA_A);
	ASSERT_EQ(d.pages, 1);
	wy_doc_clear(&d);
	publish(st, &j, 2, WY_OK);
	wy_job_clear(&j);
	/* swapped in: the same id, the new original and pages, the title kept */
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_STR_EQ(d.sha256, SHA_B);
	ASSERT_STR_EQ(d.filename, "新版.docx");
	ASSERT_EQ(d.pages, 2);
	ASSERT_EQ(d.size, 99);
	ASSERT_STR_EQ(d.title, "新的标题");
	wy_doc_clear(&d);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(st, a, 2, &p, NULL), WY_OK);
	wy_page_clear(&p);
	ASSERT_EQ(wy_store_doc_get(st, vid, &d, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_doc_version(st, a, &ver, NULL), WY_ENOTFOUND);
	/* a version that fails: the document keeps what it has */
	ASSERT_EQ(wy_store_doc_replace(st, a, &v, &vid, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_fail(st, &j, NULL, "the file is damaged", NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(wy_store_doc_version(st, a, &ver, NULL), WY_OK);
	ASSERT_EQ(ver.status, WY_DOC_FAILED);
	ASSERT_STR_EQ(ver.reason, "the file is damaged");
	wy_doc_version_clear(&ver);
	ASSERT_EQ(wy_store_doc_get(st, a, &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.pages, 2);
	wy_doc_clear(&d);
	int problems = 0;
	ASSERT_EQ(wy_store_check(st, count_problem, &problems, NULL), WY_OK);
	ASSERT_EQ(problems, 0);
	wy_store_close(st);
}

TEST_LIST(T(listings_and_counts_before_any_conversion), T(the_queue_is_fair_between_accounts), T(the_queue_goes_round_between_accounts), T(add_get_list), T(duplicate_returns_existing), T(claim_finish_publishes_everything),
	  T(user_title_survives_conversion), T(bad_result_changes_nothing), T(fail_then_retry),
	  T(expired_lease_is_claimed_again_then_abandoned), T(a_void_claim_cannot_publish), T(release_returns_job_to_queue),
	  T(two_connections_never_claim_the_same_job), T(processes_opening_a_new_store_at_once), T(reopen_keeps_data_and_ids_are_never_reused),
	  T(garbage_database_is_an_error_not_a_crash), T(category_tree), T(blob_refs_lists_every_reference),
	  T(same_bytes_of_another_owner_are_a_new_document), T(jobs_carry_their_request_and_count_their_end),
	  T(outline_is_published_with_the_pages), T(pages_published_as_they_come_then_resumed),
	  T(a_document_is_found_by_its_bytes), T(edit_and_a_new_version_swapped_in))


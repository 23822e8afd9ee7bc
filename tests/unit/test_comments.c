/* Ratings and comments in the store (sqlite_comments.c): the average kept
 * on the document's row, no rating of one's own upload, replies one level
 * deep, what each reader sees (pending, hidden, private documents), the
 * hourly limit and review as the site settings say, reports of a comment,
 * deleting; and ratings and comments from concurrent processes (the sums
 * agree with the rows, the limit holds). */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir_of_last;

static wy_store *fresh(void)
{
	char *dir = wy_test_store_location("comments");
	wy_store *st;
	if (wy_store_open(dir, &st, NULL))
		return NULL;
	free(dir_of_last);
	dir_of_last = wy_xstrdup(dir);
	return st;
}

static int64_t user(wy_store *st, const char *name)
{
	int64_t id = 0;
	ASSERT_EQ(wy_store_user_add(st, name, "$argon2id$fake", WY_ROLE_USER, 0, &id, NULL), WY_OK);
	return id;
}

/* A ready document of owner with one page. */
static int64_t doc(wy_store *st, int64_t owner, bool private_)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial + 2000);
	wy_doc_new dn = {.filename = "a.txt", .sha256 = sha, .size = 10, .owner_id = owner, .uploader = "someone",
			 .private_ = private_};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p = {.page_no = 1, .text = "正文", .width = 10, .height = 10};
	snprintf(p.image_sha256, 65, "%064d", serial + 9000);
	wy_doc_result r = {.format = "txt", .title = "标题", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	return id;
}

static void problem(void *ctx, const char *p)
{
	fprintf(stderr, "  fsck: %s\n", p);
	(*(int *)ctx)++;
}

static int problems(wy_store *st)
{
	int n = 0;
	ASSERT_EQ(wy_store_check(st, problem, &n, NULL), WY_OK);
	return n;
}

static const wy_comment_rule OPEN = {0, false};

static int64_t say(wy_store *st, int64_t who, bool admin, int64_t d, int64_t parent, const char *text, int *state)
{
	int64_t id = 0;
	int s = -1;
	ASSERT_EQ(wy_store_comment_add(st, who, admin, d, parent, text, &OPEN, &id, &s, NULL), WY_OK);
	if (state)
		*state = s;
	return id;
}

TEST(ratings_average_change_and_refusals)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob"), c = user(st, "carol");
	int64_t d = doc(st, a, false), p = doc(st, a, true);
	double avg;
	int64_t n;
	ASSERT_EQ(wy_store_rating_set(st, b, false, d, 4, &avg, &n, NULL), WY_OK);
	ASSERT_EQ(n, 1);
	ASSERT(avg == 4.0);
	ASSERT_EQ(wy_store_rating_set(st, c, false, d, 5, &avg, &n, NULL), WY_OK);
	ASSERT_EQ(n, 2);
	ASSERT(avg == 4.5);
	ASSERT_EQ(wy_store_rating_set(st, b, false, d, 1, &avg, &n, NULL), WY_OK); /* changed, not added */
	ASSERT_EQ(n, 2);
	ASSERT(avg == 3.0);
	ASSERT_EQ(wy_store_rating_set(st, a, false, d, 5, &avg, &n, NULL), WY_EPERM);     /* her own */
	ASSERT_EQ(wy_store_rating_set(st, b, false, d, 6, &avg, &n, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_rating_set(st, b, false, p, 5, &avg, &n, NULL), WY_ENOTFOUND); /* another's private */
	ASSERT_EQ(wy_store_rating_set(st, b, true, p, 5, &avg, &n, NULL), WY_OK);        /* an admin sees it */
	int mine;
	ASSERT_EQ(wy_store_rating_get(st, b, d, &mine, NULL), WY_OK);
	ASSERT_EQ(mine, 1);
	wy_doc got;
	ASSERT_EQ(wy_store_doc_get(st, d, &got, NULL), WY_OK);
	ASSERT_EQ(got.ratings, 2);
	ASSERT(got.rating == 3.0);
	wy_doc_clear(&got);
	/* a deleted document takes no rating, even from an admin */
	ASSERT_EQ(wy_store_doc_set_state(st, d, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(wy_store_rating_set(st, c, true, d, 2, &avg, &n, NULL), WY_ENOTFOUND);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST(replies_one_level_deep_and_who_sees_what)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob"), c = user(st, "carol");
	int64_t d = doc(st, a, false), p = doc(st, a, true);
	int64_t top = say(st, b, false, d, 0, "一楼", NULL);
	int64_t r1 = say(st, c, false, d, top, "二楼", NULL);
	int64_t r2 = say(st, a, false, d, r1, "楼主回复", NULL); /* to a reply: joins the top comment */
	wy_comment_list l;
	int total, all;
	ASSERT_EQ(wy_store_comment_list(st, 0, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(all, 3);
	ASSERT_EQ(l.n, 3);
	ASSERT_EQ(l.items[0].id, top);
	ASSERT_EQ(l.items[0].nreplies, 2);
	ASSERT_EQ(l.items[2].id, r2);
	ASSERT_EQ(l.items[2].parent_id, top);
	ASSERT(l.items[2].by_uploader && !l.items[1].by_uploader);
	wy_comment_list_clear(&l);
	/* a reply's parent must be a comment of the same document */
	int64_t id;
	int state;
	ASSERT_EQ(wy_store_comment_add(st, b, false, p, top, "x", &OPEN, &id, &state, NULL), WY_ENOTFOUND);
	/* a private document's comments: its owner's and the admins' */
	int64_t secret = say(st, a, false, p, 0, "秘密", NULL);
	ASSERT_EQ(wy_store_comment_list(st, b, false, p, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(l.n + total + all, 0);
	wy_comment_list_clear(&l);
	ASSERT_EQ(wy_store_comment_list(st, 0, true, p, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	wy_comment_list_clear(&l);
	wy_comment cm;
	ASSERT_EQ(wy_store_comment_get(st, b, false, secret, &cm, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_comment_add(st, b, false, p, 0, "x", &OPEN, &id, &state, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_comment_report(st, b, false, secret, "其他", NULL, &id, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_comment_delete(st, b, false, secret, &id, NULL), WY_ENOTFOUND);
	/* hidden: admins only, its author too loses it; its reports close */
	int64_t rep;
	ASSERT_EQ(wy_store_comment_report(st, c, false, top, "其他", "广告", &rep, NULL), WY_OK);
	int64_t on;
	ASSERT_EQ(wy_store_comment_set_state(st, top, WY_COMMENT_HIDDEN, &on, NULL), WY_OK);
	ASSERT_EQ(on, d);
	ASSERT_EQ(wy_store_comment_list(st, b, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(l.n + total + all, 0); /* its replies went with it */
	wy_comment_list_clear(&l);
	wy_report_list rl;
	ASSERT_EQ(wy_store_report_list(st, false, 0, 10, &rl, &total, NULL), WY_OK);
	ASSERT_EQ(rl.n, 1);
	ASSERT_EQ(rl.items[0].comment_id, top);
	ASSERT(!rl.items[0].open);
	ASSERT_EQ(rl.items[0].comment_state, WY_COMMENT_HIDDEN);
	wy_report_list_clear(&rl);
	/* deleting: one's own, with its replies */
	ASSERT_EQ(wy_store_comment_set_state(st, top, WY_COMMENT_PUBLISHED, &on, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_delete(st, c, false, top, &on, NULL), WY_ENOTFOUND); /* not hers */
	ASSERT_EQ(wy_store_comment_delete(st, b, false, top, &on, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_list(st, 0, true, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(all, 0);
	wy_comment_list_clear(&l);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST(a_thread_shows_its_first_replies)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob");
	int64_t d = doc(st, a, false);
	int64_t top = say(st, b, false, d, 0, "一楼", NULL);
	int64_t first = 0;
	for (int i = 0; i < WY_COMMENT_REPLIES + 1; i++) {
		int64_t r = say(st, a, false, d, top, "回复", NULL);
		first = first ? first : r;
	}
	int64_t later = say(st, b, false, d, 0, "二楼", NULL);
	wy_comment_list l;
	int total, all;
	ASSERT_EQ(wy_store_comment_list(st, 0, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_EQ(all, WY_COMMENT_REPLIES + 3);
	ASSERT_EQ(l.n, WY_COMMENT_REPLIES + 2);
	ASSERT_EQ(l.items[0].id, later);
	ASSERT_EQ(l.items[1].id, top);
	ASSERT_EQ(l.items[1].nreplies, WY_COMMENT_REPLIES);
	ASSERT_EQ(l.items[2].id, first);
	wy_comment_list_clear(&l);
	wy_store_close(st);
}

TEST(review_and_the_hourly_limit_follow_the_site_settings)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob"), c = user(st, "carol");
	int64_t d = doc(st, a, false);
	wy_comment_rule rule = {2, false};
	int64_t id;
	int state;
	ASSERT_EQ(wy_store_comment_add(st, b, false, d, 0, "1", &rule, &id, &state, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_add(st, b, false, d, 0, "2", &rule, &id, &state, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_add(st, b, false, d, 0, "3", &rule, &id, &state, NULL), WY_ETOOBIG);
	/* an admin's setting wins over the process's rule */
	ASSERT_EQ(wy_store_setting_set(st, "comments_per_hour", "3", NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_add(st, b, false, d, 0, "3", &rule, &id, &state, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_add(st, b, false, d, 0, "4", &rule, &id, &state, NULL), WY_ETOOBIG);
	ASSERT_EQ(wy_store_setting_set(st, "comment_review", "1", NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_add(st, c, false, d, 0, "待审", &rule, &id, &state, NULL), WY_OK);
	ASSERT_EQ(state, WY_COMMENT_PENDING);
	wy_comment_list l;
	int total, all;
	ASSERT_EQ(wy_store_comment_list(st, b, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 3); /* not carol's */
	wy_comment_list_clear(&l);
	ASSERT_EQ(wy_store_comment_list(st, c, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 4);
	ASSERT_EQ(l.items[0].state, WY_COMMENT_PENDING);
	wy_comment_list_clear(&l);
	ASSERT_EQ(wy_store_comment_pending(st, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.items[0].id, id);
	wy_comment_list_clear(&l);
	int64_t on;
	ASSERT_EQ(wy_store_comment_set_state(st, id, WY_COMMENT_PUBLISHED, &on, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_list(st, 0, false, d, 0, 20, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 4);
	wy_comment_list_clear(&l);
	wy_store_close(st);
}

/* Four processes: each of 8 readers rates the same document many times
 * over, and one reader posts as fast as it can under a limit of 10 an
 * hour. The document's sum and count are its ratings' (fsck finds nothing)
 * and exactly 10 comments were stored. */
TEST(concurrent_processes_keep_the_sums_and_the_limit)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), readers[8];
	for (int i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof name, "reader%d", i);
		readers[i] = user(st, name);
	}
	int64_t d = doc(st, a, false);
	wy_store_close(st);
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		if ((kids[k] = fork()) == 0) {
			wy_store *s;
			if (wy_store_open(dir_of_last, &s, NULL))
				_exit(2);
			double avg;
			int64_t n;
			wy_comment_rule rule = {10, false};
			int bad = 0;
			for (int i = 0; i < 40; i++) {
				if (wy_store_rating_set(s, readers[(i + k) % 8], false, d, 1 + (i * 7 + k) % 5, &avg, &n, NULL))
					bad++;
				int64_t id;
				int state;
				int rc = wy_store_comment_add(s, readers[0], false, d, 0, "快", &rule, &id, &state, NULL);
				if (rc && rc != WY_ETOOBIG)
					bad++;
			}
			wy_store_close(s);
			_exit(bad ? 3 : 0);
		}
	}
	for (int k = 0; k < 4; k++) {
		int status;
		ASSERT(waitpid(kids[k], &status, 0) == kids[k]);
		ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(wy_store_open(dir_of_last, &st, NULL), WY_OK);
	wy_doc got;
	ASSERT_EQ(wy_store_doc_get(st, d, &got, NULL), WY_OK);
	ASSERT_EQ(got.ratings, 8);
	wy_doc_clear(&got);
	wy_comment_list l;
	int total, all;
	ASSERT_EQ(wy_store_comment_list(st, 0, false, d, 0, 100, &l, &total, &all, NULL), WY_OK);
	ASSERT_EQ(total, 10);
	wy_comment_list_clear(&l);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

/* attack 17 F1/F6/F7: a repeat of an open report adds no row; 20 reports of
 * comments an hour; a deleted comment's id is never given again, so its
 * reports say it is gone instead of showing a later comment. */
TEST(reports_one_per_reader_limited_and_ids_never_reused)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob"), c = user(st, "carol");
	int64_t d1 = doc(st, a, false), d2 = doc(st, a, false);
	int64_t x = say(st, b, false, d1, 0, "要被删的", NULL), z = say(st, b, false, d1, 0, "另一条", NULL);
	int64_t r1, r2;
	ASSERT_EQ(wy_store_comment_report(st, c, false, z, "其他", "一", &r1, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_report(st, c, false, z, "其他", "二", &r2, NULL), WY_EEXIST);
	ASSERT_EQ(r2, r1);
	ASSERT_EQ(wy_store_comment_report(st, a, false, z, "其他", NULL, &r2, NULL), WY_OK); /* another reader's */
	ASSERT(r2 != r1);
	ASSERT_EQ(wy_store_comment_reports_close(st, z, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_report(st, c, false, z, "其他", "三", &r2, NULL), WY_OK); /* a closed one: anew */
	ASSERT(r2 != r1);
	/* the newest comment deleted: the next one anywhere gets a new id */
	int64_t rx, on;
	ASSERT_EQ(wy_store_comment_report(st, c, false, x, "广告垃圾", NULL, &rx, NULL), WY_OK);
	int64_t last = say(st, b, false, d1, 0, "最新", NULL);
	ASSERT_EQ(wy_store_comment_report(st, c, false, last, "广告垃圾", "最新的", &r2, NULL), WY_OK);
	ASSERT_EQ(wy_store_comment_delete(st, b, false, last, &on, NULL), WY_OK);
	int64_t y = say(st, b, false, d2, 0, "无辜的", NULL);
	ASSERT(y > last);
	wy_report_list rl;
	int total;
	ASSERT_EQ(wy_store_report_list(st, false, 0, 50, &rl, &total, NULL), WY_OK);
	ASSERT_EQ(rl.items[0].id, r2);
	ASSERT_EQ(rl.items[0].comment_id, last);
	ASSERT_EQ(rl.items[0].comment_state, -1); /* gone, not bob's later comment */
	ASSERT(rl.items[0].comment_text == NULL);
	wy_report_list_clear(&rl);
	/* carol has made 4 reports of comments this hour: 16 more, then no */
	for (int i = 0; i < 16; i++) {
		int64_t k = say(st, b, false, d2, 0, "又一条", NULL);
		ASSERT_EQ(wy_store_comment_report(st, c, false, k, "其他", NULL, &r2, NULL), WY_OK);
	}
	ASSERT_EQ(wy_store_comment_report(st, c, false, y, "其他", NULL, &r2, NULL), WY_ETOOBIG);
	ASSERT_EQ(wy_store_comment_report(st, a, false, y, "其他", NULL, &r2, NULL), WY_OK);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST_LIST(T(ratings_average_change_and_refusals), T(replies_one_level_deep_and_who_sees_what), T(a_thread_shows_its_first_replies),
	  T(review_and_the_hourly_limit_follow_the_site_settings), T(concurrent_processes_keep_the_sums_and_the_limit),
	  T(reports_one_per_reader_limited_and_ids_never_reused))

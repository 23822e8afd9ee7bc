/* Accounts in the store (sqlite_users.c): names, sessions, bans, favorites,
 * the points ledger's rules, upload points, who may see a blob, reports,
 * moderation, the audit log and site settings; and the points ledger
 * under concurrent processes; names that look like other names. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "text/confusable.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir_of_last;

static wy_store *fresh(void)
{
	const char *dir = wy_test_store_location("users");
	wy_store *st;
	if (wy_store_open(dir, &st, NULL))
		return NULL;
	free(dir_of_last);
	dir_of_last = wy_xstrdup(dir);
	return st;
}

/* Run sql on the store at location behind the store's back (a day gone
 * by, in the ledger's times): its database, SQLite's or PostgreSQL's. */
static void store_sql(const char *location, const char *sql)
{
	if (wy_test_pg()) {
		PGconn *c = PQconnectdb(location);
		ASSERT(PQstatus(c) == CONNECTION_OK);
		PGresult *r = PQexec(c, sql);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		PQfinish(c);
		ASSERT(ok);
		return;
	}
	char *path = wy_xasprintf("%s/wenyuan.db", location);
	sqlite3 *db;
	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

static int64_t user(wy_store *st, const char *name, int64_t points)
{
	int64_t id = 0;
	ASSERT_EQ(wy_store_user_add(st, name, "$argon2id$fake", WY_ROLE_USER, points, &id, NULL), WY_OK);
	return id;
}

static int64_t balance(wy_store *st, int64_t id)
{
	wy_user u;
	ASSERT_EQ(wy_store_user_get(st, id, &u, NULL), WY_OK);
	int64_t p = u.points;
	wy_user_clear(&u);
	return p;
}

/* A document of owner, published as ready with one page (image img). */
static int64_t doc(wy_store *st, int64_t owner, bool private_, int state, int64_t price, const char *img)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial + 1000);
	wy_doc_new dn = {.filename = "a.pdf", .sha256 = sha, .size = 10, .owner_id = owner, .uploader = "someone",
			 .private_ = private_, .state = state, .price = price};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p = {.page_no = 1, .text = "正文", .width = 10, .height = 10};
	snprintf(p.image_sha256, 65, "%s", img);
	wy_doc_result r = {.format = "pdf", .title = "标题", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	return id;
}

/* A public document of two pages, images p1 and p2. */
static int64_t doc2(wy_store *st, int64_t owner, const char *p1, const char *p2)
{
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", 4242);
	wy_doc_new dn = {.filename = "b.pdf", .sha256 = sha, .size = 10, .owner_id = owner};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p[2] = {{.page_no = 1, .text = "一", .width = 10, .height = 10},
			{.page_no = 2, .text = "二", .width = 10, .height = 10}};
	snprintf(p[0].image_sha256, 65, "%s", p1);
	snprintf(p[1].image_sha256, 65, "%s", p2);
	wy_doc_result r = {.format = "pdf", .title = "两页", .npages = 2, .pages = p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	return id;
}

static const char *IMG1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *IMG2 = "2222222222222222222222222222222222222222222222222222222222222222";

TEST(names)
{
	wy_store *st = fresh();
	ASSERT(st);
	ASSERT(wy_user_name_valid("张三"));
	ASSERT(wy_user_name_valid("bob_1-x"));
	ASSERT(!wy_user_name_valid("a"));
	ASSERT(!wy_user_name_valid("a b"));
	ASSERT(!wy_user_name_valid("<script>"));
	ASSERT(!wy_user_name_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 bytes */
	ASSERT(!wy_user_name_valid("\xe4\xb8"));                           /* cut UTF-8 */
	user(st, "Alice", 0);
	int64_t id;
	ASSERT_EQ(wy_store_user_add(st, "alice", "h", WY_ROLE_USER, 0, &id, NULL), WY_EEXIST);
	wy_user u;
	char *hash = NULL;
	ASSERT_EQ(wy_store_user_by_name(st, "ALICE", &u, &hash, NULL), WY_OK);
	ASSERT_STR_EQ(u.name, "Alice");
	ASSERT_STR_EQ(hash, "$argon2id$fake");
	free(hash);
	wy_user_clear(&u);
	ASSERT_EQ(wy_store_user_by_name(st, "nobody", &u, NULL, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST(sessions_expire_and_end_with_a_ban_or_a_new_password)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0);
	unsigned char h1[WY_TOKEN_HASH], h2[WY_TOKEN_HASH], h3[WY_TOKEN_HASH];
	memset(h1, 1, sizeof h1);
	memset(h2, 2, sizeof h2);
	memset(h3, 3, sizeof h3);
	ASSERT_EQ(wy_store_session_add(st, h1, a, "c1", wy_now() + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_session_add(st, h2, a, "c2", wy_now() + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_session_add(st, h3, a, "c3", wy_now() - 1, NULL), WY_OK);
	wy_user u;
	char csrf[65];
	ASSERT_EQ(wy_store_session_get(st, h1, &u, csrf, NULL), WY_OK);
	ASSERT_STR_EQ(csrf, "c1");
	ASSERT_EQ(u.id, a);
	wy_user_clear(&u);
	ASSERT_EQ(wy_store_session_get(st, h3, &u, csrf, NULL), WY_ENOTFOUND); /* expired */
	/* a new password keeps the session that set it, ends the others */
	ASSERT_EQ(wy_store_user_set_password(st, a, "new", h1, NULL), WY_OK);
	ASSERT_EQ(wy_store_session_get(st, h1, &u, csrf, NULL), WY_OK);
	wy_user_clear(&u);
	ASSERT_EQ(wy_store_session_get(st, h2, &u, csrf, NULL), WY_ENOTFOUND);
	/* a ban ends them all */
	ASSERT_EQ(wy_store_user_set(st, a, -1, 1, NULL), WY_OK);
	ASSERT_EQ(wy_store_session_get(st, h1, &u, csrf, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_session_add(st, h2, a, "c2", wy_now() + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_session_get(st, h2, &u, csrf, NULL), WY_ENOTFOUND); /* banned */
	ASSERT_EQ(wy_store_user_set(st, 999, -1, 1, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST(rewards_move_points_and_never_overdraw)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 10), b = user(st, "bob", 5);
	int64_t d = doc(st, a, false, WY_STATE_PUBLISHED, 0, IMG1);
	ASSERT_EQ(wy_store_points_reward(st, b, d, 3, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 13);
	ASSERT_EQ(balance(st, b), 2);
	ASSERT_EQ(wy_store_points_reward(st, b, d, 3, NULL), WY_EPOINTS);
	ASSERT_EQ(balance(st, b), 2);
	ASSERT_EQ(wy_store_points_reward(st, a, d, 1, NULL), WY_EPERM); /* one's own */
	ASSERT_EQ(wy_store_points_reward(st, b, d, 0, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_points_reward(st, b, d, -5, NULL), WY_EINVAL);
	int64_t imported = doc(st, 0, false, WY_STATE_PUBLISHED, 0, IMG2);
	ASSERT_EQ(wy_store_points_reward(st, b, imported, 1, NULL), WY_EPERM); /* no uploader */
	ASSERT_EQ(wy_store_points_adjust(st, b, -3, NULL), WY_EPOINTS);
	ASSERT_EQ(wy_store_points_adjust(st, b, -2, NULL), WY_OK);
	ASSERT_EQ(balance(st, b), 0);
	wy_ledger l;
	int total;
	ASSERT_EQ(wy_store_points_ledger(st, a, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_STR_EQ(l.items[0].reason, "rewarded"); /* newest first */
	ASSERT_EQ(l.items[0].delta, 3);
	ASSERT_EQ(l.items[0].other_id, b);
	ASSERT_STR_EQ(l.items[0].other_name, "bob");
	ASSERT_STR_EQ(l.items[1].reason, "register");
	wy_ledger_clear(&l);
	wy_store_close(st);
}

TEST(a_download_is_paid_once_to_the_uploader)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 10), c = user(st, "carol", 2);
	int64_t d = doc(st, a, false, WY_STATE_PUBLISHED, 4, IMG1);
	int64_t paid;
	bool yes;
	ASSERT_EQ(wy_store_download_paid(st, b, d, &yes, NULL), WY_OK);
	ASSERT(!yes);
	ASSERT_EQ(wy_store_download(st, b, d, true, &paid, NULL), WY_OK);
	ASSERT_EQ(paid, 4);
	ASSERT_EQ(wy_store_download(st, b, d, true, &paid, NULL), WY_OK);
	ASSERT_EQ(paid, 0); /* again: free */
	ASSERT_EQ(balance(st, b), 6);
	ASSERT_EQ(balance(st, a), 4);
	ASSERT_EQ(wy_store_download_paid(st, b, d, &yes, NULL), WY_OK);
	ASSERT(yes);
	ASSERT_EQ(wy_store_download(st, c, d, true, &paid, NULL), WY_EPOINTS);
	ASSERT_EQ(wy_store_download_paid(st, c, d, &yes, NULL), WY_OK);
	ASSERT(!yes); /* refused: nothing recorded */
	ASSERT_EQ(wy_store_download(st, a, d, true, &paid, NULL), WY_OK); /* its owner: free */
	ASSERT_EQ(paid, 0);
	ASSERT_EQ(wy_store_download(st, c, d, false, &paid, NULL), WY_OK); /* an admin's: not charged */
	ASSERT_EQ(balance(st, c), 2);
	wy_doc_list l;
	int total;
	ASSERT_EQ(wy_store_user_docs(st, b, WY_MY_DOWNLOADS, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.items[0].id, d);
	wy_doc_list_clear(&l);
	wy_store_close(st);
}

TEST(signin_once_a_day)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0);
	bool granted;
	ASSERT_EQ(wy_store_points_signin(st, a, 100, 2, &granted, NULL), WY_OK);
	ASSERT(granted);
	ASSERT_EQ(wy_store_points_signin(st, a, 100, 2, &granted, NULL), WY_OK);
	ASSERT(!granted);
	ASSERT_EQ(wy_store_points_signin(st, a, 101, 2, &granted, NULL), WY_OK);
	ASSERT(granted);
	ASSERT_EQ(balance(st, a), 4);
	wy_store_close(st);
}

/* ---- upload points (wy_upload_points) ---- */

/* Text of n characters ("文"), then pad spaces and newlines; one of four
 * buffers, so a few may be in use at once. */
static const char *text_of(int n, int pad)
{
	static char bufs[4][8192];
	static int k;
	char *b = bufs[k++ % 4], *p = b;
	for (int i = 0; i < n && p + 4 < b + sizeof bufs[0]; i++)
		p += sprintf(p, "文");
	for (int i = 0; i < pad && p + 2 < b + sizeof bufs[0]; i++)
		*p++ = i % 2 ? '\n' : ' ';
	*p = 0;
	return b;
}

/* A new document of owner (0: imported), queued: nothing converted yet. */
static int64_t doc_queued(wy_store *st, int64_t owner, bool private_, int state)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial + 5000);
	wy_doc_new dn = {.filename = "t.txt", .sha256 = sha, .size = 10, .owner_id = owner, .private_ = private_,
			 .state = state};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	return id;
}

/* The worker converts the oldest queued document: one page of text. */
static void convert_next(wy_store *st, const char *text)
{
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p = {.page_no = 1, .text = (char *)text, .width = 10, .height = 10};
	snprintf(p.image_sha256, 65, "%s", IMG1);
	wy_doc_result r = {.format = "txt", .title = "正文", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
}

static int64_t doc_text(wy_store *st, int64_t owner, bool private_, int state, const char *text)
{
	int64_t id = doc_queued(st, owner, private_, state);
	convert_next(st, text);
	return id;
}

/* What wy_store_check finds wrong (the ledger against each document's
 * upload points among it). */
static void count_problem(void *ctx, const char *problem)
{
	fprintf(stderr, "  problem: %s\n", problem);
	(*(int *)ctx)++;
}

static int problems(wy_store *st)
{
	int n = 0;
	ASSERT_EQ(wy_store_check(st, count_problem, &n, NULL), WY_OK);
	return n;
}

/* Ledger rows of user with reason, and their sum. */
static int ledger_rows(wy_store *st, int64_t user_id, const char *reason, int64_t *sum)
{
	wy_ledger l;
	int total, n = 0;
	*sum = 0;
	ASSERT_EQ(wy_store_points_ledger(st, user_id, 0, 1000, &l, &total, NULL), WY_OK);
	for (int i = 0; i < l.n; i++)
		if (strcmp(l.items[i].reason, reason) == 0) {
			n++;
			*sum += l.items[i].delta;
		}
	wy_ledger_clear(&l);
	return n;
}

static const wy_upload_points RULE = {.points = 5, .daily = 20, .min_chars = 500};

TEST(upload_points_when_ready_public_and_approved_never_twice)
{
	wy_store *st = fresh();
	ASSERT(st);
	wy_store_upload_points_set(st, &RULE);
	int64_t a = user(st, "alice", 0);
	const char *LONG = text_of(500, 0);
	/* not at upload time: only once converted */
	int64_t pub = doc_queued(st, a, false, WY_STATE_PUBLISHED);
	ASSERT_EQ(balance(st, a), 0);
	convert_next(st, LONG);
	ASSERT_EQ(balance(st, a), 5);
	/* too little text (white space does not count), private, imported:
	 * nothing */
	doc_text(st, a, false, WY_STATE_PUBLISHED, text_of(499, 600));
	int64_t priv = doc_text(st, a, true, WY_STATE_PUBLISHED, LONG);
	doc_text(st, 0, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 5);
	/* under review: when an admin approves it */
	int64_t pending = doc_text(st, a, false, WY_STATE_PENDING, LONG);
	ASSERT_EQ(balance(st, a), 5);
	ASSERT_EQ(wy_store_doc_set_state(st, pending, WY_STATE_PUBLISHED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_state(st, pending, WY_STATE_PUBLISHED, NULL), WY_OK); /* again: once */
	ASSERT_EQ(balance(st, a), 10);
	/* hidden, deleted: taken back, once; restored: granted again, once */
	ASSERT_EQ(wy_store_doc_set_state(st, pub, WY_STATE_HIDDEN, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 5);
	ASSERT_EQ(wy_store_doc_set_state(st, pub, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 5);
	ASSERT_EQ(wy_store_doc_set_state(st, pub, WY_STATE_PUBLISHED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_state(st, pub, WY_STATE_PUBLISHED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_state(st, pending, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 5);
	/* the owner makes one public, then private again */
	ASSERT_EQ(wy_store_doc_set_private(st, priv, false, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_private(st, priv, true, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 5);
	ASSERT_EQ(wy_store_doc_set_private(st, 999, true, NULL), WY_ENOTFOUND);
	/* converted again: not ready meanwhile (taken back), then ready with
	 * too little text (nothing), then failed (nothing to take) */
	ASSERT_EQ(wy_store_doc_retry(st, pub, true, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 0);
	wy_page p = {.page_no = 1, .text = "短", .width = 10, .height = 10};
	snprintf(p.image_sha256, 65, "%s", IMG1);
	wy_doc_result r = {.format = "txt", .title = "正文", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(st, a), 0);
	ASSERT_EQ(wy_store_doc_retry(st, pub, true, NULL), WY_OK);
	convert_next(st, LONG);
	ASSERT_EQ(balance(st, a), 5);
	ASSERT_EQ(wy_store_doc_retry(st, pub, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(wy_store_job_fail(st, &j, "txt", "broken", NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(st, a), 0);
	/* every grant and every taking back is one ledger row */
	int64_t sum;
	ASSERT_EQ(ledger_rows(st, a, "upload", &sum), 5);
	ASSERT_EQ(sum, 25);
	ASSERT_EQ(ledger_rows(st, a, "upload_revoked", &sum), 5);
	ASSERT_EQ(sum, -25);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST(upload_points_capped_per_day_and_by_the_site_settings)
{
	wy_store *st = fresh();
	ASSERT(st);
	/* without a rule (a process that set none): nothing */
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 0);
	const char *LONG = text_of(600, 0);
	doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 0);
	wy_upload_points rule = {.points = 5, .daily = 12, .min_chars = 500};
	wy_store_upload_points_set(st, &rule);
	/* 5, 5, then the 2 left of 12, then nothing */
	int64_t d1 = doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	int64_t d3 = doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	int64_t d4 = doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 12);
	/* another account has its own cap */
	doc_text(st, b, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, b), 5);
	/* what is taken back makes room again, no more */
	ASSERT_EQ(wy_store_doc_set_state(st, d3, WY_STATE_HIDDEN, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_state(st, d4, WY_STATE_HIDDEN, NULL), WY_OK); /* it held nothing */
	ASSERT_EQ(balance(st, a), 10);
	ASSERT_EQ(wy_store_doc_set_state(st, d4, WY_STATE_PUBLISHED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 12);
	ASSERT_EQ(wy_store_doc_set_state(st, d3, WY_STATE_PUBLISHED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 12);
	/* the site settings an admin saved override the process's */
	ASSERT_EQ(wy_store_setting_set(st, "points_upload_daily", "100", NULL), WY_OK);
	doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 17);
	ASSERT_EQ(wy_store_setting_set(st, "points_upload_min_chars", "1", NULL), WY_OK);
	ASSERT_EQ(wy_store_setting_set(st, "points_upload", "3", NULL), WY_OK);
	doc_text(st, a, false, WY_STATE_PUBLISHED, "短文");
	ASSERT_EQ(balance(st, a), 20);
	ASSERT_EQ(wy_store_setting_set(st, "points_upload", "zero", NULL), WY_OK); /* ignored */
	doc_text(st, a, false, WY_STATE_PUBLISHED, "短文");
	ASSERT_EQ(balance(st, a), 25);
	ASSERT_EQ(wy_store_setting_set(st, "points_upload", "0", NULL), WY_OK);
	doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 25);
	/* a day later the cap has room again */
	ASSERT_EQ(wy_store_setting_set(st, "points_upload", "5", NULL), WY_OK);
	ASSERT_EQ(wy_store_setting_set(st, "points_upload_daily", "12", NULL), WY_OK);
	doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 25);
	store_sql(dir_of_last, "UPDATE ledger SET at = at - 86401");
	/* points taken back today make room today: the day's net stays 12 */
	ASSERT_EQ(wy_store_doc_set_state(st, d1, WY_STATE_HIDDEN, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 20);
	for (int i = 0; i < 5; i++)
		doc_text(st, a, false, WY_STATE_PUBLISHED, LONG);
	ASSERT_EQ(balance(st, a), 20 + 5 + 12); /* 5, 5, 5, 2, 0 */
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST(upload_points_taken_back_after_they_are_spent_leave_a_debt)
{
	wy_store *st = fresh();
	ASSERT(st);
	wy_store_upload_points_set(st, &RULE);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 0);
	int64_t mine = doc_text(st, a, false, WY_STATE_PUBLISHED, text_of(500, 0));
	int64_t theirs = doc(st, b, false, WY_STATE_PUBLISHED, 0, IMG2);
	ASSERT_EQ(wy_store_points_reward(st, a, theirs, 5, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), 0);
	ASSERT_EQ(wy_store_doc_set_state(st, mine, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(balance(st, a), -5);
	ASSERT_EQ(wy_store_points_reward(st, a, theirs, 1, NULL), WY_EPOINTS);
	ASSERT_EQ(wy_store_points_adjust(st, a, -1, NULL), WY_EPOINTS);
	ASSERT_EQ(wy_store_points_adjust(st, a, 2, NULL), WY_OK); /* raised, still below 0 */
	ASSERT_EQ(balance(st, a), -3);
	ASSERT_EQ(problems(st), 0);
	wy_store_close(st);
}

TEST(who_sees_what)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 0);
	int64_t pub = doc(st, a, false, WY_STATE_PUBLISHED, 0, IMG1);
	int64_t priv = doc(st, a, true, WY_STATE_PUBLISHED, 0, IMG2);
	int vis;
	ASSERT_EQ(wy_store_blob_visibility(st, IMG1, 0, false, 0, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 2);
	/* past the preview: its owner and admins only */
	ASSERT_EQ(wy_store_blob_visibility(st, IMG1, 0, false, 1, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 2); /* page 1 of a preview of 1 */
	ASSERT_EQ(wy_store_blob_visibility(st, IMG2, 0, false, 0, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 0);
	ASSERT_EQ(wy_store_blob_visibility(st, IMG2, b, false, 0, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 0);
	ASSERT_EQ(wy_store_blob_visibility(st, IMG2, a, false, 0, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 1);
	ASSERT_EQ(wy_store_blob_visibility(st, IMG2, b, true, 0, &vis, NULL), WY_OK); /* an admin */
	ASSERT_EQ(vis, 1);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, pub, &d, NULL), WY_OK);
	ASSERT_EQ(wy_store_blob_visibility(st, d.sha256, a, true, 0, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 0); /* an original is never a /blob */
	wy_doc_clear(&d);
	/* listings: the public one for everyone, the private one for its owner too */
	wy_doc_filter f = {0};
	wy_doc_list l;
	int total;
	ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.items[0].id, pub);
	wy_doc_list_clear(&l);
	f.viewer = b;
	ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	wy_doc_list_clear(&l);
	f.viewer = a;
	ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_popular(st, 10, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 1);
	wy_doc_list_clear(&l);
	/* hidden: gone from listings; deleted: gone from its owner's uploads */
	ASSERT_EQ(wy_store_doc_set_state(st, pub, WY_STATE_HIDDEN, NULL), WY_OK);
	f.viewer = 0;
	ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_user_docs(st, a, WY_MY_UPLOADS, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_set_state(st, priv, WY_STATE_DELETED, NULL), WY_OK);
	ASSERT_EQ(wy_store_user_docs(st, a, WY_MY_UPLOADS, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_by_state(st, WY_STATE_DELETED, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.items[0].id, priv);
	wy_doc_list_clear(&l);
	ASSERT_EQ(wy_store_doc_set_state(st, 999, WY_STATE_HIDDEN, NULL), WY_ENOTFOUND);
	const char *P1 = "3333333333333333333333333333333333333333333333333333333333333333";
	const char *P2 = "4444444444444444444444444444444444444444444444444444444444444444";
	doc2(st, a, P1, P2);
	ASSERT_EQ(wy_store_blob_visibility(st, P2, 0, false, 1, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 0); /* page 2, a preview of 1: the download's */
	ASSERT_EQ(wy_store_blob_visibility(st, P2, a, false, 1, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 1); /* its owner */
	ASSERT_EQ(wy_store_blob_visibility(st, P2, 0, false, 2, &vis, NULL), WY_OK);
	ASSERT_EQ(vis, 2);
	wy_store_close(st);
}

/* A public, priced document that is not ready (queued; then failed) is its
 * owner's and the admins' alone: listed, counted, shown, rewarded and paid
 * for by nobody else, and a refused payment writes no ledger row. */
TEST(a_document_not_ready_is_its_owners_alone)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 50);
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", 777);
	wy_doc_new dn = {.filename = "x.pdf", .sha256 = sha, .size = 10, .owner_id = a, .uploader = "alice",
			 .state = WY_STATE_PUBLISHED, .price = 20};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	for (int round = 0; round < 2; round++) { /* queued, then failed */
		if (round == 1) {
			wy_job j;
			ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
			ASSERT_EQ(wy_store_job_fail(st, &j, NULL, "unrecognized format", NULL), WY_OK);
			wy_job_clear(&j);
			wy_doc d;
			ASSERT_EQ(wy_store_doc_get(st, id, &d, NULL), WY_OK);
			ASSERT_EQ(d.status, WY_DOC_FAILED);
			wy_doc_clear(&d);
		}
		wy_doc_list l;
		int total;
		ASSERT_EQ(wy_store_doc_visible(st, 0, false, 0, 10, &l, &total, NULL), WY_OK);
		ASSERT_EQ(total, 0); /* a visitor */
		wy_doc_list_clear(&l);
		ASSERT_EQ(wy_store_doc_visible(st, b, false, 0, 10, &l, &total, NULL), WY_OK);
		ASSERT_EQ(total, 0); /* another user */
		wy_doc_list_clear(&l);
		ASSERT_EQ(wy_store_doc_visible(st, a, false, 0, 10, &l, &total, NULL), WY_OK);
		ASSERT_EQ(total, 1); /* its owner */
		wy_doc_list_clear(&l);
		ASSERT_EQ(wy_store_doc_visible(st, b, true, 0, 10, &l, &total, NULL), WY_OK);
		ASSERT_EQ(total, 1); /* an admin */
		wy_doc_list_clear(&l);
		wy_doc_filter f = {.viewer = b};
		ASSERT_EQ(wy_store_doc_find(st, &f, 0, 10, &l, &total, NULL), WY_OK);
		ASSERT_EQ(total, 0);
		wy_doc_list_clear(&l);
		ASSERT_EQ(wy_store_doc_popular(st, 10, &l, NULL), WY_OK);
		ASSERT_EQ(l.n, 0);
		wy_doc_list_clear(&l);
		int64_t paid = -1;
		ASSERT_EQ(wy_store_download(st, b, id, true, &paid, NULL), WY_ENOTFOUND);
		ASSERT_EQ(paid, 0);
		bool yes;
		ASSERT_EQ(wy_store_download_paid(st, b, id, &yes, NULL), WY_OK);
		ASSERT(!yes); /* nothing recorded */
		ASSERT_EQ(wy_store_points_reward(st, b, id, 5, NULL), WY_ENOTFOUND);
		ASSERT_EQ(balance(st, b), 50);
		ASSERT_EQ(balance(st, a), 0);
		wy_ledger lg;
		ASSERT_EQ(wy_store_points_ledger(st, b, 0, 10, &lg, &total, NULL), WY_OK);
		ASSERT_EQ(total, 1); /* registering only */
		wy_ledger_clear(&lg);
	}
	wy_store_close(st);
}

TEST(favorites_reports_audit_settings)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 0);
	int64_t d = doc(st, a, false, WY_STATE_PUBLISHED, 0, IMG1);
	bool on;
	int64_t n;
	ASSERT_EQ(wy_store_favorite_set(st, b, d, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_favorite_set(st, b, d, true, NULL), WY_OK); /* twice: once */
	ASSERT_EQ(wy_store_favorite_set(st, a, d, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_favorite_state(st, b, d, &on, &n, NULL), WY_OK);
	ASSERT(on);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(wy_store_favorite_set(st, b, d, false, NULL), WY_OK);
	ASSERT_EQ(wy_store_favorite_state(st, b, d, &on, &n, NULL), WY_OK);
	ASSERT(!on);
	ASSERT_EQ(n, 1);
	int64_t r1, r2;
	ASSERT_EQ(wy_store_report_add(st, d, b, "其他", "说明", &r1, NULL), WY_OK);
	/* one open report each: bob's repeat stores nothing and names his */
	ASSERT_EQ(wy_store_report_add(st, d, b, "广告垃圾", NULL, &r2, NULL), WY_EEXIST);
	ASSERT_EQ(r2, r1);
	ASSERT_EQ(wy_store_report_add(st, d, a, "广告垃圾", NULL, &r2, NULL), WY_OK);
	wy_report_list rl;
	int total;
	ASSERT_EQ(wy_store_report_list(st, true, 0, 10, &rl, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_EQ(rl.items[0].id, r2);
	ASSERT_STR_EQ(rl.items[1].detail, "说明");
	ASSERT_STR_EQ(rl.items[1].user_name, "bob");
	wy_report_list_clear(&rl);
	ASSERT_EQ(wy_store_report_close(st, d, NULL), WY_OK);
	ASSERT_EQ(wy_store_report_list(st, true, 0, 10, &rl, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	wy_report_list_clear(&rl);
	ASSERT_EQ(wy_store_report_list(st, false, 0, 10, &rl, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	wy_report_list_clear(&rl);
	ASSERT_EQ(wy_store_audit_add(st, a, "hide", "doc 1", NULL, NULL), WY_OK);
	wy_audit_list al;
	ASSERT_EQ(wy_store_audit_list(st, 0, 10, &al, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_STR_EQ(al.items[0].admin_name, "alice");
	wy_audit_list_clear(&al);
	ASSERT_EQ(wy_store_setting_set(st, "site_name", "甲", NULL), WY_OK);
	ASSERT_EQ(wy_store_setting_set(st, "site_name", "乙", NULL), WY_OK);
	wy_store_close(st);
}

/* Four processes spend one account's 100 points at once, 3 at a time:
 * exactly 33 rewards go through and the balance ends at 1. */
TEST(concurrent_processes_never_overdraw)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 100);
	int64_t d = doc(st, a, false, WY_STATE_PUBLISHED, 0, IMG1);
	wy_store_close(st);
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		if ((kids[k] = fork()) == 0) {
			wy_store *s;
			if (wy_store_open(dir_of_last, &s, NULL))
				_exit(2);
			int ok = 0;
			for (int i = 0; i < 20; i++)
				if (wy_store_points_reward(s, b, d, 3, NULL) == WY_OK)
					ok++;
			wy_store_close(s);
			_exit(ok > 20 ? 3 : 0);
		}
	}
	for (int k = 0; k < 4; k++) {
		int status;
		ASSERT(waitpid(kids[k], &status, 0) == kids[k]);
		ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(wy_store_open(dir_of_last, &st, NULL), WY_OK);
	ASSERT_EQ(balance(st, b), 1);
	ASSERT_EQ(balance(st, a), 99);
	wy_ledger l;
	int total;
	ASSERT_EQ(wy_store_points_ledger(st, b, 0, 100, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 34); /* register + 33 rewards */
	wy_ledger_clear(&l);
	wy_store_close(st);
}

/* Four processes (serve processes on one store: on PostgreSQL, four
 * connections) download the same six priced documents for one account
 * at once, each going through the limits' download_start or the plain
 * download: each document is paid at most once, and the account, with
 * 10 points for documents of 3, pays for exactly three and never goes
 * below zero. */
TEST(concurrent_downloads_pay_once_and_never_overdraw)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0), b = user(st, "bob", 10);
	int64_t ids[6];
	for (int i = 0; i < 6; i++) {
		char img[65];
		snprintf(img, sizeof img, "%064d", 700 + i);
		ids[i] = doc(st, a, false, WY_STATE_PUBLISHED, 3, img);
	}
	wy_store_close(st);
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		if ((kids[k] = fork()) == 0) {
			wy_store *s;
			if (wy_store_open(dir_of_last, &s, NULL))
				_exit(2);
			int bad = 0;
			for (int round = 0; round < 3; round++)
				for (int i = 0; i < 6; i++) {
					int64_t id = ids[(i + k) % 6], paid = 0, wait = 0;
					int rc;
					if (k % 2) {
						wy_download_start q = {.user_id = b, .ip = "192.0.2.7", .doc_id = id, .charge = true};
						rc = wy_store_download_start(s, &q, &paid, &wait, NULL);
					} else {
						rc = wy_store_download(s, b, id, true, &paid, NULL);
					}
					bad += rc != WY_OK && rc != WY_EPOINTS;
					bad += paid != 0 && paid != 3;
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
	ASSERT_EQ(balance(st, b), 1);
	ASSERT_EQ(balance(st, a), 9);
	wy_ledger l;
	int total;
	ASSERT_EQ(wy_store_points_ledger(st, b, 0, 100, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 4); /* register + three purchases */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			ASSERT(l.items[i].doc_id != l.items[j].doc_id); /* none paid twice */
	wy_ledger_clear(&l);
	int bought = 0;
	for (int i = 0; i < 6; i++) {
		bool yes;
		ASSERT_EQ(wy_store_download_paid(st, b, ids[i], &yes, NULL), WY_OK);
		bought += yes;
	}
	ASSERT_EQ(bought, 3); /* a refused download records nothing */
	wy_store_close(st);
}

/* Four processes approve the same 12 documents of one account at once,
 * then hide and restore them: no document is paid twice, the account gets
 * exactly its daily cap from the approvals, and the ledger and the
 * documents agree at the end. */
TEST(concurrent_publishing_grants_under_the_cap)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice", 0);
	int64_t ids[12];
	for (int i = 0; i < 12; i++)
		ids[i] = doc_text(st, a, false, WY_STATE_PENDING, text_of(500, 0));
	ASSERT_EQ(balance(st, a), 0);
	wy_store_close(st);
	for (int phase = 0; phase < 2; phase++) {
		pid_t kids[4];
		for (int k = 0; k < 4; k++) {
			if ((kids[k] = fork()) == 0) {
				wy_store *s;
				if (wy_store_open(dir_of_last, &s, NULL))
					_exit(2);
				wy_store_upload_points_set(s, &RULE);
				int bad = 0;
				for (int i = 0; i < 12; i++) {
					int64_t id = ids[(i + 3 * k) % 12];
					if (phase == 1)
						bad += wy_store_doc_set_state(s, id, WY_STATE_HIDDEN, NULL) != WY_OK;
					bad += wy_store_doc_set_state(s, id, WY_STATE_PUBLISHED, NULL) != WY_OK;
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
		int64_t sum;
		int grants = ledger_rows(st, a, "upload", &sum);
		if (phase == 0) {
			ASSERT_EQ(grants, 4); /* 5 points each: 4 of the 12 */
			ASSERT_EQ(sum, 20);
		}
		int64_t b = balance(st, a);
		ASSERT(b >= 0 && b <= 20);
		if (phase == 0)
			ASSERT_EQ(b, 20);
		ASSERT_EQ(problems(st), 0); /* each document holds what its ledger rows give */
		wy_store_close(st);
	}
}

/* a and b have the same confusable skeleton */
static bool look_alike(const char *a, const char *b)
{
	char sa[512], sb[512];
	ASSERT_EQ(wy_confusable_skeleton(a, sa, sizeof sa), WY_OK);
	ASSERT_EQ(wy_confusable_skeleton(b, sb, sizeof sb), WY_OK);
	return strcmp(sa, sb) == 0;
}

TEST(skeletons_of_names_that_look_alike)
{
	ASSERT(look_alike("alice", "\xd0\xb0lice"));          /* Cyrillic а */
	ASSERT(look_alike("ace", "\xd0\xb0\xd1\x81\xd0\xb5")); /* асе, all Cyrillic */
	ASSERT(look_alike("ALICE", "\xd0\xb0lice"));          /* names compare without case */
	ASSERT(look_alike("bob", "B0B"));                     /* 0 looks like O */
	ASSERT(look_alike("admin", "\xef\xbd\x81\xef\xbd\x84min")); /* full-width ａｄ */
	ASSERT(look_alike("rn_x", "m_x"));
	ASSERT(look_alike("alice", "aIice")); /* a capital I looks like l (found by an attacker) */
	ASSERT(look_alike("aIice", "a1ice"));
	ASSERT(!look_alike("alice", "alicf"));
	ASSERT(!look_alike("张三", "张王"));
	ASSERT(look_alike("张三", "张三"));
	char sk[8];
	ASSERT_EQ(wy_confusable_skeleton("\xe4\xb8", sk, sizeof sk), WY_EINVAL); /* cut UTF-8 */
	ASSERT_EQ(wy_confusable_skeleton("abcdefghijklmnop", sk, sizeof sk), WY_ETOOBIG);
}

TEST(names_that_mix_scripts)
{
	/* UTS #39 highly restrictive: one script, or Latin with Han (+ kana,
	 * bopomofo, hangul); digits, '_' and '-' go with any */
	const char *mixed[] = {"\xd0\xb0lice", "p\xd0\xb0ypal", "abc\xce\xb1", "\xce\xb1\xd0\xb1"};
	const char *single[] = {"alice", "张三", "李四abc2", "иван", "Ελληνικά", "日本語ひらがな", "user_1-x", "王五_7"};
	for (size_t i = 0; i < sizeof mixed / sizeof *mixed; i++) {
		ASSERT(wy_confusable_mixed(mixed[i]));
		ASSERT(wy_confusable_mixed_lgc(mixed[i])); /* the fallback agrees on these */
	}
	for (size_t i = 0; i < sizeof single / sizeof *single; i++) {
		ASSERT(!wy_confusable_mixed(single[i]));
		ASSERT(!wy_confusable_mixed_lgc(single[i]));
	}
	ASSERT(wy_confusable_mixed("\xe4\xb8")); /* invalid UTF-8 */
}

TEST(the_store_refuses_look_alike_and_mixed_names)
{
	wy_store *st = fresh();
	ASSERT(st);
	user(st, "alice", 0);
	user(st, "ace", 0);
	user(st, "bob", 0);
	int64_t id;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_user_add(st, "\xd0\xb0lice", "h", WY_ROLE_USER, 0, &id, &ei), WY_EINVAL);
	ASSERT(strstr(ei.msg, "mix scripts"));
	ASSERT_EQ(wy_store_user_add(st, "\xd0\xb0\xd1\x81\xd0\xb5", "h", WY_ROLE_USER, 0, &id, NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_add(st, "B0B", "h", WY_ROLE_USER, 0, &id, NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_name_free(st, "\xd0\xb0\xd1\x81\xd0\xb5", NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_name_free(st, "ALICE", NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_name_free(st, "p\xd0\xb0ypal", NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_user_name_free(st, "carol", NULL), WY_OK);
	user(st, "张三", 0);
	user(st, "李四abc", 0);
	user(st, "иван", 0);
	ASSERT_EQ(wy_store_user_name_free(st, "张三", NULL), WY_EEXIST);
	wy_store_close(st);
}

TEST(a_store_from_before_skeletons_gets_them)
{
	if (wy_test_pg())
		return; /* a SQLite store's old versions (PostgreSQL's began later) */
	/* a store as migration 7 left it: users without a skeleton column */
	wy_store *st = fresh();
	ASSERT(st);
	user(st, "ace", 0);
	wy_store_close(st);
	char *path = wy_xasprintf("%s/wenyuan.db", dir_of_last);
	sqlite3 *db;
	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	/* migration 10's FTS tables: their tokenizer is the store's, so they
	 * go as their parts (the shadow tables, then the schema's rows) */
	for (const char *const *t = (const char *const[]){"title_py1", "title_ini1", "title_py", "title_ini", NULL}; *t; t++) {
		char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS %s_data; DROP TABLE IF EXISTS %s_idx;"
					    " DROP TABLE IF EXISTS %s_config; DROP TABLE IF EXISTS %s_docsize;"
					    " PRAGMA writable_schema=ON; DELETE FROM sqlite_schema WHERE name = '%s';"
					    " PRAGMA writable_schema=OFF;",
					    *t, *t, *t, *t, *t);
		ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
	}
	ASSERT_EQ(sqlite3_exec(db,
			       "DROP TABLE attempts;" /* 24 */
			       " DROP TRIGGER sitemap_doc_add; DROP TRIGGER sitemap_doc_del; DROP TRIGGER sitemap_doc_set;" /* 23 */
			       " DROP TRIGGER sitemap_coll_add; DROP TRIGGER sitemap_coll_del; DROP TRIGGER sitemap_coll_set;"
			       " DROP TABLE sitemap_parts; DROP TABLE sitemap_width;"
			       " DROP TABLE search_days;" /* 22 */
			       " DROP TABLE link_key; DROP TABLE download_log; DROP TRIGGER users_default_group;" /* 21 */
			       " DROP INDEX users_group; ALTER TABLE users DROP COLUMN group_id; DROP TABLE groups;"
			       " DROP TABLE mail_tokens; DROP TABLE mail; DROP INDEX users_email;" /* 20 */
			       " ALTER TABLE users DROP COLUMN email; ALTER TABLE users DROP COLUMN email_verified_at;"
			       " DROP TABLE captchas;" /* 19 */
			       " DROP TABLE site_links; DROP TABLE articles;" /* 18 */
			       " DROP INDEX documents_deleted; ALTER TABLE documents DROP COLUMN deleted_at;" /* 17 */
			       " ALTER TABLE documents DROP COLUMN deleted_by; ALTER TABLE documents DROP COLUMN state_before;"
			       " DROP INDEX documents_version_of; ALTER TABLE documents DROP COLUMN version_of;" /* 16 */
			       " ALTER TABLE documents DROP COLUMN version_review;"
			       " DROP TABLE collection_favorites; DROP TABLE collection_items; DROP TABLE collections;" /* 15 */
			       " DROP TABLE ratings; DROP TABLE comments; ALTER TABLE documents DROP COLUMN rating_sum;"
			       " ALTER TABLE documents DROP COLUMN rating_n; ALTER TABLE reports DROP COLUMN comment_id;" /* 14 */
			       " DROP TABLE outlines;" /* 13 */
			       " ALTER TABLE jobs DROP COLUMN request_id; DROP TABLE counters;" /* 12 */
			       " ALTER TABLE jobs DROP COLUMN ocr_from; ALTER TABLE jobs DROP COLUMN ocr_to;"
			       " DROP TABLE queue_turns; DROP INDEX users_skeleton; ALTER TABLE users DROP COLUMN skeleton;"
			       " PRAGMA user_version=7;",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_close(db);
	ASSERT_EQ(wy_store_open(dir_of_last, &st, NULL), WY_OK);
	int64_t id;
	ASSERT_EQ(wy_store_user_add(st, "\xd0\xb0\xd1\x81\xd0\xb5", "h", WY_ROLE_USER, 0, &id, NULL), WY_EEXIST);
	wy_store_close(st);
	free(path);
}

TEST_LIST(T(names), T(skeletons_of_names_that_look_alike), T(names_that_mix_scripts),
	  T(the_store_refuses_look_alike_and_mixed_names), T(a_store_from_before_skeletons_gets_them),
	  T(sessions_expire_and_end_with_a_ban_or_a_new_password), T(rewards_move_points_and_never_overdraw),
	  T(a_download_is_paid_once_to_the_uploader), T(signin_once_a_day),
	  T(upload_points_when_ready_public_and_approved_never_twice),
	  T(upload_points_capped_per_day_and_by_the_site_settings),
	  T(upload_points_taken_back_after_they_are_spent_leave_a_debt), T(concurrent_publishing_grants_under_the_cap),
	  T(who_sees_what), T(a_document_not_ready_is_its_owners_alone), T(favorites_reports_audit_settings), T(concurrent_processes_never_overdraw),
	  T(concurrent_downloads_pay_once_and_never_overdraw))

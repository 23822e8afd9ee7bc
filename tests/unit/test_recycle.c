/* The recycle bin, purges and the blob collector (store/sqlite_recycle.c
 * and pg_recycle.c: on both backends, jobs/collect.c, blob/fs.c's
 * wy_blob_delete_old): who may restore what,
 * a purge's rows and audit row, and a blob freed only when nothing refers
 * to it and nobody stored it again. */
#include "blob/blob.h"
#include "core/util.h"
#include "jobs/collect.h"
#include "store/store.h"
#include "test.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

static char *dir, *loc; /* the blobs' directory; the store's location (test.h) */
static wy_store *st;
static wy_blob_store *bs;
static int64_t owner, other, admin;

static void setup(void)
{
	free(loc);
	loc = wy_xstrdup(wy_test_store_location("recycle"));
	dir = wy_test_tmpdir("recycle");
	ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK);
	char *blobs = wy_xasprintf("%s/blobs", dir);
	ASSERT_EQ(wy_blob_open(blobs, &bs, NULL), WY_OK);
	free(blobs);
	ASSERT_EQ(wy_store_user_add(st, "owner", "x", WY_ROLE_USER, 0, &owner, NULL), WY_OK);
	ASSERT_EQ(wy_store_user_add(st, "other", "x", WY_ROLE_USER, 0, &other, NULL), WY_OK);
	ASSERT_EQ(wy_store_user_add(st, "admin", "x", WY_ROLE_ADMIN, 0, &admin, NULL), WY_OK);
}

static void teardown(void)
{
	wy_store_close(st);
	wy_blob_close(bs);
	st = NULL;
	bs = NULL;
}

/* A document of owner's whose original is the blob of text. */
static int64_t doc_of(const char *text, int state, char sha[65])
{
	ASSERT_EQ(wy_blob_put(bs, text, strlen(text), sha, NULL), WY_OK);
	wy_doc_new dn = {.filename = "a.txt", .sha256 = sha, .size = (int64_t)strlen(text), .owner_id = owner,
			 .state = state};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	return id;
}

static int state_of(int64_t id)
{
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(st, id, &d, NULL), WY_OK);
	int s = d.state;
	wy_doc_clear(&d);
	return s;
}

TEST(owner_deletes_and_restores_to_the_state_before)
{
	setup();
	char sha[65];
	int64_t d = doc_of("一份待审核的文档", WY_STATE_PENDING, sha);
	ASSERT_EQ(wy_store_doc_delete(st, d, other, false, NULL), WY_ENOTFOUND); /* not theirs */
	ASSERT_EQ(wy_store_doc_delete(st, d, owner, false, NULL), WY_OK);
	ASSERT_EQ(state_of(d), WY_STATE_DELETED);
	ASSERT_EQ(wy_store_doc_delete(st, d, owner, false, NULL), WY_OK); /* again: nothing changes */
	wy_recycle_list l;
	int total;
	ASSERT_EQ(wy_store_recycle_list(st, owner, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT(l.items[0].doc.id == d && l.items[0].restorable && l.items[0].by_owner && l.items[0].deleted_at > 0);
	wy_recycle_list_clear(&l);
	ASSERT_EQ(wy_store_recycle_list(st, other, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	wy_recycle_list_clear(&l);
	ASSERT_EQ(wy_store_doc_restore(st, d, other, false, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_doc_restore(st, d, owner, false, NULL), WY_OK);
	ASSERT_EQ(state_of(d), WY_STATE_PENDING); /* as it was, not published */
	ASSERT_EQ(wy_store_doc_restore(st, d, owner, false, NULL), WY_EINVAL); /* not in the bin */
	teardown();
}

TEST(what_an_admin_removed_only_an_admin_restores)
{
	setup();
	char sha[65];
	int64_t d = doc_of("管理员删除的文档", WY_STATE_PUBLISHED, sha);
	ASSERT_EQ(wy_store_doc_delete(st, d, admin, true, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_restore(st, d, owner, false, NULL), WY_EPERM);
	ASSERT_EQ(wy_store_doc_restore(st, d, admin, true, NULL), WY_OK);
	ASSERT_EQ(state_of(d), WY_STATE_PUBLISHED);
	/* hidden by an admin, then deleted by its owner: still the admin's */
	ASSERT_EQ(wy_store_doc_set_state(st, d, WY_STATE_HIDDEN, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_delete(st, d, owner, false, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_restore(st, d, owner, false, NULL), WY_EPERM);
	ASSERT_EQ(wy_store_doc_restore(st, d, admin, true, NULL), WY_OK);
	ASSERT_EQ(state_of(d), WY_STATE_HIDDEN);
	teardown();
}

TEST(purge_removes_the_rows_writes_an_audit_row_and_frees_the_blobs)
{
	setup();
	char sha[65], shared[65];
	int64_t d = doc_of("要彻底删除的文档", WY_STATE_PUBLISHED, sha);
	/* another document of the same bytes keeps them */
	int64_t keep = doc_of("两份都有的字节", WY_STATE_PUBLISHED, shared);
	wy_doc_new dn = {.filename = "b.txt", .sha256 = shared, .size = 3, .owner_id = other};
	int64_t d2;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &d2, &existed, NULL), WY_OK);
	wy_str_list blobs;
	ASSERT_EQ(wy_store_doc_purge(st, d, admin, NULL, &blobs, NULL), WY_EINVAL); /* not in the bin */
	ASSERT_EQ(wy_store_doc_delete(st, d, owner, false, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_delete(st, keep, owner, false, NULL), WY_OK);
	int removed = -1;
	/* a grace below 0: what was stored this second counts as old */
	ASSERT_EQ(wy_recycle_purge(st, bs, d, admin, "test", -5, &removed, NULL), WY_OK);
	ASSERT_EQ(removed, 1);
	ASSERT(!wy_blob_exists(bs, sha));
	wy_doc x;
	ASSERT_EQ(wy_store_doc_get(st, d, &x, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_recycle_purge(st, bs, keep, admin, NULL, -5, &removed, NULL), WY_OK);
	ASSERT_EQ(removed, 0); /* document d2 refers to the bytes */
	ASSERT(wy_blob_exists(bs, shared));
	wy_audit_list al;
	int total;
	ASSERT_EQ(wy_store_audit_list(st, 0, 10, &al, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_STR_EQ(al.items[1].action, "purge");
	ASSERT_STR_EQ(al.items[1].detail, "test");
	wy_audit_list_clear(&al);
	teardown();
}

TEST(a_blob_stored_again_is_not_removed)
{
	setup();
	char sha[65];
	const char *text = "再次上传的同样字节";
	ASSERT_EQ(wy_blob_put(bs, text, strlen(text), sha, NULL), WY_OK);
	/* made old, as if stored long ago */
	bool gone = true;
	ASSERT_EQ(wy_blob_delete_old(bs, sha, wy_now() - 3600, &gone, NULL), WY_OK);
	ASSERT(!gone && wy_blob_exists(bs, sha)); /* young: put back */
	ASSERT_EQ(wy_blob_delete_old(bs, sha, wy_now() + 10, &gone, NULL), WY_OK);
	ASSERT(gone && !wy_blob_exists(bs, sha));
	/* an orphan older than the grace period goes, a young one stays */
	ASSERT_EQ(wy_blob_put(bs, text, strlen(text), sha, NULL), WY_OK);
	wy_collect_stats cs;
	ASSERT_EQ(wy_collect_orphans(st, bs, 3600, &cs, NULL), WY_OK);
	ASSERT(cs.objects == 1 && cs.orphans == 0 && cs.removed == 0 && wy_blob_exists(bs, sha));
	ASSERT_EQ(wy_collect_orphans(st, bs, -10, &cs, NULL), WY_OK);
	ASSERT(cs.objects == 1 && cs.orphans == 1 && cs.removed == 1 && !wy_blob_exists(bs, sha));
	teardown();
}

static int64_t balance(int64_t user)
{
	wy_user u;
	ASSERT_EQ(wy_store_user_get(st, user, &u, NULL), WY_OK);
	int64_t b = u.points;
	wy_user_clear(&u);
	return b;
}

/* Every path that takes a document out of the listed ones goes through the
 * one upload points rule; here the one that did not: a scan's recognised
 * text (a recognition job's end) that makes it a near-duplicate of
 * another, or gives it the text it lacked. */
TEST(recognised_text_applies_the_upload_points_rule)
{
	setup();
	wy_upload_points rule = {.points = 5, .daily = 100, .min_chars = 10};
	wy_store_upload_points_set(st, &rule);
	const char *img = "1111111111111111111111111111111111111111111111111111111111111111";
	char sha[65];
	/* b: an ordinary ready document, the original of what follows */
	int64_t b = doc_of("原文档", WY_STATE_PUBLISHED, sha);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page pb = {.page_no = 1, .text = (char *)"十个以上的汉字组成的一页正文内容", .width = 1, .height = 1};
	memcpy(pb.image_sha256, img, 65);
	wy_doc_result rb = {.format = "txt", .npages = 1, .pages = &pb};
	ASSERT_EQ(wy_store_job_finish(st, &j, &rb, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(owner), 5);
	/* a: a scan, ready with too little text, its page 2 to recognise */
	int64_t a = doc_of("扫描件", WY_STATE_PUBLISHED, sha);
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.doc_id, a);
	wy_page pa[3] = {{.page_no = 1, .text = (char *)"短", .width = 1, .height = 1},
			 {.page_no = 2, .text = (char *)"", .width = 1, .height = 1},
			 {.page_no = 3, .text = (char *)"", .width = 1, .height = 1}};
	for (int i = 0; i < 3; i++)
		memcpy(pa[i].image_sha256, img, 65);
	wy_doc_result ra = {.format = "pdf", .npages = 3, .pages = pa, .ocr_next = 2, .ocr_batch = 1};
	ASSERT_EQ(wy_store_job_finish(st, &j, &ra, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(owner), 5); /* one character: nothing yet */
	/* page 2 recognised: now the text to earn */
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.ocr_from, 2);
	wy_page p2 = {.page_no = 2, .text = (char *)"识别出来的十几个汉字的正文内容"};
	wy_doc_result r2 = {.npages = 1, .pages = &p2};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r2, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(owner), 10);
	/* page 3 recognised, and the whole text a near-duplicate of b: the
	 * points it earned are taken back */
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	ASSERT_EQ(j.ocr_from, 3);
	wy_page p3 = {.page_no = 3, .text = (char *)"又一页"};
	wy_doc_result r3 = {.npages = 1, .pages = &p3, .dup_of = b};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r3, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(balance(owner), 5);
	teardown();
}

/* The test's own statements on the store's database, behind the store's
 * back (rows aged as time would age them): SQL both backends read. */
static void raw_exec(const char *sql)
{
	if (wy_test_pg()) {
		PGconn *c = PQconnectdb(loc);
		ASSERT(PQstatus(c) == CONNECTION_OK);
		PGresult *r = PQexec(c, sql);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "  %s", PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		ASSERT(ok);
		return;
	}
	char *path = wy_xasprintf("%s/wenyuan.db", loc);
	sqlite3 *db;
	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	free(path);
	sqlite3_busy_timeout(db, 10000);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	ASSERT_EQ(rc, SQLITE_OK);
}

/* The rows of download_log, in all (where: a condition, or NULL). */
static int64_t logged(const char *where)
{
	char *sql = wy_xasprintf("SELECT count(*) FROM download_log%s%s", where ? " WHERE " : "", where ? where : "");
	int64_t n = -1;
	if (wy_test_pg()) {
		PGconn *c = PQconnectdb(loc);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
	} else {
		char *path = wy_xasprintf("%s/wenyuan.db", loc);
		sqlite3 *db;
		sqlite3_stmt *s;
		if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
			if (sqlite3_step(s) == SQLITE_ROW)
				n = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
		sqlite3_close(db);
		free(path);
	}
	free(sql);
	ASSERT(n >= 0);
	return n;
}

TEST(maintenance_deletes_download_log_rows_older_than_31_days)
{
	setup();
	char sha[65];
	int64_t d = doc_of("the log's document", WY_STATE_PUBLISHED, sha);
	/* 12 downloads started now, as a request records them, by an account
	 * and by visitors */
	for (int i = 0; i < 12; i++) {
		wy_download_start q = {.user_id = i % 2 ? owner : 0, .ip = "192.0.2.7", .doc_id = d, .counted = true};
		int64_t paid, retry;
		ASSERT_EQ(wy_store_download_start(st, &q, &paid, &retry, NULL), WY_OK);
	}
	/* aged: 4 of 32 days, 3 of just past 31, 2 of just under 31, 3 now */
	raw_exec("UPDATE download_log SET at = at - 32*86400 WHERE id IN (SELECT id FROM download_log ORDER BY id LIMIT 4);"
		 "UPDATE download_log SET at = at - 31*86400 - 60 WHERE id IN (SELECT id FROM download_log ORDER BY id LIMIT 3 OFFSET 4);"
		 "UPDATE download_log SET at = at - 31*86400 + 60 WHERE id IN (SELECT id FROM download_log ORDER BY id LIMIT 2 OFFSET 7);");
	ASSERT_EQ(logged(NULL), 12);
	/* the periodic work, as serve runs it */
	int purged = -1;
	ASSERT_EQ(wy_recycle_maintain(st, bs, 0, 3600, &purged, NULL, NULL), WY_OK);
	ASSERT_EQ(logged(NULL), 5);
	char *recent = wy_xasprintf("at >= %lld", (long long)(wy_now() - 31 * 86400 - 5));
	ASSERT_EQ(logged(recent), 5); /* what is left is what the dashboard and limits read */
	free(recent);
	/* the store's function in batches: many old rows, all gone, counted */
	raw_exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)"
		 " INSERT INTO download_log(user_id, ip, doc_id, at) SELECT NULL, '198.51.100.1', (SELECT min(id) FROM documents), 1000 + i FROM n;");
	int64_t removed = -1;
	ASSERT_EQ(wy_store_download_log_prune(st, wy_now() - WY_DOWNLOAD_LOG_DAYS * 86400, &removed, NULL), WY_OK);
	ASSERT_EQ(removed, 12000);
	ASSERT_EQ(logged(NULL), 5);
	ASSERT_EQ(wy_store_download_log_prune(st, wy_now() - WY_DOWNLOAD_LOG_DAYS * 86400, &removed, NULL), WY_OK);
	ASSERT_EQ(removed, 0);
	teardown();
}

TEST_LIST(T(maintenance_deletes_download_log_rows_older_than_31_days), T(recognised_text_applies_the_upload_points_rule), T(owner_deletes_and_restores_to_the_state_before), T(what_an_admin_removed_only_an_admin_restores),
	  T(purge_removes_the_rows_writes_an_audit_row_and_frees_the_blobs), T(a_blob_stored_again_is_not_removed))

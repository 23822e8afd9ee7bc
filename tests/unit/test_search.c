/* Search through the store: documents published by a worker are found by
 * one- and two-character Chinese queries, across Traditional and Simplified,
 * mixed with English; hostile queries never error; the index follows
 * retries and rebuilds; near-duplicates, related documents and "also read". */
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "text/minhash.h"
#include "text/query.h"

#include <stdint.h>

static wy_store *fresh(void)
{
	char *dir = wy_test_store_location("search");
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(dir, &st, &ei);
	if (rc)
		fprintf(stderr, "open: %s\n", wy_err_msg(&ei, rc));
	return rc ? NULL : st;
}

/* Add a document and publish it with these page texts (NULL-terminated),
 * as a worker would. */
static int64_t publish_fp(wy_store *st, const char *title, const char *cat, const char *keywords, bool fingerprint,
			  int64_t dup_of, const char *const *texts)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial);
	wy_doc_new dn = {.title = title, .filename = "doc.pdf", .category = cat, .sha256 = sha, .size = 1000};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page pages[16];
	memset(pages, 0, sizeof pages);
	int n = 0;
	wy_minhash mh;
	wy_minhash_init(&mh);
	for (; texts[n]; n++) {
		pages[n].page_no = n + 1;
		pages[n].text = (char *)texts[n];
		snprintf(pages[n].image_sha256, 65, "%064d", 0);
		pages[n].width = 100;
		pages[n].height = 140;
		wy_minhash_add(&mh, texts[n], strlen(texts[n]));
	}
	unsigned char sig[WY_MINHASH_BYTES];
	bool has = fingerprint && wy_minhash_finish(&mh, sig);
	wy_doc_result r = {.format = "pdf", .title = title, .npages = n, .pages = pages, .keywords = keywords,
			   .dup_of = dup_of, .minhash = has ? sig : NULL};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	return id;
}

static int64_t publish(wy_store *st, const char *title, const char *const *texts)
{
	return publish_fp(st, title, NULL, NULL, false, 0, texts);
}

/* Search for q; the ids found, in order, into ids; returns how many match
 * strictly (every clause as typed). */
static int search(wy_store *st, const char *q, int64_t *ids, int max)
{
	wy_query *qq = wy_query_parse(q, strlen(q));
	wy_search_req req = {.query = qq, .limit = max};
	wy_search_result r;
	wy_errinfo ei = {0};
	int rc = wy_store_search(st, &req, &r, &ei);
	if (rc)
		fprintf(stderr, "search %s: %s\n", q, ei.msg);
	ASSERT_EQ(rc, WY_OK);
	for (int i = 0; i < r.n && i < max; i++)
		ids[i] = r.items[i].doc.id;
	int strict = r.strict;
	wy_search_result_clear(&r);
	wy_query_free(qq);
	return strict;
}

static const char *const SPEECH[] = {
	"在全市教育工作会议上的讲话\n同志们：今天我们召开全市教育工作会议，主要任务是总结工作。",
	"第二部分 关于人工智能课程\n各学校要开设人工智能课程，提高学生的学习能力。",
	"第三部分 创建文明校园\n创建工作要落到实处。Python 编程进入课堂。",
	NULL,
};
static const char *const TRAD[] = {
	"資訊科技與創新發展報告\n本報告討論臺灣的軟體產業與網路服務。",
	NULL,
};
static const char *const COOK[] = {
	"家常菜谱\n红烧肉的做法：五花肉切块，冰糖炒色。",
	NULL,
};

TEST(finds_pages_by_short_chinese_queries)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t speech = publish(st, "教育工作会议讲话", SPEECH);
	int64_t trad = publish(st, "資訊科技報告", TRAD);
	int64_t cook = publish(st, "家常菜谱", COOK);
	int64_t ids[8];
	/* two characters */
	ASSERT_EQ(search(st, "课程", ids, 8), 1);
	ASSERT_EQ(ids[0], speech);
	ASSERT_EQ(search(st, "红烧", ids, 8), 1);
	ASSERT_EQ(ids[0], cook);
	/* one character: anywhere in a word, also at its end */
	ASSERT_EQ(search(st, "肉", ids, 8), 1);
	ASSERT_EQ(ids[0], cook);
	ASSERT_EQ(search(st, "程", ids, 8), 1); /* 课程, 编程 */
	ASSERT_EQ(search(st, "鑫", ids, 8), 0);
	/* a phrase that is not there as a whole is not found */
	ASSERT_EQ(search(st, "课程会议", ids, 8), 0);
	/* which pages: the best page of the speech for 人工智能 is page 2 */
	wy_query *q = wy_query_parse("人工智能", strlen("人工智能"));
	wy_search_req req = {.query = q, .limit = 10};
	wy_search_result r;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.items[0].npages, 1);
	ASSERT_EQ(r.items[0].pages[0], 2);
	wy_search_result_clear(&r);
	int pages[8], n;
	ASSERT_EQ(wy_store_doc_search(st, speech, 100, q, false, pages, 8, &n, NULL), WY_OK);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(pages[0], 2);
	/* pages past last_page are not searched: a visitor's search inside a
	 * document costs its preview, not the whole document */
	ASSERT_EQ(wy_store_doc_search(st, speech, 1, q, false, pages, 8, &n, NULL), WY_OK);
	ASSERT_EQ(n, 0);
	wy_query_free(q);
	/* Traditional finds Simplified and the reverse */
	ASSERT_EQ(search(st, "創建", ids, 8), 1);
	ASSERT_EQ(ids[0], speech);
	ASSERT_EQ(search(st, "创新发展", ids, 8), 1);
	ASSERT_EQ(ids[0], trad);
	ASSERT_EQ(search(st, "台湾 软体", ids, 8), 1);
	/* mixed Chinese and English, case and width folded */
	ASSERT_EQ(search(st, "PYTHON 编程", ids, 8), 1);
	ASSERT_EQ(ids[0], speech);
	ASSERT_EQ(search(st, "ｐｙｔｈｏｎ", ids, 8), 1);
	/* exclusion */
	ASSERT_EQ(search(st, "工作 -python", ids, 8), 0);
	ASSERT_EQ(search(st, "工作 -红烧", ids, 8), 1);
	/* every clause in the document, not necessarily on one page */
	ASSERT_EQ(search(st, "会议 文明校园", ids, 8), 1);
	ASSERT_EQ(search(st, "会议 红烧", ids, 8), 0);
	wy_store_close(st);
}

TEST(title_weighs_more_than_body)
{
	wy_store *st = fresh();
	const char *const body_only[] = {"这篇文章顺便提到了数学，但主要讲别的事情。", NULL};
	const char *const title_too[] = {"函数与方程的基本概念。", NULL};
	int64_t a = publish(st, "闲谈随笔", body_only);
	int64_t b = publish(st, "高中数学复习", title_too);
	int64_t ids[4];
	ASSERT_EQ(search(st, "数学", ids, 4), 2);
	ASSERT_EQ(ids[0], b);
	ASSERT_EQ(ids[1], a);
	wy_store_close(st);
}

TEST(hostile_queries_never_error)
{
	wy_store *st = fresh();
	publish(st, "教育工作会议讲话", SPEECH);
	const char *bad[] = {"\"", "\"\"\"", "-", "*", "NEAR(课程 学习)", "课程 OR", "AND", "NOT 课程", "(课程",
			     "课程)", "^课程", "body:课程", "{body}: 课程", "课程*", "'; DROP TABLE pages; --", "\\",
			     "。。。", "- - -"};
	int64_t ids[4];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ASSERT(search(st, bad[i], ids, 4) >= 0);
	/* NUL bytes and 4 KB of junk */
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)("\"*()-+:^ab课\0NEAR"[i % 16] ^ (i % 13 == 0 ? 0x80 : 0));
	wy_query *q = wy_query_parse(junk, sizeof junk);
	wy_search_req req = {.query = q, .limit = 10};
	wy_search_result r;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	wy_search_result_clear(&r);
	wy_query_free(q);
	wy_store_close(st);
}

TEST(retry_and_reindex_keep_the_index_true)
{
	wy_store *st = fresh();
	int64_t id = publish(st, "家常菜谱", COOK);
	int64_t ids[4];
	ASSERT_EQ(search(st, "红烧", ids, 4), 1);
	/* convert again with other text: the old text is gone from the index */
	ASSERT_EQ(wy_store_doc_retry(st, id, true, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p = {.page_no = 1, .text = (char *)"清蒸鱼的做法", .width = 1, .height = 1};
	snprintf(p.image_sha256, 65, "%064d", 0);
	wy_doc_result r = {.format = "pdf", .title = "家常菜谱", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(search(st, "红烧", ids, 4), 0);
	ASSERT_EQ(search(st, "清蒸", ids, 4), 1);
	ASSERT_EQ(wy_store_reindex(st, NULL, NULL, NULL), WY_OK);
	ASSERT_EQ(search(st, "清蒸", ids, 4), 1);
	ASSERT_EQ(search(st, "菜谱", ids, 4), 1); /* the title */
	ASSERT_EQ(search(st, "红烧", ids, 4), 0);
	/* a document that failed is not found */
	wy_store_close(st);
}

static char *long_text(unsigned seed, int chars)
{
	static const char *const words[] = {"教育", "发展", "学生", "课程", "改革", "质量", "教师", "学校", "管理",
					   "创新", "实践", "评价", "目标", "任务", "要求", "提高", "加强", "推进"};
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 0; i < chars / 2; i++) {
		seed = seed * 1103515245u + 12345u;
		wy_buf_puts(&b, words[(seed >> 16) % (sizeof words / sizeof words[0])]);
		if (i % 9 == 8)
			wy_buf_puts(&b, "，");
	}
	return wy_buf_steal(&b);
}

TEST(near_duplicates_are_found)
{
	wy_store *st = fresh();
	char *a = long_text(1, 2000), *c = long_text(2, 2000);
	const char *const ta[] = {a, NULL};
	int64_t ida = publish_fp(st, "原文", NULL, NULL, true, 0, ta);
	/* the same text re-flowed and with a few characters changed */
	char *b = wy_xstrdup(a);
	memcpy(b + 300, "改写", 6);
	memcpy(b + 3000, "换字", 6);
	wy_buf rb;
	wy_buf_init(&rb, 0);
	for (const char *p = b; *p; p++) {
		wy_buf_putc(&rb, *p);
		if ((p - b) % 600 == 599)
			wy_buf_putc(&rb, '\n');
	}
	wy_minhash m;
	unsigned char sig[WY_MINHASH_BYTES];
	wy_minhash_init(&m);
	wy_minhash_add(&m, rb.data, rb.len);
	ASSERT(wy_minhash_finish(&m, sig));
	int64_t dup;
	double sim;
	ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, 0, &dup, &sim, NULL), WY_OK);
	ASSERT_EQ(dup, ida);
	ASSERT(sim >= 0.8);
	/* ... but not the document itself, converted again */
	ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, ida, &dup, &sim, NULL), WY_OK);
	ASSERT_EQ(dup, 0);
	/* the first upload is the original: a later copy duplicates it, it
	 * never duplicates the later copy (a new version of it neither) */
	int64_t idb = publish_fp(st, "副本", NULL, NULL, true, 0, ta);
	ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, idb, &dup, &sim, NULL), WY_OK);
	ASSERT_EQ(dup, ida);
	ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, ida, &dup, &sim, NULL), WY_OK);
	ASSERT_EQ(dup, 0);
	ASSERT_EQ(wy_store_doc_set_state(st, idb, WY_STATE_DELETED, NULL), WY_OK);
	/* nor one its readers may not see (issue 12: a duplicate_of, or a
	 * refusal naming it, told of a pending, hidden or deleted document; a
	 * private one: tests/e2e/sec_http.sh) */
	for (int state = WY_STATE_PENDING; state <= WY_STATE_DELETED; state++) {
		ASSERT_EQ(wy_store_doc_set_state(st, ida, state, NULL), WY_OK);
		ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, 0, &dup, &sim, NULL), WY_OK);
		ASSERT_EQ(dup, 0);
	}
	ASSERT_EQ(wy_store_doc_set_state(st, ida, WY_STATE_PUBLISHED, NULL), WY_OK);
	/* a different text of the same words is not */
	wy_minhash_init(&m);
	wy_minhash_add(&m, c, strlen(c));
	ASSERT(wy_minhash_finish(&m, sig));
	ASSERT_EQ(wy_store_near_duplicate(st, sig, 0.8, 0, &dup, &sim, NULL), WY_OK);
	ASSERT_EQ(dup, 0);
	/* too short a text has no fingerprint */
	wy_minhash_init(&m);
	wy_minhash_add(&m, "短", 3);
	ASSERT(!wy_minhash_finish(&m, sig));
	wy_buf_free(&rb);
	free(a);
	free(b);
	free(c);
	wy_store_close(st);
}

TEST(related_by_keywords_and_also_read)
{
	wy_store *st = fresh();
	const char *const t1[] = {"人工智能与机器学习导论", NULL};
	const char *const t2[] = {"机器学习实践", NULL};
	const char *const t3[] = {"红烧肉", NULL};
	int64_t a = publish_fp(st, "人工智能导论", "行业资料/计算机", "人工智能 机器学习 神经网络", false, 0, t1);
	int64_t b = publish_fp(st, "机器学习实践", "电子书/科普", "机器学习 算法", false, 0, t2);
	int64_t c = publish_fp(st, "家常菜", "行业资料/计算机", "红烧肉 做法", false, 0, t3);
	wy_doc_list l;
	ASSERT_EQ(wy_store_doc_related(st, a, 2, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.items[0].id, b); /* by content first, then the same category */
	ASSERT_EQ(l.items[1].id, c);
	wy_doc_list_clear(&l);
	/* visitors of a also read c, none read b */
	uint64_t v[] = {1, 1, 2, 2, 3};
	int64_t d[] = {a, c, a, c, b};
	ASSERT_EQ(wy_store_visits_add(st, v, d, 5, NULL), WY_OK);
	ASSERT_EQ(wy_store_doc_also_read(st, a, NULL, 0, 1, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.items[0].id, c);
	wy_doc_list_clear(&l);
	/* excluding c, it falls back to the most viewed elsewhere */
	ASSERT_EQ(wy_store_doc_also_read(st, a, &c, 1, 2, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.items[0].id, b);
	wy_doc_list_clear(&l);
	/* the query log */
	ASSERT_EQ(wy_store_search_log(st, "机器学习", b, NULL), WY_OK);
	ASSERT_EQ(wy_store_search_log(st, "机器学习", b, NULL), WY_OK);
	ASSERT_EQ(wy_store_search_log(st, "算法", b, NULL), WY_OK);
	wy_str_list q;
	ASSERT_EQ(wy_store_doc_queries(st, b, 5, &q, NULL), WY_OK);
	ASSERT_EQ(q.n, 2);
	ASSERT_STR_EQ(q.items[0], "机器学习");
	wy_str_list_clear(&q);
	wy_store_close(st);
}

/* A caller's bound on the pages a result may show hits on (the preview). */
static int shown_two(void *ctx, const wy_doc *d)
{
	*(int64_t *)ctx = d->id;
	return 2;
}

TEST(hit_pages_stay_within_the_pages_shown)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t speech = publish(st, "教育工作会议讲话", SPEECH);
	int64_t asked = 0;
	wy_search_result r;
	/* 工作 is on pages 1 and 3: page 1 alone within two pages */
	wy_query *q = wy_query_parse("工作", strlen("工作"));
	wy_search_req req = {.query = q, .limit = 10, .pages_shown = shown_two, .pages_shown_ctx = &asked};
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(asked, speech);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.items[0].last_page, 2);
	ASSERT_EQ(r.items[0].npages, 1);
	ASSERT_EQ(r.items[0].npages_shown, 1);
	ASSERT_EQ(r.items[0].pages[0], 1);
	wy_search_result_clear(&r);
	wy_query_free(q);
	/* 创建 only on page 3: still found, with no page to show */
	q = wy_query_parse("创建", strlen("创建"));
	req.query = q;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.total, 1);
	ASSERT_EQ(r.items[0].doc.id, speech);
	ASSERT_EQ(r.items[0].npages, 0);
	ASSERT_EQ(r.items[0].npages_shown, 0);
	wy_search_result_clear(&r);
	/* without a bound: page 3 */
	req.pages_shown = NULL;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.items[0].npages, 1);
	ASSERT_EQ(r.items[0].pages[0], 3);
	wy_search_result_clear(&r);
	wy_query_free(q);
	wy_store_close(st);
}

/* Found by an attacker: ten long phrases of one common word took seconds
 * of a core per anonymous request. The same clause twice is one clause,
 * and a search stops at its budget with WY_ETIMEOUT. */
TEST(a_slow_query_stops_at_its_budget)
{
	wy_query *q = wy_query_parse("abc abc \"abc\" -x -x", 20);
	ASSERT_EQ(wy_query_nclauses(q), 1);
	wy_query_free(q);

	wy_store *st = fresh();
	ASSERT(st);
	wy_buf page;
	wy_buf_init(&page, 0);
	for (int i = 0; i < 1500; i++)
		wy_buf_puts(&page, "a ");
	const char *texts[16];
	for (int i = 0; i < 15; i++)
		texts[i] = page.data;
	texts[15] = NULL;
	for (int d = 0; d < 60; d++)
		publish(st, "重复", texts);
	wy_buf query;
	wy_buf_init(&query, 0);
	for (int k = 0; k < 8; k++) {
		wy_buf_putc(&query, '"');
		for (int i = 0; i < 20 + k; i++)
			wy_buf_puts(&query, "a ");
		wy_buf_puts(&query, "\" ");
	}
	q = wy_query_parse(query.data, query.len);
	ASSERT_EQ(wy_query_nclauses(q), 8);
	wy_search_req req = {.query = q, .limit = 10, .max_ms = 1};
	wy_search_result r;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_search(st, &req, &r, &ei), WY_ETIMEOUT);
	ASSERT_CONTAINS(ei.msg, "too long");
	req.max_ms = 600000; /* the same search, given time, is answered */
	ASSERT_EQ(wy_store_search(st, &req, &r, &ei), WY_OK);
	ASSERT_EQ(r.total, 60);
	wy_search_result_clear(&r);
	wy_query_free(q);
	wy_buf_free(&query);
	wy_buf_free(&page);
	wy_store_close(st);
}

/* What people paste into a search box: a span copied without its
 * punctuation, across a line break or a table cell, in the other script,
 * a title set letter-spaced; and, when fewer than a page match strictly,
 * the documents that hold most of the query after them. */
static const char *const SUNZI[] = {
	"军形篇\n昔之善战者，先为不可胜，以待敌之可胜。不可胜在己，\n可胜在敌。",
	"故善战者，能为不可胜，不能使敌之必可胜。",
	NULL,
};
static const char *const MINUTES[] = {
	"会 议 纪 要\n会议时间：2023年5月1日\n会议地点：第一会议室\n| 姓名 | 部门 |\n| 张三 | 财务部 |",
	NULL,
};
static const char *const KITCHEN[] = {
	"家常菜谱\n红烧肉的做法：五花肉切块。\n卤味：猪心、猪大肠各一副，小火慢炖。",
	NULL,
};

/* The results of q: ids, kinds and first pages, in order; returns r.n. */
static int search_kinds(wy_store *st, const char *q, int64_t *ids, wy_hit_kind *kinds, int *first_page, int *strict)
{
	wy_query *qq = wy_query_parse(q, strlen(q));
	wy_search_req req = {.query = qq, .limit = 10};
	wy_search_result r;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	for (int i = 0; i < r.n; i++) {
		ids[i] = r.items[i].doc.id;
		kinds[i] = r.items[i].kind;
		first_page[i] = r.items[i].npages_shown ? r.items[i].pages[0] : 0;
	}
	*strict = r.strict;
	int n = r.n;
	ASSERT_EQ(r.total, n);
	wy_search_result_clear(&r);
	wy_query_free(qq);
	return n;
}

TEST(spans_people_paste_are_found)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t sunzi = publish(st, "孙子兵法", SUNZI);
	int64_t minutes = publish(st, "会议纪要", MINUTES);
	int64_t kitchen = publish(st, "家常菜谱", KITCHEN);
	int64_t ids[10];
	wy_hit_kind kinds[10];
	int page[10], strict;
	/* punctuation removed; a line break inside; the other script */
	const char *const found_on_1[] = {"以待敌之可胜不可胜在己", "不可胜在己可胜在敌", "先為不可勝以待敵", NULL};
	for (int i = 0; found_on_1[i]; i++) {
		ASSERT_EQ(search_kinds(st, found_on_1[i], ids, kinds, page, &strict), 1);
		ASSERT_EQ(strict, 1);
		ASSERT_EQ(ids[0], sunzi);
		ASSERT_EQ(page[0], 1);
	}
	/* across a table cell, across a label and its value, letter-spaced */
	const char *const in_minutes[] = {"姓名部门张三财务部", "会议地点第一会议室", "会议纪要会议时间", NULL};
	for (int i = 0; in_minutes[i]; i++) {
		ASSERT_EQ(search_kinds(st, in_minutes[i], ids, kinds, page, &strict), 1);
		ASSERT_EQ(strict, 1);
		ASSERT_EQ(ids[0], minutes);
	}
	/* a quoted phrase is still the phrase: in this order only */
	ASSERT_EQ(search_kinds(st, "\"部门姓名\"", ids, kinds, page, &strict), 0);
	/* the words in another order: no strict match, found relaxed, with
	 * the page that holds them */
	ASSERT_EQ(search_kinds(st, "猪大肠猪心", ids, kinds, page, &strict), 1);
	ASSERT_EQ(strict, 0);
	ASSERT_EQ(ids[0], kitchen);
	ASSERT_EQ(kinds[0], WY_HIT_RELAXED);
	ASSERT_EQ(page[0], 1);
	/* a character wrong: relaxed; the strict match of a shorter query
	 * comes first, relaxed ones after it */
	ASSERT_EQ(search_kinds(st, "善战者不能使敌", ids, kinds, page, &strict), 1);
	ASSERT_EQ(kinds[0], WY_HIT_RELAXED);
	ASSERT_EQ(page[0], 2);
	ASSERT_EQ(search_kinds(st, "会议 红烧肉", ids, kinds, page, &strict), 1); /* 红烧 烧肉 of 会议 红烧 烧肉 */
	ASSERT_EQ(strict, 0);
	ASSERT_EQ(ids[0], kitchen);
	ASSERT_EQ(search_kinds(st, "红烧肉 做法", ids, kinds, page, &strict), 1);
	ASSERT_EQ(strict, 1);
	ASSERT_EQ(search_kinds(st, "不可胜 敌之", ids, kinds, page, &strict), 1);
	ASSERT_EQ(kinds[0], WY_HIT_STRICT);
	/* less than half of the query: nothing, rather than noise */
	ASSERT_EQ(search_kinds(st, "猪心量子力学相对论", ids, kinds, page, &strict), 0);
	/* an excluded clause holds for relaxed matches too */
	ASSERT_EQ(search_kinds(st, "猪大肠猪心 -红烧", ids, kinds, page, &strict), 0);
	/* a document the reader may not see is never a relaxed match */
	ASSERT_EQ(wy_store_doc_set_private(st, kitchen, true, NULL), WY_OK);
	ASSERT_EQ(search_kinds(st, "猪大肠猪心", ids, kinds, page, &strict), 0);
	/* relaxed hits are marked term by term */
	wy_query *q = wy_query_parse("猪大肠猪心", strlen("猪大肠猪心"));
	const char *t = "卤味：猪心、猪大肠各一副";
	wy_hit hits[8];
	int nh = wy_query_hits_relaxed(q, t, strlen(t), 1000, hits, 8);
	ASSERT_EQ(nh, 2);
	ASSERT_EQ(hits[0].start, strlen("卤味："));
	ASSERT_EQ(hits[0].end, strlen("卤味：猪心"));
	ASSERT_EQ(hits[1].start, strlen("卤味：猪心、"));
	ASSERT_EQ(hits[1].end, strlen("卤味：猪心、猪大肠"));
	ASSERT_EQ(wy_query_hits(q, t, strlen(t), 1000, hits, 8), 0);
	wy_cover c;
	wy_query_cover(q, NULL, t, strlen(t), 1000, &c);
	ASSERT_EQ(c.found, 3); /* 猪大 大肠 猪心 of 猪大 大肠 肠猪 猪心 */
	ASSERT(c.share > 0.74 && c.share < 0.76);
	ASSERT(c.chars > 0.999); /* every character of the query is in a term found */
	wy_query_free(q);
	wy_store_close(st);
}

/* Titles are found by their pinyin and its initials, after the strict
 * matches; renaming or unpublishing a document takes its old title out. */
TEST(titles_by_pinyin_and_initials)
{
	wy_store *st = fresh();
	ASSERT(st);
	const char *const body[] = {"这是正文，没有标题里的字。", NULL};
	int64_t speech = publish(st, "2023年双拥工作会议上的讲话", body);
	int64_t cq = publish(st, "重庆市旅游指南", body);
	int64_t xa = publish(st, "西安历史", body);
	int64_t ids[10];
	wy_hit_kind kinds[10];
	int page[10], strict;
	static const struct {
		const char *q;
		int which;
	} cases[] = {{"shuangyonggongzuo", 0}, {"sygz", 0}, {"SYGZHY", 0}, {"shuang yong", 0},
		     {"chongqing", 1},	       {"cq", 1},   {"chongq", 1}, {"xi'an", 2},
		     {"xian", 2}};
	int64_t want[] = {speech, cq, xa};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ASSERT_EQ(search_kinds(st, cases[i].q, ids, kinds, page, &strict), 1);
		ASSERT_EQ(strict, 0);
		ASSERT_EQ(ids[0], want[cases[i].which]);
		ASSERT_EQ(kinds[0], WY_HIT_PINYIN);
	}
	/* letters no title reads as */
	ASSERT_EQ(search_kinds(st, "shuangyongxian", ids, kinds, page, &strict), 0);
	ASSERT_EQ(search_kinds(st, "qz", ids, kinds, page, &strict), 0);
	/* a private document is not found by its pinyin either */
	ASSERT_EQ(wy_store_doc_set_private(st, xa, true, NULL), WY_OK);
	ASSERT_EQ(search_kinds(st, "xian", ids, kinds, page, &strict), 0);
	/* a rebuilt index still has the titles' pinyin */
	ASSERT_EQ(wy_store_reindex(st, NULL, NULL, NULL), WY_OK);
	ASSERT_EQ(search_kinds(st, "sygz", ids, kinds, page, &strict), 1);
	ASSERT_EQ(ids[0], speech);
	/* a strict match comes first: a body with the word itself */
	const char *const latin[] = {"The code name was sygz in the plan.", NULL};
	int64_t plan = publish(st, "Plan", latin);
	ASSERT_EQ(search_kinds(st, "sygz", ids, kinds, page, &strict), 2);
	ASSERT_EQ(strict, 1);
	ASSERT_EQ(ids[0], plan);
	ASSERT_EQ(kinds[0], WY_HIT_STRICT);
	ASSERT_EQ(ids[1], speech);
	ASSERT_EQ(kinds[1], WY_HIT_PINYIN);
	wy_store_close(st);
}

/* Near-duplicates found by one search show once, where the best-ranked of
 * them is, naming the others; the count and the pages of results skip
 * them, and a document unlike them stays a result of its own. */
TEST(near_duplicates_fold_into_one_result)
{
	wy_store *st = fresh();
	ASSERT(st);
	static const char *const orig[] = {"海洋里的蓝鲸是世界上最大的动物，蓝鲸以磷虾为食。", NULL};
	static const char *const copy[] = {"海洋里的蓝鲸是世界上最大的动物，蓝鲸以小虾为食。", NULL};
	static const char *const other[] = {"蓝鲸的歌声能传到很远的地方。", NULL};
	int64_t a = publish_fp(st, "蓝鲸", NULL, NULL, false, 0, orig);
	int64_t b = publish_fp(st, "蓝鲸（副本）", NULL, NULL, false, a, copy);
	int64_t c = publish_fp(st, "蓝鲸（又一份）", NULL, NULL, false, a, copy);
	int64_t d = publish_fp(st, "鲸歌", NULL, NULL, false, 0, other);
	wy_query *q = wy_query_parse("蓝鲸", strlen("蓝鲸"));
	wy_search_req req = {.query = q, .limit = 10};
	wy_search_result r;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.total, 2);
	ASSERT_EQ(r.n, 2);
	int group = -1;
	for (int i = 0; i < r.n; i++)
		if (r.items[i].doc.id != d)
			group = i;
	ASSERT(group >= 0);
	const wy_search_hit *h = &r.items[group];
	ASSERT_EQ(h->nsimilar, 2);
	/* the three are one group, whichever ranks first */
	int64_t seen[3] = {h->doc.id, h->similar[0], h->similar[1]};
	for (int k = 0; k < 3; k++)
		ASSERT(seen[k] == a || seen[k] == b || seen[k] == c);
	ASSERT(seen[0] != seen[1] && seen[1] != seen[2] && seen[0] != seen[2]);
	int64_t first = r.items[0].doc.id, second = r.items[1].doc.id;
	ASSERT_EQ(r.items[1 - group].nsimilar, 0);
	wy_search_result_clear(&r);
	/* one result a page: two pages, the same two results */
	req.limit = 1;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.total, 2);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.items[0].doc.id, first);
	wy_search_result_clear(&r);
	req.offset = 1;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.total, 2);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.items[0].doc.id, second);
	wy_search_result_clear(&r);
	req.offset = 2;
	ASSERT_EQ(wy_store_search(st, &req, &r, NULL), WY_OK);
	ASSERT_EQ(r.n, 0);
	wy_search_result_clear(&r);
	wy_query_free(q);
	wy_store_close(st);
}

TEST_LIST(T(titles_by_pinyin_and_initials), T(spans_people_paste_are_found), T(a_slow_query_stops_at_its_budget), T(finds_pages_by_short_chinese_queries), T(title_weighs_more_than_body), T(hostile_queries_never_error),
	  T(retry_and_reindex_keep_the_index_true), T(near_duplicates_are_found), T(related_by_keywords_and_also_read),
	  T(hit_pages_stay_within_the_pages_shown), T(near_duplicates_fold_into_one_result))

/* The same library on both backends answers the same queries with the same
 * top results: one library is published into a SQLite store and, when the
 * tests have a PostgreSQL cluster (WENYUAN_TEST_PG: ctest's
 * unit_pg.test_search_same), into a PostgreSQL store too, and every query
 * below (one- and two-character Chinese, phrases, exclusions, several
 * clauses weighed by IDF, titles and keywords over bodies, sorts, pinyin,
 * relaxed matching) must give the same results in the same order, the
 * same totals and the same best pages. Each query's expected top result
 * is checked on SQLite as well, so the comparison is not of two empty
 * answers. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "text/query.h"

#include <stdint.h>

/* Publish a document with these page texts (NULL-terminated), as a worker
 * would. */
static void publish(wy_store *st, const char *title, const char *keywords, const char *const *texts)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial);
	wy_doc_new dn = {.title = title, .filename = "doc.pdf", .sha256 = sha, .size = 1000};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page pages[16];
	memset(pages, 0, sizeof pages);
	int n = 0;
	for (; texts[n]; n++) {
		pages[n].page_no = n + 1;
		pages[n].text = (char *)texts[n];
		snprintf(pages[n].image_sha256, 65, "%064d", 0);
		pages[n].width = 100;
		pages[n].height = 140;
	}
	wy_doc_result r = {.format = "pdf", .title = title, .npages = n, .pages = pages, .keywords = keywords};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	wy_job_clear(&j);
}

static const struct {
	const char *title, *keywords;
	const char *pages[6];
} LIBRARY[] = {
	{"人工智能导论", "人工智能 机器学习",
	 {"第一章 人工智能的发展\n人工智能是研究如何让机器学习和推理的学科。",
	  "第二章 机器学习\n监督学习、无监督学习与强化学习。机器学习需要大量数据。",
	  "第三章 深度学习\n神经网络与深度学习，Python 是常用的语言。", NULL}},
	{"全市教育工作会议讲话", NULL,
	 {"同志们：今天我们召开全市教育工作会议，主要任务是总结工作。",
	  "各学校要开设人工智能课程，提高学生的学习能力。", "创建文明校园，创建工作要落到实处。", NULL}},
	{"Python 编程教程", "python 编程 教程",
	 {"Python 是一种解释型语言。本教程从变量讲起。", "函数、类与模块。机器 学习库的使用。", NULL}},
	{"資訊科技與創新發展報告", NULL, {"本報告討論臺灣的軟體產業與網路服務，以及人工智慧的應用。", NULL}},
	{"家常菜谱", "红烧肉 菜谱", {"红烧肉的做法：五花肉切块，冰糖炒色。", "清蒸鱼：鱼要新鲜，火候要准。", NULL}},
	{"机器学习实战", NULL,
	 {"本书用 Python 讲解机器学习算法：决策树、支持向量机。",
	  "机器学习的评估：准确率与召回率。机器学习机器学习。", "附录：广告与推广合作。", NULL}},
	{"双拥工作总结", NULL, {"双拥工作取得新进展，军民团结如一家。", NULL}},
	{"重庆旅游指南", "重庆 旅游", {"重庆是山城，火锅闻名全国。", "洪崖洞与解放碑。", NULL}},
	{"学习方法漫谈", NULL, {"学而时习之，不亦说乎。学习要讲方法。", "温故而知新。", NULL}},
	{"数据科学与统计", "统计 数据", {"统计学是数据科学的基础。回归分析与假设检验。", "数据可视化。", NULL}},
	{"会议纪要", NULL, {"会议讨论了人工课程与智能设备的采购。", NULL}},
	{"网络安全手册", NULL, {"防火墙、入侵检测与网络服务的安全配置。", "密码学基础。", NULL}},
};

/* What each query must find first on SQLite (a title; NULL: nothing), so
 * that agreeing backends are known to agree on something. */
static const struct {
	const char *q, *first;
	wy_search_sort sort;
} QUERIES[] = {
	{"人工智能", "人工智能导论", WY_SEARCH_RELEVANCE},
	{"机器学习", "机器学习实战", WY_SEARCH_RELEVANCE},
	{"学", "机器学习实战", WY_SEARCH_RELEVANCE},
	{"python 教程", "Python 编程教程", WY_SEARCH_RELEVANCE},
	{"\"机器 学习\" -广告", "人工智能导论", WY_SEARCH_RELEVANCE},
	{"工作 会议", "全市教育工作会议讲话", WY_SEARCH_RELEVANCE},
	{"软件 服务", "网络安全手册", WY_SEARCH_RELEVANCE},
	{"学习", "学习方法漫谈", WY_SEARCH_NEWEST},
	{"学习", "人工智能导论", WY_SEARCH_DOWNLOADS},
	{"数据", "数据科学与统计", WY_SEARCH_RELEVANCE},
	{"sygz", "双拥工作总结", WY_SEARCH_RELEVANCE},
	{"chongq", "重庆旅游指南", WY_SEARCH_RELEVANCE},
	{"人工智能课程设备", "全市教育工作会议讲话", WY_SEARCH_RELEVANCE},
	{"红烧 -菜谱", NULL, WY_SEARCH_RELEVANCE},
	{"不存在的词语组合", NULL, WY_SEARCH_RELEVANCE},
};

typedef struct answer {
	int n, total, strict;
	bool more;
	char line[40][256];
} answer;

static void ask(wy_store *st, const char *q, wy_search_sort sort, answer *a)
{
	memset(a, 0, sizeof *a);
	wy_query *qq = wy_query_parse(q, strlen(q));
	wy_search_req req = {.query = qq, .limit = 40, .sort = sort};
	wy_search_result r;
	wy_errinfo ei = {0};
	int rc = wy_store_search(st, &req, &r, &ei);
	if (rc)
		fprintf(stderr, "  search %s: %s\n", q, wy_err_msg(&ei, rc));
	ASSERT_EQ(rc, WY_OK);
	a->n = r.n;
	a->total = r.total;
	a->strict = r.strict;
	a->more = r.more;
	for (int i = 0; i < r.n && i < 40; i++) {
		const wy_search_hit *h = &r.items[i];
		/* what a reader sees of the hit: the document, its kind, whether
		 * the title matched, its pages in order (best first) */
		int n = snprintf(a->line[i], sizeof a->line[i], "%s kind=%d title=%d npages=%d pages=", h->doc.title,
				 (int)h->kind, h->in_title, h->npages);
		for (int k = 0; k < h->npages_shown && n < (int)sizeof a->line[i] - 8; k++)
			n += snprintf(a->line[i] + n, sizeof a->line[i] - (size_t)n, "%d,", h->pages[k]);
	}
	wy_search_result_clear(&r);
	wy_query_free(qq);
}

static wy_store *build(const char *location)
{
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(location, &st, &ei);
	if (rc)
		fprintf(stderr, "  open: %s\n", wy_err_msg(&ei, rc));
	ASSERT_EQ(rc, WY_OK);
	for (size_t i = 0; i < sizeof LIBRARY / sizeof LIBRARY[0]; i++)
		publish(st, LIBRARY[i].title, LIBRARY[i].keywords, LIBRARY[i].pages);
	/* downloads differ, so the downloads order says something */
	int64_t ids[3] = {1, 6, 9}, counts[3] = {30, 20, 10};
	ASSERT_EQ(wy_store_doc_add_counts(st, ids, counts, 3, true, NULL), WY_OK);
	return st;
}

TEST(same_queries_same_top_results)
{
	wy_store *sq = build(wy_test_tmpdir("search_same"));
	wy_store *pg = wy_test_pg() ? build(wy_test_store_location("search_same")) : NULL;
	if (!pg)
		fprintf(stderr, "  (no WENYUAN_TEST_PG: SQLite's answers checked alone; unit_pg.test_search_same "
				"compares them with PostgreSQL's)\n");
	static answer a, b;
	for (size_t i = 0; i < sizeof QUERIES / sizeof QUERIES[0]; i++) {
		ask(sq, QUERIES[i].q, QUERIES[i].sort, &a);
		if (getenv("WY_SHOW")) {
			for (int k = 0; k < a.n; k++)
				fprintf(stderr, "  %s: %s\n", QUERIES[i].q, a.line[k]);
			continue;
		}
		if (QUERIES[i].first) {
			if (!a.n || strncmp(a.line[0], QUERIES[i].first, strlen(QUERIES[i].first)) != 0)
				fprintf(stderr, "  %s: first %s\n", QUERIES[i].q, a.n ? a.line[0] : "(none)");
			ASSERT(a.n > 0);
			ASSERT(strncmp(a.line[0], QUERIES[i].first, strlen(QUERIES[i].first)) == 0);
		} else {
			ASSERT_EQ(a.n, 0);
		}
		if (!pg)
			continue;
		ask(pg, QUERIES[i].q, QUERIES[i].sort, &b);
		bool same = a.n == b.n && a.total == b.total && a.strict == b.strict && a.more == b.more;
		for (int k = 0; k < a.n && k < b.n; k++)
			same &= strcmp(a.line[k], b.line[k]) == 0;
		if (!same) {
			fprintf(stderr, "  %s (sort %d): SQLite %d/%d/%d, PostgreSQL %d/%d/%d\n", QUERIES[i].q,
				(int)QUERIES[i].sort, a.n, a.total, a.strict, b.n, b.total, b.strict);
			for (int k = 0; k < a.n || k < b.n; k++)
				fprintf(stderr, "    %-60s | %s\n", k < a.n ? a.line[k] : "", k < b.n ? b.line[k] : "");
		}
		ASSERT(same);
	}
	/* and in-document search */
	if (pg) {
		wy_query *q = wy_query_parse("机器学习", strlen("机器学习"));
		int pa[8], pb[8], na = 0, nb = 0;
		ASSERT_EQ(wy_store_doc_search(sq, 1, 100, q, false, pa, 8, &na, NULL), WY_OK);
		ASSERT_EQ(wy_store_doc_search(pg, 1, 100, q, false, pb, 8, &nb, NULL), WY_OK);
		ASSERT(na >= 2);
		ASSERT_EQ(na, nb);
		for (int k = 0; k < na && k < 8; k++)
			ASSERT_EQ(pa[k], pb[k]);
		wy_query_free(q);
	}
	wy_store_close(sq);
	wy_store_close(pg);
}

/* Rebuilding the index gives the same answers (the PostgreSQL index's
 * totals, BM25's averages, are counted again from the rows). */
TEST(reindex_keeps_the_answers)
{
	wy_store *st = build(wy_test_store_location("search_reindex"));
	static answer a, b;
	ask(st, "人工智能", WY_SEARCH_RELEVANCE, &a);
	ASSERT(a.n >= 3);
	ASSERT_EQ(wy_store_reindex(st, NULL, NULL, NULL), WY_OK);
	ask(st, "人工智能", WY_SEARCH_RELEVANCE, &b);
	ASSERT_EQ(a.n, b.n);
	for (int k = 0; k < a.n; k++)
		ASSERT_STR_EQ(a.line[k], b.line[k]);
	wy_store_close(st);
}

TEST_LIST(T(same_queries_same_top_results), T(reindex_keeps_the_answers))

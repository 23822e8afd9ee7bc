/* Tests of the tokenizer and the query parser: folding, bigrams, the
 * query's clauses built from user input, hits and snippets. */
#include "test.h"

#include "core/err.h"
#include "core/util.h"
#include "text/query.h"
#include "text/tokenize.h"

#include <stdint.h>

/* Tokens of s joined by '|', kinds marked: bigram plain, tail "~", single
 * "!", unigram "^", bridge "=". */
static int join_tok(void *ctx, const wy_token *t)
{
	wy_buf *b = ctx;
	if (b->len)
		wy_buf_putc(b, '|');
	wy_buf_append(b, t->text, (size_t)t->len);
	if (t->kind == WY_TOK_TAIL)
		wy_buf_putc(b, '~');
	if (t->kind == WY_TOK_SINGLE)
		wy_buf_putc(b, '!');
	if (t->kind == WY_TOK_UNIGRAM)
		wy_buf_putc(b, '^');
	if (t->kind == WY_TOK_BRIDGE)
		wy_buf_putc(b, '=');
	return 0;
}

static char *toks(const char *s, wy_tok_mode mode)
{
	static char out[4096];
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_tokenize(s, strlen(s), mode, join_tok, &b);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	wy_buf_free(&b);
	return out;
}

TEST(init)
{
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_tokenize_init(&ei), WY_OK);
}

TEST(bigrams)
{
	ASSERT_STR_EQ(toks("人工智能", WY_TOK_INDEX), "人工|人^|工智|工^|智能|智^|能~");
	ASSERT_STR_EQ(toks("人工智能", WY_TOK_QUERY), "人工|工智|智能");
	ASSERT_STR_EQ(toks("学", WY_TOK_INDEX), "学!");
	ASSERT_STR_EQ(toks("学", WY_TOK_QUERY), "学!");
	/* punctuation and spaces end a run, and the index bridges them: the
	 * bigram across is at the run's last character */
	ASSERT_STR_EQ(toks("中国，人民。", WY_TOK_INDEX), "中国|中^|国~|国人=|人民|人^|民~");
	ASSERT_STR_EQ(toks("中国，人民。", WY_TOK_QUERY), "中国|国人|人民");
	/* a letter-spaced title, a line break and a table cell's padding */
	ASSERT_STR_EQ(toks("测 试 文 段", WY_TOK_INDEX), "测!|测试=|试!|试文=|文!|文段=|段!");
	ASSERT_STR_EQ(toks("测 试 文 段", WY_TOK_QUERY), "测试|试文|文段");
	ASSERT_STR_EQ(toks("会议时间：\n  会议", WY_TOK_INDEX), "会议|会^|议时|议^|时间|时^|间~|间会=|会议|会^|议~");
	/* more separators than WY_TOK_GAP_MAX, a letter or a digit: no bridge */
	ASSERT_STR_EQ(toks("中　　　　　　　　　国", WY_TOK_INDEX), "中!|国!");
	ASSERT_STR_EQ(toks("中 a 国", WY_TOK_INDEX), "中!|a|国!");
	ASSERT_STR_EQ(toks("第1条", WY_TOK_INDEX), "第!|1|条!");
	/* kana and hangul are runs too */
	ASSERT_STR_EQ(toks("ひらがな", WY_TOK_QUERY), "ひら|らが|がな");
	ASSERT_STR_EQ(toks("한국어", WY_TOK_QUERY), "한국|국어");
}

TEST(words_and_mixed)
{
	ASSERT_STR_EQ(toks("Hello, World 2024", WY_TOK_INDEX), "hello|world|2024");
	ASSERT_STR_EQ(toks("iPhone15手机", WY_TOK_INDEX), "iphone15|手机|手^|机~");
	ASSERT_STR_EQ(toks("用Python写", WY_TOK_INDEX), "用!|python|写!");
	/* full-width letters and digits fold to ASCII, accents go */
	ASSERT_STR_EQ(toks("ＡＢＣ１２３", WY_TOK_INDEX), "abc123");
	ASSERT_STR_EQ(toks("Café NAÏVE", WY_TOK_INDEX), "cafe|naive");
	/* Cyrillic and Greek are words, case folded */
	ASSERT_STR_EQ(toks("Москва ΑΘΗΝΑ", WY_TOK_INDEX), "москва|αθηνα");
}

TEST(traditional_folds_to_simplified)
{
	ASSERT_STR_EQ(toks("創建", WY_TOK_QUERY), "创建");
	ASSERT_STR_EQ(toks("學習機器", WY_TOK_QUERY), "学习|习机|机器");
	ASSERT_STR_EQ(toks("创建", WY_TOK_QUERY), "创建");
	/* folding is idempotent (SQLite tokenizes queries built from tokens again) */
	char *a = wy_fold_str("臺灣資訊發展", strlen("臺灣資訊發展"));
	char *b = wy_fold_str(a, strlen(a));
	ASSERT_STR_EQ(a, b);
	ASSERT_STR_EQ(a, "台湾资讯发展");
	free(a);
	free(b);
}

TEST(offsets_point_into_the_original)
{
	const char *s = "ＡＢ 創建";
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_tokenize(s, strlen(s), WY_TOK_INDEX, join_tok, &b);
	ASSERT_STR_EQ(b.data, "ab|创建|创^|建~");
	wy_buf_free(&b);
}

static int offsets_cb(void *ctx, const wy_token *t)
{
	wy_buf *b = ctx;
	wy_buf_printf(b, "%zu-%zu ", t->start, t->end);
	return 0;
}

TEST(token_ranges)
{
	/* "ＡＢ" is 6 bytes, space, then two 3-byte characters */
	const char *s = "ＡＢ 創建";
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_tokenize(s, strlen(s), WY_TOK_INDEX, offsets_cb, &b);
	ASSERT_STR_EQ(b.data, "0-6 7-13 7-10 10-13 ");
	wy_buf_free(&b);
}

TEST(hostile_input_never_breaks)
{
	/* invalid UTF-8, NULs, lone continuation bytes, overlong words */
	char junk[5000];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 131 + 7);
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_tokenize(junk, sizeof junk, WY_TOK_INDEX, join_tok, &b);
	wy_buf_free(&b);
	char longword[300];
	memset(longword, 'a', sizeof longword - 1);
	longword[sizeof longword - 1] = 0;
	ASSERT_EQ(strlen(toks(longword, WY_TOK_INDEX)), WY_TOKEN_MAX);
	ASSERT_STR_EQ(toks("", WY_TOK_INDEX), "");
}

/* The parsed query as text: clauses joined by " & ", each "-" when
 * excluded, "\"" when quoted, its tokens joined by "+", a prefix token
 * marked "*". */
static const char *clauses(const wy_query *q)
{
	static char out[4096];
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 0; i < wy_query_count(q); i++) {
		const wy_qclause *c = wy_query_clause(q, i);
		if (i)
			wy_buf_puts(&b, " & ");
		if (c->neg)
			wy_buf_putc(&b, '-');
		if (c->quoted)
			wy_buf_putc(&b, '"');
		for (int k = 0; k < c->ntok; k++)
			wy_buf_printf(&b, "%s%s%s", k ? "+" : "", c->tok[k].text, c->tok[k].prefix ? "*" : "");
	}
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	wy_buf_free(&b);
	return out;
}

TEST(query_clauses)
{
	wy_query *q = wy_query_parse("人工智能", strlen("人工智能"));
	ASSERT_STR_EQ(clauses(q), "人工+工智+智能");
	ASSERT_EQ(wy_query_nclauses(q), 1);
	ASSERT(!wy_query_has_excluded(q) && !wy_query_has_quoted(q));
	wy_query_free(q);
	/* a lone character is a prefix */
	q = wy_query_parse("学", 3);
	ASSERT_STR_EQ(clauses(q), "学*");
	ASSERT_EQ(wy_query_nterms(q), 1);
	ASSERT(wy_query_term_tok(q, 0)->prefix);
	wy_query_free(q);
	/* several clauses, a phrase, an exclusion, mixed scripts */
	const char *s = "Python 教程 \"机器 学习\" -广告";
	q = wy_query_parse(s, strlen(s));
	ASSERT_STR_EQ(clauses(q), "python & 教程 & \"机器+器学+学习 & -广告");
	ASSERT_EQ(wy_query_count(q), 4);
	ASSERT_EQ(wy_query_nclauses(q), 3);
	ASSERT(wy_query_has_excluded(q) && wy_query_has_quoted(q));
	ASSERT(wy_query_clause(q, 4) == NULL && wy_query_clause(q, -1) == NULL);
	/* relaxed terms: neither the quoted phrase nor the excluded clause */
	ASSERT_EQ(wy_query_nterms(q), 2);
	ASSERT_STR_EQ(wy_query_term(q, 0), "python");
	ASSERT_STR_EQ(wy_query_term(q, 1), "教程");
	ASSERT(wy_query_term_tok(q, 2) == NULL);
	ASSERT_STR_EQ(wy_query_display(q), "Python 教程 机器 学习 -广告");
	ASSERT(wy_query_pinyin(q) == NULL);
	wy_query_free(q);
	/* a clause ending in a lone character after a word */
	q = wy_query_parse("x学", 4);
	ASSERT_STR_EQ(clauses(q), "x+学*");
	wy_query_free(q);
	/* Latin letters read as pinyin too */
	q = wy_query_parse("sygz", 4);
	ASSERT(wy_query_pinyin(q) != NULL);
	ASSERT_EQ(wy_query_pinyin(q)->ninitials, 3);
	ASSERT_STR_EQ(wy_query_pinyin(q)->initials[0], "sy");
	wy_query_free(q);
}

TEST(query_syntax_from_users_is_inert)
{
	const char *bad[] = {
		"\"", "\"\"", "-", "--", "- -", "*", "NEAR(a b)", "a OR b", "a AND NOT b", "(", ")", "^a", "a:b",
		"title:secret", "\"unclosed phrase", "{a b}", "a + b", "'; DROP TABLE pages; --", "。，、！",
		"a':* & !b", "x<->y", "a\\b",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wy_query *q = wy_query_parse(bad[i], strlen(bad[i]));
		/* every token is folded letters, digits or CJK: no engine's
		 * syntax can be in it */
		for (int c = 0; c < wy_query_count(q); c++) {
			const wy_qclause *cl = wy_query_clause(q, c);
			ASSERT(cl->ntok > 0);
			for (int k = 0; k < cl->ntok; k++) {
				ASSERT_EQ((int)strlen(cl->tok[k].text), cl->tok[k].len);
				for (const char *p = cl->tok[k].text; *p; p++)
					ASSERT(!strchr("\"'()*:+-^{}<>&|!;\\ ", *p));
			}
		}
		wy_query_free(q);
	}
}

TEST(hits_and_snippets)
{
	const char *text = "第一章 人工智能的發展。近年來，人工智能（AI）快速发展，学习能力不断提高。";
	wy_query *q = wy_query_parse("人工智能 发展", strlen("人工智能 发展"));
	wy_hit h[16];
	int n = wy_query_hits(q, text, strlen(text), 1 << 20, h, 16);
	ASSERT_EQ(n, 4);
	/* the Traditional 發展 is found by the Simplified query */
	ASSERT(strncmp(text + h[1].start, "發展", h[1].end - h[1].start) == 0);
	ASSERT(strncmp(text + h[2].start, "人工智能", h[2].end - h[2].start) == 0);
	wy_snippet sn;
	wy_snippet_make(text, strlen(text), h, n, 40, &sn);
	ASSERT_EQ(sn.hits, 4);
	ASSERT(!sn.cut_before);
	wy_query_free(q);

	/* a one-character query marks just that character */
	q = wy_query_parse("学", 3);
	n = wy_query_hits(q, text, strlen(text), 1 << 20, h, 16);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(h[0].end - h[0].start, 3);
	ASSERT(strncmp(text + h[0].start, "学", 3) == 0);
	wy_query_free(q);
}

TEST_LIST(T(init), T(bigrams), T(words_and_mixed), T(traditional_folds_to_simplified), T(offsets_point_into_the_original), T(token_ranges), T(hostile_input_never_breaks), T(query_clauses), T(query_syntax_from_users_is_inert), T(hits_and_snippets))

/* Template tests: escaping by default, sections over arrays and objects,
 * inverted sections, dotted names, and malformed templates refused. */
#include "test.h"
#include "web/template.h"

static char *render(const char *tpl, const char *json)
{
	wy_template *t;
	wy_errinfo ei = {0};
	if (wy_template_parse(tpl, strlen(tpl), &t, &ei)) {
		fprintf(stderr, "  parse: %s\n", ei.msg);
		return NULL;
	}
	json_error_t je;
	json_t *ctx = json_loads(json, 0, &je);
	wy_buf b;
	wy_buf_init(&b, 1 << 20);
	int rc = wy_template_render(t, ctx, &b);
	json_decref(ctx);
	wy_template_free(t);
	if (rc) {
		wy_buf_free(&b);
		return NULL;
	}
	return wy_buf_steal(&b);
}

#define EXPECT(tpl, json, want)                                 \
	do {                                                    \
		char *got_ = render(tpl, json);                 \
		ASSERT_STR_EQ(got_, want);                      \
		free(got_);                                     \
	} while (0)

TEST(values_are_escaped)
{
	EXPECT("<h1>{{title}}</h1>", "{\"title\": \"<script>alert('x')</script> & 文渊\"}",
	       "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 文渊</h1>");
	EXPECT("<a title=\"{{t}}\">", "{\"t\": \"\\\" onmouseover=\\\"x\"}", "<a title=\"&quot; onmouseover=&quot;x\">");
	EXPECT("{{{html}}}", "{\"html\": \"<b>ok</b>\"}", "<b>ok</b>");
	EXPECT("{{n}} {{f}} {{yes}} {{no}} {{nil}} {{missing}}.",
	       "{\"n\": 42, \"f\": 1.5, \"yes\": true, \"no\": false, \"nil\": null}", "42 1.5 true   .");
}

TEST(sections)
{
	EXPECT("{{#docs}}[{{id}}:{{title}}]{{/docs}}", "{\"docs\": [{\"id\": 1, \"title\": \"甲\"}, {\"id\": 2, \"title\": \"乙\"}]}",
	       "[1:甲][2:乙]");
	EXPECT("{{#doc}}{{title}} in {{site}}{{/doc}}", "{\"site\": \"文渊\", \"doc\": {\"title\": \"手册\"}}", "手册 in 文渊");
	EXPECT("{{#docs}}x{{/docs}}{{^docs}}没有文档{{/docs}}", "{\"docs\": []}", "没有文档");
	EXPECT("{{#on}}yes{{/on}}{{^on}}no{{/on}}", "{\"on\": 0}", "no");
	EXPECT("{{#tags}}<{{.}}>{{/tags}}", "{\"tags\": [\"a\", \"<b>\"]}", "<a><&lt;b&gt;>");
	EXPECT("{{doc.category.name}}", "{\"doc\": {\"category\": {\"name\": \"论文\"}}}", "论文");
	EXPECT("{{! a comment }}ok", "{}", "ok");
}

TEST(malformed_templates_are_refused)
{
	const char *bad[] = {"{{#a}}open", "{{/a}}", "{{#a}}{{/b}}", "{{unclosed", "{{bad name}}", "{{}}", "{{{x}}",
			     NULL};
	for (int i = 0; bad[i]; i++) {
		wy_template *t = NULL;
		wy_errinfo ei = {0};
		ASSERT_EQ(wy_template_parse(bad[i], strlen(bad[i]), &t, &ei), WY_EINVAL);
		ASSERT(ei.msg[0]);
	}
	/* nesting is bounded */
	wy_buf b;
	wy_buf_init(&b, 0);
	for (int i = 0; i < 40; i++)
		wy_buf_puts(&b, "{{#a}}");
	for (int i = 0; i < 40; i++)
		wy_buf_puts(&b, "{{/a}}");
	wy_template *t = NULL;
	ASSERT_EQ(wy_template_parse(b.data, b.len, &t, NULL), WY_EINVAL);
	wy_buf_free(&b);
}

TEST(output_cap)
{
	wy_template *t;
	ASSERT_EQ(wy_template_parse("{{#a}}0123456789{{/a}}", strlen("{{#a}}0123456789{{/a}}"), &t, NULL), WY_OK);
	json_t *ctx = json_pack("{s:[iiiiiiiiii]}", "a", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	wy_buf b;
	wy_buf_init(&b, 50);
	ASSERT_EQ(wy_template_render(t, ctx, &b), WY_ETOOBIG);
	wy_buf_free(&b);
	json_decref(ctx);
	wy_template_free(t);
}

/* Sixteen nested sections over an array of eight: 8^16 passes that write
 * nothing. The render stops on its work budget instead of running for ever
 * (found by the template fuzz target). */
TEST(nested_sections_are_bounded)
{
	wy_buf src;
	wy_buf_init(&src, 0);
	for (int i = 0; i < 16; i++)
		wy_buf_puts(&src, "{{#a}}");
	for (int i = 0; i < 16; i++)
		wy_buf_puts(&src, "{{/a}}");
	wy_template *t;
	ASSERT_EQ(wy_template_parse(src.data, src.len, &t, NULL), WY_OK);
	json_t *ctx = json_loads("{\"a\":[0,1,2,3,4,5,6,7]}", 0, NULL);
	ASSERT(ctx);
	wy_buf out;
	wy_buf_init(&out, 1 << 20);
	ASSERT_EQ(wy_template_render(t, ctx, &out), WY_ETOOBIG);
	wy_buf_free(&out);
	wy_buf_free(&src);
	json_decref(ctx);
	wy_template_free(t);
}

/* The document page renders a document's outline (contract 4: entries
 * {title, page, depth}) itself, so it works without script: links to
 * ?p=N, indented by depth, titles escaped; none when has_outline is false. */
static char *render_doc(const char *json)
{
	wy_template *t;
	wy_errinfo ei = {0};
	if (wy_template_load(WY_SOURCE_DIR "/web/templates/doc.html", &t, &ei)) {
		fprintf(stderr, "  load: %s\n", ei.msg);
		return NULL;
	}
	json_t *ctx = json_loads(json, 0, NULL);
	wy_buf b;
	wy_buf_init(&b, 1 << 20);
	int rc = ctx ? wy_template_render(t, ctx, &b) : WY_EINVAL;
	json_decref(ctx);
	wy_template_free(t);
	if (rc) {
		wy_buf_free(&b);
		return NULL;
	}
	return wy_buf_steal(&b);
}

TEST(doc_page_outline)
{
	const char *doc = "{\"id\": 7, \"ready\": true, \"reader\": true, \"pages\": 5, \"shown\": 3, \"display_title\": \"手册\", "
			  "\"page_items\": [{\"page\": 1, \"image\": \"/blob/x\", \"width\": 1240, \"height\": 1754, "
			  "\"alt\": \"a\", \"text\": \"t\", \"pages_total\": 5}], ";
	char with[2048], without[2048];
	snprintf(with, sizeof with,
		 "%s\"has_outline\": true, \"outline\": [{\"title\": \"第一章 总则\", \"page\": 1, \"depth\": 0}, "
		 "{\"title\": \"第二节 <细则>\", \"page\": 4, \"depth\": 1}]}",
		 doc);
	snprintf(without, sizeof without, "%s\"has_outline\": false, \"outline\": []}", doc);
	char *out = render_doc(with);
	ASSERT(out);
	ASSERT(strstr(out, "<li class=\"d0\"><a href=\"?p=1\" data-page=\"1\">第一章 总则</a>"));
	ASSERT(strstr(out, "<li class=\"d1\"><a href=\"?p=4\" data-page=\"4\">第二节 &lt;细则&gt;</a>"));
	ASSERT(strstr(out, "role=\"tablist\""));
	/* the thumbnails are there either way */
	ASSERT(strstr(out, "<a href=\"#p1\" data-page=\"1\"><img loading=\"lazy\""));
	free(out);
	out = render_doc(without);
	ASSERT(out);
	ASSERT(!strstr(out, "class=\"outline\""));
	ASSERT(!strstr(out, "role=\"tablist\""));
	ASSERT(strstr(out, "<nav class=\"thumbs\""));
	free(out);
}

TEST_LIST(T(values_are_escaped), T(sections), T(malformed_templates_are_refused), T(output_cap),
	  T(nested_sections_are_bounded), T(doc_page_outline))

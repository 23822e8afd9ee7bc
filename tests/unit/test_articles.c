/* Articles and site links in the store, and the rules their input passes:
 * slugs, link and picture URLs, the analytics script's URL and origin,
 * and Markdown rendered with raw HTML and script URLs dropped. */
#include "test.h"
#include "convert/markdown.h"
#include "core/config.h"
#include "core/util.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static wy_store *fresh(void)
{
	char *dir = wy_test_store_location("articles");
	wy_store *st = NULL;
	if (wy_store_open(dir, &st, NULL))
		st = NULL;
	return st;
}

TEST(slugs)
{
	ASSERT(wy_article_slug_valid("terms"));
	ASSERT(wy_article_slug_valid("a"));
	ASSERT(wy_article_slug_valid("notice-2026-01"));
	ASSERT(!wy_article_slug_valid(""));
	ASSERT(!wy_article_slug_valid(NULL));
	ASSERT(!wy_article_slug_valid("-a"));
	ASSERT(!wy_article_slug_valid("a-"));
	ASSERT(!wy_article_slug_valid("A"));
	ASSERT(!wy_article_slug_valid("a b"));
	ASSERT(!wy_article_slug_valid("a/b"));
	ASSERT(!wy_article_slug_valid(".."));
	ASSERT(!wy_article_slug_valid("\xe5\x85\xac"));
	char long_[70];
	memset(long_, 'a', 65);
	long_[65] = 0;
	ASSERT(!wy_article_slug_valid(long_));
	long_[64] = 0;
	ASSERT(wy_article_slug_valid(long_));
}

TEST(link_urls)
{
	ASSERT(wy_site_link_url_valid("/articles", false));
	ASSERT(wy_site_link_url_valid("https://example.com", false));
	ASSERT(wy_site_link_url_valid("http://example.com:8080/a?b=c#d", false));
	ASSERT(!wy_site_link_url_valid("//evil.example/", false));
	ASSERT(!wy_site_link_url_valid("javascript:alert(1)", false));
	ASSERT(!wy_site_link_url_valid("JAVASCRIPT:alert(1)", false));
	ASSERT(!wy_site_link_url_valid(" javascript:alert(1)", false));
	ASSERT(!wy_site_link_url_valid("data:text/html,x", false));
	ASSERT(!wy_site_link_url_valid("relative", false));
	ASSERT(!wy_site_link_url_valid("https://", false));
	ASSERT(!wy_site_link_url_valid("https://a b", false));
	ASSERT(!wy_site_link_url_valid("https://user@host/", false));
	ASSERT(!wy_site_link_url_valid("https://host/\"x", false));
	ASSERT(!wy_site_link_url_valid("/a\\b", false));
	ASSERT(!wy_site_link_url_valid("/a\nb", false));
	/* a picture: https or the site's own, never http */
	ASSERT(wy_site_link_url_valid("https://img.example/b.png", true));
	ASSERT(wy_site_link_url_valid("/static/favicon.svg", true));
	ASSERT(!wy_site_link_url_valid("http://img.example/b.png", true));
}

TEST(analytics_origin)
{
	char o[300];
	ASSERT(wy_https_origin("https://hm.baidu.com/hm.js?abc", o, sizeof o));
	ASSERT_STR_EQ(o, "https://hm.baidu.com");
	ASSERT(wy_https_origin("https://Stats.Example.COM:8443", o, sizeof o));
	ASSERT_STR_EQ(o, "https://stats.example.com:8443");
	ASSERT(!wy_https_origin("http://hm.baidu.com/hm.js", o, sizeof o));
	ASSERT(!wy_https_origin("https://", o, sizeof o));
	ASSERT(!wy_https_origin("https://a@b/x.js", o, sizeof o));
	ASSERT(!wy_https_origin("https://b/x.js\"onload=\"x", o, sizeof o));
	ASSERT(!wy_https_origin("https://b/x y.js", o, sizeof o));
	ASSERT(!wy_https_origin("https://b:/x.js", o, sizeof o));
	ASSERT(!wy_https_origin("https://b;script-src */x.js", o, sizeof o));
	ASSERT(!wy_https_origin("https://b/x.js'", o, sizeof o));
	/* the setting takes only such URLs, or none */
	wy_config cfg;
	ASSERT_EQ(wy_config_load(&cfg, NULL), WY_OK);
	ASSERT_EQ(wy_config_set(&cfg, "analytics_script", "https://hm.baidu.com/hm.js?x", NULL), WY_OK);
	ASSERT_EQ(wy_config_set(&cfg, "analytics_script", "", NULL), WY_OK);
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_config_set(&cfg, "analytics_script", "javascript:alert(1)", &ei), WY_EINVAL);
	ASSERT_CONTAINS(ei.msg, "https://");
	ASSERT_STR_EQ(cfg.analytics_script, "");
	ASSERT(wy_config_is_site("analytics_script"));
	ASSERT(wy_config_is_site("site_psb"));
}

TEST(markdown_drops_raw_html_and_script_urls)
{
	const char *md = "# T\n\n**b** [ok](https://e.example/) [x](javascript:alert(1)) ![i](javascript:alert(2))\n\n"
			 "<script>alert(3)</script>\n\ninline <img src=x onerror=alert(4)> end\n\n"
			 "<div onclick=\"alert(5)\">block</div>\n\n[v](vbscript:x) [f](file:///etc/passwd)\n";
	wy_buf h;
	ASSERT_EQ(wy_markdown_fragment(md, strlen(md), &h, NULL), WY_OK);
	ASSERT_CONTAINS(h.data, "<strong>b</strong>");
	ASSERT_CONTAINS(h.data, "<a href=\"https://e.example/\">ok</a>");
	ASSERT(!strstr(h.data, "<script"));
	ASSERT(!strstr(h.data, "javascript:"));
	ASSERT(!strstr(h.data, "vbscript:"));
	ASSERT(!strstr(h.data, "file:"));
	ASSERT(!strstr(h.data, "onerror"));
	ASSERT(!strstr(h.data, "onclick"));
	ASSERT(!strstr(h.data, "alert(3)"));
	ASSERT_CONTAINS(h.data, "<!-- raw HTML omitted -->");
	wy_buf_free(&h);
	/* invalid UTF-8 becomes U+FFFD, never passes */
	ASSERT_EQ(wy_markdown_fragment("a\xff" "b", 3, &h, NULL), WY_OK);
	ASSERT_CONTAINS(h.data, "a\xef\xbf\xbd" "b");
	wy_buf_free(&h);
}

TEST(articles_in_the_store)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t now = wy_now(), id = 0;
	wy_article a;
	/* the legal pages are there from the start */
	ASSERT_EQ(wy_store_article_get(st, "terms", false, now, &a, NULL), WY_OK);
	ASSERT_STR_EQ(a.kind, "legal");
	ASSERT(strlen(a.body_md) > 100);
	int64_t terms = a.id;
	wy_article_clear(&a);
	ASSERT_EQ(wy_store_article_delete(st, terms, NULL), WY_EPERM);
	wy_article e = {.slug = "news", .title = "新闻", .kind = "notice", .body_md = "x", .state = 0, .published_at = now};
	ASSERT_EQ(wy_store_article_put(st, &e, &id, NULL), WY_OK);
	ASSERT_EQ(wy_store_article_get(st, "news", false, now, &a, NULL), WY_ENOTFOUND); /* a draft */
	ASSERT_EQ(wy_store_article_get(st, "news", true, now, &a, NULL), WY_OK);
	wy_article_clear(&a);
	e.id = id;
	e.state = 1;
	e.published_at = now + 3600; /* later */
	ASSERT_EQ(wy_store_article_put(st, &e, NULL, NULL), WY_OK);
	ASSERT_EQ(wy_store_article_get(st, "news", false, now, &a, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_article_get(st, "news", false, now + 3600, &a, NULL), WY_OK);
	wy_article_clear(&a);
	wy_article_list l;
	int total;
	ASSERT_EQ(wy_store_article_list(st, NULL, false, now, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 3);
	wy_article_list_clear(&l);
	ASSERT_EQ(wy_store_article_list(st, NULL, true, now, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 4);
	ASSERT_STR_EQ(l.items[0].slug, "news"); /* newest first */
	ASSERT(l.items[0].body_md == NULL);
	wy_article_list_clear(&l);
	/* a taken slug, a legal page's slug, bad fields */
	wy_article dup = {.slug = "terms", .title = "x", .kind = "notice", .body_md = "", .state = 1, .published_at = now};
	ASSERT_EQ(wy_store_article_put(st, &dup, NULL, NULL), WY_EEXIST);
	dup.id = terms;
	dup.slug = "terms2";
	ASSERT_EQ(wy_store_article_put(st, &dup, NULL, NULL), WY_EINVAL);
	dup.slug = "terms";
	dup.title = "\x01";
	ASSERT_EQ(wy_store_article_put(st, &dup, NULL, NULL), WY_EINVAL);
	dup.title = "ok";
	dup.kind = "blog";
	ASSERT_EQ(wy_store_article_put(st, &dup, NULL, NULL), WY_EINVAL);
	dup.kind = "legal";
	dup.body_md = "a\xff";
	ASSERT_EQ(wy_store_article_put(st, &dup, NULL, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_article_delete(st, id, NULL), WY_OK);
	ASSERT_EQ(wy_store_article_delete(st, id, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST(links_in_the_store)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t id;
	wy_site_link l = {.kind = WY_LINK_NAV, .title = "帮助", .url = "/articles", .image = "", .position = 2};
	ASSERT_EQ(wy_store_link_put(st, &l, &id, NULL), WY_OK);
	l.title = "关于";
	l.position = 1;
	ASSERT_EQ(wy_store_link_put(st, &l, NULL, NULL), WY_OK);
	wy_site_link b = {.kind = WY_LINK_BANNER, .title = "b", .url = "/", .image = "", .position = 0};
	ASSERT_EQ(wy_store_link_put(st, &b, NULL, NULL), WY_EINVAL); /* a banner needs a picture */
	b.image = "https://img.example/x.png";
	ASSERT_EQ(wy_store_link_put(st, &b, NULL, NULL), WY_OK);
	wy_site_link bad = {.kind = WY_LINK_FRIEND, .title = "x", .url = "javascript:alert(1)"};
	ASSERT_EQ(wy_store_link_put(st, &bad, NULL, NULL), WY_EINVAL);
	bad.kind = 7;
	bad.url = "/";
	ASSERT_EQ(wy_store_link_put(st, &bad, NULL, NULL), WY_EINVAL);
	wy_site_link_list ls;
	ASSERT_EQ(wy_store_link_list(st, WY_LINK_NAV, &ls, NULL), WY_OK);
	ASSERT_EQ(ls.n, 2);
	ASSERT_STR_EQ(ls.items[0].title, "关于"); /* by position */
	wy_site_link_list_clear(&ls);
	ASSERT_EQ(wy_store_link_list(st, -1, &ls, NULL), WY_OK);
	ASSERT_EQ(ls.n, 3);
	wy_site_link_list_clear(&ls);
	ASSERT_EQ(wy_store_link_delete(st, id, NULL), WY_OK);
	ASSERT_EQ(wy_store_link_delete(st, id, NULL), WY_ENOTFOUND);
	l.id = id;
	ASSERT_EQ(wy_store_link_put(st, &l, NULL, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST_LIST(T(slugs), T(link_urls), T(analytics_origin), T(markdown_drops_raw_html_and_script_urls),
	  T(articles_in_the_store), T(links_in_the_store))

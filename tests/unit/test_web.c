/* The web layer without a browser: the route table (pages, their JSON
 * twins under /api/v1, API-only and POST-only routes), the CSRF rule, a
 * request's life through the real site (web/site.h) on a port of its
 * own: a GET, a refused POST, an unknown method, a body cut off; who may
 * see a document, and a download's name. */
#include "test.h"
#include "web/site.h"
#include "web/web_int.h"
#include "text/boxes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TEST(routes_pages_and_twins)
{
	ASSERT_STR_EQ(web_route_of("/", false), "/");
	ASSERT_STR_EQ(web_route_of("/doc/12", false), "/doc/");
	ASSERT_STR_EQ(web_route_of("/category/a/b", false), "/category/");
	ASSERT_STR_EQ(web_route_of("/api/v1/category/a", false), "/category/"); /* its twin */
	ASSERT_STR_EQ(web_route_of("/api/v1/me", false), "/me");
	ASSERT_STR_EQ(web_route_of("/api/v1/admin/users", false), "/admin/");
	ASSERT_STR_EQ(web_route_of("/api/v1/doc/12/pages", false), "/api/v1/doc/"); /* API only */
	ASSERT_STR_EQ(web_route_of("/api/v1/home", false), "/api/v1/home");
	ASSERT(web_route_of("/api/v1/search/x", false) == NULL); /* exact */
	ASSERT(web_route_of("/searchx", false) == NULL);
	ASSERT(web_route_of("/api/v2/home", false) == NULL);
	ASSERT(web_route_of("/api/v1/static/x.css", false) == NULL); /* no twin */
	ASSERT(web_route_of("/logout", false) == NULL);             /* POST only */
}

TEST(routes_posts)
{
	ASSERT_STR_EQ(web_route_of("/logout", true), "/logout");
	ASSERT_STR_EQ(web_route_of("/api/v1/logout", true), "/logout");
	ASSERT_STR_EQ(web_route_of("/me/password", true), "/me/password"); /* before /me/ */
	ASSERT_STR_EQ(web_route_of("/api/v1/me/signin", true), "/me/");
	ASSERT_STR_EQ(web_route_of("/api/v1/upload", true), "/upload");
	ASSERT(web_route_of("/", true) == NULL);
	ASSERT(web_route_of("/search", true) == NULL);
	ASSERT(web_route_of("/api/v1/documents", true) == NULL);
}

TEST(csrf_rule)
{
	web_req r = {0};
	const char *tok = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	snprintf(r.csrf, sizeof r.csrf, "%s", tok);
	ASSERT(web_csrf_check(&r, tok));
	ASSERT(!web_csrf_check(&r, NULL));
	ASSERT(!web_csrf_check(&r, ""));
	ASSERT(!web_csrf_check(&r, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee"));
	ASSERT(!web_csrf_check(&r, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	ASSERT(!web_csrf_check(&r, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
	r.csrf[0] = 0; /* a request with no token matches none, not an empty one */
	ASSERT(!web_csrf_check(&r, ""));
	r.bearer = true; /* a bearer token is not sent by a browser on its own */
	ASSERT(web_csrf_check(&r, NULL));
}

/* One request on a new connection to port; the response's first line and
 * headers and body in out. */
static void ask(int port, const char *req, char *out, size_t size)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ASSERT_EQ(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ASSERT_EQ(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	shutdown(fd, SHUT_WR);
	size_t n = 0;
	ssize_t got;
	while (n < size - 1 && (got = read(fd, out + n, size - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = 0;
	close(fd);
}

TEST(request_lifecycle)
{
	wy_config cfg;
	ASSERT_EQ(wy_config_load(&cfg, NULL), WY_OK);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", wy_test_tmpdir("web"));
	cfg.http_port = 0; /* any free port */
	cfg.http_threads = 2;
	wy_site *site = NULL;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_site_start(&cfg, &site, &ei), WY_OK);
	int port = wy_site_port(site);
	ASSERT(port > 0);
	static char out[1 << 16];

	ask(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 200");
	ASSERT_CONTAINS(out, "X-Content-Type-Options: nosniff"); /* every answer has the headers */
	ASSERT_CONTAINS(out, "ok\n");

	/* a page and its JSON twin, one handler */
	ask(port, "GET /category/none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 404");
	ASSERT_CONTAINS(out, "text/html");
	ask(port, "GET /api/v1/category/none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 404");
	ASSERT_CONTAINS(out, "{\"error\":\"no such category\"}");
	ask(port, "GET /api/v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "{\"error\":\"no such resource\"}");

	/* a form without its token: refused at its end, in the twin's JSON */
	const char *post = "POST /api/v1/logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\na=b&c";
	ask(port, post, out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 403");
	ASSERT_CONTAINS(out, "CSRF");
	ASSERT_CONTAINS(out, "application/json");
	post = "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b";
	ask(port, post, out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 403");
	ASSERT_CONTAINS(out, "text/plain");

	/* a form too large is refused from its headers */
	ask(port,
	    "POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: 99999999\r\n\r\n",
	    out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 413");
	/* a POST where there is none, and a method the site does not take */
	ask(port, "POST /search HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 405");
	ask(port, "DELETE /doc/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 405");
	/* a body cut short: the request ends without an answer, and the
	 * site goes on (its request is freed at the end: run under ASan) */
	ask(port,
	    "POST /logout HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 100\r\n\r\na=b",
	    out, sizeof out);
	ASSERT(strstr(out, "HTTP/1.1 200") == NULL);
	ask(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out, sizeof out);
	ASSERT_CONTAINS(out, "HTTP/1.1 200");
	wy_site_stop(site);
}

/* Who may see a document (account.c, the one rule), for every status,
 * moderation state and privacy, as a visitor, another user, its owner and
 * an admin: anyone only when it is ready, published and not private; its
 * owner unless deleted; an admin always. */
TEST(who_may_see_a_document)
{
	web_req visitor = {0}, other = {.authed = true}, owner = {.authed = true}, admin = {.authed = true};
	other.user.id = 2;
	owner.user.id = 1;
	admin.user.id = 3;
	admin.user.role = WY_ROLE_ADMIN;
	for (int status = WY_DOC_QUEUED; status <= WY_DOC_FAILED; status++)
		for (int state = WY_STATE_PUBLISHED; state <= WY_STATE_DELETED; state++)
			for (int priv = 0; priv < 2; priv++) {
				wy_doc d = {.id = 9, .status = (wy_doc_status)status, .state = state, .private_ = priv,
					    .owner_id = 1};
				bool open = status == WY_DOC_READY;
				bool public_ = open && state == WY_STATE_PUBLISHED && !priv;
				ASSERT_EQ(web_doc_open(&d), open);
				ASSERT_EQ(web_doc_public(&d), public_);
				ASSERT_EQ(web_can_see(NULL, &d), public_);
				ASSERT_EQ(web_can_see(&visitor, &d), public_);
				ASSERT_EQ(web_can_see(&other, &d), public_);
				ASSERT_EQ(web_user_can_see(&other, &d), public_);
				ASSERT_EQ(web_can_see(&owner, &d), public_ || state != WY_STATE_DELETED);
				ASSERT_EQ(web_user_can_see(&owner, &d), public_ || state != WY_STATE_DELETED);
				ASSERT(web_can_see(&admin, &d));
				ASSERT_EQ(web_user_can_see(&admin, &d), public_);
			}
}

static void name_is(const char *title, const char *filename, const char *format, const char *want)
{
	wy_doc d = {.title = (char *)title, .filename = (char *)filename, .format = (char *)format};
	char out[200];
	web_download_name(&d, out, sizeof out);
	ASSERT_STR_EQ(out, want);
}

/* A download's name: TITLE.EXT, made safe; the header's two forms. */
TEST(download_names)
{
	name_is("年度报告（终稿）", "scan_0001.txt", "txt", "年度报告（终稿）.txt");
	name_is(NULL, "vuereader__files.epub", "epub", "vuereader__files.epub");
	name_is("", "讲义.PDF", "pdf", "讲义.PDF");
	name_is("report.pdf", "x.pdf", "pdf", "report.pdf"); /* the extension once */
	name_is("Report.PDF", "x.pdf", "pdf", "Report.PDF");
	name_is("notes", "README", "txt", "notes.txt");     /* no extension: the format's */
	name_is("notes", "README", NULL, "notes");
	name_is("a/b\\c:d*e?f\"g<h>i|j", "x.txt", "txt", "a_b_c_d_e_f_g_h_i_j.txt");
	name_is("line\r\nbreak\tand  spaces", "x.txt", "txt", "line break and spaces.txt");
	name_is("x\xe2\x80\xae" "fdp.exe", "x.txt", "txt", "x_fdp.exe.txt"); /* U+202E */
	name_is("bad\xff" "byte", "x.txt", "txt", "bad_byte.txt");
	name_is("../../etc/passwd", "x.txt", "txt", "_.._etc_passwd.txt");
	name_is(" . ", "x.txt", "txt", "document.txt");
	name_is(NULL, ".bashrc", NULL, "bashrc"); /* no hidden file */
	name_is("a", "x.tar.gz", "gz", "a.gz");
	name_is("a", "x.not an ext", "txt", "a.txt");
	/* long: cut whole at 150 bytes */
	char longt[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(longt, "很长");
	wy_doc d = {.title = longt, .filename = "x.docx", .format = "docx"};
	char out[200];
	web_download_name(&d, out, sizeof out);
	ASSERT_EQ(strlen(out), 150 + 5);
	ASSERT(strncmp(out, longt, 150) == 0);
	ASSERT_STR_EQ(out + 150, ".docx");

	char *h = web_disposition("年度报告（终稿）.txt");
	ASSERT_STR_EQ(h, "attachment; filename=\"document.txt\"; filename*=UTF-8''"
			 "%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.txt");
	free(h);
	h = web_disposition("2024年报 final (v2).pdf");
	ASSERT_STR_EQ(h, "attachment; filename=\"2024_ final (v2).pdf\"; filename*=UTF-8''2024%E5%B9%B4%E6%8A%A5%20final%20%28v2%29.pdf");
	free(h);
	h = web_disposition("it's 100%.txt");
	ASSERT_STR_EQ(h, "attachment; filename=\"it's 100_.txt\"; filename*=UTF-8''it%27s%20100%25.txt");
	free(h);
}

/* A page's printed lines (the layout API): its text cut where its boxes
 * start a new line, characters without a box kept with their line, and
 * boxes that are not whole or too few never read past. */
static char *lines_of(const char *text, const wy_rect *r, size_t nr, size_t extra_bytes)
{
	unsigned char buf[64 * WY_BOX_SIZE + 8] = {0};
	for (size_t i = 0; i < nr; i++)
		wy_box_put(buf + i * WY_BOX_SIZE, &r[i]);
	wy_page p = {.text = (char *)text, .boxes = nr ? buf : NULL, .boxes_len = nr * WY_BOX_SIZE + extra_bytes};
	json_t *j = web_page_lines(&p);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

TEST(page_lines)
{
	/* 甲乙 on one line, a line break the converter added (no box), 丙丁 below */
	wy_rect two[] = {{100, 100, 200, 200}, {200, 100, 300, 200}, {0, 0, 0, 0}, {100, 300, 200, 400}, {200, 300, 300, 400}};
	char *s = lines_of("甲乙\n丙丁", two, 5, 0);
	ASSERT_STR_EQ(s, "[{\"text\":\"甲乙\",\"box\":[100,100,300,200]},"
			 "{\"text\":\"丙丁\",\"box\":[100,300,300,400]}]");
	free(s);
	/* a space without a box stays inside its line */
	wy_rect words[] = {{100, 100, 150, 200}, {0, 0, 0, 0}, {180, 100, 230, 200}};
	s = lines_of("a b", words, 3, 0);
	ASSERT_STR_EQ(s, "[{\"text\":\"a b\",\"box\":[100,100,230,200]}]");
	free(s);
	/* corners given the wrong way round are put in order */
	wy_rect turned[] = {{150, 200, 100, 100}};
	s = lines_of("x", turned, 1, 0);
	ASSERT_STR_EQ(s, "[{\"text\":\"x\",\"box\":[100,100,150,200]}]");
	free(s);
	/* fewer boxes than characters: the characters with boxes */
	s = lines_of("甲乙丙", two, 2, 0);
	ASSERT_STR_EQ(s, "[{\"text\":\"甲乙\",\"box\":[100,100,300,200]}]");
	free(s);
	/* more boxes than characters: only the characters' */
	s = lines_of("甲", two, 5, 0);
	ASSERT_STR_EQ(s, "[{\"text\":\"甲\",\"box\":[100,100,200,200]}]");
	free(s);
	/* boxes that are not whole, no boxes, no text: no lines */
	s = lines_of("甲乙\n丙丁", two, 5, 3);
	ASSERT_STR_EQ(s, "[]");
	free(s);
	s = lines_of("甲乙", NULL, 0, 0);
	ASSERT_STR_EQ(s, "[]");
	free(s);
	s = lines_of("", two, 5, 0);
	ASSERT_STR_EQ(s, "[]");
	free(s);
}

/* issue 18 SEO: which Host headers may become the base of absolute URLs
 * in pages, the sitemap and robots.txt; the description's cut */
TEST(seo_hosts_and_descriptions)
{
	const char *good[] = {"example.com", "wenku.example.com:8080", "127.0.0.1", "127.0.0.1:65535", "[::1]:8080",
			      "[2001:db8::1]", "a", "xn--fiqs8s.cn", "a-b.c"};
	const char *bad[] = {"", "a\"b", "a<b", "a b", "a&b", "example.com:", "example.com:0", "example.com:65536",
			     "example.com:123456", "-a.com", "a-.com", "a..com", ".a.com", "a.com.", "a.com/x", "[::1",
			     "[]", "a_b.com", "例子.com", "a.com:80:80", "a.com\r\nX: y"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ASSERT(wy_host_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ASSERT(!wy_host_valid(bad[i], strlen(bad[i])));
	char label[80];
	memset(label, 'a', 64);
	label[64] = 0;
	ASSERT(!wy_host_valid(label, 64)); /* a label of 64 */
	ASSERT(wy_host_valid(label, 63));
	/* 120 characters (code points), white space one space, else the fallback */
	json_t *v = web_seo_description("  甲\n\n乙\t丙  ", "x");
	ASSERT_STR_EQ(json_string_value(v), "甲 乙 丙");
	json_decref(v);
	v = web_seo_description("", "说明");
	ASSERT_STR_EQ(json_string_value(v), "说明");
	json_decref(v);
	char longtext[1000] = "";
	for (int i = 0; i < 200; i++)
		strcat(longtext, "字");
	v = web_seo_description(longtext, NULL);
	ASSERT_EQ(json_string_length(v), (size_t)(120 * 3));
	json_decref(v);
}

TEST_LIST(T(routes_pages_and_twins), T(routes_posts), T(csrf_rule), T(request_lifecycle), T(who_may_see_a_document), T(download_names),
	  T(page_lines), T(seo_hosts_and_descriptions))

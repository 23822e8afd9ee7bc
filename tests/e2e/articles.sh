#!/usr/bin/env bash
# Articles, pages and the footer on the real server: admins write, edit,
# publish, unpublish and delete articles (the JSON twin and the admin
# area's form with its CSRF token), visitors see only what is published
# and due, Markdown is rendered with raw HTML, event handlers and
# javascript: links dropped, slugs are checked; the legal pages exist from
# the start and every page's footer links them; the ICP and 公安备案
# numbers and their links come from the settings; the CSP follows
# analytics_script (and refuses a bad one); navigation, banner and friend
# links edited by an admin appear where they belong, and a javascript:
# link is refused.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
A=(-H "Authorization: Bearer $boss")
# article FIELD=VALUE...: POST /api/v1/admin/article as the admin; the
# answer in $d/ans.json, the status printed
article() {
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	curl -s -o "$d/ans.json" -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/article" "${args[@]}"
}
link() {
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	curl -s -o "$d/ans.json" -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/link" "${args[@]}"
}
settings() {
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	curl -s -o "$d/ans.json" -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/settings" "${args[@]}"
}
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$1" | head -1 | grep -o '[0-9a-f]\{64\}'; }
main_of() { sed -n '/<main id="main">/,/<\/main>/p' "$1"; }

# ---- the legal pages exist from the start and every page links them ----
for slug in terms privacy disclaimer; do
	check "/article/$slug is there from the start" [ "$(code "$base/article/$slug")" = 200 ]
done
curl -fsS "$base/article/terms" > "$d/terms.html"
check "the user agreement has a default text, rendered" grep -q '<h2>一、账户</h2>' "$d/terms.html"
curl -fsS "$base/" > "$d/home.html"
footer_of() { sed -n '/<footer>/,/<\/footer>/p' "$1"; }
footer_of "$d/home.html" > "$d/footer.html"
for slug in terms privacy disclaimer; do
	check "the footer links /article/$slug" grep -q "href=\"/article/$slug\"" "$d/footer.html"
done
check "... and the list of articles" grep -q 'href="/articles"' "$d/footer.html"
curl -fsS "$base/register" > "$d/register.html"
check "the registration form says 注册即同意《用户协议》" grep -q '注册即同意<a href="/article/terms">《用户协议》</a>' "$d/register.html"
curl -fsS "$base/search?q=x" > "$d/search.html"
check "another page's footer links them too" grep -q 'href="/article/privacy"' "$d/search.html"
check "a legal page is edited, never deleted (403)" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/article" -d action=article_delete -d id=1)" = 403 ]
check "... and keeps its slug" [ "$(article action=article_save id=1 slug=terms-new title=协议 body_md=x)" = 400 ]
check "an admin edits it" [ "$(article action=article_save id=1 slug=terms title=用户协议 'body_md=本站的**新协议**。')" = 200 ]
check "... and visitors read the new text" eventually grep -q '<strong>新协议</strong>' <(curl -fsS "$base/article/terms")

# ---- Markdown, with raw HTML and script links dropped ----
md=$'# 大标题\n\n正文有**粗体**和[好链接](https://example.com/a)。\n\n<script>alert("s1")</script>\n\n行内<img src=x onerror=alert(s2)>图片\n\n[坏链接](javascript:alert("s3")) [另一个](JAVASCRIPT:alert("s4")) ![图](javascript:alert("s5"))\n\n<div onclick="alert(\'s6\')">原样的HTML块</div>\n\n<a href="javascript:alert(\'s7\')">原样链接</a>'
check "an admin writes an article (200)" [ "$(article action=article_save slug=hello-2026 title=你好 kind=notice state=published "body_md=$md")" = 200 ]
check "... answered with its id, slug and page" jqe '.id > 0 and .slug == "hello-2026" and .url == "/article/hello-2026"' "$d/ans.json"
hello=$(jq -r .id "$d/ans.json")
curl -fsS "$base/article/hello-2026" > "$d/hello.html"
main_of "$d/hello.html" > "$d/hello.main"
check "its page shows the title" grep -q '<h1>你好</h1>' "$d/hello.main"
check "Markdown is rendered (heading, bold, link)" grep -q '<strong>粗体</strong>' "$d/hello.main"
check "... a safe link kept" grep -q '<a href="https://example.com/a">好链接</a>' "$d/hello.main"
check "no <script> of the article's" lacks '<script' "$d/hello.main"
check "no element with an event handler" bash -c "! grep -qiE '<[a-z][^>]*on(error|click)=' '$d/hello.main'"
check "no javascript: URL, whatever its case" bash -c "! grep -qi 'javascript:' '$d/hello.main'"
check "the raw HTML block is dropped" lacks '原样的HTML块' "$d/hello.main"
for n in 1 2 3 4 5 6 7; do
	check "... nothing of script s$n is left" lacks "s$n" "$d/hello.main"
done
check "raw HTML becomes a comment" grep -q '<!-- raw HTML omitted -->' "$d/hello.main"
curl -fsS "$base/api/v1/article/hello-2026" > "$d/hello.json"
check "the JSON twin gives its Markdown and HTML" jqe '.body_md | contains("<script>")' "$d/hello.json"
check "... the HTML without the script" jqe '(.html | contains("<script") | not) and (.html | contains("<strong>粗体</strong>"))' "$d/hello.json"
check "the page has a description from its text, without markup" grep -q '<meta name="description" content="大标题 正文有粗体和好链接。 行内图片' "$d/hello.html"

# ---- slugs ----
for bad in 'Hello' 'a b' '-lead' 'trail-' 'a_b' '../etc' 'éa' "$(printf 'a%.0s' $(seq 65))" ''; do
	check "slug '$bad' is refused (400)" [ "$(article action=article_save "slug=$bad" title=x body_md=x)" = 400 ]
done
check "... with the rule in the answer" jqe '.error | test("a-z, 0-9")' "$d/ans.json"
check "a slug another article has is refused (409)" [ "$(article action=article_save slug=hello-2026 title=重复 body_md=x)" = 409 ]
python3 -c "print(('abcdefghij' * 7 + '\\n') * 880, end='')" > "$d/long.md" # 62,480 bytes
check "a body of 60 KiB is taken" [ "$(article action=article_save slug=long-60 title=长文 "body_md=$(head -c 61440 "$d/long.md")")" = 200 ]
check "a longer one is refused (400)" [ "$(article action=article_save slug=long-61 title=长文 "body_md=$(cat "$d/long.md")x")" = 400 ]
check "... saying the limit" jqe '.error | test("at most 60 KiB")' "$d/ans.json"
check "a body not UTF-8 is refused (400)" [ "$(article action=article_save slug=not-utf8 title=乱码 "body_md=$(printf 'ab\xff\xfe\xc0\x80cd')")" = 400 ]
check "... saying so" jqe '.error | test("not UTF-8")' "$d/ans.json"
check "an empty title is refused" [ "$(article action=article_save slug=no-title 'title= ' body_md=x)" = 400 ]
check "an unknown kind is refused" [ "$(article action=article_save slug=no-kind title=x kind=blog body_md=x)" = 400 ]
check "a bad publishing time is refused" [ "$(article action=article_save slug=no-time title=x published_at=tomorrow body_md=x)" = 400 ]
check "a visitor cannot write one (403: no token)" [ "$(code -X POST "$base/api/v1/admin/article" -d action=article_save -d slug=by-visitor -d title=x)" = 403 ]
check "nor can a user (404)" [ "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/admin/article" -d action=article_save -d slug=by-user -d title=x)" = 404 ]
check "... and neither wrote it" [ "$(code "${A[@]}" "$base/article/by-user")$(code "${A[@]}" "$base/article/by-visitor")" = 404404 ]

# ---- drafts, later articles, publish, unpublish, delete ----
check "a draft is written" [ "$(article action=article_save slug=draft-one title=草稿文章 state=draft body_md=草稿正文)" = 200 ]
draft=$(jq -r .id "$d/ans.json")
check "a draft is 404 to visitors" [ "$(code "$base/article/draft-one")" = 404 ]
check "... and to its JSON twin" [ "$(code "$base/api/v1/article/draft-one")" = 404 ]
check "... and to users" [ "$(code -H "Authorization: Bearer $alice" "$base/api/v1/article/draft-one")" = 404 ]
check "an admin reads it, marked a draft" grep -q '草稿（访客看不到）' <(curl -fsS "${A[@]}" "$base/article/draft-one")
later=$(( $(date +%s) + 86400 ))
check "an article for tomorrow is written" [ "$(article action=article_save slug=tomorrow title=明天的公告 "published_at=$later" body_md=明天)" = 200 ]
check "an article whose time has not come is 404 to visitors" [ "$(code "$base/article/tomorrow")" = 404 ]
check "an admin reads it, marked scheduled" grep -q '定时发布' <(curl -fsS "${A[@]}" "$base/article/tomorrow")
curl -fsS "$base/api/v1/articles" > "$d/list.json"
check "the list has neither the draft nor tomorrow's" jqe '[.articles[].slug] | (index("draft-one") == null) and (index("tomorrow") == null)' "$d/list.json"
check "... and has the published one" jqe '[.articles[].slug] | index("hello-2026") != null' "$d/list.json"
curl -fsS "${A[@]}" "$base/api/v1/admin/articles" > "$d/admin.json"
check "the admin's list has them all" jqe '[.articles[].slug] | (index("draft-one") != null) and (index("tomorrow") != null)' "$d/admin.json"
check "the draft is published" [ "$(article action=article_save "id=$draft" slug=draft-one title=草稿文章 state=published body_md=草稿正文)" = 200 ]
check "... and visitors read it" [ "$(code "$base/article/draft-one")" = 200 ]
check "it is unpublished" [ "$(article action=article_save "id=$draft" slug=draft-one title=草稿文章 state=draft body_md=草稿正文)" = 200 ]
check "... and is 404 again" [ "$(code "$base/article/draft-one")" = 404 ]
check "an article is renamed" [ "$(article action=article_save "id=$draft" slug=renamed title=改名 state=published body_md=x)" = 200 ]
check "... at its new address" [ "$(code "$base/article/renamed")" = 200 ]
check "... not the old one" [ "$(code "$base/article/draft-one")" = 404 ]
check "it is deleted" [ "$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/article" -d action=article_delete -d "id=$draft")" = 200 ]
check "... and is gone" [ "$(code "${A[@]}" "$base/article/renamed")" = 404 ]
check "deleting it again: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" -X POST "$base/api/v1/admin/article" -d action=article_delete -d "id=$draft")" = 404 ]
check "no such article: 404" [ "$(code "$base/article/no-such")" = 404 ]
check "a path that is no slug: 404" [ "$(code "$base/article/..%2Fadmin")" = 404 ]

# ---- the list page: newest first, paged ----
for i in $(seq 1 21); do
	article action=article_save "slug=note-$i" "title=公告$i" kind=help "published_at=$((1700000000 + i))" body_md=x > /dev/null
done
curl -fsS "$base/api/v1/articles?kind=help" > "$d/help.json"
check "the list is newest first, 20 a page" jqe '.total == 21 and .pages == 2 and (.articles | length) == 20 and .articles[0].slug == "note-21" and .articles[19].slug == "note-2"' "$d/help.json"
check "... its second page has the oldest" jqe '.articles[0].slug == "note-1"' <(curl -fsS "$base/api/v1/articles?kind=help&page=2")
curl -fsS "$base/articles?kind=help" > "$d/articles.html"
check "the list page shows the newest" grep -q 'href="/article/note-21">公告21</a>' "$d/articles.html"
check "... and a next page that keeps the kind" grep -q 'href="?kind=help&amp;page=2"' "$d/articles.html"

# ---- the admin area's form, with its CSRF token ----
jar=$d/boss.jar
curl -fsS -c "$jar" -b "$jar" "$base/login" > "$d/login.html"
curl -fsS -c "$jar" -b "$jar" -X POST "$base/login" -d name=boss -d password=bosspass123 -d "csrf=$(csrf_of "$d/login.html")" -o /dev/null
curl -fsS -c "$jar" -b "$jar" "$base/admin/articles" > "$d/tab.html"
check "the articles tab lists the articles" grep -q 'href="/article/hello-2026">你好</a>' "$d/tab.html"
check "... and has the form" grep -q 'name="body_md"' "$d/tab.html"
tok=$(csrf_of "$d/tab.html")
check "the form without its token: 403" [ "$(code -c "$jar" -b "$jar" -X POST "$base/admin/article" -d action=article_save -d slug=by-form -d title=表单)" = 403 ]
check "the form writes an article (303)" [ "$(code -c "$jar" -b "$jar" -X POST "$base/admin/article" -d "csrf=$tok" -d action=article_save -d slug=by-form --data-urlencode title=表单文章 -d state=published --data-urlencode 'published_at=2025-01-02T03:04' --data-urlencode 'body_md=表单*正文*')" = 303 ]
curl -fsS -c "$jar" -b "$jar" "$base/admin/articles?edit=by-form" > "$d/edit.html"
check "... says so" grep -q '<p class="flash" role="status">文章 [0-9]* 已保存</p>' "$d/edit.html"
check "... and edits it with its time" grep -q 'value="2025-01-02T03:04"' "$d/edit.html"
check "visitors read it" grep -q '<em>正文</em>' <(curl -fsS "$base/article/by-form")
curl -fsS "${A[@]}" "$base/api/v1/admin/audit" > "$d/audit.json"
check "every change is audited" jqe '[.entries[] | select(.action == "article_save")] | length >= 5' "$d/audit.json"
check "... deletes too" jqe '[.entries[] | select(.action == "article_delete" and .target == "article '"$draft"'")] | length == 1' "$d/audit.json"

# ---- ICP and 公安备案 in the footer, from the settings ----
check "no ICP nor 公安备案 link by default" bash -c "! grep -q 'beian' '$d/footer.html'"
check "the numbers are set (200)" [ "$(settings 'site_icp=京ICP备12345678号-1' 'site_psb=京公网安备11010502030143号')" = 200 ]
curl -fsS "$base/" | sed -n '/<footer>/,/<\/footer>/p' > "$d/footer2.html"
check "the footer links the ICP number to beian.miit.gov.cn" grep -q '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a>' "$d/footer2.html"
check "... and the 公安备案 number to its record, by its digits" grep -q '<a class="psb" href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143" rel="noopener">京公网安备11010502030143号</a>' "$d/footer2.html"

# ---- analytics_script and the CSP ----
csp_of() { curl -fsS -D - -o /dev/null "$@" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: //p'; }
check "without analytics_script the CSP is the site's own" [ "$(csp_of "$base/")" = "default-src 'self'; frame-ancestors 'none'" ]
check "... and no page loads a script from elsewhere" bash -c "! grep -q '<script src=\"http' '$d/home.html'"
for bad in 'http://stats.example.com/a.js' 'javascript:alert(1)' 'https://' 'https://user@stats.example.com/a.js' \
	'https://stats.example.com/a.js"onload="x' 'https://stats.example.com/a b.js' '//stats.example.com/a.js' \
	"https://stats.example.com/a.js'" 'https://stats.example.com:x/a.js'; do
	check "analytics_script '$bad' is refused (400)" [ "$(settings "analytics_script=$bad")" = 400 ]
done
check "... with a clear reason" jqe '.error | test("https://")' "$d/ans.json"
check "... and nothing is saved" [ "$(csp_of "$base/")" = "default-src 'self'; frame-ancestors 'none'" ]
curl -fsS -c "$jar" -b "$jar" "$base/admin/settings" > "$d/set.html"
check "the settings form refuses it with the reason" grep -q 'not an https:// URL' <(curl -s -c "$jar" -b "$jar" -X POST "$base/admin/settings" -d "csrf=$(csrf_of "$d/set.html")" --data-urlencode 'analytics_script=javascript:alert(1)')
check "an https script is taken" [ "$(settings 'analytics_script=https://Stats.Example.com:8443/t.js?id=abc&x=1')" = 200 ]
csp=$(csp_of "$base/")
check "the CSP allows its origin to run scripts" grep -qF "script-src 'self' https://stats.example.com:8443;" <<<"$csp"
check "... connect and show images" grep -qF "connect-src 'self' https://stats.example.com:8443; img-src 'self' https://stats.example.com:8443;" <<<"$csp"
check "... and nothing else" [ "$(grep -o 'https://[^ ;]*' <<<"$csp" | sort -u)" = "https://stats.example.com:8443" ]
check "... on every answer (a 404 too)" grep -qF "https://stats.example.com:8443" <<<"$(csp_of "$base/static/site.css")"
curl -fsS "$base/article/terms" > "$d/terms2.html"
check "every page has the script, async" grep -qF '<script src="https://Stats.Example.com:8443/t.js?id=abc&amp;x=1" async></script>' "$d/terms2.html"
# ... but not on the pages of passwords, mailed tokens, accounts, admins
# and a document's owner: there the page has no script from elsewhere and
# the CSP is the site's own
echo "一份文档，供编辑页检查。" > "$d/mine.txt"
mine=$(upload "$alice" "$d/mine.txt" -F title=我的文档)
check "alice uploads a document" [ -n "$mine" ] && [ "$mine" != null ]
clean() { # clean NAME URL CURL-ARGS...: no analytics script, the site's CSP, a page answered
	local name=$1 url=$2; shift 2
	curl -s -D "$d/ch" -o "$d/cp.html" "$@" "$url"
	grep -q '</html>' "$d/cp.html" && ! grep -q 'stats.example' "$d/cp.html" &&
		[ "$(tr -d '\r' < "$d/ch" | sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: //p')" = "default-src 'self'; frame-ancestors 'none'" ]
}
for u in /login /register /reset /reset/0123456789abcdef /verify/0123456789abcdef; do
	check "no analytics script on $u, and the site's own CSP" clean "$u" "$base$u"
done
for u in /admin /admin/settings /admin/articles /me /me/uploads /upload; do
	check "no analytics script on $u (the admin), and the site's own CSP" clean "$u" "$base$u" -b "$jar"
done
# nor on any page served to an admin: it would run in this origin with the
# admin's session and the CSRF token its pages carry
for u in / /article/terms /articles "/doc/$mine" /search; do
	check "no analytics script on $u served to the admin, and the site's own CSP" clean "$u" "$base$u" -b "$jar"
done
for u in "/doc/$mine/edit" /me /upload; do
	check "no analytics script on $u (alice), and the site's own CSP" clean "$u" "$base$u" -H "Authorization: Bearer $alice"
done
check "... while an article page still has it" grep -qF 'src="https://Stats.Example.com:8443/t.js' <(curl -fsS "$base/article/terms")
check "... and the home page's CSP names its origin" grep -qF "https://stats.example.com:8443" <<<"$(csp_of "$base/")"
check "emptied (the twin names it in clear=), the CSP is the site's own again" [ "$(settings 'clear=site_psb,analytics_script')" = 200 ]
check "... at once" [ "$(csp_of "$base/")" = "default-src 'self'; frame-ancestors 'none'" ]
check "... and the script is gone" bash -c "! curl -fsS '$base/' | grep -q 'stats.example'"
check "... and so is the 公安备案 number" bash -c "! curl -fsS '$base/' | grep -q 'beian.mps'"
check "the settings page's form empties a setting too" [ "$(code -c "$jar" -b "$jar" -X POST "$base/admin/settings" -d "csrf=$(csrf_of "$d/set.html")" -d all_settings=1 --data-urlencode 'site_icp=')" = 303 ]
check "... the ICP number is gone" bash -c "! curl -fsS '$base/' | grep -q 'beian.miit'"

# ---- navigation, banners, friend links ----
check "a navigation link is added" [ "$(link action=link_save kind=nav title=使用帮助 url=/articles?kind=help position=2)" = 200 ]
nav=$(jq -r .id "$d/ans.json")
check "another before it" [ "$(link action=link_save kind=nav title=关于 url=/article/terms position=1)" = 200 ]
check "a friend link is added" [ "$(link action=link_save kind=friend title=友站 url=https://friend.example.org/)" = 200 ]
check "a banner is added" [ "$(link action=link_save kind=banner title=新学期 url=/category/x image=https://img.example.net/banner.png)" = 200 ]
banner=$(jq -r .id "$d/ans.json")
for bad in 'javascript:alert(1)' 'JavaScript:alert(1)' ' javascript:alert(1)' 'data:text/html,x' '//evil.example/' \
	'vbscript:x' 'relative/path' 'https://' 'https://a b/' 'https://x.example/"onmouseover="x'; do
	check "link URL '$bad' is refused (400)" [ "$(link action=link_save kind=friend title=坏链接 "url=$bad")" = 400 ]
done
check "... with the rule in the answer" jqe '.error | test("http:// or https://")' "$d/ans.json"
check "a banner picture over http is refused" [ "$(link action=link_save kind=banner title=坏图 url=/ image=http://img.example.net/b.png)" = 400 ]
check "a banner needs a picture" [ "$(link action=link_save kind=banner title=无图 url=/)" = 400 ]
check "a nav link takes none" [ "$(link action=link_save kind=nav title=有图 url=/ image=/x.png)" = 400 ]
check "an unknown kind is refused" [ "$(link action=link_save kind=sidebar title=x url=/)" = 400 ]
curl -fsS "$base/" > "$d/home3.html"
check "the header shows the navigation links, in order" grep -q '<nav class="sitenav" aria-label="网站导航"><ul><li><a href="/article/terms">关于</a></li><li><a href="/articles?kind=help">使用帮助</a></li></ul></nav>' "$d/home3.html"
check "the footer shows the friend link" grep -q '<li><a href="https://friend.example.org/" rel="noopener">友站</a></li>' "$d/home3.html"
check "the home page shows the banner" grep -q '<a href="/category/x"><img src="https://img.example.net/banner.png" alt="新学期"' "$d/home3.html"
check "the CSP lets the banner's picture show, and no script" [ "$(csp_of "$base/")" = "default-src 'self'; img-src 'self' https://img.example.net; frame-ancestors 'none'" ]
check "a link is edited" [ "$(link action=link_save "id=$nav" kind=nav title=帮助中心 url=/articles?kind=help position=0)" = 200 ]
curl -fsS "$base/article/terms" > "$d/terms3.html"
check "... and every page shows it at once, first now" grep -q '<ul><li><a href="/articles?kind=help">帮助中心</a></li><li><a href="/article/terms">关于</a></li></ul>' "$d/terms3.html"
check "the banner is deleted" [ "$(link action=link_delete "id=$banner")" = 200 ]
check "... and gone from the home page" bash -c "! curl -fsS '$base/' | grep -q 'banner.png'"
check "... and from the CSP" [ "$(csp_of "$base/")" = "default-src 'self'; frame-ancestors 'none'" ]
curl -fsS -c "$jar" -b "$jar" "$base/admin/links" > "$d/links.html"
check "the links tab lists them" grep -q 'value="帮助中心"' "$d/links.html"
check "... with a form to add each kind" [ "$(grep -c 'class="linkrow new"' "$d/links.html")" = 3 ]
check "the form refuses a javascript: link" [ "$(code -c "$jar" -b "$jar" -X POST "$base/admin/link" -d "csrf=$(csrf_of "$d/links.html")" -d action=link_save -d kind=friend -d title=x --data-urlencode 'url=javascript:alert(1)')" = 400 ]
curl -fsS "${A[@]}" "$base/api/v1/admin/audit" > "$d/audit2.json"
check "link changes are audited" jqe '[.entries[] | select(.action == "link_save" or .action == "link_delete")] | length == 6' "$d/audit2.json"

finish

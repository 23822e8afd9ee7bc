#!/usr/bin/env bash
# HTTP as clients and attackers speak it: ETag and 304, byte ranges, a
# Chinese file name on download, unknown and malformed paths, huge headers
# and bad query strings get 4xx, and the server keeps serving.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
printf '下载测试文档\n第二行文字，用来检查字节范围请求。\n' > "$d/年度报告（终稿）.txt"
"$WY_BIN" --data "$data" add "$d/年度报告（终稿）.txt" > "$d/add.out"
id=$(awk '/^ready/ {print $2}' "$d/add.out")
check "the document is ready" [ -n "$id" ]

port=$(free_port)
"$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port
check "serve --listen answers" wait_http "$base/healthz"

# Readiness: the store answers and the blob store takes files; a blob
# directory gone makes the server not ready (503), without saying where.
check "/readyz answers 200 when ready" [ "$(code "$base/readyz")" = 200 ]
# pages and the site's CSS and scripts gzip'd for a browser that takes it,
# the same bytes once unpacked; plain for a client that does not
for u in / /static/site.css /static/doc.js; do
	curl -fsS "$base$u" -o "$d/plain"
	curl -fsS -D "$d/gz.h" -H 'Accept-Encoding: gzip, deflate, br' "$base$u" -o "$d/gz"
	check "$u is gzip'd for a browser, and unpacks to the same bytes" \
		bash -c "grep -qi '^content-encoding: gzip' '$d/gz.h' && grep -qi '^vary:.*accept-encoding' '$d/gz.h' && gzip -dc '$d/gz' | cmp -s - '$d/plain'"
	check "$u is sent plain when gzip is refused" \
		bash -c "! curl -fsS -D - -o /dev/null -H 'Accept-Encoding: gzip;q=0, *' '$base$u' | grep -qi '^content-encoding'"
done
mv "$data/blobs" "$data/blobs.away"
check "/readyz answers 503 when the blob store is gone" [ "$(code "$base/readyz")" = 503 ]
check "/readyz names no path" lacks "$data" <(curl -s "$base/readyz")
check "/healthz still answers: alive, not ready" [ "$(code "$base/healthz")" = 200 ]
mv "$data/blobs.away" "$data/blobs"
check "/readyz answers 200 again" [ "$(code "$base/readyz")" = 200 ]

# /metrics in Prometheus's text format, for the addresses allowed (here
# 127.0.0.1, the default): requests by route and status, the documents.
# (Searches, not the document page, whose views are counted below.)
curl -s -o /dev/null "$base/search?q=%E4%B8%8B%E8%BD%BD"
curl -s -o /dev/null "$base/search?q=%E6%B5%8B%E8%AF%95"
curl -s -o /dev/null "$base/no/such/page"
curl -s -D "$d/metrics.h" -o "$d/metrics.txt" "$base/metrics"
check "/metrics answers in the text format" grep -qi '^content-type: text/plain; version=0.0.4' "$d/metrics.h"
check "/metrics counts the search page by its route" \
	grep -qE '^wenyuan_http_requests_total\{method="GET",route="/search",code="200"\} [2-9]' "$d/metrics.txt"
check "/metrics counts a 404" grep -qE '^wenyuan_http_requests_total\{.*code="404"\} [1-9]' "$d/metrics.txt"
check "/metrics has the latency histogram" \
	grep -qE '^wenyuan_http_request_duration_seconds_bucket\{method="GET",route="/search",le="\+Inf"\} [2-9]' "$d/metrics.txt"
check "/metrics counts the documents" grep -qx 'wenyuan_documents{status="ready",format="txt"} 1' "$d/metrics.txt"
# the exposition format, as a scraper reads it: every sample of a family
# that was typed first, names and labels well formed, values numbers
check "/metrics is well formed" python3 -c '
import re, sys
typed = set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        assert kind in ("counter", "gauge", "histogram"), line
        typed.add(name)
        continue
    if line.startswith("# HELP ") or not line:
        continue
    m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\n]*\",?)*\})? (\S+)", line)
    assert m, line
    float(m.group(4))
    base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
    assert m.group(1) in typed or base in typed, line
' "$d/metrics.txt"

# Downloads: the original bytes under their Chinese name (through the
# signed link a browser's download leads to: -L).
curl -s -L -D "$d/h1" -o "$d/got" "$base/download/$id"
check "download returns the original bytes" cmp -s "$d/got" "$d/年度报告（终稿）.txt"
check "download names the file in UTF-8 (RFC 5987)" \
	grep -qi "filename\*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.txt" "$d/h1"
check "download has an ASCII fallback name" grep -qi 'filename="[ -~]*\.txt"' "$d/h1"
check "security headers on downloads" grep -qi "^content-security-policy:.*frame-ancestors 'none'" "$d/h1"

# Byte ranges.
size=$(stat -c %s "$d/年度报告（终稿）.txt")
curl -s -L -D "$d/h2" -o "$d/part" -H 'Range: bytes=3-10' "$base/download/$id"
check "Range answers 206" grep -q '^HTTP/1.1 206' "$d/h2"
check "Range returns exactly those bytes" cmp -s "$d/part" <(dd if="$d/年度报告（终稿）.txt" bs=1 skip=3 count=8 2>/dev/null)
check "Content-Range names them" grep -qi "^content-range: bytes 3-10/$size" "$d/h2"
curl -s -L -o "$d/tail" -H 'Range: bytes=-5' "$base/download/$id"
check "a suffix range returns the last bytes" cmp -s "$d/tail" <(tail -c 5 "$d/年度报告（终稿）.txt")
check "an unsatisfiable range answers 416" [ "$(code -L -H "Range: bytes=$((size + 10))-" "$base/download/$id")" = 416 ]
check "a malformed range is ignored (200)" [ "$(code -L -H 'Range: bytes=x-y' "$base/download/$id")" = 200 ]

# Page images: ETag and 304.
img=$(curl -s "$base/doc/$id" | grep -o '/blob/[0-9a-f]\{64\}' | head -1)
etag=$(curl -s -D - -o /dev/null "$base$img" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
check "page image has a strong ETag" [ "${#etag}" -eq 66 ]
check "a matching If-None-Match answers 304" [ "$(code -H "If-None-Match: $etag" "$base$img")" = 304 ]
check "a stale If-None-Match gets the image" [ "$(code -H 'If-None-Match: "0"' "$base$img")" = 200 ]

# The JSON twins.
curl -s "$base/api/v1/doc/$id" > "$d/doc.json"
check "api: document" jqe --argjson id "$id" '.id == $id and .status == "ready" and .format == "txt" and .pages == 1
	and .filename == "年度报告（终稿）.txt" and (.download | endswith("/download/\($id)"))' "$d/doc.json"
curl -s "$base/api/v1/doc/$id/pages" > "$d/pages.json"
check "api: pages with images and text" jqe '.pages == 1 and (.items | length) == 1 and .items[0].page == 1
	and (.items[0].image | startswith("/blob/")) and (.items[0].text | contains("第二行文字"))' "$d/pages.json"
check "api: documents" jqe '.total == 1 and (.documents | length) == 1' <(curl -s "$base/api/v1/documents?limit=5")
check "api: home" jqe '(.categories | length) > 5 and (.newest | length) == 1 and .total == 1' <(curl -s "$base/api/v1/home")
check "api: categories" jqe '.categories | length > 20' <(curl -s "$base/api/v1/categories")
check "api: unknown document is a JSON 404" [ "$(code "$base/api/v1/doc/424242")" = 404 ]
check "api: unknown path is a JSON 404" jqe '.error' <(curl -s "$base/api/v1/nope")
check "api: bad numbers are clamped, not errors" [ "$(code "$base/api/v1/documents?limit=-5&offset=abc")" = 200 ]

# The site's own files.
check "the stylesheet is served as CSS" bash -c "curl -s -D - -o /dev/null '$base/static/site.css' | grep -qi '^content-type: text/css'"
check "a path outside static/ is 404" [ "$(code --path-as-is "$base/static/../templates/base.html")" = 404 ]
check "a 404 is the site's page" bash -c "curl -s '$base/nope' | grep -q '404 页面不存在'"

# Unknown, malformed and hostile requests.
check "unknown document is 404" [ "$(code "$base/doc/999999")" = 404 ]
check "unknown download is 404" [ "$(code "$base/download/999999")" = 404 ]
for path in /doc/abc /doc/-1 /doc/+1 '/doc/1%00' /doc/99999999999999999999999 /blob/xyz '/blob/..%2f..%2fetc%2fpasswd' \
	/download/0 /nonexistent '/%ff%fe' "/$(head -c 3000 /dev/zero | tr '\0' a)"; do
	c=$(code --path-as-is "$base$path")
	check "malformed path $(printf %.40s "$path") gets 4xx ($c)" [ "${c:0:1}" = 4 ]
done
check "bad query strings are harmless" [ "$(code "$base/?%zz=%%&a=$(head -c 2000 /dev/zero | tr '\0' b)")" = 200 ]
big=$(head -c 100000 /dev/zero | tr '\0' x)
c=$(code -H "X-Big: $big" "$base/")
check "a 100 KB header is refused with 4xx ($c)" [ "${c:0:1}" = 4 ]
check "POST is refused" [ "$(code -X POST --data 'x=1' "$base/")" = 405 ]
check "errors carry the security headers too" \
	bash -c "curl -s -D - -o /dev/null '$base/nonexistent' | grep -qi '^x-content-type-options: nosniff'"
check "and the server keeps serving" [ "$(code "$base/doc/$id")" = 200 ]

kill -TERM $spid
wait $spid || true
trap - EXIT
# Counts are written in batches, and when the server stops.
"$WY_BIN" --data "$data" info "$id" --json > "$d/counted.json"
check "a download is counted once, not per range" jqe '.downloads == 1' "$d/counted.json"
check "views of the document page are counted" jqe '.views == 2' "$d/counted.json"

# The UI's language (after the counts above, on a server of its own):
# Chinese by default; English by ?lang=en (remembered in a cookie) or by
# Accept-Language; the JSON API the same in every language.
port=$(free_port)
"$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker > "$d/serve2.out" 2> "$d/serve2.err" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port
check "serve answers again" wait_http "$base/healthz"
check "the catalogs cover every template (no untranslated warning)" lacks i18n.untranslated "$d/serve2.err"
get() { # get NAME URL [curl args...]: headers in $d/NAME.h, body in $d/NAME.html
	local name=$1 url=$2; shift 2
	curl -s -D "$d/$name.h" -o "$d/$name.html" "$@" "$url"
}
is_zh() { grep -q '<html lang="zh-CN">' "$d/$1.html" && grep -q '当前位置：\|<h2>最新文档</h2>\|404 页面不存在' "$d/$1.html"; }
# the site's name (setting site_name) is the operator's, in every language
is_en() {
	grep -q '<html lang="en">' "$d/$1.html" && grep -q ' - 文渊文库</title>' "$d/$1.html" &&
		! grep -q '当前位置：\|最新文档\|最多阅读\|全部文档\|返回首页\|下载</a>\|第1页 / 共' "$d/$1.html"
}
get home "$base/"
check "the home page is in Chinese by default" is_zh home
check "... and says so (Content-Language: zh-CN)" grep -qi '^content-language: zh-CN' "$d/home.h"
check "pages vary by Accept-Language and Cookie" grep -qi '^vary: Accept-Language, Cookie' "$d/home.h"
check "no cookie unless a language is chosen" bash -c "! grep -qi '^set-cookie' '$d/home.h'"
check "the footer links to both languages" grep -q 'href="?lang=zh"[^>]*>中文</a> / <a href="?lang=en"[^>]*>English</a>' "$d/home.html"
get doc "$base/doc/$id"
check "the document page is in Chinese by default" \
	bash -c "grep -q '<html lang=\"zh-CN\">' '$d/doc.html' && grep -q '第1页 / 共1页' '$d/doc.html' && grep -q '>下载</a>' '$d/doc.html'"

get home_q "$base/?lang=en"
check "?lang=en: the home page in English" is_en home_q
check "?lang=en: English headings" grep -q '<h2>Newest documents</h2>' "$d/home_q.html"
check "?lang=en sets a lang cookie (Path=/, a year, SameSite=Lax)" \
	grep -qi '^set-cookie: lang=en; Path=/; Max-Age=31536000; SameSite=Lax' "$d/home_q.h"
check "?lang=en: Content-Language: en" grep -qi '^content-language: en' "$d/home_q.h"
get doc_q "$base/doc/$id?lang=en"
check "?lang=en: the document page in English" is_en doc_q
check "?lang=en: the document's own words stay as they are" grep -q '<h1><span class="badge">TXT</span>年度报告（终稿）</h1>' "$d/doc_q.html"
check "?lang=en: the pager and the actions in English" \
	bash -c "grep -q 'Page 1 of 1' '$d/doc_q.html' && grep -q '>Download</a>' '$d/doc_q.html' && grep -q 'data-zoom-in=\"Zoom in\"' '$d/doc_q.html'"
get cat_q "$base/category/%E6%95%99%E8%82%B2%E8%B5%84%E6%96%99?format=pdf&sort=views&lang=en"
check "?lang=en: a category page in English, filters too" \
	bash -c "grep -q 'Sort: ' '$d/cat_q.html' && grep -q '>Most read</a>' '$d/cat_q.html' && grep -q 'Page 1 of 1' '$d/cat_q.html'"
check "the language links keep the page's query" grep -q 'href="?format=pdf&amp;sort=views&amp;lang=zh"' "$d/cat_q.html"

get home_al "$base/" -H 'Accept-Language: en-US,en;q=0.9'
check "Accept-Language: en-US,en;q=0.9 gives English" is_en home_al
check "... and sets no cookie" bash -c "! grep -qi '^set-cookie' '$d/home_al.h'"
get doc_al "$base/doc/$id" -H 'Accept-Language: en-US,en;q=0.9'
check "Accept-Language: the document page in English" is_en doc_al
get nf_al "$base/nope" -H 'Accept-Language: en'
check "Accept-Language: the 404 page in English" grep -q '404 Page not found' "$d/nf_al.html"
get home_zh "$base/" -H 'Accept-Language: zh-CN,zh;q=0.9,en;q=0.8'
check "Accept-Language preferring Chinese gives Chinese" is_zh home_zh
get home_q0 "$base/" -H 'Accept-Language: en;q=0, fr'
check "Accept-Language refusing English (q=0) gives Chinese" is_zh home_q0
get home_bad "$base/" -H 'Accept-Language: ;;q==,\xff*;q=9,,en-;q=0.5x'
check "a garbage Accept-Language is harmless (Chinese, 200)" is_zh home_bad

jar=$d/cookies
curl -s -o /dev/null -c "$jar" "$base/?lang=en"
get doc_c "$base/doc/$id" -b "$jar"
check "the cookie keeps later pages in English" is_en doc_c
get cat_c "$base/category/%E6%95%99%E8%82%B2%E8%B5%84%E6%96%99" -b "$jar" -H 'Accept-Language: zh-CN'
check "the cookie beats Accept-Language" is_en cat_c
get home_c "$base/?lang=zh" -b "$jar" -c "$jar"
check "?lang=zh beats the cookie" is_zh home_c
get doc_c2 "$base/doc/$id" -b "$jar" -H 'Accept-Language: en'
check "and is remembered in its place (Chinese despite Accept-Language: en)" is_zh doc_c2
get home_x "$base/?lang=xx" -b 'lang=<script>'
check "an unknown ?lang= and a bad cookie fall back to Chinese" is_zh home_x
check "... and set no cookie" bash -c "! grep -qi '^set-cookie' '$d/home_x.h'"

curl -s "$base/api/v1/home" > "$d/api_zh.json"
curl -s -D "$d/api_en.h" -H 'Accept-Language: en' -b 'lang=en' "$base/api/v1/home?lang=en" > "$d/api_en.json"
check "the JSON API is the same in every language" cmp -s "$d/api_zh.json" "$d/api_en.json"
check "the JSON API sets no cookie" bash -c "! grep -qi '^set-cookie' '$d/api_en.h'"
check "a category's JSON keeps its filter labels as they are" \
	jqe '.filters.sorts[1].label == "最多阅读"' <(curl -s -H 'Accept-Language: en' "$base/api/v1/category/%E6%95%99%E8%82%B2%E8%B5%84%E6%96%99?lang=en")
kill -TERM $spid
wait $spid || true
trap - EXIT

# /metrics for the allowed addresses only: others get 404
port=$(free_port)
WENYUAN_METRICS_ALLOW="10.9.9.9" "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker \
	> "$d/serve3.out" 2> "$d/serve3.err" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
check "a third server answers" wait_http "http://127.0.0.1:$port/healthz"
check "/metrics is 404 to an address not allowed" [ "$(code "http://127.0.0.1:$port/metrics")" = 404 ]
finish

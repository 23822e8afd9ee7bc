#!/usr/bin/env bash
# The command line and the site as a newcomer meets them: the samples `make
# run` loads become ready, every command answers --help, bad input gets a
# clear error, and `wenyuan serve` shows the documents and their pages.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
bin_dir=$(dirname "$WY_BIN")

# --version: the version and the commit the binary was built from (the
# build looks it up each time; "unknown" outside a git checkout).
commit=$(git -C "$WY_SRC" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
check "--version names the version and the commit ($commit)" \
	grep -qxE "wenyuan [0-9]+\.[0-9]+\.[0-9]+ \(git $commit\)" <("$WY_BIN" --version)

# The configuration file: flag > environment > file > default, each value
# shown with where it came from; unknown names and bad values refused with
# the file and line.
printf '# a site\nconvert_timeout = 77\nsite_name = "我的 文库"\nmax_pages=300\n' > "$d/wenyuan.conf"
WENYUAN_MAX_PAGES=400 "$WY_BIN" --config "$d/wenyuan.conf" --page_width=800 config > "$d/config.out"
check "a file's value, and its file and line" grep -qE "^convert_timeout +77 +$d/wenyuan.conf:2 " "$d/config.out"
check "a quoted value keeps its space" grep -qE "^site_name +我的 文库 +$d/wenyuan.conf:3 " "$d/config.out"
check "the environment wins over the file" grep -qE '^max_pages +400 +WENYUAN_MAX_PAGES ' "$d/config.out"
check "a flag wins over all" grep -qE '^page_width +800 +--page_width ' "$d/config.out"
check "the rest are defaults" grep -qE '^webp_quality +75 +default ' "$d/config.out"
check "WENYUAN_CONFIG names the file too" grep -qE '^convert_timeout +77 ' <(WENYUAN_CONFIG="$d/wenyuan.conf" "$WY_BIN" config)
printf '\nconvert_timout = 5\n' > "$d/bad.conf"
check "an unknown name: refused with file and line" fails_with "$d/bad.conf:2: unknown setting 'convert_timout'" \
	"$WY_BIN" --config "$d/bad.conf" config
printf 'convert_timeout = -5\n' > "$d/bad.conf"
check "a bad value: refused with file and line" fails_with "$d/bad.conf:1: '-5' is not a number" \
	"$WY_BIN" --config "$d/bad.conf" config
check "a missing file named: refused" fails_with "cannot read the configuration file" \
	"$WY_BIN" --config "$d/none.conf" config

# The samples, exactly as `make run` loads them.
out=$("$WY_SRC/scripts/samples.sh" "$WY_BIN" "$data")
echo "$out"
check "four samples ready" [ "$(grep -c '^ready' <<<"$out")" -eq 4 ]
check "manual PDF has its title" grep -q '^ready .*文渊使用手册 (pdf' <<<"$out"
check "manual EPUB has its title" grep -q '^ready .*文渊使用手册 (epub' <<<"$out"
check "Chinese text titled by its first line" grep -q '^ready .*文渊阁记 (txt' <<<"$out"

# Adding them again stores nothing new.
again=$("$WY_SRC/scripts/samples.sh" "$WY_BIN" "$data")
check "re-adding identical files returns the existing documents" \
	[ "$(grep -c '^exists' <<<"$again")" -eq 4 -a "$(grep -c '^added' <<<"$again")" -eq 0 ]

json=$("$WY_BIN" --data "$data" list --json)
check "list --json has 4 documents" [ "$(jq length <<<"$json")" -eq 4 ]
check "every document ready with pages" [ "$(jq '[.[] | select(.status=="ready" and .pages>0)] | length' <<<"$json")" -eq 4 ]
gbk_id=$(jq '.[] | select(.title=="文渊阁记（GBK 编码）") | .id' <<<"$json")
utf_id=$(jq '.[] | select(.title=="文渊阁记") | .id' <<<"$json")
check "the GBK text file reads as the same UTF-8 text" \
	diff <("$WY_BIN" --data "$data" text "$gbk_id") <("$WY_BIN" --data "$data" text "$utf_id")
check "text of the sample holds its sentences whole" \
	grep -q '文渊阁在紫禁城东南，文华殿之后，建于乾隆四十一年，专为收藏《四库全书》而设。' \
	<("$WY_BIN" --data "$data" text "$utf_id")

info=$("$WY_BIN" --data "$data" info 1 --json)
check "info --json fields" jqe '.id==1 and .format=="pdf" and (.sha256|length)==64 and .size>0 and .status=="ready" and .reason==null' <<<"$info"
check "info for a missing document fails clearly" fails_with 'no document 999' "$WY_BIN" --data "$data" info 999
check "info without an id is a usage error" fails_with usage "$WY_BIN" --data "$data" info

# The category tree.
cats=$("$WY_BIN" --data "$data" category list)
check "a new library has the default category tree" grep -q '^  其它  (0)' <<<"$cats"
check "samples are filed in their category" grep -q '^  手册  (2)' <<<"$cats"
check "category add" "$WY_BIN" --data "$data" category add 行业资料/计算机/人工智能
check "category rename" "$WY_BIN" --data "$data" category rename 行业资料/计算机 信息技术
check "category move to the top" "$WY_BIN" --data "$data" category move 行业资料/信息技术 /
check "the tree shows the change" jqe 'any(.[]; .path == "信息技术/人工智能")' <("$WY_BIN" --data "$data" category list --json)
check "moving a category into itself is refused" fails_with 'inside itself' "$WY_BIN" --data "$data" category move 信息技术 信息技术/人工智能
check "a document keeps its category when it is renamed" bash -c "'$WY_BIN' --data '$data' category rename 文渊 文渊书库 && \
	'$WY_BIN' --data '$data' info 1 --json | jq -e '.category == \"文渊书库/手册\"' >/dev/null"

for cmd in add info list text category retry worker serve config; do
	check "$cmd --help" bash -c "'$WY_BIN' $cmd --help | grep -q usage || '$WY_BIN' $cmd --help | grep -q SETTING"
done
check "top-level --help" bash -c "'$WY_BIN' --help | grep -q commands"
check "unknown command is an error" fails_with "unknown command 'frobnicate'" "$WY_BIN" frobnicate
check "a bad setting is refused, not clamped" fails_with 'not a number from 1' "$WY_BIN" --convert_timeout=0 config
check "a bad environment setting names its variable" fails_with WENYUAN_MAX_PAGES env WENYUAN_MAX_PAGES=lots "$WY_BIN" config
check "--check-config accepts good settings" "$WY_BIN" --check-config

# A file that is no document: recorded, failed with a reason, kept.
head -c 4096 /dev/urandom > "$d/random.docx"
set +e
"$WY_BIN" --data "$data" add "$d/random.docx" > "$d/add.out"
rc=$?
set -e
check "a failed conversion exits 2" [ "$rc" -eq 2 ]
check "random bytes fail as unrecognized format" grep -q 'failed .*random.docx: unrecognized format' "$d/add.out"
rid=$(awk '/^added/ {print $2}' "$d/add.out")
check "the failed document stays listed with its reason" \
	jqe --argjson id "$rid" '.[] | select(.id==$id) | .status=="failed" and .reason=="unrecognized format"' \
	<("$WY_BIN" --data "$data" list --json)
set +e
"$WY_BIN" --data "$data" retry "$rid" > "$d/retry.out"
set -e
check "retry converts the kept original again (and fails the same way)" grep -q "failed .*unrecognized format" "$d/retry.out"
check "a missing file is an error" fails_with 'No such file' "$WY_BIN" --data "$data" add "$d/nope.pdf"
printf 'queued only\n' > "$d/queued.txt"
check "--no-wait only queues" bash -c "'$WY_BIN' --data '$data' add --no-wait '$d/queued.txt' | grep -q added && \
	'$WY_BIN' --data '$data' list --json | jq -e '[.[] | select(.status==\"queued\")] | length == 1' >/dev/null"
check "worker --until-idle converts what is queued" bash -c "'$WY_BIN' --data '$data' worker --until-idle 2>/dev/null && \
	'$WY_BIN' --data '$data' list --json | jq -e '[.[] | select(.status==\"queued\")] | length == 0' >/dev/null"

# The site.
port=$(free_port)
"$WY_BIN" --data "$data" serve --port "$port" > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
check "serve answers" wait_http "http://127.0.0.1:$port/healthz"
home=$(curl -fsS "http://127.0.0.1:$port/")
curl -fsS "http://127.0.0.1:$port/" > "$d/home.html"
check "home lists the samples" grep -q '文渊使用手册' <<<"$home"
check "home shows the category tree" grep -q '<a class="top" href="/category/资格与职业考试">资格与职业考试</a>' <<<"$home"
check "home shows the newest documents" grep -q '<h2>最新文档</h2>' <<<"$home"
check "home shows the most viewed" grep -q '<h2>最多阅读</h2>' <<<"$home"
check "home shows the documents as cards with their covers" grep -q '<li class="card"><a href="/doc/[0-9]*"><span class="cover"><img src="/blob/' <<<"$home"
# a failed conversion is its owner's and the admins' business (my pages, admin)
check "home lists neither the failed one nor its reason" \
	bash -c "! grep -q 'href=\"/doc/$rid\"' '$d/home.html' && ! grep -q 'unrecognized format' '$d/home.html'"
# (a document named queued.txt is titled "queued": a title, not a status)
check "home words no status in English" \
	bash -c "! grep -oE '<[^>]*>(ready|failed|queued|converting)( [0-9]+/[0-9]+)?(:[^<]*)?<' '$d/home.html' | grep -vq '^<span class=\"title\">'"
doc=$(curl -fsS "http://127.0.0.1:$port/doc/1")
check "document page has lazily loaded page images" grep -q '<img loading="lazy" width="1240"' <<<"$doc"
check "document page has the page text" grep -q '文渊是一个可以自己部署的文库系统' <<<"$doc"
check "document page links the download" grep -q 'href="/download/1">下载' <<<"$doc"
check "document page: breadcrumb of its category" grep -q '当前位置：<a href="/">首页</a> &gt; <a href="/category/文渊书库">文渊书库</a> &gt; <a href="/category/文渊书库/手册">手册</a>' <<<"$doc"
check "document page: format badge and facts" grep -q '文档编号 1 · 上传时间 [0-9-]* · 格式 PDF · 页数 3 · 大小 [0-9.]*KB' <<<"$doc"
check "document page: pager on every page" grep -q '第3页 / 共3页' <<<"$doc"
check "document page: end of the preview" grep -q '亲，该文档总共3页，全部预览完了，如果喜欢就下载吧！' <<<"$doc"
check "document page: the text of every page behind 展开阅读全文" grep -q '<summary>展开阅读全文</summary>' <<<"$doc"
check "document page: related documents from its category, as cards" \
	grep -q '<li class="card"><a href="/doc/2"><span class="cover">.*<span class="title">文渊使用手册</span></a><span class="facts"><span class="badge">EPUB</span>' <<<"$doc"
check "document page: the action bar" grep -q '<a class="act fav" href="/login?next=/doc/1">收藏 <span class="n">0</span></a>' <<<"$doc"
check "document page: share, reward, download, report, opening in place" bash -c '
	for a in "<details id=\"download\" class=\"download pop\"><summary class=\"act primary\">下载</summary>" \
		"<details id=\"share\" class=\"share pop\"><summary class=\"act\">分享</summary>" \
		"<details id=\"reward\" class=\"reward pop\"><summary class=\"act\">赏</summary>" \
		"<a class=\"act\" href=\"#related\">相关</a>" \
		"<details id=\"report\" class=\"report pop\"><summary class=\"act\">举报</summary>"; do
		grep -qF "$a" <<<"$1" || { echo "# missing: $a"; exit 1; }
	done' _ "$doc"
check "document page: a free download says so" grep -q '<p class="price">免费文档</p><p><a class="button primary" href="/download/1">免费下载</a>' <<<"$doc"
jar=$d/cookies
curl -fsS -c "$jar" -o /dev/null "http://127.0.0.1:$port/doc/1"
check "a visitor gets an anonymous id cookie" grep -q 'wy_v' "$jar"
doc=$(curl -fsS "http://127.0.0.1:$port/doc/1?lang=zh")
like=$(sed -n '/<h2>猜你喜欢<\/h2>/,/<\/section>/p' <<<"$doc")
check "document page: you may like neither itself nor its related ones" \
	bash -c "! grep -q 'href=\"/doc/1\"' <<<'$like' && ! grep -q 'href=\"/doc/2\"' <<<'$like'"
check "document page: related searches from its keywords" grep -q '<h2>相关搜索</h2>' <<<"$doc"
check "document page: the footer" grep -q '<p class="copy">© 文渊文库' <<<"$doc"
check "document page: the uploader, masked" grep -q '上传人 we\*\*\*\*n' <<<"$doc"
check "the pager's jump goes to the page" bash -c "curl -s -o /dev/null -w '%{redirect_url}' 'http://127.0.0.1:$port/doc/1?p=2' | grep -q '/doc/1#p2$'"
# (the sample's category was renamed 文渊书库 above)
cat=$(curl -fsS "http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93")
check "category page lists its subtree's documents" grep -q '<h1>文渊书库</h1> <span class="count">共4篇</span>' <<<"$cat"
check "category page links its subcategories" grep -q '<a href="/category/文渊书库/手册">手册</a>' <<<"$cat"
check "category page filters by format" bash -c "curl -fsS 'http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?format=epub' | grep -q '<h1>文渊书库</h1> <span class=\"count\">共1篇</span>'"
check "category page filters by page count" bash -c "curl -fsS 'http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?pages=1' | grep -q '共4篇' && \
	curl -fsS 'http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?pages=3' | grep -q '共0篇'"
check "a filter link keeps the other choices" bash -c "curl -fsS 'http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?sort=views&pages=1' | grep -q 'href=\"/category/文渊书库?format=pdf&amp;pages=1&amp;sort=views\"'"
check "unknown filter values are ignored" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?format=%27;drop&sort=x&pages=9&page=-1")" = 200 ]
check "the category's JSON twin" bash -c "curl -fsS 'http://127.0.0.1:$port/api/v1/category/%E6%96%87%E6%B8%8A%E4%B9%A6%E5%BA%93?sort=views' | jq -e '.total == 4 and (.documents | length) == 4' >/dev/null"
check "an unknown category is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/category/nope")" = 404 ]
check "the login page has a form with its CSRF token" bash -c "curl -fsS 'http://127.0.0.1:$port/login' | grep -q 'name=\"csrf\" value=\"[0-9a-f]\{64\}\"'"
img=$(grep -o '/blob/[0-9a-f]\{64\}' <<<"$doc" | head -1)
hdr=$(curl -fsS -D - -o "$d/page.webp" "http://127.0.0.1:$port$img")
check "page image is WebP" grep -qi '^content-type: image/webp' <<<"$hdr"
check "page image is cached for good" grep -qi 'immutable' <<<"$hdr"
etag=$(grep -i '^etag:' <<<"$hdr" | cut -d' ' -f2 | tr -d '\r')
check "If-None-Match answers 304" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "http://127.0.0.1:$port$img")" = 304 ]
check "a path in a blob name is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://127.0.0.1:$port/blob/../../etc/passwd")" = 404 ]
check "a missing document is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/doc/9999")" = 404 ]
check "POST is refused" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/")" = 405 ]

# A document added while the site runs is converted by its embedded worker.
cp "$bin_dir/samples/文渊阁记.txt" "$d/copy.txt"; echo "追加一行，使内容不同。" >> "$d/copy.txt"
"$WY_BIN" --data "$data" add --no-wait --title '<script>alert(1)</script>运行中添加' "$d/copy.txt" >/dev/null
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/" | grep -q '运行中添加</span></a><span class="facts"><span class="badge">TXT</span> 1页' && break
	sleep 0.2
done
home=$(curl -fsS "http://127.0.0.1:$port/")
# the home page lists ready documents only: there, it was converted
check "the embedded worker converts new uploads" grep -q '运行中添加</span></a><span class="facts"><span class="badge">TXT</span> 1页' <<<"$home"
check "a hostile title is escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;运行中添加' <<<"$home"
curl -fsS "http://127.0.0.1:$port/" > "$d/home.html"
check "no raw markup from a title reaches the page" lacks '<script' "$d/home.html"

# The embedded worker is restarted when it dies, and conversions go on.
check "the server runs an embedded worker" pkill -KILL -P $spid -x wenyuan
printf '工作进程重启以后添加的文档。\n' > "$d/after.txt"
"$WY_BIN" --data "$data" add --no-wait "$d/after.txt" > "$d/after.out"
aid=$(awk '{print $2}' "$d/after.out")
for _ in $(seq 150); do
	[ "$("$WY_BIN" --data "$data" info "$aid" --json | jq -r .status)" = ready ] && break
	sleep 0.2
done
check "a new embedded worker converts after the old one was killed" \
	[ "$("$WY_BIN" --data "$data" info "$aid" --json | jq -r .status)" = ready ]

kill -TERM $spid
wait $spid || true
trap - EXIT
check "serve stops on SIGTERM" bash -c "! kill -0 $spid 2>/dev/null"


# Markdown: a text file named .md is laid out from its markup (the name is
# the one hint taken), with its raw HTML dropped; the same markup named .txt
# stays text (a line more: the same bytes would be the same document).
printf '# 会议纪要\n\n- 第一项\n- 第二项\n\n<script>alert(1)</script>\n[x](javascript:alert(1))\n' > "$d/纪要.md"
{ cat "$d/纪要.md"; echo; } > "$d/纪要源码.txt"
"$WY_BIN" --data "$data" add "$d/纪要.md" "$d/纪要源码.txt" > "$d/md.out"
read_ids "$d/md.out"
check "a .md file converts as Markdown" jqe '.format == "md" and .status == "ready"' \
	<("$WY_BIN" --data "$data" info "${id_of[纪要.md]}" --json)
"$WY_BIN" --data "$data" text "${id_of[纪要.md]}" > "$d/md.txt"
check "Markdown: the list laid out, not its source" bash -c "grep -q '第二项' '$d/md.txt' && ! grep -q '^- ' '$d/md.txt'"
check "Markdown: raw HTML dropped" lacks 'alert' "$d/md.txt"
check "the same markup named .txt stays text" jqe '.format == "txt"' \
	<("$WY_BIN" --data "$data" info "${id_of[纪要源码.txt]}" --json)

finish

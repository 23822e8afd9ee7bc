#!/usr/bin/env bash
# Issue 20: a long document is readable while it converts, and a converter
# that crashes in the middle is resumed where it got. A 60-page PDF made
# here (wy-mksample) is uploaded to a server whose converters stop after a
# given page (WY_TEST_PAUSE_AFTER: page 5 on the first attempt, page 20 on
# the second; a test hook, so the readable state is seen without racing
# the converter). While it is readable with 5 pages, a visitor gets its
# page, JSON (status "readable", pages 5, progress 5/60), page 1's image,
# and search finds page 1's text, never page 6's or the last page's; then
# the converter is killed (a crash): the job is resumed from page 6, the
# document readable with its pages meanwhile, killed again at page 20,
# resumed from 21, and ends ready with every page exactly once, the first
# and last pages' text found, fsck clean. A private and a pending document
# that are readable stay invisible to a visitor. An office document
# (flat ODT, 30 pages) has its first pages exported and published first,
# with page 1's text, and resumes the same way. A near-duplicate refused
# at the end of its conversion (near_duplicates = 2) was readable, and
# then shows nothing: its page, JSON, page images and search hits are gone.
source "$(dirname "$0")/lib.bash"

new_library
db=$data/wenyuan.db
mksample=$(dirname "$WY_BIN")/wy-mksample
[ -x "$mksample" ] || { echo "skipped: $mksample not built"; exit 77; }

# mkpdf OUT FIRSTWORD LASTWORD TEXT: 60 pages, each with its number and
# TEXT, the first and last page with words of their own.
mkpdf() {
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
		echo '<style>h1 { page-break-before: always } h1.first { page-break-before: avoid }</style></head><body>'
		echo "<h1 class=\"first\">第1节</h1><p>$2 文渊阁建于乾隆年间，专为收藏四库全书而建。</p>"
		for i in $(seq 2 60); do
			echo "<h1>第${i}节</h1><p>页码标记甲${i}乙。$4</p>"
		done
		echo "<p>$3</p></body></html>"
	} > "$d/in.xhtml"
	"$mksample" pdf "$d/in.xhtml" "$1" 边转边读测试 文渊 > /dev/null
}
mkpdf "$d/long.pdf" 龟兹壁画 敦煌藏经洞 经部收儒家经典及其注疏，史部收各类史书。

serve_site WY_TEST_PAUSE_AFTER=5,20 WENYUAN_LOG=info WENYUAN_PREVIEW_PAGES=100 WENYUAN_PAGE_CACHE_MS=0 \
	WENYUAN_NEAR_DUPLICATES=2 WENYUAN_WORKERS=2
alice=$(register alice alicepass1)

json() { curl -fsS "$base/api/v1/doc/$1"; }          # as a visitor
ajson() { curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$1"; }
# until_doc ID JQ: until alice's view of the document satisfies JQ (60 s)
until_doc() {
	for _ in $(seq 600); do
		ajson "$1" | jqe "$2" && return 0
		sleep 0.1
	done
	echo "# doc $1: $(ajson "$1" | jq -c '{status, pages, progress, reason}')"
	return 1
}
# the converters running now: the children of the server's worker
converters() {
	local w
	for w in $(ps -o pid= --ppid "$spid"); do ps -o pid= --ppid "$w"; done | tr -d ' '
}
crash_converters() {
	local p
	for p in $(converters); do kill -KILL "$p"; done
}
found() { # found QUERY ID: a visitor's search lists the document
	curl -fsS -G "$base/api/v1/search" --data-urlencode "q=$1" | jq -e --argjson id "$2" '[.results[].id] | index($id) != null' > /dev/null
}
not_found() { ! found "$@"; }

D=$(upload "$alice" "$d/long.pdf")
check "the first pages are stored while the rest converts: readable, 5 pages" \
	until_doc "$D" '.status == "readable" and .pages == 5'
check "a visitor's JSON: status readable, pages 5, progress 5/60" \
	jqe '.status == "readable" and .pages == 5 and .progress == "5/60"' <(json "$D")
title=$(json "$D" | jq -r .title)
check "the title was picked with the first pages ($title)" jqe '.title | type == "string" and length > 0' <(json "$D")
img=$(curl -fsS "$base/api/v1/doc/$D/pages?from=1&count=1" | jq -r '.items[0].image')
check "pages?from=1&count=1 gives page 1 to a visitor" bash -c "[[ '$img' == /blob/* ]]"
check "page 1's image answers 200 to a visitor" [ "$(code "$base$img")" = 200 ]
check "no page past those stored is listed" \
	jqe '.items == [] and .pages == 5' <(curl -fsS "$base/api/v1/doc/$D/pages?from=6&count=5")
curl -fsS "$base/doc/$D" > "$d/page.html"
check "the document page answers a visitor" grep -q 'id="p5"' "$d/page.html"
check "it shows no page not stored" lacks 'id="p6"' "$d/page.html"
check "it says how far the conversion is" grep -q '正在转换：第5页 / 共60页' "$d/page.html"
check "its pager counts the pages to come" grep -q '第1页 / 共60页' "$d/page.html"
check "without script it says more is coming" grep -q '还有页面正在转换' "$d/page.html"
check "search finds page 1's text while readable" found 龟兹壁画 "$D"
check "search does not find the last page's text yet" not_found 敦煌藏经洞 "$D"
check "search in the document finds page 1" \
	jqe '.total >= 1 and .pages[0].page == 1' <(curl -fsS -G "$base/api/v1/doc/$D/search" --data-urlencode q=龟兹壁画)
check "the listing counts the stored pages" \
	jqe --argjson id "$D" '[.documents[] | select(.id == $id) | .pages] == [5]' <(curl -fsS "$base/api/v1/documents")

# a crash at page 5: resumed from page 6, readable meanwhile, to page 20
check "a converter is running, stopped after page 5" [ -n "$(converters)" ]
crash_converters
check "after the crash the job is resumed: readable, 20 pages" \
	until_doc "$D" '.status == "readable" and .pages == 20'
check "the retry resumed after page 5 (attempt 2)" grep -q "doc=$D attempt=2 ocr_from=0 resume_from=5" "$d/serve.err"
check "page 1 still answers a visitor during the retry" [ "$(code "$base$img")" = 200 ]
crash_converters
check "after a second crash it ends ready" until_doc "$D" '.status == "ready" and .pages == 60'
check "the third attempt resumed after page 20" grep -q "doc=$D attempt=3 ocr_from=0 resume_from=20" "$d/serve.err"
check "every page stored exactly once" \
	[ "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT page_no), min(page_no), max(page_no) FROM pages WHERE doc_id = $D")" = "60|60|1|60" ]
check "ready: search finds the first page's text" found 龟兹壁画 "$D"
check "ready: search finds the last page's text" found 敦煌藏经洞 "$D"
check "ready: the pages are in the index once (a hit on page 60)" \
	jqe '.total >= 1 and ([.pages[].page] | index(60) != null)' \
	<(curl -fsS -G "$base/api/v1/doc/$D/search" --data-urlencode q=敦煌藏经洞)
check "ready: the JSON has no progress left" jqe '.status == "ready" and (has("progress") | not)' <(json "$D")
check "the title stays the one picked first" jqe --arg t "$title" '.title == $t' <(json "$D")
check "the thumbnail of the first attempt stays" jqe '.thumbnail | startswith("/blob/")' <(json "$D")
check "fsck is clean" bash -c "'$WY_BIN' --data '$data' fsck 2>&1 | grep -q ', 0 problems'"

# readable but private, or pending review: a visitor sees nothing of them
mkpdf "$d/priv.pdf" 高昌古城私有 楼兰简牍私有 子部收诸子百家之书，集部收历代诗文总集与别集。
mkpdf "$d/pend.pdf" 高昌古城待审 楼兰简牍待审 藏书之所，首重防火，故阁前凿池，引水环绕。
P=$(upload "$alice" "$d/priv.pdf" -F private=1)
Q=$(upload "$alice" "$d/pend.pdf")
sqlite3 "$db" "UPDATE documents SET state = 1 WHERE id = $Q"
check "the private one is readable" until_doc "$P" '.status == "readable" and .pages == 5'
check "the pending one is readable" until_doc "$Q" '.status == "readable" and .pages == 5'
for x in "$P" "$Q"; do
	pimg=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$x/pages?count=1" | jq -r '.items[0].image')
	check "doc $x: its owner sees page 1" [ "$(code -H "Authorization: Bearer $alice" "$base$pimg")" = 200 ]
	check "doc $x: a visitor gets 404 for its page, JSON, pages and image" \
		[ "$(code "$base/doc/$x") $(code "$base/api/v1/doc/$x") $(code "$base/api/v1/doc/$x/pages") $(code "$base$pimg")" = "404 404 404 404" ]
done
check "their owner's search finds them (indexed as they land)" bash -c "[ \"\$(curl -fsS -H 'Authorization: Bearer $alice' -G '$base/api/v1/search' --data-urlencode q=高昌古城 | jq '[.results[].id | select(. == $P or . == $Q)] | length')\" = 2 ]"
check "a visitor's search finds neither" bash -c "[ \"\$(curl -fsS -G '$base/api/v1/search' --data-urlencode q=高昌古城 | jq '[.results[].id | select(. == $P or . == $Q)] | length')\" = 0 ]"
crash_converters
until_doc "$P" '.pages == 20' > /dev/null && until_doc "$Q" '.pages == 20' > /dev/null
crash_converters
check "both end ready" until_doc "$P" '.status == "ready"'
until_doc "$Q" '.status == "ready"' > /dev/null

# a priced document is read while it converts, but sold once ready: it
# may still fail, and a sale is not undone
bob=$(register bobby bobbypass1)
points() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq .user.points; }
mkpdf "$d/priced.pdf" 交子会子 盐引茶引 宋代纸币的发行与兑换，自成都交子务始。
S=$(upload "$alice" "$d/priced.pdf" -F price=3)
check "the priced one is readable" until_doc "$S" '.status == "readable" and .pages == 5'
have=$(points "$bob")
check "while it converts, paying for it answers 409 and takes nothing" \
	[ "$(code -X POST -H "Authorization: Bearer $bob" "$base/api/v1/download/$S")/$(points "$bob")" = "409/$have" ]
check "its page tells a signed-in reader it is on sale once converted" \
	bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/doc/$S' | grep -q '转换完成后才能购买下载'"
crash_converters
until_doc "$S" '.pages == 20' > /dev/null
crash_converters
check "ready at last" until_doc "$S" '.status == "ready"'
check "then its page offers the payment" \
	bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/doc/$S' | grep -q '支付3积分并下载'"
check "then it is sold: 200, 3 points" \
	[ "$(code -X POST -H "Authorization: Bearer $bob" "$base/api/v1/download/$S")/$(points "$bob")" = "200/$((have - 3))" ]

# a near-duplicate of D: readable while it converts, refused at the end
mkpdf "$d/dup.pdf" 龟兹壁画 敦煌藏经洞副本 经部收儒家经典及其注疏，史部收各类史书。
U=$(upload "$alice" "$d/dup.pdf")
check "the near-duplicate is readable first" until_doc "$U" '.status == "readable" and .pages == 5'
uimg=$(curl -fsS "$base/api/v1/doc/$U/pages?count=1" | jq -r '.items[0].image')
check "a visitor reads its page 1 then" [ "$(code "$base/doc/$U") $(code "$base$uimg")" = "200 200" ]
crash_converters
until_doc "$U" '.pages == 20' > /dev/null
crash_converters
check "at the end it is refused as a near-duplicate" \
	until_doc "$U" '.status == "failed" and (.reason | test("nearly the same"))'
check "then a visitor gets 404 for its page and JSON" [ "$(code "$base/doc/$U") $(code "$base/api/v1/doc/$U")" = "404 404" ]
check "its pages are gone from the store" [ "$(sqlite3 "$db" "SELECT count(*) FROM pages WHERE doc_id = $U")" = 0 ]
check "its owner sees it failed, with no pages" jqe '.status == "failed" and .pages == 0' <(ajson "$U")
check "search no longer lists it" not_found 敦煌藏经洞副本 "$U"
# an office document resumes the same way, after its PDF is made again
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">'
	echo '<office:automatic-styles><style:style style:name="P1" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles>'
	echo '<office:body><office:text><text:p>首页词汇于阗佛寺</text:p>'
	for i in $(seq 2 30); do echo "<text:p text:style-name=\"P1\">第${i}页 页码标记丙${i}丁 集部收历代诗文总集与别集。</text:p>"; done
	echo '<text:p>末页词汇交河故城</text:p></office:text></office:body></office:document>'
} > "$d/long.fodt"
O=$(upload "$alice" "$d/long.fodt")
check "the office document is readable with 5 pages" until_doc "$O" '.status == "readable" and .pages == 5'
# over 10 pages: its first pages were exported and published before the
# whole document (office_first_pages); the count is the whole export's
check "its first pages went first (LibreOffice laid out 30 pages)" grep -q 'office.pdf .*first_of=30 ' "$d/serve.err"
check "readable before ready, counted whole: progress 5/30" jqe '.status == "readable" and .progress == "5/30"' <(json "$O")
check "page 1 of the readable office document has page 1's text" \
	jqe '.total >= 1 and .pages[0].page == 1' <(curl -fsS -G "$base/api/v1/doc/$O/search" --data-urlencode q=于阗佛寺)
oimg=$(curl -fsS "$base/api/v1/doc/$O/pages?from=1&count=1" | jq -r '.items[0].image')
check "and its image answers a visitor" [ "$(code "$base$oimg")" = 200 ]
crash_converters
check "after its converter's crash it ends ready" until_doc "$O" '.status == "ready" and .pages == 30'
check "the retry resumed after page 5" grep -q "doc=$O attempt=2 ocr_from=0 resume_from=5" "$d/serve.err"
check "every office page stored once" \
	[ "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT page_no), min(page_no), max(page_no) FROM pages WHERE doc_id = $O")" = "30|30|1|30" ]
check "page 1's image is the one published first" \
	[ "$(curl -fsS "$base/api/v1/doc/$O/pages?from=1&count=1" | jq -r '.items[0].image')" = "$oimg" ]
check "search finds the office document's first and last pages" bash -c "$(declare -f found); base=$base; found 于阗佛寺 $O && found 交河故城 $O"
check "fsck is still clean" bash -c "'$WY_BIN' --data '$data' fsck 2>&1 | grep -q ', 0 problems'"
finish

#!/usr/bin/env bash
# Search as a user meets it: converted Chinese documents found by two- and
# one-character queries, Traditional and Simplified alike, mixed with
# English, with the right pages; junk queries answered, never an error; the
# results page marks hits and links to the page; in-document search gives
# hit rectangles; a re-saved copy is flagged as a near-duplicate and shows
# once in results, naming the other; related
# searches come from what people searched; reindex keeps it all.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
spid=
trap 'kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT

# A long Simplified text (several pages) whose last paragraph alone has 鲸.
{
	echo "人工智能与教育改革"
	for i in $(seq 1 90); do
		echo "第${i}段：人工智能的发展推动了教育改革，学校开设编程课程，学生用 Python 编程解决问题，教师创建新的教学方法。"
	done
	echo "最后一段：海洋里的蓝鲸是世界上最大的动物。"
} > "$d/人工智能.txt"
# The same text re-saved with a few words changed: a near-duplicate.
sed -e 's/第3段/第三段/; s/第40段/第四十段/' "$d/人工智能.txt" > "$d/人工智能-副本.txt"
printf '資訊科技與創新發展報告\n本報告討論臺灣的軟體產業與網路服務的創新發展。\n' > "$d/繁體報告.txt"
printf '家常菜谱\n红烧肉的做法：五花肉切块，冰糖炒色，小火慢炖。\n' > "$d/菜谱.txt"

"$WY_BIN" --data "$data" add "$d/人工智能.txt" "$d/繁體報告.txt" "$d/菜谱.txt" > "$d/add1.out"
"$WY_BIN" --data "$data" add "$d/人工智能-副本.txt" > "$d/add2.out"
cat "$d/add1.out" "$d/add2.out" > "$d/ids"
read_ids "$d/ids"
ai=${id_of[人工智能.txt]}; copy=${id_of[人工智能-副本.txt]}
trad=${id_of[繁體報告.txt]}; cook=${id_of[菜谱.txt]}
check "four documents are ready" eval '[ -n "$ai" ] && [ -n "$copy" ] && [ -n "$trad" ] && [ -n "$cook" ]'

s() { "$WY_BIN" --data "$data" search "$@" --json; }
ids() { s "$@" | jq -c '[.results[].id]'; }
# The original and its re-saved copy are one result (near-duplicates fold
# into the best-ranked of them): the ids found, those folded in too.
found() { jq --argjson x "$1" '[.results[] | .id, .similar[]] | index($x) != null'; }
# the result that holds $ai, itself or folded in
ai_result='.results[] | select(.id == $ai or (.similar | index($ai) != null))'

# Two characters, one character, which page.
check "a two-character query finds its document" [ "$(ids 红烧)" = "[$cook]" ]
whale_page=$("$WY_BIN" --data "$data" text "$ai" | awk '/^=== page/ {p=$3} /蓝鲸/ {print p; exit}')
check "鲸 is on a later page of the long text" eval '[ -n "$whale_page" ] && [ "$whale_page" -gt 1 ]'
s 鲸 > "$d/whale.json"
check "a one-character query finds the character inside a word" \
	jqe --argjson ai "$ai" "$ai_result | .id > 0" "$d/whale.json"
check "and names the page it is on" \
	jqe --argjson ai "$ai" --argjson p "$whale_page" "$ai_result | .hit_pages[0].page == \$p" "$d/whale.json"
check "the snippet marks the hit" \
	jqe --argjson ai "$ai" "$ai_result"' | .hit_pages[0].snippet.segments | map(select(.hit)) | .[0].text == "鲸"' "$d/whale.json"
check "the original and its near-duplicate are one result, naming the other, counted once" \
	jqe --argjson ai "$ai" --argjson c "$copy" \
	'.total == 1 and (.results | length) == 1 and ([.results[0].id] + .results[0].similar | sort) == ([$ai, $c] | sort)' "$d/whale.json"
check "a character no document has finds nothing" [ "$(ids 鑫)" = "[]" ]

# Traditional and Simplified find each other.
check "Simplified finds Traditional text" [ "$(ids 创新发展)" = "[$trad]" ]
check "Traditional finds Simplified text" jqe . <(s 創建 | found "$ai")
check "a Traditional query finds Traditional text" [ "$(ids 資訊科技)" = "[$trad]" ]

# Mixed Chinese and English, phrases, exclusion.
check "mixed Chinese and English" jqe . <(s PYTHON 编程 | found "$ai")
check "two words find a document that has both" jqe . <(s 教育 编程 | found "$ai")
check "the same words quoted must be together" [ "$(ids '"教育 编程"')" = "[]" ]
check "an excluded word removes a document" [ "$(ids 红烧 -冰糖)" = "[]" ]
check "the title weighs most" jqe --argjson t "$trad" '.results[0].id == $t' <(s 报告)

# The near-duplicate is flagged, pointing at the original.
"$WY_BIN" --data "$data" info "$copy" --json > "$d/copy.json"
check "a re-saved copy is flagged as a near-duplicate of the original" \
	jqe --argjson ai "$ai" '.duplicate_of == $ai' "$d/copy.json"
check "the original is not flagged" jqe '.duplicate_of == null' <("$WY_BIN" --data "$data" info "$ai" --json)
# An original no longer public (hidden here; private, deleted or failed
# alike) is named by no copy: its id would tell of it (found by attack).
sqlite3 "$data/wenyuan.db" "UPDATE documents SET state = 2 WHERE id = $ai"
check "a copy of a hidden original names none" \
	jqe '.duplicate_of == null' <("$WY_BIN" --data "$data" info "$copy" --json)
sqlite3 "$data/wenyuan.db" "UPDATE documents SET state = 0 WHERE id = $ai"
check "... and names it again once it is public" \
	jqe --argjson ai "$ai" '.duplicate_of == $ai' <("$WY_BIN" --data "$data" info "$copy" --json)
sed -e 's/第7段/第七段/' "$d/人工智能.txt" > "$d/人工智能-又一份.txt"
set +e
"$WY_BIN" --data "$data" --near_duplicates=2 add "$d/人工智能-又一份.txt" > "$d/add3.out"
rc=$?
set -e
check "with near_duplicates=2 another copy is refused, saying of which" \
	bash -c "[ $rc -eq 2 ] && grep -qE 'nearly the same text as document ($ai|$copy) ' '$d/add3.out'"
check "keywords are found in the text" jqe '.keywords | test("人工智能")' <("$WY_BIN" --data "$data" info "$ai" --json)

# The site.
port=$(free_port)
WENYUAN_SERVE_FLUSH_MS=50 "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
base=http://127.0.0.1:$port
check "serve answers" wait_http "$base/healthz"
curl -s "$base/search?q=%E8%93%9D%E9%B2%B8" > "$d/results.html"   # 蓝鲸
curl -s "$base/api/v1/search?q=%E8%93%9D%E9%B2%B8" > "$d/whale_api.json"
# which of the two near-duplicates is shown (the best-ranked), which folded in
kept=$(jq '.results[0].id' "$d/whale_api.json")
other=$(jq '.results[0].similar[0]' "$d/whale_api.json")
check "the JSON twin folds the near-duplicate into one result, \"similar\" naming it" \
	jqe --argjson ai "$ai" --argjson c "$copy" \
	'.total == 1 and (.results | length) == 1 and ([.results[0].id] + .results[0].similar | sort) == ([$ai, $c] | sort)' "$d/whale_api.json"
check "the results page marks the hit" grep -q '<mark>蓝鲸</mark>' "$d/results.html"
check "a hit links to its page of the preview, with the query" \
	grep -qE "href=\"/doc/$kept\\?q=%E8%93%9D%E9%B2%B8&amp;from=[0-9a-f]{16}#p$whale_page\"" "$d/results.html"
check "the results page shows the pair once, the other under 另有 1 份相似文档" \
	bash -c "[ \$(grep -c 'class=\"result' '$d/results.html') = 1 ] && grep -q '<summary>另有 1 份相似文档</summary>' '$d/results.html' &&
		grep -qE 'href=\"/doc/$other\\?q=%E8%93%9D%E9%B2%B8&amp;from=[0-9a-f]{16}\"' '$d/results.html'"
curl -s "$base/api/v1/search?q=%E7%BA%A2%E7%83%A7&limit=5" > "$d/api.json"
check "the JSON twin finds the same" jqe --argjson c "$cook" '.results[0].id == $c and .total == 1' "$d/api.json"
check "a category filter leaves out documents filed elsewhere" \
	jqe '.total == 0' <(curl -s "$base/api/v1/search?q=%E7%BA%A2%E7%83%A7&category=%E8%AE%BA%E6%96%87")
check "the results page offers the category tree as a filter" grep -q '<option value="资格与职业考试/公务员考试">' "$d/results.html"
curl -s "$base/api/v1/doc/$ai/search?q=%E9%B2%B8" > "$d/in.json"
check "in-document search names the page" jqe --argjson p "$whale_page" '.pages[0].page == $p' "$d/in.json"
check "and gives the hit's rectangle on the page image" \
	jqe '.pages[0].hits[0].rects[0] | length == 4 and .[0] < .[2] and .[1] < .[3] and .[0] >= 0 and .[3] <= 1' "$d/in.json"
check "an unknown document's search is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/doc/99999/search?q=a")" = 404 ]

# Hostile queries: answered, never an error.
junk_ok=true
for q in '%22' '%22%22%22' '-' '*' 'NEAR(a%20b)' 'a%20OR' 'AND' 'NOT%20a' '(' ')' '%5E' 'body:%E9%B2%B8' \
	"%27%3B%20DROP%20TABLE%20pages%3B--" '%00' '%E9%B2' '%FF%FE' "$(head -c 3000 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')"; do
	for path in /search /api/v1/search; do
		c=$(curl -s -o "$d/junk.out" -w '%{http_code}' "$base$path?q=$q")
		if [ "$c" != 200 ]; then junk_ok=false; echo "# $path?q=${q:0:40} -> $c"; fi
	done
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/doc/$ai/search?q=$q")" = 200 ] || junk_ok=false
done
check "FTS operators, quotes, NUL bytes and 3 KB of junk all get 200" $junk_ok
check "the server still answers" wait_http "$base/healthz"

# Related searches: two visitors (two addresses) searched 蓝鲸 and opened
# the document from the results; the query log is written every
# serve_flush_ms (50 ms here).
link=$(grep -o "href=\"/doc/$kept?q=[^\"#]*\"" "$d/results.html" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
curl -s -o /dev/null "$base$link"
curl -s -o /dev/null --interface 127.0.0.2 "$base$link"
related_ok=false
for _ in $(seq 100); do
	curl -s "$base/doc/$kept?lang=zh" > "$d/doc.html"
	grep -q 'href="/search?q=%E8%93%9D%E9%B2%B8"' "$d/doc.html" && related_ok=true && break
	sleep 0.2
done
check "the document page lists the query as a related search" $related_ok
check "the document page shows the near-duplicate note" grep -q "href=\"/doc/$ai\"" <(curl -s "$base/doc/$copy")
kill $spid; wait $spid 2>/dev/null || true

# Rebuild the index: the same answers.
check "reindex succeeds" "$WY_BIN" --data "$data" reindex
check "after reindex, one character still finds its page" \
	jqe --argjson ai "$ai" --argjson p "$whale_page" "$ai_result | .hit_pages[0].page == \$p" <(s 鲸)
check "after reindex, Traditional still finds Simplified" [ "$(ids 创新发展)" = "[$trad]" ]
finish

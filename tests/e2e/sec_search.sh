#!/usr/bin/env bash
# Issue 12, as the attacker tried it on a site that previews 3 pages: what
# search shows of the pages past the preview (to a visitor, to another
# user, and to the owner and admins), related searches planted with a
# request, downloads counted by HEAD or repeated GETs, and the document
# list's total. A second visitor is a second loopback address
# (curl --interface 127.0.0.2).
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null

serve_site WENYUAN_PREVIEW_PAGES=3 WENYUAN_POINTS_UPLOAD=0
other=(--interface 127.0.0.2)
check "a second visitor can come from 127.0.0.2" curl -fsS -o /dev/null "${other[@]}" "$base/healthz"

# until COMMAND... succeeds (at most 20 s): for what the server writes
# once a second (counts, the query log)
eventually() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
# search [curl args...] QUERY: the API's results for QUERY
search() { local q=${*: -1}; curl -fsS "${@:1:$#-1}" -G "$base/api/v1/search" --data-urlencode "q=$q"; }
search_page() { local q=${*: -1}; curl -fsS "${@:1:$#-1}" -G "$base/search" --data-urlencode "q=$q"; }

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
check "the owner, another user and the admin have tokens" eval '[ ${#alice} -eq 64 ] && [ ${#bob} -eq 64 ] && [ ${#boss} -eq 64 ]'

# 19 pages of 44 lines: 双页词 on page 2 and on page 14, which alone
# holds 鸾凤 and the sentence around it
{
	for i in $(seq 800); do
		case $i in
		60) echo "前面一页也有双页词。" ;;
		590) echo "隐秘甲鸾凤和鸣机密内容乙，双页词在此。" ;;
		*) echo "正文第${i}行，文渊阁藏书。" ;;
		esac
	done
} > "$d/long.txt"
vid=$(upload "$alice" "$d/long.txt" -F 'title=多页保密文档')
check "the long document is converted" wait_ready "$vid" "$alice"
secret_page=$(curl -fsS -H "Authorization: Bearer $alice" -G "$base/api/v1/doc/$vid/search" --data-urlencode q=鸾凤 | jq '.pages[0].page')
early_page=$(curl -fsS -H "Authorization: Bearer $alice" -G "$base/api/v1/doc/$vid/search" --data-urlencode q=双页词 | jq '.pages[0].page')
echo "# 鸾凤 is on page $secret_page of $(curl -fsS "$base/api/v1/doc/$vid" | jq .pages); 双页词 first on page $early_page"
check "the unique word is past the preview of 3 pages, the shared one within it" \
	bash -c "[ '$secret_page' -gt 3 ] && [ '$early_page' -le 3 ]"

# ---- finding: search shows text past the preview ----
F1="finding: search shows text past the preview"
for who in visitor bob; do
	auth=()
	[ $who = bob ] && auth=(-H "Authorization: Bearer $bob")
	search "${auth[@]}" 鸾凤 > "$d/$who.json"
	search_page "${auth[@]}" 鸾凤 > "$d/$who.html"
	search "${auth[@]}" 双页词 > "$d/$who-both.json"
	search_page "${auth[@]}" 双页词 > "$d/$who-both.html"
	check "$F1: $who: a word on page $secret_page still finds the document" \
		jqe --argjson id "$vid" '[.results[].id] | index($id) != null' "$d/$who.json"
	check "$F1: $who: the API gives no text from page $secret_page" \
		bash -c "! grep -q '机密内容乙\|隐秘甲\|和鸣' '$d/$who.json' '$d/$who-both.json'"
	check "$F1: $who: the API names no hit page past the preview" \
		jqe --argjson id "$vid" '[.results[] | select(.id == $id) | .hit_pages[].page] | all(. <= 3)' "$d/$who.json" "$d/$who-both.json"
	check "$F1: $who: a word on pages $early_page and $secret_page: the API names page $early_page alone" \
		jqe --argjson id "$vid" --argjson p "$early_page" '.results[] | select(.id == $id) | [.hit_pages[].page] == [$p] and .matching_pages == 1' "$d/$who-both.json"
	check "$F1: $who: instead, the API gives a snippet from the preview (page 1)" \
		jqe --argjson id "$vid" '.results[] | select(.id == $id) | .hit_pages == [] and (.summary.segments | map(.text) | join("") | test("正文第1行"))' "$d/$who.json"
	check "$F1: $who: the results page shows no text from page $secret_page" \
		bash -c "! grep -q '机密内容乙\|隐秘甲\|和鸣' '$d/$who.html' '$d/$who-both.html'"
	check "$F1: $who: the results page has no link or page number past the preview" \
		bash -c "! grep -q '#p$secret_page\"\|第${secret_page}页\|>$secret_page</a>' '$d/$who.html' '$d/$who-both.html'"
	check "$F1: $who: the results page lists the document with a snippet from the preview" \
		bash -c "grep -q '/doc/$vid?q=' '$d/$who.html' && grep -q '正文第1行' '$d/$who.html'"
done
for who in alice boss; do
	tok=$alice
	[ $who = boss ] && tok=$boss
	search -H "Authorization: Bearer $tok" 鸾凤 > "$d/$who.json"
	search_page -H "Authorization: Bearer $tok" 鸾凤 > "$d/$who.html"
	check "$F1: $who ($([ $who = boss ] && echo admin || echo owner)) still gets the hit on page $secret_page and its text" \
		jqe --argjson id "$vid" --argjson p "$secret_page" \
		'.results[] | select(.id == $id) | .hit_pages[0].page == $p and (.hit_pages[0].snippet.segments | map(.text) | join("") | test("机密内容乙"))' "$d/$who.json"
	check "$F1: $who: and on the results page, with its link" \
		bash -c "grep -q '机密内容乙' '$d/$who.html' && grep -q '#p$secret_page\"' '$d/$who.html'"
done
check "$F1: the operator's command line still shows every page" \
	jqe --argjson id "$vid" --argjson p "$secret_page" '.results[] | select(.id == $id) | .hit_pages[0].page == $p' \
	<("$WY_BIN" --data "$data" search 鸾凤 --json)

# ---- finding: related searches planted with a request ----
F2="finding: related searches planted by one request"
related() { curl -fsS "$base/doc/$vid?lang=zh" > "$d/docpage.html"; sed -n '/<h2>相关搜索<\/h2>/,/<\/section>/p' "$d/docpage.html"; }
# the href of the document's result on a results page (HTML-unescaped)
result_link() { search_page "$@" | grep -o "href=\"/doc/$vid?q=[^\"#]*\"" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g'; }
# any text, typed into the address: once from here, once from a second address
curl -fsS -o /dev/null -G "$base/doc/$vid" --data-urlencode 'q=加微信买答案'
curl -fsS -o /dev/null "${other[@]}" -G "$base/doc/$vid" --data-urlencode 'q=加微信买答案'
# a real result of the site's search, opened three times by one visitor
link=$(result_link 鸾凤)
check "the results page links to the document with the query" [ -n "$link" ]
for _ in 1 2 3; do curl -fsS -o /dev/null "$base$link"; done
# a real result of a query with an excluded word (any text the document
# lacks), opened by two visitors
link3=$(result_link "前面一页 -刷单返现")
check "the results page links to the document for a query with an excluded word" [ -n "$link3" ]
curl -fsS -o /dev/null "$base$link3"
curl -fsS -o /dev/null "${other[@]}" "$base$link3"
# and what counts: a result opened by two visitors (a query that is not one
# of the document's keywords, which are related searches of their own)
good=前面一页
check "the query that counts is not one of the document's keywords" \
	jqe --arg q "$good" '(.keywords // "") | split(" ") | index($q) == null' <(curl -fsS "$base/api/v1/doc/$vid")
link2=$(result_link "$good")
curl -fsS -o /dev/null "$base$link2"
curl -fsS -o /dev/null "${other[@]}" "$base$link2"
check "a query two visitors opened the document from is a related search" \
	eventually bash -c "curl -fsS '$base/doc/$vid?lang=zh' | grep -q 'href=\"/search?q=$(jq -rn --arg q "$good" '$q | @uri')\"'"
# (the query log is written in order: the ones before it are written too)
related > "$d/related.html"
echo "# related searches: $(grep -o 'class="tag"[^>]*>[^<]*' "$d/related.html" | sed 's/.*>//' | tr '\n' ' ')"
check "the page's related searches hold it" grep -q ">$good</a>" "$d/related.html"
check "$F2: text typed into /doc/$vid?q= is not on the public page" lacks '加微信买答案' "$d/related.html"
check "$F2: nor a search opened three times by one visitor" lacks '鸾凤' "$d/related.html"
check "$F2: nor a word excluded from a search two visitors opened it from" lacks '刷单返现' "$d/related.html"

# ---- finding: HEAD counts as a download ----
F3="finding: HEAD and repeated GETs count as downloads"
printf '计数用的另一份文档。%s\n' "$(date +%N)" > "$d/marker.txt"
mid=$(upload "$alice" "$d/marker.txt" -F 'title=计数标记')
check "a second document is converted" wait_ready "$mid" "$alice"
downloads() { curl -fsS "$base/api/v1/doc/$1" | jq .downloads; }
for _ in $(seq 50); do curl -fsS -o /dev/null -I "$base/download/$vid"; done
for _ in $(seq 5); do curl -fsS -L -o /dev/null "$base/download/$vid"; done
curl -fsS -L -o /dev/null -r 100- "$base/download/$vid"
# counts are written once a second, in one go: once the later download of
# the marker is written, so are the ones above
curl -fsS -L -o /dev/null "$base/download/$mid"
check "the marker's download is counted" eventually bash -c "[ \$(curl -fsS '$base/api/v1/doc/$mid' | jq .downloads) -ge 1 ]"
n=$(downloads "$vid")
check "$F3: 50 HEADs, 5 GETs and a range request from one visitor count once (counted $n)" [ "$n" = 1 ]
for _ in 1 2; do curl -fsS -o /dev/null -H "Authorization: Bearer $bob" "$base/download/$vid"; done
curl -fsS -L -o /dev/null "${other[@]}" "$base/download/$vid"
curl -fsS -o /dev/null -H "Authorization: Bearer $bob" "$base/download/$mid"
check "the marker's second visitor is counted" eventually bash -c "[ \$(curl -fsS '$base/api/v1/doc/$mid' | jq .downloads) -ge 2 ]"
n=$(downloads "$vid")
check "$F3: a signed-in user (twice) and a second address add one each (counted $n)" [ "$n" = 3 ]

# ---- finding: the document list's total counts what the caller cannot list ----
F4="finding: /api/v1/documents total counts private, hidden and deleted documents"
for what in private hidden deleted; do printf '%s的文档。%s\n' "$what" "$(date +%N)" > "$d/$what.txt"; done
pid=$(upload "$alice" "$d/private.txt" -F private=1)
hid=$(upload "$alice" "$d/hidden.txt")
did=$(upload "$alice" "$d/deleted.txt")
for id in "$pid" "$hid" "$did"; do wait_ready "$id" "$alice"; done
check "an admin hides one and deletes another" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$hid -d action=hide) = 200 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$did -d action=delete) = 200 ]"
for who in visitor bob alice boss; do
	auth=()
	case $who in bob) auth=(-H "Authorization: Bearer $bob") ;; alice) auth=(-H "Authorization: Bearer $alice") ;; boss) auth=(-H "Authorization: Bearer $boss") ;; esac
	curl -fsS "${auth[@]}" "$base/api/v1/documents?limit=100" > "$d/docs-$who.json"
	check "$F4: $who: total is the number of documents listed ($(jq -c '[.total, (.documents | length)]' "$d/docs-$who.json"))" \
		jqe '.total == (.documents | length)' "$d/docs-$who.json"
	total=$(jq .total "$d/docs-$who.json")
	full=1
	for off in $(seq 0 $((total - 1))); do
		[ "$(curl -fsS "${auth[@]}" "$base/api/v1/documents?limit=1&offset=$off" | jq '.documents | length')" = 1 ] || full=0
	done
	check "$F4: $who: each of the $total pages of one document holds one" [ $full = 1 ]
done
check "$F4: visitors count the public documents alone" \
	jqe --argjson p "$pid" --argjson h "$hid" --argjson x "$did" \
	'.total == 2 and ([.documents[].id] | index($p) == null and index($h) == null and index($x) == null)' "$d/docs-visitor.json"
check "$F4: the owner counts her private and hidden ones too, not the deleted one" \
	jqe --argjson x "$did" '.total == 4 and ([.documents[].id] | index($x) == null)' "$d/docs-alice.json"
check "$F4: an admin counts all" jqe '.total == 5' "$d/docs-boss.json"
check "no request crashed the server" wait_http "$base/healthz"
finish

#!/usr/bin/env bash
# GET /api/v1/doc/{id}/layout, the printed lines of a page and their boxes
# (the document page's text layer): a readable page's lines hold its text,
# one per printed line, each in its box; a visitor gets nothing past the
# preview, an admin every page; a private document is 404 to others.
source "$(dirname "$0")/lib.bash"
new_library
jqt() { jq -e "$@" > /dev/null; } # jqt FILTER FILE: the filter holds for the JSON in FILE

# a title and 200 short lines: four pages and more, a printed line each
{
	echo "版面测试的标题"
	for i in $(seq 200); do echo "第${i}行：版面接口把每一行文字和它在页面上的位置交给阅读器。"; done
} > "$d/lines.txt"
"$WY_BIN" --data "$data" add --title 版面测试 "$d/lines.txt" > "$d/add.out"
id=$(awk '/^ready/ {print $2}' "$d/add.out")
check "the document is added" test -n "$id"
pages=$("$WY_BIN" --data "$data" info "$id" --json | jq .pages)
check "it has four pages or more ($pages)" test "$pages" -ge 4
echo layout-admin | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_PREVIEW_PAGES=2

curl -fsS "$base/api/v1/doc/$id/layout?from=1&count=1" > "$d/l1.json"
curl -fsS "$base/api/v1/doc/$id/pages?from=1&count=1" > "$d/p1.json"
check "one page asked, one page given" test "$(jq '.items | length' "$d/l1.json")" = 1
check "the answer names the document and the page" test "$(jq -r '"\(.id) \(.items[0].page)"' "$d/l1.json")" = "$id 1"
n1=$(jq '.items[0].lines | length' "$d/l1.json")
check "the first page has many lines ($n1)" test "$n1" -ge 20
check "the first line is the title" test "$(jq -r '.items[0].lines[0].text' "$d/l1.json")" = "版面测试的标题"
check "each printed line is one line of the file, in order" \
	jqt '[.items[0].lines[1:] | to_entries[] | .value.text == "第\(.key + 1)行：版面接口把每一行文字和它在页面上的位置交给阅读器。"] | all' "$d/l1.json"
check "every box lies on the page, its corners in order" \
	jqt '[.items[0].lines[].box | .[0] < .[2] and .[1] < .[3] and .[0] >= 0 and .[3] <= 65535] | all' "$d/l1.json"
check "lines go down the page" \
	jqt '[.items[0].lines[].box[1]] as $y | [range(1; $y | length) | $y[.] > $y[. - 1]] | all' "$d/l1.json"
check "lines of one width start at one left margin" \
	jqt '[.items[0].lines[1:][].box[0]] | unique | length == 1' "$d/l1.json"
# the lines together are the page's text (spaces and line breaks aside)
lines=$(jq -r '[.items[0].lines[].text] | join("")' "$d/l1.json" | tr -d ' \n')
text=$(jq -r '.items[0].text' "$d/p1.json" | tr -d ' \n')
check "the lines hold the page's text" test "$lines" = "$text"

check "a visitor gets the preview's pages only" \
	test "$(curl -fsS "$base/api/v1/doc/$id/layout?from=1&count=10" | jq -c '[.items[].page]')" = "[1,2]"
check "nothing past the preview for a visitor" \
	test "$(curl -fsS "$base/api/v1/doc/$id/layout?from=3&count=2" | jq '.items | length')" = 0
admin=$(api_login boss layout-admin)
check "an admin reads every page's layout" \
	test "$(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/doc/$id/layout?from=3&count=2" | jq -c '[.items[] | .page, (.lines | length > 0)]')" = "[3,true,4,true]"
check "at most ten pages an answer" \
	test "$(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/doc/$id/layout?from=1&count=99" | jq '.items | length')" = "$((pages < 10 ? pages : 10))"
check "no such document: 404" test "$(code "$base/api/v1/doc/999999/layout")" = 404
check "a bad page number: the first page" \
	test "$(curl -fsS "$base/api/v1/doc/$id/layout?from=x&count=1" | jq '.items[0].page')" = 1

# a private document: its owner reads it, nobody else sees it
alice=$(register alice alice-layout)
printf '私人笔记\n只给自己看的一行字。\n' > "$d/private.txt"
priv=$(upload "$alice" "$d/private.txt" -F private=1)
check "the private document converts" wait_ready "$priv" "$alice"
check "its owner gets its lines" \
	test "$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$priv/layout" | jq -r '.items[0].lines[1].text')" = "只给自己看的一行字。"
check "a visitor gets 404" test "$(code "$base/api/v1/doc/$priv/layout")" = 404
bob=$(register bob bob-layout)
check "another user gets 404" test "$(code -H "Authorization: Bearer $bob" "$base/api/v1/doc/$priv/layout")" = 404
finish

#!/usr/bin/env bash
# The document page as signed-in readers get it (src/web/doc.c
# reader_page: rendered once for a document, language and what
# web_doc_viewer answers, kept by keep.c's rule, the reader's name, CSRF
# token and points filled in per request): every reader sees their own
# header, token and state, asked for many times in turn (so the page is
# kept), and right after a change (a favourite, a payment, a logout).
# Two readers (bob, carol), the owner (alice), an admin (boss), a visitor.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
"$WY_BIN" --data "$data" category add 测试/缓存 > /dev/null
serve_site WENYUAN_PREVIEW_PAGES=3 --no-worker

alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
carol=$(register carol carolpass1)
boss=$(api_login boss bosspass123)
for i in $(seq 200); do echo "读者页缓存 第${i}行，文渊阁藏书。"; done > "$d/a.txt"
A=$(curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F category=测试/缓存 -F price=5 \
	-F "file=@$d/a.txt" | jq -r '.documents[0].id')
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "the document is ready" [ "$(curl -fsS "$base/api/v1/doc/$A" | jq -r .status)" = ready ]

csrf() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq -r .csrf; }
page() { curl -fsS -b "wy_s=$1" "$base/doc/$A"; }
bcsrf=$(csrf "$bob")
ccsrf=$(csrf "$carol")
# mine TOKEN NAME CSRF: the page, asked 5 times, is that reader's each time
mine() {
	local p ok=0
	for _ in 1 2 3 4 5; do
		p=$(page "$1")
		grep -q "class=\"myname\">$2</a>" <<< "$p" && grep -q "value=\"$3\"" <<< "$p" || ok=1
		for other in bob carol alice boss; do
			[ "$other" = "$2" ] || ! grep -q "class=\"myname\">$other</a>" <<< "$p" || ok=1
		done
		for t in "$bcsrf" "$ccsrf"; do [ "$t" = "$3" ] || ! grep -q "$t" <<< "$p" || ok=1; done
		! grep -q 'wy[0-9a-f]\{16\}[NCPS]' <<< "$p" || ok=1 # no mark left unfilled
	done
	return $ok
}
for round in 1 2; do
	check "round $round: bob's page is bob's (name, token)" mine "$bob" bob "$bcsrf"
	check "round $round: carol's page is carol's" mine "$carol" carol "$ccsrf"
done
check "bob sees his points (10) on the reward form" grep -q '我的积分 10' <<< "$(page "$bob")"
check "neither has favourited" bash -c "! grep -q 'act fav on' <<< \"\$1\" && ! grep -q 'act fav on' <<< \"\$2\"" _ \
	"$(page "$bob")" "$(page "$carol")"
check "bob favourites it" [ "$(curl -fsS -X POST -H "Authorization: Bearer $bob" "$base/api/v1/doc/$A/favorite" -d on=1 |
	jq -r .faved)" = true ]
check "bob's next page shows it favourited" grep -q 'act fav on' <<< "$(page "$bob")"
check "carol's does not" bash -c "! grep -q 'act fav on' <<< \"\$1\"" _ "$(page "$carol")"
check "carol's page offers the download for 5 points" grep -q '支付5积分并下载' <<< "$(page "$carol")"
check "bob pays for the download" [ "$(code -X POST -H "Authorization: Bearer $bob" "$base/api/v1/download/$A")" = 200 ]
check "bob's next page: paid, 5 points left" bash -c "grep -q 'class=\"price paid\"' <<< \"\$1\" && grep -q '我的积分 5' <<< \"\$1\"" _ \
	"$(page "$bob")"
check "carol's: not paid, still 10 points" bash -c "! grep -q 'class=\"price paid\"' <<< \"\$1\" && grep -q '我的积分：10' <<< \"\$1\"" _ \
	"$(page "$carol")"
check "after the change, each page is still its reader's" mine "$bob" bob "$bcsrf"
check "... carol's too" mine "$carol" carol "$ccsrf"
acsrf=$(csrf "$alice")
check "alice, the owner, gets her own page" mine "$alice" alice "$acsrf"
check "... without the reward form (her own document)" grep -q '这是你上传的文档' <<< "$(page "$alice")"
check "boss, an admin, gets his, with the admin's buttons" bash -c "grep -q 'class=\"myname\">boss</a>' <<< \"\$1\" && grep -q 'class=\"inline moderate\"' <<< \"\$1\"" _ \
	"$(page "$boss")"
check "bob's page has no admin buttons" bash -c "! grep -q 'class=\"inline moderate\"' <<< \"\$1\"" _ "$(page "$bob")"
v=$(curl -fsS "$base/doc/$A")
check "a visitor's page names no one and holds no reader's token" bash -c \
	"! grep -q 'class=\"myname\"' <<< \"\$1\" && ! grep -q '$bcsrf' <<< \"\$1\" && ! grep -q '$ccsrf' <<< \"\$1\" && grep -q 'href=\"/login\"' <<< \"\$1\"" _ "$v"
check "bob logs out" [ "$(code -X POST -H "Authorization: Bearer $bob" "$base/api/v1/logout")" = 200 ]
check "logged out: bob's cookie gets a visitor's page" bash -c "! grep -q 'class=\"myname\"' <<< \"\$1\" && ! grep -q '$bcsrf' <<< \"\$1\"" _ \
	"$(page "$bob")"
check "carol's page is still carol's" mine "$carol" carol "$ccsrf"
finish

#!/usr/bin/env bash
# Issue 21: a document that is not ready (queued, converting, failed) is
# its owner's and the admins' alone. Alice uploads, priced 20, a text that
# converts (R), bytes named .pdf that fail (F), one left queued (Q: the
# server runs no worker) and one whose pages and index entries exist but
# whose conversion then failed (X). For a visitor and for bob, F, Q and X
# are absent from every list (home, category and its count, search strict
# and relaxed with its suggestion, related and you-may-like, the API's
# document list), their page, JSON, pages, search, QR, page images,
# thumbnail and download are 404, and bob paying for or rewarding them
# leaves the ledger as it was; alice and the admin see them. Then the
# download's name (TITLE.EXT, RFC 6266/5987, a hostile title made safe)
# and paying: a GET of an unpaid priced download goes to the document's
# download block, the first POST pays once (also ten at once), the next
# ones are free and the API says "paid"; short of points, the answer says
# the price, the balance and what is missing, and nothing is paid.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
"$WY_BIN" --data "$data" category add 测试/可见 > /dev/null
settings=(WENYUAN_PREVIEW_PAGES=3 WENYUAN_PAGE_CACHE_MS=0 WENYUAN_POINTS_UPLOAD=0 WENYUAN_POINTS_REGISTER=30
	WENYUAN_POINTS_SIGNIN=0)
serve_site "${settings[@]}" --no-worker
db=$data/wenyuan.db

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
carol=$(register carol carolpass1)
dave=$(register dave davepass12)

# up FILE PRICE [curl -F args...]: alice uploads FILE to 测试/可见 at that
# price; the new document's id
up() {
	local f=$1 price=$2; shift 2
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F category=测试/可见 -F "price=$price" "$@" \
		-F "file=@$f" | jq -r '.documents[0].id'
}
lines() { for i in $(seq 330); do echo "$1 第${i}行，文渊阁藏书。"; done; }
lines '敦煌遗书词' > "$d/r.txt"
lines '龟兹壁画词' > "$d/x.txt"
lines '高昌古城词' > "$d/q.txt"
lines '楼兰简牍词' > "$d/p.txt"
(printf '%%PDF-1.4\n'; head -c 20000 /dev/urandom) > "$d/broken.pdf"
R=$(up "$d/r.txt" 20 -F title=年度报告（终稿）)
X=$(up "$d/x.txt" 20 -F title=龟兹壁画考)
F=$(up "$d/broken.pdf" 20 -F title=失败的上传)
P=$(up "$d/p.txt" 50)
# the worker, once, with the server's settings (no upload points)
env "${settings[@]}" "$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
status() { curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$1" | jq -r .status; }
check "R, X and P are ready, F failed" [ "$(status "$R") $(status "$X") $(status "$P") $(status "$F")" = "ready ready ready failed" ]
Q=$(up "$d/q.txt" 20 -F title=高昌古城)
check "Q stays queued (no worker)" [ "$(status "$Q")" = queued ]

# X's page image and thumbnail, while ready; the lists show it then (so
# the checks below would see a leak)
ximg=$(curl -fsS "$base/api/v1/doc/$X/pages" | jq -r '.items[0].image')
xthumb=$(curl -fsS "$base/api/v1/doc/$X" | jq -r .thumbnail)
check "X has a page image and a thumbnail" bash -c "[[ '$ximg' == /blob/* && '$xthumb' == /blob/* ]]"
check "ready, X is found by a visitor's search" bash -c \
	"curl -fsS -G '$base/api/v1/search' --data-urlencode q=龟兹壁画词 | jq -e '[.results[].id] | index($X) != null' >/dev/null"
check "ready, X is related to R" bash -c "curl -fsS '$base/doc/$R' | grep -q 'href=\"/doc/$X\"'"
# then its conversion fails (as a reconversion that fails leaves it:
# pages, thumbnail and index entries still stored)
sqlite3 "$db" "UPDATE documents SET status = 3, reason = 'cannot open the PDF' WHERE id = $X"
check "X is failed now" [ "$(status "$X")" = failed ]

declare -A auth=([visitor]="" [bob]="$bob" [alice]="$alice" [boss]="$boss")
as() { local t=${auth[$1]}; shift; if [ -n "$t" ]; then curl -s -H "Authorization: Bearer $t" "$@"; else curl -s "$@"; fi; }
as_code() { as "$1" -o /dev/null -w '%{http_code}' "${@:2}"; }
is() { [ "$1" = "$2" ] || { echo "# got $1, want $2"; return 1; }; }
# has JSON-FILE ID: some "id" anywhere in it is ID; hasnt: none is (a
# file that is not JSON fails both)
ids_in() { jq -c '[.. | objects | .id? | select(. != null)]' "$1"; }
has() { local a; a=$(ids_in "$1") && jq -e --argjson n "$2" 'index($n) != null' <<<"$a" > /dev/null; }
hasnt() { local a; a=$(ids_in "$1") && jq -e --argjson n "$2" 'index($n) == null' <<<"$a" > /dev/null; }
# no_x JSON-FILE: a search answer with nothing of X: no result, no
# suggestion of its title
no_qf() { hasnt "$1" "$Q" && hasnt "$1" "$F"; }
no_x() { hasnt "$1" "$X" && jq -e '.suggest == null or (.suggest.query | contains("龟兹壁画考") | not)' "$1" > /dev/null; }
ledger() { sqlite3 "$db" "SELECT count(*) || ' ' || coalesce(sum(delta), 0) FROM ledger"; }

declare -A name=([$F]=F [$Q]=Q [$X]=X)
for who in visitor bob alice boss; do
	as "$who" "$base/api/v1/home" > "$d/home.json"
	as "$who" "$base/api/v1/category/测试/可见" > "$d/cat.json"
	as "$who" "$base/api/v1/documents?limit=100" > "$d/docs.json"
	as "$who" "$base/doc/$R" > "$d/r.html"
	check "$who: R is listed on the home page and in its category (the lists answer)" \
		bash -c "jq -e '[.newest[].id] | index($R) != null' '$d/home.json' >/dev/null &&
			jq -e '[.documents[].id] | index($R) != null' '$d/cat.json' >/dev/null"
	check "$who: the category counts R and P alone" is "$(as "$who" "$base/api/v1/categories" |
		jq '.categories[] | select(.path == "测试/可见") | .documents')" 2
	for n in $F $Q $X; do
		k=${name[$n]}
		check "$who, $k: not on the home page (newest, popular, all)" hasnt "$d/home.json" "$n"
		check "$who, $k: not in its category" hasnt "$d/cat.json" "$n"
		check "$who, $k: not related to R nor liked with it" bash -c "! grep -q 'href=\"/doc/$n\"' '$d/r.html'"
		if [ "$who" = alice ] || [ "$who" = boss ]; then want=200; else want=404; fi
		check "$who, $k: its page" is "$(as_code "$who" "$base/doc/$n")" $want
		check "$who, $k: its JSON" is "$(as_code "$who" "$base/api/v1/doc/$n")" $want
		check "$who, $k: its pages API" is "$(as_code "$who" "$base/api/v1/doc/$n/pages")" $want
		check "$who, $k: its in-document search" is "$(as_code "$who" "$base/api/v1/doc/$n/search?q=x")" $want
		check "$who, $k: its QR code" is "$(as_code "$who" "$base/doc/$n/qr.svg")" $want
		check "$who, $k: its download" is "$(as_code "$who" "$base/download/$n")" $want
		if [ $want = 200 ]; then
			check "$who, $k: in the API's document list" has "$d/docs.json" "$n"
		else
			check "$who, $k: not in the API's document list" hasnt "$d/docs.json" "$n"
		fi
	done
	check "$who, X: its page image" is "$(as_code "$who" "$base$ximg")" "$([ $who = alice ] || [ $who = boss ] && echo 200 || echo 404)"
	check "$who, X: its thumbnail" is "$(as_code "$who" "$base$xthumb")" "$([ $who = alice ] || [ $who = boss ] && echo 200 || echo 404)"
	# search: strict (its word, its title) and relaxed (half the terms),
	# and no suggestion of its title; R is found the same ways
	for q in 龟兹壁画词 龟兹壁画考 '龟兹壁画 黄河长江' '龟兹壁画词 甲乙丙丁戊己庚辛'; do
		as "$who" -G "$base/api/v1/search" --data-urlencode "q=$q" > "$d/s.json"
		check "$who: search for '$q' shows nothing of X, nor suggests its title" no_x "$d/s.json"
		as "$who" -G "$base/search" --data-urlencode "q=$q" > "$d/s.html"
		check "$who: the search page for '$q' neither" bash -c "! grep -q 'href=\"/doc/$X[?\"#]' '$d/s.html'"
	done
	for q in 高昌古城词 失败的上传; do
		as "$who" -G "$base/api/v1/search" --data-urlencode "q=$q" > "$d/s.json"
		check "$who: search for '$q' shows neither Q nor F" no_qf "$d/s.json"
	done
	as "$who" -G "$base/api/v1/search" --data-urlencode 'q=敦煌遗书 黄河长江' > "$d/s.json"
	check "$who: R is found by a relaxed search (the check above can fail)" has "$d/s.json" "$R"
done
check "alice's uploads list F, Q and X" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me/uploads' |
	jq -e '[.documents[].id] | (index($F) != null and index($Q) != null and index($X) != null)' >/dev/null"

# ---- bob pays for, rewards, favorites them: nothing moves ----
before=$(ledger)
for n in $F $Q $X; do
	k=${name[$n]}
	check "bob, $k: paying through the API is 404" is "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/download/$n")" 404
	check "bob, $k: paying through the page is 404" is "$(code -H "Authorization: Bearer $bob" -X POST "$base/download/$n")" 404
	check "bob, $k: a reward is 404" is "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$n/reward" -d points=5)" 404
	check "bob, $k: a favorite is 404" is "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$n/favorite")" 404
done
check "the ledger is as it was" is "$(ledger)" "$before"
check "bob still has his 30 points" is "$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/me" | jq .user.points)" 30
check "no download of them is recorded for bob" is "$(sqlite3 "$db" "SELECT count(*) FROM downloads w JOIN users u ON u.id = w.user_id WHERE u.name = 'bob' AND w.doc_id IN ($F, $Q, $X)")" 0

# ---- the download's name ----
hdr() { curl -s -D - -o /dev/null "$@" | tr -d '\r' | grep -i '^content-disposition:'; }
alice_hdr=$(hdr -H "Authorization: Bearer $alice" "$base/download/$R")
check "R downloads as its title with the original's extension (RFC 5987)" \
	grep -qF "filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.txt" <<<"$alice_hdr"
check "... with an ASCII fallback (RFC 6266)" grep -qF 'attachment; filename="document.txt";' <<<"$alice_hdr"
# a hostile title, as an import's metadata could bring it: quotes, CR LF,
# slashes, a bidirectional override, 400 characters
long=$(printf '很长的标题%.0s' $(seq 80))
sqlite3 "$db" "UPDATE documents SET title = 'a\"b'';c' || char(13, 10) || 'Set-Cookie: x=1 ../..\\evil/' || char(8238) || 'fdp.exe $long' WHERE id = $P"
h=$(hdr -H "Authorization: Bearer $alice" "$base/download/$P")
echo "# $h" | cut -c1-300
curl -s -D "$d/p.h" -o /dev/null -H "Authorization: Bearer $alice" "$base/download/$P"
check "a hostile title: one header line, no header injected" bash -c \
	"[ \$(grep -ci '^content-disposition:' '$d/p.h') = 1 ] && ! grep -qi '^set-cookie: x=1' '$d/p.h'"
fallback=$(sed -n 's/.*filename="\([^"]*\)";.*/\1/p' <<<"$h")
encoded=$(sed -n "s/.*filename\*=UTF-8''\(.*\)$/\1/p" <<<"$h")
printf '%b' "${encoded//%/\\x}" > "$d/name"
echo "# fallback: $fallback"
echo "# decoded: $(head -c 100 "$d/name")..."
ascii_only() { [ -n "$1" ] && ! LC_ALL=C grep -q '[^ -~]' <<<"$1" && [[ $1 != *'"'* && $1 != *'\'* ]]; }
attr_chars() { [ -n "$1" ] && LC_ALL=C grep -qx '[A-Za-z0-9!#$&+.^_`|~%-]*' <<<"$1"; }
# no slash, backslash, quote, control (a line break too) or override
safe_name() { ! LC_ALL=C grep -qP '[/\\"\x00-\x1f\x7f]|\xe2\x80\xae' "$1" && [ "$(wc -l < "$1")" = 0 ]; }
check "the fallback is printable ASCII without quote or backslash" ascii_only "$fallback"
check "the encoded name holds only RFC 5987 attr-chars and %XX" attr_chars "$encoded"
check "the name has no slash, backslash, quote, control or override left" safe_name "$d/name"
check "the name is valid UTF-8, cut whole, at most 150 bytes and .txt" bash -c \
	"iconv -f UTF-8 -t UTF-8 '$d/name' >/dev/null && [ \$(wc -c < '$d/name') -le 154 ] && [ \"\$(tail -c 4 '$d/name')\" = .txt ]"
check "the title's own text is kept" grep -q '很长的标题' "$d/name"

# ---- paying ----
before=$(ledger)
loc() { curl -s -D - -o /dev/null "$@" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p'; }
check "a visitor's GET of a priced download goes to its download block" is "$(loc "$base/download/$R")" "/doc/$R#download"
check "bob's GET of it, not yet paid, too (303, nothing paid)" is "$(loc -H "Authorization: Bearer $bob" "$base/download/$R")" "/doc/$R#download"
check "the API says bob has not paid" is "$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/doc/$R" | jq .paid)" false
check "a visitor's JSON has no paid" is "$(curl -fsS "$base/api/v1/doc/$R" | jq 'has("paid")')" false
check "the owner's download is free, and the API says so" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/download/$R') = 200 ] &&
	curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$R' | jq -e '.paid == true' >/dev/null"
check "an admin's too" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' '$base/download/$R') = 200 ] &&
	curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/doc/$R' | jq -e '.paid == true' >/dev/null"
check "nothing was paid so far" is "$(ledger)" "$before"
check "bob's POST pays and downloads the file" bash -c \
	"curl -fsS -X POST -H 'Authorization: Bearer $bob' '$base/download/$R' | cmp -s - '$d/r.txt'"
debits() { sqlite3 "$db" "SELECT count(*) || ' ' || coalesce(sum(l.delta), 0) FROM ledger l JOIN users u ON u.id = l.user_id WHERE u.name = '$1' AND l.reason = 'download' AND l.doc_id = $2"; }
check "the ledger shows one debit of 20" is "$(debits bob "$R")" "1 -20"
check "... and alice's sale of 20" is "$(sqlite3 "$db" "SELECT sum(delta) FROM ledger WHERE reason = 'sale' AND doc_id = $R")" 20
check "bob's second POST is free" bash -c "curl -fsS -X POST -H 'Authorization: Bearer $bob' '$base/download/$R' | cmp -s - '$d/r.txt'"
check "bob's GET is free now (200, the file)" bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/download/$R' | cmp -s - '$d/r.txt'"
check "still one debit" is "$(debits bob "$R")" "1 -20"
check "bob has 10 points" is "$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/me" | jq .user.points)" 10
check "the API says bob has paid" is "$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/doc/$R" | jq .paid)" true

# ten POSTs at once by dave: one payment
pids=()
for i in $(seq 10); do
	(curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $dave" "$base/api/v1/download/$R" >> "$d/dave") &
	pids+=($!)
done
wait "${pids[@]}"
check "ten POSTs at once all download" is "$(grep -c '^200$' "$d/dave")" 10
check "... and pay once" is "$(debits dave "$R")" "1 -20"

# short of points: carol (30) and P (50)
before=$(ledger)
code=$(curl -s -o "$d/short.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $carol" "$base/api/v1/download/$P")
check "short of points: 402 through the API" is "$code" 402
check "... saying the price, the balance and what is missing" \
	jqe '.error == "not enough points" and .price == 50 and .points == 30 and .short == 20' "$d/short.json"
code=$(curl -s -o "$d/short.html" -w '%{http_code}' -X POST -H "Authorization: Bearer $carol" "$base/download/$P")
check "the page too (402)" is "$code" 402
check "... in words: 50, 30, 20 missing, how to earn points, back to the download block" bash -c "
	grep -q '下载需要50积分，你现有30积分，还差20积分' '$d/short.html' && grep -q '签到' '$d/short.html' &&
	grep -q 'href=\"/doc/$P#download\"' '$d/short.html'"
code=$(curl -s -o "$d/short-en.html" -w '%{http_code}' -X POST -H "Authorization: Bearer $carol" "$base/download/$P?lang=en")
check "... and in English" bash -c "grep -q '50 points' '$d/short-en.html' && grep -q '30' '$d/short-en.html'"
check "nothing was paid" is "$(ledger)" "$before"
check "carol has not paid P" is "$(curl -fsS -H "Authorization: Bearer $carol" "$base/api/v1/doc/$P" | jq .paid)" false

# the page's form: a session cookie needs its CSRF token
jar=$d/carol.jar
tok=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[0-9a-f]\{64\}"' | head -1 | grep -o '[0-9a-f]\{64\}')
check "carol logs in through the form" is "$(code -c "$jar" -b "$jar" -X POST "$base/login" -d name=carol -d password=carolpass1 -d "csrf=$tok")" 303
tok=$(curl -fsS -b "$jar" "$base/doc/$R" | grep -o 'name="csrf" value="[0-9a-f]\{64\}"' | head -1 | grep -o '[0-9a-f]\{64\}')
check "paying without the form's token is refused (403)" is "$(code -b "$jar" -X POST "$base/download/$R")" 403
check "... and pays nothing" is "$(debits carol "$R")" "0 0"
check "with it, pays and downloads (through a signed link: -L)" bash -c "curl -fsS -L -b '$jar' '$base/download/$R' -d 'csrf=$tok' | cmp -s - '$d/r.txt'"
check "... once" is "$(debits carol "$R")" "1 -20"
finish

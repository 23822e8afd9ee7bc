#!/usr/bin/env bash
# Issue 18, download rules: the daily limits per account and per address
# answer 429 with a clear message (HTML and JSON) and Retry-After, nothing
# recorded past them; two serve processes on one store share them; guests
# are refused with a way to sign in when guest_download=0; a browser's
# download is a signed link that works from its address (with no session
# too), and is refused (403) once expired, altered, or taken to another
# address; a link from another site lands on the document's page.
# The server trusts X-Forwarded-For (trust_proxy=1) so that one test can
# speak from several addresses.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
settings=(WENYUAN_PAGE_CACHE_MS=0 WENYUAN_TRUST_PROXY=1)
serve_site "${settings[@]}" --no-worker
boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
for i in $(seq 200); do echo "边塞诗选 第${i}行：大漠孤烟直，长河落日圆。"; done > "$d/f.txt"
D=$(upload "$alice" "$d/f.txt" -F price=0 -F title=边塞诗选)
# asking again for a document within a link's life is the same download
# (it counts once): the limits are counted over several documents
E=()
for i in $(seq 10); do
	{ cat "$d/f.txt"; echo "附录$i"; } > "$d/e$i.txt"
	E+=("$(upload "$alice" "$d/e$i.txt" -F price=0 -F "title=边塞诗选$i")")
done
env "${settings[@]}" "$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "the document is ready" [ "$(curl -fsS "$base/api/v1/doc/$D" | jq -r .status)" = ready ]

set_site() { curl -fsS -o /dev/null -X POST "$base/api/v1/admin/settings" -H "Authorization: Bearer $boss" "$@"; }
logged() { sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM download_log WHERE $1"; }
# as ADDRESS CURL-ARGS...: a request from that address
as() { local a=$1; shift; curl -s -H "X-Forwarded-For: $a" "$@"; }

# ---- per account ----
set_site -d downloads_per_user_day=2
for i in 1 2; do
	check "alice's download $i (API client: the file)" \
		bash -c "curl -fsS -H 'X-Forwarded-For: 10.0.0.1' -H 'Authorization: Bearer $alice' '$base/download/${E[$i]}' | cmp -s - '$d/e$((i + 1)).txt'"
done
check "asking again for the same one is the same download (200, counted once)" \
	[ "$(as 10.0.0.1 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $alice" "$base/download/${E[2]}")" = 200 ]
c=$(as 10.0.0.1 -D "$d/h" -o "$d/over.html" -w '%{http_code}' -H "Authorization: Bearer $alice" "$base/download/$D")
check "her third in 24 hours is 429" [ "$c" = 429 ]
check "... saying so in Chinese" grep -q '你的账户24小时内的下载次数已达上限' "$d/over.html"
check "... with Retry-After (under a day)" bash -c "ra=\$(grep -i '^retry-after:' '$d/h' | tr -dc 0-9); [ -n \"\$ra\" ] && [ \$ra -gt 0 ] && [ \$ra -le 86400 ]"
c=$(as 10.0.0.1 -o "$d/over.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $alice" "$base/api/v1/download/$D")
check "the JSON twin: 429 with the error and retry_after" \
	bash -c "[ $c = 429 ] && jq -e '.error == \"daily download limit reached\" and .retry_after > 0' '$d/over.json' > /dev/null"
check "the refused ones are not recorded" [ "$(logged "user_id IS NOT NULL")" = 2 ]
check "bob (another account, same address) still downloads" \
	[ "$(as 10.0.0.1 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bob" "$base/download/$D")" = 200 ]
check "an admin has no limit" bash -c "for i in 1 2 3; do [ \$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 10.0.0.1' -H 'Authorization: Bearer $boss' '$base/download/$D') = 200 ] || exit 1; done"

# ---- per address, across accounts and processes ----
set_site -d downloads_per_user_day=0 -d downloads_per_ip_day=3
port2=$(free_port)
env "${settings[@]}" "$WY_BIN" --data "$data" serve --no-worker --listen "127.0.0.1:$port2" > /dev/null 2> "$d/serve2.err" &
spid2=$!
trap 'kill $spid $spid2 2>/dev/null; wait $spid $spid2 2>/dev/null; rm -rf "$d" || true' EXIT
base2=http://127.0.0.1:$port2
check "a second serve process on the same store" wait_http "$base2/healthz"
carol=$(register carol carolpass1)
check "from 10.0.0.2: alice on one process" [ "$(as 10.0.0.2 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $alice" "$base/download/$D")" = 200 ]
check "... bob on the other" [ "$(as 10.0.0.2 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bob" "$base2/download/${E[5]}")" = 200 ]
check "... carol on the first" [ "$(as 10.0.0.2 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $carol" "$base/download/$D")" = 200 ]
c=$(as 10.0.0.2 -D "$d/h2" -o "$d/ip.html" -w '%{http_code}' -H "Authorization: Bearer $carol" "$base2/download/${E[1]}")
check "the address's fourth (carol, second process) is 429" [ "$c" = 429 ]
check "... saying the address's limit" grep -q '你所在的网络地址24小时内的下载次数已达上限' "$d/ip.html"
check "... with Retry-After" grep -qi '^retry-after: [0-9]' "$d/h2"
c=$(as 10.0.0.2 -o /dev/null -w '%{http_code}' "$base/download/$D")
check "a visitor from that address too" [ "$c" = 429 ]
check "another address still downloads" [ "$(as 10.0.0.3 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $carol" "$base/download/$D")" = 200 ]
check "three downloads logged for 10.0.0.2, none refused" [ "$(logged "ip LIKE '%10.0.0.2%'")" = 3 ]
# ten at once from a new address, five through each process: exactly three get through
# (carol: none of these yet)
for i in $(seq 10); do
	b=$base; [ $((i % 2)) = 0 ] && b=$base2
	(as 10.0.0.9 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $carol" "$b/download/${E[$((i - 1))]}" >> "$d/race") &
done
wait_race() { [ "$(wc -l < "$d/race")" = 10 ]; }
touch "$d/race"
check "ten at once through two processes: all answered" eventually wait_race
check "... exactly three downloads, seven 429s" \
	[ "$(sort "$d/race" | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" = "200x3 429x7 " ]
check "... three rows logged" [ "$(logged "ip LIKE '%10.0.0.9%'")" = 3 ]
set_site -d downloads_per_ip_day=0

# ---- guests ----
set_site -d guest_download=0
c=$(as 10.0.0.4 -o "$d/guest.html" -w '%{http_code}' "$base/download/$D")
check "guest_download=0: a visitor's download is 403" [ "$c" = 403 ]
check "... with a sign-in link back to the document" grep -q "href=\"/login?next=/doc/$D\"" "$d/guest.html"
check "... and the reason" grep -q '本站只允许登录用户下载文档' "$d/guest.html"
check "... an account still downloads" [ "$(as 10.0.0.4 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bob" "$base/download/$D")" = 200 ]
set_site -d guest_download=1

# ---- signed links ----
loc() { grep -i '^location:' | tr -d '\r' | sed 's/^[Ll]ocation: //'; }
link=$(as 10.0.0.5 -D - -o /dev/null "$base/download/$D" | loc)
check "a visitor's download leads to a signed link" grep -qE "^/download/$D\\?e=[0-9]+&u=0&s=[0-9a-f]{64}\$" <<<"$link"
check "the link gives the file" bash -c "curl -fsS -H 'X-Forwarded-For: 10.0.0.5' '$base$link' | cmp -s - '$d/f.txt'"
check "... ranges of it too (206)" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' -H 'Range: bytes=3-10' "$base$link")" = 206 ]
check "... from the other process as well (one key in the store)" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' "$base2$link")" = 200 ]
c=$(as 10.0.0.6 -o "$d/other.html" -w '%{http_code}' "$base$link")
check "taken to another address: 403" [ "$c" = 403 ]
check "... saying it is not valid" grep -q '下载链接无效' "$d/other.html"
sig=${link##*s=}
flip=$( [ "${sig:0:1}" = 0 ] && echo 1 || echo 0 )
check "a changed signature: 403" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' "$base${link%s=*}s=$flip${sig:1}")" = 403 ]
e=$(sed -E 's/.*e=([0-9]+).*/\1/' <<<"$link")
check "a later expiry put in: 403" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' "$base${link/e=$e/e=$((e + 86400))}")" = 403 ]
check "another account put in: 403" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' "$base${link/u=0/u=2}")" = 403 ]
check "a link moved to a missing document: 404" [ "$(as 10.0.0.5 -o /dev/null -w '%{http_code}' "$base${link/download\/$D/download/999}")" = 404 ]

# alice's link, made in her session, works from her address without it
jar=$d/jar
tok=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[0-9a-f]\{64\}"' | head -1 | grep -o '[0-9a-f]\{64\}')
curl -fsS -c "$jar" -b "$jar" -o /dev/null -X POST "$base/login" -d name=alice -d password=alicepass1 -d "csrf=$tok"
alink=$(as 10.0.0.7 -b "$jar" -D - -o /dev/null "$base/download/$D" | loc)
check "a signed-in browser's link names the account" grep -qE "u=[1-9][0-9]*&" <<<"$alink"
check "... and works in another browser (no session) at the same address" \
	bash -c "curl -fsS -H 'X-Forwarded-For: 10.0.0.7' '$base$alink' | cmp -s - '$d/f.txt'"

# a link is asked again who may see the document, for the account it
# names: made private by its owner or hidden by an admin after the link
# was made, it is refused as a direct request would be; fetched again
# within its life, it counts nothing more
for k in 2 3; do for i in $(seq 200); do echo "田园诗选${k} 第${i}行：采菊东篱下，悠然见南山。"; done > "$d/f$k.txt"; done
D2=$(upload "$alice" "$d/f2.txt" -F price=0 -F title=田园诗选二)
D3=$(upload "$alice" "$d/f3.txt" -F price=0 -F title=田园诗选三)
env "${settings[@]}" "$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
l2=$(as 10.0.0.8 -D - -o /dev/null "$base/download/$D2" | loc)
l3=$(as 10.0.0.8 -D - -o /dev/null "$base/download/$D3" | loc)
alink2=$(as 10.0.0.8 -b "$jar" -D - -o /dev/null "$base/download/$D2" | loc)
check "two new documents" bash -c "[ $D2 != $D ] && [ $D3 != $D ] && [ $D2 != $D3 ]"
check "two visitor's links and alice's" bash -c "grep -q 's=' <<<'$l2' && grep -q 's=' <<<'$l3' && grep -q 's=' <<<'$alink2'"
before=$(logged "ip LIKE '%10.0.0.8%'")
check "a link fetched three times gives the file each time" \
	bash -c "for i in 1 2 3; do curl -fsS -H 'X-Forwarded-For: 10.0.0.8' '$base$l2' | cmp -s - '$d/f2.txt' || exit 1; done"
check "... and counts nothing more" [ "$(logged "ip LIKE '%10.0.0.8%'")" = "$before" ]
check "alice makes the document private" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $alice" "$base/api/v1/doc/$D2/edit" -d private=1)" = 200 ]
check "... a visitor's direct request is 404" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' "$base/download/$D2")" = 404 ]
check "... and so is the visitor's link made before" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' "$base$l2")" = 404 ]
check "... a range of it too" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-10' "$base$l2")" = 404 ]
check "... while alice's own link still gives her the file" \
	bash -c "curl -fsS -H 'X-Forwarded-For: 10.0.0.8' '$base$alink2' | cmp -s - '$d/f2.txt'"
check "the admin hides another" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $boss" "$base/api/v1/admin/doc" -d "id=$D3" -d action=hide)" = 200 ]
check "... its page is 404 to a visitor" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/doc/$D3")" = 404 ]
check "... and the link made before is refused" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' "$base$l3")" = 404 ]
l4=$(as 10.0.0.8 -D - -o /dev/null "$base/download/$D" | loc)
set_site -d guest_download=0
check "a visitor's link once visitors may no longer download: 403" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' "$base$l4")" = 403 ]
set_site -d guest_download=1
check "... and good again when they may" [ "$(as 10.0.0.8 -o /dev/null -w '%{http_code}' "$base$l4")" = 200 ]

# a link from another site lands on the document's page
check "Sec-Fetch-Site: cross-site goes to the document" \
	[ "$(as 10.0.0.5 -D - -o /dev/null -H 'Sec-Fetch-Site: cross-site' "$base/download/$D" | loc)" = "/doc/$D#download" ]
check "so does a Referer of another host" \
	[ "$(as 10.0.0.5 -D - -o /dev/null -H 'Referer: http://leech.example/page' "$base/download/$D" | loc)" = "/doc/$D#download" ]
check "a browser's own word (Sec-Fetch-Site: same-origin) wins over a Referer" \
	grep -q "s=" <<<"$(as 10.0.0.5 -D - -o /dev/null -H 'Sec-Fetch-Site: same-origin' -H 'Referer: http://leech.example/' "$base/download/$D" | loc)"
check "a Referer naming the host a proxy was asked for gets the link" \
	grep -q "s=" <<<"$(as 10.0.0.5 -D - -o /dev/null -H 'X-Forwarded-Host: wenku.example' -H 'Referer: https://wenku.example/doc/1' "$base/download/$D" | loc)"
check "a Referer of this site gets the link" \
	grep -q "s=" <<<"$(as 10.0.0.5 -D - -o /dev/null -H "Referer: $base/doc/$D" "$base/download/$D" | loc)"

# expiry: links valid one second; wait (with a deadline) until it has passed
set_site -d download_link_seconds=1
short=$(as 10.0.0.5 -D - -o /dev/null "$base/download/$D" | loc)
se=$(sed -E 's/.*e=([0-9]+).*/\1/' <<<"$short")
check "the short link's expiry is a second away" [ $((se - $(date +%s))) -le 1 ]
past() { [ "$(date +%s)" -gt "$se" ]; }
check "its expiry passes" eventually past
c=$(as 10.0.0.5 -o "$d/expired.html" -w '%{http_code}' "$base$short")
check "an expired link: 403" [ "$c" = 403 ]
check "... saying it expired, with the way back" \
	bash -c "grep -q '下载链接已过期' '$d/expired.html' && grep -q 'href=\"/doc/$D#download\"' '$d/expired.html'"
check "... in English too" grep -q 'expired' <(as 10.0.0.5 "$base$short&lang=en")
set_site -d download_link_seconds=300

# asked again and again within a link's life: one download, one row
before=$(logged "ip LIKE '%10.0.0.11%'")
for i in $(seq 20); do as 10.0.0.11 -o /dev/null "$base/download/${E[3]}"; done
check "20 requests of a visitor for one document: one row logged" [ "$(logged "ip LIKE '%10.0.0.11%'")" = $((before + 1)) ]
for i in $(seq 20); do as 10.0.0.12 -o /dev/null -b "$jar" "$base/download/${E[4]}"; done
check "... and of an account: one row" [ "$(logged "ip LIKE '%10.0.0.12%'")" = 1 ]

# a banned account has a visitor's rights: its link is refused when
# visitors may not download
blink=$(as 10.0.0.7 -b "$jar" -D - -o /dev/null "$base/download/$D" | loc)
aid=$(sed -E 's/.*u=([0-9]+).*/\1/' <<<"$blink")
set_site -d guest_download=0
check "alice's link with guest_download=0: 200" [ "$(as 10.0.0.7 -o /dev/null -w '%{http_code}' "$base$blink")" = 200 ]
check "alice is banned" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $boss" "$base/api/v1/admin/user" -d "id=$aid" -d action=ban)" = 200 ]
check "... her link made before is refused as a visitor's (403)" [ "$(as 10.0.0.7 -o /dev/null -w '%{http_code}' "$base$blink")" = 403 ]
set_site -d guest_download=1
check "... and serves when visitors may download" [ "$(as 10.0.0.7 -o /dev/null -w '%{http_code}' "$base$blink")" = 200 ]
finish

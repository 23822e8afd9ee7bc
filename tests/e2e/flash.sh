#!/usr/bin/env bash
# Confirmations (flash) on the real server: registering, a favorite, a
# reward and an admin action each lead to a page that says what was done,
# once, in the reader's language; the cookie that carries it holds only a
# code of the server's table and integers, so a crafted cookie or query
# puts no text of its own on a page; a page showing a flash is never kept
# in the anonymous page cache; the JSON twins answer as before.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
printf '确认消息测试文档\n第二行文字。\n' > "$d/flash.txt"
"$WY_BIN" --data "$data" add "$d/flash.txt" > /dev/null
# the cache keeps a page an hour: a flash that entered it would stay
serve_site WENYUAN_PAGE_CACHE_MS=3600000

csrf_of() { grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$1" | head -1 | grep -o '[0-9a-f]\{64\}'; }
# flash_of FILE: the text of the page's flash line ("" when none)
flash_of() { sed -n 's|.*<p class="flash" role="status">\([^<]*\)</p>.*|\1|p' "$1"; }

boss=$(api_login boss bosspass123)
id=$(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/docs" | jq -r '.documents[0].id')
check "the document converts" wait_ready "$id" "$boss"

# ---- registering: 注册成功，欢迎 ----
jar=$d/alice.jar
curl -fsS -c "$jar" -b "$jar" "$base/register" > "$d/reg.html"
curl -s -D "$d/reg.h" -o /dev/null -c "$jar" -b "$jar" -X POST "$base/register" -d name=alice -d password=alicepass1 \
	-d password2=alicepass1 -d "csrf=$(csrf_of "$d/reg.html")" -d next=/
check "registering redirects with a flash code, nothing else" grep -qi '^set-cookie: wy_f=reg;' "$d/reg.h"
curl -fsS -D "$d/home.h" -c "$jar" -b "$jar" "$base/" > "$d/home.html"
check "the page it leads to says so" [ "$(flash_of "$d/home.html")" = "注册成功，欢迎" ]
check "... once: the page clears the cookie" grep -qi '^set-cookie: wy_f=; .*Max-Age=0' "$d/home.h"
check "... and is not kept by any cache" grep -qi '^cache-control: private, no-store' "$d/home.h"
curl -fsS -c "$jar" -b "$jar" "$base/" > "$d/home2.html"
check "the next page has no flash" [ -z "$(flash_of "$d/home2.html")" ]

# ---- a favorite and a reward, in both languages ----
curl -fsS -c "$jar" -b "$jar" "$base/doc/$id" > "$d/doc.html"
tok=$(csrf_of "$d/doc.html")
check "favorite: 303" [ "$(code -c "$jar" -b "$jar" -X POST "$base/doc/$id/favorite" -d on=1 -d "csrf=$tok")" = 303 ]
curl -fsS -c "$jar" -b "$jar" "$base/doc/$id" > "$d/fav.html"
check "favorite: 已收藏" [ "$(flash_of "$d/fav.html")" = "已收藏" ]
code -c "$jar" -b "$jar" -X POST "$base/doc/$id/favorite" -d on=0 -d "csrf=$tok" > /dev/null
curl -fsS -c "$jar" -b "$jar" "$base/doc/$id?lang=en" > "$d/unfav.html"
check "unfavorite, in English: Removed from favorites" [ "$(flash_of "$d/unfav.html")" = "Removed from favorites" ]
curl -fsS -c "$jar" -b "$jar" "$base/doc/$id?lang=zh" > /dev/null
code -c "$jar" -b "$jar" -X POST "$base/doc/$id/reward" -d points=5 -d "csrf=$tok" > /dev/null
curl -fsS -c "$jar" -b "$jar" "$base/doc/$id" > "$d/rew.html"
# the document has no uploader account (added from the command line):
# the reward is refused, and no confirmation says otherwise
check "a refused reward confirms nothing" [ -z "$(flash_of "$d/rew.html")" ]

# ---- the daily sign-in: on the points page it leads to ----
code -c "$jar" -b "$jar" -X POST "$base/me/signin" -d "csrf=$tok" > /dev/null
curl -fsS -c "$jar" -b "$jar" "$base/me/points" > "$d/signin.html"
check "signing in: 签到成功，获得 1 积分" [ "$(flash_of "$d/signin.html")" = "签到成功，获得 1 积分" ]
code -c "$jar" -b "$jar" -X POST "$base/me/signin" -d "csrf=$tok" > /dev/null
curl -fsS -c "$jar" -b "$jar" "$base/me/points" > "$d/signin2.html"
check "... and again: 今天已经签到过了。" [ "$(flash_of "$d/signin2.html")" = "今天已经签到过了。" ]

# ---- the JSON twins answer as before, with no cookie ----
alice=$(api_login alice alicepass1)
curl -s -D "$d/api.h" -o "$d/api.json" -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/$id/favorite" -d on=1
check "the JSON twin answers in JSON" jqe '.faved == true' "$d/api.json"
check "... and sets no flash" bash -c "! grep -qi '^set-cookie: wy_f' '$d/api.h'"

# ---- an admin action ----
bjar=$d/boss.jar
curl -fsS -c "$bjar" -b "$bjar" "$base/login" > "$d/login.html"
code -c "$bjar" -b "$bjar" -X POST "$base/login" -d name=boss -d password=bosspass123 -d "csrf=$(csrf_of "$d/login.html")" > /dev/null
curl -fsS -c "$bjar" -b "$bjar" "$base/admin/docs" > "$d/admin.html"
btok=$(csrf_of "$d/admin.html")
check "hide: 303" [ "$(code -c "$bjar" -b "$bjar" -X POST "$base/admin/doc" -d id="$id" -d action=hide -d back=/admin/docs -d "csrf=$btok")" = 303 ]
curl -fsS -c "$bjar" -b "$bjar" "$base/admin/docs" > "$d/hidden.html"
check "hide: 已隐藏文档 $id" [ "$(flash_of "$d/hidden.html")" = "已隐藏文档 $id" ]
code -c "$bjar" -b "$bjar" -X POST "$base/admin/doc" -d id="$id" -d action=restore -d "csrf=$btok" > /dev/null
curl -fsS -c "$bjar" -b "$bjar" "$base/admin/docs?lang=en" > "$d/restored.html"
check "restore, in English: Document $id restored" [ "$(flash_of "$d/restored.html")" = "Document $id restored" ]
curl -fsS -c "$bjar" -b "$bjar" "$base/admin?lang=zh" > /dev/null
uid=$(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users?q=alice" | jq -r '.users[0].id')
code -c "$bjar" -b "$bjar" -X POST "$base/admin/user" -d id="$uid" -d action=points -d delta=-3 -d "csrf=$btok" > /dev/null
curl -fsS -c "$bjar" -b "$bjar" "$base/admin/users" > "$d/points.html"
check "points: 已为用户 $uid 调整积分 -3" [ "$(flash_of "$d/points.html")" = "已为用户 $uid 调整积分 -3" ]
code -c "$bjar" -b "$bjar" -X POST "$base/admin/user" -d id=999999 -d action=ban -d "csrf=$btok" > /dev/null
curl -fsS -c "$bjar" -b "$bjar" "$base/admin/users" > "$d/nouser.html"
check "a failed admin action confirms nothing" [ -z "$(flash_of "$d/nouser.html")" ]

# ---- a crafted cookie or query puts no text on a page ----
for v in '<script>alert(1)</script>' 'fav.1' 'rew' 'rew.5.6' 'rew.x' 'rew.1234567890123' 'rew.+5' 'rew.--5' 'hide.7abc' \
	'已收藏' 'fav%3Cb%3E' 'flash' 'reg.' '"fav"x' 'settings.1'; do
	# (the language links repeat the query: what is shown is the text outside them)
	curl -fsS -H "Cookie: wy_f=$v" "$base/doc/$id?flash=EVIL_TEXT&msg=EVIL_TEXT" | sed 's/href="[^"]*"//g' > "$d/crafted.html"
	if [ -n "$(flash_of "$d/crafted.html")" ] || grep -q 'class="flash"\|EVIL_TEXT\|alert(1)' "$d/crafted.html"; then
		bad "a crafted flash cookie shows nothing: wy_f=$v"
	else
		ok "a crafted flash cookie shows nothing: wy_f=$v"
	fi
done
curl -fsS -H 'Cookie: wy_f=rew.42' "$base/doc/$id?flash=EVIL_TEXT" | sed 's/href="[^"]*"//g' > "$d/table.html"
check "a cookie can only name a sentence of the table" [ "$(flash_of "$d/table.html")" = "已打赏 42 积分" ]
check "... never the query's text" lacks EVIL_TEXT "$d/table.html"

# ---- a flash never reaches a cached anonymous page ----
printf '缓存测试文档\n' > "$d/cache.txt"
cid=$(upload "$boss" "$d/cache.txt")
check "a second document converts" wait_ready "$cid" "$boss"
curl -fsS -H 'Cookie: wy_f=hide.7' "$base/doc/$cid" > "$d/c1.html"
check "an anonymous page shows its own flash (cache empty)" [ "$(flash_of "$d/c1.html")" = "已隐藏文档 7" ]
curl -fsS "$base/doc/$cid" > "$d/c2.html"
check "... which the next visitor does not see" [ -z "$(flash_of "$d/c2.html")" ]
curl -fsS -D "$d/c3.h" -H 'Cookie: wy_f=fav' "$base/doc/$cid" > "$d/c3.html"
check "a cached page is made again for a flash" [ "$(flash_of "$d/c3.html")" = "已收藏" ]
check "... which it clears" grep -qi '^set-cookie: wy_f=; .*Max-Age=0' "$d/c3.h"
curl -fsS -D "$d/c4.h" "$base/doc/$cid" > "$d/c4.html"
check "... and the cached page stays without one" [ -z "$(flash_of "$d/c4.html")" ]
check "... and sets no flash cookie" bash -c "! grep -qi '^set-cookie: wy_f' '$d/c4.h'"
curl -fsS -H 'Cookie: wy_f=hide.7' "$base/doc/$cid?lang=en" > /dev/null
curl -fsS "$base/doc/$cid?lang=en" > "$d/c5.html"
check "... in English too" [ -z "$(flash_of "$d/c5.html")" ]

finish

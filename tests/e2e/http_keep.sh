#!/usr/bin/env bash
# What the server keeps between requests (src/web/keep.c: who may see a
# page image, its open file, sessions) is dropped at the next commit to
# the store, whoever makes it: after each change below, the very next
# request gets the new answer. A page image asked for many times (so it is
# kept) is 404 to a visitor and to another user at once when the admin
# hides its document, 200 again when it is restored, 404 when a change
# comes from another process (sqlite3: the document made private; then
# its status set back to converting, as a conversion started again), and
# 404 to everyone once the document is deleted; its owner keeps seeing it
# while it is private. A session asked for many times is anonymous at the
# next request after logging out, after a password change (the other
# sessions), and after `wenyuan user ban` from the command line. Also:
# ETag/304 and ranges on a kept file.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
"$WY_BIN" --data "$data" category add 测试/缓存 > /dev/null
serve_site WENYUAN_PREVIEW_PAGES=3 --no-worker
db=$data/wenyuan.db

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
for i in $(seq 200); do echo "缓存规则词 第${i}行，文渊阁藏书。"; done > "$d/a.txt"
A=$(curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F category=测试/缓存 \
	-F "file=@$d/a.txt" | jq -r '.documents[0].id')
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
img=$(curl -fsS "$base/api/v1/doc/$A/pages" | jq -r '.items[0].image')
check "the document has a page image" grep -q '^/blob/[0-9a-f]\{64\}$' <<< "$img"

# many: NUMBER CURL-ARGS...: asks that many times (the answer is kept); the
# codes seen, once each
many() { local n=$1; shift; for _ in $(seq "$n"); do code "$@"; echo; done | sort -u | tr '\n' ' '; }
admin_doc() { code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d "id=$A" -d "action=$1"; }

check "a visitor gets the image, every time" [ "$(many 20 "$base$img")" = "200 " ]
check "bob gets it" [ "$(many 5 -H "Authorization: Bearer $bob" "$base$img")" = "200 " ]
hdrs=$(curl -fsS -D - -o "$d/img" "$base$img")
tag=$(grep -i '^etag:' <<< "$hdrs" | cut -d' ' -f2 | tr -d '\r')
check "a kept file: 304 on its ETag" [ "$(code -H "If-None-Match: $tag" "$base$img")" = 304 ]
check "a kept file: a range is 206 with those bytes" \
	[ "$(curl -fsS -H 'Range: bytes=4-11' "$base$img")" = "$(head -c 12 "$d/img" | tail -c 8)" ]
check "a kept file: an unsatisfiable range is 416" [ "$(code -H 'Range: bytes=999999999-' "$base$img")" = 416 ]
check "a kept file: the same bytes" cmp -s "$d/img" <(curl -fsS "$base$img")

check "the admin hides it" [ "$(admin_doc hide)" = 200 ]
check "hidden: the next request of a visitor is 404" [ "$(code "$base$img")" = 404 ]
check "hidden: bob's next request is 404" [ "$(code -H "Authorization: Bearer $bob" "$base$img")" = 404 ]
check "hidden: the admin still gets it" [ "$(code -H "Authorization: Bearer $boss" "$base$img")" = 200 ]
check "the admin restores it" [ "$(admin_doc restore)" = 200 ]
check "restored: the next request is 200" [ "$(many 10 "$base$img")" = "200 " ]

# another process changes the store: the server hears of it all the same
sqlite3 "$db" "UPDATE documents SET private = 1 WHERE id = $A"
check "made private by another process: the next request is 404" [ "$(code "$base$img")" = 404 ]
check "private: bob's next request is 404" [ "$(code -H "Authorization: Bearer $bob" "$base$img")" = 404 ]
check "private: alice, its owner, gets it" [ "$(many 5 -H "Authorization: Bearer $alice" "$base$img")" = "200 " ]
sqlite3 "$db" "UPDATE documents SET private = 0 WHERE id = $A"
check "public again: 200" [ "$(many 5 "$base$img")" = "200 " ]
status=$(sqlite3 "$db" "SELECT status FROM documents WHERE id = $A")
sqlite3 "$db" "UPDATE documents SET status = 1 WHERE id = $A"
check "converting again (another process): the next request is 404" [ "$(code "$base$img")" = 404 ]
sqlite3 "$db" "UPDATE documents SET status = $status WHERE id = $A"
check "ready again: 200" [ "$(many 5 "$base$img")" = "200 " ]
check "the admin deletes it" [ "$(admin_doc delete)" = 200 ]
check "deleted: the next request is 404" [ "$(code "$base$img")" = 404 ]
check "deleted: its owner's next request is 404" [ "$(code -H "Authorization: Bearer $alice" "$base$img")" = 404 ]

# sessions: asked for many times (kept), then ended
who() { curl -s "$@" "$base/api/v1/me" | jq -r '.user.name // "anonymous"'; }
carol=$(register carol carolpass1)
check "carol's cookie session, asked 20 times, is carol" [ "$(for _ in $(seq 20); do who -b "wy_s=$carol"; done | sort -u)" = carol ]
check "carol logs out" [ "$(code -X POST -H "Authorization: Bearer $carol" "$base/api/v1/logout")" = 200 ]
check "logged out: the next request is anonymous" [ "$(who -b "wy_s=$carol")" = anonymous ]
d1=$(register dave davepass12)
d2=$(api_login dave davepass12)
check "dave's two sessions are dave" [ "$(who -b "wy_s=$d1") $(who -H "Authorization: Bearer $d2")" = "dave dave" ]
check "dave changes his password in one" [ "$(code -X POST -H "Authorization: Bearer $d2" "$base/api/v1/me/password" \
	-d old=davepass12 -d password=davepass34)" = 200 ]
check "the other session's next request is anonymous" [ "$(who -b "wy_s=$d1")" = anonymous ]
check "bob is bob" [ "$(for _ in $(seq 10); do who -H "Authorization: Bearer $bob"; done | sort -u)" = bob ]
"$WY_BIN" --data "$data" user ban bob > /dev/null
check "banned from the command line: bob's next request is anonymous" [ "$(who -H "Authorization: Bearer $bob")" = anonymous ]

finish

#!/usr/bin/env bash
# Collections (专辑) through the API and the pages, on the real server
# with its worker: alice makes a private collection, adds three documents,
# reorders and removes them (positions stay 1..n), makes it public; a
# private collection is 404 for everyone but its owner and the admins; a
# private, hidden or deleted document inside a public collection is
# neither listed nor counted for others, nor their cover; favorites are
# counted once per account; the limits (name, description, collections per
# account, documents per collection) and every kind of bad input answer
# 4xx, never 500; the forms carry the CSRF token; a document gone from the
# store leaves no gap in the positions.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_PAGE_CACHE_MS=0 WENYUAN_POINTS_UPLOAD=0
db=$data/wenyuan.db

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
carol=$(register carol carolpass1)

doc_file() { for i in $(seq 30); do echo "$1 第${i}行：专辑测试文本，文渊阁藏书。"; done > "$d/$2.txt"; echo "$d/$2.txt"; }
A=$(upload "$alice" "$(doc_file 静夜思 a)" -F title=静夜思)
B=$(upload "$alice" "$(doc_file 春晓 b)" -F title=春晓)
C=$(upload "$alice" "$(doc_file 登鹳雀楼 c)" -F title=登鹳雀楼)
P=$(upload "$alice" "$(doc_file 私人笔记 p)" -F title=私人笔记 -F private=1)
Q=$(upload "$bob" "$(doc_file 鲍勃的私稿 q)" -F title=鲍勃的私稿 -F private=1)
for n in $A $B $C $P; do check "document $n converts" wait_ready "$n" "$alice"; done
check "bob's private document converts" wait_ready "$Q" "$bob"

declare -A auth=([visitor]="" [alice]="$alice" [bob]="$bob" [carol]="$carol" [boss]="$boss")
as() { local t=${auth[$1]}; shift; if [ -n "$t" ]; then curl -s -H "Authorization: Bearer $t" "$@"; else curl -s "$@"; fi; }
as_code() { as "$1" -o /dev/null -w '%{http_code}' "${@:2}"; }
# post WHO PATH ARGS...: POST to the API; the body into $d/out.json, the status out
post() { local who=$1 path=$2; shift 2; as "$who" -o "$d/out.json" -w '%{http_code}' -X POST "$base/api/v1$path" "$@"; }
is() { [ "$1" = "$2" ] || { echo "# got $1, want $2"; return 1; }; }
order() { as "$1" "$base/api/v1/collection/$2" | jq -c '[.documents[].id]'; }
positions() { as "$1" "$base/api/v1/collection/$2" | jq -c '[.documents[].position]'; }

# ---- create, add three, reorder, remove ----
check "alice creates a private collection: 201" is "$(post alice /collections --data-urlencode name=唐诗选 \
	--data-urlencode description=五言绝句 -d public=0)" 201
K=$(jq -r .collection "$d/out.json")
check "its id" [ "$K" -gt 0 ]
for n in $A $B $C; do check "add $n: 200" is "$(post alice "/collection/$K/add" -d doc=$n)" 200; done
check "the positions are 1, 2, 3 in the order added" is "$(positions alice "$K")" '[1,2,3]'
check "the order is A, B, C" is "$(order alice "$K")" "[$A,$B,$C]"
check "a document is at most once in a collection: 409" is "$(post alice "/collection/$K/add" -d doc=$A)" 409
check "still three" is "$(as alice "$base/api/v1/collection/$K" | jq .items)" 3
check "move C to 1: 200" is "$(post alice "/collection/$K/move" -d doc=$C -d to=1)" 200
check "the order is C, A, B" is "$(order alice "$K")" "[$C,$A,$B]"
check "move C to 3" is "$(post alice "/collection/$K/move" -d doc=$C -d to=3)" 200
check "the order is A, B, C again" is "$(order alice "$K")" "[$A,$B,$C]"
check "move A to 2" is "$(post alice "/collection/$K/move" -d doc=$A -d to=2)" 200
check "the order is B, A, C; positions 1..3" is "$(order alice "$K") $(positions alice "$K")" "[$B,$A,$C] [1,2,3]"
for to in 0 4 -1 abc 1.5 99999999999999999999; do
	check "move to '$to': 400" is "$(post alice "/collection/$K/move" -d doc=$A --data-urlencode "to=$to")" 400
done
check "move without a position: 400" is "$(post alice "/collection/$K/move" -d doc=$A)" 400
check "move of a document not in it: 404" is "$(post alice "/collection/$K/move" -d doc=$P -d to=1)" 404
check "remove A: 200" is "$(post alice "/collection/$K/remove" -d doc=$A)" 200
check "B, C remain at 1 and 2" is "$(order alice "$K") $(positions alice "$K")" "[$B,$C] [1,2]"
check "remove A again: 404" is "$(post alice "/collection/$K/remove" -d doc=$A)" 404
check "add A back: at the end (3)" bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/collection/$K/add' -d doc=$A | jq .position)\" = 3 ]"
check "the order is B, C, A" is "$(order alice "$K")" "[$B,$C,$A]"
check "add of a document that does not exist: 404" is "$(post alice "/collection/$K/add" -d doc=999999)" 404
check "add of bob's private document: 404" is "$(post alice "/collection/$K/add" -d doc=$Q)" 404
check "bob's private document is not in it" is "$(order alice "$K")" "[$B,$C,$A]"

# ---- a private collection: its owner's and the admins' alone ----
for who in visitor bob carol; do
	check "$who: the private collection's JSON is 404" is "$(as_code $who "$base/api/v1/collection/$K")" 404
	check "$who: its page is 404" is "$(as_code $who "$base/collection/$K")" 404
	check "$who: it is not listed" is "$(as $who "$base/api/v1/collections" | jq "[.collections[].id] | index($K)")" null
	check "$who: nor in alice's list" is "$(as $who "$base/api/v1/collections?user=$(as alice "$base/api/v1/me" | jq .user.id)" |
		jq "[.collections[].id] | index($K)")" null
done
check "bob cannot favorite it: 404" is "$(post bob "/collection/$K/favorite" -d on=1)" 404
check "nor add to it: 404" is "$(post bob "/collection/$K/add" -d doc=$A)" 404
check "alice sees it: 200" is "$(as_code alice "$base/api/v1/collection/$K")" 200
check "alice's own list has it (?mine=1)" is "$(as alice "$base/api/v1/collections?mine=1" | jq "[.collections[].id] | index($K) != null")" true
check "the admin sees it: 200" is "$(as_code boss "$base/api/v1/collection/$K")" 200
check "the admin sees its page" is "$(as_code boss "$base/collection/$K")" 200

# ---- public, with a private document inside ----
check "alice makes it public: 200" is "$(post alice "/collection/$K/edit" -d public=1)" 200
check "the answer says public" is "$(jq .public "$d/out.json")" true
check "the name stayed" is "$(jq -r .name "$d/out.json")" 唐诗选
check "alice adds her private document: 200" is "$(post alice "/collection/$K/add" -d doc=$P)" 200
check "and moves it first" is "$(post alice "/collection/$K/move" -d doc=$P -d to=1)" 200
check "alice sees four: P, B, C, A" is "$(order alice "$K")" "[$P,$B,$C,$A]"
check "alice counts four" is "$(as alice "$base/api/v1/collection/$K" | jq .items)" 4
pthumb=$(as alice "$base/api/v1/doc/$P" | jq -r .thumbnail)
bthumb=$(as alice "$base/api/v1/doc/$B" | jq -r .thumbnail)
check "alice's cover is P's thumbnail" is "$(as alice "$base/api/v1/collection/$K" | jq -r .cover)" "$pthumb"
for who in visitor bob; do
	as $who "$base/api/v1/collection/$K" > "$d/k.json"
	check "$who: the collection answers 200" is "$(as_code $who "$base/api/v1/collection/$K")" 200
	check "$who: sees B, C, A (not the private P)" is "$(jq -c '[.documents[].id]' "$d/k.json")" "[$B,$C,$A]"
	check "$who: counts three" is "$(jq .items "$d/k.json")" 3
	check "$who: the cover is B's thumbnail, not P's" is "$(jq -r .cover "$d/k.json")" "$bthumb"
	check "$who: the owner's name is masked" is "$(jq -r .owner "$d/k.json")" 'al****e'
	as $who "$base/collection/$K" > "$d/k.html"
	check "$who: the page lists B, C, A in order" bash -c "grep -o 'href=\"/doc/[0-9]*\"' '$d/k.html' | uniq | tr '\n' ' ' |
		grep -q 'href=\"/doc/$B\" href=\"/doc/$C\" href=\"/doc/$A\"'"
	check "$who: the page does not name P" lacks 私人笔记 "$d/k.html"
	check "$who: the page has no owner's controls" lacks "/collection/$K/move" "$d/k.html"
	as $who "$base/api/v1/collections" > "$d/list.json"
	check "$who: the public list has it, counted three" is "$(jq ".collections[] | select(.id == $K) | .items" "$d/list.json")" 3
	check "$who: P's thumbnail is nowhere in the list" lacks "$pthumb" "$d/list.json"
done
as alice "$base/collection/$K" > "$d/k.html"
check "alice's page has the controls: move, remove, edit" bash -c "grep -q '/collection/$K/move' '$d/k.html' &&
	grep -q '/collection/$K/remove' '$d/k.html' && grep -q '/collection/$K/edit' '$d/k.html'"
check "alice's page names P" grep -q 私人笔记 "$d/k.html"

# hidden by an admin, then deleted: gone for others, still in order for alice
check "the admin hides B" curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id=$B -d action=hide
check "bob sees C, A" is "$(order bob "$K")" "[$C,$A]"
check "bob counts two" is "$(as bob "$base/api/v1/collection/$K" | jq .items)" 2
check "the admin deletes C (the recycle bin)" curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id=$C -d action=delete
check "bob sees A alone" is "$(order bob "$K")" "[$A]"
check "a visitor's cover is A's" is "$(as visitor "$base/api/v1/collection/$K" | jq -r .cover)" "$(as alice "$base/api/v1/doc/$A" | jq -r .thumbnail)"
check "alice keeps her places: P, B (hidden, hers), A; C deleted is not hers to see" is "$(order alice "$K")" "[$P,$B,$A]"
check "positions skip nothing of what is stored: P 1, B 2, A 4" is "$(positions alice "$K")" '[1,2,4]'
check "the admin restores B and C" bash -c "curl -fsS -o /dev/null -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$B -d action=restore &&
	curl -fsS -o /dev/null -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$C -d action=restore"
check "bob sees B, C, A again" is "$(order bob "$K")" "[$B,$C,$A]"

# ---- others may favorite, not change ----
check "bob favorites it: 200" is "$(post bob "/collection/$K/favorite" -d on=1)" 200
check "faved, one" is "$(jq -c '[.faved, .favorites]' "$d/out.json")" '[true,1]'
check "again: still one" bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $bob' -X POST '$base/api/v1/collection/$K/favorite' -d on=1 | jq .favorites)\" = 1 ]"
check "carol favorites it: two" bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $carol' -X POST '$base/api/v1/collection/$K/favorite' -d on=1 | jq .favorites)\" = 2 ]"
check "the JSON says two, and faved for bob" is "$(as bob "$base/api/v1/collection/$K" | jq -c '[.favorites, .faved]')" '[2,true]'
check "bob's /me collections tab lists it among his favorites" is "$(as bob "$base/api/v1/me/collections" | jq "[.faved_collections[].id] | index($K) != null")" true
check "carol takes hers back: one" bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $carol' -X POST '$base/api/v1/collection/$K/favorite' -d on=0 | jq .favorites)\" = 1 ]"
check "the store's count is its rows" is "$(store_q "SELECT CASE WHEN favorites = (SELECT count(*) FROM collection_favorites WHERE collection_id = $K) THEN 1 ELSE 0 END FROM collections WHERE id = $K")" 1
check "a visitor cannot favorite (no session, no token): 403" is "$(post visitor "/collection/$K/favorite" -d on=1)" 403
check "favorite with on=2: 400" is "$(post bob "/collection/$K/favorite" -d on=2)" 400
for a in "add -d doc=$A" "remove -d doc=$A" "move -d doc=$A -d to=1" "edit -d name=改名" "delete"; do
	set -- $a
	check "bob may not $1 alice's public collection: 403" is "$(post bob "/collection/$K/$1" "${@:2}")" 403
done
check "still alice's name and order" is "$(as bob "$base/api/v1/collection/$K" | jq -c '[.name, [.documents[].id]]')" "[\"唐诗选\",[$B,$C,$A]]"
# the most favorited first
check "alice makes a second public collection" is "$(post alice /collections -d name=宋词选 -d public=1)" 201
K2=$(jq -r .collection "$d/out.json")
check "newest first: the second before the first" is "$(as visitor "$base/api/v1/collections" | jq -c '[.collections[].id]')" "[$K2,$K]"
check "most favorited first: the first" is "$(as visitor "$base/api/v1/collections?sort=favorites" | jq -c '[.collections[].id]')" "[$K,$K2]"
check "the pages answer: /collections" bash -c "curl -fsS '$base/collections' | grep -q 唐诗选"
check "/collections?sort=favorites" bash -c "curl -fsS '$base/collections?sort=favorites' | grep -q 宋词选"
check "bob's /me/collections page shows his favorite" bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/me/collections' | grep -q 唐诗选"

# ---- the document page: 加入专辑 ----
check "alice's document page offers her collections" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$B' |
	grep -q '<option value=\"$K2\">宋词选</option>'"
check "a collection B is in is marked" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$B' | grep -q '<option value=\"$K\" disabled>'"
check "a visitor gets the login link" bash -c "curl -fsS '$base/doc/$B' | grep -q 'login?next=/doc/$B\">登录</a>后可以把文档加入专辑'"
check "POST /collections with collection and doc adds it: 200" is "$(post alice /collections -d collection=$K2 -d doc=$B)" 200
check "B is in the second collection" is "$(order alice "$K2")" "[$B]"
check "POST /collections with a name and doc makes one with it: 201" is "$(post alice /collections -d name=新专辑 -d doc=$C)" 201
check "it holds C" is "$(order alice "$(jq -r .collection "$d/out.json")")" "[$C]"
check "bob cannot add into alice's collection through it: 404" is "$(post bob /collections -d collection=$K2 -d doc=$A)" 404
n0=$(as alice "$base/api/v1/collections?mine=1" | jq .total)
check "a new collection for bob's private document: 404" is "$(post alice /collections -d name=别人的 -d doc=$Q)" 404
check "and no collection was made" is "$(as alice "$base/api/v1/collections?mine=1" | jq .total)" "$n0"

# ---- a name is text: escaped on every page ----
check "a collection named <script>: 201" is "$(post alice /collections --data-urlencode 'name=<script>alert(1)</script>' -d public=1)" 201
X=$(jq -r .collection "$d/out.json")
check "its page escapes the name" bash -c "curl -fsS '$base/collection/$X' > '$d/x.html' && grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$d/x.html' && ! grep -q '<script>alert' '$d/x.html'"
check "so does the list" bash -c "curl -fsS '$base/collections' | grep -q '&lt;script&gt;alert(1)'"
check "in English the list is Collections" bash -c "curl -fsS '$base/collections?lang=en' | grep -q '<h1>Collections</h1>'"

# ---- limits and bad input: 4xx, never 500 ----
long=$(printf '名%.0s' $(seq 61))
check "a 61-character name: 400" is "$(post alice /collections --data-urlencode "name=$long")" 400
check "a 60-character name: 201" is "$(post alice /collections --data-urlencode "name=$(printf '名%.0s' $(seq 60))")" 201
check "no name: 400" is "$(post alice /collections -d description=无名)" 400
check "a blank name: 400" is "$(post alice /collections --data-urlencode 'name=   ')" 400
check "a name with a control character: 400" is "$(post alice /collections --data-urlencode "name=$(printf 'a\tb')")" 400
check "a name that is not UTF-8: 400" is "$(post alice /collections --data-binary $'name=\xff\xfe')" 400
check "a 1001-character description: 400" is "$(post alice /collections -d name=长简介 --data-urlencode "description=$(printf 'x%.0s' $(seq 1001))")" 400
check "public=maybe: 400" is "$(post alice /collections -d name=不明 -d public=maybe)" 400
check "doc=abc: 400" is "$(post alice /collections -d name=甲 -d doc=abc)" 400
check "edit to a 61-character name: 400" is "$(post alice "/collection/$K/edit" --data-urlencode "name=$long")" 400
check "an unknown action: 404" is "$(post alice "/collection/$K/rename" -d name=乙)" 404
check "a collection that does not exist: 404" is "$(post alice /collection/999999/add -d doc=$A)" 404
check "an id that is no number: 404" is "$(as_code alice "$base/api/v1/collection/abc")" 404
check "collection 0: 404" is "$(as_code alice "$base/collection/0")" 404
check "no action: 404" is "$(post alice "/collection/$K")" 404
check "?sort=bad: 400" is "$(as_code visitor "$base/api/v1/collections?sort=bad")" 400
check "?user=abc: 400" is "$(as_code visitor "$base/api/v1/collections?user=abc")" 400
check "?mine=1 for a visitor: 401" is "$(as_code visitor "$base/api/v1/collections?mine=1")" 401
check "a visitor's POST (no session, no token): 403" is "$(post visitor /collections -d name=游客)" 403
check "add without a document: 400" is "$(post alice "/collection/$K/add")" 400
# collections per account: alice has 4, up to the 50th is fine, the 51st is refused
have=$(as alice "$base/api/v1/collections?mine=1" | jq .total)
for i in $(seq $((have + 1)) 50); do post alice /collections -d "name=第${i}个" > /dev/null; done
check "alice has 50 collections" is "$(as alice "$base/api/v1/collections?mine=1" | jq .total)" 50
check "the 51st: 409" is "$(post alice /collections -d name=第五十一个)" 409
check "the /me tab says so instead of the form" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/me/collections' | grep -q 每个账户最多50个专辑"
# documents per collection: 200 at most. The rows past alice's four are
# written straight into the store, for documents in the recycle bin
# written there too (no reader sees them; a PostgreSQL store checks its
# foreign keys); then P out (199), one more row (200), and P is refused
store_q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 197)
	INSERT INTO documents(id, filename, sha256, size, status, reason, state, created_at, updated_at)
	SELECT 1000000 + i, 'x.txt', 'x', 0, 3, 'x', 3, 0, 0 FROM n"
store_q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 196)
	INSERT INTO collection_items(collection_id, doc_id, position, added_at) SELECT $K, 1000000 + i, 4 + i, 0 FROM n"
check "the collection holds 200 rows" is "$(store_q "SELECT count(*) FROM collection_items WHERE collection_id = $K")" 200
check "remove P: 200" is "$(post alice "/collection/$K/remove" -d doc=$P)" 200
store_q "INSERT INTO collection_items VALUES($K, 1000197, 200, 0)"
check "full at 200: adding P back is 409" is "$(post alice "/collection/$K/add" -d doc=$P)" 409
store_q "DELETE FROM collection_items WHERE collection_id = $K AND doc_id > 1000000"
store_q "DELETE FROM documents WHERE id > 1000000"
check "with room, P goes back: at 4" bash -c "[ \"\$(curl -s -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/collection/$K/add' -d doc=$P | jq .position)\" = 4 ]"
check "the positions stayed 1..n through all that" is "$(store_q "SELECT count(*) || ',' || count(DISTINCT position) || ',' || min(position) || ',' || max(position) FROM collection_items WHERE collection_id = $K")" 4,4,1,4
check "the order is B, C, A, P" is "$(order alice "$K")" "[$B,$C,$A,$P]"
# moves at once: each is one transaction, so the positions stay 1..n
docsK=($B $C $A $P)
movers=()
for i in $(seq 40); do
	curl -s -o /dev/null -H "Authorization: Bearer $alice" -X POST "$base/api/v1/collection/$K/move" \
		-d "doc=${docsK[$((i % 4))]}" -d "to=$(((i * 7) % 4 + 1))" &
	movers+=($!)
done
wait "${movers[@]}"
check "after 40 moves at once the positions are 1..4" is "$(store_q "SELECT count(*) || ',' || count(DISTINCT position) || ',' || min(position) || ',' || max(position) FROM collection_items WHERE collection_id = $K")" 4,4,1,4
check "and the same four documents" is "$(as alice "$base/api/v1/collection/$K" | jq -c '[.documents[].id] | sort')" "$(jq -nc "[$B,$C,$A,$P] | sort")"
i=1; for n in $B $C $A $P; do post alice "/collection/$K/move" -d doc=$n -d to=$i > /dev/null; i=$((i + 1)); done
check "the order is B, C, A, P again" is "$(order alice "$K")" "[$B,$C,$A,$P]"
wy_fsck() { local rc=0; "$WY_BIN" --data "$data" fsck > "$d/fsck.out" 2>&1 || rc=$?; echo $rc; }
check "fsck is clean" is "$(wy_fsck)" 0
store_q "UPDATE collections SET favorites = favorites + 5 WHERE id = $K; UPDATE collection_items SET position = 9 WHERE collection_id = $K AND doc_id = $P"
check "fsck finds a wrong favorites count and a gap (exit 1)" is "$(wy_fsck)" 1
check "it names the count" grep -q "collection $K counts 6 favorites but has 1" "$d/fsck.out"
check "it names the gap" grep -q "collection $K has positions 1..9 for 4 documents" "$d/fsck.out"
store_q "UPDATE collections SET favorites = favorites - 5 WHERE id = $K; UPDATE collection_items SET position = 4 WHERE collection_id = $K AND doc_id = $P"
check "and is clean again" is "$(wy_fsck)" 0

# ---- CSRF: the page's forms carry the token ----
jar=$d/alice.jar
curl -fsS -c "$jar" -b "$jar" "$base/login" > "$d/login.html"
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$1" | head -1 | grep -o '[0-9a-f]\{64\}'; }
code -c "$jar" -b "$jar" -X POST "$base/login" -d name=alice -d password=alicepass1 -d "csrf=$(csrf_of "$d/login.html")" > /dev/null
curl -fsS -b "$jar" "$base/collection/$K" > "$d/k.html"
tok=$(csrf_of "$d/k.html")
check "a move without the token: 403" is "$(code -b "$jar" -X POST "$base/collection/$K/move" -d doc=$A -d to=1)" 403
check "nor through the API with the cookie: 403" is "$(code -b "$jar" -X POST "$base/api/v1/collection/$K/move" -d doc=$A -d to=1)" 403
check "the page's move form: 303 back to the collection" is "$(code -b "$jar" -X POST "$base/collection/$K/move" -d doc=$A -d to=1 -d "csrf=$tok")" 303
check "A moved first" is "$(order alice "$K")" "[$A,$B,$C,$P]"
check "the page's create form without the token: 403" is "$(code -b "$jar" -X POST "$base/collections" -d name=偷偷)" 403
check "the page's edit form empties the description" is "$(code -b "$jar" -X POST "$base/collection/$K/edit" -d form=1 -d name=唐诗选 -d public=1 -d "csrf=$tok")" 303
check "the description is empty" is "$(as alice "$base/api/v1/collection/$K" | jq -r .description)" ""

# ---- a document gone from the store leaves no gap ----
if [ -n "${WENYUAN_STORE_URL:-}" ]; then
	store_q "DELETE FROM documents WHERE id = $B"
else
	store_q "PRAGMA foreign_keys=ON; DELETE FROM documents WHERE id = $B"
fi
check "A, C and P close up: positions 1, 2, 3" is "$(order alice "$K") $(positions alice "$K")" "[$A,$C,$P] [1,2,3]"

# ---- delete ----
check "bob's delete is refused: 403" is "$(post bob "/collection/$K2/delete")" 403
check "alice deletes the second: 200" is "$(post alice "/collection/$K2/delete")" 200
check "it is gone: 404" is "$(as_code alice "$base/api/v1/collection/$K2")" 404
check "its rows are gone" is "$(store_q "SELECT count(*) FROM collection_items WHERE collection_id = $K2")" 0
check "the admin may delete a public one: 200" is "$(post boss "/collection/$K/delete")" 200
check "with an audit row" is "$(store_q "SELECT count(*) FROM audit WHERE action = 'collection_delete' AND target = '$K'")" 1
check "no 500 in the log" lacks ' status=500' "$d/serve.err"
finish

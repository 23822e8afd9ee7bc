#!/usr/bin/env bash
# Issue 12's findings about uploads and HTTP, on the real server, as an
# attacker would try them: uploading another account's bytes must neither
# reveal that someone has them nor stop anyone publishing them; an admin
# cannot favorite or reward a deleted document (nor reward a hidden or
# another's private one); junk Range headers are ignored and
# If-None-Match: * answers 304; a multipart body cut before its closing
# boundary is refused and stores nothing.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null

serve_site

# upload TOKEN FILE [curl -F args...] > JSON
upload() {
	local t=$1 f=$2; shift 2
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $t" "$@" -F "file=@$f"
}

alice=$(register alice alicepass1)
bob=$(register bobby bobbypass1)
carol=$(register carol carolpass1)
boss=$(curl -fsS -X POST "$base/api/v1/login" -d name=boss -d password=bosspass123 | jq -r .token)

# ---- the same bytes from another account: no oracle, a document of its own ----
# long enough for a fingerprint (near-duplicates are flagged by it)
{ printf '甲的私人文件，内容只有甲知道。%s\n' "$(date +%N)"
  for i in 1 2 3 4 5 6; do echo "第${i}段：文渊阁藏书之所，每一份文件都有它的主人和读者。"; done; } > "$d/secret.txt"
upload "$alice" "$d/secret.txt" -F private=1 -F 'title=甲的秘密' > "$d/a.json"
aid=$(jq -r '.documents[0].id' "$d/a.json")
check "alice's private upload is converted" wait_ready "$aid" "$alice"
upload "$bob" "$d/secret.txt" -F 'title=乙公开的文件' > "$d/b.json"
echo "# bob's answer: $(cat "$d/b.json")"
check "finding: the same bytes as another's private document do not answer existed" \
	jqe '.documents[0] | has("existed") | not' "$d/b.json"
bid=$(jq -r '.documents[0].id // empty' "$d/b.json")
check "finding: ... bob gets a new document of his own, queued" \
	bash -c "[ -n '$bid' ] && [ '$bid' != '$aid' ] && jq -e '.documents[0].status == \"queued\" and (has(\"error\") | not)' '$d/b.json' >/dev/null"
bid=${bid:-0}
check "finding: ... which is converted" wait_ready "$bid" "$bob"
check "finding: ... and visitors open it, under bob's title" \
	bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$base/doc/$bid') = 200 ] &&
		curl -fsS '$base/api/v1/doc/$bid' | jq -e '.title == \"乙公开的文件\" and .duplicate_of == null' >/dev/null"
check "finding: ... and download it" bash -c "curl -fsS -L '$base/download/$bid' | cmp -s - '$d/secret.txt'"
check "finding: ... while alice's stays private (404 to visitors and bob)" \
	bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$base/doc/$aid') = 404 ] &&
		[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' '$base/api/v1/doc/$aid') = 404 ] &&
		curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$aid' | jq -e '.private == true and .title == \"甲的秘密\"' >/dev/null"
check "finding: ... and nothing of alice's title reaches bob's document page" \
	bash -c "! curl -fsS -H 'Authorization: Bearer $bob' '$base/doc/$bid' | grep -q '甲的秘密'"
upload "$alice" "$d/secret.txt" > "$d/a2.json"
check "the same account uploading the same bytes again gets its own document back (existed)" \
	jqe --argjson id "$aid" '.documents[0].existed == true and .documents[0].id == $id' "$d/a2.json"
upload "$carol" "$d/secret.txt" -F 'title=丙的副本' > "$d/c.json"
cid=$(jq -r '.documents[0].id // 0' "$d/c.json")
check "a third account's copy is its own document too" \
	bash -c "[ '$cid' != 0 ] && [ '$cid' != '$aid' ] && [ '$cid' != '$bid' ]"
check "... converted" wait_ready "$cid" "$carol"
check "... flagged as a duplicate of the public copy (bob's), never of the private one" \
	bash -c "curl -fsS '$base/api/v1/doc/$cid' | jq -e '.duplicate_of == $bid' >/dev/null"
# a deleted document does not block its bytes either
printf '将被删除的文件。%s\n' "$(date +%N)" > "$d/gone.txt"
gid=$(upload "$alice" "$d/gone.txt" | jq -r '.documents[0].id')
wait_ready "$gid" "$alice"
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$gid" -d action=delete
upload "$bob" "$d/gone.txt" > "$d/g.json"
g2=$(jq -r '.documents[0].id // 0' "$d/g.json")
check "finding: the bytes of a deleted document make a new document, no existed" \
	bash -c "jq -e '.documents[0] | has(\"existed\") | not' '$d/g.json' >/dev/null && [ '$g2' != 0 ] && [ '$g2' != '$gid' ]"
wait_ready "$g2" "$bob" || true
check "... which visitors open once converted" [ "$(code "$base/doc/$g2")" = 200 ]

# ---- an admin and deleted, hidden or private documents ----
# dana: an admin with points to give (an admin does not give itself points)
dana=$(register dana danapass12)
dana_id=$(curl -fsS -H "Authorization: Bearer $dana" "$base/api/v1/me" | jq -r .user.id)
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/user" -d id="$dana_id" -d action=admin
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/user" -d id="$dana_id" -d action=points -d delta=100
printf '管理员测试文档。%s\n' "$(date +%N)" > "$d/del.txt"
did=$(upload "$alice" "$d/del.txt" | jq -r '.documents[0].id')
wait_ready "$did" "$alice"
printf '隐藏的文档。%s\n' "$(date +%N)" > "$d/hid.txt"
hid=$(upload "$alice" "$d/hid.txt" | jq -r '.documents[0].id')
wait_ready "$hid" "$alice"
check "an admin may reward a published document (200)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$did/reward" -d points=1)" = 200 ]
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$did" -d action=delete
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$hid" -d action=hide
points() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq .user.points; }
before=$(points "$dana")
check "finding: an admin cannot favorite a deleted document (404)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$did/favorite" -d on=1)" = 404 ]
check "finding: ... nor from the site's form (404)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/doc/$did/favorite" -d on=1)" = 404 ]
check "finding: an admin cannot reward a deleted document (404)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$did/reward" -d points=5)" = 404 ]
check "finding: ... nor a hidden one (404)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$hid/reward" -d points=5)" = 404 ]
check "finding: ... nor another's private one (404)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$aid/reward" -d points=5)" = 404 ]
check "finding: ... and no point moved" [ "$(points "$dana")" = "$before" ]
check "finding: the deleted document has no favorite" \
	[ "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM favorites WHERE doc_id = $did")" = 0 ]
check "an admin still favorites a hidden document it moderates (200)" \
	[ "$(code -H "Authorization: Bearer $dana" -X POST "$base/api/v1/doc/$hid/favorite" -d on=1)" = 200 ]

# ---- Range and If-None-Match ----
{ echo "字节范围测试 $(date +%N)"; for i in 1 2 3; do echo "第${i}行：用来检查范围请求和条件请求。"; done; } > "$d/range.txt"
rid=$(upload "$alice" "$d/range.txt" | jq -r '.documents[0].id')
check "a public document to fetch" wait_ready "$rid" "$alice"
sz=$(stat -c %s "$d/range.txt")
for r in 'bytes=--1' 'bytes=-+1' 'bytes=- 1' 'bytes=-	2' 'bytes=--0' 'bytes=-1-2' 'bytes=1--2' 'bytes=0-+1' 'bytes=+0-1' 'bytes=5-2'; do
	c=$(curl -s -L -o "$d/rg" -w '%{http_code}' -H "Range: $r" "$base/download/$rid")
	check "finding: a junk range '$r' is ignored: 200 with the whole file ($c)" \
		bash -c "[ '$c' = 200 ] && cmp -s '$d/rg' '$d/range.txt'"
done
check "a valid suffix range still answers 206 with its bytes" \
	bash -c "[ \$(curl -s -L -o '$d/rg' -w '%{http_code}' -H 'Range: bytes=-3' '$base/download/$rid') = 206 ] && cmp -s '$d/rg' <(tail -c 3 '$d/range.txt')"
check "a valid range still answers 206 ($sz bytes in all)" \
	bash -c "curl -s -L -D - -o /dev/null -H 'Range: bytes=0-1' '$base/download/$rid' | grep -qi '^content-range: bytes 0-1/$sz'"
img=$(curl -fsS "$base/api/v1/doc/$rid/pages" | jq -r '.items[0].image')
sha=$(curl -fsS "$base/api/v1/doc/$rid" | jq -r .sha256)
for path in "/download/$rid" "$img"; do
	check "finding: If-None-Match: * on an existing $path answers 304" \
		[ "$(code -L -H 'If-None-Match: *' "$base$path")" = 304 ]
	check "finding: ... on HEAD too" [ "$(code -I -H 'If-None-Match: *' "$base$path")" = 304 ]
done
check "finding: a weak validator of the same tag answers 304 (weak comparison)" \
	[ "$(code -L -H "If-None-Match: W/\"$sha\"" "$base/download/$rid")" = 304 ]
check "finding: ... and so does the tag in a list" \
	[ "$(code -L -H "If-None-Match: \"0\", \"$sha\"" "$base/download/$rid")" = 304 ]
check "another tag still gets the file (200)" [ "$(code -L -H 'If-None-Match: "0", W/"1"' "$base/download/$rid")" = 200 ]
check "If-None-Match: * on a missing document is still 404" [ "$(code -H 'If-None-Match: *' "$base/download/999999")" = 404 ]

# ---- a multipart body cut before its closing boundary ----
ndocs() { "$WY_BIN" --data "$data" list --json | jq length; }
ntmp() { find "$data/blobs/tmp" -type f | wc -l; }
blobs() { find "$data/blobs" -path "$data/blobs/tmp" -prune -o -type f -print | sort; }
for id in "$aid" "$bid" "$cid" "$g2" "$did" "$hid" "$rid"; do wait_ready "$id" "$boss" || true; done
docs0=$(ndocs)
blobs > "$d/blobs0"
check "no temporary blob before" [ "$(ntmp)" = 0 ]
B=wyboundary7MA4YWxkTrZu0gW
part() { # part NAME FILENAME CONTENT
	printf -- '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: text/plain\r\n\r\n%s' \
		"$B" "$1" "$2" "$3"
}
content="截断的上传内容$(date +%N)，没有结尾的分界线。"
{ part file cut1.txt "$content"; } > "$d/cut1"                                        # cut right after the bytes
{ part file cut2.txt "$content"; printf '\r\n'; } > "$d/cut2"                          # ... after their CRLF
{ part file cut3.txt "$content"; printf '\r\n--%s' "$B"; } > "$d/cut3"                 # ... inside the last delimiter
{ part file ok.txt "第一个完整的文件$(date +%N)"; printf '\r\n'; part file cut4.txt "$content"; } > "$d/cut4" # two files, the second cut
printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filena' "$B" > "$d/cut5" # inside a part's headers
for f in cut1 cut2 cut3 cut4 cut5; do
	c=$(curl -s -o "$d/$f.json" -w '%{http_code}' -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" \
		-H "Content-Type: multipart/form-data; boundary=$B" --data-binary "@$d/$f")
	echo "# $f: $c $(cat "$d/$f.json")"
	check "finding: a multipart body without its closing boundary ($f) is refused (400)" [ "$c" = 400 ]
	check "finding: ... saying why" jqe '.error | test("closing boundary")' "$d/$f.json"
done
check "finding: ... and no document was stored" [ "$(ndocs)" = "$docs0" ]
check "finding: ... no temporary blob is left" eventually [ "$(ntmp)" = 0 ]
check "finding: ... and no blob was added (not even the whole first file of cut4)" \
	eventually bash -c "$(declare -f blobs); data='$data'; cmp -s <(blobs) '$d/blobs0'"
check "finding: the same body with its closing boundary is stored (201)" \
	bash -c "{ cat '$d/cut2'; printf -- '--%s--\r\n' '$B'; } > '$d/whole' &&
		[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/upload' -H 'Authorization: Bearer $alice' \
			-H 'Content-Type: multipart/form-data; boundary=$B' --data-binary '@$d/whole') = 201 ]"
want=$(printf '%s' "$content" | sha256sum | cut -d' ' -f1)
check "... as exactly its bytes" jqe --arg s "$want" '[.[].sha256] | index($s) != null' <("$WY_BIN" --data "$data" list --json)
check "the server survived all of it" [ "$(code "$base/healthz")" = 200 ]
finish

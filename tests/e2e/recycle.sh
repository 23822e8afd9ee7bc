#!/usr/bin/env bash
# Issue 17: the recycle bin and the purge. An owner deletes a document (it
# is gone for everyone else, it waits in their recycle bin) and restores it;
# nobody else can; what an admin removed only an admin restores. An admin's
# purge removes the rows and frees the blobs (counted in the blob directory
# before and after), with an audit row, and fsck stays clean; recycle_days
# purges on its own (a short retention set as a setting; the periodic work
# runs every maintenance_seconds, here 1); and a purge racing an upload of
# the same bytes never takes the new document's blob away.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_BLOB_GRACE=1 WENYUAN_MAINTENANCE_SECONDS=1

db=$data/wenyuan.db
q() { sqlite3 -readonly "$db" "$1"; }
# text FILE: 800 random Han characters, unlike any other document
text() { perl -CS -e 'for (1 .. 20) { print map({ chr(0x4E00 + int(rand(0x4000))) } 1 .. 40), "\n" }' > "$1"; }
api() { # api TOKEN METHOD PATH [curl args...]: the body; the status in $d/status
	local t=$1 m=$2 p=$3; shift 3
	curl -sS -o "$d/body" -w '%{http_code}' -H "Authorization: Bearer $t" -X "$m" "$base$p" "$@" > "$d/status"
	cat "$d/body"
}
status() { cat "$d/status"; }
# the objects of the blob store (its tmp/ holds none)
nblobs() { find "$data/blobs" -path "$data/blobs/tmp" -prune -o -type f -print | wc -l; }
doc_blobs() { # the blob names document $1 refers to
	q "SELECT sha256 FROM documents WHERE id = $1 UNION SELECT thumb_sha256 FROM documents WHERE id = $1
	   AND thumb_sha256 IS NOT NULL AND thumb_sha256 != '' UNION SELECT image_sha256 FROM pages WHERE doc_id = $1"
}
blob_path() { echo "$data/blobs/${1:0:2}/${1:2:2}/$1"; }
fsck_clean() { "$WY_BIN" --data "$data" fsck > "$d/fsck.out" 2>&1 && grep -q ', 0 problems$' "$d/fsck.out"; }

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass12)
bob=$(register bob bobpass1234)
text "$d/a.txt"
text "$d/b.txt"
a=$(upload "$alice" "$d/a.txt")
b=$(upload "$alice" "$d/b.txt")
both_ready() { wait_ready "$a" "$alice" && wait_ready "$b" "$alice"; }
check "alice's two documents are ready" both_ready
{ cat "$d/a.txt"; echo '一字之差。'; } > "$d/acopy.txt"
ac=$(upload "$bob" "$d/acopy.txt")
check "bob's near-copy of a is ready, flagged a near-duplicate of a" \
	bash -c "$(declare -f wait_doc wait_ready); base=$base; wait_ready $ac $bob && [ \"\$(sqlite3 '$data/wenyuan.db' 'SELECT dup_of FROM documents WHERE id = $ac')\" = $a ]"

# ---- the owner deletes: gone for everyone else, in the owner's bin ----
check "the document page offers its owner a 删除 with a confirmation form" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$a' | grep -c 'action=\"/doc/$a/delete\"' >/dev/null"
check "... and so does each row of her uploads (/me/uploads)" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/me/uploads' | grep -c 'action=\"/doc/$b/delete\"' >/dev/null"
curl -fsS -H "Authorization: Bearer $bob" "$base/doc/$a" > "$d/bobpage.html"
check "... and nobody else" lacks "/doc/$a/delete" "$d/bobpage.html"
check "another user's delete is refused (404: not theirs)" \
	[ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$a/delete")" = 404 ]
check "... and a visitor's (401 or 403: no account, no session)" bash -c "case \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/doc/$a/delete') in 401 | 403) exit 0 ;; esac; exit 1"
check "the owner deletes it (200, state deleted)" \
	bash -c "[ \"\$(curl -sS -o '$d/del.json' -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$a/delete')\" = 200 ] && jq -e '.state == \"deleted\"' '$d/del.json' >/dev/null"
check "the deleted document answers 404 to another user" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/doc/$a")" = 404 ]
check "... and to a visitor, page and JSON" \
	[ "$(code "$base/doc/$a") $(code "$base/api/v1/doc/$a")" = "404 404" ]
check "... and is in no listing" bash -c "! curl -fsS '$base/api/v1/documents' | jq -e '.documents[] | select(.id == $a)' >/dev/null"
api "$alice" GET /api/v1/me/recycle > "$d/bin.json"
check "it is in the owner's recycle bin (/me/recycle), restorable" \
	jqe ".recycled | map(select(.id == $a and .restorable and .deleted_by == \"owner\")) | length == 1" "$d/bin.json"
check "the recycle tab lists it on the page with a restore form" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/me/recycle' | grep -c 'action=\"/doc/$a/restore\"' >/dev/null"
check "another user cannot restore it (404)" \
	[ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$a/restore")" = 404 ]
check "the owner restores it (200, published)" \
	bash -c "[ \"\$(curl -sS -o '$d/res.json' -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$a/restore')\" = 200 ] && jq -e '.state == \"published\"' '$d/res.json' >/dev/null"
check "... and others see it again" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/doc/$a")" = 200 ]
check "restoring what is not in the bin is refused (409)" \
	[ "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/$a/restore")" = 409 ]

# ---- what an admin removed, only an admin restores ----
check "an admin deletes it" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$a" -d action=delete)" = 200 ]
api "$alice" GET /api/v1/me/recycle > "$d/bin2.json"
check "... it is in its owner's bin, not restorable by them" \
	jqe ".recycled | map(select(.id == $a and (.restorable | not) and .deleted_by == \"admin\")) | length == 1" "$d/bin2.json"
check "the owner's restore is refused (403, with the rule)" \
	bash -c "[ \"\$(curl -sS -o '$d/r403.json' -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$a/restore')\" = 403 ] && jq -e '.error | test(\"管理员\")' '$d/r403.json' >/dev/null"
check "an admin restores it" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$a" -d action=restore)" = 200 ]
check "an admin hides it, its owner deletes it: the owner cannot restore it either" bash -c "
	[ \"\$(curl -sS -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$a -d action=hide)\" = 200 ] &&
	[ \"\$(curl -sS -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$a/delete')\" = 200 ] &&
	[ \"\$(curl -sS -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$a/restore')\" = 403 ]"

# ---- the admin's purge: rows gone, blobs gone, an audit row ----
check "purging a document that is not in the bin is refused (400)" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$b" -d action=purge)" = 400 ]
check "... and a user cannot purge (404)" \
	[ "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/admin/doc" -d id="$a" -d action=purge)" = 404 ]
mapfile -t blobs_a < <(doc_blobs "$a")
before=$(nblobs)
rows() { q "SELECT (SELECT count(*) FROM documents WHERE id = $1) + (SELECT count(*) FROM pages WHERE doc_id = $1)
	+ (SELECT count(*) FROM jobs WHERE doc_id = $1) + (SELECT count(*) FROM outlines WHERE doc_id = $1)
	+ (SELECT count(*) FROM minhash_bands WHERE doc_id = $1) + (SELECT count(*) FROM favorites WHERE doc_id = $1)"; }
echo "# document $a: ${#blobs_a[@]} blobs of its own, $(rows "$a") rows; the blob store holds $before objects"
check "an admin purges it from the bin (200)" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$a" -d action=purge)" = 200 ]
check "its rows are gone (document, pages, jobs, outline, fingerprint, favorites)" [ "$(rows "$a")" = 0 ]
check "... and its search rows: its text finds nothing" bash -c "
	w=\$(head -c 12 '$d/a.txt'); curl -fsS -G '$base/api/v1/search' --data-urlencode \"q=\$w\" -H 'Authorization: Bearer $boss' | jq -e '[.results[]? | select(.id == $a)] | length == 0' >/dev/null"
check "it answers 404 even to an admin" [ "$(code -H "Authorization: Bearer $boss" "$base/api/v1/doc/$a")" = 404 ]
check "bob's near-copy is a duplicate of nothing now" [ "$(q "SELECT coalesce(dup_of, 0) FROM documents WHERE id = $ac")" = 0 ]
gone() { for s in "${blobs_a[@]}"; do [ ! -e "$(blob_path "$s")" ] || return 1; done; }
check "its blobs are removed from the blob store (each one, within 10 s)" eventually gone
after=$(nblobs)
echo "# blob store: $before objects before the purge, $after after"
check "the blob count fell by exactly its blobs ($before - ${#blobs_a[@]} = $after)" [ $((before - ${#blobs_a[@]})) = "$after" ]
check "the audit log has a purge row for it" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/audit' |
	jq -e '[.entries[] | select(.action == \"purge\" and .target == \"doc $a\" and .admin == \"boss\")] | length == 1' >/dev/null"
check "fsck is clean after the purge" fsck_clean
check "the other document of the same owner is untouched" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/doc/$b")" = 200 ]

# ---- recycle_days: the bin empties itself ----
check "an admin sets recycle_days to 0.00003 (about 2.6 s)" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/settings" -d recycle_days=0.00003)" = 200 ]
check "... a bad value is refused (400)" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/settings" -d recycle_days=-1)" = 400 ]
text "$d/c.txt"
c=$(upload "$alice" "$d/c.txt")
check "a third document is ready" wait_ready "$c" "$alice"
mapfile -t blobs_c < <(doc_blobs "$c")
check "its owner deletes it" [ "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/$c/delete")" = 200 ]
purged_c() { [ "$(q "SELECT count(*) FROM documents WHERE id = $c")" = 0 ]; }
check "it is purged on its own once recycle_days have passed (within 30 s)" bash -c "
	$(declare -f q purged_c); db='$db'; c=$c
	for _ in \$(seq 300); do purged_c && exit 0; sleep 0.1; done; exit 1"
check "... with an audit row of the automatic purge (no admin, recycle_days)" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/audit' |
	jq -e '[.entries[] | select(.action == \"purge\" and .target == \"doc $c\" and .admin == \"\" and (.detail | test(\"recycle_days\")))] | length == 1' >/dev/null"
gone_c() { for s in "${blobs_c[@]}"; do [ ! -e "$(blob_path "$s")" ] || return 1; done; }
check "... and its blobs freed" eventually gone_c
check "an admin sets recycle_days back to 30" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/settings" -d recycle_days=30)" = 200 ]

# ---- a purge racing an upload of the same bytes ----
# Each round: alice's document of new bytes is deleted; then, at once, the
# admin purges it and bob uploads the very same bytes. Bob's document must
# keep its original whichever comes first.
rounds=8 lost=0
declare -a raced
for i in $(seq $rounds); do
	text "$d/r$i.txt"
	x=$(upload "$alice" "$d/r$i.txt")
	wait_ready "$x" "$alice" || { bad "round $i: alice's document is ready"; continue; }
	code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/$x/delete" > /dev/null
	sha=$(q "SELECT sha256 FROM documents WHERE id = $x")
	code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id="$x" -d action=purge > "$d/purge$i" &
	pp=$!
	y=$(upload "$bob" "$d/r$i.txt")
	wait "$pp"
	raced+=("$y")
	if [ "$(cat "$d/purge$i")" != 200 ] || [ "${y:-null}" = null ]; then
		lost=$((lost + 1)); echo "# round $i: purge $(cat "$d/purge$i"), upload ${y:-none}"; continue
	fi
	# the purge freed its blobs before it answered: what is there now stays
	# (bob's document refers to it: no later collection removes it)
	[ -e "$(blob_path "$sha")" ] || { lost=$((lost + 1)); echo "# round $i: bob's document $y lost its original $sha"; }
done
check "in $rounds races of a purge and an upload of the same bytes, every new document keeps its original" [ "$lost" = 0 ]
all_ready() { for y in "${raced[@]}"; do wait_ready "$y" "$bob" || return 1; done; }
check "... and every one of them converts (its original readable)" all_ready
check "... bob downloads the bytes he uploaded" bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/download/${raced[0]}' | cmp -s - '$d/r1.txt'"
check "fsck is clean at the end (no blob missing, no orphan, ledger sound)" fsck_clean
sed 's/^/# /' "$d/fsck.out" | tail -3

# ---- wenyuan gc: the same collector, from the command line ----
# (the site stopped: its own collection, every second here, would come first)
kill "$spid" && wait "$spid" || true
# an orphan two hours old (what a crash between storing and recording
# leaves) and a young one (an upload in flight)
orphan() { # orphan TEXT AGE: an object nothing refers to, its name in $sha
	printf '%s' "$1" > "$d/o"
	sha=$(sha256sum "$d/o" | cut -d' ' -f1)
	mkdir -p "$(dirname "$(blob_path "$sha")")"
	cp "$d/o" "$(blob_path "$sha")"
	touch -d "$2" "$(blob_path "$sha")"
}
orphan "一个两小时前的孤儿对象" "2 hours ago"
old_sha=$sha
orphan "一个刚写入的对象" "now"
young_sha=$sha
"$WY_BIN" --data "$data" fsck > "$d/fsck3.out" 2>&1 || true
check "fsck reports the old orphan" grep -q "blob $old_sha is an orphan" "$d/fsck3.out"
check "wenyuan gc (blob_grace 3600 s) removes it and keeps the young one" bash -c "
	'$WY_BIN' --data '$data' gc > '$d/gc.out' 2>&1 && grep -q ', 1 removed$' '$d/gc.out' &&
	[ ! -e '$(blob_path "$old_sha")' ] && [ -e '$(blob_path "$young_sha")' ]"
sed 's/^/# /' "$d/gc.out"
check "fsck is clean after gc" fsck_clean
finish

#!/usr/bin/env bash
# Backup and restore of a library in use: `wenyuan backup` while documents
# are uploaded and the site is browsed; the backup checks sound; restored
# into a new directory, `fsck` is clean and every document is as it was in
# the library (same file, title, status, text); a second backup copies only
# the new objects; a damaged object or database is found; restore refuses a
# directory that holds a library.
source "$(dirname "$0")/lib.bash"

new_library
for i in 1 2 3; do
	printf '备份测试文档%s\n第%s份文档的正文：文渊把每一页都变成图片和文字。\n' "$i" "$i" > "$d/doc$i.txt"
done
"$WY_BIN" --data "$data" add "$d/doc1.txt" "$d/doc2.txt" "$d/doc3.txt" > /dev/null
serve_site
token=$(register uploader password-123)

# Uploads and page views go on while the backup runs.
(
	for i in $(seq 4 15); do
		printf '备份时上传的文档%s\n上传于备份进行时，第%s份。\n' "$i" "$i" > "$d/up$i.txt"
		upload "$token" "$d/up$i.txt" > /dev/null || true
		curl -s -o /dev/null "$base/" || true
		curl -s -o /dev/null "$base/doc/1" || true
	done
) &
busy=$!
set +e
"$WY_BIN" --data "$data" backup "$d/b" > "$d/backup1.out"
rc=$?
set -e
wait $busy
cat "$d/backup1.out"
check "backup while uploads go on: exit 0" [ "$rc" -eq 0 ]
check "the backup has its MANIFEST with the database's checksum" grep -qE '^wenyuan.db [0-9a-f]{64} [0-9]+$' "$d/b/MANIFEST"
check "backup --verify: sound" grep -q 'is sound' <("$WY_BIN" backup "$d/b" --verify)

# Restore into a new directory: fsck clean; every document as in the library.
set +e
"$WY_BIN" restore "$d/b" --data "$d/r" > "$d/restore.out"
rc=$?
set -e
cat "$d/restore.out"
check "restore: exit 0" [ "$rc" -eq 0 ]
check "the restored library is fsck-clean" "$WY_BIN" --data "$d/r" fsck
"$WY_BIN" --data "$d/r" list --json > "$d/r.json"
"$WY_BIN" --data "$data" list --json > "$d/now.json"
n=$(jq length "$d/r.json")
echo "# restored $n documents; the library has $(jq length "$d/now.json") now"
check "the restored library has the documents from before the backup" [ "$n" -ge 3 ]
# (one still converting at the backup's moment gets its title when ready)
check "each restored document is the library's (file; title when ready)" jqe --slurpfile now "$d/now.json" \
	'all(.[]; . as $r | any($now[0][]; .id == $r.id and .sha256 == $r.sha256 and
		($r.status != "ready" or .title == $r.title)))' "$d/r.json"
same_text=0
for id in $(jq -r '.[] | select(.status == "ready") | .id' "$d/r.json"); do
	cmp -s <("$WY_BIN" --data "$d/r" text "$id") <("$WY_BIN" --data "$data" text "$id") && same_text=$((same_text + 1))
done
check "every ready restored document has the library's text" \
	[ "$same_text" -eq "$(jq '[.[] | select(.status == "ready")] | length' "$d/r.json")" ]
check "the restored site shows a document" bash -c "'$WY_BIN' --data '$d/r' info 1 | grep -q 备份测试文档1"

# A second backup copies only what is new.
printf '第二次备份之前的新文档\n新的内容。\n' > "$d/late.txt"
upload "$token" "$d/late.txt" > "$d/late.id"
wait_ready "$(cat "$d/late.id")" "$token"
"$WY_BIN" --data "$data" backup "$d/b" > "$d/backup2.out"
cat "$d/backup2.out"
copied=$(sed -E 's/.* ([0-9]+) copied.*/\1/' "$d/backup2.out")
there=$(sed -E 's/.* ([0-9]+) already there.*/\1/' "$d/backup2.out")
check "the second backup copies only new objects" [ "$copied" -ge 1 -a "$there" -ge 3 ]

# Damage is found.
blob=$(find "$d/b/blobs" -type f -path '*/[0-9a-f][0-9a-f]/*' -print -quit)
printf 'x' | dd of="$blob" bs=1 seek=0 conv=notrunc 2>/dev/null
check "a damaged object: --verify exits 1" fails_with "damaged" "$WY_BIN" backup "$d/b" --verify
check "and names it" grep -q "$(basename "$blob") does not hash" <("$WY_BIN" backup "$d/b" --verify)
printf 'x' | dd of="$d/b/wenyuan.db" bs=1 seek=100 conv=notrunc 2>/dev/null
check "a changed database: --verify says so" grep -q 'not the database the MANIFEST names' \
	<("$WY_BIN" backup "$d/b" --verify)
check "restore refuses a directory that holds a library" fails_with "already holds a library" \
	"$WY_BIN" restore "$d/b" --data "$d/r"
check "backup without a destination prints its usage" fails_with "usage" "$WY_BIN" --data "$data" backup

finish

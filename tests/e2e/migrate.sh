#!/usr/bin/env bash
# `wenyuan migrate`: the samples library (with an account, a session, a
# search and a long document) copied into another store and blob store
# gives the same `list --json`, the same search answers, and passes fsck;
# every table is the same at both ends (count and checksum); run again it
# copies nothing; after documents are added it copies only theirs; killed
# in the middle (while objects are copied, then while tables are), the same
# command finishes the copy with nothing copied twice; a destination used
# since a copy (a sign-in there) is refused and keeps its rows; so is one
# holding another library, and the library itself.
#
# The destination is a new SQLite directory, or, when WENYUAN_TEST_PG names
# a cluster (tests/pg/cluster.sh url), a new database on it. Its blobs go
# to a directory, or to WY_MIGRATE_TO_BLOB's location when set (s3://...):
# migrate does not care which backends are at either end.
source "$(dirname "$0")/lib.bash"

new_library
# the source is a one-machine library (SQLite and a directory) whatever
# the destination: new_library's PostgreSQL store is not for it
unset WENYUAN_STORE_URL
"$WY_SRC/scripts/samples.sh" "$WY_BIN" "$data" > "$d/samples.out"
check "the samples are ready" [ "$(grep -c '^ready' "$d/samples.out")" -eq 4 ]
# a long document: hundreds of pages, hundreds of objects
python3 - "$d/long.txt" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("迁移测试长文档\n")
    for i in range(1500):
        f.write("第%d段：文渊阁藏书，经史子集四部，迁移之后一行不少。\n" % i * 3)
EOF
"$WY_BIN" --data "$data" add "$d/long.txt" > /dev/null
# an account, its session and a search, through the site
serve_site
token=$(register migrant password-123)
check "an account registered" [ -n "$token" -a "$token" != null ]
curl -fsS -o /dev/null "$base/search?q=%E6%96%87%E6%B8%8A" || true
kill "$spid" && wait "$spid" 2>/dev/null || true
spid=

# A new destination each time: a directory, or a database of the cluster.
n_dest=0
new_dest() {
	n_dest=$((n_dest + 1))
	if [ -n "${WENYUAN_TEST_PG:-}" ]; then
		local db=wy_migrate_$$_$n_dest
		psql -q "$WENYUAN_TEST_PG" -c "CREATE DATABASE $db" > /dev/null
		dest_store=${WENYUAN_TEST_PG/\/\/\/postgres?/\/\/\/$db?}
	else
		dest_store=$d/dest$n_dest
	fi
	if [ -n "${WY_MIGRATE_TO_BLOB:-}" ]; then
		dest_blob=$WY_MIGRATE_TO_BLOB/mig$$-$n_dest
	else
		dest_blob=$d/dest$n_dest-blobs
	fi
}
# wy_at ARGS...: wenyuan on the destination
wy_at() { "$WY_BIN" --data "$d/dest-data" --store_url="$dest_store" --blob_url="$dest_blob" "$@"; }
mkdir -p "$d/dest-data"

new_dest
set +e
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/m1.out" 2> "$d/m1.err"
rc=$?
set -e
cat "$d/m1.out" "$d/m1.err"
check "migrate: exit 0" [ "$rc" -eq 0 ]
check "migrate: every table the same at both ends" lacks "NOT THE SAME" "$d/m1.out"
check "migrate: the accounts and sessions copied" \
	grep -qE '^(users|sessions) +[1-9][0-9]* rows, [1-9][0-9]* copied now' "$d/m1.out"
check "migrate: the objects copied and re-hashed" \
	grep -qE '^objects: [1-9][0-9]* referred to, [1-9][0-9]* copied .* 0 missing, 0 damaged' "$d/m1.out"
check "migrate: the destination passes fsck" grep -q '^fsck: [0-9]* blobs referenced, 0 problems' "$d/m1.out"
"$WY_BIN" --data "$data" list --json > "$d/src.json"
wy_at list --json > "$d/dst.json"
check "the same list --json at both ends" cmp "$d/src.json" "$d/dst.json"
check "the destination: wenyuan fsck clean" wy_at fsck
for q in 文渊阁 四库全书 迁移; do
	"$WY_BIN" --data "$data" search "$q" --json | jq -c '[.results[]? | .id]' > "$d/s-src"
	wy_at search "$q" --json | jq -c '[.results[]? | .id]' > "$d/s-dst"
	check "search $q: the same documents at both ends" cmp "$d/s-src" "$d/s-dst"
done
check "the account is at the destination" \
	[ "$(wy_at user list --json | jq '[.[] | select(.name == "migrant")] | length')" -eq 1 ]

# Again: nothing to copy.
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/m2.out"
check "run again: no object copied, all there and re-hashed" \
	grep -qE '^objects: ([0-9]+) referred to, 0 copied \(0 bytes\), \1 already there' "$d/m2.out"
check "run again: no row copied" grep -q '^migrate: 0 rows and 0 objects copied' "$d/m2.out"

# New documents in the library: only theirs copied.
printf '迁移之后新增的文档\n只有它的行和对象会被复制。\n' > "$d/new.txt"
"$WY_BIN" --data "$data" add "$d/new.txt" > /dev/null
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/m3.out"
cat "$d/m3.out"
check "after an add: one document copied" grep -qE '^documents +[0-9]+ rows, 1 copied now' "$d/m3.out"
check "after an add: the old pages stay, the new one copied" grep -qE '^pages +[0-9]+ rows, 1 copied now' "$d/m3.out"
"$WY_BIN" --data "$data" list --json > "$d/src.json"
wy_at list --json > "$d/dst.json"
check "after an add: the same list --json" cmp "$d/src.json" "$d/dst.json"

# The site run at the destination since (an account signed in there, and
# its sign-in for points): the same command refuses before writing
# anything and names the tables; what the destination holds stays.
dest_q() {
	if [ -n "${WENYUAN_TEST_PG:-}" ]; then
		psql -qAtX "$dest_store" -c "$1"
	else
		sqlite3 "$dest_store/wenyuan.db" "$1"
	fi
}
used_rows() { for t in sessions signins ledger settings; do echo "$t $(dest_q "SELECT count(*) FROM $t")"; done; }
src_data=$data
data=$d/dest-data
serve_site "WENYUAN_STORE_URL=$dest_store" "WENYUAN_BLOB_URL=$dest_blob"
there=$(api_login migrant password-123)
check "the destination signs the account in" [ -n "$there" -a "$there" != null ]
check "a sign-in for points at the destination" \
	curl -fsS -o /dev/null -X POST "$base/api/v1/me/signin" -H "Authorization: Bearer $there"
kill "$spid" && wait "$spid" 2>/dev/null || true
spid=
data=$src_data
used_rows > "$d/used-before"
cat "$d/used-before"
check "the destination's own rows: a sign-in and its points" \
	[ "$(grep -E '^(signins|ledger) ' "$d/used-before" | grep -c ' [1-9]')" -eq 2 ]
set +e
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/u.out" 2> "$d/u.err"
rc=$?
set -e
cat "$d/u.out" "$d/u.err"
check "a used destination: refused, exit 2" [ "$rc" -eq 2 ]
check "a used destination: the tables named" grep -qE 'not this library.s first ones.*in .*sessions, ledger, signins' "$d/u.err"
check "a used destination: not told to run again" lacks "run the same command again" "$d/u.err"
check "a used destination: nothing copied, no table emptied" \
	[ "$(grep -cE '^objects:|emptied| rows, ' "$d/u.out")" -eq 0 ]
used_rows > "$d/used-after"
check "a used destination: its rows stay" cmp "$d/used-before" "$d/used-after"

# Killed while it copies (into a new destination): the same command
# finishes, copying nothing twice.
objects_total=$(grep -oE '^objects: [0-9]+' "$d/m3.out" | grep -oE '[0-9]+')
new_dest
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/k1.out" 2>&1 &
mpid=$!
# while the objects are copied: once some are there (a directory's
# objects are files; for a bucket, once its first line is out)
kill_objects() {
	if [ -d "$dest_blob" ]; then
		[ "$(find "$dest_blob" -type f | wc -l)" -ge 20 ]
	else
		grep -q . "$d/k1.out"
	fi
}
eventually kill_objects || true
kill -9 "$mpid" 2>/dev/null || true
wait "$mpid" 2>/dev/null || true
echo "# the first run, killed, had printed last: $(tail -1 "$d/k1.out")"
# then while the tables are copied
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/k2.out" 2>&1 &
mpid=$!
eventually grep -q '^objects: ' "$d/k2.out" || true
kill -9 "$mpid" 2>/dev/null || true
wait "$mpid" 2>/dev/null || true
echo "# the second run, killed, had printed last: $(tail -1 "$d/k2.out")"
set +e
"$WY_BIN" --data "$data" migrate --to-store "$dest_store" --to-blob "$dest_blob" > "$d/k3.out" 2>&1
rc=$?
set -e
cat "$d/k3.out"
check "after two kills: the same command finishes, exit 0" [ "$rc" -eq 0 ]
check "after two kills: every table the same" lacks "NOT THE SAME" "$d/k3.out"
# the second run was killed after its objects (all of them copied or
# there): the last copies none, finds each there; and it empties no table
# (a row of it copied twice would fail its key: the exit status says so)
check "after the kills: the last run copied no object, found every one there" \
	grep -qE "^objects: $objects_total referred to, 0 copied \(0 bytes\), $objects_total already there" "$d/k3.out"
# (a table no run reached yet still holds a new store's defaults: the
# last run may start that one over, not one an earlier run finished)
started_over_done() {
	local t
	for t in $(grep -oE '^[a-z_]+: the destination.s rows are not' "$d/k3.out" | cut -d: -f1); do
		grep -qE "^$t +[0-9]+ rows" "$d/k1.out" "$d/k2.out" && { echo "# $t copied again"; return 0; }
	done
	return 1
}
none_started_over() { ! started_over_done; }
check "after the kills: the last run started no finished table over" none_started_over
wy_at list --json > "$d/dst.json"
check "after the kills: the same list --json" cmp "$d/src.json" "$d/dst.json"
check "after the kills: fsck clean" wy_at fsck

# Refused: another library's destination, and the library itself.
other=$d/other
mkdir -p "$other"
printf '另一个文库的文档\n' > "$d/other.txt"
"$WY_BIN" --data "$other" add "$d/other.txt" > /dev/null
check "another library into the destination: refused" fails_with "not this library's first ones" \
	"$WY_BIN" --data "$other" migrate --to-store "$dest_store" --to-blob "$dest_blob"
check "into itself: refused" fails_with "the destination is the library itself" \
	"$WY_BIN" --data "$data" migrate --to-store "$data" --to-blob "$d/x"
check "without --to-blob: usage" fails_with "usage: wenyuan migrate" \
	"$WY_BIN" --data "$data" migrate --to-store "$d/y"
finish

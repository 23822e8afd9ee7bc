#!/usr/bin/env bash
# A 500 MB upload streams: the server's resident memory stays within a few
# MB of idle while the file goes through the post processor into the blob
# store, and what is stored is the file, byte for byte. The limit of the
# setting max_upload_mb refuses a larger one before reading it.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
spid=
trap 'kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
mkdir -p "$data"
echo 'bigpass123' | "$WY_BIN" --data "$data" user add big --password-stdin > /dev/null
# random bytes: nothing about them compresses or repeats; behind a
# compound file's signature, so that the upload's first gate (which
# refuses plain random bytes) lets them through to the converter
head -c $((500 << 20)) /dev/urandom > "$d/big.bin"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' | dd of="$d/big.bin" conv=notrunc status=none
want=$(sha256sum "$d/big.bin" | cut -d' ' -f1)

port=$(free_port)
# no worker: this is about the transfer, not the conversion of 500 MB
WENYUAN_MAX_UPLOAD_MB=600 "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker \
	> "$d/serve.out" 2> "$d/serve.err" &
spid=$!
base=http://127.0.0.1:$port
check "serve answers" wait_http "$base/healthz"
tok=$(curl -fsS -X POST "$base/api/v1/login" -d name=big -d password=bigpass123 | jq -r .token)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$spid/status"; }
# idle: after a few requests of every kind, so the threads and the store
# connections exist
for _ in 1 2 3 4 5 6 7 8; do curl -fsS -o /dev/null "$base/" -H "Authorization: Bearer $tok"; done
curl -fsS -o /dev/null -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" -F "file=@$0;filename=warmup.txt"
idle=$(steady_rss "$spid")
curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" -F "file=@$d/big.bin" > "$d/up.json" &
cpid=$!
peak=$idle
while kill -0 $cpid 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.05
done
wait $cpid
id=$(jq -r '.documents[0].id' "$d/up.json")
grow=$(((peak - idle) / 1024))
echo "# idle RSS $idle kB, peak during the 500 MB upload $peak kB (+$((peak - idle)) kB)"
check "the 500 MB upload is stored" eval '[ -n "$id" ] && [ "$id" != null ]'
check "resident memory stays within 8 MB of idle (+$grow MB)" [ "$grow" -lt 8 ]
check "the stored original is the file, byte for byte" \
	bash -c "curl -fsS -H 'Authorization: Bearer $tok' '$base/api/v1/doc/$id' | jq -e '.sha256 == \"$want\" and .size == $((500 << 20))' >/dev/null"
check "and its blob hashes to its name" bash -c "sha256sum '$data/blobs/${want:0:2}/${want:2:2}/$want' | grep -q '^$want '"
check "no temporary file is left" bash -c "[ -z \"\$(find '$data/blobs' -name 'obj.*')\" ]"
rm -f "$d/big.bin"

# past the limit: refused from its Content-Length, before it is read
head -c $((2 << 20)) /dev/urandom > "$d/two.bin"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' | dd of="$d/two.bin" conv=notrunc status=none
kill $spid; wait $spid 2>/dev/null || true
WENYUAN_MAX_UPLOAD_MB=1 "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker \
	> "$d/serve.out" 2> "$d/serve.err" &
spid=$!
check "serve answers again" wait_http "$base/healthz"
c=$(curl -s -o "$d/too.json" -w '%{http_code}' -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" -F "file=@$d/two.bin")
check "a file over max_upload_mb is refused (413) with a reason" bash -c "[ $c = 413 ] && jq -e '.error | test(\"limit\")' '$d/too.json' >/dev/null"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" -H 'Transfer-Encoding: chunked' -F "file=@$d/two.bin")
check "... also when its length is not said in advance" [ "$c" = 413 ]
check "nothing of it is stored" bash -c "[ \$(curl -fsS -H 'Authorization: Bearer $tok' '$base/api/v1/me/uploads' | jq .total) = 2 ] && [ -z \"\$(find '$data/blobs' -name 'obj.*')\" ]"
check "an upload without a session is refused (401)" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/upload" -F "file=@$0")" = 401 ]
check "the server still answers" wait_http "$base/healthz"
finish

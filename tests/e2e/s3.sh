#!/usr/bin/env bash
# A site whose blobs live in an S3 bucket (blob_url=s3://...) on a real
# radosgw (tests/s3/radosgw.sh; CMake's fixture starts it and names its
# bucket in WENYUAN_TEST_S3; skipped without one): uploads convert (the
# worker reads the original from the bucket), page images and downloads
# come back byte for byte, a download's Range fetches only that range, page
# images are answered by a redirect to a presigned URL when
# blob_redirect_seconds says so, after the access check (a private
# document's image is 404 to others, never redirected), fsck walks the
# bucket clean, an orphan put in the bucket is reported by fsck and removed
# by gc, fsck --verify re-hashes every blob from it, and a 500 MB upload
# keeps serve's memory within a few MB of idle while it goes to the bucket
# in parts; 10 slow readers of that original are streamed a piece at a
# time (nothing in the spool, about 1 MB of memory each), and a serve
# killed mid-upload leaves no spooled file.
source "$(dirname "$0")/lib.bash"
[ -n "${WENYUAN_TEST_S3:-}" ] || { echo "# skip: no S3 server (WENYUAN_TEST_S3)"; exit 77; }
# the fixture's server: its endpoint and keys
[ -z "${WY_S3_DIR:-}" ] || eval "$("$WY_SRC/tests/s3/radosgw.sh" env "$WY_S3_DIR")"

new_library
# a prefix of its own in the fixture's bucket; uploads spooled in $d/spool
prefix=e2e$(date +%s%N)
export WENYUAN_BLOB_URL=$WENYUAN_TEST_S3/$prefix
mkdir -p "$d/spool"
export TMPDIR=$d/spool
echo 'alicepass1' | "$WY_BIN" --data "$data" user add alice --password-stdin >/dev/null
echo 'bobpass123' | "$WY_BIN" --data "$data" user add bob --password-stdin >/dev/null
serve_site WENYUAN_MAX_UPLOAD_MB=600
alice=$(api_login alice alicepass1)
bob=$(api_login bob bobpass123)
check "/readyz: the bucket takes objects" [ "$(code "$base/readyz")" = 200 ]

printf '文渊阁的书放在桶里。第%s行\n' $(seq 1 40) > "$d/pub.txt"
id=$(upload "$alice" "$d/pub.txt")
check "an upload to the bucket converts" wait_ready "$id" "$alice" || { curl -s -H "Authorization: Bearer $alice" "$base/api/v1/doc/$id"; tail -20 "$d/serve.err"; }
printf '私有文档，只有上传者能看到。%s\n' "$(date +%N)" > "$d/private.txt"
pid=$(upload "$alice" "$d/private.txt" -F private=1)
check "a private upload converts" wait_ready "$pid" "$alice"

curl -s -L -H "Authorization: Bearer $alice" -o "$d/got" "$base/download/$id"
check "the download is the original, byte for byte" cmp -s "$d/got" "$d/pub.txt"
curl -s -L -H "Authorization: Bearer $alice" -D "$d/h" -o "$d/part" -H 'Range: bytes=3-10' "$base/download/$id"
check "a Range gets 206 and those bytes" bash -c "grep -q '^HTTP/1.1 206' '$d/h' && cmp -s '$d/part' <(tail -c +4 '$d/pub.txt' | head -c 8)"
size=$(stat -c %s "$d/pub.txt")
check "an unsatisfiable range answers 416" \
	[ "$(code -L -H "Authorization: Bearer $alice" -H "Range: bytes=$((size + 10))-" "$base/download/$id")" = 416 ]

curl -s -L -I -H "Authorization: Bearer $alice" "$base/download/$id" | tr -d '\r' > "$d/hh"
check "a HEAD of the download says its length" grep -qi "^content-length: $size\$" "$d/hh"

img=$(curl -fsS "$base/api/v1/doc/$id/pages" | jq -r '.items[0].image')
pimg=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$pid/pages" | jq -r '.items[0].image')
curl -s -D "$d/ih" -o "$d/img" "$base$img"
check "a page image comes through serve (200, WebP)" bash -c "grep -q '^HTTP/1.1 200' '$d/ih' && grep -qi '^content-type: image/webp' '$d/ih'"
check "... with its name as ETag" grep -q "^ETag: \"${img#/blob/}\"" "$d/ih"

# redirects to presigned URLs: serve again with the setting
restart() {
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	serve_site WENYUAN_MAX_UPLOAD_MB=600 "$@"
}
restart WENYUAN_BLOB_REDIRECT_SECONDS=120
curl -s -D "$d/rh" -o /dev/null "$base$img"
check "with blob_redirect_seconds, a page image is a 302" grep -q '^HTTP/1.1 302' "$d/rh"
loc=$(grep -i '^location:' "$d/rh" | tr -d '\r' | cut -d' ' -f2-)
check "... to a presigned URL of the bucket" bash -c "[[ '$loc' == *X-Amz-Signature=* && '$loc' == *${img#/blob/}* ]]"
check "... that the browser keeps no longer than half its life" grep -qi '^cache-control: private, max-age=60' "$d/rh"
curl -s -D "$d/bh" -o "$d/img2" "$loc"
check "... which gives the same image, without credentials" cmp -s "$d/img" "$d/img2"
check "... typed image/webp by the bucket (not application/octet-stream)" grep -qi '^content-type: image/webp' "$d/bh"
# the object itself was stored with its type
curl -s -I --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
	-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
	"$AWS_ENDPOINT_URL/${WENYUAN_BLOB_URL#s3://}/${img#/blob/}" > "$d/oh"
check "... as it was stored (Content-Type of the PUT)" grep -qi '^content-type: image/webp' "$d/oh"
check "a private document's image is 404 to another reader, not a redirect" \
	[ "$(code -H "Authorization: Bearer $bob" "$base$pimg")" = 404 ]
check "... and to a visitor" [ "$(code "$base$pimg")" = 404 ]
check "... and a redirect for its owner" [ "$(code -H "Authorization: Bearer $alice" "$base$pimg")" = 302 ]
# no worker from here: this is about the transfer, not the conversion of
# 500 MB (which would download it into the spool)
restart --no-worker

# 500 MB through serve into the bucket: spooled to $TMPDIR, sent in parts
rss() { awk '/^VmRSS/ {print $2}' "/proc/$spid/status"; }
head -c $((500 << 20)) /dev/urandom > "$d/big.bin"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' | dd of="$d/big.bin" conv=notrunc status=none
want=$(sha256sum "$d/big.bin" | cut -d' ' -f1)
for _ in 1 2 3 4 5 6 7 8; do curl -fsS -o /dev/null "$base/" -H "Authorization: Bearer $alice"; done
curl -fsS -o /dev/null -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F "file=@$0;filename=warmup.txt"
idle=$(steady_rss "$spid")
curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F "file=@$d/big.bin" > "$d/up.json" &
cpid=$!
peak=$idle
while kill -0 $cpid 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.05
done
wait $cpid
bid=$(jq -r '.documents[0].id' "$d/up.json")
grow=$(((peak - idle) / 1024))
echo "# idle RSS $idle kB, peak during the 500 MB upload to S3 $peak kB (+$((peak - idle)) kB)"
check "the 500 MB upload is stored" eval '[ -n "$bid" ] && [ "$bid" != null ]'
check "resident memory stays within 8 MB of idle (+$grow MB)" [ "$grow" -lt 8 ]
check "its record is the file" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$bid' | jq -e '.sha256 == \"$want\" and .size == $((500 << 20))' >/dev/null"
curl -s -L -H "Authorization: Bearer $alice" -o "$d/tailpart" -H "Range: bytes=$(((500 << 20) - 100))-" "$base/download/$bid"
check "the end of it comes back by Range" cmp -s "$d/tailpart" <(tail -c 100 "$d/big.bin")

# a whole download from the bucket is streamed a piece at a time as the
# client reads: 10 slow readers of the 500 MB original put nothing in the
# spool (once, each copied it whole there before its first byte) and keep
# serve's memory to about a piece (1 MB) each
open_spool() { # bytes of the files serve has open in the spool, unnamed ones too
	local f t n=0
	for f in /proc/"$spid"/fd/*; do
		t=$(readlink "$f" 2>/dev/null) || continue
		[[ $t == "$d/spool/"* ]] && n=$((n + $(stat -L -c %s "$f" 2>/dev/null || echo 0)))
	done
	echo "$n"
}
slow=()
for i in $(seq 10); do
	curl -s -L --limit-rate 200k -H "Authorization: Bearer $alice" -o "$d/slow$i" "$base/download/$bid" &
	slow+=($!)
done
spool_peak=0 rss_peak=$(rss) all_reading=0
for _ in $(seq 600); do # 60 s at most; over as soon as each has 256 kB
	n=$(open_spool)
	[ "$n" -gt "$spool_peak" ] && spool_peak=$n
	r=$(rss)
	[ "$r" -gt "$rss_peak" ] && rss_peak=$r
	[ "$spool_peak" -gt $((8 << 20)) ] && break # the flaw: stop before the disk fills
	all_reading=1
	for i in $(seq 10); do
		[ "$(stat -c %s "$d/slow$i" 2>/dev/null || echo 0)" -ge $((256 << 10)) ] || all_reading=0
	done
	[ "$all_reading" = 1 ] && break
	sleep 0.1
done
kill "${slow[@]}" 2>/dev/null || true
wait "${slow[@]}" 2>/dev/null || true
echo "# 10 slow downloads of 500 MB: spool peak $spool_peak bytes, RSS $idle kB idle, $rss_peak kB peak"
check "10 slow readers of a 500 MB original each got their first 256 kB" [ "$all_reading" = 1 ]
check "... while the spool held under 4 MB ($spool_peak bytes)" [ "$spool_peak" -lt $((4 << 20)) ]
check "... and serve's memory grew under 40 MB ($(((rss_peak - idle) / 1024)) MB)" [ $((rss_peak - idle)) -lt $((40 << 10)) ]
check "... and /healthz answers meanwhile" [ "$(code "$base/healthz")" = 200 ]
rm -f "$d"/slow*
got=$(curl -s -L -H "Authorization: Bearer $alice" "$base/download/$bid" | sha256sum | cut -d' ' -f1)
check "a whole download streamed in pieces is the original, byte for byte" [ "$got" = "$want" ]
curl -s -L -H "Authorization: Bearer $alice" -o "$d/mid" -H "Range: bytes=1048000-3146000" "$base/download/$bid"
check "a Range across pieces is those bytes" cmp -s "$d/mid" <(tail -c +1048001 "$d/big.bin" | head -c 2098001)

# a serve killed in the middle of an upload leaves no spooled file: the
# spool is unnamed (O_TMPFILE)
head -c $((40 << 20)) "$d/big.bin" > "$d/forty.bin"
curl -s --limit-rate 2M -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F "file=@$d/forty.bin" \
	-o /dev/null &
upid=$!
spooling() { [ "$(open_spool)" -gt 0 ]; }
check "an upload is being spooled" eventually spooling
kill -9 "$spid"
wait "$spid" 2>/dev/null || true
wait "$upid" 2>/dev/null || true
check "a serve killed mid-upload leaves nothing in the spool" bash -c "[ -z \"\$(ls -A '$d/spool')\" ]"
serve_site WENYUAN_MAX_UPLOAD_MB=600 --no-worker
rm -f "$d/big.bin" "$d/tailpart" "$d/mid" "$d/forty.bin"
check "no spooled file is left" bash -c "[ -z \"\$(ls -A '$d/spool')\" ]"
kill "$spid"
wait "$spid" 2>/dev/null || true
spid=
check "fsck walks the bucket clean" "$WY_BIN" --data "$data" fsck

# an orphan in the bucket (what a crash between storing and recording
# leaves), put there as any S3 client would: fsck reports it, gc removes it
printf '%s' "一个桶里的孤儿对象" > "$d/o"
osha=$(sha256sum "$d/o" | cut -d' ' -f1)
curl -fsS -X PUT --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
	-H "x-amz-content-sha256: $osha" --data-binary @"$d/o" "$AWS_ENDPOINT_URL/${WENYUAN_BLOB_URL#s3://}/$osha"
# (with no grace; S3's times are whole seconds: until it is past one)
reported() {
	"$WY_BIN" --data "$data" fsck --grace 0 > "$d/fsck.out" 2>&1
	grep -q "blob $osha is an orphan" "$d/fsck.out"
}
check "fsck reports the orphan in the bucket" eventually reported
gone() {
	WENYUAN_BLOB_GRACE=0 "$WY_BIN" --data "$data" gc > "$d/gc.out" 2>&1 && grep -q ', 1 removed$' "$d/gc.out"
}
check "wenyuan gc removes it from the bucket" eventually gone
check "... and fsck --verify is clean again (every blob re-hashed from the bucket)" "$WY_BIN" --data "$data" fsck --verify
finish

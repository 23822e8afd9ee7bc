#!/usr/bin/env bash
# Observability end to end: an upload's request id (X-Request-Id, checked
# like any header) reaches the worker's log lines about its job; the log's
# JSON lines each parse, with strings and numbers only; /metrics scraped
# while requests come in passes promtool (Debian's prometheus package) and
# shows what this test caused: a ready and a failed conversion, searches,
# a store failure and a blob failure.
source "$(dirname "$0")/lib.bash"
need_promtool

new_library
serve_site WENYUAN_LOG=info WENYUAN_LOG_FORMAT=json WENYUAN_SERVE_FLUSH_MS=50
tok=$(register watcher 'correct horse 7')
check "an account to upload with" [ -n "$tok" ]

# promcheck FILE: promtool reads FILE as a scraper would and finds nothing wrong.
promcheck() { "$promtool" check metrics < "$1" > "$1.promtool" 2>&1; }
# value FILE SERIES: the value of one series (name{labels} exactly), or nothing.
value() { awk -v s="$2" '$1 == s {print $2}' "$1"; }
# at_least FILE SERIES N: the series is there with a value of N or more.
at_least() { local v; v=$(value "$1" "$2"); [ -n "$v" ] && awk -v v="$v" -v n="$3" 'BEGIN {exit !(v + 0 >= n)}'; }
scrape() { curl -fsS -o "$1" "$base/metrics"; }

# ---- request ids ----
rid=e2e-$RANDOM-$RANDOM
printf '观测测试文档\n第二行文字，用来检查转换的计数。\n' > "$d/ok.txt"
# random bytes behind a compound file's signature: past the upload's first
# gate, then unrecognized by the converter
head -c $((100 << 10)) /dev/urandom > "$d/noise.bin"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' | dd of="$d/noise.bin" conv=notrunc status=none
curl -fsS -D "$d/up1.h" -o "$d/up1.json" -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" \
	-H "X-Request-Id: $rid" -F "file=@$d/ok.txt"
ok_id=$(jq -r '.documents[0].id' "$d/up1.json")
check "a valid X-Request-Id comes back as it was sent" grep -qix "x-request-id: $rid"$'\r' "$d/up1.h"
curl -fsS -D "$d/up2.h" -o "$d/up2.json" -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" \
	-H 'X-Request-Id: "bad" id;<x>' -F "file=@$d/noise.bin"
bad_id=$(jq -r '.documents[0].id' "$d/up2.json")
bad_rid=$(awk 'tolower($1) == "x-request-id:" {sub(/\r$/, "", $2); print $2}' "$d/up2.h")
hex16() { grep -qxE '[0-9a-f]{16}' <<<"$1"; }
check "an invalid X-Request-Id is replaced by a new id of 16 hex digits" hex16 "$bad_rid"
long=$(printf 'a%.0s' $(seq 65))
rid3=$(curl -fsS -D - -o /dev/null -H "X-Request-Id: $long" "$base/healthz" | awk 'tolower($1) == "x-request-id:" {sub(/\r$/, "", $2); print $2}')
check "an X-Request-Id longer than 64 characters is replaced" hex16 "$rid3"
rid4=$(curl -fsS -D - -o /dev/null "$base/healthz" | awk 'tolower($1) == "x-request-id:" {sub(/\r$/, "", $2); print $2}')
check "requests without one get different ids" bash -c '[ -n "$1" ] && [ "$1" != "$2" ]' _ "$rid4" "$rid3"
check "the document uploaded is ready" wait_ready "$ok_id" "$tok"
check "the noise uploaded fails" eval '! wait_ready "$bad_id" "$tok"'

# ---- /metrics during a load ----
scrape "$d/before.txt"
searches_before=$(value "$d/before.txt" wenyuan_search_seconds_count)
load() { # 40 requests of several routes, one after another
	for i in $(seq 40); do
		case $((i % 4)) in
		0) curl -s -o /dev/null "$base/" ;;
		1) curl -s -o /dev/null "$base/search?q=%E8%A7%82%E6%B5%8B" ;;
		2) curl -s -o /dev/null "$base/api/v1/search?q=%E6%96%87%E5%AD%97" ;;
		3) curl -s -o /dev/null "$base/doc/$ok_id" ;;
		esac
	done
}
loaders=()
for _ in 1 2 3 4; do load & loaders+=($!); done
scrapes_ok=0
for k in 1 2 3 4 5; do
	scrape "$d/during$k.txt" && promcheck "$d/during$k.txt" && scrapes_ok=$((scrapes_ok + 1))
done
for p in "${loaders[@]}"; do wait "$p"; done
check "promtool check metrics passes on every scrape made during the load" [ "$scrapes_ok" = 5 ]
scrape "$d/after.txt"
check "promtool check metrics passes after it" promcheck "$d/after.txt"
[ -s "$d/after.txt.promtool" ] && cat "$d/after.txt.promtool"
m=$d/after.txt
check "a ready txt conversion is counted" at_least "$m" 'wenyuan_conversions_total{format="txt",outcome="ready"}' 1
check "a failed conversion is counted" at_least "$m" 'wenyuan_conversions_total{format="unknown",outcome="failed"}' 1
check "the conversion time histogram has both" at_least "$m" wenyuan_conversion_seconds_count 2
check "its +Inf bucket is its count" \
	[ "$(value "$m" 'wenyuan_conversion_seconds_bucket{le="+Inf"}')" = "$(value "$m" wenyuan_conversion_seconds_count)" ]
check "the conversion time histogram is cumulative" awk -F'[ "]' \
	'/^wenyuan_conversion_seconds_bucket/ {if ($NF + 0 < last) exit 1; last = $NF + 0}' "$m"
check "the 80 searches of the load are timed" at_least "$m" wenyuan_search_seconds_count $((searches_before + 80))
check "converter restarts have their family" grep -qx '# TYPE wenyuan_converter_restarts_total counter' "$m"
check "no store error yet" [ "$(value "$m" wenyuan_store_errors_total)" = 0 ]
check "no blob error yet" [ "$(value "$m" wenyuan_blob_errors_total)" = 0 ]
check "every family has its HELP" bash -c '
	for f in wenyuan_conversions_total wenyuan_conversion_seconds wenyuan_ocr_batches_total \
		wenyuan_converter_restarts_total wenyuan_search_seconds wenyuan_store_errors_total wenyuan_blob_errors_total; do
		grep -q "^# HELP $f " "$1" || exit 1
	done' _ "$m"

# ---- a store failure and a blob failure, as the server meets them ----
# The counters' table gone: the scrape says the store did not answer
# (and is still well formed); once it is back, the failure is counted.
sqlite3 "$data/wenyuan.db" 'DROP TABLE counters;'
scrape "$d/nostore.txt"
check "a scrape whose store fails says so" grep -qx 'wenyuan_store_up 0' "$d/nostore.txt"
check "promtool check metrics passes on it too" promcheck "$d/nostore.txt"
sqlite3 "$data/wenyuan.db" 'CREATE TABLE counters(name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY(name, labels)) WITHOUT ROWID;'
scrape "$d/store.txt"
check "the store's failure is counted" at_least "$d/store.txt" wenyuan_store_errors_total 1
check "and the store answers again" grep -qx 'wenyuan_store_up 1' "$d/store.txt"
# A page image that the disk cannot give (a symbolic link to itself).
img=$(curl -fsS "$base/api/v1/doc/$ok_id" -H "Authorization: Bearer $tok" | jq -r '[.. | strings | select(startswith("/blob/"))][0]')
sha=${img#/blob/}
f=$data/blobs/${sha:0:2}/${sha:2:2}/$sha
check "the document has a page image on disk" [ -f "$f" ]
rm -f "$f" && ln -s "$sha" "$f"
check "the image the disk cannot read answers 503" [ "$(code "$base$img")" = 503 ]
scrape "$d/blob.txt"
check "the blob store's failure is counted" at_least "$d/blob.txt" wenyuan_blob_errors_total 1

# ---- the log ----
kill "$spid" && wait "$spid" 2>/dev/null || true
spid=
log=$d/serve.err
check "every log line is one JSON object of strings and numbers" python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    assert isinstance(o, dict), line
    for k, v in o.items():
        assert isinstance(v, (str, int, float)) and not isinstance(v, bool), (k, line)
    for k in ("time", "level", "event", "pid"):
        assert k in o, line
    n += 1
assert n > 100, n
' "$log"
# events NAME REQ: the log's events of that name with that request id, as
# "pid doc" lines
events() { jq -r --arg e "$1" --arg r "$2" 'select(.event == $e and .req == $r) | "\(.pid) \(.doc // "-") \(.status // "-")"' "$log"; }
serve_pid=$(jq -r 'select(.event == "serve.start") | .pid' "$log" | head -1)
check "the upload's access line carries its id" grep -qx "$serve_pid - 201" <(events http.request "$rid")
check "the upload's own line carries its id" grep -qx "$serve_pid $ok_id -" <(events upload.stored "$rid")
start=$(events job.start "$rid")
check "the worker's claim of its job carries the request id" grep -qx "[0-9]* $ok_id -" <<<"$start"
check "... and it is the worker's line, not the server's" bash -c '[ -n "$1" ] && [ "${1%% *}" != "$2" ]' _ "$start" "$serve_pid"
check "the worker's job.ready carries the request id" grep -qx "[0-9]* $ok_id -" <(events job.ready "$rid")
check "the failed job's line carries the id made for its upload" grep -qx "[0-9]* $bad_id -" <(events job.failed "$bad_rid")
check "no line of another request carries the id" bash -c '! jq -r --arg r "$1" --arg d "$2" \
	"select(.req == \$r and .doc != null and (.doc | tostring) != \$d) | .event" "$3" | grep -q .' _ "$rid" "$ok_id" "$log"
finish

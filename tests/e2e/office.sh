#!/usr/bin/env bash
# Office conversion under supervision: a converter killed in the middle of a
# job fails only that job, with a reason; the next jobs convert on a fresh
# converter; the original is kept and a retry converts it. The documents are
# flat OpenDocument files this test writes (no corpus needed).
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
for n in 1 2 3; do
	cat > "$d/报告$n.fodt" <<DOC
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>第${n}份报告：文渊的转换进程被杀死以后，其余的文档照常转换。</text:p></office:text></office:body></office:document>
DOC
done

mkdir -p "$d/tmp"
TMPDIR=$d/tmp WENYUAN_LOG=info "$WY_BIN" --data "$data" --workers=1 worker > "$d/worker.out" 2> "$d/worker.err" &
wpid=$!
trap 'kill $wpid 2>/dev/null || true' EXIT
"$WY_BIN" --data "$data" add --no-wait "$d/报告1.fodt" "$d/报告2.fodt" "$d/报告3.fodt" > "$d/add.out"

# Kill the office converter as soon as it is working on the first document
# (ours only: other tests may run converters at the same time). It starts
# LibreOffice, making its profile, only once it has a document: killed
# before that, the worker rightly hands the document to a fresh one.
killed=0
for _ in $(seq 300); do
	if compgen -G "$d/tmp/wy-office-*/profile" > /dev/null && pkill -KILL -P $wpid -x wy-office; then
		killed=1
		break
	fi
	sleep 0.05
done
check "an office converter was running and was killed" [ "$killed" -eq 1 ]

for _ in $(seq 600); do
	left=$("$WY_BIN" --data "$data" list --json | jq '[.[] | select(.status == "queued" or .status == "converting")] | length')
	[ "$left" -eq 0 ] && break
	sleep 0.2
done
"$WY_BIN" --data "$data" list --json > "$d/list.json"
check "every document settled" [ "$left" -eq 0 ]
jq -r '.[] | select(.status == "failed") | "# killed job: \(.reason)"' "$d/list.json"
check "the killed job failed with a reason" \
	jqe '[.[] | select(.status == "failed" and (.reason | test("killed|crashed|stopped")))] | length == 1' "$d/list.json"
check "the other jobs converted on a fresh converter" jqe '[.[] | select(.status == "ready")] | length == 2' "$d/list.json"
check "the worker itself survived" kill -0 $wpid

fid=$(jq '.[] | select(.status == "failed") | .id' "$d/list.json")
"$WY_BIN" --data "$data" retry --no-wait "$fid" > /dev/null
for _ in $(seq 600); do
	st=$("$WY_BIN" --data "$data" info "$fid" --json | jq -r .status)
	[ "$st" = ready ] || [ "$st" = failed ] && break
	sleep 0.2
done
check "the kept original converts on retry" [ "$st" = ready ]
check "its text is whole" grep -qF '的转换进程被杀死以后，其余的文档照常转换。' <("$WY_BIN" --data "$data" text "$fid")

conv=$(pgrep -P $wpid -x wy-office || true)
check "the worker keeps its converter between jobs" [ -n "$conv" ]
kill -TERM $wpid
wait $wpid || true
trap - EXIT
check "one converter replaced the killed one and served every later job" \
	[ "$(grep -c 'office.spawn' "$d/worker.err")" -eq 2 ]
# counted: what /metrics shows as wenyuan_converter_restarts_total (docs/observability.md)
restarts() { sqlite3 "$data/wenyuan.db" "SELECT CAST(coalesce(sum(value), 0) AS INTEGER) FROM counters
	WHERE name = 'wenyuan_converter_restarts_total' AND labels = 'cause=\"$1\"'"; }
check "the killed converter is counted as one restart for a crash" [ "$(restarts crash)" = 1 ]
check "and nothing was counted as recycled" [ "$(restarts recycle)" = 0 ]
check "no office converter outlives the worker" bash -c "! kill -0 $conv 2>/dev/null"
check "the converters' directories are removed" [ -z "$(ls -A "$d/tmp")" ]

# office_recycle: a converter is replaced after that many documents. (Run
# with a relative data directory and file names, as `make run` does.)
for n in 4 5; do sed "s/第3份/第${n}份/" "$d/报告3.fodt" > "$d/报告$n.fodt"; done
(cd "$d" && WENYUAN_LOG=info "$WY_BIN" --data data --workers=1 --office_recycle=1 add 报告4.fodt 报告5.fodt \
	> recycle.out 2> recycle.err)
check "both documents ready with recycling" [ "$(grep -c '^ready' "$d/recycle.out")" -eq 2 ]
check "a fresh converter for each document" [ "$(grep -c 'office.recycle' "$d/recycle.err")" -eq 2 ]
check "each replacement is counted as a recycle" [ "$(restarts recycle)" = 2 ]

# office_prestart: a running worker loads LibreOffice before any office
# document comes (and warms it with one of its own), and the first one is
# converted by that converter, not by one started for it.
sed "s/第3份/第6份/" "$d/报告3.fodt" > "$d/报告6.fodt"
TMPDIR=$d/tmp WENYUAN_OFFICE_PRESTART=1 WENYUAN_LOG=info "$WY_BIN" --data "$data" --workers=1 worker \
	> "$d/pre.out" 2> "$d/pre.err" &
wpid=$!
trap 'kill $wpid 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q 'office\.ready' "$d/pre.err" && break; sleep 0.1; done
check "with office_prestart the worker's converter says it is ready with no document" grep -q 'office\.ready' "$d/pre.err"
check "it was started ahead of any job" grep -q 'office.spawn .*prestart=1' "$d/pre.err"
"$WY_BIN" --data "$data" add --no-wait "$d/报告6.fodt" > /dev/null
pid6=$("$WY_BIN" --data "$data" list --json | jq '[.[].id] | max')
for _ in $(seq 600); do
	st=$("$WY_BIN" --data "$data" info "$pid6" --json | jq -r .status)
	[ "$st" = ready ] || [ "$st" = failed ] && break
	sleep 0.1
done
check "the document converts on it" [ "$st" = ready ]
check "its text is whole" grep -qE '第 ?6 ?份报告：文渊的转换进程被杀死以后' <("$WY_BIN" --data "$data" text "$pid6")
check "no other converter was started for it" [ "$(grep -c 'office.spawn' "$d/pre.err")" -eq 1 ]
kill -TERM $wpid
wait $wpid || true
trap - EXIT
check "the converter's directory is removed with the worker" [ -z "$(ls -A "$d/tmp")" ]

finish

#!/usr/bin/env bash
# Issue 12, "connection exhaustion": slow clients must not take every
# connection. Addresses that hold partial requests near the total cap
# leave room for a new address (the reserve: 1/8 of http_max_connections);
# a request whose headers trickle in is closed at http_header_timeout
# however often a byte comes; a body that trickles is closed
# (http_min_body_rate) while a slow but steady upload goes through.
# tests/heavy/conn.sh does the same with 1,000 connections.
source "$(dirname "$0")/lib.bash"
command -v python3 > /dev/null || { echo "skipped: python3 missing (scripts/deps.sh --test)"; exit 77; }
slow=$WY_SRC/tests/heavy/slowloris.py

d=$(tmpdir)
data=$d/data
spid=0
stop_server() {
	if [ "$spid" -gt 0 ] && kill -0 "$spid" 2>/dev/null; then
		kill -TERM "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	fi
	spid=0
}
trap 'stop_server; kill $(jobs -p) 2>/dev/null || true; rm -rf "$d"' EXIT
# start_server WENYUAN_SETTING=VALUE...: settings through the environment,
# which the binary before the fix (ed83140) ignores when it does not know
# them, so this test runs there too and shows the finding.
start_server() {
	port=$(free_port)
	env "$@" "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker >> "$d/serve.log" 2>&1 &
	spid=$!
	wait_http "http://127.0.0.1:$port/healthz"
}
# wait_file FILE SECONDS: until FILE exists.
wait_file() {
	local end=$((SECONDS + $2))
	while [ ! -e "$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}
mkdir -p "$data"
echo 'slowpass123' | "$WY_BIN" --data "$data" user add slow --password-stdin > /dev/null

# ---- the reserve: 4 addresses try 20 partial requests each (80) against a
# cap of 64, reconnecting what is closed; the header deadline is long here
# so that only the reserve can make room
check "the server starts with http_max_connections=64" \
	start_server WENYUAN_HTTP_MAX_CONNECTIONS=64 WENYUAN_HTTP_HEADER_TIMEOUT=60
python3 "$slow" 127.0.0.1 "$port" --conns 80 --sources 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 --mode line \
	--interval 1 --seconds 8 --reconnect --ready "$d/ready" > "$d/hold.json" &
holdpid=$!
check "the slow clients have tried their 80 connections" wait_file "$d/ready" 20
out=$(curl -sS -o /dev/null -m 5 --interface 127.0.0.6 -w '%{http_code} %{time_total}' \
	"http://127.0.0.1:$port/" 2>/dev/null) || true
echo "# a new address while 4 addresses hold partial requests: HTTP ${out% *} in ${out#* } s"
check "finding: connection exhaustion: 4 addresses under the per-address cap do not starve a new one (${out% *})" \
	[ "${out% *}" = 200 ]
wait "$holdpid" || true
echo "# slow clients: $(cat "$d/hold.json")"
check "finding: connection exhaustion: the 4 busy addresses were refused near the cap" \
	jqe '.closed_early > 0' "$d/hold.json"
stop_server

# ---- the header deadline: one byte of a request line every second
check "the server starts with http_header_timeout=2" start_server WENYUAN_HTTP_HEADER_TIMEOUT=2
python3 "$slow" 127.0.0.1 "$port" --conns 1 --sources 127.0.0.7 --mode line --interval 1 --seconds 12 \
	> "$d/trickle.json"
echo "# a request line trickling a byte a second: $(cat "$d/trickle.json")"
check "finding: connection exhaustion: a request trickling a byte a second is closed at the header deadline (2 s)" \
	jqe '.closed_by_server == 1 and .lived_max_s != null and .lived_max_s < 5' "$d/trickle.json"
check "a whole request is still answered" curl -fsS -o /dev/null -m 5 "http://127.0.0.1:$port/"

# ---- the body rate: two bytes a second of a form (1,024 bytes/s needed)
python3 "$slow" 127.0.0.1 "$port" --conns 1 --sources 127.0.0.8 --mode body --path /api/v1/login \
	--interval 0.5 --seconds 12 > "$d/body.json"
echo "# a body trickling two bytes a second: $(cat "$d/body.json")"
check "finding: connection exhaustion: a body trickling two bytes a second is closed (http_min_body_rate)" \
	jqe '.closed_by_server == 1 and .lived_max_s != null and .lived_max_s < 5' "$d/body.json"

# ---- a slow but steady upload (12 KB/s, about 4 s: two deadlines) goes on
base=http://127.0.0.1:$port
tok=$(curl -fsS -X POST "$base/api/v1/login" -d name=slow -d password=slowpass123 | jq -r .token)
for i in $(seq 600); do echo "慢速上传的第${i}行文字，检查稳定的慢速上传不会被切断。"; done > "$d/steady.txt"
code=$(curl -sS -o "$d/up.json" -m 30 --limit-rate 12k -w '%{http_code} %{time_total}' -X POST "$base/api/v1/upload" \
	-H "Authorization: Bearer $tok" -F "file=@$d/steady.txt") || true
echo "# $(stat -c %s "$d/steady.txt") bytes at 12 KB/s: HTTP $code"
check "a slow but steady upload longer than the deadline is stored (${code% *} after ${code#* } s)" \
	[ "${code% *}" = 201 ]
stop_server
finish

#!/usr/bin/env bash
# Connection exhaustion (make test-heavy; issue 12): slow clients against
# the default limits (http_max_connections 1024, http_max_per_ip 64,
# http_header_timeout 10 s), in well under 2 minutes.
#
#  1. 1,240 slow connections from 20 loopback addresses 127.0.0.2-21 (62
#     each, under the per-address limit, as in the review's finding; more
#     than the 1,024 there are), each sending part of a request line and
#     then a byte every 2 s, for WY_CONN_SECONDS (40); what the server
#     closes is opened again within half a second, as an attacker would.
#     Meanwhile a visitor from 127.0.0.1 asks for a document page every
#     0.5 s on a new connection. Asserted: every answer 200, the slowest
#     under 1 s; no slow connection lived past the header deadline (10 s,
#     plus the guard's quarter-second round); the server never held more
#     connections than 7/8 of the limit plus a little (the reserve keeps
#     1/8 for addresses with few connections). Reported: the visitor's
#     slowest answer, what the server held at most, how many slow
#     connections it closed and refused.
#  2. With http_header_timeout=3: one connection trickling its request
#     line a byte a second, and one trickling a form's body two bytes a
#     second (http_min_body_rate, 1,024 bytes/s): both closed at about 3 s.
#     Reported: how long each survived.
#
# Figures are printed as "figure conn.NAME=VALUE" lines (tests/heavy/run.sh).
source "$(dirname "$0")/../e2e/lib.bash"
for t in python3 curl jq; do
	command -v $t > /dev/null || { echo "skipped: $t missing (scripts/deps.sh --heavy)"; exit 77; }
done
secs=${WY_CONN_SECONDS:-40}
heavy=$(cd "$(dirname "$0")" && pwd)
slow=$heavy/slowloris.py

# Open files: slowloris needs 1,240 and more, the server twice its
# connection limit (a socket and a file being sent each) and raises its own
# soft limit up to the hard one; raise ours, which both inherit.
[ "$(ulimit -n)" -ge 4096 ] || ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
check "open files: $(ulimit -n) (at least 2,400 for 1,240 slow connections and the server's 1,024)" \
	[ "$(ulimit -n)" -ge 2400 ]

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
start_server() { # WENYUAN_SETTING=VALUE...
	port=$(free_port)
	env WENYUAN_LOG=info "$@" "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker \
		> "$d/serve.log" 2>&1 &
	spid=$!
	wait_http "http://127.0.0.1:$port/healthz"
}
wait_file() { # FILE SECONDS
	local end=$((SECONDS + $2))
	while [ ! -e "$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}
# the server's sockets (fds come and go while find reads them: not an error)
sockets() { { find "/proc/$spid/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l; }

printf '连接测试文档\n文渊阁建于乾隆年间，专为收藏四库全书而建。\n' > "$d/doc.txt"
"$WY_BIN" --data "$data" add "$d/doc.txt" > "$d/add.out"
id=$(awk '/^ready/ {print $2}' "$d/add.out")
check "a document is ready" [ -n "$id" ]

# ---- 1. 1,240 slow connections from 20 addresses
check "the server starts with default limits" start_server
check "it takes 1,024 connections (its open-file limit allows them)" grep -q 'serve.start .*connections=1024' \
	"$d/serve.log"
idle=$(sockets)
sources=$(seq -s, -f '127.0.0.%g' 2 21)
python3 "$slow" 127.0.0.1 "$port" --conns 1240 --sources "$sources" --mode line --interval 2 --seconds "$secs" \
	--reconnect --ready "$d/ready" > "$d/slow.json" 2> "$d/slow.err" &
slowpid=$!
wait_file "$d/ready" 60 || true
: > "$d/probes"
held=0
while kill -0 "$slowpid" 2>/dev/null; do
	out=$(curl -sS -o /dev/null -m 10 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/doc/$id" 2>/dev/null) ||
		out=${out:-000 10}
	echo "$out" >> "$d/probes"
	n=$(($(sockets) - idle))
	[ "$n" -le "$held" ] || held=$n
	sleep 0.5
done
wait "$slowpid" || true
cat "$d/slow.err"
echo "# slowloris: $(cat "$d/slow.json")"
asked=$(wc -l < "$d/probes")
answered=$(awk '$1 == 200' "$d/probes" | wc -l)
worst=$(awk '$2 > m {m = $2} END {printf "%.3f", m}' "$d/probes")
over1=$(awk '$2 >= 1' "$d/probes" | wc -l)
guard() { awk -v k="$1" '$3 == "http.guard" {for (i = 4; i <= NF; i++) {split($i, kv, "="); if (kv[1] == k) s += kv[2]}} END {print s + 0}' "$d/serve.log"; }
closed=$(guard closed_slow_headers)
refused=$(guard refused_reserve)
lived=$(jq .lived_max_s "$d/slow.json")
echo "# visitor: $answered of $asked answered 200, slowest ${worst} s, $over1 at 1 s or more"
echo "# server: held at most $held connections; closed $closed slow ones at the deadline, refused $refused (reserve)"
check "slowloris: its 1,240 connections were made" jqe '.connected == 1240' "$d/slow.json"
every_time() { [ "$asked" -gt 0 ] && [ "$answered" -eq "$asked" ]; }
check "finding: connection exhaustion: a visitor got 200 every time ($answered of $asked)" every_time
check "finding: connection exhaustion: every answer within 1 s (slowest ${worst} s)" [ "$over1" -eq 0 ]
check "finding: connection exhaustion: no slow connection lived past the header deadline (10 s; longest ${lived} s)" \
	jqe '.lived_max_s != null and .lived_max_s < 11.5' "$d/slow.json"
check "finding: connection exhaustion: the reserve kept 1/8 free (held at most $held of 1,024; 896 + 32)" \
	[ "$held" -le 928 ]
stop_server
echo "figure conn.slow_conns=$(jq .connected "$d/slow.json")"
echo "figure conn.slow_addresses=20"
echo "figure conn.seconds=$secs"
echo "figure conn.visitor_ok=$answered/$asked"
echo "figure conn.visitor_worst_s=$worst"
echo "figure conn.server_held_max=$held"
echo "figure conn.slow_lived_max_s=$lived"
echo "figure conn.closed_at_deadline=$closed"
echo "figure conn.refused_reserve=$refused"

# ---- 2. one trickler of each kind, header deadline 3 s
check "the server starts with http_header_timeout=3" start_server WENYUAN_HTTP_HEADER_TIMEOUT=3
python3 "$slow" 127.0.0.1 "$port" --conns 1 --sources 127.0.0.22 --mode line --interval 1 --seconds 30 \
	> "$d/line.json" &
linepid=$!
python3 "$slow" 127.0.0.1 "$port" --conns 1 --sources 127.0.0.23 --mode body --path /api/v1/login \
	--interval 0.5 --seconds 30 > "$d/body.json" &
bodypid=$!
wait "$linepid" "$bodypid" || true
echo "# request line, a byte a second: $(cat "$d/line.json")"
echo "# form body, two bytes a second: $(cat "$d/body.json")"
check "finding: connection exhaustion: a request line trickling a byte a second is closed at 3 s ($(jq .lived_max_s "$d/line.json") s)" \
	jqe '.closed_by_server == 1 and .lived_max_s >= 2.9 and .lived_max_s < 4.5' "$d/line.json"
check "finding: connection exhaustion: a body trickling two bytes a second is closed at 3 s ($(jq .lived_max_s "$d/body.json") s)" \
	jqe '.closed_by_server == 1 and .lived_max_s >= 2.9 and .lived_max_s < 4.5' "$d/body.json"
stop_server
echo "figure conn.trickler_lived_s=$(jq .lived_max_s "$d/line.json")"
echo "figure conn.body_trickler_lived_s=$(jq .lived_max_s "$d/body.json")"
finish

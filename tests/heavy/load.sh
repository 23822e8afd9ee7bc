#!/usr/bin/env bash
# Load (make test-heavy): the site under wrk while documents convert, and
# under slowloris.
#
#  1. wrk, WY_LOAD_SECONDS (60) with 100 connections, over document pages,
#     searches and page images of a library of ready documents, while the
#     embedded worker converts a queue of long ones the whole time. Asserted:
#     no errors (non-2xx/3xx answers, socket errors), and the server's
#     resident memory flat (after a warm-up, it grows by less than a
#     generous bound). An answer that takes longer than 10 s counts as an
#     error (a timeout); wrk's default of 2 s would count slow searches on
#     a busy 2-core machine, whose latency is reported instead. Reported:
#     requests/s, p50/p99/max, RSS start/warm/end/max, documents converted
#     during the run.
#     wrk's 100 connections all come from 127.0.0.1 and stand for many
#     visitors; the per-address limit (http_max_per_ip, 64) would refuse a
#     third of them by design, so this run sets http_max_per_ip=128.
#  2. slowloris with default settings: 500 connections that send a request
#     that never ends (a header line every 10 s), from ten loopback
#     addresses 127.0.0.2-11 (50 each, under the per-address limit), for
#     45 s, longer than http_timeout (the header deadline,
#     http_header_timeout, closes them after 10 s: tests/heavy/conn.sh).
#     Meanwhile a visitor (curl from 127.0.0.1) asks for a document page
#     every 5 s: every answer must be 200. Reported: the slowest answer,
#     how many slow connections the server held and closed.
#  3. the same 500 from one address: the per-address limit refuses all but
#     64, and a visitor from another address is served.
#
# Figures are printed as "figure load.NAME=VALUE" lines (tests/heavy/run.sh).
source "$(dirname "$0")/../e2e/lib.bash"
for t in wrk python3 curl jq; do
	command -v $t >/dev/null || { echo "skipped: $t missing (scripts/deps.sh --heavy)"; exit 77; }
done
secs=${WY_LOAD_SECONDS:-60}
conns=${WY_LOAD_CONNECTIONS:-100}
heavy=$(cd "$(dirname "$0")" && pwd)

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
trap 'stop_server; rm -rf "$d"' EXIT
wy() { "$WY_BIN" --data "$data" "$@"; }
start_server() { # SETTINGS...
	"$WY_BIN" --data "$data" "$@" serve --listen "127.0.0.1:$port" >> "$d/serve.log" 2>&1 &
	spid=$!
	wait_http "http://127.0.0.1:$port/healthz"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---- the library: 120 short documents ready, 150 long ones queued
lines=(
	"文渊阁建于乾隆年间，专为收藏四库全书而建。" "经部收儒家经典及其注疏，史部收各类史书。"
	"子部收诸子百家之书，集部收历代诗文总集与别集。" "藏书之所，首重防火，故阁前凿池，引水环绕。"
	"校书之人逐页核对，凡有讹误，皆贴签改正。" "图书馆学者认为，分类与编目是检索的根本。"
	"今日之数字文库，将原件与文字一并保存，便于检索。" "高等数学的极限与连续是微积分的基础。"
	"会计报表包括资产负债表、利润表和现金流量表。" "公务员考试的行政职业能力测验注重逻辑推理。"
)
RANDOM=4242
mkdir -p "$d/ready" "$d/queue"
for i in $(seq 120); do
	{
		echo "负载测试文档${i}"
		for _ in $(seq $((20 + RANDOM % 80))); do echo "${lines[RANDOM % ${#lines[@]}]}"; done
	} > "$d/ready/r$i.txt"
done
for i in $(seq 150); do
	{
		echo "排队转换的长文档${i}"
		for _ in $(seq $((600 + RANDOM % 400))); do echo "${lines[RANDOM % ${#lines[@]}]}第${i}篇"; done
	} > "$d/queue/q$i.txt"
done
wy add "$d"/ready/*.txt > /dev/null || true
check "the library's documents are ready" jqe '[.[] | select(.status == "ready")] | length == 120' \
	<(wy list --json)
wy add --no-wait "$d"/queue/*.txt > /dev/null

# ---- 1. wrk while the worker converts
port=$(free_port)
check "the server starts (http_max_per_ip=128 for wrk's 100 connections from one address)" \
	start_server --http_max_per_ip=128
# the paths: document pages (some at a later page), searches, page images
wy list --json | jq -r '.[] | select(.status == "ready") | .id' > "$d/ids"
for id in $(head -40 "$d/ids"); do
	curl -fsS "http://127.0.0.1:$port/api/v1/doc/$id/pages?count=5" | jq -r '.items[].image'
done | sed 's|^https\?://[^/]*||' > "$d/images"
queries=(文渊 四库全书 检索 微积分 会计 利润表 逻辑推理 阁 藏书 "分类 编目" 乾隆 史书 诗文 资产负债表 测验)
{
	for id in $(cat "$d/ids"); do echo "/doc/$id"; echo "/doc/$id?page=2"; done
	for q in "${queries[@]}"; do
		for _ in 1 2 3 4 5 6 7 8; do echo "/search?q=$(jq -rn --arg q "$q" '$q|@uri')"; done
	done
	cat "$d/images"
} | shuf --random-source=<(yes 4242) > "$d/paths"
echo "# $(wc -l < "$d/paths") paths: $(grep -c '^/doc/' "$d/paths") document pages, $(grep -c '^/search' "$d/paths") searches, $(grep -c '^/blob/' "$d/paths") page images"
paths_answer() {
	local p
	while read -r p; do curl -fsS -o /dev/null "http://127.0.0.1:$port$p" || return 1; done < <(head -50 "$d/paths")
}
check "every path answers before the load" paths_answer
cat > "$d/paths.lua" <<'LUA'
local paths, i = {}, 0
function init(args)
	for line in io.lines(args[1]) do paths[#paths + 1] = line end
	i = math.random(#paths)
end
function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
LUA
wpid=$(ps -o pid= --ppid "$spid" | tr -d ' ' | head -1)
ready0=$(wy list --json | jq '[.[] | select(.status == "ready")] | length')
rss_start=$(rss_kb "$spid")
wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$d/paths.lua" "http://127.0.0.1:$port" -- "$d/paths" \
	> "$d/wrk.out" 2>&1 &
wrkpid=$!
: > "$d/rss"
tick=0
while kill -0 "$wrkpid" 2>/dev/null; do
	echo "$(rss_kb "$spid") $(rss_kb "${wpid:-0}")" >> "$d/rss"
	# /metrics as Prometheus would scrape it, every 10 s of the load
	[ $((tick++ % 10)) -ne 5 ] || curl -fsS -o "$d/metrics.$tick" "http://127.0.0.1:$port/metrics" || true
	sleep 1
done
wait "$wrkpid" || true
rss_end=$(rss_kb "$spid")
ready1=$(wy list --json | jq '[.[] | select(.status == "ready")] | length')
queued1=$(wy list --json | jq '[.[] | select(.status == "queued" or .status == "converting")] | length')
sed 's/^/# /' "$d/wrk.out"
requests=$(awk '/requests in/ {print $1}' "$d/wrk.out")
rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$d/wrk.out")
non2xx=$(awk '/Non-2xx or 3xx/ {print $NF}' "$d/wrk.out")
sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$d/wrk.out")
ms() { awk -v p="$1" '$1 == p {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; printf "%.1f", v}' "$d/wrk.out"; }
p50=$(ms 50%)
p99=$(ms 99%)
lmax=$(awk '$1 == "Latency" && $2 != "Distribution" {v = $4; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; printf "%.1f", v}' "$d/wrk.out")
# memory: warm = the 10th second (caches filled), max over the run
rss_warm=$(awk 'NR == 10 {print $1}' "$d/rss")
rss_max=$(awk '$1 > m {m = $1} END {print m + 0}' "$d/rss")
wrss_max=$(awk '$2 > m {m = $2} END {print m + 0}' "$d/rss")
rss_warm=${rss_warm:-$rss_start}
echo "# server RSS (MB) every 5 s: $(awk 'NR % 5 == 0 {printf "%d ", $1 / 1024}' "$d/rss")"
check "wrk ran and made requests" [ "${requests:-0}" -gt 0 ]
check "no answer outside 2xx/3xx (${non2xx:-0})" [ "${non2xx:-0}" -eq 0 ]
check "no socket errors (${sockerr:-0})" [ "${sockerr:-0}" -eq 0 ]
# flat: from the warm-up to the end at most +50% and 64 MB (fragmentation
# and caches; a leak per request grows without bound over a minute)
check "server memory flat: ${rss_warm} kB after 10 s, ${rss_end} kB at the end" \
	[ "$rss_end" -le $((rss_warm * 3 / 2 + 65536)) ]
check "documents converted during the load ($((ready1 - ready0)))" [ "$ready1" -gt "$ready0" ]
check "the server still answers after the load" curl -fsS -o /dev/null "http://127.0.0.1:$port/"
# promtool (Debian's prometheus package: scripts/deps.sh --test) reads
# every scrape made during the load; the conversions it counted are every
# document ready (each converted once, before the load or during it)
curl -fsS -o "$d/metrics.after" "http://127.0.0.1:$port/metrics"
scrapes=$(ls "$d"/metrics.* | wc -l)
if find_promtool; then
	passed=0
	for m in "$d"/metrics.*; do "$promtool" check metrics < "$m" > "$m.out" 2>&1 && passed=$((passed + 1)); done
	check "promtool check metrics passes on the $scrapes scrapes of /metrics during and after the load" \
		bash -c '[ "$1" -eq "$2" ] && [ "$2" -ge 2 ]' _ "$passed" "$scrapes"
else
	echo "# promtool not found (scripts/deps.sh --test fetches it): the scrapes were not checked"
fi
counted=$(awk '/^wenyuan_conversions_total\{.*outcome="ready"\}/ {n += $2} END {print n + 0}' "$d/metrics.after")
check "/metrics counts every ready document's conversion ($counted, $ready1 ready)" [ "$counted" -ge "$ready1" ]
stop_server
echo "figure load.seconds=$secs"
echo "figure load.connections=$conns"
echo "figure load.requests=${requests:-0}"
echo "figure load.rps=${rps:-0}"
echo "figure load.errors=$((${non2xx:-0} + ${sockerr:-0}))"
echo "figure load.p50_ms=${p50:-?}"
echo "figure load.p99_ms=${p99:-?}"
echo "figure load.max_ms=${lmax:-?}"
echo "figure load.rss_start_mb=$((rss_start / 1024))"
echo "figure load.rss_warm_mb=$((rss_warm / 1024))"
echo "figure load.rss_end_mb=$((rss_end / 1024))"
echo "figure load.rss_max_mb=$((rss_max / 1024))"
echo "figure load.worker_rss_max_mb=$((wrss_max / 1024))"
echo "figure load.converted_during=$((ready1 - ready0))"
echo "figure load.still_queued=$queued1"

# ---- 2. slowloris from ten addresses, default limits
port=$(free_port)
check "the server starts with default limits" start_server
doc=$(head -1 "$d/ids")
sources=$(seq -s, -f '127.0.0.%g' 2 11)
python3 "$heavy/slowloris.py" 127.0.0.1 "$port" --conns 500 --sources "$sources" --seconds 45 --interval 10 \
	> "$d/slow.json" 2> "$d/slow.err" &
slowpid=$!
sleep 3 # all 500 connected
open=$(ss -Htn state established "( sport = :$port )" | wc -l)
worst=0 answered=0 asked=0
while kill -0 "$slowpid" 2>/dev/null; do
	asked=$((asked + 1))
	out=$(curl -sS -o /dev/null -m 20 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/doc/$doc" || echo "000 20")
	code=${out% *}
	t=${out#* }
	[ "$code" = 200 ] && answered=$((answered + 1))
	worst=$(awk -v a="$worst" -v b="$t" 'BEGIN {print (b > a) ? b : a}')
	sleep 5
done
wait "$slowpid" || true
cat "$d/slow.err"
echo "# slowloris: $(cat "$d/slow.json"); $open connections to the server 3 s in"
check "slowloris: its 500 connections were accepted" jqe '.connected == 500' "$d/slow.json"
check "slowloris: a visitor got 200 every time ($answered of $asked), the slowest in ${worst} s" \
	[ "$answered" -eq "$asked" ]
held=$(jq .open_at_end "$d/slow.json")
stop_server

# ---- 3. slowloris from one address: the per-address limit
port=$(free_port)
start_server > /dev/null
python3 "$heavy/slowloris.py" 127.0.0.1 "$port" --conns 500 --sources 127.0.0.1 --seconds 10 --interval 5 \
	> "$d/slow1.json" &
slowpid=$!
sleep 3
out=$(curl -sS -o /dev/null -m 20 --interface 127.0.0.2 -w '%{http_code} %{time_total}' \
	"http://127.0.0.1:$port/doc/$doc" || echo "000 20")
wait "$slowpid" || true
echo "# slowloris from one address: $(cat "$d/slow1.json"); a visitor from 127.0.0.2: $out"
check "one address: no more than http_max_per_ip (64) connections held" jqe '.connected - .closed_by_server <= 64' \
	"$d/slow1.json"
check "one address: a visitor from another address is served" [ "${out% *}" = 200 ]
stop_server
echo "figure load.slowloris_conns=$(jq .connected "$d/slow.json")"
echo "figure load.slowloris_held_at_end=$held"
echo "figure load.slowloris_visitor_ok=$answered/$asked"
echo "figure load.slowloris_visitor_worst_s=$worst"
echo "figure load.one_address_held=$(jq '.connected - .closed_by_server' "$d/slow1.json")"
finish

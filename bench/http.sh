#!/usr/bin/env bash
# Requests per second and p99 latency with wrk: wenyuan serving a page
# image, a document page to a visitor and the same page to a signed-in
# reader (a session cookie of an account registered here), against nginx
# serving the same bytes as static files on the same machine, side by
# side: each run measures every row on both servers one after the other,
# and the table gives the run with the median ratio of each row (the
# machine may be shared: the ratio of two neighbours in time is steadier
# than either number). Also the server's peak memory under that load.
# Appends one line a row to ${BENCH_RESULTS:-build/bench-results.tsv}
# (keys http_image, http_doc, http_doc_signed_in; docs/bench.md).
#
#   bench/http.sh build/wenyuan [SECONDS [RUNS]]   (part of make bench)
set -euo pipefail
bin=$(realpath "${1:?usage: http.sh path/to/wenyuan [seconds]}")
secs=${2:-${BENCH_HTTP_SECONDS:-10}}
runs=${3:-${BENCH_HTTP_RUNS:-3}}
results=${BENCH_RESULTS:-build/bench-results.tsv}
src=$(cd "$(dirname "$0")/.." && pwd)
for t in wrk nginx curl; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "bench: $t missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-http-XXXXXX")
cleanup() {
	kill "$spid" "$npid" 2>/dev/null || true
	wait "$spid" "$npid" 2>/dev/null || true # gone before their files are
	rm -rf "$work"
}
trap cleanup EXIT
spid=0 npid=0

WENYUAN_LOG=quiet "$src/scripts/samples.sh" "$bin" "$work/data" >/dev/null
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick() { local p; for _ in $(seq 50); do p=$((20000 + RANDOM % 20000)); port_free $p && { echo $p; return; }; done; return 1; }
wport=$(pick)
nport=$(pick)

WENYUAN_LOG=quiet "$bin" --data "$work/data" serve --listen "127.0.0.1:$wport" --no-worker >/dev/null 2>&1 &
spid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$wport/healthz" >/dev/null && break; sleep 0.1; done

# A reader's account: its session cookie (the API's token is the same
# session a browser's cookie holds).
tok=$(curl -fsS -X POST "http://127.0.0.1:$wport/api/v1/register" -d name=benchreader -d password=benchpass123 |
	sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$tok" ] || { echo "bench: cannot register a reader" >&2; exit 1; }
cookie="Cookie: wy_s=$tok"

# The same bytes for nginx: the document page as rendered for a visitor
# and for the reader, and its first image.
mkdir -p "$work/www/blob"
curl -fs "http://127.0.0.1:$wport/doc/1" > "$work/www/doc1.html"
curl -fs -H "$cookie" "http://127.0.0.1:$wport/doc/1" > "$work/www/doc1-reader.html"
grep -q benchreader "$work/www/doc1-reader.html" || { echo "bench: the page is not the reader's" >&2; exit 1; }
img=$(grep -o '/blob/[0-9a-f]\{64\}' "$work/www/doc1.html" | head -1)
curl -fs "http://127.0.0.1:$wport$img" > "$work/www$img"
cat > "$work/nginx.conf" <<CONF
worker_processes $(nproc);
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { text/html html; image/webp webp; }
  default_type image/webp;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
CONF
"$nginx" -c "$work/nginx.conf" -p "$work" -g 'daemon off; user root;' &
npid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nport/doc1.html" >/dev/null && break; sleep 0.1; done

# CPU time (clock ticks) of processes, all their threads
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
hz=$(getconf CLK_TCK)
run() { # url [header] -> "rps p99_ms requests"
	wrk -t2 -c32 -d"${secs}s" --latency ${2:+-H "$2"} "$1" 2>/dev/null | awk '
		/requests in/ {n = $1}
		/Requests\/sec/ {rps = $2}
		$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
		END {printf "%s %s %s\n", rps, p99, n}'
}
# rows: key, label, wenyuan's URL, its header, nginx's URL
keys=(http_image http_doc http_doc_signed_in)
labels=("page image ($(wc -c < "$work/www$img") B)" "document page, visitor ($(wc -c < "$work/www/doc1.html") B)"
	"document page, signed in ($(wc -c < "$work/www/doc1-reader.html") B)")
wurl=("http://127.0.0.1:$wport$img" "http://127.0.0.1:$wport/doc/1" "http://127.0.0.1:$wport/doc/1")
whdr=("" "" "$cookie")
nurl=("http://127.0.0.1:$nport$img" "http://127.0.0.1:$nport/doc1.html" "http://127.0.0.1:$nport/doc1-reader.html")
: > "$work/runs"
loads=()
# the CPU each server spends on a request (nginx: its workers), steadier
# than the rates when other processes share the machine
nworkers=$(pgrep -P "$npid" | tr '\n' ' ')
for _ in $(seq "$runs"); do
	for i in "${!keys[@]}"; do
		t0=$(ticks "$spid")
		read -r wr wp wn < <(run "${wurl[$i]}" "${whdr[$i]}")
		t1=$(ticks "$spid")
		# shellcheck disable=SC2086 # the workers' pids
		t2=$(ticks $nworkers)
		read -r nr np nn < <(run "${nurl[$i]}")
		# shellcheck disable=SC2086
		t3=$(ticks $nworkers)
		wus=$(echo "1000000 * ($t1 - $t0) / $hz / $wn" | bc -l)
		nus=$(echo "1000000 * ($t3 - $t2) / $hz / $nn" | bc -l)
		echo "$i $(echo "100 * $wr / $nr" | bc -l) $wr $wp $nr $np $wus $nus" >> "$work/runs"
	done
	loads+=("$(cut -d' ' -f1 /proc/loadavg)")
done
peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$spid/status")

printf '\nwenyuan HTTP benchmark: wrk -t2 -c32 -d%ss on 127.0.0.1, %d cores; nginx serves the same bytes as static files;\n' "$secs" "$(nproc)"
printf 'the run with the median ratio of %d side by side; load average after each run: %s\n\n' "$runs" "${loads[*]}"
printf '%-40s %12s %8s %12s %8s %7s  %-9s %s\n' "" "wenyuan r/s" "p99 ms" "nginx r/s" "p99 ms" "ratio" "CPU us/r" "all ratios"
mkdir -p "$(dirname "$results")"
med() { sort -g | awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}'; }
for i in "${!keys[@]}"; do
	all=$(awk -v i="$i" '$1 == i {printf "%.0f%% ", $2}' "$work/runs")
	read -r _ ratio wr wp nr np _ < <(awk -v i="$i" '$1 == i' "$work/runs" | sort -k2,2g | awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}')
	# CPU per request, each the median of the runs
	wus=$(awk -v i="$i" '$1 == i {print $7}' "$work/runs" | med)
	nus=$(awk -v i="$i" '$1 == i {print $8}' "$work/runs" | med)
	cpu=$(printf '%.0f/%.0f' "$wus" "$nus")
	printf '%-40s %12.0f %8.2f %12.0f %8.2f %6.0f%%  %-9s %s\n' "${labels[$i]}" "$wr" "$wp" "$nr" "$np" "$ratio" "$cpu" "$all"
	printf '%s\t%s\t%.0f\t%.0f\tr/s\t%.0f%%\t>=90%%\t%s\n' "${keys[$i]}" "${labels[$i]} over HTTP, nginx same bytes" "$wr" "$nr" "$ratio" \
		"median ratio of $runs side-by-side runs (${all% }); CPU us a request wenyuan/nginx $cpu; wrk -t2 -c32 -d${secs}s; load ${loads[*]}" >> "$results"
done
echo "CPU us/r: the server's CPU time per request (nginx: its workers'), wenyuan/nginx, median of the runs"
echo "wenyuan serve peak RSS under this load: ${peak} MB"

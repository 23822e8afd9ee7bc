#!/usr/bin/env bash
# Requests per second and p99 latency with wrk: wenyuan serving a document
# page and a page image, against nginx serving the same bytes as static
# files on the same machine, side by side in one run; and the server's peak
# memory under that load.
#
#   bench/http.sh build/wenyuan [SECONDS]      (part of make bench)
set -euo pipefail
bin=$(realpath "${1:?usage: http.sh path/to/wenyuan [seconds]}")
secs=${2:-${BENCH_HTTP_SECONDS:-10}}
src=$(cd "$(dirname "$0")/.." && pwd)
for t in wrk nginx curl; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "bench: $t missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-http-XXXXXX")
cleanup() { kill "$spid" "$npid" 2>/dev/null || true; rm -rf "$work"; }
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

# The same bytes for nginx: the document page as rendered, and its first image.
mkdir -p "$work/www/blob"
curl -fs "http://127.0.0.1:$wport/doc/1" > "$work/www/doc1.html"
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

run() { # url -> "rps p99_ms"
	wrk -t2 -c32 -d"${secs}s" --latency "$1" 2>/dev/null | awk '
		/Requests\/sec/ {rps = $2}
		$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
		END {printf "%s %s\n", rps, p99}'
}
read -r w_doc_rps w_doc_p99 < <(run "http://127.0.0.1:$wport/doc/1")
read -r n_doc_rps n_doc_p99 < <(run "http://127.0.0.1:$nport/doc1.html")
read -r w_img_rps w_img_p99 < <(run "http://127.0.0.1:$wport$img")
read -r n_img_rps n_img_p99 < <(run "http://127.0.0.1:$nport$img")
peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$spid/status")

printf '\nwenyuan HTTP benchmark: wrk -t2 -c32 -d%ss on 127.0.0.1, %d cores; nginx serves the same bytes as static files\n\n' "$secs" "$(nproc)"
printf '%-34s %12s %10s %12s %10s %8s\n' "" "wenyuan r/s" "p99 ms" "nginx r/s" "p99 ms" "ratio"
printf '%-34s %12.0f %10.2f %12.0f %10.2f %7.0f%%\n' "document page /doc/1 ($(wc -c < "$work/www/doc1.html") B)" \
	"$w_doc_rps" "$w_doc_p99" "$n_doc_rps" "$n_doc_p99" "$(echo "100 * $w_doc_rps / $n_doc_rps" | bc -l)"
printf '%-34s %12.0f %10.2f %12.0f %10.2f %7.0f%%\n' "page image ($(wc -c < "$work/www$img") B)" \
	"$w_img_rps" "$w_img_p99" "$n_img_rps" "$n_img_p99" "$(echo "100 * $w_img_rps / $n_img_rps" | bc -l)"
echo "wenyuan serve peak RSS under this load: ${peak} MB"

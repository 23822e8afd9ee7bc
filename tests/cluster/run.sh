#!/usr/bin/env bash
# The cluster test (make test-cluster; issue 16): one PostgreSQL, one
# radosgw, two `serve` processes behind nginx (round robin, a request
# retried on the other when one fails), two `wenyuan worker` processes with
# host identities of their own (a UTS and a PID namespace each, as on two
# machines: neither can tell that the other died, only its lease can).
# Documents are uploaded through nginx while others browse and search; one
# serve and one worker are killed with SIGKILL mid-run, and the worker is
# started again as a new machine would be. At the end every document is
# ready or failed with a reason, none lost or duplicated, every request was
# answered, a session made on one serve is valid on the other, and fsck is
# clean. Prints the figures as a table (also into $CLUSTER_TABLE if set).
#
# usage: tests/cluster/run.sh BUILD_DIR   (WY_BIN: the binary, else BUILD_DIR/wenyuan)
# Skips (77) without the corpus, nginx, PostgreSQL's server or radosgw.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export WY_BIN=${WY_BIN:-$(cd "${1:-$src/build}" && pwd)/wenyuan}
source "$src/tests/e2e/lib.bash"

need_corpus
for tool in nginx unshare; do
	command -v "$tool" >/dev/null || { echo "skip: $tool is not installed (scripts/deps.sh --test)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "skip: the workers' own namespaces need root (CI runs as root)"; exit 77; }

d=$(mktemp -d /tmp/wyc-XXXXXX)
chmod 755 "$d"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -f "$d/nginx/nginx.pid" ] && kill "$(cat "$d/nginx/nginx.pid")" 2>/dev/null || true
	"$src/tests/s3/radosgw.sh" stop "$d/s3" >/dev/null 2>&1 || true
	"$src/tests/pg/cluster.sh" stop "$d/pg" >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] || rm -rf "$d"
}
trap cleanup EXIT

# ---- the shared services ----
t0=$(date +%s)
store_url=$("$src/tests/pg/cluster.sh" start "$d/pg")
# radosgw takes ten ports from the one given (its monitor's and OSD's)
s3_port=$(( $(free_port) / 10 * 10 ))
"$src/tests/s3/radosgw.sh" start "$d/s3" "$s3_port" > /dev/null
eval "$("$src/tests/s3/radosgw.sh" env "$d/s3")"
"$src/tests/s3/radosgw.sh" bucket "$d/s3" wenyuan-cluster
export WENYUAN_STORE_URL=$store_url WENYUAN_BLOB_URL=s3://wenyuan-cluster
echo "PostgreSQL and radosgw up in $(( $(date +%s) - t0 )) s"

# every process of the site shares these: conversions short, so that a
# killed worker's lease runs out within the test
export WENYUAN_CONVERT_TIMEOUT=20 WENYUAN_WORKERS=1 WENYUAN_LOG=info
# behind nginx: a client is the last address of X-Forwarded-For
export WENYUAN_TRUST_PROXY=1
data=$d/data
mkdir -p "$data"

# ---- two serve processes, no embedded worker ----
start_serve() { # NAME PORT
	"$WY_BIN" --data "$data" serve --no-worker --listen "127.0.0.1:$2" >> "$d/serve-$1.out" 2>> "$d/serve-$1.err" &
	echo $!
}
pa=$(free_port); pb=$(free_port)
serve_a=$(start_serve a "$pa"); pids+=("$serve_a")
wait_http "http://127.0.0.1:$pa/healthz" || { tail -20 "$d/serve-a.err"; exit 1; }
serve_b=$(start_serve b "$pb"); pids+=("$serve_b")
wait_http "http://127.0.0.1:$pb/healthz" || { tail -20 "$d/serve-b.err"; exit 1; }
ok "two serve processes answer"

# ---- nginx in front: round robin, retry on the other upstream ----
np=$(free_port)
mkdir -p "$d/nginx/tmp" && chmod 777 "$d/nginx/tmp"
cat > "$d/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx/nginx.pid;
error_log $d/nginx/error.log warn;
events { worker_connections 512; }
http {
	access_log $d/nginx/access.log;
	client_body_temp_path $d/nginx/tmp/body;
	proxy_temp_path $d/nginx/tmp/proxy;
	fastcgi_temp_path $d/nginx/tmp/fastcgi;
	uwsgi_temp_path $d/nginx/tmp/uwsgi;
	scgi_temp_path $d/nginx/tmp/scgi;
	client_max_body_size 0;
	upstream wenyuan {
		server 127.0.0.1:$pa max_fails=1 fail_timeout=5s;
		server 127.0.0.1:$pb max_fails=1 fail_timeout=5s;
	}
	server {
		listen 127.0.0.1:$np;
		location / {
			proxy_pass http://wenyuan;
			proxy_set_header Host \$host:\$server_port;
			proxy_set_header X-Forwarded-For \$remote_addr;
			proxy_next_upstream error timeout http_502 http_503 non_idempotent;
			proxy_next_upstream_tries 2;
			proxy_connect_timeout 2s;
			proxy_read_timeout 60s;
			proxy_request_buffering on;
		}
	}
}
EOF
nginx -t -c "$d/nginx/nginx.conf" -p "$d/nginx" >/dev/null 2>&1 || { nginx -t -c "$d/nginx/nginx.conf" -p "$d/nginx"; exit 1; }
nginx -c "$d/nginx/nginx.conf" -p "$d/nginx"
base=http://127.0.0.1:$np
wait_http "$base/healthz" && ok "nginx answers"

# ---- two workers, each on a host of its own ----
start_worker() { # NAME
	unshare --uts --pid --fork --kill-child --mount-proc sh -c "hostname wy-$1 && exec \"\$0\" --data \"\$1\" worker" \
		"$WY_BIN" "$data" >> "$d/worker-$1.out" 2>> "$d/worker-$1.err" &
	echo $!
}
w1=$(start_worker 1); pids+=("$w1")
w2=$(start_worker 2); pids+=("$w2")

# ---- the load: uploads, browsing and searching through nginx ----
tok_a=$(register alice 'cluster-pass-1')
tok_b=$(register bob 'cluster-pass-2')
[ -n "$tok_a" ] && [ -n "$tok_b" ] && ok "two accounts registered through nginx"

mapfile -t pdfs < <(awk -F'\t' '$2 == "pdf" && $8 == "convert" {print $1}' "$corpus/MANIFEST.tsv" | sed "s|^|$corpus/|")
echo "uploading ${#pdfs[@]} corpus PDFs twice (each account its own copy), and one of them twice by alice"

: > "$d/requests.log" # LABEL STATUS per request; not 2xx, 3xx or 404 (000: no answer) is an error

uploader() { # TOKEN OUT
	local f id
	for f in "${pdfs[@]}"; do
		id=$(curl -s --max-time 120 -X POST "$base/api/v1/upload" -H "Authorization: Bearer $1" -F "file=@$f" |
			jq -r '.documents[0].id // empty' 2>/dev/null || true)
		echo "$(basename "$f") ${id:-none}" >> "$2"
	done
}
browser() { # SECONDS
	local end=$(( $(date +%s) + $1 )) q
	while [ "$(date +%s)" -lt "$end" ]; do
		for q in 合同 pdf 文档 table; do
			c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/search?q=$q" || echo 000)
			echo "search $c" >> "$d/requests.log"
		done
		c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/" || echo 000)
		echo "home $c" >> "$d/requests.log"
		c=$(curl -s -o "$d/browse.json" -w '%{http_code}' --max-time 30 "$base/api/v1/documents?limit=20" || echo 000)
		echo "list $c" >> "$d/requests.log"
		for id in $(jq -r '.documents[]?.id // empty' "$d/browse.json" 2>/dev/null | head -5); do
			c=$(curl -s -o "$d/browse.html" -w '%{http_code}' --max-time 30 "$base/doc/$id" || echo 000)
			echo "doc $c" >> "$d/requests.log"
			img=$(grep -o '/blob/[0-9a-f]\{64\}' "$d/browse.html" | head -1 || true)
			[ -n "$img" ] || continue
			c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base$img" || echo 000)
			echo "image $c" >> "$d/requests.log"
		done
	done
}

t_load=$(date +%s)
uploader "$tok_a" "$d/up-a.txt" & up_a=$!
uploader "$tok_b" "$d/up-b.txt" & up_b=$!
browser 40 & br=$!

# mid-run (a third of alice's uploads answered; at most 60 s): kill one
# serve and one worker outright
for _ in $(seq 300); do
	[ "$(wc -l < "$d/up-a.txt" 2>/dev/null || echo 0)" -ge $(( ${#pdfs[@]} / 3 )) ] && break
	sleep 0.2
done
kill -9 "$serve_a"
t_kill_serve=$(date +%s)
echo "killed serve a (pid $serve_a) at +$((t_kill_serve - t_load)) s"
# the worker is killed while it holds a job
for _ in $(seq 100); do
	grep -q 'job.start' "$d/worker-1.err" 2>/dev/null && break
	sleep 0.1
done
kill -9 "$w1"
t_kill_worker=$(date +%s)
echo "killed worker 1 (pid $w1) at +$((t_kill_worker - t_load)) s"
# a new machine takes its place
w1b=$(start_worker 3); pids+=("$w1b")
# and serve a comes back
serve_a2=$(start_serve a "$pa"); pids+=("$serve_a2")

wait "$up_a" "$up_b"
# one more upload of a file alice has: the same document, not a second
dupe=$(curl -s -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok_a" -F "file=@${pdfs[0]}" | jq -r '.documents[0].id // empty')
wait "$br"
echo "uploads and browsing done in $(( $(date +%s) - t_load )) s"

# ---- every document settles ----
settled() {
	"$WY_BIN" --data "$data" list --json > "$d/all.json" 2>/dev/null &&
		jq -e 'all(.[]; .status == "ready" or .status == "failed")' "$d/all.json" >/dev/null
}
for _ in $(seq 600); do settled && break; sleep 0.5; done
t_settled=$(date +%s)
check "every document settles (ready or failed)" settled

# ---- the figures ----
n_docs=$(jq length "$d/all.json")
n_ready=$(jq '[.[] | select(.status == "ready")] | length' "$d/all.json")
n_failed=$(jq '[.[] | select(.status == "failed")] | length' "$d/all.json")
n_failed_noreason=$(jq '[.[] | select(.status == "failed" and ((.reason // "") == ""))] | length' "$d/all.json")
expected=$(( ${#pdfs[@]} * 2 ))
n_up_ok=$(cat "$d/up-a.txt" "$d/up-b.txt" | awk '$2 != "none"' | wc -l)
# lost: an upload that was answered with an id whose document is not there
lost=0
while read -r name id; do
	[ "$id" = none ] && continue
	jq -e --argjson id "$id" 'any(.[]; .id == $id)' "$d/all.json" >/dev/null || lost=$((lost + 1))
done < <(cat "$d/up-a.txt" "$d/up-b.txt")
# duplicated: two documents of one owner with the same bytes
dups=$(jq '[group_by([.uploader, .sha256])[] | select(length > 1)] | length' "$d/all.json")
requests=$(wc -l < "$d/requests.log")
errors=$(awk '$2 !~ /^(2..|3..|404)$/' "$d/requests.log" | wc -l)
up_errors=$(cat "$d/up-a.txt" "$d/up-b.txt" | awk '$2 == "none"' | wc -l)

check "every upload was answered with a document ($n_up_ok of $expected)" [ "$n_up_ok" -eq "$expected" ]
check "no document lost" [ "$lost" -eq 0 ]
check "no document duplicated" [ "$dups" -eq 0 ]
check "the second upload of the same file is the same document" [ "$dupe" = "$(awk 'NR == 1 {print $2}' "$d/up-a.txt")" ]
check "every document is counted: $n_docs = $expected" [ "$n_docs" -eq "$expected" ]
check "every failure has a reason" [ "$n_failed_noreason" -eq 0 ]
check "every browsing request was answered ($errors errors of $requests)" [ "$errors" -eq 0 ]

# the slowest recovery of the killed worker's job: from the kill to the
# end of the job it held (the job's document settled)
held=$(grep 'job.start' "$d/worker-1.err" | tail -1 | grep -o ' doc=[0-9]*' | cut -d= -f2 || true)
recovery=n/a
if [ -n "$held" ]; then
	for _ in $(seq 600); do
		s=$("$WY_BIN" --data "$data" list --json | jq -r --argjson id "$held" '.[] | select(.id == $id) | .status')
		case $s in ready | failed) break ;; esac
		sleep 0.5
	done
	recovery=$(( $(date +%s) - t_kill_worker ))
fi

# ---- a session made on one serve is valid on the other ----
tok_direct=$(curl -fsS -X POST "http://127.0.0.1:$pb/api/v1/login" --data-urlencode name=alice --data-urlencode password=cluster-pass-1 | jq -r .token)
me_a=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pa/api/v1/me" -H "Authorization: Bearer $tok_direct")
check "a session made on serve b is valid on serve a" [ "$me_a" = 200 ]
jar=$d/jar
curl -s -c "$jar" -o /dev/null "http://127.0.0.1:$pa/login"
csrf=$(grep -o 'name="csrf" value="[^"]*"' < <(curl -s -b "$jar" -c "$jar" "http://127.0.0.1:$pa/login") | head -1 | sed 's/.*value="//; s/"$//' || true)
curl -s -b "$jar" -c "$jar" -o /dev/null -X POST "http://127.0.0.1:$pa/login" --data-urlencode name=bob \
	--data-urlencode password=cluster-pass-2 --data-urlencode "csrf=$csrf"
me_cookie=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pb/me")
check "a browser's sign-in on serve a is signed in on serve b" [ "$me_cookie" = 200 ]

# ---- fsck ----
if "$WY_BIN" --data "$data" fsck > "$d/fsck.out" 2>&1; then fsck=clean; else fsck="problems: $(wc -l < "$d/fsck.out")"; fi
check "fsck is clean" [ "$fsck" = clean ]
[ "$fsck" = clean ] || head -20 "$d/fsck.out"

table=$(cat <<EOF
| figure | value |
|---|---|
| documents uploaded (2 accounts x ${#pdfs[@]} corpus PDFs) | $expected |
| documents ready / failed (with a reason) | $n_ready / $n_failed |
| lost / duplicated | $lost / $dups |
| uploads unanswered | $up_errors |
| browsing and search requests / errors | $requests / $errors |
| kills | serve a (SIGKILL at +$((t_kill_serve - t_load)) s), worker 1 (SIGKILL at +$((t_kill_worker - t_load)) s) |
| recovery of the killed worker's job (kill to settled) | ${recovery} s |
| all settled after the load began | $((t_settled - t_load)) s |
| fsck | $fsck |
EOF
)
echo "$table"
if [ -n "${CLUSTER_TABLE:-}" ]; then
	mkdir -p "$(dirname "$CLUSTER_TABLE")"
	echo "$table" > "$CLUSTER_TABLE"
fi
finish

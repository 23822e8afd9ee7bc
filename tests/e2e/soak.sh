#!/usr/bin/env bash
# Hostile-file soak: files of the shared corpus (broken, encrypted, hostile
# and ordinary ones) uploaded through the server's upload API while the site
# is being browsed. Each ends ready, or failed with a reason; none crashes the
# server or the worker, none hangs; the site answers throughout. Prints the
# result table by the manifest's expectation.
#
# make test runs a subset (every 6th file of the manifest); WY_SOAK_ALL=1
# (tests/heavy/soak.sh, make test-heavy) runs every file. Skips (77)
# without the corpus.
source "$(dirname "$0")/lib.bash"

need_corpus
d=$(tmpdir)
data=$d/data
spid= bpid=
trap 'kill $bpid 2>/dev/null || true; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
mkdir -p "$data"
step=${WY_SOAK_ALL:+1}
step=${step:-6}
awk -F'\t' -v step="$step" 'NR > 1 && (NR - 2) % step == 0 {print $1 "\t" $2 "\t" $8}' "$corpus/MANIFEST.tsv" > "$d/files.tsv"
n=$(wc -l < "$d/files.tsv")
echo "# soak: $n corpus files through the upload API"
echo 'soakpass123' | "$WY_BIN" --data "$data" user add soak --password-stdin > /dev/null

port=$(free_port)
timeout=${WY_SOAK_TIMEOUT:-60}
WENYUAN_MAX_UPLOAD_MB=100 "$WY_BIN" --data "$data" --convert_timeout="$timeout" serve --listen "127.0.0.1:$port" \
	> "$d/serve.out" 2> "$d/serve.err" &
spid=$!
base=http://127.0.0.1:$port
check "serve answers" wait_http "$base/healthz"
tok=$(curl -fsS -X POST "$base/api/v1/login" -d name=soak -d password=soakpass123 | jq -r .token)

# a reader browsing all along: every answer's status and time
browse() {
	local i=0 u
	while :; do
		i=$((i + 1))
		case $((i % 5)) in
		0) u=/ ;; 1) u="/search?q=%E6%96%87" ;; 2) u=/api/v1/documents ;; 3) u="/doc/$((i % 40 + 1))" ;; 4) u=/healthz ;;
		esac
		curl -s -o /dev/null -m 10 -w "%{http_code} %{time_total} $u\n" "$base$u" >> "$d/browse.log" || echo "000 10 $u" >> "$d/browse.log"
		sleep 0.1
	done
}
browse &
bpid=$!

start=$(date +%s)
: > "$d/ids.tsv"
while IFS=$'\t' read -r path fmt expectation; do
	name=$(basename "$path")
	code=$(curl -s -o "$d/up.json" -w '%{http_code}' -m 120 -X POST "$base/api/v1/upload" -H "Authorization: Bearer $tok" \
		-F "file=@$corpus/$path")
	id=$(jq -r '.documents[0].id // empty' "$d/up.json" 2>/dev/null || true)
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$expectation" "$code" "${id:--}" "$(jq -r '.documents[0].error // .error // ""' "$d/up.json" 2>/dev/null)" >> "$d/ids.tsv"
done < "$d/files.tsv"
uploaded=$(($(date +%s) - start))

# every upload settles: ready or failed, within the conversion limit
deadline=$(($(date +%s) + timeout * 3 + 60))
while :; do
	curl -fsS -H "Authorization: Bearer $tok" "$base/api/v1/me/uploads?page=1" > /dev/null 2>&1 || true
	pending=0
	for p in $(seq 1 $(( (n + 19) / 20 ))); do
		curl -fsS -H "Authorization: Bearer $tok" "$base/api/v1/me/uploads?page=$p" > "$d/me$p.json" 2>/dev/null || { pending=1; break; }
		c=$(jq '[.documents[] | select(.status != "ready" and .status != "failed")] | length' "$d/me$p.json")
		pending=$((pending + c))
	done
	[ "$pending" = 0 ] && break
	[ "$(date +%s)" -gt "$deadline" ] && break
	sleep 1
done
settled=$(($(date +%s) - start))
kill $bpid 2>/dev/null; wait $bpid 2>/dev/null || true
bpid=
jq -s '[.[].documents[]] | map({key: (.id | tostring), value: {status, reason}}) | from_entries' "$d"/me*.json > "$d/status.json"

declare -A count
outcomes=(ready failed refused crashed hung)
crashed_worker=$(grep -c 'serve.worker_died' "$d/serve.err" || true)
server_alive=1
kill -0 $spid 2>/dev/null || server_alive=0
bad_convert=()
enc_bad=0
while IFS=$'\t' read -r name expectation code id err; do
	# (a tab is whitespace to read: an empty field would vanish, so no id is "-")
	[ "$id" = - ] && id=
	reason=
	if [ -z "$id" ]; then
		# the upload itself was refused (too large, empty ...): with a reason
		if [ -n "$err" ] && [ "$code" != 000 ] && [ "$code" -lt 500 ]; then out=refused; else out=crashed; fi
	else
		st=$(jq -r --arg id "$id" '.[$id].status // "missing"' "$d/status.json")
		reason=$(jq -r --arg id "$id" '.[$id].reason // ""' "$d/status.json")
		case $st in
		ready) out=ready ;;
		failed) [ -n "$reason" ] && out=failed || out=crashed ;;
		*) out=hung ;;
		esac
	fi
	count[$expectation/$out]=$((${count[$expectation/$out]:-0} + 1))
	[ "$expectation" = convert ] && [ "$out" != ready ] && bad_convert+=("$name: $out ${reason:-$err}")
	[ "$expectation" = encrypted ] && [ -n "$id" ] && [ "${reason:-}" != password-protected ] && enc_bad=$((enc_bad + 1))
	echo "# $name ($expectation): $out${reason:+ ($reason)}${err:+ [$err]}"
done < "$d/ids.tsv"

echo
echo "| expectation | files | ready | failed with reason | refused at upload | crashed | hung |"
echo "|---|---|---|---|---|---|---|"
total_crashed=0 total_hung=0
for e in convert edge encrypted reject-malformed; do
	files=0
	for o in "${outcomes[@]}"; do files=$((files + ${count[$e/$o]:-0})); done
	[ $files = 0 ] && continue
	echo "| $e | $files | ${count[$e/ready]:-0} | ${count[$e/failed]:-0} | ${count[$e/refused]:-0} | ${count[$e/crashed]:-0} | ${count[$e/hung]:-0} |"
	total_crashed=$((total_crashed + ${count[$e/crashed]:-0}))
	total_hung=$((total_hung + ${count[$e/hung]:-0}))
done
echo
requests=$(wc -l < "$d/browse.log")
errors=$(awk '$1 != 200 && !($1 == 404 && $3 ~ /^\/doc\//)' "$d/browse.log" | wc -l)
slowest=$(awk '$2 > m {m = $2} END {print m + 0}' "$d/browse.log") # no pipe to head: SIGPIPE under pipefail
echo "figure soak.files=$n"
for o in "${outcomes[@]}"; do
	t=0
	for e in convert edge encrypted reject-malformed; do t=$((t + ${count[$e/$o]:-0})); done
	echo "figure soak.$o=$t"
done
echo "figure soak.upload_seconds=$uploaded"
echo "figure soak.settle_seconds=$settled"
echo "figure soak.browse_requests=$requests"
echo "figure soak.browse_errors=$errors"
echo "figure soak.browse_slowest_s=$slowest"
echo "figure soak.worker_deaths=$crashed_worker"

check "the server is alive at the end" [ $server_alive = 1 ]
check "the worker never died ($crashed_worker)" [ "$crashed_worker" = 0 ]
check "0 crashed (every failure has a reason)" [ $total_crashed = 0 ]
check "0 hung (every document settled within the limits)" [ $total_hung = 0 ]
check "the site answered throughout ($requests requests, $errors not 200)" eval '[ "$errors" = 0 ] && [ "$requests" -gt 10 ]'
check "encrypted files fail as password-protected ($enc_bad not)" [ "$enc_bad" = 0 ]
printf '# convert-expected files not ready: %s\n' "${#bad_convert[@]}"
for b in "${bad_convert[@]}"; do echo "#   $b"; done
check "fsck is clean after the soak" bash -c "'$WY_BIN' --data '$data' fsck > '$d/fsck.out'"
finish

#!/usr/bin/env bash
# make test-heavy: the reliability suite that is too slow for `make test`.
#
#   tests/heavy/run.sh BUILD_DIR [PART...]
#
# Parts (all by default, in this order):
#   crash  tests/e2e/crash.sh with HEAVY_CRASH_ROUNDS rounds (20) of two
#          kills each: 40 kill -9s of the worker, the server, both, or add
#          during imports of 200 documents (make test runs one round)
#   disk   tests/e2e/disk.sh: full and read-only disks during ingest
#   load   tests/heavy/load.sh: wrk for HEAVY_LOAD_SECONDS (60) with 100
#          connections while documents convert, and slowloris
#   and every other tests/heavy/*.sh by file name (soak: every corpus file
#   through the upload API while the site is browsed)
# Each part's whole output goes to BUILD_DIR/heavy/PART.log; failures are
# shown as they happen; at the end a table of every part's figures (the
# "figure PART.NAME=VALUE" lines the scripts print). Exit status 1 when a
# part failed; a part that skips (exit 77, e.g. no mount permission) says
# why and does not fail the run.
set -uo pipefail
build=$(realpath "${1:?usage: tests/heavy/run.sh BUILD_DIR [PART...]}")
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
export WY_BIN=$build/wenyuan WY_SRC=$src WY_CORPUS=$src/../shared/corpus
export WY_CRASH_ROUNDS=${HEAVY_CRASH_ROUNDS:-20} WY_CRASH_KILLS=${HEAVY_CRASH_KILLS:-2}
export WY_LOAD_SECONDS=${HEAVY_LOAD_SECONDS:-60}
[ -x "$WY_BIN" ] || { echo "run.sh: no $WY_BIN (build first)" >&2; exit 2; }
out=$build/heavy
mkdir -p "$out"

declare -A script=([crash]=$src/tests/e2e/crash.sh [disk]=$src/tests/e2e/disk.sh [load]=$src/tests/heavy/load.sh)
parts=(crash disk load)
for f in "$src"/tests/heavy/*.sh; do
	name=$(basename "$f" .sh)
	case $name in run | load) continue ;; esac
	script[$name]=$f
	parts+=("$name")
done
[ $# -gt 0 ] && parts=("$@")

status=0
declare -A result secs
started=$(date +%s)
for p in "${parts[@]}"; do
	[ -n "${script[$p]:-}" ] || { echo "run.sh: no part $p (parts: ${!script[*]})" >&2; exit 2; }
	echo "== $p: ${script[$p]#"$src/"} (log: ${out#"$PWD/"}/$p.log)"
	t0=$(date +%s)
	rc=0
	bash "${script[$p]}" > "$out/$p.log" 2>&1 &
	pid=$!
	# failures as they happen
	tail -n +1 --pid=$pid -f "$out/$p.log" 2>/dev/null | grep --line-buffered -E '^not ok|^skipped' &
	wait $pid || rc=$?
	wait
	secs[$p]=$(($(date +%s) - t0))
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/$p.log" | tail -1)
	case $rc in
	0) result[$p]="passed (${summary:-?})" ;;
	77) result[$p]="skipped: $(grep -m1 '^skipped' "$out/$p.log" | cut -c10-)" ;;
	*) result[$p]="FAILED (${summary:-exit $rc})"; status=1 ;;
	esac
	echo "   ${result[$p]} in ${secs[$p]} s"
done

printf '\nwenyuan heavy suite: %s, %d cores, %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
	"$(git -C "$src" describe --always --dirty 2>/dev/null || echo '?')"
printf '\n%-8s %-30s %s\n' part figure value
printf '%-8s %-30s %s\n' -------- ------------------------------ ----------------------------
for p in "${parts[@]}"; do
	printf '%-8s %-30s %s\n' "$p" "result" "${result[$p]} in ${secs[$p]} s"
	grep -E "^figure $p\\.[a-z0-9_]+=" "$out/$p.log" | sed -E "s/^figure $p\\.([^=]*)=(.*)/\\1 \\2/" |
		while read -r k v; do printf '%-8s %-30s %s\n' "" "$k" "$v"; done
done
printf '\n%d s in all; logs in %s\n' $(($(date +%s) - started)) "$out"
exit $status

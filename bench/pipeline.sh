#!/usr/bin/env bash
# Pages per second from file to ready (page text + WebP page image at 1240 px
# + a 240 px thumbnail) for the corpus PDFs meant to convert: wenyuan against
# the pipeline a user would otherwise script around poppler and libwebp's
# tools (pdftoppm + pdftotext + cwebp, per page), side by side in one run,
# both using every core. Prints a table, the ratio, and peak memory.
#
#   bench/pipeline.sh build/wenyuan [RUNS]     (make bench)
set -euo pipefail
bin=$(realpath "${1:?usage: pipeline.sh path/to/wenyuan [runs]}")
runs=${2:-${BENCH_RUNS:-3}}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=${WY_CORPUS:-$src/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench: corpus not found at $corpus" >&2; exit 1; }
for t in pdftoppm pdftotext cwebp pdfinfo /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
cores=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

mapfile -t files < <(awk -F'\t' 'NR > 1 && $2 == "pdf" && $8 == "convert" {print $1}' "$corpus/MANIFEST.tsv" |
	sed "s|^|$corpus/|")
pages=0
for f in "${files[@]}"; do
	n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
	pages=$((pages + ${n:-0}))
done

# The scripted pipeline for one file, the way moredoc-style systems do it:
# one pdftoppm, one pdftotext and one cwebp per page, plus the thumbnail.
cat > "$work/script.sh" <<'SCRIPT'
#!/usr/bin/env bash
set -u
f=$1 out=$2/$(basename "$1")
mkdir -p "$out"
n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
for ((i = 1; i <= ${n:-0}; i++)); do
	pdftoppm -f $i -l $i -scale-to-x 1240 -scale-to-y -1 -png "$f" "$out/p$i" 2>/dev/null
	cwebp -quiet "$out"/p$i*.png -o "$out/p$i.webp" 2>/dev/null
	pdftotext -f $i -l $i -enc UTF-8 "$f" "$out/p$i.txt" 2>/dev/null
done
pdftoppm -f 1 -l 1 -scale-to-x 240 -scale-to-y -1 -png "$f" "$out/thumb" 2>/dev/null
cwebp -quiet "$out"/thumb*.png -o "$out/thumb.webp" 2>/dev/null
true
SCRIPT
chmod +x "$work/script.sh"

now() { date +%s.%N; }
peak_kb() { awk '/Maximum resident set size/ {print $6}' "$1"; }

wy_times=() sc_times=() wy_peak=0 sc_peak=0 wy_pages=0
for r in $(seq "$runs"); do
	rm -rf "$work/data" "$work/script-out"
	t0=$(now)
	WENYUAN_LOG=quiet /usr/bin/time -v -o "$work/wy.time" "$bin" --data "$work/data" add "${files[@]}" \
		> "$work/wy.out" || true
	t1=$(now)
	wy_times+=("$(echo "$t1 - $t0" | bc -l)")
	wy_pages=$("$bin" --data "$work/data" list --json | jq '[.[] | select(.status == "ready") | .pages] | add')
	k=$(peak_kb "$work/wy.time"); [ "$k" -gt "$wy_peak" ] && wy_peak=$k

	t0=$(now)
	printf '%s\n' "${files[@]}" | /usr/bin/time -v -o "$work/sc.time" \
		xargs -P "$cores" -I{} "$work/script.sh" {} "$work/script-out"
	t1=$(now)
	sc_times+=("$(echo "$t1 - $t0" | bc -l)")
	k=$(peak_kb "$work/sc.time"); [ "$k" -gt "$sc_peak" ] && sc_peak=$k
	echo "run $r: wenyuan $(printf %.2f "${wy_times[-1]}") s, script $(printf %.2f "${sc_times[-1]}") s" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
wy_t=$(median "${wy_times[@]}")
sc_t=$(median "${sc_times[@]}")
sc_webp=$(find "$work/script-out" -name 'p*.webp' | wc -l)

printf '\nwenyuan pipeline benchmark: %d corpus PDFs, %d pages (pdfinfo), %d cores, median of %d runs\n\n' \
	"${#files[@]}" "$pages" "$cores" "$runs"
printf '%-44s %8s %8s %10s %12s\n' "pipeline" "pages" "seconds" "pages/s" "peak RSS"
printf '%-44s %8d %8.2f %10.1f %9d MB\n' "wenyuan add (MuPDF + libwebp, sandboxed)" "$wy_pages" "$wy_t" \
	"$(echo "$wy_pages / $wy_t" | bc -l)" $((wy_peak / 1024))
printf '%-44s %8d %8.2f %10.1f %9d MB\n' "pdftoppm + pdftotext + cwebp per page" "$sc_webp" "$sc_t" \
	"$(echo "$sc_webp / $sc_t" | bc -l)" $((sc_peak / 1024))
printf '\nratio (pages/s, wenyuan / script): %.1fx\n' \
	"$(echo "($wy_pages / $wy_t) / ($sc_webp / $sc_t)" | bc -l)"
echo "peak RSS: the largest single process of each side (wenyuan: the worker or one converter child)."

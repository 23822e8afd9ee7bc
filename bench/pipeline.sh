#!/usr/bin/env bash
# Pages per second from file to ready (page text + WebP page image at 1240 px
# + a 240 px thumbnail) for the corpus PDFs meant to convert: wenyuan against
# the pipeline a user would otherwise script around poppler and libwebp's
# tools (pdftoppm + pdftotext + cwebp, per page), side by side in one run,
# both using every core. Prints a table, the ratio, peak memory, and the
# bytes per page image of both sides; with wy-ssim next to the binary, also
# the bytes and SSIM of the page images before and after issue 20's encoder
# (bench/ssim.c). Appends the rows "pipeline" and "bytes_per_page" to
# ${BENCH_RESULTS:-build/bench-results.tsv} (docs/bench.md).
#
#   bench/pipeline.sh build/wenyuan [RUNS]     (make bench)
set -euo pipefail
bin=$(realpath "${1:?usage: pipeline.sh path/to/wenyuan [runs]}")
runs=${2:-${BENCH_RUNS:-3}}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=${WY_CORPUS:-$src/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench: corpus not found at $corpus" >&2; exit 1; }
for t in pdftoppm pdftotext cwebp pdfinfo sqlite3 jq bc /usr/bin/time; do
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

wy_times=() wn_times=() sc_times=() ratios=() wn_ratios=() wy_peak=0 sc_peak=0 wy_pages=0
for r in $(seq "$runs"); do
	rm -rf "$work/data" "$work/script-out"
	t0=$(now)
	WENYUAN_LOG=quiet /usr/bin/time -v -o "$work/wy.time" "$bin" --data "$work/data" add "${files[@]}" \
		> "$work/wy.out" || true
	t1=$(now)
	wy_times+=("$(echo "$t1 - $t0" | bc -l)")
	wy_pages=$("$bin" --data "$work/data" list --json | jq '[.[] | select(.status == "ready") | .pages] | add')
	k=$(peak_kb "$work/wy.time"); [ "$k" -gt "$wy_peak" ] && wy_peak=$k
	# bytes of the page images, per page (the thumbnails not counted)
	wy_bytes=$(sqlite3 "$work/data/wenyuan.db" 'SELECT image_sha256 FROM pages' |
		while read -r sha; do stat -c %s "$work/data/blobs/${sha:0:2}/${sha:2:2}/$sha"; done |
		awk '{s += $1; n++} END {printf "%.0f", n ? s / n : 0}')

	# The same without OCR: the script recognises nothing, so this is
	# the like-for-like comparison (5 of these PDFs have pages with no
	# text layer, which wenyuan reads with Tesseract by default).
	rm -rf "$work/data-no-ocr"
	t0=$(now)
	WENYUAN_OCR=0 WENYUAN_LOG=quiet "$bin" --data "$work/data-no-ocr" add "${files[@]}" > "$work/wy-no-ocr.out" || true
	t1=$(now)
	wn_times+=("$(echo "$t1 - $t0" | bc -l)")
	wn_pages=$("$bin" --data "$work/data-no-ocr" list --json | jq '[.[] | select(.status == "ready") | .pages] | add')

	t0=$(now)
	printf '%s\n' "${files[@]}" | /usr/bin/time -v -o "$work/sc.time" \
		xargs -P "$cores" -I{} "$work/script.sh" {} "$work/script-out"
	t1=$(now)
	sc_times+=("$(echo "$t1 - $t0" | bc -l)")
	k=$(peak_kb "$work/sc.time"); [ "$k" -gt "$sc_peak" ] && sc_peak=$k
	# the ratio of this run's two sides: on a shared machine the load
	# changes between runs, so runs are compared side by side
	n_sc=$(find "$work/script-out" -name 'p*.webp' | wc -l)
	ratios+=("$(echo "($wy_pages / ${wy_times[-1]}) / ($n_sc / ${sc_times[-1]})" | bc -l)")
	wn_ratios+=("$(echo "($wn_pages / ${wn_times[-1]}) / ($n_sc / ${sc_times[-1]})" | bc -l)")
	echo "run $r: wenyuan $(printf %.2f "${wy_times[-1]}") s (without OCR $(printf %.2f "${wn_times[-1]}") s)," \
		"script $(printf %.2f "${sc_times[-1]}") s, ratio $(printf %.1f "${ratios[-1]}")x" \
		"(without OCR $(printf %.1f "${wn_ratios[-1]}")x), load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
wy_t=$(median "${wy_times[@]}")
sc_t=$(median "${sc_times[@]}")
sc_webp=$(find "$work/script-out" -name 'p*.webp' | wc -l)
sc_bytes=$(find "$work/script-out" -name 'p*.webp' -printf '%s\n' | awk '{s += $1; n++} END {printf "%.0f", n ? s / n : 0}')
wy_pps=$(echo "$wy_pages / $wy_t" | bc -l)
sc_pps=$(echo "$sc_webp / $sc_t" | bc -l)
ratio=$(median "${ratios[@]}")
wn_t=$(median "${wn_times[@]}")
wn_pps=$(echo "$wn_pages / $wn_t" | bc -l)
wn_ratio=$(median "${wn_ratios[@]}")
load=$(cut -d' ' -f1-3 /proc/loadavg)

printf '\nwenyuan pipeline benchmark: %d corpus PDFs, %d pages (pdfinfo), %d cores, median of %d runs\n\n' \
	"${#files[@]}" "$pages" "$cores" "$runs"
printf '%-44s %8s %8s %10s %12s %12s\n' "pipeline" "pages" "seconds" "pages/s" "peak RSS" "bytes/page"
printf '%-44s %8d %8.2f %10.1f %9d MB %12d\n' "wenyuan add (MuPDF + libwebp, sandboxed)" "$wy_pages" "$wy_t" \
	"$wy_pps" $((wy_peak / 1024)) "$wy_bytes"
printf '%-44s %8d %8.2f %10.1f %12s %12s\n' "  the same without OCR (WENYUAN_OCR=0)" "$wn_pages" "$wn_t" "$wn_pps" - -
printf '%-44s %8d %8.2f %10.1f %9d MB %12d\n' "pdftoppm + pdftotext + cwebp per page" "$sc_webp" "$sc_t" \
	"$sc_pps" $((sc_peak / 1024)) "$sc_bytes"
printf '\nratio (pages/s, wenyuan / script, the median of the per-run ratios): %.1fx (runs: %s)\n' "$ratio" \
	"$(printf '%.1fx ' "${ratios[@]}")"
printf 'ratio without OCR, like for like (the script recognises nothing): %.1fx (runs: %s)\n' "$wn_ratio" \
	"$(printf '%.1fx ' "${wn_ratios[@]}")"
echo "peak RSS: the largest single process of each side (wenyuan: the worker or one converter child)."
echo "bytes/page: the mean size of a 1240 px page image (wenyuan: per page stored; the script: per cwebp file)."
echo "load average at the end: $load"

# Quality: the page images before and after issue 20, against the render.
ssim_note="wy-ssim not built"
ssim_tool=$(dirname "$bin")/wy-ssim
if [ -x "$ssim_tool" ]; then
	echo
	echo "page images against the render (wy-ssim: SSIM on luma, 'ink': windows that are not blank paper):"
	"$ssim_tool" "${files[@]}" 2>/dev/null | tee "$work/ssim.out"
	read -r b_bytes b_ssim b_ink < <(awk '$1 == "total" && $2 == "before" {print $6, $10, $14}' "$work/ssim.out")
	read -r n_bytes n_ssim n_ink < <(awk '$1 == "total" && $2 == "now" {print $6, $10, $14}' "$work/ssim.out")
	ssim_note="wy-ssim: $n_bytes B/page at SSIM $n_ssim (ink $n_ink) against $b_bytes B/page at SSIM $b_ssim (ink $b_ink) before"
fi

# One row per measure for `make bench`'s table (docs/bench.md: the contract).
results=${BENCH_RESULTS:-build/bench-results.tsv}
mkdir -p "$(dirname "$results")"
printf 'pipeline\tPDF pages to ready (bench/pipeline.sh)\t%.1f\t%.1f\tpages/s\t%.1fx\t>=10x\tmedian of %d runs (ratio: median of per-run ratios), %d pages, %d cores, load %s\n' \
	"$wy_pps" "$sc_pps" "$ratio" "$runs" "$wy_pages" "$cores" "$load" >> "$results"
printf 'pipeline_no_ocr\tPDF pages to ready, like for like: no OCR, as the script\t%.1f\t%.1f\tpages/s\t%.1fx\t>=10x\tmedian of %d runs, %d pages, WENYUAN_OCR=0 (the script recognises no scanned page)\n' \
	"$wn_pps" "$sc_pps" "$wn_ratio" "$runs" "$wn_pages" >> "$results"
printf 'bytes_per_page\tpage image, 1240 px WebP (wenyuan; cwebp defaults)\t%d\t%d\tbytes\t%d%%\t<=before\t%s\n' \
	"$wy_bytes" "$sc_bytes" "$(echo "100 * $wy_bytes / $sc_bytes" | bc)" "$ssim_note" >> "$results"

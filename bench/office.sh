#!/usr/bin/env bash
# Office documents from file to ready (PDF export, page images, page text,
# thumbnail): wenyuan's warm LibreOfficeKit converters against what the Go
# document sites do, `soffice --headless --convert-to pdf` per document
# followed by `pdftoppm` (PNG pages at 1240 px) and `pdftotext`, on the same
# documents, side by side in one run.
#
# Reports the median seconds per document (one at a time), overall and per
# format, where wenyuan's time goes (LibreOffice to PDF against the page
# pipeline, from the converter's office.pdf and office.pages log lines),
# documents per minute with every core busy, and peak memory. The one-at-a-
# time part runs BENCH_OFFICE_RUNS times (default 1), both sides each round,
# alternating; the ratio quoted is the median of the rounds' ratios.
# Appends the "office" row to ${BENCH_RESULTS:-build/bench-results.tsv}.
#
#   bench/office.sh build/wenyuan [NDOCS]      (part of make bench)
set -euo pipefail
bin=$(realpath "${1:?usage: office.sh path/to/wenyuan [ndocs]}")
ndocs=${2:-${BENCH_OFFICE_DOCS:-40}}
runs=${BENCH_OFFICE_RUNS:-1}
results=${BENCH_RESULTS:-build/bench-results.tsv}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=${WY_CORPUS:-$src/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench: corpus not found at $corpus" >&2; exit 1; }
cores=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-office-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Office files meant to convert, spread over the formats; not the
# performance torture test that takes minutes in LibreOffice itself.
mapfile -t all < <(awk -F'\t' 'NR > 1 && $8 == "convert" && $2 ~ /^(doc|docx|xls|xlsx|ppt|pptx|odt|ods|odp|rtf)$/ {print $1}' \
	"$corpus/MANIFEST.tsv" | grep -v Text6.odt | sed "s|^|$corpus/|")
step=$(( ${#all[@]} / ndocs )); [ "$step" -ge 1 ] || step=1
files=()
for ((i = 0; i < ${#all[@]} && ${#files[@]} < ndocs; i += step)); do files+=("${all[i]}"); done

cat > "$work/script.sh" <<'SCRIPT'
#!/usr/bin/env bash
# One document the scripted way: soffice to PDF, then per page PNG + text.
set -u
f=$1 out=$2/$(basename "$1") profile=$3
mkdir -p "$out"
soffice -env:UserInstallation=file://$profile --headless --convert-to pdf --outdir "$out" "$f" >/dev/null 2>&1
pdf=$(ls "$out"/*.pdf 2>/dev/null | head -1)
[ -n "$pdf" ] || exit 0
n=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
for ((i = 1; i <= ${n:-0}; i++)); do
	pdftoppm -f $i -l $i -scale-to-x 1240 -scale-to-y -1 -png "$pdf" "$out/p$i" 2>/dev/null
	pdftotext -f $i -l $i -enc UTF-8 "$pdf" "$out/p$i.txt" 2>/dev/null
done
pdftoppm -f 1 -l 1 -scale-to-x 240 -scale-to-y -1 -png "$pdf" "$out/thumb" 2>/dev/null
true
SCRIPT
# Parallel runs each take a free profile (soffice cannot share one).
cat > "$work/parallel.sh" <<'SCRIPT'
#!/usr/bin/env bash
set -u
for ((p = 0; ; p = (p + 1) % 64)); do
	exec 9>"$3/lock.$p"
	flock -n 9 && break
done
"$(dirname "$0")/script.sh" "$1" "$2" "$3/profile.$p"
SCRIPT
chmod +x "$work/script.sh" "$work/parallel.sh"

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
peak_mb() { awk '/Maximum resident set size/ {print int($6 / 1024)}' "$1"; }

echo "warming up (profiles, caches)..." >&2
"$work/script.sh" "${files[0]}" "$work/warm" "$work/seqprofile" >/dev/null 2>&1 || true

# 1. One document at a time: per-document seconds, both sides each round.
# wenyuan: one worker slot; each job's time from its log line (the first
# includes starting LibreOffice, as a freshly started site would).
load0=$(cut -d' ' -f1 /proc/loadavg)
: > "$work/sc.lat"; : > "$work/wy.lat"; : > "$work/wy.split"; ratios=()
for ((r = 1; r <= runs; r++)); do
	: > "$work/sc.round"
	for f in "${files[@]}"; do
		t0=$(now)
		"$work/script.sh" "$f" "$work/seq" "$work/seqprofile"
		ext=${f##*.}
		printf '%s\t%s\n' "${ext,,}" "$(echo "$(now) - $t0" | bc -l)" >> "$work/sc.round"
	done
	rm -rf "$work/seq" "$work/wy-seq"
	WENYUAN_LOG=info "$bin" --data "$work/wy-seq" --workers=1 add "${files[@]}" > /dev/null 2> "$work/wy-seq.log" || true
	# format and seconds of each job; LibreOffice's and the pipeline's
	# seconds of each document the converter handled
	sed -n 's/.* job\.\(ready\|failed\) .* format=\([^ ]*\) .*ms=\([0-9]*\).*/\2\t\3/p' "$work/wy-seq.log" |
		awk -F'\t' '{printf "%s\t%.3f\n", $1, $2 / 1000}' > "$work/wy.round"
	awk '/ office\.pdf / {for (i = 1; i <= NF; i++) if ($i ~ /^ms=/) {lo = substr($i, 4) / 1000}}
	     / office\.pages / {for (i = 1; i <= NF; i++) if ($i ~ /^ms=/) {printf "%.3f\t%.3f\n", lo, substr($i, 4) / 1000}}' \
		"$work/wy-seq.log" >> "$work/wy.split"
	cat "$work/sc.round" >> "$work/sc.lat"
	cat "$work/wy.round" >> "$work/wy.lat"
	ratios+=("$(echo "$(median $(cut -f2 "$work/sc.round")) / $(median $(cut -f2 "$work/wy.round"))" | bc -l)")
done
load1=$(cut -d' ' -f1 /proc/loadavg)
mapfile -t wy_lat < <(cut -f2 "$work/wy.lat")
mapfile -t sc_lat < <(cut -f2 "$work/sc.lat")
wy_ready=$(grep -c 'job.ready' "$work/wy-seq.log" || true)

# 2. Every core busy: documents per minute, peak memory.
t0=$(now)
printf '%s\n' "${files[@]}" | /usr/bin/time -v -o "$work/sc.time" \
	xargs -P "$cores" -I{} "$work/parallel.sh" {} "$work/par" "$work" >/dev/null 2>&1
sc_wall=$(echo "$(now) - $t0" | bc -l)
t0=$(now)
WENYUAN_LOG=quiet /usr/bin/time -v -o "$work/wy.time" "$bin" --data "$work/wy-par" add "${files[@]}" >/dev/null 2>&1 || true
wy_wall=$(echo "$(now) - $t0" | bc -l)
sc_pdfs=$(find "$work/par" -name '*.pdf' | wc -l)

wy_med=$(median "${wy_lat[@]}")
sc_med=$(median "${sc_lat[@]}")
n=${#files[@]}
printf '\nwenyuan office benchmark: %d corpus office documents (%d converted by wenyuan, %d PDFs by soffice), %d cores\n\n' \
	"$n" "$wy_ready" "$sc_pdfs" "$cores"
printf '%-52s %14s %12s %10s\n' "pipeline" "median s/doc" "docs/min" "peak RSS"
printf '%-52s %14.2f %12.1f %7d MB\n' "wenyuan (LibreOfficeKit kept loaded, MuPDF, WebP)" "$wy_med" \
	"$(echo "$n * 60 / $wy_wall" | bc -l)" "$(peak_mb "$work/wy.time")"
printf '%-52s %14.2f %12.1f %7d MB\n' "soffice --convert-to pdf + pdftoppm + pdftotext" "$sc_med" \
	"$(echo "$n * 60 / $sc_wall" | bc -l)" "$(peak_mb "$work/sc.time")"
ratio=$(median "${ratios[@]}")
printf '\nratio, median seconds per document (soffice / wenyuan): %.1fx' "$ratio"
if [ "$runs" -gt 1 ]; then
	printf ' (median of %d rounds:' "$runs"
	printf ' %.1fx' "${ratios[@]}"
	printf ')'
fi
printf '\n'
printf 'ratio, documents per minute, all cores (wenyuan / soffice): %.1fx\n' \
	"$(echo "($n / $wy_wall) / ($n / $sc_wall)" | bc -l)"
echo "peak RSS: the largest single process of each side (wenyuan: a LibreOfficeKit converter)."

# Per format: median seconds per document, both sides; wenyuan's split into
# LibreOffice (load, layout, PDF export) and the page pipeline.
printf '\n%-6s %5s %12s %12s %8s\n' "format" "docs" "wenyuan s" "soffice s" "ratio"
for fmt in $(cut -f1 "$work/wy.lat" | sort -u); do
	w=$(median $(awk -F'\t' -v f="$fmt" '$1 == f {print $2}' "$work/wy.lat"))
	c=$(awk -F'\t' -v f="$fmt" '$1 == f {print $2}' "$work/sc.lat")
	[ -n "$c" ] && c=$(median $c) || c=0
	printf '%-6s %5d %12.3f %12.3f %7.1fx\n' "$fmt" "$(awk -F'\t' -v f="$fmt" '$1 == f' "$work/wy.lat" | wc -l)" \
		"$w" "$c" "$(echo "if ($w > 0) $c / $w else 0" | bc -l)"
done
lo_med=$(median $(cut -f1 "$work/wy.split"))
pg_med=$(median $(cut -f2 "$work/wy.split"))
printf '\nwenyuan, median per document: %.3f s LibreOffice to PDF (load, layout, export), %.3f s PDF to pages\n' \
	"$lo_med" "$pg_med"
printf 'load average: %s at the start, %s at the end of the one-at-a-time runs (%d cores)\n' "$load0" "$load1" "$cores"

mkdir -p "$(dirname "$results")"
printf 'office\tOffice document to ready (bench/office.sh)\t%.2f\t%.2f\ts/doc\t%.1fx\t>=12x\t%s\n' "$wy_med" "$sc_med" \
	"$ratio" "median of $n docs x $runs round(s); LibreOffice $lo_med s + pages $pg_med s a doc; load $load0-$load1" \
	>> "$results"

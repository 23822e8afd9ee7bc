#!/usr/bin/env bash
# A long scan through the real site: a 300-page image-only PDF (wy-mkscan:
# a Chinese text laid out, rasterised at 200 dpi in gray, turned, with
# noise, stored as JPEG pages) uploaded to `wenyuan serve`, then a few
# ordinary uploads behind it. Measures what a site's users see: when the
# scan is ready to read (its first batch recognised), when the uploads
# queued behind it are ready (they must not wait for the whole scan), how
# recognition goes on (the document's `recognising` progress), the pages
# per second of OCR, and how much of the source's text it reads back (the
# share of distinct Han bigrams, tests/e2e/han_bigrams.py).
#
# Side by side, the tool a user would otherwise script: pdftoppm at 200 dpi
# and the tesseract command (chi_sim, OMP_THREAD_LIMIT=1 as Tesseract advises for
# parallel runs) per page on the same scan: one page at
# a time on the first BENCH_OCR_CLI_PAGES/2 pages (against one wenyuan
# converter: one scan's batches are recognised one after another) and
# every core busy on the first BENCH_OCR_CLI_PAGES (default 40).
#
#   bench/ocr.sh build/wenyuan [PAGES]     (make bench; PAGES default 300)
set -euo pipefail
bin=$(realpath "${1:?usage: ocr.sh path/to/wenyuan [pages]}")
pages=${2:-${BENCH_OCR_PAGES:-300}}
cli_pages=${BENCH_OCR_CLI_PAGES:-40}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=${WY_CORPUS:-$src/../shared/corpus}
mkscan=$(dirname "$bin")/wy-mkscan
text=$corpus/files/gotext__testdata__sunzi-bingfa-gb-levels-1-and-2-utf-8.txt
[ -f "$text" ] || { echo "bench: corpus not found at $corpus" >&2; exit 1; }
[ -x "$mkscan" ] || { echo "bench: $mkscan missing (build the wy-mkscan target)" >&2; exit 1; }
for t in pdftoppm pdftotext tesseract curl jq python3; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
cores=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-ocr-XXXXXX")
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

n=$("$mkscan" "$text" "$pages" "$work/text.pdf" "$work/scan.pdf")
echo "scan: $n pages, $(( $(stat -c %s "$work/scan.pdf") >> 20 )) MiB (200 dpi gray JPEG), $cores cores"
small=()
for f in gongwen__out.pdf pdfjs__pdfs__issue12823.pdf gotext__testdata__sunzi-bingfa-simplified-gbk.txt \
	chnorm__data__sample-chinese.txt; do
	small+=("$corpus/files/$f")
done

# --- wenyuan: the site, as its users see it ---------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
WENYUAN_LOG=info "$bin" --data "$work/data" serve --listen "127.0.0.1:$port" > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fsS -X POST "$base/api/v1/register" --data-urlencode name=bench --data-urlencode password=bench-password-1 |
	jq -r .token)
auth=(-H "Authorization: Bearer $token")
up() { curl -fsS -X POST "$base/api/v1/upload" "${auth[@]}" -F "file=@$1" | jq -r '.documents[0].id'; }
doc() { curl -fsS "$base/api/v1/doc/$1" "${auth[@]}"; }

t0=$(now)
scan_id=$(up "$work/scan.pdf")
upload_s=$(since "$t0")
ids=()
for f in "${small[@]}"; do ids+=("$(up "$f")"); done
declare -A ready_at
scan_ready= last_progress= samples=0 ups=0
printf '%s\n' "time_s status recognising" > "$work/progress.txt"
deadline=$(( $(date +%s) + n * 20 + 300 ))
while :; do
	t=$(since "$t0")
	j=$(doc "$scan_id")
	st=$(jq -r .status <<<"$j")
	rec=$(jq -r '.recognising // .progress // ""' <<<"$j")
	if [ "$rec" != "$last_progress" ]; then
		echo "$t $st $rec" >> "$work/progress.txt"
		last_progress=$rec
		ups=$((ups + 1))
	fi
	samples=$((samples + 1))
	[ "$st" = ready ] && [ -z "$scan_ready" ] && scan_ready=$t
	for id in "${ids[@]}"; do
		[ -n "${ready_at[$id]:-}" ] && continue
		s=$(doc "$id" | jq -r .status)
		[ "$s" = ready ] || [ "$s" = failed ] && ready_at[$id]="$t $s $rec"
	done
	[ "$st" = failed ] && { echo "bench: the scan failed: $(jq -r .reason <<<"$j")" >&2; exit 1; }
	[ "$st" = ready ] && [ -z "$(jq -r '.recognising // ""' <<<"$j")" ] && break
	[ "$(date +%s)" -lt "$deadline" ] || { echo "bench: the scan took too long" >&2; exit 1; }
	sleep 1
done
total_s=$(since "$t0")
ocr_ms=$(grep -o 'convert.ocr_done pid=[0-9]* pages=[0-9]* ms=[0-9]*' "$work/serve.err" |
	awk '{split($3, p, "="); split($4, m, "="); pg += p[2]; ms += m[2]} END {print pg " " ms}')
jobs=$(grep -cE "job.(ready|recognised) .*doc=$scan_id " "$work/serve.err" || true)
"$bin" --data "$work/data" text "$scan_id" > "$work/wy.txt"
pdftotext -enc UTF-8 "$work/text.pdf" "$work/ref.txt"
read -r share found all < <(python3 "$src/tests/e2e/han_bigrams.py" share "$work/ref.txt" "$work/wy.txt")
kill $spid; wait $spid 2>/dev/null || true; spid=

# --- pdftoppm + tesseract per page, every core busy ---------------------------
cat > "$work/page.sh" <<'SCRIPT'
#!/usr/bin/env bash
i=$1 f=$2 out=$3
pdftoppm -f "$i" -l "$i" -r 200 -gray "$f" "$out/p$i"
# one thread each: with OpenMP on, tesseract took 22 s a page here, not 3.5
OMP_THREAD_LIMIT=1 tesseract "$out"/p"$i"*.pgm "$out/t$i" -l chi_sim >/dev/null 2>&1
SCRIPT
chmod +x "$work/page.sh"
# cli P PAGES: pages/s and the share of the source's bigrams read back
cli() {
	local p=$1 k=$2 c0 secs
	rm -rf "$work/cli"; mkdir -p "$work/cli"
	c0=$(now)
	seq 1 "$k" | xargs -P "$p" -I{} "$work/page.sh" {} "$work/scan.pdf" "$work/cli"
	secs=$(since "$c0")
	{ echo "=== page 1 ==="; for i in $(seq 1 "$k"); do cat "$work/cli/t$i.txt"; done; } > "$work/cli.txt"
	pdftotext -enc UTF-8 -l "$k" "$work/text.pdf" "$work/ref_cli.txt"
	read -r sh _ _ < <(python3 "$src/tests/e2e/han_bigrams.py" share "$work/ref_cli.txt" "$work/cli.txt")
	echo "$(echo "$k / $secs" | bc -l) $sh"
}
read -r cli1_rate cli1_share < <(cli 1 $(( cli_pages / 2 )))
read -r clin_rate clin_share < <(cli "$cores" "$cli_pages")

echo
echo "## wenyuan serve: one ${n}-page scan, then ${#small[@]} ordinary uploads behind it"
printf '| what | figure |\n|---|---|\n'
printf '| scan uploaded (%s MiB) | %.1f s |\n' "$(( $(stat -c %s "$work/scan.pdf") >> 20 ))" "$upload_s"
printf '| scan ready to read (first batch of pages recognised) | %.1f s after its upload |\n' "$scan_ready"
for id in "${ids[@]}"; do
	read -r t s r <<<"${ready_at[$id]}"
	printf '| upload %s behind it: %s | %.1f s (scan then at %s) |\n' "$id" "$s" "$t" "${r:-done}"
done
printf '| every page recognised | %.1f s (%d jobs, %d progress steps seen in %d polls) |\n' "$total_s" "$jobs" "$ups" "$samples"
read -r opages oms <<<"$ocr_ms"
printf '| OCR | %d pages in %.1f s of converter time: %.2f pages/s per converter, %.2f pages/s for the site |\n' \
	"$opages" "$(echo "$oms / 1000" | bc -l)" "$(echo "$opages * 1000 / $oms" | bc -l)" "$(echo "$n / $total_s" | bc -l)"
printf '| text read back | %s of %s distinct Han bigrams of the source (%s) |\n' "$found" "$all" "$share"
conv_rate=$(echo "$opages * 1000 / $oms" | bc -l)
site_rate=$(echo "$n / $total_s" | bc -l)
echo
echo "## pdftoppm -r 200 -gray + tesseract -l chi_sim, per page"
printf '| run | pages/s | text read back | wenyuan / it |\n|---|---|---|---|\n'
printf '| one page at a time (%d pages) | %.2f | %s | %.2f (a wenyuan converter) |\n' "$(( cli_pages / 2 ))" \
	"$cli1_rate" "$cli1_share" "$(echo "$conv_rate / $cli1_rate" | bc -l)"
printf '| %d at a time (%d pages) | %.2f | %s | %.2f (the site, one scan) |\n' "$cores" "$cli_pages" "$clin_rate" \
	"$clin_share" "$(echo "$site_rate / $clin_rate" | bc -l)"
echo
echo "progress as the document showed it (time_s status recognising):"
cat "$work/progress.txt" | awk 'NR == 1 || NR % 5 == 2' | head -20

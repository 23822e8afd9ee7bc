#!/usr/bin/env bash
# First page readable: how long after its upload a visitor can read page 1
# of a long document, against the time until the whole document is ready.
#
# Makes its own documents each run (nothing of them is in the repository):
# a 300-page PDF and a 100-page DOCX of mixed Chinese and English text, one
# page a section (bench/firstpage.py writes a flat OpenDocument text with a
# page break before each section; LibreOffice exports it to PDF and DOCX,
# with the Noto CJK fonts of scripts/deps.sh), different text every run so
# that no upload is a copy of another. Checks their page counts (pdfinfo
# for the PDFs, the site's own count at ready for the DOCX).
#
# Then serves a fresh data directory with `wenyuan serve` (its defaults:
# the embedded worker, one converter per core) on a free port of
# 127.0.0.1, registers an account and, for each run, uploads the PDF and
# then the DOCX as the upload form does (multipart POST /api/v1/upload),
# one at a time. From the start of each upload, every 20 ms: page 1 as a
# visitor asks for it (GET /api/v1/doc/ID/pages?from=1&count=1 without a
# cookie, then the item's image URL /blob/SHA, which must answer 200), and
# the document's status as its uploader sees it (ready). Reports the median
# of RUNS runs of both and appends the rows first_page_pdf and
# first_page_docx to ${BENCH_RESULTS:-build/bench-results.tsv} (goals: page
# 1 within 1 s for the PDF, 3 s for the DOCX; the note holds the time to
# ready and the machine's load average).
#
# LibreOffice cold and warm: the worker starts LibreOffice in every slot
# when it starts (office_prestart), which takes seconds. One more DOCX is
# uploaded as soon as the site answers, while LibreOffice is still loading
# (cold: a site that has just started; row first_page_docx_cold); the runs
# start once every slot's converter says it is ready (office.ready in the
# log: a site that has been up; rows first_page_pdf and first_page_docx).
#
#   bench/firstpage.sh build/wenyuan [RUNS]     (make bench; RUNS default 3)
#   BENCH_FIRSTPAGE_DEADLINE=600: seconds a document may take to be ready
set -euo pipefail
bin=$(realpath "${1:?usage: firstpage.sh path/to/wenyuan [runs]}")
runs=${2:-${BENCH_FIRSTPAGE_RUNS:-3}}
deadline=${BENCH_FIRSTPAGE_DEADLINE:-600}
pdf_pages=300 docx_pages=100
src=$(cd "$(dirname "$0")/.." && pwd)
results=${BENCH_RESULTS:-build/bench-results.tsv}
for t in soffice pdfinfo python3 curl jq; do
	command -v $t >/dev/null || { echo "bench: $t missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench: RUNS must be a positive number, not '$runs'" >&2; exit 1; }
mkdir -p "$(dirname "$results")"
work=$(mktemp -d "${TMPDIR:-/tmp}/wy-bench-firstpage-XXXXXX")
spid=
cleanup() {
	if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# until DEADLINE (epoch seconds) passes: wait_for DEADLINE command...
wait_for() {
	local end=$1; shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
load0=$(load)

# --- the documents ------------------------------------------------------------
echo "firstpage: making $runs x ${pdf_pages}-page PDF and ${docx_pages}-page DOCX (LibreOffice)"
for ((i = 1; i <= runs; i++)); do
	python3 "$src/bench/firstpage.py" fodt "$pdf_pages" "$i" "$work/report-$i.fodt"
	python3 "$src/bench/firstpage.py" fodt "$docx_pages" $((1000 + i)) "$work/notes-$i.fodt"
done
python3 "$src/bench/firstpage.py" fodt "$docx_pages" 1000 "$work/notes-0.fodt" # the cold one
lo=(soffice "-env:UserInstallation=file://$work/lo" --headless)
"${lo[@]}" --convert-to pdf --outdir "$work" "$work"/report-*.fodt > "$work/soffice.out" 2>&1
"${lo[@]}" --convert-to 'docx:MS Word 2007 XML' --outdir "$work" "$work"/notes-*.fodt >> "$work/soffice.out" 2>&1
for ((i = 0; i <= runs; i++)); do
	if [ "$i" = 0 ]; then [ -s "$work/notes-0.docx" ] && continue; fi
	if [ ! -s "$work/report-$i.pdf" ] || [ ! -s "$work/notes-$i.docx" ]; then
		echo "bench: LibreOffice made no PDF or DOCX:" >&2; cat "$work/soffice.out" >&2; exit 1
	fi
	n=$(pdfinfo "$work/report-$i.pdf" | awk '/^Pages:/ {print $2}')
	[ "$n" = "$pdf_pages" ] || { echo "bench: report-$i.pdf has $n pages, not $pdf_pages" >&2; exit 1; }
done
printf 'firstpage: PDF %d KiB, DOCX %d KiB\n' $(($(stat -c %s "$work/report-1.pdf") >> 10)) \
	$(($(stat -c %s "$work/notes-1.docx") >> 10))

# --- the site -------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
WENYUAN_LOG=info "$bin" --data "$work/data" serve --listen "127.0.0.1:$port" > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
wait_for $(($(date +%s) + 30)) curl -fs -o /dev/null "$base/healthz" ||
	{ echo "bench: the site did not answer:" >&2; tail -5 "$work/serve.err" >&2; exit 1; }
token=$(curl -fsS -X POST "$base/api/v1/register" --data-urlencode name=firstpage \
	--data-urlencode password=bench-password-1 | jq -r .token)

# measure FILE PAGES: "FIRST READY" seconds, the document checked to have PAGES
measure() {
	local id first ready pages
	if ! read -r id first ready pages < <(python3 "$src/bench/firstpage.py" measure "$base" "$token" "$1" "$deadline"); then
		echo "bench: measuring $(basename "$1") failed; the site's log ends:" >&2
		tail -5 "$work/serve.err" >&2
		return 1
	fi
	[ "$pages" = "$2" ] || { echo "bench: $(basename "$1") (document $id) has $pages pages, not $2" >&2; return 1; }
	echo "$first $ready"
}
pdf_first=() pdf_ready=() docx_first=() docx_ready=()
printf '\n%-4s %-26s %14s %10s\n' run document "first page s" "ready s"
# cold: uploaded right after the start, LibreOffice still loading
r=$(measure "$work/notes-0.docx" "$docx_pages")
read -r cold_first cold_ready <<<"$r"
printf '%-4s %-26s %14s %10s   (cold: uploaded as the site started, LibreOffice loading)\n' 0 \
	"DOCX, $docx_pages pages" "$cold_first" "$cold_ready"
# warm: every slot's converter has loaded LibreOffice
slots=$(sed -n 's/.*worker.start .*slots=\([0-9]*\).*/\1/p' "$work/serve.err" | head -1)
ready_convs() { [ "$(grep -c 'office\.ready' "$work/serve.err")" -ge "${slots:-1}" ]; }
# (with WENYUAN_OFFICE_PRESTART=0, the behaviour before office_prestart, a
# converter starts at its slot's first office document: nothing to wait for)
[ "${WENYUAN_OFFICE_PRESTART:-1}" = 0 ] || wait_for $(($(date +%s) + 120)) ready_convs ||
	{ echo "bench: the converters did not say they were ready:" >&2; grep office "$work/serve.err" | tail -5 >&2; exit 1; }
for ((i = 1; i <= runs; i++)); do
	r=$(measure "$work/report-$i.pdf" "$pdf_pages")
	read -r f t <<<"$r"
	pdf_first+=("$f") pdf_ready+=("$t")
	printf '%-4d %-26s %14s %10s\n' "$i" "PDF, $pdf_pages pages" "$f" "$t"
	r=$(measure "$work/notes-$i.docx" "$docx_pages")
	read -r f t <<<"$r"
	docx_first+=("$f") docx_ready+=("$t")
	printf '%-4d %-26s %14s %10s\n' "$i" "DOCX, $docx_pages pages" "$f" "$t"
done
# where the DOCX's LibreOffice time went (the converter's office.pdf lines,
# the cold one first): loading, the first pages' export (first_of: pages as
# laid out; 0: whole document only), the whole export
echo
echo "LibreOffice per DOCX, ms (office.pdf): load, first pages, whole export"
awk '/ office\.pdf / {for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
	printf "  load %s  first %s (of %s pages)  export %s\n", v["load_ms"], v["first_ms"], v["first_of"], v["export_ms"]}' \
	"$work/serve.err"
kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
load1=$(load)

# --- the results ------------------------------------------------------------------
# row KEY WHAT GOAL_S FIRSTS... -- READYS...
row() {
	local key=$1 what=$2 goal=$3 firsts=() readys=() mf mr
	shift 3
	while [ "$1" != -- ]; do firsts+=("$1"); shift; done
	shift
	readys=("$@")
	mf=$(median "${firsts[@]}")
	mr=$(median "${readys[@]}")
	printf '%-40s first page %6.2f s   ready %6.2f s   (goal: first page <= %s s)\n' "$what" "$mf" "$mr" "$goal"
	printf '%s\t%s\t%.2f\t-\ts\t-\t<=%ss\tready after %.1f s; median of %d runs (first page %s s; ready %s s); load average %s at the start, %s at the end\n' \
		"$key" "$what" "$mf" "$goal" "$mr" "$runs" "${firsts[*]}" "${readys[*]}" "$load0" "$load1" >> "$results"
}
echo
echo "median of $runs runs, from the start of the upload (load average $load0 at the start, $load1 at the end):"
row first_page_pdf "first page readable, ${pdf_pages}-page PDF" 1 "${pdf_first[@]}" -- "${pdf_ready[@]}"
row first_page_docx "first page readable, ${docx_pages}-page DOCX" 3 "${docx_first[@]}" -- "${docx_ready[@]}"
runs=1 row first_page_docx_cold "first page readable, ${docx_pages}-page DOCX, cold" 3 "$cold_first" -- "$cold_ready"

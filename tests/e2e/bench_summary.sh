#!/usr/bin/env bash
# make bench's parts that need no benchmark run: bench/summary.py's one
# table (every row of the issue, a row no script wrote "not measured", a
# goal held against the ratio or the figure, the last of two rows counts,
# a malformed line ignored), and bench/firstpage.py's document (well-formed
# flat OpenDocument with one section a page, different text per seed).
source "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
summary() { python3 "$WY_SRC/bench/summary.py" "$@"; }
# cell TABLE ROW-PREFIX N: the Nth cell (1-based) of the row whose first
# cell starts with ROW-PREFIX
cell() { awk -F'|' -v p="$2" -v n="$3" 'index($2, " " p) == 1 {v = $(n + 1); gsub(/^ +| +$/, "", v); print v; exit}' <<<"$1"; }

out=$(summary "$d/none.tsv")
check "no results file: a table all 'not measured'" \
	[ "$(grep -c '| not measured |' <<<"$out")" = 10 ]
check "no results file: the goals still shown" grep -qF '| >=12x ' <<<"$out"

tab=$'\t'
{
	printf 'pipeline\tPDF pages to ready\t22.9\t3.7\tpages/s\t6.2x\t>=10x\tmedian of 3 runs\n'
	printf 'office\tOffice document to ready\t0.2\t2.6\ts/doc\t13.0x\t>=12x\t\n'
	printf 'http_image\tpage image over HTTP\t16130\t23381\tr/s\t69%%\t>=90%%\tnoisy\n'
	printf 'http_image\tpage image over HTTP\t22000\t23381\tr/s\t94%%\t>=90%%\tsecond run\n'
	printf 'first_page_pdf\tfirst page readable, 300-page PDF\t0.62\t-\ts\t-\t<=1s\tready after 41.2 s; load 2\n'
	printf 'first_page_docx\tfirst page readable, 100-page DOCX\t9.7\t-\ts\t-\t<=3s\tready after 9.7 s\n'
	printf 'bytes_per_page\tbytes per page image\t41000\t45000\tbytes\t91%%\t<=45000\tSSIM 0.99\n'
	printf 'a line without its tabs\n'
} > "$d/r.tsv"
out=$(summary "$d/r.tsv" 2> "$d/err")
echo "$out"
check "ratio below its goal: not met" [ "$(cell "$out" "PDF pages" 6)" = "not met" ]
check "ratio over its goal: met" [ "$(cell "$out" "Office document" 6)" = met ]
check "the last of two rows counts" [ "$(cell "$out" "page image" 4)" = "94%" ]
check "the figure with its unit" [ "$(cell "$out" "page image" 2)" = "22000 r/s" ]
check "a time within its goal: met" [ "$(cell "$out" "first page readable, 300" 6)" = met ]
check "a time past its goal: not met" [ "$(cell "$out" "first page readable, 100" 6)" = "not met" ]
check "first page against the time to ready" [ "$(cell "$out" "first page readable, 300" 3)" = "ready after 41.2 s" ]
check "a figure goal: met" [ "$(cell "$out" "bytes per page" 6)" = met ]
check "an unwritten row: not measured" [ "$(cell "$out" "document page over HTTP, signed" 2)" = "not measured" ]
check "the notes follow the table" grep -qF -- "- pipeline: median of 3 runs" <<<"$out"
check "a malformed line is named, not fatal" grep -qF "r.tsv:8" "$d/err"
check "no tab in the table" lacks "$tab" <(echo "$out")

python3 "$WY_SRC/bench/firstpage.py" fodt 12 1 "$d/a.fodt"
python3 "$WY_SRC/bench/firstpage.py" fodt 12 2 "$d/b.fodt"
check "the document is well-formed XML" python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$d/a.fodt"
check "one section a page: 11 page breaks for 12 pages" [ "$(grep -c 'text:style-name="H"' "$d/a.fodt")" = 11 ]
check "Chinese and English on a page" grep -qE '元数据与编目 Metadata and cataloguing' "$d/a.fodt"
differ() { ! cmp -s "$1" "$2"; }
check "another seed, other text" differ "$d/a.fodt" "$d/b.fodt"
finish

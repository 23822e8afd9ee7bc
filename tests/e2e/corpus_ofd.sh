#!/usr/bin/env bash
# Every OFD file of the shared corpus (MANIFEST.formats.tsv) through
# `wenyuan add`: each settles as the manifest expects (convert: ready, with
# pages and text; edge: ready, or failed with a reason), the worker never
# crashes, and the electronic invoice shows its amounts as text. Skips (77)
# without the corpus.
source "$(dirname "$0")/lib.bash"

need_corpus
[ -f "$corpus/MANIFEST.formats.tsv" ] || { echo "# no MANIFEST.formats.tsv in the corpus: skipped"; exit 77; }

# Marked `convert` and ready, but with no text to find: pictures only.
declare -A no_text=(
	[ofdrw__converter__containsJPEG.ofd]='two photographs'
	[ofdrw__converter__h.ofd]='red rectangles and seals'
)

d=$(tmpdir)
data=$d/data
manifest=$d/manifest.tsv
awk -F'\t' 'NR > 1 && $2 == "ofd" {print $1 "\t" $2 "\t" $8}' "$corpus/MANIFEST.formats.tsv" > "$manifest"
mapfile -t files < <(cut -f1 "$manifest" | sed "s|^|$corpus/|")
[ "${#files[@]}" -gt 0 ] || { echo "# no OFD files in the corpus: skipped"; exit 77; }
echo "converting ${#files[@]} OFD files"

start=$(date +%s)
set +e
"$WY_BIN" --data "$data" --convert_timeout="${WY_CONVERT_LIMIT:-60}" add "${files[@]}" > "$d/add.out" 2> "$d/add.err"
rc=$?
set -e
echo "add exited $rc after $(( $(date +%s) - start ))s"
check "add finished normally (0: all ready, 2: some failed)" [ "$rc" -eq 0 -o "$rc" -eq 2 ]
check "no error events in the worker's log" lacks ' error ' "$d/add.err"

"$WY_BIN" --data "$data" list --json > "$d/list.json"
read_ids "$d/add.out"
check "every file was stored" [ "${#id_of[@]}" -eq "${#files[@]}" ]
check "every failure has a reason" jqe 'all(.[]; .status != "failed" or ((.reason // "") | length > 0))' "$d/list.json"

while IFS=$'\t' read -r path fmt expectation; do
	name=$(basename "$path")
	id=${id_of[$name]:-}
	[ -n "$id" ] || { bad "$name: not stored"; continue; }
	st=$(status_of "$d/list.json" "$id")
	status=${st%%$'\t'*}
	reason=${st#*$'\t'}
	check "$name: sniffed as OFD" jqe --argjson id "$id" '.[] | select(.id == $id) | .format == "ofd"' "$d/list.json"
	case $expectation in
	convert)
		check "$name: ready" [ "$status" = ready ]
		check "$name: has pages" jqe --argjson id "$id" '.[] | select(.id == $id) | .pages >= 1' "$d/list.json"
		if [ -z "${no_text[$name]:-}" ]; then
			check "$name: has text" [ -n "$("$WY_BIN" --data "$data" text "$id" | grep -v '^=== page' | tr -d ' \n')" ]
		fi ;;
	*)
		check "$name ($expectation): ready, or failed with a reason" \
			[ "$status" = ready -o \( "$status" = failed -a -n "$reason" \) ]
		echo "# $name ($expectation): $status${reason:+ ($reason)}" ;;
	esac
done < "$manifest"

inv=ofdrw__converter__发票示例.ofd
if [ -n "${id_of[$inv]:-}" ]; then
	"$WY_BIN" --data "$data" text "${id_of[$inv]}" > "$d/invoice.txt"
	check "invoice: its title" grep -qF '重庆增值税电子普通发票' "$d/invoice.txt"
	check "invoice: the total" grep -qF '¥318.00' "$d/invoice.txt"
	check "invoice: the total in words" grep -qF '叁佰壹拾捌圆整' "$d/invoice.txt"
	check "invoice: the seller" grep -qF '杭州融易算企业管理咨询有限公司' "$d/invoice.txt"
	check "invoice: found by search" jqe 'length >= 1' <("$WY_BIN" --data "$data" search 融易算 --json)
fi

finish

#!/usr/bin/env bash
# Every PDF, EPUB and text file of the shared corpus (MANIFEST.tsv) and
# every OFD, MOBI and AZW3 file of MANIFEST.formats.tsv through `wenyuan
# add`: each ends ready or failed with a reason, within its limits; nothing
# crashes the worker; encrypted files fail as password-protected (the DRM
# book among them); files meant to convert become ready, and those of the
# formats manifest are sniffed as their format and have pages, text and a
# thumbnail; its edge files are ready or fail with a reason, its malformed
# ones fail with a reason; Chinese text comes out whole; the electronic
# invoice reads its amounts. (Office files: corpus_office.sh.) Skips (77)
# without the corpus: it lives beside the project, never inside it.
source "$(dirname "$0")/lib.bash"

need_corpus

d=$(tmpdir)
data=$d/data
manifest=$d/manifest.tsv
corpus_select "$manifest" '$2 == "pdf" || $2 == "epub" || $2 == "txt"' '$1, $2, $8, "main"'
# every file of MANIFEST.formats.tsv (OFD, MOBI, AZW3): wenyuan reads them all
if [ -f "$corpus/MANIFEST.formats.tsv" ]; then
	awk -F'\t' 'NR > 1 {print $1 "\t" $2 "\t" $8 "\tformats"}' "$corpus/MANIFEST.formats.tsv" >> "$manifest"
fi
# Marked `convert` in the formats manifest, but pictures with no text.
declare -A no_text=(
	[ofdrw__converter__containsJPEG.ofd]='two photographs'
	[ofdrw__converter__h.ofd]='red rectangles and seals'
)
corpus_files "$manifest"
echo "converting ${#files[@]} corpus files"

start=$(date +%s)
set +e
"$WY_BIN" --data "$data" --convert_timeout="${WY_CONVERT_LIMIT:-60}" add "${files[@]}" > "$d/add.out" 2> "$d/add.err"
rc=$?
set -e
took=$(( $(date +%s) - start ))
echo "add exited $rc after ${took}s"
check "add finished normally (0: all ready, 2: some failed)" [ "$rc" -eq 0 -o "$rc" -eq 2 ]
check "no error events in the worker's log" lacks ' error ' "$d/add.err"

"$WY_BIN" --data "$data" list --json > "$d/list.json"
read_ids "$d/add.out"
check "every file was stored" [ "${#id_of[@]}" -eq "${#files[@]}" ]

unsettled=$(jq '[.[] | select(.status != "ready" and .status != "failed")] | length' "$d/list.json")
check "every document is ready or failed" [ "$unsettled" -eq 0 ]
check "every failure has a reason" jqe 'all(.[]; .status != "failed" or ((.reason // "") | length > 0))' "$d/list.json"

while IFS=$'\t' read -r path fmt expectation from; do
	name=$(basename "$path")
	id=${id_of[$name]:-}
	[ -n "$id" ] || { bad "$name: not stored"; continue; }
	st=$(status_of "$d/list.json" "$id")
	status=${st%%$'\t'*}
	reason=${st#*$'\t'}
	# (a Mobipocket file holding only a KF8 book is AZW3 by what is inside)
	if [ "$from" = formats ]; then
		check "$name: sniffed as $fmt" jqe --argjson id "$id" --arg f "$fmt" \
			'.[] | select(.id == $id) | .format == $f or ($f == "mobi" and .format == "azw3")' "$d/list.json"
	fi
	case $expectation in
	encrypted)
		check "$name: fails as password-protected" [ "$status" = failed -a "$reason" = password-protected ] ;;
	convert)
		check "$name: ready" [ "$status" = ready ]
		if [ "$from" = formats ] && [ "$status" = ready ]; then
			[ -n "${no_text[$name]:-}" ] ||
				check "$name: has text" [ "$("$WY_BIN" --data "$data" text "$id" | grep -v '^=== page' | tr -d ' \n' | wc -c)" -gt 20 ]
			check "$name: has a thumbnail" jqe --argjson id "$id" \
				'.[] | select(.id == $id) | .thumbnail != null' "$d/list.json"
		fi ;;
	edge)
		if [ "$from" = formats ]; then
			check "$name (edge): ready, or failed with a reason" \
				[ "$status" = ready -o \( "$status" = failed -a -n "$reason" \) ]
		fi
		echo "# $name ($expectation): $status${reason:+ ($reason)}" ;;
	reject-malformed)
		if [ "$from" = formats ]; then
			check "$name: fails with a reason" [ "$status" = failed -a -n "$reason" ]
		else
			echo "# $name ($expectation): $status${reason:+ ($reason)}"
		fi ;;
	*)
		echo "# $name ($expectation): $status${reason:+ ($reason)}" ;;
	esac
done < "$manifest"

# Chinese text comes out right.
text_of() { "$WY_BIN" --data "$data" text "${id_of[$1]}"; }
text_of gongwen__out.pdf > "$d/gongwen.txt"
check "Chinese PDF: a sentence wrapped over printed lines reads whole" \
	grep -qF '《出师表》是三国时期蜀汉丞相诸葛亮在北伐前上给后主刘禅的一篇著名奏章，分为《前出师表》和《后出师表》，最常见、流传最广的是《前出师表》。' "$d/gongwen.txt"
check "Chinese PDF: the headings stay their own lines" grep -qx '二、一级标题 b' "$d/gongwen.txt"
check "Chinese PDF: a second phrase" grep -qF '先帝创业未半而中道崩殂，今天下三分，益州疲弊，此诚危急存亡之秋也。' "$d/gongwen.txt"
check "GBK text file becomes UTF-8" grep -qF '孙子曰：兵者，国之大事，死生之地，存亡之道，不可不察也。' \
	<(text_of gotext__testdata__sunzi-bingfa-simplified-gbk.txt)
check "Big5 text file becomes UTF-8" grep -qF '維基大典（Wikipedia）者，網路為礎' <(text_of chnorm__data__sample-chinese.txt)
check "Shift_JIS text file becomes UTF-8" grep -qF '羅生門' <(text_of gotext__testdata__rashomon-shift-jis.txt)
check "UTF-32BE text file without a BOM" grep -qF 'Candide' <(text_of gotext__testdata__candide-utf-32be.txt)
check "Latin-1 French text" grep -qF 'MOLIÈRE' <(text_of chnorm__data__sample-french-1.txt)
# Titles: a file name that says something is the title (the corpus's
# names do); named by a hash (as the end of its corpus name), the book's own.
check "Chinese EPUB: titled by its file name" \
	jqe --argjson id "${id_of[vuereader__files_65f1bfa9.epub]}" '.[] | select(.id == $id) | .title == "vuereader__files_65f1bfa9"' "$d/list.json"
cp "$corpus/files/vuereader__files_65f1bfa9.epub" "$d/65f1bfa9.epub"
"$WY_BIN" --data "$d/data2" add "$d/65f1bfa9.epub" > /dev/null
check "Chinese EPUB named by a hash: title from its metadata" \
	jqe '.[0].title | startswith("啼笑因缘")' <("$WY_BIN" --data "$d/data2" list --json)

# The electronic invoice (OFD) reads as printed.
inv=ofdrw__converter__发票示例.ofd
if [ -n "${id_of[$inv]:-}" ]; then
	text_of "$inv" > "$d/invoice.txt"
	check "invoice: its title" grep -qF '重庆增值税电子普通发票' "$d/invoice.txt"
	check "invoice: the total" grep -qF '¥318.00' "$d/invoice.txt"
	check "invoice: the total in words" grep -qF '叁佰壹拾捌圆整' "$d/invoice.txt"
	check "invoice: the seller" grep -qF '杭州融易算企业管理咨询有限公司' "$d/invoice.txt"
	check "invoice: found by search" jqe 'length >= 1' <("$WY_BIN" --data "$data" search 融易算 --json)
fi

# Adding the whole corpus again stores nothing new and converts nothing.
set +e
"$WY_BIN" --data "$data" add "${files[@]}" > "$d/again.out"
set -e
check "a second add finds every file stored" [ "$(grep -c '^exists' "$d/again.out")" -eq "${#files[@]}" ]

finish

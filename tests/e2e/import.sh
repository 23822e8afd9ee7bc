#!/usr/bin/env bash
# `wenyuan import` of a site's archive ("must show" 4): a tree of the
# corpus's Chinese documents in nested folders (copies made here in a
# temporary directory, never in the repository), with a broken PDF, a file of
# no known format, a second copy of one file, a hidden file, a symbolic link
# out of the tree and a pipe. The folders become categories; a second run
# imports nothing; a run killed outright midway (SIGKILL once some documents
# are ready) and started again ends with every file imported once; a run
# stopped with SIGINT while storing and converting stops cleanly, says how
# to resume, and the next run stores the rest; the CSV lists the broken
# files. The progress output and the summary of the first run are kept in
# build/test-artifacts/import-output.txt.
source "$(dirname "$0")/lib.bash"
need_corpus

d=$(tmpdir)
ipid=
spid=
trap '[ -n "$ipid" ] && kill -9 $ipid 2>/dev/null; [ -n "$spid" ] && kill $spid 2>/dev/null && wait $spid; rm -rf "$d"' EXIT
art=$(dirname "$WY_BIN")/test-artifacts
mkdir -p "$art"
tree=$d/档案库

# ---- the tree ----
# Chinese documents that convert, by format into folders (a few of each);
# one spreadsheet LibreOffice cannot open and the ODT made to be slow are
# left out (corpus.sh covers them).
corpus_select "$d/zh.tsv" '$7 ~ /^zh/ && $8 == "convert" && $1 !~ /calamine__tests__issue_530|odftk__performance/'
declare -A cap=([pdf]=6 [txt]=5 [epub]=1 [docx]=6 [xlsx]=4 [xls]=2 [pptx]=2)
declare -A folder=([pdf]="公文/PDF 文件" [txt]="文学/古籍/孙子" [epub]="电子书" [docx]="公文/Word 文档"
	[xlsx]="表格/Excel/2024" [xls]="表格/Excel/旧格式" [pptx]="演示文稿　")
declare -A took=()
n=0
while IFS=$'\t' read -r path fmt _; do
	[ -n "${cap[$fmt]:-}" ] && [ "${took[$fmt]:-0}" -lt "${cap[$fmt]}" ] || continue
	took[$fmt]=$((${took[$fmt]:-0} + 1))
	mkdir -p "$tree/${folder[$fmt]}"
	cp "$corpus/$path" "$tree/${folder[$fmt]}/"
	n=$((n + 1))
done < "$d/zh.tsv"
good=$n
# the broken ones: they are stored, their conversion fails
mkdir -p "$tree/其它"
printf '%%PDF-1.7\n这不是一个真正的 PDF 文件\n' > "$tree/公文/PDF 文件/损坏的文件.pdf"
head -c 3000 /dev/urandom > "$tree/其它/未知格式.bin"
# the same bytes twice: one document
first_txt=$(find "$tree/文学" -type f | head -1)
cp "$first_txt" "$tree/其它/副本.txt"
# never imported: hidden, a link out of the tree, not a regular file
echo 隐藏 > "$tree/.隐藏.txt"
mkdir -p "$tree/.git" && echo x > "$tree/.git/config"
ln -s /etc/passwd "$tree/其它/外链.txt"
mkfifo "$tree/其它/管道"
files=$((good + 3))
distinct=$((good + 2))
echo "# $files files ($good that convert, 2 broken, 1 copy) in $(find "$tree" -type d | wc -l) folders"
# the documents each file should be: the distinct sha256s of the regular files
find "$tree" -type f -not -path '*/.*' -exec sha256sum {} + | cut -c1-64 | sort -u > "$d/want.sha"
check "the tree holds $distinct distinct files" [ "$(wc -l < "$d/want.sha")" -eq "$distinct" ]

# docs DATA: `list --json` of the library
docs() { "$WY_BIN" --data "$1" list --json; }

# ---- 1. one run, whole: folders to categories ----
lib=$d/lib1
mkdir -p "$lib"
rc=0
"$WY_BIN" --data "$lib" import "$tree" --category-from-folders --uploader 档案馆 --csv "$d/fail1.csv" \
	> "$d/run1.out" 2> "$d/run1.err" || rc=$?
{
	echo "\$ wenyuan import 档案库 --category-from-folders --uploader 档案馆 --csv fail1.csv"
	echo "# stderr (progress, not a terminal: a line every few seconds):"
	cat "$d/run1.err"
	echo "# stdout (per file, then the summary):"
	cat "$d/run1.out"
	echo "# fail1.csv:"
	cat "$d/fail1.csv"
} > "$art/import-output.txt"
cat "$art/import-output.txt"
check "run 1: exit status 2 (some conversions failed)" [ "$rc" -eq 2 ]
docs "$lib" > "$d/l1.json"
check "run 1: $distinct documents, one per distinct file" jqe "length == $distinct" "$d/l1.json"
check "run 1: their sha256s are the files'" cmp -s "$d/want.sha" <(jq -r '.[].sha256' "$d/l1.json" | sort -u)
check "run 1: the $((good + 1)) good ones ready (the copy is one of them)" \
	jqe "[.[] | select(.status == \"ready\")] | length == $good" "$d/l1.json"
check "run 1: summary: files found $files" grep -qE "^files found +$files$" "$d/run1.out"
check "run 1: summary: imported $distinct" grep -qE "^imported +$distinct$" "$d/run1.out"
check "run 1: summary: the copy skipped as already there" grep -qE "^skipped \(already there\) +1$" "$d/run1.out"
check "run 1: summary: failed 2" grep -qE "^failed +2$" "$d/run1.out"
check "run 1: summary: ready $good files (the copy counted once, as skipped)" grep -qE "^ready +$good$" "$d/run1.out"
check "run 1: summary: bytes, time and rate" grep -qE "^rate +.*/s, .* files/s$" "$d/run1.out"
check "run 1: progress lines with files, bytes, ready, failed, rate, time left" \
	grep -qE "^import: $files/$files files, .*, ready [0-9]+, failed [0-9]+, .*/s, .* left$" "$d/run1.err"
check "run 1: conversion progress" grep -qE "^convert: [0-9]+/[0-9]+ documents, ready [0-9]+, failed [0-9]+" "$d/run1.err"
check "run 1: the hidden file skipped, saying so" grep -qF ".隐藏.txt: hidden" "$d/run1.out"
check "run 1: the hidden folder not entered" lacks ".git/config" "$d/run1.out"
check "run 1: the link not followed, saying so" grep -qF "其它/外链.txt: a symbolic link (not followed)" "$d/run1.out"
check "run 1: the pipe skipped, saying so" grep -qF "其它/管道: not a regular file" "$d/run1.out"
check "run 1: nothing read through the link" lacks "root:" "$d/run1.out"
"$WY_BIN" --data "$lib" category list --json > "$d/cats.json"
for c in 公文/PDF\ 文件 文学/古籍/孙子 表格/Excel/2024 表格/Excel/旧格式 演示文稿 电子书; do
	check "category $c (from the folders)" jqe --arg c "$c" 'any(.[]; .path == $c)' "$d/cats.json"
done
check "a folder's spaces (U+3000) trimmed from its category" jqe '[.[] | select(.path | test("　$"))] | length == 0' "$d/cats.json"
check "new categories said once each" [ "$(grep -c '^category .*(new)$' "$d/run1.out")" -eq "$(grep -cE '^category ' "$d/run1.out")" ]
check "电子书 existed: not said to be new" lacks "category  电子书 (new)" "$d/run1.out"
check "documents filed in their folder's category" \
	jqe '[.[] | select(.filename == "损坏的文件.pdf")][0].category == "公文/PDF 文件"' "$d/l1.json"
check "the uploader named" jqe 'all(.[]; .uploader != null)' "$d/l1.json"
check "the CSV: a header and the two broken files" [ "$(wc -l < "$d/fail1.csv")" -eq 3 ]
check "the CSV names the broken PDF and why" grep -qF "损坏的文件.pdf\",\"conversion failed: " "$d/fail1.csv"
check "the CSV names the file of no known format" grep -qF "其它/未知格式.bin\",\"conversion failed: unrecognized format" "$d/fail1.csv"

# ---- 2. the second run imports nothing ----
rc=0
"$WY_BIN" --data "$lib" import "$tree" --category-from-folders --json --csv "$d/fail2.csv" \
	> "$d/run2.json" 2> "$d/run2.err" || rc=$?
cat "$d/run2.json"
check "run 2: exit status 0 (nothing of this run failed)" [ "$rc" -eq 0 ]
check "run 2: imported nothing, every file skipped" \
	jqe ".imported == 0 and .skipped == $files and .found == $files and .categories_created == 0" "$d/run2.json"
check "run 2: still $distinct documents" jqe "length == $distinct" <(docs "$lib")
check "run 2: the CSV lists only this run's failures: none" [ "$(wc -l < "$d/fail2.csv")" -eq 1 ]
check "run 2: JSON summary: skipped files neither ready nor failed" jqe ".ready == 0 and .failed == 0 and .unreadable == 0" "$d/run2.json"

# ---- 3. killed outright midway, then run again ----
lib=$d/lib2
mkdir -p "$lib"
"$WY_BIN" --data "$lib" import "$tree" --category-from-folders > "$d/run3.out" 2> "$d/run3.err" &
ipid=$!
# until some documents are ready (and the import still running): at most 120 s
ready_now=0
for _ in $(seq 600); do
	kill -0 $ipid 2>/dev/null || break
	ready_now=$(docs "$lib" 2>/dev/null | jq '[.[] | select(.status == "ready")] | length' 2>/dev/null || echo 0)
	[ "$ready_now" -ge 5 ] && break
	sleep 0.2
done
alive=0
kill -0 $ipid 2>/dev/null && alive=1
kill -9 $ipid 2>/dev/null || true
wait $ipid 2>/dev/null || true
ipid=
check "run 3: killed while converting ($ready_now of $distinct ready)" [ "$alive" -eq 1 ] && [ "$ready_now" -lt "$distinct" ]
rc=0
"$WY_BIN" --data "$lib" import "$tree" --category-from-folders --csv "$d/fail4.csv" > "$d/run4.out" 2> "$d/run4.err" || rc=$?
tail -16 "$d/run4.out"
docs "$lib" > "$d/l4.json"
check "run 4 (restarted): exit status 0 or 2 (2 when it stored a broken file)" [ "$rc" -eq 0 -o "$rc" -eq 2 ]
check "run 4: every file imported once: $distinct documents" jqe "length == $distinct" "$d/l4.json"
check "run 4: their sha256s are the files', each once" \
	cmp -s "$d/want.sha" <(jq -r '.[].sha256' "$d/l4.json" | sort)
check "run 4: none left converting, $good ready" \
	jqe "all(.[]; .status == \"ready\" or .status == \"failed\") and ([.[] | select(.status == \"ready\")] | length == $good)" "$d/l4.json"
check "run 4: the CSV names only broken files it stored" [ "$(grep -c 'conversion failed' "$d/fail4.csv")" -le 2 -a "$(grep -vc '损坏的文件.pdf\|未知格式.bin' "$d/fail4.csv")" -eq 1 ]
# (a conversion killed midway may leave page images no one refers to: younger
# than fsck's grace period, they are no problem yet)
check "fsck is clean" "$WY_BIN" --data "$lib" fsck

# ---- 4. SIGINT while storing and converting: stops after the current
# file, the conversions under way back in the queue; the next run (storing
# only: --no-wait) stores the rest ----
big=$d/大批量
for i in $(seq 0 19); do
	mkdir -p "$big/第${i}卷"
	for j in $(seq 0 49); do printf '第 %d 卷第 %d 篇\n' "$i" "$j" > "$big/第${i}卷/$j.txt"; done
done
lib=$d/lib3
mkdir -p "$lib"
"$WY_BIN" --data "$lib" import "$big" > "$d/run5.out" 2> "$d/run5.err" &
ipid=$!
for _ in $(seq 600); do
	kill -0 $ipid 2>/dev/null || break
	[ "$(grep -c '^new' "$d/run5.out" 2>/dev/null || true)" -ge 50 ] && break
	sleep 0.05
done
kill -INT $ipid 2>/dev/null || true
rc=0
wait $ipid || rc=$?
ipid=
stored=$(jq length <(docs "$lib"))
echo "# interrupted after $stored of 1000 files"
check "run 5: SIGINT: exit status 130" [ "$rc" -eq 130 ]
check "run 5: stopped midway ($stored of 1000 stored)" [ "$stored" -ge 50 ] && [ "$stored" -lt 1000 ]
check "run 5: says how to resume" grep -qF "run the same command again to resume" "$d/run5.err"
check "run 5: the summary counts what it stored" grep -qE "^imported +$stored$" "$d/run5.out"
check "run 5: the conversions under way handed back to the queue" \
	jqe 'all(.[]; .status == "queued" or .status == "ready")' <(docs "$lib")
rc=0
"$WY_BIN" --data "$lib" import "$big" --no-wait --json > "$d/run6.json" 2> "$d/run6.err" || rc=$?
check "run 6: resumed: the rest imported, the first ones skipped" \
	jqe ".imported == $((1000 - stored)) and .skipped == $stored and .queued + .ready == .imported and .interrupted == false" "$d/run6.json"
check "run 6: exit status 0" [ "$rc" -eq 0 ]
check "run 6: 1000 documents, one each" jqe 'length == 1000 and ([.[].sha256] | unique | length == 1000)' <(docs "$lib")

# ---- 5. seen from the site: what "already there" means, counts that add
# up with copies in the tree, file names cleaned as an upload's ----
data=$d/lib4
mkdir -p "$data"
serve_site
alice=$(register alice 'alice-pass-1')
site=$d/站点
mkdir -p "$site/副本"
printf '档案馆公开资料第一号：孙子兵法摘录。\n' > "$site/archive.txt"
for i in 1 2 3; do cp "$site/archive.txt" "$site/副本/archive$i.txt"; done
: > "$site/空.txt" # fails "the file is empty", with two copies
cp "$site/空.txt" "$site/副本/空1.txt" && cp "$site/空.txt" "$site/副本/空2.txt"
nl_name=$'evil\r\nSet-Cookie: x=1\xe2\x80\xaetxt.exe.txt'
printf '换行的名字\n' > "$site/$nl_name"
printf '坏的名字\n' > "$site/"$'bad\xff\xfename.txt'
# alice's private upload of the archive's bytes must not keep them out
priv=$(upload "$alice" "$site/archive.txt" -F title=我的私人副本 -F private=1)
check "alice's private copy uploaded" wait_ready "$priv" "$alice"
rc=0
"$WY_BIN" --data "$data" import "$site" --uploader 档案馆 --json --csv "$d/fail7.csv" > "$d/run7.json" 2> "$d/run7.err" || rc=$?
cat "$d/run7.json" "$d/fail7.csv"
check "run 7: 9 files: 4 imported, 5 copies skipped" jqe '.found == 9 and .imported == 4 and .skipped == 5' "$d/run7.json"
check "run 7: the counts add up (found = imported + skipped + unreadable; imported = ready + failed + queued)" \
	jqe '.found == .imported + .skipped + .unreadable and .imported == .ready + .failed + .queued' "$d/run7.json"
check "run 7: 3 ready, the empty file failed once" jqe '.ready == 3 and .failed == 1' "$d/run7.json"
check "run 7: the CSV: a header and the empty file only" [ "$(wc -l < "$d/fail7.csv")" -eq 2 ]
check "run 7: exit status 2 (the empty file)" [ "$rc" -eq 2 ]
docs "$data" > "$d/l7.json"
sha=$(sha256sum "$site/archive.txt" | cut -c1-64)
pub=$(jq -r --arg s "$sha" '[.[] | select(.sha256 == $s and .id != '"$priv"')][0].id' "$d/l7.json")
check "the archive's copy imported beside alice's private one" [ "$pub" != null -a "$pub" != "$priv" ]
check "visitors see the archive's copy" [ "$(code "$base/api/v1/doc/$pub")" = 200 ]
check "alice's copy stays hers" [ "$(code "$base/api/v1/doc/$priv")" = 404 ]
check "a second run skips the archive's copy" jqe '.imported == 0 and .skipped == 9' \
	<("$WY_BIN" --data "$data" import "$site" --json --no-wait 2>/dev/null)
# page_shows HTML TITLE: a document's page with its heading, showing TITLE
page_shows() { grep -q '<h1' "$1" && grep -qF -- "$2" "$1"; }
for n in evil bad; do
	id=$(jq -r --arg n "$n" '[.[] | select(.filename | startswith($n))][0].id' "$d/l7.json")
	curl -fsS "$base/api/v1/doc/$id" > "$d/doc-$n.json"
	check "$n: the file name and title have no CR, LF, U+202E nor repaired bytes" \
		jqe '[.filename, .title] | all(type == "string" and (test("[\r\n\u202e\ufffd]") | not))' "$d/doc-$n.json"
	title=$(jq -r .title "$d/doc-$n.json")
	curl -fsS "$base/doc/$id" > "$d/page-$n.html"
	check "$n: the document's page shows its title \"$title\"" page_shows "$d/page-$n.html" "$title"
done
check "the newline's name: what is left of it" jqe '.filename == "evilSet-Cookie: x=1txt.exe.txt"' "$d/doc-evil.json"
check "the invalid UTF-8 name: its ASCII kept" jqe '.filename == "badname.txt"' "$d/doc-bad.json"
kill $spid && wait $spid
spid=

# ---- bad input ----
check "a missing folder: refused" fails_with "$d/无此目录: No such file or directory" \
	"$WY_BIN" --data "$lib" import "$d/无此目录"
check "a bad uploader: refused" fails_with "--uploader must be" "$WY_BIN" --data "$lib" import "$big" --uploader ""
check "no folder: the usage" fails_with "usage: wenyuan import DIR" "$WY_BIN" --data "$lib" import
finish

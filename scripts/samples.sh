#!/usr/bin/env bash
# Load the sample documents the project makes itself into a data directory:
# the manual (samples/manual.xhtml) as PDF and EPUB, made by wy-mksample, and
# a Chinese text file, in UTF-8 and as GBK. Adding them again is a no-op
# (identical files are not stored twice).
set -euo pipefail
bin=${1:?usage: samples.sh path/to/wenyuan DATA_DIR}
data=${2:?usage: samples.sh path/to/wenyuan DATA_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(dirname "$bin")/samples
mk=$(dirname "$bin")/wy-mksample
mkdir -p "$out"
title="文渊使用手册"
author="wenyuan"
# named by their title: a file name that says something is the title a
# document gets (src/convert/title.c), and "manual" would say less
pdf="$out/$title.pdf" epub="$out/$title.epub"
[ "$pdf" -nt "$src/samples/manual.xhtml" ] || "$mk" pdf "$src/samples/manual.xhtml" "$pdf" "$title" "$author" >/dev/null
[ "$epub" -nt "$src/samples/manual.xhtml" ] || "$mk" epub "$src/samples/manual.xhtml" "$epub" "$title" "$author" >/dev/null
cp "$src/samples/文渊阁记.txt" "$out/文渊阁记.txt"
iconv -f UTF-8 -t GB18030 "$src/samples/文渊阁记.txt" > "$out/文渊阁记-GBK.txt"
WENYUAN_LOG=${WENYUAN_LOG:-warn} "$bin" --data "$data" add --uploader wenyuan --category "文渊/手册" "$pdf" "$epub"
WENYUAN_LOG=${WENYUAN_LOG:-warn} "$bin" --data "$data" add --uploader wenyuan --category "文渊/示例" "$out/文渊阁记.txt"
# The GBK copy holds the same text: a separate title tells them apart.
WENYUAN_LOG=${WENYUAN_LOG:-warn} "$bin" --data "$data" add --uploader wenyuan --category "文渊/示例" --title "文渊阁记（GBK 编码）" "$out/文渊阁记-GBK.txt"

#!/usr/bin/env bash
# Search on a generated library of Chinese documents (100,000 by default):
# latency for 1-, 2-, 4- and 8-character queries, known-item MRR@10 and
# recall@10, and index size, for wenyuan side by side with SQLite FTS5's
# trigram tokenizer and LIKE on the same text (bench/searchbench.c).
#
#   bench/search.sh build/wenyuan [NDOCS] [QUERIES]     (part of make bench)
#
# The text is sampled from OpenCC's phrase dictionary (Debian's opencc
# package, dumped with opencc_dict). The library is built once per size and
# kept in $BENCH_SEARCH_DIR (default build/bench-search-NDOCS): building
# 100,000 documents takes about 15 minutes on 2 cores.
set -euo pipefail
bin=$(realpath "${1:?usage: search.sh path/to/wenyuan [ndocs] [queries]}")
ndocs=${2:-${BENCH_SEARCH_DOCS:-100000}}
nq=${3:-${BENCH_SEARCH_QUERIES:-200}}
tool=$(dirname "$bin")/wy-searchbench
[ -x "$tool" ] || { echo "bench: $tool missing (cmake --build)" >&2; exit 1; }
command -v opencc_dict >/dev/null || { echo "bench: opencc_dict missing (scripts/deps.sh --bench)" >&2; exit 1; }
dir=${BENCH_SEARCH_DIR:-$(dirname "$bin")/bench-search-$ndocs}
words=$(dirname "$bin")/bench-words.txt
[ -s "$words" ] || opencc_dict -i /usr/share/opencc/STPhrases.ocd2 -o "$words" -f ocd2 -t text
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	echo "building a library of $ndocs documents in $dir ..." >&2
	WENYUAN_LOG=warn "$tool" gen "$dir" "$ndocs" "$words" 1
	touch "$dir/.done"
fi
echo
echo "wenyuan search benchmark ($(nproc) cores)"
WENYUAN_LOG=warn "$tool" run "$dir" "$nq" 7

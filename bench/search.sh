#!/usr/bin/env bash
# Search on a library of real Chinese text (bench/searchbench.c): known-item
# recall@10 and MRR@10 by kind and length, p50/p99 latency for 1-8
# character queries, index size against the text, for wenyuan side by side
# with SQLite FTS5's trigram tokenizer and LIKE on the same pages.
#
#   bench/search.sh build/wenyuan [NDOCS] [QUERIES]     (part of make bench)
#
# NDOCS 0 (the default) takes every document of the corpus (about 128,000);
# a smaller number takes that many spread evenly over it (2000 builds in
# well under a minute, for a smoke test). QUERIES is the latency queries per
# length; known-item queries are QUERIES/2 per kind and length.
# BENCH_SEARCH_PG (a store location, e.g. a PostgreSQL URL): gen publishes
# the library into that store too, and `wy-searchbench prof DIR LEN N`
# times every query on both stores (p50/p99 side by side, and how many
# top 10s agree).
# BENCH_SEARCH_POEM_LINES (default 2) is how many lines of a poem a page
# holds at most: 2 gives about 1.14 million pages, the issue's scale; 0 keeps
# each poem on one page (about 373,000 pages), as an anthology would print.
#
# The text is what people wrote, from installed packages: Debian's Chinese
# documentation (LibreOffice and GIMP help, the Debian reference, FAQ and
# maintainers' guide, manual pages, fortunes; scripts/deps.sh --bench) and
# the npm package chinese-poetry (Tang and Song poems in Traditional script,
# ci, qu and classics), installed into the cache below. bench/realtext.py
# turns them into one corpus file. The corpus and each library built from it
# are kept under $BENCH_SEARCH_CACHE (default build/bench-real next to the
# binary), so running against another build of wenyuan only reruns `run`
# (the store migrates its index on open when it must). The whole corpus
# takes about 10-20 minutes to build on 2 cores.
set -euo pipefail
bin=$(realpath "${1:?usage: search.sh path/to/wenyuan [ndocs] [queries]}")
ndocs=${2:-${BENCH_SEARCH_DOCS:-0}}
nq=${3:-${BENCH_SEARCH_QUERIES:-200}}
lines=${BENCH_SEARCH_POEM_LINES:-2}
here=$(cd "$(dirname "$0")" && pwd)
tool=$(dirname "$bin")/wy-searchbench
[ -x "$tool" ] || { echo "bench: $tool missing (cmake --build)" >&2; exit 1; }
for c in opencc python3 npm bzcat; do
	command -v $c >/dev/null || { echo "bench: $c missing (scripts/deps.sh --bench)" >&2; exit 1; }
done
[ -f /usr/share/unicode/Unihan_Readings.txt.bz2 ] || { echo "bench: unicode-data missing (scripts/deps.sh --bench)" >&2; exit 1; }
cache=${BENCH_SEARCH_CACHE:-$(dirname "$bin")/bench-real}
mkdir -p "$cache"
poetry=$cache/npm/node_modules/chinese-poetry/dist
if [ ! -d "$poetry" ]; then
	echo "installing the npm package chinese-poetry into $cache/npm ..." >&2
	npm install --prefix "$cache/npm" --no-audit --no-fund --loglevel=error chinese-poetry@2.0.1 >&2
fi
corpus=$cache/corpus-lines$lines.txt
if [ ! -s "$corpus" ]; then
	echo "extracting the corpus into $corpus ..." >&2
	python3 "$here/realtext.py" --poem-lines "$lines" "$poetry" "$corpus"
fi
dir=${BENCH_SEARCH_DIR:-$cache/lib-$ndocs-lines$lines}
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	echo "building the library ($ndocs documents; 0 = all) in $dir ..." >&2
	WENYUAN_LOG=warn "$tool" gen "$dir" "$ndocs" "$corpus"
	touch "$dir/.done"
fi
echo
echo "wenyuan search benchmark on real text ($(nproc) cores, $(date -u +%F))"
WENYUAN_LOG=warn "$tool" run "$dir" "$nq" 7

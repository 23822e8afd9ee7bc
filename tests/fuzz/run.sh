#!/usr/bin/env bash
# Run the fuzz targets of a -DWY_FUZZ=ON build, one after another, each for
# a number of seconds on its corpus; `make fuzz` calls this.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# New inputs go to BUILD_DIR/fuzz/scratch/TARGET (the committed corpus
# tests/fuzz/corpus/TARGET is read, never written); crashes, leaks and
# timeouts to BUILD_DIR/fuzz/artifacts/TARGET/, the output to
# BUILD_DIR/fuzz/logs/TARGET.log. When ../shared/corpus is there, its files
# seed sniff and its text files seed charset and tokenize (read in place,
# never copied into the project). Exits 1 when any target failed.
set -uo pipefail

build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../.." && pwd)/shared/corpus
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sniff charset query tokenize keywords boxes template i18n_mo accept_language utf8 mobi)

out=$build/fuzz
mkdir -p "$out/logs"
# text files of the shared corpus, as symlinks (libFuzzer reads a directory)
if [ -d "$shared/files" ]; then
	mkdir -p "$out/seeds-text"
	for f in "$shared"/files/*.txt; do
		[ -e "$f" ] && ln -sf "$f" "$out/seeds-text/"
	done
fi

# the Kindle books of the shared corpus, likewise
if [ -d "$shared/files" ]; then
	mkdir -p "$out/seeds-mobi"
	for f in "$shared"/files/*.mobi "$shared"/files/*.azw3; do
		[ -e "$f" ] && ln -sf "$f" "$out/seeds-mobi/"
	done
fi

failed=()
printf '%-16s %10s %8s %8s %8s  %s\n' target execs exec/s cov corpus result
for t in "${targets[@]}"; do
	bin=$build/wy_fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is missing (build with -DWY_FUZZ=ON)" >&2
		failed+=("$t")
		continue
	fi
	mkdir -p "$out/scratch/$t" "$out/artifacts/$t"
	seeds=()
	case $t in
	sniff) [ -d "$shared/files" ] && seeds+=("$shared/files") ;;
	mobi) [ -d "$out/seeds-mobi" ] && seeds+=("$out/seeds-mobi") ;;
	charset | tokenize | keywords) [ -d "$out/seeds-text" ] && seeds+=("$out/seeds-text") ;;
	esac
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$out/artifacts/$t/")
	[ -f "$here/$t.dict" ] && args+=(-dict="$here/$t.dict")
	# text targets: the shared corpus's long texts would make every run a
	# megabyte; 16 KiB holds every case their code distinguishes
	case $t in charset | tokenize | keywords | query) args+=(-max_len=16384) ;; esac
	log=$out/logs/$t.log
	WENYUAN_LOG=quiet "$bin" "${args[@]}" "$out/scratch/$t" "$here/corpus/$t" ${seeds[@]+"${seeds[@]}"} >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	corp=$(grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ $rc -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc): $(ls "$out/artifacts/$t" | head -3 | tr '\n' ' ')"
		failed+=("$t")
	fi
	printf '%-16s %10s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${corp:-?}" "$result"
	if [ $rc -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: )' "$log" | head -5 | sed 's/^/    /'
		echo "    log: $log" >&2
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]} (inputs in $out/artifacts/; replay one with $build/wy_fuzz_TARGET FILE)" >&2
	exit 1
fi

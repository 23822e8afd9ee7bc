#!/usr/bin/env bash
# Collections in a real browser (tests/browser/collections.test.mjs): issue
# 17's "must show" 2 on a real server with its embedded worker. alice
# uploads three short Chinese texts through the API; the browser makes a
# collection of them from their pages, reorders it (with script and
# without), makes it public, and bob favorites it; the pages pass axe-core
# at 1366 and 390 px. Screenshots in build/test-artifacts/collections-*.png.
# Needs Debian's chromium and node; skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
serve_site WENYUAN_POINTS_UPLOAD=0
alice=$(register alice alicepass1)
ids=()
for poem in 静夜思:床前明月光，疑是地上霜。举头望明月，低头思故乡。 春晓:春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。 \
	登鹳雀楼:白日依山尽，黄河入海流。欲穷千里目，更上一层楼。; do
	title=${poem%%:*}
	for i in $(seq 20); do echo "${poem#*:}（第${i}遍）"; done > "$d/$title.txt"
	ids+=("$(upload "$alice" "$d/$title.txt" -F "title=$title")")
done
for n in "${ids[@]}"; do check "document $n converts" wait_ready "$n" "$alice"; done

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_DOCS=$(IFS=,; echo "${ids[*]}") \
	node --test --test-reporter=spec "$bdir/collections.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/collections-*.png"
finish && exit $rc

#!/usr/bin/env bash
# The browser test (tests/browser/site.test.mjs) against a real server with a
# Chinese document of three pages and a recipe of one. Needs Debian's
# chromium and node; the npm package playwright-core is installed from the
# lockfile on first run.
source "$(dirname "$0")/lib.bash"

need_browser

d=$(tmpdir)
data=$d/data
{
	echo "长文示例"
	for p in 1 2 3; do
		for i in $(seq 40); do echo "第${p}页第${i}行：文渊把每一页都变成图片和文字，读者可以逐页预览。"; done
		[ $p -lt 3 ] && printf '\f' || echo "第三页的最后一句。"
	done
} > "$d/long.txt"
"$WY_BIN" --data "$data" add --uploader scholarly --category 文渊/示例 --title 长文示例 "$d/long.txt" > "$d/add.out"
id=$(awk '/^ready/ {print $2}' "$d/add.out")
pages=$("$WY_BIN" --data "$data" info "$id" --json | jq .pages)
echo "# document $id, $pages pages"
# A recipe of one page for the relaxed search (its words in another order),
# "did you mean" and the title's pinyin; its title is its first line.
printf '家常菜谱\n卤味：猪心、猪大肠各一副，小火慢炖两小时。\n' > "$d/家常菜谱.txt"
"$WY_BIN" --data "$data" add "$d/家常菜谱.txt" > "$d/add2.out"
recipe=$(awk '/^ready/ {print $2}' "$d/add2.out")
[ -n "$recipe" ] || { echo "the recipe was not added:"; cat "$d/add2.out"; exit 1; }

port=$(free_port)
"$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/healthz" || { echo "server did not start:"; tail -5 "$d/serve.err"; exit 1; }

art=$(dirname "$WY_BIN")/test-artifacts
WY_BASE="http://127.0.0.1:$port" WY_DOC=$id WY_RECIPE=$recipe WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/site.test.mjs"
rc=$?
echo "# screenshots in $art"
exit $rc

#!/usr/bin/env bash
# A whole folder uploaded in a real browser (tests/browser/import.test.mjs)
# against a server with its embedded worker: the folder made here (nested,
# with a hidden file and one the site does not convert), chosen with the
# folder picker, and a folder tree dropped; each file its own row, the
# categories its folders name, then the right count of documents in the
# store. Needs Debian's chromium and node; skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
top=$d/我的资料
mkdir -p "$top/教育资料/高中" "$top/想法" "$top/.git"
printf '数学笔记\n函数与导数的复习要点。\n' > "$top/教育资料/高中/数学笔记.txt"
printf '# 物理\n\n牛顿第二定律的例题。\n' > "$top/教育资料/高中/物理.md"
printf '随笔一篇：秋天的文渊阁。\n' > "$top/想法/随笔.txt"
printf 'MZ\220\0' > "$top/教育资料/高中/setup.exe"
echo hidden > "$top/.隐藏.txt"
echo x > "$top/.git/config"
serve_site

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_FOLDER=$top \
	node --test --test-reporter=spec "$bdir/import.test.mjs" > "$d/node.out" 2>&1 || rc=$?
cat "$d/node.out"
check "the browser test passed" [ "$rc" -eq 0 ]
want=$(sed -n 's/.*docs \([0-9]*\).*/\1/p' "$d/node.out" | head -1)
"$WY_BIN" --data "$data" list --json > "$d/list.json"
check "the store holds the ${want:-?} documents uploaded" jqe "length == ${want:-0}" "$d/list.json"
check "each uploaded once" jqe '[.[].sha256] | unique | length == length' "$d/list.json"
check "none of the hidden or unsupported files" jqe 'all(.[]; .filename != "setup.exe" and (.filename | startswith(".") | not))' "$d/list.json"
check "filed under the folder's category" \
	jqe '[.[] | select(.filename == "数学笔记.txt")][0].category == "教育资料/高中"' "$d/list.json"
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
finish

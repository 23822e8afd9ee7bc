#!/usr/bin/env bash
# The document page's JSON-LD and its reading without JavaScript in a real
# browser (tests/browser/seo.test.mjs): no CSP violation or console error,
# the JSON-LD parses and names the document, and the page is whole with
# JavaScript off. Needs Debian's chromium and node (need_browser).
source "$(dirname "$0")/lib.bash"

need_browser
new_library
serve_site WENYUAN_PREVIEW_PAGES=2 --no-worker
alice=$(register alice alicepass1)
{
	printf '%s\n' "开头</script><script>alert(1)</script> <b>粗</b> & 结束。"
	for i in $(seq 250); do echo "p4 第${i}行，文渊阁藏书，书目提要。"; done
} > "$d/p4.txt"
D=$(upload "$alice" "$d/p4.txt" -F title=四库提要)
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "the document is ready" wait_ready "$D" "$alice"
WY_BASE=$base WY_DOC=$D WY_TITLE=四库提要 WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/seo.test.mjs" || bad "the browser test"
finish

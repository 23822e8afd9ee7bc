#!/usr/bin/env bash
# The admins' dashboard in a real browser (tests/browser/dashboard.test.mjs):
# issue 18's "must show" 4. A known library (two texts that end ready, two
# PDFs without pages and a cut PNG that fail, a search, a download, new
# users), converted by `wenyuan worker` and served without a worker (so
# what the retry queues stays queued); the browser checks the page's
# plots and tables against the JSON twin at 1366 and 390 px, axe-core,
# and "retry all" without script. dashboard.sh holds the JSON to the
# store. Screenshots in build/test-artifacts/dashboard-*.png. Needs
# Debian's chromium and node; skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
echo 'dashboss123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_SERVE_FLUSH_MS=50 --no-worker
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
for i in $(seq 30); do echo "仪表盘浏览器测试甲 第${i}行，文渊阁藏书。"; done > "$d/a.txt"
for i in $(seq 30); do echo "仪表盘浏览器测试乙 第${i}行，天一阁藏书。"; done > "$d/b.txt"
printf '%%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' > "$d/e1.pdf"
printf '%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Note (two) >>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' > "$d/e2.pdf"
printf '\x89PNG\r\n\x1a\nIHDR' > "$d/cut.png"
A=$(upload "$alice" "$d/a.txt")
upload "$alice" "$d/b.txt" > /dev/null
upload "$alice" "$d/e1.pdf" > /dev/null
upload "$bob" "$d/e2.pdf" > /dev/null
upload "$bob" "$d/cut.png" > /dev/null
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "two documents failed for want of pages" \
	[ "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM documents WHERE status = 3 AND reason LIKE '%has no pages%'")" = 2 ]
curl -fsS "$base/search?q=仪表盘" > /dev/null
curl -fsS -H "Authorization: Bearer $bob" "$base/download/$A" -o /dev/null

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_ADMIN=boss:dashboss123 \
	node --test --test-reporter=spec "$bdir/dashboard.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/dashboard-*.png"
finish && exit $rc

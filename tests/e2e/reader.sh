#!/usr/bin/env bash
# The document page's reader in a real browser (tests/browser/reader.test.mjs):
# the text layer, paging by keys, full screen, thumbnails, a jump past the
# preview, the phone's text mode and bar, the download dialog, axe-core at
# 1366 and 390 px. A document of five pages or more with a preview of three,
# and a priced one uploaded by alice that bob has too few points for.
# Needs Debian's chromium and node (need_browser).
source "$(dirname "$0")/lib.bash"

need_browser
new_library

{
	echo "阅读器示例"
	for i in $(seq 200); do echo "第${i}行：阅读器把每一页的文字放在图片上，可以选中和复制。"; done
} > "$d/reader.txt"
"$WY_BIN" --data "$data" add --uploader scholarly --category 文渊/示例 --title 阅读器示例 "$d/reader.txt" > "$d/add.out"
id=$(awk '/^ready/ {print $2}' "$d/add.out")
pages=$("$WY_BIN" --data "$data" info "$id" --json | jq .pages)
check "the long document is added ($pages pages)" test "${pages:-0}" -ge 5
# a PDF with bookmarks (the corpus's 公文, 14 pages): the outline
outlined=
if [ -f "$WY_CORPUS/files/gongwen__out.pdf" ]; then
	"$WY_BIN" --data "$data" add --title 公文大纲 "$WY_CORPUS/files/gongwen__out.pdf" > "$d/add3.out"
	outlined=$(awk '/^ready/ {print $2}' "$d/add3.out")
	check "the PDF with bookmarks is added" test -n "$outlined"
fi
echo reader-admin | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
# no embedded worker: the uploads below wait in the queue until a worker
# is run, so a queued document's page can be seen refreshing itself
serve_site WENYUAN_PREVIEW_PAGES=3 --no-worker

alice=$(register alice alice-reader)
printf '付费讲义\n这一份讲义下载需要积分。\n' > "$d/priced.txt"
priced=$(upload "$alice" "$d/priced.txt" -F price=40 -F title=付费讲义)
"$WY_BIN" --data "$data" worker --until-idle > "$d/worker.out" 2>&1
check "the priced document converts" wait_ready "$priced" "$alice"
printf '排队的文档\n等待转换的一份文档。\n' > "$d/queued.txt"
queued=$(upload "$alice" "$d/queued.txt" -F title=排队的文档)
check "the third document waits in the queue" \
	test "$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$queued" | jq -r .status)" = queued
bob=$(register bob bob-reader1)
admin=$(api_login boss reader-admin)
bob_points=$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/me" | jq .user.points)
bob_id=$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/me" | jq .user.id)
check "bob has fewer points than the price ($bob_points)" test "$bob_points" -lt 40

art=$(dirname "$WY_BIN")/test-artifacts
WY_BASE=$base WY_DOC=$id WY_PAGES=$pages WY_PREVIEW=3 WY_PRICED=$priced WY_PRICE=40 WY_QUEUED=$queued WY_DATA=$data WY_OUTLINED=$outlined WY_BOB_POINTS=$bob_points \
	WY_BOB_ID=$bob_id WY_ADMIN_TOKEN=$admin WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/reader.test.mjs"
check "the reader's browser tests pass" test $? -eq 0
echo "# screenshots in $art"
finish

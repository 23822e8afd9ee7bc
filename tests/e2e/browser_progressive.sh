#!/usr/bin/env bash
# The browser test of a readable document (tests/browser/progressive.test.mjs)
# against a real server whose converters stop after page 5 (first attempt)
# and page 20 (second) (WY_TEST_PAUSE_AFTER): a 60-page PDF made here is
# readable with 5 pages when the browser opens it; the test crashes the
# converter (the script it is given) to let the resumed conversion store
# more. Needs Debian's chromium and node (need_browser).
source "$(dirname "$0")/lib.bash"

need_browser
new_library
mksample=$(dirname "$WY_BIN")/wy-mksample
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
	echo '<style>h1 { page-break-before: always } h1.first { page-break-before: avoid }</style></head><body>'
	echo '<h1 class="first">第1节</h1><p>文渊阁建于乾隆年间，专为收藏四库全书而建。</p>'
	for i in $(seq 2 60); do echo "<h1>第${i}节</h1><p>页码标记甲${i}乙。经部收儒家经典及其注疏，史部收各类史书。</p>"; done
	echo '</body></html>'
} > "$d/in.xhtml"
"$mksample" pdf "$d/in.xhtml" "$d/long.pdf" 边转边读 文渊 > /dev/null

serve_site WY_TEST_PAUSE_AFTER=5,20 WENYUAN_PREVIEW_PAGES=100 WENYUAN_PAGE_CACHE_MS=0 WENYUAN_WORKERS=1
alice=$(register alice alicepass1)
D=$(upload "$alice" "$d/long.pdf")
readable() {
	for _ in $(seq 600); do
		curl -fsS "$base/api/v1/doc/$D" | jqe '.status == "readable" and .pages == 5' && return 0
		sleep 0.1
	done
	return 1
}
check "the document is readable with 5 pages" readable
# the crash the browser test asks for: the converters of the server's worker
cat > "$d/crash.sh" <<SH
for w in \$(ps -o pid= --ppid $spid); do for c in \$(ps -o pid= --ppid \$w); do kill -KILL \$c; done; done
SH
art=$(dirname "$WY_BIN")/test-artifacts
WY_BASE=$base WY_DOC=$D WY_CRASH=$d/crash.sh WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/progressive.test.mjs" || bad "the browser test"
finish

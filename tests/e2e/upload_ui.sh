#!/usr/bin/env bash
# The upload page in a real browser (tests/browser/upload.test.mjs) against
# a server with its embedded worker: files checked in the browser before
# anything is sent, each file's own title, category and price, and
# failures in plain Chinese. Needs Debian's chromium and node; skips (77)
# without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
printf '上传页面测试\n第一份文档的内容。\n' > "$d/甲.txt"
printf '# 第二份\n\nMarkdown 文档的内容。\n' > "$d/乙.md"
# past the upload's first gate (a PDF's header), then nothing a reader can open
{ printf '%%PDF-1.4\n'; head -c 4000 /dev/urandom; } > "$d/坏.pdf"
# no document at all: refused by the server's first gate (415)
head -c 5000 /dev/urandom > "$d/乱码.pdf"
# ... and a large one, answered before the browser has sent it all
head -c $((6 << 20)) /dev/urandom > "$d/巨型.pdf"
serve_site

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_FILES=$d \
	node --test --test-reporter=spec "$bdir/upload.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art"
exit $rc

#!/usr/bin/env bash
# The accounts browser test (tests/browser/accounts.test.mjs) against a real
# server with its embedded worker: a new user uploads a Chinese DOCX and a
# PDF of the shared corpus from the upload page. Needs Debian's chromium,
# node and the corpus; skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_corpus
need_browser

d=$(tmpdir)
data=$d/data
mkdir -p "$data"
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
port=$(free_port)
"$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
wait_http "http://127.0.0.1:$port/healthz" || { echo "server did not start:"; tail -5 "$d/serve.err"; exit 1; }

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE="http://127.0.0.1:$port" WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_ADMIN_PASSWORD=bosspass123 \
	WY_DOCX="$corpus/files/gongwen__dist__out.docx" WY_PDF="$corpus/files/pdfjs__pdfs__issue2128r.pdf" \
	node --test --test-reporter=spec "$bdir/accounts.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art"
exit $rc

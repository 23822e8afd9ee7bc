#!/usr/bin/env bash
# The captcha browser test (tests/browser/captcha.test.mjs) against the test
# build build/wenyuan-test, whose captcha images carry their answer in a
# header (src/web/captcha_test_hook.c): registering through the form with
# a captcha, with JavaScript and without. Needs Debian's chromium and node;
# skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
bin=${WY_TEST_BIN:-$(dirname "$WY_BIN")/wenyuan-test}
[ -x "$bin" ] || { echo "not ok - no test build at $bin"; exit 1; }

d=$(tmpdir)
data=$d/data
mkdir -p "$data"
port=$(free_port)
WENYUAN_CAPTCHA_REGISTER=1 WENYUAN_CAPTCHA_LOGIN=1 \
	"$bin" --data "$data" serve --no-worker --listen "127.0.0.1:$port" > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
wait_http "http://127.0.0.1:$port/healthz" || { echo "server did not start:"; tail -5 "$d/serve.err"; exit 1; }

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE="http://127.0.0.1:$port" WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/captcha.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art"
exit $rc

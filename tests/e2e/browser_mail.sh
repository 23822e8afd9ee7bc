#!/usr/bin/env bash
# The mail browser test (tests/browser/mail.test.mjs) against a real server
# and a real SMTP server on loopback (tests/e2e/smtpd.py, Debian's
# python3-aiosmtpd): register with an address in chromium, open the emailed
# link, log out, reset the password by emailed link, see the link refused a
# second time and once expired; the registration and the reset request
# with the server's captcha, through the test build's answer hook.
# Screenshots in build/test-artifacts/mail/. Skips (77) without chromium,
# node or aiosmtpd.
source "$(dirname "$0")/lib.bash"

need_browser
py=${WY_PYTHON:-/usr/bin/python3}
"$py" -c 'import aiosmtpd' 2>/dev/null || { echo "skipped: $py has no aiosmtpd (python3-aiosmtpd)"; exit 77; }

new_library
mbox=$d/mbox
mkdir -p "$mbox"
smtp_port=$(free_port)
"$py" "$WY_SRC/tests/e2e/smtpd.py" serve "$smtp_port" "$mbox" > "$d/smtpd.out" 2>&1 &
smtpd_pid=$!
trap 'kill $smtpd_pid 2>/dev/null; wait $smtpd_pid 2>/dev/null; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
# the test build: its captcha images carry their answer (the registration
# and the reset request ask for one here, as they do by default)
WY_BIN=${WY_TEST_BIN:-$(dirname "$WY_BIN")/wenyuan-test}
[ -x "$WY_BIN" ] || { echo "not ok - no test build at $WY_BIN"; exit 1; }
mail_env=(WENYUAN_SMTP_URL="smtp://127.0.0.1:$smtp_port" WENYUAN_SMTP_FROM=noreply@wenyuan.test WENYUAN_EMAIL_VERIFY=1
	WENYUAN_CAPTCHA_REGISTER=1 WENYUAN_CAPTCHA_RESET=1)
# a second server on the same store, whose reset links live 2 seconds
# (the expired link), started first: serve_site's trap stops the other
short_port=$(free_port)
env "${mail_env[@]}" WENYUAN_RESET_LINK_SECONDS=2 "$WY_BIN" --data "$data" serve --no-worker \
	--listen "127.0.0.1:$short_port" > "$d/short.out" 2> "$d/short.err" &
short_pid=$!
trap 'kill $smtpd_pid $short_pid 2>/dev/null; wait $smtpd_pid $short_pid 2>/dev/null; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
wait_http "http://127.0.0.1:$short_port/healthz" || { echo "not ok - the second server did not start"; tail -5 "$d/short.err"; exit 1; }
serve_site "${mail_env[@]}"

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_BASE_SHORT=http://127.0.0.1:$short_port WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_MAILBOX=$mbox WY_ADMIN_PASSWORD=bosspass123 \
	node --test --test-reporter=spec "$bdir/mail.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/mail"
exit $rc

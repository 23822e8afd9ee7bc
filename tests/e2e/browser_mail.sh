#!/usr/bin/env bash
# The mail browser test (tests/browser/mail.test.mjs) against a real server
# and a real SMTP server on loopback (tests/e2e/smtpd.py, Debian's
# python3-aiosmtpd): register with an address in chromium, open the emailed
# link, log out, reset the password by emailed link, see the link refused a
# second time. Screenshots in build/test-artifacts/mail/. Skips (77)
# without chromium, node or aiosmtpd.
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
serve_site WENYUAN_SMTP_URL="smtp://127.0.0.1:$smtp_port" WENYUAN_SMTP_FROM=noreply@wenyuan.test WENYUAN_EMAIL_VERIFY=1

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_MAILBOX=$mbox WY_ADMIN_PASSWORD=bosspass123 \
	node --test --test-reporter=spec "$bdir/mail.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/mail"
exit $rc

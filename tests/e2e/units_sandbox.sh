#!/usr/bin/env bash
# The worker unit's system call filter lets conversion confine itself: a
# worker run under the seccomp filter wenyuan-worker.service would get
# (its SystemCallFilter=, RestrictAddressFamilies=AF_UNIX and
# RestrictNamespaces=user net, imitated by unit_filter.py where systemd is
# not PID 1), as an unprivileged user, converts an office document in its
# own network namespace and an HTML page under Landlock; the same unit
# without Landlock's calls and with RestrictNamespaces=yes fails both,
# saying why, which shows that the filter is really applied. The site
# under its unit's filter (also no writable and executable memory) serves
# the result and registers an account; without TCP/IP it cannot. Skipped
# without python3-seccomp or systemd-analyze (scripts/deps.sh --test), or
# where the kernel offers no unprivileged user namespace or no Landlock
# (nothing a unit could change).
source "$(dirname "$0")/lib.bash"

command -v systemd-analyze >/dev/null || { echo "skipped: systemd-analyze not installed"; exit 77; }
py=/usr/bin/python3 # Debian's, where python3-seccomp installs the module
"$py" -c 'import seccomp' 2>/dev/null || { echo "skipped: python3-seccomp not installed"; exit 77; }
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
chmod 0755 "$d"
# The unit runs the worker as an unprivileged user: as root, run as nobody.
# (setpriv execs, so a process started through it is the one signalled)
as=()
if [ "$(id -u)" -eq 0 ]; then
	as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env --)
	chown nobody "$d"
fi
"${as[@]}" unshare --user --net true 2>/dev/null ||
	{ echo "skipped: no unprivileged user namespace on this kernel"; exit 77; }

# systemd's side of Type=notify: a datagram socket the units' user may
# write to; each message line logged.
sock=$d/notify.sock
"$py" - "$sock" "$d/notify.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.settimeout(600)  # ends by itself
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        for line in s.recv(4096).decode().split("\n"):
            log.write(line + "\n")
PY
lpid=$!
trap 'kill $lpid 2>/dev/null || true; rm -rf "$d"' EXIT
eventually test -S "$sock"
told() { grep -qx "$1" "$d/notify.log" 2>/dev/null; }

sed "s|@WY_BINDIR@/wenyuan|$WY_BIN|" "$WY_SRC/dist/systemd/wenyuan-worker.service.in" > "$d/worker.service"
sed -e 's/ landlock_create_ruleset landlock_add_rule landlock_restrict_self$//' \
	-e 's/^RestrictNamespaces=user net$/RestrictNamespaces=yes/' "$d/worker.service" > "$d/spoiled.service"
check "the spoiled unit differs in the two lines" [ "$(diff "$d/worker.service" "$d/spoiled.service" | grep -c '^>')" = 2 ]

cat > "$d/报告.fodt" <<'DOC'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>服务单元的过滤器之下，办公文档照常转换。</text:p></office:text></office:body></office:document>
DOC
printf '<html><body><h1>网页</h1><p>沙箱里的网页也照常转换。</p></body></html>\n' > "$d/网页.html"
chmod 0644 "$d"/*.fodt "$d"/*.html

# run LIBRARY UNIT: add both files to a new library and convert them with
# a worker under UNIT's filter; the worker's log in LIBRARY.err.
run() {
	local lib=$d/$1
	"${as[@]}" mkdir -p "$lib/tmp"
	"${as[@]}" "$WY_BIN" --data "$lib" add --no-wait "$d/报告.fodt" "$d/网页.html" > "$lib.add" 2>&1
	(cd / && "${as[@]}" env TMPDIR="$lib/tmp" NOTIFY_SOCKET="$sock" WENYUAN_LOG=info timeout 300 \
		"$py" "$WY_SRC/tests/e2e/unit_filter.py" "$2" -- "$WY_BIN" --data "$lib" --workers=2 worker --until-idle) \
		> "$lib.out" 2> "$lib.err"
	"${as[@]}" "$WY_BIN" --data "$lib" list --json > "$lib.json"
}
status() { jq -r --arg f "$2" '.[] | select(.filename == $f) | .status' "$1"; }

# Without any filter first: a kernel without Landlock refuses HTML anyway.
"${as[@]}" "$WY_BIN" --data "$d/plain" add "$d/网页.html" > "$d/plain.add" 2>&1
grep -q '^ready' "$d/plain.add" || { echo "skipped: this kernel has no Landlock"; exit 77; }

run good "$d/worker.service"
head -1 "$d/good.err" | sed 's/^/# /'
check "under the worker unit's filter an office document converts" [ "$(status "$d/good.json" 报告.fodt)" = ready ]
check "and an HTML page (Landlock)" [ "$(status "$d/good.json" 网页.html)" = ready ]
check "the converters are confined" lacks sandbox.unconfined "$d/good.err"
check "LibreOffice has its own network namespace" lacks office.network "$d/good.err"
check "the worker tells systemd it is ready (Type=notify)" told READY=1
{ grep -E 'sandbox|office.network|job.failed' "$d/good.err" || true; } | head -5 | sed 's/^/# /'

run spoiled "$d/spoiled.service"
check "without Landlock's calls the HTML page is refused" \
	grep -q 'job.failed.*format=html.*Landlock' "$d/spoiled.err"
check "with RestrictNamespaces=yes the office document is refused" \
	grep -q 'job.failed.*format=fodt.*network namespace' "$d/spoiled.err"

# The site under its unit's filter (~@privileged, TCP/IP, no namespaces,
# no writable and executable memory) serves that library: a document's
# page, and a registration, which loads ICU to check the name.
sed "s|@WY_BINDIR@/wenyuan|$WY_BIN|" "$WY_SRC/dist/systemd/wenyuan.service.in" > "$d/serve.service"
serve_under() { # serve_under UNIT: start the site under UNIT's filter; sets spid, base
	# (setpriv --reset-env drops lib.bash's settings: the registration below asks for no captcha)
	local port
	port=$(free_port)
	base=http://127.0.0.1:$port
	: > "$d/notify.log"
	(cd / && exec "${as[@]}" env NOTIFY_SOCKET="$sock" WATCHDOG_USEC=400000 WENYUAN_CAPTCHA_REGISTER=0 \
		"$py" "$WY_SRC/tests/e2e/unit_filter.py" "$1" -- \
		"$WY_BIN" --data "$d/good" serve --no-worker --listen "127.0.0.1:$port") > "$d/serve.out" 2> "$d/serve.err" &
	spid=$!
}
serve_under "$d/serve.service"
trap 'kill $spid $lpid 2>/dev/null || true; wait $spid 2>/dev/null || true; rm -rf "$d"' EXIT
check "under the site unit's filter the site answers" wait_http "$base/healthz"
head -1 "$d/serve.err" | sed 's/^/# /'
id=$(jq -r '.[] | select(.filename == "报告.fodt") | .id' "$d/good.json")
check "and serves the office document's page" grep -q '办公文档照常转换' <(curl -fsS "$base/doc/$id")
token=$(register 过滤器 "a-long-enough-password-1")
a_token() { [ -n "$1" ] && [ "$1" != null ]; }
check "and registers an account (ICU checks the name)" a_token "$token"
check "it tells systemd it is ready" eventually told READY=1
check "and pings the watchdog" eventually told WATCHDOG=1
kill -HUP "$spid"
check "SIGHUP: it tells systemd it reloads" eventually told RELOADING=1
kill "$spid"
check "SIGTERM: it tells systemd it stops" eventually told STOPPING=1
wait "$spid" 2>/dev/null || true
# The same site without TCP/IP cannot listen.
sed 's/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX/' "$d/serve.service" > "$d/serve-spoiled.service"
serve_under "$d/serve-spoiled.service"
exited() { ! kill -0 "$spid" 2>/dev/null; }
check "with RestrictAddressFamilies=AF_UNIX it cannot listen and exits" eventually exited
grep -v '^unit_filter' "$d/serve.err" | head -2 | sed 's/^/# /'
finish

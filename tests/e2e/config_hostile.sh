#!/usr/bin/env bash
# SIGHUP with a configuration file made hostile: a FIFO (whose open(2)
# would block the serve loop until a writer came), a file past the 1 MiB
# cap, a directory, binary bytes. Each reload is refused with a reason that
# says why (not a stale errno), the site keeps serving, a good file is
# taken again afterwards and SIGTERM still stops the server. A reloaded
# value is logged quoted when it is not one plain word.
source "$(dirname "$0")/lib.bash"

new_library
conf=$d/wenyuan.conf
echo 'site_name = 甲文库' > "$conf"
serve_site WENYUAN_LOG=info WENYUAN_CONFIG="$conf" --no-worker

rm "$conf"
mkfifo "$conf"
kill -HUP $spid
check "a FIFO is refused as not a regular file" \
	eventually grep -q 'serve.reload_failed .*wenyuan.conf: not a regular file' "$d/serve.err"
check "and the site still answers" test "$(code "$base/healthz")" = 200

rm "$conf"
head -c 2000000 /dev/zero | tr '\0' 'a' > "$conf"
kill -HUP $spid
check "a file past 1 MiB is refused as such" \
	eventually grep -q 'serve.reload_failed .*wenyuan.conf: larger than 1 MiB' "$d/serve.err"
check "not with a stale errno" lacks 'No such file or directory' "$d/serve.err"

rm "$conf"
mkdir "$conf"
kill -HUP $spid
check "a directory is refused" eventually grep -q 'wenyuan.conf: Is a directory' "$d/serve.err"
rmdir "$conf"

printf 'site_name = \x01\xff"\nno_such_setting = 1\n' > "$conf"
kill -HUP $spid
check "an unknown setting is refused with its line" \
	eventually grep -q 'serve.reload_failed .*wenyuan.conf:2' "$d/serve.err"

echo 'site_name = 乙文库' > "$conf"
kill -HUP $spid
check "a good file is taken again: its site_name is served" eventually eval "curl -fsS '$base/' | grep -q 乙文库"

printf 'site_name = \x1b[31mx" y=1\n' > "$conf"
kill -HUP $spid
check "a value with an escape, a quote and a space is logged quoted" \
	eventually grep -q 'config.reloaded .*setting=site_name value=" \[31mx\\" y=1" was=' "$d/serve.err"
check "with no raw control byte" bash -c "! grep -a 'config.reloaded' '$d/serve.err' | grep -qP '[\\x00-\\x08\\x0a-\\x1f\\x7f]'"

echo 'site_url = http://a@evil.org' > "$conf"
kill -HUP $spid
check "a site_url with a user name is refused on reload" \
	eventually grep -q 'serve.reload_failed .*not http(s)://host' "$d/serve.err"
bad_start() { # an smtp_from with a line break given at start: refused, the server never runs
	! WENYUAN_SMTP_FROM=$'a@b.org\r\nBcc: x@y.org' timeout 20 "$WY_BIN" --data "$d/other" serve --listen 127.0.0.1:0 2> "$d/start.err" &&
		grep -q '^wenyuan: WENYUAN_SMTP_FROM: ' "$d/start.err" && grep -q 'not an email address' "$d/start.err"
}
check "an smtp_from with a line break given at start is refused" bad_start
kill -TERM $spid
check "SIGTERM stops the server" eventually eval "! kill -0 $spid 2>/dev/null"
finish

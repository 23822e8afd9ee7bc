#!/usr/bin/env bash
# The Debian package end to end, on this machine (`make test-package`; not
# part of `make test`: it needs root and installs system-wide for a
# minute). Builds the package (`make deb`; DEB=FILE tests a built one
# instead), prints its Depends line and lintian's report (an error fails),
# installs it with apt, checks what the install made, runs the commands
# of the installed units as the user wenyuan with the packaged settings
# (the site on a free port of 127.0.0.1), adds a Chinese text file as that
# user and a flat ODF text, waits until they are ready, fetches their
# pages, then stops everything,
# purges the package and removes what the install added (packages it
# pulled in, the user), checking that the machine is as before.
# Refuses to run where wenyuan is installed or its directories exist.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
export WY_BIN=/usr/bin/wenyuan WY_SRC=$src
source "$src/tests/e2e/lib.bash"
set +e # every step is a check; the cleanup must run whatever fails

[ "$(id -u)" -eq 0 ] || { echo "tests/pkg/deb.sh: needs root (it installs the package)"; exit 1; }
if dpkg-query -W -f='${Status}' wenyuan 2>/dev/null | grep -q installed; then
	echo "tests/pkg/deb.sh: wenyuan is installed here already: not touching it"
	exit 1
fi
for p in /var/lib/wenyuan /etc/wenyuan; do
	[ ! -e "$p" ] || { echo "tests/pkg/deb.sh: $p exists: not touching it"; exit 1; }
done
user_before=no
getent passwd wenyuan > /dev/null && user_before=yes

if [ -z "${DEB:-}" ]; then
	make -C "$src" --no-print-directory deb JOBS="${JOBS:-2}" > /tmp/wenyuan-deb-build.log 2>&1 ||
		{ tail -30 /tmp/wenyuan-deb-build.log; echo "make deb failed (log: /tmp/wenyuan-deb-build.log)"; exit 1; }
	DEB=$(ls "$src"/build-deb/wenyuan_*.deb)
fi
DEB=$(readlink -f "$DEB")
check "the package is built" [ -f "$DEB" ]

echo "## Depends"
dpkg-deb -f "$DEB" Depends
echo "## Recommends"
dpkg-deb -f "$DEB" Recommends
echo "## lintian $(dpkg-query -W -f='${Version}' lintian) (--pedantic, with info tags)"
changes=${DEB%.deb}.changes
[ -f "$changes" ] || changes=$DEB
lintian --pedantic --display-info "$changes" > /tmp/wenyuan-lintian.out 2>&1
sed 's/^/  /' /tmp/wenyuan-lintian.out
lacks_error() { ! grep -q '^E:' "$1"; }
check "lintian reports no error" lacks_error /tmp/wenyuan-lintian.out

d=$(tmpdir)
chmod 0755 "$d" # the wenyuan user reads the document to add from here
pids=()
before=$d/packages.before
dpkg-query -W -f='${Package}:${Architecture}\n' | sort > "$before"

cleaned=no
cleanup() {
	[ "$cleaned" = no ] || return 0
	cleaned=yes
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	# anything of the user this test made is this test's
	if [ "$user_before" = no ] && getent passwd wenyuan > /dev/null; then
		for p in $(pgrep -u wenyuan); do kill -9 "$p" 2>/dev/null; done
	fi
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q wenyuan > "$d/purge.out" 2>&1
	# what the install pulled in, purged as well
	dpkg-query -W -f='${Package}:${Architecture}\n' | sort > "$d/packages.after"
	local added
	added=$(comm -13 "$before" "$d/packages.after" | tr '\n' ' ')
	if [ -n "$added" ]; then
		echo "# purging what the install added: $added"
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $added >> "$d/purge.out" 2>&1
	fi
	if [ "$user_before" = no ] && getent passwd wenyuan > /dev/null; then
		userdel wenyuan
		getent group wenyuan > /dev/null && groupdel wenyuan
	fi
}

trap 'cleanup; rm -rf "$d"' EXIT
trap 'exit 130' INT TERM

# ---- install ----
(cd "$(dirname "$DEB")" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$(basename "$DEB")") \
	> "$d/install.out" 2>&1
installed() { dpkg-query -W -f='${Status}' wenyuan 2>/dev/null | grep -q "install ok installed"; }
check "apt-get installs the package" installed
tail -3 "$d/install.out" | sed 's/^/# /'
comm -13 "$before" <(dpkg-query -W -f='${Package}:${Architecture}\n' | sort) | grep -v '^wenyuan:' |
	sed 's/^/# pulled in: /'

check "the system user wenyuan exists" getent passwd wenyuan > /dev/null
uid=$(id -u wenyuan 2>/dev/null || echo 0)
system_uid() { [ "$1" -gt 0 ] && [ "$1" -lt 1000 ]; }
check "it is a system account (uid $uid)" system_uid "$uid"
check "with no login shell" grep -qE '^wenyuan:.*:(/usr/sbin/nologin|/bin/false)$' /etc/passwd
check "/var/lib/wenyuan is the user's, 0750" [ "$(stat -c '%U:%G %a' /var/lib/wenyuan)" = "wenyuan:wenyuan 750" ]
check "/etc/wenyuan/wenyuan.conf is a conffile" grep -q /etc/wenyuan/wenyuan.conf <(dpkg-query -W -f='${Conffiles}' wenyuan)
for u in wenyuan.service wenyuan-worker.service wenyuan-worker@.service; do
	check "the unit $u is installed" [ -f "/lib/systemd/system/$u" ]
done
check "the man page is installed" [ -f /usr/share/man/man1/wenyuan.1.gz ]
wants=/etc/systemd/system/multi-user.target.wants
enabled() { [ -L "$wants/wenyuan.service" ] && [ -L "$wants/wenyuan-worker.service" ]; }
check "the site and one worker are enabled" enabled
if [ -d /run/systemd/system ]; then
	echo "# systemd runs here: the install started the units"
else
	check "no systemd here: the install started nothing" [ -z "$(pgrep -u wenyuan)" ]
fi

# As the units run them: the user wenyuan, a clean environment, from /,
# the command line of ExecStart, the settings of /etc/wenyuan/wenyuan.conf
# (only the port is the test's: the packaged 8080 may be taken).
as_wenyuan=(runuser -u wenyuan -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
runuser -u wenyuan -- env -i /usr/bin/wenyuan config > "$d/config.out" 2>&1
check "the packaged settings are read: data is /var/lib/wenyuan" \
	grep -qE '^data +/var/lib/wenyuan +/etc/wenyuan/wenyuan.conf:[0-9]+ ' "$d/config.out"
check "the site's files are found where the package put them" \
	grep -qE '^web_dir +/usr/share/wenyuan/web +default \(installed\)' "$d/config.out"
serve_cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/wenyuan.service)
worker_cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/wenyuan-worker.service)
echo "# wenyuan.service runs: $serve_cmd; wenyuan-worker.service runs: $worker_cmd"
port=$(free_port)
base=http://127.0.0.1:$port
# shellcheck disable=SC2086 # the unit's command line, split as systemd does
(cd / && exec "${as_wenyuan[@]}" WENYUAN_HTTP_PORT="$port" $serve_cmd) > "$d/serve.out" 2> "$d/serve.err" &
pids+=($!)
# shellcheck disable=SC2086
(cd / && exec "${as_wenyuan[@]}" $worker_cmd) > "$d/worker.out" 2> "$d/worker.err" &
pids+=($!)
if check "the packaged site answers on 127.0.0.1" wait_http "$base/healthz"; then :; else tail -5 "$d/serve.err"; fi

title=安装包测试
printf '%s\n文渊的安装包读得懂这份中文文档：天一阁藏书。\n' "$title" > "$d/$title.txt"
# and an office document (a flat ODF text): LibreOffice as packaged
cat > "$d/公文.fodt" <<'DOC'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>装好的文渊用LibreOffice转换这份办公文档。</text:p></office:text></office:body></office:document>
DOC
chmod 0644 "$d/$title.txt" "$d/公文.fodt"
(cd / && "${as_wenyuan[@]}" /usr/bin/wenyuan add --no-wait "$d/$title.txt" "$d/公文.fodt") > "$d/add.out" 2>&1
read_ids "$d/add.out"
id=${id_of[$title.txt]:-}
oid=${id_of[公文.fodt]:-}
both_ids() { [ -n "$id" ] && [ -n "$oid" ]; }
check "wenyuan add queues both documents as the user wenyuan (ids ${id:-none}, ${oid:-none})" both_ids
# Until the worker has converted each (or failed it): at most 120 s.
status_api() { curl -fsS "$base/api/v1/doc/${1:-0}" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
done_all() {
	local s
	for i in "$id" "$oid"; do
		s=$(status_api "$i")
		[ "$s" = ready ] || [ "$s" = failed ] || return 1
	done
}
for _ in $(seq 600); do done_all && break; sleep 0.2; done
for i in "$id" "$oid"; do
	st=$(status_api "$i")
	if check "the packaged worker converts document ${i:-?} (status ${st:-none})" [ "$st" = ready ]; then :; else
		tail -5 "$d/worker.err"
	fi
done
curl -fsS "$base/doc/${id:-0}" > "$d/doc.html" 2>/dev/null
check "its page is served with its title" grep -q "<title>$title" "$d/doc.html"
check "and its text" grep -q '天一阁藏书' "$d/doc.html"
check "the office document's text too" grep -q '办公文档' <(curl -fsS "$base/doc/${oid:-0}" 2>/dev/null)
check "the library is in /var/lib/wenyuan, the user's" \
	[ "$(stat -c %U /var/lib/wenyuan/wenyuan.db 2>/dev/null)" = wenyuan ]

# ---- stop, purge ----
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
stopped() { [ -z "$(pgrep -u wenyuan)" ]; }
check "the site and the worker stop on SIGTERM" eventually stopped
pgrep -u wenyuan -a | sed 's/^/# left: /'
cleanup
not_installed() { ! dpkg-query -W -f='${Status}' wenyuan 2>/dev/null | grep -q "install ok installed"; }
check "the package is purged" not_installed
check "its library is gone" [ ! -e /var/lib/wenyuan ]
check "its settings are gone" [ ! -e /etc/wenyuan ]
check "the units are gone" [ ! -e /lib/systemd/system/wenyuan.service ]
no_links() { [ -z "$(find /etc/systemd/system -name 'wenyuan*' 2>/dev/null)" ]; }
check "and so are their links" no_links
no_user() { ! getent passwd wenyuan > /dev/null; }
if [ "$user_before" = no ]; then check "the user is gone" no_user; fi
check "the installed packages are as before" diff "$before" <(dpkg-query -W -f='${Package}:${Architecture}\n' | sort)
finish

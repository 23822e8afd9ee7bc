#!/usr/bin/env bash
# The systemd units (dist/systemd/*.in) as systemd reads them:
# `systemd-analyze verify` on copies whose ExecStart is the built binary
# (so its check that the command exists is real) must print nothing about
# them; a unit spoiled on purpose shows that it would. The two worker units
# stay alike, and what they run is what the binary accepts. Skipped only
# without systemd-analyze (package systemd: scripts/deps.sh --test).
source "$(dirname "$0")/lib.bash"

command -v systemd-analyze >/dev/null || { echo "skipped: systemd-analyze not installed"; exit 77; }
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
units=(wenyuan.service wenyuan-worker.service wenyuan-worker@.service)
for u in "${units[@]}"; do
	# as CMake's configure_file(@ONLY) makes them, with the built binary
	sed "s|@WY_BINDIR@/wenyuan|$WY_BIN|g" "$WY_SRC/dist/systemd/$u.in" > "$d/$u"
done
check "every placeholder is filled" lacks "@WY_" <(cat "$d"/*.service)
check "ExecStart is the built binary" grep -qx "ExecStart=$WY_BIN serve --no-worker" "$d/wenyuan.service"

# Documentation=man:wenyuan(1) is checked too: the page as installed.
mkdir -p "$d/man/man1"
cp "${WY_MAN_DIR:?the build makes the manuals (CMakeLists.txt)}/wenyuan.1" "$d/man/man1/"
export MANPATH=$d/man
manopt=()
if ! command -v man > /dev/null; then
	manopt=(--man=no)
	echo "# man is not installed: Documentation= not checked"
fi

# verify: what it says about our units (anything naming them or their
# directory); it exits 0 on warnings such as an unknown key.
verify() { # verify DIR UNIT...: prints its lines about those units
	(cd "$1" && shift && SYSTEMD_LOG_COLOR=0 systemd-analyze verify "${manopt[@]}" "${@/#/./}" 2>&1) | grep -E "wenyuan|$1" || true
}
verify "$d" "${units[@]}" > "$d/verify.out"
check "systemd-analyze verify has nothing to say about the units" [ ! -s "$d/verify.out" ]
sed 's/^/# /' "$d/verify.out"

# The same check on a spoiled copy: an unknown key and a missing binary.
mkdir "$d/bad"
sed -e 's/^Type=notify$/Type=notify\nProtectEverything=yes/' -e "s|^ExecStart=$WY_BIN|ExecStart=$d/no-such-binary|" \
	"$d/wenyuan.service" > "$d/bad/wenyuan.service"
verify "$d/bad" wenyuan.service > "$d/bad.out"
check "it would report an unknown key" grep -q "Unknown key 'ProtectEverything'" "$d/bad.out"
check "and a missing ExecStart binary" grep -q "no-such-binary" "$d/bad.out"

# wenyuan-worker@.service is wenyuan-worker.service with a label: the
# same lines but the opening comment and the description.
body() { grep -v -e '^#' -e '^Description=' "$1"; }
check "the worker template is the worker unit" diff <(body "$d/wenyuan-worker.service") <(body "$d/wenyuan-worker@.service")
check "the server unit's arguments are accepted by serve" "$WY_BIN" serve --no-worker --help > /dev/null
for u in "${units[@]}"; do
	check "$u runs as the user wenyuan" grep -qx "User=wenyuan" "$d/$u"
done
check "the units may write the packaged data directory" \
	grep -qx "ReadWritePaths=$(sed -n 's/^data = //p' "$WY_SRC/dist/wenyuan.conf")" "$d/wenyuan.service"
# the site's stop: stop_grace for the requests in flight, within TimeoutStopSec
grace=$("$WY_BIN" config | awk '$1 == "stop_grace" {print $2}')
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$d/wenyuan.service")
check "the site's TimeoutStopSec (${stop:-?} s) leaves room for stop_grace (${grace:-?} s)" [ "${stop:-0}" -gt "${grace:-999}" ]
check "the worker may make its converters' namespaces" grep -qx "RestrictNamespaces=user net" "$d/wenyuan-worker.service"
check "and call Landlock" grep -q "^SystemCallFilter=.*landlock_restrict_self" "$d/wenyuan-worker.service"
none() { ! grep -qE "$1" "$2"; } # none REGEX FILE
check "and is not in a user namespace of systemd's" none "^(PrivateUsers=|RestrictNamespaces=yes)" "$d/wenyuan-worker.service"

# The exposure systemd rates each unit at, for the record.
for u in wenyuan.service wenyuan-worker.service; do
	(cd "$d" && systemd-analyze security --offline=true "./$u" 2>/dev/null | tail -1 | sed 's/^/# /') || true
done
finish

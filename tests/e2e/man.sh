#!/usr/bin/env bash
# The manuals wenyuan(1) and wenyuan.conf(5): made by the binary from the
# templates in docs/man/ and its own tables, they render without a warning
# (groff, mandoc), `man -l` shows them, every command and every setting
# the binary knows is in them, and `make install` puts them in
# PREFIX/share/man.
source "$(dirname "$0")/lib.bash"

for t in groff man mandoc; do command -v $t >/dev/null || { echo "skipped: $t not installed"; exit 77; }; done
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
for page in wenyuan.1 wenyuan.conf.5; do
	check "$page is made" "$WY_BIN" --man "$WY_SRC/docs/man/$page.in" "$d/$page" 2026-01-01
	# -ww: every warning; the output device utf8, as man uses
	groff -man -ww -z -Tutf8 "$d/$page" 2> "$d/$page.groff"
	check "$page: groff has no warning" [ ! -s "$d/$page.groff" ]
	cat "$d/$page.groff"
	mandoc -T lint -W warning "$d/$page" > "$d/$page.lint" 2>&1 || true
	check "$page: mandoc -T lint has no warning" [ ! -s "$d/$page.lint" ]
	cat "$d/$page.lint"
	MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$d/$page" > "$d/$page.txt" 2> "$d/$page.man.err"
	check "$page: man -l shows it" grep -q '^NAME' "$d/$page.txt"
	check "$page: no template word is left" lacks '@' "$d/$page"
done
check "wenyuan(1) names itself" grep -q '^WENYUAN(1)' "$d/wenyuan.1.txt"
check "wenyuan.conf(5) names itself" grep -q '^WENYUAN.CONF(5)' "$d/wenyuan.conf.5.txt"
check "wenyuan.conf(5) carries the date it was given" grep -q '2026-01-01' "$d/wenyuan.conf.5.txt"
check "the Chinese of a template shows as Chinese" grep -q '文渊文库' "$d/wenyuan.conf.5.txt"

# Every command `wenyuan --help` lists has its section, synopsis and
# summary; every setting `wenyuan config` prints, its entry with the
# default and the variable from the settings table.
"$WY_BIN" --help > "$d/help.txt"
mapfile -t cmds < <(sed -n '/^commands:/,/^$/p' "$d/help.txt" | awk '!/^commands:/ && NF {print $1}')
check "wenyuan --help lists the commands" [ ${#cmds[@]} -ge 15 ]
missing=
for c in "${cmds[@]}"; do
	grep -qx ".SS $c" "$d/wenyuan.1" && grep -qE "^ +wenyuan $c( |\$)" "$d/wenyuan.1.txt" || missing+=" $c"
	grep -qE "^  $c +[a-z]" "$d/help.txt" || missing+=" $c(no summary)"
	"$WY_BIN" "$c" --help | grep -q "^usage: wenyuan $c" || missing+=" $c(--help)"
done
check "every command is in wenyuan(1), with its summary and usage:${missing:- all}" [ -z "$missing" ]
WENYUAN_CONFIG=/dev/null "$WY_BIN" config |
	awk 'NR > 1 {for (i = 2; i <= NF; i++) if ($i ~ /^WENYUAN_[A-Z0-9_]+$/) {print $1, $i; break}}' > "$d/settings.txt"
check "wenyuan config lists the settings" [ "$(wc -l < "$d/settings.txt")" -ge 40 ]
missing=
while read -r name env; do
	grep -qx ".B $name" "$d/wenyuan.conf.5" || missing+=" $name"
	grep -qF "Environment: \fB\%$env\fR;" "$d/wenyuan.conf.5" || missing+=" $env"
done < "$d/settings.txt"
check "every setting is in wenyuan.conf(5), with its variable:${missing:- all}" [ -z "$missing" ]
entry_has() { sed -n "/^\.B $1\$/,/^\.TP/p" "$d/wenyuan.conf.5" | grep -qF -- "$2"; }
check "a setting's default and range come from the table" \
	entry_has convert_timeout 'Default: \fB120\fR. A number from 1 to 86400.'
check "a site setting says so" entry_has site_name 'A site setting'
check "a setting read at start only says so" entry_has http_port 'Read at start only'
lacks_entry() { ! entry_has "$@"; }
check "one a reload changes does not" lacks_entry convert_timeout 'Read at start only'
check "an installed directory's default is the installed one" entry_has web_dir '/share/wenyuan/web when the binary'

# make install: PREFIX/share/man/man1 and man5, as a package builds it
if command -v cmake >/dev/null; then
	DESTDIR=$d/stage cmake --install "$(dirname "$WY_BIN")" --prefix /usr > "$d/install.out"
	check "make install puts wenyuan.1 in share/man/man1" [ -s "$d/stage/usr/share/man/man1/wenyuan.1" ]
	check "and wenyuan.conf.5 in share/man/man5" [ -s "$d/stage/usr/share/man/man5/wenyuan.conf.5" ]
	check "the installed wenyuan.1 renders" grep -q '^SYNOPSIS' <(MANWIDTH=80 man -l "$d/stage/usr/share/man/man1/wenyuan.1" 2>&1)
fi
finish

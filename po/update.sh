#!/usr/bin/env bash
# The UI text catalogs: regenerate po/wenyuan.pot from the sources and merge
# it into every po/<lang>.po (then translate what msgmerge left empty or
# fuzzy). With --check, change nothing: fail when the template is stale or
# a catalog misses a translation (what a reviewer would run).
#
# msgids are the Chinese UI strings: {{_ ...}} and {{{_ ...}}} in
# web/templates/*.html (see src/web/template.h), and wy_i18n_tr(lang, "...")
# and N_("...") in src/web/*.c. The build compiles po/*.po with msgfmt.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Templates -> a PO file with references, which xgettext reads like a source.
perl -CSD -e '
	binmode STDOUT, ":encoding(UTF-8)";
	for my $f (@ARGV) {
		open my $fh, "<:encoding(UTF-8)", $f or die "$f: $!";
		local $/; my $s = <$fh>;
		while ($s =~ /\{\{(\{?)_[ \t\n]/g) {
			my ($raw, $start) = ($1, pos $s);
			my $line = 1 + (substr($s, 0, $start) =~ tr/\n//);
			my $close = $raw ? "}}}" : "}}";
			my $i = $start;
			while ($i < length $s && substr($s, $i, length $close) ne $close) {
				$i = index($s, "}", $i) if substr($s, $i, 1) eq "{";
				die "$f:$line: unclosed translation\n" if $i < 0;
				$i++;
			}
			my $id = substr($s, $start, $i - $start);
			$id =~ s/^[ \t\n]+|[ \t\n]+$//g;
			$id =~ s/(["\\])/\\$1/g;
			$id =~ s/\n/\\n/g;
			print "#: $f\nmsgid \"$id\"\nmsgstr \"\"\n\n";
		}
	}' web/templates/*.html > "$tmp/templates.po"

# References name files, not lines: lines move with every edit of a source.
xgettext --from-code=UTF-8 --no-wrap --sort-by-file --add-location=file --package-name=wenyuan \
	--msgid-bugs-address= --add-comments=TRANSLATORS: -k -kwy_i18n_tr:2 -kN_ \
	-o "$tmp/wenyuan.pot" "$tmp/templates.po" src/web/*.c 2> "$tmp/xgettext.err" ||
	{ cat "$tmp/xgettext.err" >&2; exit 1; }
# the templates' references name the real files, not the temporary one
sed -i -e '/^#: .*templates\.po$/d' -e '/^"POT-Creation-Date:/d' \
	-e '1,4c\# The UI text of wenyuan; msgids are the Chinese UI. Made by po/update.sh.' "$tmp/wenyuan.pot"

if [ "${1:-}" = --check ]; then
	status=0
	if ! diff -u <(grep -v '^"POT-Creation-Date:' po/wenyuan.pot) "$tmp/wenyuan.pot"; then
		echo "po/wenyuan.pot is stale: run po/update.sh" >&2
		status=1
	fi
	for po in po/*.po; do
		[ -e "$po" ] || continue
		msgcmp --use-untranslated "$po" "$tmp/wenyuan.pot" 2>/dev/null ||
			{ msgcmp "$po" "$tmp/wenyuan.pot" || true; echo "$po misses translations" >&2; status=1; }
		if msgattrib --only-fuzzy "$po" | grep -q '^msgid'; then
			echo "$po has fuzzy translations" >&2
			status=1
		fi
		# msgcmp counts an empty msgstr as there: name the empty ones
		if msgattrib --untranslated --no-obsolete "$po" | grep '^msgid "..*"$' >&2; then
			echo "$po has empty translations" >&2
			status=1
		fi
	done
	exit $status
fi
cp "$tmp/wenyuan.pot" po/wenyuan.pot
for po in po/*.po; do
	[ -e "$po" ] || continue
	msgmerge --quiet --update --backup=none --no-wrap --sort-by-file --add-location=file "$po" po/wenyuan.pot
done

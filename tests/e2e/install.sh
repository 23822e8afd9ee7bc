#!/usr/bin/env bash
# `make install` as a package builds it: the build directory installed
# under a staging DESTDIR with PREFIX /usr; the installed binary finds its
# site files and translations by itself (no flags, no source tree), adds a
# document and serves the site in Chinese and English with its styles.
source "$(dirname "$0")/lib.bash"

command -v cmake >/dev/null || { echo "# no cmake: skipped"; exit 77; }
new_library
stage=$d/stage
DESTDIR=$stage cmake --install "$(dirname "$WY_BIN")" --prefix /usr > "$d/install.out"
bin=$stage/usr/bin/wenyuan
check "the binary is installed" [ -x "$bin" ]
check "the site's templates are installed" [ -f "$stage/usr/share/wenyuan/web/templates/base.html" ]
check "the translations are installed" [ -f "$stage/usr/share/wenyuan/locale/en.mo" ]
"$bin" config > "$d/config.out"
check "the installed binary finds its site files" \
	grep -qE "^web_dir +$stage/usr/share/wenyuan/web +default \(installed\)" "$d/config.out"
check "and its translations" \
	grep -qE "^locale_dir +$stage/usr/share/wenyuan/locale +default \(installed\)" "$d/config.out"

printf '安装测试\n装好的文渊能读这份文档。\n' > "$d/安装测试.txt"
(cd / && "$bin" --data "$data" add "$d/安装测试.txt") > "$d/add.out"
check "the installed binary converts a document" grep -q '^ready' "$d/add.out"
port=$(free_port)
(cd / && exec "$bin" --data "$data" serve --listen "127.0.0.1:$port" --no-worker) > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
base=http://127.0.0.1:$port
check "the installed site answers" wait_http "$base/healthz"
check "its home page lists the document" grep -q '安装测试' <(curl -fsS "$base/")
check "its styles are served" [ "$(code "$base/static/site.css")" = 200 ]
check "in English too (the translations)" grep -q '<html lang="en">' <(curl -fsS "$base/?lang=en")
finish

#!/usr/bin/env bash
# Install the Debian packages wenyuan needs to build, run and test, when any
# is missing. Called by `make` targets; safe to run again (installs nothing
# when all are present). Uses apt-get as root, sudo otherwise.
set -euo pipefail

# build + run (LibreOfficeKit needs the full -writer/-calc/-impress packages:
# the -nogui ones lack the .ui files it loads)
pkgs=(
  build-essential cmake pkg-config gettext
  libsqlite3-dev libwebp-dev libmicrohttpd-dev libsodium-dev libjansson-dev zlib1g-dev
  libmupdf-dev libmujs-dev libgumbo-dev libopenjp2-7-dev libjbig2dec0-dev libjpeg-dev
  libfreetype-dev libharfbuzz-dev libutf8proc-dev libqrencode-dev libopencc-dev
  libicu-dev
  libpq-dev # the PostgreSQL store (store_url=postgresql://..., src/store/pg*.c)
  libmobi-dev libcmark-dev # MOBI/AZW3 books; Markdown
  libsystemd-dev # sd_notify: readiness, reload and watchdog under systemd (Type=notify units)
  libfontconfig-dev # the admins' dashboard asks fontconfig whether the CJK fonts below are installed
  libtesseract-dev tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng # OCR of scans and images
  unicode-data bzip2 # the pinyin table is generated from Unihan at build time
  fonts-noto-cjk
  # fonts with Word's line heights for the fonts a 公文 names (src/convert/office.c)
  fonts-arphic-uming fonts-arphic-gkai00mp fonts-arphic-ukai fonts-wqy-zenhei
  libreofficekit-dev libreoffice-writer libreoffice-calc libreoffice-impress
)
# libcurl: the site's mail over SMTP (src/jobs/mailer.c). Any of Debian's
# flavours builds it (they all provide libcurl-dev, and conflict with each
# other): one already installed is kept, else the OpenSSL one, Debian's
# default libcurl, whose TLS the STARTTLS and smtps:// connections use.
if ! dpkg-query -W -f='${Status} ${Provides}\n' 'libcurl4-*-dev' 2>/dev/null | grep -q '^install ok installed.*libcurl-dev'; then
  pkgs+=(libcurl4-openssl-dev)
fi
# tests and benchmarks: the tools a user would otherwise script, for
# side-by-side comparison, and mutool to make the sample manual's PDF check
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ] || [ "${1:-}" = "--heavy" ]; then
  pkgs+=(poppler-utils poppler-data webp curl jq bc time sqlite3 python3) # python3: slowloris (tests/heavy/slowloris.py), the text-fidelity measure (tests/e2e/han_bigrams.py); poppler-data: pdftotext reads CJK fonts without embedded maps
  if [ "${1:-}" = "--bench" ]; then
    pkgs+=(nginx-light wrk opencc)
    pkgs+=(tesseract-ocr) # bench/ocr.sh: the tesseract command, side by side
    # the search benchmark's real text (bench/realtext.py): Chinese help,
    # manuals, man pages and fortunes; Unihan's readings for the expected
    # pinyin; npm for the chinese-poetry package
    pkgs+=(libreoffice-help-zh-cn gimp-help-zh-cn debian-reference-zh-cn debian-faq-zh-cn maint-guide-zh-cn
           manpages-zh fortunes-zh unicode-data bzip2)
    command -v npm >/dev/null || pkgs+=(nodejs npm)
  fi
  # make test-heavy: wrk for the load, ss and ps
  if [ "${1:-}" = "--heavy" ]; then pkgs+=(wrk iproute2 procps); fi
fi
# the browser test: Debian's chromium, driven by playwright-core from npm;
# systemd for systemd-analyze, which checks the units (tests/e2e/units.sh);
# python3-seccomp imitates the worker unit's system call filter
# (tests/e2e/units_sandbox.sh)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(chromium systemd python3-seccomp)
  # the manuals render without warnings (tests/e2e/man.sh); the OpenAPI
  # description is valid (the 3.0 JSON Schema, from openapi-specification)
  # and says what the server answers (tests/e2e/openapi.sh)
  pkgs+=(groff-base man-db mandoc openapi-specification python3-jsonschema)
  # xmllint validates /sitemap.xml and its parts against the sitemap
  # schema (tests/e2e/seo.sh, issue 18)
  pkgs+=(libxml2-utils)
  # a real SMTP server on loopback for the mail tests (tests/e2e/smtpd.py:
  # mail.sh, browser_mail.sh)
  pkgs+=(python3-aiosmtpd)
  # the PostgreSQL store's tests: a throwaway cluster (initdb, pg_ctl) per
  # test run (tests/pg/cluster.sh; ctest's unit_pg.* tests); it brings psql
  pkgs+=(postgresql)
  # a real S3 server for the S3 blob store's tests (tests/s3/radosgw.sh): a
  # single-node Ceph (a monitor, one in-memory OSD) behind radosgw;
  # ceph-common brings the ceph and radosgw-admin commands that set it up
  pkgs+=(radosgw ceph-mon ceph-osd ceph-common)
  # the cluster test (tests/cluster/run.sh): nginx balances two serve
  # processes, as a site past one machine would run
  pkgs+=(nginx-light)
  command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
# the Debian package (make deb, make test-package): debhelper builds it,
# lintian checks it, curl fetches the installed site's page
if [ "${1:-}" = "--deb" ]; then
  pkgs+=(debhelper dpkg-dev fakeroot lintian curl)
fi
# fuzzing (make fuzz): clang with its libFuzzer and sanitizer runtimes
# (Debian 12 ships them in libclang-rt-14-dev, only recommended by clang),
# and llvm for llvm-symbolizer, which turns a crash's addresses into lines
if [ "${1:-}" = "--fuzz" ]; then
  pkgs+=(clang libclang-rt-14-dev llvm)
fi

# promtool, which checks /metrics (tests/e2e/metrics.sh), comes from
# Debian's prometheus package; but installing that package starts a
# prometheus daemon where there is no systemd (its postinst runs the init
# script: containers, CI). So the package is downloaded, not installed, and
# only usr/bin/promtool is taken out of it, into a cache directory where
# the test finds it (lib.bash: need_promtool).
fetch_promtool() {
  local cache=${WY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wenyuan}
  command -v promtool >/dev/null && return 0
  [ -x "$cache/promtool/usr/bin/promtool" ] && return 0
  mkdir -p "$cache/deb" "$cache/promtool"
  if ! (cd "$cache/deb" && apt-get download -q prometheus >/dev/null); then
    echo "wenyuan: could not download Debian's prometheus package (for promtool); tests/e2e/metrics.sh will be skipped" >&2
    return 0
  fi
  local deb
  deb=$(ls -t "$cache"/deb/prometheus_*.deb | head -1)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/promtool" ./usr/bin/promtool
  echo "wenyuan: promtool from $(basename "$deb") in $cache/promtool/usr/bin" >&2
}
case "${1:-}" in --test | --heavy) fetch_promtool ;; esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "wenyuan: installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "wenyuan: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

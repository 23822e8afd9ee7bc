# Shared helpers for the end-to-end tests (sourced, not a test itself).
set -euo pipefail
# A test that stops at a failed command (set -e) says which: a test that
# fails in CI shows only what it printed.
set -E
trap '[[ $- != *e* ]] || echo "${0##*/}: line $LINENO: exit $? from: $BASH_COMMAND" >&2' ERR
: "${WY_BIN:?WY_BIN must point at the wenyuan binary}"
WY_SRC=${WY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export WENYUAN_LOG=${WENYUAN_LOG:-warn}
# A running worker starts LibreOffice in every slot at once (office_prestart,
# about 200 MB and a few seconds of CPU each): the tests that are not about
# office documents need none, and tests run side by side. The office tests
# set it where they check it.
export WENYUAN_OFFICE_PRESTART=${WENYUAN_OFFICE_PRESTART:-0}
# Captchas (src/web/captcha.c) are asked at registration and after a failed
# login by default: the tests that register and log in through the forms
# and the API are not about them. captcha.sh and browser_captcha.sh turn
# them on where they check them.
export WENYUAN_CAPTCHA_REGISTER=${WENYUAN_CAPTCHA_REGISTER:-0}
export WENYUAN_CAPTCHA_LOGIN=${WENYUAN_CAPTCHA_LOGIN:-0}
export WENYUAN_CAPTCHA_RESET=${WENYUAN_CAPTCHA_RESET:-0}

fails=0
passes=0
ok()   { passes=$((passes + 1)); echo "ok - $*"; }
bad()  { fails=$((fails + 1)); echo "not ok - $*"; }
check() { # check "what" command...
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}

# fails_with TEXT command...: the command exits non-zero and says TEXT.
fails_with() {
	local text=$1 out; shift
	if out=$("$@" 2>&1); then return 1; fi
	grep -qF -- "$text" <<<"$out"
}

# jqe FILTER...: jq -e, quietly.
jqe() { jq -e "$@" >/dev/null; }

# lacks TEXT FILE: FILE does not contain TEXT.
lacks() { ! grep -qF -- "$1" "$2"; }

# read_ids FILE: fill the associative array id_of (file name -> document
# id) from the "added ID PATH" / "exists ID PATH" lines `wenyuan add` prints.
declare -A id_of
read_ids() {
	local word id path
	while read -r word id path; do
		[ "$word" = added ] || [ "$word" = exists ] || continue
		id_of[$(basename "$path")]=$id
	done < "$1"
}

# status_of JSON ID: "status<TAB>reason" of a document in `list --json`.
status_of() { jq -r --argjson id "$2" '.[] | select(.id == $id) | "\(.status)\t\(.reason // "")"' "$1"; }

# need_corpus: set $corpus to ../shared/corpus, or skip (77) saying why.
need_corpus() {
	corpus=${WY_CORPUS:-$WY_SRC/../shared/corpus}
	if [ ! -f "$corpus/MANIFEST.tsv" ]; then
		echo "skipped: corpus not found at $corpus"
		exit 77
	fi
}

# find_promtool: set $promtool to Prometheus's promtool (on the PATH, or
# where scripts/deps.sh --test put it: the tool of Debian's prometheus
# package, without the package); false when there is none.
find_promtool() {
	local cache=${WY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wenyuan}
	promtool=$(command -v promtool || true)
	[ -n "$promtool" ] || promtool=$cache/promtool/usr/bin/promtool
	[ -x "$promtool" ]
}
# need_promtool: find_promtool, or skip (77) saying why.
need_promtool() {
	if ! find_promtool; then
		echo "skipped: promtool not found (scripts/deps.sh --test fetches it)"
		exit 77
	fi
}

# need_browser: set $chromium and $bdir (tests/browser), installing the npm
# packages (playwright-core, axe-core, lighthouse) from the lockfile when
# node_modules was installed from another one (a copy of the lockfile
# installed is kept in node_modules), or skip (77) without node, npm or
# chromium. The browser tests run side by side: one installs while the
# other waits on the lock (two `npm ci` in one directory delete each
# other's files).
need_browser() {
	local t
	for t in node npm flock; do command -v $t >/dev/null || { echo "skipped: $t not installed"; exit 77; }; done
	chromium=${WY_CHROMIUM:-/usr/bin/chromium}
	[ -x "$chromium" ] || { echo "skipped: $chromium not installed"; exit 77; }
	bdir=$WY_SRC/tests/browser
	(
		flock 9
		cmp -s "$bdir/package-lock.json" "$bdir/node_modules/.wy-installed-lock" ||
			(cd "$bdir" && npm ci --no-audit --no-fund --silent &&
				cp package-lock.json node_modules/.wy-installed-lock)
	) 9> "$bdir/.npm.lock" || { echo "npm ci failed"; exit 1; }
}

# corpus_select OUT CONDITION [FIELDS]: the rows of the corpus's
# MANIFEST.tsv that the awk CONDITION selects, as the tab-separated awk
# FIELDS (default: path, format, expectation), into the file OUT.
corpus_select() {
	awk -F'\t' -v OFS='\t' "NR > 1 && ($2) {print ${3:-\$1, \$2, \$8}}" "$corpus/MANIFEST.tsv" > "$1"
}

# corpus_files MANIFEST: the array files, the full paths of the corpus
# files MANIFEST (rows as corpus_select writes them) names.
corpus_files() { mapfile -t files < <(cut -f1 "$1" | sed "s|^|$corpus/|"); }

tmpdir() { mktemp -d "${TMPDIR:-/tmp}/wy-e2e-XXXXXX"; }

# A free TCP port on 127.0.0.1, below the kernel's range of ephemeral ports:
# a port from that range may be taken as the local end of some test's
# outgoing connection between this check and the server's bind.
free_port() {
	local p lo=32768
	read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	[ "$lo" -gt 12000 ] || lo=32768
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	return 1
}

# eventually command...: until the command succeeds (at most 10 s): for
# what the server does on its own time (the counters' flush, the page
# cache's expiry), with their timings set short rather than slept through.
eventually() {
	for _ in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# steady_rss PID: the process's resident memory in kB once it has settled
# (two readings 0.2 s apart the same, at most 10 s), for an idle figure
# taken after the requests that warm it up.
steady_rss() {
	local a b
	a=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
	for _ in $(seq 50); do
		sleep 0.2
		b=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}

# wait_http URL: until it answers (at most 20 s).
wait_http() {
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# ---- a site on the real server ----
# new_library: a fresh temporary directory $d with an empty data directory
# $data; at exit the server started by serve_site is stopped and $d removed.
new_library() {
	d=$(tmpdir)
	data=$d/data
	spid=
	mkdir -p "$data"
	trap 'kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
	if [ -n "${WENYUAN_TEST_PG:-}" ]; then new_pg_store; fi
}

# serve_site [WENYUAN_X=VALUE ... --serve-flag ...]: serve $data on a free
# port of 127.0.0.1 with those settings in the environment and those flags
# given to serve; sets $spid and $base and checks that it answers.
serve_site() {
	local a envs=() args=()
	for a in "$@"; do
		case $a in
		--*) args+=("$a") ;;
		*) envs+=("$a") ;;
		esac
	done
	local port
	port=$(free_port)
	env "${envs[@]}" "$WY_BIN" --data "$data" serve "${args[@]}" --listen "127.0.0.1:$port" \
		> "$d/serve.out" 2> "$d/serve.err" &
	spid=$!
	base=http://127.0.0.1:$port
	if wait_http "$base/healthz"; then
		ok "serve answers"
	else
		bad "serve answers"
		tail -5 "$d/serve.err"
	fi
}

# code CURL-ARGS...: the HTTP status only.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# register NAME PASSWORD / api_login NAME PASSWORD: a bearer token.
register() { curl -fsS -X POST "$base/api/v1/register" --data-urlencode "name=$1" --data-urlencode "password=$2" | jq -r .token; }
api_login() { curl -fsS -X POST "$base/api/v1/login" --data-urlencode "name=$1" --data-urlencode "password=$2" | jq -r .token; }

# upload TOKEN FILE [curl -F args...]: upload through the API; the new
# document's id.
upload() {
	local t=$1 f=$2; shift 2
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $t" "$@" -F "file=@$f" | jq -r '.documents[0].id'
}

# wait_doc ID TOKEN WANT: until the document is ready or failed (at
# most 60 s); whether it is WANT then. wait_ready ID TOKEN: WANT ready.
wait_doc() {
	local s
	for _ in $(seq 300); do
		s=$(curl -fsS "$base/api/v1/doc/$1" -H "Authorization: Bearer $2" | jq -r .status)
		case $s in ready | failed) [ "$s" = "$3" ]; return ;; esac
		sleep 0.2
	done
	return 1
}
wait_ready() { wait_doc "$1" "$2" ready; }

# store_q SQL: a query's rows ('|' between columns) from the library's
# store: sqlite3 on $data/wenyuan.db, or psql when WENYUAN_STORE_URL names
# a PostgreSQL database (a run of the test on that backend). SQL both
# dialects read alike.
store_q() {
	if [ -n "${WENYUAN_STORE_URL:-}" ]; then
		psql -qAtX "$WENYUAN_STORE_URL" -c "$1"
	else
		sqlite3 "$data/wenyuan.db" "$1"
	fi
}

# new_pg_store: when WENYUAN_TEST_PG names a PostgreSQL cluster (ctest's
# e2e_pg.NAME twins of some tests), each new library's store is a new
# database on it: WENYUAN_STORE_URL, which every wenyuan the test runs
# reads (the blobs stay in $data). The cluster goes with its databases.
new_pg_store() {
	pg_stores=$((${pg_stores:-0} + 1))
	local db=wy_e2e_$$_$pg_stores
	psql -qAtX "$WENYUAN_TEST_PG" -c "CREATE DATABASE $db" > /dev/null || { echo "cannot make database $db" >&2; exit 1; }
	export WENYUAN_STORE_URL=${WENYUAN_TEST_PG/\/postgres\?//$db?}
}

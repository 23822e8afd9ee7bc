#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's postgresql):
#   tests/pg/cluster.sh start DIR [PORT]   initdb into DIR/data, start it on a
#                                          Unix socket in DIR (and loopback
#                                          PORT when given), print its URL
#   tests/pg/cluster.sh stop DIR           stop it, remove DIR
#   tests/pg/cluster.sh url DIR            the URL of its "postgres" database
# initdb refuses to run as root: as root the cluster runs as the postgres
# user (Debian's package makes it), who owns DIR. Authentication is trust,
# on the socket and loopback only: the cluster lives as long as a test.
set -euo pipefail
cmd=${1:?start|stop|url} dir=${2:?DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "cluster.sh: PostgreSQL's server is not installed (scripts/deps.sh --test)" >&2; exit 2; }
as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url() {
	local port; port=$(cat "$dir/port")
	printf 'postgresql:///postgres?host=%s&port=%s&user=postgres\n' "$dir" "$port"
}
case $cmd in
start)
	port=${3:-}
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# a socket-only cluster still needs a port number: it names the socket
	echo "${port:-5432}" > "$dir/port"
	listen="''"
	[ -n "$port" ] && listen=127.0.0.1
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -p ${port:-5432} -c listen_addresses=$listen -c fsync=off -c max_connections=200" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	url
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
url) url ;;
*) echo "cluster.sh: start, stop or url" >&2; exit 2 ;;
esac

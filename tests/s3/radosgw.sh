#!/usr/bin/env bash
# A throwaway S3 server for the tests: Ceph's radosgw (Debian's radosgw,
# ceph-mon, ceph-osd) on a single-node cluster living in a directory:
#   tests/s3/radosgw.sh start DIR PORT   a monitor, one OSD keeping its
#                                        objects in memory (memstore) and
#                                        radosgw on http://127.0.0.1:PORT;
#                                        prints the endpoint's URL
#   tests/s3/radosgw.sh env DIR          shell lines setting AWS_ENDPOINT_URL,
#                                        AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
#                                        and AWS_REGION for it
#   tests/s3/radosgw.sh bucket DIR NAME  make a bucket (3 characters or more)
#   tests/s3/radosgw.sh stop DIR         stop it, remove DIR
# Ports: PORT (radosgw), PORT+1 (the monitor), PORT+2..PORT+9 (the OSD's
# messengers): keep the ten of them free. Authentication inside the cluster
# is off and the S3 user's keys are fixed: the cluster lives on loopback as
# long as a test. Starting takes about 10-20 s and ~150 MB of memory, plus
# what is stored (memstore keeps every object in RAM).
#
# The pitfalls met with Ceph 16 on Debian 12 (docs/internals/blob.md):
# a monitor on a port other than 6789 must be written [v1:127.0.0.1:PORT]
# (mon_host and monmaptool --addv), else the OSD finds no monitor; the OSD
# exits at start unless osd_class_update_on_start and
# osd_crush_update_on_start are false and it is placed in the CRUSH map
# before it starts; pools of size 1 need mon_allow_pool_size_one.
set -euo pipefail
cmd=${1:?start|env|bucket|stop} dir=${2:?DIR}
key=wenyuantestkey secret=wenyuantestsecret0123456789 region=default

die() { echo "radosgw.sh: $*" >&2; exit 1; }
# a step that fails under set -e says which, with the end of the setup log
# (a test that fails in CI shows only what it printed)
trap 'rc=$?; echo "radosgw.sh: line $LINENO failed ($rc): $BASH_COMMAND" >&2
	[ ! -f "$dir/log/setup.log" ] || tail -20 "$dir/log/setup.log" >&2' ERR

# Wait up to $1 seconds for a command to succeed.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le $((limit * 5)) ] || return 1
		sleep 0.2
	done
}

endpoint() { printf 'http://127.0.0.1:%s\n' "$(cat "$dir/port")"; }

# A request to the S3 API signed with the test user's keys. curl's SigV4
# does not add x-amz-content-sha256, which radosgw requires: an empty
# body's hash is given.
s3() {
	local method=$1 path=$2
	curl -sS -f -X "$method" --aws-sigv4 "aws:amz:$region:s3" --user "$key:$secret" \
		-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
		"$(endpoint)$path"
}

stop() {
	local f pid
	for f in "$dir"/run/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
	done
	for f in "$dir"/run/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		# a daemon that does not stop in 10 s is killed: its state is
		# thrown away anyway
		wait_for 10 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
	done
}

case $cmd in
start)
	port=${3:?PORT}
	for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
		command -v "$b" >/dev/null || { echo "radosgw.sh: $b is not installed (scripts/deps.sh --test)" >&2; exit 2; }
	done
	[ ! -e "$dir/ceph.conf" ] || die "$dir holds a cluster already"
	mkdir -p "$dir"/{mon,osd,rgw,run,log}
	dir=$(cd "$dir" && pwd)
	echo "$port" >"$dir/port"
	mon="v1:127.0.0.1:$((port + 1))"
	fsid=$(cat /proc/sys/kernel/random/uuid)
	cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon_host = [$mon]
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_bind_msgr2 = false
ms_bind_port_min = $((port + 2))
ms_bind_port_max = $((port + 9))
mon_allow_pool_size_one = true
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_warn_on_pool_no_redundancy = false
run_dir = $dir/run
pid_file = $dir/run/\$name.pid
admin_socket = $dir/run/\$name.asok
log_file = $dir/log/\$name.log
crash_dir = $dir/log
mon_data = $dir/mon
osd_data = $dir/osd
osd_objectstore = memstore
memstore_device_bytes = 8589934592
osd_class_update_on_start = false
osd_crush_update_on_start = false
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64
rgw_data = $dir/rgw
rgw_frontends = beast endpoint=127.0.0.1:$port
rgw_enable_usage_log = false
EOF
	conf=(-c "$dir/ceph.conf")
	monmaptool --create --addv a "[$mon]" --fsid "$fsid" "$dir/monmap" >"$dir/log/setup.log" 2>&1 ||
		{ cat "$dir/log/setup.log" >&2; exit 1; }
	ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/setup.log" 2>&1 ||
		{ cat "$dir/log/setup.log" >&2; exit 1; }
	ceph-mon "${conf[@]}" -i a >>"$dir/log/setup.log" 2>&1 || { cat "$dir/log/setup.log" "$dir/log/mon.a.log" >&2; exit 1; }
	wait_for 30 ceph "${conf[@]}" --connect-timeout 5 mon stat || { cat "$dir/log/mon.a.log" >&2; die "the monitor did not start"; }
	# the monitor may answer `mon stat` before it takes commands that
	# change the maps: these are tried until they succeed (both are
	# idempotent: the same uuid gets the same id back)
	uuid=$(cat /proc/sys/kernel/random/uuid)
	osd_new() { ceph "${conf[@]}" osd new "$uuid" >"$dir/osd-id" 2>>"$dir/log/setup.log"; }
	wait_for 30 osd_new || { tail -20 "$dir/log/setup.log" >&2; die "ceph osd new failed"; }
	id=$(cat "$dir/osd-id")
	[ "$id" = 0 ] || die "osd new gave '$id'"
	ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$uuid" >>"$dir/log/setup.log" 2>&1 ||
		{ cat "$dir/log/setup.log" "$dir/log/osd.0.log" >&2; exit 1; }
	crush_add() { ceph "${conf[@]}" osd crush add osd.0 1 root=default host=localhost >>"$dir/log/setup.log" 2>&1; }
	wait_for 30 crush_add || { tail -20 "$dir/log/setup.log" >&2; die "ceph osd crush add failed"; }
	ceph-osd "${conf[@]}" -i 0 >>"$dir/log/setup.log" 2>&1 || { cat "$dir/log/osd.0.log" >&2; exit 1; }
	wait_for 60 sh -c "ceph -c '$dir/ceph.conf' osd dump 2>/dev/null | grep -q '^osd.0 up'" ||
		{ tail -50 "$dir/log/osd.0.log" >&2; die "the OSD did not come up"; }
	radosgw "${conf[@]}" -n client.rgw >>"$dir/log/setup.log" 2>&1 || { cat "$dir/log/client.rgw.log" >&2; exit 1; }
	wait_for 90 curl -sf -o /dev/null "http://127.0.0.1:$port/" ||
		{ tail -50 "$dir/log/client.rgw.log" >&2; die "radosgw did not answer on port $port"; }
	radosgw-admin "${conf[@]}" user create --uid=wenyuan --display-name=wenyuan \
		--access-key="$key" --secret="$secret" >>"$dir/log/setup.log" 2>&1 ||
		{ cat "$dir/log/setup.log" >&2; exit 1; }
	endpoint
	;;
env)
	printf 'export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s\n' \
		"$(endpoint)" "$key" "$secret" "$region"
	;;
bucket)
	name=${3:?NAME}
	s3 PUT "/$name" >/dev/null
	;;
stop)
	stop
	rm -rf "$dir"
	;;
*) echo "radosgw.sh: start, env, bucket or stop" >&2; exit 2 ;;
esac

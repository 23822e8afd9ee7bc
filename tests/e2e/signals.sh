#!/usr/bin/env bash
# `wenyuan serve` as systemd runs it (Type=notify): it says READY=1 once it
# serves, WATCHDOG=1 while its loop goes round, RELOADING=1 on SIGHUP and
# STOPPING=1 on SIGTERM, all from the main process (the embedded worker is
# not told systemd's socket). SIGHUP reads the configuration file again: a
# setting that applies at once does, one read only at start is logged as
# needing a restart, a flag keeps its value, a broken file changes nothing.
# SIGTERM during a conversion hands the job back (converted after the
# restart); SIGTERM during a 100 MB upload lets it finish within
# stop_grace, and past stop_grace leaves nothing behind.
source "$(dirname "$0")/lib.bash"

new_library
trap 'kill $spid $lpid 2>/dev/null; wait $spid 2>/dev/null; [ "$fails" -gt 0 ] && tail -20 "$d/serve.err"; rm -rf "$d" || true' EXIT
lpid=

# systemd's side: a datagram socket; each message with the sender's pid.
sock=$d/notify.sock
python3 - "$sock" "$d/notify.log" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = next((struct.unpack("3i", d)[0] for l, t, d in anc
                    if l == socket.SOL_SOCKET and t == socket.SCM_CREDENTIALS), 0)
        for line in msg.decode().split("\n"):
            log.write(f"{pid}\t{line}\n")
PY
lpid=$!
eventually test -S "$sock"
told() { grep -c -P "^$1\t$2\$" "$d/notify.log" 2> /dev/null || true; }
told_at_least() { [ "$(told "$2" "$3")" -ge "$1" ]; } # N PID MESSAGE

conf=$d/wenyuan.conf
cat > "$conf" <<'CONF'
site_name = 甲文库
convert_timeout = 120
stop_grace = 30
CONF
port=$(free_port)
base=http://127.0.0.1:$port
start() {
	NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 WENYUAN_LOG=info "$WY_BIN" --config "$conf" --data "$data" serve \
		--listen "127.0.0.1:$port" "$@" >> "$d/serve.out" 2>> "$d/serve.err" &
	spid=$!
	served="$served $spid"
	wait_http "$base/healthz"
}
served=
check "serve answers" start
check "READY=1 once it serves" eventually told_at_least 1 $spid READY=1
check "WATCHDOG=1 while it runs (WatchdogSec=0.4 s)" eventually told_at_least 3 $spid WATCHDOG=1
# the whole page first: grep -q stops reading at its match, and curl,
# cut off while writing, would fail the pipe (curl: (23))
home_says() { local page; page=$(curl -fsS "$base/") && grep -qF "$1" <<< "$page"; }
check "the file's site_name" home_says 甲文库

# ---- SIGHUP ----
cat > "$conf" <<'CONF'
site_name = 乙文库
convert_timeout = 77
stop_grace = 30
http_threads = 3
http_port = 1
CONF
kill -HUP $spid
check "after SIGHUP the new site_name is served" eventually home_says 乙文库
check "RELOADING=1, then READY=1 again" eventually eval "told_at_least 1 $spid RELOADING=1 && told_at_least 2 $spid READY=1"
check "the server logs what changed" eventually grep -q 'config.reloaded .*setting=site_name value=乙文库' "$d/serve.err"
check "the embedded worker reloads too" \
	eventually grep -q 'config.reloaded .*setting=convert_timeout value=77 was=120' "$d/serve.err"
check "a setting read at start is logged as needing a restart" \
	grep -q 'config.restart_needed .*setting=http_threads' "$d/serve.err"
check "a flag keeps its value (--listen's port)" lacks 'setting=http_port' "$d/serve.err"
check "and the server still listens where it did" home_says 乙文库
echo 'site_name 丙文库' > "$conf"
kill -HUP $spid
check "a broken file is refused with its line" eventually grep -q "serve.reload_failed .*wenyuan.conf:1" "$d/serve.err"
check "and changes nothing" home_says 乙文库
printf 'site_name = 乙文库\nstop_grace = 30\n' > "$conf"

# ---- SIGTERM during a conversion ----
{
	for p in $(seq 80); do
		for i in $(seq 30); do echo "第${p}页第${i}行：服务停止时，正在转换的文档交还队列，重启以后照常转换。"; done
		printf '\f'
	done
} > "$d/长文.txt"
"$WY_BIN" --data "$data" add --no-wait "$d/长文.txt" > "$d/add.out"
doc=$(awk '/^added/ {print $2}' "$d/add.out")
# converting, some pages done: "readable" once the first are published
converting() { "$WY_BIN" --data "$data" info "$doc" --json | jq -e '(.status == "converting" or .status == "readable") and (.progress // "0/0" | split("/")[0] | tonumber) > 0' > /dev/null; }
check "the document is converting" eventually converting
t0=$(date +%s%N)
kill -TERM $spid
wait $spid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# SIGTERM during a conversion: stopped in $ms ms"
check "the server exits cleanly (status $rc)" [ "$rc" -eq 0 ]
check "well within stop_grace (30 s)" [ "$ms" -lt 30000 ]
check "STOPPING=1" told_at_least 1 $spid STOPPING=1
check "the job was handed back" grep -q 'job.released' "$d/serve.err"
# queued; or readable with the pages it had, resumed after them
check "the document waits in the queue (readable with its first pages), not failed" \
	bash -c "'$WY_BIN' --data '$data' info $doc --json | jq -e '.status == \"queued\" or (.status == \"readable\" and .pages > 0)' > /dev/null"
check "serve starts again" start
ready_all() { "$WY_BIN" --data "$data" info "$doc" --json | jq -e '.status == "ready" and .pages > 1' > /dev/null; }
for _ in $(seq 600); do ready_all && break; sleep 0.2; done
check "after the restart it converts, every page" ready_all
check "with its text" grep -qF '第80页第30行：服务停止时' <("$WY_BIN" --data "$data" text "$doc")
others=$(cut -f1 "$d/notify.log" | sort -u | grep -vxF -f <(tr ' ' '\n' <<< "$served" | grep .) || true)
check "systemd heard from the servers' main processes only (not: ${others:-none})" [ -z "$others" ]
kill -TERM $spid
wait $spid

# ---- SIGTERM during a 100 MB upload ----
echo 'uppass1234' | "$WY_BIN" --data "$data" user add uploader --password-stdin > /dev/null
head -c $((100 << 20)) < <(yes '上传进行中服务器收到停止信号：传完再停，或者什么都不留下。') > "$d/big.txt"
want=$(sha256sum "$d/big.txt" | cut -d' ' -f1)
partial() { [ -n "$(find "$data/blobs" -name 'obj.*' -size +1M)" ]; }
docs() { "$WY_BIN" --data "$data" list --json | jq length; }
# no worker: this is about the transfer
sigterm_upload() { # GRACE RATE: the upload's curl status and HTTP code in $d/up.code
	WENYUAN_STOP_GRACE=$1 start --no-worker
	tok=$(api_login uploader uppass1234)
	curl -sS --limit-rate "$2" -o "$d/up.json" -w '%{http_code}' -X POST "$base/api/v1/upload" \
		-H "Authorization: Bearer $tok" -F "file=@$d/big.txt" > "$d/up.code" 2> /dev/null &
	cpid=$!
	eventually partial
	t0=$(date +%s%N)
	kill -TERM $spid
	src=0
	wait $spid || src=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	crc=0
	wait $cpid || crc=$?
	echo "curl=$crc http=$(cat "$d/up.code") serve=$src" > "$d/up.result"
}
before=$(docs)
sigterm_upload 30 40M
echo "# SIGTERM during a 100 MB upload (grace 30 s): $(cat "$d/up.result"), stopped in $ms ms"
check "the upload in flight finishes" grep -q 'curl=0 http=201 serve=0' "$d/up.result"
check "the server waited for it, within stop_grace" [ "$ms" -lt 30000 ]
id=$(jq -r '.documents[0].id' "$d/up.json")
check "it is stored, byte for byte" \
	bash -c "'$WY_BIN' --data '$data' info '$id' --json | jq -e '.sha256 == \"$want\"' > /dev/null"
check "one more document" [ "$(docs)" -eq $((before + 1)) ]

before=$(docs)
sigterm_upload 1 5M
echo "# SIGTERM during a 100 MB upload (grace 1 s): $(cat "$d/up.result"), stopped in $ms ms"
check "past stop_grace the upload is cut off" bash -c "! grep -q 'curl=0 http=201' '$d/up.result'"
check "the server stops soon after stop_grace, cleanly" eval '[ "$ms" -lt 10000 ] && grep -q "serve=0" "$d/up.result"'
check "it says so" grep -q 'serve.grace_over .*requests=1' "$d/serve.err"
check "no document is left of it" [ "$(docs)" -eq "$before" ]
check "no partial file is left" bash -c "[ -z \"\$(find '$data/blobs' -name 'obj.*')\" ]"
check "the library is whole (fsck)" "$WY_BIN" --data "$data" fsck

finish

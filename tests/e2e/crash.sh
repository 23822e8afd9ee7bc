#!/usr/bin/env bash
# Crash consistency: a bulk import of 200 documents (`wenyuan add --no-wait`
# into a library that `wenyuan serve` and its embedded worker are
# converting) while processes are killed with SIGKILL at random moments —
# the embedded worker, the server, both at once (as a machine that loses
# power would, short of the disk), or the `add` itself. After every restart
# the library must be whole: each document ready or failed, none missing and
# none twice, `wenyuan fsck` clean, the right text in the ready ones. A job
# held by a worker killed outright is taken up again at once (the worker
# that starts next sees its pid gone), not after its lease of
# convert_timeout + 60 s: every wait here is shorter than that lease.
#
# `make test` runs one round (two kills: the worker, then server and worker
# together); `make test-heavy` runs WY_CRASH_ROUNDS rounds. A fixed seed
# (WY_CRASH_SEED) makes the moments repeatable. Figures are printed as
# "figure crash.NAME=VALUE" lines for tests/heavy/run.sh.
source "$(dirname "$0")/lib.bash"

rounds=${WY_CRASH_ROUNDS:-1}
kills_per_round=${WY_CRASH_KILLS:-2}
ndocs=${WY_CRASH_DOCS:-200}
seed=${WY_CRASH_SEED:-20240607}
RANDOM=$seed
# Longer than any wait here should take, shorter than the 180 s lease a
# killed worker's job would otherwise keep.
settle_s=90

d=$(tmpdir)
spid=0
stop_all() {
	if [ "$spid" -gt 0 ] && kill -0 "$spid" 2>/dev/null; then
		kill -TERM "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	fi
}
trap 'stop_all; rm -rf "$d"' EXIT

# ---- the documents: plain Chinese text, each with its own number; one in
# ten (doc*0.txt) runs to 10-20 pages and takes a second to convert, so that
# kills land inside a job.
lines=(
	"文渊阁建于乾隆年间，专为收藏四库全书而建。"
	"经部收儒家经典及其注疏，史部收各类史书。"
	"子部收诸子百家之书，集部收历代诗文总集与别集。"
	"藏书之所，首重防火，故阁前凿池，引水环绕。"
	"书成之后，分贮七阁，北四阁与南三阁各有其所。"
	"校书之人逐页核对，凡有讹误，皆贴签改正。"
	"图书馆学者认为，分类与编目是检索的根本。"
	"今日之数字文库，将原件与文字一并保存，便于检索。"
	"可靠的系统在断电与进程崩溃之后仍能保持一致。"
	"每份文档或者转换完成，或者失败并说明原因。"
	"数据库采用预写日志，事务要么全部生效，要么全不生效。"
	"对象以其内容的散列命名，写入临时文件后再原子地改名。"
)
mkdir -p "$d/docs"
for i in $(seq 1 "$ndocs"); do
	n=$((6 + RANDOM % 10))
	[ $((i % 10)) -eq 0 ] && n=$((400 + RANDOM % 400))
	{
		echo "可靠性测试文档第${i}号"
		for _ in $(seq 1 "$n"); do echo "${lines[RANDOM % ${#lines[@]}]}"; done
		echo "本文档的编号是甲${i}乙。"
	} > "$d/docs/doc$(printf %03d "$i").txt"
done
sha256sum "$d"/docs/*.txt | cut -c1-64 | sort > "$d/files.sha"

# ---- helpers
wy() { "$WY_BIN" --data "$data" "$@"; }
settled() { wy list --json | jq '[.[] | select(.status == "ready" or .status == "failed")] | length'; }
# the embedded worker: the server's only child
worker_pid() { ps -o pid= --ppid "$spid" 2>/dev/null | tr -d ' ' | head -1; }
start_server() {
	WENYUAN_LOG=info "$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" >> "$log" 2>&1 &
	spid=$!
	wait_http "http://127.0.0.1:$port/"
}
wait_worker() { # until the server runs a worker (it restarts one at most every 5 s)
	local w
	for _ in $(seq 100); do
		w=$(worker_pid)
		[ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.1
	done
	return 1
}
has_worker() { wait_worker > /dev/null; }
run_add() { wy add --no-wait "$d"/docs/*.txt > "$d/add.out" 2> "$d/add.err"; }
# fsck_clean: `wenyuan fsck` exits 0 and reports 0 problems
fsck_clean() {
	local rc=0
	wy fsck "$@" > "$d/fsck.out" 2>&1 || rc=$?
	problems=$((problems + $(grep -vc '^fsck:' "$d/fsck.out" || true)))
	[ "$rc" -eq 0 ] && grep -q ', 0 problems' "$d/fsck.out"
}
# until every document is ready or failed, at most settle_s seconds
wait_settled() {
	local want=$1 n
	for _ in $(seq $((settle_s * 5))); do
		n=$(settled)
		[ "$n" -ge "$want" ] && return 0
		sleep 0.2
	done
	echo "# only $n of $want documents settled in ${settle_s} s"
	return 1
}

# until none of the documents with these ids (a JSON array) is queued,
# converting or readable, at most settle_s seconds
wait_ids_settled() {
	local n
	for _ in $(seq $((settle_s * 5))); do
		n=$(wy list --json | jq --argjson ids "$1" \
			'[.[] | select(.id as $i | $ids | index($i)) | select(.status == "queued" or .status == "converting" or .status == "readable")] | length')
		[ "$n" -eq 0 ] && return 0
		sleep 0.2
	done
	return 1
}

kinds=(worker all add server)
kills=0 missed=0 orphaned=0 problems=0 tmp_left=0 total_ready=0 total_failed=0 dups=0 missing=0
recover_max_ms=0
t_start=$(date +%s)
for r in $(seq 1 "$rounds"); do
	data=$d/data$r
	log=$d/serve$r.log
	port=$(free_port)
	echo "# round $r: seed $seed, port $port"
	check "round $r: the server starts" start_server
	# This round's kills: kinds in turn (so every kind is met as often),
	# the add's kill first since it can only happen while add runs.
	plan=()
	for _ in $(seq 1 "$kills_per_round"); do
		plan+=("${kinds[kills % ${#kinds[@]}]}")
		kills=$((kills + 1))
	done
	if [[ " ${plan[*]} " == *" add "* ]]; then
		plan=(add $(printf '%s\n' "${plan[@]}" | grep -vx add || true))
	fi
	run_add &
	apid=$!
	for victim in "${plan[@]}"; do
		if [ "$victim" = add ]; then
			sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
			if kill -KILL "$apid" 2>/dev/null; then
				echo "# round $r: killed add after $(grep -c . "$d/add.out" || true) files"
			else
				echo "# round $r: add had finished before its kill"
				missed=$((missed + 1))
			fi
			wait "$apid" 2>/dev/null || true
			# the user runs the same import again
			check "round $r: add run again after its kill stores the rest" run_add
			check "round $r: and says which files it already had" \
				grep -q '^exists' "$d/add.out"
			continue
		fi
		# a random moment: after a random number of documents settled,
		# once a long one is converting, plus up to 0.4 s
		target=$((1 + RANDOM % (ndocs * 3 / 4)))
		for _ in $(seq $((settle_s * 20))); do
			[ "$(settled)" -ge "$target" ] && break
			sleep 0.05
		done
		for _ in $(seq 100); do
			wy list --json | jqe 'any(.[]; .status == "converting" and (.filename | test("0\\.txt$")))' && break
			sleep 0.05
		done
		sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
		wpid=$(wait_worker || true)
		busy=$(wy list --json | jq -c '[.[] | select(.status == "converting") | .id]')
		echo "# round $r: kill -9 $victim at $(settled) settled, converting $busy"
		# (the server is reaped at once, quietly: no "Killed" from bash)
		case $victim in
		worker) kill -KILL "$wpid" || true ;;
		server) { kill -KILL "$spid"; wait "$spid"; } 2>/dev/null || true ;;
		all) { kill -KILL "$spid" $wpid; wait "$spid"; } 2>/dev/null || true ;;
		esac
		t_kill=$(date +%s%3N)
		# the jobs the dead worker still holds: only a new worker can
		# take them up, at once or when their leases run out
		if [ "$victim" != server ]; then
			held=$(sqlite3 -readonly "$data/wenyuan.db" \
				"SELECT count(*) FROM jobs WHERE state='running' AND (worker = 'worker-$wpid' OR worker LIKE 'worker-$wpid@%')" 2>/dev/null || echo 0)
			echo "# round $r: the killed worker held $held jobs"
			orphaned=$((orphaned + held))
		fi
		if [ "$victim" != worker ]; then
			check "round $r: the server starts again after kill -9 $victim" start_server
		fi
		check "round $r: a worker runs again after kill -9 $victim" has_worker
		check "round $r: fsck of the live library after kill -9 $victim is clean" fsck_clean
		# What the killed processes held is taken up at once: the documents
		# converting at the kill settle long before a lease would run out.
		check "round $r: the documents converting at the kill settle within ${settle_s} s" \
			wait_ids_settled "$busy"
		ms=$(($(date +%s%3N) - t_kill))
		echo "# round $r: they settled $ms ms after the kill"
		[ "$ms" -gt "$recover_max_ms" ] && recover_max_ms=$ms
	done
	wait "$apid" 2>/dev/null || true
	check "round $r: every document ends ready or failed (within ${settle_s} s, less than a lease)" \
		wait_settled "$ndocs"
	wy list --json > "$d/list.json"
	jq -r '.[].sha256' "$d/list.json" | sort > "$d/docs.sha"
	nd=$(uniq -d "$d/docs.sha" | wc -l)
	nm=$(comm -23 "$d/files.sha" <(sort -u "$d/docs.sha") | wc -l)
	dups=$((dups + nd))
	missing=$((missing + nm))
	check "round $r: $ndocs documents, one per file" [ "$(wc -l < "$d/docs.sha")" -eq "$ndocs" ]
	check "round $r: no document twice" [ "$nd" -eq 0 ]
	check "round $r: no file missing" [ "$nm" -eq 0 ]
	ready=$(jq '[.[] | select(.status == "ready")] | length' "$d/list.json")
	failed=$(jq '[.[] | select(.status == "failed")] | length' "$d/list.json")
	total_ready=$((total_ready + ready))
	total_failed=$((total_failed + failed))
	jq -r '.[] | select(.status == "failed") | "# failed \(.id) \(.filename): \(.reason)"' "$d/list.json"
	# A kill may fail a document only by being the last of its tries.
	check "round $r: a failed document failed only for its interrupted tries" \
		jqe '[.[] | select(.status == "failed" and (.reason | test("interrupted") | not))] | length == 0' \
		"$d/list.json"
	check "round $r: ready documents have their pages" \
		jqe '[.[] | select(.status == "ready" and .pages < 1)] | length == 0' "$d/list.json"
	# the right text in the ready ones, a sample of ten
	bad_text=0
	for id in $(jq -r '.[] | select(.status == "ready") | "\(.id) \(.filename)"' "$d/list.json" |
		shuf -n 10 --random-source=<(yes "$seed") | tr ' ' ':'); do
		num=$((10#$(sed 's/.*doc\([0-9]*\)\.txt/\1/' <<<"$id")))
		wy text "${id%%:*}" | grep -qF "本文档的编号是甲${num}乙。" || bad_text=$((bad_text + 1))
	done
	check "round $r: ready documents hold their own text" [ "$bad_text" -eq 0 ]
	check "round $r: their pages are served" \
		curl -fsS -o /dev/null "http://127.0.0.1:$port/doc/$(jq '[.[] | select(.status == "ready")][0].id' "$d/list.json")"
	check "round $r: fsck --verify is clean" fsck_clean --verify
	stop_all
	check "round $r: the server stops cleanly" bash -c "! kill -0 $spid 2>/dev/null"
	check "round $r: fsck after the stop is clean" fsck_clean
	# temporary files of blob writes that were killed (nothing removes them)
	tmp_left=$((tmp_left + $(find "$data/blobs/tmp" -type f 2>/dev/null | wc -l)))
	if [ "$fails" -gt 0 ]; then
		echo "# server log of round $r (tail):"
		tail -n 30 "$log" | sed 's/^/#   /'
		break
	fi
	rm -rf "$data"
done
echo "figure crash.rounds=$r"
echo "figure crash.kills=$kills"
echo "figure crash.kills_missed=$missed"
echo "figure crash.documents=$((r * ndocs))"
echo "figure crash.ready=$total_ready"
echo "figure crash.failed=$total_failed"
echo "figure crash.orphaned_jobs=$orphaned"
echo "figure crash.duplicates=$dups"
echo "figure crash.missing=$missing"
echo "figure crash.fsck_problems=$problems"
echo "figure crash.blob_tmp_files_left=$tmp_left"
echo "figure crash.recover_max_s=$((recover_max_ms / 1000)).$((recover_max_ms % 1000 / 100))"
echo "figure crash.seconds=$(($(date +%s) - t_start))"
finish

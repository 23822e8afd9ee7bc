#!/usr/bin/env bash
# Issue 17, "must show" 5: a fair points economy. An upload earns points, its
# owner's delete takes them back, a restore grants them again (under the
# daily cap); a take-back may leave a debt, nothing else makes a balance
# negative. Then a concurrent run: two serve processes on one data
# directory and many clients at once pay for downloads (each reader twice
# at once, on both servers), reward, and delete and restore documents; at
# the end the ledger's total is what was granted less what was taken back
# (transfers net zero), nobody paid twice, no balance is below zero but by
# a take-back, and fsck is clean.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site
base_a=$base
port_b=$(free_port)
"$WY_BIN" --data "$data" serve --no-worker --listen "127.0.0.1:$port_b" > "$d/serve_b.out" 2> "$d/serve_b.err" &
bpid=$!
trap 'kill $spid $bpid 2>/dev/null; wait $spid $bpid 2>/dev/null; rm -rf "$d" || true' EXIT
base_b=http://127.0.0.1:$port_b
check "a second serve process on the same data directory answers" wait_http "$base_b/healthz"

points() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq .user.points; }
# proper FILE: 800 random Han characters (enough text to earn points), unlike any other
proper() { perl -CS -e 'for (1 .. 20) { print map({ chr(0x4E00 + int(rand(0x4000))) } 1 .. 40), "\n" }' > "$1"; }
post() { # post BASE TOKEN PATH [curl args...]: the HTTP status
	local b=$1 t=$2 p=$3; shift 3
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -X POST "$b$p" "$@"
}
last_reason() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me/points" | jq -r '.ledger[0].reason + " " + (.ledger[0].delta | tostring)'; }

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass12)
bob=$(register bob bobpass1234)

# ---- upload, delete, restore ----
proper "$d/p1.txt"
p1=$(upload "$alice" "$d/p1.txt")
check "alice's document is ready" wait_ready "$p1" "$alice"
check "an upload earns its points: 10 + 5 = 15" [ "$(points "$alice")" = 15 ]
check "her delete is accepted" [ "$(post "$base" "$alice" "/api/v1/doc/$p1/delete")" = 200 ]
check "deleting it takes them back: 10" [ "$(points "$alice")" = 10 ]
check "... as an upload_revoked row of -5" [ "$(last_reason "$alice")" = "upload_revoked -5" ]
check "her restore is accepted" [ "$(post "$base" "$alice" "/api/v1/doc/$p1/restore")" = 200 ]
check "restoring it grants them again (within the daily cap): 15" [ "$(points "$alice")" = 15 ]
check "... as an upload row of +5" [ "$(last_reason "$alice")" = "upload 5" ]
check "deleting and restoring again does not add up: delete 10, restore 15" bash -c "
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$p1/delete')\" = 200 ] &&
	[ \"\$(curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me' | jq .user.points)\" = 10 ] &&
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$p1/restore')\" = 200 ] &&
	[ \"\$(curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me' | jq .user.points)\" = 15 ]"

# ---- a take-back's debt ----
proper "$d/q.txt"
q=$(upload "$bob" "$d/q.txt" -F price=12)
check "bob's priced document (12 points) is ready" wait_ready "$q" "$bob"
check "alice buys it: 15 - 12 = 3" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/download/$q')\" = 200 ] && [ \"\$(curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me' | jq .user.points)\" = 3 ]"
check "she deletes her document" [ "$(post "$base" "$alice" "/api/v1/doc/$p1/delete")" = 200 ]
check "the points she spent are taken back all the same: a debt of -2" [ "$(points "$alice")" = -2 ]
proper "$d/q2.txt"
q2=$(upload "$bob" "$d/q2.txt" -F price=1)
check "bob's second priced document (1 point) is ready" wait_ready "$q2" "$bob"
check "in debt she cannot buy (402), nothing is paid" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/download/$q2')\" = 402 ] && [ \"\$(curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me' | jq .user.points)\" = -2 ]"
check "... nor reward (402)" [ "$(post "$base" "$alice" "/api/v1/doc/$q/reward" -d points=1)" = 402 ]
check "... nor can an admin take her further below zero (400)" \
	[ "$(post "$base" "$boss" /api/v1/admin/user -d id="$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/me" | jq .user.id)" -d action=points -d delta=-1)" = 400 ]
check "she restores her document: 3 again" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$p1/restore')\" = 200 ] && [ \"\$(curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me' | jq .user.points)\" = 3 ]"

# ---- the admin's view of any account's ledger ----
alice_id=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/me" | jq .user.id)
curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/ledger?user=$alice_id" > "$d/aled.json"
check "an admin reads alice's ledger (JSON): her balance and every row, the seller named" \
	jqe ".account.points == 3 and (.ledger | length) == 9 and ([.ledger[] | select(.reason == \"download\" and .other == \"bob\")] | length) == 1" "$d/aled.json"
check "... and on the page, linked from /admin/users" bash -c "
	curl -fsS -H 'Authorization: Bearer $boss' '$base/admin/users' | grep -c 'href=\"/admin/ledger?user=$alice_id\"' >/dev/null &&
	curl -fsS -H 'Authorization: Bearer $boss' '$base/admin/ledger?user=$alice_id' | grep -c 'upload_revoked\|收回上传积分' >/dev/null"
check "a user cannot read it (404)" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/admin/ledger?user=$alice_id")" = 404 ]

# ---- at once, on two servers ----
n=4 price=7
declare -a readers sold
for i in $(seq $n); do
	readers+=("$(register "reader$i" "readerpass$i")")
	post "$base" "$boss" /api/v1/admin/user -d id="$(curl -fsS -H "Authorization: Bearer ${readers[-1]}" "$base/api/v1/me" | jq .user.id)" \
		-d action=points -d delta=100 > /dev/null
done
for k in 1 2 3; do
	proper "$d/s$k.txt"
	sold+=("$(upload "$alice" "$d/s$k.txt" -F price=$price)")
done
ready_all() { for s in "${sold[@]}"; do wait_ready "$s" "$alice" || return 1; done; }
check "alice's three priced documents ($price points) are ready" ready_all
echo "# before: alice $(points "$alice"), bob $(points "$bob"), readers $(for t in "${readers[@]}"; do points "$t"; done | tr '\n' ' ')"
pids=()
for i in $(seq $n); do
	t=${readers[$((i - 1))]}
	(
		for s in "${sold[@]}"; do
			# the same reader pays for the same document on both servers at once
			post "$base_a" "$t" "/api/v1/download/$s" > "$d/pay.$i.$s.a" &
			post "$base_b" "$t" "/api/v1/download/$s" > "$d/pay.$i.$s.b" &
			wait
			for r in 1 2; do
				b=$base_a; [ $((r % 2)) = 0 ] && b=$base_b
				post "$b" "$t" "/api/v1/doc/$s/reward" -d points=1 >> "$d/reward.$i"; echo >> "$d/reward.$i"
			done
		done
	) &
	pids+=($!)
done
(
	# meanwhile alice deletes and restores her documents, on either server
	for r in 1 2 3 4 5; do
		for s in "$p1" "${sold[0]}"; do
			b=$base_a; [ $((r % 2)) = 0 ] && b=$base_b
			post "$b" "$alice" "/api/v1/doc/$s/delete" >> "$d/moves"; echo >> "$d/moves"
			post "$b" "$alice" "/api/v1/doc/$s/restore" >> "$d/moves"; echo >> "$d/moves"
		done
	done
) &
pids+=($!)
wait "${pids[@]}"
rewards=$(cat "$d"/reward.* | grep -c '^200$' || true)
echo "# at once: $(for f in "$d"/pay.*; do cat "$f"; echo; done | sort | uniq -c | tr '\n' ' ')download answers, $rewards rewards of 1 point accepted, moves $(sort "$d/moves" | uniq -c | tr '\n' ' ')"
check "every delete and restore was answered 200" bash -c "! grep -v '^200$' '$d/moves' | grep -q ."
others_ok() { # payments answered 200, or 404 for the document deleted now and then
	local f
	for f in "$d"/pay.*; do
		case "$f:$(cat "$f")" in *:200 | *".${sold[0]}."[ab]":404") ;; *) return 1 ;; esac
	done
}
check "every payment was answered 200 (paid, or free the second time), or 404 while its document was deleted" others_ok
for t in "${readers[@]}"; do for s in "${sold[@]}"; do post "$base_b" "$t" "/api/v1/download/$s" >> "$d/after"; echo >> "$d/after"; done; done
check "each reader downloads each document once more (200: paid now if not before, else free)" \
	bash -c "! grep -v '^200$' '$d/after' | grep -q ."

# every account's ledger, through the admin's view
curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users" | jq -r '.users[].id' > "$d/ids"
: > "$d/rows.json"
while read -r id; do
	for pg in $(seq 1 20); do
		curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/ledger?user=$id&page=$pg" > "$d/l.json"
		jq -c --argjson u "$id" '.ledger[] | . + {user: $u}' "$d/l.json" >> "$d/rows.json"
		[ "$(jq '.page >= .pages' "$d/l.json")" = true ] && break
	done
done < "$d/ids"
jq -s . "$d/rows.json" > "$d/all.json"
balances=$(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users" | jq '[.users[].points] | add')
users=$(wc -l < "$d/ids")
# what was granted: 10 at each registration but the admin's (made on the
# command line), 100 to each reader, and 5 for each of the 6 documents that
# qualify at the end (p1, q, q2, the three sold): the cap (20 a day) is
# never passed as each delete made room for its restore
expect=$(( (users - 1) * 10 + n * 100 + 6 * 5 ))
echo "# $users accounts, $(jq length "$d/all.json") ledger rows; balances add up to $balances; expected $expect"
check "the ledger's total is what was granted less what was taken back ($expect)" [ "$balances" = "$expect" ]
check "... the sum of every row is the sum of the balances" \
	jqe "([.[].delta] | add) == $balances" "$d/all.json"
check "... grants less take-backs are that total (register, admin, upload, upload_revoked)" \
	jqe "([.[] | select(.reason == \"register\" or .reason == \"admin\" or .reason == \"upload\" or .reason == \"upload_revoked\" or .reason == \"signin\") | .delta] | add) == $expect" "$d/all.json"
check "transfers net zero: paid downloads and sales" \
	jqe '([.[] | select(.reason == "download" or .reason == "sale") | .delta] | add) == 0' "$d/all.json"
check "transfers net zero: rewards given and received" \
	jqe '([.[] | select(.reason == "reward" or .reason == "rewarded") | .delta] | add) == 0' "$d/all.json"
check "no double payment: each reader paid for each document once ($((n * 3)) payments of $price)" \
	jqe "[.[] | select(.reason == \"download\" and .delta == -$price)] | (length == $((n * 3))) and (group_by([.user, .doc_id]) | all(length == 1))" "$d/all.json"
check "every reward accepted is one ledger pair ($rewards)" \
	jqe "[.[] | select(.reason == \"reward\")] | length == $rewards" "$d/all.json"
# A balance below zero is a debt only right after a take-back: replaying
# each account's rows in order, every row that leaves the running balance
# below zero must be an upload_revoked one (alice's debt above is such).
check "no balance went below zero but by a take-back (alice's debt of -2 is one)" \
	jqe 'group_by(.user) | map(sort_by(.id) | reduce .[] as $r ({bal: 0, bad: 0, debts: 0};
		.bal += $r.delta | if .bal < 0 then (if $r.reason == "upload_revoked" then .debts += 1 else .bad += 1 end) else . end))
		| (map(.bad) | add) == 0 and (map(.debts) | add) >= 1' "$d/all.json"
check "no balance is below zero at the end" jqe 'group_by(.user) | all(map(.delta) | add >= 0)' "$d/all.json"
check "fsck is clean (its ledger checks among them)" \
	bash -c "'$WY_BIN' --data '$data' fsck > '$d/fsck.out' 2>&1 && grep -q ', 0 problems$' '$d/fsck.out'"
sed 's/^/# /' "$d/fsck.out" | tail -3

# ---- one grant per content: a copy never earns twice ----
carol=$(register carol carolpass12)
dave=$(register dave davepass123)
c0=$(points "$carol")
proper "$d/c.txt"
c1=$(upload "$carol" "$d/c.txt")
check "carol's document is ready and earns 5" bash -c "$(declare -f wait_doc wait_ready points); base=$base; wait_ready $c1 $carol && [ \$(points $carol) = $((c0 + 5)) ]"
check "she deletes it: the 5 go back" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $carol' -X POST '$base/api/v1/doc/$c1/delete')\" = 200 ] && [ \"\$(curl -fsS -H 'Authorization: Bearer $carol' '$base/api/v1/me' | jq .user.points)\" = $c0 ]"
c2=$(upload "$carol" "$d/c.txt")
check "she uploads the same file again: it earns 5" bash -c "$(declare -f wait_doc wait_ready points); base=$base; wait_ready $c2 $carol && [ \$(points $carol) = $((c0 + 5)) ]"
check "she restores the first: accepted" [ "$(post "$base" "$carol" "/api/v1/doc/$c1/restore")" = 200 ]
check "... it earns nothing: its bytes have earned once ($((c0 + 5)))" [ "$(points "$carol")" = $((c0 + 5)) ]
echo '一行字。' > "$d/tiny.txt"
check "she replaces the earning copy with one line: 202" [ "$(post "$base" "$carol" "/api/v1/doc/$c2/replace" -F "file=@$d/tiny.txt")" = 202 ]
check "... once it is swapped in, what the old text earned goes back ($c0): one line earns nothing" bash -c "
	for _ in \$(seq 300); do
		curl -fsS -H 'Authorization: Bearer $carol' '$base/api/v1/doc/$c2' | jq -e '.new_version == null and .filename == \"tiny.txt\"' > /dev/null &&
		[ \"\$(curl -fsS -H 'Authorization: Bearer $carol' '$base/api/v1/me' | jq .user.points)\" = $c0 ] && exit 0
		sleep 0.2
	done; exit 1"
d0=$(points "$dave")
c3=$(upload "$dave" "$d/c.txt")
check "dave uploads a copy of it: ready, and it earns nothing" bash -c "$(declare -f wait_doc wait_ready points); base=$base; wait_ready $c3 $dave && [ \$(points $dave) = $d0 ]"

# ---- fsck's ledger checks find what the rules never let happen ----
r1=$(curl -fsS -H "Authorization: Bearer ${readers[0]}" "$base/api/v1/me" | jq .user.id)
bob_id=$(curl -fsS -H "Authorization: Bearer $bob" "$base/api/v1/me" | jq .user.id)
sqlite3 -cmd ".timeout 10000" "$data/wenyuan.db" "INSERT INTO ledger(user_id, delta, reason, doc_id, other_id, at)
	VALUES($r1, -$price, 'download', ${sold[1]}, $alice_id, strftime('%s'));
	INSERT INTO ledger(user_id, delta, reason, at) VALUES($bob_id, -100000, 'admin', strftime('%s'))"
"$WY_BIN" --data "$data" fsck > "$d/fsck2.out" 2>&1 || true
check "fsck finds a payment taken that no sale received" grep -q "ledger: a paid download of document ${sold[1]} between users .* does not balance" "$d/fsck2.out"
check "... a second payment for one document" grep -q "ledger: user $r1 paid for document ${sold[1]} 2 times" "$d/fsck2.out"
check "... and a balance taken below zero by something else than a take-back" grep -q "ledger: user $bob_id went below zero (.*) by admin" "$d/fsck2.out"
grep ledger "$d/fsck2.out" | sed "s/^/# /" || true
finish

#!/usr/bin/env bash
# Issue 12, "points farming": 20 tiny unique text files in one upload turned
# a new account's 10 points into 110 within seconds, and points buy priced
# downloads. Done again here as the attacker did it, through the API, on the
# default settings (5 points an upload, at most 20 a day, 500 characters of
# text); then a proper document earns its points once, when it is ready,
# and loses them when deleted; the daily cap, the review and the admin's
# settings hold.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null

serve_site

points() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq .user.points; }
# upload TOKEN [curl -F args...]: the new documents' ids, one a line
upload() {
	local t=$1; shift
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $t" "$@" | jq -r '.documents[].id'
}
# wait_done TOKEN ID...: until every document is ready or failed (5 min)
wait_done() {
	local t=$1 id s; shift
	for _ in $(seq 1500); do
		for id in "$@"; do
			s=$(curl -fsS -H "Authorization: Bearer $t" "$base/api/v1/doc/$id" | jq -r .status)
			[ "$s" = ready ] || [ "$s" = failed ] || { sleep 0.2; continue 2; }
		done
		return 0
	done
	return 1
}
# proper FILE: a text of 800 random Han characters in lines of 40, unlike
# any other (no near-duplicate)
proper() { perl -CS -e 'for (1 .. 20) { print map({ chr(0x4E00 + int(rand(0x4000))) } 1 .. 40), "\n" }' > "$1"; }
admin() { # admin PATH ARGS...: an admin action through the API, its HTTP status
	local p=$1; shift
	code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/$p" "$@"
}

boss=$(api_login boss bosspass123)
mallory=$(register mallory mallorypass1)
check "a new account starts with 10 points" [ "$(points "$mallory")" = 10 ]
proper "$d/priced.txt"
priced=$(upload "$boss" -F price=50 -F "file=@$d/priced.txt")
check "someone's priced document (50 points) is ready" wait_done "$boss" "$priced"

# ---- the attack: 20 tiny unique text files in one multipart upload ----
args=()
for i in $(seq 20); do
	printf '笔记%d %s\n' "$i" "$(date +%N)" > "$d/tiny$i.txt"
	args+=(-F "file=@$d/tiny$i.txt")
done
mapfile -t tiny < <(upload "$mallory" "${args[@]}")
check "the 20 tiny files are accepted in one request" [ "${#tiny[@]}" = 20 ]
check "... and all converted (or failed)" wait_done "$mallory" "${tiny[@]}"
echo "# 20 tiny uploads: $(for id in "${tiny[@]}"; do curl -fsS -H "Authorization: Bearer $mallory" "$base/api/v1/doc/$id" | jq -r .status; done | sort | uniq -c | tr '\n' ' ')balance $(points "$mallory")"
check "finding: points farming: 20 tiny text files earn no points (balance stays 10)" \
	[ "$(points "$mallory")" = 10 ]
check "finding: points farming: the farmed points do not buy a priced download (402)" \
	[ "$(code -H "Authorization: Bearer $mallory" -X POST "$base/api/v1/download/$priced")" = 402 ]

# ---- a proper document earns once it is ready, loses it when deleted ----
proper "$d/good.txt"
good=$(upload "$mallory" -F "file=@$d/good.txt")
check "a proper document is accepted" [ "${good:-null}" != null ]
check "... and converted" wait_done "$mallory" "$good"
check "finding: points farming: a proper public document earns 5 points once ready" [ "$(points "$mallory")" = 15 ]
check "an admin deletes it" [ "$(admin doc -d id="$good" -d action=delete)" = 200 ]
check "finding: points farming: a deleted document's points are taken back" [ "$(points "$mallory")" = 10 ]
check "... the ledger says so" bash -c "curl -fsS -H 'Authorization: Bearer $mallory' '$base/api/v1/me/points' |
	jq -e '[.ledger[] | select(.reason == \"upload_revoked\" and .doc_id == $good and .delta == -5)] | length == 1' >/dev/null"
r1=$(admin doc -d id="$good" -d action=restore)
r2=$(admin doc -d id="$good" -d action=restore)
check "an admin restores it, twice" [ "$r1 $r2" = "200 200" ]
check "finding: points farming: restored, it earns them again, once" [ "$(points "$mallory")" = 15 ]
check "an admin hides it" [ "$(admin doc -d id="$good" -d action=hide)" = 200 ]
check "finding: points farming: hidden, its points are taken back" [ "$(points "$mallory")" = 10 ]
check "an admin shows it again" [ "$(admin doc -d id="$good" -d action=restore)" = 200 ]
check "... and its points come back" [ "$(points "$mallory")" = 15 ]
proper "$d/private.txt"
priv=$(upload "$mallory" -F private=1 -F "file=@$d/private.txt")
check "a private document is converted" wait_done "$mallory" "$priv"
check "finding: points farming: a private document earns nothing" [ "$(points "$mallory")" = 15 ]

# ---- the daily cap: 5 more proper documents in one upload ----
args=()
for i in 1 2 3 4 5; do
	proper "$d/more$i.txt"
	args+=(-F "file=@$d/more$i.txt")
done
mapfile -t more < <(upload "$mallory" "${args[@]}")
check "5 proper documents in one upload are converted" wait_done "$mallory" "${more[@]}"
echo "# balance after 5 more: $(points "$mallory")"
check "finding: points farming: upload points stop at points_upload_daily (20 a day: 10 + 20)" \
	[ "$(points "$mallory")" = 30 ]

# ---- an admin's settings, in the worker too; under review, on approval ----
check "the admin settings page offers the new settings" bash -c "
	curl -fsS -H 'Authorization: Bearer $boss' '$base/admin/settings' | grep -q 'name=\"points_upload_daily\"' &&
	curl -fsS -H 'Authorization: Bearer $boss' '$base/admin/settings' | grep -q 'name=\"points_upload_min_chars\"'"
check "an admin raises the cap and turns the review on" \
	[ "$(admin settings -d points_upload_daily=100 -d upload_review=1)" = 200 ]
check "... a bad value is refused" [ "$(admin settings -d points_upload_min_chars=-1)" = 400 ]
proper "$d/review.txt"
rid=$(upload "$mallory" -F "file=@$d/review.txt")
check "under review, a ready document waits for approval" bash -c "
	for _ in \$(seq 1500); do
		s=\$(curl -fsS -H 'Authorization: Bearer $mallory' '$base/api/v1/doc/$rid' | jq -r '.status + \" \" + .state')
		[ \"\$s\" = 'ready pending' ] && exit 0
		sleep 0.2
	done; exit 1"
check "finding: points farming: waiting for review earns nothing" [ "$(points "$mallory")" = 30 ]
check "an admin approves it" [ "$(admin doc -d id="$rid" -d action=approve)" = 200 ]
check "finding: points farming: approved, it earns 5 (the admin's cap of 100 applies)" [ "$(points "$mallory")" = 35 ]

check "fsck: every document holds the upload points its ledger rows give (no problem)" \
	bash -c "'$WY_BIN' --data '$data' fsck > '$d/fsck.out' 2>&1 && grep -q ', 0 problems$' '$d/fsck.out'"
finish

#!/usr/bin/env bash
# Mail through a real SMTP server on loopback (tests/e2e/smtpd.py, Debian's
# python3-aiosmtpd, with a login): an address given at registration gets a
# well-formed message whose link verifies it once; a password reset by
# emailed link works once, ends the other sessions, answers the same
# whether or not the account exists, and stops working when it expires;
# with the SMTP server down a mail is tried again with growing waits and
# delivered when it comes up; nothing lets a line break into a header;
# with email_verify=2 an unverified account may not upload, comment or
# download until it verifies; two serve processes on one library send each
# mail once. Mailed links never take a forged Host (site_url, else the
# address served); an address is checked after the captcha, and one never
# verified reserves nothing; at most 3 link mails go to one address in an
# hour (attack18 F1, F2, F6).
source "$(dirname "$0")/lib.bash"

py=${WY_PYTHON:-/usr/bin/python3}
"$py" -c 'import aiosmtpd' 2>/dev/null || { echo "skipped: $py has no aiosmtpd (python3-aiosmtpd)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }

new_library
mbox=$d/mbox
mkdir -p "$mbox"
smtp_port=$(free_port)
smtpd_pid=
start_smtpd() {
	"$py" "$WY_SRC/tests/e2e/smtpd.py" serve "$smtp_port" "$mbox" mailer:s3cret%pw >> "$d/smtpd.out" 2>&1 &
	smtpd_pid=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_smtpd() { [ -n "$smtpd_pid" ] && kill "$smtpd_pid" && wait "$smtpd_pid" 2>/dev/null; smtpd_pid=; }
stop_site() { kill "$spid" && wait "$spid" 2>/dev/null || true; spid=; }
trap 'stop_smtpd || true; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT

jf() { jq -e "$@" > /dev/null; }
# mails: how many messages arrived; wait_mail N: until N have (at most 30 s)
mails() { find "$mbox" -name '*.eml' | wc -l; }
wait_mail() {
	for _ in $(seq 300); do
		[ "$(mails)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# show N: message N as JSON (smtpd.py show); link_in N PATH: its link to PATH
show() { "$py" "$WY_SRC/tests/e2e/smtpd.py" show "$(printf '%s/%04d.eml' "$mbox" "$1")"; }
link_in() { show "$1" | jq -r .body | grep -o "http://[^ ]*$2/[0-9a-f]\{64\}" | head -1; }

echo admin-pass-1 | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
# the SMTP login's password has a '%' (percent-encoded in the URL)
site_env=(WENYUAN_SMTP_URL="smtp://mailer:s3cret%25pw@127.0.0.1:$smtp_port" WENYUAN_SMTP_FROM=noreply@wenyuan.test
	WENYUAN_EMAIL_VERIFY=1 WENYUAN_MAIL_RETRY_SECONDS=1)
check "the SMTP server starts" start_smtpd
serve_site "${site_env[@]}"
admin=$(api_login boss admin-pass-1)

# ---- registration with an address, and its verification ----
reg=$(curl -sS -X POST "$base/api/v1/register" --data-urlencode name=lin --data-urlencode password=lin-pass-1 \
	--data-urlencode email=lin@example.org)
tok=$(jq -r .token <<<"$reg")
check "registration with an address makes the account" test -n "$tok" -a "$tok" != null
check "the verification mail arrives" wait_mail 1
show 1 > "$d/m1.json"
check "it is to the address given" jf '.to | test("^<?lin@example.org>?$")' "$d/m1.json"
check "the envelope went through the SMTP login" jf '.auth == true and .to == ["lin@example.org"]' "$mbox/0001.env"
check "its subject is RFC 2047 UTF-8 and decodes to the site's words" \
	jf '(.subject | contains("验证您的邮箱")) and (.raw_headers | test("Subject: =\\?UTF-8\\?B\\?"))' "$d/m1.json"
check "it has Date, Message-ID, From, MIME-Version and a UTF-8 text body" \
	jf '.date and (."message-id" | test("^<[^ ]+@wenyuan.test>$")) and (.from | test("<noreply@wenyuan.test>"))
	       and ."mime-version" == "1.0" and (."content-type" | test("text/plain; charset=\"?UTF-8\"?"; "i"))
	       and ."content-transfer-encoding" == "base64" and .crlf' "$d/m1.json"
vlink=$(link_in 1 verify)
check "the body holds the link to verify" test -n "$vlink"
check "the address is not verified before the link is opened" \
	jqe '.email.address == "lin@example.org" and .email.verified == false' < <(curl -fsS "$base/api/v1/me" -H "Authorization: Bearer $tok")
curl -sS -o "$d/v1.html" -w '%{http_code}' "$vlink" > "$d/v1.code"
check "the link verifies the address" grep -qx 200 "$d/v1.code"
check "the page says so" grep -q '邮箱已验证' "$d/v1.html"
check "/api/v1/me shows it verified" \
	jqe '.email.verified == true' < <(curl -fsS "$base/api/v1/me" -H "Authorization: Bearer $tok")
check "a second use of the link is refused (410)" test "$(code "$vlink")" = 410
curl -sS "$vlink" > "$d/v2.html"
check "and says the link was used or expired" grep -q '已经用过或已过期' "$d/v2.html"
check "a made-up link is refused the same way" test "$(code "$base/verify/$(printf '%064d' 7)")" = 410

# ---- password reset by emailed link ----
other=$(api_login lin lin-pass-1) # a second session, which the reset ends
ask() { curl -sS -X POST "$base/api/v1/reset" --data-urlencode "who=$1"; }
ask lin > "$d/ask1.json"
ask nobody-here > "$d/ask2.json"
ask nobody@example.org > "$d/ask3.json"
check "the answer to a reset request is the same for an account and for none" \
	bash -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' _ "$d/ask1.json" "$d/ask2.json" "$d/ask3.json"
check "the reset mail arrives (one: no mail for accounts that do not exist)" wait_mail 2
rlink=$(link_in 2 reset)
check "it holds a reset link" test -n "$rlink"
check "the reset mail names the link's life (reset_link_minutes)" grep -q '30分钟' <(show 2 | jq -r .body)
check "the link opens the form for a new password" test "$(code "$rlink")" = 200
rtoken=${rlink##*/}
check "a short password is refused and the link stays usable" \
	test "$(code -X POST "$base/api/v1/reset/$rtoken" --data-urlencode password=short)" = 400
check "the new password is set through the link" \
	test "$(code -X POST "$base/api/v1/reset/$rtoken" --data-urlencode password=new-pass-22)" = 200
check "the new password logs in" test "$(api_login lin new-pass-22)" != null
check "the old one no longer does" test "$(code -X POST "$base/api/v1/login" --data-urlencode name=lin --data-urlencode password=lin-pass-1)" = 401
check "the account's other sessions ended" test "$(code "$base/api/v1/me" -H "Authorization: Bearer $other")" = 401
check "the link answers 410 a second time (POST)" \
	test "$(code -X POST "$base/api/v1/reset/$rtoken" --data-urlencode password=again-pass-33)" = 410
check "and 410 on GET, with a clear page" test "$(code "$rlink")" = 410
curl -sS "$rlink" > "$d/r2.html"
check "the page says it was used or expired" grep -q '已经用过或已过期' "$d/r2.html"
check "the login page links to the reset" grep -q 'href="/reset"' <(curl -fsS "$base/login")
# an unverified address gets no reset link: the queue gains no mail
kai=$(curl -fsS -X POST "$base/api/v1/register" --data-urlencode name=kai --data-urlencode password=kai-pass-1 \
	--data-urlencode email=kai@example.org | jq -r .token)
check "kai's verification mail arrives" wait_mail 3
queued() { curl -fsS "$base/api/v1/admin/mail" -H "Authorization: Bearer $admin" | jq '[.mail_counts[]] | add'; }
n0=$(queued)
ask kai > "$d/ask4.json"
check "a reset for an unverified address answers the same" cmp -s "$d/ask1.json" "$d/ask4.json"
check "and queues no mail" test "$(queued)" = "$n0"

# ---- no header injection ----
check "registration refuses an address with a line break" \
	test "$(code -X POST "$base/api/v1/register" --data-urlencode name=evil --data-urlencode password=evil-pass-1 \
		--data-urlencode $'email=evil@example.org\r\nBcc: victim@example.org')" = 400
check "so does /me/email" \
	test "$(code -X POST "$base/api/v1/me/email" -H "Authorization: Bearer $kai" \
		--data-urlencode $'email=kai2@example.org\nBcc: victim@example.org')" = 400
check "and the admin's test mail" \
	test "$(code -X POST "$base/api/v1/admin/mail_test" -H "Authorization: Bearer $admin" \
		--data-urlencode $'to=boss@example.org\r\nSubject: spoofed')" = 400
check "nothing with a line break reached the queue" test "$(queued)" = "$n0"
check "no account took the address with a line break" \
	test "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM users WHERE email LIKE '%victim%' OR instr(email, char(10))")" = 0
check "no message carried a Bcc" bash -c '! grep -l "^Bcc:" "$1"/*.eml' _ "$mbox"

# ---- mailed links never take the request's Host (attack18 F1) ----
# A forged Host would aim a reset link, and its single-use token, at the
# forger's site: without site_url links start with the address served.
evil=(-H 'Host: evil.example:8080')
hu=$(curl -fsS -X POST "$base/api/v1/register" "${evil[@]}" --data-urlencode name=hu --data-urlencode password=hu-pass-11 \
	--data-urlencode email=hu@example.org | jq -r .token)
check "hu's verification mail arrives" wait_mail 4
check "asked with a forged Host, the verification link names the address served" \
	bash -c '[[ $1 == "$2/verify/"* ]]' _ "$(link_in 4 verify)" "$base"
check "hu's address is verified" test "$(code "$(link_in 4 verify)")" = 200
curl -fsS -o /dev/null -X POST "$base/api/v1/reset" "${evil[@]}" --data-urlencode who=hu
check "a reset asked with Host: evil.example is mailed" wait_mail 5
check "its link is not evil.example's" bash -c '! grep -q evil.example <<<"$1"' _ "$(show 5 | jq -r .body)"
check "it is the address served, and it works" bash -c '[[ $1 == "$2/reset/"* ]]' _ "$(link_in 5 reset)" "$base"
check "the link opens the form" test "$(code "$(link_in 5 reset)")" = 200
setting() { curl -fsS -o /dev/null -X POST "$base/api/v1/admin/settings" -H "Authorization: Bearer $admin" "$@"; }
setting --data-urlencode site_url=https://wenku.example.com/lib
curl -fsS -o /dev/null -X POST "$base/api/v1/reset" "${evil[@]}" --data-urlencode who=hu@example.org
check "with site_url set, a reset by address is mailed" wait_mail 6
check "its link starts with site_url" grep -q 'https://wenku.example.com/lib/reset/[0-9a-f]\{64\}' <(show 6 | jq -r .body)
check "and never names the forged Host" bash -c '! grep -q evil.example <<<"$1"' _ "$(show 6 | jq -r .body)"
setting --data-urlencode clear=site_url

# ---- an address: checked after the captcha; unverified, it reserves nothing (F2) ----
# bad values of site_url and smtp_from are refused when saved, not found out later
setcode() { curl -sS -o "$d/set.json" -w '%{http_code}' -X POST "$base/api/v1/admin/settings" -H "Authorization: Bearer $admin" "$@"; }
for bad in $'noreply@wenyuan.test\r\nBcc: x@y.org' 'Site <noreply@wenyuan.test>' 'noreply' 'a b@c.org'; do
	check "smtp_from '${bad//$'\r\n'/\\r\\n}' is refused (400)" test "$(setcode --data-urlencode "smtp_from=$bad")" = 400
done
check "saying why" jf '.error | test("smtp_from")' "$d/set.json"
for bad in http://a@evil.org http://evil.org%2f@good 'ftp://wenku.example.com' 'https://wenku.example.com/a b' 'wenku.example.com'; do
	check "site_url '$bad' is refused (400)" test "$(setcode --data-urlencode "site_url=$bad")" = 400
done
check "saying why" jf '.error | test("site_url")' "$d/set.json"
check "a good site_url is taken" test "$(setcode --data-urlencode site_url=http://wenku.example.com:8080/lib/)" = 200
check "and can be cleared" test "$(setcode --data-urlencode clear=site_url)" = 200
setting --data-urlencode captcha_register=1
check "registering with a verified address without the captcha asks for it (400), telling nothing (not 409)" \
	test "$(code -X POST "$base/api/v1/register" --data-urlencode name=probe1 --data-urlencode password=probe-pass-1 \
		--data-urlencode email=hu@example.org)" = 400
setting --data-urlencode captcha_register=0
check "with no captcha asked, it is refused (409) after the registration limit" \
	test "$(code -X POST "$base/api/v1/register" --data-urlencode name=probe2 --data-urlencode password=probe-pass-2 \
		--data-urlencode email=HU@example.org)" = 409
reg() { curl -fsS -X POST "$base/api/v1/register" --data-urlencode "name=$1" --data-urlencode "password=$1-pass-77" \
	--data-urlencode "email=$2" | jq -r .token; }
squat=$(reg squat yan@example.org)
check "a squatter's verification mail arrives" wait_mail 7
owner=$(reg yan YAN@example.org)
check "the address's owner registers with it all the same" test -n "$owner" -a "$owner" != null
check "and is mailed a link" wait_mail 8
check "the owner verifies it" test "$(code "$(link_in 8 verify)")" = 200
check "the squatter's link is then refused (409)" test "$(code "$(link_in 7 verify)")" = 409
check "with a clear page" grep -q '另一个账户已经验证了这个邮箱' <(curl -sS "$(link_in 7 verify)")
check "the squatter's address stays unverified" \
	jqe '.email.verified == false' < <(curl -fsS "$base/api/v1/me" -H "Authorization: Bearer $squat")
curl -fsS -o /dev/null -X POST "$base/api/v1/reset" --data-urlencode who=yan@example.org
check "a reset by the address is mailed" wait_mail 9
check "to the account that verified it" grep -q '您好，yan：' <(show 9 | jq -r .body)

# ---- at most 3 link mails to one address in an hour, whatever account asks (F6) ----
me_post() { code -X POST "$base/api/v1/me/$1" -H "Authorization: Bearer $2" "${@:3}"; }
check "kai's link is mailed again (kai@example.org's 2nd mail)" test "$(me_post email_resend "$kai")" = 200
check "and again (its 3rd)" test "$(me_post email_resend "$kai")" = 200
check "a 4th within the hour is refused (429)" test "$(me_post email_resend "$kai")" = 429
curl -sS -X POST "$base/api/v1/me/email_resend" -H "Authorization: Bearer $kai" > "$d/flood.json"
check "saying the address had too many mails" jf '.error | test("too many mails to this address")' "$d/flood.json"
check "another account giving that address is refused the mail too (429)" \
	test "$(me_post email "$squat" --data-urlencode email=kai@example.org)" = 429
check "the mails that were sent arrive" wait_mail 11
kai_got_3() { test "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM mail WHERE to_addr = 'kai@example.org'")" = 3; }
check "kai@example.org got 3 in all" kai_got_3
check "kai's account has asked 5 mails in 15 minutes" test "$(me_post email_resend "$kai")" = 429
curl -sS -o "$d/away.json" -w '%{http_code}' -X POST "$base/api/v1/me/email" -H "Authorization: Bearer $kai" \
	--data-urlencode email=kai-new@example.org > "$d/away.code"
check "at its mail limit the account may still let go of the address (429: saved, no mail)" \
	bash -c 'grep -qx 429 "$1" && jq -e ".error | test(\"the address was saved\")" "$2" > /dev/null' _ "$d/away.code" "$d/away.json"
check "/me shows the new address" \
	jqe '.email.address == "kai-new@example.org" and .email.verified == false' < <(curl -fsS "$base/api/v1/me" -H "Authorization: Bearer $kai")
check "and no mail went to it" test "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM mail WHERE to_addr = 'kai-new@example.org'")" = 0
# probing whether an address is another account's costs an address change:
# 5 an account in 15 minutes, counted before the store looks (kai has made 1)
probes=$(for i in 1 2 3 4 5 6; do me_post email "$kai" --data-urlencode email=HU@example.org; echo; done | tr '\n' ' ')
check "an account probing a taken address is told 409 only until its 5 changes, then 429 ($probes)" \
	test "$probes" = "409 409 409 409 429 429 "

# ---- the SMTP server down: tried again with growing waits, then delivered ----
stop_smtpd
before=$(mails)
check "the admin's test mail is queued" \
	test "$(code -X POST "$base/api/v1/admin/mail_test" -H "Authorization: Bearer $admin" --data-urlencode to=boss@example.org)" = 200
testmail() { curl -fsS "$base/api/v1/admin/mail" -H "Authorization: Bearer $admin" | jq '[.mail[] | select(.to == "boss@example.org")][0]'; }
tried() { testmail | jq -e --argjson n "$1" '.state == "queued" and .tries >= $n and (.last_error | length > 0)' > /dev/null; }
for _ in $(seq 300); do tried 3 && break; sleep 0.1; done
check "with the server down the mail is tried again, its error kept" tried 3
testmail > "$d/down.json"
check "the error says the connection failed" jf '.last_error | test("connect|Couldn.t"; "i")' "$d/down.json"
check "the waits grow: 1 s, then 2 s" \
	bash -c 'grep -q "mail.retry.*tries=1 in=1s" "$1" && grep -q "mail.retry.*tries=2 in=2s" "$1"' _ "$d/serve.err"
check "the SMTP server comes back" start_smtpd
check "the mail is delivered when it is up" wait_mail $((before + 1))
sent() { testmail | jq -e '.state == "sent" and .last_error == null' > /dev/null; }
check "and marked sent" eventually sent
curl -fsS "$base/admin/mail" -H "Authorization: Bearer $admin" > "$d/admin-mail.html"
check "the admin's mail tab shows the queue" grep -q 'boss@example.org' "$d/admin-mail.html"

# ---- the link's expiry (a life of 3 s, set for the test) ----
stop_site
# and the server's maintenance (every second here) prunes mail sent over
# 30 days ago and links long used (F7): one of each, made old while the
# server is down
sqlite3 "$data/wenyuan.db" "INSERT INTO mail(to_addr, subject, body, state, next_at, created_at, sent_at)
	VALUES('old@example.org', 'old', 'sent long ago', 'sent', 0, unixepoch() - 40 * 86400, unixepoch() - 40 * 86400);
	UPDATE mail_tokens SET used_at = unixepoch() - 40 * 86400 WHERE used_at IS NOT NULL"
old_rows() { sqlite3 "$data/wenyuan.db" "SELECT (SELECT count(*) FROM mail WHERE to_addr = 'old@example.org')
	+ (SELECT count(*) FROM mail_tokens WHERE used_at < unixepoch() - 30 * 86400)"; }
check "the old mail and links are there before" test "$(old_rows)" -gt 1
serve_site "${site_env[@]}" WENYUAN_RESET_LINK_SECONDS=3 WENYUAN_MAINTENANCE_SECONDS=1
pruned() { test "$(old_rows)" = 0; }
check "the serve process's maintenance deletes them" eventually pruned
check "and keeps the mail of this month" test "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM mail WHERE state = 'sent'")" -gt 10
n=$(mails)
ask lin > /dev/null
check "a second reset mail arrives" wait_mail $((n + 1))
elink=$(link_in $((n + 1)) reset)
check "its link lives reset_link_seconds" \
	test "$(sqlite3 "$data/wenyuan.db" "SELECT expires_at - created_at FROM mail_tokens WHERE kind = 'reset' ORDER BY created_at DESC LIMIT 1")" = 3
expired() { test "$(code "$elink")" = 410; }
for _ in $(seq 200); do expired && break; sleep 0.1; done
check "after its life the link answers 410" expired
check "and sets no password" \
	test "$(code -X POST "$base/api/v1/reset/${elink##*/}" --data-urlencode password=late-pass-44)" = 410
check "the password is still the one set before" test "$(api_login lin new-pass-22)" != null

# ---- link mails per client address: 20 in 15 minutes, whatever the accounts ----
sp1=$(reg spam1 spam-a@example.net)
sp2=$(reg spam2 spam-b@example.net)
for t in "$squat" "$owner" "$hu" "$sp1" "$sp2"; do
	for i in 1 2 3 4; do
		curl -sS -X POST "$base/api/v1/me/email" -H "Authorization: Bearer $t" \
			--data-urlencode "email=spam$i-$RANDOM@example.net" >> "$d/spam.json"
		echo >> "$d/spam.json"
	done
done
check "accounts of one client address asking many link mails are stopped by the address's limit" \
	grep -q 'too many mails asked from your network address' "$d/spam.json"

# ---- email_verify=2: an unverified account may not act ----
stop_site
# the address's limit is kept in the store (shared by every serve process):
# it outlives the restart; forgotten here so the next part starts afresh
check "the address's limit is kept in the store" \
	test "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM attempts WHERE key LIKE 'mail:ip:%' AND n >= 20")" = 1
sqlite3 "$data/wenyuan.db" "DELETE FROM attempts"
serve_site "${site_env[@]}" WENYUAN_EMAIL_VERIFY=2
check "registration without an address is refused" \
	test "$(code -X POST "$base/api/v1/register" --data-urlencode name=mo --data-urlencode password=mo-pass-11)" = 400
grep -q 'name="email"[^>]* required' <(curl -fsS "$base/register") && ok "the form asks for the address" || bad "the form asks for the address"
n=$(mails)
mo=$(curl -fsS -X POST "$base/api/v1/register" --data-urlencode name=mo --data-urlencode password=mo-pass-11 \
	--data-urlencode email=mo@example.org | jq -r .token)
check "mo's verification mail arrives" wait_mail $((n + 1))
printf '文渊阁记\n邮件测试的文档。\n' > "$d/a.txt"
admin=$(api_login boss admin-pass-1)
doc=$(upload "$admin" "$d/a.txt")
check "an admin uploads without an address" wait_ready "$doc" "$admin"
up() { curl -sS -o "$d/up.out" -w '%{http_code}' -X POST "$base/api/v1/upload" -H "Authorization: Bearer $mo" -F "file=@$d/a.txt"; }
check "an unverified account may not upload (403)" test "$(up)" = 403
check "and is told why" grep -q 'verify your email' "$d/up.out"
check "nor comment" test "$(code -X POST "$base/api/v1/doc/$doc/comments" -H "Authorization: Bearer $mo" --data-urlencode text=你好)" = 403
check "nor download" test "$(code "$base/download/$doc" -H "Authorization: Bearer $mo")" = 403
curl -sS "$base/download/$doc" -H "Authorization: Bearer $mo" > "$d/blocked.html"
check "the page says why, with a button that mails the link again" \
	bash -c 'grep -q "请先验证邮箱" "$1" && grep -q "action=\"/me/email_resend\"" "$1"' _ "$d/blocked.html"
check "the link verifies mo" test "$(code "$(link_in $((n + 1)) verify)")" = 200
check "then mo may download" test "$(code "$base/download/$doc" -H "Authorization: Bearer $mo")" = 200
check "and comment" test "$(code -X POST "$base/api/v1/doc/$doc/comments" -H "Authorization: Bearer $mo" --data-urlencode text=你好)" = 201
check "and upload" test "$(up)" = 201

# ---- two serve processes on one library send each mail once ----
port2=$(free_port)
env "${site_env[@]}" "$WY_BIN" --data "$data" serve --no-worker --listen "127.0.0.1:$port2" > "$d/serve2.out" 2> "$d/serve2.err" &
spid2=$!
trap 'stop_smtpd || true; kill $spid2 2>/dev/null || true; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
check "a second server on the same library answers" wait_http "http://127.0.0.1:$port2/healthz"
n=$(mails)
for i in $(seq 10); do
	b=$base
	[ $((i % 2)) = 0 ] && b=http://127.0.0.1:$port2
	curl -fsS -o /dev/null -X POST "$b/api/v1/admin/mail_test" -H "Authorization: Bearer $admin" --data-urlencode "to=twice$i@example.org"
done
check "ten test mails queued on two servers arrive" wait_mail $((n + 10))
all_sent() {
	curl -fsS "$base/api/v1/admin/mail" -H "Authorization: Bearer $admin" |
		jq -e '[.mail[] | select(.to | startswith("twice"))] | length == 10 and all(.state == "sent" and .tries == 1)' > /dev/null
}
check "each is marked sent after one try" eventually all_sent
check "and each address got exactly one" \
	test "$(cat "$mbox"/*.env | jq -r '.to[]' | grep -c '^twice')" = 10 -a \
	"$(cat "$mbox"/*.env | jq -r '.to[]' | grep '^twice' | sort -u | wc -l)" = 10
kill $spid2; wait $spid2 2>/dev/null || true
finish

#!/usr/bin/env bash
# Issue 12, accounts: what an attacker could do to logins, password changes
# and names, on the real server. Behind a trusted proxy (trust_proxy=1) the
# client's address is X-Forwarded-For's last entry, so one test plays many
# addresses (header values only: every request goes to 127.0.0.1).
source "$(dirname "$0")/lib.bash"

new_library
echo 'adminpass123' | "$WY_BIN" --data "$data" user add admin --admin --password-stdin > /dev/null
echo 'alicepass123' | "$WY_BIN" --data "$data" user add alice --password-stdin > /dev/null
echo 'carolpass123' | "$WY_BIN" --data "$data" user add carol --password-stdin > /dev/null

serve_site WENYUAN_TRUST_PROXY=1 WENYUAN_LOGIN_ATTEMPTS=5 --no-worker
# carol's session for the password route, before any test locks anything
carol=$(curl -sS -X POST "$base/api/v1/login" -H 'X-Forwarded-For: 127.3.0.1' -d name=carol -d password=carolpass123 | jq -r '.token // empty' || true)
check "carol logs in" [ ${#carol} -eq 64 ]

# login ADDR NAME PASSWORD: the HTTP status of an API login from ADDR
login() {
	curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/login" -H "X-Forwarded-For: $1" \
		--data-urlencode "name=$2" --data-urlencode "password=$3"
}
# a name that is not UTF-8, or a long one cut in a character, is a wrong
# guess like any other (401), not an error of the attempt limits' store
# (PostgreSQL refuses such text: e2e_pg.sec_auth)
check "a login name that is not UTF-8 is only wrong" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/login" \
	-H 'X-Forwarded-For: 127.9.0.1' --data-binary $'name=n\xc0\xafx&password=whatever1')" = 401 ]
long=$(printf '文%.0s' $(seq 30))
check "a long Chinese login name is only wrong" [ "$(login 127.9.0.2 "${long}x" whatever1)" = 401 ]

# parallel N OUTDIR command...: run the command N times at once (the Nth
# gets $i = N in its environment), each one's output in OUTDIR/N
parallel() {
	local n=$1 out=$2 pids=() i; shift 2
	mkdir -p "$out"
	for i in $(seq "$n"); do { i=$i "$@"; echo; } > "$out/$i" & pids+=($!); done
	wait "${pids[@]}"
}
# count CODE DIR: how many files of DIR hold exactly CODE
count() { cat "$2"/* | grep -cx "$1" || true; }

# ---- finding: nothing bounded the Argon2id hashes running at once ----
# First, while nothing has hashed yet: 40 registrations at once, each
# from its own address (so no limit stops them): each hash takes 64 MiB, so the server's peak resident memory
# grows by at most (cores + 1) x 64 MiB; every answer is 200 or, when the
# hashing queue is full, 503
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$spid/status"; }
before=$(hwm)
reg() {
	curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/register" -H "X-Forwarded-For: 127.4.0.$i" \
		-d "name=crowd$i" -d password=crowdpass123
}
parallel 40 "$d/reg" reg
after=$(hwm)
ok200=$(count 200 "$d/reg") busy=$(count 503 "$d/reg")
grew=$(((after - before) / 1024))
bound=$((($(nproc) + 1) * 64))
echo "# 40 parallel registrations: $ok200 made, $busy busy (503); peak resident memory grew by $grew MiB (bound $bound MiB); answers:" $(cat "$d"/reg/* | sort | uniq -c | tr "\n" " ")
check "40 parallel registrations answer 200 or 503" [ $((ok200 + busy)) -eq 40 ]
check "finding: hashes at once were unbounded: peak memory grew by at most (cores + 1) x 64 MiB" [ "$grew" -le "$bound" ]

# ---- finding: five wrong passwords locked a name for everyone ----
for a in 1 2 3 4 5 6; do
	for p in 1 2 3 4 5 6; do login "127.1.0.$a" admin "guess$a$p" > /dev/null; done
done
check "an attacking address is refused (429) after 5 failures" \
	[ "$(login 127.1.0.1 admin guess-again)" = 429 ]
check "finding: five wrong passwords lock a name for everyone: the admin logs in from a fresh address (200)" \
	[ "$(login 127.1.9.9 admin adminpass123)" = 200 ]
check "finding: five wrong passwords lock a name for everyone: ... and still after more failures" bash -c "
	for a in 7 8 9; do for p in 1 2 3 4 5 6; do curl -s -o /dev/null -X POST '$base/api/v1/login' -H \"X-Forwarded-For: 127.1.0.\$a\" -d name=admin -d password=x\$p; done; done
	[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/login' -H 'X-Forwarded-For: 127.1.9.8' -d name=admin -d password=adminpass123) = 200 ]"
check "one address is still limited across names (429 for a name it never tried)" bash -c "
	for n in u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11 u12 u13 u14 u15 u16 u17 u18 u19 u20 u21; do
		curl -s -o /dev/null -X POST '$base/api/v1/login' -H 'X-Forwarded-For: 127.1.5.5' -d name=\$n -d password=wrongwrong
	done
	[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/login' -H 'X-Forwarded-For: 127.1.5.5' -d name=alice -d password=alicepass123) = 429 ]"

# ---- finding: the limiter checked and counted in separate steps ----
# 40 wrong logins at once from one address: at most 5 may reach the
# password check (401); the rest are refused unchecked (429)
parallel 40 "$d/par" login 127.2.0.1 alice wrong-in-parallel
checked=$(count 401 "$d/par") limited=$(count 429 "$d/par")
echo "# 40 parallel wrong logins: $checked checked (401), $limited refused (429)"
check "finding: 40 parallel wrong logins were checked past the limit: at most 5 checked" [ "$checked" -le 5 ]
check "40 parallel wrong logins: every one not checked is 429" [ $((checked + limited)) -eq 40 ]

# ---- finding: wrong old passwords on the password route were never limited ----
# chpw: change carol's password with old=WRONG..., from 127.3.0.1
chpw() {
	curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/me/password" -H "Authorization: Bearer $carol" \
		-H 'X-Forwarded-For: 127.3.0.1' --data-urlencode "old=wrong-old-$i" -d password=newpassword1
}
parallel 40 "$d/pw" chpw
checked=$(count 400 "$d/pw") limited=$(count 429 "$d/pw")
echo "# 40 parallel wrong old passwords: $checked checked (400), $limited refused (429)"
check "finding: wrong old passwords were never limited: at most 5 of 40 checked" [ "$checked" -le 5 ]
check "40 parallel wrong old passwords: every one not checked is 429" [ $((checked + limited)) -eq 40 ]
check "finding: wrong old passwords were never limited: the form twin (/me/password) is limited too" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/me/password" -H "Authorization: Bearer $carol" \
		-H 'X-Forwarded-For: 127.3.0.1' -d old=carolpass123 -d password=newpassword1)" = 429 ]
check "carol's password is unchanged" [ "$(login 127.3.9.9 carol carolpass123)" = 200 ]

# ---- finding: names that look like other names ----
# regp ADDR NAME: the status of registering NAME from ADDR
regp() {
	curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/register" -H "X-Forwarded-For: $1" \
		--data-urlencode "name=$2" -d password=lookalike123
}
check "finding: names that look like other names: аlice (Cyrillic а) is refused when alice exists" \
	bash -c "c=\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/register' -H 'X-Forwarded-For: 127.5.0.1' --data-urlencode 'name=аlice' -d password=lookalike123); [ \"\$c\" = 409 ] || [ \"\$c\" = 400 ]"
check "finding: names that look like other names: ... and no such account exists" \
	[ "$(login 127.5.0.2 'аlice' lookalike123)" = 401 ]
check "finding: names that look like other names: all-Cyrillic асе is taken when ace exists (409)" \
	bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/register' -H 'X-Forwarded-For: 127.5.0.3' -d name=ace -d password=lookalike123) = 200 ] &&
		[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/register' -H 'X-Forwarded-For: 127.5.0.3' --data-urlencode 'name=асе' -d password=lookalike123) = 409 ]"
check "finding: names that look like other names: Latin mixed with Cyrillic is refused (400)" \
	[ "$(regp 127.5.0.4 'pаypal')" = 400 ]
check "finding: names that look like other names: ... and says why" bash -c "
	curl -s -X POST '$base/api/v1/register' -H 'X-Forwarded-For: 127.5.0.4' --data-urlencode 'name=pаypal' -d password=lookalike123 | jq -e '.error | test(\"script\")' >/dev/null"
check "a Chinese name is accepted (200)" [ "$(regp 127.5.0.5 '张三')" = 200 ]
check "a Chinese name with Latin letters and digits is accepted (200)" [ "$(regp 127.5.0.5 '李四abc2')" = 200 ]
check "an all-Cyrillic name is accepted (200)" [ "$(regp 127.5.0.5 'иван')" = 200 ]
check "finding: names that look like other names: the register form refuses аce (Cyrillic а) too" bash -c "
	curl -fsS -c '$d/f.jar' -b '$d/f.jar' '$base/register' > '$d/reg.html'
	t=\$(grep -o 'name=\"csrf\" value=\"[0-9a-f]\{64\}\"' '$d/reg.html' | head -1 | grep -o '[0-9a-f]\{64\}')
	c=\$(curl -s -o '$d/reg2.html' -w '%{http_code}' -b '$d/f.jar' -X POST '$base/register' -H 'X-Forwarded-For: 127.5.0.6' \
		--data-urlencode 'name=аce' -d password=lookalike123 -d password2=lookalike123 -d csrf=\$t)
	[ \"\$c\" = 409 ] || [ \"\$c\" = 400 ]"
check "finding: names that look like other names: wenyuan user add аdmin (Cyrillic а) is refused" \
	bash -c "! echo lookalike123 | '$WY_BIN' --data '$data' user add 'аdmin' --password-stdin"
check "finding: names that look like other names: wenyuan user add АLICE (Cyrillic А) is refused" \
	bash -c "! echo lookalike123 | '$WY_BIN' --data '$data' user add 'АLICE' --password-stdin"
check "wenyuan user add 王五 works" bash -c "echo lookalike123 | '$WY_BIN' --data '$data' user add '王五' --password-stdin"

check "the server survived all of it" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" = 200 ]

# A signed-in reader's JSON (points, CSRF token, private documents) is
# kept by no shared cache, by token or by cookie; a visitor's may be
# (found by attack: no Cache-Control at all).
cc() { curl -s -D - -o /dev/null "$@" | tr -d '\r' | grep -i '^cache-control:' | cut -d' ' -f2-; }
carol=$(curl -sS -X POST "$base/api/v1/login" -H 'X-Forwarded-For: 127.3.0.9' -d name=carol -d password=carolpass123 | jq -r '.token // empty' || true)
check "a reader's /api/v1/me is private, no-store (token)" [ "$(cc -H "Authorization: Bearer $carol" "$base/api/v1/me")" = "private, no-store" ]
check "... and by cookie" [ "$(cc -H "Cookie: wy_s=$carol" "$base/api/v1/me")" = "private, no-store" ]
check "... and an API error too" [ "$(cc -H "Authorization: Bearer $carol" "$base/api/v1/doc/999999")" = "private, no-store" ]
check "a visitor's JSON says nothing of it" [ -z "$(cc "$base/api/v1/home")" ]

# ---- the limits are the store's: one count for every serve process ----
# A second serve process on the same library: wrong passwords for one
# (address, name) pair sent to both in turn are counted together, and the
# lock one process made holds in the other (each process kept its own
# count before, so N processes let N times login_attempts through).
port2=$(free_port)
env WENYUAN_TRUST_PROXY=1 WENYUAN_LOGIN_ATTEMPTS=5 "$WY_BIN" --data "$data" serve --no-worker \
	--listen "127.0.0.1:$port2" > "$d/serve2.out" 2> "$d/serve2.err" &
spid2=$!
trap 'kill $spid2 2>/dev/null || true; kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
check "a second serve process on the same library answers" wait_http "http://127.0.0.1:$port2/healthz"
base1=$base
shared=""
for i in 1 2 3 4 5; do
	[ $((i % 2)) = 0 ] && base=http://127.0.0.1:$port2 || base=$base1
	shared+=" $(login 127.9.0.1 alice wrong-pass-$i)"
done
check "five wrong passwords over two processes are each checked (401)" [ "$shared" = " 401 401 401 401 401" ]
base=http://127.0.0.1:$port2
check "the sixth is refused by the process that saw two of them (429)" [ "$(login 127.9.0.1 alice alicepass123)" = 429 ]
base=$base1
check "... and by the other (429)" [ "$(login 127.9.0.1 alice alicepass123)" = 429 ]
check "another address is not locked out by it" [ "$(login 127.9.0.2 alice alicepass123)" = 200 ]
kill $spid2; wait $spid2 2>/dev/null || true
finish

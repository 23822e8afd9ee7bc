#!/usr/bin/env bash
# Captchas (src/web/captcha.c) on real servers of the test build
# build/wenyuan-test, whose captcha images carry their answer in the header
# X-Wenyuan-Test-Captcha (src/web/captcha_test_hook.c): registration
# refused without an answer, with a wrong one and with one used before,
# taken with the right one (through the API and the HTML form); a captcha
# answered from another visitor's cookies, or after it expired, is
# refused; logging in asks only after a failed attempt from the address or
# for the name; comments ask when captcha_comment is 1; with the settings
# off nothing asks; the image is a PNG of the promised size; a captcha
# drawn by one serve process is answered through another (the store holds
# them); and the ordinary `wenyuan` binary has no hook.
source "$(dirname "$0")/lib.bash"

normal=$WY_BIN
WY_BIN=${WY_TEST_BIN:-$(dirname "$WY_BIN")/wenyuan-test}
[ -x "$WY_BIN" ] || { echo "not ok - no test build at $WY_BIN (cmake --build builds wenyuan-test)"; exit 1; }

d=$(tmpdir)
data=$d/data
mkdir -p "$data"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$d" || true' EXIT
HDR=X-Wenyuan-Test-Captcha

# start NAME BIN [VAR=VALUE...]: serve $data on a free port (no worker
# unless WORKER=1 is among the settings); sets the variable NAME to its
# base URL.
start() {
	local name=$1 bin=$2 port worker=--no-worker; shift 2
	[[ " $* " == *" WORKER=1 "* ]] && worker=
	port=$(free_port)
	env "$@" "$bin" --data "$data" serve $worker --listen "127.0.0.1:$port" >> "$d/$name.out" 2>> "$d/$name.err" &
	pids+=($!)
	printf -v "$name" 'http://127.0.0.1:%s' "$port"
	wait_http "http://127.0.0.1:$port/healthz" || { echo "not ok - $name does not answer"; tail -5 "$d/$name.err"; exit 1; }
}

# ---- the ordinary binary has no hook ----
# the header's name, as bytes anywhere in the file (what `strings` would find)
check "the ordinary binary has no test hook in it" bash -c "! grep -qaF '$HDR' '$normal'"
check "the test build has it" grep -qaF "$HDR" "$WY_BIN"
start plain "$normal" WENYUAN_CAPTCHA_REGISTER=1
id=$(curl -fsS -c "$d/jp" -b "$d/jp" "$plain/api/v1/captcha?form=register" | jq -r .id)
curl -sS -D "$d/plain.h" -o "$d/plain.png" -b "$d/jp" "$plain/captcha/$id.png"
check "the ordinary binary's captcha image has no answer header" bash -c "grep -qi '^content-type: image/png' '$d/plain.h' && ! grep -qi '^$HDR' '$d/plain.h'"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# ---- the test build: two processes on one store ----
start A "$WY_BIN" WENYUAN_CAPTCHA_REGISTER=1 WENYUAN_CAPTCHA_LOGIN=1 WENYUAN_TRUST_PROXY=1
start B "$WY_BIN" WENYUAN_CAPTCHA_REGISTER=1 WENYUAN_CAPTCHA_LOGIN=1 WENYUAN_CAPTCHA_SECONDS=1

# draw SITE JAR FORM: a new captcha's id (the jar keeps the token it is bound to)
draw() { curl -fsS -c "$2" -b "$2" "$1/api/v1/captcha?form=$3" | jq -r .id; }
# answer SITE JAR ID: what its image says, through the hook's header
answer() {
	curl -fsS -D - -o /dev/null -b "$2" "$1/captcha/$3.png" | tr -d '\r' |
		awk -v h="$(tr 'A-Z' 'a-z' <<<"$HDR"):" 'tolower($1) == h { print $2 }'
}
# reg SITE JAR NAME [curl args...]: the JSON twin of registering; prints
# the status, the body in $d/out
reg() {
	local s=$1 j=$2 n=$3; shift 3
	curl -sS -o "$d/out" -w '%{http_code}' -c "$j" -b "$j" -X POST "$s/api/v1/register" \
		--data-urlencode "name=$n" --data-urlencode "password=secret-pass-1" "$@"
}

# wants_captcha STATUS: refused (400) saying a captcha is wanted
wants_captcha() { [ "$1" = 400 ] && jqe '.captcha == true' "$d/out"; }
jar=$d/jar1
check "no captcha: refused, saying a captcha is wanted" wants_captcha "$(reg "$A" "$jar" alice1)"
id=$(draw "$A" "$jar" register)
ans=$(answer "$A" "$jar" "$id")
check "the hook tells the answer (5 characters of the alphabet)" grep -qxE '[ACDEFHJKLMNPRTUVWXY37]{5}' <<<"$ans"
wrong=$(tr 'ACDEFHJKLMNPRTUVWXY37' 'CDEFHJKLMNPRTUVWXY37A' <<<"$ans")
check "a wrong answer is refused" [ "$(reg "$A" "$jar" alice1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$wrong")" = 400 ]
check "a wrong answer used the captcha up: the right one is refused then" \
	[ "$(reg "$A" "$jar" alice1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]
check "its image is gone too" [ "$(code -b "$jar" "$A/captcha/$id.png")" = 404 ]
id=$(draw "$A" "$jar" register)
ans=$(answer "$A" "$jar" "$id")
lower=$(tr 'A-Z' 'a-z' <<<"$ans")
check "the right answer (in small letters) registers" [ "$(reg "$A" "$jar" alice1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$lower")" = 200 ]
check "... and gives a session token" jqe '.token | length == 64' "$d/out"
check "an answer used once is refused the second time" \
	[ "$(reg "$A" "$jar" alice2 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]
id=$(draw "$A" "$jar" login)
ans=$(answer "$A" "$jar" "$id")
check "a captcha drawn for another form is refused" \
	[ "$(reg "$A" "$jar" alice2 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]

# bound to the visitor's token: drawn with one jar, answered with another
id=$(draw "$A" "$jar" register)
ans=$(answer "$A" "$jar" "$id")
check "answered from another visitor's cookies: refused" \
	[ "$(reg "$A" "$d/jar2" mallory --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]
check "... and without cookies: refused" \
	[ "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$A/api/v1/register" --data-urlencode name=mallory \
		--data-urlencode password=secret-pass-1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]

# one store for every process: drawn by A, answered through B
id=$(draw "$A" "$jar" register)
ans=$(answer "$A" "$jar" "$id")
check "drawn by one process, answered through another" \
	[ "$(reg "$B" "$jar" alice3 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 200 ]

# expired: B's captchas live a second; wait (with a deadline) until its
# image is gone, then answer
id=$(draw "$B" "$jar" register)
ans=$(answer "$B" "$jar" "$id")
gone() { [ "$(code -b "$jar" "$B/captcha/$id.png")" = 404 ]; }
check "an expired captcha's image goes (captcha_seconds=1)" eventually gone
check "an expired captcha is refused" \
	[ "$(reg "$B" "$jar" alice4 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]

# the image: a PNG of 160 x 56, no larger than a few KiB, never cached
id=$(draw "$A" "$jar" register)
curl -fsS -D "$d/img.h" -o "$d/img.png" -b "$jar" "$A/captcha/$id.png"
check "the image is image/png, not kept by caches" bash -c "grep -qi '^content-type: image/png' '$d/img.h' && grep -qi '^cache-control: no-store' '$d/img.h'"
check "the image is a PNG of 160 x 56 pixels, under 32 KiB" python3 - "$d/img.png" <<'EOF'
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n' and b[12:16] == b'IHDR', 'signature'
w, h = struct.unpack('>II', b[16:24])
assert (w, h) == (160, 56) and len(b) < 32768, (w, h, len(b))
# its pixels inflate to what the header says
p, idat = 8, b''
while p < len(b):
    n = struct.unpack('>I', b[p:p + 4])[0]
    if b[p + 4:p + 8] == b'IDAT':
        idat += b[p + 8:p + 8 + n]
    p += 12 + n
assert len(zlib.decompress(idat)) == (w + 1) * h
EOF
check "an id that is not one: 404" [ "$(code "$A/captcha/../../etc/passwd.png")" = 404 ]
check "an unknown id: 404" [ "$(code "$A/captcha/0123456789abcdef0123456789abcdef.png")" = 404 ]
check "an unknown form: 400" [ "$(code "$A/api/v1/captcha?form=nope")" = 400 ]

# ---- the HTML form ----
fj=$d/formjar
curl -fsS -c "$fj" -b "$fj" "$A/register" > "$d/reg.html"
check "the registration form shows a captcha image" grep -q '<img class="captcha-img" src="/captcha/[0-9a-f]\{32\}\.png"' "$d/reg.html"
check "... with a labelled input" grep -q '<label for="captcha-register">验证码</label>' "$d/reg.html"
check "... and a link for a new one that works without a script" grep -q 'class="captcha-again" href="/register?next=%2F"' "$d/reg.html"
id=$(grep -o 'name="captcha_id" value="[0-9a-f]*"' "$d/reg.html" | grep -o '[0-9a-f]\{32\}')
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$d/reg.html" | grep -o '[0-9a-f]\{64\}')
form() { # form ANSWER NAME: POST the form; the status
	curl -sS -o "$d/form.out" -D "$d/form.h" -w '%{http_code}' -c "$fj" -b "$fj" -X POST "$A/register" \
		--data-urlencode "csrf=$csrf" --data-urlencode "name=$2" --data-urlencode password=secret-pass-1 \
		--data-urlencode password2=secret-pass-1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$1"
}
st=$(form WRONG bob1)
check "the form with a wrong answer comes back (400) saying so" bash -c "[ $st = 400 ] && grep -q '验证码错误或已过期' '$d/form.out'"
check "... with a new captcha and the name kept" bash -c "! grep -q '$id' '$d/form.out' && grep -q 'value=\"bob1\"' '$d/form.out'"
id=$(grep -o 'name="captcha_id" value="[0-9a-f]*"' "$d/form.out" | grep -o '[0-9a-f]\{32\}')
ans=$(answer "$A" "$fj" "$id")
st=$(form "$ans" bob1)
check "the form with the right answer registers (303 and a session)" bash -c "[ $st = 303 ] && grep -qi '^set-cookie: wy_s=' '$d/form.h'"

# ---- logging in: only after a failed attempt (address or name) ----
# behind a proxy (trust_proxy on A), X-Forwarded-For names the address
login() { # login ADDR NAME PASSWORD [curl args...]: the status
	local a=$1 n=$2 p=$3; shift 3
	curl -sS -o "$d/out" -w '%{http_code}' -c "$d/lj" -b "$d/lj" -H "X-Forwarded-For: $a" -X POST \
		"$A/api/v1/login" --data-urlencode "name=$n" --data-urlencode "password=$p" "$@"
}
check "logging in asks nothing at first" [ "$(login 10.0.0.1 alice1 secret-pass-1)" = 200 ]
check "the login page shows no captcha then" bash -c "! curl -fsS -H 'X-Forwarded-For: 10.0.0.1' '$A/login' | grep -q captcha_id"
check "a wrong password fails (401)" [ "$(login 10.0.0.1 alice1 wrong-password)" = 401 ]
check "then the right password from that address wants a captcha" wants_captcha "$(login 10.0.0.1 alice1 secret-pass-1)"
check "the login page from that address shows one" bash -c "curl -fsS -H 'X-Forwarded-For: 10.0.0.1' '$A/login' | grep -q 'name=\"captcha_id\"'"
check "the name failed: from another address it wants one too" [ "$(login 10.0.0.2 alice1 secret-pass-1)" = 400 ]
check "another name from another address asks nothing" [ "$(login 10.0.0.3 alice3 secret-pass-1)" = 200 ]
curl -fsS -c "$d/lj" -b "$d/lj" "$A/login" > /dev/null # the visitor's token
id=$(draw "$A" "$d/lj" login)
ans=$(answer "$A" "$d/lj" "$id")
check "with the captcha answered it logs in" \
	[ "$(login 10.0.0.1 alice1 secret-pass-1 --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 200 ]

# ---- settings off: nothing asks ----
start C "$WY_BIN" WENYUAN_CAPTCHA_REGISTER=0 WENYUAN_CAPTCHA_LOGIN=0
check "captcha_register=0: registering needs no captcha" [ "$(reg "$C" "$d/jar3" carol)" = 200 ]
check "captcha_register=0: the form shows none" bash -c "! curl -fsS '$C/register' | grep -q captcha"
check "captcha_register=0: the API says the form wants none" bash -c "curl -fsS '$C/api/v1/captcha?form=register' | jq -e '.wanted == false' > /dev/null"
check "captcha_login=0: after a failure, none either" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$C/api/v1/login' -d name=carol -d password=wrong-password)\" = 401 ] &&
		[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$C/api/v1/login' -d name=carol -d password=secret-pass-1)\" = 200 ]"

# ---- comments: only with captcha_comment=1 ----
tok=$(curl -fsS -X POST "$C/api/v1/login" -d name=carol -d password=secret-pass-1 | jq -r .token)
printf '文渊验证码测试文档。%.0s' $(seq 40) > "$d/doc.txt"
start W "$WY_BIN" WORKER=1 WENYUAN_CAPTCHA_COMMENT=1
doc=$(curl -fsS -X POST "$W/api/v1/upload" -H "Authorization: Bearer $tok" -F "file=@$d/doc.txt" | jq -r '.documents[0].id')
ready() { [ "$(curl -fsS "$W/api/v1/doc/$doc" -H "Authorization: Bearer $tok" | jq -r .status)" = ready ]; }
for _ in $(seq 300); do ready && break; sleep 0.2; done
check "the document is ready" ready
comment() { # comment SITE [curl args]: the status
	local s=$1; shift
	curl -sS -o "$d/out" -w '%{http_code}' -X POST "$s/api/v1/doc/$doc/comments" -H "Authorization: Bearer $tok" \
		--data-urlencode "text=一条评论" "$@"
}
check "captcha_comment=0: a comment needs none" [ "$(comment "$C")" = 201 ]
check "captcha_comment=1: a comment without one is refused" wants_captcha "$(comment "$W")"
# a bearer client's captcha is bound to its session's token
id=$(curl -fsS -H "Authorization: Bearer $tok" "$W/api/v1/captcha?form=comment" | jq -r .id)
ans=$(curl -fsS -D - -o /dev/null "$W/captcha/$id.png" | tr -d '\r' | awk 'tolower($1) == "x-wenyuan-test-captcha:" { print $2 }')
check "captcha_comment=1: with the answer it is posted" [ "$(comment "$W" --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 201 ]
check "... and the same answer again is refused" [ "$(comment "$W" --data-urlencode "captcha_id=$id" --data-urlencode "captcha=$ans")" = 400 ]
curl -fsS -H "Authorization: Bearer $tok" "$W/doc/$doc" > "$d/doc.html"
check "the document page's comment form shows the captcha" grep -q 'class="captcha" data-form="comment"' "$d/doc.html"

finish

#!/usr/bin/env bash
# Behind a proxy (trust_proxy=1) the client's address is X-Forwarded-For's
# last entry: bytes a client may have written. The line auth.limited logs
# with it quotes it: no raw control bytes (a terminal's escapes, a bell).
# admin.action's target is one field.
source "$(dirname "$0")/lib.bash"

new_library
"$WY_BIN" --data "$data" user add boss --admin --password-stdin <<< 'bosspass123' > /dev/null
serve_site WENYUAN_TRUST_PROXY=1
xff=$'1.2.3.4,\x1b[31mRED\x7freq=evil\t"}\x07'
for _ in $(seq 12); do
	code -X POST "$base/api/v1/login" -H "X-Forwarded-For: $xff" -d name=boss -d password=wrongwrong > /dev/null
done
check "the limit is logged" grep -q 'auth.limited' "$d/serve.err"
check "with the address quoted" grep -q 'auth.limited .*addr="' "$d/serve.err"
check "and no raw control byte" bash -c "! grep -a 'auth.limited' '$d/serve.err' | grep -qP '[\\x00-\\x08\\x0a-\\x1f\\x7f]'"

# admin.action's target ("doc 1") is one field, in JSON too; every line of
# the JSON log parses.
kill $spid && wait $spid || true
serve_site WENYUAN_LOG=info WENYUAN_LOG_FORMAT=json
echo 'a document to hide' > "$d/a.txt"
"$WY_BIN" --data "$data" add --no-wait "$d/a.txt" > /dev/null
tok=$(api_login boss bosspass123)
check "an admin hides it" test "$(code -X POST -H "Authorization: Bearer $tok" "$base/api/v1/admin/doc" -d id=1 -d action=hide)" = 200
check "admin.action's target is one field" \
	eventually bash -c "grep -a admin.action '$d/serve.err' | jq -e 'select(.target == \"doc 1\" and (has(\"word\") | not))' > /dev/null"
check "every line is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$d/serve.err"
finish

#!/usr/bin/env bash
# docs/openapi.json says what the server does: it is a valid OpenAPI 3.0
# description (the specification's own JSON Schema, Debian's
# openapi-specification), it describes every /api/v1 route of the server's
# route table (`wenyuan routes`) and nothing else, docs/api.md names the
# same operations, and a real server's
# answers to every operation it describes (accounts, an upload, every
# list) have the statuses and the fields its schemas give.
source "$(dirname "$0")/lib.bash"

oas=${WY_OAS_SCHEMA:-/usr/share/openapi-specification/schemas/v3.0/schema.json}
[ -f "$oas" ] || { echo "skipped: $oas not found (Debian: openapi-specification)"; exit 77; }
# Debian's python3 with python3-jsonschema (scripts/deps.sh --test)
py=${WY_PYTHON:-/usr/bin/python3}
"$py" -c 'import jsonschema' 2>/dev/null || { echo "skipped: $py has no jsonschema (python3-jsonschema)"; exit 77; }
spec=$WY_SRC/docs/openapi.json
checker=$WY_SRC/tests/e2e/openapi_check.py

check "the description is OpenAPI 3.0" "$py" "$checker" spec "$spec" "$oas"
check "docs/api.md and the description name the same operations" "$py" "$checker" doc "$spec" "$WY_SRC/docs/api.md"

new_library
"$WY_BIN" routes > "$d/routes.txt"
check "wenyuan routes lists the route table" grep -qx 'GET /api/v1/search' "$d/routes.txt"
check "the description and the route table agree" "$py" "$checker" routes "$spec" "$d/routes.txt"

echo openapi-admin | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
printf '文渊阁记\n文渊阁在紫禁城文华殿后，藏书之所。\n接口测试的第二行。\n' > "$d/text.txt"
serve_site WENYUAN_SERVE_FLUSH_MS=50
check "the server's answers match the description" "$py" "$checker" live "$spec" "$base" "$d/text.txt"
finish

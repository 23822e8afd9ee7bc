#!/usr/bin/env bash
# The admins' dashboard (src/web/dash.c, src/store/sqlite_dash.c): a known
# library (uploads that end ready, three that fail for known reasons, a
# search, a download, a new user), then every figure of GET
# /api/v1/admin/dashboard against what the store says (sqlite3 on
# wenyuan.db, the blob tree on disk, fontconfig's fc-list); "retry all"
# of one reason requeues exactly the failures of that reason, says how
# many and writes an audit row; the page draws the plots as inline SVG
# with the same figures; nobody but admins sees any of it.
source "$(dirname "$0")/lib.bash"
command -v sqlite3 > /dev/null || { echo "skipped: no sqlite3 (scripts/deps.sh --test)"; exit 77; }

new_library
echo 'dashboss123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_SERVE_FLUSH_MS=50 --no-worker
db=$data/wenyuan.db
q() { store_q "$1"; }
auth() { echo "Authorization: Bearer $1"; }

alice=$(register alice alicepass1) # the new user
bob=$(register bob bobpass123)
boss=$(api_login boss dashboss123)
for i in $(seq 30); do echo "仪表盘测试文档甲 第${i}行，文渊阁藏书。"; done > "$d/a.txt"
for i in $(seq 30); do echo "仪表盘测试文档乙 第${i}行，天一阁藏书。"; done > "$d/b.txt"
# two PDFs without pages (reason "the document has no pages": code empty)
printf '%%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' > "$d/e1.pdf"
printf '%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Note (two) >>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' > "$d/e2.pdf"
# and a PNG cut after its signature's first bytes (code damaged)
printf '\x89PNG\r\n\x1a\nIHDR' > "$d/cut.png"
A=$(upload "$alice" "$d/a.txt")
B=$(upload "$alice" "$d/b.txt")
E1=$(upload "$alice" "$d/e1.pdf")
E2=$(upload "$bob" "$d/e2.pdf")
C=$(upload "$bob" "$d/cut.png")
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "two documents are ready" [ "$(q "SELECT count(*) FROM documents WHERE id IN ($A, $B) AND status = 2")" = 2 ]
check "three failed" [ "$(q "SELECT count(*) FROM documents WHERE id IN ($E1, $E2, $C) AND status = 3")" = 3 ]
check "two of them have no pages" [ "$(q "SELECT count(*) FROM documents WHERE status = 3 AND reason LIKE '%has no pages%'")" = 2 ]
# a search and a download (bob downloads alice's document)
curl -fsS "$base/search?q=仪表盘" > /dev/null
curl -fsS -H "$(auth "$bob")" "$base/download/$A" -o /dev/null
searched() { [ "$(q "SELECT count(*) FROM searches")" -ge 1 ]; }
eventually searched
check "the search is in the store" [ "$(q "SELECT count(*) FROM searches")" -ge 1 ]
check "the download is in the store" [ "$(q "SELECT count(*) FROM downloads WHERE doc_id = $A")" = 1 ]

# ---- who may see it ----
check "a user gets 404 for the JSON" [ "$(code -H "$(auth "$alice")" "$base/api/v1/admin/dashboard")" = 404 ]
check "a visitor gets 404 for the page" [ "$(code "$base/admin")" = 404 ]
check "a user gets 404 for the page" [ "$(code -H "$(auth "$alice")" "$base/admin")" = 404 ]
check "a user may not retry (404)" [ "$(code -X POST -H "$(auth "$alice")" "$base/api/v1/admin/retry" -d reason=empty)" = 404 ]
check "a visitor's POST has no CSRF token (403)" [ "$(code -X POST "$base/admin/retry" -d reason=empty)" = 403 ]
check "nothing was queued by them" [ "$(q "SELECT count(*) FROM documents WHERE status = 3")" = 3 ]

# ---- the figures against the store ----
dash() { curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/dashboard"; }
# the figures are kept a few seconds: wait until they show this library
shows_search() { dash | jqe '.daily.searches | add >= 1'; }
eventually shows_search
dash > "$d/dash.json"
now=$(jq .generated_at "$d/dash.json") # the figures' own time: a run across midnight stays consistent
today=$(( (now + 28800) / 86400 ))
day0=$(( today - 29 ))
from=$(( day0 * 86400 - 28800 ))
for s in 0 1 2 3 4; do
	name=$(jq -r --argjson s "$s" '["queued","converting","ready","failed","readable"][$s]' <<< null)
	check "documents $name: as the store counts" \
		jqe --arg n "$name" --argjson v "$(q "SELECT count(*) FROM documents WHERE status = $s")" '.documents.status[$n] == $v' "$d/dash.json"
done
for s in 0 1 2 3 4; do
	name=$(jq -r --argjson s "$s" '["published","pending","hidden","deleted","version"][$s]' <<< null)
	check "documents $name: as the store counts" \
		jqe --arg n "$name" --argjson v "$(q "SELECT count(*) FROM documents WHERE state = $s")" '.documents.state[$n] == $v' "$d/dash.json"
done
check "documents in all" jqe --argjson v "$(q "SELECT count(*) FROM documents")" '.documents.total == $v' "$d/dash.json"
check "failures in all: the failed documents not in the recycle bin" \
	jqe --argjson v "$(q "SELECT count(*) FROM documents WHERE status = 3 AND state <> 3")" '.failures.total == $v' "$d/dash.json"
check "failures by reason: empty 2 (the store's 'has no pages')" \
	jqe --argjson v "$(q "SELECT count(*) FROM documents WHERE status = 3 AND reason LIKE '%has no pages%'")" \
	'[.failures.by_reason[] | select(.reason == "empty") | .count] == [$v]' "$d/dash.json"
check "failures by reason: damaged 1" jqe '[.failures.by_reason[] | select(.reason == "damaged") | .count] == [1]' "$d/dash.json"
check "the queue: conversions waiting" \
	jqe --argjson v "$(q "SELECT count(*) FROM jobs WHERE state = 'queued' AND ocr_from = 0")" '.queue.conversions == $v' "$d/dash.json"
check "the queue: running" jqe --argjson v "$(q "SELECT count(*) FROM jobs WHERE state = 'running'")" '.queue.running == $v' "$d/dash.json"
check "conversions per hour: 24 hours" jqe '(.conversions_per_hour.hours | length) == 24 and (.conversions_per_hour.ready | length) == 24' "$d/dash.json"
hfrom=$(jq .conversions_per_hour.from "$d/dash.json")
check "conversions per hour: the ready ones the jobs table holds" \
	jqe --argjson v "$(q "SELECT count(*) FROM jobs WHERE state = 'done' AND ocr_from = 0 AND updated_at >= $hfrom")" \
	'(.conversions_per_hour.ready | add) == $v and $v == 2' "$d/dash.json"
check "conversions per hour: the failed ones" \
	jqe --argjson v "$(q "SELECT count(*) FROM jobs WHERE state = 'failed' AND ocr_from = 0 AND updated_at >= $hfrom")" \
	'(.conversions_per_hour.failed | add) == $v and $v == 3' "$d/dash.json"
check "converter restarts: the workers' counters" \
	jqe --argjson v "$(q "SELECT CAST(coalesce(sum(value), 0) AS INTEGER) FROM counters WHERE name = 'wenyuan_converter_restarts_total'")" \
	'.converter_restarts.total == $v' "$d/dash.json"
check "30 days, today last" jqe --arg t "$(TZ=Asia/Shanghai date -d "@$now" +%F)" '(.daily.days | length) == 30 and .daily.days[29] == $t' "$d/dash.json"
check "users per day: today's" \
	jqe --argjson v "$(q "SELECT count(*) FROM users WHERE (created_at + 28800) / 86400 = $today")" '.daily.users[29] == $v' "$d/dash.json"
check "users per day: the 30 days' (the three accounts)" \
	jqe --argjson v "$(q "SELECT count(*) FROM users WHERE created_at >= $from")" '(.daily.users | add) == $v and $v == 3' "$d/dash.json"
check "uploads per day: today's" \
	jqe --argjson v "$(q "SELECT count(*) FROM documents WHERE (created_at + 28800) / 86400 = $today AND state <> 4")" \
	'.daily.uploads[29] == $v' "$d/dash.json"
check "uploads per day: the 30 days' (five)" \
	jqe --argjson v "$(q "SELECT count(*) FROM documents WHERE created_at >= $from AND state <> 4")" '(.daily.uploads | add) == $v and $v == 5' "$d/dash.json"
# every download (download_log, which the download limits count)
dl=download_log at=at
check "downloads per day: today's ($dl)" \
	jqe --argjson v "$(q "SELECT count(*) FROM $dl WHERE ($at + 28800) / 86400 = $today")" '.daily.downloads[29] == $v' "$d/dash.json"
check "downloads per day: the 30 days' (one)" \
	jqe --argjson v "$(q "SELECT count(*) FROM $dl WHERE $at >= $from")" '(.daily.downloads | add) == $v and $v == 1' "$d/dash.json"
check "searches per day: today's" \
	jqe --argjson v "$(q "SELECT n FROM search_days WHERE day = $today")" '.daily.searches[29] == $v and $v >= 1' "$d/dash.json"
check "searches per day: the 30 days'" \
	jqe --argjson v "$(q "SELECT sum(n) FROM search_days WHERE day >= ($from + 28800) / 86400")" '(.daily.searches | add) == $v and $v >= 1' "$d/dash.json"
objects=$(find "$data/blobs" -mindepth 3 -maxdepth 3 -type f -regextype posix-extended -regex '.*/[0-9a-f]{64}' | wc -l)
bytes=$(find "$data/blobs" -mindepth 3 -maxdepth 3 -type f -regextype posix-extended -regex '.*/[0-9a-f]{64}' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
check "disk: the blob store's objects ($objects)" jqe --argjson v "$objects" '.disk.blob_objects == $v and $v > 0' "$d/dash.json"
check "disk: their bytes ($bytes)" jqe --argjson v "$bytes" '.disk.blob_bytes == $v' "$d/dash.json"
check "disk: the database, free and total space" \
	jqe '.disk.store_bytes > 0 and .disk.free_bytes > 0 and .disk.free_bytes <= .disk.total_bytes and .disk.kind == "directory"' "$d/dash.json"
check "the dependencies: LibreOffice, fonts, Tesseract, MuPDF" \
	jqe '[.dependencies[].name] == ["libreoffice", "fonts", "tesseract", "mupdf"]' "$d/dash.json"
office=${WENYUAN_OFFICE_PATH:-/usr/lib/libreoffice/program} # the setting office_path (its default)
if [ -e "$office/libmergedlo.so" ] || [ -e "$office/libsofficeapp.so" ]; then lo=true; else lo=false; fi
check "LibreOffice installed: $lo, as $office says" jqe --argjson v "$lo" '.dependencies[0].installed == $v' "$d/dash.json"
check "each dependency says how it was checked" jqe 'all(.dependencies[]; (.check | length) > 10)' "$d/dash.json"
check "MuPDF: the latest PDF failed for the document's own fault, so it works" \
	jqe '.dependencies[3].installed and .dependencies[3].working == true' "$d/dash.json"
if command -v fc-list > /dev/null; then
	while IFS= read -r fam; do
		if [ -n "$(fc-list "$fam" family)" ]; then v=true; else v=false; fi
		check "font $fam installed: $v, as fc-list says" \
			jqe --arg f "$fam" --argjson v "$v" '[.dependencies[1].fonts[] | select(.family == $f) | .installed] == [$v]' "$d/dash.json"
	done < <(jq -r '.dependencies[1].fonts[].family' "$d/dash.json")
fi
check "a reload is the same answer (kept)" [ "$(dash | jq -c 'del(.generated_at)')" = "$(jq -c 'del(.generated_at)' "$d/dash.json")" ]

# ---- the page ----
curl -fsS -H "$(auth "$boss")" "$base/admin" > "$d/admin.html"
check "GET /admin is the dashboard" grep -q 'id="dash-failtable"' "$d/admin.html"
check "five plots, inline SVG, role img with a label" \
	[ "$(grep -o '<svg class="chart"[^>]*role="img" aria-label="[^"]' "$d/admin.html" | wc -l)" = 5 ]
check "no style attribute (the CSP has no unsafe-inline)" lacks ' style=' "$d/admin.html"
# each plot is well-formed XML on its own
OUT=$d perl -0ne 'my $i = 0; while (/(<svg class="chart".*?<\/svg>)/gs) {
	open my $f, ">", "$ENV{OUT}/plot$i.svg" or die; print $f $1; $i++ }' "$d/admin.html"
if command -v xmllint > /dev/null; then
	for p in "$d"/plot*.svg; do check "plot $(basename "$p") is well-formed XML" xmllint --noout "$p"; done
fi
up=$(jq '.daily.uploads[29]' "$d/dash.json")
check "today's uploads bar carries $up" grep -q "<rect class=\"s0\"[^>]*data-value=\"$up\"" <<< "$(sed -n '/id="chart-uploads"/,/<\/svg>/p' "$d/admin.html" | grep '<g class="bar"' | tail -1)"
check "a retry-all button for each reason" [ "$(grep -c 'action="/admin/retry"' "$d/admin.html")" = 2 ]
check "/admin/dashboard is the same page" grep -q 'id="dash-failtable"' <<< "$(curl -fsS -H "$(auth "$boss")" "$base/admin/dashboard")"
check "the other tabs keep their URLs" grep -q 'action="/admin/user"' <<< "$(curl -fsS -H "$(auth "$boss")" "$base/admin/users")"
check "in English too" grep -q 'Failed conversions' <<< "$(curl -fsS -H "$(auth "$boss")" "$base/admin?lang=en")"

# ---- retry all of one reason ----
check "an unknown reason is refused (400)" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/admin/retry" -d reason=nonsense)" = 400 ]
r=$(curl -fsS -X POST -H "$(auth "$boss")" "$base/api/v1/admin/retry" -d reason=empty)
check "retry all 'empty': two requeued" jqe '.reason == "empty" and .requeued == 2' <<< "$r"
check "exactly those two are queued" [ "$(q "SELECT count(*) || ',' || min(id) || ',' || max(id) FROM documents WHERE status = 0")" = "2,$E1,$E2" ]
check "the damaged one is still failed" [ "$(q "SELECT status FROM documents WHERE id = $C")" = 3 ]
check "each has a new job" [ "$(q "SELECT count(*) FROM jobs WHERE state = 'queued' AND doc_id IN ($E1, $E2)")" = 2 ]
check "an audit row says how many" [ "$(q "SELECT action || '|' || target || '|' || detail FROM audit ORDER BY id DESC LIMIT 1")" = "retry|reason empty|2" ]
check "the dashboard shows it at once" \
	jqe '.failures.total == 1 and ([.failures.by_reason[].reason] == ["damaged"]) and .queue.conversions == 2' <<< "$(dash)"
r=$(curl -fsS -X POST -H "$(auth "$boss")" "$base/api/v1/admin/retry" -d reason=empty)
check "again: none left to requeue" jqe '.requeued == 0' <<< "$r"
check "the audit tab words it" grep -q '全部重试' <<< "$(curl -fsS -H "$(auth "$boss")" "$base/admin/audit")"

finish

#!/usr/bin/env bash
# The public lists as a visitor meets them: the home page shows every
# listed document (ready, published, public) as a cover card, 24 a page,
# the pages together holding each once; a failed conversion is on none of
# them (nor in the JSON twin), and no status is worded in English.
source "$(dirname "$0")/lib.bash"

new_library
for i in $(seq 25); do
	printf '第%d份讲义\n这是第%d份讲义的正文，每一份都不相同：%s。\n' "$i" "$i" "$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$d/讲义$i.txt"
done
"$WY_BIN" --data "$data" add "$d"/讲义*.txt > "$d/add.out"
check "25 documents are ready" [ "$(grep -c '^ready' "$d/add.out")" = 25 ]
head -c 4096 /dev/urandom > "$d/坏文件.pdf"
set +e
"$WY_BIN" --data "$data" add "$d/坏文件.pdf" > "$d/bad.out"
set -e
bad=$(awk '/^added/ {print $2}' "$d/bad.out")
check "random bytes named .pdf fail" grep -q '^failed' "$d/bad.out"

serve_site --no-worker
curl -fsS "$base/" > "$d/p1.html"
curl -fsS "$base/?page=2" > "$d/p2.html"
cards() { sed -n '/<section class="all">/,/<\/section>/p' "$1" | grep -o '<li class="card"><a href="/doc/[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"'; }
check "the first page shows 24 cards with their covers" \
	bash -c "[ \$(sed -n '/<section class=\"all\">/,/<\/section>/p' '$d/p1.html' | grep -c '<li class=\"card\"><a href=\"/doc/[0-9]*\"><span class=\"cover\"><img src=\"/blob/') = 24 ]"
check "and says how many there are in all" grep -q '<small>共25篇</small>' "$d/p1.html"
check "it links to the next page" grep -q '<a href="/?page=2" rel="next">下一页</a>' "$d/p1.html"
check "the second page shows the last one, and links back" \
	bash -c "[ \$(sed -n '/<section class=\"all\">/,/<\/section>/p' '$d/p2.html' | grep -c '<li class=\"card\">') = 1 ] && grep -q '<a href=\"/\" rel=\"prev\">上一页</a>' '$d/p2.html'"
(cards "$d/p1.html"; cards "$d/p2.html") > "$d/ids"
check "the two pages hold every document once" \
	bash -c "[ \$(sort -u '$d/ids' | wc -l) = 25 ] && [ \$(wc -l < '$d/ids') = 25 ]"
check "each page has one h1" bash -c "[ \$(grep -c '<h1' '$d/p1.html') = 1 ] && [ \$(grep -c '<h1' '$d/p2.html') = 1 ]"
check "the failed upload is on neither page" bash -c "! grep -q 'href=\"/doc/$bad\"' '$d/p1.html' '$d/p2.html' && ! grep -q 'unrecognized' '$d/p1.html'"
check "nor in the JSON twin" \
	jqe --argjson b "$bad" '.total == 25 and .pages == 2 and ([.documents[].id, .newest[].id, .popular[].id] | index($b) == null)' <(curl -fsS "$base/api/v1/home")
check "the JSON twin pages the same way" \
	jqe '.page == 2 and (.documents | length) == 1 and .newest == []' <(curl -fsS "$base/api/v1/home?page=2")
check "no status worded in English" bash -c "! grep -qE '>(ready|failed|queued|converting)( [0-9/]+)?<' '$d/p1.html' '$d/p2.html'"
check "a page past the last is empty, not an error" \
	bash -c "[ \$(curl -s -o '$d/p9.html' -w '%{http_code}' '$base/?page=9') = 200 ] && ! grep -q '<li class=\"card\">' <(sed -n '/<section class=\"all\">/,/<\/section>/p' '$d/p9.html')"
curl -fsS "$base/?page=-3" > "$d/pbad.html"
check "a bad page number is the first page" cmp -s <(cards "$d/p1.html") <(cards "$d/pbad.html")
finish

#!/usr/bin/env bash
# Issue 17, part 3: an owner edits a document and replaces its original.
# Each field is edited through the API (the JSON and the page show it; a
# new title is found by search, the old one no longer), and through the
# form (JavaScript off: a plain POST); bad values are 400 with a message;
# another user's edit or replace is 403 (a document they may see) or 404
# (one they may not), and changes nothing; a price cannot be raised once
# someone paid for a download (409), lowering is fine.
# "Must show" 3: a PDF is replaced by a DOCX (corpus). While the new
# version converts (held by the test hook WY_TEST_PAUSE_AFTER: the office
# converter stops after page 1 until killed), readers get the old version
# whole: its page image and text, its page count on the page, search hits
# on its text; the converter is then killed (a crash), the version's
# conversion resumes and is swapped in: search finds the new text and not
# the old, the download is the new file with its name and format, and
# views, downloads and favorites are kept. A broken file fails as a new
# version: the document keeps its version and says why, on its page and
# on /me/uploads. fsck is clean.
source "$(dirname "$0")/lib.bash"

need_corpus
pdf=$corpus/files/pdfjs__pdfs__issue2128r.pdf   # 浅谈校长的魅力 (one page)
docx=$corpus/files/gongwen__dist__out.docx      # 出师表, 诸葛亮 (two pages)
for f in "$pdf" "$docx"; do [ -f "$f" ] || { echo "skipped: $f not in the corpus"; exit 77; }; done

new_library
serve_site WENYUAN_SERVE_FLUSH_MS=50 WENYUAN_PAGE_CACHE_MS=0 WENYUAN_POINTS_REGISTER=20
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
echo 'rootpass123' | "$WY_BIN" --data "$data" user add root --admin --password-stdin > /dev/null
admin=$(api_login root rootpass123)

aget() { curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$1"; }
edit() { # edit TOKEN ID curl-args...: the status of an API edit (its body in $d/edit.json)
	local t=$1 id=$2
	shift 2
	curl -s -o "$d/edit.json" -w '%{http_code}' -H "Authorization: Bearer $t" -X POST "$base/api/v1/doc/$id/edit" "$@"
}
found() { # found QUERY ID: a visitor's search lists the document
	curl -fsS -G "$base/api/v1/search" --data-urlencode "q=$1" | jq -e --argjson id "$2" '[.results[].id] | index($id) != null' > /dev/null
}
not_found() { ! found "$@"; }
# until COMMAND...: until it succeeds (60 s)
until_ok() {
	for _ in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

D=$(upload "$alice" "$pdf")
check "alice's PDF is ready" wait_ready "$D" "$alice"
printf '私有文档\n只有上传者能看到这一份。\n' > "$d/private.txt"
P=$(upload "$alice" "$d/private.txt" -F private=1)
check "alice's private copy is ready" wait_ready "$P" "$alice"

# ---- each field, through the API ----
code_=$(edit "$alice" "$D" --data-urlencode "title=辞海编修纪要")
check "a new title: 200" [ "$code_" = 200 ]
check "the answer is the document with it" jqe '.title == "辞海编修纪要" and .id == '"$D" "$d/edit.json"
check "search finds the new title" until_ok found 辞海编修纪要 "$D"
check "its pinyin too (cihaibianxiu)" until_ok found cihaibianxiu "$D"
cat=$(curl -fsS "$base/api/v1/categories" | jq -r '[.. | objects | select(has("path")) | .path][0]')
check "edit description, category, tags, price, private at once: 200" \
	[ "$(edit "$alice" "$D" --data-urlencode "description=第一行
第二行" --data-urlencode "category=$cat" --data-urlencode "tags=辞书, 编修，纪要" -d price=5 -d private=1)" = 200 ]
check "the JSON shows each" jqe --arg c "$cat" '.description == "第一行\n第二行" and .category == $c and .tags == "辞书,编修,纪要" and .price == 5 and .private == true' <(aget "$D")
check "private: a visitor gets 404" [ "$(code "$base/api/v1/doc/$D")" = 404 ]
check "public again: 200, a visitor sees it" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/$D/edit' -d private=0)\" = 200 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$base/api/v1/doc/$D')\" = 200 ]"
curl -fsS "$base/doc/$D" > "$d/page.html"
check "the page shows the title, description and price" bash -c "grep -q 辞海编修纪要 '$d/page.html' && grep -q 第二行 '$d/page.html' && grep -q '5积分' '$d/page.html'"
check "a visitor's page has no 编辑 link" lacks "/doc/$D/edit" "$d/page.html"
curl -fsS -H "Authorization: Bearer $alice" "$base/doc/$D" > "$d/apage.html"
check "alice's page links to the edit form" grep -q "href=\"/doc/$D/edit\"" "$d/apage.html"

check "the API clears fields it names in clear=: 200" [ "$(edit "$alice" "$D" -d clear=tags,description)" = 200 ]
check "  tags and description gone" jqe '.tags == null and .description == null' "$d/edit.json"
check "  and back" [ "$(edit "$alice" "$D" --data-urlencode "description=第一行
第二行" --data-urlencode "tags=辞书,编修,纪要")" = 200 ]

# ---- validation: 400 with a message, nothing changed ----
before=$(aget "$D" | jq -c '{title, description, category, tags, price, private}')
for bad in "title=" "title=$(printf '%0.s字' $(seq 201))" "price=-1" "price=100001" "price=abc" "private=2" \
	"category=没有这个分类" "tags=$(seq -s, 30)"; do
	check "400 for ${bad:0:30}" [ "$(edit "$alice" "$D" --data-urlencode "$bad")" = 400 ]
	check "  with a message" jqe '.error | type == "string" and length > 0' "$d/edit.json"
done
check "400 for a title that is not UTF-8" [ "$(edit "$alice" "$D" --data-binary $'title=\xff\xfe')" = 400 ]
check "400 for a title with a bidi override" [ "$(edit "$alice" "$D" --data-urlencode $'title=a\u202eb')" = 400 ]
check "400 for an edit without a field" [ "$(edit "$alice" "$D" -d nothing=1)" = 400 ]
check "nothing changed" [ "$(aget "$D" | jq -c '{title, description, category, tags, price, private}')" = "$before" ]

# ---- another user: 403 for what they can see, 404 for what they cannot ----
check "bob's edit of alice's public document: 403" [ "$(edit "$bob" "$D" -d title=bob)" = 403 ]
check "bob's edit of alice's private document: 404" [ "$(edit "$bob" "$P" -d title=bob)" = 404 ]
check "bob's edit form: 403 and 404" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' '$base/doc/$D/edit')\" = 403 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' '$base/doc/$P/edit')\" = 404 ]"
rep() { curl -s -o "$d/rep.json" -w '%{http_code}' -H "Authorization: Bearer $1" -X POST "$base/api/v1/doc/$2/replace" -F "file=@$3"; }
check "bob's replace of alice's public document: 403" [ "$(rep "$bob" "$D" "$docx")" = 403 ]
check "bob's replace of alice's private document: 404" [ "$(rep "$bob" "$P" "$docx")" = 404 ]
check "a visitor's edit: refused (401 or 403)" bash -c "case \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$base/api/v1/doc/$D/edit' -d title=x) in 401|403) ;; *) false ;; esac"
check "nothing changed, no new version" jqe --argjson b "$before" '({title, description, category, tags, price, private} == $b) and .new_version == null' <(aget "$D")

# ---- the price once paid for ----
check "bob pays 5 points for a download" [ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/download/$D")" = 200 ]
check "raising the price now: 409" [ "$(edit "$alice" "$D" -d price=8)" = 409 ]
check "  saying why" jqe '.error | test("价格|price")' "$d/edit.json"
check "lowering it: 200" [ "$(edit "$alice" "$D" -d price=3)" = 200 ]
check "the price is 3" jqe '.price == 3' <(aget "$D")

# ---- the form, without JavaScript ----
jar=$d/jar
curl -fsS -c "$jar" -b "$jar" "$base/login" > "$d/login.html"
tok=$(grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$d/login.html" | head -1 | grep -o '[0-9a-f]\{64\}')
curl -fsS -o /dev/null -c "$jar" -b "$jar" -X POST "$base/login" -d name=alice -d password=alicepass1 -d "csrf=$tok"
curl -fsS -c "$jar" -b "$jar" "$base/doc/$D/edit" > "$d/form.html"
tok=$(grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$d/form.html" | head -1 | grep -o '[0-9a-f]\{64\}')
check "the edit form holds the values" bash -c "grep -q 'value=\"辞海编修纪要\"' '$d/form.html' && grep -q 'value=\"3\"' '$d/form.html'"
st=$(curl -s -o "$d/post.html" -w '%{http_code}' -c "$jar" -b "$jar" -X POST "$base/doc/$D/edit" -d "csrf=$tok" \
	--data-urlencode title=四库全书总目 -d price=3 -d private=0 --data-urlencode "category=$cat" -d tags= -d description=)
check "the form posts: a redirect to the document" [ "$st" = 303 ] || { echo "# $st: $(head -c 600 "$d/post.html")"; }
check "the new title, tags cleared" jqe '.title == "四库全书总目" and .tags == null and .description == null' <(aget "$D")
check "search follows the title: its pinyin (sikuquanshu) found" until_ok found sikuquanshu "$D"
check "  the old title's (cihaibianxiu) no longer" not_found cihaibianxiu "$D"
check "  nor the old title's words" not_found 辞海编修纪要 "$D"

check "the form's error: 400, shown on the form" \
	bash -c "[ \"\$(curl -s -o '$d/err.html' -w '%{http_code}' -c '$jar' -b '$jar' -X POST '$base/doc/$D/edit' -d csrf=$tok -d title= -d price=3)\" = 400 ] && grep -q 'failbox' '$d/err.html'"

# ---- "must show" 3: a PDF replaced by a DOCX ----
aget "$D" > "$d/old.json"
oldpages=$(jq .pages "$d/old.json")
check "the old version: a PDF, its text found" bash -c "jq -e '.format == \"pdf\"' '$d/old.json' >/dev/null && curl -fsS -G '$base/api/v1/search' --data-urlencode q=校长的魅力 | jq -e '[.results[].id] | index($D) != null' >/dev/null"
curl -fsS -o /dev/null "$base/doc/$D"; curl -fsS -o /dev/null "$base/doc/$D"   # views
check "bob favorites it" [ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$D/favorite" -d on=1)" = 200 ]
check "views and downloads counted" until_ok bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$D' | jq -e '.views >= 2 and .downloads >= 1' >/dev/null"
counts=$(aget "$D" | jq -c '{views, downloads}')

# the server again, its converters held after page 1 of a conversion
kill "$spid"; wait "$spid" 2>/dev/null
serve_site WENYUAN_SERVE_FLUSH_MS=50 WENYUAN_PAGE_CACHE_MS=0 WY_TEST_PAUSE_AFTER=1 WENYUAN_WORKERS=1
converters() {
	local w
	for w in $(ps -o pid= --ppid "$spid"); do ps -o pid= --ppid "$w"; done | tr -d ' '
}
check "the replace is taken: 202" [ "$(rep "$alice" "$D" "$docx")" = 202 ]
check "  naming the document and its version" jqe ".id == $D and (.version | type == \"number\")" "$d/rep.json"
V=$(jq .version "$d/rep.json")
# held: the version has stored its first page and waits
vready() { sqlite3 "$data/wenyuan.db" "SELECT status FROM documents WHERE id=$V" | grep -qx 4; }
check "the new version converts (its first page stored, held there)" until_ok vready
check "meanwhile the document is the old one, whole: ready, a PDF, its page count" \
	jqe ".status == \"ready\" and .format == \"pdf\" and .pages == $oldpages and .new_version.status == \"converting\"" <(aget "$D")
img=$(curl -fsS "$base/api/v1/doc/$D/pages?from=1&count=1" | jq -r '.items[0].image')
check "its page 1 image answers 200" [ "$(code "$base$img")" = 200 ]
check "its page 1 text is the old text" jqe '.items[0].text | test("校长")' <(curl -fsS "$base/api/v1/doc/$D/pages?from=1&count=1")
curl -fsS "$base/doc/$D" > "$d/during.html"
check "the page shows the old page count" grep -q "页数 $oldpages" "$d/during.html"
check "search finds the old text, not yet the new" bash -c "$(declare -f found); base=$base; found 校长的魅力 $D && ! found 出师表 $D"
curl -fsS -H "Authorization: Bearer $alice" "$base/doc/$D" > "$d/during_owner.html"
check "its owner's page says a new version converts" grep -q '新版本' "$d/during_owner.html"
check "the version is nobody's to see: 404 to its owner and a visitor" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$V')\" = 404 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$base/doc/$V')\" = 404 ]"
for act in delete restore; do
	check "nor can its owner $act it on its own: 404" \
		[ "$(code -X POST -H "Authorization: Bearer $alice" "$base/api/v1/doc/$V/$act")" = 404 ]
done
check "nor an admin move it to a state: it stays a version" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer $admin' -d 'id=$V&action=hide' '$base/api/v1/admin/doc')\" != 200 ] && [ \"\$(sqlite3 '$data/wenyuan.db' 'SELECT state FROM documents WHERE id = $V')\" = 4 ]"
# a crash: the version's conversion resumes past the page it held at
for p in $(converters); do kill -KILL "$p" 2>/dev/null; done
check "after the crash the new version is swapped in" \
	until_ok bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$D' | jq -e '.format == \"docx\" and .status == \"ready\" and .new_version == null' > /dev/null"
aget "$D" > "$d/new.json"
jqe '.format == "docx"' "$d/new.json" || { grep -v http.request "$d/serve.err" | tail -20; sqlite3 "$data/wenyuan.db" "SELECT id, status, state, pages FROM documents; SELECT id, doc_id, state, attempts FROM jobs"; ps -ef | grep -c wy-office; }
check "the same id, the new file's name, size and hash" jqe --arg sha "$(sha256sum "$docx" | cut -c1-64)" \
	".id == $D and .filename == \"gongwen__dist__out.docx\" and .sha256 == \$sha and .size == $(stat -c %s "$docx")" "$d/new.json"
check "views and downloads kept (views counted since too)" jqe --argjson c "$counts" '.downloads == $c.downloads and .views >= $c.views' "$d/new.json"
check "favorites count kept (1)" grep -q 'class="n">1<' <(curl -fsS "$base/doc/$D")
check "search finds the new text" until_ok found 出师表 "$D"
check "and no longer the old" not_found 校长的魅力 "$D"
check "the title the owner chose stays" jqe '.title == "四库全书总目"' "$d/new.json"
curl -fsS -D "$d/dl.h" -o "$d/dl.bin" -H "Authorization: Bearer $bob" "$base/download/$D"
check "the download is the new file" cmp -s "$d/dl.bin" "$docx"
check "  with the new name and format" bash -c "grep -i '^content-disposition' '$d/dl.h' | grep -q 'docx' && grep -i '^content-type' '$d/dl.h' | grep -qi 'word'"
check "the page's text is the new one" jqe '.items[0].text | test("诸葛亮|出师表|测试文段")' <(curl -fsS "$base/api/v1/doc/$D/pages?from=1&count=1")
check "no version row is left" [ "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM documents WHERE version_of IS NOT NULL OR state = 4")" = 0 ]

# ---- a broken file: the version fails, the document stays ----
{ printf '%%PDF-1.7\n'; head -c 4000 /dev/urandom; } > "$d/broken.pdf"
check "a broken replacement is taken (it looks like a PDF)" [ "$(rep "$alice" "$D" "$d/broken.pdf")" = 202 ]
check "its conversion fails" until_ok bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$D' | jq -e '.new_version.status == \"failed\" and (.new_version.reason | length > 0)' > /dev/null"
check "the document keeps its version" jqe '.format == "docx" and .status == "ready"' <(aget "$D")
check "search still finds its text" found 出师表 "$D"
curl -fsS -H "Authorization: Bearer $alice" "$base/doc/$D" > "$d/failed.html"
check "its page says 新版本转换失败: and why" grep -q '新版本转换失败</strong>: ' "$d/failed.html"
curl -fsS -H "Authorization: Bearer $alice" "$base/me/uploads" > "$d/me.html"
check "/me/uploads says it too" grep -q '新版本转换失败: ' "$d/me.html"
check "a visitor's page does not" lacks '新版本' <(curl -fsS "$base/doc/$D")
check "a file /upload refuses is refused: 415" [ "$(rep "$alice" "$D" /bin/sh)" = 415 ]
check "a second replace replaces the failed version" [ "$(rep "$alice" "$D" "$pdf")" = 202 ]
check "  one version row" [ "$(sqlite3 "$data/wenyuan.db" "SELECT count(*) FROM documents WHERE version_of = $D")" = 1 ]

# ---- a site that reviews uploads reviews new content too ----
kill "$spid"; wait "$spid" 2>/dev/null; spid=
serve_site WENYUAN_SERVE_FLUSH_MS=50 WENYUAN_PAGE_CACHE_MS=0
admin=$(api_login root rootpass123)
bob=$(api_login bob bobpass123)
check "an admin turns review on" [ "$(code -X POST -H "Authorization: Bearer $admin" -d upload_review=1 "$base/api/v1/admin/settings")" = 200 ]
printf '审核之前的文档\n一份普通的工作总结，内容平常。\n' > "$d/innocent.txt"
R=$(upload "$bob" "$d/innocent.txt")
check "bob's upload waits for review" until_ok bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/api/v1/doc/$R' | jq -e '.status == \"ready\" and .state == \"pending\"' > /dev/null"
check "an admin approves it" [ "$(code -X POST -H "Authorization: Bearer $admin" -d "id=$R&action=approve" "$base/api/v1/admin/doc")" = 200 ]
check "  a visitor sees it" [ "$(code "$base/api/v1/doc/$R")" = 200 ]
printf '广告推广加微信赌场\n换了内容的版本。\n' > "$d/spam.txt"
check "bob replaces its original" [ "$(rep "$bob" "$R" "$d/spam.txt")" = 202 ]
check "the new version, swapped in, waits for review again" until_ok bash -c "curl -fsS -H 'Authorization: Bearer $bob' '$base/api/v1/doc/$R' | jq -e '.new_version == null and .filename == \"spam.txt\" and .state == \"pending\"' > /dev/null"
check "  a visitor no longer sees it" [ "$(code "$base/api/v1/doc/$R")" = 404 ]
check "  nor finds its new words" not_found 加微信赌场 "$R"
check "  it is in the review queue" jqe --argjson id "$R" '[.documents[].id] | index($id) != null' <(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/admin/review")
code -X POST -H "Authorization: Bearer $admin" -d "id=$R&action=approve" "$base/api/v1/admin/doc" > /dev/null
code -X POST -H "Authorization: Bearer $admin" -d "id=$R&action=approve" "$base/api/v1/admin/doc" > /dev/null
check "bob replaces it again and deletes it at once" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' -X POST -F 'file=@$d/spam.txt;filename=spam2.txt' '$base/api/v1/doc/$R/replace')\" = 202 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' -X POST '$base/api/v1/doc/$R/delete')\" = 200 ]"
check "  the version is swapped into the binned document" until_ok bash -c "[ \"\$(sqlite3 '$data/wenyuan.db' 'SELECT count(*) FROM documents WHERE version_of = $R')\" = 0 ]"
check "  its restore brings it back under review, not published" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $bob' -X POST '$base/api/v1/doc/$R/restore')\" = 200 ] && curl -fsS -H 'Authorization: Bearer $bob' '$base/api/v1/doc/$R' | jq -e '.state == \"pending\"' > /dev/null"
code -X POST -H "Authorization: Bearer $admin" -d "id=$R&action=approve" "$base/api/v1/admin/doc" > /dev/null
check "bob's new title: 200" [ "$(edit "$bob" "$R" --data-urlencode "title=加微信领资料")" = 200 ]
check "  waits for review again" jqe '.state == "pending"' "$d/edit.json"
code -X POST -H "Authorization: Bearer $admin" -d "id=$R&action=approve" "$base/api/v1/admin/doc" > /dev/null
check "a price change alone needs no review: 200" [ "$(edit "$bob" "$R" -d price=1)" = 200 ]
check "  it stays published, a visitor sees it" bash -c "jq -e '.state == \"published\"' '$d/edit.json' > /dev/null && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$base/api/v1/doc/$R')\" = 200 ]"
check "an admin's new title: 200" [ "$(edit "$admin" "$R" --data-urlencode "title=工作总结")" = 200 ]
check "  stays published" jqe '.state == "published"' "$d/edit.json"
check "an admin's edit of another's document is audited" jqe --argjson id "$R" '[.entries[] | select(.action == "doc_edit" and (.target | test("\\b\($id)$")))] | length >= 1' <(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/admin/audit")

kill "$spid"; wait "$spid" 2>/dev/null; spid=
check "fsck is clean" "$WY_BIN" --data "$data" fsck
finish

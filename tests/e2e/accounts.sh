#!/usr/bin/env bash
# Accounts on the real server, as an attacker and as a crowd would use them:
# CSRF, escaping of what users type, private documents on every route,
# session cookie flags, banned users, points under 50 concurrent requests,
# and failed logins limited (last: it locks this address out).
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
check "wenyuan user add makes an admin" bash -c "'$WY_BIN' --data '$data' user list --json | jq -e '.[0].admin == true and .[0].name == \"boss\"' >/dev/null"
check "a short password is refused" fails_with "password" bash -c "echo short | '$WY_BIN' --data '$data' user add shorty --password-stdin"

# no points for uploads or sign-ins here: the ledger's total must only move
# when the test says so
serve_site WENYUAN_POINTS_UPLOAD=0 WENYUAN_POINTS_REGISTER=20

# api_login NAME PASSWORD: a bearer token
# the csrf token a page's forms carry
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]\{64\}"' "$1" | head -1 | grep -o '[0-9a-f]\{64\}'; }

alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
check "registering gives a token" [ ${#alice} -eq 64 ]
check "a name is taken once, whatever its case" [ "$(code -X POST "$base/api/v1/register" -d name=ALICE -d password=whatever123)" = 409 ]
check "a bad name is refused" [ "$(code -X POST "$base/api/v1/register" --data-urlencode 'name=a<b>' -d password=whatever123)" = 400 ]

# ---- what users type is shown escaped everywhere ----
printf '文渊阁藏书之所，%s\n第二行文字。\n' "$(date +%N)" > "$d/xss.txt"
# the file name as a browser sends it (curl: a filename= part, quoted)
xid=$(curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" --form-string 'title=<script>alert("t")</script>文渊阁' \
	--form-string 'description=<b>bold</b>' -F "file=@$d/xss.txt;filename=\"x<img src=x onerror=alert(2)><script>alert(3).txt\"" |
	jq -r '.documents[0].id')
check "an upload through the API is queued" eval '[ -n "$xid" ] && [ "$xid" != null ]'
check "... and converted" wait_ready "$xid" "$alice"
curl -fsS "$base/doc/$xid" > "$d/xdoc.html"
check "the title is escaped on the document page" bash -c "grep -q '&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;文渊阁' '$d/xdoc.html' && ! grep -q '<script>alert' '$d/xdoc.html'"
check "the description is escaped" bash -c "grep -q '&lt;b&gt;bold&lt;/b&gt;' '$d/xdoc.html' && ! grep -q '<b>bold' '$d/xdoc.html'"
check "the uploader's description is searchable" \
	bash -c "curl -fsS '$base/api/v1/search?q=bold' | jq -e '[.results[].id] | index($xid) != null' >/dev/null"
curl -fsS "$base/" > "$d/xhome.html"
check "the title is escaped on the home page" bash -c "grep -q '&lt;script&gt;alert' '$d/xhome.html' && ! grep -q '<script>alert' '$d/xhome.html'"
curl -fsS "$base/search?q=%E6%96%87%E6%B8%8A%E9%98%81" > "$d/xsearch.html"
check "the title is escaped in search results" bash -c "grep -q '&lt;/script&gt;' '$d/xsearch.html' && ! grep -q '<script>alert' '$d/xsearch.html'"
curl -fsS -H "Authorization: Bearer $alice" "$base/me/uploads" > "$d/xme.html"
check "the title is escaped on my uploads" bash -c "grep -q '&lt;script&gt;alert' '$d/xme.html' && ! grep -q '<script>alert' '$d/xme.html'"
boss=$(api_login boss bosspass123)
curl -fsS -H "Authorization: Bearer $boss" "$base/admin/docs" > "$d/xadmin.html"
check "file name and title are escaped in the admin area" bash -c "! grep -q '<script>alert\|<img src=x' '$d/xadmin.html' && grep -q '&lt;script&gt;alert' '$d/xadmin.html'"
curl -fsS -L -D "$d/dl.h" -o /dev/null "$base/download/$xid"
check "the download is named after the title, made safe: no < > \" /, quoted" bash -c "
	grep -qF \"filename*=UTF-8''_script_alert%28_t_%29__script_%E6%96%87%E6%B8%8A%E9%98%81.txt\" '$d/dl.h' &&
	grep -qF 'filename=\"_script_alert(_t_)__script__.txt\";' '$d/dl.h'"
check "the API gives the title as data" bash -c "curl -fsS '$base/api/v1/doc/$xid' | jq -e '.title == \"<script>alert(\\\"t\\\")</script>文渊阁\"' >/dev/null"

# ---- CSRF ----
check "logging in through the API sets no cookie (a cross-site form cannot log a browser in)" \
	bash -c "! curl -s -D - -o /dev/null -X POST '$base/api/v1/login' -d name=alice -d password=alicepass1 | grep -qi '^set-cookie'"
check "the login redirect stays on the site (tabs, backslashes, //)" bash -c "
	for n in '/%09/evil.example' '//evil.example' '/%5Cevil.example' 'https://evil.example'; do
		t=\$(curl -fsS -c '$d/r.jar' -b '$d/r.jar' '$base/login' | grep -o 'name=\"csrf\" value=\"[0-9a-f]*\"' | head -1 | grep -o '[0-9a-f]\{64\}')
		loc=\$(curl -s -D - -o /dev/null -b '$d/r.jar' -X POST '$base/login' -d name=alice -d password=alicepass1 -d csrf=\$t --data-urlencode \"next=\$(printf '%b' \"\${n//%/\\\\x}\")\" | grep -i '^location:' | tr -d '\r')
		[ \"\$loc\" = 'Location: /' ] || { echo \"# \$n -> \$loc\"; exit 1; }
	done"
jar=$d/bob.jar
curl -fsS -c "$jar" -b "$jar" "$base/login" > "$d/login.html"
tok=$(csrf_of "$d/login.html")
check "the login form carries a token" [ ${#tok} -eq 64 ]
check "logging in without the form's token is refused (403)" \
	[ "$(code -c "$jar" -b "$jar" -X POST "$base/login" -d name=bob -d password=bobpass123)" = 403 ]
check "logging in with it works (303)" \
	[ "$(code -c "$jar" -b "$jar" -X POST "$base/login" -d name=bob -d password=bobpass123 -d "csrf=$tok")" = 303 ]
curl -fsS -b "$jar" "$base/doc/$xid" > "$d/bdoc.html"
btok=$(csrf_of "$d/bdoc.html")
check "a session's token differs from the visitor's" [ "$btok" != "$tok" ]
check "favorite without the token: 403" [ "$(code -b "$jar" -X POST "$base/doc/$xid/favorite" -d on=1)" = 403 ]
check "favorite with another token: 403" [ "$(code -b "$jar" -X POST "$base/doc/$xid/favorite" -d on=1 -d "csrf=$tok")" = 403 ]
check "reward without the token: 403" [ "$(code -b "$jar" -X POST "$base/doc/$xid/reward" -d points=1)" = 403 ]
check "report without the token: 403" [ "$(code -b "$jar" -X POST "$base/doc/$xid/report" --data-urlencode reason=其他)" = 403 ]
check "upload without the token: 403" [ "$(code -b "$jar" -X POST "$base/api/v1/upload" -F "file=@$d/xss.txt")" = 403 ]
check "logout without the token: 403" [ "$(code -b "$jar" -X POST "$base/logout")" = 403 ]
check "admin action without the token: 403" [ "$(code -b "$jar" -X POST "$base/admin/doc" -d id=1 -d action=hide)" = 403 ]
check "nothing was favorited" bash -c "curl -fsS '$base/doc/$xid' | grep -q '收藏 <span class=\"n\">0</span>'"
check "favorite with the token: done (303)" [ "$(code -b "$jar" -X POST "$base/doc/$xid/favorite" -d on=1 -d "csrf=$btok")" = 303 ]
check "the header token works for scripts" \
	[ "$(code -b "$jar" -H "X-CSRF-Token: $btok" -X POST "$base/api/v1/doc/$xid/favorite" -d on=1)" = 200 ]
check "... and without it the API refuses a cookie too" \
	[ "$(code -b "$jar" -X POST "$base/api/v1/doc/$xid/favorite" -d on=1)" = 403 ]
check "the favorite counts once" bash -c "curl -fsS '$base/api/v1/me/favorites' -b '$jar' | jq -e '.total == 1' >/dev/null"

# ---- session cookies ----
# (logged in already: the form carries the session's token)
h=$(curl -s -D - -o /dev/null -X POST "$base/login" -b "$jar" -d name=bob -d password=bobpass123 -d "csrf=$btok")
ck=$(grep -i '^set-cookie: wy_s=' <<<"$h" | tr -d '\r')
check "the session cookie is HttpOnly, SameSite=Lax, for the whole site" \
	bash -c "grep -q 'HttpOnly' <<<'$ck' && grep -q 'SameSite=Lax' <<<'$ck' && grep -q 'Path=/' <<<'$ck'"
check "... not Secure over plain HTTP" bash -c "! grep -qi 'secure' <<<'$ck'"
h=$(curl -s -D - -o /dev/null -X POST "$base/login" -b "$jar" -H 'X-Forwarded-Proto: https' -d name=bob -d password=bobpass123 -d "csrf=$btok")
check "... and Secure behind HTTPS" bash -c "grep -i '^set-cookie: wy_s=' <<<'$h' | grep -q '; Secure'"
check "the token is 256 random bits in hex" bash -c "grep -q 'wy_s=[0-9a-f]\{64\};' <<<'$ck'"
check "the store keeps only its hash" bash -c "! sqlite3 '$data/wenyuan.db' \"SELECT hex(hash) FROM sessions\" | grep -qi '$(sed 's/.*wy_s=\([0-9a-f]*\).*/\1/' <<<"$ck")'"

# ---- private documents ----
printf '私有文档的正文，只有上传者能看到。%s\n' "$(date +%N)" > "$d/private.txt"
pid=$(upload "$alice" "$d/private.txt" -F private=1 -F 'title=秘密笔记' -F category=论文/学术论文)
check "a private upload is converted" wait_ready "$pid" "$alice"
img=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$pid/pages" | jq -r '.items[0].image')
check "its owner sees its page, images, text, download and QR" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/doc/$pid') = 200 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base$img') = 200 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/download/$pid') = 200 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/doc/$pid/qr.svg') = 200 ]"
check "... and finds it by searching" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/search?q=%E7%A7%98%E5%AF%86%E7%AC%94%E8%AE%B0' | jq -e '[.results[].id] | index($pid) != null' >/dev/null"
for who in anonymous bob; do
	auth=()
	[ $who = bob ] && auth=(-H "Authorization: Bearer $bob")
	all404=1
	for path in "/doc/$pid" "/doc/$pid?lang=en" "$img" "/download/$pid" "/doc/$pid/qr.svg" "/api/v1/doc/$pid" \
		"/api/v1/doc/$pid/pages" "/api/v1/doc/$pid/search?q=%E7%A7%81%E6%9C%89"; do
		c=$(code "${auth[@]}" "$base$path")
		[ "$c" = 404 ] || { echo "# $who $path: $c"; all404=0; }
	done
	check "$who: the private document is 404 on every route" [ $all404 = 1 ]
	check "$who: a paid download of it is refused too" [ "$(code "${auth[@]}" -X POST "$base/api/v1/download/$pid")" = "$([ $who = bob ] && echo 404 || echo 403)" ]
	check "$who: favoriting it is refused" [ "$(code "${auth[@]}" -X POST "$base/api/v1/doc/$pid/favorite")" != 200 ]
	check "$who: search does not find it" bash -c "curl -fsS ${auth[*]@Q} '$base/api/v1/search?q=%E7%A7%98%E5%AF%86%E7%AC%94%E8%AE%B0' | jq -e '.total == 0' >/dev/null"
	check "$who: nor the search page" bash -c "! curl -fsS ${auth[*]@Q} '$base/search?q=%E7%A7%98%E5%AF%86' | grep -q '秘密笔记'"
	check "$who: nor its category, the home page or the document list" bash -c "
		! curl -fsS ${auth[*]@Q} '$base/category/%E8%AE%BA%E6%96%87' | grep -q '秘密笔记' &&
		! curl -fsS ${auth[*]@Q} '$base/' | grep -q '秘密笔记' &&
		curl -fsS ${auth[*]@Q} '$base/api/v1/documents?limit=100' | jq -e '[.documents[].id] | index($pid) == null' >/dev/null"
done
check "the original is never a /blob (downloads have a price)" \
	[ "$(code "$base/blob/$(curl -fsS "$base/api/v1/doc/$xid" | jq -r .sha256)")" = 404 ]
check "an admin sees the private document" [ "$(code -H "Authorization: Bearer $boss" "$base/doc/$pid")" = 200 ]
check "the owner sees the name unmasked, others masked" bash -c "
	curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$xid' | grep -q '上传人 alice' &&
	curl -fsS '$base/doc/$xid?lang=zh' | grep -q '上传人 al\*\*\*\*e'"

# ---- points under concurrency ----
# three accounts with points, three priced documents, then 50 requests at
# once: rewards (some more than the giver has) and first downloads
for u in carol dave erin; do register $u "${u}pass123" > "$d/$u.tok"; done
carol=$(cat "$d/carol.tok") dave=$(cat "$d/dave.tok") erin=$(cat "$d/erin.tok")
for name in carol dave; do
	uid=$(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users?q=$name" | jq -r '.users[0].id')
	curl -fsS -X POST -H "Authorization: Bearer $boss" "$base/api/v1/admin/user" -d id="$uid" -d action=points -d delta=30 > /dev/null
done
docs=()
for i in 1 2 3; do
	printf '定价文档%s，%s\n' "$i" "$(date +%N)" > "$d/priced$i.txt"
done
docs+=("$(upload "$carol" "$d/priced1.txt" -F price=7)")
docs+=("$(upload "$dave" "$d/priced2.txt" -F price=5)")
docs+=("$(upload "$erin" "$d/priced3.txt" -F price=3)")
for i in 0 1 2; do wait_ready "${docs[$i]}" "$boss"; done
total() { curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users" | jq '[.users[].points] | add'; }
before=$(total)
check "the ledger adds up before (20 for each of 5 registered, 2 x 30 given)" [ "$before" = $((5 * 20 + 60)) ]
toks=("$carol" "$dave" "$erin")
: > "$d/results"
pids=()
for i in $(seq 50); do
	t=${toks[$((i % 3))]}
	doc=${docs[$(((i / 3) % 3))]}
	if [ $((i % 5)) = 0 ]; then
		# more than there is in the whole ledger: always refused
		(c=$(code -H "Authorization: Bearer $erin" -X POST "$base/api/v1/doc/${docs[0]}/reward" -d points=1000)
		 echo "reward $c" >> "$d/results") &
	elif [ $((i % 2)) = 0 ]; then
		(c=$(code -H "Authorization: Bearer $t" -X POST "$base/api/v1/doc/$doc/reward" -d points=$((i % 9 * 3 + 1)))
		 echo "reward $c" >> "$d/results") &
	else
		(c=$(code -H "Authorization: Bearer $t" -X POST "$base/api/v1/download/$doc")
		 echo "download $c" >> "$d/results") &
	fi
	pids+=($!)
done
wait "${pids[@]}"
after=$(total)
check "50 concurrent rewards and downloads all answered" [ "$(wc -l < "$d/results")" = 50 ]
check "... each with 200, or 402/403 (short of points, own document)" bash -c "! grep -vq ' 200$\| 402$\| 403$' '$d/results'"
echo "# $(sort "$d/results" | uniq -c | tr '\n' ' ')"
check "... some of them went through and some were refused" bash -c "grep -q 'reward 200' '$d/results' && [ \$(grep -c 'reward 402' '$d/results') -ge 10 ]"
check "the ledger's sum is unchanged ($before)" [ "$after" = "$before" ]
db=$data/wenyuan.db
check "no balance is negative" [ "$(sqlite3 "$db" 'SELECT count(*) FROM (SELECT sum(delta) s FROM ledger GROUP BY user_id) WHERE s < 0')" = 0 ]
check "every successful reward is two rows, no more, no less" \
	[ "$(sqlite3 "$db" "SELECT count(*) FROM ledger WHERE reason = 'reward'")" = "$(grep -c 'reward 200' "$d/results")" ]
check "... the same points given and received" \
	[ "$(sqlite3 "$db" "SELECT sum(delta) FROM ledger WHERE reason IN ('reward', 'rewarded')")" = 0 ]
check "a document is paid for once per reader" \
	[ "$(sqlite3 "$db" "SELECT count(*) FROM (SELECT user_id, doc_id FROM ledger WHERE reason = 'download' GROUP BY 1, 2 HAVING count(*) > 1)")" = 0 ]
check "every paid download is paid to its uploader" \
	[ "$(sqlite3 "$db" "SELECT sum(delta) FROM ledger WHERE reason IN ('download', 'sale')")" = 0 ]
# 20 rewards of 5 at once from an account of 20: exactly 4 go through
frank=$(register frank frankpass1)
: > "$d/frank"
pids=()
for i in $(seq 20); do
	(c=$(code -H "Authorization: Bearer $frank" -X POST "$base/api/v1/doc/${docs[1]}/reward" -d points=5); echo "$c" >> "$d/frank") &
	pids+=($!)
done
wait "${pids[@]}"
echo "# frank: $(sort "$d/frank" | uniq -c | tr "\n" " ")"
check "20 concurrent rewards of 5 from 20 points: exactly 4 paid, 16 refused" \
	bash -c "[ \$(grep -c 200 '$d/frank') = 4 ] && [ \$(grep -c 402 '$d/frank') = 16 ]"
check "... and the balance is 0, not below" \
	[ "$(curl -fsS -H "Authorization: Bearer $frank" "$base/api/v1/me" | jq .user.points)" = 0 ]
check "the ledger's sum still holds (+20 for frank)" [ "$(total)" = $((before + 20)) ]
check "downloading again is free" bash -c "
	b1=\$(curl -fsS -H 'Authorization: Bearer $carol' '$base/api/v1/me' | jq .user.points)
	curl -s -o /dev/null -H 'Authorization: Bearer $carol' -X POST '$base/api/v1/download/${docs[1]}'
	curl -s -o /dev/null -H 'Authorization: Bearer $carol' -X POST '$base/api/v1/download/${docs[1]}'
	b2=\$(curl -fsS -H 'Authorization: Bearer $carol' '$base/api/v1/me' | jq .user.points)
	[ \$((b1 - b2)) -le 5 ] && [ \"\$(sqlite3 '$db' \"SELECT count(*) FROM ledger l JOIN users u ON u.id = l.user_id WHERE u.name = 'carol' AND l.reason = 'download' AND l.doc_id = ${docs[1]}\")\" = 1 ]"
check "a priced download by GET spends nothing: it goes to the document's download block" bash -c "
	curl -s -D - -o /dev/null -H 'Authorization: Bearer $bob' '$base/download/${docs[0]}' |
	tr -d '\r' | grep -qx 'location: /doc/${docs[0]}#download' -i"
check "the daily sign-in pays once a day" bash -c "
	curl -fsS -X POST -H 'Authorization: Bearer $bob' '$base/api/v1/me/signin' | jq -e '.granted == true' >/dev/null &&
	curl -fsS -X POST -H 'Authorization: Bearer $bob' '$base/api/v1/me/signin' | jq -e '.granted == false' >/dev/null"

# ---- reports, moderation, bans ----
check "a report is taken" [ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$xid/report" --data-urlencode reason=广告垃圾 --data-urlencode detail=spam)" = 201 ]
again=$(curl -sS -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$xid/report" --data-urlencode reason=其他 -w ' %{http_code}')
check "a second report of the same document while the first is open: 200, no new report (one each)" \
  [ "${again##* }" = 200 ]
check "... answering the open report's id" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/reports' | jq -e --argjson r '${again% *}' '.total == 1 and .reports[0].id == \$r.report' >/dev/null"
check "a report needs a known reason" [ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/doc/$xid/report" -d reason=whatever)" = 400 ]
check "the admin's queue has it" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/reports' | jq -e '.reports[0].doc_id == $xid' >/dev/null"
check "users cannot see the admin area (404)" [ "$(code -H "Authorization: Bearer $bob" "$base/admin/reports")" = 404 ]
check "nor act in it" [ "$(code -H "Authorization: Bearer $bob" -X POST "$base/api/v1/admin/doc" -d id=$xid -d action=hide)" = 404 ]
check "an admin hides the document" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id=$xid -d action=hide)" = 200 ]
check "... which closes its reports" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/reports' | jq -e '.total == 0' >/dev/null"
check "a hidden document is 404 for visitors" [ "$(code "$base/doc/$xid")" = 404 ]
check "the audit log has the action" bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/audit' | jq -e '.entries[0].action == \"hide\" and .entries[0].target == \"doc $xid\" and .entries[0].admin == \"boss\"' >/dev/null"
bob_id=$(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/admin/users?q=bob" | jq -r '.users[0].id')
check "an admin bans bob" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/user" -d id=$bob_id -d action=ban)" = 200 ]
check "bob's sessions end at once" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/me")" = 401 ]
check "... and so does his cookie" [ "$(code -b "$jar" "$base/api/v1/me")" = 401 ]
check "a banned user cannot log in (403)" [ "$(code -X POST "$base/api/v1/login" -d name=bob -d password=bobpass123)" = 403 ]
check "the site settings change on the site" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/settings' --data-urlencode 'site_footer=© 测试站' -d preview_pages=3) = 200 ] &&
	curl -fsS '$base/' | grep -q '© 测试站'"
check "a bad setting changes nothing (400)" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/settings' -d preview_pages=0 --data-urlencode 'site_footer=不应保存') = 400 ] &&
	curl -fsS '$base/' | grep -q '© 测试站'"

# ---- past the preview (3 pages now) is the download's ----
{ for i in $(seq 300); do echo "预览测试第${i}行，文渊把每一页都变成图片和文字。"; done; echo 末页独有词; } > "$d/long.txt"
vid=$(upload "$alice" "$d/long.txt" -F 'title=多页文档')
wait_ready "$vid" "$alice"
check "a visitor's page API stops at the preview" \
	bash -c "curl -fsS '$base/api/v1/doc/$vid/pages' | jq -e '.pages > 4 and (.items | length) == 3' >/dev/null"
img4=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$vid/pages" | jq -r '.items[3].image')
check "its owner gets every page" eval '[ "$img4" != null ] && [ -n "$img4" ]'
check "page 4's image: 404 for a visitor, 200 for its owner" \
	bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$base$img4') = 404 ] && [ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base$img4') = 200 ]"
check "in-document search: no hits past the preview for a visitor, its owner sees the last page" \
	bash -c "curl -fsS '$base/api/v1/doc/$vid/search?q=%E6%9C%AB%E9%A1%B5%E7%8B%AC%E6%9C%89%E8%AF%8D' | jq -e '.total == 0' >/dev/null &&
		curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$vid/search?q=%E6%9C%AB%E9%A1%B5%E7%8B%AC%E6%9C%89%E8%AF%8D' | jq -e '.pages[0].page > 4' >/dev/null"

# ---- a failed upload is listed with its reason and can be retried ----
# (behind a compound file's signature: past the upload's first gate)
head -c $((100 << 10)) /dev/urandom > "$d/noise.docx"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' | dd of="$d/noise.docx" conv=notrunc status=none
fid=$(upload "$alice" "$d/noise.docx")
for _ in $(seq 100); do
	[ "$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$fid" | jq -r .status)" = failed ] && break
	sleep 0.2
done
check "random bytes named .docx fail with a reason, on my uploads" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/me/uploads' | jq -e '.documents[] | select(.id == $fid) | .failed == true and (.reason | length > 0)' >/dev/null"
check "... with a retry button" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/me/uploads' | grep -q 'action=\"/me/retry/$fid\"'"
check "its owner retries it" [ "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/me/retry/$fid")" = 200 ]
check "nobody else can" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/me/retry/$fid")" = 404 ]

# ---- the review policy: new uploads wait for an admin ----
curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/settings" -d upload_review=1
printf '待审核的文档。%s\n' "$(date +%N)" > "$d/review.txt"
rid=$(upload "$alice" "$d/review.txt" -F 'title=待审核文档')
wait_ready "$rid" "$alice"
check "with review on, a new upload is pending" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/api/v1/doc/$rid' | jq -e '.state == \"pending\"' >/dev/null"
check "... its owner sees it, marked" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$rid' | grep -q '待审核'"
check "... visitors do not (404)" [ "$(code "$base/doc/$rid")" = 404 ]
check "... it is in the admins' review queue" \
	bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/review' | jq -e '[.documents[].id] | index($rid) != null' >/dev/null"
check "an admin approves it" [ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id=$rid -d action=approve)" = 200 ]
check "... and everyone sees it" [ "$(code "$base/doc/$rid")" = 200 ]
check "... and finds it" bash -c "curl -fsS '$base/api/v1/search?q=%E5%BE%85%E5%AE%A1%E6%A0%B8' | jq -e '[.results[].id] | index($rid) != null' >/dev/null"
check "an admin recategorises it" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$rid -d action=category --data-urlencode 'category=电子书/文学') = 200 ] &&
	curl -fsS '$base/api/v1/doc/$rid' | jq -e '.category == \"电子书/文学\"' >/dev/null"
check "... but not into a category that does not exist" \
	[ "$(code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/doc" -d id=$rid -d action=category -d category=nowhere)" = 400 ]
check "deleting puts it in the recycle bin, restoring brings it back" bash -c "
	curl -fsS -o /dev/null -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$rid -d action=delete &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' '$base/doc/$rid') = 404 ] &&
	curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/docs?state=3' | jq -e '[.documents[].id] | index($rid) != null' >/dev/null &&
	curl -fsS -o /dev/null -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/doc' -d id=$rid -d action=restore &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' '$base/doc/$rid') = 200 ]"

# ---- failed logins are limited (this locks 127.0.0.1 out: last) ----
for i in 1 2 3 4 5; do code -X POST "$base/api/v1/login" -d name=alice -d password="wrong$i" > "$d/fail$i"; done
check "wrong passwords are 401" [ "$(cat "$d/fail1")" = 401 ]
h=$(curl -s -D - -o /dev/null -X POST "$base/api/v1/login" -d name=alice -d password=alicepass1)
check "after 5 failures even the right one is refused: 429 with Retry-After" \
	bash -c "grep -q '^HTTP/1.1 429' <<<'$h' && grep -qi '^retry-after: [0-9]' <<<'$h'"
check "the limit is logged" bash -c "grep -q 'auth.limited' '$d/serve.err'"
check "the server survived all of it" [ "$(code "$base/healthz")" = 200 ]
finish

#!/usr/bin/env bash
# Issue 18, user groups: new accounts join the default group (普通用户,
# then whichever an admin makes the default); a group without upload or
# comment rights is refused with a clear message; skip_review publishes an
# upload the site would hold for review; free_download downloads a priced
# document without paying; upload_mb refuses a larger file while it
# streams; the default group cannot be deleted, another's members move to
# the default; every change leaves an audit row; the admin tab renders.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
settings=(WENYUAN_PAGE_CACHE_MS=0 WENYUAN_UPLOAD_REVIEW=1 WENYUAN_POINTS_REGISTER=10 WENYUAN_POINTS_UPLOAD=0)
serve_site "${settings[@]}" --no-worker
boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
carol=$(register carol carolpass1)
dave=$(register dave davepass12)
eve=$(register eve evepass123)
db=$data/wenyuan.db
q() { sqlite3 "$db" "$1"; }
uid() { q "SELECT id FROM users WHERE name = '$1'"; }
gid() { q "SELECT id FROM groups WHERE name = '$1'"; }
group_of() { q "SELECT g.name FROM users u JOIN groups g ON g.id = u.group_id WHERE u.name = '$1'"; }
admin_post() { curl -s -o "$d/ans.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $boss" "$base/api/v1/admin/$1" "${@:2}"; }

check "the default group is 普通用户" [ "$(q 'SELECT name FROM groups WHERE is_default = 1')" = 普通用户 ]
check "new accounts joined it" [ "$(group_of alice)/$(group_of eve)" = 普通用户/普通用户 ]
check "the admin API lists it with its members" \
	bash -c "curl -fsS -H 'Authorization: Bearer $boss' '$base/api/v1/admin/groups' | jq -e '.groups[] | select(.name == \"普通用户\") | .is_default and .members == 6 and .can_upload and .can_comment' > /dev/null"

# groups: 受限 (no upload, no comment), 作者 (skip review, 1 MB uploads), 会员 (free downloads)
check "an admin adds 受限" [ "$(admin_post group -d action=group_add --data-urlencode name=受限)" = 200 ]
check "... and 作者" [ "$(admin_post group -d action=group_add --data-urlencode name=作者 -d can_upload=1 -d can_comment=1 -d skip_review=1 -d upload_mb=1)" = 200 ]
check "... and 会员" [ "$(admin_post group -d action=group_add --data-urlencode name=会员 -d can_upload=1 -d can_comment=1 -d free_download=1)" = 200 ]
check "a name taken is refused (409)" [ "$(admin_post group -d action=group_add --data-urlencode name=会员)" = 409 ]
check "an empty name is refused (400)" [ "$(admin_post group -d action=group_add -d name=)" = 400 ]
move() { admin_post user -d action=group -d "id=$(uid "$1")" -d "group=$(gid "$2")"; }
check "alice moves to 受限" [ "$(move alice 受限)/$(group_of alice)" = 200/受限 ]
check "bob to 作者, dave to 会员" [ "$(move bob 作者)$(move dave 会员)/$(group_of bob)/$(group_of dave)" = 200200/作者/会员 ]
check "a missing group is refused (404)" [ "$(admin_post user -d action=group -d "id=$(uid eve)" -d group=999)" = 404 ]

# a priced, published, ready document of carol's to comment on and buy
for i in $(seq 200); do echo "唐诗三百首 第${i}首：床前明月光，疑是地上霜。"; done > "$d/c.txt"
C=$(upload "$carol" "$d/c.txt" -F price=5 -F title=唐诗选)
env "${settings[@]}" "$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "carol's upload (default group) waits for review" [ "$(q "SELECT state FROM documents WHERE id = $C")" = 1 ]
admin_post doc -d action=approve -d "id=$C" > /dev/null
check "approved, it is ready and published" [ "$(curl -fsS "$base/api/v1/doc/$C" | jq -r .status)/$(q "SELECT state FROM documents WHERE id = $C")" = ready/0 ]

# no upload, no comment
echo 'hello' > "$d/small.txt"
c=$(curl -s -o "$d/up.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $alice" -F "file=@$d/small.txt" "$base/api/v1/upload")
check "受限: an upload is refused (403)" bash -c "[ $c = 403 ] && jq -e '.error == \"your user group may not upload\"' '$d/up.json' > /dev/null"
c=$(curl -s -o "$d/up.html" -w '%{http_code}' -H "Authorization: Bearer $alice" "$base/upload")
check "... the upload page says why" bash -c "[ $c = 403 ] && grep -q '你所在的用户组不能上传文档' '$d/up.html'"
c=$(curl -s -o "$d/cm.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $alice" "$base/api/v1/doc/$C/comments" --data-urlencode 'text=好诗')
check "受限: a comment is refused (403) with the reason" bash -c "[ $c = 403 ] && jq -e '.error | contains(\"不能发表评论\")' '$d/cm.json' > /dev/null"
check "... her document page shows why instead of the form" \
	bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$C' > '$d/cdoc.html' && grep -q '你所在的用户组不能发表评论。' '$d/cdoc.html' && ! grep -q 'class=\"comment-new\"' '$d/cdoc.html'"
check "eve's page has the form" grep -q 'class="comment-new"' <(curl -fsS -H "Authorization: Bearer $eve" "$base/doc/$C")
check "... and none is stored" [ "$(q "SELECT count(*) FROM comments WHERE user_id = $(uid alice)")" = 0 ]
check "eve (default group) comments" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $eve" "$base/api/v1/doc/$C/comments" --data-urlencode 'text=好诗')" = 201 ]

# skip_review and upload_mb
for i in $(seq 200); do echo "宋词选 第${i}首：大江东去，浪淘尽。"; done > "$d/b.txt"
B=$(upload "$bob" "$d/b.txt" -F title=宋词选)
check "作者: bob's upload is published without review" [ "$(q "SELECT state FROM documents WHERE id = $B")" = 0 ]
head -c $((1024 * 1024 + 4096)) /dev/zero | tr '\0' '字' > "$d/big.txt"
c=$(curl -s -o "$d/big.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $bob" -F "file=@$d/big.txt" "$base/api/v1/upload")
check "作者: a file over upload_mb (1 MB) is refused (413)" bash -c "[ $c = 413 ] && grep -q 'limit of 1 MB' '$d/big.json'"
check "... and the upload page says 1 MB" grep -q '每个文件不超过 1 MB' <(curl -fsS -H "Authorization: Bearer $bob" "$base/upload")
check "eve (default group: the site's 200 MB) may send it" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $eve" -F "file=@$d/big.txt" "$base/api/v1/upload")" = 201 ]

# free_download
points() { curl -fsS -H "Authorization: Bearer $1" "$base/api/v1/me" | jq .user.points; }
check "会员: dave sees the priced document as free" \
	[ "$(curl -fsS -H "Authorization: Bearer $dave" "$base/api/v1/doc/$C" | jq .paid)" = true ]
check "会员: dave downloads it without paying" \
	bash -c "curl -fsS -X POST -H 'Authorization: Bearer $dave' '$base/api/v1/download/$C' | cmp -s - '$d/c.txt' && [ \$(curl -fsS -H 'Authorization: Bearer $dave' '$base/api/v1/me' | jq .user.points) = 10 ]"
check "... carol earned nothing from it" [ "$(q "SELECT count(*) FROM ledger WHERE reason = 'sale'")" = 0 ]
check "eve (default group) pays 5" \
	bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer $eve' '$base/api/v1/download/$C') = 200 ] && [ \$(curl -fsS -H 'Authorization: Bearer $eve' '$base/api/v1/me' | jq .user.points) = 5 ]"

# the default group
check "the default group cannot be deleted (403)" [ "$(admin_post group -d action=group_delete -d "id=$(gid 普通用户)")" = 403 ]
check "会员 becomes the default" [ "$(admin_post group -d action=group_default -d "id=$(gid 会员)")/$(q 'SELECT name FROM groups WHERE is_default = 1')" = 200/会员 ]
frank=$(register frank frankpass1)
check "a new account joins 会员 now" [ "$(group_of frank)" = 会员 ]
check "the old ones stay where they were" [ "$(group_of eve)" = 普通用户 ]
check "受限 is deleted; alice moves to the default" [ "$(admin_post group -d action=group_delete -d "id=$(gid 受限)")/$(group_of alice)" = 200/会员 ]
check "alice may upload now" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $alice" -F "file=@$d/small.txt" "$base/api/v1/upload")" = 201 ]
check "an edit: 作者 no longer skips review" \
	[ "$(admin_post group -d action=group_edit -d "id=$(gid 作者)" --data-urlencode name=作者 -d can_upload=1)/$(q "SELECT skip_review FROM groups WHERE name = '作者'")" = 200/0 ]
check "the audit log has every change" \
	[ "$(q "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE action LIKE 'group%' ORDER BY id)")" = "group_add group_add group_add group group group group_default group_delete group_edit" ]

# the admin tab (HTML)
page=$(curl -fsS -H "Authorization: Bearer $boss" "$base/admin/groups")
check "the groups tab lists the groups" bash -c "grep -q '会员' <<<'$page' && grep -q '默认用户组' <<<'$page' && grep -q 'value=\"group_add\"' <<<'$page'"
check "the users tab offers each account's group" grep -q 'name="group"' <(curl -fsS -H "Authorization: Bearer $boss" "$base/admin/users")
check "a non-admin gets 404" [ "$(code -H "Authorization: Bearer $eve" "$base/admin/groups")" = 404 ]
finish

#!/usr/bin/env bash
# Ratings and comments (src/web/comments.c, src/store/sqlite_comments.c)
# through the API and the pages: the average and count (in the document's
# JSON and in listings), changing a rating, no rating of one's own
# upload, replies one level deep and the uploader's marked, paging, the
# hourly limit (429), comments held for review, reports of a comment and
# an admin hiding or deleting it (audited), deleting one's own, ids never
# reused (a report of a deleted comment says it is gone), one open report
# per reader and comment and 20 reports of comments an hour (429), a
# private document's comments (nobody else reads, posts, rates or counts them),
# escaping, and a kept page (doc.c reader_page) showing a new comment at
# once. alice uploads; bob, carol, dave and erin read; boss is an admin.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
"$WY_BIN" --data "$data" category add 测试/评论 > /dev/null
serve_site WENYUAN_COMMENTS_PER_HOUR=0 --no-worker

alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
carol=$(register carol carolpass1)
dave=$(register dave davepass12)
erin=$(register erin erinpass12)
boss=$(api_login boss bosspass123)
for i in $(seq 40); do echo "评论测试文档 第${i}行，文渊阁藏书。"; done > "$d/a.txt"
for i in $(seq 40); do echo "私有文档 第${i}行，只给自己看。"; done > "$d/p.txt"
A=$(upload "$alice" "$d/a.txt" -F category=测试/评论)
P=$(upload "$alice" "$d/p.txt" -F category=测试/评论 -F private=1)
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "the documents are ready" [ "$(curl -fsS "$base/api/v1/doc/$A" | jq -r .status)" = ready ]

auth() { echo "Authorization: Bearer $1"; }
rate() { curl -s -X POST -H "$(auth "$1")" "$base/api/v1/doc/$2/rating" -d "stars=$3"; }
post() { # post TOKEN DOC TEXT [PARENT]: the answer's JSON
	curl -s -X POST -H "$(auth "$1")" "$base/api/v1/doc/$2/comments" --data-urlencode "text=$3" ${4:+-d parent=$4}
}
comments() { curl -fsS ${2:+-H "$(auth "$2")"} "$base/api/v1/doc/$1/comments${3:+?page=$3}"; }

# ---- ratings ----
check "a visitor does not rate (403)" [ "$(code -X POST "$base/api/v1/doc/$A/rating" -d stars=5)" = 403 ]
check "before any rating: rating null, ratings 0" jqe '.rating == null and .ratings == 0' <<< "$(curl -fsS "$base/api/v1/doc/$A")"
check "bob rates 4" jqe '.rating == 4 and .ratings == 1 and .mine == 4' <<< "$(rate "$bob" "$A" 4)"
check "carol rates 5: average 4.5 of 2" jqe '.rating == 4.5 and .ratings == 2 and .mine == 5' <<< "$(rate "$carol" "$A" 5)"
check "bob changes his to 2: 3.5 of 2" jqe '.rating == 3.5 and .ratings == 2' <<< "$(rate "$bob" "$A" 2)"
check "the document's JSON carries it" jqe '.rating == 3.5 and .ratings == 2' <<< "$(curl -fsS "$base/api/v1/doc/$A")"
check "and the listing's" jqe --argjson a "$A" '.documents[] | select(.id == $a) | .rating == 3.5 and .ratings == 2' \
	<<< "$(curl -fsS "$base/api/v1/documents")"
check "stars 6 is refused (400)" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/rating" -d stars=6)" = 400 ]
check "stars 0 is refused (400)" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/rating" -d stars=0)" = 400 ]
check "alice may not rate her own upload (403)" [ "$(code -X POST -H "$(auth "$alice")" "$base/api/v1/doc/$A/rating" -d stars=5)" = 403 ]
check "the page shows 3.5 and 2 raters" grep -q '3.5分（2人评分）' <<< "$(curl -fsS "$base/doc/$A")"
check "the category listing shows the rating" grep -q '★3.5分' <<< "$(curl -fsS "$base/category/测试/评论")"

# ---- comments, replies one level deep ----
r=$(post "$bob" "$A" "第一条评论：写得好")
check "bob comments (published)" jqe '.state == "published" and (.comment | type) == "number"' <<< "$r"
c1=$(jq -r .comment <<< "$r")
c2=$(post "$carol" "$A" "同意楼上" "$c1" | jq -r .comment)
c3=$(post "$alice" "$A" "谢谢两位" "$c2" | jq -r .comment)
j=$(comments "$A")
check "one top comment with two replies" jqe --argjson c1 "$c1" \
	'.total == 1 and (.comments | length) == 1 and .comments[0].id == $c1 and (.comments[0].replies | length) == 2' <<< "$j"
check "a reply to a reply joins the top comment" jqe --argjson c1 "$c1" --argjson c3 "$c3" \
	'.comments[0].replies[1] | .id == $c3 and .parent == $c1' <<< "$j"
check "the uploader's reply is marked, the others' are not" jqe \
	'.comments[0].by_uploader == false and .comments[0].replies[0].by_uploader == false and .comments[0].replies[1].by_uploader == true' <<< "$j"
check "names are masked to others" jqe '.comments[0].user != "bob"' <<< "$j"
check "the page marks the uploader's reply 上传者" grep -q 'uploader-mark">上传者' <<< "$(curl -fsS "$base/doc/$A")"
check "an empty comment is refused (400)" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/comments" --data-urlencode 'text=   ')" = 400 ]
long=$(printf '长%.0s' $(seq 1001))
check "a comment over 1000 characters is refused (400)" \
	[ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/comments" --data-urlencode "text=$long")" = 400 ]
check "a reply to another document's comment is refused (404)" \
	[ "$(code -X POST -H "$(auth "$alice")" "$base/api/v1/doc/$P/comments" --data-urlencode text=x -d parent="$c1")" = 404 ]

# ---- paging: 20 top comments a page, newest first ----
for i in $(seq 21); do post "$carol" "$A" "分页评论$i" > /dev/null; done
check "22 top comments: 2 pages" jqe '.total == 22 and .pages == 2 and (.comments | length) == 20' <<< "$(comments "$A")"
check "the newest first" jqe '.comments[0].text == "分页评论21"' <<< "$(comments "$A")"
check "page 2 ends with the first comment" jqe --argjson c1 "$c1" '.page == 2 and (.comments | length) == 2 and .comments[1].id == $c1' \
	<<< "$(comments "$A" "" 2)"
check "the page links to older comments" grep -q 'href="?cp=2#comments"' <<< "$(curl -fsS "$base/doc/$A")"
check "?cp=2 shows the first comment" grep -q '第一条评论：写得好' <<< "$(curl -fsS "$base/doc/$A?cp=2")"

# ---- the hourly limit, as an admin set it (read by the store) ----
check "boss sets comments_per_hour=2" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/admin/settings" -d comments_per_hour=2)" = 200 ]
check "dave's first two comments pass" bash -c '[ "$(jq -r .state <<< "$1")" = published ] && [ "$(jq -r .state <<< "$2")" = published ]' _ \
	"$(post "$dave" "$A" "限流1")" "$(post "$dave" "$A" "限流2")"
check "his third in the hour is refused (429)" \
	[ "$(code -X POST -H "$(auth "$dave")" "$base/api/v1/doc/$A/comments" --data-urlencode text=限流3)" = 429 ]
check "and not stored" jqe '[.comments[].text] | index("限流3") == null' <<< "$(comments "$A")"
check "the form gets a page saying so (429)" \
	[ "$(code -X POST -H "$(auth "$dave")" "$base/doc/$A/comments" --data-urlencode text=限流4)" = 429 ]
curl -fsS -o /dev/null -X POST -H "$(auth "$boss")" "$base/api/v1/admin/settings" -d comments_per_hour=0

# ---- review ----
check "boss turns comment_review on" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/admin/settings" -d comment_review=1)" = 200 ]
r=$(post "$erin" "$A" "待审核的评论")
check "erin's comment is held (pending)" jqe '.state == "pending"' <<< "$r"
ce=$(jq -r .comment <<< "$r")
check "a visitor does not see it" jqe '[.comments[].text] | index("待审核的评论") == null' <<< "$(comments "$A")"
check "erin sees it, marked pending" jqe '.comments[0].text == "待审核的评论" and .comments[0].state == "pending"' <<< "$(comments "$A" "$erin")"
check "erin's page says it waits" grep -q '等待审核' <<< "$(curl -fsS -H "$(auth "$erin")" "$base/doc/$A")"
check "the admins' reports tab lists it" jqe --argjson ce "$ce" '[.pending_comments[].id] | index($ce) != null' \
	<<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/reports")"
check "boss approves it" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/admin/comment" -d action=comment_approve -d id="$ce")" = 200 ]
check "now everyone sees it" jqe '.comments[0].text == "待审核的评论" and .comments[0].state == "published"' <<< "$(comments "$A")"
curl -fsS -o /dev/null -X POST -H "$(auth "$boss")" "$base/api/v1/admin/settings" -d comment_review=0

# ---- escaping; links stay text ----
evil='<script>alert(1)</script> 看 http://evil.example/x <a href="http://evil.example/">点</a>'
cx=$(post "$bob" "$A" "$evil" | jq -r .comment)
page=$(curl -fsS "$base/doc/$A")
check "the API gives the text as written" jqe --arg e "$evil" '.comments[0].text == $e' <<< "$(comments "$A")"
check "the page shows it escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' <<< "$page"
check "no script of it on the page" bash -c '! grep -qF "<script>alert(1)" <<< "$1"' _ "$page"
check "no link to it" bash -c '! grep -qF "href=\"http://evil.example" <<< "$1"' _ "$page"

# ---- reports of a comment; an admin hides one, deletes another ----
rr=$(curl -s -X POST -H "$(auth "$carol")" "$base/api/v1/doc/$A/report" -d comment="$cx" --data-urlencode reason=广告垃圾)
check "carol reports bob's comment (201)" jqe '.report | type == "number"' <<< "$rr"
check "an unknown comment cannot be reported (404)" \
	[ "$(code -X POST -H "$(auth "$carol")" "$base/api/v1/doc/$A/report" -d comment=999999 --data-urlencode reason=广告垃圾)" = 404 ]
rep=$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/reports")
check "the reports tab shows the comment's text" jqe --argjson cx "$cx" --arg e "$evil" \
	'.reports[0] | .comment_id == $cx and .comment_text == $e and .open' <<< "$rep"
check "its page shows it escaped with hide and delete" bash -c \
	'grep -qF "&lt;script&gt;alert(1)" <<< "$1" && grep -q "value=\"comment_hide\"" <<< "$1" && grep -q "value=\"comment_delete\"" <<< "$1"' _ \
	"$(curl -fsS -H "$(auth "$boss")" "$base/admin/reports")"
check "boss hides it" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/admin/comment" -d action=comment_hide -d id="$cx")" = 200 ]
check "visitors no longer see it" jqe --argjson cx "$cx" '[.comments[].id] | index($cx) == null' <<< "$(comments "$A")"
check "nor its author" jqe --argjson cx "$cx" '[.comments[].id] | index($cx) == null' <<< "$(comments "$A" "$bob")"
check "the admin does, marked hidden" jqe --argjson cx "$cx" '.comments[] | select(.id == $cx) | .state == "hidden"' <<< "$(comments "$A" "$boss")"
check "its report is closed" jqe '.reports[0].open == false' <<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/reports?all=1")"
check "the audit log has the hide" jqe --arg t "comment $cx" '[.entries[] | select(.action == "comment_hide" and .target == $t)] | length == 1' \
	<<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/audit")"
cd1=$(post "$dave" "$A" "要被管理员删除的" | jq -r .comment)
check "boss deletes dave's from the page's form" [ "$(code -X POST -H "$(auth "$boss")" "$base/api/v1/doc/$A/comment/$cd1/delete")" = 200 ]
check "it is gone" jqe --argjson c "$cd1" '[.comments[].id] | index($c) == null' <<< "$(comments "$A" "$boss")"
check "and audited" jqe --arg t "comment $cd1" '[.entries[] | select(.action == "comment_delete" and .target == $t)] | length == 1' \
	<<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/audit")"

# ---- deleting one's own ----
cb=$(post "$bob" "$A" "bob 要删的" | jq -r .comment)
check "carol cannot delete bob's (404)" [ "$(code -X POST -H "$(auth "$carol")" "$base/api/v1/doc/$A/comment/$cb/delete")" = 404 ]
check "bob deletes his own" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/comment/$cb/delete")" = 200 ]
check "gone" jqe --argjson c "$cb" '[.comments[].id] | index($c) == null' <<< "$(comments "$A")"

# ---- ids are never reused: a report of a deleted comment names no other ----
cn=$(post "$erin" "$A" "erin 最新的评论，将被删除" | jq -r .comment)
check "carol reports erin's newest comment (201)" [ "$(code -X POST -H "$(auth "$carol")" "$base/api/v1/doc/$A/report" \
	-d comment="$cn" --data-urlencode reason=广告垃圾 -d detail=reuse)" = 201 ]
check "erin deletes it" [ "$(code -X POST -H "$(auth "$erin")" "$base/api/v1/doc/$A/comment/$cn/delete")" = 200 ]
cm=$(post "$bob" "$A" "bob 的新评论，不是被举报的那条" | jq -r .comment)
check "the next comment gets a new id ($cm > $cn)" [ "$cm" -gt "$cn" ]
check "the report of the deleted one says it is gone, not bob's text" jqe --argjson c "$cn" \
	'[.reports[] | select(.detail == "reuse")] | length == 1 and (.[0] | .comment_id == $c and .comment_state == "deleted" and .comment_text == null)' \
	<<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/reports?all=1")"

# ---- one open report per reader and comment; an hourly limit ----
first=$(curl -s -X POST -H "$(auth "$dave")" "$base/api/v1/doc/$A/report" -d comment="$cm" --data-urlencode reason=其他 -d detail=r1 | jq .report)
same=0
for i in $(seq 2 30); do
	out=$(curl -s -w '\n%{http_code}' -X POST -H "$(auth "$dave")" "$base/api/v1/doc/$A/report" -d comment="$cm" \
		--data-urlencode reason=其他 -d "detail=r$i")
	if [ "${out##*$'\n'}" = 200 ] && jq -e --argjson f "$first" '.report == $f' <<< "${out%$'\n'*}" > /dev/null; then
		same=$((same + 1))
	fi
done
check "dave's 29 repeats answer 200 with his first report's id" [ "$same" = 29 ]
check "one row for them" jqe --argjson c "$cm" '[.reports[] | select(.user == "dave" and .comment_id == $c)] | length == 1' \
	<<< "$(curl -fsS -H "$(auth "$boss")" "$base/api/v1/admin/reports?all=1")"
codes=""
for i in $(seq 20); do
	c=$(post "$erin" "$A" "erin 的第${i}条" | jq -r .comment)
	codes+="$(code -X POST -H "$(auth "$dave")" "$base/api/v1/doc/$A/report" -d comment="$c" --data-urlencode reason=其他) "
done
check "19 more reports of other comments (201), the 21st in an hour 429" \
	[ "$codes" = "$(printf '201 %.0s' $(seq 19))429 " ]
check "carol may still report (201)" [ "$(code -X POST -H "$(auth "$carol")" "$base/api/v1/doc/$A/report" -d comment="$c" --data-urlencode reason=其他)" = 201 ]

# ---- a private document: its comments are its owner's and the admins' ----
cp=$(post "$alice" "$P" "私有文档的秘密评论" | jq -r .comment)
check "alice comments on her private document" [ "$cp" -gt 0 ]
check "a visitor's comments API: 404" [ "$(code "$base/api/v1/doc/$P/comments")" = 404 ]
check "bob's: 404" [ "$(code -H "$(auth "$bob")" "$base/api/v1/doc/$P/comments")" = 404 ]
check "bob cannot comment (404)" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$P/comments" --data-urlencode text=x)" = 404 ]
check "bob cannot rate (404)" [ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$P/rating" -d stars=1)" = 404 ]
check "bob cannot reply to its comment on another document (404)" \
	[ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/comments" --data-urlencode text=x -d parent="$cp")" = 404 ]
check "bob cannot report its comment (404)" \
	[ "$(code -X POST -H "$(auth "$bob")" "$base/api/v1/doc/$A/report" -d comment="$cp" --data-urlencode reason=其他)" = 404 ]
check "a visitor's page: 404" [ "$(code "$base/doc/$P")" = 404 ]
check "the admin sees it" jqe '.comments[0].text == "私有文档的秘密评论"' <<< "$(comments "$P" "$boss")"
leak=0
for u in "/api/v1/documents" "/api/v1/search?q=私有文档" "/api/v1/home" "/doc/$A" "/api/v1/doc/$A/comments" "/doc/$P" "/search?q=私有文档"; do
	if curl -s "$base$u" | grep -q '秘密评论'; then leak=1; echo "# leaked in $u"; fi
	if curl -s -H "$(auth "$bob")" "$base$u" | grep -q '秘密评论'; then leak=1; echo "# leaked to bob in $u"; fi
done
check "its comment is in no answer to a visitor or bob" [ "$leak" = 0 ]

# ---- a kept page shows a new comment and rating at once ----
bpage() { curl -fsS -H "$(auth "$1")" "$base/doc/$A"; }
for _ in 1 2 3; do bpage "$carol" > /dev/null; done
post "$dave" "$A" "缓存之后的新评论" > /dev/null
check "carol's kept page shows dave's new comment at once" grep -q '缓存之后的新评论' <<< "$(bpage "$carol")"
check "... whole, with every form's token filled in (20 comments' forms)" bash -c \
	'grep -q "</html>" <<< "$1" && [ "$(grep -o "name=\"csrf\" value=\"[0-9a-f]\{64\}\"" <<< "$1" | wc -l)" -ge 40 ]' _ "$(bpage "$carol")"
rate "$dave" "$A" 5 > /dev/null
check "and the new average (4.0 of 3)" grep -q '4.0分（3人评分）' <<< "$(bpage "$carol")"
check "carol's page shows her own stars (5)" grep -q '已评5星' <<< "$(bpage "$carol")"
check "dave's shows his" grep -q '已评5星' <<< "$(bpage "$dave")"
check "bob's shows his 2" grep -q '已评2星' <<< "$(bpage "$bob")"

finish

#!/usr/bin/env bash
# Accessibility, layout and Lighthouse (tests/browser/a11y.test.mjs) on a
# site with what a real library has: a multi-page Chinese PDF past the
# preview (the shared corpus's 14-page 公文, or a 12-page TXT without the
# corpus), documents in two more categories, a priced one, a private one, a
# user's upload that failed, a report and an upload waiting for review (so
# the admin's queues are not empty), an admin and a user made with
# `wenyuan user add`, a public collection of the user's. Every page is visited at 1366x900 and as a phone
# (390x844); screenshots of each go to build/test-artifacts/screens/, the
# Lighthouse reports to build/test-artifacts/lighthouse/. Needs Debian's
# chromium and node (need_browser); skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
wy() { "$WY_BIN" --data "$data" "$@"; }

echo 'bosspass123' | wy user add boss --admin --password-stdin > /dev/null
echo 'readerpass1' | wy user add reader --password-stdin > /dev/null

# the document page's document: past a 5-page preview
corpus=${WY_CORPUS:-$WY_SRC/../shared/corpus}
long=$corpus/files/gongwen__out.pdf
if [ ! -f "$long" ]; then
	long=$d/党政机关公文格式.txt
	{
		echo "党政机关公文格式"
		for p in $(seq 12); do
			for i in $(seq 30); do echo "第${p}页第${i}行：公文由份号、密级、紧急程度、发文机关标志、发文字号等要素组成。"; done
			[ "$p" -lt 12 ] && printf '\f'
		done
	} > "$long"
fi
wy add --uploader boss --category 公文/范文 --title 党政机关公文格式范文 "$long" > "$d/add.out"
doc=$(awk '$1 == "added" || $1 == "exists" {print $2; exit}' "$d/add.out")
{
	echo "孙子兵法·计篇"
	for i in $(seq 40); do echo "孙子曰：兵者，国之大事，死生之地，存亡之道，不可不察也。故经之以五事，校之以计，而索其情。"; done
} > "$d/孙子兵法.txt"
{
	echo "家常菜谱"
	for i in $(seq 30); do echo "卤味：猪心、猪大肠各一副，小火慢炖两小时，出锅前撒葱花。"; done
} > "$d/家常菜谱.txt"
wy add --uploader boss --category 古籍/兵法 --title 孙子兵法 "$d/孙子兵法.txt" >> "$d/add.out"
wy add --uploader boss --category 生活/美食 --title 家常菜谱 "$d/家常菜谱.txt" >> "$d/add.out"
# a user's upload that fails to convert: a PDF's first bytes, then junk
{ printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n'; head -c 20000 /dev/urandom; } > "$d/损坏的报告.pdf"
[ -n "$doc" ] || { cat "$d/add.out"; exit 1; }

serve_site WENYUAN_PREVIEW_PAGES=5
boss=$(api_login boss bosspass123)
reader=$(api_login reader readerpass1)
# a priced document (the admin's: the reader sees its price and balance)
{
	echo "会计基础练习题"
	for i in $(seq 30); do echo "第${i}题：借贷记账法的记账规则是有借必有贷，借贷必相等。"; done
} > "$d/会计基础练习题.txt"
priced=$(upload "$boss" "$d/会计基础练习题.txt" -F title=会计基础练习题 -F category=资格与职业考试/会计 -F price=20)
# a private one of the reader's
{
	echo "我的读书笔记"
	for i in $(seq 20); do echo "第${i}条：读书破万卷，下笔如有神。"; done
} > "$d/我的读书笔记.txt"
private=$(upload "$reader" "$d/我的读书笔记.txt" -F title=我的读书笔记 -F private=1)
check "the priced document converts" wait_ready "$priced" "$boss"
check "the private document converts" wait_ready "$private" "$reader"
# uploaded by the reader's account (a failed document is its owner's and
# the admins' alone): it passes the upload's first gate, then fails
failed=$(upload "$reader" "$d/损坏的报告.pdf" -F title=损坏的报告)
check "the broken PDF fails" wait_doc "$failed" "$reader" failed
# the reader favorites, downloads and reports; then, with review on, an
# upload waits for the admin
check "a favorite" curl -fsS -o /dev/null -X POST "$base/api/v1/doc/$doc/favorite" -H "Authorization: Bearer $reader" -d on=1
check "a download" curl -fsS -o /dev/null -X POST "$base/api/v1/download/$doc" -H "Authorization: Bearer $reader"
check "a sign-in" curl -fsS -o /dev/null -X POST "$base/api/v1/me/signin" -H "Authorization: Bearer $reader"
check "a report" curl -fsS -o /dev/null -X POST "$base/api/v1/doc/$doc/report" -H "Authorization: Bearer $reader" \
	--data-urlencode reason=内容错误或无法阅读 --data-urlencode detail=第三页的表格缺了一列
check "a rating" curl -fsS -o /dev/null -X POST "$base/api/v1/doc/$doc/rating" -H "Authorization: Bearer $reader" -d stars=4
cm=$(curl -fsS -X POST "$base/api/v1/doc/$doc/comments" -H "Authorization: Bearer $reader" \
	--data-urlencode text=这份范文的格式很规范，附件一节尤其有用。 | jq -r .comment)
check "a comment" test "$cm" -gt 0
check "the uploader's reply" curl -fsS -o /dev/null -X POST "$base/api/v1/doc/$doc/comments" -H "Authorization: Bearer $boss" \
	--data-urlencode text=谢谢，附件格式见第十页。 -d parent="$cm"
check "a report of the comment" curl -fsS -o /dev/null -X POST "$base/api/v1/doc/$doc/report" -H "Authorization: Bearer $reader" \
	-d comment="$cm" --data-urlencode reason=其他
check "review on" curl -fsS -o /dev/null -X POST "$base/api/v1/admin/settings" -H "Authorization: Bearer $boss" \
	--data-urlencode upload_review=1
pending=$(upload "$reader" "$d/孙子兵法.txt" -F title=孙子兵法读后感 -F category=古籍/兵法)
check "an upload waits for review" test -n "$pending"
# a public collection of the reader's with two documents, favorited by the admin
coll=$(curl -fsS -X POST "$base/api/v1/collections" -H "Authorization: Bearer $reader" --data-urlencode name=公文学习资料 \
	--data-urlencode description=公文格式与会计练习。 -d public=1 -d "doc=$doc" | jq -r .collection)
check "a collection" curl -fsS -o /dev/null -X POST "$base/api/v1/collection/$coll/add" -H "Authorization: Bearer $reader" -d "doc=$priced"
check "a favorite of it" curl -fsS -o /dev/null -X POST "$base/api/v1/collection/$coll/favorite" -H "Authorization: Bearer $boss" -d on=1
# articles and the site's links: a notice, a navigation link, a banner
# (a picture of the site's own) and a friend link in every page's frame
check "a notice" curl -fsS -o /dev/null -X POST "$base/api/v1/admin/article" -H "Authorization: Bearer $boss" \
	-d action=article_save -d slug=welcome --data-urlencode title=欢迎使用文库 \
	--data-urlencode $'body_md=## 怎样上传\n\n登录后点**上传**，选择文件。\n\n- 支持 PDF、Word\n- 支持 TXT\n\n> 提示：[帮助](/articles?kind=help)'
for l in 'kind=nav&title=公告与帮助&url=/articles' 'kind=friend&title=示例友站&url=https://friend.example.org/' \
	'kind=banner&title=欢迎使用文库&url=/article/welcome&image=/static/favicon.svg'; do
	check "a link: $l" curl -fsS -o /dev/null -X POST "$base/api/v1/admin/link" -H "Authorization: Bearer $boss" \
		-d action=link_save -d "$l"
done

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_DOC=$doc WY_PRICED=$priced WY_FAILED=$failed WY_PRIVATE=$private WY_COLLECTION=$coll \
	WY_ADMIN=boss:bosspass123 WY_USER=reader:readerpass1 \
	WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/a11y.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/screens, Lighthouse reports in $art/lighthouse"
finish && exit $rc

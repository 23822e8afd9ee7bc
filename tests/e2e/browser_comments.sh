#!/usr/bin/env bash
# The ratings and comments browser test (tests/browser/comments.test.mjs,
# "must show" 1 of issue 17) against a real server: a public and a private
# document of alice's (converted by `wenyuan worker --until-idle`), readers
# bob and carol, admin boss; alice's comment on her private document is
# what no one else may see. Needs Debian's chromium and node; skips (77)
# without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_PAGE_CACHE_MS=5000 --no-worker

alice=$(register alice alicepass1)
register bob bobpass123 > /dev/null
register carol carolpass1 > /dev/null
for i in $(seq 30); do echo "文渊阁藏书记 第${i}段：评分与评论的浏览器测试。"; done > "$d/public.txt"
for i in $(seq 30); do echo "私人笔记 第${i}段：只给自己看。"; done > "$d/private.txt"
doc=$(upload "$alice" "$d/public.txt" -F title=文渊阁藏书记)
priv=$(upload "$alice" "$d/private.txt" -F title=私人笔记 -F private=1)
"$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
check "the documents are ready" wait_ready "$doc" "$alice"
secret=只有上传者自己能看到的私密评论
check "alice comments on her private document" jqe '.comment > 0' \
	<<< "$(curl -fsS -X POST -H "Authorization: Bearer $alice" "$base/api/v1/doc/$priv/comments" --data-urlencode "text=$secret")"

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_DOC=$doc WY_PRIVATE=$priv WY_PRIVATE_COMMENT=$secret WY_ADMIN_PASSWORD=bosspass123 \
	WY_ARTIFACTS=$art WY_CHROMIUM=$chromium \
	node --test --test-reporter=spec "$bdir/comments.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art"
finish && exit $rc

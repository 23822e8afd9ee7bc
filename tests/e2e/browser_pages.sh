#!/usr/bin/env bash
# Articles and the site's frame in a real browser
# (tests/browser/pages.test.mjs): an admin writes an article in the admin
# area's form, a visitor reads it; the home page's navigation link,
# banner and footer (legal pages, friend link, ICP and 公安备案 numbers
# with their links) at 1366 and 390 px, axe-core clean. Screenshots of the
# footer in build/test-artifacts/pages-footer-{1366,390}.png. Needs
# Debian's chromium and node; skips (77) without them.
source "$(dirname "$0")/lib.bash"

need_browser
new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site
boss=$(api_login boss bosspass123)
check "the licence numbers are set" curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/settings" \
	--data-urlencode 'site_icp=京ICP备12345678号-1' --data-urlencode 'site_psb=京公网安备11010502030143号'
for l in 'kind=nav&title=公告与帮助&url=/articles' 'kind=friend&title=示例友站&url=https://friend.example.org/' \
	'kind=banner&title=开馆通知&url=/article/opening&image=/static/favicon.svg'; do
	check "a link: $l" curl -fsS -o /dev/null -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/link" \
		-d action=link_save -d "$l"
done

art=$(dirname "$WY_BIN")/test-artifacts
rc=0
WY_BASE=$base WY_ARTIFACTS=$art WY_CHROMIUM=$chromium WY_ADMIN=boss:bosspass123 \
	node --test --test-reporter=spec "$bdir/pages.test.mjs" || rc=$?
[ $rc = 0 ] || { echo "# server log:"; tail -20 "$d/serve.err"; }
echo "# screenshots in $art/pages-*.png"
finish && exit $rc

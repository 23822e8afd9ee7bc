#!/usr/bin/env bash
# Issue 18, "must show" 1: what search engines read. The sitemap index and
# every part it names validate against the sitemaps.org 0.9 schema
# (tests/e2e/sitemap/*.xsd, written from the protocol's text) with
# xmllint; parts cut the documents by id (sitemap_part_urls=3 here, so a
# handful of documents make several parts); a public document is in
# exactly one part while a private, a hidden and a deleted one, and a new
# version's row, are in none; a document made private later leaves its
# part at once, and one made public again comes back (the parts are kept
# only while the store says their list is unchanged). Public collections
# are listed, private ones are not. robots.txt is served, its default
# keeps the private paths out and names the sitemap, and the setting
# replaces it. Pages: a canonical URL, a description from the document's
# own text, Open Graph, JSON-LD that parses (jq) and names the document
# with the text of the preview only, escaped so that "</script>" in a
# document cannot close its element; search results are noindex. A Host
# header never reaches another visitor's page (the page is kept and
# shared), a Host that is no host name gives no base (the sitemap says
# 400), and site_url wins over the Host.
source "$(dirname "$0")/lib.bash"

xsd=$(cd "$(dirname "$0")" && pwd)/sitemap
command -v xmllint > /dev/null || { echo "1..0 # SKIP xmllint (libxml2-utils) is not installed"; exit 0; }

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
settings=(WENYUAN_SITEMAP_PART_URLS=3 WENYUAN_PREVIEW_PAGES=2 WENYUAN_POINTS_UPLOAD=0)
serve_site "${settings[@]}" --no-worker
db=$data/wenyuan.db
boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
is() { [ "$1" = "$2" ] || { echo "# got $1, want $2"; return 1; }; }
admin_post() { code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/$1" "${@:2}"; }

# text NAME: about 4 pages of a text with a word of its own; the first
# lines carry markup and a script's end, which no page may let through
text() {
	printf '%s\n' "开头</script><script>alert(1)</script> <b>粗</b> & 结束。"
	for i in $(seq 250); do echo "$1 第${i}行，文渊阁藏书，书目提要。"; done
}
up() { # up NAME [curl -F args...]: alice uploads; the new id
	local name=$1; shift
	text "$name" > "$d/$name.txt"
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F "title=标题$name" "$@" \
		-F "file=@$d/$name.txt" | jq -r '.documents[0].id'
}
declare -A id
for k in p1 p2 p3 p4 p5 p6; do id[$k]=$(up "$k"); done
id[private]=$(up private -F private=1)
id[hidden]=$(up hidden)
id[deleted]=$(up deleted)
id[last]=$(up last)
env "${settings[@]}" "$WY_BIN" --data "$data" worker --until-idle 2> /dev/null
status() { curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$1" | jq -r .status; }
for k in "${!id[@]}"; do check "$k (${id[$k]}) is ready" is "$(status "${id[$k]}")" ready; done
check "the admin hides one" is "$(admin_post doc -d "id=${id[hidden]}" -d action=hide)" 200
check "alice deletes one" is "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/${id[deleted]}/delete")" 200
# a new version of p1 converting: a row of its own, nobody's to list
curl -fsS -o /dev/null -X POST "$base/api/v1/doc/${id[p1]}/replace" -H "Authorization: Bearer $alice" -F "file=@$d/p2.txt" ||
	curl -fsS -o /dev/null -X POST "$base/api/v1/doc/${id[p1]}/replace" -H "Authorization: Bearer $alice" -F "file=@$d/last.txt" || true
vrow=$(store_q "SELECT id FROM documents WHERE version_of = ${id[p1]}")
check "p1 has a new version's row" [ -n "$vrow" ]
post() { curl -fsS -H "Authorization: Bearer $alice" -X POST "$base/api/v1$1" "${@:2}"; }
pubc=$(post /collections --data-urlencode name=公开专辑 -d public=1 | jq -r .collection)
privc=$(post /collections --data-urlencode name=私人专辑 -d public=0 | jq -r .collection)
check "two collections" [ "$pubc" -gt 0 ] && [ "$privc" -gt 0 ]

# ---- the sitemap ----
# sitemap: fetch the index and every part into $d/sm/, validate each,
# and write every <loc> of the parts to $d/locs (one per line, with the
# part's name)
sitemap() {
	rm -rf "$d/sm" && mkdir "$d/sm" && : > "$d/locs" || return 1
	curl -fsS "$base/sitemap.xml" -o "$d/sm/index.xml" || return 1
	xmllint --noout --schema "$xsd/siteindex.xsd" "$d/sm/index.xml" 2> "$d/sm/index.err" || { cat "$d/sm/index.err"; return 1; }
	local loc name
	for loc in $(xmllint --xpath '//*[local-name()="loc"]/text()' "$d/sm/index.xml"); do
		name=${loc##*/}
		curl -fsS "$loc" -o "$d/sm/$name" || { echo "# $loc"; return 1; }
		xmllint --noout --schema "$xsd/sitemap.xsd" "$d/sm/$name" 2> "$d/sm/$name.err" || { cat "$d/sm/$name.err"; return 1; }
		xmllint --xpath '//*[local-name()="loc"]/text()' "$d/sm/$name" | sed "s|^|$name |" >> "$d/locs"
	done
}
check "/sitemap.xml and each of its parts validate against the sitemap schema" sitemap
check "the index names several document parts (3 ids a part)" [ "$(grep -c '/sitemap/docs-[0-9]*\.xml' "$d/sm/index.xml")" -ge 3 ]
check "no part holds more than 3 documents" bash -c "! grep ' $base/doc/' '$d/locs' | cut -d' ' -f1 | sort | uniq -c | awk '\$1 > 3' | grep -q ."
in_parts() { grep -c " $base/doc/$1\$" "$d/locs"; }
for k in p1 p2 p3 p4 p5 p6 last; do check "public $k is in exactly one part" is "$(in_parts "${id[$k]}")" 1; done
for k in private hidden deleted; do check "the $k document is in no part" is "$(in_parts "${id[$k]}")" 0; done
check "nor p1's new version's row" is "$(in_parts "$vrow")" 0
check "every <url> has a lastmod" is "$(cat "$d"/sm/docs-*.xml | grep -c '<url>')" "$(cat "$d"/sm/docs-*.xml | grep -c '<lastmod>')"
check "the public collection is listed" grep -q " $base/collection/$pubc\$" "$d/locs"
check "the private collection is not" bash -c "! grep -q ' $base/collection/$privc\$' '$d/locs'"
check "the home page and a category are listed" bash -c "grep -q ' $base/\$' '$d/locs' && grep -q ' $base/category/' '$d/locs'"
check "the articles part lists the articles' page and the legal pages (public from the start)" bash -c \
	"grep -q '^articles.xml $base/articles\$' '$d/locs' && grep -q '^articles.xml $base/article/terms\$' '$d/locs'"
check "a part that lists nothing is 404" is "$(code "$base/sitemap/docs-999.xml") $(code "$base/sitemap/nothing.xml")" "404 404"
# gzip'd to a client that takes it, the same XML
part=$(grep -o 'docs-[0-9]*\.xml' "$d/sm/index.xml" | head -1)
check "a part gzip'd to a client that takes gzip is the same XML" bash -c \
	"[ \"\$(curl -fsS -D '$d/h' -H 'Accept-Encoding: gzip' '$base/sitemap/$part' | gunzip | sha1sum)\" = \"\$(sha1sum < '$d/sm/$part')\" ] &&
	 grep -qi '^content-encoding: gzip' '$d/h'"

# changes show at once: p3 made private leaves its part, back public it
# returns; a new upload appears in its part
part_of() { grep " $base/doc/$1\$" "$d/locs" | cut -d' ' -f1; }
p3part=$(part_of "${id[p3]}")
neighbours=$(grep "^$p3part " "$d/locs" | grep -v "/doc/${id[p3]}\$" | sort)
check "alice makes p3 private" is "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/${id[p3]}/edit" -d private=1)" 200
check "... its page is 404 to a visitor" is "$(code "$base/doc/${id[p3]}")" 404
sitemap
check "... and it is in no part of the sitemap" is "$(in_parts "${id[p3]}")" 0
check "... while its part's neighbours stay" is "$(grep "^$p3part " "$d/locs" | sort)" "$neighbours"
check "alice makes it public again" is "$(code -H "Authorization: Bearer $alice" -X POST "$base/api/v1/doc/${id[p3]}/edit" -d private=0)" 200
sitemap
check "... and it is back, in the same part" is "$(part_of "${id[p3]}")" "$p3part"
check "the admin hides p2" is "$(admin_post doc -d "id=${id[p2]}" -d action=hide)" 200
sitemap
check "... and p2 is in no part" is "$(in_parts "${id[p2]}")" 0

# ---- robots.txt ----
curl -fsS -D "$d/rh" "$base/robots.txt" -o "$d/robots.txt"
check "robots.txt is served as text" grep -qi '^content-type: text/plain' "$d/rh"
for p in /admin /me /api/ /upload /download/; do check "the default keeps $p out" grep -qx "Disallow: $p" "$d/robots.txt"; done
check "... and names the sitemap" grep -qx "Sitemap: $base/sitemap.xml" "$d/robots.txt"
check "the admin sets robots_txt" is "$(admin_post settings --data-urlencode $'robots_txt=User-agent: *\nDisallow: /secret-of-the-test\n')" 200
check "robots.txt is the setting now" bash -c "curl -fsS '$base/robots.txt' | grep -qx 'Disallow: /secret-of-the-test'"
check "an empty field is no change through the API" bash -c \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/settings' -d robots_txt=) = 200 ] &&
	 curl -fsS '$base/robots.txt' | grep -qx 'Disallow: /secret-of-the-test'"
check "back to the default when it is emptied (clear=robots_txt)" bash -c \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $boss' -X POST '$base/api/v1/admin/settings' -d clear=robots_txt) = 200 ] &&
	 curl -fsS '$base/robots.txt' | grep -qx 'Disallow: /admin'"

# ---- the document page ----
doc=${id[p4]}
curl -fsS "$base/doc/$doc" -o "$d/doc.html"
check "the page has its canonical URL" grep -qF "<link rel=\"canonical\" href=\"$base/doc/$doc\">" "$d/doc.html"
check "a description from its own text, escaped" grep -qF '<meta name="description" content="开头&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;粗&lt;/b&gt; &amp; 结束。' "$d/doc.html"
for p in og:title og:type og:url og:image og:description og:site_name; do
	check "Open Graph: $p" grep -q "<meta property=\"$p\" content=\"[^\"]" "$d/doc.html"
done
check "og:image is its first page's image, absolute" bash -c \
	"grep -qF \"<meta property=\\\"og:image\\\" content=\\\"$base\$(curl -fsS '$base/api/v1/doc/$doc/pages?count=1' | jq -r '.items[0].image')\\\">\" '$d/doc.html'"
# the JSON-LD element, whole: it must end at its own </script>
sed -n 's|.*<script type="application/ld+json">\(.*\)</script>.*|\1|p' "$d/doc.html" > "$d/ld.json"
check "one JSON-LD element" is "$(grep -c 'application/ld+json' "$d/doc.html")" 1
check "its JSON parses and is a schema.org DigitalDocument named as the document" \
	jqe '.["@context"] == "https://schema.org" and .["@type"] == "DigitalDocument" and .name == "标题p4"' "$d/ld.json"
check "... with its url, author (masked), dates, pages and format" jqe --arg u "$base/doc/$doc" \
	'.url == $u and .author.name == "al****e" and (.datePublished | test("^\\d{4}-\\d{2}-\\d{2}T")) and .numberOfPages >= 3 and (.encodingFormat | startswith("text/plain"))' "$d/ld.json"
check "... and the text, markup and all" jqe '.text | contains("开头</script><script>alert(1)</script>") and contains("p4 第1行")' "$d/ld.json"
check "no '<' inside the element: no text can close it" bash -c "! grep -o '<script type=\"application/ld+json\">[^<]*' '$d/doc.html' | grep -q '</script><script>alert'"
# the preview only (2 pages of about 4): the last line is past it
check "only the preview's text (page 3 on is the download's)" jqe '.text | contains("p4 第250行") | not' "$d/ld.json"
check "... for its owner too" bash -c "curl -fsS -H 'Authorization: Bearer $alice' '$base/doc/$doc' |
	sed -n 's|.*<script type=\"application/ld+json\">\\(.*\\)</script>.*|\\1|p' | jq -e '.text | contains(\"p4 第250行\") | not' >/dev/null"

# ---- other pages ----
canon() { curl -fsS "$@" | grep -o '<link rel="canonical" href="[^"]*">' | sed 's/.*href="\([^"]*\)".*/\1/'; }
check "home: canonical /" is "$(canon "$base/")" "$base/"
check "home: a description" bash -c "curl -fsS '$base/' | grep -q '<meta name=\"description\" content=\"[^\"]'"
check "a category: canonical without its filters" is "$(canon "$base/category/%E6%95%99%E8%82%B2%E8%B5%84%E6%96%99?format=pdf")" \
	"$base/category/%E6%95%99%E8%82%B2%E8%B5%84%E6%96%99"
check "a list's page number stays" is "$(canon "$base/?page=2")" "$base/?page=2"
check "a collection: canonical" is "$(canon "$base/collection/$pubc")" "$base/collection/$pubc"
curl -fsS "$base/search?q=%E6%96%87%E6%B8%8A" -o "$d/search.html"
check "search results are noindex" grep -qF '<meta name="robots" content="noindex, follow">' "$d/search.html"
check "... and a document page is not" lacks 'name="robots"' "$d/doc.html"
curl -s "$base/doc/999999" -o "$d/404.html"
check "a 404 names no canonical URL and is noindex" bash -c \
	"! grep -q 'rel=\"canonical\"' '$d/404.html' && grep -qF '<meta name=\"robots\" content=\"noindex, follow\">' '$d/404.html'"

# ---- the base: Host, site_url ----
check "another Host: its own base in its answer" is "$(canon -H 'Host: other.example:8080' "$base/doc/$doc")" \
	"http://other.example:8080/doc/$doc"
check "... never in the next visitor's (the page is kept for all)" is "$(canon "$base/doc/$doc")" "$base/doc/$doc"
check "a Host that is no host name: no base, a path" is "$(canon -H 'Host: a"b<c' "$base/doc/$doc")" "/doc/$doc"
check "... and the sitemap refuses it (400)" is "$(code -H 'Host: a"b<c' "$base/sitemap.xml")" 400
# a part is kept with a mark where the base goes, so no Host header makes
# the server build it again: each Host gets its own base in the URLs,
# the part built once (the metrics count each build)
built() { curl -fsS "$base/metrics" | sed -n 's/^wenyuan_sitemap_parts_built_total //p'; }
check "alice makes p5 private and public again (its part's list changes)" bash -c \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/${id[p5]}/edit' -d private=1) = 200 ] &&
	 [ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $alice' -X POST '$base/api/v1/doc/${id[p5]}/edit' -d private=0) = 200 ]"
p5part=$(part_of "${id[p5]}")
b0=$(built)
check "the metrics count the parts built" [ -n "$b0" ]
locs_of() { grep -o '<loc>[^<]*</loc>' | sed 's/<loc>\(.*\)<\/loc>/\1/'; }
only_base() { # only_base BASE: every <loc> of stdin starts with BASE/, and there is one
	local l n=0
	while read -r l; do [[ $l == "$1"/* ]] || { echo "# $l"; return 1; }; n=$((n + 1)); done
	[ $n -gt 0 ]
}
check "Host h1.example: the part's URLs carry its base" bash -c \
	"curl -fsS -H 'Host: h1.example' '$base/sitemap/$p5part' | grep -o '<loc>[^<]*</loc>' | sed 's/<loc>\\(.*\\)<\\/loc>/\\1/' > '$d/h1'" 
check "... every one" only_base http://h1.example < "$d/h1"
check "... p5 among them" grep -qx "http://h1.example/doc/${id[p5]}" "$d/h1"
check "... built once for it" is "$(built)" $((b0 + 1))
for h in h2.example other.example:8080 h3.example; do
	check "Host $h, plain: its own base" bash -c "curl -fsS -H 'Host: $h' '$base/sitemap/$p5part' | grep -o '<loc>[^<]*</loc>' | sed 's/<loc>\\(.*\\)<\\/loc>/\\1/' > '$d/hx'"
	check "... every one" only_base "http://$h" < "$d/hx"
	check "Host $h, gzip'd: its own base, the same list" bash -c \
		"curl -fsS -H 'Host: $h' -H 'Accept-Encoding: gzip' '$base/sitemap/$p5part' | gunzip | grep -o '<loc>[^<]*</loc>' | sed 's/<loc>\\(.*\\)<\\/loc>/\\1/' | cmp -s - '$d/hx'"
done
check "the first Host again, gzip'd: its own base" bash -c \
	"curl -fsS -H 'Host: h1.example' -H 'Accept-Encoding: gzip' '$base/sitemap/$p5part' | gunzip | grep -o '<loc>[^<]*</loc>' | sed 's/<loc>\\(.*\\)<\\/loc>/\\1/' | cmp -s - '$d/h1'"
check "... and the request's own Host" bash -c "curl -fsS '$base/sitemap/$p5part' | grep -q '<loc>$base/doc/${id[p5]}</loc>'"
check "... the part still built only once" is "$(built)" $((b0 + 1))
check "a part validates with another Host's base too" bash -c \
	"curl -fsS -H 'Host: h2.example' '$base/sitemap/$p5part' > '$d/h2.xml' && xmllint --noout --schema '$xsd/sitemap.xsd' '$d/h2.xml' 2> /dev/null"
check "the admin sets site_url" is "$(admin_post settings --data-urlencode site_url=https://wenku.example.com/)" 200
check "site_url wins over the Host: canonical" is "$(canon -H 'Host: other.example' "$base/doc/$doc")" \
	"https://wenku.example.com/doc/$doc"
check "... and the sitemap's URLs" bash -c "curl -fsS '$base/sitemap.xml' | grep -q '<loc>https://wenku.example.com/sitemap/docs-1.xml</loc>'"
check "... and robots.txt's" bash -c "curl -fsS '$base/robots.txt' | grep -qx 'Sitemap: https://wenku.example.com/sitemap.xml'"

finish

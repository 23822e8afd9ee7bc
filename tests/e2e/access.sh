#!/usr/bin/env bash
# One access rule on every route (issue 13): for a public, a private, a
# hidden and a pending document of alice's, each longer than the preview
# (3 pages), every route gives the same answer to the same reader, asked
# as a visitor, as another user (bob), as the owner and as an admin:
# the page, its JSON twin, the pages API, in-document search, the QR code,
# the download, page images inside and past the preview, the document
# list, a category listing and search. Who may see a document at all is
# web_can_see (admins see every one); the listings a reader browses and
# searches (category, search) show what web_user_can_see allows, an
# admin's own view without an admin's rights; how many pages is
# web_pages_readable (all for the owner and admins, else the preview).
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
"$WY_BIN" --data "$data" category add 测试/访问 > /dev/null
serve_site WENYUAN_PREVIEW_PAGES=3 WENYUAN_PAGE_CACHE_MS=0

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)
admin_post() { code -H "Authorization: Bearer $boss" -X POST "$base/api/v1/admin/$1" "${@:2}"; }

# kind -> a text of about 8 pages with a word of its own
upload() { # upload KIND [curl -F args...]: the new document's id
	local kind=$1; shift
	for i in $(seq 330); do echo "访问规则${kind}词 第${i}行，文渊阁藏书。"; done > "$d/$kind.txt"
	curl -fsS -X POST "$base/api/v1/upload" -H "Authorization: Bearer $alice" -F category=测试/访问 "$@" \
		-F "file=@$d/$kind.txt" | jq -r '.documents[0].id'
}
declare -A id
id[public]=$(upload public)
id[private]=$(upload private -F private=1)
id[hidden]=$(upload hidden)
check "upload review turned on" [ "$(admin_post settings -d upload_review=1)" = 200 ]
id[pending]=$(upload pending)
check "upload review turned off" [ "$(admin_post settings -d upload_review=0)" = 200 ]
check "the admin hides one" [ "$(admin_post doc -d "id=${id[hidden]}" -d action=hide)" = 200 ]
ready() { [ "$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$1" | jq -r .status)" = ready ]; }
for k in public private hidden pending; do
	check "the $k document is converted" eventually ready "${id[$k]}"
done
# the images of page 1 and page 5 of each, as the owner reads them
declare -A img1 img5
for k in public private hidden pending; do
	pj=$(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/${id[$k]}/pages?count=5")
	img1[$k]=$(jq -r '.items[0].image' <<<"$pj")
	img5[$k]=$(jq -r '.items[4].image' <<<"$pj")
	check "the $k document has at least 5 pages" [ "$(jq .pages <<<"$pj")" -ge 5 ]
done

declare -A auth=([visitor]="" [bob]="$bob" [alice]="$alice" [boss]="$boss")
as() { local t=${auth[$1]}; shift; if [ -n "$t" ]; then curl -s -H "Authorization: Bearer $t" "$@"; else curl -s "$@"; fi; }
as_code() { as "$1" -o /dev/null -w '%{http_code}' "${@:2}"; }
# what the rule says: may WHO see KIND at all, as a reader, and its pages
sees() { [ "$2" = public ] || [ "$1" = alice ] || [ "$1" = boss ]; }
sees_as_reader() { [ "$2" = public ] || [ "$1" = alice ]; }
all_pages() { [ "$1" = alice ] || [ "$1" = boss ]; }
is() { [ "$1" = "$2" ] || { echo "# got $1, want $2"; return 1; }; }

for who in visitor bob alice boss; do
	for k in public private hidden pending; do
		n=${id[$k]}
		if sees "$who" "$k"; then want=200; else want=404; fi
		check "$who, $k: the page" is "$(as_code "$who" "$base/doc/$n")" $want
		check "$who, $k: its JSON twin" is "$(as_code "$who" "$base/api/v1/doc/$n")" $want
		check "$who, $k: the pages API" is "$(as_code "$who" "$base/api/v1/doc/$n/pages")" $want
		check "$who, $k: the layout API" is "$(as_code "$who" "$base/api/v1/doc/$n/layout")" $want
		check "$who, $k: in-document search" is "$(as_code "$who" "$base/api/v1/doc/$n/search?q=x")" $want
		check "$who, $k: the QR code" is "$(as_code "$who" "$base/doc/$n/qr.svg")" $want
		dl=$(as_code "$who" "$base/download/$n")
		if [ $want = 200 ]; then check "$who, $k: the download" [ "$dl" != 404 ]; else check "$who, $k: no download" is "$dl" 404; fi
		check "$who, $k: page 1's image" is "$(as_code "$who" "$base${img1[$k]}")" $want
		if sees "$who" "$k" && all_pages "$who"; then w5=200; else w5=404; fi
		check "$who, $k: page 5's image (past the preview)" is "$(as_code "$who" "$base${img5[$k]}")" $w5
		if sees "$who" "$k"; then
			total=$(as "$who" "$base/api/v1/doc/$n" | jq .pages)
			if all_pages "$who"; then np=$total; else np=3; fi
			[ "$np" -gt 20 ] && np=20
			check "$who, $k: the pages API gives $np pages" is "$(as "$who" "$base/api/v1/doc/$n/pages" | jq '.items | length')" "$np"
			if all_pages "$who"; then np=$total; else np=3; fi
			[ "$np" -gt 10 ] && np=10
			check "$who, $k: the layout API gives $np pages" is "$(as "$who" "$base/api/v1/doc/$n/layout?count=10" | jq '.items | length')" "$np"
			if all_pages "$who"; then np=$total; else np=3; fi
			check "$who, $k: the page shows $np pages" is "$(as "$who" "$base/doc/$n" | grep -c 'class="page" id="p')" "$np"
		fi
		listed=$(as "$who" "$base/api/v1/documents?limit=100" | jq --argjson n "$n" '[.documents[].id] | index($n) != null')
		if sees "$who" "$k"; then check "$who, $k: in the document list" is "$listed" true
		else check "$who, $k: not in the document list" is "$listed" false; fi
		incat=$(as "$who" "$base/api/v1/category/测试/访问" | jq --argjson n "$n" '[.documents[].id] | index($n) != null')
		found=$(as "$who" -G "$base/api/v1/search" --data-urlencode "q=访问规则${k}词" | jq --argjson n "$n" '[.results[].id] | index($n) != null')
		if sees_as_reader "$who" "$k"; then want=true; else want=false; fi
		check "$who, $k: the category listing says $want" is "$incat" $want
		check "$who, $k: search says $want" is "$found" $want
	done
done
finish

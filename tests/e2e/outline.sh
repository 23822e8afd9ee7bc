#!/usr/bin/env bash
# A document's outline (issue 21): a DOCX with Heading 1/Heading 2
# paragraphs on three pages, written by this test, is converted through
# LibreOffice's PDF (its headings become bookmarks) and its outline is
# read through the API with the right titles, depths and page numbers; a
# private document's outline is 404 to everyone but its owner and admins,
# as the document is; `wenyuan info --json` shows it too.
source "$(dirname "$0")/lib.bash"

new_library
echo 'bosspass123' | "$WY_BIN" --data "$data" user add boss --admin --password-stdin > /dev/null
serve_site WENYUAN_PAGE_CACHE_MS=0

boss=$(api_login boss bosspass123)
alice=$(register alice alicepass1)
bob=$(register bob bobpass123)

# 章节.docx: 第一章 (Heading 1) on page 1, 第一节 (Heading 2) on page
# 2, 第二章 (Heading 1) on page 3; explicit page breaks between them
mkdocx() { python3 - "$@" <<'PY'
import sys, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def para(text, style=None, brk=False):
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ''
    br = '<w:r><w:br w:type="page"/></w:r>' if brk else ''
    return f'<w:p>{ppr}{br}<w:r><w:t>{text}</w:t></w:r></w:p>'
body = (para('第一章 总则', 'Heading1') + para('文渊阁是清代皇家藏书楼。') +
        para('第一节 范围', 'Heading2', brk=True) + para('专为收藏四库全书而建。') +
        para('第二章 附则', 'Heading1', brk=True) + para('本办法自公布之日起施行。' + sys.argv[2]))
doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>'
def style(sid, name, lvl):
    return (f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/>'
            f'<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val="{lvl}"/></w:pPr>'
            f'<w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>')
styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}>'
          '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
          + style('Heading1', 'heading 1', 0) + style('Heading2', 'heading 2', 1) + '</w:styles>')
ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
      '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
      '</Types>')
rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '</Relationships>')
drels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
         '</Relationships>')
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', ct)
    z.writestr('_rels/.rels', rels)
    z.writestr('word/document.xml', doc)
    z.writestr('word/_rels/document.xml.rels', drels)
    z.writestr('word/styles.xml', styles)
PY
}
# two of them (other bytes: the same bytes of one owner are one document)
mkdocx "$d/章节.docx" ""
mkdocx "$d/私有章节.docx" "（私有）"

pub=$(upload "$alice" "$d/章节.docx" -F title=公开章节)
priv=$(upload "$alice" "$d/私有章节.docx" -F private=1 -F title=私有章节)
check "the public DOCX converts" wait_ready "$pub" "$alice"
check "the private DOCX converts" wait_ready "$priv" "$alice"
check "they are two documents" [ "$pub" != "$priv" ]

curl -fsS "$base/api/v1/doc/$pub/outline" > "$d/outline.json"
echo "# $(jq -c . "$d/outline.json")"
check "the outline names the document" jqe --argjson id "$pub" '.id == $id' "$d/outline.json"
check "the headings are the outline, in order" \
	jqe '[.items[].title] == ["第一章 总则", "第一节 范围", "第二章 附则"]' "$d/outline.json"
check "Heading 2 is one level below Heading 1" jqe '[.items[].depth] == [0, 1, 0]' "$d/outline.json"
check "each leads to its page" jqe '[.items[].page] == [1, 2, 3]' "$d/outline.json"
pages=$(curl -fsS "$base/api/v1/doc/$pub" | jq .pages)
check "the document has the three pages" [ "$pages" = 3 ]

# the private one: its owner and admins, no one else
check "its owner reads the private outline" \
	jqe '.items | length == 3' <(curl -fsS -H "Authorization: Bearer $alice" "$base/api/v1/doc/$priv/outline")
check "an admin reads it" \
	jqe '.items | length == 3' <(curl -fsS -H "Authorization: Bearer $boss" "$base/api/v1/doc/$priv/outline")
check "another user gets 404" [ "$(code -H "Authorization: Bearer $bob" "$base/api/v1/doc/$priv/outline")" = 404 ]
check "a visitor gets 404" [ "$(code "$base/api/v1/doc/$priv/outline")" = 404 ]
check "no such document: 404" [ "$(code "$base/api/v1/doc/999999/outline")" = 404 ]

# a document without one: an empty list
printf '没有目录的文字。\n' > "$d/plain.txt"
plain=$(upload "$alice" "$d/plain.txt")
check "the text converts" wait_ready "$plain" "$alice"
check "a document without an outline has an empty one" \
	jqe '.items == []' <(curl -fsS "$base/api/v1/doc/$plain/outline")

check "wenyuan info --json shows the outline" \
	jqe '[.outline[] | "\(.title)@\(.page)/\(.depth)"] == ["第一章 总则@1/0", "第一节 范围@2/1", "第二章 附则@3/0"]' \
	<("$WY_BIN" --data "$data" info "$pub" --json)

finish

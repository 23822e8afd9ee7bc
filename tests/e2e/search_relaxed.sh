#!/usr/bin/env bash
# Search for what people paste (issue 14), on the real server with real
# files: a span copied without its punctuation, across a line break, across
# a table cell; the corpus's 公文 whose title is letter-spaced; a
# Traditional query; relaxed matches after the strict ones with their
# heading and "did you mean"; a document found by its title alone says so;
# junk queries are answered with 200.
source "$(dirname "$0")/lib.bash"
need_corpus
new_library

# A text with punctuation, line breaks and a table (cells padded as a
# converted spreadsheet or a copied table gives them).
cat > "$d/孙子兵法·军形篇.txt" <<'EOF'
孙子兵法·军形篇
昔之善战者，先为不可胜，以待敌之可胜。不可胜在己，
可胜在敌。故善战者，能为不可胜，不能使敌之必可胜。
EOF
cat > "$d/会议纪要.txt" <<'EOF'
会议纪要
会议时间：2023年5月1日
会议地点：第一会议室
| 姓名   | 部门     | 职务   |
| 张三   | 财务部   | 科长   |
EOF
cat > "$d/菜谱.txt" <<'EOF'
家常菜谱
卤味：猪心、猪大肠各一副，小火慢炖两小时。
EOF
printf '这份文件的正文只谈天气，晴转多云。\n' > "$d/body.txt"

"$WY_BIN" --data "$data" add "$d/孙子兵法·军形篇.txt" "$d/会议纪要.txt" "$d/菜谱.txt" > "$d/add.out"
"$WY_BIN" --data "$data" add "$d/body.txt" --title "年度财务预算报告" >> "$d/add.out"
"$WY_BIN" --data "$data" add "$corpus/files/gongwen__dist__out.docx" >> "$d/add.out"
read_ids "$d/add.out"
sunzi=${id_of[孙子兵法·军形篇.txt]}; minutes=${id_of[会议纪要.txt]}; cook=${id_of[菜谱.txt]}
body=${id_of[body.txt]}; gongwen=${id_of[gongwen__dist__out.docx]}
check "five documents are ready" eval '[ -n "$sunzi" ] && [ -n "$minutes" ] && [ -n "$cook" ] && [ -n "$body" ] && [ -n "$gongwen" ]'

serve_site
api() { curl -fsS -G "$base/api/v1/search" --data-urlencode "q=$1"; }
# first ID QUERY: the query's first result is document ID, a strict match
first() { api "$2" | jq -e --argjson id "$1" '.results[0].id == $id and .results[0].match == "strict"' > /dev/null; }

check "punctuation removed: 以待敌之可胜不可胜在己" first "$sunzi" 以待敌之可胜不可胜在己
check "across a line break: 不可胜在己可胜在敌" first "$sunzi" 不可胜在己可胜在敌
check "across table cells: 姓名部门职务张三" first "$minutes" 姓名部门职务张三
check "across a label and its value: 会议地点第一会议室" first "$minutes" 会议地点第一会议室
check "a Traditional query: 先為不可勝以待敵" first "$sunzi" 先為不可勝以待敵

# The 公文's title is set letter-spaced; its page text reads 测试文段 and
# the search lists the page, not the title alone.
check "the letter-spaced title is joined in the page text" \
	eval '"$WY_BIN" --data "$data" text "$gongwen" --page 1 | grep -q "^测试文段$"'
api 测试文段 > "$d/gw.json"
check "测试文段 finds the 公文 with its first page" \
	jqe --argjson id "$gongwen" '.results[] | select(.id == $id) | .matching_pages >= 1 and .hit_pages[0].page == 1 and .title_only == false' "$d/gw.json"

# Found by the title alone: said so, in the API and on the page.
api 财务预算 > "$d/title.json"
check "a title-only match says title_only" \
	jqe --argjson id "$body" '.results[0].id == $id and .results[0].title_only == true and .results[0].matching_pages == 0' "$d/title.json"
curl -fsS -G "$base/search" --data-urlencode "q=财务预算" > "$d/title.html"
check "and the results page says matched in the title" grep -q "标题或关键词匹配" "$d/title.html"

# The words in another order: nothing strict, the dish found relaxed, the
# page says so, the snippet marks the terms, the link opens the page with
# the terms marked.
api 猪大肠猪心 > "$d/relaxed.json"
check "a relaxed match after no strict one" \
	jqe --argjson id "$cook" '.strict_total == 0 and .results[0].id == $id and .results[0].match == "relaxed" and .results[0].coverage > 0.5' "$d/relaxed.json"
check "its snippet marks the terms found" \
	jqe '[.results[0].hit_pages[0].snippet.segments[] | select(.hit) | .text] == ["猪心", "猪大肠"]' "$d/relaxed.json"
curl -fsS -G "$base/search" --data-urlencode "q=猪大肠猪心" > "$d/relaxed.html"
check "the results page has the relaxed heading" grep -q "没有文档包含全部搜索词" "$d/relaxed.html"
check "and the share of the query" grep -q "包含[0-9]*%的搜索词" "$d/relaxed.html"
curl -fsS -G "$base/api/v1/doc/$cook/search" --data-urlencode "q=猪大肠猪心" > "$d/indoc.json"
check "the document's own search marks the terms on its page" \
	jqe '.match == "relaxed" and .total == 1 and .pages[0].page == 1 and (.pages[0].hits | length) == 2' "$d/indoc.json"

# Strict matches first, relaxed after them.
api "善战者 能为不可胜" > "$d/mixed.json"
check "a strict match comes before relaxed ones" jqe '.results[0].match == "strict"' "$d/mixed.json"

# Did you mean: a title half remembered (one character wrong).
api 孙子兵发军形篇 > "$d/dym.json"
check "did you mean offers the title" \
	jqe '.suggest.query == "孙子兵法·军形篇" and .suggest.total == 1' "$d/dym.json"
curl -fsS -G "$base/search" --data-urlencode "q=孙子兵发军形篇" > "$d/dym.html"
check "and the page links to it" grep -q "您是不是要找" "$d/dym.html"

# Quotes keep a phrase exact: no relaxed match.
api '"部门姓名"' > "$d/quoted.json"
check "a quoted phrase in another order finds nothing" jqe '.total == 0' "$d/quoted.json"

# Titles by their pinyin and initials, as people type in a search box.
printf '双拥工作会议的正文。\n' > "$d/speech.txt"
"$WY_BIN" --data "$data" add "$d/speech.txt" --title "2023年双拥工作会议上的讲话" > "$d/add2.out"
read_ids "$d/add2.out"
speech=${id_of[speech.txt]}
for q in shuangyonggongzuo sygz "shuang yong" SYGZHY; do
	api "$q" > "$d/py.json"
	check "pinyin $q finds the title" \
		jqe --argjson id "$speech" '[.results[] | select(.match == "pinyin") | .id] | index($id) != null' "$d/py.json"
done
curl -fsS -G "$base/search" --data-urlencode "q=sygz" > "$d/py.html"
check "the results page says the title matched by its pinyin" grep -q "标题拼音匹配" "$d/py.html"

# Junk is answered, never an error.
for q in '%FF%FE' '%22' '-' '%E3%80%82%E3%80%82%E3%80%82' "$(printf 'x%.0s' $(seq 600))" '%22%22%22' '*:()^'; do
	check "junk query $(printf '%.20s' "$q") answers 200 (page)" [ "$(code "$base/search?q=$q")" = 200 ]
	check "junk query $(printf '%.20s' "$q") answers 200 (API)" [ "$(code "$base/api/v1/search?q=$q")" = 200 ]
done
finish

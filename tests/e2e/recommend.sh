#!/usr/bin/env bash
# 猜你喜欢 on the real server: a document's page recommends first what its
# readers also read (here: downloaded), over the most-viewed fallback; and
# a page asked for within the page cache's life still changes once that
# life is over.
source "$(dirname "$0")/lib.bash"

d=$(tmpdir)
data=$d/data
spid=
trap 'kill $spid 2>/dev/null && wait $spid 2>/dev/null; rm -rf "$d" || true' EXIT
# five unrelated documents, each alone in its category
i=0
for cat in 教育资料/小学 论文/学术论文 电子书/文学 生活休闲/美食 行业资料/金融; do
	i=$((i + 1))
	printf '第%s份\n%s\n' "$i" "$(printf '甲乙丙丁戊己庚辛壬癸' | cut -c$((i * 3 - 2))-$((i * 3)))$(date +%N)" > "$d/doc$i.txt"
	"$WY_BIN" --data "$data" add --category "$cat" "$d/doc$i.txt" >> "$d/add.out"
done
read_ids "$d/add.out"
first=${id_of[doc1.txt]}
port=$(free_port)
# counts written every 50 ms; a cached page kept 3 s (long enough for the
# check that it is kept, short enough to wait for)
WENYUAN_SERVE_FLUSH_MS=50 WENYUAN_PAGE_CACHE_MS=3000 \
	"$WY_BIN" --data "$data" serve --listen "127.0.0.1:$port" --no-worker > "$d/serve.out" 2> "$d/serve.err" &
spid=$!
base=http://127.0.0.1:$port
check "serve answers" wait_http "$base/healthz"

# ?lang=zh asks past the page cache
likes() { curl -fsS "$base/doc/$first$1" | sed -n '/<h2>猜你喜欢<\/h2>/,/<\/section>/p' |
	grep -o 'href="/doc/[0-9]*"' | grep -o '[0-9]*'; }
cached=$(likes "")
before=$(likes "?lang=zh")
target=$(tail -1 <<<"$before")
check "the page recommends the other four" [ "$(wc -l <<<"$before")" -eq 4 ]
check "the one a reader will also read is last at first" [ "$(head -1 <<<"$before")" != "$target" ]

jar=$d/cookies
curl -fsS -c "$jar" -o /dev/null "$base/doc/$first"
check "a visitor gets an anonymous id cookie" grep -q 'wy_v' "$jar"
check "the cookie is HttpOnly and SameSite" grep -q '#HttpOnly_127.0.0.1' "$jar"
curl -fsS -L -b "$jar" -o /dev/null "$base/download/$target"
first_is() { [ "$(likes "$1" | head -1)" = "$2" ]; }
check "what its readers also read comes first (once the visits are written)" eventually first_is "?lang=zh" "$target"
check "the cached page is the same while the cache keeps it" [ "$(likes "")" = "$cached" ]
check "and follows once it expires" eventually first_is "" "$target"
finish

#!/usr/bin/env bash
# The store functions the PostgreSQL backend does not implement yet
# (issue 16 is porting them file by file): for each entry of WY_STORE_OPS
# (src/store/backend.h) without a pg_NAME definition in src/store/pg*.c,
# one PG_TODO(...) line into OUT, which src/store/pg_todo.c turns into a
# function answering WY_ENOTSUP. The build warns while any is left.
# usage: tools/pg_todo.sh SRCDIR OUT
set -euo pipefail
src=$1 out=$2
tmp=$out.tmp
: > "$tmp"
n=0
while IFS= read -r line; do
	name=$(sed -E 's/^\s*XV?\([^,]*, [^,]*, ([a-z_0-9]+),.*/\1/' <<<"$line")
	if ! grep -Eq "^(int|void) pg_${name}\(" "$src"/src/store/pg*.c; then
		sed -E 's/^\s*XV?\((.*)\) \\$/PG_TODO(\1)/; s/^\s*XV?\((.*)\)$/PG_TODO(\1)/' <<<"$line" >> "$tmp"
		n=$((n + 1))
	fi
done < <(grep -E '^\s*XV?\(' "$src/src/store/backend.h")
echo "#define PG_TODO_COUNT $n" >> "$tmp"
mv "$tmp" "$out"
if [ "$n" -gt 0 ]; then echo "tools/pg_todo.sh: $n store functions not on PostgreSQL yet" >&2; fi

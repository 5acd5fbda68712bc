#!/usr/bin/env bash
# bench/gen_speed.sh - how long modelc takes on big models: N tables of 10
# columns, 2 indexes and 1 foreign key each (the first table has none), for
# N = 1000, 2000, 4000 (or the sizes given). Usage: bench/gen_speed.sh [MODELC] [N...]
set -euo pipefail
MODELC=${1:-build/modelc}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 2000 4000)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

gen() {   # gen N FILE
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			printf "table t%d {\n  id bigserial primary key\n", i
			if (i > 0) printf "  parent_id bigint references t%d(id)\n", i - 1
			for (k = 0; k < (i > 0 ? 8 : 9); k++) printf "  c%d text\n", k
			printf "  index (c0)\n  index (c1, c2)\n}\n\n"
		}
	}' > "$2"
}

printf '| tables | seconds (best of 3) | ms per table | peak RSS |\n|---|---|---|---|\n'
for n in "${SIZES[@]}"; do
	gen "$n" "$TMP/m$n.model"
	best=
	for _ in 1 2 3; do
		rm -rf "$TMP/out"
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$MODELC" "$TMP/m$n.model" -o "$TMP/out" >/dev/null
		read -r s kb < "$TMP/time"
		if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; rss=$kb; fi
	done
	awk -v n="$n" -v s="$best" -v kb="$rss" 'BEGIN { printf "| %d | %.2f | %.3f | %d MiB |\n", n, s, s * 1000 / n, kb / 1024 }'
done

#!/usr/bin/env bash
# tests/example.sh - what `make example` runs: builds examples/blog_app.c
# against the code generated from examples/blog.model and runs it, against
# $DATABASE_URL when set, otherwise against a throwaway cluster.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
B=${B:-build}
make -s B="$B" "$B/blog_app" || exit 1
if [ -n "${DATABASE_URL:-}" ]; then
	exec "$B/blog_app" "$DATABASE_URL"
fi
PGDIR=$ROOT/$B/pg-example
. tests/pg.sh
trap stop_cluster EXIT INT TERM
start_cluster || exit 1
createdb=$("$PGBIN/psql" -XAtq -c "DROP DATABASE IF EXISTS blog_app" -c "CREATE DATABASE blog_app" 2>&1) \
	|| { echo "$createdb"; exit 1; }
"$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -d blog_app -f "$B/examples/blog.sql" >/dev/null || exit 1
"$B/blog_app" "dbname=blog_app"

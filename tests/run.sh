#!/usr/bin/env bash
# tests/run.sh - the whole test suite (what `make test` runs):
#   1. installs missing Debian packages when run as root;
#   2. builds modelc and the tests with ASan + UBSan;
#   3. starts a throwaway PostgreSQL 15 cluster (unix socket only, in the
#      build folder, run as an unprivileged user when we are root);
#   4. runs every test program; the cluster is stopped on exit, pass or fail.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
B=${B:-build-san}

bash tests/deps.sh || exit 1

echo "== build (SANITIZE=1)"
make -s SANITIZE=1 B="$B" -j"$(nproc)" test-bins || { echo "build failed"; exit 1; }

PGDIR=$ROOT/$B/pg
. tests/pg.sh
trap stop_cluster EXIT INT TERM

echo "== start PostgreSQL"
start_cluster || { echo "could not start PostgreSQL"; exit 1; }
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on socket $PGDIR, port $PGPORT"

export MODELC_ROOT=$ROOT MODELC=$ROOT/$B/modelc MODELC_BUILD=$ROOT/$B
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
ran=0
for t in $(find "$B/tests" -maxdepth 2 -type f -name 'test_*' -perm -u+x | sort); do
	echo "== $(basename "$t")"
	ran=$((ran + 1))
	if ! "$t"; then
		failed+=("$(basename "$t")")
	fi
done

echo "== examples/blog_app"
ran=$((ran + 1))
if "$PGBIN/psql" -XAtq -c "DROP DATABASE IF EXISTS blog_app" -c "CREATE DATABASE blog_app" >/dev/null &&
	"$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -d blog_app -f "$B/examples/blog.sql" >/dev/null &&
	"$B/blog_app" "dbname=blog_app" > "$B/blog_app.out" &&
	grep -q "insufficient funds, nothing moved" "$B/blog_app.out" &&
	grep -q "closing balances *alice *70.00 *bob *50.00" "$B/blog_app.out"; then
	echo "blog_app: 1 passed, 0 failed"
else
	cat "$B/blog_app.out" 2>/dev/null
	echo "blog_app: 0 passed, 1 failed"
	failed+=(blog_app)
fi

echo "== examples/batch_poll"
ran=$((ran + 1))
if "$PGBIN/psql" -XAtq -c "DROP DATABASE IF EXISTS batch_poll" -c "CREATE DATABASE batch_poll" >/dev/null &&
	"$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -d batch_poll -f "$B/examples/blog.sql" >/dev/null &&
	"$B/batch_poll" "dbname=batch_poll" 250 > "$B/batch_poll.out" &&
	grep -q "^inserted 250 users in 1 round trip$" "$B/batch_poll.out" &&
	grep -q "^queued 252 calls on one connection$" "$B/batch_poll.out" &&
	grep -q "^batch done: 1 round trip, 252 statements, " "$B/batch_poll.out" &&
	grep -q "^gets: 250 found, 0 wrong$" "$B/batch_poll.out" &&
	grep -q "^get_by_email nobody@example.com: not found$" "$B/batch_poll.out" &&
	grep -q "^insert poll-0000@example.com again: unique violation (23505, uq_users_email)$" "$B/batch_poll.out"; then
	echo "batch_poll: 1 passed, 0 failed"
else
	cat "$B/batch_poll.out" 2>/dev/null
	echo "batch_poll: 0 passed, 1 failed"
	failed+=(batch_poll)
fi

echo "== make install + pkg-config"
# install, then build and run the example against what was installed only:
# modelc, the header, the library and modelc.pc must be enough
ran=$((ran + 1))
INST=$ROOT/$B/install
rm -rf "$INST"
export PKG_CONFIG_PATH=$INST/lib/pkgconfig
if make -s B="$B" SANITIZE=1 install PREFIX="$INST" >/dev/null &&
	"$INST/bin/modelc" examples/blog.model -o "$INST/gen" &&
	cc -std=c11 -Wall -Wextra -Werror -fsanitize=address,undefined -I"$INST/gen" examples/blog_app.c "$INST/gen/blog.c" \
		$(pkg-config --cflags --libs modelc) -o "$INST/blog_app" &&
	"$PGBIN/psql" -XAtq -c "DROP DATABASE IF EXISTS blog_install" -c "CREATE DATABASE blog_install" >/dev/null &&
	"$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -d blog_install -f "$INST/gen/blog.sql" >/dev/null &&
	"$INST/blog_app" "dbname=blog_install" | grep -q "closing balances *alice *70.00 *bob *50.00"; then
	echo "install: 1 passed, 0 failed"
else
	echo "install: 0 passed, 1 failed"
	failed+=(install)
fi
unset PKG_CONFIG_PATH

echo "== fuzz corpus replay"
ran=$((ran + 1))
if ! "$B/tests/fuzz_replay" tests/fuzz/corpus tests/invalid examples; then
	failed+=(fuzz_replay)
fi

echo
if [ ${#failed[@]} -eq 0 ]; then
	echo "all $ran test programs passed"
	exit 0
fi
echo "FAILED: ${failed[*]} ($((ran - ${#failed[@]})) of $ran test programs passed)"
exit 1

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

PGBIN=$(pg_config --bindir 2>/dev/null)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
PGDIR=$ROOT/$B/pg
RUNAS=()
if [ "$(id -u)" = 0 ]; then
	RUNAS=(runuser -u postgres --)
fi

start_cluster() {
	rm -rf "$PGDIR"
	mkdir -p "$PGDIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PGDIR"
		# the postgres user must be able to reach the folder; otherwise use /tmp
		if ! runuser -u postgres -- test -w "$PGDIR"; then
			rmdir "$PGDIR"
			PGDIR=$(mktemp -d /tmp/modelc-pg.XXXXXX)
			chown postgres: "$PGDIR"
		fi
	fi
	"${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
		>"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log"; return 1; }
	# any port works: the server listens on a unix socket in its own folder only
	PGPORT=$(( 20000 + RANDOM % 20000 ))
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
		-o "-k $PGDIR -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off" start \
		>/dev/null || { cat "$PGDIR/server.log"; return 1; }
	export PGHOST=$PGDIR PGPORT PGUSER=postgres PGDATABASE=postgres
}

stop_cluster() {
	if [ -f "$PGDIR/data/postmaster.pid" ]; then
		"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
	fi
}
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

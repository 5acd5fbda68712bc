# tests/pg.sh - start_cluster / stop_cluster for a throwaway PostgreSQL 15
# cluster, sourced by tests/run.sh and tests/example.sh. Set PGDIR first.
# It listens on a unix socket in PGDIR only; as root, the server runs as the
# postgres user (PostgreSQL refuses to run as root).
PGBIN=$(pg_config --bindir 2>/dev/null)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
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
	# one role logs in with a password (scram-sha-256), everyone else is
	# trusted: tests of authentication failures (modelc ping) create the role
	# modelc_pw_user; pg_hba.conf's first matching line wins, so it goes first
	{ echo "local all modelc_pw_user scram-sha-256"; cat "$PGDIR/data/pg_hba.conf"; } >"$PGDIR/pg_hba.new" &&
		cat "$PGDIR/pg_hba.new" >"$PGDIR/data/pg_hba.conf" && rm -f "$PGDIR/pg_hba.new" || return 1
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

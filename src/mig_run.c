/* mig_run.c - `modelc migrate up|down|status|history|stamp|sql|rehash`:
 * applying migrations to a database (docs/migrations.md). It talks to
 * PostgreSQL with libpq directly: the compiler never links the runtime. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "migrate.h"

/* The pg_advisory_lock key every runner holds: "modelc" in ASCII,
 * 0x6d6f64656c63 (documented in docs/migrations.md). */
#define MIG_LOCK_KEY "120325193165923"

/* ---- options ----------------------------------------------------------------- */

typedef struct mig_opts {
	const char *cmd, *dir, *db;
	const char *pos[2];
	int npos;
} mig_opts;

static const char *usage_line(const char *cmd)
{
	static const struct {
		const char *cmd, *line;
	} u[] = {
		{ "up", "up [REV] [--dir D] [--db URL]" },
		{ "down", "down [REV|-N|base] [--dir D] [--db URL]" },
		{ "status", "status [--dir D] [--db URL]" },
		{ "history", "history [--dir D]" },
		{ "stamp", "stamp REV|base [--dir D] [--db URL]" },
		{ "sql", "sql FROM:TO [--dir D]" },
		{ "rehash", "rehash [--dir D]" },
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (strcmp(u[i].cmd, cmd) == 0)
			return u[i].line;
	return cmd;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "modelc migrate %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: modelc migrate %s\n", usage_line(cmd));
	return 2;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* 0, 2 on a usage error, -1 after --help. */
static int parse_opts(int argc, char **argv, int maxpos, bool db_ok, mig_opts *o)
{
	memset(o, 0, sizeof *o);
	o->cmd = argv[0];
	o->dir = MIG_DEFAULT_DIR;
	bool opts = true;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (opts && strcmp(s, "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
			printf("usage: modelc migrate %s\n", usage_line(o->cmd));
			return -1;
		}
		if (opts && s[0] == '-' && !(s[1] && all_digits(s + 1))) {
			const char **dst = NULL;
			size_t kl = strcspn(s, "=");
			if (kl == 5 && strncmp(s, "--dir", 5) == 0)
				dst = &o->dir;
			else if (kl == 4 && strncmp(s, "--db", 4) == 0 && db_ok)
				dst = &o->db;
			if (!dst)
				return usage_error(o->cmd, "unknown option '%s'", s);
			if (s[kl] == '=')
				*dst = s + kl + 1;
			else if (i + 1 < argc)
				*dst = argv[++i];
			else
				return usage_error(o->cmd, "%s needs an argument", s);
			if (!**dst)
				return usage_error(o->cmd, "%s needs a non-empty argument", s);
			continue;
		}
		if (o->npos >= maxpos)
			return usage_error(o->cmd, "unexpected argument '%s'", s);
		o->pos[o->npos++] = s;
	}
	return 0;
}

/* ---- the folder -------------------------------------------------------------- */

static void print_errors(buf *err)
{
	const char *p = buf_cstr(err);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(stderr, "modelc: %.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
}

/* Loads and verifies the folder; 0 or 1 (problems printed). */
static int load_set(arena *a, const char *dir, mig_set *set)
{
	buf err;
	buf_init(&err);
	int rc = mig_set_load(a, dir, set, &err) == 0 ? 0 : 1;
	if (rc)
		print_errors(&err);
	buf_free(&err);
	return rc;
}

static mig_file *file_at(const mig_set *s, int i) { return VEC_AT(s->files, (size_t)i, mig_file *); }
static int nfiles(const mig_set *s) { return (int)s->files.n; }

/* How many migrations are applied at revision name: "base" 0, else the
 * index of the file (by full name or number) + 1; -1 when unknown. */
static int rev_position(const mig_set *s, const char *name)
{
	if (strcmp(name, "base") == 0)
		return 0;
	bool num = all_digits(name);
	long n = num && strlen(name) <= 9 ? strtol(name, NULL, 10) : -1;
	for (int i = 0; i < nfiles(s); i++) {
		mig_file *f = file_at(s, i);
		if (num ? f->number == n : strcmp(f->rev, name) == 0)
			return i + 1;
	}
	return -1;
}

static const char *rev_name(const mig_set *s, int pos) { return pos ? file_at(s, pos - 1)->rev : "base"; }

/* ---- the database ------------------------------------------------------------- */

typedef struct mig_row {
	const char *rev, *checksum;
	bool incomplete;
	long next_step;
} mig_row;

typedef struct runner {
	arena a;
	mig_opts o;
	mig_set set;
	PGconn *conn;
	const char *table;    /* "schema".modelc_migrations */
	vec rows;             /* mig_row * */
	int applied;          /* files [0, applied) are applied */
	long next_step;       /* of the newest applied: 0 complete, > 0 upgrade, < 0 downgrade to resume */
} runner;

static bool res_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* The server's message (or libpq's), without the final newline. */
static void put_message(FILE *out, const PGresult *res, PGconn *c)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!m)
		m = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(c);
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	fprintf(out, "%.*s", (int)n, m);
}

/* Runs bookkeeping SQL; false (message printed) on failure. */
static bool db_exec(runner *r, const char *sql, int np, const char *const *pv, PGresult **out)
{
	PGresult *res = PQexecParams(r->conn, sql, np, NULL, pv, NULL, NULL, 0);
	if (res_ok(res)) {
		if (out)
			*out = res;
		else
			PQclear(res);
		return true;
	}
	fprintf(stderr, "modelc: ");
	put_message(stderr, res, r->conn);
	fprintf(stderr, "\n  statement: %s\n", sql);
	PQclear(res);
	return false;
}

static void rollback_if_open(runner *r)
{
	if (PQtransactionStatus(r->conn) != PQTRANS_IDLE)
		PQclear(PQexec(r->conn, "ROLLBACK"));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum { RUN_READ, RUN_WRITE };

/* Connects; for RUN_WRITE takes the advisory lock and creates the version
 * table when missing. Then reads the table. 0 or 2 (message printed). */
static int db_open(runner *r, int mode)
{
	r->conn = PQconnectdb(r->o.db ? r->o.db : "");
	if (PQstatus(r->conn) != CONNECTION_OK) {
		fprintf(stderr, "modelc: cannot connect to the database: ");
		put_message(stderr, NULL, r->conn);
		fputc('\n', stderr);
		return 2;
	}
	/* "does not exist, skipping" notices of idempotent steps are noise */
	PGresult *res;
	if (!db_exec(r, "SET client_min_messages = warning", 0, NULL, NULL) ||
	    !db_exec(r, "SET application_name = 'modelc migrate'", 0, NULL, NULL) ||
	    !db_exec(r, "SELECT current_schema()", 0, NULL, &res))
		return 2;
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		fprintf(stderr, "modelc: no current schema: the search_path names no existing schema\n");
		return 2;
	}
	/* qualified: a migration that changes search_path must not move it */
	const char *schema = PQgetvalue(res, 0, 0);
	char *q = PQescapeIdentifier(r->conn, schema, strlen(schema));
	PQclear(res);
	if (!q) {
		fprintf(stderr, "modelc: %s", PQerrorMessage(r->conn));
		return 2;
	}
	r->table = arena_printf(&r->a, "%s.modelc_migrations", q);
	PQfreemem(q);

	if (mode == RUN_WRITE) {
		/* polled, not waited for inside a statement: a waiting runner must
		 * hold no snapshot, which a CREATE INDEX CONCURRENTLY of the
		 * running one would wait for (a deadlock) */
		for (int tries = 0;; tries++) {
			if (!db_exec(r, "SELECT pg_try_advisory_lock(" MIG_LOCK_KEY ")", 0, NULL, &res))
				return 2;
			bool got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
			PQclear(res);
			if (got)
				break;
			if (tries == 0)
				fprintf(stderr, "modelc: waiting for another modelc migrate (advisory lock " MIG_LOCK_KEY ")\n");
			sleep_ms(tries < 10 ? 50 : 200);
		}
	}
	const char *pv[1] = { r->table };
	if (!db_exec(r, "SELECT to_regclass($1) IS NOT NULL", 1, pv, &res))
		return 2;
	bool exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists && mode == RUN_WRITE) {
		const char *ddl = arena_printf(&r->a,
		                               "CREATE TABLE IF NOT EXISTS %s (\n"
		                               "    revision    text        PRIMARY KEY,\n"
		                               "    checksum    text        NOT NULL,\n"
		                               "    applied_at  timestamptz NOT NULL DEFAULT now(),\n"
		                               "    next_step   integer\n"
		                               ")",
		                               r->table);
		if (!db_exec(r, ddl, 0, NULL, NULL))
			return 2;
		exists = true;
	}
	if (!exists)
		return 0;
	if (!db_exec(r, arena_printf(&r->a, "SELECT revision, checksum, next_step FROM %s ORDER BY revision", r->table),
	             0, NULL, &res))
		return 2;
	for (int i = 0; i < PQntuples(res); i++) {
		mig_row *row = arena_alloc(&r->a, sizeof *row);
		row->rev = arena_strdup(&r->a, PQgetvalue(res, i, 0));
		row->checksum = arena_strdup(&r->a, PQgetvalue(res, i, 1));
		row->incomplete = !PQgetisnull(res, i, 2);
		row->next_step = row->incomplete ? strtol(PQgetvalue(res, i, 2), NULL, 10) : 0;
		vec_push(&r->a, &r->rows, row);
	}
	PQclear(res);
	return 0;
}

/* Checks the version table against the files: every applied revision has
 * its file, with the checksum it was applied with; the applied ones are
 * the start of the chain; only the newest may be incomplete. 0 or 1. */
static int db_verify(runner *r)
{
	int n = nfiles(&r->set), bad = 0, top = 0, incomplete = -1;
	bool *applied = arena_alloc(&r->a, (size_t)n + 1);
	for (size_t i = 0; i < r->rows.n; i++) {
		mig_row *row = VEC_AT(r->rows, i, mig_row *);
		int p = rev_position(&r->set, row->rev);
		if (p <= 0 || strcmp(file_at(&r->set, p - 1)->rev, row->rev) != 0) {
			fprintf(stderr, "modelc: the database has %s applied, but %s has no file %s.sql\n", row->rev,
			        r->set.dir, row->rev);
			bad = 1;
			continue;
		}
		mig_file *f = file_at(&r->set, p - 1);
		applied[p - 1] = true;
		if (p > top)
			top = p;
		if (strcmp(row->checksum, f->checksum) != 0) {
			fprintf(stderr, "modelc: %s: edited after it was applied (its checksum differs from the one in "
			                "modelc_migrations); to record the file as it is now, run modelc migrate stamp\n",
			        f->path);
			bad = 1;
		}
		if (row->incomplete) {
			if (incomplete >= 0) {
				fprintf(stderr, "modelc: modelc_migrations has more than one incomplete migration (%s and %s)\n",
				        file_at(&r->set, incomplete)->rev, row->rev);
				bad = 1;
			}
			incomplete = p - 1;
			r->next_step = row->next_step;
		}
	}
	for (int i = 0; i < top; i++)
		if (!applied[i]) {
			fprintf(stderr, "modelc: the database has %s applied, but not %s, which comes before it\n",
			        file_at(&r->set, top - 1)->rev, file_at(&r->set, i)->rev);
			bad = 1;
		}
	if (incomplete >= 0) {
		mig_file *f = file_at(&r->set, incomplete);
		long k = r->next_step < 0 ? -r->next_step : r->next_step;
		size_t n_steps = r->next_step < 0 ? f->down.n : f->up.n;
		if (incomplete != top - 1) {
			fprintf(stderr, "modelc: %s is incomplete, but is not the newest applied migration\n", f->rev);
			bad = 1;
		} else if (k < 2 || (size_t)k > n_steps) {
			fprintf(stderr, "modelc: %s: modelc_migrations says to resume at statement %ld of the %s, which has %zu\n",
			        f->path, k, r->next_step < 0 ? "downgrade" : "upgrade", n_steps);
			bad = 1;
		}
	}
	r->applied = top;
	return bad;
}

/* Parses the options, loads the folder; 0, or the exit status. */
static int runner_init(runner *r, int argc, char **argv, int maxpos, bool db_ok)
{
	memset(r, 0, sizeof *r);
	arena_init(&r->a);
	int rc = parse_opts(argc, argv, maxpos, db_ok, &r->o);
	if (rc)
		return rc < 0 ? -1 : rc;
	return load_set(&r->a, r->o.dir, &r->set);
}

static int runner_end(runner *r, int rc)
{
	if (r->conn)
		PQfinish(r->conn);    /* also releases the advisory lock */
	arena_free(&r->a);
	fflush(stdout);
	return rc < 0 ? 0 : rc;
}

/* ---- applying ------------------------------------------------------------------ */

/* "modelc: FILE:LINE: WHAT failed: SQLSTATE message", DETAIL, HINT and the
 * statement. */
static void print_failure(runner *r, const mig_file *f, const mig_step *st, const char *what, const PGresult *res)
{
	const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	fprintf(stderr, "modelc: %s:%d: %s failed: ", f->path, st->line, what);
	if (code)
		fprintf(stderr, "%s ", code);
	put_message(stderr, res, r->conn);
	fputc('\n', stderr);
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	if (detail)
		fprintf(stderr, "  DETAIL: %s\n", detail);
	if (hint)
		fprintf(stderr, "  HINT: %s\n", hint);
	fprintf(stderr, "  statement: %s\n", st->sql);
}

/* Runs one statement of a migration; false (reported) when it fails. */
static bool run_step(runner *r, const mig_file *f, const mig_step *st)
{
	PGresult *res = PQexec(r->conn, st->sql);
	ExecStatusType s = PQresultStatus(res);
	if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT) {
		/* COPY with stdin/stdout has nothing to read or write here */
		PQclear(res);
		if (s == PGRES_COPY_IN)
			PQputCopyEnd(r->conn, "COPY FROM STDIN is not supported in a migration");
		else {
			char *row;
			while (PQgetCopyData(r->conn, &row, 0) > 0)
				PQfreemem(row);
		}
		PGresult *next;
		res = NULL;
		while ((next = PQgetResult(r->conn))) {
			PQclear(res);
			res = next;
		}
		if (s == PGRES_COPY_OUT && res && res_ok(res)) {
			PQclear(res);
			return true;
		}
	}
	if (res && res_ok(res)) {
		PQclear(res);
		return true;
	}
	print_failure(r, f, st, "statement", res);
	PQclear(res);
	return false;
}

/* COMMIT of a group; deferred constraints fail here, so the error names
 * the file and the group's first statement. */
static bool commit_group(runner *r, const mig_file *f, const mig_step *first)
{
	PGresult *res = PQexec(r->conn, "COMMIT");
	bool ok = res_ok(res) && PQtransactionStatus(r->conn) == PQTRANS_IDLE;
	if (!ok)
		print_failure(r, f, first, "commit of the transaction starting with this statement", res);
	PQclear(res);
	return ok;
}

/* Runs statements [from, n) of f's upgrade (up) or downgrade section in
 * groups: each run of ordinary statements in one transaction, each run of
 * no-transaction statements outside one, statement by statement; after
 * each group the version row records the next statement (1-based,
 * negative for a downgrade), NULL or no row after the last. A whole run of
 * no-transaction statements is one group, so a resume reruns the
 * "DROP INDEX CONCURRENTLY IF EXISTS" before a failed "CREATE INDEX
 * CONCURRENTLY" (whose failure leaves an invalid index behind).
 * row: f's row exists already. 0 or 1. */
static int run_migration(runner *r, const mig_file *f, bool up, size_t from, bool row)
{
	const vec *steps = up ? &f->up : &f->down;
	size_t n = steps->n, i = from;
	const char *ins = arena_printf(&r->a, "INSERT INTO %s (revision, next_step, checksum) VALUES ($1, $2, $3)", r->table);
	const char *upd = arena_printf(&r->a, "UPDATE %s SET next_step = $2 WHERE revision = $1", r->table);
	const char *del = arena_printf(&r->a, "DELETE FROM %s WHERE revision = $1", r->table);
	do {
		bool alone = i < n && VEC_AT(*steps, i, mig_step *)->no_tx;
		size_t j = i;
		while (j < n && VEC_AT(*steps, j, mig_step *)->no_tx == alone)
			j++;
		bool last = j >= n;
		if (!alone && !db_exec(r, "BEGIN", 0, NULL, NULL))
			return 1;
		bool ok = true;
		for (size_t k = i; k < j && ok; k++)
			ok = run_step(r, f, VEC_AT(*steps, k, mig_step *));
		if (ok) {
			char next[32];
			snprintf(next, sizeof next, "%ld", (up ? 1L : -1L) * (long)(j + 1));
			const char *pv[3] = { f->rev, last ? NULL : next, f->checksum };
			if (up && !row)
				ok = db_exec(r, ins, 3, pv, NULL);
			else if (up || !last)
				ok = db_exec(r, upd, 2, pv, NULL);
			else
				ok = db_exec(r, del, 1, pv, NULL);
		}
		if (ok && !alone && i < n)
			ok = commit_group(r, f, VEC_AT(*steps, i, mig_step *));
		else if (ok && !alone)
			ok = db_exec(r, "COMMIT", 0, NULL, NULL);
		if (!ok) {
			rollback_if_open(r);
			if (i > 0)    /* a group of it is committed: the row says where to resume */
				fprintf(stderr, "modelc: %s is incomplete: the next modelc migrate %s resumes it at statement %zu\n",
				        f->rev, up ? "up" : "down", i + 1);
			return 1;
		}
		row = true;
		i = j;
	} while (i < n);
	return 0;
}

int mig_cmd_up(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 1, true);
	if (rc)
		return runner_end(&r, rc);
	int target = nfiles(&r.set);
	if (r.o.npos && (target = rev_position(&r.set, r.o.pos[0])) < 0)
		return runner_end(&r, usage_error("up", "unknown revision '%s'", r.o.pos[0]));
	if ((rc = db_open(&r, RUN_WRITE)) || (rc = db_verify(&r)))
		return runner_end(&r, rc);
	int at = r.applied;
	if (r.next_step < 0) {
		fprintf(stderr, "modelc: %s is partly reverted (its downgrade stopped before statement %ld); finish it "
		                "with modelc migrate down first\n", rev_name(&r.set, at), -r.next_step);
		return runner_end(&r, 1);
	}
	if (r.next_step > 0) {
		mig_file *f = file_at(&r.set, at - 1);
		printf("resuming %s at statement %ld\n", f->rev, r.next_step);
		fflush(stdout);
		if (run_migration(&r, f, true, (size_t)r.next_step - 1, true))
			return runner_end(&r, 1);
	} else if (at >= target) {
		printf("at %s, nothing to apply\n", rev_name(&r.set, at));
		return runner_end(&r, 0);
	}
	for (int i = at; i < target; i++) {
		mig_file *f = file_at(&r.set, i);
		printf("applying %s\n", f->rev);
		fflush(stdout);
		if (run_migration(&r, f, true, 0, false))
			return runner_end(&r, 1);
		at = i + 1;
	}
	printf("at %s\n", rev_name(&r.set, at));
	return runner_end(&r, 0);
}

int mig_cmd_down(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 1, true);
	if (rc)
		return runner_end(&r, rc);
	const char *arg = r.o.npos ? r.o.pos[0] : "-1";
	int target = 0;
	long back = 0;
	if (arg[0] == '-') {
		back = strlen(arg) <= 6 ? strtol(arg + 1, NULL, 10) : 999999;
	} else if ((target = rev_position(&r.set, arg)) < 0) {
		return runner_end(&r, usage_error("down", "unknown revision '%s'", arg));
	}
	if ((rc = db_open(&r, RUN_WRITE)) || (rc = db_verify(&r)))
		return runner_end(&r, rc);
	int at = r.applied;
	if (arg[0] == '-') {
		if (back > at && at > 0) {
			fprintf(stderr, "modelc: cannot revert %ld: only %d applied\n", back, at);
			return runner_end(&r, 1);
		}
		target = back > at ? 0 : at - (int)back;
	} else if (target > at) {
		fprintf(stderr, "modelc: %s is not applied (the database is at %s)\n", rev_name(&r.set, target),
		        rev_name(&r.set, at));
		return runner_end(&r, 1);
	}
	if (r.next_step > 0) {
		fprintf(stderr, "modelc: %s is incomplete (its upgrade stopped before statement %ld); finish it with "
		                "modelc migrate up first\n", rev_name(&r.set, at), r.next_step);
		return runner_end(&r, 1);
	}
	if (at <= target) {
		printf("at %s, nothing to revert\n", rev_name(&r.set, at));
		return runner_end(&r, 0);
	}
	for (int i = at - 1; i >= target; i--) {
		mig_file *f = file_at(&r.set, i);
		size_t from = 0;
		if (i == at - 1 && r.next_step < 0) {
			from = (size_t)(-r.next_step) - 1;
			printf("resuming the downgrade of %s at statement %zu\n", f->rev, from + 1);
		} else {
			printf("reverting %s\n", f->rev);
		}
		fflush(stdout);
		if (run_migration(&r, f, false, from, true))
			return runner_end(&r, 1);
		at = i;
	}
	printf("at %s\n", rev_name(&r.set, at));
	return runner_end(&r, 0);
}

int mig_cmd_status(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 0, true);
	if (rc || (rc = db_open(&r, RUN_READ)) || (rc = db_verify(&r)))
		return runner_end(&r, rc);
	int at = r.applied;
	printf("current: %s\n", rev_name(&r.set, at));
	if (r.next_step) {
		mig_file *f = file_at(&r.set, at - 1);
		bool up = r.next_step > 0;
		long k = up ? r.next_step : -r.next_step;
		const mig_step *st = VEC_AT(up ? f->up : f->down, (size_t)k - 1, mig_step *);
		printf("incomplete: %s (its %s stopped at statement %ld, line %d; modelc migrate %s resumes it)\n",
		       f->rev, up ? "upgrade" : "downgrade", k, st->line, up ? "up" : "down");
	}
	for (int i = at; i < nfiles(&r.set); i++)
		printf("pending: %s\n", file_at(&r.set, i)->rev);
	if (at == nfiles(&r.set))
		printf("pending: none\n");
	return runner_end(&r, 0);
}

int mig_cmd_history(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 0, false);
	if (rc)
		return runner_end(&r, rc);
	if (nfiles(&r.set) == 0)
		printf("no migrations in %s\n", r.set.dir);
	for (int i = 0; i < nfiles(&r.set); i++) {
		mig_file *f = file_at(&r.set, i);
		printf("%s -> %s: %s\n", f->follows, f->rev, f->message);
	}
	return runner_end(&r, 0);
}

int mig_cmd_stamp(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 1, true);
	if (rc)
		return runner_end(&r, rc);
	if (!r.o.npos)
		return runner_end(&r, usage_error("stamp", "%s", "which revision? (REV or base)"));
	int target = rev_position(&r.set, r.o.pos[0]);
	if (target < 0)
		return runner_end(&r, usage_error("stamp", "unknown revision '%s'", r.o.pos[0]));
	if ((rc = db_open(&r, RUN_WRITE)))
		return runner_end(&r, rc);
	/* the table ends up holding exactly the chain up to target, complete,
	 * with the files' checksums (rows already there keep applied_at) */
	buf keep;
	buf_init(&keep);
	buf_putc(&keep, '{');
	for (int i = 0; i < target; i++)
		buf_printf(&keep, "%s%s", i ? "," : "", file_at(&r.set, i)->rev);
	buf_putc(&keep, '}');
	const char *pv[1] = { buf_cstr(&keep) };
	bool ok = db_exec(&r, "BEGIN", 0, NULL, NULL) &&
	          db_exec(&r, arena_printf(&r.a, "DELETE FROM %s WHERE revision <> ALL ($1::text[])", r.table), 1, pv,
	                  NULL);
	const char *ups = arena_printf(&r.a,
	                               "INSERT INTO %s (revision, checksum) VALUES ($1, $2) ON CONFLICT (revision) "
	                               "DO UPDATE SET checksum = EXCLUDED.checksum, next_step = NULL",
	                               r.table);
	for (int i = 0; ok && i < target; i++) {
		mig_file *f = file_at(&r.set, i);
		ok = db_exec(&r, ups, 2, (const char *const[]){ f->rev, f->checksum }, NULL);
	}
	ok = ok && db_exec(&r, "COMMIT", 0, NULL, NULL);
	buf_free(&keep);
	if (!ok) {
		rollback_if_open(&r);
		return runner_end(&r, 1);
	}
	printf("stamped %s\n", rev_name(&r.set, target));
	return runner_end(&r, 0);
}

/* True when the last line of sql has a "--" that a ';' after it would be
 * hidden in. */
static bool ends_in_comment(const char *sql)
{
	const char *nl = strrchr(sql, '\n');
	return strstr(nl ? nl : sql, "--") != NULL;
}

static void print_section(const mig_file *f, bool up)
{
	const vec *steps = up ? &f->up : &f->down;
	printf("-- %s: %s\n", f->rev, up ? "upgrade" : "downgrade");
	for (size_t i = 0; i < steps->n; i++) {
		const mig_step *st = VEC_AT(*steps, i, mig_step *);
		putchar('\n');
		if (st->no_tx)
			printf("-- +modelc no-transaction\n");
		for (const char *c = st->comment; c && *c;) {
			size_t n = strcspn(c, "\n");
			printf("--%s%.*s\n", n ? " " : "", (int)n, c);
			c += n + (c[n] == '\n');
		}
		printf("%s%s;\n", st->sql, ends_in_comment(st->sql) ? "\n" : "");
	}
}

int mig_cmd_sql(int argc, char **argv)
{
	runner r;
	int rc = runner_init(&r, argc, argv, 1, false);
	if (rc)
		return runner_end(&r, rc);
	if (!r.o.npos || !strchr(r.o.pos[0], ':'))
		return runner_end(&r, usage_error("sql", "%s", "give FROM:TO, e.g. base:0003"));
	const char *range = r.o.pos[0], *colon = strchr(range, ':');
	const char *from_s = arena_strndup(&r.a, range, (size_t)(colon - range)), *to_s = colon + 1;
	int from = rev_position(&r.set, from_s), to = rev_position(&r.set, to_s);
	if (from < 0)
		return runner_end(&r, usage_error("sql", "unknown revision '%s'", from_s));
	if (to < 0)
		return runner_end(&r, usage_error("sql", "unknown revision '%s'", to_s));
	for (int i = from; i < to; i++) {
		if (i > from)
			putchar('\n');
		print_section(file_at(&r.set, i), true);
	}
	for (int i = from - 1; i >= to; i--) {
		if (i < from - 1)
			putchar('\n');
		print_section(file_at(&r.set, i), false);
	}
	return runner_end(&r, 0);
}

int mig_cmd_rehash(int argc, char **argv)
{
	arena a;
	arena_init(&a);
	mig_opts o;
	int rc = parse_opts(argc, argv, 0, false, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sum = arena_printf(&a, "%s/%s", o.dir, MIG_SUM_FILE);
	buf before, after, err;
	buf_init(&before);
	buf_init(&after);
	buf_init(&err);
	bool had = buf_read_file(&before, sum) == 0;
	if (mig_sum_write(&a, o.dir, &err) != 0) {
		print_errors(&err);
		rc = 2;
	} else {
		buf_read_file(&after, sum);
		bool same = had && before.len == after.len && (!before.len || memcmp(before.data, after.data, before.len) == 0);
		printf("%s: %s\n", sum, same ? "unchanged" : "written");
		/* the sums are right now; what else is wrong is still reported */
		mig_set set;
		if (mig_set_load(&a, o.dir, &set, &err) != 0) {
			print_errors(&err);
			rc = 1;
		}
	}
	buf_free(&before);
	buf_free(&after);
	buf_free(&err);
	arena_free(&a);
	return rc;
}

/* migrate.c - mc_migrate_up/down/status: a migrations folder compiled into
 * the program by `modelc migrate embed`, applied with the rules of the
 * modelc binary's runner (docs/migrations.md): the same version table, the
 * same advisory lock, the same checksums, the same groups and next_step.
 * The two runners share only that documented format, no code: the runtime
 * never includes the compiler's headers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "modelc/migrate.h"

/* The key every runner holds while it works: "modelc" in ASCII,
 * 0x6d6f64656c63, as the binary's (docs/migrations.md). */
#define LOCK_KEY "120325193165923"

typedef struct mrow {
	char *rev, *checksum;
	bool incomplete;
	long next_step;
} mrow;

typedef struct mrun {
	mc_conn *c;
	const mc_migration_set *set;
	const char *fn;         /* "mc_migrate_up", for misuse messages */
	char *table;            /* "schema".modelc_migrations */
	char *saved_cmm;        /* client_min_messages to restore, as a literal */
	bool own;               /* the session is ours to clean up: no caller's transaction */
	bool locked;
	mrow *rows;
	size_t nrows;
	size_t applied;         /* migrations [0, applied) are applied */
	long next_step;         /* of the newest: 0 complete, > 0 upgrade, < 0 downgrade to resume */
} mrun;

/* ---- errors ---------------------------------------------------------------- */

/* Puts prefix before and suffix after the message of the error on c,
 * keeping its status, SQLSTATE and other fields: a failed statement says
 * which file and line it came from and still reads as the server's error. */
static void err_wrap(mc_conn *c, const char *prefix, const char *suffix)
{
	const char **f[6] = { &c->err.message, &c->err.detail, &c->err.hint,
			      &c->err.constraint, &c->err.table, &c->err.column };
	size_t lens[6], total = strlen(prefix) + strlen(suffix);
	char *nb, *p;

	for (int i = 0; i < 6; i++) {
		lens[i] = *f[i] ? strlen(*f[i]) : 0;
		total += lens[i] + 1;
	}
	nb = malloc(total);
	if (!nb)
		return;
	p = nb;
	for (int i = 0; i < 6; i++) {
		const char *old = *f[i];
		if (!old)
			continue;
		*f[i] = p;
		if (i == 0)
			p += sprintf(p, "%s", prefix);
		memcpy(p, old, lens[i]);
		p += lens[i];
		if (i == 0)
			p += sprintf(p, "%s", suffix);
		*p++ = '\0';
	}
	free(c->errbuf);
	c->errbuf = nb;
	c->errbuf_cap = total;
}

static long result_rows(const PGresult *r)
{
	const char *t;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return PQntuples(r);
	t = PQcmdTuples((PGresult *)r);
	return *t ? strtol(t, NULL, 10) : 0;
}

/* Runs bookkeeping SQL with text parameters as any runtime statement:
 * error recorded on c, counted, seen by the hook. */
static mc_status q(mrun *r, const char *sql, int np, const char *const *pv, PGresult **out)
{
	mc_conn *c = r->c;
	double t0 = mc__now();
	PGresult *res = NULL;
	mc_status st;

	if (out)
		*out = NULL;
	mc__err_reset(c);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		st = mc__lost(c);
	} else {
		res = PQexecParams(c->pg, sql, np, NULL, pv, NULL, NULL, 0);
		st = mc__check_result(c, res);
	}
	mc__finish(c, sql, np, t0, st, st == MC_OK ? result_rows(res) : -1);
	if (st == MC_OK && out)
		*out = res;
	else
		PQclear(res);
	return st;
}

static mc_status nomem(mrun *r)
{
	return mc__fail(r->c, MC_NOMEM, NULL, "out of memory");
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- the set ------------------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static const mc_migration *mig_at(const mrun *r, size_t i) { return &r->set->migrations[i]; }

static const char *rev_name(const mrun *r, size_t pos)
{
	return pos ? mig_at(r, pos - 1)->revision : "base";
}

/* How many migrations are applied at revision name: "base" 0, else the
 * position of the migration (by full name or by number) + 1; -1 when
 * unknown. */
static long rev_position(const mrun *r, const char *name)
{
	bool num;
	long n;

	if (strcmp(name, "base") == 0)
		return 0;
	num = all_digits(name);
	n = num && strlen(name) <= 9 ? strtol(name, NULL, 10) : -1;
	for (size_t i = 0; i < r->set->n; i++) {
		const char *rev = mig_at(r, i)->revision;
		if (num ? strtol(rev, NULL, 10) == n : strcmp(rev, name) == 0)
			return (long)i + 1;
	}
	return -1;
}

/* What the generator guarantees, checked once: a hand-made or corrupted
 * set must not be half applied. */
static mc_status set_check(mrun *r)
{
	const mc_migration_set *s = r->set;

	if (!s)
		return mc__fail(r->c, MC_INVALID, NULL, "%s: no migration set", r->fn);
	if (s->format != MC_MIGRATION_FORMAT)
		return mc__fail(r->c, MC_INVALID, NULL,
				"%s: the migration set has format %d, this libmodelc reads format %d "
				"(embed the folder again with this version's modelc)",
				r->fn, s->format, MC_MIGRATION_FORMAT);
	if (s->n && !s->migrations)
		return mc__fail(r->c, MC_INVALID, NULL, "%s: the migration set has no migrations array", r->fn);
	for (size_t i = 0; i < s->n; i++) {
		const mc_migration *m = &s->migrations[i];
		const char *want = i ? s->migrations[i - 1].revision : "base";
		if (!m->revision || !m->follows || !m->checksum || !m->file || (m->n_up && !m->up) ||
		    (m->n_down && !m->down))
			return mc__fail(r->c, MC_INVALID, NULL, "%s: migration %zu of the set is incomplete", r->fn,
					i + 1);
		if (strcmp(m->follows, want) != 0)
			return mc__fail(r->c, MC_INVALID, NULL,
					"%s: %s follows %s, but comes after %s in the migration set", r->fn,
					m->revision, m->follows, want);
	}
	return MC_OK;
}

/* ---- the database ----------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Sets the session up (notices of idempotent steps silenced, the version
 * table's qualified name), for a writer takes the lock and creates the
 * table, then reads it. */
static mc_status db_open(mrun *r, bool write)
{
	mc_conn *c = r->c;
	PGresult *res;
	mc_status st;
	char *lit, *ident;
	const char *schema;

	if (c->depth > 0 || (c->pg && PQstatus(c->pg) == CONNECTION_OK &&
			     PQtransactionStatus(c->pg) != PQTRANS_IDLE))
		return mc__fail(c, MC_INVALID, NULL, "%s: the connection is inside a transaction "
				"(migrations commit their own)", r->fn);
	r->own = true;
	/* "does not exist, skipping" notices of idempotent steps are noise;
	 * the caller's setting comes back at the end */
	st = q(r, "SELECT current_setting('client_min_messages'), "
		  "set_config('client_min_messages', 'warning', false), current_schema()", 0, NULL, &res);
	if (st != MC_OK)
		return st;
	lit = PQescapeLiteral(c->pg, PQgetvalue(res, 0, 0), strlen(PQgetvalue(res, 0, 0)));
	if (lit) {
		r->saved_cmm = dup_str(lit);
		PQfreemem(lit);
	}
	if (PQgetisnull(res, 0, 2)) {
		PQclear(res);
		return mc__fail(c, MC_ERROR, NULL, "no current schema: the search_path names no existing schema");
	}
	/* qualified: a migration that changes search_path must not move it */
	schema = PQgetvalue(res, 0, 2);
	ident = PQescapeIdentifier(c->pg, schema, strlen(schema));
	PQclear(res);
	if (!ident || !r->saved_cmm) {
		PQfreemem(ident);
		return nomem(r);
	}
	r->table = malloc(strlen(ident) + sizeof(".modelc_migrations"));
	if (r->table)
		sprintf(r->table, "%s.modelc_migrations", ident);
	PQfreemem(ident);
	if (!r->table)
		return nomem(r);

	if (write) {
		/* polled, not waited for inside a statement: a waiting runner must
		 * hold no snapshot, which a CREATE INDEX CONCURRENTLY of the
		 * running one would wait for (a deadlock) */
		for (int tries = 0;; tries++) {
			bool got;
			st = q(r, "SELECT pg_try_advisory_lock(" LOCK_KEY ")", 0, NULL, &res);
			if (st != MC_OK)
				return st;
			got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
			PQclear(res);
			if (got)
				break;
			sleep_ms(tries < 10 ? 50 : 200);
		}
		r->locked = true;
	}

	const char *pv[1] = { r->table };
	bool exists;
	st = q(r, "SELECT to_regclass($1) IS NOT NULL", 1, pv, &res);
	if (st != MC_OK)
		return st;
	exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists && write) {
		char sql[1024];
		snprintf(sql, sizeof(sql),
			 "CREATE TABLE IF NOT EXISTS %s (\n"
			 "    revision    text        PRIMARY KEY,\n"
			 "    checksum    text        NOT NULL,\n"
			 "    applied_at  timestamptz NOT NULL DEFAULT now(),\n"
			 "    next_step   integer\n"
			 ")",
			 r->table);
		if ((st = q(r, sql, 0, NULL, NULL)) != MC_OK)
			return st;
		exists = true;
	}
	if (!exists)
		return MC_OK;

	char sql[600];
	snprintf(sql, sizeof(sql), "SELECT revision, checksum, next_step FROM %s ORDER BY revision", r->table);
	if ((st = q(r, sql, 0, NULL, &res)) != MC_OK)
		return st;
	int n = PQntuples(res);
	r->rows = calloc((size_t)n + 1, sizeof(*r->rows));
	if (!r->rows) {
		PQclear(res);
		return nomem(r);
	}
	for (int i = 0; i < n; i++) {
		mrow *row = &r->rows[r->nrows++];
		row->rev = dup_str(PQgetvalue(res, i, 0));
		row->checksum = dup_str(PQgetvalue(res, i, 1));
		row->incomplete = !PQgetisnull(res, i, 2);
		row->next_step = row->incomplete ? strtol(PQgetvalue(res, i, 2), NULL, 10) : 0;
		if (!row->rev || !row->checksum) {
			PQclear(res);
			return nomem(r);
		}
	}
	PQclear(res);
	return MC_OK;
}

/* The version table against the set: every applied revision is in it,
 * with the checksum it was applied with; the applied ones are the start of
 * the chain; only the newest may be incomplete. The first problem is the
 * error. */
static mc_status db_verify(mrun *r)
{
	size_t n = r->set->n, top = 0;
	long incomplete = -1;
	bool *applied = calloc(n + 1, 1);

	if (!applied)
		return nomem(r);
	for (size_t i = 0; i < r->nrows; i++) {
		const mrow *row = &r->rows[i];
		long p = rev_position(r, row->rev);
		if (p <= 0 || strcmp(mig_at(r, (size_t)p - 1)->revision, row->rev) != 0) {
			free(applied);
			return mc__fail(r->c, MC_ERROR, NULL,
					"the database has %s applied, but the migrations embedded from %s have no %s",
					row->rev, r->set->dir ? r->set->dir : "(unknown)", row->rev);
		}
		const mc_migration *m = mig_at(r, (size_t)p - 1);
		applied[p - 1] = true;
		if ((size_t)p > top)
			top = (size_t)p;
		if (strcmp(row->checksum, m->checksum) != 0) {
			free(applied);
			return mc__fail(r->c, MC_ERROR, NULL,
					"%s: edited after it was applied (its checksum differs from the one in "
					"modelc_migrations); to record it as it is now, run modelc migrate stamp",
					m->file);
		}
		if (row->incomplete) {
			if (incomplete >= 0) {
				free(applied);
				return mc__fail(r->c, MC_ERROR, NULL,
						"modelc_migrations has more than one incomplete migration (%s and %s)",
						mig_at(r, (size_t)incomplete)->revision, row->rev);
			}
			incomplete = p - 1;
			r->next_step = row->next_step;
		}
	}
	for (size_t i = 0; i < top; i++)
		if (!applied[i]) {
			free(applied);
			return mc__fail(r->c, MC_ERROR, NULL,
					"the database has %s applied, but not %s, which comes before it",
					mig_at(r, top - 1)->revision, mig_at(r, i)->revision);
		}
	free(applied);
	if (incomplete >= 0) {
		const mc_migration *m = mig_at(r, (size_t)incomplete);
		long k = r->next_step < 0 ? -r->next_step : r->next_step;
		size_t n_steps = r->next_step < 0 ? m->n_down : m->n_up;
		if ((size_t)incomplete != top - 1)
			return mc__fail(r->c, MC_ERROR, NULL, "%s is incomplete, but is not the newest applied migration",
					m->revision);
		if (k < 2 || (size_t)k > n_steps)
			return mc__fail(r->c, MC_ERROR, NULL,
					"%s: modelc_migrations says to resume at statement %ld of the %s, which has %zu",
					m->file, k, r->next_step < 0 ? "downgrade" : "upgrade", n_steps);
	}
	r->applied = top;
	return MC_OK;
}

/* Gives back the lock and the caller's client_min_messages, keeping the
 * error of a failure readable. A failure here is the result when all
 * else went well. */
static mc_status run_end(mrun *r, mc_status st)
{
	mc_conn *c = r->c;

	if (r->own && c->pg && PQstatus(c->pg) == CONNECTION_OK) {
		mc_status es;
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			mc__run(c, "ROLLBACK", true, NULL);
		if (r->locked) {
			es = mc__run(c, "SELECT pg_advisory_unlock(" LOCK_KEY ")", st != MC_OK, NULL);
			if (st == MC_OK)
				st = es;
		}
		if (r->saved_cmm) {
			char *sql = malloc(strlen(r->saved_cmm) + 64);
			if (sql) {
				sprintf(sql, "SELECT set_config('client_min_messages', %s, false)", r->saved_cmm);
				es = mc__run(c, sql, st != MC_OK, NULL);
				if (st == MC_OK)
					st = es;
				free(sql);
			}
		}
	}
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].rev);
		free(r->rows[i].checksum);
	}
	free(r->rows);
	free(r->table);
	free(r->saved_cmm);
	return st;
}

static mc_status run_begin(mrun *r, mc_conn *c, const mc_migration_set *set, const char *fn, bool write)
{
	mc_status st;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->set = set;
	r->fn = fn;
	mc__err_reset(c);
	if ((st = set_check(r)) != MC_OK || (st = db_open(r, write)) != MC_OK)
		return st;
	return db_verify(r);
}

/* ---- applying ------------------------------------------------------------------ */

/* "FILE:LINE: WHAT failed: " before the server's message. */
static void step_failed(mrun *r, const mc_migration *m, const mc_migration_step *s, const char *what)
{
	char prefix[1024];

	snprintf(prefix, sizeof(prefix), "%s:%d: %s failed: ", m->file, s->line, what);
	err_wrap(r->c, prefix, "");
}

/* Runs one statement of a migration, as the binary does: simple protocol,
 * so it may be anything a migration file holds. */
static bool run_step(mrun *r, const mc_migration *m, const mc_migration_step *s)
{
	mc_conn *c = r->c;
	double t0 = mc__now();
	PGresult *res;
	ExecStatusType es;
	mc_status st;
	long rows = -1;

	mc__err_reset(c);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		mc__lost(c);
		step_failed(r, m, s, "statement");
		return false;
	}
	res = PQexec(c->pg, s->sql);
	es = PQresultStatus(res);
	if (res && (es == PGRES_COPY_IN || es == PGRES_COPY_OUT)) {
		/* COPY with stdin/stdout has nothing to read or write here */
		PGresult *next;
		PQclear(res);
		if (es == PGRES_COPY_IN) {
			PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported in a migration");
		} else {
			char *row;
			while (PQgetCopyData(c->pg, &row, 0) > 0)
				PQfreemem(row);
		}
		res = NULL;
		while ((next = PQgetResult(c->pg))) {
			PQclear(res);
			res = next;
		}
	}
	st = mc__check_result(c, res);
	if (st == MC_OK && res)
		rows = result_rows(res);
	mc__finish(c, s->sql, 0, t0, st, rows);
	PQclear(res);
	if (st != MC_OK)
		step_failed(r, m, s, "statement");
	return st == MC_OK;
}

/* COMMIT of a group; deferred constraints fail here, so the error names
 * the group's first statement. */
static bool commit_group(mrun *r, const mc_migration *m, const mc_migration_step *first)
{
	PGresult *res;
	mc_status st = q(r, "COMMIT", 0, NULL, &res);

	if (st == MC_OK) {
		bool rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
		PQclear(res);
		if (!rolled_back && PQtransactionStatus(r->c->pg) == PQTRANS_IDLE)
			return true;
		mc__fail(r->c, MC_ERROR, "25P02", "the server rolled the transaction back");
	}
	step_failed(r, m, first, "commit of the transaction starting with this statement");
	return false;
}

/* Runs statements [from, n) of m's upgrade (up) or downgrade in groups:
 * each run of ordinary statements in one transaction, each run of
 * no-transaction statements outside one, statement by statement; after
 * each group the version row records the next statement (1-based,
 * negative for a downgrade), NULL or no row after the last. A whole run of
 * no-transaction statements is one group, so a resume reruns the "DROP
 * INDEX CONCURRENTLY IF EXISTS" before a failed "CREATE INDEX
 * CONCURRENTLY". row: m's row exists already. As mig_run.c does it. */
static mc_status run_migration(mrun *r, const mc_migration *m, bool up, size_t from, bool row)
{
	const mc_migration_step *steps = up ? m->up : m->down;
	size_t n = up ? m->n_up : m->n_down, i = from;
	size_t tl = strlen(r->table) + 128;
	char *ins = malloc(tl), *upd = malloc(tl), *del = malloc(tl);
	mc_status st = MC_OK;

	if (!ins || !upd || !del) {
		free(ins);
		free(upd);
		free(del);
		return nomem(r);
	}
	snprintf(ins, tl, "INSERT INTO %s (revision, next_step, checksum) VALUES ($1, $2, $3)", r->table);
	snprintf(upd, tl, "UPDATE %s SET next_step = $2 WHERE revision = $1", r->table);
	snprintf(del, tl, "DELETE FROM %s WHERE revision = $1", r->table);
	do {
		bool alone = i < n && steps[i].no_tx, last, ok = true;
		size_t j = i;
		while (j < n && steps[j].no_tx == alone)
			j++;
		last = j >= n;
		if (!alone && (st = q(r, "BEGIN", 0, NULL, NULL)) != MC_OK)
			break;
		for (size_t k = i; k < j && ok; k++)
			ok = run_step(r, m, &steps[k]);
		if (ok) {
			char next[32];
			const char *pv[3];
			mc_status bs;
			snprintf(next, sizeof(next), "%ld", (up ? 1L : -1L) * (long)(j + 1));
			pv[0] = m->revision;
			pv[1] = last ? NULL : next;
			pv[2] = m->checksum;
			if (up && !row)
				bs = q(r, ins, 3, pv, NULL);
			else if (up || !last)
				bs = q(r, upd, 2, pv, NULL);
			else
				bs = q(r, del, 1, pv, NULL);
			if (bs != MC_OK) {
				char prefix[300];
				snprintf(prefix, sizeof(prefix), "%s: recording it in modelc_migrations failed: ",
					 m->revision);
				err_wrap(r->c, prefix, "");
				ok = false;
			}
		}
		if (ok && !alone && i < n)
			ok = commit_group(r, m, &steps[i]);
		else if (ok && !alone)
			ok = q(r, "COMMIT", 0, NULL, NULL) == MC_OK;
		if (!ok) {
			st = r->c->err.status != MC_OK ? r->c->err.status : MC_ERROR;
			/* (on a lost connection there is nothing to roll back, and
			 * trying would replace the error) */
			if (PQstatus(r->c->pg) == CONNECTION_OK && PQtransactionStatus(r->c->pg) != PQTRANS_IDLE)
				mc__run(r->c, "ROLLBACK", true, NULL);
			if (i > 0) {    /* a group of it is committed: the row says where to resume */
				char suffix[300];
				snprintf(suffix, sizeof(suffix),
					 " (%s is incomplete: the next migrate %s resumes it at statement %zu)",
					 m->revision, up ? "up" : "down", i + 1);
				err_wrap(r->c, "", suffix);
			}
			break;
		}
		row = true;
		i = j;
	} while (i < n);
	free(ins);
	free(upd);
	free(del);
	return st;
}

mc_status mc_migrate_up(mc_conn *c, const mc_migration_set *set, const char *target, int *applied)
{
	mrun r;
	mc_status st;
	long to;
	size_t at;

	if (applied)
		*applied = 0;
	if (!c)
		return MC_INVALID;
	if ((st = run_begin(&r, c, set, "mc_migrate_up", true)) != MC_OK)
		return run_end(&r, st);
	to = (long)set->n;
	if (target && (to = rev_position(&r, target)) < 0)
		return run_end(&r, mc__fail(c, MC_INVALID, NULL, "mc_migrate_up: unknown revision '%s'", target));
	at = r.applied;
	if (r.next_step < 0)
		return run_end(&r, mc__fail(c, MC_ERROR, NULL,
					    "%s is partly reverted (its downgrade stopped before statement %ld); "
					    "finish it with migrate down first", rev_name(&r, at), -r.next_step));
	if (r.next_step > 0) {
		if ((st = run_migration(&r, mig_at(&r, at - 1), true, (size_t)r.next_step - 1, true)) != MC_OK)
			return run_end(&r, st);
		if (applied)
			++*applied;
	}
	for (size_t i = at; (long)i < to; i++) {
		if ((st = run_migration(&r, mig_at(&r, i), true, 0, false)) != MC_OK)
			return run_end(&r, st);
		if (applied)
			++*applied;
	}
	return run_end(&r, MC_OK);
}

mc_status mc_migrate_down(mc_conn *c, const mc_migration_set *set, const char *target, int *reverted)
{
	mrun r;
	mc_status st;
	const char *arg = target ? target : "-1";
	long to = 0, back = 0;
	size_t at;

	if (reverted)
		*reverted = 0;
	if (!c)
		return MC_INVALID;
	if ((st = run_begin(&r, c, set, "mc_migrate_down", true)) != MC_OK)
		return run_end(&r, st);
	if (arg[0] == '-') {
		if (!all_digits(arg + 1))
			return run_end(&r, mc__fail(c, MC_INVALID, NULL, "mc_migrate_down: bad target '%s'", arg));
		back = strlen(arg) <= 6 ? strtol(arg + 1, NULL, 10) : 999999;
	} else if ((to = rev_position(&r, arg)) < 0) {
		return run_end(&r, mc__fail(c, MC_INVALID, NULL, "mc_migrate_down: unknown revision '%s'", arg));
	}
	at = r.applied;
	if (arg[0] == '-') {
		if (back > (long)at && at > 0)
			return run_end(&r, mc__fail(c, MC_ERROR, NULL, "cannot revert %ld: only %zu applied", back, at));
		to = back > (long)at ? 0 : (long)at - back;
	} else if ((size_t)to > at) {
		return run_end(&r, mc__fail(c, MC_ERROR, NULL, "%s is not applied (the database is at %s)",
					    rev_name(&r, (size_t)to), rev_name(&r, at)));
	}
	if (r.next_step > 0)
		return run_end(&r, mc__fail(c, MC_ERROR, NULL,
					    "%s is incomplete (its upgrade stopped before statement %ld); finish it "
					    "with migrate up first", rev_name(&r, at), r.next_step));
	for (size_t i = at; (long)i > to; i--) {
		size_t from = 0;
		if (i == at && r.next_step < 0)
			from = (size_t)(-r.next_step) - 1;
		if ((st = run_migration(&r, mig_at(&r, i - 1), false, from, true)) != MC_OK)
			return run_end(&r, st);
		if (reverted)
			++*reverted;
	}
	return run_end(&r, MC_OK);
}

mc_status mc_migrate_status(mc_conn *c, const mc_migration_set *set, mc_migration_state *out)
{
	mrun r;
	mc_status st;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!c)
		return MC_INVALID;
	if (!out)
		return mc__fail(c, MC_INVALID, NULL, "mc_migrate_status: no output");
	if ((st = run_begin(&r, c, set, "mc_migrate_status", false)) == MC_OK) {
		out->current = rev_name(&r, r.applied);
		out->applied = r.applied;
		out->pending = set->n - r.applied;
		out->next_step = r.next_step;
	}
	return run_end(&r, st);
}

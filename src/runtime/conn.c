/* conn.c - connections, statement execution and error capture. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* The text codecs read and write values in these formats, so every session
 * gets them. As startup options they cost no round trip; client_encoding
 * goes through its own libpq keyword. */
#define SESSION_OPTIONS \
	"-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3"
/* The same as statements, for servers (or poolers) that drop startup options. */
#define SESSION_SQL \
	"SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; " \
	"SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3"

static const mc_error no_conn_error = {
	MC_INVALID, "", "no connection", NULL, NULL, NULL, NULL, NULL, -1
};

double mc__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- errors ---------------------------------------------------------------- */

static void err_reset(mc_conn *c)
{
	c->err.status = MC_OK;
	c->err.sqlstate[0] = '\0';
	c->err.message = "";
	c->err.detail = c->err.hint = NULL;
	c->err.constraint = c->err.table = c->err.column = NULL;
	c->err.constraint_id = -1;
}

/* libpq's own messages end in a newline; the caller prints its own. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	return n;
}

enum { F_MESSAGE, F_DETAIL, F_HINT, F_CONSTRAINT, F_TABLE, F_COLUMN, F_COUNT };

/* Copies the fields into the connection's buffer: PGresults and format
 * buffers go away, the error stays until the next call. */
static mc_status set_error(mc_conn *c, mc_status st, const char *sqlstate, const char *fields[F_COUNT])
{
	size_t lens[F_COUNT], total = 0;

	err_reset(c);
	c->err.status = st;
	if (sqlstate && strlen(sqlstate) == 5)
		memcpy(c->err.sqlstate, sqlstate, 6);

	for (int i = 0; i < F_COUNT; i++) {
		lens[i] = fields[i] ? trimmed_len(fields[i]) : 0;
		if (fields[i])
			total += lens[i] + 1;
	}
	if (total > c->errbuf_cap) {
		char *nb = realloc(c->errbuf, total);
		if (!nb) {
			c->err.message = "out of memory while recording an error";
			return st;
		}
		c->errbuf = nb;
		c->errbuf_cap = total;
	}

	const char **dst[F_COUNT] = {
		&c->err.message, &c->err.detail, &c->err.hint,
		&c->err.constraint, &c->err.table, &c->err.column
	};
	char *p = c->errbuf;
	for (int i = 0; i < F_COUNT; i++) {
		if (!fields[i])
			continue;
		memcpy(p, fields[i], lens[i]);
		p[lens[i]] = '\0';
		*dst[i] = p;
		p += lens[i] + 1;
	}
	if (!c->err.message)
		c->err.message = "";
	return st;
}

void mc__set_error(mc_conn *c, const mc_error *e)
{
	const char *fields[F_COUNT] = { e->message, e->detail, e->hint, e->constraint, e->table, e->column };

	set_error(c, e->status, e->sqlstate, fields);
	c->err.constraint_id = e->constraint_id;
}

mc_status mc__fail(mc_conn *c, mc_status st, const char *sqlstate, const char *fmt, ...)
{
	char msg[512];
	const char *fields[F_COUNT] = { msg };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return set_error(c, st, sqlstate, fields);
}

static mc_status map_sqlstate(const char *s)
{
	if (!s || strlen(s) != 5)
		return MC_ERROR;
	if (strcmp(s, "23505") == 0)
		return MC_UNIQUE_VIOLATION;
	if (strcmp(s, "23503") == 0)
		return MC_FOREIGN_KEY_VIOLATION;
	if (strcmp(s, "23514") == 0)
		return MC_CHECK_VIOLATION;
	if (strcmp(s, "23502") == 0)
		return MC_NOT_NULL_VIOLATION;
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0)
		return MC_SERIALIZATION_FAILURE;
	if (strncmp(s, "08", 2) == 0)
		return MC_CONNECTION_LOST;
	return MC_ERROR;
}

/* A dead connection has no transaction and no prepared statements left. */
static void forget_session(mc_conn *c)
{
	c->depth = 0;
}

static mc_status lost(mc_conn *c)
{
	const char *msg = c->pg ? PQerrorMessage(c->pg) : NULL;

	forget_session(c);
	if (!msg || !*msg)
		msg = "connection to the server was lost";
	return mc__fail(c, MC_CONNECTION_LOST, NULL, "%.*s", (int)trimmed_len(msg), msg);
}

static mc_status result_error(mc_conn *c, const PGresult *r)
{
	const char *sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *fields[F_COUNT] = { NULL };
	mc_status st = map_sqlstate(sqlstate);

	/* the server may have said why before it hung up (57P01 ...): that is
	 * still a lost connection for the caller */
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		st = MC_CONNECTION_LOST;
		forget_session(c);
	}
	if (r) {
		fields[F_MESSAGE] = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		fields[F_DETAIL] = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
		fields[F_HINT] = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
		fields[F_CONSTRAINT] = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
		fields[F_TABLE] = PQresultErrorField(r, PG_DIAG_TABLE_NAME);
		fields[F_COLUMN] = PQresultErrorField(r, PG_DIAG_COLUMN_NAME);
		if (!fields[F_MESSAGE] || !*fields[F_MESSAGE])
			fields[F_MESSAGE] = PQresultErrorMessage(r);
	}
	if (!fields[F_MESSAGE] || !*fields[F_MESSAGE])
		fields[F_MESSAGE] = PQerrorMessage(c->pg);
	if (!fields[F_MESSAGE] || !*fields[F_MESSAGE])
		fields[F_MESSAGE] = st == MC_CONNECTION_LOST ? "connection to the server was lost"
							     : "unknown error";
	return set_error(c, st, sqlstate, fields);
}

static mc_status check_result(mc_conn *c, const PGresult *r)
{
	switch (r ? PQresultStatus(r) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		return MC_OK;
	default:
		return result_error(c, r);
	}
}

const mc_error *mc_last_error(const mc_conn *c)
{
	return c ? &c->err : &no_conn_error;
}

void mc_conn_set_constraint_id(mc_conn *c, int id)
{
	if (c)
		c->err.constraint_id = id;
}

/* ---- opening and closing --------------------------------------------------- */

/* Options the caller asked for (in conninfo, else PGOPTIONS) come first so
 * that ours, later on the command line, win. */
static char *session_options(const char *conninfo, char **parse_error)
{
	PQconninfoOption *parsed = NULL;
	const char *user = NULL;
	char *out;
	size_t n;

	*parse_error = NULL;
	if (conninfo && *conninfo) {
		parsed = PQconninfoParse(conninfo, parse_error);
		if (!parsed)
			return NULL;
		for (PQconninfoOption *o = parsed; o->keyword; o++)
			if (strcmp(o->keyword, "options") == 0 && o->val && *o->val)
				user = o->val;
	}
	if (!user)
		user = getenv("PGOPTIONS");
	if (!user)
		user = "";
	n = strlen(user) + sizeof(SESSION_OPTIONS) + 1;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s%s%s", user, *user ? " " : "", SESSION_OPTIONS);
	PQconninfoFree(parsed);
	return out;
}

static PGconn *connect_with(const char *conninfo, const char *options)
{
	const char *keys[] = { "dbname", "options", "client_encoding", "fallback_application_name", NULL };
	const char *vals[] = { conninfo && *conninfo ? conninfo : NULL, options, "UTF8", "modelc", NULL };

	/* without options the keyword list simply ends there */
	if (!options) {
		keys[1] = "client_encoding", vals[1] = "UTF8";
		keys[2] = "fallback_application_name", vals[2] = "modelc";
		keys[3] = NULL;
	}
	return PQconnectdbParams(keys, vals, 1);
}

static bool param_is(PGconn *pg, const char *name, const char *want)
{
	const char *v = PQparameterStatus(pg, name);
	return v && strcmp(v, want) == 0;
}

mc_status mc_conn_open(mc_conn **out, const char *conninfo, const mc_conn_opts *opts)
{
	mc_conn *c;
	char *options, *parse_error;

	if (!out)
		return MC_INVALID;
	*out = c = calloc(1, sizeof(*c));
	if (!c)
		return MC_NOMEM;
	if (opts)
		c->opts = *opts;
	err_reset(c);

	options = session_options(conninfo, &parse_error);
	if (!options) {
		if (parse_error) {
			mc__fail(c, MC_INVALID, NULL, "invalid connection string: %.*s",
				 (int)trimmed_len(parse_error), parse_error);
			PQfreemem(parse_error);
			return MC_INVALID;
		}
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	}
	c->pg = connect_with(conninfo, options);
	free(options);
	if (c->pg && PQstatus(c->pg) == CONNECTION_BAD &&
	    strstr(PQerrorMessage(c->pg), "unsupported startup parameter")) {
		/* PgBouncer refuses "options": set the session up with SET below */
		PQfinish(c->pg);
		c->pg = connect_with(conninfo, NULL);
	}
	if (!c->pg)
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	if (PQstatus(c->pg) != CONNECTION_OK)
		return lost(c);

	/* a pooler may also drop the options silently: the server reports
	 * these settings, so the check is free */
	if (!param_is(c->pg, "DateStyle", "ISO, YMD") || !param_is(c->pg, "TimeZone", "UTC") ||
	    !param_is(c->pg, "IntervalStyle", "iso_8601") || !param_is(c->pg, "client_encoding", "UTF8")) {
		PGresult *r = PQexec(c->pg, SESSION_SQL);
		mc_status st = check_result(c, r);
		PQclear(r);
		if (st != MC_OK)
			return st;
	}
	c->opened_at = mc__now();
	return MC_OK;
}

static void prepared_clear(mc_conn *c)
{
	for (size_t i = 0; i < c->prepared_cap; i++) {
		free(c->prepared[i].name);
		c->prepared[i].name = NULL;
		c->prepared[i].st = NULL;
	}
	c->nprepared = 0;
}

void mc_conn_close(mc_conn *c)
{
	if (!c)
		return;
	if (c->batch)
		mc__batch_abandon(c->batch);
	if (c->pg)
		PQfinish(c->pg);
	prepared_clear(c);
	free(c->prepared);
	mc__dyn_free(c);
	free(c->errbuf);
	free(c);
}

bool mc_conn_ok(const mc_conn *c)
{
	return c && c->pg && PQstatus(c->pg) == CONNECTION_OK;
}

void *mc_conn_pg(mc_conn *c)
{
	return c ? c->pg : NULL;
}

uint64_t mc_conn_statements(const mc_conn *c)
{
	return c ? c->statements : 0;
}

uint64_t mc_conn_round_trips(const mc_conn *c)
{
	return c ? c->round_trips : 0;
}

int mc_conn_socket(const mc_conn *c)
{
	return c && c->pg ? PQsocket(c->pg) : -1;
}

mc_status mc__busy(mc_conn *c)
{
	if (!c->batch)
		return MC_OK;
	return mc__fail(c, MC_INVALID, NULL, "the connection is running a batch: finish it first");
}

void mc_conn_set_hook(mc_conn *c, mc_stmt_hook hook, void *ctx)
{
	if (!c)
		return;
	c->hook = hook;
	c->hook_ctx = ctx;
}

/* ---- running statements ---------------------------------------------------- */

static long result_rows(const PGresult *r)
{
	const char *t;

	if (!r)
		return -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return PQntuples(r);
	t = PQcmdTuples((PGresult *)r);
	return *t ? strtol(t, NULL, 10) : 0;
}

/* Every statement ends here: the counter and the hook see all of them. */
void mc__finish(mc_conn *c, const char *sql, int nparams, double t0, mc_status st, long rows)
{
	c->statements++;
	if (c->hook) {
		mc_stmt_event ev;
		ev.sql = sql;
		ev.nparams = nparams;
		ev.duration_ms = (mc__now() - t0) * 1000.0;
		if (ev.duration_ms < 0)
			ev.duration_ms = 0;
		ev.rows = st == MC_OK ? rows : -1;
		ev.status = st;
		ev.error = st == MC_OK ? NULL : &c->err;
		c->hook(c->hook_ctx, &ev);
	}
}

static void finish(mc_conn *c, const char *sql, int nparams, double t0, mc_status st, const PGresult *r)
{
	mc__finish(c, sql, nparams, t0, st, st == MC_OK ? result_rows(r) : -1);
}

mc_status mc__run(mc_conn *c, const char *sql, bool keep_error, PGresult **out)
{
	PGresult *r = NULL;
	double t0 = mc__now();
	mc_status st;

	if (out)
		*out = NULL;
	if (!keep_error)
		err_reset(c);
	if (c->batch) {
		st = mc__busy(c);
	} else if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		st = lost(c);
	} else {
		c->round_trips++;
		r = PQexec(c->pg, sql);
		st = check_result(c, r);
	}
	finish(c, sql, 0, t0, st, r);
	if (st == MC_OK && out)
		*out = r;
	else
		PQclear(r);
	return st;
}

mc_status mc_conn_ping(mc_conn *c)
{
	if (!c)
		return MC_INVALID;
	return mc__run(c, "SELECT 1", false, NULL);
}

/* The prepared-statement cache: open addressing on the mc_stmt pointer. */
static size_t slot_of(const mc_conn *c, const mc_stmt *st)
{
	uintptr_t h = (uintptr_t)st;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	return (size_t)h & (c->prepared_cap - 1);
}

static mc_prepared *prepared_find(const mc_conn *c, const mc_stmt *st)
{
	if (!c->prepared_cap)
		return NULL;
	for (size_t i = slot_of(c, st);; i = (i + 1) & (c->prepared_cap - 1)) {
		if (c->prepared[i].st == st)
			return &c->prepared[i];
		if (!c->prepared[i].st)
			return NULL;
	}
}

static bool prepared_grow(mc_conn *c)
{
	size_t ncap = c->prepared_cap ? c->prepared_cap * 2 : 16;
	mc_prepared *old = c->prepared, *nt = calloc(ncap, sizeof(*nt));
	size_t ocap = c->prepared_cap;

	if (!nt)
		return false;
	c->prepared = nt;
	c->prepared_cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].st)
			continue;
		size_t j = slot_of(c, old[i].st);
		while (nt[j].st)
			j = (j + 1) & (ncap - 1);
		nt[j] = old[i];
	}
	free(old);
	return true;
}

static mc_prepared *prepared_add(mc_conn *c, const mc_stmt *st, const char *name)
{
	char *copy;
	size_t i;

	if ((c->nprepared + 1) * 2 > c->prepared_cap && !prepared_grow(c))
		return NULL;
	copy = malloc(strlen(name) + 1);
	if (!copy)
		return NULL;
	strcpy(copy, name);
	for (i = slot_of(c, st); c->prepared[i].st; i = (i + 1) & (c->prepared_cap - 1))
		;
	c->prepared[i].st = st;
	c->prepared[i].name = copy;
	c->nprepared++;
	return &c->prepared[i];
}

/* The entry using this server-side name, if any (misses only: rare). */
static const mc_prepared *prepared_named(const mc_conn *c, const char *name)
{
	for (size_t i = 0; i < c->prepared_cap; i++)
		if (c->prepared[i].st && strcmp(c->prepared[i].name, name) == 0)
			return &c->prepared[i];
	return NULL;
}

/* Removes e, moving later entries of its probe run into the gap. */
static void prepared_remove(mc_conn *c, mc_prepared *e)
{
	size_t mask = c->prepared_cap - 1, i = (size_t)(e - c->prepared), j = i;

	free(e->name);
	e->name = NULL;
	e->st = NULL;
	c->nprepared--;
	for (;;) {
		j = (j + 1) & mask;
		if (!c->prepared[j].st)
			return;
		size_t home = slot_of(c, c->prepared[j].st);
		/* an entry whose home lies cyclically in (i, j] stays put */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		c->prepared[i] = c->prepared[j];
		c->prepared[j].st = NULL;
		c->prepared[j].name = NULL;
		i = j;
	}
}

/* The server-side name for st. Two statements may share a name (two
 * models, or a copy of a static mc_stmt): the same SQL shares the server
 * statement (*shared), other SQL gets a name of its own. */
static void pick_name(mc_conn *c, const mc_stmt *st, char name[256], bool *shared)
{
	const mc_prepared *same;

	*shared = false;
	snprintf(name, 256, "%s", st->name);
	while ((same = prepared_named(c, name)) != NULL) {
		if (strcmp(same->st->sql, st->sql) == 0) {
			*shared = true;
			return;
		}
		snprintf(name, 256, "%.200s_%u", st->name, ++c->name_seq);
	}
}

static mc_status prepare(mc_conn *c, const mc_stmt *st, mc_prepared **out)
{
	char name[256];
	bool shared;
	PGresult *r;
	mc_status s;

	pick_name(c, st, name, &shared);
	if (shared) {
		*out = prepared_add(c, st, name);
		return *out ? MC_OK : mc__fail(c, MC_NOMEM, NULL, "out of memory");
	}

	c->round_trips++;
	r = PQprepare(c->pg, name, st->sql, st->nparams, NULL);
	s = check_result(c, r);
	PQclear(r);
	if (s != MC_OK)
		return s;
	*out = prepared_add(c, st, name);
	if (!*out) {
		/* the server has it but we cannot remember it: drop it so that a
		 * later attempt can prepare it again */
		char sql[300];
		snprintf(sql, sizeof(sql), "DEALLOCATE \"%s\"", name);
		c->round_trips++;
		PQclear(PQexec(c->pg, sql));
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	}
	return MC_OK;
}

static PGresult *exec_prepared(mc_conn *c, const mc_stmt *st, const mc_params *p, mc_status *s)
{
	mc_prepared *e = prepared_find(c, st);
	PGresult *r;

	*s = MC_OK;
	if (!e && (*s = prepare(c, st, &e)) != MC_OK)
		return NULL;
	r = PQexecPrepared(c->pg, e->name, p ? p->n : 0, p ? p->values : NULL, NULL, NULL, st->binary ? 1 : 0);
	if (r && PQresultStatus(r) == PGRES_FATAL_ERROR && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "26000") == 0) {
			/* someone ran DEALLOCATE ALL or DISCARD ALL behind our back:
			 * start the cache over and try once more */
			PQclear(r);
			mc__prepared_reset(c);
			if ((*s = prepare(c, st, &e)) != MC_OK)
				return NULL;
			c->round_trips++;
			r = PQexecPrepared(c->pg, e->name, p ? p->n : 0, p ? p->values : NULL, NULL, NULL, st->binary ? 1 : 0);
		}
	}
	return r;
}

mc_status mc_exec(mc_conn *c, const mc_stmt *st, const mc_params *p, void **res)
{
	PGresult *r = NULL;
	int n = p ? p->n : 0;
	double t0 = mc__now();
	mc_status s = MC_OK;

	if (res)
		*res = NULL;
	if (!c)
		return MC_INVALID;
	err_reset(c);

	if (!st || !st->sql) {
		s = mc__fail(c, MC_INVALID, NULL, "mc_exec: no statement");
	} else if (p && p->failed) {
		s = mc__fail(c, MC_NOMEM, NULL, "out of memory while building the parameters");
	} else if (n != st->nparams) {
		s = mc__fail(c, MC_INVALID, NULL, "statement %s takes %d parameters, %d given",
			     st->name ? st->name : "(unnamed)", st->nparams, n);
	} else if (c->batch) {
		s = mc__busy(c);
	} else if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		s = lost(c);
	}
	/* text-format values end at their first NUL: one inside would cut the
	 * value short without a word, so refuse it */
	for (int i = 0; s == MC_OK && i < n; i++) {
		if (p->values[i] && strlen(p->values[i]) != (size_t)p->lengths[i])
			s = mc__fail(c, MC_DATA, "22021", "parameter $%d of %s contains a NUL byte",
				     i + 1, st->name ? st->name : "(unnamed)");
	}

	if (s == MC_OK) {
		c->round_trips++;
		if (c->opts.unnamed_statements || !st->name || !st->name[0])
			r = PQexecParams(c->pg, st->sql, n, NULL, p ? p->values : NULL, NULL, NULL, st->binary ? 1 : 0);
		else
			r = exec_prepared(c, st, p, &s);
		if (s == MC_OK)
			s = check_result(c, r);
	}

	finish(c, st && st->sql ? st->sql : "", n, t0, s, r);
	if (s == MC_OK && res)
		*res = r;
	else
		PQclear(r);
	return s;
}

/* ---- for the runtime's other files: query.c drives libpq itself when it
 * streams, and must report like mc_exec --------------------------------- */

void mc__err_reset(mc_conn *c)
{
	err_reset(c);
}

mc_status mc__check_result(mc_conn *c, const PGresult *r)
{
	return check_result(c, r);
}

mc_status mc__lost(mc_conn *c)
{
	return lost(c);
}

mc_status mc__prepared_for(mc_conn *c, const mc_stmt *st, const char **name, bool *fresh)
{
	mc_prepared *e = prepared_find(c, st);
	char buf[256];
	bool shared;

	if (!e) {
		pick_name(c, st, buf, &shared);
		if (!(e = prepared_add(c, st, buf)))
			return MC_NOMEM;
		*name = e->name;
		*fresh = !shared;
		return MC_OK;
	}
	*name = e->name;
	*fresh = false;
	return MC_OK;
}

bool mc__prepared_known(mc_conn *c, const mc_stmt *st)
{
	return prepared_find(c, st) != NULL;
}

void mc__prepared_drop(mc_conn *c, const mc_stmt *st)
{
	mc_prepared *e = prepared_find(c, st);
	char *name;

	if (!e)
		return;
	/* the entries sharing its name are gone on the server too */
	name = e->name;
	e->name = NULL;
	prepared_remove(c, e);
	while ((e = (mc_prepared *)prepared_named(c, name)) != NULL)
		prepared_remove(c, e);
	free(name);
}

void mc__prepared_reset(mc_conn *c)
{
	c->round_trips++;
	PQclear(PQexec(c->pg, "DEALLOCATE ALL"));
	prepared_clear(c);
}

/* test_runtime.c - libmodelc against the real test cluster: connections,
 * errors and their SQLSTATE/constraint/table/column, the statement counter
 * and hook, prepared-statement reuse, parameters, result memory,
 * transactions and savepoints, the retry helper, lost connections and the
 * pool (timeout, pre_ping, recycle, rollback on release, 8 threads).
 *
 * Connections come from the PG* environment tests/run.sh exports. Every
 * table lives in the schema mc_rt, created by the group setup and dropped by
 * its teardown. The text codecs are tested elsewhere; parameters here are
 * the ones that do not need them. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdalign.h>
#include <time.h>

#include "modelc/gen.h"

/* ---- helpers --------------------------------------------------------------- */

/* Connections a failing test leaves open are closed by the teardown, so a
 * failure is not followed by leak reports. */
#define MAX_TRACKED 16
static mc_conn *tracked[MAX_TRACKED];

static mc_conn *open_conn_opts(const char *conninfo, const mc_conn_opts *opts)
{
	mc_conn *c = NULL;
	mc_status st = mc_conn_open(&c, conninfo, opts);
	if (st != MC_OK) {
		fail_msg("mc_conn_open: %s: %s", mc_status_name(st), mc_last_error(c)->message);
	}
	for (int i = 0; i < MAX_TRACKED; i++)
		if (!tracked[i]) {
			tracked[i] = c;
			break;
		}
	return c;
}

static mc_conn *open_conn(void)
{
	return open_conn_opts("", NULL);
}

static void close_conn(mc_conn *c)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == c)
			tracked[i] = NULL;
	mc_conn_close(c);
}

static int close_tracked(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_TRACKED; i++) {
		mc_conn_close(tracked[i]);
		tracked[i] = NULL;
	}
	return 0;
}

/* Runs sql as an unnamed statement; fails the test unless it succeeds. */
static PGresult *q(mc_conn *c, const char *sql, mc_params *p)
{
	mc_stmt st = { NULL, sql, p ? p->n : 0, 0 };
	void *res = NULL;
	mc_status s = mc_exec(c, &st, p, &res);
	if (s != MC_OK)
		fail_msg("%s: %s: %s", sql, mc_status_name(s), mc_last_error(c)->message);
	return res;
}

static void run(mc_conn *c, const char *sql)
{
	PQclear(q(c, sql, NULL));
}

static mc_status try_sql(mc_conn *c, const char *sql)
{
	mc_stmt st = { NULL, sql, 0, 0 };
	return mc_exec(c, &st, NULL, NULL);
}

static long long qint(mc_conn *c, const char *sql, mc_params *p)
{
	PGresult *r = q(c, sql, p);
	assert_int_equal(PQntuples(r), 1);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* The first value of the first row, copied (NULL for SQL NULL). */
static char *qstr(mc_conn *c, const char *sql, mc_params *p)
{
	PGresult *r = q(c, sql, p);
	assert_int_equal(PQntuples(r), 1);
	char *v = NULL;
	if (!PQgetisnull(r, 0, 0)) {
		v = malloc((size_t)PQgetlength(r, 0, 0) + 1);
		memcpy(v, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0) + 1);
	}
	PQclear(r);
	return v;
}

static void assert_qstr(mc_conn *c, const char *sql, mc_params *p, const char *want)
{
	char *got = qstr(c, sql, p);
	if (!want) {
		if (got)
			fail_msg("%s: expected NULL, got '%s'", sql, got);
		return;
	}
	if (!got)
		fail_msg("%s: expected '%s', got NULL", sql, want);
	if (strcmp(got, want) != 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: expected '%s', got '%s'", sql, want, got);
		free(got);
		fail_msg("%s", msg);
	}
	free(got);
}

static int backend_pid(mc_conn *c)
{
	return PQbackendPID(mc_conn_pg(c));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Ends a backend from another connection and waits until it is gone, so
 * that the next use of the victim fails for sure. */
static void terminate_backend(int pid)
{
	mc_conn *admin = open_conn();
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, pid);
	assert_qstr(admin, "SELECT pg_terminate_backend($1::int)", &p, "t");
	double until = now_s() + 10;
	while (qint(admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", &p) > 0) {
		if (now_s() > until)
			fail_msg("backend %d did not end", pid);
		sleep_s(0.01);
	}
	mc_params_free(&p);
	close_conn(admin);
}

/* Backends connected with this application_name, once the count settles. */
static long long backends_named(const char *app, long long want)
{
	mc_conn *admin = open_conn();
	mc_params p;
	mc_params_init(&p);
	mc_param_text(&p, app, strlen(app));
	long long n;
	double until = now_s() + 10;
	/* a closed client's backend takes a moment to leave pg_stat_activity */
	while ((n = qint(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", &p)) != want &&
	       now_s() < until)
		sleep_s(0.01);
	mc_params_free(&p);
	close_conn(admin);
	return n;
}

/* ---- group setup: the schema ---------------------------------------------- */

static int schema_setup(void **state)
{
	(void)state;
	mc_conn *c = NULL;
	if (mc_conn_open(&c, "", NULL) != MC_OK) {
		fprintf(stderr, "cannot connect: %s\n", mc_last_error(c)->message);
		mc_conn_close(c);
		return -1;
	}
	PGresult *r = PQexec(mc_conn_pg(c),
		"SET client_min_messages = warning;"
		"DROP SCHEMA IF EXISTS mc_rt CASCADE;"
		"CREATE SCHEMA mc_rt;"
		"CREATE TABLE mc_rt.parent (id int PRIMARY KEY);"
		"CREATE TABLE mc_rt.child ("
		"  id int CONSTRAINT child_pk PRIMARY KEY,"
		"  parent_id int CONSTRAINT child_parent_fk REFERENCES mc_rt.parent (id),"
		"  qty int CONSTRAINT child_qty_ck CHECK (qty > 0),"
		"  name text NOT NULL,"
		"  email text CONSTRAINT child_email_uq UNIQUE);"
		"CREATE TABLE mc_rt.items (id serial PRIMARY KEY, v text UNIQUE);"
		"CREATE TABLE mc_rt.ssi (grp int NOT NULL);");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "schema: %s", PQerrorMessage(mc_conn_pg(c)));
	PQclear(r);
	mc_conn_close(c);
	return ok ? 0 : -1;
}

static int schema_teardown(void **state)
{
	(void)state;
	mc_conn *c = NULL;
	if (mc_conn_open(&c, "", NULL) == MC_OK)
		PQclear(PQexec(mc_conn_pg(c), "SET client_min_messages = warning; DROP SCHEMA IF EXISTS mc_rt CASCADE"));
	mc_conn_close(c);
	return 0;
}

/* ---- connections ------------------------------------------------------------ */

static void show_is(mc_conn *c, const char *setting, const char *want)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SHOW %s", setting);
	PGresult *r = PQexec(mc_conn_pg(c), sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), want);
	PQclear(r);
}

static void test_open_session(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	assert_true(mc_conn_ok(c));
	assert_non_null(mc_conn_pg(c));
	/* the settings the codecs rely on, without a statement of ours */
	assert_int_equal(mc_conn_statements(c), 0);
	show_is(c, "client_encoding", "UTF8");
	show_is(c, "DateStyle", "ISO, YMD");
	show_is(c, "TimeZone", "UTC");
	show_is(c, "IntervalStyle", "iso_8601");
	show_is(c, "extra_float_digits", "3");
	assert_int_equal(mc_conn_ping(c), MC_OK);
	assert_int_equal(mc_conn_statements(c), 1);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(mc_last_error(c)->status, MC_OK);
	assert_string_equal(mc_last_error(c)->message, "");
	close_conn(c);

	/* the caller's own options survive next to ours, and ours win */
	c = open_conn_opts("options='-c search_path=mc_rt -c DateStyle=German'", NULL);
	show_is(c, "search_path", "mc_rt");
	show_is(c, "DateStyle", "ISO, YMD");
	close_conn(c);
	setenv("PGOPTIONS", "-c search_path=mc_rt_env", 1);
	c = open_conn();
	unsetenv("PGOPTIONS");
	show_is(c, "search_path", "mc_rt_env");
	show_is(c, "TimeZone", "UTC");
	close_conn(c);
	/* libpq sends PGTZ and PGDATESTYLE after the options: set again */
	setenv("PGTZ", "Europe/Paris", 1);
	setenv("PGDATESTYLE", "SQL, DMY", 1);
	c = open_conn();
	unsetenv("PGTZ");
	unsetenv("PGDATESTYLE");
	show_is(c, "TimeZone", "UTC");
	show_is(c, "DateStyle", "ISO, YMD");
	show_is(c, "extra_float_digits", "3");
	close_conn(c);

	/* a URL works as well */
	char url[512];
	snprintf(url, sizeof url, "postgresql:///%s?application_name=mc_rt_url", tu_env("PGDATABASE", "postgres"));
	c = open_conn_opts(url, NULL);
	show_is(c, "application_name", "mc_rt_url");
	close_conn(c);
}

static void test_open_failures(void **state)
{
	(void)state;
	mc_conn *c = NULL;
	/* nobody listens there */
	assert_int_equal(mc_conn_open(&c, "host=/nonexistent-mc-rt port=1 connect_timeout=2", NULL), MC_CONNECTION_LOST);
	assert_non_null(c);
	assert_false(mc_conn_ok(c));
	assert_int_equal(mc_last_error(c)->status, MC_CONNECTION_LOST);
	assert_true(strlen(mc_last_error(c)->message) > 0);
	/* calls on it report the same, without a crash */
	assert_int_equal(mc_conn_ping(c), MC_CONNECTION_LOST);
	assert_int_equal(mc_begin(c), MC_CONNECTION_LOST);
	mc_conn_close(c);

	c = NULL;
	assert_int_equal(mc_conn_open(&c, "host='unterminated", NULL), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "invalid connection string"));
	mc_conn_close(c);

	assert_int_equal(mc_last_error(NULL)->status, MC_INVALID);
	mc_conn_close(NULL);
	assert_false(mc_conn_ok(NULL));
}

/* ---- errors ------------------------------------------------------------------- */

static const mc_stmt ins_child = {
	"mc_rt_ins_child",
	"INSERT INTO mc_rt.child (id, parent_id, qty, name, email) VALUES ($1, $2, $3, $4, $5)", 5, 0
};

static mc_status insert_child(mc_conn *c, int id, int parent, int qty, const char *name, const char *email)
{
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, id);
	mc_param_int32(&p, parent);
	mc_param_int32(&p, qty);
	if (name)
		mc_param_text(&p, name, strlen(name));
	else
		mc_param_null(&p);
	if (email)
		mc_param_text(&p, email, strlen(email));
	else
		mc_param_null(&p);
	mc_status st = mc_exec(c, &ins_child, &p, NULL);
	mc_params_free(&p);
	return st;
}

static void assert_error(mc_conn *c, mc_status st, const char *sqlstate, const char *constraint,
			 const char *table, const char *column)
{
	const mc_error *e = mc_last_error(c);
	assert_int_equal(e->status, st);
	assert_string_equal(e->sqlstate, sqlstate);
	assert_non_null(e->message);
	assert_true(strlen(e->message) > 0);
	if (constraint)
		assert_string_equal(e->constraint, constraint);
	else
		assert_null(e->constraint);
	if (table)
		assert_string_equal(e->table, table);
	if (column)
		assert_string_equal(e->column, column);
	else
		assert_null(e->column);
	assert_int_equal(e->constraint_id, -1);
}

static void test_errors(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	run(c, "TRUNCATE mc_rt.child, mc_rt.parent");
	run(c, "INSERT INTO mc_rt.parent VALUES (1)");
	assert_int_equal(insert_child(c, 1, 1, 5, "a", "a@x"), MC_OK);

	assert_int_equal(insert_child(c, 2, 1, 5, "b", "a@x"), MC_UNIQUE_VIOLATION);
	assert_error(c, MC_UNIQUE_VIOLATION, "23505", "child_email_uq", "child", NULL);
	assert_non_null(strstr(mc_last_error(c)->message, "duplicate key"));
	assert_non_null(strstr(mc_last_error(c)->detail, "(email)=(a@x) already exists"));
	assert_null(mc_last_error(c)->message[strlen(mc_last_error(c)->message) - 1] == '\n' ? "" : NULL);

	/* the generated code names the constraint; the next call forgets it */
	mc_conn_set_constraint_id(c, 7);
	assert_int_equal(mc_last_error(c)->constraint_id, 7);

	assert_int_equal(insert_child(c, 1, 1, 5, "b", "b@x"), MC_UNIQUE_VIOLATION);
	assert_error(c, MC_UNIQUE_VIOLATION, "23505", "child_pk", "child", NULL);

	assert_int_equal(insert_child(c, 3, 99, 5, "c", "c@x"), MC_FOREIGN_KEY_VIOLATION);
	assert_error(c, MC_FOREIGN_KEY_VIOLATION, "23503", "child_parent_fk", "child", NULL);
	assert_non_null(mc_last_error(c)->detail);

	assert_int_equal(insert_child(c, 3, 1, 0, "c", "c@x"), MC_CHECK_VIOLATION);
	assert_error(c, MC_CHECK_VIOLATION, "23514", "child_qty_ck", "child", NULL);

	assert_int_equal(insert_child(c, 3, 1, 5, NULL, "c@x"), MC_NOT_NULL_VIOLATION);
	assert_error(c, MC_NOT_NULL_VIOLATION, "23502", NULL, "child", "name");

	/* deleting a referenced parent: the foreign key again, from the other side */
	assert_int_equal(try_sql(c, "DELETE FROM mc_rt.parent WHERE id = 1"), MC_FOREIGN_KEY_VIOLATION);
	assert_error(c, MC_FOREIGN_KEY_VIOLATION, "23503", "child_parent_fk", "child", NULL);

	/* success clears the error */
	assert_int_equal(insert_child(c, 3, 1, 5, "c", "c@x"), MC_OK);
	assert_int_equal(mc_last_error(c)->status, MC_OK);
	assert_string_equal(mc_last_error(c)->sqlstate, "");
	assert_string_equal(mc_last_error(c)->message, "");
	assert_null(mc_last_error(c)->constraint);
	assert_int_equal(mc_last_error(c)->constraint_id, -1);

	assert_int_equal(try_sql(c, "DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END $$"),
			 MC_SERIALIZATION_FAILURE);
	assert_error(c, MC_SERIALIZATION_FAILURE, "40001", NULL, NULL, NULL);
	assert_string_equal(mc_last_error(c)->message, "forced");
	assert_true(mc_status_retryable(mc_last_error(c)->status));
	assert_int_equal(try_sql(c, "DO $$ BEGIN RAISE EXCEPTION 'dl' USING ERRCODE = '40P01'; END $$"),
			 MC_SERIALIZATION_FAILURE);
	assert_string_equal(mc_last_error(c)->sqlstate, "40P01");
	assert_int_equal(try_sql(c, "DO $$ BEGIN RAISE EXCEPTION 'link' USING ERRCODE = '08006'; END $$"),
			 MC_CONNECTION_LOST);
	assert_string_equal(mc_last_error(c)->sqlstate, "08006");
	assert_true(mc_conn_ok(c));   /* the server said so, but the socket is fine */

	assert_int_equal(try_sql(c, "DO $$ BEGIN RAISE EXCEPTION 'msg' USING DETAIL = 'the detail', "
				    "HINT = 'the hint', ERRCODE = '22012'; END $$"), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "22012");
	assert_string_equal(mc_last_error(c)->message, "msg");
	assert_string_equal(mc_last_error(c)->detail, "the detail");
	assert_string_equal(mc_last_error(c)->hint, "the hint");

	assert_int_equal(try_sql(c, "SELECT * FROM mc_rt.no_such_table"), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "42P01");
	assert_int_equal(try_sql(c, "SELEC 1"), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "42601");

	/* mistakes of the caller, caught before the server */
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, 1);
	assert_int_equal(mc_exec(c, &ins_child, &p, NULL), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "takes 5 parameters, 1 given"));
	assert_string_equal(mc_last_error(c)->sqlstate, "");
	assert_int_equal(mc_exec(c, NULL, NULL, NULL), MC_INVALID);
	assert_int_equal(mc_exec(NULL, &ins_child, NULL, NULL), MC_INVALID);
	mc_params_free(&p);

	close_conn(c);
}

/* ---- statement counter and hook -------------------------------------------- */

typedef struct event {
	char sql[128];
	int nparams;
	double duration_ms;
	long rows;
	mc_status status;
	char sqlstate[6];
} event;

typedef struct events {
	event ev[32];
	int n;
} events;

static void record(void *ctx, const mc_stmt_event *ev)
{
	events *e = ctx;
	if (e->n == 32)
		return;
	event *o = &e->ev[e->n++];
	snprintf(o->sql, sizeof o->sql, "%s", ev->sql);
	o->nparams = ev->nparams;
	o->duration_ms = ev->duration_ms;
	o->rows = ev->rows;
	o->status = ev->status;
	o->sqlstate[0] = '\0';
	if (ev->error)
		memcpy(o->sqlstate, ev->error->sqlstate, 6);
}

static void test_counter_and_hook(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	events e = { .n = 0 };
	run(c, "TRUNCATE mc_rt.items");
	run(c, "INSERT INTO mc_rt.items (v) VALUES ('a'), ('b'), ('c')");
	uint64_t before = mc_conn_statements(c);
	mc_conn_set_hook(c, record, &e);

	run(c, "SELECT generate_series(1, 5)");
	mc_params p;
	mc_params_init(&p);
	mc_param_text(&p, "x", 1);
	PQclear(q(c, "UPDATE mc_rt.items SET v = v || $1", &p));
	mc_params_free(&p);
	assert_int_equal(try_sql(c, "SELECT 1/0"), MC_ERROR);
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_rollback(c), MC_OK);
	assert_int_equal(mc_commit(c), MC_OK);
	assert_int_equal(mc_conn_ping(c), MC_OK);

	assert_int_equal(e.n, 8);
	assert_int_equal(mc_conn_statements(c) - before, 8);
	for (int i = 0; i < e.n; i++)
		assert_true(e.ev[i].duration_ms >= 0);

	assert_string_equal(e.ev[0].sql, "SELECT generate_series(1, 5)");
	assert_int_equal(e.ev[0].rows, 5);
	assert_int_equal(e.ev[0].nparams, 0);
	assert_int_equal(e.ev[0].status, MC_OK);
	assert_string_equal(e.ev[1].sql, "UPDATE mc_rt.items SET v = v || $1");
	assert_int_equal(e.ev[1].rows, 3);
	assert_int_equal(e.ev[1].nparams, 1);
	assert_string_equal(e.ev[2].sql, "SELECT 1/0");
	assert_int_equal(e.ev[2].rows, -1);
	assert_int_equal(e.ev[2].status, MC_ERROR);
	assert_string_equal(e.ev[2].sqlstate, "22012");
	assert_string_equal(e.ev[3].sql, "BEGIN");
	assert_string_equal(e.ev[4].sql, "SAVEPOINT mc_sp_2");
	assert_string_equal(e.ev[5].sql, "ROLLBACK TO SAVEPOINT mc_sp_2; RELEASE SAVEPOINT mc_sp_2");
	assert_string_equal(e.ev[6].sql, "COMMIT");
	assert_string_equal(e.ev[7].sql, "SELECT 1");
	assert_int_equal(e.ev[7].rows, 1);

	/* mistakes caught before the server count and are reported too */
	assert_int_equal(mc_exec(c, &ins_child, NULL, NULL), MC_INVALID);
	assert_int_equal(e.n, 9);
	assert_int_equal(e.ev[8].status, MC_INVALID);

	mc_conn_set_hook(c, NULL, NULL);
	run(c, "SELECT 1");
	assert_int_equal(e.n, 9);
	assert_int_equal(mc_conn_statements(c) - before, 10);
	close_conn(c);
}

/* ---- prepared statements ----------------------------------------------------- */

static const mc_stmt add_one = { "mc_rt_add", "SELECT $1::int + 1", 1, 0 };
static const mc_stmt add_one_copy = { "mc_rt_add", "SELECT $1::int + 1", 1, 0 };
static const mc_stmt times_ten = { "mc_rt_add", "SELECT $1::int * 10", 1, 0 };

static long long exec_int(mc_conn *c, const mc_stmt *st, int arg)
{
	mc_params p;
	void *res = NULL;
	mc_params_init(&p);
	mc_param_int32(&p, arg);
	mc_status s = mc_exec(c, st, &p, &res);
	mc_params_free(&p);
	if (s != MC_OK)
		fail_msg("%s: %s: %s", st->sql, mc_status_name(s), mc_last_error(c)->message);
	long long v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

static void test_prepared_reuse(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	const char *count_sql = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'mc\\_rt\\_add%'";
	const char *time_sql = "SELECT prepare_time::text FROM pg_prepared_statements WHERE name = 'mc_rt_add'";

	assert_int_equal(exec_int(c, &add_one, 1), 2);
	assert_int_equal(qint(c, count_sql, NULL), 1);
	char *t1 = qstr(c, time_sql, NULL);
	assert_non_null(t1);
	assert_int_equal(exec_int(c, &add_one, 2), 3);
	assert_int_equal(exec_int(c, &add_one, 3), 4);
	/* not prepared again: same statement, same preparation time, and the
	 * server counted three executions of it */
	char *t2 = qstr(c, time_sql, NULL);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	assert_int_equal(qint(c, "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
				 "WHERE name = 'mc_rt_add'", NULL), 3);

	/* the same name with other SQL gets a server name of its own; with the
	 * same SQL it shares the statement */
	assert_int_equal(exec_int(c, &times_ten, 5), 50);
	assert_int_equal(exec_int(c, &add_one_copy, 5), 6);
	assert_int_equal(qint(c, count_sql, NULL), 2);
	assert_int_equal(exec_int(c, &add_one, 7), 8);
	assert_int_equal(exec_int(c, &times_ten, 7), 70);

	/* statements dropped behind our back are prepared again */
	run(c, "DEALLOCATE ALL");
	assert_int_equal(exec_int(c, &add_one, 9), 10);
	assert_int_equal(exec_int(c, &times_ten, 9), 90);

	/* a statement the server refuses is not remembered as prepared */
	static const mc_stmt bad = { "mc_rt_bad", "SELECT $1::int FROM mc_rt.nope", 1, 0 };
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, 1);
	assert_int_equal(mc_exec(c, &bad, &p, NULL), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "42P01");
	assert_int_equal(mc_exec(c, &bad, &p, NULL), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "42P01");
	mc_params_free(&p);

	/* many statements: the cache grows */
	static mc_stmt many[100];
	static char names[100][32];
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "mc_rt_many_%d", i);
		many[i].name = names[i];
		many[i].sql = "SELECT $1::int + 100";
		many[i].nparams = 1;
	}
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 100; i++)
			assert_int_equal(exec_int(c, &many[i], i), i + 100);
	assert_int_equal(qint(c, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'mc\\_rt\\_many%'",
			      NULL), 100);
	close_conn(c);
}

static void test_unnamed_statements(void **state)
{
	(void)state;
	mc_conn_opts o = MC_CONN_OPTS_INIT;
	o.unnamed_statements = true;
	mc_conn *c = open_conn_opts("", &o);
	uint64_t before = mc_conn_statements(c);
	for (int i = 0; i < 3; i++)
		assert_int_equal(exec_int(c, &add_one, i), i + 1);
	assert_int_equal(exec_int(c, &times_ten, 4), 40);
	assert_int_equal(mc_conn_statements(c) - before, 4);
	assert_int_equal(qint(c, "SELECT count(*) FROM pg_prepared_statements", NULL), 0);
	close_conn(c);
}

/* ---- parameters ---------------------------------------------------------------- */

static mc_params *one_param(mc_params *p)
{
	mc_params_init(p);
	return p;
}

static void test_params_scalars(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	mc_params p;

#define CHECK(sql, setter, want)                              \
	do {                                                  \
		setter;                                       \
		assert_qstr(c, sql, &p, want);                \
		mc_params_free(&p);                           \
	} while (0)

	one_param(&p);
	CHECK("SELECT $1::int2", mc_param_int16(&p, INT16_MIN), "-32768");
	CHECK("SELECT $1::int2", mc_param_int16(&p, INT16_MAX), "32767");
	CHECK("SELECT $1::int4", mc_param_int32(&p, INT32_MIN), "-2147483648");
	CHECK("SELECT $1::int4", mc_param_int32(&p, INT32_MAX), "2147483647");
	CHECK("SELECT $1::int8", mc_param_int64(&p, INT64_MIN), "-9223372036854775808");
	CHECK("SELECT $1::int8", mc_param_int64(&p, INT64_MAX), "9223372036854775807");
	CHECK("SELECT $1::bool", mc_param_bool(&p, true), "t");
	CHECK("SELECT $1::bool", mc_param_bool(&p, false), "f");
	CHECK("SELECT $1::text", mc_param_null(&p), NULL);

	/* doubles: exactly the same value on the server */
	CHECK("SELECT $1::float8 = 0.1::float8", mc_param_double(&p, 0.1), "t");
	CHECK("SELECT $1::float8 = 1.7976931348623157e308::float8", mc_param_double(&p, DBL_MAX), "t");
	CHECK("SELECT $1::float8 = 4.9406564584124654e-324::float8", mc_param_double(&p, 4.9406564584124654e-324), "t");
	CHECK("SELECT $1::float8 = 2.2250738585072014e-308::float8", mc_param_double(&p, DBL_MIN), "t");
	CHECK("SELECT $1::float8", mc_param_double(&p, 1.0 / 3.0), "0.3333333333333333");
	CHECK("SELECT $1::float8", mc_param_double(&p, -0.0), "-0");
	CHECK("SELECT $1::float8", mc_param_double(&p, 1e22), "1e+22");
	CHECK("SELECT $1::float8", mc_param_double(&p, NAN), "NaN");
	CHECK("SELECT $1::float8", mc_param_double(&p, INFINITY), "Infinity");
	CHECK("SELECT $1::float8", mc_param_double(&p, -INFINITY), "-Infinity");
	CHECK("SELECT $1::float4 = 3.14159::float4", mc_param_float(&p, 3.14159f), "t");
	CHECK("SELECT $1::float4 = 3.4028235e38::float4", mc_param_float(&p, FLT_MAX), "t");
	CHECK("SELECT $1::float4", mc_param_float(&p, 0.1f), "0.1");
	CHECK("SELECT $1::float4", mc_param_float(&p, -INFINITY), "-Infinity");

	/* text goes as it is: quotes, backslashes, SQL, UTF-8 */
	const char *hostile = "it's \"q\" \\ \\x00 '; DROP TABLE mc_rt.items; -- \xc3\xa9 \xe2\x9c\x93";
	CHECK("SELECT $1::text", mc_param_text(&p, hostile, strlen(hostile)), hostile);
	CHECK("SELECT $1::text", mc_param_text(&p, "abcdef", 3), "abc");
	CHECK("SELECT $1::text", mc_param_str(&p, (mc_str){ "xyz", 2 }), "xy");
	CHECK("SELECT $1::text", mc_param_str(&p, (mc_str){ NULL, 0 }), "");
	CHECK("SELECT $1::text IS NULL", mc_param_text(&p, "", 0), "f");

	/* bytea: NUL bytes and all 256 values */
	static const uint8_t raw[] = { 0, 1, 2, 0xff, 0, '\\', '\'', 0x7f };
	CHECK("SELECT $1::bytea = '\\x000102ff005c277f'::bytea AND octet_length($1::bytea) = 8",
	      mc_param_bytes(&p, (mc_bytes){ raw, sizeof raw }), "t");
	CHECK("SELECT octet_length($1::bytea)", mc_param_bytes(&p, (mc_bytes){ NULL, 0 }), "0");
	uint8_t all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CHECK("SELECT md5($1::bytea) = md5(decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g), 'hex')) "
	      "FROM generate_series(0, 255) g", mc_param_bytes(&p, (mc_bytes){ all, sizeof all }), "t");

	/* a NUL inside text would cut it short: refused */
	mc_param_text(&p, "a\0b", 3);
	mc_stmt st = { NULL, "SELECT $1::text", 1, 0 };
	assert_int_equal(mc_exec(c, &st, &p, NULL), MC_DATA);
	assert_non_null(strstr(mc_last_error(c)->message, "NUL"));
	mc_params_free(&p);

	/* an allocation failure anywhere shows at mc_exec */
	mc_param_int32(&p, 1);
	p.failed = true;
	assert_int_equal(mc_exec(c, &st, &p, NULL), MC_NOMEM);
	mc_params_free(&p);
	assert_false(p.failed);
	assert_int_equal(p.n, 0);
#undef CHECK
	close_conn(c);
}

static void test_params_many_and_long(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	mc_params p;
	char sql[4096];
	size_t len = 0;

	/* past MC_PARAMS_INLINE, and past the scratch buffer */
	mc_params_init(&p);
	len += (size_t)snprintf(sql + len, sizeof sql - len, "SELECT 0");
	long long want = 0;
	for (int i = 1; i <= 100; i++) {
		mc_param_int64(&p, (int64_t)i * 1000003);
		want += (long long)i * 1000003;
		len += (size_t)snprintf(sql + len, sizeof sql - len, " + $%d::int8", i);
	}
	assert_int_equal(p.n, 100);
	assert_true(p.values != p.inline_values);
	assert_int_equal(qint(c, sql, &p), want);
	mc_params_free(&p);

	/* long values live on the heap; some short ones still fit inline */
	size_t big = 100000;
	char *s = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		s[i] = (char)('a' + i % 26);
	s[big] = '\0';
	mc_params_init(&p);
	for (int i = 0; i < 40; i++) {
		if (i % 10 == 0)
			mc_param_text(&p, s, big - (size_t)i);
		else
			mc_param_text(&p, "short", 5);
	}
	len = (size_t)snprintf(sql, sizeof sql, "SELECT ''");
	for (int i = 1; i <= 40; i++)
		len += (size_t)snprintf(sql + len, sizeof sql - len, " || $%d::text", i);
	char *got = qstr(c, sql, &p);
	size_t want_len = 4 * big - (0 + 10 + 20 + 30) + 36 * 5;
	assert_int_equal(strlen(got), want_len);
	assert_memory_equal(got, s, big);
	assert_memory_equal(got + big, "short", 5);
	free(got);
	mc_params_free(&p);

	mc_params_init(&p);
	mc_param_text(&p, s, big);
	assert_qstr(c, "SELECT md5($1::text) = md5(string_agg(chr(97 + (g % 26)), '' ORDER BY g)) "
		       "FROM generate_series(0, 99999) g", &p, "t");
	mc_params_free(&p);
	free(s);
	close_conn(c);
}

/* Rows of "SELECT coalesce(x, '<null>') FROM unnest($1) WITH ORDINALITY" in order. */
static void assert_array_items(mc_conn *c, const char *sql, mc_params *p, const char *const *want, int n)
{
	PGresult *r = q(c, sql, p);
	assert_int_equal(PQntuples(r), n);
	for (int i = 0; i < n; i++)
		assert_string_equal(PQgetvalue(r, i, 0), want[i]);
	PQclear(r);
}

static void test_params_arrays(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	mc_params p;
	const char *text_sql = "SELECT coalesce(x, '<null>') FROM unnest($1::text[]) WITH ORDINALITY t(x, i) ORDER BY i";
	const char *int_sql = "SELECT coalesce(x::text, '<null>') FROM unnest($1::int8[]) WITH ORDINALITY t(x, i) ORDER BY i";

	const char *raw[] = { "a", "", "NULL", "say \"hi\"", "back\\slash", "comma,{brace}", " spaced ",
			      "null", "\xc3\xa9t\xc3\xa9", "x" };
	mc_str items[10];
	bool nulls[10] = { false };
	for (int i = 0; i < 10; i++)
		items[i] = (mc_str){ raw[i], strlen(raw[i]) };
	nulls[9] = true;
	const char *want[10];
	memcpy(want, raw, sizeof want);
	want[9] = "<null>";

	mc_params_init(&p);
	mc_param_array_text(&p, items, nulls, 10);
	assert_array_items(c, text_sql, &p, want, 10);
	assert_qstr(c, "SELECT cardinality($1::text[])", &p, "10");
	mc_params_free(&p);

	mc_param_array_text(&p, items, NULL, 9);
	assert_array_items(c, text_sql, &p, want, 9);
	mc_params_free(&p);

	mc_param_array_text(&p, NULL, NULL, 0);
	assert_qstr(c, "SELECT cardinality($1::text[])", &p, "0");
	mc_params_free(&p);

	/* an array parameter replaces any number of parameters */
	mc_str *many = malloc(70000 * sizeof *many);
	for (int i = 0; i < 70000; i++)
		many[i] = (mc_str){ "v", 1 };
	mc_param_array_text(&p, many, NULL, 70000);
	assert_qstr(c, "SELECT cardinality($1::text[])", &p, "70000");
	mc_params_free(&p);
	free(many);

	int64_t ints[] = { INT64_MIN, 0, 42, -1, INT64_MAX };
	bool inulls[] = { false, false, true, false, false };
	const char *iwant[] = { "-9223372036854775808", "0", "<null>", "-1", "9223372036854775807" };
	mc_param_array_int64(&p, ints, inulls, 5);
	assert_array_items(c, int_sql, &p, iwant, 5);
	mc_params_free(&p);
	mc_param_array_int64(&p, ints, NULL, 2);
	assert_array_items(c, int_sql, &p, iwant, 2);
	mc_params_free(&p);
	mc_param_array_int64(&p, NULL, NULL, 0);
	assert_qstr(c, "SELECT cardinality($1::int8[])", &p, "0");
	mc_params_free(&p);

	/* = ANY(array) as generated IN filters use it */
	run(c, "TRUNCATE mc_rt.items");
	run(c, "INSERT INTO mc_rt.items (v) VALUES ('a'), ('b'), ('c'), ('d')");
	mc_str in[] = { { "b", 1 }, { "d", 1 }, { "zz", 2 } };
	mc_param_array_text(&p, in, NULL, 3);
	assert_int_equal(qint(c, "SELECT count(*) FROM mc_rt.items WHERE v = ANY($1::text[])", &p), 2);
	mc_params_free(&p);
	close_conn(c);
}

/* ---- result memory ------------------------------------------------------------- */

static void test_result_arena(void **state)
{
	(void)state;
	mc_result *r = mc_result_new();
	assert_non_null(r);
	size_t sizes[] = { 1, 3, 8, 17, 100, 1000, 5000, 70000, 1, 0, 200000, 24 };
	unsigned char *ptrs[12];
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 12; i++) {
			ptrs[i] = mc_result_alloc(r, sizes[i]);
			assert_non_null(ptrs[i]);
			assert_int_equal((uintptr_t)ptrs[i] % alignof(max_align_t), 0);
			for (size_t k = 0; k < sizes[i]; k++)
				assert_int_equal(ptrs[i][k], 0);
			memset(ptrs[i], 0xab, sizes[i]);
		}
		/* nothing overlaps: every block still holds its own bytes */
		for (int i = 0; i < 12; i++)
			for (size_t k = 0; k < sizes[i]; k++)
				assert_int_equal(ptrs[i][k], 0xab);
	}
	assert_null(mc_result_alloc(r, SIZE_MAX));
	assert_null(mc_result_alloc(r, SIZE_MAX - 8));
	assert_null(mc_result_alloc(NULL, 8));

	/* PGresults the rows point into go with the result */
	mc_conn *c = open_conn();
	for (int i = 0; i < 10; i++)
		assert_int_equal(mc_result_keep(r, q(c, "SELECT repeat('x', 1000)", NULL)), MC_OK);
	assert_int_equal(mc_result_keep(r, NULL), MC_OK);
	mc_result_free(r);
	/* a result that cannot take it leaves it to the caller */
	PGresult *pg = q(c, "SELECT 1", NULL);
	assert_int_equal(mc_result_keep(NULL, pg), MC_INVALID);
	PQclear(pg);
	mc_result_free(NULL);
	mc_result_free(mc_result_new());
	close_conn(c);
}

/* ---- transactions --------------------------------------------------------------- */

static void add_item(mc_conn *c, const char *v)
{
	mc_params p;
	mc_params_init(&p);
	mc_param_text(&p, v, strlen(v));
	PQclear(q(c, "INSERT INTO mc_rt.items (v) VALUES ($1)", &p));
	mc_params_free(&p);
}

static mc_status try_add_item(mc_conn *c, const char *v)
{
	static const mc_stmt st = { "mc_rt_add_item", "INSERT INTO mc_rt.items (v) VALUES ($1)", 1, 0 };
	mc_params p;
	mc_params_init(&p);
	mc_param_text(&p, v, strlen(v));
	mc_status s = mc_exec(c, &st, &p, NULL);
	mc_params_free(&p);
	return s;
}

static char *item_list(mc_conn *c)
{
	return qstr(c, "SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM mc_rt.items", NULL);
}

static void assert_items(mc_conn *c, const char *want)
{
	char *got = item_list(c);
	if (strcmp(got, want) != 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "items: expected '%s', got '%s'", want, got);
		free(got);
		fail_msg("%s", msg);
	}
	free(got);
}

static void test_tx_nesting(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	mc_conn *other = open_conn();
	run(c, "TRUNCATE mc_rt.items");

	assert_int_equal(mc_commit(c), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "outside a transaction"));
	assert_int_equal(mc_rollback(c), MC_INVALID);

	uint64_t before = mc_conn_statements(c);
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 1);
	add_item(c, "a");
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 2);
	add_item(c, "b");
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 3);
	add_item(c, "c");
	assert_int_equal(mc_commit(c), MC_OK);          /* c kept in level 2 */
	assert_int_equal(mc_tx_depth(c), 2);
	assert_int_equal(mc_rollback(c), MC_OK);        /* b and c gone */
	assert_int_equal(mc_tx_depth(c), 1);
	assert_items(c, "a");
	add_item(c, "d");                               /* the outer level goes on */
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "e");
	assert_int_equal(mc_commit(c), MC_OK);
	assert_items(other, "");                        /* nothing visible yet */
	assert_int_equal(mc_commit(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_items(other, "a,d,e");
	/* tx helpers count as statements: 4 BEGIN/SAVEPOINT, 5 items, 1 read,
	 * ROLLBACK TO and COMMIT (committing a savepoint sends nothing: its
	 * RELEASE is implied by what ends the level below) */
	assert_int_equal(mc_conn_statements(c) - before, 4 + 5 + 1 + 2);

	/* rolling the outer level back drops committed inner levels too */
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "f");
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "g");
	assert_int_equal(mc_commit(c), MC_OK);
	assert_int_equal(mc_rollback(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_items(other, "a,d,e");

	/* a failure in a savepoint: rolled back, the outer transaction stays usable */
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "h");
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(try_add_item(c, "a"), MC_UNIQUE_VIOLATION);
	assert_int_equal(mc_rollback(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 1);
	add_item(c, "i");
	assert_int_equal(mc_commit(c), MC_OK);
	assert_items(other, "a,d,e,h,i");

	/* committing a failed level is refused, and the level is rolled back */
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "j");
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "k");
	assert_int_equal(try_add_item(c, "a"), MC_UNIQUE_VIOLATION);
	assert_int_equal(mc_commit(c), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "25P02");
	assert_int_equal(mc_tx_depth(c), 1);
	add_item(c, "l");
	assert_int_equal(try_add_item(c, "a"), MC_UNIQUE_VIOLATION);
	assert_int_equal(mc_commit(c), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "25P02");
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	assert_items(c, "a,d,e,h,i");

	/* a statement in a failed transaction reports the server's error */
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(try_add_item(c, "a"), MC_UNIQUE_VIOLATION);
	assert_int_equal(try_add_item(c, "m"), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "25P02");
	assert_int_equal(mc_rollback(c), MC_OK);
	assert_int_equal(mc_tx_depth(c), 0);

	/* a deferred constraint fails at COMMIT: the transaction is over */
	run(c, "CREATE TABLE mc_rt.deferred (id int CONSTRAINT deferred_uq UNIQUE DEFERRABLE INITIALLY DEFERRED)");
	assert_int_equal(mc_begin(c), MC_OK);
	run(c, "INSERT INTO mc_rt.deferred VALUES (1), (1)");
	assert_int_equal(mc_commit(c), MC_UNIQUE_VIOLATION);
	assert_string_equal(mc_last_error(c)->constraint, "deferred_uq");
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	run(c, "DROP TABLE mc_rt.deferred");

	close_conn(other);
	close_conn(c);
}

typedef struct retry_ctx {
	int calls;
	int fail_times;         /* fail the first this many calls */
	const char *errcode;
	const char *item;
	mc_conn *other;         /* for a real serialization conflict */
} retry_ctx;

static mc_status forced_failure(mc_conn *c, void *arg)
{
	retry_ctx *x = arg;
	char sql[200];
	x->calls++;
	mc_status st = try_add_item(c, x->item);
	if (st != MC_OK)
		return st;
	if (x->calls <= x->fail_times) {
		snprintf(sql, sizeof sql, "DO $$ BEGIN RAISE EXCEPTION 'forced %d' USING ERRCODE = '%s'; END $$",
			 x->calls, x->errcode);
		return try_sql(c, sql);
	}
	return MC_OK;
}

/* Write skew under SERIALIZABLE: this transaction reads group 1 and writes
 * group 2, the other one (committed in between, first call only) reads
 * group 2 and writes group 1. One of them must fail, and it is ours. */
static mc_status write_skew(mc_conn *c, void *arg)
{
	retry_ctx *x = arg;
	mc_status st;
	x->calls++;
	PGresult *r = NULL;
	mc_stmt read1 = { NULL, "SELECT count(*) FROM mc_rt.ssi WHERE grp = 1", 0, 0 };
	if ((st = mc_exec(c, &read1, NULL, (void **)&r)) != MC_OK)
		return st;
	PQclear(r);
	if (x->calls == 1) {
		assert_int_equal(mc_transaction(x->other, MC_SERIALIZABLE, 1, NULL, NULL), MC_INVALID);
		PGresult *o = PQexec(mc_conn_pg(x->other),
				     "BEGIN ISOLATION LEVEL SERIALIZABLE;"
				     "SELECT count(*) FROM mc_rt.ssi WHERE grp = 2;"
				     "INSERT INTO mc_rt.ssi VALUES (1);"
				     "COMMIT");
		assert_int_equal(PQresultStatus(o), PGRES_COMMAND_OK);
		PQclear(o);
	}
	return try_sql(c, "INSERT INTO mc_rt.ssi VALUES (2)");
}

static mc_status unbalanced(mc_conn *c, void *arg)
{
	(void)arg;
	return mc_begin(c);
}

static void test_transaction_helper(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	run(c, "TRUNCATE mc_rt.items");

	/* a forced serialization failure: rolled back and run again */
	retry_ctx x = { 0, 1, "40001", "r1", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 3, forced_failure, &x), MC_OK);
	assert_int_equal(x.calls, 2);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_items(c, "r1");

	/* a deadlock is retried the same way */
	x = (retry_ctx){ 0, 2, "40P01", "r2", NULL };
	assert_int_equal(mc_transaction(c, MC_READ_COMMITTED, 3, forced_failure, &x), MC_OK);
	assert_int_equal(x.calls, 3);
	assert_items(c, "r1,r2");

	/* attempts run out: the last failure is reported, nothing is left */
	x = (retry_ctx){ 0, 100, "40001", "r3", NULL };
	assert_int_equal(mc_transaction(c, MC_REPEATABLE_READ, 4, forced_failure, &x), MC_SERIALIZATION_FAILURE);
	assert_int_equal(x.calls, 4);
	assert_string_equal(mc_last_error(c)->sqlstate, "40001");
	assert_string_equal(mc_last_error(c)->message, "forced 4");
	assert_int_equal(mc_tx_depth(c), 0);
	assert_items(c, "r1,r2");

	/* other failures are not retried; their details survive the rollback */
	x = (retry_ctx){ 0, 0, "", "r1", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 5, forced_failure, &x), MC_UNIQUE_VIOLATION);
	assert_int_equal(x.calls, 1);
	assert_string_equal(mc_last_error(c)->sqlstate, "23505");
	assert_non_null(mc_last_error(c)->constraint);
	assert_string_equal(mc_last_error(c)->constraint, "items_v_key");
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);

	x = (retry_ctx){ 0, 1, "22012", "r4", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 5, forced_failure, &x), MC_ERROR);
	assert_int_equal(x.calls, 1);
	assert_string_equal(mc_last_error(c)->message, "forced 1");
	assert_items(c, "r1,r2");

	/* a real conflict between two SERIALIZABLE transactions */
	run(c, "TRUNCATE mc_rt.ssi");
	x = (retry_ctx){ 0, 0, NULL, NULL, open_conn() };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 3, write_skew, &x), MC_OK);
	assert_int_equal(x.calls, 2);
	assert_int_equal(qint(c, "SELECT count(*) FROM mc_rt.ssi", NULL), 2);
	close_conn(x.other);

	/* inside a transaction: a savepoint, no retry, the outer one goes on */
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "outer");
	x = (retry_ctx){ 0, 0, "", "r1", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 3, forced_failure, &x), MC_UNIQUE_VIOLATION);
	assert_int_equal(x.calls, 1);
	assert_int_equal(mc_tx_depth(c), 1);
	x = (retry_ctx){ 0, 0, "", "inner", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 3, forced_failure, &x), MC_OK);
	assert_int_equal(mc_tx_depth(c), 1);
	assert_int_equal(mc_commit(c), MC_OK);
	assert_items(c, "inner,outer,r1,r2");

	/* a function that leaves a level open is a bug: rolled back */
	assert_int_equal(mc_transaction(c, MC_READ_COMMITTED, 3, unbalanced, NULL), MC_INVALID);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	close_conn(c);
}

/* ---- lost connections --------------------------------------------------------- */

static void test_connection_lost(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	events e = { .n = 0 };
	mc_conn_set_hook(c, record, &e);
	assert_int_equal(exec_int(c, &add_one, 1), 2);
	assert_int_equal(mc_begin(c), MC_OK);
	assert_int_equal(mc_begin(c), MC_OK);
	terminate_backend(backend_pid(c));

	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, 1);
	assert_int_equal(mc_exec(c, &add_one, &p, NULL), MC_CONNECTION_LOST);
	assert_int_equal(mc_last_error(c)->status, MC_CONNECTION_LOST);
	assert_true(strlen(mc_last_error(c)->message) > 0);
	assert_false(mc_conn_ok(c));
	assert_int_equal(mc_tx_depth(c), 0);
	/* later calls say the same, and nothing crashes */
	assert_int_equal(mc_exec(c, &add_one, &p, NULL), MC_CONNECTION_LOST);
	assert_int_equal(mc_exec(c, &times_ten, &p, NULL), MC_CONNECTION_LOST);
	assert_int_equal(try_sql(c, "SELECT 1"), MC_CONNECTION_LOST);
	assert_int_equal(mc_conn_ping(c), MC_CONNECTION_LOST);
	assert_int_equal(mc_begin(c), MC_CONNECTION_LOST);
	assert_int_equal(mc_tx_depth(c), 0);
	assert_int_equal(mc_commit(c), MC_INVALID);
	assert_int_equal(mc_rollback(c), MC_INVALID);
	retry_ctx x = { 0, 0, "", "lost", NULL };
	assert_int_equal(mc_transaction(c, MC_SERIALIZABLE, 3, forced_failure, &x), MC_CONNECTION_LOST);
	assert_int_equal(x.calls, 0);
	mc_params_free(&p);
	assert_true(e.n >= 9);
	assert_int_equal(e.ev[e.n - 1].status, MC_CONNECTION_LOST);
	assert_int_equal(e.ev[e.n - 1].rows, -1);
	close_conn(c);

	/* lost in the middle of a transaction helper */
	c = open_conn();
	x = (retry_ctx){ 0, 0, "", "lost", NULL };
	assert_int_equal(mc_begin(c), MC_OK);
	terminate_backend(backend_pid(c));
	assert_int_equal(mc_commit(c), MC_CONNECTION_LOST);
	assert_int_equal(mc_tx_depth(c), 0);
	close_conn(c);
}

/* ---- pool --------------------------------------------------------------------- */

static mc_pool *new_pool(const char *app, int size, int overflow, double timeout, double recycle, bool pre_ping)
{
	static char conninfo[128];
	mc_pool_opts o = MC_POOL_OPTS_INIT;
	snprintf(conninfo, sizeof conninfo, "application_name=%s", app);
	o.conninfo = conninfo;
	o.pool_size = size;
	o.max_overflow = overflow;
	o.pool_timeout = timeout;
	o.pool_recycle = recycle;
	o.pre_ping = pre_ping;
	mc_pool *p = NULL;
	assert_int_equal(mc_pool_new(&p, &o), MC_OK);
	memset(conninfo, 0, sizeof conninfo);   /* the pool keeps its own copy */
	return p;
}

static mc_conn *acquire(mc_pool *p)
{
	mc_conn *c = NULL;
	mc_error err;
	mc_status st = mc_pool_acquire(p, &c, &err);
	if (st != MC_OK)
		fail_msg("acquire: %s: %s", mc_status_name(st), err.message);
	assert_true(mc_conn_ok(c));
	return c;
}

typedef struct delayed {
	mc_pool *pool;
	mc_conn *conn;
	double after;
} delayed;

static void *release_later(void *arg)
{
	delayed *d = arg;
	sleep_s(d->after);
	mc_pool_release(d->pool, d->conn);
	return NULL;
}

static void test_pool_timeout(void **state)
{
	(void)state;
	mc_pool *p = new_pool("mc_rt_pool_t", 1, 1, 0.2, -1, false);
	mc_conn *a = acquire(p), *b = acquire(p), *c = NULL;
	assert_ptr_not_equal(a, b);
	assert_int_equal(backends_named("mc_rt_pool_t", 2), 2);

	/* exhausted: waits pool_timeout, then says so */
	mc_error err;
	double t0 = now_s();
	assert_int_equal(mc_pool_acquire(p, &c, &err), MC_POOL_TIMEOUT);
	double waited = now_s() - t0;
	assert_null(c);
	assert_true(waited >= 0.19);
	assert_true(waited < 2.0);
	assert_int_equal(err.status, MC_POOL_TIMEOUT);
	assert_non_null(strstr(err.message, "pool timeout"));
	assert_non_null(strstr(err.message, "pool_size 1 + max_overflow 1"));
	assert_int_equal(mc_pool_acquire(p, &c, NULL), MC_POOL_TIMEOUT);

	/* free again once one comes back */
	mc_pool_release(p, a);
	c = acquire(p);
	assert_ptr_equal(c, a);
	mc_pool_release(p, b);
	mc_pool_release(p, c);
	mc_pool_free(p);
}

static void test_pool_wait_and_overflow(void **state)
{
	(void)state;
	mc_pool *p = new_pool("mc_rt_pool_w", 1, 1, 5.0, -1, false);
	mc_conn *a = acquire(p), *b = acquire(p);

	/* a connection given back while someone waits goes to the waiter */
	delayed d = { p, b, 0.1 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, release_later, &d), 0);
	double t0 = now_s();
	mc_conn *c = acquire(p);
	double waited = now_s() - t0;
	pthread_join(th, NULL);
	assert_true(waited >= 0.05);
	assert_ptr_equal(c, b);

	/* only pool_size connections stay open: the overflow one is closed */
	mc_pool_release(p, a);
	mc_pool_release(p, c);
	assert_int_equal(backends_named("mc_rt_pool_w", 1), 1);
	mc_pool_free(p);
	assert_int_equal(backends_named("mc_rt_pool_w", 0), 0);

	/* LIFO: the connection given back last goes out first */
	p = new_pool("mc_rt_pool_l", 3, 0, 1.0, -1, false);
	mc_conn *x = acquire(p), *y = acquire(p), *z = acquire(p);
	mc_pool_release(p, x);
	mc_pool_release(p, y);
	mc_pool_release(p, z);
	assert_ptr_equal(acquire(p), z);
	assert_ptr_equal(acquire(p), y);
	assert_ptr_equal(acquire(p), x);
	mc_pool_release(p, x);
	mc_pool_release(p, y);
	mc_pool_release(p, z);
	mc_pool_free(p);

	/* pool_size 0: every connection is overflow */
	p = new_pool("mc_rt_pool_0", 0, 2, 1.0, -1, false);
	x = acquire(p);
	int pid = backend_pid(x);
	mc_pool_release(p, x);
	x = acquire(p);
	assert_int_not_equal(backend_pid(x), pid);
	mc_pool_release(p, x);
	mc_pool_free(p);

	mc_pool_opts o = MC_POOL_OPTS_INIT;
	o.pool_size = 0;
	o.max_overflow = 0;
	assert_int_equal(mc_pool_new(&p, &o), MC_INVALID);
	o.pool_size = -1;
	assert_int_equal(mc_pool_new(&p, &o), MC_INVALID);
}

static void test_pool_connect_failure(void **state)
{
	(void)state;
	mc_pool_opts o = MC_POOL_OPTS_INIT;
	o.conninfo = "host=/nonexistent-mc-rt port=1";
	o.pool_size = 1;
	o.max_overflow = 0;
	o.pool_timeout = 0.1;
	mc_pool *p = NULL;
	assert_int_equal(mc_pool_new(&p, &o), MC_OK);
	mc_conn *c = NULL;
	mc_error err;
	/* the slot is given back after each failure: no timeout, the same error */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mc_pool_acquire(p, &c, &err), MC_CONNECTION_LOST);
		assert_null(c);
		assert_non_null(strstr(err.message, "could not connect"));
	}
	mc_pool_free(p);
}

static void test_pool_pre_ping(void **state)
{
	(void)state;
	/* with pre_ping a killed backend is replaced before anyone sees it */
	mc_pool *p = new_pool("mc_rt_pool_pp", 1, 0, 1.0, -1, true);
	mc_conn *c = acquire(p);
	int pid = backend_pid(c);
	mc_pool_release(p, c);
	terminate_backend(pid);
	c = acquire(p);
	assert_int_not_equal(backend_pid(c), pid);
	assert_int_equal(exec_int(c, &add_one, 41), 42);
	mc_pool_release(p, c);
	/* and a healthy one is kept */
	c = acquire(p);
	pid = backend_pid(c);
	mc_pool_release(p, c);
	c = acquire(p);
	assert_int_equal(backend_pid(c), pid);
	mc_pool_release(p, c);
	mc_pool_free(p);

	/* without it the caller gets the dead connection, sees it lost, and
	 * the pool drops it when it comes back */
	p = new_pool("mc_rt_pool_np", 1, 0, 1.0, -1, false);
	c = acquire(p);
	pid = backend_pid(c);
	mc_pool_release(p, c);
	terminate_backend(pid);
	mc_conn *dead = NULL;
	mc_error err;
	assert_int_equal(mc_pool_acquire(p, &dead, &err), MC_OK);
	assert_int_equal(mc_conn_ping(dead), MC_CONNECTION_LOST);
	mc_pool_release(p, dead);
	c = acquire(p);
	assert_int_not_equal(backend_pid(c), pid);
	assert_int_equal(exec_int(c, &add_one, 1), 2);
	mc_pool_release(p, c);
	mc_pool_free(p);
}

static void test_pool_recycle(void **state)
{
	(void)state;
	mc_pool *p = new_pool("mc_rt_pool_rc", 2, 0, 1.0, 0.05, false);
	mc_conn *c = acquire(p);
	int pid = backend_pid(c);
	mc_pool_release(p, c);
	sleep_s(0.1);
	c = acquire(p);
	assert_int_not_equal(backend_pid(c), pid);
	mc_pool_release(p, c);
	assert_int_equal(backends_named("mc_rt_pool_rc", 1), 1);
	mc_pool_free(p);

	p = new_pool("mc_rt_pool_rk", 2, 0, 1.0, 60, false);
	c = acquire(p);
	pid = backend_pid(c);
	mc_pool_release(p, c);
	sleep_s(0.1);
	c = acquire(p);
	assert_int_equal(backend_pid(c), pid);
	mc_pool_release(p, c);
	mc_pool_free(p);
}

static void test_pool_release_in_tx(void **state)
{
	(void)state;
	mc_pool *p = new_pool("mc_rt_pool_tx", 1, 0, 1.0, -1, false);
	mc_conn *c = acquire(p);
	run(c, "TRUNCATE mc_rt.items");
	events e = { .n = 0 };
	mc_conn_set_hook(c, record, &e);
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "abandoned");
	assert_int_equal(mc_begin(c), MC_OK);
	add_item(c, "abandoned too");
	mc_pool_release(p, c);
	assert_string_equal(e.ev[e.n - 1].sql, "ROLLBACK");

	mc_conn *again = acquire(p);
	assert_ptr_equal(again, c);
	assert_int_equal(mc_tx_depth(again), 0);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(again)), PQTRANS_IDLE);
	assert_items(again, "");
	int n = e.n;
	run(again, "SELECT 1");
	assert_int_equal(e.n, n);       /* the last user's hook is gone */

	/* a transaction failed by an error, and one begun behind our back */
	assert_int_equal(mc_begin(again), MC_OK);
	assert_int_equal(try_sql(again, "SELECT 1/0"), MC_ERROR);
	mc_pool_release(p, again);
	c = acquire(p);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	run(c, "BEGIN");
	add_item(c, "raw");
	mc_pool_release(p, c);
	c = acquire(p);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	assert_items(c, "");

	/* a connection in the middle of a COPY cannot be reused: closed */
	int pid = backend_pid(c);
	run(c, "COPY mc_rt.items (v) FROM STDIN");
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_ACTIVE);
	mc_pool_release(p, c);
	c = acquire(p);
	assert_int_not_equal(backend_pid(c), pid);
	assert_items(c, "");
	mc_pool_release(p, c);
	mc_pool_free(p);
}

/* ---- pool under threads ----------------------------------------------------- */

#define THREADS 8
#define OPS 2000

typedef struct worker {
	mc_pool *pool;
	int id;
	int errors;
	char first_error[256];
} worker;

static const mc_stmt echo_stmt = { "mc_rt_echo", "SELECT $1::int8 + 1", 1, 0 };

static void *work(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < OPS; i++) {
		mc_conn *c = NULL;
		mc_error err;
		mc_status st = mc_pool_acquire(w->pool, &c, &err);
		if (st != MC_OK) {
			if (!w->errors++)
				snprintf(w->first_error, sizeof w->first_error, "acquire: %s", err.message);
			continue;
		}
		int64_t v = (int64_t)w->id * 1000000 + i;
		mc_params p;
		mc_params_init(&p);
		mc_param_int64(&p, v);
		void *res = NULL;
		/* every tenth operation in a transaction, some left open on purpose */
		bool tx = i % 10 == 0;
		if (tx && mc_begin(c) != MC_OK)
			st = MC_ERROR;
		if (st == MC_OK)
			st = mc_exec(c, &echo_stmt, &p, &res);
		if (st == MC_OK && strtoll(PQgetvalue(res, 0, 0), NULL, 10) != v + 1)
			st = MC_DATA;
		if (st == MC_OK && tx && i % 20 == 0)
			st = mc_commit(c);
		if (st != MC_OK && !w->errors++)
			snprintf(w->first_error, sizeof w->first_error, "op %d: %s: %s", i, mc_status_name(st),
				 mc_last_error(c)->message);
		PQclear(res);
		mc_params_free(&p);
		mc_pool_release(w->pool, c);
	}
	return NULL;
}

static void test_pool_threads(void **state)
{
	(void)state;
	mc_pool *p = new_pool("mc_rt_pool_mt", 4, 2, 30.0, -1, false);
	worker w[THREADS];
	pthread_t th[THREADS];
	double t0 = now_s();
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){ p, i, 0, "" };
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	double took = now_s() - t0;
	for (int i = 0; i < THREADS; i++)
		if (w[i].errors)
			fail_msg("thread %d: %d errors, first: %s", i, w[i].errors, w[i].first_error);
	print_message("%d threads x %d operations through the pool in %.2f s\n", THREADS, OPS, took);
	/* never more than pool_size + max_overflow, and pool_size kept */
	assert_true(backends_named("mc_rt_pool_mt", 4) <= 4);
	mc_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_open_session, close_tracked),
		cmocka_unit_test_teardown(test_open_failures, close_tracked),
		cmocka_unit_test_teardown(test_errors, close_tracked),
		cmocka_unit_test_teardown(test_counter_and_hook, close_tracked),
		cmocka_unit_test_teardown(test_prepared_reuse, close_tracked),
		cmocka_unit_test_teardown(test_unnamed_statements, close_tracked),
		cmocka_unit_test_teardown(test_params_scalars, close_tracked),
		cmocka_unit_test_teardown(test_params_many_and_long, close_tracked),
		cmocka_unit_test_teardown(test_params_arrays, close_tracked),
		cmocka_unit_test_teardown(test_result_arena, close_tracked),
		cmocka_unit_test_teardown(test_tx_nesting, close_tracked),
		cmocka_unit_test_teardown(test_transaction_helper, close_tracked),
		cmocka_unit_test_teardown(test_connection_lost, close_tracked),
		cmocka_unit_test_teardown(test_pool_timeout, close_tracked),
		cmocka_unit_test_teardown(test_pool_wait_and_overflow, close_tracked),
		cmocka_unit_test_teardown(test_pool_connect_failure, close_tracked),
		cmocka_unit_test_teardown(test_pool_pre_ping, close_tracked),
		cmocka_unit_test_teardown(test_pool_recycle, close_tracked),
		cmocka_unit_test_teardown(test_pool_release_in_tx, close_tracked),
		cmocka_unit_test_teardown(test_pool_threads, close_tracked),
	};
	return cmocka_run_group_tests_name("runtime", tests, schema_setup, schema_teardown);
}

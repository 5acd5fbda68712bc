/* test_batch.c - batches (libpq pipeline mode) through the generated code
 * of the examples: calls queued together get their own results in one
 * round trip, a failing call fails alone, 10,000 gets in one batch, the
 * non-blocking step driven by poll(), 'load subquery' lists in one round
 * trip, batches inside transactions, and misuse answered with MC_INVALID. */
#include "testutil.h"

#include <poll.h>

#include <libpq-fe.h>
#include <modelc/gen.h>

#include "blog.h"
#include "ledger.h"
#include "shop.h"

static mc_conn *conn;   /* blog */
static mc_conn *lconn;  /* ledger */
static mc_conn *sconn;  /* shop */

static bool make_db(const char *name, const char *model)
{
	char sql[256], path[4096];
	PGconn *admin = PQconnectdb("");
	if (PQstatus(admin) != CONNECTION_OK)
		return false;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	PQclear(PQexec(admin, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	PGresult *r = PQexec(admin, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(admin);
	snprintf(path, sizeof path, "%s/examples/%s.sql", tu_env("MODELC_BUILD", "build-san"), model);
	char *ddl = tu_read(path, NULL);
	if (!ok || !ddl) {
		free(ddl);
		return false;
	}
	snprintf(sql, sizeof sql, "dbname=%s", name);
	PGconn *db = PQconnectdb(sql);
	r = PQexec(db, ddl);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s.sql: %s", model, PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	free(ddl);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	if (!make_db("modelc_batch", "blog") || !make_db("modelc_batch_ledger", "ledger") ||
	    !make_db("modelc_batch_shop", "shop"))
		return -1;
	if (mc_conn_open(&conn, "dbname=modelc_batch", NULL) != MC_OK ||
	    mc_conn_open(&lconn, "dbname=modelc_batch_ledger", NULL) != MC_OK ||
	    mc_conn_open(&sconn, "dbname=modelc_batch_shop", NULL) != MC_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mc_conn_close(conn);
	mc_conn_close(lconn);
	mc_conn_close(sconn);
	PGconn *admin = PQconnectdb("");
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_batch"));
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_batch_ledger"));
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_batch_shop"));
	PQfinish(admin);
	return 0;
}

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

static bool str_eq(mc_str a, const char *b) { return a.len == strlen(b) && memcmp(a.ptr, b, a.len) == 0; }

static void ok_on(mc_conn *c, mc_status st, const char *what)
{
	if (st != MC_OK)
		fail_msg("%s: %s: %s", what, mc_status_name(st), mc_last_error(c)->message);
}
#define OK(c, call) ok_on((c), (call), #call)

static void exec_sql(mc_conn *c, const char *sql)
{
	PGresult *r = PQexec((PGconn *)mc_conn_pg(c), sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage((PGconn *)mc_conn_pg(c)));
	PQclear(r);
}

static blog_user user_in(const char *email, const char *name)
{
	blog_user in;
	memset(&in, 0, sizeof in);
	in.email = S(email);
	in.name = S(name);
	in.deleted_at_null = true;
	return in;
}

/* How many users have this e-mail (a sync call, outside any batch). */
static int64_t users_with(const char *email)
{
	blog_users_query *q = blog_users_query_new();
	int64_t n = -1;
	blog_users_where_email(q, MC_OP_EQ, S(email));
	blog_users_include_deleted(q);
	OK(conn, blog_users_count(conn, q, &n));
	blog_users_query_free(q);
	return n;
}

/* ---- statements and hook counting ---------------------------------------------- */

static int hook_events, hook_failures;
static long hook_rows;

static void count_hook(void *ctx, const mc_stmt_event *ev)
{
	(void)ctx;
	hook_events++;
	if (ev->status != MC_OK)
		hook_failures++;
	else
		hook_rows += ev->rows;
	assert_non_null(ev->sql);
}

/* gets, inserts, updates and deletes queued together, each with its own
 * outcome, in one round trip (the statements prepared on the way) */
static void test_mixed_calls(void **state)
{
	(void)state;
	mc_result *r0;
	blog_user *seed;
	blog_user in = user_in("mixed-seed@example.com", "Seed");
	OK(conn, blog_users_insert(conn, &in, 0, &r0, &seed));

	mc_batch *b = mc_batch_new(conn);
	assert_non_null(b);
	mc_status st[9];
	mc_result *res[9] = { NULL };
	blog_user *u[9] = { NULL };
	blog_user a = user_in("mixed-a@example.com", "A"), bb = user_in("mixed-b@example.com", "B");
	char name[32];
	snprintf(name, sizeof name, "renamed");
	blog_user upd = *seed;
	upd.name = S(name);

	OK(conn, blog_users_insert_batch(b, &a, 0, &res[0], &u[0], &st[0]));
	OK(conn, blog_users_insert_batch(b, &bb, 0, &res[1], &u[1], &st[1]));
	OK(conn, blog_users_get_batch(b, seed->id, 0, &res[2], &u[2], &st[2]));
	OK(conn, blog_users_update_batch(b, &upd, BLOG_USERS_NAME, &res[3], &u[3], &st[3]));
	OK(conn, blog_users_get_by_email_batch(b, S("nobody@example.com"), 0, &res[4], &u[4], &st[4]));
	OK(conn, blog_users_soft_delete_batch(b, seed->id, &st[5]));
	OK(conn, blog_users_get_batch(b, seed->id, 0, &res[6], &u[6], &st[6]));
	OK(conn, blog_users_get_batch(b, seed->id, MC_INCLUDE_DELETED, &res[7], &u[7], &st[7]));
	OK(conn, blog_users_insert_or_skip_by_email_batch(b, &a, 0, &res[8], &u[8], &st[8]));
	assert_int_equal(mc_batch_calls(b), 9);
	/* queued, not run: nothing was sent, the statuses say so */
	for (int i = 0; i < 9; i++) {
		assert_int_equal(st[i], MC_INVALID);
		assert_int_equal(mc_batch_status(b, (size_t)i), MC_INVALID);
		assert_null(mc_batch_error(b, (size_t)i));
	}
	/* the inputs may go once queued */
	memset(&a, 0, sizeof a);
	memset(&upd, 0, sizeof upd);
	memset(name, 'x', sizeof name - 1);

	uint64_t s0 = mc_conn_statements(conn), t0 = mc_conn_round_trips(conn);
	hook_events = hook_failures = 0;
	hook_rows = 0;
	mc_conn_set_hook(conn, count_hook, NULL);
	OK(conn, mc_batch_run(b));
	mc_conn_set_hook(conn, NULL, NULL);
	assert_int_equal(mc_conn_statements(conn) - s0, 9);
	assert_int_equal(mc_conn_round_trips(conn) - t0, 1);
	assert_int_equal(hook_events, 9);
	assert_int_equal(hook_failures, 0);

	assert_int_equal(st[0], MC_OK);
	assert_true(str_eq(u[0]->email, "mixed-a@example.com"));
	assert_int_equal(u[0]->status, BLOG_USER_STATUS_ACTIVE);
	assert_int_equal(st[1], MC_OK);
	assert_true(str_eq(u[1]->name, "B"));
	assert_int_equal(st[2], MC_OK);
	assert_memory_equal(u[2]->id.bytes, seed->id.bytes, 16);
	assert_true(str_eq(u[2]->name, "Seed"));              /* read before the update: queue order */
	assert_int_equal(st[3], MC_OK);
	assert_true(str_eq(u[3]->name, "renamed"));
	assert_true(u[3]->updated_at.usec >= seed->updated_at.usec);
	assert_int_equal(st[4], MC_NOT_FOUND);
	assert_null(res[4]);
	assert_null(u[4]);
	assert_int_equal(st[5], MC_OK);
	assert_int_equal(st[6], MC_NOT_FOUND);                /* soft-deleted by call 5 */
	assert_int_equal(st[7], MC_OK);
	assert_true(u[7]->is_deleted);
	assert_int_equal(st[8], MC_OK);                       /* the e-mail existed: skipped */
	assert_null(res[8]);
	assert_null(u[8]);
	for (int i = 0; i < 9; i++)
		assert_int_equal(mc_batch_status(b, (size_t)i), st[i]);
	assert_null(mc_batch_error(b, 0));
	assert_non_null(mc_batch_error(b, 4));                /* a status without a server error */
	assert_int_equal(mc_batch_error(b, 4)->status, MC_NOT_FOUND);
	assert_string_equal(mc_batch_error(b, 4)->sqlstate, "");
	/* a run batch runs no more and takes no calls */
	OK(conn, mc_batch_run(b));
	mc_status late;
	assert_int_equal(blog_users_get_batch(b, seed->id, 0, &res[4], &u[4], &late), MC_INVALID);
	assert_int_equal(late, MC_INVALID);
	assert_int_equal(mc_batch_calls(b), 9);
	mc_batch_free(b);

	/* the results outlive the batch */
	assert_true(str_eq(u[3]->name, "renamed"));
	for (int i = 0; i < 9; i++)
		mc_result_free(res[i]);

	/* the same calls again: prepared now, still one round trip */
	b = mc_batch_new(conn);
	for (int i = 0; i < 3; i++)
		OK(conn, blog_users_get_by_email_batch(b, S("mixed-b@example.com"), 0, &res[i], &u[i], &st[i]));
	t0 = mc_conn_round_trips(conn);
	OK(conn, mc_batch_run(b));
	assert_int_equal(mc_conn_round_trips(conn) - t0, 1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(st[i], MC_OK);
		assert_true(str_eq(u[i]->name, "B"));
		mc_result_free(res[i]);
	}
	mc_batch_free(b);

	/* a sync call: one round trip (its statement is prepared already) */
	t0 = mc_conn_round_trips(conn);
	OK(conn, blog_users_get_by_email(conn, S("mixed-b@example.com"), 0, &res[0], &u[0]));
	assert_int_equal(mc_conn_round_trips(conn) - t0, 1);
	mc_result_free(res[0]);
	mc_result_free(r0);
}

/* a unique violation in the middle: reported with its SQLSTATE and
 * constraint, the calls around it done (and committed) */
static void test_failure_in_the_middle(void **state)
{
	(void)state;
	mc_batch *b = mc_batch_new(conn);
	mc_status st[5];
	mc_result *res[5] = { NULL };
	blog_user *u[5] = { NULL };
	blog_user x = user_in("mid-x@example.com", "X"), dup = user_in("mid-x@example.com", "Dup"),
		  y = user_in("mid-y@example.com", "Y");
	blog_post post;
	memset(&post, 0, sizeof post);
	memset(post.author_id.bytes, 0x42, 16);       /* no such user */
	post.title = S("t");
	post.body = S("b");
	blog_post *p = NULL;
	mc_result *pres = NULL;

	OK(conn, blog_users_insert_batch(b, &x, 0, &res[0], &u[0], &st[0]));
	OK(conn, blog_users_insert_batch(b, &dup, 0, &res[1], &u[1], &st[1]));
	OK(conn, blog_users_insert_batch(b, &y, 0, &res[2], &u[2], &st[2]));
	OK(conn, blog_posts_insert_batch(b, &post, 0, &pres, &p, &st[3]));
	OK(conn, blog_users_get_by_email_batch(b, S("mid-y@example.com"), 0, &res[4], &u[4], &st[4]));
	assert_int_equal(mc_batch_run(b), MC_OK);      /* the batch ran; the calls say how */

	assert_int_equal(st[0], MC_OK);
	assert_int_equal(st[1], MC_UNIQUE_VIOLATION);
	assert_null(res[1]);
	assert_null(u[1]);
	const mc_error *e = mc_batch_error(b, 1);
	assert_non_null(e);
	assert_int_equal(e->status, MC_UNIQUE_VIOLATION);
	assert_string_equal(e->sqlstate, "23505");
	assert_string_equal(e->constraint, "uq_users_email");
	assert_int_equal(e->constraint_id, BLOG_UQ_USERS_EMAIL);
	assert_non_null(strstr(e->message, "duplicate key"));
	assert_int_equal(st[2], MC_OK);
	assert_int_equal(st[3], MC_FOREIGN_KEY_VIOLATION);
	assert_int_equal(mc_batch_error(b, 3)->constraint_id, BLOG_FK_POSTS_AUTHOR_ID_USERS);
	assert_int_equal(st[4], MC_OK);
	assert_memory_equal(u[4]->id.bytes, u[2]->id.bytes, 16);
	assert_null(mc_batch_error(b, 0));
	assert_null(mc_batch_error(b, 2));
	/* the connection's last error: the first call that failed */
	assert_string_equal(mc_last_error(conn)->sqlstate, "23505");
	assert_int_equal(mc_last_error(conn)->constraint_id, BLOG_UQ_USERS_EMAIL);
	mc_batch_free(b);
	for (int i = 0; i < 5; i++)
		mc_result_free(res[i]);

	/* outside a transaction each call committed on its own */
	assert_int_equal(users_with("mid-x@example.com"), 1);
	assert_int_equal(users_with("mid-y@example.com"), 1);
}

/* a statement whose PREPARE fails (in the pipeline): its calls fail with
 * the server's error, the others run; it is prepared again next time */
static void test_prepare_failure(void **state)
{
	(void)state;
	static const mc_stmt bad = { "test_batch_bad", "SELECT * FROM no_such_table WHERE id = $1::int", 1, 0 };
	static const mc_stmt good = { "test_batch_good", "SELECT $1::int + 1", 1, 0 };
	mc_batch *b = mc_batch_new(conn);
	mc_status st[4];
	void *pg[4] = { NULL };
	for (int i = 0; i < 4; i++) {
		mc_params p;
		mc_params_init(&p);
		mc_param_int32(&p, i);
		OK(conn, mc_batch_call(b, &st[i]));
		OK(conn, mc_batch_queue(b, i % 2 ? &good : &bad, &p, mc_batch_take, &pg[i], 0));
		mc_params_free(&p);
	}
	OK(conn, mc_batch_run(b));
	assert_int_equal(st[0], MC_ERROR);
	assert_string_equal(mc_batch_error(b, 0)->sqlstate, "42P01");      /* undefined table */
	assert_int_equal(st[1], MC_OK);
	assert_string_equal(PQgetvalue(pg[1], 0, 0), "2");
	assert_int_equal(st[2], MC_ERROR);                                  /* its PREPARE failed before */
	assert_int_equal(st[3], MC_OK);
	assert_string_equal(PQgetvalue(pg[3], 0, 0), "4");
	assert_null(pg[0]);
	assert_null(pg[2]);
	PQclear(pg[1]);
	PQclear(pg[3]);
	mc_batch_free(b);

	/* the table appears: the statement is prepared again and works */
	exec_sql(conn, "CREATE TABLE no_such_table (id int)");
	void *r = NULL;
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, 1);
	OK(conn, mc_exec(conn, &bad, &p, &r));
	PQclear(r);
	b = mc_batch_new(conn);
	OK(conn, mc_batch_call(b, &st[0]));
	OK(conn, mc_batch_queue(b, &bad, &p, mc_batch_take, &pg[0], 0));
	OK(conn, mc_batch_run(b));
	assert_int_equal(st[0], MC_OK);
	PQclear(pg[0]);
	mc_batch_free(b);
	mc_params_free(&p);
	exec_sql(conn, "DROP TABLE no_such_table");
}

/* consecutive reads share a Sync; one that fails (division by zero) costs
 * its neighbours nothing: those its failure aborted are sent again, alone,
 * and every other call has its own result */
static void test_grouped_reads_one_fails(void **state)
{
	(void)state;
	static const mc_stmt div = { "test_batch_div", "SELECT 100 / $1::int", 1, 0 };
	enum { N = 250 };
	void *r = NULL;
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, 1);
	OK(conn, mc_exec(conn, &div, &p, &r));     /* prepared: reads may share a segment */
	PQclear(r);
	mc_params_free(&p);

	mc_batch *b = mc_batch_new(conn);
	mc_status st[N];
	void *pg[N] = { NULL };
	for (int i = 0; i < N; i++) {
		mc_params_init(&p);
		mc_param_int32(&p, i % 100 == 42 ? 0 : i % 100 + 1);
		OK(conn, mc_batch_call(b, &st[i]));
		OK(conn, mc_batch_queue(b, &div, &p, mc_batch_take, &pg[i], 0));
		mc_params_free(&p);
	}
	uint64_t s0 = mc_conn_statements(conn), t0 = mc_conn_round_trips(conn);
	OK(conn, mc_batch_run(b));
	for (int i = 0; i < N; i++) {
		if (i % 100 == 42) {
			assert_int_equal(st[i], MC_ERROR);
			assert_string_equal(mc_batch_error(b, i)->sqlstate, "22012");     /* division by zero */
			assert_null(pg[i]);
			continue;
		}
		OK(conn, st[i]);
		char want[16];
		snprintf(want, sizeof want, "%d", 100 / (i % 100 + 1));
		assert_string_equal(PQgetvalue(pg[i], 0, 0), want);
		PQclear(pg[i]);
	}
	/* each call counted once, the aborted ones only when they ran */
	assert_int_equal(mc_conn_statements(conn) - s0, N);
	assert_true(mc_conn_round_trips(conn) - t0 >= 1);
	mc_batch_free(b);
}

/* users gets_* with these e-mails, for the big batches */
#define NUSERS 100
static mc_uuid ids[NUSERS];

static void seed_users(void)
{
	static bool done;
	if (done)
		return;
	mc_batch *b = mc_batch_new(conn);
	mc_status st[NUSERS];
	mc_result *res[NUSERS];
	blog_user *u[NUSERS];
	char email[NUSERS][48];
	for (int i = 0; i < NUSERS; i++) {
		snprintf(email[i], sizeof email[i], "many-%03d@example.com", i);
		blog_user in = user_in(email[i], email[i]);
		OK(conn, blog_users_insert_batch(b, &in, 0, &res[i], &u[i], &st[i]));
	}
	OK(conn, mc_batch_run(b));
	for (int i = 0; i < NUSERS; i++) {
		OK(conn, st[i]);
		ids[i] = u[i]->id;
		mc_result_free(res[i]);
	}
	mc_batch_free(b);
	done = true;
}

/* 10,000 gets in one batch (more than the statements kept in flight) */
static void test_ten_thousand_gets(void **state)
{
	(void)state;
	enum { N = 10000 };
	seed_users();
	mc_status *st = calloc(N, sizeof *st);
	mc_result **res = calloc(N, sizeof *res);
	blog_user **u = calloc(N, sizeof *u);
	mc_batch *b = mc_batch_new(conn);
	mc_uuid missing;
	memset(missing.bytes, 0x99, 16);
	for (int i = 0; i < N; i++)
		OK(conn, blog_users_get_batch(b, i % 1000 == 999 ? missing : ids[i % NUSERS], 0, &res[i], &u[i], &st[i]));
	uint64_t s0 = mc_conn_statements(conn), t0 = mc_conn_round_trips(conn);
	OK(conn, mc_batch_run(b));
	assert_int_equal(mc_conn_statements(conn) - s0, N);
	assert_int_equal(mc_conn_round_trips(conn) - t0, 1);
	for (int i = 0; i < N; i++) {
		if (i % 1000 == 999) {
			assert_int_equal(st[i], MC_NOT_FOUND);
			assert_null(u[i]);
			continue;
		}
		assert_int_equal(st[i], MC_OK);
		char want[48];
		snprintf(want, sizeof want, "many-%03d@example.com", i % NUSERS);
		assert_true(str_eq(u[i]->email, want));
		assert_memory_equal(u[i]->id.bytes, ids[i % NUSERS].bytes, 16);
		mc_result_free(res[i]);
	}
	mc_batch_free(b);
	free(st);
	free(res);
	free(u);
}

/* Drives b with poll() and mc_batch_step until done; counts the steps. */
static mc_status drive(mc_batch *b, int *steps)
{
	bool done = false;
	mc_status s = MC_OK;
	*steps = 0;
	while (!done) {
		s = mc_batch_step(b, &done);
		(*steps)++;
		if (done || s != MC_OK)
			break;
		struct pollfd pfd = { mc_conn_socket(mc_batch_conn(b)), POLLIN, 0 };
		if (mc_batch_wants_write(b))
			pfd.events |= POLLOUT;
		assert_true(pfd.fd >= 0);
		assert_true(poll(&pfd, 1, 10000) >= 0);
	}
	return s;
}

/* the non-blocking step, driven by poll(): the same results as a run;
 * while it is running, the connection refuses everything else */
static void test_step_with_poll(void **state)
{
	(void)state;
	enum { N = 3000 };
	seed_users();
	mc_status *st = calloc(N, sizeof *st);
	mc_result **res = calloc(N, sizeof *res);
	blog_user **u = calloc(N, sizeof *u);
	mc_batch *b = mc_batch_new(conn);
	for (int i = 0; i < N; i++)
		OK(conn, blog_users_get_batch(b, ids[(i * 7) % NUSERS], 0, &res[i], &u[i], &st[i]));

	bool done = false;
	OK(conn, mc_batch_step(b, &done));
	assert_false(done);
	/* in the middle of the batch: other calls on the connection are refused */
	mc_result *r2 = NULL;
	blog_user *g = NULL;
	assert_int_equal(blog_users_get(conn, ids[0], 0, &r2, &g), MC_INVALID);
	assert_null(r2);
	assert_int_equal(mc_begin(conn), MC_INVALID);
	assert_int_equal(mc_tx_depth(conn), 0);
	assert_int_equal(mc_conn_ping(conn), MC_INVALID);
	assert_int_equal(mc_copy_begin(conn, "COPY users (email) FROM STDIN"), MC_INVALID);
	mc_batch *other = mc_batch_new(conn);
	mc_status ost;
	mc_result *ores;
	blog_user *ou;
	OK(conn, blog_users_get_batch(other, ids[1], 0, &ores, &ou, &ost));   /* queuing is fine */
	assert_int_equal(mc_batch_run(other), MC_INVALID);                     /* running is not */
	assert_int_equal(ost, MC_INVALID);

	int steps;
	OK(conn, drive(b, &steps));
	assert_true(steps >= 1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(st[i], MC_OK);
		assert_memory_equal(u[i]->id.bytes, ids[(i * 7) % NUSERS].bytes, 16);
		char want[48];
		snprintf(want, sizeof want, "many-%03d@example.com", (i * 7) % NUSERS);
		assert_true(str_eq(u[i]->email, want));
		mc_result_free(res[i]);
	}
	/* step after the end: done again, nothing more */
	OK(conn, mc_batch_step(b, &done));
	assert_true(done);
	mc_batch_free(b);

	/* the connection is free again: the other batch runs now */
	OK(conn, mc_batch_run(other));
	assert_int_equal(ost, MC_OK);
	assert_memory_equal(ou->id.bytes, ids[1].bytes, 16);
	mc_result_free(ores);
	mc_batch_free(other);
	OK(conn, blog_users_get(conn, ids[0], 0, &r2, &g));
	mc_result_free(r2);
	free(st);
	free(res);
	free(u);
}

/* ---- 'load subquery' in one round trip (ledger) ---------------------------------- */

static ledger_account *add_account(mc_result **res, int64_t parent, const char *code, const char *currency)
{
	ledger_account in;
	memset(&in, 0, sizeof in);
	in.parent_id_null = parent == 0;
	in.parent_id = parent;
	in.code = S(code);
	in.name = S(code);
	in.kind = LEDGER_ACCOUNT_KIND_ASSET;
	in.currency = S(currency);
	in.closed_at_null = true;
	ledger_account *a;
	OK(lconn, ledger_accounts_insert(lconn, &in, LEDGER_ACCOUNTS_CURRENCY, res, &a));
	return a;
}

static void test_subquery_one_round_trip(void **state)
{
	(void)state;
	/* a chart: 3 roots with 4 children each, entries on the children */
	mc_result *keep[32];
	int nkeep = 0;
	int64_t roots[3];
	for (int r = 0; r < 3; r++) {
		char code[16];
		snprintf(code, sizeof code, "%d000", r + 1);
		ledger_account *a = add_account(&keep[nkeep++], 0, code, "EUR");
		roots[r] = a->id;
		for (int k = 0; k < 4; k++) {
			snprintf(code, sizeof code, "%d%03d", r + 1, 4 - k);
			add_account(&keep[nkeep++], roots[r], code, "EUR");
		}
	}
	exec_sql(lconn, "INSERT INTO transactions (description) VALUES ('t1')");
	exec_sql(lconn, "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit) "
	                "SELECT 1, row_number() OVER (ORDER BY id), id, currency, 10 FROM accounts WHERE parent_id IS NOT NULL");
	exec_sql(lconn, "INSERT INTO entries (transaction_id, line_no, account_id, currency, credit) "
	                "SELECT 1, 100 + row_number() OVER (ORDER BY id), id, currency, 40 FROM accounts WHERE parent_id IS NULL");

	ledger_accounts_query *q = ledger_accounts_query_new();
	ledger_accounts_order_by_code(q, false);
	struct { unsigned flags; uint64_t statements; } calls[] = {
		{ LEDGER_ACCOUNTS_LOAD_CHILDREN, 2 },
		{ LEDGER_ACCOUNTS_LOAD_CHILDREN | LEDGER_ACCOUNTS_LOAD_ENTRIES, 3 },
		{ LEDGER_ACCOUNTS_LOAD_PARENT | LEDGER_ACCOUNTS_LOAD_CHILDREN | LEDGER_ACCOUNTS_LOAD_ENTRIES, 3 },
		{ MC_LOAD_DEFAULTS, 3 },
		{ 0, 1 },
	};
	for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
		mc_result *res;
		ledger_account *rows;
		size_t n;
		uint64_t s0 = mc_conn_statements(lconn), t0 = mc_conn_round_trips(lconn);
		OK(lconn, ledger_accounts_list(lconn, q, calls[c].flags, &res, &rows, &n));
		assert_int_equal(mc_conn_round_trips(lconn) - t0, 1);
		assert_int_equal(mc_conn_statements(lconn) - s0, calls[c].statements);
		assert_int_equal(n, 15);
		unsigned eff = calls[c].flags & MC_LOAD_DEFAULTS ? ~0u : calls[c].flags;
		for (size_t i = 0; i < n; i++) {
			bool root = rows[i].parent_id_null;
			if (!(eff & LEDGER_ACCOUNTS_LOAD_CHILDREN)) {
				assert_int_equal(rows[i].children.state, MC_NOT_LOADED);
				continue;
			}
			assert_int_equal(rows[i].children.state, MC_LOADED);
			assert_int_equal(rows[i].children.n, root ? 4 : 0);
			for (size_t k = 0; root && k < 4; k++) {
				assert_int_equal(rows[i].children.items[k]->parent_id, rows[i].id);
				if (k)  /* in the relationship's order: by code */
					assert_true(memcmp(rows[i].children.items[k - 1]->code.ptr,
					                   rows[i].children.items[k]->code.ptr, 4) < 0);
			}
			if (eff & LEDGER_ACCOUNTS_LOAD_ENTRIES) {
				assert_int_equal(rows[i].entries.state, MC_LOADED);
				assert_int_equal(rows[i].entries.n, 1);
				assert_int_equal(rows[i].entries.items[0]->account_id, rows[i].id);
				assert_true(str_eq(rows[i].entries.items[0]->debit, root ? "0.0000" : "10.0000"));
			}
			if (eff & LEDGER_ACCOUNTS_LOAD_PARENT) {
				assert_int_equal(rows[i].parent.state, MC_LOADED);
				if (root)
					assert_null(rows[i].parent.item);
				else
					assert_int_equal(rows[i].parent.item->id, rows[i].parent_id);
			}
		}
		mc_result_free(res);
	}

	/* no parents: the children's statements went with the parent's all the same */
	ledger_accounts_query *none = ledger_accounts_query_new();
	ledger_accounts_where_code(none, MC_OP_EQ, S("nope"));
	mc_result *res;
	ledger_account *rows;
	size_t n;
	uint64_t s0 = mc_conn_statements(lconn), t0 = mc_conn_round_trips(lconn);
	OK(lconn, ledger_accounts_list(lconn, none, LEDGER_ACCOUNTS_LOAD_CHILDREN | LEDGER_ACCOUNTS_LOAD_ENTRIES, &res,
	                               &rows, &n));
	assert_int_equal(n, 0);
	assert_int_equal(mc_conn_round_trips(lconn) - t0, 1);
	assert_int_equal(mc_conn_statements(lconn) - s0, 3);
	mc_result_free(res);
	ledger_accounts_query_free(none);

	/* a query built wrong: refused before anything is sent, with its message */
	ledger_accounts_query *bad = ledger_accounts_query_new();
	ledger_accounts_or(bad);
	t0 = mc_conn_round_trips(lconn);
	assert_int_equal(ledger_accounts_list(lconn, bad, LEDGER_ACCOUNTS_LOAD_CHILDREN, &res, &rows, &n), MC_INVALID);
	assert_null(res);
	assert_int_equal(mc_conn_round_trips(lconn) - t0, 0);
	assert_non_null(strstr(mc_last_error(lconn)->message, "left open"));
	ledger_accounts_query_free(bad);

	/* a statement the server refuses (so do the children's, with the same
	 * condition): the parents' error is the call's */
	ledger_accounts_query *esc = ledger_accounts_query_new();
	ledger_accounts_where_code(esc, MC_OP_LIKE, S("1\\"));
	assert_int_equal(ledger_accounts_list(lconn, esc, LEDGER_ACCOUNTS_LOAD_CHILDREN, &res, &rows, &n), MC_ERROR);
	assert_null(res);
	assert_null(rows);
	assert_string_equal(mc_last_error(lconn)->sqlstate, "22025");   /* LIKE pattern ends with an escape */
	ledger_accounts_query_free(esc);

	/* inside a transaction: the same, and the transaction goes on */
	OK(lconn, mc_begin(lconn));
	OK(lconn, ledger_accounts_list(lconn, q, LEDGER_ACCOUNTS_LOAD_CHILDREN, &res, &rows, &n));
	assert_int_equal(n, 15);
	mc_result_free(res);
	OK(lconn, mc_commit(lconn));
	ledger_accounts_query_free(q);
	for (int i = 0; i < nkeep; i++)
		mc_result_free(keep[i]);
}

/* ---- transactions -------------------------------------------------------------- */

static void test_batch_in_transaction(void **state)
{
	(void)state;
	mc_status st[3];
	mc_result *res[3] = { NULL };
	blog_user *u[3];
	blog_user a = user_in("tx-a@example.com", "A"), dup = user_in("tx-a@example.com", "Dup"),
		  c = user_in("tx-c@example.com", "C");

	/* a failure aborts the transaction: the calls after it fail with 25P02
	 * and the commit rolls everything back */
	OK(conn, mc_begin(conn));
	mc_batch *b = mc_batch_new(conn);
	OK(conn, blog_users_insert_batch(b, &a, 0, &res[0], &u[0], &st[0]));
	OK(conn, blog_users_insert_batch(b, &dup, 0, &res[1], &u[1], &st[1]));
	OK(conn, blog_users_insert_batch(b, &c, 0, &res[2], &u[2], &st[2]));
	OK(conn, mc_batch_run(b));
	assert_int_equal(st[0], MC_OK);
	assert_int_equal(st[1], MC_UNIQUE_VIOLATION);
	assert_int_equal(st[2], MC_ERROR);
	assert_string_equal(mc_batch_error(b, 2)->sqlstate, "25P02");
	mc_batch_free(b);
	mc_result_free(res[0]);
	assert_int_equal(mc_tx_depth(conn), 1);
	assert_int_equal(mc_commit(conn), MC_ERROR);
	assert_string_equal(mc_last_error(conn)->sqlstate, "25P02");
	assert_int_equal(mc_tx_depth(conn), 0);
	assert_int_equal(users_with("tx-a@example.com"), 0);

	/* all fine, then rolled back: nothing stays */
	OK(conn, mc_begin(conn));
	b = mc_batch_new(conn);
	OK(conn, blog_users_insert_batch(b, &a, 0, &res[0], &u[0], &st[0]));
	OK(conn, blog_users_insert_batch(b, &c, 0, &res[1], &u[1], &st[1]));
	OK(conn, mc_batch_run(b));
	assert_int_equal(st[0], MC_OK);
	assert_int_equal(st[1], MC_OK);
	mc_batch_free(b);
	mc_result_free(res[0]);
	mc_result_free(res[1]);
	OK(conn, mc_rollback(conn));
	assert_int_equal(users_with("tx-a@example.com"), 0);
	assert_int_equal(users_with("tx-c@example.com"), 0);

	/* a failing batch in a savepoint: rolled back alone, the outer level
	 * commits what came before */
	OK(conn, mc_begin(conn));
	OK(conn, blog_users_insert(conn, &a, 0, &res[0], &u[0]));
	mc_result_free(res[0]);
	OK(conn, mc_begin(conn));
	b = mc_batch_new(conn);
	OK(conn, blog_users_insert_batch(b, &c, 0, &res[1], &u[1], &st[1]));
	OK(conn, blog_users_insert_batch(b, &dup, 0, &res[2], &u[2], &st[2]));
	OK(conn, mc_batch_run(b));
	assert_int_equal(st[1], MC_OK);
	assert_int_equal(st[2], MC_UNIQUE_VIOLATION);
	mc_batch_free(b);
	mc_result_free(res[1]);
	OK(conn, mc_rollback(conn));
	assert_int_equal(mc_tx_depth(conn), 1);
	OK(conn, mc_commit(conn));
	assert_int_equal(users_with("tx-a@example.com"), 1);
	assert_int_equal(users_with("tx-c@example.com"), 0);
}

/* ---- freeing, misuse ------------------------------------------------------------ */

static void test_free_without_running(void **state)
{
	(void)state;
	seed_users();
	mc_status st[3];
	mc_result *res[3];
	blog_user *u[3];
	blog_user x = user_in("never@example.com", "Never");
	uint64_t s0 = mc_conn_statements(conn), t0 = mc_conn_round_trips(conn);
	mc_batch *b = mc_batch_new(conn);
	OK(conn, blog_users_get_batch(b, ids[0], 0, &res[0], &u[0], &st[0]));
	OK(conn, blog_users_insert_batch(b, &x, 0, &res[1], &u[1], &st[1]));
	OK(conn, blog_users_hard_delete_batch(b, ids[1], &st[2]));
	mc_batch_free(b);
	mc_batch_free(NULL);
	assert_int_equal(mc_conn_statements(conn) - s0, 0);
	assert_int_equal(mc_conn_round_trips(conn) - t0, 0);
	for (int i = 0; i < 2; i++) {
		assert_null(res[i]);
		assert_null(u[i]);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(st[i], MC_INVALID);
	assert_int_equal(users_with("never@example.com"), 0);

	/* an empty batch: MC_OK, no round trip */
	t0 = mc_conn_round_trips(conn);
	b = mc_batch_new(conn);
	OK(conn, mc_batch_run(b));
	assert_int_equal(mc_conn_round_trips(conn) - t0, 0);
	mc_batch_free(b);

	/* freed while running: run to its end first, the results are the caller's */
	enum { N = 1500 };
	mc_status *sts = calloc(N, sizeof *sts);
	mc_result **rs = calloc(N, sizeof *rs);
	blog_user **us = calloc(N, sizeof *us);
	b = mc_batch_new(conn);
	for (int i = 0; i < N; i++)
		OK(conn, blog_users_get_batch(b, ids[i % NUSERS], 0, &rs[i], &us[i], &sts[i]));
	bool done;
	OK(conn, mc_batch_step(b, &done));
	mc_batch_free(b);
	for (int i = 0; i < N; i++) {
		assert_int_equal(sts[i], MC_OK);
		mc_result_free(rs[i]);
	}
	OK(conn, mc_conn_ping(conn));
	free(sts);
	free(rs);
	free(us);
}

typedef struct in_stream {
	mc_conn *c;
	mc_status got;
	int rows;
} in_stream;

static int batch_inside_stream(void *ctx, const blog_user *row)
{
	in_stream *s = ctx;
	mc_batch *b = mc_batch_new(s->c);
	mc_status st;
	mc_result *res;
	blog_user *u;
	(void)row;
	if (blog_users_get_batch(b, ids[0], 0, &res, &u, &st) == MC_OK)
		s->got = mc_batch_run(b);
	mc_batch_free(b);
	s->rows++;
	return 1;
}

static void test_misuse(void **state)
{
	(void)state;
	seed_users();
	mc_status st = MC_OK;
	mc_result *res = (mc_result *)1;
	blog_user *u = (blog_user *)1;

	assert_null(mc_batch_new(NULL));
	assert_int_equal(blog_users_get_batch(NULL, ids[0], 0, &res, &u, &st), MC_INVALID);
	assert_int_equal(st, MC_INVALID);
	assert_null(res);
	assert_null(u);
	bool done = true;
	assert_int_equal(mc_batch_step(NULL, &done), MC_INVALID);
	assert_false(done);
	assert_int_equal(mc_batch_run(NULL), MC_INVALID);
	assert_false(mc_batch_wants_write(NULL));
	assert_int_equal(mc_batch_calls(NULL), 0);
	assert_null(mc_batch_error(NULL, 0));
	assert_int_equal(mc_batch_status(NULL, 0), MC_INVALID);
	assert_null(mc_batch_conn(NULL));
	assert_int_equal(mc_conn_socket(NULL), -1);

	mc_batch *b = mc_batch_new(conn);
	assert_ptr_equal(mc_batch_conn(b), conn);
	assert_null(mc_batch_error(b, 7));
	/* a statement without a call */
	assert_int_equal(mc_batch_queue(b, NULL, NULL, NULL, NULL, 0), MC_INVALID);
	/* relationships are not loaded in a batch */
	mc_status sts[4];
	mc_result *rs[4] = { NULL };
	blog_user *us[4] = { NULL };
	assert_int_equal(blog_users_get_batch(b, ids[0], BLOG_USERS_LOAD_POSTS, &rs[0], &us[0], &sts[0]), MC_INVALID);
	assert_int_equal(sts[0], MC_INVALID);
	assert_int_equal(blog_users_get_batch(b, ids[0], MC_LOAD_DEFAULTS, &rs[1], &us[1], &sts[1]), MC_INVALID);
	assert_non_null(strstr(mc_batch_error(b, 0)->message, "relationships"));
	/* an enum value out of range cannot be sent: that call fails alone */
	blog_user bad = user_in("bad-enum@example.com", "Bad");
	bad.status = (blog_user_status)42;
	assert_int_equal(blog_users_insert_batch(b, &bad, BLOG_USERS_STATUS, &rs[2], &us[2], &sts[2]), MC_NOMEM);
	assert_int_equal(sts[2], MC_NOMEM);
	OK(conn, blog_users_get_batch(b, ids[2], 0, &rs[3], &us[3], &sts[3]));
	assert_int_equal(mc_batch_calls(b), 4);
	uint64_t s0 = mc_conn_statements(conn);
	OK(conn, mc_batch_run(b));
	assert_int_equal(mc_conn_statements(conn) - s0, 1);
	assert_int_equal(sts[0], MC_INVALID);
	assert_int_equal(sts[1], MC_INVALID);
	assert_int_equal(sts[2], MC_NOMEM);
	assert_int_equal(sts[3], MC_OK);
	assert_int_equal(mc_batch_error(b, 2)->status, MC_NOMEM);
	assert_null(mc_batch_error(b, 3));
	mc_result_free(rs[3]);
	mc_batch_free(b);

	/* in the middle of a COPY: the batch cannot run, and runs afterwards */
	b = mc_batch_new(conn);
	OK(conn, blog_users_get_batch(b, ids[0], 0, &res, &u, &st));
	OK(conn, mc_copy_begin(conn, "COPY roles (name) FROM STDIN"));
	assert_int_equal(mc_batch_run(b), MC_INVALID);
	assert_int_equal(st, MC_INVALID);
	int64_t copied;
	OK(conn, mc_copy_end(conn, &copied));
	OK(conn, mc_batch_run(b));
	assert_int_equal(st, MC_OK);
	mc_result_free(res);
	mc_batch_free(b);

	/* inside a stream's callback the connection is busy */
	blog_users_query *q = blog_users_query_new();
	in_stream s = { conn, MC_OK, 0 };
	OK(conn, blog_users_stream(conn, q, 0, batch_inside_stream, &s));
	assert_int_equal(s.rows, 1);
	assert_int_equal(s.got, MC_INVALID);
	blog_users_query_free(q);
	OK(conn, mc_conn_ping(conn));

	/* the connection closed under a running batch: the calls left are lost */
	mc_conn *c2;
	OK(conn, mc_conn_open(&c2, "dbname=modelc_batch", NULL));
	enum { N = 2500 };
	mc_status *bst = calloc(N, sizeof *bst);
	mc_result **brs = calloc(N, sizeof *brs);
	blog_user **bus = calloc(N, sizeof *bus);
	b = mc_batch_new(c2);
	for (int i = 0; i < N; i++)
		OK(c2, blog_users_get_batch(b, ids[i % NUSERS], 0, &brs[i], &bus[i], &bst[i]));
	OK(c2, mc_batch_step(b, &done));
	assert_false(done);
	mc_conn_close(c2);
	int lost = 0;
	for (int i = 0; i < N; i++) {
		assert_true(bst[i] == MC_OK || bst[i] == MC_CONNECTION_LOST);
		lost += bst[i] == MC_CONNECTION_LOST;
		mc_result_free(brs[i]);
	}
	assert_true(lost > 0);
	assert_int_equal(mc_batch_step(b, &done), MC_CONNECTION_LOST);
	assert_true(done);
	assert_null(mc_batch_conn(b));
	mc_batch_free(b);
	free(bst);
	free(brs);
	free(bus);
}

/* the server goes away in the middle: what was answered stays, the rest is
 * MC_CONNECTION_LOST, and the batch says so */
static void test_connection_lost(void **state)
{
	(void)state;
	seed_users();
	mc_conn *c2;
	OK(conn, mc_conn_open(&c2, "dbname=modelc_batch", NULL));
	enum { N = 3000 };
	mc_status *st = calloc(N, sizeof *st);
	mc_result **res = calloc(N, sizeof *res);
	blog_user **u = calloc(N, sizeof *u);
	mc_batch *b = mc_batch_new(c2);
	for (int i = 0; i < N; i++)
		OK(c2, blog_users_get_batch(b, ids[i % NUSERS], 0, &res[i], &u[i], &st[i]));
	bool done;
	OK(c2, mc_batch_step(b, &done));
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID((PGconn *)mc_conn_pg(c2)));
	exec_sql(conn, sql);
	assert_int_equal(mc_batch_run(b), MC_CONNECTION_LOST);
	assert_int_equal(mc_last_error(c2)->status, MC_CONNECTION_LOST);
	int ok = 0, lost = 0;
	for (int i = 0; i < N; i++) {
		if (st[i] == MC_OK) {
			ok++;
			assert_memory_equal(u[i]->id.bytes, ids[i % NUSERS].bytes, 16);
		} else {
			/* the server's own "terminating connection" (57P01) too */
			if (st[i] != MC_CONNECTION_LOST)
				fail_msg("call %d: %s [%s] %s", i, mc_status_name(st[i]), mc_batch_error(b, (size_t)i)->sqlstate,
				         mc_batch_error(b, (size_t)i)->message);
			assert_int_equal(mc_batch_error(b, (size_t)i)->status, MC_CONNECTION_LOST);
			lost++;
		}
		mc_result_free(res[i]);
	}
	assert_int_equal(ok + lost, N);
	assert_true(lost > 0);
	mc_batch_free(b);
	assert_false(mc_conn_ok(c2));
	mc_conn_close(c2);
	free(st);
	free(res);
	free(u);
}

/* ---- a versioned update (shop's customers) -------------------------------------- */

static void test_versioned_update(void **state)
{
	(void)state;
	shop_customer in;
	memset(&in, 0, sizeof in);
	in.email = S("v@example.com");
	in.displayName = S("V");
	static const uint8_t hash[] = { 1, 2, 3 };
	in.password_hash.ptr = hash;
	in.password_hash.len = sizeof hash;
	in.birth_date_null = true;
	in.last_login_ip_null = true;
	in.created_by_null = true;
	in.deleted_at_null = true;
	mc_result *r0;
	shop_customer *cust;
	OK(sconn, shop_customers_insert(sconn, &in, 0, &r0, &cust));
	assert_int_equal(cust->lock_version, 1);

	shop_customer fresh = *cust, stale = *cust, gone = *cust;
	fresh.displayName = S("V2");
	stale.displayName = S("lost update");       /* still version 1 */
	gone.id = cust->id + 1000;
	mc_batch *b = mc_batch_new(sconn);
	mc_status st[3];
	mc_result *res[3];
	shop_customer *out[3];
	OK(sconn, shop_customers_update_batch(b, &fresh, SHOP_CUSTOMERS_DISPLAYNAME, &res[0], &out[0], &st[0]));
	OK(sconn, shop_customers_update_batch(b, &stale, SHOP_CUSTOMERS_DISPLAYNAME, &res[1], &out[1], &st[1]));
	OK(sconn, shop_customers_update_batch(b, &gone, SHOP_CUSTOMERS_DISPLAYNAME, &res[2], &out[2], &st[2]));
	uint64_t s0 = mc_conn_statements(sconn);
	OK(sconn, mc_batch_run(b));
	assert_int_equal(mc_conn_statements(sconn) - s0, 3);     /* the check is in the statement */
	assert_int_equal(st[0], MC_OK);
	assert_int_equal(out[0]->lock_version, 2);
	assert_true(str_eq(out[0]->displayName, "V2"));
	assert_int_equal(st[1], MC_STALE_VERSION);
	assert_null(res[1]);
	assert_null(out[1]);
	assert_int_equal(st[2], MC_NOT_FOUND);
	mc_batch_free(b);
	mc_result_free(res[0]);

	/* the same as the one-by-one calls say */
	mc_result *r1;
	shop_customer *o1;
	assert_int_equal(shop_customers_update(sconn, &stale, SHOP_CUSTOMERS_DISPLAYNAME, &r1, &o1), MC_STALE_VERSION);
	assert_int_equal(shop_customers_update(sconn, &gone, SHOP_CUSTOMERS_DISPLAYNAME, &r1, &o1), MC_NOT_FOUND);
	OK(sconn, shop_customers_get(sconn, cust->id, 0, &r1, &o1));
	assert_true(str_eq(o1->displayName, "V2"));
	mc_result_free(r1);
	mc_result_free(r0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_calls),
		cmocka_unit_test(test_failure_in_the_middle),
		cmocka_unit_test(test_prepare_failure),
		cmocka_unit_test(test_grouped_reads_one_fails),
		cmocka_unit_test(test_ten_thousand_gets),
		cmocka_unit_test(test_step_with_poll),
		cmocka_unit_test(test_subquery_one_round_trip),
		cmocka_unit_test(test_batch_in_transaction),
		cmocka_unit_test(test_free_without_running),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_connection_lost),
		cmocka_unit_test(test_versioned_update),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

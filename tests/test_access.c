/* test_access.c - generated data access from tests/models/access.model,
 * against the test cluster: reserved words as names, optimistic locking,
 * one-column soft delete, and every scalar type through insert and get. */
#include "testutil.h"

#include <math.h>

#include <libpq-fe.h>

#include "access.h"

static mc_conn *conn;

static int setup(void **state)
{
	(void)state;
	PGconn *admin = PQconnectdb("");
	if (PQstatus(admin) != CONNECTION_OK)
		return -1;
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_access"));
	PGresult *r = PQexec(admin, "CREATE DATABASE modelc_access");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(admin);
	char path[4096];
	snprintf(path, sizeof path, "%s/testgen/access.sql", tu_env("MODELC_BUILD", "build-san"));
	char *sql = tu_read(path, NULL);
	if (!ok || !sql)
		return -1;
	PGconn *db = PQconnectdb("dbname=modelc_access");
	r = PQexec(db, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "access.sql: %s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	free(sql);
	if (!ok)
		return -1;
	return mc_conn_open(&conn, "dbname=modelc_access", NULL) == MC_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mc_conn_close(conn);
	PGconn *admin = PQconnectdb("");
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_access"));
	PQfinish(admin);
	return 0;
}

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

static void assert_str(mc_str a, const char *b)
{
	if (a.len != strlen(b) || memcmp(a.ptr, b, a.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)a.len, a.ptr, b);
}

static void ok(mc_status st)
{
	if (st != MC_OK)
		fail_msg("%s: %s", mc_status_name(st), mc_last_error(conn)->message);
}

static void test_reserved_names_and_hostile_values(void **state)
{
	(void)state;
	const char *hostile = "Robert'); DROP TABLE \"order\"; -- \\\" ' \\\\";
	access_order in;
	memset(&in, 0, sizeof in);
	in.user = S(hostile);
	in.note_null = true;
	in.gone_at_null = true;
	mc_result *res, *r2;
	access_order *o, *g;
	ok(access_order_insert(conn, &in, 0, &res, &o));
	assert_str(o->user, hostile);
	assert_int_equal(o->select, 0);
	assert_int_equal(o->lock, 1);
	assert_true(o->id > 0);
	ok(access_order_get(conn, o->id, 0, &r2, &g));
	assert_str(g->user, hostile);
	assert_true(g->note_null);
	mc_result_free(r2);

	/* a long value survives too */
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	in.user = S(big);
	ok(access_order_insert(conn, &in, 0, &r2, &g));
	assert_int_equal(g->user.len, n);
	assert_memory_equal(g->user.ptr, big, n);
	mc_result_free(r2);
	free(big);
	mc_result_free(res);
}

static void test_version_check(void **state)
{
	(void)state;
	access_order in;
	memset(&in, 0, sizeof in);
	in.user = S("ann");
	in.note_null = true;
	in.gone_at_null = true;
	mc_result *res, *r1, *r2;
	access_order *o, *a, *b;
	ok(access_order_insert(conn, &in, 0, &res, &o));

	/* two writers read version 1; the first wins, the second is stale */
	access_order w1 = *o, w2 = *o;
	w1.note = S("first");
	w1.note_null = false;
	w2.note = S("second");
	w2.note_null = false;
	ok(access_order_update(conn, &w1, ACCESS_ORDER_NOTE, &r1, &a));
	assert_int_equal(a->lock, 2);
	assert_str(a->note, "first");
	assert_int_equal(access_order_update(conn, &w2, ACCESS_ORDER_NOTE, &r2, &b), MC_STALE_VERSION);
	assert_null(r2);
	/* with the fresh version it goes through */
	w2.lock = a->lock;
	ok(access_order_update(conn, &w2, ACCESS_ORDER_NOTE, &r2, &b));
	assert_int_equal(b->lock, 3);
	assert_str(b->note, "second");
	mc_result_free(r2);
	/* a key that does not exist is not found, not stale */
	w2.id = -5;
	assert_int_equal(access_order_update(conn, &w2, 0, &r2, &b), MC_NOT_FOUND);
	mc_result_free(r1);
	mc_result_free(res);
}

static void test_one_column_soft_delete(void **state)
{
	(void)state;
	access_order in;
	memset(&in, 0, sizeof in);
	in.user = S("ben");
	in.note_null = true;
	in.gone_at_null = true;
	mc_result *res, *r2;
	access_order *o, *g;
	ok(access_order_insert(conn, &in, 0, &res, &o));
	ok(access_order_soft_delete(conn, o->id));
	assert_int_equal(access_order_get(conn, o->id, 0, &r2, &g), MC_NOT_FOUND);
	ok(access_order_get(conn, o->id, MC_INCLUDE_DELETED, &r2, &g));
	assert_false(g->gone_at_null);
	mc_result_free(r2);
	ok(access_order_restore(conn, o->id));
	ok(access_order_get(conn, o->id, 0, &r2, &g));
	assert_true(g->gone_at_null);
	mc_result_free(r2);
	mc_result_free(res);
}

/* Every scalar type: a row of edge values comes back exactly. */
static void test_types_round_trip(void **state)
{
	(void)state;
	static const uint8_t raw[] = { 0, 1, 0, 255, '\\', '\'' };
	access_sample in;
	memset(&in, 0, sizeof in);
	in.i16 = INT16_MIN;
	in.i32 = INT32_MAX;
	in.i64 = INT64_MIN;
	in.flag = true;
	in.f4 = NAN;
	in.f8 = -INFINITY;
	in.num = S("12345678901234567890.123456789");
	in.t = S("h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c \" ' \\ {}");
	in.vc = S("twenty characters!!!");
	in.ch = S("ab");
	in.raw.ptr = raw;
	in.raw.len = sizeof raw;
	for (int i = 0; i < 16; i++)
		in.uid.bytes[i] = (uint8_t)(i * 17);
	in.d.days = -1;                                  /* 1999-12-31 */
	in.tm.usec = 86399999999LL;                      /* 23:59:59.999999 */
	in.ttz.usec = 3600000000LL;
	in.ttz.zone_sec = -19800;                        /* +05:30 */
	in.ts.usec = INT64_MAX;                          /* infinity */
	in.tstz.usec = -123456789012345LL;
	in.span.usec = -1;
	in.span.days = 3;
	in.span.months = -14;
	in.js = S("{\"a\":  [1, 2]}");
	in.jsb = S("{\"b\":1,  \"a\":2}");
	in.addr = S("192.168.0.1/24");
	in.m = ACCESS_MOOD_SO_SO;
	in.other = S("12.34");
	mc_result *res, *r2;
	access_sample *o, *g;
	ok(access_samples_insert(conn, &in, 0, &res, &o));
	ok(access_samples_get(conn, o->id, 0, &r2, &g));
	assert_int_equal(g->i16, INT16_MIN);
	assert_int_equal(g->i32, INT32_MAX);
	assert_true(g->i64 == INT64_MIN);
	assert_true(g->flag);
	assert_true(isnan(g->f4));
	assert_true(isinf(g->f8) && g->f8 < 0);
	assert_str(g->num, "12345678901234567890.123456789");
	assert_str(g->t, "h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c \" ' \\ {}");
	assert_str(g->vc, "twenty characters!!!");
	assert_str(g->ch, "ab  ");                        /* char(4) pads */
	assert_int_equal(g->raw.len, sizeof raw);
	assert_memory_equal(g->raw.ptr, raw, sizeof raw);
	assert_memory_equal(g->uid.bytes, in.uid.bytes, 16);
	assert_int_equal(g->d.days, -1);
	assert_true(g->tm.usec == 86399999999LL);
	assert_true(g->ttz.usec == 3600000000LL);
	assert_int_equal(g->ttz.zone_sec, -19800);
	assert_true(g->ts.usec == INT64_MAX);
	assert_true(g->tstz.usec == -123456789012345LL);
	assert_true(g->span.usec == -1);
	assert_int_equal(g->span.days, 3);
	assert_int_equal(g->span.months, -14);
	assert_str(g->js, "{\"a\":  [1, 2]}");           /* json keeps its text */
	assert_str(g->jsb, "{\"a\": 2, \"b\": 1}");      /* jsonb normalises */
	assert_str(g->addr, "192.168.0.1/24");
	assert_int_equal(g->m, ACCESS_MOOD_SO_SO);
	assert_str(g->other, "$12.34");
	mc_result_free(r2);

	/* the other ends, and +infinity dates */
	memset(&in, 0, sizeof in);
	in.i16 = INT16_MAX;
	in.i32 = INT32_MIN;
	in.i64 = INT64_MAX;
	in.f4 = 3.4028235e38f;
	in.f8 = 4.9406564584124654e-324;
	in.d.days = INT32_MAX;                           /* infinity */
	in.ts.usec = INT64_MIN;                          /* -infinity */
	in.num = S("-0.000000000000000000000000000001");
	in.t = S("");
	in.vc = S("");
	in.ch = S("");
	in.js = S("null");
	in.jsb = S("[]");
	in.addr = S("::1");
	in.other = S("0");
	mc_result *r3, *r4;
	ok(access_samples_insert(conn, &in, 0, &r3, &o));
	ok(access_samples_get(conn, o->id, 0, &r4, &g));
	assert_int_equal(g->i16, INT16_MAX);
	assert_int_equal(g->i32, INT32_MIN);
	assert_true(g->i64 == INT64_MAX);
	assert_true(g->f4 == 3.4028235e38f);
	assert_true(g->f8 == 4.9406564584124654e-324);
	assert_int_equal(g->d.days, INT32_MAX);
	assert_true(g->ts.usec == INT64_MIN);
	assert_str(g->num, "-0.000000000000000000000000000001");
	assert_str(g->t, "");
	assert_false(g->t_null);                          /* empty is not NULL */
	assert_str(g->addr, "::1");
	mc_result_free(r4);
	mc_result_free(r3);
	mc_result_free(res);
}

static void test_all_null(void **state)
{
	(void)state;
	access_sample in;
	memset(&in, 0, sizeof in);
	in.i16_null = in.i32_null = in.i64_null = in.flag_null = in.f4_null = in.f8_null = true;
	in.num_null = in.t_null = in.vc_null = in.ch_null = in.raw_null = in.uid_null = true;
	in.d_null = in.tm_null = in.ttz_null = in.ts_null = in.tstz_null = in.span_null = true;
	in.js_null = in.jsb_null = in.addr_null = in.m_null = in.other_null = true;
	mc_result *res, *r2;
	access_sample *o, *g;
	ok(access_samples_insert(conn, &in, 0, &res, &o));
	ok(access_samples_get(conn, o->id, 0, &r2, &g));
	assert_true(g->i16_null && g->i32_null && g->i64_null && g->flag_null && g->f4_null && g->f8_null);
	assert_true(g->num_null && g->t_null && g->vc_null && g->ch_null && g->raw_null && g->uid_null);
	assert_true(g->d_null && g->tm_null && g->ttz_null && g->ts_null && g->tstz_null && g->span_null);
	assert_true(g->js_null && g->jsb_null && g->addr_null && g->m_null && g->other_null);
	/* an enum value outside the enum cannot be sent */
	in.m_null = false;
	in.m = (access_mood)7;
	mc_result *r3;
	assert_int_not_equal(access_samples_insert(conn, &in, 0, &r3, &o), MC_OK);
	assert_null(r3);
	mc_result_free(r2);
	mc_result_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved_names_and_hostile_values),
		cmocka_unit_test(test_version_check),
		cmocka_unit_test(test_one_column_soft_delete),
		cmocka_unit_test(test_types_round_trip),
		cmocka_unit_test(test_all_null),
	};
	return cmocka_run_group_tests_name("data access", tests, setup, teardown);
}

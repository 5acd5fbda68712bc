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

	/* a value too long for varchar(20) is refused, never cut short */
	in.vc = S("twenty-one characters");
	mc_result *r5;
	assert_int_equal(access_samples_insert(conn, &in, 0, &r5, &o), MC_ERROR);
	assert_string_equal(mc_last_error(conn)->sqlstate, "22001");
	assert_null(r5);
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

/* 50 rows in "order": user u00..u49, "select" = i % 5, note on even rows. */
static void fill_orders(void)
{
	int64_t n = 0;
	mc_status st = access_order_hard_delete_where(conn, NULL, &n);
	ok(st);
	for (int i = 0; i < 50; i++) {
		char user[16];
		snprintf(user, sizeof user, "u%02d", i);
		access_order in;
		memset(&in, 0, sizeof in);
		in.user = S(user);
		in.select = i % 5;
		in.note = S(i % 2 ? "odd" : "even");
		in.note_null = i % 4 == 3;
		in.gone_at_null = true;
		mc_result *r;
		access_order *o;
		ok(access_order_insert(conn, &in, ACCESS_ORDER_SELECT, &r, &o));
		mc_result_free(r);
	}
}

static void test_query_filters(void **state)
{
	(void)state;
	fill_orders();
	int64_t n;
	access_order_query *q = access_order_query_new();
	access_order_where_select(q, MC_OP_GE, 3);          /* 3, 4: 20 rows */
	access_order_where_note_null(q, false);            /* minus i % 4 == 3 */
	ok(access_order_count(conn, q, &n));
	int want = 0;
	for (int i = 0; i < 50; i++)
		want += i % 5 >= 3 && i % 4 != 3;
	assert_int_equal(n, want);
	access_order_query_free(q);

	/* (user LIKE 'u1%' OR user IN (u45, u46)) AND select <> 0 */
	q = access_order_query_new();
	access_order_or(q);
	access_order_where_user(q, MC_OP_LIKE, S("u1%"));
	mc_str in2[] = { S("u45"), S("u46") };
	access_order_where_user_in(q, in2, 2, false);
	access_order_end(q);
	access_order_where_select(q, MC_OP_NE, 0);
	access_order_order_by_user(q, true);
	mc_result *res;
	access_order *rows;
	size_t nrows;
	ok(access_order_list(conn, q, 0, &res, &rows, &nrows));
	/* u10..u19 minus u10, u15 (select 0), plus u46 (u45 has select 0) */
	const char *expect[] = { "u46", "u19", "u18", "u17", "u16", "u14", "u13", "u12", "u11" };
	assert_int_equal(nrows, 9);
	for (size_t i = 0; i < nrows; i++)
		assert_str(rows[i].user, expect[i]);
	mc_result_free(res);
	access_order_query_free(q);

	/* an IN list far beyond PostgreSQL's 65,535-parameter limit */
	enum { BIG = 70000 };
	int32_t *many = malloc(BIG * sizeof *many);
	for (int i = 0; i < BIG; i++)
		many[i] = i % 7 == 1 ? 1 : 100 + i;
	q = access_order_query_new();
	access_order_where_select_in(q, many, BIG, false);
	ok(access_order_count(conn, q, &n));
	assert_int_equal(n, 10);                           /* select = 1 */
	access_order_query_free(q);
	free(many);
}

static void test_query_pages(void **state)
{
	(void)state;
	fill_orders();
	/* limit/offset */
	access_order_query *q = access_order_query_new();
	access_order_order_by_user(q, false);
	access_order_limit(q, 5);
	access_order_offset(q, 10);
	mc_result *res;
	access_order *rows;
	size_t n;
	ok(access_order_list(conn, q, 0, &res, &rows, &n));
	assert_int_equal(n, 5);
	assert_str(rows[0].user, "u10");
	assert_str(rows[4].user, "u14");
	mc_result_free(res);
	access_order_query_free(q);

	/* keyset: select desc, user asc, 7 at a time, every row once in order */
	char seen[50] = { 0 };
	int total = 0, last_sel = 99;
	char last_user[8] = "";
	access_order *prev = NULL;
	mc_result *prev_res = NULL;
	for (;;) {
		q = access_order_query_new();
		access_order_order_by_select(q, true);
		access_order_order_by_user(q, false);
		if (prev)
			access_order_after(q, prev);
		access_order_limit(q, 7);
		ok(access_order_list(conn, q, 0, &res, &rows, &n));
		access_order_query_free(q);
		mc_result_free(prev_res);
		prev_res = res;
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			int idx = atoi(rows[i].user.ptr + 1);
			assert_false(seen[idx]);
			seen[idx] = 1;
			char u[8];
			snprintf(u, sizeof u, "%.*s", (int)rows[i].user.len, rows[i].user.ptr);
			assert_true(rows[i].select < last_sel || (rows[i].select == last_sel && strcmp(u, last_user) > 0));
			last_sel = rows[i].select;
			strcpy(last_user, u);
			total++;
		}
		prev = &rows[n - 1];
	}
	mc_result_free(prev_res);
	assert_int_equal(total, 50);
}

static void test_query_writes(void **state)
{
	(void)state;
	fill_orders();
	access_order_query *q = access_order_query_new();
	access_order_where_select(q, MC_OP_EQ, 2);
	access_order vals;
	memset(&vals, 0, sizeof vals);
	vals.note = S("bulk");
	int64_t n;
	ok(access_order_update_where(conn, q, &vals, ACCESS_ORDER_NOTE, &n));
	assert_int_equal(n, 10);
	access_order_query_free(q);
	q = access_order_query_new();
	access_order_where_note(q, MC_OP_EQ, S("bulk"));
	mc_result *res;
	access_order *rows;
	size_t nrows;
	ok(access_order_list(conn, q, 0, &res, &rows, &nrows));
	assert_int_equal(nrows, 10);
	for (size_t i = 0; i < nrows; i++)
		assert_int_equal(rows[i].lock, 2);             /* the version counted up */
	mc_result_free(res);

	/* soft delete by filter: reads skip them unless asked */
	ok(access_order_soft_delete_where(conn, q, &n));
	assert_int_equal(n, 10);
	ok(access_order_count(conn, q, &n));
	assert_int_equal(n, 0);
	access_order_include_deleted(q);
	ok(access_order_count(conn, q, &n));
	assert_int_equal(n, 10);
	ok(access_order_hard_delete_where(conn, q, &n));
	assert_int_equal(n, 10);
	access_order_query_free(q);
	ok(access_order_count(conn, NULL, &n));
	assert_int_equal(n, 40);
}

static int count_rows(void *ctx, const access_order *row)
{
	int *seen = ctx;
	(*seen)++;
	return row->select == 4 && *seen > 20;   /* stop early, on a row with select 4 */
}

static void test_stream(void **state)
{
	(void)state;
	fill_orders();
	int seen = 0;
	ok(access_order_stream(conn, NULL, 0, count_rows, &seen));
	assert_true(seen > 20 && seen < 50);
	/* the connection is usable afterwards, and a full stream sees all */
	int64_t n;
	ok(access_order_count(conn, NULL, &n));
	assert_int_equal(n, 50);
	access_order_query *q = access_order_query_new();
	access_order_where_select(q, MC_OP_LT, 100);
	seen = -1000;
	ok(access_order_stream(conn, q, 0, count_rows, &seen));
	assert_int_equal(seen, -950);
	access_order_query_free(q);
}

static void test_arrays_round_trip(void **state)
{
	(void)state;
	mc_str names[] = { S("plain"), S("with \"quotes\", commas, {braces} and \\"), S(""), S("NULL"), S("x") };
	bool names_null[] = { false, false, false, false, true };
	int32_t nums[] = { INT32_MIN, 0, INT32_MAX };
	mc_uuid ids[2];
	memset(ids, 0xab, sizeof ids);
	ids[1].bytes[15] = 1;
	access_mood moods[] = { ACCESS_MOOD_SAD, ACCESS_MOOD_SO_SO };
	mc_timestamptz times[] = { { 0 }, { INT64_MAX } };
	mc_str money[] = { S("1.50"), S("-12345678901234567890.5") };
	static const uint8_t b0[] = { 0, '{', '"', 255 };
	mc_bytes blobs[] = { { b0, sizeof b0 }, { NULL, 0 } };

	access_array in;
	memset(&in, 0, sizeof in);
	in.names.items = names;
	in.names.nulls = names_null;
	in.names.n = 5;
	in.nums.items = nums;
	in.nums.n = 3;
	in.ids.items = ids;
	in.ids.n = 2;
	in.moods.items = moods;
	in.moods.n = 2;
	in.times.items = times;
	in.times.n = 2;
	in.money.items = money;
	in.money.n = 2;
	in.blobs.items = blobs;
	in.blobs.n = 2;
	in.grid = S("{{1,2},{3,4}}");
	mc_result *res, *r2;
	access_array *o, *g;
	ok(access_arrays_insert(conn, &in, ACCESS_ARRAYS_NAMES, &res, &o));
	ok(access_arrays_get(conn, o->id, 0, &r2, &g));
	assert_int_equal(g->names.n, 5);
	for (int i = 0; i < 4; i++) {
		assert_false(g->names.nulls && g->names.nulls[i]);
		assert_int_equal(g->names.items[i].len, names[i].len);
		assert_memory_equal(g->names.items[i].ptr, names[i].ptr, names[i].len);
	}
	assert_true(g->names.nulls && g->names.nulls[4]);   /* NULL stays NULL; "NULL" stays text */
	assert_int_equal(g->nums.n, 3);
	assert_int_equal(g->nums.items[0], INT32_MIN);
	assert_int_equal(g->nums.items[2], INT32_MAX);
	assert_memory_equal(g->ids.items, ids, sizeof ids);
	assert_int_equal(g->moods.items[0], ACCESS_MOOD_SAD);
	assert_int_equal(g->moods.items[1], ACCESS_MOOD_SO_SO);
	assert_true(g->times.items[1].usec == INT64_MAX);
	assert_str(g->money.items[1], "-12345678901234567890.5");
	assert_int_equal(g->blobs.items[0].len, sizeof b0);
	assert_memory_equal(g->blobs.items[0].ptr, b0, sizeof b0);
	assert_int_equal(g->blobs.items[1].len, 0);
	assert_str(g->grid, "{{1,2},{3,4}}");
	mc_result_free(r2);

	/* empty arrays and NULL columns; the default '{}' when the bit is unset */
	memset(&in, 0, sizeof in);
	in.nums_null = in.ids_null = in.moods_null = in.times_null = in.money_null = in.blobs_null = true;
	in.grid_null = true;
	mc_result *r3;
	ok(access_arrays_insert(conn, &in, 0, &r3, &o));
	ok(access_arrays_get(conn, o->id, 0, &r2, &g));
	assert_int_equal(g->names.n, 0);
	assert_non_null(g);                                  /* names is not null: no flag */
	assert_true(g->nums_null && g->ids_null && g->moods_null && g->grid_null);
	mc_result_free(r2);

	/* an array as a filter value */
	access_arrays_query *q = access_arrays_query_new();
	mc_str one[] = { S("x") };
	mc_str_array want = { one, NULL, 1 };
	access_arrays_where_names(q, MC_OP_NE, want);
	int64_t n;
	ok(access_arrays_count(conn, q, &n));
	assert_int_equal(n, 2);
	access_arrays_query_free(q);
	mc_result_free(r3);
	mc_result_free(res);
}

static void test_bulk_inserts(void **state)
{
	(void)state;
	enum { N = 5000 };
	access_sample *rows = calloc(N, sizeof *rows);
	char (*texts)[32] = calloc(N, sizeof *texts);
	for (int i = 0; i < N; i++) {
		access_sample *r = &rows[i];
		/* everything NULL but a few columns, with COPY's special characters */
		r->i16_null = r->flag_null = r->f4_null = r->f8_null = r->num_null = r->vc_null = true;
		r->ch_null = r->raw_null = r->uid_null = r->d_null = r->tm_null = r->ttz_null = true;
		r->ts_null = r->tstz_null = r->span_null = r->js_null = r->jsb_null = r->addr_null = true;
		r->m_null = r->other_null = true;
		r->i32 = i;
		r->i64_null = i % 3 == 0;
		r->i64 = -i;
		snprintf(texts[i], sizeof texts[i], "row\t%d\n\\N\\", i);
		r->t = S(texts[i]);
	}
	int64_t count = 0, n = 0;
	ok(access_samples_copy(conn, rows, N, 0, &count));
	assert_int_equal(count, N);
	access_samples_query *q = access_samples_query_new();
	access_samples_where_t(q, MC_OP_LIKE, S("row\t%"));
	ok(access_samples_count(conn, q, &n));
	assert_int_equal(n, N);
	access_samples_where_i64_null(q, true);
	ok(access_samples_count(conn, q, &n));
	assert_int_equal(n, (N + 2) / 3);
	access_samples_query_free(q);
	/* the text came back exactly: tab, newline, backslash-N are data */
	q = access_samples_query_new();
	access_samples_where_i32(q, MC_OP_EQ, 1234);
	access_samples_where_t(q, MC_OP_LIKE, S("row%"));
	mc_result *res;
	access_sample *got;
	size_t ng;
	ok(access_samples_list(conn, q, 0, &res, &got, &ng));
	assert_int_equal(ng, 1);
	assert_str(got[0].t, texts[1234]);
	mc_result_free(res);
	access_samples_query_free(q);

	/* insert_many returns the stored rows, ids filled in, in order */
	mc_result *r2;
	access_sample *out;
	ok(access_samples_insert_many(conn, rows, 100, 0, &r2, &out));
	for (int i = 0; i < 100; i++) {
		assert_int_equal(out[i].i32, i);
		assert_true(out[i].id > 0);
		if (i)
			assert_true(out[i].id > out[i - 1].id);
		assert_str(out[i].t, texts[i]);
		assert_int_equal(out[i].i64_null, i % 3 == 0);
	}
	mc_result_free(r2);
	/* a failing row fails the whole COPY, and nothing is written */
	int64_t before;
	ok(access_samples_count(conn, NULL, &before));
	rows[10].m_null = false;
	rows[10].m = (access_mood)9;
	assert_int_equal(access_samples_copy(conn, rows, N, 0, &count), MC_INVALID);
	ok(access_samples_count(conn, NULL, &n));
	assert_int_equal(n, before);
	free(texts);
	free(rows);
}

static void test_per_parent_limit(void **state)
{
	(void)state;
	fill_orders();
	mc_result *res;
	access_order *orders;
	size_t n;
	ok(access_order_list(conn, NULL, 0, &res, &orders, &n));
	/* order i gets i % 4 comments */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i % 4; k++) {
			access_comment cm;
			memset(&cm, 0, sizeof cm);
			cm.order_id = orders[i].id;
			cm.body = S(k == 0 ? "first" : k == 1 ? "second" : "third");
			mc_result *r;
			access_comment *o;
			ok(access_comments_insert(conn, &cm, 0, &r, &o));
			mc_result_free(r);
		}
	uint64_t before = mc_conn_statements(conn);
	ok(access_order_load_latest(conn, orders, n, res));
	assert_int_equal(mc_conn_statements(conn) - before, 1);
	for (size_t i = 0; i < n; i++) {
		size_t want = i % 4 < 2 ? i % 4 : 2;
		assert_int_equal(orders[i].latest.n, want);
		if (want == 2) {
			/* the newest two, newest first */
			assert_true(orders[i].latest.items[0]->id > orders[i].latest.items[1]->id);
			assert_str(orders[i].latest.items[0]->body, i % 4 == 3 ? "third" : "second");
		}
	}
	mc_result_free(res);
}

/* n orders (hard-deleting the others), order i with i % 4 comments, and
 * every fifth order soft-deleted */
static void fill_notes(int n)
{
	int64_t gone = 0;
	ok(access_order_hard_delete_where(conn, NULL, &gone));
	for (int i = 0; i < n; i++) {
		char user[16];
		snprintf(user, sizeof user, "n%04d", i);
		access_order in;
		memset(&in, 0, sizeof in);
		in.user = S(user);
		in.select = i % 3;
		in.note_null = true;
		in.gone_at_null = true;
		mc_result *r;
		access_order *o;
		ok(access_order_insert(conn, &in, ACCESS_ORDER_SELECT, &r, &o));
		for (int k = 0; k < i % 4; k++) {
			char body[32];
			snprintf(body, sizeof body, "%s/%d", user, k);
			access_comment cm;
			memset(&cm, 0, sizeof cm);
			cm.order_id = o->id;
			cm.body = S(body);
			mc_result *r2;
			access_comment *c2;
			ok(access_comments_insert(conn, &cm, 0, &r2, &c2));
			mc_result_free(r2);
		}
		mc_result_free(r);
	}
}

static void assert_same(mc_str a, mc_str b)
{
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
}

/* joined (one statement) against selectin (list, then load_notes) */
static void check_notes(access_order_query *q, size_t want)
{
	mc_result *rj, *rs;
	access_order *j, *sl;
	size_t nj, ns;
	uint64_t before = mc_conn_statements(conn);
	ok(access_order_list(conn, q, ACCESS_ORDER_LOAD_NOTES, &rj, &j, &nj));
	assert_int_equal(mc_conn_statements(conn) - before, 1);
	ok(access_order_list(conn, q, 0, &rs, &sl, &ns));
	assert_int_equal(nj, want);
	assert_int_equal(ns, want);
	assert_int_equal(sl[0].notes.state, MC_NOT_LOADED);
	ok(access_order_load_notes(conn, sl, ns, rs));
	for (size_t i = 0; i < nj; i++) {
		assert_int_equal(j[i].id, sl[i].id);
		assert_same(j[i].user, sl[i].user);
		assert_int_equal(j[i].select, sl[i].select);
		assert_int_equal(j[i].lock, sl[i].lock);
		assert_int_equal(j[i].note_null, sl[i].note_null);
		assert_int_equal(j[i].notes.state, MC_LOADED);
		assert_int_equal(j[i].latest.state, MC_NOT_LOADED);
		assert_int_equal(j[i].notes.n, sl[i].notes.n);
		if (i > 0)
			assert_true(j[i].id != j[i - 1].id);
		for (size_t k = 0; k < j[i].notes.n; k++) {
			const access_comment *a = j[i].notes.items[k], *b = sl[i].notes.items[k];
			assert_int_equal(a->id, b->id);
			assert_int_equal(a->order_id, j[i].id);
			assert_int_equal(a->order_id, b->order_id);
			assert_same(a->body, b->body);
			if (k > 0)
				assert_true(a->id > j[i].notes.items[k - 1]->id);
		}
	}
	mc_result_free(rj);
	mc_result_free(rs);
}

static void test_joined_collection(void **state)
{
	(void)state;
	static const int sizes[] = { 1, 10, 1000 };
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		fill_notes(sizes[z]);
		access_order_query *byid = access_order_query_new();
		access_order_order_by_id(byid, false);
		check_notes(byid, (size_t)sizes[z]);
		access_order_query_free(byid);
		/* no query at all: still one statement, each parent once */
		mc_result *r;
		access_order *o;
		size_t n, kids = 0, want = 0;
		uint64_t before = mc_conn_statements(conn);
		ok(access_order_list(conn, NULL, ACCESS_ORDER_LOAD_NOTES, &r, &o, &n));
		assert_int_equal(mc_conn_statements(conn) - before, 1);
		assert_int_equal(n, (size_t)sizes[z]);
		for (size_t i = 0; i < n; i++) {
			kids += o[i].notes.n;
			want += (size_t)i % 4;
		}
		assert_int_equal(kids, want);
		mc_result_free(r);
	}
	/* limit and offset count parents, not joined rows; the parent order
	 * (descending) holds, children keep theirs */
	access_order_query *q = access_order_query_new();
	access_order_order_by_select(q, true);
	access_order_order_by_id(q, true);
	access_order_limit(q, 7);
	access_order_offset(q, 5);
	check_notes(q, 7);
	access_order_query_free(q);
	/* filtered to parents with no children at all (i % 4 == 0) */
	q = access_order_query_new();
	access_order_where_user(q, MC_OP_LIKE, S("n%0"));
	access_order_limit(q, 3);
	check_notes(q, 3);
	access_order_query_free(q);
	/* get: one statement too */
	mc_result *res, *rg;
	access_order *all, *g;
	size_t n;
	ok(access_order_list(conn, NULL, 0, &res, &all, &n));
	uint64_t before = mc_conn_statements(conn);
	ok(access_order_get(conn, all[3].id, ACCESS_ORDER_LOAD_NOTES, &rg, &g));
	assert_int_equal(mc_conn_statements(conn) - before, 1);
	assert_int_equal(g->id, all[3].id);
	assert_int_equal(g->notes.state, MC_LOADED);
	assert_int_equal(g->notes.n, (size_t)atoi(all[3].user.ptr + 1) % 4);
	for (size_t k = 0; k < g->notes.n; k++)
		assert_int_equal(g->notes.items[k]->order_id, g->id);
	mc_result_free(rg);
	mc_result_free(res);
}

/* many-to-many joined: tags shared by several orders, orders with none */
static void test_joined_many_to_many(void **state)
{
	(void)state;
	fill_notes(40);
	static const char *const names[] = { "red", "green", "blue" };
	int32_t tag[3];
	for (int k = 0; k < 3; k++) {
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO tags (name) VALUES ('%s') ON CONFLICT (name) DO UPDATE SET name = "
		         "excluded.name RETURNING id", names[k]);
		PGresult *r = PQexec((PGconn *)mc_conn_pg(conn), sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		tag[k] = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	/* order i: red if i % 2, green if i % 3, blue if i % 5 == 0 */
	PGresult *r = PQexec((PGconn *)mc_conn_pg(conn), "SELECT id, \"user\" FROM \"order\"");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	for (int row = 0; row < PQntuples(r); row++) {
		int i = atoi(PQgetvalue(r, row, 1) + 1);
		for (int k = 0; k < 3; k++) {
			if (!(k == 0 ? i % 2 : k == 1 ? i % 3 : i % 5 == 0))
				continue;
			char sql[160];
			snprintf(sql, sizeof sql, "INSERT INTO order_tags VALUES (%s, %d)", PQgetvalue(r, row, 0), (int)tag[k]);
			PGresult *x = PQexec((PGconn *)mc_conn_pg(conn), sql);
			assert_int_equal(PQresultStatus(x), PGRES_COMMAND_OK);
			PQclear(x);
		}
	}
	PQclear(r);
	access_order_query *q = access_order_query_new();
	access_order_order_by_id(q, false);
	access_order_offset(q, 2);
	access_order_limit(q, 30);
	mc_result *rj, *rs;
	access_order *j, *sl;
	size_t nj, ns;
	uint64_t before = mc_conn_statements(conn);
	ok(access_order_list(conn, q, ACCESS_ORDER_LOAD_TAGS, &rj, &j, &nj));
	assert_int_equal(mc_conn_statements(conn) - before, 1);
	ok(access_order_list(conn, q, 0, &rs, &sl, &ns));
	ok(access_order_load_tags(conn, sl, ns, rs));
	assert_int_equal(nj, 30);
	assert_int_equal(ns, 30);
	size_t empty = 0;
	for (size_t i = 0; i < nj; i++) {
		assert_int_equal(j[i].id, sl[i].id);
		assert_int_equal(j[i].tags.state, MC_LOADED);
		assert_int_equal(j[i].notes.state, MC_NOT_LOADED);
		assert_int_equal(j[i].tags.n, sl[i].tags.n);
		empty += j[i].tags.n == 0;
		for (size_t k = 0; k < j[i].tags.n; k++) {
			assert_int_equal(j[i].tags.items[k]->id, sl[i].tags.items[k]->id);
			assert_same(j[i].tags.items[k]->name, sl[i].tags.items[k]->name);
		}
	}
	assert_true(empty > 0);
	access_order_query_free(q);
	mc_result_free(rj);
	mc_result_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved_names_and_hostile_values),
		cmocka_unit_test(test_version_check),
		cmocka_unit_test(test_one_column_soft_delete),
		cmocka_unit_test(test_types_round_trip),
		cmocka_unit_test(test_all_null),
		cmocka_unit_test(test_query_filters),
		cmocka_unit_test(test_query_pages),
		cmocka_unit_test(test_query_writes),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_arrays_round_trip),
		cmocka_unit_test(test_bulk_inserts),
		cmocka_unit_test(test_per_parent_limit),
		cmocka_unit_test(test_joined_collection),
		cmocka_unit_test(test_joined_many_to_many),
	};
	return cmocka_run_group_tests_name("data access", tests, setup, teardown);
}

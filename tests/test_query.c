/* test_query.c - the query API of libmodelc (gen.h, "queries"), array
 * parameters built from elements and the element decoders, against the
 * real test cluster.
 *
 * Every table lives in the schema mc_qt, made by the group setup and
 * dropped by its teardown; the descriptors are written by hand the way
 * generated code writes them. Most checks compare what the query API
 * returns with the same question asked in plain SQL. */
#include "testutil.h"

#include <libpq-fe.h>
#include <math.h>
#include <time.h>

#include "modelc/gen.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
/* from the sanitizer runtime; gcc does not ship its header everywhere */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void) { return __sanitizer_get_current_allocated_bytes(); }
#else
#include <malloc.h>
static size_t heap_in_use(void) { return mallinfo2().uordblks; }
#endif

/* ---- descriptors ------------------------------------------------------------ */

enum { I_ID, I_A, I_B, I_C, I_NOTE };
static const char *const items_cols[] = { "id", "a", "b", "c", "note" };
static const char *const items_casts[] = { "integer", "integer", "text", "integer", "text" };
static const mc_table_desc items_t = {
	"mc_qt.items", 5, items_cols, items_casts, "id, a, b, c, note", -1, -1, 0
};

enum { G_ID, G_V };
static const char *const big_cols[] = { "id", "v" };
static const char *const big_casts[] = { "integer", "integer" };
static const mc_table_desc big_t = { "mc_qt.big", 2, big_cols, big_casts, "id, v", -1, -1, 0 };

/* soft delete by timestamp only, and by flag and timestamp */
static const char *const sd1_cols[] = { "id", "name", "deleted_at" };
static const char *const sd1_casts[] = { "integer", "text", "timestamptz" };
static const mc_table_desc sd1_t = { "mc_qt.sd1", 3, sd1_cols, sd1_casts, "id, name, deleted_at", 2, -1, 0 };

static const char *const sd2_cols[] = { "id", "name", "is_deleted", "deleted_at" };
static const char *const sd2_casts[] = { "integer", "text", "boolean", "timestamptz" };
static const mc_table_desc sd2_t = {
	"mc_qt.sd2", 4, sd2_cols, sd2_casts, "id, name, is_deleted, deleted_at", 3, 2, 0
};
/* the same table seen through its flag alone */
static const mc_table_desc sd2_flag_t = {
	"mc_qt.sd2", 4, sd2_cols, sd2_casts, "id, name, is_deleted, deleted_at", -1, 2, 0
};

/* reserved words everywhere: table "order", columns "user", "select", "end" */
enum { O_ID, O_USER, O_SELECT, O_END };
static const char *const order_cols[] = { "id", "\"user\"", "\"select\"", "\"end\"" };
static const char *const order_casts[] = { "integer", "text", "integer", "timestamptz" };
static const mc_table_desc order_t = {
	"mc_qt.\"order\"", 4, order_cols, order_casts, "id, \"user\", \"select\", \"end\"", 3, -1, 0
};

enum { H_ID, H_S };
static const char *const hostile_cols[] = { "id", "s" };
static const char *const hostile_casts[] = { "integer", "text" };
static const mc_table_desc hostile_t = { "mc_qt.hostile", 2, hostile_cols, hostile_casts, "id, s", -1, -1, 0 };

/* a select list that fails at row 100: an error in the middle of a stream */
static const char *const divs_cols[] = { "id", "q" };
static const char *const divs_casts[] = { "integer", "integer" };
static const mc_table_desc divs_t = { "mc_qt.divs", 2, divs_cols, divs_casts, "id, 10 / (100 - id)", -1, -1, 0 };

/* rows without end, made lazily: only a cancel stops reading them soon */
static const char *const endless_cols[] = { "id" };
static const char *const endless_casts[] = { "bigint" };
static const mc_table_desc endless_t = {
	"(WITH RECURSIVE r(id) AS (SELECT 1::bigint UNION ALL SELECT id + 1 FROM r) SELECT id FROM r) AS endless",
	1, endless_cols, endless_casts, "id", -1, -1, 0
};

#define BIG_ROWS 200000

/* ---- helpers ----------------------------------------------------------------- */

#define MAX_TRACKED 8
static mc_conn *tracked[MAX_TRACKED];

static mc_conn *open_conn(void)
{
	mc_conn *c = NULL;
	mc_status st = mc_conn_open(&c, "", NULL);
	if (st != MC_OK)
		fail_msg("mc_conn_open: %s: %s", mc_status_name(st), mc_last_error(c)->message);
	for (int i = 0; i < MAX_TRACKED; i++)
		if (!tracked[i]) {
			tracked[i] = c;
			break;
		}
	return c;
}

/* A failing test leaves its connection to the teardown: no leak reports
 * after a failure. */
static int close_tracked(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_TRACKED; i++) {
		mc_conn_close(tracked[i]);
		tracked[i] = NULL;
	}
	return 0;
}

static PGresult *sql(mc_conn *c, const char *text, mc_params *p)
{
	mc_stmt st = { NULL, text, p ? p->n : 0, 0 };
	void *res = NULL;
	mc_status s = mc_exec(c, &st, p, &res);
	if (s != MC_OK)
		fail_msg("%s: %s: %s", text, mc_status_name(s), mc_last_error(c)->message);
	return res;
}

/* Setup SQL, several statements at a time: the simple protocol. */
static void run(mc_conn *c, const char *text)
{
	PGresult *r = PQexec(mc_conn_pg(c), text);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", text, PQresultErrorMessage(r));
	PQclear(r);
}

static long long sql_int(mc_conn *c, const char *text, mc_params *p)
{
	PGresult *r = sql(c, text, p);
	assert_int_equal(PQntuples(r), 1);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Column col of every row, comma-separated ("" for none, "-" for NULL). */
static char *csv(const PGresult *r, int col)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	out[0] = '\0';
	for (int i = 0; i < PQntuples(r); i++) {
		const char *v = PQgetisnull(r, i, col) ? "-" : PQgetvalue(r, i, col);
		size_t n = strlen(v);
		while (len + n + 2 > cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
		if (i)
			out[len++] = ',';
		memcpy(out + len, v, n + 1);
		len += n;
	}
	return out;
}

static void assert_same(const char *what, char *got, char *want)
{
	if (strcmp(got, want) != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s:\n  got  %.450s\n  want %.450s", what, got, want);
		free(got);
		free(want);
		fail_msg("%s", msg);
	}
	free(got);
	free(want);
}

/* The first column of the query's rows must equal that of ref_sql's. */
static void expect_rows(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *ref_sql)
{
	void *res = NULL;
	mc_status st = mc_query_select(c, t, q, &res);
	if (st != MC_OK)
		fail_msg("select for [%s]: %s: %s", ref_sql, mc_status_name(st), mc_last_error(c)->message);
	char *got = csv(res, 0);
	PQclear(res);
	/* straight to libpq: the hook keeps showing the API's statement */
	PGresult *r = PQexec(mc_conn_pg(c), ref_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", ref_sql, PQresultErrorMessage(r));
	char *want = csv(r, 0);
	PQclear(r);
	assert_same(ref_sql, got, want);
}

static int64_t count_of(mc_conn *c, const mc_table_desc *t, const mc_query *q)
{
	int64_t n = -1;
	mc_status st = mc_query_count(c, t, q, &n);
	if (st != MC_OK)
		fail_msg("count: %s: %s", mc_status_name(st), mc_last_error(c)->message);
	return n;
}

static void value_int(mc_query *q, int32_t v)
{
	mc_param_int32(mc_query_value(q), v);
}

static void value_text(mc_query *q, const char *s)
{
	mc_param_text(mc_query_value(q), s, strlen(s));
}

/* The hook, to see the SQL the API composes. */
typedef struct capture {
	char sql[4096];
	int nparams;
	long rows;
	int calls;
	mc_status status;
} capture;

static void capture_hook(void *ctx, const mc_stmt_event *ev)
{
	capture *cp = ctx;
	snprintf(cp->sql, sizeof cp->sql, "%s", ev->sql);
	cp->nparams = ev->nparams;
	cp->rows = ev->rows;
	cp->status = ev->status;
	cp->calls++;
}

static void assert_str(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("\n  got  %s\n  want %s", got, want);
}

typedef struct stream_ctx {
	long rows;
	long next_id;           /* the id expected next, for ordered streams */
	long stop_at;           /* return 1 at this row count; 0 never */
	bool single;            /* every PGresult held one row */
	size_t heap0, heap_max;
} stream_ctx;

static int count_rows(void *ctx, const void *pgres, int row)
{
	stream_ctx *s = ctx;
	const PGresult *r = pgres;

	if (PQntuples(r) != 1 || row != 0)
		s->single = false;
	long id = atol(PQgetvalue(r, row, 0));
	if (s->next_id && id != s->next_id)
		fail_msg("row %ld: id %ld, expected %ld", s->rows, id, s->next_id);
	if (s->next_id)
		s->next_id++;
	s->rows++;
	if ((s->rows & 1023) == 0) {
		size_t h = heap_in_use();
		if (h > s->heap_max)
			s->heap_max = h;
	}
	return s->stop_at && s->rows == s->stop_at;
}

static void reset_items(mc_conn *c)
{
	run(c, "TRUNCATE mc_qt.items;"
	       "INSERT INTO mc_qt.items SELECT i, i % 7, 'b' || (i % 5),"
	       " CASE WHEN i % 10 = 0 THEN NULL ELSE i % 13 END,"
	       " CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END"
	       " FROM generate_series(1, 300) i");
}

/* ---- group setup ----------------------------------------------------------------- */

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
		"DROP SCHEMA IF EXISTS mc_qt CASCADE;"
		"CREATE SCHEMA mc_qt;"
		"CREATE TABLE mc_qt.items (id integer PRIMARY KEY, a integer NOT NULL, b text NOT NULL,"
		"  c integer, note text);"
		"CREATE TABLE mc_qt.big (id integer PRIMARY KEY, v integer NOT NULL);"
		"INSERT INTO mc_qt.big SELECT i, i % 1000 FROM generate_series(1, 200000) i;"
		"CREATE TABLE mc_qt.sd1 (id integer PRIMARY KEY, name text NOT NULL, deleted_at timestamptz);"
		"CREATE TABLE mc_qt.sd2 (id integer PRIMARY KEY, name text NOT NULL,"
		"  is_deleted boolean NOT NULL DEFAULT false, deleted_at timestamptz);"
		"CREATE TABLE mc_qt.\"order\" (id integer PRIMARY KEY, \"user\" text NOT NULL,"
		"  \"select\" integer NOT NULL, \"end\" timestamptz);"
		"CREATE TABLE mc_qt.hostile (id integer PRIMARY KEY, s text NOT NULL);"
		"CREATE TABLE mc_qt.divs (id integer NOT NULL);"
		"INSERT INTO mc_qt.divs SELECT i FROM generate_series(1, 200) i;"
		"CREATE TABLE mc_qt.log (msg text NOT NULL);"
		"ANALYZE mc_qt.big;");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "schema: %s\n", PQresultErrorMessage(r));
	PQclear(r);
	mc_conn_close(c);
	return ok ? 0 : -1;
}

static int schema_teardown(void **state)
{
	(void)state;
	mc_conn *c = NULL;
	if (mc_conn_open(&c, "", NULL) == MC_OK)
		PQclear(PQexec(mc_conn_pg(c), "SET client_min_messages = warning; DROP SCHEMA mc_qt CASCADE"));
	mc_conn_close(c);
	return 0;
}

/* ---- operators ----------------------------------------------------------------- */

static void test_operators(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);

	static const struct { mc_op op; int col; const char *value; const char *where; } cases[] = {
		{ MC_OP_EQ, I_A, "3", "a = 3" },
		{ MC_OP_NE, I_A, "3", "a <> 3" },
		{ MC_OP_LT, I_A, "2", "a < 2" },
		{ MC_OP_LE, I_A, "2", "a <= 2" },
		{ MC_OP_GT, I_A, "5", "a > 5" },
		{ MC_OP_GE, I_A, "5", "a >= 5" },
		{ MC_OP_EQ, I_B, "b4", "b = 'b4'" },
		{ MC_OP_LT, I_C, "3", "c < 3" },            /* NULL c never matches */
		{ MC_OP_IS_NULL, I_C, NULL, "c IS NULL" },
		{ MC_OP_IS_NOT_NULL, I_C, NULL, "c IS NOT NULL" },
		{ MC_OP_IS_NULL, I_NOTE, NULL, "note IS NULL" },
		{ MC_OP_LIKE, I_NOTE, "note 1%", "note LIKE 'note 1%'" },
		{ MC_OP_LIKE, I_NOTE, "NOTE 1%", "note LIKE 'NOTE 1%'" },  /* none: case matters */
		{ MC_OP_ILIKE, I_NOTE, "NOTE 2_", "note ILIKE 'NOTE 2_'" },
		{ MC_OP_LIKE, I_NOTE, "%7", "note LIKE '%7'" },
		{ MC_OP_IN, I_A, "{1,3,5}", "a IN (1, 3, 5)" },
		{ MC_OP_IN, I_B, "{b0,\"b2\",zz}", "b IN ('b0', 'b2')" },
		{ MC_OP_NOT_IN, I_A, "{1,3,5}", "a NOT IN (1, 3, 5)" },
		{ MC_OP_IN, I_C, "{1,NULL}", "c IN (1)" },
		{ MC_OP_NOT_IN, I_C, "{1,2}", "c NOT IN (1, 2)" },
		{ MC_OP_IN, I_A, "{}", "false" },
		{ MC_OP_NOT_IN, I_A, "{}", "true" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mc_query *q = mc_query_new(&items_t);
		assert_non_null(q);
		if (cases[i].value)
			value_text(q, cases[i].value);
		mc_query_cond(q, cases[i].col, cases[i].op);
		mc_query_order(q, I_ID, false);
		char ref[256];
		snprintf(ref, sizeof ref, "SELECT id FROM mc_qt.items WHERE %s ORDER BY id", cases[i].where);
		expect_rows(c, &items_t, q, ref);
		mc_query_free(q);
	}

	/* several conditions: AND at the top level */
	mc_query *q = mc_query_new(&items_t);
	value_int(q, 2);
	mc_query_cond(q, I_A, MC_OP_GE);
	mc_query_cond(q, I_NOTE, MC_OP_IS_NOT_NULL);
	value_text(q, "b1");
	mc_query_cond(q, I_B, MC_OP_NE);
	mc_query_order(q, I_ID, true);
	expect_rows(c, &items_t, q,
		    "SELECT id FROM mc_qt.items WHERE a >= 2 AND note IS NOT NULL AND b <> 'b1' ORDER BY id DESC");

	/* the SQL: identifiers from the descriptor, each value a cast parameter */
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);
	uint64_t before = mc_conn_statements(c);
	void *res;
	assert_int_equal(mc_query_select(c, &items_t, q, &res), MC_OK);
	PQclear(res);
	assert_int_equal(mc_conn_statements(c), before + 1);
	assert_int_equal(cp.calls, 1);
	assert_str(cp.sql, "SELECT id, a, b, c, note FROM mc_qt.items WHERE a >= $1::integer AND note IS NOT NULL"
			   " AND b <> $2::text ORDER BY id DESC");
	assert_int_equal(cp.nparams, 2);
	mc_query_free(q);

	q = mc_query_new(&items_t);
	value_text(q, "{1,2}");
	mc_query_cond(q, I_A, MC_OP_IN);
	value_text(q, "{3}");
	mc_query_cond(q, I_C, MC_OP_NOT_IN);
	value_text(q, "x%");
	mc_query_cond(q, I_NOTE, MC_OP_LIKE);
	value_text(q, "X%");
	mc_query_cond(q, I_NOTE, MC_OP_ILIKE);
	assert_int_equal(mc_query_select(c, &items_t, q, &res), MC_OK);
	PQclear(res);
	assert_str(cp.sql, "SELECT id, a, b, c, note FROM mc_qt.items WHERE a = ANY($1::integer[])"
			   " AND NOT (c = ANY($2::integer[])) AND note LIKE $3::text AND note ILIKE $4::text");
	mc_query_free(q);

	/* no query: every row */
	assert_int_equal(mc_query_select(c, &items_t, NULL, &res), MC_OK);
	assert_int_equal(PQntuples(res), 300);
	PQclear(res);
	assert_str(cp.sql, "SELECT id, a, b, c, note FROM mc_qt.items");
	mc_conn_set_hook(c, NULL, NULL);
}

/* IN and NOT IN with 70,000 values: one array parameter, not 70,000. */
static void test_in_many(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	mc_params elems;
	mc_params_init(&elems);
	for (int i = 0; i < 70000; i++)
		mc_param_int32(&elems, 2 * i + 1);      /* odd ids 1 .. 139,999 */
	assert_false(elems.failed);

	mc_query *q = mc_query_new(&big_t);
	mc_param_array_of(mc_query_value(q), &elems);
	mc_query_cond(q, G_ID, MC_OP_IN);
	assert_int_equal(count_of(c, &big_t, q), 70000);
	assert_int_equal(cp.nparams, 1);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.big WHERE id = ANY($1::integer[])");

	/* the same values, page 3 of 1,000, ordered */
	mc_query_order(q, G_ID, false);
	mc_query_limit(q, 1000);
	mc_query_offset(q, 2000);
	void *res;
	assert_int_equal(mc_query_select(c, &big_t, q, &res), MC_OK);
	assert_int_equal(PQntuples(res), 1000);
	assert_string_equal(PQgetvalue(res, 0, 0), "4001");
	assert_string_equal(PQgetvalue(res, 999, 0), "5999");
	PQclear(res);
	assert_int_equal(cp.nparams, 3);
	mc_query_free(q);

	q = mc_query_new(&big_t);
	mc_param_array_of(mc_query_value(q), &elems);
	mc_query_cond(q, G_ID, MC_OP_NOT_IN);
	assert_int_equal(count_of(c, &big_t, q), BIG_ROWS - 70000);
	mc_query_free(q);

	/* SQL's NOT IN: a NULL in the list makes the answer unknown: no rows */
	mc_param_null(&elems);
	q = mc_query_new(&big_t);
	mc_param_array_of(mc_query_value(q), &elems);
	mc_query_cond(q, G_ID, MC_OP_NOT_IN);
	assert_int_equal(count_of(c, &big_t, q), 0);
	mc_query_free(q);
	mc_params_free(&elems);
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- groups ------------------------------------------------------------------------ */

static void test_groups(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	/* a = 1 AND (c IS NULL OR (b = 'b2' AND note LIKE '%5') OR id < 20) AND (a <> 4 OR b <> 'b0') */
	mc_query *q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_cond(q, I_A, MC_OP_EQ);
	mc_query_or_begin(q);
	mc_query_cond(q, I_C, MC_OP_IS_NULL);
	mc_query_and_begin(q);
	value_text(q, "b2");
	mc_query_cond(q, I_B, MC_OP_EQ);
	value_text(q, "%5");
	mc_query_cond(q, I_NOTE, MC_OP_LIKE);
	mc_query_end(q);
	value_int(q, 20);
	mc_query_cond(q, I_ID, MC_OP_LT);
	mc_query_end(q);
	mc_query_or_begin(q);
	value_int(q, 4);
	mc_query_cond(q, I_A, MC_OP_NE);
	value_text(q, "b0");
	mc_query_cond(q, I_B, MC_OP_NE);
	mc_query_end(q);
	mc_query_order(q, I_ID, false);
	expect_rows(c, &items_t, q,
		    "SELECT id FROM mc_qt.items WHERE a = 1 AND (c IS NULL OR (b = 'b2' AND note LIKE '%5')"
		    " OR id < 20) AND (a <> 4 OR b <> 'b0') ORDER BY id");
	assert_str(cp.sql, "SELECT id, a, b, c, note FROM mc_qt.items WHERE a = $1::integer AND (c IS NULL OR"
			   " (b = $2::text AND note LIKE $3::text) OR id < $4::integer) AND (a <> $5::integer OR"
			   " b <> $6::text) ORDER BY id");
	mc_query_free(q);

	/* a group at the top (OR of three), nested three deep */
	q = mc_query_new(&items_t);
	mc_query_or_begin(q);
	value_int(q, 10);
	mc_query_cond(q, I_ID, MC_OP_LE);
	mc_query_and_begin(q);
	value_int(q, 290);
	mc_query_cond(q, I_ID, MC_OP_GE);
	mc_query_or_begin(q);
	value_int(q, 0);
	mc_query_cond(q, I_A, MC_OP_EQ);
	value_int(q, 6);
	mc_query_cond(q, I_A, MC_OP_EQ);
	mc_query_end(q);
	mc_query_end(q);
	mc_query_end(q);
	mc_query_order(q, I_ID, false);
	expect_rows(c, &items_t, q,
		    "SELECT id FROM mc_qt.items WHERE (id <= 10 OR (id >= 290 AND (a = 0 OR a = 6))) ORDER BY id");
	mc_query_free(q);

	/* empty groups: AND of nothing holds, OR of nothing does not */
	q = mc_query_new(&items_t);
	mc_query_and_begin(q);
	mc_query_end(q);
	assert_int_equal(count_of(c, &items_t, q), 300);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.items WHERE (TRUE)");
	mc_query_or_begin(q);
	mc_query_end(q);
	assert_int_equal(count_of(c, &items_t, q), 0);
	mc_query_free(q);
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- order, limit, offset ----------------------------------------------------------- */

static void test_order_limit_offset(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	mc_query *q = mc_query_new(&items_t);
	mc_query_order(q, I_A, false);
	mc_query_order(q, I_B, true);
	mc_query_order(q, I_ID, false);
	expect_rows(c, &items_t, q, "SELECT id FROM mc_qt.items ORDER BY a, b DESC, id");
	mc_query_limit(q, 10);
	mc_query_offset(q, 20);
	expect_rows(c, &items_t, q, "SELECT id FROM mc_qt.items ORDER BY a, b DESC, id LIMIT 10 OFFSET 20");
	assert_str(cp.sql, "SELECT id, a, b, c, note FROM mc_qt.items ORDER BY a, b DESC, id"
			   " LIMIT $1::bigint OFFSET $2::bigint");
	assert_int_equal(cp.nparams, 2);
	/* the last call wins; a limit of 0 is a limit */
	mc_query_limit(q, 0);
	expect_rows(c, &items_t, q, "SELECT id FROM mc_qt.items LIMIT 0");
	mc_query_free(q);

	q = mc_query_new(&items_t);
	value_int(q, 3);
	mc_query_cond(q, I_A, MC_OP_EQ);
	mc_query_order(q, I_C, true);       /* NULLs first when descending, as in SQL */
	mc_query_order(q, I_ID, true);
	mc_query_offset(q, 5);
	expect_rows(c, &items_t, q, "SELECT id FROM mc_qt.items WHERE a = 3 ORDER BY c DESC, id DESC OFFSET 5");
	mc_query_free(q);
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- keyset pagination --------------------------------------------------------------- */

typedef struct ord {
	int col;
	bool desc;
} ord;

/* Walks items page by page with mc_query_after from the last row of each
 * page and checks the concatenation against one ordered query: every row
 * exactly once, in order. */
static void walk(mc_conn *c, const ord *ords, int nords, int skip_a, int page, const char *ref_sql,
		 capture *cp, const char *want_sql)
{
	PGresult *last = NULL;
	char *got = calloc(1, 1);
	size_t got_len = 0;
	bool seen[301] = { false };
	int pages = 0, rows = 0;

	for (;;) {
		mc_query *q = mc_query_new(&items_t);
		if (skip_a >= 0) {
			value_int(q, skip_a);
			mc_query_cond(q, I_A, MC_OP_NE);
		}
		for (int i = 0; i < nords; i++)
			mc_query_order(q, ords[i].col, ords[i].desc);
		if (last) {
			int lr = PQntuples(last) - 1;
			for (int i = 0; i < nords; i++)
				mc_param_text(mc_query_value(q), PQgetvalue(last, lr, ords[i].col),
					      (size_t)PQgetlength(last, lr, ords[i].col));
			mc_query_after(q);
		}
		mc_query_limit(q, page);
		void *res;
		mc_status st = mc_query_select(c, &items_t, q, &res);
		if (st != MC_OK)
			fail_msg("page %d: %s: %s", pages, mc_status_name(st), mc_last_error(c)->message);
		if (last && want_sql && pages == 1)
			assert_str(cp->sql, want_sql);
		mc_query_free(q);
		PQclear(last);
		last = res;
		if (PQntuples(res) == 0)
			break;
		assert_true(PQntuples(res) <= page);
		pages++;
		for (int i = 0; i < PQntuples(res); i++) {
			int id = atoi(PQgetvalue(res, i, I_ID));
			assert_true(id >= 1 && id <= 300);
			assert_false(seen[id]);
			seen[id] = true;
			rows++;
			const char *v = PQgetvalue(res, i, I_ID);
			got = realloc(got, got_len + strlen(v) + 2);
			got_len += (size_t)sprintf(got + got_len, "%s%s", got_len ? "," : "", v);
		}
	}
	PQclear(last);
	PGresult *r = sql(c, ref_sql, NULL);
	assert_int_equal(rows, PQntuples(r));
	assert_true(pages >= rows / page);
	char *want = csv(r, 0);
	PQclear(r);
	assert_same(ref_sql, got, want);
}

static void test_keyset(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	/* what typed wrappers read to fill in a row's keyset values */
	mc_query *q = mc_query_new(&items_t);
	assert_int_equal(mc_query_order_count(q), 0);
	mc_query_order(q, I_B, true);
	mc_query_order(q, I_ID, false);
	assert_int_equal(mc_query_order_count(q), 2);
	assert_int_equal(mc_query_order_col(q, 0), I_B);
	assert_int_equal(mc_query_order_col(q, 1), I_ID);
	assert_int_equal(mc_query_order_col(q, 2), -1);
	assert_int_equal(mc_query_order_col(q, -1), -1);
	assert_int_equal(mc_query_order_count(NULL), 0);
	assert_int_equal(mc_query_order_col(NULL, 0), -1);
	mc_query_free(q);

	/* mixed directions; b repeats within a, id breaks the ties */
	static const ord mixed[] = { { I_A, false }, { I_B, true }, { I_ID, false } };
	walk(c, mixed, 3, -1, 7, "SELECT id FROM mc_qt.items ORDER BY a, b DESC, id", &cp,
	     "SELECT id, a, b, c, note FROM mc_qt.items WHERE (a >= $1::integer AND (a > $1::integer OR"
	     " (a = $1::integer AND b < $2::text) OR (a = $1::integer AND b = $2::text AND id > $3::integer)))"
	     " ORDER BY a, b DESC, id LIMIT $4::bigint");
	static const ord mixed2[] = { { I_B, true }, { I_A, false }, { I_ID, true } };
	walk(c, mixed2, 3, -1, 11, "SELECT id FROM mc_qt.items ORDER BY b DESC, a, id DESC", &cp, NULL);

	/* one direction: a row comparison */
	static const ord down[] = { { I_A, true }, { I_ID, true } };
	walk(c, down, 2, -1, 13, "SELECT id FROM mc_qt.items ORDER BY a DESC, id DESC", &cp,
	     "SELECT id, a, b, c, note FROM mc_qt.items WHERE (a, id) < ($1::integer, $2::integer)"
	     " ORDER BY a DESC, id DESC LIMIT $3::bigint");
	static const ord up[] = { { I_ID, false } };
	walk(c, up, 1, -1, 50, "SELECT id FROM mc_qt.items ORDER BY id", &cp,
	     "SELECT id, a, b, c, note FROM mc_qt.items WHERE id > $1::integer ORDER BY id LIMIT $2::bigint");

	/* with a filter: its value comes first, the keyset's after it */
	walk(c, mixed, 3, 2, 9, "SELECT id FROM mc_qt.items WHERE a <> 2 ORDER BY a, b DESC, id", &cp,
	     "SELECT id, a, b, c, note FROM mc_qt.items WHERE a <> $1::integer AND (a >= $2::integer AND"
	     " (a > $2::integer OR (a = $2::integer AND b < $3::text) OR (a = $2::integer AND b = $3::text"
	     " AND id > $4::integer))) ORDER BY a, b DESC, id LIMIT $5::bigint");
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- count, update, delete ---------------------------------------------------------------- */

static void test_count(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	assert_int_equal(count_of(c, &items_t, NULL), 300);
	mc_query *q = mc_query_new(&items_t);
	value_int(q, 4);
	mc_query_cond(q, I_A, MC_OP_EQ);
	mc_query_cond(q, I_C, MC_OP_IS_NOT_NULL);
	assert_int_equal(count_of(c, &items_t, q),
			 sql_int(c, "SELECT count(*) FROM mc_qt.items WHERE a = 4 AND c IS NOT NULL", NULL));
	/* order and pages do not change a count */
	mc_query_order(q, I_B, false);
	mc_query_limit(q, 1);
	mc_query_offset(q, 1);
	assert_int_equal(count_of(c, &items_t, q),
			 sql_int(c, "SELECT count(*) FROM mc_qt.items WHERE a = 4 AND c IS NOT NULL", NULL));
	mc_query_free(q);

	q = mc_query_new(&items_t);
	value_int(q, 250);
	mc_query_cond(q, I_ID, MC_OP_GT);
	capture before = cp;
	assert_int_equal(count_of(c, &items_t, q), 50);
	assert_int_equal(cp.calls, before.calls + 1);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.items WHERE id > $1::integer");
	assert_int_equal(cp.rows, 1);
	mc_query_free(q);
	mc_conn_set_hook(c, NULL, NULL);
}

static void test_update_delete(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);
	static const char evil[] = "O'Reilly \\ \"x\" '; drop table mc_qt.items; --";

	mc_query *q = mc_query_new(&items_t);
	value_int(q, 2);
	mc_query_cond(q, I_A, MC_OP_EQ);
	value_text(q, "b3");
	mc_query_cond(q, I_B, MC_OP_NE);
	long long want = sql_int(c, "SELECT count(*) FROM mc_qt.items WHERE a = 2 AND b <> 'b3'", NULL);

	mc_params set;
	mc_params_init(&set);
	mc_param_text(&set, evil, strlen(evil));
	mc_param_null(&set);
	static const int cols[] = { I_NOTE, I_C };
	int64_t n = -1;
	assert_int_equal(mc_query_update(c, &items_t, q, cols, 2, &set, "a = a + 100", &n), MC_OK);
	assert_int_equal(n, want);
	assert_true(n > 10);
	assert_str(cp.sql, "UPDATE mc_qt.items SET note = $1::text, c = $2::integer, a = a + 100"
			   " WHERE a = $3::integer AND b <> $4::text");
	assert_int_equal(cp.nparams, 4);
	assert_int_equal(cp.rows, n);
	mc_params_free(&set);
	mc_query_free(q);

	/* the hostile value arrived as it was; the table is still there */
	q = mc_query_new(&items_t);
	value_text(q, evil);
	mc_query_cond(q, I_NOTE, MC_OP_EQ);
	mc_query_cond(q, I_C, MC_OP_IS_NULL);
	value_int(q, 100);
	mc_query_cond(q, I_A, MC_OP_GE);
	assert_int_equal(count_of(c, &items_t, q), want);
	mc_query_free(q);

	/* only set_sql, and no filter: every row */
	assert_int_equal(mc_query_update(c, &items_t, NULL, NULL, 0, NULL, "b = b || '!'", &n), MC_OK);
	assert_int_equal(n, 300);
	assert_str(cp.sql, "UPDATE mc_qt.items SET b = b || '!'");

	/* only set values, with an IN filter: 0 rows is a count, not an error */
	mc_params_init(&set);
	mc_param_int32(&set, 7);
	static const int ccol[] = { I_C };
	q = mc_query_new(&items_t);
	value_text(q, "{-1,-2}");
	mc_query_cond(q, I_ID, MC_OP_IN);
	assert_int_equal(mc_query_update(c, &items_t, q, ccol, 1, &set, NULL, &n), MC_OK);
	assert_int_equal(n, 0);
	mc_query_free(q);
	mc_params_free(&set);

	/* delete with a filter */
	q = mc_query_new(&items_t);
	value_int(q, 100);
	mc_query_cond(q, I_A, MC_OP_GE);
	assert_int_equal(mc_query_delete(c, &items_t, q, &n), MC_OK);
	assert_int_equal(n, want);
	assert_str(cp.sql, "DELETE FROM mc_qt.items WHERE a >= $1::integer");
	assert_int_equal(count_of(c, &items_t, q), 0);
	assert_int_equal(count_of(c, &items_t, NULL), 300 - want);

	/* no LIMIT in DELETE: refused rather than ignored */
	mc_query_limit(q, 5);
	assert_int_equal(mc_query_delete(c, &items_t, q, &n), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "limit"));
	mc_query_free(q);

	/* a server error on update is mapped like any other */
	mc_params_init(&set);
	mc_param_null(&set);
	static const int bcol[] = { I_B };
	assert_int_equal(mc_query_update(c, &items_t, NULL, bcol, 1, &set, NULL, &n), MC_NOT_NULL_VIOLATION);
	assert_string_equal(mc_last_error(c)->sqlstate, "23502");
	mc_params_free(&set);

	/* and delete everything */
	assert_int_equal(mc_query_delete(c, &items_t, NULL, &n), MC_OK);
	assert_int_equal(n, 300 - want);
	assert_str(cp.sql, "DELETE FROM mc_qt.items");
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- soft delete ---------------------------------------------------------------------------- */

static void test_soft_delete(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);
	run(c, "TRUNCATE mc_qt.sd1, mc_qt.sd2;"
	       "INSERT INTO mc_qt.sd1 SELECT i, 'n' || i, CASE WHEN i % 4 = 0 THEN now() END"
	       " FROM generate_series(1, 20) i;"
	       /* 1..20: flag on multiples of 3, timestamp on multiples of 5 */
	       "INSERT INTO mc_qt.sd2 SELECT i, 'n' || i, i % 3 = 0, CASE WHEN i % 5 = 0 THEN now() END"
	       " FROM generate_series(1, 20) i");

	/* timestamp only: 5 of 20 deleted */
	assert_int_equal(count_of(c, &sd1_t, NULL), 15);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.sd1 WHERE deleted_at IS NULL");
	mc_query *q = mc_query_new(&sd1_t);
	mc_query_order(q, 0, false);
	expect_rows(c, &sd1_t, q, "SELECT id FROM mc_qt.sd1 WHERE id % 4 <> 0 ORDER BY id");
	mc_query_include_deleted(q, true);
	expect_rows(c, &sd1_t, q, "SELECT id FROM mc_qt.sd1 ORDER BY id");
	assert_int_equal(count_of(c, &sd1_t, q), 20);
	mc_query_include_deleted(q, false);
	value_int(q, 10);
	mc_query_cond(q, 0, MC_OP_LE);
	assert_int_equal(count_of(c, &sd1_t, q), 8);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.sd1 WHERE id <= $1::integer AND deleted_at IS NULL");
	mc_query_free(q);

	/* flag and timestamp: live when neither is set: 20 - 6 - 4 + 1 = 11 */
	assert_int_equal(count_of(c, &sd2_t, NULL), 11);
	assert_str(cp.sql, "SELECT count(*) FROM mc_qt.sd2 WHERE deleted_at IS NULL AND NOT is_deleted");
	/* the flag alone: 14 */
	assert_int_equal(count_of(c, &sd2_flag_t, NULL), 14);
	q = mc_query_new(&sd2_t);
	mc_query_order(q, 0, false);
	expect_rows(c, &sd2_t, q, "SELECT id FROM mc_qt.sd2 WHERE id % 3 <> 0 AND id % 5 <> 0 ORDER BY id");
	mc_query_free(q);

	/* update and delete touch live rows only, unless told otherwise */
	mc_params set;
	mc_params_init(&set);
	mc_param_text(&set, "renamed", 7);
	static const int name_col[] = { 1 };
	int64_t n = -1;
	assert_int_equal(mc_query_update(c, &sd2_t, NULL, name_col, 1, &set, NULL, &n), MC_OK);
	assert_int_equal(n, 11);
	mc_params_free(&set);
	assert_int_equal(sql_int(c, "SELECT count(*) FROM mc_qt.sd2 WHERE name = 'renamed'", NULL), 11);

	/* restore: an update that must see the deleted rows */
	q = mc_query_new(&sd2_t);
	mc_query_include_deleted(q, true);
	value_int(q, 15);
	mc_query_cond(q, 0, MC_OP_EQ);
	assert_int_equal(mc_query_update(c, &sd2_t, q, NULL, 0, NULL, "is_deleted = false, deleted_at = NULL", &n),
			 MC_OK);
	assert_int_equal(n, 1);
	assert_str(cp.sql, "UPDATE mc_qt.sd2 SET is_deleted = false, deleted_at = NULL WHERE id = $1::integer");
	mc_query_free(q);
	assert_int_equal(count_of(c, &sd2_t, NULL), 12);

	/* streams skip them too */
	stream_ctx s = { .single = true };
	assert_int_equal(mc_query_stream(c, &sd2_t, NULL, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, 12);
	s = (stream_ctx){ .single = true };
	assert_int_equal(mc_query_stream(c, &sd1_t, NULL, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, 15);
	assert_str(cp.sql, "SELECT id, name, deleted_at FROM mc_qt.sd1 WHERE deleted_at IS NULL");

	q = mc_query_new(&sd2_t);
	value_int(q, 12);
	mc_query_cond(q, 0, MC_OP_GE);
	assert_int_equal(mc_query_delete(c, &sd2_t, q, &n), MC_OK);
	/* live ids >= 12: 13, 14, 15 (restored), 16, 17, 19 */
	assert_int_equal(n, 6);
	mc_query_include_deleted(q, true);
	assert_int_equal(count_of(c, &sd2_t, q), 9 - 6);
	assert_int_equal(mc_query_delete(c, &sd2_t, q, &n), MC_OK);
	assert_int_equal(n, 3);
	mc_query_free(q);

	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- streaming -------------------------------------------------------------------------------- */

static void test_stream(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	mc_query *q = mc_query_new(&big_t);
	mc_query_order(q, G_ID, false);
	stream_ctx s = { .next_id = 1, .single = true };
	uint64_t before = mc_conn_statements(c);
	s.heap0 = s.heap_max = heap_in_use();
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	mc_status st = mc_query_stream(c, &big_t, q, count_rows, &s);
	if (st != MC_OK)
		fail_msg("stream: %s: %s", mc_status_name(st), mc_last_error(c)->message);
	double cpu = (double)clock() / CLOCKS_PER_SEC - t0;
	assert_int_equal(s.rows, BIG_ROWS);
	/* 200,000 rows kept would take tens of megabytes; one at a time, the
	 * heap does not move */
	size_t grew = s.heap_max > s.heap0 ? s.heap_max - s.heap0 : 0;
	if (grew > 4u << 20)
		fail_msg("heap grew by %zu bytes while streaming", grew);
	/* and nothing is left over afterwards */
	size_t after = heap_in_use();
	if (after > s.heap0 + (256u << 10))
		fail_msg("heap after the stream: %zu bytes more than before", after - s.heap0);
	assert_true(s.single);
	assert_int_equal(mc_conn_statements(c), before + 1);
	assert_int_equal(cp.rows, BIG_ROWS);
	assert_int_equal(cp.status, MC_OK);
	assert_str(cp.sql, "SELECT id, v FROM mc_qt.big ORDER BY id");
	print_message("streamed %d rows in %.2f s of CPU, heap +%zu bytes at most\n", BIG_ROWS, cpu, grew);

	/* with filters and an offset */
	value_int(q, 500);
	mc_query_cond(q, G_V, MC_OP_EQ);
	mc_query_offset(q, 10);
	s = (stream_ctx){ .single = true };
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, BIG_ROWS / 1000 - 10);
	mc_query_free(q);

	/* nothing to stream is fine */
	q = mc_query_new(&big_t);
	value_int(q, -1);
	mc_query_cond(q, G_ID, MC_OP_EQ);
	s = (stream_ctx){ .single = true };
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, 0);
	mc_query_free(q);
	mc_conn_set_hook(c, NULL, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_stream_stop(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	/* should the cancel not work, fail instead of reading forever */
	run(c, "SET statement_timeout = '30s'");

	/* outside a transaction: the statement is cancelled */
	stream_ctx s = { .next_id = 1, .stop_at = 1000, .single = true };
	double t0 = now_s();
	assert_int_equal(mc_query_stream(c, &endless_t, NULL, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, 1000);
	assert_true(now_s() - t0 < 10);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_IDLE);
	assert_int_equal(mc_conn_ping(c), MC_OK);
	assert_int_equal(count_of(c, &big_t, NULL), BIG_ROWS);

	/* stops at the first row, and at the last (the cancel then finds
	 * nothing to cancel and must not hit the next statement) */
	for (int round = 0; round < 3; round++) {
		s = (stream_ctx){ .next_id = 1, .stop_at = 1, .single = true };
		assert_int_equal(mc_query_stream(c, &big_t, NULL, count_rows, &s), MC_OK);
		assert_int_equal(s.rows, 1);
		mc_query *q = mc_query_new(&big_t);
		mc_query_order(q, G_ID, false);
		value_int(q, 3);
		mc_query_cond(q, G_ID, MC_OP_LE);
		s = (stream_ctx){ .next_id = 1, .stop_at = 3, .single = true };
		assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_OK);
		assert_int_equal(s.rows, 3);
		mc_query_free(q);
		for (int i = 0; i < 5; i++)
			assert_int_equal(count_of(c, &big_t, NULL), BIG_ROWS);
	}

	/* inside a transaction: a cancel would abort it, so the rest is read
	 * and dropped; the transaction goes on */
	assert_int_equal(mc_begin(c), MC_OK);
	run(c, "INSERT INTO mc_qt.log VALUES ('in tx')");
	mc_query *q = mc_query_new(&big_t);
	mc_query_order(q, G_ID, false);
	s = (stream_ctx){ .next_id = 1, .stop_at = 10, .single = true };
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, 10);
	assert_int_equal(PQtransactionStatus(mc_conn_pg(c)), PQTRANS_INTRANS);
	assert_int_equal(sql_int(c, "SELECT count(*) FROM mc_qt.log WHERE msg = 'in tx'", NULL), 1);
	/* in a savepoint too */
	assert_int_equal(mc_begin(c), MC_OK);
	s = (stream_ctx){ .next_id = 1, .stop_at = 5, .single = true };
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_OK);
	assert_int_equal(mc_commit(c), MC_OK);
	assert_int_equal(mc_commit(c), MC_OK);
	assert_int_equal(sql_int(c, "SELECT count(*) FROM mc_qt.log WHERE msg = 'in tx'", NULL), 1);
	mc_query_free(q);
}

static void test_stream_errors(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);

	/* before the first row: a value the cast refuses */
	mc_query *q = mc_query_new(&big_t);
	value_text(q, "not a number");
	mc_query_cond(q, G_ID, MC_OP_EQ);
	stream_ctx s = { .single = true };
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "22P02");
	assert_int_equal(s.rows, 0);
	assert_int_equal(cp.status, MC_ERROR);
	assert_int_equal(cp.rows, -1);
	mc_query_free(q);
	assert_int_equal(mc_conn_ping(c), MC_OK);

	/* in the middle: rows 1..99 arrive, then the error */
	s = (stream_ctx){ .next_id = 1, .single = true };
	assert_int_equal(mc_query_stream(c, &divs_t, NULL, count_rows, &s), MC_ERROR);
	assert_string_equal(mc_last_error(c)->sqlstate, "22012");
	assert_int_equal(s.rows, 99);
	assert_int_equal(mc_conn_ping(c), MC_OK);
	assert_string_equal(mc_last_error(c)->message, "");

	/* misuse */
	assert_int_equal(mc_query_stream(c, &big_t, NULL, NULL, NULL), MC_INVALID);
	assert_int_equal(mc_query_stream(NULL, &big_t, NULL, count_rows, &s), MC_INVALID);
	q = mc_query_new(&big_t);
	mc_query_cond(q, G_ID, MC_OP_EQ);
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_INVALID);
	mc_query_free(q);

	/* a NUL inside a value is refused as mc_exec refuses it */
	q = mc_query_new(&big_t);
	mc_param_text(mc_query_value(q), "1\0002", 3);
	mc_query_cond(q, G_ID, MC_OP_EQ);
	assert_int_equal(mc_query_stream(c, &big_t, q, count_rows, &s), MC_DATA);
	assert_int_equal(count_of(c, &big_t, NULL), BIG_ROWS);
	int64_t n;
	assert_int_equal(mc_query_count(c, &big_t, q, &n), MC_DATA);
	mc_query_free(q);

	/* a lost connection */
	mc_conn *victim = open_conn();
	mc_params p;
	mc_params_init(&p);
	mc_param_int32(&p, PQbackendPID(mc_conn_pg(victim)));
	PQclear(sql(c, "SELECT pg_terminate_backend($1::int)", &p));
	mc_params_free(&p);
	double until = now_s() + 10;
	mc_status st;
	s = (stream_ctx){ .single = true };
	/* the backend ends asynchronously: wait until the victim notices */
	while ((st = mc_query_stream(victim, &big_t, NULL, count_rows, &s)) == MC_OK && now_s() < until)
		s = (stream_ctx){ .single = true };
	assert_int_equal(st, MC_CONNECTION_LOST);
	assert_int_equal(mc_query_stream(victim, &big_t, NULL, count_rows, &s), MC_CONNECTION_LOST);
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- hostile values and reserved words ---------------------------------------------------------- */

static const char *const hostile[] = {
	"O'Reilly",
	"'; drop table mc_qt.hostile; --",
	"\"; drop table mc_qt.hostile; --",
	"back\\slash",
	"\\'",
	"two\\\\ back",
	"{brace},comma",
	"100% _under_",
	"NULL",
	"",
	"$1::text",
	"ünï€ødé",
	"line\nbreak\ttab",
};
#define NHOSTILE (int)(sizeof hostile / sizeof hostile[0])

static void test_hostile_values(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	run(c, "TRUNCATE mc_qt.hostile");
	for (int i = 0; i < NHOSTILE; i++) {
		mc_params p;
		mc_params_init(&p);
		mc_param_int32(&p, i);
		mc_param_text(&p, hostile[i], strlen(hostile[i]));
		PQclear(sql(c, "INSERT INTO mc_qt.hostile VALUES ($1::int, $2::text)", &p));
		mc_params_free(&p);
	}

	/* each one finds exactly its row */
	for (int i = 0; i < NHOSTILE; i++) {
		mc_query *q = mc_query_new(&hostile_t);
		value_text(q, hostile[i]);
		mc_query_cond(q, H_S, MC_OP_EQ);
		void *res;
		assert_int_equal(mc_query_select(c, &hostile_t, q, &res), MC_OK);
		assert_int_equal(PQntuples(res), 1);
		assert_int_equal(atoi(PQgetvalue(res, 0, H_ID)), i);
		assert_string_equal(PQgetvalue(res, 0, H_S), hostile[i]);
		PQclear(res);
		mc_query_free(q);
	}

	/* all of them in one IN list */
	mc_params elems;
	mc_params_init(&elems);
	for (int i = 0; i < NHOSTILE; i++)
		mc_param_text(&elems, hostile[i], strlen(hostile[i]));
	mc_query *q = mc_query_new(&hostile_t);
	mc_param_array_of(mc_query_value(q), &elems);
	mc_query_cond(q, H_S, MC_OP_IN);
	assert_int_equal(count_of(c, &hostile_t, q), NHOSTILE);
	mc_query_free(q);
	mc_params_free(&elems);

	/* LIKE patterns are values too: only % and _ (and \ escapes) mean
	 * anything to the server */
	static const struct { const char *pattern; int id; } likes[] = {
		{ "back\\\\slash", 3 },     /* the pattern back\\slash matches back\slash */
		{ "100\\% \\_under\\_", 7 },
		{ "%\\{brace}%", 6 },
		{ "O'%", 0 },
		{ "''; drop%", -1 },
	};
	for (size_t i = 0; i < sizeof likes / sizeof likes[0]; i++) {
		q = mc_query_new(&hostile_t);
		value_text(q, likes[i].pattern);
		mc_query_cond(q, H_S, MC_OP_LIKE);
		void *res;
		assert_int_equal(mc_query_select(c, &hostile_t, q, &res), MC_OK);
		if (likes[i].id < 0) {
			assert_int_equal(PQntuples(res), 0);
		} else {
			assert_int_equal(PQntuples(res), 1);
			assert_int_equal(atoi(PQgetvalue(res, 0, H_ID)), likes[i].id);
		}
		PQclear(res);
		mc_query_free(q);
	}

	/* as set values and as keyset values */
	mc_params set;
	mc_params_init(&set);
	mc_param_text(&set, hostile[1], strlen(hostile[1]));
	static const int scol[] = { H_S };
	q = mc_query_new(&hostile_t);
	value_text(q, hostile[2]);
	mc_query_cond(q, H_S, MC_OP_EQ);
	int64_t n;
	assert_int_equal(mc_query_update(c, &hostile_t, q, scol, 1, &set, NULL, &n), MC_OK);
	assert_int_equal(n, 1);
	mc_query_free(q);
	mc_params_free(&set);

	q = mc_query_new(&hostile_t);
	mc_query_order(q, H_S, false);
	mc_query_order(q, H_ID, false);
	value_text(q, hostile[1]);
	value_int(q, 0);
	mc_query_after(q);
	assert_int_equal(count_of(c, &hostile_t, q),
			 sql_int(c, "SELECT count(*) FROM mc_qt.hostile WHERE (s, id) > ("
				    "'''; drop table mc_qt.hostile; --', 0)", NULL));
	mc_query_free(q);
	assert_int_equal(sql_int(c, "SELECT count(*) FROM mc_qt.hostile", NULL), NHOSTILE);
}

static void test_reserved_words(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	capture cp = { .calls = 0 };
	mc_conn_set_hook(c, capture_hook, &cp);
	run(c, "TRUNCATE mc_qt.\"order\";"
	       "INSERT INTO mc_qt.\"order\" SELECT i, 'user' || (i % 4), i % 6,"
	       " CASE WHEN i % 9 = 0 THEN now() END FROM generate_series(1, 60) i");

	mc_query *q = mc_query_new(&order_t);
	value_text(q, "user1");
	mc_query_cond(q, O_USER, MC_OP_EQ);
	mc_query_order(q, O_SELECT, true);
	mc_query_order(q, O_ID, false);
	expect_rows(c, &order_t, q,
		    "SELECT id FROM mc_qt.\"order\" WHERE \"user\" = 'user1' AND \"end\" IS NULL"
		    " ORDER BY \"select\" DESC, id");
	assert_str(cp.sql, "SELECT id, \"user\", \"select\", \"end\" FROM mc_qt.\"order\" WHERE \"user\" = $1::text"
			   " AND \"end\" IS NULL ORDER BY \"select\" DESC, id");

	/* keyset with mixed directions over the quoted names */
	value_int(q, 3);
	value_int(q, 10);
	mc_query_after(q);
	expect_rows(c, &order_t, q,
		    "SELECT id FROM mc_qt.\"order\" WHERE \"user\" = 'user1' AND \"end\" IS NULL"
		    " AND (\"select\" < 3 OR (\"select\" = 3 AND id > 10)) ORDER BY \"select\" DESC, id");
	assert_int_equal(count_of(c, &order_t, q),
			 sql_int(c, "SELECT count(*) FROM mc_qt.\"order\" WHERE \"user\" = 'user1' AND \"end\" IS NULL"
				    " AND (\"select\" < 3 OR (\"select\" = 3 AND id > 10))", NULL));
	stream_ctx s = { .single = true };
	assert_int_equal(mc_query_stream(c, &order_t, q, count_rows, &s), MC_OK);
	assert_int_equal(s.rows, count_of(c, &order_t, q));
	mc_query_free(q);

	mc_params set;
	mc_params_init(&set);
	mc_param_text(&set, "user9", 5);
	mc_param_int32(&set, 99);
	static const int cols[] = { O_USER, O_SELECT };
	q = mc_query_new(&order_t);
	value_text(q, "{0,1}");
	mc_query_cond(q, O_SELECT, MC_OP_IN);
	int64_t n;
	assert_int_equal(mc_query_update(c, &order_t, q, cols, 2, &set, NULL, &n), MC_OK);
	assert_int_equal(n, sql_int(c, "SELECT count(*) FROM mc_qt.\"order\" WHERE \"user\" = 'user9'"
				       " AND \"end\" IS NULL", NULL));
	assert_true(n > 0);
	mc_params_free(&set);
	mc_query_free(q);

	q = mc_query_new(&order_t);
	value_text(q, "user9");
	mc_query_cond(q, O_USER, MC_OP_EQ);
	int64_t want = n;
	assert_int_equal(mc_query_delete(c, &order_t, q, &n), MC_OK);
	assert_int_equal(n, want);
	assert_str(cp.sql, "DELETE FROM mc_qt.\"order\" WHERE \"user\" = $1::text AND \"end\" IS NULL");
	mc_query_free(q);
	mc_conn_set_hook(c, NULL, NULL);
}

/* ---- array parameters from elements, element decoders ----------------------------------------------- */

static void test_array_of(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	static const char *const texts[] = {
		"plain", NULL, "\"quoted\"", "back\\slash", "{braces}", "a,b", "", "NULL", "null",
		" spaced ", "\\\"", "ünï€ødé", "}{,\"\\", "tab\there",
	};
	const size_t nt = sizeof texts / sizeof texts[0];

	mc_params elems, p;
	mc_params_init(&elems);
	for (size_t i = 0; i < nt; i++) {
		if (texts[i])
			mc_param_text(&elems, texts[i], strlen(texts[i]));
		else
			mc_param_null(&elems);
	}
	mc_params_init(&p);
	mc_param_array_of(&p, &elems);
	assert_int_equal(p.n, 1);
	assert_false(p.failed);
	mc_params_free(&elems);

	PGresult *r = sql(c, "SELECT $1::text[], cardinality($1::text[]), array_position($1::text[], NULL)", &p);
	assert_int_equal(atoi(PQgetvalue(r, 0, 1)), (int)nt);
	assert_int_equal(atoi(PQgetvalue(r, 0, 2)), 2);
	mc_result *res = mc_result_new();
	mc_str *items;
	bool *nulls;
	size_t n;
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 0), sizeof(mc_str), mc_elem_str, (void **)&items,
					 &nulls, &n), MC_OK);
	assert_int_equal(n, nt);
	for (size_t i = 0; i < nt; i++) {
		assert_int_equal(nulls[i], texts[i] == NULL);
		if (texts[i]) {
			assert_int_equal(items[i].len, strlen(texts[i]));
			assert_memory_equal(items[i].ptr, texts[i], items[i].len);
		}
	}
	PQclear(r);
	mc_result_free(res);
	mc_params_free(&p);

	/* other element types: the quoting is the same for all */
	mc_params_init(&elems);
	mc_param_int32(&elems, -2147483647 - 1);
	mc_param_null(&elems);
	mc_param_int32(&elems, 42);
	mc_params_init(&p);
	mc_param_array_of(&p, &elems);
	mc_params_free(&elems);
	mc_params_init(&elems);
	mc_param_bytes(&elems, (mc_bytes){ (const uint8_t *)"\0\\\"\xff", 4 });
	mc_param_bytes(&elems, (mc_bytes){ NULL, 0 });
	mc_param_array_of(&p, &elems);
	mc_params_free(&elems);
	mc_params_init(&elems);
	mc_param_array_of(&p, &elems);          /* empty */
	mc_param_double(&elems, 0.1);
	mc_param_double(&elems, -INFINITY);
	mc_param_array_of(&p, &elems);
	mc_params_free(&elems);
	mc_params_init(&elems);
	mc_param_date(&elems, (mc_date){ 1 });
	mc_param_interval(&elems, (mc_interval){ 1500000, 3, 14 });
	mc_param_array_of(&p, &elems);
	mc_params_free(&elems);
	assert_int_equal(p.n, 5);

	r = sql(c, "SELECT $1::int[], $2::bytea[], cardinality($3::int[]), $4::float8[], $5::text[]", &p);
	res = mc_result_new();
	int32_t *ints;
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 0), sizeof(int32_t), mc_elem_int32, (void **)&ints,
					 &nulls, &n), MC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ints[0], INT32_MIN);
	assert_true(nulls[1]);
	assert_int_equal(ints[2], 42);
	mc_bytes *bs;
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 1), sizeof(mc_bytes), mc_elem_bytes, (void **)&bs,
					 NULL, &n), MC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bs[0].len, 4);
	assert_memory_equal(bs[0].ptr, "\0\\\"\xff", 4);
	assert_int_equal(bs[1].len, 0);
	assert_string_equal(PQgetvalue(r, 0, 2), "0");
	double *ds;
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 3), sizeof(double), mc_elem_double, (void **)&ds,
					 NULL, &n), MC_OK);
	assert_int_equal(n, 2);
	assert_true(ds[0] == 0.1);
	assert_true(isinf(ds[1]) && ds[1] < 0);
	/* dates and intervals as text, read back through their decoders */
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 4), sizeof(mc_str), mc_elem_str, (void **)&items,
					 NULL, &n), MC_OK);
	assert_int_equal(n, 2);
	mc_date d;
	mc_interval iv;
	assert_int_equal(mc_decode_date(items[0].ptr, &d), MC_OK);
	assert_int_equal(d.days, 1);
	assert_int_equal(mc_decode_interval(items[1].ptr, &iv), MC_OK);
	assert_int_equal(iv.months, 14);
	assert_int_equal(iv.days, 3);
	assert_int_equal(iv.usec, 1500000);
	PQclear(r);
	mc_result_free(res);
	mc_params_free(&p);

	/* failures: a failed element list fails the array; so does adding
	 * an array of p to p itself */
	mc_params_init(&elems);
	mc_params_init(&p);
	elems.failed = true;
	mc_param_array_of(&p, &elems);
	assert_true(p.failed);
	mc_stmt st = { NULL, "SELECT $1::int[]", 1, 0 };
	assert_int_equal(mc_exec(c, &st, &p, NULL), MC_NOMEM);
	mc_params_free(&p);
	mc_param_int32(&p, 1);
	mc_param_array_of(&p, &p);
	assert_true(p.failed);
	mc_params_free(&p);
	mc_params_free(&elems);
}

static void test_elem_decoders(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	PGresult *r = sql(c,
		"SELECT ARRAY[true, false, NULL]::bool[],"
		" ARRAY[-32768, 0, 32767]::int2[],"
		" ARRAY[-2147483648, 2147483647]::int4[],"
		" ARRAY[-9223372036854775808, 9223372036854775807]::int8[],"
		" ARRAY[1.5, 'NaN', '-Infinity']::float4[],"
		" ARRAY[0.1, 'Infinity', -2.5e-300]::float8[],"
		" ARRAY['a\"b', 'c\\d', 'x,y', '{z}', '', 'NULL', NULL, ' sp ']::text[],"
		" ARRAY['\\x00ff'::bytea, '\\x'::bytea, '\\x5c22'::bytea],"
		" ARRAY['00112233-4455-6677-8899-aabbccddeeff'::uuid, NULL],"
		" ARRAY['2000-01-02'::date, '1999-12-31', 'infinity', '-infinity'],"
		" ARRAY['00:00:01.5'::time, '23:59:59.999999'],"
		" ARRAY['01:00:00+02'::timetz, '00:00:00-03:30'],"
		" ARRAY['2000-01-01 00:00:01'::timestamp, 'infinity', '1999-12-31 23:59:59.999999'],"
		" ARRAY['2000-01-01 01:00:00+01'::timestamptz, '-infinity'],"
		" ARRAY['1 year 2 mons 3 days 04:00:00'::interval, '-1 day -00:00:00.5']", NULL);
	mc_result *res = mc_result_new();
	void *items;
	bool *nulls;
	size_t n;
#define DECODE(col, type, fn, want_n)                                                                  \
	do {                                                                                            \
		mc_status st_ = mc_decode_array(res, PQgetvalue(r, 0, col), sizeof(type), fn, &items,  \
						&nulls, &n);                                            \
		if (st_ != MC_OK)                                                                       \
			fail_msg("column %d (%s): %s", col, PQgetvalue(r, 0, col), mc_status_name(st_)); \
		assert_int_equal(n, want_n);                                                            \
	} while (0)

	DECODE(0, bool, mc_elem_bool, 3);
	bool *b = items;
	assert_true(b[0] && !b[1] && nulls[2] && !nulls[0]);

	DECODE(1, int16_t, mc_elem_int16, 3);
	int16_t *i16 = items;
	assert_int_equal(i16[0], INT16_MIN);
	assert_int_equal(i16[1], 0);
	assert_int_equal(i16[2], INT16_MAX);

	DECODE(2, int32_t, mc_elem_int32, 2);
	int32_t *i32 = items;
	assert_int_equal(i32[0], INT32_MIN);
	assert_int_equal(i32[1], INT32_MAX);

	DECODE(3, int64_t, mc_elem_int64, 2);
	int64_t *i64 = items;
	assert_true(i64[0] == INT64_MIN && i64[1] == INT64_MAX);

	DECODE(4, float, mc_elem_float, 3);
	float *f = items;
	assert_true(f[0] == 1.5f && isnan(f[1]) && isinf(f[2]) && f[2] < 0);

	DECODE(5, double, mc_elem_double, 3);
	double *dd = items;
	assert_true(dd[0] == 0.1 && isinf(dd[1]) && dd[1] > 0 && dd[2] == -2.5e-300);

	DECODE(6, mc_str, mc_elem_str, 8);
	mc_str *s = items;
	static const char *const want_s[] = { "a\"b", "c\\d", "x,y", "{z}", "", "NULL", NULL, " sp " };
	for (int i = 0; i < 8; i++) {
		assert_int_equal(nulls[i], want_s[i] == NULL);
		if (want_s[i]) {
			assert_int_equal(s[i].len, strlen(want_s[i]));
			assert_memory_equal(s[i].ptr, want_s[i], s[i].len);
		}
	}

	DECODE(7, mc_bytes, mc_elem_bytes, 3);
	mc_bytes *by = items;
	assert_int_equal(by[0].len, 2);
	assert_memory_equal(by[0].ptr, "\x00\xff", 2);
	assert_int_equal(by[1].len, 0);
	assert_int_equal(by[2].len, 2);
	assert_memory_equal(by[2].ptr, "\\\"", 2);

	DECODE(8, mc_uuid, mc_elem_uuid, 2);
	mc_uuid *u = items;
	static const uint8_t want_u[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	assert_memory_equal(u[0].bytes, want_u, 16);
	assert_true(nulls[1]);

	DECODE(9, mc_date, mc_elem_date, 4);
	mc_date *dt = items;
	assert_int_equal(dt[0].days, 1);
	assert_int_equal(dt[1].days, -1);
	assert_int_equal(dt[2].days, INT32_MAX);
	assert_int_equal(dt[3].days, INT32_MIN);

	DECODE(10, mc_time, mc_elem_time, 2);
	mc_time *tm = items;
	assert_int_equal(tm[0].usec, 1500000);
	assert_int_equal(tm[1].usec, 86399999999LL);

	DECODE(11, mc_timetz, mc_elem_timetz, 2);
	mc_timetz *tz = items;
	assert_int_equal(tz[0].usec, 3600000000LL);
	assert_int_equal(tz[0].zone_sec, -7200);       /* seconds west of UTC */
	assert_int_equal(tz[1].usec, 0);
	assert_int_equal(tz[1].zone_sec, 12600);

	DECODE(12, mc_timestamp, mc_elem_timestamp, 3);
	mc_timestamp *ts = items;
	assert_int_equal(ts[0].usec, 1000000);
	assert_true(ts[1].usec == INT64_MAX);
	assert_int_equal(ts[2].usec, -1);

	DECODE(13, mc_timestamptz, mc_elem_timestamptz, 2);
	mc_timestamptz *tstz = items;
	assert_int_equal(tstz[0].usec, 0);
	assert_true(tstz[1].usec == INT64_MIN);

	DECODE(14, mc_interval, mc_elem_interval, 2);
	mc_interval *iv = items;
	assert_int_equal(iv[0].months, 14);
	assert_int_equal(iv[0].days, 3);
	assert_int_equal(iv[0].usec, 4LL * 3600 * 1000000);
	assert_int_equal(iv[1].months, 0);
	assert_int_equal(iv[1].days, -1);
	assert_int_equal(iv[1].usec, -500000);
#undef DECODE

	/* errors pass through: text is no int, a NULL needs somewhere to go */
	assert_int_equal(mc_decode_array(res, "{1,x}", sizeof(int32_t), mc_elem_int32, &items, &nulls, &n), MC_DATA);
	assert_int_equal(mc_decode_array(res, "{1,NULL}", sizeof(int32_t), mc_elem_int32, &items, NULL, &n), MC_DATA);
	assert_int_equal(mc_decode_array(res, "{70000}", sizeof(int16_t), mc_elem_int16, &items, &nulls, &n), MC_DATA);
	assert_int_equal(mc_decode_array(res, "{\"\\\\xf\"}", sizeof(mc_bytes), mc_elem_bytes, &items, &nulls, &n),
			 MC_DATA);
	assert_int_equal(mc_decode_array(res, "{maybe}", sizeof(bool), mc_elem_bool, &items, &nulls, &n), MC_DATA);
	/* called directly, a NUL before len is refused */
	int32_t one;
	assert_int_equal(mc_elem_int32(res, "1\0002", 3, &one), MC_DATA);
	assert_int_equal(mc_elem_int32(res, "12", 2, &one), MC_OK);
	assert_int_equal(one, 12);
	PQclear(r);
	mc_result_free(res);
}

/* ---- misuse ------------------------------------------------------------------------------------------- */

static void expect_misuse(mc_conn *c, mc_query *q, mc_status want, const char *fragment)
{
	int64_t n = 7;
	void *res = (void *)1;
	uint64_t before = mc_conn_statements(c);

	assert_int_equal(mc_query_count(c, &items_t, q, &n), want);
	assert_int_equal(n, 0);
	if (!strstr(mc_last_error(c)->message, fragment))
		fail_msg("message '%s' does not mention '%s'", mc_last_error(c)->message, fragment);
	assert_int_equal(mc_last_error(c)->status, want);
	assert_int_equal(mc_query_select(c, &items_t, q, &res), want);
	assert_null(res);
	assert_int_equal(mc_query_delete(c, &items_t, q, &n), want);
	/* nothing reached the server */
	assert_int_equal(mc_conn_statements(c), before);
	mc_query_free(q);
}

static void test_misuse(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	mc_query *q;

	q = mc_query_new(&items_t);
	mc_query_cond(q, I_A, MC_OP_EQ);                        /* no value */
	expect_misuse(c, q, MC_INVALID, "takes one value, 0 given");

	q = mc_query_new(&items_t);
	value_int(q, 1);
	value_int(q, 2);
	mc_query_cond(q, I_A, MC_OP_EQ);                        /* two values */
	expect_misuse(c, q, MC_INVALID, "takes one value, 2 given");

	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_cond(q, I_C, MC_OP_IS_NULL);                   /* a value for IS NULL */
	expect_misuse(c, q, MC_INVALID, "takes no value");

	q = mc_query_new(&items_t);
	value_int(q, 1);                                        /* a value and no condition */
	expect_misuse(c, q, MC_INVALID, "without a condition");

	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_cond(q, 5, MC_OP_EQ);                          /* no such column */
	expect_misuse(c, q, MC_INVALID, "out of range");

	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_cond(q, I_A, (mc_op)99);
	expect_misuse(c, q, MC_INVALID, "unknown operator");

	q = mc_query_new(&items_t);
	mc_query_or_begin(q);                                   /* never closed */
	mc_query_cond(q, I_C, MC_OP_IS_NULL);
	expect_misuse(c, q, MC_INVALID, "left open");

	q = mc_query_new(&items_t);
	mc_query_end(q);                                        /* nothing to close */
	expect_misuse(c, q, MC_INVALID, "without an open group");

	q = mc_query_new(&items_t);
	mc_query_order(q, -1, false);
	expect_misuse(c, q, MC_INVALID, "out of range");

	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_after(q);                                      /* no order */
	expect_misuse(c, q, MC_INVALID, "order columns first");

	q = mc_query_new(&items_t);
	mc_query_order(q, I_A, false);
	mc_query_order(q, I_ID, false);
	value_int(q, 1);
	mc_query_after(q);                                      /* one value for two columns */
	expect_misuse(c, q, MC_INVALID, "one value per order column");

	q = mc_query_new(&items_t);
	mc_query_order(q, I_A, false);
	value_int(q, 1);
	mc_query_after(q);
	value_int(q, 1);
	mc_query_after(q);
	expect_misuse(c, q, MC_INVALID, "twice");

	q = mc_query_new(&items_t);
	mc_query_order(q, I_A, false);
	value_int(q, 1);
	mc_query_after(q);
	mc_query_order(q, I_ID, false);                         /* after mc_query_after */
	expect_misuse(c, q, MC_INVALID, "after mc_query_after");

	q = mc_query_new(&items_t);
	mc_query_limit(q, -1);
	expect_misuse(c, q, MC_INVALID, "negative limit");

	q = mc_query_new(&items_t);
	mc_query_offset(q, -5);
	expect_misuse(c, q, MC_INVALID, "negative offset");

	/* only the first misuse is told */
	q = mc_query_new(&items_t);
	mc_query_end(q);
	mc_query_limit(q, -1);
	expect_misuse(c, q, MC_INVALID, "without an open group");

	/* out of memory while adding values */
	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_value(q)->failed = true;
	mc_query_cond(q, I_A, MC_OP_EQ);
	expect_misuse(c, q, MC_NOMEM, "out of memory");
	q = mc_query_new(&items_t);
	value_int(q, 1);
	mc_query_cond(q, I_A, MC_OP_EQ);
	mc_query_value(q)->failed = true;
	expect_misuse(c, q, MC_NOMEM, "out of memory");

	/* a query for one table run on another */
	q = mc_query_new(&big_t);
	expect_misuse(c, q, MC_INVALID, "built for table mc_qt.big");

	/* a half-made descriptor */
	mc_table_desc broken = items_t;
	broken.soft_delete_at = 9;
	int64_t n;
	assert_int_equal(mc_query_count(c, &broken, NULL, &n), MC_INVALID);
	assert_int_equal(mc_query_count(c, NULL, NULL, &n), MC_INVALID);
	assert_int_equal(mc_query_count(c, &items_t, NULL, NULL), MC_INVALID);
	assert_int_equal(mc_query_select(c, &items_t, NULL, NULL), MC_INVALID);
	assert_int_equal(mc_query_count(NULL, &items_t, NULL, &n), MC_INVALID);

	/* update arguments */
	mc_params set;
	mc_params_init(&set);
	static const int cols[] = { I_A, I_B };
	assert_int_equal(mc_query_update(c, &items_t, NULL, NULL, 0, NULL, NULL, &n), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "nothing to set"));
	assert_int_equal(mc_query_update(c, &items_t, NULL, NULL, 0, NULL, "", &n), MC_INVALID);
	mc_param_int32(&set, 1);
	assert_int_equal(mc_query_update(c, &items_t, NULL, cols, 2, &set, NULL, &n), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "2 columns but 1 values"));
	assert_int_equal(mc_query_update(c, &items_t, NULL, cols, -1, &set, NULL, &n), MC_INVALID);
	assert_int_equal(mc_query_update(c, &items_t, NULL, NULL, 1, &set, NULL, &n), MC_INVALID);
	static const int bad_col[] = { 17 };
	assert_int_equal(mc_query_update(c, &items_t, NULL, bad_col, 1, &set, NULL, &n), MC_INVALID);
	set.failed = true;
	assert_int_equal(mc_query_update(c, &items_t, NULL, cols, 1, &set, NULL, &n), MC_NOMEM);
	mc_params_free(&set);
	q = mc_query_new(&items_t);
	mc_query_offset(q, 1);
	assert_int_equal(mc_query_update(c, &items_t, q, NULL, 0, NULL, "a = 1", &n), MC_INVALID);
	assert_non_null(strstr(mc_last_error(c)->message, "limit/offset do not apply to update"));
	mc_query_free(q);

	/* NULL queries and tables are harmless */
	mc_query_free(NULL);
	assert_null(mc_query_new(NULL));
	assert_null(mc_query_value(NULL));
	mc_query_cond(NULL, 0, MC_OP_EQ);
	mc_query_or_begin(NULL);
	mc_query_and_begin(NULL);
	mc_query_end(NULL);
	mc_query_order(NULL, 0, false);
	mc_query_limit(NULL, 1);
	mc_query_offset(NULL, 1);
	mc_query_after(NULL);
	mc_query_include_deleted(NULL, true);

	/* and the connection is fine after all this */
	assert_int_equal(count_of(c, &items_t, NULL), 300);
	assert_string_equal(mc_last_error(c)->message, "");
}

/* Many queries, many values each: no leak, no growth (LSan checks). */
static void test_many_queries(void **state)
{
	(void)state;
	mc_conn *c = open_conn();
	reset_items(c);
	for (int i = 0; i < 200; i++) {
		mc_query *q = mc_query_new(&items_t);
		mc_query_or_begin(q);
		for (int k = 0; k < 40; k++) {
			value_int(q, (i + k) % 300);
			mc_query_cond(q, I_ID, MC_OP_EQ);
		}
		mc_query_end(q);
		mc_query_order(q, I_A, i % 2);
		mc_query_order(q, I_ID, false);
		value_int(q, 3);
		value_int(q, 0);
		mc_query_after(q);
		mc_query_limit(q, 5);
		void *res;
		assert_int_equal(mc_query_select(c, &items_t, q, &res), MC_OK);
		assert_true(PQntuples(res) <= 5);
		PQclear(res);
		mc_query_free(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_operators, close_tracked),
		cmocka_unit_test_teardown(test_in_many, close_tracked),
		cmocka_unit_test_teardown(test_groups, close_tracked),
		cmocka_unit_test_teardown(test_order_limit_offset, close_tracked),
		cmocka_unit_test_teardown(test_keyset, close_tracked),
		cmocka_unit_test_teardown(test_count, close_tracked),
		cmocka_unit_test_teardown(test_update_delete, close_tracked),
		cmocka_unit_test_teardown(test_soft_delete, close_tracked),
		cmocka_unit_test_teardown(test_stream, close_tracked),
		cmocka_unit_test_teardown(test_stream_stop, close_tracked),
		cmocka_unit_test_teardown(test_stream_errors, close_tracked),
		cmocka_unit_test_teardown(test_hostile_values, close_tracked),
		cmocka_unit_test_teardown(test_reserved_words, close_tracked),
		cmocka_unit_test_teardown(test_array_of, close_tracked),
		cmocka_unit_test_teardown(test_elem_decoders, close_tracked),
		cmocka_unit_test_teardown(test_misuse, close_tracked),
		cmocka_unit_test_teardown(test_many_queries, close_tracked),
	};
	return cmocka_run_group_tests_name("query", tests, schema_setup, schema_teardown);
}

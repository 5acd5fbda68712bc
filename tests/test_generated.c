/* test_generated.c - the code generated for the examples, compiled with
 * -Werror (see the Makefile), linked and exercised. */
#include "testutil.h"

#include <libpq-fe.h>

#include "blog.h"
#include "ledger.h"

/* A fresh database with the blog schema, for the data-access tests. */
static mc_conn *conn;

static int db_setup(void **state)
{
	(void)state;
	PGconn *admin = PQconnectdb("");
	if (PQstatus(admin) != CONNECTION_OK)
		return -1;
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_generated"));
	PGresult *r = PQexec(admin, "CREATE DATABASE modelc_generated");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(admin);
	if (!ok)
		return -1;
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/blog.sql", tu_env("MODELC_BUILD", "build-san"));
	char *sql = tu_read(path, NULL);
	if (!sql)
		return -1;
	PGconn *db = PQconnectdb("dbname=modelc_generated");
	r = PQexec(db, sql);
	ok = PQstatus(db) == CONNECTION_OK && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "blog.sql: %s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	free(sql);
	if (!ok)
		return -1;
	return mc_conn_open(&conn, "dbname=modelc_generated", NULL) == MC_OK ? 0 : -1;
}

static int db_teardown(void **state)
{
	(void)state;
	mc_conn_close(conn);
	PGconn *admin = PQconnectdb("");
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_generated"));
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_ledger"));
	PQfinish(admin);
	return 0;
}

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

static bool str_eq(mc_str a, const char *b) { return a.len == strlen(b) && memcmp(a.ptr, b, a.len) == 0; }

/* Inserts a user with server defaults for everything that has one. */
static blog_user *new_user(const char *email, mc_result **res)
{
	blog_user in;
	memset(&in, 0, sizeof in);
	in.email = S(email);
	in.name = S("Ada");
	in.deleted_at_null = true;
	blog_user *out = NULL;
	mc_status st = blog_users_insert(conn, &in, 0, res, &out);
	if (st != MC_OK)
		fail_msg("insert %s: %s: %s", email, mc_status_name(st), mc_last_error(conn)->message);
	return out;
}

static void test_insert_returns_server_values(void **state)
{
	(void)state;
	mc_result *res;
	blog_user *u = new_user("ada@example.com", &res);
	assert_true(str_eq(u->email, "ada@example.com"));
	assert_int_equal(u->status, BLOG_USER_STATUS_ACTIVE);   /* the model's default */
	assert_false(u->is_deleted);
	assert_true(u->deleted_at_null);
	static const uint8_t zero[16];
	assert_true(memcmp(u->id.bytes, zero, 16) != 0);        /* gen_random_uuid() ran */
	assert_true(u->created_at.usec > 0);                     /* now(), after 2000 */

	/* a set bit overrides the default */
	blog_user in;
	memset(&in, 0, sizeof in);
	in.email = S("bob@example.com");
	in.name = S("Bob");
	in.status = BLOG_USER_STATUS_SUSPENDED;
	in.deleted_at_null = true;
	memcpy(in.id.bytes, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16);
	mc_result *res2;
	blog_user *b;
	assert_int_equal(blog_users_insert(conn, &in, BLOG_USERS_ID | BLOG_USERS_STATUS, &res2, &b), MC_OK);
	assert_memory_equal(b->id.bytes, in.id.bytes, 16);
	assert_int_equal(b->status, BLOG_USER_STATUS_SUSPENDED);
	mc_result_free(res2);
	mc_result_free(res);
}

static void test_get_by_keys(void **state)
{
	(void)state;
	mc_result *res, *r2, *r3;
	blog_user *u = new_user("carol@example.com", &res);
	blog_user *g, *h;
	assert_int_equal(blog_users_get(conn, u->id, 0, &r2, &g), MC_OK);
	assert_true(str_eq(g->email, "carol@example.com"));
	assert_memory_equal(g->id.bytes, u->id.bytes, 16);
	assert_int_equal(blog_users_get_by_email(conn, S("carol@example.com"), 0, &r3, &h), MC_OK);
	assert_memory_equal(h->id.bytes, u->id.bytes, 16);
	mc_result_free(r3);

	/* not found is a status, with nothing to free */
	assert_int_equal(blog_users_get_by_email(conn, S("nobody@example.com"), 0, &r3, &h), MC_NOT_FOUND);
	assert_null(r3);
	assert_null(h);
	mc_result_free(r2);
	mc_result_free(res);
}

static void test_violations_name_their_constraint(void **state)
{
	(void)state;
	mc_result *res, *r2;
	blog_user *u = new_user("dave@example.com", &res);
	blog_user in;
	memset(&in, 0, sizeof in);
	in.email = S("dave@example.com");
	in.name = S("Dave again");
	in.deleted_at_null = true;
	blog_user *dup;
	assert_int_equal(blog_users_insert(conn, &in, 0, &r2, &dup), MC_UNIQUE_VIOLATION);
	assert_null(r2);
	assert_int_equal(mc_last_error(conn)->constraint_id, BLOG_UQ_USERS_EMAIL);
	assert_string_equal(mc_last_error(conn)->sqlstate, "23505");

	blog_account acc;
	memset(&acc, 0, sizeof acc);
	acc.owner_id = u->id;
	acc.balance = S("-1.00");
	blog_account *a;
	mc_status ast = blog_accounts_insert(conn, &acc, BLOG_ACCOUNTS_BALANCE, &r2, &a);
	if (ast != MC_CHECK_VIOLATION)
		fail_msg("accounts: %s: %s", mc_status_name(ast), mc_last_error(conn)->message);
	assert_int_equal(mc_last_error(conn)->constraint_id, BLOG_CK_ACCOUNTS_BALANCE);

	blog_post post;
	memset(&post, 0, sizeof post);
	memset(post.author_id.bytes, 0x42, 16);   /* no such user */
	post.title = S("t");
	post.body = S("b");
	blog_post *p;
	assert_int_equal(blog_posts_insert(conn, &post, 0, &r2, &p), MC_FOREIGN_KEY_VIOLATION);
	assert_int_equal(mc_last_error(conn)->constraint_id, BLOG_FK_POSTS_AUTHOR_ID_USERS);
	assert_string_equal(blog_constraint_name(BLOG_FK_POSTS_AUTHOR_ID_USERS), "fk_posts_author_id_users");
	assert_int_equal(blog_constraint_from_name("uq_users_email"), BLOG_UQ_USERS_EMAIL);
	assert_int_equal(blog_constraint_from_name("nope"), -1);
	mc_result_free(res);
}

static void test_serial_and_composite_keys(void **state)
{
	(void)state;
	mc_result *res, *r2, *r3;
	blog_user *u = new_user("erin@example.com", &res);
	blog_post post;
	memset(&post, 0, sizeof post);
	post.author_id = u->id;
	post.title = S("It's \"quoted\"; drop table users; --");
	post.body = S("body");
	blog_post *p1, *p2;
	assert_int_equal(blog_posts_insert(conn, &post, 0, &r2, &p1), MC_OK);
	assert_int_equal(blog_posts_insert(conn, &post, 0, &r3, &p2), MC_OK);
	assert_true(p2->id > p1->id);                 /* bigserial */
	assert_true(str_eq(p1->title, "It's \"quoted\"; drop table users; --"));

	blog_role role;
	memset(&role, 0, sizeof role);
	role.name = S("admin");
	mc_result *rr, *ur, *gr;
	blog_role *ro;
	assert_int_equal(blog_roles_insert(conn, &role, 0, &rr, &ro), MC_OK);
	blog_user_role link;
	memset(&link, 0, sizeof link);
	link.user_id = u->id;
	link.role_id = ro->id;
	blog_user_role *l, *lg;
	assert_int_equal(blog_user_roles_insert(conn, &link, 0, &ur, &l), MC_OK);
	assert_int_equal(blog_user_roles_get(conn, u->id, ro->id, 0, &gr, &lg), MC_OK);
	assert_int_equal(lg->role_id, ro->id);
	mc_result_free(gr);
	assert_int_equal(blog_user_roles_delete(conn, u->id, ro->id), MC_OK);
	assert_int_equal(blog_user_roles_delete(conn, u->id, ro->id), MC_NOT_FOUND);
	assert_int_equal(blog_user_roles_get(conn, u->id, ro->id, 0, &gr, &lg), MC_NOT_FOUND);

	/* deleting the user cascades to its posts */
	blog_post *still;
	assert_int_equal(blog_posts_get(conn, p1->id, 0, &gr, &still), MC_OK);
	assert_int_equal(still->id, p1->id);
	mc_result_free(gr);
	assert_int_equal(blog_users_hard_delete(conn, u->id), MC_OK);
	blog_post *gone;
	assert_int_equal(blog_posts_get(conn, p1->id, 0, &gr, &gone), MC_NOT_FOUND);
	mc_result_free(ur);
	mc_result_free(rr);
	mc_result_free(r3);
	mc_result_free(r2);
	mc_result_free(res);
}

static void test_enum_round_trip(void **state)
{
	(void)state;
	const char *labels[] = { "active", "suspended", "banned" };
	assert_int_equal(BLOG_USER_STATUS_COUNT, 3);
	for (int i = 0; i < BLOG_USER_STATUS_COUNT; i++) {
		const char *s = blog_user_status_to_string((blog_user_status)i);
		assert_non_null(s);
		assert_string_equal(s, labels[i]);
		blog_user_status v;
		assert_int_equal(blog_user_status_from_string(s, strlen(s), &v), 0);
		assert_int_equal((int)v, i);
	}
	assert_int_equal(BLOG_USER_STATUS_ACTIVE, 0);
	assert_int_equal(BLOG_USER_STATUS_BANNED, 2);
}

static void test_enum_rejects(void **state)
{
	(void)state;
	blog_user_status v = BLOG_USER_STATUS_BANNED;
	assert_int_equal(blog_user_status_from_string("Active", 6, &v), -1);
	assert_int_equal(blog_user_status_from_string("activ", 5, &v), -1);
	assert_int_equal(blog_user_status_from_string("active!", 7, &v), -1);
	assert_int_equal(blog_user_status_from_string("", 0, &v), -1);
	/* a prefix of the buffer is what counts */
	assert_int_equal(blog_user_status_from_string("bannedXYZ", 6, &v), 0);
	assert_int_equal(v, BLOG_USER_STATUS_BANNED);
	assert_null(blog_user_status_to_string((blog_user_status)3));
	assert_null(blog_user_status_to_string((blog_user_status)-1));
}

static void test_struct_members(void **state)
{
	(void)state;
	blog_user u;
	memset(&u, 0, sizeof u);
	/* nullable column: value plus flag; not null columns have no flag */
	u.deleted_at_null = true;
	u.deleted_at.usec = 0;
	assert_true(u.deleted_at_null);
	/* relationships start not loaded */
	assert_int_equal(u.posts.state, MC_NOT_LOADED);
	assert_int_equal(u.roles.n, 0);
	blog_post p;
	memset(&p, 0, sizeof p);
	p.author.item = &u;
	p.author.state = MC_LOADED;
	assert_ptr_equal(p.author.item, &u);
	/* C types fit the SQL types */
	assert_int_equal(sizeof p.id, 8);
	assert_int_equal(sizeof p.views, 4);
	assert_int_equal(sizeof u.id.bytes, 16);
	blog_role r;
	assert_int_equal(sizeof r.id, 4);
	blog_account acc;
	acc.balance.ptr = "12.50";
	acc.balance.len = 5;
	assert_int_equal(acc.balance.len, 5);
}

static void test_soft_delete(void **state)
{
	(void)state;
	mc_result *res, *r2;
	blog_user *u = new_user("frank@example.com", &res), *g;
	assert_int_equal(blog_users_soft_delete(conn, u->id), MC_OK);
	assert_int_equal(blog_users_soft_delete(conn, u->id), MC_NOT_FOUND);   /* already deleted */
	/* reads skip it unless asked */
	assert_int_equal(blog_users_get(conn, u->id, 0, &r2, &g), MC_NOT_FOUND);
	assert_int_equal(blog_users_get_by_email(conn, S("frank@example.com"), 0, &r2, &g), MC_NOT_FOUND);
	assert_int_equal(blog_users_get(conn, u->id, MC_INCLUDE_DELETED, &r2, &g), MC_OK);
	assert_true(g->is_deleted);
	assert_false(g->deleted_at_null);
	mc_result_free(r2);
	assert_int_equal(blog_users_restore(conn, u->id), MC_OK);
	assert_int_equal(blog_users_restore(conn, u->id), MC_NOT_FOUND);
	assert_int_equal(blog_users_get(conn, u->id, 0, &r2, &g), MC_OK);
	assert_false(g->is_deleted);
	assert_true(g->deleted_at_null);
	mc_result_free(r2);
	assert_int_equal(blog_users_hard_delete(conn, u->id), MC_OK);
	assert_int_equal(blog_users_get(conn, u->id, MC_INCLUDE_DELETED, &r2, &g), MC_NOT_FOUND);
	mc_result_free(res);
}

static void test_update_and_upsert(void **state)
{
	(void)state;
	mc_result *res, *r2, *r3;
	blog_user *u = new_user("gina@example.com", &res), *v, *w;
	blog_user in = *u;
	in.name = S("Gina B.");
	in.email = S("ignored@example.com");
	/* only the named column is written; updated_at follows 'on update now()' */
	assert_int_equal(blog_users_update(conn, &in, BLOG_USERS_NAME, &r2, &v), MC_OK);
	assert_true(str_eq(v->name, "Gina B."));
	assert_true(str_eq(v->email, "gina@example.com"));
	assert_true(v->updated_at.usec >= u->updated_at.usec);
	mc_result_free(r2);
	/* no such key */
	memset(in.id.bytes, 0x77, 16);
	assert_int_equal(blog_users_update(conn, &in, 0, &r2, &v), MC_NOT_FOUND);
	assert_null(r2);

	/* upsert on the unique e-mail: the existing row is updated, its id kept */
	blog_user up;
	memset(&up, 0, sizeof up);
	up.email = S("gina@example.com");
	up.name = S("Gina C.");
	up.deleted_at_null = true;
	assert_int_equal(blog_users_upsert_by_email(conn, &up, 0, &r2, &v), MC_OK);
	assert_memory_equal(v->id.bytes, u->id.bytes, 16);
	assert_true(str_eq(v->name, "Gina C."));
	assert_int_equal(v->created_at.usec, u->created_at.usec);   /* default column kept */
	mc_result_free(r2);
	/* insert_or_skip: an existing key is skipped */
	assert_int_equal(blog_users_insert_or_skip_by_email(conn, &up, 0, &r3, &w), MC_OK);
	assert_null(r3);
	assert_null(w);
	up.email = S("hank@example.com");
	assert_int_equal(blog_users_insert_or_skip_by_email(conn, &up, 0, &r3, &w), MC_OK);
	assert_non_null(w);
	assert_true(str_eq(w->email, "hank@example.com"));
	mc_result_free(r3);
	mc_result_free(res);
}

/* A fresh set of users for the loading tests: n users, user i has i % 4
 * posts, user i has role (i % 3 == 0 ? admin : none), every user 1 account
 * except the first. Returns the users' result. */
static void wipe(void)
{
	PGconn *db = PQconnectdb("dbname=modelc_generated");
	PQclear(PQexec(db, "TRUNCATE users, posts, roles, user_roles, accounts CASCADE"));
	PQfinish(db);
}

static void seed(int n)
{
	wipe();
	PGconn *db = PQconnectdb("dbname=modelc_generated");
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "INSERT INTO roles (name) VALUES ('admin'), ('editor');"
	         "INSERT INTO users (email, name) SELECT 'u' || g || '@x', 'user ' || g FROM generate_series(0, %d) g;"
	         "INSERT INTO posts (author_id, title, body, created_at)"
	         "  SELECT u.id, 'p' || k, 'b', now() - k * interval '1 minute'"
	         "  FROM users u, generate_series(1, 3) k WHERE k <= substr(u.name, 6)::int %% 4;"
	         "INSERT INTO user_roles SELECT u.id, r.id FROM users u, roles r"
	         "  WHERE substr(u.name, 6)::int %% 3 = 0 AND (r.name = 'admin' OR substr(u.name, 6)::int %% 2 = 0);",
	         n - 1);
	PGresult *r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("seed: %s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
}

static int user_no(const blog_user *u) { return atoi(u->name.ptr + 5); }

static void test_load_statements_constant(void **state)
{
	(void)state;
	const int sizes[] = { 1, 10, 1000, 70000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int n = sizes[k];
		seed(n);
		uint64_t before = mc_conn_statements(conn);
		mc_result *res;
		blog_user *users;
		size_t got;
		assert_int_equal(blog_users_list(conn, NULL, BLOG_USERS_LOAD_POSTS | BLOG_USERS_LOAD_ROLES, &res, &users, &got),
		                 MC_OK);
		assert_int_equal(got, (size_t)n);
		/* 1 for the users, 1 per relationship, whatever n */
		assert_int_equal(mc_conn_statements(conn) - before, 3);
		size_t posts = 0;
		for (size_t i = 0; i < got; i++) {
			blog_user *u = &users[i];
			int no = user_no(u);
			assert_int_equal(u->posts.state, MC_LOADED);
			assert_int_equal(u->roles.state, MC_LOADED);
			assert_int_equal(u->accounts.state, MC_NOT_LOADED);   /* not asked for */
			assert_int_equal(u->posts.n, (size_t)(no % 4));
			posts += u->posts.n;
			for (size_t j = 0; j < u->posts.n; j++) {
				/* newest first (order by created_at desc), and the author is linked */
				if (j)
					assert_true(u->posts.items[j]->created_at.usec < u->posts.items[j - 1]->created_at.usec);
				assert_int_equal(u->posts.items[j]->author.state, MC_LOADED);
				assert_ptr_equal(u->posts.items[j]->author.item, u);
			}
			size_t want_roles = no % 3 == 0 ? (no % 2 == 0 ? 2 : 1) : 0;
			assert_int_equal(u->roles.n, want_roles);
		}
		size_t want_posts = 0;
		for (int i = 0; i < n; i++)
			want_posts += (size_t)(i % 4);
		assert_int_equal(posts, want_posts);
		mc_result_free(res);
	}
}

static void str_equal(mc_str a, mc_str b)
{
	assert_int_equal(a.len, b.len);
	if (a.len)
		assert_memory_equal(a.ptr, b.ptr, a.len);
}

/* every column of two users */
static void user_equal(const blog_user *a, const blog_user *b)
{
	assert_memory_equal(a->id.bytes, b->id.bytes, 16);
	str_equal(a->email, b->email);
	str_equal(a->name, b->name);
	assert_int_equal(a->status, b->status);
	assert_true(a->created_at.usec == b->created_at.usec);
	assert_true(a->updated_at.usec == b->updated_at.usec);
	assert_int_equal(a->is_deleted, b->is_deleted);
	assert_int_equal(a->deleted_at_null, b->deleted_at_null);
	if (!a->deleted_at_null)
		assert_true(a->deleted_at.usec == b->deleted_at.usec);
}

static void post_equal(const blog_post *a, const blog_post *b)
{
	assert_int_equal(a->id, b->id);
	assert_memory_equal(a->author_id.bytes, b->author_id.bytes, 16);
	str_equal(a->title, b->title);
	str_equal(a->body, b->body);
	assert_int_equal(a->views, b->views);
	assert_true(a->created_at.usec == b->created_at.usec);
	assert_true(a->updated_at.usec == b->updated_at.usec);
}

/* a stream that loads relationships: batches of MC_STREAM_BATCH users
 * through a cursor, each batch's posts and roles in one statement each, the
 * same graph as list gives */
static void ok(mc_status st)
{
	if (st != MC_OK)
		fail_msg("%s: %s", mc_status_name(st), mc_last_error(conn)->message);
}

typedef struct streamed {
	const blog_user *want;
	size_t n, seen;
	size_t stop_at;
} streamed;

static int check_streamed(void *ctx, const blog_user *u)
{
	streamed *s = ctx;
	assert_true(s->seen < s->n);
	const blog_user *w = &s->want[s->seen++];
	user_equal(u, w);
	assert_int_equal(u->posts.state, MC_LOADED);
	assert_int_equal(u->roles.state, MC_LOADED);
	assert_int_equal(u->accounts.state, MC_NOT_LOADED);
	assert_int_equal(u->posts.n, w->posts.n);
	for (size_t j = 0; j < u->posts.n; j++) {
		post_equal(u->posts.items[j], w->posts.items[j]);
		assert_ptr_equal(u->posts.items[j]->author.item, u);
	}
	assert_int_equal(u->roles.n, w->roles.n);
	/* roles have no 'order by': the same set, in any order */
	for (size_t j = 0; j < u->roles.n; j++) {
		size_t k = 0;
		while (k < w->roles.n && w->roles.items[k]->id != u->roles.items[j]->id)
			k++;
		assert_true(k < w->roles.n);
		str_equal(u->roles.items[j]->name, w->roles.items[k]->name);
	}
	return s->stop_at && s->seen == s->stop_at;
}

static void test_stream_loads(void **state)
{
	(void)state;
	const unsigned load = BLOG_USERS_LOAD_POSTS | BLOG_USERS_LOAD_ROLES;
	seed(2500);
	blog_users_query *q = blog_users_query_new();
	blog_users_order_by_email(q, false);
	mc_result *res;
	blog_user *users;
	size_t n;
	ok(blog_users_list(conn, q, load, &res, &users, &n));
	assert_int_equal(n, 2500);

	/* BEGIN, DECLARE, 3 fetches (1000, 1000, 500) with 2 loads each, CLOSE, COMMIT */
	streamed s = { users, n, 0, 0 };
	uint64_t before = mc_conn_statements(conn);
	ok(blog_users_stream(conn, q, load, check_streamed, &s));
	assert_int_equal(s.seen, n);
	assert_int_equal(mc_conn_statements(conn) - before, 13);

	/* MC_LOAD_DEFAULTS: posts and roles are 'load selectin' in the model */
	s.seen = 0;
	ok(blog_users_stream(conn, q, MC_LOAD_DEFAULTS, check_streamed, &s));
	assert_int_equal(s.seen, n);

	/* inside the caller's transaction: no BEGIN/COMMIT of its own, and the
	 * transaction goes on; an early stop in the second batch */
	ok(mc_begin(conn));
	s.seen = 0;
	s.stop_at = 1500;
	before = mc_conn_statements(conn);
	ok(blog_users_stream(conn, q, load, check_streamed, &s));
	assert_int_equal(s.seen, 1500);
	/* DECLARE, 2 fetches with 2 loads each, CLOSE */
	assert_int_equal(mc_conn_statements(conn) - before, 8);
	int64_t count;
	ok(blog_users_count(conn, NULL, &count));
	assert_int_equal(count, 2500);
	ok(mc_commit(conn));

	/* a nested plan: users -> roles -> users (one statement per edge per batch) */
	static const mc_load_plan role_users = { BLOG_ROLES_LOAD_USERS, NULL };
	static const mc_load_plan *const next[] = { [BLOG_USERS_REL_ROLES] = &role_users };
	static const mc_load_plan plan = { BLOG_USERS_LOAD_POSTS | BLOG_USERS_LOAD_ROLES, next };
	s.seen = 0;
	s.stop_at = 0;
	before = mc_conn_statements(conn);
	ok(blog_users_stream_plan(conn, q, &plan, check_streamed, &s));
	assert_int_equal(s.seen, n);
	assert_int_equal(mc_conn_statements(conn) - before, 16);
	mc_result_free(res);
	blog_users_query_free(q);
}

/* posts.author is 'load joined': with the author in the posts' own
 * statement (a LEFT JOIN) the call is 1 statement for 1, 10 or 1000 posts,
 * and gives the same graph as loading the authors 'selectin' afterwards,
 * including posts whose author is soft-deleted (no row: item NULL) */
static void test_joined_to_one(void **state)
{
	(void)state;
	seed(47000);   /* about 70,500 posts */
	PGconn *db = PQconnectdb("dbname=modelc_generated");
	PGresult *r = PQexec(db, "UPDATE users SET is_deleted = true, deleted_at = now() WHERE name IN ('user 1', 'user 7')");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(db);
	const int sizes[] = { 1, 10, 1000, 70000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		/* created_at is in both tables: the filter and order must name the posts' one */
		blog_posts_query *q = blog_posts_query_new();
		blog_posts_where_views(q, MC_OP_GE, 0);
		blog_posts_order_by_created_at(q, true);
		blog_posts_order_by_id(q, false);
		blog_posts_limit(q, sizes[k]);
		mc_result *jres, *sres;
		blog_post *jp, *sp;
		size_t jn, sn;
		uint64_t before = mc_conn_statements(conn);
		assert_int_equal(blog_posts_list(conn, q, BLOG_POSTS_LOAD_AUTHOR, &jres, &jp, &jn), MC_OK);
		assert_int_equal(mc_conn_statements(conn) - before, 1);
		assert_int_equal(jn, (size_t)sizes[k]);
		/* the model's default is the same */
		mc_result *dres;
		blog_post *dp;
		size_t dn;
		before = mc_conn_statements(conn);
		assert_int_equal(blog_posts_list(conn, q, MC_LOAD_DEFAULTS, &dres, &dp, &dn), MC_OK);
		assert_int_equal(mc_conn_statements(conn) - before, 1);
		assert_int_equal(dn, jn);
		/* selectin: the list, then one statement for the authors */
		before = mc_conn_statements(conn);
		assert_int_equal(blog_posts_list(conn, q, 0, &sres, &sp, &sn), MC_OK);
		assert_int_equal(sp[0].author.state, MC_NOT_LOADED);
		assert_int_equal(blog_posts_load_author(conn, sp, sn, sres), MC_OK);
		assert_int_equal(mc_conn_statements(conn) - before, 2);
		assert_int_equal(sn, jn);
		size_t missing = 0;
		for (size_t i = 0; i < jn; i++) {
			post_equal(&jp[i], &sp[i]);
			post_equal(&dp[i], &sp[i]);
			assert_int_equal(jp[i].author.state, MC_LOADED);
			assert_int_equal(dp[i].author.state, MC_LOADED);
			if (!sp[i].author.item) {
				missing++;
				assert_null(jp[i].author.item);
				assert_null(dp[i].author.item);
				continue;
			}
			assert_non_null(jp[i].author.item);
			user_equal(jp[i].author.item, sp[i].author.item);
			user_equal(dp[i].author.item, sp[i].author.item);
			assert_memory_equal(jp[i].author.item->id.bytes, jp[i].author_id.bytes, 16);
			assert_int_equal(jp[i].author.item->posts.state, MC_NOT_LOADED);
		}
		if (sizes[k] == 1000)
			assert_true(missing > 0);   /* users 1 and 7 wrote posts */
		mc_result_free(jres);
		mc_result_free(dres);
		mc_result_free(sres);
		blog_posts_query_free(q);
	}
	/* get: the same one statement, on the key */
	mc_result *lres, *gres;
	blog_post *all, *one;
	size_t n;
	assert_int_equal(blog_posts_list(conn, NULL, 0, &lres, &all, &n), MC_OK);
	assert_int_equal(blog_posts_load_author(conn, all, n, lres), MC_OK);
	size_t with = 0, without = 0;
	for (size_t i = 0; i < n && (with < 3 || without < 3); i++) {
		size_t *seen = all[i].author.item ? &with : &without;
		if (*seen == 3)
			continue;
		(*seen)++;
		uint64_t before = mc_conn_statements(conn);
		assert_int_equal(blog_posts_get(conn, all[i].id, BLOG_POSTS_LOAD_AUTHOR, &gres, &one), MC_OK);
		assert_int_equal(mc_conn_statements(conn) - before, 1);
		post_equal(one, &all[i]);
		assert_int_equal(one->author.state, MC_LOADED);
		assert_int_equal(one->author.item == NULL, all[i].author.item == NULL);
		if (one->author.item)
			user_equal(one->author.item, all[i].author.item);
		mc_result_free(gres);
	}
	assert_true(with == 3 && without == 3);
	gres = NULL;
	one = NULL;
	assert_int_equal(blog_posts_get(conn, -1, MC_LOAD_DEFAULTS, &gres, &one), MC_NOT_FOUND);
	assert_null(gres);
	assert_null(one);
	mc_result_free(lres);
}

static void test_load_to_one_and_lazy(void **state)
{
	(void)state;
	seed(20);
	/* posts with their authors: a to-one load, through get and list */
	mc_result *res;
	blog_post *posts;
	size_t n;
	uint64_t before = mc_conn_statements(conn);
	assert_int_equal(blog_posts_list(conn, NULL, MC_LOAD_DEFAULTS, &res, &posts, &n), MC_OK);
	assert_int_equal(mc_conn_statements(conn) - before, 1);     /* author is 'load joined': in the posts' statement */
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(posts[i].author.state, MC_LOADED);
		assert_non_null(posts[i].author.item);
		assert_memory_equal(posts[i].author.item->id.bytes, posts[i].author_id.bytes, 16);
	}
	/* lazy: load accounts later for rows already fetched, in one statement */
	mc_result *ures;
	blog_user *users;
	size_t nu;
	assert_int_equal(blog_users_list(conn, NULL, 0, &ures, &users, &nu), MC_OK);
	assert_int_equal(users[0].accounts.state, MC_NOT_LOADED);
	before = mc_conn_statements(conn);
	assert_int_equal(blog_users_load_accounts(conn, users, nu, ures), MC_OK);
	assert_int_equal(mc_conn_statements(conn) - before, 1);
	for (size_t i = 0; i < nu; i++) {
		assert_int_equal(users[i].accounts.state, MC_LOADED);
		assert_int_equal(users[i].accounts.n, 0);                 /* nobody has one: loaded and empty */
	}
	/* a role's users (many_to_many from the other side), through get */
	mc_result *rres;
	blog_role *admin;
	PGconn *db = PQconnectdb("dbname=modelc_generated");
	PGresult *r = PQexec(db, "SELECT id FROM roles WHERE name = 'admin'");
	int32_t admin_id = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(db);
	assert_int_equal(blog_roles_get(conn, admin_id, BLOG_ROLES_LOAD_USERS, &rres, &admin), MC_OK);
	assert_int_equal(admin->users.n, 7);                          /* 0, 3, ..., 18 */
	mc_result_free(rres);
	mc_result_free(ures);
	mc_result_free(res);
}

static void test_load_nested(void **state)
{
	(void)state;
	seed(30);
	/* users -> posts -> author -> roles: one statement per edge */
	static const mc_load_plan author_plan = { BLOG_USERS_LOAD_ROLES, NULL };
	static const mc_load_plan *const post_next[] = { [BLOG_POSTS_REL_AUTHOR] = &author_plan };
	static const mc_load_plan posts_plan = { BLOG_POSTS_LOAD_AUTHOR, post_next };
	static const mc_load_plan *const user_next[] = { [BLOG_USERS_REL_POSTS] = &posts_plan };
	static const mc_load_plan plan = { BLOG_USERS_LOAD_POSTS, user_next };
	mc_result *res;
	blog_user *users;
	size_t n;
	uint64_t before = mc_conn_statements(conn);
	assert_int_equal(blog_users_list(conn, NULL, 0, &res, &users, &n), MC_OK);
	assert_int_equal(blog_users_load_plan(conn, users, n, &plan, res), MC_OK);
	assert_int_equal(mc_conn_statements(conn) - before, 4);
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		int no = user_no(&users[i]);
		for (size_t j = 0; j < users[i].posts.n; j++) {
			blog_user *a = users[i].posts.items[j]->author.item;
			assert_non_null(a);
			assert_memory_equal(a->id.bytes, users[i].id.bytes, 16);
			assert_int_equal(a->roles.state, MC_LOADED);
			assert_int_equal(a->roles.n, (size_t)(no % 3 == 0 ? (no % 2 == 0 ? 2 : 1) : 0));
			checked++;
		}
		assert_int_equal(users[i].roles.state, MC_NOT_LOADED);   /* only below posts */
	}
	assert_true(checked > 20);
	mc_result_free(res);   /* one free releases the whole graph */
}

/* Self-referencing and composite-key relationships, on the ledger model. */
static void test_ledger_tree_and_composite_keys(void **state)
{
	(void)state;
	PGconn *admin = PQconnectdb("");
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_ledger"));
	PQclear(PQexec(admin, "CREATE DATABASE modelc_ledger"));
	PQfinish(admin);
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/ledger.sql", tu_env("MODELC_BUILD", "build-san"));
	char *sql = tu_read(path, NULL);
	assert_non_null(sql);
	PGconn *db = PQconnectdb("dbname=modelc_ledger");
	PGresult *r = PQexec(db, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	free(sql);
	/* a tree: 1 root (1000) with children 1100, 1200, 1300; 1200 has 1210, 1220 */
	r = PQexec(db,
	           "INSERT INTO accounts (id, parent_id, code, name, kind) VALUES"
	           " (1, NULL, '1000', 'Assets', 'asset'), (2, 1, '1200', 'Bank', 'asset'),"
	           " (3, 1, '1100', 'Cash', 'asset'), (4, 1, '1300', 'Stock', 'asset'),"
	           " (5, 2, '1220', 'Bank B', 'asset'), (6, 2, '1210', 'Bank A', 'asset');"
	           "INSERT INTO transactions (id, description) OVERRIDING SYSTEM VALUE VALUES (1, 'opening');"
	           "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit) VALUES"
	           " (1, 1, 3, 'EUR', 10), (1, 2, 5, 'EUR', 20), (1, 3, 5, 'EUR', 30);");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);

	mc_conn *lc;
	assert_int_equal(mc_conn_open(&lc, "dbname=modelc_ledger", NULL), MC_OK);
	ledger_accounts_query *q = ledger_accounts_query_new();
	ledger_accounts_order_by_code(q, false);
	mc_result *res;
	ledger_account *acc;
	size_t n;
	/* children (ordered by code) and parent; entries through the composite key */
	uint64_t before = mc_conn_statements(lc);
	assert_int_equal(ledger_accounts_list(lc, q, LEDGER_ACCOUNTS_LOAD_CHILDREN | LEDGER_ACCOUNTS_LOAD_PARENT |
	                                                 LEDGER_ACCOUNTS_LOAD_ENTRIES, &res, &acc, &n),
	                 MC_OK);
	assert_int_equal(mc_conn_statements(lc) - before, 3);      /* parent is 'load joined': 1 + children + entries */
	assert_int_equal(n, 6);
	/* codes in order: 1000 1100 1200 1210 1220 1300 */
	assert_true(acc[0].parent.state == MC_LOADED && acc[0].parent.item == NULL);   /* the root: NULL key */
	assert_int_equal(acc[0].children.n, 3);
	const char *kids[] = { "1100", "1200", "1300" };
	for (int i = 0; i < 3; i++)
		assert_memory_equal(acc[0].children.items[i]->code.ptr, kids[i], 4);
	assert_int_equal(acc[2].children.n, 2);                                         /* 1200 */
	assert_memory_equal(acc[2].children.items[0]->code.ptr, "1210", 4);
	assert_memory_equal(acc[4].parent.item->code.ptr, "1200", 4);                 /* 1220's parent */
	assert_int_equal(acc[4].entries.n, 2);                                          /* 1220: lines 2, 3 */
	assert_int_equal(acc[1].entries.n, 1);                                          /* 1100 */
	assert_int_equal(acc[3].entries.n, 0);
	/* the inverse: an entry reaches its account */
	assert_ptr_equal(acc[4].entries.items[0]->account.item, &acc[4]);
	/* parent joined (the table joined to itself) equals parent selectin */
	mc_result *sres;
	ledger_account *sacc;
	size_t sn;
	assert_int_equal(ledger_accounts_list(lc, q, 0, &sres, &sacc, &sn), MC_OK);
	before = mc_conn_statements(lc);
	assert_int_equal(ledger_accounts_load_parent(lc, sacc, sn, sres), MC_OK);
	assert_int_equal(mc_conn_statements(lc) - before, 1);
	assert_int_equal(sn, n);
	for (size_t i = 0; i < n; i++) {
		const ledger_account *a = acc[i].parent.item, *b = sacc[i].parent.item;
		assert_int_equal(acc[i].parent.state, MC_LOADED);
		assert_int_equal(a == NULL, b == NULL);
		if (!a)
			continue;
		assert_int_equal(a->id, b->id);
		assert_int_equal(a->parent_id_null, b->parent_id_null);
		if (!a->parent_id_null)
			assert_int_equal(a->parent_id, b->parent_id);
		str_equal(a->code, b->code);
		str_equal(a->name, b->name);
		assert_int_equal(a->kind, b->kind);
		str_equal(a->currency, b->currency);
		assert_int_equal(a->is_placeholder, b->is_placeholder);
		assert_int_equal(a->opened_on.days, b->opened_on.days);
		assert_int_equal(a->closed_at_null, b->closed_at_null);
		assert_int_equal(a->id, acc[i].parent_id);
	}
	mc_result_free(sres);
	mc_result_free(res);
	ledger_accounts_query_free(q);

	/* children and entries are 'load subquery': for 1, 10 and 1000 parents,
	 * 1 + 2 statements, and the same graph as selectin (children in
	 * order, accounts without any, the composite key of entries) */
	db = PQconnectdb("dbname=modelc_ledger");
	r = PQexec(db,
	           "INSERT INTO accounts (id, parent_id, code, name, kind)"
	           "  SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 100 + (g - 100) / 3 END, 'x' || g, 'acc ' || g, 'asset'"
	           "  FROM generate_series(100, 70199) g;"
	           "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit)"
	           "  SELECT 1, g, 100 + g % 700, 'EUR', g FROM generate_series(4, 2003) g;");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	const int sizes[] = { 1, 10, 1000, 70000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		q = ledger_accounts_query_new();
		ledger_accounts_where_id(q, MC_OP_GE, 100);
		ledger_accounts_order_by_name(q, true);
		ledger_accounts_limit(q, sizes[k]);
		ledger_accounts_offset(q, 3);
		before = mc_conn_statements(lc);
		assert_int_equal(ledger_accounts_list(lc, q, LEDGER_ACCOUNTS_LOAD_CHILDREN | LEDGER_ACCOUNTS_LOAD_ENTRIES, &res,
		                                      &acc, &n),
		                 MC_OK);
		assert_int_equal(mc_conn_statements(lc) - before, 3);
		assert_int_equal(n, (size_t)sizes[k]);
		assert_int_equal(ledger_accounts_list(lc, q, 0, &sres, &sacc, &sn), MC_OK);
		before = mc_conn_statements(lc);
		assert_int_equal(ledger_accounts_load_children(lc, sacc, sn, sres), MC_OK);
		assert_int_equal(ledger_accounts_load_entries(lc, sacc, sn, sres), MC_OK);
		assert_int_equal(mc_conn_statements(lc) - before, 2);
		assert_int_equal(sn, n);
		size_t kids_seen = 0, entries_seen = 0;
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(acc[i].id, sacc[i].id);
			assert_int_equal(acc[i].children.state, MC_LOADED);
			assert_int_equal(acc[i].entries.state, MC_LOADED);
			assert_int_equal(acc[i].children.n, sacc[i].children.n);
			for (size_t j = 0; j < acc[i].children.n; j++) {
				const ledger_account *a = acc[i].children.items[j], *b = sacc[i].children.items[j];
				assert_int_equal(a->id, b->id);
				str_equal(a->code, b->code);
				str_equal(a->name, b->name);
				assert_int_equal(a->parent_id, acc[i].id);
				assert_ptr_equal(a->parent.item, &acc[i]);
			}
			assert_int_equal(acc[i].entries.n, sacc[i].entries.n);
			for (size_t j = 0; j < acc[i].entries.n; j++) {
				/* entries have no order: the same set */
				const ledger_entry *a = acc[i].entries.items[j], *b = NULL;
				for (size_t m = 0; m < sacc[i].entries.n && !b; m++)
					if (sacc[i].entries.items[m]->line_no == a->line_no)
						b = sacc[i].entries.items[m];
				assert_non_null(b);
				assert_int_equal(a->transaction_id, b->transaction_id);
				assert_int_equal(a->account_id, b->account_id);
				assert_int_equal(a->account_id, acc[i].id);
				str_equal(a->currency, b->currency);
				str_equal(a->currency, acc[i].currency);
				assert_ptr_equal(a->account.item, &acc[i]);
			}
			kids_seen += acc[i].children.n;
			entries_seen += acc[i].entries.n;
		}
		if (sizes[k] == 70000)   /* nearly every account: children and entries both show up */
			assert_true(kids_seen > 0 && entries_seen > 0);
		mc_result_free(res);
		mc_result_free(sres);
		ledger_accounts_query_free(q);
	}
	mc_conn_close(lc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_round_trip),
		cmocka_unit_test(test_enum_rejects),
		cmocka_unit_test(test_struct_members),
	};
	int rc = cmocka_run_group_tests_name("generated code", tests, NULL, NULL);
	const struct CMUnitTest db_tests[] = {
		cmocka_unit_test(test_insert_returns_server_values),
		cmocka_unit_test(test_get_by_keys),
		cmocka_unit_test(test_violations_name_their_constraint),
		cmocka_unit_test(test_serial_and_composite_keys),
		cmocka_unit_test(test_soft_delete),
		cmocka_unit_test(test_update_and_upsert),
		cmocka_unit_test(test_load_statements_constant),
		cmocka_unit_test(test_load_to_one_and_lazy),
		cmocka_unit_test(test_joined_to_one),
		cmocka_unit_test(test_load_nested),
		cmocka_unit_test(test_stream_loads),
		cmocka_unit_test(test_ledger_tree_and_composite_keys),
	};
	rc |= cmocka_run_group_tests_name("generated data access", db_tests, db_setup, db_teardown);
	return rc;
}

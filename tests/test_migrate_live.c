/* test_migrate_live.c - mig_live_check(): the drift between a live database
 * and the model, against the real cluster tests/run.sh starts.
 *
 *   - no false diffs: a database made by the model's own DDL has no drift,
 *     for every example and tests/models/access.model (also in a schema
 *     other than public, and next to the migrations' version table);
 *   - an empty database: the printed SQL builds the whole schema, after
 *     which there is no drift;
 *   - drift made by hand (indexes, columns, defaults, types, NOT NULL,
 *     constraints, foreign keys, comments, identity, generated columns,
 *     enum labels, renames, extensions, extra tables): each is reported
 *     with the expected SQL and exit 1; applying the printed statements
 *     makes it go away, except the commented-out destructive steps and
 *     notes, which stay reported until done by hand;
 *   - errors: a model whose DDL fails in the scratch schema, no server.
 * Every check must leave nothing behind (no scratch schema, no extension)
 * and never print DROP SCHEMA or DROP DATABASE. Databases are named
 * modelc_live_* and dropped at the end. */
#include "testutil.h"

#include <ctype.h>
#include "emit.h"
#include "migrate.h"
#include "model.h"
#include "pgutil.h"

/* ---- databases ------------------------------------------------------------ */

static long scalar_long(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("query failed");
	}
	long v = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static const char *admin_db(void)
{
	const char *d = tu_env("PGDATABASE", "postgres");
	return strncmp(d, "modelc_live_", 12) == 0 ? "postgres" : d;
}

/* A new empty database modelc_live_<tag>, dropped by the group teardown. */
static PGconn *fresh_db(const char *tag, char *name, size_t n)
{
	snprintf(name, n, "modelc_live_%s", tag);
	for (char *p = name; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
	PGconn *admin = connect_db(admin_db());
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	exec_ok(admin, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", name);
	exec_ok(admin, sql);
	finish(admin);
	bool known = false;
	for (int i = 0; i < ncreated; i++)
		known = known || strcmp(created_dbs[i], name) == 0;
	if (!known && ncreated < 32)
		snprintf(created_dbs[ncreated++], sizeof created_dbs[0], "%s", name);
	return connect_db(name);
}

/* ---- models ----------------------------------------------------------------- */

typedef struct loaded {
	arena a;
	diag_ctx d;
	model *m;
} loaded;

static loaded *current;     /* released by the teardown after a failure */

static void load(loaded *L, const char *path)
{
	arena_init(&L->a);
	diag_init(&L->d, &L->a);
	current = L;
	L->m = model_load(&L->d, path, model_file_loader, NULL);
	if (!L->m || L->d.errors) {
		fprintf(stderr, "%s", buf_cstr(&L->d.out));
		fail_msg("model_load(%s) failed", path);
	}
}

static void unload(loaded *L)
{
	diag_dispose(&L->d);
	arena_free(&L->a);
	current = NULL;
}

static const char *example_path(const char *name)
{
	static char path[4096];
	if (strcmp(name, "access") == 0)
		snprintf(path, sizeof path, "%s/tests/models/access.model", tu_root());
	else
		snprintf(path, sizeof path, "%s/examples/%s.model", tu_root(), name);
	return path;
}

/* Runs the model's own DDL (as modelc writes NAME.sql) on c. */
static void run_ddl(PGconn *c, const char *path)
{
	loaded L;
	load(&L, path);
	emit_file files[EMIT_NFILES];
	memset(files, 0, sizeof files);
	emit_opts opts = { NULL };
	assert_int_equal(emit_all(&L.d, L.m, &opts, files), 0);
	exec_ok(c, buf_cstr(&files[EMIT_SQL].content));
	for (int i = 0; i < EMIT_NFILES; i++)
		buf_free(&files[i].content);
	unload(&L);
}

/* A copy of a model file with one piece of text replaced, in a fresh
 * folder under the build directory (same file name: same DDL names). */
static char *edited_model(const char *src, const char *from, const char *to)
{
	char *text = tu_read(src, NULL);
	assert_non_null(text);
	char *at = strstr(text, from);
	if (!at)
		fail_msg("'%s' not found in %s", from, src);
	char *dir = tu_tempdir("live");
	const char *base = strrchr(src, '/');
	char *path = malloc(strlen(dir) + strlen(base) + 1);
	sprintf(path, "%s%s", dir, base);
	size_t n = strlen(text) + strlen(to) + 1;
	char *out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	tu_write(path, out);
	free(out);
	free(text);
	free(dir);
	return path;
}

static char *write_model(const char *name, const char *text)
{
	char *dir = tu_tempdir("live");
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	tu_write(path, text);
	free(dir);
	return path;
}

/* Removes the folder write_model or edited_model made. */
static void drop_model(char *path)
{
	char *slash = strrchr(path, '/');
	*slash = '\0';
	tu_rm_rf(path);
	free(path);
}

/* ---- the check ---------------------------------------------------------------- */

typedef struct result {
	int rc;
	char *out, *err;
} result;

/* Outputs not yet freed, freed by the teardown after a failure. */
static char *pending[8];

static void keep(char *p)
{
	for (int i = 0; i < 8; i++)
		if (!pending[i]) {
			pending[i] = p;
			return;
		}
}

static void release(char *p)
{
	for (int i = 0; i < 8; i++)
		if (pending[i] == p)
			pending[i] = NULL;
	free(p);
}

static void result_free(result *r)
{
	release(r->out);
	release(r->err);
	r->out = r->err = NULL;
}

/* mig_live_check of the model at path against db; it must leave nothing in
 * the database and never suggest wiping anything. */
static result check(const char *path, const char *db, const char *conninfo_extra)
{
	loaded L;
	load(&L, path);
	char ci[512];
	snprintf(ci, sizeof ci, "dbname=%s%s%s", db, conninfo_extra ? " " : "", conninfo_extra ? conninfo_extra : "");
	buf out, err;
	buf_init(&out);
	buf_init(&err);
	result r;
	r.rc = mig_live_check(L.m, ci, &out, &err);
	r.out = strdup(out.len ? buf_cstr(&out) : "");
	r.err = strdup(err.len ? buf_cstr(&err) : "");
	keep(r.out);
	keep(r.err);
	buf_free(&out);
	buf_free(&err);
	unload(&L);

	PGconn *c = connect_db(db);
	assert_int_equal(scalar_long(c, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'modelc\\_check\\_%'"), 0);
	finish(c);
	assert_null(strstr(r.out, "DROP SCHEMA"));
	assert_null(strstr(r.out, "DROP DATABASE"));
	/* every DROP TABLE / DROP COLUMN / DROP TYPE is commented out */
	for (const char *p = r.out; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (strncmp(p, "--", 2) != 0) {
			char line[4096];
			snprintf(line, sizeof line, "%.*s", (int)n, p);
			if (strstr(line, "DROP TABLE") || strstr(line, "DROP COLUMN") || strstr(line, "DROP TYPE"))
				fail_msg("destructive statement not commented out: %s", line);
		}
		p += n + (e ? 1 : 0);
	}
	return r;
}

static void expect_rc(const result *r, int rc)
{
	if (r->rc != rc) {
		fprintf(stderr, "mig_live_check returned %d, expected %d\n--- out:\n%s\n--- err:\n%s\n", r->rc, rc, r->out,
		        r->err);
		fail_msg("unexpected exit status");
	}
}

static void expect_has(const result *r, const char *text)
{
	if (!strstr(r->out, text)) {
		fprintf(stderr, "expected in the drift:\n%s\n--- got:\n%s\n", text, r->out);
		fail_msg("missing from the drift output");
	}
}

static void expect_lacks(const result *r, const char *text)
{
	if (strstr(r->out, text)) {
		fprintf(stderr, "not expected in the drift:\n%s\n--- got:\n%s\n", text, r->out);
		fail_msg("unexpected in the drift output");
	}
}

/* Only comments left: notes and commented-out destructive steps. */
static void expect_only_comments(const result *r)
{
	for (const char *p = r->out; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n && strncmp(p, "--", 2) != 0) {
			fprintf(stderr, "a statement is left:\n%s\n", r->out);
			fail_msg("drift left after applying the printed SQL");
		}
		p += n + (e ? 1 : 0);
	}
}

/* Applies the printed SQL one statement at a time (autocommit), skipping
 * comments: quotes are respected, so ';' or "--" inside literals and
 * quoted names do not split. Returns the number of statements run. */
static int apply(PGconn *c, const char *sql)
{
	buf st;
	buf_init(&st);
	int n = 0;
	char q = 0;
	for (const char *p = sql; *p; p++) {
		if (q) {
			buf_putc(&st, *p);
			if (*p == q)
				q = 0;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (*p == '\'' || *p == '"')
			q = *p;
		if (*p != ';') {
			buf_putc(&st, *p);
			continue;
		}
		const char *s = buf_cstr(&st);
		while (isspace((unsigned char)*s))
			s++;
		if (*s) {
			exec_ok(c, s);
			n++;
		}
		st.len = 0;
	}
	buf_free(&st);
	return n;
}

/* ---- no false diffs ------------------------------------------------------------- */

static void test_no_drift(void **state)
{
	const char *name = *state;
	char db[64];
	PGconn *c = fresh_db(name, db, sizeof db);
	run_ddl(c, example_path(name));
	/* the runner's version table is not part of the schema */
	exec_ok(c, "CREATE TABLE modelc_migrations (revision text PRIMARY KEY, checksum text NOT NULL, "
	           "applied_at timestamptz NOT NULL DEFAULT now(), next_step integer)");
	finish(c);
	result r = check(example_path(name), db, NULL);
	expect_rc(&r, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	result_free(&r);
	printf("    %s: no drift\n", name);
}

/* The schema in another schema than public, the extensions in public. */
static void test_no_drift_other_schema(void **state)
{
	(void)state;
	char db[64];
	PGconn *c = fresh_db("app_schema", db, sizeof db);
	exec_ok(c, "CREATE SCHEMA app; CREATE EXTENSION citext; CREATE EXTENSION pg_trgm");
	exec_ok(c, "SET search_path = app, public");
	run_ddl(c, example_path("shop"));
	finish(c);
	result r = check(example_path("shop"), db, "options='-csearch_path=app,public'");
	expect_rc(&r, 0);
	assert_string_equal(r.out, "");
	result_free(&r);
	/* seen from public, all of it is missing (and nothing is extra) */
	r = check(example_path("shop"), db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "-- table customers is missing\nCREATE TABLE customers (\n");
	expect_lacks(&r, "DESTRUCTIVE");
	result_free(&r);
}

/* ---- an empty database ------------------------------------------------------------ */

static void test_empty_db(void **state)
{
	const char *name = *state;
	char db[64];
	char tag[64];
	snprintf(tag, sizeof tag, "empty_%s", name);
	PGconn *c = fresh_db(tag, db, sizeof db);
	result r = check(example_path(name), db, NULL);
	expect_rc(&r, 1);
	expect_lacks(&r, "DESTRUCTIVE");
	expect_lacks(&r, "RISKY");
	loaded L;
	load(&L, example_path(name));
	for (size_t i = 0; i < L.m->tables.n; i++) {
		const m_table *t = L.m->tables.items[i];
		char want[256];
		snprintf(want, sizeof want, "CREATE TABLE %s (\n", sql_ident(&L.a, t->name));
		expect_has(&r, want);
	}
	unload(&L);
	int n = apply(c, r.out);
	result_free(&r);
	r = check(example_path(name), db, NULL);
	expect_rc(&r, 0);
	assert_string_equal(r.out, "");
	result_free(&r);
	finish(c);
	printf("    %s: %d statements build it from nothing\n", name, n);
}

/* ---- drift made by hand ------------------------------------------------------------- */

static void test_blog_drift(void **state)
{
	(void)state;
	char db[64];
	const char *path = example_path("blog");
	PGconn *c = fresh_db("blog_drift", db, sizeof db);
	run_ddl(c, path);
	exec_ok(c, "DROP INDEX ix_users_status_created_at;"
	           "ALTER TABLE posts ADD COLUMN extra text;"
	           "ALTER TABLE posts ALTER COLUMN views SET DEFAULT 5;"
	           "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2);"
	           "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;"
	           "ALTER TABLE accounts DROP CONSTRAINT ck_accounts_balance;"
	           "CREATE TABLE scratchpad (id int PRIMARY KEY, note text);"
	           "ALTER TABLE posts DROP CONSTRAINT fk_posts_author_id_users, ADD CONSTRAINT fk_posts_author_id_users "
	           "FOREIGN KEY (author_id) REFERENCES users(id);"
	           "DROP INDEX ix_posts_author_id_created_at; CREATE INDEX ix_posts_author_id_created_at ON posts (author_id);"
	           "CREATE INDEX ix_extra ON posts (title);"
	           "ALTER TABLE users ADD CONSTRAINT ck_users_extra CHECK (name <> '');"
	           "COMMENT ON TABLE users IS 'not in the model';"
	           "COMMENT ON COLUMN roles.name IS 'nor this';"
	           "ALTER TABLE roles ALTER COLUMN id DROP DEFAULT;"
	           "INSERT INTO roles (id, name) VALUES (1, 'admin'), (7, 'editor')");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "-- index ix_users_status_created_at on users is missing\n"
	               "CREATE INDEX ix_users_status_created_at ON users USING btree (status, created_at);\n");
	expect_has(&r, "-- DESTRUCTIVE: column posts.extra is not in the model (dropping it loses its data)\n"
	               "-- ALTER TABLE posts DROP COLUMN extra;\n");
	expect_has(&r, "-- column posts.views has the default 5 in the database, the model has 0\n"
	               "ALTER TABLE posts ALTER COLUMN views SET DEFAULT 0;\n");
	expect_has(&r, "-- RISKY: column accounts.balance has type numeric(14,2) in the database, numeric(12,2) in the model\n"
	               "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2) USING balance::numeric(12,2);\n");
	expect_has(&r, "-- RISKY: column users.name is nullable in the database, NOT NULL in the model (fails while it "
	               "holds NULLs)\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n");
	expect_has(&r, "-- RISKY: check constraint ck_accounts_balance on accounts is missing\n"
	               "ALTER TABLE accounts ADD CONSTRAINT ck_accounts_balance CHECK ((balance >= (0)::numeric));\n");
	expect_has(&r, "-- DESTRUCTIVE: table scratchpad is not in the model (dropping it loses its data)\n"
	               "-- DROP TABLE scratchpad;\n");
	expect_has(&r, "ALTER TABLE posts DROP CONSTRAINT fk_posts_author_id_users;\n");
	expect_has(&r, "ALTER TABLE posts ADD CONSTRAINT fk_posts_author_id_users FOREIGN KEY (author_id) REFERENCES "
	               "users(id) ON DELETE CASCADE;\n");
	expect_has(&r, "DROP INDEX ix_posts_author_id_created_at;\n");
	expect_has(&r, "CREATE INDEX ix_posts_author_id_created_at ON posts USING btree (author_id, created_at DESC);\n");
	expect_has(&r, "-- index ix_extra on posts is not in the model\nDROP INDEX ix_extra;\n");
	expect_has(&r, "-- check constraint ck_users_extra on users is not in the model\n"
	               "ALTER TABLE users DROP CONSTRAINT ck_users_extra;\n");
	expect_has(&r, "-- the comment on table users is not in the model\nCOMMENT ON TABLE users IS NULL;\n");
	expect_has(&r, "COMMENT ON COLUMN roles.name IS NULL;\n");
	expect_has(&r, "ALTER TABLE roles ALTER COLUMN id SET DEFAULT nextval('roles_id_seq'::regclass);\n");
	/* the scratchpad's own primary key is not reported apart from its table */
	expect_lacks(&r, "scratchpad_pkey");
	/* dependency order: drops of foreign keys first, the check after the
	 * column changes, foreign keys after indexes, comments last */
	const char *drop_fk = strstr(r.out, "DROP CONSTRAINT fk_posts"), *type = strstr(r.out, "TYPE numeric(12,2)");
	const char *add_ck = strstr(r.out, "ADD CONSTRAINT ck_accounts_balance");
	const char *add_ix = strstr(r.out, "CREATE INDEX ix_users_status");
	const char *add_fk = strstr(r.out, "ADD CONSTRAINT fk_posts"), *cmt = strstr(r.out, "COMMENT ON");
	assert_true(drop_fk < type && type < add_ck && add_ck < add_ix && add_ix < add_fk && add_fk < cmt);

	assert_int_equal(apply(c, r.out), 16);
	result_free(&r);
	/* the serial's sequence goes on after the rows there */
	assert_int_equal(scalar_long(c, "INSERT INTO roles (name) VALUES ('x') RETURNING id"), 8);

	r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_only_comments(&r);
	expect_has(&r, "-- ALTER TABLE posts DROP COLUMN extra;");
	expect_has(&r, "-- DROP TABLE scratchpad;");
	result_free(&r);
	exec_ok(c, "ALTER TABLE posts DROP COLUMN extra; DROP TABLE scratchpad");
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	finish(c);
}

/* A table and a column gone: created again (serial, foreign keys, the
 * NOT NULL column without a default is risky). */
static void test_blog_missing(void **state)
{
	(void)state;
	char db[64];
	const char *path = example_path("blog");
	PGconn *c = fresh_db("blog_missing", db, sizeof db);
	run_ddl(c, path);
	exec_ok(c, "DROP TABLE roles CASCADE; ALTER TABLE posts DROP COLUMN body");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "-- table roles is missing\nCREATE TABLE roles (\n    id serial NOT NULL,\n    name text NOT NULL,\n"
	               "    CONSTRAINT pk_roles PRIMARY KEY (id),\n    CONSTRAINT uq_roles_name UNIQUE (name)\n);\n");
	expect_has(&r, "-- RISKY: column posts.body is missing (NOT NULL without a default: fails when the table has "
	               "rows)\nALTER TABLE posts ADD COLUMN body text NOT NULL;\n");
	/* user_roles has rows in real life, roles starts empty */
	expect_has(&r, "-- RISKY: foreign key fk_user_roles_role_id_roles on user_roles is missing\n"
	               "ALTER TABLE user_roles ADD CONSTRAINT fk_user_roles_role_id_roles FOREIGN KEY (role_id) "
	               "REFERENCES roles(id) ON DELETE CASCADE;\n");
	apply(c, r.out);
	result_free(&r);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	finish(c);
}

static void test_ledger_drift(void **state)
{
	(void)state;
	char db[64];
	const char *path = example_path("ledger");
	PGconn *c = fresh_db("ledger_drift", db, sizeof db);
	run_ddl(c, path);
	exec_ok(c, "INSERT INTO transactions (description) VALUES ('a'), ('b'), ('c');"
	           "ALTER TABLE entries DROP CONSTRAINT ck_entries_line_no, "
	           "ADD CONSTRAINT ck_entries_line_no CHECK (line_no > 0);"
	           "ALTER TABLE accounts DROP CONSTRAINT fk_accounts_parent_id_accounts, ADD CONSTRAINT "
	           "fk_accounts_parent_id_accounts FOREIGN KEY (parent_id) REFERENCES accounts(id) ON DELETE CASCADE;"
	           "COMMENT ON CONSTRAINT ck_transactions_posted_on_posted_at ON transactions IS 'changed';"
	           "COMMENT ON INDEX ix_accounts_code_open IS NULL;"
	           "ALTER TABLE transactions ALTER COLUMN id DROP IDENTITY;"
	           "ALTER TABLE transactions ALTER COLUMN description SET DEFAULT 'x'");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "-- check constraint ck_entries_line_no on entries differs from the model (database: CHECK "
	               "((line_no > 0))), dropped and added again\nALTER TABLE entries DROP CONSTRAINT ck_entries_line_no;\n");
	expect_has(&r, "-- RISKY: check constraint ck_entries_line_no on entries as the model has it\n"
	               "ALTER TABLE entries ADD CONSTRAINT ck_entries_line_no CHECK ((line_no > '-1'::integer));\n");
	expect_has(&r, "ALTER TABLE accounts ADD CONSTRAINT fk_accounts_parent_id_accounts FOREIGN KEY (parent_id) "
	               "REFERENCES accounts(id) ON DELETE RESTRICT;\n");
	expect_has(&r, "-- column transactions.id is an identity column in the model, not in the database\n"
	               "ALTER TABLE transactions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;\n");
	expect_has(&r, "-- column transactions.description has the default 'x'::text in the database, none in the "
	               "model\nALTER TABLE transactions ALTER COLUMN description DROP DEFAULT;\n");
	expect_has(&r, "-- the comment on constraint ck_transactions_posted_on_posted_at ON transactions differs from "
	               "the model\nCOMMENT ON CONSTRAINT ck_transactions_posted_on_posted_at ON transactions IS 'Nothing "
	               "is posted before the ledger''s first year.';\n");
	expect_has(&r, "-- the comment on index ix_accounts_code_open is missing\nCOMMENT ON INDEX ix_accounts_code_open "
	               "IS 'Codes are unique among open accounts; a closed account''s code may be reused.';\n");
	apply(c, r.out);
	result_free(&r);
	/* the identity goes on after the rows there */
	assert_int_equal(scalar_long(c, "INSERT INTO transactions (description) VALUES ('d') RETURNING id"), 4);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	finish(c);
}

/* Generated columns and identity kinds (shop). */
static void test_shop_generated_identity(void **state)
{
	(void)state;
	char db[64];
	const char *path = example_path("shop");
	PGconn *c = fresh_db("shop_gen", db, sizeof db);
	run_ddl(c, path);
	exec_ok(c, "INSERT INTO countries (code, name, currency) VALUES ('DE', 'Germany', 'EUR');"
	           "INSERT INTO warehouses (id, code, name, country_code) VALUES (5, 'W005', 'five', 'DE');"
	           "ALTER TABLE warehouses ALTER COLUMN id DROP IDENTITY;"
	           "ALTER TABLE order_events ALTER COLUMN id SET GENERATED BY DEFAULT;"
	           "ALTER TABLE order_items ALTER COLUMN line_total DROP EXPRESSION");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "ALTER TABLE warehouses ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;\n");
	expect_has(&r, "SELECT setval(pg_get_serial_sequence('warehouses', 'id'), coalesce(max(id), 0) + 1, false) "
	               "FROM warehouses;\n");
	expect_has(&r, "-- column order_events.id is GENERATED BY DEFAULT AS IDENTITY in the database, GENERATED "
	               "ALWAYS in the model\nALTER TABLE order_events ALTER COLUMN id SET GENERATED ALWAYS;\n");
	expect_has(&r, "-- DESTRUCTIVE: column order_items.line_total is not generated in the database; the model has "
	               "GENERATED ALWAYS AS ((((quantity)::numeric * unit_price) - discount)) STORED");
	expect_has(&r, "-- ALTER TABLE order_items DROP COLUMN line_total;\n-- ALTER TABLE order_items ADD COLUMN "
	               "line_total numeric(12,2) GENERATED ALWAYS AS ((((quantity)::numeric * unit_price) - discount)) "
	               "STORED;\n");
	apply(c, r.out);
	result_free(&r);
	assert_int_equal(scalar_long(c, "INSERT INTO warehouses (code, name, country_code) VALUES ('W006', 'six', 'DE') "
	                                "RETURNING id"), 6);
	r = check(path, db, NULL);
	expect_rc(&r, 1);
	expect_only_comments(&r);
	expect_has(&r, "-- ALTER TABLE order_items DROP COLUMN line_total;");
	result_free(&r);
	/* done by hand as printed */
	exec_ok(c, "ALTER TABLE order_items DROP COLUMN line_total; ALTER TABLE order_items ADD COLUMN line_total "
	           "numeric(12,2) GENERATED ALWAYS AS ((((quantity)::numeric * unit_price) - discount)) STORED");
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	finish(c);
}

/* "renamed from": renamed in place, not dropped and added. */
static void test_shop_renames(void **state)
{
	(void)state;
	char db[64];
	const char *path = example_path("shop");
	PGconn *c = fresh_db("shop_renames", db, sizeof db);
	run_ddl(c, path);
	exec_ok(c, "ALTER TABLE carts RENAME TO baskets; ALTER TABLE customers RENAME COLUMN \"displayName\" TO full_name");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	assert_string_equal(r.out, "-- column customers.full_name is named \"displayName\" in the model (renamed from "
	                           "full_name)\nALTER TABLE customers RENAME COLUMN full_name TO \"displayName\";\n\n"
	                           "-- table baskets is named carts in the model (renamed from baskets)\n"
	                           "ALTER TABLE baskets RENAME TO carts;\n");
	/* the check renamed nothing for good */
	assert_int_equal(scalar_long(c, "SELECT count(*) FROM pg_class WHERE relname = 'baskets'"), 1);
	apply(c, r.out);
	result_free(&r);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	finish(c);
}

/* Labels the model has and the database lacks; labels only the database
 * has (PostgreSQL cannot drop them: a note). */
static void test_enum_labels(void **state)
{
	(void)state;
	char db[64];
	PGconn *c = fresh_db("enum_labels", db, sizeof db);
	run_ddl(c, example_path("blog"));
	char *path = edited_model(example_path("blog"), "enum user_status { active, suspended, banned }",
	                          "enum user_status { pending, active, suspended, banned, deleted }");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	assert_string_equal(r.out, "-- +modelc no-transaction\n-- type user_status lacks the label 'pending'\n"
	                           "ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'pending' BEFORE 'active';\n\n"
	                           "-- +modelc no-transaction\n-- type user_status lacks the label 'deleted'\n"
	                           "ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'deleted' AFTER 'banned';\n");
	apply(c, r.out);
	result_free(&r);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);

	/* against the original model, the two labels are extra */
	r = check(example_path("blog"), db, NULL);
	expect_rc(&r, 1);
	expect_has(&r, "-- type user_status has the label 'pending', which the model lacks; PostgreSQL cannot drop an "
	               "enum label (recreate the type to remove it)\n");
	expect_has(&r, "the label 'deleted'");
	expect_only_comments(&r);
	assert_int_equal(apply(c, r.out), 0);
	result_free(&r);
	r = check(example_path("blog"), db, NULL);
	expect_rc(&r, 1);
	result_free(&r);
	drop_model(path);
	finish(c);
}

/* An extension the database lacks: created (and the check itself leaves
 * none behind). */
static void test_extension(void **state)
{
	(void)state;
	char db[64];
	PGconn *c = fresh_db("extension", db, sizeof db);
	char *path = write_model("words.model", "extension pg_trgm\n\n"
	                                        "table words {\n"
	                                        "  id    serial  primary key\n"
	                                        "  word  text    not null\n"
	                                        "  index ix_words_trgm (word gin_trgm_ops) using gin\n"
	                                        "}\n");
	exec_ok(c, "CREATE TABLE words (id serial NOT NULL, word text NOT NULL, CONSTRAINT pk_words PRIMARY KEY (id))");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	assert_string_equal(r.out, "-- extension pg_trgm is not installed\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\n\n"
	                           "-- index ix_words_trgm on words is missing\n"
	                           "CREATE INDEX ix_words_trgm ON words USING gin (word gin_trgm_ops);\n");
	assert_int_equal(scalar_long(c, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), 0);
	apply(c, r.out);
	result_free(&r);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	drop_model(path);
	finish(c);
}

/* A type change converts as the model's "using (EXPR)" says; a default
 * that would not cast is dropped first and the model's set after. */
static void test_using(void **state)
{
	(void)state;
	char db[64];
	PGconn *c = fresh_db("using", db, sizeof db);
	char *path = write_model("conv.model", "table items {\n"
	                                       "  id    integer  primary key\n"
	                                       "  code  integer  not null  using (length(code) * 10)\n"
	                                       "  n     integer  not null  default 0\n"
	                                       "}\n");
	exec_ok(c, "CREATE TABLE items (id integer NOT NULL, code text NOT NULL, n text NOT NULL DEFAULT 'zero', "
	           "CONSTRAINT pk_items PRIMARY KEY (id));"
	           "INSERT INTO items VALUES (1, 'abc', '5')");
	result r = check(path, db, NULL);
	expect_rc(&r, 1);
	assert_string_equal(r.out, "-- RISKY: column items.code has type text in the database, integer in the model\n"
	                           "ALTER TABLE items ALTER COLUMN code TYPE integer USING (length(code) * 10);\n\n"
	                           "-- column items.n has the default 'zero'::text in the database, 0 in the model, and "
	                           "changes type\nALTER TABLE items ALTER COLUMN n DROP DEFAULT;\n\n"
	                           "-- RISKY: column items.n has type text in the database, integer in the model\n"
	                           "ALTER TABLE items ALTER COLUMN n TYPE integer USING n::integer;\n\n"
	                           "-- column items.n gets the model's default after its type change\n"
	                           "ALTER TABLE items ALTER COLUMN n SET DEFAULT 0;\n");
	apply(c, r.out);
	result_free(&r);
	assert_int_equal(scalar_long(c, "SELECT code + n FROM items"), 35);
	r = check(path, db, NULL);
	expect_rc(&r, 0);
	result_free(&r);
	drop_model(path);
	finish(c);
}

static void test_errors(void **state)
{
	(void)state;
	char db[64];
	PGconn *c = fresh_db("errors", db, sizeof db);
	finish(c);
	/* the DDL fails in the scratch schema: an error with the server's message */
	char *path = write_model("bad.model", "table t {\n"
	                                      "  id  integer  primary key\n"
	                                      "  n   integer  not null  default modelc_no_such_function()\n"
	                                      "}\n");
	result r = check(path, db, NULL);
	expect_rc(&r, 2);
	assert_string_equal(r.out, "");
	if (!strstr(r.err, "the model's DDL does not run in a scratch schema (bad.sql, line 5)") ||
	    !strstr(r.err, "function modelc_no_such_function() does not exist"))
		fail_msg("unexpected error: %s", r.err);
	result_free(&r);
	drop_model(path);
	/* an extension the server does not have */
	path = write_model("bad.model", "extension modelc_no_such_extension\n\n"
	                                "table t {\n  id  integer  primary key\n}\n");
	r = check(path, db, NULL);
	expect_rc(&r, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "cannot create extension modelc_no_such_extension"));
	result_free(&r);
	drop_model(path);

	loaded L;
	load(&L, example_path("blog"));
	buf out, err;
	buf_init(&out);
	buf_init(&err);
	assert_int_equal(mig_live_check(L.m, "host=/nonexistent/modelc port=1 connect_timeout=2", &out, &err), 2);
	assert_non_null(strstr(buf_cstr(&err), "cannot connect"));
	assert_int_equal(out.len, 0);
	buf_free(&out);
	buf_free(&err);
	unload(&L);
}

/* ---- main ---------------------------------------------------------------------- */

static int cleanup(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++)
		if (open_conns[i])
			finish(open_conns[i]);
	if (current)
		unload(current);
	for (int i = 0; i < 8; i++)
		release(pending[i]);
	return 0;
}

static int drop_all(void **state)
{
	(void)state;
	char ci[256];
	snprintf(ci, sizeof ci, "dbname=%s", admin_db());
	PGconn *admin = PQconnectdb(ci);
	if (PQstatus(admin) != CONNECTION_OK) {
		PQfinish(admin);
		return ncreated ? -1 : 0;
	}
	PQsetNoticeProcessor(admin, ignore_notice, NULL);
	int rc = 0;
	for (int i = 0; i < ncreated; i++) {
		char sql[256];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", created_dbs[i]);
		PGresult *r = PQexec(admin, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = -1;
		PQclear(r);
	}
	PQfinish(admin);
	return rc;
}

int main(void)
{
	static const char *models[] = { "blog", "shop", "ledger", "access" };
	static char names[8][64];
	struct CMUnitTest tests[32];
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		snprintf(names[i], sizeof names[i], "no drift: %s", models[i]);
		struct CMUnitTest t = { names[i], test_no_drift, NULL, cleanup, (void *)models[i] };
		tests[n++] = t;
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(names[4 + i], sizeof names[0], "empty database: %s", models[i]);
		struct CMUnitTest t = { names[4 + i], test_empty_db, NULL, cleanup, (void *)models[i] };
		tests[n++] = t;
	}
	const struct CMUnitTest more[] = {
		cmocka_unit_test_teardown(test_no_drift_other_schema, cleanup),
		cmocka_unit_test_teardown(test_blog_drift, cleanup),
		cmocka_unit_test_teardown(test_blog_missing, cleanup),
		cmocka_unit_test_teardown(test_ledger_drift, cleanup),
		cmocka_unit_test_teardown(test_shop_generated_identity, cleanup),
		cmocka_unit_test_teardown(test_shop_renames, cleanup),
		cmocka_unit_test_teardown(test_enum_labels, cleanup),
		cmocka_unit_test_teardown(test_extension, cleanup),
		cmocka_unit_test_teardown(test_using, cleanup),
		cmocka_unit_test_teardown(test_errors, cleanup),
	};
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		tests[n++] = more[i];
	return _cmocka_run_group_tests("migrate check: live database against the model", tests, n, NULL, drop_all);
}

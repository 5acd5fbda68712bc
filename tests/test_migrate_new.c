/* test_migrate_new.c - `modelc migrate new` against a real server: for each
 * model change v1 -> v2, the generated upgrade applied to a database built
 * by the v1 migration (with rows in it) gives the same schema as v2's own
 * DDL, and the downgrade gives v1's schema back (compared as pg_dump
 * output). Also: refusals, rename hints, determinism, --check. */
#include "testutil.h"

#include <libpq-fe.h>
#include <stdbool.h>

static char *dir_of(const char *tag)
{
	char *d = tu_tempdir(tag);
	assert_non_null(d);
	return d;
}

static tu_run modelc(const char *cwd, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
                     const char *a6)
{
	const char *argv[] = { tu_modelc(), a1, a2, a3, a4, a5, a6, NULL };
	return tu_exec(cwd, argv);
}

static void sql_ok(const char *db, const char *sql)
{
	char ci[256];
	snprintf(ci, sizeof ci, "dbname=%s", db);
	PGconn *c = PQconnectdb(ci);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s\n%s", db, PQerrorMessage(c), sql);
	PQclear(r);
	PQfinish(c);
}

static char *sql_value(const char *db, const char *sql)
{
	char ci[256];
	snprintf(ci, sizeof ci, "dbname=%s", db);
	PGconn *c = PQconnectdb(ci);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
		fail_msg("%s: %s\n%s", db, PQerrorMessage(c), sql);
	char *v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}

static void fresh_db(const char *db)
{
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
	sql_ok("postgres", sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	sql_ok("postgres", sql);
}

static void drop_db(const char *db)
{
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
	sql_ok("postgres", sql);
}

/* Runs one section of a migration file, statement by statement (each
 * generated statement ends with ";\n"), outside any transaction: what
 * runs in which transaction is the runner's business, tested elsewhere. */
static void apply_section(const char *db, const char *path, bool upgrade)
{
	char *text = tu_read(path, NULL);
	assert_non_null(text);
	char *up = strstr(text, "\n-- +modelc upgrade\n"), *down = strstr(text, "\n-- +modelc downgrade\n");
	assert_non_null(up);
	assert_non_null(down);
	char *p = upgrade ? up + 1 : down + 1;
	if (upgrade)
		*down = '\0';
	for (;;) {
		char *end = strstr(p, ";\n");
		if (!end)
			break;
		*end = '\0';
		/* skip the comment lines before the statement */
		while (strncmp(p, "\n", 1) == 0 || strncmp(p, "--", 2) == 0) {
			char *nl = strchr(p, '\n');
			if (!nl)
				break;
			p = nl + 1;
		}
		if (*p)
			sql_ok(db, p);
		p = end + 2;
	}
	free(text);
}

static int by_line(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The schema of db as pg_dump writes it, as sorted lines without trailing
 * commas: column order may differ (a migration appends columns), nothing
 * else may. */
static char *schema_of(const char *db)
{
	const char *argv[] = { "pg_dump", "-s", "--no-owner", "--no-privileges", "--exclude-table=modelc_migrations",
		               "-d", db, NULL };
	tu_run r = tu_exec(NULL, argv);
	if (r.status != 0)
		fail_msg("pg_dump %s: %s", db, r.err);
	size_t n = 0, cap = 64;
	char **lines = malloc(cap * sizeof *lines);
	for (char *save = NULL, *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(l);
		if (len && l[len - 1] == ',')
			l[len - 1] = '\0';
		/* comments, and pg_dump's \\restrict lines with their random keys */
		if (strncmp(l, "--", 2) == 0 || !*l || strncmp(l, "\\restrict", 9) == 0 ||
		    strncmp(l, "\\unrestrict", 11) == 0)
			continue;
		if (n == cap)
			lines = realloc(lines, (cap *= 2) * sizeof *lines);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof *lines, by_line);
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += strlen(lines[i]) + 1;
	char *out = malloc(total), *w = out;
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, "%s\n", lines[i]);
	*w = '\0';
	free(lines);
	tu_run_free(&r);
	return out;
}

/* The model's own DDL (modelc app.model -o DIR) in a fresh database. */
static void load_model_ddl(const char *db, const char *dir, const char *model_file)
{
	char out[4200];
	snprintf(out, sizeof out, "%s/ddl", dir);
	tu_run r = modelc(dir, model_file, "-o", out, NULL, NULL, NULL);
	if (r.status != 0)
		fail_msg("modelc %s: %s", model_file, r.err);
	tu_run_free(&r);
	char path[4300];
	snprintf(path, sizeof path, "%s/%s.sql", out, "app");
	char *sql = tu_read(path, NULL);
	fresh_db(db);
	sql_ok(db, sql);
	free(sql);
}

static void assert_same_schema(const char *a, const char *b)
{
	char *sa = schema_of(a), *sb = schema_of(b);
	if (strcmp(sa, sb) != 0) {
		/* the first differing line, for the failure message */
		const char *p = sa, *q = sb;
		while (*p && *p == *q)
			p++, q++;
		while (p > sa && p[-1] != '\n')
			p--;
		while (q > sb && q[-1] != '\n')
			q--;
		fail_msg("schemas of %s and %s differ:\n  %.120s\nvs\n  %.120s", a, b, p, q);
	}
	free(sa);
	free(sb);
}

/* The newest NNNN_*.sql of dir/migrations (numbers sort as text). */
static char *newest(const char *dir, int *count)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/migrations", dir);
	DIR *d = opendir(path);
	assert_non_null(d);
	char best[512] = "";
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0) {
			n++;
			if (strcmp(e->d_name, best) > 0)
				snprintf(best, sizeof best, "%s", e->d_name);
		}
	}
	closedir(d);
	if (count)
		*count = n;
	char *r = malloc(strlen(path) + strlen(best) + 2);
	sprintf(r, "%s/%s", path, best);
	return r;
}

typedef struct scenario {
	const char *name;
	const char *v1, *v2;
	const char *seed;         /* SQL run on the v1 database before upgrading */
	const char *opt;          /* an extra option of migrate new, or NULL */
	const char *after;        /* a query on the upgraded database ... */
	const char *want;         /* ... and its expected first value */
	const char *must_have;    /* a line the migration must contain */
	bool down_keeps_labels;   /* enum values added stay after the downgrade */
} scenario;

static void run_scenario(const scenario *s)
{
	char *dir = dir_of(s->name);
	char model[4200];
	snprintf(model, sizeof model, "%s/app.model", dir);
	tu_write(model, s->v1);
	tu_run r = modelc(dir, "migrate", "new", "-m", "first", "app.model", NULL);
	if (r.status != 0)
		fail_msg("%s v1: %s%s", s->name, r.out, r.err);
	tu_run_free(&r);
	char *m1 = newest(dir, NULL);

	const char *a = "modelc_mig_a", *b = "modelc_mig_b";
	fresh_db(a);
	apply_section(a, m1, true);
	load_model_ddl(b, dir, "app.model");
	assert_same_schema(a, b);          /* the first migration is the model's DDL */
	if (s->seed)
		sql_ok(a, s->seed);

	tu_write(model, s->v2);
	r = modelc(dir, "migrate", "new", "-m", "second", "app.model", s->opt);
	if (r.status != 0)
		fail_msg("%s v2: %s%s", s->name, r.out, r.err);
	tu_run_free(&r);
	int count;
	char *m2 = newest(dir, &count);
	assert_int_equal(count, 2);
	if (s->must_have) {
		char *text = tu_read(m2, NULL);
		if (!strstr(text, s->must_have))
			fail_msg("%s: the migration lacks '%s':\n%s", s->name, s->must_have, text);
		free(text);
	}

	/* upgrade = v2's DDL, data kept */
	apply_section(a, m2, true);
	load_model_ddl(b, dir, "app.model");
	assert_same_schema(a, b);
	if (s->after) {
		char *v = sql_value(a, s->after);
		assert_string_equal(v, s->want);
		free(v);
	}

	/* nothing changed now: nothing written, --check passes */
	r = modelc(dir, "migrate", "new", "-m", "again", "app.model", NULL);
	if (r.status != 0)
		fail_msg("%s again: %s%s", s->name, r.out, r.err);
	assert_non_null(strstr(r.out, "no changes"));
	tu_run_free(&r);
	r = modelc(dir, "migrate", "new", "--check", "app.model", NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	free(newest(dir, &count));
	assert_int_equal(count, 2);

	/* downgrade = v1's DDL (PostgreSQL cannot drop enum values: those
	 * added stay, which the file says) */
	apply_section(a, m2, false);
	tu_write(model, s->v1);
	if (s->down_keeps_labels) {
		char *v = sql_value(a, "SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum");
		assert_string_equal(v, "pending,active,suspended,banned,archived");
		free(v);
	} else {
		load_model_ddl(b, dir, "app.model");
		assert_same_schema(a, b);
	}

	/* and the model is back at v1: --check says so */
	r = modelc(dir, "migrate", "new", "--check", "app.model", NULL, NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);

	drop_db(a);
	drop_db(b);
	free(m1);
	free(m2);
	tu_rm_rf(dir);
	free(dir);
}

static const char blog_v1[] =
	"enum user_status { active, suspended, banned }\n"
	"table users {\n"
	"  id     uuid          primary key  default gen_random_uuid()\n"
	"  email  varchar(255)  not null  unique\n"
	"  name   text          not null\n"
	"  status user_status   not null  default 'active'\n"
	"  index (status)\n"
	"}\n"
	"table posts {\n"
	"  id         bigserial  primary key\n"
	"  author_id  uuid       not null  references users(id) on delete cascade\n"
	"  title      text       not null\n"
	"  views      integer    not null  default 0\n"
	"  index (author_id)\n"
	"}\n"
	"table roles {\n"
	"  id    serial  primary key\n"
	"  name  text    not null  unique\n"
	"}\n"
	"table user_roles {\n"
	"  user_id  uuid     not null  references users(id) on delete cascade\n"
	"  role_id  integer  not null  references roles(id) on delete cascade\n"
	"  primary key (user_id, role_id)\n"
	"}\n";

static const char blog_seed[] =
	"INSERT INTO users (email, name) VALUES ('a@x', 'Ada'), ('b@x', 'Bob');"
	"INSERT INTO posts (author_id, title, views) SELECT id, 'hello', 3 FROM users;"
	"INSERT INTO roles (name) VALUES ('admin');"
	"INSERT INTO user_roles SELECT u.id, r.id FROM users u, roles r;";

/* renames (column, table with its serial and conventional names), enum
 * values, a widened type, new columns, a changed default */
static void test_renames_and_additions(void **state)
{
	(void)state;
	static const char v2[] =
		"enum user_status { active, suspended, banned }\n"
		"table users {\n"
		"  id         uuid          primary key  default gen_random_uuid()\n"
		"  email      varchar(255)  not null  unique\n"
		"  /// The name shown on posts.\n"
		"  full_name  text          not null  renamed from name\n"
		"  status     user_status   not null  default 'active'\n"
		"  bio        text\n"
		"  index (status)\n"
		"}\n"
		"table posts {\n"
		"  id         bigserial  primary key\n"
		"  author_id  uuid       not null  references users(id) on delete cascade\n"
		"  title      text       not null\n"
		"  views      bigint     not null  default 1\n"
		"  score      numeric(8,2)  not null  default 0\n"
		"  index (author_id)\n"
		"}\n"
		"table groups {\n"
		"  renamed from roles\n"
		"  id    serial  primary key\n"
		"  name  text    not null  unique\n"
		"}\n"
		"table user_roles {\n"
		"  user_id  uuid     not null  references users(id) on delete cascade\n"
		"  role_id  integer  not null  references groups(id) on delete cascade\n"
		"  primary key (user_id, role_id)\n"
		"}\n";
	scenario s = { "renames", blog_v1, v2, blog_seed, NULL,
	               "SELECT string_agg(u.full_name || ':' || g.name || ':' || p.views, ',' ORDER BY u.full_name) "
	               "FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN groups g ON g.id = ur.role_id "
	               "JOIN posts p ON p.author_id = u.id",
	               "Ada:admin:3,Bob:admin:3", "ALTER TABLE roles RENAME TO groups;", false };
	run_scenario(&s);
}

/* enum values: added before anything can use them, outside the
 * transaction, in their place; a changed doc comment */
static void test_enum_values(void **state)
{
	(void)state;
	char v2[sizeof blog_v1 + 64];
	const char *rest = strchr(blog_v1, '\n') + 1;
	snprintf(v2, sizeof v2, "/// Who can log in.\nenum user_status { pending, active, suspended, banned, archived }\n%s",
	         rest);
	scenario s = { "enums", blog_v1, v2, blog_seed, NULL,
	               "SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum",
	               "pending,active,suspended,banned,archived",
	               "-- +modelc no-transaction\n-- add value 'pending' to enum user_status\n"
	               "ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'pending' BEFORE 'active';\n",
	               true };
	run_scenario(&s);
}

/* indexes and constraints: a changed predicate, expression and partial
 * indexes, a new check and unique constraint, a changed foreign key action,
 * nullability, docs */
static void test_indexes_and_constraints(void **state)
{
	(void)state;
	static const char v1[] =
		"table items {\n"
		"  id     bigserial  primary key\n"
		"  sku    text       not null\n"
		"  price  numeric(10,2)  not null\n"
		"  note   text       not null  default ''\n"
		"  owner  bigint     references items(id)\n"
		"  index (sku) where price > 0\n"
		"  index ix_items_lower_sku ((lower(sku)))\n"
		"}\n";
	static const char v2[] =
		"/// Things we sell.\n"
		"table items {\n"
		"  id     bigserial  primary key\n"
		"  sku    text       not null\n"
		"  price  numeric(10,2)  not null  check (price >= 0)\n"
		"  note   text\n"
		"  owner  bigint     references items(id) on delete set null\n"
		"  unique (sku)\n"
		"  index (sku) where price > 10\n"
		"  index ix_items_lower_sku ((lower(sku)))\n"
		"  index (owner) include (price)\n"
		"}\n";
	scenario s = { "constraints", v1, v2,
	               "INSERT INTO items (sku, price) VALUES ('a', 1), ('b', 20);", "--allow-destructive",
	               "SELECT count(*) FROM items WHERE note = ''", "2",
	               "-- RISKY: add unique constraint uq_items_sku to items", false };
	run_scenario(&s);
}

/* drops need --allow-destructive; without it nothing is written, and a drop
 * next to a new column of the same type suggests 'renamed from' */
static void test_destructive_refused_then_allowed(void **state)
{
	(void)state;
	char *dir = dir_of("destructive");
	char model[4200];
	snprintf(model, sizeof model, "%s/app.model", dir);
	tu_write(model, "table t {\n  id bigint primary key\n  name text not null\n  legacy text\n}\ntable old { id int primary key }\n");
	tu_run r = modelc(dir, "migrate", "new", "-m", "one", "app.model", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *state_before = NULL;
	{
		char sp[4300];
		snprintf(sp, sizeof sp, "%s/migrations/state.model", dir);
		state_before = tu_read(sp, NULL);
	}
	tu_write(model, "table t {\n  id bigint primary key\n  title text not null\n}\n");
	r = modelc(dir, "migrate", "new", "-m", "two", "app.model", NULL);
	assert_int_equal(r.status, 1);
	const char *want =
		"app.model:1:7: error: the migration drops column 'legacy' of table 't'\n"
		"    1 | table t {\n"
		"      |       ^\n"
		"  hint: data would be lost; run again with --allow-destructive to accept it\n"
		"app.model:3:3: error: column 't.title' is new and column 'name' would be dropped\n"
		"    3 |   title text not null\n"
		"      |   ^~~~~\n"
		"  hint: if it was renamed, add 'renamed from' to the model; to drop it for real, run again with "
		"--allow-destructive\n"
		"app.model:3:3: error: the migration adds the NOT NULL column 't.title' without a default (fails if the "
		"table has rows)\n";
	if (strncmp(r.err, want, strlen(want)) != 0)
		fail_msg("got:\n%s", r.err);
	assert_non_null(strstr(r.err, "modelc: error: the migration drops table 'old'\n"));
	tu_run_free(&r);
	int count;
	free(newest(dir, &count));
	assert_int_equal(count, 1);        /* nothing written */
	{
		char sp[4300];
		snprintf(sp, sizeof sp, "%s/migrations/state.model", dir);
		char *after = tu_read(sp, NULL);
		assert_string_equal(after, state_before);
		free(after);
	}
	free(state_before);

	r = modelc(dir, "migrate", "new", "-m", "two", "app.model", "--allow-destructive");
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *m2 = newest(dir, &count);
	assert_int_equal(count, 2);
	char *text = tu_read(m2, NULL);
	assert_non_null(strstr(text, "-- DESTRUCTIVE: drop column t.legacy (its data is lost)\nALTER TABLE t DROP COLUMN legacy;\n"));
	assert_non_null(strstr(text, "-- DESTRUCTIVE: drop table old (its rows are lost)\nDROP TABLE old;\n"));
	assert_non_null(strstr(text, "-- add column t.legacy back (structure only: its data is not restored)\n"));
	free(text);
	free(m2);
	tu_rm_rf(dir);
	free(dir);
}

/* the same history gives the same bytes, and the file's layout */
static void test_deterministic(void **state)
{
	(void)state;
	char *text[2];
	for (int k = 0; k < 2; k++) {
		char *dir = dir_of("determinism");
		char model[4200];
		snprintf(model, sizeof model, "%s/app.model", dir);
		tu_write(model, blog_v1);
		tu_run r = modelc(dir, "migrate", "new", "-m", "Create the blog!", "app.model", NULL);
		assert_int_equal(r.status, 0);
		tu_run_free(&r);
		char *m1 = newest(dir, NULL);
		assert_non_null(strstr(m1, "/migrations/0001_create_the_blog.sql"));
		text[k] = tu_read(m1, NULL);
		free(m1);
		tu_rm_rf(dir);
		free(dir);
	}
	assert_string_equal(text[0], text[1]);
	assert_true(strncmp(text[0],
	                    "-- modelc migration 0001_create_the_blog\n"
	                    "-- revision: 0001_create_the_blog\n"
	                    "-- follows: base\n"
	                    "-- message: Create the blog!\n"
	                    "-- from-state: empty\n"
	                    "-- to-state: sha256:",
	                    200) == 0 || strstr(text[0], "-- follows: base\n"));
	assert_non_null(strstr(text[0], "\n-- +modelc upgrade\n\n-- create enum type user_status\n"
	                                "CREATE TYPE user_status AS ENUM ('active', 'suspended', 'banned');\n"));
	free(text[0]);
	free(text[1]);
}

/* a type change converts with the model's 'using' when it has one */
static void test_type_change_using(void **state)
{
	(void)state;
	static const char v1[] = "table t {\n  id bigint primary key\n  code text not null\n  n smallint\n}\n";
	static const char v2[] = "table t {\n  id bigint primary key\n  code integer not null using (length(code) * 10)\n"
	                         "  n bigint\n}\n";
	scenario s = { "using", v1, v2, "INSERT INTO t VALUES (1, 'abc', 7)", "--allow-destructive",
	               "SELECT code || ':' || n FROM t", "30:7",
	               "-- RISKY: change the type of t.code from text to integer\n"
	               "ALTER TABLE t ALTER COLUMN code TYPE integer USING length(code) * 10;\n"
	               "\n-- change the type of t.n from smallint to bigint\n"
	               "ALTER TABLE t ALTER COLUMN n TYPE bigint USING n::bigint;\n",
	               false };
	run_scenario(&s);
}

/* --concurrently: an index on an existing table is built outside the
 * migration's transaction, after the rest */
static void test_concurrently(void **state)
{
	(void)state;
	static const char v1[] = "table t {\n  id bigint primary key\n  a int\n}\n";
	static const char v2[] = "table t {\n  id bigint primary key\n  a int\n  index (a)\n}\n";
	scenario s = { "concurrently", v1, v2, "INSERT INTO t VALUES (1, 1)", "--concurrently",
	               "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_t_a'",
	               "CREATE INDEX ix_t_a ON public.t USING btree (a)",
	               "-- +modelc no-transaction\n-- create index ix_t_a concurrently (outside a transaction)\n"
	               "CREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n", false };
	run_scenario(&s);
}

static tu_run modelc8(const char *cwd, const char *a1, const char *a2, const char *a3, const char *a4,
                      const char *a5, const char *a6, const char *a7)
{
	const char *argv[] = { tu_modelc(), a1, a2, a3, a4, a5, a6, a7, NULL };
	return tu_exec(cwd, argv);
}

/* the whole workflow: new, up, check against the live database, a model
 * change seen by check, the next migration, down */
static void test_workflow(void **state)
{
	(void)state;
	char *dir = dir_of("workflow");
	char model[4200];
	snprintf(model, sizeof model, "%s/app.model", dir);
	const char *db = "dbname=modelc_mig_flow";
	fresh_db("modelc_mig_flow");
	tu_write(model, blog_v1);
	tu_run r = modelc(dir, "migrate", "new", "-m", "create the blog", "app.model", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	r = modelc(dir, "migrate", "up", "--db", db, NULL, NULL);
	if (r.status != 0)
		fail_msg("up: %s%s", r.out, r.err);
	tu_run_free(&r);
	r = modelc8(dir, "migrate", "check", "app.model", "--db", db, NULL, NULL);
	if (r.status != 0)
		fail_msg("check: %s%s", r.out, r.err);
	assert_string_equal(r.out, "migrations: 1 in migrations, checksums verified\n"
	                           "model: no changes since the newest migration\n"
	                           "database: matches the model\n");
	tu_run_free(&r);

	/* the model moves on: check sees it, in the files and in the database */
	char v2[sizeof blog_v1 + 64];
	const char *at = strstr(blog_v1, "  index (status)\n");
	snprintf(v2, sizeof v2, "%.*s  bio text\n%s", (int)(at - blog_v1), blog_v1, at);
	tu_write(model, v2);
	r = modelc8(dir, "migrate", "check", "app.model", "--db", db, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "model: app.model has changes without a migration"));
	assert_non_null(strstr(r.out, "ALTER TABLE users ADD COLUMN bio text;"));
	tu_run_free(&r);
	r = modelc(dir, "migrate", "new", "--check", "app.model", NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "add column users.bio"));
	tu_run_free(&r);

	r = modelc(dir, "migrate", "new", "-m", "bios", "app.model", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	r = modelc(dir, "migrate", "up", "--db", db, NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	r = modelc8(dir, "migrate", "check", "app.model", "--db", db, NULL, NULL);
	if (r.status != 0)
		fail_msg("check after 0002: %s%s", r.out, r.err);
	tu_run_free(&r);

	/* down one: the database lacks bio again */
	r = modelc(dir, "migrate", "down", "--db", db, NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	r = modelc8(dir, "migrate", "check", "app.model", "--db", db, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "model: no changes since the newest migration"));
	assert_non_null(strstr(r.out, "ADD COLUMN bio text"));
	tu_run_free(&r);
	drop_db("modelc_mig_flow");
	tu_rm_rf(dir);
	free(dir);
}

/* examples/migrations is the blog example's history: it must stay in step
 * with examples/blog.model and its checksums */
static void test_example_history(void **state)
{
	(void)state;
	char path[4200], dir[4200];
	snprintf(path, sizeof path, "%s/examples/blog.model", tu_root());
	snprintf(dir, sizeof dir, "%s/examples/migrations", tu_root());
	tu_run r = modelc8(NULL, "migrate", "check", path, "--dir", dir, "--offline", NULL);
	if (r.status != 0)
		fail_msg("%s%s", r.out, r.err);
	tu_run_free(&r);
}

/* ---- a history of 17 revisions (tests/revisions/rNN.model) -------------------- */

#define NREV 17

static const struct {
	const char *seed;    /* run once, after the first up to the revision */
	const char *probe;   /* a query valid at the revision ... */
	const char *want;    /* ... and its value, whatever way the database got there */
	const char *kept;    /* a line the downgrade cannot remove (an enum label) */
	const char *first;   /* the probe's value right after the first up, when the
	                      * down/up round trip changes it (a one-way USING) */
} revs[NREV + 1] = {
	[1] = { "INSERT INTO users (email, name) VALUES ('a@x', 'Ada'), ('b@x', 'Bob');"
	        "INSERT INTO posts (author_id, title, views) SELECT id, 'hello', 5 FROM users",
	        "SELECT string_agg(name || ':' || email, ',' ORDER BY name) FROM users", "Ada:a@x,Bob:b@x", NULL },
	[2] = { "INSERT INTO tags (name) VALUES ('news')",
	        "SELECT string_agg(name || ':' || coalesce(bio, '-'), ',' ORDER BY name) FROM users", "Ada:-,Bob:-", NULL },
	[3] = { NULL, "SELECT string_agg(full_name, ',' ORDER BY full_name) FROM users", "Ada,Bob", NULL },
	[4] = { NULL, "SELECT sum(views) FROM posts", "10", NULL },
	[5] = { NULL, "SELECT string_agg(status::text, ',') FROM users", "active,active", "'banned'" },
	[6] = { NULL, "SELECT string_agg(name, ',') FROM labels", "news", NULL },
	[7] = { NULL, "SELECT count(*) FROM posts", "2", NULL },
	[8] = { NULL, "SELECT full_name FROM users WHERE lower(email) = 'a@x'", "Ada", NULL },
	[9] = { NULL, "SELECT count(*) FROM posts WHERE views > 10", "0", NULL },
	[10] = { "UPDATE users SET bio = '' WHERE bio IS NULL", "SELECT count(*) FROM post_labels", "0", NULL },
	[11] = { NULL, "SELECT string_agg(coalesce(title, '-'), ',') FROM posts", "hello,hello", NULL },
	[12] = { NULL, "SELECT obj_description('users'::regclass)", "People with an account.", NULL },
	[13] = { "UPDATE posts SET code = 'abcd'",
	         "SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum e "
	         "JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'user_status'",
	         "active,paused,banned", NULL },
	/* 'abcd' -> length 4; the downgrade's code::text gives '4', and the
	 * next up length('4') = 1: a USING is one-way */
	[14] = { NULL, "SELECT sum(code) FROM posts", "2", NULL, "8" },
	[15] = { NULL, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'",
	         "0", NULL },
	[16] = { NULL, "SELECT string_agg(kind::text, ',') FROM posts", "article,article", NULL },
	[17] = { NULL, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_users_email_lower'", "0", NULL },
};

static void probe(const char *db, int k)
{
	char *v = sql_value(db, revs[k].probe);
	if (strcmp(v, revs[k].want) != 0)
		fail_msg("r%02d: %s gave '%s', want '%s'", k, revs[k].probe, v, revs[k].want);
	free(v);
}

/* a fresh database from revision k's own DDL (k = 0: empty) */
static void fresh_from_revision(const char *db, const char *dir, int k)
{
	if (k == 0) {
		fresh_db(db);
		return;
	}
	char src[4200], dst[4200];
	snprintf(src, sizeof src, "%s/tests/revisions/r%02d.model", tu_root(), k);
	snprintf(dst, sizeof dst, "%s/app.model", dir);
	char *text = tu_read(src, NULL);
	tu_write(dst, text);
	free(text);
	load_model_ddl(db, dir, "app.model");
}

static void same_schema_but(const char *a, const char *b, const char *kept, int k)
{
	char *sa = schema_of(a), *sb = schema_of(b);
	if (kept) {
		char *at = strstr(sa, kept);
		assert_non_null(at);
		char *nl = strchr(at, '\n');
		while (at > sa && at[-1] != '\n')
			at--;
		memmove(at, nl + 1, strlen(nl + 1) + 1);
	}
	if (strcmp(sa, sb) != 0)
		fail_msg("r%02d: the migrated schema differs from the revision's DDL", k);
	free(sa);
	free(sb);
}

static const char *rev_name(const char *dir, int k)
{
	static char name[512];
	char path[4200];
	snprintf(path, sizeof path, "%s/migrations", dir);
	DIR *d = opendir(path);
	struct dirent *e;
	name[0] = '\0';
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "00", 2) == 0 && atoi(e->d_name) == k)
			snprintf(name, sizeof name, "%.*s", (int)(strlen(e->d_name) - 4), e->d_name);
	closedir(d);
	assert_true(name[0]);
	return name;
}

static void migrate_ok(const char *dir, const char *cmd, const char *arg)
{
	tu_run r = arg ? modelc8(dir, "migrate", cmd, arg, "--db", "dbname=modelc_mig_seq", NULL, NULL)
	               : modelc8(dir, "migrate", cmd, "--db", "dbname=modelc_mig_seq", NULL, NULL, NULL);
	if (r.status != 0)
		fail_msg("migrate %s %s: %s%s", cmd, arg ? arg : "", r.out, r.err);
	tu_run_free(&r);
}

/* every revision: up to it = its DDL; down one = the previous revision's;
 * rows survive both ways; down base leaves nothing; `sql` through psql
 * gives what `up` gives */
static void test_revision_history(void **state)
{
	(void)state;
	char *dir = dir_of("history"), *ddl = dir_of("history-ddl");
	char model[4200];
	snprintf(model, sizeof model, "%s/app.model", dir);
	for (int k = 1; k <= NREV; k++) {
		char src[4200], msg[32];
		snprintf(src, sizeof src, "%s/tests/revisions/r%02d.model", tu_root(), k);
		char *text = tu_read(src, NULL);
		assert_non_null(text);
		tu_write(model, text);
		free(text);
		snprintf(msg, sizeof msg, "revision %d", k);
		tu_run r = modelc(dir, "migrate", "new", "-m", msg, "app.model", "--allow-destructive");
		if (r.status != 0)
			fail_msg("r%02d: %s%s", k, r.out, r.err);
		tu_run_free(&r);
	}
	const char *db = "modelc_mig_seq", *ref = "modelc_mig_ref";
	fresh_db(db);
	for (int k = 1; k <= NREV; k++) {
		migrate_ok(dir, "up", rev_name(dir, k));
		fresh_from_revision(ref, ddl, k);
		same_schema_but(db, ref, NULL, k);
		if (revs[k].first) {
			char *v = sql_value(db, revs[k].probe);
			assert_string_equal(v, revs[k].first);
			free(v);
		}
		migrate_ok(dir, "down", NULL);
		fresh_from_revision(ref, ddl, k - 1);
		same_schema_but(db, ref, revs[k].kept, k);
		if (k > 1)
			probe(db, k - 1);
		migrate_ok(dir, "up", rev_name(dir, k));
		if (revs[k].seed)
			sql_ok(db, revs[k].seed);
		probe(db, k);
	}
	/* the offline SQL, run by psql, builds what up built */
	char range[600];
	snprintf(range, sizeof range, "base:%s", rev_name(dir, NREV));
	tu_run r = modelc8(dir, "migrate", "sql", range, NULL, NULL, NULL, NULL);
	if (r.status != 0)
		fail_msg("sql: %s", r.err);
	char sqlpath[4300];
	snprintf(sqlpath, sizeof sqlpath, "%s/all.sql", dir);
	tu_write(sqlpath, r.out);
	tu_run_free(&r);
	fresh_db(ref);
	const char *psql[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", ref, "-f", sqlpath, NULL };
	r = tu_exec(NULL, psql);
	if (r.status != 0)
		fail_msg("psql: %s", r.err);
	tu_run_free(&r);
	same_schema_but(db, ref, NULL, NREV);

	/* down to base: nothing of the schema left */
	migrate_ok(dir, "down", "base");
	char *left = sql_value(db, "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
	                           "tablename <> 'modelc_migrations') || ':' || (SELECT count(*) FROM pg_type t JOIN "
	                           "pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e')");
	assert_string_equal(left, "0:0");
	free(left);
	drop_db(db);
	drop_db(ref);
	tu_rm_rf(dir);
	tu_rm_rf(ddl);
	free(dir);
	free(ddl);
}

/* two branches each add the migration after the same revision: once both
 * files and both modelc.sum lines are merged, check reports the fork; an
 * edited migration is reported too */
static void test_branches_and_edits(void **state)
{
	(void)state;
	char *a = dir_of("branch-a"), *b = dir_of("branch-b");
	char model[4200];
	const char *v2[2] = { "table t {\n  id bigint primary key\n  a text\n}\n",
	                      "table t {\n  id bigint primary key\n  b text\n}\n" };
	char *dirs[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		snprintf(model, sizeof model, "%s/app.model", dirs[i]);
		tu_write(model, "table t {\n  id bigint primary key\n}\n");
		tu_run r = modelc(dirs[i], "migrate", "new", "-m", "base", "app.model", NULL);
		assert_int_equal(r.status, 0);
		tu_run_free(&r);
		tu_write(model, v2[i]);
		r = modelc(dirs[i], "migrate", "new", "-m", i ? "add b" : "add a", "app.model", NULL);
		assert_int_equal(r.status, 0);
		tu_run_free(&r);
	}
	/* the merge: b's file next to a's, the sum lines of both */
	char from[4200], to[4200];
	snprintf(from, sizeof from, "%s/migrations/0002_add_b.sql", b);
	snprintf(to, sizeof to, "%s/migrations/0002_add_b.sql", a);
	char *text = tu_read(from, NULL);
	tu_write(to, text);
	free(text);
	snprintf(from, sizeof from, "%s/migrations/modelc.sum", b);
	snprintf(to, sizeof to, "%s/migrations/modelc.sum", a);
	char *sb = tu_read(from, NULL), *sa = tu_read(to, NULL);
	char *line = strstr(sb, "0002_add_b ");
	assert_non_null(line);
	char *merged = malloc(strlen(sa) + strlen(sb) + 1);
	char *st = strstr(sa, "state.model ");
	sprintf(merged, "%.*s%.*s%s", (int)(st - sa), sa, (int)(strchr(line, '\n') + 1 - line), line, st);
	tu_write(to, merged);
	free(merged);
	free(sa);
	free(sb);
	tu_run r = modelc8(a, "migrate", "check", "app.model", "--offline", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	if (!strstr(r.err, "0002_add_a.sql") || !strstr(r.err, "0002_add_b.sql"))
		fail_msg("the fork is not reported with both files:\n%s", r.err);
	tu_run_free(&r);

	/* an edit after generation */
	snprintf(to, sizeof to, "%s/migrations/0002_add_b.sql", b);
	text = tu_read(to, NULL);
	char *edited = malloc(strlen(text) + 32);
	sprintf(edited, "%s-- a reviewer's note\n", text);
	tu_write(to, edited);
	free(edited);
	free(text);
	r = modelc8(b, "migrate", "check", "app.model", "--offline", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "0002_add_b.sql"));
	tu_run_free(&r);
	tu_rm_rf(a);
	tu_rm_rf(b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_destructive_refused_then_allowed),
		cmocka_unit_test(test_renames_and_additions),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_indexes_and_constraints),
		cmocka_unit_test(test_type_change_using),
		cmocka_unit_test(test_concurrently),
		cmocka_unit_test(test_workflow),
		cmocka_unit_test(test_example_history),
		cmocka_unit_test(test_revision_history),
		cmocka_unit_test(test_branches_and_edits),
	};
	return cmocka_run_group_tests_name("migrate_new", tests, NULL, NULL);
}

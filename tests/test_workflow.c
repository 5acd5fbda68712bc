/* test_workflow.c - the everyday commands: `modelc init` (the scaffold is
 * written, checks, builds with -Werror, runs against the cluster, and is
 * never written over), the standard mixins (import std "NAME": the DDL each
 * one gives, loaded into PostgreSQL; unknown names, diagnostics inside them,
 * depfiles), and `modelc ping` (success and each failure's exit status:
 * refused, DNS, authentication, timeout). */
#include "testutil.h"

#include <arpa/inet.h>
#include "pgutil.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#define STD_DB "modelc_wf_std"
#define APP_DB "modelc_wf_app"
#define PW_USER "modelc_pw_user"     /* tests/pg.sh: scram-sha-256 for this role */
#define PW "wf-Secret-42"

static char *path2(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static tu_run modelc(const char *cwd, const char *a1, const char *a2, const char *a3, const char *a4,
                     const char *a5)
{
	const char *argv[] = { tu_modelc(), a1, a2, a3, a4, a5, NULL };
	return tu_exec(cwd, argv);
}

static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "expected to find:\n%s\nin:\n%s\n", needle, hay);
		fail_msg("text not found");
	}
}

static void expect_not_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle)) {
		fprintf(stderr, "did not expect:\n%s\nin:\n%s\n", needle, hay);
		fail_msg("text found");
	}
}

/* the text with each run of blanks made one space: DDL columns are aligned */
static char *squeeze(const char *s)
{
	char *r = malloc(strlen(s) + 1), *p = r;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			if (p == r || p[-1] != ' ')
				*p++ = ' ';
			continue;
		}
		*p++ = *s;
	}
	*p = '\0';
	return r;
}

/* ---- the database ----------------------------------------------------------------- */

/* The first value of a query's first row; caller frees. */
static char *sql_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("query failed");
	}
	char *v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void expect_sql(PGconn *c, const char *sql, const char *want)
{
	char *got = sql_value(c, sql);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s\ngave '%s', expected '%s'\n", sql, got, want);
		free(got);
		fail_msg("unexpected value");
	}
	free(got);
}

/* An empty database called name, connected. */
static PGconn *fresh_db(const char *name)
{
	PGconn *admin = connect_db("postgres");
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	exec_ok(admin, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	exec_ok(admin, sql);
	PQfinish(admin);
	return connect_db(name);
}

static void drop_db(const char *name)
{
	PGconn *admin = connect_db("postgres");
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	exec_ok(admin, sql);
	PQfinish(admin);
}

static void run_sql_file(PGconn *c, const char *path)
{
	char *sql = tu_read(path, NULL);
	assert_non_null(sql);
	exec_ok(c, sql);
	free(sql);
}

/* ---- modelc init ---------------------------------------------------------------------- */

static const char *const scaffold[] = { "app.model", "modelc.mk", "app_demo.c", "README-modelc.md",
	                                "migrations/.keep" };
#define NSCAFFOLD (sizeof scaffold / sizeof scaffold[0])

static char *pg_includedir(void)
{
	FILE *p = popen("pg_config --includedir 2>/dev/null", "r");
	char line[1024] = "";
	if (p) {
		if (!fgets(line, sizeof line, p))
			line[0] = '\0';
		pclose(p);
	}
	line[strcspn(line, "\n")] = '\0';
	return strdup(line[0] ? line : "/usr/include/postgresql");
}

/* make -f modelc.mk in dir, with the tree's modelc and runtime instead of
 * installed ones, -Werror, and the sanitizers the runtime was built with */
static tu_run make_scaffold(const char *dir, const char *target)
{
	char modelc_var[4200], cflags_var[4400], libs_var[4400], *inc = pg_includedir();
	char *rt = tu_abs(tu_env("MODELC_BUILD", "build-san"));
	snprintf(modelc_var, sizeof modelc_var, "MODELC=%s", tu_modelc());
	snprintf(cflags_var, sizeof cflags_var, "MODELC_CFLAGS=-I%s/src/runtime/include -I%s", tu_root(), inc);
	snprintf(libs_var, sizeof libs_var, "MODELC_LIBS=%s/libmodelc.a -lpq -lpthread", rt);
	const char *argv[] = { "make", "--no-print-directory", "-f", "modelc.mk", modelc_var, cflags_var, libs_var,
		               "CFLAGS=-std=c11 -Wall -Wextra -Werror -pedantic -g",
		               "LDFLAGS=-fsanitize=address,undefined", target, NULL };
	tu_run r = tu_exec(dir, argv);
	free(inc);
	free(rt);
	return r;
}

static void test_init_scaffold(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("init");
	char *dir = path2(tmp, "proj/sub");     /* created, parents too */
	tu_run r = modelc(NULL, "init", dir, NULL, NULL, NULL);
	if (r.status != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < NSCAFFOLD; i++) {
		char *p = path2(dir, scaffold[i]);
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		char *line = malloc(strlen(p) + 16);
		sprintf(line, "created %s\n", p);
		expect_in(r.out, line);
		free(line);
		free(p);
	}
	expect_in(r.out, "make -f modelc.mk");
	tu_run_free(&r);

	/* the model uses every standard mixin, and checks */
	char *model_path = path2(dir, "app.model");
	char *model = tu_read(model_path, NULL);
	for (const char *const *m = (const char *const[]){ "uuid_pk", "bigserial_pk", "timestamps", "soft_delete",
	                                                   "versioned", NULL };
	     *m; m++) {
		char want[64];
		snprintf(want, sizeof want, "import std \"%s\"", *m);
		expect_in(model, want);
	}
	free(model);
	r = modelc(dir, "app.model", "--check", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);

	/* the make fragment: the pattern rule, the depfile include */
	char *mk_path = path2(dir, "modelc.mk");
	char *mk = tu_read(mk_path, NULL);
	expect_in(mk, "$(GEN)/%.c $(GEN)/%.h $(GEN)/%.sql: %.model\n\t$(MODELC) $< -o $(GEN)/ -MD\n");
	expect_in(mk, "-include $(GEN)/*.d\n");
	expect_in(mk, "pkg-config --cflags modelc");
	free(mk);

	/* builds as written: gen/ by modelc, gen/app.o and app_demo with -Werror */
	r = make_scaffold(dir, "modelc-all");
	if (r.status != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	for (const char *const *f = (const char *const[]){ "gen/app.h", "gen/app.c", "gen/app.sql", "gen/app.d",
	                                                   "gen/app.o", "app_demo", NULL };
	     *f; f++) {
		char *p = path2(dir, *f);
		struct stat st;
		if (stat(p, &st) != 0)
			fail_msg("missing %s", p);
		free(p);
	}
	/* a second make has nothing to do (generated sources kept, not
	 * deleted as intermediates) */
	r = make_scaffold(dir, "modelc-all");
	assert_int_equal(r.status, 0);
	expect_in(r.out, "Nothing to be done");
	tu_run_free(&r);
	r = make_scaffold(dir, "modelc-check");
	assert_int_equal(r.status, 0);
	tu_run_free(&r);

	/* the program runs against the cluster, twice (it upserts its user) */
	PGconn *db = fresh_db(APP_DB);
	char *sql_path = path2(dir, "gen/app.sql");
	run_sql_file(db, sql_path);
	free(sql_path);
	char *demo = path2(dir, "app_demo");
	const char *argv[] = { demo, "dbname=" APP_DB, NULL };
	for (int i = 1; i <= 2; i++) {
		r = tu_exec(dir, argv);
		if (r.status != 0)
			fprintf(stderr, "%s%s", r.out, r.err);
		assert_int_equal(r.status, 0);
		expect_in(r.out, "version 1 -> 2");
		expect_in(r.out, i == 1 ? "Ada <ada@example.com> has 1 note(s)" : "has 2 note(s)");
		tu_run_free(&r);
	}
	expect_sql(db, "SELECT count(*) FROM users", "1");
	expect_sql(db, "SELECT string_agg(version::text, ',' ORDER BY id) FROM notes", "2,2");
	PQfinish(db);
	drop_db(APP_DB);

	free(demo);
	free(mk_path);
	free(model_path);
	free(dir);
	tu_rm_rf(tmp);
	free(tmp);
}

/* Every file under dir with its content, sorted, as one string; caller frees. */
static char *snapshot(const char *dir)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "cd '%s' && find . -print | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs cat",
	         dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *out = tu_slurp_fd(fileno(p));
	pclose(p);
	return out;
}

static void test_init_never_overwrites(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("init2");

	/* the default folder is the current one */
	tu_run r = modelc(tmp, "init", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	expect_in(r.out, "created app.model\n");
	tu_run_free(&r);
	char *app = path2(tmp, "app.model");
	tu_write(app, "// mine\ntable t { id integer primary key }\n");
	char *before = snapshot(tmp);

	/* twice: refused, every existing file named, nothing changed */
	r = modelc(tmp, "init", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "app.model already exists");
	expect_in(r.err, "modelc.mk already exists");
	expect_in(r.err, "migrations already exists");
	expect_in(r.err, "nothing written");
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	r = modelc(NULL, "init", tmp, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	char *after = snapshot(tmp);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* one file of the scaffold in the way is enough: nothing is written */
	char *dir = path2(tmp, "other");
	mkdir(dir, 0777);
	char *readme = path2(dir, "README-modelc.md");
	tu_write(readme, "my notes\n");
	r = modelc(NULL, "init", dir, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "README-modelc.md already exists");
	expect_not_in(r.err, "app.model");
	tu_run_free(&r);
	assert_int_equal(tu_count_entries(dir), 1);
	char *text = tu_read(readme, NULL);
	assert_string_equal(text, "my notes\n");
	free(text);

	/* so is a dangling symbolic link */
	char *dir2 = path2(tmp, "links"), *link = path2(dir2, "modelc.mk");
	mkdir(dir2, 0777);
	assert_int_equal(symlink("nowhere/at/all", link), 0);
	r = modelc(NULL, "init", dir2, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "modelc.mk already exists");
	tu_run_free(&r);
	assert_int_equal(tu_count_entries(dir2), 1);

	/* usage */
	r = modelc(NULL, "init", "a", "b", NULL, NULL);
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	r = modelc(NULL, "init", "--bogus", NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	r = modelc(NULL, "init", "--help", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	expect_in(r.out, "usage: modelc init [DIR]");
	tu_run_free(&r);

	free(dir2);
	free(link);
	free(readme);
	free(dir);
	free(app);
	tu_rm_rf(tmp);
	free(tmp);
}

/* ---- standard mixins ------------------------------------------------------------------- */

static const struct std_case {
	const char *name;
	const char *table;          /* the table that uses it */
	const char *ddl[4];         /* in the .sql, blanks squeezed */
	const char *code[3];        /* in the generated .c or .h */
} std_cases[] = {
	{ "uuid_pk",
	  "table t_uuid { use uuid_pk; note text }\n",
	  { "id uuid NOT NULL DEFAULT gen_random_uuid()", "CONSTRAINT pk_t_uuid PRIMARY KEY (id)" },
	  { "mc_uuid id;" } },
	{ "bigserial_pk",
	  "table t_big { use bigserial_pk; note text }\n",
	  { "id bigserial NOT NULL", "CONSTRAINT pk_t_big PRIMARY KEY (id)" },
	  { "int64_t id;" } },
	{ "timestamps",
	  "table t_ts { use timestamps; id integer primary key }\n",
	  { "created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz NOT NULL DEFAULT now()" },
	  /* on update now(): the generated update sets it */
	  { "updated_at = now()" } },
	{ "soft_delete",
	  "table t_soft { use soft_delete; id integer primary key }\n",
	  { "is_deleted boolean NOT NULL DEFAULT false", "deleted_at timestamptz,\n" },
	  { "t_soft_soft_delete(mc_conn *c", "SET deleted_at = now(), is_deleted = true" } },
	{ "versioned",
	  "table t_ver { use versioned; id integer primary key; v text }\n",
	  { "version integer NOT NULL DEFAULT 1" },
	  { "version = version + 1", "AND version = $", "MC_STALE_VERSION" } },
};
#define NSTD (sizeof std_cases / sizeof std_cases[0])

static void test_std_mixins_ddl(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("std");
	PGconn *db = fresh_db(STD_DB);
	for (size_t i = 0; i < NSTD; i++) {
		const struct std_case *c = &std_cases[i];
		char name[64], text[512];
		snprintf(name, sizeof name, "s_%s.model", c->name);
		snprintf(text, sizeof text, "import std \"%s\"\n%s", c->name, c->table);
		char *path = path2(tmp, name);
		tu_write(path, text);
		tu_run r = modelc(tmp, name, "-o", "out", NULL, NULL);
		if (r.status != 0)
			fprintf(stderr, "%s: %s", c->name, r.err);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.err, "");
		tu_run_free(&r);

		char out[128];
		snprintf(out, sizeof out, "out/s_%s.sql", c->name);
		char *sql_path = path2(tmp, out), *sql = tu_read(sql_path, NULL), *sq = squeeze(sql);
		for (int k = 0; k < 4 && c->ddl[k]; k++)
			expect_in(sq, c->ddl[k]);
		snprintf(out, sizeof out, "out/s_%s.c", c->name);
		char *c_path = path2(tmp, out), *csrc = tu_read(c_path, NULL);
		snprintf(out, sizeof out, "out/s_%s.h", c->name);
		char *h_path = path2(tmp, out), *hsrc = tu_read(h_path, NULL), *hsq = squeeze(hsrc);
		for (int k = 0; k < 3 && c->code[k]; k++)
			if (!strstr(csrc, c->code[k]) && !strstr(hsq, c->code[k]))
				fail_msg("%s: generated code lacks '%s'", c->name, c->code[k]);
		/* and PostgreSQL takes it */
		exec_ok(db, sql);
		free(hsq);
		free(hsrc);
		free(h_path);
		free(csrc);
		free(c_path);
		free(sq);
		free(sql);
		free(sql_path);
		free(path);
	}

	/* the defaults work in the database */
	exec_ok(db, "INSERT INTO t_uuid (note) VALUES ('a'); INSERT INTO t_big (note) VALUES ('a'), ('b');"
	            "INSERT INTO t_ts (id) VALUES (1); INSERT INTO t_soft (id) VALUES (1);"
	            "INSERT INTO t_ver (id) VALUES (1)");
	expect_sql(db, "SELECT count(*) FROM t_uuid WHERE id IS NOT NULL", "1");
	expect_sql(db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t_big", "1,2");
	expect_sql(db, "SELECT created_at = updated_at AND created_at <= now() FROM t_ts", "t");
	expect_sql(db, "SELECT is_deleted::text || ',' || (deleted_at IS NULL)::text FROM t_soft", "false,true");
	expect_sql(db, "SELECT version FROM t_ver", "1");
	expect_sql(db,
	             "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ' ' ORDER BY table_name, "
	             "ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name "
	             "IN ('t_ts', 't_ver')",
	             "t_ts.id:integer t_ts.created_at:timestamp with time zone t_ts.updated_at:timestamp with time "
	             "zone t_ver.id:integer t_ver.v:text t_ver.version:integer");
	PQfinish(db);
	drop_db(STD_DB);
	tu_rm_rf(tmp);
	free(tmp);
}

static void test_std_imports(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("stdimp");
	char *p;

	/* twice in one file, again through an import: read once; std modules
	 * are not files make could depend on, so the depfile leaves them out */
	tu_write(p = path2(tmp, "common.model"), "import std \"timestamps\"\nimport STD 'uuid_pk'\n");
	free(p);
	tu_write(p = path2(tmp, "app.model"),
	         "import std \"timestamps\"\nimport \"common.model\"\nimport std \"timestamps\"\n"
	         "table t { use uuid_pk, timestamps }\n");
	free(p);
	tu_run r = modelc(tmp, "app.model", "-o", "out", "-MD", NULL);
	if (r.status != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);
	char *d = tu_read(p = path2(tmp, "out/app.d"), NULL);
	free(p);
	assert_string_equal(d, "out/app.h out/app.c out/app.sql: app.model common.model\n\ncommon.model:\n");
	free(d);

	/* an unknown name: where, a suggestion, every known name */
	tu_write(p = path2(tmp, "bad.model"),
	         "table t { id integer primary key }\nimport std \"timestamp\"\nimport std \"../x\"\n");
	free(p);
	r = modelc(tmp, "bad.model", "--check", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "bad.model:2:12: error: unknown standard module 'timestamp'\n"
	                 "    2 | import std \"timestamp\"\n"
	                 "      |            ^~~~~~~~~~~\n"
	                 "  hint: did you mean 'timestamps'?\n"
	                 "  hint: the standard modules are: bigserial_pk, soft_delete, timestamps, uuid_pk, versioned\n");
	expect_in(r.err, "bad.model:3:12: error: unknown standard module '../x'\n");
	tu_run_free(&r);

	/* 'std' is the only word allowed there */
	tu_write(p = path2(tmp, "bad2.model"), "import lib \"timestamps\"\ntable t { id integer primary key }\n");
	free(p);
	r = modelc(tmp, "bad2.model", "--check", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "bad2.model:1:8: error: expected a path or 'std' after 'import'\n");
	tu_run_free(&r);

	/* std stays an ordinary name elsewhere */
	tu_write(p = path2(tmp, "names.model"), "table std { std integer primary key }\n");
	free(p);
	r = modelc(tmp, "names.model", "--check", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);

	/* a diagnostic about a mixin's member shows the std file */
	tu_write(p = path2(tmp, "clash.model"),
	         "import std \"timestamps\"\ntable t { use timestamps; id integer primary key; created_at date }\n");
	free(p);
	r = modelc(tmp, "clash.model", "--check", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "clash.model:2:51: error: column 'created_at' is also defined by mixin 'timestamps'\n");
	expect_in(r.err, "<std>/timestamps.model:");
	expect_in(r.err, ": note: 'created_at' defined here\n");
	expect_in(r.err, "|   created_at  timestamptz  not null  default now()\n");
	tu_run_free(&r);

	/* override works on std mixins as on any other */
	tu_write(p = path2(tmp, "over.model"),
	         "import std \"timestamps\"\ntable t { use timestamps; id integer primary key\n"
	         "  override created_at timestamptz not null default clock_timestamp() }\n");
	free(p);
	r = modelc(tmp, "over.model", "-o", "out", NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *sql = tu_read(p = path2(tmp, "out/over.sql"), NULL), *sq = squeeze(sql);
	free(p);
	expect_in(sq, "created_at timestamptz NOT NULL DEFAULT clock_timestamp()");
	free(sq);
	free(sql);

	tu_rm_rf(tmp);
	free(tmp);
}

/* ---- modelc ping ----------------------------------------------------------------------- */

static tu_run ping(const char *db, const char *extra1, const char *extra2)
{
	return modelc(NULL, "ping", db ? "--db" : extra1, db ? db : extra2, db ? extra1 : NULL, db ? extra2 : NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_ping_ok(void **state)
{
	(void)state;
	tu_run r = ping(NULL, NULL, NULL);
	if (r.status != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	expect_in(r.out, "ok: PostgreSQL 15.");
	expect_in(r.out, "  connect     ");
	expect_in(r.out, " ms\n");
	expect_in(r.out, "  round trip  ");
	expect_in(r.out, "  password    none\n");
	char want[4200];
	snprintf(want, sizeof want, "  host        %s (unix socket", tu_env("PGHOST", ""));
	expect_in(r.out, want);
	snprintf(want, sizeof want, "  port        %s\n", tu_env("PGPORT", ""));
	expect_in(r.out, want);
	snprintf(want, sizeof want, "  user        %s\n", tu_env("PGUSER", "postgres"));
	expect_in(r.out, want);
	expect_in(r.out, "  timeout     10 s (connect_timeout)\n");
	assert_string_equal(r.err, "");
	tu_run_free(&r);

	/* --db=URL, and a timeout of one's own */
	r = modelc(NULL, "ping", "--db=dbname=postgres", "--timeout=3", NULL, NULL);
	assert_int_equal(r.status, 0);
	expect_in(r.out, "  dbname      postgres\n");
	expect_in(r.out, "  timeout     3 s (connect_timeout)\n");
	tu_run_free(&r);

	/* usage */
	r = ping(NULL, "--bogus", NULL);
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	r = ping(NULL, "--timeout", "soon");
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	r = ping("nokey=1", NULL, NULL);
	assert_int_equal(r.status, 2);
	expect_in(r.err, "invalid connection string");
	tu_run_free(&r);

	/* the server is there, the database is not: another failure */
	r = ping("dbname=modelc_no_such_db", NULL, NULL);
	assert_int_equal(r.status, 1);
	expect_in(r.err, "database \"modelc_no_such_db\" does not exist");
	tu_run_free(&r);
}

static void test_ping_refused_and_dns(void **state)
{
	(void)state;
	/* the socket of a port nobody listens on */
	tu_run r = ping("port=1", NULL, NULL);
	assert_int_equal(r.status, 4);
	expect_in(r.err, "modelc ping: connection refused");
	expect_in(r.err, "  port        1\n");
	expect_in(r.err, "  hint: is the server running");
	assert_string_equal(r.out, "");
	tu_run_free(&r);

	/* TCP: a port just freed */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0) {
		char db[128];
		snprintf(db, sizeof db, "host=127.0.0.1 port=%d", ntohs(a.sin_port));
		close(s);
		r = ping(db, NULL, NULL);
		assert_int_equal(r.status, 4);
		expect_in(r.err, "Connection refused");
		tu_run_free(&r);
	} else {
		close(s);
		fprintf(stderr, "note: no loopback TCP here, TCP refused case skipped\n");
	}

	/* .invalid never resolves (RFC 2606) */
	r = ping("host=modelc-test.invalid", NULL, NULL);
	assert_int_equal(r.status, 3);
	expect_in(r.err, "modelc ping: host name not found");
	expect_in(r.err, "could not translate host name");
	expect_in(r.err, "  host        modelc-test.invalid\n");
	tu_run_free(&r);
}

static void test_ping_auth(void **state)
{
	(void)state;
	PGconn *c = connect_db("postgres");
	exec_ok(c, "DROP ROLE IF EXISTS " PW_USER);
	exec_ok(c, "CREATE ROLE " PW_USER " LOGIN PASSWORD '" PW "'");
	/* no ~/.pgpass of the machine's may answer for the test */
	char *tmp = tu_tempdir("pgpass");
	char *nopass = path2(tmp, "none");
	setenv("PGPASSFILE", nopass, 1);
	unsetenv("PGPASSWORD");

	/* the right password, in a URL: connected, and never printed */
	char url[4300];
	snprintf(url, sizeof url, "postgresql://" PW_USER ":" PW "@/postgres?host=%s&port=%s", tu_env("PGHOST", ""),
	         tu_env("PGPORT", "5432"));
	tu_run r = ping(url, NULL, NULL);
	if (r.status != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	expect_in(r.out, "  user        " PW_USER "\n");
	expect_in(r.out, "  password    given (hidden)\n");
	expect_not_in(r.out, PW);
	expect_not_in(r.err, PW);
	tu_run_free(&r);

	/* a wrong one */
	r = ping("user=" PW_USER " password=Wrong-" PW, NULL, NULL);
	assert_int_equal(r.status, 5);
	expect_in(r.err, "modelc ping: authentication failed");
	expect_in(r.err, "password authentication failed for user \"" PW_USER "\"");
	expect_not_in(r.err, "Wrong-");
	tu_run_free(&r);

	/* none at all */
	r = ping("user=" PW_USER, NULL, NULL);
	assert_int_equal(r.status, 5);
	expect_in(r.err, "  password    none\n");
	expect_in(r.err, "hint: the server asks for a password");
	tu_run_free(&r);

	/* a role that does not exist */
	r = ping("user=modelc_no_such_role", NULL, NULL);
	assert_int_equal(r.status, 5);
	tu_run_free(&r);

	unsetenv("PGPASSFILE");
	exec_ok(c, "DROP ROLE " PW_USER);
	PQfinish(c);
	free(nopass);
	tu_rm_rf(tmp);
	free(tmp);
}

/* A TCP port that completes the handshake (the kernel's backlog) but where
 * nobody ever answers: libpq waits for the server's first byte until
 * connect_timeout (at least 2 s in libpq 15). */
static void test_ping_timeout(void **state)
{
	(void)state;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0) {
		if (s >= 0)
			close(s);
		skip();
	}
	char db[128];
	snprintf(db, sizeof db, "host=127.0.0.1 port=%d sslmode=disable", ntohs(a.sin_port));
	double t0 = now_s();
	tu_run r = ping(db, "--timeout", "2");
	double took = now_s() - t0;
	close(s);
	if (r.status != 6)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.status, 6);
	expect_in(r.err, "modelc ping: timeout");
	expect_in(r.err, "timeout expired");
	expect_in(r.err, "  timeout     2 s (connect_timeout)\n");
	assert_true(took >= 1.5 && took < 30);
	tu_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_scaffold),
		cmocka_unit_test(test_init_never_overwrites),
		cmocka_unit_test(test_std_mixins_ddl),
		cmocka_unit_test(test_std_imports),
		cmocka_unit_test(test_ping_ok),
		cmocka_unit_test(test_ping_refused_and_dns),
		cmocka_unit_test(test_ping_auth),
		cmocka_unit_test(test_ping_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

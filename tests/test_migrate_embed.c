/* test_migrate_embed.c - `modelc migrate embed` and libmodelc's embedded
 * runner (mc_migrate_up/down/status).
 *
 * The generator: the banner, escapes (every byte 1..255 inside a literal,
 * quotes, backslashes, trigraphs, a statement longer than ISO C's 4095
 * bytes), an empty section, determinism, an unchanged file left alone,
 * refusals (an edited migration, a missing folder, usage errors). The file
 * is compiled as a program would: cc -std=c11 -Wall -Wextra -Werror
 * -pedantic with a small driver (below) and $MODELC_BUILD/libmodelc.a
 * (sanitized when the library is); its statements, printed back by the
 * program, are byte for byte those of mig_set_load.
 *
 * Against the test cluster (database modelc_migrate_embed, recreated per
 * test, dropped at the end): the embedded runner and the binary taking
 * turns on one database (up, down, status, in both orders, and in a schema
 * named by search_path); the advisory lock waited for; a checksum mismatch
 * naming the file (and stamp accepting it); a failing migration (SQLSTATE,
 * detail, file:line, previous revision kept; also when the connection
 * is lost); no-transaction steps stopped
 * half-way and resumed by the other runner; the session left as it was
 * (client_min_messages, no lock, no transaction). */
#include "testutil.h"
#include "textutil.h"

#include <stdbool.h>
#include <time.h>
#include "pgutil.h"

#include "migrate.h"

#define DBNAME "modelc_migrate_embed"
#define CONNINFO "dbname=" DBNAME
#define VERSIONS "SELECT revision, next_step FROM modelc_migrations ORDER BY revision"
#define SESSION_OK "session: client_min_messages=notice advisory_locks=0 idle=t\n"

static char *base_dir;    /* migrations 0001..0003, shared by the tests */
static char *base_exe;    /* the driver built from their embedding */
static char *dir;         /* this test's own folder */
static PGconn *db;

/* ---- helpers ------------------------------------------------------------------ */

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle)) {
		fprintf(stderr, "expected to find:\n%s\nin:\n%s\n", needle, hay ? hay : "(null)");
		fail_msg("text not found");
	}
}

static char *path_in(const char *d, const char *name)
{
	char *p = malloc(strlen(d) + strlen(name) + 2);
	sprintf(p, "%s/%s", d, name);
	return p;
}

/* Writes d/REV.sql in the documented format; the upgrade text starts on
 * line 11. */
static void write_mig(const char *d, const char *rev, const char *follows, const char *up, const char *down)
{
	char *name = fmt("%s.sql", rev);
	char *text = fmt("-- modelc migration %s\n"
	                 "-- revision: %s\n"
	                 "-- follows: %s\n"
	                 "-- message: %s by hand\n"
	                 "-- from-state: empty\n"
	                 "-- to-state: empty\n"
	                 "-- Written by hand for tests/test_migrate_embed.c.\n"
	                 "\n"
	                 "-- +modelc upgrade\n"
	                 "\n"
	                 "%s\n"
	                 "-- +modelc downgrade\n"
	                 "\n"
	                 "%s",
	                 rev, rev, follows, strchr(rev, '_') + 1, up, down);
	char *p = path_in(d, name);
	tu_write(p, text);
	free(p);
	free(text);
	free(name);
}

static void write_base_fixtures(const char *d)
{
	write_mig(d, "0001_create_items", "base",
	          "-- create table items\nCREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n",
	          "DROP TABLE items;\n");
	write_mig(d, "0002_seed_items", "0001_create_items",
	          "INSERT INTO items VALUES (1, 'one');\n\nCREATE TABLE log (msg text);\n",
	          "DROP TABLE log;\nDELETE FROM items WHERE id = 1;\n");
	write_mig(d, "0003_add_price", "0002_seed_items", "ALTER TABLE items ADD COLUMN price numeric;\n",
	          "ALTER TABLE items DROP COLUMN price;\n");
}

/* modelc migrate CMD [ARG] --dir d [--db conninfo] */
static tu_run mig(const char *d, const char *conninfo, const char *cmd, const char *arg)
{
	const char *argv[10];
	int n = 0;
	argv[n++] = tu_modelc();
	argv[n++] = "migrate";
	argv[n++] = cmd;
	if (arg)
		argv[n++] = arg;
	argv[n++] = "--dir";
	argv[n++] = d;
	if (conninfo) {
		argv[n++] = "--db";
		argv[n++] = conninfo;
	}
	argv[n] = NULL;
	return tu_exec(NULL, argv);
}

static void expect_run(tu_run r, const char *what, int status, const char *out)
{
	if (r.status != status || (out && strcmp(r.out, out) != 0)) {
		fprintf(stderr, "%s: status %d (expected %d)\nstdout:\n%s\nexpected:\n%s\nstderr:\n%s\n", what, r.status,
		        status, r.out, out ? out : "(any)", r.err);
		tu_run_free(&r);
		fail_msg("unexpected result");
	}
	tu_run_free(&r);
}

static void bin_expect(const char *d, const char *cmd, const char *arg, int status, const char *out)
{
	char *what = fmt("modelc migrate %s %s", cmd, arg ? arg : "");
	expect_run(mig(d, CONNINFO, cmd, arg), what, status, out);
	free(what);
}

static void rehash(const char *d)
{
	expect_run(mig(d, NULL, "rehash", NULL), "modelc migrate rehash", 0, NULL);
}

/* modelc migrate embed --dir d -o out --name embedded */
static tu_run embed(const char *d, const char *out)
{
	const char *argv[] = { tu_modelc(), "migrate", "embed", "--dir", d, "-o", out, "--name", "embedded", NULL };
	return tu_exec(NULL, argv);
}

/* ---- the driver ------------------------------------------------------------------ */

/* A program using the embedded set as a service would:
 *   driver CONNINFO up|down [TARGET] | status | up-in-tx | dump
 * It prints what the calls return, the error fields on failure and what
 * the session looks like afterwards. */
static const char driver_src[] =
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <libpq-fe.h>\n"
	"#include <modelc/migrate.h>\n"
	"\n"
	"extern const mc_migration_set embedded;\n"
	"\n"
	"static void dump(void)\n"
	"{\n"
	"\tprintf(\"%d %s %zu\\n\", embedded.format, embedded.dir, embedded.n);\n"
	"\tfor (size_t i = 0; i < embedded.n; i++) {\n"
	"\t\tconst mc_migration *m = &embedded.migrations[i];\n"
	"\t\tprintf(\"%s|%s|%s|%s|%s\\n\", m->revision, m->follows, m->message, m->checksum, m->file);\n"
	"\t\tfor (int up = 1; up >= 0; up--) {\n"
	"\t\t\tconst mc_migration_step *s = up ? m->up : m->down;\n"
	"\t\t\tsize_t n = up ? m->n_up : m->n_down;\n"
	"\t\t\tfor (size_t k = 0; k < n; k++)\n"
	"\t\t\t\tprintf(\"%s %d %d %zu\\n%s\\n\", up ? \"up\" : \"down\", s[k].line, (int)s[k].no_tx,\n"
	"\t\t\t\t       strlen(s[k].sql), s[k].sql);\n"
	"\t\t}\n"
	"\t}\n"
	"}\n"
	"\n"
	"static void session(mc_conn *c)\n"
	"{\n"
	"\tPGconn *pg = mc_conn_pg(c);\n"
	"\tPGresult *r = PQexec(pg, \"SELECT current_setting('client_min_messages'), (SELECT count(*) FROM pg_locks \"\n"
	"\t                         \"WHERE locktype = 'advisory' AND pid = pg_backend_pid())\");\n"
	"\tif (PQresultStatus(r) == PGRES_TUPLES_OK)\n"
	"\t\tprintf(\"session: client_min_messages=%s advisory_locks=%s idle=%s\\n\", PQgetvalue(r, 0, 0),\n"
	"\t\t       PQgetvalue(r, 0, 1), PQtransactionStatus(pg) == PQTRANS_IDLE ? \"t\" : \"f\");\n"
	"\telse\n"
	"\t\tprintf(\"session: %s\", PQerrorMessage(pg));\n"
	"\tPQclear(r);\n"
	"}\n"
	"\n"
	"static void report(mc_conn *c, mc_status st)\n"
	"{\n"
	"\tconst mc_error *e = mc_last_error(c);\n"
	"\tprintf(\"error: %s|%s|%s\\n\", mc_status_name(st), e->sqlstate, e->message);\n"
	"\tif (e->detail)\n"
	"\t\tprintf(\"detail: %s\\n\", e->detail);\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tmc_conn *c;\n"
	"\tmc_status st;\n"
	"\tconst char *target = argc > 3 ? argv[3] : NULL;\n"
	"\tint n = 0;\n"
	"\n"
	"\tif (argc < 3)\n"
	"\t\treturn 2;\n"
	"\tif (strcmp(argv[2], \"dump\") == 0) {\n"
	"\t\tdump();\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tif ((st = mc_conn_open(&c, argv[1], NULL)) != MC_OK) {\n"
	"\t\tprintf(\"connect: %s\\n\", mc_last_error(c)->message);\n"
	"\t\tmc_conn_close(c);\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\tif (strcmp(argv[2], \"up\") == 0) {\n"
	"\t\tst = mc_migrate_up(c, &embedded, target, &n);\n"
	"\t\tprintf(\"applied %d\\n\", n);\n"
	"\t} else if (strcmp(argv[2], \"down\") == 0) {\n"
	"\t\tst = mc_migrate_down(c, &embedded, target, &n);\n"
	"\t\tprintf(\"reverted %d\\n\", n);\n"
	"\t} else if (strcmp(argv[2], \"up-in-tx\") == 0) {\n"
	"\t\t/* refused, and the caller's transaction left alone */\n"
	"\t\tif ((st = mc_begin(c)) == MC_OK && (st = mc_migrate_up(c, &embedded, target, &n)) != MC_OK) {\n"
	"\t\t\tprintf(\"applied %d\\n\", n);\n"
	"\t\t\treport(c, st);\n"
	"\t\t\tprintf(\"depth %d\\n\", mc_tx_depth(c));\n"
	"\t\t\tst = mc_rollback(c);\n"
	"\t\t\tprintf(\"rollback %s\\n\", mc_status_name(st));\n"
	"\t\t}\n"
	"\t\tsession(c);\n"
	"\t\tmc_conn_close(c);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tif (st == MC_OK) {\n"
	"\t\tmc_migration_state s;\n"
	"\t\tif ((st = mc_migrate_status(c, &embedded, &s)) == MC_OK) {\n"
	"\t\t\tprintf(\"at %s (%zu applied, %zu pending\", s.current, s.applied, s.pending);\n"
	"\t\t\tif (s.next_step)\n"
	"\t\t\t\tprintf(\", resume at %ld\", s.next_step);\n"
	"\t\t\tprintf(\")\\n\");\n"
	"\t\t}\n"
	"\t}\n"
	"\tif (st != MC_OK)\n"
	"\t\treport(c, st);\n"
	"\tsession(c);\n"
	"\tmc_conn_close(c);\n"
	"\treturn st == MC_OK ? 0 : 1;\n"
	"}\n";

static char *pg_includedir(void)
{
	static char *inc;
	if (!inc) {
		const char *argv[] = { "pg_config", "--includedir", NULL };
		tu_run r = tu_exec(NULL, argv);
		inc = r.status == 0 ? strndup(r.out, strcspn(r.out, "\n")) : strdup("/usr/include/postgresql");
		tu_run_free(&r);
	}
	return inc;
}

static char *libmodelc(void) { return path_in(tu_env("MODELC_BUILD", "build-san"), "libmodelc.a"); }

/* Whether libmodelc.a was built with ASan + UBSan (make SANITIZE=1): then
 * a program linking it must be too. */
static bool lib_sanitized(void)
{
	char *lib = libmodelc();
	size_t n;
	char *data = tu_read(lib, &n);
	bool san = false;
	for (size_t i = 0; data && i + 8 <= n && !san; i++)
		san = memcmp(data + i, "__asan_", 7) == 0;
	free(data);
	free(lib);
	return san;
}

/* Compiles the embedded file with the driver into d/exe, strictly. */
static char *build_driver(const char *d, const char *cfile, const char *exe_name)
{
	char *drv = path_in(d, "driver.c"), *exe = path_in(d, exe_name), *lib = libmodelc();
	char *inc_rt = path_in(tu_root(), "src/runtime/include");
	tu_write(drv, driver_src);
	const char *argv[24];
	int n = 0;
	argv[n++] = tu_env("CC", "cc");
	argv[n++] = "-std=c11";
	argv[n++] = "-Wall";
	argv[n++] = "-Wextra";
	argv[n++] = "-Werror";
	argv[n++] = "-pedantic";
	argv[n++] = "-g";
	if (lib_sanitized())
		argv[n++] = "-fsanitize=address,undefined";
	argv[n++] = "-I";
	argv[n++] = inc_rt;
	argv[n++] = "-I";
	argv[n++] = pg_includedir();
	argv[n++] = "-o";
	argv[n++] = exe;
	argv[n++] = drv;
	argv[n++] = cfile;
	argv[n++] = lib;
	argv[n++] = "-lpq";
	argv[n++] = "-lpthread";
	argv[n] = NULL;
	tu_run r = tu_exec(NULL, argv);
	if (r.status != 0)
		fail_msg("compiling %s failed:\n%s%s", cfile, r.out, r.err);
	tu_run_free(&r);
	free(drv);
	free(lib);
	free(inc_rt);
	return exe;
}

/* Embeds d into d/embedded.c and builds d/exe_name from it. */
static char *embed_and_build(const char *d, const char *exe_name)
{
	char *c = path_in(d, "embedded.c");
	tu_run r = embed(d, c);
	if (r.status != 0)
		fail_msg("embed %s: %s%s", d, r.out, r.err);
	tu_run_free(&r);
	char *exe = build_driver(d, c, exe_name);
	free(c);
	return exe;
}

static tu_run drive(const char *exe, const char *conninfo, const char *cmd, const char *target)
{
	const char *argv[] = { exe, conninfo, cmd, target, NULL };
	return tu_exec(NULL, argv);
}

static void drive_expect(const char *exe, const char *cmd, const char *target, int status, const char *out)
{
	char *what = fmt("driver %s %s", cmd, target ? target : "");
	expect_run(drive(exe, CONNINFO, cmd, target), what, status, out);
	free(what);
}

/* ---- the database ------------------------------------------------------------------ */

static void drop_database(void)
{
	const char *admin = tu_env("PGDATABASE", "postgres");
	PGconn *c = connect_db(strcmp(admin, DBNAME) == 0 ? "postgres" : admin);
	exec_ok(c, "DROP DATABASE IF EXISTS " DBNAME " WITH (FORCE)");
	PQfinish(c);
}

static void fresh_db(void)
{
	if (db)
		PQfinish(db);
	db = NULL;
	drop_database();
	const char *admin = tu_env("PGDATABASE", "postgres");
	PGconn *c = connect_db(strcmp(admin, DBNAME) == 0 ? "postgres" : admin);
	exec_ok(c, "CREATE DATABASE " DBNAME);
	PQfinish(c);
	db = connect_db(DBNAME);
}

static char *rows(const char *sql)
{
	PGresult *r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("query failed");
	}
	buf b;
	buf_init(&b);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++)
			buf_printf(&b, "%s%s", j ? "|" : "", PQgetisnull(r, i, j) ? "-" : PQgetvalue(r, i, j));
		buf_putc(&b, '\n');
	}
	PQclear(r);
	char *out = strdup(buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void expect_rows(const char *sql, const char *want)
{
	char *got = rows(sql);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s\ngave:\n%s\nexpected:\n%s\n", sql, got, want);
		free(got);
		fail_msg("unexpected rows");
	}
	free(got);
}

static int test_setup(void **state)
{
	(void)state;
	dir = tu_tempdir("embed");
	return 0;
}

static int db_setup(void **state)
{
	test_setup(state);
	fresh_db();
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	tu_rm_rf(dir);
	free(dir);
	dir = NULL;
	if (db)
		PQfinish(db);
	db = NULL;
	return 0;
}

/* ---- the generator ------------------------------------------------------------------ */

/* What the driver's dump prints, from the folder as the binary reads it. */
static char *expected_dump(const char *d)
{
	arena a;
	arena_init(&a);
	buf b, err;
	buf_init(&b);
	buf_init(&err);
	mig_set set;
	if (mig_set_load(&a, d, &set, &err) != 0)
		fail_msg("mig_set_load: %s", buf_cstr(&err));
	buf_printf(&b, "1 %s %zu\n", d, set.files.n);
	for (size_t i = 0; i < set.files.n; i++) {
		mig_file *f = VEC_AT(set.files, i, mig_file *);
		buf_printf(&b, "%s|%s|%s|%s|%s\n", f->rev, f->follows, f->message, f->checksum, f->path);
		for (int up = 1; up >= 0; up--) {
			vec *steps = up ? &f->up : &f->down;
			for (size_t k = 0; k < steps->n; k++) {
				mig_step *s = VEC_AT(*steps, k, mig_step *);
				buf_printf(&b, "%s %d %d %zu\n%s\n", up ? "up" : "down", s->line, (int)s->no_tx, strlen(s->sql),
				           s->sql);
			}
		}
	}
	char *out = malloc(b.len + 1);
	memcpy(out, buf_cstr(&b), b.len + 1);
	buf_free(&b);
	buf_free(&err);
	arena_free(&a);
	return out;
}

static void test_generate(void **state)
{
	(void)state;
	/* every byte but NUL and the quote inside one literal */
	char all[300], *p = all;
	for (int ch = 1; ch < 256; ch++)
		if (ch != '\'')
			*p++ = (char)ch;
	*p = '\0';
	char *long_sql = malloc(6000);
	strcpy(long_sql, "SELECT '");
	memset(long_sql + 8, 'x', 5000);
	strcpy(long_sql + 5008, "';\n");
	char *up = fmt("-- every byte\nSELECT '%s' AS b;\n\n"
	               "SELECT 'say \"hi\"', E'back\\\\slash\\n', 'caf\303\251', '?\?=?\?/?\?''?\?-', '*/', $f$\n"
	               "\ttab\r\n$f$;\n\n"
	               "-- +modelc no-transaction\n"
	               "CREATE INDEX CONCURRENTLY ix ON t (a);\n\n"
	               "%s",
	               all, long_sql);
	write_mig(dir, "0001_bytes", "base", up, "");
	write_mig(dir, "0002_second", "0001_bytes", "SELECT 2;\n", "SELECT -2;\n");
	rehash(dir);
	free(up);
	free(long_sql);

	char *out = path_in(dir, "embedded.c");
	expect_run(embed(dir, out), "embed", 0, NULL);
	size_t n1;
	char *text = tu_read(out, &n1);
	char *banner = fmt("/* embedded.c: generated by modelc %s from the migrations folder %s. Do not edit.\n"
	                   " * Regenerate it with: modelc migrate embed --dir %s -o %s --name embedded\n",
	                   MODELC_VERSION, dir, dir, out);
	assert_true(strncmp(text, banner, strlen(banner)) == 0);
	free(banner);
	assert_contains(text, "#pragma GCC diagnostic ignored \"-Woverlength-strings\"");
	assert_contains(text, "'caf\\303\\251'");
	assert_contains(text, "'?\\?=?\\?/?\\?''?\\?-'");
	assert_contains(text, "E'back\\\\\\\\slash\\\\n'");
	assert_contains(text, "'say \\\"hi\\\"'");
	assert_contains(text, "\\001\\002\\003\\004\\005\\006\\007\\010\\t\\n\"\n");
	assert_contains(text, "\\177\\200\\201");
	assert_contains(text, "\\376\\377' AS b\", 12, false },\n");
	assert_contains(text, "\t\tembedded_0001_bytes_up, 4,\n\t\tNULL, 0,\n");
	assert_contains(text, "const mc_migration_set embedded = { MC_MIGRATION_FORMAT, ");

	/* again: the same bytes, the file not even rewritten */
	struct stat st1, st2;
	assert_int_equal(stat(out, &st1), 0);
	struct timespec pause = { 0, 20000000 };
	nanosleep(&pause, NULL);
	tu_run r = embed(dir, out);
	char *line = fmt("%s: unchanged (2 migrations from %s)\n", out, dir);
	assert_string_equal(r.out, line);
	free(line);
	tu_run_free(&r);
	assert_int_equal(stat(out, &st2), 0);
	assert_true(st1.st_ino == st2.st_ino && st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
	            st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
	unlink(out);
	r = embed(dir, out);
	line = fmt("%s: written (2 migrations from %s)\n", out, dir);
	assert_string_equal(r.out, line);
	free(line);
	tu_run_free(&r);
	size_t n2;
	char *again = tu_read(out, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(text, again, n1);
	free(again);

	/* compiled strictly, the program holds exactly the statements */
	char *exe = build_driver(dir, out, "driver");
	const char *argv[] = { exe, "", "dump", NULL };
	r = tu_exec(NULL, argv);
	assert_int_equal(r.status, 0);
	char *dump = expected_dump(dir);
	assert_string_equal(r.out, dump);
	assert_contains(dump, " 1 37\nCREATE INDEX CONCURRENTLY ix ON t (a)\n");
	free(dump);
	tu_run_free(&r);
	free(exe);
	/* and as C++ (a program may compile everything with a C++ compiler) */
	char *inc_rt = path_in(tu_root(), "src/runtime/include");
	const char *cxx[] = { tu_env("CXX", "c++"), "-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-x", "c++",
		              "-fsyntax-only", "-I", inc_rt, out, NULL };
	expect_run(tu_exec(NULL, cxx), "c++ -fsyntax-only", 0, "");
	free(inc_rt);

	/* a folder the binary would refuse: nothing written */
	char *f2 = path_in(dir, "0002_second.sql");
	FILE *f = fopen(f2, "ab");
	fputs("-- edited\n", f);
	fclose(f);
	r = embed(dir, out);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "0002_second.sql: edited after it was generated");
	line = fmt("modelc: nothing written to %s\n", out);
	assert_contains(r.err, line);
	free(line);
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	again = tu_read(out, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(text, again, n1);
	free(again);
	free(f2);
	free(text);

	/* usage */
	char *missing = path_in(dir, "nope");
	r = embed(missing, out);
	assert_int_equal(r.status, 2);
	line = fmt("modelc: %s: no such folder\n", missing);
	assert_string_equal(r.err, line);
	free(line);
	tu_run_free(&r);
	free(missing);
	const char *no_out[] = { tu_modelc(), "migrate", "embed", "--dir", dir, NULL };
	r = tu_exec(NULL, no_out);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "give -o FILE.c");
	tu_run_free(&r);
	const char *bad_name[] = { tu_modelc(), "migrate", "embed", "--dir", dir, "-o", out, "--name", "1x", NULL };
	r = tu_exec(NULL, bad_name);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "--name '1x' is not a C identifier");
	tu_run_free(&r);
	const char *bad_opt[] = { tu_modelc(), "migrate", "embed", "--db", "x", "-o", out, NULL };
	r = tu_exec(NULL, bad_opt);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown option '--db'");
	tu_run_free(&r);
	free(out);

	/* an empty folder is an empty set; the name comes from the file */
	char *empty = path_in(dir, "empty");
	mkdir(empty, 0777);
	char *emb = path_in(dir, "app-migrations.c");
	const char *derived[] = { tu_modelc(), "migrate", "embed", "--dir=", empty, NULL };
	r = tu_exec(NULL, derived);
	assert_int_equal(r.status, 2);    /* --dir= is empty */
	tu_run_free(&r);
	const char *derived2[] = { tu_modelc(), "migrate", "embed", "--dir", empty, "--output", emb, NULL };
	expect_run(tu_exec(NULL, derived2), "embed empty", 0, NULL);
	text = tu_read(emb, NULL);
	assert_contains(text, "const mc_migration_set app_migrations = { MC_MIGRATION_FORMAT, ");
	assert_contains(text, ", NULL, 0 };\n");
	free(text);
	char *obj = path_in(dir, "app.o");
	char *inc = path_in(tu_root(), "src/runtime/include");
	const char *cc[] = { tu_env("CC", "cc"), "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", inc,
		             "-c", "-o", obj, emb, NULL };
	expect_run(tu_exec(NULL, cc), "cc -c (empty set)", 0, "");
	free(inc);
	free(obj);
	free(emb);
	free(empty);
}

/* ---- the runners on one database ---------------------------------------------------- */

static void test_take_turns(void **state)
{
	(void)state;
	char *want;

	/* in the schema search_path names, for both */
	exec_ok(db, "CREATE SCHEMA app");
	const char *app = CONNINFO " options='-c search_path=app'";
	expect_run(drive(base_exe, app, "up", NULL), "driver up (app)", 0,
	           "applied 3\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	expect_rows("SELECT count(*) FROM app.modelc_migrations", "3\n");
	expect_rows("SELECT to_regclass('public.modelc_migrations') IS NULL, to_regclass('app.items') IS NOT NULL", "t|t\n");
	expect_run(mig(base_dir, app, "status", NULL), "modelc migrate status (app)", 0,
	           "current: 0003_add_price\npending: none\n");
	expect_run(mig(base_dir, app, "down", "base"), "modelc migrate down base (app)", 0, NULL);
	expect_run(drive(base_exe, app, "status", NULL), "driver status (app)", 0,
	           "at base (0 applied, 3 pending)\n" SESSION_OK);
	exec_ok(db, "DROP SCHEMA app CASCADE");

	/* the program first, the binary continues */
	drive_expect(base_exe, "status", NULL, 0, "at base (0 applied, 3 pending)\n" SESSION_OK);
	expect_rows("SELECT to_regclass('modelc_migrations') IS NULL", "t\n");    /* status creates nothing */
	drive_expect(base_exe, "up", "0002", 0, "applied 2\nat 0002_seed_items (2 applied, 1 pending)\n" SESSION_OK);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n");
	expect_rows("SELECT id, name FROM items", "1|one\n");
	/* the checksum recorded is the file's, as the binary records it */
	char *p = path_in(base_dir, "0002_seed_items.sql");
	size_t n;
	char *body = tu_read(p, &n);
	char hex[65];
	sha256_hex(body, n, hex);
	want = fmt("sha256:%s\n", hex);
	expect_rows("SELECT checksum FROM modelc_migrations WHERE revision = '0002_seed_items'", want);
	free(want);
	free(body);
	free(p);
	bin_expect(base_dir, "status", NULL, 0, "current: 0002_seed_items\npending: 0003_add_price\n");
	bin_expect(base_dir, "up", NULL, 0, "applying 0003_add_price\nat 0003_add_price\n");
	drive_expect(base_exe, "up", NULL, 0, "applied 0\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	drive_expect(base_exe, "down", NULL, 0, "reverted 1\nat 0002_seed_items (2 applied, 1 pending)\n" SESSION_OK);
	bin_expect(base_dir, "status", NULL, 0, "current: 0002_seed_items\npending: 0003_add_price\n");
	/* the binary first, the program continues */
	bin_expect(base_dir, "down", "base", 0, "reverting 0002_seed_items\nreverting 0001_create_items\nat base\n");
	bin_expect(base_dir, "up", "0001", 0, "applying 0001_create_items\nat 0001_create_items\n");
	drive_expect(base_exe, "up", NULL, 0, "applied 2\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	bin_expect(base_dir, "up", NULL, 0, "at 0003_add_price, nothing to apply\n");
	bin_expect(base_dir, "down", "0001", 0, "reverting 0003_add_price\nreverting 0002_seed_items\nat 0001_create_items\n");
	drive_expect(base_exe, "down", "-2", 1,
	             "reverted 0\nerror: error||cannot revert 2: only 1 applied\n" SESSION_OK);
	drive_expect(base_exe, "up", "3", 0, "applied 2\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	drive_expect(base_exe, "down", "base", 0, "reverted 3\nat base (0 applied, 3 pending)\n" SESSION_OK);
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename IN ('items', 'log')", "0\n");
	expect_rows(VERSIONS, "");

	/* misuse */
	drive_expect(base_exe, "up", "0009", 1,
	             "applied 0\nerror: invalid call||mc_migrate_up: unknown revision '0009'\n" SESSION_OK);
	drive_expect(base_exe, "up-in-tx", NULL, 1,
	             "applied 0\nerror: invalid call||mc_migrate_up: the connection is inside a transaction (migrations "
	             "commit their own)\ndepth 1\nrollback ok\n" SESSION_OK);
	expect_rows(VERSIONS, "");
}

/* Holding the runners' advisory lock keeps the program waiting, polling. */
static void test_lock(void **state)
{
	(void)state;
	exec_ok(db, "SELECT pg_advisory_lock(120325193165923)");
	char *o = path_in(dir, "out");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(base_exe, base_exe, CONNINFO, "up", (char *)NULL);
		_exit(127);
	}
	struct timespec pause = { 0, 400000000 };
	nanosleep(&pause, NULL);
	int st;
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);    /* still waiting */
	expect_rows("SELECT to_regclass('modelc_migrations') IS NULL", "t\n");
	/* waiting without a statement in progress: nothing a CREATE INDEX
	 * CONCURRENTLY would wait for */
	expect_rows("SELECT count(*) FROM pg_stat_activity WHERE datname = '" DBNAME "' AND pid <> pg_backend_pid() AND "
	            "backend_type = 'client backend' AND state = 'active'",
	            "0\n");
	exec_ok(db, "SELECT pg_advisory_unlock(120325193165923)");
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	char *out = tu_read(o, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("driver up: %s", out);
	assert_string_equal(out, "applied 3\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	free(out);
	free(o);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char *f = path_in(from_dir, name), *t = path_in(to_dir, name);
	char *text = tu_read(f, NULL);
	assert_non_null(text);
	tu_write(t, text);
	free(text);
	free(f);
	free(t);
}

static void test_checksum_mismatch(void **state)
{
	(void)state;
	drive_expect(base_exe, "up", NULL, 0, "applied 3\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	/* the same folder, 0002 edited on purpose and rehashed, embedded again */
	copy_file(base_dir, dir, "0001_create_items.sql");
	copy_file(base_dir, dir, "0002_seed_items.sql");
	copy_file(base_dir, dir, "0003_add_price.sql");
	char *f2 = path_in(dir, "0002_seed_items.sql");
	FILE *f = fopen(f2, "ab");
	fputs("-- reworded after it was applied\n", f);
	fclose(f);
	free(f2);
	rehash(dir);
	char *edited = embed_and_build(dir, "edited");
	char *want = fmt("applied 0\nerror: error||%s/0002_seed_items.sql: edited after it was applied (its checksum "
	                 "differs from the one in modelc_migrations); to record it as it is now, run modelc migrate stamp\n"
	                 SESSION_OK,
	                 dir);
	drive_expect(edited, "up", NULL, 1, want);
	free(want);
	want = fmt("error: error||%s/0002_seed_items.sql: edited after it was applied", dir);
	tu_run r = drive(edited, CONNINFO, "status", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.out, want);
	tu_run_free(&r);
	free(want);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	/* the binary agrees; its stamp records the edit, and then the old
	 * program is the one that differs */
	r = mig(dir, CONNINFO, "up", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "/0002_seed_items.sql: edited after it was applied");
	tu_run_free(&r);
	bin_expect(dir, "stamp", "0003", 0, "stamped 0003_add_price\n");
	drive_expect(edited, "up", NULL, 0, "applied 0\nat 0003_add_price (3 applied, 0 pending)\n" SESSION_OK);
	r = drive(base_exe, CONNINFO, "up", NULL);
	assert_int_equal(r.status, 1);
	want = fmt("error: error||%s/0002_seed_items.sql: edited after it was applied", base_dir);
	assert_contains(r.out, want);
	free(want);
	tu_run_free(&r);
	/* a revision the program does not have */
	exec_ok(db, "INSERT INTO modelc_migrations (revision, checksum) VALUES ('0009_gone', 'sha256:00')");
	r = drive(edited, CONNINFO, "up", NULL);
	assert_int_equal(r.status, 1);
	want = fmt("error: error||the database has 0009_gone applied, but the migrations embedded from %s have no 0009_gone\n",
	           dir);
	assert_contains(r.out, want);
	free(want);
	tu_run_free(&r);
	free(edited);
}

static void test_failure(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	write_mig(dir, "0004_bad", "0003_add_price",
	          "INSERT INTO log VALUES ('before');\n\n-- duplicate key\nINSERT INTO items\n  VALUES (1, 'again');\n",
	          "SELECT 1;\n");
	rehash(dir);
	char *exe = embed_and_build(dir, "driver");
	char *want = fmt("applied 3\n"
	                 "error: unique violation|23505|%s/0004_bad.sql:14: statement failed: duplicate key value violates "
	                 "unique constraint \"items_pkey\"\n"
	                 "detail: Key (id)=(1) already exists.\n" SESSION_OK,
	                 dir);
	drive_expect(exe, "up", NULL, 1, want);
	free(want);
	/* at the previous revision: nothing of 0004 is left */
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	expect_rows("SELECT count(*) FROM log", "0\n");
	bin_expect(dir, "status", NULL, 0, "current: 0003_add_price\npending: 0004_bad\n");
	drive_expect(exe, "status", NULL, 0, "at 0003_add_price (3 applied, 1 pending)\n" SESSION_OK);
	/* a failing downgrade keeps its revision too */
	exec_ok(db, "CREATE VIEW price_view AS SELECT price FROM items");
	tu_run r = drive(exe, CONNINFO, "down", NULL);
	assert_int_equal(r.status, 1);
	want = fmt("reverted 0\nerror: error|2BP01|%s/0003_add_price.sql:15: statement failed: cannot drop column price of "
	           "table items because other objects depend on it\n",
	           dir);
	assert_contains(r.out, want);
	free(want);
	assert_contains(r.out, SESSION_OK);
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	exec_ok(db, "DROP VIEW price_view");
	free(exe);

	/* the connection lost half-way: that is the status, the message still
	 * says where, and nothing of the migration is left */
	char *f4 = path_in(dir, "0004_bad.sql");
	unlink(f4);
	free(f4);
	write_mig(dir, "0004_kill", "0003_add_price",
	          "INSERT INTO log VALUES ('before');\nSELECT pg_terminate_backend(pg_backend_pid());\n", "SELECT 1;\n");
	rehash(dir);
	exe = embed_and_build(dir, "killer");
	r = drive(exe, CONNINFO, "up", NULL);
	assert_int_equal(r.status, 1);
	/* (the server's last words, 57P01, may or may not reach libpq) */
	const char *lost = "applied 0\nerror: connection lost|";
	assert_true(strncmp(r.out, lost, strlen(lost)) == 0);
	want = fmt("/0004_kill.sql:12: statement failed: ");
	assert_contains(r.out, want);
	free(want);
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	expect_rows("SELECT count(*) FROM log", "0\n");
	free(exe);
}

static void test_no_transaction(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	char *f3 = path_in(dir, "0003_add_price.sql");
	unlink(f3);
	free(f3);
	/* lines: 11 12 | 14 | 16 | 18 19 | 21 22 23 */
	write_mig(dir, "0003_unique_codes", "0002_seed_items",
	          "-- add the column\n"
	          "ALTER TABLE items ADD COLUMN code text;\n"
	          "\n"
	          "UPDATE items SET code = 'dup';\n"
	          "\n"
	          "INSERT INTO items VALUES (2, 'two', 'dup');\n"
	          "\n"
	          "-- +modelc no-transaction\n"
	          "DROP INDEX CONCURRENTLY IF EXISTS ux_items_code;\n"
	          "\n"
	          "-- +modelc no-transaction\n"
	          "-- create index ux_items_code concurrently\n"
	          "CREATE UNIQUE INDEX CONCURRENTLY ux_items_code ON items (code);\n",
	          "-- +modelc no-transaction\n"
	          "DROP INDEX CONCURRENTLY IF EXISTS ux_items_code;\n"
	          "\n"
	          "ALTER TABLE items DROP COLUMN code;\n"
	          "\n"
	          "DELETE FROM items WHERE id = 2;\n");
	rehash(dir);
	char *exe = embed_and_build(dir, "driver");
	const char *fail_fmt = "applied %d\n"
	                       "error: unique violation|23505|%s/0003_unique_codes.sql:23: statement failed: could not create "
	                       "unique index \"ux_items_code\" (0003_unique_codes is incomplete: the next migrate up resumes it "
	                       "at statement 4)\n"
	                       "detail: Key (code)=(dup) is duplicated.\n" SESSION_OK;
	char *fail_out = fmt(fail_fmt, 2, dir);
	drive_expect(exe, "up", NULL, 1, fail_out);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|4\n");
	expect_rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", "f\n");
	bin_expect(dir, "status", NULL, 0,
	           "current: 0003_unique_codes\n"
	           "incomplete: 0003_unique_codes (its upgrade stopped at statement 4, line 19; modelc migrate up resumes it)\n"
	           "pending: none\n");
	drive_expect(exe, "status", NULL, 0, "at 0003_unique_codes (3 applied, 0 pending, resume at 4)\n" SESSION_OK);
	drive_expect(exe, "down", NULL, 1,
	             "reverted 0\nerror: error||0003_unique_codes is incomplete (its upgrade stopped before statement 4); "
	             "finish it with migrate up first\n" SESSION_OK);
	/* fixed data: the program's next up reruns the DROP, then builds the index */
	exec_ok(db, "UPDATE items SET code = 'c' || id");
	drive_expect(exe, "up", NULL, 0, "applied 1\nat 0003_unique_codes (3 applied, 0 pending)\n" SESSION_OK);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|-\n");
	expect_rows("SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", "t|t\n");

	/* the binary's downgrade stops after its no-transaction group; the
	 * program refuses to go up, and finishes the downgrade */
	exec_ok(db, "CREATE VIEW code_view AS SELECT code FROM items");
	tu_run r = mig(dir, CONNINFO, "down", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|-2\n");
	drive_expect(exe, "status", NULL, 0, "at 0003_unique_codes (3 applied, 0 pending, resume at -2)\n" SESSION_OK);
	drive_expect(exe, "up", NULL, 1,
	             "applied 0\nerror: error||0003_unique_codes is partly reverted (its downgrade stopped before "
	             "statement 2); finish it with migrate down first\n" SESSION_OK);
	exec_ok(db, "DROP VIEW code_view");
	drive_expect(exe, "down", NULL, 0, "reverted 1\nat 0002_seed_items (2 applied, 1 pending)\n" SESSION_OK);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n");
	expect_rows("SELECT id, name FROM items", "1|one\n");

	/* the program stops half-way, the binary resumes */
	free(fail_out);
	fail_out = fmt(fail_fmt, 0, dir);
	drive_expect(exe, "up", NULL, 1, fail_out);
	exec_ok(db, "UPDATE items SET code = 'c' || id");
	bin_expect(dir, "up", NULL, 0, "resuming 0003_unique_codes at statement 4\nat 0003_unique_codes\n");
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|-\n");
	expect_rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", "t\n");
	free(fail_out);
	free(exe);
}

/* ---- setup ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	base_dir = tu_tempdir("embed-base");
	write_base_fixtures(base_dir);
	rehash(base_dir);
	base_exe = embed_and_build(base_dir, "driver");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (db)
		PQfinish(db);
	db = NULL;
	drop_database();
	if (base_dir)
		tu_rm_rf(base_dir);
	free(base_dir);
	free(base_exe);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_take_turns, db_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_lock, db_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_checksum_mismatch, db_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_failure, db_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_no_transaction, db_setup, test_teardown),
	};
	return cmocka_run_group_tests_name("migrations embedded in a program", tests, group_setup, group_teardown);
}

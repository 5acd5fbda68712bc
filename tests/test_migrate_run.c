/* test_migrate_run.c - the migrations folder and the runner.
 *
 * In process (compiler library): SHA-256 against the FIPS 180-4 vectors and
 * sha256sum; the SQL splitter (quotes, E'' escapes, dollar quoting, nested
 * comments, markers, comments before statements, line numbers, errors,
 * random input); the migration file format; modelc.sum verification
 * (edits, missing lines and files, forks, follows:, the chain,
 * state.model).
 *
 * Against the test cluster (database modelc_migrate_run, recreated per test
 * and dropped at the end), through the modelc binary: up, up REV, down,
 * down REV/base, status, history, stamp, sql FROM:TO, rehash; a failing
 * migration (file:line, SQLSTATE, DETAIL, previous revision kept); an
 * edited applied migration; a fork; no-transaction steps with a failure
 * resumed by the next up (and a stopped down resumed by the next down);
 * two concurrent `migrate up` applying each migration once.
 *
 * Fixtures are written by hand in the documented format; modelc.sum comes
 * from `modelc migrate rehash`. */
#include "testutil.h"

#include <stdbool.h>
#include "pgutil.h"

#include "migrate.h"

#define DBNAME "modelc_migrate_run"
#define CONNINFO "dbname=" DBNAME

static char *dir;       /* this test's migrations folder */
static PGconn *db;      /* this test's connection to DBNAME */

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle)) {
		fprintf(stderr, "expected to find:\n%s\nin:\n%s\n", needle, hay ? hay : "(null)");
		fail_msg("text not found");
	}
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle)) {
		fprintf(stderr, "did not expect:\n%s\nin:\n%s\n", needle, hay);
		fail_msg("text found");
	}
}

static char *path_in(const char *d, const char *name)
{
	char *p = malloc(strlen(d) + strlen(name) + 2);
	sprintf(p, "%s/%s", d, name);
	return p;
}

/* ---- SHA-256 ------------------------------------------------------------------- */

static void check_sha(const char *data, size_t n, const char *want)
{
	char out[65];
	sha256_hex(data, n, out);
	assert_string_equal(out, want);
}

static void test_sha256(void **state)
{
	(void)state;
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *v448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_sha(v448, strlen(v448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *v896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	                   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_sha(v896, strlen(v896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	check_sha(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);

	/* every padding case around the block boundaries, against sha256sum */
	static const size_t lens[] = { 1, 54, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129, 1000, 4097 };
	char *tmp = tu_tempdir("sha");
	char *file = path_in(tmp, "data");
	unsigned char data[4097];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		FILE *f = fopen(file, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, lens[k], f), lens[k]);
		fclose(f);
		const char *argv[] = { "sha256sum", file, NULL };
		tu_run r = tu_exec(NULL, argv);
		assert_int_equal(r.status, 0);
		char out[65];
		sha256_hex(data, lens[k], out);
		if (strncmp(r.out, out, 64) != 0)
			fail_msg("length %zu: sha256sum says %.64s, sha256_hex %s", lens[k], r.out, out);
		tu_run_free(&r);
	}
	free(file);
	tu_rm_rf(tmp);
	free(tmp);
}

/* ---- the splitter -------------------------------------------------------------- */

static const char split_text[] =
	"-- create t\n"                                                                   /* 10 */
	"CREATE TABLE t (a text DEFAULT 'x;''y', \"we;ird\" int); -- trailing; comment\n"  /* 11 */
	"\n"                                                                              /* 12 */
	"-- DESTRUCTIVE: drop column\n"                                                   /* 13 */
	"ALTER TABLE t DROP COLUMN b;\n"                                                  /* 14 */
	"/* block ; /* nested ; */ still ; */\n"                                          /* 15 */
	"-- RISKY: not null\n"                                                            /* 16 */
	"--second line\n"                                                                 /* 17 */
	"  ALTER TABLE t ALTER a SET NOT NULL;\n"                                         /* 18 */
	"-- lost, a blank line follows\n"                                                 /* 19 */
	"\n"                                                                              /* 20 */
	"SELECT E'it\\'s; \\\\', $$a;b$$, $fn$ $$ ; $fn$, 1 AS x$a$, U&'d;', 'e'';' ;\n"  /* 21 */
	";\n"                                                                             /* 22 */
	"-- +modelc no-transaction\n"                                                     /* 23 */
	"-- create index concurrently\n"                                                  /* 24 */
	"CREATE INDEX CONCURRENTLY ix\n"                                                  /* 25 */
	"  ON t (a); CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$\n"          /* 26 */
	"  SELECT 'a; -- b /* c';\n"                                                      /* 27 */
	"$body$;\n"                                                                       /* 28 */
	"SELECT \"a -- b\", 'q' -- c;\n"                                                  /* 29 */
	";\n";                                                                            /* 30 */

static mig_step *step_at(vec *v, size_t i) { return VEC_AT(*v, i, mig_step *); }

static void test_split(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	buf err;
	buf_init(&err);
	vec steps = { 0 };
	int rc = mig_split_sql(&a, "x.sql", split_text, strlen(split_text), 10, &steps, &err);
	if (rc != 0)
		fail_msg("split failed: %s", buf_cstr(&err));
	assert_int_equal(steps.n, 7);
	mig_step *s = step_at(&steps, 0);
	assert_string_equal(s->sql, "CREATE TABLE t (a text DEFAULT 'x;''y', \"we;ird\" int)");
	assert_string_equal(s->comment, "create t");
	assert_int_equal(s->line, 11);
	assert_false(s->no_tx || s->destructive || s->risky);
	s = step_at(&steps, 1);
	assert_string_equal(s->sql, "ALTER TABLE t DROP COLUMN b");
	assert_string_equal(s->comment, "DESTRUCTIVE: drop column");
	assert_int_equal(s->line, 14);
	assert_true(s->destructive);
	assert_false(s->risky);
	s = step_at(&steps, 2);
	assert_string_equal(s->sql, "ALTER TABLE t ALTER a SET NOT NULL");
	assert_string_equal(s->comment, "RISKY: not null\nsecond line");
	assert_int_equal(s->line, 18);
	assert_true(s->risky);
	assert_false(s->destructive);
	s = step_at(&steps, 3);
	assert_string_equal(s->sql, "SELECT E'it\\'s; \\\\', $$a;b$$, $fn$ $$ ; $fn$, 1 AS x$a$, U&'d;', 'e'';'");
	assert_null(s->comment);
	assert_int_equal(s->line, 21);
	s = step_at(&steps, 4);
	assert_string_equal(s->sql, "CREATE INDEX CONCURRENTLY ix\n  ON t (a)");
	assert_string_equal(s->comment, "create index concurrently");
	assert_int_equal(s->line, 25);
	assert_true(s->no_tx);
	s = step_at(&steps, 5);
	assert_string_equal(s->sql, "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$\n  SELECT 'a; -- b /* c';\n$body$");
	assert_int_equal(s->line, 26);
	assert_false(s->no_tx);
	assert_null(s->comment);
	s = step_at(&steps, 6);
	assert_string_equal(s->sql, "SELECT \"a -- b\", 'q' -- c;");    /* the ';' is in the comment */
	assert_int_equal(s->line, 29);

	/* errors name the line of what is wrong */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "SELECT 1;\nSELECT 'abc;\n", "x.sql:2: unterminated quoted string" },
		{ "SELECT \"abc;", "x.sql:1: unterminated quoted identifier" },
		{ "\n\nSELECT $x$ abc; $y$;", "x.sql:3: unterminated dollar-quoted string" },
		{ "SELECT E'abc\\';", "x.sql:1: unterminated quoted string" },
		{ "SELECT E'\\", "x.sql:1: unterminated quoted string" },
		{ "/* a /* b */ ;", "x.sql:1: unterminated /* comment" },
		{ "SELECT 1; /* a /* b */ */ SELECT 2 /* ; */", "x.sql:1: statement does not end with ';'" },
		{ "SELECT 1;\n\nSELECT\n 2", "x.sql:3: statement does not end with ';'" },
		{ "-- +modelc no-transaction\n", "x.sql:1: '-- +modelc no-transaction' is not followed by a statement" },
		{ "-- +modelc no-transaction\n;\nSELECT 1;", "x.sql:1: '-- +modelc no-transaction' is not followed" },
		{ "--  +modelc   no-transactions\nSELECT 1;", "x.sql:1: unknown marker '--  +modelc   no-transactions'" },
		{ "SELECT 1\n-- +modelc no-transaction\nSELECT 2;",
		  "x.sql:2: marker inside a statement (is the ';' of the statement on line 1 missing?)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err.len = 0;
		vec v = { 0 };
		assert_int_equal(mig_split_sql(&a, "x.sql", bad[i].text, strlen(bad[i].text), 1, &v, &err), -1);
		assert_contains(buf_cstr(&err), bad[i].msg);
	}
	err.len = 0;
	vec v = { 0 };
	assert_int_equal(mig_split_sql(&a, "x.sql", "", 0, 1, &v, &err), 0);
	assert_int_equal(mig_split_sql(&a, "x.sql", NULL, 0, 1, &v, &err), 0);
	assert_int_equal(mig_split_sql(&a, "x.sql", " -- only a comment\n/* and */\n;;\n", 31, 1, &v, &err), 0);
	assert_int_equal(v.n, 0);

	/* no input crashes it: every prefix, and random text of the tricky bytes */
	size_t n = strlen(split_text);
	for (size_t k = 0; k <= n; k++) {
		char *copy = malloc(k + 1);    /* exactly k bytes: ASan sees any overread */
		memcpy(copy, split_text, k);
		vec w = { 0 };
		err.len = 0;
		mig_split_sql(&a, "x.sql", copy, k, 1, &w, &err);
		free(copy);
	}
	static const char alphabet[] = "'\"$E-/*;\n\\ ax+_1e";
	unsigned seed = 12345;
	for (int it = 0; it < 4000; it++) {
		size_t len = (seed = seed * 1103515245u + 12345u) % 48;
		char *t = malloc(len ? len : 1);
		for (size_t k = 0; k < len; k++)
			t[k] = alphabet[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof alphabet - 1)];
		vec w = { 0 };
		err.len = 0;
		int r = mig_split_sql(&a, "x.sql", t, len, 1, &w, &err);
		assert_true(r == 0 || (r == -1 && err.len > 0));
		for (size_t k = 0; r == 0 && k < w.n; k++)
			assert_true(step_at(&w, k)->line >= 1);
		free(t);
	}
	buf_free(&err);
	arena_free(&a);
}

/* ---- the file format ------------------------------------------------------------- */

static const char file_text[] =
	"-- modelc migration 0002_add_posts\n"
	"-- revision: 0002_add_posts\n"
	"-- follows: 0001_create_users\n"
	"-- message: add posts\n"
	"-- from-state: sha256:4f1c000000000000000000000000000000000000000000000000000000000000\n"
	"-- to-state: empty\n"
	"-- Generated by modelc from app.model. Review it; keep it with migrations/modelc.sum.\n"
	"\n"
	"-- +modelc upgrade\n"                                  /* 9 */
	"\n"
	"-- create table posts\n"
	"CREATE TABLE posts (id bigserial NOT NULL);\n"        /* 12 */
	"\n"
	"-- +modelc no-transaction\n"
	"-- create index ix_posts_id concurrently\n"
	"CREATE INDEX CONCURRENTLY ix_posts_id ON posts (id);\n" /* 16 */
	"\n"
	"-- +modelc downgrade\n"                                /* 18 */
	"\n"
	"-- DESTRUCTIVE: drop table posts\n"
	"DROP TABLE posts;\n";                                   /* 21 */

static int parse(arena *a, const char *path, const char *text, mig_file *f, buf *err)
{
	err->len = 0;
	return mig_file_parse(a, path, text, strlen(text), f, err);
}

/* file_text with one substring replaced */
static char *variant(const char *from, const char *to)
{
	const char *at = strstr(file_text, from);
	assert_non_null(at);
	char *s = malloc(sizeof file_text + strlen(to));
	sprintf(s, "%.*s%s%s", (int)(at - file_text), file_text, to, at + strlen(from));
	return s;
}

static void test_file_parse(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	buf err;
	buf_init(&err);
	mig_file f;
	if (parse(&a, "m/0002_add_posts.sql", file_text, &f, &err) != 0)
		fail_msg("parse failed: %s", buf_cstr(&err));
	assert_string_equal(f.path, "m/0002_add_posts.sql");
	assert_string_equal(f.rev, "0002_add_posts");
	assert_int_equal(f.number, 2);
	assert_string_equal(f.follows, "0001_create_users");
	assert_string_equal(f.message, "add posts");
	assert_string_equal(f.from_state, "sha256:4f1c000000000000000000000000000000000000000000000000000000000000");
	assert_string_equal(f.to_state, "empty");
	char hex[65];
	sha256_hex(file_text, strlen(file_text), hex);
	assert_true(strncmp(f.checksum, "sha256:", 7) == 0);
	assert_string_equal(f.checksum + 7, hex);
	assert_int_equal(f.up.n, 2);
	assert_int_equal(f.down.n, 1);
	assert_int_equal(step_at(&f.up, 0)->line, 12);
	assert_string_equal(step_at(&f.up, 0)->comment, "create table posts");
	assert_int_equal(step_at(&f.up, 1)->line, 16);
	assert_true(step_at(&f.up, 1)->no_tx);
	assert_int_equal(step_at(&f.down, 0)->line, 21);
	assert_true(step_at(&f.down, 0)->destructive);

	static const struct {
		const char *from, *to, *msg;
	} bad[] = {
		{ "-- revision: 0002_add_posts", "-- revision: 0003_add_posts",
		  "m/0002_add_posts.sql:2: revision '0003_add_posts' does not match the file name (expected '0002_add_posts')" },
		{ "-- follows: 0001_create_users\n", "", "m/0002_add_posts.sql: no '-- follows:' header" },
		{ "-- message: add posts\n", "-- message: add posts\n-- message: again\n",
		  "m/0002_add_posts.sql:5: a second 'message:' header (the first is on line 4)" },
		{ "-- to-state: empty", "-- to-state: sha256:abc", "m/0002_add_posts.sql:6: to-state: must be" },
		{ "-- follows: 0001_create_users", "-- follows: one", "m/0002_add_posts.sql:3: follows: 'one' is neither" },
		{ "-- +modelc downgrade\n", "", "m/0002_add_posts.sql: no '-- +modelc downgrade' line" },
		{ "-- +modelc upgrade\n", "", "m/0002_add_posts.sql: no '-- +modelc upgrade' line" },
		{ "-- +modelc upgrade\n", "-- +modelc downgrade\nSELECT 1;\n-- +modelc upgrade\n",
		  "m/0002_add_posts.sql:11: '-- +modelc upgrade' after '-- +modelc downgrade'" },
		{ "-- +modelc downgrade\n", "-- +modelc downgrade\n-- +modelc upgrade\n",
		  "m/0002_add_posts.sql:19: a second '-- +modelc upgrade' (the first is on line 9)" },
		{ "-- +modelc downgrade\n", "-- +modelc downgrade\n-- +modelc downgrade\n",
		  "m/0002_add_posts.sql:19: a second '-- +modelc downgrade' (the first is on line 18)" },
		{ "-- +modelc upgrade\n", "SELECT 1;\n-- +modelc upgrade\n",
		  "m/0002_add_posts.sql:9: SQL before '-- +modelc upgrade'" },
		{ "DROP TABLE posts;", "DROP TABLE 'posts;", "m/0002_add_posts.sql:21: unterminated quoted string" },
		{ "(id);\n", "(id)\n", "m/0002_add_posts.sql:16: statement does not end with ';'" },
		{ "posts (id bigserial", "posts (id\002bigserial", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t = variant(bad[i].from, bad[i].to);
		int rc = parse(&a, "m/0002_add_posts.sql", t, &f, &err);
		if (bad[i].msg) {
			assert_int_equal(rc, -1);
			assert_contains(buf_cstr(&err), bad[i].msg);
		}
		free(t);
	}
	/* a NUL byte */
	char nul[sizeof file_text];
	memcpy(nul, file_text, sizeof file_text);
	nul[40] = '\0';
	err.len = 0;
	assert_int_equal(mig_file_parse(&a, "m/0002_add_posts.sql", nul, sizeof file_text - 1, &f, &err), -1);
	assert_contains(buf_cstr(&err), "m/0002_add_posts.sql:2: the file contains a NUL byte");
	/* the file name */
	static const char *const names[] = { "m/2_add_posts.sql", "m/0002-add-posts.sql", "0002_Add.sql", "0002_.sql",
	                                     "m/0002_add_posts.txt", "" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(parse(&a, names[i], file_text, &f, &err), -1);
		assert_contains(buf_cstr(&err), "the file name must be NNNN_slug.sql");
	}

	/* no input crashes it: every prefix, every byte changed */
	size_t n = strlen(file_text);
	for (size_t k = 0; k <= n; k++) {
		char *copy = malloc(k + 1);
		memcpy(copy, file_text, k);
		err.len = 0;
		if (mig_file_parse(&a, "m/0002_add_posts.sql", copy, k, &f, &err) == 0)
			assert_true(f.rev && f.follows && f.message && f.from_state && f.to_state && f.checksum);
		free(copy);
	}
	static const char subst[] = "\n-;'$\"/*+: x";
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < sizeof subst - 1; j++) {
			char *copy = malloc(n);
			memcpy(copy, file_text, n);
			copy[k] = subst[j];
			err.len = 0;
			if (mig_file_parse(&a, "m/0002_add_posts.sql", copy, n, &f, &err) == 0)
				assert_true(f.rev && f.follows && f.message && f.from_state && f.to_state);
			free(copy);
		}
	buf_free(&err);
	arena_free(&a);
}

/* ---- fixtures ---------------------------------------------------------------------- */

/* Writes dir/REV.sql in the documented format; the upgrade text starts on
 * line 11. */
static void write_mig(const char *d, const char *rev, const char *follows, const char *up, const char *down)
{
	char name[256], msg[256];
	snprintf(name, sizeof name, "%s.sql", rev);
	const char *slug = strchr(rev, '_');
	snprintf(msg, sizeof msg, "%s", slug ? slug + 1 : rev);
	for (char *p = msg; *p; p++)
		if (*p == '_')
			*p = ' ';
	size_t cap = strlen(up) + strlen(down) + 1024;
	char *text = malloc(cap);
	snprintf(text, cap,
	         "-- modelc migration %s\n"
	         "-- revision: %s\n"
	         "-- follows: %s\n"
	         "-- message: %s\n"
	         "-- from-state: empty\n"
	         "-- to-state: empty\n"
	         "-- Written by hand for tests/test_migrate_run.c.\n"
	         "\n"
	         "-- +modelc upgrade\n"
	         "\n"
	         "%s\n"
	         "-- +modelc downgrade\n"
	         "\n"
	         "%s",
	         rev, rev, follows, msg, up, down);
	char *p = path_in(d, name);
	tu_write(p, text);
	free(p);
	free(text);
}

static void append_file(const char *d, const char *name, const char *text)
{
	char *p = path_in(d, name);
	FILE *f = fopen(p, "ab");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void remove_file(const char *d, const char *name)
{
	char *p = path_in(d, name);
	assert_int_equal(unlink(p), 0);
	free(p);
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

/* modelc migrate CMD [ARG] --dir dir [--db CONNINFO] */
static tu_run mig(bool with_db, const char *cmd, const char *arg)
{
	const char *argv[10];
	int n = 0;
	argv[n++] = tu_modelc();
	argv[n++] = "migrate";
	argv[n++] = cmd;
	if (arg)
		argv[n++] = arg;
	argv[n++] = "--dir";
	argv[n++] = dir;
	if (with_db) {
		argv[n++] = "--db";
		argv[n++] = CONNINFO;
	}
	argv[n] = NULL;
	return tu_exec(NULL, argv);
}

/* Runs it and checks the exit status and, when given, the whole stdout. */
static void mig_expect(bool with_db, const char *cmd, const char *arg, int status, const char *out)
{
	tu_run r = mig(with_db, cmd, arg);
	if (r.status != status || (out && strcmp(r.out, out) != 0)) {
		fprintf(stderr, "modelc migrate %s %s: status %d (expected %d)\nstdout:\n%s\nexpected:\n%s\nstderr:\n%s\n",
		        cmd, arg ? arg : "", r.status, status, r.out, out ? out : "(any)", r.err);
		tu_run_free(&r);
		fail_msg("unexpected result");
	}
	tu_run_free(&r);
}

static void rehash(void)
{
	mig_expect(false, "rehash", NULL, 0, NULL);
}

/* ---- modelc.sum, in process --------------------------------------------------------- */

static int load(mig_set *set, buf *err)
{
	static arena a;
	arena_free(&a);
	arena_init(&a);
	err->len = 0;
	return mig_set_load(&a, dir, set, err);
}

static void expect_load_error(const char *msg)
{
	buf err;
	buf_init(&err);
	mig_set set;
	assert_int_equal(load(&set, &err), -1);
	assert_contains(buf_cstr(&err), msg);
	buf_free(&err);
}

static void expect_load_ok(size_t nfiles)
{
	buf err;
	buf_init(&err);
	mig_set set;
	if (load(&set, &err) != 0)
		fail_msg("mig_set_load: %s", buf_cstr(&err));
	assert_int_equal(set.files.n, nfiles);
	buf_free(&err);
}

static int dir_setup(void **state)
{
	(void)state;
	dir = tu_tempdir("migrate");
	return 0;
}

static int dir_teardown(void **state)
{
	(void)state;
	tu_rm_rf(dir);
	free(dir);
	dir = NULL;
	if (db) {
		PQfinish(db);
		db = NULL;
	}
	return 0;
}

static void test_sum(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	buf err;
	buf_init(&err);
	mig_set set;
	char *sum = path_in(dir, "modelc.sum"), *state_model = path_in(dir, "state.model");

	/* a missing folder is an empty set; so is one without modelc.sum */
	char *missing = path_in(dir, "nope");
	assert_int_equal(mig_set_load(&a, missing, &set, &err), 0);
	assert_int_equal(set.files.n, 0);
	free(missing);
	expect_load_ok(0);

	write_base_fixtures(dir);
	expect_load_error("/modelc.sum: missing (run modelc migrate rehash");
	assert_int_equal(mig_sum_write(&a, dir, &err), 0);
	expect_load_ok(3);
	/* the exact format */
	char *text = tu_read(sum, NULL);
	char want[2048], hex[3][65];
	const char *revs[] = { "0001_create_items", "0002_seed_items", "0003_add_price" };
	for (int i = 0; i < 3; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s.sql", revs[i]);
		char *p = path_in(dir, name);
		size_t n;
		char *body = tu_read(p, &n);
		sha256_hex(body, n, hex[i]);
		free(body);
		free(p);
	}
	snprintf(want, sizeof want,
	         "# modelc.sum - checksums of the migrations in this folder; written by modelc migrate new\n"
	         "0001_create_items base sha256:%s\n"
	         "0002_seed_items 0001_create_items sha256:%s\n"
	         "0003_add_price 0002_seed_items sha256:%s\n",
	         hex[0], hex[1], hex[2]);
	assert_string_equal(text, want);
	free(text);
	/* unchanged: not rewritten */
	struct stat st1, st2;
	assert_int_equal(stat(sum, &st1), 0);
	assert_int_equal(mig_sum_write(&a, dir, &err), 0);
	assert_int_equal(stat(sum, &st2), 0);
	assert_true(st1.st_ino == st2.st_ino);

	/* state.model: its line comes last */
	tu_write(state_model, "table items { id int primary key }\n");
	expect_load_error("/state.model: has no line in");
	rehash();
	expect_load_ok(3);
	text = tu_read(sum, NULL);
	char sh[65];
	sha256_hex("table items { id int primary key }\n", strlen("table items { id int primary key }\n"), sh);
	char line[256];
	snprintf(line, sizeof line, "0003_add_price 0002_seed_items sha256:%s\nstate.model sha256:%s\n", hex[2], sh);
	assert_non_null(strstr(text, line));
	free(text);
	tu_write(state_model, "table items { id bigint primary key }\n");
	expect_load_error("/state.model: edited after it was generated");
	rehash();

	/* an edited migration */
	append_file(dir, "0002_seed_items.sql", "-- an afterthought\n");
	expect_load_error("/0002_seed_items.sql: edited after it was generated (its checksum differs from ");
	expect_load_error("; to accept the edit, run modelc migrate rehash");
	rehash();
	expect_load_ok(3);

	/* a file without a line, a line without a file */
	write_mig(dir, "0004_more", "0003_add_price", "SELECT 1;\n", "SELECT 1;\n");
	expect_load_error("/0004_more.sql: has no line in ");
	rehash();
	expect_load_ok(4);
	remove_file(dir, "0004_more.sql");
	expect_load_error("/modelc.sum:5: a line for 0004_more, but there is no file 0004_more.sql");
	rehash();

	/* two branches */
	write_mig(dir, "0004_branch_a", "0003_add_price", "SELECT 1;\n", "SELECT 1;\n");
	write_mig(dir, "0004_branch_b", "0003_add_price", "SELECT 2;\n", "SELECT 2;\n");
	tu_run r = mig(false, "rehash", NULL);
	assert_int_equal(r.status, 1);    /* written, and the fork reported */
	assert_contains(r.err, "/0004_branch_a.sql and ");
	assert_contains(r.err, "/0004_branch_b.sql follow the same revision 0003_add_price: two branches");
	tu_run_free(&r);
	expect_load_error("/0004_branch_b.sql follow the same revision 0003_add_price");
	remove_file(dir, "0004_branch_b.sql");
	rehash();
	expect_load_ok(4);

	/* follows: disagreeing with the sum */
	text = tu_read(sum, NULL);
	char *at = strstr(text, "0002_seed_items 0001_create_items");
	assert_non_null(at);
	memcpy(at + 16, "0000_create_items", 17);
	tu_write(sum, text);
	free(text);
	expect_load_error("/0002_seed_items.sql: follows 0001_create_items, but ");
	expect_load_error("modelc.sum says it follows 0000_create_items");
	rehash();

	/* not one chain in number order */
	write_mig(dir, "0005_late", "0006_later", "SELECT 1;\n", "SELECT 1;\n");
	write_mig(dir, "0006_later", "0004_branch_a", "SELECT 1;\n", "SELECT 1;\n");
	r = mig(false, "rehash", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "/0005_late.sql: follows 0006_later, but the migration before it is 0004_branch_a");
	tu_run_free(&r);
	remove_file(dir, "0005_late.sql");
	remove_file(dir, "0006_later.sql");
	rehash();
	/* a malformed line */
	append_file(dir, "modelc.sum", "garbage here\n");
	expect_load_error("modelc.sum:7: malformed line");
	rehash();
	expect_load_ok(4);
	/* a misnamed migration is reported, not ignored */
	append_file(dir, "5_oops.sql", "SELECT 1;\n");
	expect_load_error("/5_oops.sql: the file name must be NNNN_slug.sql");
	remove_file(dir, "5_oops.sql");

	/* a damaged modelc.sum is reported, never a crash */
	size_t sn;
	char *good = tu_read(sum, &sn);
	static const char subst[] = " \n#:-_0as\t";
	unsigned seed = 777;
	for (int it = 0; it < 300; it++) {
		char *bad = malloc(sn + 1);
		memcpy(bad, good, sn + 1);
		seed = seed * 1103515245u + 12345u;
		size_t pos = (seed >> 8) % sn;
		if (it % 3 == 0)
			bad[pos] = '\0';    /* truncated */
		else
			bad[pos] = subst[(seed >> 20) % (sizeof subst - 1)];
		tu_write(sum, bad);
		free(bad);
		buf e2;
		buf_init(&e2);
		mig_set s2;
		if (load(&s2, &e2) != 0)
			assert_true(e2.len > 0);
		buf_free(&e2);
	}
	tu_write(sum, good);
	free(good);
	expect_load_ok(4);

	free(sum);
	free(state_model);
	buf_free(&err);
	arena_free(&a);
}

/* ---- the database ---------------------------------------------------------------- */

static void drop_database(void)
{
	const char *admin = tu_env("PGDATABASE", "postgres");
	PGconn *c = connect_db(strcmp(admin, DBNAME) == 0 ? "postgres" : admin);
	exec_ok(c, "DROP DATABASE IF EXISTS " DBNAME " WITH (FORCE)");
	PQfinish(c);
}

/* A fresh DBNAME, connected as db. */
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

static int db_setup(void **state)
{
	dir_setup(state);
	fresh_db();
	return 0;
}

/* The rows of a query, one line each, columns separated by '|', NULL as
 * "-"; caller frees. */
static char *rows(const char *sql)
{
	PGresult *r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("query failed");
	}
	size_t cap = 64;
	for (int i = 0; i < PQntuples(r); i++)
		for (int j = 0; j < PQnfields(r); j++)
			cap += strlen(PQgetvalue(r, i, j)) + 3;
	char *out = malloc(cap), *p = out;
	*p = '\0';
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++)
			p += sprintf(p, "%s%s", j ? "|" : "", PQgetisnull(r, i, j) ? "-" : PQgetvalue(r, i, j));
		p += sprintf(p, "\n");
	}
	PQclear(r);
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

#define VERSIONS "SELECT revision, next_step FROM modelc_migrations ORDER BY revision"

static void test_up_down(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	rehash();
	mig_expect(true, "status", NULL, 0,
	           "current: base\npending: 0001_create_items\npending: 0002_seed_items\npending: 0003_add_price\n");
	mig_expect(true, "up", "0002", 0, "applying 0001_create_items\napplying 0002_seed_items\nat 0002_seed_items\n");
	mig_expect(true, "status", NULL, 0, "current: 0002_seed_items\npending: 0003_add_price\n");
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n");
	expect_rows("SELECT id, name FROM items", "1|one\n");
	/* the checksum recorded is the file's */
	char *p = path_in(dir, "0001_create_items.sql");
	size_t n;
	char *body = tu_read(p, &n);
	char hex[65], want[80];
	sha256_hex(body, n, hex);
	snprintf(want, sizeof want, "sha256:%s\n", hex);
	expect_rows("SELECT checksum FROM modelc_migrations WHERE revision = '0001_create_items'", want);
	free(body);
	free(p);

	mig_expect(true, "up", NULL, 0, "applying 0003_add_price\nat 0003_add_price\n");
	expect_rows("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'price'",
	            "1\n");
	mig_expect(true, "up", NULL, 0, "at 0003_add_price, nothing to apply\n");
	mig_expect(true, "status", NULL, 0, "current: 0003_add_price\npending: none\n");
	mig_expect(false, "history", NULL, 0,
	           "base -> 0001_create_items: create items\n"
	           "0001_create_items -> 0002_seed_items: seed items\n"
	           "0002_seed_items -> 0003_add_price: add price\n");

	mig_expect(true, "down", NULL, 0, "reverting 0003_add_price\nat 0002_seed_items\n");
	expect_rows("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'price'",
	            "0\n");
	mig_expect(true, "down", "0001", 0, "reverting 0002_seed_items\nat 0001_create_items\n");
	expect_rows("SELECT count(*) FROM items", "0\n");
	mig_expect(true, "up", "0003_add_price", 0,
	           "applying 0002_seed_items\napplying 0003_add_price\nat 0003_add_price\n");
	mig_expect(true, "down", "-2", 0, "reverting 0003_add_price\nreverting 0002_seed_items\nat 0001_create_items\n");
	mig_expect(true, "up", NULL, 0, "applying 0002_seed_items\napplying 0003_add_price\nat 0003_add_price\n");
	mig_expect(true, "down", "base", 0,
	           "reverting 0003_add_price\nreverting 0002_seed_items\nreverting 0001_create_items\nat base\n");
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename IN ('items', 'log')", "0\n");
	expect_rows(VERSIONS, "");
	mig_expect(true, "down", NULL, 0, "at base, nothing to revert\n");
	mig_expect(true, "status", NULL, 0,
	           "current: base\npending: 0001_create_items\npending: 0002_seed_items\npending: 0003_add_price\n");

	/* usage errors */
	tu_run r = mig(true, "up", "0009");
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "modelc migrate up: unknown revision '0009'");
	tu_run_free(&r);
	r = mig(true, "down", "0003");
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "modelc: 0003_add_price is not applied (the database is at base)");
	tu_run_free(&r);
	r = mig(true, "down", "--bogus");
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown option '--bogus'");
	tu_run_free(&r);
	r = mig(false, "history", "extra");
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	const char *argv[] = { tu_modelc(), "migrate", "status", "--dir", dir, "--db", "dbname=modelc_no_such_db", NULL };
	r = tu_exec(NULL, argv);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "modelc: cannot connect to the database: ");
	tu_run_free(&r);
}

static void test_failure(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	write_mig(dir, "0004_bad", "0003_add_price",
	          "INSERT INTO log VALUES ('before');\n\n-- duplicate key\nINSERT INTO items\n  VALUES (1, 'again');\n",
	          "SELECT 1;\n");
	rehash();
	tu_run r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "applying 0001_create_items\napplying 0002_seed_items\napplying 0003_add_price\n"
	                           "applying 0004_bad\n");
	char want[4300];
	snprintf(want, sizeof want,
	         "modelc: %s/0004_bad.sql:14: statement failed: 23505 duplicate key value violates unique constraint "
	         "\"items_pkey\"\n"
	         "  DETAIL: Key (id)=(1) already exists.\n"
	         "  statement: INSERT INTO items\n  VALUES (1, 'again')\n",
	         dir);
	assert_string_equal(r.err, want);
	tu_run_free(&r);
	/* at the previous revision: nothing of 0004 is left */
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	expect_rows("SELECT count(*) FROM log", "0\n");
	mig_expect(true, "status", NULL, 0, "current: 0003_add_price\npending: 0004_bad\n");
	/* a deferred constraint fails at COMMIT: still named by file and line */
	remove_file(dir, "0004_bad.sql");
	write_mig(dir, "0004_deferred", "0003_add_price",
	          "CREATE TABLE c (p int REFERENCES items DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (5);\n",
	          "DROP TABLE c;\n");
	rehash();
	r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want,
	         "modelc: %s/0004_deferred.sql:11: commit of the transaction starting with this statement failed: 23503 "
	         "insert or update on table \"c\" violates foreign key constraint \"c_p_fkey\"\n",
	         dir);
	assert_contains(r.err, want);
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename = 'c'", "0\n");
	/* a failing downgrade too */
	exec_ok(db, "CREATE VIEW price_view AS SELECT price FROM items");
	r = mig(true, "down", NULL);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "modelc: %s/0003_add_price.sql:15: statement failed: 2BP01 ", dir);
	assert_contains(r.err, want);
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
}

static void test_edited_applied(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	rehash();
	mig_expect(true, "up", NULL, 0, NULL);
	append_file(dir, "0002_seed_items.sql", "-- changed after it was applied\n");
	/* not rehashed: the folder itself is wrong */
	tu_run r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "/0002_seed_items.sql: edited after it was generated");
	assert_contains(r.err, "run modelc migrate rehash");
	tu_run_free(&r);
	/* rehashed: the database knows better */
	rehash();
	static const char *const cmds[] = { "up", "down", "status" };
	for (int i = 0; i < 3; i++) {
		r = mig(true, cmds[i], NULL);
		assert_int_equal(r.status, 1);
		assert_contains(r.err, "/0002_seed_items.sql: edited after it was applied");
		assert_string_equal(r.out, "");
		tu_run_free(&r);
	}
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_add_price|-\n");
	/* stamp records the files as they are */
	mig_expect(true, "stamp", "0003", 0, "stamped 0003_add_price\n");
	mig_expect(true, "up", NULL, 0, "at 0003_add_price, nothing to apply\n");
	/* a revision the folder does not have */
	exec_ok(db, "INSERT INTO modelc_migrations (revision, checksum) VALUES ('0009_gone', 'sha256:00')");
	r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "the database has 0009_gone applied, but ");
	tu_run_free(&r);
}

static void test_fork(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	write_mig(dir, "0004_add_a", "0003_add_price", "ALTER TABLE items ADD a int;\n", "ALTER TABLE items DROP a;\n");
	write_mig(dir, "0004_add_b", "0003_add_price", "ALTER TABLE items ADD b int;\n", "ALTER TABLE items DROP b;\n");
	tu_run r = mig(false, "rehash", NULL);
	assert_int_equal(r.status, 1);
	tu_run_free(&r);
	static const char *const cmds[] = { "up", "status", "history" };
	for (int i = 0; i < 3; i++) {
		r = mig(i < 2, cmds[i], NULL);
		assert_int_equal(r.status, 1);
		char want[4300];
		snprintf(want, sizeof want,
		         "modelc: %s/0004_add_a.sql and %s/0004_add_b.sql follow the same revision 0003_add_price: two "
		         "branches each added the next migration; regenerate one of them on top of the other\n",
		         dir, dir);
		assert_string_equal(r.err, want);
		assert_string_equal(r.out, "");
		tu_run_free(&r);
	}
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename = 'modelc_migrations'", "0\n");
}

static void test_no_transaction(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	remove_file(dir, "0003_add_price.sql");
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
	rehash();
	tu_run r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	char want[4300];
	snprintf(want, sizeof want,
	         "modelc: %s/0003_unique_codes.sql:23: statement failed: 23505 could not create unique index "
	         "\"ux_items_code\"\n"
	         "  DETAIL: Key (code)=(dup) is duplicated.\n"
	         "  statement: CREATE UNIQUE INDEX CONCURRENTLY ux_items_code ON items (code)\n"
	         "modelc: 0003_unique_codes is incomplete: the next modelc migrate up resumes it at statement 4\n",
	         dir);
	assert_string_equal(r.err, want);
	tu_run_free(&r);
	/* the first group is committed, the row says where to resume, and the
	 * failed CREATE INDEX CONCURRENTLY left an invalid index behind */
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|4\n");
	expect_rows("SELECT id, code FROM items ORDER BY id", "1|dup\n2|dup\n");
	expect_rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", "f\n");
	mig_expect(true, "status", NULL, 0,
	           "current: 0003_unique_codes\n"
	           "incomplete: 0003_unique_codes (its upgrade stopped at statement 4, line 19; modelc migrate up resumes it)\n"
	           "pending: none\n");
	r = mig(true, "down", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "0003_unique_codes is incomplete (its upgrade stopped before statement 4); finish it with "
	                       "modelc migrate up first");
	tu_run_free(&r);

	/* fixed data: the next up reruns the DROP, then builds the index */
	exec_ok(db, "UPDATE items SET code = 'c' || id");
	mig_expect(true, "up", NULL, 0, "resuming 0003_unique_codes at statement 4\nat 0003_unique_codes\n");
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|-\n");
	expect_rows("SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'ux_items_code'::regclass", "t|t\n");
	mig_expect(true, "status", NULL, 0, "current: 0003_unique_codes\npending: none\n");

	/* a downgrade that stops after its no-transaction group */
	exec_ok(db, "CREATE VIEW code_view AS SELECT code FROM items");
	r = mig(true, "down", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "reverting 0003_unique_codes\n");
	snprintf(want, sizeof want, "modelc: %s/0003_unique_codes.sql:30: statement failed: 2BP01 ", dir);
	assert_contains(r.err, want);
	assert_contains(r.err, "modelc: 0003_unique_codes is incomplete: the next modelc migrate down resumes it at statement 2\n");
	tu_run_free(&r);
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n0003_unique_codes|-2\n");
	expect_rows("SELECT count(*) FROM pg_class WHERE relname = 'ux_items_code'", "0\n");
	mig_expect(true, "status", NULL, 0,
	           "current: 0003_unique_codes\n"
	           "incomplete: 0003_unique_codes (its downgrade stopped at statement 2, line 30; modelc migrate down "
	           "resumes it)\n"
	           "pending: none\n");
	r = mig(true, "up", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "0003_unique_codes is partly reverted");
	tu_run_free(&r);
	exec_ok(db, "DROP VIEW code_view");
	mig_expect(true, "down", NULL, 0, "resuming the downgrade of 0003_unique_codes at statement 2\nat 0002_seed_items\n");
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n");
	expect_rows("SELECT id, name FROM items", "1|one\n");
}

static void test_stamp(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	rehash();
	mig_expect(true, "stamp", "0002_seed_items", 0, "stamped 0002_seed_items\n");
	expect_rows(VERSIONS, "0001_create_items|-\n0002_seed_items|-\n");
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename = 'items'", "0\n");
	/* without --db: the PG* environment */
	char *old = getenv("PGDATABASE") ? strdup(getenv("PGDATABASE")) : NULL;
	setenv("PGDATABASE", DBNAME, 1);
	const char *argv[] = { tu_modelc(), "migrate", "status", "--dir", dir, NULL };
	tu_run r = tu_exec(NULL, argv);
	if (old)
		setenv("PGDATABASE", old, 1);
	else
		unsetenv("PGDATABASE");
	free(old);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "current: 0002_seed_items\npending: 0003_add_price\n");
	tu_run_free(&r);
	mig_expect(true, "stamp", "3", 0, "stamped 0003_add_price\n");
	mig_expect(true, "stamp", "0001", 0, "stamped 0001_create_items\n");
	expect_rows(VERSIONS, "0001_create_items|-\n");
	mig_expect(true, "stamp", "base", 0, "stamped base\n");
	expect_rows(VERSIONS, "");
	r = mig(true, "stamp", NULL);
	assert_int_equal(r.status, 2);
	tu_run_free(&r);
	r = mig(true, "stamp", "0007");
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown revision '0007'");
	tu_run_free(&r);
}

static void test_sql(void **state)
{
	(void)state;
	write_base_fixtures(dir);
	write_mig(dir, "0004_index", "0003_add_price",
	          "-- +modelc no-transaction\n-- create index ix concurrently\nCREATE INDEX CONCURRENTLY ix ON items (name);\n",
	          "-- +modelc no-transaction\nDROP INDEX CONCURRENTLY ix; -- trailing\n");
	rehash();
	mig_expect(false, "sql", "base:0002_seed_items", 0,
	           "-- 0001_create_items: upgrade\n"
	           "\n"
	           "-- create table items\n"
	           "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n"
	           "\n"
	           "-- 0002_seed_items: upgrade\n"
	           "\n"
	           "INSERT INTO items VALUES (1, 'one');\n"
	           "\n"
	           "CREATE TABLE log (msg text);\n");
	mig_expect(false, "sql", "0004:0002", 0,
	           "-- 0004_index: downgrade\n"
	           "\n"
	           "-- +modelc no-transaction\n"
	           "DROP INDEX CONCURRENTLY ix;\n"
	           "\n"
	           "-- 0003_add_price: downgrade\n"
	           "\n"
	           "ALTER TABLE items DROP COLUMN price;\n");
	mig_expect(false, "sql", "0003:0004", 0,
	           "-- 0004_index: upgrade\n"
	           "\n"
	           "-- +modelc no-transaction\n"
	           "-- create index ix concurrently\n"
	           "CREATE INDEX CONCURRENTLY ix ON items (name);\n");
	mig_expect(false, "sql", "0002:0002_seed_items", 0, "");
	mig_expect(false, "sql", "0002", 2, "");
	mig_expect(false, "sql", "base:0009", 2, "");
	/* offline: nothing was created */
	expect_rows("SELECT count(*) FROM pg_tables WHERE tablename IN ('items', 'modelc_migrations')", "0\n");
}

/* Starts modelc migrate up in the background, output to files. */
static pid_t spawn_up(const char *out, const char *err)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		execl(tu_modelc(), tu_modelc(), "migrate", "up", "--dir", dir, "--db", CONNINFO, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_concurrent_up(void **state)
{
	(void)state;
	write_mig(dir, "0001_create_hits", "base", "CREATE TABLE hits (n int);\n", "DROP TABLE hits;\n");
	write_mig(dir, "0002_first_hit", "0001_create_hits", "INSERT INTO hits VALUES (1);\nSELECT pg_sleep(0.3);\n",
	          "DELETE FROM hits WHERE n = 1;\n");
	write_mig(dir, "0003_second_hit", "0002_first_hit",
	          "INSERT INTO hits VALUES (2);\n\n-- +modelc no-transaction\nCREATE INDEX CONCURRENTLY ix_hits ON hits (n);\n",
	          "-- +modelc no-transaction\nDROP INDEX CONCURRENTLY ix_hits;\nDELETE FROM hits WHERE n = 2;\n");
	rehash();
	char *o[2], *e[2];
	int waited = 0;
	for (int round = 0; round < 3; round++) {
		if (round)
			fresh_db();
		pid_t pid[2];
		for (int i = 0; i < 2; i++) {
			char name[32];
			snprintf(name, sizeof name, "out%d", i);
			o[i] = path_in(dir, name);
			snprintf(name, sizeof name, "err%d", i);
			e[i] = path_in(dir, name);
			pid[i] = spawn_up(o[i], e[i]);
		}
		int st[2] = { wait_status(pid[0]), wait_status(pid[1]) };
		char *out[2] = { tu_read(o[0], NULL), tu_read(o[1], NULL) };
		char *err[2] = { tu_read(e[0], NULL), tu_read(e[1], NULL) };
		if (st[0] != 0 || st[1] != 0)
			fail_msg("concurrent up: status %d and %d\n%s%s%s%s", st[0], st[1], out[0], err[0], out[1], err[1]);
		/* one applied everything, the other found nothing to do */
		static const char applied[] =
			"applying 0001_create_hits\napplying 0002_first_hit\napplying 0003_second_hit\nat 0003_second_hit\n";
		static const char nothing[] = "at 0003_second_hit, nothing to apply\n";
		bool ok = (strcmp(out[0], applied) == 0 && strcmp(out[1], nothing) == 0) ||
		          (strcmp(out[1], applied) == 0 && strcmp(out[0], nothing) == 0);
		if (!ok)
			fail_msg("concurrent up:\n%s%s--\n%s%s", out[0], err[0], out[1], err[1]);
		for (int i = 0; i < 2; i++) {
			assert_lacks(err[i], "statement failed");
			waited += strstr(err[i], "modelc: waiting for another modelc migrate") != NULL;
			free(out[i]);
			free(err[i]);
			free(o[i]);
			free(e[i]);
		}
		expect_rows("SELECT n FROM hits ORDER BY n", "1\n2\n");
		expect_rows(VERSIONS, "0001_create_hits|-\n0002_first_hit|-\n0003_second_hit|-\n");
		expect_rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_hits'::regclass", "t\n");
	}
	/* the two did overlap (0002 sleeps 0.3 s), so the lock was waited for */
	assert_true(waited >= 1);
}

static int drop_all(void **state)
{
	(void)state;
	if (db)
		PQfinish(db);
	db = NULL;
	drop_database();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_file_parse),
		cmocka_unit_test_setup_teardown(test_sum, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_up_down, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_failure, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_edited_applied, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_fork, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_no_transaction, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_stamp, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_sql, db_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_up, db_setup, dir_teardown),
	};
	return cmocka_run_group_tests_name("migrations: files and runner", tests, NULL, drop_all);
}

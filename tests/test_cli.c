/* test_cli.c - the command line: exit statuses, output placement,
 * determinism, untouched unchanged files, depfiles, template overrides. */
#include "testutil.h"

#include <sys/time.h>
#include <time.h>

static char *blog_abs;

static tu_run modelc(const char *cwd, const char *a1, const char *a2, const char *a3, const char *a4,
                     const char *a5)
{
	const char *argv[] = { tu_modelc(), a1, a2, a3, a4, a5, NULL };
	return tu_exec(cwd, argv);
}

static char *path2(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = tu_read(a, &la), *y = tu_read(b, &lb);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(la, lb);
	assert_memory_equal(x, y, la);
	free(x);
	free(y);
}

static void test_usage_errors(void **state)
{
	(void)state;
	tu_run r = modelc(NULL, "--version", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "modelc ", 7) == 0);
	tu_run_free(&r);

	r = modelc(NULL, "--help", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: modelc"));
	tu_run_free(&r);

	r = modelc(NULL, NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no input file"));
	tu_run_free(&r);

	r = modelc(NULL, "--bogus", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "unknown option '--bogus'"));
	tu_run_free(&r);

	r = modelc(NULL, blog_abs, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no output directory"));
	tu_run_free(&r);

	r = modelc(NULL, blog_abs, "-o", NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	tu_run_free(&r);

	char *dir = tu_tempdir("cli");
	char *out = path2(dir, "out");
	r = modelc(NULL, "/nonexistent/x.model", "-o", out, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "modelc: error: cannot read '/nonexistent/x.model': No such file or directory\n");
	assert_int_equal(tu_count_entries(out), -1);
	tu_run_free(&r);

	/* -o naming a regular file is an I/O error, not a crash */
	char *file = path2(dir, "plain");
	tu_write(file, "x");
	r = modelc(NULL, blog_abs, "-o", file, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "not a directory"));
	tu_run_free(&r);

	tu_rm_rf(dir);
	free(file);
	free(out);
	free(dir);
}

static void test_check_writes_nothing(void **state)
{
	(void)state;
	char *dir = tu_tempdir("cli");
	char *out = path2(dir, "out");
	tu_run r = modelc(NULL, blog_abs, "--check", "-o", out, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_int_equal(tu_count_entries(out), -1);
	tu_run_free(&r);
	tu_rm_rf(dir);
	free(out);
	free(dir);
}

/* Same bytes whatever the working directory and the spelling of the path. */
static void test_deterministic_across_cwd(void **state)
{
	(void)state;
	char *dir = tu_tempdir("det");
	char *a = path2(dir, "a"), *b = path2(dir, "b/nested");
	tu_run r = modelc(tu_root(), "examples/blog.model", "-o", a, NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	r = modelc(dir, blog_abs, "-o", "b/nested", NULL, NULL);   /* other cwd, other path */
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	const char *names[] = { "blog.h", "blog.c", "blog.sql" };
	for (int i = 0; i < 3; i++) {
		char *x = path2(a, names[i]), *y = path2(b, names[i]);
		assert_same_file(x, y);
		free(x);
		free(y);
	}
	assert_int_equal(tu_count_entries(a), 3);
	tu_rm_rf(dir);
	free(a);
	free(b);
	free(dir);
}

static void set_old_mtime(const char *path)
{
	struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	assert_int_equal(utimes(path, tv), 0);
}

static time_t mtime_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mtime;
}

static void test_unchanged_not_rewritten(void **state)
{
	(void)state;
	char *dir = tu_tempdir("mtime");
	tu_run r = modelc(NULL, blog_abs, "-o", dir, "-MD", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	const char *names[] = { "blog.h", "blog.c", "blog.sql", "blog.d" };
	for (int i = 0; i < 4; i++) {
		char *p = path2(dir, names[i]);
		set_old_mtime(p);
		free(p);
	}
	r = modelc(NULL, blog_abs, "-o", dir, "-MD", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	for (int i = 0; i < 4; i++) {
		char *p = path2(dir, names[i]);
		assert_int_equal((long)mtime_of(p), 1000000000L);
		free(p);
	}
	/* a changed file is rewritten (and only that one), no temp files left */
	char *sql = path2(dir, "blog.sql");
	size_t len;
	char *orig = tu_read(sql, &len);
	tu_write(sql, "-- edited by hand\n");
	set_old_mtime(sql);
	r = modelc(NULL, blog_abs, "-o", dir, "-MD", NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	size_t len2;
	char *now = tu_read(sql, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(orig, now, len);
	assert_true(mtime_of(sql) > 1000000000L);
	char *h = path2(dir, "blog.h");
	assert_int_equal((long)mtime_of(h), 1000000000L);
	assert_int_equal(tu_count_entries(dir), 4);
	free(h);
	free(orig);
	free(now);
	free(sql);
	tu_rm_rf(dir);
	free(dir);
}

static void test_depfile(void **state)
{
	(void)state;
	char *dir = tu_tempdir("dep");
	char *lib = path2(dir, "lib");
	mkdir(lib, 0777);
	char *common = path2(lib, "common.model");
	tu_write(common, "enum color { red, green }\n");
	char *app = path2(dir, "app.model");
	tu_write(app, "import \"lib/common.model\"\n\ntable things {\n  id serial primary key\n  c color not null\n}\n");

	tu_run r = modelc(dir, "app.model", "-o", "gen", "-MD", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);
	char *d = path2(dir, "gen/app.d");
	char *text = tu_read(d, NULL);
	assert_non_null(text);
	assert_string_equal(text, "gen/app.h gen/app.c gen/app.sql: app.model lib/common.model\n"
	                          "\n"
	                          "lib/common.model:\n");
	free(text);

	/* -MF names the depfile */
	r = modelc(dir, "app.model", "-o", "gen2", "-MF", "deps/x.d");
	assert_int_equal(r.status, 2);   /* deps/ does not exist: an I/O error */
	tu_run_free(&r);
	char *deps = path2(dir, "deps");
	mkdir(deps, 0777);
	free(deps);
	r = modelc(dir, "app.model", "-o", "gen2", "-MF", "deps/x.d");
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *xd = path2(dir, "deps/x.d");
	text = tu_read(xd, NULL);
	assert_non_null(text);
	assert_true(strncmp(text, "gen2/app.h gen2/app.c gen2/app.sql: app.model lib/common.model\n", 60) == 0);
	free(text);
	char *g2 = path2(dir, "gen2");
	assert_int_equal(tu_count_entries(g2), 3);   /* no .d in the output dir */
	free(g2);
	free(xd);
	free(d);
	free(app);
	free(common);
	free(lib);
	tu_rm_rf(dir);
	free(dir);
}

static void test_template_override(void **state)
{
	(void)state;
	char *dir = tu_tempdir("tmpl");
	char *tdir = path2(dir, "templates");
	mkdir(tdir, 0777);
	char *t = path2(tdir, "schema.sql.tmpl");
	tu_write(t, "-- custom {{source}}\n{{#tables}}\n{{name}}\n{{/tables}}\n");
	char *out = path2(dir, "out");
	tu_run r = modelc(NULL, blog_abs, "-o", out, "--templates", tdir);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *sql = path2(out, "blog.sql");
	char *text = tu_read(sql, NULL);
	assert_string_equal(text, "-- custom blog.model\nusers\nposts\nroles\nuser_roles\naccounts\n");
	free(text);
	/* templates not overridden come from the binary */
	char *h = path2(out, "blog.h");
	text = tu_read(h, NULL);
	assert_non_null(strstr(text, "struct blog_user {"));
	free(text);

	/* a broken template is reported at its place; nothing is written */
	tu_write(t, "ok\n{{#tables}}\n{{nmae}}\n{{/tables}}\n");
	char *out2 = path2(dir, "out2");
	r = modelc(NULL, blog_abs, "-o", out2, "--templates", tdir);
	assert_int_equal(r.status, 1);
	char expect[8192];
	snprintf(expect, sizeof expect, "%s:3:1: error: unknown name 'nmae'\n", t);
	assert_true(strncmp(r.err, expect, strlen(expect)) == 0);
	assert_int_equal(tu_count_entries(out2), -1);
	tu_run_free(&r);
	free(out2);
	free(h);
	free(sql);
	free(out);
	free(t);
	free(tdir);
	tu_rm_rf(dir);
	free(dir);
}

static void test_error_keeps_old_output(void **state)
{
	(void)state;
	char *dir = tu_tempdir("keep");
	char *model = path2(dir, "blog.model");
	char *text = tu_read(blog_abs, NULL);
	tu_write(model, text);
	free(text);
	char *out = path2(dir, "out");
	tu_run r = modelc(NULL, model, "-o", out, NULL, NULL);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	char *h = path2(out, "blog.h");
	set_old_mtime(h);
	size_t len;
	char *before = tu_read(h, &len);
	/* break the model: the old outputs stay exactly as they were */
	FILE *f = fopen(model, "a");
	fputs("table broken { id nosuchtype }\n", f);
	fclose(f);
	r = modelc(NULL, model, "-o", out, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "error: unknown type 'nosuchtype'"));
	tu_run_free(&r);
	size_t len2;
	char *after = tu_read(h, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(before, after, len);
	assert_int_equal((long)mtime_of(h), 1000000000L);
	assert_int_equal(tu_count_entries(out), 3);
	free(before);
	free(after);
	free(h);
	free(out);
	free(model);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/examples/blog.model", tu_root());
	blog_abs = tu_abs(p);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_check_writes_nothing),
		cmocka_unit_test(test_deterministic_across_cwd),
		cmocka_unit_test(test_unchanged_not_rewritten),
		cmocka_unit_test(test_depfile),
		cmocka_unit_test(test_template_override),
		cmocka_unit_test(test_error_keeps_old_output),
	};
	int rc = cmocka_run_group_tests_name("command line", tests, NULL, NULL);
	free(blog_abs);
	return rc;
}

/* test_invalid.c - the invalid-model corpus in tests/invalid/, with exact
 * diagnostics.
 *
 * Conventions of the corpus
 *
 * - Every top-level tests/invalid/NNN_name.model is one test case, run in name order.
 *   Files in sub-directories (tests/invalid/imports/) are helpers that the
 *   cases import; they are never run on their own.
 * - modelc runs with the repository root (tu_root()) as its working
 *   directory and the model given as the relative path
 *   "tests/invalid/NAME.model", so every diagnostic names its file relative
 *   to the repository root, e.g. "tests/invalid/imports/cycle_b.model".
 * - The leading comment lines of a case (the run of lines starting with
 *   "//" at the top of the file) state the expected diagnostics, in the
 *   order modelc prints them:
 *
 *     // expect: LINE:COL: error: MESSAGE
 *     // expect: LINE:COL: note: MESSAGE
 *         a diagnostic in the case's own file (LINE and COL 1-based, COL in
 *         bytes, the header lines counted); compared with the line
 *         "tests/invalid/NAME.model:LINE:COL: error: MESSAGE".
 *     // expect: PATH:LINE:COL: note: MESSAGE
 *         (or error:) a diagnostic in another file: an expectation that does
 *         not start with a digit carries its own path, exactly as printed,
 *         e.g. "tests/invalid/imports/x.model:1:7: note: ...".
 *     // expect-hint: TEXT
 *         the line "  hint: TEXT" that modelc prints after the diagnostic
 *         (and its notes) listed just before. Hints are optional per case:
 *         when a case lists at least one expect-hint, every hint line of the
 *         output is compared; otherwise hint lines are ignored.
 *
 *   Other leading comment lines are free text (what the case is about).
 *
 * What each case asserts, with `-o <fresh dir>/out` and again with --check:
 * exit status 1, nothing on stdout, no output directory (or an empty one);
 * stderr consists only of diagnostic blocks: a header line
 * "PATH:LINE:COL: error|note: MESSAGE", the source line " LINE | text"
 * (the line of that file), a caret line "      | ^~~" with the caret under
 * COL (checked where the text before COL is ASCII), then any "  hint: "
 * lines; the header (and hint) lines equal the expectations one for one;
 * both runs print the same stderr. */
#include "testutil.h"
#include "textutil.h"

#include <regex.h>
#include <stdbool.h>
#include <sys/time.h>

#define MAX_CASES 1024

static char *case_names[MAX_CASES];
static int ncases;
static regex_t header_re;

/* ---- small helpers ----------------------------------------------------- */

/* ---- expectations -------------------------------------------------------- */

/* The expected header and hint lines of a case, as full output lines. */
static lines read_expectations(const char *rel, bool *with_hints)
{
	char *path = fmt("%s/%s", tu_root(), rel);
	char *text = tu_read(path, NULL);
	if (!text)
		fail_msg("cannot read %s", path);
	lines src = split_lines(text);
	lines exp = { 0 };
	*with_hints = false;
	for (size_t i = 0; i < src.n && starts_with(src.v[i], "//"); i++) {
		const char *s = src.v[i];
		if (starts_with(s, "// expect: ")) {
			const char *t = s + strlen("// expect: ");
			if (*t >= '0' && *t <= '9')
				lines_push(&exp, fmt("%s:%s", rel, t));
			else
				lines_push(&exp, fmt("%s", t));
		} else if (starts_with(s, "// expect-hint: ")) {
			lines_push(&exp, fmt("  hint: %s", s + strlen("// expect-hint: ")));
			*with_hints = true;
		} else if (starts_with(s, "// expect")) {
			fail_msg("%s:%zu: malformed expectation: %s", rel, i + 1, s);
		}
	}
	lines_free(&src);
	free(text);
	free(path);
	return exp;
}

/* ---- checking modelc's stderr ------------------------------------------ */

/* Line `line` (1-based) of the file at `rel` (relative to the root), as the
 * diagnostic renders it: control characters other than tab become spaces.
 * NULL when the file or line does not exist. */
static char *source_line(const char *rel, unsigned long line)
{
	char *path = rel[0] == '/' ? fmt("%s", rel) : fmt("%s/%s", tu_root(), rel);
	char *text = tu_read(path, NULL);
	free(path);
	if (!text)
		return NULL;
	char *p = text;
	for (unsigned long k = 1; k < line && p; k++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	char *r = NULL;
	if (p && *p) {
		size_t n = strcspn(p, "\n");
		r = dupn(p, n);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)r[i] < 0x20 && r[i] != '\t')
				r[i] = ' ';
	}
	free(text);
	return r;
}

static void report_mismatch(const char *what, const lines *exp, const lines *got, const char *err)
{
	print_error("%s\n", what);
	size_t n = exp->n > got->n ? exp->n : got->n;
	for (size_t i = 0; i < n; i++) {
		const char *e = i < exp->n ? exp->v[i] : "<nothing>";
		const char *g = i < got->n ? got->v[i] : "<nothing>";
		if (strcmp(e, g) == 0) {
			print_error("    same:     %s\n", e);
		} else {
			print_error("  ! expected: %s\n", e);
			print_error("  ! got:      %s\n", g);
		}
	}
	print_error("--- stderr of modelc ---\n%s------------------------\n", err);
}

/* Checks the shape of stderr and returns its header (and, with_hints, hint)
 * lines. */
static lines diagnostic_lines(const char *rel, const char *err, bool with_hints)
{
	lines out = { 0 };
	lines l = split_lines(err);
	size_t i = 0;
	bool in_block = false;
	while (i < l.n) {
		const char *s = l.v[i];
		regmatch_t m[5];
		if (regexec(&header_re, s, 5, m, 0) == 0) {
			char *path = dupn(s + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
			unsigned long line = strtoul(s + m[2].rm_so, NULL, 10);
			unsigned long col = strtoul(s + m[3].rm_so, NULL, 10);
			if (i + 2 >= l.n)
				fail_msg("%s: diagnostic without source and caret lines: %s\n%s", rel, s, err);
			/* " NNN | text" */
			const char *src = l.v[i + 1];
			char *end;
			const char *p = src;
			if (*p != ' ')
				fail_msg("%s: not a source line after '%s': '%s'", rel, s, src);
			while (*p == ' ')
				p++;
			unsigned long sline = strtoul(p, &end, 10);
			if (end == p || !starts_with(end, " | "))
				fail_msg("%s: not a source line after '%s': '%s'", rel, s, src);
			if (sline != line)
				fail_msg("%s: source line numbered %lu after '%s'", rel, sline, s);
			const char *text = end + 3;
			size_t gutter = (size_t)(text - src);
			char *want = source_line(path, line);
			if (want && strcmp(want, text) != 0)
				fail_msg("%s: source line of '%s' is '%s', expected '%s'", rel, s, text, want);
			/* "     | ^~~" with the caret under the column */
			const char *caret = l.v[i + 2];
			const char *hat = strchr(caret, '^');
			if (!hat || strlen(caret) < gutter || strncmp(caret + gutter - 3, " | ", 3) != 0 ||
			    strspn(caret, " ") != gutter - 2)
				fail_msg("%s: not a caret line after '%s': '%s'", rel, s, caret);
			bool ascii = want != NULL && col >= 1 && col - 1 <= strlen(want);
			for (unsigned long k = 0; ascii && k + 1 < col; k++)
				if ((unsigned char)want[k] >= 0x80)
					ascii = false;
			if (ascii && (size_t)(hat - caret) != gutter + col - 1)
				fail_msg("%s: caret of '%s' is not under column %lu: '%s'", rel, s, col, caret);
			free(want);
			free(path);
			lines_push(&out, dupn(s, strlen(s)));
			in_block = true;
			i += 3;
		} else if (starts_with(s, "  hint: ")) {
			if (!in_block)
				fail_msg("%s: hint without a diagnostic before it: '%s'", rel, s);
			if (with_hints)
				lines_push(&out, dupn(s, strlen(s)));
			i++;
		} else {
			fail_msg("%s: unexpected line on stderr: '%s'\n%s", rel, s, err);
		}
	}
	lines_free(&l);
	return out;
}

static bool same_lines(const lines *a, const lines *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* ---- the corpus ----------------------------------------------------------- */

static void test_case(void **state)
{
	const char *name = *state;
	char *rel = fmt("tests/invalid/%s", name);
	bool with_hints;
	lines exp = read_expectations(rel, &with_hints);
	if (exp.n == 0)
		fail_msg("%s states no '// expect:' lines", rel);

	char *tmp = tu_tempdir("invalid");
	char *tmp_abs = tu_abs(tmp);
	char *out = fmt("%s/out", tmp_abs);

	const char *argv_o[] = { tu_modelc(), rel, "-o", out, NULL };
	tu_run r = tu_exec(tu_root(), argv_o);
	if (r.status != 1)
		print_error("%s", r.err);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	int entries = tu_count_entries(out);
	if (entries > 0)
		fail_msg("%s: modelc wrote %d file(s) into %s", rel, entries, out);

	lines got = diagnostic_lines(rel, r.err, with_hints);
	if (!same_lines(&exp, &got)) {
		report_mismatch(rel, &exp, &got, r.err);
		fail_msg("%s: diagnostics differ from the expectations", rel);
	}

	const char *argv_c[] = { tu_modelc(), rel, "--check", NULL };
	tu_run c = tu_exec(tu_root(), argv_c);
	assert_int_equal(c.status, 1);
	assert_string_equal(c.out, "");
	assert_string_equal(c.err, r.err);

	tu_run_free(&c);
	tu_run_free(&r);
	lines_free(&got);
	lines_free(&exp);
	tu_rm_rf(tmp);
	free(out);
	free(tmp_abs);
	free(tmp);
	free(rel);
}

/* ---- no output for an invalid model, and the override fix ---------------- */

/* An output directory with an x.h from before: an invalid x.model leaves it
 * byte for byte (and its modification time) as it was, and adds nothing. */
static void test_existing_output_untouched(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("invalid-keep");
	char *dir = tu_abs(tmp);
	char *model = fmt("%s/x.model", dir);
	char *out = fmt("%s/out", dir);
	char *xh = fmt("%s/x.h", out);
	assert_int_equal(mkdir(out, 0777), 0);
	const char *old = "/* x.h from an earlier run */\n#define X_OLD 1\n";
	tu_write(xh, old);
	struct timeval past[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	assert_int_equal(utimes(xh, past), 0);

	/* one model broken in the semantic pass, one in the parser */
	const char *models[] = {
		"table t {\n  id integer primary key\n  ref integer references nowhere(id)\n}\n",
		"table t {\n  id integer primary key\n  x = 1\n}\n",
	};
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		tu_write(model, models[i]);
		const char *argv_o[] = { tu_modelc(), model, "-o", out, "-MD", NULL };
		tu_run r = tu_exec(NULL, argv_o);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, ": error: "));
		tu_run_free(&r);

		assert_int_equal(tu_count_entries(out), 1);
		size_t len;
		char *now = tu_read(xh, &len);
		assert_non_null(now);
		assert_int_equal(len, strlen(old));
		assert_memory_equal(now, old, len);
		free(now);
		struct stat st;
		assert_int_equal(stat(xh, &st), 0);
		assert_int_equal((long long)st.st_mtime, 1000000000LL);
	}
	tu_rm_rf(dir);
	free(xh);
	free(out);
	free(model);
	free(dir);
	free(tmp);
}

/* The fix that tests/invalid/029_mixin_column_clash.model asks for: with
 * 'override' the table's column replaces the mixin's. */
static void test_override_fixes_clash(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("invalid-override");
	char *dir = tu_abs(tmp);
	char *model = fmt("%s/posts.model", dir);
	char *out = fmt("%s/out", dir);
	tu_write(model, "mixin timestamps {\n"
	                "  created_at timestamptz not null default now()\n"
	                "  updated_at timestamptz not null default now()\n"
	                "}\n"
	                "table posts {\n"
	                "  use timestamps\n"
	                "  id integer primary key\n"
	                "  override created_at timestamp\n"
	                "}\n");
	const char *argv_c[] = { tu_modelc(), model, "--check", NULL };
	tu_run r = tu_exec(NULL, argv_c);
	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);

	const char *argv_o[] = { tu_modelc(), model, "-o", out, NULL };
	r = tu_exec(NULL, argv_o);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	tu_run_free(&r);
	char *sqlp = fmt("%s/posts.sql", out);
	char *sql = tu_read(sqlp, NULL);
	assert_non_null(sql);
	/* the table's type, not the mixin's; the other mixin column stays */
	assert_non_null(strstr(sql, "created_at timestamp"));
	assert_null(strstr(sql, "created_at timestamptz"));
	assert_non_null(strstr(sql, "updated_at timestamptz"));
	free(sql);
	free(sqlp);
	tu_rm_rf(dir);
	free(out);
	free(model);
	free(dir);
	free(tmp);
}

/* ---- main ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	if (regcomp(&header_re, "^([^ :][^:]*):([0-9]+):([0-9]+): (error|note): ", REG_EXTENDED) != 0) {
		fprintf(stderr, "test_invalid: bad regular expression\n");
		return 1;
	}
	char *dir = fmt("%s/tests/invalid", tu_root());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "test_invalid: cannot open %s\n", dir);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= 6 || strcmp(e->d_name + n - 6, ".model") != 0 || e->d_name[0] == '.')
			continue;
		char *p = fmt("%s/%s", dir, e->d_name);
		struct stat st;
		bool regular = stat(p, &st) == 0 && S_ISREG(st.st_mode);
		free(p);
		if (!regular)
			continue;
		if (ncases == MAX_CASES) {
			fprintf(stderr, "test_invalid: more than %d cases\n", MAX_CASES);
			return 1;
		}
		case_names[ncases++] = fmt("%s", e->d_name);
	}
	closedir(d);
	free(dir);
	qsort(case_names, (size_t)ncases, sizeof case_names[0], by_name);
	if (ncases == 0) {
		fprintf(stderr, "test_invalid: no cases in tests/invalid\n");
		return 1;
	}

	struct CMUnitTest *tests = calloc((size_t)ncases, sizeof *tests);
	for (int i = 0; i < ncases; i++) {
		struct CMUnitTest t = { case_names[i], test_case, NULL, NULL, case_names[i] };
		tests[i] = t;
	}
	int rc = _cmocka_run_group_tests("invalid models", tests, (size_t)ncases, NULL, NULL);

	const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_existing_output_untouched),
		cmocka_unit_test(test_override_fixes_clash),
	};
	rc |= cmocka_run_group_tests_name("invalid models: no output, override", extra, NULL, NULL);

	free(tests);
	for (int i = 0; i < ncases; i++)
		free(case_names[i]);
	regfree(&header_re);
	return rc;
}

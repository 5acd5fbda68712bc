/* test_lint.c - `modelc lint` (docs/lint.md).
 *
 * The corpus tests/lint/NNN_name.model: each case is linted from the
 * repository root as "tests/lint/NAME.model"; its leading comment lines
 * state the expected output:
 *
 *     // expect: LINE:COL: warning: MESSAGE [CODE]
 *         a finding, in the order printed (the file's own path is put in
 *         front; an expectation that does not start with a digit carries
 *         its own path);
 *     // expect-hint: TEXT
 *         the line "  hint: TEXT" of the finding listed just before (when a
 *         case lists one, every hint line is compared);
 *     // expect-summary: TEXT
 *         the last line (otherwise: "N finding(s)" after N findings, and
 *         nothing when there are none).
 *
 * Every finding must be a block: the header, the source line, a caret
 * under the column, "  why: ..." and then any statement and hint lines.
 * stderr stays empty; the exit status is 1 with findings, else 0. Every
 * code that needs no database fires in some case.
 *
 * Then: the examples (shop and ledger lint clean, their deliberate findings
 * silenced with reasons),
 * the command line, docs/lint.md naming every code, the statements lint
 * --db plans being those of the generated code, and --db against the
 * cluster tests/run.sh starts (a seq scan reported with the index that
 * serves it, gone once the index is there; thresholds, --analyze, a table
 * missing or never analyzed, no server). Databases are named modelc_lint_*
 * and dropped at the end. */
#include "testutil.h"
#include "textutil.h"

#include "pgutil.h"

#include <regex.h>
#include <stdbool.h>

#include "emit.h"
#include "lint.h"
#include "model.h"

#define MAX_CASES 256

static char *case_names[MAX_CASES];
static int ncases;
static regex_t header_re;
static char codes_seen[64][32];
static int ncodes_seen;

/* ---- small helpers ------------------------------------------------------------ */

static void note_code(const char *header)
{
	const char *b = strrchr(header, '[');
	if (!b)
		return;
	size_t n = strcspn(b + 1, "]");
	for (int i = 0; i < ncodes_seen; i++)
		if (strlen(codes_seen[i]) == n && strncmp(codes_seen[i], b + 1, n) == 0)
			return;
	if (ncodes_seen < 64 && n < 32) {
		memcpy(codes_seen[ncodes_seen], b + 1, n);
		codes_seen[ncodes_seen++][n] = '\0';
	}
}

/* Line `line` of the file at rel (relative to the root), as rendered. */
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

/* ---- the shape of lint's output ----------------------------------------------- */

typedef struct report {
	lines headers;          /* "PATH:L:C: warning: MSG [CODE]" */
	lines hints;            /* headers and "  hint: " lines, interleaved */
	lines sql_hints;        /* the "CREATE INDEX ...;" of "or in SQL:" hints */
	char *summary;          /* the last line, or NULL */
} report;

static void report_free(report *r)
{
	lines_free(&r->headers);
	lines_free(&r->hints);
	lines_free(&r->sql_hints);
	free(r->summary);
}

/* Checks every block of out (source line, caret, why) and collects it. */
static report parse_report(const char *what, const char *out)
{
	report rep = { { 0 }, { 0 }, { 0 }, NULL };
	lines l = split_lines(out);
	size_t i = 0;
	while (i < l.n) {
		const char *s = l.v[i];
		regmatch_t m[4];
		if (regexec(&header_re, s, 4, m, 0) != 0) {
			if (i + 1 == l.n && !starts_with(s, " ")) {
				rep.summary = dupn(s, strlen(s));
				break;
			}
			fail_msg("%s: unexpected line '%s' in\n%s", what, s, out);
		}
		char *path = dupn(s + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
		unsigned long line = strtoul(s + m[2].rm_so, NULL, 10);
		unsigned long col = strtoul(s + m[3].rm_so, NULL, 10);
		if (i + 3 >= l.n)
			fail_msg("%s: a finding without source, caret and why lines: %s", what, s);
		const char *src = l.v[i + 1];
		const char *p = src;
		char *end;
		while (*p == ' ')
			p++;
		unsigned long sline = strtoul(p, &end, 10);
		if (end == p || !starts_with(end, " | ") || sline != line)
			fail_msg("%s: not the source line of '%s': '%s'", what, s, src);
		const char *text = end + 3;
		size_t gutter = (size_t)(text - src);
		char *want = source_line(path, line);
		if (want && strcmp(want, text) != 0)
			fail_msg("%s: source line of '%s' is '%s', expected '%s'", what, s, text, want);
		const char *caret = l.v[i + 2];
		const char *hat = strchr(caret, '^');
		if (!hat || strlen(caret) < gutter || strspn(caret, " ") != gutter - 2)
			fail_msg("%s: not a caret line after '%s': '%s'", what, s, caret);
		if (want && (size_t)(hat - caret) != gutter + col - 1 && !strchr(want, '\t'))
			fail_msg("%s: caret of '%s' is not under column %lu: '%s'", what, s, col, caret);
		free(want);
		free(path);
		if (!starts_with(l.v[i + 3], "  why: ") || strlen(l.v[i + 3]) < 12)
			fail_msg("%s: no why line after '%s': '%s'", what, s, l.v[i + 3]);
		lines_push(&rep.headers, dupn(s, strlen(s)));
		lines_push(&rep.hints, dupn(s, strlen(s)));
		note_code(s);
		i += 4;
		while (i < l.n && starts_with(l.v[i], "  statement: "))
			i++;
		while (i < l.n && starts_with(l.v[i], "  hint: ")) {
			lines_push(&rep.hints, dupn(l.v[i], strlen(l.v[i])));
			const char *q = strstr(l.v[i], "or in SQL: ");
			if (q)
				lines_push(&rep.sql_hints, dupn(q + 11, strlen(q + 11)));
			i++;
		}
	}
	lines_free(&l);
	return rep;
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

static void mismatch(const char *what, const lines *exp, const lines *got, const char *out)
{
	size_t n = exp->n > got->n ? exp->n : got->n;
	for (size_t i = 0; i < n; i++) {
		const char *e = i < exp->n ? exp->v[i] : "<nothing>";
		const char *g = i < got->n ? got->v[i] : "<nothing>";
		if (strcmp(e, g) == 0)
			print_error("    same:     %s\n", e);
		else
			print_error("  ! expected: %s\n  ! got:      %s\n", e, g);
	}
	fail_msg("%s: the findings differ from the expectations\n--- stdout ---\n%s", what, out);
}

static tu_run lint(const char *cwd, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	const char *argv[] = { tu_modelc(), "lint", a1, a2, a3, a4, a5, NULL };
	return tu_exec(cwd, argv);
}

/* ---- the corpus ------------------------------------------------------------------ */

static void test_case(void **state)
{
	const char *name = *state;
	char *rel = fmt("tests/lint/%s", name);
	char *path = fmt("%s/%s", tu_root(), rel);
	char *text = tu_read(path, NULL);
	if (!text)
		fail_msg("cannot read %s", path);
	lines src = split_lines(text);
	lines exp = { 0 }, exp_hints = { 0 };
	bool with_hints = false;
	char *summary = NULL;
	for (size_t i = 0; i < src.n && starts_with(src.v[i], "//"); i++) {
		const char *s = src.v[i];
		if (starts_with(s, "// expect: ")) {
			const char *t = s + strlen("// expect: ");
			char *h = (*t >= '0' && *t <= '9') ? fmt("%s:%s", rel, t) : fmt("%s", t);
			lines_push(&exp, h);
			lines_push(&exp_hints, fmt("%s", h));
		} else if (starts_with(s, "// expect-hint: ")) {
			lines_push(&exp_hints, fmt("  hint: %s", s + strlen("// expect-hint: ")));
			with_hints = true;
		} else if (starts_with(s, "// expect-summary: ")) {
			summary = fmt("%s", s + strlen("// expect-summary: "));
		} else if (starts_with(s, "// expect")) {
			fail_msg("%s:%zu: malformed expectation: %s", rel, i + 1, s);
		}
	}
	if (!summary && exp.n)
		summary = fmt("%zu finding%s", exp.n, exp.n == 1 ? "" : "s");

	tu_run r = lint(tu_root(), rel, NULL, NULL, NULL, NULL);
	if (*r.err)
		fail_msg("%s: stderr: %s", rel, r.err);
	report rep = parse_report(rel, r.out);
	if (!same_lines(&exp, &rep.headers))
		mismatch(rel, &exp, &rep.headers, r.out);
	if (with_hints && !same_lines(&exp_hints, &rep.hints))
		mismatch(rel, &exp_hints, &rep.hints, r.out);
	if (summary || rep.summary)
		assert_string_equal(rep.summary ? rep.summary : "<none>", summary ? summary : "<none>");
	assert_int_equal(r.status, exp.n ? 1 : 0);

	report_free(&rep);
	tu_run_free(&r);
	free(summary);
	lines_free(&exp);
	lines_free(&exp_hints);
	lines_free(&src);
	free(text);
	free(path);
	free(rel);
}

/* Every code that needs no database fires in some case of the corpus
 * (runs after the corpus). */
static void test_every_code_tested(void **state)
{
	(void)state;
	for (size_t i = 0; i < lint_ncodes; i++) {
		if (lint_codes[i].db)
			continue;
		bool found = false;
		for (int k = 0; k < ncodes_seen && !found; k++)
			found = strcmp(codes_seen[k], lint_codes[i].code) == 0;
		if (!found)
			fail_msg("no case of tests/lint reports '%s'", lint_codes[i].code);
	}
}

/* ---- the examples ------------------------------------------------------------------ */

static void test_examples(void **state)
{
	(void)state;
	/* every example: clean, deliberate findings silenced with a reason */
	const char *clean[] = { "examples/shop.model", "examples/ledger.model", "examples/blog.model" };
	for (size_t i = 0; i < 3; i++) {
		tu_run r = lint(tu_root(), clean[i], NULL, NULL, NULL, NULL);
		if (r.status != 0 || *r.err)
			fail_msg("%s: status %d\n%s%s", clean[i], r.status, r.out, r.err);
		report rep = parse_report(clean[i], r.out);
		assert_int_equal(rep.headers.n, 0);
		assert_non_null(rep.summary);
		assert_true(starts_with(rep.summary, "no findings ("));
		report_free(&rep);
		tu_run_free(&r);
	}
}

/* ---- the command line ----------------------------------------------------------------- */

static void test_command_line(void **state)
{
	(void)state;
	const char *m = "tests/lint/001_clean.model";
	struct {
		const char *a[4];
		int status;
		const char *err;
	} cases[] = {
		{ { NULL }, 2, "no input file" },
		{ { "--bogus", m }, 2, "unknown option '--bogus'" },
		{ { "--analyze", m }, 2, "--analyze needs --db" },
		{ { "--min-rows", "lots", m }, 2, "--min-rows wants a number" },
		{ { "--db" }, 2, "--db needs an argument" },
		{ { m, m }, 2, "more than one input file" },
		{ { "tests/lint/no-such.model" }, 2, "cannot read 'tests/lint/no-such.model'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tu_run r = lint(tu_root(), cases[i].a[0], cases[i].a[1], cases[i].a[2], cases[i].a[3], NULL);
		if (r.status != cases[i].status || !strstr(r.err, cases[i].err))
			fail_msg("case %zu: status %d, stderr: %s", i, r.status, r.err);
		assert_string_equal(r.out, "");
		tu_run_free(&r);
	}

	/* a model with errors: the compiler's diagnostics, exit 1, no findings */
	char *tmp = tu_tempdir("lint-cli");
	char *dir = tu_abs(tmp);
	char *bad = fmt("%s/bad.model", dir);
	tu_write(bad, "table t {\n  id integer primary key\n  ref integer references nowhere\n}\n");
	tu_run r = lint(NULL, bad, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "bad.model:3:26: error: unknown table 'nowhere'"));
	tu_run_free(&r);

	/* the compiler's warnings go to stderr; the findings to stdout */
	tu_write(bad, "mixin unused { a text }\ntable t { id integer primary key }\n");
	r = lint(NULL, bad, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "warning: mixin 'unused' is not used by any table"));
	tu_run_free(&r);

	/* --codes: every code with its summary; --help */
	r = lint(NULL, "--codes", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < lint_ncodes; i++) {
		char *line = fmt("%-24s %s\n", lint_codes[i].code, lint_codes[i].summary);
		assert_non_null(strstr(r.out, line));
		free(line);
	}
	tu_run_free(&r);
	r = lint(NULL, "--help", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "// lint: allow CODE -- REASON"));
	tu_run_free(&r);

	tu_rm_rf(dir);
	free(bad);
	free(dir);
	free(tmp);
}

/* docs/lint.md has a section per code. */
static void test_docs(void **state)
{
	(void)state;
	char *path = fmt("%s/docs/lint.md", tu_root());
	char *doc = tu_read(path, NULL);
	assert_non_null(doc);
	for (size_t i = 0; i < lint_ncodes; i++) {
		char *h = fmt("\n### `%s`\n", lint_codes[i].code);
		if (!strstr(doc, h))
			fail_msg("docs/lint.md has no section '### `%s`'", lint_codes[i].code);
		free(h);
	}
	free(doc);
	free(path);
}

/* ---- the statements are the generated code's ---------------------------------------- */

static char *c_literal(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(4 * n + 3);
	assert_non_null(r);
	char *p = r;
	*p++ = '"';
	for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
		if (*q == '"' || *q == '\\') {
			*p++ = '\\';
			*p++ = (char)*q;
		} else if (*q < 0x20 || *q >= 0x7f || *q == '?') {
			p += sprintf(p, "\\%03o", *q);
		} else {
			*p++ = (char)*q;
		}
	}
	*p++ = '"';
	*p = '\0';
	return r;
}

static void statements_of(const char *rel)
{
	char *path = fmt("%s/%s", tu_root(), rel);
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	model *m = model_load(&d, path, model_file_loader, NULL);
	if (!m || d.errors)
		fail_msg("%s: %s", rel, buf_cstr(&d.out));
	emit_file files[EMIT_NFILES];
	memset(files, 0, sizeof files);
	emit_opts o = { NULL };
	assert_int_equal(emit_all(&d, m, &o, files), 0);
	const char *src = buf_cstr(&files[EMIT_SOURCE].content);
	vec stmts = { 0 };
	lint_statements(&a, m, &stmts);
	int gets = 0, loads = 0, lists = 0;
	for (size_t i = 0; i < stmts.n; i++) {
		const lint_stmt *s = stmts.items[i];
		if (s->kind == LS_LIST) {
			/* the runtime composes it from the table's select list */
			lists++;
			const char *sel = strstr(s->sql, " FROM ");
			char *head = dupn(s->sql + 7, (size_t)(sel - s->sql - 7));
			char *lit = c_literal(head);
			if (!strstr(src, lit))
				fail_msg("%s: no select list %s in the generated code", rel, lit);
			free(lit);
			free(head);
			continue;
		}
		gets += s->kind == LS_GET;
		loads += s->kind == LS_LOAD;
		char *lit = c_literal(s->sql);
		if (!strstr(src, lit))
			fail_msg("%s: the generated code has no statement %s", rel, lit);
		free(lit);
	}
	assert_true(gets > 0 && loads > 0 && lists > 0);
	for (int i = 0; i < EMIT_NFILES; i++)
		buf_free(&files[i].content);
	diag_dispose(&d);
	arena_free(&a);
	free(path);
}

static void test_statements(void **state)
{
	(void)state;
	statements_of("examples/blog.model");
	statements_of("examples/shop.model");
	statements_of("examples/ledger.model");
	char *dir = fmt("%s/tests/models", tu_root());
	DIR *dd = opendir(dir);
	assert_non_null(dd);
	struct dirent *e;
	while ((e = readdir(dd))) {
		size_t n = strlen(e->d_name);
		if (n > 6 && strcmp(e->d_name + n - 6, ".model") == 0) {
			char *rel = fmt("tests/models/%s", e->d_name);
			statements_of(rel);
			free(rel);
		}
	}
	closedir(dd);
	free(dir);
}

/* ---- --db against the cluster -------------------------------------------------------- */

/* A fresh database (dropped at the end) with the DDL of the model at path. */
static PGconn *fresh_db(const char *name, const char *path)
{
	PGconn *admin = connect_db("postgres");
	char *sql = fmt("DROP DATABASE IF EXISTS %s", name);
	exec_ok(admin, sql);
	free(sql);
	sql = fmt("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", name);
	exec_ok(admin, sql);
	free(sql);
	finish(admin);
	if (ncreated < 32)
		snprintf(created_dbs[ncreated++], sizeof created_dbs[0], "%s", name);
	PGconn *c = connect_db(name);
	if (path) {
		char *tmp = tu_tempdir("lint-ddl");
		char *out = tu_abs(tmp);
		const char *argv[] = { tu_modelc(), path, "-o", out, NULL };
		tu_run r = tu_exec(NULL, argv);
		if (r.status != 0)
			fail_msg("%s: %s", path, r.err);
		tu_run_free(&r);
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		char *sqlp = fmt("%s/%.*s.sql", out, (int)(strlen(base) - 6), base);
		char *ddl = tu_read(sqlp, NULL);
		assert_non_null(ddl);
		exec_ok(c, ddl);
		free(ddl);
		free(sqlp);
		tu_rm_rf(out);
		free(out);
		free(tmp);
	}
	return c;
}

/* After each test: the connections a failed test left open. */
static int close_conns(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++)
		if (open_conns[i])
			finish(open_conns[i]);
	return 0;
}

static int drop_dbs(void **state)
{
	(void)state;
	PGconn *admin = PQconnectdb("dbname=postgres");
	for (int i = 0; i < ncreated && PQstatus(admin) == CONNECTION_OK; i++) {
		char *sql = fmt("DROP DATABASE IF EXISTS %s", created_dbs[i]);
		PQclear(PQexec(admin, sql));
		free(sql);
	}
	PQfinish(admin);
	return 0;
}

static const char seq_model[] =
	"table users {\n"
	"  id     bigserial  primary key\n"
	"  email  text       not null\n"
	"  kind   integer    not null\n"
	"  note   text       // lint: allow seq-scan -- notes are searched as text, never by equality\n"
	"  posts  has_many posts(author_id)  load selectin\n"
	"}\n"
	"\n"
	"table posts {\n"
	"  id         bigserial  primary key\n"
	"  // lint: allow fk-unindexed -- left out on purpose: what lint --db finds\n"
	"  author_id  bigint     not null  references users\n"
	"  title      text       not null  // lint: allow seq-scan -- searched as text\n"
	"}\n";

static void test_db_seq_scan(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("lint-db");
	char *dir = tu_abs(tmp);
	char *path = fmt("%s/app.model", dir);
	tu_write(path, seq_model);
	PGconn *c = fresh_db("modelc_lint_seq", path);
	exec_ok(c, "INSERT INTO users (email, kind, note) SELECT 'u' || g || '@x', g % 3, 'n' || g "
	           "FROM generate_series(1, 5000) g");
	exec_ok(c, "INSERT INTO posts (author_id, title) SELECT 1 + g % 5000, 't' || g FROM generate_series(1, 20000) g");
	exec_ok(c, "ANALYZE users");
	exec_ok(c, "ANALYZE posts");
	const char *db = "dbname=modelc_lint_seq";

	tu_run r = lint(NULL, "--db", db, path, NULL, NULL);
	if (r.status != 1 || *r.err)
		fail_msg("status %d\n%s%s", r.status, r.out, r.err);
	report rep = parse_report("lint --db", r.out);
	lines want = { 0 };
	/* users.kind matches a third of the table per value: no index would be
	 * used, so it is not reported; note and title are silenced */
	lines_push(&want, fmt("%s:3:3: warning: list of 'users' filtered on 'email' reads all of 'users' (about 5000 "
	                      "rows) [seq-scan]", path));
	lines_push(&want, fmt("  hint: add to table 'users': index (email)"));
	lines_push(&want, fmt("  hint: or in SQL: CREATE INDEX ix_users_email ON users (email);"));
	lines_push(&want, fmt("%s:6:3: warning: loading relationship 'users.posts' reads all of 'posts' (about 20000 "
	                      "rows) [seq-scan]", path));
	lines_push(&want, fmt("  hint: add to table 'posts': index (author_id)"));
	lines_push(&want, fmt("  hint: or in SQL: CREATE INDEX ix_posts_author_id ON posts (author_id);"));
	lines_push(&want, fmt("%s:12:3: warning: list of 'posts' filtered on 'author_id' reads all of 'posts' (about "
	                      "20000 rows) [seq-scan]", path));
	lines_push(&want, fmt("  hint: add to table 'posts': index (author_id)"));
	lines_push(&want, fmt("  hint: or in SQL: CREATE INDEX ix_posts_author_id ON posts (author_id);"));
	if (!same_lines(&want, &rep.hints))
		mismatch("lint --db", &want, &rep.hints, r.out);
	assert_string_equal(rep.summary, "3 findings (3 silenced)");
	/* the statement and the plan's estimate are shown */
	assert_non_null(strstr(r.out, "  statement: SELECT id, email, kind, note FROM users WHERE email = $1::text\n"));
	assert_non_null(strstr(r.out, "  why: the database's plan for it (a generic plan, for any value) has a Seq "
	                              "Scan on 'users': every call reads all its rows\n"));
	assert_non_null(strstr(r.out, "  statement: SELECT mc_c.id, mc_c.author_id, mc_c.title FROM posts AS mc_c "
	                              "WHERE mc_c.author_id = ANY($1::bigint[]) ORDER BY mc_c.id\n"));
	tu_run_free(&r);

	/* --analyze runs them and shows the time */
	r = lint(NULL, "--db", db, "--analyze", path, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "every call reads all its rows; it ran in "));
	assert_non_null(strstr(r.out, " ms\n"));
	tu_run_free(&r);

	/* above the threshold nothing is large */
	r = lint(NULL, "--db", db, "--min-rows", "20000", path);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "no findings (1 silenced)\n");
	tu_run_free(&r);
	r = lint(NULL, "--db", db, "--min-rows", "19999", path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "2 findings (2 silenced)\n"));
	tu_run_free(&r);

	/* the model says index (email), the database lacks it */
	char *with = fmt("%s/with.model", dir);
	char *text = fmt("%s", seq_model);
	char *at = strstr(text, "  posts  has_many");
	char *model2 = fmt("%.*s  index (email)\n%s", (int)(at - text), text, at);
	tu_write(with, model2);
	r = lint(NULL, "--db", db, with, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "  hint: the model has 'ix_users_email' for it: is it in the database? "
	                              "('modelc migrate check' compares them)\n"));
	tu_run_free(&r);

	/* the suggested indexes, as printed: then nothing is reported */
	for (size_t i = 0; i < rep.sql_hints.n; i++) {
		bool again = false;
		for (size_t k = 0; k < i; k++)
			again = again || strcmp(rep.sql_hints.v[k], rep.sql_hints.v[i]) == 0;
		if (!again)
			exec_ok(c, rep.sql_hints.v[i]);
	}
	r = lint(NULL, "--db", db, path, NULL, NULL);
	if (r.status != 0 || *r.err)
		fail_msg("status %d\n%s%s", r.status, r.out, r.err);
	assert_string_equal(r.out, "no findings (3 silenced)\n");
	tu_run_free(&r);

	report_free(&rep);
	lines_free(&want);
	finish(c);
	tu_rm_rf(dir);
	free(model2);
	free(text);
	free(with);
	free(path);
	free(dir);
	free(tmp);
}

/* Every statement of every example plans on its own schema: nothing the
 * server refuses; tables never analyzed are noted and not judged. */
static void test_db_examples(void **state)
{
	(void)state;
	const char *ex[] = { "blog", "shop", "ledger" };
	for (size_t i = 0; i < 3; i++) {
		char *path = fmt("%s/examples/%s.model", tu_root(), ex[i]);
		char *name = fmt("modelc_lint_%s", ex[i]);
		PGconn *c = fresh_db(name, path);
		finish(c);
		char *ci = fmt("dbname=%s", name);
		tu_run r = lint(NULL, "--db", ci, path, NULL, NULL);
		if (r.status == 2 || strstr(r.err, "cannot plan"))
			fail_msg("%s: status %d\n%s", ex[i], r.status, r.err);
		assert_null(strstr(r.out, "[seq-scan]"));
		assert_non_null(strstr(r.err, "was never analyzed, so its size is unknown"));
		tu_run_free(&r);
		free(ci);
		free(name);
		free(path);
	}
}

static void test_db_errors(void **state)
{
	(void)state;
	char *tmp = tu_tempdir("lint-dberr");
	char *dir = tu_abs(tmp);
	char *path = fmt("%s/app.model", dir);
	tu_write(path, "table a { id bigint primary key }\n");
	PGconn *c = fresh_db("modelc_lint_err", path);
	exec_ok(c, "ANALYZE a");
	finish(c);
	/* a table of the model the database does not have */
	tu_write(path, "table a { id bigint primary key }\ntable b { id bigint primary key }\n");
	tu_run r = lint(NULL, "--db", "dbname=modelc_lint_err", path, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "modelc lint: table 'b' of the model is not in the database"));
	tu_run_free(&r);
	/* a column of the model the database does not have: the statements
	 * that name it are refused, the others planned */
	tu_write(path, "table a {\n  id bigint primary key\n  code text  // lint: allow seq-scan -- test\n}\n");
	r = lint(NULL, "--db", "dbname=modelc_lint_err", path, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "modelc lint: cannot plan the statement of table 'a': ERROR:  column \"code\" "
	                              "does not exist\n  statement: SELECT id, code FROM a WHERE id = $1\n"));
	assert_string_equal(r.out, "");
	tu_run_free(&r);
	/* no server there */
	r = lint(NULL, "--db", "host=/nonexistent-dir port=1", path, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "modelc lint: cannot connect to the database"));
	tu_run_free(&r);
	tu_rm_rf(dir);
	free(path);
	free(dir);
	free(tmp);
}

/* ---- main ------------------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	if (regcomp(&header_re, "^([^ :][^:]*):([0-9]+):([0-9]+): warning: .* \\[[a-z-]+\\]$", REG_EXTENDED) != 0) {
		fprintf(stderr, "test_lint: bad regular expression\n");
		return 1;
	}
	char *dir = fmt("%s/tests/lint", tu_root());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "test_lint: cannot open %s\n", dir);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= 6 || strcmp(e->d_name + n - 6, ".model") != 0 || e->d_name[0] == '.')
			continue;
		if (ncases == MAX_CASES)
			break;
		case_names[ncases++] = fmt("%s", e->d_name);
	}
	closedir(d);
	free(dir);
	qsort(case_names, (size_t)ncases, sizeof case_names[0], by_name);

	struct CMUnitTest *tests = calloc((size_t)ncases, sizeof *tests);
	for (int i = 0; i < ncases; i++) {
		struct CMUnitTest t = { case_names[i], test_case, NULL, NULL, case_names[i] };
		tests[i] = t;
	}
	int rc = _cmocka_run_group_tests("lint corpus", tests, (size_t)ncases, NULL, NULL);

	const struct CMUnitTest rest[] = {
		cmocka_unit_test(test_every_code_tested),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_docs),
		cmocka_unit_test(test_statements),
		cmocka_unit_test_teardown(test_db_seq_scan, close_conns),
		cmocka_unit_test_teardown(test_db_examples, close_conns),
		cmocka_unit_test_teardown(test_db_errors, close_conns),
	};
	rc |= cmocka_run_group_tests_name("lint", rest, NULL, drop_dbs);

	free(tests);
	for (int i = 0; i < ncases; i++)
		free(case_names[i]);
	regfree(&header_re);
	return rc;
}

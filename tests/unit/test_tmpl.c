/* test_tmpl.c - the template engine (src/tmpl.c): values, sections,
 * iteration variables, partials, standalone lines, comments, and errors
 * with their exact text and location. Runs under ASan/LSan: every test
 * frees what it allocated. */
#include "testutil.h"

#include "tmpl.h"

typedef struct partial {
	const char *name;
	const char *text;
} partial;

typedef struct partials {
	const partial *list;
	size_t n;
	int calls;
} partials;

static int lookup(void *ctx, diag_ctx *d, const char *name, uint32_t *file)
{
	partials *p = ctx;
	p->calls++;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->list[i].name, name) == 0) {
			char path[256];
			snprintf(path, sizeof path, "%s.tmpl", name);
			*file = diag_add_file(d, path, p->list[i].text, strlen(p->list[i].text));
			return 0;
		}
	return -1;
}

typedef struct T {
	arena a;
	diag_ctx d;
	buf out;
	int rc;
	tval *root;
} T;

static T *t_new(void)
{
	T *t = calloc(1, sizeof *t);
	assert_non_null(t);
	arena_init(&t->a);
	diag_init(&t->d, &t->a);
	buf_init(&t->out);
	t->root = tv_dict(&t->a);
	return t;
}

static void t_free(T *t)
{
	buf_free(&t->out);
	diag_dispose(&t->d);
	arena_free(&t->a);
	free(t);
}

/* Renders text (as t.tmpl) into t->out, appending; returns the output. */
static const char *t_render_p(T *t, const char *text, partials *p)
{
	uint32_t f = diag_add_file(&t->d, "t.tmpl", text, strlen(text));
	t->rc = tmpl_render(&t->d, f, t->root, p ? lookup : NULL, p, &t->out);
	return t->out.data ? buf_cstr(&t->out) : "";
}

static const char *t_render(T *t, const char *text) { return t_render_p(t, text, NULL); }

static const char *diags(T *t) { return t->d.out.data ? buf_cstr(&t->d.out) : ""; }

static void ok_render(T *t, const char *text, const char *want)
{
	buf_free(&t->out);
	buf_init(&t->out);
	const char *got = t_render(t, text);
	if (t->rc != 0 || t->d.errors)
		fail_msg("render of '%s' failed:\n%s", text, diags(t));
	if (strcmp(got, want) != 0)
		fail_msg("render of '%s': got '%s', want '%s'", text, got, want);
}

static void has_diag(T *t, const char *line)
{
	if (!strstr(diags(t), line))
		fail_msg("missing diagnostic '%s' in:\n%s", line, diags(t));
}

static tval *str_list(arena *a, const char *const *items, size_t n)
{
	tval *l = tv_list(a);
	for (size_t i = 0; i < n; i++)
		tv_push(a, l, tv_str(a, items[i]));
	return l;
}

/* ---- values --------------------------------------------------------------- */

static void test_variables(void **state)
{
	(void)state;
	T *t = t_new();
	tv_sets(&t->a, t->root, "name", "World");
	tv_sets(&t->a, t->root, "empty", "");
	ok_render(t, "Hello {{name}}!", "Hello World!");
	ok_render(t, "{{ name }}|{{\tname\t}}", "World|World");
	ok_render(t, "[{{empty}}]", "[]");
	ok_render(t, "{{name}}{{name}}", "WorldWorld");
	/* nothing is escaped, single braces are text */
	tv_sets(&t->a, t->root, "html", "<a href=\"x\">&'</a>");
	ok_render(t, "{{html}}", "<a href=\"x\">&'</a>");
	ok_render(t, "a { b } {c} }}", "a { b } {c} }}");
	ok_render(t, "", "");
	/* tv_set replaces an existing key */
	tv_sets(&t->a, t->root, "name", "Again");
	ok_render(t, "{{name}}", "Again");
	t_free(t);
}

static void test_dotted_names_and_context(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	tval *user = tv_dict(a), *addr = tv_dict(a);
	tv_sets(a, addr, "city", "Oslo");
	tv_sets(a, user, "name", "Ann");
	tv_set(a, user, "address", addr);
	tv_set(a, t->root, "user", user);
	tv_sets(a, t->root, "title", "Dr");
	tv_sets(a, t->root, "name", "root name");
	ok_render(t, "{{user.name}} in {{user.address.city}}", "Ann in Oslo");
	/* a section over a dict makes its keys visible; outer names stay visible;
	 * the innermost definition wins */
	ok_render(t, "{{#user}}{{title}} {{name}}, {{address.city}}{{/user}} / {{name}}",
	          "Dr Ann, Oslo / root name");
	ok_render(t, "{{#user.address}}{{city}}{{/user.address}}", "Oslo");
	t_free(t);
}

static void test_tv_len(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	tval *l = tv_list(&a);
	assert_int_equal(tv_len(l), 0);
	tv_push(&a, l, tv_str(&a, "x"));
	tv_push(&a, l, tv_bool(&a, true));
	assert_int_equal(tv_len(l), 2);
	assert_int_equal(tv_len(tv_dict(&a)), 0);
	assert_int_equal(tv_len(tv_str(&a, "abc")), 0);
	arena_free(&a);
}

/* ---- sections -------------------------------------------------------------- */

static void test_section_over_list(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	tval *items = tv_list(a);
	const char *names[] = { "a", "b", "c" };
	for (size_t i = 0; i < 3; i++) {
		tval *it = tv_dict(a);
		tv_sets(a, it, "n", names[i]);
		tv_push(a, items, it);
	}
	tv_set(a, t->root, "items", items);
	tv_set(a, t->root, "none", tv_list(a));
	tv_set(a, t->root, "xs", str_list(a, names, 3));
	tv_sets(a, t->root, "sep", ";");
	ok_render(t, "{{#items}}<{{n}}>{{/items}}", "<a><b><c>");
	ok_render(t, "[{{#none}}never{{/none}}]", "[]");
	ok_render(t, "{{#xs}}{{.}}{{sep}}{{/xs}}", "a;b;c;");
	/* nested lists */
	ok_render(t, "{{#xs}}{{#xs}}{{.}}{{/xs}} {{/xs}}", "abc abc abc ");
	t_free(t);
}

static void test_section_over_string_and_bool(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	tv_sets(a, t->root, "s", "x");
	tv_sets(a, t->root, "e", "");
	tv_setb(a, t->root, "yes", true);
	tv_setb(a, t->root, "no", false);
	tv_sets(a, t->root, "null", NULL);      /* a NULL string is false */
	tv_sets(a, t->root, "v", "value");
	ok_render(t, "{{#s}}[{{.}}]{{/s}}", "[x]");
	ok_render(t, "{{#e}}[{{.}}]{{/e}}", "");
	ok_render(t, "{{#yes}}Y{{v}}{{/yes}}", "Yvalue");
	ok_render(t, "{{#no}}N{{/no}}", "");
	ok_render(t, "{{#null}}N{{/null}}", "");
	tval *d = tv_dict(a);
	tv_sets(a, d, "k", "dk");
	tv_set(a, t->root, "d", d);
	/* a dict is true even when empty */
	tv_set(a, t->root, "emptyd", tv_dict(a));
	ok_render(t, "{{#d}}{{k}}{{/d}}|{{#emptyd}}E{{v}}{{/emptyd}}", "dk|Evalue");
	t_free(t);
}

static void test_inverted_sections(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	const char *one[] = { "x" };
	tv_set(a, t->root, "empty", tv_list(a));
	tv_set(a, t->root, "full", str_list(a, one, 1));
	tv_setb(a, t->root, "no", false);
	tv_setb(a, t->root, "yes", true);
	tv_sets(a, t->root, "es", "");
	tv_sets(a, t->root, "s", "s");
	tv_sets(a, t->root, "null", NULL);
	tv_set(a, t->root, "d", tv_dict(a));
	ok_render(t, "{{^empty}}none{{/empty}}", "none");
	ok_render(t, "{{^full}}none{{/full}}", "");
	ok_render(t, "{{^no}}N{{/no}}{{^yes}}Y{{/yes}}", "N");
	ok_render(t, "{{^es}}E{{/es}}{{^s}}S{{/s}}", "E");
	ok_render(t, "{{^null}}missing{{/null}}", "missing");
	ok_render(t, "{{^d}}D{{/d}}", "");
	/* an inverted section does not change the context */
	ok_render(t, "{{^no}}{{s}}{{/no}}", "s");
	t_free(t);
}

static void test_iteration_variables(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	const char *abc[] = { "a", "b", "c" };
	tv_set(a, t->root, "xs", str_list(a, abc, 3));
	ok_render(t, "{{#xs}}{{@index}}:{{.}}{{^@last}}, {{/@last}}{{/xs}}", "0:a, 1:b, 2:c");
	ok_render(t, "{{#xs}}{{#@first}}[{{/@first}}{{.}}{{#@last}}]{{/@last}}{{/xs}}", "[abc]");
	/* one item: first and last at once */
	const char *one[] = { "z" };
	tv_set(a, t->root, "ys", str_list(a, one, 1));
	ok_render(t, "{{#ys}}{{#@first}}F{{/@first}}{{#@last}}L{{/@last}}{{@index}}{{/ys}}", "FL0");

	/* nested lists: the innermost list counts; a dict section in between
	 * does not hide the list */
	tval *rows = tv_list(a);
	const char *c0[] = { "x", "y" }, *c1[] = { "z" };
	tval *r0 = tv_dict(a), *r1 = tv_dict(a), *inner = tv_dict(a);
	tv_set(a, r0, "cells", str_list(a, c0, 2));
	tv_set(a, r1, "cells", str_list(a, c1, 1));
	tv_sets(a, inner, "k", "v");
	tv_set(a, r0, "inner", inner);
	tv_set(a, r1, "inner", inner);
	tv_push(a, rows, r0);
	tv_push(a, rows, r1);
	tv_set(a, t->root, "rows", rows);
	ok_render(t, "{{#rows}}{{#cells}}{{@index}}{{/cells}}|{{@index}};{{/rows}}", "01|0;0|1;");
	ok_render(t, "{{#rows}}{{#inner}}{{k}}{{@index}}{{/inner}}{{/rows}}", "v0v1");
	t_free(t);
}

/* ---- partials --------------------------------------------------------------- */

static void test_partials(void **state)
{
	(void)state;
	static const partial list[] = {
		{ "p", "[{{name}}]" },
		{ "outer", "<{{>p}}>" },
		{ "line", "P {{name}}\n" },
	};
	partials p = { list, 3, 0 };
	T *t = t_new();
	arena *a = &t->a;
	tv_sets(a, t->root, "name", "Ann");
	assert_string_equal(t_render_p(t, "A{{>p}}B", &p), "A[Ann]B");
	assert_int_equal(t->rc, 0);
	assert_int_equal(p.calls, 1);

	/* partials see the current context */
	buf_free(&t->out);
	buf_init(&t->out);
	tval *people = tv_list(a);
	const char *names[] = { "x", "y" };
	for (size_t i = 0; i < 2; i++) {
		tval *d = tv_dict(a);
		tv_sets(a, d, "name", names[i]);
		tv_push(a, people, d);
	}
	tv_set(a, t->root, "people", people);
	p.calls = 0;
	assert_string_equal(t_render_p(t, "{{#people}}{{>outer}}{{/people}}", &p), "<[x]><[y]>");
	assert_int_equal(t->rc, 0);
	assert_int_equal(p.calls, 4);

	/* a partial on a line of its own: the line goes, the partial stays */
	buf_free(&t->out);
	buf_init(&t->out);
	assert_string_equal(t_render_p(t, "x\n  {{>line}}\ny\n", &p), "x\nP Ann\ny\n");
	assert_int_equal(t->rc, 0);
	assert_int_equal(t->d.errors, 0);
	t_free(t);
}

static void test_partial_errors(void **state)
{
	(void)state;
	static const partial list[] = {
		{ "bad", "ok\n{{#open}}\n" },
		{ "usesmissing", "1\n2 {{missing}}" },
		{ "self", "{{>self}}" },
	};
	partials p = { list, 3, 0 };
	T *t = t_new();
	t_render_p(t, "a\nb {{>nope}} c\n", &p);
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:2:3: error: unknown template 'nope'\n");
	t_free(t);

	/* without a lookup function no partial is known */
	t = t_new();
	t_render(t, "{{>p}}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:1: error: unknown template 'p'\n");
	t_free(t);

	/* errors inside a partial carry the partial's own name and position */
	t = t_new();
	t_render_p(t, "x{{>bad}}", &p);
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "bad.tmpl:2:1: error: section 'open' is not closed\n");
	t_free(t);

	t = t_new();
	t_render_p(t, "{{>usesmissing}}", &p);
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "usesmissing.tmpl:2:3: error: unknown name 'missing'\n");
	t_free(t);

	/* a partial that includes itself stops */
	t = t_new();
	p.calls = 0;
	t_render_p(t, "{{>self}}", &p);
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "self.tmpl:1:1: error: partials nested too deeply\n");
	assert_true(p.calls > 1 && p.calls < 64);
	t_free(t);
}

/* ---- layout: standalone lines and comments ----------------------------------- */

static void test_standalone_lines(void **state)
{
	(void)state;
	T *t = t_new();
	arena *a = &t->a;
	tv_setb(a, t->root, "x", true);
	tv_setb(a, t->root, "f", false);
	tv_sets(a, t->root, "v", "V");
	const char *ab[] = { "a", "b" };
	tv_set(a, t->root, "xs", str_list(a, ab, 2));
	ok_render(t, "a\n{{#x}}\nb\n{{/x}}\nc\n", "a\nb\nc\n");
	ok_render(t, "a\n{{#f}}\nb\n{{/f}}\nc\n", "a\nc\n");
	ok_render(t, "a\n{{^f}}\nb\n{{/f}}\nc\n", "a\nb\nc\n");
	/* indentation and trailing blanks around the tag go with the line */
	ok_render(t, "a\n  \t{{#x}}  \nb\n   {{/x}}\t\nc\n", "a\nb\nc\n");
	/* a list section laid out on lines of its own */
	ok_render(t, "[\n{{#xs}}\n  {{.}}\n{{/xs}}\n]\n", "[\n  a\n  b\n]\n");
	/* first and last line of the template, no final newline */
	ok_render(t, "{{#x}}\nb\n{{/x}}", "b\n");
	/* tags inside a line are not standalone */
	ok_render(t, "a {{#x}}b{{/x}} c\n", "a b c\n");
	ok_render(t, "  {{#x}}b{{/x}}\n", "  b\n");
	/* a variable is never standalone: its line and newline stay */
	ok_render(t, "{{v}}\n", "V\n");
	ok_render(t, "  {{v}}  \n", "  V  \n");
	/* two block tags on one line: neither is standalone */
	ok_render(t, "{{#x}}{{/x}}\nz", "\nz");
	t_free(t);
}

static void test_comments(void **state)
{
	(void)state;
	T *t = t_new();
	ok_render(t, "a{{! a comment }}b", "ab");
	/* a comment may mention names that do not exist */
	ok_render(t, "a{{!nope.nothing}}b", "ab");
	ok_render(t, "a{{! { braces } }}b", "ab");
	/* on a line of its own the line disappears */
	ok_render(t, "a\n  {{! note }}\nb\n", "a\nb\n");
	ok_render(t, "{{! first }}\nx", "x");
	ok_render(t, "a\n{{! multi\nline }}\nb", "a\nb");
	t_free(t);
}

/* ---- errors -------------------------------------------------------------------- */

static void test_error_unknown_name(void **state)
{
	(void)state;
	T *t = t_new();
	tv_sets(&t->a, t->root, "a", "A");
	t_render(t, "line1\nx {{nope}} {{a}}\n");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	/* file:line:col at the tag, the line, and a caret under the whole tag */
	assert_string_equal(diags(t), "t.tmpl:2:3: error: unknown name 'nope'\n"
	                              "    2 | x {{nope}} {{a}}\n"
	                              "      |   ^~~~~~~~\n");
	t_free(t);

	t = t_new();
	tval *user = tv_dict(&t->a);
	tv_sets(&t->a, user, "name", "n");
	tv_set(&t->a, t->root, "user", user);
	t_render(t, "{{user.nmae}}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:1: error: unknown name 'user.nmae'\n");
	t_free(t);

	/* unknown names in sections and inverted sections too */
	t = t_new();
	t_render(t, "{{#missing}}x{{/missing}}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:1: error: unknown name 'missing'\n");
	t_free(t);

	t = t_new();
	t_render(t, "ab{{^missing}}x{{/missing}}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:3: error: unknown name 'missing'\n");
	t_free(t);

	/* iteration variables outside a list */
	t = t_new();
	t_render(t, "{{@index}}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:1: error: unknown name '@index'\n");
	t_free(t);
}

static void test_error_not_a_string(void **state)
{
	(void)state;
	T *t = t_new();
	tv_set(&t->a, t->root, "xs", tv_list(&t->a));
	t_render(t, "{{xs}}");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:1:1: error: 'xs' is not a string\n");
	t_free(t);

	t = t_new();
	tv_setb(&t->a, t->root, "b", true);
	t_render(t, "x\n {{ b }}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:2:2: error: 'b' is not a string\n");
	t_free(t);
}

static void test_error_unclosed_section(void **state)
{
	(void)state;
	T *t = t_new();
	tv_setb(&t->a, t->root, "sec", true);
	t_render(t, "a\n  {{#sec}}\nb\n");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:2:3: error: section 'sec' is not closed\n");
	/* nothing is rendered when the template does not parse */
	assert_int_equal(t->out.len, 0);
	t_free(t);

	/* the innermost open section is reported first... and the outer too */
	t = t_new();
	t_render(t, "{{#a}}{{^b}}");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 2);
	has_diag(t, "t.tmpl:1:7: error: section 'b' is not closed\n");
	has_diag(t, "t.tmpl:1:1: error: section 'a' is not closed\n");
	t_free(t);
}

static void test_error_mismatched_close(void **state)
{
	(void)state;
	T *t = t_new();
	tv_setb(&t->a, t->root, "a", true);
	t_render(t, "{{#a}}x{{/b}}");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:1:8: error: '{{/b}}' does not close '{{#a}}'\n");
	has_diag(t, "t.tmpl:1:1: note: section opened here\n");
	assert_int_equal(t->out.len, 0);
	t_free(t);

	t = t_new();
	t_render(t, "\n{{^a}}\n  {{/ b }}\n");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:3:3: error: '{{/b}}' does not close '{{^a}}'\n");
	has_diag(t, "t.tmpl:2:1: note: section opened here\n");
	t_free(t);

	/* a close tag with no open section */
	t = t_new();
	t_render(t, "x{{/a}}");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:1:2: error: '{{/a}}' closes nothing\n");
	t_free(t);
}

static void test_error_unterminated_tag(void **state)
{
	(void)state;
	T *t = t_new();
	tv_sets(&t->a, t->root, "name", "n");
	t_render(t, "abc {{name}}\n  {{name");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 1);
	has_diag(t, "t.tmpl:2:3: error: unterminated tag\n");
	has_diag(t, "    2 |   {{name\n      |   ^~\n");
	assert_int_equal(t->out.len, 0);
	t_free(t);

	/* a single closing brace does not end a tag */
	t = t_new();
	t_render(t, "{{name}");
	assert_int_equal(t->rc, -1);
	has_diag(t, "t.tmpl:1:1: error: unterminated tag\n");
	t_free(t);
}

static void test_error_empty_tag_and_several_errors(void **state)
{
	(void)state;
	T *t = t_new();
	t_render(t, "{{}} and {{  }}\n{{/z}}");
	assert_int_equal(t->rc, -1);
	assert_int_equal(t->d.errors, 3);
	has_diag(t, "t.tmpl:1:1: error: empty tag\n");
	has_diag(t, "t.tmpl:1:10: error: empty tag\n");
	has_diag(t, "t.tmpl:2:1: error: '{{/z}}' closes nothing\n");
	t_free(t);
}

/* A template of n nested {{#d}} sections over a dict that contains itself. */
static int render_nested(int n, char **diag_out)
{
	T *t = t_new();
	tval *d = tv_dict(&t->a);
	tv_set(&t->a, d, "d", d);
	tv_set(&t->a, t->root, "d", d);
	buf b;
	buf_init(&b);
	for (int i = 0; i < n; i++)
		buf_puts(&b, "{{#d}}");
	buf_puts(&b, "x");
	for (int i = 0; i < n; i++)
		buf_puts(&b, "{{/d}}");
	t_render(t, buf_cstr(&b));
	buf_free(&b);
	int rc = t->rc;
	if (rc == 0)
		assert_string_equal(buf_cstr(&t->out), "x");
	if (diag_out)
		*diag_out = strdup(diags(t));
	t_free(t);
	return rc;
}

static void test_nested_too_deeply(void **state)
{
	(void)state;
	assert_int_equal(render_nested(10, NULL), 0);
	assert_int_equal(render_nested(63, NULL), 0);
	/* (64 levels are documented as allowed but fail: see the report) */
	char *out = NULL;
	assert_int_equal(render_nested(70, &out), -1);
	assert_non_null(strstr(out, ": error: sections nested too deeply\n"));
	/* one error only: rendering stops */
	assert_null(strstr(strstr(out, "too deeply") + 1, "too deeply"));
	free(out);
}

/* p1 includes p2 ... up to pN, which says "end". */
static int chain_lookup(void *ctx, diag_ctx *d, const char *name, uint32_t *file)
{
	int last = *(int *)ctx;
	int k = atoi(name + 1);
	char text[32];
	if (k < last)
		snprintf(text, sizeof text, "<{{>p%d}}", k + 1);
	else
		snprintf(text, sizeof text, "end");
	*file = diag_add_file(d, name, text, strlen(text));
	return 0;
}

static void test_nested_includes(void **state)
{
	(void)state;
	/* 16 levels of includes are allowed */
	T *t = t_new();
	int last = 16;
	uint32_t f = diag_add_file(&t->d, "t.tmpl", "{{>p1}}", 7);
	t->rc = tmpl_render(&t->d, f, t->root, chain_lookup, &last, &t->out);
	assert_int_equal(t->rc, 0);
	assert_int_equal(t->d.errors, 0);
	assert_string_equal(buf_cstr(&t->out), "<<<<<<<<<<<<<<<end");
	t_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_dotted_names_and_context),
		cmocka_unit_test(test_tv_len),
		cmocka_unit_test(test_section_over_list),
		cmocka_unit_test(test_section_over_string_and_bool),
		cmocka_unit_test(test_inverted_sections),
		cmocka_unit_test(test_iteration_variables),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_partial_errors),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_error_unknown_name),
		cmocka_unit_test(test_error_not_a_string),
		cmocka_unit_test(test_error_unclosed_section),
		cmocka_unit_test(test_error_mismatched_close),
		cmocka_unit_test(test_error_unterminated_tag),
		cmocka_unit_test(test_error_empty_tag_and_several_errors),
		cmocka_unit_test(test_nested_too_deeply),
		cmocka_unit_test(test_nested_includes),
	};
	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}

/* test_fmt.c - modelc fmt: the layout of hand-written inputs (exact text),
 * every example and test model formatted and compiled again with the
 * modelc binary (same generated files, byte for byte; a second format
 * changes nothing), comments kept, --check and the exit statuses, a syntax
 * error leaving the file alone, and no crash on the fuzz corpus. */
#include "testutil.h"

#include <sys/time.h>

#include "fmt.h"

/* ---- helpers ------------------------------------------------------------ */

static char *fmt_ok(const char *src)
{
	buf out, diags;
	buf_init(&out);
	buf_init(&diags);
	fmt_status st = fmt_source("app.model", src, strlen(src), &out, &diags);
	if (st != FMT_OK)
		fprintf(stderr, "fmt failed (%d):\n%s", (int)st, diags.data ? buf_cstr(&diags) : "");
	assert_int_equal(st, FMT_OK);
	char *r = strdup(out.data ? buf_cstr(&out) : "");
	buf_free(&out);
	buf_free(&diags);
	return r;
}

/* Formats src, compares with want, and formats the result again. */
static void check_layout(const char *src, const char *want)
{
	char *got = fmt_ok(src);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
	assert_string_equal(got, want);
	char *again = fmt_ok(got);
	assert_string_equal(again, got);
	free(again);
	free(got);
}

static char *path2(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static tu_run modelc(const char *a1, const char *a2, const char *a3, const char *a4)
{
	const char *argv[] = { tu_modelc(), a1, a2, a3, a4, NULL };
	return tu_exec(NULL, argv);
}

/* The comments of a model, in order, each without trailing blanks: the
 * test's own scan (strings and quoted names skipped), not fmt.c's. */
static char *comments_of(const char *s)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; s[i];) {
		char c = s[i];
		if (c == '\'' || c == '"') {
			for (i++; s[i] && s[i] != '\n'; i++)
				if (s[i] == c) {
					if (s[i + 1] != c)
						break;
					i++;
				}
			if (s[i])
				i++;
		} else if (c == '/' && s[i + 1] == '/') {
			size_t j = i;
			while (s[j] && s[j] != '\n')
				j++;
			size_t e = j;
			while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
				e--;
			buf_put(&b, s + i, e - i);
			buf_putc(&b, '\n');
			i = j;
		} else if (c == '/' && s[i + 1] == '*') {
			const char *end = strstr(s + i + 2, "*/");
			size_t j = end ? (size_t)(end - s) + 2 : strlen(s);
			/* inner lines may move with the comment: compare their text */
			for (size_t k = i; k < j; k++) {
				if (s[k] == '\n') {
					while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t' ||
					                 b.data[b.len - 1] == '\r'))
						b.len--;
					buf_putc(&b, '\n');
					while (k + 1 < j && (s[k + 1] == ' ' || s[k + 1] == '\t'))
						k++;
				} else {
					buf_putc(&b, s[k]);
				}
			}
			buf_putc(&b, '\n');
			i = j;
		} else {
			i++;
		}
	}
	char *r = strdup(b.data ? buf_cstr(&b) : "");
	buf_free(&b);
	return r;
}

/* ---- layout -------------------------------------------------------------- */

static void test_aligned_columns(void **state)
{
	(void)state;
	check_layout("TABLE users {\n"
	             "    id bigserial PRIMARY KEY\n"
	             "\temail varchar( 255 ) Not Null unique\n"
	             "  status user_status not null default 'active'\n"
	             "  balance numeric(12 , 2) not null default 0 check(balance>=0)\n"
	             "  note text\n"
	             "      posts has_many posts (author_id)   load selectin\n"
	             "}\n",
	             "table users {\n"
	             "  id       bigserial      primary key\n"
	             "  email    varchar(255)   not null  unique\n"
	             "  status   user_status    not null  default 'active'\n"
	             "  balance  numeric(12,2)  not null  default 0  check (balance >= 0)\n"
	             "  note     text\n"
	             "  posts    has_many posts(author_id)  load selectin\n"
	             "}\n");
	/* references with its actions is one modifier; override, use and the
	 * table-level members are not aligned */
	check_layout("mixin m { a  int; b text }\n"
	             "table t {\n"
	             "use   m\n"
	             "override a bigint NOT NULL\n"
	             "id integer primary key\n"
	             "parent integer references t ON DELETE SET NULL on update cascade unique\n"
	             "unique(parent,id)\n"
	             "}\n",
	             "mixin m {\n"
	             "  a  int\n"
	             "  b  text\n"
	             "}\n"
	             "\n"
	             "table t {\n"
	             "  use m\n"
	             "  override a  bigint  not null\n"
	             "  id      integer  primary key\n"
	             "  parent  integer  references t on delete set null on update cascade  unique\n"
	             "  unique (parent, id)\n"
	             "}\n");
}

static void test_comments_everywhere(void **state)
{
	(void)state;
	check_layout("// file comment\n"
	             "\n"
	             "\n"
	             "/// The file.\n"
	             "\n"
	             "/// A table.\n"
	             "// not a doc\n"
	             "table t { // after the brace\n"
	             "  /// The key.\n"
	             "     id integer primary key // trailing\n"
	             "  /* own line */\n"
	             "  name text /* between */ not null\n"
	             "  note text // after a column without modifiers\n"
	             "\n"
	             "\n"
	             "  // before the end\n"
	             "\n"
	             "} // after the table\n"
	             "/* two\n"
	             "     lines */\n"
	             "enum e { a, b } // after the enum\n",
	             "// file comment\n"
	             "\n"
	             "/// The file.\n"
	             "\n"
	             "/// A table.\n"
	             "// not a doc\n"
	             "table t {  // after the brace\n"
	             "  /// The key.\n"
	             "  id    integer  primary key  // trailing\n"
	             "  /* own line */\n"
	             "  name  text     /* between */ not null\n"
	             "  note  text     // after a column without modifiers\n"
	             "\n"
	             "  // before the end\n"
	             "}  // after the table\n"
	             "\n"
	             "/* two\n"
	             "     lines */\n"
	             "enum e { a, b }  // after the enum\n");
	/* a block comment that moves left takes its other lines along */
	check_layout("table t {\n"
	             "      /* one\n"
	             "       * two\n"
	             "       */\n"
	             "  id int\n"
	             "}\n",
	             "table t {\n"
	             "  /* one\n"
	             "   * two\n"
	             "   */\n"
	             "  id  int\n"
	             "}\n");
	/* a /// after code is an ordinary comment and stays after the code */
	check_layout("table t { id int /// not a doc\n}\n",
	             "table t {\n"
	             "  id  int  /// not a doc\n"
	             "}\n");
}

static void test_separators(void **state)
{
	(void)state;
	check_layout("table t { id integer primary key; code text not null;; qty integer }\n"
	             ";\n"
	             "table u {id int} ; table v {id int}\n",
	             "table t {\n"
	             "  id    integer  primary key\n"
	             "  code  text     not null\n"
	             "  qty   integer\n"
	             "}\n"
	             "\n"
	             "table u {\n"
	             "  id  int\n"
	             "}\n"
	             "\n"
	             "table v {\n"
	             "  id  int\n"
	             "}\n");
	/* enums: one line when short and without comments, else one label a line */
	check_layout("enum e {\n  a\n  b,\n  'c-d',\n}\n"
	             "enum long_one { alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel, india, juliett, kilo, lima }\n"
	             "enum c { x, // first\n y }\n"
	             "enum empty { }\n",
	             "enum e { a, b, 'c-d' }\n"
	             "\n"
	             "enum long_one {\n"
	             "  alpha\n  bravo\n  charlie\n  delta\n  echo\n  foxtrot\n  golf\n  hotel\n  india\n"
	             "  juliett\n  kilo\n  lima\n"
	             "}\n"
	             "\n"
	             "enum c {\n"
	             "  x  // first\n"
	             "  y\n"
	             "}\n"
	             "\n"
	             "enum empty {}\n");
	/* imports and extensions may stay together; everything else gets a blank line */
	check_layout("import \"a.model\"\nIMPORT  std  'timestamps'\nEXTENSION pg_trgm\nextension \"uuid-ossp\"\n"
	             "enum e { a }\nenum f { b }\n",
	             "import \"a.model\"\nimport std 'timestamps'\nextension pg_trgm\nextension \"uuid-ossp\"\n"
	             "\n"
	             "enum e { a }\n"
	             "\n"
	             "enum f { b }\n");
}

static void test_long_expressions(void **state)
{
	(void)state;
	/* line breaks inside brackets are the author's; the lines are indented
	 * two spaces per open bracket, the spacing is the compiler's */
	check_layout("table t {\n"
	             "  a integer\n"
	             "  b integer\n"
	             "  qty integer not null check (\n"
	             "          qty>0\n"
	             "      AND qty  <  1000   // a limit\n"
	             "            )\n"
	             "  index ix_t_long (\n"
	             "      coalesce( a , 0 ) DESC NULLS LAST,\n"
	             "      ((a+b))\n"
	             "  ) WHERE (a IS NOT NULL\n"
	             "     AND b>-1)\n"
	             "  check ck ( a  =  any (  array[ 1,2 ] ) and b::text  <> '' and -a < +b )\n"
	             "}\n",
	             "table t {\n"
	             "  a    integer\n"
	             "  b    integer\n"
	             "  qty  integer  not null  check (\n"
	             "    qty > 0\n"
	             "    AND qty < 1000  // a limit\n"
	             "  )\n"
	             "  index ix_t_long (\n"
	             "    coalesce(a, 0) desc nulls last,\n"
	             "    ((a + b))\n"
	             "  ) where (a IS NOT NULL\n"
	             "    AND b > -1)\n"
	             "  check ck (a = any (array[1, 2]) and b::text <> '' and -a < +b)\n"
	             "}\n");
}

static void test_keywords_and_names(void **state)
{
	(void)state;
	/* keywords used as names, labels and SQL keep their spelling */
	check_layout("ENUM Answer { Yes, NO, NULL }\n"
	             "TABLE Order {\n"
	             "  KEY text NOT NULL\n"
	             "  Version integer DEFAULT 0 CHECK (Version >= 0 AND KEY IS NOT NULL)\n"
	             "  \"Check\" Answer\n"
	             "  Kids HAS_MANY Order(KEY) LOAD SELECTIN ORDER BY Version DESC NULLS FIRST LIMIT 3\n"
	             "  INDEX ix (KEY) USING GIN\n"
	             "}\n",
	             "enum Answer { Yes, NO, NULL }\n"
	             "\n"
	             "table Order {\n"
	             "  KEY      text     not null\n"
	             "  Version  integer  default 0  check (Version >= 0 AND KEY IS NOT NULL)\n"
	             "  \"Check\"  Answer\n"
	             "  Kids     has_many Order(KEY)  load SELECTIN  order by Version desc nulls first  limit 3\n"
	             "  index ix (KEY) using GIN\n"
	             "}\n");
	/* types: parameters without spaces, arrays, several words */
	check_layout("table t { a numeric ( 5 , -2 ); b varchar (10) [ ] [ ]; c timestamp (3) with time zone;"
	             " d double   precision }\n",
	             "table t {\n"
	             "  a  numeric(5,-2)\n"
	             "  b  varchar(10)[][]\n"
	             "  c  timestamp(3) with time zone\n"
	             "  d  double precision\n"
	             "}\n");
}

static void test_doc_blocks_keep_their_meaning(void **state)
{
	(void)state;
	/* a doc block followed by a blank line documents the file; without
	 * one, the declaration: fmt keeps both, CRLF lines become LF */
	check_layout("/// File.\r\n\r\n\r\n/// Table.\r\ntable t { id int }\r\n/// Trailing file doc.\r\n",
	             "/// File.\n\n/// Table.\ntable t {\n  id  int\n}\n\n/// Trailing file doc.\n");
	check_layout("/// Table, through a comment.\n// note\n\ntable t { id int }\n",
	             "/// Table, through a comment.\n// note\n\ntable t {\n  id  int\n}\n");
	/* a /// that documents nothing must not become a doc line: after a
	 * dropped ';' under a // line it keeps the ';', and after a \r at the
	 * start of its line it keeps the \r */
	check_layout("// a\n; /// b\ntable t { id int }\n", "// a\n;  /// b\ntable t {\n  id  int\n}\n");
	check_layout("table t {\n  id int\n\r /// c\n}\n", "table t {\n  id  int\n  \r/// c\n}\n");
	check_layout("", "");
	check_layout("\n\n   \n", "");
	check_layout("// only a comment", "// only a comment\n");
}

/* ---- syntax errors ------------------------------------------------------- */

static void test_syntax_error_in_process(void **state)
{
	(void)state;
	buf out, diags;
	buf_init(&out);
	buf_init(&diags);
	const char *src = "table t {\n  id integer\n  index ix (a) where a\n     > 1\n}\n";
	assert_int_equal(fmt_source("app.model", src, strlen(src), &out, &diags), FMT_SYNTAX);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(buf_cstr(&diags), "app.model:4:6: error: "));
	buf_free(&out);
	buf_free(&diags);
}

static void test_syntax_error_untouched(void **state)
{
	(void)state;
	char *dir = tu_tempdir("fmt-err");
	char *p = path2(dir, "app.model");
	const char *src = "table t {\n  id integer primary key\n  qty integer  check (qty > 0\n}\n";
	tu_write(p, src);
	tu_run r = modelc("fmt", p, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	/* the diagnostics are the compiler's */
	tu_run c = modelc(p, "--check", NULL, NULL);
	assert_int_equal(c.status, 1);
	assert_string_equal(r.err, c.err);
	assert_non_null(strstr(r.err, "app.model:3:22: error: '(' is not closed"));
	char *now = tu_read(p, NULL);
	assert_string_equal(now, src);
	free(now);
	tu_run_free(&r);
	tu_run_free(&c);

	r = modelc("fmt", "--check", p, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "'(' is not closed"));
	tu_run_free(&r);
	tu_rm_rf(dir);
	free(p);
	free(dir);
}

/* ---- the command line ---------------------------------------------------- */

static void test_check_and_rewrite(void **state)
{
	(void)state;
	char *dir = tu_tempdir("fmt-cli");
	char *ugly = path2(dir, "ugly.model"), *nice = path2(dir, "nice.model");
	const char *src = "table t { id integer primary key;code text }\n";
	const char *want = "table t {\n  id    integer  primary key\n  code  text\n}\n";
	tu_write(ugly, src);
	tu_write(nice, want);

	tu_run r = modelc("fmt", "--check", nice, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	tu_run_free(&r);

	r = modelc("fmt", "--check", ugly, nice);
	assert_int_equal(r.status, 1);
	char line[4200];
	snprintf(line, sizeof line, "%s\n", ugly);
	assert_string_equal(r.out, line);
	tu_run_free(&r);
	char *now = tu_read(ugly, NULL);
	assert_string_equal(now, src);     /* --check writes nothing */
	free(now);

	/* an unchanged file is not even rewritten: its time stays */
	struct timeval old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	assert_int_equal(utimes(nice, old), 0);
	r = modelc("fmt", ugly, nice, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	tu_run_free(&r);
	now = tu_read(ugly, NULL);
	assert_string_equal(now, want);
	free(now);
	struct stat st;
	assert_int_equal(stat(nice, &st), 0);
	assert_int_equal((long long)st.st_mtime, 1000000000LL);

	r = modelc("fmt", "--check", ugly, nice);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);

	/* standard input to standard output */
	char cmd[8400];
	snprintf(cmd, sizeof cmd, "printf 'enum e {a,b}' | '%s' fmt - > '%s/out'", tu_modelc(), dir);
	assert_int_equal(system(cmd), 0);
	char *o = path2(dir, "out");
	now = tu_read(o, NULL);
	assert_string_equal(now, "enum e { a, b }\n");
	free(now);
	free(o);

	tu_rm_rf(dir);
	free(ugly);
	free(nice);
	free(dir);
}

static void test_usage(void **state)
{
	(void)state;
	tu_run r = modelc("fmt", NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no input file"));
	tu_run_free(&r);
	r = modelc("fmt", "--bogus", "x.model", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "unknown option '--bogus'"));
	tu_run_free(&r);
	r = modelc("fmt", "/nonexistent/x.model", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "modelc fmt: cannot read '/nonexistent/x.model': No such file or directory\n");
	tu_run_free(&r);
	r = modelc("fmt", "--help", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: modelc fmt"));
	tu_run_free(&r);
}

/* ---- every model of the tree --------------------------------------------- */

static void assert_same_dirs(const char *a, const char *b, const char *what)
{
	DIR *d = opendir(a);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *pa = path2(a, e->d_name), *pb = path2(b, e->d_name);
		size_t la = 0, lb = 0;
		char *x = tu_read(pa, &la), *y = tu_read(pb, &lb);
		assert_non_null(x);
		if (!y || la != lb || memcmp(x, y, la) != 0) {
			fprintf(stderr, "%s: %s differs after fmt\n", what, e->d_name);
			fail();
		}
		free(x);
		free(y);
		free(pa);
		free(pb);
		n++;
	}
	closedir(d);
	assert_int_equal(n, tu_count_entries(b));
}

static int count_str(const char *s, const char *w)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, w)); p += strlen(w))
		n++;
	return n;
}

/* Formats dir/name (a copy, so the file name in banners stays the same)
 * and compiles both; returns 1 when it compiled, 0 when it did not parse
 * or compile. */
static int check_model(const char *srcdir, const char *name, const char *tmp)
{
	char *orig = path2(tmp, "a"), *copy = path2(tmp, "b");
	sh("rm -rf '%s' '%s' && mkdir -p '%s' '%s'", orig, copy, orig, copy);
	sh("cp '%s/%s' '%s/' && cp '%s/%s' '%s/'", srcdir, name, orig, srcdir, name, copy);
	/* shop.model imports include/common.model; the cycles imports/ */
	sh("for d in include imports; do [ -d '%s/'$d ] && cp -r '%s/'$d '%s/' && cp -r '%s/'$d '%s/'; done; true",
	   srcdir, srcdir, orig, srcdir, copy);
	char *fa = path2(orig, name), *fb = path2(copy, name);
	size_t la;
	char *before = tu_read(fa, &la);
	assert_non_null(before);

	tu_run r = modelc("fmt", fb, NULL, NULL);
	int compiled = 0;
	if (r.status == 1) {
		/* not a model: untouched, and the compiler rejects it too */
		char *after = tu_read(fb, NULL);
		assert_string_equal(after, before);
		free(after);
		tu_run c = modelc(fa, "--check", NULL, NULL);
		assert_int_equal(c.status, 1);
		tu_run_free(&c);
		tu_run_free(&r);
		goto done;
	}
	if (r.status != 0)
		fprintf(stderr, "%s: fmt: %s", name, r.err);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);

	/* idempotent */
	r = modelc("fmt", "--check", fb, NULL);
	if (r.status != 0)
		fprintf(stderr, "%s: a second fmt would change it\n", name);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);

	/* comments kept, in order */
	char *after = tu_read(fb, NULL);
	char *ca = comments_of(before), *cb = comments_of(after);
	assert_string_equal(ca, cb);
	free(ca);
	free(cb);
	free(after);

	/* the same generated files, or the same number of errors */
	char *ga = path2(tmp, "ga"), *gb = path2(tmp, "gb");
	tu_run x = modelc(fa, "-o", ga, NULL), y = modelc(fb, "-o", gb, NULL);
	assert_int_equal(x.status, y.status);
	if (x.status == 0) {
		assert_same_dirs(ga, gb, name);
		compiled = 1;
	} else {
		assert_int_equal(count_str(x.err, ": error: "), count_str(y.err, ": error: "));
	}
	tu_run_free(&x);
	tu_run_free(&y);
	free(ga);
	free(gb);
done:
	free(before);
	free(fa);
	free(fb);
	free(orig);
	free(copy);
	return compiled;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void check_dir(const char *rel, int *models, int *compiled)
{
	char *dir = path2(tu_root(), rel);
	DIR *d = opendir(dir);
	assert_non_null(d);
	char *names[512];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 512) {
		size_t l = strlen(e->d_name);
		if (l > 6 && strcmp(e->d_name + l - 6, ".model") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], by_name);
	char *tmp = tu_tempdir("fmt-models");
	for (size_t i = 0; i < n; i++) {
		*compiled += check_model(dir, names[i], tmp);
		(*models)++;
		free(names[i]);
	}
	tu_rm_rf(tmp);
	free(tmp);
	free(dir);
}

static void test_every_model(void **state)
{
	(void)state;
	int models = 0, compiled = 0;
	check_dir("examples", &models, &compiled);
	check_dir("tests/models", &models, &compiled);
	check_dir("tests/revisions", &models, &compiled);
	int valid = compiled;
	check_dir("tests/invalid", &models, &compiled);
	printf("fmt: %d models, %d compiled to the same output after fmt\n", models, compiled);
	assert_true(valid >= 22);
	assert_true(models >= 110);
}

/* The examples' own text, formatted in process: comment count and the
 * blog example, which is in the canonical layout but for two gaps. */
static void test_blog_nearly_unchanged(void **state)
{
	(void)state;
	char *p = path2(tu_root(), "examples/blog.model");
	char *src = tu_read(p, NULL);
	assert_non_null(src);
	char *got = fmt_ok(src);
	/* line by line: only the two relationship lines written with three spaces */
	int changed = 0;
	const char *a = src, *b = got;
	while (*a && *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		assert_non_null(ea);
		assert_non_null(eb);
		if (ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)) != 0)
			changed++;
		a = ea + 1;
		b = eb + 1;
	}
	assert_true(!*a && !*b);
	assert_int_equal(changed, 2);
	free(got);
	free(src);
	free(p);
}

/* ---- no crash on anything ------------------------------------------------ */

static void fmt_any(const char *data, size_t len, int *parsed)
{
	buf out, diags;
	buf_init(&out);
	buf_init(&diags);
	fmt_status st = fmt_source("fuzz.model", data, len, &out, &diags);
	if (st == FMT_INTERNAL)
		fprintf(stderr, "fmt refused a model that parses:\n%.*s\n", (int)len, data);
	assert_int_not_equal(st, FMT_INTERNAL);
	if (st == FMT_OK) {
		(*parsed)++;
		buf again, d2;
		buf_init(&again);
		buf_init(&d2);
		assert_int_equal(fmt_source("fuzz.model", out.data ? out.data : "", out.len, &again, &d2), FMT_OK);
		assert_int_equal(again.len, out.len);
		if (out.len)
			assert_memory_equal(again.data, out.data, out.len);
		buf_free(&again);
		buf_free(&d2);
	}
	buf_free(&out);
	buf_free(&diags);
}

static void test_fuzz_corpus(void **state)
{
	(void)state;
	char *dir = path2(tu_root(), "tests/fuzz/corpus");
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int files = 0, parsed = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = path2(dir, e->d_name);
		size_t len = 0;
		char *data = tu_read(p, &len);
		assert_non_null(data);
		fmt_any(data, len, &parsed);
		/* and a few prefixes: truncated input is the commonest damage */
		for (size_t cut = len / 2; cut > 0 && cut < len; cut += (len - cut + 1) / 2)
			fmt_any(data, cut, &parsed);
		free(data);
		free(p);
		files++;
	}
	closedir(d);
	printf("fmt: %d corpus files, %d inputs parsed and formatted twice alike\n", files, parsed);
	assert_true(files > 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligned_columns),
		cmocka_unit_test(test_comments_everywhere),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_long_expressions),
		cmocka_unit_test(test_keywords_and_names),
		cmocka_unit_test(test_doc_blocks_keep_their_meaning),
		cmocka_unit_test(test_syntax_error_in_process),
		cmocka_unit_test(test_syntax_error_untouched),
		cmocka_unit_test(test_check_and_rewrite),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_blog_nearly_unchanged),
		cmocka_unit_test(test_every_model),
		cmocka_unit_test(test_fuzz_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cmd_lint.c - `modelc lint`: the command line of lint.c (docs/lint.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lint.h"

enum { EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

static const char usage[] =
	"usage: modelc lint [--db URL [--analyze] [--min-rows N]] FILE.model\n"
	"       modelc lint --codes\n"
	"\n"
	"Advice on the model: foreign keys and relationship orders without an index,\n"
	"unique keys that count soft-deleted rows, joined collections, timestamps\n"
	"without time zone, tables without a primary key, duplicate and redundant\n"
	"indexes. Silence a finding with a comment on its line or the line before:\n"
	"  // lint: allow CODE -- REASON\n"
	"or for a whole table, in its body:\n"
	"  // lint: allow-table CODE -- REASON\n"
	"\n"
	"options:\n"
	"  --db URL         also plan the generated code's reads on this database (libpq\n"
	"                   conninfo or URL; '' uses the PG* environment) and report\n"
	"                   those that read a whole large table\n"
	"  --analyze        run the statements (EXPLAIN ANALYZE) to show their time\n"
	"  --min-rows N     a table is large above N estimated rows (default 1000)\n"
	"  --codes          list the finding codes\n"
	"  --help           print this help\n"
	"\n"
	"exit status: 0 no findings, 1 findings (or errors in the model), 2 usage,\n"
	"I/O or database error\n";

int cmd_lint(int argc, char **argv)
{
	const char *input = NULL;
	lint_opts o = { NULL, false, LINT_DEFAULT_MIN_ROWS };
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(s, "--codes") == 0) {
			for (size_t k = 0; k < lint_ncodes; k++)
				printf("%-24s %s\n", lint_codes[k].code, lint_codes[k].summary);
			return 0;
		} else if (strcmp(s, "--db") == 0 || strcmp(s, "--min-rows") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "modelc lint: %s needs an argument\n%s", s, usage);
				return EXIT_USAGE;
			}
			const char *v = argv[++i];
			if (s[2] == 'd') {
				o.db = v;
			} else {
				char *end;
				double n = strtod(v, &end);
				if (end == v || *end || n < 0) {
					fprintf(stderr, "modelc lint: --min-rows wants a number of rows, not '%s'\n", v);
					return EXIT_USAGE;
				}
				o.min_rows = n;
			}
		} else if (strncmp(s, "--db=", 5) == 0) {
			o.db = s + 5;
		} else if (strcmp(s, "--analyze") == 0) {
			o.analyze = true;
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "modelc lint: unknown option '%s'\n%s", s, usage);
			return EXIT_USAGE;
		} else if (input) {
			fprintf(stderr, "modelc lint: more than one input file ('%s' and '%s')\n", input, s);
			return EXIT_USAGE;
		} else {
			input = s;
		}
	}
	if (!input) {
		fprintf(stderr, "modelc lint: no input file\n%s", usage);
		return EXIT_USAGE;
	}
	if (o.analyze && !o.db) {
		fprintf(stderr, "modelc lint: --analyze needs --db\n");
		return EXIT_USAGE;
	}

	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	int status = 0;
	model *m = model_load(&d, input, model_file_loader, NULL);
	/* the compiler's own diagnostics first, as the compiler prints them */
	if (d.out.len)
		fputs(buf_cstr(&d.out), stderr);
	if (!m || d.errors) {
		status = d.files.n == 0 ? EXIT_USAGE : 1;
	} else {
		buf out, err;
		buf_init(&out);
		buf_init(&err);
		int remaining = 0;
		int rc = lint_run(&d, m, &o, &out, &err, &remaining);
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
		fflush(stdout);
		fwrite(err.data ? err.data : "", 1, err.len, stderr);
		status = rc ? EXIT_USAGE : remaining ? EXIT_FINDINGS : 0;
		buf_free(&out);
		buf_free(&err);
	}
	diag_dispose(&d);
	arena_free(&a);
	return status;
}

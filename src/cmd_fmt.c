/* cmd_fmt.c - `modelc fmt`: rewrites models in the canonical layout
 * (docs/fmt.md), or with --check only lists the files that would change. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "fmt.h"
#include "output.h"

static const char fmt_usage[] =
	"usage: modelc fmt [--check] FILE.model...\n"
	"       modelc fmt [--check] -          (standard input to standard output)\n"
	"\n"
	"Rewrites each model in the canonical layout (see docs/fmt.md); files\n"
	"already in it are not touched. A model that does not parse is reported\n"
	"and left as is.\n"
	"\n"
	"options:\n"
	"  --check   write nothing; print the files that would change\n"
	"  --help    print this help\n"
	"\n"
	"exit status: 0 done (with --check: nothing would change), 1 a model does\n"
	"not parse (with --check: or would change), 2 usage or I/O error\n";

enum { FMT_EXIT_MODEL = 1, FMT_EXIT_USAGE = 2 };

/* Formats one file (or standard input for "-"); returns its exit status. */
static int fmt_one(const char *path, bool check)
{
	bool std = strcmp(path, "-") == 0;
	buf in, out, diags;
	buf_init(&in);
	buf_init(&out);
	buf_init(&diags);
	int rc = 0;
	if (std) {
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
			buf_put(&in, chunk, n);
		if (ferror(stdin)) {
			fprintf(stderr, "modelc fmt: cannot read standard input\n");
			rc = FMT_EXIT_USAGE;
			goto done;
		}
	} else {
		int e = buf_read_file(&in, path);
		if (e != 0) {
			fprintf(stderr, "modelc fmt: cannot read '%s': %s\n", path, strerror(e));
			rc = FMT_EXIT_USAGE;
			goto done;
		}
	}
	fmt_status st = fmt_source(std ? "<stdin>" : path, in.data ? in.data : "", in.len, &out, &diags);
	if (st != FMT_OK) {
		fputs(buf_cstr(&diags), stderr);
		rc = st == FMT_SYNTAX ? FMT_EXIT_MODEL : FMT_EXIT_USAGE;
		goto done;
	}
	bool same = out.len == in.len && (out.len == 0 || memcmp(out.data, in.data, out.len) == 0);
	if (check) {
		if (!same) {
			printf("%s\n", std ? "<stdin>" : path);
			rc = FMT_EXIT_MODEL;
		}
	} else if (std) {
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	} else if (!same) {
		char err[4200];
		if (output_write(path, out.data ? out.data : "", out.len, err, sizeof err) < 0) {
			fprintf(stderr, "modelc fmt: %s\n", err);
			rc = FMT_EXIT_USAGE;
		}
	}
done:
	buf_free(&in);
	buf_free(&out);
	buf_free(&diags);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	bool check = false;
	int files = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(fmt_usage, stdout);
			return 0;
		} else if (strcmp(a, "--check") == 0) {
			check = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "modelc fmt: unknown option '%s'\n%s", a, fmt_usage);
			return FMT_EXIT_USAGE;
		} else {
			files++;
		}
	}
	if (files == 0) {
		fprintf(stderr, "modelc fmt: no input file\n%s", fmt_usage);
		return FMT_EXIT_USAGE;
	}
	/* every file is handled, whatever happens to the others; the worst
	 * status wins */
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		int rc = fmt_one(argv[i], check);
		if (rc > status)
			status = rc;
	}
	fflush(stdout);
	return status;
}

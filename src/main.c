/* main.c - the modelc command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "emit.h"
#include "migrate.h"
#include "model.h"
#include "output.h"

enum { EXIT_MODEL = 1, EXIT_USAGE = 2 };

static const char usage[] =
	"usage: modelc FILE.model -o DIR [options]\n"
	"       modelc FILE.model --check\n"
	"       modelc migrate SUBCOMMAND ...   (modelc migrate --help)\n"
	"       modelc init [DIR] | ping [--db URL] | lint FILE.model | fmt FILE.model\n"
	"\n"
	"Writes DIR/NAME.h, DIR/NAME.c and DIR/NAME.sql from FILE.model.\n"
	"\n"
	"options:\n"
	"  -o DIR             output directory (created when missing)\n"
	"  --check            check the model only; write nothing\n"
	"  --templates DIR    use templates from DIR where present (see docs/templates.md)\n"
	"  -MD                also write DIR/NAME.d, a make depfile of the model files read\n"
	"  -MF FILE           write the depfile to FILE (implies -MD)\n"
	"  --version          print the version\n"
	"  --help             print this help\n"
	"\n"
	"exit status: 0 success, 1 errors in the model, 2 usage or I/O error\n";

static void dep_escape(buf *b, const char *path)
{
	for (const char *p = path; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			buf_putc(b, '\\');
		if (*p == '$')
			buf_putc(b, '$');
		buf_putc(b, *p);
	}
}

static const char *join(arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subcommands[] = {
		{ "migrate", mig_main }, { "init", cmd_init }, { "ping", cmd_ping },
		{ "lint", cmd_lint },    { "fmt", cmd_fmt },
	};
	for (size_t i = 0; argc > 1 && i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	const char *input = NULL, *outdir = NULL, *templates = NULL, *depfile = NULL;
	bool check = false, md = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("modelc %s\n", MODELC_VERSION);
			return 0;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--templates") == 0 || strcmp(a, "-MF") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "modelc: %s needs an argument\n%s", a, usage);
				return EXIT_USAGE;
			}
			const char **dst = a[1] == 'o' ? &outdir : a[1] == '-' ? &templates : &depfile;
			*dst = argv[++i];
			if (a[1] == 'M')
				md = true;
		} else if (strncmp(a, "-o", 2) == 0 && a[2]) {
			outdir = a + 2;
		} else if (strcmp(a, "--check") == 0) {
			check = true;
		} else if (strcmp(a, "-MD") == 0) {
			md = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "modelc: unknown option '%s'\n%s", a, usage);
			return EXIT_USAGE;
		} else if (input) {
			fprintf(stderr, "modelc: more than one input file ('%s' and '%s')\n", input, a);
			return EXIT_USAGE;
		} else {
			input = a;
		}
	}
	if (!input) {
		fprintf(stderr, "modelc: no input file\n%s", usage);
		return EXIT_USAGE;
	}
	if (templates) {
		struct stat st;
		if (stat(templates, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "modelc: --templates: '%s' is not a directory\n", templates);
			return EXIT_USAGE;
		}
	}
	if (!outdir && !check) {
		fprintf(stderr, "modelc: no output directory: give -o DIR, or --check\n");
		return EXIT_USAGE;
	}

	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	int status = 0;

	model *m = model_load(&d, input, model_file_loader, NULL);
	emit_file files[EMIT_NFILES];
	memset(files, 0, sizeof files);
	bool emitted = false;
	if (m && !check) {
		emit_opts opts = { templates };
		emitted = true;
		if (emit_all(&d, m, &opts, files) != 0)
			m = NULL;
	}
	if (d.errors) {
		fputs(buf_cstr(&d.out), stderr);
		/* a model that could not be read at all is an I/O error */
		status = (d.files.n == 0) ? EXIT_USAGE : EXIT_MODEL;
		goto done;
	}
	if (d.out.len)
		fputs(buf_cstr(&d.out), stderr);
	if (check)
		goto done;

	char err[4200];
	if (output_mkdirs(outdir, err, sizeof err) != 0) {
		fprintf(stderr, "modelc: %s\n", err);
		status = EXIT_USAGE;
		goto done;
	}
	for (int i = 0; i < EMIT_NFILES; i++) {
		const char *path = join(&a, outdir, files[i].name);
		if (output_write(path, files[i].content.data ? files[i].content.data : "", files[i].content.len, err,
		                 sizeof err) < 0) {
			fprintf(stderr, "modelc: %s\n", err);
			status = EXIT_USAGE;
			goto done;
		}
	}
	if (md) {
		const char *dpath = depfile ? depfile : join(&a, outdir, arena_printf(&a, "%s.d", m->name));
		buf b;
		buf_init(&b);
		for (int i = 0; i < EMIT_NFILES; i++) {
			if (i)
				buf_putc(&b, ' ');
			dep_escape(&b, join(&a, outdir, files[i].name));
		}
		buf_putc(&b, ':');
		for (size_t i = 0; i < m->files.n; i++) {
			buf_putc(&b, ' ');
			dep_escape(&b, m->files.items[i]);
		}
		buf_putc(&b, '\n');
		/* a phony rule per import, so deleting one does not break make */
		for (size_t i = 1; i < m->files.n; i++) {
			buf_putc(&b, '\n');
			dep_escape(&b, m->files.items[i]);
			buf_puts(&b, ":\n");
		}
		int rc = output_write(dpath, b.data, b.len, err, sizeof err);
		buf_free(&b);
		if (rc < 0) {
			fprintf(stderr, "modelc: %s\n", err);
			status = EXIT_USAGE;
		}
	}

done:
	if (emitted)
		for (int i = 0; i < EMIT_NFILES; i++)
			buf_free(&files[i].content);
	diag_dispose(&d);
	arena_free(&a);
	return status;
}

/* cmd_init.c - `modelc init [DIR]`: a new project's files (a model using the
 * standard mixins, make rules, a first program, the migrations folder).
 * Nothing existing is ever overwritten: every path is checked first, and
 * each file is created with O_EXCL, so a file appearing meanwhile is not
 * clobbered either. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "output.h"

enum { INIT_OK = 0, INIT_EXISTS = 1, INIT_USAGE = 2 };

static const char usage[] =
	"usage: modelc init [DIR]\n"
	"\n"
	"Writes a new modelc project into DIR (default: the current folder,\n"
	"created when missing):\n"
	"  app.model          a schema that uses the standard mixins\n"
	"  modelc.mk          make rules: gen/app.{h,c,sql} and their objects\n"
	"  app_demo.c         a first program over the generated code\n"
	"  README-modelc.md   the everyday commands\n"
	"  migrations/.keep   where 'modelc migrate new' writes migrations\n"
	"Nothing is overwritten: when any of these exists, nothing is written.\n"
	"\n"
	"exit status: 0 written, 1 a file exists or cannot be written, 2 usage\n";

static const char app_model[] =
	"// app.model - the schema of this program. modelc compiles it into\n"
	"// gen/app.h and gen/app.c (typed C over libpq) and gen/app.sql (the DDL):\n"
	"//     make -f modelc.mk        or        modelc app.model -o gen/\n"
	"\n"
	"// Standard mixins, shipped with modelc: import them, then `use` them.\n"
	"import std \"uuid_pk\"        // id uuid primary key default gen_random_uuid()\n"
	"import std \"bigserial_pk\"   // id bigserial primary key\n"
	"import std \"timestamps\"     // created_at, updated_at (set on every update)\n"
	"import std \"soft_delete\"    // is_deleted, deleted_at: rows are marked, not removed\n"
	"import std \"versioned\"      // version: optimistic locking for updates\n"
	"\n"
	"/// People who can log in.\n"
	"table users {\n"
	"  use uuid_pk, timestamps, soft_delete\n"
	"  // lint: allow soft-delete-unique -- an address stays taken after its user is deleted (upsert_by_email needs a plain unique key)\n"
	"  email  varchar(255)  not null  unique\n"
	"  name   text          not null\n"
	"  notes  has_many notes(author_id)  order by id\n"
	"}\n"
	"\n"
	"/// What users write.\n"
	"table notes {\n"
	"  use bigserial_pk, timestamps, versioned\n"
	"  author_id  uuid  not null  references users(id) on delete cascade\n"
	"  body       text  not null\n"
	"  author     belongs_to users(author_id)\n"
	"  index (author_id, id)\n"
	"}\n";

static const char modelc_mk[] =
	"# modelc.mk - make rules for the models of this folder (written by\n"
	"# 'modelc init'). Alone:\n"
	"#     make -f modelc.mk                generates gen/app.{h,c,sql}, compiles\n"
	"#                                      gen/app.o, builds app_demo\n"
	"#     make -f modelc.mk modelc-check   checks the models, writes nothing\n"
	"#     make -f modelc.mk modelc-clean   removes gen/ and app_demo\n"
	"# or from your Makefile, after its first target (which stays the default):\n"
	"#     include modelc.mk\n"
	"#     myprog: main.o $(MODELC_OBJ)\n"
	"#             $(CC) $(LDFLAGS) -o $@ $^ $(MODELC_LIBS)\n"
	"#\n"
	"# Variables (on the command line, or set before the include):\n"
	"#   MODELC         the compiler                        (default: modelc)\n"
	"#   MODELS         the models, in this folder          (default: app.model)\n"
	"#   GEN            the output folder                   (default: gen)\n"
	"#   MODELC_CFLAGS  flags to compile generated code     (default: pkg-config --cflags modelc)\n"
	"#   MODELC_LIBS    libraries to link it with           (default: pkg-config --libs modelc)\n"
	"#   CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS as usual     (CFLAGS default: -std=c11 -Wall -Wextra -O2 -g)\n"
	"# modelc.pc comes with 'make install' of modelc; for another prefix set\n"
	"# PKG_CONFIG_PATH=PREFIX/lib/pkgconfig, or the two variables, e.g.\n"
	"#   MODELC_CFLAGS=\"-IPREFIX/include -I$(pg_config --includedir)\"\n"
	"#   MODELC_LIBS=\"-LPREFIX/lib -lmodelc -lpq -lpthread\"\n"
	"\n"
	"MODELC ?= modelc\n"
	"MODELS ?= app.model\n"
	"GEN    ?= gen\n"
	"CFLAGS ?= -std=c11 -Wall -Wextra -O2 -g\n"
	"ifeq ($(origin MODELC_CFLAGS),undefined)\n"
	"MODELC_CFLAGS := $(shell pkg-config --cflags modelc 2>/dev/null)\n"
	"endif\n"
	"ifeq ($(origin MODELC_LIBS),undefined)\n"
	"MODELC_LIBS := $(shell pkg-config --libs modelc 2>/dev/null)\n"
	"endif\n"
	"MODELC_OBJ := $(MODELS:%.model=$(GEN)/%.o)\n"
	"# not intermediate files: make must not delete them after a build\n"
	".SECONDARY: $(foreach x,c h sql,$(MODELS:%.model=$(GEN)/%.$(x)))\n"
	"\n"
	".PHONY: modelc-all modelc-check modelc-clean\n"
	"modelc-all: $(MODELC_OBJ) $(if $(wildcard app_demo.c),app_demo)\n"
	"\n"
	"# One run writes NAME.h, NAME.c and NAME.sql, each only when its content\n"
	"# changed, and with -MD gen/NAME.d: the models it read (its imports).\n"
	"$(GEN)/%.c $(GEN)/%.h $(GEN)/%.sql: %.model\n"
	"\t$(MODELC) $< -o $(GEN)/ -MD\n"
	"\n"
	"$(GEN)/%.o: $(GEN)/%.c $(GEN)/%.h\n"
	"\t$(CC) $(CPPFLAGS) $(CFLAGS) $(MODELC_CFLAGS) -c -o $@ $<\n"
	"\n"
	"app_demo: app_demo.c $(GEN)/app.o\n"
	"\t$(CC) $(CPPFLAGS) $(CFLAGS) $(MODELC_CFLAGS) -I$(GEN) $(LDFLAGS) -o $@ $^ $(MODELC_LIBS) $(LDLIBS)\n"
	"\n"
	"modelc-check:\n"
	"\t$(foreach m,$(MODELS),$(MODELC) $(m) --check &&) true\n"
	"\n"
	"modelc-clean:\n"
	"\trm -rf $(GEN) app_demo\n"
	"\n"
	"-include $(GEN)/*.d\n";

static const char app_demo_c[] =
	"/* app_demo.c - a first program over the code modelc generates from\n"
	" * app.model (written by 'modelc init': change it, or delete it).\n"
	" *\n"
	" *   make -f modelc.mk               generates gen/, builds ./app_demo\n"
	" *   createdb app && psql -d app -f gen/app.sql\n"
	" *   ./app_demo \"dbname=app\"         (no argument: the PG* environment)\n"
	" *\n"
	" * Adds a user (or finds the one an earlier run added), gives them a note,\n"
	" * edits the note (the version column counts up), and reads the user back\n"
	" * with their notes. */\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"\n"
	"#include \"app.h\"\n"
	"\n"
	"static mc_str S(const char *s)\n"
	"{\n"
	"\tmc_str r = { s, strlen(s) };\n"
	"\treturn r;\n"
	"}\n"
	"\n"
	"static int failed(mc_conn *c, const char *what, mc_status st)\n"
	"{\n"
	"\tfprintf(stderr, \"app_demo: %s: %s: %s\\n\", what, mc_status_name(st), mc_last_error(c)->message);\n"
	"\tmc_conn_close(c);\n"
	"\treturn 1;\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tmc_conn *c = NULL;\n"
	"\tmc_status st = mc_conn_open(&c, argc > 1 ? argv[1] : NULL, NULL);\n"
	"\tif (st != MC_OK)\n"
	"\t\treturn failed(c, \"connect\", st);\n"
	"\n"
	"\t/* id, timestamps and is_deleted come from the model's defaults; the\n"
	"\t * e-mail is unique, so a second run updates the same row */\n"
	"\tapp_user uin;\n"
	"\tmemset(&uin, 0, sizeof uin);\n"
	"\tuin.email = S(\"ada@example.com\");\n"
	"\tuin.name = S(\"Ada\");\n"
	"\tuin.deleted_at_null = true;\n"
	"\tmc_result *ures;\n"
	"\tapp_user *u;\n"
	"\tif ((st = app_users_upsert_by_email(c, &uin, 0, &ures, &u)) != MC_OK)\n"
	"\t\treturn failed(c, \"upsert user\", st);\n"
	"\n"
	"\tapp_note nin;\n"
	"\tmemset(&nin, 0, sizeof nin);\n"
	"\tnin.author_id = u->id;\n"
	"\tnin.body = S(\"Hello\");\n"
	"\tmc_result *nres;\n"
	"\tapp_note *n;\n"
	"\tif ((st = app_notes_insert(c, &nin, 0, &nres, &n)) != MC_OK)\n"
	"\t\treturn failed(c, \"insert note\", st);\n"
	"\n"
	"\t/* writes only if the row still has n's version, and counts it up;\n"
	"\t * MC_STALE_VERSION when another writer got there first */\n"
	"\tapp_note edit = *n;\n"
	"\tedit.body = S(\"Hello, world\");\n"
	"\tmc_result *eres;\n"
	"\tapp_note *e;\n"
	"\tif ((st = app_notes_update(c, &edit, APP_NOTES_BODY, &eres, &e)) != MC_OK)\n"
	"\t\treturn failed(c, \"update note\", st);\n"
	"\tprintf(\"note %lld: version %d -> %d\\n\", (long long)e->id, (int)n->version, (int)e->version);\n"
	"\n"
	"\tmc_result *gres;\n"
	"\tapp_user *g;\n"
	"\tif ((st = app_users_get(c, u->id, APP_USERS_LOAD_NOTES, &gres, &g)) != MC_OK)\n"
	"\t\treturn failed(c, \"get user\", st);\n"
	"\tprintf(\"%.*s <%.*s> has %zu note(s)\\n\", (int)g->name.len, g->name.ptr, (int)g->email.len, g->email.ptr,\n"
	"\t       g->notes.n);\n"
	"\n"
	"\tmc_result_free(gres);\n"
	"\tmc_result_free(eres);\n"
	"\tmc_result_free(nres);\n"
	"\tmc_result_free(ures);\n"
	"\tmc_conn_close(c);\n"
	"\treturn 0;\n"
	"}\n";

static const char readme_md[] =
	"# modelc in this folder\n"
	"\n"
	"`modelc init` wrote these files:\n"
	"\n"
	"| file | what |\n"
	"|---|---|\n"
	"| `app.model` | the schema: tables, columns, keys, relationships |\n"
	"| `modelc.mk` | make rules: `gen/app.h`, `gen/app.c`, `gen/app.sql` and `gen/app.o` |\n"
	"| `app_demo.c` | a first program over the generated code |\n"
	"| `migrations/` | where `modelc migrate new` writes the migrations |\n"
	"\n"
	"Every day:\n"
	"\n"
	"```sh\n"
	"modelc app.model --check                      # errors like a C compiler's, nothing written\n"
	"make -f modelc.mk                             # gen/ and ./app_demo (or: include modelc.mk)\n"
	"modelc ping --db \"dbname=app\"                 # is the database there? version, latency\n"
	"modelc migrate new -m \"first schema\" app.model # the next migration, from the model's change\n"
	"modelc migrate up --db \"dbname=app\"           # apply it\n"
	"./app_demo \"dbname=app\"\n"
	"```\n"
	"\n"
	"`gen/` is written by modelc: keep it out of version control (or commit\n"
	"it: the output is deterministic). The generated code needs the runtime\n"
	"library: `pkg-config --cflags --libs modelc` after `make install` of\n"
	"modelc; modelc.mk says how to point it elsewhere.\n"
	"\n"
	"`import std \"NAME\"` brings in a standard mixin shipped with modelc:\n"
	"`uuid_pk`, `bigserial_pk`, `timestamps`, `soft_delete`, `versioned`\n"
	"(see docs/workflow.md and docs/dsl.md of modelc).\n";

static const struct {
	const char *name;
	const char *text;
} files[] = {
	{ "app.model", app_model },         { "modelc.mk", modelc_mk },
	{ "app_demo.c", app_demo_c },       { "README-modelc.md", readme_md },
	{ "migrations/.keep", "" },
};
#define NFILES (sizeof files / sizeof files[0])

static void path_of(char *out, size_t n, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	if (strcmp(dir, ".") == 0)
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
}

/* Creates path with O_EXCL; 0, or an errno value. */
static int create_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		return errno;
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return e;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		return e;
	}
	return 0;
}

int cmd_init(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return INIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "modelc init: unknown option '%s'\n%s", argv[i], usage);
			return INIT_USAGE;
		}
		if (dir) {
			fprintf(stderr, "modelc init: one folder only ('%s' and '%s')\n", dir, argv[i]);
			return INIT_USAGE;
		}
		dir = argv[i];
	}
	if (!dir || !*dir)
		dir = ".";

	/* everything is checked before anything is written; lstat, so a
	 * dangling symlink counts as existing too */
	char path[4200];
	struct stat st;
	int existing = 0;
	const char *mig = "migrations";
	for (size_t i = 0; i < NFILES; i++) {
		/* an existing migrations/ is someone's: not even .keep goes in */
		bool in_mig = strncmp(files[i].name, "migrations/", 11) == 0;
		path_of(path, sizeof path, dir, in_mig ? mig : files[i].name);
		if (lstat(path, &st) == 0) {
			fprintf(stderr, "modelc init: %s already exists\n", path);
			existing++;
		}
	}
	if (existing) {
		fprintf(stderr, "modelc init: nothing written (modelc init never overwrites a file)\n");
		return INIT_EXISTS;
	}

	char err[4400];
	if (output_mkdirs(dir, err, sizeof err) != 0) {
		fprintf(stderr, "modelc init: %s\n", err);
		return INIT_EXISTS;
	}
	path_of(path, sizeof path, dir, mig);
	if (mkdir(path, 0777) != 0) {
		fprintf(stderr, "modelc init: cannot create %s: %s\n", path, strerror(errno));
		return INIT_EXISTS;
	}
	for (size_t i = 0; i < NFILES; i++) {
		path_of(path, sizeof path, dir, files[i].name);
		int e = create_file(path, files[i].text);
		if (e) {
			fprintf(stderr, "modelc init: cannot create %s: %s\n", path, strerror(e));
			/* take back what this run wrote: all or nothing */
			for (size_t k = 0; k < i; k++) {
				path_of(path, sizeof path, dir, files[k].name);
				unlink(path);
			}
			path_of(path, sizeof path, dir, mig);
			rmdir(path);
			return INIT_EXISTS;
		}
	}
	for (size_t i = 0; i < NFILES; i++) {
		path_of(path, sizeof path, dir, files[i].name);
		printf("created %s\n", path);
	}

	printf("\nnext steps:\n");
	if (strcmp(dir, ".") != 0)
		printf("  cd %s\n", dir);
	printf("  make -f modelc.mk                                generate gen/app.{h,c,sql}, build ./app_demo\n"
	       "  modelc ping --db \"dbname=app\"                    check the database connection\n"
	       "  modelc migrate new -m \"first schema\" app.model   write the first migration\n"
	       "  modelc migrate up --db \"dbname=app\"              apply it\n"
	       "  ./app_demo \"dbname=app\"\n"
	       "see README-modelc.md\n");
	return INIT_OK;
}

/* migrate.c - `modelc migrate SUBCOMMAND`: dispatch and usage. */
#include <stdio.h>
#include <string.h>

#include "migrate.h"

static const char migrate_usage[] =
	"usage: modelc migrate SUBCOMMAND [options]\n"
	"\n"
	"  new -m MSG APP.model   write the next migration from the model's changes\n"
	"      [--allow-destructive] [--concurrently] [--check]\n"
	"  up [REV]               apply pending migrations (up to REV)\n"
	"  down [REV|-1|base]     revert migrations (default: the newest one)\n"
	"  status                 the current revision and the pending ones\n"
	"  history                the chain of migrations\n"
	"  stamp REV              record REV as current without running anything\n"
	"  sql FROM:TO            print the SQL that would run, offline\n"
	"  check APP.model        verify the files; compare the live database with\n"
	"      [--offline]        the model and print the drift as SQL\n"
	"  rehash                 rewrite modelc.sum from the files as they are\n"
	"  embed -o FILE.c        write the folder into a C source for libmodelc's\n"
	"      [--name NAME]      mc_migrate_up (NAME: FILE's base name)\n"
	"\n"
	"common options:\n"
	"  --dir DIR              the migrations folder (default: migrations)\n"
	"  --db URL               libpq connection string (default: PG* environment)\n"
	"\n"
	"exit status: 0 success, 1 check found something or a migration failed,\n"
	"2 usage or I/O error. See docs/migrations.md.\n";

int mig_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "new", mig_cmd_new },         { "check", mig_cmd_check }, { "up", mig_cmd_up },
		{ "down", mig_cmd_down },       { "status", mig_cmd_status }, { "history", mig_cmd_history },
		{ "stamp", mig_cmd_stamp },     { "sql", mig_cmd_sql },     { "rehash", mig_cmd_rehash },
		{ "embed", mig_cmd_embed },
	};
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(migrate_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "modelc migrate: unknown subcommand '%s'\n%s", argv[1], migrate_usage);
	return 2;
}

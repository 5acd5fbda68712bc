/* migrate.h - migrations: the folder of migration files (mig_file.c), the
 * canonical schema state (mig_state.c), the model differ that writes new
 * migrations (mig_diff.c), the runner against a database (mig_run.c) and
 * the live-database drift check (mig_live.c). The format is documented in
 * docs/migrations.md; this header is the contract between those files. */
#ifndef MODELC_MIGRATE_H
#define MODELC_MIGRATE_H

#include "model.h"

#define MIG_DEFAULT_DIR "migrations"
#define MIG_STATE_FILE "state.model"
#define MIG_SUM_FILE "modelc.sum"

/* One SQL statement of a section, with the comment lines written before it. */
typedef struct mig_step {
	const char *comment;    /* the comment lines before it, "-- " stripped, '\n'-joined; or NULL */
	const char *sql;        /* the statement, without its final ';' */
	int line;               /* 1-based line of the statement's first character in the file */
	bool no_tx;             /* preceded by "-- +modelc no-transaction" */
	bool destructive;       /* its comment starts with "DESTRUCTIVE:" */
	bool risky;             /* its comment starts with "RISKY:" */
} mig_step;

typedef struct mig_file {
	const char *path;       /* as opened */
	const char *rev;        /* "0002_add_posts" */
	int number;             /* 2 */
	const char *follows;    /* "0001_create_users", or "base" */
	const char *message;
	const char *from_state; /* "sha256:<hex>" or "empty" */
	const char *to_state;
	const char *checksum;   /* "sha256:<hex>" of the whole file */
	vec up, down;           /* mig_step * */
} mig_file;

typedef struct mig_set {
	const char *dir;
	vec files;              /* mig_file *, by number */
	bool has_state;         /* dir/state.model exists */
} mig_set;

/* SHA-256 of data as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);

/* Parses one migration file's text. 0, or -1 with "path:line: message\n"
 * lines appended to err. */
int mig_file_parse(arena *a, const char *path, const char *text, size_t len, mig_file *out, buf *err);

/* Splits SQL text into statements (quotes, dollar quoting and comments
 * respected); first_line is the file line text starts on. */
int mig_split_sql(arena *a, const char *path, const char *text, size_t len, int first_line, vec *steps,
                  buf *err);

/* Reads every NNNN_*.sql of dir and verifies them against dir/modelc.sum
 * (checksums, one line per file, a single chain without forks, follows:
 * headers, the state's checksum). A missing dir is an empty set. 0, or -1
 * with every problem appended to err, one line each naming the file. */
int mig_set_load(arena *a, const char *dir, mig_set *out, buf *err);

/* Rewrites dir/modelc.sum from the files now in dir (and state.model).
 * 0, or -1 with a message in err. */
int mig_sum_write(arena *a, const char *dir, buf *err);

/* The canonical DSL text of m's schema (what state.model holds): tables,
 * columns, keys, indexes, constraints, enums, extensions and doc comments,
 * every name explicit, no mixins or relationships. m may be NULL (empty). */
void mig_state_print(const model *m, buf *out);

/* Command entry points: argv[0] is the subcommand ("up", ...); they return
 * the exit status (0, 1 check failed / migration failed, 2 usage or I/O). */
int mig_cmd_new(int argc, char **argv);
int mig_cmd_check(int argc, char **argv);
int mig_cmd_up(int argc, char **argv);
int mig_cmd_down(int argc, char **argv);
int mig_cmd_status(int argc, char **argv);
int mig_cmd_history(int argc, char **argv);
int mig_cmd_stamp(int argc, char **argv);
int mig_cmd_sql(int argc, char **argv);
int mig_cmd_rehash(int argc, char **argv);
int mig_cmd_embed(int argc, char **argv);

/* Compares the live database behind conninfo ("" = PG* environment) with
 * the schema of m; the drift goes to out as SQL that would make the
 * database match the model (destructive statements commented out and
 * marked). 0 no drift, 1 drift, 2 error (message in err). */
int mig_live_check(const model *m, const char *conninfo, buf *out, buf *err);

/* The dispatcher: argv[0] == "migrate". */
int mig_main(int argc, char **argv);

#endif

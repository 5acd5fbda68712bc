/* modelc/migrate.h - migrations compiled into a program: the data that
 * `modelc migrate embed` writes (a migrations folder as static C data) and
 * the runner that applies it with the rules of `modelc migrate up`
 * (docs/migrations.md, "Migrations inside your program"). The two runners
 * share the version table and can take turns on the same database. */
#ifndef MODELC_RUNTIME_MIGRATE_H
#define MODELC_RUNTIME_MIGRATE_H

#include "modelc.h"

/* The layout of the structs below. Files written by `modelc migrate embed`
 * check it, so data of one layout is never read by a runtime of another. */
#define MC_MIGRATION_FORMAT 1

#ifdef __cplusplus
extern "C" {
#endif

/* One statement of a migration section, as the runner splits the file. */
typedef struct mc_migration_step {
    const char *sql;                /* without its final ';' */
    int line;                       /* line of its first character in the file */
    bool no_tx;                     /* "-- +modelc no-transaction": runs outside a transaction */
} mc_migration_step;

typedef struct mc_migration {
    const char *revision;           /* "0002_add_posts" */
    const char *follows;            /* "0001_create_users", or "base" for the first */
    const char *message;
    const char *checksum;           /* "sha256:<hex>" of the whole file, as in modelc.sum */
    const char *file;               /* "migrations/0002_add_posts.sql": errors name it */
    const mc_migration_step *up;    /* the upgrade section; NULL when n_up is 0 */
    size_t n_up;
    const mc_migration_step *down;  /* the downgrade section */
    size_t n_down;
} mc_migration;

/* A whole migrations folder, oldest migration first. */
typedef struct mc_migration_set {
    int format;                     /* MC_MIGRATION_FORMAT */
    const char *dir;                /* the folder it was embedded from */
    const mc_migration *migrations; /* NULL when n is 0 */
    size_t n;
} mc_migration_set;

/* Where a database stands with respect to a set. */
typedef struct mc_migration_state {
    const char *current;            /* newest applied revision (in set), or "base" */
    size_t applied;                 /* migrations of set applied, the incomplete one included */
    size_t pending;                 /* migrations of set not applied yet */
    long next_step;                 /* 0: current is complete; > 0: its upgrade stopped before
                                       this statement (1-based); < 0: its downgrade did */
} mc_migration_state;

/* Applies the pending migrations of set up to target (a revision, by full
 * name or by number: "0002_add_posts" or "0002"; NULL = the newest), first
 * resuming one whose no-transaction upgrade stopped half-way. Exactly the
 * rules of `modelc migrate up`: version table modelc_migrations in the
 * current schema, the same advisory lock (waited for by polling), the
 * checksums of applied migrations verified, one transaction per migration.
 * c must be outside a transaction. applied (may be NULL) receives the
 * number of migrations completed by this call, also on failure. On
 * failure the error on c names the file, the line and the server's
 * message (SQLSTATE, detail and hint kept): mc_last_error(c). */
mc_status mc_migrate_up(mc_conn *c, const mc_migration_set *set, const char *target, int *applied);

/* Reverts to target: a revision (it stays applied), "base" (everything),
 * "-N" (the newest N), NULL = "-1". As `modelc migrate down`. reverted
 * (may be NULL) receives the number of migrations reverted. */
mc_status mc_migrate_down(mc_conn *c, const mc_migration_set *set, const char *target, int *reverted);

/* Reads the version table (no lock taken, nothing created) and verifies it
 * against set, as `modelc migrate status`. */
mc_status mc_migrate_status(mc_conn *c, const mc_migration_set *set, mc_migration_state *out);

#ifdef __cplusplus
}
#endif

#endif

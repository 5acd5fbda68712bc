/* lint.h - `modelc lint`: advice on a checked model (lint.c) and on the
 * plans a live database makes for the statements the generated code
 * issues (lint_db.c). The codes, the silence comments and the output are
 * documented in docs/lint.md. */
#ifndef MODELC_LINT_H
#define MODELC_LINT_H

#include "model.h"

#define LINT_DEFAULT_MIN_ROWS 1000.0

typedef struct lint_opts {
	const char *db;         /* libpq conninfo ("" = PG* environment), or NULL: no database */
	bool analyze;           /* EXPLAIN ANALYZE instead of EXPLAIN */
	double min_rows;        /* report scans of tables with more estimated rows than this */
} lint_opts;

/* Lints m, whose files d holds (their comments carry the silences).
 * Findings that remain go to out, in source order, each rendered like a
 * compiler warning with its why and hint lines; *remaining is their
 * number. Returns 0, or 2 when the database part failed (the message in
 * err; the static findings are still in out). */
int lint_run(diag_ctx *d, const model *m, const lint_opts *o, buf *out, buf *err, int *remaining);

/* The codes, in the order docs/lint.md lists them. */
typedef struct lint_code {
	const char *code;
	const char *summary;
	bool db;                /* found with --db only */
	bool meta;              /* about a silence; cannot be silenced */
} lint_code;

extern const lint_code lint_codes[];
extern const size_t lint_ncodes;

/* ---- between lint.c and lint_db.c ------------------------------------------ */

/* A read statement of the generated code (see docs/api.md), composed as
 * the emitter and the runtime compose it. */
typedef enum { LS_GET, LS_LIST, LS_LOAD } lint_stmt_kind;

typedef struct lint_stmt {
	lint_stmt_kind kind;
	const m_table *table;   /* read from (LS_LOAD: the relationship's owner) */
	const m_key *key;       /* LS_GET: primary key or unique constraint */
	const m_column *col;    /* LS_LIST: the filtered column */
	const m_rel *rel;       /* LS_LOAD */
	const char *sql;
	int nparams;
} lint_stmt;

/* Every get by key, list filtered on one column (columns one does not
 * look rows up by equality, such as bytea, json or arrays, and the
 * soft-delete columns are left out) and relationship load of m, in model
 * order. */
void lint_statements(arena *a, const model *m, vec *out);

typedef struct lint_finding {
	const char *code;
	loc at;
	const m_table *table;   /* what it is about: per-table silences; may be NULL */
	const char *msg;
	const char *why;
	vec extra;              /* const char *: lines after the why ("statement: ...") */
	vec hints;              /* const char * */
	uint32_t seq;
	bool silenced;
} lint_finding;

typedef struct lint_ctx {
	arena *a;
	diag_ctx *d;
	const model *m;
	const lint_opts *o;
	vec findings;           /* lint_finding * */
} lint_ctx;

lint_finding *lint_add(lint_ctx *lc, const char *code, loc at, const m_table *t, const char *why, const char *fmt,
                       ...) __attribute__((format(printf, 6, 7)));
void lint_hint(lint_ctx *lc, lint_finding *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Names as the DSL writes them (quoted when needed), an index's element
 * list "(a, b desc)" for hints, and whether an index of the model serves
 * an equality lookup on cols (all of them, or enough to pin one row of
 * the table the key references). */
const char *lint_dsl_ident(arena *a, const char *name);
bool lint_has_lookup_index(const m_table *t, const vec *cols, const char **name);

/* The database part: plans every statement of lint_statements. 0, or 2
 * with a message in err. */
int lint_db(lint_ctx *lc, buf *err);

#endif

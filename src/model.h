/* model.h - the checked semantic model that the emitters read.
 *
 * Built by sema.c from the raw trees of all loaded files. Everything here is
 * resolved: types are known, references point at their targets, SQL
 * expressions are normalised text, constraint and index names are final. */
#ifndef MODELC_MODEL_H
#define MODELC_MODEL_H

#include "ast.h"

typedef enum m_type_kind {
	T_SMALLINT, T_INTEGER, T_BIGINT, T_SMALLSERIAL, T_SERIAL, T_BIGSERIAL,
	T_BOOLEAN, T_REAL, T_DOUBLE, T_NUMERIC, T_TEXT, T_VARCHAR, T_CHAR, T_BYTEA,
	T_UUID, T_DATE, T_TIME, T_TIMETZ, T_TIMESTAMP, T_TIMESTAMPTZ, T_INTERVAL,
	T_JSON, T_JSONB, T_INET, T_ENUM, T_OTHER,
} m_type_kind;

typedef struct m_enum m_enum;
typedef struct m_table m_table;
typedef struct m_column m_column;

typedef struct m_type {
	m_type_kind kind;
	int nparams;
	long p[2];          /* length / precision, scale */
	int array_dims;
	m_enum *en;         /* T_ENUM */
	const char *sql;    /* canonical SQL spelling, e.g. "varchar(255)", "text[]" */
} m_type;

struct m_enum {
	const char *name;
	const char *doc;
	loc at;
	vec labels;         /* const char * */
	vec label_at;       /* loc * */
	const char *c_name;     /* e.g. blog_user_status */
	vec c_consts;           /* const char *: BLOG_USER_STATUS_ACTIVE, ... */
	const char *c_count;    /* BLOG_USER_STATUS_COUNT */
};

struct m_column {
	const char *name;
	const char *doc;
	loc at;
	m_table *table;
	const char *mixin;      /* name of the mixin it came from, or NULL */
	m_type type;
	bool not_null;
	bool primary_key;       /* part of the primary key */
	const char *default_sql;
	const char *on_update_sql;
	const char *generated_sql;
	bool is_generated;      /* known before generated_sql is computed */
	bool identity, identity_by_default;
	bool is_version;
	const char *renamed_from;
	const char *using_sql;  /* migrations: USING of a type change */
	loc version_at;
	const char *c_name;
	const char *c_null;     /* the NULL flag member, for a nullable column */
};

typedef struct m_key {              /* primary key or unique constraint */
	const char *name;
	loc at;
	loc name_at;                    /* of an explicit name */
	const char *doc;
	vec cols;                       /* m_column * */
	const char *c_const;            /* in the model's constraint enum */
} m_key;

typedef struct m_fk {
	const char *name;
	loc at;
	loc name_at;
	const char *doc;
	m_table *table;
	vec cols;                       /* m_column * in table */
	m_table *ref;
	vec ref_cols;                   /* m_column * in ref */
	ast_fk_action on_delete, on_update;
	const char *c_const;
} m_fk;

typedef struct m_check {
	const char *name;
	loc at;
	loc name_at;
	const char *doc;
	const char *sql;
	vec cols;                       /* m_column * the expression mentions */
	const char *c_const;
} m_check;

typedef struct m_index_elem {
	m_column *col;                  /* or ... */
	const char *expr_sql;           /* ... an expression, without its parentheses */
	const char *opclass;
	ast_sort sort;
	ast_nulls nulls;
} m_index_elem;

typedef struct m_index {
	const char *name;
	loc at;
	loc name_at;
	const char *doc;
	bool unique;
	vec elems;                      /* m_index_elem * */
	const char *method;             /* NULL = btree */
	vec include;                    /* m_column * */
	const char *where_sql;
	const char *c_const;            /* unique indexes only */
} m_index;

typedef struct m_order {
	m_column *col;
	ast_sort sort;
	ast_nulls nulls;
} m_order;

typedef struct m_rel m_rel;
struct m_rel {
	const char *name;
	const char *doc;
	loc at;
	ast_rel_kind kind;
	m_table *owner;
	m_table *target;
	m_fk *fk;               /* has_*: in target; belongs_to: in owner; m2m: through -> owner */
	m_table *through;
	m_fk *through_fk;       /* m2m: through -> target */
	ast_load load;          /* LOAD_LAZY when not given */
	vec order;              /* m_order * */
	long limit;             /* 0 = none */
	m_rel *inverse;
	const char *c_name;
};

struct m_table {
	const char *name;
	const char *doc;
	loc at;
	vec columns;            /* m_column *, table's own first, then mixins' */
	m_key *pk;
	vec uniques;            /* m_key * */
	vec fks;                /* m_fk * */
	vec checks;             /* m_check * */
	vec indexes;            /* m_index * */
	vec rels;               /* m_rel * */
	const char *renamed_from;
	m_column *soft_delete_flag;
	m_column *soft_delete_at;
	m_column *version_col;
	const char *c_struct;   /* row struct name without prefix, e.g. "user" */
	int order;              /* position in dependency order */
};

typedef struct model {
	const char *name;       /* base name of the main file, e.g. "blog" */
	const char *c_prefix;   /* C prefix of every generated name, e.g. "blog" */
	const char *c_guard;    /* include guard, e.g. BLOG_MODEL_H */
	const char *c_constraint;  /* the constraint enum type, e.g. blog_constraint */
	const char *source;     /* base name of the main file, e.g. "blog.model" */
	const char *doc;
	vec files;              /* const char *: every file read, main first (not std modules) */
	vec extensions;         /* const char * */
	vec enums;              /* m_enum * */
	vec tables;             /* m_table *, in declaration order */
	vec tables_dep;         /* m_table *, referenced tables first */
} model;

/* Loads a file's text; returns 0 and sets *text and *len (arena memory), or -1
 * with errno-like message in *err. Tests and the fuzzer supply their own. */
typedef int (*model_loader)(void *ctx, arena *a, const char *path, const char **text,
                            size_t *len, const char **err);

/* The loader that reads files from disk. */
int model_file_loader(void *ctx, arena *a, const char *path, const char **text, size_t *len, const char **err);

/* Reads path and everything it imports, checks it, and returns the model, or
 * NULL when d has errors. */
model *model_load(diag_ctx *d, const char *path, model_loader load, void *load_ctx);

/* Checks already parsed files, imports before importers (the main file is
 * last); used by model_load. */
model *sema_check(diag_ctx *d, ast_file **files, size_t nfiles, const char *main_path);

/* Names used by several emitters. */
const char *sql_ident(arena *a, const char *name);     /* quoted when needed */
bool sql_is_reserved(const char *word);
const char *c_ident(arena *a, const char *name);       /* safe C identifier */
const char *c_word(arena *a, const char *name);        /* same, keywords allowed: a part of a name */
const char *str_upper(arena *a, const char *s);
const char *fk_action_sql(ast_fk_action a);

#endif

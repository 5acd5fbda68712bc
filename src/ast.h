/* ast.h - the raw tree built by the grammar.
 *
 * The grammar only records what was written, with a location on every node;
 * all meaning (types, references, defaults) is decided later by sema.c. */
#ifndef MODELC_AST_H
#define MODELC_AST_H

#include "diag.h"

typedef struct ast_ident {
	const char *name;
	loc at;
} ast_ident;

/* One token of an SQL expression, kept as written. */
typedef enum ast_tok_kind {
	TOK_WORD,      /* identifier or keyword */
	TOK_QWORD,     /* "quoted identifier" (text without quotes) */
	TOK_NUMBER,
	TOK_STRING,    /* 'literal' (text with quotes, as written) */
	TOK_OP,        /* operator, including :: */
	TOK_PUNCT,     /* ( ) [ ] , . */
} ast_tok_kind;

typedef struct ast_tok {
	ast_tok_kind kind;
	const char *text;
	loc at;
} ast_tok;

typedef struct ast_expr {
	vec toks;      /* ast_tok * */
	loc at;
} ast_expr;

typedef struct ast_type {
	vec words;          /* ast_ident *: "double precision" has two */
	vec params;         /* ast_tok * (numbers) inside (...) */
	bool has_params;
	int array_dims;     /* number of [] suffixes */
	loc at;
} ast_type;

typedef enum ast_fk_action {
	FK_NONE = 0, FK_NO_ACTION, FK_RESTRICT, FK_CASCADE, FK_SET_NULL, FK_SET_DEFAULT,
} ast_fk_action;

typedef enum ast_mod_kind {
	MOD_PRIMARY_KEY, MOD_NOT_NULL, MOD_NULL, MOD_UNIQUE, MOD_DEFAULT, MOD_ON_UPDATE_EXPR,
	MOD_REFERENCES, MOD_ON_DELETE_ACTION, MOD_ON_UPDATE_ACTION, MOD_CHECK,
	MOD_GENERATED_STORED, MOD_IDENTITY, MOD_RENAMED_FROM, MOD_VERSION, MOD_USING,
} ast_mod_kind;

typedef struct ast_modifier {
	ast_mod_kind kind;
	loc at;
	ast_expr *expr;         /* DEFAULT, ON_UPDATE_EXPR, CHECK, GENERATED_STORED */
	ast_ident *ref_table;   /* REFERENCES */
	vec ref_cols;           /* REFERENCES: ast_ident * */
	ast_fk_action action;   /* ON_*_ACTION */
	bool identity_by_default;
	ast_ident *old_name;    /* RENAMED_FROM */
} ast_modifier;

typedef enum ast_member_kind {
	MEM_COLUMN, MEM_USE, MEM_PRIMARY_KEY, MEM_UNIQUE, MEM_INDEX, MEM_FOREIGN_KEY,
	MEM_CHECK, MEM_RENAMED_FROM, MEM_SOFT_DELETE, MEM_RELATIONSHIP,
} ast_member_kind;

typedef enum ast_sort { SORT_DEFAULT = 0, SORT_ASC, SORT_DESC } ast_sort;
typedef enum ast_nulls { NULLS_DEFAULT = 0, NULLS_FIRST, NULLS_LAST } ast_nulls;

typedef struct ast_index_elem {
	ast_ident *column;      /* either a column ... */
	ast_expr *expr;         /* ... or a parenthesised expression */
	ast_ident *opclass;
	ast_sort sort;
	ast_nulls nulls;
	loc at;
} ast_index_elem;

typedef enum ast_rel_kind { REL_HAS_MANY, REL_HAS_ONE, REL_BELONGS_TO, REL_MANY_TO_MANY } ast_rel_kind;
typedef enum ast_load { LOAD_DEFAULT = 0, LOAD_SELECTIN, LOAD_JOINED, LOAD_SUBQUERY, LOAD_LAZY } ast_load;

typedef struct ast_order_item {
	ast_ident *column;
	ast_sort sort;
	ast_nulls nulls;
} ast_order_item;

typedef struct ast_rel_option {
	enum { RELOPT_LOAD, RELOPT_ORDER_BY, RELOPT_LIMIT } kind;
	loc at;
	ast_load load;
	ast_ident *load_word;
	vec order;              /* ast_order_item * */
	ast_tok *limit;
} ast_rel_option;

typedef struct ast_member {
	ast_member_kind kind;
	loc at;
	const char *doc;        /* from /// lines, or NULL */
	ast_ident *name;        /* column/relationship/constraint/index name (may be NULL) */

	/* MEM_COLUMN */
	bool is_override;
	ast_type *type;
	vec mods;               /* ast_modifier * */

	/* MEM_USE: ast_ident *; keys of PK/UNIQUE/FK, INCLUDE of an index, SOFT_DELETE columns */
	vec idents;

	/* MEM_INDEX */
	bool unique;
	vec elems;              /* ast_index_elem * */
	ast_ident *using;
	vec include;            /* ast_ident * */
	ast_expr *where;

	/* MEM_FOREIGN_KEY */
	ast_ident *ref_table;
	vec ref_cols;
	ast_fk_action on_delete, on_update;
	loc on_delete_at;

	/* MEM_CHECK */
	ast_expr *expr;

	/* MEM_RENAMED_FROM */
	ast_ident *old_name;

	/* MEM_RELATIONSHIP */
	ast_rel_kind rel_kind;
	ast_ident *target;
	vec fk_cols;            /* ast_ident *, may be empty */
	bool has_fk_list;
	ast_ident *through;
	vec through_cols;       /* ast_ident *, 0 or 2 */
	vec rel_opts;           /* ast_rel_option * */
} ast_member;

typedef enum ast_decl_kind { DECL_IMPORT, DECL_ENUM, DECL_EXTENSION, DECL_MIXIN, DECL_TABLE } ast_decl_kind;

typedef struct ast_enum_label {
	const char *label;
	bool quoted;
	loc at;
} ast_enum_label;

typedef struct ast_decl {
	ast_decl_kind kind;
	loc at;
	const char *doc;
	ast_ident *name;        /* not for imports */
	ast_tok *path;          /* DECL_IMPORT: the string literal */
	const char *import_path;/* unquoted; for import std, the module's name */
	bool import_std;        /* import std "name": a module shipped with modelc */
	vec labels;             /* DECL_ENUM: ast_enum_label * */
	vec members;            /* DECL_MIXIN / DECL_TABLE: ast_member * */
} ast_decl;

typedef struct ast_file {
	uint32_t file;
	const char *doc;        /* a /// block followed by a blank line at top level */
	vec decls;              /* ast_decl * */
} ast_file;

/* Parses one source file already registered in d. Syntax errors go to d.
 * Returns the tree (possibly partial) allocated in d->a. */
ast_file *parse_file(diag_ctx *d, uint32_t file);

#endif

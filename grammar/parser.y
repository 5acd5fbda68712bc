/* parser.y - pure bison grammar for .model files.
 *
 * Builds the raw tree of ast.h and nothing more: names are not resolved and
 * types not checked here (see sema.c). Every node gets the location of the
 * text it came from. */
%define api.pure full
%define api.prefix {mdl_yy}
%define parse.error detailed
%define parse.lac full
%locations
%define api.location.type {loc}
%expect 0

%code requires {
#include "ast.h"
struct lex_state;
typedef void *yyscan_t;
}

%code provides {
int mdl_yylex(MDL_YYSTYPE *yylval, MDL_YYLTYPE *yylloc, yyscan_t scanner);
/* from the flex scanner (reentrant interface) */
struct yy_buffer_state;
int mdl_yylex_init_extra(struct lex_state *extra, yyscan_t *scanner);
struct yy_buffer_state *mdl_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);
int mdl_yylex_destroy(yyscan_t scanner);
}

%param {yyscan_t scanner}
%parse-param {struct lex_state *ls}

%code {
#include <string.h>
#include "lexstate.h"

#define A (ls->diag->a)

/* Spans from the first to the last symbol of a rule; an empty rule gets a
 * zero-length location at the end of the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                           \
	do {                                                                      \
		if (N) {                                                              \
			(Cur) = loc_span(YYRHSLOC(Rhs, 1), YYRHSLOC(Rhs, N));             \
		} else {                                                              \
			(Cur) = YYRHSLOC(Rhs, 0);                                         \
			(Cur).off += (Cur).len;                                           \
			(Cur).len = 0;                                                    \
		}                                                                     \
	} while (0)

static void mdl_yyerror(const loc *l, yyscan_t scanner, struct lex_state *ls, const char *msg)
{
	(void)scanner;
	/* the scanner already explained an unexpected end of file */
	if (ls->eof_reported && ls->pos >= ls->len)
		return;
	diag_error(ls->diag, *l, "%s", msg);
}

static ast_ident *ident(struct lex_state *ls, ast_tok *t)
{
	ast_ident *id = arena_alloc(A, sizeof *id);
	id->name = t->text;
	id->at = t->at;
	return id;
}

static vec *vnew(struct lex_state *ls) { return arena_alloc(A, sizeof(vec)); }
static vec *vone(struct lex_state *ls, void *p) { vec *v = vnew(ls); vec_push(A, v, p); return v; }
static vec *vcat(struct lex_state *ls, vec *a, vec *b)
{
	for (size_t i = 0; i < b->n; i++)
		vec_push(A, a, b->items[i]);
	return a;
}

static ast_tok *as_word(ast_tok *t)
{
	/* keywords inside expressions are plain words */
	return t;
}

static ast_expr *expr_of(struct lex_state *ls, vec *toks, loc at)
{
	ast_expr *e = arena_alloc(A, sizeof *e);
	e->toks = *toks;
	e->at = at;
	return e;
}

static vec *wrap(struct lex_state *ls, ast_tok *open, vec *inner, ast_tok *close)
{
	vec *v = vone(ls, open);
	vcat(ls, v, inner);
	vec_push(A, v, close);
	return v;
}

static ast_member *member(struct lex_state *ls, ast_member_kind kind, loc at)
{
	ast_member *m = arena_alloc(A, sizeof *m);
	m->kind = kind;
	m->at = at;
	return m;
}

static ast_modifier *mod(struct lex_state *ls, ast_mod_kind kind, loc at)
{
	ast_modifier *m = arena_alloc(A, sizeof *m);
	m->kind = kind;
	m->at = at;
	return m;
}

static ast_decl *decl(struct lex_state *ls, ast_decl_kind kind, loc at)
{
	ast_decl *d = arena_alloc(A, sizeof *d);
	d->kind = kind;
	d->at = at;
	return d;
}

static ast_rel_option *relopt(struct lex_state *ls, int kind, loc at)
{
	ast_rel_option *o = arena_alloc(A, sizeof *o);
	o->kind = kind;
	o->at = at;
	return o;
}

/* import std "name": a standard module compiled into modelc (load.c finds
 * it). "std" is a plain word, not a keyword, so it stays usable as a name;
 * like keywords it is matched without regard to case. */
static ast_decl *std_import(struct lex_state *ls, ast_tok *word, ast_tok *name, const char *text, loc at)
{
	if (!str_ieq(word->text, "std")) {
		diag_error(ls->diag, word->at, "expected a path or 'std' after 'import'");
		diag_hint(ls->diag, "write import \"file.model\" or import std \"timestamps\"");
	}
	ast_decl *d = decl(ls, DECL_IMPORT, at);
	d->path = name;
	d->import_path = text;
	d->import_std = true;
	return d;
}

static const char *unquote(struct lex_state *ls, const char *s)
{
	size_t n = strlen(s);
	char *r = arena_alloc(A, n + 1);
	size_t j = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		r[j++] = s[i];
		if (s[i] == '\'')
			i++;
	}
	r[j] = '\0';
	return r;
}
}

%union {
	ast_tok *tok;
	ast_ident *ident;
	ast_expr *expr;
	ast_type *type;
	ast_modifier *mod;
	ast_member *mem;
	ast_decl *decl;
	ast_index_elem *elem;
	ast_rel_option *relopt;
	ast_order_item *order;
	vec *list;
	int ival;
	const char *str;
}

%token <tok> IDENT "identifier" QIDENT "quoted identifier" NUMBER "number" STRING "string literal"
%token <tok> OP "operator" NL "newline" DOC "doc comment" DETDOC "detached doc comment"
%token <tok> ';' '{' '}' '(' ')' '[' ']' ',' '.'
%token <tok> ACTION "'action'" ALWAYS "'always'" AS "'as'" ASC "'asc'" BELONGS_TO "'belongs_to'" BY "'by'"
%token <tok> CASCADE "'cascade'" CHECK "'check'" DEFAULT "'default'" DELETE "'delete'" DESC "'desc'"
%token <tok> ENUM "'enum'" EXTENSION "'extension'" FIRST "'first'" FOREIGN "'foreign'" FROM "'from'"
%token <tok> GENERATED "'generated'" HAS_MANY "'has_many'" HAS_ONE "'has_one'" IDENTITY "'identity'"
%token <tok> IMPORT "'import'" INCLUDE "'include'" INDEX "'index'" KEY "'key'" LAST "'last'"
%token <tok> LIMIT "'limit'" LOAD "'load'" MANY_TO_MANY "'many_to_many'" MIXIN "'mixin'" NO "'no'"
%token <tok> NOT "'not'" NULL_P "'null'" NULLS "'nulls'" ON "'on'" ORDER "'order'" OVERRIDE "'override'"
%token <tok> PRIMARY "'primary'" REFERENCES "'references'" RENAMED "'renamed'" RESTRICT "'restrict'"
%token <tok> SET "'set'" SOFT "'soft'" STORED "'stored'" TABLE "'table'" THROUGH "'through'"
%token <tok> UNIQUE "'unique'" UPDATE "'update'" USE "'use'" USING "'using'" VERSION "'version'"
%token <tok> WHERE "'where'"

%type <tok> doc_opt tdoc_opt doc unreserved_kw reserved_kw any_tok dexpr_word
%type <ident> any_name name_opt enum_word
%type <list> name_list name_list_opt paren_names_opt top_list enum_items body_list body
%type <list> col_mods index_elems index_elems_opt include_opt rel_opts order_list
%type <list> expr_inner inner_tok dexpr dexpr_tok wexpr wtok fk_actions
%type <decl> decl
%type <mem> member member_core column relationship index_rest
%type <mod> col_mod
%type <type> type type_words
%type <elem> index_elem
%type <relopt> rel_opt
%type <order> order_item
%type <ival> sort_opt nulls_opt fk_action rel_kind
%type <ident> using_opt
%type <expr> where_opt

%start file

%%

file:
	top_list                    { (void)$1; }
	;

top_list:
	%empty                      { $$ = &ls->result->decls; }
	| top_list NL               { $$ = $1; }
	| top_list ';'              { $$ = $1; }
	| top_list DETDOC           {
		$$ = $1;
		ls->result->doc = ls->result->doc
			? arena_printf(A, "%s\n\n%s", ls->result->doc, $2->text) : $2->text;
	}
	| top_list tdoc_opt decl    { $3->doc = $2 ? $2->text : NULL; vec_push(A, $1, $3); $$ = $1; }
	| top_list error NL         { $$ = $1; yyerrok; }
	;

doc_opt:
	%empty                      { $$ = NULL; }
	| doc nls                   { $$ = $1; }
	;

doc: DOC | DETDOC ;

/* At top level a detached block documents the file, not the next decl. */
tdoc_opt:
	%empty                      { $$ = NULL; }
	| DOC nls                   { $$ = $1; }
	;

nls:
	%empty
	| nls NL
	;

decl:
	IMPORT STRING               {
		$$ = decl(ls, DECL_IMPORT, @$);
		$$->path = $2;
		$$->import_path = unquote(ls, $2->text);
	}
	| IMPORT QIDENT             {
		/* import "file.model": the spec's spelling; the scanner reads it
		 * as a quoted identifier, already unquoted */
		$$ = decl(ls, DECL_IMPORT, @$);
		$$->path = $2;
		$$->import_path = $2->text;
	}
	| IMPORT IDENT STRING       { $$ = std_import(ls, $2, $3, unquote(ls, $3->text), @$); }
	| IMPORT IDENT QIDENT       { $$ = std_import(ls, $2, $3, $3->text, @$); }
	| EXTENSION any_name        { $$ = decl(ls, DECL_EXTENSION, @$); $$->name = $2; }
	| EXTENSION STRING          {
		$$ = decl(ls, DECL_EXTENSION, @$);
		$$->name = ident(ls, $2);
		$$->name->name = unquote(ls, $2->text);
	}
	| ENUM any_name '{' enum_items '}' {
		$$ = decl(ls, DECL_ENUM, @$);
		$$->name = $2;
		$$->labels = *$4;
	}
	| MIXIN any_name '{' body '}' {
		$$ = decl(ls, DECL_MIXIN, @$);
		$$->name = $2;
		$$->members = *$4;
	}
	| TABLE any_name '{' body '}' {
		$$ = decl(ls, DECL_TABLE, @$);
		$$->name = $2;
		$$->members = *$4;
	}
	;

/* Labels are separated by commas or newlines. A NULL entry in the list marks
 * a separator, so two labels on one line without a comma can be reported. */
enum_items:
	%empty                      { $$ = vnew(ls); vec_push(A, $$, NULL); }
	| enum_items NL             { $$ = $1; vec_push(A, $$, NULL); }
	| enum_items ','            { $$ = $1; vec_push(A, $$, NULL); }
	| enum_items doc            {
		$$ = $1;
		diag_warning(ls->diag, @2, "doc comments on enum labels are not kept: document the enum instead");
	}
	| enum_items enum_word      {
		$$ = $1;
		if ($$->items[$$->n - 1] != NULL)
			diag_error(ls->diag, @2, "expected ',' between enum labels");
		ast_enum_label *l = arena_alloc(A, sizeof *l);
		l->label = $2->name;
		l->at = $2->at;
		vec_push(A, $$, l);
	}
	| enum_items STRING         {
		$$ = $1;
		if ($$->items[$$->n - 1] != NULL)
			diag_error(ls->diag, @2, "expected ',' between enum labels");
		ast_enum_label *l = arena_alloc(A, sizeof *l);
		l->label = unquote(ls, $2->text);
		l->quoted = true;
		l->at = $2->at;
		vec_push(A, $$, l);
	}
	;

body:
	body_list                   { $$ = $1; }
	| body_list member          { $$ = $1; vec_push(A, $$, $2); }
	| body_list error           { $$ = $1; }   /* the broken member was the last: keep the } */
	| body_list doc nls         {
		$$ = $1;
		diag_warning(ls->diag, @2, "doc comment documents nothing: no member follows it");
	}
	;

body_list:
	%empty                      { $$ = vnew(ls); }
	| body_list sep             { $$ = $1; }
	| body_list member sep      { $$ = $1; vec_push(A, $$, $2); }
	| body_list error sep       { $$ = $1; yyerrok; }
	;

sep: NL | ';' ;

member:
	doc_opt member_core         { $$ = $2; $$->doc = $1 ? $1->text : NULL; }
	;

member_core:
	column                      { $$ = $1; }
	| OVERRIDE column           { $$ = $2; $$->is_override = true; $$->at = @$; }
	| relationship              { $$ = $1; }
	| USE name_list             { $$ = member(ls, MEM_USE, @$); $$->idents = *$2; }
	| PRIMARY KEY '(' name_list_opt ')' {
		$$ = member(ls, MEM_PRIMARY_KEY, @$);
		$$->idents = *$4;
	}
	| UNIQUE name_opt '(' name_list_opt ')' {
		$$ = member(ls, MEM_UNIQUE, @$);
		$$->name = $2;
		$$->idents = *$4;
	}
	| INDEX index_rest          { $$ = $2; $$->at = @$; }
	| UNIQUE INDEX index_rest   { $$ = $3; $$->unique = true; $$->at = @$; }
	| FOREIGN KEY name_opt '(' name_list_opt ')' REFERENCES any_name paren_names_opt fk_actions {
		$$ = member(ls, MEM_FOREIGN_KEY, @$);
		$$->name = $3;
		$$->idents = *$5;
		$$->ref_table = $8;
		$$->ref_cols = *$9;
		for (size_t i = 0; i < $10->n; i++) {
			ast_modifier *a = $10->items[i];
			if (a->kind == MOD_ON_DELETE_ACTION) {
				$$->on_delete = a->action;
				$$->on_delete_at = a->at;
			} else {
				$$->on_update = a->action;
			}
		}
	}
	| CHECK name_opt '(' expr_inner ')' {
		$$ = member(ls, MEM_CHECK, @$);
		$$->name = $2;
		$$->expr = expr_of(ls, $4, loc_span(@3, @5));
	}
	| RENAMED FROM any_name     { $$ = member(ls, MEM_RENAMED_FROM, @$); $$->old_name = $3; }
	| SOFT DELETE '(' name_list_opt ')' {
		$$ = member(ls, MEM_SOFT_DELETE, @$);
		$$->idents = *$4;
	}
	;

column:
	any_name type col_mods      {
		$$ = member(ls, MEM_COLUMN, @$);
		$$->name = $1;
		$$->type = $2;
		$$->mods = *$3;
	}
	;

type:
	type_words                  { $$ = $1; }
	| type_words '(' expr_inner ')' {
		$$ = $1;
		$$->has_params = true;
		$$->params = *$3;
		$$->at = loc_span($$->at, @4);
	}
	| type_words '(' expr_inner ')' type_words {
		/* SQL's timestamp(3) with time zone: the words after the precision
		 * belong to the name */
		$$ = $1;
		$$->has_params = true;
		$$->params = *$3;
		vcat(ls, &$$->words, &$5->words);
		$$->at = loc_span($$->at, @5);
	}
	| type '[' ']'              { $$ = $1; $$->array_dims++; $$->at = loc_span($$->at, @3); }
	;

type_words:
	IDENT                       { $$ = arena_alloc(A, sizeof *$$); vec_push(A, &$$->words, ident(ls, $1)); $$->at = @1; }
	| QIDENT                    { $$ = arena_alloc(A, sizeof *$$); vec_push(A, &$$->words, ident(ls, $1)); $$->at = @1; }
	| type_words IDENT          { $$ = $1; vec_push(A, &$$->words, ident(ls, $2)); $$->at = loc_span($$->at, @2); }
	;

col_mods:
	%empty                      { $$ = vnew(ls); }
	| col_mods col_mod          { $$ = $1; vec_push(A, $$, $2); }
	;

col_mod:
	PRIMARY KEY                 { $$ = mod(ls, MOD_PRIMARY_KEY, @$); }
	| NOT NULL_P                { $$ = mod(ls, MOD_NOT_NULL, @$); }
	| NULL_P                    { $$ = mod(ls, MOD_NULL, @$); }
	| UNIQUE                    { $$ = mod(ls, MOD_UNIQUE, @$); }
	| DEFAULT dexpr             { $$ = mod(ls, MOD_DEFAULT, @$); $$->expr = expr_of(ls, $2, @2); }
	| ON UPDATE dexpr           { $$ = mod(ls, MOD_ON_UPDATE_EXPR, @$); $$->expr = expr_of(ls, $3, @3); }
	| ON UPDATE fk_action       { $$ = mod(ls, MOD_ON_UPDATE_ACTION, @$); $$->action = $3; }
	| ON DELETE fk_action       { $$ = mod(ls, MOD_ON_DELETE_ACTION, @$); $$->action = $3; }
	| REFERENCES any_name paren_names_opt {
		$$ = mod(ls, MOD_REFERENCES, @$);
		$$->ref_table = $2;
		$$->ref_cols = *$3;
	}
	| CHECK '(' expr_inner ')'  { $$ = mod(ls, MOD_CHECK, @$); $$->expr = expr_of(ls, $3, loc_span(@2, @4)); }
	| GENERATED ALWAYS AS '(' expr_inner ')' STORED {
		$$ = mod(ls, MOD_GENERATED_STORED, @$);
		$$->expr = expr_of(ls, $5, loc_span(@4, @6));
	}
	| GENERATED ALWAYS AS IDENTITY       { $$ = mod(ls, MOD_IDENTITY, @$); }
	| GENERATED BY DEFAULT AS IDENTITY  { $$ = mod(ls, MOD_IDENTITY, @$); $$->identity_by_default = true; }
	| RENAMED FROM any_name     { $$ = mod(ls, MOD_RENAMED_FROM, @$); $$->old_name = $3; }
	| VERSION                   { $$ = mod(ls, MOD_VERSION, @$); }
	| USING '(' expr_inner ')'  { $$ = mod(ls, MOD_USING, @$); $$->expr = expr_of(ls, $3, loc_span(@2, @4)); }
	;

fk_actions:
	%empty                      { $$ = vnew(ls); }
	| fk_actions ON DELETE fk_action {
		$$ = $1;
		ast_modifier *m = mod(ls, MOD_ON_DELETE_ACTION, loc_span(@2, @4));
		m->action = $4;
		vec_push(A, $$, m);
	}
	| fk_actions ON UPDATE fk_action {
		$$ = $1;
		ast_modifier *m = mod(ls, MOD_ON_UPDATE_ACTION, loc_span(@2, @4));
		m->action = $4;
		vec_push(A, $$, m);
	}
	;

fk_action:
	CASCADE                     { $$ = FK_CASCADE; }
	| RESTRICT                  { $$ = FK_RESTRICT; }
	| SET NULL_P                { $$ = FK_SET_NULL; }
	| SET DEFAULT               { $$ = FK_SET_DEFAULT; }
	| NO ACTION                 { $$ = FK_NO_ACTION; }
	;

index_rest:
	name_opt '(' index_elems_opt ')' using_opt include_opt where_opt {
		$$ = member(ls, MEM_INDEX, @$);
		$$->name = $1;
		$$->elems = *$3;
		$$->using = $5;
		$$->include = *$6;
		$$->where = $7;
	}
	;

index_elems_opt:
	%empty                      { $$ = vnew(ls); }
	| index_elems               { $$ = $1; }
	;

index_elems:
	index_elem                  { $$ = vone(ls, $1); }
	| index_elems ',' index_elem { $$ = $1; vec_push(A, $$, $3); }
	;

index_elem:
	any_name opclass_opt sort_opt nulls_opt {
		$$ = arena_alloc(A, sizeof *$$);
		$$->column = $1;
		$$->opclass = $<ident>2;
		$$->sort = $3;
		$$->nulls = $4;
		$$->at = @$;
	}
	| any_name '(' expr_inner ')' opclass_opt sort_opt nulls_opt {
		/* a function call needs no extra parentheses, as in SQL */
		ast_tok *fn = arena_alloc(A, sizeof *fn);
		fn->kind = TOK_WORD;
		fn->text = $1->name;
		fn->at = $1->at;
		vec *toks = vone(ls, fn);
		vcat(ls, toks, wrap(ls, $2, $3, $4));
		$$ = arena_alloc(A, sizeof *$$);
		$$->expr = expr_of(ls, toks, loc_span(@1, @4));
		$$->opclass = $<ident>5;
		$$->sort = $6;
		$$->nulls = $7;
		$$->at = @$;
	}
	| '(' expr_inner ')' opclass_opt sort_opt nulls_opt {
		$$ = arena_alloc(A, sizeof *$$);
		$$->expr = expr_of(ls, $2, @$);
		$$->expr->at = loc_span(@1, @3);
		$$->opclass = $<ident>4;
		$$->sort = $5;
		$$->nulls = $6;
		$$->at = @$;
	}
	;

opclass_opt:
	%empty                      { $<ident>$ = NULL; }
	| IDENT                     { $<ident>$ = ident(ls, $1); }
	;

sort_opt:
	%empty                      { $$ = SORT_DEFAULT; }
	| ASC                       { $$ = SORT_ASC; }
	| DESC                      { $$ = SORT_DESC; }
	;

nulls_opt:
	%empty                      { $$ = NULLS_DEFAULT; }
	| NULLS FIRST               { $$ = NULLS_FIRST; }
	| NULLS LAST                { $$ = NULLS_LAST; }
	;

using_opt:
	%empty                      { $$ = NULL; }
	| USING any_name            { $$ = $2; }
	;

include_opt:
	%empty                      { $$ = vnew(ls); }
	| INCLUDE '(' name_list ')' { $$ = $3; }
	;

where_opt:
	%empty                      { $$ = NULL; }
	| WHERE wexpr               { $$ = expr_of(ls, $2, @2); }
	;

relationship:
	any_name rel_kind any_name paren_names_opt rel_opts {
		$$ = member(ls, MEM_RELATIONSHIP, @$);
		$$->name = $1;
		$$->rel_kind = $2;
		$$->target = $3;
		$$->fk_cols = *$4;
		$$->has_fk_list = $4->n > 0;
		$$->rel_opts = *$5;
	}
	| any_name MANY_TO_MANY any_name THROUGH any_name paren_names_opt rel_opts {
		$$ = member(ls, MEM_RELATIONSHIP, @$);
		$$->name = $1;
		$$->rel_kind = REL_MANY_TO_MANY;
		$$->target = $3;
		$$->through = $5;
		$$->through_cols = *$6;
		$$->rel_opts = *$7;
	}
	;

rel_kind:
	HAS_MANY                    { $$ = REL_HAS_MANY; }
	| HAS_ONE                   { $$ = REL_HAS_ONE; }
	| BELONGS_TO                { $$ = REL_BELONGS_TO; }
	;

rel_opts:
	%empty                      { $$ = vnew(ls); }
	| rel_opts rel_opt          { $$ = $1; vec_push(A, $$, $2); }
	;

rel_opt:
	LOAD any_name               { $$ = relopt(ls, RELOPT_LOAD, @$); $$->load_word = $2; }
	| ORDER BY order_list       { $$ = relopt(ls, RELOPT_ORDER_BY, @$); $$->order = *$3; }
	| LIMIT NUMBER              { $$ = relopt(ls, RELOPT_LIMIT, @$); $$->limit = $2; }
	;

order_list:
	order_item                  { $$ = vone(ls, $1); }
	| order_list ',' order_item { $$ = $1; vec_push(A, $$, $3); }
	;

order_item:
	any_name sort_opt nulls_opt {
		$$ = arena_alloc(A, sizeof *$$);
		$$->column = $1;
		$$->sort = $2;
		$$->nulls = $3;
	}
	;

paren_names_opt:
	%empty                      { $$ = vnew(ls); }
	| '(' name_list_opt ')'     { $$ = $2; }
	;

name_list_opt:
	%empty                      { $$ = vnew(ls); }
	| name_list                 { $$ = $1; }
	;

name_list:
	any_name                    { $$ = vone(ls, $1); }
	| name_list ',' any_name    { $$ = $1; vec_push(A, $$, $3); }
	;

name_opt:
	%empty                      { $$ = NULL; }
	| any_name                  { $$ = $1; }
	;

any_name:
	IDENT                       { $$ = ident(ls, $1); }
	| QIDENT                    { $$ = ident(ls, $1); }
	| unreserved_kw             { $$ = ident(ls, $1); }
	;

/* In an enum body every word is a label, keywords included. */
enum_word:
	any_name                    { $$ = $1; }
	| reserved_kw               { $$ = ident(ls, $1); }
	;

reserved_kw:
	BELONGS_TO | CHECK | DEFAULT | FOREIGN | GENERATED | HAS_MANY | HAS_ONE | INDEX
	| MANY_TO_MANY | NOT | NULL_P | ON | OVERRIDE | PRIMARY | REFERENCES | RENAMED | SOFT
	| UNIQUE | USE
	;

/* Keywords that never start a table member can name things. */
unreserved_kw:
	ACTION | ALWAYS | AS | ASC | BY | CASCADE | DELETE | DESC | ENUM | EXTENSION
	| FIRST | FROM | IDENTITY | IMPORT | INCLUDE | KEY | LAST | LIMIT | LOAD | MIXIN | NO
	| NULLS | ORDER | RESTRICT | SET | STORED | TABLE | THROUGH | UPDATE | USING
	| VERSION | WHERE
	;

/* A default or "on update" expression runs to the next modifier, so at depth
 * 0 it may not contain words that start one. */
dexpr:
	dexpr_tok                   { $$ = $1; }
	| NULL_P                    { $$ = vone(ls, $1); }
	| dexpr dexpr_tok           { $$ = vcat(ls, $1, $2); }
	;

dexpr_tok:
	dexpr_word                  { $$ = vone(ls, as_word($1)); }
	| '(' expr_inner ')'        { $$ = wrap(ls, $1, $2, $3); }
	| '[' expr_inner ']'        { $$ = wrap(ls, $1, $2, $3); }
	;

dexpr_word:
	IDENT | QIDENT | NUMBER | STRING | OP | '.' | AS | ASC | DESC | FIRST | LAST | NULLS
	| FROM | BY | KEY
	;

/* An index predicate runs to the end of the member. */
wexpr:
	wtok                        { $$ = $1; }
	| wexpr wtok                { $$ = vcat(ls, $1, $2); }
	;

wtok:
	any_tok                     { $$ = vone(ls, as_word($1)); }
	| '(' expr_inner ')'        { $$ = wrap(ls, $1, $2, $3); }
	| '[' expr_inner ']'        { $$ = wrap(ls, $1, $2, $3); }
	;

expr_inner:
	%empty                      { $$ = vnew(ls); }
	| expr_inner inner_tok      { $$ = vcat(ls, $1, $2); }
	;

inner_tok:
	any_tok                     { $$ = vone(ls, as_word($1)); }
	| ','                       { $$ = vone(ls, $1); }
	| '(' expr_inner ')'        { $$ = wrap(ls, $1, $2, $3); }
	| '[' expr_inner ']'        { $$ = wrap(ls, $1, $2, $3); }
	;

any_tok:
	IDENT | QIDENT | NUMBER | STRING | OP | '.'
	| ACTION | ALWAYS | AS | ASC | BELONGS_TO | BY | CASCADE | CHECK | DEFAULT | DELETE | DESC
	| ENUM | EXTENSION | FIRST | FOREIGN | FROM | GENERATED | HAS_MANY | HAS_ONE | IDENTITY
	| IMPORT | INCLUDE | INDEX | KEY | LAST | LIMIT | LOAD | MANY_TO_MANY | MIXIN | NO | NOT
	| NULL_P | NULLS | ON | ORDER | OVERRIDE | PRIMARY | REFERENCES | RENAMED | RESTRICT | SET
	| SOFT | STORED | TABLE | THROUGH | UNIQUE | UPDATE | USE | USING | VERSION | WHERE
	;

%%

ast_file *parse_file(diag_ctx *d, uint32_t file)
{
	const srcfile *f = diag_file(d, file);
	struct lex_state ls;
	memset(&ls, 0, sizeof ls);
	ls.diag = d;
	ls.file = file;
	ls.text = f->text;
	ls.len = f->len;
	ls.result = arena_alloc(d->a, sizeof *ls.result);
	ls.result->file = file;

	yyscan_t scanner;
	if (mdl_yylex_init_extra(&ls, &scanner) != 0) {
		diag_error(d, LOC_NONE, "cannot initialise the scanner");
		return ls.result;
	}
	mdl_yy_scan_bytes(f->text, (int)f->len, scanner);
	mdl_yyparse(scanner, &ls);
	mdl_yylex_destroy(scanner);
	return ls.result;
}

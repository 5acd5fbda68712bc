/* sema.c - the semantic pass: from raw trees to the checked model.
 *
 * Phases: declare names (enums, tables, mixins) -> columns (mixins expanded,
 * types resolved) -> keys, checks and indexes -> foreign keys (they need
 * every table's keys) -> relationships (they need the foreign keys) ->
 * generated names -> dependency order. Every error is reported; a phase that
 * depends on something broken skips it quietly instead of cascading. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define PG_NAME_MAX 63

typedef struct sema {
	diag_ctx *d;
	arena *a;
	model *m;
	vec table_decls;    /* ast_decl *, parallel to m->tables */
	vec mixin_decls;    /* ast_decl * */
	vec enum_decls;     /* ast_decl *, parallel to m->enums */
	vec failed_fks;     /* failed_fk *: reported already, so relationships stay quiet */
	strmap tables_by_name;  /* m->tables[0..tables_indexed) by name */
	size_t tables_indexed;
} sema;

typedef struct failed_fk {
	const m_table *from;
	const char *to;
} failed_fk;

/* ---- small helpers ---------------------------------------------------- */

static size_t levenshtein(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 64 || nb > 64)
		return 99;
	size_t prev[65], cur[65];
	for (size_t j = 0; j <= nb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= na; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (nb + 1) * sizeof prev[0]);
	}
	return prev[nb];
}

/* Closest candidate within a small edit distance, for "did you mean". */
static const char *suggest(const char *name, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;
	size_t len = strlen(name);
	if (len <= 3)
		best_d = 2;
	for (size_t i = 0; i < n; i++) {
		size_t dist = levenshtein(name, cands[i]);
		if (dist < best_d) {
			best_d = dist;
			best = cands[i];
		}
	}
	return best;
}

static void check_name_len(sema *s, const ast_ident *id, const char *what)
{
	size_t n = strlen(id->name);
	if (n > PG_NAME_MAX) {
		diag_error(s->d, id->at, "%s name '%s' is %zu bytes long; PostgreSQL allows at most %d",
		           what, id->name, n, PG_NAME_MAX);
	}
}

/* Tables are only ever appended: index those added since the last call
 * (the first of a name wins, as a linear search would find it). */
static m_table *find_table(sema *s, const char *name)
{
	for (; s->tables_indexed < s->m->tables.n; s->tables_indexed++) {
		m_table *t = s->m->tables.items[s->tables_indexed];
		bool found;
		void **slot = strmap_slot(s->a, &s->tables_by_name, t->name, &found);
		if (!found)
			*slot = t;
	}
	return strmap_get(&s->tables_by_name, name);
}

static m_enum *find_enum(sema *s, const char *name)
{
	for (size_t i = 0; i < s->m->enums.n; i++) {
		m_enum *e = s->m->enums.items[i];
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static ast_decl *find_mixin(sema *s, const char *name)
{
	for (size_t i = 0; i < s->mixin_decls.n; i++) {
		ast_decl *d = s->mixin_decls.items[i];
		if (strcmp(d->name->name, name) == 0)
			return d;
	}
	return NULL;
}

static m_column *find_column(const m_table *t, const char *name)
{
	for (size_t i = 0; i < t->columns.n; i++) {
		m_column *c = t->columns.items[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static void hint_similar_table(sema *s, const char *name)
{
	const char **names = arena_alloc(s->a, (s->m->tables.n + 1) * sizeof *names);
	for (size_t i = 0; i < s->m->tables.n; i++)
		names[i] = ((m_table *)s->m->tables.items[i])->name;
	const char *sug = suggest(name, names, s->m->tables.n);
	if (sug)
		diag_hint(s->d, "did you mean '%s'?", sug);
}

static void unknown_column(sema *s, const m_table *t, const ast_ident *id)
{
	diag_error(s->d, id->at, "unknown column '%s' in table '%s'", id->name, t->name);
	const char **names = arena_alloc(s->a, (t->columns.n + 1) * sizeof *names);
	for (size_t i = 0; i < t->columns.n; i++)
		names[i] = ((m_column *)t->columns.items[i])->name;
	const char *sug = suggest(id->name, names, t->columns.n);
	if (sug)
		diag_hint(s->d, "did you mean '%s'?", sug);
}

/* Resolves a list of column names; returns false (after reporting) when one
 * is unknown or repeated. */
static bool resolve_cols(sema *s, m_table *t, const vec *idents, vec *out, const char *what)
{
	bool ok = true;
	for (size_t i = 0; i < idents->n; i++) {
		ast_ident *id = idents->items[i];
		m_column *c = find_column(t, id->name);
		if (!c) {
			unknown_column(s, t, id);
			ok = false;
			continue;
		}
		for (size_t j = 0; j < out->n; j++)
			if (out->items[j] == c) {
				diag_error(s->d, id->at, "column '%s' appears twice in %s", id->name, what);
				ok = false;
				c = NULL;
				break;
			}
		if (c)
			vec_push(s->a, out, c);
	}
	return ok;
}

/* ---- SQL expressions --------------------------------------------------- */

/* Words that may appear bare in an SQL expression without naming a column. */
static const char *const sql_expr_words[] = {
	"all", "and", "any", "array", "as", "asc", "asymmetric", "at", "between", "both", "case",
	"cast", "collate", "current_catalog", "current_date", "current_role", "current_schema",
	"current_time", "current_timestamp", "current_user", "default", "desc", "distinct", "else",
	"end", "escape", "exists", "false", "first", "for", "from", "ilike", "in", "interval", "is",
	"isnull", "last", "leading", "like", "localtime", "localtimestamp", "not", "notnull",
	"null", "nulls", "or", "overlaps", "row", "session_user", "similar", "some", "symmetric",
	"then", "time", "to", "trailing", "true", "unknown", "user", "when", "with", "without",
	"zone",
};

static bool is_expr_word(const char *w)
{
	for (size_t i = 0; i < sizeof sql_expr_words / sizeof sql_expr_words[0]; i++)
		if (str_ieq(w, sql_expr_words[i]))
			return true;
	return false;
}

static bool tok_is(const ast_tok *t, const char *text)
{
	return t && (t->kind == TOK_PUNCT || t->kind == TOK_OP) && strcmp(t->text, text) == 0;
}

static bool tok_wordish(const ast_tok *t)
{
	return t && (t->kind == TOK_WORD || t->kind == TOK_QWORD);
}

typedef enum expr_ctx { EXPR_COLUMNS, EXPR_DEFAULT, EXPR_GENERATED } expr_ctx;

/* Words that continue a type name: double precision, character varying,
 * timestamp with time zone. */
static bool is_type_continuation(const ast_tok *t)
{
	static const char *const w[] = { "precision", "varying", "with", "without", "time", "zone" };
	if (!t || t->kind != TOK_WORD)
		return false;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (str_ieq(t->text, w[i]))
			return true;
	return false;
}

static bool word_is(const ast_tok *t, const char *w)
{
	return t && t->kind == TOK_WORD && str_ieq(t->text, w);
}

/* Operators spelled as words keep a space before a parenthesis: x in (1, 2). */
static bool paren_after_space(const ast_tok *t)
{
	static const char *const w[] = { "and", "or", "not", "in", "is", "as", "between", "like", "ilike",
	                                 "similar", "then", "else", "when", "case", "from", "for", "escape",
	                                 "at", "with", "without", "any", "all", "some" };
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (word_is(t, w[i]))
			return true;
	return false;
}

/* Checks the names in an expression and renders it with canonical spacing.
 * Column references are re-spelled as quoted SQL identifiers where needed
 * and, when refs is given, collected there (m_column *, each once). A word
 * is not a column when it names a function (before '('), a type (after ::
 * or CAST's AS), a collation (after COLLATE), an EXTRACT field, a qualifier
 * (around '.'), a typed literal's type (before a string), or is SQL. */
static const char *expr_sql(sema *s, m_table *t, const ast_expr *e, expr_ctx ctx, const char *what,
                            bool *ok_out, vec *refs)
{
	buf b;
	buf_init(&b);
	bool ok = true;
	size_t n = e->toks.n;
	bool in_type = false;
	for (size_t i = 0; i < n; i++) {
		const ast_tok *tk = e->toks.items[i];
		const ast_tok *prev = i ? e->toks.items[i - 1] : NULL;
		const ast_tok *prev2 = i > 1 ? e->toks.items[i - 2] : NULL;
		const ast_tok *next = i + 1 < n ? e->toks.items[i + 1] : NULL;

		bool space = prev != NULL;
		if (tok_is(prev, "(") || tok_is(prev, "[") || tok_is(tk, ")") || tok_is(tk, "]") ||
		    tok_is(tk, ",") || tok_is(tk, ".") || tok_is(prev, ".") || tok_is(tk, "::") ||
		    tok_is(prev, "::"))
			space = false;
		if (tok_is(tk, "(") && prev && prev->kind == TOK_WORD && !paren_after_space(prev))
			space = false;   /* a call: f(x), cast(x as t), exists(...) */
		if (tok_is(tk, "(") && prev && prev->kind == TOK_QWORD)
			space = false;
		if (tok_is(tk, "[") && prev && (tok_wordish(prev) || tok_is(prev, ")") || tok_is(prev, "]")))
			space = false;
		/* a sign: no space between it and its operand */
		if (prev && prev->kind == TOK_OP && (strcmp(prev->text, "-") == 0 || strcmp(prev->text, "+") == 0) &&
		    (!prev2 || tok_is(prev2, "(") || tok_is(prev2, "[") || tok_is(prev2, ",") ||
		     (prev2->kind == TOK_OP && strcmp(prev2->text, "::") != 0) ||
		     (prev2->kind == TOK_WORD && is_expr_word(prev2->text) && !word_is(prev2, "null") &&
		      !word_is(prev2, "true") && !word_is(prev2, "false"))))
			space = false;
		if (space)
			buf_putc(&b, ' ');

		if (!tok_wordish(tk)) {
			in_type = tok_is(tk, "::");
			buf_puts(&b, tk->text);
			continue;
		}
		/* a word: decide whether it names a column */
		bool not_col = in_type || tok_is(next, "(") || tok_is(next, ".") || tok_is(prev, ".") ||
		               (next && next->kind == TOK_STRING) || word_is(prev, "collate") ||
		               (tok_is(prev, "(") && word_is(prev2, "extract"));
		if (word_is(prev, "as"))
			not_col = true;     /* CAST(x AS type) */
		/* in a default no column can be meant, so SQL words win there */
		if (ctx == EXPR_DEFAULT && tk->kind == TOK_WORD && is_expr_word(tk->text))
			not_col = true;
		m_column *col = (!not_col && t) ? find_column(t, tk->text) : NULL;
		if (col) {
			if (ctx == EXPR_DEFAULT) {
				diag_error(s->d, tk->at, "%s cannot refer to column '%s'", what, tk->text);
				ok = false;
			}
			if (ctx == EXPR_GENERATED && col->is_generated) {
				/* PostgreSQL computes generated columns from stored ones only */
				diag_error(s->d, tk->at, "%s cannot use generated column '%s'", what, col->name);
				ok = false;
			}
			buf_puts(&b, sql_ident(s->a, col->name));
			bool seen = false;
			for (size_t k = 0; refs && k < refs->n; k++)
				seen = seen || refs->items[k] == col;
			if (refs && !seen)
				vec_push(s->a, refs, col);
		} else {
			if (!not_col && t && !(tk->kind == TOK_WORD && is_expr_word(tk->text))) {
				if (ctx == EXPR_DEFAULT) {
					diag_error(s->d, tk->at, "unknown name '%s' in %s", tk->text, what);
				} else {
					ast_ident id = { tk->text, tk->at };
					unknown_column(s, t, &id);
				}
				ok = false;
			}
			buf_puts(&b, tk->kind == TOK_QWORD ? sql_ident(s->a, tk->text) : tk->text);
		}
		/* a type name goes on while its words do (double precision) */
		bool type_word = not_col && (in_type || word_is(prev, "as"));
		in_type = type_word && is_type_continuation(next);
	}
	const char *r = arena_strndup(s->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	if (ok_out)
		*ok_out = ok;
	return r;
}

/* The label of "default 'x'" or "default 'x'::type", or NULL. */
static const ast_tok *expr_string_literal(const ast_expr *e)
{
	if (e->toks.n == 1 || (e->toks.n == 3 && tok_is(e->toks.items[1], "::"))) {
		const ast_tok *t = e->toks.items[0];
		if (t->kind == TOK_STRING)
			return t;
	}
	return NULL;
}

static const char *unquote_literal(sema *s, const char *lit)
{
	size_t n = strlen(lit);
	char *r = arena_alloc(s->a, n + 1);
	size_t j = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		r[j++] = lit[i];
		if (lit[i] == '\'')
			i++;
	}
	r[j] = '\0';
	return r;
}

/* ---- types ------------------------------------------------------------- */

static const struct {
	const char *name;
	m_type_kind kind;
	int max_params;     /* -1: no parameters allowed */
} type_names[] = {
	{ "smallint", T_SMALLINT, -1 }, { "int2", T_SMALLINT, -1 },
	{ "integer", T_INTEGER, -1 }, { "int", T_INTEGER, -1 }, { "int4", T_INTEGER, -1 },
	{ "bigint", T_BIGINT, -1 }, { "int8", T_BIGINT, -1 },
	{ "smallserial", T_SMALLSERIAL, -1 }, { "serial2", T_SMALLSERIAL, -1 },
	{ "serial", T_SERIAL, -1 }, { "serial4", T_SERIAL, -1 },
	{ "bigserial", T_BIGSERIAL, -1 }, { "serial8", T_BIGSERIAL, -1 },
	{ "boolean", T_BOOLEAN, -1 }, { "bool", T_BOOLEAN, -1 },
	{ "real", T_REAL, -1 }, { "float4", T_REAL, -1 },
	{ "double precision", T_DOUBLE, -1 }, { "float8", T_DOUBLE, -1 },
	{ "numeric", T_NUMERIC, 2 }, { "decimal", T_NUMERIC, 2 },
	{ "text", T_TEXT, -1 },
	{ "varchar", T_VARCHAR, 1 }, { "character varying", T_VARCHAR, 1 },
	{ "char", T_CHAR, 1 }, { "character", T_CHAR, 1 },
	{ "bytea", T_BYTEA, -1 }, { "uuid", T_UUID, -1 }, { "date", T_DATE, -1 },
	{ "time", T_TIME, 1 }, { "time without time zone", T_TIME, 1 },
	{ "timetz", T_TIMETZ, 1 }, { "time with time zone", T_TIMETZ, 1 },
	{ "timestamp", T_TIMESTAMP, 1 }, { "timestamp without time zone", T_TIMESTAMP, 1 },
	{ "timestamptz", T_TIMESTAMPTZ, 1 }, { "timestamp with time zone", T_TIMESTAMPTZ, 1 },
	{ "interval", T_INTERVAL, 1 }, { "json", T_JSON, -1 }, { "jsonb", T_JSONB, -1 },
	{ "inet", T_INET, -1 },
};

/* Other built-in (or common extension) types: they travel as text in C. */
static const char *const other_types[] = {
	"bit", "bit varying", "box", "bpchar", "cidr", "circle", "citext", "daterange", "hstore",
	"int4range", "int8range", "jsonpath", "line", "lseg", "ltree", "macaddr", "macaddr8",
	"money", "numrange", "oid", "path", "pg_lsn", "point", "polygon", "tsquery", "tsrange",
	"tstzrange", "tsvector", "varbit", "xml",
};

static bool builtin_type(const char *name)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (str_ieq(name, type_names[i].name))
			return true;
	for (size_t i = 0; i < sizeof other_types / sizeof other_types[0]; i++)
		if (str_ieq(name, other_types[i]))
			return true;
	return false;
}

static const char *canonical_type_name(m_type_kind k)
{
	switch (k) {
	case T_SMALLINT: return "smallint";
	case T_INTEGER: return "integer";
	case T_BIGINT: return "bigint";
	case T_SMALLSERIAL: return "smallserial";
	case T_SERIAL: return "serial";
	case T_BIGSERIAL: return "bigserial";
	case T_BOOLEAN: return "boolean";
	case T_REAL: return "real";
	case T_DOUBLE: return "double precision";
	case T_NUMERIC: return "numeric";
	case T_TEXT: return "text";
	case T_VARCHAR: return "varchar";
	case T_CHAR: return "char";
	case T_BYTEA: return "bytea";
	case T_UUID: return "uuid";
	case T_DATE: return "date";
	case T_TIME: return "time";
	case T_TIMETZ: return "timetz";
	case T_TIMESTAMP: return "timestamp";
	case T_TIMESTAMPTZ: return "timestamptz";
	case T_INTERVAL: return "interval";
	case T_JSON: return "json";
	case T_JSONB: return "jsonb";
	case T_INET: return "inet";
	case T_ENUM: case T_OTHER: break;
	}
	return "?";
}

static bool is_serial(m_type_kind k) { return k == T_SMALLSERIAL || k == T_SERIAL || k == T_BIGSERIAL; }
static bool is_integer(m_type_kind k) { return k <= T_BIGSERIAL; }

static bool resolve_type(sema *s, const ast_type *at, m_type *out)
{
	memset(out, 0, sizeof *out);
	buf name;
	buf_init(&name);
	for (size_t i = 0; i < at->words.n; i++) {
		ast_ident *w = at->words.items[i];
		if (i)
			buf_putc(&name, ' ');
		buf_puts(&name, w->name);
	}
	const char *tn = arena_strndup(s->a, name.data, name.len);
	buf_free(&name);
	loc name_at = loc_span(((ast_ident *)at->words.items[0])->at,
	                       ((ast_ident *)at->words.items[at->words.n - 1])->at);

	int max_params = -1;
	bool found = false;
	m_enum *en = at->words.n == 1 ? find_enum(s, tn) : NULL;
	if (en) {
		out->kind = T_ENUM;
		out->en = en;
		found = true;
	}
	for (size_t i = 0; !found && i < sizeof type_names / sizeof type_names[0]; i++)
		if (str_ieq(tn, type_names[i].name)) {
			out->kind = type_names[i].kind;
			max_params = type_names[i].max_params;
			found = true;
		}
	const char *other = NULL;
	for (size_t i = 0; !found && i < sizeof other_types / sizeof other_types[0]; i++)
		if (str_ieq(tn, other_types[i])) {
			out->kind = T_OTHER;
			other = other_types[i];
			max_params = (str_ieq(tn, "bit") || str_ieq(tn, "bit varying") || str_ieq(tn, "varbit") ||
			              str_ieq(tn, "bpchar")) ? 1 : -1;
			found = true;
		}
	if (!found) {
		diag_error(s->d, name_at, "unknown type '%s'", tn);
		size_t nc = sizeof type_names / sizeof type_names[0] + s->m->enums.n;
		const char **c = arena_alloc(s->a, nc * sizeof *c);
		size_t k = 0;
		for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
			c[k++] = type_names[i].name;
		for (size_t i = 0; i < s->m->enums.n; i++)
			c[k++] = ((m_enum *)s->m->enums.items[i])->name;
		const char *sug = suggest(tn, c, k);
		if (sug)
			diag_hint(s->d, "did you mean '%s'?", sug);
		return false;
	}

	bool ok = true;
	if (at->has_params) {
		/* parameters: integers separated by commas */
		int np = 0;
		bool want_num = true;
		for (size_t i = 0; i < at->params.n; i++) {
			ast_tok *p = at->params.items[i];
			bool neg = false;
			if (want_num && p->kind == TOK_OP && strcmp(p->text, "-") == 0 && i + 1 < at->params.n) {
				neg = true;
				p = at->params.items[++i];
			}
			if (want_num && p->kind == TOK_NUMBER && strspn(p->text, "0123456789") == strlen(p->text)) {
				errno = 0;
				long v = strtol(p->text, NULL, 10);
				if (errno || v > 100000000)
					v = 100000000;
				if (np < 2)
					out->p[np] = neg ? -v : v;
				np++;
				want_num = false;
			} else if (!want_num && tok_is(p, ",")) {
				want_num = true;
			} else {
				diag_error(s->d, p->at, "type parameters must be integers");
				return false;
			}
		}
		if (np == 0) {
			diag_error(s->d, at->at, "empty parameter list for type '%s'", tn);
			return false;
		}
		if (want_num) {
			diag_error(s->d, at->at, "type parameters must be integers");
			return false;
		}
		if (max_params < 0) {
			diag_error(s->d, at->at, "type '%s' does not take parameters", tn);
			return false;
		}
		if (np > max_params) {
			diag_error(s->d, at->at, "type '%s' takes at most %d parameter%s", tn, max_params,
			           max_params == 1 ? "" : "s");
			return false;
		}
		out->nparams = np;
		switch (out->kind) {
		case T_VARCHAR: case T_CHAR: case T_OTHER:
			if (out->p[0] < 1 || out->p[0] > 10485760) {
				diag_error(s->d, at->at, "length of type '%s' must be between 1 and 10485760", tn);
				ok = false;
			}
			break;
		case T_NUMERIC:
			if (out->p[0] < 1 || out->p[0] > 1000) {
				diag_error(s->d, at->at, "precision of numeric must be between 1 and 1000");
				ok = false;
			} else if (np == 2 && (out->p[1] < -1000 || out->p[1] > 1000)) {
				diag_error(s->d, at->at, "scale of numeric must be between -1000 and 1000");
				ok = false;
			}
			break;
		case T_TIME: case T_TIMETZ: case T_TIMESTAMP: case T_TIMESTAMPTZ: case T_INTERVAL:
			if (out->p[0] < 0 || out->p[0] > 6) {
				diag_error(s->d, at->at, "precision of type '%s' must be between 0 and 6", tn);
				ok = false;
			}
			break;
		default:
			break;
		}
	}
	out->array_dims = at->array_dims;
	if (out->array_dims && is_serial(out->kind)) {
		diag_error(s->d, at->at, "array of serial is not possible; use an integer array");
		ok = false;
	}

	/* canonical SQL spelling */
	buf b;
	buf_init(&b);
	if (out->kind == T_ENUM)
		buf_puts(&b, sql_ident(s->a, en->name));
	else if (out->kind == T_OTHER)
		buf_puts(&b, other);
	else
		buf_puts(&b, canonical_type_name(out->kind));
	if (out->nparams == 1)
		buf_printf(&b, "(%ld)", out->p[0]);
	else if (out->nparams == 2)
		buf_printf(&b, "(%ld,%ld)", out->p[0], out->p[1]);
	for (int i = 0; i < out->array_dims; i++)
		buf_puts(&b, "[]");
	out->sql = arena_strndup(s->a, b.data, b.len);
	buf_free(&b);
	return ok;
}

/* Types that can sit on both sides of a foreign key. */
static int type_family(const m_type *t)
{
	if (is_integer(t->kind))
		return 1;
	if (t->kind == T_TEXT || t->kind == T_VARCHAR || t->kind == T_CHAR)
		return 2;
	return 0;
}

static bool types_compatible(const m_type *a, const m_type *b)
{
	if (a->array_dims != b->array_dims)
		return false;
	int fa = type_family(a), fb = type_family(b);
	if (fa || fb)
		return fa == fb;
	if (a->kind != b->kind)
		return false;
	if (a->kind == T_ENUM)
		return a->en == b->en;
	if (a->kind == T_OTHER)
		return strcmp(a->sql, b->sql) == 0;
	return true;
}

static const char *type_display(const m_type *t) { return t->sql; }

/* ---- declarations ------------------------------------------------------ */

typedef struct named {
	const char *name;
	loc at;
	const char *what;
} named;

static void declare_all(sema *s, ast_file **files, size_t nfiles)
{
	/* named *: enums and tables share PostgreSQL's type namespace */
	strmap seen_by_name, mixins_by_name;
	memset(&seen_by_name, 0, sizeof seen_by_name);
	memset(&mixins_by_name, 0, sizeof mixins_by_name);
	/* imported files first, so a model reads like the concatenation of its
	 * imports followed by itself */
	for (size_t fi = 0; fi < nfiles; fi++) {
		ast_file *f = files[fi];
		for (size_t i = 0; i < f->decls.n; i++) {
			ast_decl *d = f->decls.items[i];
			if (d->kind == DECL_IMPORT)
				continue;
			if (d->kind == DECL_EXTENSION) {
				check_name_len(s, d->name, "extension");
				bool dup = false;
				for (size_t j = 0; j < s->m->extensions.n; j++)
					if (strcmp(s->m->extensions.items[j], d->name->name) == 0)
						dup = true;
				if (!dup)
					vec_push(s->a, &s->m->extensions, (void *)d->name->name);
				continue;
			}
			const char *what = d->kind == DECL_ENUM ? "enum" : d->kind == DECL_TABLE ? "table" : "mixin";
			strmap *nm = d->kind == DECL_MIXIN ? &mixins_by_name : &seen_by_name;
			named *prev = strmap_get(nm, d->name->name);
			if (prev) {
				if (strcmp(prev->what, what) == 0)
					diag_error(s->d, d->name->at, "duplicate %s '%s'", what, d->name->name);
				else
					diag_error(s->d, d->name->at, "%s '%s' has the same name as %s %s '%s'", what,
					           d->name->name, prev->what[0] == 'e' ? "an" : "a", prev->what, prev->name);
				diag_note(s->d, prev->at, "'%s' first defined here", prev->name);
				continue;
			}
			named *n = arena_alloc(s->a, sizeof *n);
			n->name = d->name->name;
			n->at = d->name->at;
			n->what = what;
			bool found;
			*strmap_slot(s->a, nm, n->name, &found) = n;
			if (d->kind != DECL_MIXIN)
				check_name_len(s, d->name, what);

			if (d->kind == DECL_ENUM && builtin_type(d->name->name)) {
				/* the column would be the built-in type in PostgreSQL */
				diag_error(s->d, d->name->at, "enum '%s' has the name of a built-in type", d->name->name);
				continue;
			}
			if (d->kind == DECL_ENUM) {
				m_enum *e = arena_alloc(s->a, sizeof *e);
				e->name = d->name->name;
				e->doc = d->doc;
				e->at = d->name->at;
				for (size_t k = 0; k < d->labels.n; k++) {
					ast_enum_label *l = d->labels.items[k];
					if (!l)
						continue;
					bool dup = false;
					for (size_t j = 0; j < e->labels.n; j++)
						if (strcmp(e->labels.items[j], l->label) == 0) {
							diag_error(s->d, l->at, "duplicate label '%s' in enum '%s'", l->label, e->name);
							diag_note(s->d, *(loc *)e->label_at.items[j], "'%s' first defined here", l->label);
							dup = true;
						}
					if (dup)
						continue;
					if (strlen(l->label) > PG_NAME_MAX)
						diag_error(s->d, l->at, "enum label '%s' is %zu bytes long; PostgreSQL allows at most %d",
						           l->label, strlen(l->label), PG_NAME_MAX);
					if (l->label[0] == '\0')
						diag_error(s->d, l->at, "enum label must not be empty");
					loc *lat = arena_alloc(s->a, sizeof *lat);
					*lat = l->at;
					vec_push(s->a, &e->labels, (void *)l->label);
					vec_push(s->a, &e->label_at, lat);
				}
				if (e->labels.n == 0)
					diag_error(s->d, d->name->at, "enum '%s' has no labels", e->name);
				vec_push(s->a, &s->m->enums, e);
				vec_push(s->a, &s->enum_decls, d);
			} else if (d->kind == DECL_TABLE) {
				m_table *t = arena_alloc(s->a, sizeof *t);
				t->name = d->name->name;
				t->doc = d->doc;
				t->at = d->name->at;
				vec_push(s->a, &s->m->tables, t);
				vec_push(s->a, &s->table_decls, d);
			} else {
				vec_push(s->a, &s->mixin_decls, d);
			}
		}
	}
}

/* ---- members: mixins expanded ----------------------------------------- */

typedef struct src_member {
	ast_member *m;
	const char *mixin;   /* NULL for the table's own members */
} src_member;

static void expand_use(sema *s, const ast_decl *owner, ast_member *use, vec *out, vec *stack,
                       vec *used, bool own)
{
	for (size_t i = 0; i < use->idents.n; i++) {
		ast_ident *id = use->idents.items[i];
		ast_decl *mx = find_mixin(s, id->name);
		if (!mx) {
			diag_error(s->d, id->at, "unknown mixin '%s'", id->name);
			const char **names = arena_alloc(s->a, (s->mixin_decls.n + 1) * sizeof *names);
			for (size_t k = 0; k < s->mixin_decls.n; k++)
				names[k] = ((ast_decl *)s->mixin_decls.items[k])->name->name;
			const char *sug = suggest(id->name, names, s->mixin_decls.n);
			if (sug)
				diag_hint(s->d, "did you mean '%s'?", sug);
			continue;
		}
		bool cyc = false;
		for (size_t k = 0; k < stack->n; k++)
			if (stack->items[k] == mx)
				cyc = true;
		if (cyc || mx == owner) {
			diag_error(s->d, id->at, "mixin '%s' uses itself", id->name);
			continue;
		}
		bool again = false;
		for (size_t k = 0; k < used->n; k++)
			if (used->items[k] == mx)
				again = true;
		if (again) {
			if (own)
				diag_error(s->d, id->at, "mixin '%s' is used twice in '%s'", id->name, owner->name->name);
			continue;
		}
		vec_push(s->a, used, mx);
		vec_push(s->a, stack, mx);
		for (size_t k = 0; k < mx->members.n; k++) {
			ast_member *m = mx->members.items[k];
			if (m->kind == MEM_USE) {
				expand_use(s, owner, m, out, stack, used, false);
				continue;
			}
			src_member *sm = arena_alloc(s->a, sizeof *sm);
			sm->m = m;
			sm->mixin = mx->name->name;
			vec_push(s->a, out, sm);
		}
		stack->n--;
	}
}

static vec table_members(sema *s, ast_decl *td)
{
	vec own, mixed, stack, used;
	memset(&own, 0, sizeof own);
	memset(&mixed, 0, sizeof mixed);
	memset(&stack, 0, sizeof stack);
	memset(&used, 0, sizeof used);
	for (size_t i = 0; i < td->members.n; i++) {
		ast_member *m = td->members.items[i];
		if (m->kind == MEM_USE) {
			expand_use(s, td, m, &mixed, &stack, &used, true);
			continue;
		}
		src_member *sm = arena_alloc(s->a, sizeof *sm);
		sm->m = m;
		vec_push(s->a, &own, sm);
	}
	for (size_t i = 0; i < mixed.n; i++)
		vec_push(s->a, &own, mixed.items[i]);
	return own;
}

static ast_modifier *find_mod(const ast_member *m, ast_mod_kind k)
{
	for (size_t i = 0; i < m->mods.n; i++) {
		ast_modifier *md = m->mods.items[i];
		if (md->kind == k)
			return md;
	}
	return NULL;
}

static const char *mod_name(ast_mod_kind k)
{
	switch (k) {
	case MOD_PRIMARY_KEY: return "primary key";
	case MOD_NOT_NULL: return "not null";
	case MOD_NULL: return "null";
	case MOD_UNIQUE: return "unique";
	case MOD_DEFAULT: return "default";
	case MOD_ON_UPDATE_EXPR: return "on update";
	case MOD_REFERENCES: return "references";
	case MOD_ON_DELETE_ACTION: return "on delete";
	case MOD_ON_UPDATE_ACTION: return "on update";
	case MOD_CHECK: return "check";
	case MOD_GENERATED_STORED: return "generated always as";
	case MOD_IDENTITY: return "generated as identity";
	case MOD_RENAMED_FROM: return "renamed from";
	case MOD_VERSION: return "version";
	case MOD_USING: return "using";
	}
	return "?";
}

/* default '{a,b}' on an enum array: every element must be a label. */
static void check_enum_array_default(sema *s, const m_column *c, const ast_tok *lit)
{
	const char *v = unquote_literal(s, lit->text);
	size_t n = strlen(v);
	if (n < 2 || v[0] != '{' || v[n - 1] != '}') {
		diag_error(s->d, lit->at, "default of array column '%s' must be an array literal such as '{}'", c->name);
		return;
	}
	const char *p = v + 1, *end = v + n - 1;
	while (p < end) {
		buf el;
		buf_init(&el);
		while (p < end && *p == ' ')
			p++;
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				buf_putc(&el, *p);
			}
			p++;
		} else {
			while (p < end && *p != ',')
				buf_putc(&el, *p++);
			while (el.len && el.data[el.len - 1] == ' ')
				el.len--;
		}
		while (p < end && *p != ',')
			p++;
		p++;
		const char *label = buf_cstr(&el);
		bool found = false;
		for (size_t j = 0; j < c->type.en->labels.n; j++)
			if (strcmp(c->type.en->labels.items[j], label) == 0)
				found = true;
		if (!found && !(el.len == 0 && n == 2))
			diag_error(s->d, lit->at, "'%s' is not a label of enum '%s'", label, c->type.en->name);
		buf_free(&el);
	}
}

typedef struct pending_key {    /* keys found while reading columns */
	m_table *t;
	ast_member *col;
	ast_modifier *mod;
	m_column *c;
} pending_key;

typedef struct table_work {
	m_table *t;
	ast_decl *decl;
	vec members;        /* src_member * */
	vec col_refs;       /* pending_key *: column-level references */
	loc pk_at;
	bool pk_seen;
	bool broken_cols;   /* a column failed: skip checks that need all columns */
} table_work;

static void set_pk(sema *s, table_work *w, loc at, vec *cols)
{
	if (w->pk_seen) {
		diag_error(s->d, at, "table '%s' has two primary keys", w->t->name);
		diag_note(s->d, w->pk_at, "first primary key declared here");
		return;
	}
	w->pk_seen = true;
	w->pk_at = at;
	m_key *k = arena_alloc(s->a, sizeof *k);
	k->at = at;
	k->cols = *cols;
	for (size_t i = 0; i < cols->n; i++) {
		m_column *c = cols->items[i];
		c->primary_key = true;
		c->not_null = true;
	}
	w->t->pk = k;
}

static void build_columns(sema *s, table_work *w)
{
	m_table *t = w->t;
	/* first pass: who overrides what */
	for (size_t i = 0; i < w->members.n; i++) {
		src_member *sm = w->members.items[i];
		if (sm->m->kind != MEM_COLUMN)
			continue;
		ast_member *m = sm->m;
		check_name_len(s, m->name, "column");
		/* clashes with earlier columns */
		src_member *prev = NULL;
		for (size_t j = 0; j < i; j++) {
			src_member *o = w->members.items[j];
			if (o->m->kind == MEM_COLUMN && o->m->name && strcmp(o->m->name->name, m->name->name) == 0) {
				prev = o;
				break;
			}
		}
		if (prev && sm->mixin && !prev->mixin) {
			if (prev->m->is_override)
				continue;   /* replaced by the table's own column */
			diag_error(s->d, prev->m->name->at, "column '%s' is also defined by mixin '%s'", m->name->name, sm->mixin);
			diag_note(s->d, m->name->at, "'%s' defined here", m->name->name);
			diag_hint(s->d, "write 'override %s ...' in table '%s' to replace the mixin's column",
			          m->name->name, t->name);
			continue;
		}
		if (prev) {
			if (sm->mixin && prev->mixin && strcmp(sm->mixin, prev->mixin) != 0)
				diag_error(s->d, m->name->at, "column '%s' of mixin '%s' is also defined by mixin '%s' (used by table '%s')",
				           m->name->name, sm->mixin, prev->mixin, t->name);
			else
				diag_error(s->d, m->name->at, "duplicate column '%s' in table '%s'", m->name->name, t->name);
			diag_note(s->d, prev->m->name->at, "'%s' first defined here", m->name->name);
			continue;
		}
		if (m->is_override && !sm->mixin) {
			bool found = false;
			for (size_t j = i + 1; j < w->members.n; j++) {
				src_member *o = w->members.items[j];
				if (o->mixin && o->m->kind == MEM_COLUMN && strcmp(o->m->name->name, m->name->name) == 0)
					found = true;
			}
			if (!found) {
				diag_error(s->d, m->at, "column '%s' overrides nothing: no mixin used by '%s' defines it",
				           m->name->name, t->name);
			}
		}

		m_column *c = arena_alloc(s->a, sizeof *c);
		c->name = m->name->name;
		c->is_generated = find_mod(m, MOD_GENERATED_STORED) != NULL;
		c->doc = m->doc;
		c->at = m->name->at;
		c->table = t;
		c->mixin = sm->mixin;
		if (!resolve_type(s, m->type, &c->type))
			w->broken_cols = true;
		vec_push(s->a, &t->columns, c);
	}

	if (t->columns.n == 0)
		diag_error(s->d, t->at, "table '%s' has no columns", t->name);

	/* second pass: modifiers (checks may name any column of the table) */
	size_t ci = 0;
	for (size_t i = 0; i < w->members.n; i++) {
		src_member *sm = w->members.items[i];
		if (sm->m->kind != MEM_COLUMN)
			continue;
		ast_member *m = sm->m;
		m_column *c = find_column(t, m->name->name);
		if (!c || c->at.off != m->name->at.off || c->at.file != m->name->at.file)
			continue;   /* a dropped duplicate or overridden column */
		ci++;
		ast_modifier *seen[MOD_USING + 1];
		memset(seen, 0, sizeof seen);
		ast_modifier *last_ref = NULL;
		for (size_t k = 0; k < m->mods.n; k++) {
			ast_modifier *md = m->mods.items[k];
			if (seen[md->kind]) {
				diag_error(s->d, md->at, "'%s' given twice for column '%s'", mod_name(md->kind), c->name);
				continue;
			}
			seen[md->kind] = md;
			switch (md->kind) {
			case MOD_PRIMARY_KEY: {
				vec cols;
				memset(&cols, 0, sizeof cols);
				vec_push(s->a, &cols, c);
				set_pk(s, w, md->at, &cols);
				break;
			}
			case MOD_NOT_NULL:
				c->not_null = true;
				break;
			case MOD_NULL:
				break;
			case MOD_UNIQUE: {
				m_key *k2 = arena_alloc(s->a, sizeof *k2);
				k2->at = md->at;
				vec_push(s->a, &k2->cols, c);
				vec_push(s->a, &t->uniques, k2);
				break;
			}
			case MOD_DEFAULT: {
				bool ok;
				c->default_sql = expr_sql(s, t, md->expr, EXPR_DEFAULT, "a default", &ok, NULL);
				if (md->expr->toks.n && word_is(md->expr->toks.items[md->expr->toks.n - 1], "is")) {
					/* "default x is not null": the not null became a modifier */
					diag_error(s->d, md->expr->at, "default expression ends with 'is'");
					diag_hint(s->d, "put the expression in parentheses: default (... is not null)");
				}
				const ast_tok *lit = expr_string_literal(md->expr);
				if (c->type.kind == T_ENUM && c->type.array_dims == 1 && lit)
					check_enum_array_default(s, c, lit);
				if (c->type.kind == T_ENUM && !c->type.array_dims && lit) {
					const char *label = unquote_literal(s, lit->text);
					bool found = false;
					for (size_t j = 0; j < c->type.en->labels.n; j++)
						if (strcmp(c->type.en->labels.items[j], label) == 0)
							found = true;
					if (!found) {
						diag_error(s->d, lit->at, "'%s' is not a label of enum '%s'", label, c->type.en->name);
						const char *sug = suggest(label, (const char *const *)c->type.en->labels.items,
						                          c->type.en->labels.n);
						if (sug)
							diag_hint(s->d, "did you mean '%s'?", sug);
						else
							diag_note(s->d, c->type.en->at, "enum '%s' defined here", c->type.en->name);
					}
				}
				break;
			}
			case MOD_ON_UPDATE_EXPR:
				c->on_update_sql = expr_sql(s, t, md->expr, EXPR_COLUMNS, "'on update'", NULL, NULL);
				break;
			case MOD_USING:
				/* a migration hint: how a type change converts the values */
				c->using_sql = expr_sql(s, t, md->expr, EXPR_COLUMNS, "'using'", NULL, NULL);
				break;
			case MOD_REFERENCES: {
				pending_key *pk = arena_alloc(s->a, sizeof *pk);
				pk->t = t;
				pk->col = m;
				pk->mod = md;
				pk->c = c;
				vec_push(s->a, &w->col_refs, pk);
				last_ref = md;
				break;
			}
			case MOD_ON_DELETE_ACTION:
			case MOD_ON_UPDATE_ACTION:
				if (!last_ref)
					diag_error(s->d, md->at, "'%s' must follow 'references'", mod_name(md->kind));
				break;
			case MOD_CHECK: {
				m_check *ck = arena_alloc(s->a, sizeof *ck);
				ck->at = md->at;
				ck->sql = expr_sql(s, t, md->expr, EXPR_COLUMNS, "check", NULL, NULL);
				/* not a name yet: a marker that assign_names turns into
				 * ck_<table>_<column> */
				ck->name = arena_printf(s->a, "\x01%s", c->name);
				vec_push(s->a, &t->checks, ck);
				break;
			}
			case MOD_GENERATED_STORED:
				c->generated_sql = expr_sql(s, t, md->expr, EXPR_GENERATED,
				                            arena_printf(s->a, "generated column '%s'", c->name), NULL, NULL);
				break;
			case MOD_IDENTITY:
				c->identity = true;
				c->identity_by_default = md->identity_by_default;
				c->not_null = true;
				if (!(c->type.kind == T_SMALLINT || c->type.kind == T_INTEGER || c->type.kind == T_BIGINT) ||
				    c->type.array_dims)
					diag_error(s->d, md->at, "identity column '%s' must be smallint, integer or bigint", c->name);
				break;
			case MOD_RENAMED_FROM:
				if (sm->mixin) {
					diag_error(s->d, md->at, "'renamed from' cannot be used in mixin '%s': write it in the table",
					           sm->mixin);
					break;
				}
				c->renamed_from = md->old_name->name;
				check_name_len(s, md->old_name, "column");
				break;
			case MOD_VERSION:
				c->is_version = true;
				if (!(c->type.kind == T_SMALLINT || c->type.kind == T_INTEGER || c->type.kind == T_BIGINT) ||
				    c->type.array_dims) {
					diag_error(s->d, md->at, "version column '%s' must be smallint, integer or bigint", c->name);
				} else if (t->version_col) {
					diag_error(s->d, md->at, "table '%s' has two version columns", t->name);
					diag_note(s->d, t->version_col->at, "'%s' is the first", t->version_col->name);
				} else {
					t->version_col = c;
					c->version_at = md->at;
				}
				break;
			}
		}
		if (seen[MOD_NULL] && seen[MOD_NOT_NULL])
			diag_error(s->d, seen[MOD_NULL]->at, "column '%s' is declared both null and not null", c->name);
		if (seen[MOD_NULL] && seen[MOD_PRIMARY_KEY])
			diag_error(s->d, seen[MOD_NULL]->at, "primary key column '%s' cannot be null", c->name);
		ast_modifier *dflt = seen[MOD_DEFAULT];
		if (dflt && (seen[MOD_IDENTITY] || seen[MOD_GENERATED_STORED] || is_serial(c->type.kind))) {
			diag_error(s->d, dflt->at, "column '%s' cannot have a default: it is %s", c->name,
			           seen[MOD_IDENTITY] ? "an identity column" :
			           seen[MOD_GENERATED_STORED] ? "a generated column" : "a serial column");
		}
		if (seen[MOD_IDENTITY] && seen[MOD_GENERATED_STORED])
			diag_error(s->d, seen[MOD_IDENTITY]->at, "column '%s' cannot be both identity and generated", c->name);
		if (seen[MOD_ON_UPDATE_EXPR] && (seen[MOD_GENERATED_STORED] || seen[MOD_IDENTITY]))
			diag_error(s->d, seen[MOD_ON_UPDATE_EXPR]->at, "column '%s' is computed by the server; it cannot have 'on update'", c->name);
		if (is_serial(c->type.kind) || c->identity)
			c->not_null = true;
	}
	(void)ci;
}

static void build_constraints(sema *s, table_work *w)
{
	m_table *t = w->t;
	for (size_t i = 0; i < w->members.n; i++) {
		src_member *sm = w->members.items[i];
		ast_member *m = sm->m;
		switch (m->kind) {
		case MEM_PRIMARY_KEY: {
			vec cols;
			memset(&cols, 0, sizeof cols);
			if (m->idents.n == 0) {
				diag_error(s->d, m->at, "primary key has no columns");
				break;
			}
			if (resolve_cols(s, t, &m->idents, &cols, "the primary key"))
				set_pk(s, w, m->at, &cols);
			break;
		}
		case MEM_UNIQUE: {
			m_key *k = arena_alloc(s->a, sizeof *k);
			k->at = m->at;
			k->doc = m->doc;
			if (m->name) {
				check_name_len(s, m->name, "constraint");
				k->name = m->name->name;
				k->name_at = m->name->at;
			}
			if (m->idents.n == 0) {
				diag_error(s->d, m->at, "unique constraint has no columns");
				break;
			}
			if (resolve_cols(s, t, &m->idents, &k->cols, "a unique constraint"))
				vec_push(s->a, &t->uniques, k);
			break;
		}
		case MEM_CHECK: {
			m_check *ck = arena_alloc(s->a, sizeof *ck);
			ck->at = m->at;
			ck->doc = m->doc;
			if (m->name) {
				check_name_len(s, m->name, "constraint");
				ck->name = m->name->name;
				ck->name_at = m->name->at;
			}
			if (m->expr->toks.n == 0) {
				diag_error(s->d, m->expr->at, "check constraint is empty");
				break;
			}
			ck->sql = expr_sql(s, t, m->expr, EXPR_COLUMNS, "check", NULL, &ck->cols);
			vec_push(s->a, &t->checks, ck);
			break;
		}
		case MEM_INDEX: {
			m_index *ix = arena_alloc(s->a, sizeof *ix);
			ix->at = m->at;
			ix->doc = m->doc;
			ix->unique = m->unique;
			if (m->name) {
				check_name_len(s, m->name, "index");
				ix->name = m->name->name;
				ix->name_at = m->name->at;
			}
			bool ok = true;
			if (m->elems.n == 0) {
				diag_error(s->d, m->at, "index has no columns");
				ok = false;
			}
			for (size_t k = 0; k < m->elems.n; k++) {
				ast_index_elem *el = m->elems.items[k];
				m_index_elem *me = arena_alloc(s->a, sizeof *me);
				if (el->column) {
					me->col = find_column(t, el->column->name);
					if (!me->col) {
						unknown_column(s, t, el->column);
						ok = false;
					}
				} else {
					if (el->expr->toks.n == 0) {
						diag_error(s->d, el->expr->at, "index expression is empty");
						ok = false;
					}
					bool eok;
					me->expr_sql = expr_sql(s, t, el->expr, EXPR_COLUMNS, "index", &eok, NULL);
					ok = ok && eok;
				}
				me->opclass = el->opclass ? el->opclass->name : NULL;
				me->sort = el->sort;
				me->nulls = el->nulls;
				vec_push(s->a, &ix->elems, me);
			}
			if (m->using) {
				static const char *const methods[] = { "btree", "hash", "gin", "gist", "brin", "spgist" };
				const char *meth = NULL;
				for (size_t k = 0; k < 6; k++)
					if (str_ieq(m->using->name, methods[k]))
						meth = methods[k];
				if (!meth) {
					diag_error(s->d, m->using->at, "unknown index method '%s'", m->using->name);
					const char *sug = suggest(m->using->name, methods, 6);
					diag_hint(s->d, sug ? "did you mean '%s'?" : "%s",
					          sug ? sug : "use btree, hash, gin, gist, brin or spgist");
					ok = false;
				} else {
					ix->method = strcmp(meth, "btree") == 0 ? NULL : meth;
				}
				if (ix->unique && ix->method) {
					diag_error(s->d, m->using->at, "a unique index must use btree, not %s", ix->method);
					ok = false;
				}
			}
			if (m->include.n) {
				if (!resolve_cols(s, t, &m->include, &ix->include, "include"))
					ok = false;
			}
			if (m->where) {
				bool wok;
				ix->where_sql = expr_sql(s, t, m->where, EXPR_COLUMNS, "index predicate", &wok, NULL);
				ok = ok && wok;
			}
			if (ok)
				vec_push(s->a, &t->indexes, ix);
			break;
		}
		case MEM_RENAMED_FROM:
			if (sm->mixin) {
				diag_error(s->d, m->at, "'renamed from' cannot be used in mixin '%s': write it in the table",
				           sm->mixin);
				break;
			}
			if (t->renamed_from) {
				diag_error(s->d, m->at, "table '%s' has two 'renamed from' clauses", t->name);
				break;
			}
			check_name_len(s, m->old_name, "table");
			t->renamed_from = m->old_name->name;
			break;
		case MEM_SOFT_DELETE: {
			if (t->soft_delete_at) {
				diag_error(s->d, m->at, "table '%s' declares soft delete twice", t->name);
				break;
			}
			vec cols;
			memset(&cols, 0, sizeof cols);
			if (m->idents.n == 0 || m->idents.n > 2) {
				diag_error(s->d, m->at, "soft delete takes (flag_column, timestamp_column) or (timestamp_column)");
				break;
			}
			if (!resolve_cols(s, t, &m->idents, &cols, "soft delete"))
				break;
			m_column *flag = cols.n == 2 ? cols.items[0] : NULL;
			m_column *ts = cols.items[cols.n - 1];
			if (flag && (flag->type.kind != T_BOOLEAN || flag->type.array_dims)) {
				diag_error(s->d, ((ast_ident *)m->idents.items[0])->at,
				           "soft delete flag '%s' must be boolean, not %s", flag->name, type_display(&flag->type));
				break;
			}
			if (!(ts->type.kind == T_TIMESTAMP || ts->type.kind == T_TIMESTAMPTZ || ts->type.kind == T_DATE) ||
			    ts->type.array_dims) {
				diag_error(s->d, ((ast_ident *)m->idents.items[cols.n - 1])->at,
				           "soft delete column '%s' must be a timestamp, timestamptz or date, not %s", ts->name,
				           type_display(&ts->type));
				break;
			}
			if (ts->not_null) {
				diag_error(s->d, ((ast_ident *)m->idents.items[cols.n - 1])->at,
				           "soft delete column '%s' must be nullable: NULL marks a live row", ts->name);
				break;
			}
			t->soft_delete_flag = flag;
			t->soft_delete_at = ts;
			break;
		}
		default:
			break;
		}
	}
}

/* Is exactly this set of columns unique in t (primary key, unique
 * constraint, or a plain unique index)? */
static bool cols_unique(const m_table *t, const vec *cols)
{
	const m_key *keys[1];
	keys[0] = t->pk;
	for (size_t pass = 0; pass < 3; pass++) {
		size_t n = pass == 0 ? (t->pk ? 1 : 0) : pass == 1 ? t->uniques.n : t->indexes.n;
		for (size_t i = 0; i < n; i++) {
			const vec *kc;
			vec tmp;
			memset(&tmp, 0, sizeof tmp);
			if (pass == 0) {
				kc = &keys[0]->cols;
			} else if (pass == 1) {
				kc = &((m_key *)t->uniques.items[i])->cols;
			} else {
				m_index *ix = t->indexes.items[i];
				if (!ix->unique || ix->where_sql)
					continue;
				bool plain = true;
				for (size_t k = 0; k < ix->elems.n; k++)
					if (!((m_index_elem *)ix->elems.items[k])->col)
						plain = false;
				if (!plain || ix->elems.n != cols->n)
					continue;
				bool all = true;
				for (size_t k = 0; k < ix->elems.n && all; k++) {
					m_column *c = ((m_index_elem *)ix->elems.items[k])->col;
					bool in = false;
					for (size_t j = 0; j < cols->n; j++)
						if (cols->items[j] == c)
							in = true;
					all = in;
				}
				if (all)
					return true;
				continue;
			}
			if (kc->n != cols->n)
				continue;
			bool all = true;
			for (size_t k = 0; k < kc->n && all; k++) {
				bool in = false;
				for (size_t j = 0; j < cols->n; j++)
					if (cols->items[j] == kc->items[k])
						in = true;
				all = in;
			}
			if (all)
				return true;
		}
	}
	return false;
}

static void fk_failed(sema *s, const m_table *t, const char *to)
{
	failed_fk *f = arena_alloc(s->a, sizeof *f);
	f->from = t;
	f->to = to;
	vec_push(s->a, &s->failed_fks, f);
}

static m_fk *build_fk_checked(sema *s, m_table *t, loc at, const vec *cols, const vec *col_idents,
                              ast_ident *ref_name, const vec *ref_idents);

/* col_idents: where each local column is named in the foreign key clause,
 * or NULL for a column-level reference (then errors point at `at`). */
static m_fk *build_fk(sema *s, m_table *t, loc at, const vec *cols, const vec *col_idents, ast_ident *ref_name,
                      const vec *ref_idents)
{
	m_fk *fk = build_fk_checked(s, t, at, cols, col_idents, ref_name, ref_idents);
	if (!fk)
		fk_failed(s, t, ref_name->name);
	return fk;
}

static m_fk *build_fk_checked(sema *s, m_table *t, loc at, const vec *cols, const vec *col_idents,
                              ast_ident *ref_name, const vec *ref_idents)
{
	m_table *ref = find_table(s, ref_name->name);
	if (!ref) {
		diag_error(s->d, ref_name->at, "unknown table '%s'", ref_name->name);
		hint_similar_table(s, ref_name->name);
		return NULL;
	}
	vec ref_cols;
	memset(&ref_cols, 0, sizeof ref_cols);
	if (ref_idents->n == 0) {
		if (!ref->pk) {
			diag_error(s->d, ref_name->at, "table '%s' has no primary key to reference", ref->name);
			diag_hint(s->d, "name the referenced columns: references %s(...)", ref->name);
			return NULL;
		}
		ref_cols = ref->pk->cols;
	} else if (!resolve_cols(s, ref, ref_idents, &ref_cols, "the referenced columns")) {
		return NULL;
	}
	if (ref_cols.n != cols->n) {
		diag_error(s->d, at, "foreign key has %zu column%s but references %zu", cols->n, cols->n == 1 ? "" : "s",
		           ref_cols.n);
		return NULL;
	}
	bool ok = true;
	for (size_t i = 0; i < cols->n; i++) {
		m_column *a = cols->items[i], *b = ref_cols.items[i];
		if (!types_compatible(&a->type, &b->type)) {
			diag_error(s->d, col_idents ? ((ast_ident *)col_idents->items[i])->at : at,
			           "foreign key column '%s' is %s but references %s.%s of type %s", a->name,
			           type_display(&a->type), ref->name, b->name, type_display(&b->type));
			ok = false;
		}
	}
	if (ok && !cols_unique(ref, &ref_cols)) {
		buf b;
		buf_init(&b);
		for (size_t i = 0; i < ref_cols.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ((m_column *)ref_cols.items[i])->name);
		diag_error(s->d, ref_idents->n ? loc_span(((ast_ident *)ref_idents->items[0])->at,
		                                          ((ast_ident *)ref_idents->items[ref_idents->n - 1])->at)
		                               : ref_name->at,
		           "foreign key references %s(%s), which is not a primary key or unique", ref->name, buf_cstr(&b));
		diag_hint(s->d, "add 'unique (%s)' to table '%s'", buf_cstr(&b), ref->name);
		buf_free(&b);
		ok = false;
	}
	if (!ok)
		return NULL;
	m_fk *fk = arena_alloc(s->a, sizeof *fk);
	fk->at = at;
	fk->table = t;
	fk->cols = *cols;
	fk->ref = ref;
	fk->ref_cols = ref_cols;
	return fk;
}

static void build_fks(sema *s, table_work *w)
{
	m_table *t = w->t;
	/* column-level first (in column order), then table-level */
	for (size_t i = 0; i < w->col_refs.n; i++) {
		pending_key *pk = w->col_refs.items[i];
		vec cols;
		memset(&cols, 0, sizeof cols);
		vec_push(s->a, &cols, pk->c);
		if (pk->mod->ref_cols.n > 1) {
			diag_error(s->d, pk->mod->at, "a column-level reference names one column; use 'foreign key (...)' for composite keys");
			continue;
		}
		m_fk *fk = build_fk(s, t, pk->mod->at, &cols, NULL, pk->mod->ref_table, &pk->mod->ref_cols);
		if (!fk)
			continue;
		ast_modifier *od = find_mod(pk->col, MOD_ON_DELETE_ACTION);
		ast_modifier *ou = find_mod(pk->col, MOD_ON_UPDATE_ACTION);
		fk->on_delete = od ? od->action : FK_NONE;
		fk->on_update = ou ? ou->action : FK_NONE;
		if (fk->on_delete == FK_SET_NULL && pk->c->not_null)
			diag_error(s->d, od->at, "'on delete set null' on column '%s', which is not null", pk->c->name);
		vec_push(s->a, &t->fks, fk);
	}
	for (size_t i = 0; i < w->members.n; i++) {
		ast_member *m = ((src_member *)w->members.items[i])->m;
		if (m->kind != MEM_FOREIGN_KEY)
			continue;
		vec cols;
		memset(&cols, 0, sizeof cols);
		if (m->idents.n == 0) {
			diag_error(s->d, m->at, "foreign key has no columns");
			continue;
		}
		if (!resolve_cols(s, t, &m->idents, &cols, "the foreign key")) {
			fk_failed(s, t, m->ref_table->name);
			continue;
		}
		m_fk *fk = build_fk(s, t, m->at, &cols, &m->idents, m->ref_table, &m->ref_cols);
		if (!fk)
			continue;
		if (m->name) {
			check_name_len(s, m->name, "constraint");
			fk->name = m->name->name;
			fk->name_at = m->name->at;
		}
		fk->on_delete = m->on_delete;
		fk->on_update = m->on_update;
		fk->doc = m->doc;
		if (fk->on_delete == FK_SET_NULL)
			for (size_t k = 0; k < cols.n; k++)
				if (((m_column *)cols.items[k])->not_null) {
					diag_error(s->d, m->on_delete_at, "'on delete set null' on column '%s', which is not null",
					           ((m_column *)cols.items[k])->name);
					break;
				}
		vec_push(s->a, &t->fks, fk);
	}
}

/* ---- relationships ----------------------------------------------------- */

static const char *cols_text(sema *s, const vec *cols)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", ((m_column *)cols->items[i])->name);
	const char *r = arena_strndup(s->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static bool fk_cols_match(const m_fk *fk, const vec *idents)
{
	if (fk->cols.n != idents->n)
		return false;
	for (size_t i = 0; i < idents->n; i++)
		if (strcmp(((m_column *)fk->cols.items[i])->name, ((ast_ident *)idents->items[i])->name) != 0)
			return false;
	return true;
}

/* Finds the one foreign key of `in` that references `to` (restricted to the
 * named columns when given); reports none / ambiguous. */
static m_fk *pick_fk(sema *s, const ast_member *m, m_table *in, m_table *to, const vec *idents, const char *form)
{
	vec cands;
	memset(&cands, 0, sizeof cands);
	for (size_t i = 0; i < in->fks.n; i++) {
		m_fk *fk = in->fks.items[i];
		if (fk->ref != to)
			continue;
		if (idents && idents->n && !fk_cols_match(fk, idents))
			continue;
		vec_push(s->a, &cands, fk);
	}
	if (cands.n == 1)
		return cands.items[0];
	if (cands.n == 0) {
		for (size_t i = 0; i < s->failed_fks.n; i++) {
			failed_fk *f = s->failed_fks.items[i];
			if (f->from == in && strcmp(f->to, to->name) == 0)
				return NULL;   /* that foreign key's own error says it all */
		}
		if (idents && idents->n) {
			buf b;
			buf_init(&b);
			for (size_t i = 0; i < idents->n; i++)
				buf_printf(&b, "%s%s", i ? ", " : "", ((ast_ident *)idents->items[i])->name);
			diag_error(s->d, m->at, "relationship '%s': no foreign key of '%s' on (%s) references '%s'",
			           m->name->name, in->name, buf_cstr(&b), to->name);
			buf_free(&b);
		} else {
			diag_error(s->d, m->at, "relationship '%s': no foreign key of '%s' references '%s'", m->name->name,
			           in->name, to->name);
		}
		diag_hint(s->d, "add a column to '%s' with 'references %s', or a 'foreign key' clause", in->name, to->name);
		return NULL;
	}
	diag_error(s->d, m->at, "relationship '%s' is ambiguous: %zu foreign keys of '%s' reference '%s'", m->name->name,
	           cands.n, in->name, to->name);
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cands.n; i++) {
		const char *cols = cols_text(s, &((m_fk *)cands.items[i])->cols);
		if (form)
			buf_printf(&b, "%s%s(%s)", i ? " or " : "", form, cols);
		else
			buf_printf(&b, "%s%s", i ? ", " : "", cols);
	}
	if (form)
		diag_hint(s->d, "name the foreign key columns: %s", buf_cstr(&b));
	else   /* many_to_many: both columns of the join table are named together */
		diag_hint(s->d, "name the join columns: through %s(from_column, to_column); the columns referencing '%s' are %s",
		          in->name, to->name, buf_cstr(&b));
	buf_free(&b);
	return NULL;
}

static void build_rels(sema *s, table_work *w)
{
	m_table *t = w->t;
	for (size_t i = 0; i < w->members.n; i++) {
		src_member *sm = w->members.items[i];
		ast_member *m = sm->m;
		if (m->kind != MEM_RELATIONSHIP)
			continue;
		m_column *clash = find_column(t, m->name->name);
		if (clash) {
			diag_error(s->d, m->name->at, "relationship '%s' has the same name as a column of '%s'", m->name->name,
			           t->name);
			diag_note(s->d, clash->at, "column '%s' defined here", clash->name);
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < t->rels.n; k++) {
			m_rel *o = t->rels.items[k];
			if (strcmp(o->name, m->name->name) == 0) {
				diag_error(s->d, m->name->at, "duplicate relationship '%s' in table '%s'", o->name, t->name);
				diag_note(s->d, o->at, "'%s' first defined here", o->name);
				dup = true;
			}
		}
		if (dup)
			continue;
		m_table *target = find_table(s, m->target->name);
		if (!target) {
			diag_error(s->d, m->target->at, "unknown table '%s'", m->target->name);
			hint_similar_table(s, m->target->name);
			continue;
		}
		m_rel *r = arena_alloc(s->a, sizeof *r);
		r->name = m->name->name;
		r->doc = m->doc;
		r->at = m->name->at;
		r->kind = m->rel_kind;
		r->owner = t;
		r->target = target;
		r->load = LOAD_LAZY;
		bool ok = true;
		const char *form = arena_printf(s->a, "%s %s %s", m->name->name,
		                                m->rel_kind == REL_HAS_MANY ? "has_many" :
		                                m->rel_kind == REL_HAS_ONE ? "has_one" : "belongs_to", target->name);
		switch (m->rel_kind) {
		case REL_HAS_MANY:
		case REL_HAS_ONE:
			if (m->has_fk_list) {
				vec tmp;
				memset(&tmp, 0, sizeof tmp);
				if (!resolve_cols(s, target, &m->fk_cols, &tmp, "the relationship")) {
					ok = false;
					break;
				}
			}
			r->fk = pick_fk(s, m, target, t, &m->fk_cols, form);
			ok = r->fk != NULL;
			break;
		case REL_BELONGS_TO:
			if (m->has_fk_list) {
				vec tmp;
				memset(&tmp, 0, sizeof tmp);
				if (!resolve_cols(s, t, &m->fk_cols, &tmp, "the relationship")) {
					ok = false;
					break;
				}
			}
			r->fk = pick_fk(s, m, t, target, &m->fk_cols, form);
			ok = r->fk != NULL;
			break;
		case REL_MANY_TO_MANY: {
			m_table *j = find_table(s, m->through->name);
			if (!j) {
				diag_error(s->d, m->through->at, "unknown table '%s'", m->through->name);
				hint_similar_table(s, m->through->name);
				ok = false;
				break;
			}
			r->through = j;
			vec src, dst;
			memset(&src, 0, sizeof src);
			memset(&dst, 0, sizeof dst);
			if (m->through_cols.n) {
				if (m->through_cols.n != 2) {
					diag_error(s->d, m->at, "'through %s(...)' names two columns: the one referencing '%s', then the one referencing '%s'",
					           j->name, t->name, target->name);
					ok = false;
					break;
				}
				vec_push(s->a, &src, m->through_cols.items[0]);
				vec_push(s->a, &dst, m->through_cols.items[1]);
				vec tmp;
				memset(&tmp, 0, sizeof tmp);
				if (!resolve_cols(s, j, &m->through_cols, &tmp, "the relationship")) {
					ok = false;
					break;
				}
			} else if (target == t) {
				diag_error(s->d, m->at, "relationship '%s' joins '%s' to itself: name the two columns of '%s'",
				           m->name->name, t->name, j->name);
				diag_hint(s->d, "write '%s many_to_many %s through %s(from_column, to_column)'", m->name->name,
				          target->name, j->name);
				ok = false;
				break;
			}
			r->fk = pick_fk(s, m, j, t, &src, NULL);
			r->through_fk = r->fk ? pick_fk(s, m, j, target, &dst, NULL) : NULL;
			ok = r->fk && r->through_fk;
			break;
		}
		}
		/* options */
		bool seen_load = false, seen_order = false, seen_limit = false;
		for (size_t k = 0; k < m->rel_opts.n; k++) {
			ast_rel_option *o = m->rel_opts.items[k];
			bool *seen = o->kind == RELOPT_LOAD ? &seen_load : o->kind == RELOPT_ORDER_BY ? &seen_order : &seen_limit;
			if (*seen) {
				diag_error(s->d, o->at, "option given twice for relationship '%s'", r->name);
				continue;
			}
			*seen = true;
			if (o->kind == RELOPT_LOAD) {
				static const char *const strategies[] = { "selectin", "joined", "subquery", "lazy" };
				static const ast_load loads[] = { LOAD_SELECTIN, LOAD_JOINED, LOAD_SUBQUERY, LOAD_LAZY };
				bool found = false;
				for (size_t q = 0; q < 4; q++)
					if (str_ieq(o->load_word->name, strategies[q])) {
						r->load = loads[q];
						found = true;
					}
				if (!found) {
					diag_error(s->d, o->load_word->at, "unknown load strategy '%s'", o->load_word->name);
					diag_hint(s->d, "use selectin, joined, subquery or lazy");
				}
			} else if (o->kind == RELOPT_ORDER_BY) {
				for (size_t q = 0; q < o->order.n; q++) {
					ast_order_item *it = o->order.items[q];
					m_column *c = find_column(target, it->column->name);
					if (!c) {
						unknown_column(s, target, it->column);
						continue;
					}
					m_order *mo = arena_alloc(s->a, sizeof *mo);
					mo->col = c;
					mo->sort = it->sort;
					mo->nulls = it->nulls;
					vec_push(s->a, &r->order, mo);
				}
			} else {
				long v = strspn(o->limit->text, "0123456789") == strlen(o->limit->text) ? strtol(o->limit->text, NULL, 10) : 0;
				if (v <= 0 || v > 1000000000) {
					diag_error(s->d, o->limit->at, "relationship limit must be a positive integer");
				} else if (r->kind != REL_HAS_MANY && r->kind != REL_MANY_TO_MANY) {
					diag_error(s->d, o->at, "'limit' applies to has_many and many_to_many relationships");
				} else {
					r->limit = v;
				}
			}
		}
		if (ok)
			vec_push(s->a, &t->rels, r);
	}
}

static void link_inverses(sema *s)
{
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		for (size_t k = 0; k < t->rels.n; k++) {
			m_rel *r = t->rels.items[k];
			if (r->inverse)
				continue;
			for (size_t q = 0; q < r->target->rels.n; q++) {
				m_rel *o = r->target->rels.items[q];
				if (o == r || o->inverse || o->target != t || o->fk != r->fk)
					continue;
				bool match = r->kind == REL_MANY_TO_MANY
					? (o->kind == REL_MANY_TO_MANY && o->through_fk == r->fk && o->fk == r->through_fk)
					: (r->kind == REL_BELONGS_TO) != (o->kind == REL_BELONGS_TO);
				if (r->kind == REL_MANY_TO_MANY && o->kind == REL_MANY_TO_MANY)
					match = o->fk == r->through_fk && o->through_fk == r->fk;
				if (match) {
					r->inverse = o;
					o->inverse = r;
					break;
				}
			}
			/* m2m inverse has swapped keys, so the o->fk != r->fk test above skipped it */
			if (!r->inverse && r->kind == REL_MANY_TO_MANY) {
				for (size_t q = 0; q < r->target->rels.n; q++) {
					m_rel *o = r->target->rels.items[q];
					if (o != r && !o->inverse && o->kind == REL_MANY_TO_MANY && o->fk == r->through_fk &&
					    o->through_fk == r->fk) {
						r->inverse = o;
						o->inverse = r;
						break;
					}
				}
			}
		}
	}
}

/* ---- names ------------------------------------------------------------- */

/* Fits a generated name into 63 bytes: keep a prefix, add a hash of the
 * whole name, so truncation is deterministic and stays unique. */
static const char *fit_name(sema *s, const char *name)
{
	size_t n = strlen(name);
	if (n <= PG_NAME_MAX)
		return name;
	uint32_t h = fnv1a32(name, n);
	size_t keep = PG_NAME_MAX - 9;
	while (keep > 0 && ((unsigned char)name[keep] & 0xC0) == 0x80)
		keep--;   /* do not cut a UTF-8 sequence */
	return arena_printf(s->a, "%.*s_%08x", (int)keep, name, h);
}

static void cols_suffix(buf *b, const vec *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(b, "_%s", ((m_column *)cols->items[i])->name);
}

static const char *gen_name(sema *s, buf *b)
{
	const char *r = fit_name(s, buf_cstr(b));
	if (r == b->data)
		r = arena_strdup(s->a, r);
	buf_free(b);
	return r;
}

typedef struct name_owner {
	const char *name;
	loc at;
	m_table *table;
	bool relation;      /* shares the relation namespace (tables, indexes) */
	bool constraint;    /* a constraint of its table (pk, unique, fk, check) */
	struct name_owner *next;    /* earlier owner of the same name */
} name_owner;

static void claim_name(sema *s, strmap *owners, const char *name, loc at, m_table *t, bool relation, bool explicit_name,
                       const char *hint, bool constraint)
{
	bool found;
	void **slot = strmap_slot(s->a, owners, name, &found);
	/* first owner first, as the diagnostics have always said */
	for (name_owner *o = *slot; o; o = o->next) {
		/* indexes and tables share the schema's namespace; other
		 * constraints only clash with other constraints of their table */
		if (!((relation && o->relation) || (constraint && o->constraint && o->table == t)))
			continue;
		if (explicit_name)
			diag_error(s->d, at, "name '%s' is already used", name);
		else
			diag_error(s->d, at, "generated name '%s' is already used", name);
		diag_note(s->d, o->at, "'%s' first used here", name);
		if (hint)
			diag_hint(s->d, "%s", hint);
		else if (!explicit_name)
			diag_hint(s->d, "give this constraint or index an explicit name");
		return;
	}
	name_owner *o = arena_alloc(s->a, sizeof *o);
	o->name = name;
	o->at = at;
	o->table = t;
	o->relation = relation;
	o->constraint = constraint;
	/* appended, so the walk above meets the first owner first */
	name_owner **tail = (name_owner **)slot;
	while (*tail)
		tail = &(*tail)->next;
	*tail = o;
}

static void assign_names(sema *s)
{
	strmap owners;  /* name -> name_owner chain */
	memset(&owners, 0, sizeof owners);
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		claim_name(s, &owners, t->name, t->at, t, true, true, NULL, false);
	}
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		buf b;
		if (t->pk) {
			buf_init(&b);
			buf_printf(&b, "pk_%s", t->name);
			t->pk->name = gen_name(s, &b);
			claim_name(s, &owners, t->pk->name, t->pk->at, t, true, false,
			           arena_printf(s->a, "a primary key is always named %s; rename what else uses the name",
			                        t->pk->name), true);
		}
		for (size_t k = 0; k < t->uniques.n; k++) {
			m_key *u = t->uniques.items[k];
			bool ex = u->name != NULL;
			if (!ex) {
				buf_init(&b);
				buf_printf(&b, "uq_%s", t->name);
				cols_suffix(&b, &u->cols);
				u->name = gen_name(s, &b);
			}
			claim_name(s, &owners, u->name, ex ? u->name_at : u->at, t, true, ex, NULL, true);
		}
		for (size_t k = 0; k < t->indexes.n; k++) {
			m_index *ix = t->indexes.items[k];
			bool ex = ix->name != NULL;
			if (!ex) {
				buf_init(&b);
				buf_printf(&b, "ix_%s", t->name);
				for (size_t q = 0; q < ix->elems.n; q++) {
					m_index_elem *e = ix->elems.items[q];
					if (e->col) {
						buf_printf(&b, "_%s", e->col->name);
					} else {
						/* the words of the expression: lower(email) -> lower_email */
						buf_putc(&b, '_');
						bool sep = false;
						for (const char *p = e->expr_sql; *p; p++) {
							bool w = isalnum((unsigned char)*p) || *p == '_';
							if (w) {
								if (sep && b.data[b.len - 1] != '_')
									buf_putc(&b, '_');
								buf_putc(&b, *p);
								sep = false;
							} else {
								sep = true;
							}
						}
					}
				}
				ix->name = gen_name(s, &b);
			}
			claim_name(s, &owners, ix->name, ex ? ix->name_at : ix->at, t, true, ex, NULL, false);
		}
		for (size_t k = 0; k < t->fks.n; k++) {
			m_fk *fk = t->fks.items[k];
			bool ex = fk->name != NULL;
			if (!ex) {
				buf_init(&b);
				buf_printf(&b, "fk_%s", t->name);
				cols_suffix(&b, &fk->cols);
				buf_printf(&b, "_%s", fk->ref->name);
				fk->name = gen_name(s, &b);
			}
			claim_name(s, &owners, fk->name, ex ? fk->name_at : fk->at, t, false, ex, NULL, true);
		}
		for (size_t k = 0; k < t->checks.n; k++) {
			m_check *ck = t->checks.items[k];
			bool ex = ck->name && ck->name[0] != '\x01';
			if (!ex) {
				buf_init(&b);
				buf_printf(&b, "ck_%s", t->name);
				if (ck->name) {
					buf_printf(&b, "_%s", ck->name + 1);   /* column-level: its column */
				} else {
					/* table-level: the columns it mentions, in table order */
					int nm = 0;
					for (size_t q = 0; q < t->columns.n; q++)
						for (size_t r = 0; r < ck->cols.n; r++)
							if (ck->cols.items[r] == t->columns.items[q]) {
								buf_printf(&b, "_%s", ((m_column *)t->columns.items[q])->name);
								nm++;
							}
					if (nm == 0)
						buf_puts(&b, "_check");
				}
				/* two unnamed checks on the same columns: number them */
				const char *base = gen_name(s, &b);
				const char *name = base;
				for (int n = 2;; n++) {
					bool used = false;
					for (size_t q = 0; q < k; q++)
						if (strcmp(((m_check *)t->checks.items[q])->name, name) == 0)
							used = true;
					if (!used)
						break;
					buf_init(&b);
					buf_printf(&b, "%s_%d", base, n);
					name = gen_name(s, &b);
				}
				ck->name = name;
			}
			claim_name(s, &owners, ck->name, ex ? ck->name_at : ck->at, t, false, ex, NULL, true);
		}
	}
}

/* Row struct names: a simple English singular of the table name, falling
 * back to the table name when two would collide. */
static const char *singular(sema *s, const char *name)
{
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, "ies") == 0)
		return arena_printf(s->a, "%.*sy", (int)(n - 3), name);
	if (n > 4 && (strcmp(name + n - 4, "sses") == 0 || strcmp(name + n - 4, "ches") == 0 ||
	              strcmp(name + n - 4, "shes") == 0 || strcmp(name + n - 3, "xes") == 0))
		return arena_strndup(s->a, name, n - 2);
	if (n > 2 && name[n - 1] == 's' && name[n - 2] != 's' && name[n - 2] != 'u' && name[n - 2] != 'i')
		return arena_strndup(s->a, name, n - 1);
	return name;
}

static void assign_c_names(sema *s)
{
	s->m->c_prefix = c_word(s->a, s->m->name);
	s->m->c_guard = arena_printf(s->a, "%s_MODEL_H", str_upper(s->a, s->m->c_prefix));
	/* names taken (enums, struct names chosen so far) and, per C spelling,
	 * how many tables spell their name or its singular that way */
	strmap used, spelled;
	memset(&used, 0, sizeof used);
	memset(&spelled, 0, sizeof spelled);
	bool found;
	for (size_t i = 0; i < s->m->enums.n; i++)
		*strmap_slot(s->a, &used, c_ident(s->a, ((m_enum *)s->m->enums.items[i])->name), &found) = (void *)1;
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		const char *plain = c_ident(s->a, t->name), *sing = c_ident(s->a, singular(s, t->name));
		void **slot = strmap_slot(s->a, &spelled, plain, &found);
		*slot = (void *)((uintptr_t)*slot + 1);
		if (strcmp(sing, plain) != 0) {
			slot = strmap_slot(s->a, &spelled, sing, &found);
			*slot = (void *)((uintptr_t)*slot + 1);
		}
	}
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		const char *cand = c_ident(s->a, singular(s, t->name));
		/* another table spells its name or singular like this one's singular */
		if (strmap_get(&used, cand) || (uintptr_t)strmap_get(&spelled, cand) > 1)
			cand = NULL;
		if (!cand)
			cand = arena_printf(s->a, "%s_row", c_ident(s->a, t->name));
		t->c_struct = cand;
		*strmap_slot(s->a, &used, cand, &found) = (void *)1;

		/* column members: name and name_null must not collide */
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			c->c_name = c_ident(s->a, c->name);
			c->c_null = c->not_null ? NULL : c_word(s->a, arena_printf(s->a, "%s_null", c->c_name));
		}
		for (size_t k = 0; k < t->rels.n; k++) {
			m_rel *r = t->rels.items[k];
			r->c_name = c_ident(s->a, r->name);
		}
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			for (size_t q = 0; q < t->columns.n; q++) {
				m_column *o = t->columns.items[q];
				if (o == c)
					continue;
				const char *on = o->c_null;
				if (strcmp(o->c_name, c->c_name) == 0 && q < k) {
					diag_error(s->d, c->at, "column '%s' and column '%s' have the same C name '%s'", c->name,
					           o->name, c->c_name);
				} else if (on && strcmp(on, c->c_name) == 0) {
					diag_error(s->d, c->at, "column '%s' clashes with the NULL flag '%s' of column '%s'", c->name, on,
					           o->name);
				}
			}
			for (size_t q = 0; q < t->rels.n; q++) {
				m_rel *r = t->rels.items[q];
				if (strcmp(r->c_name, c->c_name) == 0 ||
				    (c->c_null && strcmp(r->c_name, c->c_null) == 0))
					diag_error(s->d, r->at, "relationship '%s' has the same C name as a member for column '%s'", r->name,
					           c->name);
			}
		}
	}
	/* relationship members of one struct */
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		for (size_t k = 0; k < t->rels.n; k++)
			for (size_t q = 0; q < k; q++) {
				m_rel *r = t->rels.items[k], *o = t->rels.items[q];
				if (strcmp(r->c_name, o->c_name) == 0) {
					diag_error(s->d, r->at, "relationships '%s' and '%s' have the same C name '%s'", o->name, r->name,
					           r->c_name);
					diag_note(s->d, o->at, "'%s' defined here", o->name);
				}
			}
	}

	/* every file-scope name the header declares, in one namespace since
	 * the macros among them would clash with anything */
	const char *up = str_upper(s->a, s->m->c_prefix);
	strmap names;   /* C name -> what owns it */
	memset(&names, 0, sizeof names);
#define CLAIM(name_, at_, what_)                                                                   \
	do {                                                                                           \
		const char *nm_ = (name_);                                                                 \
		bool found_;                                                                               \
		void **owner_ = strmap_slot(s->a, &names, nm_, &found_);                                   \
		if (found_)                                                                                \
			diag_error(s->d, (at_), "the C name '%s' of %s is already used by %s", nm_, (what_),   \
			           (const char *)*owner_);                                                     \
		else                                                                                       \
			*owner_ = (void *)(what_);                                                             \
	} while (0)
	CLAIM(s->m->c_guard, LOC_NONE, "the include guard");
	for (size_t i = 0; i < s->m->enums.n; i++) {
		m_enum *e = s->m->enums.items[i];
		const char *en = c_word(s->a, e->name);
		e->c_name = arena_printf(s->a, "%s_%s", s->m->c_prefix, en);
		e->c_count = arena_printf(s->a, "%s_%s_COUNT", up, str_upper(s->a, en));
		const char *what = arena_printf(s->a, "enum '%s'", e->name);
		CLAIM(e->c_name, e->at, what);
		CLAIM(arena_printf(s->a, "%s_array", e->c_name), e->at, what);
		CLAIM(arena_printf(s->a, "%s_to_string", e->c_name), e->at, what);
		CLAIM(arena_printf(s->a, "%s_from_string", e->c_name), e->at, what);
		CLAIM(e->c_count, e->at, arena_printf(s->a, "the label count of enum '%s'", e->name));
		for (size_t k = 0; k < e->labels.n; k++) {
			const char *lab = e->labels.items[k];
			const char *cn = arena_printf(s->a, "%s_%s_%s", up, str_upper(s->a, en),
			                              str_upper(s->a, c_word(s->a, lab)));
			vec_push(s->a, &e->c_consts, (void *)cn);
			CLAIM(cn, *(loc *)e->label_at.items[k], arena_printf(s->a, "label '%s' of enum '%s'", lab, e->name));
		}
	}
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
		CLAIM(arena_printf(s->a, "%s_%s", s->m->c_prefix, t->c_struct), t->at,
		      arena_printf(s->a, "the row struct of table '%s'", t->name));
	}
	/* the constraint enum: every name a violation can report */
	s->m->c_constraint = arena_printf(s->a, "%s_constraint", s->m->c_prefix);
	CLAIM(s->m->c_constraint, LOC_NONE, "the constraint enum");
	CLAIM(arena_printf(s->a, "%s_CONSTRAINT_COUNT", up), LOC_NONE, "the constraint enum");
	for (size_t i = 0; i < s->m->tables.n; i++) {
		m_table *t = s->m->tables.items[i];
#define CONSTRAINT_CONST(obj_, at_)                                                                \
	do {                                                                                           \
		(obj_)->c_const = arena_printf(s->a, "%s_%s", up, str_upper(s->a, c_word(s->a, (obj_)->name))); \
		CLAIM((obj_)->c_const, (at_), arena_printf(s->a, "constraint '%s'", (obj_)->name));        \
	} while (0)
		if (t->pk)
			CONSTRAINT_CONST(t->pk, t->pk->at);
		for (size_t k = 0; k < t->uniques.n; k++)
			CONSTRAINT_CONST((m_key *)t->uniques.items[k], ((m_key *)t->uniques.items[k])->at);
		for (size_t k = 0; k < t->indexes.n; k++)
			if (((m_index *)t->indexes.items[k])->unique)
				CONSTRAINT_CONST((m_index *)t->indexes.items[k], ((m_index *)t->indexes.items[k])->at);
		for (size_t k = 0; k < t->fks.n; k++)
			CONSTRAINT_CONST((m_fk *)t->fks.items[k], ((m_fk *)t->fks.items[k])->at);
		for (size_t k = 0; k < t->checks.n; k++)
			CONSTRAINT_CONST((m_check *)t->checks.items[k], ((m_check *)t->checks.items[k])->at);
#undef CONSTRAINT_CONST
	}
#undef CLAIM
}

/* Referenced tables first; ties (and cycles) keep declaration order. */
static void dependency_order(sema *s)
{
	size_t n = s->m->tables.n;
	char *done = arena_alloc(s->a, n + 1);
	for (size_t placed = 0; placed < n;) {
		bool progress = false;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			m_table *t = s->m->tables.items[i];
			bool ready = true;
			for (size_t k = 0; k < t->fks.n && ready; k++) {
				m_fk *fk = t->fks.items[k];
				if (fk->ref == t)
					continue;
				for (size_t q = 0; q < n; q++)
					if (s->m->tables.items[q] == fk->ref && !done[q])
						ready = false;
			}
			if (ready) {
				done[i] = 1;
				t->order = (int)placed++;
				vec_push(s->a, &s->m->tables_dep, t);
				progress = true;
				break;  /* restart: keeps declaration order among ready tables */
			}
		}
		if (!progress) {
			/* a cycle: take the first remaining table (its foreign keys are
			 * added after all tables exist anyway) */
			for (size_t i = 0; i < n; i++)
				if (!done[i]) {
					done[i] = 1;
					m_table *t = s->m->tables.items[i];
					t->order = (int)placed++;
					vec_push(s->a, &s->m->tables_dep, t);
					break;
				}
		}
	}
}

static bool mixin_used(sema *s, const ast_decl *mx, const vec *work)
{
	(void)s;
	for (size_t i = 0; i < work->n; i++) {
		const table_work *w = work->items[i];
		for (size_t k = 0; k < w->members.n; k++) {
			const src_member *sm = w->members.items[k];
			if (sm->mixin && strcmp(sm->mixin, mx->name->name) == 0)
				return true;
		}
	}
	/* a mixin with no members that is used still counts as used */
	for (size_t i = 0; i < work->n; i++) {
		const table_work *w = work->items[i];
		for (size_t k = 0; k < w->decl->members.n; k++) {
			const ast_member *m = w->decl->members.items[k];
			if (m->kind != MEM_USE)
				continue;
			for (size_t q = 0; q < m->idents.n; q++)
				if (strcmp(((ast_ident *)m->idents.items[q])->name, mx->name->name) == 0)
					return true;
		}
	}
	return false;
}

model *sema_check(diag_ctx *d, ast_file **files, size_t nfiles, const char *main_path)
{
	sema s;
	memset(&s, 0, sizeof s);
	s.d = d;
	s.a = d->a;
	s.m = arena_alloc(d->a, sizeof *s.m);
	const char *base = strrchr(main_path, '/');
	base = base ? base + 1 : main_path;
	s.m->source = arena_strdup(d->a, base);
	const char *dot = strrchr(base, '.');
	s.m->name = arena_strndup(d->a, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
	s.m->doc = nfiles ? files[nfiles - 1]->doc : NULL;

	int errors_before = d->errors;
	declare_all(&s, files, nfiles);

	vec work;
	memset(&work, 0, sizeof work);
	for (size_t i = 0; i < s.m->tables.n; i++) {
		table_work *w = arena_alloc(s.a, sizeof *w);
		w->t = s.m->tables.items[i];
		w->decl = s.table_decls.items[i];
		w->members = table_members(&s, w->decl);
		vec_push(s.a, &work, w);
	}
	for (size_t i = 0; i < work.n; i++)
		build_columns(&s, work.items[i]);
	for (size_t i = 0; i < work.n; i++)
		build_constraints(&s, work.items[i]);
	for (size_t i = 0; i < work.n; i++) {
		/* only now is nullability final (a table-level primary key) */
		m_column *v = ((table_work *)work.items[i])->t->version_col;
		if (v && !v->not_null) {
			diag_error(d, v->version_at, "version column '%s' must be not null", v->name);
			diag_hint(d, "write '%s %s not null default 1 version'", v->name, v->type.sql);
		}
	}
	for (size_t i = 0; i < work.n; i++)
		build_fks(&s, work.items[i]);
	for (size_t i = 0; i < work.n; i++)
		build_rels(&s, work.items[i]);
	link_inverses(&s);
	/* only worth saying about an otherwise sound model: next to an
	 * "unknown mixin" error it would be noise */
	for (size_t i = 0; d->errors == errors_before && i < s.mixin_decls.n; i++) {
		ast_decl *mx = s.mixin_decls.items[i];
		if (!mixin_used(&s, mx, &work))
			diag_warning(d, mx->name->at, "mixin '%s' is not used by any table, so it was not checked",
			             mx->name->name);
	}
	assign_names(&s);
	if (d->errors == errors_before)   /* SQL-level clashes would repeat as C ones */
		assign_c_names(&s);
	dependency_order(&s);

	if (d->errors > errors_before)
		return NULL;
	return s.m;
}

/* mig_diff.c - the difference between two schema states as ordered SQL
 * steps, and the commands built on it: `migrate new` and `migrate check`.
 *
 * One algorithm serves both directions: the upgrade is diff(state, model)
 * and the downgrade diff(model, state). Rename hints (`renamed from`) live
 * in the newer of the two, so objects are paired once, before diffing, and
 * the pairs are read either way round. Steps carry a phase that puts them in
 * dependency order (types before tables, tables before foreign keys, drops
 * of dependents before drops of what they depend on). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate.h"
#include "output.h"

enum phase {
	P_ENUM_VALUE,           /* no transaction: committed before anything uses it */
	P_EXTENSION,
	P_ENUM_CREATE,
	P_ENUM_RENAME_VALUE,
	P_RENAME_TABLE,
	P_RENAME_COLUMN,
	P_DROP_FK,
	P_DROP_INDEX,
	P_DROP_CONSTRAINT,
	P_DROP_TABLE,
	P_CREATE_TABLE,
	P_DROP_COLUMN,
	P_ADD_COLUMN,
	P_ALTER_COLUMN,
	P_RENAME_CONSTRAINT,
	P_ADD_CONSTRAINT,
	P_ADD_INDEX,
	P_ADD_FK,
	P_COMMENT,
	P_DROP_ENUM,
	P_CONCURRENT_INDEX,     /* no transaction: last */
};

typedef struct step {
	int phase;
	int seq;                /* emission order within a phase */
	const char *comment;
	const char *sql;        /* NULL: a comment only */
	bool no_tx;
	int mark;               /* 0, MARK_RISKY, MARK_DESTRUCTIVE */
	loc at;                 /* in the model, for refusals */
	const char *why;        /* what is refused, for the message */
	bool rename_hint;       /* why says a new object may be this one renamed */
} step;

enum { MARK_NONE, MARK_RISKY, MARK_DESTRUCTIVE };

/* A table or column of the newer model paired with its counterpart in the
 * older one (by name, or by its `renamed from` hint). */
typedef struct pair {
	const void *newer, *older;
} pair;

typedef struct differ {
	arena *a;
	diag_ctx *d;
	const model *from, *to;
	bool up;                /* from = older state, to = newer model */
	bool concurrently;
	vec tables;             /* pair * of m_table */
	vec columns;            /* pair * of m_column */
	vec steps;              /* step * */
	int seq;
} differ;

/* ---- pairing -------------------------------------------------------------------- */

static m_table *find_table(const model *m, const char *name)
{
	if (!m || !name)
		return NULL;
	for (size_t i = 0; i < m->tables.n; i++)
		if (strcmp(((m_table *)m->tables.items[i])->name, name) == 0)
			return m->tables.items[i];
	return NULL;
}

static m_column *find_column(const m_table *t, const char *name)
{
	if (!t || !name)
		return NULL;
	for (size_t i = 0; i < t->columns.n; i++)
		if (strcmp(((m_column *)t->columns.items[i])->name, name) == 0)
			return t->columns.items[i];
	return NULL;
}

static m_enum *find_enum(const model *m, const char *name)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->enums.n; i++)
		if (strcmp(((m_enum *)m->enums.items[i])->name, name) == 0)
			return m->enums.items[i];
	return NULL;
}

static void add_pair(differ *df, vec *v, const void *newer, const void *older)
{
	pair *p = arena_alloc(df->a, sizeof *p);
	p->newer = newer;
	p->older = older;
	vec_push(df->a, v, p);
}

static void pair_all(differ *df)
{
	const model *newer = df->up ? df->to : df->from, *older = df->up ? df->from : df->to;
	if (!newer || !older)
		return;
	for (size_t i = 0; i < newer->tables.n; i++) {
		m_table *n = newer->tables.items[i];
		m_table *o = find_table(older, n->name);
		if (!o && n->renamed_from && !find_table(newer, n->renamed_from))
			o = find_table(older, n->renamed_from);
		if (!o)
			continue;
		add_pair(df, &df->tables, n, o);
		for (size_t k = 0; k < n->columns.n; k++) {
			m_column *nc = n->columns.items[k];
			m_column *oc = find_column(o, nc->name);
			if (!oc && nc->renamed_from && !find_column(n, nc->renamed_from))
				oc = find_column(o, nc->renamed_from);
			if (oc)
				add_pair(df, &df->columns, nc, oc);
		}
	}
}

/* The counterpart on the other side of a table or column of side "from"
 * (is_from) or "to". */
static const void *other(const differ *df, const vec *pairs, const void *x, bool is_from)
{
	/* from is the older side when going up */
	bool x_is_newer = df->up ? !is_from : is_from;
	for (size_t i = 0; i < pairs->n; i++) {
		const pair *p = pairs->items[i];
		if ((x_is_newer ? p->newer : p->older) == x)
			return x_is_newer ? p->older : p->newer;
	}
	return NULL;
}

static const m_table *table_to(const differ *df, const m_table *from) { return other(df, &df->tables, from, true); }
static const m_table *table_from(const differ *df, const m_table *to) { return other(df, &df->tables, to, false); }
static const m_column *col_to(const differ *df, const m_column *from) { return other(df, &df->columns, from, true); }
static const m_column *col_from(const differ *df, const m_column *to) { return other(df, &df->columns, to, false); }

/* ---- SQL text ------------------------------------------------------------------- */

static const char *q(differ *df, const char *name) { return sql_ident(df->a, name); }

static const char *literal(differ *df, const char *s)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(&b, '\'');
		buf_putc(&b, *s);
	}
	buf_putc(&b, '\'');
	const char *r = arena_strndup(df->a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* Column names of cols, quoted, comma-separated; with map, each column of
 * the from side is named as its counterpart on the to side (a signature). */
static const char *col_list(differ *df, const vec *cols, bool map)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++) {
		const m_column *c = cols->items[i];
		if (map) {
			const m_column *t = col_to(df, c);
			c = t ? t : NULL;
		}
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, c ? q(df, c->name) : "#gone");
	}
	const char *r = arena_strndup(df->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static const char *column_def(differ *df, const m_column *c)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "%s %s", q(df, c->name), c->type.sql);
	if (c->generated_sql)
		buf_printf(&b, " GENERATED ALWAYS AS (%s) STORED", c->generated_sql);
	if (c->identity)
		buf_printf(&b, " GENERATED %s AS IDENTITY", c->identity_by_default ? "BY DEFAULT" : "ALWAYS");
	if (c->not_null)
		buf_puts(&b, " NOT NULL");
	if (c->default_sql)
		buf_printf(&b, " DEFAULT %s", c->default_sql);
	const char *r = arena_strndup(df->a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *index_body(differ *df, const m_index *ix, bool map)
{
	buf b;
	buf_init(&b);
	if (ix->method)
		buf_printf(&b, "USING %s ", ix->method);
	buf_putc(&b, '(');
	for (size_t i = 0; i < ix->elems.n; i++) {
		const m_index_elem *el = ix->elems.items[i];
		if (i)
			buf_puts(&b, ", ");
		if (el->col) {
			const m_column *c = map ? col_to(df, el->col) : el->col;
			buf_puts(&b, c ? q(df, c->name) : "#gone");
		} else {
			buf_printf(&b, "(%s)", el->expr_sql);
		}
		if (el->opclass)
			buf_printf(&b, " %s", el->opclass);
		if (el->sort != SORT_DEFAULT)
			buf_puts(&b, el->sort == SORT_DESC ? " DESC" : " ASC");
		if (el->nulls != NULLS_DEFAULT)
			buf_puts(&b, el->nulls == NULLS_FIRST ? " NULLS FIRST" : " NULLS LAST");
	}
	buf_putc(&b, ')');
	if (ix->include.n)
		buf_printf(&b, " INCLUDE (%s)", col_list(df, &ix->include, map));
	if (ix->where_sql)
		buf_printf(&b, " WHERE %s", ix->where_sql);
	const char *r = arena_strndup(df->a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *index_sql(differ *df, const m_table *t, const m_index *ix, bool concurrently)
{
	return arena_printf(df->a, "CREATE %sINDEX %s%s ON %s %s", ix->unique ? "UNIQUE " : "",
	                    concurrently ? "CONCURRENTLY " : "", q(df, ix->name), q(df, t->name),
	                    index_body(df, ix, false));
}

static const char *fk_body(differ *df, const m_fk *fk, bool map)
{
	const m_table *ref = fk->ref;
	const char *refname = ref->name;
	if (map) {
		const m_table *rt = table_to(df, ref);
		refname = rt ? rt->name : "#gone";
	}
	const char *od = fk_action_sql(fk->on_delete), *ou = fk_action_sql(fk->on_update);
	return arena_printf(df->a, "FOREIGN KEY (%s) REFERENCES %s (%s)%s%s%s%s", col_list(df, &fk->cols, map),
	                    q(df, refname), col_list(df, &fk->ref_cols, map), od ? " ON DELETE " : "", od ? od : "",
	                    ou ? " ON UPDATE " : "", ou ? ou : "");
}

static const char *create_table_sql(differ *df, const m_table *t)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "CREATE TABLE %s (", q(df, t->name));
	const char *sep = "\n    ";
	for (size_t i = 0; i < t->columns.n; i++) {
		buf_printf(&b, "%s%s", sep, column_def(df, t->columns.items[i]));
		sep = ",\n    ";
	}
	if (t->pk)
		buf_printf(&b, "%sCONSTRAINT %s PRIMARY KEY (%s)", sep, q(df, t->pk->name), col_list(df, &t->pk->cols, false));
	for (size_t i = 0; i < t->uniques.n; i++) {
		const m_key *u = t->uniques.items[i];
		buf_printf(&b, "%sCONSTRAINT %s UNIQUE (%s)", sep, q(df, u->name), col_list(df, &u->cols, false));
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		const m_check *ck = t->checks.items[i];
		buf_printf(&b, "%sCONSTRAINT %s CHECK (%s)", sep, q(df, ck->name), ck->sql);
	}
	buf_puts(&b, "\n)");
	const char *r = arena_strndup(df->a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* ---- steps ---------------------------------------------------------------------- */

static step *add(differ *df, int phase, const char *comment, const char *sql)
{
	step *s = arena_alloc(df->a, sizeof *s);
	s->phase = phase;
	s->seq = df->seq++;
	s->comment = comment;
	s->sql = sql;
	s->at = LOC_NONE;
	vec_push(df->a, &df->steps, s);
	return s;
}

static void mark(step *s, int m, loc at, const char *why)
{
	s->mark = m;
	s->at = at;
	s->why = why;
}

static void comment_on(differ *df, const char *what, const char *target, const char *from_doc, const char *to_doc,
                       bool is_new)
{
	if (is_new ? !to_doc : (from_doc == to_doc || (from_doc && to_doc && strcmp(from_doc, to_doc) == 0)))
		return;
	const char *word = strcmp(what, "TABLE") == 0 ? "table" : strcmp(what, "COLUMN") == 0 ? "column"
	                 : strcmp(what, "TYPE") == 0 ? "type" : strcmp(what, "INDEX") == 0 ? "index" : "constraint";
	add(df, P_COMMENT, arena_printf(df->a, "%s comment on %s %s", to_doc ? "set the" : "remove the", word, target),
	    arena_printf(df->a, "COMMENT ON %s %s IS %s", what, target, to_doc ? literal(df, to_doc) : "NULL"));
}

/* Doc comments of a table created (or re-created) by the migration. */
static void comments_of_new_table(differ *df, const m_table *t)
{
	const char *tn = q(df, t->name);
	comment_on(df, "TABLE", tn, NULL, t->doc, true);
	for (size_t i = 0; i < t->columns.n; i++) {
		const m_column *c = t->columns.items[i];
		comment_on(df, "COLUMN", arena_printf(df->a, "%s.%s", tn, q(df, c->name)), NULL, c->doc, true);
	}
	for (size_t i = 0; i < t->uniques.n; i++) {
		const m_key *u = t->uniques.items[i];
		comment_on(df, "CONSTRAINT", arena_printf(df->a, "%s ON %s", q(df, u->name), tn), NULL, u->doc, true);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		const m_check *ck = t->checks.items[i];
		comment_on(df, "CONSTRAINT", arena_printf(df->a, "%s ON %s", q(df, ck->name), tn), NULL, ck->doc, true);
	}
	for (size_t i = 0; i < t->fks.n; i++) {
		const m_fk *fk = t->fks.items[i];
		comment_on(df, "CONSTRAINT", arena_printf(df->a, "%s ON %s", q(df, fk->name), tn), NULL, fk->doc, true);
	}
	for (size_t i = 0; i < t->indexes.n; i++) {
		const m_index *ix = t->indexes.items[i];
		comment_on(df, "INDEX", q(df, ix->name), NULL, ix->doc, true);
	}
}

/* ---- enums ---------------------------------------------------------------------- */

static bool has_label(const m_enum *e, const char *l)
{
	for (size_t i = 0; i < e->labels.n; i++)
		if (strcmp(e->labels.items[i], l) == 0)
			return true;
	return false;
}

static void diff_enums(differ *df)
{
	const model *from = df->from, *to = df->to;
	for (size_t i = 0; to && i < to->enums.n; i++) {
		m_enum *te = to->enums.items[i];
		m_enum *fe = find_enum(from, te->name);
		const char *en = q(df, te->name);
		if (!fe) {
			buf b;
			buf_init(&b);
			for (size_t k = 0; k < te->labels.n; k++)
				buf_printf(&b, "%s%s", k ? ", " : "", literal(df, te->labels.items[k]));
			add(df, P_ENUM_CREATE, arena_printf(df->a, "create enum type %s", te->name),
			    arena_printf(df->a, "CREATE TYPE %s AS ENUM (%s)", en, b.data ? b.data : ""));
			buf_free(&b);
			comment_on(df, "TYPE", en, NULL, te->doc, true);
			continue;
		}
		comment_on(df, "TYPE", en, fe->doc, te->doc, false);
		/* the same number of labels with one in a new spelling at the same
		 * place: a rename (data keeps its position in the type) */
		size_t nmiss = 0, nnew = 0, miss_at = 0, new_at = 0;
		for (size_t k = 0; k < fe->labels.n; k++)
			if (!has_label(te, fe->labels.items[k]))
				nmiss++, miss_at = k;
		for (size_t k = 0; k < te->labels.n; k++)
			if (!has_label(fe, te->labels.items[k]))
				nnew++, new_at = k;
		if (nmiss == 1 && nnew == 1 && miss_at == new_at && fe->labels.n == te->labels.n) {
			add(df, P_ENUM_RENAME_VALUE,
			    arena_printf(df->a, "rename value '%s' of enum %s to '%s'", (char *)fe->labels.items[miss_at],
			                 te->name, (char *)te->labels.items[new_at]),
			    arena_printf(df->a, "ALTER TYPE %s RENAME VALUE %s TO %s", en, literal(df, fe->labels.items[miss_at]),
			                 literal(df, te->labels.items[new_at])));
			continue;
		}
		if (nmiss) {
			if (df->up) {
				diag_error(df->d, te->at, "enum '%s' loses label '%s': PostgreSQL cannot remove a value from an enum type",
				           te->name, (char *)fe->labels.items[miss_at]);
				diag_hint(df->d, "keep the label, or write that migration by hand (a new type, ALTER COLUMN ... TYPE ... USING, DROP TYPE)");
			} else {
				for (size_t k = 0; k < fe->labels.n; k++)
					if (!has_label(te, fe->labels.items[k]))
						add(df, P_ENUM_VALUE,
						    arena_printf(df->a, "enum %s keeps its value '%s': PostgreSQL cannot remove a value from an enum type",
						                 te->name, (char *)fe->labels.items[k]),
						    NULL);
			}
		}
		/* new labels, each placed before the next existing one */
		for (size_t k = 0; k < te->labels.n; k++) {
			const char *l = te->labels.items[k];
			if (has_label(fe, l))
				continue;
			const char *where = "";
			for (size_t j = k + 1; j < te->labels.n; j++)
				if (has_label(fe, te->labels.items[j])) {
					where = arena_printf(df->a, " BEFORE %s", literal(df, te->labels.items[j]));
					break;
				}
			step *s = add(df, P_ENUM_VALUE, arena_printf(df->a, "add value '%s' to enum %s", l, te->name),
			              arena_printf(df->a, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s%s", en, literal(df, l), where));
			s->no_tx = true;
		}
	}
	for (size_t i = 0; from && i < from->enums.n; i++) {
		m_enum *fe = from->enums.items[i];
		if (!find_enum(to, fe->name))
			add(df, P_DROP_ENUM, arena_printf(df->a, "drop enum type %s", fe->name),
			    arena_printf(df->a, "DROP TYPE %s", q(df, fe->name)));
	}
}

static void diff_extensions(differ *df)
{
	for (size_t i = 0; df->to && i < df->to->extensions.n; i++) {
		const char *x = df->to->extensions.items[i];
		bool had = false;
		for (size_t k = 0; df->from && k < df->from->extensions.n && !had; k++)
			had = strcmp(df->from->extensions.items[k], x) == 0;
		if (!had)
			add(df, P_EXTENSION, arena_printf(df->a, "create extension %s", x),
			    arena_printf(df->a, "CREATE EXTENSION IF NOT EXISTS %s", q(df, x)));
	}
	for (size_t i = 0; df->from && i < df->from->extensions.n; i++) {
		const char *x = df->from->extensions.items[i];
		bool kept = false;
		for (size_t k = 0; df->to && k < df->to->extensions.n && !kept; k++)
			kept = strcmp(df->to->extensions.items[k], x) == 0;
		if (!kept)
			add(df, P_EXTENSION,
			    arena_printf(df->a, "extension %s is no longer needed; it is left in place (other code may use it)", x),
			    NULL);
	}
}

/* ---- columns -------------------------------------------------------------------- */

static int int_rank(m_type_kind k)
{
	switch (k) {
	case T_SMALLINT: case T_SMALLSERIAL: return 1;
	case T_INTEGER: case T_SERIAL: return 2;
	case T_BIGINT: case T_BIGSERIAL: return 3;
	default: return 0;
	}
}

/* MARK_NONE when every value of from fits in to unchanged. */
static int type_change_mark(const m_type *f, const m_type *t)
{
	if (f->array_dims != t->array_dims)
		return MARK_RISKY;
	int fr = int_rank(f->kind), tr = int_rank(t->kind);
	if (fr && tr)
		return tr >= fr ? MARK_NONE : MARK_DESTRUCTIVE;
	bool fs = f->kind == T_VARCHAR || f->kind == T_TEXT || f->kind == T_CHAR;
	bool ts = t->kind == T_VARCHAR || t->kind == T_TEXT;
	if (fs && ts) {
		if (t->kind == T_TEXT || (t->nparams == 0))
			return MARK_NONE;
		if (f->kind == T_VARCHAR && f->nparams && t->p[0] >= f->p[0])
			return MARK_NONE;
		return MARK_DESTRUCTIVE;
	}
	if (f->kind == T_NUMERIC && t->kind == T_NUMERIC) {
		if (t->nparams == 0)
			return MARK_NONE;
		if (f->nparams == 0)
			return MARK_DESTRUCTIVE;
		long fs_ = f->nparams > 1 ? f->p[1] : 0, ts_ = t->nparams > 1 ? t->p[1] : 0;
		return ts_ >= fs_ && t->p[0] - ts_ >= f->p[0] - fs_ ? MARK_NONE : MARK_DESTRUCTIVE;
	}
	if (f->kind == T_REAL && t->kind == T_DOUBLE)
		return MARK_NONE;
	if (f->kind == T_DOUBLE && t->kind == T_REAL)
		return MARK_DESTRUCTIVE;
	if (f->kind == T_TIMESTAMP && t->kind == T_TIMESTAMPTZ)
		return MARK_NONE;
	if (f->kind == t->kind && f->kind != T_OTHER && f->kind != T_ENUM) {
		/* a precision (timestamp(3)) */
		if (t->nparams == 0)
			return MARK_NONE;
		return f->nparams && t->p[0] >= f->p[0] ? MARK_NONE : MARK_DESTRUCTIVE;
	}
	if (fr && (t->kind == T_NUMERIC || t->kind == T_TEXT))
		return MARK_NONE;
	return MARK_RISKY;
}

static bool same_str(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static void diff_column(differ *df, const m_table *tt, const m_column *fc, const m_column *tc)
{
	const char *tn = q(df, tt->name), *cn = q(df, tc->name);
	const char *what = arena_printf(df->a, "%s.%s", tt->name, tc->name);
	if (strcmp(fc->type.sql, tc->type.sql) != 0 && !(fc->type.kind == T_ENUM && tc->type.kind == T_ENUM &&
	                                                 strcmp(fc->type.en->name, tc->type.en->name) == 0 &&
	                                                 fc->type.array_dims == tc->type.array_dims)) {
		int m = type_change_mark(&fc->type, &tc->type);
		/* the model's own conversion (upgrades only: it is written for the
		 * new type) */
		const char *using = df->up && tc->using_sql ? tc->using_sql : arena_printf(df->a, "%s::%s", cn, tc->type.sql);
		step *s = add(df, P_ALTER_COLUMN,
		              arena_printf(df->a, "%schange the type of %s from %s to %s",
		                           m == MARK_DESTRUCTIVE ? "DESTRUCTIVE: " : m == MARK_RISKY ? "RISKY: " : "", what,
		                           fc->type.sql, tc->type.sql),
		              arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s", tn, cn, tc->type.sql, using));
		mark(s, m, tc->at,
		     arena_printf(df->a, "%s the type of column '%s' from %s to %s",
		                  m == MARK_DESTRUCTIVE ? "narrows" : "converts", what, fc->type.sql, tc->type.sql));
	}
	if (!same_str(fc->default_sql, tc->default_sql) && !tc->identity && !fc->identity) {
		if (tc->default_sql)
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "set the default of %s to %s", what, tc->default_sql),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, cn, tc->default_sql));
		else
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "drop the default of %s", what),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tn, cn));
	}
	bool fnn = fc->not_null || fc->primary_key, tnn = tc->not_null || tc->primary_key;
	if (fnn != tnn && !(tc->primary_key && !fc->primary_key)) {
		if (tnn) {
			step *s = add(df, P_ALTER_COLUMN,
			              arena_printf(df->a, "RISKY: make %s NOT NULL (fails if a row holds NULL)", what),
			              arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tn, cn));
			mark(s, MARK_RISKY, tc->at, arena_printf(df->a, "sets NOT NULL on the existing column '%s'", what));
		} else {
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "make %s nullable", what),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tn, cn));
		}
	}
	if (fc->identity != tc->identity || (fc->identity && fc->identity_by_default != tc->identity_by_default)) {
		if (fc->identity)
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "drop the identity of %s", what),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", tn, cn));
		if (tc->identity)
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "make %s an identity column", what),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", tn, cn,
			                 tc->identity_by_default ? "BY DEFAULT" : "ALWAYS"));
	}
	if (!same_str(fc->generated_sql, tc->generated_sql)) {
		if (fc->generated_sql && !tc->generated_sql)
			add(df, P_ALTER_COLUMN, arena_printf(df->a, "%s is no longer generated", what),
			    arena_printf(df->a, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION", tn, cn));
		else
			diag_error(df->d, tc->at,
			           "the generation expression of column '%s' changed: PostgreSQL cannot alter it in place", what);
	}
	comment_on(df, "COLUMN", arena_printf(df->a, "%s.%s", tn, cn), fc->doc, tc->doc, false);
}

/* ---- constraints and indexes ---------------------------------------------------- */

/* A key, check, index or foreign key reduced to what matters for equality:
 * its definition, with from-side columns named as on the to side. */
typedef struct cons {
	int kind;               /* 'p' 'u' 'c' 'i' 'f' */
	const char *name;
	const char *sig;
	const char *doc;
	const void *obj;
	bool matched;
} cons;

static void collect(differ *df, const m_table *t, bool map, vec *out)
{
	cons *c;
#define NEW_CONS(k, n, s, d, o)                                                     \
	do {                                                                            \
		c = arena_alloc(df->a, sizeof *c);                                          \
		c->kind = k, c->name = n, c->sig = s, c->doc = d, c->obj = o;               \
		vec_push(df->a, out, c);                                                    \
	} while (0)
	if (t->pk)
		NEW_CONS('p', t->pk->name, arena_printf(df->a, "PRIMARY KEY (%s)", col_list(df, &t->pk->cols, map)),
		         t->pk->doc, t->pk);
	for (size_t i = 0; i < t->uniques.n; i++) {
		const m_key *u = t->uniques.items[i];
		NEW_CONS('u', u->name, arena_printf(df->a, "UNIQUE (%s)", col_list(df, &u->cols, map)), u->doc, u);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		const m_check *ck = t->checks.items[i];
		NEW_CONS('c', ck->name, arena_printf(df->a, "CHECK (%s)", ck->sql), ck->doc, ck);
	}
	for (size_t i = 0; i < t->indexes.n; i++) {
		const m_index *ix = t->indexes.items[i];
		NEW_CONS('i', ix->name, arena_printf(df->a, "%sINDEX %s", ix->unique ? "UNIQUE " : "", index_body(df, ix, map)),
		         ix->doc, ix);
	}
	for (size_t i = 0; i < t->fks.n; i++) {
		const m_fk *fk = t->fks.items[i];
		NEW_CONS('f', fk->name, fk_body(df, fk, map), fk->doc, fk);
	}
#undef NEW_CONS
}

static void drop_cons(differ *df, const m_table *tt, const cons *c)
{
	const char *tn = q(df, tt->name);
	if (c->kind == 'i')
		add(df, P_DROP_INDEX, arena_printf(df->a, "drop index %s", c->name),
		    arena_printf(df->a, "DROP INDEX %s", q(df, c->name)));
	else
		add(df, c->kind == 'f' ? P_DROP_FK : P_DROP_CONSTRAINT,
		    arena_printf(df->a, "drop constraint %s of %s", c->name, tt->name),
		    arena_printf(df->a, "ALTER TABLE %s DROP CONSTRAINT %s", tn, q(df, c->name)));
}

/* new_cols: the columns the migration adds to an existing table (a
 * constraint only on those cannot fail on existing rows) */
static bool only_new_cols(differ *df, const vec *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		if (col_from(df, cols->items[i]))
			return false;
	return true;
}

static void add_cons(differ *df, const m_table *tt, const cons *c)
{
	const char *tn = q(df, tt->name);
	step *s;
	if (c->kind == 'i') {
		const m_index *ix = c->obj;
		bool risky = false;
		if (ix->unique) {
			vec cols = { 0 };
			for (size_t i = 0; i < ix->elems.n; i++) {
				m_index_elem *el = ix->elems.items[i];
				if (el->col)
					vec_push(df->a, &cols, el->col);
			}
			risky = cols.n != ix->elems.n || !only_new_cols(df, &cols);
		}
		if (df->concurrently) {
			s = add(df, P_CONCURRENT_INDEX, arena_printf(df->a, "clear an invalid index %s a failed run may have left", ix->name),
			        arena_printf(df->a, "DROP INDEX CONCURRENTLY IF EXISTS %s", q(df, ix->name)));
			s->no_tx = true;
			s = add(df, P_CONCURRENT_INDEX,
			        arena_printf(df->a, "%screate %sindex %s concurrently (outside a transaction)", risky ? "RISKY: " : "",
			                     ix->unique ? "unique " : "", ix->name),
			        index_sql(df, tt, ix, true));
			s->no_tx = true;
		} else {
			s = add(df, P_ADD_INDEX,
			        arena_printf(df->a, "%screate %sindex %s", risky ? "RISKY: " : "", ix->unique ? "unique " : "", ix->name),
			        index_sql(df, tt, ix, false));
		}
		if (risky)
			mark(s, MARK_RISKY, ix->at,
			     arena_printf(df->a, "adds the unique index '%s' to existing rows of '%s'", ix->name, tt->name));
		comment_on(df, "INDEX", q(df, ix->name), NULL, ix->doc, true);
		return;
	}
	const char *sig = c->sig;
	if (c->kind == 'f') {
		const m_fk *fk = c->obj;
		sig = fk_body(df, fk, false);
		bool risky = !only_new_cols(df, &fk->cols);
		s = add(df, P_ADD_FK, arena_printf(df->a, "%sadd foreign key %s to %s", risky ? "RISKY: " : "", c->name, tt->name),
		        arena_printf(df->a, "ALTER TABLE %s ADD CONSTRAINT %s %s", tn, q(df, c->name), sig));
		if (risky)
			mark(s, MARK_RISKY, fk->at,
			     arena_printf(df->a, "adds the foreign key '%s' over existing rows of '%s'", c->name, tt->name));
	} else {
		const vec *cols = c->kind == 'c' ? &((const m_check *)c->obj)->cols : &((const m_key *)c->obj)->cols;
		if (c->kind != 'c')
			sig = arena_printf(df->a, "%s (%s)", c->kind == 'p' ? "PRIMARY KEY" : "UNIQUE", col_list(df, cols, false));
		bool risky = !only_new_cols(df, cols) || (c->kind == 'c' && cols->n == 0);
		s = add(df, P_ADD_CONSTRAINT,
		        arena_printf(df->a, "%sadd %s %s to %s", risky ? "RISKY: " : "",
		                     c->kind == 'p' ? "primary key" : c->kind == 'u' ? "unique constraint" : "check", c->name,
		                     tt->name),
		        arena_printf(df->a, "ALTER TABLE %s ADD CONSTRAINT %s %s", tn, q(df, c->name), sig));
		if (risky)
			mark(s, MARK_RISKY, c->kind == 'c' ? ((const m_check *)c->obj)->at : ((const m_key *)c->obj)->at,
			     arena_printf(df->a, "adds the constraint '%s' over existing rows of '%s'", c->name, tt->name));
	}
	comment_on(df, "CONSTRAINT", arena_printf(df->a, "%s ON %s", q(df, c->name), tn), NULL, c->doc, true);
}

static void diff_constraints(differ *df, const m_table *ft, const m_table *tt)
{
	vec fv = { 0 }, tv = { 0 };
	collect(df, ft, true, &fv);
	collect(df, tt, false, &tv);
	const char *tn = q(df, tt->name);
	/* same name: unchanged, or replaced */
	for (size_t i = 0; i < tv.n; i++) {
		cons *t = tv.items[i];
		for (size_t k = 0; k < fv.n; k++) {
			cons *f = fv.items[k];
			if (f->matched || f->kind != t->kind || strcmp(f->name, t->name) != 0)
				continue;
			f->matched = t->matched = true;
			if (strcmp(f->sig, t->sig) != 0) {
				drop_cons(df, tt, f);
				add_cons(df, tt, t);
			} else {
				comment_on(df, t->kind == 'i' ? "INDEX" : "CONSTRAINT",
				           t->kind == 'i' ? q(df, t->name) : arena_printf(df->a, "%s ON %s", q(df, t->name), tn),
				           f->doc, t->doc, false);
			}
			break;
		}
	}
	/* another name, the same definition: renamed (e.g. with its table) */
	for (size_t i = 0; i < tv.n; i++) {
		cons *t = tv.items[i];
		for (size_t k = 0; k < fv.n && !t->matched; k++) {
			cons *f = fv.items[k];
			if (f->matched || f->kind != t->kind || strcmp(f->sig, t->sig) != 0)
				continue;
			f->matched = t->matched = true;
			if (t->kind == 'i')
				add(df, P_RENAME_CONSTRAINT, arena_printf(df->a, "rename index %s to %s", f->name, t->name),
				    arena_printf(df->a, "ALTER INDEX %s RENAME TO %s", q(df, f->name), q(df, t->name)));
			else
				add(df, P_RENAME_CONSTRAINT,
				    arena_printf(df->a, "rename constraint %s of %s to %s", f->name, tt->name, t->name),
				    arena_printf(df->a, "ALTER TABLE %s RENAME CONSTRAINT %s TO %s", tn, q(df, f->name),
				                 q(df, t->name)));
			comment_on(df, t->kind == 'i' ? "INDEX" : "CONSTRAINT",
			           t->kind == 'i' ? q(df, t->name) : arena_printf(df->a, "%s ON %s", q(df, t->name), tn), f->doc,
			           t->doc, false);
		}
	}
	for (size_t k = 0; k < fv.n; k++) {
		cons *f = fv.items[k];
		if (!f->matched && !strstr(f->sig, "#gone"))
			drop_cons(df, tt, f);
		else if (!f->matched && f->kind == 'f')
			drop_cons(df, tt, f);   /* its target or columns go: drop it before them */
	}
	for (size_t i = 0; i < tv.n; i++)
		if (!((cons *)tv.items[i])->matched)
			add_cons(df, tt, tv.items[i]);
}

/* ---- tables --------------------------------------------------------------------- */

static bool same_type(const m_column *a, const m_column *b) { return strcmp(a->type.sql, b->type.sql) == 0; }

static void diff_table(differ *df, const m_table *ft, const m_table *tt)
{
	const char *tn = q(df, tt->name);
	if (strcmp(ft->name, tt->name) != 0)
		add(df, P_RENAME_TABLE, arena_printf(df->a, "rename table %s to %s", ft->name, tt->name),
		    arena_printf(df->a, "ALTER TABLE %s RENAME TO %s", q(df, ft->name), tn));
	comment_on(df, "TABLE", tn, ft->doc, tt->doc, false);

	for (size_t i = 0; i < tt->columns.n; i++) {
		const m_column *tc = tt->columns.items[i];
		const m_column *fc = col_from(df, tc);
		if (fc) {
			if (strcmp(fc->name, tc->name) != 0)
				add(df, P_RENAME_COLUMN,
				    arena_printf(df->a, "rename column %s.%s to %s", tt->name, fc->name, tc->name),
				    arena_printf(df->a, "ALTER TABLE %s RENAME COLUMN %s TO %s", tn, q(df, fc->name), q(df, tc->name)));
			bool serial = tc->type.kind == T_SERIAL || tc->type.kind == T_BIGSERIAL || tc->type.kind == T_SMALLSERIAL;
			const char *os = arena_printf(df->a, "%s_%s_seq", ft->name, fc->name);
			const char *ns = arena_printf(df->a, "%s_%s_seq", tt->name, tc->name);
			/* PostgreSQL named the sequence after the table and column
			 * (names that fit; longer ones it shortens its own way) */
			if (serial && strcmp(os, ns) != 0 && strlen(os) <= 63 && strlen(ns) <= 63)
				add(df, P_RENAME_COLUMN, arena_printf(df->a, "rename sequence %s to %s", os, ns),
				    arena_printf(df->a, "ALTER SEQUENCE %s RENAME TO %s", q(df, os), q(df, ns)));
			diff_column(df, tt, fc, tc);
			continue;
		}
		bool serial = tc->type.kind == T_SERIAL || tc->type.kind == T_BIGSERIAL || tc->type.kind == T_SMALLSERIAL;
		bool fails = tc->not_null && !tc->default_sql && !tc->identity && !tc->generated_sql && !serial;
		const char *note = df->up ? "" : " back (structure only: its data is not restored)";
		step *s = add(df, P_ADD_COLUMN,
		              arena_printf(df->a, "%sadd column %s.%s%s", fails ? "RISKY: " : "", tt->name, tc->name, note),
		              arena_printf(df->a, "ALTER TABLE %s ADD COLUMN %s", tn, column_def(df, tc)));
		if (fails)
			mark(s, MARK_RISKY, tc->at,
			     arena_printf(df->a, "adds the NOT NULL column '%s.%s' without a default (fails if the table has rows)",
			                  tt->name, tc->name));
		comment_on(df, "COLUMN", arena_printf(df->a, "%s.%s", tn, q(df, tc->name)), NULL, tc->doc, true);
	}
	for (size_t i = 0; i < ft->columns.n; i++) {
		const m_column *fc = ft->columns.items[i];
		if (col_to(df, fc))
			continue;
		step *s = add(df, P_DROP_COLUMN,
		              arena_printf(df->a, "DESTRUCTIVE: drop column %s.%s (its data is lost)", tt->name, fc->name),
		              arena_printf(df->a, "ALTER TABLE %s DROP COLUMN %s", tn, q(df, fc->name)));
		mark(s, MARK_DESTRUCTIVE, tt->at, arena_printf(df->a, "drops column '%s' of table '%s'", fc->name, tt->name));
		/* a new column of the same type: probably a rename without its hint
		 * (each new column suggested once) */
		for (size_t k = 0; k < tt->columns.n; k++) {
			const m_column *tc = tt->columns.items[k];
			bool taken = false;
			for (size_t j = 0; j < df->steps.n && !taken; j++) {
				const step *o = df->steps.items[j];
				taken = o->rename_hint && o->at.file == tc->at.file && o->at.off == tc->at.off;
			}
			if (!taken && !col_from(df, tc) && same_type(fc, tc)) {
				s->rename_hint = true;
				s->at = tc->at;
				s->why = arena_printf(df->a, "column '%s.%s' is new and column '%s' would be dropped", tt->name,
				                      tc->name, fc->name);
				s->comment = arena_printf(df->a, "%s\n(rename hint: '%s renamed from %s')", s->comment, tc->name,
				                          fc->name);
				break;
			}
		}
	}
	diff_constraints(df, ft, tt);
}

static void mig_diff(differ *df)
{
	pair_all(df);
	diff_extensions(df);
	diff_enums(df);
	const model *from = df->from, *to = df->to;
	/* to's tables in dependency order: created before what references them */
	for (size_t i = 0; to && i < to->tables_dep.n; i++) {
		const m_table *tt = to->tables_dep.items[i];
		const m_table *ft = table_from(df, tt);
		if (ft) {
			diff_table(df, ft, tt);
			continue;
		}
		const char *note = df->up ? "" : " back (structure only: its rows are not restored)";
		add(df, P_CREATE_TABLE, arena_printf(df->a, "create table %s%s", tt->name, note), create_table_sql(df, tt));
		for (size_t k = 0; k < tt->indexes.n; k++) {
			const m_index *ix = tt->indexes.items[k];
			add(df, P_ADD_INDEX, arena_printf(df->a, "create %sindex %s", ix->unique ? "unique " : "", ix->name),
			    index_sql(df, tt, ix, false));
		}
		for (size_t k = 0; k < tt->fks.n; k++) {
			const m_fk *fk = tt->fks.items[k];
			add(df, P_ADD_FK, arena_printf(df->a, "add foreign key %s to %s", fk->name, tt->name),
			    arena_printf(df->a, "ALTER TABLE %s ADD CONSTRAINT %s %s", q(df, tt->name), q(df, fk->name),
			                 fk_body(df, fk, false)));
		}
		comments_of_new_table(df, tt);
	}
	/* dropped tables, dependents first */
	for (size_t i = from ? from->tables_dep.n : 0; i-- > 0;) {
		const m_table *ft = from->tables_dep.items[i];
		if (table_to(df, ft))
			continue;
		/* foreign keys of surviving tables into it are dropped in diff_constraints */
		step *s = add(df, P_DROP_TABLE, arena_printf(df->a, "DESTRUCTIVE: drop table %s (its rows are lost)", ft->name),
		              arena_printf(df->a, "DROP TABLE %s", q(df, ft->name)));
		mark(s, MARK_DESTRUCTIVE, LOC_NONE, arena_printf(df->a, "drops table '%s'", ft->name));
		if (to)
			for (size_t k = 0; k < to->tables.n; k++) {
				const m_table *tt = to->tables.items[k];
				if (!table_from(df, tt)) {
					s->rename_hint = true;
					s->at = tt->at;
					s->why = arena_printf(df->a, "table '%s' is new and table '%s' would be dropped", tt->name, ft->name);
					s->comment = arena_printf(df->a, "%s\n(rename hint: 'renamed from %s' in table %s)", s->comment,
					                          ft->name, tt->name);
					break;
				}
			}
	}
}

static int by_phase(const void *x, const void *y)
{
	const step *a = *(step *const *)x, *b = *(step *const *)y;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool has_sql(const vec *steps)
{
	for (size_t i = 0; i < steps->n; i++)
		if (((step *)steps->items[i])->sql)
			return true;
	return false;
}

static void put_steps(buf *b, const vec *steps)
{
	for (size_t i = 0; i < steps->n; i++) {
		const step *s = steps->items[i];
		buf_putc(b, '\n');
		if (s->no_tx)
			buf_puts(b, "-- +modelc no-transaction\n");
		for (const char *p = s->comment;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			buf_printf(b, "-- %.*s\n", (int)n, p);
			if (!nl)
				break;
			p = nl + 1;
		}
		if (s->sql)
			buf_printf(b, "%s;\n", s->sql);
	}
}

/* ---- migrate new ---------------------------------------------------------------- */

typedef struct new_opts {
	const char *model_path, *dir, *message;
	bool allow_destructive, concurrently, check;
} new_opts;

static const char *slug(arena *a, const char *msg)
{
	char s[41];
	size_t n = 0;
	bool gap = false;
	for (const char *p = msg; *p && n < 40; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && n)
				s[n++] = '_';
			if (n < 40)
				s[n++] = c;
			gap = false;
		} else {
			gap = true;
		}
	}
	while (n && s[n - 1] == '_')
		n--;
	return n ? arena_strndup(a, s, n) : "migration";
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static const char *state_hash(arena *a, const buf *state, bool empty)
{
	if (empty)
		return "empty";
	char hex[65];
	sha256_hex(state->data ? state->data : "", state->len, hex);
	return arena_printf(a, "sha256:%s", hex);
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "modelc migrate %s: %s (modelc migrate --help)\n", cmd, msg);
	return 2;
}

/* Loads the model and the state; d collects the diagnostics of both. */
static int load_both(diag_ctx *d, const char *model_path, const char *dir, arena *a, model **m, model **state,
                     mig_set *set, buf *err)
{
	*m = model_load(d, model_path, model_file_loader, NULL);
	if (mig_set_load(a, dir, set, err) != 0)
		return -1;
	*state = NULL;
	const char *sp = arena_printf(a, "%s/%s", dir, MIG_STATE_FILE);
	if (set->has_state || file_exists(sp)) {
		*state = model_load(d, sp, model_file_loader, NULL);
		if (!*state && !d->errors)
			return -1;
	}
	return d->errors ? -1 : 0;
}

static int run_new(const new_opts *o)
{
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	buf err, state_new, file;
	buf_init(&err);
	buf_init(&state_new);
	buf_init(&file);
	int status = 0;
	model *m = NULL, *st = NULL;
	mig_set set;
	memset(&set, 0, sizeof set);

	if (load_both(&d, o->model_path, o->dir, &a, &m, &st, &set, &err) != 0) {
		fputs(buf_cstr(&d.out), stderr);
		fputs(buf_cstr(&err), stderr);
		status = d.errors && d.files.n == 0 ? 2 : 1;
		goto done;
	}
	if (d.out.len)
		fputs(buf_cstr(&d.out), stderr);

	differ up = { .a = &a, .d = &d, .from = st, .to = m, .up = true, .concurrently = o->concurrently };
	differ down = { .a = &a, .d = &d, .from = m, .to = st, .up = false };
	mig_diff(&up);
	mig_diff(&down);
	if (up.steps.n)
		qsort(up.steps.items, up.steps.n, sizeof(void *), by_phase);
	if (down.steps.n)
		qsort(down.steps.items, down.steps.n, sizeof(void *), by_phase);
	if (!d.errors && !o->allow_destructive) {
		for (size_t i = 0; i < up.steps.n; i++) {
			step *s = up.steps.items[i];
			if (s->mark == MARK_NONE)
				continue;
			diag_error(&d, s->at, s->rename_hint ? "%s" : "the migration %s", s->why);
			if (s->rename_hint)
				diag_hint(&d, "if it was renamed, add 'renamed from' to the model; to drop it for real, run again with --allow-destructive");
			else
				diag_hint(&d, "%s; run again with --allow-destructive to accept it",
				          s->mark == MARK_DESTRUCTIVE ? "data would be lost" : "it may fail on existing data");
		}
	}
	if (d.errors) {
		fputs(buf_cstr(&d.out), stderr);
		status = 1;
		goto done;
	}
	if (!has_sql(&up.steps)) {
		if (!o->check)
			printf("modelc migrate new: no changes: nothing written\n");
		goto done;
	}
	if (o->check) {
		fprintf(stderr, "modelc migrate new --check: %s has changes without a migration:\n", o->model_path);
		for (size_t i = 0; i < up.steps.n; i++) {
			step *s = up.steps.items[i];
			if (s->sql) {
				const char *nl = strchr(s->comment, '\n');
				fprintf(stderr, "  %.*s\n", nl ? (int)(nl - s->comment) : (int)strlen(s->comment), s->comment);
			}
		}
		status = 1;
		goto done;
	}

	buf state_old;
	buf_init(&state_old);
	if (st)
		mig_state_print(st, &state_old);
	mig_state_print(m, &state_new);

	int number = 1;
	const char *follows = "base";
	if (set.files.n) {
		mig_file *last = set.files.items[set.files.n - 1];
		number = last->number + 1;
		follows = last->rev;
	}
	const char *rev = arena_printf(&a, "%04d_%s", number, slug(&a, o->message));
	buf_printf(&file, "-- modelc migration %s\n", rev);
	buf_printf(&file, "-- revision: %s\n", rev);
	buf_printf(&file, "-- follows: %s\n", follows);
	buf_puts(&file, "-- message: ");
	for (const char *p = o->message; *p; p++)
		buf_putc(&file, *p == '\n' || *p == '\r' ? ' ' : *p);
	buf_putc(&file, '\n');
	buf_printf(&file, "-- from-state: %s\n", state_hash(&a, &state_old, st == NULL));
	buf_printf(&file, "-- to-state: %s\n", state_hash(&a, &state_new, false));
	buf_printf(&file, "-- Generated by modelc from %s. Review it; keep it with %s/%s.\n", m->source, o->dir,
	           MIG_SUM_FILE);
	buf_puts(&file, "\n-- +modelc upgrade\n");
	put_steps(&file, &up.steps);
	buf_puts(&file, "\n-- +modelc downgrade\n");
	put_steps(&file, &down.steps);
	buf_free(&state_old);

	char e[4200];
	if (output_mkdirs(o->dir, e, sizeof e) != 0) {
		fprintf(stderr, "modelc: %s\n", e);
		status = 2;
		goto done;
	}
	const char *path = arena_printf(&a, "%s/%s.sql", o->dir, rev);
	const char *spath = arena_printf(&a, "%s/%s", o->dir, MIG_STATE_FILE);
	if (output_write(path, file.data, file.len, e, sizeof e) < 0 ||
	    output_write(spath, state_new.data, state_new.len, e, sizeof e) < 0) {
		fprintf(stderr, "modelc: %s\n", e);
		status = 2;
		goto done;
	}
	if (mig_sum_write(&a, o->dir, &err) != 0) {
		fputs(buf_cstr(&err), stderr);
		status = 2;
		goto done;
	}
	printf("modelc migrate new: wrote %s\n", path);
done:
	buf_free(&err);
	buf_free(&state_new);
	buf_free(&file);
	diag_dispose(&d);
	arena_free(&a);
	return status;
}

int mig_cmd_new(int argc, char **argv)
{
	new_opts o = { NULL, MIG_DEFAULT_DIR, NULL, false, false, false };
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if ((strcmp(s, "-m") == 0 || strcmp(s, "--message") == 0 || strcmp(s, "--dir") == 0) && i + 1 < argc) {
			if (s[1] == 'm' || s[2] == 'm')
				o.message = argv[++i];
			else
				o.dir = argv[++i];
		} else if (strcmp(s, "--allow-destructive") == 0) {
			o.allow_destructive = true;
		} else if (strcmp(s, "--concurrently") == 0) {
			o.concurrently = true;
		} else if (strcmp(s, "--check") == 0) {
			o.check = true;
		} else if (s[0] == '-') {
			return usage_error("new", "unknown option or missing argument");
		} else if (o.model_path) {
			return usage_error("new", "more than one model file");
		} else {
			o.model_path = s;
		}
	}
	if (!o.model_path)
		return usage_error("new", "no model file");
	if (!o.check && (!o.message || !*o.message))
		return usage_error("new", "no message: give -m \"what changes\"");
	return run_new(&o);
}

/* ---- migrate check -------------------------------------------------------------- */

int mig_cmd_check(int argc, char **argv)
{
	const char *model_path = NULL, *dir = MIG_DEFAULT_DIR, *db = "";
	bool offline = false;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(s, "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(s, "--offline") == 0)
			offline = true;
		else if (s[0] == '-')
			return usage_error("check", "unknown option or missing argument");
		else if (model_path)
			return usage_error("check", "more than one model file");
		else
			model_path = s;
	}
	if (!model_path)
		return usage_error("check", "no model file");

	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	buf err, out;
	buf_init(&err);
	buf_init(&out);
	model *m = NULL, *st = NULL;
	mig_set set;
	memset(&set, 0, sizeof set);
	int status = 0;
	if (load_both(&d, model_path, dir, &a, &m, &st, &set, &err) != 0) {
		fputs(buf_cstr(&d.out), stderr);
		fputs(buf_cstr(&err), stderr);
		status = d.errors && d.files.n == 0 ? 2 : 1;
		goto done;
	}
	printf("migrations: %zu in %s, checksums verified\n", set.files.n, dir);
	differ up = { .a = &a, .d = &d, .from = st, .to = m, .up = true };
	mig_diff(&up);
	if (d.errors || has_sql(&up.steps)) {
		printf("model: %s has changes without a migration (modelc migrate new -m ...)\n", model_path);
		status = 1;
	} else {
		printf("model: no changes since the newest migration\n");
	}
	if (!offline) {
		int rc = mig_live_check(m, db, &out, &err);
		if (rc == 2) {
			fprintf(stderr, "modelc migrate check: %s", buf_cstr(&err));
			status = 2;
		} else if (rc == 1) {
			printf("database: drift from the model:\n%s", buf_cstr(&out));
			status = status ? status : 1;
		} else {
			printf("database: matches the model\n");
		}
	}
done:
	buf_free(&err);
	buf_free(&out);
	diag_dispose(&d);
	arena_free(&a);
	return status;
}

/* mig_live.c - drift between a live database and the model.
 *
 * No false diffs by construction: the model's own DDL (what emit_all writes
 * to NAME.sql) is run in a scratch schema of the live database, inside one
 * transaction that is always rolled back, and both the live schema and the
 * scratch schema are read with the same catalog queries. Defaults, checks
 * and index definitions are therefore spelled by the server on both sides
 * (pg_get_expr, pg_get_constraintdef, pg_get_indexdef, format_type) and
 * compared as text; the model's spelling never meets the server's.
 *
 * Steps, all in the one transaction:
 *   1. read the live schema (current_schema()) and the installed extensions;
 *   2. tables and columns the model says were renamed ("renamed from") and
 *      that still have the old name are renamed, and the live schema is read
 *      again, so the rest is compared under the new names;
 *   3. the model's extensions are created (in the live schema, as the DDL
 *      would) so that the DDL below finds them;
 *   4. CREATE SCHEMA modelc_check_<backend pid>, search_path set to it
 *      followed by the original path, and the DDL is run;
 *   5. the scratch schema is read; ROLLBACK.
 * Then the two snapshots are compared by name and every difference becomes
 * one step: a "-- " line saying what differs, then the SQL. Destructive
 * steps (extra tables, columns, types) are commented out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "emit.h"
#include "migrate.h"

/* ---- snapshots ----------------------------------------------------------- */

typedef struct lv_col {
	const char *raw, *name;     /* as stored; quoted by the server */
	const char *type;           /* format_type, plus COLLATE when not the type's own */
	bool notnull;
	const char *def;            /* default or generation expression, or NULL */
	char identity;              /* 'a', 'd' or 0 */
	bool generated;
	const char *seq;            /* owned sequence the default takes nextval of (serial), or NULL */
	const char *comment;        /* quote_literal'd, or NULL */
} lv_col;

typedef struct lv_table {
	const char *raw, *name, *comment;
	vec cols;                   /* lv_col *, by attnum */
	bool fresh;                 /* scratch side: missing in the database, created */
} lv_table;

typedef struct lv_con {
	const char *table, *name;
	char type;                  /* p u c f x */
	const char *def, *comment;
	bool redo;                  /* scratch side: (re)added by the diff */
} lv_con;

typedef struct lv_index {
	const char *table, *name, *def, *comment;
	bool redo;
} lv_index;

typedef struct lv_enum {
	const char *name, *comment;
	vec labels;                 /* quote_literal'd */
} lv_enum;

typedef struct lv_snap {
	vec tables, cons, indexes, enums;
	vec exts;                   /* extension names (live side only) */
} lv_snap;

typedef struct lv_ctx {
	PGconn *conn;
	arena *a;
	buf *err;
} lv_ctx;

/* Every query reads the tables of one schema ($1): plain and partitioned
 * tables, not partitions, not the migrations' version table, not the
 * members of an extension. */
#define TABLE_FILTER                                                                                             \
	"c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relkind IN ('r', 'p') "        \
	"AND NOT c.relispartition AND c.relname <> 'modelc_migrations' "                                         \
	"AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid " \
	"AND e.deptype = 'e')"

static const char q_tables[] =
	"SELECT c.relname, quote_ident(c.relname), quote_literal(obj_description(c.oid, 'pg_class')) "
	"FROM pg_class c WHERE " TABLE_FILTER " ORDER BY c.relname COLLATE \"C\"";

static const char q_columns[] =
	"SELECT quote_ident(c.relname), a.attname, quote_ident(a.attname), "
	"format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation "
	"THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END, "
	"a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, "
	"quote_literal(col_description(c.oid, a.attnum)), sq.seq "
	"FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
	"JOIN pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
	"LEFT JOIN LATERAL (SELECT s.oid::regclass::text AS seq FROM pg_depend dp "
	"JOIN pg_class s ON s.oid = dp.objid AND s.relkind = 'S' "
	"WHERE dp.classid = 'pg_class'::regclass AND dp.refclassid = 'pg_class'::regclass "
	"AND dp.refobjid = c.oid AND dp.refobjsubid = a.attnum AND dp.deptype = 'a' "
	"AND pg_get_expr(d.adbin, d.adrelid) = 'nextval(' || quote_literal(s.oid::regclass::text) || '::regclass)' "
	"LIMIT 1) sq ON true "
	"WHERE " TABLE_FILTER " ORDER BY c.relname COLLATE \"C\", a.attnum";

static const char q_cons[] =
	"SELECT quote_ident(c.relname), quote_ident(k.conname), k.contype::text, pg_get_constraintdef(k.oid), "
	"quote_literal(obj_description(k.oid, 'pg_constraint')) "
	"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
	"WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND " TABLE_FILTER
	" ORDER BY c.relname COLLATE \"C\", k.conname COLLATE \"C\"";

/* pg_get_indexdef always qualifies the table: the schema is cut so that
 * both sides read alike. Indexes behind constraints are the constraints'. */
static const char q_indexes[] =
	"SELECT quote_ident(c.relname), quote_ident(i.relname), "
	"replace(replace(pg_get_indexdef(x.indexrelid), ' ON ONLY ' || quote_ident($1) || '.', ' ON ONLY '), "
	"' ON ' || quote_ident($1) || '.', ' ON '), quote_literal(obj_description(i.oid, 'pg_class')) "
	"FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
	"WHERE " TABLE_FILTER " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
	"AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')) "
	"ORDER BY i.relname COLLATE \"C\"";

static const char q_enums[] =
	"SELECT quote_ident(t.typname), quote_literal(e.enumlabel), quote_literal(obj_description(t.oid, 'pg_type')) "
	"FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid "
	"WHERE t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND t.typtype = 'e' "
	"AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid "
	"AND x.deptype = 'e') ORDER BY t.typname COLLATE \"C\", e.enumsortorder";

static void ignore_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Runs sql with text parameters; NULL with the server's message in err. */
static PGresult *run(lv_ctx *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	buf_printf(c->err, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

/* One statement; on failure what (when given) says why the check ran it. */
static int exec1(lv_ctx *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
	if (rc)
		buf_printf(c->err, "%s%s%s", what ? what : "", what ? ": " : "", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static char *cell(lv_ctx *c, const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : arena_strdup(c->a, PQgetvalue(r, row, col));
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static lv_table *find_table(const lv_snap *s, const char *name)
{
	for (size_t i = 0; i < s->tables.n; i++) {
		lv_table *t = s->tables.items[i];
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

static lv_table *find_table_raw(const lv_snap *s, const char *raw)
{
	for (size_t i = 0; i < s->tables.n; i++) {
		lv_table *t = s->tables.items[i];
		if (strcmp(t->raw, raw) == 0)
			return t;
	}
	return NULL;
}

static lv_col *find_col(const lv_table *t, const char *name, bool raw)
{
	for (size_t i = 0; t && i < t->cols.n; i++) {
		lv_col *col = t->cols.items[i];
		if (strcmp(raw ? col->raw : col->name, name) == 0)
			return col;
	}
	return NULL;
}

static lv_con *find_con(const lv_snap *s, const char *table, const char *name)
{
	for (size_t i = 0; i < s->cons.n; i++) {
		lv_con *k = s->cons.items[i];
		if (strcmp(k->table, table) == 0 && strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

static lv_index *find_index(const lv_snap *s, const char *name)
{
	for (size_t i = 0; i < s->indexes.n; i++) {
		lv_index *x = s->indexes.items[i];
		if (strcmp(x->name, name) == 0)
			return x;
	}
	return NULL;
}

static lv_enum *find_enum(const lv_snap *s, const char *name)
{
	for (size_t i = 0; i < s->enums.n; i++) {
		lv_enum *e = s->enums.items[i];
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static bool has_str(const vec *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

/* Reads one schema. The caller has set search_path so that the server
 * spells names the same way on both sides. */
static int snap_load(lv_ctx *c, const char *schema, lv_snap *s)
{
	memset(s, 0, sizeof *s);
	const char *p[1] = { schema };
	PGresult *r = run(c, q_tables, 1, p);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		lv_table *t = arena_alloc(c->a, sizeof *t);
		t->raw = cell(c, r, i, 0);
		t->name = cell(c, r, i, 1);
		t->comment = cell(c, r, i, 2);
		vec_push(c->a, &s->tables, t);
	}
	PQclear(r);

	if (!(r = run(c, q_columns, 1, p)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		lv_table *t = find_table(s, PQgetvalue(r, i, 0));
		if (!t)
			continue;
		lv_col *col = arena_alloc(c->a, sizeof *col);
		col->raw = cell(c, r, i, 1);
		col->name = cell(c, r, i, 2);
		col->type = cell(c, r, i, 3);
		col->notnull = PQgetvalue(r, i, 4)[0] == 't';
		col->def = cell(c, r, i, 5);
		col->identity = PQgetvalue(r, i, 6)[0];
		col->generated = PQgetvalue(r, i, 7)[0] == 's';
		col->comment = cell(c, r, i, 8);
		col->seq = cell(c, r, i, 9);
		vec_push(c->a, &t->cols, col);
	}
	PQclear(r);

	if (!(r = run(c, q_cons, 1, p)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		lv_con *k = arena_alloc(c->a, sizeof *k);
		k->table = cell(c, r, i, 0);
		k->name = cell(c, r, i, 1);
		k->type = PQgetvalue(r, i, 2)[0];
		k->def = cell(c, r, i, 3);
		k->comment = cell(c, r, i, 4);
		vec_push(c->a, &s->cons, k);
	}
	PQclear(r);

	if (!(r = run(c, q_indexes, 1, p)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		lv_index *x = arena_alloc(c->a, sizeof *x);
		x->table = cell(c, r, i, 0);
		x->name = cell(c, r, i, 1);
		x->def = cell(c, r, i, 2);
		x->comment = cell(c, r, i, 3);
		vec_push(c->a, &s->indexes, x);
	}
	PQclear(r);

	if (!(r = run(c, q_enums, 1, p)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *name = PQgetvalue(r, i, 0);
		lv_enum *e = find_enum(s, name);
		if (!e) {
			e = arena_alloc(c->a, sizeof *e);
			e->name = arena_strdup(c->a, name);
			e->comment = cell(c, r, i, 2);
			vec_push(c->a, &s->enums, e);
		}
		if (!PQgetisnull(r, i, 1))
			vec_push(c->a, &e->labels, cell(c, r, i, 1));
	}
	PQclear(r);
	return 0;
}

/* ---- renames ------------------------------------------------------------- */

typedef struct lv_rename {
	const char *table;          /* raw name the table has when the step runs */
	const char *from, *to;      /* raw; column names when column is set */
	bool column;
} lv_rename;

static bool model_has_table(const model *m, const char *name)
{
	for (size_t i = 0; i < m->tables.n; i++)
		if (strcmp(VEC_AT(m->tables, i, m_table *)->name, name) == 0)
			return true;
	return false;
}

static bool model_has_col(const m_table *t, const char *name)
{
	for (size_t i = 0; i < t->columns.n; i++)
		if (strcmp(VEC_AT(t->columns, i, m_column *)->name, name) == 0)
			return true;
	return false;
}

/* What "renamed from" asks for and the database still lacks: the old name
 * is there, the new one is not, and the model has no object of the old
 * name. Compared under the new names, a rename is one statement instead
 * of a drop (data lost) and an add. */
static void plan_renames(arena *a, const model *m, const lv_snap *live, vec *out)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		const lv_table *lt = find_table_raw(live, t->name);
		if (!lt && t->renamed_from && !model_has_table(m, t->renamed_from) &&
		    (lt = find_table_raw(live, t->renamed_from))) {
			lv_rename *r = arena_alloc(a, sizeof *r);
			r->table = t->renamed_from;
			r->from = t->renamed_from;
			r->to = t->name;
			vec_push(a, out, r);
		}
		for (size_t j = 0; lt && j < t->columns.n; j++) {
			const m_column *col = t->columns.items[j];
			if (col->renamed_from && !find_col(lt, col->name, true) && !model_has_col(t, col->renamed_from) &&
			    find_col(lt, col->renamed_from, true)) {
				lv_rename *r = arena_alloc(a, sizeof *r);
				r->table = t->name;
				r->from = col->renamed_from;
				r->to = col->name;
				r->column = true;
				vec_push(a, out, r);
			}
		}
	}
}

static const char *rename_sql(arena *a, const lv_rename *r)
{
	if (r->column)
		return arena_printf(a, "ALTER TABLE %s RENAME COLUMN %s TO %s", sql_ident(a, r->table),
		                    sql_ident(a, r->from), sql_ident(a, r->to));
	return arena_printf(a, "ALTER TABLE %s RENAME TO %s", sql_ident(a, r->from), sql_ident(a, r->to));
}

/* ---- output -------------------------------------------------------------- */

/* Sections, in the order the steps can run: a table is created after its
 * types, a constraint is dropped before a column's type changes and added
 * after, foreign keys go last but for comments. */
enum {
	SEC_EXT, SEC_TYPE, SEC_RENAME, SEC_DROP_FK, SEC_DROP, SEC_TABLE, SEC_COLUMN, SEC_CON, SEC_INDEX, SEC_FK,
	SEC_COMMENT, SEC_N
};

enum {
	F_DESTRUCTIVE = 1,          /* commented out; the comment says DESTRUCTIVE: */
	F_RISKY = 2,                /* may fail on existing data */
	F_NOTX = 4,                 /* must run outside a transaction (ALTER TYPE ... ADD VALUE) */
};

typedef struct lv_out {
	arena *a;
	const model *m;
	buf sec[SEC_N];
	int n;
} lv_out;

/* One step: a one-line comment saying what differs, then the statement
 * (none for a note). */
static void step(lv_out *o, int sec, unsigned flags, const char *sql, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void step(lv_out *o, int sec, unsigned flags, const char *sql, const char *fmt, ...)
{
	buf *b = &o->sec[sec];
	buf msg;
	buf_init(&msg);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (flags & F_NOTX)
		buf_puts(b, "-- +modelc no-transaction\n");
	buf_puts(b, "-- ");
	if (flags & F_DESTRUCTIVE)
		buf_puts(b, "DESTRUCTIVE: ");
	else if (flags & F_RISKY)
		buf_puts(b, "RISKY: ");
	for (size_t i = 0; i < msg.len; i++)
		buf_putc(b, msg.data[i] == '\n' ? ' ' : msg.data[i]);
	buf_putc(b, '\n');
	buf_free(&msg);
	if (sql) {
		if (flags & F_DESTRUCTIVE)
			buf_puts(b, "-- ");
		for (const char *p = sql; *p; p++) {
			buf_putc(b, *p);
			if (*p == '\n' && (flags & F_DESTRUCTIVE))
				buf_puts(b, "-- ");
		}
		buf_puts(b, ";\n");
	}
	buf_putc(b, '\n');
	o->n++;
}

static const m_column *model_col(const model *m, const char *table, const char *col)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		for (size_t j = 0; strcmp(t->name, table) == 0 && j < t->columns.n; j++)
			if (strcmp(VEC_AT(t->columns, j, m_column *)->name, col) == 0)
				return t->columns.items[j];
	}
	return NULL;
}

static const char *serial_type(const lv_col *c)
{
	if (!c->seq)
		return NULL;
	if (strcmp(c->type, "smallint") == 0)
		return "smallserial";
	if (strcmp(c->type, "integer") == 0)
		return "serial";
	if (strcmp(c->type, "bigint") == 0)
		return "bigserial";
	return NULL;
}

static const char *identity_sql(char identity)
{
	return identity == 'a' ? "ALWAYS" : "BY DEFAULT";
}

/* A column as CREATE TABLE and ADD COLUMN write it. */
static const char *col_def(arena *a, const lv_col *c)
{
	const char *serial = serial_type(c);
	return arena_printf(a, "%s %s%s%s%s%s%s%s%s%s", c->name, serial ? serial : c->type,
	                    c->generated ? " GENERATED ALWAYS AS (" : "", c->generated ? c->def : "",
	                    c->generated ? ") STORED" : "", c->identity ? " GENERATED " : "",
	                    c->identity ? identity_sql(c->identity) : "", c->identity ? " AS IDENTITY" : "",
	                    c->notnull ? " NOT NULL" : "",
	                    c->def && !c->generated && !serial ? arena_printf(a, " DEFAULT %s", c->def) : "");
}

static const char *sql_literal(arena *a, const char *s)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_putc(&b, '\'');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '\'');
	const char *r = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* ---- the comparison ------------------------------------------------------ */

static void diff_enums(lv_out *o, const lv_snap *live, const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < want->enums.n; i++) {
		const lv_enum *e = want->enums.items[i];
		const lv_enum *l = find_enum(live, e->name);
		if (!l) {
			buf b;
			buf_init(&b);
			for (size_t j = 0; j < e->labels.n; j++)
				buf_printf(&b, "%s%s", j ? ", " : "", (const char *)e->labels.items[j]);
			step(o, SEC_TYPE, 0, arena_printf(a, "CREATE TYPE %s AS ENUM (%s)", e->name, buf_cstr(&b)),
			     "type %s is missing", e->name);
			buf_free(&b);
			continue;
		}
		for (size_t j = 0; j < e->labels.n; j++) {
			const char *lab = e->labels.items[j];
			if (has_str(&l->labels, lab))
				continue;
			/* after the model's previous label (there by now), else
			 * before the first of the model's labels the type has */
			const char *where = "";
			if (j > 0) {
				where = arena_printf(a, " AFTER %s", (const char *)e->labels.items[j - 1]);
			} else {
				for (size_t k = 1; k < e->labels.n && !*where; k++)
					if (has_str(&l->labels, e->labels.items[k]))
						where = arena_printf(a, " BEFORE %s", (const char *)e->labels.items[k]);
			}
			step(o, SEC_TYPE, F_NOTX,
			     arena_printf(a, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s%s", e->name, lab, where),
			     "type %s lacks the label %s", e->name, lab);
		}
		for (size_t j = 0; j < l->labels.n; j++)
			if (!has_str(&e->labels, l->labels.items[j]))
				step(o, SEC_TYPE, 0, NULL,
				     "type %s has the label %s, which the model lacks; PostgreSQL cannot drop an enum label "
				     "(recreate the type to remove it)",
				     e->name, (const char *)l->labels.items[j]);
		/* the labels both have, in the database's order */
		size_t at = 0;
		bool ordered = true;
		for (size_t j = 0; j < e->labels.n && ordered; j++) {
			size_t k = 0;
			while (k < l->labels.n && strcmp(l->labels.items[k], e->labels.items[j]) != 0)
				k++;
			if (k == l->labels.n)
				continue;
			ordered = k >= at;
			at = k;
		}
		if (!ordered)
			step(o, SEC_TYPE, 0, NULL,
			     "the labels of type %s are in another order than in the model; PostgreSQL cannot reorder "
			     "them (recreate the type)",
			     e->name);
	}
	for (size_t i = 0; i < live->enums.n; i++) {
		const lv_enum *l = live->enums.items[i];
		if (!find_enum(want, l->name))
			step(o, SEC_TYPE, F_DESTRUCTIVE, arena_printf(a, "DROP TYPE %s", l->name),
			     "type %s is not in the model", l->name);
	}
}

static void create_table(lv_out *o, const lv_table *t, const lv_snap *want)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "CREATE TABLE %s (", t->name);
	int n = 0;
	for (size_t i = 0; i < t->cols.n; i++)
		buf_printf(&b, "%s\n    %s", n++ ? "," : "", col_def(o->a, t->cols.items[i]));
	/* the primary key first, then unique, check and exclusion constraints;
	 * foreign keys come later, when every table is there */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < want->cons.n; i++) {
			const lv_con *k = want->cons.items[i];
			if (strcmp(k->table, t->name) != 0 || k->type == 'f' || (k->type == 'p') != (pass == 0))
				continue;
			buf_printf(&b, "%s\n    CONSTRAINT %s %s", n++ ? "," : "", k->name, k->def);
		}
	buf_puts(&b, "\n)");
	step(o, SEC_TABLE, 0, buf_cstr(&b), "table %s is missing", t->name);
	buf_free(&b);
}

static void diff_column(lv_out *o, const lv_table *t, const lv_col *s, const lv_col *l)
{
	arena *a = o->a;
	const char *tn = t->name, *cn = s->name;
	if (s->generated && (!l->generated || !str_eq(s->def, l->def) || strcmp(s->type, l->type) != 0)) {
		/* PostgreSQL 15 cannot change a generation expression in place */
		step(o, SEC_COLUMN, F_DESTRUCTIVE,
		     arena_printf(a, "ALTER TABLE %s DROP COLUMN %s;\nALTER TABLE %s ADD COLUMN %s", tn, cn, tn,
		                  col_def(a, s)),
		     "column %s.%s is %s%s in the database; the model has GENERATED ALWAYS AS (%s) STORED (re-adding "
		     "the column drops the indexes and constraints on it: rerun the check after)",
		     tn, cn, l->generated ? "generated as " : "not generated", l->generated ? l->def : "", s->def);
		return;
	}
	if (l->generated && !s->generated)
		step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION", tn, cn),
		     "column %s.%s is generated as %s in the database, not in the model", tn, cn, l->def);
	const char *ld = l->generated ? NULL : l->def;
	/* serial on both sides: the same thing whatever the sequence is called */
	bool both_serial = s->seq && l->seq, retyped_default = false;
	if (strcmp(s->type, l->type) != 0) {
		if (ld && !both_serial && !str_eq(s->def, ld)) {
			/* the old default may not cast to the new type: dropped first,
			 * the model's is set after */
			step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tn, cn),
			     "column %s.%s has the default %s in the database, %s in the model, and changes type", tn, cn,
			     ld, s->def ? s->def : "none");
			ld = NULL;
			retyped_default = true;
		}
		/* the model's "using (EXPR)" says how to convert, as for migrate new */
		const m_column *mc = model_col(o->m, t->raw, s->raw);
		const char *using = s->generated ? ""
		                    : mc && mc->using_sql ? arena_printf(a, " USING (%s)", mc->using_sql)
		                                          : arena_printf(a, " USING %s::%s", cn, s->type);
		step(o, SEC_COLUMN, F_RISKY, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s", tn, cn, s->type, using),
		     "column %s.%s has type %s in the database, %s in the model", tn, cn, l->type, s->type);
	}
	if (l->identity && l->identity != s->identity && !s->identity)
		step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", tn, cn),
		     "column %s.%s is an identity column in the database, not in the model", tn, cn);
	if (!s->generated) {
		if (!both_serial && s->seq && serial_type(s) && !l->seq) {
			/* serial in the model: its sequence, then the default */
			step(o, SEC_COLUMN, 0,
			     arena_printf(a, "CREATE SEQUENCE IF NOT EXISTS %s AS %s OWNED BY %s.%s", s->seq, s->type, tn, cn),
			     "column %s.%s is %s in the model: its sequence", tn, cn, serial_type(s));
			step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, cn, s->def),
			     "column %s.%s has %s%s in the database, the model has %s", tn, cn, ld ? "the default " : "no default",
			     ld ? ld : "", s->def);
			step(o, SEC_COLUMN, 0,
			     arena_printf(a, "SELECT setval(%s, coalesce(max(%s), 0) + 1, false) FROM %s", sql_literal(a, s->seq),
			                  cn, tn),
			     "the sequence of %s.%s starts after the values already there", tn, cn);
		} else if (!both_serial && !str_eq(s->def, ld)) {
			if (s->def && retyped_default)
				step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, cn, s->def),
				     "column %s.%s gets the model's default after its type change", tn, cn);
			else if (s->def)
				step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, cn, s->def),
				     "column %s.%s has %s%s in the database, the model has %s", tn, cn,
				     ld ? "the default " : "no default", ld ? ld : "", s->def);
			else
				step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tn, cn),
				     "column %s.%s has the default %s in the database, none in the model", tn, cn, ld);
		}
	}
	if (s->notnull && !l->notnull)
		step(o, SEC_COLUMN, F_RISKY, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tn, cn),
		     "column %s.%s is nullable in the database, NOT NULL in the model (fails while it holds NULLs)", tn, cn);
	else if (!s->notnull && l->notnull)
		step(o, SEC_COLUMN, 0, arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tn, cn),
		     "column %s.%s is NOT NULL in the database, nullable in the model", tn, cn);
	if (s->identity && !l->identity) {
		step(o, SEC_COLUMN, 0,
		     arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", tn, cn,
		                  identity_sql(s->identity)),
		     "column %s.%s is an identity column in the model, not in the database", tn, cn);
		step(o, SEC_COLUMN, 0,
		     arena_printf(a, "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max(%s), 0) + 1, false) FROM %s",
		                  sql_literal(a, tn), sql_literal(a, s->raw), cn, tn),
		     "the identity of %s.%s starts after the values already there", tn, cn);
	} else if (s->identity && l->identity != s->identity)
		step(o, SEC_COLUMN, 0,
		     arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s", tn, cn, identity_sql(s->identity)),
		     "column %s.%s is GENERATED %s AS IDENTITY in the database, GENERATED %s in the model", tn, cn,
		     identity_sql(l->identity), identity_sql(s->identity));
}

static void diff_tables(lv_out *o, const lv_snap *live, const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < want->tables.n; i++) {
		lv_table *t = want->tables.items[i];
		const lv_table *l = find_table(live, t->name);
		if (!l) {
			t->fresh = true;
			create_table(o, t, want);
			continue;
		}
		for (size_t j = 0; j < t->cols.n; j++) {
			const lv_col *s = t->cols.items[j];
			const lv_col *lc = find_col(l, s->name, false);
			if (lc) {
				diff_column(o, t, s, lc);
				continue;
			}
			bool risky = s->notnull && !s->def && !s->identity && !s->generated;
			step(o, SEC_COLUMN, risky ? F_RISKY : 0,
			     arena_printf(a, "ALTER TABLE %s ADD COLUMN %s", t->name, col_def(a, s)),
			     "column %s.%s is missing%s", t->name, s->name,
			     risky ? " (NOT NULL without a default: fails when the table has rows)" : "");
		}
		for (size_t j = 0; j < l->cols.n; j++) {
			const lv_col *lc = l->cols.items[j];
			if (!find_col(t, lc->name, false))
				step(o, SEC_COLUMN, F_DESTRUCTIVE, arena_printf(a, "ALTER TABLE %s DROP COLUMN %s", t->name, lc->name),
				     "column %s.%s is not in the model (dropping it loses its data)", t->name, lc->name);
		}
	}
	for (size_t i = 0; i < live->tables.n; i++) {
		const lv_table *l = live->tables.items[i];
		if (!find_table(want, l->name))
			step(o, SEC_TABLE, F_DESTRUCTIVE, arena_printf(a, "DROP TABLE %s", l->name),
			     "table %s is not in the model (dropping it loses its data)", l->name);
	}
}

static const char *con_kind(char type)
{
	switch (type) {
	case 'p': return "primary key";
	case 'u': return "unique constraint";
	case 'c': return "check constraint";
	case 'f': return "foreign key";
	default: return "exclusion constraint";
	}
}

static void diff_constraints(lv_out *o, const lv_snap *live, const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < want->cons.n; i++) {
		lv_con *k = want->cons.items[i];
		const lv_table *t = find_table(want, k->table);
		bool fresh = t && t->fresh;
		if (fresh && k->type != 'f')
			continue;               /* written into its CREATE TABLE */
		const lv_con *l = fresh ? NULL : find_con(live, k->table, k->name);
		if (l && l->type == k->type && strcmp(l->def, k->def) == 0)
			continue;
		int sec = k->type == 'f' ? SEC_FK : SEC_CON;
		const char *add = arena_printf(a, "ALTER TABLE %s ADD CONSTRAINT %s %s", k->table, k->name, k->def);
		k->redo = true;
		if (!l) {
			step(o, sec, fresh ? 0 : F_RISKY, add, "%s %s on %s is missing", con_kind(k->type), k->name, k->table);
			continue;
		}
		step(o, l->type == 'f' ? SEC_DROP_FK : SEC_DROP, 0,
		     arena_printf(a, "ALTER TABLE %s DROP CONSTRAINT %s", k->table, k->name),
		     "%s %s on %s differs from the model (database: %s), dropped and added again", con_kind(l->type),
		     k->name, k->table, l->def);
		step(o, sec, F_RISKY, add, "%s %s on %s as the model has it", con_kind(k->type), k->name, k->table);
	}
	for (size_t i = 0; i < live->cons.n; i++) {
		const lv_con *l = live->cons.items[i];
		if (!find_table(want, l->table) || find_con(want, l->table, l->name))
			continue;                /* an extra table's, or compared above */
		step(o, l->type == 'f' ? SEC_DROP_FK : SEC_DROP, 0,
		     arena_printf(a, "ALTER TABLE %s DROP CONSTRAINT %s", l->table, l->name), "%s %s on %s is not in the model",
		     con_kind(l->type), l->name, l->table);
	}
}

static void diff_indexes(lv_out *o, const lv_snap *live, const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < want->indexes.n; i++) {
		lv_index *x = want->indexes.items[i];
		const lv_table *t = find_table(want, x->table);
		bool fresh = t && t->fresh;
		const lv_index *l = fresh ? NULL : find_index(live, x->name);
		if (l && strcmp(l->def, x->def) == 0)
			continue;
		x->redo = true;
		bool unique = strncmp(x->def, "CREATE UNIQUE", 13) == 0;
		if (!l) {
			step(o, SEC_INDEX, unique && !fresh ? F_RISKY : 0, x->def, "index %s on %s is missing", x->name,
			     x->table);
			continue;
		}
		step(o, SEC_DROP, 0, arena_printf(a, "DROP INDEX %s", x->name),
		     "index %s differs from the model (database: %s), dropped and created again", x->name, l->def);
		step(o, SEC_INDEX, unique ? F_RISKY : 0, x->def, "index %s as the model has it", x->name);
	}
	for (size_t i = 0; i < live->indexes.n; i++) {
		const lv_index *l = live->indexes.items[i];
		if (!find_table(want, l->table) || find_index(want, l->name))
			continue;
		step(o, SEC_DROP, 0, arena_printf(a, "DROP INDEX %s", l->name), "index %s on %s is not in the model",
		     l->name, l->table);
	}
}

/* One COMMENT ON when the database's comment (NULL when the object is new
 * or was just created again) is not the model's. */
static void comment_on(lv_out *o, const char *what, const char *target, const char *want, const char *have)
{
	if (str_eq(want, have))
		return;
	const char *sql = arena_printf(o->a, "COMMENT ON %s %s IS %s", what, target, want ? want : "NULL");
	char *kind = arena_strdup(o->a, what);
	for (char *p = kind; *p; p++)
		*p = (char)(*p - 'A' + 'a');
	if (!want)
		step(o, SEC_COMMENT, 0, sql, "the comment on %s %s is not in the model", kind, target);
	else if (!have)
		step(o, SEC_COMMENT, 0, sql, "the comment on %s %s is missing", kind, target);
	else
		step(o, SEC_COMMENT, 0, sql, "the comment on %s %s differs from the model", kind, target);
}

static void diff_comments(lv_out *o, const lv_snap *live, const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < want->enums.n; i++) {
		const lv_enum *e = want->enums.items[i];
		const lv_enum *l = find_enum(live, e->name);
		comment_on(o, "TYPE", e->name, e->comment, l ? l->comment : NULL);
	}
	for (size_t i = 0; i < want->tables.n; i++) {
		const lv_table *t = want->tables.items[i];
		const lv_table *l = t->fresh ? NULL : find_table(live, t->name);
		comment_on(o, "TABLE", t->name, t->comment, l ? l->comment : NULL);
		for (size_t j = 0; j < t->cols.n; j++) {
			const lv_col *c = t->cols.items[j];
			const lv_col *lc = find_col(l, c->name, false);
			comment_on(o, "COLUMN", arena_printf(a, "%s.%s", t->name, c->name), c->comment,
			           lc ? lc->comment : NULL);
		}
	}
	for (size_t i = 0; i < want->cons.n; i++) {
		const lv_con *k = want->cons.items[i];
		const lv_con *l = k->redo ? NULL : find_con(live, k->table, k->name);
		comment_on(o, "CONSTRAINT", arena_printf(a, "%s ON %s", k->name, k->table), k->comment,
		           l ? l->comment : NULL);
	}
	for (size_t i = 0; i < want->indexes.n; i++) {
		const lv_index *x = want->indexes.items[i];
		const lv_index *l = x->redo ? NULL : find_index(live, x->name);
		comment_on(o, "INDEX", x->name, x->comment, l ? l->comment : NULL);
	}
}

static void diff_all(lv_out *o, const model *m, const vec *exts, const vec *renames, const lv_snap *live,
                     const lv_snap *want)
{
	arena *a = o->a;
	for (size_t i = 0; i < m->extensions.n; i++) {
		const char *x = m->extensions.items[i];
		if (!has_str(exts, x))
			step(o, SEC_EXT, 0, arena_printf(a, "CREATE EXTENSION IF NOT EXISTS %s", sql_ident(a, x)),
			     "extension %s is not installed", x);
	}
	for (size_t i = 0; i < renames->n; i++) {
		const lv_rename *r = renames->items[i];
		if (r->column)
			step(o, SEC_RENAME, 0, rename_sql(a, r), "column %s.%s is named %s in the model (renamed from %s)",
			     sql_ident(a, r->table), sql_ident(a, r->from), sql_ident(a, r->to), sql_ident(a, r->from));
		else
			step(o, SEC_RENAME, 0, rename_sql(a, r), "table %s is named %s in the model (renamed from %s)",
			     sql_ident(a, r->from), sql_ident(a, r->to), sql_ident(a, r->from));
	}
	diff_enums(o, live, want);
	diff_tables(o, live, want);
	diff_constraints(o, live, want);
	diff_indexes(o, live, want);
	diff_comments(o, live, want);
}

/* ---- the check ----------------------------------------------------------- */

/* Everything up to the ROLLBACK: 0, or -1 with the message in err. */
static int inspect(lv_ctx *c, const model *m, const char *ddl, vec *exts, vec *renames, lv_snap *live,
                   lv_snap *want)
{
	if (exec1(c, "BEGIN", NULL) != 0)
		return -1;
	PGresult *r = run(c, "SELECT current_schema(), current_setting('search_path'), pg_backend_pid()", 0, NULL);
	if (!r)
		return -1;
	const char *schema = cell(c, r, 0, 0), *path = cell(c, r, 0, 1);
	const char *scratch = arena_printf(c->a, "modelc_check_%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	if (!schema) {
		buf_puts(c->err, "no current schema: search_path names no existing schema\n");
		return -1;
	}
	if (snap_load(c, schema, live) != 0)
		return -1;
	if (!(r = run(c, "SELECT extname FROM pg_extension ORDER BY 1", 0, NULL)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		vec_push(c->a, exts, cell(c, r, i, 0));
	PQclear(r);

	plan_renames(c->a, m, live, renames);
	if (renames->n) {
		/* renamed in this transaction only: a lock wait must not hang the check */
		if (exec1(c, "SET LOCAL lock_timeout = '5s'", NULL) != 0)
			return -1;
		for (size_t i = 0; i < renames->n; i++)
			if (exec1(c, rename_sql(c->a, renames->items[i]),
			          "cannot rename in the check's transaction what the model says was renamed") != 0)
				return -1;
		if (snap_load(c, schema, live) != 0)
			return -1;
	}

	/* where the DDL would put them, so that it finds them */
	for (size_t i = 0; i < m->extensions.n; i++) {
		const char *x = m->extensions.items[i];
		if (!has_str(exts, x) &&
		    exec1(c, arena_printf(c->a, "CREATE EXTENSION IF NOT EXISTS %s", sql_ident(c->a, x)),
		          arena_printf(c->a, "cannot create extension %s for the model's DDL (rolled back after)", x)) != 0)
			return -1;
	}
	if (exec1(c, arena_printf(c->a, "CREATE SCHEMA %s", scratch),
	          "cannot create the scratch schema (the check needs CREATE on the database)") != 0)
		return -1;
	const char *p[1] = { arena_printf(c->a, "%s, %s", scratch, path) };
	PQclear(r = run(c, "SELECT set_config('search_path', $1, true)", 1, p));
	if (!r)
		return -1;
	r = PQexec(c->conn, ddl);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		/* the server's position is a character offset in the whole text */
		const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
		long at = pos ? atol(pos) : 0, chars = 0;
		int line = 1;
		for (const char *q = ddl; *q && chars < at - 1; q++) {
			if ((*q & 0xC0) != 0x80)
				chars++;
			if (*q == '\n')
				line++;
		}
		buf_printf(c->err, "the model's DDL does not run in a scratch schema");
		if (at > 0)
			buf_printf(c->err, " (%s.sql, line %d)", m->name, line);
		buf_printf(c->err, ": %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return snap_load(c, scratch, want);
}

int mig_live_check(const model *m, const char *conninfo, buf *out, buf *err)
{
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	emit_file files[EMIT_NFILES];
	memset(files, 0, sizeof files);
	emit_opts opts = { NULL };
	PGconn *conn = NULL;
	int rc = 2;
	if (emit_all(&d, m, &opts, files) != 0 || d.errors) {
		buf_printf(err, "cannot render the model's DDL:\n%s", buf_cstr(&d.out));
		goto done;
	}
	conn = PQconnectdb(conninfo ? conninfo : "");
	if (PQstatus(conn) != CONNECTION_OK) {
		buf_printf(err, "cannot connect to the database: %s", PQerrorMessage(conn));
		goto done;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	lv_ctx c = { conn, &a, err };
	vec exts = { 0 }, renames = { 0 };
	lv_snap live, want;
	int ok = inspect(&c, m, buf_cstr(&files[EMIT_SQL].content), &exts, &renames, &live, &want);
	/* nothing of the check stays: the scratch schema, the renames and the
	 * extensions go with the transaction */
	PGresult *r = PQexec(conn, "ROLLBACK");
	PQclear(r);
	if (ok != 0)
		goto done;
	lv_out o = { &a, m, { { 0 } }, 0 };
	diff_all(&o, m, &exts, &renames, &live, &want);
	buf all;
	buf_init(&all);
	for (int i = 0; i < SEC_N; i++) {
		buf_put(&all, o.sec[i].data ? o.sec[i].data : "", o.sec[i].len);
		buf_free(&o.sec[i]);
	}
	/* steps are separated by a blank line, not followed by one */
	buf_put(out, all.data ? all.data : "", all.len ? all.len - 1 : 0);
	buf_free(&all);
	rc = o.n ? 1 : 0;

done:
	PQfinish(conn);
	for (int i = 0; i < EMIT_NFILES; i++)
		buf_free(&files[i].content);
	diag_dispose(&d);
	arena_free(&a);
	return rc;
}

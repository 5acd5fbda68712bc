/* lint_db.c - `modelc lint --db`: the plans of the generated code's reads.
 *
 * The statements are composed the way emit.c (get by key, relationship
 * loads) and the runtime's query builder (a list filtered on one column)
 * compose them; tests/test_lint.c checks that the generated code holds
 * the same text. Each is prepared and explained with a generic plan
 * (plan_cache_mode = force_generic_plan, then EXPLAIN EXECUTE with NULL
 * parameters: the plan the server uses for any value, which PostgreSQL 15
 * cannot show for a bare statement with parameters), inside one read-only
 * transaction that is rolled back. The server finds the Seq Scan nodes of
 * the JSON plan itself (jsonb_path_query) and joins pg_class.reltuples;
 * a scan of a table above --min-rows becomes a seq-scan finding, at the
 * model element the statement comes from, with the index that serves it.
 * libpq directly: the compiler never links the runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lint.h"

/* ---- the statements ------------------------------------------------------------ */

/* The type a parameter is cast to (emit.c's cast_type): without length or
 * precision; serials are not types. */
static const char *cast_type(arena *a, const m_column *c)
{
	const char *base;
	switch (c->type.kind) {
	case T_SMALLSERIAL: base = "smallint"; break;
	case T_SERIAL: base = "integer"; break;
	case T_BIGSERIAL: base = "bigint"; break;
	case T_VARCHAR: base = "varchar"; break;
	case T_CHAR: base = "bpchar"; break;
	case T_NUMERIC: base = "numeric"; break;
	case T_TIME: base = "time"; break;
	case T_TIMETZ: base = "timetz"; break;
	case T_TIMESTAMP: base = "timestamp"; break;
	case T_TIMESTAMPTZ: base = "timestamptz"; break;
	case T_INTERVAL: base = "interval"; break;
	default:
		base = arena_strndup(a, c->type.sql, strcspn(c->type.sql, "(["));
		if (strcmp(base, "bit") == 0 || strcmp(base, "bit varying") == 0)
			base = "varbit";
		break;
	}
	const char *r = base;
	for (int i = 0; i < c->type.array_dims; i++)
		r = arena_printf(a, "%s[]", r);
	return r;
}

static const char *select_list(arena *a, const m_table *t, const char *alias)
{
	buf b;
	buf_init(&b);
	for (size_t k = 0; k < t->columns.n; k++)
		buf_printf(&b, "%s%s%s%s", k ? ", " : "", alias ? alias : "", alias ? "." : "",
		           sql_ident(a, ((const m_column *)t->columns.items[k])->name));
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* "deleted_at IS NULL AND NOT is_deleted", optionally through an alias */
static const char *live_filter(arena *a, const m_table *t, const char *alias)
{
	if (!t->soft_delete_at)
		return NULL;
	const char *p = alias ? arena_printf(a, "%s.", alias) : "";
	const char *at = arena_printf(a, "%s%s IS NULL", p, sql_ident(a, t->soft_delete_at->name));
	if (t->soft_delete_flag)
		return arena_printf(a, "%s AND NOT %s%s", at, p, sql_ident(a, t->soft_delete_flag->name));
	return at;
}

static const char *sort_sql(ast_sort s, ast_nulls n)
{
	static const char *const t[3][3] = {
		{ "", " NULLS FIRST", " NULLS LAST" },
		{ " ASC", " ASC NULLS FIRST", " ASC NULLS LAST" },
		{ " DESC", " DESC NULLS FIRST", " DESC NULLS LAST" },
	};
	return t[s][n];
}

/* "la.x = ra.y AND ...", or "la.x = ra.k1 ..." when the right side is the
 * unnested keys */
static const char *join_on(arena *a, const char *la, const vec *lc, const char *ra, const vec *rc)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < lc->n; i++) {
		const char *l = sql_ident(a, ((const m_column *)lc->items[i])->name);
		const char *r = rc ? sql_ident(a, ((const m_column *)rc->items[i])->name) : arena_printf(a, "k%zu", i + 1);
		buf_printf(&b, "%s%s.%s = %s.%s", i ? " AND " : "", la, l, ra, r);
	}
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static lint_stmt *stmt(arena *a, vec *out, lint_stmt_kind k, const m_table *t, const char *sql, int nparams)
{
	lint_stmt *s = arena_alloc(a, sizeof *s);
	s->kind = k;
	s->table = t;
	s->sql = sql;
	s->nparams = nparams;
	vec_push(a, out, s);
	return s;
}

static void get_stmt(arena *a, vec *out, const m_table *t, const m_key *key)
{
	buf w;
	buf_init(&w);
	for (size_t i = 0; i < key->cols.n; i++)
		buf_printf(&w, "%s%s = $%zu", i ? " AND " : "", sql_ident(a, ((const m_column *)key->cols.items[i])->name),
		           i + 1);
	const char *live = live_filter(a, t, NULL);
	const char *sql = arena_printf(a, "SELECT %s FROM %s WHERE %s%s%s", select_list(a, t, NULL), sql_ident(a, t->name),
	                               w.data ? w.data : "", live ? " AND " : "", live ? live : "");
	buf_free(&w);
	stmt(a, out, LS_GET, t, sql, (int)key->cols.n)->key = key;
}

/* Columns one looks rows up by with '=': not bytea, json, arrays, full
 * text, geometric or range types. */
static bool listable(arena *a, const m_column *c)
{
	if (c->type.array_dims)
		return false;
	switch (c->type.kind) {
	case T_BYTEA:
	case T_JSON:
	case T_JSONB:
		return false;
	case T_OTHER: {
		static const char *const ok[] = { "citext", "cidr", "macaddr", "macaddr8", "ltree", "money", "oid",
		                                  "bit", "bit varying", "varbit", "bpchar", "pg_lsn" };
		const char *base = arena_strndup(a, c->type.sql, strcspn(c->type.sql, "(["));
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
			if (strcmp(base, ok[i]) == 0)
				return true;
		return false;
	}
	default:
		return true;
	}
}

static void list_stmt(arena *a, vec *out, const m_table *t, const m_column *c)
{
	const char *live = live_filter(a, t, NULL);
	const char *sql = arena_printf(a, "SELECT %s FROM %s WHERE %s = $1::%s%s%s", select_list(a, t, NULL),
	                               sql_ident(a, t->name), sql_ident(a, c->name), cast_type(a, c),
	                               live ? " AND " : "", live ? live : "");
	stmt(a, out, LS_LIST, t, sql, 1)->col = c;
}

/* emit.c's rel_value: the selectin loader of one relationship (what
 * _load_<rel> sends) */
static void load_stmt(arena *a, vec *out, const m_table *t, const m_rel *r)
{
	const m_table *tg = r->target;
	const vec *pkeys = r->kind == REL_BELONGS_TO ? &r->fk->cols : &r->fk->ref_cols;
	buf un, al, order;
	buf_init(&un);
	buf_init(&al);
	buf_init(&order);
	for (size_t i = 0; i < pkeys->n; i++) {
		buf_printf(&un, "%s$%zu::%s[]", i ? ", " : "", i + 1, cast_type(a, pkeys->items[i]));
		buf_printf(&al, "k%zu, ", i + 1);
	}
	const char *tn = sql_ident(a, tg->name);
	const char *live = live_filter(a, tg, "mc_c");
	const char *from = arena_printf(a, "unnest(%s) WITH ORDINALITY AS mc_u(%sord)", un.data, al.data);
	const char *cond, *lat_where, *joins = "";
	const char *lat_from = arena_printf(a, "%s AS mc_c", tn);
	if (r->kind == REL_MANY_TO_MANY) {
		const char *jcond = join_on(a, "mc_j", &r->fk->cols, "mc_u", NULL);
		joins = arena_printf(a, " JOIN %s AS mc_j ON %s", sql_ident(a, r->through->name), jcond);
		cond = join_on(a, "mc_c", &r->through_fk->ref_cols, "mc_j", &r->through_fk->cols);
		lat_from = arena_printf(a, "%s AS mc_j JOIN %s AS mc_c ON %s", sql_ident(a, r->through->name), tn, cond);
		lat_where = jcond;
	} else if (r->kind == REL_BELONGS_TO) {
		cond = lat_where = join_on(a, "mc_c", &r->fk->ref_cols, "mc_u", NULL);
	} else {
		cond = lat_where = join_on(a, "mc_c", &r->fk->cols, "mc_u", NULL);
	}
	for (size_t i = 0; i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		buf_printf(&order, ", mc_c.%s%s", sql_ident(a, o->col->name), sort_sql(o->sort, o->nulls));
	}
	for (size_t i = 0; r->kind != REL_BELONGS_TO && tg->pk && i < tg->pk->cols.n; i++) {
		const m_column *c = tg->pk->cols.items[i];
		bool seen = false;
		for (size_t k = 0; k < r->order.n; k++)
			seen = seen || ((const m_order *)r->order.items[k])->col == c;
		if (!seen)
			buf_printf(&order, ", mc_c.%s", sql_ident(a, c->name));
	}
	const char *ord = order.data ? order.data : "";
	/* by key (emit.c): the children whose key = ANY($1), for key types
	 * whose text the runtime prints as the server does; a per-parent
	 * limit keeps the unnest + LATERAL form */
	bool by_key = !r->limit && r->kind != REL_MANY_TO_MANY;    /* as emit.c */
	for (size_t i = 0; i < pkeys->n && by_key; i++) {
		const m_column *c = pkeys->items[i];
		switch (c->type.kind) {
		case T_SMALLINT: case T_INTEGER: case T_BIGINT: case T_SMALLSERIAL: case T_SERIAL: case T_BIGSERIAL:
		case T_TEXT: case T_VARCHAR: case T_UUID: case T_ENUM: case T_BOOLEAN: case T_DATE: case T_TIMESTAMP:
		case T_TIMESTAMPTZ:
			by_key = !c->type.array_dims;
			break;
		default:
			by_key = false;
		}
	}
	const char *sql;
	if (by_key) {
		const vec *cc = r->kind == REL_BELONGS_TO ? &r->fk->ref_cols : &r->fk->cols;
		const char *ka = r->kind == REL_MANY_TO_MANY ? "mc_j" : "mc_c";
		buf lhs, extra;
		buf_init(&lhs);
		buf_init(&extra);
		for (size_t i = 0; i < cc->n; i++) {
			const char *cn = sql_ident(a, ((const m_column *)cc->items[i])->name);
			buf_printf(&lhs, "%s%s.%s", i ? ", " : "", ka, cn);
			if (r->kind == REL_MANY_TO_MANY)
				buf_printf(&extra, ", mc_j.%s", cn);
		}
		const char *in = cc->n == 1 ? arena_printf(a, "%s = ANY(%s)", lhs.data, un.data)
		                            : arena_printf(a, "(%s) IN (SELECT * FROM unnest(%s))", lhs.data, un.data);
		const char *src = r->kind == REL_MANY_TO_MANY ? lat_from : arena_printf(a, "%s AS mc_c", tn);
		sql = arena_printf(a, "SELECT %s%s FROM %s WHERE %s%s%s%s%s", select_list(a, tg, "mc_c"),
		                   extra.data ? extra.data : "", src, in, live ? " AND " : "", live ? live : "",
		                   order.len ? " ORDER BY " : "", order.len ? ord + 2 : "");
		buf_free(&lhs);
		buf_free(&extra);
	} else if (r->limit)
		sql = arena_printf(a, "SELECT %s, mc_u.ord FROM %s CROSS JOIN LATERAL (SELECT mc_c.* FROM %s WHERE %s%s%s "
		                   "ORDER BY %s LIMIT %ld) AS mc_c ORDER BY mc_u.ord%s",
		                   select_list(a, tg, "mc_c"), from, lat_from, lat_where, live ? " AND " : "",
		                   live ? live : "", order.len ? ord + 2 : "1", r->limit, ord);
	else
		sql = arena_printf(a, "SELECT %s, mc_u.ord FROM %s%s JOIN %s AS mc_c ON %s%s%s ORDER BY mc_u.ord%s",
		                   select_list(a, tg, "mc_c"), from, joins, tn, cond, live ? " AND " : "", live ? live : "",
		                   ord);
	buf_free(&un);
	buf_free(&al);
	buf_free(&order);
	stmt(a, out, LS_LOAD, t, sql, (int)pkeys->n)->rel = r;
}

void lint_statements(arena *a, const model *m, vec *out)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		for (size_t q = 0; q <= t->uniques.n; q++) {
			const m_key *k = q == 0 ? t->pk : t->uniques.items[q - 1];
			if (k)
				get_stmt(a, out, t, k);
		}
		/* not the soft-delete columns: the list's own filter on them
		 * leaves one value (NULL, false) to look for */
		for (size_t k = 0; k < t->columns.n; k++) {
			const m_column *c = t->columns.items[k];
			if (listable(a, c) && c != t->soft_delete_at && c != t->soft_delete_flag)
				list_stmt(a, out, t, c);
		}
		for (size_t k = 0; k < t->rels.n; k++)
			load_stmt(a, out, t, t->rels.items[k]);
	}
}

/* ---- the database --------------------------------------------------------------- */

typedef struct db {
	PGconn *conn;
	buf *err;
	int rc;
} db;

static void ignore_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Runs sql; the result (caller clears), or NULL with *state set to the
 * SQLSTATE and the message kept in *msg. */
static PGresult *run(db *b, arena *a, const char *sql, int n, const char *const *params, const char **state,
                     const char **msg)
{
	PGresult *r = n ? PQexecParams(b->conn, sql, n, NULL, params, NULL, NULL, 0) : PQexec(b->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *m = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(b->conn);
	if (state)
		*state = arena_strdup(a, s ? s : "");
	if (msg)
		*msg = arena_strndup(a, m, strcspn(m, "\n"));
	PQclear(r);
	return NULL;
}

static bool exec_ok(db *b, arena *a, const char *sql)
{
	const char *msg = NULL;
	PGresult *r = run(b, a, sql, 0, NULL, NULL, &msg);
	if (!r) {
		buf_printf(b->err, "modelc lint: %s: %s\n", sql, msg);
		b->rc = 2;
		return false;
	}
	PQclear(r);
	return true;
}

/* "(a, b desc)" in SQL, for CREATE INDEX */
static const char *sql_elems(arena *a, const vec *cols, const m_rel *r)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '(');
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", sql_ident(a, ((const m_column *)cols->items[i])->name));
	for (size_t i = 0; r && i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		buf_printf(&b, ", %s%s", sql_ident(a, o->col->name), sort_sql(o->sort, o->nulls));
	}
	buf_putc(&b, ')');
	const char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

static const char *dsl_elems(arena *a, const vec *cols, const m_rel *r)
{
	static const char *const sorts[] = { "", " asc", " desc" };
	static const char *const nulls[] = { "", " nulls first", " nulls last" };
	buf b;
	buf_init(&b);
	buf_putc(&b, '(');
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", lint_dsl_ident(a, ((const m_column *)cols->items[i])->name));
	for (size_t i = 0; r && i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		buf_printf(&b, ", %s%s%s", lint_dsl_ident(a, o->col->name), sorts[o->sort], nulls[o->nulls]);
	}
	buf_putc(&b, ')');
	const char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* The index that would serve statement s where it scans table `scanned`:
 * its table, columns and (for a has_many/has_one) the order. False when
 * the scan is of a table the statement does not look up by a key. */
static bool wanted_index(const lint_stmt *s, const char *scanned, const m_table **t, const vec **cols,
                         const m_rel **order)
{
	*order = NULL;
	if (s->kind == LS_LIST || s->kind == LS_GET) {
		if (strcmp(scanned, s->table->name) != 0)
			return false;
		*t = s->table;
		*cols = s->kind == LS_GET ? &s->key->cols : NULL;
		return true;
	}
	const m_rel *r = s->rel;
	if (r->kind == REL_MANY_TO_MANY && strcmp(scanned, r->through->name) == 0) {
		*t = r->through;
		*cols = &r->fk->cols;
		return true;
	}
	if (strcmp(scanned, r->target->name) != 0)
		return false;
	*t = r->target;
	if (r->kind == REL_HAS_MANY || r->kind == REL_HAS_ONE) {
		*cols = &r->fk->cols;
		*order = r;
	} else if (r->kind == REL_BELONGS_TO) {
		*cols = &r->fk->ref_cols;
	} else {
		*cols = &r->through_fk->ref_cols;
	}
	return true;
}

static void report(lint_ctx *lc, const lint_stmt *s, const char *scanned, double reltuples,
                   const char *ms)
{
	arena *a = lc->a;
	const m_table *it = NULL;
	const vec *cols = NULL;
	const m_rel *ordr = NULL;
	vec one;
	memset(&one, 0, sizeof one);
	if (wanted_index(s, scanned, &it, &cols, &ordr) && !cols) {
		vec_push(a, &one, (void *)s->col);
		cols = &one;
		/* the column is the key of an ordered has_many: one index
		 * serves the list and the relationship */
		for (size_t i = 0; i < lc->m->tables.n && !ordr; i++) {
			const m_table *o = lc->m->tables.items[i];
			for (size_t k = 0; k < o->rels.n && !ordr; k++) {
				const m_rel *r = o->rels.items[k];
				if ((r->kind == REL_HAS_MANY || r->kind == REL_HAS_ONE) && r->target == s->table &&
				    r->fk->cols.n == 1 && r->fk->cols.items[0] == s->col && r->order.n)
					ordr = r;
			}
		}
	}
	const char *what;
	loc at;
	if (s->kind == LS_GET) {
		what = arena_printf(a, "get of '%s' by %s", s->table->name, dsl_elems(a, &s->key->cols, NULL));
		at = s->key->at;
	} else if (s->kind == LS_LIST) {
		what = arena_printf(a, "list of '%s' filtered on '%s'", s->table->name, s->col->name);
		at = s->col->at;
	} else {
		what = arena_printf(a, "loading relationship '%s.%s'", s->table->name, s->rel->name);
		at = s->rel->at;
	}
	const char *why = arena_printf(a, "the database's plan for it (a generic plan, for any value) has a Seq Scan on "
	                               "'%s': every call reads all its rows%s",
	                               scanned, ms ? arena_printf(a, "; it ran in %s ms", ms) : "");
	lint_finding *f = lint_add(lc, "seq-scan", at, s->table, why, "%s reads all of '%s' (about %.0f rows)", what,
	                           scanned, reltuples);
	vec_push(a, &f->extra, arena_printf(a, "statement: %s", s->sql));
	if (!it)
		return;
	const char *have = NULL;
	if (lint_has_lookup_index(it, cols, &have)) {
		lint_hint(lc, f, "the model has '%s' for it: is it in the database? ('modelc migrate check' compares them)",
		          have);
		return;
	}
	lint_hint(lc, f, "add to table '%s': index %s", it->name, dsl_elems(a, cols, ordr));
	/* the name the model would give it (naming.md), when it fits */
	buf nm;
	buf_init(&nm);
	buf_printf(&nm, "ix_%s", it->name);
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&nm, "_%s", ((const m_column *)cols->items[i])->name);
	for (size_t i = 0; ordr && i < ordr->order.n; i++)
		buf_printf(&nm, "_%s", ((const m_order *)ordr->order.items[i])->col->name);
	lint_hint(lc, f, "or in SQL: CREATE INDEX %s%sON %s %s;", nm.len <= 63 ? sql_ident(a, buf_cstr(&nm)) : "",
	          nm.len <= 63 ? " " : "", sql_ident(a, it->name), sql_elems(a, cols, ordr));
	buf_free(&nm);
}

static const char q_seqscans[] =
	"SELECT n->>'Relation Name', (n->>'Plan Rows')::float8, c.reltuples::float8, "
	"to_char((($1::jsonb)->0->>'Execution Time')::numeric, 'FM999999990.000') "
	"FROM jsonb_path_query($1::jsonb, 'strict $.** ? (@.\"Node Type\" == \"Seq Scan\")') AS n "
	"LEFT JOIN pg_class c ON c.oid = to_regclass(quote_ident(n->>'Relation Name'))";

/* Plans statement s (number i); findings for its large seq scans. */
static void plan(lint_ctx *lc, db *b, const lint_stmt *s, size_t i)
{
	arena *a = lc->a;
	const char *state = NULL, *msg = NULL;
	if (!exec_ok(b, a, "SAVEPOINT mc_lint"))
		return;
	const char *name = arena_printf(a, "mc_lint_%zu", i);
	buf ex;
	buf_init(&ex);
	buf_printf(&ex, "EXPLAIN (FORMAT JSON%s) EXECUTE %s(", lc->o->analyze ? ", ANALYZE" : "", name);
	for (int k = 0; k < s->nparams; k++)
		buf_printf(&ex, "%sNULL", k ? ", " : "");
	buf_putc(&ex, ')');
	PGresult *r = run(b, a, arena_printf(a, "PREPARE %s AS %s", name, s->sql), 0, NULL, &state, &msg);
	PGresult *e = NULL;
	if (r) {
		PQclear(r);
		e = run(b, a, buf_cstr(&ex), 0, NULL, &state, &msg);
	}
	buf_free(&ex);
	if (!e || PQntuples(e) < 1) {
		PQclear(e);
		if (exec_ok(b, a, "ROLLBACK TO SAVEPOINT mc_lint"))
			exec_ok(b, a, "RELEASE SAVEPOINT mc_lint");
		/* an operator the type does not have (json = json): nothing to serve */
		if (state && strcmp(state, "42883") == 0)
			return;
		buf_printf(b->err, "modelc lint: cannot plan the statement of %s %s: %s\n  statement: %s\n",
		           s->kind == LS_LOAD ? "relationship" : "table",
		           s->kind == LS_LOAD ? arena_printf(a, "'%s.%s'", s->table->name, s->rel->name)
		                              : arena_printf(a, "'%s'", s->table->name),
		           msg ? msg : "?", s->sql);
		b->rc = 2;
		return;
	}
	const char *json = PQgetvalue(e, 0, 0);
	const char *params[1] = { json };
	r = run(b, a, q_seqscans, 1, params, &state, &msg);
	PQclear(e);
	if (!r) {
		buf_printf(b->err, "modelc lint: reading a plan: %s\n", msg);
		b->rc = 2;
		if (exec_ok(b, a, "ROLLBACK TO SAVEPOINT mc_lint"))
			exec_ok(b, a, "RELEASE SAVEPOINT mc_lint");
		return;
	}
	for (int k = 0; k < PQntuples(r); k++) {
		if (PQgetisnull(r, k, 2))
			continue;   /* not a table of this schema */
		const char *rel = PQgetvalue(r, k, 0);
		double rows = strtod(PQgetvalue(r, k, 1), NULL), tuples = strtod(PQgetvalue(r, k, 2), NULL);
		if (tuples <= lc->o->min_rows)
			continue;
		/* a filter that matches a tenth of the table: an index would not
		 * be used either */
		if (s->kind == LS_LIST && strcmp(rel, s->table->name) == 0 && rows > tuples / 10)
			continue;
		report(lc, s, arena_strdup(a, rel), tuples,
		       PQgetisnull(r, k, 3) ? NULL : arena_strdup(a, PQgetvalue(r, k, 3)));
	}
	PQclear(r);
	exec_ok(b, a, "RELEASE SAVEPOINT mc_lint");
}

int lint_db(lint_ctx *lc, buf *err)
{
	arena *a = lc->a;
	db b = { NULL, err, 0 };
	b.conn = PQconnectdb(lc->o->db ? lc->o->db : "");
	if (PQstatus(b.conn) != CONNECTION_OK) {
		buf_printf(err, "modelc lint: cannot connect to the database: %s", PQerrorMessage(b.conn));
		PQfinish(b.conn);
		return 2;
	}
	PQsetNoticeProcessor(b.conn, ignore_notice, NULL);
	if (!exec_ok(&b, a, "SET client_min_messages = warning") ||
	    !exec_ok(&b, a, "SET plan_cache_mode = force_generic_plan") ||
	    !exec_ok(&b, a, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
		PQfinish(b.conn);
		return 2;
	}
	/* every table must be there; one never analyzed cannot be judged */
	vec missing;
	memset(&missing, 0, sizeof missing);
	for (size_t i = 0; i < lc->m->tables.n; i++) {
		const m_table *t = lc->m->tables.items[i];
		const char *params[1] = { sql_ident(a, t->name) };
		const char *msg = NULL;
		PGresult *r = run(&b, a, "SELECT c.reltuples::float8 FROM pg_class c WHERE c.oid = to_regclass($1)", 1,
		                  params, NULL, &msg);
		if (!r) {
			buf_printf(err, "modelc lint: %s\n", msg);
			b.rc = 2;
			break;
		}
		if (PQntuples(r) == 0) {
			buf_printf(err, "modelc lint: table '%s' of the model is not in the database "
			                "('modelc migrate check' compares them)\n", t->name);
			vec_push(a, &missing, (void *)t);
			b.rc = 2;
		} else if (strtod(PQgetvalue(r, 0, 0), NULL) < 0) {
			buf_printf(err, "modelc lint: note: table '%s' was never analyzed, so its size is unknown and its "
			                "scans are not judged (run ANALYZE %s)\n", t->name, sql_ident(a, t->name));
		}
		PQclear(r);
	}
	vec stmts;
	memset(&stmts, 0, sizeof stmts);
	lint_statements(a, lc->m, &stmts);
	for (size_t i = 0; i < stmts.n && PQstatus(b.conn) == CONNECTION_OK; i++) {
		const lint_stmt *s = stmts.items[i];
		bool skip = false;
		for (size_t k = 0; k < missing.n; k++) {
			const m_table *t = missing.items[k];
			skip = skip || t == s->table ||
			       (s->rel && (t == s->rel->target || (s->rel->through && t == s->rel->through)));
		}
		if (!skip)
			plan(lc, &b, s, i);
	}
	PGresult *r = PQexec(b.conn, "ROLLBACK");
	PQclear(r);
	if (PQstatus(b.conn) != CONNECTION_OK) {
		buf_printf(err, "modelc lint: lost the database connection: %s", PQerrorMessage(b.conn));
		b.rc = 2;
	}
	PQfinish(b.conn);
	return b.rc;
}

/* query.c - filtered queries on one table (gen.h, "queries").
 *
 * The SQL is composed per call from the table descriptor's identifiers and
 * fixed keywords only; every value is a $n parameter cast to its column's
 * type, so the server never parses a value as SQL. The statements are
 * unnamed (their text changes with the filters), run through mc_exec, so
 * the hook and the statement counter see them like any other.
 *
 * Shapes (t = table, c* = columns, T* = their casts):
 *   SELECT <select_list> FROM t WHERE c1 = $1::T1 AND (c2 < $2::T2 OR
 *     c3 = ANY($3::T3[])) AND deleted_at IS NULL AND NOT is_deleted
 *     ORDER BY c1, c2 DESC LIMIT $4::bigint OFFSET $5::bigint
 *   SELECT count(*) FROM t WHERE ...
 *   DELETE FROM t WHERE ...
 *   UPDATE t SET c1 = $1::T1, <set_sql> WHERE c2 = $2::T2 ...
 *
 * Keyset pagination (mc_query_after) on order columns c1, c2, ... with
 * values v1, v2, ...: when all directions agree, one row comparison
 * (c1, c2) > ($v1, $v2) (or <), which an index on (c1, c2) serves; with
 * mixed directions the expansion
 *   (c1 >= v1 AND (c1 > v1 OR (c1 = v1 AND c2 < v2) OR ...))
 * where each column compares with > when ascending and < when descending,
 * and the leading c1 >= v1 lets an index on c1 bound the scan. NULLs in
 * order columns are not supported: a NULL value compares to nothing, so the
 * rows around it would be skipped. The last order column should be unique
 * (the primary key) so that no two rows tie.
 *
 * Values: conditions and keyset values live in q->values in the order they
 * were added; a condition refers to its value by index, so the SQL can put
 * it anywhere. Set values of an update come first ($1..$nset) and shift the
 * query's numbers; LIMIT and OFFSET come last. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { IT_COND, IT_AND, IT_OR, IT_END };

typedef struct qitem {
	int kind;
	int col;
	mc_op op;
	int value;              /* index in q->values; -1 when the op takes none */
} qitem;

typedef struct qorder {
	int col;
	bool desc;
} qorder;

struct mc_query {
	const mc_table_desc *t;
	mc_params values;
	int used;               /* values claimed by conditions and the keyset */

	qitem *items;
	size_t nitems, items_cap;
	int depth, max_depth;

	qorder *orders;
	size_t norders, orders_cap;

	int after;              /* index of the first keyset value, or -1 */
	size_t nafter;          /* order columns when mc_query_after was called */
	int64_t limit, offset;  /* -1: none */
	bool include_deleted;

	mc_status err;          /* the first misuse, reported by the run calls */
	char msg[200];
};

/* ---- building ---------------------------------------------------------------- */

static void misuse(mc_query *q, mc_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Only the first one: later ones are usually its consequences. */
static void misuse(mc_query *q, mc_status st, const char *fmt, ...)
{
	va_list ap;

	if (q->err != MC_OK)
		return;
	q->err = st;
	va_start(ap, fmt);
	vsnprintf(q->msg, sizeof(q->msg), fmt, ap);
	va_end(ap);
}

static bool reserve_one(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size)
		return false;
	na = realloc(*arr, ncap * size);
	if (!na)
		return false;
	*arr = na;
	*cap = ncap;
	return true;
}

static void push_item(mc_query *q, int kind, int col, mc_op op, int value)
{
	if (!reserve_one((void **)&q->items, &q->items_cap, q->nitems, sizeof(*q->items))) {
		misuse(q, MC_NOMEM, "out of memory");
		return;
	}
	q->items[q->nitems].kind = kind;
	q->items[q->nitems].col = col;
	q->items[q->nitems].op = op;
	q->items[q->nitems].value = value;
	q->nitems++;
}

/* False (and the misuse recorded) when col is not one of t's columns. */
static bool valid_col(mc_query *q, int col, const char *what)
{
	if (col >= 0 && col < q->t->ncolumns)
		return true;
	misuse(q, MC_INVALID, "%s: column %d out of range (table %s has %d)", what, col,
	       q->t->name, q->t->ncolumns);
	return false;
}

mc_query *mc_query_new(const mc_table_desc *t)
{
	mc_query *q;

	if (!t)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->t = t;
	mc_params_init(&q->values);
	q->after = -1;
	q->limit = q->offset = -1;
	return q;
}

void mc_query_free(mc_query *q)
{
	if (!q)
		return;
	mc_params_free(&q->values);
	free(q->items);
	free(q->orders);
	free(q);
}

mc_params *mc_query_value(mc_query *q)
{
	return q ? &q->values : NULL;
}

void mc_query_cond(mc_query *q, int col, mc_op op)
{
	bool takes;

	if (!q || q->err != MC_OK)
		return;
	if (q->values.failed) {
		misuse(q, MC_NOMEM, "out of memory while adding a value");
		return;
	}
	if (!valid_col(q, col, "condition"))
		return;
	if ((int)op < MC_OP_EQ || (int)op > MC_OP_ILIKE) {
		misuse(q, MC_INVALID, "condition on %s: unknown operator %d", q->t->columns[col], (int)op);
		return;
	}
	takes = op != MC_OP_IS_NULL && op != MC_OP_IS_NOT_NULL;
	if (q->values.n != q->used + (takes ? 1 : 0)) {
		misuse(q, MC_INVALID, "condition on %s takes %s value, %d given", q->t->columns[col],
		       takes ? "one" : "no", q->values.n - q->used);
		return;
	}
	push_item(q, IT_COND, col, op, takes ? q->used : -1);
	if (takes)
		q->used++;
}

static void group_begin(mc_query *q, int kind)
{
	if (!q || q->err != MC_OK)
		return;
	if (q->values.n != q->used) {
		misuse(q, MC_INVALID, "a value was added without a condition");
		return;
	}
	push_item(q, kind, -1, MC_OP_EQ, -1);
	if (++q->depth > q->max_depth)
		q->max_depth = q->depth;
}

void mc_query_or_begin(mc_query *q)
{
	group_begin(q, IT_OR);
}

void mc_query_and_begin(mc_query *q)
{
	group_begin(q, IT_AND);
}

void mc_query_end(mc_query *q)
{
	if (!q || q->err != MC_OK)
		return;
	if (q->depth == 0) {
		misuse(q, MC_INVALID, "mc_query_end without an open group");
		return;
	}
	push_item(q, IT_END, -1, MC_OP_EQ, -1);
	q->depth--;
}

void mc_query_order(mc_query *q, int col, bool desc)
{
	if (!q || q->err != MC_OK || !valid_col(q, col, "order"))
		return;
	if (!reserve_one((void **)&q->orders, &q->orders_cap, q->norders, sizeof(*q->orders))) {
		misuse(q, MC_NOMEM, "out of memory");
		return;
	}
	q->orders[q->norders].col = col;
	q->orders[q->norders].desc = desc;
	q->norders++;
}

/* What typed wrappers need to add a row's keyset values in order. */
int mc_query_order_count(const mc_query *q)
{
	return q ? (int)q->norders : 0;
}

int mc_query_order_col(const mc_query *q, int i)
{
	if (!q || i < 0 || (size_t)i >= q->norders)
		return -1;
	return q->orders[i].col;
}

void mc_query_limit(mc_query *q, int64_t n)
{
	if (!q || q->err != MC_OK)
		return;
	if (n < 0)
		misuse(q, MC_INVALID, "negative limit %" PRId64, n);
	else
		q->limit = n;
}

void mc_query_offset(mc_query *q, int64_t n)
{
	if (!q || q->err != MC_OK)
		return;
	if (n < 0)
		misuse(q, MC_INVALID, "negative offset %" PRId64, n);
	else
		q->offset = n;
}

void mc_query_after(mc_query *q)
{
	if (!q || q->err != MC_OK)
		return;
	if (q->values.failed) {
		misuse(q, MC_NOMEM, "out of memory while adding a value");
	} else if (q->after >= 0) {
		misuse(q, MC_INVALID, "mc_query_after called twice");
	} else if (q->norders == 0) {
		misuse(q, MC_INVALID, "mc_query_after needs the order columns first (mc_query_order)");
	} else if ((size_t)(q->values.n - q->used) != q->norders) {
		misuse(q, MC_INVALID, "mc_query_after takes one value per order column (%zu), %d given",
		       q->norders, q->values.n - q->used);
	} else {
		q->after = q->used;
		q->nafter = q->norders;
		q->used = q->values.n;
	}
}

void mc_query_include_deleted(mc_query *q, bool yes)
{
	if (q)
		q->include_deleted = yes;
}

/* ---- SQL text ------------------------------------------------------------------ */

typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len <= n) {
		size_t ncap = b->cap ? b->cap : 256;
		while (ncap - b->len <= n) {
			if (ncap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			ncap *= 2;
		}
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_add(sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* $n::type (with [] for an array of it). */
static void sb_param(sbuf *b, int n, const char *cast, bool array)
{
	char num[16];
	snprintf(num, sizeof(num), "$%d::", n);
	sb_add(b, num);
	sb_add(b, cast);
	if (array)
		sb_add(b, "[]");
}

/* The terms of the WHERE clause are joined with AND; each one is a single
 * comparison or parenthesized, so no term can change another's meaning. */
typedef struct where {
	sbuf *b;
	bool any;
} where;

static void where_term(where *w)
{
	sb_add(w->b, w->any ? " AND " : " WHERE ");
	w->any = true;
}

static const char *const op_sql[] = {
	[MC_OP_EQ] = " = ", [MC_OP_NE] = " <> ", [MC_OP_LT] = " < ",
	[MC_OP_LE] = " <= ", [MC_OP_GT] = " > ", [MC_OP_GE] = " >= ",
	[MC_OP_LIKE] = " LIKE ", [MC_OP_ILIKE] = " ILIKE ",
};

static void emit_cond(sbuf *b, const mc_table_desc *t, const qitem *it, int base)
{
	const char *col = t->columns[it->col], *cast = t->casts[it->col];
	int n = base + it->value + 1;

	switch (it->op) {
	case MC_OP_IN:
	case MC_OP_NOT_IN:
		/* one array parameter, however many values: no limit on their
		 * number; NOT (...) keeps SQL's NOT IN semantics for NULLs */
		sb_add(b, it->op == MC_OP_NOT_IN ? "NOT (" : "");
		sb_add(b, col);
		sb_add(b, " = ANY(");
		sb_param(b, n, cast, true);
		sb_add(b, it->op == MC_OP_NOT_IN ? "))" : ")");
		break;
	case MC_OP_IS_NULL:
	case MC_OP_IS_NOT_NULL:
		sb_add(b, col);
		sb_add(b, it->op == MC_OP_IS_NULL ? " IS NULL" : " IS NOT NULL");
		break;
	case MC_OP_LIKE:
	case MC_OP_ILIKE:
		/* a pattern is not a column value: a length-limited cast such
		 * as varchar(20) would cut it short */
		sb_add(b, col);
		sb_add(b, op_sql[it->op]);
		sb_param(b, n, "text", false);
		break;
	default:
		sb_add(b, col);
		sb_add(b, op_sql[it->op]);
		sb_param(b, n, cast, false);
		break;
	}
}

typedef struct level {
	bool or, first;
} level;

static mc_status emit_conds(where *w, const mc_table_desc *t, const mc_query *q, int base)
{
	level *lv = malloc(((size_t)q->max_depth + 1) * sizeof(*lv));
	int d = 0;

	if (!lv)
		return MC_NOMEM;
	for (size_t i = 0; i < q->nitems; i++) {
		const qitem *it = &q->items[i];
		if (it->kind == IT_END) {
			/* an empty group is its operator's identity */
			if (lv[d].first)
				sb_add(w->b, lv[d].or ? "FALSE" : "TRUE");
			sb_add(w->b, ")");
			d--;
			continue;
		}
		if (d == 0)
			where_term(w);
		else if (!lv[d].first)
			sb_add(w->b, lv[d].or ? " OR " : " AND ");
		lv[d].first = false;
		if (it->kind == IT_COND) {
			emit_cond(w->b, t, it, base);
		} else {
			sb_add(w->b, "(");
			d++;
			lv[d].or = it->kind == IT_OR;
			lv[d].first = true;
		}
	}
	free(lv);
	return MC_OK;
}

static void emit_keyset(where *w, const mc_table_desc *t, const mc_query *q, int base)
{
	sbuf *b = w->b;
	int v0 = base + q->after + 1;
	bool mixed = false;

	for (size_t i = 1; i < q->norders; i++)
		mixed |= q->orders[i].desc != q->orders[0].desc;
	where_term(w);

	if (!mixed) {
		const char *rel = q->orders[0].desc ? " < " : " > ";
		if (q->norders == 1) {
			sb_add(b, t->columns[q->orders[0].col]);
			sb_add(b, rel);
			sb_param(b, v0, t->casts[q->orders[0].col], false);
			return;
		}
		sb_add(b, "(");
		for (size_t i = 0; i < q->norders; i++) {
			sb_add(b, i ? ", " : "");
			sb_add(b, t->columns[q->orders[i].col]);
		}
		sb_add(b, ")");
		sb_add(b, rel);
		sb_add(b, "(");
		for (size_t i = 0; i < q->norders; i++) {
			sb_add(b, i ? ", " : "");
			sb_param(b, v0 + (int)i, t->casts[q->orders[i].col], false);
		}
		sb_add(b, ")");
		return;
	}

	sb_add(b, "(");
	sb_add(b, t->columns[q->orders[0].col]);
	sb_add(b, q->orders[0].desc ? " <= " : " >= ");
	sb_param(b, v0, t->casts[q->orders[0].col], false);
	sb_add(b, " AND (");
	for (size_t i = 0; i < q->norders; i++) {
		sb_add(b, i ? " OR " : "");
		sb_add(b, i ? "(" : "");
		for (size_t j = 0; j < i; j++) {
			sb_add(b, t->columns[q->orders[j].col]);
			sb_add(b, " = ");
			sb_param(b, v0 + (int)j, t->casts[q->orders[j].col], false);
			sb_add(b, " AND ");
		}
		sb_add(b, t->columns[q->orders[i].col]);
		sb_add(b, q->orders[i].desc ? " < " : " > ");
		sb_param(b, v0 + (int)i, t->casts[q->orders[i].col], false);
		sb_add(b, i ? ")" : "");
	}
	sb_add(b, "))");
}

static mc_status emit_where(sbuf *b, const mc_table_desc *t, const mc_query *q, int base)
{
	where w = { b, false };

	if (q && emit_conds(&w, t, q, base) != MC_OK)
		return MC_NOMEM;
	if (!q || !q->include_deleted) {
		if (t->soft_delete_at >= 0) {
			where_term(&w);
			sb_add(b, t->columns[t->soft_delete_at]);
			sb_add(b, " IS NULL");
		}
		if (t->soft_delete_flag >= 0) {
			where_term(&w);
			sb_add(b, "NOT ");
			sb_add(b, t->columns[t->soft_delete_flag]);
		}
	}
	if (q && q->after >= 0)
		emit_keyset(&w, t, q, base);
	return MC_OK;
}

/* ---- parameters of one statement --------------------------------------------- */

/* A view for mc_exec: the pointers lead into the query's and the set's
 * own memory, nothing is copied (a 70,000-value IN list is one string). */
typedef struct args {
	mc_params p;
	char num[2][24];        /* LIMIT and OFFSET */
} args;

static bool args_init(args *a, int n)
{
	mc_params_init(&a->p);
	if (n > MC_PARAMS_INLINE) {
		a->p.values = malloc((size_t)n * sizeof(*a->p.values));
		a->p.lengths = malloc((size_t)n * sizeof(*a->p.lengths));
		a->p.cap = n;
		if (!a->p.values || !a->p.lengths)
			return false;
	}
	return true;
}

static void args_free(args *a)
{
	if (a->p.values != a->p.inline_values)
		free((void *)a->p.values);
	if (a->p.lengths != a->p.inline_lengths)
		free(a->p.lengths);
	mc_params_init(&a->p);
}

static void args_add(args *a, const char *v, int len)
{
	a->p.values[a->p.n] = v;
	a->p.lengths[a->p.n] = len;
	a->p.n++;
}

static void args_add_all(args *a, const mc_params *from)
{
	for (int i = 0; from && i < from->n; i++)
		args_add(a, from->values[i], from->lengths[i]);
}

static void args_add_int(args *a, int slot, int64_t v)
{
	int len = snprintf(a->num[slot], sizeof(a->num[slot]), "%" PRId64, v);
	args_add(a, a->num[slot], len);
}

/* ---- composing a statement ------------------------------------------------------- */

typedef enum kind { K_SELECT, K_COUNT, K_DELETE, K_UPDATE } kind;

typedef struct update_set {
	const int *cols;
	int n;
	const mc_params *values;
	const char *sql;
	bool add;               /* col = col + value (mc_query_increment) */
} update_set;

static bool col_ok(const mc_table_desc *t, int col, bool optional)
{
	return (optional && col == -1) || (col >= 0 && col < t->ncolumns);
}

/* What every run call checks before any SQL exists; the message goes on c. */
static mc_status validate(mc_conn *c, const mc_table_desc *t, const mc_query *q, kind k,
                          const update_set *set)
{
	if (!t || !t->name || !t->columns || !t->casts || !t->select_list || t->ncolumns <= 0 ||
	    !col_ok(t, t->soft_delete_at, true) || !col_ok(t, t->soft_delete_flag, true))
		return mc__fail(c, MC_INVALID, NULL, "query: incomplete table descriptor");
	if (q) {
		if (q->t != t)
			return mc__fail(c, MC_INVALID, NULL, "query built for table %s run on table %s",
					q->t->name, t->name);
		if (q->err != MC_OK)
			return mc__fail(c, q->err, NULL, "query on %s: %s", t->name, q->msg);
		if (q->values.failed)
			return mc__fail(c, MC_NOMEM, NULL, "query on %s: out of memory while adding a value",
					t->name);
		if (q->depth != 0)
			return mc__fail(c, MC_INVALID, NULL, "query on %s: %d group(s) left open", t->name,
					q->depth);
		if (q->values.n != q->used)
			return mc__fail(c, MC_INVALID, NULL, "query on %s: %d value(s) without a condition",
					t->name, q->values.n - q->used);
		if (q->after >= 0 && q->nafter != q->norders)
			return mc__fail(c, MC_INVALID, NULL,
					"query on %s: order columns added after mc_query_after", t->name);
		/* no LIMIT in PostgreSQL's DELETE and UPDATE; ignoring one
		 * would write more rows than asked */
		if ((k == K_DELETE || k == K_UPDATE) && (q->limit >= 0 || q->offset >= 0))
			return mc__fail(c, MC_INVALID, NULL, "query on %s: limit/offset do not apply to %s",
					t->name, k == K_DELETE ? "delete" : "update");
	}
	if (k == K_UPDATE) {
		if (set->n < 0 || (set->n > 0 && (!set->cols || !set->values)))
			return mc__fail(c, MC_INVALID, NULL, "update of %s: bad set arguments", t->name);
		if (set->values && set->values->failed)
			return mc__fail(c, MC_NOMEM, NULL, "update of %s: out of memory while adding a value",
					t->name);
		if (set->n > 0 && set->values->n != set->n)
			return mc__fail(c, MC_INVALID, NULL, "update of %s: %d columns but %d values", t->name,
					set->n, set->values->n);
		if (set->n == 0 && (!set->sql || !*set->sql))
			return mc__fail(c, MC_INVALID, NULL, "update of %s: nothing to set", t->name);
		for (int i = 0; i < set->n; i++)
			if (!col_ok(t, set->cols[i], false))
				return mc__fail(c, MC_INVALID, NULL, "update of %s: column %d out of range",
						t->name, set->cols[i]);
	}
	return MC_OK;
}

/* The statement's text into b and its parameters into a (args_free it
 * whatever the outcome). */
/* A SELECT with related rows joined in: the descriptor with table-qualified
 * column references (validation still uses the caller's descriptor), the
 * joins after FROM. */
typedef struct joined {
	const mc_table_desc *qt;
	const char *join;
	const char *before, *after;     /* around the whole SELECT */
} joined;

static mc_status compose(mc_conn *c, const mc_table_desc *t, const mc_query *q, kind k,
                         const update_set *set, sbuf *b, args *a, const joined *j)
{
	int nset = k == K_UPDATE ? set->n : 0;
	int nq = q ? q->values.n : 0;
	bool page = k == K_SELECT && q;
	mc_status st;

	mc_params_init(&a->p);
	st = validate(c, t, q, k, set);
	if (st != MC_OK)
		return st;
	if (!args_init(a, nset + nq + 2))
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	if (j && k == K_SELECT)
		t = j->qt;

	switch (k) {
	case K_SELECT:
		if (j && j->before)
			sb_add(b, j->before);
		sb_add(b, "SELECT ");
		sb_add(b, t->select_list);
		sb_add(b, " FROM ");
		sb_add(b, t->name);
		if (j && j->join)
			sb_add(b, j->join);
		break;
	case K_COUNT:
		sb_add(b, "SELECT count(*) FROM ");
		sb_add(b, t->name);
		break;
	case K_DELETE:
		sb_add(b, "DELETE FROM ");
		sb_add(b, t->name);
		break;
	case K_UPDATE:
		sb_add(b, "UPDATE ");
		sb_add(b, t->name);
		sb_add(b, " SET ");
		for (int i = 0; i < nset; i++) {
			sb_add(b, i ? ", " : "");
			sb_add(b, t->columns[set->cols[i]]);
			sb_add(b, " = ");
			if (set->add) {
				sb_add(b, t->columns[set->cols[i]]);
				sb_add(b, " + ");
			}
			sb_param(b, i + 1, t->casts[set->cols[i]], false);
		}
		if (set->sql && *set->sql) {
			sb_add(b, nset ? ", " : "");
			sb_add(b, set->sql);
		}
		args_add_all(a, set->values);
		break;
	}

	if (emit_where(b, t, q, nset) != MC_OK)
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	args_add_all(a, q ? &q->values : NULL);

	if (page && q->norders) {
		sb_add(b, " ORDER BY ");
		for (size_t i = 0; i < q->norders; i++) {
			sb_add(b, i ? ", " : "");
			sb_add(b, t->columns[q->orders[i].col]);
			sb_add(b, q->orders[i].desc ? " DESC" : "");
		}
	}
	if (page && q->limit >= 0) {
		sb_add(b, " LIMIT ");
		sb_param(b, a->p.n + 1, "bigint", false);
		args_add_int(a, 0, q->limit);
	}
	if (page && q->offset >= 0) {
		sb_add(b, " OFFSET ");
		sb_param(b, a->p.n + 1, "bigint", false);
		args_add_int(a, 1, q->offset);
	}
	if (j && j->after && k == K_SELECT)
		sb_add(b, j->after);
	if (b->oom)
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	return MC_OK;
}

/* Where a composed statement goes instead of mc_exec: a batch (its
 * current call), with the callback that gets the result. */
typedef struct sink {
	mc_batch *b;
	mc_batch_done done;
	void *ctx;
} sink;

/* Composes and runs through mc_exec as an unnamed statement, or queues it
 * in to->b; a failure to compose then fails the batch's call. */
static mc_status run(mc_conn *c, const mc_table_desc *t, const mc_query *q, kind k,
                     const update_set *set, PGresult **out, const joined *j, const sink *to)
{
	sbuf b = { NULL, 0, 0, false };
	args a;
	mc_status st;

	*out = NULL;
	if (!c)
		return MC_INVALID;
	st = compose(c, t, q, k, set, &b, &a, j);
	/* the table's own rows: binary when every column reads it (t->binary;
	 * the generated decoders take either format) */
	int binary = k == K_SELECT && !j && t->binary ? 1 : 0;
	if (to && st == MC_OK) {
		/* prepared once seen often enough, as below; the PREPARE goes
		 * into the batch's pipeline */
		const mc_stmt *use = mc__dyn_text(c, b.p, a.p.n, binary);
		st = use ? mc_batch_queue(to->b, use, &a.p, to->done, to->ctx, 0)
			 : mc__batch_queue_sql(to->b, b.p, &a.p, to->done, to->ctx);
	} else if (to) {
		st = mc_batch_refuse(to->b, st, NULL);
	} else if (st == MC_OK) {
		/* unnamed the first two times this text is seen on the
		 * connection, prepared from the third on (stmtcache.c) */
		mc_stmt stmt = { NULL, b.p, a.p.n, binary };
		const mc_stmt *use = mc__dyn_text(c, b.p, a.p.n, binary);
		void *res = NULL;
		st = mc_exec(c, use ? use : &stmt, &a.p, &res);
		*out = res;
	}
	args_free(&a);
	free(b.p);
	return st;
}

mc_status mc_query_select(mc_conn *c, const mc_table_desc *t, const mc_query *q, void **pgres)
{
	PGresult *r;
	mc_status st;

	if (!pgres)
		return c ? mc__fail(c, MC_INVALID, NULL, "mc_query_select: no result pointer") : MC_INVALID;
	st = run(c, t, q, K_SELECT, NULL, &r, NULL, NULL);
	*pgres = r;
	return st;
}

static mc_status select_joined(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                               const char *join, void **pgres, const sink *to)
{
	PGresult *r = NULL;
	mc_status st;
	sbuf names = { NULL, 0, 0, false }, sel = { NULL, 0, 0, false };
	size_t *at;
	const char **cols;

	if (!pgres)
		return c ? mc__fail(c, MC_INVALID, NULL, "mc_query_select_joined: no result pointer") : MC_INVALID;
	*pgres = NULL;
	if (!c)
		return MC_INVALID;
	if (!t || !t->name || !t->columns || t->ncolumns <= 0)
		return mc__fail(c, MC_INVALID, NULL, "query: incomplete table descriptor");
	at = malloc((size_t)t->ncolumns * sizeof(*at));
	cols = malloc((size_t)t->ncolumns * sizeof(*cols));
	if (!at || !cols) {
		free(at);
		free((void *)cols);
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	}
	/* every column as table.column, each one NUL-terminated in names */
	for (int i = 0; i < t->ncolumns; i++) {
		at[i] = names.len;
		sb_add(&names, t->name);
		sb_add(&names, ".");
		sb_add(&names, t->columns[i]);
		sb_addn(&names, "", 1);
		sb_add(&sel, i ? ", " : "");
		sb_add(&sel, t->name);
		sb_add(&sel, ".");
		sb_add(&sel, t->columns[i]);
	}
	if (extra_select && *extra_select) {
		sb_add(&sel, ", ");
		sb_add(&sel, extra_select);
	}
	if (names.oom || sel.oom) {
		st = mc__fail(c, MC_NOMEM, NULL, "out of memory");
	} else {
		mc_table_desc qt = *t;
		joined j;
		for (int i = 0; i < t->ncolumns; i++)
			cols[i] = names.p + at[i];
		qt.columns = cols;
		qt.select_list = sel.p;
		j.qt = &qt;
		j.join = join;
		j.before = j.after = NULL;
		st = run(c, t, q, K_SELECT, NULL, &r, &j, to);
	}
	*pgres = r;
	free(at);
	free((void *)cols);
	free(names.p);
	free(sel.p);
	return st;
}

mc_status mc_query_select_joined(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, void **pgres)
{
	return select_joined(c, t, q, extra_select, join, pgres, NULL);
}

mc_status mc_query_select_around(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *before,
                                 const char *after, void **pgres)
{
	PGresult *r = NULL;
	mc_status st;
	joined j = { t, NULL, before, after };

	if (!pgres)
		return c ? mc__fail(c, MC_INVALID, NULL, "mc_query_select_around: no result pointer") : MC_INVALID;
	st = run(c, t, q, K_SELECT, NULL, &r, &j, NULL);
	*pgres = r;
	return st;
}

/* The query as a subquery named after its table, more joined to it, the
 * rows ordered by the query's own order, then tail_order. */
static mc_status select_nested(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                               const char *join, const char *tail_order, void **pgres, const sink *to)
{
	PGresult *r = NULL;
	mc_status st;
	sbuf before = { NULL, 0, 0, false }, after = { NULL, 0, 0, false };

	if (!pgres)
		return c ? mc__fail(c, MC_INVALID, NULL, "mc_query_select_nested: no result pointer") : MC_INVALID;
	*pgres = NULL;
	if (!c)
		return MC_INVALID;
	if (!t || !t->name || !t->columns || t->ncolumns <= 0)
		return mc__fail(c, MC_INVALID, NULL, "query: incomplete table descriptor");
	sb_add(&before, "SELECT ");
	for (int i = 0; i < t->ncolumns; i++) {
		sb_add(&before, i ? ", " : "");
		sb_add(&before, t->name);
		sb_add(&before, ".");
		sb_add(&before, t->columns[i]);
	}
	if (extra_select && *extra_select) {
		sb_add(&before, ", ");
		sb_add(&before, extra_select);
	}
	sb_add(&before, " FROM (");
	sb_add(&after, ") AS ");
	sb_add(&after, t->name);
	sb_add(&after, join ? join : "");
	sb_add(&after, " ORDER BY ");
	bool any = false;
	for (size_t i = 0; q && i < q->norders; i++) {
		if (q->orders[i].col < 0 || q->orders[i].col >= t->ncolumns)
			continue;
		sb_add(&after, any ? ", " : "");
		sb_add(&after, t->name);
		sb_add(&after, ".");
		sb_add(&after, t->columns[q->orders[i].col]);
		sb_add(&after, q->orders[i].desc ? " DESC" : "");
		any = true;
	}
	if (tail_order && *tail_order) {
		sb_add(&after, any ? ", " : "");
		sb_add(&after, tail_order);
		any = true;
	}
	if (!any)
		sb_add(&after, "1");
	if (before.oom || after.oom) {
		st = mc__fail(c, MC_NOMEM, NULL, "out of memory");
	} else {
		joined j = { t, NULL, before.p, after.p };
		st = run(c, t, q, K_SELECT, NULL, &r, &j, to);
	}
	*pgres = r;
	free(before.p);
	free(after.p);
	return st;
}

mc_status mc_query_select_nested(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, const char *tail_order, void **pgres)
{
	return select_nested(c, t, q, extra_select, join, tail_order, pgres, NULL);
}

/* ---- the same SELECTs, queued in a batch ------------------------------------------ */

/* A failure before anything was composed still fails the batch's call. */
static mc_status queued(mc_batch *b, mc_status st)
{
	return st == MC_OK ? st : mc_batch_refuse(b, st, NULL);
}

mc_status mc_batch_select(mc_batch *b, const mc_table_desc *t, const mc_query *q, mc_batch_done done, void *ctx)
{
	sink to = { b, done, ctx };
	PGresult *r;
	mc_conn *c = mc_batch_conn(b);

	return c ? queued(b, run(c, t, q, K_SELECT, NULL, &r, NULL, &to)) : MC_INVALID;
}

mc_status mc_batch_select_joined(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, mc_batch_done done, void *ctx)
{
	sink to = { b, done, ctx };
	void *r;
	mc_conn *c = mc_batch_conn(b);

	return c ? queued(b, select_joined(c, t, q, extra_select, join, &r, &to)) : MC_INVALID;
}

mc_status mc_batch_select_nested(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, const char *tail_order, mc_batch_done done, void *ctx)
{
	sink to = { b, done, ctx };
	void *r;
	mc_conn *c = mc_batch_conn(b);

	return c ? queued(b, select_nested(c, t, q, extra_select, join, tail_order, &r, &to)) : MC_INVALID;
}

mc_status mc_batch_select_around(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *before,
                                 const char *after, mc_batch_done done, void *ctx)
{
	sink to = { b, done, ctx };
	joined j = { t, NULL, before, after };
	PGresult *r;
	mc_conn *c = mc_batch_conn(b);

	return c ? queued(b, run(c, t, q, K_SELECT, NULL, &r, &j, &to)) : MC_INVALID;
}

/* ---- rows matched by the text of key columns ------------------------------------ */

struct mc_keymap {
	const PGresult *pg;
	int nkeys;
	const int *cols;
	size_t nbuckets;
	long *head, *next;
	/* binary key columns: each row's key text, made once (nkeys a row) */
	const char **text;
	char *store;
};

/* The text of key column k of indexed row i. */
static const char *row_key(const mc_keymap *m, long i, int k, char buf[MC__KEY_TEXT])
{
	if (m->text)
		return m->text[(size_t)i * (size_t)m->nkeys + (size_t)k];
	return mc__key_text(m->pg, (int)i, m->cols[k], buf);
}

static size_t key_hash(const PGresult *pg, int row, int nkeys, const int *cols)
{
	size_t h = 1469598103934665603u & SIZE_MAX;
	char buf[MC__KEY_TEXT];
	for (int k = 0; k < nkeys; k++) {
		for (const unsigned char *p = (const unsigned char *)mc__key_text(pg, row, cols[k], buf); *p; p++)
			h = (h ^ *p) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u;
	}
	return h;
}

/* The same hash over key texts (none NULL). */
static size_t text_hash(const char *const *key, int nkeys)
{
	size_t h = 1469598103934665603u & SIZE_MAX;
	for (int k = 0; k < nkeys; k++) {
		for (const unsigned char *p = (const unsigned char *)key[k]; *p; p++)
			h = (h ^ *p) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u;
	}
	return h;
}

static bool key_null(const PGresult *pg, int row, int nkeys, const int *cols)
{
	for (int k = 0; k < nkeys; k++)
		if (PQgetisnull(pg, row, cols[k]))
			return true;
	return false;
}

mc_keymap *mc_keymap_new(const void *pgres, int nkeys, const int *cols, size_t n)
{
	const PGresult *pg = pgres;
	mc_keymap *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->pg = pg;
	m->nkeys = nkeys;
	m->cols = cols;
	m->nbuckets = n * 2 + 1;
	m->head = malloc(m->nbuckets * sizeof(long));
	m->next = malloc((n ? n : 1) * sizeof(long));
	if (!m->head || !m->next) {
		mc_keymap_free(m);
		return NULL;
	}
	for (size_t i = 0; i < m->nbuckets; i++)
		m->head[i] = -1;
	bool binary = false;
	for (int k = 0; k < nkeys; k++)
		binary |= PQfformat(pg, cols[k]) != 0;
	if (binary && n) {
		size_t nk = n * (size_t)nkeys;
		m->text = malloc(nk * sizeof(*m->text));
		m->store = malloc(nk * MC__KEY_TEXT);
		if (!m->text || !m->store) {
			mc_keymap_free(m);
			return NULL;
		}
		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < nkeys; k++) {
				char *buf = m->store + (i * (size_t)nkeys + (size_t)k) * MC__KEY_TEXT;
				m->text[i * (size_t)nkeys + (size_t)k] = mc__key_text(pg, (int)i, cols[k], buf);
			}
	}
	/* inserted last to first, so each chain lists parents in order */
	for (size_t i = n; i-- > 0;) {
		m->next[i] = -1;
		if (key_null(pg, (int)i, nkeys, cols))
			continue;
		size_t b = (m->text ? text_hash(m->text + i * (size_t)nkeys, nkeys) : key_hash(pg, (int)i, nkeys, cols)) %
			   m->nbuckets;
		m->next[i] = m->head[b];
		m->head[b] = (long)i;
	}
	return m;
}

static bool key_same(const mc_keymap *m, long i, const PGresult *pg, int row, const int *cols)
{
	char a[MC__KEY_TEXT], b[MC__KEY_TEXT];
	for (int k = 0; k < m->nkeys; k++)
		if (strcmp(row_key(m, i, k, a), mc__key_text(pg, row, cols[k], b)) != 0)
			return false;
	return true;
}

static long key_from(const mc_keymap *m, long i, const void *pgres, int row, const int *cols)
{
	for (; i >= 0; i = m->next[i])
		if (key_same(m, i, pgres, row, cols))
			return i;
	return -1;
}

long mc_keymap_first(const mc_keymap *m, const void *pgres, int row, const int *cols)
{
	if (key_null(pgres, row, m->nkeys, cols))
		return -1;
	return key_from(m, m->head[key_hash(pgres, row, m->nkeys, cols) % m->nbuckets], pgres, row, cols);
}

long mc_keymap_next(const mc_keymap *m, long i, const void *pgres, int row, const int *cols)
{
	return key_from(m, m->next[i], pgres, row, cols);
}

/* The same lookups with the key given as text, one string per key column
 * (what the parameters of a load carry); a NULL column matches nothing. */
static bool text_same(const mc_keymap *m, long i, const char *const *key)
{
	char buf[MC__KEY_TEXT];
	for (int k = 0; k < m->nkeys; k++)
		if (strcmp(row_key(m, i, k, buf), key[k]) != 0)
			return false;
	return true;
}

static long text_from(const mc_keymap *m, long i, const char *const *key)
{
	for (; i >= 0; i = m->next[i])
		if (text_same(m, i, key))
			return i;
	return -1;
}

long mc_keymap_first_text(const mc_keymap *m, const char *const *key)
{
	for (int k = 0; k < m->nkeys; k++)
		if (!key[k])
			return -1;
	return text_from(m, m->head[text_hash(key, m->nkeys) % m->nbuckets], key);
}

long mc_keymap_next_text(const mc_keymap *m, long i, const char *const *key)
{
	return text_from(m, m->next[i], key);
}

void mc_keymap_free(mc_keymap *m)
{
	if (!m)
		return;
	free(m->head);
	free(m->next);
	free(m->text);
	free(m->store);
	free(m);
}

mc_status mc_query_count(mc_conn *c, const mc_table_desc *t, const mc_query *q, int64_t *n)
{
	PGresult *r;
	mc_status st;

	if (n)
		*n = 0;
	if (!n)
		return c ? mc__fail(c, MC_INVALID, NULL, "mc_query_count: no count pointer") : MC_INVALID;
	st = run(c, t, q, K_COUNT, NULL, &r, NULL, NULL);
	if (st != MC_OK)
		return st;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) || mc_decode_int64(PQgetvalue(r, 0, 0), n) != MC_OK)
		st = mc__fail(c, MC_DATA, NULL, "count of %s: unexpected answer", t->name);
	PQclear(r);
	return st;
}

/* Rows an UPDATE or DELETE touched. */
static mc_status affected(mc_conn *c, PGresult *r, int64_t *n)
{
	const char *s = PQcmdTuples(r);
	mc_status st = MC_OK;

	if (!*s || mc_decode_int64(s, n) != MC_OK)
		st = mc__fail(c, MC_DATA, NULL, "no row count in the server's answer");
	PQclear(r);
	return st;
}

mc_status mc_query_delete(mc_conn *c, const mc_table_desc *t, const mc_query *q, int64_t *n)
{
	PGresult *r;
	mc_status st;
	int64_t dummy;

	if (!n)
		n = &dummy;
	*n = 0;
	st = run(c, t, q, K_DELETE, NULL, &r, NULL, NULL);
	return st == MC_OK ? affected(c, r, n) : st;
}

mc_status mc_query_update(mc_conn *c, const mc_table_desc *t, const mc_query *q, const int *set_cols,
                          int nset, const mc_params *set, const char *set_sql, int64_t *n)
{
	update_set us = { set_cols, nset, set, set_sql, false };
	PGresult *r;
	mc_status st;
	int64_t dummy;

	if (!n)
		n = &dummy;
	*n = 0;
	st = run(c, t, q, K_UPDATE, &us, &r, NULL, NULL);
	return st == MC_OK ? affected(c, r, n) : st;
}

mc_status mc_query_increment(mc_conn *c, const mc_table_desc *t, const mc_query *q, const int *cols, int ncols,
                             const mc_params *deltas, const char *set_sql, int64_t *n)
{
	update_set us = { cols, ncols, deltas, set_sql, true };
	PGresult *r;
	mc_status st;
	int64_t dummy;

	if (!n)
		n = &dummy;
	*n = 0;
	if (ncols <= 0)
		return c ? mc__fail(c, MC_INVALID, NULL, "increment of %s: no column", t && t->name ? t->name : "?")
			 : MC_INVALID;
	st = run(c, t, q, K_UPDATE, &us, &r, NULL, NULL);
	return st == MC_OK ? affected(c, r, n) : st;
}

/* ---- streaming ------------------------------------------------------------------ */

/* Asks the server to stop sending. True when the request went out. */
static bool cancel(PGconn *pg)
{
	char err[256];
	PGcancel *cn = PQgetCancel(pg);
	bool ok;

	if (!cn)
		return false;
	ok = PQcancel(cn, err, (int)sizeof(err)) == 1;
	PQfreeCancel(cn);
	return ok;
}

static bool is_sqlstate(const PGresult *r, const char *want)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return s && strcmp(s, want) == 0;
}

/* Single-row mode: libpq hands over one PGresult per row, freed right after
 * the callback, so memory stays constant whatever the row count.
 *
 * An early stop outside a transaction block cancels the statement: the
 * server stops producing rows, and the error that cancel causes is ours,
 * not the caller's. Inside a transaction block a cancel would abort the
 * caller's transaction, so the rest of the rows are read and dropped
 * instead. Either way libpq is drained to the end, so the connection is
 * ready for the next statement when this returns. */
static mc_status stream(mc_conn *c, const char *sql, const mc_params *p, int binary, mc_row_fn each, void *ctx)
{
	PGconn *pg = c->pg;
	double t0 = mc__now();
	mc_status st = MC_OK;
	bool stopped = false, cancelled = false, in_block;
	long rows = 0;
	PGresult *r, *failed = NULL;

	mc__err_reset(c);
	if (c->batch) {
		st = mc__busy(c);
		goto done;
	}
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		st = mc__lost(c);
		goto done;
	}
	/* the same refusal as mc_exec: text values end at their first NUL */
	for (int i = 0; i < p->n; i++) {
		if (p->values[i] && strlen(p->values[i]) != (size_t)p->lengths[i]) {
			st = mc__fail(c, MC_DATA, "22021", "parameter $%d of a streamed query contains a NUL byte",
				      i + 1);
			goto done;
		}
	}
	in_block = PQtransactionStatus(pg) != PQTRANS_IDLE;
	c->round_trips++;
	if (!PQsendQueryParams(pg, sql, p->n, NULL, p->values, NULL, NULL, binary ? 1 : 0)) {
		st = mc__check_result(c, NULL);
		goto done;
	}
	/* should it fail, the rows come in one result: still right, only not
	 * in constant memory */
	(void)PQsetSingleRowMode(pg);

	while ((r = PQgetResult(pg)) != NULL) {
		ExecStatusType rs = PQresultStatus(r);
		if (rs == PGRES_SINGLE_TUPLE || rs == PGRES_TUPLES_OK) {
			int nt = PQntuples(r);
			for (int i = 0; i < nt && !stopped; i++) {
				rows++;
				if (each(ctx, r, i) != 0) {
					stopped = true;
					if (!in_block)
						cancelled = cancel(pg);
				}
			}
		} else if (!failed && !(cancelled && is_sqlstate(r, "57014"))) {
			/* judged once libpq is drained: a server that says why
			 * it hangs up (57P01) is only known to be gone then */
			failed = r;
			continue;
		}
		PQclear(r);
	}
	if (failed) {
		st = mc__check_result(c, failed);
		PQclear(failed);
	} else if (PQstatus(pg) != CONNECTION_OK) {
		st = mc__lost(c);
	}
done:
	mc__finish(c, sql, p->n, t0, st, rows);
	return st;
}

mc_status mc_query_stream(mc_conn *c, const mc_table_desc *t, const mc_query *q, mc_row_fn each, void *ctx)
{
	sbuf b = { NULL, 0, 0, false };
	args a;
	mc_status st;

	if (!c)
		return MC_INVALID;
	if (!each)
		return mc__fail(c, MC_INVALID, NULL, "mc_query_stream: no row callback");
	st = compose(c, t, q, K_SELECT, NULL, &b, &a, NULL);
	if (st == MC_OK)
		st = stream(c, b.p, &a.p, t->binary, each, ctx);
	args_free(&a);
	free(b.p);
	return st;
}

/* ---- streaming in batches ------------------------------------------------------- */

/* A cursor, not single-row mode: the connection must be free between
 * batches for the statements that load each batch's relationships. */
mc_status mc_query_stream_batches(mc_conn *c, const mc_table_desc *t, const mc_query *q, int batch,
                                  mc_batch_fn each, void *ctx)
{
	sbuf b = { NULL, 0, 0, false };
	char name[32], cmd[80];
	args a;
	mc_status st;
	bool own_tx, declared = false, failed = false;

	if (!c)
		return MC_INVALID;
	if (!each || batch <= 0)
		return mc__fail(c, MC_INVALID, NULL, "mc_query_stream_batches: no batch callback or size");
	st = compose(c, t, q, K_SELECT, NULL, &b, &a, NULL);
	if (st != MC_OK)
		goto out;
	own_tx = !c->pg || PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	if (own_tx && (st = mc__run(c, "BEGIN", false, NULL)) != MC_OK)
		goto out;

	snprintf(name, sizeof name, "mc_stream_%u", c->cursor_seq++);
	{
		sbuf d = { NULL, 0, 0, false };
		sb_add(&d, "DECLARE ");
		sb_add(&d, name);
		sb_add(&d, " NO SCROLL CURSOR FOR ");
		sb_add(&d, b.p);
		if (d.oom) {
			st = mc__fail(c, MC_NOMEM, NULL, "out of memory");
		} else {
			mc_stmt stmt = { NULL, d.p, a.p.n, 0 };
			void *r = NULL;
			st = mc_exec(c, &stmt, &a.p, &r);
			PQclear(r);
		}
		free(d.p);
	}
	declared = st == MC_OK;

	snprintf(cmd, sizeof cmd, "FETCH FORWARD %d FROM %s", batch, name);
	while (st == MC_OK) {
		PGresult *r = NULL;
		int n;
		if ((st = mc__run(c, cmd, false, &r)) != MC_OK)
			break;
		n = PQntuples(r);
		if (n == 0) {
			PQclear(r);
			break;
		}
		int stop = each(ctx, r);
		if (stop < 0)
			failed = true;
		if (stop != 0 || n < batch)
			break;
	}

	/* a failed statement aborted the transaction and took the cursor; a
	 * callback's failure is its own to report, so it keeps the last error */
	if (st == MC_OK && declared && c->pg && PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
		snprintf(cmd, sizeof cmd, "CLOSE %s", name);
		mc_status cs = mc__run(c, cmd, failed, NULL);
		if (!failed)
			st = cs;
	}
	if (own_tx) {
		if (st == MC_OK && !failed)
			st = mc__run(c, "COMMIT", false, NULL);
		else
			(void)mc__run(c, "ROLLBACK", true, NULL);
	}
out:
	args_free(&a);
	free(b.p);
	return st;
}

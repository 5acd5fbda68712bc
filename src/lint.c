/* lint.c - `modelc lint`: static advice on a checked model.
 *
 * Each check looks at the semantic model only (keys, indexes, foreign
 * keys, relationships, types) and adds findings with a stable code, the
 * location of what to change, a one-line why and a hint with the DSL to
 * write. Silences are comments, so the grammar knows nothing of them: the
 * text of every file read is scanned here for
 *     // lint: allow CODE[, CODE...] -- REASON        (a line)
 *     // lint: allow-table CODE[, CODE...] -- REASON  (a table, in its body)
 * The findings that stay are rendered by diag.c (header, source line,
 * caret) in source order, then the why, statement and hint lines. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"

const lint_code lint_codes[] = {
	{ "fk-unindexed", "a foreign key without an index that starts with its columns", false, false },
	{ "order-unindexed", "a relationship's order by without an index on (foreign key, order columns)", false, false },
	{ "soft-delete-unique", "a unique constraint or index of a soft-delete table that counts deleted rows", false,
	  false },
	{ "joined-collection", "a has_many or many_to_many loaded joined without a per-parent limit", false, false },
	{ "timestamp-without-tz", "a timestamp column without time zone", false, false },
	{ "no-primary-key", "a table without a primary key", false, false },
	{ "duplicate-index", "an index (or unique constraint) with the same definition as another", false, false },
	{ "redundant-index", "an index that is a prefix of another index or key", false, false },
	{ "seq-scan", "(--db) a statement of the generated code that reads a whole large table", true, false },
	{ "silence-without-reason", "a '// lint: allow' comment without '-- reason'", false, true },
	{ "bad-silence", "a '// lint:' comment that cannot be read, or names an unknown code", false, true },
	{ "unused-silence", "a silence that silences nothing", false, true },
};
const size_t lint_ncodes = sizeof lint_codes / sizeof lint_codes[0];

static const lint_code *find_code(const char *s, size_t n)
{
	for (size_t i = 0; i < lint_ncodes; i++)
		if (strlen(lint_codes[i].code) == n && memcmp(lint_codes[i].code, s, n) == 0)
			return &lint_codes[i];
	return NULL;
}

/* ---- findings ----------------------------------------------------------------- */

static lint_finding *vadd(lint_ctx *lc, const char *code, loc at, const m_table *t, const char *why,
                          const char *fmt, va_list ap)
{
	lint_finding *f = arena_alloc(lc->a, sizeof *f);
	buf b;
	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	f->code = code;
	f->at = at;
	f->table = t;
	f->msg = arena_strndup(lc->a, b.data ? b.data : "", b.len);
	f->why = why;
	f->seq = (uint32_t)lc->findings.n;
	buf_free(&b);
	vec_push(lc->a, &lc->findings, f);
	return f;
}

lint_finding *lint_add(lint_ctx *lc, const char *code, loc at, const m_table *t, const char *why, const char *fmt,
                       ...)
{
	va_list ap;
	va_start(ap, fmt);
	lint_finding *f = vadd(lc, code, at, t, why, fmt, ap);
	va_end(ap);
	return f;
}

void lint_hint(lint_ctx *lc, lint_finding *f, const char *fmt, ...)
{
	va_list ap;
	buf b;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	vec_push(lc->a, &f->hints, arena_strndup(lc->a, b.data ? b.data : "", b.len));
	buf_free(&b);
}

/* ---- names and lists as the DSL writes them -------------------------------------- */

/* The DSL's keywords (dsl.md, "Keywords"): a hint quotes them all, which
 * is always right, rather than only those a name cannot be. */
static const char *const dsl_reserved[] = {
	"action", "always", "as", "asc", "belongs_to", "by", "cascade", "check", "default", "delete", "desc", "enum",
	"extension", "first", "foreign", "from", "generated", "has_many", "has_one", "identity", "import", "include",
	"index", "key", "last", "limit", "load", "many_to_many", "mixin", "no", "not", "null", "nulls", "on", "order",
	"override", "primary", "references", "renamed", "restrict", "set", "soft", "stored", "table", "through",
	"unique", "update", "use", "using", "version", "where",
};

const char *lint_dsl_ident(arena *a, const char *name)
{
	bool plain = isalpha((unsigned char)name[0]) || name[0] == '_';
	for (const char *p = name; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || *p == '_' || *p == '$';
	for (size_t i = 0; plain && i < sizeof dsl_reserved / sizeof dsl_reserved[0]; i++)
		if (str_ieq(name, dsl_reserved[i]))
			plain = false;
	if (plain)
		return name;
	buf b;
	buf_init(&b);
	buf_putc(&b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(&b, '"');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '"');
	const char *r = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *sort_dsl(ast_sort s, ast_nulls n)
{
	static const char *const t[3][3] = {
		{ "", " nulls first", " nulls last" },
		{ " asc", " asc nulls first", " asc nulls last" },
		{ " desc", " desc nulls first", " desc nulls last" },
	};
	return t[s][n];
}

/* "a, b" */
static const char *col_list(arena *a, const vec *cols)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", lint_dsl_ident(a, ((const m_column *)cols->items[i])->name));
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* ---- indexes, keys and what they serve --------------------------------------------- */

typedef struct ixe {
	const m_column *col;    /* or an expression */
	const char *expr;
	const char *opclass;
	bool desc, nulls_first; /* normalised: nulls first is the default of desc */
} ixe;

/* A primary key, unique constraint or index, seen as the index it is. */
typedef struct ixinfo {
	const char *what;       /* "primary key", "unique constraint", "index", "unique index" */
	const char *name;
	loc at;
	bool constraint, unique, btree, hash;
	size_t n;
	ixe *e;
	const vec *include;
	const char *where;
	const m_index *ix;
	const m_key *key;
} ixinfo;

static ixinfo *key_info(arena *a, const m_key *k, bool pk)
{
	ixinfo *x = arena_alloc(a, sizeof *x);
	x->what = pk ? "primary key" : "unique constraint";
	x->name = k->name;
	x->at = k->at;
	x->constraint = x->unique = x->btree = true;
	x->n = k->cols.n;
	x->e = arena_alloc(a, (k->cols.n ? k->cols.n : 1) * sizeof *x->e);
	for (size_t i = 0; i < k->cols.n; i++)
		x->e[i].col = k->cols.items[i];
	x->key = k;
	return x;
}

static ixinfo *index_info(arena *a, const m_index *ix)
{
	ixinfo *x = arena_alloc(a, sizeof *x);
	x->what = ix->unique ? "unique index" : "index";
	x->name = ix->name;
	x->at = ix->at;
	x->unique = ix->unique;
	x->btree = !ix->method || str_ieq(ix->method, "btree");
	x->hash = ix->method && str_ieq(ix->method, "hash");
	x->n = ix->elems.n;
	x->e = arena_alloc(a, (ix->elems.n ? ix->elems.n : 1) * sizeof *x->e);
	for (size_t i = 0; i < ix->elems.n; i++) {
		const m_index_elem *el = ix->elems.items[i];
		x->e[i].col = el->col;
		x->e[i].expr = el->expr_sql;
		x->e[i].opclass = el->opclass;
		x->e[i].desc = el->sort == SORT_DESC;
		x->e[i].nulls_first = el->nulls == NULLS_FIRST || (el->nulls == NULLS_DEFAULT && el->sort == SORT_DESC);
		/* where the NULLs go does not matter for a column without any */
		if (el->col && el->col->not_null)
			x->e[i].nulls_first = x->e[i].desc;
	}
	x->include = &ix->include;
	x->where = ix->where_sql;
	x->ix = ix;
	return x;
}

static int loc_cmp(loc a, loc b)
{
	if (a.file != b.file)
		return a.file < b.file ? -1 : 1;
	return a.off < b.off ? -1 : a.off > b.off;
}

/* The table's keys and indexes, in source order. */
static void table_indexes(arena *a, const m_table *t, vec *out)
{
	memset(out, 0, sizeof *out);
	if (t->pk)
		vec_push(a, out, key_info(a, t->pk, true));
	for (size_t i = 0; i < t->uniques.n; i++)
		vec_push(a, out, key_info(a, t->uniques.items[i], false));
	for (size_t i = 0; i < t->indexes.n; i++)
		vec_push(a, out, index_info(a, t->indexes.items[i]));
	for (size_t i = 1; i < out->n; i++)
		for (size_t k = i; k > 0 && loc_cmp(((ixinfo *)out->items[k - 1])->at, ((ixinfo *)out->items[k])->at) > 0;
		     k--) {
			void *tmp = out->items[k];
			out->items[k] = out->items[k - 1];
			out->items[k - 1] = tmp;
		}
}

static bool in_cols(const vec *cols, const m_column *c)
{
	for (size_t i = 0; i < cols->n; i++)
		if (cols->items[i] == c)
			return true;
	return false;
}

/* Splits a normalised SQL predicate into its top-level AND terms; false
 * when it has a top-level OR (then no term holds on its own). */
static bool conjuncts(arena *a, const char *sql, vec *out)
{
	memset(out, 0, sizeof *out);
	int depth = 0;
	const char *start = sql;
	for (const char *p = sql;; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				;
			if (!*p)
				break;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		bool end = *p == '\0';
		if (!end && depth == 0 && *p == ' ' && strncasecmp(p, " or ", 4) == 0)
			return false;
		if (end || (depth == 0 && *p == ' ' && strncasecmp(p, " and ", 5) == 0)) {
			const char *s = start, *e = p;
			/* a term in parentheses of its own */
			while (e - s >= 2 && *s == '(' && e[-1] == ')')
				s++, e--;
			vec_push(a, out, arena_strndup(a, s, (size_t)(e - s)));
			if (end)
				break;
			start = p + 5;
			p += 4;
		}
	}
	return true;
}

/* Does the term exclude soft-deleted rows of t ("deleted_at is null",
 * "not is_deleted", ...)? */
static bool live_term(arena *a, const m_table *t, const char *term)
{
	if (t->soft_delete_at && str_ieq(term, arena_printf(a, "%s is null", sql_ident(a, t->soft_delete_at->name))))
		return true;
	if (!t->soft_delete_flag)
		return false;
	const char *f = sql_ident(a, t->soft_delete_flag->name);
	const char *forms[] = { "not %s", "not (%s)", "%s = false", "%s is false", "%s is not true", "false = %s" };
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		if (str_ieq(term, arena_printf(a, forms[i], f)))
			return true;
	return false;
}

static bool excludes_deleted(arena *a, const m_table *t, const char *where)
{
	vec terms;
	if (!where || !t->soft_delete_at || !conjuncts(a, where, &terms))
		return false;
	for (size_t i = 0; i < terms.n; i++)
		if (live_term(a, t, terms.items[i]))
			return true;
	return false;
}

/* A predicate that the generated reads of t always satisfy: only the
 * soft-delete filter they add themselves. */
static bool only_live(arena *a, const m_table *t, const char *where)
{
	vec terms;
	if (!where)
		return true;
	if (!t->soft_delete_at || !conjuncts(a, where, &terms))
		return false;
	for (size_t i = 0; i < terms.n; i++)
		if (!live_term(a, t, terms.items[i]))
			return false;
	return true;
}

static bool is_key_of(const m_table *t, const vec *cols);

/* Does x serve the lookup "cols = values"? Its leading plain columns must
 * be columns of cols: all of them, or (ref/ref_cols given, for a foreign
 * key) those whose referenced columns hold a key of ref, so that they pin
 * one referenced row. live_ok: a predicate of the soft-delete filter only
 * is fine (the statement adds it). */
static bool serves_lookup(arena *a, const m_table *t, const ixinfo *x, const vec *cols, const m_table *ref,
                          const vec *ref_cols, bool live_ok)
{
	if (x->where && !(live_ok && only_live(a, t, x->where)))
		return false;
	if (!x->btree && !x->hash)
		return false;
	vec seen;
	memset(&seen, 0, sizeof seen);
	for (size_t k = 0; k < x->n && x->e[k].col && in_cols(cols, x->e[k].col) && !in_cols(&seen, x->e[k].col); k++)
		vec_push(a, &seen, (void *)x->e[k].col);
	if (!seen.n)
		return false;
	if (seen.n == cols->n)
		return true;
	if (!ref)
		return false;
	vec pinned;
	memset(&pinned, 0, sizeof pinned);
	for (size_t i = 0; i < cols->n; i++)
		if (in_cols(&seen, cols->items[i]))
			vec_push(a, &pinned, ref_cols->items[i]);
	return is_key_of(ref, &pinned);
}

/* Does cols (a set) contain a primary key, unique constraint or plain
 * unique index of t? */
static bool is_key_of(const m_table *t, const vec *cols)
{
	for (size_t q = 0; q <= t->uniques.n; q++) {
		const m_key *k = q == 0 ? t->pk : t->uniques.items[q - 1];
		if (!k)
			continue;
		bool all = true;
		for (size_t i = 0; i < k->cols.n && all; i++)
			all = in_cols(cols, k->cols.items[i]);
		if (all)
			return true;
	}
	for (size_t q = 0; q < t->indexes.n; q++) {
		const m_index *ix = t->indexes.items[q];
		bool all = ix->unique && !ix->where_sql;
		for (size_t i = 0; i < ix->elems.n && all; i++) {
			const m_index_elem *el = ix->elems.items[i];
			all = el->col && in_cols(cols, el->col);
		}
		if (all)
			return true;
	}
	return false;
}

static bool fk_indexed(arena *a, const m_fk *fk)
{
	vec ixs;
	table_indexes(a, fk->table, &ixs);
	for (size_t i = 0; i < ixs.n; i++)
		if (serves_lookup(a, fk->table, ixs.items[i], &fk->cols, fk->ref, &fk->ref_cols, false))
			return true;
	return false;
}

bool lint_has_lookup_index(const m_table *t, const vec *cols, const char **name)
{
	arena a;
	arena_init(&a);
	vec ixs;
	table_indexes(&a, t, &ixs);
	bool found = false;
	for (size_t i = 0; i < ixs.n && !found; i++) {
		const ixinfo *x = ixs.items[i];
		if (serves_lookup(&a, t, x, cols, NULL, NULL, true)) {
			found = true;
			*name = x->name;
		}
	}
	arena_free(&a);
	return found;
}

/* Does x give the children of one parent of r in r's order: the foreign
 * key's columns (any order), then the order columns, all read forwards or
 * all backwards? */
static bool serves_order(arena *a, const m_rel *r, const ixinfo *x)
{
	const vec *fkc = &r->fk->cols;
	if (!x->btree || !only_live(a, r->target, x->where) || x->n < fkc->n + r->order.n)
		return false;
	for (size_t k = 0; k < fkc->n; k++)
		if (!x->e[k].col || !in_cols(fkc, x->e[k].col))
			return false;
	int dir = 0;    /* 1 forwards, -1 backwards */
	for (size_t i = 0; i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		const ixe *e = &x->e[fkc->n + i];
		if (e->col != o->col || e->opclass)
			return false;
		bool desc = o->sort == SORT_DESC;
		bool nf = o->col->not_null ? desc : o->nulls == NULLS_FIRST || (o->nulls == NULLS_DEFAULT && desc);
		int d = (e->desc == desc && e->nulls_first == nf) ? 1 : (e->desc != desc && e->nulls_first != nf) ? -1 : 0;
		if (!d || (dir && d != dir))
			return false;
		dir = d;
	}
	return true;
}

/* "index (a, b desc)" for the foreign key of r followed by r's order */
static const char *order_index_dsl(arena *a, const m_fk *fk, const m_rel *r)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "index (%s", col_list(a, &fk->cols));
	for (size_t i = 0; r && i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		buf_printf(&b, ", %s%s", lint_dsl_ident(a, o->col->name), sort_dsl(o->sort, o->nulls));
	}
	buf_putc(&b, ')');
	const char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* ---- locations inside a member ------------------------------------------------------ */

typedef struct tok {
	uint32_t off, len;
	char kind;              /* 'w' word, 'q' quoted, 's' string, or the punctuation character */
} tok;

/* The tokens of the member that starts at or before `from`, from there to
 * its end (a newline or ';' outside brackets, or the body's '}'). */
static size_t member_tokens(const diag_ctx *d, loc from, tok *out, size_t max)
{
	const srcfile *f = diag_file(d, from.file);
	size_t n = 0;
	if (!f)
		return 0;
	const char *s = f->text;
	size_t i = from.off, len = f->len;
	int depth = 0;
	while (i < len && n < max) {
		char c = s[i];
		if (c == '\n' && depth == 0)
			break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			i = e ? (size_t)(e - s) + 2 : len;
		} else if (c == '\'' || c == '"') {
			size_t st = i++;
			while (i < len && s[i] != '\n') {
				if (s[i] == c && i + 1 < len && s[i + 1] == c)
					i += 2;
				else if (s[i++] == c)
					break;
			}
			out[n++] = (tok){ (uint32_t)st, (uint32_t)(i - st), c == '"' ? 'q' : 's' };
		} else if (isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
			size_t st = i;
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' || s[i] == '.' ||
			                   (unsigned char)s[i] >= 0x80))
				i++;
			out[n++] = (tok){ (uint32_t)st, (uint32_t)(i - st), 'w' };
		} else {
			if ((c == ';' || c == '}') && depth == 0)
				break;
			if (c == '(' || c == '[')
				depth++;
			else if ((c == ')' || c == ']') && depth > 0)
				depth--;
			out[n++] = (tok){ (uint32_t)i, 1, c };
			i++;
		}
	}
	return n;
}

static bool tok_is(const diag_ctx *d, uint32_t file, const tok *t, const char *word)
{
	const srcfile *f = diag_file(d, file);
	return t->kind == 'w' && strlen(word) == t->len && strncasecmp(f->text + t->off, word, t->len) == 0;
}

#define MAX_TOKS 512

/* The span of a relationship's option: "load joined", or "order by ..."
 * up to the next option; the relationship's name when not found. */
static loc rel_option_at(const diag_ctx *d, const m_rel *r, const char *first, const char *second)
{
	tok *t = malloc(MAX_TOKS * sizeof *t);
	size_t n = t ? member_tokens(d, r->at, t, MAX_TOKS) : 0;
	loc at = r->at;
	for (size_t i = 1; i + 1 < n; i++) {
		if (!tok_is(d, r->at.file, &t[i], first) || !tok_is(d, r->at.file, &t[i + 1], second))
			continue;
		size_t e = i + 1;
		if (strcmp(first, "order") == 0) {
			/* the whole order list: up to 'load' or 'limit' */
			while (e + 1 < n && !tok_is(d, r->at.file, &t[e + 1], "load") &&
			       !tok_is(d, r->at.file, &t[e + 1], "limit"))
				e++;
		}
		at.off = t[i].off;
		at.len = t[e].off + t[e].len - t[i].off;
		break;
	}
	free(t);
	return at;
}

/* The span of a column's type, as written after its name. */
static loc column_type_at(const diag_ctx *d, const m_column *c)
{
	tok *t = malloc(MAX_TOKS * sizeof *t);
	loc from = c->at;
	from.off += from.len;
	size_t n = t ? member_tokens(d, from, t, MAX_TOKS) : 0;
	loc at = c->at;
	if (n && (t[0].kind == 'w' || t[0].kind == 'q')) {
		size_t e = 0;
		for (;;) {
			if (e + 1 < n && t[e + 1].kind == '(') {
				while (e + 1 < n && t[e].kind != ')')
					e++;
			} else if (e + 1 < n && (tok_is(d, c->at.file, &t[e + 1], "without") ||
			                         tok_is(d, c->at.file, &t[e + 1], "time") ||
			                         tok_is(d, c->at.file, &t[e + 1], "zone"))) {
				e++;
			} else if (e + 2 < n && t[e + 1].kind == '[' && t[e + 2].kind == ']') {
				e += 2;
			} else {
				break;
			}
		}
		at.off = t[0].off;
		at.len = t[e].off + t[e].len - t[0].off;
	}
	free(t);
	return at;
}

static bool span_is(const diag_ctx *d, loc at, const char *text)
{
	const srcfile *f = diag_file(d, at.file);
	return f && at.len == strlen(text) && at.off + at.len <= f->len &&
	       strncasecmp(f->text + at.off, text, at.len) == 0;
}

/* ---- the checks ------------------------------------------------------------------------ */

static const char *fk_desc(arena *a, const m_fk *fk)
{
	return arena_printf(a, "(%s)", col_list(a, &fk->cols));
}

/* The first has_many/has_one with an order that loads over fk. */
static const m_rel *ordered_rel_over(const model *m, const m_fk *fk)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		for (size_t k = 0; k < t->rels.n; k++) {
			const m_rel *r = t->rels.items[k];
			if ((r->kind == REL_HAS_MANY || r->kind == REL_HAS_ONE) && r->fk == fk && r->order.n)
				return r;
		}
	}
	return NULL;
}

static void check_fks(lint_ctx *lc, const m_table *t)
{
	arena *a = lc->a;
	for (size_t i = 0; i < t->fks.n; i++) {
		const m_fk *fk = t->fks.items[i];
		if (fk_indexed(a, fk))
			continue;
		lint_finding *f = lint_add(
			lc, "fk-unindexed", fk->at, t,
			arena_printf(a, "deleting or changing a row of '%s' looks up the rows of '%s' that reference it, "
			                "and relationships over this key load by it: without an index each reads all of '%s'",
			             fk->ref->name, t->name, t->name),
			"foreign key %s of table '%s' has no index", fk_desc(a, fk), t->name);
		lint_hint(lc, f, "add to table '%s': %s", t->name, order_index_dsl(a, fk, ordered_rel_over(lc->m, fk)));
	}
}

static void check_orders(lint_ctx *lc, const m_table *t)
{
	arena *a = lc->a;
	for (size_t i = 0; i < t->rels.n; i++) {
		const m_rel *r = t->rels.items[i];
		if ((r->kind != REL_HAS_MANY && r->kind != REL_HAS_ONE) || !r->order.n)
			continue;
		/* no index on the key at all is fk-unindexed, whose hint has the order */
		if (!fk_indexed(a, r->fk))
			continue;
		vec ixs;
		table_indexes(a, r->target, &ixs);
		bool ok = false;
		for (size_t k = 0; k < ixs.n && !ok; k++)
			ok = serves_order(a, r, ixs.items[k]);
		if (ok)
			continue;
		lint_finding *f = lint_add(
			lc, "order-unindexed", rel_option_at(lc->d, r, "order", "by"), t,
			"every load sorts each parent's children: an index on the foreign key followed by the order columns "
			"reads them in order",
			"no index of table '%s' serves the order of relationship '%s.%s'", r->target->name, t->name, r->name);
		lint_hint(lc, f, "add to table '%s': %s", r->target->name, order_index_dsl(a, r->fk, r));
	}
}

/* A unique key that a foreign key references must stay a full key. */
static bool referenced(const model *m, const m_table *t, const vec *cols)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *o = m->tables.items[i];
		for (size_t k = 0; k < o->fks.n; k++) {
			const m_fk *fk = o->fks.items[k];
			if (fk->ref != t || fk->ref_cols.n != cols->n)
				continue;
			bool all = true;
			for (size_t c = 0; c < cols->n && all; c++)
				all = in_cols(&fk->ref_cols, cols->items[c]);
			if (all)
				return true;
		}
	}
	return false;
}

static bool same_col_set(const ixinfo *x, const vec *cols)
{
	if (x->n != cols->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!x->e[i].col || !in_cols(cols, x->e[i].col))
			return false;
	return true;
}

static void check_soft_delete(lint_ctx *lc, const m_table *t)
{
	arena *a = lc->a;
	if (!t->soft_delete_at)
		return;
	const char *live = t->soft_delete_flag ? arena_printf(a, "not %s", lint_dsl_ident(a, t->soft_delete_flag->name))
	                                       : arena_printf(a, "%s is null", lint_dsl_ident(a, t->soft_delete_at->name));
	vec ixs;
	table_indexes(a, t, &ixs);
	const char *why = "a soft-deleted row keeps its value, so no live row can take that value again until the "
	                  "deleted one is removed for good";
	for (size_t i = 0; i < ixs.n; i++) {
		const ixinfo *x = ixs.items[i];
		if (!x->unique || x->key == t->pk || excludes_deleted(a, t, x->where))
			continue;
		vec cols;
		memset(&cols, 0, sizeof cols);
		bool plain = true;
		for (size_t k = 0; k < x->n; k++) {
			plain = plain && x->e[k].col;
			if (x->e[k].col)
				vec_push(a, &cols, (void *)x->e[k].col);
		}
		if (plain && !x->where) {
			/* foreign keys need the full key */
			if (referenced(lc->m, t, &cols))
				continue;
			/* a live-only unique index on the same columns beside it: the
			 * values are never reused, on purpose */
			bool beside = false;
			for (size_t k = 0; k < ixs.n && !beside; k++) {
				const ixinfo *y = ixs.items[k];
				beside = y != x && y->unique && excludes_deleted(a, t, y->where) && same_col_set(y, &cols);
			}
			if (beside)
				continue;
		}
		lint_finding *f = lint_add(lc, "soft-delete-unique", x->at, t, why, "%s '%s' of soft-delete table '%s' "
		                           "counts deleted rows", x->what, x->name, t->name);
		if (x->constraint && span_is(lc->d, x->at, "unique"))
			lint_hint(lc, f, "drop 'unique' from column '%s' and add: unique index (%s) where %s",
			          lint_dsl_ident(a, ((const m_column *)cols.items[0])->name), col_list(a, &cols), live);
		else if (x->constraint)
			lint_hint(lc, f, "replace it with: unique index (%s) where %s", col_list(a, &cols), live);
		else if (!x->where)
			lint_hint(lc, f, "add to the index: where %s", live);
		else {
			vec terms;
			bool paren = !conjuncts(a, x->where, &terms);
			lint_hint(lc, f, "write its condition as: where %s%s%s and %s", paren ? "(" : "", x->where,
			          paren ? ")" : "", live);
		}
	}
}

static void check_joined(lint_ctx *lc, const m_table *t)
{
	for (size_t i = 0; i < t->rels.n; i++) {
		const m_rel *r = t->rels.items[i];
		if ((r->kind != REL_HAS_MANY && r->kind != REL_MANY_TO_MANY) || r->load != LOAD_JOINED || r->limit)
			continue;
		lint_finding *f = lint_add(
			lc, "joined-collection", rel_option_at(lc->d, r, "load", "joined"), t,
			"each child row repeats all columns of its parent, so parents with many children multiply what the "
			"statement sends",
			"collection '%s.%s' is loaded joined without a per-parent limit", t->name, r->name);
		lint_hint(lc, f, "write 'load selectin' (or keep 'load joined' and add a per-parent 'limit N')");
	}
}

static void check_timestamps(lint_ctx *lc, const m_table *t)
{
	for (size_t i = 0; i < t->columns.n; i++) {
		const m_column *c = t->columns.items[i];
		if (c->type.kind != T_TIMESTAMP)
			continue;
		buf b;
		buf_init(&b);
		buf_puts(&b, "timestamptz");
		if (c->type.nparams)
			buf_printf(&b, "(%ld)", c->type.p[0]);
		for (int k = 0; k < c->type.array_dims; k++)
			buf_puts(&b, "[]");
		loc at = column_type_at(lc->d, c);
		const srcfile *sf = diag_file(lc->d, at.file);
		lint_finding *f = lint_add(
			lc, "timestamp-without-tz", at, t,
			"it stores a wall-clock reading without its zone: sessions in other time zones read other instants, "
			"and readings in a daylight-saving change are ambiguous",
			"column '%s' is a timestamp without time zone", c->name);
		lint_hint(lc, f, "write '%s' instead of '%.*s'", buf_cstr(&b), (int)at.len, sf ? sf->text + at.off : "");
		buf_free(&b);
	}
}

static void check_pk(lint_ctx *lc, const m_table *t)
{
	arena *a = lc->a;
	if (t->pk)
		return;
	lint_finding *f = lint_add(
		lc, "no-primary-key", t->at, t,
		"rows cannot be named: no get, update, delete or upsert by key is generated, joined collections fall back "
		"to selectin, and logical replication cannot replicate its updates and deletes",
		"table '%s' has no primary key", t->name);
	const m_column *id = NULL;
	for (size_t i = 0; i < t->columns.n; i++)
		if (strcmp(((const m_column *)t->columns.items[i])->name, "id") == 0)
			id = t->columns.items[i];
	const m_key *cand = NULL;
	for (size_t i = 0; i < t->uniques.n && !cand; i++) {
		const m_key *k = t->uniques.items[i];
		bool nn = true;
		for (size_t c = 0; c < k->cols.n; c++)
			nn = nn && ((const m_column *)k->cols.items[c])->not_null;
		if (nn)
			cand = k;
	}
	if (id)
		lint_hint(lc, f, "add to table '%s': primary key (id)", t->name);
	else if (cand)
		lint_hint(lc, f, "make the unique key the primary key: primary key (%s)", col_list(a, &cand->cols));
	else
		lint_hint(lc, f, "add a key column: id bigint generated always as identity primary key");
}

static bool ixe_eq(const ixe *x, const ixe *y, bool inverted)
{
	if (x->col != y->col)
		return false;
	if (!x->col && strcmp(x->expr ? x->expr : "", y->expr ? y->expr : "") != 0)
		return false;
	if ((x->opclass || y->opclass) && (!x->opclass || !y->opclass || !str_ieq(x->opclass, y->opclass)))
		return false;
	if (inverted)
		return x->desc != y->desc && x->nulls_first != y->nulls_first;
	return x->desc == y->desc && x->nulls_first == y->nulls_first;
}

static bool covers_include(const ixinfo *x, const ixinfo *y)
{
	for (size_t i = 0; x->include && i < x->include->n; i++) {
		const m_column *c = x->include->items[i];
		bool found = false;
		for (size_t k = 0; k < y->n && !found; k++)
			found = y->e[k].col == c;
		for (size_t k = 0; y->include && k < y->include->n && !found; k++)
			found = y->include->items[k] == c;
		if (!found)
			return false;
	}
	return true;
}

static size_t n_include(const ixinfo *x)
{
	return x->include ? x->include->n : 0;
}

/* x and y: the same index (method, elements, predicate, include). */
static bool same_index(const ixinfo *x, const ixinfo *y)
{
	if (x->n != y->n || x->btree != y->btree || x->hash != y->hash)
		return false;
	if (!x->btree && !x->hash && (!x->ix || !y->ix || !str_ieq(x->ix->method, y->ix->method)))
		return false;
	if (strcmp(x->where ? x->where : "", y->where ? y->where : "") != 0)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!ixe_eq(&x->e[i], &y->e[i], false))
			return false;
	return n_include(x) == n_include(y) && covers_include(x, y);
}

/* Is x served by y read as it is or backwards: x's elements are y's first
 * ones, y is a btree with the same predicate and x includes nothing y
 * does not have? */
static bool prefix_of(const ixinfo *x, const ixinfo *y)
{
	if (!x->btree || !y->btree || x->n > y->n || !x->n)
		return false;
	if (strcmp(x->where ? x->where : "", y->where ? y->where : "") != 0)
		return false;
	bool fwd = true, back = true;
	for (size_t i = 0; i < x->n; i++) {
		fwd = fwd && ixe_eq(&x->e[i], &y->e[i], false);
		back = back && ixe_eq(&x->e[i], &y->e[i], true);
	}
	return (fwd || back) && covers_include(x, y);
}

static const char *ix_label(arena *a, const ixinfo *x)
{
	return arena_printf(a, "%s '%s'", x->what, x->name);
}

/* Which of two identical indexes stays: the lower rank. */
static int ix_rank(const m_table *t, const ixinfo *x)
{
	return x->key && x->key == t->pk ? 0 : x->constraint ? 1 : x->unique ? 2 : 3;
}

static void check_indexes(lint_ctx *lc, const m_table *t)
{
	arena *a = lc->a;
	vec ixs;
	table_indexes(a, t, &ixs);
	/* of identical definitions the primary key, else the first unique
	 * constraint, else the first unique index, else the first index stays;
	 * the others are duplicates */
	for (size_t i = 0; i < ixs.n; i++) {
		const ixinfo *x = ixs.items[i];
		if (x->key == t->pk && t->pk)
			continue;
		const ixinfo *keep = NULL;
		size_t keep_k = 0;
		for (size_t k = 0; k < ixs.n; k++) {
			const ixinfo *y = ixs.items[k];
			if (y == x || !same_index(x, y))
				continue;
			int ry = ix_rank(t, y), rx = ix_rank(t, x);
			if (ry > rx || (ry == rx && k > i))
				continue;
			if (!keep || ry < ix_rank(t, keep) || (ry == ix_rank(t, keep) && k < keep_k)) {
				keep = y;
				keep_k = k;
			}
		}
		if (keep) {
			lint_finding *f = lint_add(
				lc, "duplicate-index", x->at, t,
				"every write maintains both, and a read needs only one of them",
				"%s of table '%s' has the same definition as %s", ix_label(a, x), t->name, ix_label(a, keep));
			lint_hint(lc, f, x->constraint ? "remove this unique constraint" : "remove this index");
			continue;
		}
		if (x->unique)
			continue;   /* it enforces something: not redundant as a prefix */
		for (size_t k = 0; k < ixs.n; k++) {
			const ixinfo *y = ixs.items[k];
			if (y == x || same_index(x, y) || !prefix_of(x, y))
				continue;
			/* two of one length read backwards: the later one goes */
			if (x->n == y->n && !y->unique && k > i)
				continue;
			lint_finding *f = lint_add(
				lc, "redundant-index", x->at, t,
				arena_printf(a, "%s serves every lookup and order this one serves, and each index costs writes "
				                "and memory", ix_label(a, y)),
				"%s of table '%s' is a prefix of %s", ix_label(a, x), t->name, ix_label(a, y));
			lint_hint(lc, f, "remove this index");
			break;
		}
	}
}

/* ---- silences ------------------------------------------------------------------------ */

typedef struct silence {
	loc at;                 /* the comment */
	unsigned line;          /* per line: the line it covers (0: none) */
	const m_table *table;   /* per table */
	vec codes;              /* const lint_code * */
	vec code_at;            /* loc * */
	int *used;
	bool reason;
} silence;

typedef struct scan {
	uint32_t file;
	const srcfile *f;
	unsigned nlines;
	bool *code;             /* [line]: the line has something besides comments */
	vec comments;           /* loc * of // comments */
	vec braces;             /* uint32_t pairs (open, close) as two entries each */
} scan;

static void scan_file(arena *a, const diag_ctx *d, uint32_t file, scan *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->file = file;
	sc->f = diag_file(d, file);
	const char *s = sc->f->text;
	size_t len = sc->f->len;
	unsigned lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += s[i] == '\n';
	sc->nlines = lines;
	sc->code = arena_alloc(a, (lines + 2) * sizeof *sc->code);
	vec stack;
	memset(&stack, 0, sizeof stack);
	unsigned line = 1;
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '\n') {
			line++;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			size_t st = i;
			while (i < len && s[i] != '\n')
				i++;
			size_t e = i;
			while (e > st && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
				e--;
			loc *l = arena_alloc(a, sizeof *l);
			*l = (loc){ file, (uint32_t)st, (uint32_t)(e - st) };
			vec_push(a, &sc->comments, l);
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/'); i++)
				line += s[i] == '\n';
			i = i < len ? i + 2 : len;
		} else {
			sc->code[line] = true;
			if (c == '\'' || c == '"') {
				for (i++; i < len && s[i] != '\n'; i++)
					if (s[i] == c) {
						if (i + 1 < len && s[i + 1] == c)
							i++;
						else
							break;
					}
				if (i < len && s[i] == c)
					i++;
			} else if (c == '{') {
				vec_push(a, &stack, (void *)(uintptr_t)i);
				i++;
			} else if (c == '}') {
				if (stack.n) {
					vec_push(a, &sc->braces, stack.items[--stack.n]);
					vec_push(a, &sc->braces, (void *)(uintptr_t)i);
				}
				i++;
			} else {
				i++;
			}
		}
	}
}

/* The table whose body holds offset off of the scanned file. */
static const m_table *table_at(const model *m, const scan *sc, uint32_t off)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		if (t->at.file != sc->file)
			continue;
		/* the body: the first brace pair opened after the name */
		uintptr_t open = UINTPTR_MAX, close = 0;
		for (size_t k = 0; k + 1 < sc->braces.n; k += 2) {
			uintptr_t o = (uintptr_t)sc->braces.items[k];
			if (o >= t->at.off + t->at.len && o < open) {
				open = o;
				close = (uintptr_t)sc->braces.items[k + 1];
			}
		}
		if (open != UINTPTR_MAX && off > open && off < close)
			return t;
	}
	return NULL;
}

static const char *suggest_code(const char *s, size_t n)
{
	/* the code with the smallest edit distance, when it is close */
	const char *best = NULL;
	size_t bestd = n / 3 + 2;
	for (size_t c = 0; c < lint_ncodes; c++) {
		const char *t = lint_codes[c].code;
		size_t m = strlen(t);
		size_t *row = calloc(m + 1, sizeof *row);
		if (!row)
			return NULL;
		for (size_t j = 0; j <= m; j++)
			row[j] = j;
		for (size_t i = 1; i <= n; i++) {
			size_t prev = row[0];
			row[0] = i;
			for (size_t j = 1; j <= m; j++) {
				size_t cur = row[j];
				size_t sub = prev + (s[i - 1] != t[j - 1]);
				size_t del = row[j] + 1, ins = row[j - 1] + 1;
				row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
				prev = cur;
			}
		}
		if (row[m] < bestd) {
			bestd = row[m];
			best = t;
		}
		free(row);
	}
	return best;
}

static loc sub_loc(loc l, uint32_t off, uint32_t len)
{
	return (loc){ l.file, off, len };
}

/* Reads one "// lint: ..." comment into a silence (NULL when the comment
 * is not one, or is broken: then a bad-silence finding says why). */
static silence *parse_silence(lint_ctx *lc, const scan *sc, const loc *cl)
{
	const char *s = sc->f->text;
	uint32_t p = cl->off + 2, end = cl->off + cl->len;
	if (p < end && s[p] == '/')
		return NULL;    /* a doc comment */
	while (p < end && (s[p] == ' ' || s[p] == '\t'))
		p++;
	if (end - p < 5 || strncmp(s + p, "lint:", 5) != 0)
		return NULL;
	p += 5;
	while (p < end && (s[p] == ' ' || s[p] == '\t'))
		p++;
	uint32_t w = p;
	while (p < end && s[p] != ' ' && s[p] != '\t')
		p++;
	bool table = p - w == 11 && strncmp(s + w, "allow-table", 11) == 0;
	if (!(table || (p - w == 5 && strncmp(s + w, "allow", 5) == 0))) {
		lint_finding *f = lint_add(lc, "bad-silence", *cl, NULL, "a '// lint:' comment silences findings and "
		                           "nothing else", "a '// lint:' comment must say 'allow' or 'allow-table'");
		lint_hint(lc, f, "// lint: allow CODE -- REASON");
		return NULL;
	}
	silence *si = arena_alloc(lc->a, sizeof *si);
	si->at = *cl;
	uint32_t codes_end = end;
	int written = 0;
	/* codes up to "--" */
	for (;;) {
		while (p < end && (s[p] == ' ' || s[p] == '\t' || s[p] == ','))
			p++;
		if (p >= end)
			break;
		if (end - p >= 2 && s[p] == '-' && s[p + 1] == '-') {
			codes_end = p;
			p += 2;
			while (p < end && (s[p] == ' ' || s[p] == '\t'))
				p++;
			si->reason = p < end;
			break;
		}
		uint32_t st = p;
		while (p < end && s[p] != ' ' && s[p] != '\t' && s[p] != ',')
			p++;
		written++;
		const lint_code *code = find_code(s + st, p - st);
		loc *cat = arena_alloc(lc->a, sizeof *cat);
		*cat = sub_loc(*cl, st, p - st);
		if (!code) {
			lint_finding *f = lint_add(lc, "bad-silence", *cat, NULL, "a silence names the code of the finding "
			                           "it silences", "unknown lint code '%.*s'", (int)(p - st), s + st);
			const char *sug = suggest_code(s + st, p - st);
			if (sug)
				lint_hint(lc, f, "did you mean '%s'?", sug);
			else
				lint_hint(lc, f, "the codes are listed by 'modelc lint --codes'");
			continue;
		}
		if (code->meta) {
			lint_finding *f = lint_add(lc, "bad-silence", *cat, NULL, "findings about silences are fixed in the "
			                           "comment itself", "'%s' cannot be silenced", code->code);
			lint_hint(lc, f, "remove '%s' from the silence", code->code);
			continue;
		}
		vec_push(lc->a, &si->codes, (void *)code);
		vec_push(lc->a, &si->code_at, cat);
	}
	if (!si->codes.n) {
		if (written)
			return NULL;    /* each was reported */
		lint_finding *f = lint_add(lc, "bad-silence", *cl, NULL, "a silence names the code of the finding it "
		                           "silences", "this silence names no lint code");
		lint_hint(lc, f, "// lint: %s CODE -- REASON", table ? "allow-table" : "allow");
		return NULL;
	}
	unsigned line, col;
	diag_linecol(lc->d, *cl, &line, &col);
	if (table) {
		si->table = table_at(lc->m, sc, cl->off);
		if (!si->table) {
			lint_finding *f = lint_add(lc, "bad-silence", *cl, NULL, "'allow-table' silences findings about the "
			                           "table whose body holds it", "'allow-table' outside a table body");
			lint_hint(lc, f, "move it into the table's body, or write 'allow' to silence a line");
			return NULL;
		}
	} else {
		/* after code: this line; on a line of its own: the next line with code */
		bool alone = true;
		for (uint32_t k = cl->off; k > 0 && s[k - 1] != '\n' && alone; k--)
			alone = s[k - 1] == ' ' || s[k - 1] == '\t';
		if (!alone)
			si->line = line;
		else
			for (unsigned l = line + 1; l < sc->nlines + 1 && !si->line; l++)
				if (sc->code[l])
					si->line = l;
	}
	si->used = arena_alloc(lc->a, si->codes.n * sizeof *si->used);
	if (!si->reason) {
		const lint_code *c0 = si->codes.items[0];
		lint_finding *f = lint_add(lc, "silence-without-reason", *cl, NULL, "a silence says why the finding is "
		                           "fine here, for the next reader", "silence of '%s' gives no reason", c0->code);
		while (codes_end > cl->off && (s[codes_end - 1] == ' ' || s[codes_end - 1] == '\t'))
			codes_end--;
		lint_hint(lc, f, "end it with '-- ' and the reason: %.*s -- REASON", (int)(codes_end - cl->off),
		          s + cl->off);
	}
	return si;
}

static void apply_silences(lint_ctx *lc, size_t nstatic)
{
	vec sil;
	memset(&sil, 0, sizeof sil);
	for (size_t fi = 0; fi < lc->d->files.n; fi++) {
		scan sc;
		scan_file(lc->a, lc->d, (uint32_t)fi, &sc);
		for (size_t k = 0; k < sc.comments.n; k++) {
			silence *si = parse_silence(lc, &sc, sc.comments.items[k]);
			if (si)
				vec_push(lc->a, &sil, si);
		}
	}
	for (size_t i = 0; i < nstatic; i++) {
		lint_finding *f = lc->findings.items[i];
		unsigned line, col;
		diag_linecol(lc->d, f->at, &line, &col);
		for (size_t s = 0; s < sil.n; s++) {
			silence *si = sil.items[s];
			bool here = si->table ? si->table == f->table : (si->at.file == f->at.file && si->line == line);
			for (size_t c = 0; here && c < si->codes.n; c++)
				if (strcmp(((const lint_code *)si->codes.items[c])->code, f->code) == 0) {
					f->silenced = true;
					si->used[c]++;
				}
		}
	}
	for (size_t s = 0; s < sil.n; s++) {
		silence *si = sil.items[s];
		for (size_t c = 0; c < si->codes.n; c++) {
			const lint_code *code = si->codes.items[c];
			/* whether a plan scans depends on the data: a seq-scan
			 * silence may be idle against a small database */
			if (si->used[c] || code->db)
				continue;
			lint_finding *f = lint_add(lc, "unused-silence", *(loc *)si->code_at.items[c], NULL,
			                           "a silence that silences nothing hides the next finding of its kind",
			                           "no '%s' finding %s", code->code,
			                           si->table ? arena_printf(lc->a, "about table '%s'", si->table->name)
			                                     : si->line ? "on the line it silences" : "after it");
			lint_hint(lc, f, "remove '%s' from the silence", code->code);
		}
	}
}

/* ---- output ------------------------------------------------------------------------------ */

static int finding_cmp(const void *pa, const void *pb)
{
	const lint_finding *a = *(lint_finding *const *)pa, *b = *(lint_finding *const *)pb;
	int c = loc_cmp(a->at, b->at);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One finding as diag.c renders a warning, then its own lines. */
static void render(lint_ctx *lc, const lint_finding *f, buf *out)
{
	diag_ctx t;
	diag_init(&t, lc->a);
	t.files = lc->d->files;
	diag_warning(&t, f->at, "%s [%s]", f->msg, f->code);
	buf_put(out, t.out.data ? t.out.data : "", t.out.len);
	diag_dispose(&t);
	buf_printf(out, "  why: %s\n", f->why);
	for (size_t i = 0; i < f->extra.n; i++)
		buf_printf(out, "  %s\n", (const char *)f->extra.items[i]);
	for (size_t i = 0; i < f->hints.n; i++)
		buf_printf(out, "  hint: %s\n", (const char *)f->hints.items[i]);
}

int lint_run(diag_ctx *d, const model *m, const lint_opts *o, buf *out, buf *err, int *remaining)
{
	arena a;
	arena_init(&a);
	lint_ctx lc = { &a, d, m, o, { 0 } };
	for (size_t i = 0; i < m->tables.n; i++) {
		const m_table *t = m->tables.items[i];
		check_pk(&lc, t);
		check_fks(&lc, t);
		check_orders(&lc, t);
		check_soft_delete(&lc, t);
		check_joined(&lc, t);
		check_timestamps(&lc, t);
		check_indexes(&lc, t);
	}
	int rc = 0;
	if (o->db)
		rc = lint_db(&lc, err);
	apply_silences(&lc, lc.findings.n);

	if (lc.findings.n)
		qsort(lc.findings.items, lc.findings.n, sizeof(void *), finding_cmp);
	/* a finding inside a mixin, the same for every table that uses it, once */
	vec shown, hushed;
	memset(&shown, 0, sizeof shown);
	memset(&hushed, 0, sizeof hushed);
	int n = 0, silenced = 0;
	for (size_t i = 0; i < lc.findings.n; i++) {
		lint_finding *f = lc.findings.items[i];
		buf b;
		buf_init(&b);
		render(&lc, f, &b);
		vec *seen = f->silenced ? &hushed : &shown;
		bool dup = false;
		for (size_t k = 0; k < seen->n && !dup; k++)
			dup = strcmp(seen->items[k], buf_cstr(&b)) == 0;
		if (!dup) {
			vec_push(&a, seen, arena_strndup(&a, b.data, b.len));
			if (f->silenced) {
				silenced++;
			} else {
				buf_put(out, b.data, b.len);
				n++;
			}
		}
		buf_free(&b);
	}
	if (n || silenced)
		buf_printf(out, "%s%s%s\n", n ? arena_printf(&a, "%d finding", n) : "no finding", n == 1 ? "" : "s",
		           silenced ? arena_printf(&a, " (%d silenced)", silenced) : "");
	*remaining = n;
	arena_free(&a);
	return rc;
}

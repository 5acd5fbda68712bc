/* emit.c - builds the data each template sees, then renders it.
 *
 * Everything that is a decision about spelling (names, types, quoting,
 * alignment) is made here; everything that is layout lives in templates/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "embedded.h"
#include "tmpl.h"

typedef struct emitter {
	diag_ctx *d;
	arena *a;
	const model *m;
	const emit_opts *opts;
	const char *prefix;         /* C prefix, e.g. "blog" */
} emitter;

const embedded_file *embedded_find(const char *path)
{
	for (const embedded_file *f = embedded_files; f->path; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

/* Template lookup: --templates DIR first, then the embedded copy. */
static int find_template(void *ctx, diag_ctx *d, const char *name, uint32_t *file)
{
	const emitter *e = ctx;
	if (strchr(name, '/') || name[0] == '.')
		return -1;
	if (e->opts && e->opts->templates_dir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s.tmpl", e->opts->templates_dir, name);
		buf b;
		buf_init(&b);
		int err = buf_read_file(&b, path);
		if (err == 0)
			*file = diag_add_file(d, path, b.data ? b.data : "", b.len);
		buf_free(&b);
		if (err == 0)
			return 0;
		if (err != ENOENT) {
			diag_error(d, LOC_NONE, "cannot read template '%s': %s", path, strerror(err));
			return -1;
		}
	}
	char key[512];
	snprintf(key, sizeof key, "templates/%s.tmpl", name);
	const embedded_file *ef = embedded_find(key);
	if (!ef)
		return -1;
	*file = diag_add_file(d, key, ef->data, ef->len);
	return 0;
}

/* ---- text helpers ------------------------------------------------------ */

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

static const char *c_literal(arena *a, const char *s)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f || *p == '?')
			buf_printf(&b, "\\%03o", *p);   /* also keeps trigraphs out */
		else
			buf_putc(&b, (char)*p);
	}
	buf_putc(&b, '"');
	const char *r = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *spaces(arena *a, size_t n)
{
	char *s = arena_alloc(a, n + 1);
	memset(s, ' ', n);
	return s;
}

/* Doc comment as a list of lines, safe inside a C comment. */
static tval *doc_value(emitter *e, const char *doc)
{
	if (!doc || !doc[0])
		return tv_bool(e->a, false);
	tval *d = tv_dict(e->a);
	tval *lines = tv_list(e->a);
	const char *p = doc;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf b;
		buf_init(&b);
		for (size_t i = 0; i < n; i++) {
			buf_putc(&b, p[i]);
			if (p[i] == '*' && i + 1 < n && p[i + 1] == '/')
				buf_putc(&b, ' ');
			if (p[i] == '/' && i + 1 < n && p[i + 1] == '*')
				buf_putc(&b, ' ');
		}
		tv_push(e->a, lines, tv_str(e->a, arena_strndup(e->a, b.data ? b.data : "", b.len)));
		buf_free(&b);
		if (!nl)
			break;
		p = nl + 1;
	}
	tv_set(e->a, d, "lines", lines);
	return d;
}

static const char *join_cols(emitter *e, const vec *cols)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", sql_ident(e->a, ((m_column *)cols->items[i])->name));
	const char *r = arena_strndup(e->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static void set_common(emitter *e, tval *root, const char *file)
{
	tv_sets(e->a, root, "file", file);
	tv_sets(e->a, root, "source", e->m->source);
	tv_sets(e->a, root, "version", MODELC_VERSION);
	tv_sets(e->a, root, "abi", arena_printf(e->a, "%d", MODELC_ABI));
	tv_set(e->a, root, "doc", doc_value(e, e->m->doc));
	tv_sets(e->a, root, "guard", e->m->c_guard);
	tv_sets(e->a, root, "header", arena_printf(e->a, "%s.h", e->m->name));
}

/* ---- SQL ----------------------------------------------------------------- */

/* Every key a line of CREATE TABLE may test, so a missing one is false
 * here rather than found further up the context. */
static tval *table_line(arena *a)
{
	tval *l = tv_dict(a);
	static const char *const keys[] = { "column", "primary_key", "unique", "check" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		tv_setb(a, l, keys[i], false);
	return l;
}

static tval *column_value(emitter *e, const m_column *c, size_t pad)
{
	arena *a = e->a;
	tval *x = tv_dict(a);
	const char *n = sql_ident(a, c->name);
	tv_sets(a, x, "name", n);
	tv_sets(a, x, "pad", spaces(a, pad > strlen(n) ? pad - strlen(n) : 0));
	tv_sets(a, x, "type", c->type.sql);
	tv_sets(a, x, "generated", c->generated_sql);
	tv_sets(a, x, "identity", c->identity ? (c->identity_by_default ? "BY DEFAULT" : "ALWAYS") : NULL);
	tv_setb(a, x, "not_null", c->not_null);
	tv_sets(a, x, "default", c->default_sql);
	return x;
}

static tval *constraint_value(emitter *e, const char *name, const vec *cols, const char *expr)
{
	tval *x = tv_dict(e->a);
	tv_sets(e->a, x, "name", sql_ident(e->a, name));
	tv_sets(e->a, x, "cols", cols ? join_cols(e, cols) : NULL);
	tv_sets(e->a, x, "expr", expr);
	return x;
}

static tval *sql_context(emitter *e)
{
	arena *a = e->a;
	const model *m = e->m;
	tval *root = tv_dict(a);
	set_common(e, root, arena_printf(a, "%s.sql", m->name));

	tval *exts = tv_list(a);
	for (size_t i = 0; i < m->extensions.n; i++) {
		tval *x = tv_dict(a);
		tv_sets(a, x, "name", sql_ident(a, m->extensions.items[i]));
		tv_push(a, exts, x);
	}
	tv_set(a, root, "extensions", exts);
	tv_setb(a, root, "has_extensions", tv_len(exts) > 0);

	tval *comments = tv_list(a);
#define COMMENT(what_, target_, doc_)                                   \
	do {                                                                \
		tval *cm = tv_dict(a);                                          \
		tv_sets(a, cm, "what", what_);                                  \
		tv_sets(a, cm, "target", target_);                              \
		tv_sets(a, cm, "literal", sql_literal(a, doc_));                \
		tv_push(a, comments, cm);                                       \
	} while (0)

	tval *enums = tv_list(a);
	for (size_t i = 0; i < m->enums.n; i++) {
		m_enum *en = m->enums.items[i];
		tval *x = tv_dict(a);
		tv_sets(a, x, "name", sql_ident(a, en->name));
		tval *labels = tv_list(a);
		for (size_t k = 0; k < en->labels.n; k++) {
			tval *l = tv_dict(a);
			tv_sets(a, l, "literal", sql_literal(a, en->labels.items[k]));
			tv_push(a, labels, l);
		}
		tv_set(a, x, "labels", labels);
		tv_push(a, enums, x);
		if (en->doc)
			COMMENT("TYPE", sql_ident(a, en->name), en->doc);
	}
	tv_set(a, root, "enums", enums);

	tval *tables = tv_list(a), *fks = tv_list(a), *indexes = tv_list(a);
	for (size_t i = 0; i < m->tables_dep.n; i++) {
		m_table *t = m->tables_dep.items[i];
		const char *tn = sql_ident(a, t->name);
		tval *x = tv_dict(a);
		tv_sets(a, x, "name", tn);
		tval *lines = tv_list(a);
		size_t pad = 0;
		for (size_t k = 0; k < t->columns.n; k++) {
			size_t l = strlen(sql_ident(a, ((m_column *)t->columns.items[k])->name));
			pad = l > pad ? l : pad;
		}
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			tval *l = table_line(a);
			tv_set(a, l, "column", column_value(e, c, pad));
			tv_push(a, lines, l);
			if (c->doc)
				COMMENT("COLUMN", arena_printf(a, "%s.%s", tn, sql_ident(a, c->name)), c->doc);
		}
		if (t->pk) {
			tval *l = table_line(a);
			tv_set(a, l, "primary_key", constraint_value(e, t->pk->name, &t->pk->cols, NULL));
			tv_push(a, lines, l);
		}
		for (size_t k = 0; k < t->uniques.n; k++) {
			m_key *u = t->uniques.items[k];
			tval *l = table_line(a);
			tv_set(a, l, "unique", constraint_value(e, u->name, &u->cols, NULL));
			tv_push(a, lines, l);
		}
		for (size_t k = 0; k < t->checks.n; k++) {
			m_check *ck = t->checks.items[k];
			tval *l = table_line(a);
			tv_set(a, l, "check", constraint_value(e, ck->name, NULL, ck->sql));
			tv_push(a, lines, l);
		}
		/* COMMENT ON CONSTRAINT for documented table-level constraints */
		for (size_t k = 0; k < t->uniques.n; k++) {
			m_key *u = t->uniques.items[k];
			if (u->doc)
				COMMENT("CONSTRAINT", arena_printf(a, "%s ON %s", sql_ident(a, u->name), tn), u->doc);
		}
		for (size_t k = 0; k < t->checks.n; k++) {
			m_check *ck = t->checks.items[k];
			if (ck->doc)
				COMMENT("CONSTRAINT", arena_printf(a, "%s ON %s", sql_ident(a, ck->name), tn), ck->doc);
		}
		for (size_t k = 0; k < t->fks.n; k++) {
			m_fk *fk = t->fks.items[k];
			if (fk->doc)
				COMMENT("CONSTRAINT", arena_printf(a, "%s ON %s", sql_ident(a, fk->name), tn), fk->doc);
		}
		tv_set(a, x, "lines", lines);
		tv_push(a, tables, x);
		if (t->doc)
			COMMENT("TABLE", tn, t->doc);

		for (size_t k = 0; k < t->fks.n; k++) {
			m_fk *fk = t->fks.items[k];
			tval *f = tv_dict(a);
			tv_sets(a, f, "table", tn);
			tv_sets(a, f, "name", sql_ident(a, fk->name));
			tv_sets(a, f, "cols", join_cols(e, &fk->cols));
			tv_sets(a, f, "ref_table", sql_ident(a, fk->ref->name));
			tv_sets(a, f, "ref_cols", join_cols(e, &fk->ref_cols));
			tv_sets(a, f, "on_delete", fk_action_sql(fk->on_delete));
			tv_sets(a, f, "on_update", fk_action_sql(fk->on_update));
			tv_push(a, fks, f);
		}
		for (size_t k = 0; k < t->indexes.n; k++) {
			m_index *ix = t->indexes.items[k];
			tval *f = tv_dict(a);
			tv_setb(a, f, "unique", ix->unique);
			tv_sets(a, f, "name", sql_ident(a, ix->name));
			tv_sets(a, f, "table", tn);
			tv_sets(a, f, "method", ix->method);
			tval *elems = tv_list(a);
			for (size_t q = 0; q < ix->elems.n; q++) {
				m_index_elem *el = ix->elems.items[q];
				tval *ev = tv_dict(a);
				tv_sets(a, ev, "column", el->col ? sql_ident(a, el->col->name) : NULL);
				tv_sets(a, ev, "expr", el->expr_sql);
				tv_sets(a, ev, "opclass", el->opclass);
				tv_sets(a, ev, "order", el->sort == SORT_ASC ? "ASC" : el->sort == SORT_DESC ? "DESC" : NULL);
				tv_sets(a, ev, "nulls", el->nulls == NULLS_FIRST ? "FIRST" : el->nulls == NULLS_LAST ? "LAST" : NULL);
				tv_push(a, elems, ev);
			}
			tv_set(a, f, "elems", elems);
			tv_sets(a, f, "include", ix->include.n ? join_cols(e, &ix->include) : NULL);
			tv_sets(a, f, "where", ix->where_sql);
			tv_push(a, indexes, f);
			if (ix->doc)
				COMMENT("INDEX", sql_ident(a, ix->name), ix->doc);
		}
	}
#undef COMMENT
	tv_set(a, root, "tables", tables);
	tv_set(a, root, "fks", fks);
	tv_setb(a, root, "has_fks", tv_len(fks) > 0);
	tv_set(a, root, "indexes", indexes);
	tv_setb(a, root, "has_indexes", tv_len(indexes) > 0);
	tv_set(a, root, "comments", comments);
	tv_setb(a, root, "has_comments", tv_len(comments) > 0);
	return root;
}

/* ---- C header and source ------------------------------------------------ */

static const char *scalar_ctype(const m_type *t)
{
	switch (t->kind) {
	case T_SMALLINT: case T_SMALLSERIAL: return "int16_t";
	case T_INTEGER: case T_SERIAL: return "int32_t";
	case T_BIGINT: case T_BIGSERIAL: return "int64_t";
	case T_BOOLEAN: return "bool";
	case T_REAL: return "float";
	case T_DOUBLE: return "double";
	case T_NUMERIC: return "mc_numeric";
	case T_TEXT: case T_VARCHAR: case T_CHAR: case T_OTHER: return "mc_str";
	case T_BYTEA: return "mc_bytes";
	case T_UUID: return "mc_uuid";
	case T_DATE: return "mc_date";
	case T_TIME: return "mc_time";
	case T_TIMETZ: return "mc_timetz";
	case T_TIMESTAMP: return "mc_timestamp";
	case T_TIMESTAMPTZ: return "mc_timestamptz";
	case T_INTERVAL: return "mc_interval";
	case T_JSON: case T_JSONB: return "mc_json";
	case T_INET: return "mc_inet";
	case T_ENUM: return t->en->c_name;
	}
	return "mc_str";
}

/* One-dimensional arrays have a typed array struct; deeper ones travel as
 * their PostgreSQL text form. */
static const char *column_ctype(emitter *e, const m_type *t)
{
	if (t->array_dims == 0)
		return scalar_ctype(t);
	if (t->array_dims > 1)
		return "mc_str";
	if (t->kind == T_ENUM)
		return arena_printf(e->a, "%s_array", scalar_ctype(t));
	static const struct { m_type_kind k; const char *arr; } map[] = {
		{ T_SMALLINT, "mc_int16_array" }, { T_INTEGER, "mc_int32_array" }, { T_BIGINT, "mc_int64_array" },
		{ T_BOOLEAN, "mc_bool_array" }, { T_REAL, "mc_float_array" }, { T_DOUBLE, "mc_double_array" },
		{ T_UUID, "mc_uuid_array" }, { T_DATE, "mc_date_array" }, { T_TIME, "mc_time_array" },
		{ T_TIMETZ, "mc_timetz_array" }, { T_TIMESTAMP, "mc_timestamp_array" },
		{ T_TIMESTAMPTZ, "mc_timestamptz_array" }, { T_INTERVAL, "mc_interval_array" },
		{ T_BYTEA, "mc_bytes_array" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].k == t->kind)
			return map[i].arr;
	return "mc_str_array";   /* text-like, numeric, json, inet, other */
}

/* Text placed inside a C comment must not end it. */
static const char *comment_safe(emitter *e, const char *text)
{
	if (!text)
		return NULL;
	char *r = arena_strdup(e->a, text);
	for (char *p = r; *p; p++)
		if (p[0] == '*' && p[1] == '/')
			p[1] = '|';
	return r;
}

static const char *plain_cols(emitter *e, const vec *cols)
{
	buf b;
	buf_init(&b);
	for (size_t q = 0; q < cols->n; q++)
		buf_printf(&b, "%s%s", q ? ", " : "", ((m_column *)cols->items[q])->name);
	const char *s = arena_strndup(e->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/* A struct member: exactly one of column / null_flag / rel is a dict.
 * tpad aligns names after their types, cpad the comments after them. */
static tval *member_value(emitter *e, const char *doc)
{
	tval *x = tv_dict(e->a);
	tv_set(e->a, x, "doc", doc_value(e, doc));
	tv_setb(e->a, x, "column", false);
	tv_setb(e->a, x, "null_flag", false);
	tv_setb(e->a, x, "rel", false);
	return x;
}

static tval *struct_members(emitter *e, const m_table *t)
{
	arena *a = e->a;
	/* widths: the longest type, then the longest "type name;" */
	size_t tw = 4;   /* "bool" of the NULL flags */
	for (size_t k = 0; k < t->columns.n; k++) {
		size_t l = strlen(column_ctype(e, &((m_column *)t->columns.items[k])->type));
		tw = l > tw ? l : tw;
	}
	size_t dw = 0;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		size_t l = tw + 1 + strlen(c->c_name) + (c->not_null ? 1 : 6);   /* ";" or "_null;" */
		dw = l > dw ? l : dw;
	}
	tval *members = tv_list(a);
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		const char *ct = column_ctype(e, &c->type);
		tval *m = member_value(e, c->doc);
		tval *x = tv_dict(a);
		tv_sets(a, x, "type", ct);
		tv_sets(a, x, "tpad", spaces(a, tw - strlen(ct)));
		tv_sets(a, x, "name", c->c_name);
		tv_sets(a, x, "cpad", spaces(a, dw - (tw + 1 + strlen(c->c_name) + 1) + 2));
		tv_sets(a, x, "sql_type", comment_safe(e, c->type.sql));
		tv_setb(a, x, "primary_key", c->primary_key);
		tv_setb(a, x, "not_null", c->not_null && !c->primary_key);
		tv_sets(a, x, "default", comment_safe(e, c->default_sql));
		tv_setb(a, x, "generated", c->generated_sql || c->identity);
		tv_setb(a, x, "version", c->is_version);
		tv_set(a, m, "column", x);
		tv_push(a, members, m);
		if (!c->not_null) {
			m = member_value(e, NULL);
			x = tv_dict(a);
			const char *n = c->c_null;
			tv_sets(a, x, "tpad", spaces(a, tw - 4));
			tv_sets(a, x, "name", n);
			tv_sets(a, x, "cpad", spaces(a, dw - (tw + 1 + strlen(n) + 1) + 2));
			tv_sets(a, x, "of", c->c_name);
			tv_set(a, m, "null_flag", x);
			tv_push(a, members, m);
		}
	}
	static const char *const kinds[] = { "has_many", "has_one", "belongs_to", "many_to_many" };
	static const char *const loads[] = { "lazy", "selectin", "joined", "subquery", "lazy" };
	for (size_t k = 0; k < t->rels.n; k++) {
		m_rel *r = t->rels.items[k];
		tval *m = member_value(e, r->doc);
		tval *x = tv_dict(a);
		bool m2m = r->kind == REL_MANY_TO_MANY;
		tv_setb(a, x, "many", r->kind == REL_HAS_MANY || m2m);
		tv_sets(a, x, "target", arena_printf(a, "%s_%s", e->prefix, r->target->c_struct));
		tv_sets(a, x, "name", r->c_name);
		tv_sets(a, x, "kind", kinds[r->kind]);
		tv_sets(a, x, "table", r->target->name);
		tv_sets(a, x, "cols", m2m ? NULL : plain_cols(e, &r->fk->cols));
		tv_sets(a, x, "through", m2m ? r->through->name : NULL);
		tv_sets(a, x, "load", loads[r->load]);
		tv_set(a, m, "rel", x);
		tv_push(a, members, m);
	}
	return members;
}


/* ---- data access ---------------------------------------------------------
 * The SQL of each statement is built here from the model (only generated
 * identifiers in it, values always $n); the templates lay out the code. */

static const char *c_string(emitter *e, const char *s) { return c_literal(e->a, s); }

/* The C call that adds value expression v (of column c) to params p. */
static const char *scalar_param_call(emitter *e, const m_column *c, const char *pv, const char *v);

/* Arrays go as one parameter built from their elements; deeper arrays
 * travel as their text form. */
static const char *param_call(emitter *e, const m_column *c, const char *pv, const char *v)
{
	arena *a = e->a;
	if (c->type.array_dims > 1)
		return arena_printf(a, "mc_param_str(%s, %s)", pv, v);
	if (c->type.array_dims == 1) {
		m_column elem = *c;
		elem.type.array_dims = 0;
		return arena_printf(a,
		                    "{ mc_params el_; mc_params_init(&el_); "
		                    "for (size_t i_ = 0; i_ < %s.n; i_++) { if (%s.nulls && %s.nulls[i_]) mc_param_null(&el_); "
		                    "else %s; } mc_param_array_of(%s, &el_); mc_params_free(&el_); }",
		                    v, v, v, scalar_param_call(e, &elem, "&el_", arena_printf(a, "%s.items[i_]", v)), pv);
	}
	return scalar_param_call(e, c, pv, v);
}

static const char *scalar_param_call(emitter *e, const m_column *c, const char *pv, const char *v)
{
	arena *a = e->a;
	switch (c->type.kind) {
	case T_SMALLINT: case T_SMALLSERIAL: return arena_printf(a, "mc_param_int16(%s, %s)", pv, v);
	case T_INTEGER: case T_SERIAL: return arena_printf(a, "mc_param_int32(%s, %s)", pv, v);
	case T_BIGINT: case T_BIGSERIAL: return arena_printf(a, "mc_param_int64(%s, %s)", pv, v);
	case T_BOOLEAN: return arena_printf(a, "mc_param_bool(%s, %s)", pv, v);
	case T_REAL: return arena_printf(a, "mc_param_float(%s, %s)", pv, v);
	case T_DOUBLE: return arena_printf(a, "mc_param_double(%s, %s)", pv, v);
	case T_BYTEA: return arena_printf(a, "mc_param_bytes(%s, %s)", pv, v);
	case T_UUID: return arena_printf(a, "mc_param_uuid(%s, &%s)", pv, v);
	case T_DATE: return arena_printf(a, "mc_param_date(%s, %s)", pv, v);
	case T_TIME: return arena_printf(a, "mc_param_time(%s, %s)", pv, v);
	case T_TIMETZ: return arena_printf(a, "mc_param_timetz(%s, %s)", pv, v);
	case T_TIMESTAMP: return arena_printf(a, "mc_param_timestamp(%s, %s)", pv, v);
	case T_TIMESTAMPTZ: return arena_printf(a, "mc_param_timestamptz(%s, %s)", pv, v);
	case T_INTERVAL: return arena_printf(a, "mc_param_interval(%s, %s)", pv, v);
	case T_ENUM: return arena_printf(a, "%s_param(%s, %s)", c->type.en->c_name, pv, v);
	default: return arena_printf(a, "mc_param_str(%s, %s)", pv, v);
	}
}

/* Statements that read column i of row `row` of PGresult `pg` into out. */
/* The element decoder of a one-dimensional array column. */
static const char *elem_decoder(emitter *e, const m_column *c)
{
	switch (c->type.kind) {
	case T_SMALLINT: case T_SMALLSERIAL: return "mc_elem_int16";
	case T_INTEGER: case T_SERIAL: return "mc_elem_int32";
	case T_BIGINT: case T_BIGSERIAL: return "mc_elem_int64";
	case T_BOOLEAN: return "mc_elem_bool";
	case T_REAL: return "mc_elem_float";
	case T_DOUBLE: return "mc_elem_double";
	case T_BYTEA: return "mc_elem_bytes";
	case T_UUID: return "mc_elem_uuid";
	case T_DATE: return "mc_elem_date";
	case T_TIME: return "mc_elem_time";
	case T_TIMETZ: return "mc_elem_timetz";
	case T_TIMESTAMP: return "mc_elem_timestamp";
	case T_TIMESTAMPTZ: return "mc_elem_timestamptz";
	case T_INTERVAL: return "mc_elem_interval";
	case T_ENUM: return arena_printf(e->a, "%s_elem", c->type.en->c_name);
	default: return "mc_elem_str";
	}
}

/* A column read exactly from PostgreSQL's binary format (mc_get_*, or the
 * raw bytes for text kinds and enums, whose binary form is their text). */
static bool col_binary(const m_column *c)
{
	if (c->type.array_dims)
		return false;
	switch (c->type.kind) {
	case T_SMALLINT: case T_INTEGER: case T_BIGINT: case T_SMALLSERIAL: case T_SERIAL: case T_BIGSERIAL:
	case T_BOOLEAN: case T_REAL: case T_DOUBLE: case T_UUID: case T_DATE: case T_TIME:
	case T_TIMESTAMP: case T_TIMESTAMPTZ: case T_TEXT: case T_VARCHAR: case T_CHAR: case T_ENUM:
		return true;
	default:
		return false;
	}
}

/* Results of the table's rows may be binary: every column reads it. */
static bool table_binary(const m_table *t)
{
	for (size_t i = 0; i < t->columns.n; i++)
		if (!col_binary(t->columns.items[i]))
			return false;
	return true;
}

static const char *decode_stmt(emitter *e, const m_column *c, int k)
{
	const char *i = arena_printf(e->a, "at_ + %d", k);
	arena *a = e->a;
	const char *dst = arena_printf(a, "out->%s", c->c_name);
	const char *v = arena_printf(a, "PQgetvalue(pg, row, %s)", i);
	if (c->type.array_dims == 1)
		return arena_printf(a,
		                    "void *it_ = NULL; bool *nl_ = NULL; "
		                    "st = mc_decode_array(r, %s, sizeof *%s.items, %s, &it_, &nl_, &%s.n); "
		                    "%s.items = (%s)it_; %s.nulls = nl_;",
		                    v, dst, elem_decoder(e, c), dst, dst,
		                    arena_printf(a, "%s *", scalar_ctype(&c->type)), dst);
	if (c->type.array_dims > 1)
		return arena_printf(a, "%s.ptr = %s; %s.len = (size_t)PQgetlength(pg, row, %s);", dst, v, dst, i);
	switch (c->type.kind) {
	case T_SMALLINT: case T_SMALLSERIAL: return arena_printf(a, "st = mc_get_int16(pg, row, %s, &%s);", i, dst);
	case T_INTEGER: case T_SERIAL: return arena_printf(a, "st = mc_get_int32(pg, row, %s, &%s);", i, dst);
	case T_BIGINT: case T_BIGSERIAL: return arena_printf(a, "st = mc_get_int64(pg, row, %s, &%s);", i, dst);
	case T_BOOLEAN: return arena_printf(a, "st = mc_get_bool(pg, row, %s, &%s);", i, dst);
	case T_REAL: return arena_printf(a, "st = mc_get_float(pg, row, %s, &%s);", i, dst);
	case T_DOUBLE: return arena_printf(a, "st = mc_get_double(pg, row, %s, &%s);", i, dst);
	case T_BYTEA: return arena_printf(a, "st = mc_decode_bytea(r, %s, &%s);", v, dst);
	case T_UUID: return arena_printf(a, "st = mc_get_uuid(pg, row, %s, &%s);", i, dst);
	case T_DATE: return arena_printf(a, "st = mc_get_date(pg, row, %s, &%s);", i, dst);
	case T_TIME: return arena_printf(a, "st = mc_get_time(pg, row, %s, &%s);", i, dst);
	case T_TIMETZ: return arena_printf(a, "st = mc_decode_timetz(%s, &%s);", v, dst);
	case T_TIMESTAMP: return arena_printf(a, "st = mc_get_timestamp(pg, row, %s, &%s);", i, dst);
	case T_TIMESTAMPTZ: return arena_printf(a, "st = mc_get_timestamptz(pg, row, %s, &%s);", i, dst);
	case T_INTERVAL: return arena_printf(a, "st = mc_decode_interval(%s, &%s);", v, dst);
	case T_ENUM:
		return arena_printf(a, "st = %s_from_string(%s, (size_t)PQgetlength(pg, row, %s), &%s) == 0 ? MC_OK : MC_DATA;",
		                    c->type.en->c_name, v, i, dst);
	default:
		return arena_printf(a, "%s.ptr = %s; %s.len = (size_t)PQgetlength(pg, row, %s);", dst, v, dst, i);
	}
}

/* The type to cast a parameter to: without length or precision, which an
 * explicit cast would silently apply (truncating where the column would
 * refuse), and serials are not types. */
static const char *cast_type(emitter *e, const m_column *c)
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
	default: {
		/* other types: the name before any (n), bit(n) as varbit */
		const char *sql = c->type.sql;
		size_t n = strcspn(sql, "([");
		base = arena_strndup(e->a, sql, n);
		if (strcmp(base, "bit") == 0)
			base = "varbit";
		else if (strcmp(base, "bit varying") == 0)
			base = "varbit";
		break;
	}
	}
	if (!c->type.array_dims)
		return base;
	buf b;
	buf_init(&b);
	buf_puts(&b, base);
	for (int i = 0; i < c->type.array_dims; i++)
		buf_puts(&b, "[]");
	const char *r = arena_strndup(e->a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *c_arg_type(emitter *e, const m_column *c)
{
	return column_ctype(e, &c->type);
}

/* "a = $1 AND b = $2", numbering from first */
static const char *where_keys(emitter *e, const vec *cols, int first)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++) {
		const m_column *c = cols->items[i];
		buf_printf(&b, "%s%s = $%d", i ? " AND " : "", sql_ident(e->a, c->name), first + (int)i);
	}
	const char *r = arena_strndup(e->a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* "deleted_at IS NULL [AND NOT is_deleted]" for a soft-delete table. */
static const char *live_filter(emitter *e, const m_table *t)
{
	if (!t->soft_delete_at)
		return NULL;
	const char *at = sql_ident(e->a, t->soft_delete_at->name);
	if (t->soft_delete_flag)
		return arena_printf(e->a, "%s IS NULL AND NOT %s", at, sql_ident(e->a, t->soft_delete_flag->name));
	return arena_printf(e->a, "%s IS NULL", at);
}

static bool is_serial(const m_column *c)
{
	return c->type.kind == T_SERIAL || c->type.kind == T_BIGSERIAL || c->type.kind == T_SMALLSERIAL;
}

static bool in_cols(const vec *cols, const m_column *c)
{
	for (size_t i = 0; i < cols->n; i++)
		if (cols->items[i] == c)
			return true;
	return false;
}

/* A parameter of a write: value from in->, NULL when its flag says so. */
static tval *write_param(emitter *e, const m_column *c)
{
	tval *v = tv_dict(e->a);
	tv_sets(e->a, v, "null_flag", c->c_null);
	tv_sets(e->a, v, "param", param_call(e, c, "&p", arena_printf(e->a, "in->%s", c->c_name)));
	return v;
}

/* A key lookup: function arguments and their parameter calls. */
static tval *key_value(emitter *e, const vec *cols, const char *suffix, const char *select_list,
                       const m_table *t)
{
	arena *a = e->a;
	tval *k = tv_dict(a);
	tv_sets(a, k, "suffix", suffix);
	tval *args = tv_list(a);
	for (size_t i = 0; i < cols->n; i++) {
		const m_column *c = cols->items[i];
		tval *x = tv_dict(a);
		tv_sets(a, x, "type", c_arg_type(e, c));
		tv_sets(a, x, "name", c->c_name);
		tv_sets(a, x, "param", param_call(e, c, "&p", c->c_name));
		tv_push(a, args, x);
	}
	tv_set(a, k, "args", args);
	tv_sets(a, k, "nparams", arena_printf(a, "%zu", cols->n));
	const char *tn = sql_ident(a, t->name);
	const char *where = where_keys(e, cols, 1);
	const char *live = live_filter(e, t);
	tv_sets(a, k, "get_sql", c_string(e, arena_printf(a, "SELECT %s FROM %s WHERE %s%s", select_list, tn, where,
	                                                   live ? arena_printf(a, " AND %s", live) : "")));
	tv_sets(a, k, "get_all_sql", live ? c_string(e, arena_printf(a, "SELECT %s FROM %s WHERE %s", select_list, tn,
	                                                             where))
	                                  : NULL);
	tv_sets(a, k, "delete_sql", c_string(e, arena_printf(a, "DELETE FROM %s WHERE %s", tn, where)));
	if (live) {
		const char *flag = t->soft_delete_flag ? sql_ident(a, t->soft_delete_flag->name) : NULL;
		const char *at = sql_ident(a, t->soft_delete_at->name);
		tv_sets(a, k, "soft_delete_sql",
		        c_string(e, arena_printf(a, "UPDATE %s SET %s = now()%s%s%s WHERE %s AND %s", tn, at,
		                                 flag ? ", " : "", flag ? flag : "", flag ? " = true" : "", where, live)));
		tv_sets(a, k, "restore_sql",
		        c_string(e, arena_printf(a, "UPDATE %s SET %s = NULL%s%s%s WHERE %s AND %s IS NOT NULL", tn, at,
		                                 flag ? ", " : "", flag ? flag : "", flag ? " = false" : "", where, at)));
	}
	return k;
}

static const char *key_suffix(emitter *e, const vec *cols)
{
	buf b;
	buf_init(&b);
	buf_puts(&b, "_by");
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(&b, "_%s", ((m_column *)cols->items[i])->c_name);
	const char *r = arena_strndup(e->a, b.data, b.len);
	buf_free(&b);
	return r;
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

/* "mc_c.a, mc_c.b, ..." : a table's columns through an alias */
static const char *aliased_list(emitter *e, const m_table *t, const char *alias)
{
	buf b;
	buf_init(&b);
	for (size_t k = 0; k < t->columns.n; k++)
		buf_printf(&b, "%s%s.%s", k ? ", " : "", alias, sql_ident(e->a, ((m_column *)t->columns.items[k])->name));
	const char *r = arena_strndup(e->a, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *aliased_live(emitter *e, const m_table *t, const char *alias)
{
	if (!t->soft_delete_at)
		return NULL;
	const char *at = arena_printf(e->a, "%s.%s", alias, sql_ident(e->a, t->soft_delete_at->name));
	if (t->soft_delete_flag)
		return arena_printf(e->a, "%s IS NULL AND NOT %s.%s", at, alias, sql_ident(e->a, t->soft_delete_flag->name));
	return arena_printf(e->a, "%s IS NULL", at);
}

/* "a.x = b.y AND ..." over two column lists */
static const char *join_on(emitter *e, const char *la, const vec *lc, const char *ra, const vec *rc, bool r_is_k)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < lc->n; i++) {
		const char *l = sql_ident(e->a, ((m_column *)lc->items[i])->name);
		const char *r = r_is_k ? arena_printf(e->a, "k%zu", i + 1) : sql_ident(e->a, ((m_column *)rc->items[i])->name);
		buf_printf(&b, "%s%s.%s = %s.%s", i ? " AND " : "", la, l, ra, r);
	}
	const char *r = arena_strndup(e->a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* One relationship's batch loader: the parents' key values go as one array
 * parameter per key column, unnested WITH ORDINALITY so every child row
 * says which parent it belongs to (its last column). One statement for any
 * number of parents; a per-parent limit is a LATERAL subquery. */
static tval *rel_value(emitter *e, const m_table *t, const m_rel *r, int bit, tval **jout, size_t *sel_size,
                       size_t *join_size, tval **sout)
{
	arena *a = e->a;
	tval *x = tv_dict(a);
	const m_table *tg = r->target;
	const char *tfn = arena_printf(a, "%s_%s", e->prefix, c_word(a, tg->name));
	tv_sets(a, x, "name", r->c_name);
	tv_sets(a, x, "bit", arena_printf(a, "%s_LOAD_%s", str_upper(a, arena_printf(a, "%s_%s", e->prefix,
	                                                                               c_word(a, t->name))),
	                                  str_upper(a, c_word(a, r->name))));
	tv_sets(a, x, "bit_value", arena_printf(a, "%du", 1 << bit));
	tv_sets(a, x, "rel_index", arena_printf(a, "%d", bit));
	tv_sets(a, x, "rel_const", arena_printf(a, "%s_REL_%s", str_upper(a, arena_printf(a, "%s_%s", e->prefix,
	                                                                                c_word(a, t->name))),
	                                        str_upper(a, c_word(a, r->name))));
	tv_setb(a, x, "many", r->kind == REL_HAS_MANY || r->kind == REL_MANY_TO_MANY);
	tv_setb(a, x, "default_load", r->load != LOAD_LAZY);
	tv_sets(a, x, "target_fn", tfn);
	tv_sets(a, x, "target_struct", arena_printf(a, "%s_%s", e->prefix, tg->c_struct));
	tv_sets(a, x, "ord_col", arena_printf(a, "%zu", tg->columns.n));
	/* the load's result: the child's columns, then integer keys or the
	 * bigint ordinality, all read exactly in binary when the child's are */
	tv_sets(a, x, "load_binary", table_binary(tg) ? "1" : "0");

	/* the parent's key columns, and what they match in the child query */
	const vec *pkeys = r->kind == REL_BELONGS_TO ? &r->fk->cols : &r->fk->ref_cols;
	tval *keys = tv_list(a);
	buf un, al;
	buf_init(&un);
	buf_init(&al);
	for (size_t i = 0; i < pkeys->n; i++) {
		const m_column *c = pkeys->items[i];
		tval *k = tv_dict(a);
		tv_sets(a, k, "null_flag", c->c_null);
		tv_sets(a, k, "param", param_call(e, c, "&el_", arena_printf(a, "parents[i].%s", c->c_name)));
		tv_sets(a, k, "kparam", param_call(e, c, "e_", arena_printf(a, "parents[i].%s", c->c_name)));
		tv_sets(a, k, "k", arena_printf(a, "%zu", i));
		tv_push(a, keys, k);
		buf_printf(&un, "%s$%zu::%s[]", i ? ", " : "", i + 1, cast_type(e, c));
		buf_printf(&al, "k%zu, ", i + 1);
	}
	tv_set(a, x, "keys", keys);
	tv_sets(a, x, "nkeys", arena_printf(a, "%zu", pkeys->n));

	const char *tn = sql_ident(a, tg->name);
	const char *live = aliased_live(e, tg, "mc_c");
	const char *from = arena_printf(a, "unnest(%s) WITH ORDINALITY AS mc_u(%sord)", un.data, al.data);
	const char *cond;
	const char *joins = "";
	const char *lat_from = arena_printf(a, "%s AS mc_c", tn), *lat_where;
	if (r->kind == REL_MANY_TO_MANY) {
		/* parents -> join table -> targets */
		const char *jcond = join_on(e, "mc_j", &r->fk->cols, "mc_u", NULL, true);
		joins = arena_printf(a, " JOIN %s AS mc_j ON %s", sql_ident(a, r->through->name), jcond);
		cond = join_on(e, "mc_c", &r->through_fk->ref_cols, "mc_j", &r->through_fk->cols, false);
		/* a per-parent limit counts targets per parent: the join table
		 * goes inside the LATERAL subquery */
		lat_from = arena_printf(a, "%s AS mc_j JOIN %s AS mc_c ON %s", sql_ident(a, r->through->name), tn, cond);
		lat_where = jcond;
	} else if (r->kind == REL_BELONGS_TO) {
		cond = join_on(e, "mc_c", &r->fk->ref_cols, "mc_u", NULL, true);
		lat_where = cond;
	} else {
		cond = join_on(e, "mc_c", &r->fk->cols, "mc_u", NULL, true);
		lat_where = cond;
	}
	buf order;
	buf_init(&order);
	for (size_t i = 0; i < r->order.n; i++) {
		const m_order *o = r->order.items[i];
		buf_printf(&order, ", mc_c.%s%s", sql_ident(a, o->col->name), sort_sql(o->sort, o->nulls));
	}
	/* the child's key last (unless ordered on already), as under joined:
	 * ties in the relationship's order come in the same order whatever the
	 * strategy, and a per-parent limit keeps the same rows */
	for (size_t i = 0; r->kind != REL_BELONGS_TO && tg->pk && i < tg->pk->cols.n; i++) {
		const m_column *c = tg->pk->cols.items[i];
		bool seen = false;
		for (size_t k = 0; k < r->order.n; k++)
			seen = seen || ((const m_order *)r->order.items[k])->col == c;
		if (!seen)
			buf_printf(&order, ", mc_c.%s", sql_ident(a, c->name));
	}
	const char *sql;
	if (r->limit) {
		sql = arena_printf(a,
		                   "SELECT %s, mc_u.ord FROM %s CROSS JOIN LATERAL (SELECT mc_c.* FROM %s WHERE %s%s%s "
		                   "ORDER BY %s LIMIT %ld) AS mc_c ORDER BY mc_u.ord%s",
		                   aliased_list(e, tg, "mc_c"), from, lat_from, lat_where, live ? " AND " : "",
		                   live ? live : "", order.len ? order.data + 2 : "1", r->limit, order.len ? order.data : "");
	} else {
		sql = arena_printf(a, "SELECT %s, mc_u.ord FROM %s%s JOIN %s AS mc_c ON %s%s%s ORDER BY mc_u.ord%s",
		                   aliased_list(e, tg, "mc_c"), from, joins, tn, cond, live ? " AND " : "", live ? live : "",
		                   order.len ? order.data : "");
	}
	tv_sets(a, x, "sql", c_string(e, sql));

	/* by key: the children WHERE their key = ANY($1) (one index or
	 * bitmap scan, where the unnest join above probes the index once per
	 * parent) and the parents found by the text of their key in a hash
	 * (mc_keymap): for key types whose text the runtime prints exactly as
	 * the server does. A per-parent limit keeps the LATERAL form, and
	 * many_to_many the unnest join: measured, = ANY on the join table's
	 * key was slower there (1,000 parents: 2.8x libpq against 1.5x). */
	bool by_key = !r->limit && r->kind != REL_MANY_TO_MANY;
	for (size_t i = 0; i < pkeys->n && by_key; i++) {
		const m_column *c = pkeys->items[i];
		if (c->type.array_dims)
			by_key = false;
		switch (c->type.kind) {
		case T_SMALLINT: case T_INTEGER: case T_BIGINT: case T_SMALLSERIAL: case T_SERIAL: case T_BIGSERIAL:
		case T_TEXT: case T_VARCHAR: case T_UUID: case T_ENUM: case T_BOOLEAN: case T_DATE: case T_TIMESTAMP:
		case T_TIMESTAMPTZ:
			break;
		default:
			by_key = false;
		}
	}
	if (by_key) {
		/* the child's columns matching the parent key, and where they are
		 * in the result */
		const vec *ccols_v = r->kind == REL_BELONGS_TO ? &r->fk->ref_cols : &r->fk->cols;
		const char *kalias = r->kind == REL_MANY_TO_MANY ? "mc_j" : "mc_c";
		buf lhs, cc, extra;
		buf_init(&lhs);
		buf_init(&cc);
		buf_init(&extra);
		for (size_t i = 0; i < ccols_v->n; i++) {
			const m_column *c = ccols_v->items[i];
			buf_printf(&lhs, "%s%s.%s", i ? ", " : "", kalias, sql_ident(a, c->name));
			if (r->kind == REL_MANY_TO_MANY) {
				buf_printf(&extra, ", mc_j.%s", sql_ident(a, c->name));
				buf_printf(&cc, "%s%zu", i ? ", " : "", tg->columns.n + i);
			} else {
				size_t at = 0;
				for (size_t k = 0; k < tg->columns.n; k++)
					if (tg->columns.items[k] == c)
						at = k;
				buf_printf(&cc, "%s%zu", i ? ", " : "", at);
			}
		}
		const char *in = ccols_v->n == 1 ? arena_printf(a, "%s = ANY(%s)", lhs.data, un.data)
		                                 : arena_printf(a, "(%s) IN (SELECT * FROM unnest(%s))", lhs.data, un.data);
		const char *src = r->kind == REL_MANY_TO_MANY
		                      ? arena_printf(a, "%s AS mc_j JOIN %s AS mc_c ON %s", sql_ident(a, r->through->name), tn,
		                                     cond)
		                      : arena_printf(a, "%s AS mc_c", tn);
		const char *ksql = arena_printf(a, "SELECT %s%s FROM %s WHERE %s%s%s%s%s", aliased_list(e, tg, "mc_c"),
		                                extra.len ? extra.data : "", src, in, live ? " AND " : "", live ? live : "",
		                                order.len ? " ORDER BY " : "", order.len ? order.data + 2 : "");
		tv_sets(a, x, "key_sql", c_string(e, ksql));
		tv_sets(a, x, "ccols", arena_strndup(a, cc.data, cc.len));
		buf_free(&lhs);
		buf_free(&cc);
		buf_free(&extra);
	}
	tv_setb(a, x, "by_key", by_key);
	buf_free(&un);
	buf_free(&al);

	/* the inverse (a post's author when posts are loaded for users) */
	const m_rel *inv = r->inverse;
	bool link = inv && r->kind == REL_HAS_MANY && inv->kind == REL_BELONGS_TO;
	link = link || (inv && r->kind == REL_HAS_ONE && inv->kind == REL_BELONGS_TO);
	tv_sets(a, x, "inverse", link ? inv->c_name : NULL);

	/* joined: a to-one relationship in the parent's own statement, its
	 * columns after the parent's; the join target is aliased mc_j<bit> so
	 * a table can join itself */
	if (r->load == LOAD_JOINED && (r->kind == REL_BELONGS_TO || r->kind == REL_HAS_ONE)) {
		const char *ja = arena_printf(a, "mc_j%d", bit);
		const char *pn = sql_ident(a, t->name);
		const m_column *probe;
		const char *jsql;
		if (r->kind == REL_BELONGS_TO) {
			/* matched on a key: at most one row */
			probe = r->fk->ref_cols.items[0];
			jsql = arena_printf(a, " LEFT JOIN %s AS %s ON %s%s%s", tn, ja,
			                    join_on(e, ja, &r->fk->ref_cols, pn, &r->fk->cols, false),
			                    live ? " AND " : "", live ? aliased_live(e, tg, ja) : "");
		} else {
			/* has_one: the first child in the relationship's order, so
			 * a parent row is never repeated */
			probe = r->fk->cols.items[0];
			buf jo;
			buf_init(&jo);
			for (size_t i = 0; i < r->order.n; i++) {
				const m_order *o = r->order.items[i];
				buf_printf(&jo, "%s%s.%s%s", i ? ", " : "", ja, sql_ident(a, o->col->name), sort_sql(o->sort, o->nulls));
			}
			/* then the child's key, as under selectin and subquery */
			for (size_t i = 0; tg->pk && i < tg->pk->cols.n; i++) {
				const m_column *c = tg->pk->cols.items[i];
				bool seen = false;
				for (size_t k = 0; k < r->order.n; k++)
					seen = seen || ((const m_order *)r->order.items[k])->col == c;
				if (!seen)
					buf_printf(&jo, "%s%s.%s", jo.len ? ", " : "", ja, sql_ident(a, c->name));
			}
			jsql = arena_printf(a, " LEFT JOIN LATERAL (SELECT %s.* FROM %s AS %s WHERE %s%s%s%s%s LIMIT 1) "
			                    "AS %s ON true", ja, tn, ja,
			                    join_on(e, ja, &r->fk->cols, pn, &r->fk->ref_cols, false),
			                    live ? " AND " : "", live ? aliased_live(e, tg, ja) : "",
			                    jo.len ? " ORDER BY " : "", jo.len ? jo.data : "", ja);
			buf_free(&jo);
		}
		size_t probe_at = 0;
		for (size_t k = 0; k < tg->columns.n; k++)
			if (tg->columns.items[k] == probe)
				probe_at = k;
		tval *j = tv_dict(a);
		tv_sets(a, j, "select_sql", c_string(e, aliased_list(e, tg, ja)));
		tv_sets(a, j, "join_sql", c_string(e, jsql));
		tv_sets(a, j, "probe", arena_printf(a, "%zu", probe_at));
		tv_sets(a, j, "ncols", arena_printf(a, "%zu", tg->columns.n));
		tv_sets(a, j, "bit", arena_printf(a, "%s_LOAD_%s", str_upper(a, arena_printf(a, "%s_%s", e->prefix,
		                                                                               c_word(a, t->name))),
		                                  str_upper(a, c_word(a, r->name))));
		tv_sets(a, j, "name", r->c_name);
		tv_sets(a, j, "target_fn", tfn);
		tv_sets(a, j, "target_struct", arena_printf(a, "%s_%s", e->prefix, tg->c_struct));
		tv_sets(a, j, "inverse", link ? inv->c_name : NULL);
		tv_set(a, x, "joined", j);
		*jout = j;
		/* the C literals are at least as long as the text */
		*sel_size += strlen(aliased_list(e, tg, ja)) + 2;
		*join_size += strlen(jsql);
	}
	/* joined collection (has_many): the parent query becomes a subquery
	 * with the parent's name, the children are LEFT JOINed to it, rows
	 * come ordered by the parent order, the parent key, the child order,
	 * so each parent's rows are consecutive (de-duplicated in C) */
	if (r->load == LOAD_JOINED && (r->kind == REL_HAS_MANY || r->kind == REL_MANY_TO_MANY) && t->pk) {
		const char *ja = arena_printf(a, "mc_j%d", bit);
		const char *pn = sql_ident(a, t->name);
		bool m2m = r->kind == REL_MANY_TO_MANY;
		/* many-to-many: the join table aliased mc_t<bit>, then the target */
		const char *jt = arena_printf(a, "mc_t%d", bit);
		const char *on = m2m ? join_on(e, jt, &r->fk->cols, pn, &r->fk->ref_cols, false)
		                     : join_on(e, ja, &r->fk->cols, pn, &r->fk->ref_cols, false);
		const char *on2 = m2m ? join_on(e, ja, &r->through_fk->ref_cols, jt, &r->through_fk->cols, false) : NULL;
		const char *thr = m2m ? sql_ident(a, r->through->name) : NULL;
		buf jo, tail, pkc;
		buf_init(&jo);
		buf_init(&tail);
		buf_init(&pkc);
		for (size_t i = 0; i < r->order.n; i++) {
			const m_order *o = r->order.items[i];
			buf_printf(&jo, "%s%s.%s%s", i ? ", " : "", ja, sql_ident(a, o->col->name), sort_sql(o->sort, o->nulls));
		}
		for (size_t i = 0; i < t->pk->cols.n; i++) {
			const m_column *c = t->pk->cols.items[i];
			size_t at = 0;
			for (size_t k = 0; k < t->columns.n; k++)
				if (t->columns.items[k] == c)
					at = k;
			buf_printf(&tail, "%s%s.%s", i ? ", " : "", pn, sql_ident(a, c->name));
			buf_printf(&pkc, "%s%zu", i ? ", " : "", at);
		}
		/* the child's key last (unless ordered on already): a stable order */
		for (size_t i = 0; tg->pk && i < tg->pk->cols.n; i++) {
			const m_column *c = tg->pk->cols.items[i];
			bool seen = false;
			for (size_t k = 0; k < r->order.n; k++)
				seen = seen || ((const m_order *)r->order.items[k])->col == c;
			if (!seen)
				buf_printf(&jo, "%s%s.%s", jo.len ? ", " : "", ja, sql_ident(a, c->name));
		}
		if (jo.len)
			buf_printf(&tail, ", %s", jo.data);
		const char *jsql;
		const char *src = m2m ? arena_printf(a, "%s AS %s JOIN %s AS %s ON %s", thr, jt, tn, ja, on2)
		                      : arena_printf(a, "%s AS %s", tn, ja);
		if (r->limit)
			jsql = arena_printf(a, " LEFT JOIN LATERAL (SELECT %s.* FROM %s WHERE %s%s%s ORDER BY %s LIMIT %ld) "
			                    "AS %s ON true", ja, src, on, live ? " AND " : "",
			                    live ? aliased_live(e, tg, ja) : "", jo.len ? jo.data : "1", r->limit, ja);
		else if (m2m)
			jsql = arena_printf(a, " LEFT JOIN (%s%s%s) ON %s", src, live ? " AND " : "",
			                    live ? aliased_live(e, tg, ja) : "", on);
		else
			jsql = arena_printf(a, " LEFT JOIN %s ON %s%s%s", src, on, live ? " AND " : "",
			                    live ? aliased_live(e, tg, ja) : "");
		const m_column *probe = m2m ? r->through_fk->ref_cols.items[0] : r->fk->cols.items[0];
		size_t probe_at = 0;
		for (size_t k = 0; k < tg->columns.n; k++)
			if (tg->columns.items[k] == probe)
				probe_at = k;
		tval *j = tv_dict(a);
		tv_sets(a, j, "select_sql", c_string(e, aliased_list(e, tg, ja)));
		tv_sets(a, j, "join_sql", c_string(e, jsql));
		tv_sets(a, j, "tail_sql", c_string(e, tail.data));
		tv_sets(a, j, "pk_cols", arena_strndup(a, pkc.data, pkc.len));
		tv_sets(a, j, "npk", arena_printf(a, "%zu", t->pk->cols.n));
		tv_sets(a, j, "probe", arena_printf(a, "%zu", probe_at));
		tv_sets(a, j, "ncols", arena_printf(a, "%zu", tg->columns.n));
		tv_sets(a, j, "bit", arena_printf(a, "%s_LOAD_%s", str_upper(a, arena_printf(a, "%s_%s", e->prefix,
		                                                                               c_word(a, t->name))),
		                                  str_upper(a, c_word(a, r->name))));
		tv_sets(a, j, "name", r->c_name);
		tv_sets(a, j, "target_fn", tfn);
		tv_sets(a, j, "target_struct", arena_printf(a, "%s_%s", e->prefix, tg->c_struct));
		tv_sets(a, j, "inverse", link ? inv->c_name : NULL);
		tv_setb(a, j, "coll", true);
		*jout = j;
		*sel_size += strlen(aliased_list(e, tg, ja)) + 2;
		*join_size += strlen(jsql);
		buf_free(&jo);
		buf_free(&tail);
		buf_free(&pkc);
	}
	/* subquery: the parent query itself gives the keys (distinct), the
	 * child rows carry them, the C code matches them to the parents */
	if (r->load == LOAD_SUBQUERY) {
		buf pk, uk, pc, cc;
		buf_init(&pk);
		buf_init(&uk);
		buf_init(&pc);
		buf_init(&cc);
		for (size_t i = 0; i < pkeys->n; i++) {
			const m_column *c = pkeys->items[i];
			size_t at = 0;
			for (size_t k = 0; k < t->columns.n; k++)
				if (t->columns.items[k] == c)
					at = k;
			buf_printf(&pk, "%smc_p.%s AS k%zu", i ? ", " : "", sql_ident(a, c->name), i + 1);
			buf_printf(&uk, "%smc_u.k%zu", i ? ", " : "", i + 1);
			buf_printf(&pc, "%s%zu", i ? ", " : "", at);
			buf_printf(&cc, "%s%zu", i ? ", " : "", tg->columns.n + i);
		}
		const char *child;
		if (r->limit) {
			/* many_to_many: the join table is in the LATERAL subquery */
			joins = "";
			child = arena_printf(a, " CROSS JOIN LATERAL (SELECT mc_c.* FROM %s WHERE %s%s%s ORDER BY %s LIMIT %ld) AS mc_c",
			                     lat_from, lat_where, live ? " AND " : "", live ? live : "",
			                     order.len ? order.data + 2 : "1", r->limit);
		} else
			child = arena_printf(a, " JOIN %s AS mc_c ON %s%s%s", tn, cond, live ? " AND " : "", live ? live : "");
		tval *sb = tv_dict(a);
		tv_sets(a, sb, "before", c_string(e, arena_printf(a, "SELECT %s, %s FROM (SELECT DISTINCT %s FROM (",
		                                                  aliased_list(e, tg, "mc_c"), uk.data, pk.data)));
		tv_sets(a, sb, "after", c_string(e, arena_printf(a, ") AS mc_p) AS mc_u%s%s ORDER BY %s%s", joins, child,
		                                                 uk.data, order.len ? order.data : "")));
		tv_sets(a, sb, "pcols", arena_strndup(a, pc.data, pc.len));
		tv_sets(a, sb, "ccols", arena_strndup(a, cc.data, cc.len));
		tv_sets(a, sb, "nkeys", arena_printf(a, "%zu", pkeys->n));
		tv_sets(a, sb, "bit", arena_printf(a, "%s_LOAD_%s", str_upper(a, arena_printf(a, "%s_%s", e->prefix,
		                                                                                c_word(a, t->name))),
		                                   str_upper(a, c_word(a, r->name))));
		tv_sets(a, sb, "name", r->c_name);
		tv_sets(a, sb, "target_fn", tfn);
		tv_sets(a, sb, "target_struct", arena_printf(a, "%s_%s", e->prefix, tg->c_struct));
		tv_sets(a, sb, "inverse", link ? inv->c_name : NULL);
		tv_setb(a, sb, "many", r->kind == REL_HAS_MANY || r->kind == REL_MANY_TO_MANY);
		*sout = sb;
		buf_free(&pk);
		buf_free(&uk);
		buf_free(&pc);
		buf_free(&cc);
	}
	buf_free(&order);
	return x;
}

static tval *access_value(emitter *e, const m_table *t)
{
	arena *a = e->a;
	tval *x = tv_dict(a);
	const char *fn = arena_printf(a, "%s_%s", e->prefix, c_word(a, t->name));
	const char *up = str_upper(a, fn);
	tv_sets(a, x, "fn", fn);
	tv_sets(a, x, "up", up);

	buf sel;
	buf_init(&sel);
	for (size_t k = 0; k < t->columns.n; k++)
		buf_printf(&sel, "%s%s", k ? ", " : "", sql_ident(a, ((m_column *)t->columns.items[k])->name));
	const char *select_list = arena_strndup(a, sel.data, sel.len);
	buf_free(&sel);

	tval *cols = tv_list(a);
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		tval *cv = tv_dict(a);
		tv_sets(a, cv, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_sets(a, cv, "index", arena_printf(a, "%zu", k));
		tv_sets(a, cv, "null_flag", c->c_null);
		tv_sets(a, cv, "decode", decode_stmt(e, c, (int)k));
		tv_push(a, cols, cv);
	}
	tv_set(a, x, "cols", cols);

	/* insert: every column the server does not compute; one with a default
	 * takes the caller's value only when its bit is set, so one prepared
	 * statement serves every combination */
	buf names, vals;
	buf_init(&names);
	buf_init(&vals);
	tval *ins = tv_list(a);
	/* $1 is the bit mask, present only when some column has a default
	 * (an unused parameter would have no type) */
	bool has_mask = false;
	uint64_t ins_always = 0, ins_optional = 0;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (!c->identity && !c->generated_sql && (c->default_sql || c->type.kind == T_SERIAL ||
		                                          c->type.kind == T_BIGSERIAL || c->type.kind == T_SMALLSERIAL))
			has_mask = true;
	}
	int np = has_mask ? 1 : 0;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (c->identity || c->generated_sql)
			continue;
		const char *dflt = c->default_sql;
		if (!dflt && (c->type.kind == T_SERIAL || c->type.kind == T_BIGSERIAL || c->type.kind == T_SMALLSERIAL))
			dflt = arena_printf(a, "nextval(pg_get_serial_sequence(%s, %s))",
			                    sql_literal(a, sql_ident(a, t->name)), sql_literal(a, c->name));
		np++;
		buf_printf(&names, "%s%s", names.len ? ", " : "", sql_ident(a, c->name));
		if (vals.len)
			buf_puts(&vals, ", ");
		if (dflt)
			buf_printf(&vals, "CASE WHEN ($1::int8 & %llu) <> 0 THEN $%d::%s ELSE %s END",
			           (unsigned long long)1 << k, np, cast_type(e, c), dflt);
		else
			buf_printf(&vals, "$%d::%s", np, cast_type(e, c));
		tval *iv = tv_dict(a);
		tv_sets(a, iv, "null_flag", c->c_null);
		tv_sets(a, iv, "param", param_call(e, c, "pp", arena_printf(a, "in->%s", c->c_name)));
		tv_sets(a, iv, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_push(a, ins, iv);
		if (dflt)
			ins_optional |= (uint64_t)1 << k;
		else
			ins_always |= (uint64_t)1 << k;
	}
	tv_set(a, x, "insert_cols", ins);
	/* _insert runs the variant of the columns written (mc_exec_write):
	 * those without a default always, the others when their bit is set */
	tv_sets(a, x, "ins_always", arena_printf(a, "((uint64_t)%lluu)", (unsigned long long)ins_always));
	tv_sets(a, x, "ins_optional", arena_printf(a, "((uint64_t)%lluu)", (unsigned long long)ins_optional));
	tv_setb(a, x, "insert_mask", has_mask);
	tv_sets(a, x, "insert_nparams", arena_printf(a, "%d", np));
	const char *tn = sql_ident(a, t->name);
	const char *ins_core = names.len ? arena_printf(a, "INSERT INTO %s AS mc_row (%s) VALUES (%s)", tn, names.data,
	                                                vals.data)
	                                 : arena_printf(a, "INSERT INTO %s AS mc_row DEFAULT VALUES", tn);
	tv_sets(a, x, "insert_sql", c_string(e, arena_printf(a, "%s RETURNING %s", ins_core, select_list)));
	bool has_cols = names.len > 0;
	buf_free(&names);
	buf_free(&vals);

	/* upsert on each key: on conflict, columns with a default keep the
	 * stored value unless their bit is set, 'on update' columns get their
	 * expression, a version column counts up */
	tval *upserts = tv_list(a);
	for (size_t q = 0; q <= t->uniques.n; q++) {
		const m_key *key = q == 0 ? t->pk : t->uniques.items[q - 1];
		if (!key || !has_cols)
			continue;
		buf set;
		buf_init(&set);
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			if (c->identity || c->generated_sql || in_cols(&key->cols, c))
				continue;
			const char *cn = sql_ident(a, c->name);
			if (set.len)
				buf_puts(&set, ", ");
			if (c->is_version)
				buf_printf(&set, "%s = mc_row.%s + 1", cn, cn);
			else if (c->default_sql || is_serial(c))
				buf_printf(&set, "%s = CASE WHEN ($1::int8 & %llu) <> 0 THEN EXCLUDED.%s ELSE %s END", cn,
				           (unsigned long long)1 << k, cn,
				           c->on_update_sql ? c->on_update_sql : arena_printf(a, "mc_row.%s", cn));
			else
				buf_printf(&set, "%s = EXCLUDED.%s", cn, cn);
		}
		if (!set.len) {   /* every column is in the key: nothing to update */
			const char *cn = sql_ident(a, ((m_column *)key->cols.items[0])->name);
			buf_printf(&set, "%s = EXCLUDED.%s", cn, cn);
		}
		tval *u = tv_dict(a);
		tv_sets(a, u, "suffix", q == 0 ? "" : key_suffix(e, &key->cols));
		tv_sets(a, u, "upsert_sql", c_string(e, arena_printf(a, "%s ON CONFLICT (%s) DO UPDATE SET %s RETURNING %s",
		                                                      ins_core, join_cols(e, &key->cols), set.data, select_list)));
		tv_sets(a, u, "skip_sql", c_string(e, arena_printf(a, "%s ON CONFLICT (%s) DO NOTHING RETURNING %s", ins_core,
		                                                    join_cols(e, &key->cols), select_list)));
		buf_free(&set);
		tv_push(a, upserts, u);
	}
	tv_set(a, x, "upserts", upserts);

	/* update by primary key: $1 the bit mask, then the written columns,
	 * the key, and the version the caller read */
	if (t->pk) {
		tval *upd = tv_dict(a);
		tval *params = tv_list(a), *wcols = tv_list(a);
		buf set;
		buf_init(&set);
		int n = 1;
		uint64_t all = 0;
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			if (c->identity || c->generated_sql || c->primary_key || c->is_version)
				continue;
			const char *cn = sql_ident(a, c->name);
			all |= (uint64_t)1 << k;
			buf_printf(&set, "%s%s = CASE WHEN ($1::int8 & %llu) <> 0 THEN $%d::%s ELSE %s END", set.len ? ", " : "",
			           cn, (unsigned long long)1 << k, ++n, cast_type(e, c), c->on_update_sql ? c->on_update_sql : cn);
			tval *wp = write_param(e, c);
			tv_sets(a, wp, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
			tv_push(a, wcols, wp);
			tv_push(a, params, wp);
		}
		if (t->version_col) {
			const char *vn = sql_ident(a, t->version_col->name);
			buf_printf(&set, "%s%s = %s + 1", set.len ? ", " : "", vn, vn);
		}
		for (size_t k = 0; k < t->pk->cols.n; k++)
			tv_push(a, params, write_param(e, t->pk->cols.items[k]));
		const char *key_where = where_keys(e, &t->pk->cols, n + 1);
		const char *where = key_where;
		n += (int)t->pk->cols.n;
		if (t->version_col) {
			tv_push(a, params, write_param(e, t->version_col));
			where = arena_printf(a, "%s AND %s = $%d", where, sql_ident(a, t->version_col->name), ++n);
		}
		if (set.len) {
			const char *usql = arena_printf(a, "UPDATE %s SET %s WHERE %s RETURNING %s", tn, set.data, where,
			                                select_list);
			tv_sets(a, upd, "sql", c_string(e, usql));
			/* in a batch the check for a stale version cannot wait for a
			 * second statement: the row comes with true when written, the
			 * row as it was (the statement's snapshot) with false when the
			 * key is there with another version, nothing without the key */
			tv_sets(a, upd, "batch_sql",
			        t->version_col ? c_string(e, arena_printf(a,
			                                  "WITH mc_upd AS (%s) SELECT %s, true FROM mc_upd UNION ALL "
			                                  "SELECT %s, false FROM %s WHERE %s AND NOT EXISTS (SELECT 1 FROM mc_upd)",
			                                  usql, select_list, select_list, tn, key_where))
			                   : c_string(e, usql));
			tv_sets(a, upd, "nparams", arena_printf(a, "%d", n));
			tv_set(a, upd, "params", params);
			tv_sets(a, upd, "all", arena_printf(a, "((uint64_t)%lluu)", (unsigned long long)all));
			tv_setb(a, upd, "versioned", t->version_col != NULL);
			tv_sets(a, upd, "exists_sql", c_string(e, arena_printf(a, "SELECT 1 FROM %s WHERE %s", tn,
			                                                       where_keys(e, &t->pk->cols, 1))));
			tval *keyp = tv_list(a);
			for (size_t k = 0; k < t->pk->cols.n; k++)
				tv_push(a, keyp, write_param(e, t->pk->cols.items[k]));
			tv_set(a, upd, "key_params", keyp);
			tv_sets(a, upd, "key_nparams", arena_printf(a, "%zu", t->pk->cols.n));
			/* the variants (mc_exec_write): key (and version) parameters
			 * first, then the columns written */
			tv_set(a, upd, "wcols", wcols);
			tv_sets(a, upd, "version_param", t->version_col
			                                     ? param_call(e, t->version_col, "&p",
			                                                  arena_printf(a, "in->%s", t->version_col->c_name))
			                                     : NULL);
			const char *vwhere = where_keys(e, &t->pk->cols, 1);
			if (t->version_col)
				vwhere = arena_printf(a, "%s AND %s = $%zu", vwhere, sql_ident(a, t->version_col->name),
				                      t->pk->cols.n + 1);
			tv_sets(a, upd, "w_where", c_string(e, arena_printf(a, " WHERE %s", vwhere)));
			tv_sets(a, upd, "w_nkeys", arena_printf(a, "%zu", t->pk->cols.n + (t->version_col ? 1 : 0)));
			const char *k0 = sql_ident(a, ((m_column *)t->pk->cols.items[0])->name);
			tv_sets(a, upd, "w_touch", c_string(e, arena_printf(a, "%s = %s", k0, k0)));
			tv_sets(a, upd, "w_tail", t->version_col
			                              ? c_string(e, arena_printf(a, "%s = %s + 1",
			                                                         sql_ident(a, t->version_col->name),
			                                                         sql_ident(a, t->version_col->name)))
			                              : "NULL");
			tv_set(a, x, "update", upd);
		} else {
			tv_setb(a, x, "update", false);
		}
		buf_free(&set);
	} else {
		tv_setb(a, x, "update", false);
	}
	tv_setb(a, x, "soft_delete", t->soft_delete_at != NULL);

	/* bulk: COPY for speed; INSERT ... SELECT FROM unnest(one array per
	 * column) when the stored rows must come back (not for array columns:
	 * unnest would flatten them) */
	tval *copy_cols = tv_list(a), *many_cols = tv_list(a);
	buf mnames, msel, munnest;
	buf_init(&mnames);
	buf_init(&msel);
	buf_init(&munnest);
	bool many_ok = true;
	size_t copy_size = strlen(tn) + 32;
	int mp = has_mask ? 1 : 0, ai = 0;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (c->identity || c->generated_sql)
			continue;
		const char *cn = sql_ident(a, c->name);
		const char *dflt = c->default_sql;
		if (!dflt && is_serial(c))
			dflt = arena_printf(a, "nextval(pg_get_serial_sequence(%s, %s))", sql_literal(a, tn),
			                    sql_literal(a, c->name));
		tval *d = tv_dict(a);
		tv_sets(a, d, "index", arena_printf(a, "%zu", k));
		tv_sets(a, d, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_setb(a, d, "has_default", dflt != NULL);
		tv_sets(a, d, "null_flag", c->c_null);
		tv_sets(a, d, "param", param_call(e, c, "&p", arena_printf(a, "rows[i].%s", c->c_name)));
		tv_sets(a, d, "elem_param", param_call(e, c, "&el_", arena_printf(a, "rows[i].%s", c->c_name)));
		tv_push(a, copy_cols, d);
		tv_push(a, many_cols, d);
		copy_size += strlen(cn) + 2;
		if (c->type.array_dims)
			many_ok = false;
		ai++;
		mp++;
		buf_printf(&mnames, "%s%s", mnames.len ? ", " : "", cn);
		if (dflt)
			buf_printf(&msel, "%sCASE WHEN ($1::int8 & %llu) <> 0 THEN u.a%d ELSE %s END", msel.len ? ", " : "",
			           (unsigned long long)1 << k, ai, dflt);
		else
			buf_printf(&msel, "%su.a%d", msel.len ? ", " : "", ai);
		buf_printf(&munnest, "%s$%d::%s[]", munnest.len ? ", " : "", mp, cast_type(e, c));
	}
	tv_set(a, x, "copy_cols", copy_cols);
	tv_sets(a, x, "copy_size", arena_printf(a, "%zu", copy_size));
	tv_sets(a, x, "copy_prefix", c_string(e, arena_printf(a, "COPY %s (", tn)));
	if (many_ok && ai > 0) {
		buf alias;
		buf_init(&alias);
		for (int i = 1; i <= ai; i++)
			buf_printf(&alias, "a%d, ", i);
		tval *m = tv_dict(a);
		tv_sets(a, m, "sql", c_string(e, arena_printf(a,
		        "INSERT INTO %s AS mc_row (%s) SELECT %s FROM unnest(%s) WITH ORDINALITY AS u(%sord) ORDER BY u.ord "
		        "RETURNING %s", tn, mnames.data, msel.data, munnest.data, alias.data, select_list)));
		tv_sets(a, m, "nparams", arena_printf(a, "%d", mp));
		tv_set(a, m, "cols", many_cols);
		tv_set(a, x, "many", m);
		buf_free(&alias);
	} else {
		tv_setb(a, x, "many", false);
	}
	buf_free(&mnames);
	buf_free(&msel);
	buf_free(&munnest);

	/* the table descriptor and typed query builder */
	tval *desc_cols = tv_list(a);
	bool has_on_update = false;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		tval *d = tv_dict(a);
		tv_sets(a, d, "sql", c_string(e, sql_ident(a, c->name)));
		tv_sets(a, d, "cast", c_string(e, cast_type(e, c)));
		tv_sets(a, d, "index", arena_printf(a, "%zu", k));
		tv_sets(a, d, "name", c->c_name);
		tv_sets(a, d, "type", c_arg_type(e, c));
		tv_sets(a, d, "param", param_call(e, c, "v_", "v"));
		tv_sets(a, d, "elem_param", param_call(e, c, "&elems", "v[i]"));
		tv_sets(a, d, "row_param", param_call(e, c, "v_", arena_printf(a, "last->%s", c->c_name)));
		tv_setb(a, d, "nullable", !c->not_null);
		tv_setb(a, d, "in_list", c->type.array_dims == 0);   /* IN of arrays would need nested literals */
		bool text = c->type.kind == T_TEXT || c->type.kind == T_VARCHAR || c->type.kind == T_CHAR ||
		            (c->type.kind == T_OTHER && strcmp(c->type.sql, "citext") == 0);
		tv_setb(a, d, "text", text);
		tv_sets(a, d, "on_update", c->on_update_sql ? c_string(e, c->on_update_sql) : "NULL");
		tv_push(a, desc_cols, d);
		if (c->on_update_sql)
			has_on_update = true;
	}
	tv_set(a, x, "desc_cols", desc_cols);
	tv_setb(a, x, "has_on_update", has_on_update);
	tv_sets(a, x, "table_sql", c_string(e, tn));
	tv_sets(a, x, "select_sql", c_string(e, select_list));
	tv_sets(a, x, "ncols", arena_printf(a, "%zu", t->columns.n));
	int sd_at = -1, sd_flag = -1;
	for (size_t k = 0; k < t->columns.n; k++) {
		if (t->columns.items[k] == t->soft_delete_at)
			sd_at = (int)k;
		if (t->columns.items[k] == t->soft_delete_flag)
			sd_flag = (int)k;
	}
	tv_sets(a, x, "sd_at", arena_printf(a, "%d", sd_at));
	tv_sets(a, x, "sd_flag", arena_printf(a, "%d", sd_flag));
	tv_sets(a, x, "tbl_binary", table_binary(t) ? "1" : "0");
	/* update_where writes like update, minus keys and versions */
	tval *uw = tv_list(a);
	uint64_t uw_all = 0;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (c->identity || c->generated_sql || c->primary_key || c->is_version)
			continue;
		uw_all |= (uint64_t)1 << k;
		tval *d = tv_dict(a);
		tv_sets(a, d, "index", arena_printf(a, "%zu", k));
		tv_sets(a, d, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_sets(a, d, "null_flag", c->c_null);
		tv_sets(a, d, "param", param_call(e, c, "&set", arena_printf(a, "in->%s", c->c_name)));
		tv_push(a, uw, d);
	}
	tv_set(a, x, "uw_cols", uw);
	/* increment_where: the numeric columns update_where writes */
	tval *inc = tv_list(a);
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (c->identity || c->generated_sql || c->primary_key || c->is_version || c->type.array_dims)
			continue;
		switch (c->type.kind) {
		case T_SMALLINT: case T_INTEGER: case T_BIGINT: case T_REAL: case T_DOUBLE: case T_NUMERIC:
			break;
		default:
			continue;
		}
		tval *d = tv_dict(a);
		tv_sets(a, d, "index", arena_printf(a, "%zu", k));
		tv_sets(a, d, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_sets(a, d, "param", param_call(e, c, "&set", arena_printf(a, "deltas->%s", c->c_name)));
		tv_push(a, inc, d);
	}
	tv_set(a, x, "inc_cols", inc);
	tv_setb(a, x, "increment", tv_len(inc) > 0);
	/* 'on update' columns: the expression applies unless the caller writes them */
	tval *onupd = tv_list(a);
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (!c->on_update_sql)
			continue;
		tval *d = tv_dict(a);
		tv_sets(a, d, "bit", arena_printf(a, "%s_%s", up, str_upper(a, c_word(a, c->name))));
		tv_sets(a, d, "piece", c_string(e, arena_printf(a, "%s = %s", sql_ident(a, c->name), c->on_update_sql)));
		tv_push(a, onupd, d);
	}
	tv_set(a, x, "on_update_cols", onupd);
	if (t->soft_delete_at)
		tv_sets(a, x, "soft_set_sql",
		        c_string(e, t->soft_delete_flag
		                        ? arena_printf(a, "%s = now(), %s = true", sql_ident(a, t->soft_delete_at->name),
		                                       sql_ident(a, t->soft_delete_flag->name))
		                        : arena_printf(a, "%s = now()", sql_ident(a, t->soft_delete_at->name))));
	tv_sets(a, x, "version_piece",
	        t->version_col ? c_string(e, arena_printf(a, "%s = %s + 1", sql_ident(a, t->version_col->name),
	                                                 sql_ident(a, t->version_col->name)))
	                       : NULL);
	tv_sets(a, x, "uw_all", arena_printf(a, "((uint64_t)%lluu)", (unsigned long long)uw_all));
	/* room for every 'on update' and version assignment, with separators */
	size_t need = 1;
	for (size_t k = 0; k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		if (c->on_update_sql)
			need += strlen(sql_ident(a, c->name)) + strlen(c->on_update_sql) + 5;
		else if (c->is_version)
			need += 2 * strlen(sql_ident(a, c->name)) + 9;
	}
	tv_sets(a, x, "set_sql_size", arena_printf(a, "%zu", need));

	tv_set(a, x, "pk", t->pk ? key_value(e, &t->pk->cols, "", select_list, t) : tv_bool(a, false));
	tval *uniq = tv_list(a);
	for (size_t k = 0; k < t->uniques.n; k++) {
		m_key *u = t->uniques.items[k];
		tv_push(a, uniq, key_value(e, &u->cols, key_suffix(e, &u->cols), select_list, t));
	}
	tv_set(a, x, "uniques", uniq);

	tval *rels = tv_list(a), *jrels = tv_list(a), *srels = tv_list(a), *jmrels = tv_list(a);
	unsigned defaults = 0, joined = 0, subs = 0, jmany = 0;
	size_t sel_size = 1, join_size = 1;
	for (size_t k = 0; k < t->rels.n && k < 31; k++) {
		m_rel *r = t->rels.items[k];
		if (r->target->columns.n > 64)
			continue;
		tval *j = NULL, *sq = NULL;
		tv_push(a, rels, rel_value(e, t, r, (int)k, &j, &sel_size, &join_size, &sq));
		if (sq) {
			subs |= 1u << k;
			tv_push(a, srels, sq);
		}
		if (r->load != LOAD_LAZY)
			defaults |= 1u << k;
		if (j && (r->kind == REL_HAS_MANY || r->kind == REL_MANY_TO_MANY)) {
			jmany |= 1u << k;
			tv_push(a, jmrels, j);
		} else if (j) {
			joined |= 1u << k;
			tv_push(a, jrels, j);
		}
	}
	tv_set(a, x, "rels", rels);
	tv_set(a, x, "joined_rels", jrels);
	tv_setb(a, x, "has_joined", (joined | jmany) != 0);
	tv_set(a, x, "jmany_rels", jmrels);
	if (jmany) {
		buf pkc;
		buf_init(&pkc);
		for (size_t i = 0; i < t->pk->cols.n; i++) {
			size_t at = 0;
			for (size_t k = 0; k < t->columns.n; k++)
				if (t->columns.items[k] == t->pk->cols.items[i])
					at = k;
			buf_printf(&pkc, "%s%zu", i ? ", " : "", at);
		}
		tv_sets(a, x, "jm_pk_cols", arena_strndup(a, pkc.data, pkc.len));
		tv_sets(a, x, "jm_npk", arena_printf(a, "%zu", t->pk->cols.n));
		buf_free(&pkc);
	}
	tv_setb(a, x, "has_jmany", jmany != 0);
	tv_sets(a, x, "joined_any_mask", arena_printf(a, "%uu", joined | jmany));
	tv_set(a, x, "sub_rels", srels);
	tv_setb(a, x, "has_sub", subs != 0);
	tv_sets(a, x, "nsub", arena_printf(a, "%zu", tv_len(srels)));
	tv_setb(a, x, "has_joined_or_sub", (joined | jmany | subs) != 0);
	tv_sets(a, x, "sub_mask", arena_printf(a, "%uu", subs));
	tv_sets(a, x, "joined_mask", arena_printf(a, "%uu", joined));
	tv_sets(a, x, "joined_sel_size", arena_printf(a, "%zu", sel_size));
	tv_sets(a, x, "joined_join_size", arena_printf(a, "%zu", join_size));
	tv_sets(a, x, "load_default", arena_printf(a, "%uu", defaults));
	return x;
}

static tval *constraints_value(emitter *e)
{
	arena *a = e->a;
	tval *list = tv_list(a);
#define ADD(obj_)                                                        \
	do {                                                                 \
		tval *x_ = tv_dict(a);                                           \
		tv_sets(a, x_, "const", (obj_)->c_const);                        \
		tv_sets(a, x_, "literal", c_literal(a, (obj_)->name));           \
		tv_push(a, list, x_);                                            \
	} while (0)
	for (size_t i = 0; i < e->m->tables.n; i++) {
		m_table *t = e->m->tables.items[i];
		if (t->pk)
			ADD(t->pk);
		for (size_t k = 0; k < t->uniques.n; k++)
			ADD((m_key *)t->uniques.items[k]);
		for (size_t k = 0; k < t->indexes.n; k++)
			if (((m_index *)t->indexes.items[k])->unique)
				ADD((m_index *)t->indexes.items[k]);
		for (size_t k = 0; k < t->fks.n; k++)
			ADD((m_fk *)t->fks.items[k]);
		for (size_t k = 0; k < t->checks.n; k++)
			ADD((m_check *)t->checks.items[k]);
	}
#undef ADD
	return list;
}

static tval *c_context(emitter *e, const char *file)
{
	arena *a = e->a;
	const model *m = e->m;
	tval *root = tv_dict(a);
	set_common(e, root, file);

	/* enum arrays are declared only when a column needs them */
	tval *enums = tv_list(a);
	for (size_t i = 0; i < m->enums.n; i++) {
		m_enum *en = m->enums.items[i];
		bool array = false;
		for (size_t t = 0; t < m->tables.n; t++) {
			m_table *tb = m->tables.items[t];
			for (size_t k = 0; k < tb->columns.n; k++) {
				m_column *c = tb->columns.items[k];
				if (c->type.kind == T_ENUM && c->type.en == en && c->type.array_dims == 1)
					array = true;
			}
		}
		tval *x = tv_dict(a);
		tv_sets(a, x, "c_name", en->c_name);
		tv_sets(a, x, "count", arena_printf(a, "%zu", en->labels.n));
		tv_sets(a, x, "count_macro", en->c_count);
		tv_set(a, x, "doc", doc_value(e, en->doc));
		tv_setb(a, x, "array", array);
		tval *labels = tv_list(a);
		size_t w = 0;
		const char **consts = (const char **)en->c_consts.items;
		for (size_t k = 0; k < en->labels.n; k++) {
			size_t l = strlen(consts[k]) + snprintf(NULL, 0, "%zu", k);
			w = l > w ? l : w;
		}
		for (size_t k = 0; k < en->labels.n; k++) {
			tval *l = tv_dict(a);
			tv_sets(a, l, "const", consts[k]);
			size_t len = strlen(consts[k]) + snprintf(NULL, 0, "%zu", k);
			tv_sets(a, l, "pad", spaces(a, w - len + 1));
			const char *lit = sql_literal(a, en->labels.items[k]);
			for (char *p = (char *)lit; *p; p++)
				if (p[0] == '*' && p[1] == '/')
					p[1] = '|';
			tv_sets(a, l, "literal", lit);
			tv_sets(a, l, "c_literal", c_literal(a, en->labels.items[k]));
			tv_push(a, labels, l);
		}
		tv_set(a, x, "labels", labels);
		tv_push(a, enums, x);
	}
	tv_set(a, root, "enums", enums);

	tval *tables = tv_list(a);
	for (size_t i = 0; i < m->tables.n; i++) {
		m_table *t = m->tables.items[i];
		tval *x = tv_dict(a);
		tv_sets(a, x, "name", t->name);
		tv_sets(a, x, "struct", arena_printf(a, "%s_%s", e->prefix, t->c_struct));
		tv_set(a, x, "doc", doc_value(e, t->doc));
		tv_set(a, x, "members", struct_members(e, t));
		/* not yet: more than 64 columns (the column bit masks) */
		bool access = t->columns.n <= 64;
		tv_set(a, x, "access", access ? access_value(e, t) : tv_bool(a, false));
		tv_push(a, tables, x);
	}
	tv_set(a, root, "tables", tables);
	tv_setb(a, root, "has_tables", tv_len(tables) > 0);
	tv_sets(a, root, "constraint_enum", m->c_constraint);
	tv_sets(a, root, "constraint_count", arena_printf(a, "%s_CONSTRAINT_COUNT", str_upper(a, e->prefix)));
	tv_set(a, root, "constraints", constraints_value(e));
	return root;
}

static int render(emitter *e, const char *tmpl, tval *ctx, emit_file *out)
{
	uint32_t file;
	int errors = e->d->errors;
	if (find_template(e, e->d, tmpl, &file) != 0) {
		if (e->d->errors == errors)   /* not already explained */
			diag_error(e->d, LOC_NONE, "template '%s' not found", tmpl);
		return -1;
	}
	return tmpl_render(e->d, file, ctx, find_template, e, &out->content);
}

int emit_all(diag_ctx *d, const model *m, const emit_opts *opts, emit_file files[EMIT_NFILES])
{
	emitter e = { d, d->a, m, opts, m->c_prefix };
	for (int i = 0; i < EMIT_NFILES; i++)
		buf_init(&files[i].content);
	files[EMIT_HEADER].name = arena_printf(d->a, "%s.h", m->name);
	files[EMIT_SOURCE].name = arena_printf(d->a, "%s.c", m->name);
	files[EMIT_SQL].name = arena_printf(d->a, "%s.sql", m->name);
	int rc = 0;
	rc |= render(&e, "header.h", c_context(&e, files[EMIT_HEADER].name), &files[EMIT_HEADER]);
	rc |= render(&e, "source.c", c_context(&e, files[EMIT_SOURCE].name), &files[EMIT_SOURCE]);
	rc |= render(&e, "schema.sql", sql_context(&e), &files[EMIT_SQL]);
	return rc ? -1 : 0;
}

/* test_pg.c - the DDL generated for every example, run on a real PostgreSQL
 * server and compared with the model through the system catalog.
 *
 * For every examples/NAME.model:
 *   1. a fresh database modelc_pg_NAME is created (dropped first when it
 *      exists);
 *   2. $MODELC_BUILD/examples/NAME.sql (written by the build) is executed as
 *      one PQexec; it must succeed without an error and without a notice;
 *   3. the model is loaded with model_load() from the compiler library and
 *      the catalog is queried:
 *        - extensions and enum types (labels in order, COMMENT ON TYPE);
 *        - exactly the model's tables, no others;
 *        - per table: exactly the model's columns in the model's order, with
 *          the type format_type() shows (see pg_type_spelling), NOT NULL,
 *          identity / generated / default as declared, COMMENT ON COLUMN;
 *        - every constraint the model names (primary key, unique, foreign
 *          key, check), with the right kind, on the right table and columns;
 *          foreign keys with the right target table, columns and ON DELETE /
 *          ON UPDATE actions; check constraints on the columns their
 *          expression mentions; no constraint the model does not have;
 *        - every index with its uniqueness, access method, key columns or
 *          expressions, operator classes, sort order, INCLUDE columns and
 *          predicate (partial or not), COMMENT ON INDEX; no index other
 *          than these and the ones backing primary key / unique constraints;
 *        - COMMENT ON TABLE, and no comment where the model has no doc;
 *        - one sequence per serial / identity column, no triggers of our own.
 * Then hand-written behaviour checks for blog, shop and ledger (constraint
 * violations with their SQLSTATE and constraint name, cascades, generated
 * columns). Every database is dropped at the end.
 *
 * Connection parameters (host, port, user) come from the PG* environment
 * that tests/run.sh exports. */
#include "testutil.h"

#include <ctype.h>
#include "model.h"
#include "pgutil.h"

/* ---- connections and databases ----------------------------------------- */

static const char *admin_db(void)
{
	const char *d = tu_env("PGDATABASE", "postgres");
	return strncmp(d, "modelc_pg_", 10) == 0 ? "postgres" : d;
}

/* Notices are kept: generated DDL on a fresh database must not raise any
 * (e.g. PostgreSQL truncating a name longer than 63 bytes is a NOTICE). */
static void keep_notice(void *arg, const char *msg)
{
	buf *b = arg;
	buf_puts(b, msg);
}

/* Runs a query with text parameters; fails the test when it does not return
 * rows. The caller clears the result. */
static PGresult *query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("catalog query failed");
	}
	return r;
}

static const char *val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* The first value of a one-row query, copied (caller frees); NULL for NULL. */
static char *scalar(PGconn *c, const char *sql)
{
	PGresult *r = query(c, sql, 0, NULL);
	if (PQntuples(r) != 1) {
		PQclear(r);
		fail_msg("expected one row from: %s", sql);
	}
	const char *v = val(r, 0, 0);
	char *s = v ? strdup(v) : NULL;
	PQclear(r);
	return s;
}

static void assert_scalar(PGconn *c, const char *sql, const char *want)
{
	char *got = scalar(c, sql);
	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "%s\n  gave '%s', expected '%s'\n", sql, got ? got : "(null)", want);
		free(got);
		fail_msg("unexpected value");
	}
	free(got);
}

/* The statement must fail with this SQLSTATE and (when given) this
 * constraint name. */
static void expect_error(PGconn *c, const char *sql, const char *sqlstate, const char *constraint)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_FATAL_ERROR) {
		PQclear(r);
		fail_msg("expected SQLSTATE %s, but this succeeded: %s", sqlstate, sql);
	}
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *cn = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	bool ok = st && strcmp(st, sqlstate) == 0 && (!constraint || (cn && strcmp(cn, constraint) == 0));
	if (!ok) {
		fprintf(stderr, "%s\n  failed with SQLSTATE %s, constraint %s: %s  expected SQLSTATE %s, constraint %s\n", sql,
		        st ? st : "-", cn ? cn : "-", PQresultErrorMessage(r), sqlstate, constraint ? constraint : "-");
		PQclear(r);
		fail_msg("wrong error");
	}
	PQclear(r);
}

static void db_name(char *out, size_t n, const char *example, const char *suffix)
{
	snprintf(out, n, "modelc_pg_%s%s%s", example, suffix ? "_" : "", suffix ? suffix : "");
	for (char *p = out; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
}

static void drop_db(PGconn *admin, const char *db)
{
	char *id = PQescapeIdentifier(admin, db, strlen(db));
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
	PQfreemem(id);
	exec_ok(admin, sql);
}

/* A new empty database (dropped first if it exists), remembered so that the
 * group teardown drops it; returns a connection to it. */
static PGconn *fresh_db(const char *example, const char *suffix)
{
	char db[64];
	db_name(db, sizeof db, example, suffix);
	PGconn *admin = connect_db(admin_db());
	drop_db(admin, db);
	char *id = PQescapeIdentifier(admin, db, strlen(db));
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", id);
	PQfreemem(id);
	exec_ok(admin, sql);
	finish(admin);
	bool known = false;
	for (int i = 0; i < ncreated; i++)
		known = known || strcmp(created_dbs[i], db) == 0;
	if (!known && ncreated < 32)
		snprintf(created_dbs[ncreated++], sizeof created_dbs[0], "%s", db);
	return connect_db(db);
}

/* Executes the generated NAME.sql as one PQexec: it must succeed, with no
 * error message and no notice. */
static void load_sql(PGconn *c, const char *example)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/%s.sql", tu_env("MODELC_BUILD", "build-san"), example);
	char *sql = tu_read(path, NULL);
	if (!sql)
		fail_msg("missing %s (the build writes it: make SANITIZE=1 test-bins)", path);
	buf notices;
	buf_init(&notices);
	PQsetNoticeProcessor(c, keep_notice, &notices);
	PGresult *r = PQexec(c, sql);
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	free(sql);
	ExecStatusType st = PQresultStatus(r);
	const char *err = PQresultErrorMessage(r);
	if (st != PGRES_COMMAND_OK || (err && *err)) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		fprintf(stderr, "    %s: %s failed (%s, SQLSTATE %s): %s", example, path, PQresStatus(st), state ? state : "-",
		        err);
		PQclear(r);
		buf_free(&notices);
		fail_msg("%s.sql does not run on PostgreSQL", example);
	}
	PQclear(r);
	if (notices.len) {
		fprintf(stderr, "    %s: %s raised notices on a fresh database:\n%s", example, path, buf_cstr(&notices));
		buf_free(&notices);
		fail_msg("%s.sql raised notices", example);
	}
	buf_free(&notices);
}

/* ---- the model ------------------------------------------------------------ */

/* Reads a file into the arena, like the loader of src/main.c. */
static int file_loader(void *ctx, arena *a, const char *path, const char **text, size_t *len, const char **err)
{
	(void)ctx;
	size_t n;
	char *data = tu_read(path, &n);
	if (!data) {
		*err = arena_strdup(a, strerror(errno));
		return -1;
	}
	*text = arena_strndup(a, data, n);
	*len = n;
	free(data);
	return 0;
}

typedef struct loaded {
	arena a;
	diag_ctx d;
	model *m;
} loaded;

static loaded *current_model;   /* released by the teardown after a failure */

static void load_model(loaded *L, const char *example)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/%s.model", tu_root(), example);
	arena_init(&L->a);
	diag_init(&L->d, &L->a);
	current_model = L;
	L->m = model_load(&L->d, path, file_loader, NULL);
	if (!L->m || L->d.errors) {
		fprintf(stderr, "%s", buf_cstr(&L->d.out));
		fail_msg("model_load(%s) failed", path);
	}
}

static void unload_model(loaded *L)
{
	diag_dispose(&L->d);
	arena_free(&L->a);
	current_model = NULL;
}

/* ---- comparing ------------------------------------------------------------ */

typedef struct checker {
	const char *example;
	PGconn *c;
	arena *a;
	int errors;
} checker;

static void bad(checker *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(checker *x, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "    %s: ", x->example);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	x->errors++;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *show(const char *s) { return s ? s : "(none)"; }

/* Column names joined with the unit separator, as the catalog queries below
 * aggregate them. */
static const char *join_names(arena *a, const vec *cols)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < cols->n; i++) {
		if (i)
			buf_putc(&b, '\x1f');
		buf_puts(&b, ((m_column *)cols->items[i])->name);
	}
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* For messages: the unit separator shown as ", ". */
static const char *pretty(arena *a, const char *s)
{
	if (!s)
		return "(none)";
	char *r = arena_strdup(a, s);
	buf b;
	buf_init(&b);
	for (char *p = r; *p; p++) {
		if (*p == '\x1f')
			buf_puts(&b, ", ");
		else
			buf_putc(&b, *p);
	}
	r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* How format_type(atttypid, atttypmod) spells the column type the model
 * declares. The model's canonical type (m_type.sql) is the SQL spelling the
 * DDL uses; PostgreSQL reports:
 *   smallserial / serial / bigserial  smallint / integer / bigint (the
 *                                     serial part is a nextval() default and
 *                                     an owned sequence, checked apart)
 *   varchar(n), varchar               character varying(n), character varying
 *   char(n), char                     character(n), character(1)
 *   numeric(p), numeric(p,s)          numeric(p,0), numeric(p,s)
 *   time(p) / timetz(p)               time(p) without / with time zone
 *   timestamp(p) / timestamptz(p)     timestamp(p) without / with time zone
 *   interval(p)                       interval(p)
 *   bit, bit(n), varbit, bit varying  bit(1), bit(n), bit varying
 *   an enum                           its name, quoted as quote_ident() does
 *   any array (any number of [])      the element type and one "[]"
 *   everything else                   the canonical name unchanged (boolean,
 *                                     real, double precision, text, bytea,
 *                                     uuid, date, json, jsonb, inet, citext,
 *                                     tsvector, ...) */
static const char *pg_type_spelling(checker *x, const m_type *t)
{
	arena *a = x->a;
	char p[64] = "";
	if (t->nparams == 1)
		snprintf(p, sizeof p, "(%ld)", t->p[0]);
	const char *s = NULL;
	switch (t->kind) {
	case T_SMALLINT: case T_SMALLSERIAL: s = "smallint"; break;
	case T_INTEGER: case T_SERIAL: s = "integer"; break;
	case T_BIGINT: case T_BIGSERIAL: s = "bigint"; break;
	case T_BOOLEAN: s = "boolean"; break;
	case T_REAL: s = "real"; break;
	case T_DOUBLE: s = "double precision"; break;
	case T_NUMERIC:
		s = t->nparams == 0 ? "numeric" : arena_printf(a, "numeric(%ld,%ld)", t->p[0], t->nparams == 2 ? t->p[1] : 0L);
		break;
	case T_TEXT: s = "text"; break;
	case T_VARCHAR: s = arena_printf(a, "character varying%s", p); break;
	case T_CHAR: s = arena_printf(a, "character%s", t->nparams ? p : "(1)"); break;
	case T_BYTEA: s = "bytea"; break;
	case T_UUID: s = "uuid"; break;
	case T_DATE: s = "date"; break;
	case T_TIME: s = arena_printf(a, "time%s without time zone", p); break;
	case T_TIMETZ: s = arena_printf(a, "time%s with time zone", p); break;
	case T_TIMESTAMP: s = arena_printf(a, "timestamp%s without time zone", p); break;
	case T_TIMESTAMPTZ: s = arena_printf(a, "timestamp%s with time zone", p); break;
	case T_INTERVAL: s = arena_printf(a, "interval%s", p); break;
	case T_JSON: s = "json"; break;
	case T_JSONB: s = "jsonb"; break;
	case T_INET: s = "inet"; break;
	case T_ENUM: {
		const char *params[] = { t->en->name };
		PGresult *r = query(x->c, "SELECT quote_ident($1)", 1, params);
		s = arena_strdup(a, PQgetvalue(r, 0, 0));
		PQclear(r);
		break;
	}
	case T_OTHER: {
		size_t n = strcspn(t->sql, "([");
		const char *base = arena_strndup(a, t->sql, n);
		if (strcmp(base, "varbit") == 0)
			base = "bit varying";
		if (strcmp(base, "bit") == 0 && !t->nparams)
			s = "bit(1)";
		else
			s = arena_printf(a, "%s%s", base, p);
		break;
	}
	}
	if (t->array_dims)
		s = arena_printf(a, "%s[]", s);
	return s;
}

static bool is_serial_kind(m_type_kind k)
{
	return k == T_SMALLSERIAL || k == T_SERIAL || k == T_BIGSERIAL;
}

/* The columns of t that an SQL expression (as written into the DDL) refers
 * to, in table order and joined like join_names(): the words outside string
 * literals that are not function names (followed by '(') or type names
 * (after '::'), bare words folded to lower case as PostgreSQL does, quoted
 * ones as they are. This is an independent reading of the expression, to
 * compare with the columns PostgreSQL records for a check constraint. */
static const char *expr_columns(arena *a, const m_table *t, const char *sql)
{
	bool *used = arena_alloc(a, t->columns.n + 1);
	bool after_cast = false;
	const char *p = sql;
	while (*p) {
		if (*p == '\'') {
			for (p++; *p; p++)
				if (*p == '\'') {
					if (p[1] != '\'') {
						p++;
						break;
					}
					p++;
				}
			after_cast = false;
			continue;
		}
		if (p[0] == ':' && p[1] == ':') {
			after_cast = true;
			p += 2;
			continue;
		}
		buf w;
		buf_init(&w);
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"') {
					if (p[1] != '"') {
						p++;
						break;
					}
					p++;
				}
				buf_putc(&w, *p);
			}
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '$')
				buf_putc(&w, (char)tolower((unsigned char)*p++));
		} else {
			if (!isspace((unsigned char)*p))
				after_cast = false;
			p++;
			buf_free(&w);
			continue;
		}
		const char *q = p;
		while (isspace((unsigned char)*q))
			q++;
		bool function = *q == '(';
		if (!function && !after_cast) {
			for (size_t i = 0; i < t->columns.n; i++)
				if (strcmp(((m_column *)t->columns.items[i])->name, buf_cstr(&w)) == 0)
					used[i] = true;
		}
		buf_free(&w);
	}
	vec cols;
	memset(&cols, 0, sizeof cols);
	for (size_t i = 0; i < t->columns.n; i++)
		if (used[i])
			vec_push(a, &cols, t->columns.items[i]);
	return join_names(a, &cols);
}

static char fk_action_code(ast_fk_action act)
{
	switch (act) {
	case FK_NONE: case FK_NO_ACTION: return 'a';
	case FK_RESTRICT: return 'r';
	case FK_CASCADE: return 'c';
	case FK_SET_NULL: return 'n';
	case FK_SET_DEFAULT: return 'd';
	}
	return '?';
}

/* ---- catalog checks --------------------------------------------------------- */

/* Objects that belong to an extension (pg_trgm's functions, citext's type,
 * ...) are not the model's and are left out of every "no extra" count. */
#define NOT_EXT_MEMBER(classid, objid) \
	" NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '" classid "'::regclass AND dep.objid = " objid \
	" AND dep.deptype = 'e') "

static void check_extensions(checker *x, const model *m)
{
	for (size_t i = 0; i < m->extensions.n; i++) {
		const char *params[] = { m->extensions.items[i] };
		PGresult *r = query(x->c, "SELECT 1 FROM pg_extension WHERE extname = $1", 1, params);
		if (PQntuples(r) != 1)
			bad(x, "extension %s is not installed", (const char *)m->extensions.items[i]);
		PQclear(r);
	}
	PGresult *r = query(x->c, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", 0, NULL);
	if ((size_t)PQntuples(r) != m->extensions.n)
		bad(x, "%d extensions installed, the model asks for %zu", PQntuples(r), m->extensions.n);
	PQclear(r);
}

static void check_enums(checker *x, const model *m)
{
	PGresult *r = query(x->c,
		"SELECT t.typname, obj_description(t.oid, 'pg_type'),"
		"       (SELECT string_agg(e.enumlabel, chr(31) ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)"
		"  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
		" WHERE n.nspname = 'public' AND t.typtype = 'e' AND" NOT_EXT_MEMBER("pg_type", "t.oid"), 0, NULL);
	int rows = PQntuples(r);
	bool *seen = arena_alloc(x->a, (size_t)rows + 1);
	for (size_t i = 0; i < m->enums.n; i++) {
		m_enum *en = m->enums.items[i];
		int row = -1;
		for (int k = 0; k < rows; k++)
			if (strcmp(PQgetvalue(r, k, 0), en->name) == 0)
				row = k;
		if (row < 0) {
			bad(x, "enum type %s is missing", en->name);
			continue;
		}
		seen[row] = true;
		buf b;
		buf_init(&b);
		for (size_t k = 0; k < en->labels.n; k++) {
			if (k)
				buf_putc(&b, '\x1f');
			buf_puts(&b, en->labels.items[k]);
		}
		if (!str_eq(val(r, row, 2), buf_cstr(&b)))
			bad(x, "enum %s has labels (%s), the model (%s)", en->name, pretty(x->a, val(r, row, 2)),
			    pretty(x->a, buf_cstr(&b)));
		buf_free(&b);
		if (!str_eq(val(r, row, 1), en->doc))
			bad(x, "enum %s: comment '%s', doc '%s'", en->name, show(val(r, row, 1)), show(en->doc));
	}
	for (int k = 0; k < rows; k++)
		if (!seen[k])
			bad(x, "enum type %s is not in the model", PQgetvalue(r, k, 0));
	PQclear(r);
}

static void check_table_set(checker *x, const model *m)
{
	PGresult *r = query(x->c,
		"SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND" NOT_EXT_MEMBER("pg_class", "c.oid"),
		0, NULL);
	for (int k = 0; k < PQntuples(r); k++) {
		bool found = false;
		for (size_t i = 0; i < m->tables.n; i++)
			found = found || strcmp(((m_table *)m->tables.items[i])->name, PQgetvalue(r, k, 0)) == 0;
		if (!found)
			bad(x, "relation %s (relkind %s) is not in the model", PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
	}
	PQclear(r);
}

static void check_columns(checker *x, const m_table *t, const char *oid)
{
	const char *params[] = { oid };
	PGresult *r = query(x->c,
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef,"
		"       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, col_description(a.attrelid, a.attnum),"
		"       pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL"
		"  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
		"  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
		" WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
		1, params);
	int rows = PQntuples(r);
	if ((size_t)rows != t->columns.n) {
		bad(x, "table %s has %d columns, the model %zu", t->name, rows, t->columns.n);
	}
	for (int k = 0; k < rows && (size_t)k < t->columns.n; k++) {
		m_column *c = t->columns.items[k];
		const char *name = PQgetvalue(r, k, 0);
		if (strcmp(name, c->name) != 0) {
			bad(x, "table %s: column %d is %s, the model has %s there", t->name, k + 1, name, c->name);
			continue;
		}
		const char *want = pg_type_spelling(x, &c->type);
		if (strcmp(PQgetvalue(r, k, 1), want) != 0)
			bad(x, "%s.%s: type %s, the model %s (expected %s)", t->name, c->name, PQgetvalue(r, k, 1), c->type.sql,
			    want);
		bool notnull = PQgetvalue(r, k, 2)[0] == 't';
		if (notnull != c->not_null)
			bad(x, "%s.%s: attnotnull %s, the model says %s", t->name, c->name, notnull ? "true" : "false",
			    c->not_null ? "not null" : "nullable");
		bool hasdef = PQgetvalue(r, k, 3)[0] == 't';
		const char *dexpr = val(r, k, 4);
		char ident = PQgetvalue(r, k, 5)[0];
		char gen = PQgetvalue(r, k, 6)[0];
		bool owns_seq = PQgetvalue(r, k, 8)[0] == 't';
		char want_ident = c->identity ? (c->identity_by_default ? 'd' : 'a') : '\0';
		if (ident != want_ident)
			bad(x, "%s.%s: attidentity '%c', expected '%c'", t->name, c->name, ident ? ident : ' ',
			    want_ident ? want_ident : ' ');
		if ((gen == 's') != (c->generated_sql != NULL))
			bad(x, "%s.%s: attgenerated '%c', the model %s a generated column", t->name, c->name, gen ? gen : ' ',
			    c->generated_sql ? "has" : "does not have");
		if (is_serial_kind(c->type.kind)) {
			if (!hasdef || !dexpr || strncmp(dexpr, "nextval(", 8) != 0 || !owns_seq)
				bad(x, "%s.%s: a %s column needs a nextval() default and an owned sequence (default %s)", t->name,
				    c->name, c->type.sql, show(dexpr));
		} else if (c->identity) {
			if (hasdef || !owns_seq)
				bad(x, "%s.%s: an identity column has its own sequence and no default", t->name, c->name);
		} else if (c->generated_sql) {
			if (!hasdef || !dexpr)
				bad(x, "%s.%s: generated column without its expression", t->name, c->name);
		} else if (hasdef != (c->default_sql != NULL)) {
			bad(x, "%s.%s: default %s in the database, %s in the model", t->name, c->name, show(dexpr),
			    show(c->default_sql));
		}
		if (!str_eq(val(r, k, 7), c->doc))
			bad(x, "%s.%s: comment '%s', doc '%s'", t->name, c->name, show(val(r, k, 7)), show(c->doc));
	}
	PQclear(r);
}

typedef struct want_con {
	const char *name;
	char type;              /* p u f c */
	const char *cols;       /* joined; for checks: in table order */
	const char *ref;        /* f: referenced table */
	const char *ref_cols;   /* f */
	char del, upd;          /* f */
} want_con;

static void check_constraints(checker *x, const m_table *t, const char *oid)
{
	arena *a = x->a;
	vec want;
	memset(&want, 0, sizeof want);
	if (t->pk) {
		want_con *w = arena_alloc(a, sizeof *w);
		*w = (want_con){ t->pk->name, 'p', join_names(a, &t->pk->cols), NULL, NULL, 0, 0 };
		vec_push(a, &want, w);
	}
	for (size_t i = 0; i < t->uniques.n; i++) {
		m_key *u = t->uniques.items[i];
		want_con *w = arena_alloc(a, sizeof *w);
		*w = (want_con){ u->name, 'u', join_names(a, &u->cols), NULL, NULL, 0, 0 };
		vec_push(a, &want, w);
	}
	for (size_t i = 0; i < t->fks.n; i++) {
		m_fk *fk = t->fks.items[i];
		want_con *w = arena_alloc(a, sizeof *w);
		*w = (want_con){ fk->name, 'f', join_names(a, &fk->cols), fk->ref->name, join_names(a, &fk->ref_cols),
		                 fk_action_code(fk->on_delete), fk_action_code(fk->on_update) };
		vec_push(a, &want, w);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		m_check *ck = t->checks.items[i];
		want_con *w = arena_alloc(a, sizeof *w);
		*w = (want_con){ ck->name, 'c', expr_columns(a, t, ck->sql), NULL, NULL, 0, 0 };
		vec_push(a, &want, w);
	}

	const char *params[] = { oid };
	PGresult *r = query(x->c,
		"SELECT con.conname, con.contype,"
		"       (SELECT string_agg(at.attname, chr(31) ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)"
		"          JOIN pg_attribute at ON at.attrelid = con.conrelid AND at.attnum = k.n),"
		"       (SELECT string_agg(at.attname, chr(31) ORDER BY at.attnum) FROM unnest(con.conkey) k(n)"
		"          JOIN pg_attribute at ON at.attrelid = con.conrelid AND at.attnum = k.n),"
		"       rc.relname, rn.nspname,"
		"       (SELECT string_agg(at.attname, chr(31) ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)"
		"          JOIN pg_attribute at ON at.attrelid = con.confrelid AND at.attnum = k.n),"
		"       con.confdeltype, con.confupdtype, con.confmatchtype, con.condeferrable, con.convalidated"
		"  FROM pg_constraint con LEFT JOIN pg_class rc ON rc.oid = con.confrelid"
		"  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
		" WHERE con.conrelid = $1::oid ORDER BY con.conname",
		1, params);
	int rows = PQntuples(r);
	bool *seen = arena_alloc(a, (size_t)rows + 1);
	static const char *const kinds = "pufc";
	static const char *const kind_names[] = { "primary key", "unique", "foreign key", "check" };
	for (size_t i = 0; i < want.n; i++) {
		want_con *w = want.items[i];
		const char *kind = kind_names[strchr(kinds, w->type) - kinds];
		int row = -1;
		for (int k = 0; k < rows; k++)
			if (strcmp(PQgetvalue(r, k, 0), w->name) == 0)
				row = k;
		if (row < 0) {
			bad(x, "table %s: %s constraint %s is missing", t->name, kind, w->name);
			continue;
		}
		seen[row] = true;
		if (PQgetvalue(r, row, 1)[0] != w->type) {
			bad(x, "table %s: constraint %s has contype '%s', expected '%c' (%s)", t->name, w->name,
			    PQgetvalue(r, row, 1), w->type, kind);
			continue;
		}
		const char *cols = val(r, row, w->type == 'c' ? 3 : 2);
		if (!str_eq(cols, w->cols))
			bad(x, "table %s: %s %s is on (%s), the model says (%s)", t->name, kind, w->name, pretty(a, cols),
			    pretty(a, w->cols));
		if (PQgetvalue(r, row, 10)[0] != 'f' || PQgetvalue(r, row, 11)[0] != 't')
			bad(x, "table %s: constraint %s is deferrable or not validated", t->name, w->name);
		if (w->type != 'f')
			continue;
		if (!str_eq(val(r, row, 4), w->ref) || !str_eq(val(r, row, 5), "public"))
			bad(x, "table %s: foreign key %s references %s.%s, the model %s", t->name, w->name, show(val(r, row, 5)),
			    show(val(r, row, 4)), w->ref);
		if (!str_eq(val(r, row, 6), w->ref_cols))
			bad(x, "table %s: foreign key %s references (%s), the model (%s)", t->name, w->name,
			    pretty(a, val(r, row, 6)), pretty(a, w->ref_cols));
		if (PQgetvalue(r, row, 7)[0] != w->del || PQgetvalue(r, row, 8)[0] != w->upd)
			bad(x, "table %s: foreign key %s has confdeltype '%s' confupdtype '%s', expected '%c' '%c'", t->name,
			    w->name, PQgetvalue(r, row, 7), PQgetvalue(r, row, 8), w->del, w->upd);
		if (PQgetvalue(r, row, 9)[0] != 's')
			bad(x, "table %s: foreign key %s has match type '%s', expected simple", t->name, w->name,
			    PQgetvalue(r, row, 9));
	}
	for (int k = 0; k < rows; k++)
		if (!seen[k])
			bad(x, "table %s: constraint %s (contype '%s') is not in the model", t->name, PQgetvalue(r, k, 0),
			    PQgetvalue(r, k, 1));
	PQclear(r);
}

static void check_index_keys(checker *x, const m_index *ix, const char *index_oid, const char *am)
{
	const char *params[] = { index_oid };
	PGresult *r = query(x->c,
		"SELECT k.n, a.attname, opc.opcname, opc.opcdefault, (x.indoption::int2[])[k.i - 1], k.i <= x.indnkeyatts"
		"  FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY k(n, i)"
		"  LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n"
		"  LEFT JOIN pg_opclass opc ON opc.oid = (x.indclass::oid[])[k.i - 1]"
		" WHERE x.indexrelid = $1::oid ORDER BY k.i",
		1, params);
	int rows = PQntuples(r);
	if ((size_t)rows != ix->elems.n + ix->include.n) {
		bad(x, "index %s has %d columns, the model %zu keys and %zu included", ix->name, rows, ix->elems.n,
		    ix->include.n);
		PQclear(r);
		return;
	}
	bool ordered = strcmp(am, "btree") == 0;
	for (int k = 0; k < rows; k++) {
		bool key = PQgetvalue(r, k, 5)[0] == 't';
		const char *attname = val(r, k, 1);
		bool is_expr = strcmp(PQgetvalue(r, k, 0), "0") == 0;
		if ((size_t)k >= ix->elems.n) {
			m_column *c = ix->include.items[(size_t)k - ix->elems.n];
			if (key || !str_eq(attname, c->name))
				bad(x, "index %s: included column %d is %s, the model %s", ix->name, k + 1, show(attname), c->name);
			continue;
		}
		m_index_elem *e = ix->elems.items[k];
		if (!key)
			bad(x, "index %s: column %d should be a key column", ix->name, k + 1);
		if (e->col && (is_expr || !str_eq(attname, e->col->name)))
			bad(x, "index %s: key %d is %s, the model %s", ix->name, k + 1, is_expr ? "an expression" : show(attname),
			    e->col->name);
		if (!e->col && !is_expr)
			bad(x, "index %s: key %d is column %s, the model an expression (%s)", ix->name, k + 1, show(attname),
			    e->expr_sql);
		if (e->opclass ? !str_eq(val(r, k, 2), e->opclass) : PQgetvalue(r, k, 3)[0] != 't')
			bad(x, "index %s: key %d has operator class %s, the model %s", ix->name, k + 1, show(val(r, k, 2)),
			    e->opclass ? e->opclass : "the default");
		int opt = atoi(PQgetvalue(r, k, 4));
		bool desc = e->sort == SORT_DESC;
		bool nulls_first = e->nulls == NULLS_FIRST || (e->nulls == NULLS_DEFAULT && desc);
		int want = ordered ? (desc ? 1 : 0) | (nulls_first ? 2 : 0) : 0;
		if (opt != want)
			bad(x, "index %s: key %d has indoption %d, expected %d", ix->name, k + 1, opt, want);
	}
	PQclear(r);
}

static void check_indexes(checker *x, const m_table *t, const char *oid)
{
	const char *params[] = { oid };
	PGresult *r = query(x->c,
		"SELECT i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL, am.amname,"
		"       (SELECT con.conname FROM pg_constraint con WHERE con.conindid = x.indexrelid"
		"           AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u')),"
		"       obj_description(i.oid, 'pg_class'), i.oid, x.indexprs IS NOT NULL, x.indisvalid"
		"  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam"
		" WHERE x.indrelid = $1::oid ORDER BY i.relname",
		1, params);
	int rows = PQntuples(r);
	bool *seen = arena_alloc(x->a, (size_t)rows + 1);
	for (size_t i = 0; i < t->indexes.n; i++) {
		m_index *ix = t->indexes.items[i];
		int row = -1;
		for (int k = 0; k < rows; k++)
			if (strcmp(PQgetvalue(r, k, 0), ix->name) == 0)
				row = k;
		if (row < 0) {
			bad(x, "table %s: index %s is missing", t->name, ix->name);
			continue;
		}
		seen[row] = true;
		bool unique = PQgetvalue(r, row, 1)[0] == 't';
		bool partial = PQgetvalue(r, row, 3)[0] == 't';
		const char *am = PQgetvalue(r, row, 4);
		const char *want_am = ix->method ? ix->method : "btree";
		if (unique != ix->unique)
			bad(x, "index %s: indisunique %s, the model %s", ix->name, unique ? "true" : "false",
			    ix->unique ? "unique" : "not unique");
		if (PQgetvalue(r, row, 2)[0] == 't' || val(r, row, 5))
			bad(x, "index %s backs a constraint; the model declares a plain index", ix->name);
		if (partial != (ix->where_sql != NULL))
			bad(x, "index %s: %s, the model %s", ix->name, partial ? "partial" : "not partial",
			    ix->where_sql ? ix->where_sql : "has no where");
		if (strcmp(am, want_am) != 0)
			bad(x, "index %s: access method %s, the model %s", ix->name, am, want_am);
		if (PQgetvalue(r, row, 9)[0] != 't')
			bad(x, "index %s is not valid", ix->name);
		if (!str_eq(val(r, row, 6), ix->doc))
			bad(x, "index %s: comment '%s', doc '%s'", ix->name, show(val(r, row, 6)), show(ix->doc));
		check_index_keys(x, ix, PQgetvalue(r, row, 7), am);
	}
	/* the others must be the indexes of the table's primary key and unique
	 * constraints, named after them */
	for (int k = 0; k < rows; k++) {
		if (seen[k])
			continue;
		const char *backs = val(r, k, 5);
		if (!backs || strcmp(backs, PQgetvalue(r, k, 0)) != 0)
			bad(x, "table %s: index %s is not in the model", t->name, PQgetvalue(r, k, 0));
	}
	PQclear(r);
}

static void check_table(checker *x, const m_table *t)
{
	const char *params[] = { t->name };
	PGresult *r = query(x->c,
		"SELECT c.oid, c.relkind, obj_description(c.oid, 'pg_class') FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1",
		1, params);
	if (PQntuples(r) != 1) {
		bad(x, "table %s is missing", t->name);
		PQclear(r);
		return;
	}
	if (strcmp(PQgetvalue(r, 0, 1), "r") != 0)
		bad(x, "%s has relkind '%s', not an ordinary table", t->name, PQgetvalue(r, 0, 1));
	if (!str_eq(val(r, 0, 2), t->doc))
		bad(x, "table %s: comment '%s', doc '%s'", t->name, show(val(r, 0, 2)), show(t->doc));
	const char *oid = arena_strdup(x->a, PQgetvalue(r, 0, 0));
	PQclear(r);
	check_columns(x, t, oid);
	check_constraints(x, t, oid);
	check_indexes(x, t, oid);
}

/* One sequence per serial and identity column, none other; no triggers but
 * PostgreSQL's own (foreign keys); no constraint outside a table. */
static void check_leftovers(checker *x, const model *m)
{
	size_t want = 0;
	for (size_t i = 0; i < m->tables.n; i++) {
		m_table *t = m->tables.items[i];
		for (size_t k = 0; k < t->columns.n; k++) {
			m_column *c = t->columns.items[k];
			want += is_serial_kind(c->type.kind) || c->identity;
		}
	}
	char *n = scalar(x->c,
		"SELECT count(*) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace"
		" WHERE ns.nspname = 'public' AND c.relkind = 'S'");
	if ((size_t)atol(n) != want)
		bad(x, "%s sequences, expected %zu (one per serial or identity column)", n, want);
	free(n);
	n = scalar(x->c, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal");
	if (strcmp(n, "0") != 0)
		bad(x, "%s triggers that the model does not declare", n);
	free(n);
	n = scalar(x->c,
		"SELECT count(*) FROM pg_constraint con JOIN pg_namespace ns ON ns.oid = con.connamespace"
		" WHERE ns.nspname = 'public' AND con.conrelid = 0");
	if (strcmp(n, "0") != 0)
		bad(x, "%s constraints outside tables", n);
	free(n);
}

/* ---- one test per example ------------------------------------------------------ */

static char examples[32][128];
static int nexamples;

static void test_example_schema(void **state)
{
	const char *example = *state;
	PGconn *c = fresh_db(example, NULL);
	load_sql(c, example);
	static loaded L;    /* static: the teardown may release it after a failure */
	load_model(&L, example);
	checker x = { example, c, &L.a, 0 };
	check_extensions(&x, L.m);
	check_enums(&x, L.m);
	check_table_set(&x, L.m);
	for (size_t i = 0; i < L.m->tables.n; i++)
		check_table(&x, L.m->tables.items[i]);
	check_leftovers(&x, L.m);
	int errors = x.errors;
	size_t ntables = L.m->tables.n;
	unload_model(&L);
	finish(c);
	if (errors)
		fail_msg("%s: %d differences between the model and the database", example, errors);
	printf("    %s: %zu tables match the model\n", example, ntables);
}

/* ---- behaviour: blog -------------------------------------------------------------- */

static PGconn *loaded_db(const char *example, const char *suffix)
{
	PGconn *c = fresh_db(example, suffix);
	load_sql(c, example);
	return c;
}

static void test_blog_unique_email(void **state)
{
	(void)state;
	PGconn *c = loaded_db("blog", "data");
	exec_ok(c, "INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann')");
	expect_error(c, "INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann again')", "23505",
	             "uq_users_email");
	/* the partial unique index: unique, with a predicate on is_deleted */
	assert_scalar(c,
		"SELECT x.indisunique::text || ' ' || (x.indpred IS NOT NULL)::text || ' ' || pg_get_expr(x.indpred, x.indrelid)"
		"  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname = 'ix_users_email_active'",
		"true true (NOT is_deleted)");
	assert_scalar(c, "SELECT pg_get_indexdef('ix_users_email_active'::regclass)",
		"CREATE UNIQUE INDEX ix_users_email_active ON public.users USING btree (email) WHERE (NOT is_deleted)");
	/* defaults of the mixins and of the enum column */
	assert_scalar(c, "SELECT status::text || ' ' || is_deleted::text || ' ' || (deleted_at IS NULL)::text"
		" || ' ' || (created_at IS NOT NULL)::text FROM users", "active false true true");
	expect_error(c, "INSERT INTO users (email, name, status) VALUES ('bob@example.com', 'Bob', 'gone')", "22P02", NULL);
	expect_error(c, "INSERT INTO users (email) VALUES ('carl@example.com')", "23502", NULL);
	finish(c);
}

static void test_blog_balance_check(void **state)
{
	(void)state;
	PGconn *c = loaded_db("blog", "data");
	exec_ok(c, "INSERT INTO users (id, email, name) VALUES ('00000000-0000-0000-0000-000000000001', 'a@b.c', 'A')");
	expect_error(c, "INSERT INTO accounts (owner_id, balance) VALUES ('00000000-0000-0000-0000-000000000001', -1)",
	             "23514", "ck_accounts_balance");
	exec_ok(c, "INSERT INTO accounts (owner_id) VALUES ('00000000-0000-0000-0000-000000000001')");
	assert_scalar(c, "SELECT balance::text FROM accounts", "0.00");
	expect_error(c, "UPDATE accounts SET balance = -0.01", "23514", "ck_accounts_balance");
	expect_error(c, "INSERT INTO accounts (owner_id) VALUES ('00000000-0000-0000-0000-000000000002')", "23503",
	             "fk_accounts_owner_id_users");
	finish(c);
}

static void test_blog_cascade(void **state)
{
	(void)state;
	PGconn *c = loaded_db("blog", "data");
	exec_ok(c,
		"INSERT INTO users (id, email, name) VALUES"
		"  ('00000000-0000-0000-0000-00000000000a', 'a@example.com', 'A'),"
		"  ('00000000-0000-0000-0000-00000000000b', 'b@example.com', 'B');"
		"INSERT INTO posts (author_id, title, body) VALUES"
		"  ('00000000-0000-0000-0000-00000000000a', 'one', '...'),"
		"  ('00000000-0000-0000-0000-00000000000a', 'two', '...'),"
		"  ('00000000-0000-0000-0000-00000000000b', 'three', '...');"
		"INSERT INTO roles (name) VALUES ('admin'), ('editor');"
		"INSERT INTO user_roles SELECT '00000000-0000-0000-0000-00000000000a', id FROM roles;");
	assert_scalar(c, "SELECT string_agg(id::text, ',' ORDER BY id) FROM posts", "1,2,3");
	expect_error(c, "INSERT INTO roles (name) VALUES ('admin')", "23505", "uq_roles_name");
	expect_error(c, "INSERT INTO user_roles VALUES ('00000000-0000-0000-0000-00000000000a', 1)", "23505",
	             "pk_user_roles");
	exec_ok(c, "DELETE FROM users WHERE id = '00000000-0000-0000-0000-00000000000a'");
	assert_scalar(c, "SELECT count(*) FROM posts", "1");
	assert_scalar(c, "SELECT count(*) FROM user_roles", "0");
	assert_scalar(c, "SELECT count(*) FROM roles", "2");
	/* accounts.owner_id has no ON DELETE action: the owner cannot go */
	exec_ok(c, "INSERT INTO accounts (owner_id) VALUES ('00000000-0000-0000-0000-00000000000b')");
	expect_error(c, "DELETE FROM users WHERE id = '00000000-0000-0000-0000-00000000000b'", "23503",
	             "fk_accounts_owner_id_users");
	finish(c);
}

/* ---- behaviour: shop --------------------------------------------------------------- */

static void test_shop_behaviour(void **state)
{
	(void)state;
	PGconn *c = loaded_db("shop", "data");
	exec_ok(c, "INSERT INTO countries VALUES ('DE', 'Germany', 'EUR', 0.19)");
	expect_error(c, "INSERT INTO countries VALUES ('de', 'lower case', 'EUR', 0)", "23514", "ck_countries_code");

	/* identity always, case-insensitive e-mail among live customers */
	exec_ok(c, "INSERT INTO customers (email, \"displayName\", password_hash) VALUES ('Ann@Example.com', 'Ann', '\\x00')");
	expect_error(c, "INSERT INTO customers (id, email, \"displayName\", password_hash) VALUES (7, 'x@y.z', 'X', '')",
	             "428C9", NULL);
	expect_error(c, "INSERT INTO customers (email, \"displayName\", password_hash) VALUES ('ann@example.COM', 'A', '')",
	             "23505", "ix_customers_email_live");
	exec_ok(c, "UPDATE customers SET deleted_at = now()");
	exec_ok(c, "INSERT INTO customers (email, \"displayName\", password_hash) VALUES ('ann@example.COM', 'A', '')");
	assert_scalar(c, "SELECT array_to_string(notify_on, ',') || ' ' || lock_version FROM customers"
	                 " WHERE deleted_at IS NULL", "shipped,delivered 1");

	/* orders: the generated total, the quoted enum label, the table check */
	exec_ok(c, "INSERT INTO addresses (customer_id, line1, city, postal_code, country_code)"
	           " SELECT id, 'Hauptstr. 1', 'Berlin', '10115', 'DE' FROM customers WHERE deleted_at IS NULL");
	exec_ok(c, "INSERT INTO orders (number, customer_id, subtotal, shipping_fee, status)"
	           " SELECT 'A-1', id, 100, 5, 'on-hold' FROM customers WHERE deleted_at IS NULL");
	assert_scalar(c, "SELECT total::text || ' ' || status::text FROM orders", "124.95 on-hold");
	expect_error(c, "UPDATE orders SET status = 'on_hold'", "22P02", NULL);
	expect_error(c, "UPDATE orders SET status = 'shipped'", "23514", "ck_orders_shipped_needs_address");
	exec_ok(c, "UPDATE orders SET status = 'shipped', shipping_address_id = 1, billing_address_id = 1");
	expect_error(c, "UPDATE orders SET total = 1", "428C9", NULL);
	/* on delete set null on both address keys */
	exec_ok(c, "UPDATE orders SET status = 'delivered'");
	expect_error(c, "DELETE FROM addresses", "23514", "ck_orders_shipped_needs_address");
	/* restrict: a customer with orders stays */
	expect_error(c, "DELETE FROM customers WHERE deleted_at IS NULL", "23503", "fk_orders_customer_id_customers");

	/* order items, and the composite foreign key from shipment items */
	exec_ok(c, "INSERT INTO tax_classes VALUES ('standard', 0.19), ('reduced', 0.07)");
	exec_ok(c, "INSERT INTO products (id, sku, name, price, tax_class)"
	           " VALUES ('00000000-0000-0000-0000-0000000000aa', 'SKU-1', 'Widget', 10, 'reduced')");
	exec_ok(c, "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount)"
	           " VALUES (1, 1, '00000000-0000-0000-0000-0000000000aa', 3, 10, 5)");
	assert_scalar(c, "SELECT line_total::text FROM order_items", "25.00");
	expect_error(c, "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount)"
	                " VALUES (1, 2, '00000000-0000-0000-0000-0000000000aa', 1, 10, 11)",
	             "23514", "ck_order_items_quantity_unit_price_discount");
	exec_ok(c, "INSERT INTO shipments (id, order_id, carrier) VALUES ('00000000-0000-0000-0000-0000000000bb', 1, 'DHL')");
	expect_error(c, "INSERT INTO shipment_items (shipment_id, order_id, line_no) VALUES ('00000000-0000-0000-0000-0000000000bb', 1, 9)",
	             "23503", "fk_shipment_items_order_item");
	exec_ok(c, "INSERT INTO shipment_items (shipment_id, order_id, line_no) VALUES ('00000000-0000-0000-0000-0000000000bb', 1, 1)");
	exec_ok(c, "UPDATE order_items SET line_no = 5");
	assert_scalar(c, "SELECT line_no::text FROM shipment_items", "5");
	expect_error(c, "DELETE FROM products", "23503", "fk_order_items_product_id_products");
	/* on delete set default: the product falls back to the standard class */
	exec_ok(c, "DELETE FROM tax_classes WHERE code = 'reduced'");
	assert_scalar(c, "SELECT tax_class FROM products", "standard");
	/* the self-referencing join table */
	exec_ok(c, "INSERT INTO products (id, sku, name, price)"
	           " VALUES ('00000000-0000-0000-0000-0000000000ab', 'SKU-2', 'Gadget', 20)");
	exec_ok(c, "INSERT INTO related_products VALUES ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000ab')");
	expect_error(c, "INSERT INTO related_products VALUES ('00000000-0000-0000-0000-0000000000ab', '00000000-0000-0000-0000-0000000000ab')",
	             "23514", "ck_related_products_product_id_related_id");
	exec_ok(c, "DELETE FROM products WHERE sku = 'SKU-2'");
	assert_scalar(c, "SELECT count(*) FROM related_products", "0");

	/* citext unique code; exactly one kind of discount */
	exec_ok(c, "INSERT INTO coupons (code, percent_off) VALUES ('SUMMER', 10)");
	expect_error(c, "INSERT INTO coupons (code, percent_off) VALUES ('summer', 20)", "23505", "uq_coupons_code");
	expect_error(c, "INSERT INTO coupons (code) VALUES ('NONE')", "23514", "ck_coupons_one_discount");

	/* the CamelCase table and its composite foreign key */
	exec_ok(c, "INSERT INTO warehouses (code, name, country_code) VALUES ('BER1', 'Berlin', 'DE')");
	exec_ok(c, "INSERT INTO inventory (product_id, warehouse_id, on_hand) VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 5)");
	expect_error(c, "INSERT INTO \"StockMovements\" (\"productId\", \"warehouseId\", delta)"
	                " VALUES ('00000000-0000-0000-0000-0000000000aa', 1, 0)",
	             "23514", "ck_StockMovements_delta");
	exec_ok(c, "INSERT INTO \"StockMovements\" (\"productId\", \"warehouseId\", delta)"
	           " VALUES ('00000000-0000-0000-0000-0000000000aa', 1, -2)");
	expect_error(c, "INSERT INTO \"StockMovements\" (\"productId\", \"warehouseId\", delta)"
	                " VALUES ('00000000-0000-0000-0000-0000000000aa', 2, 1)",
	             "23503", "fk_StockMovements_productId_warehouseId_inventory");
	expect_error(c, "UPDATE inventory SET reserved = 6", "23514", "ck_inventory_reserved");
	expect_error(c, "DELETE FROM warehouses", "23503", "fk_inventory_warehouse_id_warehouses");

	/* the category tree: children go with their parent, products keep living */
	exec_ok(c, "INSERT INTO categories (id, slug, name) VALUES (1, 'tools', 'Tools');"
	           "INSERT INTO categories (id, parent_id, slug, name) VALUES (2, 1, 'hammers', 'Hammers');"
	           "UPDATE products SET category_id = 2");
	expect_error(c, "INSERT INTO categories (id, parent_id, slug, name) VALUES (3, 1, 'hammers', 'Again')", "23505",
	             "uq_categories_parent_slug");
	expect_error(c, "UPDATE categories SET parent_id = id WHERE id = 2", "23514", "ck_categories_id_parent_id");
	exec_ok(c, "DELETE FROM categories WHERE id = 1");
	assert_scalar(c, "SELECT count(*) FROM categories", "0");
	assert_scalar(c, "SELECT (category_id IS NULL)::text FROM products", "true");

	/* the trigram index serves a fuzzy search */
	exec_ok(c, "SET enable_seqscan = off");
	PGresult *plan = query(c, "EXPLAIN (COSTS OFF) SELECT id FROM products WHERE name ILIKE '%idge%'", 0, NULL);
	bool uses = false;
	for (int i = 0; i < PQntuples(plan); i++)
		uses = uses || strstr(PQgetvalue(plan, i, 0), "ix_products_name_trgm") != NULL;
	PQclear(plan);
	if (!uses)
		fail_msg("the trigram index ix_products_name_trgm does not serve ILIKE '%%idge%%'");
	assert_scalar(c, "SELECT name FROM products WHERE name ILIKE '%idge%'", "Widget");
	finish(c);
}

/* ---- behaviour: ledger -------------------------------------------------------------- */

static void test_ledger_behaviour(void **state)
{
	(void)state;
	PGconn *c = loaded_db("ledger", "data");
	exec_ok(c, "INSERT INTO accounts (id, code, name, kind, is_placeholder) VALUES (1, '1000', 'Assets', 'asset', true);"
	           "INSERT INTO accounts (id, parent_id, code, name, kind) VALUES (2, 1, '1200', 'Bank', 'asset');"
	           "INSERT INTO accounts (id, code, name, kind) VALUES (3, '4000', 'Sales', 'income');"
	           "INSERT INTO accounts (id, code, name, kind, currency) VALUES (4, '1300', 'US bank', 'asset', 'USD')");
	expect_error(c, "UPDATE accounts SET parent_id = 2 WHERE id = 2", "23514", "ck_accounts_not_own_parent");
	expect_error(c, "INSERT INTO accounts (id, code, name, kind) VALUES (6, '1200', 'Bank again', 'asset')", "23505",
	             "ix_accounts_code_open");
	/* a closed account's code can be used again (partial unique index) */
	exec_ok(c, "UPDATE accounts SET closed_at = now() WHERE id = 4");
	exec_ok(c, "INSERT INTO accounts (id, code, name, kind) VALUES (5, '1300', 'New bank', 'asset')");
	expect_error(c, "DELETE FROM accounts WHERE id = 1", "23503", "fk_accounts_parent_id_accounts");

	exec_ok(c, "INSERT INTO transactions (description) VALUES ('sale 1'), ('sale 2')");
	expect_error(c, "INSERT INTO transactions (id, description) VALUES (9, 'x')", "428C9", NULL);
	exec_ok(c, "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit) VALUES (1, 1, 2, 'EUR', 100);"
	           "INSERT INTO entries (transaction_id, line_no, account_id, currency, credit) VALUES (1, 2, 3, 'EUR', 100)");
	expect_error(c, "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit, credit)"
	                " VALUES (2, 1, 2, 'EUR', 1, 1)",
	             "23514", "ck_entries_one_side");
	expect_error(c, "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit, credit)"
	                " VALUES (2, 1, 2, 'EUR', -1, 0)",
	             "23514", "ck_entries_debit_credit");
	/* an entry must be in its account's currency (composite foreign key) */
	expect_error(c, "INSERT INTO entries (transaction_id, line_no, account_id, currency, debit)"
	                " VALUES (2, 1, 2, 'USD', 5)",
	             "23503", "fk_entries_account_currency");
	exec_ok(c, "UPDATE accounts SET currency = 'CHF' WHERE id = 2");
	assert_scalar(c, "SELECT currency FROM entries WHERE account_id = 2", "CHF");
	/* references are unique when present */
	exec_ok(c, "UPDATE transactions SET reference = 'INV-1' WHERE id = 1");
	expect_error(c, "UPDATE transactions SET reference = 'INV-1' WHERE id = 2", "23505", "ix_transactions_reference");
	exec_ok(c, "INSERT INTO transactions (description, reverses_id) VALUES ('reversal', 1)");
	expect_error(c, "DELETE FROM transactions WHERE id = 1", "23503", "fk_transactions_reverses_id_transactions");
	exec_ok(c, "DELETE FROM transactions WHERE id = 3");
	exec_ok(c, "DELETE FROM transactions WHERE id = 1");
	assert_scalar(c, "SELECT count(*) FROM entries", "0");
	finish(c);
}

/* ---- main ---------------------------------------------------------------------------- */

static int cleanup(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++)
		if (open_conns[i])
			finish(open_conns[i]);
	if (current_model)
		unload_model(current_model);
	return 0;
}

static int drop_all(void **state)
{
	(void)state;
	char ci[256];
	snprintf(ci, sizeof ci, "dbname=%s", admin_db());
	PGconn *admin = PQconnectdb(ci);
	if (PQstatus(admin) != CONNECTION_OK) {
		PQfinish(admin);
		return ncreated ? -1 : 0;
	}
	PQsetNoticeProcessor(admin, ignore_notice, NULL);
	int rc = 0;
	for (int i = 0; i < ncreated; i++) {
		char *id = PQescapeIdentifier(admin, created_dbs[i], strlen(created_dbs[i]));
		char sql[256];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
		PQfreemem(id);
		PGresult *r = PQexec(admin, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "%s", PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	PQfinish(admin);
	return rc;
}

static int by_name(const void *a, const void *b) { return strcmp(a, b); }

int main(void)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/examples", tu_root());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d)) && nexamples < 32) {
		size_t n = strlen(e->d_name);
		if (n > 6 && strcmp(e->d_name + n - 6, ".model") == 0)
			snprintf(examples[nexamples++], sizeof examples[0], "%.*s", (int)(n - 6), e->d_name);
	}
	closedir(d);
	qsort(examples, (size_t)nexamples, sizeof examples[0], by_name);

	struct CMUnitTest tests[40];
	size_t n = 0;
	for (int i = 0; i < nexamples; i++) {
		struct CMUnitTest t = { examples[i], test_example_schema, NULL, cleanup, examples[i] };
		tests[n++] = t;
	}
	const struct CMUnitTest spot[] = {
		cmocka_unit_test_teardown(test_blog_unique_email, cleanup),
		cmocka_unit_test_teardown(test_blog_balance_check, cleanup),
		cmocka_unit_test_teardown(test_blog_cascade, cleanup),
		cmocka_unit_test_teardown(test_shop_behaviour, cleanup),
		cmocka_unit_test_teardown(test_ledger_behaviour, cleanup),
	};
	for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++)
		tests[n++] = spot[i];
	return _cmocka_run_group_tests("PostgreSQL: examples' DDL against the model", tests, n, NULL, drop_all);
}

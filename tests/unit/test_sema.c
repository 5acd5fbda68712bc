/* test_sema.c - the semantic pass through model_load with an in-memory
 * loader: types, nullability, mixins, relationships and their foreign keys,
 * generated names and their truncation, SQL quoting in expressions,
 * dependency order, imports, and error counting. */
#include "testutil.h"

#include "model.h"

/* ---- an in-memory file system for model_load ------------------------------ */

typedef struct mfile {
	const char *path;
	const char *text;
} mfile;

typedef struct mfs {
	const mfile *files;
	size_t n;
	const char *loaded[16];     /* paths asked for, in order */
	size_t nloaded;
} mfs;

static int mem_load(void *ctx, arena *a, const char *path, const char **text, size_t *len, const char **err)
{
	mfs *fs = ctx;
	if (fs->nloaded < 16)
		fs->loaded[fs->nloaded++] = arena_strdup(a, path);
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->files[i].path, path) == 0) {
			*len = strlen(fs->files[i].text);
			*text = arena_strndup(a, fs->files[i].text, *len);
			return 0;
		}
	*err = "no such file";
	return -1;
}

typedef struct S {
	arena a;
	diag_ctx d;
	mfs fs;
	model *m;
} S;

static S *load_files(const mfile *files, size_t n)
{
	S *s = calloc(1, sizeof *s);
	assert_non_null(s);
	arena_init(&s->a);
	diag_init(&s->d, &s->a);
	s->fs.files = files;
	s->fs.n = n;
	s->m = model_load(&s->d, files[0].path, mem_load, &s->fs);
	return s;
}

/* One file; its text must be in static storage or outlive the S. */
static S *load1(const mfile *f) { return load_files(f, 1); }

static void s_free(S *s)
{
	diag_dispose(&s->d);
	arena_free(&s->a);
	free(s);
}

static const char *diags(S *s) { return s->d.out.data ? buf_cstr(&s->d.out) : ""; }

static model *ok_model(S *s)
{
	if (!s->m || s->d.errors)
		fail_msg("model did not load:\n%s", diags(s));
	return s->m;
}

static void has_diag(S *s, const char *line)
{
	if (!strstr(diags(s), line))
		fail_msg("missing diagnostic '%s' in:\n%s", line, diags(s));
}

static m_table *table(model *m, const char *name)
{
	for (size_t i = 0; i < m->tables.n; i++) {
		m_table *t = m->tables.items[i];
		if (strcmp(t->name, name) == 0)
			return t;
	}
	fail_msg("no table '%s'", name);
	return NULL;
}

static m_column *col(m_table *t, const char *name)
{
	for (size_t i = 0; i < t->columns.n; i++) {
		m_column *c = t->columns.items[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	fail_msg("no column '%s' in '%s'", name, t->name);
	return NULL;
}

static m_rel *rel(m_table *t, const char *name)
{
	for (size_t i = 0; i < t->rels.n; i++) {
		m_rel *r = t->rels.items[i];
		if (strcmp(r->name, name) == 0)
			return r;
	}
	fail_msg("no relationship '%s' in '%s'", name, t->name);
	return NULL;
}

static const char *colname(const vec *cols, size_t i)
{
	assert_true(i < cols->n);
	return ((m_column *)cols->items[i])->name;
}

#define ITEM(v, i, T) (assert_true((i) < (v).n), (T)(v).items[i])

/* FNV-1a, 32 bits, written here independently of src/util.c. */
static uint32_t my_fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

/* ---- types --------------------------------------------------------------- */

static void test_types_canonical(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"enum mood { happy, sad }\n"
		"enum Mixed { x }\n"
		"table t {\n"
		"  id serial primary key\n"
		"  a varchar(255)\n"
		"  b numeric(12, 2)\n"
		"  c text[]\n"
		"  d double precision\n"
		"  e mood\n"
		"  f int\n"
		"  g int8\n"
		"  h bool\n"
		"  i timestamp with time zone\n"
		"  j timestamptz(3)\n"
		"  k character varying(10)\n"
		"  l tsvector\n"
		"  m VARCHAR(5)\n"
		"  n int[][]\n"
		"  o Mixed\n"
		"  p numeric\n"
		"  q float8\n"
		"  r decimal(5)\n"
		"  s mood[]\n"
		"  u time(0)\n"
		"  v jsonb\n"
		"  w varchar\n"
		"  x char(3)\n"
		"  y Double Precision\n"
		"}\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	static const struct { const char *col; m_type_kind kind; const char *sql; int dims; } want[] = {
		{ "id", T_SERIAL, "serial", 0 },
		{ "a", T_VARCHAR, "varchar(255)", 0 },
		{ "b", T_NUMERIC, "numeric(12,2)", 0 },
		{ "c", T_TEXT, "text[]", 1 },
		{ "d", T_DOUBLE, "double precision", 0 },
		{ "e", T_ENUM, "mood", 0 },
		{ "f", T_INTEGER, "integer", 0 },
		{ "g", T_BIGINT, "bigint", 0 },
		{ "h", T_BOOLEAN, "boolean", 0 },
		{ "i", T_TIMESTAMPTZ, "timestamptz", 0 },
		{ "j", T_TIMESTAMPTZ, "timestamptz(3)", 0 },
		{ "k", T_VARCHAR, "varchar(10)", 0 },
		{ "l", T_OTHER, "tsvector", 0 },
		{ "m", T_VARCHAR, "varchar(5)", 0 },
		{ "n", T_INTEGER, "integer[][]", 2 },
		{ "o", T_ENUM, "\"Mixed\"", 0 },
		{ "p", T_NUMERIC, "numeric", 0 },
		{ "q", T_DOUBLE, "double precision", 0 },
		{ "r", T_NUMERIC, "numeric(5)", 0 },
		{ "s", T_ENUM, "mood[]", 1 },
		{ "u", T_TIME, "time(0)", 0 },
		{ "v", T_JSONB, "jsonb", 0 },
		{ "w", T_VARCHAR, "varchar", 0 },
		{ "x", T_CHAR, "char(3)", 0 },
		{ "y", T_DOUBLE, "double precision", 0 },
	};
	assert_int_equal(t->columns.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		m_column *c = ITEM(t->columns, i, m_column *);
		assert_string_equal(c->name, want[i].col);
		if (c->type.kind != want[i].kind || strcmp(c->type.sql, want[i].sql) != 0)
			fail_msg("column %s: kind %d sql '%s', want %d '%s'", c->name, c->type.kind, c->type.sql,
			         want[i].kind, want[i].sql);
		assert_int_equal(c->type.array_dims, want[i].dims);
	}
	/* parameters as numbers */
	assert_int_equal(col(t, "a")->type.nparams, 1);
	assert_int_equal(col(t, "a")->type.p[0], 255);
	assert_int_equal(col(t, "b")->type.nparams, 2);
	assert_int_equal(col(t, "b")->type.p[0], 12);
	assert_int_equal(col(t, "b")->type.p[1], 2);
	assert_int_equal(col(t, "p")->type.nparams, 0);
	/* enum columns point at their enum */
	m_enum *mood = ITEM(m->enums, 0, m_enum *);
	assert_string_equal(mood->name, "mood");
	assert_ptr_equal(col(t, "e")->type.en, mood);
	assert_ptr_equal(col(t, "s")->type.en, mood);
	assert_ptr_equal(col(t, "o")->type.en, ITEM(m->enums, 1, m_enum *));
	assert_int_equal(mood->labels.n, 2);
	assert_string_equal(ITEM(mood->labels, 1, const char *), "sad");
	s_free(s);
}

static void test_type_errors(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table t {\n"
		"  a intger\n"
		"  b varchar(0)\n"
		"  c text(5)\n"
		"  d varchar(10, 2)\n"
		"  e serial[]\n"
		"  f timestamp(7)\n"
		"  g numeric(1001)\n"
		"  h numeric(1, 2, 3)\n"
		"}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 8);
	has_diag(s, "t.model:2:5: error: unknown type 'intger'\n");
	has_diag(s, "  hint: did you mean 'integer'?\n");
	has_diag(s, "t.model:3:5: error: length of type 'varchar' must be between 1 and 10485760\n");
	has_diag(s, "t.model:4:5: error: type 'text' does not take parameters\n");
	has_diag(s, "t.model:5:5: error: type 'varchar' takes at most 1 parameter\n");
	has_diag(s, "t.model:6:5: error: array of serial is not possible; use an integer array\n");
	has_diag(s, "t.model:7:5: error: precision of type 'timestamp' must be between 0 and 6\n");
	has_diag(s, "t.model:8:5: error: precision of numeric must be between 1 and 1000\n");
	has_diag(s, "t.model:9:5: error: type 'numeric' takes at most 2 parameters\n");
	s_free(s);
}

/* ---- nullability ---------------------------------------------------------- */

static void test_nullability(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table t {\n"
		"  id bigserial primary key\n"
		"  a int\n"
		"  b int not null\n"
		"  c serial\n"
		"  d int generated always as identity\n"
		"  e text null\n"
		"  f uuid primary key\n"
		"}\n"
		"table k {\n"
		"  x int\n"
		"  y text\n"
		"  z text\n"
		"  primary key (x, y)\n"
		"}\n" };
	/* two primary keys in t would be an error: use a copy without f */
	static const mfile f2 = { "t.model",
		"table t {\n"
		"  id uuid primary key\n"
		"  a int\n"
		"  b int not null\n"
		"  c serial\n"
		"  d int generated always as identity\n"
		"  e text null\n"
		"}\n"
		"table k {\n"
		"  x int\n"
		"  y text\n"
		"  z text\n"
		"  primary key (x, y)\n"
		"}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "t.model:8:10: error: table 't' has two primary keys\n");
	s_free(s);

	s = load1(&f2);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	assert_true(col(t, "id")->not_null);
	assert_true(col(t, "id")->primary_key);
	assert_false(col(t, "a")->not_null);
	assert_false(col(t, "a")->primary_key);
	assert_true(col(t, "b")->not_null);
	assert_true(col(t, "c")->not_null);
	assert_true(col(t, "d")->not_null);
	assert_true(col(t, "d")->identity);
	assert_false(col(t, "d")->identity_by_default);
	assert_false(col(t, "e")->not_null);
	assert_non_null(t->pk);
	assert_int_equal(t->pk->cols.n, 1);
	assert_ptr_equal(t->pk->cols.items[0], col(t, "id"));

	m_table *k = table(m, "k");
	assert_true(col(k, "x")->not_null);
	assert_true(col(k, "y")->not_null);
	assert_true(col(k, "x")->primary_key);
	assert_false(col(k, "z")->not_null);
	assert_false(col(k, "z")->primary_key);
	assert_int_equal(k->pk->cols.n, 2);
	assert_string_equal(colname(&k->pk->cols, 0), "x");
	assert_string_equal(colname(&k->pk->cols, 1), "y");
	s_free(s);
}

/* ---- mixins ---------------------------------------------------------------- */

static void test_mixins_expanded_in_use_order(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"mixin m1 {\n"
		"  a1 int\n"
		"  a2 int not null default 0\n"
		"  index (a1)\n"
		"}\n"
		"mixin m2 { b1 text }\n"
		"mixin m3 {\n"
		"  use m2\n"
		"  c1 int\n"
		"}\n"
		"table t {\n"
		"  use m2, m1\n"
		"  own1 int primary key\n"
		"  own2 int\n"
		"}\n"
		"table u {\n"
		"  x int\n"
		"  use m3\n"
		"}\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	static const char *const names[] = { "own1", "own2", "b1", "a1", "a2" };
	static const char *const from[] = { NULL, NULL, "m2", "m1", "m1" };
	assert_int_equal(t->columns.n, 5);
	for (size_t i = 0; i < 5; i++) {
		m_column *c = ITEM(t->columns, i, m_column *);
		assert_string_equal(c->name, names[i]);
		if (from[i])
			assert_string_equal(c->mixin, from[i]);
		else
			assert_null(c->mixin);
		assert_ptr_equal(c->table, t);
	}
	/* a mixin's modifiers and indexes come along, named for the table */
	assert_true(col(t, "a2")->not_null);
	assert_string_equal(col(t, "a2")->default_sql, "0");
	assert_int_equal(t->indexes.n, 1);
	assert_string_equal(ITEM(t->indexes, 0, m_index *)->name, "ix_t_a1");
	/* mixins are not tables */
	assert_int_equal(m->tables.n, 2);

	/* a mixin that uses another: the inner one's columns first */
	m_table *u = table(m, "u");
	assert_int_equal(u->columns.n, 3);
	assert_string_equal(colname(&u->columns, 0), "x");
	assert_string_equal(colname(&u->columns, 1), "b1");
	assert_string_equal(colname(&u->columns, 2), "c1");
	assert_string_equal(col(u, "b1")->mixin, "m2");
	assert_string_equal(col(u, "c1")->mixin, "m3");
	s_free(s);
}

static void test_mixin_soft_delete(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"mixin soft_delete {\n"
		"  is_deleted  boolean not null default false\n"
		"  deleted_at  timestamptz\n"
		"  soft delete (is_deleted, deleted_at)\n"
		"}\n"
		"table t { id int primary key; use soft_delete }\n"
		"table v { id int primary key; gone date; soft delete (gone) }\n"
		"table w { id int primary key }\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	assert_ptr_equal(t->soft_delete_flag, col(t, "is_deleted"));
	assert_ptr_equal(t->soft_delete_at, col(t, "deleted_at"));
	m_table *v = table(m, "v");
	assert_null(v->soft_delete_flag);
	assert_ptr_equal(v->soft_delete_at, col(v, "gone"));
	assert_null(table(m, "w")->soft_delete_at);
	s_free(s);
}

static void test_override(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"mixin ts {\n"
		"  created_at timestamptz not null default now()\n"
		"  updated_at timestamptz not null default now()\n"
		"}\n"
		"table t {\n"
		"  use ts\n"
		"  id int primary key\n"
		"  override created_at timestamp\n"
		"}\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	assert_int_equal(t->columns.n, 3);
	assert_string_equal(colname(&t->columns, 0), "id");
	assert_string_equal(colname(&t->columns, 1), "created_at");
	assert_string_equal(colname(&t->columns, 2), "updated_at");
	m_column *c = col(t, "created_at");
	/* the table's own definition replaces the mixin's entirely */
	assert_null(c->mixin);
	assert_int_equal(c->type.kind, T_TIMESTAMP);
	assert_false(c->not_null);
	assert_null(c->default_sql);
	assert_string_equal(col(t, "updated_at")->mixin, "ts");
	s_free(s);
}

static void test_override_errors(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"mixin ts { created_at timestamptz }\n"
		"table t {\n"
		"  use ts\n"
		"  created_at text\n"
		"}\n"
		"table u {\n"
		"  override x int\n"
		"}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 2);
	has_diag(s, "t.model:4:3: error: column 'created_at' is also defined by mixin 'ts'\n");
	has_diag(s, "t.model:1:12: note: 'created_at' defined here\n");
	has_diag(s, "  hint: write 'override created_at ...' in table 't' to replace the mixin's column\n");
	has_diag(s, "t.model:7:3: error: column 'x' overrides nothing: no mixin used by 'u' defines it\n");
	s_free(s);
}

/* ---- relationships ---------------------------------------------------------- */

static const mfile rel_model = { "r.model",
	"table users {\n"
	"  id uuid primary key\n"
	"  posts has_many posts\n"
	"  profile has_one profiles\n"
	"  roles many_to_many roles through user_roles load selectin\n"
	"}\n"
	"table posts {\n"
	"  id bigserial primary key\n"
	"  author_id uuid not null references users(id)\n"
	"  author belongs_to users load JOINED\n"
	"}\n"
	"table profiles {\n"
	"  id int primary key\n"
	"  user_id uuid unique references users\n"
	"  user belongs_to users\n"
	"}\n"
	"table roles {\n"
	"  id serial primary key\n"
	"  users many_to_many users through user_roles\n"
	"}\n"
	"table user_roles {\n"
	"  user_id uuid references users(id)\n"
	"  role_id int references roles(id)\n"
	"  primary key (user_id, role_id)\n"
	"}\n" };

static void test_fk_inference(void **state)
{
	(void)state;
	S *s = load1(&rel_model);
	model *m = ok_model(s);
	m_table *users = table(m, "users"), *posts = table(m, "posts"), *profiles = table(m, "profiles");
	m_table *roles = table(m, "roles"), *ur = table(m, "user_roles");

	/* has_many: the one foreign key of posts that references users */
	m_rel *r = rel(users, "posts");
	assert_int_equal(r->kind, REL_HAS_MANY);
	assert_ptr_equal(r->owner, users);
	assert_ptr_equal(r->target, posts);
	assert_ptr_equal(r->fk, ITEM(posts->fks, 0, m_fk *));
	assert_ptr_equal(r->fk->table, posts);
	assert_ptr_equal(r->fk->ref, users);
	assert_string_equal(colname(&r->fk->cols, 0), "author_id");
	assert_string_equal(colname(&r->fk->ref_cols, 0), "id");

	/* belongs_to: the same key, seen from the other side */
	m_rel *b = rel(posts, "author");
	assert_int_equal(b->kind, REL_BELONGS_TO);
	assert_ptr_equal(b->fk, r->fk);
	assert_ptr_equal(b->target, users);

	/* has_one through a column-level reference without columns: the pk */
	m_rel *h = rel(users, "profile");
	assert_int_equal(h->kind, REL_HAS_ONE);
	assert_ptr_equal(h->fk, ITEM(profiles->fks, 0, m_fk *));
	assert_string_equal(colname(&h->fk->cols, 0), "user_id");
	assert_string_equal(colname(&h->fk->ref_cols, 0), "id");

	/* many_to_many: fk = through -> owner, through_fk = through -> target */
	m_fk *ur_user = ITEM(ur->fks, 0, m_fk *), *ur_role = ITEM(ur->fks, 1, m_fk *);
	assert_string_equal(colname(&ur_user->cols, 0), "user_id");
	assert_string_equal(colname(&ur_role->cols, 0), "role_id");
	m_rel *mr = rel(users, "roles");
	assert_int_equal(mr->kind, REL_MANY_TO_MANY);
	assert_ptr_equal(mr->through, ur);
	assert_ptr_equal(mr->fk, ur_user);
	assert_ptr_equal(mr->through_fk, ur_role);
	m_rel *mu = rel(roles, "users");
	assert_ptr_equal(mu->through, ur);
	assert_ptr_equal(mu->fk, ur_role);
	assert_ptr_equal(mu->through_fk, ur_user);
	s_free(s);
}

static void test_inverse_linking(void **state)
{
	(void)state;
	S *s = load1(&rel_model);
	model *m = ok_model(s);
	m_table *users = table(m, "users");
	assert_ptr_equal(rel(users, "posts")->inverse, rel(table(m, "posts"), "author"));
	assert_ptr_equal(rel(table(m, "posts"), "author")->inverse, rel(users, "posts"));
	assert_ptr_equal(rel(users, "profile")->inverse, rel(table(m, "profiles"), "user"));
	assert_ptr_equal(rel(table(m, "profiles"), "user")->inverse, rel(users, "profile"));
	assert_ptr_equal(rel(users, "roles")->inverse, rel(table(m, "roles"), "users"));
	assert_ptr_equal(rel(table(m, "roles"), "users")->inverse, rel(users, "roles"));
	s_free(s);
}

static void test_inverse_needs_both_sides(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table a { id int primary key; bs has_many b }\n"
		"table b { id int primary key; a_id int references a }\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	assert_null(rel(table(m, "a"), "bs")->inverse);
	assert_int_equal(table(m, "b")->rels.n, 0);
	s_free(s);
}

static void test_load_strategy(void **state)
{
	(void)state;
	S *s = load1(&rel_model);
	model *m = ok_model(s);
	m_table *users = table(m, "users");
	/* not given: lazy */
	assert_int_equal(rel(users, "posts")->load, LOAD_LAZY);
	assert_int_equal(rel(users, "profile")->load, LOAD_LAZY);
	assert_int_equal(rel(table(m, "roles"), "users")->load, LOAD_LAZY);
	assert_int_equal(rel(users, "roles")->load, LOAD_SELECTIN);
	/* the strategy word is case-insensitive */
	assert_int_equal(rel(table(m, "posts"), "author")->load, LOAD_JOINED);
	s_free(s);

	static const mfile f = { "t.model",
		"table a { id int primary key; bs has_many b load eager; cs has_many b load subquery }\n"
		"table b { id int primary key; a_id int references a }\n" };
	s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "t.model:1:50: error: unknown load strategy 'eager'\n");
	has_diag(s, "  hint: use selectin, joined, subquery or lazy\n");
	s_free(s);
}

static void test_relationship_order_and_limit(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table a {\n"
		"  id int primary key\n"
		"  bs has_many b order by created desc nulls last, id limit 5\n"
		"}\n"
		"table b { id int primary key; created date; a_id int references a }\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_rel *r = rel(table(m, "a"), "bs");
	m_table *b = table(m, "b");
	assert_int_equal(r->order.n, 2);
	m_order *o = ITEM(r->order, 0, m_order *);
	assert_ptr_equal(o->col, col(b, "created"));
	assert_int_equal(o->sort, SORT_DESC);
	assert_int_equal(o->nulls, NULLS_LAST);
	o = ITEM(r->order, 1, m_order *);
	assert_ptr_equal(o->col, col(b, "id"));
	assert_int_equal(o->sort, SORT_DEFAULT);
	assert_int_equal(r->limit, 5);
	s_free(s);
}

static void test_fk_ambiguous_and_missing(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table users {\n"
		"  id int primary key\n"
		"  posts has_many posts\n"
		"  authored has_many posts(author_id)\n"
		"  things has_many other\n"
		"}\n"
		"table posts {\n"
		"  id int primary key\n"
		"  author_id int references users\n"
		"  editor_id int references users\n"
		"}\n"
		"table other { id int primary key }\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 2);
	has_diag(s, "t.model:3:3: error: relationship 'posts' is ambiguous: 2 foreign keys of 'posts' reference 'users'\n");
	has_diag(s, "  hint: name the foreign key columns: posts has_many posts(author_id) or posts has_many posts(editor_id)\n");
	has_diag(s, "t.model:5:3: error: relationship 'things': no foreign key of 'other' references 'users'\n");
	has_diag(s, "  hint: add a column to 'other' with 'references users', or a 'foreign key' clause\n");
	s_free(s);
}

static void test_self_many_to_many(void **state)
{
	(void)state;
	static const mfile ok = { "t.model",
		"table users {\n"
		"  id int primary key\n"
		"  follows many_to_many users through follows_j(follower_id, followed_id)\n"
		"  followers many_to_many users through follows_j(followed_id, follower_id)\n"
		"}\n"
		"table follows_j {\n"
		"  follower_id int references users\n"
		"  followed_id int references users\n"
		"  primary key (follower_id, followed_id)\n"
		"}\n" };
	S *s = load1(&ok);
	model *m = ok_model(s);
	m_table *u = table(m, "users"), *j = table(m, "follows_j");
	m_fk *f_er = ITEM(j->fks, 0, m_fk *), *f_ed = ITEM(j->fks, 1, m_fk *);
	m_rel *a = rel(u, "follows"), *b = rel(u, "followers");
	assert_ptr_equal(a->fk, f_er);
	assert_ptr_equal(a->through_fk, f_ed);
	assert_ptr_equal(b->fk, f_ed);
	assert_ptr_equal(b->through_fk, f_er);
	/* each is the other's inverse */
	assert_ptr_equal(a->inverse, b);
	assert_ptr_equal(b->inverse, a);
	s_free(s);

	static const mfile bad = { "t.model",
		"table users {\n"
		"  id int primary key\n"
		"  friends many_to_many users through friendships\n"
		"}\n"
		"table friendships {\n"
		"  a_id int references users\n"
		"  b_id int references users\n"
		"}\n" };
	s = load1(&bad);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "t.model:3:3: error: relationship 'friends' joins 'users' to itself: name the two columns of 'friendships'\n");
	has_diag(s, "  hint: write 'friends many_to_many users through friendships(from_column, to_column)'\n");
	s_free(s);
}

static void test_fk_targets(void **state)
{
	(void)state;
	static const mfile ok = { "t.model",
		"table r {\n"
		"  id int primary key\n"
		"  code text not null\n"
		"  a int\n"
		"  b int\n"
		"  unique index (code)\n"
		"  unique (a, b)\n"
		"}\n"
		"table t {\n"
		"  code varchar(10) references r(code)\n"
		"  x int\n"
		"  y bigint\n"
		"  foreign key (x, y) references r(a, b) on delete set null\n"
		"}\n" };
	S *s = load1(&ok);
	model *m = ok_model(s);
	m_table *t = table(m, "t"), *r = table(m, "r");
	assert_int_equal(t->fks.n, 2);
	/* a unique index is a valid target; text and varchar are compatible */
	m_fk *fk = ITEM(t->fks, 0, m_fk *);
	assert_ptr_equal(fk->ref, r);
	assert_ptr_equal(ITEM(fk->ref_cols, 0, m_column *), col(r, "code"));
	assert_string_equal(fk->name, "fk_t_code_r");
	/* composite key; integer widths may differ */
	fk = ITEM(t->fks, 1, m_fk *);
	assert_int_equal(fk->cols.n, 2);
	assert_string_equal(colname(&fk->ref_cols, 0), "a");
	assert_string_equal(colname(&fk->ref_cols, 1), "b");
	assert_int_equal(fk->on_delete, FK_SET_NULL);
	assert_string_equal(fk->name, "fk_t_x_y_r");
	s_free(s);

	static const mfile bad = { "t.model",
		"table r {\n"
		"  id int primary key\n"
		"  code text\n"
		"  k text\n"
		"  unique index (k) where id > 0\n"
		"}\n"
		"table t {\n"
		"  a text references r\n"
		"  b text references r(code)\n"
		"  c text references r(k)\n"
		"  d int not null references r on delete set null\n"
		"}\n" };
	s = load1(&bad);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 4);
	has_diag(s, "error: foreign key column 'a' is text but references r.id of type integer\n");
	has_diag(s, "t.model:9:23: error: foreign key references r(code), which is not a primary key or unique\n");
	has_diag(s, "  hint: add 'unique (code)' to table 'r'\n");
	/* a partial unique index does not make a key */
	has_diag(s, "t.model:10:23: error: foreign key references r(k), which is not a primary key or unique\n");
	has_diag(s, "error: 'on delete set null' on column 'd', which is not null\n");
	s_free(s);
}

/* ---- the blog example ------------------------------------------------------- */

static S *load_blog(char **text_out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/blog.model", tu_root());
	char *text = tu_read(path, NULL);
	assert_non_null(text);
	*text_out = text;
	mfile *f = malloc(sizeof *f);
	f->path = "examples/blog.model";
	f->text = text;
	S *s = load_files(f, 1);
	free(f);
	return s;
}

static void test_blog_model(void **state)
{
	(void)state;
	char *text;
	S *s = load_blog(&text);
	model *m = ok_model(s);
	assert_string_equal(m->name, "blog");
	assert_string_equal(m->source, "blog.model");
	assert_string_equal(m->doc, "Doc comments (three slashes) are carried into the generated header and into\n"
	                            "COMMENT ON statements in the DDL.");
	assert_int_equal(m->tables.n, 5);
	assert_int_equal(m->enums.n, 1);

	m_table *users = table(m, "users");
	static const char *const cols[] = { "id", "email", "name", "status", "created_at", "updated_at",
	                                    "is_deleted", "deleted_at" };
	assert_int_equal(users->columns.n, 8);
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(colname(&users->columns, i), cols[i]);
	assert_string_equal(col(users, "email")->type.sql, "varchar(255)");
	assert_int_equal(col(users, "status")->type.kind, T_ENUM);
	assert_string_equal(col(users, "status")->type.sql, "user_status");
	assert_string_equal(col(users, "status")->default_sql, "'active'");
	assert_string_equal(col(users, "id")->default_sql, "gen_random_uuid()");
	assert_string_equal(col(users, "created_at")->default_sql, "now()");
	assert_null(col(users, "created_at")->on_update_sql);
	assert_string_equal(col(users, "updated_at")->on_update_sql, "now()");
	assert_string_equal(col(users, "created_at")->mixin, "timestamps");
	assert_string_equal(col(users, "deleted_at")->mixin, "soft_delete");
	assert_false(col(users, "deleted_at")->not_null);
	assert_ptr_equal(users->soft_delete_flag, col(users, "is_deleted"));
	assert_ptr_equal(users->soft_delete_at, col(users, "deleted_at"));

	assert_int_equal(users->rels.n, 3);
	m_rel *r = rel(users, "posts");
	assert_int_equal(r->load, LOAD_SELECTIN);
	assert_int_equal(r->order.n, 1);
	assert_ptr_equal(ITEM(r->order, 0, m_order *)->col, col(table(m, "posts"), "created_at"));
	assert_int_equal(ITEM(r->order, 0, m_order *)->sort, SORT_DESC);
	assert_ptr_equal(r->inverse, rel(table(m, "posts"), "author"));
	assert_int_equal(rel(users, "accounts")->load, LOAD_LAZY);
	assert_null(rel(users, "accounts")->inverse);
	assert_ptr_equal(rel(users, "roles")->inverse, rel(table(m, "roles"), "users"));

	m_table *acc = table(m, "accounts");
	assert_string_equal(col(acc, "balance")->type.sql, "numeric(12,2)");
	m_table *posts = table(m, "posts");
	assert_int_equal(ITEM(posts->fks, 0, m_fk *)->on_delete, FK_CASCADE);
	assert_int_equal(ITEM(posts->fks, 0, m_fk *)->on_update, FK_NONE);
	assert_int_equal(ITEM(acc->fks, 0, m_fk *)->on_delete, FK_NONE);
	s_free(s);
	free(text);
}

static void test_blog_generated_names(void **state)
{
	(void)state;
	char *text;
	S *s = load_blog(&text);
	model *m = ok_model(s);
	m_table *users = table(m, "users"), *posts = table(m, "posts"), *roles = table(m, "roles");
	m_table *ur = table(m, "user_roles"), *acc = table(m, "accounts");

	assert_string_equal(users->pk->name, "pk_users");
	assert_int_equal(users->uniques.n, 1);
	assert_string_equal(ITEM(users->uniques, 0, m_key *)->name, "uq_users_email");
	assert_int_equal(users->indexes.n, 2);
	assert_string_equal(ITEM(users->indexes, 0, m_index *)->name, "ix_users_status_created_at");
	m_index *ix = ITEM(users->indexes, 1, m_index *);
	assert_string_equal(ix->name, "ix_users_email_active");
	assert_true(ix->unique);
	assert_string_equal(ix->where_sql, "not is_deleted");

	assert_string_equal(posts->pk->name, "pk_posts");
	assert_string_equal(ITEM(posts->fks, 0, m_fk *)->name, "fk_posts_author_id_users");
	assert_string_equal(ITEM(posts->indexes, 0, m_index *)->name, "ix_posts_author_id_created_at");
	assert_int_equal(ITEM(ITEM(posts->indexes, 0, m_index *)->elems, 1, m_index_elem *)->sort, SORT_DESC);

	assert_string_equal(roles->pk->name, "pk_roles");
	assert_string_equal(ITEM(roles->uniques, 0, m_key *)->name, "uq_roles_name");

	assert_string_equal(ur->pk->name, "pk_user_roles");
	assert_int_equal(ur->fks.n, 2);
	assert_string_equal(ITEM(ur->fks, 0, m_fk *)->name, "fk_user_roles_user_id_users");
	assert_string_equal(ITEM(ur->fks, 1, m_fk *)->name, "fk_user_roles_role_id_roles");

	assert_string_equal(acc->pk->name, "pk_accounts");
	assert_string_equal(ITEM(acc->fks, 0, m_fk *)->name, "fk_accounts_owner_id_users");
	assert_int_equal(acc->checks.n, 1);
	m_check *ck = ITEM(acc->checks, 0, m_check *);
	assert_string_equal(ck->name, "ck_accounts_balance");
	assert_string_equal(ck->sql, "balance >= 0");
	s_free(s);
	free(text);
}

/* ---- names ------------------------------------------------------------------ */

static void test_name_convention(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table r { id int primary key }\n"
		"table t {\n"
		"  a int\n"
		"  b int\n"
		"  c text\n"
		"  a2 int check (a2 > 0)\n"
		"  unique (a, b)\n"
		"  unique named_uq (c)\n"
		"  index (lower(c))\n"
		"  index (upper(c) desc)\n"
		"  index (a, (b + 1))\n"
		"  check (a > b)\n"
		"  check (b > a)\n"
		"  check (now() > '2000-01-01')\n"
		"  check ck_mine (c <> '')\n"
		"  foreign key (a) references r(id)\n"
		"  foreign key (b) references r\n"
		"}\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	/* no primary key: no pk name */
	assert_null(t->pk);
	assert_int_equal(t->uniques.n, 2);
	assert_string_equal(ITEM(t->uniques, 0, m_key *)->name, "uq_t_a_b");
	assert_string_equal(ITEM(t->uniques, 1, m_key *)->name, "named_uq");
	assert_int_equal(t->indexes.n, 3);
	assert_string_equal(ITEM(t->indexes, 0, m_index *)->name, "ix_t_lower_c");
	assert_string_equal(ITEM(ITEM(t->indexes, 0, m_index *)->elems, 0, m_index_elem *)->expr_sql, "lower(c)");
	/* a function call without extra parentheses is the same expression */
	assert_string_equal(ITEM(t->indexes, 1, m_index *)->name, "ix_t_upper_c");
	assert_string_equal(ITEM(ITEM(t->indexes, 1, m_index *)->elems, 0, m_index_elem *)->expr_sql, "upper(c)");
	assert_int_equal(ITEM(ITEM(t->indexes, 1, m_index *)->elems, 0, m_index_elem *)->sort, SORT_DESC);
	assert_string_equal(ITEM(t->indexes, 2, m_index *)->name, "ix_t_a_b_1");
	/* column-level checks first, then table-level ones in order; two
	 * checks on the same columns are numbered */
	assert_int_equal(t->checks.n, 5);
	static const char *const ck[][2] = {
		{ "ck_t_a2", "a2 > 0" }, { "ck_t_a_b", "a > b" }, { "ck_t_a_b_2", "b > a" },
		{ "ck_t_check", "now() > '2000-01-01'" }, { "ck_mine", "c <> ''" },
	};
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(ITEM(t->checks, i, m_check *)->name, ck[i][0]);
		assert_string_equal(ITEM(t->checks, i, m_check *)->sql, ck[i][1]);
	}
	assert_int_equal(t->fks.n, 2);
	assert_string_equal(ITEM(t->fks, 0, m_fk *)->name, "fk_t_a_r");
	assert_string_equal(ITEM(t->fks, 1, m_fk *)->name, "fk_t_b_r");
	assert_string_equal(table(m, "r")->pk->name, "pk_r");
	s_free(s);
}

/* Expected truncated name, computed here: the first 54 bytes, '_', and 8 hex
 * digits of FNV-1a 32 of the whole name. */
static char *truncated(const char *full)
{
	char *r = malloc(64);
	assert_true(strlen(full) > 63);
	snprintf(r, 64, "%.54s_%08x", full, (unsigned)my_fnv1a(full));
	return r;
}

static void test_name_truncation(void **state)
{
	(void)state;
	/* table names of 61 and 60 bytes: "pk_" makes 64 and 63 bytes */
	const char *t61 = "customer_loyalty_program_membership_tier_history_entries_abcd";
	const char *t60 = "customer_loyalty_program_membership_tier_history_entries_abc";
	assert_int_equal(strlen(t61), 61);
	assert_int_equal(strlen(t60), 60);
	const char *c40a = "first_rather_long_column_name_for_naming";
	const char *c40b = "other_rather_long_column_name_for_naming";
	assert_int_equal(strlen(c40a), 40);
	char text[2048];
	snprintf(text, sizeof text,
	         "table %s { id int primary key }\n"
	         "table %s { id int primary key }\n"
	         "table t {\n"
	         "  %s int\n"
	         "  %s int\n"
	         "  unique (%s, %s)\n"
	         "  index (%s, %s)\n"
	         "  foreign key (%s) references %s\n"
	         "}\n",
	         t61, t60, c40a, c40b, c40a, c40b, c40b, c40a, c40a, t61);
	mfile f = { "t.model", text };
	S *s = load1(&f);
	model *m = ok_model(s);

	char full[256];
	snprintf(full, sizeof full, "pk_%s", t61);
	char *want = truncated(full);
	const char *got = table(m, t61)->pk->name;
	assert_int_equal(strlen(got), 63);
	assert_string_equal(got, want);
	/* the kept prefix is exactly the first 54 bytes */
	assert_memory_equal(got, full, 54);
	assert_int_equal(got[54], '_');
	free(want);

	/* 63 bytes fit: no truncation */
	snprintf(full, sizeof full, "pk_%s", t60);
	assert_string_equal(table(m, t60)->pk->name, full);

	m_table *t = table(m, "t");
	snprintf(full, sizeof full, "uq_t_%s_%s", c40a, c40b);
	want = truncated(full);
	assert_string_equal(ITEM(t->uniques, 0, m_key *)->name, want);
	free(want);
	snprintf(full, sizeof full, "ix_t_%s_%s", c40b, c40a);
	want = truncated(full);
	assert_string_equal(ITEM(t->indexes, 0, m_index *)->name, want);
	free(want);
	snprintf(full, sizeof full, "fk_t_%s_%s", c40a, t61);
	want = truncated(full);
	assert_string_equal(ITEM(t->fks, 0, m_fk *)->name, want);
	free(want);
	s_free(s);
}

static void test_name_truncation_keeps_utf8_whole(void **state)
{
	(void)state;
	/* "pk_" + 50 ASCII bytes + "\xc3\xa9" (e-acute) + 8 bytes: byte 54 of the
	 * full name is the second byte of the e-acute, so the cut moves back one
	 * byte rather than split the character */
	char name[80];
	snprintf(name, sizeof name, "%s\xc3\xa9%s", "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdef", "_suffix1");
	assert_int_equal(strlen(name), 60);
	char text[256];
	snprintf(text, sizeof text, "table \"%s\" { id int primary key }\n", name);
	mfile f = { "t.model", text };
	S *s = load1(&f);
	model *m = ok_model(s);
	char full[128];
	snprintf(full, sizeof full, "pk_%s", name);
	assert_int_equal(strlen(full), 63);
	/* 63 bytes: kept as is */
	assert_string_equal(table(m, name)->pk->name, full);
	s_free(s);

	snprintf(text, sizeof text, "table \"%sx\" { id int primary key }\n", name);
	f.text = text;
	s = load1(&f);
	m = ok_model(s);
	snprintf(full, sizeof full, "pk_%sx", name);
	assert_int_equal(strlen(full), 64);
	assert_int_equal((unsigned char)full[53], 0xc3);
	assert_int_equal((unsigned char)full[54], 0xa9);
	char want[96];
	snprintf(want, sizeof want, "%.53s_%08x", full, (unsigned)my_fnv1a(full));
	char tname[96];
	snprintf(tname, sizeof tname, "%sx", name);
	assert_string_equal(table(m, tname)->pk->name, want);
	s_free(s);
}

static void test_duplicate_generated_name(void **state)
{
	(void)state;
	/* an explicit index name equal to a generated one */
	static const mfile f = { "t.model",
		"table t {\n"
		"  a int unique\n"
		"  index uq_t_a (a)\n"
		"}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	/* reported at the explicit name, with a note at the generated one */
	has_diag(s, "t.model:3:9: error: name 'uq_t_a' is already used\n");
	has_diag(s, "t.model:2:9: note: 'uq_t_a' first used here\n");
	s_free(s);
}

/* ---- SQL quoting in expressions --------------------------------------------- */

static void test_sql_quoting_in_expressions(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table t {\n"
		"  \"userId\" int not null check (\"userId\" > 0)\n"
		"  order int check (order >= 0)\n"
		"  user text default current_user check (user <> '')\n"
		"  Flag boolean\n"
		"  lower_name text generated always as (lower(user) || \"userId\"::text) stored\n"
		"  index (lower_name) where \"Flag\" and order > 1\n"
		"  index (lower(\"userId\"::text))\n"
		"  index (order) where Flag\n"
		"}\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	m_table *t = table(m, "t");
	assert_int_equal(t->checks.n, 3);
	assert_string_equal(ITEM(t->checks, 0, m_check *)->sql, "\"userId\" > 0");
	assert_string_equal(ITEM(t->checks, 1, m_check *)->sql, "\"order\" >= 0");
	assert_string_equal(ITEM(t->checks, 2, m_check *)->sql, "\"user\" <> ''");
	/* names use the column names unquoted */
	assert_string_equal(ITEM(t->checks, 0, m_check *)->name, "ck_t_userId");
	assert_string_equal(ITEM(t->checks, 1, m_check *)->name, "ck_t_order");
	/* in a default, SQL words are SQL */
	assert_string_equal(col(t, "user")->default_sql, "current_user");
	assert_string_equal(col(t, "lower_name")->generated_sql, "lower(\"user\") || \"userId\"::text");
	assert_int_equal(t->indexes.n, 3);
	assert_string_equal(ITEM(t->indexes, 0, m_index *)->where_sql, "\"Flag\" and \"order\" > 1");
	assert_string_equal(ITEM(t->indexes, 1, m_index *)->name, "ix_t_lower_userId_text");
	assert_string_equal(ITEM(ITEM(t->indexes, 1, m_index *)->elems, 0, m_index_elem *)->expr_sql,
	                    "lower(\"userId\"::text)");
	assert_string_equal(ITEM(t->indexes, 2, m_index *)->where_sql, "\"Flag\"");
	assert_string_equal(ITEM(t->indexes, 2, m_index *)->name, "ix_t_order");
	s_free(s);
}

static void test_sql_ident(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	assert_string_equal(sql_ident(&a, "users"), "users");
	assert_string_equal(sql_ident(&a, "_x1$"), "_x1$");
	assert_string_equal(sql_ident(&a, "user"), "\"user\"");
	assert_string_equal(sql_ident(&a, "order"), "\"order\"");
	assert_string_equal(sql_ident(&a, "Users"), "\"Users\"");
	assert_string_equal(sql_ident(&a, "a-b"), "\"a-b\"");
	assert_string_equal(sql_ident(&a, "1st"), "\"1st\"");
	assert_string_equal(sql_ident(&a, "say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_true(sql_is_reserved("SELECT"));
	assert_false(sql_is_reserved("status"));
	arena_free(&a);
}

static void test_expression_errors(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table t {\n"
		"  name text\n"
		"  a int default name\n"
		"  check (nme <> '')\n"
		"  b int default nonsense + 1\n"
		"}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 3);
	has_diag(s, "t.model:3:17: error: a default cannot refer to column 'name'\n");
	has_diag(s, "t.model:4:10: error: unknown column 'nme' in table 't'\n");
	has_diag(s, "  hint: did you mean 'name'?\n");
	has_diag(s, "t.model:5:17: error: unknown name 'nonsense' in a default\n");
	s_free(s);
}

/* ---- dependency order -------------------------------------------------------- */

static void test_dependency_order(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table c { id int primary key; b_id int references b(id) }\n"
		"table b { id int primary key; a_id int references a(id) }\n"
		"table a { id int primary key; parent int references a(id) }\n"
		"table z { id int primary key }\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	/* declaration order is kept in tables */
	static const char *const decl[] = { "c", "b", "a", "z" };
	static const char *const dep[] = { "a", "b", "c", "z" };
	assert_int_equal(m->tables.n, 4);
	assert_int_equal(m->tables_dep.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(ITEM(m->tables, i, m_table *)->name, decl[i]);
		assert_string_equal(ITEM(m->tables_dep, i, m_table *)->name, dep[i]);
		assert_int_equal(ITEM(m->tables_dep, i, m_table *)->order, (int)i);
	}
	s_free(s);
}

static void test_dependency_order_cycle(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"table q { id int primary key; p_id int references p(id) }\n"
		"table x { id int primary key; q_id int references q(id) }\n"
		"table p { id int primary key; q_id int references q(id) }\n" };
	S *s = load1(&f);
	model *m = ok_model(s);
	/* q and p reference each other: every table still appears once, and x
	 * comes after q */
	assert_int_equal(m->tables_dep.n, 3);
	int pos_q = -1, pos_x = -1, pos_p = -1;
	for (int i = 0; i < 3; i++) {
		const char *n = ITEM(m->tables_dep, (size_t)i, m_table *)->name;
		if (!strcmp(n, "q")) pos_q = i;
		if (!strcmp(n, "x")) pos_x = i;
		if (!strcmp(n, "p")) pos_p = i;
	}
	assert_true(pos_q >= 0 && pos_x >= 0 && pos_p >= 0);
	assert_true(pos_q < pos_x);
	s_free(s);
}

/* ---- imports ------------------------------------------------------------------ */

static void test_imports(void **state)
{
	(void)state;
	static const mfile files[] = {
		{ "app/main.model",
		  "import \"lib/common.model\"\n"
		  "import './lib/../lib/types.model'\n"
		  "table orders {\n"
		  "  id bigserial primary key\n"
		  "  customer_id int not null references customers(id)\n"
		  "  status order_status not null default 'new'\n"
		  "  use audit\n"
		  "}\n" },
		{ "app/lib/common.model",
		  "import \"types.model\"\n"
		  "extension pg_trgm\n"
		  "mixin audit { created_at timestamptz not null default now() }\n"
		  "table customers { id serial primary key; level tier }\n" },
		{ "app/lib/types.model",
		  "enum order_status { new, paid }\n"
		  "enum tier { gold, silver }\n" },
	};
	S *s = load_files(files, 3);
	model *m = ok_model(s);
	assert_string_equal(m->name, "main");
	assert_string_equal(m->source, "main.model");
	/* each file read once, in load order; paths relative to the importer */
	assert_int_equal(s->fs.nloaded, 3);
	assert_string_equal(s->fs.loaded[0], "app/main.model");
	assert_string_equal(s->fs.loaded[1], "app/lib/common.model");
	assert_string_equal(s->fs.loaded[2], "app/lib/types.model");
	assert_int_equal(m->files.n, 3);
	assert_string_equal(ITEM(m->files, 0, const char *), "app/main.model");
	assert_string_equal(ITEM(m->files, 1, const char *), "app/lib/common.model");
	assert_string_equal(ITEM(m->files, 2, const char *), "app/lib/types.model");
	/* imports before importers */
	assert_int_equal(m->enums.n, 2);
	assert_string_equal(ITEM(m->enums, 0, m_enum *)->name, "order_status");
	assert_string_equal(ITEM(m->enums, 1, m_enum *)->name, "tier");
	assert_int_equal(m->tables.n, 2);
	assert_string_equal(ITEM(m->tables, 0, m_table *)->name, "customers");
	assert_string_equal(ITEM(m->tables, 1, m_table *)->name, "orders");
	assert_int_equal(m->extensions.n, 1);
	assert_string_equal(ITEM(m->extensions, 0, const char *), "pg_trgm");
	/* names resolve across files */
	m_table *orders = table(m, "orders");
	assert_ptr_equal(col(orders, "status")->type.en, ITEM(m->enums, 0, m_enum *));
	assert_ptr_equal(ITEM(orders->fks, 0, m_fk *)->ref, table(m, "customers"));
	assert_string_equal(col(orders, "created_at")->mixin, "audit");
	assert_ptr_equal(col(table(m, "customers"), "level")->type.en, ITEM(m->enums, 1, m_enum *));
	assert_string_equal(ITEM(m->tables_dep, 0, m_table *)->name, "customers");
	s_free(s);
}

static void test_import_errors(void **state)
{
	(void)state;
	static const mfile cycle[] = {
		{ "a.model", "import 'b.model'\ntable ta { id int }\n" },
		{ "b.model", "table tb { id int }\nimport \"a.model\"\n" },
	};
	S *s = load_files(cycle, 2);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "b.model:2:8: error: import cycle: 'a.model' imports 'b.model' imports 'a.model'\n");
	s_free(s);

	static const mfile self[] = { { "a.model", "import 'a.model'\n" } };
	s = load_files(self, 1);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "a.model:1:8: error: import cycle: 'a.model' imports 'a.model'\n");
	s_free(s);

	static const mfile missing[] = { { "dir/m.model", "\n\nimport 'nope.model'\ntable t { id int }\n" } };
	s = load_files(missing, 1);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "dir/m.model:3:8: error: cannot import 'nope.model': no such file\n");
	/* the path was resolved against the importer's folder */
	assert_string_equal(s->fs.loaded[1], "dir/nope.model");
	s_free(s);

	/* an error inside an imported file is reported with that file's path */
	static const mfile bad[] = {
		{ "m.model", "import 'sub/bad.model'\ntable t { id int }\n" },
		{ "sub/bad.model", "table x {\n  a intger\n}\n" },
	};
	s = load_files(bad, 2);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "sub/bad.model:2:5: error: unknown type 'intger'\n");
	s_free(s);

	/* the main file itself missing */
	static const mfile none[] = { { "absent.model", NULL } };
	mfs fs = { NULL, 0, { 0 }, 0 };
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	assert_null(model_load(&d, none[0].path, mem_load, &fs));
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(buf_cstr(&d.out), "modelc: error: cannot read 'absent.model': no such file\n"));
	diag_dispose(&d);
	arena_free(&a);
}

/* ---- errors: no model, every error counted ----------------------------------- */

static void test_errors_give_null_model(void **state)
{
	(void)state;
	static const mfile f = { "t.model",
		"enum mood { happy, sad }\n"
		"table t {\n"
		"  id int primary key\n"
		"  a strng\n"
		"  b int references nope(id)\n"
		"  use nomixin\n"
		"  c int not null null\n"
		"  d mood default 'angry'\n"
		"}\n"
		"table t { x int }\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 6);
	has_diag(s, "t.model:4:5: error: unknown type 'strng'\n");
	has_diag(s, "t.model:5:20: error: unknown table 'nope'\n");
	has_diag(s, "t.model:6:7: error: unknown mixin 'nomixin'\n");
	has_diag(s, "t.model:7:18: error: column 'c' is declared both null and not null\n");
	has_diag(s, "t.model:8:18: error: 'angry' is not a label of enum 'mood'\n");
	has_diag(s, "t.model:10:7: error: duplicate table 't'\n");
	has_diag(s, "t.model:2:7: note: 't' first defined here\n");
	assert_int_equal(s->d.notes >= 1, 1);
	s_free(s);
}

static void test_syntax_error_gives_null_model(void **state)
{
	(void)state;
	/* a syntax error stops before the semantic pass: only that error */
	static const mfile f = { "t.model", "table t {\n  a int not not\n  b nosuchtype\n}\n" };
	S *s = load1(&f);
	assert_null(s->m);
	assert_int_equal(s->d.errors, 1);
	has_diag(s, "t.model:2:13: error: syntax error, unexpected 'not', expecting 'null'\n");
	s_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_canonical),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_nullability),
		cmocka_unit_test(test_mixins_expanded_in_use_order),
		cmocka_unit_test(test_mixin_soft_delete),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_fk_inference),
		cmocka_unit_test(test_inverse_linking),
		cmocka_unit_test(test_inverse_needs_both_sides),
		cmocka_unit_test(test_load_strategy),
		cmocka_unit_test(test_relationship_order_and_limit),
		cmocka_unit_test(test_fk_ambiguous_and_missing),
		cmocka_unit_test(test_self_many_to_many),
		cmocka_unit_test(test_fk_targets),
		cmocka_unit_test(test_blog_model),
		cmocka_unit_test(test_blog_generated_names),
		cmocka_unit_test(test_name_convention),
		cmocka_unit_test(test_name_truncation),
		cmocka_unit_test(test_name_truncation_keeps_utf8_whole),
		cmocka_unit_test(test_duplicate_generated_name),
		cmocka_unit_test(test_sql_quoting_in_expressions),
		cmocka_unit_test(test_sql_ident),
		cmocka_unit_test(test_expression_errors),
		cmocka_unit_test(test_dependency_order),
		cmocka_unit_test(test_dependency_order_cycle),
		cmocka_unit_test(test_imports),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_errors_give_null_model),
		cmocka_unit_test(test_syntax_error_gives_null_model),
	};
	return cmocka_run_group_tests_name("sema", tests, NULL, NULL);
}

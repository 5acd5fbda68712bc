/* test_parser.c - the bison grammar (grammar/parser.y) through parse_file:
 * the raw tree of the blog example and of every construct, node locations,
 * doc comments, and error reporting with recovery. */
#include "testutil.h"

#include "ast.h"

typedef struct P {
	arena a;
	diag_ctx d;
	uint32_t file;
	const char *src;
	ast_file *f;
} P;

static P *parse_named(const char *path, const char *src, size_t len)
{
	P *p = calloc(1, sizeof *p);
	assert_non_null(p);
	arena_init(&p->a);
	diag_init(&p->d, &p->a);
	p->file = diag_add_file(&p->d, path, src, len);
	p->src = diag_file(&p->d, p->file)->text;
	p->f = parse_file(&p->d, p->file);
	assert_non_null(p->f);
	assert_int_equal(p->f->file, p->file);
	return p;
}

static P *parse(const char *src) { return parse_named("t.model", src, strlen(src)); }

static void p_free(P *p)
{
	diag_dispose(&p->d);
	arena_free(&p->a);
	free(p);
}

static const char *diags(P *p) { return p->d.out.data ? buf_cstr(&p->d.out) : ""; }

static void no_errors(P *p)
{
	if (p->d.errors)
		fail_msg("unexpected errors:\n%s", diags(p));
}

/* The location starts at line:col and covers exactly `text`. */
static void check_loc(P *p, loc l, unsigned line, unsigned col, const char *text)
{
	assert_int_equal(l.file, p->file);
	unsigned ln, cl;
	diag_linecol(&p->d, l, &ln, &cl);
	if (ln != line || cl != col)
		fail_msg("location %u:%u, want %u:%u (%s)", ln, cl, line, col, text);
	if (l.len != strlen(text) || memcmp(p->src + l.off, text, l.len) != 0)
		fail_msg("location covers '%.*s', want '%s'", (int)l.len, p->src + l.off, text);
}

static ast_decl *decl_at(P *p, size_t i)
{
	assert_true(i < p->f->decls.n);
	return p->f->decls.items[i];
}

static ast_member *mem_at(const ast_decl *d, size_t i)
{
	assert_true(i < d->members.n);
	return d->members.items[i];
}

static ast_modifier *mod_at(const ast_member *m, size_t i)
{
	assert_true(i < m->mods.n);
	return m->mods.items[i];
}

static const char *id_at(const vec *v, size_t i)
{
	assert_true(i < v->n);
	return ((ast_ident *)v->items[i])->name;
}

static const char *tok_at(const vec *v, size_t i)
{
	assert_true(i < v->n);
	return ((ast_tok *)v->items[i])->text;
}

/* The tokens of an expression joined by single spaces. */
static const char *toks_joined(P *p, const vec *v)
{
	buf b;
	buf_init(&b);
	for (size_t i = 0; i < v->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", ((ast_tok *)v->items[i])->text);
	const char *r = arena_strndup(&p->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* Enum labels without the separator markers the grammar keeps. */
static size_t nlabels(const ast_decl *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->labels.n; i++)
		if (d->labels.items[i])
			n++;
	return n;
}

static ast_enum_label *label_at(const ast_decl *d, size_t k)
{
	for (size_t i = 0; i < d->labels.n; i++)
		if (d->labels.items[i] && k-- == 0)
			return d->labels.items[i];
	fail_msg("no label %zu", k);
	return NULL;
}

static P *parse_blog(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/blog.model", tu_root());
	size_t len;
	char *text = tu_read(path, &len);
	assert_non_null(text);
	P *p = parse_named("blog.model", text, len);
	free(text);
	return p;
}

/* ---- the blog example ---------------------------------------------------- */

static void test_blog_declarations(void **state)
{
	(void)state;
	P *p = parse_blog();
	no_errors(p);
	static const struct { ast_decl_kind kind; const char *name; size_t members; } want[] = {
		{ DECL_ENUM, "user_status", 0 }, { DECL_MIXIN, "timestamps", 2 },
		{ DECL_MIXIN, "soft_delete", 3 }, { DECL_TABLE, "users", 10 },
		{ DECL_TABLE, "posts", 8 }, { DECL_TABLE, "roles", 3 },
		{ DECL_TABLE, "user_roles", 3 }, { DECL_TABLE, "accounts", 3 },
	};
	assert_int_equal(p->f->decls.n, 8);
	for (size_t i = 0; i < 8; i++) {
		ast_decl *d = decl_at(p, i);
		assert_int_equal(d->kind, want[i].kind);
		assert_string_equal(d->name->name, want[i].name);
		assert_int_equal(d->members.n, want[i].members);
		/* the file doc is not the first declaration's doc */
		assert_null(d->doc);
	}
	/* the /// block followed by a blank line documents the file */
	assert_string_equal(p->f->doc, "Doc comments (three slashes) are carried into the generated header and into\n"
	                               "COMMENT ON statements in the DDL.");
	/* enum labels */
	ast_decl *e = decl_at(p, 0);
	assert_int_equal(nlabels(e), 3);
	assert_string_equal(label_at(e, 0)->label, "active");
	assert_string_equal(label_at(e, 1)->label, "suspended");
	assert_string_equal(label_at(e, 2)->label, "banned");
	for (size_t k = 0; k < 3; k++)
		assert_false(label_at(e, k)->quoted);
	p_free(p);
}

static void test_blog_mixins(void **state)
{
	(void)state;
	P *p = parse_blog();
	no_errors(p);
	ast_decl *ts = decl_at(p, 1);
	ast_member *c = mem_at(ts, 0);
	assert_int_equal(c->kind, MEM_COLUMN);
	assert_string_equal(c->name->name, "created_at");
	assert_int_equal(c->type->words.n, 1);
	assert_string_equal(id_at(&c->type->words, 0), "timestamptz");
	assert_false(c->type->has_params);
	assert_int_equal(c->type->array_dims, 0);
	assert_int_equal(c->mods.n, 2);
	assert_int_equal(mod_at(c, 0)->kind, MOD_NOT_NULL);
	assert_int_equal(mod_at(c, 1)->kind, MOD_DEFAULT);
	assert_string_equal(toks_joined(p, &mod_at(c, 1)->expr->toks), "now ( )");
	assert_int_equal(((ast_tok *)mod_at(c, 1)->expr->toks.items[0])->kind, TOK_WORD);
	assert_int_equal(((ast_tok *)mod_at(c, 1)->expr->toks.items[1])->kind, TOK_PUNCT);

	c = mem_at(ts, 1);
	assert_string_equal(c->name->name, "updated_at");
	assert_int_equal(c->mods.n, 3);
	assert_int_equal(mod_at(c, 0)->kind, MOD_NOT_NULL);
	assert_int_equal(mod_at(c, 1)->kind, MOD_DEFAULT);
	assert_int_equal(mod_at(c, 2)->kind, MOD_ON_UPDATE_EXPR);
	/* the default stops before "on update" */
	assert_string_equal(toks_joined(p, &mod_at(c, 1)->expr->toks), "now ( )");
	assert_string_equal(toks_joined(p, &mod_at(c, 2)->expr->toks), "now ( )");

	ast_decl *sd = decl_at(p, 2);
	c = mem_at(sd, 0);
	assert_string_equal(c->name->name, "is_deleted");
	assert_string_equal(id_at(&c->type->words, 0), "boolean");
	assert_string_equal(toks_joined(p, &mod_at(c, 1)->expr->toks), "false");
	c = mem_at(sd, 1);
	assert_string_equal(c->name->name, "deleted_at");
	assert_int_equal(c->mods.n, 0);
	ast_member *soft = mem_at(sd, 2);
	assert_int_equal(soft->kind, MEM_SOFT_DELETE);
	assert_int_equal(soft->idents.n, 2);
	assert_string_equal(id_at(&soft->idents, 0), "is_deleted");
	assert_string_equal(id_at(&soft->idents, 1), "deleted_at");
	p_free(p);
}

static void test_blog_users(void **state)
{
	(void)state;
	P *p = parse_blog();
	no_errors(p);
	ast_decl *u = decl_at(p, 3);
	static const ast_member_kind kinds[] = {
		MEM_USE, MEM_COLUMN, MEM_COLUMN, MEM_COLUMN, MEM_COLUMN,
		MEM_RELATIONSHIP, MEM_RELATIONSHIP, MEM_RELATIONSHIP, MEM_INDEX, MEM_INDEX,
	};
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(mem_at(u, i)->kind, kinds[i]);

	ast_member *use = mem_at(u, 0);
	assert_int_equal(use->idents.n, 2);
	assert_string_equal(id_at(&use->idents, 0), "timestamps");
	assert_string_equal(id_at(&use->idents, 1), "soft_delete");

	ast_member *id = mem_at(u, 1);
	assert_string_equal(id->name->name, "id");
	assert_string_equal(id_at(&id->type->words, 0), "uuid");
	assert_int_equal(id->mods.n, 2);
	assert_int_equal(mod_at(id, 0)->kind, MOD_PRIMARY_KEY);
	assert_int_equal(mod_at(id, 1)->kind, MOD_DEFAULT);
	assert_string_equal(toks_joined(p, &mod_at(id, 1)->expr->toks), "gen_random_uuid ( )");

	ast_member *email = mem_at(u, 2);
	assert_string_equal(id_at(&email->type->words, 0), "varchar");
	assert_true(email->type->has_params);
	assert_int_equal(email->type->params.n, 1);
	assert_string_equal(tok_at(&email->type->params, 0), "255");
	assert_int_equal(((ast_tok *)email->type->params.items[0])->kind, TOK_NUMBER);
	assert_int_equal(email->mods.n, 2);
	assert_int_equal(mod_at(email, 0)->kind, MOD_NOT_NULL);
	assert_int_equal(mod_at(email, 1)->kind, MOD_UNIQUE);

	ast_member *status = mem_at(u, 4);
	assert_string_equal(id_at(&status->type->words, 0), "user_status");
	assert_int_equal(mod_at(status, 1)->expr->toks.n, 1);
	assert_string_equal(tok_at(&mod_at(status, 1)->expr->toks, 0), "'active'");
	assert_int_equal(((ast_tok *)mod_at(status, 1)->expr->toks.items[0])->kind, TOK_STRING);

	ast_member *posts = mem_at(u, 5);
	assert_string_equal(posts->name->name, "posts");
	assert_int_equal(posts->rel_kind, REL_HAS_MANY);
	assert_string_equal(posts->target->name, "posts");
	assert_true(posts->has_fk_list);
	assert_int_equal(posts->fk_cols.n, 1);
	assert_string_equal(id_at(&posts->fk_cols, 0), "author_id");
	assert_null(posts->through);
	assert_int_equal(posts->rel_opts.n, 2);
	ast_rel_option *o = posts->rel_opts.items[0];
	assert_int_equal(o->kind, RELOPT_LOAD);
	assert_string_equal(o->load_word->name, "selectin");
	o = posts->rel_opts.items[1];
	assert_int_equal(o->kind, RELOPT_ORDER_BY);
	assert_int_equal(o->order.n, 1);
	ast_order_item *oi = o->order.items[0];
	assert_string_equal(oi->column->name, "created_at");
	assert_int_equal(oi->sort, SORT_DESC);
	assert_int_equal(oi->nulls, NULLS_DEFAULT);

	ast_member *roles = mem_at(u, 6);
	assert_int_equal(roles->rel_kind, REL_MANY_TO_MANY);
	assert_string_equal(roles->target->name, "roles");
	assert_non_null(roles->through);
	assert_string_equal(roles->through->name, "user_roles");
	assert_int_equal(roles->through_cols.n, 0);
	assert_int_equal(roles->fk_cols.n, 0);
	assert_false(roles->has_fk_list);
	assert_int_equal(roles->rel_opts.n, 1);
	assert_string_equal(((ast_rel_option *)roles->rel_opts.items[0])->load_word->name, "selectin");

	ast_member *acc = mem_at(u, 7);
	assert_int_equal(acc->rel_kind, REL_HAS_MANY);
	assert_string_equal(id_at(&acc->fk_cols, 0), "owner_id");
	assert_string_equal(((ast_rel_option *)acc->rel_opts.items[0])->load_word->name, "lazy");

	ast_member *ix = mem_at(u, 8);
	assert_false(ix->unique);
	assert_null(ix->name);
	assert_int_equal(ix->elems.n, 2);
	ast_index_elem *el = ix->elems.items[0];
	assert_string_equal(el->column->name, "status");
	assert_null(el->expr);
	assert_null(el->opclass);
	assert_int_equal(el->sort, SORT_DEFAULT);
	el = ix->elems.items[1];
	assert_string_equal(el->column->name, "created_at");
	assert_null(ix->using);
	assert_int_equal(ix->include.n, 0);
	assert_null(ix->where);

	ix = mem_at(u, 9);
	assert_true(ix->unique);
	assert_string_equal(ix->name->name, "ix_users_email_active");
	assert_int_equal(ix->elems.n, 1);
	assert_string_equal(((ast_index_elem *)ix->elems.items[0])->column->name, "email");
	assert_non_null(ix->where);
	assert_string_equal(toks_joined(p, &ix->where->toks), "not is_deleted");
	p_free(p);
}

static void test_blog_other_tables(void **state)
{
	(void)state;
	P *p = parse_blog();
	no_errors(p);
	ast_decl *posts = decl_at(p, 4);
	ast_member *aid = mem_at(posts, 2);
	assert_string_equal(aid->name->name, "author_id");
	assert_int_equal(aid->mods.n, 3);
	assert_int_equal(mod_at(aid, 0)->kind, MOD_NOT_NULL);
	ast_modifier *ref = mod_at(aid, 1);
	assert_int_equal(ref->kind, MOD_REFERENCES);
	assert_string_equal(ref->ref_table->name, "users");
	assert_int_equal(ref->ref_cols.n, 1);
	assert_string_equal(id_at(&ref->ref_cols, 0), "id");
	assert_int_equal(mod_at(aid, 2)->kind, MOD_ON_DELETE_ACTION);
	assert_int_equal(mod_at(aid, 2)->action, FK_CASCADE);

	ast_member *views = mem_at(posts, 5);
	assert_string_equal(views->name->name, "views");
	assert_string_equal(id_at(&views->type->words, 0), "integer");
	assert_string_equal(toks_joined(p, &mod_at(views, 1)->expr->toks), "0");
	assert_int_equal(((ast_tok *)mod_at(views, 1)->expr->toks.items[0])->kind, TOK_NUMBER);

	ast_member *author = mem_at(posts, 6);
	assert_int_equal(author->kind, MEM_RELATIONSHIP);
	assert_int_equal(author->rel_kind, REL_BELONGS_TO);
	assert_string_equal(author->target->name, "users");
	assert_string_equal(id_at(&author->fk_cols, 0), "author_id");
	assert_string_equal(((ast_rel_option *)author->rel_opts.items[0])->load_word->name, "joined");

	ast_member *ix = mem_at(posts, 7);
	assert_int_equal(ix->kind, MEM_INDEX);
	assert_int_equal(ix->elems.n, 2);
	assert_int_equal(((ast_index_elem *)ix->elems.items[0])->sort, SORT_DEFAULT);
	assert_string_equal(((ast_index_elem *)ix->elems.items[1])->column->name, "created_at");
	assert_int_equal(((ast_index_elem *)ix->elems.items[1])->sort, SORT_DESC);

	ast_decl *roles = decl_at(p, 5);
	ast_member *rid = mem_at(roles, 0);
	assert_string_equal(id_at(&rid->type->words, 0), "serial");
	ast_member *ru = mem_at(roles, 2);
	assert_int_equal(ru->rel_kind, REL_MANY_TO_MANY);
	assert_string_equal(ru->target->name, "users");
	assert_string_equal(ru->through->name, "user_roles");
	assert_int_equal(ru->rel_opts.n, 0);

	ast_decl *ur = decl_at(p, 6);
	ast_member *pk = mem_at(ur, 2);
	assert_int_equal(pk->kind, MEM_PRIMARY_KEY);
	assert_int_equal(pk->idents.n, 2);
	assert_string_equal(id_at(&pk->idents, 0), "user_id");
	assert_string_equal(id_at(&pk->idents, 1), "role_id");

	ast_decl *acc = decl_at(p, 7);
	ast_member *bal = mem_at(acc, 2);
	assert_string_equal(id_at(&bal->type->words, 0), "numeric");
	assert_true(bal->type->has_params);
	assert_string_equal(toks_joined(p, &bal->type->params), "12 , 2");
	assert_int_equal(bal->mods.n, 3);
	assert_int_equal(mod_at(bal, 2)->kind, MOD_CHECK);
	/* the check's tokens are inside its parentheses */
	assert_string_equal(toks_joined(p, &mod_at(bal, 2)->expr->toks), "balance >= 0");
	ast_member *owner = mem_at(acc, 1);
	ast_modifier *oref = mod_at(owner, 1);
	assert_int_equal(oref->kind, MOD_REFERENCES);
	assert_string_equal(oref->ref_table->name, "users");
	assert_int_equal(owner->mods.n, 2);
	p_free(p);
}

static void test_blog_locations(void **state)
{
	(void)state;
	P *p = parse_blog();
	no_errors(p);
	ast_decl *e = decl_at(p, 0);
	check_loc(p, e->at, 5, 1, "enum user_status { active, suspended, banned }");
	check_loc(p, e->name->at, 5, 6, "user_status");
	check_loc(p, label_at(e, 0)->at, 5, 20, "active");
	check_loc(p, label_at(e, 1)->at, 5, 28, "suspended");
	check_loc(p, label_at(e, 2)->at, 5, 39, "banned");

	ast_decl *ts = decl_at(p, 1);
	check_loc(p, ts->name->at, 7, 7, "timestamps");
	ast_member *c = mem_at(ts, 0);
	check_loc(p, c->at, 8, 3, "created_at  timestamptz  not null  default now()");
	check_loc(p, c->name->at, 8, 3, "created_at");
	check_loc(p, c->type->at, 8, 15, "timestamptz");
	check_loc(p, mod_at(c, 0)->at, 8, 28, "not null");
	check_loc(p, mod_at(c, 1)->at, 8, 38, "default now()");
	check_loc(p, mod_at(c, 1)->expr->at, 8, 46, "now()");
	c = mem_at(ts, 1);
	check_loc(p, mod_at(c, 2)->at, 9, 53, "on update now()");

	ast_decl *sd = decl_at(p, 2);
	check_loc(p, mem_at(sd, 1)->at, 14, 3, "deleted_at  timestamptz");
	check_loc(p, mem_at(sd, 2)->at, 15, 3, "soft delete (is_deleted, deleted_at)");
	check_loc(p, ((ast_ident *)mem_at(sd, 2)->idents.items[0])->at, 15, 16, "is_deleted");

	ast_decl *u = decl_at(p, 3);
	assert_int_equal(u->at.off, (uint32_t)(strstr(p->src, "table users {") - p->src));
	check_loc(p, u->name->at, 18, 7, "users");
	ast_member *use = mem_at(u, 0);
	check_loc(p, use->at, 19, 3, "use timestamps, soft_delete");
	check_loc(p, ((ast_ident *)use->idents.items[1])->at, 19, 19, "soft_delete");
	ast_member *id = mem_at(u, 1);
	check_loc(p, mod_at(id, 0)->at, 20, 27, "primary key");
	check_loc(p, mod_at(id, 1)->expr->at, 20, 48, "gen_random_uuid()");
	ast_member *email = mem_at(u, 2);
	check_loc(p, email->type->at, 21, 13, "varchar(255)");
	check_loc(p, mod_at(email, 1)->at, 21, 37, "unique");
	check_loc(p, ((ast_tok *)mod_at(mem_at(u, 4), 1)->expr->toks.items[0])->at, 23, 45, "'active'");
	ast_member *posts = mem_at(u, 5);
	check_loc(p, posts->at, 25, 3, "posts     has_many posts(author_id)   load selectin  order by created_at desc");
	check_loc(p, posts->target->at, 25, 22, "posts");
	check_loc(p, ((ast_ident *)posts->fk_cols.items[0])->at, 25, 28, "author_id");
	check_loc(p, ((ast_rel_option *)posts->rel_opts.items[0])->at, 25, 41, "load selectin");
	check_loc(p, ((ast_rel_option *)posts->rel_opts.items[1])->at, 25, 56, "order by created_at desc");
	check_loc(p, mem_at(u, 6)->through->at, 26, 40, "user_roles");
	check_loc(p, mem_at(u, 8)->at, 29, 3, "index (status, created_at)");
	ast_member *uix = mem_at(u, 9);
	check_loc(p, uix->at, 30, 3, "unique index ix_users_email_active (email) where not is_deleted");
	check_loc(p, uix->name->at, 30, 16, "ix_users_email_active");
	check_loc(p, uix->where->at, 30, 52, "not is_deleted");

	ast_decl *posts_t = decl_at(p, 4);
	ast_member *aid = mem_at(posts_t, 2);
	check_loc(p, mod_at(aid, 1)->at, 36, 35, "references users(id)");
	check_loc(p, mod_at(aid, 2)->at, 36, 56, "on delete cascade");
	check_loc(p, mem_at(posts_t, 6)->target->at, 40, 25, "users");
	check_loc(p, ((ast_index_elem *)mem_at(posts_t, 7)->elems.items[1])->at, 42, 21, "created_at desc");

	check_loc(p, mem_at(decl_at(p, 6), 2)->at, 54, 3, "primary key (user_id, role_id)");
	ast_member *bal = mem_at(decl_at(p, 7), 2);
	check_loc(p, bal->type->at, 60, 13, "numeric(12,2)");
	check_loc(p, mod_at(bal, 2)->at, 60, 49, "check (balance >= 0)");
	check_loc(p, mod_at(bal, 2)->expr->at, 60, 55, "(balance >= 0)");
	p_free(p);
}

/* ---- constructs one by one ---------------------------------------------- */

static void test_column_types(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  a double precision\n"
	             "  b text[]\n"
	             "  c int[][]\n"
	             "  d timestamp(3) []\n"
	             "  e varchar\n"
	             "  f time with time zone\n"
	             "  g numeric ( 10 , -2 )\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 7);
	ast_type *ty = mem_at(t, 0)->type;
	assert_int_equal(ty->words.n, 2);
	assert_string_equal(id_at(&ty->words, 0), "double");
	assert_string_equal(id_at(&ty->words, 1), "precision");
	check_loc(p, ty->at, 2, 5, "double precision");
	ty = mem_at(t, 1)->type;
	assert_int_equal(ty->array_dims, 1);
	assert_false(ty->has_params);
	check_loc(p, ty->at, 3, 5, "text[]");
	ty = mem_at(t, 2)->type;
	assert_int_equal(ty->array_dims, 2);
	check_loc(p, ty->at, 4, 5, "int[][]");
	ty = mem_at(t, 3)->type;
	assert_int_equal(ty->array_dims, 1);
	assert_true(ty->has_params);
	assert_string_equal(toks_joined(p, &ty->params), "3");
	check_loc(p, ty->at, 5, 5, "timestamp(3) []");
	ty = mem_at(t, 4)->type;
	assert_false(ty->has_params);
	assert_int_equal(ty->params.n, 0);
	ty = mem_at(t, 5)->type;
	assert_int_equal(ty->words.n, 4);
	assert_string_equal(id_at(&ty->words, 2), "time");
	assert_string_equal(id_at(&ty->words, 3), "zone");
	ty = mem_at(t, 6)->type;
	assert_string_equal(toks_joined(p, &ty->params), "10 , - 2");
	p_free(p);
}

static void test_column_modifiers(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  a int primary key\n"
	             "  b int not null unique default (1 + 2) * 3 check (b > 0)\n"
	             "  c int null references t(a) on delete set null on update cascade\n"
	             "  d int generated always as (a * 2) stored\n"
	             "  e int generated always as identity\n"
	             "  f int generated by default as identity\n"
	             "  g int renamed from old_g version\n"
	             "  h text default 'x'::text on update set default\n"
	             "  i int references other on delete no action on update restrict\n"
	             "  j int default null on delete set default\n"
	             "  k timestamptz default now() on update clock_timestamp()\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 11);

	ast_member *m = mem_at(t, 1);
	assert_int_equal(m->mods.n, 4);
	assert_int_equal(mod_at(m, 0)->kind, MOD_NOT_NULL);
	assert_int_equal(mod_at(m, 1)->kind, MOD_UNIQUE);
	assert_int_equal(mod_at(m, 2)->kind, MOD_DEFAULT);
	/* a default runs until the next modifier word at depth 0 */
	assert_string_equal(toks_joined(p, &mod_at(m, 2)->expr->toks), "( 1 + 2 ) * 3");
	check_loc(p, mod_at(m, 2)->expr->at, 3, 33, "(1 + 2) * 3");
	assert_int_equal(mod_at(m, 3)->kind, MOD_CHECK);
	assert_string_equal(toks_joined(p, &mod_at(m, 3)->expr->toks), "b > 0");

	m = mem_at(t, 2);
	assert_int_equal(m->mods.n, 4);
	assert_int_equal(mod_at(m, 0)->kind, MOD_NULL);
	assert_int_equal(mod_at(m, 1)->kind, MOD_REFERENCES);
	assert_string_equal(mod_at(m, 1)->ref_table->name, "t");
	assert_string_equal(id_at(&mod_at(m, 1)->ref_cols, 0), "a");
	assert_int_equal(mod_at(m, 2)->kind, MOD_ON_DELETE_ACTION);
	assert_int_equal(mod_at(m, 2)->action, FK_SET_NULL);
	assert_int_equal(mod_at(m, 3)->kind, MOD_ON_UPDATE_ACTION);
	assert_int_equal(mod_at(m, 3)->action, FK_CASCADE);

	m = mem_at(t, 3);
	assert_int_equal(m->mods.n, 1);
	assert_int_equal(mod_at(m, 0)->kind, MOD_GENERATED_STORED);
	assert_string_equal(toks_joined(p, &mod_at(m, 0)->expr->toks), "a * 2");
	check_loc(p, mod_at(m, 0)->at, 5, 9, "generated always as (a * 2) stored");

	m = mem_at(t, 4);
	assert_int_equal(mod_at(m, 0)->kind, MOD_IDENTITY);
	assert_false(mod_at(m, 0)->identity_by_default);
	m = mem_at(t, 5);
	assert_int_equal(mod_at(m, 0)->kind, MOD_IDENTITY);
	assert_true(mod_at(m, 0)->identity_by_default);

	m = mem_at(t, 6);
	assert_int_equal(m->mods.n, 2);
	assert_int_equal(mod_at(m, 0)->kind, MOD_RENAMED_FROM);
	assert_string_equal(mod_at(m, 0)->old_name->name, "old_g");
	assert_int_equal(mod_at(m, 1)->kind, MOD_VERSION);

	m = mem_at(t, 7);
	assert_int_equal(m->mods.n, 2);
	assert_string_equal(toks_joined(p, &mod_at(m, 0)->expr->toks), "'x' :: text");
	assert_int_equal(((ast_tok *)mod_at(m, 0)->expr->toks.items[1])->kind, TOK_OP);
	/* "on update set default" is a referential action, not an expression */
	assert_int_equal(mod_at(m, 1)->kind, MOD_ON_UPDATE_ACTION);
	assert_int_equal(mod_at(m, 1)->action, FK_SET_DEFAULT);

	m = mem_at(t, 8);
	assert_int_equal(m->mods.n, 3);
	assert_string_equal(mod_at(m, 0)->ref_table->name, "other");
	assert_int_equal(mod_at(m, 0)->ref_cols.n, 0);
	assert_int_equal(mod_at(m, 1)->action, FK_NO_ACTION);
	assert_int_equal(mod_at(m, 2)->action, FK_RESTRICT);

	m = mem_at(t, 9);
	assert_int_equal(m->mods.n, 2);
	assert_string_equal(toks_joined(p, &mod_at(m, 0)->expr->toks), "null");
	assert_int_equal(mod_at(m, 1)->kind, MOD_ON_DELETE_ACTION);
	assert_int_equal(mod_at(m, 1)->action, FK_SET_DEFAULT);

	m = mem_at(t, 10);
	assert_int_equal(m->mods.n, 2);
	assert_int_equal(mod_at(m, 1)->kind, MOD_ON_UPDATE_EXPR);
	assert_string_equal(toks_joined(p, &mod_at(m, 1)->expr->toks), "clock_timestamp ( )");
	p_free(p);
}

static void test_table_level_members(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  use m1, m2\n"
	             "  override a int\n"
	             "  b int\n"
	             "  primary key (a, b)\n"
	             "  unique (b)\n"
	             "  unique uq_named (a, b)\n"
	             "  foreign key fk_x (a, b) references other(x, y) on delete cascade on update set null\n"
	             "  foreign key (b) references other\n"
	             "  check ck_pos (a > b)\n"
	             "  check (a <> 0)\n"
	             "  renamed from old_t\n"
	             "  soft delete (gone_at)\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 12);
	ast_member *m = mem_at(t, 0);
	assert_int_equal(m->kind, MEM_USE);
	assert_string_equal(id_at(&m->idents, 1), "m2");
	m = mem_at(t, 1);
	assert_int_equal(m->kind, MEM_COLUMN);
	assert_true(m->is_override);
	check_loc(p, m->at, 3, 3, "override a int");
	assert_false(mem_at(t, 2)->is_override);

	m = mem_at(t, 3);
	assert_int_equal(m->kind, MEM_PRIMARY_KEY);
	assert_int_equal(m->idents.n, 2);
	m = mem_at(t, 4);
	assert_int_equal(m->kind, MEM_UNIQUE);
	assert_null(m->name);
	assert_int_equal(m->idents.n, 1);
	m = mem_at(t, 5);
	assert_int_equal(m->kind, MEM_UNIQUE);
	assert_string_equal(m->name->name, "uq_named");
	assert_string_equal(id_at(&m->idents, 1), "b");

	m = mem_at(t, 6);
	assert_int_equal(m->kind, MEM_FOREIGN_KEY);
	assert_string_equal(m->name->name, "fk_x");
	assert_int_equal(m->idents.n, 2);
	assert_string_equal(m->ref_table->name, "other");
	assert_int_equal(m->ref_cols.n, 2);
	assert_string_equal(id_at(&m->ref_cols, 1), "y");
	assert_int_equal(m->on_delete, FK_CASCADE);
	assert_int_equal(m->on_update, FK_SET_NULL);
	check_loc(p, m->at, 8, 3, "foreign key fk_x (a, b) references other(x, y) on delete cascade on update set null");
	m = mem_at(t, 7);
	assert_null(m->name);
	assert_int_equal(m->ref_cols.n, 0);
	assert_int_equal(m->on_delete, FK_NONE);
	assert_int_equal(m->on_update, FK_NONE);

	m = mem_at(t, 8);
	assert_int_equal(m->kind, MEM_CHECK);
	assert_string_equal(m->name->name, "ck_pos");
	assert_string_equal(toks_joined(p, &m->expr->toks), "a > b");
	check_loc(p, m->expr->at, 10, 16, "(a > b)");
	m = mem_at(t, 9);
	assert_null(m->name);
	assert_string_equal(toks_joined(p, &m->expr->toks), "a <> 0");

	m = mem_at(t, 10);
	assert_int_equal(m->kind, MEM_RENAMED_FROM);
	assert_string_equal(m->old_name->name, "old_t");
	m = mem_at(t, 11);
	assert_int_equal(m->kind, MEM_SOFT_DELETE);
	assert_int_equal(m->idents.n, 1);
	assert_string_equal(id_at(&m->idents, 0), "gone_at");
	p_free(p);
}

static void test_index_elements(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  index ix_t_a (a text_pattern_ops desc nulls last, b asc nulls first, (lower(a)) desc) "
	             "using gin include (b, c) where b > 0 and a <> ''\n"
	             "  unique index (\n"
	             "    a,\n"
	             "    b\n"
	             "  )\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 2);
	ast_member *ix = mem_at(t, 0);
	assert_int_equal(ix->kind, MEM_INDEX);
	assert_false(ix->unique);
	assert_string_equal(ix->name->name, "ix_t_a");
	assert_int_equal(ix->elems.n, 3);

	ast_index_elem *e = ix->elems.items[0];
	assert_string_equal(e->column->name, "a");
	assert_non_null(e->opclass);
	assert_string_equal(e->opclass->name, "text_pattern_ops");
	assert_int_equal(e->sort, SORT_DESC);
	assert_int_equal(e->nulls, NULLS_LAST);
	check_loc(p, e->at, 2, 17, "a text_pattern_ops desc nulls last");

	e = ix->elems.items[1];
	assert_string_equal(e->column->name, "b");
	assert_null(e->opclass);
	assert_int_equal(e->sort, SORT_ASC);
	assert_int_equal(e->nulls, NULLS_FIRST);

	e = ix->elems.items[2];
	assert_null(e->column);
	assert_non_null(e->expr);
	assert_string_equal(toks_joined(p, &e->expr->toks), "lower ( a )");
	check_loc(p, e->expr->at, 2, 72, "(lower(a))");
	check_loc(p, e->at, 2, 72, "(lower(a)) desc");
	assert_int_equal(e->sort, SORT_DESC);
	assert_int_equal(e->nulls, NULLS_DEFAULT);

	assert_string_equal(ix->using->name, "gin");
	assert_int_equal(ix->include.n, 2);
	assert_string_equal(id_at(&ix->include, 1), "c");
	assert_string_equal(toks_joined(p, &ix->where->toks), "b > 0 and a <> ''");
	check_loc(p, ix->where->at, 2, 120, "b > 0 and a <> ''");

	/* newlines inside the parentheses do not end the member */
	ix = mem_at(t, 1);
	assert_true(ix->unique);
	assert_null(ix->name);
	assert_int_equal(ix->elems.n, 2);
	check_loc(p, ix->at, 3, 3, "unique index (\n    a,\n    b\n  )");
	p_free(p);
}

static void test_relationship_options(void **state)
{
	(void)state;
	P *p = parse("table u {\n"
	             "  posts has_many p(author_id, x) load selectin order by created_at desc nulls last, id limit 10\n"
	             "  profile has_one profile\n"
	             "  owner belongs_to u(owner_id) load joined\n"
	             "  tags many_to_many tag through post_tags(post_id, tag_id) load subquery\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 4);
	ast_member *r = mem_at(t, 0);
	assert_int_equal(r->kind, MEM_RELATIONSHIP);
	assert_int_equal(r->rel_kind, REL_HAS_MANY);
	assert_string_equal(r->target->name, "p");
	assert_int_equal(r->fk_cols.n, 2);
	assert_string_equal(id_at(&r->fk_cols, 1), "x");
	assert_int_equal(r->rel_opts.n, 3);
	ast_rel_option *o = r->rel_opts.items[1];
	assert_int_equal(o->kind, RELOPT_ORDER_BY);
	assert_int_equal(o->order.n, 2);
	ast_order_item *it = o->order.items[0];
	assert_string_equal(it->column->name, "created_at");
	assert_int_equal(it->sort, SORT_DESC);
	assert_int_equal(it->nulls, NULLS_LAST);
	it = o->order.items[1];
	assert_string_equal(it->column->name, "id");
	assert_int_equal(it->sort, SORT_DEFAULT);
	assert_int_equal(it->nulls, NULLS_DEFAULT);
	o = r->rel_opts.items[2];
	assert_int_equal(o->kind, RELOPT_LIMIT);
	assert_string_equal(o->limit->text, "10");
	check_loc(p, o->at, 2, 88, "limit 10");

	r = mem_at(t, 1);
	assert_int_equal(r->rel_kind, REL_HAS_ONE);
	assert_string_equal(r->target->name, "profile");
	assert_false(r->has_fk_list);
	assert_int_equal(r->rel_opts.n, 0);

	r = mem_at(t, 2);
	assert_int_equal(r->rel_kind, REL_BELONGS_TO);
	assert_true(r->has_fk_list);
	assert_string_equal(id_at(&r->fk_cols, 0), "owner_id");

	r = mem_at(t, 3);
	assert_int_equal(r->rel_kind, REL_MANY_TO_MANY);
	assert_string_equal(r->target->name, "tag");
	assert_string_equal(r->through->name, "post_tags");
	assert_int_equal(r->through_cols.n, 2);
	assert_string_equal(id_at(&r->through_cols, 0), "post_id");
	assert_string_equal(id_at(&r->through_cols, 1), "tag_id");
	assert_string_equal(((ast_rel_option *)r->rel_opts.items[0])->load_word->name, "subquery");
	check_loc(p, r->through->at, 5, 33, "post_tags");
	p_free(p);
}

static void test_enum_labels(void **state)
{
	(void)state;
	P *p = parse("enum rating { g, 'PG-13', \"Mixed Case\", 'it''s',\n"
	             "  r\n"
	             "  nc17 }\n"
	             "enum Empty {}\n");
	no_errors(p);
	ast_decl *e = decl_at(p, 0);
	assert_int_equal(e->kind, DECL_ENUM);
	assert_string_equal(e->name->name, "rating");
	assert_int_equal(nlabels(e), 6);
	static const struct { const char *label; bool quoted; } want[] = {
		{ "g", false }, { "PG-13", true }, { "Mixed Case", false }, { "it's", true },
		{ "r", false }, { "nc17", false },
	};
	for (size_t k = 0; k < 6; k++) {
		assert_string_equal(label_at(e, k)->label, want[k].label);
		assert_int_equal(label_at(e, k)->quoted, want[k].quoted);
	}
	check_loc(p, label_at(e, 1)->at, 1, 18, "'PG-13'");
	check_loc(p, label_at(e, 4)->at, 2, 3, "r");
	/* an enum without labels parses; sema reports it */
	ast_decl *e2 = decl_at(p, 1);
	assert_string_equal(e2->name->name, "Empty");
	assert_int_equal(nlabels(e2), 0);
	p_free(p);
}

static void test_enum_labels_may_be_keywords(void **state)
{
	(void)state;
	P *p = parse("enum e { default, null, check, table, Unique }\n");
	no_errors(p);
	ast_decl *e = decl_at(p, 0);
	assert_int_equal(nlabels(e), 5);
	assert_string_equal(label_at(e, 0)->label, "default");
	assert_string_equal(label_at(e, 1)->label, "null");
	assert_string_equal(label_at(e, 2)->label, "check");
	assert_string_equal(label_at(e, 3)->label, "table");
	/* labels keep their case */
	assert_string_equal(label_at(e, 4)->label, "Unique");
	check_loc(p, label_at(e, 1)->at, 1, 19, "null");
	p_free(p);
}

static void test_index_function_call_element(void **state)
{
	(void)state;
	/* a function call needs no extra parentheses */
	P *p = parse("table t {\n  c text\n  index (lower(c) text_pattern_ops desc, c)\n}\n");
	no_errors(p);
	ast_member *ix = mem_at(decl_at(p, 0), 1);
	assert_int_equal(ix->elems.n, 2);
	ast_index_elem *e = ix->elems.items[0];
	assert_null(e->column);
	assert_non_null(e->expr);
	assert_string_equal(toks_joined(p, &e->expr->toks), "lower ( c )");
	check_loc(p, e->expr->at, 3, 10, "lower(c)");
	assert_string_equal(e->opclass->name, "text_pattern_ops");
	assert_int_equal(e->sort, SORT_DESC);
	check_loc(p, e->at, 3, 10, "lower(c) text_pattern_ops desc");
	assert_string_equal(((ast_index_elem *)ix->elems.items[1])->column->name, "c");
	p_free(p);
}

static void test_enum_missing_comma(void **state)
{
	(void)state;
	P *p = parse("enum e { a b, c d }\n");
	assert_int_equal(p->d.errors, 2);
	assert_non_null(strstr(diags(p), "t.model:1:12: error: expected ',' between enum labels\n"));
	assert_non_null(strstr(diags(p), "t.model:1:17: error: expected ',' between enum labels\n"));
	/* the labels are still all there */
	assert_int_equal(nlabels(decl_at(p, 0)), 4);
	p_free(p);
}

static void test_imports_and_extensions(void **state)
{
	(void)state;
	P *p = parse("import \"lib/common.model\"\n"
	             "import 'other.model'\n"
	             "extension pg_trgm\n"
	             "extension \"uuid-ossp\"\n"
	             "extension 'btree_gin'; table t { a int }\n");
	no_errors(p);
	assert_int_equal(p->f->decls.n, 6);
	ast_decl *d = decl_at(p, 0);
	assert_int_equal(d->kind, DECL_IMPORT);
	assert_string_equal(d->import_path, "lib/common.model");
	assert_null(d->name);
	check_loc(p, d->at, 1, 1, "import \"lib/common.model\"");
	check_loc(p, d->path->at, 1, 8, "\"lib/common.model\"");
	d = decl_at(p, 1);
	assert_int_equal(d->kind, DECL_IMPORT);
	assert_string_equal(d->import_path, "other.model");
	assert_string_equal(d->path->text, "'other.model'");
	d = decl_at(p, 2);
	assert_int_equal(d->kind, DECL_EXTENSION);
	assert_string_equal(d->name->name, "pg_trgm");
	check_loc(p, d->name->at, 3, 11, "pg_trgm");
	d = decl_at(p, 3);
	assert_int_equal(d->kind, DECL_EXTENSION);
	assert_string_equal(d->name->name, "uuid-ossp");
	d = decl_at(p, 4);
	assert_int_equal(d->kind, DECL_EXTENSION);
	assert_string_equal(d->name->name, "btree_gin");
	assert_int_equal(decl_at(p, 5)->kind, DECL_TABLE);
	p_free(p);
}

static void test_doc_comments_attach(void **state)
{
	(void)state;
	P *p = parse("/// File doc.\n"
	             "\n"
	             "/// Enum doc\n"
	             "enum e { a }\n"
	             "/// Table doc\n"
	             "///   second line\n"
	             "table t {\n"
	             "  /// Column doc\n"
	             "  a int\n"
	             "  b int  /// not a doc\n"
	             "  /// Index doc\n"
	             "  index (a)\n"
	             "  /// Relationship doc\n"
	             "  r belongs_to t\n"
	             "}\n"
	             "mixin m {\n"
	             "  /// Mixin column doc\n"
	             "  x int\n"
	             "}\n"
	             "table u { y int }\n");
	no_errors(p);
	assert_string_equal(p->f->doc, "File doc.");
	assert_string_equal(decl_at(p, 0)->doc, "Enum doc");
	ast_decl *t = decl_at(p, 1);
	assert_string_equal(t->doc, "Table doc\n  second line");
	assert_string_equal(mem_at(t, 0)->doc, "Column doc");
	assert_null(mem_at(t, 1)->doc);
	assert_string_equal(mem_at(t, 2)->doc, "Index doc");
	assert_string_equal(mem_at(t, 3)->doc, "Relationship doc");
	/* the doc is not part of the member's location */
	check_loc(p, mem_at(t, 0)->at, 9, 3, "a int");
	assert_string_equal(mem_at(decl_at(p, 2), 0)->doc, "Mixin column doc");
	assert_null(decl_at(p, 3)->doc);
	p_free(p);
}

static void test_file_doc_blocks_joined(void **state)
{
	(void)state;
	P *p = parse("/// Part one\n"
	             "/// still one\n"
	             "\n"
	             "/// Part two\n"
	             "\n"
	             "/// The table\n"
	             "table t { a int }\n");
	no_errors(p);
	assert_string_equal(p->f->doc, "Part one\nstill one\n\nPart two");
	assert_string_equal(decl_at(p, 0)->doc, "The table");
	p_free(p);

	/* no doc at all */
	p = parse("table t { a int }\n");
	no_errors(p);
	assert_null(p->f->doc);
	assert_null(decl_at(p, 0)->doc);
	p_free(p);
}

static void test_separators(void **state)
{
	(void)state;
	/* ';' ends a member like a newline; blank lines and ';' at top level */
	P *p = parse(";\n\ntable t { a int; b text not null; ; c int }\n;;enum e { x }");
	no_errors(p);
	assert_int_equal(p->f->decls.n, 2);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 3);
	assert_string_equal(mem_at(t, 1)->name->name, "b");
	assert_int_equal(mem_at(t, 1)->mods.n, 1);
	assert_string_equal(mem_at(t, 2)->name->name, "c");
	check_loc(p, t->at, 3, 1, "table t { a int; b text not null; ; c int }");
	p_free(p);
}

static void test_keywords_as_names(void **state)
{
	(void)state;
	/* keywords that never start a member can name columns and tables */
	P *p = parse("table order {\n"
	             "  key text\n"
	             "  version int version\n"
	             "  \"table\" int\n"
	             "  Status text\n"
	             "  index (key, \"table\")\n"
	             "}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_string_equal(t->name->name, "order");
	assert_int_equal(t->members.n, 5);
	assert_string_equal(mem_at(t, 0)->name->name, "key");
	assert_string_equal(mem_at(t, 1)->name->name, "version");
	assert_int_equal(mod_at(mem_at(t, 1), 0)->kind, MOD_VERSION);
	assert_string_equal(mem_at(t, 2)->name->name, "table");
	check_loc(p, mem_at(t, 2)->name->at, 4, 3, "\"table\"");
	/* identifiers keep their case */
	assert_string_equal(mem_at(t, 3)->name->name, "Status");
	assert_string_equal(((ast_index_elem *)mem_at(t, 4)->elems.items[1])->column->name, "table");
	p_free(p);
}

static void test_keywords_any_case_in_model(void **state)
{
	(void)state;
	P *p = parse("TABLE T {\n  Id INT PRIMARY KEY\n  r HAS_MANY x LOAD SELECTIN\n}\n");
	no_errors(p);
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->kind, DECL_TABLE);
	assert_string_equal(t->name->name, "T");
	assert_string_equal(mem_at(t, 0)->name->name, "Id");
	assert_string_equal(id_at(&mem_at(t, 0)->type->words, 0), "INT");
	assert_int_equal(mod_at(mem_at(t, 0), 0)->kind, MOD_PRIMARY_KEY);
	assert_int_equal(mem_at(t, 1)->rel_kind, REL_HAS_MANY);
	assert_string_equal(((ast_rel_option *)mem_at(t, 1)->rel_opts.items[0])->load_word->name, "SELECTIN");
	p_free(p);
}

/* ---- errors and recovery ------------------------------------------------- */

static void test_errors_recovered_in_body(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  a int not not\n"
	             "  b int default\n"
	             "  c int\n"
	             "}\n"
	             "table { }\n"
	             "table u {\n"
	             "  x int\n"
	             "}\n");
	assert_int_equal(p->d.errors, 3);
	const char *out = diags(p);
	const char *e1 = strstr(out, "t.model:2:13: error: syntax error, unexpected 'not', expecting 'null'\n");
	const char *e2 = strstr(out, "t.model:3:16: error: syntax error, unexpected newline\n");
	const char *e3 = strstr(out, "t.model:6:7: error: syntax error, unexpected '{'\n");
	assert_non_null(e1);
	assert_non_null(e2);
	assert_non_null(e3);
	assert_true(e1 < e2 && e2 < e3);
	/* the source line and a caret under the offending token */
	assert_non_null(strstr(out, "    2 |   a int not not\n      |             ^~~\n"));
	/* what could be parsed is in the tree: t keeps c, u is complete */
	assert_int_equal(p->f->decls.n, 2);
	ast_decl *t = decl_at(p, 0);
	assert_string_equal(t->name->name, "t");
	assert_int_equal(t->members.n, 1);
	assert_string_equal(mem_at(t, 0)->name->name, "c");
	ast_decl *u = decl_at(p, 1);
	assert_string_equal(u->name->name, "u");
	assert_int_equal(u->members.n, 1);
	p_free(p);
}

static void test_errors_expected_tokens(void **state)
{
	(void)state;
	/* few choices: all are listed */
	P *p = parse("table t {\n"
	             "  a int references x on delete now\n"
	             "  b int generated always stored\n"
	             "  c int generated always as (1)\n"
	             "}\n");
	assert_int_equal(p->d.errors, 3);
	const char *out = diags(p);
	assert_non_null(strstr(out, "t.model:2:32: error: syntax error, unexpected identifier, expecting "
	                            "'cascade' or 'no' or 'restrict' or 'set'\n"));
	assert_non_null(strstr(out, "t.model:3:26: error: syntax error, unexpected 'stored', expecting 'as'\n"));
	assert_non_null(strstr(out, "t.model:4:32: error: syntax error, unexpected newline, expecting 'stored'\n"));
	/* every member failed; the table is still there */
	assert_int_equal(p->f->decls.n, 1);
	assert_int_equal(decl_at(p, 0)->members.n, 0);
	p_free(p);
}

static void test_error_in_enum_and_top_level(void **state)
{
	(void)state;
	P *p = parse("enum e { a, b }\n"
	             "tabel t { a int }\n"
	             "mixin m { x int }\n"
	             "import 42\n"
	             "table ok { y int }\n");
	assert_int_equal(p->d.errors, 2);
	const char *out = diags(p);
	assert_non_null(strstr(out, "t.model:2:1: error: syntax error, unexpected identifier\n"));
	/* the identifier: import std "name" */
	assert_non_null(strstr(out, "t.model:4:8: error: syntax error, unexpected number, "
	                            "expecting identifier or quoted identifier or string literal\n"));
	/* e, m and ok survive */
	assert_int_equal(p->f->decls.n, 3);
	assert_string_equal(decl_at(p, 0)->name->name, "e");
	assert_string_equal(decl_at(p, 1)->name->name, "m");
	assert_string_equal(decl_at(p, 2)->name->name, "ok");
	p_free(p);
}

static void test_errors_report_format(void **state)
{
	(void)state;
	P *p = parse_named("dir/x.model", "table t {\n\ta int default )\n}\n", 29);
	assert_int_equal(p->d.errors, 1);
	/* a tab keeps its width in the caret line */
	assert_string_equal(diags(p), "dir/x.model:2:16: error: syntax error, unexpected ')'\n"
	                              "    2 | \ta int default )\n"
	                              "      | \t              ^\n");
	p_free(p);
}

static void test_errors_at_end_of_file(void **state)
{
	(void)state;
	/* the end of the file is located after the last visible character */
	P *p = parse("enum e { a }\ntable  \t");
	assert_int_equal(p->d.errors, 1);
	assert_non_null(strstr(diags(p), "t.model:2:6: error: syntax error, unexpected end of file\n"));
	assert_int_equal(p->f->decls.n, 1);
	p_free(p);

	/* a missing '}' is explained once, by the scanner, with the brace */
	p = parse("table t {\n  a int\n");
	assert_int_equal(p->d.errors, 1);
	assert_non_null(strstr(diags(p), "t.model:2:8: error: expected '}' before the end of the file\n"));
	assert_non_null(strstr(diags(p), "t.model:1:9: note: '{' opened here\n"));
	p_free(p);
}

static void test_unclosed_paren_recovers(void **state)
{
	(void)state;
	P *p = parse("table t {\n"
	             "  a int check (a > 0\n"
	             "  b int\n"
	             "}\n"
	             "table u { x int }\n");
	assert_int_equal(p->d.errors, 1);
	assert_non_null(strstr(diags(p), "t.model:2:15: error: '(' is not closed\n"));
	/* the brace still closes the table, and the next table parses */
	assert_int_equal(p->f->decls.n, 2);
	assert_string_equal(decl_at(p, 0)->name->name, "t");
	assert_string_equal(decl_at(p, 1)->name->name, "u");
	assert_int_equal(decl_at(p, 1)->members.n, 1);
	p_free(p);
}

static void test_stray_token_in_body(void **state)
{
	(void)state;
	/* one mistake, one error: no follow-up error at the closing brace */
	P *p = parse("table t {\n  a int\n  b int )\n  c int\n}\n");
	assert_int_equal(p->d.errors, 1);
	assert_non_null(strstr(diags(p), "t.model:3:9: error: syntax error, unexpected ')'"));
	ast_decl *t = decl_at(p, 0);
	assert_int_equal(t->members.n, 2);
	assert_string_equal(mem_at(t, 0)->name->name, "a");
	assert_string_equal(mem_at(t, 1)->name->name, "c");
	p_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blog_declarations),
		cmocka_unit_test(test_blog_mixins),
		cmocka_unit_test(test_blog_users),
		cmocka_unit_test(test_blog_other_tables),
		cmocka_unit_test(test_blog_locations),
		cmocka_unit_test(test_column_types),
		cmocka_unit_test(test_column_modifiers),
		cmocka_unit_test(test_table_level_members),
		cmocka_unit_test(test_index_elements),
		cmocka_unit_test(test_relationship_options),
		cmocka_unit_test(test_enum_labels),
		cmocka_unit_test(test_enum_labels_may_be_keywords),
		cmocka_unit_test(test_index_function_call_element),
		cmocka_unit_test(test_enum_missing_comma),
		cmocka_unit_test(test_imports_and_extensions),
		cmocka_unit_test(test_doc_comments_attach),
		cmocka_unit_test(test_file_doc_blocks_joined),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_keywords_as_names),
		cmocka_unit_test(test_keywords_any_case_in_model),
		cmocka_unit_test(test_errors_recovered_in_body),
		cmocka_unit_test(test_errors_expected_tokens),
		cmocka_unit_test(test_error_in_enum_and_top_level),
		cmocka_unit_test(test_errors_report_format),
		cmocka_unit_test(test_errors_at_end_of_file),
		cmocka_unit_test(test_unclosed_paren_recovers),
		cmocka_unit_test(test_stray_token_in_body),
	};
	return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}

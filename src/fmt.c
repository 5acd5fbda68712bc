/* fmt.c - modelc fmt: one canonical layout for .model files.
 *
 * The flex scanner drops comments, so this file has a small scanner of its
 * own that keeps them, and the newlines between tokens, and otherwise cuts
 * tokens exactly as grammar/lexer.l does. The structure (members, modifiers,
 * names, expressions) comes from the real parser: every node of the tree
 * carries the byte offset of its first token, which is looked up among this
 * scanner's tokens. The output has the same tokens in the same order; only
 * white space changes, keywords are written in lower case, and the
 * separators that carry no meaning (';' between members, ',' between enum
 * labels) follow the layout. The rules are in docs/fmt.md. */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

#include "ast.h"

/* ---- scanner ----------------------------------------------------------- */

typedef enum ftk {
	F_WORD,     /* identifier or keyword */
	F_QWORD,    /* "quoted identifier" */
	F_STRING,   /* 'literal' */
	F_NUMBER,
	F_OP,       /* operator, :: or : */
	F_PUNCT,    /* ; { } ( ) [ ] , . */
	F_LINE,     /* // comment, or a /// after other text on its line */
	F_BLOCK,    /* block comment */
	F_DOC,      /* one /// line that starts its line */
	F_BAD,      /* what the scanner rejects: never in a file that parsed */
} ftk;

typedef struct ftok {
	ftk kind;
	uint32_t off, len;
	uint32_t nl;        /* newlines in the white space before the token */
	bool kw;            /* a keyword of the language */
	bool prot;          /* a name, label or expression token: written as is */
	bool sep2;          /* a modifier or option starts here: two spaces before */
	bool tight;         /* '(' or '[' of a type, a referenced table or a target */
	bool tparam;        /* inside a type's parameters: numeric(12,2) */
	bool doc_end;       /* F_DOC: the last line of its block */
	bool detached;      /* F_DOC, doc_end: a blank line or the end of file follows */
	uint32_t expr;      /* number of the SQL expression it belongs to, 0 = none */
} ftok;

/* The keywords of grammar/lexer.l, matched without regard to case. */
static const char *const keywords[] = {
	"action", "always", "as", "asc", "belongs_to", "by", "cascade", "check", "default", "delete",
	"desc", "enum", "extension", "first", "foreign", "from", "generated", "has_many", "has_one",
	"identity", "import", "include", "index", "key", "last", "limit", "load", "many_to_many",
	"mixin", "no", "not", "null", "nulls", "on", "order", "override", "primary", "references",
	"renamed", "restrict", "set", "soft", "stored", "table", "through", "unique", "update", "use",
	"using", "version", "where",
};

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool is_keyword(const char *s, size_t n)
{
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		const char *w = keywords[k];
		size_t i = 0;
		while (i < n && w[i] && lower(s[i]) == w[i])
			i++;
		if (i == n && !w[i])
			return true;
	}
	return false;
}

static bool is_opchar(char c) { return c && strchr("+-*/<>=~!@#%^&|?", c) != NULL; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

/* Length of the token that starts at s[i] (not white space), cut as the
 * flex scanner cuts it; bol: only blanks since the start of the line. */
static size_t scan_token(const char *s, size_t len, size_t i, bool bol, ftk *kind)
{
#define AT(k) ((k) < len ? s[k] : '\0')
	char c = s[i];
	size_t j = i;
	if (c == '/' && AT(i + 1) == '/') {
		while (j < len && s[j] != '\n')
			j++;
		*kind = (bol && AT(i + 2) == '/') ? F_DOC : F_LINE;
		return j - i;
	}
	if (c == '/' && AT(i + 1) == '*') {
		for (j = i + 2; j < len && !(s[j] == '*' && AT(j + 1) == '/'); j++)
			;
		*kind = j < len ? F_BLOCK : F_BAD;
		return j < len ? j + 2 - i : len - i;
	}
	if (c == ':') {
		*kind = F_OP;
		return AT(i + 1) == ':' ? 2 : 1;
	}
	if (is_opchar(c)) {
		while (is_opchar(AT(j)))
			j++;
		size_t n = j - i;
		/* a comment opener ends the operator: a+// is a + then a comment */
		for (size_t k = i + 1; k + 1 < j; k++)
			if (s[k] == '/' && (s[k + 1] == '*' || s[k + 1] == '/')) {
				n = k - i;
				break;
			}
		/* "n>-1" is > then -: a run ends in + or - only with one of ~!@#%^&|? */
		bool special = false;
		for (size_t k = i; k < i + n; k++)
			special = special || strchr("~!@#%^&|`?", s[k]) != NULL;
		while (!special && n > 1 && (s[i + n - 1] == '+' || s[i + n - 1] == '-'))
			n--;
		*kind = F_OP;
		return n;
	}
	if (is_digit(c) || (c == '.' && is_digit(AT(i + 1)))) {
		while (is_digit(AT(j)))
			j++;
		if (AT(j) == '.' && (j > i || is_digit(AT(j + 1)))) {
			j++;
			while (is_digit(AT(j)))
				j++;
		}
		if ((AT(j) == 'e' || AT(j) == 'E') &&
		    (is_digit(AT(j + 1)) || ((AT(j + 1) == '+' || AT(j + 1) == '-') && is_digit(AT(j + 2))))) {
			j += 2;
			while (is_digit(AT(j)))
				j++;
		}
		*kind = F_NUMBER;
		if (is_ident_start(AT(j))) {   /* 12abc: an invalid number */
			while (is_ident_char(AT(j)))
				j++;
			*kind = F_BAD;
		}
		return j - i;
	}
	if (c == '\'') {
		for (j = i + 1; j < len && s[j] != '\n'; j++) {
			if (s[j] == '\'') {
				if (AT(j + 1) != '\'') {
					*kind = F_STRING;
					return j + 1 - i;
				}
				j++;
			}
		}
		*kind = F_BAD;
		return j - i;
	}
	if (c == '"') {
		for (j = i + 1; j < len && s[j] != '\n'; j++) {
			if (s[j] == '"') {
				if (AT(j + 1) != '"') {
					*kind = j > i + 1 ? F_QWORD : F_BAD;
					return j + 1 - i;
				}
				j++;
			}
		}
		*kind = F_BAD;
		return j > i + 1 ? j - i : 1;
	}
	if (is_ident_start(c)) {
		while (is_ident_char(AT(j)))
			j++;
		*kind = F_WORD;
		return j - i;
	}
	*kind = strchr(";{}()[],.", c) ? F_PUNCT : F_BAD;
	return 1;
#undef AT
}

/* ---- the formatter's state ---------------------------------------------- */

typedef struct em {
	buf out;            /* finished lines */
	buf line;           /* the line being built */
	size_t col;         /* its width in characters */
	bool open;          /* line holds something */
	bool any;           /* out holds something */
	bool must_break;    /* line ends in a // comment */
	int indent;         /* of the current line */
	size_t trail_col;   /* where a trailing comment starts at the least, 0 = anywhere */
} em;

typedef struct fmt {
	const char *src;
	size_t len;
	ftok *t;
	size_t n, cap;
	ftok dummy;         /* written to when a tree offset is not a token */
	bool bad;           /* the tree and the tokens disagree */
	uint32_t nexpr;
	em *e;
} fmt;

#define NONE ((size_t)-1)

static bool is_comment(const ftok *x) { return x->kind == F_LINE || x->kind == F_BLOCK || x->kind == F_DOC; }

static bool tok_is(const fmt *f, const ftok *x, const char *text)
{
	size_t n = strlen(text);
	return x && (x->kind == F_PUNCT || x->kind == F_OP) && x->len == n && memcmp(f->src + x->off, text, n) == 0;
}

static bool is_closer(const fmt *f, const ftok *x) { return tok_is(f, x, ")") || tok_is(f, x, "]"); }
static bool is_opener(const fmt *f, const ftok *x) { return tok_is(f, x, "(") || tok_is(f, x, "["); }

static void lex(fmt *f)
{
	const char *s = f->src;
	uint32_t nl = 0;
	bool bol = true;
	for (size_t i = 0; i < f->len;) {
		char c = s[i];
		if (c == '\n') {
			nl++;
			bol = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			bol = bol && (c == ' ' || c == '\t');
			i++;
			continue;
		}
		if (f->n == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 256;
			f->t = realloc(f->t, f->cap * sizeof *f->t);
		}
		ftok *x = &f->t[f->n++];
		memset(x, 0, sizeof *x);
		size_t n = scan_token(s, f->len, i, bol, &x->kind);
		x->off = (uint32_t)i;
		x->len = (uint32_t)n;
		x->nl = nl;
		x->kw = x->kind == F_WORD && is_keyword(s + i, n);
		nl = 0;
		bol = false;
		i += n;
	}
	/* doc blocks: consecutive /// lines; one followed by a blank line or the
	 * end of the file is detached (lexer.l's doc_block) */
	for (size_t k = 0; k < f->n; k++) {
		ftok *x = &f->t[k];
		if (x->kind != F_DOC)
			continue;
		x->doc_end = !(k + 1 < f->n && f->t[k + 1].kind == F_DOC && f->t[k + 1].nl == 1);
		size_t p = x->off + x->len;
		if (p < f->len)
			p++;
		else
			p = f->len + 1;
		while (p < f->len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r'))
			p++;
		x->detached = p >= f->len || s[p] == '\n';
	}
}

/* The token that starts at byte off, or NONE (the tree and the tokens
 * disagree: formatting is refused). */
static size_t ix_at(fmt *f, uint32_t off)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->t[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n && f->t[lo].off == off && !is_comment(&f->t[lo]))
		return lo;
	f->bad = true;
	return NONE;
}

static ftok *tk_at(fmt *f, uint32_t off)
{
	size_t i = ix_at(f, off);
	return i == NONE ? &f->dummy : &f->t[i];
}

/* First token at or after byte off (the end of a span). */
static size_t ix_from(const fmt *f, uint32_t off)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->t[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t next_code(const fmt *f, size_t i)
{
	for (i++; i < f->n; i++)
		if (!is_comment(&f->t[i]))
			return i;
	return NONE;
}

/* ---- what the tree says about the tokens -------------------------------- */

static void mark_ident(fmt *f, const ast_ident *id)
{
	if (id)
		tk_at(f, id->at.off)->prot = true;
}

static void mark_idents(fmt *f, const vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		mark_ident(f, v->items[i]);
}

static void mark_expr(fmt *f, const ast_expr *e)
{
	if (!e)
		return;
	uint32_t id = ++f->nexpr;
	for (size_t i = 0; i < e->toks.n; i++) {
		ftok *x = tk_at(f, ((const ast_tok *)e->toks.items[i])->at.off);
		x->prot = true;
		x->expr = id;
	}
}

/* A name followed by its column list: users(id), posts(author_id). */
static void mark_callee(fmt *f, const ast_ident *id)
{
	if (!id)
		return;
	size_t i = ix_at(f, id->at.off);
	size_t j = i == NONE ? NONE : next_code(f, i);
	if (j != NONE && tok_is(f, &f->t[j], "("))
		f->t[j].tight = true;
}

static void mark_type(fmt *f, const ast_type *ty)
{
	mark_idents(f, &ty->words);
	for (size_t i = 0; i < ty->params.n; i++) {
		ftok *x = tk_at(f, ((const ast_tok *)ty->params.items[i])->at.off);
		x->prot = true;
		x->tparam = true;
	}
	size_t from = ix_at(f, ty->at.off), to = ix_from(f, ty->at.off + ty->at.len);
	bool first_paren = true;
	for (size_t i = from; i != NONE && i < to; i++) {
		ftok *x = &f->t[i];
		if (tok_is(f, x, "[") || (first_paren && tok_is(f, x, "("))) {
			x->tight = true;
			first_paren = first_paren && !tok_is(f, x, "(");
		}
	}
}

static bool is_fk_action(const ast_modifier *m)
{
	return m->kind == MOD_ON_DELETE_ACTION || m->kind == MOD_ON_UPDATE_ACTION;
}

static void mark_member(fmt *f, const ast_member *m)
{
	mark_ident(f, m->name);
	switch (m->kind) {
	case MEM_COLUMN:
		mark_type(f, m->type);
		tk_at(f, m->type->at.off)->sep2 = true;
		for (size_t i = 0; i < m->mods.n; i++) {
			const ast_modifier *md = m->mods.items[i];
			const ast_modifier *pm = i ? m->mods.items[i - 1] : NULL;
			/* references t on delete cascade: the actions belong to the reference */
			bool joined = is_fk_action(md) && pm && (pm->kind == MOD_REFERENCES || is_fk_action(pm));
			if (!joined)
				tk_at(f, md->at.off)->sep2 = true;
			mark_expr(f, md->expr);
			mark_ident(f, md->ref_table);
			mark_callee(f, md->ref_table);
			mark_idents(f, &md->ref_cols);
			mark_ident(f, md->old_name);
		}
		break;
	case MEM_INDEX:
		for (size_t i = 0; i < m->elems.n; i++) {
			const ast_index_elem *el = m->elems.items[i];
			mark_ident(f, el->column);
			mark_expr(f, el->expr);
			mark_ident(f, el->opclass);
		}
		mark_ident(f, m->using);
		mark_idents(f, &m->include);
		mark_expr(f, m->where);
		break;
	case MEM_FOREIGN_KEY:
		mark_ident(f, m->ref_table);
		mark_callee(f, m->ref_table);
		mark_idents(f, &m->ref_cols);
		break;
	case MEM_CHECK:
		mark_expr(f, m->expr);
		break;
	case MEM_RENAMED_FROM:
		mark_ident(f, m->old_name);
		break;
	case MEM_RELATIONSHIP: {
		size_t i = ix_at(f, m->name->at.off);
		size_t j = i == NONE ? NONE : next_code(f, i);
		if (j != NONE)
			f->t[j].sep2 = true;
		mark_ident(f, m->target);
		mark_callee(f, m->target);
		mark_idents(f, &m->fk_cols);
		mark_ident(f, m->through);
		mark_callee(f, m->through);
		mark_idents(f, &m->through_cols);
		for (size_t k = 0; k < m->rel_opts.n; k++) {
			const ast_rel_option *o = m->rel_opts.items[k];
			tk_at(f, o->at.off)->sep2 = true;
			mark_ident(f, o->load_word);
			for (size_t q = 0; q < o->order.n; q++)
				mark_ident(f, ((const ast_order_item *)o->order.items[q])->column);
		}
		break;
	}
	case MEM_USE:
	case MEM_PRIMARY_KEY:
	case MEM_UNIQUE:
	case MEM_SOFT_DELETE:
		break;
	}
	mark_idents(f, &m->idents);
}

static void mark_file(fmt *f, const ast_file *file)
{
	for (size_t i = 0; i < file->decls.n; i++) {
		const ast_decl *d = file->decls.items[i];
		mark_ident(f, d->name);
		if (d->path)
			tk_at(f, d->path->at.off)->prot = true;
		for (size_t k = 0; k < d->labels.n; k++)   /* NULL entries mark separators */
			if (d->labels.items[k])
				tk_at(f, ((const ast_enum_label *)d->labels.items[k])->at.off)->prot = true;
		for (size_t k = 0; k < d->members.n; k++)
			mark_member(f, d->members.items[k]);
	}
}

/* ---- output lines ------------------------------------------------------ */

static void em_raw(em *e, const char *s, size_t n)
{
	buf_put(&e->line, s, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			e->col = 0;
		else if (((unsigned char)s[i] & 0xC0) != 0x80)
			e->col++;      /* UTF-8 continuation bytes take no column */
	}
}

static void em_flush(em *e)
{
	if (!e->open)
		return;
	while (e->line.len && (e->line.data[e->line.len - 1] == ' ' || e->line.data[e->line.len - 1] == '\t'))
		e->line.len--;
	buf_put(&e->out, e->line.data, e->line.len);
	buf_putc(&e->out, '\n');
	e->line.len = 0;
	e->col = 0;
	e->open = false;
	e->any = true;
	e->must_break = false;
	e->trail_col = 0;
}

/* Starts a new line, after one blank line when blank (never at the top). */
static void em_start(em *e, int indent, bool blank)
{
	em_flush(e);
	if (blank && e->any)
		buf_putc(&e->out, '\n');
	e->indent = indent;
	for (int i = 0; i < indent; i++)
		em_raw(e, " ", 1);
	e->open = true;
}

static void em_text(em *e, const char *s, size_t n)
{
	if (e->must_break)      /* nothing may follow a // comment on its line */
		em_start(e, e->indent, false);
	em_raw(e, s, n);
}

static void em_spaces(em *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		em_raw(e, " ", 1);
}

static void em_pad(em *e, size_t col)
{
	em_spaces(e, e->col < col ? col - e->col : 2);
}

/* ---- tokens ------------------------------------------------------------- */

/* The text a token is written as: keywords in lower case unless they are
 * names or SQL (tmp holds the lower-case copy). */
static const char *tok_text(const fmt *f, size_t i, char tmp[16], size_t *n)
{
	const ftok *x = &f->t[i];
	*n = x->len;
	if (x->kw && !x->prot && x->len < 16) {
		for (size_t k = 0; k < x->len; k++)
			tmp[k] = lower(f->src[x->off + k]);
		return tmp;
	}
	return f->src + x->off;
}

/* Would the two tokens scan as other tokens when written without a space
 * between them (a - -1, 1 . 5, / *)? */
static bool would_merge(const fmt *f, size_t a, size_t b)
{
	char ta[16], tb[16];
	size_t na, nb;
	const char *sa = tok_text(f, a, ta, &na), *sb = tok_text(f, b, tb, &nb);
	buf j;
	buf_init(&j);
	buf_put(&j, sa, na);
	buf_put(&j, sb, nb);
	ftk k;
	bool merge = scan_token(j.data, j.len, 0, false, &k) != na || scan_token(j.data, j.len, na, false, &k) != nb;
	buf_free(&j);
	return merge;
}

/* SQL words that may stand bare in an expression (sema.c's list). */
static const char *const sql_words[] = {
	"all", "and", "any", "array", "as", "asc", "asymmetric", "at", "between", "both", "case",
	"cast", "collate", "current_catalog", "current_date", "current_role", "current_schema",
	"current_time", "current_timestamp", "current_user", "default", "desc", "distinct", "else",
	"end", "escape", "exists", "false", "first", "for", "from", "ilike", "in", "interval", "is",
	"isnull", "last", "leading", "like", "localtime", "localtimestamp", "not", "notnull",
	"null", "nulls", "or", "overlaps", "row", "session_user", "similar", "some", "symmetric",
	"then", "time", "to", "trailing", "true", "unknown", "user", "when", "with", "without",
	"zone",
};

/* Word operators that keep their space before a parenthesis (sema.c). */
static const char *const paren_words[] = {
	"and", "or", "not", "in", "is", "as", "between", "like", "ilike", "similar", "then", "else",
	"when", "case", "from", "for", "escape", "at", "with", "without", "any", "all", "some",
};

static bool word_is(const fmt *f, const ftok *x, const char *w)
{
	if (!x || x->kind != F_WORD || x->len != strlen(w))
		return false;
	for (size_t i = 0; i < x->len; i++)
		if (lower(f->src[x->off + i]) != w[i])
			return false;
	return true;
}

static bool word_in(const fmt *f, const ftok *x, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (word_is(f, x, list[i]))
			return true;
	return false;
}

static bool wordish(const ftok *x) { return x && (x->kind == F_WORD || x->kind == F_QWORD); }

/* The space between two tokens of one SQL expression: sema.c's expr_sql,
 * so the model reads as the DDL will. */
static bool expr_space(const fmt *f, const ftok *p2, const ftok *p, const ftok *tk)
{
	if (tok_is(f, p, "(") || tok_is(f, p, "[") || tok_is(f, tk, ")") || tok_is(f, tk, "]") ||
	    tok_is(f, tk, ",") || tok_is(f, tk, ".") || tok_is(f, p, ".") || tok_is(f, tk, "::") ||
	    tok_is(f, p, "::"))
		return false;
	if (tok_is(f, tk, "(") && p->kind == F_WORD &&
	    !word_in(f, p, paren_words, sizeof paren_words / sizeof paren_words[0]))
		return false;
	if (tok_is(f, tk, "(") && p->kind == F_QWORD)
		return false;
	if (tok_is(f, tk, "[") && (wordish(p) || tok_is(f, p, ")") || tok_is(f, p, "]")))
		return false;
	/* a sign: no space between it and its operand */
	if (p->kind == F_OP && (tok_is(f, p, "-") || tok_is(f, p, "+")) &&
	    (!p2 || tok_is(f, p2, "(") || tok_is(f, p2, "[") || tok_is(f, p2, ",") ||
	     (p2->kind == F_OP && !tok_is(f, p2, "::")) ||
	     (p2->kind == F_WORD && word_in(f, p2, sql_words, sizeof sql_words / sizeof sql_words[0]) &&
	      !word_is(f, p2, "null") && !word_is(f, p2, "true") && !word_is(f, p2, "false"))))
		return false;
	return true;
}

/* The space between two tokens of the language itself. */
static bool struct_space(const fmt *f, const ftok *p, const ftok *tk)
{
	if (tok_is(f, tk, ",") || is_closer(f, tk) || is_opener(f, p) || tk->tight)
		return false;
	if (p->tparam && tk->tparam)
		return false;
	return true;
}

/* ---- members ------------------------------------------------------------ */

typedef struct rstate {
	em *e;
	int base;           /* indentation of the member's first line */
	int depth;          /* ( [ nesting */
	size_t last;        /* last token written, NONE at the start */
	size_t prev, prev2; /* last two code tokens written */
} rstate;

static size_t src_col(const fmt *f, uint32_t off)
{
	size_t col = 0;
	for (size_t i = off; i > 0 && f->src[i - 1] != '\n'; i--)
		if (((unsigned char)f->src[i - 1] & 0xC0) != 0x80)
			col++;
	return col;
}

/* A comment as written, without trailing blanks; the lines of a block
 * comment that starts its line move with its first line. */
static void put_comment(fmt *f, size_t i, bool own_line)
{
	em *e = f->e;
	const ftok *x = &f->t[i];
	const char *s = f->src + x->off, *end = s + x->len;
	long shift = own_line ? (long)e->col - (long)src_col(f, x->off) : 0;
	bool first = true;
	if (own_line && x->kind == F_LINE && x->len >= 3 && memcmp(s, "///", 3) == 0) {
		/* a /// that starts its line without documenting anything: a \r,
		 * \f or \v before it made it ordinary; it keeps that character */
		char ctl = '\f';
		for (size_t k = x->off; k > 0 && f->src[k - 1] != '\n'; k--)
			if (f->src[k - 1] == '\r' || f->src[k - 1] == '\f' || f->src[k - 1] == '\v')
				ctl = f->src[k - 1];
		em_text(e, &ctl, 1);
	}
	while (s <= end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *ls = s;
		if (!first) {
			em_raw(e, "\n", 1);
			if (shift < 0) {
				for (long k = 0; k < -shift && ls < le && (*ls == ' ' || *ls == '\t'); k++)
					ls++;
			}
		}
		const char *te = le;
		while (te > ls && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r'))
			te--;
		if (!first && shift > 0 && te > ls)
			em_spaces(e, (size_t)shift);
		if (first)
			em_text(e, ls, (size_t)(te - ls));
		else
			em_raw(e, ls, (size_t)(te - ls));
		first = false;
		if (!nl)
			break;
		s = nl + 1;
	}
	if (x->kind == F_LINE || x->kind == F_DOC)
		e->must_break = true;
}

/* A comment after code on the same line: two spaces, or the column where
 * the modifiers of the table start (a column without modifiers). */
static void put_trailing(fmt *f, size_t i)
{
	em *e = f->e;
	if (e->trail_col && e->col + 2 <= e->trail_col)
		em_pad(e, e->trail_col);
	else
		em_spaces(e, 2);
	put_comment(f, i, false);
}

static bool last_on_line(const fmt *f, size_t i) { return i + 1 >= f->n || f->t[i + 1].nl > 0; }

/* Writes tokens [from, to) of a member. A newline of the source inside
 * brackets is kept, the line indented two spaces per open bracket. */
static void put_range(fmt *f, rstate *r, size_t from, size_t to, bool nogap)
{
	em *e = r->e;
	for (size_t i = from; i < to; i++) {
		const ftok *x = &f->t[i];
		if ((i == from && nogap) || r->last == NONE) {
			/* the caller placed it */
		} else if (x->nl > 0) {
			int d = r->depth - (is_closer(f, x) ? 1 : 0);
			em_start(e, r->base + 2 * (d > 0 ? d : 0), false);
		} else if (is_comment(x)) {
			em_spaces(e, last_on_line(f, i) ? 2 : 1);
		} else if (is_comment(&f->t[r->last])) {
			em_spaces(e, 1);
		} else {
			const ftok *p = &f->t[r->prev];
			const ftok *p2 = r->prev2 != NONE && f->t[r->prev2].expr == x->expr ? &f->t[r->prev2] : NULL;
			size_t gap;
			if (x->sep2)
				gap = 2;
			else if (x->expr && x->expr == p->expr)
				gap = expr_space(f, p2, p, x);
			else
				gap = struct_space(f, p, x);
			if (gap == 0 && would_merge(f, r->prev, i))
				gap = 1;
			em_spaces(e, gap);
		}
		if (is_comment(x)) {
			put_comment(f, i, x->nl > 0);
		} else {
			char tmp[16];
			size_t n;
			const char *s = tok_text(f, i, tmp, &n);
			em_text(e, s, n);
			if (is_opener(f, x))
				r->depth++;
			else if (is_closer(f, x) && r->depth > 0)
				r->depth--;
			r->prev2 = r->prev;
			r->prev = i;
		}
		r->last = i;
	}
}

typedef enum { AL_NONE, AL_COLUMN, AL_REL } align_kind;

typedef struct mem {
	size_t ms, me;      /* tokens [ms, me) */
	align_kind align;
	size_t c2, c3;      /* column: type at [c2, c3); relationship: the rest at c2 */
	size_t w1, w2;      /* widths of the name and the type */
} mem;

/* The width of tokens [from, to) written on one line. */
static size_t range_width(fmt *f, size_t from, size_t to)
{
	em scratch;
	memset(&scratch, 0, sizeof scratch);
	buf_init(&scratch.out);
	buf_init(&scratch.line);
	scratch.open = true;
	em *saved = f->e;
	f->e = &scratch;
	rstate r = { &scratch, 0, 0, NONE, NONE, NONE };
	put_range(f, &r, from, to, false);
	f->e = saved;
	size_t w = scratch.col;
	buf_free(&scratch.out);
	buf_free(&scratch.line);
	return w;
}

/* Can the cells [ms, end) be aligned: on one line, without line breaks
 * inside comments? */
static bool one_line(const fmt *f, size_t ms, size_t end)
{
	for (size_t i = ms; i < end; i++) {
		const ftok *x = &f->t[i];
		if ((i > ms && x->nl > 0) || x->kind == F_LINE ||
		    (x->kind == F_BLOCK && memchr(f->src + x->off, '\n', x->len)))
			return false;
	}
	return true;
}

static void member_cells(fmt *f, const ast_member *m, mem *c)
{
	c->ms = ix_at(f, m->at.off);
	c->me = ix_from(f, m->at.off + m->at.len);
	c->align = AL_NONE;
	if (c->ms == NONE)
		return;
	if (m->kind == MEM_COLUMN && !m->is_override) {
		c->c2 = ix_at(f, m->type->at.off);
		c->c3 = ix_from(f, m->type->at.off + m->type->at.len);
		if (c->c2 == NONE || c->c2 <= c->ms || c->c3 > c->me || !one_line(f, c->ms, c->c3))
			return;
		c->align = AL_COLUMN;
		c->w1 = range_width(f, c->ms, c->c2);
		c->w2 = range_width(f, c->c2, c->c3);
	} else if (m->kind == MEM_RELATIONSHIP) {
		c->c2 = c->ms + 1;
		if (c->c2 >= c->me || !one_line(f, c->ms, c->c2 + 1))
			return;
		c->align = AL_REL;
		c->w1 = range_width(f, c->ms, c->c2);
	}
}

static void put_member(fmt *f, const mem *c, int indent, size_t name_w, size_t type_w)
{
	rstate r = { f->e, indent, 0, NONE, NONE, NONE };
	size_t c2col = (size_t)indent + name_w + 2, c3col = c2col + type_w + 2;
	switch (c->align) {
	case AL_COLUMN:
		put_range(f, &r, c->ms, c->c2, false);
		em_pad(f->e, c2col);
		put_range(f, &r, c->c2, c->c3, true);
		if (c->c3 < c->me) {
			em_pad(f->e, c3col);
			put_range(f, &r, c->c3, c->me, true);
		} else {
			f->e->trail_col = c3col;
		}
		break;
	case AL_REL:
		put_range(f, &r, c->ms, c->c2, false);
		em_pad(f->e, c2col);
		put_range(f, &r, c->c2, c->me, true);
		break;
	case AL_NONE:
		put_range(f, &r, c->ms, c->me, false);
		break;
	}
}

/* ---- bodies and declarations ------------------------------------------- */

/* A comment between members: after code on its line it stays there,
 * otherwise it gets a line of its own. Returns true when it took a line. */
static bool put_loose_comment(fmt *f, size_t i, int indent, bool blank)
{
	const ftok *x = &f->t[i];
	if (x->nl == 0 && f->e->open && x->kind != F_DOC && !f->e->must_break) {
		put_trailing(f, i);
		return false;
	}
	em_start(f->e, indent, blank);
	if (x->nl == 0 && i > 0 && (tok_is(f, &f->t[i - 1], ";") || tok_is(f, &f->t[i - 1], ",")) &&
	    x->len >= 3 && memcmp(f->src + x->off, "///", 3) == 0) {
		/* "// a" then "; /// b": the line of "a" cannot take b, and at the
		 * start of a line b would be a doc comment; its separator stays */
		em_text(f->e, f->src + f->t[i - 1].off, 1);
		em_spaces(f->e, 2);
		put_comment(f, i, false);
		return true;
	}
	put_comment(f, i, true);
	return true;
}

/* The members of a table or mixin between its braces: tokens [from, to). */
static void put_body(fmt *f, size_t from, size_t to, const vec *members)
{
	mem *cells = calloc(members->n ? members->n : 1, sizeof *cells);
	size_t name_w = 0, type_w = 0;
	for (size_t k = 0; k < members->n; k++) {
		member_cells(f, members->items[k], &cells[k]);
		if (cells[k].align != AL_NONE && cells[k].w1 > name_w)
			name_w = cells[k].w1;
		if (cells[k].align == AL_COLUMN && cells[k].w2 > type_w)
			type_w = cells[k].w2;
	}
	size_t k = 0;
	bool first = true, blank = false;
	for (size_t i = from; i < to;) {
		const ftok *x = &f->t[i];
		if (k < members->n && i == cells[k].ms && cells[k].me > i) {
			blank = blank || x->nl >= 2;
			em_start(f->e, 2, !first && blank);
			put_member(f, &cells[k], 2, name_w, type_w);
			i = cells[k].me;
			k++;
			first = blank = false;
			continue;
		}
		blank = blank || x->nl >= 2;
		if (is_comment(x)) {
			if (put_loose_comment(f, i, 2, !first && blank))
				first = blank = false;
		} else if (!tok_is(f, x, ";")) {
			f->bad = true;      /* code outside every member */
		}
		i++;
	}
	free(cells);
}

/* An enum's labels between its braces, tokens (lb, rb): on the line of the
 * enum when there is no comment among them and the line stays within
 * ENUM_LINE columns, else one label per line. */
enum { ENUM_LINE = 100 };
static void put_enum_body(fmt *f, size_t lb, size_t rb)
{
	em *e = f->e;
	bool simple = true;
	size_t width = e->col + 4, labels = 0;
	for (size_t i = lb + 1; i < rb; i++) {
		const ftok *x = &f->t[i];
		if (is_comment(x))
			simple = false;
		else if (!tok_is(f, x, ",")) {
			width += x->len + (labels ? 2 : 1);
			labels++;
		}
	}
	if (simple && (labels == 0 || width <= ENUM_LINE)) {
		em_text(e, labels ? " {" : " {}", labels ? 2 : 3);
		bool first = true;
		for (size_t i = lb + 1; labels && i < rb; i++) {
			if (tok_is(f, &f->t[i], ","))
				continue;
			em_text(e, first ? " " : ", ", first ? 1 : 2);
			em_text(e, f->src + f->t[i].off, f->t[i].len);
			first = false;
		}
		if (labels)
			em_text(e, " }", 2);
		return;
	}
	em_text(e, " {", 2);
	bool first = true, blank = false;
	for (size_t i = lb + 1; i < rb; i++) {
		const ftok *x = &f->t[i];
		blank = blank || x->nl >= 2;
		if (is_comment(x)) {
			if (put_loose_comment(f, i, 2, !first && blank))
				first = blank = false;
		} else if (!tok_is(f, x, ",")) {
			em_start(e, 2, !first && blank);
			em_text(e, f->src + x->off, x->len);
			first = blank = false;
		}
	}
	em_start(e, 0, false);
	em_text(e, "}", 1);
}

static void put_decl(fmt *f, const ast_decl *d, size_t ds, size_t de)
{
	rstate r = { f->e, 0, 0, NONE, NONE, NONE };
	if (d->kind != DECL_ENUM && d->kind != DECL_TABLE && d->kind != DECL_MIXIN) {
		put_range(f, &r, ds, de, false);
		return;
	}
	size_t lb = ds, rb = de;
	while (lb < de && !tok_is(f, &f->t[lb], "{"))
		lb++;
	while (rb > lb && !tok_is(f, &f->t[rb - 1], "}"))
		rb--;
	if (lb >= de || rb <= lb + 1) {   /* no braces: cannot happen after a clean parse */
		f->bad = true;
		put_range(f, &r, ds, de, false);
		return;
	}
	rb--;   /* the index of '}' */
	if (d->kind == DECL_ENUM) {
		put_range(f, &r, ds, lb, false);
		put_enum_body(f, lb, rb);
		return;
	}
	put_range(f, &r, ds, lb + 1, false);
	bool empty = true;
	for (size_t i = lb + 1; i < rb; i++)
		empty = empty && tok_is(f, &f->t[i], ";");
	if (empty) {
		em_text(f->e, "}", 1);
		return;
	}
	put_body(f, lb + 1, rb, &d->members);
	em_start(f->e, 0, false);
	em_text(f->e, "}", 1);
}

/* Top level: one blank line between declarations (consecutive imports and
 * extensions may stay together), comments and doc blocks where they were,
 * and a doc block keeps the blank line after it, or its absence, since
 * that decides whether it documents the file or the declaration. */
static void put_file(fmt *f, const ast_file *file)
{
	enum { P_NONE, P_ONELINE, P_BLOCK, P_COMMENT, P_DOC } prev = P_NONE;
	bool prev_detached = false, blank = false;
	size_t k = 0;
	for (size_t i = 0; i < f->n;) {
		const ftok *x = &f->t[i];
		blank = blank || x->nl >= 2;
		const ast_decl *d = k < file->decls.n ? file->decls.items[k] : NULL;
		size_t ds = d ? ix_at(f, d->at.off) : NONE;
		if (d && ds == NONE) {
			k++;
			continue;
		}
		if (d && i == ds) {
			size_t de = ix_from(f, d->at.off + d->at.len);
			bool one = d->kind == DECL_IMPORT || d->kind == DECL_EXTENSION;
			bool b = prev == P_NONE ? false
			       : prev == P_DOC ? prev_detached
			       : prev == P_COMMENT || (prev == P_ONELINE && one) ? blank
			       : true;
			em_start(f->e, 0, b);
			put_decl(f, d, ds, de);
			prev = one ? P_ONELINE : P_BLOCK;
			blank = false;
			i = de > i ? de : i + 1;
			k++;
			continue;
		}
		if (is_comment(x)) {
			bool b = prev == P_NONE ? false
			       : prev == P_DOC ? prev_detached
			       : prev == P_COMMENT ? blank
			       : true;
			if (put_loose_comment(f, i, 0, b)) {
				prev = x->kind == F_DOC ? P_DOC : P_COMMENT;
				prev_detached = x->kind == F_DOC && x->doc_end && x->detached;
				blank = false;
			}
		} else if (!tok_is(f, x, ";")) {
			f->bad = true;
		}
		i++;
	}
	em_flush(f->e);
}

/* ---- the tree, for comparing input and output ---------------------------- */

static void sig_s(buf *b, const char *s)
{
	s = s ? s : "";
	buf_printf(b, "%zu:%s", strlen(s), s);
}

static void sig_id(buf *b, const ast_ident *id)
{
	if (id)
		sig_s(b, id->name);
	else
		buf_putc(b, '~');
}

static void sig_ids(buf *b, const vec *v)
{
	buf_printf(b, "[%zu", v->n);
	for (size_t i = 0; i < v->n; i++)
		sig_id(b, v->items[i]);
	buf_putc(b, ']');
}

static void sig_toks(buf *b, const vec *v)
{
	buf_printf(b, "<%zu", v->n);
	for (size_t i = 0; i < v->n; i++) {
		const ast_tok *t = v->items[i];
		buf_printf(b, "%d", (int)t->kind);
		sig_s(b, t->text);
	}
	buf_putc(b, '>');
}

static void sig_expr(buf *b, const ast_expr *e)
{
	if (e)
		sig_toks(b, &e->toks);
	else
		buf_putc(b, '~');
}

static void sig_member(buf *b, const ast_member *m)
{
	buf_printf(b, "{m%d", (int)m->kind);
	sig_s(b, m->doc ? m->doc : "~");
	sig_id(b, m->name);
	buf_printf(b, "o%d", m->is_override);
	if (m->type) {
		sig_ids(b, &m->type->words);
		sig_toks(b, &m->type->params);
		buf_printf(b, "p%dd%d", m->type->has_params, m->type->array_dims);
	}
	for (size_t i = 0; i < m->mods.n; i++) {
		const ast_modifier *md = m->mods.items[i];
		buf_printf(b, "(k%da%di%d", (int)md->kind, (int)md->action, md->identity_by_default);
		sig_expr(b, md->expr);
		sig_id(b, md->ref_table);
		sig_ids(b, &md->ref_cols);
		sig_id(b, md->old_name);
		buf_putc(b, ')');
	}
	sig_ids(b, &m->idents);
	buf_printf(b, "u%d", m->unique);
	for (size_t i = 0; i < m->elems.n; i++) {
		const ast_index_elem *el = m->elems.items[i];
		buf_putc(b, '(');
		sig_id(b, el->column);
		sig_expr(b, el->expr);
		sig_id(b, el->opclass);
		buf_printf(b, "s%dn%d)", (int)el->sort, (int)el->nulls);
	}
	sig_id(b, m->using);
	sig_ids(b, &m->include);
	sig_expr(b, m->where);
	sig_id(b, m->ref_table);
	sig_ids(b, &m->ref_cols);
	buf_printf(b, "d%du%d", (int)m->on_delete, (int)m->on_update);
	sig_expr(b, m->expr);
	sig_id(b, m->old_name);
	buf_printf(b, "r%d", (int)m->rel_kind);
	sig_id(b, m->target);
	sig_ids(b, &m->fk_cols);
	buf_printf(b, "f%d", m->has_fk_list);
	sig_id(b, m->through);
	sig_ids(b, &m->through_cols);
	for (size_t i = 0; i < m->rel_opts.n; i++) {
		const ast_rel_option *o = m->rel_opts.items[i];
		buf_printf(b, "(o%dl%d", (int)o->kind, (int)o->load);
		sig_id(b, o->load_word);
		for (size_t q = 0; q < o->order.n; q++) {
			const ast_order_item *it = o->order.items[q];
			sig_id(b, it->column);
			buf_printf(b, "s%dn%d", (int)it->sort, (int)it->nulls);
		}
		sig_s(b, o->limit ? o->limit->text : "~");
		buf_putc(b, ')');
	}
	buf_putc(b, '}');
}

/* Everything the tree says, locations aside. */
static void sig_file(buf *b, const ast_file *file)
{
	sig_s(b, file->doc ? file->doc : "~");
	for (size_t i = 0; i < file->decls.n; i++) {
		const ast_decl *d = file->decls.items[i];
		buf_printf(b, "{d%d", (int)d->kind);
		sig_s(b, d->doc ? d->doc : "~");
		sig_id(b, d->name);
		sig_s(b, d->path ? d->path->text : "~");
		sig_s(b, d->import_path ? d->import_path : "~");
		for (size_t k = 0; k < d->labels.n; k++) {
			const ast_enum_label *l = d->labels.items[k];
			if (!l)
				continue;
			buf_printf(b, "q%d", l->quoted);
			sig_s(b, l->label);
		}
		for (size_t k = 0; k < d->members.n; k++)
			sig_member(b, d->members.items[k]);
		buf_putc(b, '}');
	}
}

/* ---- entry point -------------------------------------------------------- */

/* "./a/../b.model" is shown as "b.model", as the compiler shows it. */
static const char *shown_path(arena *a, const char *path)
{
	if (!*path)
		return path;
	buf b;
	buf_init(&b);
	vec segs;
	memset(&segs, 0, sizeof segs);
	char *p = arena_strdup(a, path), *save = NULL;
	for (char *s = strtok_r(p, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0 && segs.n && strcmp(segs.items[segs.n - 1], "..") != 0) {
			segs.n--;
			continue;
		}
		vec_push(a, &segs, s);
	}
	if (path[0] == '/')
		buf_putc(&b, '/');
	for (size_t i = 0; i < segs.n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", (const char *)segs.items[i]);
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* Parses text as one file; NULL with the diagnostics in d when it fails. */
static ast_file *parse_text(diag_ctx *d, const char *path, const char *text, size_t len)
{
	if (memchr(text, '\0', len)) {
		uint32_t id = diag_add_file(d, path, text, strlen(text));
		diag_error(d, (loc){ id, (uint32_t)strlen(text), 0 }, "file contains a NUL byte");
		return NULL;
	}
	uint32_t id = diag_add_file(d, path, text, len);
	ast_file *file = parse_file(d, id);
	return d->errors ? NULL : file;
}

fmt_status fmt_source(const char *path, const char *text, size_t len, buf *out, buf *diags)
{
	if (len > UINT32_MAX / 2) {
		buf_printf(diags, "%s: file too large\n", path);
		return FMT_INTERNAL;
	}
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	fmt_status st = FMT_OK;
	path = shown_path(&a, path);
	ast_file *file = parse_text(&d, path, text, len);
	if (!file) {
		buf_put(diags, d.out.data ? d.out.data : "", d.out.len);
		diag_dispose(&d);
		arena_free(&a);
		return FMT_SYNTAX;
	}
	int warnings = d.warnings;

	fmt f;
	memset(&f, 0, sizeof f);
	f.src = diag_file(&d, file->file)->text;
	f.len = len;
	em e;
	memset(&e, 0, sizeof e);
	buf_init(&e.out);
	buf_init(&e.line);
	f.e = &e;
	lex(&f);
	mark_file(&f, file);
	if (!f.bad)
		put_file(&f, file);

	/* the result must parse to the same tree */
	diag_ctx d2;
	diag_init(&d2, &a);
	ast_file *again = f.bad ? NULL : parse_text(&d2, path, e.out.data ? e.out.data : "", e.out.len);
	buf s1, s2;
	buf_init(&s1);
	buf_init(&s2);
	if (again) {
		sig_file(&s1, file);
		sig_file(&s2, again);
	}
	if (f.bad || !again || d2.warnings != warnings || s1.len != s2.len || memcmp(s1.data, s2.data, s1.len) != 0) {
		buf_printf(diags, "%s: error: the formatter could not keep the meaning of this file; it was left as is\n",
		           path);
		st = FMT_INTERNAL;
	} else {
		buf_put(out, e.out.data ? e.out.data : "", e.out.len);
	}
	buf_free(&s1);
	buf_free(&s2);
	diag_dispose(&d2);
	buf_free(&e.out);
	buf_free(&e.line);
	free(f.t);
	diag_dispose(&d);
	arena_free(&a);
	return st;
}

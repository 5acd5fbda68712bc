#include "tmpl.h"

#include <stdio.h>
#include <string.h>

enum tv_kind { TV_STR, TV_BOOL, TV_LIST, TV_DICT };

struct tval {
	enum tv_kind kind;
	const char *s;
	bool b;
	vec items;      /* TV_LIST: tval *;  TV_DICT: values */
	vec keys;       /* TV_DICT: const char * */
};

tval *tv_str(arena *a, const char *s)
{
	if (!s)
		return tv_bool(a, false);
	tval *v = arena_alloc(a, sizeof *v);
	v->kind = TV_STR;
	v->s = s;
	return v;
}

tval *tv_bool(arena *a, bool b)
{
	tval *v = arena_alloc(a, sizeof *v);
	v->kind = TV_BOOL;
	v->b = b;
	return v;
}

tval *tv_list(arena *a)
{
	tval *v = arena_alloc(a, sizeof *v);
	v->kind = TV_LIST;
	return v;
}

tval *tv_dict(arena *a)
{
	tval *v = arena_alloc(a, sizeof *v);
	v->kind = TV_DICT;
	return v;
}

void tv_push(arena *a, tval *list, tval *item) { vec_push(a, &list->items, item); }
size_t tv_len(const tval *list) { return list->kind == TV_LIST ? list->items.n : 0; }

void tv_set(arena *a, tval *dict, const char *key, tval *v)
{
	for (size_t i = 0; i < dict->keys.n; i++)
		if (strcmp(dict->keys.items[i], key) == 0) {
			dict->items.items[i] = v;
			return;
		}
	vec_push(a, &dict->keys, (void *)key);
	vec_push(a, &dict->items, v);
}

void tv_sets(arena *a, tval *dict, const char *key, const char *s) { tv_set(a, dict, key, tv_str(a, s)); }
void tv_setb(arena *a, tval *dict, const char *key, bool b) { tv_set(a, dict, key, tv_bool(a, b)); }

/* ---- parsing ----------------------------------------------------------- */

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };

typedef struct node {
	enum node_kind kind;
	const char *text;       /* N_TEXT: start in the template */
	size_t len;
	const char *name;       /* tag name, NUL-terminated copy */
	loc at;
	vec children;           /* node * */
} node;

typedef struct parser {
	diag_ctx *d;
	uint32_t file;
	const char *src;
	size_t len;
	size_t pos;
	bool failed;
} parser;

static bool is_block_tag(char c) { return c == '#' || c == '^' || c == '/' || c == '!' || c == '>'; }

static void add_text(parser *p, vec *out, size_t from, size_t to)
{
	if (to <= from)
		return;
	node *n = arena_alloc(p->d->a, sizeof *n);
	n->kind = N_TEXT;
	n->text = p->src + from;
	n->len = to - from;
	vec_push(p->d->a, out, n);
}

/* Parses until {{/close}} (or the end when close is NULL). */
static void parse_nodes(parser *p, vec *out, const node *open)
{
	size_t text_start = p->pos;
	while (p->pos < p->len) {
		const char *o = strstr(p->src + p->pos, "{{");
		if (!o || (size_t)(o - p->src) >= p->len)
			break;
		size_t tag_start = (size_t)(o - p->src);
		const char *c = strstr(o + 2, "}}");
		if (!c) {
			diag_error(p->d, (loc){ p->file, (uint32_t)tag_start, 2 }, "unterminated tag");
			p->failed = true;
			p->pos = p->len;
			return;
		}
		size_t tag_end = (size_t)(c - p->src) + 2;
		char sigil = o[2];
		/* the tag's content, trimmed */
		const char *ns = o + 2 + (is_block_tag(sigil) ? 1 : 0);
		const char *ne = c;
		while (ns < ne && (*ns == ' ' || *ns == '\t'))
			ns++;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		loc at = { p->file, (uint32_t)tag_start, (uint32_t)(tag_end - tag_start) };

		/* standalone line: only whitespace around a block tag */
		size_t text_end = tag_start, after = tag_end;
		if (is_block_tag(sigil)) {
			size_t ls = tag_start;
			while (ls > 0 && (p->src[ls - 1] == ' ' || p->src[ls - 1] == '\t'))
				ls--;
			size_t le = tag_end;
			while (le < p->len && (p->src[le] == ' ' || p->src[le] == '\t'))
				le++;
			bool line_start = ls == 0 || p->src[ls - 1] == '\n';
			size_t eol = (le < p->len && p->src[le] == '\r' && le + 1 < p->len && p->src[le + 1] == '\n') ? 2 : 1;
			bool line_end = le == p->len || p->src[le] == '\n' || eol == 2;
			if (line_start && line_end) {
				text_end = ls;
				after = le < p->len ? le + eol : le;
			}
		}
		add_text(p, out, text_start, text_end);
		p->pos = after;
		text_start = after;

		if (sigil == '!')
			continue;
		if (ns == ne) {
			diag_error(p->d, at, "empty tag");
			p->failed = true;
			continue;
		}
		const char *name = arena_strndup(p->d->a, ns, (size_t)(ne - ns));
		if (sigil == '/') {
			if (!open) {
				diag_error(p->d, at, "'{{/%s}}' closes nothing", name);
				p->failed = true;
				continue;
			}
			if (strcmp(name, open->name) != 0) {
				diag_error(p->d, at, "'{{/%s}}' does not close '{{%c%s}}'", name,
				           open->kind == N_SECTION ? '#' : '^', open->name);
				diag_note(p->d, open->at, "section opened here");
				p->failed = true;
			}
			return;
		}
		node *n = arena_alloc(p->d->a, sizeof *n);
		n->name = name;
		n->at = at;
		if (sigil == '#' || sigil == '^') {
			n->kind = sigil == '#' ? N_SECTION : N_INVERTED;
			parse_nodes(p, &n->children, n);
			text_start = p->pos;
		} else if (sigil == '>') {
			n->kind = N_PARTIAL;
		} else {
			n->kind = N_VAR;
		}
		vec_push(p->d->a, out, n);
	}
	add_text(p, out, text_start, p->len);
	p->pos = p->len;
	if (open) {
		diag_error(p->d, open->at, "section '%s' is not closed", open->name);
		p->failed = true;
	}
}

/* ---- rendering --------------------------------------------------------- */

typedef struct frame {
	const tval *v;
	bool iter;          /* a list item: @index etc. refer to it */
	size_t index, count;
} frame;

typedef struct renderer {
	diag_ctx *d;
	tmpl_lookup partials;
	void *pctx;
	buf *out;
	frame stack[65];    /* the root and 64 nested sections */
	size_t depth;
	int partial_depth;
	bool failed;
	char num[24];
} renderer;

static const tval *dict_get(const tval *v, const char *key, size_t klen)
{
	if (!v || v->kind != TV_DICT)
		return NULL;
	for (size_t i = 0; i < v->keys.n; i++) {
		const char *k = v->keys.items[i];
		if (strlen(k) == klen && memcmp(k, key, klen) == 0)
			return v->items.items[i];
	}
	return NULL;
}

static const tval TRUE_V = { .kind = TV_BOOL, .b = true };
static const tval FALSE_V = { .kind = TV_BOOL, .b = false };

/* Looks a (dotted) name up through the context stack. */
static const tval *lookup(renderer *r, const char *name, const tval **scratch_str)
{
	if (strcmp(name, ".") == 0)
		return r->stack[r->depth - 1].v;
	if (name[0] == '@') {
		for (size_t i = r->depth; i-- > 0;) {
			frame *f = &r->stack[i];
			if (!f->iter)
				continue;
			if (strcmp(name, "@first") == 0)
				return f->index == 0 ? &TRUE_V : &FALSE_V;
			if (strcmp(name, "@last") == 0)
				return f->index + 1 == f->count ? &TRUE_V : &FALSE_V;
			if (strcmp(name, "@index") == 0) {
				snprintf(r->num, sizeof r->num, "%zu", f->index);
				return *scratch_str;
			}
			return NULL;
		}
		return NULL;
	}
	const char *dot = strchr(name, '.');
	size_t first = dot ? (size_t)(dot - name) : strlen(name);
	const tval *v = NULL;
	for (size_t i = r->depth; i-- > 0 && !v;)
		v = dict_get(r->stack[i].v, name, first);
	while (v && dot) {
		const char *seg = dot + 1;
		dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
		/* a.b where a is false (an absent optional part) is false too */
		if (v->kind == TV_BOOL && !v->b)
			return &FALSE_V;
		v = dict_get(v, seg, n);
	}
	return v;
}

static bool truthy(const tval *v)
{
	switch (v->kind) {
	case TV_STR: return v->s[0] != '\0';
	case TV_BOOL: return v->b;
	case TV_LIST: return v->items.n > 0;
	case TV_DICT: return true;
	}
	return false;
}

static void render_nodes(renderer *r, const vec *nodes);

static bool push(renderer *r, const tval *v, bool iter, size_t index, size_t count, loc at)
{
	if (r->depth == sizeof r->stack / sizeof r->stack[0]) {
		diag_error(r->d, at, "sections nested too deeply");
		r->failed = true;
		return false;
	}
	r->stack[r->depth++] = (frame){ v, iter, index, count };
	return true;
}

static void render_node(renderer *r, const node *n)
{
	if (n->kind == N_TEXT) {
		buf_put(r->out, n->text, n->len);
		return;
	}
	if (n->kind == N_PARTIAL) {
		uint32_t file;
		if (r->partial_depth >= 16) {
			diag_error(r->d, n->at, "partials nested too deeply");
			r->failed = true;
			return;
		}
		int errors = r->d->errors;
		if (!r->partials || r->partials(r->pctx, r->d, n->name, &file) != 0) {
			if (r->d->errors == errors)
				diag_error(r->d, n->at, "unknown template '%s'", n->name);
			r->failed = true;
			return;
		}
		r->partial_depth++;
		const srcfile *f = diag_file(r->d, file);
		parser p = { r->d, file, f->text, f->len, 0, false };
		vec nodes;
		memset(&nodes, 0, sizeof nodes);
		parse_nodes(&p, &nodes, NULL);
		if (p.failed)
			r->failed = true;
		else
			render_nodes(r, &nodes);
		r->partial_depth--;
		return;
	}
	tval num = { .kind = TV_STR, .s = r->num };
	const tval *numv = &num;
	const tval *v = lookup(r, n->name, &numv);
	if (!v) {
		diag_error(r->d, n->at, "unknown name '%s'", n->name);
		r->failed = true;
		return;
	}
	if (n->kind == N_VAR) {
		if (v->kind != TV_STR) {
			diag_error(r->d, n->at, "'%s' is not a string", n->name);
			r->failed = true;
			return;
		}
		buf_puts(r->out, v->s);
		return;
	}
	bool t = truthy(v);
	if (n->kind == N_INVERTED) {
		if (!t)
			render_nodes(r, &n->children);
		return;
	}
	if (!t)
		return;
	if (v->kind == TV_LIST) {
		for (size_t i = 0; i < v->items.n && !r->failed; i++) {
			if (!push(r, v->items.items[i], true, i, v->items.n, n->at))
				return;
			render_nodes(r, &n->children);
			r->depth--;
		}
		return;
	}
	if (v->kind == TV_DICT || v->kind == TV_STR) {
		if (!push(r, v, false, 0, 0, n->at))
			return;
		render_nodes(r, &n->children);
		r->depth--;
		return;
	}
	render_nodes(r, &n->children);
}

static void render_nodes(renderer *r, const vec *nodes)
{
	for (size_t i = 0; i < nodes->n && !r->failed; i++)
		render_node(r, nodes->items[i]);
}

int tmpl_render(diag_ctx *d, uint32_t file, const tval *root, tmpl_lookup partials, void *pctx, buf *out)
{
	const srcfile *f = diag_file(d, file);
	parser p = { d, file, f->text, f->len, 0, false };
	vec nodes;
	memset(&nodes, 0, sizeof nodes);
	parse_nodes(&p, &nodes, NULL);
	if (p.failed)
		return -1;
	renderer r;
	memset(&r, 0, sizeof r);
	r.d = d;
	r.partials = partials;
	r.pctx = pctx;
	r.out = out;
	r.stack[0] = (frame){ root, false, 0, 0 };
	r.depth = 1;
	render_nodes(&r, &nodes);
	return r.failed ? -1 : 0;
}

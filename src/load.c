/* load.c - reads a model and its imports (depth first, cycles rejected). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "model.h"

/* Standard modules (import std "name") are templates/std/NAME.model,
 * compiled into the binary; diagnostics show them as <std>/NAME.model. */
#define STD_SHOWN "<std>/"
#define STD_EMBED "templates/std/"

typedef struct loader {
	diag_ctx *d;
	model_loader load;
	void *ctx;
	vec files;      /* ast_file *, in load order (main first) */
	vec paths;      /* const char *, display paths, parallel to files */
	vec stack;      /* const char *: paths being loaded */
	vec post;       /* ast_file *, imports before importers (main last) */
} loader;

/* "dir/of/importer" + "rel" with "./" and "x/../" removed, so the same file
 * reached by two routes gets the same key. */
static const char *join_path(arena *a, const char *importer, const char *rel)
{
	buf b;
	buf_init(&b);
	if (rel[0] != '/') {
		const char *slash = strrchr(importer, '/');
		if (slash)
			buf_put(&b, importer, (size_t)(slash - importer + 1));
	}
	buf_puts(&b, rel);
	/* normalise segments */
	char *p = buf_cstr(&b);
	vec segs;
	memset(&segs, 0, sizeof segs);
	bool abs = p[0] == '/';
	char *save = NULL;
	for (char *tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0 && segs.n && strcmp(segs.items[segs.n - 1], "..") != 0) {
			segs.n--;
			continue;
		}
		vec_push(a, &segs, tok);
	}
	buf out;
	buf_init(&out);
	if (abs)
		buf_putc(&out, '/');
	for (size_t i = 0; i < segs.n; i++)
		buf_printf(&out, "%s%s", i ? "/" : "", (const char *)segs.items[i]);
	const char *r = arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	buf_free(&b);
	return r;
}

/* The embedded file of a standard module's display path, or NULL. */
static const embedded_file *std_file(arena *a, const char *shown)
{
	if (strncmp(shown, STD_SHOWN, strlen(STD_SHOWN)) != 0)
		return NULL;
	return embedded_find(arena_printf(a, "%s%s", STD_EMBED, shown + strlen(STD_SHOWN)));
}

static bool std_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(b), row[64];
	if (n >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= n; j++)
		row[j] = j;
	for (size_t i = 1; *a; a++, i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t up = row[j];
			size_t best = diag + (*a != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[n];
}

/* An unknown std name: the error, a suggestion and every known name (the
 * embedded list is the only truth, so adding a file adds a name). */
static void std_unknown(loader *L, const ast_decl *d)
{
	diag_error(L->d, d->path->at, "unknown standard module '%s'", d->import_path);
	buf names;
	buf_init(&names);
	const char *best = NULL;
	size_t best_dist = SIZE_MAX, klen = strlen(STD_EMBED), slen = strlen(".model");
	/* "Timestamps.model" still finds timestamps */
	char *want = arena_strdup(L->d->a, d->import_path);
	size_t ilen = strlen(want);
	if (ilen > slen && strcmp(want + ilen - slen, ".model") == 0)
		want[ilen -= slen] = '\0';
	for (char *p = want; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (const embedded_file *f = embedded_files; f->path; f++) {
		size_t n = strlen(f->path);
		if (strncmp(f->path, STD_EMBED, klen) != 0 || n < klen + slen || strcmp(f->path + n - slen, ".model"))
			continue;
		const char *name = arena_strndup(L->d->a, f->path + klen, n - klen - slen);
		buf_printf(&names, "%s%s", names.len ? ", " : "", name);
		size_t dist = edit_distance(want, name);
		if (dist < best_dist) {
			best_dist = dist;
			best = name;
		}
	}
	if (best && (best_dist <= 2 || best_dist * 3 <= ilen))
		diag_hint(L->d, "did you mean '%s'?", best);
	diag_hint(L->d, "the standard modules are: %s", names.len ? buf_cstr(&names) : "(none)");
	buf_free(&names);
}

static void load_rec(loader *L, const char *path, const ast_decl *from)
{
	for (size_t i = 0; i < L->stack.n; i++) {
		if (strcmp(L->stack.items[i], path) != 0)
			continue;
		buf b;
		buf_init(&b);
		for (size_t k = i; k < L->stack.n; k++)
			buf_printf(&b, "'%s' imports ", (const char *)L->stack.items[k]);
		buf_printf(&b, "'%s'", path);
		diag_error(L->d, from->path->at, "import cycle: %s", buf_cstr(&b));
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < L->paths.n; i++)
		if (strcmp(L->paths.items[i], path) == 0)
			return;     /* already loaded through another import */

	const char *text = NULL, *err = NULL;
	size_t len = 0;
	if (from && from->import_std) {
		const embedded_file *ef = std_file(L->d->a, path);   /* the caller made sure it exists */
		text = ef->data;
		len = ef->len;
	} else if (L->load(L->ctx, L->d->a, path, &text, &len, &err) != 0) {
		if (from) {
			diag_error(L->d, from->path->at, "cannot import '%s': %s", from->import_path, err ? err : "cannot read");
		} else {
			diag_error(L->d, LOC_NONE, "cannot read '%s': %s", path, err ? err : "cannot read");
		}
		return;
	}
	if (memchr(text, '\0', len)) {
		uint32_t id = diag_add_file(L->d, path, text, strlen(text));
		diag_error(L->d, (loc){ id, (uint32_t)strlen(text), 0 }, "file contains a NUL byte");
		return;
	}
	uint32_t id = diag_add_file(L->d, path, text, len);
	int errors = L->d->errors;
	ast_file *f = parse_file(L->d, id);
	vec_push(L->d->a, &L->files, f);
	vec_push(L->d->a, &L->paths, (void *)path);
	if (L->d->errors > errors)
		return;     /* imports of a broken file would only add noise */

	vec_push(L->d->a, &L->stack, (void *)path);
	for (size_t i = 0; i < f->decls.n; i++) {
		ast_decl *d = f->decls.items[i];
		if (d->kind != DECL_IMPORT)
			continue;
		if (d->import_std) {
			const char *shown = arena_printf(L->d->a, STD_SHOWN "%s.model", d->import_path);
			if (std_name_ok(d->import_path) && std_file(L->d->a, shown))
				load_rec(L, shown, d);
			else
				std_unknown(L, d);
			continue;
		}
		if (d->import_path[0] == '\0') {
			diag_error(L->d, d->path->at, "empty import path");
			continue;
		}
		if (strncmp(path, STD_SHOWN, strlen(STD_SHOWN)) == 0) {
			/* standard modules import each other with import std only */
			diag_error(L->d, d->path->at, "a standard module can only import std modules");
			continue;
		}
		load_rec(L, join_path(L->d->a, path, d->import_path), d);
	}
	L->stack.n--;
	vec_push(L->d->a, &L->post, f);
}

model *model_load(diag_ctx *d, const char *path, model_loader load, void *load_ctx)
{
	loader L;
	memset(&L, 0, sizeof L);
	L.d = d;
	L.load = load;
	L.ctx = load_ctx;
	int errors = d->errors;
	/* the main file's path is normalised like an import's, so a cycle back
	 * to it is recognised whatever the spelling */
	path = join_path(d->a, "", path);
	load_rec(&L, path, NULL);
	if (d->errors > errors || L.files.n == 0)
		return NULL;
	model *m = sema_check(d, (ast_file **)L.post.items, L.post.n, path);
	/* standard modules are part of the binary, not files a make rule could
	 * depend on: they stay out of the list (and out of -MD's depfile) */
	if (m)
		for (size_t i = 0; i < L.paths.n; i++)
			if (strncmp(L.paths.items[i], STD_SHOWN, strlen(STD_SHOWN)) != 0)
				vec_push(d->a, &m->files, L.paths.items[i]);
	return m;
}

int model_file_loader(void *ctx, arena *a, const char *path, const char **text, size_t *len, const char **err)
{
	(void)ctx;
	buf b;
	buf_init(&b);
	int e = buf_read_file(&b, path);
	if (e != 0) {
		*err = arena_strdup(a, strerror(e));
		buf_free(&b);
		return -1;
	}
	*text = arena_strndup(a, b.data ? b.data : "", b.len);
	*len = b.len;
	buf_free(&b);
	return 0;
}

/* load.c - reads a model and its imports (depth first, cycles rejected). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

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
	if (L->load(L->ctx, L->d->a, path, &text, &len, &err) != 0) {
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
		if (d->import_path[0] == '\0') {
			diag_error(L->d, d->path->at, "empty import path");
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
	if (m)
		m->files = L.paths;
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

/* tmpl.h - a small logic-less template engine (a strict Mustache subset).
 *
 *   {{name}}  {{a.b}}  {{.}}         insert a string value
 *   {{#name}}...{{/name}}            list: once per item; true / non-empty: once
 *   {{^name}}...{{/name}}            when false, empty or missing-as-false
 *   {{@first}} {{@last}} {{@index}}  about the innermost list iteration
 *   {{>name}}                        include another template
 *   {{! comment }}
 * A line holding only a section, comment or partial tag disappears entirely,
 * so templates can be laid out readably. Nothing is escaped. An unknown name
 * is an error (reported with the template's file, line and column): a typo in
 * a user's template must not silently produce empty output. */
#ifndef MODELC_TMPL_H
#define MODELC_TMPL_H

#include "diag.h"

typedef struct tval tval;

tval *tv_str(arena *a, const char *s);        /* s == NULL gives false */
tval *tv_bool(arena *a, bool b);
tval *tv_list(arena *a);
tval *tv_dict(arena *a);
void tv_push(arena *a, tval *list, tval *item);
void tv_set(arena *a, tval *dict, const char *key, tval *v);
void tv_sets(arena *a, tval *dict, const char *key, const char *s);
void tv_setb(arena *a, tval *dict, const char *key, bool b);
size_t tv_len(const tval *list);

/* Finds a template's text by name: 0 and the text, or -1. */
typedef int (*tmpl_lookup)(void *ctx, diag_ctx *d, const char *name, uint32_t *file);

/* Renders template `file` (registered in d) with `root` into out. Returns 0,
 * or -1 after reporting errors to d. */
int tmpl_render(diag_ctx *d, uint32_t file, const tval *root, tmpl_lookup partials, void *pctx, buf *out);

#endif

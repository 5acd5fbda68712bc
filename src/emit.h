/* emit.h - renders the model into output files through the templates. */
#ifndef MODELC_EMIT_H
#define MODELC_EMIT_H

#include "model.h"

typedef struct emit_opts {
	const char *templates_dir;  /* overrides embedded templates, or NULL */
} emit_opts;

typedef struct emit_file {
	const char *name;           /* e.g. "blog.h" */
	buf content;
} emit_file;

enum { EMIT_HEADER, EMIT_SOURCE, EMIT_SQL, EMIT_NFILES };

#define MODELC_ABI 6

/* Renders all outputs into files[]. Returns 0, or -1 with errors in d. The
 * caller frees each files[i].content. */
int emit_all(diag_ctx *d, const model *m, const emit_opts *opts, emit_file files[EMIT_NFILES]);

#endif

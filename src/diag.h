/* diag.h - source files and compiler diagnostics.
 *
 * Nodes carry only a byte offset and length into their file; line and column
 * are computed here, when a diagnostic is actually reported. */
#ifndef MODELC_DIAG_H
#define MODELC_DIAG_H

#include "util.h"

typedef struct loc {
	uint32_t file;   /* index into diag_ctx.files; LOC_NOFILE for none */
	uint32_t off;    /* byte offset of the first byte */
	uint32_t len;    /* bytes covered (0 = a point) */
} loc;

#define LOC_NOFILE UINT32_MAX
#define LOC_NONE ((loc){ LOC_NOFILE, 0, 0 })

typedef struct srcfile {
	const char *path;   /* as displayed in diagnostics */
	const char *text;   /* NUL-terminated copy owned by the arena */
	size_t len;
} srcfile;

typedef struct diag_group diag_group;

typedef struct diag_ctx {
	arena *a;
	vec files;          /* srcfile * */
	buf out;            /* rendered diagnostics, in source order */
	int errors;
	int notes;
	int warnings;
	bool muted;         /* the last error repeated an earlier one: skip its notes */
	vec groups;         /* diag_group *: an error or warning with its notes, sorted */
	diag_group *cur;
	uint32_t seq;
} diag_ctx;

void diag_init(diag_ctx *d, arena *a);
void diag_dispose(diag_ctx *d);
uint32_t diag_add_file(diag_ctx *d, const char *path, const char *text, size_t len);
const srcfile *diag_file(const diag_ctx *d, uint32_t id);

/* Computes 1-based line and byte column of an offset. */
void diag_linecol(const diag_ctx *d, loc l, unsigned *line, unsigned *col);

void diag_error(diag_ctx *d, loc l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(diag_ctx *d, loc l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(diag_ctx *d, loc l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A hint belongs to the diagnostic reported just before it. Diagnostics
 * are kept in source order (file, then offset), whatever order the passes
 * found them in; notes and hints stay with their error. */
void diag_hint(diag_ctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

loc loc_span(loc a, loc b);   /* from the start of a to the end of b */

#endif

/* fmt.h - the canonical layout of a .model file (modelc fmt).
 *
 * The formatter keeps every token and every comment and only decides the
 * white space between them; the grammar's own parser (parse_file) decides
 * what is a member, a modifier, a name or an expression. The layout rules
 * are documented in docs/fmt.md. */
#ifndef MODELC_FMT_H
#define MODELC_FMT_H

#include <stddef.h>

#include "util.h"

typedef enum fmt_status {
	FMT_OK = 0,         /* out holds the formatted text */
	FMT_SYNTAX = 1,     /* the model does not parse: diags holds the diagnostics */
	FMT_INTERNAL = 2,   /* the formatter could not keep the model's meaning: diags says why */
} fmt_status;

/* Formats one model source. path is only shown in diagnostics. Before it
 * returns FMT_OK the result is parsed again and compared with the input's
 * tree, so a formatted file always means what the original meant. out and
 * diags are appended to (buf_init them first). */
fmt_status fmt_source(const char *path, const char *text, size_t len, buf *out, buf *diags);

#endif

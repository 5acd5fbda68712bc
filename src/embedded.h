/* embedded.h - files compiled into the binary (templates, standard mixins). */
#ifndef MODELC_EMBEDDED_H
#define MODELC_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
	const char *path;   /* e.g. "templates/header.h.tmpl" */
	const char *data;   /* NUL-terminated */
	size_t len;
} embedded_file;

extern const embedded_file embedded_files[];   /* ends with a NULL path */

const embedded_file *embedded_find(const char *path);

#endif

/* output.h - writing generated files: atomically, and not at all when the
 * content is unchanged (so make does not rebuild for nothing). */
#ifndef MODELC_OUTPUT_H
#define MODELC_OUTPUT_H

#include <stddef.h>

/* 1 = written, 0 = unchanged, -1 = error (message in err). */
int output_write(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* mkdir -p; 0 or -1 (message in err). */
int output_mkdirs(const char *dir, char *err, size_t errlen);

#endif

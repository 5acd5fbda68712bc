/* util.h - arena, growable byte buffer and small string helpers for the compiler. */
#ifndef MODELC_UTIL_H
#define MODELC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

/* Everything the compiler allocates for one run lives in one arena, so error
 * paths (bison recovery included) never have to free node by node. */
typedef struct arena_block arena_block;
typedef struct arena {
	arena_block *head;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);          /* zeroed, 16-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Pointer vector whose storage comes from an arena (growth copies; the old
 * block is simply left to the arena). */
typedef struct vec {
	void **items;
	size_t n, cap;
} vec;

void vec_push(arena *a, vec *v, void *item);
#define VEC_AT(v, i, T) ((T)(v).items[i])

/* Heap byte buffer for rendered output. */
typedef struct buf {
	char *data;
	size_t len, cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_put(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
char *buf_cstr(buf *b);                   /* NUL-terminated view, owned by b */
int buf_read_file(buf *b, const char *path);   /* appends a file: 0, or an errno value */

/* String-keyed hash map in an arena (keys are not copied): lookups that
 * would be quadratic over thousands of tables. */
typedef struct strmap {
	const char **keys;
	void **vals;
	size_t n, cap;
} strmap;

/* The value slot of key: *found says whether key was there; a new key gets
 * a NULL slot. */
void **strmap_slot(arena *a, strmap *m, const char *key, bool *found);
void *strmap_get(const strmap *m, const char *key);

uint32_t fnv1a32(const char *s, size_t n);
bool str_ieq(const char *a, const char *b);

#endif

/* textutil.h - string helpers shared by the tests that compare output line
 * by line (header only; include after testutil.h). */
#ifndef MODELC_TEST_TEXTUTIL_H
#define MODELC_TEST_TEXTUTIL_H

#include <stdbool.h>

#include "testutil.h"

typedef struct lines {
	char **v;
	size_t n, cap;
} lines;

static inline void lines_push(lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		assert_non_null(l->v);
	}
	l->v[l->n++] = s;
}

static inline void lines_free(lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static inline char *dupn(const char *s, size_t n)
{
	char *r = malloc(n + 1);
	assert_non_null(r);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static inline char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	char *r = malloc((size_t)n + 1);
	assert_non_null(r);
	va_start(ap, f);
	vsnprintf(r, (size_t)n + 1, f, ap);
	va_end(ap);
	return r;
}

/* Splits text into lines (without their '\n'); a final line without '\n'
 * counts too. */
static inline lines split_lines(const char *text)
{
	lines l = { 0 };
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lines_push(&l, dupn(p, n));
		p += n + (nl ? 1 : 0);
	}
	return l;
}

static inline bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

#endif

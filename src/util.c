#include "util.h"

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_MIN_BLOCK (64u * 1024u)

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("modelc: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

void arena_init(arena *a) { a->head = NULL; }

void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(arena *a, size_t n)
{
	n = (n + 15u) & ~(size_t)15u;
	if (n == 0)
		n = 16;
	arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_MIN_BLOCK ? n : ARENA_MIN_BLOCK;
		b = xmalloc(sizeof *b + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void vec_push(arena *a, vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **items = arena_alloc(a, cap * sizeof *items);
		if (v->n)
			memcpy(items, v->items, v->n * sizeof *items);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
}

void buf_init(buf *b) { b->data = NULL; b->len = b->cap = 0; }
void buf_free(buf *b) { free(b->data); buf_init(b); }

static void buf_reserve(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d) {
		fputs("modelc: out of memory\n", stderr);
		exit(2);
	}
	b->data = d;
	b->cap = cap;
}

void buf_put(buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }
void buf_putc(buf *b, char c) { buf_put(b, &c, 1); }

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_cstr(buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

uint32_t fnv1a32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

bool str_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

int buf_read_file(buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno ? errno : EIO;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(b, chunk, n);
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	return err;
}

static size_t strmap_find(const strmap *m, const char *key)
{
	size_t i = fnv1a32(key, strlen(key)) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void **strmap_slot(arena *a, strmap *m, const char *key, bool *found)
{
	if ((m->n + 1) * 2 > m->cap) {
		strmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->keys = arena_alloc(a, m->cap * sizeof *m->keys);
		m->vals = arena_alloc(a, m->cap * sizeof *m->vals);
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i]) {
				size_t j = strmap_find(m, old.keys[i]);
				m->keys[j] = old.keys[i];
				m->vals[j] = old.vals[i];
			}
	}
	size_t i = strmap_find(m, key);
	*found = m->keys[i] != NULL;
	if (!*found) {
		m->keys[i] = key;
		m->n++;
	}
	return &m->vals[i];
}

void *strmap_get(const strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = strmap_find(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

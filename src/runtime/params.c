/* params.c - statement parameters in PostgreSQL's text format.
 *
 * Values are copied: short ones into p->scratch, longer ones into heap
 * blocks chained through p->owned (each block starts with the pointer to the
 * previous one). Past MC_PARAMS_INLINE the value and length arrays move to
 * the heap. Any allocation failure sets p->failed, and mc_exec refuses the
 * parameters then, so callers check once, not per value.
 *
 * The date/time and uuid setters live in params_codec.c: they need the text
 * codecs, this file does not. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void mc_params_init(mc_params *p)
{
	p->n = 0;
	p->cap = MC_PARAMS_INLINE;
	p->values = p->inline_values;
	p->lengths = p->inline_lengths;
	p->owned = NULL;
	p->scratch_used = 0;
	p->failed = false;
}

void mc_params_free(mc_params *p)
{
	char *b = p->owned;

	while (b) {
		char *next;
		memcpy(&next, b, sizeof(next));
		free(b);
		b = next;
	}
	if (p->values != p->inline_values)
		free((void *)p->values);
	if (p->lengths != p->inline_lengths)
		free(p->lengths);
	mc_params_init(p);
}

static bool grow(mc_params *p)
{
	int ncap;
	const char **nv;
	int *nl;

	if (p->cap > (1 << 24))
		return false;
	ncap = p->cap * 2;
	if (p->values == p->inline_values) {
		nv = malloc((size_t)ncap * sizeof(*nv));
		nl = malloc((size_t)ncap * sizeof(*nl));
		if (!nv || !nl) {
			free((void *)nv);
			free(nl);
			return false;
		}
		memcpy((void *)nv, p->inline_values, (size_t)p->n * sizeof(*nv));
		memcpy(nl, p->inline_lengths, (size_t)p->n * sizeof(*nl));
	} else {
		nv = realloc((void *)p->values, (size_t)ncap * sizeof(*nv));
		if (!nv)
			return false;
		p->values = nv;
		nl = realloc(p->lengths, (size_t)ncap * sizeof(*nl));
		if (!nl)
			return false;
	}
	p->values = nv;
	p->lengths = nl;
	p->cap = ncap;
	return true;
}

/* Room for one more value of len bytes plus its NUL, in the slot about to be
 * used; NULL (and p->failed) when there is none. */
static char *reserve(mc_params *p, size_t len)
{
	char *dst;

	if (p->failed)
		return NULL;
	if (len > (size_t)INT32_MAX - 1 || (p->n == p->cap && !grow(p))) {
		p->failed = true;
		return NULL;
	}
	if (len + 1 <= sizeof(p->scratch) - p->scratch_used) {
		dst = p->scratch + p->scratch_used;
		p->scratch_used += len + 1;
	} else {
		char *b = malloc(sizeof(char *) + len + 1);
		if (!b) {
			p->failed = true;
			return NULL;
		}
		memcpy(b, &p->owned, sizeof(char *));
		p->owned = b;
		dst = b + sizeof(char *);
	}
	p->values[p->n] = dst;
	p->lengths[p->n] = (int)len;
	p->n++;
	dst[len] = '\0';
	return dst;
}

void mc_param_null(mc_params *p)
{
	if (p->failed)
		return;
	if (p->n == p->cap && !grow(p)) {
		p->failed = true;
		return;
	}
	p->values[p->n] = NULL;
	p->lengths[p->n] = 0;
	p->n++;
}

void mc_param_text(mc_params *p, const char *s, size_t len)
{
	char *dst = reserve(p, len);

	if (dst && len)
		memcpy(dst, s, len);
}

void mc_param_str(mc_params *p, mc_str s)
{
	mc_param_text(p, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

void mc_param_bool(mc_params *p, bool v)
{
	mc_param_text(p, v ? "t" : "f", 1);
}

/* v in decimal into buf (24 bytes: any int64 and its NUL); the length. */
static int fmt_i64(char *buf, int64_t v)
{
	char t[24];
	int n = 0, len = 0;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		t[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = t[--n];
	buf[len] = '\0';
	return len;
}

static void param_fmt_int(mc_params *p, int64_t v)
{
	char buf[24];
	int n = fmt_i64(buf, v);
	mc_param_text(p, buf, (size_t)n);
}

void mc_param_int16(mc_params *p, int16_t v) { param_fmt_int(p, v); }
void mc_param_int32(mc_params *p, int32_t v) { param_fmt_int(p, v); }
void mc_param_int64(mc_params *p, int64_t v) { param_fmt_int(p, v); }

/* Enough digits to read back the same value; PostgreSQL's spelling of the
 * special values; and a '.' whatever LC_NUMERIC the program set. */
static void param_fmt_double(mc_params *p, double v, int digits)
{
	char buf[64];
	size_t n = 0;

	if (isnan(v)) {
		mc_param_text(p, "NaN", 3);
		return;
	}
	if (isinf(v)) {
		mc_param_text(p, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*g", digits, v);
	/* %g writes only digits, a sign, an exponent and the decimal
	 * separator, which a locale may spell differently */
	for (size_t i = 0; buf[i]; ) {
		char ch = buf[i];
		if ((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == 'e' || ch == 'E') {
			buf[n++] = ch;
			i++;
			continue;
		}
		buf[n++] = '.';
		while (buf[i] && !((buf[i] >= '0' && buf[i] <= '9') || buf[i] == 'e' || buf[i] == 'E'))
			i++;
	}
	buf[n] = '\0';
	mc_param_text(p, buf, n);
}

void mc_param_float(mc_params *p, float v) { param_fmt_double(p, v, 9); }
void mc_param_double(mc_params *p, double v) { param_fmt_double(p, v, 17); }

void mc_param_bytes(mc_params *p, mc_bytes v)
{
	static const char hex[] = "0123456789abcdef";
	char *dst;

	if (v.len > ((size_t)INT32_MAX - 3) / 2) {
		p->failed = true;
		return;
	}
	dst = reserve(p, 2 + v.len * 2);
	if (!dst)
		return;
	*dst++ = '\\';
	*dst++ = 'x';
	for (size_t i = 0; i < v.len; i++) {
		*dst++ = hex[v.ptr[i] >> 4];
		*dst++ = hex[v.ptr[i] & 15];
	}
}

/* ---- arrays ----------------------------------------------------------------
 * Every text element is double-quoted, so empty strings, "NULL", commas,
 * braces and blanks need no special case; only " and \ are escaped. */

void mc_param_array_text(mc_params *p, const mc_str *items, const bool *nulls, size_t n)
{
	size_t len = 2;
	char *dst;

	for (size_t i = 0; i < n; i++) {
		size_t el = 4;  /* NULL */
		if (!nulls || !nulls[i]) {
			el = 2;
			for (size_t k = 0; k < items[i].len; k++)
				el += (items[i].ptr[k] == '"' || items[i].ptr[k] == '\\') ? 2 : 1;
		}
		len += el + (i > 0);
		if (len > (size_t)INT32_MAX) {
			p->failed = true;
			return;
		}
	}
	dst = reserve(p, len);
	if (!dst)
		return;
	*dst++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*dst++ = ',';
		if (nulls && nulls[i]) {
			memcpy(dst, "NULL", 4);
			dst += 4;
			continue;
		}
		*dst++ = '"';
		for (size_t k = 0; k < items[i].len; k++) {
			char ch = items[i].ptr[k];
			if (ch == '"' || ch == '\\')
				*dst++ = '\\';
			*dst++ = ch;
		}
		*dst++ = '"';
	}
	*dst = '}';
}

void mc_param_array_int64(mc_params *p, const int64_t *items, const bool *nulls, size_t n)
{
	size_t len = 2;
	char *dst;

	/* 20 characters hold any int64 */
	if (n > ((size_t)INT32_MAX - 2) / 21) {
		p->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		len += (i > 0) + ((nulls && nulls[i]) ? 4 : 20);
	dst = reserve(p, len);
	if (!dst)
		return;
	char *start = dst;
	*dst++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*dst++ = ',';
		if (nulls && nulls[i]) {
			memcpy(dst, "NULL", 4);
			dst += 4;
		} else {
			dst += fmt_i64(dst, items[i]);
		}
	}
	*dst++ = '}';
	*dst = '\0';
	/* the reservation was for the widest numbers: record the real length */
	p->lengths[p->n - 1] = (int)(dst - start);
}

/* The elements' text is already what each type's input function reads, so
 * quoting it makes any element type safe: the array parser hands the
 * unescaped text to that function. */
void mc_param_array_of(mc_params *p, const mc_params *elems)
{
	size_t len = 2;
	char *dst;

	if (p->failed)
		return;
	/* adding to elems while reading it would move what we read */
	if (!elems || elems == p || elems->failed) {
		p->failed = true;
		return;
	}
	for (int i = 0; i < elems->n; i++) {
		const char *v = elems->values[i];
		size_t el = 4;  /* NULL */
		if (v) {
			el = 2;
			for (int k = 0; k < elems->lengths[i]; k++)
				el += (v[k] == '"' || v[k] == '\\') ? 2 : 1;
		}
		len += el + (i > 0);
		if (len > (size_t)INT32_MAX) {
			p->failed = true;
			return;
		}
	}
	dst = reserve(p, len);
	if (!dst)
		return;
	*dst++ = '{';
	for (int i = 0; i < elems->n; i++) {
		const char *v = elems->values[i];
		if (i > 0)
			*dst++ = ',';
		if (!v) {
			memcpy(dst, "NULL", 4);
			dst += 4;
			continue;
		}
		*dst++ = '"';
		for (int k = 0; k < elems->lengths[i]; k++) {
			if (v[k] == '"' || v[k] == '\\')
				*dst++ = '\\';
			*dst++ = v[k];
		}
		*dst++ = '"';
	}
	*dst = '}';
}

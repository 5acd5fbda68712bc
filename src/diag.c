#define _GNU_SOURCE   /* memmem */
#include "diag.h"

#include <stdio.h>
#include <string.h>

void diag_init(diag_ctx *d, arena *a)
{
	memset(d, 0, sizeof *d);
	d->a = a;
	buf_init(&d->out);
}

void diag_dispose(diag_ctx *d) { buf_free(&d->out); }

uint32_t diag_add_file(diag_ctx *d, const char *path, const char *text, size_t len)
{
	srcfile *f = arena_alloc(d->a, sizeof *f);
	f->path = arena_strdup(d->a, path);
	f->text = arena_strndup(d->a, text, len);
	f->len = len;
	vec_push(d->a, &d->files, f);
	return (uint32_t)(d->files.n - 1);
}

const srcfile *diag_file(const diag_ctx *d, uint32_t id)
{
	return id < d->files.n ? d->files.items[id] : NULL;
}

void diag_linecol(const diag_ctx *d, loc l, unsigned *line, unsigned *col)
{
	const srcfile *f = diag_file(d, l.file);
	*line = 1;
	*col = 1;
	if (!f)
		return;
	size_t end = l.off < f->len ? l.off : f->len;
	for (size_t i = 0; i < end; i++) {
		if (f->text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

loc loc_span(loc a, loc b)
{
	if (a.file != b.file || b.off + b.len < a.off)
		return a;
	loc r = a;
	r.len = b.off + b.len - a.off;
	return r;
}

/* Prints " NN | source line" and "    | ^~~~" under the span (clipped to
 * the first line), keeping tabs so the caret lines up in any terminal. */
static void render_source(diag_ctx *d, loc l, unsigned line)
{
	const srcfile *f = diag_file(d, l.file);
	if (!f)
		return;
	size_t off = l.off <= f->len ? l.off : f->len;
	size_t start = off;
	while (start > 0 && f->text[start - 1] != '\n')
		start--;
	size_t end = off;
	while (end < f->len && f->text[end] != '\n')
		end++;
	char num[16];
	int w = snprintf(num, sizeof num, "%u", line);
	if (w < 4)
		w = 4;
	buf_printf(&d->out, " %*u | ", w, line);
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)f->text[i];
		buf_putc(&d->out, (c < 0x20 && c != '\t') ? ' ' : (char)c);
	}
	buf_putc(&d->out, '\n');
	buf_printf(&d->out, " %*s | ", w, "");
	for (size_t i = start; i < off; i++)
		buf_putc(&d->out, f->text[i] == '\t' ? '\t' : ' ');
	buf_putc(&d->out, '^');
	size_t span_end = off + l.len;
	if (span_end > end)
		span_end = end;
	for (size_t i = off + 1; i < span_end; i++)
		buf_putc(&d->out, '~');
	buf_putc(&d->out, '\n');
}

static void report(diag_ctx *d, loc l, const char *kind, const char *fmt, va_list ap)
{
	const srcfile *f = diag_file(d, l.file);
	unsigned line = 0, col = 0;
	if (f) {
		diag_linecol(d, l, &line, &col);
		buf_printf(&d->out, "%s:%u:%u: %s: ", f->path, line, col, kind);
	} else {
		buf_printf(&d->out, "modelc: %s: ", kind);
	}
	buf_vprintf(&d->out, fmt, ap);
	buf_putc(&d->out, '\n');
	if (f)
		render_source(d, l, line);
}

/* A mixin's members are checked once per table that uses it; an error in
 * the mixin itself would be reported again for each. Identical diagnostics
 * (same place, same text) are reported once. */
static bool already_reported(diag_ctx *d, size_t start)
{
	size_t n = d->out.len - start;
	const char *text = d->out.data + start;
	for (const char *p = d->out.data; p && p < text; p++) {
		p = memmem(p, (size_t)(text - p), text, n);
		if (!p || p >= text)
			return false;
		if (p == d->out.data || p[-1] == '\n')
			return true;
	}
	return false;
}

void diag_error(diag_ctx *d, loc l, const char *fmt, ...)
{
	va_list ap;
	size_t start = d->out.len;
	va_start(ap, fmt);
	report(d, l, "error", fmt, ap);
	va_end(ap);
	d->muted = already_reported(d, start);
	if (d->muted) {
		d->out.len = start;
		buf_cstr(&d->out);
		return;
	}
	d->errors++;
}

void diag_note(diag_ctx *d, loc l, const char *fmt, ...)
{
	if (d->muted)
		return;
	va_list ap;
	va_start(ap, fmt);
	report(d, l, "note", fmt, ap);
	va_end(ap);
	d->notes++;
}

void diag_hint(diag_ctx *d, const char *fmt, ...)
{
	if (d->muted)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_puts(&d->out, "  hint: ");
	buf_vprintf(&d->out, fmt, ap);
	buf_putc(&d->out, '\n');
	va_end(ap);
}

#include "diag.h"

#include <stdio.h>
#include <string.h>

struct diag_group {
	uint32_t file, off, seq;
	buf text;
};

void diag_init(diag_ctx *d, arena *a)
{
	memset(d, 0, sizeof *d);
	d->a = a;
	buf_init(&d->out);
}

void diag_dispose(diag_ctx *d)
{
	for (size_t i = 0; i < d->groups.n; i++)
		buf_free(&((diag_group *)d->groups.items[i])->text);
	buf_free(&d->out);
}

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


#define DIAG_MAX_GROUPS 500

/* Prints " NN | source line" and "    | ^~~~" under the span (clipped to
 * the first line), keeping tabs so the caret lines up in any terminal. */
static void render_source(const diag_ctx *d, buf *out, loc l, unsigned line)
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
	buf_printf(out, " %*u | ", w, line);
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)f->text[i];
		buf_putc(out, (c < 0x20 && c != '\t') ? ' ' : (char)c);
	}
	buf_putc(out, '\n');
	buf_printf(out, " %*s | ", w, "");
	/* one column per character: UTF-8 continuation bytes take no space */
	for (size_t i = start; i < off; i++)
		if (((unsigned char)f->text[i] & 0xC0) != 0x80)
			buf_putc(out, f->text[i] == '\t' ? '\t' : ' ');
	buf_putc(out, '^');
	size_t span_end = off + l.len;
	if (span_end > end)
		span_end = end;
	for (size_t i = off + 1; i < span_end; i++)
		if (((unsigned char)f->text[i] & 0xC0) != 0x80)
			buf_putc(out, '~');
	buf_putc(out, '\n');
}

static void render(const diag_ctx *d, buf *out, loc l, const char *kind, const char *fmt, va_list ap)
{
	const srcfile *f = diag_file(d, l.file);
	unsigned line = 0, col = 0;
	if (f) {
		diag_linecol(d, l, &line, &col);
		buf_printf(out, "%s:%u:%u: %s: ", f->path, line, col, kind);
	} else {
		buf_printf(out, "modelc: %s: ", kind);
	}
	buf_vprintf(out, fmt, ap);
	buf_putc(out, '\n');
	if (f)
		render_source(d, out, l, line);
}

static int group_cmp(const diag_group *a, const diag_group *b)
{
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void rebuild(diag_ctx *d)
{
	d->out.len = 0;
	buf_cstr(&d->out);
	for (size_t i = 0; i < d->groups.n; i++) {
		diag_group *g = d->groups.items[i];
		buf_put(&d->out, g->text.data, g->text.len);
	}
	if (d->errors + d->warnings > DIAG_MAX_GROUPS)
		buf_printf(&d->out, "modelc: note: %d more diagnostics not shown\n",
		           d->errors + d->warnings - (int)d->groups.n);
}

/* Starts a new error/warning group, in sorted position. Returns false when
 * it repeats an earlier diagnostic exactly (a mixin used by several tables
 * reports its own errors once) or the limit is reached. */
static bool begin_group(diag_ctx *d, loc l, const char *kind, const char *fmt, va_list ap)
{
	diag_group *g = arena_alloc(d->a, sizeof *g);
	g->file = l.file;
	g->off = l.off;
	g->seq = d->seq++;
	buf_init(&g->text);
	render(d, &g->text, l, kind, fmt, ap);
	for (size_t i = 0; i < d->groups.n; i++) {
		diag_group *o = d->groups.items[i];
		if (o->text.len >= g->text.len && memcmp(o->text.data, g->text.data, g->text.len) == 0 &&
		    (o->text.len == g->text.len || o->text.data[g->text.len - 1] == '\n')) {
			buf_free(&g->text);
			return false;
		}
	}
	if (d->groups.n >= DIAG_MAX_GROUPS) {
		buf_free(&g->text);
		return false;
	}
	size_t pos = d->groups.n;
	while (pos > 0 && group_cmp(d->groups.items[pos - 1], g) > 0)
		pos--;
	vec_push(d->a, &d->groups, g);
	memmove(&d->groups.items[pos + 1], &d->groups.items[pos], (d->groups.n - 1 - pos) * sizeof(void *));
	d->groups.items[pos] = g;
	d->cur = g;
	if (pos == d->groups.n - 1)
		buf_put(&d->out, g->text.data, g->text.len);
	else
		rebuild(d);
	return true;
}

static void append(diag_ctx *d, const char *text, size_t n)
{
	if (!d->cur)
		return;
	buf_put(&d->cur->text, text, n);
	if (d->groups.items[d->groups.n - 1] == d->cur)
		buf_put(&d->out, text, n);
	else
		rebuild(d);
}

void diag_error(diag_ctx *d, loc l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->muted = !begin_group(d, l, "error", fmt, ap);
	va_end(ap);
	/* a repeat is not another error; one past the limit still is */
	if (!d->muted || d->groups.n >= DIAG_MAX_GROUPS)
		d->errors++;
	if (d->errors + d->warnings == DIAG_MAX_GROUPS + 1)
		rebuild(d);
}

void diag_warning(diag_ctx *d, loc l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->muted = !begin_group(d, l, "warning", fmt, ap);
	va_end(ap);
	if (!d->muted)
		d->warnings++;
}

void diag_note(diag_ctx *d, loc l, const char *fmt, ...)
{
	if (d->muted)
		return;
	va_list ap;
	buf b;
	buf_init(&b);
	va_start(ap, fmt);
	render(d, &b, l, "note", fmt, ap);
	va_end(ap);
	append(d, b.data, b.len);
	buf_free(&b);
	d->notes++;
}

void diag_hint(diag_ctx *d, const char *fmt, ...)
{
	if (d->muted)
		return;
	va_list ap;
	buf b;
	buf_init(&b);
	buf_puts(&b, "  hint: ");
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_putc(&b, '\n');
	append(d, b.data, b.len);
	buf_free(&b);
}

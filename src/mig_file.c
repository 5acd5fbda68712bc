/* mig_file.c - reading and verifying the migrations folder (placeholder). */
#include "migrate.h"

void sha256_hex(const void *data, size_t n, char out[65]) { (void)data; (void)n; out[0] = 0; }
int mig_file_parse(arena *a, const char *path, const char *text, size_t len, mig_file *out, buf *err)
{ (void)a; (void)path; (void)text; (void)len; (void)out; buf_puts(err, "not implemented\n"); return -1; }
int mig_split_sql(arena *a, const char *path, const char *text, size_t len, int first_line, vec *steps, buf *err)
{ (void)a; (void)path; (void)text; (void)len; (void)first_line; (void)steps; buf_puts(err, "not implemented\n"); return -1; }
int mig_set_load(arena *a, const char *dir, mig_set *out, buf *err)
{ (void)a; (void)err; out->dir = dir; out->files.n = 0; out->has_state = false; return 0; }
int mig_sum_write(arena *a, const char *dir, buf *err) { (void)a; (void)dir; (void)err; return 0; }

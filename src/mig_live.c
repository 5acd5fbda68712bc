/* mig_live.c - drift between a live database and the model (placeholder). */
#include "migrate.h"

int mig_live_check(const model *m, const char *conninfo, buf *out, buf *err)
{ (void)m; (void)conninfo; (void)out; buf_puts(err, "live check not implemented yet\n"); return 2; }

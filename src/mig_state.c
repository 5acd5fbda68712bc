/* mig_state.c - the canonical DSL text of a schema (placeholder). */
#include "migrate.h"

void mig_state_print(const model *m, buf *out) { (void)m; (void)out; }

/* mig_diff.c - the differ between two schema states and `migrate new`/`check` (placeholder). */
#include <stdio.h>

#include "migrate.h"

int mig_cmd_new(int argc, char **argv) { (void)argc; (void)argv; fputs("not implemented yet\n", stderr); return 2; }
int mig_cmd_check(int argc, char **argv) { (void)argc; (void)argv; fputs("not implemented yet\n", stderr); return 2; }

/* mig_run.c - applying migrations to a database (placeholder). */
#include <stdio.h>

#include "migrate.h"

static int todo(const char *what)
{
	fprintf(stderr, "modelc migrate %s: not implemented yet\n", what);
	return 2;
}

int mig_cmd_up(int argc, char **argv) { (void)argc; (void)argv; return todo("up"); }
int mig_cmd_down(int argc, char **argv) { (void)argc; (void)argv; return todo("down"); }
int mig_cmd_status(int argc, char **argv) { (void)argc; (void)argv; return todo("status"); }
int mig_cmd_history(int argc, char **argv) { (void)argc; (void)argv; return todo("history"); }
int mig_cmd_stamp(int argc, char **argv) { (void)argc; (void)argv; return todo("stamp"); }
int mig_cmd_sql(int argc, char **argv) { (void)argc; (void)argv; return todo("sql"); }
int mig_cmd_rehash(int argc, char **argv) { (void)argc; (void)argv; return todo("rehash"); }

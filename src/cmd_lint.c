/* cmd_lint.c - `modelc lint` (placeholder). */
#include <stdio.h>

#include "commands.h"

int cmd_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("modelc lint: not implemented yet\n", stderr);
	return 2;
}

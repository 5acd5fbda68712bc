/* cmd_fmt.c - `modelc fmt` (placeholder). */
#include <stdio.h>

#include "commands.h"

int cmd_fmt(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("modelc fmt: not implemented yet\n", stderr);
	return 2;
}

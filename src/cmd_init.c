/* cmd_init.c - `modelc init` (placeholder). */
#include <stdio.h>

#include "commands.h"

int cmd_init(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("modelc init: not implemented yet\n", stderr);
	return 2;
}

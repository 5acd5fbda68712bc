/* ping.c - `modelc ping` (placeholder). */
#include <stdio.h>

#include "commands.h"

int cmd_ping(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("modelc ping: not implemented yet\n", stderr);
	return 2;
}

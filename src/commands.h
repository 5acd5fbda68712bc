/* commands.h - the everyday subcommands of the modelc binary besides
 * compiling: each takes argv with argv[0] = its name and returns the exit
 * status. `ping` lives in src/cli/ because it uses the runtime library's
 * connection code: it is linked into the modelc binary only, never into
 * the compiler library (libmodelcc), which stays free of the runtime. */
#ifndef MODELC_COMMANDS_H
#define MODELC_COMMANDS_H

int cmd_init(int argc, char **argv);   /* src/cmd_init.c */
int cmd_lint(int argc, char **argv);   /* src/cmd_lint.c */
int cmd_fmt(int argc, char **argv);    /* src/cmd_fmt.c */
int cmd_ping(int argc, char **argv);   /* src/cli/ping.c */

#endif

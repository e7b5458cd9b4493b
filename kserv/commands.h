/* SPDX-License-Identifier: MIT */
/*
 * kserv's command interface. With "kserv.cmds=cmd1;cmd2;..." in the boot
 * arguments the commands run in order, then "KSERV: DONE" and power-off;
 * otherwise an interactive prompt on the serial console. A VM payload in the
 * initrd runs first (run-payload), unless the command list says when; without
 * a command list kserv then powers off. docs/kserv.md lists
 * the commands and the marker lines tests look for.
 */
#ifndef KSERV_COMMANDS_H
#define KSERV_COMMANDS_H

#include "types.h"

#define CMD_MAX_ARGS 8

_Noreturn void commands_main(const char *bootargs);

/* Runs one command line (modified in place); 0 if the command succeeded. */
int command_run(char *line);

/* Parses a decimal or 0x-prefixed hexadecimal number, whole: false if it is not one. */
bool parse_u64(const char *s, u64 *out);

/* The commands that live in their own files. */
int cmd_mem(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_vms(int argc, char **argv);
int cmd_run_payload(int argc, char **argv);

#endif /* KSERV_COMMANDS_H */

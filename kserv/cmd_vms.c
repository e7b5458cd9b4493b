/* SPDX-License-Identifier: MIT */
/* The "vms" and "run-payload" commands (docs/kserv.md, "VMs"). */
#include "commands.h"
#include "vms.h"

int cmd_vms(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vms_list();
	return 0;
}

int cmd_run_payload(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vms_run_payload() ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * kserv's test and attack drivers (docs/kserv.md, "Hooks"): the commands
 * kserv's command table names, and the hooks it registers (vmm/hooks.h) at
 * boot, in this order: reset_scan_hooks (it resets the machine at a
 * checkpoint before anything else sees it), vm_attacks_hooks, regworld_hooks
 * (its check of the host's registers precedes anything on an exit that could
 * change one), vm_attacks_cpu_on_hooks, snapshot_scan_hooks (before the
 * snapshot attacks, which scan too), snapshot_attacks_hooks, host_gic_hooks
 * (it only reads the host's GIC before and after a payload).
 */
#ifndef KSERV_TESTS_DRIVERS_H
#define KSERV_TESTS_DRIVERS_H

#include "vmm/hooks.h"

/* The VM the host attack suite and reset-scan aim at (guests/secret.c). */
#define GUEST_SECRET_NAME "secret"

int cmd_attack_kcore(int argc, char **argv);
int cmd_hvc_garbage(int argc, char **argv);
int cmd_dma(int argc, char **argv);
int cmd_reset_scan(int argc, char **argv);

extern const struct vmm_hooks reset_scan_hooks;
extern const struct vmm_hooks vm_attacks_hooks;
extern const struct vmm_hooks regworld_hooks;
extern const struct vmm_hooks vm_attacks_cpu_on_hooks;
extern const struct vmm_hooks snapshot_scan_hooks;
extern const struct vmm_hooks snapshot_attacks_hooks;
extern const struct vmm_hooks host_gic_hooks;

#endif /* KSERV_TESTS_DRIVERS_H */

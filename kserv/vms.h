/* SPDX-License-Identifier: MIT */
/*
 * Running the VM payload (docs/kserv.md, "VMs"): parse it, create every VM
 * (vm.c), run the verified ones on all CPUs (sched.c) until each powered
 * off and was torn down, then the attack suite's summary (when the payload
 * asks for it) and "KSERV: VMS DONE ok=<n> failed=<m>".
 */
#ifndef KSERV_VMS_H
#define KSERV_VMS_H

#include "types.h"
#include "vmm/payload.h"

/* True if the DTB names an initrd that starts like a VM payload (its magic). */
bool vms_payload_present(void);

/* The payload of the current run (checked). */
const struct payload *vms_payload(void);

/* Creates and runs every VM of the payload; true if every one ended as it should. */
bool vms_run_payload(void);

/* Prints the VMs of the last payload run and their state. */
void vms_list(void);

#endif /* KSERV_VMS_H */

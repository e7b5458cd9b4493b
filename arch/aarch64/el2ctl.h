/* SPDX-License-Identifier: MIT */
/*
 * The EL2 trap and feature controls kcore runs the host and guests with,
 * derived once at boot from what the CPU implements (every CPU of the
 * machine is alike), so the world switch pays only for what exists: a
 * register of SME, say, costs nothing on a CPU without SME.
 *
 * Why each control is what it is: docs/security.md, "System registers".
 */
#ifndef KCORE_AARCH64_EL2CTL_H
#define KCORE_AARCH64_EL2CTL_H

#include "core/lib/types.h"

#define PAUTH_GUEST 1u
#define PAUTH_HOST  2u

struct el2ctl {
	u64 hcr_host;	/* HCR_EL2 while the host runs */
	u64 hcr_guest;	/* HCR_EL2 while a guest runs */
	u64 cptr_guest; /* CPTR_EL2 while a guest runs (TFP is added at each entry) */
	u64 mdcr_guest; /* MDCR_EL2 while a guest runs */
	u64 mdcr_host;	/* MDCR_EL2 while the host runs */
	/*
	 * Pointer authentication keys: PAUTH_GUEST, switched per vCPU; with
	 * PAUTH_HOST the host has its own too (a Linux host), switched back at
	 * exit. A mask, not a bool: a bool would fold PAUTH_HOST away.
	 */
	u32 pauth;
	bool tpidr2; /* SME's TPIDR2_EL0: switched per world */
	bool vdisr;  /* RAS: a guest's DISR_EL1 is VDISR_EL2, switched per vCPU */
	bool hcx;    /* HCRX_EL2 exists (cleared at boot) */
	bool trf;    /* TRFCR_EL1/EL2 exist (trace filtering: no trace at EL2 or below) */
	bool fwb;    /* FEAT_S2FWB: stage 2 forces Normal RAM Write-Back (HCR_EL2.FWB) */
	u32 nbrp;    /* breakpoints (ID_AA64DFR0_EL1.BRPs + 1), switched for guests that debug */
	u32 nwrp;    /* watchpoints (WRPs + 1) */
	u64 mdcr_guest_run;   /* MDCR_EL2 while a guest runs: mdcr_guest with the host's HPMN */
	u64 mdcr_guest_debug; /* the same for a vCPU whose debug state is active (debug.c) */
};

extern struct el2ctl el2ctl;

/*
 * Reads the ID registers and fills el2ctl: on the boot CPU, before kcore
 * builds a translation table (the stage-2 leaf format depends on FWB) and
 * before any other CPU or guest runs.
 */
void el2ctl_probe(void);

/*
 * A Linux host sets its own pointer authentication keys at boot (kserv
 * never does): where the CPU has them, the host may use and set them
 * (HCR_EL2.API, APK) and the world switch saves and restores the host's
 * keys around each guest run, so no guest's keys stay in the CPU for the
 * host to read. On the boot CPU after el2ctl_probe, before any CPU enters
 * the host.
 */
void el2ctl_host_pauth(void);

/* This CPU's controls that never change after boot: HCRX_EL2, TRFCR_EL2/EL1. */
void el2ctl_init_cpu(void);

#endif /* KCORE_AARCH64_EL2CTL_H */

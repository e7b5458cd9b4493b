/* SPDX-License-Identifier: MIT */
/* Shared between the files of the simulated machine; not for tests or the core. */
#ifndef KCORE_ARCH_SIM_SIM_INTERNAL_H
#define KCORE_ARCH_SIM_SIM_INTERNAL_H

#include <stdio.h>
#include <stdlib.h>

#include "arch/sim/sim.h"

/*
 * bus.c: makes one operation on the machine's shared hardware state (TLB,
 * recorders, a translation's lookup-walk-fill) atomic among CPU threads.
 */
void sim_bus_lock(void);
void sim_bus_unlock(void);

/* Bits hi..lo (inclusive) of a 64-bit word set. */
#define SIM_BITS(hi, lo) ((~0ull >> (63u - (hi))) & (~0ull << (lo)))

#define SIM_LEVELS	  4u   /* 4 KiB granule, start level 0 */
#define SIM_DESC_PER_PAGE 512u /* 9 bits of input address per level */

/* Input address bits consumed below a descriptor of this level: 39, 30, 21, 12. */
static inline u32 sim_level_shift(u32 level)
{
	return PAGE_SHIFT + 9u * (3u - level);
}

/* Which of the two descriptor formats a walk decodes. */
enum sim_stage {
	SIM_STAGE2,
	SIM_EL2_STAGE1,
};

/* Limits a stage-1 table descriptor puts on its whole subtree (APTable[1], XNTable). */
struct sim_hier {
	bool read_only;
	bool no_exec;
};

enum sim_desc_kind {
	SIM_DESC_FAULT, /* out->status says why; includes plain invalid descriptors */
	SIM_DESC_TABLE, /* *next is the next-level table, *hier updated */
	SIM_DESC_LEAF,	/* out: status OK or AF fault, pa = output base, leaf_size */
};

/* desc.c: one descriptor, read from desc_pa at level, decoded. */
enum sim_desc_kind sim_decode_desc(enum sim_stage stage, u64 desc, paddr_t desc_pa, u32 level,
				   struct sim_hier *hier, paddr_t *next, struct sim_xlate *out);

/* walk.c: a walk of any regime; in_bits is the input address size. */
enum sim_xlate_status sim_walk(enum sim_stage stage, paddr_t root, u32 in_bits, u64 in,
			       struct sim_xlate *out);
/* The same, reading descriptors at table + 8 * index; false if not RAM. */
bool sim_read_desc(paddr_t table, u64 index, u64 *desc);

/* leaves.c: the iterator behind sim_s2/s1_for_each_leaf. */
typedef int sim_leaf_fn(void *ctx, u64 in, const struct sim_xlate *x);
int sim_walk_leaves(enum sim_stage stage, paddr_t root, u32 in_bits, sim_leaf_fn *cb, void *ctx);

/* regime.c: where each regime's tables are right now. */
void sim_regime_reset(bool manual);
bool sim_regime_manual(void);
bool sim_regime_s2(u32 vmid, paddr_t *root, u32 *ipa_bits);
bool sim_regime_s1(paddr_t *root);
/* The table of IO domain d, as the core reports it; false if it has none (or manual mode). */
bool sim_regime_io(u32 domain, paddr_t *root, u32 *ia_bits);
/* The IO domain a regime id names; false for a CPU regime. */
bool sim_regime_is_io(u32 regime, u32 *domain);
/* Walk addr in regime (a VMID, SIM_REGIME_EL2 or an IO domain); false if it has no tables. */
bool sim_regime_walk(u32 regime, u64 addr, struct sim_xlate *out);

/* tlb.c */
void sim_tlb_reset(void);
void sim_tlb_insert(const struct sim_tlb_entry *e);
/* Make an entry from a successful walk of addr. */
void sim_tlb_entry_from_xlate(struct sim_tlb_entry *e, u32 regime, u64 addr,
			      const struct sim_xlate *x);
/* Drop entries of regime containing addr, of any size; returns how many. */
u32 sim_tlb_drop_addr(u32 regime, u64 addr);
u32 sim_tlb_drop_regime(u32 regime);
void sim_tlb_for_each(void (*fn)(void *ctx, const struct sim_tlb_entry *e), void *ctx);
/* Cache every valid leaf of one regime's current tables. */
void sim_tlb_fill_regime(u32 regime);

/* access.c: translate for an access through the TLB; fill caches a successful walk. */
enum sim_access_result sim_translate(u32 regime, u64 addr, bool write, bool fill, paddr_t *pa);

/* machine.c: a read of the sim's own (table walks), which a RAM checkpoint need not track. */
bool sim_ram_load_u64(paddr_t pa, u64 *val);

/* smmu.c */
void sim_smmu_reset(void);

/* recorders.c */
void sim_recorders_reset(void);
void sim_record_tlbi(enum sim_tlbi_type type, u32 vmid, u64 addr);
void sim_record_host_abort(ipaddr_t ipa);
void sim_record_clean(const void *p, size_t len);
void sim_record_console(const char *s, size_t len);

/*
 * Print "sim: <msg>" and abort(): the core did something hardware would not
 * survive. A macro over fprintf (fmt must be a literal) rather than a va_list
 * function, which clang-tidy 14 misreads when given several files at once.
 */
#define sim_die(fmt, ...)                                       \
	do {                                                    \
		fflush(stdout);                                 \
		fprintf(stderr, "sim: " fmt "\n", __VA_ARGS__); \
		abort();                                        \
	} while (0)

/* Forgets every recorded data-cache clean (dcache.c). */
void sim_dcache_reset(void);

#endif /* KCORE_ARCH_SIM_SIM_INTERNAL_H */

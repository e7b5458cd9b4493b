/* SPDX-License-Identifier: MIT */
/* The register frame start.S saves on every exception (layout.h offsets). */
#ifndef GUEST_EXC_FRAME_H
#define GUEST_EXC_FRAME_H

#include "guest.h"
#include "layout.h"

struct exc_frame {
	u64 x[31];
	u64 sp; /* SP before the exception */
	u64 elr;
	u64 spsr;
	u64 esr;
	u64 far;
};

_Static_assert(sizeof(struct exc_frame) == FRAME_SIZE, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, sp) == FRAME_SP, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, elr) == FRAME_ELR, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, spsr) == FRAME_SPSR, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, esr) == FRAME_ESR, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, far) == FRAME_FAR, "exc_frame layout");

/* The vector entries for a synchronous exception and an IRQ at EL1 on SP_EL1. */
#define VEC_CUR_SPX_SYNC 4
#define VEC_CUR_SPX_IRQ	 5

void guest_exception(struct exc_frame *f, u64 vector);

/* probe.c: true if f is a data abort at an armed probe of this vCPU (then resumes after it). */
bool probe_claim_abort(struct exc_frame *f);
bool probe_is_quiet(void);

#endif /* GUEST_EXC_FRAME_H */

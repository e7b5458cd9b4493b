/* SPDX-License-Identifier: MIT */
/*
 * The register frame vectors.S saves on every exception and hands to the
 * user's el1_exception() (kserv/exceptions.c, guests/lib/exceptions.c). The
 * handler may change x[] and elr: they are restored from the frame before
 * ERET.
 */
#ifndef EL1_EXC_FRAME_H
#define EL1_EXC_FRAME_H

/* The frame: x0..x30, the interrupted SP, ELR, SPSR, ESR, FAR. */
#define FRAME_SP   248
#define FRAME_ELR  256
#define FRAME_SPSR 264
#define FRAME_ESR  272
#define FRAME_FAR  280
#define FRAME_SIZE 288

/* Vector numbers: the entry's index in the table (VBAR_EL1 + 0x80 * n). */
#define VEC_CUR_SP0_SYNC 0
#define VEC_CUR_SPX_SYNC 4
#define VEC_CUR_SPX_IRQ	 5
#define VEC_LOWER64_SYNC 8
#define VEC_LOWER32_SYNC 12
#define VEC_KIND_SYNC	 0
#define VEC_KIND_IRQ	 1
#define VEC_KIND_FIQ	 2
#define VEC_KIND_SERROR	 3

#ifndef __ASSEMBLER__
#include "types.h"

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

/*
 * The user's hook, called by vectors.S for every exception (vector = the
 * entry's index). kserv and the guest library each define it: what is
 * survived and how it is reported is theirs.
 */
void el1_exception(struct exc_frame *f, u64 vector);
#endif

#endif /* EL1_EXC_FRAME_H */

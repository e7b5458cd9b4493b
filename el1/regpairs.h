/* SPDX-License-Identifier: MIT */
/*
 * An assembler macro for the long runs of register-pair loads and stores
 * that save and restore register files: the exception frame (vectors.S) and
 * the guests that fill and read back every register (guests/secret_regs.S).
 *
 *   regpairs OP, R, SIZE, BASE, OFF, A, B, C, D, ...
 *
 * is "OP R<A>, R<B>, [BASE, #OFF]", then "OP R<C>, R<D>, [BASE, #OFF+2*SIZE]"
 * and so on: OP is ldp or stp, R the register prefix (x, d or q) and SIZE
 * its size in bytes. For example "regpairs stp, x, 8, sp, 16, 2, 3, 4, 5"
 * is "stp x2, x3, [sp, #16]" and "stp x4, x5, [sp, #32]".
 */
#ifndef EL1_REGPAIRS_H
#define EL1_REGPAIRS_H

#ifdef __ASSEMBLER__
/* clang-format off */
.macro	regpairs op, r, size, base, off, a, b, rest:vararg
	\op	\r\a, \r\b, [\base, #\off]
	.ifnb	\rest
	regpairs \op, \r, \size, \base, (\off + 2 * \size), \rest
	.endif
.endm
/* clang-format on */
#endif

#endif /* EL1_REGPAIRS_H */

/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by the guest library's assembly and C: vCPU and stack
 * limits. The EL1 control-register values and the exception frame are the
 * EL1 library's (el1/layout.h, el1/exc_frame.h).
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#include "el1/layout.h"

#define GUEST_MAX_CPUS	 EL1_MAX_CPUS
#define GUEST_STACK_SIZE 8192

#endif /* GUEST_LAYOUT_H */

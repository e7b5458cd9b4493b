/* SPDX-License-Identifier: MIT */
/*
 * Debian builds libfdt with the stack protector; kserv itself is built
 * without it. A smashed canary in libfdt stops the machine.
 */
#include "exceptions.h"

void __stack_chk_fail(void);
extern uintptr_t __stack_chk_guard;
uintptr_t __stack_chk_guard = 0x2d6b736572762dull;

void __stack_chk_fail(void)
{
	kserv_fail("stack smashing detected in libfdt");
}

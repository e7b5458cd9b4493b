/* SPDX-License-Identifier: MIT */
/* kserv's system registers and barriers: the EL1 library's (el1/sysreg.h). */
#ifndef KSERV_SYSREG_H
#define KSERV_SYSREG_H

#include "el1/sysreg.h"

#endif /* KSERV_SYSREG_H */

/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by kserv's assembly and C: CPU and stack limits. The EL1
 * control-register values start.S installs are the EL1 library's
 * (el1/layout.h).
 */
#ifndef KSERV_LAYOUT_H
#define KSERV_LAYOUT_H

#include "el1/layout.h"

#define KSERV_MAX_CPUS	 EL1_MAX_CPUS
#define KSERV_STACK_SIZE 16384

#endif /* KSERV_LAYOUT_H */

/* SPDX-License-Identifier: MIT */
/* ESR_EL1 fields and words for them: the EL1 library's (el1/esr.h). */
#ifndef KSERV_ESR_H
#define KSERV_ESR_H

#include "el1/esr.h"

#endif /* KSERV_ESR_H */

/* SPDX-License-Identifier: MIT */
/* kserv's printf subset: the EL1 library's (el1/format.h). */
#ifndef KSERV_FORMAT_H
#define KSERV_FORMAT_H

#include "el1/format.h"

#endif /* KSERV_FORMAT_H */

/* SPDX-License-Identifier: MIT */
/*
 * libfdt's environment header includes <stdlib.h>; kcore at EL2 has no C
 * library and libfdt's headers need nothing from it beyond size_t.
 */
#ifndef KCORE_AARCH64_STDLIB_H
#define KCORE_AARCH64_STDLIB_H

#include <stddef.h>

#endif /* KCORE_AARCH64_STDLIB_H */

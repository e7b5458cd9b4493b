/* SPDX-License-Identifier: MIT */
/*
 * libfdt_env.h includes <stdlib.h>; kserv provides only strtoul (kserv/lib.c),
 * the one function of it libfdt uses.
 */
#ifndef KSERV_STDLIB_H
#define KSERV_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif /* KSERV_STDLIB_H */

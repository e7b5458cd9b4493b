/* SPDX-License-Identifier: MIT */
/*
 * libfdt_env.h includes <stdlib.h>; the EL1 library provides only strtoul
 * (el1/stdlib.c), the one function of it libfdt and kserv use.
 */
#ifndef EL1_STDLIB_H
#define EL1_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif /* EL1_STDLIB_H */

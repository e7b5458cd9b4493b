/* SPDX-License-Identifier: MIT */
/* The PL011 UART kcore prints on (polled, transmit only). */
#ifndef KCORE_AARCH64_PL011_H
#define KCORE_AARCH64_PL011_H

#include "core/lib/types.h"

void pl011_init(u64 base);
void pl011_write(const char *s, size_t len);
u64 pl011_base(void);

#endif /* KCORE_AARCH64_PL011_H */

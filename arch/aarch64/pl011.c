/* SPDX-License-Identifier: MIT */
#include "pl011.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_TXFF (1u << 5)

/* QEMU virt's UART until the DTB says otherwise, so early panics still print. */
static u64 uart = 0x09000000ull;

void pl011_init(u64 base)
{
	uart = base;
}
u64 pl011_base(void)
{
	return uart;
}

static void put(char c)
{
	volatile u32 *fr = (volatile u32 *)(uintptr_t)(uart + UARTFR);
	volatile u32 *dr = (volatile u32 *)(uintptr_t)(uart + UARTDR);

	while (*fr & UARTFR_TXFF)
		;
	*dr = (u32)(unsigned char)c;
}

void pl011_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

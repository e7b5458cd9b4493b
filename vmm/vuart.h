/* SPDX-License-Identifier: MIT */
/*
 * The PL011 a guest sees (KCORE_GUEST_UART_BASE, 4 KiB), as the host
 * emulates it: writes to DR collect characters into lines; FR reads
 * TXFE|RXFE (never full, nothing received); the PrimeCell ID registers read
 * as a PL011's; every other register reads 0, writes to them are ignored.
 * The device only: the caller prints a line once it is complete, under
 * whatever lock keeps the guest's line whole.
 */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include "types.h"

#define VUART_SIZE     0x1000ull
#define VUART_LINE_MAX 256u

struct vmm_uart {
	char line[VUART_LINE_MAX]; /* NUL-terminated once vuart_putc says it is complete */
	u32 len;
};

/* A register read at off. */
u64 vuart_read(u64 off);

/* Whether a write at off is a character (of its low byte) for the line. */
static inline bool vuart_write_is_char(u64 off)
{
	return off == 0; /* DR */
}

/*
 * Adds c to the line: '\r' is dropped, anything unprintable becomes '?' (a
 * guest must not drive the host's terminal). True when the line is complete
 * ('\n', or full): then u->line holds it, and the caller prints it and calls
 * vuart_line_taken.
 */
bool vuart_putc(struct vmm_uart *u, char c);

/* What is left of the line at teardown: true if there is a part line (then as above). */
bool vuart_flush(struct vmm_uart *u);

void vuart_line_taken(struct vmm_uart *u);

#endif /* VMM_VUART_H */

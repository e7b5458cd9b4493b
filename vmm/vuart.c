/* SPDX-License-Identifier: MIT */
#include "vuart.h"

#define UART_FR	      0x018u
#define UART_FR_RXFE  (1u << 4)
#define UART_FR_TXFE  (1u << 7)
#define UART_PERIPHID 0xfe0u /* PeriphID0..3, then PCellID0..3, one byte per word */

static const u8 pl011_ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

u64 vuart_read(u64 off)
{
	if (off == UART_FR)
		return UART_FR_TXFE | UART_FR_RXFE;
	if (off >= UART_PERIPHID && off < UART_PERIPHID + 0x20 && (off & 3) == 0)
		return pl011_ids[(off - UART_PERIPHID) / 4];
	return 0;
}

static bool complete(struct vmm_uart *u)
{
	u->line[u->len] = '\0';
	return true;
}

bool vuart_putc(struct vmm_uart *u, char c)
{
	if (c == '\n')
		return complete(u);
	if (c == '\r')
		return false;
	if (!((c >= 0x20 && c < 0x7f) || c == '\t'))
		c = '?';
	u->line[u->len++] = c;
	return u->len == VUART_LINE_MAX - 1 && complete(u);
}

bool vuart_flush(struct vmm_uart *u)
{
	return u->len > 0 && complete(u);
}

void vuart_line_taken(struct vmm_uart *u)
{
	u->len = 0;
}

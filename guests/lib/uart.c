/* SPDX-License-Identifier: MIT */
/*
 * The console: the PL011 the host emulates at KCORE_GUEST_UART_BASE. Only
 * the data register is written: every write is an MMIO exit the host turns
 * into output (it prefixes each line with "[<vm name>] "), and the emulated
 * UART never fills, so there is no flag register to poll. A line ends with
 * "\n" alone.
 *
 * The printf subset is the EL1 library's (el1/format.h).
 */
#include <kcore/payload.h>

#include "el1/format.h"
#include "guest.h"

#define UART_DR 0x000

/* The vCPU (index + 1) holding the console, 0 if none. */
static u32 console_owner;

void uart_putc(char c)
{
	mmio_write32(KCORE_GUEST_UART_BASE + UART_DR, (u8)c);
}

void uart_puts(const char *s)
{
	while (*s != '\0')
		uart_putc(*s++);
}

static void uart_out(void *ctx, char c)
{
	(void)ctx;
	uart_putc(c);
}

void uart_vprintf(const char *fmt, va_list ap)
{
	format_v(uart_out, NULL, fmt, ap);
}

/*
 * A lock per line, so vCPUs do not interleave characters. Re-entrant on the
 * same vCPU: an exception taken while this vCPU prints can still report.
 */
static bool console_lock(void)
{
	u32 me = read_cpu_index() + 1;
	u32 free = 0;

	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me)
		return false;
	while (!__atomic_compare_exchange_n(&console_owner, &free, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED))
		free = 0;
	return true;
}

static void console_unlock(bool taken)
{
	if (taken)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}

void say(const char *fmt, ...)
{
	bool taken = console_lock();
	va_list ap;

	uart_puts("GUEST ");
	uart_puts(guest_name);
	uart_puts(": ");
	va_start(ap, fmt);
	uart_vprintf(fmt, ap);
	va_end(ap);
	uart_putc('\n');
	console_unlock(taken);
}

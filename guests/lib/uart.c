/* SPDX-License-Identifier: MIT */
/*
 * The console: the PL011 the host emulates at KCORE_GUEST_UART_BASE. Only
 * the data register is written: every write is an MMIO exit the host turns
 * into output (it prefixes each line with "[<vm name>] "), and the emulated
 * UART never fills, so there is no flag register to poll. A line ends with
 * "\n" alone.
 *
 * The printf subset: %s %c %d %i %u %x %p %%, the flags '0' and '-', a
 * width, and the length modifiers l, ll and z.
 */
#include <kcore/payload.h>

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

static void put_padded(const char *s, u32 len, u32 width, bool left, char padc)
{
	if (!left)
		for (u32 i = len; i < width; i++)
			uart_putc(padc);
	for (u32 i = 0; i < len; i++)
		uart_putc(s[i]);
	if (left)
		for (u32 i = len; i < width; i++)
			uart_putc(' ');
}

static void put_num(u64 v, bool neg, u32 base, u32 width, bool left, bool zero)
{
	char buf[24];
	u32 n = sizeof(buf);

	do {
		buf[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	if (neg && zero && !left) {
		uart_putc('-');
		width = width > 0 ? width - 1 : 0;
	} else if (neg) {
		buf[--n] = '-';
	}
	put_padded(&buf[n], (u32)sizeof(buf) - n, width, left, zero && !left ? '0' : ' ');
}

void uart_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		bool left = false, zero = false;
		u32 width = 0, longs = 0;
		u64 u;
		s64 s;

		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '-' || *fmt == '0'; fmt++) {
			left |= *fmt == '-';
			zero |= *fmt == '0';
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (u32)(*fmt++ - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs > 0 ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(s < 0 ? 0 - (u64)s : (u64)s, s < 0, 10, width, left, zero);
			break;
		case 'u':
		case 'x':
			u = longs > 0 ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			put_num(u, false, *fmt == 'u' ? 10 : 16, width, left, zero);
			break;
		case 'p':
			uart_puts("0x");
			put_num((u64)(uintptr_t)va_arg(ap, void *), false, 16, width, left, zero);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (str == NULL)
				str = "(null)";
			put_padded(str, (u32)strlen(str), width, left, ' ');
			break;
		}
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		case '%':
			uart_putc('%');
			break;
		default: /* unknown conversion: show it, so the mistake is visible */
			uart_putc('%');
			if (*fmt == '\0')
				return;
			uart_putc(*fmt);
			break;
		}
	}
}

/*
 * A lock per line, so vCPUs do not interleave characters. Re-entrant on the
 * same vCPU: an exception taken while this vCPU prints can still report.
 */
static bool console_lock(void)
{
	u32 me = this_cpu() + 1;
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

/* SPDX-License-Identifier: MIT */
#include "console.h"

#include <stdarg.h>
#include <stdatomic.h>

#include "format.h"
#include "lock.h"
#include "sysreg.h"

/* PL011 registers (byte offsets) and the flag-register bits kserv polls. */
#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_CR      0x30
#define PL011_FR_RXFE (1u << 4) /* receive FIFO empty */
#define PL011_FR_TXFF (1u << 5) /* transmit FIFO full */
#define PL011_CR_EN   (1u << 0)
#define PL011_CR_TXE  (1u << 8)
#define PL011_CR_RXE  (1u << 9)

static volatile u32 *uart;
static struct ticket_lock console_ticket;
/* The CPU holding the lock, as index + 1 (0: nobody), and how many times it took it. */
static _Atomic u32 console_owner;
static u32 console_depth;

static u32 reg_read(u32 off)
{
	return uart[off / 4];
}

static void reg_write(u32 off, u32 v)
{
	uart[off / 4] = v;
}

void console_init(u64 pl011_base)
{
	uart = (volatile u32 *)(uintptr_t)pl011_base;
	/* kcore (or the firmware) normally left it on; a disabled UART would swallow output. */
	if ((reg_read(PL011_CR) & PL011_CR_EN) == 0)
		reg_write(PL011_CR, PL011_CR_EN | PL011_CR_TXE | PL011_CR_RXE);
}

u64 console_base(void)
{
	return (u64)(uintptr_t)uart;
}

void console_putc_raw(char c)
{
	if (uart == NULL)
		return;
	while (reg_read(PL011_FR) & PL011_FR_TXFF)
		cpu_relax();
	reg_write(PL011_DR, (u8)c);
}

int console_trygetc(void)
{
	if (uart == NULL || (reg_read(PL011_FR) & PL011_FR_RXFE))
		return -1;
	return (int)(reg_read(PL011_DR) & 0xff);
}

int console_getc(void)
{
	int c;

	while ((c = console_trygetc()) < 0)
		cpu_relax();
	return c;
}

void console_lock(void)
{
	u32 me = read_cpu_index() + 1;

	if (atomic_load_explicit(&console_owner, memory_order_relaxed) == me) {
		console_depth++;
		return;
	}
	ticket_lock(&console_ticket);
	atomic_store_explicit(&console_owner, me, memory_order_relaxed);
	console_depth = 1;
}

void console_unlock(void)
{
	if (--console_depth > 0)
		return;
	atomic_store_explicit(&console_owner, 0, memory_order_relaxed);
	ticket_unlock(&console_ticket);
}

static void console_out(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		console_putc_raw('\r');
	console_putc_raw(c);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_lock();
	format_v(console_out, NULL, fmt, ap);
	console_unlock();
	va_end(ap);
}

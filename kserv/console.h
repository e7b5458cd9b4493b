/* SPDX-License-Identifier: MIT */
/*
 * The serial console: a PL011, polled both ways. One lock keeps a line from
 * one CPU whole; the CPU holding it may take it again (an exception report
 * printed in the middle of a line must not deadlock).
 */
#ifndef KSERV_CONSOLE_H
#define KSERV_CONSOLE_H

#include "types.h"

/* Starts the console on the PL011 at this physical address; output before this is dropped. */
void console_init(u64 pl011_base);
u64 console_base(void);

__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);

void console_lock(void);
void console_unlock(void);
/* Writes one character as is (no newline translation); for echoing input. */
void console_putc_raw(char c);

/* The next received character; console_getc waits, console_trygetc returns -1 if none. */
int console_getc(void);
int console_trygetc(void);

#endif /* KSERV_CONSOLE_H */

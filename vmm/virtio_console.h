/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio 1.x 5.3) with one port and no features (no
 * MULTIPORT, no SIZE, no EMERG_WRITE): what the guest writes to port 0's
 * transmit queue (queue 1) becomes lines, as the PL011's do (vuart.h:
 * '\r' dropped, anything unprintable '?', at most VUART_LINE_MAX - 1
 * characters a line), each handed to line(). Its receive queue (0) is
 * never filled: the host sends the guest nothing. A transmit buffer that is
 * device-writable, or one the host cannot reach, breaks the device
 * (virtio_mmio_fail).
 */
#ifndef VMM_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_CONSOLE_H

#include "types.h"
#include "virtio_mmio.h"
#include "vuart.h"

#define VIRTIO_CONSOLE_BUF 256u

struct virtio_console {
	struct virtio_mmio t; /* first: the transport's callbacks find the device from it */
	/* A complete line of the guest's (NUL-terminated, without its newline). */
	void (*line)(void *ctx, const char *line);
	void *line_ctx;
	struct vmm_uart out;
	struct virtq_chain chain;
	u8 buf[VIRTIO_CONSOLE_BUF];
};

void virtio_console_init(struct virtio_console *c, void (*line)(void *ctx, const char *line),
			 void *line_ctx, const char *name);

/* What is left of the guest's last line (at teardown), handed to line() if anything. */
void virtio_console_flush(struct virtio_console *c);

#endif /* VMM_VIRTIO_CONSOLE_H */

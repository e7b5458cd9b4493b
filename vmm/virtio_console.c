/* SPDX-License-Identifier: MIT */
#include "virtio_console.h"

#define RECEIVEQ  0u
#define TRANSMITQ 1u

static void emit(struct virtio_console *c)
{
	c->line(c->line_ctx, c->out.line);
	vuart_line_taken(&c->out);
}

/* The chain's bytes into lines; false on a fault. */
static bool take_chain(struct virtio_console *c)
{
	for (u64 done = 0; done < c->chain.read_bytes;) {
		u64 left = c->chain.read_bytes - done;
		u32 n = left < VIRTIO_CONSOLE_BUF ? (u32)left : VIRTIO_CONSOLE_BUF;

		if (!virtq_chain_read(&c->chain, &c->t.mem, done, c->buf, n))
			return false;
		for (u32 i = 0; i < n; i++)
			if (vuart_putc(&c->out, (char)c->buf[i]))
				emit(c);
		done += n;
	}
	return true;
}

static void console_notify(struct virtio_mmio *t, u32 qi)
{
	struct virtio_console *c = (struct virtio_console *)t;
	struct virtq *q = &t->q[qi];
	bool any = false;

	if (qi == RECEIVEQ)
		return; /* buffers for input the host never sends: they stay the driver's */
	for (;;) {
		enum virtq_result r = virtq_pop(q, &t->mem, &c->chain);

		if (r == VIRTQ_EMPTY)
			break;
		if (r != VIRTQ_CHAIN) {
			virtio_mmio_fail(t, virtq_why);
			return;
		}
		if (c->chain.write_bytes != 0) {
			virtio_mmio_fail(t, "a device-writable transmit buffer");
			return;
		}
		if (!take_chain(c)) {
			virtio_mmio_fail(t, "a transmit buffer the host cannot reach");
			return;
		}
		if (!virtq_push(q, &t->mem, c->chain.head, 0)) {
			virtio_mmio_fail(t, "the used ring could not be written");
			return;
		}
		any = true;
	}
	if (any)
		virtio_mmio_used(t);
}

static const struct virtio_dev_ops console_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .nr_queues = 2,
    .notify = console_notify,
};

void virtio_console_init(struct virtio_console *c, void (*line)(void *ctx, const char *line),
			 void *line_ctx, const char *name)
{
	c->line = line;
	c->line_ctx = line_ctx;
	vuart_line_taken(&c->out);
	virtio_mmio_init(&c->t, &console_ops, name, 0, 0);
}

void virtio_console_flush(struct virtio_console *c)
{
	if (vuart_flush(&c->out))
		emit(c);
}

/* SPDX-License-Identifier: MIT */
/*
 * The host ends of vmm/'s virtio-blk and virtio-net that do not depend on
 * the hypervisor: a disk over a file descriptor (file_store.c) and a tap
 * device with its receive thread (tap.c). Shared by kcore-vmm (devices.c,
 * net.c) and the KVM benchmark VMM (bench/vmm/devices.c), so both give
 * the guest the same devices over the same host calls
 * (docs/bench/README.md, "Virtio I/O").
 */
#ifndef HOSTVMM_IO_BACKEND_H
#define HOSTVMM_IO_BACKEND_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>

#include "vmm/types.h"
#include "vmm/virtio_net.h"

/* virtio_blk_store's calls over the file descriptor at ctx (an int *): pread, pwrite,
 * fdatasync, each whole or false (an error, or the file shrank). */
bool file_store_read(void *ctx, u64 off, void *dst, u64 len);
bool file_store_write(void *ctx, u64 off, const void *src, u64 len);
bool file_store_flush(void *ctx);

/*
 * Opens tap (one that exists) or, with bridge set, a new tap the kernel
 * names, added to bridge; brings it up. *fd (non-blocking) and name set;
 * NULL, or why not (errno's text, "not a tap device", ...).
 */
const char *tap_open(const char *tap, const char *bridge, int *fd, char name[IFNAMSIZ]);

/* virtio_net's send over the tap at ctx (an int *): one non-blocking write; false drops it. */
bool tap_send(void *ctx, const void *frame, u32 len);

#define TAP_READ_MAX 65536u /* a tap frame can be up to 64 KiB: read whole, then judged */

/*
 * The receive thread: it reads one frame from the tap and offers it to net
 * under lock(ctx); with no receive buffer offered it keeps that frame and
 * stops reading the tap until tap_rx_wake (the driver offered buffers: the
 * device's rx_ready), so a slow guest makes the tap's queue fill and drop,
 * never this process grow. who names it in log lines.
 */
struct tap_rx {
	int tap_fd;
	struct virtio_net *net;
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	void *ctx;
	const char *who;
	/* the thread's own: */
	int event_fd;
	pthread_t thread;
	bool running, stop;
	u8 frame[TAP_READ_MAX];
};

/* Makes r's eventfd (before the device may call tap_rx_wake): false with errno. */
bool tap_rx_init(struct tap_rx *r);
/* Starts the thread, every asynchronous signal blocked in it: false with errno. */
bool tap_rx_start(struct tap_rx *r);
/* From rx_ready (under the device's lock): the thread tries its held frame again. */
void tap_rx_wake(struct tap_rx *r);
/* Stops and joins the thread, closes the eventfd (the tap is the caller's). */
void tap_rx_stop(struct tap_rx *r);

#endif /* HOSTVMM_IO_BACKEND_H */

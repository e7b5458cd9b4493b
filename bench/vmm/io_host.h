/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the virtio I/O benchmark (docs/bench/README.md,
 * "Virtio I/O"), the same in both hosts that run it: the KVM host's init
 * (bench/vmm/init.c) and kcore's Linux host's (guests/host-init/iobench.c).
 * A disk file in tmpfs, a tap with the host's address, and a TCP sink the
 * guest sends to. Each returns false with why (a short text) on a failure.
 */
#ifndef BENCH_VMM_IO_HOST_H
#define BENCH_VMM_IO_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define IO_TAP		 "tap0"
#define IO_HOST_IP	 "10.0.19.1"
#define IO_GUEST_IP	 "10.0.19.2"
#define IO_PORT		 5201 /* the guest's NET_PORT (guests/linux-init/net.c) */
#define IO_DISK		 "/tmp/iobench.img"
#define IO_DISK_MIB	 64u
#define IO_SINK_WAIT	 1200 /* seconds for the guest to connect, and between its reads */
/* The guest's command line after its virtio mode (kcore.virtio=1 or plain). */
#define IO_GUEST_ARGS	 "kcore.iobench=blk,net:" IO_GUEST_IP ":" IO_HOST_IP
#define IO_GUEST_MEM_MIB 256u

/* A file of mib MiB of zeros at path, on a tmpfs mounted at its directory. */
bool io_disk_make(const char *path, unsigned mib, const char **why);

/* tun_ko loaded (it may be already), tap IO_TAP made persistent and up with IO_HOST_IP/24. */
bool io_tap_make(const char *tun_ko, const char **why);

/* A socket listening on IO_PORT (before the guest starts: its connect may come early). */
int io_sink_listen(const char **why);

/*
 * Accepts one connection on ls, reads it to its end, closes it (the guest
 * waits for that close) and ls: the bytes read, or -1 with why.
 */
long long io_sink_serve(int ls, const char **why);

#endif /* BENCH_VMM_IO_HOST_H */

/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm's network (--net, docs/virtio.md): vmm/'s virtio-net over a tap
 * device of the host. --net tap=NAME attaches to a tap the host made;
 * --net bridge=BR makes a tap of its own (the kernel names it tapN), adds
 * it to bridge BR and brings it up. That tap is not persistent: the kernel
 * deletes it, and its bridge port, when kcore-vmm's file descriptor closes,
 * however kcore-vmm ends. No traffic goes anywhere the host did not bridge.
 *
 * Transmit is the vCPU's: the frame copied out of the guest goes to the tap
 * in the notify (a non-blocking write; a full tap queue drops it, as a
 * wire would). Receive is this file's I/O thread: it reads one frame from
 * the tap and offers it to the device under the VM's lock; with no receive
 * buffer offered it keeps that frame and stops reading the tap until the
 * driver notifies the receive queue (an eventfd), so a slow guest makes
 * the tap's own queue fill and drop, never this process grow.
 *
 * The tap and its receive thread are tap.c's (io_backend.h), shared with the
 * KVM benchmark VMM.
 *
 * The MAC is 02:6b:63 ("kc", locally administered) and three bytes of a
 * hash of the VM's name: two VMs of different names differ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostvmm/hostvmm.h"
#include "hostvmm/io_backend.h"
#include "vmm/backend.h"
#include "vmm/virtio_net.h"

static struct virtio_net net;
static struct guest *net_guest;
static int tap_fd = -1;
static char tap_name[IFNAMSIZ];
static char rx_who[GUEST_NAME_MAX + 24];
static struct tap_rx rx = {.tap_fd = -1, .event_fd = -1};

__attribute__((noreturn)) static void net_error(const struct hostvmm_net_arg *a, const char *why)
{
	fprintf(stderr, "kcore-vmm: --net %s=%s: %s\n", a->bridge != NULL ? "bridge" : "tap",
		a->bridge != NULL ? a->bridge : a->tap, why);
	exit(HOSTVMM_FILE);
}

/* The driver offered receive buffers (under the VM's lock): wake the I/O thread. */
static void rx_ready(void *ctx)
{
	(void)ctx;
	tap_rx_wake(&rx);
}

static void lock_vm(void *ctx)
{
	vmm_vm_lock(ctx);
}

static void unlock_vm(void *ctx)
{
	vmm_vm_unlock(ctx);
}

/* Opens the tap (the named one, or a new one added to the bridge) and brings it up. */
static void open_tap(const struct hostvmm_net_arg *a)
{
	const char *why = tap_open(a->tap, a->bridge, &tap_fd, tap_name);

	if (why != NULL)
		net_error(a, why);
	if (!tap_rx_init(&rx))
		net_error(a, strerror(errno));
}

static void mac_of(const char *name, u8 mac[VIRTIO_NET_MAC_BYTES])
{
	u32 h = 2166136261u; /* FNV-1a */

	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (u8)*p) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x6b;
	mac[2] = 0x63;
	mac[3] = (u8)(h >> 16);
	mac[4] = (u8)(h >> 8);
	mac[5] = (u8)h;
}

struct virtio_mmio *hostvmm_net_open(struct guest *g, const struct hostvmm_net_arg *a,
				     const char *name)
{
	const char *must_exist = a->bridge != NULL ? a->bridge : a->tap;
	u8 mac[VIRTIO_NET_MAC_BYTES];

	/* Said before anything is made, and all --dry-run checks. */
	if (if_nametoindex(must_exist) == 0)
		net_error(a, "no such network interface");
	net_guest = g;
	mac_of(g->name, mac);
	if (!a->dry_run)
		open_tap(a);
	else
		snprintf(tap_name, sizeof(tap_name), "%s", a->tap != NULL ? a->tap : "(new tap)");
	virtio_net_init(&net, mac, tap_send, rx_ready, &tap_fd, name);
	return &net.t;
}

void hostvmm_net_describe(char *buf, size_t size)
{
	const u8 *m = net.t.config;

	snprintf(buf, size, "tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", tap_name, m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

bool hostvmm_net_start(void)
{
	if (tap_fd < 0)
		return true;
	snprintf(rx_who, sizeof(rx_who), "VM %s: virtio-net", net_guest->name);
	rx.tap_fd = tap_fd;
	rx.net = &net;
	rx.lock = lock_vm;
	rx.unlock = unlock_vm;
	rx.ctx = net_guest;
	rx.who = rx_who;
	if (!tap_rx_start(&rx)) {
		fprintf(stderr, "kcore-vmm: the network's I/O thread: %s\n", strerror(errno));
		return false;
	}
	return true;
}

void hostvmm_net_stop(void)
{
	tap_rx_stop(&rx); /* its thread writes the RAM: gone before the caller unmaps it */
	if (tap_fd >= 0) {
		vmm_log("VM %s: virtio-net: %llu frames sent, %llu dropped; %llu received, %llu "
			"dropped",
			net_guest->name, (unsigned long long)net.tx_frames,
			(unsigned long long)net.tx_dropped, (unsigned long long)net.rx_frames,
			(unsigned long long)net.rx_dropped);
		close(tap_fd); /* a tap of our own goes, with its bridge port */
		tap_fd = -1;
	}
}

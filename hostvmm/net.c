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
 * The MAC is 02:6b:63 ("kc", locally administered) and three bytes of a
 * hash of the VM's name: two VMs of different names differ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "hostvmm/hostvmm.h"
#include "vmm/backend.h"
#include "vmm/virtio_net.h"

#define TUN_DEV	 "/dev/net/tun"
#define READ_MAX 65536u /* a tap frame can be up to 64 KiB: read whole, then judged */

static struct virtio_net net;
static struct guest *net_guest;
static int tap_fd = -1, event_fd = -1;
static char tap_name[IFNAMSIZ];
static pthread_t io_thread;
static bool io_running, io_stop;
static u8 frame[READ_MAX];

__attribute__((noreturn)) static void net_error(const struct hostvmm_net_arg *a, const char *why)
{
	fprintf(stderr, "kcore-vmm: --net %s=%s: %s\n", a->bridge != NULL ? "bridge" : "tap",
		a->bridge != NULL ? a->bridge : a->tap, why);
	exit(HOSTVMM_FILE);
}

static bool tap_send(void *ctx, const void *buf, u32 len)
{
	ssize_t n;

	(void)ctx;
	do
		n = write(tap_fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

/* The driver offered receive buffers (under the VM's lock): wake the I/O thread. */
static void rx_ready(void *ctx)
{
	u64 one = 1;

	(void)ctx;
	if (write(event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vmm_log("VM %s: virtio-net: eventfd: %s", net_guest->name, strerror(errno));
}

static void up(int sock, const char *ifname, const struct hostvmm_net_arg *a)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		net_error(a, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		net_error(a, strerror(errno));
}

/* Opens the tap (the named one, or a new one added to the bridge) and brings it up. */
static void open_tap(const struct hostvmm_net_arg *a)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int sock;

	tap_fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap_fd < 0)
		net_error(a, TUN_DEV ": cannot be opened (no tun.ko?)");
	if (a->tap != NULL)
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", a->tap);
	if (ioctl(tap_fd, TUNSETIFF, &ifr) != 0)
		net_error(a, errno == EINVAL ? "not a tap device" : strerror(errno));
	snprintf(tap_name, sizeof(tap_name), "%s", ifr.ifr_name);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		net_error(a, strerror(errno));
	if (a->bridge != NULL) {
		struct ifreq br = {0};

		snprintf(br.ifr_name, IFNAMSIZ, "%s", a->bridge);
		br.ifr_ifindex = (int)if_nametoindex(tap_name);
		if (br.ifr_ifindex == 0 || ioctl(sock, SIOCBRADDIF, &br) != 0)
			net_error(a, errno == EOPNOTSUPP || errno == EINVAL ? "not a bridge"
									    : strerror(errno));
	}
	up(sock, tap_name, a);
	close(sock);
	event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (event_fd < 0)
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
	virtio_net_init(&net, mac, tap_send, rx_ready, NULL, name);
	return &net.t;
}

void hostvmm_net_describe(char *buf, size_t size)
{
	const u8 *m = net.t.config;

	snprintf(buf, size, "tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", tap_name, m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* Offers the held frame of len bytes: whether it is gone (in, or dropped). */
static bool offer(u32 len)
{
	enum virtio_net_rx_result r;

	vmm_vm_lock(net_guest);
	r = virtio_net_rx(&net, frame, len);
	vmm_vm_unlock(net_guest);
	return r != VIRTIO_NET_RX_NO_BUFFER;
}

static void *io_main(void *arg)
{
	u32 held = 0; /* the bytes of a frame read and not yet taken (0: none) */

	(void)arg;
	while (!__atomic_load_n(&io_stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[2] = {{.fd = tap_fd, .events = held == 0 ? POLLIN : 0},
				      {.fd = event_fd, .events = POLLIN}};
		u64 count;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if ((p[1].revents & POLLIN) != 0 && read(event_fd, &count, sizeof(count)) < 0 &&
		    errno != EAGAIN)
			break;
		if (held != 0 && offer(held))
			held = 0;
		/* Every frame the tap has, while the guest has buffers for them. */
		while (held == 0) {
			ssize_t n = read(tap_fd, frame, sizeof(frame));

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* The tap is gone under us: the guest's network stops, the VM goes
				 * on. */
				vmm_log("VM %s: virtio-net: reading %s: %s", net_guest->name,
					tap_name, strerror(errno));
				return NULL;
			}
			if (n <= 0)
				break; /* the tap is empty */
			if (!offer((u32)n))
				held = (u32)n;
		}
	}
	return NULL;
}

bool hostvmm_net_start(void)
{
	sigset_t all, old;
	int err;

	if (tap_fd < 0)
		return true;
	/*
	 * The I/O thread takes no asynchronous signal: SIGINT/SIGTERM are the
	 * main thread's (vcpu.c). SIGBUS stays open: a receive buffer in a page
	 * the guest does not share raises it, and guest_ram.c's handler must
	 * run (Linux kills the process for a blocked SIGBUS from a fault).
	 */
	sigfillset(&all);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGSEGV);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&io_thread, NULL, io_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		fprintf(stderr, "kcore-vmm: the network's I/O thread: %s\n", strerror(err));
		return false;
	}
	io_running = true;
	return true;
}

void hostvmm_net_stop(void)
{
	u64 one = 1;

	if (io_running) {
		__atomic_store_n(&io_stop, true, __ATOMIC_RELEASE);
		if (write(event_fd, &one, sizeof(one)) < 0)
			vmm_log("virtio-net: eventfd: %s", strerror(errno));
		pthread_join(io_thread, NULL);
		io_running = false;
	}
	if (tap_fd >= 0) {
		vmm_log("VM %s: virtio-net: %llu frames sent, %llu dropped; %llu received, %llu "
			"dropped",
			net_guest->name, (unsigned long long)net.tx_frames,
			(unsigned long long)net.tx_dropped, (unsigned long long)net.rx_frames,
			(unsigned long long)net.rx_dropped);
		close(tap_fd); /* a tap of our own goes, with its bridge port */
		tap_fd = -1;
	}
	if (event_fd >= 0)
		close(event_fd);
	event_fd = -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * A tap device as a virtio-net's wire (io_backend.h): opened (or made on a
 * bridge) and brought up; transmit is the caller's thread writing one frame;
 * receive is a thread of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostvmm/io_backend.h"
#include "vmm/backend.h"

#define TUN_DEV "/dev/net/tun"

static const char *up(int sock, const char *ifname)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		return strerror(errno);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		return strerror(errno);
	return NULL;
}

/* The tap made or attached (*fd open): added to bridge if set, and up. */
static const char *attach(const char *bridge, const char *name)
{
	const char *why;
	int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return strerror(errno);
	if (bridge != NULL) {
		struct ifreq br = {0};

		snprintf(br.ifr_name, IFNAMSIZ, "%s", bridge);
		br.ifr_ifindex = (int)if_nametoindex(name);
		if (br.ifr_ifindex == 0 || ioctl(sock, SIOCBRADDIF, &br) != 0) {
			why = errno == EOPNOTSUPP || errno == EINVAL ? "not a bridge"
								     : strerror(errno);
			close(sock);
			return why;
		}
	}
	why = up(sock, name);
	close(sock);
	return why;
}

const char *tap_open(const char *tap, const char *bridge, int *fd, char name[IFNAMSIZ])
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	const char *why;

	*fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return TUN_DEV ": cannot be opened (no tun.ko?)";
	if (tap != NULL)
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tap);
	if (ioctl(*fd, TUNSETIFF, &ifr) != 0) {
		why = errno == EINVAL ? "not a tap device" : strerror(errno);
		close(*fd);
		*fd = -1;
		return why;
	}
	snprintf(name, IFNAMSIZ, "%s", ifr.ifr_name);
	why = attach(bridge, name);
	if (why != NULL) {
		close(*fd);
		*fd = -1;
	}
	return why;
}

bool tap_send(void *ctx, const void *frame, u32 len)
{
	int fd = *(const int *)ctx;
	ssize_t n;

	do
		n = write(fd, frame, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

bool tap_rx_init(struct tap_rx *r)
{
	r->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return r->event_fd >= 0;
}

void tap_rx_wake(struct tap_rx *r)
{
	u64 one = 1;

	if (write(r->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vmm_log("%s: eventfd: %s", r->who, strerror(errno));
}

/* Offers the held frame of len bytes: whether it is gone (in, or dropped). */
static bool offer(struct tap_rx *r, u32 len)
{
	enum virtio_net_rx_result res;

	r->lock(r->ctx);
	res = virtio_net_rx(r->net, r->frame, len);
	r->unlock(r->ctx);
	return res != VIRTIO_NET_RX_NO_BUFFER;
}

static void *rx_main(void *arg)
{
	struct tap_rx *r = arg;
	u32 held = 0; /* the bytes of a frame read and not yet taken (0: none) */

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[2] = {{.fd = r->tap_fd, .events = held == 0 ? POLLIN : 0},
				      {.fd = r->event_fd, .events = POLLIN}};
		u64 count;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if ((p[1].revents & POLLIN) != 0 && read(r->event_fd, &count, sizeof(count)) < 0 &&
		    errno != EAGAIN)
			break;
		if (held != 0 && offer(r, held))
			held = 0;
		/* Every frame the tap has, while the guest has buffers for them. */
		while (held == 0) {
			ssize_t n = read(r->tap_fd, r->frame, sizeof(r->frame));

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* The tap is gone under us: the guest's network stops, the VM goes
				 * on. */
				vmm_log("%s: reading the tap: %s", r->who, strerror(errno));
				return NULL;
			}
			if (n <= 0)
				break; /* the tap is empty */
			if (!offer(r, (u32)n))
				held = (u32)n;
		}
	}
	return NULL;
}

bool tap_rx_start(struct tap_rx *r)
{
	sigset_t all, old;
	int err;

	/*
	 * No asynchronous signal: they are the main thread's. SIGBUS and SIGSEGV
	 * stay open: kcore-vmm's guest-RAM copies recover from a SIGBUS (a page
	 * the guest does not share), and Linux kills the process for a blocked
	 * one raised by a fault.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGSEGV);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, rx_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		errno = err;
		return false;
	}
	r->running = true;
	return true;
}

void tap_rx_stop(struct tap_rx *r)
{
	if (r->running) {
		__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
		tap_rx_wake(r);
		pthread_join(r->thread, NULL);
		r->running = false;
	}
	if (r->event_fd >= 0)
		close(r->event_fd);
	r->event_fd = -1;
}

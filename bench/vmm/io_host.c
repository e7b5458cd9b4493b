// SPDX-License-Identifier: MIT
/* The host's side of the virtio I/O benchmark (io_host.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io_host.h"

#define TUN_DEV	  "/dev/net/tun"
#define SINK_BUF  (64u << 10)
#define TMPFS_DIR "/tmp"

bool io_disk_make(const char *path, unsigned mib, const char **why)
{
	int fd;

	mkdir(TMPFS_DIR, 0755);
	if (mount("tmpfs", TMPFS_DIR, "tmpfs", 0, "size=128m") != 0 && errno != EBUSY) {
		*why = "mount tmpfs on " TMPFS_DIR;
		return false;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)mib << 20) != 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* ifr's interface: addr/24 and up. */
static bool address(int s, struct ifreq *ifr, const char **why)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr->ifr_addr;

	sin->sin_family = AF_INET;
	inet_pton(AF_INET, IO_HOST_IP, &sin->sin_addr);
	if (ioctl(s, SIOCSIFADDR, ifr) != 0) {
		*why = "the tap's address";
		return false;
	}
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	if (ioctl(s, SIOCSIFNETMASK, ifr) != 0 || ioctl(s, SIOCGIFFLAGS, ifr) != 0) {
		*why = "the tap's netmask";
		return false;
	}
	ifr->ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, ifr) != 0) {
		*why = "the tap up";
		return false;
	}
	return true;
}

bool io_tap_make(const char *tun_ko, const char **why)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int fd = open(tun_ko, O_RDONLY | O_CLOEXEC), s;
	bool ok;

	if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
		*why = "loading tun.ko";
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	/* Persistent: it stays when this descriptor closes, for the VMM to attach to. */
	fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);
	snprintf(ifr.ifr_name, IFNAMSIZ, IO_TAP);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0 || ioctl(fd, TUNSETPERSIST, 1) != 0) {
		*why = "making " IO_TAP " (" TUN_DEV ")";
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		*why = strerror(errno);
		return false;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, IO_TAP);
	ok = address(s, &ifr, why);
	close(s);
	return ok;
}

int io_sink_listen(const char **why)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(IO_PORT)};
	int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ls, 1) != 0) {
		*why = strerror(errno);
		if (ls >= 0)
			close(ls);
		return -1;
	}
	return ls;
}

/* Waits for fd to be readable, at most IO_SINK_WAIT seconds. */
static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;

	do
		n = poll(&p, 1, IO_SINK_WAIT * 1000);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

long long io_sink_serve(int ls, const char **why)
{
	static char buf[SINK_BUF];
	long long total = 0;
	int c = readable(ls) ? accept4(ls, NULL, NULL, SOCK_CLOEXEC) : -1;

	close(ls);
	if (c < 0) {
		*why = "no connection from the guest";
		return -1;
	}
	for (;;) {
		ssize_t n = readable(c) ? read(c, buf, sizeof(buf)) : -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = "reading the connection";
			total = -1;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(c);
	return total;
}

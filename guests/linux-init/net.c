// SPDX-License-Identifier: MIT
/*
 * The Linux guest's virtio-net check (docs/virtio.md, "Tests"): two guests
 * on one host bridge, one a server and one a client, asked for on the
 * kernel command line (after kcore.virtio=1 loaded virtio_net):
 *
 *   kcore.net=server:IP          eth0 gets IP/24; accept one TCP connection
 *                                on port NET_PORT and receive it to its end
 *   kcore.net=client:IP:PEER     eth0 gets IP/24; connect to PEER (retrying
 *                                while the server comes up) and send
 *   kcore.net_bytes=N            the bytes sent (default 4 MiB, at most 16 MiB)
 *   kcore.net=ping:IP:PEER       eth0 gets IP/24; PEER (the host's bridge, for
 *                                tools/kcore-run --vm ...,net) must answer an
 *                                ICMP echo: "net: PEER answered a ping"
 *
 * The bytes are disk_pattern()'s for NET_SEED: the server checks every byte
 * it got, and both print an FNV-1a checksum the host compares:
 *   "net: sent N bytes to PEER, checksum X"
 *   "net: received N bytes from PEER, checksum X, the seed's pattern"
 * The client waits for the server to close the connection, so it powers
 * off only once everything arrived. No busybox here: the address, mask and
 * link go through the ioctls ifconfig would make.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "disk_pattern.h"
#include "init.h"

#define NET_IF	      "eth0"
#define NET_PORT      5201
#define NET_SEED      0x6e657431ull /* "net1" */
#define NET_BYTES_DEF ((size_t)4 << 20)
#define NET_BYTES_MAX ((size_t)16 << 20)
#define NET_WAIT_S    240 /* for eth0, the peer, the connection: QEMU's emulation is slow */
#define VALUE_MAX     64

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static bool set_addr(int s, unsigned long req, const char *what, in_addr_t a)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, NET_IF);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = a;
	if (ioctl(s, req, &ifr) != 0) {
		say("FAIL net: %s of " NET_IF ": %s", what, strerror(errno));
		return false;
	}
	return true;
}

/* eth0 (once virtio_net made it) up with ip/24. */
bool net_bring_up(const char *ip)
{
	struct ifreq ifr = {0};
	struct in_addr a;
	bool ok;
	int s;

	if (inet_pton(AF_INET, ip, &a) != 1) {
		say("FAIL net: '%s' is not an IPv4 address", ip);
		return false;
	}
	for (int tries = 0; if_nametoindex(NET_IF) == 0; tries++) {
		if (tries >= NET_WAIT_S * 10) {
			say("FAIL net: " NET_IF " never appeared");
			return false;
		}
		usleep(100 * 1000);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		say("FAIL net: socket: %s", strerror(errno));
		return false;
	}
	ok = set_addr(s, SIOCSIFADDR, "the address", a.s_addr) &&
	     set_addr(s, SIOCSIFNETMASK, "the netmask", htonl(0xffffff00u));
	snprintf(ifr.ifr_name, IFNAMSIZ, NET_IF);
	if (ok && (ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
		   (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0))) {
		say("FAIL net: " NET_IF " up: %s", strerror(errno));
		ok = false;
	}
	close(s);
	return ok;
}

/* Waits up to NET_WAIT_S for fd to be ready for events: false (said why) if not. */
static bool net_wait_fd(int fd, short events, const char *what)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do
		n = poll(&p, 1, NET_WAIT_S * 1000);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		say("FAIL net: %s: %s", what, n == 0 ? "timed out" : strerror(errno));
		return false;
	}
	return true;
}

static bool serve(const unsigned char *want, unsigned char *got, size_t size)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(NET_PORT)};
	socklen_t alen = sizeof(addr);
	char peer[INET_ADDRSTRLEN] = "?";
	size_t n = 0;
	int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1;
	bool ok = false;

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ls, 1) != 0) {
		say("FAIL net: listening on port %d: %s", NET_PORT, strerror(errno));
		goto out;
	}
	say("net: listening on port %d", NET_PORT);
	if (!net_wait_fd(ls, POLLIN, "waiting for the client"))
		goto out;
	c = accept4(ls, (struct sockaddr *)&addr, &alen, SOCK_CLOEXEC);
	if (c < 0) {
		say("FAIL net: accept: %s", strerror(errno));
		goto out;
	}
	inet_ntop(AF_INET, &addr.sin_addr, peer, sizeof(peer));
	for (;;) {
		ssize_t r;

		if (!net_wait_fd(c, POLLIN, "receiving"))
			goto out;
		r = recv(c, got + n, n < size ? size - n : 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			say("FAIL net: recv: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (n + (size_t)r > size) {
			say("FAIL net: more than the %zu bytes asked for", size);
			goto out;
		}
		n += (size_t)r;
	}
	if (n != size || memcmp(got, want, size) != 0) {
		say("FAIL net: received %zu bytes from %s, not the %zu of the seed's pattern", n,
		    peer, size);
		goto out;
	}
	say("net: received %zu bytes from %s, checksum %016llx, the seed's pattern", n, peer,
	    (unsigned long long)fnv1a(got, n));
	ok = true;
out:
	if (c >= 0)
		close(c);
	if (ls >= 0)
		close(ls);
	return ok;
}

/* Connects to peer, retrying while it is not up yet: the socket, or -1 (said why). */
int net_connect(const char *peer)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(NET_PORT)};
	time_t end = time(NULL) + NET_WAIT_S;

	if (inet_pton(AF_INET, peer, &addr.sin_addr) != 1) {
		say("FAIL net: '%s' is not an IPv4 address", peer);
		return -1;
	}
	for (;;) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return s;
		if (s >= 0)
			close(s);
		/* Refused (no listener yet) or unreachable (no ARP answer yet): again. */
		if (time(NULL) >= end) {
			say("FAIL net: connecting to %s port %d: %s", peer, NET_PORT,
			    strerror(errno));
			return -1;
		}
		sleep(1);
	}
}

bool net_send_all(int s, const unsigned char *buf, size_t size)
{
	char byte;
	size_t n = 0;

	while (n < size) {
		ssize_t w = send(s, buf + n, size - n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			say("FAIL net: send: %s", strerror(errno));
			return false;
		}
		n += (size_t)w;
	}
	/* Everything reached the server when it closes its side (it reads to our end first). */
	if (shutdown(s, SHUT_WR) != 0 ||
	    !net_wait_fd(s, POLLIN, "waiting for the server's close") ||
	    recv(s, &byte, 1, 0) != 0) {
		say("FAIL net: the server did not close after the data: %s", strerror(errno));
		return false;
	}
	return true;
}

static bool send_all(const char *peer, const unsigned char *buf, size_t size)
{
	int s = net_connect(peer);
	bool ok = false;

	if (s < 0)
		return false;
	if (!net_send_all(s, buf, size))
		goto out;
	say("net: sent %zu bytes to %s, checksum %016llx", size, peer,
	    (unsigned long long)fnv1a(buf, size));
	ok = true;
out:
	close(s);
	return ok;
}

/* The Internet checksum of an ICMP message (RFC 1071). */
static uint16_t icmp_sum(const unsigned char *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n % 2 != 0)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16 != 0)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An ICMP echo to peer, once a second until it answers or NET_WAIT_S passes. */
static bool ping_peer(const char *peer)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	unsigned char req[16] = {8, 0, 0, 0, 0x6b, 0x63, 0, 1}, reply[256];
	int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	uint16_t sum;

	if (s < 0 || inet_pton(AF_INET, peer, &to.sin_addr) != 1) {
		say("FAIL net: ping %s: %s", peer, strerror(errno));
		if (s >= 0)
			close(s);
		return false;
	}
	memcpy(req + 8, "kcore-vm", 8);
	sum = icmp_sum(req, sizeof(req));
	req[2] = (unsigned char)(sum >> 8);
	req[3] = (unsigned char)sum;
	for (int tries = 0; tries < NET_WAIT_S; tries++) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		ssize_t n;
		size_t ihl;

		if (sendto(s, req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			sleep(1); /* no route or no neighbour yet */
			continue;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recv(s, reply, sizeof(reply), 0);
		ihl = n > 0 ? (size_t)(reply[0] & 0x0f) * 4 : 0;
		/* An echo reply (type 0) with our identifier, after the IP header. */
		if (n >= (ssize_t)(ihl + 8) && reply[ihl] == 0 && reply[ihl + 4] == 0x6b &&
		    reply[ihl + 5] == 0x63) {
			close(s);
			say("net: %s answered a ping", peer);
			return true;
		}
	}
	close(s);
	say("FAIL net: %s never answered a ping in %d s", peer, NET_WAIT_S);
	return false;
}

bool net_check(const char *mode, const char *bytes_text)
{
	char ip[VALUE_MAX], *peer = NULL;
	size_t size = NET_BYTES_DEF;
	unsigned char *want, *got = NULL;
	bool server = strncmp(mode, "server:", 7) == 0, ok;

	if (strncmp(mode, "ping:", 5) == 0) {
		snprintf(ip, sizeof(ip), "%s", mode + 5);
		peer = strchr(ip, ':');
		if (peer == NULL) {
			say("FAIL net: kcore.net=%s: ping:IP:PEER", mode);
			return false;
		}
		*peer++ = '\0';
		return net_bring_up(ip) && ping_peer(peer);
	}
	if (!server && strncmp(mode, "client:", 7) != 0) {
		say("FAIL net: kcore.net=%s: server:IP or client:IP:PEER", mode);
		return false;
	}
	snprintf(ip, sizeof(ip), "%s", mode + 7);
	peer = strchr(ip, ':');
	if (peer != NULL)
		*peer++ = '\0';
	if (server == (peer != NULL)) {
		say("FAIL net: kcore.net=%s: server:IP or client:IP:PEER", mode);
		return false;
	}
	if (bytes_text != NULL) {
		char *end;

		size = strtoul(bytes_text, &end, 0);
		if (*end != '\0' || size == 0 || size > NET_BYTES_MAX) {
			say("FAIL net: kcore.net_bytes=%s: 1..%zu", bytes_text, NET_BYTES_MAX);
			return false;
		}
	}
	want = malloc(size);
	if (server)
		got = malloc(size);
	if (want == NULL || (server && got == NULL)) {
		say("FAIL net: no memory for %zu bytes", size);
		free(want);
		free(got);
		return false;
	}
	disk_pattern(want, size, NET_SEED);
	ok = net_bring_up(ip) && (server ? serve(want, got, size) : send_all(peer, want, size));
	free(want);
	free(got);
	return ok;
}

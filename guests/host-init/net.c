// SPDX-License-Identifier: MIT
/*
 * The host's virtio-net test (issue 18, docs/virtio.md "Tests"): two
 * protected Debian guests at once exchange NET_BYTES over TCP through the
 * host's bridge br0: the server with `kcore-vmm --net bridge=br0` (a tap of
 * its own), the client with `--net tap=kctap0` (a persistent tap the host
 * made and put on br0), so both ways of --net carry traffic. The server
 * guest checks every byte against the seed's pattern, both print a
 * checksum, and the host compares them. Debian's tun.ko and bridge.ko
 * (with llc and stp) come from the initramfs. Afterwards the bridge must
 * hold only the host's tap (the server's went with its kcore-vmm), and
 * none once the host deletes it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "host_init.h"

#define BRIDGE	     "br0"
#define HOST_TAP     "kctap0"
#define NET_BYTES    (4u << 20)
#define SERVER_IP    "10.0.18.1"
#define CLIENT_IP    "10.0.18.2"
#define CHECKSUM_MAX 24

static const char *const modules[] = {"/tun.ko", "/llc.ko", "/stp.ko", "/bridge.ko"};

/* What each guest printed: its byte count and checksum (0 bytes: no line). */
struct net_result {
	unsigned long long bytes;
	char checksum[CHECKSUM_MAX];
};

/* Shared with the forked child that runs the server's kcore-vmm. */
struct net_results {
	struct net_result server, client;
};

static void parse(const char *line, size_t len, const char *key, struct net_result *r)
{
	char buf[256];
	const char *p, *c;

	if (len >= sizeof(buf))
		return;
	memcpy(buf, line, len);
	buf[len] = '\0';
	p = strstr(buf, key);
	c = p != NULL ? strstr(p, "checksum ") : NULL;
	if (c == NULL)
		return;
	r->bytes = strtoull(p + strlen(key), NULL, 10);
	snprintf(r->checksum, sizeof(r->checksum), "%.16s", c + 9);
}

static void on_server_line(void *ctx, pid_t pid, const char *line, size_t len)
{
	(void)pid;
	parse(line, len, "KCORE-LINUX-INIT: net: received ", ctx);
}

static void on_client_line(void *ctx, pid_t pid, const char *line, size_t len)
{
	(void)pid;
	parse(line, len, "KCORE-LINUX-INIT: net: sent ", ctx);
}

/* The bridge made (or there already) and up; false (said why) if not. */
static bool make_bridge(void)
{
	struct ifreq ifr = {0};
	int s, ret;

	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		ret = load_module(modules[i]);
		if (ret != 0 && ret != -EEXIST) {
			say_vmm("FAIL net: loading %s: %s", modules[i], strerror(-ret));
			return false;
		}
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || (ioctl(s, SIOCBRADDBR, BRIDGE) != 0 && errno != EEXIST)) {
		say_vmm("FAIL net: making bridge " BRIDGE ": %s", strerror(errno));
		if (s >= 0)
			close(s);
		return false;
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, BRIDGE);
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (ret != 0 || ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
		say_vmm("FAIL net: " BRIDGE " up: %s", strerror(errno));
		close(s);
		return false;
	}
	close(s);
	return true;
}

bool host_bridge_up(const char *addr)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int s;
	bool ok;

	if (!make_bridge())
		return false;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, BRIDGE);
	sin->sin_family = AF_INET;
	ok = s >= 0 && inet_pton(AF_INET, addr, &sin->sin_addr) == 1 &&
	     ioctl(s, SIOCSIFADDR, &ifr) == 0;
	if (ok) {
		/* A /24: the VM's address beside the host's. */
		inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
		ok = ioctl(s, SIOCSIFNETMASK, &ifr) == 0;
	}
	if (!ok)
		say_vmm("FAIL net: " BRIDGE " address %s: %s", addr, strerror(errno));
	if (s >= 0)
		close(s);
	return ok;
}

/* The persistent tap HOST_TAP made (persist) or deleted (!persist); false (said why) if not. */
static bool host_tap(bool persist)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	bool ok;

	snprintf(ifr.ifr_name, IFNAMSIZ, HOST_TAP);
	ok = fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) == 0 && ioctl(fd, TUNSETPERSIST, persist) == 0;
	if (!ok)
		say_vmm("FAIL net: %s " HOST_TAP ": %s", persist ? "making" : "deleting",
			strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* HOST_TAP made and added to the bridge. */
static bool host_tap_on_bridge(void)
{
	struct ifreq br = {0};
	int s;
	bool ok;

	if (!host_tap(true))
		return false;
	snprintf(br.ifr_name, IFNAMSIZ, BRIDGE);
	br.ifr_ifindex = (int)if_nametoindex(HOST_TAP);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok = s >= 0 && br.ifr_ifindex != 0 && ioctl(s, SIOCBRADDIF, &br) == 0;
	if (!ok)
		say_vmm("FAIL net: adding " HOST_TAP " to " BRIDGE ": %s", strerror(errno));
	if (s >= 0)
		close(s);
	return ok;
}

/* The bridge's ports now (its brif directory's entries), -1 if it cannot be read. */
static int bridge_ports(void)
{
	DIR *d = opendir("/sys/class/net/" BRIDGE "/brif");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool remove_bridge(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	snprintf(ifr.ifr_name, IFNAMSIZ, BRIDGE);
	ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags &= ~IFF_UP;
	ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0 && ioctl(s, SIOCBRDELBR, BRIDGE) == 0;
	if (!ok)
		say_vmm("FAIL net: removing " BRIDGE ": %s", strerror(errno));
	if (s >= 0)
		close(s);
	return ok;
}

/* One guest: kcore-vmm --net bridge=br0 with kcore.net=mode; its line parsed into *r. */
static bool net_run(int dev, const char *name, const char *net, const char *mode,
		    const char *want_line, struct net_result *r,
		    void (*on_line)(void *, pid_t, const char *, size_t))
{
	char bootargs[192], verdict[96], got[96], nm[32], net_arg[32];
	char *const argv[] = {
	    VMM_PATH, "--image",   "/linux.signed", "--initrd", "/linux-initramfs.signed",
	    "--mem",  "256M",	   "--name",	    nm,		"--net",
	    net_arg,  "--cmdline", bootargs,	    NULL};
	const char *const want[] = {got, verdict, NULL};
	struct vmm_hook hook = {.line = on_line, .ctx = r};

	snprintf(nm, sizeof(nm), "%s", name);
	snprintf(net_arg, sizeof(net_arg), "%s", net);
	snprintf(bootargs, sizeof(bootargs),
		 "console=ttyAMA0 kcore.virtio=1 kcore.net=%s kcore.net_bytes=%u", mode, NET_BYTES);
	snprintf(got, sizeof(got), "[%s] KCORE-LINUX-INIT: net: %s", name, want_line);
	snprintf(verdict, sizeof(verdict), "[%s] KCORE-LINUX-INIT: ok cpus=1 mem=", name);
	return vmm_guest_run_hooked(dev, argv, want, name, VMM_LINUX_TIMEOUT_S, &hook);
}

bool check_vmm_net(int dev)
{
	struct net_results *res =
	    mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0, ports;
	pid_t pid;
	bool ok;

	if (res == MAP_FAILED) {
		say_vmm("FAIL net: mmap: %s", strerror(errno));
		return false;
	}
	memset(res, 0, sizeof(*res));
	if (!make_bridge() || !host_tap_on_bridge()) {
		remove_bridge();
		munmap(res, sizeof(*res));
		return false;
	}
	/* The server in a child (it writes its result in the shared page), the client here. */
	pid = fork();
	if (pid == 0)
		_exit(net_run(-1, "net-s", "bridge=" BRIDGE, "server:" SERVER_IP, "received ",
			      &res->server, on_server_line)
			  ? 0
			  : 1);
	ok = pid > 0 && net_run(-1, "net-c", "tap=" HOST_TAP, "client:" CLIENT_IP ":" SERVER_IP,
				"sent ", &res->client, on_client_line);
	if (pid > 0 &&
	    (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ok = false;
	ok = kmod_holds_nothing(dev, "after the two network guests") && ok;
	if (ok && (res->server.bytes != NET_BYTES || res->client.bytes != NET_BYTES ||
		   res->server.checksum[0] == '\0' ||
		   strcmp(res->server.checksum, res->client.checksum) != 0)) {
		say_vmm("FAIL net: sent %llu bytes, checksum %s; received %llu, checksum %s",
			res->client.bytes, res->client.checksum, res->server.bytes,
			res->server.checksum);
		ok = false;
	}
	/* The server's tap went with its kcore-vmm; the host's stays until deleted. */
	ports = bridge_ports();
	if (ports != 1) {
		say_vmm("FAIL net: " BRIDGE
			" has %d ports after both kcore-vmm ended, not 1 (" HOST_TAP ")",
			ports);
		ok = false;
	}
	ok = host_tap(false) && ok;
	ports = bridge_ports();
	if (ports != 0) {
		say_vmm("FAIL net: " BRIDGE " has %d ports after " HOST_TAP " was deleted", ports);
		ok = false;
	}
	ok = remove_bridge() && ok;
	if (ok)
		say_vmm("virtio-net: two protected Debian guests (net-s on bridge=" BRIDGE
			", net-c on tap=" HOST_TAP "): %u bytes by TCP, checksum %s on both sides, "
			"the pattern checked; kcore-vmm's own tap gone with it",
			NET_BYTES, res->server.checksum);
	else
		say_vmm("FAIL virtio-net between two guests");
	munmap(res, sizeof(*res));
	return ok;
}

// SPDX-License-Identifier: MIT
/*
 * kcore.iobench=1 on the host's command line (bench/bench.sh io,
 * docs/bench/README.md "Virtio I/O"): kcore's side of the virtio I/O
 * benchmark, instead of the tests. The host does what the KVM host's init
 * does (bench/vmm/io_host.h, the same code): a 64 MiB disk file in tmpfs,
 * tap0 with the host's address and a TCP sink; then one protected Linux
 * guest, the same kernel and initramfs as the tests', with
 *
 *   /kcore-vmm --image /linux.signed --initrd /linux-initramfs.signed
 *       --mem 256M --cpus 1 --disk /tmp/iobench.img --net tap=tap0
 *       --cmdline "console=ttyAMA0 kcore.expect_cpus=1 kcore.virtio=1
 *                  kcore.iobench=blk,net:10.0.19.2:10.0.19.1"
 *
 * its output straight on the console (the guest's BENCH lines), and
 * "KCORE-HOST: iobench: sink: N bytes" and "KCORE-HOST: iobench: kcore-vmm
 * exit status S" after it. The guest loads kcore-guest.ko: every byte goes
 * through its bounce pool, the cost of a protected guest's I/O.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_init.h"
#include "io_host.h"

#define IOB_TAG	    "KCORE-HOST: iobench: "
#define IOB_CMDLINE "console=ttyAMA0 kcore.expect_cpus=1 kcore.virtio=1 " IO_GUEST_ARGS

/* The sink: a child reading the guest's bytes, its line on fd. Its pid, or -1. */
static pid_t start_sink(int fd)
{
	const char *why = "";
	int ls = io_sink_listen(&why);
	pid_t pid;

	if (ls < 0) {
		dprintf(fd, IOB_TAG "FAIL sink: listening: %s\n", why);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		long long n = io_sink_serve(ls, &why);

		if (n < 0)
			dprintf(fd, IOB_TAG "FAIL sink: %s\n", why);
		else
			dprintf(fd, IOB_TAG "sink: %lld bytes\n", n);
		_exit(n < 0 ? 1 : 0);
	}
	close(ls);
	if (pid < 0)
		dprintf(fd, IOB_TAG "FAIL fork: %s\n", strerror(errno));
	return pid;
}

void run_iobench(int fd)
{
	/* Arrays: a joined literal in argv's list reads as a missing comma. */
	static char net_arg[] = "tap=" IO_TAP, cmdline[] = IOB_CMDLINE;
	char *const argv[] = {
	    VMM_PATH, "--image", "/linux.signed", "--initrd",  "/linux-initramfs.signed",
	    "--mem",  "256M",	 "--cpus",	  "1",	       "--disk",
	    IO_DISK,  "--net",	 net_arg,	  "--cmdline", cmdline,
	    NULL};
	const char *why = "";
	int ret, status = 0;
	pid_t pid, sink;

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) {
		dprintf(fd, IOB_TAG "FAIL mount devtmpfs on /dev: %s\n", strerror(errno));
		return;
	}
	ret = load_module("/kcore.ko");
	if (ret != 0 && ret != -EEXIST) {
		dprintf(fd, IOB_TAG "FAIL loading /kcore.ko: %s\n", strerror(-ret));
		return;
	}
	if (!io_disk_make(IO_DISK, IO_DISK_MIB, &why) || !io_tap_make("/tun.ko", &why)) {
		dprintf(fd, IOB_TAG "FAIL %s\n", why);
		return;
	}
	sink = start_sink(fd);
	if (sink < 0)
		return;
	pid = fork();
	if (pid == 0) {
		/* The console itself, not a pipe through init: no copying while the guest runs. */
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* The sink ended with the guest's close; if the guest never connected, do not wait. */
	for (int tries = 0; waitpid(sink, NULL, WNOHANG) == 0; tries++) {
		if (tries == 50) { /* 5 s */
			dprintf(fd, IOB_TAG "FAIL sink: still waiting when the VM ended\n");
			kill(sink, SIGKILL);
			break;
		}
		usleep(100 * 1000);
	}
	if (pid < 0)
		dprintf(fd, IOB_TAG "FAIL fork: %s\n", strerror(errno));
	else if (WIFEXITED(status))
		dprintf(fd, IOB_TAG "kcore-vmm exit status %d\n", WEXITSTATUS(status));
	else
		dprintf(fd, IOB_TAG "kcore-vmm killed by signal %d\n",
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// SPDX-License-Identifier: MIT
/*
 * The init of the KVM benchmark's initramfs (bench/vmm/README.md): PID 1 of
 * Debian's kernel in QEMU, it runs the benchmark guest under KVM and powers
 * off:
 *
 *   1. mounts devtmpfs on /dev, so /dev/kvm exists (or makes the node,
 *      character device 10:232, if devtmpfs cannot be mounted);
 *   2. says which mode KVM came up in, from the kernel's log
 *      ("KCORE-BENCH-INIT: kvm: Protected nVHE mode initialized successfully");
 *   3. runs /vmm /guest.bin, whose stdout is the console: the guest's lines;
 *      or, if the initramfs holds a Linux guest (/Image, /initrd.cpio and
 *      optionally /guest.cmdline, one line), boots it for the boot-cost
 *      measurement (bench/vmm/README.md, "Linux boot cost"):
 *      /vmm --kernel /Image --initrd /initrd.cpio --cmdline CMDLINE
 *           --mem 256 --cpus 1
 *      (CMDLINE: /guest.cmdline's line, default "console=ttyAMA0
 *      kcore.expect_cpus=1": what kcore's measurement gives the same guest);
 *      or, if the initramfs also holds /tun.ko, the virtio I/O benchmark
 *      (bench/vmm/README.md, "Virtio I/O"; io_host.h): a 64 MiB disk file
 *      in tmpfs, tap0 with the host's address, a TCP sink, then
 *      /vmm --kernel /Image --initrd /initrd.cpio --cmdline "console=ttyAMA0
 *      kcore.expect_cpus=1 kcore.virtio=plain kcore.iobench=..." --mem 256
 *      --cpus 1 --disk FILE --net tap=tap0; afterwards "sink: N bytes";
 *   4. says how the VMM ended ("KCORE-BENCH-INIT: vmm exited with status 0")
 *      and powers off (reboot(RB_POWER_OFF): PSCI SYSTEM_OFF).
 *
 * It never returns (the kernel panics if init exits); if power-off fails it
 * waits forever. Every line of its own starts with "KCORE-BENCH-INIT: ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io_host.h"

#define TAG		      "KCORE-BENCH-INIT: "
#define VMM		      "/vmm"
#define GUEST		      "/guest.bin"
#define LINUX_IMAGE	      "/Image"
#define LINUX_INITRD	      "/initrd.cpio"
#define LINUX_CMDLINE_FILE    "/guest.cmdline"
#define LINUX_DEFAULT_CMDLINE "console=ttyAMA0 kcore.expect_cpus=1"
#define LINUX_MEM_MIB	      "256"
#define LINUX_CPUS	      "1"
#define IO_TUN_KO	      "/tun.ko"
#define IO_NET_ARG	      "tap=" IO_TAP /* the VMM's --net tap=NAME */
#define IO_CMDLINE	      LINUX_DEFAULT_CMDLINE " kcore.virtio=plain " IO_GUEST_ARGS
#define KVM_NODE	      "/dev/kvm"
#define KVM_MAJOR	      10u
#define KVM_MINOR	      232u

#define SYSLOG_ACTION_READ_ALL	  3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* One whole line on the console, in one write. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	memcpy(line, TAG, sizeof(TAG) - 1);
	va_start(ap, fmt);
	n = vsnprintf(line + sizeof(TAG) - 1, sizeof(line) - sizeof(TAG), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += (int)sizeof(TAG) - 1;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

__attribute__((noreturn)) static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	say("FAIL power-off: %s; waiting forever", strerror(errno));
	for (;;)
		pause();
}

static void setup_dev(void)
{
	struct stat st;

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0)
		say("mount devtmpfs on /dev: %s; making " KVM_NODE " by hand", strerror(errno));
	if (stat(KVM_NODE, &st) == 0)
		return;
	if (mknod(KVM_NODE, S_IFCHR | 0600, makedev(KVM_MAJOR, KVM_MINOR)) != 0)
		say("mknod " KVM_NODE ": %s", strerror(errno));
}

/* The kernel log's lines from KVM ("kvm [1]: ..."), which say its mode. */
static void report_kvm_mode(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf, *line, *save = NULL;
	int len, found = 0;

	if (size <= 0 || (buf = malloc((size_t)size + 1)) == NULL) {
		say("kvm: cannot read the kernel log");
		return;
	}
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (len < 0) {
		say("kvm: cannot read the kernel log: %s", strerror(errno));
		free(buf);
		return;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *kvm = strstr(line, "kvm [");
		char *msg = kvm != NULL ? strstr(kvm, "]: ") : NULL;

		if (msg != NULL) {
			say("kvm: %s", msg + 3);
			found = 1;
		}
	}
	if (!found)
		say("kvm: the kernel log has no line from KVM");
	free(buf);
}

/* The Linux guest's command line: /guest.cmdline's first line, else the default. */
static char *linux_cmdline(void)
{
	static char line[1024];
	FILE *f = fopen(LINUX_CMDLINE_FILE, "r");

	line[0] = '\0';
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
	}
	if (line[0] == '\0')
		snprintf(line, sizeof(line), "%s", LINUX_DEFAULT_CMDLINE);
	return line;
}

/*
 * The I/O run's host side before the VMM: the disk, the tap, and the sink
 * (a child reading the guest's bytes). The sink's pid, or -1 (said why).
 */
static pid_t io_setup(void)
{
	const char *why = "";
	pid_t sink;
	int ls;

	if (!io_disk_make(IO_DISK, IO_DISK_MIB, &why) || !io_tap_make(IO_TUN_KO, &why) ||
	    (ls = io_sink_listen(&why)) < 0) {
		say("FAIL io: %s", why);
		return -1;
	}
	sink = fork();
	if (sink == 0) {
		long long n = io_sink_serve(ls, &why);

		if (n < 0)
			say("FAIL sink: %s", why);
		else
			say("sink: %lld bytes", n);
		_exit(n < 0 ? 1 : 0);
	}
	close(ls);
	if (sink < 0)
		say("FAIL fork: %s", strerror(errno));
	return sink;
}

int main(void)
{
	pid_t pid, sink = -1;
	int status;
	bool io;

	say("start");
	setup_dev();
	report_kvm_mode();
	io = access(IO_TUN_KO, F_OK) == 0;
	if (io && (sink = io_setup()) < 0)
		power_off();

	pid = fork();
	if (pid < 0) {
		say("FAIL fork: %s", strerror(errno));
		power_off();
	}
	if (pid == 0) {
		char *const bench_argv[] = {(char *)VMM, (char *)GUEST, NULL};
		char *const linux_argv[] = {
		    (char *)VMM,	   "--kernel",	(char *)LINUX_IMAGE, "--initrd",
		    (char *)LINUX_INITRD,  "--cmdline", linux_cmdline(),     "--mem",
		    (char *)LINUX_MEM_MIB, "--cpus",	(char *)LINUX_CPUS,  NULL};
		char *const io_argv[] = {
		    (char *)VMM,	   "--kernel",	(char *)LINUX_IMAGE, "--initrd",
		    (char *)LINUX_INITRD,  "--cmdline", (char *)IO_CMDLINE,  "--mem",
		    (char *)LINUX_MEM_MIB, "--cpus",	(char *)LINUX_CPUS,  "--disk",
		    (char *)IO_DISK,	   "--net",	(char *)IO_NET_ARG,  NULL};
		char *const *argv = access(LINUX_IMAGE, F_OK) == 0 ? linux_argv : bench_argv;

		if (io) {
			argv = io_argv;
			say("the I/O benchmark: " VMM " --kernel " LINUX_IMAGE
			    " --initrd " LINUX_INITRD " --cmdline \"" IO_CMDLINE
			    "\" --mem " LINUX_MEM_MIB " --cpus " LINUX_CPUS " --disk " IO_DISK
			    " --net tap=" IO_TAP);
		} else if (argv == linux_argv)
			say("booting the Linux guest: " VMM " --kernel " LINUX_IMAGE
			    " --initrd " LINUX_INITRD " --cmdline \"%s\" --mem " LINUX_MEM_MIB
			    " --cpus " LINUX_CPUS,
			    linux_cmdline());
		execv(VMM, argv);
		say("FAIL exec " VMM ": %s", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			say("FAIL waitpid: %s", strerror(errno));
			power_off();
		}
	}
	if (WIFEXITED(status))
		say("vmm exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("vmm killed by signal %d", WTERMSIG(status));
	/* The sink ends with the guest's close; if the guest never connected, do not wait. */
	for (int tries = 0; sink > 0 && waitpid(sink, &status, WNOHANG) == 0; tries++) {
		if (tries == 50) { /* 5 s */
			say("FAIL sink: still waiting when the VM ended");
			kill(sink, SIGKILL);
			break;
		}
		usleep(100 * 1000);
	}
	power_off();
}

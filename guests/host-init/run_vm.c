// SPDX-License-Identifier: MIT
/*
 * kcore.run=PATH on the host's command line (tools/kcore-run --host linux
 * --vm ..., docs/launcher.md): instead of the tests, the host's init runs one
 * protected VM for the user and powers off when it ends. PATH (/vm.args, in
 * the archive kcore-run appends to the host initramfs) holds kcore-vmm's
 * arguments, one per line; the signed files they name came in the same
 * archive. A disk the user gave is the host's virtio-blk-pci /dev/vda, which
 * kcore-vmm gives the VM as its virtio-blk; with a network (--net
 * bridge=br0), the host makes bridge br0 with the address 10.0.18.254/24,
 * which the VM reaches through its virtio-net.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_init.h"

#define RUN_MAX_ARGS 32
/* kcore-run's net: the VM's virtio-net on this bridge, the host at this address on it. */
#define RUN_BRIDGE   "br0"
#define RUN_HOST_IP  "10.0.18.254"
#define RUN_ARGS_MAX 4096

bool run_user_vm(const char *args_path)
{
	static char text[RUN_ARGS_MAX];
	char *argv[RUN_MAX_ARGS + 2];
	int fd = open(args_path, O_RDONLY | O_CLOEXEC), argc = 0, ret, status = 0;
	bool disk = false, net = false;
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	pid_t pid;

	if (fd >= 0)
		close(fd);
	if (n <= 0 || n == (ssize_t)sizeof(text) - 1) {
		say_vmm("FAIL run: %s: %s", args_path,
			n < 0 ? strerror(errno) : "empty or too long");
		return false;
	}
	text[n] = '\0';
	argv[argc++] = VMM_PATH;
	for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (argc > RUN_MAX_ARGS) {
			say_vmm("FAIL run: more than %d arguments in %s", RUN_MAX_ARGS, args_path);
			return false;
		}
		disk = disk || strncmp(line, "/dev/vda", 8) == 0;
		net = net || strcmp(line, "bridge=" RUN_BRIDGE) == 0;
		argv[argc++] = line;
	}
	argv[argc] = NULL;
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) {
		say_vmm("FAIL run: mount devtmpfs on /dev: %s", strerror(errno));
		return false;
	}
	ret = load_module("/kcore.ko");
	if (ret != 0 && ret != -EEXIST) {
		say_vmm("FAIL run: loading /kcore.ko: %s", strerror(-ret));
		return false;
	}
	if (disk && !host_disk_ready())
		return false;
	if (net && !host_bridge_up(RUN_HOST_IP))
		return false;
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv); /* stdout and stderr: the console, as the user's VM's */
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status)) {
		say_vmm("FAIL run: kcore-vmm %s", pid < 0 ? "could not start" : "was killed");
		return false;
	}
	say_vmm("run: kcore-vmm exit status %d", WEXITSTATUS(status));
	return WEXITSTATUS(status) == VMM_EXIT_OK;
}

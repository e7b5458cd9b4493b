/* SPDX-License-Identifier: MIT */
/*
 * What the host init's files share (init.c: the checks and kcore-vmm runs;
 * virtio.c and net.c: the virtio tests of issue 18, docs/virtio.md).
 */
#ifndef HOST_INIT_H
#define HOST_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KATTACK_DEV "/dev/kcore-attack"
#define KCORE_DEV   "/dev/kcore"

#define VMM_TAG		    "KCORE-HOST: vmm: "
#define VMM_PATH	    "/kcore-vmm"
#define VMM_TAMPERED	    "/tmp/tampered.signed"
#define VMM_TIMEOUT_S	    60
/* A Linux guest boots in QEMU's emulation inside kcore's Linux host: minutes, not seconds. */
#define VMM_LINUX_TIMEOUT_S 400
#define VMM_OUT_MAX	    (256 * 1024) /* a Linux guest's boot log fits */
/* kcore-vmm's exit statuses (hostvmm/hostvmm.h, kcore-vmm --help). */
#define VMM_EXIT_OK	    0
#define VMM_EXIT_USAGE	    2
#define VMM_EXIT_FILE	    3
#define VMM_EXIT_KCORE	    4

/* Called with each line kcore-vmm prints (no newline) while it runs, and its pid. */
struct vmm_hook {
	void (*line)(void *ctx, pid_t pid, const char *line, size_t len);
	void *ctx;
};

__attribute__((format(printf, 1, 2))) void say_vmm(const char *fmt, ...);
bool read_text(const char *path, char *buf, size_t size);
bool cmdline_has(const char *word);
long long now_ms(void);
/* finit_module of path: 0 or -errno. */
int load_module(const char *path);
/* kcore.ko's counts say it holds no VM and no page (a FAIL line if not). */
bool kmod_holds_nothing(int fd, const char *when);
/* kcore's invariant checker through the attack module's device finds nothing. */
bool invariants_hold(int attack_fd, const char *when);

/*
 * Runs kcore-vmm (argv[0] VMM_PATH), its output in out, killed after
 * timeout_s: its exit status, or -1 (said why).
 */
int run_vmm_hooked(char *const argv[], char *out, size_t size, int timeout_s,
		   const struct vmm_hook *hook);
/*
 * A guest run: exit status 0 and every line of want[] (NULL-ended) in its
 * output; with dev >= 0, kcore.ko holds nothing afterwards.
 */
bool vmm_guest_run_hooked(int dev, char *const argv[], const char *const want[], const char *what,
			  int timeout_s, const struct vmm_hook *hook);

/* The virtio tests (virtio.c): a protected Debian guest's disk, rng and secret. */
bool check_vmm_virtio(int dev);
/*
 * The host's own virtio-blk-pci disk, /dev/vda: Debian's virtio-pci and
 * virtio-blk loaded, the node there (a FAIL line and false if not in 30 s).
 */
bool host_disk_ready(void);

/* kcore.run=PATH (run_vm.c): kcore-vmm with PATH's arguments; true if it exited 0. */
bool run_user_vm(const char *args_path);
/* The network test (net.c): two guests over a host bridge, equal checksums. */
bool check_vmm_net(int dev);
/* Bridge br0 made and up with the host's address addr/24 (kcore.run's net): false, said why. */
bool host_bridge_up(const char *addr);

/* kcore.iobench=1 (iobench.c): the virtio I/O benchmark's kcore side, its lines on fd. */
void run_iobench(int fd);

#endif /* HOST_INIT_H */

// SPDX-License-Identifier: MIT
/*
 * The host's virtio tests (issue 18, docs/virtio.md "The tests"), run by
 * init.c on the Linux-guest run (kcore.vmm_linux=1):
 *
 *  1. A protected Debian guest with kcore-vmm's virtio-blk on /disk.img (an
 *     empty ext4 the build made) and virtio-rng: its init loads kcore-guest.ko
 *     and Debian's virtio modules, writes kcore/data (1 MiB from a seed) and
 *     kcore/note, and reads 256 bytes of the host's entropy.
 *  2. The host mounts /disk.img itself (loop, read-only) and checks both
 *     files hold what the seed says.
 *  3. A second, new VM on the same disk, read-only, reads them back.
 *     While it runs it holds a 4 MiB secret in private memory; when it says
 *     "secret: ready", the host takes kcore-vmm's VM file descriptor
 *     (pidfd_getfd), maps the VM's RAM and reads every page of it: only the
 *     bounce pool's pages may be readable (every other page SIGBUS: kcore's
 *     abort), and no page holds the secret.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk_pattern.h"
#include "host_init.h"
#include "kcore/kcore_ioctl.h"

#define DISK_IMAGE	"/disk.img"
#define DISK_IMAGE_RO	"/disk.img,ro" /* kcore-vmm --disk FILE,ro */
#define LOOP_MODULE	"/loop.ko"
#define HOST_MNT	"/mnt"
#define DISK_SEED	20261204ull
#define SECRET_SEED	0x5ec7e7ull
#define SECRET_WAIT_S	45 /* the guest holds its secret this long: the scan must fit */
#define SECRET_MARGIN_S 10 /* the scan ends this long before the guest lets go, at least */
/* kcore-guest.ko's default pool: the only pages of the VM the host may read. */
#define POOL_PAGES	(4096u * 1024u / 4096u)
#define PAGE		4096ul

/* ---- the disk, as the host sees it ---------------------------------------- */

/* Reads path under the mounted disk into buf: exactly size bytes. */
static bool read_exact(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size + 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)size) {
		say_vmm("FAIL disk image: %s: %s", path,
			n < 0 ? strerror(errno) : "not the size written");
		return false;
	}
	return true;
}

/* Whether /disk.img's ext4 holds the guest's files for seed (mounted through a loop device). */
static bool disk_image_holds(unsigned long long seed)
{
	char loop[32], note[96], want_note[96];
	unsigned char *data = malloc(DISK_DATA_SIZE + 1), *want = malloc(DISK_DATA_SIZE);
	int ctl = -1, dev = -1, img = -1, n, ret;
	bool mounted = false, ok = false;

	ret = load_module(LOOP_MODULE);
	if (ret != 0 && ret != -EEXIST) {
		say_vmm("FAIL disk image: loading " LOOP_MODULE ": %s", strerror(-ret));
		goto out;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	n = ctl >= 0 ? ioctl(ctl, LOOP_CTL_GET_FREE) : -1;
	snprintf(loop, sizeof(loop), "/dev/loop%d", n);
	dev = n >= 0 ? open(loop, O_RDWR | O_CLOEXEC) : -1;
	img = open(DISK_IMAGE, O_RDONLY | O_CLOEXEC);
	if (data == NULL || want == NULL || dev < 0 || img < 0 ||
	    ioctl(dev, LOOP_SET_FD, img) != 0) {
		say_vmm("FAIL disk image: no loop device for " DISK_IMAGE ": %s", strerror(errno));
		goto out;
	}
	mkdir(HOST_MNT, 0755);
	if (mount(loop, HOST_MNT, "ext4", MS_RDONLY, NULL) != 0) {
		say_vmm("FAIL disk image: mount %s: %s", loop, strerror(errno));
		goto out;
	}
	mounted = true;
	disk_pattern(want, DISK_DATA_SIZE, seed);
	n = disk_note(want_note, sizeof(want_note), seed);
	if (!read_exact(HOST_MNT "/" DISK_NOTE_PATH, note, (size_t)n) ||
	    !read_exact(HOST_MNT "/" DISK_DATA_PATH, data, DISK_DATA_SIZE))
		goto out;
	if (memcmp(note, want_note, (size_t)n) != 0 || memcmp(data, want, DISK_DATA_SIZE) != 0) {
		say_vmm("FAIL disk image: the files differ from what seed %llu writes", seed);
		goto out;
	}
	ok = true;
out:
	if (mounted && umount(HOST_MNT) != 0)
		ok = false;
	if (dev >= 0) {
		ioctl(dev, LOOP_CLR_FD, 0);
		close(dev);
	}
	if (img >= 0)
		close(img);
	if (ctl >= 0)
		close(ctl);
	free(data);
	free(want);
	return ok;
}

/* ---- the host's own virtio disk: a Linux driver's DMA through kcore's mirror ---- */

/*
 * Debian's virtio-pci and virtio-blk, unmodified, driving the virtio-blk-pci
 * disk QEMU gives the host (tests/scripts/qemu_linux_host.sh): the PCI root
 * is behind the SMMU, the host has no IOMMU driver, and kcore attached every
 * stream to the host's DMA mirror at boot (docs/linux-host.md, "Host DMA").
 * A write and a read with O_DIRECT are the device's own DMA from and to
 * host pages.
 */
#define HOST_DISK_SYS	 "/sys/block/vda/dev"
#define HOST_DISK	 "/dev/vda"
#define HOST_DISK_OFFSET (4ull << 20)
#define HOST_DISK_SEED	 0xd15cull
#define HOST_DISK_MARK	 "kcore: the Linux host's own disk, written by DMA through kcore's mirror"

bool host_disk_ready(void)
{
	static const char *const mods[] = {
	    "/virtio_ring.ko",		 "/virtio.ko",	   "/virtio_pci_modern_dev.ko",
	    "/virtio_pci_legacy_dev.ko", "/virtio_pci.ko", "/virtio_blk.ko"};
	char text[32];

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		int ret = load_module(mods[i]);

		if (ret != 0 && ret != -EEXIST) {
			say_vmm("FAIL host disk: loading %s: %s", mods[i], strerror(-ret));
			return false;
		}
	}
	for (int tries = 0; !read_text(HOST_DISK_SYS, text, sizeof(text)); tries++) {
		if (tries >= 300) {
			say_vmm("FAIL host disk: no " HOST_DISK
				" (QEMU's virtio-blk-pci) after 30 s");
			return false;
		}
		usleep(100 * 1000);
	}
	return true;
}

static bool check_host_disk(void)
{
	unsigned char *out = NULL, *in = NULL;
	bool ok = false;
	int fd = -1;

	if (!host_disk_ready())
		return false;
	if (posix_memalign((void **)&out, PAGE, DISK_DATA_SIZE) != 0 ||
	    posix_memalign((void **)&in, PAGE, DISK_DATA_SIZE) != 0)
		goto done;
	disk_pattern(out, DISK_DATA_SIZE, HOST_DISK_SEED);
	memcpy(out, HOST_DISK_MARK, sizeof(HOST_DISK_MARK));
	memset(in, 0, DISK_DATA_SIZE);
	fd = open(HOST_DISK, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0 ||
	    pwrite(fd, out, DISK_DATA_SIZE, HOST_DISK_OFFSET) != (ssize_t)DISK_DATA_SIZE ||
	    fsync(fd) != 0 ||
	    pread(fd, in, DISK_DATA_SIZE, HOST_DISK_OFFSET) != (ssize_t)DISK_DATA_SIZE) {
		say_vmm("FAIL host disk: O_DIRECT write and read of " HOST_DISK ": %s",
			strerror(errno));
		goto done;
	}
	ok = memcmp(in, out, DISK_DATA_SIZE) == 0;
	if (!ok)
		say_vmm("FAIL host disk: what was read back differs from what was written");
	else
		say_vmm(
		    "host disk: Debian's virtio-pci and virtio-blk wrote and read back %zu bytes "
		    "of " HOST_DISK " with O_DIRECT (the device's DMA through kcore's mirror)",
		    DISK_DATA_SIZE);
done:
	if (fd >= 0)
		close(fd);
	free(out);
	free(in);
	return ok;
}

/* ---- the scan of the VM's RAM ------------------------------------------------ */

static sigjmp_buf scan_jump;

static void scan_sigbus(int sig)
{
	(void)sig;
	siglongjmp(scan_jump, 1);
}

/* Copies one page of the VM's mapped RAM: false if reading it raised SIGBUS. */
static bool copy_page(const volatile unsigned char *src, unsigned char *dst)
{
	if (sigsetjmp(scan_jump, 1) != 0)
		return false;
	for (size_t i = 0; i < PAGE; i++)
		dst[i] = src[i];
	return true;
}

/* kcore-vmm's VM file descriptor, taken with pidfd_getfd: -1 if none. */
static int steal_vm_fd(pid_t pid)
{
	char dir[64], path[96], target[64];
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int vm = -1;

	if (pidfd < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	for (int fd = 0; fd < 64 && vm < 0; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "anon_inode:kcore-vm") == 0)
			vm = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	}
	close(pidfd);
	return vm;
}

struct scan {
	bool done, ok;
	long long ms;
	unsigned long readable, secrets;
};

/* Reads every page of the VM's RAM through kcore.ko's mapping of it (docs/virtio.md). */
static void scan_vm(struct scan *sc, pid_t pid)
{
	struct sigaction sa = {.sa_handler = scan_sigbus}, old;
	struct kcore_vm_info info;
	char secret[40];
	size_t secret_len = (size_t)secret_text(secret, sizeof(secret), SECRET_SEED);
	unsigned char *page = malloc(PAGE);
	long long start = now_ms();
	int vm = steal_vm_fd(pid);
	volatile unsigned char *ram;
	void *map;

	sc->done = true;
	if (vm < 0 || page == NULL || ioctl(vm, KCORE_VM_IOC_INFO, &info) != 0) {
		say_vmm("FAIL scan: kcore-vmm's VM file descriptor: %s", strerror(errno));
		goto out;
	}
	map = mmap(NULL, info.ram_size, PROT_READ, MAP_SHARED, vm, 0);
	if (map == MAP_FAILED) {
		say_vmm("FAIL scan: mmap of the VM's RAM: %s", strerror(errno));
		goto out;
	}
	ram = map;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	for (unsigned long long off = 0; off < info.ram_size; off += PAGE) {
		if (!copy_page(ram + off, page))
			continue;
		sc->readable++;
		if (memmem(page, PAGE, secret, secret_len) != NULL)
			sc->secrets++;
	}
	sigaction(SIGBUS, &old, NULL);
	munmap(map, info.ram_size);
	sc->ms = now_ms() - start;
	sc->ok = true;
out:
	if (vm >= 0)
		close(vm);
	free(page);
}

static void on_line(void *ctx, pid_t pid, const char *line, size_t len)
{
	struct scan *sc = ctx;

	if (!sc->done && memmem(line, len, "KCORE-LINUX-INIT: secret: ", 26) != NULL &&
	    memmem(line, len, "ready", 5) != NULL)
		scan_vm(sc, pid);
}

/* ---- a malicious VMM: the pool and rings rewritten during I/O ------------------ */

#define ATTACK_S    8u /* the attacker writes this long */
#define ATTACK_SEED 0xa77ac4ull

struct attack {
	uint64_t pool_ipa; /* from kcore-guest.ko's line; 0 until seen */
	pid_t pid;	   /* the attacker, once started */
	bool oops;	   /* a guest kernel line that says it crashed */
};

/* A small xorshift: the attack is random but the same every run. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * The attacker (a child of this init, as root as any VMM): kcore-vmm's VM
 * file, the VM's RAM mapped read-write, and for ATTACK_S seconds random
 * bytes at random places of the bounce pool, where the rings and every
 * buffer in flight are. Exits 0 after at least one write.
 */
static void attacker(pid_t vmm, uint64_t pool_ipa)
{
	struct kcore_vm_info info;
	uint64_t x = ATTACK_SEED, writes = 0;
	long long end = now_ms() + ATTACK_S * 1000LL;
	int vm = steal_vm_fd(vmm);
	unsigned char *ram;

	if (vm < 0 || ioctl(vm, KCORE_VM_IOC_INFO, &info) != 0 || pool_ipa < info.ram_base ||
	    pool_ipa - info.ram_base + POOL_PAGES * PAGE > info.ram_size)
		_exit(2);
	ram = mmap(NULL, info.ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm, 0);
	if (ram == MAP_FAILED)
		_exit(3);
	while (now_ms() < end) {
		unsigned char *page =
		    ram + (pool_ipa - info.ram_base) + (next_random(&x) % POOL_PAGES) * PAGE;
		size_t off = next_random(&x) % PAGE, len = 1 + next_random(&x) % 64;

		for (size_t i = 0; i < len && off + i < PAGE; i++)
			page[off + i] = (unsigned char)next_random(&x);
		writes++;
		if (writes % 64 == 0)
			usleep(1000);
	}
	say_vmm("attack: %llu random writes over %u s to the VM's %u pool pages",
		(unsigned long long)writes, ATTACK_S, POOL_PAGES);
	_exit(writes > 0 ? 0 : 4);
}

static void on_attack_line(void *ctx, pid_t pid, const char *line, size_t len)
{
	static const char *const crashed[] = {"Internal error:", "Kernel panic",
					      "BUG:", "Unable to handle kernel", "Oops"};
	struct attack *at = ctx;
	const char *p = memmem(line, len, "bounce pool shared at ", 22);

	for (size_t i = 0; i < sizeof(crashed) / sizeof(crashed[0]); i++)
		if (memmem(line, len, crashed[i], strlen(crashed[i])) != NULL)
			at->oops = true;
	if (p != NULL)
		at->pool_ipa = strtoull(p + 22, NULL, 16);
	if (at->pid == 0 && at->pool_ipa != 0 &&
	    memmem(line, len, "KCORE-LINUX-INIT: secret: ", 26) != NULL &&
	    memmem(line, len, "ready", 5) != NULL) {
		at->pid = fork();
		if (at->pid == 0)
			attacker(pid, at->pool_ipa);
	}
}

/* ---- the runs ---------------------------------------------------------------- */

static bool disk_run(int dev, const char *name, const char *disk, const char *guest_args,
		     const char *want_line, const struct vmm_hook *hook)
{
	char bootargs[256], verdict[96], got[160], nm[32], dk[64];
	char *const argv[] = {
	    VMM_PATH, "--image", "/linux.signed", "--initrd", "/linux-initramfs.signed",
	    "--mem",  "256M",	 "--name",	  nm,	      "--disk",
	    dk,	      "--rng",	 "--cmdline",	  bootargs,   NULL};
	const char *const want[] = {got, verdict, NULL};

	snprintf(nm, sizeof(nm), "%s", name);
	snprintf(dk, sizeof(dk), "%s", disk);
	snprintf(bootargs, sizeof(bootargs), "console=ttyAMA0 kcore.virtio=1 kcore.rng=1 %s",
		 guest_args);
	snprintf(got, sizeof(got), "[%s] KCORE-LINUX-INIT: %s", name, want_line);
	snprintf(verdict, sizeof(verdict), "[%s] KCORE-LINUX-INIT: ok cpus=1 mem=", name);
	return vmm_guest_run_hooked(dev, argv, want, name, VMM_LINUX_TIMEOUT_S, hook);
}

/*
 * A third VM on the same disk, read-only, reads it while the attacker above
 * rewrites its pool and rings: the guest must carry on (its read succeeds,
 * fails on bad data, or blocks on a broken device), its kernel must not
 * crash, its secret must be intact, kcore-vmm must see the power-off, and
 * kcore's invariants must hold.
 */
static bool check_attacked(int dev)
{
	char args[160], verdict[96], name[] = "disk-x";
	char *const argv[] = {VMM_PATH,
			      "--image",
			      "/linux.signed",
			      "--initrd",
			      "/linux-initramfs.signed",
			      "--mem",
			      "256M",
			      "--name",
			      name,
			      "--disk",
			      DISK_IMAGE_RO,
			      "--cmdline",
			      args,
			      NULL};
	const char *const want[] = {verdict, "[disk-x] KCORE-LINUX-INIT: under attack: disk: ",
				    "[disk-x] KCORE-LINUX-INIT: secret: unchanged after the attack",
				    NULL};
	struct attack at = {0};
	struct vmm_hook hook = {.line = on_attack_line, .ctx = &at};
	int status = -1, fd;
	bool ok;

	snprintf(args, sizeof(args),
		 "console=ttyAMA0 kcore.virtio=1 kcore.attacked=1 kcore.secret=%llu "
		 "kcore.secret_wait=3 kcore.disk=read:%llu",
		 SECRET_SEED, DISK_SEED);
	snprintf(verdict, sizeof(verdict), "[%s] KCORE-LINUX-INIT: ok cpus=1 mem=", name);
	/* The attacker holds the VM's file too: the module's counts only after it is gone. */
	ok = vmm_guest_run_hooked(-1, argv, want, name, VMM_LINUX_TIMEOUT_S, &hook);
	if (at.pid > 0)
		waitpid(at.pid, &status, 0);
	ok = kmod_holds_nothing(dev, "after the pool attack") && ok;
	if (at.pid <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		say_vmm("FAIL attack: the attacker %s (status %#x)",
			at.pid <= 0 ? "never started" : "failed", status);
		ok = false;
	}
	if (at.oops) {
		say_vmm("FAIL attack: the guest's kernel crashed");
		ok = false;
	}
	fd = open(KATTACK_DEV, O_RDWR | O_CLOEXEC);
	ok = fd >= 0 && invariants_hold(fd, "after the pool attack") && ok;
	if (fd >= 0)
		close(fd);
	if (ok)
		say_vmm("attack: a VMM rewrote the guest's bounce pool and rings during its disk "
			"read: the guest carried on, its kernel did not crash, its secret intact, "
			"powered off; invariants hold");
	return ok;
}

bool check_vmm_virtio(int dev)
{
	char write_args[64], read_args[128], wrote[96], read_back[96];
	struct scan sc = {0};
	struct vmm_hook hook = {.line = on_line, .ctx = &sc};
	bool ok;

	if (!check_host_disk())
		return false;
	snprintf(write_args, sizeof(write_args), "kcore.disk=write:%llu", DISK_SEED);
	snprintf(wrote, sizeof(wrote), "disk: wrote %zu bytes and the note, seed %llu",
		 DISK_DATA_SIZE, DISK_SEED);
	if (!disk_run(dev, "disk-w", DISK_IMAGE, write_args, wrote, NULL))
		return false;
	if (!disk_image_holds(DISK_SEED))
		return false;
	say_vmm(
	    "virtio-blk: a protected Debian guest wrote %zu bytes and a note to ext4 on " DISK_IMAGE
	    "; the host mounted it and found them as written",
	    DISK_DATA_SIZE);
	snprintf(read_args, sizeof(read_args),
		 "kcore.secret=%llu kcore.secret_wait=%d kcore.disk=read:%llu", SECRET_SEED,
		 SECRET_WAIT_S, DISK_SEED);
	snprintf(read_back, sizeof(read_back), "disk: read back %zu bytes and the note, seed %llu",
		 DISK_DATA_SIZE, DISK_SEED);
	ok = disk_run(dev, "disk-r", DISK_IMAGE_RO, read_args, read_back, &hook);
	if (!ok)
		return false;
	say_vmm("virtio-blk: a new VM read them back from the same disk, read-only");
	if (!sc.done || !sc.ok) {
		say_vmm("FAIL scan: %s",
			sc.done ? "it failed" : "the guest never said it was ready");
		return false;
	}
	say_vmm("scan: %lu of the VM's pages readable from the host (the pool: %u), %lu with the "
		"secret, in %lld ms",
		sc.readable, POOL_PAGES, sc.secrets, sc.ms);
	/*
	 * The guest held the secret SECRET_WAIT_S from its "ready" line: a scan
	 * that ended after it let go proves nothing (the guest's clock runs as
	 * the host's; the margin covers the line's way through the pipe).
	 */
	if (sc.ms >= (SECRET_WAIT_S - SECRET_MARGIN_S) * 1000LL) {
		say_vmm("FAIL scan: took %lld ms, too close to the guest's %d s hold", sc.ms,
			SECRET_WAIT_S);
		return false;
	}
	/* Exactly the pool: kcore-guest.ko shares all of it at load, and nothing else. */
	if (sc.secrets != 0 || sc.readable != POOL_PAGES) {
		say_vmm("FAIL scan: want %u readable pages and no secret", POOL_PAGES);
		return false;
	}
	return check_attacked(dev);
}

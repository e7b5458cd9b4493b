/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for /dev/kcore on the build machine, preloaded into the build
 * machine's kcore-vmm (LD_PRELOAD, tests/scripts/hostvmm.sh), so that its
 * run loop and its way of stopping threads are tested without kcore.ko:
 * open("/dev/kcore") and the ioctls on it and on the VM's descriptor are
 * answered here, everything else goes to libc.
 *
 * KCORE_VM_IOC_RUN plays a guest chosen by FAKE_KCORE (below). vCPU 0 writes
 * "hi" and a newline to the PL011, reads its FR (the next run must complete
 * it with KC_RUN_MMIO_DONE and 0x90), makes a guest call nobody answers (the
 * next run must carry KC_RUN_CALL_DONE and x0 = -1), then ends as the mode
 * says. Every other vCPU sleeps in the ioctl, as a vCPU the guest never
 * started does in the module, until a signal: EINTR. A completion that is
 * not the one expected is EINVAL, which kcore-vmm reports and fails on.
 *
 *   off       vCPU 0 powers the VM off (SYSTEM_OFF)
 *   reset     vCPU 0 asks for a reset
 *   eintr     as off, but the run that completes the FR read takes the
 *             completion and then returns EINTR, as kcore.ko does when a
 *             signal is pending: the next run must carry none (in.flags 0)
 *   eio       vCPU 0's first run fails with EIO (INFO then says FAILED)
 *   sleep     every vCPU sleeps until a signal (SIGTERM stops kcore-vmm)
 *   keyreject KCORE_IOC_CREATE_VM fails with EKEYREJECTED
 *   virtio    vCPU 0 drives kcore-vmm's first --disk (fake_virtio.h): mmap()
 *             of the VM's file maps a memfd (in every mode), KCORE_VM_IOC_IRQ is
 *             counted
 *   vconsole  as virtio, with kcore-vmm's --console virtio as device 0
 *   small     as off, but KCORE_IOC_CREATE_VM wants KCORE_VM_SMALL_PAGES
 *             (kcore-vmm --small-pages), EINVAL without; every other mode
 *             wants flags 0
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kcore/kcore_ioctl.h>
#include <kcore/payload.h>

#include "fake_virtio.h"

#define UART_DR 0x000ull
#define UART_FR 0x018ull
#define NO_FID	0xc6000077ull

int open(const char *path, int flags, ...);
int ioctl(int fd, unsigned long req, ...);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

static int dev_fd = -1, vm_fd = -1;
static const char *mode = "off";
/* vCPU 0's script position; only its thread touches it. */
static int step;
static bool eintr_done;

int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t m = 0;
	va_list ap;

	if (real_open == NULL)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	if ((flags & O_CREAT) != 0)
		m = (mode_t)va_arg(ap, unsigned int);
	va_end(ap);
	if (strcmp(path, "/dev/kcore") != 0)
		return real_open(path, flags, m);
	if (getenv("FAKE_KCORE") != NULL)
		mode = getenv("FAKE_KCORE");
	dev_fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
	return dev_fd;
}

/* A sibling never started: asleep until a signal, as in the module. */
static int sleep_until_signal(void)
{
	for (;;) {
		if (usleep(100000) != 0) {
			errno = EINTR;
			return -1;
		}
	}
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static void mmio(struct kcore_vcpu_run *r, unsigned long long off, bool write, char c)
{
	r->out.reason = KC_EXIT_MMIO;
	r->out.mmio.ipa = KCORE_GUEST_UART_BASE + off;
	r->out.mmio.size = 4;
	r->out.mmio.is_write = write;
	r->out.mmio.value = (unsigned char)c;
}

static int run_vcpu0(struct kcore_run *k)
{
	struct kcore_vcpu_run *r = &k->run;
	/* What this run must complete: nothing first, then each MMIO, then the call. */
	unsigned long long want = step == 0 ? 0 : step == 5 ? KC_RUN_CALL_DONE : KC_RUN_MMIO_DONE;

	if (strcmp(mode, "eio") == 0)
		return fail(EIO);
	if (strcmp(mode, "sleep") == 0)
		return sleep_until_signal();
	if (step == 4 && eintr_done)
		want = 0; /* the EINTR run took the FR read's completion */
	if (r->in.flags != want || (want != 0 && step == 4 && r->in.mmio_value != 0x90) ||
	    (step == 5 && r->in.call_ret[0] != ~0ull))
		return fail(EINVAL);
	if (step == 4 && strcmp(mode, "eintr") == 0 && !eintr_done) {
		eintr_done = true; /* completion delivered, then the signal ends the ioctl */
		return fail(EINTR);
	}
	memset(&r->out, 0, sizeof(r->out));
	switch (step++) {
	case 0:
		mmio(r, UART_DR, true, 'h');
		break;
	case 1:
		mmio(r, UART_DR, true, 'i');
		break;
	case 2:
		mmio(r, UART_DR, true, '\n');
		break;
	case 3:
		mmio(r, UART_FR, false, 0);
		break;
	case 4:
		r->out.reason = KC_EXIT_GUEST_CALL;
		r->out.call.fid = NO_FID;
		break;
	default:
		r->out.reason = KC_EXIT_POWEROFF;
		r->out.poweroff.reset = strcmp(mode, "reset") == 0;
		break;
	}
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	void *arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real_ioctl == NULL)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (fd == dev_fd && dev_fd >= 0 && req == KCORE_IOC_VERSION) {
		struct kcore_version *v = arg;

		v->abi_major = KCORE_ABI_MAJOR;
		v->abi_minor = KCORE_ABI_MINOR;
		return 0;
	}
	if (fd == dev_fd && dev_fd >= 0 && req == KCORE_IOC_CREATE_VM) {
		const struct kcore_create_vm *c = arg;

		if (strcmp(mode, "keyreject") == 0)
			return fail(EKEYREJECTED);
		if (c->dtb == 0 || c->dtb_size == 0 || c->nr_vcpus == 0 ||
		    c->flags != (strcmp(mode, "small") == 0 ? KCORE_VM_SMALL_PAGES : 0u))
			return fail(EINVAL);
		/* Every mode has the RAM: kcore-vmm maps it when it has devices. */
		if (fake_virtio_create(c->ram_size, strcmp(mode, "vconsole") == 0) != 0)
			return fail(ENOMEM);
		vm_fd = dup(dev_fd);
		return vm_fd;
	}
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_INFO) {
		struct kcore_vm_info *i = arg;

		memset(i, 0, sizeof(*i));
		i->vmid = 1;
		i->state = strcmp(mode, "eio") == 0 ? KCORE_VM_FAILED : KCORE_VM_RUNNING;
		return 0;
	}
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_RUN) {
		struct kcore_run *k = arg;

		if (k->vcpu == 0 && (strcmp(mode, "virtio") == 0 || strcmp(mode, "vconsole") == 0))
			return fake_virtio_run(&k->run);
		return k->vcpu == 0 ? run_vcpu0(k) : sleep_until_signal();
	}
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_IRQ &&
	    (strcmp(mode, "virtio") == 0 || strcmp(mode, "vconsole") == 0))
		return fake_virtio_irq(arg);
	return real_ioctl(fd, req, arg);
}

/* The VM's RAM: the virtio mode's memfd; anything else is libc's. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

	if (real_mmap == NULL)
		real_mmap =
		    (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	if (fd == vm_fd && vm_fd >= 0) {
		if (fake_virtio_memfd() < 0) {
			errno = ENODEV;
			return MAP_FAILED;
		}
		fd = fake_virtio_memfd();
	}
	return real_mmap(addr, len, prot, flags, fd, off);
}

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
 *   vnet      as virtio, with kcore-vmm's --net tap=$FAKE_TAP as device 0
 *   small     as off, but KCORE_IOC_CREATE_VM wants KCORE_VM_SMALL_PAGES
 *             (kcore-vmm --small-pages), EINVAL without; every other mode
 *             wants flags 0
 *   snap      as off, but the guest call is KC_TEST_SNAPSHOT, and the run
 *             after it must carry KC_TEST_SNAPSHOT_STOP (kcore-vmm
 *             --snapshot-to), made once every sibling sleeps in the run
 *             ioctl (2 s at most). KCORE_VM_IOC_SNAPSHOT is EBUSY while a sibling
 *             is inside the run ioctl (kcore-vmm must have parked them all);
 *             it answers an upper bound of SNAP_BOUND pages and vCPU 0
 *             started, and takes SNAP_PAGES pages: record i is 128 bytes of
 *             0x40 + i, data page j 4096 bytes of 0x80 + j
 *   restore   KCORE_VM_IOC_RESTORE must get what snap took (the counts,
 *             vCPU 0 started, every byte: else EBADMSG, as kcore's AUTH),
 *             and vCPU 0's first run must then complete the snapshot call
 *             with KC_TEST_SNAPSHOT_RESTORED; then it powers off
 *
 * With FAKE_PIN=N set (any mode), every KCORE_VM_IOC_RUN first checks that
 * the calling thread may run on host CPU N and on no other (kcore-vmm
 * --pin N): EINVAL otherwise, which kcore-vmm reports and fails on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kcore/guest_tests.h>
#include <kcore/kcore_ioctl.h>
#include <kcore/payload.h>

#include "fake_virtio.h"

#define UART_DR 0x000ull
#define UART_FR 0x018ull
#define NO_FID	0xc6000077ull

int open(const char *path, int flags, ...);
int ioctl(int fd, unsigned long req, ...);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

#define SNAP_BOUND 3u
#define SNAP_PAGES 2u

static int dev_fd = -1, vm_fd = -1;
static unsigned int nr_vcpus;
/* Siblings inside the run ioctl (atomics): a snapshot meanwhile is EBUSY. */
static int in_run;
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

/* FAKE_PIN: this thread's CPUs are exactly {FAKE_PIN}, or there is no FAKE_PIN. */
static bool pinned_as_wanted(void)
{
	const char *want = getenv("FAKE_PIN");
	cpu_set_t set;
	char *end;
	long cpu;

	if (want == NULL)
		return true;
	cpu = strtol(want, &end, 10);
	if (*want == '\0' || *end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE)
		return false; /* a test's mistake: every run fails */
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return false;
	return CPU_COUNT(&set) == 1 && CPU_ISSET((size_t)cpu, &set);
}

/* A sibling never started: asleep until a signal, as in the module. */
static int sleep_until_signal(void)
{
	__atomic_add_fetch(&in_run, 1, __ATOMIC_SEQ_CST);
	while (usleep(100000) == 0)
		;
	__atomic_sub_fetch(&in_run, 1, __ATOMIC_SEQ_CST);
	errno = EINTR;
	return -1;
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

/* The restored VM: its first run completes the snapshot call with RESTORED, then it is off. */
static int run_restored(struct kcore_vcpu_run *r)
{
	if (step++ != 0 || r->in.flags != KC_RUN_CALL_DONE ||
	    r->in.call_ret[0] != KC_TEST_SNAPSHOT_RESTORED)
		return fail(EINVAL);
	memset(&r->out, 0, sizeof(r->out));
	r->out.reason = KC_EXIT_POWEROFF;
	return 0;
}

static int run_vcpu0(struct kcore_run *k)
{
	struct kcore_vcpu_run *r = &k->run;
	bool snap = strcmp(mode, "snap") == 0;
	/* What this run must complete: nothing first, then each MMIO, then the call. */
	unsigned long long want = step == 0 ? 0 : step == 5 ? KC_RUN_CALL_DONE : KC_RUN_MMIO_DONE;

	if (strcmp(mode, "eio") == 0)
		return fail(EIO);
	if (strcmp(mode, "sleep") == 0)
		return sleep_until_signal();
	if (step == 4 && eintr_done)
		want = 0; /* the EINTR run took the FR read's completion */
	if (r->in.flags != want || (want != 0 && step == 4 && r->in.mmio_value != 0x90) ||
	    (step == 5 && r->in.call_ret[0] != (snap ? KC_TEST_SNAPSHOT_STOP : ~0ull)))
		return fail(EINVAL);
	if (step == 4 && strcmp(mode, "eintr") == 0 && !eintr_done) {
		eintr_done = true; /* completion delivered, then the signal ends the ioctl */
		return fail(EINTR);
	}
	/* The snapshot call only once every sibling sleeps in the ioctl: kcore-vmm must kick them.
	 */
	for (int i = 0; snap && step == 4 && i < 200; i++)
		if (__atomic_load_n(&in_run, __ATOMIC_SEQ_CST) == (int)nr_vcpus - 1 ||
		    usleep(10000) != 0)
			break;
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
		r->out.call.fid = snap ? KC_TEST_SNAPSHOT : NO_FID;
		break;
	default:
		r->out.reason = KC_EXIT_POWEROFF;
		r->out.poweroff.reset = strcmp(mode, "reset") == 0;
		break;
	}
	return 0;
}

static bool snap_sizes_ok(const struct kcore_snapshot *s, unsigned long long pages)
{
	return s->records_size >= (pages + nr_vcpus + 2) * KCORE_SNAP_RECORD_BYTES &&
	       s->data_size >= (pages + nr_vcpus) * KCORE_SNAP_PAGE_BYTES;
}

static int snapshot(struct kcore_snapshot *s)
{
	unsigned char *rec = (unsigned char *)(uintptr_t)s->records;
	unsigned char *data = (unsigned char *)(uintptr_t)s->data;

	if (__atomic_load_n(&in_run, __ATOMIC_SEQ_CST) != 0)
		return fail(EBUSY);
	s->nr_pages = SNAP_BOUND;
	s->nr_vcpus = nr_vcpus;
	s->vcpus_on = 1;
	if (rec == NULL && data == NULL)
		return 0;
	if (rec == NULL || data == NULL)
		return fail(EINVAL);
	if (!snap_sizes_ok(s, SNAP_BOUND))
		return fail(ERANGE);
	s->nr_pages = SNAP_PAGES;
	for (unsigned int i = 0; i < SNAP_PAGES + nr_vcpus + 2; i++)
		memset(rec + i * KCORE_SNAP_RECORD_BYTES, (int)(0x40 + i), KCORE_SNAP_RECORD_BYTES);
	for (unsigned int j = 0; j < SNAP_PAGES + nr_vcpus; j++)
		memset(data + j * KCORE_SNAP_PAGE_BYTES, (int)(0x80 + j), KCORE_SNAP_PAGE_BYTES);
	return 0;
}

static bool all_bytes(const unsigned char *p, unsigned char v, unsigned long long n)
{
	for (unsigned long long i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int restore(const struct kcore_snapshot *s)
{
	const unsigned char *rec = (const unsigned char *)(uintptr_t)s->records;
	const unsigned char *data = (const unsigned char *)(uintptr_t)s->data;

	if (strcmp(mode, "restore") != 0 || s->nr_pages != SNAP_PAGES || s->nr_vcpus != nr_vcpus ||
	    s->vcpus_on != 1 || !snap_sizes_ok(s, SNAP_PAGES))
		return fail(EINVAL);
	for (unsigned int i = 0; i < SNAP_PAGES + nr_vcpus + 2; i++)
		if (!all_bytes(rec + i * KCORE_SNAP_RECORD_BYTES, 0x40 + i,
			       KCORE_SNAP_RECORD_BYTES))
			return fail(EBADMSG);
	for (unsigned int j = 0; j < SNAP_PAGES + nr_vcpus; j++)
		if (!all_bytes(data + j * KCORE_SNAP_PAGE_BYTES, 0x80 + j, KCORE_SNAP_PAGE_BYTES))
			return fail(EBADMSG);
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
		nr_vcpus = c->nr_vcpus;
		/* Every mode has the RAM: kcore-vmm maps it when it has devices. */
		if (fake_virtio_create(c->ram_size, strcmp(mode, "vconsole") == 0,
				       strcmp(mode, "vnet") == 0) != 0)
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

		if (!pinned_as_wanted()) {
			errno = EINVAL;
			return -1;
		}
		if (k->vcpu == 0 && (strcmp(mode, "virtio") == 0 || strcmp(mode, "vconsole") == 0 ||
				     strcmp(mode, "vnet") == 0))
			return fake_virtio_run(&k->run);
		if (k->vcpu != 0)
			return sleep_until_signal();
		return strcmp(mode, "restore") == 0 ? run_restored(&k->run) : run_vcpu0(k);
	}
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_IRQ &&
	    (strcmp(mode, "virtio") == 0 || strcmp(mode, "vconsole") == 0 ||
	     strcmp(mode, "vnet") == 0))
		return fake_virtio_irq(arg);
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_SNAPSHOT)
		return snapshot(arg);
	if (fd == vm_fd && vm_fd >= 0 && req == KCORE_VM_IOC_RESTORE)
		return restore(arg);
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

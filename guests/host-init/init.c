// SPDX-License-Identifier: MIT
/*
 * The init of the Linux host's initramfs (docs/linux-host.md): PID 1 of
 * Debian's unmodified kernel booted by kcore as the host at EL1. It checks
 * what kcore promised the host and says so on the console:
 *
 *   KCORE-HOST: init: start
 *   KCORE-HOST: init: cpus: N online, expected E
 *   KCORE-HOST: init: iomem: System RAM A-B            (one line per top-level range)
 *   KCORE-HOST: init: kcore range A-B: not System RAM, /dev/mem read refused (ERRNO)
 *   KCORE-HOST: kcore.ko: kcore ABI X.Y                   (the module's lines: see below)
 *   KCORE-HOST: kcore.ko: bad ioctl number: ENOTTY, bad pointers: EFAULT
 *   KCORE-HOST: vm: ...                                   (the VM tests' lines: see below)
 *   KCORE-HOST: vm: ok
 *   KCORE-HOST: vmm: ...                                  (kcore-vmm's runs: see check_vmm)
 *   KCORE-HOST: kcore.ko: unload refused while open, ok when closed; loaded again: kcore ABI X.Y
 *   KCORE-HOST: init: ok cpus=N kcore-ranges=R           (or: FAIL <what>)
 *
 * then powers off (reboot(RB_POWER_OFF): PSCI SYSTEM_OFF, which kcore
 * performs after its scrub). If power-off fails it waits forever.
 *
 * The checks: the online CPUs (/sys/devices/system/cpu/online) against
 * kcore.expect_cpus=N on the command line (all the CPUs kcore started through
 * PSCI CPU_ON); kcore's ranges, as the DTB's /reserved-memory/kcore@...
 * nodes name them, are at least two (kcore's image and its carve-out), none
 * overlaps a System RAM range of /proc/iomem (Linux left them out of its
 * linear map: no-map), and reading the first bytes of each through /dev/mem
 * is refused. The test script (tests/scripts/qemu_linux_host.sh) checks the
 * printed System RAM ranges against the ranges kcore itself logged, so a
 * DTB that hid a range from init would not go unseen.
 *
 * Then the module (kmod/, docs/linux-host.md "The module"): /kcore.ko is
 * loaded with finit_module(2), /dev/kcore (devtmpfs, mounted on /dev) must
 * answer KCORE_IOC_VERSION with kcore's ABI version, which must be the one
 * this init was built with (include/kcore/abi.h: the module asks kcore, so
 * this checks the whole path); an unknown ioctl number and the version
 * ioctl with a wrong size must give ENOTTY, and NULL, an unmapped and a
 * kernel address EFAULT. Loading it twice is refused (EEXIST), unloading it
 * while /dev/kcore is open too (EWOULDBLOCK); closed, it unloads, and it
 * loads and answers again.
 *
 * Before the unload, VMs (docs/linux-host.md "VMs"): /hello.signed (the
 * hello guest as kcore-sign signed it) becomes a VM through
 * KCORE_IOC_CREATE_VM, which kcore must verify (KCORE_VM_IOC_INFO), holding
 * one page per 4 KiB of the file until the VM's descriptor is closed; the
 * same image with one payload byte flipped must be refused with
 * EKEYREJECTED; bad arguments with EFAULT, EINVAL or E2BIG (9 vCPUs by
 * kcore, the others by the module); kcore's 8 VMs at once (one with its 8
 * vCPUs) must work and a 9th be ENOSPC; 20 creates and closes must work. After each,
 * KCORE_IOC_STATS must say the module holds no VM, no page allocated for one (freed: not with
 * kcore, not leaked).
 *
 * With kcore.bench=1 on the command line (bench/bench.sh, the benchmark's
 * "kcore (Linux host)" column) init does none of that: it loads kcore.ko, runs
 *
 *   /kcore-vmm --image /bench.signed --cpus 2 --small-pages
 *
 * with its output straight on the console (nothing of init's runs while the
 * guest is timed), says "KCORE-HOST: bench: kcore-vmm exit status S" and
 * powers off. With kcore.iobench=1 (bench/bench.sh io) it runs the virtio
 * I/O benchmark's guest instead (iobench.c) and powers off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_init.h"
#include "kcore/abi.h"
#include "kcore/guest_tests.h"
#include "kcore/kcore_ioctl.h"
#include "kcore/payload.h"
#include "kcore_attack.h"

#define TAG			"KCORE-HOST: init: "
#define KMOD_TAG		"KCORE-HOST: kcore.ko: "
#define KMOD_PATH		"/kcore.ko"
#define KMOD_NAME		"kcore"
#define KATTACK_TAG		"KCORE-HOST: attack: "
#define KATTACK_PATH		"/kcore_attack.ko"
#define EXPECT_PARAM		"kcore.expect_cpus="
#define RESERVED_DIR		"/proc/device-tree/reserved-memory"
#define MAX_RAM			64
#define VM_TAG			"KCORE-HOST: vm: "
#define VM_IMAGE		"/hello.signed"
#define VM_RAM			(16ULL << 20) /* the VMs' RAM: hello's size is kserv's default */
#define VM_RAM_BASE		KCORE_GUEST_RAM_BASE
#define VM_CYCLES		20
/* kcore's limits on aarch64 (arch/aarch64/main.c: max_vms, max_vcpus), below the module's. */
#define KCORE_AARCH64_MAX_VMS	8u
#define KCORE_AARCH64_MAX_VCPUS 8u

struct range {
	unsigned long long start, end; /* inclusive end, as /proc/iomem */
};

static int console_fd = 1;

/* One whole line on the console, in one write: TAG, then the text. */
__attribute__((format(printf, 2, 0))) static void vsay(const char *tag, const char *fmt, va_list ap)
{
	char line[512];
	size_t len = strlen(tag);
	int n;

	memcpy(line, tag, len);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (n < 0)
		return;
	n += (int)len;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(console_fd, line, (size_t)n) < 0)
		return;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(TAG, fmt, ap);
	va_end(ap);
}

/* The module's lines. */
__attribute__((format(printf, 1, 2))) static void say_kmod(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(KMOD_TAG, fmt, ap);
	va_end(ap);
}

/* The attacks' lines. */
__attribute__((format(printf, 1, 2))) static void say_attack(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(KATTACK_TAG, fmt, ap);
	va_end(ap);
}

/* The VM tests' lines. */
__attribute__((format(printf, 1, 2))) static void say_vm(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(VM_TAG, fmt, ap);
	va_end(ap);
}

static void open_console(void)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY);

	if (fd >= 0)
		console_fd = fd;
}

bool read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* "0-3,5" -> 5 CPUs; -1 when malformed. */
static int count_cpu_list(const char *s)
{
	int count = 0;

	while (*s != '\0' && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				return -1;
			s = end;
		}
		count += (int)(hi - lo + 1);
		if (*s == ',')
			s++;
	}
	return count;
}

static bool check_cpus(int *online)
{
	char cmdline[4096], list[256];
	const char *p;
	long expected = 0;

	if (!read_text("/proc/cmdline", cmdline, sizeof(cmdline)) ||
	    !read_text("/sys/devices/system/cpu/online", list, sizeof(list))) {
		say("FAIL cannot read /proc/cmdline or the online CPUs");
		return false;
	}
	*online = count_cpu_list(list);
	p = strstr(cmdline, EXPECT_PARAM);
	if (p != NULL)
		expected = strtol(p + sizeof(EXPECT_PARAM) - 1, NULL, 10);
	say("cpus: %d online, expected %ld", *online, expected);
	if (*online < 1 || (expected > 0 && *online != expected)) {
		say("FAIL %d CPUs online, %ld expected", *online, expected);
		return false;
	}
	return true;
}

/* The top-level "System RAM" ranges of /proc/iomem. */
static int read_system_ram(struct range *ram, int max)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct range r;
		char *name, *end;

		if (line[0] == ' ')
			continue; /* a child of a range */
		name = strstr(line, " : ");
		/* "START-END : NAME", hexadecimal. */
		r.start = strtoull(line, &end, 16);
		if (name == NULL || end == line || *end != '-')
			continue;
		r.end = strtoull(end + 1, &end, 16);
		if (end != name)
			continue;
		if (strncmp(name + 3, "System RAM", 10) != 0)
			continue;
		say("iomem: System RAM %llx-%llx", r.start, r.end);
		if (n < max)
			ram[n++] = r;
	}
	fclose(f);
	return n;
}

static unsigned long long be64_at(const unsigned char *p)
{
	unsigned long long v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* One kcore@... node: reg is (address, size), two cells each. */
static bool check_kcore_range(const char *name, const struct range *ram, int nr_ram, int mem_fd)
{
	char path[512];
	unsigned char reg[16];
	unsigned long long base, size, word;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), RESERVED_DIR "/%s/reg", name);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, reg, sizeof(reg)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(reg)) {
		say("FAIL %s: no (address, size) reg", name);
		return false;
	}
	snprintf(path, sizeof(path), RESERVED_DIR "/%s/no-map", name);
	if (access(path, F_OK) != 0) {
		say("FAIL %s: not no-map", name);
		return false;
	}
	base = be64_at(reg);
	size = be64_at(reg + 8);
	for (int i = 0; i < nr_ram; i++) {
		if (base <= ram[i].end && ram[i].start <= base + size - 1) {
			say("FAIL kcore range %llx-%llx overlaps System RAM %llx-%llx", base,
			    base + size - 1, ram[i].start, ram[i].end);
			return false;
		}
	}
	errno = 0;
	n = pread(mem_fd, &word, sizeof(word), (off_t)base);
	if (n >= 0) {
		say("FAIL kcore range %llx-%llx: /dev/mem read %zd bytes of it", base,
		    base + size - 1, n);
		return false;
	}
	say("kcore range %llx-%llx: not System RAM, /dev/mem read refused (%s)", base,
	    base + size - 1, strerror(errno));
	return true;
}

static bool check_kcore_ranges(int *count)
{
	struct range ram[MAX_RAM];
	int nr_ram = read_system_ram(ram, MAX_RAM);
	DIR *dir;
	struct dirent *e;
	int mem_fd;
	bool ok = true;

	*count = 0;
	if (nr_ram <= 0) {
		say("FAIL no System RAM in /proc/iomem");
		return false;
	}
	if (mknod("/dev/mem", S_IFCHR | 0600, makedev(1, 1)) != 0 && errno != EEXIST) {
		say("FAIL mknod /dev/mem: %s", strerror(errno));
		return false;
	}
	mem_fd = open("/dev/mem", O_RDONLY);
	if (mem_fd < 0) {
		say("FAIL open /dev/mem: %s", strerror(errno));
		return false;
	}
	dir = opendir(RESERVED_DIR);
	if (dir == NULL) {
		say("FAIL no %s in the host's device tree", RESERVED_DIR);
		close(mem_fd);
		return false;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, "kcore@", 6) != 0)
			continue;
		ok = check_kcore_range(e->d_name, ram, nr_ram, mem_fd) && ok;
		(*count)++;
	}
	closedir(dir);
	close(mem_fd);
	if (*count < 2) {
		say("FAIL %d kcore ranges in %s, 2 expected (image, carve-out)", *count,
		    RESERVED_DIR);
		return false;
	}
	return ok;
}

int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long ret;
	int err;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	return ret == 0 ? 0 : -err;
}

static int load_kmod(void)
{
	return load_module(KMOD_PATH);
}

/* KCORE_IOC_VERSION through a fresh open of /dev/kcore: 0, or a negative errno (and why). */
static int kmod_version(struct kcore_version *v)
{
	int fd, ret = 0;

	memset(v, 0, sizeof(*v));
	fd = open(KCORE_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		say_kmod("FAIL open " KCORE_DEV ": %s", strerror(errno));
		return ret;
	}
	if (ioctl(fd, KCORE_IOC_VERSION, v) != 0) {
		ret = -errno;
		say_kmod("FAIL KCORE_IOC_VERSION: %s", strerror(errno));
	} else if (v->abi_major != KCORE_ABI_MAJOR || v->abi_minor != KCORE_ABI_MINOR) {
		say_kmod("FAIL kcore ABI %u.%u, this init was built for %u.%u", v->abi_major,
			 v->abi_minor, KCORE_ABI_MAJOR, KCORE_ABI_MINOR);
		ret = -EPROTO;
	}
	close(fd);
	return ret;
}

/* ioctl(fd, cmd, arg) must fail with errno want. */
static bool refused(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	errno = 0;
	if (ioctl(fd, cmd, arg) == 0) {
		say_kmod("FAIL %s: accepted", what);
		return false;
	}
	if (errno != want) {
		say_kmod("FAIL %s: %s, not %s", what, strerror(errno), strerror(want));
		return false;
	}
	return true;
}

/* Arguments /dev/kcore must refuse: unknown numbers, wrong sizes, pointers it must not write. */
static bool check_kmod_bad_ioctls(void)
{
	/* Same number, direction and type as KCORE_IOC_VERSION, another size. */
	const unsigned long wrong_size = _IOR(KCORE_IOC_TYPE, 0x00, unsigned long long[4]);
	/* The start of arm64 Linux's kernel half (TTBR1, 48-bit VA): never a user pointer. */
	void *kernel_va = (void *)0xffff800008000000ULL;
	struct kcore_version v;
	void *unmapped;
	bool ok = true;
	int fd = open(KCORE_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		say_kmod("FAIL open " KCORE_DEV ": %s", strerror(errno));
		return false;
	}
	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (unmapped == MAP_FAILED || munmap(unmapped, 4096) != 0) {
		say_kmod("FAIL mmap/munmap: %s", strerror(errno));
		close(fd);
		return false;
	}
	ok = refused(fd, _IOR(KCORE_IOC_TYPE, 0x7f, struct kcore_version), &v, ENOTTY,
		     "unknown ioctl number") &&
	     ok;
	ok =
	    refused(fd, _IO('T', 0x01), &v, ENOTTY, "another driver's ioctl (TCSETS's type)") && ok;
	ok = refused(fd, wrong_size, &v, ENOTTY, "KCORE_IOC_VERSION with a wrong size") && ok;
	ok = refused(fd, KCORE_IOC_VERSION, NULL, EFAULT, "KCORE_IOC_VERSION to NULL") && ok;
	ok = refused(fd, KCORE_IOC_VERSION, unmapped, EFAULT,
		     "KCORE_IOC_VERSION to an unmapped page") &&
	     ok;
	ok = refused(fd, KCORE_IOC_VERSION, kernel_va, EFAULT,
		     "KCORE_IOC_VERSION to a kernel address") &&
	     ok;
	close(fd);
	if (ok)
		say_kmod("bad ioctl number: ENOTTY, bad pointers: EFAULT");
	return ok;
}

/* KCORE_IOC_STATS into *st; false (and why) if it fails. */
static bool kmod_stats(int fd, struct kcore_stats *st, const char *when)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, KCORE_IOC_STATS, st) != 0) {
		say_vm("FAIL KCORE_IOC_STATS %s: %s", when, strerror(errno));
		return false;
	}
	return true;
}

/* The module holds no page for kcore and no VM: what every test below must come back to. */
bool kmod_holds_nothing(int fd, const char *when)
{
	struct kcore_stats st;

	if (!kmod_stats(fd, &st, when))
		return false;
	if (st.vms != 0 || st.pages_allocated != 0 || st.pages_with_kcore != 0 ||
	    st.pages_leaked != 0) {
		say_vm("FAIL %s: the module still has %llu VMs, %llu pages allocated, %llu with "
		       "kcore, %llu leaked",
		       when, (unsigned long long)st.vms, (unsigned long long)st.pages_allocated,
		       (unsigned long long)st.pages_with_kcore,
		       (unsigned long long)st.pages_leaked);
		return false;
	}
	return true;
}

static long meminfo_kib(const char *key)
{
	char text[8192];
	const char *p;

	if (!read_text("/proc/meminfo", text, sizeof(text)))
		return -1;
	p = strstr(text, key);
	return p == NULL ? -1 : strtol(p + strlen(key), NULL, 10);
}

static struct kcore_create_vm vm_request(const void *image, size_t size)
{
	return (struct kcore_create_vm){.image = (unsigned long long)(uintptr_t)image,
					.image_size = size,
					.ram_size = VM_RAM,
					.nr_vcpus = 1};
}

/* A VM from a good image: created, verified, kcore holds its pages, closing gives them back. */
static bool check_vm_good(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_vm_info info;
	struct kcore_stats st;
	unsigned long long want_pages = (size + 4095) / 4096;
	int fd = ioctl(dev, KCORE_IOC_CREATE_VM, &req);

	if (fd < 0) {
		say_vm("FAIL KCORE_IOC_CREATE_VM(" VM_IMAGE "): %s", strerror(errno));
		return false;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, KCORE_VM_IOC_INFO, &info) != 0) {
		say_vm("FAIL KCORE_VM_IOC_INFO: %s", strerror(errno));
		close(fd);
		return false;
	}
	if (!kmod_stats(dev, &st, "with the VM")) {
		close(fd);
		return false;
	}
	if (info.state != KCORE_VM_VERIFIED || info.vmid == 0 || info.pages != want_pages ||
	    info.image_size != size || info.nr_vcpus != 1 || st.vms != 1 ||
	    st.pages_with_kcore != want_pages || st.pages_allocated != want_pages) {
		say_vm("FAIL the VM: state %u vmid %llu pages %llu (want %llu); the module: %llu "
		       "VMs, %llu pages with kcore",
		       info.state, (unsigned long long)info.vmid, (unsigned long long)info.pages,
		       want_pages, (unsigned long long)st.vms,
		       (unsigned long long)st.pages_with_kcore);
		close(fd);
		return false;
	}
	close(fd);
	if (!kmod_holds_nothing(dev, "after closing the VM"))
		return false;
	say_vm(VM_IMAGE " (%zu bytes): created, verified by kcore (vmid %llu, %llu pages at IPA "
			"0x%llx), closed: every page back",
	       size, (unsigned long long)info.vmid, (unsigned long long)info.pages,
	       (unsigned long long)info.load_ipa);
	return true;
}

/* One byte of the payload flipped: kcore's verification refuses it, nothing is left behind. */
static bool check_vm_tampered(int dev, unsigned char *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	size_t at = (size - 256) / 2; /* in the payload, before the trailer */
	int fd, err;

	image[at] ^= 0x01;
	errno = 0;
	fd = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	err = errno;
	image[at] ^= 0x01;
	if (fd >= 0) {
		say_vm("FAIL a tampered image: accepted");
		close(fd);
		return false;
	}
	if (err != EKEYREJECTED) {
		say_vm("FAIL a tampered image: %s, not EKEYREJECTED", strerror(err));
		return false;
	}
	if (!kmod_holds_nothing(dev, "after the tampered image"))
		return false;
	say_vm("tampered image (byte %zu flipped): EKEYREJECTED, nothing left", at);
	return true;
}

/* Arguments the module must refuse before kcore hears of them. */
static bool check_vm_bad_args(int dev, const void *image, size_t size)
{
	void *kernel_va = (void *)0xffff800008000000ULL;
	struct kcore_create_vm req;
	bool ok = true;

#define BAD(field_set, want, what)                                              \
	do {                                                                    \
		req = vm_request(image, size);                                  \
		field_set;                                                      \
		ok = refused(dev, KCORE_IOC_CREATE_VM, &req, want, what) && ok; \
	} while (0)
	BAD(req.image = 0, EFAULT, "CREATE_VM from NULL");
	BAD(req.image = (unsigned long long)(uintptr_t)kernel_va, EFAULT,
	    "CREATE_VM from a kernel address");
	BAD(req.image = ~0ULL - 4095, EFAULT, "CREATE_VM from a range that wraps");
	BAD(req.image_size = 0, EINVAL, "CREATE_VM of 0 bytes");
	BAD(req.image_size = 256, EINVAL, "CREATE_VM of a trailer alone");
	BAD(req.image_size = 1ULL << 40, E2BIG, "CREATE_VM of 1 TiB");
	BAD(req.image_size = KCORE_VM_IMAGE_MAX + 1, E2BIG, "CREATE_VM one byte above the maximum");
	BAD((req.image_size = 1ULL << 20, req.ram_size = 1ULL << 19), E2BIG,
	    "CREATE_VM of an image larger than the RAM");
	BAD(req.nr_vcpus = 0, EINVAL, "CREATE_VM with 0 vCPUs");
	BAD(req.nr_vcpus = KCORE_VM_MAX_VCPUS + 1, EINVAL, "CREATE_VM with too many vCPUs");
	BAD(req.nr_vcpus = 0xffffffffU, EINVAL, "CREATE_VM with 2^32-1 vCPUs");
	/* Within the module's limit, beyond kcore's: kcore refuses after the VM is registered. */
	BAD(req.nr_vcpus = KCORE_AARCH64_MAX_VCPUS + 1, EINVAL,
	    "CREATE_VM with one vCPU more than kcore allows");
	BAD(req.ram_size = 0, EINVAL, "CREATE_VM with no RAM");
	BAD(req.ram_size = VM_RAM + 1, EINVAL, "CREATE_VM with RAM not a page multiple");
	BAD(req.ram_size = 1ULL << 62, E2BIG, "CREATE_VM with 2^62 bytes of RAM");
	BAD(req.flags = KCORE_VM_SMALL_PAGES << 1, EINVAL, "CREATE_VM with an unknown flag");
	/* The optional initrd (another signed image, here the same) and DTB. */
	BAD(req.initrd_ipa = VM_RAM_BASE + VM_RAM / 2, EINVAL,
	    "CREATE_VM with an initrd IPA alone");
	BAD(req.initrd = (unsigned long long)(uintptr_t)image, EINVAL,
	    "CREATE_VM with an initrd address alone");
	BAD((req.initrd = (unsigned long long)(uintptr_t)image, req.initrd_size = 256), EINVAL,
	    "CREATE_VM with an initrd of a trailer alone");
	BAD((req.initrd = (unsigned long long)(uintptr_t)image, req.initrd_size = size,
	     req.initrd_ipa = VM_RAM_BASE + VM_RAM / 2 + 8),
	    EINVAL, "CREATE_VM with an initrd IPA not page aligned");
	BAD((req.initrd = (unsigned long long)(uintptr_t)image, req.initrd_size = size,
	     req.initrd_ipa = VM_RAM_BASE),
	    EINVAL, "CREATE_VM with an initrd over the kernel");
	BAD((req.initrd = (unsigned long long)(uintptr_t)image, req.initrd_size = size,
	     req.initrd_ipa = VM_RAM_BASE + VM_RAM),
	    EINVAL, "CREATE_VM with an initrd above the RAM");
	BAD((req.initrd = (unsigned long long)(uintptr_t)kernel_va, req.initrd_size = size,
	     req.initrd_ipa = VM_RAM_BASE + VM_RAM / 2),
	    EFAULT, "CREATE_VM with an initrd at a kernel address");
	BAD((req.dtb = (unsigned long long)(uintptr_t)image, req.dtb_size = KCORE_VM_DTB_MAX + 1,
	     req.dtb_ipa = VM_RAM_BASE + VM_RAM / 2),
	    E2BIG, "CREATE_VM with a DTB above its maximum");
	BAD((req.dtb = (unsigned long long)(uintptr_t)image, req.dtb_size = 4096,
	     req.dtb_ipa = VM_RAM_BASE + VM_RAM - 2048),
	    EINVAL, "CREATE_VM with a DTB IPA not page aligned");
	BAD((req.dtb = (unsigned long long)(uintptr_t)image, req.dtb_size = 8192,
	     req.dtb_ipa = VM_RAM_BASE + VM_RAM - 4096),
	    EINVAL, "CREATE_VM with a DTB past the RAM's end");
	BAD((req.dtb = (unsigned long long)(uintptr_t)image, req.dtb_size = 4096,
	     req.dtb_ipa = VM_RAM_BASE),
	    EINVAL, "CREATE_VM with a DTB over the kernel");
	BAD((req.initrd = (unsigned long long)(uintptr_t)image, req.initrd_size = size,
	     req.initrd_ipa = VM_RAM_BASE + VM_RAM / 2,
	     req.dtb = (unsigned long long)(uintptr_t)image, req.dtb_size = 4096,
	     req.dtb_ipa = VM_RAM_BASE + VM_RAM / 2),
	    EINVAL, "CREATE_VM with a DTB over the initrd");
	BAD(req.reserved[1] = 1, EINVAL, "CREATE_VM with a reserved word set");
#undef BAD
	ok = refused(dev, KCORE_IOC_CREATE_VM, NULL, EFAULT, "CREATE_VM with a NULL request") && ok;
	ok = kmod_holds_nothing(dev, "after the bad arguments") && ok;
	if (ok)
		say_vm("bad arguments: EFAULT (pointers), EINVAL (sizes, vCPUs, flags, initrd and "
		       "DTB placement), E2BIG (too large)");
	return ok;
}

/* kcore's whole VM table at once, one VM with every vCPU kcore allows; one more is ENOSPC. */
static bool check_vm_many(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	unsigned long long want_pages = (size + 4095) / 4096 * KCORE_AARCH64_MAX_VMS;
	int fds[KCORE_AARCH64_MAX_VMS], n = 0, fd, err;
	struct kcore_stats st;
	bool ok = true;

	for (; n < (int)KCORE_AARCH64_MAX_VMS; n++) {
		req.nr_vcpus = n == 0 ? KCORE_AARCH64_MAX_VCPUS : 1;
		fds[n] = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
		if (fds[n] < 0) {
			say_vm("FAIL VM %d of %u at once: %s", n + 1, KCORE_AARCH64_MAX_VMS,
			       strerror(errno));
			ok = false;
			break;
		}
	}
	if (ok) {
		req.nr_vcpus = 1;
		errno = 0;
		fd = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
		err = errno;
		if (fd >= 0 || err != ENOSPC) {
			say_vm("FAIL a VM beyond kcore's %u: %s, not ENOSPC", KCORE_AARCH64_MAX_VMS,
			       fd >= 0 ? "created" : strerror(err));
			if (fd >= 0)
				close(fd);
			ok = false;
		}
	}
	if (ok && kmod_stats(dev, &st, "with every VM")) {
		if (st.vms != KCORE_AARCH64_MAX_VMS || st.pages_with_kcore != want_pages ||
		    st.pages_allocated != want_pages) {
			say_vm(
			    "FAIL %u VMs at once: the module has %llu VMs, %llu pages allocated, "
			    "%llu with kcore (want %llu)",
			    KCORE_AARCH64_MAX_VMS, (unsigned long long)st.vms,
			    (unsigned long long)st.pages_allocated,
			    (unsigned long long)st.pages_with_kcore, want_pages);
			ok = false;
		}
	} else {
		ok = false;
	}
	while (n > 0)
		close(fds[--n]);
	ok = kmod_holds_nothing(dev, "after closing every VM") && ok;
	if (ok)
		say_vm("%u VMs at once (one with %u vCPUs), one more: ENOSPC; all closed, nothing "
		       "left",
		       KCORE_AARCH64_MAX_VMS, KCORE_AARCH64_MAX_VCPUS);
	return ok;
}

/* Create and close many times: the module and Linux get every page back each time. */
static bool check_vm_cycles(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	long before = meminfo_kib("MemFree:"), after;

	for (int i = 0; i < VM_CYCLES; i++) {
		int fd = ioctl(dev, KCORE_IOC_CREATE_VM, &req);

		if (fd < 0) {
			say_vm("FAIL create %d of %d: %s", i + 1, VM_CYCLES, strerror(errno));
			return false;
		}
		close(fd);
	}
	if (!kmod_holds_nothing(dev, "after the create/close cycles"))
		return false;
	after = meminfo_kib("MemFree:");
	/*
	 * Printed, not compared: a small VM's pages come from and go back to the
	 * page allocator's per-CPU lists, which MemFree does not count (a module
	 * that never freed them left it unchanged). The module's own count of the
	 * pages it allocated and has not freed is what the check above compares.
	 */
	say_vm("%d x create + close: no VM and no page left with kcore; MemFree %ld -> %ld kB",
	       VM_CYCLES, before, after);
	return true;
}

/*
 * The raw run ioctl, without kcore-vmm: vCPU 0 of a hello VM (no DTB: x0 is
 * 0) runs to its power-off, this loop playing the PL011 (its DR writes make
 * the console line, FR reads say "transmit empty"), every other MMIO read
 * answering 0 and every guest call NOT_SUPPORTED. The guest's lines must say
 * hello and PASS; meanwhile kcore holds more pages than the image (RAM
 * donated on faults inside the ioctl); the run's argument checks; every page
 * back at close.
 */
#define RUN_UART_DR  0x000ull
#define RUN_UART_FR  0x018ull
#define RUN_LINE_MAX 256

static bool run_bad_args(int vm)
{
	struct kcore_run r;
	bool ok = true;

	memset(&r, 0, sizeof(r));
	r.vcpu = 1;
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, EINVAL, "RUN of vCPU 1 of 1") && ok;
	r.vcpu = 0;
	r.flags = 1;
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, EINVAL, "RUN with a flag") && ok;
	r.flags = 0;
	r.run.in.flags = 1ull << 5;
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, EINVAL, "RUN with an unknown completion") && ok;
	r.run.in.flags = 0;
	r.run.in.reserved[3] = 1;
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, EINVAL, "RUN with a reserved word") && ok;
	ok = refused(vm, KCORE_VM_IOC_RUN, NULL, EFAULT, "RUN with NULL") && ok;
	/* KCORE_VM_IOC_IRQ: the module's checks, then kcore's (its timers' 27 and 30 are its own).
	 */
	ok = refused(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.vcpu = 1, .intid = 33}, EINVAL,
		     "IRQ to vCPU 1 of 1") &&
	     ok;
	ok = refused(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.intid = 15}, EINVAL,
		     "IRQ of an SGI") &&
	     ok;
	ok = refused(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.intid = 1020}, EINVAL,
		     "IRQ of INTID 1020") &&
	     ok;
	ok = refused(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.intid = 33, .reserved = 1}, EINVAL,
		     "IRQ with a reserved word") &&
	     ok;
	ok = refused(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.intid = 27}, EINVAL,
		     "IRQ of kcore's virtual timer") &&
	     ok;
	ok = refused(vm, KCORE_VM_IOC_IRQ, NULL, EFAULT, "IRQ with NULL") && ok;
	if (ioctl(vm, KCORE_VM_IOC_IRQ, &(struct kcore_irq){.intid = 33}) != 0) {
		say_vm("FAIL IRQ of SPI 33 to vCPU 0: %s", strerror(errno));
		ok = false;
	}
	return ok;
}

/*
 * vCPU 0 of vm runs to its power-off (see above); true if the guest said
 * hello and PASS. *st: the module's counts at the guest's first line.
 */
static bool raw_run(int dev, int vm, struct kcore_stats *st, unsigned long long *exits)
{
	struct kcore_run r;
	char line[RUN_LINE_MAX];
	size_t len = 0;
	bool hello = false, pass = false;

	memset(&r, 0, sizeof(r));
	*exits = 0;
	for (;;) {
		const typeof(r.run.out) *o = &r.run.out;

		if (ioctl(vm, KCORE_VM_IOC_RUN, &r) != 0) {
			say_vm("FAIL KCORE_VM_IOC_RUN: %s after %llu exits", strerror(errno),
			       *exits);
			return false;
		}
		(*exits)++;
		memset(&r.run.in, 0, sizeof(r.run.in));
		if (o->reason == KC_EXIT_POWEROFF)
			break;
		if (o->reason == KC_EXIT_GUEST_CALL) {
			r.run.in.flags = KC_RUN_CALL_DONE;
			r.run.in.call_ret[0] = (unsigned long long)-1;
			continue;
		}
		if (o->reason != KC_EXIT_MMIO) {
			say_vm(
			    "FAIL the run returned exit %llu: only MMIO, calls and the power-off "
			    "come back",
			    o->reason);
			return false;
		}
		r.run.in.flags = KC_RUN_MMIO_DONE;
		if (o->mmio.ipa == KCORE_GUEST_UART_BASE + RUN_UART_FR && !o->mmio.is_write)
			r.run.in.mmio_value = 0x90; /* TXFE | RXFE */
		if (o->mmio.ipa != KCORE_GUEST_UART_BASE + RUN_UART_DR || !o->mmio.is_write)
			continue;
		if ((char)o->mmio.value != '\n' && len + 1 < sizeof(line)) {
			line[len++] = (char)o->mmio.value;
			continue;
		}
		line[len] = '\0';
		len = 0;
		say_vm("[raw run] %s", line);
		hello = hello || strstr(line, "Hello from hello") != NULL;
		pass = pass || strstr(line, "hello: PASS") != NULL;
		if (st->pages_with_kcore == 0 && !kmod_stats(dev, st, "while it runs"))
			return false;
	}
	return hello && pass;
}

/*
 * The VM file's mmap() (the VMM's window on its guest's RAM, for its
 * devices): bad requests refused with EINVAL; then, after the raw run (the
 * hello guest shares nothing), a load from the image's first page (the guest
 * ran it: kcore's, mapped by the fault handler, kcore's abort) and from the
 * RAM's last page (nothing ever given there: the fault handler's own
 * SIGBUS) each end in a SIGBUS the reading child catches; init goes on.
 */
static int bus_code = -1;
static sigjmp_buf bus_jmp;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	bus_code = sig == SIGBUS ? 100 + si->si_code : 50 + si->si_code;
	siglongjmp(bus_jmp, 1);
}

/*
 * In a child: a load at byte off of vm's RAM, mapped there (the parent's
 * mapping is VM_DONTCOPY: a child has none), or at p if vm < 0. Its exit
 * status: 100 + si_code if a SIGBUS came (caught), 50 + si_code for a
 * SIGSEGV, 1 if the load returned, 2 if the mmap failed; -signal if it died
 * of one, -1000 if it could not be run.
 */
static int read_in_child(int vm, unsigned long long off, const volatile unsigned char *at)
{
	/* volatile: read again after the siglongjmp, never kept in a register. */
	const volatile unsigned char *volatile p = at;
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO};

		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
		if (vm >= 0) {
			void *ram = mmap(NULL, VM_RAM, PROT_READ, MAP_SHARED, vm, 0);

			if (ram == MAP_FAILED)
				_exit(2);
			p = (const volatile unsigned char *)ram + off;
		}
		if (sigsetjmp(bus_jmp, 1) != 0)
			_exit(bus_code);
		(void)*p;
		_exit(1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1000;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

static bool mmap_refused(int vm, size_t len, int flags, off_t off, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, vm, off);

	if (p != MAP_FAILED) {
		say_vm("FAIL mmap of %s: accepted", what);
		munmap(p, len);
		return false;
	}
	if (errno != EINVAL) {
		say_vm("FAIL mmap of %s: %s, not EINVAL", what, strerror(errno));
		return false;
	}
	return true;
}

static bool check_vm_mmap_args(int vm)
{
	bool ok = mmap_refused(vm, 4096, MAP_PRIVATE, 0, "MAP_PRIVATE");

	ok = mmap_refused(vm, 4096, MAP_SHARED, (off_t)VM_RAM, "an offset at the RAM's end") && ok;
	ok = mmap_refused(vm, VM_RAM + 4096, MAP_SHARED, 0, "more than the RAM") && ok;
	ok = mmap_refused(vm, 8192, MAP_SHARED, (off_t)VM_RAM - 4096, "past the RAM's end") && ok;
	return ok;
}

static bool check_vm_mmap_reads(int vm)
{
	struct kcore_vm_info info;
	unsigned char *ram = mmap(NULL, VM_RAM, PROT_READ, MAP_SHARED, vm, 0);
	int image, unmapped, inherited;

	if (ram == MAP_FAILED) {
		say_vm("FAIL mmap of the VM's RAM: %s", strerror(errno));
		return false;
	}
	if (ioctl(vm, KCORE_VM_IOC_INFO, &info) != 0) {
		say_vm("FAIL KCORE_VM_IOC_INFO: %s", strerror(errno));
		munmap(ram, VM_RAM);
		return false;
	}
	image = read_in_child(vm, info.load_ipa - info.ram_base, NULL);
	unmapped = read_in_child(vm, VM_RAM - 4096, NULL);
	inherited = read_in_child(-1, 0, ram);
	munmap(ram, VM_RAM);
	/*
	 * The image page is mapped (the fault handler inserted kcore's frame)
	 * and kcore's abort is a synchronous external abort: BUS_OBJERR. The
	 * unmapped page is the handler's VM_FAULT_SIGBUS: BUS_ADRERR.
	 */
	if (image != 100 + BUS_OBJERR || unmapped != 100 + BUS_ADRERR ||
	    inherited != 50 + SEGV_MAPERR) {
		say_vm("FAIL reads of the guest's private image page and of an unmapped page: "
		       "child statuses %d and %d, not SIGBUS caught with BUS_OBJERR (%d) and "
		       "BUS_ADRERR (%d); through the parent's mapping: %d, not SIGSEGV (%d: "
		       "VM_DONTCOPY)",
		       image, unmapped, 100 + BUS_OBJERR, 100 + BUS_ADRERR, inherited,
		       50 + SEGV_MAPERR);
		return false;
	}
	say_vm("mmap of the VM's RAM: its private image page (kcore's abort, BUS_OBJERR) and an "
	       "unmapped page (BUS_ADRERR) each SIGBUS, caught; a forked child has no copy of "
	       "the mapping");
	return true;
}

/* Closes vm while its RAM is mapped: the VM and its pages stay until the munmap. */
static bool check_vm_outlives_close(int dev, int vm)
{
	struct kcore_stats st;
	void *ram = mmap(NULL, VM_RAM, PROT_READ, MAP_SHARED, vm, 0);
	bool ok;

	close(vm);
	if (ram == MAP_FAILED) {
		say_vm("FAIL mmap of the VM's RAM: %s", strerror(errno));
		return false;
	}
	ok = kmod_stats(dev, &st, "closed but mapped");
	if (ok && (st.vms != 1 || st.pages_with_kcore == 0)) {
		say_vm(
		    "FAIL the VM closed but mapped: %llu VMs, %llu pages with kcore (want 1, > 0)",
		    (unsigned long long)st.vms, (unsigned long long)st.pages_with_kcore);
		ok = false;
	}
	munmap(ram, VM_RAM);
	return ok;
}

static bool check_vm_run(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_run r;
	struct kcore_stats st = {0};
	unsigned long long exits = 0, image_pages = (size + 4095) / 4096;
	bool ok;
	int vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);

	if (vm < 0) {
		say_vm("FAIL KCORE_IOC_CREATE_VM for the run: %s", strerror(errno));
		return false;
	}
	ok = run_bad_args(vm);
	ok = check_vm_mmap_args(vm) && ok;
	if (!raw_run(dev, vm, &st, &exits) || st.pages_with_kcore <= image_pages) {
		say_vm("FAIL the raw run: no hello and PASS, or kcore held %llu pages (the image: "
		       "%llu)",
		       (unsigned long long)st.pages_with_kcore, image_pages);
		ok = false;
	}
	ok = check_vm_mmap_reads(vm) && ok;
	memset(&r, 0, sizeof(r));
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, ESHUTDOWN, "RUN after the power-off") && ok;
	ok = check_vm_outlives_close(dev, vm) && ok;
	if (!kmod_holds_nothing(dev, "after the run"))
		return false;
	if (ok)
		say_vm("raw run: hello and PASS in %llu exits, %llu pages with kcore while it ran, "
		       "every page back",
		       exits, (unsigned long long)st.pages_with_kcore);
	return ok;
}

/*
 * Snapshots through the module (KCORE_VM_IOC_SNAPSHOT and _RESTORE,
 * docs/linux-host.md "Snapshots"), without kcore-vmm: a fresh hello VM's
 * sizes asked (its pages, 1 vCPU, vCPU 0 started), its bad requests refused
 * (EINVAL, EFAULT, ERANGE with the counts), its snapshot taken; a second
 * fresh VM refuses bad restores (EINVAL, EFAULT) and stays fresh, then takes
 * the snapshot and runs from it to hello and PASS, and refuses a second
 * restore (EINVAL) and any after its power-off (ESHUTDOWN); a third, given
 * the snapshot with a byte of a data page flipped, EBADMSG, FAILED and RUN
 * ESHUTDOWN; a data buffer unmapped after its first page fails either ioctl
 * midway (EFAULT: the snapshot cancelled, the VM snapshotted again after it;
 * the restoring VM FAILED); a 2-vCPU VM whose vCPU 1 sleeps in RUN on another thread (never
 * started) refuses both (EBUSY) until that RUN ends. Nothing is left after.
 */
#define SNAP_KADDR ((uint64_t)0xffff000000000000ull)
#define SNAP_MAX   (4u << 20) /* snapguest's file (kcore-vmm's test below) is a few pages */

static unsigned char snap_buf[SNAP_MAX];

static void snap_no_op(int sig)
{
	(void)sig; /* interrupts the RUN of check_vm_snap_busy's thread */
}

static void *snap_sleeper(void *arg)
{
	struct kcore_run r;

	memset(&r, 0, sizeof(r));
	r.vcpu = 1; /* never started: sleeps in the ioctl until a signal */
	return (void *)(intptr_t)(ioctl(*(int *)arg, KCORE_VM_IOC_RUN, &r) == 0 ? 0 : errno);
}

static bool check_vm_snap_busy(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_snapshot q = {0}, rq = {.nr_pages = 1, .nr_vcpus = 2};
	struct sigaction sa = {.sa_handler = snap_no_op}; /* no SA_RESTART: EINTR */
	pthread_t t;
	void *res = NULL;
	bool ok;
	int vm;

	req.nr_vcpus = 2;
	vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	if (vm < 0 || sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    pthread_create(&t, NULL, snap_sleeper, &vm) != 0) {
		say_vm("FAIL the EBUSY check's VM or thread: %s", strerror(errno));
		if (vm >= 0)
			close(vm);
		return false;
	}
	usleep(200 * 1000); /* into the ioctl, asleep */
	ok = refused(vm, KCORE_VM_IOC_SNAPSHOT, &q, EBUSY, "SNAPSHOT with a vCPU in RUN");
	rq.records_size = 5ull * 128;
	rq.data_size = 3ull * 4096;
	rq.records = rq.data = (uint64_t)(uintptr_t)snap_buf;
	ok = refused(vm, KCORE_VM_IOC_RESTORE, &rq, EBUSY, "RESTORE with a vCPU in RUN") && ok;
	pthread_kill(t, SIGUSR1);
	pthread_join(t, &res);
	if ((intptr_t)res != EINTR) {
		say_vm("FAIL the sleeping RUN ended with %s, not EINTR",
		       strerror((int)(intptr_t)res));
		ok = false;
	}
	if (ioctl(vm, KCORE_VM_IOC_SNAPSHOT, &q) != 0 || q.nr_vcpus != 2 || q.vcpus_on != 1) {
		say_vm("FAIL SNAPSHOT's sizes once the RUN ended: %s, %u vCPUs, on 0x%x",
		       strerror(errno), q.nr_vcpus, q.vcpus_on);
		ok = false;
	}
	close(vm);
	return ok;
}

static bool snap_bad_requests(int vm, uint64_t bound)
{
	struct kcore_snapshot q;
	bool ok = true;

#define SNAP_BAD(field_set, want, what)                                                    \
	do {                                                                               \
		memset(&q, 0, sizeof(q));                                                  \
		q.records = q.data = (uint64_t)(uintptr_t)snap_buf;                        \
		q.records_size = (bound + 3) * 128;                                        \
		q.data_size = (bound + 1) * 4096;                                          \
		field_set;                                                                 \
		ok = refused(vm, KCORE_VM_IOC_SNAPSHOT, &q, want, "SNAPSHOT " what) && ok; \
	} while (0)
	SNAP_BAD(q.flags = 1, EINVAL, "with a flag");
	SNAP_BAD(q.reserved0 = 1, EINVAL, "with a reserved word");
	SNAP_BAD(q.reserved[1] = 1, EINVAL, "with reserved[1]");
	SNAP_BAD(q.data = 0, EINVAL, "with records and no data");
	SNAP_BAD((q.records = q.data = 0, q.data_size = 4096), EINVAL, "asking sizes with a size");
	SNAP_BAD(q.records = SNAP_KADDR, EFAULT, "into a kernel address");
	SNAP_BAD(q.data_size = bound * 4096, ERANGE, "into a data buffer a page short");
	if (q.nr_pages != bound || q.nr_vcpus != 1) {
		say_vm("FAIL SNAPSHOT's ERANGE answered %llu pages, %u vCPUs",
		       (unsigned long long)q.nr_pages, q.nr_vcpus);
		ok = false;
	}
#undef SNAP_BAD
	return refused(vm, KCORE_VM_IOC_SNAPSHOT, NULL, EFAULT, "SNAPSHOT with NULL") && ok;
}

static bool restore_bad_requests(int vm, const struct kcore_snapshot *good)
{
	struct kcore_snapshot q;
	bool ok = true;

#define RESTORE_BAD(field_set, want, what)                                               \
	do {                                                                             \
		q = *good;                                                               \
		field_set;                                                               \
		ok = refused(vm, KCORE_VM_IOC_RESTORE, &q, want, "RESTORE " what) && ok; \
	} while (0)
	RESTORE_BAD(q.flags = 1, EINVAL, "with a flag");
	RESTORE_BAD(q.reserved[0] = 1, EINVAL, "with a reserved word");
	RESTORE_BAD(q.nr_vcpus = 2, EINVAL, "of 2 vCPUs into 1");
	RESTORE_BAD(q.vcpus_on = 2, EINVAL, "starting vCPU 1 of 1");
	RESTORE_BAD(q.nr_pages = 0, EINVAL, "of no page");
	RESTORE_BAD(q.nr_pages = (VM_RAM >> 12) + 1, EINVAL, "of more pages than the RAM");
	RESTORE_BAD(q.records_size -= 1, EINVAL, "from records a byte short");
	RESTORE_BAD(q.data_size -= 4096, EINVAL, "from data a page short");
	RESTORE_BAD(q.records = SNAP_KADDR, EFAULT, "from a kernel address");
#undef RESTORE_BAD
	return refused(vm, KCORE_VM_IOC_RESTORE, NULL, EFAULT, "RESTORE with NULL") && ok;
}

/* vm's state (KCORE_VM_IOC_INFO) is want. */
static bool vm_state_is(int vm, uint32_t want, const char *when)
{
	struct kcore_vm_info info = {0};

	if (ioctl(vm, KCORE_VM_IOC_INFO, &info) != 0 || info.state != want) {
		say_vm("FAIL the VM's state %s: %u, not %u", when, info.state, want);
		return false;
	}
	return true;
}

/*
 * Two pages of which only the first is mapped: a copy that reaches the
 * second fails midway (EFAULT), past the module's range checks. NULL if mmap
 * failed.
 */
static unsigned char *half_mapped(void)
{
	unsigned char *p =
	    mmap(NULL, 2ul * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p + 4096, 4096);
	memset(p, 0, 4096);
	return p;
}

/*
 * A snapshot whose data buffer ends after its first page: EFAULT once kcore
 * wrote the second (the module cancels it), and the VM can be snapshotted
 * again (the caller does): nothing was left open in kcore.
 */
static bool snap_half_mapped(int vm, uint64_t bound)
{
	unsigned char *p = half_mapped();
	struct kcore_snapshot q = {.records = (uint64_t)(uintptr_t)snap_buf,
				   .records_size = (bound + 3) * 128,
				   .data = (uint64_t)(uintptr_t)p,
				   .data_size = (bound + 1) * 4096};
	bool ok;

	if (p == NULL || bound < 2) {
		say_vm("FAIL mmap, or %llu pages (2 at least)", (unsigned long long)bound);
		return false;
	}
	ok = refused(vm, KCORE_VM_IOC_SNAPSHOT, &q, EFAULT, "SNAPSHOT into a half-mapped buffer");
	munmap(p, 4096);
	return ok;
}

/*
 * The good snapshot restored from a data buffer whose second page is
 * unmapped: kcore accepted the header and the first page, then EFAULT; the
 * VM is FAILED, never runs, and its teardown (a restore still open in kcore)
 * gives every page back (the caller checks).
 */
static bool restore_half_mapped(int dev, const struct kcore_create_vm *req,
				const struct kcore_snapshot *good)
{
	struct kcore_snapshot q = *good;
	struct kcore_run r;
	unsigned char *p = half_mapped();
	int vm = ioctl(dev, KCORE_IOC_CREATE_VM, req);
	bool ok;

	if (p == NULL || vm < 0) {
		say_vm("FAIL mmap or a VM for the half-mapped restore: %s", strerror(errno));
		if (vm >= 0)
			close(vm);
		return false;
	}
	memcpy(p, (const void *)(uintptr_t)good->data, 4096);
	q.data = (uint64_t)(uintptr_t)p;
	ok = refused(vm, KCORE_VM_IOC_RESTORE, &q, EFAULT, "RESTORE from a half-mapped buffer");
	ok = vm_state_is(vm, KCORE_VM_FAILED, "after a restore's EFAULT") && ok;
	memset(&r, 0, sizeof(r));
	ok = refused(vm, KCORE_VM_IOC_RUN, &r, ESHUTDOWN, "RUN after a restore's EFAULT") && ok;
	close(vm);
	munmap(p, 4096);
	return ok;
}

static bool check_vm_snapshot(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_snapshot q = {0}, snap;
	struct kcore_vm_info info = {0};
	struct kcore_stats st = {0};
	struct kcore_run r;
	unsigned long long exits = 0;
	uint64_t bound;
	bool ok = true;
	int a = ioctl(dev, KCORE_IOC_CREATE_VM, &req), b = -1, c = -1;

	if (a < 0 || ioctl(a, KCORE_VM_IOC_INFO, &info) != 0 ||
	    ioctl(a, KCORE_VM_IOC_SNAPSHOT, &q) != 0) {
		say_vm("FAIL a VM and its snapshot's sizes: %s", strerror(errno));
		if (a >= 0)
			close(a);
		return false;
	}
	bound = q.nr_pages;
	if (bound != info.pages || q.nr_vcpus != 1 || q.vcpus_on != 1 ||
	    (bound + 3) * 128 + (bound + 1) * 4096 > sizeof(snap_buf)) {
		say_vm("FAIL SNAPSHOT's sizes: %llu pages (kcore holds %llu), %u vCPUs, on 0x%x",
		       (unsigned long long)bound, (unsigned long long)info.pages, q.nr_vcpus,
		       q.vcpus_on);
		close(a);
		return false;
	}
	ok = snap_bad_requests(a, bound);
	ok = snap_half_mapped(a, bound) && ok;
	snap = (struct kcore_snapshot){.records = (uint64_t)(uintptr_t)snap_buf,
				       .records_size = (bound + 3) * 128,
				       .data = (uint64_t)(uintptr_t)(snap_buf + (bound + 3) * 128),
				       .data_size = (bound + 1) * 4096};
	if (ioctl(a, KCORE_VM_IOC_SNAPSHOT, &snap) != 0 || snap.nr_pages == 0 ||
	    snap.nr_pages > bound || snap.vcpus_on != 1) {
		say_vm("FAIL SNAPSHOT of a fresh VM: %s, %llu pages", strerror(errno),
		       (unsigned long long)snap.nr_pages);
		close(a);
		return false;
	}
	close(a);
	b = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	ok = b >= 0 && restore_bad_requests(b, &snap) && ok;
	ok = b >= 0 && vm_state_is(b, KCORE_VM_VERIFIED, "after the refused restores") && ok;
	if (b < 0 || ioctl(b, KCORE_VM_IOC_RESTORE, &snap) != 0) {
		say_vm("FAIL RESTORE into a fresh VM: %s", strerror(errno));
		ok = false;
	} else {
		ok = refused(b, KCORE_VM_IOC_RESTORE, &snap, EINVAL, "RESTORE twice") && ok;
		if (!raw_run(dev, b, &st, &exits)) {
			say_vm("FAIL the restored VM did not run to hello and PASS");
			ok = false;
		}
		ok = refused(b, KCORE_VM_IOC_RESTORE, &snap, ESHUTDOWN,
			     "RESTORE after the power-off") &&
		     ok;
		memset(&q, 0, sizeof(q));
		ok = refused(b, KCORE_VM_IOC_SNAPSHOT, &q, ESHUTDOWN,
			     "SNAPSHOT after the power-off") &&
		     ok;
	}
	if (b >= 0)
		close(b);
	ok = restore_half_mapped(dev, &req, &snap) && ok;
	/* The first data page, one byte flipped: kcore's AUTH, the VM FAILED. */
	snap_buf[(bound + 3) * 128 + 100] ^= 0x01;
	c = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	ok = c >= 0 &&
	     refused(c, KCORE_VM_IOC_RESTORE, &snap, EBADMSG, "RESTORE of a flipped byte") && ok;
	ok = c >= 0 && vm_state_is(c, KCORE_VM_FAILED, "after EBADMSG") && ok;
	memset(&r, 0, sizeof(r));
	ok = c >= 0 && refused(c, KCORE_VM_IOC_RUN, &r, ESHUTDOWN, "RUN after EBADMSG") && ok;
	if (c >= 0)
		close(c);
	ok = check_vm_snap_busy(dev, image, size) && ok;
	ok = kmod_holds_nothing(dev, "after the snapshots") && ok;
	if (ok)
		say_vm("snapshots: a fresh VM's %llu pages taken, bad requests refused "
		       "(EINVAL/EFAULT/ERANGE), a buffer unmapped midway EFAULT both ways; "
		       "restored into a new VM that ran to hello and PASS, "
		       "a second restore EINVAL, after the power-off ESHUTDOWN; a flipped byte "
		       "EBADMSG, the VM failed; EBUSY beside a RUN; nothing left",
		       (unsigned long long)snap.nr_pages);
	return ok;
}

/*
 * Attacks from a malicious module (tests/kmod-attack/kcore_attack.c): it
 * loads or stores through Linux's linear map at pages kcore took from a VM.
 * Each attack runs in a child: kcore's abort must oops it away (the child
 * dies of a signal) and nothing else. Then the victim runs to hello and
 * PASS from the image page that was written to, its RAM pages are attacked
 * after the run, kcore's invariants hold before and after, and every page
 * comes back at close.
 */
static bool attack_in_child(int attack_fd, unsigned long cmd, int vm, unsigned int which,
			    unsigned long long index, const char *what)
{
	struct kcore_attack a = {.vm_fd = vm, .which = which, .index = index, .value = 0x5a5a};
	int status = 0;
	pid_t pid = fork();

	if (pid < 0) {
		say_attack("FAIL fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		int ret = ioctl(attack_fd, cmd, &a);

		/* Reached only if kcore let the access through (or there was no page). */
		say_attack("FAIL %s: the access returned (%s), value 0x%llx", what,
			   ret == 0 ? "ok" : strerror(errno), (unsigned long long)a.value);
		_exit(1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status)) {
		say_attack("FAIL %s: the attacker was not stopped (status 0x%x)", what, status);
		return false;
	}
	return true;
}

bool invariants_hold(int attack_fd, const char *when)
{
	struct kcore_attack a = {0};

	if (ioctl(attack_fd, KCORE_ATTACK_INVARIANTS, &a) != 0 || a.value != 0) {
		say_attack("FAIL kcore's invariants %s: %s, %llu violations", when, strerror(errno),
			   (unsigned long long)a.value);
		return false;
	}
	return true;
}

/*
 * Racing ioctls: RACE_THREADS threads at once on one VM, each a mix of RUN of
 * vCPU 0 (with a completion that may not match the pending exit), IRQ to
 * either vCPU, INFO, SNAPSHOT (its sizes or the whole of it), and creating
 * and closing VMs of their own. Every call must end with a defined answer
 * (0, or EBUSY for a vCPU another thread runs or a snapshot claims, EIO for
 * a completion kcore refused, ESHUTDOWN once the guest is off, ENOSPC with
 * kcore's VM table full, ERANGE for a VM larger than the buffer); then nothing may be left, kcore's
 * invariants must hold, and a new VM must run to PASS (kcore intact).
 */
#define RACE_THREADS 4
#define RACE_ROUNDS  200

struct race {
	unsigned long long ok, busy, refused, off, full, range;
	const void *image;
	size_t size;
	const char *bad_op;
	int bad_errno; /* the first answer outside the list, 0 if none */
	int dev, vm, id;
};

static void race_count(struct race *r, int ret, const char *op)
{
	if (ret >= 0)
		r->ok++;
	else if (errno == EBUSY)
		r->busy++;
	else if (errno == EIO)
		r->refused++;
	else if (errno == ESHUTDOWN)
		r->off++;
	else if (errno == ENOSPC)
		r->full++;
	else if (errno == ERANGE)
		r->range++;
	else if (r->bad_errno == 0) {
		r->bad_errno = errno;
		r->bad_op = op;
	}
}

/*
 * A snapshot of the racing VM: its sizes, or the whole of it into race_snap
 * (shared: the threads' snapshots of one VM never overlap, the module claims
 * every vCPU; ERANGE if the VM has more pages than it holds).
 */
#define RACE_SNAP_PAGES 1024u
static unsigned char race_snap[(RACE_SNAP_PAGES + 4) * (4096 + 128)];

static void race_snapshot(struct race *r, bool whole)
{
	struct kcore_snapshot q = {0};

	if (whole) {
		q.records = (uint64_t)(uintptr_t)race_snap;
		q.records_size = (RACE_SNAP_PAGES + 4ull) * 128;
		q.data = q.records + q.records_size;
		q.data_size = (RACE_SNAP_PAGES + 2ull) * 4096;
	}
	race_count(r, ioctl(r->vm, KCORE_VM_IOC_SNAPSHOT, &q),
		   whole ? "SNAPSHOT" : "SNAPSHOT sizes");
}

static void *race_thread(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct kcore_run run;
		struct kcore_irq irq = {.vcpu = (unsigned)(i & 1), .intid = 33};
		struct kcore_vm_info info;
		struct kcore_create_vm req = vm_request(r->image, r->size);
		int fd;

		switch ((i + r->id) % 4) {
		case 0:
		case 1:
			memset(&run, 0, sizeof(run));
			run.run.in.flags = (i & 2) != 0 ? KC_RUN_MMIO_DONE : KC_RUN_CALL_DONE;
			race_count(r, ioctl(r->vm, KCORE_VM_IOC_RUN, &run), "RUN");
			break;
		case 2:
			race_count(r, ioctl(r->vm, KCORE_VM_IOC_IRQ, &irq), "IRQ");
			race_count(r, ioctl(r->vm, KCORE_VM_IOC_INFO, &info), "INFO");
			race_snapshot(r, (i & 4) != 0);
			break;
		default:
			fd = ioctl(r->dev, KCORE_IOC_CREATE_VM, &req);
			race_count(r, fd, "CREATE_VM");
			if (fd >= 0)
				close(fd);
			break;
		}
	}
	return NULL;
}

static bool check_races(int dev, int attack_fd, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct race r[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	struct kcore_stats st = {0};
	unsigned long long ok = 0, busy = 0, refused = 0, off = 0, full = 0, range = 0, exits = 0;
	bool good = true;
	int vm;

	req.nr_vcpus = 2;
	vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	if (vm < 0) {
		say_attack("FAIL KCORE_IOC_CREATE_VM for the races: %s", strerror(errno));
		return false;
	}
	for (int i = 0; i < RACE_THREADS; i++) {
		r[i] = (struct race){.image = image, .size = size, .dev = dev, .vm = vm, .id = i};
		if (pthread_create(&t[i], NULL, race_thread, &r[i]) != 0) {
			say_attack("FAIL pthread_create");
			close(vm);
			return false;
		}
	}
	for (int i = 0; i < RACE_THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		busy += r[i].busy;
		refused += r[i].refused;
		off += r[i].off;
		full += r[i].full;
		range += r[i].range;
		if (r[i].bad_errno != 0) {
			say_attack("FAIL racing %s: %s, not a defined answer", r[i].bad_op,
				   strerror(r[i].bad_errno));
			good = false;
		}
	}
	close(vm);
	good = invariants_hold(attack_fd, "after the races") && good;
	good = kmod_holds_nothing(dev, "after the races") && good;
	req.nr_vcpus = 1;
	vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	if (vm < 0 || !raw_run(dev, vm, &st, &exits)) {
		say_attack("FAIL a new VM after the races did not run to hello and PASS");
		good = false;
	}
	if (vm >= 0)
		close(vm);
	good = kmod_holds_nothing(dev, "after the run after the races") && good;
	if (good)
		say_attack("%d threads racing RUN, IRQ, INFO, SNAPSHOT and CREATE_VM on one VM: "
			   "%llu ok, %llu EBUSY, %llu EIO, %llu ESHUTDOWN, %llu ENOSPC, %llu "
			   "ERANGE, nothing else; invariants hold, nothing left, a new VM runs to "
			   "PASS",
			   RACE_THREADS, ok, busy, refused, off, full, range);
	return good;
}

/*
 * DMA from a PCI device under the Linux host (docs/linux-host.md, "Host
 * DMA"): QEMU's edu device (the test adds `-device edu,dma_mask=...`; no
 * Linux driver binds it), driven from user space through sysfs as a root
 * attacker can: memory decoding and bus mastering on, its registers through
 * BAR 0, physical addresses of this process's pages from /proc/self/pagemap.
 * First the mirror must let it work: host page A to the device's buffer and
 * back into host page B, B == A. Then the attack, at the VM's first image
 * page (its address from the malicious module): a read of it into the
 * buffer must fail (the buffer, copied out to a host page, holds A or the
 * zeros QEMU reads for a refused DMA, never the page's bytes),
 * and a write of the buffer into it must fail too: the victim then runs to
 * PASS from that page, and kcore's invariants hold.
 */
#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_DMA_SRC    0x80
#define EDU_DMA_DST    0x88
#define EDU_DMA_CNT    0x90
#define EDU_DMA_CMD    0x98
#define EDU_DMA_GO     1u
#define EDU_DMA_TO_RAM 2u /* direction: the device's buffer to RAM */
#define EDU_BUF	       0x40000ull
#define PCI_DEVICES    "/sys/bus/pci/devices"
#define PAT_A	       0xa5a5a5a55a5a5a5aull
/* Half the device's 4 KiB buffer: QEMU 7.2's edu refuses a transfer that ends at the
 * buffer's end (an off-by-one in its range check, fatal to QEMU), as kserv/edu.c knows. */
#define EDU_XFER       2048u

/* The edu device's sysfs directory in dir; false if there is none. */
static bool find_edu(char *dir, size_t size)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	char path[300], text[32];
	bool found = false;

	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
		if (!read_text(path, text, sizeof(text)) || strtoul(text, NULL, 16) != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", e->d_name);
		if (read_text(path, text, sizeof(text)) && strtoul(text, NULL, 16) == EDU_DEVICE) {
			snprintf(dir, size, PCI_DEVICES "/%s", e->d_name);
			found = true;
		}
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Memory decoding and bus mastering on; BAR 0 mapped; NULL (and why) if not. */
static volatile uint64_t *edu_open(const char *dir)
{
	char path[340];
	unsigned short cmd = 0;
	void *regs;
	int fd;

	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		say_attack("FAIL enabling %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2) {
		say_attack("FAIL reading %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	cmd |= 0x6; /* PCI_COMMAND: memory space, bus master */
	if (pwrite(fd, &cmd, 2, 4) != 2) {
		say_attack("FAIL writing %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	regs = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	if (regs == MAP_FAILED) {
		say_attack("FAIL mapping %s: %s", path, strerror(errno));
		return NULL;
	}
	return regs;
}

/* One transfer of EDU_XFER bytes; false if the device did not finish within 5 s. */
static bool edu_dma(volatile uint64_t *regs, uint64_t src, uint64_t dst, bool to_ram)
{
	regs[EDU_DMA_SRC / 8] = src;
	regs[EDU_DMA_DST / 8] = dst;
	regs[EDU_DMA_CNT / 8] = EDU_XFER;
	regs[EDU_DMA_CMD / 8] = EDU_DMA_GO | (to_ram ? EDU_DMA_TO_RAM : 0);
	for (int i = 0; i < 500; i++) {
		if ((regs[EDU_DMA_CMD / 8] & EDU_DMA_GO) == 0)
			return true;
		usleep(10000);
	}
	say_attack("FAIL the edu device's DMA did not finish");
	return false;
}

/* A locked page of this process and its physical address (root reads PFNs in pagemap). */
static uint64_t *locked_page(uint64_t *pa)
{
	uint64_t *p = NULL, entry = 0;
	int fd;

	if (posix_memalign((void **)&p, 4096, 4096) != 0)
		return NULL;
	memset(p, 0, 4096);
	if (mlock(p, 4096) != 0) {
		free(p);
		return NULL;
	}
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &entry, 8, (off_t)((uintptr_t)p / 4096 * 8)) != 8 ||
	    (entry >> 63) == 0) {
		if (fd >= 0)
			close(fd);
		free(p);
		return NULL;
	}
	close(fd);
	*pa = (entry & ((1ull << 55) - 1)) * 4096;
	return p;
}

/* The first EDU_XFER bytes of p are all v. */
static bool all_words(const uint64_t *p, uint64_t v)
{
	for (unsigned i = 0; i < EDU_XFER / 8; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static bool check_dma(int dev, int attack_fd, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_attack a = {.which = 0, .index = 0};
	struct kcore_stats st = {0};
	unsigned long long exits = 0;
	char dir[300];
	volatile uint64_t *regs;
	uint64_t pa_a = 0, pa_b = 0, pa_c = 0, *pa, *pb, *pc;
	bool ok = true;
	int vm;

	if (!find_edu(dir, sizeof(dir))) {
		say_attack("FAIL no edu device in " PCI_DEVICES " (the test gives QEMU one)");
		return false;
	}
	regs = edu_open(dir);
	pa = locked_page(&pa_a);
	pb = locked_page(&pa_b);
	pc = locked_page(&pa_c);
	if (regs == NULL || pa == NULL || pb == NULL || pc == NULL) {
		say_attack("FAIL setting up the edu device or host pages for DMA");
		return false;
	}
	for (int i = 0; i < 512; i++)
		pa[i] = PAT_A;
	/* Through the mirror: the host's own pages, both ways. */
	if (!edu_dma(regs, pa_a, EDU_BUF, false) || !edu_dma(regs, EDU_BUF, pa_b, true))
		return false;
	if (!all_words(pb, PAT_A)) {
		say_attack("FAIL DMA between host pages through the mirror: page B holds 0x%llx",
			   (unsigned long long)pb[0]);
		return false;
	}
	vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	a.vm_fd = vm;
	if (vm < 0 || ioctl(attack_fd, KCORE_ATTACK_PA, &a) != 0) {
		say_attack("FAIL a VM and its image page's address: %s", strerror(errno));
		if (vm >= 0)
			close(vm);
		return false;
	}
	/* The attack: the VM's page into the device, then the device's buffer out to page C. */
	ok = edu_dma(regs, a.value, EDU_BUF, false) && edu_dma(regs, EDU_BUF, pa_c, true);
	/*
	 * Refused, the read leaves the buffer as it was (A) or, as QEMU fills a
	 * failed DMA read, zero; never the page's bytes (the image's first ones).
	 */
	if (ok &&
	    ((!all_words(pc, PAT_A) && !all_words(pc, 0)) || memcmp(pc, image, EDU_XFER) == 0)) {
		say_attack("FAIL a DMA read of the VM's page at %llx reached the device (its "
			   "buffer now begins 0x%llx)",
			   (unsigned long long)a.value, (unsigned long long)pc[0]);
		ok = false;
	}
	/* And into it: the victim must still run from that page. */
	ok = ok && edu_dma(regs, EDU_BUF, a.value, true);
	if (ok && !raw_run(dev, vm, &st, &exits)) {
		say_attack("FAIL the victim did not run to hello and PASS after the DMA attack");
		ok = false;
	}
	close(vm);
	ok = invariants_hold(attack_fd, "after the DMA attack") && ok;
	ok = kmod_holds_nothing(dev, "after the DMA attack") && ok;
	if (ok)
		say_attack(
		    "edu DMA: host page to host page through kcore's DMA mirror ok; a read "
		    "and a write of the VM's image page at %llx refused (nothing of the page "
		    "reached the device, the victim ran to PASS), invariants hold",
		    (unsigned long long)a.value);
	return ok;
}

/*
 * /proc/kcore, the kernel's ELF view of memory, reads RAM through the
 * linear map, so root reading it at a page kcore holds makes the kernel
 * touch that page. It must give zeros and nothing may oops: kcore.ko marks
 * the page PageOffline, which read_kcore skips, and below that the read is
 * a nofault copy (docs/linux-host.md, "Pages given to kcore"). Reads the
 * page at pa into out (4 KiB) through the RAM segment that holds it; false
 * (and why) if there is none or the read fails.
 */
static bool proc_kcore_page(uint64_t pa, uint64_t *out)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool ok = false;
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh)) {
		say_attack("FAIL reading /proc/kcore's ELF header: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	for (unsigned i = 0; i < eh.e_phnum && !ok; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || ph.p_paddr == (Elf64_Addr)-1 || pa < ph.p_paddr ||
		    pa - ph.p_paddr >= ph.p_memsz)
			continue;
		ok = pread(fd, out, 4096, (off_t)(ph.p_offset + (pa - ph.p_paddr))) == 4096;
		if (!ok)
			say_attack("FAIL reading /proc/kcore at %llx: %s", (unsigned long long)pa,
				   strerror(errno));
		close(fd);
		return ok;
	}
	close(fd);
	say_attack("FAIL no RAM segment of /proc/kcore holds %llx", (unsigned long long)pa);
	return false;
}

/* Root reads the VM's image page through /proc/kcore: zeros, and no oops. */
static bool check_proc_kcore(int attack_fd, int vm)
{
	static uint64_t page[512];
	struct kcore_attack a = {.vm_fd = vm, .which = 0, .index = 0};

	if (ioctl(attack_fd, KCORE_ATTACK_PA, &a) != 0) {
		say_attack("FAIL the VM's image page's address: %s", strerror(errno));
		return false;
	}
	/* The reading itself, on a page of this process's with a known pattern: it must show it. */
	uint64_t pa_own = 0, *own = locked_page(&pa_own);

	if (own == NULL) {
		say_attack("FAIL a locked page for the /proc/kcore check");
		return false;
	}
	for (int i = 0; i < 512; i++)
		own[i] = PAT_A;
	memset(page, 0, sizeof(page));
	if (!proc_kcore_page(pa_own, page))
		return false;
	if (!all_words(page, PAT_A)) {
		say_attack(
		    "FAIL /proc/kcore at this process's page %llx gave 0x%llx, not its pattern",
		    (unsigned long long)pa_own, (unsigned long long)page[0]);
		return false;
	}
	memset(page, 0x77, sizeof(page));
	if (!proc_kcore_page(a.value, page))
		return false;
	if (!all_words(page, 0) || !all_words(page + 256, 0)) {
		say_attack("FAIL /proc/kcore at the VM's page %llx gave 0x%llx, not zeros",
			   (unsigned long long)a.value, (unsigned long long)page[0]);
		return false;
	}
	say_attack("/proc/kcore at this process's page: its pattern; at the VM's image page %llx: "
		   "zeros, no oops",
		   (unsigned long long)a.value);
	return true;
}

static bool check_attacks(int dev, const void *image, size_t size)
{
	struct kcore_create_vm req = vm_request(image, size);
	struct kcore_stats st = {0};
	unsigned long long exits = 0, last = (size - 1) / 4096;
	bool ok = true;
	int attack_fd, vm, ret = load_module(KATTACK_PATH);

	if (ret != 0) {
		say_attack("FAIL finit_module(" KATTACK_PATH "): %s", strerror(-ret));
		return false;
	}
	attack_fd = open(KATTACK_DEV, O_RDWR | O_CLOEXEC);
	if (attack_fd < 0) {
		say_attack("FAIL open " KATTACK_DEV ": %s", strerror(errno));
		return false;
	}
	vm = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	if (vm < 0) {
		say_attack("FAIL KCORE_IOC_CREATE_VM: %s", strerror(errno));
		close(attack_fd);
		return false;
	}
	ok = invariants_hold(attack_fd, "before") && ok;
	ok = check_proc_kcore(attack_fd, vm) && ok;
	ok = attack_in_child(attack_fd, KCORE_ATTACK_READ, vm, 0, 0,
			     "read the image's first page") &&
	     ok;
	ok = attack_in_child(attack_fd, KCORE_ATTACK_WRITE, vm, 0, 0,
			     "write the image's first page") &&
	     ok;
	ok = attack_in_child(attack_fd, KCORE_ATTACK_WRITE, vm, 0, last,
			     "write the image's last page") &&
	     ok;
	if (!raw_run(dev, vm, &st, &exits)) {
		say_attack("FAIL the victim did not run to hello and PASS after the attacks");
		ok = false;
	}
	ok = attack_in_child(attack_fd, KCORE_ATTACK_READ, vm, 2, 0,
			     "read a RAM page the guest wrote") &&
	     ok;
	ok = attack_in_child(attack_fd, KCORE_ATTACK_WRITE, vm, 2, 0,
			     "write a RAM page the guest wrote") &&
	     ok;
	ok = invariants_hold(attack_fd, "after") && ok;
	close(vm);
	ok = kmod_holds_nothing(dev, "after the attacks") && ok;
	ok = check_races(dev, attack_fd, image, size) && ok;
	ok = check_dma(dev, attack_fd, image, size) && ok;
	close(attack_fd);
	if (ok)
		say_attack(
		    "a module reading and writing the VM's image and RAM pages through the "
		    "linear map: 5 attackers oopsed away, the victim ran to PASS, invariants "
		    "0 before and after, every page back");
	return ok;
}

static bool check_kmod_vms(void)
{
	unsigned char *image = NULL;
	size_t size = 0;
	struct stat stbuf;
	bool ok = true;
	int fd = open(VM_IMAGE, O_RDONLY | O_CLOEXEC), dev;

	if (fd < 0 || fstat(fd, &stbuf) != 0 || stbuf.st_size <= 256) {
		say_vm("FAIL " VM_IMAGE ": %s", fd < 0 ? strerror(errno) : "too small");
		if (fd >= 0)
			close(fd);
		return false;
	}
	size = (size_t)stbuf.st_size;
	image = malloc(size);
	if (image == NULL || read(fd, image, size) != (ssize_t)size) {
		say_vm("FAIL reading " VM_IMAGE);
		close(fd);
		free(image);
		return false;
	}
	close(fd);
	dev = open(KCORE_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		say_vm("FAIL open " KCORE_DEV ": %s", strerror(errno));
		free(image);
		return false;
	}
	ok = kmod_holds_nothing(dev, "before any VM") && ok;
	ok = check_vm_good(dev, image, size) && ok;
	ok = check_vm_tampered(dev, image, size) && ok;
	ok = check_vm_bad_args(dev, image, size) && ok;
	ok = check_vm_many(dev, image, size) && ok;
	ok = check_vm_cycles(dev, image, size) && ok;
	ok = check_vm_run(dev, image, size) && ok;
	ok = check_vm_snapshot(dev, image, size) && ok;
	ok = check_attacks(dev, image, size) && ok;
	close(dev);
	free(image);
	if (ok)
		say_vm("ok");
	return ok;
}

/* Unload and load again: refused while /dev/kcore is open, then done; the module answers again. */
static bool check_kmod_reload(void)
{
	struct kcore_version v;
	int fd, ret;

	ret = load_kmod();
	if (ret != -EEXIST) {
		say_kmod("FAIL loading it a second time: %s, not EEXIST", strerror(-ret));
		return false;
	}
	fd = open(KCORE_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say_kmod("FAIL open " KCORE_DEV ": %s", strerror(errno));
		return false;
	}
	errno = 0;
	ret = (int)syscall(SYS_delete_module, KMOD_NAME, O_NONBLOCK);
	if (ret == 0 || errno != EWOULDBLOCK) {
		say_kmod("FAIL unloading it while " KCORE_DEV " is open: %s",
			 ret == 0 ? "done" : strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	if (syscall(SYS_delete_module, KMOD_NAME, O_NONBLOCK) != 0) {
		say_kmod("FAIL unloading it: %s", strerror(errno));
		return false;
	}
	if (access(KCORE_DEV, F_OK) == 0) {
		say_kmod("FAIL " KCORE_DEV " is still there after the unload");
		return false;
	}
	ret = load_kmod();
	if (ret != 0) {
		say_kmod("FAIL loading it again: %s", strerror(-ret));
		return false;
	}
	if (kmod_version(&v) != 0)
		return false;
	say_kmod("unload refused while open, ok when closed; loaded again: kcore ABI %u.%u",
		 v.abi_major, v.abi_minor);
	return true;
}

/*
 * kcore-vmm (hostvmm/, docs/linux-host.md "The VMM: kcore-vmm"), run as a
 * child the way a user would: its stdout and stderr into a pipe this init
 * reads (each line echoed as "KCORE-HOST: vmm: | ..."), killed after
 * VMM_TIMEOUT_S. The hello guest on 1 vCPU and on 2 (vCPU 1 is never
 * started: its thread sleeps in the run ioctl until kcore-vmm kicks it out
 * at the power-off), the smp guest on 4 (PSCI CPU_ON), each must print its
 * lines and PASS and end with "VM <name> powered off" and exit status 0;
 * then runs that must fail with kcore-vmm's documented statuses (a missing
 * file, --cpus 0, an image with a flipped byte that kcore refuses). After
 * each, the module must hold nothing: kcore-vmm's exit closed the VM.
 */
#define PWROFF_ROUNDS "300"

void say_vmm(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(VMM_TAG, fmt, ap);
	va_end(ap);
}

/*
 * Echoes the complete lines of out[*from, len), handing each to the hook if
 * there is one, and moves *from past them.
 */
static void echo_lines(const char *out, size_t len, size_t *from, const struct vmm_hook *hook,
		       pid_t pid)
{
	for (size_t i = *from; i < len; i++) {
		if (out[i] != '\n')
			continue;
		say_vmm("| %.*s", (int)(i - *from), out + *from);
		if (hook != NULL)
			hook->line(hook->ctx, pid, out + *from, i - *from);
		*from = i + 1;
	}
}

long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Runs kcore-vmm with argv (argv[0] is VMM_PATH) and collects its output in
 * out (NUL-terminated, the first size - 1 bytes), killed after timeout_s. Its exit status, or -1
 * when it did not exit by itself (a signal, the timeout: said why).
 */
int run_vmm_hooked(char *const argv[], char *out, size_t size, int timeout_s,
		   const struct vmm_hook *hook)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	size_t len = 0, echoed = 0;
	bool timed_out = false;
	int fds[2], status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		say_vmm("FAIL pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say_vmm("FAIL fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1); /* dup2's copies are not close-on-exec */
		dup2(fds[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		long long left = deadline - now_ms();
		char sink[256];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (p.revents == 0)
			continue;
		/* Past size - 1 bytes the rest is read and dropped: the child never blocks on us.
		 */
		n = len + 1 < size ? read(fds[0], out + len, size - 1 - len)
				   : read(fds[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size) {
			len += (size_t)n;
			echo_lines(out, len, &echoed, hook, pid);
		}
	}
	close(fds[0]);
	out[len] = '\0';
	if (echoed < len)
		say_vmm("| %s", out + echoed);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		say_vmm("FAIL %s did not exit within %d s: killed", argv[0], timeout_s);
		return -1;
	}
	if (!WIFEXITED(status)) {
		say_vmm("FAIL %s was killed by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

static int run_vmm(char *const argv[], char *out, size_t size, int timeout_s)
{
	return run_vmm_hooked(argv, out, size, timeout_s, NULL);
}

bool vmm_guest_run_hooked(int dev, char *const argv[], const char *const want[], const char *what,
			  int timeout_s, const struct vmm_hook *hook)
{
	static char out[VMM_OUT_MAX];
	int status = run_vmm_hooked(argv, out, sizeof(out), timeout_s, hook);
	bool ok = status == VMM_EXIT_OK;

	if (status > 0)
		say_vmm("FAIL %s: exit status %d, not 0", what, status);
	for (int i = 0; ok && want[i] != NULL; i++) {
		if (strstr(out, want[i]) == NULL) {
			say_vmm("FAIL %s: no \"%s\" in its output", what, want[i]);
			ok = false;
		}
	}
	return (dev < 0 || kmod_holds_nothing(dev, what)) && ok;
}

/* A guest run: exit status 0, and every line of want[] (NULL-ended) in its output. */
static bool vmm_guest_run(int dev, char *const argv[], const char *const want[], const char *what,
			  int timeout_s)
{
	return vmm_guest_run_hooked(dev, argv, want, what, timeout_s, NULL);
}

/* A run that must fail with status want (and say so with match in its output). */
static bool vmm_bad_run(int dev, char *const argv[], int want, const char *match, const char *what)
{
	static char out[VMM_OUT_MAX];
	int status = run_vmm(argv, out, sizeof(out), VMM_TIMEOUT_S);
	bool ok = status == want && strstr(out, match) != NULL;

	if (!ok)
		say_vmm("FAIL %s: exit status %d (want %d), \"%s\" %s in its output", what, status,
			want, match, strstr(out, match) != NULL ? "is" : "is not");
	return kmod_holds_nothing(dev, what) && ok;
}

/* VM_IMAGE with one payload byte flipped, at VMM_TAMPERED. */
static bool write_tampered(void)
{
	static unsigned char buf[1 << 20];
	int in = open(VM_IMAGE, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = in >= 0 ? read(in, buf, sizeof(buf)) : -1;

	if (in >= 0)
		close(in);
	if (n <= 256 || n == (ssize_t)sizeof(buf)) {
		say_vmm("FAIL reading " VM_IMAGE);
		return false;
	}
	buf[(n - 256) / 2] ^= 0x01;
	out = open(VMM_TAMPERED, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, buf, (size_t)n) != n) {
		say_vmm("FAIL writing " VMM_TAMPERED ": %s", strerror(errno));
		if (out >= 0)
			close(out);
		return false;
	}
	close(out);
	return true;
}

/*
 * With kcore.vmm_linux=1 on the host's command line (the test asks for it in
 * one of its runs: minutes in QEMU): Debian's kernel and guests/linux-init's
 * initramfs, signed by the build, as a guest of this host on 1 and on 2
 * vCPUs, as kserv runs them (docs/guests.md, "Linux"). The guest's init must
 * say ok with every vCPU online, and kcore-vmm exit 0 at its power-off.
 */
#define VMM_LINUX_PARAM "kcore.vmm_linux=1"

/* Whether the host's command line holds word (a whole word). */
bool cmdline_has(const char *word)
{
	char cmdline[4096];
	size_t n = strlen(word);
	const char *p;

	if (!read_text("/proc/cmdline", cmdline, sizeof(cmdline)))
		return false;
	for (p = strstr(cmdline, word); p != NULL; p = strstr(p + 1, word)) {
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	}
	return false;
}

static bool vmm_linux_wanted(void)
{
	return cmdline_has(VMM_LINUX_PARAM);
}

/*
 * Debian's kernel as a guest named name on cpus vCPUs; dev -1: another guest
 * may be running meanwhile, so the module's counts are not checked here.
 */
static bool vmm_linux_run(int dev, char *cpus, char *name)
{
	char bootargs[64], verdict[96], off[64], what[48];
	char *const argv[] = {
	    VMM_PATH, "--image",   "/linux.signed", "--initrd", "/linux-initramfs.signed",
	    "--mem",  "256M",	   "--cpus",	    cpus,	"--name",
	    name,     "--cmdline", bootargs,	    NULL};
	char hotplug[96];
	/* On 2 vCPUs the guest's init also takes cpu 1 off and on (PSCI CPU_OFF, CPU_ON). */
	const char *const want[] = {verdict, off, strcmp(cpus, "2") == 0 ? hotplug : NULL, NULL};

	snprintf(bootargs, sizeof(bootargs), "console=ttyAMA0 kcore.expect_cpus=%s", cpus);
	snprintf(verdict, sizeof(verdict), "[%s] KCORE-LINUX-INIT: ok cpus=%s mem=", name, cpus);
	snprintf(off, sizeof(off), "kcore-vmm: VM %s powered off\n", name);
	snprintf(hotplug, sizeof(hotplug),
		 "[%s] KCORE-LINUX-INIT: hotplug: cpu 1 off and on 3 times\n", name);
	snprintf(what, sizeof(what), "Linux %s on %s vCPU(s)", name, cpus);
	return vmm_guest_run(dev, argv, want, what, VMM_LINUX_TIMEOUT_S);
}

static bool check_vmm_linux(int dev, char *cpus)
{
	char name[] = "linux";

	if (!vmm_linux_run(dev, cpus, name))
		return false;
	say_vmm("Debian's kernel on %s vCPU(s), 256 MiB: its init ok cpus=%s%s, powered off, exit "
		"status 0",
		cpus, cpus, strcmp(cpus, "2") == 0 ? ", cpu 1 off and on 3 times" : "");
	return true;
}

/* Two Linux guests at once, each from its own kcore-vmm (a child of this init runs the second). */
static bool check_vmm_two_linux(int dev)
{
	char one[] = "1", a[] = "linux-a", b[] = "linux-b";
	int status = 0;
	pid_t pid = fork();
	bool ok;

	if (pid == 0)
		_exit(vmm_linux_run(-1, one, b) ? 0 : 1);
	ok = pid > 0 && vmm_linux_run(-1, one, a);
	if (pid > 0 &&
	    (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ok = false;
	ok = kmod_holds_nothing(dev, "after two Linux guests at once") && ok;
	if (ok)
		say_vmm("two Debian guests at once (linux-a, linux-b; 1 vCPU, 256 MiB each): both "
			"init ok, powered off, exit status 0, nothing left");
	else
		say_vmm("FAIL two Linux guests at once");
	return ok;
}

/*
 * The pwroff guest (guests/pwroff.c), as qemu_sched.sh runs it under kserv:
 * "fair" on 2 vCPUs, vCPU 1 spinning forever without an exit while vCPU 0
 * works and makes host calls: on a 1-CPU host it finishes only if the
 * host's own timer still ends the spinning vCPU's runs (kcore's CNTHP
 * backing of the host's virtual timer) so that Linux can schedule the other
 * vCPU's thread, and none of its KC_BENCH_NOP calls may reach kcore-vmm
 * (kcore.ko answers them); then on 4 vCPUs, vCPU 0 powers off while 1 and 3 spin and
 * 2 waits in WFE: kcore-vmm must stop them all.
 */
static bool check_vmm_pwroff(int dev)
{
	static char fair_arg[] = "fair=" PWROFF_ROUNDS;
	char *const fair[] = {VMM_PATH, "--image", "/pwroff.signed", "--mem",  "16M",
			      "--cpus", "2",	   "--cmdline",	     fair_arg, NULL};
	char *const four[] = {VMM_PATH, "--image", "/pwroff.signed", "--mem", "16M", "--cpus",
			      "4",	NULL};
	/* kcore.ko answers the null calls in the kernel: none reaches kcore-vmm. */
	static const char fair_pass[] =
	    "[pwroff] GUEST pwroff: PASS " PWROFF_ROUNDS " rounds of work (" PWROFF_ROUNDS
	    " host calls, 0 seen by the VMM)";
	const char *const fair_lines[] = {fair_pass, "kcore-vmm: VM pwroff powered off\n", NULL};
	const char *const four_lines[] = {"[pwroff] GUEST pwroff: vCPU 3 up, spinning (no exits)",
					  "kcore-vmm: VM pwroff powered off\n", NULL};
	bool ok = vmm_guest_run(dev, fair, fair_lines, "pwroff fair", VMM_TIMEOUT_S);

	ok = vmm_guest_run(dev, four, four_lines, "pwroff on 4 vCPUs", VMM_TIMEOUT_S) && ok;
	if (ok)
		say_vmm(
		    "/pwroff.signed: fair=" PWROFF_ROUNDS " on 2 vCPUs (vCPU 1 spins without "
		    "exits) PASS; on 4 vCPUs, spinning and WFE siblings stopped at the power-off");
	return ok;
}

/* A 1 MiB disk for kcore-vmm --disk (the initramfs is writable; check_vmm names it too). */
#define VMM_DISK "/vmdisk.img"

static bool write_disk(void)
{
	static char zero[4096];
	int fd = open(VMM_DISK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0;

	for (int i = 0; i < 256 && ok; i++)
		ok = write(fd, zero, sizeof(zero)) == (ssize_t)sizeof(zero);
	if (fd >= 0)
		ok = close(fd) == 0 && ok;
	if (!ok)
		say_vmm("FAIL writing " VMM_DISK ": %s", strerror(errno));
	return ok;
}

/*
 * Snapshots through kcore-vmm (docs/linux-host.md, "Snapshots"): snapguest
 * (guests/snapguest.c) asks for one halfway through its computation;
 * --snapshot-to saves it and the guest powers off. The file must start with
 * the format's magic and hold none of the guest's secret values (its memory
 * secret and x19..x22 markers, either byte order). A new VM --restore-from
 * the file must go on from the call and reach the restored copy's PASS. The
 * file with one byte flipped in the first data page, in the first PAGE record
 * and in the header must be refused by kcore (EBADMSG, status 4) with nothing
 * left in the module, as must the file restored into a VM of another image
 * (hello: another measurement); a file that is not a snapshot, or the file
 * for a VM of 2 vCPUs, by kcore-vmm itself (status 4). The same guest on 2
 * vCPUs is saved and restored to its PASS. kcore's invariants hold after
 * them all.
 */
#define SNAP_FILE    "/tmp/snapguest.kcs"
#define SNAP_FILE2   "/tmp/snapguest2.kcs"
#define SNAP_BAD     "/tmp/snapguest-bad.kcs"
#define SNAP_HDR     4096u
#define SNAP_RECORDS 32u /* the file header's records_size, a u64 */

/* The snapshot file in snap_buf; its length, or 0 (said why). */
static size_t snap_read(void)
{
	int fd = open(SNAP_FILE, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, snap_buf, sizeof(snap_buf)) : -1;

	if (fd >= 0)
		close(fd);
	if (n < (ssize_t)SNAP_HDR || n == (ssize_t)sizeof(snap_buf)) {
		say_vmm("FAIL reading " SNAP_FILE ": %zd bytes", n);
		return 0;
	}
	return (size_t)n;
}

/* Whether the 8 bytes of v (little- or big-endian) are anywhere in buf. */
static bool holds_value(const unsigned char *buf, size_t len, uint64_t v)
{
	unsigned char le[8], be[8];

	for (int i = 0; i < 8; i++) {
		le[i] = (unsigned char)(v >> (8 * i));
		be[7 - i] = le[i];
	}
	return memmem(buf, len, le, 8) != NULL || memmem(buf, len, be, 8) != NULL;
}

/* The file is a snapshot file and holds no secret value in clear. */
static bool snap_file_clean(size_t len)
{
	unsigned found = 0;

	if (memcmp(snap_buf, "KCSNAPF1", 8) != 0) {
		say_vmm("FAIL " SNAP_FILE " does not start with KCSNAPF1");
		return false;
	}
	for (uint64_t a = KC_TEST_SECRET_IPA; a < KC_TEST_SECRET_IPA + 32; a += 8)
		found += holds_value(snap_buf, len, kc_test_secret_word(a));
	for (uint32_t n = 19; n <= 22; n++)
		found += holds_value(snap_buf, len, kc_test_secret_reg(n));
	if (found != 0)
		say_vmm("FAIL " SNAP_FILE " holds %u of snapguest's 8 secret values in clear",
			found);
	return found == 0;
}

/* snap_buf with the byte at off flipped, as SNAP_BAD. */
static bool snap_write_flipped(size_t len, size_t off)
{
	int fd = open(SNAP_BAD, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok;

	snap_buf[off] ^= 0x01;
	ok = fd >= 0 && write(fd, snap_buf, len) == (ssize_t)len;
	snap_buf[off] ^= 0x01;
	if (fd >= 0)
		close(fd);
	if (!ok)
		say_vmm("FAIL writing " SNAP_BAD ": %s", strerror(errno));
	return ok;
}

static bool snap_tampered(int dev, size_t len, size_t off, const char *what)
{
	char *const argv[] = {VMM_PATH, "--image", "/snapguest.signed",
			      "--mem",	"16M",	   "--restore-from",
			      SNAP_BAD, NULL};

	return snap_write_flipped(len, off) &&
	       vmm_bad_run(dev, argv, VMM_EXIT_KCORE, "KCORE_VM_IOC_RESTORE: EBADMSG: ", what);
}

/*
 * On 2 vCPUs (vCPU 1 never started: its thread asleep in RUN is kicked out
 * and parked for the snapshot, and the restored copy's vCPU 1 waits again).
 */
static bool check_vmm_snapshot_2cpus(int dev)
{
	char *const save[] = {VMM_PATH, "--image", "/snapguest.signed", "--mem",    "16M",
			      "--cpus", "2",	   "--snapshot-to",	SNAP_FILE2, NULL};
	char *const restore[] = {VMM_PATH, "--image", "/snapguest.signed", "--mem",    "16M",
				 "--cpus", "2",	      "--restore-from",	   SNAP_FILE2, NULL};
	const char *const save_lines[] = {
	    "[snapguest] GUEST snapguest: snapshot saved by the host, stopping",
	    "kcore-vmm: VM snapguest: snapshot saved to " SNAP_FILE2 ": ", NULL};
	const char *const restore_lines[] = {
	    "[snapguest] GUEST snapguest: PASS secret, registers and computation intact "
	    "(restored copy)",
	    "kcore-vmm: VM snapguest powered off\n", NULL};

	return vmm_guest_run(dev, save, save_lines, "snapguest on 2 vCPUs --snapshot-to",
			     VMM_TIMEOUT_S) &&
	       vmm_guest_run(dev, restore, restore_lines, "snapguest on 2 vCPUs --restore-from",
			     VMM_TIMEOUT_S);
}

static bool check_vmm_snapshot(int dev)
{
	char *const save[] = {VMM_PATH, "--image",	 "/snapguest.signed", "--mem",
			      "16M",	"--snapshot-to", SNAP_FILE,	      NULL};
	char *const restore[] = {VMM_PATH, "--image",	     "/snapguest.signed", "--mem",
				 "16M",	   "--restore-from", SNAP_FILE,		  NULL};
	char *const garbage[] = {VMM_PATH, "--image",	     "/snapguest.signed", "--mem",
				 "16M",	   "--restore-from", "/snapguest.signed", NULL};
	char *const other[] = {VMM_PATH, "--image",	   VM_IMAGE,  "--mem",
			       "16M",	 "--restore-from", SNAP_FILE, NULL};
	char *const two_from_one[] = {VMM_PATH, "--image", "/snapguest.signed", "--mem",   "16M",
				      "--cpus", "2",	   "--restore-from",	SNAP_FILE, NULL};
	const char *const save_lines[] = {
	    "[snapguest] GUEST snapguest: snapshot saved by the host, stopping",
	    "kcore-vmm: VM snapguest: snapshot saved to " SNAP_FILE ": ",
	    "kcore-vmm: VM snapguest powered off\n", NULL};
	const char *const restore_lines[] = {
	    "kcore-vmm: VM snapguest: restored from " SNAP_FILE ": ",
	    "[snapguest] GUEST snapguest: restored from a snapshot, going on",
	    "[snapguest] GUEST snapguest: PASS secret, registers and computation intact "
	    "(restored copy)",
	    "kcore-vmm: VM snapguest powered off\n", NULL};
	int attack_fd;
	uint64_t records;
	size_t len;
	bool ok;

	if (!vmm_guest_run(dev, save, save_lines, "snapguest --snapshot-to", VMM_TIMEOUT_S))
		return false;
	len = snap_read();
	if (len == 0 || !snap_file_clean(len))
		return false;
	if (!vmm_guest_run(dev, restore, restore_lines, "snapguest --restore-from", VMM_TIMEOUT_S))
		return false;
	memcpy(&records, snap_buf + SNAP_RECORDS, sizeof(records));
	if (records == 0 || SNAP_HDR + records + 4096 > len) {
		say_vmm("FAIL " SNAP_FILE ": records_size %llu in a file of %zu bytes",
			(unsigned long long)records, len);
		return false;
	}
	ok = snap_tampered(dev, len, SNAP_HDR + records + 100, "a data page's byte flipped");
	ok = snap_tampered(dev, len, SNAP_HDR + 128 + 56, "a PAGE record's byte flipped") && ok;
	ok = snap_tampered(dev, len, SNAP_HDR + 56, "the header record's byte flipped") && ok;
	ok = vmm_bad_run(dev, garbage, VMM_EXIT_KCORE,
			 "kcore-vmm: /snapguest.signed: the snapshot file has ",
			 "not a snapshot file") &&
	     ok;
	ok = vmm_bad_run(dev, other, VMM_EXIT_KCORE, "KCORE_VM_IOC_RESTORE: EBADMSG: ",
			 "snapguest's snapshot into a hello VM") &&
	     ok;
	ok = vmm_bad_run(dev, two_from_one, VMM_EXIT_KCORE,
			 "the snapshot file has another number of vCPUs than the VM",
			 "a 1-vCPU snapshot into 2 vCPUs") &&
	     ok;
	ok = check_vmm_snapshot_2cpus(dev) && ok;
	/* tmpfs is the host's RAM: the Linux guests that may come next want it back. */
	unlink(SNAP_FILE);
	unlink(SNAP_FILE2);
	unlink(SNAP_BAD);
	attack_fd = open(KATTACK_DEV, O_RDWR | O_CLOEXEC);
	ok = attack_fd >= 0 && invariants_hold(attack_fd, "after the snapshot files") && ok;
	if (attack_fd >= 0)
		close(attack_fd);
	if (ok)
		say_vmm(
		    "snapguest: --snapshot-to saved %zu bytes, no secret value in clear; "
		    "--restore-from: the restored copy's PASS; a byte flipped in a data page, a "
		    "PAGE record and the header, or another image: EBADMSG, exit status %d; not "
		    "a snapshot file, or of another number of vCPUs: %d; on 2 vCPUs saved and "
		    "restored to PASS; nothing left, invariants 0",
		    len, VMM_EXIT_KCORE, VMM_EXIT_KCORE);
	return ok;
}

static bool check_vmm(void)
{
	char *const hello1[] = {VMM_PATH, "--image", VM_IMAGE, "--mem", "16M", NULL};
	char *const hello2[] = {VMM_PATH, "--image", VM_IMAGE, "--mem", "16M", "--cpus", "2", NULL};
	char *const smp4[] = {VMM_PATH, "--image", "/smp.signed", "--mem",
			      "16M",	"--cpus",  "4",		  NULL};
	char *const missing[] = {VMM_PATH, "--image", "/missing.signed", NULL};
	char *const cpus0[] = {VMM_PATH, "--image", VM_IMAGE, "--cpus", "0", NULL};
	char *const tampered[] = {VMM_PATH, "--image", VMM_TAMPERED, "--mem", "16M", NULL};
	char *const hello_dev[] = {VMM_PATH, "--image", VM_IMAGE, "--mem", "16M",
				   "--disk", VMM_DISK,	"--rng",  NULL};
	const char *const dev_lines[] = {
	    "kcore-vmm: VM hello: virtio-blk at 0xa010000 (SPI 16): /vmdisk.img, 2048 sectors\n",
	    "kcore-vmm: VM hello: virtio-rng at 0xa010200 (SPI 17)\n",
	    "[hello] GUEST hello: PASS\n", "kcore-vmm: VM hello powered off\n", NULL};
	const char *const hello_lines[] = {"[hello] GUEST hello: Hello from hello at EL1",
					   "[hello] GUEST hello: PASS\n",
					   "kcore-vmm: VM hello powered off\n", NULL};
	const char *const smp_lines[] = {"[smp] GUEST smp: vCPU 3 up",
					 "[smp] GUEST smp: PASS 4 vCPUs, shared counter",
					 "kcore-vmm: VM smp powered off\n", NULL};
	bool ok = true, bad = true;
	int dev = open(KCORE_DEV, O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		say_vmm("FAIL open " KCORE_DEV ": %s", strerror(errno));
		return false;
	}
	if (vmm_guest_run(dev, hello1, hello_lines, "hello on 1 vCPU", VMM_TIMEOUT_S))
		say_vmm(VM_IMAGE " on 1 vCPU: hello, PASS, powered off, exit status 0");
	else
		ok = false;
	if (vmm_guest_run(dev, hello2, hello_lines, "hello on 2 vCPUs", VMM_TIMEOUT_S))
		say_vmm(VM_IMAGE " on 2 vCPUs (vCPU 1 never started): PASS, powered off, exit "
				 "status 0");
	else
		ok = false;
	/* Devices present and unused: the guest's RAM mapped by kcore-vmm, hello unchanged. */
	if (write_disk() &&
	    vmm_guest_run(dev, hello_dev, dev_lines, "hello with a disk and an rng", VMM_TIMEOUT_S))
		say_vmm(VM_IMAGE " with --disk and --rng: the devices in their windows, unused; "
				 "PASS, powered off, exit status 0");
	else
		ok = false;
	if (vmm_guest_run(dev, smp4, smp_lines, "smp on 4 vCPUs", VMM_TIMEOUT_S))
		say_vmm("/smp.signed on 4 vCPUs (PSCI CPU_ON): PASS, powered off, exit status 0");
	else
		ok = false;
	bad = vmm_bad_run(dev, missing, VMM_EXIT_FILE,
			  "kcore-vmm: /missing.signed: ", "a missing file") &&
	      bad;
	bad = vmm_bad_run(dev, cpus0, VMM_EXIT_USAGE, "kcore-vmm: --cpus 0: ", "--cpus 0") && bad;
	bad = write_tampered() &&
	      vmm_bad_run(dev, tampered, VMM_EXIT_KCORE,
			  "KCORE_IOC_CREATE_VM: EKEYREJECTED: ", "a tampered image") &&
	      bad;
	if (bad)
		say_vmm("bad runs: a missing file exit status %d, --cpus 0 %d, a tampered image %d "
			"(EKEYREJECTED)",
			VMM_EXIT_FILE, VMM_EXIT_USAGE, VMM_EXIT_KCORE);
	ok = check_vmm_pwroff(dev) && ok;
	ok = check_vmm_snapshot(dev) && ok;
	if (vmm_linux_wanted()) {
		char one[] = "1", two[] = "2";

		ok = check_vmm_linux(dev, one) && ok;
		ok = check_vmm_linux(dev, two) && ok;
		ok = check_vmm_two_linux(dev) && ok;
		ok = check_vmm_virtio(dev) && ok;
		ok = check_vmm_net(dev) && ok;
	}
	close(dev);
	ok = ok && bad;
	if (ok)
		say_vmm("ok");
	return ok;
}

/* At the very end, after every VM, attack and teardown: kcore's invariant checker finds nothing. */
static bool check_final_invariants(void)
{
	int fd = open(KATTACK_DEV, O_RDWR | O_CLOEXEC);
	bool ok = fd >= 0 && invariants_hold(fd, "at the end");

	if (fd < 0)
		say_attack("FAIL open " KATTACK_DEV ": %s", strerror(errno));
	else
		close(fd);
	if (ok)
		say_attack("kcore's invariants at the end: 0 violations");
	return ok;
}

/*
 * kcore.only=virtio (a developer's shortcut, docs/virtio.md): only the virtio
 * tests, then the invariants; the test suite never passes it.
 */
#define ONLY_VIRTIO_PARAM "kcore.only=virtio"

static bool check_only_virtio(void)
{
	int dev = open(KCORE_DEV, O_RDWR | O_CLOEXEC), ret = load_module(KATTACK_PATH);
	bool ok = dev >= 0 && (ret == 0 || ret == -EEXIST);

	if (!ok) {
		say_vmm("FAIL " KCORE_DEV " or " KATTACK_PATH ": %s", strerror(errno));
		return false;
	}
	ok = check_vmm_virtio(dev);
	ok = check_vmm_net(dev) && ok;
	close(dev);
	return check_final_invariants() && ok;
}

static bool check_kmod(void)
{
	struct kcore_version v;
	int ret;
	bool ok;

	/* /dev/kcore's node comes from devtmpfs: the initramfs has no udev. */
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0) {
		say_kmod("FAIL mount devtmpfs on /dev: %s", strerror(errno));
		return false;
	}
	ret = load_kmod();
	if (ret != 0) {
		say_kmod("FAIL finit_module(" KMOD_PATH "): %s", strerror(-ret));
		return false;
	}
	if (kmod_version(&v) != 0)
		return false;
	say_kmod("kcore ABI %u.%u", v.abi_major, v.abi_minor);
	if (cmdline_has(ONLY_VIRTIO_PARAM))
		return check_only_virtio();
	ok = check_kmod_bad_ioctls();
	ok = check_kmod_vms() && ok;
	ok = check_vmm() && ok;
	ok = check_kmod_reload() && ok;
	return check_final_invariants() && ok;
}

/*
 * With kcore.shell=1 (make linux-host-shell, tools/kcore-run --host linux
 * --shell): no tests. kcore.ko is loaded, Debian's busybox (busybox-static,
 * scripts/fetch-busybox.sh) installs its applets in /bin, and a shell runs on
 * the serial console, from which the user starts protected VMs with
 * kcore-vmm; when it exits, the host powers off.
 */
#define SHELL_PARAM  "kcore.shell=1"
#define BUSYBOX_PATH "/busybox"
#define SHELL_TTY    "/dev/ttyAMA0"

static void run_shell(void)
{
	char *const install[] = {BUSYBOX_PATH, "--install", "-s", "/bin", NULL};
	char *const sh[] = {BUSYBOX_PATH, "sh", NULL};
	char *const env[] = {"PATH=/bin:/", "HOME=/", "TERM=vt100", "PS1=kcore-host# ", NULL};
	int ret, status = 0;
	pid_t pid;

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0)
		say("shell: mount devtmpfs on /dev: %s", strerror(errno));
	ret = load_kmod();
	if (ret != 0)
		say("shell: FAIL finit_module(" KMOD_PATH "): %s: kcore-vmm will not run",
		    strerror(-ret));
	mkdir("/bin", 0755);
	pid = fork();
	if (pid == 0) {
		execve(BUSYBOX_PATH, install, env);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	say("shell: kcore.ko loaded; start a protected Debian guest with");
	say("shell:   kcore-vmm --image /linux.signed --initrd /linux-initramfs.signed "
	    "--cpus 2 --mem 256M");
	say("shell: (kcore-vmm --help for more; the guest powers itself off, or Ctrl-C "
	    "stops it); exit to power the host off");
	pid = fork();
	if (pid == 0) {
		int tty;

		/* A session of its own with the serial line as its terminal: Ctrl-C reaches it. */
		setsid();
		tty = open(SHELL_TTY, O_RDWR);
		if (tty >= 0) {
			ioctl(tty, TIOCSCTTY, 0);
			dup2(tty, 0);
			dup2(tty, 1);
			dup2(tty, 2);
		}
		execve(BUSYBOX_PATH, sh, env);
		_exit(127);
	}
	if (pid < 0)
		say("shell: FAIL fork: %s", strerror(errno));
	else
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

#define BENCH_PARAM   "kcore.bench=1"
#define IOBENCH_PARAM "kcore.iobench=1"
#define BENCH_TAG     "KCORE-HOST: bench: "

/*
 * The benchmark guest under kcore-vmm, its lines on the console as they
 * come. Both vCPU threads on CPU 0, as the KVM column's VMM runs them
 * (bench/vmm/README.md, "ipi under KVM: one host CPU"): like for like.
 */
static void run_bench(void)
{
	char *const argv[] = {VMM_PATH, "--image", "/bench.signed",
			      "--cpus", "2",	   "--small-pages",
			      "--pin",	"0",	   NULL};
	int ret, status = 0;
	pid_t pid;

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0) {
		dprintf(console_fd, BENCH_TAG "FAIL mount devtmpfs on /dev: %s\n", strerror(errno));
		return;
	}
	ret = load_kmod();
	if (ret != 0) {
		dprintf(console_fd, BENCH_TAG "FAIL finit_module(" KMOD_PATH "): %s\n",
			strerror(-ret));
		return;
	}
	pid = fork();
	if (pid < 0) {
		dprintf(console_fd, BENCH_TAG "FAIL fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		/* The console itself, not a pipe through init: no copying while the guest runs. */
		dup2(console_fd, 1);
		dup2(console_fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		dprintf(console_fd, BENCH_TAG "kcore-vmm exit status %d\n", WEXITSTATUS(status));
	else
		dprintf(console_fd, BENCH_TAG "kcore-vmm killed by signal %d\n",
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* kcore.run=PATH: run the user's VM (run_vm.c) instead of the tests. */
#define RUN_PARAM "kcore.run="

int main(void)
{
	static char run_args[4096];
	char *run_at;
	int cpus = 0, ranges = 0;
	bool ok;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	open_console();
	if (cmdline_has(BENCH_PARAM) || cmdline_has(IOBENCH_PARAM)) {
		if (cmdline_has(BENCH_PARAM))
			run_bench();
		else
			run_iobench(console_fd);
		sync();
		reboot(RB_POWER_OFF);
		for (;;)
			pause();
	}
	say("start");
	if (read_text("/proc/cmdline", run_args, sizeof(run_args)) &&
	    (run_at = strstr(run_args, RUN_PARAM)) != NULL &&
	    (run_at == run_args || run_at[-1] == ' ')) {
		/* tools/kcore-run --host linux --vm ...: the user's VM, then power off. */
		run_at += strlen(RUN_PARAM);
		run_at[strcspn(run_at, " \n")] = '\0';
		if (run_user_vm(run_at))
			say("ok run: the VM powered off, kcore-vmm exit status 0");
		else
			say("FAIL (see above)");
		sync();
		reboot(RB_POWER_OFF);
		for (;;)
			pause();
	}
	if (cmdline_has(SHELL_PARAM)) {
		run_shell();
		say("power off");
		sync();
		reboot(RB_POWER_OFF);
	}
	ok = check_cpus(&cpus);
	ok = check_kcore_ranges(&ranges) && ok;
	ok = check_kmod() && ok;
	if (ok)
		say("ok cpus=%d kcore-ranges=%d", cpus, ranges);
	else
		say("FAIL (see above)");
	say("power off");
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

// SPDX-License-Identifier: MIT
/*
 * vmm: the small KVM VMM that runs the benchmark guest under Linux KVM and
 * pKVM (bench/vmm/README.md), the counterpart of kserv for the same guest:
 *
 *   vmm [--mem MiB] [--pin CPU|none] GUEST.bin
 *   vmm --kernel Image [--initrd FILE] [--cmdline STR] [--mem MiB] [--cpus N]
 *       [--pin CPU|none] [--disk FILE] [--net tap=NAME]
 *
 * A static aarch64 Linux program, run by bench/vmm/init.c inside Debian's
 * kernel in QEMU. It makes one VM through /dev/kvm:
 *
 *   0x08000000  GICv3 distributor       KVM's in-kernel vgic-v3
 *   0x080a0000  GICv3 redistributors    (one 128 KiB frame pair per vCPU)
 *   0x09000000  PL011 UART              emulated here: DR writes go to stdout
 *   0x0a000000  bench device (4 KiB)    emulated here: +0x0 reads 0x1234,
 *                                       +0x8 takes writes and ignores them
 *   0x80000000  RAM (128 MiB default)   anonymous memory, 4 KiB pages (no THP);
 *                                       the guest file at its start, a DTB in
 *                                       its last page (as kserv places it)
 *
 * Two vCPUs, each run by its own thread: vCPU 0 starts at the guest's first
 * byte with x0 = the DTB, vCPU 1 starts powered off (the guest starts it with
 * PSCI CPU_ON, which KVM answers). KVM's in-kernel arch timer is used as is.
 *
 * Both threads run on one host CPU (--pin, default CPU 0). Under QEMU's
 * -icount, one host thread runs every emulated CPU in turn, each for a time
 * slice that lasts until the next timer deadline (milliseconds): a wakeup
 * sent to a vCPU thread sleeping on another emulated CPU waits for the
 * sender's slice to end, so an IPI between vCPUs on two host CPUs measures
 * QEMU's round robin (4 to 50 million instructions), not KVM. On one host
 * CPU the woken vCPU thread preempts the sender at once, and the round trip
 * counts KVM's work: the vgic, the wakeup, two context switches. (vCPU 1
 * runs only when the guest starts it.)
 *
 * Per exit the work is as small as it can be: KVM_EXIT_MMIO to the bench
 * device is the first thing checked and costs a compare and a store; UART
 * output is gathered into lines (unprintable bytes as '?', as kserv does) and
 * written with one write(2) per line; any other MMIO address gets a
 * synchronous external abort injected (as kserv injects one). Before the
 * guest's lines it prints "BENCH vm_created counter=C", the host's counter
 * just before KVM_CREATE_VM (bench/bench.sh: the boot cost). The guest's
 * PSCI SYSTEM_OFF (KVM_EXIT_SYSTEM_EVENT, SHUTDOWN) ends the VMM with status 0.
 *
 * The second form boots an arm64 Linux kernel (bench/vmm/README.md, "Linux
 * boot cost"): the Image at RAM base + its header's text_offset, the DTB in
 * RAM's last page, the initrd right below it (page-aligned), as kserv lays a
 * Linux VM out; N vCPUs (default 1, the others powered off until PSCI
 * CPU_ON), 256 MiB by default. The DTB has what kserv's guest DTB has:
 * /memory, /cpus (PSCI over HVC), /psci, the GICv3, the arch timer, the
 * PL011 with its apb-pclk clock and /chosen (bootargs, stdout-path, initrd).
 * The DTB is vmm/guest_dtb.c's. --disk and --net give the guest
 * kcore-vmm's virtio-blk and virtio-net (devices.c; bench/vmm/README.md,
 * "Virtio I/O"): MMIO exits in their windows go to vmm/virtio_mmio.c.
 * For the boot-cost measurement it prints, on stdout, the host's virtual
 * counter right before KVM_CREATE_VM and after vCPU 0's KVM_ARM_VCPU_INIT
 * (with the guest's own counter then, KVM_REG_ARM_TIMER_CNT):
 *
 *   KCORE-VMM: vm created at counter C
 *   KCORE-VMM: vcpu 0 initialised at counter C2, guest counter G2
 *
 * Exit status: 0 the guest powered off, 1 an error (one line on stderr
 * starting with "vmm: " says which call failed and why), 2 wrong usage,
 * 3 the guest asked for a reset or reported a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/vmm/devices.h"
#include "vmm/guest_dtb.h"

#define PROG "vmm"

#define EXIT_OK	   0
#define EXIT_FAIL  1
#define EXIT_USAGE 2
#define EXIT_RESET 3

#define USAGE                                                                               \
	"vmm [--mem MiB] [--pin CPU|none] GUEST.bin\n"                                      \
	"       vmm --kernel Image [--initrd FILE] [--cmdline STR] [--mem MiB] [--cpus N] " \
	"[--pin CPU|none] [--disk FILE] [--net tap=NAME]"

#define MIB	  (1ull << 20)
#define PAGE_SIZE 4096ull

/* The machine (the contract with bench/ and kserv's guest layout). */
#define GICD_BASE  0x08000000ull
#define GICR_BASE  0x080a0000ull
#define UART_BASE  0x09000000ull
#define UART_SIZE  0x1000ull
#define BENCH_BASE 0x0a000000ull
#define BENCH_SIZE 0x1000ull
#define RAM_BASE   0x80000000ull

#define DEFAULT_MEM_MIB 128u
#define MIN_MEM_MIB	1u
#define MAX_MEM_MIB	2048u /* a sanity bound: more than the host has in QEMU */

#define NR_VCPUS	      2u /* the benchmark guest's */
#define MAX_VCPUS	      8u /* a Linux guest's, --cpus */
#define LINUX_DEFAULT_MEM_MIB 256u
#define LINUX_DEFAULT_CMDLINE "console=ttyAMA0"

/* The arm64 Image header (Documentation/arm64/booting.rst). */
#define IMAGE_TEXT_OFFSET     8u
#define IMAGE_SIZE	      16u
#define IMAGE_MAGIC	      56u
#define IMAGE_MAGIC_VALUE     0x644d5241u /* "ARM\x64" */
#define IMAGE_OLD_TEXT_OFFSET 0x80000ull  /* image_size 0: a kernel before 3.17 */
#define IMAGE_HEADER_SIZE     64u
#define NR_IRQS		      64u /* 32 private + 32 SPIs: the smallest the vgic takes, as kserv's GICD */

/* The bench device: a read of +0x0 is the host's answer, a write of +0x8 a doorbell. */
#define BENCH_ID       0x0u
#define BENCH_ID_VALUE 0x1234u
#define BENCH_DOORBELL 0x8u

/* PL011 registers the guest may touch. */
#define UART_DR	      0x000u
#define UART_FR	      0x018u
#define UART_FR_RXFE  (1u << 4)
#define UART_FR_TXFE  (1u << 7)
#define UART_PERIPHID 0xfe0u /* PeriphID0..3, then PCellID0..3, one byte per word */
#define UART_LINE     256u

static const uint8_t pl011_ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct vcpu {
	unsigned id;
	int fd;
	struct kvm_run *run;
};

struct vm {
	int kvm, fd, vgic;
	uint8_t *ram;
	uint64_t ram_size;
	size_t run_size;
	unsigned nr_vcpus;
	bool boot_linux; /* the Linux form: report the counters */
	struct vcpu vcpus[MAX_VCPUS];
};

/* The UART's line, shared by the vCPU threads. */
static pthread_mutex_t uart_lock = PTHREAD_MUTEX_INITIALIZER;
static char uart_line[UART_LINE];
static size_t uart_len;

__attribute__((format(printf, 1, 2))) static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A failed system call: its name, what it was for, errno. Ends the VMM. */
__attribute__((noreturn, format(printf, 2, 3))) static void die_errno(const char *call,
								      const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s: %s\n", call, strerror(err));
	exit(EXIT_FAIL);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAIL);
}

/* ---- the UART's output ------------------------------------------------------ */

static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stdout gone: the guest runs on, unheard */
		p += n;
		len -= (size_t)n;
	}
}

/* With uart_lock held. */
static void uart_emit_line(void)
{
	uart_line[uart_len++] = '\n';
	write_all(STDOUT_FILENO, uart_line, uart_len);
	uart_len = 0;
}

static void uart_putc(char c)
{
	pthread_mutex_lock(&uart_lock);
	if (c == '\n') {
		uart_emit_line();
	} else if (c != '\r') {
		/* Anything unprintable shows as '?': a guest must not drive the terminal. */
		uart_line[uart_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
		if (uart_len == UART_LINE - 1)
			uart_emit_line();
	}
	pthread_mutex_unlock(&uart_lock);
}

static void uart_flush(void)
{
	pthread_mutex_lock(&uart_lock);
	if (uart_len > 0)
		uart_emit_line();
	pthread_mutex_unlock(&uart_lock);
}

static uint64_t uart_read(uint64_t off)
{
	if (off == UART_FR)
		return UART_FR_TXFE | UART_FR_RXFE;
	if (off >= UART_PERIPHID && off < UART_PERIPHID + 0x20 && (off & 3) == 0)
		return pl011_ids[(off - UART_PERIPHID) / 4];
	return 0;
}

/* ---- the VM ------------------------------------------------------------------ */

static void set_vgic_attr(struct vm *vm, uint32_t group, uint64_t attr, void *value,
			  const char *what)
{
	struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)value};

	if (ioctl(vm->vgic, KVM_SET_DEVICE_ATTR, &a) != 0)
		die_errno("KVM_SET_DEVICE_ATTR", "vgic-v3: %s", what);
}

static void set_reg(struct vcpu *v, uint64_t id, uint64_t value, const char *name)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)&value};

	if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) != 0)
		die_errno("KVM_SET_ONE_REG", "vCPU %u: %s", v->id, name);
}

#define CORE_REG(name) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(name))

/* The host's virtual counter (the same as its physical one: Linux sets CNTVOFF_EL2 to 0). */
static uint64_t read_cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* One line on stdout at once, whatever stdout's buffering (a pipe, the console). */
__attribute__((format(printf, 1, 2))) static void report(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		write_all(STDOUT_FILENO, line,
			  (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* A regular file's size; what names it in messages ("guest", "kernel", "initrd"). */
static uint64_t file_size(int fd, const char *what, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		die_errno("fstat", "%s %s", what, path);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		die("%s %s: not a non-empty regular file", what, path);
	return (uint64_t)st.st_size;
}

/* size bytes of fd into RAM at offset off (checked by the caller). */
static void read_into(struct vm *vm, int fd, uint64_t off, uint64_t size, const char *what,
		      const char *path)
{
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, vm->ram + off + done, (size_t)(size - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read", "%s %s", what, path);
		if (n == 0)
			die("%s %s: shrank while being read", what, path);
		done += (uint64_t)n;
	}
}

/* The guest's file at the start of RAM; fails if it leaves no room for the DTB page. */
static uint64_t load_guest(struct vm *vm, const char *path)
{
	uint64_t size, max = vm->ram_size - PAGE_SIZE;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("open", "guest %s", path);
	size = file_size(fd, "guest", path);
	if (size > max)
		die("guest %s: %llu bytes do not fit in %llu MiB of RAM with the DTB page (--mem)",
		    path, (unsigned long long)size, (unsigned long long)(vm->ram_size / MIB));
	read_into(vm, fd, 0, size, "guest", path);
	close(fd);
	return size;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * A Linux VM's layout, as kserv's (vmm/guest_layout.c): the Image at RAM
 * base + text_offset, the DTB in RAM's last page, the initrd page-aligned
 * right below the DTB. Every offset is from RAM's start.
 */
struct linux_layout {
	uint64_t kernel_off, kernel_end; /* end: + the larger of image_size and the file */
	uint64_t initrd_off, initrd_size;
	uint64_t dtb_off;
};

static void load_linux(struct vm *vm, const char *kernel, const char *initrd,
		       struct linux_layout *l)
{
	uint8_t hdr[IMAGE_HEADER_SIZE];
	uint64_t size, text_offset, image_size;
	int fd = open(kernel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("open", "kernel %s", kernel);
	size = file_size(fd, "kernel", kernel);
	if (size < sizeof(hdr) || pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		die("kernel %s: too short for an arm64 Image header", kernel);
	if ((uint32_t)le64(hdr + IMAGE_MAGIC) != IMAGE_MAGIC_VALUE)
		die("kernel %s: not an arm64 Image (no ARM\\x64 magic at offset 56)", kernel);
	text_offset = le64(hdr + IMAGE_TEXT_OFFSET);
	image_size = le64(hdr + IMAGE_SIZE);
	if (image_size == 0)
		text_offset = IMAGE_OLD_TEXT_OFFSET;
	l->dtb_off = vm->ram_size - PAGE_SIZE;
	l->kernel_off = text_offset;
	l->kernel_end = text_offset + (image_size > size ? image_size : size);
	if ((text_offset & (PAGE_SIZE - 1)) != 0 || l->kernel_end > l->dtb_off)
		die("kernel %s: text_offset 0x%llx and %llu bytes do not fit in %llu MiB (--mem)",
		    kernel, (unsigned long long)text_offset,
		    (unsigned long long)(l->kernel_end - text_offset),
		    (unsigned long long)(vm->ram_size / MIB));
	read_into(vm, fd, l->kernel_off, size, "kernel", kernel);
	close(fd);

	l->initrd_off = l->initrd_size = 0;
	if (initrd == NULL)
		return;
	fd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open", "initrd %s", initrd);
	size = file_size(fd, "initrd", initrd);
	if (size > l->dtb_off || ((l->dtb_off - size) & ~(PAGE_SIZE - 1)) < l->kernel_end)
		die("initrd %s: %llu bytes do not fit between the kernel and the DTB (--mem)",
		    initrd, (unsigned long long)size);
	l->initrd_off = (l->dtb_off - size) & ~(PAGE_SIZE - 1);
	l->initrd_size = size;
	read_into(vm, fd, l->initrd_off, size, "initrd", initrd);
	close(fd);
}

/*
 * A small DTB in RAM's last page: memory, the two CPUs with PSCI (HVC), the
 * UART, the GICv3, the arch timer and the bench device. Returns its address.
 */
static uint64_t write_dtb(struct vm *vm)
{
	uint64_t ipa = RAM_BASE + vm->ram_size - PAGE_SIZE;
	void *fdt = vm->ram + vm->ram_size - PAGE_SIZE;
	uint64_t mem_reg[2] = {cpu_to_fdt64(RAM_BASE), cpu_to_fdt64(vm->ram_size)};
	uint64_t uart_reg[2] = {cpu_to_fdt64(UART_BASE), cpu_to_fdt64(UART_SIZE)};
	uint64_t bench_reg[2] = {cpu_to_fdt64(BENCH_BASE), cpu_to_fdt64(BENCH_SIZE)};
	uint64_t gic_reg[4] = {cpu_to_fdt64(GICD_BASE), cpu_to_fdt64(0x10000),
			       cpu_to_fdt64(GICR_BASE), cpu_to_fdt64(0x20000ull * NR_VCPUS)};
	/* PPIs (type 1), level-high (4): secure, non-secure, virtual, hypervisor timers. */
	uint32_t timer_irqs[12] = {cpu_to_fdt32(1), cpu_to_fdt32(13), cpu_to_fdt32(4),
				   cpu_to_fdt32(1), cpu_to_fdt32(14), cpu_to_fdt32(4),
				   cpu_to_fdt32(1), cpu_to_fdt32(11), cpu_to_fdt32(4),
				   cpu_to_fdt32(1), cpu_to_fdt32(10), cpu_to_fdt32(4)};
	const uint32_t gic_phandle = 1;
	int err = 0;

	err |= fdt_create(fdt, (int)PAGE_SIZE);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", "kcore,bench-vmm");
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_property_u32(fdt, "interrupt-parent", gic_phandle);

	err |= fdt_begin_node(fdt, "chosen");
	err |= fdt_property_string(fdt, "stdout-path", "/pl011@9000000");
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "memory@80000000");
	err |= fdt_property_string(fdt, "device_type", "memory");
	err |= fdt_property(fdt, "reg", mem_reg, sizeof(mem_reg));
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "cpus");
	err |= fdt_property_u32(fdt, "#address-cells", 1);
	err |= fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		err |= fdt_begin_node(fdt, name);
		err |= fdt_property_string(fdt, "device_type", "cpu");
		err |= fdt_property_string(fdt, "compatible", "arm,armv8");
		err |= fdt_property_string(fdt, "enable-method", "psci");
		err |= fdt_property_u32(fdt, "reg", i);
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "psci");
	err |= fdt_property_string(fdt, "compatible", "arm,psci-0.2");
	err |= fdt_property_string(fdt, "method", "hvc");
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "intc@8000000");
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= fdt_property(fdt, "reg", gic_reg, sizeof(gic_reg));
	err |= fdt_property_u32(fdt, "phandle", gic_phandle);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "timer");
	err |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	err |= fdt_property(fdt, "interrupts", timer_irqs, sizeof(timer_irqs));
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "pl011@9000000");
	err |= fdt_property_string(fdt, "compatible", "arm,pl011");
	err |= fdt_property(fdt, "reg", uart_reg, sizeof(uart_reg));
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "bench@a000000");
	err |= fdt_property_string(fdt, "compatible", "kcore,bench-device");
	err |= fdt_property(fdt, "reg", bench_reg, sizeof(bench_reg));
	err |= fdt_end_node(fdt);

	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err != 0)
		die("cannot build the guest's DTB in one page (libfdt error)");
	return ipa;
}

/*
 * A Linux VM's DTB in RAM's last page: vmm/guest_dtb.c's, the one kcore's
 * VMMs write (memory, the vCPUs with PSCI over HVC, PSCI 1.0, the GICv3,
 * the arch timer's four PPIs, the PL011 on SPI 1 with its 24 MHz apb-pclk,
 * /chosen with the command line and the initrd) and the nr_virtio devices'
 * virtio,mmio nodes. Returns its address.
 */
static uint64_t write_linux_dtb(struct vm *vm, const struct linux_layout *l, const char *cmdline,
				unsigned nr_virtio)
{
	struct guest_dtb_desc d = {
	    .name = "bench",
	    .ram_base = RAM_BASE,
	    .ram_size = vm->ram_size,
	    .nr_vcpus = vm->nr_vcpus,
	    .bootargs = cmdline,
	    .initrd_start = l->initrd_size != 0 ? RAM_BASE + l->initrd_off : 0,
	    .initrd_end = l->initrd_size != 0 ? RAM_BASE + l->initrd_off + l->initrd_size : 0,
	    .nr_virtio = nr_virtio,
	};

	if (guest_dtb_write(vm->ram + l->dtb_off, (uint32_t)PAGE_SIZE, &d) != GUEST_DTB_OK)
		die("cannot build the guest's DTB in one page (the line above says why; a "
		    "shorter --cmdline?)");
	return RAM_BASE + l->dtb_off;
}

static void create_vm(struct vm *vm, uint64_t mem_mib)
{
	struct kvm_userspace_memory_region region;
	struct kvm_create_device vgic = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	uint64_t created;
	int ret;

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die_errno("open", "/dev/kvm (is KVM in this kernel, and devtmpfs on /dev?)");
	ret = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		die("/dev/kvm: KVM API version %d, this VMM knows %d", ret, KVM_API_VERSION);
	/* The host's counter just before the first call that creates the VM: the boot cost's start.
	 */
	created = read_cntvct();
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd >= 0 && vm->boot_linux)
		report("KCORE-VMM: vm created at counter %llu\n", (unsigned long long)created);
	else if (vm->fd >= 0)
		report("BENCH vm_created counter=%llu\n", (unsigned long long)created);
	if (vm->fd < 0)
		die_errno("KVM_CREATE_VM", "/dev/kvm");
	ret = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < (int)sizeof(struct kvm_run))
		die_errno("KVM_GET_VCPU_MMAP_SIZE", "/dev/kvm (returned %d)", ret);
	vm->run_size = (size_t)ret;
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_INJECT_EXT_DABT) <= 0)
		die("this KVM cannot inject external data aborts (KVM_CAP_ARM_INJECT_EXT_DABT)");

	/*
	 * Ordinary anonymous memory, untouched but for the guest's file and the
	 * DTB: every other page's first touch is a host page fault and a stage-2
	 * fault of 4 KiB (no transparent huge pages).
	 */
	vm->ram_size = mem_mib * MIB;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die_errno("mmap", "%llu MiB of guest RAM", (unsigned long long)mem_mib);
	if (madvise(vm->ram, vm->ram_size, MADV_NOHUGEPAGE) != 0)
		die_errno("madvise", "MADV_NOHUGEPAGE on guest RAM");
	region = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .guest_phys_addr = RAM_BASE,
	    .memory_size = vm->ram_size,
	    .userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) != 0)
		die_errno("KVM_SET_USER_MEMORY_REGION", "RAM at 0x%llx, %llu MiB",
			  (unsigned long long)RAM_BASE, (unsigned long long)mem_mib);

	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &vgic) != 0)
		die_errno("KVM_CREATE_DEVICE", "vgic-v3 (KVM_DEV_TYPE_ARM_VGIC_V3)");
	vm->vgic = (int)vgic.fd;
}

static void create_vcpus(struct vm *vm, uint64_t entry, uint64_t dtb)
{
	struct kvm_vcpu_init preferred;

	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &preferred) != 0)
		die_errno("KVM_ARM_PREFERRED_TARGET", "VM");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct kvm_vcpu_init init = {.target = preferred.target};

		v->id = i;
		v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0)
			die_errno("KVM_CREATE_VCPU", "vCPU %u", i);
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED)
			die_errno("mmap", "vCPU %u's kvm_run", i);
		init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
		if (i != 0)
			init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF; /* until PSCI CPU_ON */
		if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) != 0)
			die_errno("KVM_ARM_VCPU_INIT", "vCPU %u (target %u, PSCI 0.2%s)", i,
				  init.target, i != 0 ? ", powered off" : "");
		if (vm->boot_linux && i == 0) {
			/*
			 * The host's counter now, and the guest's (its virtual
			 * counter, which KVM 6.1 offsets to read 0 when a vCPU is
			 * created): host minus guest is the guest counter's offset.
			 */
			uint64_t now = read_cntvct(), guest = 0;
			struct kvm_one_reg reg = {.id = KVM_REG_ARM_TIMER_CNT,
						  .addr = (uintptr_t)&guest};

			if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) != 0)
				die_errno("KVM_GET_ONE_REG", "vCPU 0: KVM_REG_ARM_TIMER_CNT");
			report(
			    "KCORE-VMM: vcpu 0 initialised at counter %llu, guest counter %llu\n",
			    (unsigned long long)now, (unsigned long long)guest);
		}
	}
	/* vCPU 0 at the guest's first byte, x0 = the DTB (KVM_ARM_VCPU_INIT set EL1h, DAIF masked).
	 */
	set_reg(&vm->vcpus[0], CORE_REG(regs.pc), entry, "pc");
	set_reg(&vm->vcpus[0], CORE_REG(regs.regs[0]), dtb, "x0");
}

/* After the vCPUs exist: the vgic's frames, its interrupts, then init. */
static void init_vgic(struct vm *vm)
{
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	uint32_t nr_irqs = NR_IRQS;

	set_vgic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
		      "distributor at 0x8000000");
	set_vgic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
		      "redistributors at 0x80a0000");
	set_vgic_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "64 interrupts");
	set_vgic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "init");
}

/* ---- running a vCPU ------------------------------------------------------------ */

/* An external abort for the access that exited: what kserv does for an unknown address. */
static void inject_abort(struct vcpu *v)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) != 0)
		die_errno("KVM_SET_VCPU_EVENTS", "vCPU %u: external abort", v->id);
}

/*
 * The value of an MMIO read, for KVM to put in the guest's register: all 8
 * bytes of data, little-endian (KVM takes the access's len of them). A
 * constant-size copy, which the compiler turns into one store: no call to
 * glibc's memcpy, which on an SVE CPU uses SVE, and the kernel drops a
 * task's SVE state at every system call, so the first SVE instruction after
 * each KVM_RUN would trap to the kernel (about 900 instructions per exit).
 */
static inline void mmio_set_read(struct kvm_run *run, uint64_t value)
{
	__builtin_memcpy(run->mmio.data, &value, sizeof(value));
}

/* One MMIO exit. The bench device first: that is the path the benchmark times. */
static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr;

	if (addr - BENCH_BASE < BENCH_SIZE) {
		/* Writes (BENCH_DOORBELL and any other offset) are taken and ignored. */
		if (!run->mmio.is_write)
			mmio_set_read(run, addr - BENCH_BASE == BENCH_ID ? BENCH_ID_VALUE : 0);
		return;
	}
	if (addr - UART_BASE < UART_SIZE) {
		if (run->mmio.is_write) {
			if (addr - UART_BASE == UART_DR)
				uart_putc((char)run->mmio.data[0]);
		} else {
			mmio_set_read(run, uart_read(addr - UART_BASE));
		}
		return;
	}
	if (!devices_mmio(addr, run->mmio.len, run->mmio.is_write, run->mmio.data))
		inject_abort(v);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->run;

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) != 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			uart_flush();
			die_errno("KVM_RUN", "vCPU %u", v->id);
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			handle_mmio(v);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			uart_flush();
			switch (run->system_event.type) {
			case KVM_SYSTEM_EVENT_SHUTDOWN:
				exit(EXIT_OK);
			case KVM_SYSTEM_EVENT_RESET:
				errmsg("vCPU %u: the guest asked for a reset (PSCI SYSTEM_RESET)",
				       v->id);
				exit(EXIT_RESET);
			case KVM_SYSTEM_EVENT_CRASH:
				errmsg("vCPU %u: the guest reported a crash", v->id);
				exit(EXIT_RESET);
			default:
				die("vCPU %u: system event %u, which this VMM does not handle",
				    v->id, run->system_event.type);
			}
		case KVM_EXIT_FAIL_ENTRY:
			uart_flush();
			die("vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)",
			    v->id,
			    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			uart_flush();
			die("vCPU %u: KVM internal error %u", v->id, run->internal.suberror);
		default:
			uart_flush();
			die("vCPU %u: exit reason %u, which this VMM does not handle", v->id,
			    run->exit_reason);
		}
	}
}

static void run_vm(struct vm *vm)
{
	pthread_t thread;
	int err;

	/* Output as it comes, one write per line (the UART's line buffer). */
	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 1; i < vm->nr_vcpus; i++) {
		err = pthread_create(&thread, NULL, vcpu_thread, &vm->vcpus[i]);
		if (err != 0) {
			errno = err;
			die_errno("pthread_create", "vCPU %u's thread", i);
		}
	}
	vcpu_thread(&vm->vcpus[0]); /* never returns: the VMM ends on the guest's power-off */
}

/* This thread, and so every vCPU thread it starts, on host CPU cpu only. */
static void pin_to_cpu(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die_errno("sched_setaffinity", "--pin %ld", cpu);
}

/* --pin's argument: a CPU number, or -1 for "none". */
static int parse_pin(const char *s, long *out)
{
	char *end;
	long v;

	if (strcmp(s, "none") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v >= CPU_SETSIZE)
		return -1;
	*out = v;
	return 0;
}

static int parse_mib(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < MIN_MEM_MIB || v > MAX_MEM_MIB)
		return -1;
	*out = v;
	return 0;
}

/* --cpus's argument: 1 to MAX_VCPUS. */
static int parse_cpus(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > MAX_VCPUS)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	struct vm vm;
	struct linux_layout lay;
	const char *guest = NULL, *kernel = NULL, *initrd = NULL, *cmdline = NULL;
	const char *disk = NULL, *tap = NULL;
	uint64_t mem_mib = 0, dtb;
	unsigned cpus = 0, nr_virtio;
	long pin = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf(
			    "usage: " USAGE "\n"
			    "Runs GUEST.bin (a flat binary, entry at its first byte) in a KVM VM\n"
			    "at 0x80000000 with 2 vCPUs, a PL011 at 0x9000000 (output to stdout),\n"
			    "the bench device at 0xa000000 and KVM's vgic-v3, until it powers "
			    "off.\n"
			    "With --kernel, boots an arm64 Linux Image instead (DTB, initrd, no\n"
			    "bench device) and prints the counters of its boot-cost measurement.\n"
			    "  --mem MiB        guest RAM, %u to %u (default %u; %u with "
			    "--kernel)\n"
			    "  --pin CPU|none   run every vCPU thread on host CPU CPU (default "
			    "0),\n"
			    "                   or where the scheduler puts it\n"
			    "  --kernel Image   an arm64 Linux Image\n"
			    "  --initrd FILE    its initrd (with --kernel)\n"
			    "  --cmdline STR    its command line (with --kernel; default \"%s\")\n"
			    "  --cpus N         its vCPUs, 1 to %u (with --kernel; default 1)\n"
			    "  --disk FILE      a virtio-blk over FILE (with --kernel)\n"
			    "  --net tap=NAME   a virtio-net over the tap NAME (with --kernel)\n"
			    "Exit status: 0 the guest powered off, 1 error, 2 wrong usage,\n"
			    "3 the guest asked for a reset or crashed.\n",
			    MIN_MEM_MIB, MAX_MEM_MIB, DEFAULT_MEM_MIB, LINUX_DEFAULT_MEM_MIB,
			    LINUX_DEFAULT_CMDLINE, MAX_VCPUS);
			return EXIT_OK;
		} else if (strcmp(a, "--mem") == 0) {
			if (i + 1 >= argc || parse_mib(argv[i + 1], &mem_mib) != 0) {
				errmsg("--mem needs a size in MiB, %u to %u (usage: " USAGE ")",
				       MIN_MEM_MIB, MAX_MEM_MIB);
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--pin") == 0) {
			if (i + 1 >= argc || parse_pin(argv[i + 1], &pin) != 0) {
				errmsg("--pin needs a CPU number or 'none' (usage: " USAGE ")");
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--cpus") == 0) {
			if (i + 1 >= argc || parse_cpus(argv[i + 1], &cpus) != 0) {
				errmsg("--cpus needs a number, 1 to %u (usage: " USAGE ")",
				       MAX_VCPUS);
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--disk") == 0) {
			if (i + 1 >= argc) {
				errmsg("--disk needs a file (usage: " USAGE ")");
				return EXIT_USAGE;
			}
			disk = argv[++i];
		} else if (strcmp(a, "--net") == 0) {
			if (i + 1 >= argc || strncmp(argv[i + 1], "tap=", 4) != 0 ||
			    argv[i + 1][4] == '\0') {
				errmsg("--net needs tap=NAME (usage: " USAGE ")");
				return EXIT_USAGE;
			}
			tap = argv[++i] + 4;
		} else if (strcmp(a, "--kernel") == 0 || strcmp(a, "--initrd") == 0 ||
			   strcmp(a, "--cmdline") == 0) {
			if (i + 1 >= argc) {
				errmsg("%s needs an argument (usage: " USAGE ")", a);
				return EXIT_USAGE;
			}
			if (a[2] == 'k')
				kernel = argv[++i];
			else if (a[2] == 'i')
				initrd = argv[++i];
			else
				cmdline = argv[++i];
		} else if (a[0] == '-') {
			errmsg("unknown option '%s' (usage: " USAGE ")", a);
			return EXIT_USAGE;
		} else if (guest != NULL) {
			errmsg("one guest only: '%s' and '%s' (usage: " USAGE ")", guest, a);
			return EXIT_USAGE;
		} else {
			guest = a;
		}
	}
	if (kernel != NULL && guest != NULL) {
		errmsg("either GUEST.bin or --kernel, not both (usage: " USAGE ")");
		return EXIT_USAGE;
	}
	if (kernel == NULL &&
	    (initrd != NULL || cmdline != NULL || cpus != 0 || disk != NULL || tap != NULL)) {
		errmsg(
		    "--initrd, --cmdline, --cpus, --disk and --net go with --kernel (usage: " USAGE
		    ")");
		return EXIT_USAGE;
	}
	if (guest == NULL && kernel == NULL) {
		errmsg("no guest (usage: " USAGE ")");
		return EXIT_USAGE;
	}

	if (pin >= 0)
		pin_to_cpu(pin);
	memset(&vm, 0, sizeof(vm));
	if (kernel != NULL) {
		vm.boot_linux = true;
		vm.nr_vcpus = cpus != 0 ? cpus : 1;
		create_vm(&vm, mem_mib != 0 ? mem_mib : LINUX_DEFAULT_MEM_MIB);
		load_linux(&vm, kernel, initrd, &lay);
		nr_virtio = devices_open(disk, tap, vm.ram, RAM_BASE, vm.ram_size, vm.fd);
		dtb = write_linux_dtb(&vm, &lay, cmdline != NULL ? cmdline : LINUX_DEFAULT_CMDLINE,
				      nr_virtio);
		create_vcpus(&vm, RAM_BASE + lay.kernel_off, dtb);
	} else {
		vm.nr_vcpus = NR_VCPUS;
		create_vm(&vm, mem_mib != 0 ? mem_mib : DEFAULT_MEM_MIB);
		load_guest(&vm, guest);
		dtb = write_dtb(&vm);
		create_vcpus(&vm, RAM_BASE, dtb);
	}
	init_vgic(&vm);
	devices_start(); /* the network's receive thread, once the vgic takes interrupts */
	run_vm(&vm);
	return EXIT_FAIL;
}

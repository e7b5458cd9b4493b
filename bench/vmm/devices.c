// SPDX-License-Identifier: MIT
/*
 * The KVM benchmark VMM's virtio devices (devices.h): vmm/'s transport and
 * devices, and hostvmm/'s file and tap ends (io_backend.h), so the guest
 * under KVM sees the devices kcore-vmm gives it, over the same host calls.
 * What differs is only the hypervisor's part: the guest's RAM is this
 * process's own mapping (a bounds-checked copy), and an interrupt is
 * KVM_IRQ_LINE on the VM (an edge: the SPI raised, then lowered). One lock
 * serializes the devices: the vCPU threads' MMIO exits and the network's
 * receive thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/vmm/devices.h"
#include "hostvmm/io_backend.h"
#include "vmm/backend.h"
#include "vmm/guest_layout.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_net.h"

#define SPI_INTID0 32u

/* A locally administered MAC ("kc"), as kcore-vmm's but fixed: one VM. */
static const u8 mac[VIRTIO_NET_MAC_BYTES] = {0x02, 0x6b, 0x63, 0x00, 0x00, 0x01};

/* What a device's interrupt needs: the VM and its SPI. */
struct irq_line {
	int vm_fd;
	u32 spi;
};

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct virtio_mmio *devs[GUEST_VIRTIO_MAX];
static struct irq_line lines[GUEST_VIRTIO_MAX];
static unsigned nr_devs;
static struct virtio_blk blk;
static struct virtio_net net;
static int disk_fd = -1, tap_fd = -1;
static char tap_name[IFNAMSIZ];
static struct tap_rx rx = {.tap_fd = -1, .event_fd = -1};

/* The guest's RAM: the VM's memory region, this process's own mapping. */
struct ram {
	u8 *host;
	u64 base, size;
};

static struct ram ram;

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The host address of [gpa, gpa + len) if it is all RAM, else NULL. */
static u8 *host_addr(const struct ram *r, u64 gpa, u64 len)
{
	if (gpa < r->base || gpa - r->base > r->size || len > r->size - (gpa - r->base))
		return NULL;
	return r->host + (gpa - r->base);
}

static bool ram_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	const u8 *p = host_addr(ctx, gpa, len);

	if (p != NULL)
		memcpy(dst, p, len);
	return p != NULL;
}

static bool ram_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	u8 *p = host_addr(ctx, gpa, len);

	if (p != NULL)
		memcpy(p, src, len);
	return p != NULL;
}

/* The SPI as an edge (the DTB says rising edge): raised and lowered at once. */
static void raise_irq(void *ctx)
{
	const struct irq_line *l = ctx;
	struct kvm_irq_level irq = {.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) |
					   (SPI_INTID0 + l->spi),
				    .level = 1};

	if (ioctl(l->vm_fd, KVM_IRQ_LINE, &irq) != 0)
		vmm_log("KVM_IRQ_LINE of SPI %u: %s", l->spi, strerror(errno));
	irq.level = 0;
	if (ioctl(l->vm_fd, KVM_IRQ_LINE, &irq) != 0)
		vmm_log("KVM_IRQ_LINE of SPI %u (lowering): %s", l->spi, strerror(errno));
}

static void rx_ready(void *ctx)
{
	(void)ctx;
	tap_rx_wake(&rx);
}

static void lock_devs(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&dev_lock);
}

static void unlock_devs(void *ctx)
{
	(void)ctx;
	pthread_mutex_unlock(&dev_lock);
}

__attribute__((noreturn)) static void fail(const char *what, const char *name, const char *why)
{
	fprintf(stderr, "vmm: %s%s: %s\n", what, name, why);
	exit(1);
}

static void open_disk(const char *path)
{
	struct virtio_blk_store s = {.ctx = &disk_fd,
				     .read = file_store_read,
				     .write = file_store_write,
				     .flush = file_store_flush,
				     .id = "kcore-disk0"};
	struct stat st;

	disk_fd = open(path, O_RDWR | O_CLOEXEC);
	if (disk_fd < 0 || fstat(disk_fd, &st) != 0)
		fail("--disk ", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		fail("--disk ", path, "not a regular file");
	s.size = (u64)st.st_size;
	virtio_blk_init(&blk, &s, "virtio-blk");
	devs[nr_devs++] = &blk.t;
}

static void open_net(const char *tap)
{
	const char *why = tap_open(tap, NULL, &tap_fd, tap_name);

	if (why != NULL)
		fail("--net tap=", tap, why);
	if (!tap_rx_init(&rx))
		fail("--net tap=", tap, strerror(errno));
	virtio_net_init(&net, mac, tap_send, rx_ready, &tap_fd, "virtio-net");
	rx = (struct tap_rx){.tap_fd = tap_fd,
			     .net = &net,
			     .lock = lock_devs,
			     .unlock = unlock_devs,
			     .who = "virtio-net",
			     .event_fd = rx.event_fd};
	devs[nr_devs++] = &net.t;
}

unsigned devices_open(const char *disk, const char *tap, uint8_t *host, uint64_t base,
		      uint64_t size, int vm_fd)
{
	struct guest_mem mem = {.ctx = &ram, .read = ram_read, .write = ram_write};

	ram = (struct ram){.host = host, .base = base, .size = size};
	/* kcore-vmm's order: disks first, then the network. */
	if (disk != NULL)
		open_disk(disk);
	if (tap != NULL)
		open_net(tap);
	for (unsigned i = 0; i < nr_devs; i++) {
		lines[i] = (struct irq_line){.vm_fd = vm_fd, .spi = GUEST_VIRTIO_SPI + i};
		devs[i]->mem = mem;
		devs[i]->irq = raise_irq;
		devs[i]->irq_ctx = &lines[i];
	}
	return nr_devs;
}

void devices_start(void)
{
	if (tap_fd >= 0 && !tap_rx_start(&rx))
		fail("--net tap=", tap_name, strerror(errno));
}

bool devices_mmio(uint64_t addr, uint32_t len, bool write, uint8_t data[8])
{
	u64 off = addr - GUEST_VIRTIO_BASE, value = 0;
	unsigned i = (unsigned)(off / GUEST_VIRTIO_STRIDE);

	if (addr < GUEST_VIRTIO_BASE || i >= nr_devs || len == 0 || len > 8)
		return false;
	for (u32 b = 0; write && b < len; b++)
		value |= (u64)data[b] << (8 * b);
	pthread_mutex_lock(&dev_lock);
	value = virtio_mmio_access(devs[i], off % GUEST_VIRTIO_STRIDE, len, write, value);
	pthread_mutex_unlock(&dev_lock);
	for (u32 b = 0; !write && b < 8; b++)
		data[b] = (u8)(value >> (8 * b));
	return true;
}

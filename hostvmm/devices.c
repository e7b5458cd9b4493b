/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm's virtio devices (docs/virtio.md): a virtio-blk per --disk
 * FILE[,ro] over the file (pread/pwrite/fdatasync), a virtio-rng for --rng
 * over getrandom(), a virtio-console for --console virtio whose lines go
 * to stdout as the PL011's do ("[name] line"), a virtio-net for --net
 * (net.c: the tap and its receive thread), each in its window of the guest layout
 * (vmm/guest_layout.h) with its SPI. The transport and the devices are
 * vmm/'s; this file gives them the file, the random bytes, the guest's RAM
 * (guest_ram.c) and the interrupt (KCORE_VM_IOC_IRQ to the vCPU the guest
 * routed the SPI to).
 *
 * A disk is locked (flock: shared when read-only, exclusive otherwise) for
 * as long as kcore-vmm runs, so two VMs never write one file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kcore/kcore_ioctl.h>

#include "hostvmm/hostvmm.h"
#include "hostvmm/io_backend.h"
#include "vmm/backend.h"
#include "vmm/guest_layout.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_console.h"
#include "vmm/virtio_rng.h"

#define IRQ_INTID_SPI0 32u
#define IROUTER_IRM    (1ull << 31) /* "any CPU": vCPU 0 here */
#define NAME_MAX_LEN   (GUEST_NAME_MAX + 24u)

struct disk {
	struct virtio_blk blk;
	int fd;
	const char *path;
};

/* What a device's interrupt needs: its VM and its SPI. */
struct irq_line {
	struct guest *g;
	u32 spi;
};

static struct disk disks[HOSTVMM_MAX_DISKS];
static u32 nr_disks;
static struct virtio_rng rng;
static struct virtio_console console;
static bool has_console;
static struct virtio_mmio *net_dev;
static struct hostvmm_ram ram;
static struct irq_line lines[GUEST_VIRTIO_MAX];
static char names[GUEST_VIRTIO_MAX][NAME_MAX_LEN];

static bool random_fill(void *buf, u32 n)
{
	while (n > 0) {
		ssize_t got = getrandom(buf, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		buf = (u8 *)buf + got;
		n -= (u32)got;
	}
	return true;
}

/*
 * The device's SPI made pending at the vCPU the guest routes it to
 * (GICD_IROUTER's Aff0: kcore-vmm's vCPUs are 0..n-1 in Aff0), vCPU 0 for
 * "any" or a vCPU out of range. Called under g's lock (vmm/exit.c).
 */
static void raise_irq(void *ctx)
{
	const struct irq_line *l = ctx;
	struct guest *g = l->g;
	u64 route = g->gic.spi_route[l->spi];
	u32 vcpu = (route & IROUTER_IRM) == 0 ? (u32)(route & 0xff) : 0;
	struct kcore_irq irq = {.vcpu = vcpu < g->nr_vcpus ? vcpu : 0,
				.intid = IRQ_INTID_SPI0 + l->spi};

	if (ioctl(g->host->vm_fd, KCORE_VM_IOC_IRQ, &irq) != 0)
		vmm_log("VM %s: KCORE_VM_IOC_IRQ of INTID %u to vCPU %u: %s", g->name, irq.intid,
			irq.vcpu, strerror(errno));
}

__attribute__((noreturn)) static void disk_error(const char *path, const char *why)
{
	fprintf(stderr, "kcore-vmm: --disk %s: %s\n", path, why);
	exit(HOSTVMM_FILE);
}

static void open_disk(struct guest *g, const struct hostvmm_disk_arg *a)
{
	struct disk *d = &disks[nr_disks];
	struct virtio_blk_store s = {.ctx = &d->fd,
				     .ro = a->ro,
				     .read = file_store_read,
				     .write = file_store_write,
				     .flush = file_store_flush};
	struct stat st;
	char *name = names[g->nr_virtio];

	d->path = a->path;
	d->fd = open(a->path, (a->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st) != 0)
		disk_error(a->path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		disk_error(a->path, "not a regular file or a block device");
	if (flock(d->fd, (a->ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0)
		disk_error(a->path, errno == EWOULDBLOCK ? "in use (locked by another program)"
							 : strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(d->fd, 0, SEEK_END);

		if (end < 0)
			disk_error(a->path, strerror(errno));
		s.size = (u64)end;
	} else {
		s.size = (u64)st.st_size;
	}
	/* The serial the guest reads (T_GET_ID): which disk of the command line. */
	snprintf(s.id, sizeof(s.id), "kcore-disk%u", nr_disks);
	snprintf(name, NAME_MAX_LEN, "VM %s: virtio-blk %u", g->name, nr_disks);
	virtio_blk_init(&d->blk, &s, name);
	g->virtio[g->nr_virtio++] = &d->blk.t;
	nr_disks++;
}

/* A line of the virtio console's port 0: printed as the PL011's (under g's lock, vmm/exit.c). */
static void console_line(void *ctx, const char *line)
{
	vmm_guest_line(ctx, line);
}

void hostvmm_devices_open(struct guest *g, const struct hostvmm_disk_arg *args, u32 n,
			  bool want_rng, bool want_console, const struct hostvmm_net_arg *net)
{
	for (u32 i = 0; i < n; i++)
		open_disk(g, &args[i]);
	if (want_rng) {
		snprintf(names[g->nr_virtio], NAME_MAX_LEN, "VM %s: virtio-rng", g->name);
		virtio_rng_init(&rng, random_fill, names[g->nr_virtio]);
		g->virtio[g->nr_virtio++] = &rng.t;
	}
	if (want_console) {
		snprintf(names[g->nr_virtio], NAME_MAX_LEN, "VM %s: virtio-console", g->name);
		virtio_console_init(&console, console_line, g, names[g->nr_virtio]);
		g->virtio[g->nr_virtio++] = &console.t;
		has_console = true;
	}
	if (net->tap != NULL || net->bridge != NULL) {
		snprintf(names[g->nr_virtio], NAME_MAX_LEN, "VM %s: virtio-net", g->name);
		net_dev = hostvmm_net_open(g, net, names[g->nr_virtio]);
		g->virtio[g->nr_virtio++] = net_dev;
	}
}

void hostvmm_devices_print(FILE *out, const struct guest *g)
{
	for (u32 i = 0; i < g->nr_virtio; i++) {
		if (i < nr_disks)
			fprintf(out,
				"kcore-vmm: VM %s: virtio-blk at 0x%llx (SPI %u): %s, %llu "
				"sectors%s\n",
				g->name, (unsigned long long)guest_virtio_base(i),
				GUEST_VIRTIO_SPI + i, disks[i].path,
				(unsigned long long)(disks[i].blk.store.size / VIRTIO_BLK_SECTOR),
				disks[i].blk.store.ro ? ", read-only" : "");
		else if (g->virtio[i] == net_dev) {
			char what[64];

			hostvmm_net_describe(what, sizeof(what));
			fprintf(out, "kcore-vmm: VM %s: virtio-net at 0x%llx (SPI %u): %s\n",
				g->name, (unsigned long long)guest_virtio_base(i),
				GUEST_VIRTIO_SPI + i, what);
		} else
			fprintf(out, "kcore-vmm: VM %s: %s at 0x%llx (SPI %u)\n", g->name,
				g->virtio[i] == &console.t ? "virtio-console" : "virtio-rng",
				(unsigned long long)guest_virtio_base(i), GUEST_VIRTIO_SPI + i);
	}
}

bool hostvmm_devices_start(struct guest *g)
{
	struct guest_mem mem;

	if (g->nr_virtio == 0)
		return true;
	if (!hostvmm_ram_map(&ram, g->host->vm_fd, g->lay.ram_base, g->lay.ram_size)) {
		fprintf(stderr, "kcore-vmm: mmap of the VM's RAM for its devices: %s\n",
			strerror(errno));
		return false;
	}
	mem = hostvmm_ram_mem(&ram);
	for (u32 i = 0; i < g->nr_virtio; i++) {
		lines[i] = (struct irq_line){.g = g, .spi = GUEST_VIRTIO_SPI + i};
		g->virtio[i]->mem = mem;
		g->virtio[i]->irq = raise_irq;
		g->virtio[i]->irq_ctx = &lines[i];
	}
	return hostvmm_net_start();
}

void hostvmm_devices_stop(struct guest *g)
{
	hostvmm_net_stop(); /* its thread writes the RAM: gone before the unmap */
	if (has_console) {
		vmm_vm_lock(g);
		virtio_console_flush(&console); /* a last line without its newline */
		vmm_vm_unlock(g);
	}
	hostvmm_ram_unmap(&ram);
	for (u32 i = 0; i < nr_disks; i++)
		close(disks[i].fd);
	nr_disks = 0;
}

/* SPDX-License-Identifier: MIT */
/* FAKE_KCORE=virtio: fake_virtio.h says what it plays. */
#define _GNU_SOURCE
#include "fake_virtio.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <kcore/payload.h>

#define VIRTIO_BASE 0x0a010000ull
#define RAM_BASE    KCORE_GUEST_RAM_BASE
#define DESC	    0x1000u
#define AVAIL	    0x2000u
#define USED	    0x3000u
#define HDR	    0x8000u
#define STATUS	    0x9000u
#define DATA	    0x10000u
#define PRIVATE	    (2u << 20) /* past FAKE_RAM_SHARED */
#define QNUM	    8u
#define INTID	    48u /* SPI 16 */

static bool console; /* FAKE_KCORE=vconsole: device 0 is a virtio-console */
static bool net;     /* FAKE_KCORE=vnet: device 0 is a virtio-net */
static int memfd = -1;
static uint8_t *ram;
static unsigned irqs, step;
/* virtio-blk's second round: the device reset, set up again, a second private buffer. */
static bool again;
static bool pending_read;
static unsigned long long want_value, want_mask;

int fake_virtio_create(unsigned long long ram_size, bool is_console, bool is_net)
{
	console = is_console;
	net = is_net;
	memfd = memfd_create("fake-guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, FAKE_RAM_SHARED) != 0)
		return -1;
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	return ram == MAP_FAILED ? -1 : 0;
}

int fake_virtio_memfd(void)
{
	return memfd;
}

int fake_virtio_irq(const struct kcore_irq *irq)
{
	if (irq->intid != INTID || irq->vcpu != 0 || irq->reserved != 0) {
		errno = EINVAL;
		return -1;
	}
	__atomic_fetch_add(&irqs, 1, __ATOMIC_SEQ_CST); /* vnet: from the receive thread */
	return 0;
}

static void set_desc(unsigned i, uint64_t gpa, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + DESC + 16ul * i;

	memcpy(d, &gpa, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* A T_IN of sector 0 into data (a guest address), offered as avail entry n. */
static void offer_read(uint64_t data, uint16_t n)
{
	uint32_t type = 0;
	uint64_t sector = 0;
	uint16_t idx = (uint16_t)(n + 1);

	memset(ram + HDR, 0, 16);
	memcpy(ram + HDR, &type, 4);
	memcpy(ram + HDR + 8, &sector, 8);
	ram[STATUS] = 0xff;
	set_desc(0, RAM_BASE + HDR, 16, 1, 1);
	set_desc(1, data, 512, 1 | 2, 2);
	set_desc(2, RAM_BASE + STATUS, 1, 2, 0);
	memcpy(ram + AVAIL + 4 + 2ul * n, &(uint16_t){0}, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(ram + AVAIL + 2, &idx, 2);
}

/* Port 0's transmit buffer: a line, then a last one without its newline. */
static void offer_console(void)
{
	static const char text[] = "hi from hvc0\nbye";
	uint16_t idx = 1;

	memcpy(ram + DATA, text, sizeof(text) - 1);
	set_desc(0, RAM_BASE + DATA, sizeof(text) - 1, 0, 0);
	memcpy(ram + AVAIL + 4, &(uint16_t){0}, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(ram + AVAIL + 2, &idx, 2);
}

static bool console_done(void)
{
	uint16_t used;

	memcpy(&used, ram + USED + 2, 2);
	return used == 1;
}

static bool first_read_done(void)
{
	uint16_t used;

	memcpy(&used, ram + USED + 2, 2);
	if (used != 1 || ram[STATUS] != 0)
		return false;
	for (unsigned i = 0; i < 512; i++)
		if (ram[DATA + i] != 'k')
			return false;
	return true;
}

static void reg(struct kcore_vcpu_run *r, unsigned off, bool write, unsigned long long v)
{
	r->out.reason = KC_EXIT_MMIO;
	r->out.mmio.ipa = VIRTIO_BASE + off;
	r->out.mmio.size = 4;
	r->out.mmio.is_write = write;
	r->out.mmio.value = write ? v : 0;
	pending_read = !write;
	want_value = v;
	want_mask = ~0ull;
}

/* A broadcast frame sent out of $FAKE_TAP: what kcore-vmm's receive thread reads. */
static bool send_frame(void)
{
	const char *tap = getenv("FAKE_TAP");
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_halen = 6};
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	bool ok;

	to.sll_ifindex = tap != NULL ? (int)if_nametoindex(tap) : 0;
	memset(to.sll_addr, 0xff, 6);
	ok = s >= 0 && to.sll_ifindex != 0 &&
	     sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) ==
		 (ssize_t)sizeof(frame);
	if (s >= 0)
		close(s);
	return ok;
}

static int bad(const char *why)
{
	fprintf(stderr, "fake_kcore: virtio: step %u: %s\n", step, why);
	errno = EINVAL;
	return -1;
}

/* vnet from step 14: the receive buffer in the "private" page, a frame, the status polled. */
static int vnet_run(struct kcore_vcpu_run *r)
{
	static unsigned polls;
	uint16_t idx = 1;

	memset(&r->out, 0, sizeof(r->out));
	if (step == 14) {
		set_desc(0, RAM_BASE + PRIVATE, 12 + 1514, 2, 0);
		memcpy(ram + AVAIL + 4, &(uint16_t){0}, 2);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(ram + AVAIL + 2, &idx, 2);
		if (!send_frame())
			return bad("no frame sent into $FAKE_TAP");
		step++;
		reg(r, 0x050, true, 0);
		return 0;
	}
	if (step > 15 && (r->in.mmio_value & 0x40) != 0) {
		if (__atomic_load_n(&irqs, __ATOMIC_SEQ_CST) != 1)
			return bad("not one interrupt (config)");
		r->out.reason = KC_EXIT_POWEROFF;
		return 0;
	}
	if (polls++ == 500)
		return bad("the receive buffer in a private page never broke the device");
	if (step > 15)
		usleep(10 * 1000);
	step++;
	reg(r, 0x070, false, 0);
	pending_read = false; /* looked at above */
	return 0;
}

int fake_virtio_run(struct kcore_vcpu_run *r)
{
	if (step != 0 && r->in.flags != KC_RUN_MMIO_DONE)
		return bad("no MMIO completion");
	if (net && step >= 14)
		return vnet_run(r);
	if (pending_read && (r->in.mmio_value & want_mask) != want_value)
		return bad("a register read the wrong value");
	memset(&r->out, 0, sizeof(r->out));
	switch (step++) {
	case 0:
		reg(r, 0x000, false, 0x74726976);
		break; /* magic */
	case 1:
		reg(r, 0x070, true, 0);
		break;
	case 2:
		reg(r, 0x070, true, 3);
		break; /* ACKNOWLEDGE | DRIVER */
	case 3:
		reg(r, 0x024, true, 1);
		break;
	case 4:
		reg(r, 0x020, true, 3);
		break; /* VERSION_1 | ACCESS_PLATFORM */
	case 5:
		reg(r, 0x070, true, 11);
		break; /* FEATURES_OK */
	case 6:
		reg(r, 0x070, false, 11);
		break;
	case 7:
		reg(r, 0x030, true, console ? 1 : 0); /* the console's transmit queue */
		break;
	case 8:
		reg(r, 0x038, true, QNUM);
		break;
	case 9:
		reg(r, 0x080, true, RAM_BASE + DESC);
		break;
	case 10:
		reg(r, 0x090, true, RAM_BASE + AVAIL);
		break;
	case 11:
		reg(r, 0x0a0, true, RAM_BASE + USED);
		break;
	case 12:
		reg(r, 0x044, true, 1);
		break;
	case 13:
		reg(r, 0x070, true, 15);
		break; /* DRIVER_OK */
	case 14:
		if (console)
			offer_console();
		else
			offer_read(RAM_BASE + (again ? PRIVATE : DATA), 0);
		reg(r, 0x050, true, console ? 1 : 0);
		break;
	case 15:
		if (again) {
			/* A second SIGBUS in the same thread: handled as the first was. */
			step = 19;
			reg(r, 0x070, false, 0x40);
			want_mask = 0x40;
			break;
		}
		if (!(console ? console_done() : first_read_done()) || irqs != 1)
			return bad("sector 0 did not come, or no interrupt");
		reg(r, 0x060, false, 1); /* InterruptStatus: used */
		break;
	case 16:
		reg(r, 0x064, true, 1);
		break;
	case 17:
		if (console) {
			r->out.reason = KC_EXIT_POWEROFF;
			pending_read = false;
			break;
		}
		offer_read(RAM_BASE + PRIVATE, 1);
		reg(r, 0x050, true, 0);
		break;
	case 18:
		reg(r, 0x070, false, 0x40); /* DEVICE_NEEDS_RESET */
		want_mask = 0x40;
		break;
	default:
		if (irqs != (again ? 3u : 2u))
			return bad(again ? "not three interrupts (used, config, config)"
					 : "not two interrupts (used, config)");
		if (!again) {
			/* Reset (status 0), then the setup again from step 1. */
			again = true;
			step = 1;
			reg(r, 0x070, true, 0);
			break;
		}
		r->out.reason = KC_EXIT_POWEROFF;
		pending_read = false;
		break;
	}
	return 0;
}

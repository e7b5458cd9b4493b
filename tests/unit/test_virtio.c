/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio devices of vmm/ (virtio_mmio.c, virtqueue.c, virtio_blk.c,
 * virtio_rng.c, virtio_console.c, virtio_net.c) against a guest RAM held in a buffer, with this
 * test as the driver: feature negotiation, a write and a read round trip through the disk, the
 * per-request errors (a sector out of range, a read-only disk, an unknown type), GET_ID and FLUSH,
 * random bytes, console lines; and the malformed rings that must break only the device
 * (DEVICE_NEEDS_RESET and a config interrupt, one log line): a descriptor outside the RAM, a
 * descriptor loop, a chain too long, the avail index too far ahead, a page the host cannot reach
 * (the faulting accessor), and a reset bringing it back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vmm/backend.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_console.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtio_net.h"
#include "vmm/virtio_rng.h"

static char last_log[512];
static unsigned logs;

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	logs++;
}

/* ---- the guest's RAM, and a page of it the host cannot reach ---------------------------- */

#define RAM_BASE   0x80000000ull
#define RAM_SIZE   (8ull << 20)
#define DESC_GPA   (RAM_BASE + 0x1000)
#define AVAIL_GPA  (RAM_BASE + 0x2000)
#define USED_GPA   (RAM_BASE + 0x3000)
#define DATA_GPA   (RAM_BASE + 0x10000)
#define HDR_GPA	   (RAM_BASE + 0x8000)
#define STATUS_GPA (RAM_BASE + 0x9000)
#define QNUM	   8u

static uint8_t ram[RAM_SIZE];
static uint64_t private_page; /* a page that faults (0: none) */
static unsigned irqs;

static bool ram_range(uint64_t gpa, uint64_t len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE))
		return false;
	return private_page == 0 || gpa + len <= private_page || gpa >= private_page + 4096;
}

static bool ram_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	if (!ram_range(gpa, len))
		return false;
	memcpy(dst, ram + (gpa - RAM_BASE), len);
	return true;
}

static bool ram_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (!ram_range(gpa, len))
		return false;
	memcpy(ram + (gpa - RAM_BASE), src, len);
	return true;
}

static void count_irq(void *ctx)
{
	(void)ctx;
	irqs++;
}

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

/* ---- the disk ------------------------------------------------------------------------------ */

#define DISK_SECTORS 64u
static uint8_t disk[DISK_SECTORS * VIRTIO_BLK_SECTOR];
static unsigned flushes;

static bool disk_read(void *ctx, u64 off, void *dst, u64 len)
{
	(void)ctx;
	memcpy(dst, disk + off, len);
	return true;
}

static bool disk_write(void *ctx, u64 off, const void *src, u64 len)
{
	(void)ctx;
	memcpy(disk + off, src, len);
	return true;
}

static bool disk_flush(void *ctx)
{
	(void)ctx;
	flushes++;
	return true;
}

static bool fake_random(void *buf, u32 n)
{
	memset(buf, 0x5a, n);
	return true;
}

/* ---- the driver's side --------------------------------------------------------------------- */

static u32 rd(struct virtio_mmio *t, u64 off)
{
	return (u32)virtio_mmio_access(t, off, 4, false, 0);
}

static void wr(struct virtio_mmio *t, u64 off, u32 v)
{
	virtio_mmio_access(t, off, 4, true, v);
}

static void setup(struct virtio_mmio *t)
{
	memset(ram, 0, sizeof(ram));
	private_page = 0;
	irqs = 0;
	logs = 0;
	t->mem = (struct guest_mem){.read = ram_read, .write = ram_write};
	t->irq = count_irq;
}

/* The driver's bring-up (virtio 1.x 3.1.1) with features; whether FEATURES_OK stuck. */
static bool negotiate(struct virtio_mmio *t, uint64_t features)
{
	wr(t, 0x070, 0);
	wr(t, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(t, 0x024, 0);
	wr(t, 0x020, (u32)features);
	wr(t, 0x024, 1);
	wr(t, 0x020, (u32)(features >> 32));
	wr(t, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return (rd(t, 0x070) & VIRTIO_STATUS_FEATURES_OK) != 0;
}

/* Negotiated, queue q set up with QNUM entries, DRIVER_OK. */
static void bring_up_queue(struct virtio_mmio *t, u32 q)
{
	assert_true(negotiate(t, VIRTIO_TRANSPORT_FEATURES));
	wr(t, 0x030, q);
	wr(t, 0x038, QNUM);
	wr(t, 0x080, (u32)DESC_GPA);
	wr(t, 0x084, 0);
	wr(t, 0x090, (u32)AVAIL_GPA);
	wr(t, 0x094, 0);
	wr(t, 0x0a0, (u32)USED_GPA);
	wr(t, 0x0a4, 0);
	wr(t, 0x044, 1);
	assert_int_equal(rd(t, 0x044), 1);
	wr(t, 0x070, rd(t, 0x070) | VIRTIO_STATUS_DRIVER_OK);
}

static void bring_up(struct virtio_mmio *t)
{
	bring_up_queue(t, 0);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = at(DESC_GPA + 16ull * i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Offers the chain at head as the avail ring's next entry and notifies queue q. */
static void offer_queue(struct virtio_mmio *t, uint16_t head, u32 q)
{
	uint16_t idx;

	memcpy(&idx, at(AVAIL_GPA + 2), 2);
	put16(at(AVAIL_GPA + 4 + 2ull * (idx % QNUM)), head);
	put16(at(AVAIL_GPA + 2), (uint16_t)(idx + 1));
	wr(t, 0x050, q);
}

static void offer(struct virtio_mmio *t, uint16_t head)
{
	offer_queue(t, head, 0);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, at(USED_GPA + 2), 2);
	return v;
}

static uint32_t used_len(unsigned n)
{
	uint32_t v;

	memcpy(&v, at(USED_GPA + 4 + 8ull * (n % QNUM) + 4), 4);
	return v;
}

/* A blk request: header, data (len bytes at DATA_GPA, device-writable for T_IN), status. */
static void blk_request(struct virtio_mmio *t, uint32_t type, uint64_t sector, uint32_t len)
{
	uint8_t *h = at(HDR_GPA);
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;

	memset(h, 0, 16);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	*at(STATUS_GPA) = 0xff;
	set_desc(0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	if (len != 0) {
		set_desc(1, DATA_GPA, len, VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0), 2);
		set_desc(2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		set_desc(1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	offer(t, 0);
}

static struct virtio_blk blk;

static void blk_setup(bool ro)
{
	struct virtio_blk_store s = {.size = sizeof(disk) + 100, /* a partial sector: not seen */
				     .ro = ro,
				     .read = disk_read,
				     .write = disk_write,
				     .flush = disk_flush,
				     .id = "kcore-test-disk"};

	memset(disk, 0, sizeof(disk));
	flushes = 0;
	virtio_blk_init(&blk, &s, "test: virtio-blk");
	setup(&blk.t);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_identity_and_features(void **state)
{
	struct virtio_mmio *t = &blk.t;

	(void)state;
	blk_setup(false);
	assert_int_equal(rd(t, 0x000), VIRTIO_MMIO_MAGIC);
	assert_int_equal(rd(t, 0x004), 2);
	assert_int_equal(rd(t, 0x008), VIRTIO_ID_BLOCK);
	wr(t, 0x014, 1);
	assert_int_equal(rd(t, 0x010), 3); /* VERSION_1 | ACCESS_PLATFORM */
	wr(t, 0x014, 0);
	assert_true((rd(t, 0x010) & VIRTIO_BLK_F_FLUSH) != 0);
	assert_true((rd(t, 0x010) & VIRTIO_BLK_F_RO) == 0);
	/* capacity: 64 sectors, the partial one not counted; any access size */
	assert_int_equal(virtio_mmio_access(t, 0x100, 8, false, 0), DISK_SECTORS);
	assert_int_equal(virtio_mmio_access(t, 0x100, 1, false, 0), DISK_SECTORS);
	assert_int_equal(rd(t, 0x10c), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(virtio_mmio_access(t, 0x10e, 4, false, 0), 0); /* past the config */
	/* FEATURES_OK refused without ACCESS_PLATFORM, without VERSION_1, with a bit not offered */
	assert_false(negotiate(t, VIRTIO_F_VERSION_1));
	assert_false(negotiate(t, VIRTIO_F_ACCESS_PLATFORM));
	assert_false(negotiate(t, VIRTIO_TRANSPORT_FEATURES | (1ull << 28))); /* INDIRECT_DESC */
	assert_true(negotiate(t, VIRTIO_TRANSPORT_FEATURES | VIRTIO_BLK_F_FLUSH));
	/* a misaligned ring: the queue does not go ready */
	wr(t, 0x038, QNUM);
	wr(t, 0x080, (u32)DESC_GPA + 8);
	wr(t, 0x090, (u32)AVAIL_GPA);
	wr(t, 0x0a0, (u32)USED_GPA);
	wr(t, 0x044, 1);
	assert_int_equal(rd(t, 0x044), 0);
	/* a queue size above the maximum: not ready either */
	wr(t, 0x080, (u32)DESC_GPA);
	wr(t, 0x038, VIRTQ_NUM_MAX + 1);
	wr(t, 0x044, 1);
	assert_int_equal(rd(t, 0x044), 0);
}

static void test_blk_round_trip(void **state)
{
	struct virtio_mmio *t = &blk.t;

	(void)state;
	blk_setup(false);
	/* a request before the driver negotiated: ignored, nothing used */
	bring_up(t);
	wr(t, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	blk_request(t, VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(used_idx(), 0);
	assert_int_equal(*at(STATUS_GPA), 0xff);
	wr(t, 0x070, 0);
	memset(at(AVAIL_GPA), 0, 4096);
	bring_up(t);
	for (unsigned i = 0; i < 1024; i++)
		at(DATA_GPA)[i] = (uint8_t)(i * 7 + 1);
	blk_request(t, VIRTIO_BLK_T_OUT, 3, 1024);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 1);
	assert_memory_equal(disk + 3ul * 512, at(DATA_GPA), 1024);
	assert_int_equal(irqs, 1);
	assert_int_equal(rd(t, 0x060), VIRTIO_INT_USED);
	wr(t, 0x064, VIRTIO_INT_USED);
	assert_int_equal(rd(t, 0x060), 0);

	memset(at(DATA_GPA), 0, 1024);
	blk_request(t, VIRTIO_BLK_T_IN, 3, 1024);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(used_len(1), 1025);
	assert_memory_equal(disk + 3ul * 512, at(DATA_GPA), 1024);
	assert_int_equal(at(DATA_GPA)[5], 36);

	blk_request(t, VIRTIO_BLK_T_FLUSH, 0, 0);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	assert_int_equal(flushes, 1);
	blk_request(t, VIRTIO_BLK_T_GET_ID, 0, 20);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	assert_string_equal((char *)at(DATA_GPA), "kcore-test-disk");
	blk_request(t, 99, 0, 0);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_UNSUPP);
	assert_false(virtio_mmio_broken(t));
	assert_int_equal(logs, 0);
}

static void test_blk_errors(void **state)
{
	struct virtio_mmio *t = &blk.t;

	(void)state;
	blk_setup(false);
	bring_up(t);
	/* the last sector and one past it; a sector so large the end wraps; half a sector */
	blk_request(t, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	blk_request(t, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	assert_int_equal(used_len(1), 1);
	blk_request(t, VIRTIO_BLK_T_OUT, UINT64_MAX, 512);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	blk_request(t, VIRTIO_BLK_T_OUT, 0, 100);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	assert_false(virtio_mmio_broken(t));

	/* read-only: RO offered, writes refused, the disk unchanged */
	blk_setup(true);
	wr(t, 0x014, 0);
	assert_true((rd(t, 0x010) & VIRTIO_BLK_F_RO) != 0);
	bring_up(t);
	memset(at(DATA_GPA), 0xee, 512);
	blk_request(t, VIRTIO_BLK_T_OUT, 0, 512);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk[0], 0);
	blk_request(t, VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
}

/* The device broke: NEEDS_RESET, a config interrupt, one log line; notifies are ignored. */
static void assert_broken(struct virtio_mmio *t, uint16_t used_before)
{
	assert_true((rd(t, 0x070) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0);
	assert_true((rd(t, 0x060) & VIRTIO_INT_CONFIG) != 0);
	assert_int_equal(logs, 1);
	assert_non_null(strstr(last_log, "needs a reset"));
	assert_int_equal(used_idx(), used_before);
	blk_request(t, VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(used_idx(), used_before);
	assert_int_equal(logs, 1);
	/* the driver cannot clear it but by a reset */
	wr(t, 0x070, rd(t, 0x070) & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_true((rd(t, 0x070) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0);
}

static void test_blk_malformed(void **state)
{
	struct virtio_mmio *t = &blk.t;

	(void)state;
	/* a data descriptor outside the RAM */
	blk_setup(false);
	bring_up(t);
	set_desc(0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, RAM_BASE + RAM_SIZE - 256, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(t, 0);
	assert_broken(t, 0);
	assert_non_null(strstr(last_log, "cannot reach"));

	/* the descriptor table itself outside the RAM */
	blk_setup(false);
	bring_up(t);
	wr(t, 0x044, 0);
	wr(t, 0x080, 0x1000);
	wr(t, 0x044, 1);
	offer(t, 0);
	assert_broken(t, 0);

	/* a loop: 0 -> 1 -> 0 */
	blk_setup(false);
	bring_up(t);
	set_desc(0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 0);
	offer(t, 0);
	assert_broken(t, 0);
	assert_non_null(strstr(last_log, "loop"));

	/* a chain of too many bytes: 3 x 2 MiB */
	blk_setup(false);
	bring_up(t);
	set_desc(0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	for (unsigned i = 1; i < 4; i++)
		set_desc(i, RAM_BASE + (2ull << 20), 2u << 20,
			 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(i + 1));
	set_desc(4, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(t, 0);
	assert_broken(t, 0);
	assert_non_null(strstr(last_log, "VIRTQ_CHAIN_MAX_BYTES"));

	/* a head out of the queue, then the avail index far ahead */
	blk_setup(false);
	bring_up(t);
	offer(t, QNUM);
	assert_broken(t, 0);
	blk_setup(false);
	bring_up(t);
	put16(at(AVAIL_GPA + 2), QNUM + 1);
	wr(t, 0x050, 0);
	assert_broken(t, 0);

	/* a readable descriptor after a writable one; an indirect one */
	blk_setup(false);
	bring_up(t);
	set_desc(0, STATUS_GPA, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(1, HDR_GPA, 16, 0, 0);
	offer(t, 0);
	assert_broken(t, 0);
	blk_setup(false);
	bring_up(t);
	set_desc(0, HDR_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(t, 0);
	assert_broken(t, 0);

	/* a reset brings it back: a request after a new bring-up works */
	wr(t, 0x070, 0);
	assert_int_equal(rd(t, 0x070), 0);
	assert_int_equal(rd(t, 0x060), 0);
	memset(at(AVAIL_GPA), 0, 4096);
	memset(at(USED_GPA), 0, 4096);
	bring_up(t);
	blk_request(t, VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(*at(STATUS_GPA), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(), 1);
}

static void test_blk_faulting_page(void **state)
{
	struct virtio_mmio *t = &blk.t;

	(void)state;
	/* the data buffer in a page the guest does not share: the accessor fails */
	blk_setup(false);
	bring_up(t);
	private_page = DATA_GPA;
	blk_request(t, VIRTIO_BLK_T_IN, 0, 1024);
	assert_broken(t, 0);
	assert_int_equal(*at(STATUS_GPA), 0xff); /* no status: the request never completed */
	/* the used ring in such a page */
	blk_setup(false);
	bring_up(t);
	private_page = USED_GPA;
	blk_request(t, VIRTIO_BLK_T_IN, 0, 512);
	assert_true(virtio_mmio_broken(t));
	assert_non_null(strstr(last_log, "used ring"));
}

static void test_rng(void **state)
{
	static struct virtio_rng rng;
	struct virtio_mmio *t = &rng.t;

	(void)state;
	virtio_rng_init(&rng, fake_random, "test: virtio-rng");
	setup(t);
	assert_int_equal(rd(t, 0x008), VIRTIO_ID_RNG);
	bring_up(t);
	set_desc(0, DATA_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(t, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 64);
	assert_int_equal(at(DATA_GPA)[63], 0x5a);
	assert_int_equal(at(DATA_GPA)[64], 0);
	/* a larger buffer gets VIRTIO_RNG_CHAIN_MAX bytes */
	set_desc(0, DATA_GPA, 3 * VIRTIO_RNG_CHAIN_MAX, VIRTQ_DESC_F_WRITE, 0);
	offer(t, 0);
	assert_int_equal(used_len(1), VIRTIO_RNG_CHAIN_MAX);
	assert_int_equal(irqs, 2);
	/* a device-readable buffer breaks it */
	set_desc(0, DATA_GPA, 64, 0, 0);
	offer(t, 0);
	assert_true(virtio_mmio_broken(t));
	assert_int_equal(used_idx(), 2);
}

static char console_lines[4][VUART_LINE_MAX];
static unsigned nr_console_lines;

static void console_line(void *ctx, const char *line)
{
	(void)ctx;
	if (nr_console_lines < 4)
		snprintf(console_lines[nr_console_lines], VUART_LINE_MAX, "%s", line);
	nr_console_lines++;
}

/* Port 0's transmit queue (1) takes s as one buffer. */
static void console_send(struct virtio_mmio *t, const char *s)
{
	memcpy(at(DATA_GPA), s, strlen(s));
	set_desc(0, DATA_GPA, (uint32_t)strlen(s), 0, 0);
	offer_queue(t, 0, 1);
}

static void test_console(void **state)
{
	static struct virtio_console con;
	struct virtio_mmio *t = &con.t;

	(void)state;
	nr_console_lines = 0;
	virtio_console_init(&con, console_line, NULL, "test: virtio-console");
	setup(t);
	assert_int_equal(rd(t, 0x008), VIRTIO_ID_CONSOLE);
	wr(t, 0x030, 2);
	assert_int_equal(rd(t, 0x034), 0); /* two queues only */
	bring_up_queue(t, 1);
	console_send(t, "hello\r\nwor");
	assert_int_equal(nr_console_lines, 1);
	assert_string_equal(console_lines[0], "hello");
	console_send(t, "ld\x1b\n");
	assert_int_equal(nr_console_lines, 2);
	assert_string_equal(console_lines[1], "world?"); /* the escape made harmless */
	assert_int_equal(used_idx(), 2);
	assert_int_equal(irqs, 2);
	console_send(t, "tail");
	virtio_console_flush(&con);
	assert_int_equal(nr_console_lines, 3);
	assert_string_equal(console_lines[2], "tail");
	/* the receive queue is never used: a notify of it does nothing */
	wr(t, 0x050, 0);
	assert_false(virtio_mmio_broken(t));
	/* a device-writable transmit buffer breaks it */
	set_desc(0, DATA_GPA, 16, VIRTQ_DESC_F_WRITE, 0);
	offer_queue(t, 0, 1);
	assert_true(virtio_mmio_broken(t));
	assert_int_equal(nr_console_lines, 3);
}

/* ---- virtio-net: queue 0 (rx) at the usual rings, queue 1 (tx) at rings NET_TX_OFF above ---- */

#define NET_TX_OFF     0x100000ull
#define NET_TX_DESC(i) (DESC_GPA + NET_TX_OFF + 16ull * (i))

static struct virtio_net net;
static uint8_t sent[2][VIRTIO_NET_FRAME_MAX + 64];
static uint32_t sent_len[2];
static unsigned nr_sent, rx_kicks;
static bool backend_refuses;

static bool net_send(void *ctx, const void *frame, u32 len)
{
	(void)ctx;
	if (backend_refuses)
		return false;
	if (nr_sent < 2) {
		memcpy(sent[nr_sent], frame, len);
		sent_len[nr_sent] = len;
	}
	nr_sent++;
	return true;
}

static void net_rx_ready(void *ctx)
{
	(void)ctx;
	rx_kicks++;
}

static void net_setup(void)
{
	static const u8 mac[VIRTIO_NET_MAC_BYTES] = {0x02, 0x6b, 0x63, 1, 2, 3};
	struct virtio_mmio *t = &net.t;

	virtio_net_init(&net, mac, net_send, net_rx_ready, NULL, "test: virtio-net");
	setup(t);
	nr_sent = rx_kicks = 0;
	backend_refuses = false;
	bring_up_queue(t, 0);
	wr(t, 0x030, 1);
	wr(t, 0x038, QNUM);
	wr(t, 0x080, (u32)(DESC_GPA + NET_TX_OFF));
	wr(t, 0x090, (u32)(AVAIL_GPA + NET_TX_OFF));
	wr(t, 0x0a0, (u32)(USED_GPA + NET_TX_OFF));
	wr(t, 0x044, 1);
	assert_int_equal(rd(t, 0x044), 1);
}

static void set_tx_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = at(NET_TX_DESC(i));

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Offers the tx chain at head (the tx rings) and notifies queue 1. */
static void tx_offer(uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, at(AVAIL_GPA + NET_TX_OFF + 2), 2);
	put16(at(AVAIL_GPA + NET_TX_OFF + 4 + 2ull * (idx % QNUM)), head);
	put16(at(AVAIL_GPA + NET_TX_OFF + 2), (uint16_t)(idx + 1));
	wr(&net.t, 0x050, 1);
}

static uint16_t tx_used_idx(void)
{
	uint16_t v;

	memcpy(&v, at(USED_GPA + NET_TX_OFF + 2), 2);
	return v;
}

/* Offers an rx buffer of len bytes at DATA_GPA as the rx queue's next entry (no notify check). */
static void rx_offer(uint32_t len, uint16_t flags)
{
	set_desc(0, DATA_GPA, len, flags, 0);
	offer(&net.t, 0);
}

static void test_net_identity(void **state)
{
	struct virtio_mmio *t = &net.t;

	(void)state;
	net_setup();
	assert_int_equal(rd(t, 0x008), VIRTIO_ID_NET);
	wr(t, 0x014, 0);
	assert_int_equal(rd(t, 0x010), (u32)VIRTIO_NET_F_MAC);
	assert_int_equal(virtio_mmio_access(t, 0x100, 1, false, 0), 0x02);
	assert_int_equal(virtio_mmio_access(t, 0x105, 1, false, 0), 3);
	assert_int_equal(virtio_mmio_access(t, 0x106, 1, false, 0), 0); /* no status field */
	wr(t, 0x030, 2);
	assert_int_equal(rd(t, 0x034), 0); /* rx and tx only: no control queue */
}

static void test_net_tx(void **state)
{
	uint8_t *frame = at(DATA_GPA + VIRTIO_NET_HDR_SIZE);

	(void)state;
	net_setup();
	/* the header and a 60-byte frame in one buffer */
	for (unsigned i = 0; i < 60; i++)
		frame[i] = (uint8_t)(i + 1);
	set_tx_desc(0, DATA_GPA, VIRTIO_NET_HDR_SIZE + 60, 0, 0);
	tx_offer(0);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent_len[0], 60);
	assert_memory_equal(sent[0], frame, 60);
	assert_int_equal(tx_used_idx(), 1);
	assert_int_equal(irqs, 1);
	/* the header and a full frame in two buffers */
	set_tx_desc(0, HDR_GPA, VIRTIO_NET_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	set_tx_desc(1, DATA_GPA, VIRTIO_NET_FRAME_MAX, 0, 0);
	tx_offer(0);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(sent_len[1], VIRTIO_NET_FRAME_MAX);
	/* a frame too long, and one the backend refuses: dropped and counted, buffers returned */
	set_tx_desc(1, DATA_GPA, VIRTIO_NET_FRAME_MAX + 1, 0, 0);
	tx_offer(0);
	backend_refuses = true;
	set_tx_desc(0, DATA_GPA, VIRTIO_NET_HDR_SIZE + 60, 0, 0);
	tx_offer(0);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(net.tx_frames, 2);
	assert_int_equal(net.tx_dropped, 2);
	assert_int_equal(tx_used_idx(), 4);
	assert_false(virtio_mmio_broken(&net.t));
}

static void test_net_tx_malformed(void **state)
{
	(void)state;
	/* shorter than the header */
	net_setup();
	set_tx_desc(0, DATA_GPA, VIRTIO_NET_HDR_SIZE - 1, 0, 0);
	tx_offer(0);
	assert_true(virtio_mmio_broken(&net.t));
	assert_non_null(strstr(last_log, "header"));
	assert_int_equal(tx_used_idx(), 0);
	/* a device-writable buffer in a transmit chain */
	net_setup();
	set_tx_desc(0, DATA_GPA, 100, VIRTQ_DESC_F_NEXT, 1);
	set_tx_desc(1, DATA_GPA + 0x1000, 100, VIRTQ_DESC_F_WRITE, 0);
	tx_offer(0);
	assert_true(virtio_mmio_broken(&net.t));
	assert_int_equal(nr_sent, 0);
	/* a frame in a page the host cannot reach */
	net_setup();
	private_page = DATA_GPA;
	set_tx_desc(0, DATA_GPA, 100, 0, 0);
	tx_offer(0);
	assert_true(virtio_mmio_broken(&net.t));
	assert_non_null(strstr(last_log, "cannot reach"));
	assert_int_equal(nr_sent, 0);
	/* a loop */
	net_setup();
	set_tx_desc(0, DATA_GPA, 100, VIRTQ_DESC_F_NEXT, 1);
	set_tx_desc(1, DATA_GPA, 100, VIRTQ_DESC_F_NEXT, 0);
	tx_offer(0);
	assert_true(virtio_mmio_broken(&net.t));
	assert_int_equal(nr_sent, 0);
	/* broken: nothing more is sent until a reset */
	set_tx_desc(0, DATA_GPA, 100, 0, 0);
	tx_offer(0);
	assert_int_equal(nr_sent, 0);
}

static void test_net_rx(void **state)
{
	uint8_t frame[VIRTIO_NET_FRAME_MAX + 1];
	struct virtio_mmio *t = &net.t;
	uint16_t nb;

	(void)state;
	net_setup();
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	/* no buffer offered yet: the caller keeps the frame */
	assert_int_equal(virtio_net_rx(&net, frame, 64), VIRTIO_NET_RX_NO_BUFFER);
	/* a buffer: the driver's notify says so, and the frame goes in after the header */
	memset(at(DATA_GPA), 0xee, VIRTIO_NET_HDR_SIZE);
	rx_offer(VIRTIO_NET_BUF, VIRTQ_DESC_F_WRITE);
	assert_int_equal(rx_kicks, 1);
	assert_int_equal(virtio_net_rx(&net, frame, 64), VIRTIO_NET_RX_DONE);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), VIRTIO_NET_HDR_SIZE + 64);
	assert_int_equal(at(DATA_GPA)[0], 0); /* flags */
	memcpy(&nb, at(DATA_GPA + 10), 2);
	assert_int_equal(nb, 1); /* num_buffers */
	assert_memory_equal(at(DATA_GPA + VIRTIO_NET_HDR_SIZE), frame, 64);
	assert_int_equal(irqs, 1);
	/* a frame longer than VIRTIO_NET_FRAME_MAX: dropped, the buffer kept */
	rx_offer(VIRTIO_NET_BUF, VIRTQ_DESC_F_WRITE);
	assert_int_equal(virtio_net_rx(&net, frame, sizeof(frame)), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(virtio_net_rx(&net, frame, VIRTIO_NET_FRAME_MAX), VIRTIO_NET_RX_DONE);
	assert_int_equal(used_len(1), VIRTIO_NET_BUF);
	/* a buffer too short for a full frame: given back empty, the frame dropped */
	rx_offer(VIRTIO_NET_BUF - 1, VIRTQ_DESC_F_WRITE);
	assert_int_equal(virtio_net_rx(&net, frame, 60), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(used_idx(), 3);
	assert_int_equal(used_len(2), 0);
	assert_int_equal(net.rx_frames, 2);
	assert_int_equal(net.rx_dropped, 2);
	assert_false(virtio_mmio_broken(t));
	/* a device-readable receive buffer breaks the device */
	rx_offer(VIRTIO_NET_BUF, 0);
	assert_int_equal(virtio_net_rx(&net, frame, 60), VIRTIO_NET_RX_DROPPED);
	assert_true(virtio_mmio_broken(t));
	assert_int_equal(used_idx(), 3);
	/* broken: no more frames taken */
	assert_int_equal(virtio_net_rx(&net, frame, 60), VIRTIO_NET_RX_NO_BUFFER);
	/* a receive buffer in a page the host cannot reach */
	net_setup();
	private_page = DATA_GPA;
	rx_offer(VIRTIO_NET_BUF, VIRTQ_DESC_F_WRITE);
	assert_int_equal(virtio_net_rx(&net, frame, 60), VIRTIO_NET_RX_DROPPED);
	assert_true(virtio_mmio_broken(t));
	assert_non_null(strstr(last_log, "cannot reach"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identity_and_features),
	    cmocka_unit_test(test_blk_round_trip),
	    cmocka_unit_test(test_blk_errors),
	    cmocka_unit_test(test_blk_malformed),
	    cmocka_unit_test(test_blk_faulting_page),
	    cmocka_unit_test(test_rng),
	    cmocka_unit_test(test_console),
	    cmocka_unit_test(test_net_identity),
	    cmocka_unit_test(test_net_tx),
	    cmocka_unit_test(test_net_tx_malformed),
	    cmocka_unit_test(test_net_rx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

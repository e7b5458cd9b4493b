/* SPDX-License-Identifier: MIT */
/*
 * vmm/ built hosted, through a fake backend (vmm/backend.h): the payload
 * parser and the guest layout (vmm/payload.c, vmm/guest_layout.c) on payloads
 * built here in memory, the PL011 and GICv3 models (vmm/vuart.c, vmm/vgic.c),
 * the snapshot file's header (vmm/snapshot_format.c), the gfn map
 * (vmm/gfn_map.c) on pages of the fake allocator, the hook table's
 * dispatch (vmm/hooks.c), the exit dispatcher (vmm/exit.c): MMIO to the
 * PL011, the GIC and the benchmark device and to no device, the guest calls
 * (a hook's, the shared page's checksum), every other exit's outcome; the
 * run queue's policy (vmm/runq.c); and the guest's DTB (vmm/guest_dtb.c),
 * read back with libfdt. Nothing
 * of kserv or of the core is linked (vmm/vmm.mk): this is also the proof that
 * vmm/ runs in a hosted program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcore/abi.h>
#include <kcore/guest_tests.h>
#include <kcore/image.h>
#include <kcore/payload.h>
#include <libfdt.h>

#include "vmm/backend.h"
#include "vmm/exit.h"
#include "vmm/gfn_map.h"
#include "vmm/guest_dtb.h"
#include "vmm/guest_layout.h"
#include "vmm/hooks.h"
#include "vmm/payload.h"
#include "vmm/runq.h"
#include "vmm/snapshot_format.h"
#include "vmm/vgic.h"
#include "vmm/vuart.h"

/* ---- the fake backend ------------------------------------------------------------------ */

static char last_log[512];
static unsigned logs;
/* Host addresses at or above this cannot be read (0: all can). */
static uint64_t unreadable_from;

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	logs++;
}

bool vmm_host_readable(u64 addr)
{
	return unreadable_from == 0 || addr < unreadable_from;
}

/* Pages of the fake allocator still allocated; a limit to run it dry. */
static long pages_out;
static long pages_limit = -1;

u64 vmm_page_alloc(void)
{
	void *p;

	if (pages_limit >= 0 && pages_out >= pages_limit)
		return 0;
	p = aligned_alloc(4096, 4096);
	if (p == NULL)
		return 0;
	memset(p, 0xa5, 4096); /* contents undefined: the caller must not rely on zero */
	pages_out++;
	return (u64)(uintptr_t)p;
}

void vmm_page_free_zeroed(u64 addr)
{
	/* kserv's backend zeroes the page; freeing it is all this one needs to do. */
	free((void *)(uintptr_t)addr);
	pages_out--;
}

/* Memory the "host" can read: real addresses of this process, up to unreadable_from. */
bool vmm_host_read_words(u64 addr, u64 *out, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (!vmm_host_readable(addr + 8ULL * i))
			return false;
		memcpy(&out[i], (const void *)(uintptr_t)(addr + 8ULL * i), 8);
	}
	return true;
}

/* The VM lock: held at most once, released by its holder (a nested take is a bug). */
static int vm_locked;
static unsigned vm_lock_takes;

void vmm_vm_lock(struct guest *g)
{
	(void)g;
	assert_int_equal(vm_locked, 0);
	vm_locked = 1;
	vm_lock_takes++;
}

void vmm_vm_unlock(struct guest *g)
{
	(void)g;
	assert_int_equal(vm_locked, 1);
	vm_locked = 0;
}

static char last_line[256];
static unsigned guest_lines;

void vmm_guest_line(struct guest *g, const char *line)
{
	/* The backend is called with the lock held (uart_emit_line): it prints under it. */
	assert_int_equal(vm_locked, 1);
	snprintf(last_line, sizeof(last_line), "[%s] %s", g->name, line);
	guest_lines++;
}

static const char *last_fail;
static unsigned fails;

void vmm_vm_fail(struct guest *g, const char *why)
{
	(void)g;
	last_fail = why;
	fails++;
}

static u64 snapshot_answer = 0x5a5a;
static unsigned snapshot_calls;

u64 vmm_snapshot_call(struct guest_vcpu *v)
{
	(void)v;
	snapshot_calls++;
	return snapshot_answer;
}

/* ---- a payload in memory ---------------------------------------------------------------- */

#define IMG_OFFSET 0x1000u
#define IMG_SIZE   (0x3000u + KCORE_IMG_TRAILER_SIZE)
#define TOTAL	   (IMG_OFFSET + 0x4000u)

static _Alignas(4096) uint8_t buf[TOTAL];

static struct kcore_payload_hdr *hdr(void)
{
	return (struct kcore_payload_hdr *)(void *)buf;
}

static struct kcore_payload_vm *vm_rec(unsigned i)
{
	return (struct kcore_payload_vm *)(void *)(buf + sizeof(struct kcore_payload_hdr)) + i;
}

/* One VM, "hello", 2 vCPUs, 16 MiB, a bare-metal image (no arm64 header). */
static void build(unsigned nr_vms)
{
	memset(buf, 0, sizeof(buf));
	memcpy(hdr()->magic, KCORE_PAYLOAD_MAGIC, 8);
	hdr()->nr_vms = nr_vms;
	hdr()->total_size = TOTAL;
	for (unsigned i = 0; i < nr_vms; i++) {
		struct kcore_payload_vm *v = vm_rec(i);

		snprintf(v->name, sizeof(v->name), i == 0 ? "hello" : "vm%u", i);
		v->nr_vcpus = 2;
		v->mem_size = 16ull << 20;
		v->image.offset = IMG_OFFSET;
		v->image.size = IMG_SIZE;
		strcpy(v->cmdline, "console=ttyAMA0");
	}
	logs = 0;
	last_log[0] = '\0';
	unreadable_from = 0;
}

static bool parse(struct payload *p)
{
	return payload_parse((u64)(uintptr_t)buf, sizeof(buf), p);
}

static void test_good_payload(void **state)
{
	struct payload p;

	(void)state;
	build(1);
	assert_true(parse(&p));
	assert_int_equal(logs, 0);
	assert_int_equal(p.nr_vms, 1);
	assert_int_equal(p.size, TOTAL);
	assert_null(p.snapshot_to);
	assert_string_equal(p.vms[0].name, "hello");
	/* No arm64 Image header: the image at the RAM's base, the DTB in its last page. */
	assert_false(p.layout[0].has_header);
	assert_int_equal(p.layout[0].load_ipa, KCORE_GUEST_RAM_BASE);
	assert_int_equal(p.layout[0].image_payload, IMG_SIZE - KCORE_IMG_TRAILER_SIZE);
	assert_int_equal(p.layout[0].dtb_ipa, KCORE_GUEST_RAM_BASE + (16ull << 20) - 4096);
	assert_int_equal(p.layout[0].initrd_ipa, 0);
	assert_ptr_equal(payload_file(&p, &p.vms[0].image), buf + IMG_OFFSET);
}

static void test_arm64_header(void **state)
{
	struct payload p;
	uint8_t *img = buf + IMG_OFFSET;

	(void)state;
	build(1);
	/* text_offset 0x80000, image_size 0x100000, "ARM\x64" */
	img[8 + 2] = 0x08;
	img[16 + 2] = 0x10;
	img[56] = 'A';
	img[57] = 'R';
	img[58] = 'M';
	img[59] = 0x64;
	assert_true(parse(&p));
	assert_true(p.layout[0].has_header);
	assert_int_equal(p.layout[0].load_ipa, KCORE_GUEST_RAM_BASE + 0x80000);
	assert_int_equal(p.layout[0].image_end, KCORE_GUEST_RAM_BASE + 0x80000 + 0x100000);
	/* A text_offset that is not a page multiple is refused, with the VM's name. */
	img[8] = 0x10;
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "payload: VM hello: the image's text_offset 0x80010"));
}

static void test_refusals(void **state)
{
	struct payload p;

	(void)state;
	build(1);
	buf[0] = 'X';
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "no KCPAYLD1 magic"));

	build(2);
	strcpy(vm_rec(1)->name, "hello");
	assert_false(parse(&p));
	assert_string_equal(last_log, "payload: VM hello: the name is used twice");

	build(1);
	strcpy(vm_rec(0)->name, "bad name");
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "name must be 1..31 of [A-Za-z0-9._-]"));

	build(1);
	vm_rec(0)->nr_vcpus = 9;
	assert_false(parse(&p));
	assert_string_equal(last_log, "payload: VM hello: 9 vCPUs (1..8)");

	build(1);
	vm_rec(0)->mem_size = 3ull << 20;
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "is not a multiple of 2 MiB"));

	build(1);
	vm_rec(0)->image.size = TOTAL; /* runs past the payload's end */
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "not a signed file inside"));

	build(1);
	hdr()->total_size = TOTAL + 1;
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "total size"));

	/* The backend says the payload's last word cannot be read: nothing else is looked at. */
	build(1);
	unreadable_from = (u64)(uintptr_t)buf + 4096;
	assert_false(parse(&p));
	assert_non_null(strstr(last_log, "cannot be read"));
}

/* ---- the devices ------------------------------------------------------------------------ */

static void test_vuart(void **state)
{
	struct vmm_uart u = {.len = 0};
	const char *in = "hi\r\x1b!\n";
	unsigned lines = 0;

	(void)state;
	assert_int_equal(vuart_read(0x18), 0x90);  /* FR: TXFE | RXFE */
	assert_int_equal(vuart_read(0xfe0), 0x11); /* PeriphID0 */
	assert_int_equal(vuart_read(0xffc), 0xb1); /* PCellID3 */
	assert_int_equal(vuart_read(0x0), 0);
	assert_true(vuart_write_is_char(0));
	assert_false(vuart_write_is_char(4));
	for (const char *c = in; *c != '\0'; c++) {
		if (vuart_putc(&u, *c)) {
			assert_string_equal(u.line, "hi?!");
			vuart_line_taken(&u);
			lines++;
		}
	}
	assert_int_equal(lines, 1);
	assert_false(vuart_flush(&u));
	/* A line as long as the buffer is printed at once; the rest at teardown. */
	for (unsigned i = 0; i < VUART_LINE_MAX - 1; i++)
		lines += vuart_putc(&u, 'x');
	assert_int_equal(lines, 2);
	assert_int_equal(strlen(u.line), VUART_LINE_MAX - 1);
	vuart_line_taken(&u);
	vuart_putc(&u, 'y');
	assert_true(vuart_flush(&u));
	assert_string_equal(u.line, "y");
}

/* Register offsets the tests use (Arm IHI 0069). */
#define D(off, size)	      vgic_dist_access(&gic, (off), (size), false, 0)
#define DW(off, size, v)      vgic_dist_access(&gic, (off), (size), true, (v))
#define R(cpu, off, size)     vgic_redist_access(&gic, 2, (cpu), (off), (size), false, 0)
#define RW(cpu, off, size, v) vgic_redist_access(&gic, 2, (cpu), (off), (size), true, (v))
#define SGI_BASE	      0x10000u

static void test_vgic_ids(void **state)
{
	struct vmm_gic gic = {0};

	(void)state;
	assert_int_equal(D(0x8, 4), 0x43b);	     /* GICD_IIDR */
	assert_int_equal(D(0xffe8, 4) & 0xf0, 0x30); /* PIDR2: ArchRev 3 */
	assert_int_equal(D(0xfff0, 4), 0x0d);	     /* CIDR0 */
	assert_int_equal(D(0xfffc, 4), 0xb1);	     /* CIDR3 */
	assert_int_equal(R(1, 0xffe8, 4) & 0xf0, 0x30);
	/* GICD_TYPER: ITLinesNumber 1 (INTIDs up to 63: the DT's UART is SPI 1), 10 ID bits. */
	assert_int_equal(D(0x4, 4), (9u << 19) | 1u);
	/* CTLR: the enables kept, ARE and DS read 1 and ignore writes, RWP never set. */
	DW(0x0, 4, 0xffffffff);
	assert_int_equal(D(0x0, 4), 0x53);
	DW(0x0, 4, 0);
	assert_int_equal(D(0x0, 4), 0x50);
	/* vCPU 1 of 2: affinity 1, processor number 1, Last; as a whole or in halves. */
	assert_int_equal(R(1, 0x8, 8), (1ull << 32) | (1u << 8) | (1u << 4));
	assert_int_equal(R(0, 0x8, 4), 0);
	assert_int_equal(R(1, 0x8, 4), (1u << 8) | (1u << 4));
	assert_int_equal(R(1, 0xc, 4), 1);
	assert_int_equal(R(0, 0xc, 4), 0);
	/* No such vCPU: nothing. */
	assert_int_equal(R(2, 0x8, 8), 0);
	/* GICR_CTLR: no LPIs to enable, RWP never set. */
	RW(0, 0x0, 4, 0xffffffff);
	assert_int_equal(R(0, 0x0, 4), 0);
	/* GICR_WAKER: sleep sets ChildrenAsleep at once, waking clears both. */
	RW(1, 0x14, 4, 2);
	assert_int_equal(R(1, 0x14, 4), 6);
	assert_int_equal(R(0, 0x14, 4), 0);
	RW(1, 0x14, 4, 0);
	assert_int_equal(R(1, 0x14, 4), 0);
}

/* The bit registers of one frame at base (0 distributor, SGI_BASE), word w, in full. */
static void check_bits(struct vmm_gic *g, u32 cpu, u64 base, u32 w, u32 always_on)
{
	struct vmm_gic before = *g;
#define A(off, write, v)                                                    \
	(base == 0 ? vgic_dist_access(g, (off) + 4ull * w, 4, (write), (v)) \
		   : vgic_redist_access(g, 2, cpu, base + (off) + 4ull * w, 4, (write), (v)))

	/* Each set/clear pair: writing 1 sets or clears, 0 changes nothing; both read alike. */
	for (u64 set = 0x100; set <= 0x300; set += 0x100) {
		u32 ro = set == 0x100 ? always_on : 0;

		A(set, true, 0x80010003u);
		assert_int_equal(A(set, false, 0), 0x80010003u | ro);
		assert_int_equal(A(set + 0x80, false, 0), 0x80010003u | ro);
		A(set, true, 0);
		A(set + 0x80, true, 0);
		assert_int_equal(A(set, false, 0), 0x80010003u | ro);
		A(set + 0x80, true, 0x80000001u);
		assert_int_equal(A(set, false, 0), 0x00010002u | ro);
		A(set + 0x80, true, 0xffffffffu);
		assert_int_equal(A(set, false, 0), ro);
	}
	/* IGROUPR: read/write. */
	A(0x80, true, 0x12345678u);
	assert_int_equal(A(0x80, false, 0), 0x12345678u);
	A(0x80, true, 0);
	/* A byte or doubleword access to a bit register: RAZ/WI. */
	vgic_dist_access(g, 0x104, 1, true, 0xff);
	vgic_redist_access(g, 2, cpu, SGI_BASE + 0x100, 8, true, ~0ull);
	assert_memory_equal(&before, g, sizeof(before));
#undef A
}

static void test_vgic_bits(void **state)
{
	struct vmm_gic gic = {0};

	(void)state;
	check_bits(&gic, 0, 0, 1, 0);		  /* SPIs 32..63 */
	check_bits(&gic, 1, SGI_BASE, 0, 0xffff); /* vCPU 1's: the SGIs always enabled */
	/* The distributor's SGI/PPI words (ARE) and the words past ITLinesNumber: RAZ/WI. */
	DW(0x100, 4, ~0u);
	DW(0x108, 4, ~0u);
	DW(0x200, 4, ~0u);
	assert_int_equal(D(0x100, 4), 0);
	assert_int_equal(D(0x108, 4), 0);
	assert_int_equal(D(0x200, 4), 0);
	/* Per vCPU: vCPU 0's PPI enables are not vCPU 1's. */
	RW(0, SGI_BASE + 0x100, 4, 1u << 27);
	assert_int_equal(R(0, SGI_BASE + 0x100, 4), 0xffffu | (1u << 27));
	assert_int_equal(R(1, SGI_BASE + 0x100, 4), 0xffffu);
	/* The SGIs stay enabled whatever is cleared. */
	RW(0, SGI_BASE + 0x180, 4, ~0u);
	assert_int_equal(R(0, SGI_BASE + 0x180, 4), 0xffffu);
	/* An SPI's pending state: set, read back in both registers, cleared. */
	DW(0x204, 4, 1u << 5);
	assert_int_equal(D(0x204, 4), 1u << 5);
	assert_int_equal(D(0x284, 4), 1u << 5);
	DW(0x284, 4, 1u << 5);
	assert_int_equal(D(0x204, 4), 0);
}

static void test_vgic_priority_config_route(void **state)
{
	struct vmm_gic gic = {0};

	(void)state;
	/* IPRIORITYR: bytes and words address the same bytes; 5 bits kept. */
	DW(0x400 + 40, 1, 0xa7);
	DW(0x400 + 41, 1, 0x48);
	assert_int_equal(D(0x400 + 40, 1), 0xa0);
	assert_int_equal(D(0x400 + 41, 1), 0x48);
	assert_int_equal(D(0x400 + 40, 4), 0x48a0);
	DW(0x400 + 60, 4, 0x80604020u);
	assert_int_equal(D(0x400 + 63, 1), 0x80);
	assert_int_equal(D(0x400 + 60, 4), 0x80604020u);
	/* The distributor's SGI/PPI priorities (ARE) and halfwords: RAZ/WI. */
	DW(0x400 + 27, 1, 0x80);
	assert_int_equal(D(0x400 + 27, 1), 0);
	DW(0x400 + 44, 2, 0x8080);
	assert_int_equal(D(0x400 + 44, 4), 0);
	/* The redistributor's, per vCPU. */
	RW(1, SGI_BASE + 0x400 + 27, 1, 0x90);
	assert_int_equal(R(1, SGI_BASE + 0x400 + 24, 4), 0x90000000u);
	assert_int_equal(R(0, SGI_BASE + 0x400 + 24, 4), 0);
	/* ICFGR: SGIs edge and PPIs level, read-only; an SPI's Int_config[1] kept alone. */
	RW(0, SGI_BASE + 0xc00, 4, 0);
	RW(0, SGI_BASE + 0xc04, 4, ~0u);
	assert_int_equal(R(0, SGI_BASE + 0xc00, 4), 0xaaaaaaaau);
	assert_int_equal(R(0, SGI_BASE + 0xc04, 4), 0);
	DW(0xc08, 4, ~0u);
	assert_int_equal(D(0xc08, 4), 0xaaaaaaaau);
	DW(0xc0c, 4, 0x3u << 2); /* INTID 49 edge */
	assert_int_equal(D(0xc0c, 4), 0x2u << 2);
	assert_int_equal(D(0xc00, 4), 0); /* SGIs/PPIs in the distributor: RAZ/WI (ARE) */
	assert_int_equal(D(0xc10, 4), 0); /* past the SPIs */
	/* IGRPMODR, NSACR (one security state), ITARGETSR (ARE): RAZ/WI. */
	DW(0xd04, 4, ~0u);
	DW(0xe08, 4, ~0u);
	DW(0x820, 4, ~0u);
	RW(0, SGI_BASE + 0xd00, 4, ~0u);
	assert_int_equal(D(0xd04, 4), 0);
	assert_int_equal(D(0xe08, 4), 0);
	assert_int_equal(D(0x820, 4), 0);
	assert_int_equal(R(0, SGI_BASE + 0xd00, 4), 0);
	/* GICD_IROUTER of SPI 33: Aff3..Aff0 and IRM kept, the rest RES0; halves. */
	DW(0x6000 + 8 * 33, 8, ~0ull);
	assert_int_equal(D(0x6000 + 8 * 33, 8), 0x000000ff80ffffffull);
	DW(0x6000 + 8 * 33, 4, 0x01);
	assert_int_equal(D(0x6000 + 8 * 33, 8), 0x000000ff00000001ull);
	DW(0x6000 + 8 * 33 + 4, 4, 0);
	assert_int_equal(D(0x6000 + 8 * 33, 8), 0x01);
	assert_int_equal(D(0x6000 + 8 * 33 + 4, 4), 0);
	/* SGIs/PPIs have none, nor INTIDs past 63. */
	DW(0x6000 + 8 * 27, 8, 1);
	DW(0x6000 + 8 * 64, 8, 1);
	assert_int_equal(D(0x6000 + 8 * 27, 8), 0);
	assert_int_equal(D(0x6000 + 8 * 64, 8), 0);
	/* Unaligned: RAZ/WI. */
	assert_int_equal(D(0x6000 + 8 * 33 + 4, 8), 0);
	assert_int_equal(D(0x102, 4), 0);
}

/* ---- the snapshot file's header --------------------------------------------------------- */

static void test_snapfile(void **state)
{
	static struct vmm_snapfile_header h;
	struct snapshot s = {.nr_pages = 3, .nr_vcpus = 2, .asking_vcpu = 1};
	struct snapshot back = {0};
	const char name[VMM_SNAPFILE_NAME_MAX] = "secret";
	u64 ram = 16ull << 20;
	s64 len;

	(void)state;
	s.gic.gicd_ctlr = 0x2;
	s.gic.cpu[1].waker = 6;
	s.gic.cpu[1].bank.prio[27] = 0x80;
	s.gic.spi_route[31] = 0x5;
	s.vcpus[1].next_call_ret[2] = 0x5eed;
	/* 3 + 2 + 2 records of 128 bytes: one page; then a page per data page. */
	assert_int_equal(vmm_snapfile_records_size(3, 2), 4096);
	assert_int_equal(vmm_snapfile_total_size(3, 2), 4096 + 4096 + 5 * 4096);
	memset(&h, 0, sizeof(h));
	vmm_snapfile_fill(&h, name, &s);
	len = (s64)h.total_size;
	assert_null(vmm_snapfile_check(&h, 2, ram, len));
	vmm_snapfile_apply(&h, &back);
	assert_int_equal(back.asking_vcpu, 1);
	assert_memory_equal(&back.gic, &s.gic, sizeof(s.gic));
	assert_int_equal(back.vcpus[1].next_call_ret[2], 0x5eed);

	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len - 1),
			    "a length other than its header says");
	assert_string_equal(vmm_snapfile_check(&h, 4, ram, len),
			    "another number of vCPUs than the VM");
	assert_string_equal(vmm_snapfile_check(&h, 2, 2ull * 4096, len),
			    "more pages than the VM's RAM holds, or none");
	h.asking_vcpu = 2;
	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len),
			    "a vCPU that asked for it the VM does not have");
	h.asking_vcpu = 1;
	h.total_size += 4096;
	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len + 4096),
			    "sizes that do not match its counts");
	h.total_size -= 4096;
	h.version = 3;
	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len),
			    "an unknown version or header size");
	h.version = 1; /* before the whole GIC was saved: refused, saying why */
	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len),
			    "version 1, from before the whole GIC state was saved: take it again");
	h.magic[0] = 'X';
	assert_string_equal(vmm_snapfile_check(&h, 2, ram, len),
			    "no KCSNAPF1 magic: not a kserv snapshot file");
}

/* ---- the gfn map ------------------------------------------------------------------------- */

struct seen {
	unsigned n;
	u64 last_ipa, sum_pa;
};

static void see(void *ctx, u64 ipa, u64 pa)
{
	struct seen *s = ctx;

	assert_true(s->n == 0 || ipa > s->last_ipa); /* in IPA order */
	s->n++;
	s->last_ipa = ipa;
	s->sum_pa += pa;
}

static void test_gfn_map(void **state)
{
	static struct gfn_map m;
	const u64 base = KCORE_GUEST_RAM_BASE, block = GFN_MAP_BLOCK;
	struct seen s = {0};

	(void)state;
	gfn_map_init(&m, base, 8 * block);
	assert_true(gfn_map_region_empty(&m, base));
	assert_true(gfn_map_set_page(&m, base + 0x3000, 0x41000000));
	assert_int_equal(pages_out, 1); /* one leaf page for the region */
	assert_false(gfn_map_set_page(&m, base + 0x3000, 0x42000000));	  /* recorded already */
	assert_false(gfn_map_set_page(&m, base + 8 * block, 0x42000000)); /* outside the RAM */
	assert_int_equal(gfn_map_lookup(&m, base + 0x3123), 0x41000123);
	assert_int_equal(gfn_map_lookup(&m, base + 0x4000), 0);
	/* A page of the leaf that was never written reads as absent: the map zeroed it. */
	assert_int_equal(gfn_map_lookup(&m, base + 0x1ff000), 0);
	gfn_map_set_block(&m, base + 2 * block, 0x60000000);
	assert_int_equal(gfn_map_block_pa(&m, base + 2 * block + 0x5000), 0x60000000);
	assert_int_equal(gfn_map_lookup(&m, base + 2 * block + 0x5008), 0x60005008);
	assert_false(gfn_map_set_page(&m, base + 2 * block, 0x42000000)); /* inside the block */
	assert_int_equal(m.nr_pages, 1 + 512);
	gfn_map_for_each(&m, see, &s);
	assert_int_equal(s.n, 1 + 512);
	assert_int_equal(s.last_ipa, base + 3 * block - 0x1000);
	/* Out of host pages: the next region's leaf cannot be made. */
	pages_limit = pages_out;
	assert_false(gfn_map_set_page(&m, base + 4 * block, 0x43000000));
	pages_limit = -1;
	gfn_map_release(&m);
	assert_int_equal(pages_out, 0);
	assert_true(gfn_map_region_empty(&m, base));
}

/* ---- the hook table ---------------------------------------------------------------------- */

static unsigned exits_a, exits_b, calls_a, calls_b;

static void exit_a(struct guest_vcpu *v, int64_t err, uint64_t reason,
		   const struct kcore_vcpu_run *run)
{
	(void)v, (void)err, (void)reason, (void)run;
	exits_a++;
}

static void exit_b(struct guest_vcpu *v, int64_t err, uint64_t reason,
		   const struct kcore_vcpu_run *run)
{
	(void)v, (void)err, (void)reason, (void)run;
	exits_b++;
}

static bool call_a(struct guest_vcpu *v, uint64_t fid, const uint64_t *args, uint64_t ret[4])
{
	(void)v, (void)args;
	calls_a++;
	if (fid != 1)
		return false;
	ret[0] = 0xa;
	return true;
}

static bool call_b(struct guest_vcpu *v, uint64_t fid, const uint64_t *args, uint64_t ret[4])
{
	(void)v, (void)args;
	calls_b++;
	if (fid != 1 && fid != 2)
		return false;
	ret[0] = 0xb;
	return true;
}

static const struct vmm_hooks hooks_a = {.name = "a", .on_exit = exit_a, .on_guest_call = call_a};
static const struct vmm_hooks hooks_b = {.name = "b", .on_exit = exit_b, .on_guest_call = call_b};

static void test_hooks(void **state)
{
	uint64_t args[6] = {0}, ret[4] = {0};

	(void)state;
	vmm_hooks_register(&hooks_a);
	vmm_hooks_register(&hooks_b);
	/* Nobody watches exits yet: the dispatcher calls nobody. */
	vmm_hooks_exit(NULL, 0, 0, NULL);
	assert_int_equal(exits_a + exits_b, 0);
	vmm_hooks_watch_exits(&hooks_b, true);
	vmm_hooks_exit(NULL, 0, 0, NULL);
	assert_int_equal(exits_a, 0);
	assert_int_equal(exits_b, 1);
	vmm_hooks_watch_exits(&hooks_a, true);
	vmm_hooks_watch_exits(&hooks_b, false);
	vmm_hooks_exit(NULL, 0, 0, NULL);
	assert_int_equal(exits_a, 1);
	assert_int_equal(exits_b, 1);

	/* In registration order; the first that answers wins. */
	assert_true(vmm_hooks_guest_call(NULL, 1, args, ret));
	assert_int_equal(ret[0], 0xa);
	assert_int_equal(calls_b, 0);
	assert_true(vmm_hooks_guest_call(NULL, 2, args, ret));
	assert_int_equal(ret[0], 0xb);
	ret[0] = 7;
	assert_false(vmm_hooks_guest_call(NULL, 3, args, ret));
	assert_int_equal(ret[0], 7);
	assert_int_equal(calls_a, 3);
	assert_int_equal(calls_b, 2);
	/* No hook has the other callbacks: each dispatcher passes over them. */
	assert_true(vmm_hooks_payload_end());
	vmm_hooks_teardown(NULL, VMM_TEARDOWN_FREED);
}

/* ---- the exit dispatcher (vmm/exit.h) ----------------------------------------------------- */

static struct guest exit_vm;

/* What the exit driver's hooks saw. */
static unsigned exit_hook_calls;
static u64 exit_hook_flags_seen; /* v->next_flags when on_exit ran */
static s64 exit_hook_err;
static char hook_line[256];
static unsigned shared_reads;
static bool shared_readable;
static u64 call_args_seen[6];

static void exit_watch(struct guest_vcpu *v, int64_t err, uint64_t reason,
		       const struct kcore_vcpu_run *run)
{
	(void)reason, (void)run;
	if (v == NULL || v->g != &exit_vm)
		return; /* test_hooks's calls */
	exit_hook_calls++;
	exit_hook_flags_seen = v->next_flags;
	exit_hook_err = err;
}

#define FID_HOOKED 0xc6000fffULL

static bool exit_call(struct guest_vcpu *v, uint64_t fid, const uint64_t *args, uint64_t ret[4])
{
	(void)v;
	if (fid != FID_HOOKED)
		return false;
	memcpy(call_args_seen, args, sizeof(call_args_seen));
	for (u32 i = 0; i < 4; i++)
		ret[i] = 0x100 + i;
	return true;
}

static void exit_console(struct guest *g, const char *line)
{
	assert_int_equal(vm_locked, 1); /* documented: g's lock held */
	snprintf(hook_line, sizeof(hook_line), "%s: %s", g->name, line);
}

static void exit_shared(struct guest *g, uint64_t ipa, uint64_t pa, bool readable)
{
	(void)g, (void)ipa, (void)pa;
	shared_reads++;
	shared_readable = readable;
}

static const struct vmm_hooks exit_hooks = {.name = "exit",
					    .on_exit = exit_watch,
					    .on_guest_call = exit_call,
					    .on_console_line = exit_console,
					    .on_shared_read = exit_shared};

static int exit_setup(void **state)
{
	static bool registered;

	(void)state;
	if (!registered) {
		vmm_hooks_register(&exit_hooks);
		vmm_hooks_watch_exits(&exit_hooks, true);
		registered = true;
	}
	vm_record_init(&exit_vm, 0, NULL);
	strcpy(exit_vm.name, "vm0");
	exit_vm.nr_vcpus = 2;
	exit_vm.lay.ram_base = KCORE_GUEST_RAM_BASE;
	exit_vm.lay.ram_size = 4 * GFN_MAP_BLOCK;
	gfn_map_init(&exit_vm.map, exit_vm.lay.ram_base, exit_vm.lay.ram_size);
	exit_hook_calls = 0;
	unreadable_from = 0; /* test_refusals leaves its limit */
	fails = 0;
	last_fail = NULL;
	return 0;
}

static int exit_teardown(void **state)
{
	(void)state;
	gfn_map_release(&exit_vm.map);
	assert_int_equal(vm_locked, 0);
	return 0;
}

/* One exit of vCPU 1 with reason, through the dispatcher as kserv's run loop calls it. */
static struct vmm_exit one_exit(struct kcore_vcpu_run *run, u64 reason)
{
	struct guest_vcpu *v = &exit_vm.vcpus[1];

	run->out.reason = reason;
	v->next_flags = 0; /* what the run loop does at each entry */
	return vmm_exit_handle(v, KCORE_OK, reason, run);
}

/* An MMIO exit: returns the completion's flags; *value its value. */
static u64 mmio(u64 ipa, u64 size, bool write, u64 wvalue, u64 *value)
{
	struct kcore_vcpu_run run = {0};
	struct vmm_exit ex;

	run.out.mmio.ipa = ipa;
	run.out.mmio.size = size;
	run.out.mmio.is_write = write;
	run.out.mmio.value = wvalue;
	exit_vm.vcpus[1].next_mmio_value = 0xdeadULL;
	ex = one_exit(&run, KC_EXIT_MMIO);
	assert_int_equal(ex.action, VMM_EXIT_RUN_ON);
	if (value != NULL)
		*value = exit_vm.vcpus[1].next_mmio_value;
	return exit_vm.vcpus[1].next_flags;
}

static void test_exit_mmio_uart(void **state)
{
	const u64 uart = KCORE_GUEST_UART_BASE;
	u64 value;

	(void)state;
	assert_int_equal(mmio(uart + 0x18, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0x90); /* FR: TXFE | RXFE */
	assert_int_equal(mmio(uart + 0xfe0, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0x11); /* PeriphID0 */
	/* The hook saw the exit before the completion was set. */
	assert_int_equal(exit_hook_calls, 2);
	assert_int_equal(exit_hook_flags_seen, 0);
	assert_int_equal(exit_vm.vcpus[1].exits, 2);
	/* Characters to DR: a write completes with 0; the line goes out at its newline. */
	guest_lines = 0;
	for (const char *c = "ok\n"; *c != '\0'; c++) {
		assert_int_equal(mmio(uart, 1, true, (u64)*c | 0xff00, &value), KC_RUN_MMIO_DONE);
		assert_int_equal(value, 0);
	}
	assert_int_equal(guest_lines, 1);
	assert_string_equal(last_line, "[vm0] ok");
	assert_string_equal(hook_line, "vm0: ok");
	/* Another register's write is no character. */
	assert_int_equal(mmio(uart + 0x4, 4, true, 'x', NULL), KC_RUN_MMIO_DONE);
	assert_int_equal(mmio(uart, 4, true, 't', NULL), KC_RUN_MMIO_DONE);
	assert_int_equal(guest_lines, 1);
	vmm_uart_flush(&exit_vm);
	assert_int_equal(guest_lines, 2);
	assert_string_equal(last_line, "[vm0] t");
	vmm_uart_flush(&exit_vm); /* nothing left */
	assert_int_equal(guest_lines, 2);
	/* No access size other than 1, 2, 4, 8: an abort, even at a device. */
	assert_int_equal(mmio(uart + 0x18, 3, false, 0, &value), KC_RUN_MMIO_ABORT);
	assert_int_equal(mmio(uart + 0x18, 16, false, 0, &value), KC_RUN_MMIO_ABORT);
}

static void test_exit_mmio_gic_bench(void **state)
{
	const u64 gicd = KCORE_GUEST_GICD_BASE, gicr = KCORE_GUEST_GICR_BASE;
	u64 value;

	(void)state;
	assert_int_equal(mmio(gicd + 0x4, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, (9u << 19) | 1u); /* GICD_TYPER */
	assert_int_equal(mmio(gicd, 4, true, 0xffffffff, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0);
	assert_int_equal(mmio(gicd, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0x53); /* GICD_CTLR: the enables kept */
	/* The redistributor of vCPU 1 (of 2): its GICR_TYPER. */
	assert_int_equal(mmio(gicr + VGIC_GICR_STRIDE + 0x8, 8, false, 0, &value),
			 KC_RUN_MMIO_DONE);
	assert_int_equal(value, (1ull << 32) | (1u << 8) | (1u << 4));
	/* GICR_WAKER of vCPU 0, through the exit. */
	assert_int_equal(mmio(gicr + 0x14, 4, true, 2, NULL), KC_RUN_MMIO_DONE);
	assert_int_equal(mmio(gicr + 0x14, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 6);
	/* No third redistributor for two vCPUs: that frame is no device. */
	assert_int_equal(mmio(gicr + 2 * VGIC_GICR_STRIDE + 0x8, 8, false, 0, NULL),
			 KC_RUN_MMIO_ABORT);
	/* The benchmark device: +0 reads the magic, the rest 0, writes accepted. */
	assert_int_equal(mmio(KCORE_GUEST_BENCH_BASE, 4, false, 0, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, KCORE_GUEST_BENCH_MAGIC);
	assert_int_equal(mmio(KCORE_GUEST_BENCH_BASE + 0x10, 4, false, 0, &value),
			 KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0);
	assert_int_equal(mmio(KCORE_GUEST_BENCH_BASE + 8, 8, true, 5, &value), KC_RUN_MMIO_DONE);
	assert_int_equal(value, 0);
}

static void test_exit_mmio_unknown(void **state)
{
	u64 value;

	(void)state;
	/* Anything else: the guest takes an external abort, and the value is left alone. */
	assert_int_equal(mmio(0x0c000000, 4, false, 0, &value), KC_RUN_MMIO_ABORT);
	assert_int_equal(value, 0xdead);
	assert_int_equal(mmio(KCORE_GUEST_UART_BASE + VUART_SIZE, 4, true, 1, NULL),
			 KC_RUN_MMIO_ABORT);
	assert_int_equal(mmio(KCORE_GUEST_BENCH_BASE - 4, 4, false, 0, NULL), KC_RUN_MMIO_ABORT);
	assert_int_equal(mmio(KCORE_GUEST_RAM_BASE, 8, false, 0, NULL), KC_RUN_MMIO_ABORT);
	assert_int_equal(fails, 0);
}

/* A guest call exit: returns x0 of the answer; ret gets all four. */
static u64 call(u64 fid, u64 a1, u64 ret[4])
{
	struct kcore_vcpu_run run = {0};
	struct guest_vcpu *v = &exit_vm.vcpus[1];
	struct vmm_exit ex;

	run.out.call.fid = fid;
	run.out.call.args[0] = a1;
	for (u32 i = 1; i < 6; i++)
		run.out.call.args[i] = 0x10 + i;
	ex = one_exit(&run, KC_EXIT_GUEST_CALL);
	assert_int_equal(ex.action, VMM_EXIT_RUN_ON);
	assert_int_equal(v->next_flags, KC_RUN_CALL_DONE);
	memcpy(ret, v->next_call_ret, 4 * sizeof(u64));
	return ret[0];
}

static void test_exit_guest_calls(void **state)
{
	u64 ret[4];
	u8 *page = aligned_alloc(4096, 4096);
	const u64 ipa = KCORE_GUEST_RAM_BASE + 0x5000;

	(void)state;
	assert_non_null(page);
	/* A call no hook answers: SMCCC NOT_SUPPORTED. */
	assert_int_equal(call(0xc6000ffeULL, 0, ret), (u64)-1);
	/* A hook's call: its answer, with the six arguments as the guest passed them. */
	call(FID_HOOKED, 7, ret);
	assert_int_equal(ret[0], 0x100);
	assert_int_equal(ret[3], 0x103);
	assert_int_equal(call_args_seen[0], 7);
	assert_int_equal(call_args_seen[5], 0x15);
	/* The host's own: the benchmark's and the snapshot machinery's. */
	assert_int_equal(call(KC_BENCH_NOP, 0, ret), 0);
	/* Counted: KC_TEST_MMIO_EXITS's x3 says how many reached the VMM (pwroff shows it). */
	assert_int_equal(call(KC_BENCH_NOP, 0, ret), 0);
	assert_int_equal(call(KC_TEST_MMIO_EXITS, 0, ret), 0);
	assert_int_equal(ret[3], 2);
	snapshot_calls = 0;
	assert_int_equal(call(KC_TEST_SNAPSHOT, 0, ret), snapshot_answer);
	assert_int_equal(snapshot_calls, 1);

	/* KC_TEST_READ_SHARED: the checksum of the page the host gave there. */
	for (u32 i = 0; i < 4096; i++)
		page[i] = (u8)(i * 7 + 3);
	assert_true(gfn_map_set_page(&exit_vm.map, ipa, (u64)(uintptr_t)page));
	shared_reads = 0;
	assert_int_equal(call(KC_TEST_READ_SHARED, ipa, ret), 0);
	assert_int_equal(ret[1], kc_test_checksum(page, 4096));
	assert_int_equal(shared_reads, 1);
	assert_true(shared_readable);
	assert_null(strstr(last_log, "not a page"));
	/* Half of it unreadable (not shared): no checksum, an error, the hook told. */
	unreadable_from = (u64)(uintptr_t)page + 2048;
	assert_int_equal(call(KC_TEST_READ_SHARED, ipa, ret), (u64)(s64)KCORE_E_INVAL);
	unreadable_from = 0;
	assert_int_equal(shared_reads, 2);
	assert_false(shared_readable);
	assert_non_null(strstr(last_log, "not a page it shares"));
	/* No page there, not page aligned, outside its RAM: refused before any read. */
	assert_int_equal(call(KC_TEST_READ_SHARED, ipa + 0x1000, ret), (u64)(s64)KCORE_E_INVAL);
	assert_int_equal(call(KC_TEST_READ_SHARED, ipa + 8, ret), (u64)(s64)KCORE_E_INVAL);
	assert_int_equal(call(KC_TEST_READ_SHARED, KCORE_GUEST_RAM_BASE - 0x1000, ret),
			 (u64)(s64)KCORE_E_INVAL);
	assert_int_equal(shared_reads, 2);
	free(page);
}

static void test_exit_outcomes(void **state)
{
	struct kcore_vcpu_run run = {0};
	struct vmm_exit ex;

	(void)state;
	run.out.poweroff.reset = 1;
	ex = one_exit(&run, KC_EXIT_POWEROFF);
	assert_int_equal(ex.action, VMM_EXIT_POWEROFF);
	assert_int_equal(ex.arg, 1);
	run.out.poweroff.reset = 0;
	ex = one_exit(&run, KC_EXIT_POWEROFF);
	assert_int_equal(ex.action, VMM_EXIT_POWEROFF);
	assert_int_equal(ex.arg, 0);
	run.out.fault.ipa = KCORE_GUEST_RAM_BASE + 0x7000;
	ex = one_exit(&run, KC_EXIT_MEM_FAULT);
	assert_int_equal(ex.action, VMM_EXIT_RAM_FAULT);
	assert_int_equal(ex.arg, KCORE_GUEST_RAM_BASE + 0x7000);
	assert_int_equal(one_exit(&run, KC_EXIT_WFI).action, VMM_EXIT_WAIT);
	assert_int_equal(one_exit(&run, KC_EXIT_YIELD).action, VMM_EXIT_SPIN);
	assert_int_equal(one_exit(&run, KC_EXIT_IRQ).action, VMM_EXIT_HOST_IRQ);
	assert_int_equal(one_exit(&run, KC_EXIT_VCPU_OFF).action, VMM_EXIT_VCPU_OFF);
	run.out.kick.vcpus = 0x5;
	ex = one_exit(&run, KC_EXIT_KICK);
	assert_int_equal(ex.action, VMM_EXIT_KICK);
	assert_int_equal(ex.arg, 0x5);
	run.out.start.vcpuid = 3;
	ex = one_exit(&run, KC_EXIT_VCPU_START);
	assert_int_equal(ex.action, VMM_EXIT_VCPU_START);
	assert_int_equal(ex.arg, 3);
	run.out.start.vcpuid = 1ULL << 40; /* no such vCPU: one past the last */
	ex = one_exit(&run, KC_EXIT_VCPU_START);
	assert_int_equal(ex.arg, GUEST_MAX_VCPUS);
	/* None of these is a failure, and none sets a completion. */
	assert_int_equal(fails, 0);
	assert_int_equal(exit_vm.vcpus[1].next_flags, 0);

	/* A failed run: the caller decides; the hook saw the error. */
	exit_vm.vcpus[1].exits = 0;
	ex = vmm_exit_handle(&exit_vm.vcpus[1], KCORE_E_STATE, 0, &run);
	assert_int_equal(ex.action, VMM_EXIT_RUN_FAILED);
	assert_int_equal(exit_hook_err, KCORE_E_STATE);
	assert_int_equal(exit_vm.vcpus[1].exits, 1);
	assert_int_equal(fails, 0);
	/* Two exit reasons that disagree, an unknown one: the VM fails, the vCPU stops. */
	run.out.reason = KC_EXIT_WFI;
	ex = vmm_exit_handle(&exit_vm.vcpus[1], KCORE_OK, KC_EXIT_MMIO, &run);
	assert_int_equal(ex.action, VMM_EXIT_STOP);
	assert_int_equal(fails, 1);
	assert_string_equal(last_fail, "kcore's two exit reasons disagree");
	assert_non_null(strstr(last_log, "exit reason 1 in x1, 5 in the run page"));
	ex = one_exit(&run, 99);
	assert_int_equal(ex.action, VMM_EXIT_STOP);
	assert_int_equal(fails, 2);
	assert_string_equal(last_fail, "kcore returned an unknown exit reason");
	assert_string_equal(vmm_exit_reason_name(KC_EXIT_VCPU_OFF), "VCPU_OFF");
	assert_string_equal(vmm_exit_reason_name(99), "?");
}

/* ---- the run queue's policy (vmm/runq.h) -------------------------------------------------- */

static void test_runq(void **state)
{
	static struct guest g;
	static struct vmm_runq q;
	struct guest_vcpu *a = &g.vcpus[0], *b = &g.vcpus[1], *c = &g.vcpus[2], *d = &g.vcpus[3];

	(void)state;
	vm_record_init(&g, 0, NULL);
	vmm_runq_reset(&q);
	assert_null(vmm_runq_pop_runnable(&q, 0));
	/* Round robin: in the order they came. */
	vmm_runq_push(&q, a);
	vmm_runq_push(&q, b);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 0), a);
	vmm_runq_push(&q, a);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 0), b);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 0), a);
	assert_int_equal(q.len, 0);
	/* Sleepers after a WFI are passed over until their time; the others keep their order. */
	a->idle_until = 10;
	b->idle_until = 20;
	vmm_runq_push(&q, a);
	vmm_runq_push(&q, b);
	vmm_runq_push(&q, c);
	vmm_runq_push(&q, d);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 5), c);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 5), d);
	assert_null(vmm_runq_pop_runnable(&q, 9)); /* every one asleep: nothing taken */
	assert_int_equal(q.len, 2);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 20), a);
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 20), b);
	assert_int_equal(q.len, 0);
	/* Round the ring many times, a sleeper in front: nothing lost, nothing reordered. */
	a->idle_until = 100;
	vmm_runq_push(&q, a);
	for (u32 i = 0; i < 3 * VMM_RUNQ_CAP; i++) {
		struct guest_vcpu *first = &g.vcpus[1 + i % 3], *second = &g.vcpus[1 + (i + 1) % 3];

		vmm_runq_push(&q, first);
		vmm_runq_push(&q, second);
		assert_ptr_equal(vmm_runq_pop_runnable(&q, 50), first);
		assert_ptr_equal(vmm_runq_pop_runnable(&q, 50), second);
		assert_int_equal(q.len, 1);
	}
	assert_ptr_equal(vmm_runq_pop_runnable(&q, 100), a);
	assert_null(vmm_runq_pop_runnable(&q, 100));
}

/* A boot image's pages: the file's bytes, zero past its end (the fake allocator fills 0xa5). */
static void test_image_page(void **state)
{
	static uint8_t file[4096 + 904];
	uint8_t *p;
	u64 a;

	(void)state;
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)((i * 7 + 1) ^ (i >> 8)); /* no period of 4096 */
	pages_out = 0;
	a = guest_image_page(file, sizeof(file), 0);
	assert_true(a != 0 && a % 4096 == 0);
	assert_memory_equal((void *)(uintptr_t)a, file, 4096);
	vmm_page_free_zeroed(a);

	a = guest_image_page(file, sizeof(file), 4096);
	assert_true(a != 0);
	p = (uint8_t *)(uintptr_t)a;
	assert_memory_equal(p, file + 4096, 904);
	for (size_t i = 904; i < 4096; i++)
		assert_int_equal(p[i], 0);
	vmm_page_free_zeroed(a);

	/* Nothing to copy, or no page: 0, and no page kept. */
	assert_int_equal(guest_image_page(file, sizeof(file), sizeof(file)), 0);
	pages_limit = 0;
	assert_int_equal(guest_image_page(file, sizeof(file), 0), 0);
	pages_limit = -1;
	assert_int_equal(pages_out, 0);
}

/* ---- the guest's DTB ------------------------------------------------------------------- */

#define DTB_RAM	   (256ull << 20)
#define DTB_INITRD 0x8f000000ull
#define DTB_CMD	   "console=ttyAMA0 rdinit=/init quiet"

static _Alignas(8) uint8_t dtb[4096 + 64]; /* the last 64 bytes: a canary past the buffer */

static struct guest_dtb_desc dtb_desc(u32 nr_vcpus)
{
	return (struct guest_dtb_desc){.name = "linux",
				       .ram_base = KCORE_GUEST_RAM_BASE,
				       .ram_size = DTB_RAM,
				       .nr_vcpus = nr_vcpus,
				       .bootargs = DTB_CMD,
				       .initrd_start = DTB_INITRD,
				       .initrd_end = DTB_INITRD + 0x12345};
}

static enum guest_dtb_err dtb_build(u32 size, const struct guest_dtb_desc *d)
{
	memset(dtb, 0xee, sizeof(dtb));
	logs = 0;
	last_log[0] = '\0';
	return guest_dtb_write(dtb, size, d);
}

static int node(const char *path)
{
	int off = fdt_path_offset(dtb, path);

	if (off < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(off));
	return off;
}

/* Property name of the node at path: its cells, exactly n of them. */
static void assert_cells(const char *path, const char *name, const uint32_t *want, int n)
{
	int len;
	const fdt32_t *v = fdt_getprop(dtb, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, n * (int)sizeof(fdt32_t));
	for (int i = 0; i < n; i++)
		assert_int_equal(fdt32_to_cpu(v[i]), want[i]);
}

static void assert_str(const char *path, const char *name, const char *want)
{
	int len;
	const char *v = fdt_getprop(dtb, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, (int)strlen(want) + 1);
	assert_string_equal(v, want);
}

static uint64_t prop_u64(const char *path, const char *name)
{
	int len;
	const void *v = fdt_getprop(dtb, node(path), name, &len);
	fdt64_t raw;

	assert_non_null(v);
	assert_int_equal(len, 8);
	memcpy(&raw, v, sizeof(raw));
	return fdt64_to_cpu(raw);
}

static void assert_compatible(const char *path, const char *compat)
{
	assert_int_equal(fdt_node_check_compatible(dtb, node(path), compat), 0);
}

/* The cpu nodes under /cpus, each checked: reg = its index, PSCI. */
static int count_cpus(void)
{
	int cpus = node("/cpus"), off, n = 0;

	fdt_for_each_subnode(off, dtb, cpus)
	{
		char path[32];
		uint32_t reg = (uint32_t)n;

		snprintf(path, sizeof(path), "/cpus/%s", fdt_get_name(dtb, off, NULL));
		assert_str(path, "device_type", "cpu");
		assert_str(path, "enable-method", "psci");
		assert_cells(path, "reg", &reg, 1);
		n++;
	}
	return n;
}

static void test_guest_dtb(void **state)
{
	struct guest_dtb_desc d = dtb_desc(2);
	const uint32_t two = 2;
	const uint32_t mem[] = {0, (uint32_t)KCORE_GUEST_RAM_BASE, 0, (uint32_t)DTB_RAM};
	const uint32_t gic[] = {0, (uint32_t)KCORE_GUEST_GICD_BASE, 0, 0x10000,
				0, (uint32_t)KCORE_GUEST_GICR_BASE, 0, 2 * 0x20000};
	const uint32_t timer[] = {1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4};
	const uint32_t uart[] = {0, (uint32_t)KCORE_GUEST_UART_BASE, 0, 0x1000};
	const uint32_t uart_irq[] = {0, 1, 4};
	int len, clk;
	const fdt32_t *clocks;
	const char *stdout_path;

	(void)state;
	assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
	assert_int_equal(logs, 0);
	assert_int_equal(fdt_check_header(dtb), 0);
	assert_true(fdt_totalsize(dtb) <= 4096);
	assert_int_equal(dtb[4096], 0xee); /* nothing written past the buffer */

	assert_cells("/", "#address-cells", &two, 1);
	assert_cells("/", "#size-cells", &two, 1);
	assert_cells("/", "interrupt-parent", (const uint32_t[]){GUEST_PHANDLE_GIC}, 1);
	assert_str("/memory@80000000", "device_type", "memory");
	assert_cells("/memory@80000000", "reg", mem, 4);
	assert_int_equal(count_cpus(), 2);
	assert_compatible("/psci", "arm,psci-1.0");
	assert_compatible("/psci", "arm,psci-0.2");
	assert_str("/psci", "method", "hvc");
	assert_compatible("/intc@8000000", "arm,gic-v3");
	assert_cells("/intc@8000000", "reg", gic, 8);
	assert_non_null(fdt_getprop(dtb, node("/intc@8000000"), "interrupt-controller", NULL));
	assert_int_equal(fdt_get_phandle(dtb, node("/intc@8000000")), GUEST_PHANDLE_GIC);
	assert_compatible("/timer", "arm,armv8-timer");
	assert_cells("/timer", "interrupts", timer, 12);

	/* The UART, and its clock through the phandle its clocks name. */
	assert_compatible("/pl011@9000000", "arm,pl011");
	assert_compatible("/pl011@9000000", "arm,primecell");
	assert_cells("/pl011@9000000", "reg", uart, 4);
	assert_cells("/pl011@9000000", "interrupts", uart_irq, 3);
	clocks = fdt_getprop(dtb, node("/pl011@9000000"), "clocks", &len);
	assert_non_null(clocks);
	assert_int_equal(len, 8);
	clk = fdt_node_offset_by_phandle(dtb, fdt32_to_cpu(clocks[0]));
	assert_true(clk >= 0);
	assert_string_equal(fdt_get_name(dtb, clk, NULL), "apb-pclk");
	assert_cells("/apb-pclk", "clock-frequency", (const uint32_t[]){24000000}, 1);

	/* /chosen: the command line, a console path that resolves, the initrd. */
	assert_str("/chosen", "bootargs", DTB_CMD);
	stdout_path = fdt_getprop(dtb, node("/chosen"), "stdout-path", NULL);
	assert_non_null(stdout_path);
	assert_int_equal(fdt_path_offset(dtb, stdout_path), node("/pl011@9000000"));
	assert_int_equal(prop_u64("/chosen", "linux,initrd-start"), DTB_INITRD);
	assert_int_equal(prop_u64("/chosen", "linux,initrd-end"), DTB_INITRD + 0x12345);

	/* 8 vCPUs: 8 cpus, 8 redistributors; no initrd: no initrd properties. */
	d = dtb_desc(GUEST_DTB_MAX_VCPUS);
	d.initrd_start = d.initrd_end = 0;
	assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
	assert_int_equal(count_cpus(), 8);
	assert_int_equal(GUEST_DTB_MAX_VCPUS, 8);
	assert_cells("/intc@8000000", "reg",
		     (const uint32_t[]){0, (uint32_t)KCORE_GUEST_GICD_BASE, 0, 0x10000, 0,
					(uint32_t)KCORE_GUEST_GICR_BASE, 0, 8 * 0x20000},
		     8);
	assert_null(fdt_getprop(dtb, node("/chosen"), "linux,initrd-start", NULL));
	assert_null(fdt_getprop(dtb, node("/chosen"), "linux,initrd-end", NULL));

	/* RAM above 4 GiB: both cells of each number, and a unit address in lowercase hex. */
	d.ram_base = 0x1abc00000ull;
	d.ram_size = 0x100000000ull;
	assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
	assert_cells("/memory@1abc00000", "reg", (const uint32_t[]){1, 0xabc00000u, 1, 0}, 4);
}

/* Each bad input: its own error, one log line naming the VM, nothing past the buffer. */
static void expect_dtb_err(u32 size, const struct guest_dtb_desc *d, enum guest_dtb_err want,
			   const char *why)
{
	assert_int_equal(dtb_build(size, d), want);
	assert_int_equal(logs, 1);
	assert_non_null(strstr(last_log, "VM linux: writing its DTB: "));
	assert_non_null(strstr(last_log, why));
	assert_int_equal(dtb[size < 4096 ? size : 4096], 0xee);
}

static void test_guest_dtb_refusals(void **state)
{
	struct guest_dtb_desc d = dtb_desc(2);
	u32 exact;

	(void)state;
	/* The smallest buffer that holds the tree works; one byte less does not. */
	assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
	exact = fdt_totalsize(dtb);
	assert_int_equal(dtb_build(exact, &d), GUEST_DTB_OK);
	assert_int_equal(dtb[exact], 0xee);
	expect_dtb_err(exact - 1, &d, GUEST_DTB_E_NOSPACE, "FDT_ERR_NOSPACE");
	expect_dtb_err(256, &d, GUEST_DTB_E_NOSPACE, "FDT_ERR_NOSPACE");
	expect_dtb_err(0, &d, GUEST_DTB_E_NOSPACE, "FDT_ERR_NOSPACE");
	/* A command line as long as the payload allows pushes the 2-vCPU tree past 1 KiB. */
	{
		char cmd[sizeof(((struct kcore_payload_vm *)0)->cmdline)];

		memset(cmd, 'x', sizeof(cmd) - 1);
		cmd[sizeof(cmd) - 1] = '\0';
		d.bootargs = cmd;
		assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
		assert_true(fdt_totalsize(dtb) > exact + 200);
		expect_dtb_err(exact, &d, GUEST_DTB_E_NOSPACE, "FDT_ERR_NOSPACE");
		d.bootargs = DTB_CMD;
	}

	d.nr_vcpus = 0;
	expect_dtb_err(4096, &d, GUEST_DTB_E_VCPUS, "vCPU count out of range");
	d.nr_vcpus = GUEST_DTB_MAX_VCPUS + 1;
	expect_dtb_err(4096, &d, GUEST_DTB_E_VCPUS, "vCPU count out of range");
	d.nr_vcpus = 2;

	assert_int_equal(guest_dtb_write(NULL, 4096, &d), GUEST_DTB_E_ARGS);
	expect_dtb_err(0x80000000u, &d, GUEST_DTB_E_ARGS, "no buffer");
	d.bootargs = NULL;
	expect_dtb_err(4096, &d, GUEST_DTB_E_ARGS, "no bootargs");
	d = dtb_desc(2);
	d.ram_size = 0;
	expect_dtb_err(4096, &d, GUEST_DTB_E_ARGS, "empty or wrapping RAM");
	d.ram_size = ~0ull - d.ram_base + 2;
	expect_dtb_err(4096, &d, GUEST_DTB_E_ARGS, "empty or wrapping RAM");
	d = dtb_desc(2);
	d.initrd_end = d.initrd_start - 1;
	expect_dtb_err(4096, &d, GUEST_DTB_E_ARGS, "initrd ends before it starts");
	/* An empty initrd is not an error: it starts and ends at the same place. */
	d.initrd_end = d.initrd_start;
	assert_int_equal(dtb_build(4096, &d), GUEST_DTB_OK);
	assert_int_equal(logs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_payload),
	    cmocka_unit_test(test_arm64_header),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_vuart),
	    cmocka_unit_test(test_vgic_ids),
	    cmocka_unit_test(test_vgic_bits),
	    cmocka_unit_test(test_vgic_priority_config_route),
	    cmocka_unit_test(test_snapfile),
	    cmocka_unit_test(test_gfn_map),
	    cmocka_unit_test(test_hooks),
	    cmocka_unit_test_setup_teardown(test_exit_mmio_uart, exit_setup, exit_teardown),
	    cmocka_unit_test_setup_teardown(test_exit_mmio_gic_bench, exit_setup, exit_teardown),
	    cmocka_unit_test_setup_teardown(test_exit_mmio_unknown, exit_setup, exit_teardown),
	    cmocka_unit_test_setup_teardown(test_exit_guest_calls, exit_setup, exit_teardown),
	    cmocka_unit_test_setup_teardown(test_exit_outcomes, exit_setup, exit_teardown),
	    cmocka_unit_test(test_runq),
	    cmocka_unit_test(test_image_page),
	    cmocka_unit_test(test_guest_dtb),
	    cmocka_unit_test(test_guest_dtb_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

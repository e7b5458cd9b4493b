/* SPDX-License-Identifier: MIT */
/*
 * attack: a malicious guest. From inside its VM it reads and writes IPAs
 * outside its RAM where, in a naive design, it would find the host's memory,
 * kcore's image and carve-out, the payload holding other VMs' images, or
 * another VM's RAM; it shares pages that are not its own; and it issues host
 * calls. Each attempt must be refused:
 *
 *  - an access outside the VM's RAM is an MMIO exit: it must abort (the host
 *    answers an unknown device with KC_RUN_MMIO_ABORT) or return data the
 *    host chose. A read counts as a success only if it returns what really
 *    lies there (a known signature); a write, if reading it back returns the
 *    value written;
 *  - KC_GC_SHARE_PAGE / KC_GC_UNSHARE_PAGE on a page the VM does not own,
 *    and host calls made from a guest, must return an error.
 *
 * It ends with "GUEST attack: N attacks, N refused, 0 succeeded".
 */
#include <kcore/abi.h>
#include <kcore/boot.h>
#include <kcore/guest_tests.h>
#include <kcore/payload.h>

#include "lib/guest.h"

#define POISON 0x61747461636b2121UL /* "attack!!" */
#define MIB    (1UL << 20)

const char guest_name[] = "attack";

static u32 attacks, refused, succeeded, wrong_syndrome;

struct target {
	u64 ipa;
	const char *what;
	/* What a read finds there if it really reaches it (mask 0: nothing known). */
	u64 sig_off, sig_mask, sig_val;
};

/* Counts one attempt and names its outcome. */
static const char *count(bool refused_ok)
{
	attacks++;
	if (refused_ok) {
		refused++;
		return "refused";
	}
	succeeded++;
	return "SUCCEEDED";
}

/*
 * The abort just taken at ipa, described; an abort must say what it is about
 * (a data abort at EL1, FAR = the address), or it is counted as odd.
 */
static const char *abort_syndrome(u64 ipa)
{
	struct probe_abort a = probe_last_abort();

	if (esr_ec(a.esr) == ESR_EC_DABT_CUR && a.far == ipa)
		return "aborted";
	wrong_syndrome++;
	say("the abort at 0x%lx has the wrong syndrome: ESR 0x%lx, FAR 0x%lx", ipa, a.esr, a.far);
	return "aborted, wrong syndrome";
}

static void attack_read(const struct target *t)
{
	u64 ipa = t->ipa + t->sig_off, v;

	if (!probe_read64(ipa, &v))
		say("read 0x%lx (%s): %s (%s)", ipa, t->what, count(true), abort_syndrome(ipa));
	else if (t->sig_mask != 0 && (v & t->sig_mask) == t->sig_val)
		say("read 0x%lx (%s): %s (0x%lx is what really lies there)", ipa, t->what,
		    count(false), v);
	else if (kc_test_is_secret(v))
		say("read 0x%lx (%s): %s (0x%lx is the secret guest's)", ipa, t->what, count(false),
		    v);
	else
		say("read 0x%lx (%s): %s (the host answered 0x%lx)", ipa, t->what, count(true), v);
}

static void attack_write(const struct target *t)
{
	u64 v;

	if (!probe_write64(t->ipa, POISON))
		say("write 0x%lx (%s): %s (%s)", t->ipa, t->what, count(true),
		    abort_syndrome(t->ipa));
	else if (probe_read64(t->ipa, &v) && v == POISON)
		say("write 0x%lx (%s): %s (it reads back: the write landed in memory)", t->ipa,
		    t->what, count(false));
	else
		say("write 0x%lx (%s): %s (the host took it as MMIO)", t->ipa, t->what,
		    count(true));
}

static void attack_call(const char *what, u64 fid, u64 a1, u64 a2, u64 a3, u64 a4)
{
	struct smccc_regs r = {{fid, a1, a2, a3, a4, 0, 0, 0}};

	smccc_hvc(&r);
	if ((s64)r.x[0] != KCORE_OK) {
		say("%s: %s (%ld)", what, count(true), (s64)r.x[0]);
	} else {
		say("%s: %s (x1 = 0x%lx)", what, count(false), r.x[1]);
		if (fid == KC_GC_SHARE_PAGE)
			hvc_call(KC_GC_UNSHARE_PAGE, a1, 0, 0);
	}
}

void guest_main(u64 dtb)
{
	u64 base, size, ram_end, host_ram = 0x40000000;

	if (!fdt_memory(dtb, &base, &size)) {
		say("FAIL no DTB (x0 = 0x%lx): cannot tell where my RAM ends", dtb);
		return;
	}
	ram_end = base + size;
	say("my RAM is 0x%lx..0x%lx; attacking everything else", base, ram_end);
	probe_set_quiet(true); /* each attack's line says how it ended */

	/*
	 * First host RAM, where kcore, the host and other VMs' pages all come
	 * from: early, while a victim started beside this guest still runs.
	 */
	for (u64 a = host_ram; a < KCORE_GUEST_RAM_BASE; a += 64 * MIB) {
		const struct target t = {a + 0x1000, "host RAM (another VM's pages?)", 0, 0, 0};

		attack_read(&t);
		attack_write(&t);
	}

	const struct target targets[] = {
	    {0x0, "the host's flash", 0, 0, 0},
	    {0x09010000, "a host device (QEMU's RTC)", 0, 0, 0},
	    {0x40000000, "the host's DTB", 0, 0xffffffff, 0xedfe0dd0},
	    {KCORE_LOAD_ADDR, "kcore's image", 56, 0xffffffff, 0x644d5241},
	    {KCORE_LOAD_ADDR + 0x10000, "kcore's image (code)", 0, 0, 0},
	    {KSERV_LOAD_ADDR, "the host kernel", 0, 0, 0},
	    {0x48000000, "the payload (other VMs' images)", 0, ~0UL, 0x31444c5941504b43},
	    {0x7f000000, "kcore's carve-out", 0, 0, 0},
	    {ram_end, "the IPA just above my RAM", 0, 0, 0},
	    {ram_end + 64 * MIB, "unmapped IPA above my RAM", 0, 0, 0},
	    {0x100000000UL, "the IPA at 4 GiB", 0, 0, 0},
	};
	for (u32 i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		attack_read(&targets[i]);
		attack_write(&targets[i]);
	}

	attack_call("share the IPA just above my RAM", KC_GC_SHARE_PAGE, ram_end, 0, 0, 0);
	attack_call("share unmapped IPA above my RAM", KC_GC_SHARE_PAGE, ram_end + 64 * MIB, 0, 0,
		    0);
	attack_call("share my UART", KC_GC_SHARE_PAGE, KCORE_GUEST_UART_BASE, 0, 0, 0);
	attack_call("share kcore's image", KC_GC_SHARE_PAGE, KCORE_LOAD_ADDR, 0, 0, 0);
	attack_call("share host RAM", KC_GC_SHARE_PAGE, 0x60000000, 0, 0, 0);
	attack_call("share an unaligned IPA", KC_GC_SHARE_PAGE, image_start() + 8, 0, 0, 0);
	attack_call("share beyond the IPA space", KC_GC_SHARE_PAGE, 1UL << 52, 0, 0, 0);
	attack_call("unshare my UART", KC_GC_UNSHARE_PAGE, KCORE_GUEST_UART_BASE, 0, 0, 0);
	attack_call("host call REGISTER_VM from a guest", KC_HC_REGISTER_VM, 0, 0, 0, 0);
	attack_call("host call VM_DONATE of kcore's page from a guest", KC_HC_VM_DONATE, 1, ram_end,
		    KCORE_LOAD_ADDR, KCORE_PAGE_SIZE);
	attack_call("host call CHECK_INVARIANTS from a guest", KC_HC_CHECK_INVARIANTS, 0, 0, 0, 0);

	say("%u exceptions taken, %u aborts with a wrong syndrome", (u32)guest_exceptions(),
	    wrong_syndrome);
	say("%u attacks, %u refused, %u succeeded", attacks, refused, succeeded);
	if (succeeded != 0 || refused != attacks || wrong_syndrome != 0)
		say("FAIL");
	else
		say("PASS");
}

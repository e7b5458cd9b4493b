/* SPDX-License-Identifier: MIT */
#include "io_consent_attack.h"

#include <kcore/guest_tests.h>

#include "attack_report.h"
#include "io_faults.h"
#include "kserv/console.h"
#include "kserv/format.h"
#include "kserv/hvc.h"

/* Bytes per transfer: QEMU queues a fault per 4 refused bytes and its queue holds 128. */
#define CONSENT_LEN 256u

static bool call_ok(const char *what, u64 id, u64 a1, u64 a2, u64 *out)
{
	struct kcore_ret r = {0};
	s64 err = kcore_call(id, a1, a2, 0, 0, 0, &r);

	if (err != KCORE_OK)
		kprintf("kserv: attacks: consentless IO domain: %s: %s (%ld)\n", what,
			kcore_err_name(err), err);
	if (out != NULL)
		*out = r.x[1];
	return err == KCORE_OK;
}

/* edu moved to domain dom (from wherever it was: kcore refuses a move without a detach). */
static bool edu_to(const struct edu *edu, u64 dom)
{
	kcore_call(KC_HC_IO_DETACH, edu->sid, 0, 0, 0, 0, NULL);
	return call_ok("KC_HC_IO_ATTACH", KC_HC_IO_ATTACH, dom, edu->sid, NULL);
}

/* The poison into edu's buffer, through the host's domain (edu attached there). */
static bool poison_buffer(const struct edu *edu, u64 host_iova, u64 host_pa)
{
	for (u32 i = 0; i < CONSENT_LEN / 8; i++)
		((volatile u64 *)(uintptr_t)host_pa)[i] = ATTACK_VM_POISON;
	return edu_dma(edu, false, host_iova, 0, CONSENT_LEN);
}

/*
 * edu, in the VM's domain, reads the page's IPA into its buffer; the buffer
 * then goes out to the host's page, where no secret word may be.
 */
static void read_through(const struct edu *edu, u64 dom, u64 ipa, u64 host_dom, u64 host_iova,
			 u64 host_pa)
{
	const volatile u64 *words = (const volatile u64 *)(uintptr_t)host_pa;
	char detail[128];
	bool refused;
	u32 leaked = 0;

	if (!edu_to(edu, host_dom) || !poison_buffer(edu, host_iova, host_pa) ||
	    !edu_to(edu, dom) || !edu_dma(edu, false, ipa, 0, CONSENT_LEN)) {
		kprintf("kserv: attacks: consentless IO domain: edu did not finish a transfer\n");
		return;
	}
	refused = io_faults_expect(edu->sid, KC_IO_FAULT_F_TRANSLATION, ipa, CONSENT_LEN,
				   KC_IO_FAULT_ACCESS_READ, detail, sizeof(detail));
	if (!edu_to(edu, host_dom) || !edu_dma(edu, true, host_iova, 0, CONSENT_LEN)) {
		kprintf("kserv: attacks: consentless IO domain: edu did not finish a transfer\n");
		return;
	}
	for (u32 i = 0; i < CONSENT_LEN / 8; i++)
		leaked += kc_test_is_secret(words[i]) != 0;
	if (leaked != 0)
		format_buf(detail, sizeof(detail), "%u secret words reached the host's page",
			   leaked);
	attack_report("edu, attached to the secret VM's consentless IO domain, reads its page at "
		      "its IPA",
		      refused && leaked == 0, detail);
}

/* edu, in the VM's domain, writes the poison at the page's IPA; the guest checks its secret. */
static void write_through(const struct edu *edu, u64 dom, u64 ipa, u64 host_dom, u64 host_iova,
			  u64 host_pa)
{
	char detail[128];
	bool refused;

	if (!edu_to(edu, host_dom) || !poison_buffer(edu, host_iova, host_pa) ||
	    !edu_to(edu, dom) || !edu_dma(edu, true, ipa, 0, CONSENT_LEN)) {
		kprintf("kserv: attacks: consentless IO domain: edu did not finish a transfer\n");
		return;
	}
	refused = io_faults_expect(edu->sid, KC_IO_FAULT_F_TRANSLATION, ipa, CONSENT_LEN,
				   KC_IO_FAULT_ACCESS_WRITE, detail, sizeof(detail));
	attack_report("edu, attached to the secret VM's consentless IO domain, writes its page at "
		      "its IPA",
		      refused, detail);
}

void io_consent_attack(u64 vmid, u64 ipa, u64 pa, const struct edu *edu, u64 host_dom,
		       u64 host_iova, u64 host_pa)
{
	u64 dom;

	if (!call_ok("KC_HC_IO_DOMAIN_ALLOC (the secret VM's)", KC_HC_IO_DOMAIN_ALLOC, vmid, 0,
		     &dom))
		return;
	if (call_ok("KC_HC_IO_ATTACH", KC_HC_IO_ATTACH, dom, edu->sid, NULL)) {
		/* kcore must refuse this one call; the transfers show what it would have meant. */
		attack_call(
		    "map the secret VM's page, never shared, at its IPA into an IO domain the "
		    "host made for it (the consentless IO domain)",
		    KCORE_E_PERM, KC_HC_IO_MAP, dom, ipa, pa, 0);
		read_through(edu, dom, ipa, host_dom, host_iova, host_pa);
		write_through(edu, dom, ipa, host_dom, host_iova, host_pa);
	}
	kcore_call(KC_HC_IO_DETACH, edu->sid, 0, 0, 0, 0, NULL);
	/* Unmaps whatever a kcore that accepted the map holds, so the run can go on. */
	call_ok("KC_HC_IO_DOMAIN_FREE (the secret VM's)", KC_HC_IO_DOMAIN_FREE, dom, 0, NULL);
}

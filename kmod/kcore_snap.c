// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * Encrypted snapshots through /dev/kcore (include/kcore/kcore_ioctl.h,
 * KCORE_VM_IOC_SNAPSHOT and KCORE_VM_IOC_RESTORE; docs/linux-host.md
 * "Snapshots"; the hypercalls are docs/abi.md's "Snapshots").
 *
 * kcore reads and writes records and data pages by physical address, in host
 * RAM: the module gives it two pages of its own, one for a record and one for
 * a data page, and copies each record and page between them and user space
 * call after call. So a snapshot of any size needs two pages of the kernel's,
 * user space never names a physical address, and what it hands in is copied
 * before kcore reads it (it cannot change a record under kcore's feet).
 *
 * Each ioctl claims every vCPU (vcpu->running, as RUN claims one): no vCPU
 * enters kcore meanwhile, none may be inside when it starts (EBUSY), and two
 * snapshots or restores of one VM cannot overlap. With every vCPU claimed no
 * page is donated either (donations happen in RUN), so the pages the module
 * walks are the pages kcore has.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#include <asm/unaligned.h>

#include <kcore/abi.h>
#include <kcore/kcore_ioctl.h>

#include "kcore_mod.h"
#include "kcore_vm.h"

/* The module's two pages for one ioctl. */
struct snap_pages {
	struct page *record;
	struct page *data;
};

/* include/kcore/snapshot.h's record, only its ipa is read here (a PAGE record's, in clear). */
#define SNAP_RECORD_IPA_OFFSET 24u

static bool claim_vcpus(struct kcore_vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		if (atomic_cmpxchg(&vm->vcpus[i].running, 0, 1) != 0) {
			while (i-- > 0)
				atomic_set(&vm->vcpus[i].running, 0);
			return false;
		}
	}
	return true;
}

static void release_vcpus(struct kcore_vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		atomic_set(&vm->vcpus[i].running, 0);
}

static int pages_alloc(struct snap_pages *p)
{
	p->record = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	p->data = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	return p->record != NULL && p->data != NULL ? 0 : -ENOMEM;
}

static void pages_free(struct snap_pages *p)
{
	/* Ciphertext and records only, but zeroed anyway: nothing of a VM goes back dirty. */
	if (p->record != NULL) {
		clear_highpage(p->record);
		__free_page(p->record);
	}
	if (p->data != NULL) {
		clear_highpage(p->data);
		__free_page(p->data);
	}
}

/* Bytes of the buffers for these counts (bounded by the callers: no overflow). */
static u64 records_bytes(u64 nr_pages, u32 nr_vcpus)
{
	return (nr_pages + nr_vcpus + 2) * KCORE_SNAP_RECORD_BYTES;
}

static u64 data_bytes(u64 nr_pages, u32 nr_vcpus)
{
	return (nr_pages + nr_vcpus) * KCORE_SNAP_PAGE_BYTES;
}

static bool buffers_ok(const struct kcore_snapshot *req, u64 nr_pages, u32 nr_vcpus)
{
	return req->records_size >= records_bytes(nr_pages, nr_vcpus) &&
	       req->data_size >= data_bytes(nr_pages, nr_vcpus);
}

static u32 vcpus_on(struct kcore_vm *vm)
{
	unsigned long flags;
	u32 mask = 0;

	/* Started: running (a start consumed, no CPU_OFF since) or a start to consume. */
	spin_lock_irqsave(&vm->lock, flags);
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i].needs_start || vm->vcpus[i].starts > 0)
			mask |= 1u << i;
	spin_unlock_irqrestore(&vm->lock, flags);
	return mask;
}

static bool vm_is_ended(struct kcore_vm *vm)
{
	u32 s = READ_ONCE(vm->state);

	return s == KCORE_VM_POWERED_OFF || s == KCORE_VM_FAILED;
}

/* ---- taking one ----------------------------------------------------------------------- */

/* The record kcore just wrote, to record i of the user's buffer. */
static int put_record(const struct kcore_snapshot *req, const struct snap_pages *p, u64 i)
{
	u8 __user *dst = u64_to_user_ptr(req->records) + i * KCORE_SNAP_RECORD_BYTES;

	return copy_to_user(dst, page_address(p->record), KCORE_SNAP_RECORD_BYTES) != 0 ? -EFAULT
											: 0;
}

static int put_data(const struct kcore_snapshot *req, const struct snap_pages *p, u64 j)
{
	u8 __user *dst = u64_to_user_ptr(req->data) + j * KCORE_SNAP_PAGE_BYTES;

	return copy_to_user(dst, page_address(p->data), KCORE_SNAP_PAGE_BYTES) != 0 ? -EFAULT : 0;
}

/* kcore's refusal of a call past BEGIN as an errno: a module bug or kcore's, not the user's. */
static int snap_refused(long err)
{
	return err == KCORE_E_BUSY ? -EBUSY : -EIO;
}

/* Every page in increasing IPA order; *n: how many; room: at most that many. */
static int write_pages(struct kcore_vm *vm, const struct kcore_snapshot *req,
		       const struct snap_pages *p, u64 room, u64 *n)
{
	unsigned long index = 0;
	int ret = 0;

	*n = 0;
	mutex_lock(&vm->ram_lock);
	while (ret == 0 && kcore_ram_next(vm, index, &index)) {
		u64 ipa = KCORE_GUEST_RAM_BASE + ((u64)index << PAGE_SHIFT);
		long err;

		index++;
		err = kcore_vm_call(vm, "KC_HC_VM_SNAPSHOT_PAGE", KC_HC_VM_SNAPSHOT_PAGE, ipa,
				    page_to_phys(p->data), page_to_phys(p->record), NULL);
		if (err == KCORE_E_NOENT)
			continue; /* held but not mapped in its RAM: not part of a snapshot */
		if (err != KCORE_OK) {
			ret = snap_refused(err);
			break;
		}
		if (*n >= room) {
			ret = -EIO; /* more than kcore holds: cannot be */
			break;
		}
		ret = put_record(req, p, 1 + *n);
		if (ret == 0)
			ret = put_data(req, p, *n);
		(*n)++;
		cond_resched();
	}
	mutex_unlock(&vm->ram_lock);
	return ret;
}

/* SNAPSHOT_BEGIN done: the rest, or CANCEL. nr_pages: the upper bound in, the count out. */
static int write_snapshot(struct kcore_vm *vm, const struct kcore_snapshot *req,
			  const struct snap_pages *p, u64 *nr_pages)
{
	u64 n = 0;
	long err;
	int ret = put_record(req, p, 0);

	if (ret == 0)
		ret = write_pages(vm, req, p, *nr_pages, &n);
	for (u32 i = 0; ret == 0 && i < vm->nr_vcpus; i++) {
		err = kcore_vm_call(vm, "KC_HC_VM_SNAPSHOT_VCPU", KC_HC_VM_SNAPSHOT_VCPU, i,
				    page_to_phys(p->data), page_to_phys(p->record), NULL);
		ret = err != KCORE_OK ? snap_refused(err) : put_record(req, p, 1 + n + i);
		if (ret == 0)
			ret = put_data(req, p, n + i);
	}
	if (ret == 0) {
		err = kcore_vm_call(vm, "KC_HC_VM_SNAPSHOT_END", KC_HC_VM_SNAPSHOT_END,
				    page_to_phys(p->record), 0, 0, NULL);
		ret =
		    err != KCORE_OK ? snap_refused(err) : put_record(req, p, 1 + n + vm->nr_vcpus);
	}
	if (ret != 0) {
		/* What was written can never be restored; the VM runs on as before. */
		kcore_vm_call(vm, "KC_HC_VM_SNAPSHOT_CANCEL", KC_HC_VM_SNAPSHOT_CANCEL, 0, 0, 0,
			      NULL);
		return ret;
	}
	*nr_pages = n;
	return 0;
}

/* Every vCPU claimed. */
static int take_snapshot(struct kcore_vm *vm, struct kcore_snapshot *req)
{
	struct snap_pages p = {NULL, NULL};
	u64 bound = (u64)atomic_long_read(&vm->pages_given);
	long err;
	int ret;

	if (vm_is_ended(vm))
		return -ESHUTDOWN;
	req->nr_pages = bound;
	req->nr_vcpus = vm->nr_vcpus;
	req->vcpus_on = vcpus_on(vm);
	if (req->records == 0 && req->data == 0)
		return 0; /* the sizes only */
	if (!buffers_ok(req, bound, vm->nr_vcpus))
		return -ERANGE;
	ret = pages_alloc(&p);
	if (ret == 0) {
		err = kcore_vm_call(vm, "KC_HC_VM_SNAPSHOT_BEGIN", KC_HC_VM_SNAPSHOT_BEGIN,
				    page_to_phys(p.record), 0, 0, NULL);
		if (err == KCORE_E_NOT_SUPPORTED)
			ret = -EOPNOTSUPP;
		else if (err != KCORE_OK)
			ret = snap_refused(err);
		else
			ret = write_snapshot(vm, req, &p, &req->nr_pages);
	}
	pages_free(&p);
	return ret;
}

static int check_request(const struct kcore_snapshot *req)
{
	if (req->flags != 0 || req->reserved0 != 0 || req->reserved[0] != 0 ||
	    req->reserved[1] != 0)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(req->records), req->records_size) ||
	    !access_ok(u64_to_user_ptr(req->data), req->data_size))
		return -EFAULT;
	return 0;
}

long kcore_vm_snapshot(struct kcore_vm *vm, void __user *uarg)
{
	struct kcore_snapshot req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)) != 0)
		return -EFAULT;
	ret = check_request(&req);
	if (ret != 0)
		return ret;
	/* Both buffers, or neither with no sizes (the question). */
	if ((req.records == 0) != (req.data == 0) ||
	    (req.records == 0 && (req.records_size | req.data_size) != 0))
		return -EINVAL;
	if (!claim_vcpus(vm))
		return -EBUSY;
	ret = take_snapshot(vm, &req);
	release_vcpus(vm);
	/* The counts go back with ERANGE too: that is how the caller learns them. */
	if ((ret == 0 || ret == -ERANGE) && copy_to_user(uarg, &req, sizeof(req)) != 0)
		ret = -EFAULT;
	return ret;
}

/* ---- restoring ------------------------------------------------------------------------ */

static int get_record(const struct kcore_snapshot *req, const struct snap_pages *p, u64 i)
{
	const u8 __user *src = u64_to_user_ptr(req->records) + i * KCORE_SNAP_RECORD_BYTES;

	return copy_from_user(page_address(p->record), src, KCORE_SNAP_RECORD_BYTES) != 0 ? -EFAULT
											  : 0;
}

static int get_data(const struct kcore_snapshot *req, const struct snap_pages *p, u64 j)
{
	const u8 __user *src = u64_to_user_ptr(req->data) + j * KCORE_SNAP_PAGE_BYTES;

	return copy_from_user(page_address(p->data), src, KCORE_SNAP_PAGE_BYTES) != 0 ? -EFAULT : 0;
}

/* One RESTORE call; kcore powers the VM off at AUTH and NOENT (docs/abi.md). */
static int restore_call(struct kcore_vm *vm, const char *name, unsigned long fid, unsigned long a2,
			unsigned long a3)
{
	long err = kcore_vm_call(vm, name, fid, a2, a3, 0, NULL);

	if (err == KCORE_E_AUTH || err == KCORE_E_NOENT)
		vm->powered_off = true; /* read at teardown, after every ioctl ended */
	return kcore_errno(err);
}

/* RESTORE_BEGIN accepted: every page, vCPU and the trailer. */
static int restore_body(struct kcore_vm *vm, const struct kcore_snapshot *req,
			const struct snap_pages *p)
{
	u64 n = req->nr_pages;
	int ret = 0;

	for (u64 k = 0; ret == 0 && k < n; k++) {
		const u8 *rec = page_address(p->record);

		ret = get_record(req, p, 1 + k);
		if (ret == 0)
			ret = get_data(req, p, k);
		/* The copy's IPA, which kcore authenticates: a false one only fails the restore. */
		if (ret == 0)
			ret =
			    kcore_ram_ensure(vm, get_unaligned_le64(rec + SNAP_RECORD_IPA_OFFSET));
		if (ret == 0)
			ret = restore_call(vm, "KC_HC_VM_RESTORE_PAGE", KC_HC_VM_RESTORE_PAGE,
					   page_to_phys(p->data), page_to_phys(p->record));
		cond_resched();
	}
	for (u32 i = 0; ret == 0 && i < vm->nr_vcpus; i++) {
		ret = get_record(req, p, 1 + n + i);
		if (ret == 0)
			ret = get_data(req, p, n + i);
		if (ret == 0)
			ret = restore_call(vm, "KC_HC_VM_RESTORE_VCPU", KC_HC_VM_RESTORE_VCPU,
					   page_to_phys(p->data), page_to_phys(p->record));
	}
	if (ret == 0)
		ret = get_record(req, p, 1 + n + vm->nr_vcpus);
	if (ret == 0)
		ret = restore_call(vm, "KC_HC_VM_RESTORE_END", KC_HC_VM_RESTORE_END,
				   page_to_phys(p->record), 0);
	return ret;
}

/* The vCPUs of mask run at the next RUN, the others wait for a CPU_ON; no more restores. */
static void restored(struct kcore_vm *vm, u32 mask)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->lock, flags);
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].starts = (mask >> i) & 1u;
		vm->vcpus[i].needs_start = true;
	}
	vm->restored = true;
	spin_unlock_irqrestore(&vm->lock, flags);
}

static void restore_failed(struct kcore_vm *vm)
{
	unsigned long flags;

	/* No vCPU is in RUN (all claimed): nobody to wake. */
	spin_lock_irqsave(&vm->lock, flags);
	if (!vm_is_ended(vm))
		WRITE_ONCE(vm->state, KCORE_VM_FAILED);
	spin_unlock_irqrestore(&vm->lock, flags);
}

/* Every vCPU claimed. */
static int restore(struct kcore_vm *vm, const struct kcore_snapshot *req)
{
	struct snap_pages p = {NULL, NULL};
	unsigned long flags;
	bool fresh;
	int ret;

	spin_lock_irqsave(&vm->lock, flags);
	fresh = vm->state == KCORE_VM_VERIFIED && !vm->restored;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (vm_is_ended(vm))
		return -ESHUTDOWN;
	if (!fresh)
		return -EINVAL;
	ret = pages_alloc(&p);
	if (ret == 0)
		ret = get_record(req, &p, 0);
	if (ret == 0) {
		/* Refused here (but for AUTH) nothing changed: the VM is as fresh as it was. */
		ret = restore_call(vm, "KC_HC_VM_RESTORE_BEGIN", KC_HC_VM_RESTORE_BEGIN,
				   page_to_phys(p.record), 0);
		if (ret == -EBADMSG)
			restore_failed(vm);
		else if (ret == 0) {
			ret = restore_body(vm, req, &p);
			if (ret != 0)
				restore_failed(vm);
			else
				restored(vm, req->vcpus_on);
		}
	}
	pages_free(&p);
	return ret;
}

long kcore_vm_restore(struct kcore_vm *vm, const void __user *uarg)
{
	struct kcore_snapshot req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)) != 0)
		return -EFAULT;
	ret = check_request(&req);
	if (ret != 0)
		return ret;
	if (req.nr_vcpus != vm->nr_vcpus || (req.vcpus_on >> vm->nr_vcpus) != 0 ||
	    req.nr_pages == 0 || req.nr_pages > (vm->ram_size >> PAGE_SHIFT) ||
	    !buffers_ok(&req, req.nr_pages, req.nr_vcpus))
		return -EINVAL;
	if (!claim_vcpus(vm))
		return -EBUSY;
	ret = restore(vm, &req);
	release_vcpus(vm);
	return ret;
}

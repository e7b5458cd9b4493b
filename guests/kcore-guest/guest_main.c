// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * kcore-guest.ko (kcore_guest.h): loaded from the protected guest's
 * initramfs before virtio_mmio.ko. It checks that the hypervisor is one
 * that answers pKVM's MEM_SHARE (KVM's vendor UID and its FEATURES bit: the
 * calls Linux's own pKVM guest driver makes), shares the pool, and gives
 * every "virtio,mmio" platform device the bounce DMA operations: those
 * present now, and any bound later (the bus notifier runs after the bus set
 * the device's DMA up and before the driver's probe).
 *
 * A virtio-mmio device already bound to its driver when this module loads
 * keeps direct DMA: its rings are private pages the host cannot reach, so it
 * can never work, and the module says so. That is the safe failure: nothing
 * private is ever shared to make a device work.
 *
 * The module cannot be unloaded (no exit function): devices keep pool
 * addresses until the guest powers off.
 */
#include <linux/arm-smccc.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/of.h>
#include <linux/platform_device.h>

#include "kcore_guest.h"

#define KVM_FUNC_MEM_SHARE 3

static unsigned int pool_kib = 4096;
module_param(pool_kib, uint, 0444);
MODULE_PARM_DESC(pool_kib, "bounce pool size in KiB, a power of two from 64 to 4096");

static unsigned int devices;

static bool hypervisor_shares(void)
{
	struct arm_smccc_res res;

	if (arm_smccc_1_1_get_conduit() != SMCCC_CONDUIT_HVC)
		return false;
	arm_smccc_1_1_hvc(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, &res);
	if ((u32)res.a0 != ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0 ||
	    (u32)res.a1 != ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_1 ||
	    (u32)res.a2 != ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_2 ||
	    (u32)res.a3 != ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_3)
		return false;
	arm_smccc_1_1_hvc(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, &res);
	return (res.a0 & BIT(KVM_FUNC_MEM_SHARE)) != 0;
}

static bool is_virtio_mmio(struct device *dev)
{
	return dev->of_node != NULL && of_device_is_compatible(dev->of_node, "virtio,mmio");
}

static int attach_existing(struct device *dev, void *unused)
{
	if (!is_virtio_mmio(dev))
		return 0;
	if (dev->driver != NULL) {
		dev_err(dev, "kcore-guest: already bound: its DMA stays private, it cannot work\n");
		return 0;
	}
	set_dma_ops(dev, &kcore_bounce_dma_ops);
	devices++;
	return 0;
}

static int platform_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct device *dev = data;

	/*
	 * Again at every bind: a failed probe or an unbind may have torn the
	 * device's DMA operations down (arch_teardown_dma_ops).
	 */
	if (action == BUS_NOTIFY_BIND_DRIVER && is_virtio_mmio(dev))
		set_dma_ops(dev, &kcore_bounce_dma_ops);
	return NOTIFY_DONE;
}

static struct notifier_block platform_nb = {
    .notifier_call = platform_event,
};

static int __init kcore_guest_init(void)
{
	unsigned long pages = ((unsigned long)pool_kib * 1024) >> PAGE_SHIFT;
	dma_addr_t pool;
	int err;

	if (pool_kib < 64 || pool_kib > 4096 || !is_power_of_2(pool_kib)) {
		pr_err("kcore-guest: pool_kib=%u: a power of two from 64 to 4096\n", pool_kib);
		return -EINVAL;
	}
	if (!hypervisor_shares()) {
		pr_err("kcore-guest: the hypervisor does not answer pKVM's MEM_SHARE\n");
		return -ENODEV;
	}
	err = bounce_pool_create(pages);
	if (err != 0) {
		pr_err("kcore-guest: no bounce pool (%d)\n", err);
		return err;
	}
	err = bus_register_notifier(&platform_bus_type, &platform_nb);
	if (err != 0)
		return err; /* the pool stays shared and unused: never given back */
	bus_for_each_dev(&platform_bus_type, NULL, NULL, attach_existing);
	/* Where the pool is: not a secret (the host sees which pages are shared), and tests want
	 * it. */
	pool = bounce_pool_dma(0);
	pr_info("kcore-guest: %u KiB bounce pool shared at %pad, %u virtio-mmio device(s)\n",
		pool_kib, &pool, devices);
	return 0;
}
module_init(kcore_guest_init);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("kcore protected guest: virtio DMA through a shared bounce pool");

/* SPDX-License-Identifier: MIT */
#include "virtio_mmio.h"

#include <string.h>

#include "backend.h"

/* Registers (virtio 1.x 4.2.2). */
#define R_MAGIC		  0x000u
#define R_VERSION	  0x004u
#define R_DEVICE_ID	  0x008u
#define R_VENDOR_ID	  0x00cu
#define R_DEV_FEATURES	  0x010u
#define R_DEV_FEAT_SEL	  0x014u
#define R_DRV_FEATURES	  0x020u
#define R_DRV_FEAT_SEL	  0x024u
#define R_QUEUE_SEL	  0x030u
#define R_QUEUE_NUM_MAX	  0x034u
#define R_QUEUE_NUM	  0x038u
#define R_QUEUE_READY	  0x044u
#define R_QUEUE_NOTIFY	  0x050u
#define R_INT_STATUS	  0x060u
#define R_INT_ACK	  0x064u
#define R_STATUS	  0x070u
#define R_QUEUE_DESC_LO	  0x080u
#define R_QUEUE_DESC_HI	  0x084u
#define R_QUEUE_DRIVER_LO 0x090u
#define R_QUEUE_DRIVER_HI 0x094u
#define R_QUEUE_DEVICE_LO 0x0a0u
#define R_QUEUE_DEVICE_HI 0x0a4u
#define R_CONFIG_GEN	  0x0fcu

static void reset(struct virtio_mmio *t)
{
	t->status = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->drv_features = 0;
	t->int_status = 0;
	for (u32 i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&t->q[i]);
}

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, const char *name,
		      u64 features, u32 config_size)
{
	t->ops = ops;
	t->name = name;
	t->features = features | VIRTIO_TRANSPORT_FEATURES;
	t->config_size = config_size <= VIRTIO_CONFIG_MAX ? config_size : VIRTIO_CONFIG_MAX;
	t->config_gen = 0;
	reset(t);
}

void virtio_mmio_used(struct virtio_mmio *t)
{
	t->int_status |= VIRTIO_INT_USED;
	t->irq(t->irq_ctx);
}

void virtio_mmio_fail(struct virtio_mmio *t, const char *why)
{
	if (virtio_mmio_broken(t))
		return; /* one line per breakage */
	vmm_log("%s: %s: the device needs a reset", t->name, why);
	t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	t->int_status |= VIRTIO_INT_CONFIG;
	t->irq(t->irq_ctx);
}

static struct virtq *sel_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->nr_queues ? &t->q[t->queue_sel] : NULL;
}

/* The driver sets FEATURES_OK: kept only if it took both transport bits and nothing unknown. */
static u32 check_features(const struct virtio_mmio *t, u32 status)
{
	bool ok = (t->drv_features & VIRTIO_TRANSPORT_FEATURES) == VIRTIO_TRANSPORT_FEATURES &&
		  (t->drv_features & ~t->features) == 0;

	return ok ? status : status & ~VIRTIO_STATUS_FEATURES_OK;
}

static void write_status(struct virtio_mmio *t, u32 v)
{
	if (v == 0) {
		reset(t);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) != 0 && (t->status & VIRTIO_STATUS_FEATURES_OK) == 0)
		v = check_features(t, v);
	/* NEEDS_RESET is the device's: the driver cannot clear it but by a reset. */
	t->status = (v & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) |
		    (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void notify(struct virtio_mmio *t, u32 qi)
{
	u32 live = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

	/* Only a driver that negotiated (FEATURES_OK kept) and said DRIVER_OK gets service. */
	if (qi >= t->ops->nr_queues || (t->status & live) != live || virtio_mmio_broken(t) ||
	    !t->q[qi].ready)
		return;
	t->ops->notify(t, qi);
}

/* Queue registers may change only while the queue is not ready (virtio 1.x 4.2.3.2). */
static void set_addr(struct virtq *q, u64 *addr, bool high, u32 v)
{
	if (q == NULL || q->ready)
		return;
	*addr = high ? (*addr & 0xffffffffull) | (u64)v << 32 : (*addr & ~0xffffffffull) | v;
}

static void write_reg(struct virtio_mmio *t, u32 off, u32 v)
{
	struct virtq *q = sel_queue(t);

	switch (off) {
	case R_DEV_FEAT_SEL:
		t->dev_features_sel = v;
		break;
	case R_DRV_FEATURES:
		/* Only before FEATURES_OK: after it, the negotiated set is fixed. */
		if ((t->status & VIRTIO_STATUS_FEATURES_OK) != 0 || t->drv_features_sel > 1)
			break;
		if (t->drv_features_sel == 0)
			t->drv_features = (t->drv_features & ~0xffffffffull) | v;
		else
			t->drv_features = (t->drv_features & 0xffffffffull) | (u64)v << 32;
		break;
	case R_DRV_FEAT_SEL:
		t->drv_features_sel = v;
		break;
	case R_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case R_QUEUE_NUM:
		if (q != NULL && !q->ready)
			q->num = v;
		break;
	case R_QUEUE_READY:
		/* A queue goes ready only with a size and aligned rings; 0 stops it. */
		if (q != NULL)
			q->ready = v == 1 && virtq_valid(q);
		break;
	case R_QUEUE_NOTIFY:
		notify(t, v);
		break;
	case R_INT_ACK:
		t->int_status &= ~v;
		break;
	case R_STATUS:
		write_status(t, v);
		break;
	case R_QUEUE_DESC_LO:
	case R_QUEUE_DESC_HI:
		if (q != NULL)
			set_addr(q, &q->desc, off == R_QUEUE_DESC_HI, v);
		break;
	case R_QUEUE_DRIVER_LO:
	case R_QUEUE_DRIVER_HI:
		if (q != NULL)
			set_addr(q, &q->avail, off == R_QUEUE_DRIVER_HI, v);
		break;
	case R_QUEUE_DEVICE_LO:
	case R_QUEUE_DEVICE_HI:
		if (q != NULL)
			set_addr(q, &q->used, off == R_QUEUE_DEVICE_HI, v);
		break;
	default:
		break; /* read-only or unknown */
	}
}

static u32 read_reg(struct virtio_mmio *t, u32 off)
{
	struct virtq *q = sel_queue(t);

	switch (off) {
	case R_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case R_VERSION:
		return 2;
	case R_DEVICE_ID:
		return t->ops->device_id;
	case R_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case R_DEV_FEATURES:
		return t->dev_features_sel == 0	  ? (u32)t->features
		       : t->dev_features_sel == 1 ? (u32)(t->features >> 32)
						  : 0;
	case R_QUEUE_NUM_MAX:
		return q != NULL ? VIRTQ_NUM_MAX : 0;
	case R_QUEUE_READY:
		return q != NULL && q->ready;
	case R_INT_STATUS:
		return t->int_status;
	case R_STATUS:
		return t->status;
	case R_CONFIG_GEN:
		return t->config_gen;
	default:
		return 0; /* write-only, the queue addresses (write-only here) or unknown */
	}
}

u64 virtio_mmio_access(struct virtio_mmio *t, u64 off, u32 size, bool write, u64 value)
{
	if (off >= VIRTIO_MMIO_CONFIG) {
		u64 c = off - VIRTIO_MMIO_CONFIG, v = 0;

		/* The config space: any size; writes ignored (no device here has a writable field).
		 */
		if (write || c >= t->config_size || size > t->config_size - c)
			return 0;
		for (u32 i = 0; i < size; i++)
			v |= (u64)t->config[c + i] << (8 * i);
		return v;
	}
	if (size != 4 || (off & 3) != 0)
		return 0;
	if (write) {
		write_reg(t, (u32)off, (u32)value);
		return 0;
	}
	return read_reg(t, (u32)off);
}

/* SPDX-License-Identifier: MIT */
#include "edu.h"

#include "lock.h"
#include "sysreg.h"

#define EDU_VENDOR	  0x1234u
#define EDU_DEVICE	  0x11e8u
#define EDU_REG_ID	  0x00u
#define EDU_REG_ALIVE	  0x04u
#define EDU_REG_DMA_SRC	  0x80u
#define EDU_REG_DMA_DST	  0x88u
#define EDU_REG_DMA_COUNT 0x90u
#define EDU_REG_DMA_CMD	  0x98u
#define EDU_ID_MAGIC	  0xedu /* the low byte of the identification register */
#define EDU_DMA_RUN	  (1u << 0)
#define EDU_DMA_TO_MEMORY \
	(1u << 1) /* direction: the buffer to memory; clear: memory to the buffer */
/* QEMU starts a transfer 100 ms (virtual) after the command; give it ample time. */
#define EDU_DMA_TIMEOUT_MS 3000u

static u32 rd32(const struct edu *e, u32 off)
{
	return *(volatile u32 *)(uintptr_t)(e->regs + off);
}

static void wr32(const struct edu *e, u32 off, u32 v)
{
	*(volatile u32 *)(uintptr_t)(e->regs + off) = v;
}

static void wr64(const struct edu *e, u32 off, u64 v)
{
	*(volatile u64 *)(uintptr_t)(e->regs + off) = v;
}

bool edu_probe(struct edu *e)
{
	const u32 probe = 0x5eed1234u;

	if (!pci_find(EDU_VENDOR, EDU_DEVICE, &e->pci))
		return false;
	e->regs = pci_enable_bar0(&e->pci);
	e->sid = pci_requester_id(&e->pci);
	if (e->regs == 0 || (rd32(e, EDU_REG_ID) & 0xffu) != EDU_ID_MAGIC)
		return false;
	/* The liveness register answers the complement of what was written. */
	wr32(e, EDU_REG_ALIVE, probe);
	return rd32(e, EDU_REG_ALIVE) == ~probe;
}

bool edu_dma(const struct edu *e, bool to_memory, u64 iova, u32 buf_off, u32 len)
{
	u64 deadline;

	/*
	 * Strictly inside the buffer: QEMU 7.2 before its stable fix stops the
	 * whole machine for a transfer that ends exactly at the buffer's end.
	 */
	if (len == 0 || buf_off >= EDU_BUFFER_SIZE || len >= EDU_BUFFER_SIZE - buf_off)
		return false;
	wr64(e, to_memory ? EDU_REG_DMA_SRC : EDU_REG_DMA_DST, EDU_BUFFER + buf_off);
	wr64(e, to_memory ? EDU_REG_DMA_DST : EDU_REG_DMA_SRC, iova);
	wr64(e, EDU_REG_DMA_COUNT, len);
	wr64(e, EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_memory ? EDU_DMA_TO_MEMORY : 0));
	deadline = read_cntvct() + read_cntfrq() / 1000u * EDU_DMA_TIMEOUT_MS;
	while ((rd32(e, EDU_REG_DMA_CMD) & EDU_DMA_RUN) != 0) {
		u64 pause = read_cntvct() + read_cntfrq() / 1000u;

		if (pause > deadline)
			return false;
		/*
		 * A millisecond between register reads: QEMU emulates each read under
		 * its global lock, which the timer that runs the transfer needs too.
		 */
		while (read_cntvct() < pause)
			;
	}
	return true;
}

static struct ticket_lock edu_lock;

void edu_claim(void)
{
	ticket_lock(&edu_lock);
}

void edu_release(void)
{
	ticket_unlock(&edu_lock);
}

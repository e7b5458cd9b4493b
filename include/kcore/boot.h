/* SPDX-License-Identifier: MIT */
/*
 * How kcore hands the machine to the host (docs/boot.md). kcore boots at EL2
 * from QEMU as an arm64 Linux-format Image, takes what it needs, and enters
 * the host kernel embedded in its image.
 */
#ifndef KCORE_BOOT_H
#define KCORE_BOOT_H

/* kcore itself is loaded here (RAM base + the Image header's text_offset). */
#define KCORE_LOAD_ADDR 0x40200000ull

/*
 * The host kernel (kserv) is linked to run here (64 MiB into RAM: QEMU puts
 * an initrd at 128 MiB and the DTB at the start of RAM): kcore copies it into host
 * RAM at this address and enters it at its first byte, at EL1h with the MMU
 * off, interrupts masked, x0 = the DTB's physical address, x1..x3 = 0.
 */
#define KSERV_LOAD_ADDR 0x44000000ull

/*
 * Secondary CPUs the host starts with PSCI CPU_ON enter the host's entry
 * point at EL1h, MMU off, x0 = the context id, exactly as PSCI promises; kcore
 * has set the CPU up at EL2 first.
 *
 * kcore marks every RAM range the host must not use (kcore's image and its
 * carve-out) as a /memreserve/ entry of the DTB it passes on.
 */

#endif /* KCORE_BOOT_H */

/* SPDX-License-Identifier: MIT */
/* The host kernel (kserv), carried inside kcore's image and copied out at boot. */
	.section .kserv_blob, "a"
	.balign 4096
	.incbin "kserv.bin"

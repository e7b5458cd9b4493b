# The benchmark guest under Linux KVM and pKVM (bench/vmm/README.md): Debian's
# arm64 cloud kernel (guests/linux.mk) in QEMU with -icount shift=0, an
# initramfs whose init runs our VMM on the guest. Included by the top Makefile
# after guests/linux.mk; uses BUILD, ARM_CC, WARN, Q and DEPS_STAMP from it,
# KCORE_MKINITRAMFS from tools/tools.mk and LINUX_IMAGE from guests/linux.mk.
# Not part of `all`:
#
#   make bench-kvm      runs the guest under KVM (kvm-arm.mode=nvhe) and pKVM
#                       (kvm-arm.mode=protected), every time, and writes
#                       $(BENCH_KVM_OUT) and $(BENCH_PKVM_OUT)
#   make $(BUILD)/bench/kvm.txt (or pkvm.txt)   one of them, only if out of date
#
#   $(BENCH_DIR)/vmm/vmm             bench/vmm/vmm.c, static, stripped
#   $(BENCH_DIR)/vmm/init            bench/vmm/init.c, static, stripped
#   $(BENCH_DIR)/vmm/initramfs.cpio  init, /vmm and the guest as /guest.bin
#   $(BENCH_DIR)/kvm.txt, pkvm.txt   the guest's "BENCH " lines (.log: the console)
#
# BENCH_GUEST=file.bin runs another guest (default: $(BUILD)/bench/bench.bin);
# BENCH_KVM_TIMEOUT=seconds bounds each QEMU run (default 600).
#
#   make linux-boot-cost   the instructions from VM creation to the Linux
#                          guest's init under kcore (kserv and the Linux host),
#                          KVM and pKVM
#                          (scripts/linux-boot-cost.sh), every time: the table
#                          in $(LINUX_BOOT_OUT), consoles beside it
#   $(BENCH_DIR)/vmm/linux-initramfs.cpio  init, /vmm, the guest's Image and
#                          initramfs (as /Image and /initrd.cpio)
#
#   make bench-io          the virtio I/O benchmark under kcore and KVM (bench/bench.sh io)
#   $(BENCH_DIR)/vmm/io-initramfs.cpio  init, /vmm, /Image, /initrd.cpio and /tun.ko:
#                          KVM's side of it
#
# LINUX_BOOT_TIMEOUT=seconds bounds each run (default 1800),
# LINUX_BOOT_MODES="nvhe" leaves pKVM out (default "nvhe protected").

BENCH_DIR := $(BUILD)/bench
BENCH_GUEST ?= $(BENCH_DIR)/bench.bin
BENCH_VMM := $(BENCH_DIR)/vmm/vmm
BENCH_VMM_INIT := $(BENCH_DIR)/vmm/init
BENCH_KVM_INITRAMFS := $(BENCH_DIR)/vmm/initramfs.cpio
BENCH_KVM_OUT := $(BENCH_DIR)/kvm.txt
BENCH_PKVM_OUT := $(BENCH_DIR)/pkvm.txt
BENCH_KVM_TIMEOUT ?= 600

# Against the cross glibc and its kernel headers (linux-libc-dev-arm64-cross:
# linux/kvm.h), statically; the VMM's DTB is written with Debian's arm64 libfdt.
BENCH_VMM_CFLAGS := -std=gnu11 -O2 $(WARN) -Iinclude -I. -static -s -MMD -MP
BENCH_FDT_INC := .deps/arm64/usr/include
BENCH_FDT_LIB := .deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a

# The VMM with the virtio devices kcore-vmm has (vmm/) over the same host ends (hostvmm/'s
# file store and tap): bench/vmm/README.md, "Virtio I/O".
BENCH_VMM_SRCS := bench/vmm/vmm.c bench/vmm/devices.c hostvmm/file_store.c hostvmm/tap.c \
	vmm/virtio_mmio.c vmm/virtqueue.c vmm/virtio_blk.c vmm/virtio_net.c vmm/guest_dtb.c

$(BENCH_VMM): $(BENCH_VMM_SRCS) bench/vmm/devices.h hostvmm/io_backend.h $(wildcard vmm/*.h) \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [bench-vmm] $(BENCH_VMM_SRCS)")
	$(Q)$(ARM_CC) $(BENCH_VMM_CFLAGS) -isystem $(BENCH_FDT_INC) -o $@ \
		$(BENCH_VMM_SRCS) $(BENCH_FDT_LIB) -pthread

$(BENCH_VMM_INIT): bench/vmm/init.c bench/vmm/io_host.c bench/vmm/io_host.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [bench-vmm] bench/vmm/init.c bench/vmm/io_host.c")
	$(Q)$(ARM_CC) $(BENCH_VMM_CFLAGS) -o $@ bench/vmm/init.c bench/vmm/io_host.c

$(BENCH_KVM_INITRAMFS): $(BENCH_VMM_INIT) $(BENCH_VMM) $(BENCH_GUEST) $(KCORE_MKINITRAMFS)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(KCORE_MKINITRAMFS) -o $@ --init $(BENCH_VMM_INIT) --file vmm=$(BENCH_VMM) \
		--file guest.bin=$(BENCH_GUEST)

BENCH_KVM_DEPS := $(LINUX_IMAGE) $(BENCH_KVM_INITRAMFS) scripts/bench-kvm.sh

# $(1): kvm-arm.mode, $(2): the output file.
bench_kvm_run = bash scripts/bench-kvm.sh $(1) $(LINUX_IMAGE) $(BENCH_KVM_INITRAMFS) $(2) \
	$(BENCH_KVM_TIMEOUT)

$(BENCH_KVM_OUT): $(BENCH_KVM_DEPS)
	@$(call bench_kvm_run,nvhe,$@)

$(BENCH_PKVM_OUT): $(BENCH_KVM_DEPS)
	@$(call bench_kvm_run,protected,$@)

bench-kvm: $(BENCH_KVM_DEPS)
	@$(call bench_kvm_run,nvhe,$(BENCH_KVM_OUT))
	@$(call bench_kvm_run,protected,$(BENCH_PKVM_OUT))

LINUX_BOOT_INITRAMFS := $(BENCH_DIR)/vmm/linux-initramfs.cpio
LINUX_BOOT_OUT := $(BENCH_DIR)/linux-boot.txt
LINUX_BOOT_TIMEOUT ?= 1800
LINUX_BOOT_MODES ?= nvhe protected

$(LINUX_BOOT_INITRAMFS): $(BENCH_VMM_INIT) $(BENCH_VMM) $(LINUX_IMAGE) $(LINUX_INITRAMFS) \
		$(KCORE_MKINITRAMFS)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(KCORE_MKINITRAMFS) -o $@ --init $(BENCH_VMM_INIT) --file vmm=$(BENCH_VMM) \
		--file Image=$(LINUX_IMAGE) --file initrd.cpio=$(LINUX_INITRAMFS)

# kcore's side needs kcore and kserv built (all), kcore-run, and for the Linux
# host's row its initramfs (kcore.ko, kcore-vmm, host-init).
linux-boot-cost: all $(LINUX_IMAGE) $(LINUX_INITRAMFS) $(LINUX_BOOT_INITRAMFS) \
		$(LINUX_HOST_INITRAMFS) scripts/linux-boot-cost.sh
	@bash scripts/linux-boot-cost.sh $(LINUX_IMAGE) $(LINUX_INITRAMFS) $(LINUX_BOOT_INITRAMFS) \
		$(LINUX_BOOT_OUT) $(LINUX_BOOT_TIMEOUT) "$(LINUX_BOOT_MODES)"

# The virtio I/O benchmark (docs/bench/README.md, "Virtio I/O"): KVM's side boots the
# Linux guest with --disk and --net (init's I/O mode, chosen by /tun.ko); `make bench-io`
# runs both sides (bench/bench.sh io) and writes the table $(BENCH_DIR)/io.txt.
IO_KVM_INITRAMFS := $(BENCH_DIR)/vmm/io-initramfs.cpio

$(IO_KVM_INITRAMFS): $(BENCH_VMM_INIT) $(BENCH_VMM) $(LINUX_IMAGE) $(LINUX_INITRAMFS) \
		$(LINUX_GUEST_MODSTAMP) $(KCORE_MKINITRAMFS)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(KCORE_MKINITRAMFS) -o $@ --init $(BENCH_VMM_INIT) --file vmm=$(BENCH_VMM) \
		--file Image=$(LINUX_IMAGE) --file initrd.cpio=$(LINUX_INITRAMFS) \
		--file tun.ko=$(LINUX_GUEST_MODDIR)/tun.ko

bench-io: all $(LINUX_IMAGE) $(LINUX_HOST_INITRAMFS) $(IO_KVM_INITRAMFS)
	@bash bench/bench.sh io $(BUILD)

-include $(BENCH_VMM:=.d) $(BENCH_VMM_INIT:=.d)

.PHONY: bench-kvm linux-boot-cost bench-io

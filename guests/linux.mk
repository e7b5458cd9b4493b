# The Linux guest's assets (docs/guests.md, "Linux"): Debian's unmodified arm64
# cloud kernel and a small initramfs whose init checks the VM and powers off.
# Included by the top Makefile after tools/tools.mk; uses BUILD, ARM_CC, WARN,
# Q and DEPS_STAMP from it and KCORE_MKINITRAMFS from tools/tools.mk. Not part
# of `all`:
#
#   make linux-assets       $(LINUX_DIR)/Image, init and initramfs.cpio
#   make linux-bare-check   boots them in plain QEMU (no kcore) and checks
#                           init's verdict and the power-off
#
#   $(LINUX_DIR)/Image           the kernel, uncompressed (scripts/fetch-linux.sh;
#                                the .deb is cached in .deps/linux/). Made once:
#                                delete it to pick up a newer Debian kernel.
#   $(LINUX_DIR)/VERSION         the Debian package's version
#   $(LINUX_DIR)/init            guests/linux-init/init.c, static, stripped
#   $(LINUX_DIR)/initramfs.cpio  newc cpio: dev/console, proc, sys, tmp, init
#   $(LINUX_DIR)/host-init       guests/host-init/init.c: the init of Debian's
#                                kernel booted as kcore's host (docs/linux-host.md)
#   $(LINUX_DIR)/host-initramfs.cpio  the same cpio with host-init as init,
#                                kcore.ko, kcore-vmm, $(GUEST_DIR)/hello.signed, smp.signed,
#                                pwroff.signed and snapguest.signed,
#                                the signed Linux guest (linux.signed, linux-initramfs.signed),
#                                the benchmark guest (bench.signed: bench/bench.sh's
#                                Linux-host column, init's kcore.bench=1)
#   $(LINUX_DIR)/Image.signed, initramfs.signed  the two signed with
#                                $(GUEST_SIGN_KEY), for kcore-vmm in the host initramfs
#   $(LINUX_DIR)/kcore-vmm       the Linux host's VMM (hostvmm/hostvmm.mk, which
#                                builds it; also part of `all`)
#   $(LINUX_DIR)/headers         Debian's Kbuild headers for the Image's release
#                                (scripts/fetch-linux-headers.sh; the .debs are
#                                cached in .deps/linux/, unpacked in
#                                .deps/linux-headers/); headers.release its release
#   $(BUILD)/kmod/kcore.ko       kmod/ built by Kbuild against them (`make kmod`), its
#                                vermagic checked against the release
#   $(BUILD)/kmod-attack/kcore_attack.ko  tests/kmod-attack/: the malicious module
#                                of the host init's attacks, built the same way

LINUX_DIR := $(BUILD)/linux
LINUX_IMAGE := $(LINUX_DIR)/Image
LINUX_INIT := $(LINUX_DIR)/init
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio
LINUX_HOST_INIT := $(LINUX_DIR)/host-init
LINUX_HOST_INITRAMFS := $(LINUX_DIR)/host-initramfs.cpio
LINUX_BUSYBOX := $(LINUX_DIR)/busybox
LINUX_HEADERS_RELEASE := $(LINUX_DIR)/headers.release
KMOD_DIR := $(BUILD)/kmod
KMOD := $(KMOD_DIR)/kcore.ko
KMOD_SRCS := kmod/Kbuild $(wildcard kmod/*.c kmod/*.h)
KATTACK_DIR := $(BUILD)/kmod-attack
KATTACK := $(KATTACK_DIR)/kcore_attack.ko
KATTACK_SRCS := $(wildcard tests/kmod-attack/*)
KGUEST_DIR := $(BUILD)/kcore-guest
KGUEST := $(KGUEST_DIR)/kcore-guest.ko
KGUEST_SRCS := $(wildcard guests/kcore-guest/*)
# Debian's own modules the guest loads for virtio (docs/virtio.md), from the
# Image's package, in the order init loads them (after kcore-guest.ko).
LINUX_GUEST_MODULES := virtio_ring virtio virtio_mmio virtio_blk virtio-rng virtio_console \
	failover net_failover virtio_net
# And the host's: loop, to mount the guest's disk image and check it; tun and
# bridge (with its depends=, llc and stp, in load order) for the guests' network;
# virtio-pci for the host's own disk (with virtio_ring, virtio and virtio_blk,
# the guest's).
LINUX_HOST_MODULES := loop tun llc stp bridge virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
LINUX_GUEST_MODDIR := $(LINUX_DIR)/guest-modules
LINUX_GUEST_MODSTAMP := $(LINUX_GUEST_MODDIR)/.stamp

# Against the cross glibc (libc6-dev-arm64-cross), statically: the initramfs
# holds nothing else.
LINUX_INIT_CFLAGS := -std=gnu11 -O2 $(WARN) -Iinclude -static -s -MMD -MP

$(LINUX_IMAGE): scripts/fetch-linux.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FETCH   $@ (Debian's linux-image-cloud-arm64)")
	$(Q)bash scripts/fetch-linux.sh $(@D)

LINUX_INIT_SRCS := guests/linux-init/init.c guests/linux-init/virtio.c guests/linux-init/net.c \
	guests/linux-init/iobench.c

$(LINUX_INIT): $(LINUX_INIT_SRCS) guests/linux-init/init.h guests/linux-init/disk_pattern.h \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [linux-init] $(LINUX_INIT_SRCS)")
	$(Q)$(ARM_CC) $(LINUX_INIT_CFLAGS) -o $@ $(LINUX_INIT_SRCS)

$(LINUX_INITRAMFS): $(LINUX_INIT) $(KCORE_MKINITRAMFS) $(KGUEST) $(LINUX_GUEST_MODSTAMP)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(KCORE_MKINITRAMFS) -o $@ --init $(LINUX_INIT) --file kcore-guest.ko=$(KGUEST) \
		$(foreach m,$(LINUX_GUEST_MODULES),--file $(m).ko=$(LINUX_GUEST_MODDIR)/$(m).ko)

$(LINUX_GUEST_MODSTAMP): $(LINUX_IMAGE) scripts/extract-linux-modules.sh guests/linux.mk
	@$(if $(Q),echo "  EXTRACT $(LINUX_GUEST_MODDIR) ($(LINUX_GUEST_MODULES))")
	$(Q)bash scripts/extract-linux-modules.sh $(LINUX_DIR) $(LINUX_GUEST_MODDIR) $(LINUX_GUEST_MODULES) \
		$(LINUX_HOST_MODULES)
	$(Q)touch $@

LINUX_HOST_INIT_SRCS := guests/host-init/init.c guests/host-init/virtio.c guests/host-init/net.c \
	guests/host-init/run_vm.c guests/host-init/iobench.c bench/vmm/io_host.c

$(LINUX_HOST_INIT): $(LINUX_HOST_INIT_SRCS) guests/host-init/host_init.h \
		guests/linux-init/disk_pattern.h tests/kmod-attack/kcore_attack.h bench/vmm/io_host.h \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [host-init] $(LINUX_HOST_INIT_SRCS)")
	$(Q)$(ARM_CC) $(LINUX_INIT_CFLAGS) -Itests/kmod-attack -Iguests/linux-init -Ibench/vmm -o $@ \
		$(LINUX_HOST_INIT_SRCS)

# The virtio disk test's disk (docs/virtio.md): an empty ext4, made fresh for
# every host initramfs so no run sees another's files.
LINUX_DISK := $(LINUX_DIR)/disk.img
$(LINUX_DISK): guests/linux.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  MKFS    $@ (ext4, 8 MiB)")
	$(Q)rm -f $@ && mke2fs -q -F -t ext4 -L kcore-disk $@ 8M >/dev/null

# The Linux guest as kcore-vmm takes it: each file signed (kserv's payload
# gets them signed by tools/kcore-run instead).
$(LINUX_DIR)/Image.signed: $(LINUX_IMAGE) $(GUEST_SIGN_KEY) $(KCORE_SIGN)
	@$(if $(Q),echo "  SIGN    $@")
	$(Q)$(KCORE_SIGN) sign --key $(GUEST_SIGN_KEY) $< $@ >/dev/null

$(LINUX_DIR)/initramfs.signed: $(LINUX_INITRAMFS) $(GUEST_SIGN_KEY) $(KCORE_SIGN)
	@$(if $(Q),echo "  SIGN    $@")
	$(Q)$(KCORE_SIGN) sign --key $(GUEST_SIGN_KEY) $< $@ >/dev/null

# hello.signed: the signed guest host-init creates VMs from through /dev/kcore
# and runs with kcore-vmm, as it runs smp.signed on 4 vCPUs and (when the
# test asks) the Linux guest, and snapguest.signed with --snapshot-to and
# --restore-from. kcore-vmm is hostvmm/hostvmm.mk's, and
# bench.signed bench/bench.mk's, each named by its path: those files are
# included after this one.
$(LINUX_HOST_INITRAMFS): $(LINUX_HOST_INIT) $(KMOD) $(KATTACK) $(LINUX_DIR)/kcore-vmm \
		$(GUEST_DIR)/hello.signed $(GUEST_DIR)/smp.signed $(GUEST_DIR)/pwroff.signed \
		$(GUEST_DIR)/snapguest.signed $(LINUX_DIR)/Image.signed $(LINUX_DIR)/initramfs.signed $(LINUX_BUSYBOX) \
		$(BUILD)/bench/bench.signed $(KCORE_MKINITRAMFS) $(LINUX_DISK) $(LINUX_GUEST_MODSTAMP)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(KCORE_MKINITRAMFS) -o $@ --init $(LINUX_HOST_INIT) --file kcore.ko=$(KMOD) \
		--file kcore_attack.ko=$(KATTACK) \
		--file kcore-vmm=$(LINUX_DIR)/kcore-vmm --file hello.signed=$(GUEST_DIR)/hello.signed \
		--file smp.signed=$(GUEST_DIR)/smp.signed --file pwroff.signed=$(GUEST_DIR)/pwroff.signed \
		--file snapguest.signed=$(GUEST_DIR)/snapguest.signed --file linux.signed=$(LINUX_DIR)/Image.signed \
		--file linux-initramfs.signed=$(LINUX_DIR)/initramfs.signed \
		--file busybox=$(LINUX_BUSYBOX) --file bench.signed=$(BUILD)/bench/bench.signed \
		--file disk.img=$(LINUX_DISK) \
		$(foreach m,$(LINUX_HOST_MODULES) virtio_ring virtio virtio_blk,--file $(m).ko=$(LINUX_GUEST_MODDIR)/$(m).ko)

# The host's shell (kcore.shell=1, docs/linux-host.md "A shell in the host"):
# Debian's static busybox, fetched like the kernel (the .deb cached in .deps/linux/).
$(LINUX_BUSYBOX): scripts/fetch-busybox.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FETCH   $@ (Debian's busybox-static:arm64)")
	$(Q)bash scripts/fetch-busybox.sh $@

# ---- kcore.ko (docs/linux-host.md, "The module") ----------------------------
# Kbuild writes its objects beside the sources (M= has no separate output
# directory in 6.1), so kmod/ is copied to $(KMOD_DIR) and built there: the
# source tree stays clean. Needs the network once (the headers), so it is part
# of linux-assets, not of `all`.
$(LINUX_HEADERS_RELEASE): $(LINUX_IMAGE) scripts/fetch-linux-headers.sh | $(DEPS_STAMP)
	@$(if $(Q),echo "  FETCH   $(LINUX_DIR)/headers (Debian's linux-headers for the Image's release)")
	$(Q)bash scripts/fetch-linux-headers.sh $(LINUX_DIR)

$(KMOD): $(KMOD_SRCS) include/kcore/abi.h include/kcore/kcore_ioctl.h $(LINUX_HEADERS_RELEASE) \
		scripts/check-vermagic.sh
	@mkdir -p $(@D)
	@$(if $(Q),echo "  KBUILD  $@")
	$(Q)cp $(KMOD_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(LINUX_DIR)/headers M=$(abspath $(@D)) ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		KCORE_INCLUDE=$(abspath include) modules
	$(Q)CROSS=$(CROSS) bash scripts/check-vermagic.sh $@ $$(cat $(LINUX_HEADERS_RELEASE)) >/dev/null || \
		{ rm -f $@; exit 1; }

kmod: $(KMOD)

# kcore_attack.ko (tests/kmod-attack/): a malicious host module for the attacks
# the host init runs; built the same way, against kcore.ko's own header.

$(KATTACK): $(KATTACK_SRCS) kmod/kcore_vm.h include/kcore/abi.h include/kcore/kcore_ioctl.h \
		$(LINUX_HEADERS_RELEASE) scripts/check-vermagic.sh
	@mkdir -p $(@D)
	@$(if $(Q),echo "  KBUILD  $@")
	$(Q)cp $(KATTACK_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(LINUX_DIR)/headers M=$(abspath $(@D)) ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		KCORE_INCLUDE=$(abspath include) KCORE_KMOD=$(abspath kmod) modules
	$(Q)CROSS=$(CROSS) bash scripts/check-vermagic.sh $@ $$(cat $(LINUX_HEADERS_RELEASE)) >/dev/null || \
		{ rm -f $@; exit 1; }

# kcore-guest.ko (guests/kcore-guest/): the protected guest's virtio bounce
# pool, built the same way (the guest runs the same Debian kernel as the host).
$(KGUEST): $(KGUEST_SRCS) $(LINUX_HEADERS_RELEASE) scripts/check-vermagic.sh
	@mkdir -p $(@D)
	@$(if $(Q),echo "  KBUILD  $@")
	$(Q)cp $(KGUEST_SRCS) $(@D)/
	$(Q)$(MAKE) -s -C $(LINUX_DIR)/headers M=$(abspath $(@D)) ARCH=arm64 CROSS_COMPILE=$(CROSS) modules
	$(Q)$(CROSS)strip --strip-debug $@
	$(Q)CROSS=$(CROSS) bash scripts/check-vermagic.sh $@ $$(cat $(LINUX_HEADERS_RELEASE)) >/dev/null || \
		{ rm -f $@; exit 1; }

linux-assets: $(LINUX_IMAGE) $(LINUX_INIT) $(LINUX_INITRAMFS) $(LINUX_HOST_INITRAMFS) $(LINUX_DIR)/kcore-vmm

# Debian's kernel on plain QEMU with a GICv3, as kcore's guests have: init must
# say ok and QEMU must exit by itself (PSCI SYSTEM_OFF). LINUX_TIMEOUT=seconds.
LINUX_TIMEOUT ?= 120
linux-bare-check: linux-assets
	@bash scripts/linux-bare-check.sh $(LINUX_DIR) $(LINUX_TIMEOUT)

# Debian's kernel as kcore's host (docs/linux-host.md): kcore.img with the
# kernel and the host initramfs as multiboot modules (QEMU's guest-loader, at
# the addresses tests/scripts/qemu_linux_host.sh uses). The host's init checks
# what kcore promised and powers off. LINUX_HOST_CPUS=1..8.
LINUX_HOST_CPUS ?= 4
# The same machine with a shell in the host instead of the tests (kcore.shell=1):
# start protected VMs with kcore-vmm; `exit` powers off.
linux-host-shell: all linux-assets
	qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 -cpu max \
		-smp $(LINUX_HOST_CPUS) -m 2G -nographic -nic none -kernel $(BUILD)/kcore.img \
		-device "guest-loader,addr=0x50000000,kernel=$(LINUX_IMAGE),bootargs=console=ttyAMA0 kcore.shell=1" \
		-device "guest-loader,addr=0x58000000,initrd=$(LINUX_HOST_INITRAMFS)"

run-linux-host: all linux-assets
	qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 -cpu max \
		-smp $(LINUX_HOST_CPUS) -m 1G -nographic -nic none -kernel $(BUILD)/kcore.img \
		-device "guest-loader,addr=0x50000000,kernel=$(LINUX_IMAGE),bootargs=console=ttyAMA0 kcore.expect_cpus=$(LINUX_HOST_CPUS)" \
		-device "guest-loader,addr=0x58000000,initrd=$(LINUX_HOST_INITRAMFS)"

.PHONY: linux-assets linux-bare-check run-linux-host linux-host-shell kmod

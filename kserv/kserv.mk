# kserv, the reference untrusted host kernel (docs/kserv.md), as the flat
# binary kcore embeds: $(KSERV_BIN), linked at KSERV_LOAD_ADDR (from
# include/kcore/boot.h) and entered at its first byte. Included by the top Makefile; uses BUILD,
# ARM_CC, CROSS, WARN, Q and DEPS_STAMP from it.
#
# kserv runs on the EL1 library (el1/el1.mk: bring-up, vectors, probes,
# conduits, string functions and <string.h>, printf subset), compiled with
# its flags; .deps/arm64 supplies Debian's arm64 libfdt.

KSERV_BIN := $(BUILD)/kserv/kserv.bin
KSERV_ELF := $(BUILD)/kserv/kserv.elf

KSERV_C_SRCS := $(sort $(wildcard kserv/*.c))
KSERV_S_SRCS := $(sort $(wildcard kserv/*.S))
# The host's job (vmm/, hooks) and the test and attack drivers (tests/kserv/), built
# with kserv's flags into build/kserv/vmm/ and build/kserv/tests/.
KSERV_VMM_SRCS := $(sort $(wildcard vmm/*.c))
KSERV_TEST_SRCS := $(sort $(wildcard tests/kserv/*.c))
KSERV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KSERV_C_SRCS)) \
	$(patsubst %.S,$(BUILD)/%.o,$(KSERV_S_SRCS)) \
	$(patsubst %.c,$(BUILD)/kserv/%.o,$(KSERV_VMM_SRCS) $(KSERV_TEST_SRCS))

KSERV_FDT_LIB := .deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a
KSERV_FDT_INC := .deps/arm64/usr/include
KSERV_CFLAGS = $(EL1_CFLAGS) -isystem $(KSERV_FDT_INC)
KSERV_ASFLAGS := $(EL1_ASFLAGS)
# The link address: the one number of the boot contract the linker needs.
KSERV_LOAD_ADDR := $(shell sed -n 's/^\#define KSERV_LOAD_ADDR[[:space:]]*\(0x[0-9a-fA-F]*\).*/\1/p' \
	include/kcore/boot.h)

KSERV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,kserv/kserv.ld \
	-Wl,--defsym=KSERV_LOAD_ADDR=$(KSERV_LOAD_ADDR) -Wl,--no-warn-rwx-segments

$(BUILD)/kserv/%.o: kserv/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kserv] $<")
	$(Q)$(ARM_CC) $(KSERV_CFLAGS) -c $< -o $@

$(BUILD)/kserv/vmm/%.o: vmm/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kserv] $<")
	$(Q)$(ARM_CC) $(KSERV_CFLAGS) -c $< -o $@

$(BUILD)/kserv/tests/kserv/%.o: tests/kserv/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kserv] $<")
	$(Q)$(ARM_CC) $(KSERV_CFLAGS) -c $< -o $@

$(BUILD)/kserv/%.o: kserv/%.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS [kserv] $<")
	$(Q)$(ARM_CC) $(KSERV_ASFLAGS) -c $< -o $@

$(KSERV_ELF): $(KSERV_OBJS) $(EL1_LIB) kserv/kserv.ld include/kcore/boot.h
	@$(if $(Q),echo "  LD [kserv] $@")
	@test -n "$(KSERV_LOAD_ADDR)" || { echo "kserv.mk: no KSERV_LOAD_ADDR in include/kcore/boot.h" >&2; exit 1; }
	$(Q)$(ARM_CC) $(KSERV_LDFLAGS) -o $@ $(KSERV_OBJS) $(KSERV_FDT_LIB) $(EL1_LIB) -lgcc

$(KSERV_BIN): $(KSERV_ELF)
	@$(if $(Q),echo "  BIN [kserv] $@")
	$(Q)$(CROSS)objcopy -O binary $< $@

kserv: $(KSERV_BIN)

.PHONY: kserv

# Boots kcore + kserv in QEMU on the serial console: interactive ("kserv> "),
# or running KSERV_CMDS (e.g. make kserv-run KSERV_CMDS="info;cpus") and then
# powering off. SMP (default 4) and CPU (default max) choose the machine; an
# SMMUv3 and QEMU's edu device are always there (kserv's "dma").
# Ctrl-A X leaves QEMU.
KSERV_QEMU = qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
	-cpu $(or $(CPU),max) -smp $(or $(SMP),4) -m 1G -nographic -nic none \
	-device edu,dma_mask=0xffffffffff -kernel $(BUILD)/kcore.img

kserv-run: $(BUILD)/kcore.img
	$(KSERV_QEMU) $(if $(KSERV_CMDS),-append "kserv.cmds=$(KSERV_CMDS)")

.PHONY: kserv-run

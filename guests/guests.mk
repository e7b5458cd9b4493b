# The test and demo guests (docs/guests.md): small bare-metal EL1 programs,
# each an arm64 Linux-format Image. Included by the top Makefile after
# tools/tools.mk; uses BUILD, ARM_CC, CROSS, WARN, Q and DEPS_STAMP from it,
# and KCORE_SIGN and DEV_KEY from tools/tools.mk. Adds its images to `all`.
#
#   $(BUILD)/guests/<name>.img        the Image, linked at KCORE_GUEST_RAM_BASE
#   $(BUILD)/guests/<name>.signed     the same, signed with $(GUEST_SIGN_KEY)
#   $(BUILD)/guests/smoke/<name>.img  linked at 0x40200000, where plain QEMU
#                                     loads an Image (make guest-smoke GUEST=hello)
#
# A guest is guests/<name>.c, plus guests/<name>_*.S if it has assembly, linked
# with the guest library in guests/lib and the EL1 library under it
# (el1/el1.mk, which this file's flags are).

GUEST_NAMES := hello memstress smp ioshare attack secret timer timers cpuview snapguest regworld pwroff psci gic debug pkvmabi
GUEST_DIR := $(BUILD)/guests
GUEST_IMAGES := $(GUEST_NAMES:%=$(GUEST_DIR)/%.img)
GUEST_SIGNED := $(GUEST_NAMES:%=$(GUEST_DIR)/%.signed)
GUEST_SMOKE_IMAGES := $(GUEST_NAMES:%=$(GUEST_DIR)/smoke/%.img)

# Signed with the development key by default; a release build with
# TRUSTED_KEYS=... signs its guests with GUEST_SIGN_KEY=that-key.priv.
GUEST_SIGN_KEY ?= $(DEV_KEY).priv

# Where the guest machine's RAM starts (include/kcore/payload.h), and where
# QEMU puts an Image with text_offset 0 when it boots one itself (2 MiB into
# its RAM at 0x40000000: it keeps the first 2 MiB for its boot stub).
GUEST_LOAD_ADDR := $(shell sed -n \
	's/^\#define KCORE_GUEST_RAM_BASE[[:space:]]*\(0x[0-9a-fA-F]*\).*/\1/p' \
	include/kcore/payload.h)
GUEST_SMOKE_LOAD_ADDR := 0x40200000

GUEST_OBJ := $(GUEST_DIR)/obj
GUEST_LIB_OBJS := $(patsubst guests/%.c,$(GUEST_OBJ)/%.o,$(sort $(wildcard guests/lib/*.c))) \
	$(patsubst guests/%.S,$(GUEST_OBJ)/%.o,$(sort $(wildcard guests/lib/*.S)))
# The objects of guest $(1): guests/$(1).c and any guests/$(1)_*.S.
guest_objs = $(GUEST_OBJ)/$(1).o \
	$(patsubst guests/%.S,$(GUEST_OBJ)/%.o,$(wildcard guests/$(1)_*.S)) $(GUEST_LIB_OBJS)

# The EL1 library's flags (el1/el1.mk): freestanding, MMU off (Device memory,
# hence -mstrict-align), no FP/SIMD in C code (-mgeneral-regs-only).
GUEST_CFLAGS = $(EL1_CFLAGS)
GUEST_ASFLAGS := $(EL1_ASFLAGS)
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,guests/lib/guest.ld \
	-Wl,--no-warn-rwx-segments

$(GUEST_OBJ)/%.o: guests/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [guest] $<")
	$(Q)$(ARM_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OBJ)/%.o: guests/%.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS [guest] $<")
	$(Q)$(ARM_CC) $(GUEST_ASFLAGS) -c $< -o $@

define guest_rules
# $(1) = guest name
$(GUEST_DIR)/$(1).elf: $(call guest_objs,$(1)) $(EL1_LIB) guests/lib/guest.ld include/kcore/payload.h
	@$(if $(Q),echo "  LD [guest] $$@")
	@test -n "$(GUEST_LOAD_ADDR)" || { echo "guests.mk: no KCORE_GUEST_RAM_BASE in include/kcore/payload.h" >&2; exit 1; }
	$(Q)$(ARM_CC) $(GUEST_LDFLAGS) -Wl,--defsym=GUEST_LOAD_ADDR=$(GUEST_LOAD_ADDR) \
		-o $$@ $(call guest_objs,$(1)) $(EL1_LIB) -lgcc

$(GUEST_DIR)/smoke/$(1).elf: $(call guest_objs,$(1)) $(EL1_LIB) guests/lib/guest.ld
	@mkdir -p $$(@D)
	$(Q)$(ARM_CC) $(GUEST_LDFLAGS) -Wl,--defsym=GUEST_LOAD_ADDR=$(GUEST_SMOKE_LOAD_ADDR) \
		-o $$@ $(call guest_objs,$(1)) $(EL1_LIB) -lgcc
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_rules,$(g))))

$(GUEST_DIR)/%.img: $(GUEST_DIR)/%.elf
	@$(if $(Q),echo "  IMAGE [guest] $@")
	$(Q)$(CROSS)objcopy -O binary $< $@

$(GUEST_DIR)/%.signed: $(GUEST_DIR)/%.img $(GUEST_SIGN_KEY) $(KCORE_SIGN)
	@$(if $(Q),echo "  SIGN [guest] $@")
	$(Q)$(KCORE_SIGN) sign --key $(GUEST_SIGN_KEY) $< $@

guests: $(GUEST_IMAGES) $(GUEST_SIGNED)

guests-smoke: $(GUEST_SMOKE_IMAGES)

# One guest on plain QEMU, no kcore: EL1 only, QEMU's PL011, PSCI and a GICv3 (as
# kcore's guests have; -M virt alone gives a GICv2, where the gic guest aborts); the
# kcore guest calls return NOT_SUPPORTED. make guest-smoke GUEST=memstress
guest-smoke: $(GUEST_DIR)/smoke/$(or $(GUEST),hello).img
	qemu-system-aarch64 -M virt,gic-version=3 -cpu max -smp $(or $(SMP),2) -m 1G -nographic -nic none \
		-kernel $<

all: guests

.PHONY: guests guests-smoke guest-smoke

# A stand-in for kcore.img built with the guest library, for the launcher's
# tests (tests/launcher/fake_kcore.c): it prints what the payload scripts.
FAKE_KCORE := $(BUILD)/tests/fake-kcore.img

$(GUEST_OBJ)/fake_kcore.o: tests/launcher/fake_kcore.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [guest] $<")
	$(Q)$(ARM_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/tests/fake-kcore.elf: $(GUEST_OBJ)/fake_kcore.o $(GUEST_LIB_OBJS) $(EL1_LIB) guests/lib/guest.ld
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) $(GUEST_LDFLAGS) -Wl,--defsym=GUEST_LOAD_ADDR=$(GUEST_SMOKE_LOAD_ADDR) \
		-o $@ $(GUEST_OBJ)/fake_kcore.o $(GUEST_LIB_OBJS) $(EL1_LIB) -lgcc

$(FAKE_KCORE): $(BUILD)/tests/fake-kcore.elf
	$(Q)$(CROSS)objcopy -O binary $< $@

guests: $(FAKE_KCORE)

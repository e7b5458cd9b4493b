# The benchmarks (docs/bench/README.md), included by the top Makefile after
# guests/guests.mk, whose compiler flags and guest library it uses. Adds the
# benchmark guest to `all`:
#
#   $(BUILD)/bench/bench.bin      the guest, a flat binary linked at KCORE_GUEST_RAM_BASE,
#                                 entered at its first byte (an arm64 Image header comes first)
#   $(BUILD)/bench/bench.signed   the same, signed, for kcore (tools/kcore-run)
#
# `make bench` runs it under kcore + kserv in QEMU with -icount shift=0 and
# makes the table, docs/bench/results.csv and docs/bench/results.png, with
# the KVM and pKVM columns from $(BUILD)/bench/kvm.txt and pkvm.txt (written
# by `make bench-kvm`, which it runs if they are missing and the target exists).
# BENCH_REPEAT=N runs kcore N times and fails unless every run prints the same numbers.
# With the Linux assets made (make linux-assets) it also runs the guest under kcore
# with Debian's Linux as the host and kcore-vmm (the column kcore-linux; n/a without
# them), making $(BUILD)/linux/host-initramfs.cpio again first if it is out of date.
# `make bench-profile` shows where each operation's instructions go (bench/profile.sh).
#
# The boot cost (docs/bench/README.md, "Boot cost"): `make bench` also runs the
# hello guest padded to 1, 8 and 32 MiB and signed ($(BUILD)/bench/boot/mib<N>.signed),
# three VMs in one kcore run, for signature verification and image hand-over per
# MiB; `make bench-boot` does only that, and prints the boot-cost table.

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/bench.bin
BENCH_SIGNED := $(BENCH_DIR)/bench.signed
BENCH_OBJS := $(BENCH_DIR)/obj/bench.o $(GUEST_LIB_OBJS)
BENCH_REPEAT ?= 1

$(BENCH_DIR)/obj/%.o: bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [bench] $<")
	$(Q)$(ARM_CC) $(GUEST_CFLAGS) -Iguests -c $< -o $@

$(BENCH_DIR)/bench.elf: $(BENCH_OBJS) $(EL1_LIB) guests/lib/guest.ld include/kcore/payload.h
	@$(if $(Q),echo "  LD [bench] $@")
	@test -n "$(GUEST_LOAD_ADDR)" || { echo "bench.mk: no KCORE_GUEST_RAM_BASE in include/kcore/payload.h" >&2; exit 1; }
	$(Q)$(ARM_CC) $(GUEST_LDFLAGS) -Wl,--defsym=GUEST_LOAD_ADDR=$(GUEST_LOAD_ADDR) \
		-o $@ $(BENCH_OBJS) $(EL1_LIB) -lgcc

$(BENCH_BIN): $(BENCH_DIR)/bench.elf
	@$(if $(Q),echo "  IMAGE [bench] $@")
	$(Q)$(CROSS)objcopy -O binary $< $@

$(BENCH_SIGNED): $(BENCH_BIN) $(GUEST_SIGN_KEY) $(KCORE_SIGN)
	@$(if $(Q),echo "  SIGN [bench] $@")
	$(Q)$(KCORE_SIGN) sign --key $(GUEST_SIGN_KEY) $< $@

bench-guest: $(BENCH_BIN) $(BENCH_SIGNED)

BENCH_BOOT_MIBS := 1 8 32
BENCH_BOOT_IMAGES := $(foreach n,$(BENCH_BOOT_MIBS),$(BENCH_DIR)/boot/mib$(n).signed)

# The hello guest with zeros after it up to N MiB (its BSS and stacks are zero anyway).
$(BENCH_DIR)/boot/mib%.img: $(GUEST_DIR)/hello.img
	@mkdir -p $(@D)
	@$(if $(Q),echo "  PAD [bench] $@")
	$(Q)cp $< $@.tmp && truncate -s $*M $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/boot/mib%.signed: $(BENCH_DIR)/boot/mib%.img $(GUEST_SIGN_KEY) $(KCORE_SIGN)
	@$(if $(Q),echo "  SIGN [bench] $@")
	$(Q)$(KCORE_SIGN) sign --key $(GUEST_SIGN_KEY) $< $@

bench-boot-images: $(BENCH_BOOT_IMAGES)

bench-boot: $(DEPS_STAMP) $(BUILD)/kcore.img $(TOOLS) $(LAUNCHER_TOOLS) $(BENCH_BOOT_IMAGES)
	@BENCH_REPEAT=$(BENCH_REPEAT) bash bench/bench.sh boot $(BUILD)

# The reset scrub's cost per GiB (bench/bench.sh scrub; `make bench` runs it too).
bench-scrub: $(DEPS_STAMP) $(BUILD)/kcore.img $(TOOLS) $(GUEST_SIGNED)
	@bash bench/bench.sh scrub $(BUILD)

all: bench-guest

bench: $(DEPS_STAMP) $(BUILD)/kcore.img $(TOOLS) $(LAUNCHER_TOOLS) $(BENCH_SIGNED) \
		$(BENCH_BOOT_IMAGES)
	@BENCH_REPEAT=$(BENCH_REPEAT) MAKE="$(MAKE)" bash bench/bench.sh run $(BUILD)

# Where each operation's instructions go under kcore, function by function (QEMU's
# block trace; a few minutes). BENCH_PROFILE_TOP=N functions per operation.
BENCH_PROFILE_TOP ?= 15
bench-profile: $(DEPS_STAMP) $(BUILD)/kcore.img $(TOOLS) $(LAUNCHER_TOOLS) $(BENCH_SIGNED)
	@bash bench/profile.sh $(BUILD) $(BENCH_PROFILE_TOP)

.PHONY: bench bench-guest bench-profile bench-boot bench-boot-images bench-scrub

# kcore build. `make` builds the tools, the simulated machine and the tests, and
# cross-compiles the portable core for aarch64; `make test` runs every test and
# ends with "N passed, M failed"; `make run` is the main demo; `make lint` runs
# clang-format, cppcheck, clang-tidy and gcc -fanalyzer.
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD ?= build
DEPS_STAMP := $(BUILD)/.deps-ok

# V=1 shows every command.
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

HOST_CC ?= gcc
CROSS ?= aarch64-linux-gnu-
ARM_CC := $(CROSS)gcc

WARN := -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith -Wcast-qual \
	-Wundef -Wvla -Wimplicit-fallthrough -Wformat=2
INCLUDES := -Iinclude -I.
# Each arch's own headers the core includes by one name (<arch/vcpu_state.h>):
# the host builds (core on the simulated machine) see arch/sim's; the aarch64
# builds see arch/aarch64/include, which ARM_CFLAGS already has.
SIM_INCLUDES := -Iarch/sim/include
# KCORE_SCHED_POINTS: the race harness's switch points (core/lib/sched_point.h), sim only.
# KCORE_LOCK_CHECK: the per-CPU lock-order check (core/lock_order.h, arch/sim/lock_check.c), sim only.
HOST_CFLAGS := -std=c11 -O1 -g $(WARN) $(INCLUDES) $(SIM_INCLUDES) -D_DEFAULT_SOURCE -DKCORE_DEBUG \
	-DKCORE_SCHED_POINTS -DKCORE_LOCK_CHECK -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# BearSSL's headers come from /usr/include/bearssl (architecture independent);
# arch/aarch64/include supplies the one libc header they include.
ARM_CFLAGS := -std=c11 -O2 -g $(WARN) $(INCLUDES) -isystem arch/aarch64/include \
	-isystem /usr/include/bearssl -ffreestanding -fno-builtin -mgeneral-regs-only \
	-mno-outline-atomics -fno-stack-protector -mstrict-align -DKCORE_DEBUG -MMD -MP

# Sources of the portable core: every .c under core/.
CORE_SRCS := $(sort $(shell find core -name '*.c'))
# Sources of the simulated machine (arch/sim) and of host-run test helpers.
SIM_SRCS := $(sort $(wildcard arch/sim/*.c))
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c tools/lib/*.c))
UNIT_TESTS := $(sort $(wildcard tests/unit/test_*.c))

HOST_LIBS := -lbearssl -lcmocka -lfdt

# The libFuzzer target (rules below; defined here because `test` needs it).
FUZZ_BIN := $(BUILD)/fuzz/fuzz_kcore
# The machine's objects (kcore and the sim), whose globals the fuzzer saves and resets...
FUZZ_STATE_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(CORE_SRCS) $(SIM_SRCS))
# ...and the harness's, which stay as they are.
FUZZ_HARNESS_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,tests/fuzz/fuzz_kcore.c \
	tests/fuzz/state.c tools/lib/imgsign.c)

include tools/tools.mk
include tools/launcher.mk
include el1/el1.mk
include guests/guests.mk
include guests/linux.mk
include bench/bench.mk
include bench/kvm.mk
include kserv/kserv.mk
include vmm/vmm.mk
include hostvmm/hostvmm.mk

# ---- dependencies -----------------------------------------------------------
$(DEPS_STAMP): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

deps: $(DEPS_STAMP)

# ---- host (normal and sanitizer) builds of core + sim + tests ------------------
define host_variant
# $(1) = variant name, $(2) = extra flags, $(3) = compiler (default HOST_CC)
$(BUILD)/$(1)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC [$(1)] $$<")
	$(Q)$(or $(3),$(HOST_CC)) $(HOST_CFLAGS) $(2) -c $$< -o $$@

$(BUILD)/$(1)/libkcore-sim.a: $(patsubst %.c,$(BUILD)/$(1)/%.o,$(CORE_SRCS) $(SIM_SRCS) $(TESTLIB_SRCS))
	@rm -f $$@
	$(Q)ar rcs $$@ $$^

$(BUILD)/$(1)/tests/unit/%: $(BUILD)/$(1)/tests/unit/%.o $(BUILD)/$(1)/libkcore-sim.a
	@$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(or $(3),$(HOST_CC)) $(2) -o $$@ $$^ $(HOST_LIBS)

# The race harness also links the run loop with issue 14's first-run race put
# back (core/run/run.c, KCORE_PUT_BACK_FIRST_RUN_RACE), renamed, to show it finds it.
$(BUILD)/$(1)/tests/unit/run_racy.o: core/run/run.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC [$(1)] $$< (first-run race put back)")
	$(Q)$(or $(3),$(HOST_CC)) $(HOST_CFLAGS) $(2) -DKCORE_PUT_BACK_FIRST_RUN_RACE -Dvcpu_run=vcpu_run_racy \
		-c $$< -o $$@

$(BUILD)/$(1)/tests/unit/test_race: $(BUILD)/$(1)/tests/unit/test_race.o \
		$(BUILD)/$(1)/tests/unit/run_racy.o $(BUILD)/$(1)/libkcore-sim.a
	@$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(or $(3),$(HOST_CC)) $(2) -o $$@ $$^ $(HOST_LIBS) -lpthread

$(1)_TEST_BINS := $(patsubst %.c,$(BUILD)/$(1)/%,$(UNIT_TESTS))
endef

$(eval $(call host_variant,host,))
$(eval $(call host_variant,asan,$(SAN_FLAGS)))
$(eval $(call host_variant,cov,--coverage -O0))
# The model comparison runs a million steps: optimised, it takes half the time.
$(eval $(call host_variant,opt,-O2))
# ThreadSanitizer (clang): the race harness with real threads (tests/scripts/race_tsan.sh).
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
$(eval $(call host_variant,tsan,$(TSAN_FLAGS),clang))
TSAN_RACE_BIN := $(BUILD)/tsan/tests/unit/test_race

# ---- the reference model and the property-based test (tests/model) -------------
PROP_BIN := $(BUILD)/opt/tests/model/prop_test
$(PROP_BIN): $(BUILD)/opt/tests/model/prop_test.o $(BUILD)/opt/tests/model/model.o \
		$(BUILD)/opt/libkcore-sim.a
	@$(if $(Q),echo "  LD [opt] $@")
	$(Q)$(HOST_CC) -o $@ $^ $(HOST_LIBS)

# A longer model comparison: make model-check MODEL_STEPS=20000000 (split over both cores).
MODEL_STEPS ?= 10000000
model-check: $(PROP_BIN)
	@MODEL_STEPS=$(MODEL_STEPS) bash tests/scripts/model.sh $(BUILD)

# ---- aarch64: the same portable core, freestanding ---------------------------
ARM_CORE_OBJS := $(patsubst %.c,$(BUILD)/aarch64/%.o,$(CORE_SRCS))
$(BUILD)/aarch64/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [aarch64] $<")
	$(Q)$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@

# The trusted public keys (tools/tools.mk generates the table) are part of the core.
ARM_CORE_OBJS += $(BUILD)/aarch64/gen/trusted_keys.o
$(BUILD)/aarch64/gen/trusted_keys.o: $(TRUSTED_KEYS_C)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@
# So is the sealing secret (snapshots), in kcore's image: only kcore reads it.
ARM_CORE_OBJS += $(BUILD)/aarch64/gen/seal_secret.o
$(BUILD)/aarch64/gen/seal_secret.o: $(SEAL_SECRET_C)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) $(ARM_CFLAGS) -Wno-missing-variable-declarations -c $< -o $@

$(BUILD)/aarch64/libkcore-core.a: $(ARM_CORE_OBJS)
	@rm -f $@
	$(Q)$(CROSS)ar rcs $@ $^

# ---- aarch64: kcore's EL2 image (arch/aarch64) with the host kernel inside ----
ARM64_FDT_INC := .deps/arm64/usr/include
ARM64_FDT_LIB := .deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a
ARM64_BEARSSL_LIB := /usr/lib/aarch64-linux-gnu/libbearssl.a
ARCH_SRCS := $(sort $(wildcard arch/aarch64/*.c))
ARCH_ASM := $(filter-out arch/aarch64/kserv_blob.S,$(sort $(wildcard arch/aarch64/*.S)))
ARCH_OBJS := $(patsubst %.c,$(BUILD)/aarch64/%.o,$(ARCH_SRCS)) \
	$(patsubst %.S,$(BUILD)/aarch64/%.o,$(ARCH_ASM))
ARCH_CFLAGS := $(ARM_CFLAGS) -isystem $(ARM64_FDT_INC) -Iarch/aarch64

$(BUILD)/aarch64/arch/aarch64/%.o: arch/aarch64/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [aarch64] $<")
	$(Q)$(ARM_CC) $(ARCH_CFLAGS) -c $< -o $@

$(BUILD)/aarch64/arch/aarch64/%.o: arch/aarch64/%.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS [aarch64] $<")
	$(Q)$(ARM_CC) -Iarch/aarch64 -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/aarch64/kserv_blob.o: arch/aarch64/kserv_blob.S $(KSERV_BIN)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) -Wa,-I$(dir $(KSERV_BIN)) -c $< -o $@

$(BUILD)/kcore.elf: $(ARCH_OBJS) $(BUILD)/aarch64/kserv_blob.o $(BUILD)/aarch64/libkcore-core.a \
		arch/aarch64/kcore.lds
	@$(if $(Q),echo "  LD [aarch64] $@")
	$(Q)$(ARM_CC) -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments -Wl,--build-id=none -T arch/aarch64/kcore.lds \
		-o $@ $(ARCH_OBJS) $(BUILD)/aarch64/kserv_blob.o $(BUILD)/aarch64/libkcore-core.a \
		$(ARM64_FDT_LIB) $(ARM64_BEARSSL_LIB) $(BUILD)/aarch64/libkcore-core.a -lgcc

$(BUILD)/kcore.img: $(BUILD)/kcore.elf
	$(Q)$(CROSS)objcopy -O binary $< $@
	@echo "  IMAGE   $@ (kcore + kserv, arm64 Image format)"

# ---- the release image: the same kcore without KCORE_DEBUG ---------------------
# $(BUILD)/kcore.img is the debug build every test and `make run` use: it has
# KC_HC_CHECK_INVARIANTS, which lets the host have kcore walk (and time) its
# whole state. $(BUILD)/release/kcore.img is built from the same sources
# without -DKCORE_DEBUG, every object of its own under $(BUILD)/release/, so
# nothing compiled for debugging can end up in it; the call is NOT_SUPPORTED
# there (tests/scripts/qemu_release.sh checks it on QEMU).
REL := $(BUILD)/release
ARM_REL_CFLAGS := $(filter-out -DKCORE_DEBUG,$(ARM_CFLAGS))
ARCH_REL_CFLAGS := $(filter-out -DKCORE_DEBUG,$(ARCH_CFLAGS))
REL_CORE_OBJS := $(patsubst %.c,$(REL)/aarch64/%.o,$(CORE_SRCS)) \
	$(REL)/aarch64/gen/trusted_keys.o $(REL)/aarch64/gen/seal_secret.o
REL_ARCH_OBJS := $(patsubst %.c,$(REL)/aarch64/%.o,$(ARCH_SRCS)) \
	$(patsubst %.S,$(REL)/aarch64/%.o,$(ARCH_ASM))
# -isystem arch/aarch64/include hides its headers from -MMD: the one the core
# includes, <arch/vcpu_state.h> (struct arch_vcpu's layout), named here.
$(ARM_CORE_OBJS) $(ARCH_OBJS) $(REL_CORE_OBJS) $(REL_ARCH_OBJS): arch/aarch64/include/arch/vcpu_state.h

$(REL)/aarch64/core/%.o: core/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [release] $<")
	$(Q)$(ARM_CC) $(ARM_REL_CFLAGS) -c $< -o $@

$(REL)/aarch64/gen/trusted_keys.o: $(TRUSTED_KEYS_C)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) $(ARM_REL_CFLAGS) -c $< -o $@

$(REL)/aarch64/gen/seal_secret.o: $(SEAL_SECRET_C)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) $(ARM_REL_CFLAGS) -Wno-missing-variable-declarations -c $< -o $@

$(REL)/aarch64/arch/aarch64/%.o: arch/aarch64/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [release] $<")
	$(Q)$(ARM_CC) $(ARCH_REL_CFLAGS) -c $< -o $@

$(REL)/aarch64/arch/aarch64/%.o: arch/aarch64/%.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(ARM_CC) -Iarch/aarch64 -D__ASSEMBLY__ -c $< -o $@

$(REL)/aarch64/libkcore-core.a: $(REL_CORE_OBJS)
	@rm -f $@
	$(Q)$(CROSS)ar rcs $@ $^

# kserv is the same host: the blob is only its binary, included (no C, no KCORE_DEBUG).
$(REL)/kcore.elf: $(REL_ARCH_OBJS) $(BUILD)/aarch64/kserv_blob.o $(REL)/aarch64/libkcore-core.a \
		arch/aarch64/kcore.lds
	@$(if $(Q),echo "  LD [release] $@")
	$(Q)$(ARM_CC) -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments -Wl,--build-id=none -T arch/aarch64/kcore.lds \
		-o $@ $(REL_ARCH_OBJS) $(BUILD)/aarch64/kserv_blob.o $(REL)/aarch64/libkcore-core.a \
		$(ARM64_FDT_LIB) $(ARM64_BEARSSL_LIB) $(REL)/aarch64/libkcore-core.a -lgcc

$(REL)/kcore.img: $(REL)/kcore.elf
	$(Q)$(CROSS)objcopy -O binary $< $@
	@echo "  IMAGE   $@ (release: no KCORE_DEBUG, no KC_HC_CHECK_INVARIANTS)"

release: $(REL)/kcore.img

# ---- top-level targets --------------------------------------------------------
all: $(DEPS_STAMP) $(TOOLS) $(host_TEST_BINS) $(BUILD)/aarch64/libkcore-core.a $(BUILD)/kcore.img \
	$(REL)/kcore.img

test: all $(asan_TEST_BINS) $(TSAN_RACE_BIN) $(FUZZ_BIN) $(PROP_BIN) linux-assets
	@bash tests/run.sh $(BUILD)

# The main job: kcore boots at EL2 in QEMU on 4 CPUs and enters kserv, which
# boots signed guests: `hello`, `ioshare` (shares a page with the host), `smp`
# (starts its vCPUs with PSCI CPU_ON, which the host tries to redirect), and
# `secret`, which the host attacks in every way it can: its CPU, DMA through the
# SMMU, devices that write memory outside it, IO domains without the VM's consent
# (each attack refused, the victim intact, kcore's memory read back through QEMU's
# monitor); all power off and are torn down. `make kserv-run` gives kserv's interactive prompt
# instead (Ctrl-A X leaves QEMU); tools/kcore-run runs your own images.
run: all
	@tools/kcore-run --attacks --edu --vm image=$(BUILD)/guests/hello.signed \
		--vm image=$(BUILD)/guests/secret.signed --vm image=$(BUILD)/guests/ioshare.signed \
		--vm image=$(BUILD)/guests/smp.signed,cpus=4

# Debian's unmodified arm64 cloud kernel as a protected VM on 2 vCPUs, with the
# project's initramfs (guests/linux-init): it checks memory, CPUs and tmpfs and
# powers off. Both files are signed with the development key and verified by kcore.
run-linux: all linux-assets
	@tools/kcore-run --timeout 300 --vm image=$(LINUX_IMAGE),initrd=$(LINUX_INITRAMFS),name=linux,cpus=2,mem=256M,cmdline="console=ttyAMA0 kcore.expect_cpus=2"

# The simulated two-VM scenario, narrated step by step.
run-sim: all
	@$(BUILD)/host/tests/unit/test_scenario --narrate

# ---- the libFuzzer target (clang, ASan + UBSan) -------------------------------
# A persistent target (tests/fuzz/state.h): it boots once and resets the
# machine after every input. For that, every .data and .bss of core/ and
# arch/sim/ is renamed into kcore_data and kcore_bss, which the linker bounds
# with __start_/__stop_ symbols, so the reset copies all of kcore's and the
# sim's globals and nothing else.
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt \
	-fno-sanitize-recover=all -DKCORE_DEBUG -DKCORE_LOCK_CHECK -D_DEFAULT_SOURCE $(INCLUDES) $(SIM_INCLUDES) -Wall -Wextra -Werror \
	-DSIM_TLBI_LOG_SIZE=1024u -MMD -MP

$(BUILD)/fuzz/obj/core/%.o: core/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)clang $(FUZZ_CFLAGS) -MT $@ -MF $(@:.o=.d) -c $< -o $@.tmp
	$(Q)objcopy --rename-section .data=kcore_data --rename-section .bss=kcore_bss $@.tmp $@
	@rm -f $@.tmp

# The simulated machine is the fuzzer's instrument, not its target: built without
# sanitizers or coverage it walks every table before each operation twice as fast.
# (Every access of the core's to RAM is still checked: that code is the core's.
# The sim runs under ASan and UBSan in the unit tests, build/asan.)
FUZZ_SIM_CFLAGS := $(filter-out -fsanitize=% -fsanitize-coverage-ignorelist=%,$(FUZZ_CFLAGS))

$(BUILD)/fuzz/obj/arch/sim/%.o: arch/sim/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)clang $(FUZZ_SIM_CFLAGS) -MT $@ -MF $(@:.o=.d) -c $< -o $@.tmp
	$(Q)objcopy --rename-section .data=kcore_data --rename-section .bss=kcore_bss $@.tmp $@
	@rm -f $@.tmp

$(BUILD)/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)clang $(FUZZ_CFLAGS) -c $< -o $@

# The reset itself, uninstrumented: copying megabytes with a coverage callback per
# compare would cost more than the inputs (and its loops are no target).
$(BUILD)/fuzz/obj/tests/fuzz/state.o: tests/fuzz/state.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)clang $(filter-out -fsanitize=% -fsanitize-coverage-ignorelist=% -O1,$(FUZZ_CFLAGS)) -O2 -c $< -o $@

# The sim's two heap-backed parts keep their sections: the reset empties them instead.
FUZZ_UNSAVED_OBJS := $(BUILD)/fuzz/obj/arch/sim/tlb.o $(BUILD)/fuzz/obj/arch/sim/console.o
$(FUZZ_UNSAVED_OBJS): $(BUILD)/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $<")
	$(Q)clang $(FUZZ_SIM_CFLAGS) -c $< -o $@

$(FUZZ_HARNESS_OBJS) $(FUZZ_STATE_OBJS): tests/fuzz/coverage-ignore.txt

$(FUZZ_BIN): $(FUZZ_HARNESS_OBJS) $(FUZZ_STATE_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -fsanitize=fuzzer,address,undefined -o $@ $^ -lbearssl

# A longer campaign: make fuzz FUZZ_SECONDS=3600 (findings land in $(BUILD)/fuzz/).
FUZZ_SECONDS ?= 600
fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/scripts/fuzz.sh $(BUILD)

# Line and branch coverage of core/ by the host-run tests (gcovr), written to
# $(BUILD)/cov/coverage.txt and .html; docs/security.md says what is not covered.
coverage: $(cov_TEST_BINS)
	@find $(BUILD)/cov -name '*.gcda' -delete
	@for t in $(cov_TEST_BINS); do $$t >/dev/null 2>&1 || { echo "coverage: $$t failed"; exit 1; }; done
	@gcovr --root . --filter 'core/' --object-directory $(BUILD)/cov \
		--txt $(BUILD)/cov/coverage.txt --html-details $(BUILD)/cov/coverage.html \
		--print-summary --exclude-unreachable-branches --exclude-throw-branches | tail -3

lint: $(DEPS_STAMP)
	@bash scripts/lint.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

.PHONY: all deps release test run run-linux run-sim coverage fuzz model-check lint format clean

# make print-VAR shows a variable (scripts/lint.sh reads the cross flags this way).
print-%:
	@echo '$($*)'
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

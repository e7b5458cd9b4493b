# kcore-vmm (hostvmm/, docs/linux-host.md "The VMM: kcore-vmm"), the Linux
# host's user-space VMM: hostvmm/*.c with vmm/ (the host's job kserv shares),
# for aarch64 Linux against the cross glibc, static (the host initramfs holds
# nothing else), linked with .deps/arm64's libfdt as kserv is. vmm/ is built
# again for it with the plain C11 flags of vmm/vmm.mk's hosted build, so it
# stays C11 here too; only hostvmm/ asks for GNU extensions (pthreads,
# signals, getopt_long). Also built for the build machine against its own
# libfdt ($(HOSTVMM_HOSTED)), where everything but /dev/kcore works: the
# argument checks, the files, the layout and the DTB (--dry-run, --dump-dtb;
# tests/scripts/hostvmm.sh). Included by the top Makefile after
# guests/linux.mk and vmm/vmm.mk; uses BUILD, ARM_CC, HOST_CC, WARN, Q,
# DEPS_STAMP, LINUX_DIR and VMM_HOSTED_LIB(S) from them. Both are part of `all`.

HOSTVMM := $(LINUX_DIR)/kcore-vmm
HOSTVMM_HOSTED := $(BUILD)/host/hostvmm/kcore-vmm
HOSTVMM_SRCS := $(sort $(wildcard hostvmm/*.c))
HOSTVMM_VMM_SRCS := $(sort $(wildcard vmm/*.c))
HOSTVMM_OBJ := $(LINUX_DIR)/obj
HOSTVMM_FDT_INC := .deps/arm64/usr/include
HOSTVMM_FDT_LIB := .deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a
HOSTVMM_BASE_CFLAGS := -O2 -g $(WARN) -Iinclude -I. -MMD -MP
HOSTVMM_CFLAGS := -std=gnu11 -pthread $(HOSTVMM_BASE_CFLAGS)
HOSTVMM_VMM_CFLAGS := -std=c11 $(HOSTVMM_BASE_CFLAGS)

$(HOSTVMM_OBJ)/hostvmm/%.o: hostvmm/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kcore-vmm] $<")
	$(Q)$(ARM_CC) $(HOSTVMM_CFLAGS) -isystem $(HOSTVMM_FDT_INC) -c $< -o $@

$(HOSTVMM_OBJ)/vmm/%.o: vmm/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kcore-vmm] $<")
	$(Q)$(ARM_CC) $(HOSTVMM_VMM_CFLAGS) -isystem $(HOSTVMM_FDT_INC) -c $< -o $@

$(HOSTVMM): $(patsubst %.c,$(HOSTVMM_OBJ)/%.o,$(HOSTVMM_SRCS) $(HOSTVMM_VMM_SRCS))
	@$(if $(Q),echo "  LD [kcore-vmm] $@")
	$(Q)$(ARM_CC) -static -pthread -s -o $@ $^ $(HOSTVMM_FDT_LIB)

# The build machine's: hostvmm/ with its gcc, vmm/ from vmm/vmm.mk's hosted library.
$(BUILD)/host/hostvmm/%.o: hostvmm/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [kcore-vmm hosted] $<")
	$(Q)$(HOST_CC) $(HOSTVMM_CFLAGS) -c $< -o $@

$(HOSTVMM_HOSTED): $(patsubst %.c,$(BUILD)/host/%.o,$(HOSTVMM_SRCS)) $(VMM_HOSTED_LIB)
	@$(if $(Q),echo "  LD [kcore-vmm hosted] $@")
	$(Q)$(HOST_CC) -pthread -o $@ $^ $(VMM_HOSTED_LIBS)

kcore-vmm: $(HOSTVMM) $(HOSTVMM_HOSTED)

all: $(HOSTVMM) $(HOSTVMM_HOSTED)

.PHONY: kcore-vmm

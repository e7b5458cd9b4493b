# vmm/, the host's job (docs/kserv.md, "vmm/"), is built into kserv with
# kserv's flags (kserv/kserv.mk). Here: the proof that it needs nothing of
# kserv's: every vmm/*.c compiled hosted, with the build machine's gcc and no
# -ffreestanding, no kserv include path, no _DEFAULT_SOURCE (plain C11 and
# kcore's include/; <libfdt.h> from the build machine), into
# $(VMM_HOSTED_LIB); and its unit test, which links it with a fake backend
# (tests/unit/test_vmm.c) and libfdt. Included by the top Makefile; uses
# BUILD, HOST_CC, WARN, Q, SAN_FLAGS and HOST_LIBS from it.

VMM_SRCS := $(sort $(wildcard vmm/*.c))
VMM_HOSTED_CFLAGS := -std=c11 -O1 -g $(WARN) -Iinclude -I. -MMD -MP
VMM_HOSTED_LIB := $(BUILD)/host/vmm/libvmm.a
# What a program linking $(VMM_HOSTED_LIB) needs besides libc: Debian's
# libfdt (vmm/guest_dtb.c), as kserv links .deps/arm64's libfdt.a.
VMM_HOSTED_LIBS := -lfdt

# More specific than the top Makefile's $(BUILD)/host/%.o: these flags win.
$(BUILD)/host/vmm/%.o: vmm/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [vmm hosted] $<")
	$(Q)$(HOST_CC) $(VMM_HOSTED_CFLAGS) -c $< -o $@

$(VMM_HOSTED_LIB): $(patsubst vmm/%.c,$(BUILD)/host/vmm/%.o,$(VMM_SRCS))
	@rm -f $@
	$(Q)ar rcs $@ $^

vmm-hosted: $(VMM_HOSTED_LIB)

.PHONY: vmm-hosted

# The unit test links vmm/ (not the core): the top Makefile's pattern rule
# would link libkcore-sim.a. One rule per variant that builds unit tests.
define vmm_unit_test
$(BUILD)/$(1)/tests/unit/test_vmm: $(BUILD)/$(1)/tests/unit/test_vmm.o \
		$(patsubst vmm/%.c,$(BUILD)/$(1)/vmm/%.o,$(VMM_SRCS))
	@$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(HOST_CC) $(2) -o $$@ $$^ $(VMM_HOSTED_LIBS) $(HOST_LIBS)
endef

$(eval $(call vmm_unit_test,host,))
$(eval $(call vmm_unit_test,asan,$(SAN_FLAGS)))
$(eval $(call vmm_unit_test,cov,--coverage -O0))
$(eval $(call vmm_unit_test,opt,-O2))

# The virtio devices' unit test links only them (and vmm_log from the test).
VMM_VIRTIO_SRCS := vmm/virtqueue.c vmm/virtio_mmio.c vmm/virtio_blk.c vmm/virtio_rng.c vmm/virtio_net.c \
	vmm/virtio_console.c vmm/vuart.c
define vmm_virtio_test
$(BUILD)/$(1)/tests/unit/test_virtio: $(BUILD)/$(1)/tests/unit/test_virtio.o \
		$(patsubst vmm/%.c,$(BUILD)/$(1)/vmm/%.o,$(VMM_VIRTIO_SRCS))
	@$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(HOST_CC) $(2) -o $$@ $$^ $(HOST_LIBS)
endef

$(eval $(call vmm_virtio_test,host,))
$(eval $(call vmm_virtio_test,asan,$(SAN_FLAGS)))
$(eval $(call vmm_virtio_test,cov,--coverage -O0))
$(eval $(call vmm_virtio_test,opt,-O2))

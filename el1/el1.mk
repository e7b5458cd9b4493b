# The freestanding EL1 library (docs/design.md, "EL1 library"): what kserv
# and every guest (guests/, bench/bench.c, the launcher's fake kcore) run on
# at EL1 with the MMU off. Included by the top Makefile before the guests
# and kserv; uses BUILD, ARM_CC, WARN, Q and DEPS_STAMP from it.
#
#   $(EL1_LIB)   $(BUILD)/el1/libel1.a: bring-up (start.S), exception vectors
#                and frame (vectors.S, exc_frame.h), probes, SMCCC conduits,
#                string functions, printf subset, ESR words
#
# One archive serves every user: a user links it after its own objects (and
# after libfdt, which calls its string functions), so only what it uses is
# pulled in, and defines its hooks: el1_main, el1_secondary_main,
# el1_exception, el1_stacks and el1_stack_size (el1/start.S, el1/exc_frame.h).
# el1/include supplies <string.h>, <stdlib.h> and <limits.h> for all of them.

EL1_LIB := $(BUILD)/el1/libel1.a
EL1_OBJS := $(patsubst el1/%.c,$(BUILD)/el1/%.o,$(sort $(wildcard el1/*.c))) \
	$(patsubst el1/%.S,$(BUILD)/el1/%.o,$(sort $(wildcard el1/*.S)))

# Recursive (=): on a fresh machine the cross compiler exists only once
# $(DEPS_STAMP) has installed it. Stage-1 MMU off: every access is to Device
# memory, hence -mstrict-align; no FP/SIMD in C code (-mgeneral-regs-only);
# -nostdinc keeps the build machine's /usr/include out; string.c's loops must
# not become calls to themselves (-fno-tree-loop-distribute-patterns).
EL1_GCC_INC = $(shell $(ARM_CC) -print-file-name=include)
EL1_CFLAGS = -std=c11 -O2 -g $(WARN) -nostdinc -isystem el1/include -isystem $(EL1_GCC_INC) \
	-Iinclude -I. -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -nostdlib \
	-mgeneral-regs-only -mno-outline-atomics -mstrict-align -fno-stack-protector \
	-fno-pie -MMD -MP
EL1_ASFLAGS := -nostdinc -Iinclude -I. -D__ASSEMBLER__ -MMD -MP

$(BUILD)/el1/%.o: el1/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [el1] $<")
	$(Q)$(ARM_CC) $(EL1_CFLAGS) -c $< -o $@

$(BUILD)/el1/%.o: el1/%.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS [el1] $<")
	$(Q)$(ARM_CC) $(EL1_ASFLAGS) -c $< -o $@

$(EL1_LIB): $(EL1_OBJS)
	@$(if $(Q),echo "  AR [el1] $@")
	$(Q)rm -f $@ && $(CROSS)ar rcs $@ $(EL1_OBJS)


# The launcher's payload builder (docs/launcher.md), included by the top
# Makefile after tools/tools.mk; uses BUILD, HOST_CC, Q and tools.mk's rule
# for $(BUILD)/tools/%.o. Adds the tool to `all`. tools/kcore-run itself is a
# script and needs no build.

KCORE_MKPAYLOAD := $(BUILD)/tools/kcore-mkpayload
KCORE_MKPAYLOAD_OBJS := $(BUILD)/tools/kcore-mkpayload.o $(BUILD)/tools/lib/imgsign.o \
	$(BUILD)/tools/lib/toolmsg.o

$(KCORE_MKPAYLOAD): $(KCORE_MKPAYLOAD_OBJS)
	@$(if $(Q),echo "  LD [tools] $@")
	$(Q)$(HOST_CC) -o $@ $^ -lbearssl

LAUNCHER_TOOLS := $(KCORE_MKPAYLOAD)

all: $(LAUNCHER_TOOLS)

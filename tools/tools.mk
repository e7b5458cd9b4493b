# Host tools and the trusted-key table, included by the top Makefile.
# Uses BUILD, HOST_CC, HOST_CFLAGS and DEPS_STAMP from there.
#
# Keys (docs/image-format.md, "How the build picks keys"):
#   make TRUSTED_KEYS=path/to/keys.pub   embeds exactly the keys of that file;
#   make                                 embeds a development key generated once
#                                        at $(BUILD)/keys/dev.{priv,pub}.

TOOLS := $(BUILD)/tools/kcore-sign $(BUILD)/gen/trusted_keys.c

KCORE_SIGN := $(BUILD)/tools/kcore-sign
KCORE_SIGN_OBJS := $(BUILD)/tools/kcore-sign.o $(BUILD)/tools/lib/imgsign.o $(BUILD)/tools/lib/toolmsg.o

$(BUILD)/tools/%.o: tools/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [tools] $<")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(KCORE_SIGN): $(KCORE_SIGN_OBJS)
	$(Q)$(HOST_CC) -o $@ $^ -lbearssl

# The Linux guest's initramfs builder (guests/linux.mk), made on demand.
KCORE_MKINITRAMFS := $(BUILD)/tools/kcore-mkinitramfs

$(KCORE_MKINITRAMFS): $(BUILD)/tools/kcore-mkinitramfs.o $(BUILD)/tools/lib/toolmsg.o
	@$(if $(Q),echo "  LD [tools] $@")
	$(Q)$(HOST_CC) -o $@ $^

# ---- trusted keys ------------------------------------------------------------
TRUSTED_KEYS_C := $(BUILD)/gen/trusted_keys.c
DEV_KEY := $(BUILD)/keys/dev

# The dev-key warning is printed by every build that needs the key table (the
# stamp below is remade each time), not only the one that generated it.
ifneq ($(strip $(TRUSTED_KEYS)),)
KEYS_PUB := $(TRUSTED_KEYS)
KEYS_WARN := :
else
KEYS_PUB := $(DEV_KEY).pub
KEYS_WARN := echo "kcore: WARNING: trusted keys: using the development key $(DEV_KEY).pub;" \
	"for development only (release builds set TRUSTED_KEYS=file.pub)" >&2
endif

# Made once and never remade: order-only on the tool, so rebuilding kcore-sign
# does not ask for a new key (keygen refuses to overwrite one anyway).
$(DEV_KEY).priv $(DEV_KEY).pub &: | $(KCORE_SIGN)
	@mkdir -p $(@D)
	$(KCORE_SIGN) keygen $(DEV_KEY)

# Records which key file the table came from. A switch between the dev key and
# TRUSTED_KEYS changes no timestamp of the old source, so without this a
# release build could quietly keep the development key.
KEYS_SRC_STAMP := $(BUILD)/gen/trusted_keys.src
$(KEYS_SRC_STAMP): FORCE
	@$(KEYS_WARN)
	@mkdir -p $(@D)
	@echo '$(KEYS_PUB)' | cmp -s - $@ || echo '$(KEYS_PUB)' > $@

$(TRUSTED_KEYS_C): $(KEYS_PUB) $(KEYS_SRC_STAMP) $(KCORE_SIGN)
	@mkdir -p $(@D)
	@echo "  KEYS    $@ from $(KEYS_PUB)"
	$(KCORE_SIGN) embed-keys $(KEYS_PUB) > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# ---- sealing secret (snapshots; docs/security.md, "Sealing secret") ---------
#   make SEAL_SECRET=path/to/file   embeds that file's 16..64 bytes;
#   otherwise a random development secret made once at $(BUILD)/keys/seal.secret.
SEAL_SECRET_C := $(BUILD)/gen/seal_secret.c
DEV_SEAL := $(BUILD)/keys/seal.secret
ifneq ($(strip $(SEAL_SECRET)),)
SEAL_SRC := $(SEAL_SECRET)
else
SEAL_SRC := $(DEV_SEAL)
endif

$(DEV_SEAL):
	@mkdir -p $(@D)
	@echo "  SEAL    $@ (development sealing secret)"
	$(Q)(umask 077 && head -c 32 /dev/urandom > $@.tmp) && mv $@.tmp $@

SEAL_SRC_STAMP := $(BUILD)/gen/seal_secret.src
$(SEAL_SRC_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(SEAL_SRC)' | cmp -s - $@ || echo '$(SEAL_SRC)' > $@

$(SEAL_SECRET_C): $(SEAL_SRC) $(SEAL_SRC_STAMP)
	@mkdir -p $(@D)
	@n=$$(stat -c %s $(SEAL_SRC)); if [ $$n -lt 16 ] || [ $$n -gt 64 ]; then \
		echo "kcore: SEAL_SECRET $(SEAL_SRC): $$n bytes, needs 16 to 64" >&2; exit 1; fi
	@{ echo '/* Generated from $(SEAL_SRC): the secret kcore derives its sealing key from. */'; \
	   echo '#include <stdint.h>'; \
	   echo 'uint8_t kcore_seal_secret[] = { /* writable: kcore wipes it at boot */'; \
	   od -An -v -tx1 $(SEAL_SRC) | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '};'; \
	   echo 'const uint32_t kcore_seal_secret_len = sizeof(kcore_seal_secret);'; } > $@.tmp
	@mv $@.tmp $@

.PHONY: FORCE
FORCE:

# The freestanding part of cleave: the AArch64 loader and the probe kernel.
#
# Built with the Swift toolchain's clang (--target=aarch64-none-elf) and
# ld.lld, no cross gcc. Included by the top-level Makefile from the repository
# root; also works alone:  make -f mk/loader.mk loader probes
#
#   loader   build/loader-aarch64.elf (for inspection and debugging) and
#            build/loader-aarch64.bin (raw, what the image packs at L)
#   probes   build/probe-aarch64.o, the probe kernel as one relocatable
#            object; scripts/probe.sh links it at a kernel's address

# The Swift toolchain's own clang and ld.lld, wherever PATH puts others.
LOADER_CC	?= $(firstword $(wildcard /opt/swift/usr/bin/clang) clang)
LOADER_LD	?= $(firstword $(wildcard /opt/swift/usr/bin/ld.lld) ld.lld)
LOADER_OUT	?= build
LOADER_OBJ	:= $(LOADER_OUT)/obj

# Run alone (make -f mk/loader.mk) or included: an including Makefile keeps
# its own default goal, whether it includes this file before or after it.
LOADER_MK_ALONE := $(filter loader.mk,$(notdir $(firstword $(MAKEFILE_LIST))))
LOADER_SAVED_GOAL := $(.DEFAULT_GOAL)

CLEAVE_BOOT_H	:= Sources/CBootABI/include/cleave_boot.h
# The loader's span, read from the one header that defines it.
LOADER_SPAN	:= $(shell sed -n 's/^\#define[[:space:]]*CLEAVE_LOADER_SPAN[[:space:]]*\(0x[0-9a-fA-F]*\).*/\1/p' $(CLEAVE_BOOT_H))

# -fPIE with hidden visibility: every address PC-relative (the loader runs
# wherever it is loaded). -fno-jump-tables: a switch over strings otherwise
# becomes a table of absolute pointers, which a relocation-free blob cannot hold.
FREESTANDING_CFLAGS := --target=aarch64-none-elf -std=c11 -ffreestanding -nostdlib -fno-builtin \
	-Wall -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-mgeneral-regs-only -mstrict-align -O2 -g \
	-fPIE -fvisibility=hidden -fno-jump-tables -fno-stack-protector -fno-common \
	-fno-unroll-loops -fomit-frame-pointer -moutline -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections \
	-ISources/Loader -ISources/Loader/common -ISources/Loader/aarch64 -ISources/CBootABI/include

# vectors.S is the probe's: the loader's vector table lives inside entry.S.
LOADER_SRCS := $(wildcard Sources/Loader/common/*.c) \
	$(wildcard Sources/Loader/aarch64/*.c) \
	Sources/Loader/aarch64/entry.S Sources/Loader/aarch64/smccc.S
LOADER_OBJS := $(patsubst %,$(LOADER_OBJ)/loader-aarch64/%.o,$(LOADER_SRCS))
# The loader is far below 1 MiB: the tiny code model forms an address with
# one adr instead of adrp+add, which is what keeps it under 16 KiB.
$(LOADER_OBJS): LOADER_MODEL := -mcmodel=tiny

# The probe shares the loader's tree walker, formatter and libc subset, and
# the AArch64 vector table and SMCCC stubs, so none of them exists twice.
PROBE_SRCS := $(wildcard Tests/Payloads/probe/*.c) \
	$(wildcard Tests/Payloads/probe/*.S) \
	Sources/Loader/common/dt.c Sources/Loader/common/fmt.c Sources/Loader/common/lib.c \
	Sources/Loader/aarch64/smccc.S Sources/Loader/aarch64/vectors.S
PROBE_OBJS := $(patsubst %,$(LOADER_OBJ)/probe-aarch64/%.o,$(PROBE_SRCS))
# The probe is linked at a fixed address: plain absolute code, no GOT.
$(PROBE_OBJS): LOADER_MODEL := -fno-pie

LOADER_LDFLAGS := --no-dynamic-linker -pie --gc-sections --build-id=none -T linker/loader-aarch64.ld \
	--defsym=CLEAVE_LOADER_SPAN=$(LOADER_SPAN)

.PHONY: loader probes loader-clean

loader: $(LOADER_OUT)/loader-aarch64.elf $(LOADER_OUT)/loader-aarch64.bin

probes: $(LOADER_OUT)/probe-aarch64.o

$(LOADER_OUT)/loader-aarch64.elf: $(LOADER_OBJS) linker/loader-aarch64.ld $(CLEAVE_BOOT_H)
	@test -n "$(LOADER_SPAN)" || { echo "mk/loader.mk: no CLEAVE_LOADER_SPAN in $(CLEAVE_BOOT_H)" >&2; exit 1; }
	$(LOADER_LD) $(LOADER_LDFLAGS) -o $@ $(LOADER_OBJS)

$(LOADER_OUT)/loader-aarch64.bin: $(LOADER_OBJS) linker/loader-aarch64.ld $(CLEAVE_BOOT_H)
	@test -n "$(LOADER_SPAN)" || { echo "mk/loader.mk: no CLEAVE_LOADER_SPAN in $(CLEAVE_BOOT_H)" >&2; exit 1; }
	$(LOADER_LD) $(LOADER_LDFLAGS) --oformat binary -o $@ $(LOADER_OBJS)
	@echo "loader: $$(wc -c < $@) bytes of code and data (limit 16384; span $(LOADER_SPAN) with bss and stack)"

$(LOADER_OUT)/probe-aarch64.o: $(PROBE_OBJS)
	$(LOADER_LD) -r -o $@ $(PROBE_OBJS)

# Two rules, not one with two patterns: a multi-pattern rule means one recipe
# makes both files, and the probe's copy of a shared source would never be built.
$(LOADER_OBJ)/loader-aarch64/%.o: %
	@mkdir -p $(@D)
	$(LOADER_CC) $(FREESTANDING_CFLAGS) $(LOADER_MODEL) -MMD -MP -c $< -o $@

$(LOADER_OBJ)/probe-aarch64/%.o: %
	@mkdir -p $(@D)
	$(LOADER_CC) $(FREESTANDING_CFLAGS) $(LOADER_MODEL) -MMD -MP -c $< -o $@

loader-clean:
	rm -rf $(LOADER_OBJ) $(LOADER_OUT)/loader-aarch64.elf $(LOADER_OUT)/loader-aarch64.bin \
		$(LOADER_OUT)/probe-aarch64.o

-include $(LOADER_OBJS:.o=.d) $(PROBE_OBJS:.o=.d)

# Alone, the default goal is the loader. Included, the includer's goal stays;
# if it has none yet, clearing it lets its next target become the default.
ifneq ($(LOADER_MK_ALONE),)
.DEFAULT_GOAL := loader
else
.DEFAULT_GOAL := $(LOADER_SAVED_GOAL)
endif

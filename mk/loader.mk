# The freestanding part of cleave: the loader and the probe kernel, for
# AArch64 and RISC-V.
#
# Built with the Swift toolchain's clang (--target=aarch64-none-elf,
# --target=riscv64-none-elf) and ld.lld, no cross gcc. Included by the
# top-level Makefile from the repository root; also works alone:
#   make -f mk/loader.mk loader probes
#
#   loader   build/loader-ARCH.elf (for inspection and debugging) and
#            build/loader-ARCH.bin (raw, what the image packs at L)
#   loader-faults  the loader with one fault injected, for the
#            loader-integrity boots of make test:
#            build/faults/silent/loader-ARCH.bin (a core it starts never
#            checks in) and build/faults/unchecked/loader-ARCH.bin (no
#            partition check, so a CPU given twice reaches the firmware)
#   firmware build/firmware-spin-table-aarch64.bin: the spin-table boot
#            stub cleave run gives QEMU (-bios) for boards whose cores
#            start by spin-table (Sources/Firmware); built with the loader
#   probes   build/probe-ARCH.o, the probe kernel as one relocatable
#            object; scripts/probe.sh links it at a kernel's address
#            (build/probes/ARCH-ADDR.elf, the names plans use)

# The Swift toolchain's own clang and ld.lld, wherever PATH puts others.
LOADER_CC	?= $(firstword $(wildcard /opt/swift/usr/bin/clang) clang)
LOADER_LD	?= $(firstword $(wildcard /opt/swift/usr/bin/ld.lld) ld.lld)
LOADER_OUT	?= build
LOADER_OBJ	:= $(LOADER_OUT)/obj
LOADER_ARCHES	:= aarch64 riscv64

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
FREESTANDING_CFLAGS := -std=c11 -ffreestanding -nostdlib -fno-builtin \
	-Wall -Werror -Wstrict-prototypes -Wmissing-prototypes -O2 -g \
	-fPIE -fvisibility=hidden -fno-jump-tables -fno-stack-protector -fno-common \
	-fno-unroll-loops -fomit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffunction-sections -fdata-sections \
	-ISources/Loader -ISources/Loader/common -ISources/CBootABI/include

# -moutline (the machine outliner) keeps the AArch64 loader under its 32 KiB.
ARCH_CFLAGS_aarch64 := --target=aarch64-none-elf -mgeneral-regs-only -mstrict-align -moutline \
	-ISources/Loader/aarch64
# RV64IMAC: compressed instructions keep the loader small, A gives the
# probe its atomics; no F/D, so no floating point sneaks in. RISC-V clang
# never assumes misaligned access is allowed. medany: code anywhere in the
# address space (the probe at 0x81000000, not within 2 GiB of zero).
ARCH_CFLAGS_riscv64 := --target=riscv64-none-elf -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ISources/Loader/riscv64

# The loader is far below 1 MiB: on AArch64 the tiny code model forms an
# address with one adr instead of adrp+add. -Oz makes room for the SHA-256
# instructions path (aarch64/sha256.S) under 32 KiB: the bytes the loader
# touches most, image hashing and copying, do not run through the C it
# shrinks. -flto (ld.lld links the bitcode; the outliner and inliner then see
# the whole loader) saves about 750 bytes more, which the partition check
# (common/partition.c) needs. RISC-V forms every address with auipc already.
LOADER_MODEL_aarch64 := -mcmodel=tiny -Oz -flto
LOADER_MODEL_riscv64 :=

# vectors.S is the probe's: the AArch64 loader's vector table lives inside entry.S.
LOADER_SRCS_aarch64 := $(wildcard Sources/Loader/common/*.c) $(wildcard Sources/Loader/aarch64/*.c) \
	Sources/Loader/aarch64/entry.S Sources/Loader/aarch64/smccc.S Sources/Loader/aarch64/sha256.S \
	Sources/Loader/aarch64/sel4.S Sources/Loader/aarch64/fence.S
LOADER_SRCS_riscv64 := $(wildcard Sources/Loader/common/*.c) $(wildcard Sources/Loader/riscv64/*.c) \
	Sources/Loader/riscv64/entry.S

# The probe shares the loader's tree walker, formatter and libc subset (and
# on AArch64 the vector table and SMCCC stubs), so none of them exists twice.
PROBE_COMMON_SRCS := $(wildcard Tests/Payloads/probe/*.c) \
	Sources/Loader/common/dt.c Sources/Loader/common/fmt.c Sources/Loader/common/lib.c
PROBE_SRCS_aarch64 := $(PROBE_COMMON_SRCS) $(wildcard Tests/Payloads/probe/aarch64/*.c) \
	Tests/Payloads/probe/aarch64/entry.S Sources/Loader/aarch64/smccc.S Sources/Loader/aarch64/vectors.S
PROBE_SRCS_riscv64 := $(PROBE_COMMON_SRCS) $(wildcard Tests/Payloads/probe/riscv64/*.c) \
	Tests/Payloads/probe/riscv64/entry.S

LOADER_LDFLAGS = --no-dynamic-linker -pie --gc-sections --build-id=none -T linker/loader-$(1).ld \
	--defsym=CLEAVE_LOADER_SPAN=$(LOADER_SPAN)

.PHONY: loader loader-faults probes firmware loader-clean

loader: $(foreach a,$(LOADER_ARCHES),$(LOADER_OUT)/loader-$(a).elf $(LOADER_OUT)/loader-$(a).bin) firmware

firmware: $(LOADER_OUT)/firmware-spin-table-aarch64.bin

# The stub runs from QEMU's flash at address 0, linked there; raw bytes for -bios.
$(LOADER_OUT)/firmware-spin-table-aarch64.bin: Sources/Firmware/aarch64/spin-table.S mk/loader.mk
	@mkdir -p $(LOADER_OBJ)
	$(LOADER_CC) --target=aarch64-none-elf -c $< -o $(LOADER_OBJ)/firmware-spin-table-aarch64.o
	$(LOADER_LD) --image-base=0 -Ttext=0 -e _start --build-id=none --oformat binary \
		-o $@ $(LOADER_OBJ)/firmware-spin-table-aarch64.o

probes: $(foreach a,$(LOADER_ARCHES),$(LOADER_OUT)/probe-$(a).o)

# The same sources built again with a fault compiled in, in their own tree.
loader-faults:
	@$(MAKE) --no-print-directory -f mk/loader.mk LOADER_OUT=$(LOADER_OUT)/faults/silent \
		LOADER_FAULT_CFLAGS=-DLOADER_FAULT_SILENT_CORES loader
	@$(MAKE) --no-print-directory -f mk/loader.mk LOADER_OUT=$(LOADER_OUT)/faults/unchecked \
		LOADER_FAULT_CFLAGS=-DLOADER_FAULT_UNCHECKED_PARTITION loader

# Everything one architecture builds. Two object rules, not one with two
# patterns: a multi-pattern rule means one recipe makes both files, and the
# probe's copy of a shared source would never be built.
define LOADER_ARCH_RULES
LOADER_OBJS_$(1) := $$(patsubst %,$$(LOADER_OBJ)/loader-$(1)/%.o,$$(LOADER_SRCS_$(1)))
PROBE_OBJS_$(1) := $$(patsubst %,$$(LOADER_OBJ)/probe-$(1)/%.o,$$(PROBE_SRCS_$(1)))

$$(LOADER_OUT)/loader-$(1).elf: $$(LOADER_OBJS_$(1)) linker/loader-$(1).ld $$(CLEAVE_BOOT_H)
	@test -n "$$(LOADER_SPAN)" || { echo "mk/loader.mk: no CLEAVE_LOADER_SPAN in $$(CLEAVE_BOOT_H)" >&2; exit 1; }
	$$(LOADER_LD) $$(call LOADER_LDFLAGS,$(1)) -o $$@ $$(LOADER_OBJS_$(1))

$$(LOADER_OUT)/loader-$(1).bin: $$(LOADER_OBJS_$(1)) linker/loader-$(1).ld $$(CLEAVE_BOOT_H)
	@test -n "$$(LOADER_SPAN)" || { echo "mk/loader.mk: no CLEAVE_LOADER_SPAN in $$(CLEAVE_BOOT_H)" >&2; exit 1; }
	$$(LOADER_LD) $$(call LOADER_LDFLAGS,$(1)) --oformat binary -o $$@ $$(LOADER_OBJS_$(1))
	@echo "loader-$(1): $$$$(wc -c < $$@) bytes of code and data (limit 32768; span $$(LOADER_SPAN) with bss and stack)"

$$(LOADER_OUT)/probe-$(1).o: $$(PROBE_OBJS_$(1))
	$$(LOADER_LD) -r -o $$@ $$(PROBE_OBJS_$(1))

# Objects depend on this file too: a changed flag here rebuilds them.
$$(LOADER_OBJ)/loader-$(1)/%.o: % mk/loader.mk
	@mkdir -p $$(@D)
	$$(LOADER_CC) $$(ARCH_CFLAGS_$(1)) $$(FREESTANDING_CFLAGS) $$(LOADER_MODEL_$(1)) $$(LOADER_FAULT_CFLAGS) -MMD -MP -c $$< -o $$@

# The probe is linked at a fixed address: plain absolute code, no GOT.
$$(LOADER_OBJ)/probe-$(1)/%.o: %
	@mkdir -p $$(@D)
	$$(LOADER_CC) $$(ARCH_CFLAGS_$(1)) $$(FREESTANDING_CFLAGS) -fno-pie -ITests/Payloads/probe \
		-ITests/Payloads/probe/$(1) -MMD -MP -c $$< -o $$@

-include $$(LOADER_OBJS_$(1):.o=.d) $$(PROBE_OBJS_$(1):.o=.d)
endef

$(foreach a,$(LOADER_ARCHES),$(eval $(call LOADER_ARCH_RULES,$(a))))

# A RISC-V probe kernel linked at the base of a kernel's memory, as plans
# name it (the top-level Makefile has the AArch64 rule of the same shape).
build/probes/riscv64-%.elf: $(LOADER_OUT)/probe-riscv64.o scripts/probe.sh linker/probe-riscv64.ld
	@bash scripts/probe.sh riscv64 $* $@

loader-clean:
	rm -rf $(LOADER_OBJ) $(foreach a,$(LOADER_ARCHES),$(LOADER_OUT)/loader-$(a).elf \
		$(LOADER_OUT)/loader-$(a).bin $(LOADER_OUT)/probe-$(a).o) $(LOADER_OUT)/firmware-spin-table-aarch64.bin

# Alone, the default goal is the loader. Included, the includer's goal stays;
# if it has none yet, clearing it lets its next target become the default.
ifneq ($(LOADER_MK_ALONE),)
.DEFAULT_GOAL := loader
else
.DEFAULT_GOAL := $(LOADER_SAVED_GOAL)
endif

/*
 * The loader's entry from its architecture's start-up code.
 *
 * loader_main() runs on the one core the machine started, on the loader's
 * own stack, with .bss zeroed, the MMU and caches off and interrupts masked.
 * dtb is what the previous stage passed (AArch64 x0, 0 when QEMU boots an
 * ELF; RISC-V a1, from OpenSBI) and base the address the loader runs at
 * (L in cleave_boot.h): the descriptor follows at base + CLEAVE_LOADER_SPAN.
 */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H

#include <stdint.h>

void loader_main(uint64_t dtb, uint64_t base) __attribute__((noreturn));

#endif /* LOADER_LOADER_H */

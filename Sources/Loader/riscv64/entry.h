/*
 * The assembly entry points of the RISC-V loader (entry.S) that its C files
 * call, and the one value its C files share.
 */
#ifndef LOADER_RISCV_ENTRY_H
#define LOADER_RISCV_ENTRY_H

#include <stdint.h>

/* Where SBI HSM hart_start starts a kernel's boot hart (opaque = kernel index). */
void riscv_trampoline(void) __attribute__((visibility("hidden")));
/* Enter a kernel on this hart: a0 = hart id, a1 = dtb, satp = 0. */
void riscv_enter_kernel(uint64_t entry, uint64_t dtb) __attribute__((noreturn));

/*
 * The live tree's /cpus timebase-frequency, the rate of the time CSR (set
 * by arch_check_live). Hidden, like every symbol of the loader, so that it
 * is addressed PC-relative and not through a GOT entry needing relocation.
 */
extern uint64_t riscv_timebase __attribute__((visibility("hidden")));

#endif /* LOADER_RISCV_ENTRY_H */

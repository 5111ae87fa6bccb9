/*
 * The assembly entry points of the AArch64 loader (entry.S) that its C files
 * call.
 */
#ifndef LOADER_AARCH64_ENTRY_H
#define LOADER_AARCH64_ENTRY_H

#include <stdint.h>

/* Where PSCI CPU_ON starts a kernel's boot core (context = kernel index). */
void aarch64_trampoline(void) __attribute__((visibility("hidden")));
/* Enter a kernel on this core: x0 = dtb, x1-x3 = 0, MMU and D-cache off. */
void aarch64_enter_kernel(uint64_t entry, uint64_t dtb) __attribute__((noreturn));

/* The console's base (pl011.c), 0 without one: seL4 instances get it identity-mapped. */
uint64_t aarch64_console_base(void);

struct launch_slot;
/*
 * Enter a seL4 instance on this core as its launch slot says: EL1h, MAIR,
 * TCR, TTBR0/1 and SCTLR_EL1 with the MMU and caches on, TPIDR_EL1 = node,
 * x0 = record, x1 = dtb; from EL2 with EL1 in AArch64 and its timers, FP
 * and (GICv3) system-register interface untrapped.
 */
void aarch64_enter_sel4(const struct launch_slot *slot) __attribute__((noreturn));

/* Clean and invalidate [base, base + size) to the point of coherency. */
void aarch64_dcache_clean(uint64_t base, uint64_t size);
/* Invalidate the instruction caches of the inner-shareable domain. */
void aarch64_icache_sync(void);

#endif /* LOADER_AARCH64_ENTRY_H */

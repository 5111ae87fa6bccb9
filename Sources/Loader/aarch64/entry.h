/*
 * The assembly entry points of the AArch64 loader (entry.S) that its C files
 * call.
 */
#ifndef LOADER_AARCH64_ENTRY_H
#define LOADER_AARCH64_ENTRY_H

#include <stdint.h>

/* Where PSCI CPU_ON starts a kernel's boot core (context = kernel index). */
void aarch64_trampoline(void) __attribute__((visibility("hidden")));
/*
 * Where a spin-table core goes when released: it takes the context the
 * loader left in aarch64_spin_context, then runs aarch64_trampoline.
 */
void aarch64_spin_trampoline(void) __attribute__((visibility("hidden")));
extern uint64_t aarch64_spin_context __attribute__((visibility("hidden")));
/*
 * Release a spin-table core into aarch64_spin_trampoline with context: write
 * the trampoline's address to its release address, clean that line to the
 * point of coherency, sev. Returns 0 (nothing reports failure; the check-in
 * timeout does).
 */
int64_t aarch64_spin_release(uint64_t release_addr, uint64_t context);
/* Wait with wfe until *release_addr is nonzero, then jump there with x0-x3 = 0: give this core back. */
void aarch64_spin_wait(uint64_t release_addr) __attribute__((noreturn));
/* How PSCI is called (CLEAVE_CONDUIT_*): the descriptor's, or the live tree's when the board named none. */
extern uint32_t aarch64_conduit __attribute__((visibility("hidden")));
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

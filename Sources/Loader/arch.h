/*
 * The loader's architecture contract.
 *
 * common/ is architecture-neutral: it validates the descriptor, checks the
 * live device tree, copies kernels and decides in which order they start.
 * Everything that touches a CPU, a console or an interrupt controller goes
 * through the arch_* functions below, which each architecture directory
 * (aarch64/, riscv64/) implements in full. Names starting aarch64_ or
 * riscv_ are private to one architecture and never appear in common/.
 *
 * The loader runs on one core with the MMU and caches off, wherever it was
 * loaded (position-independent, no relocations), and never takes interrupts.
 */
#ifndef LOADER_ARCH_H
#define LOADER_ARCH_H

#include <stdint.h>

#include "cleave_boot.h"

struct dt;

/* --- the running core ------------------------------------------------ */

/* The hardware id of this core, as cleave_cpu.hwid holds it (MPIDR affinity / hart id). */
uint64_t arch_cpu_id(void);
/* The privilege level the loader was entered at ("EL2", "S-mode"), for messages. */
const char *arch_privilege(void);

/* --- time ------------------------------------------------------------ */

/* A free-running counter shared by all cores, and its frequency in Hz. */
uint64_t arch_counter(void);
uint64_t arch_counter_hz(void);

/* --- console --------------------------------------------------------- */

/* Find the console the live tree names (/chosen stdout-path) and return its base, 0 for none. */
uint64_t arch_console_init(const struct dt *live);
/* Write one character, polled; a no-op without a console. */
void arch_console_putc(char c);

/* --- caches ---------------------------------------------------------- */

/* Clean and invalidate [base, base + size) to the point of coherency (after writing it). */
void arch_dcache_clean(uint64_t base, uint64_t size);
/* Invalidate [base, base + size) (before reading what a core with its MMU off wrote). */
void arch_dcache_invalidate(uint64_t base, uint64_t size);
/* Make freshly written code visible to instruction fetch on every core. */
void arch_icache_sync(void);

/* --- descriptor and machine ------------------------------------------ */

/*
 * Check the descriptor fields only this architecture can judge (arch,
 * boot_mode, conduit, ic_kind, routes). Report each problem with log_error()
 * and return how many there were.
 */
int arch_check_desc(const struct cleave_desc *d);
/*
 * Compare the live tree with the descriptor where it is architecture
 * specific (interrupt controller kind and base, firmware interface). Report
 * each difference with log_error() and return how many there were.
 */
int arch_check_live(const struct cleave_desc *d, const struct dt *live);
/* Program the shared part of the interrupt controller from the descriptor's routes. */
void arch_init_ic(const struct cleave_desc *d);

/* --- seL4's multikernel boot protocol ---------------------------------- */

struct launch_slot;

/*
 * Build the translation tables of seL4 instance bi from pages at
 * [pool, pool_end) (CLEAVE_BOOT_INFO_PAGES per instance) and fill its launch
 * slot: kernel window in TTBR1, identity map of the record, the console and
 * the loader's own code in TTBR0. Returns where the next instance's pages
 * start. Architectures without the protocol refuse.
 */
uint64_t arch_boot_info_tables(const struct cleave_desc *d, const struct cleave_boot_info *bi,
			       struct launch_slot *slot, uint64_t pool, uint64_t pool_end, uint64_t loader);

/* --- isolation ------------------------------------------------------- */

/*
 * Set up the isolation the descriptor asks for (CLEAVE_DESC_FENCE: the
 * AArch64 EL2 fence) in pages from [pool, pool_end), and switch every
 * kernel's launch slot to it. Returns where free pages start; without the
 * flag it does nothing (arch_check_desc refuses the flag where there is no
 * fence).
 */
uint64_t arch_fence_setup(const struct cleave_desc *d, uint64_t pool, uint64_t pool_end);

/* --- starting kernels ------------------------------------------------ */

/*
 * Start a core at the loader's trampoline the way its cpu entry says
 * (cleave_cpu.start); the trampoline receives context (the kernel index) and
 * runs the launch protocol of launch.h. Returns 0, or the firmware's
 * (negative) error code. The caller waits for each core to check in before
 * it starts the next.
 */
int64_t arch_cpu_start(const struct cleave_desc *d, const struct cleave_cpu *cpu, uint64_t context);
/* A name for an arch_cpu_start() error code. */
const char *arch_cpu_start_error(int64_t code);
/* Wake cores waiting in the trampoline after a launch slot changed. */
void arch_signal(void);
/* Enter a kernel on this core as its launch slot says (launch.h). */
void arch_enter(const struct launch_slot *slot) __attribute__((noreturn));
/* Hand this core back to the firmware, or to its spin-table wait (so its kernel can start it), or park. */
void arch_cpu_stop(const struct cleave_desc *d) __attribute__((noreturn));
/* Stop here for good: low-power wait, interrupts masked. */
void arch_park(void) __attribute__((noreturn));

#endif /* LOADER_ARCH_H */

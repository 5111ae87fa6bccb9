/*
 * Starting a core by spin-table (Linux's Documentation/arch/arm64/booting.rst):
 * the firmware parks it in a wfe loop that reads a 64-bit release address
 * with its MMU and caches off; whoever writes a nonzero entry there, cleans
 * it to the point of coherency and sends an event sets it running there.
 */
#include "aarch64.h"
#include "entry.h"

uint64_t aarch64_spin_context;

int64_t aarch64_spin_release(uint64_t release_addr, uint64_t context)
{
	/* The trampoline reads the context with its caches off: it must be in memory first. */
	aarch64_spin_context = context;
	aarch64_dcache_clean((uintptr_t)&aarch64_spin_context, sizeof(aarch64_spin_context));
	*(volatile uint64_t *)(uintptr_t)release_addr = (uintptr_t)aarch64_spin_trampoline;
	aarch64_dcache_clean(release_addr, sizeof(uint64_t));
	aarch64_sev();
	return 0;
}

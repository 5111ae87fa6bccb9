#include "aarch64.h"
#include "arch.h"
#include "entry.h"
#include "fence.h"
#include "launch.h"

uint64_t arch_cpu_id(void)
{
	return aarch64_hwid();
}

const char *arch_privilege(void)
{
	return &"EL0\0EL1\0EL2\0EL3"[4 * aarch64_el()];
}

uint64_t arch_counter(void)
{
	return aarch64_counter();
}

uint64_t arch_counter_hz(void)
{
	return aarch64_counter_hz();
}

void arch_dcache_clean(uint64_t base, uint64_t size)
{
	aarch64_dcache_clean(base, size);
}

/*
 * Clean-and-invalidate serves for invalidation too: it is as good for reading
 * fresh data and can never throw away a line this core dirtied.
 */
void arch_dcache_invalidate(uint64_t base, uint64_t size)
{
	aarch64_dcache_clean(base, size);
}

void arch_icache_sync(void)
{
	aarch64_icache_sync();
}

void arch_signal(void)
{
	aarch64_dsb();
	aarch64_sev();
}

void arch_enter(const struct launch_slot *slot)
{
	if (slot->mode == LAUNCH_MODE_SEL4)
		aarch64_enter_sel4(slot);
	if (slot->mode == LAUNCH_MODE_FENCE)
		aarch64_fence_enter((struct fence_cpu *)(uintptr_t)slot->fence);
	aarch64_enter_kernel(slot->entry, slot->dtb);
}

void arch_park(void)
{
	for (;;)
		aarch64_wfe();
}

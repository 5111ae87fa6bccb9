#include "arch.h"
#include "entry.h"
#include "launch.h"
#include "log.h"
#include "riscv.h"

/* plic.c reads it with the rest of the live tree. */
uint64_t riscv_timebase;

uint64_t arch_cpu_id(void)
{
	return riscv_hartid();
}

const char *arch_privilege(void)
{
	return "S-mode";
}

uint64_t arch_counter(void)
{
	return riscv_time();
}

uint64_t arch_counter_hz(void)
{
	return riscv_timebase;
}

/*
 * RISC-V keeps data caches coherent with every hart (no by-address
 * maintenance in the base ISA); ordering is all the loader's copies need.
 */
void arch_dcache_clean(uint64_t base, uint64_t size)
{
	(void)base;
	(void)size;
	riscv_fence();
}

void arch_dcache_invalidate(uint64_t base, uint64_t size)
{
	(void)base;
	(void)size;
	riscv_fence();
}

/* This hart's instruction fetch; each started hart runs fence.i in the trampoline. */
void arch_icache_sync(void)
{
	riscv_fence();
	riscv_fence_i();
}

/* Harts in the trampoline poll their slot: a fence orders the writes, nothing to wake. */
void arch_signal(void)
{
	riscv_fence();
}

void arch_enter(const struct launch_slot *slot)
{
	riscv_enter_kernel(slot->entry, slot->dtb);
}

uint64_t arch_boot_info_tables(const struct cleave_desc *d, const struct cleave_boot_info *bi,
			       struct launch_slot *slot, uint64_t pool, uint64_t pool_end, uint64_t loader)
{
	(void)d, (void)slot, (void)pool, (void)pool_end, (void)loader;
	fail("kernel %u: seL4's multikernel boot protocol is AArch64 only", bi->kernel);
}

uint64_t arch_fence_setup(const struct cleave_desc *d, uint64_t pool, uint64_t pool_end)
{
	(void)d, (void)pool_end;
	return pool;
}

void arch_park(void)
{
	riscv_csr_clear(sstatus, SSTATUS_SIE);
	for (;;)
		riscv_wfi();
}

int64_t arch_cpu_start(const struct cleave_desc *d, const struct cleave_cpu *cpu, uint64_t context)
{
	(void)d;
	return riscv_sbi(SBI_EXT_HSM, SBI_HSM_START, cpu->hwid, (uintptr_t)riscv_trampoline, context).error;
}

const char *arch_cpu_start_error(int64_t code)
{
	switch (code) {
	case SBI_ERR_FAILED:
		return "SBI_ERR_FAILED";
	case SBI_ERR_NOT_SUPPORTED:
		return "SBI_ERR_NOT_SUPPORTED";
	case SBI_ERR_INVALID_PARAM:
		return "SBI_ERR_INVALID_PARAM: no such hart";
	case SBI_ERR_DENIED:
		return "SBI_ERR_DENIED";
	case SBI_ERR_INVALID_ADDRESS:
		return "SBI_ERR_INVALID_ADDRESS";
	case SBI_ERR_ALREADY_AVAILABLE:
		return "SBI_ERR_ALREADY_AVAILABLE: the hart is already running";
	default:
		return "SBI error";
	}
}

/* HSM hart_stop: the hart goes back to OpenSBI, stopped, for its kernel to start. */
void arch_cpu_stop(const struct cleave_desc *d)
{
	(void)d;
	riscv_sbi(SBI_EXT_HSM, SBI_HSM_STOP, 0, 0, 0);
	/* hart_stop returns only on failure: nothing left but to park. */
	arch_park();
}

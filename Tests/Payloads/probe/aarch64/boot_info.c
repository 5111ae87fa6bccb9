/*
 * The probe's AArch64 entry, either protocol. Linked at a high virtual
 * address (seL4's kernel address), it was started by seL4's multikernel boot
 * protocol: EL1, MMU on through the loader's tables, x0 = the boot-info
 * record (identity-mapped), x1 = its DTB, TPIDR_EL1 = its node. It copies the
 * record, then replaces TTBR0 with its own identity map of the physical
 * address space (1 GiB blocks: the first as Device, where QEMU virt has its
 * devices, the rest Normal write-back), as a seL4 kernel replaces the
 * loader's tables, and carries on as the probe does everywhere.
 */
#include "aarch64.h"
#include "lib.h"
#include "probe.h"

#define PTE_TABLE	3ull
#define PTE_BLOCK	1ull
#define PTE_AF		(1ull << 10)
#define PTE_SH_INNER	(3ull << 8)
#define PTE_XN		(3ull << 53)
#define DEVICE		(PTE_AF | PTE_XN | (0ull << 2))			/* MAIR index 0: Device-nGnRnE */
#define NORMAL		(PTE_AF | PTE_XN | PTE_SH_INNER | (4ull << 2))	/* MAIR index 4: write-back */

static uint64_t identity_l0[512] __attribute__((aligned(4096)));
static uint64_t identity_l1[512] __attribute__((aligned(4096)));

static uint64_t physical(uint64_t va)
{
	uint64_t par;

	__asm__ volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(va));
	return par & 1 ? 0 : (par & 0x0000fffffffff000ull) | (va & 0xfff);
}

/* A virtual address of this image's table as the walker needs it: physical. */
static uint64_t table_pa(const uint64_t *t)
{
	return physical((uintptr_t)t);
}

void aarch64_probe_start(uint64_t x0, uint64_t entered, uint64_t x1, uint64_t bss_dirty);

void aarch64_probe_start(uint64_t x0, uint64_t entered, uint64_t x1, uint64_t bss_dirty)
{
	const struct cleave_sel4_record *h = (const void *)(uintptr_t)x0;

	if ((uintptr_t)__probe_start >> 48 != 0xffff)
		probe_main(x0, entered);
	probe.sel4 = 1;
	probe.bss_dirty = bss_dirty;
	probe.record_pa = x0;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(probe.node));
	probe.phys = physical((uintptr_t)__probe_start);
	/* The record is identity-mapped for now: keep what fits of it (boot_info_check() says if it did not). */
	memcpy(probe.record, h, sizeof(probe.record) < 4096 - (x0 & 4095) ? sizeof(probe.record) : 4096 - (x0 & 4095));
	identity_l0[0] = table_pa(identity_l1) | PTE_TABLE;
	identity_l1[0] = DEVICE | PTE_BLOCK;
	for (uint64_t i = 1; i < 512; i++)
		identity_l1[i] = (i << 30) | NORMAL | PTE_BLOCK;
	__asm__ volatile("dsb ish\n\tmsr ttbr0_el1, %0\n\tisb\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::"r"(
				 table_pa(identity_l0))
			 : "memory");
	probe_main(x1, entered);
}

/*
 * Translation tables for seL4's multikernel boot protocol (cleave_boot.h):
 * 4 KiB granule, 48-bit virtual addresses, 2 MiB blocks. Each instance gets
 * its own TTBR1 tree (the kernel window onto its physical base, Normal
 * write-back, inner shareable, executable) and TTBR0 tree (identity maps of
 * its record, the console as Device, and the loader's own code, which runs
 * its last instructions on this core with the EL1 MMU on when the loader
 * itself is at EL1).
 */
#include "aarch64.h"
#include "arch.h"
#include "entry.h"
#include "fence.h"
#include "launch.h"
#include "lib.h"
#include "log.h"

#define BLOCK_SIZE	0x200000ull
#define PTE_TABLE	3ull
#define PTE_BLOCK	1ull
#define PTE_ATTR(i)	((uint64_t)(i) << 2)	/* index into CLEAVE_SEL4_MAIR */
#define PTE_SH_INNER	(3ull << 8)
#define PTE_AF		(1ull << 10)
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)
#define PTE_ADDR	0x0000fffffffff000ull

#define NORMAL		(PTE_ATTR(4) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define DEVICE		(PTE_ATTR(0) | PTE_AF | PTE_UXN | PTE_PXN)

_Static_assert(CLEAVE_SEL4_MAIR_VALUE == CLEAVE_SEL4_MAIR, "one MAIR for the seL4 entry");

uint64_t *aarch64_pool_page(struct aarch64_pool *p)
{
	uint64_t *t = (uint64_t *)(uintptr_t)p->next;

	if (p->next >= p->end || p->end - p->next < 4096)
		fail("translation tables: out of pages at 0x%lx", p->next);
	p->next += 4096;
	memset(t, 0, 4096);
	return t;
}

/* Map the 2 MiB block holding va to the one holding pa, with attrs. */
static void map_block(struct aarch64_pool *p, uint64_t *l0, uint64_t va, uint64_t pa, uint64_t attrs)
{
	uint64_t *t = l0;

	for (unsigned shift = 39; shift > 21; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & 1))
			*e = (uint64_t)(uintptr_t)aarch64_pool_page(p) | PTE_TABLE;
		t = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	t[(va >> 21) & 511] = (pa & ~(BLOCK_SIZE - 1)) | attrs | PTE_BLOCK;
}

uint64_t arch_boot_info_tables(const struct cleave_desc *d, const struct cleave_boot_info *bi,
			       struct launch_slot *slot, uint64_t pool, uint64_t pool_end, uint64_t loader)
{
	struct aarch64_pool p = { pool, pool_end };
	uint64_t *high = aarch64_pool_page(&p), *low = aarch64_pool_page(&p), console = aarch64_console_base();

	(void)d;
	for (uint64_t off = 0; off < bi->window.size; off += BLOCK_SIZE)
		map_block(&p, high, bi->window_vaddr + off, bi->window.base + off, NORMAL & ~PTE_UXN);
	map_block(&p, low, loader, loader, NORMAL & ~PTE_UXN);
	if (console)
		map_block(&p, low, console, console, DEVICE);
	map_block(&p, low, bi->record, bi->record, NORMAL | PTE_PXN);
	aarch64_dcache_clean(pool, p.next - pool);
	slot->mode = LAUNCH_MODE_SEL4;
	slot->entry = bi->entry_vaddr;
	slot->record = bi->record;
	slot->node = bi->node;
	slot->ttbr1 = (uintptr_t)high;
	slot->ttbr0 = (uintptr_t)low;
	return p.next;
}

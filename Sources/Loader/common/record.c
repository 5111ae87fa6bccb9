/*
 * The seL4 boot-info record (cleave_boot.h), written from the descriptor's
 * record inputs. Host tests build this file too and compare what it writes
 * with the plan, so the bytes a kernel reads are the bytes the tests read.
 */
#include "desc.h"
#include "lib.h"

/* Append [base, base + size) as a record region. */
static uint8_t *region(uint8_t *at, uint64_t base, uint64_t size)
{
	struct cleave_sel4_region r = { base, base + size };

	memcpy(at, &r, sizeof(r));
	return at + sizeof(r);
}

uint64_t sel4_record_write(const struct cleave_desc *d, const struct cleave_boot_info *bi, void *out)
{
	struct cleave_sel4_record h = {
		.magic = CLEAVE_SEL4_MAGIC,
		.version = CLEAVE_SEL4_VERSION,
		.root_entry = bi->root_entry,
		.kernel_regions = 1,
		.ram_regions = (uint8_t)bi->ram_count,
		.root_regions = 1,
		.reserved_regions = (uint8_t)bi->reserved_count,
		.mpidrs = (uint8_t)d->mpidr_count,
	};
	struct cleave_sel4_root_region root = { bi->root.base, bi->root.base + bi->root.size, bi->root_vaddr, 0 };
	uint8_t *at = out;

	memset(out, 0, bi->record_size);
	memcpy(at, &h, sizeof(h));
	at = region(at + sizeof(h), bi->window.base, bi->window.size);
	for (uint32_t i = 0; i < bi->ram_count; i++)
		at = region(at, bi->ram[i].base, bi->ram[i].size);
	memcpy(at, &root, sizeof(root));
	at += sizeof(root);
	for (uint32_t i = 0; i < bi->reserved_count; i++)
		at = region(at, bi->reserved[i].base, bi->reserved[i].size);
	memcpy(at, desc_mpidr(d, 0), 8 * (uint64_t)d->mpidr_count);
	return (uint64_t)(at - (uint8_t *)out) + 8 * (uint64_t)d->mpidr_count;
}

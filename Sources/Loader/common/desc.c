#include <stddef.h>

#include "arch.h"
#include "desc.h"
#include "digest.h"
#include "dt.h"
#include "launch.h"
#include "lib.h"
#include "log.h"

#define KNOWN_KERNEL_FLAGS	(CLEAVE_KERNEL_OWNS_IC | CLEAVE_KERNEL_RESETS_IC | CLEAVE_KERNEL_MAY_POWER)
#define KNOWN_DESC_FLAGS	(CLEAVE_DESC_FENCE | CLEAVE_DESC_FENCE_STOP | CLEAVE_DESC_FENCE_SGIS)
#define PAGE_MASK		0xfffull

/* check_header() walks the nine count/offset pairs as one array. */
#define TABLES	9
_Static_assert(offsetof(struct cleave_desc, mpidr_offset) - offsetof(struct cleave_desc, kernel_count) == 8 * TABLES - 4,
	       "table count/offset pairs are contiguous");

/*
 * Refuse a damaged descriptor. The host tool writes descriptors, so damage
 * means corruption or a tool bug: a line naming the part and the field is
 * enough to find it, and keeps the loader small.
 */
static __attribute__((noreturn, noinline)) void bad(const char *part, const char *field, uint64_t value)
{
	refuse("descriptor: " NAME ": bad %s (0x%lx)", part, field, value);
}

/* Is [offset, offset + size) outside the payload? */
static int outside(const struct cleave_desc *d, uint64_t offset, uint64_t size)
{
	return range_wraps(offset, size) || offset + size > d->payload_size;
}

static void check_header(const struct cleave_desc *d, uint64_t avail)
{
	static const uint8_t zero[4];
	const size_t at = offsetof(struct cleave_desc, crc32);
	const uint32_t *table = (const uint32_t *)(desc_bytes(d) + offsetof(struct cleave_desc, kernel_count));
	static const uint16_t entry[TABLES] = {
		sizeof(struct cleave_kernel), sizeof(struct cleave_cpu), sizeof(struct cleave_segment),
		sizeof(struct cleave_route), sizeof(struct cleave_channel), sizeof(struct cleave_range),
		sizeof(struct cleave_grant), sizeof(struct cleave_boot_info), sizeof(uint64_t),
	};
	uint32_t crc;

	if (avail < sizeof(*d) || d->magic != CLEAVE_DESC_MAGIC)
		fail("descriptor: no \"CLVE\" magic (0x%x): nothing packed after the loader?", d->magic);
	if (d->version != CLEAVE_DESC_VERSION)
		fail("descriptor: version %u, this loader reads version %u", d->version, CLEAVE_DESC_VERSION);
	if (d->header_size != sizeof(*d) || d->total_size < sizeof(*d) || d->total_size > avail ||
	    d->payload_size < d->total_size || d->payload_size > avail)
		bad("header", "size", d->total_size);
	crc = crc32_update(0, d, at);
	crc = crc32_update(crc, zero, sizeof(zero));
	crc = crc32_update(crc, desc_bytes(d) + at + 4, d->total_size - at - 4);
	if (crc != d->crc32)
		refuse("descriptor: CRC-32 0x%08x, header says 0x%08x: damaged", crc, d->crc32);
	/* The tables, as count/offset pairs in header order. */
	for (unsigned t = 0; t < TABLES; t++) {
		uint32_t count = table[2 * t], offset = table[2 * t + 1];

		if (count && ((offset & 7) || offset < sizeof(*d) ||
			      (uint64_t)offset + (uint64_t)count * entry[t] > d->total_size))
			bad("header", "table offset", offset);
	}
	/* The partition check compares every pair of CPUs, routes and grants: keep that quick. */
	if (d->kernel_count - 1 >= LOADER_MAX_KERNELS || d->cpu_count - 1 >= CLEAVE_MAX_CPUS || !d->bank_count ||
	    d->route_count > CLEAVE_MAX_ROUTES || d->grant_count > CLEAVE_MAX_GRANTS ||
	    d->boot_info_count > d->kernel_count || d->mpidr_count > CLEAVE_MAX_CPUS)
		bad("header", "count", d->kernel_count);
	/* The window table, after the header's other tables; only the fence reads it. */
	if ((d->flags & ~KNOWN_DESC_FLAGS) || d->reserved || d->window_count > CLEAVE_MAX_GRANTS ||
	    (d->window_count && ((d->window_offset & 7) || d->window_offset < sizeof(*d) ||
				 (uint64_t)d->window_offset + (uint64_t)d->window_count * sizeof(struct cleave_window) >
					 d->total_size)))
		bad("header", "flags or windows", d->flags);
}

static void check_kernel(const struct cleave_desc *d, uint32_t i)
{
	const struct cleave_kernel *k = desc_kernel(d, i);
	const uint8_t *dtb = (const uint8_t *)(uintptr_t)desc_payload(d, k->dtb_offset);
	int entry_ok = 0;

	if (!k->name[0] || k->index != i || k->protocol - 1 > CLEAVE_PROTO_SEL4_BOOT_INFO - 1 ||
	    (k->flags & ~KNOWN_KERNEL_FLAGS))
		bad(k->name, "kernel entry", i);
	if (!k->cpu_count || (uint64_t)k->cpu_first + k->cpu_count > d->cpu_count ||
	    k->boot_cpu - k->cpu_first >= k->cpu_count)
		bad(k->name, "CPUs", k->boot_cpu);
	for (uint32_t c = k->cpu_first; c < k->cpu_first + k->cpu_count; c++) {
		const struct cleave_cpu *cpu = desc_cpu(d, c);

		if (cpu->kernel != i || cpu->flags != (c == k->boot_cpu ? CLEAVE_CPU_BOOT : 0))
			bad(k->name, "cpu table entry", c);
	}
	if (!k->segment_count || (uint64_t)k->segment_first + k->segment_count > d->segment_count)
		bad(k->name, "segments", k->segment_first);
	for (uint32_t s = k->segment_first; s < k->segment_first + k->segment_count; s++) {
		const struct cleave_segment *seg = desc_segment(d, s);

		if (outside(d, seg->src_offset, seg->file_size) || seg->file_size > seg->mem_size ||
		    range_wraps(seg->dest, seg->mem_size))
			bad(k->name, "segment", s);
		entry_ok |= k->entry - seg->dest < seg->mem_size;
	}
	if (!entry_ok || (k->entry & 3))
		bad(k->name, "entry", k->entry);
	if (outside(d, k->dtb_offset, k->dtb_size) || k->dtb_size < 40 || dt_be32(dtb) != DT_MAGIC ||
	    dt_be32(dtb + 4) > k->dtb_size || range_wraps(k->dtb_addr, k->dtb_size) || (k->dtb_addr & 7))
		bad(k->name, "DTB", k->dtb_offset);
	if (outside(d, k->image_offset, k->image_size))
		bad(k->name, "image", k->image_offset);
}

/*
 * A seL4 instance's record inputs: one entry per seL4 kernel, its node naming
 * its own boot core in the MPIDR table, counts the record can hold, the
 * record and kernel window inside the kernel's first memory range (the one
 * the host tool placed them in), RAM regions ascending and disjoint, reserved
 * regions disjoint from each other, the kernel window and the root task.
 * Returns how many entries name kernel i.
 */
static uint32_t check_boot_info(const struct cleave_desc *d, uint32_t i)
{
	const struct cleave_kernel *k = desc_kernel(d, i);
	uint32_t found = 0;

	for (uint32_t b = 0; b < d->boot_info_count; b++) {
		const struct cleave_boot_info *bi = desc_boot_info(d, b);

		if (bi->kernel != i)
			continue;
		found++;
		if (bi->node >= d->mpidr_count || *desc_mpidr(d, bi->node) != desc_cpu(d, k->boot_cpu)->hwid ||
		    k->cpu_count != 1 || bi->ram_count - 1 >= CLEAVE_SEL4_MAX_RAM ||
		    bi->reserved_count - 1 >= CLEAVE_SEL4_MAX_RESERVED ||
		    bi->record_size < CLEAVE_SEL4_RECORD_SIZE(bi->ram_count, bi->reserved_count, d->mpidr_count) ||
		    d->mpidr_count - 1 > 254 || (bi->record & 7) || (bi->window.base | bi->window.size) & (CLEAVE_SEL4_ALIGN - 1) ||
		    (bi->window_vaddr & (CLEAVE_SEL4_ALIGN - 1)) || !bi->window.size ||
		    !range_inside(bi->record, bi->record_size, k->memory.base, k->memory.size) ||
		    !range_inside(bi->window.base, bi->window.size, k->memory.base, k->memory.size))
			bad(k->name, "boot info", b);
		/* The kernel loops without a word on reserved regions that overlap each other, it or its root task. */
		for (uint32_t r = 0; r < bi->reserved_count; r++) {
			const struct cleave_range *a = &bi->reserved[r];

			if (!a->size || range_wraps(a->base, a->size) ||
			    range_overlaps(a->base, a->size, bi->window.base, bi->window.size) ||
			    range_overlaps(a->base, a->size, bi->root.base, bi->root.size))
				bad(k->name, "reserved region", a->base);
			for (uint32_t q = r + 1; q < bi->reserved_count; q++)
				if (range_overlaps(a->base, a->size, bi->reserved[q].base, bi->reserved[q].size))
					bad(k->name, "reserved region", bi->reserved[q].base);
		}
		for (uint32_t r = 0; r < bi->ram_count; r++)
			if (!bi->ram[r].size || range_wraps(bi->ram[r].base, bi->ram[r].size) ||
			    (r && bi->ram[r].base < bi->ram[r - 1].base + bi->ram[r - 1].size))
				bad(k->name, "RAM region", bi->ram[r].base);
	}
	return found;
}

void desc_check(const struct cleave_desc *d, uint64_t avail)
{
	int problems, resetting = 0;

	check_header(d, avail);
	for (uint32_t i = 0; i < d->kernel_count; i++) {
		check_kernel(d, i);
		if (check_boot_info(d, i) != (desc_kernel(d, i)->protocol == CLEAVE_PROTO_SEL4_BOOT_INFO))
			bad(desc_kernel(d, i)->name, "boot info count", i);
		resetting += !!(desc_kernel(d, i)->flags & CLEAVE_KERNEL_RESETS_IC);
	}
	if (resetting > 1)
		bad("header", "RESETS_IC count", resetting);
	/* CPUs outside every kernel's range were not checked above. */
	for (uint32_t i = 0; i < d->cpu_count; i++)
		if (desc_cpu(d, i)->kernel >= d->kernel_count)
			bad("cpu", "kernel", i);
	for (uint32_t r = 0; r < d->route_count; r++)
		if (desc_route(d, r)->kernel >= d->kernel_count)
			bad("route", "kernel", r);
	for (uint32_t i = 0; i < d->channel_count; i++) {
		const struct cleave_channel *ch = desc_channel(d, i);

		if (ch->end_count - 2 > CLEAVE_CHANNEL_MAX_ENDS - 2 || (ch->flags & ~CLEAVE_CHANNEL_MULTIPLEXED) ||
		    ch->region.size < sizeof(struct cleave_channel_header) ||
		    range_wraps(ch->region.base, ch->region.size) || (ch->region.base & 63))
			bad(ch->name, "channel", ch->region.base);
		for (uint32_t e = 0; e < ch->end_count; e++)
			if (ch->ends[e].kernel >= d->kernel_count || ch->ends[e].cpu >= d->cpu_count ||
			    desc_cpu(d, ch->ends[e].cpu)->kernel != ch->ends[e].kernel)
				bad(ch->name, "end", e);
	}
	for (uint32_t b = 0; b < d->bank_count; b++)
		if (!desc_bank(d, b)->size || range_wraps(desc_bank(d, b)->base, desc_bank(d, b)->size))
			bad("bank", "range", desc_bank(d, b)->base);
	/*
	 * A grant lies inside one bank (range_inside() works from offsets, so
	 * none ending at or near 2^64 slips through); a channel grant's channel
	 * counts its kernel as a member.
	 */
	for (uint32_t g = 0; g < d->grant_count; g++) {
		const struct cleave_grant *gr = desc_grant(d, g);
		int member = gr->channel == CLEAVE_GRANT_MEMORY, in_bank = 0;

		for (uint32_t e = 0; gr->channel < d->channel_count && e < desc_channel(d, gr->channel)->end_count; e++)
			member |= desc_channel(d, gr->channel)->ends[e].kernel == gr->kernel;
		for (uint32_t b = 0; b < d->bank_count; b++)
			in_bank |= range_inside(gr->range.base, gr->range.size, desc_bank(d, b)->base, desc_bank(d, b)->size);
		if (gr->kernel >= d->kernel_count || !member || !in_bank || !gr->range.size)
			bad("grant", "entry", g);
	}
	/* Windows: whole pages, grouped by kernel, none without the fence. */
	for (uint32_t w = 0; w < d->window_count; w++) {
		const struct cleave_window *win = desc_window(d, w);

		if (!(d->flags & CLEAVE_DESC_FENCE) || win->kernel >= d->kernel_count ||
		    (w && win->kernel < desc_window(d, w - 1)->kernel) || win->kind - 1 > CLEAVE_WINDOW_SHARED - 1 ||
		    !win->range.size || ((win->range.base | win->range.size) & PAGE_MASK) ||
		    range_wraps(win->range.base, win->range.size))
			bad("window", "entry", w);
	}
	problems = arch_check_desc(d);
	if (problems)
		refuse("descriptor: wrong for this architecture (above)");
}

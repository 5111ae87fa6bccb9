/*
 * The partition, checked a second time by the loader (desc.h says which
 * rules): an implementation independent of the host tool's, over the
 * descriptor's own tables, so that neither a tool bug nor a hand-edited
 * descriptor can start two kernels on the same memory, CPU or interrupt.
 * Kept small: the AArch64 loader has 32 KiB for everything.
 */
#include <stddef.h>

#include "desc.h"
#include "lib.h"
#include "log.h"

/* The loader as a party to an overlap: no kernel has this index. */
#define LOADER_PARTY	0xffffffffu

/* A table word read whatever struct the table holds (the compiler is told it may alias). */
typedef uint64_t __attribute__((may_alias)) table_word;

/* Ranges print as [first, last]: one that ends at 2^64 has no base + size. */
#define RANGE		"[0x%lx, 0x%lx]"

/* Do two grants (or a grant and the loader) overlap? */
static __attribute__((noinline)) int grants_overlap(const struct cleave_grant *a, const struct cleave_grant *b)
{
	return range_overlaps(a->range.base, a->range.size, b->range.base, b->range.size);
}

static const char *party_name(const struct cleave_desc *d, const struct cleave_grant *g)
{
	return g->kernel == LOADER_PARTY ? "the" : desc_kernel(d, g->kernel)->name;
}

static const char *party_kind(const struct cleave_grant *g)
{
	return g->kernel == LOADER_PARTY ? "loader" : g->channel == CLEAVE_GRANT_MEMORY ? "memory" : "channel";
}

/* Refuse: "k1 memory [...] overlaps k0 channel [...]" or "... overlaps the loader [...]". */
static __attribute__((noreturn, noinline)) void overlap(const struct cleave_desc *d, const struct cleave_grant *a,
							  const struct cleave_grant *b)
{
	refuse(NAME " %s " RANGE " overlaps " NAME " %s " RANGE, party_name(d, a), party_kind(a), a->range.base,
	       range_last(a->range.base, a->range.size), party_name(d, b), party_kind(b), b->range.base,
	       range_last(b->range.base, b->range.size));
}

/*
 * [base, base + size), which the loader writes for `kernel` (a segment, its
 * DTB) or for channel `channel` of which `kernel` is a member, must lie
 * inside one grant of that kernel and that kind.
 */
static void check_granted(const struct cleave_desc *d, const char *owner, const char *what, uint32_t kernel,
			  uint32_t channel, uint64_t base, uint64_t size)
{
	for (uint32_t g = 0; g < d->grant_count; g++) {
		const struct cleave_grant *gr = desc_grant(d, g);

		if (gr->kernel == kernel && gr->channel == channel &&
		    range_inside(base, size, gr->range.base, gr->range.size))
			return;
	}
	refuse(NAME " %s " RANGE " is outside the grants of " NAME, owner, what, base, range_last(base, size),
	       desc_kernel(d, kernel)->name);
}

/*
 * No two entries of a table (CPUs by hardware id, routes by interrupt) may
 * share a key: the low `mask` bits of the entry's first 64-bit word. Each
 * entry names its kernel in the 32-bit word at `kernel_at`.
 */
static void check_unique(const struct cleave_desc *d, uint32_t offset, uint32_t count, uint32_t stride,
			 uint64_t mask, uint32_t kernel_at, const char *fmt)
{
	const uint8_t *t = desc_bytes(d) + offset;

	for (uint32_t i = 0; i < count; i++)
		for (uint32_t j = 0; j < i; j++) {
			const uint8_t *a = t + (uint64_t)j * stride, *b = t + (uint64_t)i * stride;
			uint64_t key = *(const table_word *)b & mask;

			if ((*(const table_word *)a & mask) == key)
				refuse(fmt, key, desc_kernel(d, *(const uint32_t *)(a + kernel_at))->name,
				       desc_kernel(d, *(const uint32_t *)(b + kernel_at))->name);
		}
}

void desc_check_partition(const struct cleave_desc *d, uint64_t self, uint64_t self_size)
{
	for (uint32_t i = 0; i < d->grant_count; i++) {
		const struct cleave_grant *a = desc_grant(d, i);
		/* The plan's loader region, or else the bytes the loader and its payload occupy now. */
		struct cleave_grant loader = { d->loader, LOADER_PARTY, CLEAVE_GRANT_MEMORY };

		if (!grants_overlap(a, &loader))
			loader.range = (struct cleave_range){ self, self_size };
		if (grants_overlap(a, &loader))
			overlap(d, a, &loader);
		/* Two kernels may share only a channel both are members of (desc_check saw to membership). */
		for (uint32_t j = 0; j < i; j++) {
			const struct cleave_grant *b = desc_grant(d, j);

			if (a->kernel != b->kernel && grants_overlap(a, b) &&
			    (a->channel == CLEAVE_GRANT_MEMORY || a->channel != b->channel))
				overlap(d, b, a);
		}
	}
	for (uint32_t k = 0; k < d->kernel_count; k++) {
		const struct cleave_kernel *kern = desc_kernel(d, k);

		for (uint32_t s = kern->segment_first; s < kern->segment_first + kern->segment_count; s++)
			check_granted(d, kern->name, "segment", k, CLEAVE_GRANT_MEMORY, desc_segment(d, s)->dest,
				      desc_segment(d, s)->mem_size);
		check_granted(d, kern->name, "DTB", k, CLEAVE_GRANT_MEMORY, kern->dtb_addr, kern->dtb_size);
	}
	for (uint32_t c = 0; c < d->channel_count; c++) {
		const struct cleave_channel *ch = desc_channel(d, c);

		for (uint32_t e = 0; e < ch->end_count; e++)
			check_granted(d, ch->name, "channel", ch->ends[e].kernel, c, ch->region.base, ch->region.size);
	}
	/* A spin-table release address the loader writes must be nobody's memory and not the loader's bytes. */
	for (uint32_t c = 0; c < d->cpu_count; c++) {
		const struct cleave_cpu *cpu = desc_cpu(d, c);
		struct cleave_grant release = { { cpu->release_addr, 8 }, cpu->kernel, CLEAVE_GRANT_MEMORY };

		if (cpu->start != CLEAVE_START_SPIN_TABLE)
			continue;
		for (uint32_t g = 0; g < d->grant_count; g++)
			if (grants_overlap(&release, desc_grant(d, g)))
				refuse("CPU 0x%lx: release address 0x%lx lies in " NAME " %s", cpu->hwid, cpu->release_addr,
				       party_name(d, desc_grant(d, g)), party_kind(desc_grant(d, g)));
		if (range_overlaps(cpu->release_addr, 8, self, self_size))
			refuse("CPU 0x%lx: release address 0x%lx lies in the loader's image", cpu->hwid, cpu->release_addr);
	}
	/* A device window is never memory: no grant, and not the loader (the fence lives there). */
	for (uint32_t w = 0; w < d->window_count; w++) {
		const struct cleave_window *win = desc_window(d, w);
		struct cleave_grant as = { win->range, win->kernel, CLEAVE_GRANT_MEMORY };

		for (uint32_t g = 0; g < d->grant_count; g++)
			if (grants_overlap(&as, desc_grant(d, g)))
				refuse(NAME " window " RANGE " overlaps " NAME " %s", desc_kernel(d, win->kernel)->name,
				       win->range.base, range_last(win->range.base, win->range.size),
				       party_name(d, desc_grant(d, g)), party_kind(desc_grant(d, g)));
		if (range_overlaps(win->range.base, win->range.size, d->loader.base, d->loader.size) ||
		    range_overlaps(win->range.base, win->range.size, self, self_size))
			refuse(NAME " window " RANGE " overlaps the loader", desc_kernel(d, win->kernel)->name,
			       win->range.base, range_last(win->range.base, win->range.size));
	}
	check_unique(d, d->cpu_offset, d->cpu_count, sizeof(struct cleave_cpu), ~0ull,
		     offsetof(struct cleave_cpu, kernel), "CPU 0x%lx is given to " NAME " and " NAME);
	check_unique(d, d->route_offset, d->route_count, sizeof(struct cleave_route), 0xffffffffu,
		     offsetof(struct cleave_route, kernel), "interrupt %lu is routed to " NAME " and " NAME);
}

/*
 * The probe as a seL4 multikernel instance: the boot-info record it was
 * started with must say exactly what its tree and the plan say. Its kernel
 * region is where its image runs, its RAM regions are exactly its memory,
 * its node is its own core's place in the MPIDR list, and every other
 * kernel's memory, every channel and the loader lie in its reserved
 * regions. The probe learns the others' memory from the loader's
 * descriptor, which sits in the loader region (a reserved region) at
 * CLEAVE_LOADER_OFFSET + CLEAVE_LOADER_SPAN.
 */
#include "lib.h"
#include "probe.h"

struct view {
	const struct cleave_sel4_record *h;
	const struct cleave_sel4_region *kernel, *ram, *reserved;
	const struct cleave_sel4_root_region *root;
	const uint64_t *mpidr;
};

static struct view view(void)
{
	struct view v;
	const uint8_t *at = probe.record;

	v.h = (const void *)at;
	at += sizeof(*v.h);
	v.kernel = (const void *)at;
	at += sizeof(*v.kernel) * v.h->kernel_regions;
	v.ram = (const void *)at;
	at += sizeof(*v.ram) * v.h->ram_regions;
	v.root = (const void *)at;
	at += sizeof(*v.root) * v.h->root_regions;
	v.reserved = (const void *)at;
	at += sizeof(*v.reserved) * v.h->reserved_regions;
	v.mpidr = (const void *)at;
	return v;
}

const struct cleave_sel4_record *boot_info_header(void)
{
	return view().h;
}

const uint64_t *boot_info_mpidrs(void)
{
	return view().mpidr;
}

static int reserved(const struct view *v, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < v->h->reserved_regions; i++)
		if (base >= v->reserved[i].base && base + size <= v->reserved[i].end)
			return 1;
	return 0;
}

/* The loader's descriptor, found in a reserved region; 0 if none holds it. */
static const struct cleave_desc *descriptor(const struct view *v)
{
	for (uint32_t i = 0; i < v->h->reserved_regions; i++) {
		uint64_t at = v->reserved[i].base + CLEAVE_LOADER_OFFSET + CLEAVE_LOADER_SPAN;
		const struct cleave_desc *d = (const void *)(uintptr_t)at;

		if (at + sizeof(*d) <= v->reserved[i].end && d->magic == CLEAVE_DESC_MAGIC &&
		    d->version == CLEAVE_DESC_VERSION)
			return d;
	}
	return 0;
}

void boot_info_check(void)
{
	struct view v = view();
	const struct cleave_desc *d;
	uint64_t size = CLEAVE_SEL4_RECORD_SIZE(v.h->ram_regions, v.h->reserved_regions, v.h->mpidrs);
	uint32_t others = 0, mine = 0;

	if (v.h->magic != CLEAVE_SEL4_MAGIC || v.h->version != CLEAVE_SEL4_VERSION)
		fail("boot-info record at 0x%lx: magic 0x%x version %u", probe.record_pa, v.h->magic, v.h->version);
	if (v.h->kernel_regions != 1 || v.h->root_regions != 1 || !v.h->ram_regions ||
	    v.h->ram_regions > CLEAVE_SEL4_MAX_RAM || !v.h->reserved_regions ||
	    v.h->reserved_regions > CLEAVE_SEL4_MAX_RESERVED || !v.h->mpidrs || size > sizeof(probe.record))
		fail("boot-info record counts: kernel %u, RAM %u, root %u, reserved %u, MPIDRs %u", v.h->kernel_regions,
		     v.h->ram_regions, v.h->root_regions, v.h->reserved_regions, v.h->mpidrs);
	if (probe.bss_dirty)
		fail("%lu words of .bss were not zero on entry", probe.bss_dirty);
	if (v.kernel->base != probe.phys || probe.nmem == 0 || v.kernel->base != probe.mem[0].base)
		fail("kernel region 0x%lx, but the image runs at 0x%lx and its memory starts at 0x%lx", v.kernel->base,
		     probe.phys, probe.nmem ? probe.mem[0].base : 0);
	if (v.h->ram_regions != probe.nmem)
		fail("%u RAM regions, but its tree has %u memory ranges", v.h->ram_regions, probe.nmem);
	for (uint32_t i = 0; i < probe.nmem; i++) {
		int found = 0;

		for (uint32_t r = 0; r < v.h->ram_regions; r++)
			found |= v.ram[r].base == probe.mem[i].base && v.ram[r].end == probe.mem[i].base + probe.mem[i].size;
		if (!found || (i && v.ram[i].base < v.ram[i - 1].end))
			fail("RAM regions differ from its memory at [0x%lx, 0x%lx), or are not ascending",
			     probe.mem[i].base, probe.mem[i].base + probe.mem[i].size);
	}
	if (probe.node >= v.h->mpidrs || v.mpidr[probe.node] != probe.self)
		fail("TPIDR_EL1 = %lu, but its core 0x%lx is not MPIDR %lu of the %u listed", probe.node, probe.self,
		     probe.node, v.h->mpidrs);
	d = descriptor(&v);
	if (!d)
		fail("no reserved region holds the loader's descriptor");
	if (!reserved(&v, d->loader.base, d->loader.size))
		fail("the loader [0x%lx, 0x%lx) is not reserved", d->loader.base, d->loader.base + d->loader.size);
	for (uint32_t g = 0; g < d->grant_count; g++) {
		const struct cleave_grant *gr = (const struct cleave_grant *)((const uint8_t *)d + d->grant_offset) + g;

		if (gr->kernel == probe.index && gr->channel == CLEAVE_GRANT_MEMORY)
			continue;
		if (!reserved(&v, gr->range.base, gr->range.size))
			fail("%s [0x%lx, 0x%lx) of kernel %u is not in a reserved region",
			     gr->channel == CLEAVE_GRANT_MEMORY ? "memory" : "channel", gr->range.base,
			     gr->range.base + gr->range.size, gr->kernel);
		if (gr->channel == CLEAVE_GRANT_MEMORY)
			others++;
		else
			mine += gr->kernel == probe.index;
	}
	say("boot-info record at 0x%lx: node %lu of %u MPIDRs, kernel region 0x%lx, RAM = its %u ranges, "
	    "%u reserved (%u ranges of other kernels, %u own channels, the loader), .bss was zero",
	    probe.record_pa, probe.node, v.h->mpidrs, v.kernel->base, v.h->ram_regions, v.h->reserved_regions,
	    others, mine);
	/* Not to be filled: its kernel window, root task and record. */
	probe.excluded[probe.nexcluded++] = (struct range){ v.kernel->base, v.kernel->end - v.kernel->base };
	probe.excluded[probe.nexcluded++] = (struct range){ v.root->paddr_base, v.root->paddr_end - v.root->paddr_base };
	probe.excluded[probe.nexcluded++] = (struct range){ probe.record_pa, (size + 4095) & ~4095ull };
}

/*
 * How a seL4 instance addresses a peer's doorbell: by the peer's node, its
 * core's index in the record's MPIDR list (what seL4 takes for an SGI
 * target). The peer publishes its target in the channel header; its node is
 * where the list holds that MPIDR (GICv3), or the CPU interface its bit names
 * (GICv2, whose interfaces QEMU numbers in core order). The target sent to is
 * then read from the list, never from the header.
 */
uint64_t boot_info_target(uint64_t published, uint32_t *node)
{
	struct view v = view();

	for (uint32_t i = 0; i < v.h->mpidrs; i++) {
		if (probe.ic == CLEAVE_IC_GICV3 ? v.mpidr[i] == published : published == (1ull << i)) {
			*node = i;
			return probe.ic == CLEAVE_IC_GICV3 ? v.mpidr[i] : 1ull << i;
		}
	}
	fail("a peer's doorbell target 0x%lx is in no place of the %u-entry MPIDR list", published, v.h->mpidrs);
}

#include "arch.h"
#include "desc.h"
#include "digest.h"
#include "dt.h"
#include "launch.h"
#include "lib.h"
#include "loader.h"
#include "log.h"

/* How long a started core has to reach the trampoline. */
#define CHECKIN_MS		1000
/* How long a kernel that resets the whole distributor runs alone before the others start. */
#define IC_SETTLE_MS		500
/* The largest live device tree the loader accepts. */
#define LIVE_DTB_MAX		(8u << 20)
/* Translation-table pages per seL4 instance: TTBR1 L0-L2, TTBR0 L0, L1 and up to three L2s. */
#define BOOT_INFO_PAGES		7u

struct launch_slot loader_launch[LOADER_MAX_KERNELS] __attribute__((aligned(64)));

static int open_live(struct dt *live, uint64_t addr)
{
	return addr && !(addr & 7) && !dt_open(live, (const void *)(uintptr_t)addr, LIVE_DTB_MAX);
}

/*
 * The live tree is in x0 (a1 on RISC-V) when the previous stage passed one.
 * QEMU booting an AArch64 ELF passes 0 and puts it at the start of RAM: the
 * first bank of the descriptor, or the plan's loader base, which is where
 * RAM starts on virt.
 * The descriptor is not validated yet, so its bank table is read only when
 * the header looks sane; a wrong guess fails dt_open(), nothing more.
 */
static uint64_t find_live_dtb(struct dt *live, const struct cleave_desc *d, uint64_t given, uint64_t base)
{
	uint64_t bank = 0;

	if (d->magic == CLEAVE_DESC_MAGIC && d->bank_count && d->bank_offset < (1u << 20))
		bank = desc_bank(d, 0)->base;
	if (open_live(live, given))
		return given;
	if (open_live(live, bank))
		return bank;
	return open_live(live, base - CLEAVE_LOADER_OFFSET) ? base - CLEAVE_LOADER_OFFSET : 0;
}

/* Bytes of live memory from addr to the end of the /memory range holding it, 0 if none. */
static uint64_t live_memory_after(const struct dt *live, uint64_t addr)
{
	int root = dt_root(live);

	for (int n = dt_first_child(live, root); n >= 0; n = dt_next_sibling(live, n)) {
		const char *type = dt_prop_str(live, n, "device_type");
		uint64_t b, s;

		if (!type || strcmp(type, "memory") || !dt_enabled(live, n))
			continue;
		for (uint32_t i = 0; !dt_reg(live, n, i, &b, &s); i++)
			if (addr - b < s)
				return b + s - addr;
	}
	return 0;
}

/* The end mark after the payload: without it the image arrived short (desc_check bounded payload_size by avail). */
static void check_complete(const struct cleave_desc *d, uint64_t avail)
{
	const struct cleave_end *end = (const void *)(uintptr_t)desc_payload(d, d->payload_size);

	if (avail - d->payload_size < sizeof(*end) || end->magic != CLEAVE_END_MAGIC || end->payload_size != d->payload_size)
		refuse("image truncated: no end mark after its 0x%lx bytes", d->payload_size);
}

static void check_images(const struct cleave_desc *d)
{
	for (uint32_t i = 0; i < d->kernel_count; i++) {
		const struct cleave_kernel *k = desc_kernel(d, i);
		struct sha256 s;
		uint8_t digest[32];
		char got[65];
		uint64_t t0 = arch_counter();

		sha256_init(&s);
		sha256_update(&s, (const void *)(uintptr_t)desc_payload(d, k->image_offset), k->image_size);
		sha256_final(&s, digest);
		for (unsigned b = 0; b < 64; b++)
			got[b] = "0123456789abcdef"[(digest[b / 2] >> (b & 1 ? 0 : 4)) & 15];
		got[64] = '\0';
		if (memcmp(digest, k->image_sha256, 32))
			refuse(NAME ": image SHA-256 is %s, not the descriptor's", k->name, got);
		got[16] = '\0';
		/* Counter ticks, so boot-cost figures can take the hashing out too. */
		log_info(NAME ": image 0x%lx bytes, SHA-256 %s... ok in %lu ticks", k->name, k->image_size, got,
			 arch_counter() - t0);
	}
}

/* Does the machine we run on look like the one the plan was made for? Report every difference. */
static void check_live(const struct cleave_desc *d, const struct dt *live)
{
	int diffs = 0;

	for (uint32_t c = 0; c < d->cpu_count; c++) {
		const struct cleave_cpu *cpu = desc_cpu(d, c);

		if (dt_find_cpu(live, cpu->hwid) < 0) {
			log_error("live DTB lacks CPU 0x%lx (of " NAME ")", cpu->hwid,
				  desc_kernel(d, cpu->kernel)->name);
			diffs++;
		}
	}
	for (uint32_t b = 0; b < d->bank_count; b++) {
		const struct cleave_range *r = desc_bank(d, b);

		if (live_memory_after(live, r->base) < r->size) {
			log_error("live DTB lacks memory [0x%lx, 0x%lx)", r->base, r->base + r->size);
			diffs++;
		}
	}
	diffs += arch_check_live(d, live);
	if (diffs)
		refuse("the live machine differs from the descriptor (above)");
	log_info("live DTB matches: CPUs %u, banks %u", d->cpu_count, d->bank_count);
}

static void load_kernels(const struct cleave_desc *d)
{
	for (uint32_t i = 0; i < d->kernel_count; i++) {
		const struct cleave_kernel *k = desc_kernel(d, i);
		uint64_t bytes = 0, t0 = arch_counter();

		for (uint32_t s = k->segment_first; s < k->segment_first + k->segment_count; s++) {
			const struct cleave_segment *seg = desc_segment(d, s);
			uint8_t *dst = (uint8_t *)(uintptr_t)seg->dest;

			memcpy(dst, (const void *)(uintptr_t)desc_payload(d, seg->src_offset), seg->file_size);
			memset(dst + seg->file_size, 0, seg->mem_size - seg->file_size);
			arch_dcache_clean(seg->dest, seg->mem_size);
			bytes += seg->file_size;
		}
		memcpy((void *)(uintptr_t)k->dtb_addr, (const void *)(uintptr_t)desc_payload(d, k->dtb_offset),
		       k->dtb_size);
		arch_dcache_clean(k->dtb_addr, k->dtb_size);
		if (k->protocol == CLEAVE_PROTO_SEL4_BOOT_INFO) {
			const struct cleave_boot_info *bi = desc_kernel_boot_info(d, i);

			sel4_record_write(d, bi, (void *)(uintptr_t)bi->record);
			arch_dcache_clean(bi->record, bi->record_size);
			log_info(NAME ": seL4 boot-info record at 0x%lx: node %u, RAM regions %u, reserved %u, MPIDRs %u",
				 k->name, bi->record, bi->node, bi->ram_count, bi->reserved_count, d->mpidr_count);
		}
		/* Counter ticks, so boot-cost figures can take the copying out. */
		log_info(NAME ": loaded 0x%lx bytes in %lu ticks, entry 0x%lx, DTB 0x%lx", k->name, bytes,
			 arch_counter() - t0, k->entry, k->dtb_addr);
	}
}

/* Channel regions start zeroed, with the header magic set, before any kernel runs. */
static void init_channels(const struct cleave_desc *d)
{
	for (uint32_t i = 0; i < d->channel_count; i++) {
		const struct cleave_channel *ch = desc_channel(d, i);
		struct cleave_channel_header *h = (void *)(uintptr_t)ch->region.base;

		memset(h, 0, ch->region.size);
		h->magic = CLEAVE_CHANNEL_MAGIC;
		arch_dcache_clean(ch->region.base, ch->region.size);
		log_info("channel " NAME " at 0x%lx initialised", ch->name, ch->region.base);
	}
}

/*
 * Every kernel's launch slot: entry and DTB; for a seL4 instance also its
 * record, node and translation tables, built in the pages that follow the
 * packed image inside the plan's loader region (every seL4 instance lists
 * that region as reserved, so its tables stay intact until it replaces them);
 * under the EL2 fence, its stage-2 tables and EL2 stacks after those.
 */
static void fill_slots(const struct cleave_desc *d, uint64_t base, uint64_t image_end)
{
	uint64_t pool = (image_end + 0xfff) & ~(uint64_t)0xfff, end = d->loader.base + d->loader.size;

	if (d->boot_info_count &&
	    (pool < image_end || !range_inside(pool, (uint64_t)BOOT_INFO_PAGES * 4096 * d->boot_info_count,
					       d->loader.base, d->loader.size)))
		refuse("no room for %u seL4 instances' translation tables after the image at 0x%lx in the loader "
		       "region [0x%lx, 0x%lx)", d->boot_info_count, image_end, d->loader.base, end);
	for (uint32_t i = 0; i < d->kernel_count; i++) {
		const struct cleave_kernel *k = desc_kernel(d, i);
		const struct cleave_boot_info *bi = desc_kernel_boot_info(d, i);
		struct launch_slot *slot = &loader_launch[i];

		slot->entry = k->entry;
		slot->dtb = k->dtb_addr;
		slot->mode = LAUNCH_MODE_DIRECT;
		if (bi)
			pool = arch_boot_info_tables(d, bi, slot, pool, end, base);
	}
	arch_fence_setup(d, pool, end);
	arch_dcache_clean((uintptr_t)loader_launch, sizeof(loader_launch[0]) * d->kernel_count);
}

static void start_kernel(const struct cleave_desc *d, uint32_t i)
{
	const struct cleave_kernel *k = desc_kernel(d, i);
	struct launch_slot *slot = &loader_launch[i];
	const struct cleave_cpu *cpu = desc_cpu(d, k->boot_cpu);
	uint64_t hwid = cpu->hwid, t0 = arch_counter();
	uint64_t deadline = time_deadline_ms(CHECKIN_MS);
	int64_t rc;

	slot->checkin = slot->go = slot->not_before = 0;
	slot->hwid = hwid;
	arch_dcache_clean((uintptr_t)slot, sizeof(*slot));
	rc = arch_cpu_start(d, cpu, i);
	if (rc)
		fail(NAME ": starting CPU 0x%lx failed: %ld (%s)", k->name, hwid, rc, arch_cpu_start_error(rc));
	do {
		if (time_passed(deadline))
			fail(NAME ": CPU 0x%lx was started but did not check in within %u ms",
			     k->name, hwid, CHECKIN_MS);
		arch_dcache_invalidate((uintptr_t)slot, sizeof(*slot));
	} while (!(slot->checkin & LAUNCH_CHECKED_IN));
	if ((slot->checkin & ~LAUNCH_CHECKED_IN) != hwid)
		fail(NAME ": CPU 0x%lx checked in instead of 0x%lx", k->name, slot->checkin & ~LAUNCH_CHECKED_IN, hwid);
	log_info(NAME ": CPU 0x%lx checked in after %lu us", k->name, hwid, time_us_since(t0));
}

static void release(uint32_t i, uint64_t not_before)
{
	struct launch_slot *slot = &loader_launch[i];

	slot->not_before = not_before;
	arch_dcache_clean((uintptr_t)slot, sizeof(*slot));
	slot->go = 1;
	arch_dcache_clean((uintptr_t)slot, sizeof(*slot));
	arch_signal();
}

/*
 * Start every kernel whose boot CPU is another core, then enter the one whose
 * boot CPU is this core. A kernel that resets the whole distributor (Linux,
 * seL4 today) goes first and runs alone for IC_SETTLE_MS, so its reset
 * cannot undo what the others set up; when it is this core's own kernel, the
 * others wait that long at the trampoline instead. Everyone else is held at
 * the trampoline until this core has printed its last line, so no kernel's
 * output interleaves with the loader's.
 */
static __attribute__((noreturn)) void launch(const struct cleave_desc *d)
{
	uint64_t me = arch_cpu_id(), not_before = 0;
	int self = -1, secondary = 0;
	uint32_t held = 0;

	for (uint32_t c = 0; c < d->cpu_count; c++)
		if (desc_cpu(d, c)->hwid == me) {
			if (desc_cpu(d, c)->flags & CLEAVE_CPU_BOOT)
				self = (int)desc_cpu(d, c)->kernel;
			else
				secondary = 1;
		}
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < d->kernel_count; i++) {
			int resets = !!(desc_kernel(d, i)->flags & CLEAVE_KERNEL_RESETS_IC);

			if ((int)i == self || resets != !pass)
				continue;
			start_kernel(d, i);
			if (!resets) {
				held++;
				continue;
			}
			log_info(NAME " resets the GIC: it runs alone for %u ms",
				 desc_kernel(d, i)->name, IC_SETTLE_MS);
			release(i, 0);
			not_before = time_deadline_ms(IC_SETTLE_MS);
			while (!time_passed(not_before))
				;
		}
	not_before = 0;
	if (self >= 0) {
		const struct cleave_kernel *k = desc_kernel(d, (uint32_t)self);

		log_info("entering " NAME " at 0x%lx; kernels released: %u", k->name, loader_launch[self].entry, held);
		if (k->flags & CLEAVE_KERNEL_RESETS_IC)
			not_before = time_deadline_ms(IC_SETTLE_MS);
	} else {
		log_info("no kernel boots on this CPU; kernels released: %u; now %s", held,
			 secondary ? "handing it back" : "parking");
	}
	for (uint32_t i = 0; i < d->kernel_count; i++)
		if ((int)i != self && !(desc_kernel(d, i)->flags & CLEAVE_KERNEL_RESETS_IC))
			release(i, not_before);
	if (self >= 0)
		arch_enter(&loader_launch[self]);
	if (secondary)
		arch_cpu_stop(d);
	arch_park();
}

void loader_main(uint64_t dtb, uint64_t base)
{
	const struct cleave_desc *d = (const struct cleave_desc *)(uintptr_t)(base + CLEAVE_LOADER_SPAN);
	struct dt live;
	uint64_t live_addr = find_live_dtb(&live, d, dtb, base), avail;

	/* Without a tree there is no console to complain on: nothing to do but stop. */
	if (!live_addr)
		arch_park();
	log_info("cleave loader at 0x%lx, %s, live DTB 0x%lx, console 0x%lx", base, arch_privilege(),
		 live_addr, arch_console_init(&live));
	if (base & 0x7ff)
		fail("loaded at 0x%lx: the loader needs 2 KiB alignment", base);
	avail = live_memory_after(&live, (uintptr_t)d);
	desc_check(d, avail);
	log_info("descriptor v%u: kernels %u, CPUs %u, routes %u, channels %u; CRC-32 0x%x ok", d->version,
		 d->kernel_count, d->cpu_count, d->route_count, d->channel_count, d->crc32);
#ifndef LOADER_FAULT_UNCHECKED_PARTITION
	/* Before anything is hashed, copied or started; the loader's bytes end with the end mark. */
	desc_check_partition(d, base, CLEAVE_LOADER_SPAN + d->payload_size + sizeof(struct cleave_end));
#else
	/* Fault-injection build (make loader-faults): the firmware sees whatever the descriptor says. */
#endif
	check_complete(d, avail);
	check_images(d);
	check_live(d, &live);
	load_kernels(d);
	init_channels(d);
	fill_slots(d, base, base + CLEAVE_LOADER_SPAN + d->payload_size + sizeof(struct cleave_end));
	arch_icache_sync();
	arch_init_ic(d);
	launch(d);
}

/*
 * Reading the boot descriptor (cleave_boot.h): typed access to its tables,
 * and the one validation pass the loader runs before trusting any of it.
 */
#ifndef LOADER_DESC_H
#define LOADER_DESC_H

#include <stdint.h>

#include "cleave_boot.h"

static inline const uint8_t *desc_bytes(const struct cleave_desc *d)
{
	return (const uint8_t *)d;
}

static inline const struct cleave_kernel *desc_kernel(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_kernel *)(desc_bytes(d) + d->kernel_offset) + i;
}

static inline const struct cleave_cpu *desc_cpu(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_cpu *)(desc_bytes(d) + d->cpu_offset) + i;
}

static inline const struct cleave_segment *desc_segment(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_segment *)(desc_bytes(d) + d->segment_offset) + i;
}

static inline const struct cleave_route *desc_route(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_route *)(desc_bytes(d) + d->route_offset) + i;
}

static inline const struct cleave_channel *desc_channel(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_channel *)(desc_bytes(d) + d->channel_offset) + i;
}

static inline const struct cleave_range *desc_bank(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_range *)(desc_bytes(d) + d->bank_offset) + i;
}

static inline const struct cleave_grant *desc_grant(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_grant *)(desc_bytes(d) + d->grant_offset) + i;
}

static inline const struct cleave_boot_info *desc_boot_info(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_boot_info *)(desc_bytes(d) + d->boot_info_offset) + i;
}

static inline const uint64_t *desc_mpidr(const struct cleave_desc *d, uint32_t i)
{
	return (const uint64_t *)(desc_bytes(d) + d->mpidr_offset) + i;
}

static inline const struct cleave_window *desc_window(const struct cleave_desc *d, uint32_t i)
{
	return (const struct cleave_window *)(desc_bytes(d) + d->window_offset) + i;
}

/* The seL4 record inputs of kernel `kernel`, or 0 if it is not a seL4 boot-info kernel. */
static inline const struct cleave_boot_info *desc_kernel_boot_info(const struct cleave_desc *d, uint32_t kernel)
{
	for (uint32_t b = 0; b < d->boot_info_count; b++)
		if (desc_boot_info(d, b)->kernel == kernel)
			return desc_boot_info(d, b);
	return 0;
}

/*
 * Write the seL4 boot-info record of `bi` (cleave_boot.h says its layout) to
 * out, which has room for bi->record_size bytes; returns the bytes written.
 * Used by the loader at bi->record and by the host tests that compare it
 * with the plan.
 */
uint64_t sel4_record_write(const struct cleave_desc *d, const struct cleave_boot_info *bi, void *out);

/* Whether kernel `kernel` runs on the CPU with hardware id `hwid`. */
static inline int desc_kernel_has_cpu(const struct cleave_desc *d, uint32_t kernel, uint64_t hwid)
{
	const struct cleave_kernel *k = desc_kernel(d, kernel);

	for (uint32_t c = k->cpu_first; c < k->cpu_first + k->cpu_count; c++)
		if (desc_cpu(d, c)->hwid == hwid)
			return 1;
	return 0;
}

/* A payload offset as an address (offsets count from the descriptor's first byte). */
static inline uint64_t desc_payload(const struct cleave_desc *d, uint64_t offset)
{
	return (uint64_t)(uintptr_t)d + offset;
}

/* Names are NUL-padded, not always NUL-terminated: print them with this. */
#define NAME	"%.16s"

/*
 * Validate the descriptor at d, of which avail bytes are readable memory:
 * header, CRC-32, every table inside total_size, every cross-reference
 * between tables, every payload reference inside payload_size, and the
 * architecture's own fields. Refuses (fail()) on the first damage found.
 */
void desc_check(const struct cleave_desc *d, uint64_t avail);

/*
 * Check the partition itself, again, on a descriptor desc_check() accepted
 * (which saw that every grant lies in a bank and every channel grant's
 * kernel is a member of its channel): the host tool checks the same rules,
 * but neither a tool bug nor a hand edit may boot. Refuses, naming both
 * parties and their addresses, when
 *   - grants of two kernels overlap, unless both are the same channel's,
 *   - a grant touches the loader: the plan's loader region in the
 *     descriptor, or [self, self + self_size), what the loader and its
 *     payload occupy now,
 *   - a segment or DTB lies outside its kernel's memory grants, or a channel
 *     region outside a member's grant of that channel,
 *   - a CPU is given to two kernels, or an interrupt routed twice,
 *   - a device window (the EL2 fence maps it) overlaps a grant or the loader.
 * Runs before anything is copied or started. Tables are capped
 * (CLEAVE_MAX_*), so comparing every pair stays quick.
 */
void desc_check_partition(const struct cleave_desc *d, uint64_t self, uint64_t self_size);

#endif /* LOADER_DESC_H */

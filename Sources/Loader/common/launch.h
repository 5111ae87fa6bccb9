/*
 * The launch table: how the loader hands a kernel to a core it started.
 *
 * One 128-byte slot (two cache lines) per kernel, indexed by kernel index, which
 * the firmware passes to the trampoline as its context. The loader fills
 * entry and dtb, starts the kernel's boot core at the trampoline, and polls
 * checkin. The trampoline, running with the MMU and caches off:
 *   1. writes checkin = LAUNCH_CHECKED_IN | its hardware id;
 *   2. waits until go != 0, then until the counter reaches not_before;
 *   3. enters the kernel with its protocol's registers (AArch64: x0 = dtb,
 *      x1-x3 = 0; RISC-V: a0 = hart id, a1 = dtb), or, when mode is
 *      LAUNCH_MODE_SEL4 (AArch64), at EL1h with the MMU on through ttbr0 and
 *      ttbr1, TPIDR_EL1 = node, x0 = record and x1 = dtb; or, when mode is
 *      LAUNCH_MODE_FENCE (AArch64), at EL1 behind the EL2 fence, as the
 *      fence record at `fence` says.
 * Holding kernels at step 2 lets the loader finish its own messages before
 * any kernel prints, and start a distributor-resetting kernel first.
 *
 * Offsets are macros so the assembly trampoline uses the same layout.
 */
#ifndef LOADER_LAUNCH_H
#define LOADER_LAUNCH_H

#define LAUNCH_ENTRY		0
#define LAUNCH_DTB		8
#define LAUNCH_CHECKIN		16
#define LAUNCH_GO		24
#define LAUNCH_NOT_BEFORE	32
#define LAUNCH_HWID		40
#define LAUNCH_MODE		48
#define LAUNCH_RECORD		56
#define LAUNCH_NODE		64
#define LAUNCH_TTBR0		72
#define LAUNCH_TTBR1		80
#define LAUNCH_FENCE		88
#define LAUNCH_SLOT_SHIFT	7

/* CLEAVE_SEL4_MAIR for the assembly entry (aarch64/mmu.c asserts they agree). */
#define CLEAVE_SEL4_MAIR_VALUE	0x0000aaff440c0400

/* launch_slot.mode */
#define LAUNCH_MODE_DIRECT	0	/* MMU off, at the loader's EL */
#define LAUNCH_MODE_SEL4	1	/* seL4 multikernel boot protocol */
#define LAUNCH_MODE_FENCE	2	/* at EL1 behind the EL2 fence (aarch64/fence.h), from its record at fence */
#define LAUNCH_CHECKED_IN_BIT	63

/* At most this many kernels in one descriptor. */
#define LOADER_MAX_KERNELS	64

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#define LAUNCH_CHECKED_IN	((uint64_t)1 << LAUNCH_CHECKED_IN_BIT)

struct launch_slot {
	uint64_t entry;
	uint64_t dtb;
	volatile uint64_t checkin;
	volatile uint64_t go;
	uint64_t not_before;
	uint64_t hwid;			/* the core this kernel's boot core is, set before it is started */
	uint64_t mode;			/* LAUNCH_MODE_* */
	uint64_t record;		/* seL4: physical address of the boot-info record (x0) */
	uint64_t node;			/* seL4: TPIDR_EL1 */
	uint64_t ttbr0, ttbr1;		/* seL4: the instance's translation tables */
	uint64_t fence;			/* LAUNCH_MODE_FENCE: the boot core's fence record */
	uint64_t reserved[4];
};

_Static_assert(sizeof(struct launch_slot) == 1u << LAUNCH_SLOT_SHIFT, "launch slot size");
_Static_assert(offsetof(struct launch_slot, entry) == LAUNCH_ENTRY, "launch entry");
_Static_assert(offsetof(struct launch_slot, dtb) == LAUNCH_DTB, "launch dtb");
_Static_assert(offsetof(struct launch_slot, checkin) == LAUNCH_CHECKIN, "launch checkin");
_Static_assert(offsetof(struct launch_slot, go) == LAUNCH_GO, "launch go");
_Static_assert(offsetof(struct launch_slot, not_before) == LAUNCH_NOT_BEFORE, "launch not_before");
_Static_assert(offsetof(struct launch_slot, hwid) == LAUNCH_HWID, "launch hwid");
_Static_assert(offsetof(struct launch_slot, mode) == LAUNCH_MODE, "launch mode");
_Static_assert(offsetof(struct launch_slot, record) == LAUNCH_RECORD, "launch record");
_Static_assert(offsetof(struct launch_slot, node) == LAUNCH_NODE, "launch node");
_Static_assert(offsetof(struct launch_slot, ttbr0) == LAUNCH_TTBR0, "launch ttbr0");
_Static_assert(offsetof(struct launch_slot, ttbr1) == LAUNCH_TTBR1, "launch ttbr1");
_Static_assert(offsetof(struct launch_slot, fence) == LAUNCH_FENCE, "launch fence");

extern struct launch_slot loader_launch[LOADER_MAX_KERNELS];
#endif

#endif /* LOADER_LAUNCH_H */

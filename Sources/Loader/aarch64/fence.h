/*
 * The EL2 fence (`isolation: stage2`, CLEAVE_DESC_FENCE in cleave_boot.h):
 * the loader stays resident at EL2 and every kernel runs at EL1 behind
 * stage-2 translation built from the descriptor's grants and windows.
 *
 *   fence.c      setting it up (stage-2 tables, one record per core), entering
 *                a kernel at EL1, and the trap handler: PSCI filtered, blocked
 *                accesses reported and turned into aborts
 *   fence_gic.c  the GIC distributor, emulated by SPI ownership
 *   fence.S      the assembly entry a core takes to its kernel
 *   entry.S      the vector slot (lower EL, synchronous) that saves a
 *                trap frame and calls aarch64_fence_trap()
 *
 * Offsets are macros so the assembly uses the same layout.
 */
#ifndef LOADER_AARCH64_FENCE_H
#define LOADER_AARCH64_FENCE_H

#define FENCE_ENTRY	0
#define FENCE_CONTEXT	8
#define FENCE_STACK	24
/* A trap frame: x0-x30 and one word of padding, on the core's EL2 stack. */
#define FENCE_FRAME	256

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include "cleave_boot.h"

/* One per CPU of the descriptor, in cpu-table order. */
struct fence_cpu {
	uint64_t entry;		/* where the core enters its kernel next: the kernel's entry, or CPU_ON's */
	uint64_t context;	/* x0 there: the DTB, or CPU_ON's context */
	uint64_t vttbr;		/* its kernel's stage-2 tables and VMID */
	uint64_t stack;		/* top of its EL2 stack */
	uint32_t kernel;	/* index of its kernel */
	uint32_t ifmask;	/* GICv2: its CPU interface's bit, read when it first enters */
	uint64_t traps;		/* traps it took (CLEAVE_FENCE_CALL_TRAPS adds its kernel's up) */
};

_Static_assert(offsetof(struct fence_cpu, entry) == FENCE_ENTRY, "fence entry");
_Static_assert(offsetof(struct fence_cpu, context) == FENCE_CONTEXT, "fence context");
_Static_assert(offsetof(struct fence_cpu, stack) == FENCE_STACK, "fence stack");

struct fence_frame {
	uint64_t x[31];
	uint64_t pad;
};

_Static_assert(sizeof(struct fence_frame) == FENCE_FRAME, "fence frame");

/* What fence.c and fence_gic.c share: set up once, read by every core's traps. */
struct fence {
	const struct cleave_desc *d;
	struct fence_cpu *cpus;
	uint8_t *owner;			/* INTID -> owning kernel, FENCE_NOBODY */
	volatile uint32_t lock;		/* one trap at a time touches the distributor or the console */
	uint64_t gic_end;		/* end of the redistributor frames (GICv3) or CPU interface (GICv2) */
	uint16_t reported[64];		/* per kernel: distributor registers whose dropped write was reported */
	uint16_t blocked[64];		/* per kernel: blocked accesses reported */
};

/* Blocked accesses reported per kernel before the fence stops printing them (a kernel may retry forever). */
#define FENCE_REPORTS	16

#define FENCE_NOBODY	0xff
#define FENCE_INTIDS	1020

extern struct fence aarch64_fence;

/* Translation-table pages taken from the loader region after the packed image. */
struct aarch64_pool {
	uint64_t next, end;
};

/* A zeroed 4 KiB page from the pool; fails when it is used up. */
uint64_t *aarch64_pool_page(struct aarch64_pool *p);

/* Enter this core's kernel at EL1 behind the fence (fence.S); also PSCI CPU_ON's entry, x0 = fc. */
void aarch64_fence_enter(struct fence_cpu *fc) __attribute__((noreturn));
/* Called by aarch64_fence_enter on the core's EL2 stack: program EL2 for its kernel. */
void aarch64_fence_core(struct fence_cpu *fc);
/* Called by the lower-EL synchronous vector with the saved registers. */
void aarch64_fence_trap(struct fence_frame *f);

/*
 * Emulate one distributor access of kernel fc->kernel at offset off, size
 * bytes: a read sets *value, a write takes it. Returns 0, or -1 when the
 * access is not one the distributor takes (the caller blocks it).
 */
int aarch64_fence_gicd(const struct fence_cpu *fc, uint64_t off, unsigned size, int write, uint64_t *value);

/*
 * Emulate one trapped GIC system-register access (ESR_EL2.EC 0x18, under
 * CLEAVE_DESC_FENCE_SGIS on GICv3): SGIs filtered like GICD_SGIR, the other
 * registers ICH_HCR_EL2.TC traps done as asked. Returns 0, or -1 for a
 * register the fence does not take.
 */
int aarch64_fence_icc(const struct fence_cpu *fc, struct fence_frame *f, uint64_t esr);
/* The cpu-table index of hardware id hwid, or -1. */
int aarch64_fence_cpu_index(uint64_t hwid);

/* Serialise fence work on shared state (distributor read-modify-writes, console lines). */
void aarch64_fence_lock(void);
void aarch64_fence_unlock(void);
#endif

#endif /* LOADER_AARCH64_FENCE_H */

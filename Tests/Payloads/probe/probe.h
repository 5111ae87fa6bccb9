/*
 * The probe kernel: a small bare-metal kernel that checks, from inside one
 * partition, that cleave gave it exactly what its tree promises (its cores,
 * its memory and nobody else's, its devices' interrupts, working channels)
 * and says so in one final line: cleave|PASS|<name>: ... or
 * cleave|FAIL|<name>: <reason>.
 *
 * The files beside this one are architecture-neutral; aarch64/ and
 * riscv64/ each implement the contract at the end of this header (start-up,
 * firmware calls, time, atomics, the interrupt controller and doorbells).
 *
 * AArch64: entered on its boot core with x0 = its DTB, MMU and caches off,
 * at EL2 or EL1. Everything runs with the MMU off: memory is Device-nGnRnE,
 * so shared data needs barriers but no cache maintenance, and the exclusive
 * monitors (LDXR/STXR) must work on it, as they do under QEMU.
 *
 * RISC-V: entered on its boot hart in S-mode with a0 = hart id, a1 = its
 * DTB, satp = 0. Memory is coherent; fences order it, AMOs are the atomics.
 */
#ifndef PROBE_H
#define PROBE_H

#define PROBE_MAX_CPUS		32
#define PROBE_MAX_RANGES	16
#define PROBE_MAX_CHANNELS	8
#define PROBE_ROUND_TRIPS	100
/* Stacks (entry.S): the boot core's, and one per core slot. */
#define PROBE_BOOT_STACK	0x4000
#define PROBE_CPU_STACK_SHIFT	12

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "cleave_boot.h"
#include "dt.h"

/* What ic_poll() returns when no doorbell rang. */
#define IC_NONE			1023u

struct range {
	uint64_t base, size;
};

/* What a secondary core reports when it comes up. */
struct checkin {
	volatile uint64_t hwid;		/* its hardware id | PROBE_CHECKED_IN */
	volatile uint32_t ic_mask;	/* ic_cpu_mask(): its GICv2 CPU-interface bit, else 0 */
	uint32_t pad[13];		/* one 64-byte line per core */
};

#define PROBE_CHECKED_IN	((uint64_t)1 << 63)

/* How a channel's members ring each other: its cleave,doorbell-mechanism. */
enum doorbell {
	DOORBELL_IC,		/* the interrupt controller's own: an SGI ("sgi"), an SBI IPI ("sbi-ipi") */
	DOORBELL_SSWI,		/* a store to the peer hart's ACLINT SSWI register ("aclint-sswi") */
	DOORBELL_POLLING,	/* none: the receiver polls the ring ("polling") */
};

struct channel {
	const char *name;		/* cleave,name or the node name */
	const char *peer;
	struct cleave_channel_header *h;
	uint64_t size;
	uint32_t end, peer_end;		/* ring indices */
	enum doorbell doorbell;
	uint32_t irq, bit;		/* my doorbell and my pending bit */
	int multiplexed, initiator;
	int has_hint;			/* cleave,peer-doorbells named the peer's doorbell */
	uint64_t hint_target;
	uint32_t hint_irq;
	uint64_t peer_target;		/* published in the header by the peer */
	uint32_t peer_node;		/* seL4 boot-info: its place in the MPIDR list */
	uint32_t peer_irq;
	/* round-trip state */
	uint32_t done, cursor;
	int rang;
	uint64_t waiting_since;
};

struct probe {
	const char *name;
	uint32_t index;
	uint64_t seed;			/* of the memory pattern, from the name */
	struct dt dt;
	uint64_t dtb;
	int chosen;			/* /chosen/cleave */
	/*
	 * boot-mode "opensbi-domains": no loader ran, OpenSBI started this
	 * kernel and its PMP fences it to what its domain grants, so the
	 * kernel routes its own interrupts and touches nothing else.
	 */
	int domains;
	/*
	 * isolation "stage2": cleave's loader stays at EL2 as a fence and runs
	 * this kernel at EL1 behind stage-2 translation, with the GIC
	 * distributor and PSCI filtered by ownership. fence_inject: on-fault
	 * "inject", a blocked access comes back as an abort instead of
	 * stopping the core, so the probe can try some.
	 */
	int fence, fence_inject;
	/* sgis-filtered: the fence passes this kernel's SGIs only to its own cores and its peers' doorbells. */
	int sgis_filtered;
	const char *level;		/* privilege level: "EL2", "S-mode" */
	uint64_t self;			/* boot core hwid */
	uint64_t cpus[PROBE_MAX_CPUS];
	uint32_t ncpus;
	struct range mem[PROBE_MAX_RANGES];
	uint32_t nmem;
	struct range excluded[PROBE_MAX_RANGES];
	uint32_t nexcluded;
	/* The interrupt controller, as ic_find() read it from the tree. */
	uint32_t ic;			/* CLEAVE_IC_GICV2 / GICV3 / PLIC */
	int ic_node;
	uint64_t ic_base;		/* GICD, PLIC */
	uint64_t ic_second, ic_second_size;	/* GICv3 GICR range, GICv2 GICC */
	uint64_t ic_cpu;		/* the boot core's GICR frame (v3), its PLIC S-mode context */
	uint32_t masks;			/* GICv2: CPU-interface bits of all my cores */
	const char *irq_kind;		/* what a device interrupt is called: "SPIs", "PLIC sources" */
	const char *irq_one;		/* and one of them: "SPI", "PLIC source" */
	const char *bell_kind;		/* what a doorbell is called: "SGI", "software interrupt" */
	int shared_doorbell;		/* one doorbell serves every channel: always read the pending bitmap */
	struct channel ch[PROBE_MAX_CHANNELS];
	uint32_t nch;
	/*
	 * Started by seL4's multikernel boot protocol (AArch64, linked at a
	 * high virtual address): the record it was given (a copy, and where it
	 * was), its node (TPIDR_EL1), the physical base of its image, and how
	 * many words of its .bss were not zero on entry.
	 */
	int sel4;
	uint8_t record[4096];
	uint64_t record_pa, record_size;
	uint64_t node;
	uint64_t phys;
	uint64_t bss_dirty;
};

extern struct probe probe;
extern struct checkin probe_checkin[PROBE_MAX_CPUS];

/* console.c: whole lines through semihosting (SYS_WRITE0), never interleaved. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Time on the architecture's counter (console.c). */
uint64_t now(void);
uint64_t deadline_ms(uint64_t ms);
int passed(uint64_t deadline);
uint64_t ms_since(uint64_t start);

/* memory.c */
uint64_t pattern_seed(const char *name);
void memory_fill(void);
void memory_verify(void);

/* channel.c */
void channels_find(void);
void channels_rendezvous(void);
void channels_round_trips(void);

/* boot_info.c: check the seL4 boot-info record against the tree and the loader's descriptor. */
void boot_info_check(void);
/* The record's parts (NULL-safe only after boot_info_check() passed). */
const struct cleave_sel4_record *boot_info_header(void);
const uint64_t *boot_info_mpidrs(void);
/* A peer's doorbell target as published, resolved through the MPIDR list: the target to send to, and its node. */
uint64_t boot_info_target(uint64_t published, uint32_t *node);

/* main.c: where a started core goes from entry.S, with its slot. */
void probe_secondary(uint64_t slot);
void probe_main(uint64_t dtb, uint64_t entered);

/* --- per architecture: aarch64/, riscv64/ ----------------------------- */

/* cpu.c: this core, the firmware that starts cores, time, atomics. */
uint64_t cpu_id(void);			/* as the tree's /cpus reg: MPIDR affinity, hart id */
const char *cpu_level(void);
/* What the firmware interface and timer need from the tree (PSCI method, SBI and timebase); fail() if unusable. */
void cpu_firmware(void);
/* Start core hwid at probe_secondary_entry with slot (PSCI, SBI HSM, or spin-table as its CPU node says): 0, or the firmware's error code. */
int64_t cpu_start(uint64_t hwid, uint32_t slot);
const char *cpu_start_call(void);	/* "PSCI CPU_ON", "SBI HSM hart_start" */
const char *cpu_start_error(int64_t rc);
/*
 * Load from addr, where a fault is expected: the name of the fault it took
 * ("load access fault", "synchronous external abort, ESR 0x96000010"), or 0
 * if the load succeeded. fail() if it took another fault, or one that
 * names another address. cpu_store_fault: the same for a store (of 0).
 */
const char *cpu_load_fault(uint64_t addr);
const char *cpu_store_fault(uint64_t addr);
/* Whether rc is the firmware's refusal (PSCI DENIED, SBI_ERR_DENIED). */
int cpu_denied(int64_t rc);
/* Traps into the EL2 fence this kernel has taken so far (CLEAVE_FENCE_CALL_TRAPS); fail() where there is none. */
uint64_t cpu_fence_traps(void);
/* Ask the firmware to power the machine off: the call's name; *rc its error if it returns. */
const char *cpu_power_off(int64_t *rc);
void cpu_barrier(void);			/* order this core's memory accesses for the others */
void cpu_signal(void);			/* after a barrier: wake cores waiting for a change */
uint64_t counter(void);
uint64_t counter_hz(void);
void atomic_or32(volatile uint32_t *p, uint32_t bits);
void atomic_or64(volatile uint64_t *p, uint64_t bits);
uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v);
int atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t v);

/* gic.c, plic.c: the interrupt controller and the channels' doorbells. */
void ic_find(void);
void ic_init_cpu(void);
uint32_t ic_cpu_mask(void);		/* GICv2: this core's CPU-interface bit; 0 elsewhere */
uint64_t ic_my_target(void);		/* how peers address this core's doorbell (doorbell_target) */
/*
 * Ready doorbell mechanism d (never DOORBELL_POLLING) and say how it rings,
 * for messages ("ACLINT SSWI"; 0 when bell_kind says it all); fail() if this
 * machine has no such doorbell.
 */
const char *ic_doorbell(enum doorbell d);
void ic_send(const struct channel *c);	/* ring c's peer: c->peer_target, c->peer_irq */
uint32_t ic_poll(void);			/* a doorbell taken and ended, or IC_NONE */
/*
 * One entry (#interrupt-cells cells at spec) of a device's interrupts: 1 if
 * it is a device interrupt delivered to this kernel alone, 0 if it is no
 * device interrupt (a PPI, an inert entry); fail() if it goes elsewhere.
 */
int ic_check_interrupt(int node, const uint8_t *spec);
/*
 * The EL2 fence's proofs (isolation "stage2"; fail() on a controller that
 * has none). ic_mark_own: give every interrupt ic_check_interrupt counted a
 * priority of this probe's own, before any kernel tampers. ic_verify_own:
 * fail() unless each still has that priority, the route ic_check_interrupt
 * saw and the enable bit ic_mark_own saw; how many it verified. ic_tamper:
 * read another kernel's interrupt irq, try to disable, enable,
 * re-prioritise and re-route it to this core, read it again: 0 if every
 * read saw nothing of it, else what leaked.
 */
void ic_mark_own(void);
uint32_t ic_verify_own(void);
/*
 * Counter ticks n reads of the controller's type register take (GICD_TYPER,
 * trapped and emulated behind the EL2 fence; the PLIC's first priority
 * register): the fence's cost per access, for make bench.
 */
uint64_t ic_read_cost(uint32_t n);
/*
 * Send SGI sgi to the core with hardware id hwid, as if it were this
 * kernel's (GICv2: to every CPU interface but this core's, the only way to
 * name a core the tree does not list); the EL2 fence must drop it.
 */
void ic_send_foreign(uint64_t hwid, uint32_t sgi);
const char *ic_tamper(uint32_t irq);

/* entry.S */
void probe_secondary_entry(void);
/* Where a core released by spin-table enters; it takes its slot from probe_spin_slot. */
void probe_spin_entry(void);
extern uint64_t probe_spin_slot;
void probe_write0(const char *s);
void park(void) __attribute__((noreturn));
extern char __probe_start[], __probe_end[];

#endif /* __ASSEMBLER__ */
#endif /* PROBE_H */

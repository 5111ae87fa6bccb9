/*
 * The probe kernel: a small bare-metal kernel that checks, from inside one
 * partition, that cleave gave it exactly what its tree promises (its cores,
 * its memory and nobody else's, its devices' interrupts, working channels)
 * and says so in one final line: cleave|PASS|<name>: ... or
 * cleave|FAIL|<name>: <reason>.
 *
 * Entered on its boot core with x0 = its DTB, MMU and caches off, at EL2 or
 * EL1. Everything runs with the MMU off: memory is Device-nGnRnE, so shared
 * data needs barriers but no cache maintenance, and the exclusive monitors
 * (LDXR/STXR) must work on it, as they do under QEMU.
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

struct range {
	uint64_t base, size;
};

/* What a secondary core reports when it comes up. */
struct checkin {
	volatile uint64_t hwid;		/* MPIDR affinity | PROBE_CHECKED_IN */
	volatile uint32_t gicv2_mask;	/* its GICv2 CPU-interface bit, 0 on GICv3 */
	uint32_t pad[13];		/* one 64-byte line per core */
};

#define PROBE_CHECKED_IN	((uint64_t)1 << 63)

struct channel {
	const char *name;		/* cleave,name or the node name */
	const char *peer;
	struct cleave_channel_header *h;
	uint64_t size;
	uint32_t end, peer_end;		/* ring indices */
	uint32_t irq, bit;		/* my doorbell and my pending bit */
	int multiplexed, initiator;
	int has_hint;			/* cleave,peer-doorbells named the peer's doorbell */
	uint64_t hint_target;
	uint32_t hint_irq;
	uint64_t peer_target;		/* published in the header by the peer */
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
	unsigned el;
	uint64_t self;			/* boot core hwid */
	uint64_t cpus[PROBE_MAX_CPUS];
	uint32_t ncpus;
	struct range mem[PROBE_MAX_RANGES];
	uint32_t nmem;
	struct range excluded[PROBE_MAX_RANGES];
	uint32_t nexcluded;
	int smc;			/* PSCI through smc (else hvc) */
	/* GIC */
	uint32_t gic;			/* CLEAVE_IC_GICV2 / CLEAVE_IC_GICV3, 0 none */
	int gic_node;
	uint64_t gicd, gicr_or_gicc, gicr_size;
	uint64_t redist;		/* this core's GICR frame (v3) */
	uint32_t masks;			/* GICv2: CPU-interface bits of all my cores */
	struct channel ch[PROBE_MAX_CHANNELS];
	uint32_t nch;
};

extern struct probe probe;
extern struct checkin probe_checkin[PROBE_MAX_CPUS];

/* console.c: whole lines through semihosting (SYS_WRITE0), never interleaved. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void park(void) __attribute__((noreturn));

/* Time on the generic counter. */
uint64_t now(void);
uint64_t deadline_ms(uint64_t ms);
int passed(uint64_t deadline);
uint64_t ms_since(uint64_t start);

/* Atomics on Device memory (LDXR/STXR). */
void atomic_or32(volatile uint32_t *p, uint32_t bits);
void atomic_or64(volatile uint64_t *p, uint64_t bits);
uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v);
int atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t v);

/* gic.c */
void gic_find(void);
void gic_init_cpu(void);
uint64_t gic_my_target(void);
uint32_t gic_my_mask(void);
void gic_send(uint64_t target, uint32_t sgi);
uint32_t gic_poll(void);
int gic_spi_routed_here(uint32_t intid, uint64_t *where);

/* memory.c */
uint64_t pattern_seed(const char *name);
void memory_fill(void);
void memory_verify(void);

/* channel.c */
void channels_find(void);
void channels_rendezvous(void);
void channels_round_trips(void);

/* entry.S */
void probe_secondary_entry(void);
void probe_write0(const char *s);
extern char __probe_start[], __probe_end[];

#endif /* __ASSEMBLER__ */
#endif /* PROBE_H */

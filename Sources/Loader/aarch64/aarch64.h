/*
 * AArch64 helpers shared by the loader and the probe kernel: system
 * registers, barriers, the SMC Calling Convention, PSCI and GIC constants.
 * Everything here is aarch64_* (arch-private); common/ never includes it.
 */
#ifndef LOADER_AARCH64_H
#define LOADER_AARCH64_H

#include <stdint.h>

/* PSCI function ids (SMC64 where both exist) and return codes. */
#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON		0xc4000003u
#define PSCI_AFFINITY_INFO	0xc4000004u
#define PSCI_SYSTEM_OFF		0x84000008u

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS	(-2)
#define PSCI_DENIED		(-3)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_ON_PENDING		(-5)
#define PSCI_INTERNAL_FAILURE	(-6)
#define PSCI_NOT_PRESENT	(-7)
#define PSCI_DISABLED		(-8)
#define PSCI_INVALID_ADDRESS	(-9)

/* MPIDR_EL1 affinity fields as device trees and GICD_IROUTER write them. */
#define MPIDR_AFF_MASK		0xff00ffffffull

/* GIC distributor (v2 and v3), v2 CPU interface and v3 redistributor registers. */
#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_IPRIORITYR		0x0400
#define GICD_ITARGETSR		0x0800
#define GICD_SGIR		0x0f00
#define GICD_IGRPMODR		0x0d00
#define GICD_IROUTER		0x6000
#define GICD_PIDR2_V2		0x0fe8
#define GICD_PIDR2_V3		0xffe8
#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE		(1u << 4)

#define GICC_CTLR		0x0000
#define GICC_PMR		0x0004
#define GICC_BPR		0x0008
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010

#define GICR_CTLR		0x0000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_SGI_BASE		0x10000
#define GICR_TYPER_VLPIS	(1ull << 1)
#define GICR_TYPER_LAST		(1ull << 4)
#define GICR_WAKER_SLEEP	(1u << 1)
#define GICR_WAKER_ASLEEP	(1u << 2)

#define GIC_SPURIOUS		1023u

static inline uint64_t aarch64_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

/* This core's hardware id as cleave_cpu.hwid and /cpus reg give it. */
static inline uint64_t aarch64_hwid(void)
{
	return aarch64_mpidr() & MPIDR_AFF_MASK;
}

static inline unsigned aarch64_el(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(v));
	return (unsigned)(v >> 2) & 3;
}

static inline void aarch64_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void aarch64_dsb(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline void aarch64_dmb(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static inline void aarch64_sev(void)
{
	__asm__ volatile("sev" ::: "memory");
}

static inline void aarch64_wfe(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

static inline void aarch64_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline uint64_t aarch64_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) :: "memory");
	return v;
}

static inline uint64_t aarch64_counter_hz(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Syndrome, return address and fault address of the current exception level. */
static inline uint64_t aarch64_esr(void)
{
	uint64_t v;

	if (aarch64_el() == 2)
		__asm__ volatile("mrs %0, esr_el2" : "=r"(v));
	else
		__asm__ volatile("mrs %0, esr_el1" : "=r"(v));
	return v;
}

static inline uint64_t aarch64_elr(void)
{
	uint64_t v;

	if (aarch64_el() == 2)
		__asm__ volatile("mrs %0, elr_el2" : "=r"(v));
	else
		__asm__ volatile("mrs %0, elr_el1" : "=r"(v));
	return v;
}

static inline uint64_t aarch64_far(void)
{
	uint64_t v;

	if (aarch64_el() == 2)
		__asm__ volatile("mrs %0, far_el2" : "=r"(v));
	else
		__asm__ volatile("mrs %0, far_el1" : "=r"(v));
	return v;
}

static inline void aarch64_set_vbar(uint64_t vbar)
{
	if (aarch64_el() == 2)
		__asm__ volatile("msr vbar_el2, %0" :: "r"(vbar));
	else
		__asm__ volatile("msr vbar_el1, %0" :: "r"(vbar));
	aarch64_isb();
}

/* SMC Calling Convention: function id and three arguments, result in x0 (smccc.S). */
int64_t aarch64_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t aarch64_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/* The exception vector table (vectors.S); 2 KiB aligned. */
extern const char aarch64_vectors[];

/*
 * Called by the vector table on any exception, with the vector number
 * (0-15: current EL SP0, current EL SPx, lower EL AArch64, lower EL AArch32;
 * each sync, IRQ, FIQ, SError). Each program that links vectors.S defines it.
 */
void aarch64_exception(uint64_t vector) __attribute__((noreturn));

#endif /* LOADER_AARCH64_H */

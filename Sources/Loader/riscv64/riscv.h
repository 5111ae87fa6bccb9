/*
 * RISC-V helpers shared by the loader and the probe kernel: CSRs, fences,
 * the time counter, the SBI calling convention and the PLIC layout.
 * Everything here is riscv_* (arch-private); common/ never includes it.
 *
 * Both run in S-mode under an SBI implementation (OpenSBI), with satp = 0
 * (no translation) and interrupts off. S-mode cannot read mhartid, so each
 * hart keeps its own id in tp from its first instruction on: OpenSBI passes
 * it in a0, and nothing here uses thread-local storage.
 */
#ifndef LOADER_RISCV_H
#define LOADER_RISCV_H

#include <stdint.h>

/* SBI extensions (EID) and functions (FID). */
#define SBI_EXT_LEGACY_PUTCHAR	0x01
#define SBI_EXT_BASE		0x10
#define SBI_BASE_SPEC_VERSION	0
#define SBI_BASE_IMPL_ID	1
#define SBI_BASE_IMPL_VERSION	2
#define SBI_BASE_PROBE		3
#define SBI_EXT_IPI		0x735049
#define SBI_IPI_SEND		0
#define SBI_EXT_HSM		0x48534d
#define SBI_HSM_START		0
#define SBI_HSM_STOP		1
#define SBI_HSM_STATUS		2

/* SBI error codes. */
#define SBI_SUCCESS		0
#define SBI_ERR_FAILED		(-1)
#define SBI_ERR_NOT_SUPPORTED	(-2)
#define SBI_ERR_INVALID_PARAM	(-3)
#define SBI_ERR_DENIED		(-4)
#define SBI_ERR_INVALID_ADDRESS	(-5)
#define SBI_ERR_ALREADY_AVAILABLE	(-6)
#define SBI_ERR_ALREADY_STARTED	(-7)
#define SBI_ERR_ALREADY_STOPPED	(-8)

/* HSM hart states. */
#define SBI_HSM_STARTED		0
#define SBI_HSM_STOPPED		1
#define SBI_HSM_START_PENDING	2

#define SBI_IMPL_OPENSBI	1

/* sstatus / sip / sie bits. */
#define SSTATUS_SIE		(1ul << 1)
#define SIP_SSIP		(1ul << 1)

/* PLIC registers (SiFive / riscv,plic0 layout). */
#define PLIC_PRIORITY		0x000000	/* + 4 * source */
#define PLIC_ENABLE		0x002000	/* + 0x80 * context, bit per source */
#define PLIC_CONTEXT		0x200000	/* + 0x1000 * context: threshold, claim */
#define PLIC_MAX_SOURCES	1023u
#define PLIC_INERT		0xffffffffu	/* an interrupts-extended cause no hart takes */
#define RISCV_IRQ_S_EXTERNAL	9u

#define riscv_csr_read(csr)						\
	({								\
		unsigned long v_;					\
		__asm__ volatile("csrr %0, " #csr : "=r"(v_) :: "memory"); \
		v_;							\
	})
#define riscv_csr_write(csr, v)	__asm__ volatile("csrw " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define riscv_csr_clear(csr, v)	__asm__ volatile("csrc " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")

/* This hart's id, as its entry code left it in tp. */
static inline uint64_t riscv_hartid(void)
{
	uint64_t v;

	__asm__ volatile("mv %0, tp" : "=r"(v));
	return v;
}

static inline void riscv_fence(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static inline void riscv_fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

static inline void riscv_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* The time CSR: the platform timer, at the tree's /cpus timebase-frequency. */
static inline uint64_t riscv_time(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v) :: "memory");
	return v;
}

struct sbiret {
	long error;
	long value;
};

/* An SBI call: EID in a7, FID in a6, arguments in a0-a2; error in a0, value in a1. */
static inline struct sbiret riscv_sbi(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
				      unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

/* Is an SBI extension there? (BASE probe_extension: nonzero value when it is.) */
static inline int riscv_sbi_has(unsigned long eid)
{
	struct sbiret r = riscv_sbi(SBI_EXT_BASE, SBI_BASE_PROBE, eid, 0, 0);

	return !r.error && r.value;
}

#endif /* LOADER_RISCV_H */

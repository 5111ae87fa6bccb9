#include "lib.h"
#include "probe.h"
#include "riscv.h"

/* How long a hart may take to read stopped (it may be leaving the loader through hart_stop). */
#define STOPPING_MS	1000
/* The scause of a load or store that PMP (or the bus) refused. */
#define RISCV_CAUSE_LOAD_ACCESS	5
#define RISCV_CAUSE_STORE_ACCESS	7
/* SBI system reset: system_reset(type shutdown, reason none). */
#define SBI_EXT_SRST		0x53525354
#define SBI_SRST_RESET		0
#define SBI_SRST_SHUTDOWN	0

/* The time CSR's rate, from the tree's /cpus timebase-frequency. */
static uint64_t timebase;

uint64_t cpu_id(void)
{
	return riscv_hartid();
}

const char *cpu_level(void)
{
	return "S-mode";
}

/* SBI HSM starts harts here (IPI, if a channel rings with it, plic.c asks for). */
void cpu_firmware(void)
{
	const struct dt *dt = &probe.dt;
	int cpus = dt_lookup(dt, "/cpus");
	uint32_t tb = 0;

	if (cpus < 0 || dt_prop_u32(dt, cpus, "timebase-frequency", &tb) || tb < 1000)
		fail("no usable /cpus timebase-frequency (%u)", tb);
	timebase = tb;
	if (!riscv_sbi_has(SBI_EXT_HSM))
		fail("the SBI lacks the HSM extension");
}

/*
 * SBI HSM hart_start at probe_secondary_entry with the slot as opaque. The
 * loader may have run on this very hart and handed it back with hart_stop
 * a moment ago, and OpenSBI refuses to start a hart that is still stopping
 * (INVALID_PARAM) or running (ALREADY_AVAILABLE): wait (bounded) until it
 * reads stopped. A hart that never does runs another kernel, and
 * hart_start's error then says so.
 */
int64_t cpu_start(uint64_t hwid, uint32_t slot)
{
	uint64_t limit = deadline_ms(STOPPING_MS);

	for (;;) {
		struct sbiret st = riscv_sbi(SBI_EXT_HSM, SBI_HSM_STATUS, hwid, 0, 0);

		if (st.error || st.value == SBI_HSM_STOPPED || passed(limit))
			break;
	}
	return riscv_sbi(SBI_EXT_HSM, SBI_HSM_START, hwid, (uintptr_t)probe_secondary_entry, slot).error;
}

const char *cpu_start_call(void)
{
	return "SBI HSM hart_start";
}

const char *cpu_start_error(int64_t rc)
{
	switch (rc) {
	case SBI_ERR_ALREADY_AVAILABLE:
		return "ALREADY_AVAILABLE: the hart runs another kernel";
	case SBI_ERR_INVALID_PARAM:
		return "INVALID_PARAM: no such hart";
	case SBI_ERR_INVALID_ADDRESS:
		return "INVALID_ADDRESS";
	case SBI_ERR_DENIED:
		return "DENIED";
	default:
		return "SBI error";
	}
}

void cpu_barrier(void)
{
	riscv_fence();
}

/* The boot hart polls: ordering the write is all a waiter needs. */
void cpu_signal(void)
{
	riscv_fence();
}

uint64_t counter(void)
{
	return riscv_time();
}

uint64_t counter_hz(void)
{
	return timebase;
}

/* entry.S: a0 = 0 and a1 = the word, or a0 = scause and a1 = stval of the fault the access took. */
struct probed {
	uint64_t cause, value;
};
struct probed riscv_probe_load(uint64_t addr);
struct probed riscv_probe_store(uint64_t addr);

/*
 * A PMP fence: OpenSBI takes the access fault in M-mode (its medeleg keeps
 * access faults) and, the access being S-mode's, redirects it to stvec as
 * itself (scause 5 or 7, stval the address).
 */
static const char *fault(uint64_t addr, int store)
{
	struct probed r = store ? riscv_probe_store(addr) : riscv_probe_load(addr);
	uint64_t cause = store ? RISCV_CAUSE_STORE_ACCESS : RISCV_CAUSE_LOAD_ACCESS;
	const char *what = store ? "store" : "load";

	if (!r.cause)
		return 0;
	if (r.cause != cause || r.value != addr)
		fail("a %s %s 0x%lx took scause %lu, stval 0x%lx: not a %s access fault there", what,
		     store ? "to" : "from", addr, r.cause, r.value, what);
	return store ? "store access fault" : "load access fault";
}

const char *cpu_load_fault(uint64_t addr)
{
	return fault(addr, 0);
}

const char *cpu_store_fault(uint64_t addr)
{
	return fault(addr, 1);
}

int cpu_denied(int64_t rc)
{
	return rc == SBI_ERR_DENIED;
}

uint64_t cpu_fence_traps(void)
{
	fail("isolation \"stage2\" is AArch64's EL2 fence; there is none on RISC-V");
}

const char *cpu_power_off(int64_t *rc)
{
	*rc = riscv_sbi(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_SHUTDOWN, 0, 0).error;
	return "SBI SRST shutdown";
}

/* Any other trap is a bug in the probe or a fault cleave caused (a foreign device, say). */
void probe_trap(uint64_t cause, uint64_t epc, uint64_t tval) __attribute__((noreturn));
void probe_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	fail("trap on hart %lu: scause 0x%lx, sepc 0x%lx, stval 0x%lx", riscv_hartid(), cause, epc, tval);
}

/* A-extension atomics (AMOs, LR/SC), sequentially consistent. */
void atomic_or32(volatile uint32_t *p, uint32_t bits)
{
	__atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}

void atomic_or64(volatile uint64_t *p, uint64_t bits)
{
	__atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}

uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

int atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t v)
{
	return __atomic_compare_exchange_n(p, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#include "aarch64.h"
#include "lib.h"
#include "probe.h"

/* PSCI through smc (else hvc), as the tree's /psci method says. */
static int smc;

uint64_t cpu_id(void)
{
	return aarch64_hwid();
}

const char *cpu_level(void)
{
	return &"EL0\0EL1\0EL2\0EL3"[4 * aarch64_el()];
}

void cpu_firmware(void)
{
	const struct dt *dt = &probe.dt;
	int psci = dt_lookup(dt, "/psci");
	const char *method = psci >= 0 ? dt_prop_str(dt, psci, "method") : 0;

	if (!method || (strcmp(method, "smc") && strcmp(method, "hvc")))
		fail("no PSCI method in /psci");
	smc = !strcmp(method, "smc");
}

int64_t cpu_start(uint64_t hwid, uint32_t slot)
{
	if (smc)
		return aarch64_smc(PSCI_CPU_ON, hwid, (uintptr_t)probe_secondary_entry, slot);
	return aarch64_hvc(PSCI_CPU_ON, hwid, (uintptr_t)probe_secondary_entry, slot);
}

const char *cpu_start_call(void)
{
	return "PSCI CPU_ON";
}

const char *cpu_start_error(int64_t rc)
{
	return rc == PSCI_ALREADY_ON ? "ALREADY_ON: the core runs another kernel" : "PSCI error";
}

/* Only OpenSBI domains fence memory (main.c asks in that mode alone): nothing here recovers from an abort. */
const char *cpu_load_fault(uint64_t addr)
{
	fail("asked to prove a fence at 0x%lx: AArch64 partitions have no fenced memory", addr);
}

void cpu_barrier(void)
{
	aarch64_dmb();
}

void cpu_signal(void)
{
	aarch64_dsb();
	aarch64_sev();
}

uint64_t counter(void)
{
	return aarch64_counter();
}

uint64_t counter_hz(void)
{
	return aarch64_counter_hz();
}

/* Any exception is a bug in the probe or a fault cleave caused (a foreign device, say). */
void aarch64_exception(uint64_t vector)
{
	fail("exception (vector %lu) on CPU 0x%lx: ESR 0x%lx, ELR 0x%lx, FAR 0x%lx", vector, aarch64_hwid(),
	     aarch64_esr(), aarch64_elr(), aarch64_far());
}

void atomic_or32(volatile uint32_t *p, uint32_t bits)
{
	uint32_t v, fail;

	do {
		__asm__ volatile("ldaxr %w0, [%2]\n\torr %w0, %w0, %w3\n\tstlxr %w1, %w0, [%2]"
				 : "=&r"(v), "=&r"(fail) : "r"(p), "r"(bits) : "memory");
	} while (fail);
}

void atomic_or64(volatile uint64_t *p, uint64_t bits)
{
	uint64_t v;
	uint32_t fail;

	do {
		__asm__ volatile("ldaxr %0, [%2]\n\torr %0, %0, %3\n\tstlxr %w1, %0, [%2]"
				 : "=&r"(v), "=&r"(fail) : "r"(p), "r"(bits) : "memory");
	} while (fail);
}

uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v)
{
	uint64_t old;
	uint32_t fail;

	do {
		__asm__ volatile("ldaxr %0, [%2]\n\tstlxr %w1, %3, [%2]"
				 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
	} while (fail);
	return old;
}

int atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t v)
{
	uint32_t cur, fail;

	do {
		__asm__ volatile("ldaxr %w0, [%1]" : "=&r"(cur) : "r"(p) : "memory");
		if (cur != old) {
			__asm__ volatile("clrex" ::: "memory");
			return 0;
		}
		__asm__ volatile("stlxr %w0, %w2, [%1]" : "=&r"(fail) : "r"(p), "r"(v) : "memory");
	} while (fail);
	return 1;
}

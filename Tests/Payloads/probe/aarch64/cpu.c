#include "aarch64.h"
#include "fmt.h"
#include "lib.h"
#include "probe.h"

/* PSCI through smc or hvc, as the tree's /psci method says; 0 when the tree has no /psci. */
static const char *conduit;
/* What the last cpu_start() did, for its messages. */
static const char *start_call = "PSCI CPU_ON";
/* The slot a core released by spin-table takes (probe_spin_entry reads it): one core starts at a time. */
uint64_t probe_spin_slot;

uint64_t cpu_id(void)
{
	return aarch64_hwid();
}

const char *cpu_level(void)
{
	return &"EL0\0EL1\0EL2\0EL3"[4 * aarch64_el()];
}

/* A tree without /psci is fine as long as no core this kernel starts needs PSCI (cpu_start checks). */
void cpu_firmware(void)
{
	const struct dt *dt = &probe.dt;
	int psci = dt_lookup(dt, "/psci");
	const char *method = psci >= 0 ? dt_prop_str(dt, psci, "method") : 0;

	if (method && strcmp(method, "smc") && strcmp(method, "hvc"))
		fail("/psci method \"%s\" is neither smc nor hvc", method);
	conduit = method;
}

/*
 * Each core the way its CPU node says: spin-table (write probe_spin_entry to
 * its cpu-release-addr, clean the line to the point of coherency, sev) or
 * PSCI CPU_ON.
 */
int64_t cpu_start(uint64_t hwid, uint32_t slot)
{
	const struct dt *dt = &probe.dt;
	int node = dt_find_cpu(dt, hwid);
	uint32_t len = 0;
	const void *release = node >= 0 ? dt_prop(dt, node, "cpu-release-addr", &len) : 0;

	if (node >= 0 && dt_prop_has_string(dt, node, "enable-method", "spin-table")) {
		volatile uint64_t *at;

		start_call = "spin-table release";
		if (len != 8)
			fail("CPU 0x%lx starts by spin-table but has no 64-bit cpu-release-addr", hwid);
		at = (volatile uint64_t *)(uintptr_t)dt_be64(release);
		probe_spin_slot = slot;
		aarch64_dsb();
		*at = (uintptr_t)probe_spin_entry;
		__asm__ volatile("dc cvac, %0\n\tdsb sy\n\tsev" ::"r"(at) : "memory");
		return 0;
	}
	start_call = "PSCI CPU_ON";
	if (!conduit)
		fail("CPU 0x%lx starts through PSCI, but the tree has no /psci", hwid);
	if (!strcmp(conduit, "smc"))
		return aarch64_smc(PSCI_CPU_ON, hwid, (uintptr_t)probe_secondary_entry, slot);
	return aarch64_hvc(PSCI_CPU_ON, hwid, (uintptr_t)probe_secondary_entry, slot);
}

const char *cpu_start_call(void)
{
	return start_call;
}

const char *cpu_start_error(int64_t rc)
{
	switch (rc) {
	case PSCI_ALREADY_ON:
		return "ALREADY_ON: the core runs another kernel";
	case PSCI_DENIED:
		return "DENIED";
	default:
		return "PSCI error";
	}
}

int cpu_denied(int64_t rc)
{
	return rc == PSCI_DENIED;
}

uint64_t cpu_fence_traps(void)
{
	int64_t n;

	if (!conduit)
		fail("asked the fence for its trap count, but the tree has no /psci to call it through");
	n = !strcmp(conduit, "smc") ? aarch64_smc(CLEAVE_FENCE_CALL_TRAPS, 0, 0, 0)
				    : aarch64_hvc(CLEAVE_FENCE_CALL_TRAPS, 0, 0, 0);
	if (n < 0)
		fail("the fence's trap count call returned %ld: no fence answered it", n);
	return (uint64_t)n;
}

/* Through the same conduit as CPU_ON; it returns only if refused (or if the tree has no /psci). */
const char *cpu_power_off(int64_t *rc)
{
	if (!conduit)
		fail("asked to power the machine off, but the tree has no /psci");
	*rc = !strcmp(conduit, "smc") ? aarch64_smc(PSCI_SYSTEM_OFF, 0, 0, 0) : aarch64_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	return "PSCI SYSTEM_OFF";
}

/* A data abort at the current EL (ESR.EC), a synchronous external abort (ESR.ISS DFSC), a write (ESR.ISS WnR). */
#define ESR_EC_DABT_CUR		0x25
#define ESR_DFSC_SEA		0x10
#define ESR_WNR			(1u << 6)

/* vectors.S: {0, -} if the access went through, else the ESR and FAR of the exception it took. */
struct probed {
	uint64_t esr, far;
};
struct probed aarch64_probe_load(uint64_t addr);
struct probed aarch64_probe_store(uint64_t addr);

/*
 * The EL2 fence of isolation "stage2" blocks the access at stage 2 and
 * injects a synchronous external abort at this EL: a data abort whose
 * syndrome says which way the access went and whose FAR is the address.
 */
static const char *fault(uint64_t addr, int store)
{
	static char text[2][48];
	struct probed r = store ? aarch64_probe_store(addr) : aarch64_probe_load(addr);
	const char *what = store ? "a store to" : "a load from";

	if (!r.esr)
		return 0;
	if ((r.esr >> 26 & 0x3f) != ESR_EC_DABT_CUR || (r.esr & 0x3f) != ESR_DFSC_SEA ||
	    !(r.esr & ESR_WNR) != !store || r.far != addr)
		fail("%s 0x%lx took ESR 0x%lx, FAR 0x%lx: not a synchronous external abort there", what, addr, r.esr,
		     r.far);
	fmt_format(text[store], sizeof(text[store]), "synchronous external abort, ESR 0x%lx", r.esr);
	return text[store];
}

const char *cpu_load_fault(uint64_t addr)
{
	return fault(addr, 0);
}

const char *cpu_store_fault(uint64_t addr)
{
	return fault(addr, 1);
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

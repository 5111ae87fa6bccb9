#include "aarch64.h"
#include "arch.h"
#include "desc.h"
#include "entry.h"

uint32_t aarch64_conduit;

/* PSCI through the conduit arch_check_live settled on: the descriptor's, or the live tree's. */
static int64_t psci(const struct cleave_desc *d, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)d;
	if (aarch64_conduit == CLEAVE_CONDUIT_SMC)
		return aarch64_smc(fn, a1, a2, a3);
	if (aarch64_conduit == CLEAVE_CONDUIT_HVC)
		return aarch64_hvc(fn, a1, a2, a3);
	return PSCI_NOT_SUPPORTED;
}

int64_t arch_cpu_start(const struct cleave_desc *d, const struct cleave_cpu *cpu, uint64_t context)
{
	if (cpu->start == CLEAVE_START_SPIN_TABLE)
		return aarch64_spin_release(cpu->release_addr, context);
	return psci(d, PSCI_CPU_ON, cpu->hwid, (uint64_t)(uintptr_t)aarch64_trampoline, context);
}

const char *arch_cpu_start_error(int64_t code)
{
	switch (code) {
	case PSCI_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case PSCI_INVALID_PARAMETERS:
		return "INVALID_PARAMETERS";
	case PSCI_DENIED:
		return "DENIED";
	case PSCI_ALREADY_ON:
		return "ALREADY_ON";
	case PSCI_ON_PENDING:
		return "ON_PENDING";
	case PSCI_INTERNAL_FAILURE:
		return "INTERNAL_FAILURE";
	case PSCI_INVALID_ADDRESS:
		return "INVALID_ADDRESS";
	default:
		return "PSCI error";
	}
}

void arch_cpu_stop(const struct cleave_desc *d)
{
	uint64_t me = aarch64_hwid();

	for (uint32_t c = 0; c < d->cpu_count; c++)
		if (desc_cpu(d, c)->hwid == me && desc_cpu(d, c)->start == CLEAVE_START_SPIN_TABLE)
			aarch64_spin_wait(desc_cpu(d, c)->release_addr);
	psci(d, PSCI_CPU_OFF, 0, 0, 0);
	/* CPU_OFF returns only on failure (DENIED): nothing left but to park. */
	arch_park();
}

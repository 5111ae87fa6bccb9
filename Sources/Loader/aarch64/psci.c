#include "aarch64.h"
#include "arch.h"
#include "entry.h"

static int64_t psci(const struct cleave_desc *d, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (d->conduit == CLEAVE_CONDUIT_SMC)
		return aarch64_smc(fn, a1, a2, a3);
	return aarch64_hvc(fn, a1, a2, a3);
}

int64_t arch_cpu_start(const struct cleave_desc *d, uint64_t hwid, uint64_t context)
{
	return psci(d, PSCI_CPU_ON, hwid, (uint64_t)(uintptr_t)aarch64_trampoline, context);
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
	psci(d, PSCI_CPU_OFF, 0, 0, 0);
	/* CPU_OFF returns only on failure (DENIED): nothing left but to park. */
	arch_park();
}

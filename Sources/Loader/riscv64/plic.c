#include "arch.h"
#include "desc.h"
#include "dt.h"
#include "entry.h"
#include "lib.h"
#include "log.h"
#include "mmio.h"
#include "riscv.h"

/* The live PLIC's source count (riscv,ndev), for arch_init_ic(). */
static uint32_t plic_sources;

static int wrong(const char *field, uint64_t value)
{
	log_error("descriptor: %s 0x%lx is wrong for RISC-V sbi-hsm", field, value);
	return 1;
}

/*
 * The loader serves sbi-hsm only: under opensbi-domains OpenSBI itself
 * starts each domain's payload. Routes name a PLIC source, the hart id of
 * the owner's boot hart, and a nonzero priority (zero would mask it).
 */
int arch_check_desc(const struct cleave_desc *d)
{
	int problems = 0;

	if (d->arch != CLEAVE_ARCH_RISCV64 || d->boot_mode != CLEAVE_BOOT_SBI_HSM)
		problems += wrong("arch/boot_mode", d->boot_mode);
	if (d->conduit != CLEAVE_CONDUIT_NONE)
		problems += wrong("conduit", d->conduit);
	/* The EL2 fence is AArch64's; OpenSBI domains isolate RISC-V kernels. */
	if (d->flags)
		problems += wrong("flags", d->flags);
	for (uint32_t c = 0; c < d->cpu_count; c++)
		if (desc_cpu(d, c)->start != CLEAVE_START_SBI_HSM || desc_cpu(d, c)->reserved || desc_cpu(d, c)->release_addr)
			problems += wrong("cpu start", desc_cpu(d, c)->hwid);
	if (d->ic_kind != CLEAVE_IC_PLIC && (d->ic_kind != CLEAVE_IC_NONE || d->route_count))
		problems += wrong("ic_kind", d->ic_kind);
	for (uint32_t r = 0; r < d->route_count; r++) {
		const struct cleave_route *rt = desc_route(d, r);

		if (rt->irq - 1 >= PLIC_MAX_SOURCES || !rt->priority || !desc_kernel_has_cpu(d, rt->kernel, rt->target))
			problems += wrong("route", rt->irq);
	}
	return problems;
}

/* The first enabled PLIC of the tree, or -1. */
static int find_plic(const struct dt *dt)
{
	int depth = 0;

	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth))
		if (dt_prop(dt, n, "interrupt-controller", 0) && dt_enabled(dt, n) &&
		    (dt_compatible(dt, n, "riscv,plic0") || dt_compatible(dt, n, "sifive,plic-1.0.0")))
			return n;
	return -1;
}

/*
 * The live machine: a timebase to count with, the PLIC where the descriptor
 * says with every routed source, and an SBI with HSM (to start harts) and
 * IPI (the kernels' doorbells).
 */
int arch_check_live(const struct cleave_desc *d, const struct dt *live)
{
	int cpus = dt_lookup(live, "/cpus"), plic = find_plic(live), diffs = 0;
	uint32_t tb = 0;
	uint64_t base = 0, size, impl;

	if (cpus < 0 || dt_prop_u32(live, cpus, "timebase-frequency", &tb) || !tb) {
		log_error("live DTB: no /cpus timebase-frequency");
		diffs++;
	}
	riscv_timebase = tb;
	if (plic >= 0 && !dt_reg_phys(live, plic, 0, &base, &size))
		dt_prop_u32(live, plic, "riscv,ndev", &plic_sources);
	if ((d->ic_kind == CLEAVE_IC_PLIC) != (plic >= 0) || (plic >= 0 && base != d->ic_base)) {
		log_error("live DTB: PLIC at 0x%lx; descriptor: %s at 0x%lx", base,
			  d->ic_kind == CLEAVE_IC_PLIC ? "PLIC" : "none", d->ic_base);
		diffs++;
	}
	for (uint32_t r = 0; r < d->route_count; r++)
		if (desc_route(d, r)->irq > plic_sources) {
			log_error("live PLIC has %u sources, no source %u", plic_sources, desc_route(d, r)->irq);
			diffs++;
		}
	if (!riscv_sbi_has(SBI_EXT_HSM) || !riscv_sbi_has(SBI_EXT_IPI)) {
		log_error("SBI lacks the HSM or IPI extension; sbi-hsm needs both");
		diffs++;
	}
	if (!diffs) {
		impl = (uint64_t)riscv_sbi(SBI_EXT_BASE, SBI_BASE_IMPL_VERSION, 0, 0, 0).value;
		log_info("live PLIC at 0x%lx (%u sources), timebase %u Hz, SBI HSM and IPI (%s %lu.%lu)", base,
			 plic_sources, tb,
			 riscv_sbi(SBI_EXT_BASE, SBI_BASE_IMPL_ID, 0, 0, 0).value == SBI_IMPL_OPENSBI ? "OpenSBI" : "SBI",
			 impl >> 16, impl & 0xffff);
	}
	return diffs;
}

/*
 * The PLIC's shared part: each route's source priority, which goes with the
 * device's owner. Enables, thresholds and claims are per context, and a
 * context belongs to a hart: each kernel enables its own sources on its own
 * harts, so the loader touches no context at all.
 */
void arch_init_ic(const struct cleave_desc *d)
{
	if (d->ic_kind != CLEAVE_IC_PLIC)
		return;
	for (uint32_t r = 0; r < d->route_count; r++) {
		const struct cleave_route *rt = desc_route(d, r);

		mmio_write32(d->ic_base + PLIC_PRIORITY + 4 * rt->irq, rt->priority);
	}
	log_info("PLIC: %u source priorities set; enabling them is each owner's", d->route_count);
}

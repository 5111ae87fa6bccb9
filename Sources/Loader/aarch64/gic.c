#include "aarch64.h"
#include "arch.h"
#include "desc.h"
#include "dt.h"
#include "entry.h"
#include "lib.h"
#include "log.h"
#include "mmio.h"

/* Bounded wait for a distributor write to take effect (GICD_CTLR.RWP). */
#define RWP_SPINS	1000000

static const char *ic_name(uint32_t kind)
{
	return kind == CLEAVE_IC_GICV3 ? "GICv3" : kind == CLEAVE_IC_GICV2 ? "GICv2" : "no GIC";
}

static const char *conduit_name(uint32_t conduit)
{
	return conduit == CLEAVE_CONDUIT_SMC ? "smc" : conduit == CLEAVE_CONDUIT_HVC ? "hvc" : "none";
}

/* The GIC kind a node's compatible names, or CLEAVE_IC_NONE. */
static uint32_t gic_kind(const struct dt *dt, int node)
{
	if (dt_compatible(dt, node, "arm,gic-v3"))
		return CLEAVE_IC_GICV3;
	if (dt_compatible(dt, node, "arm,cortex-a15-gic") || dt_compatible(dt, node, "arm,gic-400") ||
	    dt_compatible(dt, node, "arm,cortex-a9-gic") || dt_compatible(dt, node, "arm,cortex-a7-gic"))
		return CLEAVE_IC_GICV2;
	return CLEAVE_IC_NONE;
}

static int wrong(const char *field, uint64_t value)
{
	log_error("descriptor: %s 0x%lx is wrong for AArch64", field, value);
	return 1;
}

int arch_check_desc(const struct cleave_desc *d)
{
	int problems = 0, v3 = d->ic_kind == CLEAVE_IC_GICV3;

	if (d->arch != CLEAVE_ARCH_AARCH64 || (d->boot_mode != CLEAVE_BOOT_PSCI && d->boot_mode != CLEAVE_BOOT_SPIN_TABLE))
		problems += wrong("arch/boot_mode", d->arch);
	if (d->conduit > CLEAVE_CONDUIT_SMC)
		problems += wrong("conduit", d->conduit);
	/* Spin-table needs an 8-byte aligned release address (PSCI's conduit may come from the live tree). */
	for (uint32_t c = 0; c < d->cpu_count; c++) {
		const struct cleave_cpu *cpu = desc_cpu(d, c);

		if (cpu->reserved || (cpu->start == CLEAVE_START_PSCI ? cpu->release_addr != 0
								       : cpu->start != CLEAVE_START_SPIN_TABLE ||
									 !cpu->release_addr || (cpu->release_addr & 7)))
			problems += wrong("cpu start", cpu->hwid);
	}
	if (!v3 && d->ic_kind != CLEAVE_IC_GICV2 && (d->ic_kind != CLEAVE_IC_NONE || d->route_count))
		problems += wrong("ic_kind", d->ic_kind);
	/* The fence emulates a GIC distributor, catches PSCI, and enters kernels itself (not seL4's way, yet). */
	if ((d->flags & CLEAVE_DESC_FENCE) &&
	    ((!v3 && d->ic_kind != CLEAVE_IC_GICV2) || d->boot_mode != CLEAVE_BOOT_PSCI || d->boot_info_count))
		problems += wrong("flags", d->flags);
	for (uint32_t r = 0; r < d->route_count; r++) {
		const struct cleave_route *rt = desc_route(d, r);

		/* An SPI, a byte of priority, and a target: a CPU of its kernel (v3) or 1-8 interfaces (v2). */
		if (rt->irq - 32 > 1019 - 32 || rt->priority > 0xff ||
		    (v3 ? !desc_kernel_has_cpu(d, rt->kernel, rt->target) : rt->cpu_mask - 1 > 0xfe))
			problems += wrong("route", rt->irq);
	}
	return problems;
}

/*
 * A spin-table core must be parked where the descriptor will release it: the
 * live tree's CPU node says spin-table and names the same release address.
 */
static int check_spin_table(const struct cleave_desc *d, const struct dt *live)
{
	int diffs = 0;

	for (uint32_t c = 0; c < d->cpu_count; c++) {
		const struct cleave_cpu *cpu = desc_cpu(d, c);
		int node = dt_find_cpu(live, cpu->hwid);
		uint32_t len = 0;
		const void *release = node >= 0 ? dt_prop(live, node, "cpu-release-addr", &len) : 0;

		if (cpu->start == CLEAVE_START_SPIN_TABLE &&
		    (!dt_prop_has_string(live, node, "enable-method", "spin-table") || len != 8 ||
		     dt_be64(release) != cpu->release_addr)) {
			log_error("live DTB: CPU 0x%lx is not parked by spin-table at 0x%lx", cpu->hwid,
				  cpu->release_addr);
			diffs++;
		}
	}
	return diffs;
}

int arch_check_live(const struct cleave_desc *d, const struct dt *live)
{
	int psci = dt_lookup(live, "/psci"), diffs = check_spin_table(d, live), depth = 0, node;
	const char *method = psci >= 0 ? dt_prop_str(live, psci, "method") : 0;
	uint32_t kind = CLEAVE_IC_NONE, rev = 0;
	uint64_t dist = 0, second = 0, size;

	/*
	 * The board's /psci must be the live one. A board that names none (the
	 * firmware adds it at boot) gets the live tree's, if any core needs it.
	 */
	if (d->conduit && (!method || strcmp(method, conduit_name(d->conduit)))) {
		log_error("live DTB: /psci method is not %s", conduit_name(d->conduit));
		diffs++;
	}
	aarch64_conduit = d->conduit ? d->conduit
			  : !method	     ? CLEAVE_CONDUIT_NONE
			  : !strcmp(method, "smc") ? CLEAVE_CONDUIT_SMC
			  : !strcmp(method, "hvc") ? CLEAVE_CONDUIT_HVC
						   : CLEAVE_CONDUIT_NONE;
	for (node = dt_root(live); node >= 0; node = dt_next_node(live, node, &depth))
		if (dt_prop(live, node, "interrupt-controller", 0) && dt_enabled(live, node) &&
		    (kind = gic_kind(live, node)) != CLEAVE_IC_NONE)
			break;
	if (node >= 0) {
		dt_reg_phys(live, node, 0, &dist, &size);
		dt_reg_phys(live, node, 1, &second, &size);
		/* The hardware's own word: GICD_PIDR2.ArchRev is 1-2 on GICv2, 3-4 on GICv3. */
		rev = (mmio_read32(dist + (kind == CLEAVE_IC_GICV3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2)) >> 4) & 15;
	}
	if (kind != d->ic_kind || dist != d->ic_base || second != d->ic_redist_base ||
	    (kind && (rev + 1) / 2 != kind - 1)) {
		log_error("live DTB: %s at 0x%lx / 0x%lx (revision %u); descriptor: %s at 0x%lx / 0x%lx",
			  ic_name(kind), dist, second, rev, ic_name(d->ic_kind), d->ic_base, d->ic_redist_base);
		diffs++;
	}
	/* The fence runs at EL2 and calls the firmware itself, so PSCI must answer SMC there. */
	if ((d->flags & CLEAVE_DESC_FENCE) && (aarch64_el() != 2 || aarch64_conduit != CLEAVE_CONDUIT_SMC)) {
		log_error("isolation: stage2 needs the loader at EL2 with PSCI through smc; it runs at EL%u, PSCI via %s",
			  aarch64_el(), conduit_name(aarch64_conduit));
		diffs++;
	}
	if (!diffs)
		log_info("live %s at 0x%lx / 0x%lx (revision %u), %s%s", ic_name(kind), dist, second, rev,
			 aarch64_conduit ? "PSCI via " : "", aarch64_conduit ? method : "spin-table");
	return diffs;
}

static void wait_rwp(uint64_t dist)
{
	for (unsigned i = 0; i < RWP_SPINS; i++)
		if (!(mmio_read32(dist + GICD_CTLR) & GICD_CTLR_RWP))
			return;
	fail("GICD_CTLR.RWP stuck at 0x%lx", dist);
}

/* Put an interrupt in Group 1 (non-secure), and on GICv3 clear its group modifier. */
static void group1(uint64_t dist, uint32_t irq, int v3)
{
	uint64_t reg = 4 * (irq / 32);
	uint32_t bit = 1u << (irq % 32);

	mmio_write32(dist + GICD_IGROUPR + reg, mmio_read32(dist + GICD_IGROUPR + reg) | bit);
	if (v3)
		mmio_write32(dist + GICD_IGRPMODR + reg, mmio_read32(dist + GICD_IGRPMODR + reg) & ~bit);
}

/*
 * What seL4's multikernel kernels expect done before they boot (they no
 * longer set up the distributor, and halt unless it is): every SPI in Group 1
 * (non-secure), and on GICv3 every core's redistributor awake with its SGIs
 * and PPIs in Group 1 too. Redistributor frames are walked from the first to
 * the one marked Last, 128 KiB each (256 KiB with virtual LPIs).
 */
static void init_for_sel4(const struct cleave_desc *d, uint32_t lines, int v3)
{
	uint64_t frame = d->ic_redist_base;

	for (uint32_t irq = 32; irq < lines; irq++)
		group1(d->ic_base, irq, v3);
	for (unsigned n = 0; v3 && frame && n < CLEAVE_MAX_CPUS; n++) {
		uint64_t typer = mmio_read64(frame + GICR_TYPER);
		unsigned i;

		mmio_write32(frame + GICR_WAKER, mmio_read32(frame + GICR_WAKER) & ~GICR_WAKER_SLEEP);
		for (i = 0; i < RWP_SPINS && (mmio_read32(frame + GICR_WAKER) & GICR_WAKER_ASLEEP); i++)
			;
		if (i == RWP_SPINS)
			fail("GICR_WAKER.ChildrenAsleep stuck at 0x%lx", frame);
		mmio_write32(frame + GICR_SGI_BASE + GICD_IGROUPR, 0xffffffffu);
		mmio_write32(frame + GICR_SGI_BASE + GICD_IGRPMODR, 0);
		if (typer & GICR_TYPER_LAST)
			break;
		frame += typer & GICR_TYPER_VLPIS ? 0x40000 : 0x20000;
	}
	log_info("for seL4: SPIs in Group 1%s", v3 ? ", every redistributor awake with SGIs and PPIs in Group 1" : "");
}

/*
 * Program the distributor, the one piece of the GIC every kernel shares:
 * each route's SPI goes to its owner (GICv2: the ITARGETSR byte; GICv3:
 * IROUTER = the owner's boot core affinity), with its priority, in Group 1
 * (non-secure). SPIs stay disabled: enabling one is its owner's call. CPU
 * interfaces, redistributors, SGIs and PPIs belong to the cores and are left
 * to the kernels.
 */
void arch_init_ic(const struct cleave_desc *d)
{
	uint64_t dist = d->ic_base;
	int v3 = d->ic_kind == CLEAVE_IC_GICV3;
	uint32_t lines;

	if (d->ic_kind == CLEAVE_IC_NONE)
		return;
	lines = ((mmio_read32(dist + GICD_TYPER) & 0x1f) + 1) * 32;
	/* Groups off first; GICv3 then turns on affinity routing, which IROUTER needs. */
	mmio_write32(dist + GICD_CTLR, v3 ? mmio_read32(dist + GICD_CTLR) & GICD_CTLR_ARE : 0);
	if (v3) {
		wait_rwp(dist);
		mmio_write32(dist + GICD_CTLR, GICD_CTLR_ARE);
		wait_rwp(dist);
	}
	for (uint32_t r = 0; r < d->route_count; r++) {
		const struct cleave_route *rt = desc_route(d, r);

		if (rt->irq >= lines)
			fail("INTID %u beyond the GIC's %u lines", rt->irq, lines);
		if (v3)
			mmio_write64(dist + GICD_IROUTER + 8 * rt->irq, rt->target);
		else
			mmio_write8(dist + GICD_ITARGETSR + rt->irq, (uint8_t)rt->cpu_mask);
		mmio_write8(dist + GICD_IPRIORITYR + rt->irq, (uint8_t)rt->priority);
		group1(dist, rt->irq, v3);
	}
	if (d->boot_info_count)
		init_for_sel4(d, lines, v3);
	/*
	 * Enable Group 0 and Group 1 (one security state; GICv2 without the
	 * Security Extensions reads bit 0 alone). As a non-secure access to a
	 * two-state GICv3 the same bits are EnableGrp1 and EnableGrp1A.
	 */
	mmio_write32(dist + GICD_CTLR, (v3 ? GICD_CTLR_ARE : 0) | 3);
	if (v3)
		wait_rwp(dist);
	log_info("%s distributor on, %u routes programmed", ic_name(d->ic_kind), d->route_count);
}

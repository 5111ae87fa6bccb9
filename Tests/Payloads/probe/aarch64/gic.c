#include "aarch64.h"
#include "fmt.h"
#include "mmio.h"
#include "probe.h"

#define DOORBELL_PRIORITY	0x80
#define WAKE_SPINS		1000000
/*
 * Fence proofs: the priority this probe gives its own SPIs (neither the
 * loader's 0xa0 nor 0, and below its doorbells) and the one it tries to give
 * another kernel's. Both have only the top four bits set, which every GIC
 * implements.
 */
#define OWN_PRIORITY		0xc0
#define TAMPER_PRIORITY		0x10
#define OWN_MAX			64

#define ICC_SRE_SRE		(1u << 0)
#define ICC_SRE_ENABLE		(1u << 3)

/* The GIC of this kernel's tree: the first enabled interrupt controller that is one. */
void ic_find(void)
{
	const struct dt *dt = &probe.dt;
	int depth = 0;
	uint64_t size;

	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth)) {
		if (!dt_prop(dt, n, "interrupt-controller", 0) || !dt_enabled(dt, n))
			continue;
		if (dt_compatible(dt, n, "arm,gic-v3"))
			probe.ic = CLEAVE_IC_GICV3;
		else if (dt_compatible(dt, n, "arm,cortex-a15-gic") || dt_compatible(dt, n, "arm,gic-400") ||
			 dt_compatible(dt, n, "arm,cortex-a9-gic") || dt_compatible(dt, n, "arm,cortex-a7-gic"))
			probe.ic = CLEAVE_IC_GICV2;
		else
			continue;
		probe.ic_node = n;
		probe.irq_kind = "SPIs";
		probe.irq_one = "SPI";
		probe.bell_kind = "SGI";
		if (dt_reg_phys(dt, n, 0, &probe.ic_base, &size) ||
		    dt_reg_phys(dt, n, 1, &probe.ic_second, &probe.ic_second_size))
			fail("GIC node without distributor and %s frames", probe.ic == CLEAVE_IC_GICV3 ? "GICR" : "GICC");
		return;
	}
	fail("no GIC in the tree");
}

/* GICR_TYPER.Affinity packs Aff3.Aff2.Aff1.Aff0 into bits 63:32. */
static uint64_t typer_affinity(uint64_t hwid)
{
	return (hwid >> 32 & 0xff) << 24 | (hwid & 0xffffff);
}

static uint64_t find_redistributor(uint64_t hwid)
{
	uint64_t want = typer_affinity(hwid);

	for (uint64_t f = probe.ic_second; f - probe.ic_second < probe.ic_second_size;) {
		uint64_t typer = mmio_read64(f + GICR_TYPER);

		if (typer >> 32 == want)
			return f;
		if (typer & GICR_TYPER_LAST)
			break;
		f += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
	}
	fail("no redistributor for CPU 0x%lx in [0x%lx, +0x%lx)", hwid, probe.ic_second, probe.ic_second_size);
}

/*
 * Enable this core's side of the GIC for the doorbells of its channels:
 * its redistributor (GICv3) or banked distributor registers (GICv2) for the
 * SGIs, and its CPU interface. Interrupts stay masked in PSTATE: the probe
 * polls the acknowledge register instead of taking exceptions.
 */
void ic_init_cpu(void)
{
	uint32_t sgis = 0;

	for (uint32_t i = 0; i < probe.nch; i++)
		sgis |= 1u << probe.ch[i].irq;
	if (probe.ic == CLEAVE_IC_GICV3) {
		uint64_t rd = probe.ic_cpu = find_redistributor(probe.self), sgi = rd + GICR_SGI_BASE;
		uint64_t sre;
		unsigned i;

		mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
		for (i = 0; i < WAKE_SPINS && (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP); i++)
			;
		if (i == WAKE_SPINS)
			fail("redistributor at 0x%lx does not wake up", rd);
		for (uint32_t s = 0; s < 16; s++)
			if (sgis & (1u << s))
				mmio_write8(sgi + GICD_IPRIORITYR + s, DOORBELL_PRIORITY);
		mmio_write32(sgi + GICD_IGROUPR, mmio_read32(sgi + GICD_IGROUPR) | sgis);
		mmio_write32(sgi + GICD_IGRPMODR, mmio_read32(sgi + GICD_IGRPMODR) & ~sgis);
		mmio_write32(sgi + GICD_ISENABLER, sgis);
		if (aarch64_el() == 2) {
			__asm__ volatile("mrs %0, icc_sre_el2" : "=r"(sre));
			__asm__ volatile("msr icc_sre_el2, %0\n\tisb" :: "r"(sre | ICC_SRE_SRE | ICC_SRE_ENABLE));
		}
		__asm__ volatile("mrs %0, icc_sre_el1" : "=r"(sre));
		__asm__ volatile("msr icc_sre_el1, %0\n\tisb" :: "r"(sre | ICC_SRE_SRE));
		__asm__ volatile("msr icc_pmr_el1, %0\n\tmsr icc_bpr1_el1, xzr\n\tmsr icc_igrpen1_el1, %1\n\tisb"
				 :: "r"((uint64_t)0xff), "r"((uint64_t)1));
	} else {
		uint64_t d = probe.ic_base, c = probe.ic_second;

		for (uint32_t s = 0; s < 16; s++)
			if (sgis & (1u << s))
				mmio_write8(d + GICD_IPRIORITYR + s, DOORBELL_PRIORITY);
		mmio_write32(d + GICD_ISENABLER, sgis);
		mmio_write32(c + GICC_PMR, 0xff);
		mmio_write32(c + GICC_BPR, 0);
		/* Enable Group 0 and 1 (bit 0 alone without the Security Extensions). */
		mmio_write32(c + GICC_CTLR, 3);
	}
}

static uint32_t gic_my_mask(void);

/* How peers address this core: GICv3 affinity, or its GICv2 CPU-interface bit. */
uint64_t ic_my_target(void)
{
	return probe.ic == CLEAVE_IC_GICV3 ? aarch64_hwid() : gic_my_mask();
}

/* GICD_ITARGETSR0-7 are banked: they read back the reading core's interface bit. */
static uint32_t gic_my_mask(void)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < 32 && !m; i += 4)
		m = mmio_read32(probe.ic_base + GICD_ITARGETSR + i) & 0xff;
	return m;
}

/* SGIs are the GIC's only doorbell. */
const char *ic_doorbell(enum doorbell d)
{
	if (d != DOORBELL_IC)
		fail("a GIC has no ACLINT SSWI to ring");
	return 0;
}

void ic_send(const struct channel *c)
{
	uint64_t target = c->peer_target;
	uint32_t sgi = c->peer_irq;

	aarch64_dsb();
	if (probe.ic == CLEAVE_IC_GICV3) {
		uint64_t aff0 = target & 0xff;
		uint64_t v = (target >> 32 & 0xff) << 48 | (target >> 16 & 0xff) << 32 | (uint64_t)sgi << 24 |
			     (target >> 8 & 0xff) << 16 | (aff0 >> 4) << 44 | (1ull << (aff0 & 15));

		__asm__ volatile("msr icc_sgi1r_el1, %0\n\tisb" :: "r"(v) : "memory");
	} else {
		mmio_write32(probe.ic_base + GICD_SGIR, (uint32_t)(target & 0xff) << 16 | sgi);
	}
}

void ic_send_foreign(uint64_t hwid, uint32_t sgi)
{
	struct channel c = { .peer_target = hwid, .peer_irq = sgi };

	if (probe.ic == CLEAVE_IC_GICV2)
		c.peer_target = 0xff & ~ic_cpu_mask();
	ic_send(&c);
}

/* Acknowledge and end the highest-priority pending interrupt; IC_NONE if none. */
uint32_t ic_poll(void)
{
	uint64_t iar;
	uint32_t id;

	if (probe.ic == CLEAVE_IC_GICV3) {
		__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar) :: "memory");
		id = iar & 0xffffff;
		if (id < 1020)
			__asm__ volatile("msr icc_eoir1_el1, %0\n\tisb" :: "r"(iar) : "memory");
	} else {
		iar = mmio_read32(probe.ic_second + GICC_IAR);
		id = iar & 0x3ff;
		if (id < 1020)
			mmio_write32(probe.ic_second + GICC_EOIR, (uint32_t)iar);
	}
	return id < 1020 ? id : IC_NONE;
}

uint32_t ic_cpu_mask(void)
{
	return probe.ic == CLEAVE_IC_GICV2 ? gic_my_mask() : 0;
}

/* GICv3 IROUTER, or the GICv2 ITARGETSR byte. */
static uint64_t spi_route(uint32_t intid)
{
	if (probe.ic == CLEAVE_IC_GICV3)
		return mmio_read64(probe.ic_base + GICD_IROUTER + 8 * intid);
	return mmio_read8(probe.ic_base + GICD_ITARGETSR + intid);
}

/*
 * Does the distributor deliver this SPI to one of this kernel's cores?
 * *where gets what it is routed to (GICv3 IROUTER, GICv2 ITARGETSR byte).
 */
static int spi_routed_here(uint32_t intid, uint64_t *where)
{
	uint64_t r = *where = spi_route(intid);

	if (probe.ic == CLEAVE_IC_GICV3) {
		if (r & (1u << 31))	/* IRM: any core at all */
			return 0;
		for (uint32_t c = 0; c < probe.ncpus; c++)
			if ((r & MPIDR_AFF_MASK) == probe.cpus[c])
				return 1;
		return 0;
	}
	return r && !(r & ~(uint64_t)probe.masks);
}

/* The SPIs ic_check_interrupt found routed here, with their route then, for the fence's proofs. */
static struct own_spi {
	uint32_t intid, enabled;
	uint64_t route;
} own[OWN_MAX];
static uint32_t nown, own_overflow;

/* A GIC interrupt specifier: <type number flags>; type 0 is an SPI, 1 a PPI. */
int ic_check_interrupt(int node, const uint8_t *spec)
{
	uint32_t intid = dt_be32(spec + 4) + 32;
	uint64_t where;
	char path[96];

	if (dt_be32(spec) != 0 || dt_be32(spec + 4) > 987)
		return 0;	/* a PPI, or an inert entry */
	if (!spi_routed_here(intid, &where))
		fail("device %s: INTID %u is routed to 0x%lx, not to a core of this kernel",
		     dt_path_of(&probe.dt, node, path, sizeof(path)), intid, where);
	if (nown < OWN_MAX)
		own[nown++] = (struct own_spi){ intid, 0, where };
	else
		own_overflow = 1;
	return 1;
}

static uint32_t spi_enabled(uint32_t intid)
{
	return mmio_read32(probe.ic_base + GICD_ISENABLER + 4 * (intid / 32)) >> (intid % 32) & 1;
}

static uint32_t spi_priority(uint32_t intid)
{
	return mmio_read8(probe.ic_base + GICD_IPRIORITYR + intid);
}

/*
 * Byte intid of a register of byte fields, read-modify-written as a whole
 * word, as Linux and seL4 write priorities and targets: the fence must keep
 * the bytes that are not the writer's, whoever's they are.
 */
static void spi_write_byte(uint64_t reg, uint32_t intid, uint32_t v)
{
	uint64_t at = reg + (intid & ~3u);
	uint32_t shift = 8 * (intid % 4);

	mmio_write32(at, (mmio_read32(at) & ~(0xffu << shift)) | v << shift);
}

uint64_t ic_read_cost(uint32_t n)
{
	uint64_t t0 = counter();

	for (uint32_t i = 0; i < n; i++)
		(void)mmio_read32(probe.ic_base + GICD_TYPER);
	return counter() - t0;
}

void ic_mark_own(void)
{
	if (own_overflow)
		fail("more than %u SPIs of its own to watch", OWN_MAX);
	for (uint32_t i = 0; i < nown; i++) {
		own[i].enabled = spi_enabled(own[i].intid);
		/* A byte: a word would write back 0 into others' bytes (they read as 0 behind the fence). */
		mmio_write8(probe.ic_base + GICD_IPRIORITYR + own[i].intid, OWN_PRIORITY);
		if (spi_priority(own[i].intid) != OWN_PRIORITY)
			fail("SPI %u of its own keeps priority 0x%x, not the 0x%x written", own[i].intid,
			     spi_priority(own[i].intid), OWN_PRIORITY);
	}
}

uint32_t ic_verify_own(void)
{
	for (uint32_t i = 0; i < nown; i++) {
		uint32_t intid = own[i].intid, pri = spi_priority(intid), on = spi_enabled(intid);
		uint64_t route = spi_route(intid);

		if (route != own[i].route || pri != OWN_PRIORITY || on != own[i].enabled)
			fail("its SPI %u was changed behind its back: route 0x%lx (was 0x%lx), priority 0x%x "
			     "(was 0x%x), enabled %u (was %u)", intid, route, own[i].route, pri, OWN_PRIORITY, on,
			     own[i].enabled);
	}
	return nown;
}

/* Another kernel's SPI reads as nothing: 0, else what the reads saw (when: before or after the writes). */
static const char *foreign_reads(uint32_t intid, const char *when)
{
	static char leak[96];
	uint32_t on = spi_enabled(intid), pri = spi_priority(intid);
	uint64_t route = spi_route(intid);

	if (!on && !pri && !route)
		return 0;
	fmt_format(leak, sizeof(leak), "%s it reads enabled %u, priority 0x%x, route 0x%lx", when, on, pri, route);
	return leak;
}

const char *ic_tamper(uint32_t intid)
{
	uint64_t d = probe.ic_base, word = 4 * (intid / 32);
	uint32_t bit = 1u << (intid % 32);
	const char *leak;

	if (intid < 32 || intid > 1019)
		fail("fenced-interrupt %u is no SPI", intid);
	if ((leak = foreign_reads(intid, "before any write")))
		return leak;
	mmio_write32(d + GICD_ICENABLER + word, bit);
	mmio_write32(d + GICD_ISENABLER + word, bit);
	spi_write_byte(d + GICD_IPRIORITYR, intid, TAMPER_PRIORITY);
	if (probe.ic == CLEAVE_IC_GICV3)
		mmio_write64(d + GICD_IROUTER + 8 * intid, probe.self);
	else
		spi_write_byte(d + GICD_ITARGETSR, intid, gic_my_mask());
	return foreign_reads(intid, "after this kernel's writes");
}

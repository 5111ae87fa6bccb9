/*
 * The GIC distributor behind the fence (fence.h): no kernel maps it; each
 * access traps and is done here, by SPI ownership (the route table). A
 * kernel sees and changes only its own SPIs' bits and bytes: others' read
 * as 0 and writes to them are dropped, the first of each register per
 * kernel reported. It may route its SPIs only to its own cores; GICD_CTLR
 * is the distributor owner's to write; on GICv2 a kernel sends SGIs to its
 * own cores and, on a channel's doorbell SGI, to that channel's peers.
 * SGIs and PPIs (INTID < 32) are the accessing core's own.
 */
#include "aarch64.h"
#include "desc.h"
#include "fence.h"
#include "lib.h"
#include "log.h"
#include "mmio.h"

#define GICD_SETSPI_NSR	0x0040
#define GICD_CLRSPI_NSR	0x0048
#define GICD_SGIR_END	0x0f30

/* How a bank of per-interrupt fields is written. */
enum bank_kind { SET_CLEAR, PLAIN, TARGETS };

struct bank {
	uint16_t base, end;	/* byte offsets, end exclusive */
	uint8_t bits;		/* per interrupt */
	uint8_t kind;
	char name[10];
};

static const struct bank banks[] = {
	{ 0x080, 0x100, 1, PLAIN, "IGROUPR" },
	{ 0x100, 0x180, 1, SET_CLEAR, "ISENABLER" },
	{ 0x180, 0x200, 1, SET_CLEAR, "ICENABLER" },
	{ 0x200, 0x280, 1, SET_CLEAR, "ISPENDR" },
	{ 0x280, 0x300, 1, SET_CLEAR, "ICPENDR" },
	{ 0x300, 0x380, 1, SET_CLEAR, "ISACTIVER" },
	{ 0x380, 0x400, 1, SET_CLEAR, "ICACTIVER" },
	{ 0x400, 0x800, 8, PLAIN, "IPRIORITYR" },
	{ 0x800, 0xc00, 8, TARGETS, "ITARGETSR" },
	{ 0xc00, 0xd00, 2, PLAIN, "ICFGR" },
	{ 0xd00, 0xd80, 1, PLAIN, "IGRPMODR" },
};

#define REPORT_ROUTE	11
#define REPORT_CTLR	12
#define REPORT_SGI	13
#define REPORT_ICC	14

/* ESR_EL2.ISS of a trapped system-register access, Rt and direction masked out. */
#define ISS_SYSREG(op0, op1, crn, crm, op2) \
	((uint32_t)(op0) << 20 | (uint32_t)(op2) << 17 | (uint32_t)(op1) << 14 | (uint32_t)(crn) << 10 | (uint32_t)(crm) << 1)
#define ISS_SYSREG_MASK	0x3ffc1eu
#define ICC_SGI1R	ISS_SYSREG(3, 0, 12, 11, 5)
#define ICC_ASGI1R	ISS_SYSREG(3, 0, 12, 11, 6)
#define ICC_SGI0R	ISS_SYSREG(3, 0, 12, 11, 7)
#define ICC_PMR		ISS_SYSREG(3, 0, 4, 6, 0)
#define ICC_CTLR	ISS_SYSREG(3, 0, 12, 12, 4)
#define ICC_DIR		ISS_SYSREG(3, 0, 12, 11, 1)
#define ICC_RPR		ISS_SYSREG(3, 0, 12, 11, 3)

static const struct cleave_desc *desc(void)
{
	return aarch64_fence.d;
}

static uint32_t owner(uint32_t irq)
{
	return irq < FENCE_INTIDS ? aarch64_fence.owner[irq] : FENCE_NOBODY;
}

/* SGIs and PPIs are the core's own; an SPI is the kernel's when routed to it. */
static int mine(const struct fence_cpu *fc, uint32_t irq)
{
	return irq < 32 || owner(irq) == fc->kernel;
}

/*
 * The first dropped write to each register, per kernel: one line naming whose
 * interrupt (or, for an SGI, whose core) it was.
 */
static void dropped(const struct fence_cpu *fc, unsigned what, const char *reg, uint32_t irq, uint32_t whose)
{
	uint16_t *seen = &aarch64_fence.reported[fc->kernel];

	if (*seen & (1u << what))
		return;
	*seen |= (uint16_t)(1u << what);
	log_for("FENCE", desc_kernel(desc(), fc->kernel)->name,
		"GIC %s: %s write for INTID %u (" NAME "'s) dropped; more like it are dropped silently",
		what == REPORT_ICC ? "CPU interface" : "distributor", reg, irq,
		whose == FENCE_NOBODY ? "no kernel" : desc_kernel(desc(), whose)->name);
}

static uint64_t read_sized(uint64_t addr, unsigned size)
{
	return size == 1 ? mmio_read8(addr) : size == 4 ? mmio_read32(addr) : mmio_read64(addr);
}

static void write_sized(uint64_t addr, unsigned size, uint64_t v)
{
	if (size == 1)
		mmio_write8(addr, (uint8_t)v);
	else if (size == 4)
		mmio_write32(addr, (uint32_t)v);
	else
		mmio_write64(addr, v);
}

/* The CPU interfaces of kernel k's cores that have entered it (GICv2). */
static uint32_t kernel_ifmask(uint32_t k)
{
	uint32_t mask = 0;

	for (uint32_t c = 0; c < desc()->cpu_count; c++)
		if (aarch64_fence.cpus[c].kernel == k)
			mask |= aarch64_fence.cpus[c].ifmask;
	return mask;
}

/* A field of a per-interrupt bank: mine (taken), someone else's (dropped), or nobody's (ignored). */
static void bank_access(const struct fence_cpu *fc, const struct bank *b, unsigned index, uint64_t addr,
			uint64_t off, unsigned size, int write, uint64_t *value)
{
	uint32_t first = (uint32_t)((off - b->base) * 8 / b->bits), fields = size * 8 / b->bits;
	uint64_t field = b->bits == 64 ? ~0ull : (1ull << b->bits) - 1, mask = 0, foreign = 0, real, v = *value;
	uint32_t ifmask = b->kind == TARGETS ? kernel_ifmask(fc->kernel) : 0;
	int64_t first_foreign = -1;

	for (uint32_t i = 0; i < fields; i++) {
		uint64_t at = field << (i * b->bits);

		if (mine(fc, first + i))
			mask |= at;
		else if (owner(first + i) != FENCE_NOBODY)
			foreign |= at;
	}
	real = read_sized(addr, size);
	if (!write) {
		*value = real & mask;
		return;
	}
	if (b->kind == TARGETS) {
		/* Targets of its own SPIs: only its own CPU interfaces (SGI/PPI bytes are read only). */
		for (uint32_t i = 0; i < fields; i++)
			if (first + i >= 32 && (v >> (8 * i) & 0xff & ~ifmask) && (mask >> (8 * i) & 0xff))
				foreign |= 0xffull << (8 * i), mask &= ~(0xffull << (8 * i));
	}
	for (uint32_t i = 0; i < fields && first_foreign < 0; i++)
		if (((b->kind == SET_CLEAR ? v : v ^ real) & foreign) >> (i * b->bits) & field)
			first_foreign = first + i;
	if (first_foreign >= 0)
		dropped(fc, index, b->name, (uint32_t)first_foreign, owner((uint32_t)first_foreign));
	if (b->kind == SET_CLEAR) {
		if (v & mask)
			write_sized(addr, size, v & mask);
	} else if (((real & ~mask) | (v & mask)) != real) {
		write_sized(addr, size, (real & ~mask) | (v & mask));
	}
}

/* GICv3 IROUTER<n>: its own SPIs, to one of its own cores (no 1-of-N routing). */
static void route_access(const struct fence_cpu *fc, uint64_t addr, uint64_t off, unsigned size, int write,
			 uint64_t *value)
{
	uint32_t irq = (uint32_t)((off - GICD_IROUTER) / 8);
	uint64_t reg = addr & ~7ull, real, v;

	if (irq < 32 || !mine(fc, irq)) {
		if (!write)
			*value = 0;
		else if (owner(irq) != FENCE_NOBODY)
			dropped(fc, REPORT_ROUTE, "IROUTER", irq, owner(irq));
		return;
	}
	real = mmio_read64(reg);
	if (!write) {
		*value = size == 8 ? real : (uint32_t)(real >> (8 * (addr & 4)));
		return;
	}
	v = size == 8 ? *value : addr & 4 ? (real & 0xffffffffull) | *value << 32 : (real & ~0xffffffffull) | (uint32_t)*value;
	if ((v & (1ull << 31)) || !desc_kernel_has_cpu(desc(), fc->kernel, v & MPIDR_AFF_MASK)) {
		dropped(fc, REPORT_ROUTE, "IROUTER (to a core not its own)", irq, fc->kernel);
		return;
	}
	mmio_write64(reg, v);
}

/* May kernel k ring SGI sgi on cpu-table CPU c: its own core, or a peer's doorbell on a shared channel? */
static int sgi_allowed(uint32_t k, uint32_t c, uint32_t sgi)
{
	const struct cleave_desc *d = desc();

	if (desc_cpu(d, c)->kernel == k)
		return 1;
	for (uint32_t i = 0; i < d->channel_count; i++) {
		const struct cleave_channel *ch = desc_channel(d, i);
		int member = 0, peer = 0;

		for (uint32_t e = 0; e < ch->end_count; e++) {
			member |= ch->ends[e].kernel == k;
			peer |= ch->ends[e].cpu == c && ch->ends[e].irq == sgi;
		}
		if (member && peer)
			return 1;
	}
	return 0;
}

/* GICv2 GICD_SGIR: the target list cut to the cores this kernel may signal. */
static void sgir_write(const struct fence_cpu *fc, uint64_t addr, uint32_t v)
{
	uint32_t sgi = v & 15, filter = (v >> 24) & 3, list = (v >> 16) & 0xff, allowed = 0;

	if (filter == 2) {
		mmio_write32(addr, v);
		return;
	}
	if (filter == 1)
		list = kernel_ifmask(fc->kernel) & ~fc->ifmask;
	for (uint32_t c = 0; c < desc()->cpu_count; c++) {
		uint32_t bit = aarch64_fence.cpus[c].ifmask;

		if (!(list & bit))
			continue;
		if (sgi_allowed(fc->kernel, c, sgi))
			allowed |= bit;
		else
			dropped(fc, REPORT_SGI, "SGIR", sgi, desc_cpu(desc(), c)->kernel);
	}
	if (allowed)
		mmio_write32(addr, (v & 15) | allowed << 16);
}

int aarch64_fence_gicd(const struct fence_cpu *fc, uint64_t off, unsigned size, int write, uint64_t *value)
{
	const struct cleave_desc *d = desc();
	uint64_t addr = d->ic_base + off;
	int v3 = d->ic_kind == CLEAVE_IC_GICV3;

	if (size == 2 || (off & (size - 1)))
		return -1;
	for (unsigned i = 0; i < sizeof(banks) / sizeof(banks[0]); i++)
		if (off >= banks[i].base && off < banks[i].end) {
			bank_access(fc, &banks[i], i, addr, off, size, write, value);
			return 0;
		}
	if (v3 && off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * FENCE_INTIDS) {
		route_access(fc, addr, off, size, write, value);
		return 0;
	}
	if (!write) {
		/* Control, type and identification registers read as they are; nothing else is there. */
		*value = off < 0x20 || off >= (v3 ? 0xffd0u : 0xfd0u) || (!v3 && off >= 0xf10 && off < GICD_SGIR_END)
				 ? read_sized(addr, size)
				 : 0;
		return 0;
	}
	if (off == GICD_CTLR) {
		if (fc->kernel == d->ic_owner)
			mmio_write32(addr, (uint32_t)*value | (v3 ? GICD_CTLR_ARE : 0));
		else
			dropped(fc, REPORT_CTLR, "GICD_CTLR (the distributor's owner's)", 0, d->ic_owner);
	} else if (!v3 && off == GICD_SGIR) {
		sgir_write(fc, addr, (uint32_t)*value);
	} else if (!v3 && off >= 0xf10 && off < GICD_SGIR_END) {
		write_sized(addr, size, *value);	/* CPENDSGIR/SPENDSGIR: this core's own SGIs */
	} else if (v3 && (off == GICD_SETSPI_NSR || off == GICD_CLRSPI_NSR)) {
		if (mine(fc, (uint32_t)*value & 0x3ff))
			mmio_write32(addr, (uint32_t)*value);
	}
	return 0;
}

/* Generate an SGI from EL2 through the register the kernel wrote. */
static void send_sgi(uint32_t reg, uint64_t v)
{
	if (reg == ICC_SGI1R)
		__asm__ volatile("msr s3_0_c12_c11_5, %0" ::"r"(v));
	else if (reg == ICC_ASGI1R)
		__asm__ volatile("msr s3_0_c12_c11_6, %0" ::"r"(v));
	else
		__asm__ volatile("msr s3_0_c12_c11_7, %0" ::"r"(v));
	__asm__ volatile("isb" ::: "memory");
}

/* The ICC_SGI*R value that sends SGI v's INTID to the one core hwid, as v's other fields say. */
static uint64_t sgi_to(uint64_t v, uint64_t hwid)
{
	uint64_t aff0 = hwid & 0xff;

	return (v & (15ull << 24)) | (hwid >> 32 & 0xff) << 48 | (hwid >> 16 & 0xff) << 32 | (hwid >> 8 & 0xff) << 16 |
	       (aff0 >> 4) << 44 | 1ull << (aff0 & 15);
}

/*
 * GICv3 ICC_SGI*R: the kernel's own cores, and a channel peer's doorbell
 * core on that doorbell's SGI, as GICD_SGIR on GICv2. "Every core but this
 * one" (IRM) becomes every other core of its own kernel.
 */
static void sgi_write(const struct fence_cpu *fc, uint32_t reg, uint64_t v)
{
	const struct cleave_desc *d = desc();
	uint32_t sgi = (v >> 24) & 15;
	uint64_t aff = (v >> 48 & 0xff) << 32 | (v >> 32 & 0xff) << 16 | (v >> 16 & 0xff) << 8 | ((v >> 44) & 15) << 4;
	uint64_t self = aarch64_hwid();

	if ((v >> 40) & 1) {
		for (uint32_t c = 0; c < d->cpu_count; c++)
			if (desc_cpu(d, c)->kernel == fc->kernel && desc_cpu(d, c)->hwid != self)
				send_sgi(reg, sgi_to(v, desc_cpu(d, c)->hwid));
		return;
	}
	for (uint32_t b = 0; b < 16; b++) {
		int c = (v >> b) & 1 ? aarch64_fence_cpu_index(aff | b) : -2;

		if (c == -2)
			continue;
		if (c >= 0 && sgi_allowed(fc->kernel, (uint32_t)c, sgi))
			send_sgi(reg, sgi_to(v, aff | b));
		else
			dropped(fc, REPORT_ICC, "ICC_SGI1R_EL1", sgi, c < 0 ? FENCE_NOBODY : desc_cpu(d, (uint32_t)c)->kernel);
	}
}

int aarch64_fence_icc(const struct fence_cpu *fc, struct fence_frame *f, uint64_t esr)
{
	uint32_t reg = (uint32_t)esr & ISS_SYSREG_MASK, rt = (esr >> 5) & 31, read = esr & 1;
	uint64_t v = rt < 31 ? f->x[rt] : 0;

	switch (reg) {
	case ICC_SGI1R:
	case ICC_ASGI1R:
	case ICC_SGI0R:
		if (read)
			return -1;
		sgi_write(fc, reg, v);
		return 0;
	case ICC_PMR:
		if (read)
			__asm__ volatile("mrs %0, s3_0_c4_c6_0" : "=r"(v));
		else
			__asm__ volatile("msr s3_0_c4_c6_0, %0" ::"r"(v));
		break;
	case ICC_CTLR:
		if (read)
			__asm__ volatile("mrs %0, s3_0_c12_c12_4" : "=r"(v));
		else
			__asm__ volatile("msr s3_0_c12_c12_4, %0" ::"r"(v));
		break;
	case ICC_DIR:
		if (read)
			return -1;
		__asm__ volatile("msr s3_0_c12_c11_1, %0" ::"r"(v));
		break;
	case ICC_RPR:
		if (!read)
			return -1;
		__asm__ volatile("mrs %0, s3_0_c12_c11_3" : "=r"(v));
		break;
	default:
		return -1;
	}
	__asm__ volatile("isb" ::: "memory");
	if (read && rt < 31)
		f->x[rt] = v;
	return 0;
}

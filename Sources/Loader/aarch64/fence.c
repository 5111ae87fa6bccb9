/*
 * The EL2 fence (fence.h): stage-2 tables per kernel, EL2 set up per core,
 * and the trap handler that filters PSCI and reports blocked accesses.
 *
 * Stage 2 uses 4 KiB granules and 39-bit intermediate addresses from level
 * 1 (VTCR_EL2.T0SZ = 25, SL0 = 1): 1 GiB and 2 MiB blocks where a range is
 * aligned to them, pages elsewhere. The loader's MMU stays off at EL2, so
 * the tables are written to memory directly and walked non-cacheable.
 */
#include "aarch64.h"
#include "arch.h"
#include "desc.h"
#include "fence.h"
#include "fmt.h"
#include "launch.h"
#include "lib.h"
#include "log.h"
#include "mmio.h"

#define IPA_BITS	39
#define EL2_STACK	2048

#define S2_VALID	1ull
#define S2_TABLE	3ull
#define S2_PAGE		3ull
#define S2_ADDR		0x0000fffffffff000ull
#define S2_NORMAL	((0xfull << 2) | (3ull << 6) | (3ull << 8) | (1ull << 10))	/* WB, RW, inner shareable, AF */
#define S2_DEVICE	((0x1ull << 2) | (3ull << 6) | (1ull << 10) | (1ull << 54))	/* nGnRE, RW, AF, XN */
#define S2_DEVICE_RO	((0x1ull << 2) | (1ull << 6) | (1ull << 10) | (1ull << 54))	/* nGnRE, read only */

#define VTCR_VALUE(ps)	((1ull << 31) | ((uint64_t)(ps) << 16) | (1ull << 6) | (64 - IPA_BITS))
#define HCR_VM		(1ull << 0)
#define HCR_SWIO	(1ull << 1)
#define HCR_TSC		(1ull << 19)
#define HCR_RW		(1ull << 31)
#define SCTLR_EL1_OFF	0x30d00800ull	/* RES1 bits: MMU and caches off, as a kernel is entered */
#define SPSR_EL1H	0x3c5ull
#define GICR_FRAME	0x20000ull
#define GICR_RD		0x10000ull
#define GICC_SIZE	0x2000ull

#define ICH_HCR_TC	(1ull << 10)

#define EC_SYSREG	0x18
#define EC_HVC		0x16
#define EC_SMC		0x17
#define EC_IABT_LOW	0x20
#define EC_DABT_LOW	0x24

#define SYSREG(name, v)	__asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)))
#define GETREG(name)	({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })

struct fence aarch64_fence;

void aarch64_fence_lock(void)
{
	uint32_t busy;

	do {
		__asm__ volatile("1: ldaxr %w0, [%1]\n\tcbnz %w0, 1b\n\tstxr %w0, %w2, [%1]"
				 : "=&r"(busy) : "r"(&aarch64_fence.lock), "r"(1) : "memory");
	} while (busy);
}

void aarch64_fence_unlock(void)
{
	__asm__ volatile("stlr wzr, [%0]" ::"r"(&aarch64_fence.lock) : "memory");
}

/* Map [base, base + size) (page aligned) with attrs: the largest block each step allows. */
static void s2_map(struct aarch64_pool *p, uint64_t *l1, uint64_t base, uint64_t size, uint64_t attrs)
{
	if (range_wraps(base, size) || base + size > (1ull << IPA_BITS))
		refuse("isolation: [0x%lx, 0x%lx) lies beyond the fence's %u-bit addresses", base, base + size, IPA_BITS);
	while (size) {
		uint64_t *t = l1;

		for (unsigned shift = 30;; shift -= 9) {
			uint64_t block = 1ull << shift, *e = &t[(base >> shift) & 511];

			if (!(base & (block - 1)) && size >= block) {
				if (*e & S2_VALID)
					fail("isolation: 0x%lx mapped twice", base);
				*e = base | attrs | (shift == 12 ? S2_PAGE : S2_VALID);
				base += block;
				size -= block;
				break;
			}
			if (!(*e & S2_VALID))
				*e = (uint64_t)(uintptr_t)aarch64_pool_page(p) | S2_TABLE;
			else if ((*e & 3) != S2_TABLE)
				fail("isolation: 0x%lx mapped twice", base);
			t = (uint64_t *)(uintptr_t)(*e & S2_ADDR);
		}
	}
}

static int cpu_index(const struct cleave_desc *d, uint64_t hwid)
{
	for (uint32_t c = 0; c < d->cpu_count; c++)
		if (desc_cpu(d, c)->hwid == hwid)
			return (int)c;
	return -1;
}

int aarch64_fence_cpu_index(uint64_t hwid)
{
	return cpu_index(aarch64_fence.d, hwid);
}

/*
 * GICv3: each kernel reaches its own cores' redistributor frames, and the
 * first 64 KiB of every other frame read only (a kernel walks the frames to
 * find its own by GICR_TYPER). GICv2: every kernel reaches the CPU interface
 * (banked per core). The distributor stays unmapped: it is emulated.
 */
static void map_gic(const struct cleave_desc *d, struct aarch64_pool *p, uint64_t *l1, uint32_t k)
{
	uint64_t frame = d->ic_redist_base;

	if (d->ic_kind == CLEAVE_IC_GICV2) {
		s2_map(p, l1, frame, GICC_SIZE, S2_DEVICE);
		aarch64_fence.gic_end = frame + GICC_SIZE;
		return;
	}
	for (unsigned n = 0; frame && n < CLEAVE_MAX_CPUS; n++) {
		uint64_t typer = mmio_read64(frame + GICR_TYPER), aff = typer >> 32;
		uint64_t size = typer & GICR_TYPER_VLPIS ? 2 * GICR_FRAME : GICR_FRAME;
		int c = cpu_index(d, (aff & 0xffffff) | (aff >> 24) << 32);

		if (c >= 0 && desc_cpu(d, (uint32_t)c)->kernel == k)
			s2_map(p, l1, frame, size, S2_DEVICE);
		else
			s2_map(p, l1, frame, GICR_RD, S2_DEVICE_RO);
		frame += size;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	aarch64_fence.gic_end = frame;
}

/* Kernel k's stage-2 tables: its grants as memory, its windows and GIC frames as devices. */
static uint64_t build_tables(const struct cleave_desc *d, struct aarch64_pool *p, uint32_t k)
{
	uint64_t *l1 = aarch64_pool_page(p);

	for (uint32_t g = 0; g < d->grant_count; g++)
		if (desc_grant(d, g)->kernel == k)
			s2_map(p, l1, desc_grant(d, g)->range.base, desc_grant(d, g)->range.size, S2_NORMAL);
	for (uint32_t w = 0; w < d->window_count; w++)
		if (desc_window(d, w)->kernel == k)
			s2_map(p, l1, desc_window(d, w)->range.base, desc_window(d, w)->range.size, S2_DEVICE);
	map_gic(d, p, l1, k);
	return (uint64_t)(uintptr_t)l1 | (uint64_t)(k + 1) << 48;
}

uint64_t arch_fence_setup(const struct cleave_desc *d, uint64_t pool, uint64_t pool_end)
{
	struct aarch64_pool p = { (pool + 0xfff) & ~0xfffull, pool_end };
	uint64_t t0 = aarch64_counter(), start = p.next, bytes = (uint64_t)d->cpu_count * (sizeof(struct fence_cpu) + EL2_STACK) + FENCE_INTIDS;
	uint8_t *mem;

	if (!(d->flags & CLEAVE_DESC_FENCE))
		return pool;
	if (p.next < pool || !range_inside(p.next, bytes, p.next, pool_end - p.next))
		refuse("isolation: no room for the fence after the image at 0x%lx in the loader region", pool);
	mem = (uint8_t *)(uintptr_t)p.next;
	p.next = (p.next + bytes + 0xfff) & ~0xfffull;
	aarch64_fence.d = d;
	aarch64_fence.cpus = (struct fence_cpu *)(uintptr_t)(mem + (uint64_t)d->cpu_count * EL2_STACK);
	aarch64_fence.owner = (uint8_t *)(aarch64_fence.cpus + d->cpu_count);
	memset(aarch64_fence.owner, FENCE_NOBODY, FENCE_INTIDS);
	for (uint32_t r = 0; r < d->route_count; r++)
		aarch64_fence.owner[desc_route(d, r)->irq] = (uint8_t)desc_route(d, r)->kernel;
	for (uint32_t k = 0; k < d->kernel_count; k++) {
		const struct cleave_kernel *kern = desc_kernel(d, k);
		uint64_t vttbr = build_tables(d, &p, k);

		for (uint32_t c = kern->cpu_first; c < kern->cpu_first + kern->cpu_count; c++)
			aarch64_fence.cpus[c] = (struct fence_cpu){
				.entry = kern->entry, .context = kern->dtb_addr, .vttbr = vttbr,
				.stack = (uint64_t)(uintptr_t)mem + (uint64_t)(c + 1) * EL2_STACK, .kernel = k
			};
		loader_launch[k].mode = LAUNCH_MODE_FENCE;
		loader_launch[k].fence = (uint64_t)(uintptr_t)&aarch64_fence.cpus[kern->boot_cpu];
	}
	/* Counter ticks, so boot-cost figures can name the fence's share. */
	log_info("isolation: EL2 fence for %u kernels, stage-2 tables and EL2 stacks in [0x%lx, 0x%lx), built in %lu ticks",
		 d->kernel_count, start, p.next, aarch64_counter() - t0);
	return p.next;
}

void aarch64_fence_core(struct fence_cpu *fc)
{
	uint64_t parange = GETREG(id_aa64mmfr0_el1) & 7;

	if (aarch64_fence.d->ic_kind == CLEAVE_IC_GICV2 && !fc->ifmask)
		fc->ifmask = mmio_read8(aarch64_fence.d->ic_base + GICD_ITARGETSR);
	SYSREG(vtcr_el2, VTCR_VALUE(parange > 5 ? 5 : parange));
	SYSREG(vttbr_el2, fc->vttbr);
	SYSREG(hcr_el2, HCR_VM | HCR_SWIO | HCR_TSC | HCR_RW);
	SYSREG(cnthctl_el2, GETREG(cnthctl_el2) | 3);
	SYSREG(cntvoff_el2, 0);
	SYSREG(cptr_el2, 0x33ff);
	SYSREG(mdcr_el2, (GETREG(pmcr_el0) >> 11) & 31);
	SYSREG(vpidr_el2, GETREG(midr_el1));
	SYSREG(vmpidr_el2, GETREG(mpidr_el1));
	if ((GETREG(id_aa64pfr0_el1) >> 24) & 15)
		SYSREG(s3_4_c12_c9_5, GETREG(s3_4_c12_c9_5) | 0xf);	/* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	if (aarch64_fence.d->ic_kind == CLEAVE_IC_GICV3 && (aarch64_fence.d->flags & CLEAVE_DESC_FENCE_SGIS))
		SYSREG(s3_4_c12_c11_0, ICH_HCR_TC);	/* ICH_HCR_EL2: trap the SGI (and common) registers */
	SYSREG(sctlr_el1, SCTLR_EL1_OFF);
	SYSREG(spsr_el2, SPSR_EL1H);
	SYSREG(elr_el2, fc->entry);
	__asm__ volatile("isb\n\ttlbi vmalls12e1\n\tdsb nsh\n\tisb" ::: "memory");
}

static struct fence_cpu *this_cpu(void)
{
	return (struct fence_cpu *)(uintptr_t)GETREG(tpidr_el2);
}

static const char *kernel_name(uint32_t k)
{
	return desc_kernel(aarch64_fence.d, k)->name;
}

/* Whose an address is, for the console line: "k0's memory", "channel k0-k1", "the loader's". */
static void whose(uint64_t addr, char *out, size_t n)
{
	const struct cleave_desc *d = aarch64_fence.d;

	for (uint32_t g = 0; g < d->grant_count; g++) {
		const struct cleave_grant *gr = desc_grant(d, g);

		if (range_inside(addr, 1, gr->range.base, gr->range.size)) {
			if (gr->channel == CLEAVE_GRANT_MEMORY)
				fmt_format(out, n, NAME "'s memory", kernel_name(gr->kernel));
			else
				fmt_format(out, n, "channel " NAME, desc_channel(d, gr->channel)->name);
			return;
		}
	}
	for (uint32_t w = 0; w < d->window_count; w++)
		if (range_inside(addr, 1, desc_window(d, w)->range.base, desc_window(d, w)->range.size)) {
			fmt_format(out, n, NAME "'s device", kernel_name(desc_window(d, w)->kernel));
			return;
		}
	fmt_format(out, n, "%s", range_inside(addr, 1, d->loader.base, d->loader.size) ? "the loader's"
				 : addr - d->ic_base < 0x10000 ? "the GIC distributor's, in a form the fence cannot emulate"
				 : addr - d->ic_redist_base < aarch64_fence.gic_end - d->ic_redist_base
					 ? "another core's GIC frame"
					 : "no kernel's");
}

static __attribute__((noreturn)) void stop(void)
{
	for (;;)
		aarch64_wfi();
}

/*
 * Give the kernel a synchronous external abort for the access it made, as
 * its own EL1 would take it: ESR, FAR, ELR and SPSR at EL1, then return to
 * its vector (current EL with SP0 or SPx, or lower EL from EL0).
 */
static void inject(uint64_t ec_same_el, uint64_t iss)
{
	uint64_t spsr = GETREG(spsr_el2), mode = spsr & 0xf;
	uint64_t offset = mode == 0 ? 0x400 : mode == 4 ? 0 : 0x200;
	uint64_t ec = mode == 0 ? ec_same_el - 1 : ec_same_el;

	SYSREG(esr_el1, ec << 26 | 1ull << 25 | iss);
	SYSREG(far_el1, GETREG(far_el2));
	SYSREG(elr_el1, GETREG(elr_el2));
	SYSREG(spsr_el1, spsr);
	SYSREG(elr_el2, GETREG(vbar_el1) + offset);
	SYSREG(spsr_el2, SPSR_EL1H);
}

/* A stage-2 abort: the distributor is emulated; anything else is blocked and reported. */
static void stage2_abort(struct fence_cpu *fc, struct fence_frame *f, uint64_t esr, int data)
{
	const struct cleave_desc *d = aarch64_fence.d;
	uint64_t ipa = (GETREG(hpfar_el2) >> 4 << 12) | (GETREG(far_el2) & 0xfff);
	unsigned srt = (esr >> 16) & 31, size = 1u << ((esr >> 22) & 3);
	int write = data && ((esr >> 6) & 1), isv = (esr >> 24) & 1;
	char owner[48];

	if (data && isv && ipa - d->ic_base < 0x10000) {
		uint64_t value = write && srt < 31 ? f->x[srt] : 0;

		aarch64_fence_lock();
		int taken = !aarch64_fence_gicd(fc, ipa - d->ic_base, size, write, &value);
		aarch64_fence_unlock();
		if (taken) {
			if (!write && srt < 31)
				f->x[srt] = value;
			SYSREG(elr_el2, GETREG(elr_el2) + 4);
			return;
		}
	}
	whose(ipa, owner, sizeof(owner));
	aarch64_fence_lock();
	if (aarch64_fence.blocked[fc->kernel]++ < FENCE_REPORTS)
		log_for("FENCE", kernel_name(fc->kernel), "%s 0x%lx (%s) blocked%s",
			write ? "write to" : data ? "read from" : "instruction fetch from", ipa, owner,
			d->flags & CLEAVE_DESC_FENCE_STOP		     ? "; its core stops"
			: aarch64_fence.blocked[fc->kernel] == FENCE_REPORTS ? "; more are blocked without a word"
									     : "");
	aarch64_fence_unlock();
	if (d->flags & CLEAVE_DESC_FENCE_STOP)
		stop();
	inject(data ? 0x25 : 0x21, (uint64_t)write << 6 | 0x10);
}

/* The cpu-table index of a core of kernel k with this PSCI target affinity, or -1. */
static int own_cpu(uint32_t k, uint64_t target)
{
	int c = cpu_index(aarch64_fence.d, target & MPIDR_AFF_MASK);

	return c >= 0 && desc_cpu(aarch64_fence.d, (uint32_t)c)->kernel == k ? c : -1;
}

static int64_t firmware(const struct fence_frame *f, uint64_t a2, uint64_t a3)
{
	return aarch64_smc(f->x[0], f->x[1], a2, a3);
}

/* Report a refused call, "PSCI CPU_ON of core 0x4 (k1's) denied", and return code for it. */
static int64_t denied(const struct fence_cpu *fc, const char *what, uint64_t target, int64_t code)
{
	int c = target == ~0ull ? -1 : cpu_index(aarch64_fence.d, target & MPIDR_AFF_MASK);

	aarch64_fence_lock();
	if (target == ~0ull)
		log_for("FENCE", kernel_name(fc->kernel), "PSCI %s denied", what);
	else
		log_for("FENCE", kernel_name(fc->kernel), "PSCI %s of core 0x%lx (" NAME "'s) denied", what, target,
			c < 0 ? "no kernel" : kernel_name(desc_cpu(aarch64_fence.d, (uint32_t)c)->kernel));
	aarch64_fence_unlock();
	return code;
}

/*
 * PSCI and other SMC Calling Convention calls, from the kernel's HVC or SMC.
 * A core only ever reaches its kernel again through aarch64_fence_enter, so
 * CPU_ON and a powering-down CPU_SUSPEND name it as the entry and keep the
 * kernel's own in the core's record.
 */
static void psci(struct fence_cpu *fc, struct fence_frame *f)
{
	uint32_t fn = (uint32_t)f->x[0] & ~0x40000000u;
	uint64_t enter = (uint64_t)(uintptr_t)aarch64_fence_enter;
	int64_t r;
	int c;

	switch (fn) {
	case PSCI_CPU_ON & ~0x40000000u:
		c = own_cpu(fc->kernel, f->x[1]);
		if (c < 0) {
			r = denied(fc, "CPU_ON", f->x[1], PSCI_DENIED);
			break;
		}
		aarch64_fence.cpus[c].entry = f->x[2];
		aarch64_fence.cpus[c].context = f->x[3];
		r = firmware(f, enter, (uint64_t)(uintptr_t)&aarch64_fence.cpus[c]);
		break;
	case 0x84000001u:	/* CPU_SUSPEND: a power-down state resumes at the entry */
		if (!(f->x[1] & (1u << 16))) {
			r = firmware(f, f->x[2], f->x[3]);
			break;
		}
		fc->entry = f->x[2];
		fc->context = f->x[3];
		r = firmware(f, enter, (uint64_t)(uintptr_t)fc);
		break;
	case PSCI_AFFINITY_INFO & ~0x40000000u:
	case 0x8400000du:	/* NODE_HW_STATE */
		r = own_cpu(fc->kernel, f->x[1]) < 0 ? denied(fc, "AFFINITY_INFO", f->x[1], PSCI_INVALID_PARAMETERS)
						      : firmware(f, f->x[2], f->x[3]);
		break;
	case PSCI_SYSTEM_OFF:
	case 0x84000009u:	/* SYSTEM_RESET */
	case 0x8400000eu:	/* SYSTEM_SUSPEND */
	case 0x84000012u:	/* SYSTEM_RESET2 */
		r = desc_kernel(aarch64_fence.d, fc->kernel)->flags & CLEAVE_KERNEL_MAY_POWER
			    ? firmware(f, f->x[2], f->x[3])
			    : denied(fc, fn == PSCI_SYSTEM_OFF ? "SYSTEM_OFF" : fn == 0x8400000eu ? "SYSTEM_SUSPEND" : "SYSTEM_RESET",
				     ~0ull, PSCI_DENIED);
		break;
	case CLEAVE_FENCE_CALL_TRAPS:
		r = 0;
		for (uint32_t c = 0; c < aarch64_fence.d->cpu_count; c++)
			if (aarch64_fence.cpus[c].kernel == fc->kernel)
				r += (int64_t)aarch64_fence.cpus[c].traps;
		r--;
		break;
	case 0x84000005u:	/* MIGRATE */
	case 0x8400000bu:	/* CPU_FREEZE */
	case 0x8400000cu:	/* CPU_DEFAULT_SUSPEND */
		r = PSCI_NOT_SUPPORTED;
		break;
	default:
		r = firmware(f, f->x[2], f->x[3]);
	}
	f->x[0] = (uint64_t)r;
}

void aarch64_fence_trap(struct fence_frame *f)
{
	struct fence_cpu *fc = this_cpu();
	uint64_t esr = GETREG(esr_el2), ec = esr >> 26;

	fc->traps++;
	switch (ec) {
	case EC_SMC:
		SYSREG(elr_el2, GETREG(elr_el2) + 4);
		__attribute__((fallthrough));
	case EC_HVC:
		psci(fc, f);
		return;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		stage2_abort(fc, f, esr, ec == EC_DABT_LOW);
		return;
	case EC_SYSREG:
		aarch64_fence_lock();
		ec = (uint64_t)aarch64_fence_icc(fc, f, esr);
		aarch64_fence_unlock();
		if (!ec) {
			SYSREG(elr_el2, GETREG(elr_el2) + 4);
			return;
		}
		ec = EC_SYSREG;
		__attribute__((fallthrough));
	default:
		aarch64_fence_lock();
		log_for("FENCE", kernel_name(fc->kernel), "exception class 0x%lx at 0x%lx, which the fence does not take; its core stops",
			ec, GETREG(elr_el2));
		aarch64_fence_unlock();
		stop();
	}
}

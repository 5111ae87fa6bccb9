#include "lib.h"
#include "mmio.h"
#include "probe.h"
#include "riscv.h"

/* The PLIC's interrupts-extended: <phandle cause> per context, a context's number is its position. */
static const uint8_t *contexts;
static uint32_t ncontexts, nsources;
/* The ACLINT SSWI, when a channel rings through it: one 32-bit register per hart. */
static uint64_t sswi, sswi_size;

/* The hart id of the CPU whose interrupt controller has this phandle, or ~0. */
static uint64_t hart_of(uint32_t phandle)
{
	const struct dt *dt = &probe.dt;
	int depth = 0;
	uint64_t hart, size;

	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth)) {
		uint32_t ph;
		int cpu = dt_parent(dt, n);
		const char *type = cpu >= 0 ? dt_prop_str(dt, cpu, "device_type") : 0;

		if (!dt_prop_u32(dt, n, "phandle", &ph) && ph == phandle && type && !strcmp(type, "cpu") &&
		    !dt_reg(dt, cpu, 0, &hart, &size))
			return hart;
	}
	return ~0ull;
}

/*
 * The PLIC of this kernel's tree and its contexts. Every context of a hart
 * this kernel has must name that hart; every other one must be inert (cause
 * 0xffffffff, kept in position): the tree gives no way into another
 * kernel's harts. The boot hart's S-mode context is the one this kernel
 * enables its sources in. Doorbells (SBI IPIs, ACLINT SSWI stores) are all
 * one S-mode software interrupt per hart, which serves every channel.
 */
void ic_find(void)
{
	const struct dt *dt = &probe.dt;
	int depth = 0, n;
	uint32_t len = 0, own = 0;
	uint64_t size;

	for (n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth))
		if (dt_prop(dt, n, "interrupt-controller", 0) && dt_enabled(dt, n) &&
		    (dt_compatible(dt, n, "riscv,plic0") || dt_compatible(dt, n, "sifive,plic-1.0.0")))
			break;
	if (n < 0)
		fail("no PLIC in the tree");
	probe.ic = CLEAVE_IC_PLIC;
	probe.ic_node = n;
	probe.irq_kind = "PLIC sources";
	probe.irq_one = "PLIC source";
	probe.bell_kind = "software interrupt";
	probe.shared_doorbell = 1;
	contexts = dt_prop(dt, n, "interrupts-extended", &len);
	ncontexts = len / 8;
	if (dt_reg_phys(dt, n, 0, &probe.ic_base, &size) || dt_prop_u32(dt, n, "riscv,ndev", &nsources) || !contexts)
		fail("PLIC node without reg, riscv,ndev or interrupts-extended");
	probe.ic_cpu = ~0ull;
	for (uint32_t i = 0; i < ncontexts; i++) {
		uint32_t cause = dt_be32(contexts + 8 * i + 4);
		uint64_t hart = hart_of(dt_be32(contexts + 8 * i));
		int mine = 0;

		if (cause == PLIC_INERT)
			continue;
		for (uint32_t c = 0; c < probe.ncpus; c++)
			mine |= probe.cpus[c] == hart;
		if (!mine)
			fail("PLIC context %u (cause %u) belongs to hart 0x%lx, not to this kernel", i, cause, hart);
		own++;
		if (hart == probe.self && cause == RISCV_IRQ_S_EXTERNAL)
			probe.ic_cpu = i;
	}
	if (probe.ic_cpu == ~0ull)
		fail("no S-mode PLIC context for boot hart %lu", probe.self);
	say("PLIC at 0x%lx: %u sources, %u of %u contexts on its harts, S-mode context %lu on the boot hart",
	    probe.ic_base, nsources, own, ncontexts, probe.ic_cpu);
}

/*
 * Interrupts stay off: doorbells are polled in sip. The boot hart's context
 * takes every priority. With no loader to route them (domains mode), the
 * priorities of this kernel's sources, its PLIC node's cleave,sources, are
 * its own to set; a kernel with none has the priority page read-only.
 */
void ic_init_cpu(void)
{
	uint32_t len = 0;
	const uint8_t *sources = dt_prop(&probe.dt, probe.ic_node, "cleave,sources", &len);

	for (uint32_t i = 0; probe.domains && sources && i + 4 <= len; i += 4) {
		uint32_t src = dt_be32(sources + i);

		if (!src || src > nsources)
			fail("PLIC cleave,sources names source %u of %u", src, nsources);
		mmio_write32(probe.ic_base + PLIC_PRIORITY + 4 * src, 1);
	}
	mmio_write32(probe.ic_base + PLIC_CONTEXT + 0x1000 * probe.ic_cpu, 0);
}

uint32_t ic_cpu_mask(void)
{
	return 0;
}

uint64_t ic_my_target(void)
{
	return cpu_id();
}

/* SBI IPIs need the SBI's IPI extension; ACLINT SSWI stores need the device in the tree. */
const char *ic_doorbell(enum doorbell d)
{
	const struct dt *dt = &probe.dt;
	int depth = 0, n;

	if (d == DOORBELL_IC) {
		if (!riscv_sbi_has(SBI_EXT_IPI))
			fail("the SBI lacks the IPI extension");
		return "SBI IPI";
	}
	if (sswi_size)
		return "ACLINT SSWI";
	for (n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth))
		if (dt_compatible(dt, n, "riscv,aclint-sswi") && dt_enabled(dt, n))
			break;
	if (n < 0 || dt_reg_phys(dt, n, 0, &sswi, &sswi_size))
		fail("channels ring through the ACLINT SSWI, but the tree has none with a reg");
	return "ACLINT SSWI";
}

/*
 * SBI send_ipi to one hart (hart_mask 1 at hart_mask_base = the target), or
 * a store of 1 to the target's SSWI register: either sets its sip.SSIP.
 */
void ic_send(const struct channel *c)
{
	uint64_t target = c->peer_target;
	struct sbiret r;

	if (c->doorbell == DOORBELL_SSWI) {
		if (4 * target >= sswi_size)
			fail("channel %s: hart %lu is beyond the ACLINT SSWI at 0x%lx", c->name, target, sswi);
		/* The ring's memory writes before the device store that announces them. */
		__asm__ volatile("fence w, o" ::: "memory");
		mmio_write32(sswi + 4 * target, 1);
		return;
	}
	riscv_fence();
	r = riscv_sbi(SBI_EXT_IPI, SBI_IPI_SEND, 1, target, 0);
	if (r.error)
		fail("SBI send_ipi to hart %lu returned %ld", target, r.error);
}

/* OpenSBI turns an IPI into sip.SSIP; taking it means clearing it (the pending bitmaps say who rang). */
uint32_t ic_poll(void)
{
	if (!(riscv_csr_read(sip) & SIP_SSIP))
		return IC_NONE;
	riscv_csr_clear(sip, SIP_SSIP);
	riscv_fence();
	return 1;
}

/*
 * A PLIC specifier is the source number. The loader (or, in domains mode,
 * ic_init_cpu) set its priority (the owner's part of the shared PLIC); no
 * context outside this kernel's harts may enable it; and enabling it on the
 * boot hart, the kernel's own part, must take. In domains mode the other
 * contexts' enable blocks are outside this domain, so unread: a load there
 * would fault.
 */
int ic_check_interrupt(int node, const uint8_t *spec)
{
	uint32_t src = dt_be32(spec), bit = 1u << (src % 32);
	uint64_t enable = probe.ic_base + PLIC_ENABLE + 4 * (src / 32);
	char path[96];

	if (!src || src > nsources)
		return 0;
	if (!mmio_read32(probe.ic_base + PLIC_PRIORITY + 4 * src))
		fail("device %s: PLIC source %u has priority 0: %s", dt_path_of(&probe.dt, node, path, sizeof(path)),
		     src, probe.domains ? "its PLIC node's cleave,sources lacks it" : "the loader did not route it");
	for (uint32_t i = 0; !probe.domains && i < ncontexts; i++)
		if (dt_be32(contexts + 8 * i + 4) == PLIC_INERT && (mmio_read32(enable + 0x80 * i) & bit))
			fail("device %s: PLIC source %u is enabled in context %u, another kernel's hart",
			     dt_path_of(&probe.dt, node, path, sizeof(path)), src, i);
	enable += 0x80 * probe.ic_cpu;
	mmio_write32(enable, mmio_read32(enable) | bit);
	if (!(mmio_read32(enable) & bit))
		fail("PLIC source %u does not enable in context %lu", src, probe.ic_cpu);
	return 1;
}

/* The EL2 fence of isolation "stage2" is AArch64's; OpenSBI domains fence a PLIC by PMP pages instead. */
static void no_fence(void) __attribute__((noreturn));
static void no_fence(void)
{
	fail("isolation \"stage2\" on a PLIC: no fence filters its registers");
}

void ic_send_foreign(uint64_t hwid, uint32_t sgi)
{
	(void)hwid, (void)sgi;
	no_fence();
}

uint64_t ic_read_cost(uint32_t n)
{
	uint64_t t0 = counter();

	for (uint32_t i = 0; i < n; i++)
		(void)mmio_read32(probe.ic_base);
	return counter() - t0;
}

void ic_mark_own(void)
{
	no_fence();
}

uint32_t ic_verify_own(void)
{
	no_fence();
}

const char *ic_tamper(uint32_t irq)
{
	(void)irq;
	no_fence();
}

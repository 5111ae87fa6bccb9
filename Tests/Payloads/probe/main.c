#include "fmt.h"
#include "lib.h"
#include "probe.h"

/* How long a started core has to report in. */
#define CHECKIN_MS	1000
/* The SGI a probe sends another kernel's core under the fence: no channel rings it. */
#define FOREIGN_SGI	14
/* Reads of the interrupt controller timed for the cost of an access (behind the fence, of a trap). */
#define IC_READS	1000
/* The largest tree the probe accepts. */
#define DTB_MAX		(1u << 20)

struct probe probe;
struct checkin probe_checkin[PROBE_MAX_CPUS] __attribute__((aligned(64)));

static void exclude(uint64_t base, uint64_t size)
{
	if (probe.nexcluded == PROBE_MAX_RANGES)
		fail("more than %u reserved ranges", PROBE_MAX_RANGES);
	probe.excluded[probe.nexcluded++] = (struct range){ base, size };
}

/* Name and index from /chosen/cleave; cores, memory and reservations from the rest of the tree. */
static void read_tree(uint64_t dtb)
{
	const struct dt *dt = &probe.dt;
	const char *mode;
	int chosen, cpus, rm;
	uint64_t b, s;

	if (dt_open(&probe.dt, (const void *)(uintptr_t)dtb, DTB_MAX))
		fail("x0 = 0x%lx is not a device tree", dtb);
	probe.dtb = dtb;
	chosen = probe.chosen = dt_lookup(dt, "/chosen/cleave");
	if (chosen < 0)
		fail("no /chosen/cleave in the tree at 0x%lx", dtb);
	mode = dt_prop_str(dt, chosen, "boot-mode");
	probe.domains = mode && !strcmp(mode, "opensbi-domains");
	mode = dt_prop_str(dt, chosen, "isolation");
	probe.fence = mode && !strcmp(mode, "stage2");
	mode = dt_prop_str(dt, chosen, "on-fault");
	probe.fence_inject = probe.fence && mode && !strcmp(mode, "inject");
	probe.sgis_filtered = probe.fence && dt_prop(dt, chosen, "sgis-filtered", 0) != 0;
	probe.name = dt_prop_str(dt, chosen, "name");
	if (!probe.name)
		probe.name = dt_prop_str(dt, chosen, "kernel");
	if (!probe.name || dt_prop_u32(dt, chosen, "index", &probe.index))
		fail("/chosen/cleave has no name or index");
	probe.seed = pattern_seed(probe.name);

	cpus = dt_lookup(dt, "/cpus");
	for (int c = cpus >= 0 ? dt_first_child(dt, cpus) : -1; c >= 0; c = dt_next_sibling(dt, c)) {
		const char *type = dt_prop_str(dt, c, "device_type");

		if (!type || strcmp(type, "cpu") || !dt_enabled(dt, c))
			continue;
		if (probe.ncpus == PROBE_MAX_CPUS || dt_reg(dt, c, 0, &b, &s))
			fail("/cpus/%s: no reg, or more than %u CPUs", dt_name(dt, c), PROBE_MAX_CPUS);
		probe.cpus[probe.ncpus++] = b;
	}
	for (int n = dt_first_child(dt, dt_root(dt)); n >= 0; n = dt_next_sibling(dt, n)) {
		const char *type = dt_prop_str(dt, n, "device_type");

		if (!type || strcmp(type, "memory") || !dt_enabled(dt, n))
			continue;
		for (uint32_t i = 0; !dt_reg(dt, n, i, &b, &s); i++) {
			if (probe.nmem == PROBE_MAX_RANGES)
				fail("more than %u memory ranges", PROBE_MAX_RANGES);
			probe.mem[probe.nmem++] = (struct range){ b, s };
		}
	}
	/* Not to be filled: this image (with its stacks), its tree, and every reservation. */
	if (!probe.sel4)
		exclude((uintptr_t)__probe_start, (uintptr_t)__probe_end - (uintptr_t)__probe_start);
	exclude(dtb, probe.dt.size);
	for (uint32_t i = 0; !dt_memreserve(dt, i, &b, &s); i++)
		exclude(b, s);
	rm = dt_lookup(dt, "/reserved-memory");
	for (int n = rm >= 0 ? dt_first_child(dt, rm) : -1; n >= 0; n = dt_next_sibling(dt, n))
		for (uint32_t i = 0; !dt_reg(dt, n, i, &b, &s); i++)
			exclude(b, s);
}

/* Secondaries report their hardware id (and GICv2 interface bit), then sleep. */
void probe_secondary(uint64_t slot)
{
	struct checkin *c = &probe_checkin[slot];

	c->ic_mask = ic_cpu_mask();
	cpu_barrier();
	c->hwid = cpu_id() | PROBE_CHECKED_IN;
	cpu_signal();
}

/* Start every other core of the tree (PSCI CPU_ON, SBI HSM hart_start) and wait for each to report in. */
static void start_cores(void)
{
	char list[PROBE_MAX_CPUS * 12];
	size_t n = 0;

	probe.masks = ic_cpu_mask();
	for (uint32_t i = 0; i < probe.ncpus; i++) {
		uint64_t hwid = probe.cpus[i], limit;
		int64_t rc;

		if (hwid == probe.self)
			continue;
		rc = cpu_start(hwid, i);
		if (rc)
			fail("%s 0x%lx returned %ld (%s)", cpu_start_call(), hwid, rc, cpu_start_error(rc));
		limit = deadline_ms(CHECKIN_MS);
		while (!(probe_checkin[i].hwid & PROBE_CHECKED_IN))
			if (passed(limit))
				fail("CPU 0x%lx started but never reported in", hwid);
		cpu_barrier();
		if ((probe_checkin[i].hwid & ~PROBE_CHECKED_IN) != hwid)
			fail("CPU 0x%lx reported in as 0x%lx", hwid, probe_checkin[i].hwid & ~PROBE_CHECKED_IN);
		probe.masks |= probe_checkin[i].ic_mask;
		n += fmt_format(list + n, sizeof(list) - n, " 0x%lx", hwid);
	}
	say("%u/%u cores up: boot 0x%lx, started%s", probe.ncpus, probe.ncpus, probe.self, n ? list : " none");
}

static int contains(uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < probe.nmem; i++)
		if (base >= probe.mem[i].base && base + size <= probe.mem[i].base + probe.mem[i].size)
			return 1;
	return 0;
}

/* The interrupt parent of a node: its own or its nearest ancestor's interrupt-parent. */
static uint32_t interrupt_parent(int node)
{
	const struct dt *dt = &probe.dt;
	uint32_t ph;

	for (; node >= 0; node = dt_parent(dt, node))
		if (!dt_prop_u32(dt, node, "interrupt-parent", &ph))
			return ph;
	return 0;
}

/*
 * Nothing foreign: the tree's CPUs are exactly the cores now running this
 * kernel (a foreign one would have refused to start), its memory holds this
 * image and tree (whether anyone else writes it, the fill and verify tell),
 * and every interrupt of its devices reaches its own cores and no others
 * (GIC: the distributor routes each SPI to one of them; PLIC: the loader,
 * or in domains mode the kernel itself, gave each source a priority, no
 * other hart's context enables it, and this kernel enables it on its boot
 * hart).
 */
static void check_ownership(void)
{
	const struct dt *dt = &probe.dt;
	uint32_t ic_ph = 0, cells = 0, devices = 0, irqs = 0;
	int depth = 0;

	uint64_t image = probe.sel4 ? probe.phys : (uintptr_t)__probe_start;

	if (!contains(image, (uintptr_t)__probe_end - (uintptr_t)__probe_start) || !contains(probe.dtb, probe.dt.size))
		fail("its own image [0x%lx, 0x%lx) or tree at 0x%lx is outside its memory", image,
		     image + ((uintptr_t)__probe_end - (uintptr_t)__probe_start), probe.dtb);
	dt_prop_u32(dt, probe.ic_node, "phandle", &ic_ph);
	if (dt_prop_u32(dt, probe.ic_node, "#interrupt-cells", &cells) || cells - 1 > 3)
		fail("interrupt controller with #interrupt-cells %u", cells);
	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth)) {
		uint32_t len, counted = 0;
		const uint8_t *spec = dt_prop(dt, n, "interrupts", &len);

		if (!spec || n == probe.ic_node || !dt_enabled(dt, n) || interrupt_parent(n) != ic_ph)
			continue;
		for (uint32_t i = 0; i + 4 * cells <= len; i += 4 * cells)
			if (ic_check_interrupt(n, spec + i)) {
				irqs++;
				counted = 1;
			}
		devices += counted;
	}
	say("no foreign core or memory; %u %s of %u devices routed to its own cores", irqs, probe.irq_kind, devices);
}

/* The next name of a string list (fenced-kernels), or "another kernel" once it runs out. */
static const char *next_name(const char **names, uint32_t *left)
{
	const char *name = *names;
	uint32_t step;

	if (!*left)
		return "another kernel";
	step = strnlen(name, *left) + 1;
	*names += step;
	*left = step < *left ? *left - step : 0;
	return name;
}

/*
 * Domains mode: OpenSBI's PMP, not good manners, keeps this kernel out of
 * the others' memory. /chosen/cleave names one address in each
 * (fenced = <hi lo ...>, fenced-kernels = names in the same order): a load
 * from it must fault. The number of kernels it proved itself fenced from.
 */
static uint32_t check_isolation(void)
{
	const struct dt *dt = &probe.dt;
	uint32_t len = 0, nlen = 0, n = 0;
	const uint8_t *fenced = dt_prop(dt, probe.chosen, "fenced", &len);
	const char *names = dt_prop(dt, probe.chosen, "fenced-kernels", &nlen), *name, *fault;

	for (; fenced && (n + 1) * 8 <= len; n++) {
		uint64_t addr = dt_be64(fenced + 8 * n);

		name = next_name(&names, &nlen);
		fault = cpu_load_fault(addr);
		if (!fault)
			fail("read 0x%lx of %s's memory without a fault: not isolated", addr, name);
		say("isolation: a load from 0x%lx (%s's memory) faulted (%s), as the domain's PMP must make it", addr,
		    name, fault);
	}
	return n;
}

/* A <hi lo> property of /chosen/cleave (0, or -1 if absent) and whose it is, as owner_prop names it. */
static int fenced_at(const char *prop, const char *owner_prop, uint64_t *at, const char **owner)
{
	uint32_t len = 0;
	const uint8_t *v = dt_prop(&probe.dt, probe.chosen, prop, &len);

	if (!v || len != 8)
		return -1;
	*at = dt_be64(v);
	*owner = dt_prop_str(&probe.dt, probe.chosen, owner_prop);
	if (!*owner)
		*owner = "another kernel";
	return 0;
}

/*
 * isolation "stage2": the EL2 fence, not good manners, holds this kernel
 * to its partition. /chosen/cleave names what to try: an address in each
 * other kernel's memory (fenced, fenced-kernels as in domains mode), where
 * a load and a store must fault, and a page of another's device
 * (fenced-device), where a load must, both only when the fence injects its
 * faults (on-fault "inject"; "stop" would stop this core); another
 * kernel's SPI (fenced-interrupt), which must read as nothing and ignore
 * every write; another kernel's core (fenced-cpu), which CPU_ON may not
 * start; and, unless the plan lets this kernel power the machine
 * (may-power), SYSTEM_OFF must be refused. Before tampering it marks its
 * own SPIs, which it verifies at the end. The number of kernels it proved
 * itself fenced from.
 */
static uint32_t check_fence(void)
{
	const struct dt *dt = &probe.dt;
	uint32_t len = 0, nlen = 0, n = 0, irq;
	const uint8_t *fenced = dt_prop(dt, probe.chosen, "fenced", &len);
	const char *names = dt_prop(dt, probe.chosen, "fenced-kernels", &nlen), *owner, *load, *store;
	uint64_t at;
	int64_t rc;

	ic_mark_own();
	if (!probe.fence_inject)
		say("isolation: the fence stops a core that faults (on-fault \"stop\"): no load or store into another "
		    "kernel's memory or device tried");
	for (; probe.fence_inject && fenced && (n + 1) * 8 <= len; n++) {
		at = dt_be64(fenced + 8 * n);
		owner = next_name(&names, &nlen);
		if (!(load = cpu_load_fault(at)))
			fail("read 0x%lx of %s's memory without a fault: not isolated", at, owner);
		if (!(store = cpu_store_fault(at)))
			fail("wrote 0x%lx of %s's memory without a fault: not isolated", at, owner);
		say("isolation: a load from and a store to 0x%lx (%s's memory) faulted (%s; %s), as the EL2 fence must "
		    "make it", at, owner, load, store);
	}
	if (probe.fence_inject && !fenced_at("fenced-device", "fenced-device-owner", &at, &owner)) {
		if (!(load = cpu_load_fault(at)))
			fail("read 0x%lx of %s's device without a fault: not isolated", at, owner);
		say("isolation: a load from 0x%lx (%s's device) faulted (%s), as the EL2 fence must make it", at, owner,
		    load);
	}
	if (!dt_prop_u32(dt, probe.chosen, "fenced-interrupt", &irq)) {
		const char *leak = ic_tamper(irq);

		owner = dt_prop_str(dt, probe.chosen, "fenced-interrupt-owner");
		if (!owner)
			owner = "another kernel";
		if (leak)
			fail("%s %u of %s: %s: not isolated", probe.irq_one, irq, owner, leak);
		say("isolation: %s %u (%s's) reads as 0 and ignores disable, enable, priority and re-route",
		    probe.irq_one, irq, owner);
	}
	if (!fenced_at("fenced-cpu", "fenced-cpu-owner", &at, &owner)) {
		/* A slot past the last: were the core started, it would park at once. */
		rc = cpu_start(at, PROBE_MAX_CPUS);
		if (!cpu_denied(rc))
			fail("%s 0x%lx (%s's core) returned %ld (%s), not DENIED: not isolated", cpu_start_call(), at,
			     owner, rc, cpu_start_error(rc));
		say("isolation: %s 0x%lx (%s's core) returned %ld (%s), as the EL2 fence must make it",
		    cpu_start_call(), at, owner, rc, cpu_start_error(rc));
		/* Its boot core polls for doorbells in the round trips and fails on any other SGI that arrives. */
		if (probe.sgis_filtered) {
			ic_send_foreign(at, FOREIGN_SGI);
			say("isolation: SGI %u sent to core 0x%lx (%s's), which the fence must drop", FOREIGN_SGI, at, owner);
		}
	}
	if (!dt_prop(dt, probe.chosen, "may-power", 0)) {
		const char *call = cpu_power_off(&rc);

		if (!cpu_denied(rc))
			fail("%s returned %ld, not DENIED, though this kernel may not power the machine", call, rc);
		say("isolation: %s returned %ld (DENIED): this kernel may not power the machine, as the EL2 fence must "
		    "make it", call, rc);
	}
	return n;
}

/*
 * The fence kept every other kernel off this kernel's SPIs: their route,
 * priority and enable bit are what check_ownership and check_fence left.
 * Every kernel it shares a channel with has made its attempts by now (it
 * was through check_fence before the rendezvous); another may still be
 * trying, and the line says which.
 */
static void check_own_interrupts(void)
{
	const struct dt *dt = &probe.dt;
	uint32_t kernels = 0, len = 0, peers = 0, n;
	const char *p = dt_prop(dt, probe.chosen, "peers", &len), *kind;

	n = ic_verify_own();
	if (!n)
		return;
	dt_prop_u32(dt, probe.chosen, "kernels", &kernels);
	for (uint32_t i = 0; p && i < len; i++)
		peers += !p[i];
	kind = n == 1 ? probe.irq_one : probe.irq_kind;
	if (peers + 1 >= kernels)
		say("isolation: its %u %s kept route, priority and enable bit through every other kernel's attempts", n,
		    kind);
	else
		say("isolation: its %u %s kept route, priority and enable bit through the attempts of its %u channel "
		    "peer%s (of %u other kernels)", n, kind, peers, peers == 1 ? "" : "s", kernels - 1);
}

void probe_main(uint64_t dtb, uint64_t entered)
{
	char list[PROBE_MAX_RANGES * 48];
	size_t n = 0;
	uint64_t total = 0;
	char isolated[48] = "";
	uint64_t traps;

	probe.level = cpu_level();
	probe.self = cpu_id();
	read_tree(dtb);
	if (probe.sel4)
		boot_info_check();
	cpu_firmware();
	/* Under QEMU -icount shift=0 one instruction is one nanosecond of virtual time. */
	say("entered at counter %lu (%lu Hz)", entered, counter_hz());
	for (uint32_t i = 0; i < probe.nmem; i++) {
		n += fmt_format(list + n, sizeof(list) - n, " [0x%lx, 0x%lx)", probe.mem[i].base,
				probe.mem[i].base + probe.mem[i].size);
		total += probe.mem[i].size;
	}
	say("kernel %u at %s, image [0x%lx, 0x%lx), tree at 0x%lx; %u cores; memory%s = %lu MiB", probe.index,
	    probe.level, (uintptr_t)__probe_start, (uintptr_t)__probe_end, dtb, probe.ncpus, list, total >> 20);
	{
		int mine = 0;

		for (uint32_t i = 0; i < probe.ncpus; i++)
			mine |= probe.cpus[i] == probe.self;
		if (!mine)
			fail("booted on CPU 0x%lx, which its tree does not list", probe.self);
	}
	ic_find();
	channels_find();
	ic_init_cpu();
	start_cores();
	check_ownership();
	say("interrupt controller: %u register reads in %lu ticks", IC_READS, ic_read_cost(IC_READS));
	if (probe.domains || probe.fence) {
		uint32_t k = probe.fence ? check_fence() : check_isolation();

		if (probe.fence && !probe.fence_inject)
			fmt_format(isolated, sizeof(isolated), ", fenced (on-fault stop: no access tried)");
		else
			fmt_format(isolated, sizeof(isolated), ", isolated from %u kernel%s", k, k == 1 ? "" : "s");
	}
	memory_fill();
	channels_rendezvous();
	memory_verify();
	traps = probe.fence ? cpu_fence_traps() : 0;
	channels_round_trips();
	if (probe.fence) {
		/* Doorbells and ring traffic should not trap: on GICv2 each doorbell is a GICD_SGIR write, which does. */
		say("isolation: its round trips took %lu traps into the fence", cpu_fence_traps() - traps - 1);
		check_own_interrupts();
	}
	if (probe.nch == 0)
		pass("%u cores, %lu MiB verified, no channels%s", probe.ncpus, total >> 20, isolated);
	else
		pass("%u cores, %lu MiB verified, %u channel%s x %u round trips%s", probe.ncpus, total >> 20,
		     probe.nch, probe.nch == 1 ? "" : "s", PROBE_ROUND_TRIPS, isolated);
}

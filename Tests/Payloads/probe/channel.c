#include "lib.h"
#include "probe.h"

#define MSG_MAGIC		0x3147534du	/* "MSG1" */
#define RENDEZVOUS_MS		30000
#define ROUND_TRIPS_MS		20000
/* A message in the ring with no doorbell for this long means the doorbell is lost. */
#define DOORBELL_MS		1000

struct msg {
	uint32_t magic;
	uint32_t seq;
	char from[16];
	uint64_t word[5];
};

_Static_assert(sizeof(struct msg) == CLEAVE_MSG_SIZE, "a message fills one ring slot");

/*
 * The channels this kernel is a member of: /reserved-memory nodes with
 * compatible "cleave,channel". Properties: reg, cleave,peer, cleave,role,
 * cleave,doorbell (the SGI this kernel listens on; 1, the S-mode software
 * interrupt, on RISC-V), cleave,doorbell-mechanism (how it rings: absent
 * means the interrupt controller's own), cleave,bit (the bit it
 * sets in a receiver's pending word), cleave,end (its ring), cleave,multiplexed,
 * and optionally cleave,peer-doorbells (<end hwid-hi hwid-lo irq bit>...).
 * A channel whose cleave,peer-protocol is not "elf" is left alone.
 */
void channels_find(void)
{
	const struct dt *dt = &probe.dt;
	int rm = dt_lookup(dt, "/reserved-memory");

	for (int n = rm >= 0 ? dt_first_child(dt, rm) : -1; n >= 0; n = dt_next_sibling(dt, n)) {
		struct channel *c = &probe.ch[probe.nch];
		const char *role = dt_prop_str(dt, n, "cleave,role");
		const char *mechanism = dt_prop_str(dt, n, "cleave,doorbell-mechanism");
		const uint8_t *hints;
		uint64_t base;
		uint32_t len;

		if (!dt_compatible(dt, n, "cleave,channel") || !dt_enabled(dt, n))
			continue;
		if (probe.nch == PROBE_MAX_CHANNELS)
			fail("more than %u channels", PROBE_MAX_CHANNELS);
		c->name = dt_prop_str(dt, n, "cleave,name");
		if (!c->name)
			c->name = dt_name(dt, n);
		c->peer = dt_prop_str(dt, n, "cleave,peer");
		/*
		 * A peer that is not a probe (Linux) runs no cleave channel driver: note the channel, skip it.
		 * A seL4 boot-info peer runs the image this probe runs when it was started that way itself.
		 */
		const char *protocol = dt_prop_str(dt, n, "cleave,peer-protocol");
		if (protocol && strcmp(protocol, "elf") && !(probe.sel4 && !strcmp(protocol, "sel4-boot-info"))) {
			say("channel %s with %s (%s): in the tree, not exercised", c->name, c->peer ? c->peer : "?",
			    protocol);
			continue;
		}
		if (dt_reg(dt, n, 0, &base, &c->size) || !c->peer || !role ||
		    dt_prop_u32(dt, n, "cleave,doorbell", &c->irq) || dt_prop_u32(dt, n, "cleave,bit", &c->bit) ||
		    dt_prop_u32(dt, n, "cleave,end", &c->end))
			fail("channel %s: reg, cleave,peer, cleave,role, cleave,doorbell, cleave,bit or cleave,end missing",
			     c->name);
		if (c->end > 1 || c->irq > 15 || c->bit > 63 || c->size < sizeof(struct cleave_channel_header))
			fail("channel %s: end %u, doorbell %u, bit %u or size 0x%lx out of range", c->name, c->end, c->irq,
			     c->bit, c->size);
		c->h = (struct cleave_channel_header *)(uintptr_t)base;
		c->peer_end = 1 - c->end;
		c->initiator = !strcmp(role, "initiator");
		/* One doorbell for every channel (RISC-V's software interrupt): the bitmap says which rang. */
		c->multiplexed = dt_prop(dt, n, "cleave,multiplexed", 0) != 0 || probe.shared_doorbell;
		hints = dt_prop(dt, n, "cleave,peer-doorbells", &len);
		for (uint32_t i = 0; hints && i + 20 <= len; i += 20)
			if (dt_be32(hints + i) == c->peer_end) {
				c->has_hint = 1;
				c->hint_target = (uint64_t)dt_be32(hints + i + 4) << 32 | dt_be32(hints + i + 8);
				c->hint_irq = dt_be32(hints + i + 12);
			}
		if (!mechanism || !strcmp(mechanism, "sgi") || !strcmp(mechanism, "sbi-ipi"))
			c->doorbell = DOORBELL_IC;
		else if (!strcmp(mechanism, "aclint-sswi"))
			c->doorbell = DOORBELL_SSWI;
		else if (!strcmp(mechanism, "polling"))
			c->doorbell = DOORBELL_POLLING;
		else
			fail("channel %s: unknown cleave,doorbell-mechanism \"%s\"", c->name, mechanism);
		if (c->doorbell == DOORBELL_POLLING) {
			say("channel %s: [0x%lx, 0x%lx) with %s, %s, ring %u, no doorbell: polling", c->name, base,
			    base + c->size, c->peer, role, c->end);
		} else {
			const char *via = ic_doorbell(c->doorbell);

			say("channel %s: [0x%lx, 0x%lx) with %s, %s, ring %u, doorbell %s %u%s%s%s", c->name, base,
			    base + c->size, c->peer, role, c->end, probe.bell_kind, c->irq, via ? " via " : "",
			    via ? via : "", c->multiplexed ? " (multiplexed)" : "");
		}
		probe.nch++;
	}
}

/*
 * Publish this kernel's doorbell in every channel header, set its ready bit,
 * and wait (bounded) until every peer has done the same. A peer sets its bit
 * only after filling its RAM, so after this every fill is over.
 */
void channels_rendezvous(void)
{
	uint64_t t0 = now(), limit = deadline_ms(RENDEZVOUS_MS);

	for (uint32_t i = 0; i < probe.nch; i++) {
		struct channel *c = &probe.ch[i];
		struct cleave_channel_header *h = c->h;

		/* The loader initialises headers; without one, the first member does (the region starts zeroed). */
		if (!atomic_cas32(&h->magic, 0, CLEAVE_CHANNEL_MAGIC) && h->magic != CLEAVE_CHANNEL_MAGIC)
			fail("channel %s: header magic 0x%x, not \"CHAN\"", c->name, h->magic);
		h->doorbell_target[c->end] = ic_my_target();
		h->doorbell_irq[c->end] = c->irq;
		cpu_barrier();
		atomic_or32(&h->ready, 1u << c->end);
	}
	for (uint32_t i = 0; i < probe.nch; i++) {
		struct channel *c = &probe.ch[i];

		while (!(c->h->ready & (1u << c->peer_end)))
			if (passed(limit))
				fail("channel %s: %s not ready after %u ms (ready bits 0x%x)", c->name, c->peer,
				     RENDEZVOUS_MS, c->h->ready);
		cpu_barrier();
		c->peer_target = c->h->doorbell_target[c->peer_end];
		c->peer_irq = c->h->doorbell_irq[c->peer_end];
		/*
		 * The hint names the peer's boot CPU as its tree has it; OpenSBI
		 * (domains mode) may start a domain on another of its harts, and a
		 * GICv2 target is an interface bit the tree cannot know.
		 */
		if (c->has_hint && (c->hint_irq != c->peer_irq ||
				    (probe.ic != CLEAVE_IC_GICV2 && !probe.domains && c->hint_target != c->peer_target)))
			fail("channel %s: the tree says %s listens on CPU 0x%lx %s %u, %s says 0x%lx %s %u", c->name,
			     c->peer, c->hint_target, probe.bell_kind, c->hint_irq, c->peer, c->peer_target,
			     probe.bell_kind, c->peer_irq);
		if (probe.sel4 && c->doorbell != DOORBELL_POLLING) {
			c->peer_target = boot_info_target(c->peer_target, &c->peer_node);
			say("channel %s: %s ready after %lu ms, doorbell: node %u (MPIDR list) %s %u", c->name, c->peer,
			    ms_since(t0), c->peer_node, probe.bell_kind, c->peer_irq);
		} else if (c->doorbell == DOORBELL_POLLING)
			say("channel %s: %s ready after %lu ms", c->name, c->peer, ms_since(t0));
		else
			say("channel %s: %s ready after %lu ms, doorbell target 0x%lx %s %u", c->name, c->peer,
			    ms_since(t0), c->peer_target, probe.bell_kind, c->peer_irq);
	}
}

static void make(struct msg *m, const char *from, uint32_t seq)
{
	uint64_t seed = pattern_seed(from);

	memset(m, 0, sizeof(*m));
	m->magic = MSG_MAGIC;
	m->seq = seq;
	memcpy(m->from, from, strnlen(from, sizeof(m->from)));
	for (unsigned i = 0; i < 5; i++)
		m->word[i] = seed * (seq + 1) + i;
}

/* Word-wise copies: the rings are Device memory and shared. */
static void put(volatile uint64_t *dst, const struct msg *m)
{
	const uint64_t *src = (const uint64_t *)m;

	for (unsigned i = 0; i < sizeof(*m) / 8; i++)
		dst[i] = src[i];
}

static void get(struct msg *m, const volatile uint64_t *src)
{
	uint64_t *dst = (uint64_t *)m;

	for (unsigned i = 0; i < sizeof(*m) / 8; i++)
		dst[i] = src[i];
}

/* Append to this kernel's ring and ring the peer's doorbell. */
static void send(struct channel *c, const struct msg *m)
{
	struct cleave_ring *r = &c->h->ring[c->end];
	uint32_t head = r->head;

	if (head - r->tail >= CLEAVE_RING_SLOTS)
		fail("channel %s: ring full (head %u, tail %u)", c->name, head, r->tail);
	put((volatile uint64_t *)r->slot[head % CLEAVE_RING_SLOTS], m);
	cpu_barrier();
	r->head = head + 1;
	if (c->doorbell == DOORBELL_POLLING)
		return;
	if (c->multiplexed)
		atomic_or64(&c->h->pending[c->peer_end], 1ull << c->bit);
	ic_send(c);
}

/* Take every new message from the peer's ring: echo it (responder) or check the echo (initiator). */
static void receive(struct channel *c)
{
	struct cleave_ring *r = &c->h->ring[c->peer_end];

	while (r->head != c->cursor) {
		struct msg m, want;

		cpu_barrier();
		get(&m, (const volatile uint64_t *)r->slot[c->cursor % CLEAVE_RING_SLOTS]);
		make(&want, c->initiator ? probe.name : c->peer, c->done);
		if (memcmp(&m, &want, sizeof(m)))
			fail("channel %s: message %u from %s damaged (magic 0x%x, seq %u, from %.16s)", c->name, c->done,
			     c->peer, m.magic, m.seq, m.from);
		r->tail = ++c->cursor;
		c->done++;
		if (!c->initiator) {
			send(c, &m);
		} else if (c->done < PROBE_ROUND_TRIPS) {
			make(&want, probe.name, c->done);
			send(c, &want);
		}
	}
}

/*
 * PROBE_ROUND_TRIPS round trips on every channel at once (a kernel may be
 * initiator on one and responder on another): the initiator sends a message,
 * rings the peer, the responder echoes it back and rings in turn, and each
 * side checks every message. Doorbells are polled (the GIC's acknowledge
 * register, RISC-V's sip.SSIP). A doorbell may cover several messages (a
 * receiver drains its ring, and a doorbell rung while one is pending merges
 * with it), but a message must never sit in the ring without any doorbell
 * following it. A channel without doorbells polls its ring alone.
 */
void channels_round_trips(void)
{
	uint64_t t0 = now(), limit = deadline_ms(ROUND_TRIPS_MS);
	uint32_t left = probe.nch, doorbells = 0, polled = 0;

	for (uint32_t i = 0; i < probe.nch; i++) {
		polled += probe.ch[i].doorbell == DOORBELL_POLLING;
		if (probe.ch[i].initiator) {
			struct msg m;

			make(&m, probe.name, 0);
			send(&probe.ch[i], &m);
		}
	}
	while (left) {
		uint32_t id = ic_poll();

		if (passed(limit))
			for (uint32_t i = 0; i < probe.nch; i++)
				if (probe.ch[i].done < PROBE_ROUND_TRIPS)
					fail("channel %s: %u of %u round trips with %s in %u ms", probe.ch[i].name,
					     probe.ch[i].done, PROBE_ROUND_TRIPS, probe.ch[i].peer, ROUND_TRIPS_MS);
		int known = 0;

		for (uint32_t i = 0; id < 16 && i < probe.nch; i++) {
			struct channel *c = &probe.ch[i];

			known |= c->irq == id;
			if (c->irq == id && (!c->multiplexed || atomic_swap64(&c->h->pending[c->end], 0))) {
				c->rang = 1;
				doorbells++;
			}
		}
		if (probe.sgis_filtered && id < 16 && !known)
			fail("SGI %u arrived, which none of its channels rings: another kernel's SGI got past the fence", id);
		left = 0;
		for (uint32_t i = 0; i < probe.nch; i++) {
			struct channel *c = &probe.ch[i];
			int waiting = c->h->ring[c->peer_end].head != c->cursor;

			if (waiting && !c->rang && c->doorbell != DOORBELL_POLLING) {
				if (!c->waiting_since)
					c->waiting_since = now() | 1;
				else if (ms_since(c->waiting_since) > DOORBELL_MS)
					fail("channel %s: message %u from %s arrived but %s %u never did", c->name,
					     c->done, c->peer, probe.bell_kind, c->irq);
			} else if (waiting) {
				c->rang = 0;
				c->waiting_since = 0;
				receive(c);
			}
			left += c->done < PROBE_ROUND_TRIPS;
		}
	}
	for (uint32_t i = 0; i < probe.nch; i++)
		say("channel %s: %u round trips with %s, every message checked", probe.ch[i].name, PROBE_ROUND_TRIPS,
		    probe.ch[i].peer);
	if (doorbells || !polled)
		say("%u doorbells taken in %lu ms, %lu ticks (one may cover several messages)", doorbells, ms_since(t0),
		    now() - t0);
	else
		say("no doorbells: %u channel%s polled for %lu ms", polled, polled == 1 ? "" : "s", ms_since(t0));
}

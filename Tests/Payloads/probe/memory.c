#include "lib.h"
#include "probe.h"

/*
 * Every kernel fills its RAM with a pattern of its own, v(a) = seed + a * K
 * for the 8-byte word at address a, then (after the rendezvous, when every
 * peer has finished filling) reads it all back. A word a peer wrote holds
 * that peer's pattern, so a failure can name who overlapped whom.
 */
#define K	0x9e3779b97f4a7c15ull

typedef int (*piece_fn)(uint64_t base, uint64_t end);

/* Call fn on every 8-byte-aligned piece of RAM outside the exclusions; stop early on nonzero. */
static int each_piece(piece_fn fn)
{
	struct range x[PROBE_MAX_RANGES];
	uint32_t n = probe.nexcluded;

	/* Exclusions sorted by base (insertion sort: a handful of ranges). */
	for (uint32_t i = 0; i < n; i++) {
		struct range r = probe.excluded[i];
		uint32_t j = i;

		for (; j && x[j - 1].base > r.base; j--)
			x[j] = x[j - 1];
		x[j] = r;
	}
	for (uint32_t m = 0; m < probe.nmem; m++) {
		uint64_t at = probe.mem[m].base, end = probe.mem[m].base + probe.mem[m].size;

		for (uint32_t i = 0; i <= n && at < end; i++) {
			uint64_t stop = i < n && x[i].base < end ? x[i].base : end;

			if (i < n && x[i].base + x[i].size <= at)
				continue;
			if (stop > at) {
				uint64_t a = (at + 7) & ~7ull, b = stop & ~7ull;

				if (a < b && fn(a, b))
					return 1;
			}
			if (i < n && x[i].base + x[i].size > at)
				at = x[i].base + x[i].size;
		}
	}
	return 0;
}

uint64_t pattern_seed(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	while (*name)
		h = (h ^ (uint8_t)*name++) * 0x100000001b3ull;
	return h | 1;
}

static uint64_t filled;

/* Four words per step: the whole of RAM goes through here twice. */
static int fill(uint64_t a, uint64_t b)
{
	uint64_t *p = (uint64_t *)(uintptr_t)a, *e = (uint64_t *)(uintptr_t)b;
	uint64_t v = probe.seed + a * K;

	for (; e - p >= 4; p += 4, v += 32 * K) {
		p[0] = v;
		p[1] = v + 8 * K;
		p[2] = v + 16 * K;
		p[3] = v + 24 * K;
	}
	for (; p < e; p++, v += 8 * K)
		*p = v;
	filled += b - a;
	return 0;
}

void memory_fill(void)
{
	uint64_t t0 = now();

	each_piece(fill);
	say("filled %lu MiB of RAM with its pattern in %lu ms", filled >> 20, ms_since(t0));
}

static __attribute__((noreturn)) void mismatch(uint64_t at, uint64_t got, uint64_t want)
{
	uint64_t seed = got - at * K;

	for (uint32_t c = 0; c < probe.nch; c++)
		if (pattern_seed(probe.ch[c].peer) == seed)
			fail("memory at 0x%lx holds %s's pattern: %s wrote into this kernel's RAM", at,
			     probe.ch[c].peer, probe.ch[c].peer);
	fail("memory at 0x%lx reads 0x%lx, not 0x%lx: something else wrote this kernel's RAM", at, got, want);
}

static int check(uint64_t a, uint64_t b)
{
	const uint64_t *p = (const uint64_t *)(uintptr_t)a, *e = (const uint64_t *)(uintptr_t)b;
	uint64_t v = probe.seed + a * K;

	for (; e - p >= 4; p += 4, v += 32 * K)
		if ((p[0] ^ v) | (p[1] ^ (v + 8 * K)) | (p[2] ^ (v + 16 * K)) | (p[3] ^ (v + 24 * K)))
			break;
	for (; p < e; p++, v += 8 * K)
		if (*p != v)
			mismatch((uint64_t)(uintptr_t)p, *p, v);
	return 0;
}

void memory_verify(void)
{
	uint64_t t0 = now();

	each_piece(check);
	say("verified %lu MiB: no other kernel wrote into this RAM (%lu ms)", filled >> 20, ms_since(t0));
}

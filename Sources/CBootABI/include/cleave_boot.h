/*
 * The cleave boot descriptor and channel layout: the ONE definition shared by
 * the host tool (Swift imports this header through the CBootABI module), the
 * loader and the kernels it starts.
 *
 * All fields are little-endian, fixed width and naturally aligned; every
 * structure's size is pinned by a _Static_assert so a change shows up as a
 * build failure on both sides, never as a silent mismatch.
 *
 * Layout of a descriptor (all offsets from its first byte, each table 8-byte
 * aligned):
 *
 *   struct cleave_desc            header, with the count and offset of each table
 *   struct cleave_kernel[]        one per kernel, in plan order
 *   struct cleave_cpu[]           every CPU the plan uses, grouped by kernel
 *   struct cleave_segment[]       image segments of every kernel
 *   struct cleave_route[]         interrupt routing the loader programs
 *   struct cleave_channel[]       shared-memory channels and their doorbells
 *   struct cleave_range[]         the RAM banks the plan was built for
 *   struct cleave_grant[]         the memory each kernel is granted, grouped by kernel
 *   struct cleave_boot_info[]     what the loader writes into each seL4 boot-info record
 *   uint64_t mpidrs[]             the system core list those records carry (core index -> MPIDR)
 *   struct cleave_window[]        device MMIO each kernel may reach under the fence, grouped by kernel
 *
 * The CRC-32 (IEEE 802.3, reflected, as zlib's crc32) covers the whole
 * descriptor (total_size bytes) computed with the crc32 field set to zero.
 * Payload offsets (segment src_offset, kernel dtb_offset) are relative to the
 * first byte of the descriptor: the packed image is descriptor, DTBs, images.
 */
#ifndef CLEAVE_BOOT_H
#define CLEAVE_BOOT_H

#include <stdint.h>

#define CLEAVE_DESC_MAGIC	0x45564c43u	/* "CLVE" */
#define CLEAVE_DESC_VERSION	4u
#define CLEAVE_NAME_MAX		16

/* cleave_desc.arch */
#define CLEAVE_ARCH_AARCH64	1u
#define CLEAVE_ARCH_RISCV64	2u

/* cleave_desc.boot_mode */
#define CLEAVE_BOOT_PSCI		1u
#define CLEAVE_BOOT_SBI_HSM		2u
#define CLEAVE_BOOT_OPENSBI_DOMAINS	3u
#define CLEAVE_BOOT_SPIN_TABLE		4u

/* cleave_cpu.start: how the loader starts a core (its boot mode's method, per core) */
#define CLEAVE_START_FIRMWARE		0u	/* not the loader: the firmware starts it (OpenSBI domains) */
#define CLEAVE_START_PSCI		1u	/* PSCI CPU_ON through the descriptor's conduit */
#define CLEAVE_START_SPIN_TABLE		2u	/* write the entry to release_addr, clean it to PoC, sev */
#define CLEAVE_START_SBI_HSM		3u	/* SBI HSM hart_start */

/* cleave_desc.ic_kind */
#define CLEAVE_IC_NONE		0u
#define CLEAVE_IC_GICV2		2u
#define CLEAVE_IC_GICV3		3u
#define CLEAVE_IC_PLIC		16u

/* cleave_desc.conduit (how PSCI is called) */
#define CLEAVE_CONDUIT_NONE	0u
#define CLEAVE_CONDUIT_HVC	1u
#define CLEAVE_CONDUIT_SMC	2u

/* cleave_kernel.protocol */
#define CLEAVE_PROTO_ELF	1u	/* x0 / a1 = DTB; entry from the ELF header */
#define CLEAVE_PROTO_LINUX	2u	/* arm64 Image: x0 = DTB, x1-x3 = 0, base 2 MiB aligned + text_offset */
#define CLEAVE_PROTO_SEL4_BOOT_INFO	3u	/* seL4 multikernel: EL1h, MMU on, x0 = record (struct cleave_boot_info) */

/* cleave_kernel.flags */
#define CLEAVE_KERNEL_OWNS_IC		(1u << 0)	/* initialises the distributor / PLIC itself */
#define CLEAVE_KERNEL_RESETS_IC		(1u << 1)	/* resets the whole distributor at boot (Linux): start it first */
#define CLEAVE_KERNEL_MAY_POWER		(1u << 2)	/* under the fence: may SYSTEM_OFF / SYSTEM_RESET the machine */

/*
 * cleave_desc.flags. CLEAVE_DESC_FENCE (AArch64, `isolation: stage2`): the
 * loader stays resident at EL2 and runs every kernel at EL1 behind stage-2
 * translation. A kernel reaches exactly its grants (memory and channels, as
 * Normal memory) and its windows (as Device-nGnRE); on the GIC, its own
 * cores' redistributor frames (GICv3; the other frames' first 64 KiB read
 * only, so a kernel can find its own) or the CPU interface (GICv2). The
 * distributor is unmapped: the fence emulates each access by SPI ownership
 * (the route table). PSCI calls are filtered: CPU_ON, CPU_OFF and
 * AFFINITY_INFO for the kernel's own cores, SYSTEM_OFF and SYSTEM_RESET for
 * a CLEAVE_KERNEL_MAY_POWER kernel. Any other access faults: the fence
 * prints a line and injects a synchronous external abort into the kernel,
 * or, with CLEAVE_DESC_FENCE_STOP, stops that core. SGIs: on GICv2 they are
 * a distributor register and always filtered (a kernel signals its own
 * cores, and a channel peer's doorbell core on that doorbell's SGI); on
 * GICv3 they are system registers, sent without a trap unless
 * CLEAVE_DESC_FENCE_SGIS asks the fence to trap them (ICH_HCR_EL2.TC, which
 * also traps ICC_PMR, ICC_CTLR, ICC_DIR and ICC_RPR) and filter them the
 * same way.
 */
#define CLEAVE_DESC_FENCE		(1u << 0)
#define CLEAVE_DESC_FENCE_STOP		(1u << 1)
#define CLEAVE_DESC_FENCE_SGIS		(1u << 2)

/*
 * A call a kernel behind the fence may make through its PSCI conduit (SMC or
 * HVC; SMCCC fast call, vendor-specific hypervisor service): x0 = the number
 * of traps into the fence the kernel's cores have taken so far, this call
 * not counted. Without the fence the firmware answers NOT_SUPPORTED (-1).
 */
#define CLEAVE_FENCE_CALL_TRAPS		0x86000001u

/* cleave_window.kind */
#define CLEAVE_WINDOW_OWNED		1u	/* MMIO of a device the kernel owns */
#define CLEAVE_WINDOW_SHARED		2u	/* MMIO of a device it shares with other kernels */

/* cleave_cpu.flags */
#define CLEAVE_CPU_BOOT		(1u << 0)	/* the kernel's boot CPU */

/* cleave_channel.flags */
#define CLEAVE_CHANNEL_MULTIPLEXED	(1u << 0)	/* some end shares its doorbell: read the pending bitmap */

/* cleave_desc.doorbell */
#define CLEAVE_DOORBELL_SGI		1u
#define CLEAVE_DOORBELL_SBI_IPI		2u
#define CLEAVE_DOORBELL_ACLINT_SSWI	3u
#define CLEAVE_DOORBELL_POLLING		4u

#define CLEAVE_CHANNEL_MAX_ENDS	4

/* cleave_grant.channel of a kernel's own memory (any other value is a channel index) */
#define CLEAVE_GRANT_MEMORY	0xffffffffu

/*
 * Table limits the loader enforces: it compares every pair of CPUs, routes
 * and grants, so the tables stay small enough for that to be quick.
 */
#define CLEAVE_MAX_CPUS		1024u
#define CLEAVE_MAX_ROUTES	1024u
#define CLEAVE_MAX_GRANTS	1024u

/*
 * The packed image (OUT/image.elf) has one PT_LOAD segment at the load
 * address L = plan loader base + CLEAVE_LOADER_OFFSET, entered at L:
 *   [L, L + CLEAVE_LOADER_SPAN)   the loader (code, data, bss, stack)
 *   L + CLEAVE_LOADER_SPAN        struct cleave_desc, then the payload it indexes
 *   ... + payload_size            struct cleave_end
 * The offset leaves the bottom of RAM to the DTB QEMU places there.
 */
#define CLEAVE_LOADER_OFFSET	0x200000u
#define CLEAVE_LOADER_SPAN	0x10000u

/*
 * The last 16 bytes of a packed image, right after the payload: an image
 * that arrived short (a partial flash or copy, a truncated file) lacks it,
 * and the loader says so instead of reporting a hash it cannot explain.
 */
#define CLEAVE_END_MAGIC	0x444e455f45564c43ull	/* "CLVE_END" */

struct cleave_end {
	uint64_t magic;			/* CLEAVE_END_MAGIC */
	uint64_t payload_size;		/* the descriptor's payload_size, again */
};

/* A physical address range [base, base + size). */
struct cleave_range {
	uint64_t base;
	uint64_t size;
};

struct cleave_desc {
	uint32_t magic;			/* CLEAVE_DESC_MAGIC */
	uint16_t version;		/* CLEAVE_DESC_VERSION */
	uint16_t header_size;		/* sizeof(struct cleave_desc) */
	uint32_t total_size;		/* the descriptor with all its tables */
	uint32_t crc32;			/* over total_size bytes, this field zero */
	uint32_t arch;			/* CLEAVE_ARCH_* */
	uint32_t boot_mode;		/* CLEAVE_BOOT_* */
	uint32_t ic_kind;		/* CLEAVE_IC_*, what the live DTB must show */
	uint32_t ic_owner;		/* index of the kernel that owns the interrupt controller */
	uint64_t ic_base;		/* GICD or PLIC base */
	uint64_t ic_redist_base;	/* GICv3: first GICR frame; GICv2: GICC */
	uint32_t conduit;		/* CLEAVE_CONDUIT_* */
	uint32_t doorbell;		/* CLEAVE_DOORBELL_* */
	uint64_t payload_size;		/* descriptor + DTBs + images, from the first byte */
	uint32_t kernel_count, kernel_offset;
	uint32_t cpu_count, cpu_offset;
	uint32_t segment_count, segment_offset;
	uint32_t route_count, route_offset;
	uint32_t channel_count, channel_offset;
	uint32_t bank_count, bank_offset;
	uint32_t grant_count, grant_offset;
	uint32_t boot_info_count, boot_info_offset;
	uint32_t mpidr_count, mpidr_offset;
	struct cleave_range loader;	/* the plan's loader region: no grant may touch it */
	uint32_t flags;			/* CLEAVE_DESC_* */
	uint32_t reserved;		/* zero */
	uint32_t window_count, window_offset;
};

struct cleave_kernel {
	char name[CLEAVE_NAME_MAX];	/* NUL-padded */
	uint32_t index;
	uint32_t protocol;		/* CLEAVE_PROTO_* */
	uint32_t flags;			/* CLEAVE_KERNEL_* */
	uint32_t boot_cpu;		/* index into the cpu table */
	uint32_t cpu_first, cpu_count;	/* this kernel's CPUs in the cpu table */
	uint32_t segment_first, segment_count;
	uint64_t entry;			/* physical address of the first instruction */
	uint64_t dtb_addr;		/* where the kernel's DTB must be copied */
	uint64_t dtb_size;
	uint64_t dtb_offset;		/* the DTB's bytes in the payload */
	struct cleave_range memory;	/* the kernel's lowest memory range */
	uint64_t image_size;		/* bytes of the image file the hash covers */
	uint64_t image_offset;		/* the image file's bytes in the payload */
	uint8_t image_sha256[32];	/* SHA-256 of the image file */
};

struct cleave_cpu {
	uint64_t hwid;			/* MPIDR affinity bits or hart id */
	uint32_t kernel;		/* index of the kernel that runs on it */
	uint32_t flags;			/* CLEAVE_CPU_* */
	uint32_t start;			/* CLEAVE_START_*: how it is started */
	uint32_t reserved;		/* zero */
	uint64_t release_addr;		/* CLEAVE_START_SPIN_TABLE: its cpu-release-addr (64 bits, 8-aligned); else 0 */
};

struct cleave_segment {
	uint64_t src_offset;		/* bytes in the payload */
	uint64_t dest;			/* physical load address */
	uint64_t file_size;		/* bytes to copy */
	uint64_t mem_size;		/* bytes to occupy; the rest is zeroed (bss) */
};

struct cleave_route {
	uint32_t irq;			/* GIC INTID (SPI) or PLIC source */
	uint32_t kernel;		/* owner */
	uint64_t target;		/* GICv3 IROUTER affinity, or hart id of the owner's boot CPU */
	uint32_t cpu_mask;		/* GICv2 ITARGETSR byte: the owner's boot CPU interface */
	uint32_t priority;		/* GIC priority / PLIC priority to program */
};

struct cleave_channel_end {
	uint32_t kernel;		/* member kernel */
	uint32_t cpu;			/* index into the cpu table of the CPU that receives its doorbell */
	uint32_t irq;			/* SGI number, or 1 (S-mode software interrupt) on RISC-V */
	uint32_t bit;			/* bit in the pending bitmap when multiplexed */
};

struct cleave_channel {
	char name[CLEAVE_NAME_MAX];
	struct cleave_range region;	/* shared memory, starting with struct cleave_channel_header */
	uint32_t end_count;
	uint32_t flags;			/* CLEAVE_CHANNEL_* */
	struct cleave_channel_end ends[CLEAVE_CHANNEL_MAX_ENDS];
};

/*
 * Memory granted to one kernel: its own RAM (channel = CLEAVE_GRANT_MEMORY),
 * or the region of a channel it is a member of (channel = the channel's
 * index), which that channel's other members are granted too. The loader
 * checks the partition again from these: grants of different kernels are
 * disjoint but for a channel both are members of; no grant touches the
 * loader; every segment and DTB lies in its own kernel's memory.
 */
struct cleave_grant {
	struct cleave_range range;
	uint32_t kernel;		/* index of the kernel granted it */
	uint32_t channel;		/* CLEAVE_GRANT_MEMORY, or an index into the channel table */
};

/*
 * Device MMIO a kernel may reach under the fence (CLEAVE_DESC_FENCE): the
 * reg ranges of its owned and shared devices, rounded out to 4 KiB pages,
 * grouped by kernel in kernel order. The interrupt controller's own frames
 * are never windows (the fence maps or emulates them). Empty without the fence.
 */
struct cleave_window {
	struct cleave_range range;	/* 4 KiB aligned base and size */
	uint32_t kernel;		/* index of the kernel that may reach it */
	uint32_t kind;			/* CLEAVE_WINDOW_* */
};

/*
 * The start of every channel region. Each member owns one ring it writes
 * (ring[i] for member i, in the order of cleave_channel.ends); the others only
 * read it. A ring slot is a fixed-size message; head and tail count messages.
 */
#define CLEAVE_CHANNEL_MAGIC	0x4e414843u	/* "CHAN" */
#define CLEAVE_RING_SLOTS	64u
#define CLEAVE_MSG_SIZE		64u

struct cleave_ring {
	volatile uint32_t head;		/* next slot the writer fills */
	volatile uint32_t tail;		/* next slot the reader takes */
	uint32_t reserved[14];		/* keep head/tail of different rings on different cache lines */
	uint8_t slot[CLEAVE_RING_SLOTS][CLEAVE_MSG_SIZE];
};

struct cleave_channel_header {
	volatile uint32_t magic;	/* CLEAVE_CHANNEL_MAGIC once the first member has initialised it */
	/*
	 * Bit i: member i can take doorbells. It sets the bit only after it has
	 * written doorbell_target[i] and doorbell_irq[i] and can receive that
	 * interrupt (enabled it; on seL4, bound it to a notification). A sender
	 * rings member i only once bit i is set: a doorbell sent earlier may be
	 * lost, and on GICv3 an SGI left undelivered stays active and blocks the
	 * receiver's later doorbells.
	 */
	volatile uint32_t ready;
	volatile uint64_t pending[CLEAVE_CHANNEL_MAX_ENDS];	/* per receiving member: bit b = channel end b rang */
	uint32_t reserved[4];
	struct cleave_ring ring[CLEAVE_CHANNEL_MAX_ENDS];
	/*
	 * How to ring member i, written by member i before it sets its ready
	 * bit (a kernel's tree names no foreign CPU, so peers learn it here):
	 * the address of the CPU that takes member i's doorbell, as the sender's
	 * interrupt controller wants it (GICv3: MPIDR affinity, Aff3 in bits
	 * 39:32, for ICC_SGI1R_EL1; GICv2: its CPU-interface bit for the
	 * GICD_SGIR target list; RISC-V: the hart id), and the doorbell
	 * interrupt it listens on (the SGI number on GIC).
	 */
	volatile uint64_t doorbell_target[CLEAVE_CHANNEL_MAX_ENDS];
	volatile uint32_t doorbell_irq[CLEAVE_CHANNEL_MAX_ENDS];
};

/*
 * seL4's multikernel boot protocol (au-ts/seL4 branch multikernel; seL4 pull
 * request 1745 names the record seL4_LoaderInfo). One kernel ELF, linked at a
 * fixed virtual address, is copied afresh to a 2 MiB-aligned physical base per
 * instance and entered at EL1h with the MMU on:
 *   MAIR_EL1  CLEAVE_SEL4_MAIR: index 0 Device-nGnRnE, 1 nGnRE, 2 GRE,
 *             3 Normal non-cacheable, 4 Normal write-back
 *   TCR_EL1   48-bit virtual addresses, 4 KiB granules on both halves
 *   TTBR1_EL1 the kernel's virtual window -> its physical base, Normal
 *             write-back, inner shareable, executable
 *   TTBR0_EL1 identity map of the record (and of the console, as Device)
 *   x0        physical address of the record; TPIDR_EL1 = node index
 *   x1        the kernel's device tree (the kernel ignores x1-x7; cleave's
 *             probe reads its platform from it)
 * The record the loader writes for an instance (little-endian, packed, 8-byte
 * aligned): struct cleave_sel4_record, then the arrays in the order of its
 * counts: one kernel region, the RAM regions (ascending, disjoint: they become
 * untyped memory), the root-task regions (only the first is used), the
 * reserved regions (never handed out; the first is also given to the root
 * task as device untyped: cleave puts the kernel's channel memory there),
 * then the MPIDRs. Every range is [base, end).
 */
#define CLEAVE_SEL4_MAGIC		0x73654c34u	/* "seL4" */
#define CLEAVE_SEL4_VERSION		0u
#define CLEAVE_SEL4_MAX_RAM		16u
#define CLEAVE_SEL4_MAX_RESERVED	18u
#define CLEAVE_SEL4_ALIGN		0x200000u	/* the kernel's base, and the unit it maps */
#define CLEAVE_SEL4_MAIR		0x0000aaff440c0400ull

struct cleave_sel4_record {
	uint32_t magic;			/* CLEAVE_SEL4_MAGIC */
	uint8_t version;		/* CLEAVE_SEL4_VERSION */
	uint8_t pad0[3];
	uint64_t root_entry;		/* virtual */
	uint8_t kernel_regions;		/* always 1 */
	uint8_t ram_regions;
	uint8_t root_regions;		/* always 1 */
	uint8_t reserved_regions;
	uint8_t mpidrs;
	uint8_t pad1[3];
};

struct cleave_sel4_region {
	uint64_t base;
	uint64_t end;			/* exclusive */
};

struct cleave_sel4_root_region {
	uint64_t paddr_base;
	uint64_t paddr_end;		/* exclusive */
	uint64_t vaddr_base;
	uint64_t pad;
};

/*
 * What the loader needs for one seL4 instance, computed and checked by the
 * host tool: where the record goes and what it says, where the kernel window
 * and the root task are, and the instance's node index. The loader writes the
 * record from this alone (plus the descriptor's MPIDR table), copies the
 * kernel's and the root task's segments (ordinary cleave_segment entries of
 * the kernel), and builds the instance's translation tables from window,
 * record and the live console.
 */
struct cleave_boot_info {
	uint32_t kernel;		/* index of the kernel it describes */
	uint32_t node;			/* TPIDR_EL1: its boot core's place in the MPIDR table */
	uint64_t record;		/* physical address of the record (4 KiB aligned, in the kernel's memory) */
	uint64_t record_size;		/* bytes set aside for it */
	struct cleave_range window;	/* the kernel region: physical base, bytes mapped (2 MiB multiple) */
	uint64_t window_vaddr;		/* virtual address of window.base */
	uint64_t entry_vaddr;		/* the kernel's entry, virtual */
	struct cleave_range root;	/* the root task's physical region */
	uint64_t root_vaddr;		/* virtual address of root.base */
	uint64_t root_entry;		/* the root task's entry, virtual */
	uint32_t ram_count;		/* 1 to CLEAVE_SEL4_MAX_RAM */
	uint32_t reserved_count;	/* 1 to CLEAVE_SEL4_MAX_RESERVED */
	struct cleave_range ram[CLEAVE_SEL4_MAX_RAM];
	struct cleave_range reserved[CLEAVE_SEL4_MAX_RESERVED];
};

/* Bytes of a record with these counts (one kernel and one root-task region). */
#define CLEAVE_SEL4_RECORD_SIZE(ram, reserved, mpidrs)                                              \
	(sizeof(struct cleave_sel4_record) + 2 * sizeof(struct cleave_sel4_region) +                  \
	 sizeof(struct cleave_sel4_root_region) + (uint64_t)(ram + reserved) * sizeof(struct cleave_sel4_region) + \
	 (uint64_t)(mpidrs) * 8)

_Static_assert(sizeof(struct cleave_sel4_record) == 0x18, "cleave_sel4_record");
_Static_assert(__builtin_offsetof(struct cleave_sel4_record, root_entry) == 8, "cleave_sel4_record.root_entry");
_Static_assert(__builtin_offsetof(struct cleave_sel4_record, kernel_regions) == 16, "cleave_sel4_record counts");
_Static_assert(__builtin_offsetof(struct cleave_sel4_record, mpidrs) == 20, "cleave_sel4_record.mpidrs");
_Static_assert(sizeof(struct cleave_sel4_region) == 16, "cleave_sel4_region");
_Static_assert(sizeof(struct cleave_sel4_root_region) == 0x20, "cleave_sel4_root_region");
_Static_assert(__builtin_offsetof(struct cleave_sel4_root_region, vaddr_base) == 16, "cleave_sel4_root_region.vaddr_base");
_Static_assert(sizeof(struct cleave_boot_info) == 96 + (CLEAVE_SEL4_MAX_RAM + CLEAVE_SEL4_MAX_RESERVED) * 16,
	       "cleave_boot_info");
_Static_assert(__builtin_offsetof(struct cleave_boot_info, ram) == 96, "cleave_boot_info.ram");
_Static_assert(sizeof(struct cleave_range) == 16, "cleave_range");
_Static_assert(sizeof(struct cleave_end) == 16, "cleave_end");
_Static_assert(sizeof(struct cleave_desc) == 168, "cleave_desc");
_Static_assert(sizeof(struct cleave_window) == 24, "cleave_window");
_Static_assert(sizeof(struct cleave_kernel) == 144, "cleave_kernel");
_Static_assert(sizeof(struct cleave_cpu) == 32, "cleave_cpu");
_Static_assert(sizeof(struct cleave_segment) == 32, "cleave_segment");
_Static_assert(sizeof(struct cleave_route) == 24, "cleave_route");
_Static_assert(sizeof(struct cleave_channel_end) == 16, "cleave_channel_end");
_Static_assert(sizeof(struct cleave_channel) == 104, "cleave_channel");
_Static_assert(sizeof(struct cleave_grant) == 24, "cleave_grant");
_Static_assert(sizeof(struct cleave_ring) == 64 + CLEAVE_RING_SLOTS * CLEAVE_MSG_SIZE, "cleave_ring");
_Static_assert(sizeof(struct cleave_channel_header) == 56 + CLEAVE_CHANNEL_MAX_ENDS * (sizeof(struct cleave_ring) + 12),
	       "cleave_channel_header");

#endif /* CLEAVE_BOOT_H */

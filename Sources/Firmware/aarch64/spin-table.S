/*
 * A spin-table boot stub for QEMU's virt machine: the part of a board's
 * firmware that Raspberry Pi's armstub8 is. cleave run hands it to QEMU with
 * -bios on boards whose cores start by spin-table (virt,secure=on: QEMU then
 * has no PSCI of its own and starts every CPU here, at EL3, MMU off).
 *
 * Every core: let EL2 use the GIC's system registers, then drop to EL2h with
 * interrupts masked. The primary (CPU 0) first gives the GIC to the
 * non-secure side (GICD_CTLR.DS), as firmware does before it boots an OS
 * that expects to own the distributor, then enters the image whose entry and
 * DTB the mailbox holds (x0 = DTB, x1-x3 = 0); cleave run writes both with
 * QEMU's generic loader, as the Raspberry Pi firmware writes kernel_entry32
 * and dtb_ptr32 into armstub8. Every other core waits with wfe on its own
 * release address, 64 bits at SPIN_PAGE + 8 * its index, until a nonzero
 * value appears there, then jumps to it with x0-x3 = 0: the protocol Linux's
 * Documentation/arch/arm64/booting.rst gives for enable-method "spin-table".
 *
 * The board tree names the same addresses in each CPU's cpu-release-addr and
 * reserves the page (dts/qemu-virt-aarch64-spin-table.dts). RAM starts
 * zeroed, so no core leaves before someone writes its address.
 *
 * QEMU's flash at 0 is secure-only under secure=on: the part that runs at
 * non-secure EL2 (el2_start to el2_end, position-independent) is copied into
 * the reserved page, where Raspberry Pi's stub runs from too, by each core
 * before it leaves EL3 (the same bytes, so the copies cannot disturb one
 * another).
 */

/*
 * The reserved page, in RAM just above a 16 MiB loader region: release
 * addresses of up to 64 cores at +0, the EL2 code (about 100 bytes) at
 * +0x400, the mailbox at +0x800.
 */
#define SPIN_PAGE	0x41000000
#define EL2_CODE	(SPIN_PAGE + 0x400)
#define MAILBOX_ENTRY	(SPIN_PAGE + 0x800)
/* QEMU virt (GICv3): the distributor. */
#define GICD_BASE	0x08000000
#define GICD_CTLR_DS	(1 << 6)
/* SCR_EL3: NS, RES1 bits 5:4, SMD (no monitor here: smc is undefined), HCE, RW (EL2 is AArch64). */
#define SCR_VALUE	((1 << 0) | (3 << 4) | (1 << 7) | (1 << 8) | (1 << 10))
/* SPSR_EL3: EL2h, D, A, I and F masked. */
#define SPSR_EL2H	0x3c9
/* SCTLR_EL2: its RES1 bits; MMU, caches and alignment checks off. */
#define SCTLR_EL2_RES1	0x30c50830
/* ICC_SRE_ELx: SRE, DFB, DIB, and (EL3, EL2) Enable: lower levels may use their own ICC_SRE. */
#define ICC_SRE_ALL	0xf

	.section .text.entry, "ax"
	.global	_start
_start:
	msr	daifset, #0xf
	mov	x0, #ICC_SRE_ALL
	msr	S3_6_C12_C12_5, x0		/* ICC_SRE_EL3 */
	isb
	msr	S3_4_C12_C9_5, x0		/* ICC_SRE_EL2 */
	isb
	msr	cptr_el3, xzr			/* no traps of FP/SIMD to EL3 */
	mov	x0, #SCR_VALUE
	msr	scr_el3, x0
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	mov	x0, #(1 << 31)			/* HCR_EL2.RW: EL1 is AArch64 */
	msr	hcr_el2, x0
	mov	x0, #3				/* CNTHCTL_EL2: EL1 may read the physical counter and timer */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr

	/* The index: Aff0 + 16 * Aff1 (QEMU virt numbers GICv3 clusters of 16). */
	mrs	x1, mpidr_el1
	and	x2, x1, #0xff
	ubfx	x3, x1, #8, #8
	add	x19, x2, x3, lsl #4
	cbnz	x19, 1f
	ldr	x0, =GICD_BASE
	mov	w1, #GICD_CTLR_DS
	str	w1, [x0]
1:
	adr	x1, el2_start
	adr	x2, el2_end
	ldr	x3, =EL2_CODE
	mov	x4, x3
2:	ldr	x5, [x1], #8
	str	x5, [x4], #8
	cmp	x1, x2
	b.lo	2b
	dsb	sy
	ic	iallu
	dsb	sy
	isb
	mov	x0, #SPSR_EL2H
	msr	spsr_el3, x0
	msr	elr_el3, x3
	eret
	.ltorg

/* Runs from EL2_CODE: PC-relative branches only, constants built in registers. */
	.balign	8
el2_start:
	cbz	x19, primary
	movz	x5, #(SPIN_PAGE >> 16), lsl #16
	movk	x5, #(SPIN_PAGE & 0xffff)
	add	x5, x5, x19, lsl #3
spin:
	wfe
	ldr	x4, [x5]
	cbz	x4, spin
	b	enter

primary:
	movz	x5, #(MAILBOX_ENTRY >> 16), lsl #16
	movk	x5, #(MAILBOX_ENTRY & 0xffff)
	ldr	x4, [x5]
	ldr	x0, [x5, #8]			/* MAILBOX_DTB */
	cbnz	x4, 2f
3:	wfe					/* nothing to boot */
	b	3b
2:	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4

enter:
	mov	x0, xzr
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4
	.balign	8
el2_end:

/*
 * The seL4 multikernel entry of the AArch64 loader: the one piece of the
 * loader that runs with an MMU on (the EL1 one, set up for the kernel).
 */
#include "launch.h"

	.text
	.balign	4
/*
 * aarch64_enter_sel4(slot): enter a seL4 multikernel instance as its launch
 * slot says (cleave_boot.h has the protocol). The EL1 translation regime is
 * set up from here, at EL2 or EL1, with the MMU off at the current EL: MAIR
 * with the kernel's attribute indexes, TCR with 48-bit virtual addresses and
 * 4 KiB granules on both halves (IPS from ID_AA64MMFR0_EL1.PARange), the
 * slot's TTBR0 and TTBR1, and TPIDR_EL1 = node. From EL2, EL1 runs AArch64
 * with stage 2 off, its counter, timer and FP untrapped, and on a GICv3 the
 * system-register interface enabled for it (ICC_SRE_EL2.Enable and SRE).
 * SCTLR_EL1 then turns on the MMU and caches, and ERET goes to the entry at
 * EL1h with DAIF masked, x0 = the record, x1 = the kernel's DTB. At EL1 the
 * MMU is on from the SCTLR write: TTBR0 maps this code, so the ERET is reached.
 */
#define TCR_EL1_48BIT	0xb5103510	/* T0SZ=T1SZ=16, WB WA inner shareable walks, TG0 4K, TG1 4K */
#define SCTLR_EL1_MMU	0x30d01805	/* RES1 bits, M, C, I */
#define SPSR_EL1H	0x3c5		/* EL1h, DAIF masked */
#define ICC_SRE_EL2	s3_4_c12_c9_5

	.global	aarch64_enter_sel4
	.type	aarch64_enter_sel4, %function
aarch64_enter_sel4:
	mov	x1, x0
	ldr	x2, =CLEAVE_SEL4_MAIR_VALUE
	msr	mair_el1, x2
	mrs	x3, id_aa64mmfr0_el1
	and	x3, x3, #7
	ldr	x2, =TCR_EL1_48BIT
	orr	x2, x2, x3, lsl #32
	msr	tcr_el1, x2
	ldr	x2, [x1, #LAUNCH_TTBR0]
	msr	ttbr0_el1, x2
	ldr	x2, [x1, #LAUNCH_TTBR1]
	msr	ttbr1_el1, x2
	ldr	x2, [x1, #LAUNCH_NODE]
	msr	tpidr_el1, x2
	ldr	x4, [x1, #LAUNCH_ENTRY]
	ldr	x0, [x1, #LAUNCH_RECORD]
	ldr	x5, [x1, #LAUNCH_DTB]
	ldr	x6, =SCTLR_EL1_MMU
	mov	x7, #SPSR_EL1H
	isb
	tlbi	vmalle1
	dsb	ish
	isb
	mrs	x2, CurrentEL
	cmp	x2, #(2 << 2)
	b.ne	2f
	mov	x2, #(1 << 31)			/* HCR_EL2.RW: EL1 is AArch64; VM off */
	msr	hcr_el2, x2
	mrs	x2, cnthctl_el2
	orr	x2, x2, #3			/* EL1PCTEN, EL1PCEN */
	msr	cnthctl_el2, x2
	msr	cntvoff_el2, xzr
	mov	x2, #0x33ff			/* CPTR_EL2: no FP/SIMD trap */
	msr	cptr_el2, x2
	mrs	x2, id_aa64pfr0_el1
	ubfx	x2, x2, #24, #4			/* GIC system registers */
	cbz	x2, 1f
	mrs	x2, ICC_SRE_EL2
	orr	x2, x2, #0xf			/* SRE, DFB, DIB, Enable */
	msr	ICC_SRE_EL2, x2
	isb
1:	msr	sctlr_el1, x6
	msr	spsr_el2, x7
	msr	elr_el2, x4
	mov	x1, x5
	isb
	eret
2:	msr	spsr_el1, x7
	msr	elr_el1, x4
	mov	x1, x5
	msr	sctlr_el1, x6
	isb
	eret
	.balign	8
	.ltorg
	.size	aarch64_enter_sel4, . - aarch64_enter_sel4


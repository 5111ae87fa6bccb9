/*
 * The probe kernel's start-up: the boot core (from cleave's loader, x0 =
 * this kernel's DTB) and its secondaries (from PSCI CPU_ON, x0 = the slot
 * the boot core gave as context, or from a spin-table release). MMU and
 * caches off, interrupts masked.
 * Linked at seL4's kernel address it is started by seL4's multikernel boot
 * protocol instead: EL1, MMU on, x0 = its boot-info record, x1 = its DTB
 * (aarch64/boot_info.c). Either way _start counts the non-zero words of
 * .bss before it zeroes it: the loader must have zeroed it.
 */
#include "probe.h"

	.section .text.entry, "ax"
	.global	_start
	.type	_start, %function
_start:
	mrs	x20, cntvct_el0		/* first: the counter at entry, for boot-cost figures */
	msr	daifset, #0xf
	mov	x19, x0
	mov	x21, x1
	mov	x22, xzr

	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
0:	cmp	x1, x2
	b.hs	1f
	ldr	x3, [x1], #8
	cmp	x3, xzr
	cinc	x22, x22, ne
	b	0b
1:	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
3:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	3b

2:	adrp	x1, boot_stack
	add	x1, x1, :lo12:boot_stack
	add	x1, x1, #PROBE_BOOT_STACK
	mov	sp, x1
	bl	set_vbar
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	mov	x3, x22
	bl	aarch64_probe_start
	b	park
	.size	_start, . - _start

/* A secondary: x0 = its slot. Each slot has its own stack. */
	.global	probe_secondary_entry
	.type	probe_secondary_entry, %function
probe_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	cmp	x0, #PROBE_MAX_CPUS
	b.hs	park
	adrp	x1, cpu_stacks
	add	x1, x1, :lo12:cpu_stacks
	add	x2, x0, #1
	add	x1, x1, x2, lsl #PROBE_CPU_STACK_SHIFT
	mov	sp, x1
	bl	set_vbar
	mov	x0, x19
	bl	probe_secondary
	b	park
	.size	probe_secondary_entry, . - probe_secondary_entry

/*
 * A secondary released by spin-table (x0 = 0, as the firmware leaves it):
 * the boot core starts one core at a time, so probe_spin_slot is ours.
 */
	.global	probe_spin_entry
	.type	probe_spin_entry, %function
probe_spin_entry:
	adrp	x0, probe_spin_slot
	add	x0, x0, :lo12:probe_spin_slot
	ldr	x0, [x0]
	b	probe_secondary_entry
	.size	probe_spin_entry, . - probe_spin_entry

set_vbar:
	adrp	x0, aarch64_vectors
	add	x0, x0, :lo12:aarch64_vectors
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	1f
	msr	vbar_el2, x0
	isb
	ret
1:	msr	vbar_el1, x0
	isb
	ret

/* probe_write0(s): semihosting SYS_WRITE0 (0x04), one whole string. */
	.global	probe_write0
	.type	probe_write0, %function
probe_write0:
	mov	x1, x0
	mov	x0, #0x04
	hlt	#0xf000
	ret
	.size	probe_write0, . - probe_write0

	.global	park
	.type	park, %function
park:
	msr	daifset, #0xf
1:	wfi
	b	1b
	.size	park, . - park

	.bss
	.balign	16
boot_stack:
	.space	PROBE_BOOT_STACK
cpu_stacks:
	.space	(1 << PROBE_CPU_STACK_SHIFT) * PROBE_MAX_CPUS

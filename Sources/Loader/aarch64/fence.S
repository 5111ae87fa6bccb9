/*
 * aarch64_fence_enter(fc): enter this core's kernel at EL1 behind the EL2
 * fence (fence.h), as its fence record says. The boot core of each kernel
 * comes here from the trampoline, every other core from PSCI CPU_ON (or a
 * powering-down CPU_SUSPEND) with x0 = its record, MMU and caches off.
 * Takes the core's own EL2 stack (the trap vector saves its frames there),
 * keeps the record in TPIDR_EL2, points VBAR_EL2 at the loader's table, lets aarch64_fence_core program EL2 (stage
 * 2, traps, the EL1 view of the core) and the return state, then erets to
 * the entry at EL1h with DAIF masked, x0 = the context, x1-x3 = 0.
 */
#include "fence.h"

	.text
	.global	aarch64_fence_enter
	.type	aarch64_fence_enter, %function
	.balign	4
aarch64_fence_enter:
	msr	daifset, #0xf
	ldr	x1, [x0, #FENCE_STACK]
	mov	sp, x1
	msr	tpidr_el2, x0
	adr	x1, _start			/* the loader's vector table, on cores it did not start itself */
	msr	vbar_el2, x1
	mov	x19, x0
	bl	aarch64_fence_core
	ldr	x0, [x19, #FENCE_CONTEXT]
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x19, xzr
	mov	x30, xzr
	eret
	.size	aarch64_fence_enter, . - aarch64_fence_enter

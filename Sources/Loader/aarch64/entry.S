/*
 * Loader start-up and the trampoline for the cores it starts.
 *
 * The loader is one position-independent blob: every address below is
 * formed PC-relative (adr/adrp), so it runs wherever the image was loaded.
 */
#include "fence.h"
#include "launch.h"

	.section .text.entry, "ax"

/*
 * The loader's start doubles as its exception vector table (VBAR = _start,
 * hence the 2 KiB alignment). The loader runs on SP_ELx with IRQ, FIQ and
 * SError masked, so the entries that can be taken are "current EL, SPx,
 * synchronous" at 0x200 (a fault) and, once the EL2 fence runs kernels at
 * EL1 (fence.h), "lower EL, AArch64, synchronous" at 0x400 (their traps;
 * their interrupts go to EL1). This file's code fills the slots between.
 *
 * _start: the one core the machine started, at EL2 or EL1, MMU and caches
 * off. x0 holds a DTB if the previous stage passed one (QEMU passes 0 for
 * an ELF). Mask interrupts, take the loader's stack, zero .bss, point VBAR
 * at the table, then loader_main(x0, our own address).
 */
	.balign	2048
	.global	_start
	.type	_start, %function
_start:
	msr	daifset, #0xf
	mov	x19, x0

	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1

	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b

2:	adr	x0, _start
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	3f
	msr	vbar_el2, x0
	b	4f
3:	msr	vbar_el1, x0
4:	isb

	mov	x0, x19
	adr	x1, _start
	bl	loader_main
5:	wfe
	b	5b
	.size	_start, . - _start


/*
 * aarch64_trampoline: where PSCI CPU_ON starts a kernel's boot core, with
 * x0 = the context the loader gave (the kernel index), MMU and caches off
 * (PSCI guarantees both). Runs the launch protocol of launch.h: check in
 * with our MPIDR affinity, wait for go and not_before, then enter the kernel
 * with x0 = its DTB and x1-x3 = 0 (the Linux arm64 boot protocol; ELF
 * kernels read x0 only). Uses no stack and no memory but its launch slot.
 */
	.global	aarch64_trampoline
	.type	aarch64_trampoline, %function
	.balign	8
aarch64_trampoline:
	msr	daifset, #0xf
#ifdef LOADER_FAULT_SILENT_CORES
	/* Fault-injection build (make loader-faults): no started core ever checks in. */
9:	wfe
	b	9b
#endif
	adrp	x1, loader_launch
	add	x1, x1, :lo12:loader_launch
	add	x1, x1, x0, lsl #LAUNCH_SLOT_SHIFT

	mrs	x2, mpidr_el1
	ubfx	x3, x2, #32, #8			/* Aff3 */
	and	x2, x2, #0xffffff		/* Aff2.Aff1.Aff0 */
	orr	x2, x2, x3, lsl #32
	orr	x2, x2, #(1 << LAUNCH_CHECKED_IN_BIT)
	str	x2, [x1, #LAUNCH_CHECKIN]
	dsb	sy
	sev

1:	ldr	x2, [x1, #LAUNCH_GO]
	cbnz	x2, 2f
	wfe
	b	1b

2:	ldr	x2, [x1, #LAUNCH_NOT_BEFORE]
3:	isb
	mrs	x3, cntpct_el0
	cmp	x3, x2
	b.lo	3b

	ldr	x2, [x1, #LAUNCH_MODE]
	mov	x0, x1
	cmp	x2, #LAUNCH_MODE_FENCE
	b.ne	4f
	ldr	x0, [x1, #LAUNCH_FENCE]
	b	aarch64_fence_enter
4:	cbnz	x2, aarch64_enter_sel4
	ldr	x4, [x1, #LAUNCH_ENTRY]
	ldr	x0, [x1, #LAUNCH_DTB]
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4
	.size	aarch64_trampoline, . - aarch64_trampoline

/*
 * A synchronous exception in the loader (a bug: it expects none) reports
 * fail("exception: ESR, ELR, FAR") and parks; a second one, say from fail()
 * itself, just parks.
 */
fault:
	adrp	x4, fault_taken
	add	x4, x4, :lo12:fault_taken
	ldr	w5, [x4]
	cbnz	w5, 3f
	str	w4, [x4]
	mrs	x3, CurrentEL
	cmp	x3, #(2 << 2)
	b.ne	1f
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	b	2f
1:	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
2:	adr	x0, fault_message
	b	fail
3:	wfe
	b	3b
fault_message:
	.asciz	"exception: ESR 0x%lx, ELR 0x%lx, FAR 0x%lx"

/* Current EL, SPx, synchronous. */
	.org	0x200
	b	fault

/* The second half of a fence trap (0x400): restore the kernel's registers and return to it. */
fence_return:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FENCE_FRAME
	eret

/*
 * aarch64_enter_kernel(entry, dtb): enter a kernel on this core the same
 * way, making sure the MMU and D-cache are off at the current EL (they are
 * already under QEMU; the loader never turns them on).
 */
	.global	aarch64_enter_kernel
	.type	aarch64_enter_kernel, %function
aarch64_enter_kernel:
	mov	x4, x0
	mrs	x5, CurrentEL
	cmp	x5, #(2 << 2)
	b.ne	1f
	mrs	x6, sctlr_el2
	bic	x6, x6, #(1 << 0)		/* M: MMU */
	bic	x6, x6, #(1 << 2)		/* C: D-cache */
	msr	sctlr_el2, x6
	b	2f
1:	mrs	x6, sctlr_el1
	bic	x6, x6, #(1 << 0)
	bic	x6, x6, #(1 << 2)
	msr	sctlr_el1, x6
2:	isb
	mov	x0, x1
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4
	.size	aarch64_enter_kernel, . - aarch64_enter_kernel

/*
 * Cache maintenance by address to the point of coherency, for the loader's
 * copies and the launch slots it shares with cores whose MMU is off.
 * aarch64_dcache_clean(base, size): clean and invalidate every line of
 * [base, base + size) (CTR_EL0.DminLine gives the line size), then DSB.
 */
	.global	aarch64_dcache_clean
	.type	aarch64_dcache_clean, %function
aarch64_dcache_clean:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3			/* line size in bytes */
	add	x1, x0, x1			/* end */
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	civac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret
	.size	aarch64_dcache_clean, . - aarch64_dcache_clean

/* aarch64_icache_sync(): make new code visible to instruction fetch on every core. */
	.global	aarch64_icache_sync
	.type	aarch64_icache_sync, %function
aarch64_icache_sync:
	dsb	ish
	ic	ialluis
	dsb	ish
	isb
	ret
	.size	aarch64_icache_sync, . - aarch64_icache_sync

/*
 * aarch64_spin_trampoline: where a spin-table core starts when the loader
 * releases it (x0 = 0, as the firmware leaves it). The loader starts one
 * core at a time and waits for it to check in, so the one context word it
 * set (the kernel index) is this core's: take it and go on exactly as a
 * core PSCI started.
 */
	.global	aarch64_spin_trampoline
	.type	aarch64_spin_trampoline, %function
	.balign	8
aarch64_spin_trampoline:
	adrp	x0, aarch64_spin_context
	add	x0, x0, :lo12:aarch64_spin_context
	ldr	x0, [x0]
	b	aarch64_trampoline
	.size	aarch64_spin_trampoline, . - aarch64_spin_trampoline

/*
 * aarch64_spin_wait(release_addr): give this core back to its spin-table
 * wait, as the firmware parked it: wfe until the release address holds an
 * entry, then jump there with x0-x3 = 0. The loader's region stays out of
 * every kernel's memory, so this code stays intact while it waits.
 */
	.global	aarch64_spin_wait
	.type	aarch64_spin_wait, %function
aarch64_spin_wait:
	msr	daifset, #0xf
1:	wfe
	ldr	x4, [x0]
	cbz	x4, 1b
	mov	x0, xzr
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4
	.size	aarch64_spin_wait, . - aarch64_spin_wait

/*
 * Lower EL, AArch64, synchronous: a kernel behind the fence trapped (HVC,
 * SMC, a stage-2 abort). Save its registers as a struct fence_frame on this
 * core's EL2 stack and let aarch64_fence_trap() handle it.
 */
	.org	0x400
	sub	sp, sp, #FENCE_FRAME
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x0, sp
	bl	aarch64_fence_trap
	b	fence_return

	.bss
	.balign	4
fault_taken:
	.space	4

/*
 * RISC-V loader start-up and the trampoline for the harts it starts.
 *
 * The loader is one position-independent blob: every address below is
 * formed PC-relative (lla = auipc + addi), so it runs wherever the image
 * was loaded. No gp: nothing is addressed relative to a global pointer.
 */
#include "launch.h"

	.section .text.entry, "ax"

/*
 * _start: the hart OpenSBI booted (whichever won its lottery), in S-mode,
 * a0 = hart id, a1 = the live DTB, satp = 0, interrupts off. Keep the hart
 * id in tp (S-mode cannot read mhartid), take the loader's stack, zero .bss,
 * point stvec at the fault report, then loader_main(a1, our own address).
 *
 * Only the first hart here runs the loader. OpenSBI 1.1 can send a hart the
 * loader starts with HSM here, to the firmware's own next address, instead
 * of to the trampoline (seen on a loaded host, when the hart reaches its warm
 * boot late). Such a hart finds the launch slot that names its hart id and
 * goes on as the trampoline would; one that finds none parks.
 */
	.global	_start
	.type	_start, %function
_start:
	csrw	sie, zero
	csrci	sstatus, 2			/* SIE */
	lla	t0, loader_entered
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, late
	mv	tp, a0
	mv	s0, a1

	lla	sp, __stack_top
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b

2:	lla	t0, fault
	csrw	stvec, t0

	mv	a0, s0
	lla	a1, _start
	call	loader_main
3:	wfi
	j	3b

late:
	lla	t0, loader_launch
	li	t2, LOADER_MAX_KERNELS
	li	a1, 0
	fence	r, rw
4:	ld	t3, LAUNCH_ENTRY(t0)
	ld	t1, LAUNCH_HWID(t0)
	beqz	t3, 5f
	beq	t1, a0, riscv_trampoline	/* a0 = hart id, a1 = the kernel index */
5:	addi	t0, t0, 1 << LAUNCH_SLOT_SHIFT
	addi	a1, a1, 1
	bltu	a1, t2, 4b
6:	wfi
	j	6b
	.size	_start, . - _start

	.section .data.entered, "aw"
	.balign	4
loader_entered:
	.word	0

/*
 * riscv_trampoline: where SBI HSM hart_start starts a kernel's boot hart, in
 * S-mode with a0 = its hart id, a1 = the context the loader gave (the kernel
 * index), satp = 0, interrupts off (the SBI guarantees all three). Runs the
 * launch protocol of launch.h: check in with the hart id, wait for go and
 * not_before, then enter the kernel with a0 = hart id, a1 = its DTB.
 * Uses no stack and no memory but its launch slot.
 */
	.global	riscv_trampoline
	.type	riscv_trampoline, %function
	.balign	4
riscv_trampoline:
	csrw	sie, zero
#ifdef LOADER_FAULT_SILENT_CORES
	/* Fault-injection build (make loader-faults): no started hart ever checks in. */
9:	wfi
	j	9b
#endif
	lla	t0, loader_launch
	slli	t1, a1, LAUNCH_SLOT_SHIFT
	add	t0, t0, t1

	li	t1, 1
	slli	t1, t1, LAUNCH_CHECKED_IN_BIT
	or	t1, t1, a0
	fence	rw, rw
	sd	t1, LAUNCH_CHECKIN(t0)
	fence	rw, rw

1:	ld	t1, LAUNCH_GO(t0)
	beqz	t1, 1b
	fence	r, rw

	ld	t1, LAUNCH_NOT_BEFORE(t0)
2:	rdtime	t2
	bltu	t2, t1, 2b

	ld	t3, LAUNCH_ENTRY(t0)
	ld	a1, LAUNCH_DTB(t0)
	fence.i					/* the loader copied this kernel's code */
	jr	t3
	.size	riscv_trampoline, . - riscv_trampoline

/*
 * riscv_enter_kernel(entry, dtb): enter a kernel on this hart the same way,
 * a0 = hart id, a1 = DTB, satp = 0 (never set by the loader; made sure).
 */
	.global	riscv_enter_kernel
	.type	riscv_enter_kernel, %function
riscv_enter_kernel:
	mv	t0, a0
	csrw	satp, zero
	sfence.vma
	fence.i
	mv	a0, tp
	jr	t0
	.size	riscv_enter_kernel, . - riscv_enter_kernel

/*
 * A trap in the loader (a bug: it expects none, interrupts stay off) reports
 * fail("exception: scause, sepc, stval") and parks; a second one, say from
 * fail() itself, just parks. stvec needs 4-byte alignment (direct mode).
 */
	.balign	4
fault:
	lla	a4, fault_taken
	lw	a5, 0(a4)
	bnez	a5, 1f
	sw	a4, 0(a4)
	csrr	a1, scause
	csrr	a2, sepc
	csrr	a3, stval
	lla	a0, fault_message
	tail	fail
1:	wfi
	j	1b

	.section .rodata.fault, "a"
fault_message:
	.asciz	"exception: scause 0x%lx, sepc 0x%lx, stval 0x%lx"

	.bss
	.balign	4
fault_taken:
	.space	4

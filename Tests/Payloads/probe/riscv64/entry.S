/*
 * The RISC-V probe kernel's start-up: the boot hart (from cleave's loader,
 * a0 = hart id, a1 = this kernel's DTB) and its other harts (from SBI HSM
 * hart_start, a0 = hart id, a1 = the slot the boot hart gave as opaque).
 * S-mode, satp = 0, interrupts off. tp holds the hart id from here on:
 * S-mode cannot read mhartid.
 */
#include "probe.h"

	.section .text.entry, "ax"
	.global	_start
	.type	_start, %function
_start:
	rdtime	s1			/* first: the counter at entry, for boot-cost figures */
	csrw	sie, zero
	mv	tp, a0
	mv	s0, a1
	lla	sp, boot_stack + PROBE_BOOT_STACK

	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b

2:	lla	t0, trap
	csrw	stvec, t0
	mv	a0, s0
	mv	a1, s1
	call	probe_main
	j	park
	.size	_start, . - _start

/* Another hart: a1 = its slot. Each slot has its own stack. */
	.global	probe_secondary_entry
	.type	probe_secondary_entry, %function
probe_secondary_entry:
	csrw	sie, zero
	mv	tp, a0
	li	t0, PROBE_MAX_CPUS
	bgeu	a1, t0, park
	lla	sp, cpu_stacks
	addi	t0, a1, 1
	slli	t0, t0, PROBE_CPU_STACK_SHIFT
	add	sp, sp, t0
	lla	t0, trap
	csrw	stvec, t0
	mv	a0, a1
	call	probe_secondary
	j	park
	.size	probe_secondary_entry, . - probe_secondary_entry

/*
 * Any trap is a bug (interrupts stay off): report it (riscv64/cpu.c), unless
 * it is one riscv_probe_load or riscv_probe_store asked for. stvec: 4-byte
 * aligned, direct.
 */
	.balign	4
trap:
	csrr	t0, sepc
	lla	t1, probe_load
	lla	t2, probe_resume
	beq	t0, t1, 2f
	lla	t1, probe_store
	lla	t2, probe_store_resume
	bne	t0, t1, 1f
2:	csrw	sepc, t2
	csrr	a0, scause
	csrr	a1, stval
	sret
1:	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	probe_trap

/*
 * riscv_probe_load(addr): a load where a fault is expected. Returns a0 = 0,
 * a1 = the word at addr; or, if the load faults, a0 = scause, a1 = stval:
 * trap resumes after it with those in place of the result.
 * riscv_probe_store(addr): the same for a store of 0.
 */
	.global	riscv_probe_load
	.type	riscv_probe_load, %function
riscv_probe_load:
	mv	t0, a0
	li	a0, 0
probe_load:
	ld	a1, 0(t0)
probe_resume:
	ret
	.size	riscv_probe_load, . - riscv_probe_load

	.global	riscv_probe_store
	.type	riscv_probe_store, %function
riscv_probe_store:
	mv	t0, a0
	li	a0, 0
probe_store:
	sd	zero, 0(t0)
probe_store_resume:
	ret
	.size	riscv_probe_store, . - riscv_probe_store

/*
 * probe_write0(s): semihosting SYS_WRITE0 (0x04), one whole string. QEMU
 * recognises the ebreak only between these two exact 32-bit instructions
 * on one page: no compressed forms, and 16-byte alignment keeps the three
 * together.
 */
	.global	probe_write0
	.type	probe_write0, %function
probe_write0:
	mv	a1, a0
	li	a0, 0x04
	.option	push
	.option	norvc
	.balign	16
	slli	x0, x0, 0x1f
	ebreak
	srai	x0, x0, 7
	.option	pop
	ret
	.size	probe_write0, . - probe_write0

	.global	park
	.type	park, %function
park:
	csrci	sstatus, 2			/* SIE */
1:	wfi
	j	1b
	.size	park, . - park

	.bss
	.balign	16
boot_stack:
	.space	PROBE_BOOT_STACK
cpu_stacks:
	.space	(1 << PROBE_CPU_STACK_SHIFT) * PROBE_MAX_CPUS

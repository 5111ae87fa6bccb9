/*
 * The probe kernel's exception vector table (the loader's own lives inside
 * its entry.S): each of the 16 entries passes its number to
 * aarch64_exception(), which the program linking this file implements
 * (print, then park). One exception alone returns: a synchronous one taken
 * at the current EL (vector 4) by the access of aarch64_probe_load or
 * aarch64_probe_store, which the caller expects to fault (an access an EL2
 * fence blocks and reports back as an abort). Anything else is a bug to
 * report, not an event to handle.
 */
	.section .text.vectors, "ax"
	.balign	2048
	.global	aarch64_vectors
aarch64_vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	128
	mov	x0, #\n
	.if	\n == 4
	b	current_sync
	.else
	b	aarch64_exception
	.endif
	.endr

/*
 * Vector 4 (x0 = 4): an exception at probe_load_at or probe_store_at
 * resumes at the ret after it with x0 = ESR, x1 = FAR, which the routine
 * returns. Only x0-x2 change, which a call clobbers anyway.
 */
	.macro	resume el
	mrs	x1, elr_\el
	adr	x2, probe_load_at
	cmp	x1, x2
	adr	x2, probe_store_at
	ccmp	x1, x2, #4, ne		/* Z: ELR is either label */
	b.ne	aarch64_exception
	add	x1, x1, #4
	msr	elr_\el, x1
	mrs	x0, esr_\el
	mrs	x1, far_\el
	eret
	.endm

current_sync:
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.eq	1f
	resume	el1
1:	resume	el2

/*
 * aarch64_probe_load(addr), aarch64_probe_store(addr): a 32-bit access
 * (the one width every device window accepts) where a fault is expected.
 * They return {0, undefined} if it went through (a store writes 0), else
 * {ESR, FAR} of the exception it took: a struct of two 64-bit words, which
 * the AAPCS64 returns in x0 and x1.
 */
	.text
	.global	aarch64_probe_load
	.type	aarch64_probe_load, %function
aarch64_probe_load:
	mov	x1, x0
	mov	x0, xzr
probe_load_at:
	ldr	w2, [x1]
	ret
	.size	aarch64_probe_load, . - aarch64_probe_load

	.global	aarch64_probe_store
	.type	aarch64_probe_store, %function
aarch64_probe_store:
	mov	x1, x0
	mov	x0, xzr
probe_store_at:
	str	wzr, [x1]
	ret
	.size	aarch64_probe_store, . - aarch64_probe_store

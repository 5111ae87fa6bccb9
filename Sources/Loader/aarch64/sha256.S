/*
 * SHA-256 blocks with the ARMv8 Cryptographic Extension (FEAT_SHA256):
 * about 20 times fewer instructions than the portable C in common/sha256.c,
 * which matters once images are megabytes (a Linux Image is 30 MB).
 *
 * int arch_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t blocks)
 * hashes `blocks` 64-byte blocks into h and returns 1, or returns 0 without
 * touching anything when the CPU lacks the instructions (ID_AA64ISAR0_EL1.SHA2).
 *
 * The loader's C is built without FP/SIMD registers; this is the one place
 * that uses them, so it first stops FP/SIMD accesses from trapping at the
 * current EL (CPTR_EL2.TFP at EL2, CPACR_EL1.FPEN at EL1).
 *
 * Registers: v0/v1 the state (abcd/efgh) at the block's start, v2/v3 the
 * working state, v4-v7 the message schedule (four words each, rotating),
 * v8 message + constant, v9 abcd before a round pair, v16-v31 the constants.
 */
	.arch	armv8-a+crypto
	.section .text.sha256, "ax"
	.global	arch_sha256_blocks
	.type	arch_sha256_blocks, %function
	.balign	4
arch_sha256_blocks:
	mrs	x3, id_aa64isar0_el1
	ubfx	x3, x3, #12, #4			/* SHA2 */
	cbz	x3, 9f

	mrs	x4, CurrentEL
	cmp	x4, #(2 << 2)
	b.ne	1f
	mrs	x4, cptr_el2
	bic	x4, x4, #(1 << 10)		/* TFP */
	msr	cptr_el2, x4
	b	2f
1:	mrs	x4, cpacr_el1
	orr	x4, x4, #(3 << 20)		/* FPEN: no trap at EL1 or EL0 */
	msr	cpacr_el1, x4
2:	isb

	adr	x3, sha256_k			/* common/sha256.c's round constants */
	ld1	{v16.4s-v19.4s}, [x3], #64
	ld1	{v20.4s-v23.4s}, [x3], #64
	ld1	{v24.4s-v27.4s}, [x3], #64
	ld1	{v28.4s-v31.4s}, [x3]
	ld1	{v0.4s, v1.4s}, [x0]

3:	ld1	{v4.16b-v7.16b}, [x1], #64
	rev32	v4.16b, v4.16b			/* message words are big-endian */
	rev32	v5.16b, v5.16b
	rev32	v6.16b, v6.16b
	rev32	v7.16b, v7.16b
	mov	v2.16b, v0.16b
	mov	v3.16b, v1.16b

	/*
	 * Four rounds: W (this quad's words) + K, then the round pair. For the
	 * first twelve quads W is then replaced by the words four quads on,
	 * from itself and the three vectors after it.
	 */
	.macro	quad w, k, next, w2, w3, update
	add	v8.4s, \w\().4s, \k\().4s
	mov	v9.16b, v2.16b
	sha256h	q2, q3, v8.4s
	sha256h2 q3, q9, v8.4s
	.if	\update
	sha256su0 \w\().4s, \next\().4s
	sha256su1 \w\().4s, \w2\().4s, \w3\().4s
	.endif
	.endm

	quad	v4, v16, v5, v6, v7, 1
	quad	v5, v17, v6, v7, v4, 1
	quad	v6, v18, v7, v4, v5, 1
	quad	v7, v19, v4, v5, v6, 1
	quad	v4, v20, v5, v6, v7, 1
	quad	v5, v21, v6, v7, v4, 1
	quad	v6, v22, v7, v4, v5, 1
	quad	v7, v23, v4, v5, v6, 1
	quad	v4, v24, v5, v6, v7, 1
	quad	v5, v25, v6, v7, v4, 1
	quad	v6, v26, v7, v4, v5, 1
	quad	v7, v27, v4, v5, v6, 1
	quad	v4, v28, v5, v6, v7, 0
	quad	v5, v29, v6, v7, v4, 0
	quad	v6, v30, v7, v4, v5, 0
	quad	v7, v31, v4, v5, v6, 0

	add	v0.4s, v0.4s, v2.4s
	add	v1.4s, v1.4s, v3.4s
	subs	x2, x2, #1
	b.ne	3b

	st1	{v0.4s, v1.4s}, [x0]
	mov	w0, #1
	ret
9:	mov	w0, #0
	ret
	.size	arch_sha256_blocks, . - arch_sha256_blocks

/*
 * An exception vector table that turns any exception into a report: each of
 * the 16 entries passes its number to aarch64_exception(), which the program
 * linking this file implements (print, then park). Nothing here returns:
 * neither the loader nor the probe expects an exception, so one is a bug to
 * report, not an event to handle.
 */
	.section .text.vectors, "ax"
	.balign	2048
	.global	aarch64_vectors
aarch64_vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	128
	mov	x0, #\n
	b	aarch64_exception
	.endr

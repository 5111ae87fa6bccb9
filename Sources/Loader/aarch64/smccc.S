/*
 * SMC Calling Convention (SMC32/SMC64): the function id in x0, arguments in
 * x1-x3, the result in x0. Firmware may clobber x4-x17, which the AAPCS64
 * already treats as caller-saved, so these are plain leaf calls.
 */
	.text

	.global	aarch64_smc
	.type	aarch64_smc, %function
aarch64_smc:
	smc	#0
	ret
	.size	aarch64_smc, . - aarch64_smc

	.global	aarch64_hvc
	.type	aarch64_hvc, %function
aarch64_hvc:
	hvc	#0
	ret
	.size	aarch64_hvc, . - aarch64_hvc

#include "arch.h"
#include "dt.h"
#include "riscv.h"

/*
 * The loader's console is the SBI's: legacy console_putchar (EID 0x01),
 * which OpenSBI 1.1 implements (it has no DBCN) on the UART the live tree's
 * stdout-path names. Lines are the loader's alone: kernels are held in the
 * trampoline until it has printed its last one.
 */
static int sbi_console;

uint64_t arch_console_init(const struct dt *live)
{
	int chosen = dt_lookup(live, "/chosen"), node = -1;
	const char *path = chosen >= 0 ? dt_prop_str(live, chosen, "stdout-path") : 0;
	uint64_t base = 0, size;

	sbi_console = riscv_sbi_has(SBI_EXT_LEGACY_PUTCHAR);
	if (path)
		node = dt_lookup(live, path);
	/* Where the characters come out, for the first line: OpenSBI writes them, not the loader. */
	if (!sbi_console || node < 0 || dt_reg_phys(live, node, 0, &base, &size))
		return 0;
	return base;
}

void arch_console_putc(char c)
{
	if (sbi_console)
		riscv_sbi(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)c, 0, 0);
}

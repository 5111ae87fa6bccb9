#include "arch.h"
#include "dt.h"
#include "entry.h"
#include "lib.h"
#include "mmio.h"

#define UARTDR		0x00
#define UARTFR		0x18
#define UARTFR_TXFF	(1u << 5)

/* Give up on a character rather than hang if the UART never drains. */
#define TX_SPINS	1000000

static uint64_t uart;

static int first_pl011(const struct dt *dt)
{
	int depth = 0;

	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth))
		if (dt_compatible(dt, n, "arm,pl011") && dt_enabled(dt, n))
			return n;
	return -1;
}

uint64_t arch_console_init(const struct dt *live)
{
	int chosen = dt_lookup(live, "/chosen"), node = -1;
	const char *path = 0;
	uint64_t base, size;

	if (chosen >= 0) {
		path = dt_prop_str(live, chosen, "stdout-path");
		if (!path)
			path = dt_prop_str(live, chosen, "linux,stdout-path");
	}
	if (path)
		node = dt_lookup(live, path);
	if (node < 0 || !dt_compatible(live, node, "arm,pl011"))
		node = first_pl011(live);
	if (node < 0 || dt_reg_phys(live, node, 0, &base, &size))
		return 0;
	uart = base;
	return base;
}

void arch_console_putc(char c)
{
	if (!uart)
		return;
	for (unsigned i = 0; i < TX_SPINS && (mmio_read32(uart + UARTFR) & UARTFR_TXFF); i++)
		;
	mmio_write32(uart + UARTDR, (uint8_t)c);
}

uint64_t aarch64_console_base(void)
{
	return uart;
}

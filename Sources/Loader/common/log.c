#include <stdarg.h>

#include "arch.h"
#include "fmt.h"
#include "log.h"

static void console(void *ctx, char c)
{
	(void)ctx;
	arch_console_putc(c);
}

static void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_emit(console, 0, fmt, ap);
	va_end(ap);
}

static void line(const char *level, const char *fmt, va_list ap, const char *tail)
{
	uint64_t id = arch_cpu_id();

	/* Small ids read as cpu0..cpu255; others keep their affinity layout. */
	emit(id < 256 ? "cleave|%s|cpu%lu: " : "cleave|%s|cpu0x%lx: ", level, id);
	fmt_emit(console, 0, fmt, ap);
	emit("%s\n", tail);
}

void log_for(const char *level, const char *who, const char *fmt, ...)
{
	va_list ap;

	emit("cleave|%s|%.16s: ", level, who);
	va_start(ap, fmt);
	fmt_emit(console, 0, fmt, ap);
	va_end(ap);
	emit("\n");
}

void log_line(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(level, fmt, ap, "");
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("ERROR", fmt, ap, "");
	va_end(ap);
	arch_park();
}

void refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("ERROR", fmt, ap, "; refusing to boot");
	va_end(ap);
	arch_park();
}

uint64_t time_us_since(uint64_t start)
{
	uint64_t hz = arch_counter_hz();

	return hz ? (arch_counter() - start) * 1000000 / hz : 0;
}

uint64_t time_deadline_ms(uint64_t ms)
{
	uint64_t hz = arch_counter_hz();

	/* No frequency programmed: assume a slow 1 MHz counter rather than no wait at all. */
	if (!hz)
		hz = 1000000;
	return arch_counter() + ms * (hz / 1000);
}

int time_passed(uint64_t deadline)
{
	return (int64_t)(arch_counter() - deadline) >= 0;
}

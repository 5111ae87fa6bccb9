#include <stdarg.h>

#include "fmt.h"
#include "probe.h"

#define LINE_MAX	320

static volatile uint32_t finished;

static void line(const char *level, const char *fmt, va_list ap)
{
	char buf[LINE_MAX];
	size_t n = fmt_format(buf, sizeof(buf), "cleave|%s|%s: ", level, probe.name ? probe.name : "?");

	n += fmt_vformat(buf + n, sizeof(buf) - n - 1, fmt, ap);
	buf[n++] = '\n';
	buf[n] = '\0';
	probe_write0(buf);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("INFO", fmt, ap);
	va_end(ap);
}

/* Exactly one final line per kernel, whichever core gets there first. */
static __attribute__((noreturn)) void final(const char *level, const char *fmt, va_list ap)
{
	if (atomic_cas32(&finished, 0, 1))
		line(level, fmt, ap);
	park();
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	final("FAIL", fmt, ap);
}

void pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	final("PASS", fmt, ap);
}

uint64_t now(void)
{
	return counter();
}

uint64_t deadline_ms(uint64_t ms)
{
	return counter() + ms * (counter_hz() / 1000);
}

int passed(uint64_t deadline)
{
	return (int64_t)(counter() - deadline) >= 0;
}

uint64_t ms_since(uint64_t start)
{
	return (counter() - start) / (counter_hz() / 1000);
}

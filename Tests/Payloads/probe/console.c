#include <stdarg.h>

#include "aarch64.h"
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

/* Any exception is a bug in the probe or a fault cleave caused (a foreign device, say). */
void aarch64_exception(uint64_t vector)
{
	fail("exception (vector %lu) on CPU 0x%lx: ESR 0x%lx, ELR 0x%lx, FAR 0x%lx", vector, aarch64_hwid(),
	     aarch64_esr(), aarch64_elr(), aarch64_far());
}

uint64_t now(void)
{
	return aarch64_counter();
}

uint64_t deadline_ms(uint64_t ms)
{
	return aarch64_counter() + ms * (aarch64_counter_hz() / 1000);
}

int passed(uint64_t deadline)
{
	return (int64_t)(aarch64_counter() - deadline) >= 0;
}

uint64_t ms_since(uint64_t start)
{
	return (aarch64_counter() - start) / (aarch64_counter_hz() / 1000);
}

void atomic_or32(volatile uint32_t *p, uint32_t bits)
{
	uint32_t v, fail;

	do {
		__asm__ volatile("ldaxr %w0, [%2]\n\torr %w0, %w0, %w3\n\tstlxr %w1, %w0, [%2]"
				 : "=&r"(v), "=&r"(fail) : "r"(p), "r"(bits) : "memory");
	} while (fail);
}

void atomic_or64(volatile uint64_t *p, uint64_t bits)
{
	uint64_t v;
	uint32_t fail;

	do {
		__asm__ volatile("ldaxr %0, [%2]\n\torr %0, %0, %3\n\tstlxr %w1, %0, [%2]"
				 : "=&r"(v), "=&r"(fail) : "r"(p), "r"(bits) : "memory");
	} while (fail);
}

uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v)
{
	uint64_t old;
	uint32_t fail;

	do {
		__asm__ volatile("ldaxr %0, [%2]\n\tstlxr %w1, %3, [%2]"
				 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
	} while (fail);
	return old;
}

int atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t v)
{
	uint32_t cur, fail;

	do {
		__asm__ volatile("ldaxr %w0, [%1]" : "=&r"(cur) : "r"(p) : "memory");
		if (cur != old) {
			__asm__ volatile("clrex" ::: "memory");
			return 0;
		}
		__asm__ volatile("stlxr %w0, %w2, [%1]" : "=&r"(fail) : "r"(p), "r"(v) : "memory");
	} while (fail);
	return 1;
}

#include <stdint.h>

#include "fmt.h"

static unsigned digits(const char **p)
{
	unsigned n = 0;

	while (**p >= '0' && **p <= '9')
		n = n * 10 + (unsigned)(*(*p)++ - '0');
	return n;
}

void fmt_emit(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	for (char c; (c = *fmt++);) {
		char buf[24];
		unsigned width, prec = ~0u, n = 0;
		int lng = 0;
		uint64_t v;
		const char *s;

		if (c != '%') {
			sink(ctx, c);
			continue;
		}
		width = digits(&fmt);
		if (*fmt == '.') {
			fmt++;
			prec = digits(&fmt);
		}
		if (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		c = *fmt++;
		if (c != 's' && c != 'c' && c != 'd' && c != 'u' && c != 'x') {
			if (!c)
				return;
			sink(ctx, c);
			continue;
		}
		/*
		 * AAPCS64 passes every argument (pointers and integers) in a 64-bit
		 * slot: read it whole, then use or narrow it.
		 */
		v = va_arg(ap, uint64_t);
		if (c == 's') {
			for (s = (const char *)(uintptr_t)v; s && *s && prec--; s++)
				sink(ctx, *s);
			continue;
		}
		if (c == 'c') {
			sink(ctx, (char)v);
			continue;
		}
		if (!lng)
			v = c == 'd' ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
		if (c == 'd' && (int64_t)v < 0) {
			sink(ctx, '-');
			v = -v;
		}
		do {
			buf[n++] = "0123456789abcdef"[v % (c == 'x' ? 16 : 10)];
			v /= c == 'x' ? 16 : 10;
		} while (v);
		for (; width > n; width--)
			sink(ctx, '0');
		while (n)
			sink(ctx, buf[--n]);
	}
}

struct buf {
	char *p;
	size_t size, len;
};

static void buf_put(void *ctx, char c)
{
	struct buf *b = ctx;

	if (b->len + 1 < b->size)
		b->p[b->len++] = c;
}

size_t fmt_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { buf, size, 0 };

	fmt_emit(buf_put, &b, fmt, ap);
	if (size)
		buf[b.len] = '\0';
	return b.len;
}

size_t fmt_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

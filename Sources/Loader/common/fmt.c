#include <stdint.h>

#include "fmt.h"
#include "lib.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void number(struct out *o, uint64_t v, unsigned base, int upper, int neg,
		   int width, int zero, int left)
{
	char digits[24];
	int n = 0;
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		digits[n++] = set[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (!left && !zero)
		pad(o, ' ', width - n);
	if (neg)
		put(o, '-');
	if (!left && zero)
		pad(o, '0', width - n);
	while (n)
		put(o, digits[--n]);
}

size_t fmt_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, prec = -1, zero = 0, left = 0, lng = 0;
		size_t start;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else if (*fmt == '-')
				left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		start = o.len;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, 0, v < 0,
			       width, zero, left);
			break;
		}
		case 'u':
			number(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
			       10, 0, 0, width, zero, left);
			break;
		case 'x':
		case 'X':
			number(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
			       16, *fmt == 'X', 0, width, zero, left);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, 0, 0, 0);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (!s)
				s = "(null)";
			n = prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
			if (!left)
				pad(&o, ' ', width - (int)n);
			while (n--)
				put(&o, *s++);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
		if (left)
			pad(&o, ' ', width - (int)(o.len - start));
	}
	if (o.size)
		o.buf[o.len] = '\0';
	return o.len;
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

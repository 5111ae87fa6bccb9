/*
 * A small vsnprintf for log lines: flags '-' and '0', a field width, a
 * precision for %s, the length modifiers l, ll and z, and the conversions
 * d i u x X p s c %. Always NUL-terminates (when size > 0) and returns the
 * number of characters written, not counting the NUL.
 */
#ifndef LOADER_FMT_H
#define LOADER_FMT_H

#include <stdarg.h>
#include <stddef.h>

size_t fmt_vformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LOADER_FMT_H */

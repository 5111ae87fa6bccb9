/*
 * A small printf for log lines. Conversions: %s %c %d %u %x and %%, the
 * length modifier l (64-bit), a zero-padded width for numbers ("%08x") and
 * a precision for strings ("%.16s", for the descriptor's NUL-padded names).
 * Nothing else: it has to fit a 32 KiB loader.
 */
#ifndef LOADER_FMT_H
#define LOADER_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, char c);

/* Format into a sink, one character at a time. */
void fmt_emit(fmt_sink sink, void *ctx, const char *fmt, va_list ap);
/* Format into buf; always NUL-terminated when size > 0; returns the length written. */
size_t fmt_vformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LOADER_FMT_H */

/*
 * The few C library functions freestanding code needs. The compiler may emit
 * calls to memcpy/memset/memmove/memcmp on its own (structure copies), so
 * those keep their standard names; everything works on any alignment because
 * with the MMU off every access is to Device memory and must be aligned.
 */
#ifndef LOADER_LIB_H
#define LOADER_LIB_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * Does [a, a + alen) overlap [b, b + blen)? Empty ranges overlap nothing.
 * Compares last addresses, never a + alen: a range may end at exactly 2^64.
 */
static inline int range_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen != 0 && blen != 0 && a <= b + (blen - 1) && b <= a + (alen - 1);
}

/*
 * Is [a, a + alen) inside [b, b + blen)? Works from offsets into b, so it is
 * right up to 2^64 and for any alen (a range that would wrap is never inside).
 */
static inline int range_inside(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a >= b && a - b < blen && alen <= blen - (a - b);
}

/*
 * Does [base, base + size) wrap around the top of the address space? Also
 * true of a range that ends at exactly 2^64, which no table but the grants
 * (checked with range_last()) may hold.
 */
static inline int range_wraps(uint64_t base, uint64_t size)
{
	return base + size < base;
}

/* The last address of a non-empty range: [base, range_last()] may end at 2^64 - 1. */
static inline uint64_t range_last(uint64_t base, uint64_t size)
{
	return base + (size - 1);
}

#endif /* LOADER_LIB_H */

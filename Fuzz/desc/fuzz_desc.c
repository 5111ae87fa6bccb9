/*
 * libFuzzer target for the loader's descriptor reader and partition check
 * (Sources/Loader/common/desc.c, partition.c), built for the host: any bytes
 * as a packed payload (descriptor, DTBs, images) must be accepted or refused
 * through fail() / refuse(), never read out of bounds. Half the inputs get their CRC-32 recomputed first so mutations reach
 * the table and payload checks behind it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleave_boot.h"
#include "desc.h"
#include "digest.h"
#include "log.h"

static jmp_buf refused;

void log_line(const char *level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

void fail(const char *fmt, ...)
{
	(void)fmt;
	longjmp(refused, 1);
}

void refuse(const char *fmt, ...)
{
	(void)fmt;
	longjmp(refused, 1);
}

uint64_t time_us_since(uint64_t start)
{
	(void)start;
	return 0;
}

uint64_t time_deadline_ms(uint64_t ms)
{
	return ms;
}

int time_passed(uint64_t deadline)
{
	(void)deadline;
	return 1;
}

int arch_check_desc(const struct cleave_desc *d);
int arch_check_desc(const struct cleave_desc *d)
{
	(void)d;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = aligned_alloc(16, (size + 31) & ~(size_t)15);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct cleave_desc *d = (struct cleave_desc *)copy;
	if (size >= sizeof(*d) && (data[size - 1] & 1) && d->total_size >= sizeof(*d) && d->total_size <= size) {
		static const uint8_t zero[4];
		const size_t at = offsetof(struct cleave_desc, crc32);
		uint32_t crc = crc32_update(0, copy, at);
		crc = crc32_update(crc, zero, sizeof(zero));
		crc = crc32_update(crc, copy + at + 4, d->total_size - at - 4);
		d->crc32 = crc;
	}
	/* The loader's own place, as the example plans put it (loader base 0x40000000 + 2 MiB). */
	if (!setjmp(refused)) {
		desc_check(d, size);
		desc_check_partition(d, 0x40200000, CLEAVE_LOADER_SPAN + d->payload_size + sizeof(struct cleave_end));
	}
	free(copy);
	return 0;
}

/*
 * The loader's descriptor and partition checks (Sources/Loader/common/desc.c
 * and partition.c) built for the host, run on a packed image as QEMU would
 * load it: check_image IMAGE.elf prints "accepted" and exits 0, or prints the
 * loader's own ERROR line (formatted by its log.c and fmt.c) and exits 1.
 * Tests/EndToEndTests/LoaderCheckTests.swift compiles and runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cleave_boot.h"
#include "desc.h"

/* The arch_* functions the common code calls on the way to a refusal. */
uint64_t arch_cpu_id(void)
{
	return 0;
}

uint64_t arch_counter(void)
{
	return 0;
}

uint64_t arch_counter_hz(void)
{
	return 0;
}

void arch_console_putc(char c)
{
	putchar(c);
}

void arch_park(void)
{
	fflush(stdout);
	exit(1);
}

/* The architecture's own fields are not what this driver tests. */
int arch_check_desc(const struct cleave_desc *d)
{
	(void)d;
	return 0;
}

static uint64_t le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	static uint8_t file[64 << 20];
	size_t size;
	uint64_t ph, offset, base, filesz;
	uint8_t *segment;
	const struct cleave_desc *d;

	if (!f) {
		fprintf(stderr, "usage: check_image IMAGE.elf\n");
		return 2;
	}
	size = fread(file, 1, sizeof(file), f);
	fclose(f);
	/* The packed image's one PT_LOAD: where it goes (the loader's base) and its bytes. */
	if (size < 64 || memcmp(file, "\177ELF", 4) || (ph = le(file + 32, 8)) > size - 56) {
		fprintf(stderr, "%s: not a packed image\n", argv[1]);
		return 2;
	}
	offset = le(file + ph + 8, 8);
	base = le(file + ph + 24, 8);
	filesz = le(file + ph + 32, 8);
	if (offset > size || filesz > size - offset || filesz < CLEAVE_LOADER_SPAN) {
		fprintf(stderr, "%s: segment outside the file\n", argv[1]);
		return 2;
	}
	segment = aligned_alloc(16, (filesz + 15) & ~(uint64_t)15);
	if (!segment)
		return 2;
	memcpy(segment, file + offset, filesz);
	d = (const struct cleave_desc *)(segment + CLEAVE_LOADER_SPAN);
	/* As loader_main: the descriptor, then the partition against where the loader is. */
	desc_check(d, filesz - CLEAVE_LOADER_SPAN);
	desc_check_partition(d, base, CLEAVE_LOADER_SPAN + d->payload_size + sizeof(struct cleave_end));
	printf("accepted\n");
	free(segment);
	return 0;
}

/*
 * The loader's descriptor and partition checks (Sources/Loader/common/desc.c
 * and partition.c) built for the host, run on a packed image as QEMU would
 * load it: check_image IMAGE.elf prints "accepted" and exits 0, or prints the
 * loader's own ERROR line (formatted by its log.c and fmt.c) and exits 1.
 * Tests/EndToEndTests/LoaderCheckTests.swift compiles and runs it.
 *
 * check_image --records IMAGE.elf then writes every seL4 boot-info record
 * the loader would write (common/record.c) and prints it as the kernel reads
 * it, one field a line, for BootInfoRecordTests.swift to compare with the plan.
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

/* Print the record at r as the kernel reads it: header, then each array in order. */
static void print_record(const struct cleave_desc *d, const struct cleave_boot_info *bi, const uint8_t *r, uint64_t n)
{
	const struct cleave_sel4_record *h = (const void *)r;
	const uint8_t *at = r + sizeof(*h);

	printf("record %.16s at 0x%llx, %llu bytes\n", desc_kernel(d, bi->kernel)->name, (unsigned long long)bi->record,
	       (unsigned long long)n);
	printf("magic 0x%x version %u root_entry 0x%llx node %u\n", h->magic, h->version,
	       (unsigned long long)h->root_entry, bi->node);
	printf("counts %u %u %u %u %u\n", h->kernel_regions, h->ram_regions, h->root_regions, h->reserved_regions,
	       h->mpidrs);
	for (unsigned i = 0; i < h->kernel_regions; i++, at += 16)
		printf("kernel 0x%llx 0x%llx\n", (unsigned long long)le(at, 8), (unsigned long long)le(at + 8, 8));
	for (unsigned i = 0; i < h->ram_regions; i++, at += 16)
		printf("ram 0x%llx 0x%llx\n", (unsigned long long)le(at, 8), (unsigned long long)le(at + 8, 8));
	for (unsigned i = 0; i < h->root_regions; i++, at += 32)
		printf("root 0x%llx 0x%llx 0x%llx\n", (unsigned long long)le(at, 8), (unsigned long long)le(at + 8, 8),
		       (unsigned long long)le(at + 16, 8));
	for (unsigned i = 0; i < h->reserved_regions; i++, at += 16)
		printf("reserved 0x%llx 0x%llx\n", (unsigned long long)le(at, 8), (unsigned long long)le(at + 8, 8));
	for (unsigned i = 0; i < h->mpidrs; i++, at += 8)
		printf("mpidr 0x%llx\n", (unsigned long long)le(at, 8));
	if ((uint64_t)(at - r) != n)
		printf("length mismatch: arrays end at %llu\n", (unsigned long long)(at - r));
}

int main(int argc, char **argv)
{
	int records = argc == 3 && !strcmp(argv[1], "--records");
	FILE *f = argc == 2 || records ? fopen(argv[argc - 1], "rb") : NULL;
	static uint8_t file[64 << 20];
	size_t size;
	uint64_t ph, offset, base, filesz;
	uint8_t *segment;
	const struct cleave_desc *d;

	if (!f) {
		fprintf(stderr, "usage: check_image [--records] IMAGE.elf\n");
		return 2;
	}
	size = fread(file, 1, sizeof(file), f);
	fclose(f);
	/* The packed image's one PT_LOAD: where it goes (the loader's base) and its bytes. */
	if (size < 64 || memcmp(file, "\177ELF", 4) || (ph = le(file + 32, 8)) > size - 56) {
		fprintf(stderr, "%s: not a packed image\n", argv[argc - 1]);
		return 2;
	}
	offset = le(file + ph + 8, 8);
	base = le(file + ph + 24, 8);
	filesz = le(file + ph + 32, 8);
	if (offset > size || filesz > size - offset || filesz < CLEAVE_LOADER_SPAN) {
		fprintf(stderr, "%s: segment outside the file\n", argv[argc - 1]);
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
	for (uint32_t b = 0; records && b < d->boot_info_count; b++) {
		const struct cleave_boot_info *bi = desc_boot_info(d, b);
		uint8_t *r = calloc(1, bi->record_size);

		if (!r)
			return 2;
		print_record(d, bi, r, sel4_record_write(d, bi, r));
		free(r);
	}
	printf("accepted\n");
	free(segment);
	return 0;
}

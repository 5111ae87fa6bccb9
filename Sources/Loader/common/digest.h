/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32) for the descriptor and
 * SHA-256 (FIPS 180-4) for kernel images. Both read their input a byte at a
 * time, so any alignment works with the MMU off.
 */
#ifndef LOADER_DIGEST_H
#define LOADER_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0, as zlib's crc32(0, buf, len). */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	uint32_t fill;
};

/* The 64 round constants (FIPS 180-4 4.2.2), shared with the architecture's own blocks. */
extern const uint32_t sha256_k[64];

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *buf, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[32]);
/* 1 when the architecture hashed the blocks itself, 0 to leave them to the portable code. */
int arch_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t blocks);

#endif /* LOADER_DIGEST_H */

/* SHA-256 compression with the host CPU's SHA instructions, for the build's
 * image and file digests. The portable algorithm is Emit's SHA256.swift. */
#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/* Whether this CPU has the instructions cleave_sha256_blocks needs. */
int cleave_sha256_accelerated(void);

/* Runs the compression function over `blocks` 64-byte blocks of `data`,
 * updating `state` (a, b, ..., h). Call only when accelerated. */
void cleave_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif

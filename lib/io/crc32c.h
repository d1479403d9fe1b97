/* CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and
 * final xor 0xFFFFFFFF): the integrity check libattn writes into the
 * metadata of the safetensors files it saves. Internal.
 *
 * attn__crc32c(0, p, n) is the standard CRC-32C of p[0, n) (the check value
 * of "123456789" is 0xE3069283); passing the result of one call as crc to
 * the next gives the CRC of the concatenation, so data can be streamed. */
#ifndef ATTN_IO_CRC32C_H
#define ATTN_IO_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Uses the SSE4.2 crc32 instruction when the CPU has it, else tables. */
uint32_t attn__crc32c(uint32_t crc, const void *p, size_t n);
/* The table version only (tests compare the two). */
uint32_t attn__crc32c_portable(uint32_t crc, const void *p, size_t n);
/* 1 if attn__crc32c uses the CPU instruction. */
int attn__crc32c_hardware(void);

#endif /* ATTN_IO_CRC32C_H */

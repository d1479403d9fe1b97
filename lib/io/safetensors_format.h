/* What the safetensors reader and writer share: the dtype table (names,
 * sizes, Hugging Face's ordering), the half-precision widenings, and an
 * index sort. Internal. */
#ifndef ATTN_IO_SAFETENSORS_FORMAT_H
#define ATTN_IO_SAFETENSORS_FORMAT_H

#include <stdint.h>
#include <string.h>

#include "internal.h"

/* The data are little-endian in the file and copied as they are. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libattn's safetensors code assumes a little-endian host"
#endif

typedef struct attn__st_dtype_info {
    const char *name;   /* spelling in the header */
    size_t size;        /* bytes per element */
    int32_t hf_rank;    /* position in Hugging Face's Dtype enum: files list larger ranks first */
} attn__st_dtype_info;

/* Table entry of an attn_st_dtype value, NULL if unknown. */
const attn__st_dtype_info *attn__st_dtype(int32_t file_dtype);
/* attn_st_dtype of the header spelling s[0, n), -1 if unknown. */
int32_t attn__st_dtype_parse(const char *s, size_t n);
/* The file dtype libattn writes for a tensor dtype. */
int32_t attn__st_dtype_of(attn_dtype dtype);

/* IEEE binary16 -> binary32, exact for every input (subnormals, inf, NaN
 * payloads included). */
static inline float attn__f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu, bits;
    float f;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (exp == 0) {
        /* zero or subnormal: man * 2^-24 is exact in binary32 */
        f = (float)man * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    } else {
        bits = sign | ((exp + 112u) << 23) | (man << 13); /* rebias 15 -> 127 */
    }
    memcpy(&f, &bits, 4);
    return f;
}

/* bfloat16 is the top half of a binary32. */
static inline float attn__bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Sorts idx[0, n) (stable merge sort, tmp has n entries) by cmp(a, b, user) < 0. */
void attn__sort_indices(int32_t *idx, int32_t *tmp, int32_t n, int (*cmp)(int32_t, int32_t, const void *),
                        const void *user);

#endif /* ATTN_IO_SAFETENSORS_FORMAT_H */

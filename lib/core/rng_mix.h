/* The mixing step of the counter-based RNG (lib/core/rng.c), in a header so
 * vectorised loops (lib/layers/dropout_rows.c) inline the very same formula:
 * the bits of (seed, counter) are mix64(key(seed) ^ counter * GOLDEN) with
 * key(seed) = mix64(seed + GOLDEN) and mix64 the SplitMix64 finaliser. */
#ifndef ATTN_CORE_RNG_MIX_H
#define ATTN_CORE_RNG_MIX_H

#include "internal.h"

#define ATTN__RNG_GOLDEN 0x9e3779b97f4a7c15ULL

ATTN__INLINE uint64_t attn__rng_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The stream key of a seed, shared by all its counters. */
ATTN__INLINE uint64_t attn__rng_key(uint64_t seed)
{
    return attn__rng_mix64(seed + ATTN__RNG_GOLDEN);
}

/* The 64 mixed bits of one counter in the stream of key. */
ATTN__INLINE uint64_t attn__rng_bits(uint64_t key, uint64_t counter)
{
    return attn__rng_mix64(key ^ (counter * ATTN__RNG_GOLDEN));
}

#endif

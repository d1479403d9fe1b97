/* Counter-based RNG. A value is a pure function of (seed, counter): the
 * SplitMix64 finaliser applied to a mix of both. Work split across threads
 * draws the same numbers whatever the thread count, and the whole state of a
 * context's stream is two integers (seed, next counter), which makes
 * checkpoint/resume exact. */
#include <math.h>

#include "core/rng_mix.h"
#include "internal.h"

uint64_t attn__rng_reserve(attn_ctx *ctx, uint64_t n)
{
    uint64_t first = ctx->rng_counter;
    ctx->rng_counter += n;
    return first;
}

uint32_t attn__rng_u32(uint64_t seed, uint64_t counter)
{
    return (uint32_t)(attn__rng_bits(attn__rng_key(seed), counter) >> 32);
}

float attn__rng_uniform(uint64_t seed, uint64_t counter)
{
    /* 24 random bits -> exactly representable floats in [0, 1) */
    return (float)(attn__rng_u32(seed, counter) >> 8) * (1.0f / 16777216.0f);
}

float attn__rng_normal(uint64_t seed, uint64_t counter)
{
    /* Box-Muller on two sub-streams of the same counter */
    double u1 = ((double)(attn__rng_u32(seed, 2 * counter) >> 8) + 1.0) / 16777217.0;
    double u2 = (double)(attn__rng_u32(seed, 2 * counter + 1) >> 8) / 16777216.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
